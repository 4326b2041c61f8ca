/**
 * @module
 * The text form of a Mesos `RANGES` resource as `/master/state` renders `resources.ports`:
 * `"[31000-31001, 31005-31005]"`. mesos-dns cut it apart with `strings.Split` and ignored
 * `Atoi` errors, so garbage silently became port 0; here garbage is reported instead.
 */
import type { PortRange } from "../schema.ts";

const RANGE = /^\s*(\d{1,10})\s*(?:-\s*(\d{1,10})\s*)?$/;

/**
 * Parses a ports resource. `""` and `"[]"` hold no ports; a lone number `n` is the range n–n.
 * Returns `undefined` when the text is not a bracketed, comma-separated list of ranges.
 * Ranges are returned as written (begin > end or out-of-range ports are the consumer's to judge).
 * @example parsePortRanges("[31000-31001, 31005-31005]") // [{ begin: 31000, end: 31001 }, { begin: 31005, end: 31005 }]
 * @example parsePortRanges("31000") // undefined
 */
export function parsePortRanges(text: string): PortRange[] | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  if (!trimmed.startsWith("[") || !trimmed.endsWith("]")) return undefined;
  const body = trimmed.slice(1, -1);
  if (body.trim() === "") return [];
  const ranges: PortRange[] = [];
  for (const part of body.split(",")) {
    const m = RANGE.exec(part);
    if (m === null) return undefined;
    const begin = Number(m[1]);
    ranges.push({ begin, end: m[2] === undefined ? begin : Number(m[2]) });
  }
  return ranges;
}
