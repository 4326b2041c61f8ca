/**
 * @module
 * `wayfinder policy explain|matrix [SNAPSHOT]`: the network policy's answers on the command
 * line. `explain` names the verdict and what decided it (the rule, `network:<name>`,
 * `app:<id>` or `default`) for every pair of addresses of the two sides; `matrix` prints the
 * truth table, or with `--previous` only the cells a change opens or closes, before it is
 * applied anywhere.
 */
import { explanationSummary, policyQuestions, type PolicyQuestions } from "../../../functions/policy/questions.ts";
import { matrixChanges, type Explanation, type MatrixCell, type MatrixChange, type MatrixPort } from "../../../functions/policy/matrix.ts";
import { canonicalJsonPretty } from "../../net/canonical-json.ts";
import { usageError } from "../flags.ts";
import type { CliIo } from "../io.ts";
import { loadSnapshot } from "../snapshot-input.ts";
import { parsePolicyOptions } from "./policy-options.ts";

/** @example await run(["explain", "snap.json", "--from", "/web", "--to", "/db", "--port", "tcp/5432"], io) // 0 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const options = parsePolicyOptions(args);
  const questions = await questionsOf(options.snapshot, io);
  if (!questions.configured) io.stderr("wayfinder policy: the snapshot's config has no policy section: every connection is open\n");
  if (options.question === "explain") {
    const { protocol, port } = options.port;
    const answer = questions.explain(options.from, options.to, protocol, port);
    if ("unknown" in answer) throw usageError("policy", `'${answer.unknown}' is no app id, task id, agent id or IP of the snapshot`);
    io.stdout(options.json ? canonicalJsonPretty(explanationSummary(answer)) : explanationText(answer));
    return answer.verdict === "allow" ? 0 : 1;
  }
  const ports = options.ports.length > 0 ? options.ports : questions.namedPorts();
  if (ports.length === 0) throw usageError("policy", "the policy names no port; ask with --port PROTO/PORT");
  const cells = questions.matrix(ports);
  if (options.previous === undefined) {
    io.stdout(options.json ? canonicalJsonPretty({ ports, cells }) : matrixText(cells, ports));
    return 0;
  }
  const changes = matrixChanges((await questionsOf(options.previous, io)).matrix(ports), cells);
  io.stdout(options.json ? canonicalJsonPretty({ ports, changes }) : changesText(changes));
  return 0;
}

async function questionsOf(path: string | undefined, io: CliIo): Promise<PolicyQuestions> {
  const { snapshot, desired } = await loadSnapshot(path, io);
  return policyQuestions(snapshot, desired);
}

function explanationText(answer: Explanation): string {
  const head = `${answer.from} → ${answer.to} ${answer.protocol}/${answer.port}: `;
  if (answer.pairs.length === 0) return `${head}${answer.by[0] === "no-policy" ? "allow (no policy configured)" : "no address of the destination takes that port"}\n`;
  const lines = answer.pairs.map((p) => `  ${p.from} → ${p.to}: ${p.verdict} by ${p.by} (${p.tier})`);
  const summary = answer.verdict === "mixed" ? "mixed (see each pair)" : `${answer.verdict} by ${answer.by.join(", ")}`;
  return `${head}${summary}\n${lines.join("\n")}\n`;
}

/** One table per port: sources down, destinations across, `allow`/`deny`/`mixed`. */
function matrixText(cells: readonly MatrixCell[], ports: readonly MatrixPort[]): string {
  const out: string[] = [];
  for (const { protocol, port } of ports) {
    const mine = cells.filter((c) => c.protocol === protocol && c.port === port);
    const rows = [...new Set(mine.map((c) => c.from))];
    const cols = [...new Set(mine.map((c) => c.to))];
    const width = Math.max(4, ...rows.map((r) => r.length));
    out.push(`${protocol}/${port}`, `  ${"from \\ to".padEnd(width)}  ${cols.join("  ")}`);
    for (const row of rows) {
      const line = cols.map((col) => (mine.find((c) => c.from === row && c.to === col)?.verdict ?? "-").padEnd(col.length));
      out.push(`  ${row.padEnd(width)}  ${line.join("  ")}`);
    }
    out.push("");
  }
  return `${out.join("\n")}`;
}

function changesText(changes: readonly MatrixChange[]): string {
  if (changes.length === 0) return "no connection changes verdict\n";
  const word = (c: MatrixChange) => (c.after === "allow" ? "opens " : c.before === "allow" ? "closes" : "changes");
  return `${changes.map((c) => `${word(c)} ${c.from} → ${c.to} ${c.protocol}/${c.port}: ${c.before} → ${c.after}${c.after === "absent" ? "" : ` (by ${c.by.join(", ")})`}`).join("\n")}\n`;
}
