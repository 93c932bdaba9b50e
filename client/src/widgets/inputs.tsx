import { useEffect, useId, useState, type ReactNode } from 'react';
import type { ClientAttribute, ClientInput } from '../../../src/web-client/page-definition';
import type { Guid, WireValue } from '../api/types';
import { useApp, useScope, type AppServices, type PageScope } from '../app/context';
import { runNanoflow } from '../nanoflow/run';
import { holds } from './conditions';
import { DateInput } from './date-input';
import { parseNumber } from './format';
import { RichTextEditor, RichTextView } from './RichText';
import { t } from '../i18n/texts';

/** Label, control and the validation message under it, tied together for screen readers. */
export function Field({
  id,
  label,
  error,
  required,
  children,
  group,
}: {
  id: string;
  label: string;
  error: string | undefined;
  required?: boolean | undefined;
  children: ReactNode;
  group?: boolean;
}) {
  const labelEl = group ? (
    <legend className="field-label">
      {label}
      {required && (
        <span aria-hidden="true" className="required">
          {' '}
          *
        </span>
      )}
    </legend>
  ) : (
    <label htmlFor={id} className="field-label">
      {label}
      {required && (
        <span aria-hidden="true" className="required">
          {' '}
          *
        </span>
      )}
    </label>
  );
  const body = (
    <>
      {labelEl}
      <div className="field-control">{children}</div>
      {error && (
        <div id={`${id}-error`} className="field-error" role="alert">
          {error}
        </div>
      )}
    </>
  );
  return group ? (
    <fieldset className={`field${error ? ' has-error' : ''}`}>{body}</fieldset>
  ) : (
    <div className={`field${error ? ' has-error' : ''}`}>{body}</div>
  );
}

/** The input widgets of a data view: text box, text area, number input, date picker, check box, radio buttons, drop-down. */
export function InputWidget({ w }: { w: ClientInput }) {
  const app = useApp();
  const scope = useScope();
  const id = useId();
  const attr: ClientAttribute | undefined = scope.entity?.attributes[w.attribute];
  const guid = scope.object;
  if (!attr || !guid) return null;
  const value = app.store.get(guid, w.attribute);
  // Conditional editability on the shown object; the component re-renders with every change of it.
  const readOnly = w.readOnly || !attr.writable || !holds(w.editable, app.store, guid);
  const error = scope.errors?.[w.attribute];
  const set = (v: WireValue) => {
    app.store.set(guid, w.attribute, v);
    // The on-change nanoflow runs with each change, so what it computes follows the typing.
    if (w.onChange) runOnChange(app, scope, w.onChange, guid);
  };
  const aria = {
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
    'aria-required': attr.required || undefined,
  } as const;
  const field = (control: ReactNode, group = false) => (
    <Field id={id} label={w.label} error={error} required={attr.required} group={group}>
      {control}
    </Field>
  );

  switch (w.type) {
    case 'textBox':
      return field(
        <input
          id={id}
          type="text"
          value={value === null || value === undefined ? '' : String(value)}
          readOnly={readOnly}
          maxLength={attr.type === 'String' && attr.length > 0 ? attr.length : undefined}
          onChange={(e) => set(e.target.value)}
          {...aria}
        />,
      );
    case 'textArea':
      return field(
        <textarea
          id={id}
          rows={4}
          value={value === null || value === undefined ? '' : String(value)}
          readOnly={readOnly}
          maxLength={attr.length > 0 ? attr.length : undefined}
          onChange={(e) => set(e.target.value)}
          {...aria}
        />,
      );
    case 'numberInput':
      return field(
        <NumberInput
          id={id}
          attr={attr}
          value={value}
          readOnly={readOnly}
          onValue={set}
          onLocalError={(m) => scope.setLocalError?.(w.attribute, m)}
          aria={aria}
        />,
      );
    case 'datePicker':
    case 'dateTimePicker':
      return field(
        <DateInput
          id={id}
          value={value}
          localize={attr.localize !== false}
          withTime={w.type === 'dateTimePicker'}
          readOnly={readOnly}
          onValue={set}
          onLocalError={(m) => scope.setLocalError?.(w.attribute, m)}
          aria={aria}
        />,
      );
    case 'richText': {
      const html = value === null || value === undefined ? '' : String(value);
      return field(
        readOnly ? <RichTextView html={html} /> : <RichTextEditor id={id} html={html} onChange={(h) => set(h)} aria={{ ...aria, 'aria-label': w.label }} />,
      );
    }
    case 'checkBox':
      return field(<input id={id} type="checkbox" checked={value === true} disabled={readOnly} onChange={(e) => set(e.target.checked)} {...aria} />);
    case 'radioButtons': {
      const options =
        attr.type === 'Boolean'
          ? [
              { key: 'true', caption: t('yes') },
              { key: 'false', caption: t('no') },
            ]
          : (attr.values ?? []);
      return field(
        <div role="radiogroup" className="radios">
          {options.map((o) => (
            <label key={o.key} className="radio">
              <input
                type="radio"
                name={id}
                value={o.key}
                disabled={readOnly}
                checked={attr.type === 'Boolean' ? String(value) === o.key : value === o.key}
                onChange={() => set(attr.type === 'Boolean' ? o.key === 'true' : o.key)}
              />
              {o.caption}
            </label>
          ))}
        </div>,
        true,
      );
    }
    case 'dropDown': {
      const options =
        attr.type === 'Boolean'
          ? [
              { key: 'true', caption: t('yes') },
              { key: 'false', caption: t('no') },
            ]
          : (attr.values ?? []);
      return field(
        <select
          id={id}
          value={value === null || value === undefined ? '' : String(value)}
          disabled={readOnly}
          onChange={(e) => set(e.target.value === '' ? null : attr.type === 'Boolean' ? e.target.value === 'true' : e.target.value)}
          {...aria}
        >
          <option value=""></option>
          {options.map((o) => (
            <option key={o.key} value={o.key}>
              {o.caption}
            </option>
          ))}
        </select>,
      );
    }
  }
}

function NumberInput({
  id,
  attr,
  value,
  readOnly,
  onValue,
  onLocalError,
  aria,
}: {
  id: string;
  attr: ClientAttribute;
  value: WireValue | undefined;
  readOnly: boolean;
  onValue: (v: WireValue) => void;
  onLocalError: (m: string | null) => void;
  aria: Record<string, unknown>;
}) {
  const shown = value === null || value === undefined ? '' : String(value);
  const [text, setText] = useState(shown);
  // Follow the object when it changes from elsewhere (a refresh, a rollback).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the shown value changes, not when the typed text does
  useEffect(() => {
    setText((t) => (parseNumber(t, attr.type).ok && (parseNumber(t, attr.type) as { value: WireValue }).value === value ? t : shown));
  }, [shown]);
  return (
    <input
      id={id}
      type="text"
      inputMode={attr.type === 'Decimal' ? 'decimal' : 'numeric'}
      value={text}
      readOnly={readOnly}
      onChange={(e) => {
        setText(e.target.value);
        const p = parseNumber(e.target.value, attr.type);
        if (p.ok) {
          onLocalError(null);
          onValue(p.value);
        } else onLocalError(p.message);
      }}
      {...aria}
    />
  );
}

/** Runs an input's on-change nanoflow with the data view's object; its errors appear as messages. */
function runOnChange(app: AppServices, scope: PageScope, nanoflow: string, guid: Guid): void {
  const plan = scope.page.nanoflows?.[nanoflow];
  const param = plan?.parameters.find((p) => p.type === scope.entity?.name) ?? plan?.parameters[0];
  runNanoflow(app, nanoflow, { page: scope.page, args: param ? { [param.name]: guid } : {}, close: scope.close }).catch((e: unknown) =>
    app.showMessage(e instanceof Error ? e.message : String(e), 'error'),
  );
}
