/**
 * @module
 * "Did you mean": the known subjects closest to an unknown one. The candidate lists are
 * large (every task id, every name of a zone), so the edit distance is bounded: a diagonal
 * band of width 2k+1, abandoned as soon as a whole row exceeds k, which makes a miss cost a
 * few dozen steps per candidate instead of |a|·|b|.
 */
import { compareStrings } from "../../lib/net/compare.ts";

/**
 * The Levenshtein distance of `a` and `b` if it is at most `max`, else undefined.
 * @example editDistanceWithin("web.marathon", "wbe.marathon", 2) // 2
 * @example editDistanceWithin("web", "database", 2) // undefined
 */
export function editDistanceWithin(a: string, b: string, max: number): number | undefined {
  if (Math.abs(a.length - b.length) > max) return undefined;
  if (a === b) return 0;
  const width = b.length + 1;
  let previous = new Array<number>(width);
  let current = new Array<number>(width);
  const far = max + 1;
  for (let j = 0; j < width; j++) previous[j] = j <= max ? j : far;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - max);
    const to = Math.min(b.length, i + max);
    current[0] = i <= max ? i : far;
    if (from > 1) current[from - 1] = far;
    let rowMin = current[0]!;
    for (let j = from; j <= to; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(previous[j - 1]! + cost, previous[j]! + 1, current[j - 1]! + 1, far);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (to < b.length) current[to + 1] = far;
    if (rowMin > max) return undefined;
    [previous, current] = [current, previous];
  }
  const distance = previous[b.length]!;
  return distance <= max ? distance : undefined;
}

/**
 * Up to `limit` candidates nearest to `query`: within an edit distance of about a quarter of
 * its length (at least 2), then those that contain it, each group nearest and then
 * alphabetically first. Case is ignored, as DNS ignores it.
 * @example closestMatches("wbe.1", ["web.1", "web.2", "db.1"]) // ["web.1", "web.2"]
 */
export function closestMatches(query: string, candidates: Iterable<string>, limit = 5): string[] {
  const wanted = query.toLowerCase();
  const max = Math.max(2, Math.floor(wanted.length / 4));
  const scored: Array<[number, string]> = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate)) continue;
    const text = candidate.toLowerCase();
    const distance = editDistanceWithin(wanted, text, max);
    const score = distance ?? (wanted.length > 0 && text.includes(wanted) ? max + 1 + text.length - wanted.length : undefined);
    if (score === undefined) continue;
    seen.add(candidate);
    scored.push([score, candidate]);
  }
  scored.sort((x, y) => x[0] - y[0] || compareStrings(x[1], y[1]));
  return scored.slice(0, limit).map(([, candidate]) => candidate);
}
