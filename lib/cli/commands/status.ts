/**
 * @module
 * `wayfinder status --source http://HOST:PORT/v1/clusters/NAME [--json] [--limit N]`: which
 * node runs what, from the control plane: nodes converged X of Y, the laggards (oldest report
 * first, never-reported last) and the failing appliers with an example error each. Exit 0 when
 * every node runs its current view and nothing fails, 1 otherwise (for scripts and deploy
 * gates), 2 for bad usage or an unreachable control plane.
 */
import { NodesSummary } from "../../http/node-convergence.ts";
import { canonicalJsonPretty } from "../../net/canonical-json.ts";
import { clusterBase, errorOf, getFromControlPlane } from "../control-plane.ts";
import { usageError } from "../flags.ts";
import type { CliIo } from "../io.ts";
import { parseStatusOptions } from "./status-options.ts";

/**
 * @example await run(["--source", "http://cp:8080/v1/clusters/prod"], io) // 0 when every node converged
 */
export async function run(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const options = parseStatusOptions(args);
  const url = `${clusterBase(options.source, "status")}/nodes?limit=${options.limit}`;
  const { status, value } = await getFromControlPlane(url, "status", env.WAYFINDER_TOKEN || undefined);
  if (status !== 200) throw usageError("status", `${url}: HTTP ${status}: ${errorOf(value)}`);
  const parsed = NodesSummary.safeParse(value);
  if (!parsed.success) throw usageError("status", `${url}: the answer is not a nodes summary (${parsed.error.issues[0]?.message})`);
  const summary = parsed.data;
  io.stdout(options.json ? canonicalJsonPretty(summary) : summaryText(summary));
  return summary.converged === summary.total && summary.failing.length === 0 ? 0 : 1;
}

/**
 * @example summaryText(summary) // "cluster prod  generation 7  desired 9f86d081e4a2b0c3\nnodes converged 38 of 40 ..."
 */
export function summaryText(s: NodesSummary): string {
  const lines = [`cluster ${s.cluster}  generation ${s.generation}  desired ${s.hash.slice(0, 16)}`];
  lines.push(`nodes converged ${s.converged} of ${s.total} (${s.reporting} reporting, ${s.silent} silent)`);
  if (s.laggards.length > 0) {
    const more = s.total - s.converged - s.laggards.length;
    lines.push(`laggards${more > 0 ? ` (first ${s.laggards.length} of ${s.total - s.converged})` : ""}:`);
    for (const l of s.laggards) {
      const applied = l.receivedAt === null ? "never reported" : `applied ${l.appliedHash?.slice(0, 16) ?? "nothing yet"}${l.appliedGeneration === null ? "" : ` (generation ${l.appliedGeneration})`}, reported ${l.receivedAt}`;
      lines.push(`  ${l.agentId} (${l.hostname})  ${applied}${l.silent && l.receivedAt !== null ? "  silent" : ""}`);
    }
  }
  if (s.failing.length > 0) {
    lines.push("failing appliers:");
    for (const f of s.failing) {
      lines.push(`  ${f.applier}  on ${f.nodes} node${f.nodes === 1 ? "" : "s"}`);
      for (const e of f.examples) lines.push(`    ${e.agentId}: ${e.stage === undefined ? "" : `${e.stage}: `}${e.error ?? ""}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
