/**
 * @module
 * Diagnostics on the command line: `--fail-on error|warning` (for `plan` and `render`, so a
 * pipeline can stop on a bad snapshot) and the summary that keeps a 20k-task cluster's
 * diagnostics readable: counts per code and the first few of each, `--diagnostics all` for
 * every line.
 */
import type { Diagnostic } from "../desired/schema.ts";
import { compareStrings } from "../net/compare.ts";
import type { FlagSpec } from "./flags.ts";

/** The levels `--fail-on` takes, most severe first. */
export const FAIL_ON_LEVELS = ["error", "warning"] as const;
export type FailOnLevel = (typeof FAIL_ON_LEVELS)[number];

export const FAIL_ON_FLAG = {
  type: "string",
  value: "LEVEL",
  choices: FAIL_ON_LEVELS,
  defaultNote: "never",
  description: "exit 1 when the desired state has a diagnostic of LEVEL or more severe (warning includes error)",
} as const satisfies FlagSpec;

/** How many diagnostics of one code the summary shows. */
export const DIAGNOSTICS_SHOWN_PER_CODE = 3;

const SEVERITY: Record<Diagnostic["level"], number> = { error: 0, warning: 1, info: 2 };

/**
 * The diagnostics at `level` or more severe.
 * @example failingDiagnostics(desired.diagnostics, "error").length // 2
 */
export function failingDiagnostics(diagnostics: readonly Diagnostic[], level: FailOnLevel): Diagnostic[] {
  return diagnostics.filter((d) => SEVERITY[d.level] <= SEVERITY[level]);
}

/**
 * `wayfinder plan: 2 diagnostics at level error or more severe (--fail-on error)`: the line a
 * failing `--fail-on` prints on stderr, or undefined when nothing fails.
 * @example failOnMessage("plan", desired.diagnostics, "warning")
 */
export function failOnMessage(command: string, diagnostics: readonly Diagnostic[], level: FailOnLevel | undefined): string | undefined {
  if (level === undefined) return undefined;
  const failing = failingDiagnostics(diagnostics, level).length;
  if (failing === 0) return undefined;
  const scope = level === "error" ? "at level error" : "at level warning or error";
  return `wayfinder ${command}: ${failing} diagnostic${failing === 1 ? "" : "s"} ${scope} (--fail-on ${level})`;
}

/**
 * The diagnostics as summary lines: one heading per code (most severe level first, then by
 * code) with its count, then the first `perCode` of that code; `perCode` Infinity lists all.
 * @example diagnosticLines(desired.diagnostics, 3)
 * // ["  error    l4lb.invalid-vip-label  1", "      task:web.1  VIP label \"x\" on port tcp/80: ...", ...]
 */
export function diagnosticLines(diagnostics: readonly Diagnostic[], perCode: number): string[] {
  const byCode = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const key = `${SEVERITY[d.level]} ${d.level} ${d.code}`;
    const list = byCode.get(key);
    if (list === undefined) byCode.set(key, [d]);
    else list.push(d);
  }
  const out: string[] = [];
  for (const key of [...byCode.keys()].sort(compareStrings)) {
    const list = byCode.get(key)!;
    const { level, code } = list[0]!;
    out.push(`  ${level.padEnd(8)} ${code}  ${list.length}`);
    for (const d of list.slice(0, perCode)) out.push(`      ${d.subject}  ${d.message}`);
    if (list.length > perCode) out.push(`      ... ${list.length - perCode} more (--diagnostics all lists them)`);
  }
  return out;
}
