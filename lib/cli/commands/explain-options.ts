/**
 * @module
 * `wayfinder explain`'s arguments and flags, parsed into `ExplainOptions` (the wiring is in
 * `explain.ts`).
 */
import { ExplainSubject, type PolicyPort } from "../../../functions/explain/schema.ts";
import { parseProtocolPort } from "../../desired/policy-ports.ts";
import { wholeNumber } from "../flag-values.ts";
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

export const EXPLAIN_COMMAND = {
  name: "explain",
  summary: "where a name, VIP, task or app's answers come from, and why something is missing",
  synopsis: ["explain name FQDN [SNAPSHOT] [flags]", "explain vip IP:PORT|NAME [SNAPSHOT] [flags]", "explain task ID [SNAPSHOT] [flags]", "explain app ID [SNAPSHOT] [flags]"],
  arguments: [
    ["FQDN", "a DNS name of a local zone; renamed forms (.dclb., .thisdcos.global, mesos.thisdcos.directory) are explained as the name they are answered from"],
    ["IP:PORT|NAME", "a VIP: 11.1.2.3:80, [fd01::1]:80 or a VIP name (web.marathon, or its .l4lb.thisdcos.directory name), optionally with /tcp or /udp"],
    ["ID", "a Mesos or Marathon task id, or a Marathon app id (/shop/web)"],
    ["SNAPSHOT", "a ClusterSnapshot file; without it (and without --source), the embedded demo cluster"],
  ],
  flags: {
    json: { type: "boolean", description: "print the explanation as JSON (the shape of GET /v1/explain/...)" },
    limit: { type: "string", value: "N", default: "50", description: "the most tasks an app explanation lists" },
    port: {
      type: "string",
      value: "PROTO/PORT",
      repeatable: true,
      defaultNote: "the task's host ports, then the ports the policy names (a few)",
      description: "task and app: the ports to list the network policy's decisions on (tcp, udp, sctp)",
    },
    source: {
      type: "string",
      value: "URL",
      description: "ask the control plane's stored generation instead: http://HOST:PORT/v1/clusters/NAME (WAYFINDER_TOKEN is sent as the bearer token)",
    },
  },
  notes: ["exit codes: 0 explained; 1 nothing matches (the closest matches are printed); 2 usage, unreadable input or an unreachable control plane."],
} as const satisfies CommandSpec;

export interface ExplainOptions {
  subject: ExplainSubject;
  query: string;
  snapshot?: string;
  source?: string;
  json: boolean;
  limit: number;
  /** Empty: the default ports. */
  ports: PolicyPort[];
}

/**
 * @example parseExplainOptions(["task", "web.1", "--json"]) // { subject: "task", query: "web.1", json: true, limit: 50, ports: [] }
 */
export function parseExplainOptions(args: readonly string[]): ExplainOptions {
  const { values, positionals } = parseFlags(EXPLAIN_COMMAND, args);
  const [subjectText, query, snapshot, extra] = positionals;
  const subject = ExplainSubject.safeParse(subjectText);
  if (!subject.success) {
    throw usageError("explain", `the first argument must be one of ${ExplainSubject.options.join(", ")} (got ${subjectText === undefined ? "nothing" : `'${subjectText}'`})`);
  }
  if (query === undefined || query.trim() === "") throw usageError("explain", `give the ${subject.data} to explain`);
  if (extra !== undefined) throw usageError("explain", `unexpected argument '${extra}'`);
  if (snapshot !== undefined && values.source !== undefined) throw usageError("explain", "give a SNAPSHOT file or --source, not both");
  return {
    subject: subject.data,
    query,
    ...(snapshot === undefined ? {} : { snapshot }),
    ...(values.source === undefined ? {} : { source: values.source }),
    json: values.json,
    limit: wholeNumber("explain", "--limit", values.limit, 0, 1000),
    ports: values.port.map((text) => {
      const port = parseProtocolPort(text);
      if (port === undefined) throw usageError("explain", `--port: '${text}' is not PROTO/PORT (tcp, udp or sctp; 1-65535), e.g. tcp/5432`);
      return port;
    }),
  };
}
