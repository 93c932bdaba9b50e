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
  /** `kind where` -> status of each unit, so that a later downgrade moves exactly that unit. */
  private readonly status = new Map<string, { kind: string; status: 'full' | 'partial' | 'skipped' }>();

  constructor(source: string, format: string, mendixVersion: string | undefined) {
    this.report = { source, format, mendixVersion, kinds: {}, notes: [] };
  }

  private set(kind: string, where: string, status: 'full' | 'partial' | 'skipped'): void {
    const key = `${kind} ${where}`;
    const prev = this.status.get(key);
    const rank = { full: 0, partial: 1, skipped: 2 };
    if (prev && rank[prev.status] >= rank[status]) return;
    this.status.set(key, { kind, status });
    const counts: ImportReport['kinds'] = {};
    for (const { kind: k, status: st } of this.status.values()) {
      counts[k] ??= { full: 0, partial: 0, skipped: 0 };
      counts[k][st === 'full' ? 'full' : st === 'partial' ? 'partial' : 'skipped']++;
    }
    this.report.kinds = counts;
  }

  /** Counts one unit of `kind`: full when it had no notes, partial when it had. */
  count(kind: string, notes: readonly string[], where: string): void {
    this.set(kind, where, notes.length ? 'partial' : 'full');
    for (const n of notes) this.report.notes.push(`${kind} ${where}: ${n}`);
  }

  /** A whole unit that was not imported. */
  skip(kind: string, where: string, why: string): void {
    this.set(kind, where, 'skipped');
    this.report.notes.push(`${kind} ${where}: not imported: ${why}`);
  }

  /** The model check found a problem in an imported unit later: it becomes partial, or (`leftOut`) not imported. */
  downgrade(kind: string, where: string, note: string, leftOut = false): void {
    this.set(kind, where, leftOut ? 'skipped' : 'partial');
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
