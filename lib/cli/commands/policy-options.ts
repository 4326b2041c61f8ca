/**
 * @module
 * `wayfinder policy`'s flags and their parsing into `PolicyOptions` (the wiring is in
 * `policy.ts`): two subcommands, `explain` (one connection) and `matrix` (the truth table).
 */
import type { MatrixPort } from "../../../functions/policy/matrix.ts";
import { parseProtocolPort } from "../../desired/policy-ports.ts";
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

export const POLICY_COMMAND = {
  name: "policy",
  summary: "why one connection is allowed or denied, and the truth table of apps × apps × ports",
  synopsis: ["policy explain [SNAPSHOT] --from X --to Y --port PROTO/PORT [--json]", "policy matrix [SNAPSHOT] [--port PROTO/PORT]... [--previous SNAPSHOT] [--json]"],
  arguments: [
    ["explain | matrix", "the question"],
    ["SNAPSHOT", "a ClusterSnapshot file; without it, the embedded demo cluster"],
  ],
  flags: {
    from: { type: "string", value: "X", description: "explain: the source, an app id (/shop/web), a task id, an agent id (node:ID) or an IP" },
    to: { type: "string", value: "Y", description: "explain: the destination, named as --from" },
    port: {
      type: "string",
      value: "PROTO/PORT",
      repeatable: true,
      defaultNote: "matrix: the ports the rules and app labels name",
      description: "the protocol (tcp, udp, sctp) and port: once for explain, any number of times for matrix",
    },
    previous: { type: "string", value: "SNAPSHOT", description: "matrix: print only what changes from this snapshot's matrix (what the new one opens and closes): a dry run" },
    json: { type: "boolean", description: "print the answer as JSON (explain: verdict, by, tier, pairs)" },
  },
  notes: [
    "Every source of X is judged against every destination of Y, as the nodes' nftables tables judge them: admin rules, network isolation, app labels, default.",
    "exit codes: explain 0 allowed, 1 denied (for any pair); matrix 0; 2 usage or unreadable input.",
  ],
} as const satisfies CommandSpec;

export type PolicyOptions =
  | { question: "explain"; snapshot?: string; from: string; to: string; port: MatrixPort; json: boolean }
  | { question: "matrix"; snapshot?: string; ports: MatrixPort[]; previous?: string; json: boolean };

/**
 * @example parsePolicyOptions(["explain", "--from", "/web", "--to", "/db", "--port", "tcp/5432"]).question // "explain"
 */
export function parsePolicyOptions(args: readonly string[]): PolicyOptions {
  const { values, positionals } = parseFlags(POLICY_COMMAND, args);
  const [question, snapshot, extra] = positionals;
  if (question !== "explain" && question !== "matrix") throw usageError("policy", "say what to ask: 'explain' or 'matrix'");
  if (extra !== undefined) throw usageError("policy", "at most one SNAPSHOT argument");
  const ports = values.port.map(parsePort);
  const file = snapshot === undefined ? {} : { snapshot };
  if (question === "matrix") {
    if (values.from !== undefined || values.to !== undefined) throw usageError("policy", "matrix takes no --from or --to (it asks about every app)");
    return { question, ...file, ports, ...(values.previous === undefined ? {} : { previous: values.previous }), json: values.json };
  }
  if (values.from === undefined || values.to === undefined) throw usageError("policy", "explain needs --from X and --to Y");
  if (ports.length !== 1) throw usageError("policy", "explain needs one --port PROTO/PORT");
  if (values.previous !== undefined) throw usageError("policy", "--previous is for matrix");
  return { question, ...file, from: values.from, to: values.to, port: ports[0]!, json: values.json };
}

/** `tcp/5432` → `{ protocol: "tcp", port: 5432 }`, or a usage error naming the value. */
function parsePort(text: string): MatrixPort {
  const port = parseProtocolPort(text);
  if (port === undefined) throw usageError("policy", `--port: '${text}' is not PROTO/PORT (tcp, udp or sctp; 1-65535), e.g. tcp/5432`);
  return port;
}
