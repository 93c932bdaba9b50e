/** What an import brought over, per unit kind: fully, partly, not at all, and why. */
export interface ImportReport {
  source: string;
  format: string;
  mendixVersion: string | undefined;
  /** unit kind (entity, microflow, page, ...) -> counts. */
  kinds: Record<string, { full: number; partial: number; skipped: number }>;
  /** Every thing left out or changed, one line each: `Module.Unit: what and why`. */
  notes: string[];
}

export class Reporter {
  readonly report: ImportReport;

  constructor(source: string, format: string, mendixVersion: string | undefined) {
    this.report = { source, format, mendixVersion, kinds: {}, notes: [] };
  }

  private kind(kind: string) {
    this.report.kinds[kind] ??= { full: 0, partial: 0, skipped: 0 };
    return this.report.kinds[kind];
  }

  /** Counts one unit of `kind`: full when it had no notes, partial when it had. */
  count(kind: string, notes: readonly string[], where: string): void {
    const k = this.kind(kind);
    if (notes.length) k.partial++;
    else k.full++;
    for (const n of notes) this.report.notes.push(`${kind} ${where}: ${n}`);
  }

  /** A whole unit that was not imported. */
  skip(kind: string, where: string, why: string): void {
    this.kind(kind).skipped++;
    this.report.notes.push(`${kind} ${where}: not imported: ${why}`);
  }

  /** Moves a counted unit from full to partial (the model check found a problem later). */
  downgrade(kind: string, where: string, note: string): void {
    const k = this.kind(kind);
    if (k.full > 0) {
      k.full--;
      k.partial++;
    }
    this.report.notes.push(`${kind} ${where}: ${note}`);
  }
}

export function formatReport(r: ImportReport): string {
  const lines = [`Imported ${r.source} (${r.format}${r.mendixVersion ? `, Mendix ${r.mendixVersion}` : ''})`];
  const width = Math.max(4, ...Object.keys(r.kinds).map((k) => k.length));
  lines.push(`  ${'kind'.padEnd(width)}  full  partly  not`);
  for (const [kind, c] of Object.entries(r.kinds).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${kind.padEnd(width)}  ${String(c.full).padStart(4)}  ${String(c.partial).padStart(6)}  ${String(c.skipped).padStart(3)}`);
  }
  if (r.notes.length) {
    lines.push('', 'Left out or changed:');
    for (const n of r.notes) lines.push(`  - ${n}`);
  }
  return `${lines.join('\n')}\n`;
}
