import { useEffect, useRef, useState } from 'react';
import type { WireValue } from '../api/types';
import { t } from '../i18n/texts';
import { dateTextExample, formatDateText, fromDateInput, fromDateTimeInput, parseDateText, toDateInput, toDateTimeInput } from './format';

/**
 * A date (and time) picker that speaks the user's language and lives in their time zone: a
 * text field showing the date as their locale writes it (`11-1-2026` in Dutch), read back in
 * that order (or as ISO `2026-01-11`), and a button opening the browser's calendar for the
 * mouse. The value is the instant of midnight (or the time typed) in the user's zone, or UTC
 * for an attribute that is not localized.
 */
export function DateInput({
  id,
  value,
  localize,
  withTime,
  readOnly,
  onValue,
  onLocalError,
  aria,
}: {
  id: string;
  value: WireValue | undefined;
  localize: boolean;
  withTime: boolean;
  readOnly: boolean;
  onValue: (v: WireValue) => void;
  onLocalError: (m: string | null) => void;
  aria: Record<string, unknown>;
}) {
  const shown = formatDateText(value, localize, withTime);
  const [text, setText] = useState(shown);
  const native = useRef<HTMLInputElement>(null);
  // Follow the object when it changes from elsewhere (a refresh, the calendar), not while the typed text means the same.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the shown value changes, not when the typed text does
  useEffect(() => {
    setText((typed) => (parseDateText(typed, localize, withTime) === (value === undefined || value === '' ? null : Number(value)) ? typed : shown));
  }, [shown]);
  const nativeValue = withTime ? toDateTimeInput(value, localize) : toDateInput(value, localize);
  return (
    <span className="date-input">
      <input
        id={id}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        placeholder={dateTextExample(withTime)}
        value={text}
        readOnly={readOnly}
        onChange={(e) => {
          setText(e.target.value);
          const v = parseDateText(e.target.value, localize, withTime);
          if (v !== undefined) {
            onLocalError(null);
            onValue(v);
          }
        }}
        onBlur={() => onLocalError(parseDateText(text, localize, withTime) === undefined ? t('invalidDate', dateTextExample(withTime)) : null)}
        {...aria}
      />
      {!readOnly && (
        <>
          <button type="button" className="btn btn-default date-calendar" aria-label={t('openCalendar')} onClick={() => native.current?.showPicker?.()}>
            <span aria-hidden="true">▦</span>
          </button>
          <input
            ref={native}
            type={withTime ? 'datetime-local' : 'date'}
            className="date-native"
            tabIndex={-1}
            aria-hidden="true"
            value={nativeValue}
            onChange={(e) => {
              const v = withTime ? fromDateTimeInput(e.target.value, localize) : fromDateInput(e.target.value, localize);
              onLocalError(null);
              onValue(v);
            }}
          />
        </>
      )}
    </span>
  );
}
