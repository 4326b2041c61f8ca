/**
 * @module
 * The policy part of `explain task` and `explain app`: what may reach the subject and what it
 * may reach, per port, grouped by what decided (the tier and the rule, `network:<name>`,
 * `app:<id>` or `default`) with the peers each decision covers, and whether its network's
 * attach ACL quarantined it. The verdicts are the policy questions' own
 * (`functions/policy/questions.ts`, in the context): nothing here decides.
 */
import { compareStrings } from "../../lib/net/compare.ts";
import type { ExplainContext } from "./context.ts";
import type { PolicyCell, PolicyDecisionGroup, PolicyPort, Reason, SubjectPolicy } from "./schema.ts";

/** Peers named per decision; the rest are counted. */
export const PEER_LIMIT = 10;

const VERDICT_ORDER = { allow: 0, mixed: 1, deny: 2 } as const;

/**
 * `party` is a name the policy questions resolve: a task id or an app id. `reasons` are the
 * subject's quarantines, said first. `ports` absent: the policy questions' default ports.
 * @example subjectPolicy(context, "/bank/db", []).inbound[0] // { port: 5432, verdict: "allow", tier: "admin", by: "web-to-db", peers: ["/shop/web"], total: 1, ... }
 */
export function subjectPolicy(context: ExplainContext, party: string, reasons: Reason[], ports?: readonly PolicyPort[]): SubjectPolicy {
  const answers = context.policy;
  if (!answers.configured) return { configured: false, reasons, ports: [], portsLeftOut: [], inbound: [], outbound: [] };
  const around = answers.around(party, ports);
  if ("unknown" in around) {
    const absent: Reason = { message: "it has no address on any network (not running, or not in the Mesos state): the policy has nothing to decide about it" };
    return { configured: true, reasons: [...reasons, absent], ports: [], portsLeftOut: [], inbound: [], outbound: [] };
  }
  return {
    configured: true,
    reasons,
    ports: around.ports,
    portsLeftOut: around.portsLeftOut,
    inbound: decisionGroups(around.inbound, (cell) => cell.from, around.ports),
    outbound: decisionGroups(around.outbound, (cell) => cell.to, around.ports),
  };
}

/** Cells grouped per port (in the order asked) and decision: allow, mixed, deny, then by name. */
function decisionGroups(cells: readonly PolicyCell[], peerOf: (cell: PolicyCell) => string, ports: readonly PolicyPort[]): PolicyDecisionGroup[] {
  const groups = new Map<string, PolicyDecisionGroup>();
  for (const cell of cells) {
    const verdict = cell.mixed ? "mixed" : cell.verdict;
    const key = JSON.stringify([cell.protocol, cell.port, verdict, cell.tier, cell.by]);
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { protocol: cell.protocol, port: cell.port, verdict, tier: cell.tier, by: cell.by, peers: [], total: 0 }));
    if (group.peers.length < PEER_LIMIT) group.peers.push(peerOf(cell));
    group.total += 1;
  }
  const portIndex = new Map(ports.map((p, i) => [`${p.protocol}/${p.port}`, i]));
  return [...groups.values()].sort(
    (a, b) =>
      portIndex.get(`${a.protocol}/${a.port}`)! - portIndex.get(`${b.protocol}/${b.port}`)! ||
      VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] ||
      compareStrings(a.by, b.by),
  );
}
