/**
 * @module
 * One way to print benchmark results: our figure, the peer's figure and the ratio on one line,
 * and a note saying where the peer's figure comes from (measured in this run, or an anchor).
 */

export interface BenchRow {
  case: string;
  ours: number;
  peer?: number;
  unit: string;
  /** How the peer figure was obtained: "measured" (same run) or "anchor: <source>". */
  peerSource?: string;
  /** For "lower is better" units (ms, MiB) the ratio is peer/ours; for rates, ours/peer. */
  higherIsBetter?: boolean;
  extra?: string;
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** Prints rows as an aligned table; the ratio is always "how many times better we are". */
export function printRows(title: string, rows: BenchRow[]): void {
  console.log(`\n${title}`);
  for (const r of rows) {
    const ratio = r.peer === undefined ? "" : `  ratio ${fmt(r.higherIsBetter ? r.ours / r.peer : r.peer / r.ours)}x`;
    const peer = r.peer === undefined ? "" : `  peer ${fmt(r.peer)} ${r.unit} (${r.peerSource ?? "measured"})`;
    console.log(`  ${r.case.padEnd(34)} ours ${fmt(r.ours).padStart(8)} ${r.unit}${peer}${ratio}${r.extra ? `  ${r.extra}` : ""}`);
  }
}
