/** Edit distance (optimal string alignment: a swap of two neighbours is one edit), a change of case counted as half an edit. */
function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const ca = a[i - 1]!;
      const cb = b[j - 1]!;
      const sub = ca === cb ? 0 : ca.toLowerCase() === cb.toLowerCase() ? 0.5 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + sub);
      if (i > 1 && j > 1 && ca === b[j - 2] && a[i - 2] === cb) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[m]![n]!;
}

/**
 * The name among `candidates` nearest to `name`, when near enough to be a slip
 * of the keyboard (at most a third of the name's length, at least one edit, and never
 * the whole name),
 * and not tied with another candidate.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  // A qualified name's module is rarely the slip: the limit follows the name's last part.
  const short = name.slice(name.lastIndexOf('.') + 1);
  const limit = Math.min(short.length - 1, Math.max(1, Math.floor(short.length / 3)));
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const c of new Set(candidates)) {
    if (c === name) continue;
    const d = editDistance(name, c);
    if (d < bestD) {
      best = c;
      bestD = d;
      tie = false;
    } else if (d === bestD) tie = true;
  }
  return best !== undefined && bestD <= limit && !tie ? best : undefined;
}
