import type { Cell, Row } from 'write-excel-file/browser';
import type { ClientColumn, ClientEntity } from '../../../src/web-client/page-definition';
import type { Guid, WireValue } from '../api/types';
import type { ObjectStore } from '../store/object-store';
import { formatValue } from './format';
import { valueAt, valuesAt } from './values';

/**
 * Data Grid 2's export: the rows the grid shows (its search, filters and sort, every
 * page) and the columns the user has not hidden, as CSV or Excel. The values are
 * those the client holds, so a member the user cannot read is in no column: the
 * page definition has no column for it and no answer carries it.
 */
export interface ExportSheet {
  readonly name: string;
  readonly columns: readonly ClientColumn[];
  readonly guids: readonly Guid[];
  readonly store: ObjectStore;
  readonly entity: ClientEntity | undefined;
}

function text(s: ExportSheet, g: Guid, c: ClientColumn): string {
  if (c.attribute.includes('/'))
    return valuesAt(s.store, g, c.attribute)
      .map((v) => formatValue(v, c.type, undefined))
      .filter((t) => t !== '')
      .join(', ');
  return formatValue(valueAt(s.store, g, c.attribute), c.type, s.entity?.attributes[c.attribute]);
}

/**
 * RFC 4180 CSV; a text cell that a spreadsheet would run as a formula (=, +, -, @,
 * tab, CR first) gets a leading apostrophe, so an exported value cannot attack
 * whoever opens the file (CSV injection).
 */
export function toCsv(s: ExportSheet): string {
  const cell = (v: string, c?: ClientColumn) => {
    const safe = (!c || c.type === 'String' || c.attribute.includes('/')) && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [s.columns.map((c) => cell(c.caption)).join(',')];
  for (const g of s.guids) lines.push(s.columns.map((c) => cell(text(s, g, c), c)).join(','));
  // A byte order mark: spreadsheet programs then read the file as UTF-8.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** An .xlsx workbook: numbers as numbers, dates as dates, the rest as text (never a formula). */
export async function toXlsx(s: ExportSheet): Promise<Blob> {
  const header: Row = s.columns.map((c) => ({ value: c.caption, fontWeight: 'bold' }) as Cell);
  const rows: Row[] = [header];
  for (const g of s.guids) {
    rows.push(
      s.columns.map((c): Cell => {
        if (c.attribute.includes('/')) return { type: String, value: text(s, g, c) };
        const v: WireValue | undefined = valueAt(s.store, g, c.attribute);
        if (v === null || v === undefined || v === '') return null;
        switch (c.type) {
          case 'Integer':
          case 'Long':
          case 'AutoNumber':
          case 'Decimal': {
            const n = Number(v);
            return Number.isFinite(n) ? { type: Number, value: n } : { type: String, value: String(v) };
          }
          case 'DateTime': {
            if (typeof v !== 'number') return null;
            // A workbook's dates have no zone: the wall-clock time the user sees (UTC for an attribute that is not localized).
            const local = s.entity?.attributes[c.attribute]?.localize !== false;
            return { type: Date, value: new Date(local ? v - new Date(v).getTimezoneOffset() * 60000 : v), format: 'yyyy-mm-dd hh:mm' };
          }
          case 'Boolean':
            return { type: Boolean, value: v === true || v === 'true' };
          default:
            return { type: String, value: text(s, g, c) };
        }
      }),
    );
  }
  // Loaded on first export only: the workbook writer stays out of the page's first load.
  const { default: writeXlsxFile } = await import('write-excel-file/browser');
  return writeXlsxFile(rows, { sheet: s.name.slice(0, 31) || 'Sheet1' }).toBlob();
}

/** Offers a file to the user as a download. */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
