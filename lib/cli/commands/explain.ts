/**
 * @module
 * `wayfinder explain name|vip|task|app QUERY [SNAPSHOT] [--json] [--limit N] [--source URL]`:
 * where an answer comes from and why something is missing, from a snapshot file (default:
 * the embedded demo cluster) or, with `--source http://HOST:PORT/v1/clusters/NAME`, from the
 * control plane's stored generation. Exit 0 when the subject is found, 1 when it is not (the
 * closest matches are printed), 2 for bad usage or input.
 */
import { Explanation, type ExplainSubject } from "../../../functions/explain/schema.ts";
import { OperatorView } from "../../http/operator-view.ts";
import { canonicalJsonPretty } from "../../net/canonical-json.ts";
import { ClusterSnapshot } from "../../snapshot/schema.ts";
import { clusterBase, errorOf, getFromControlPlane } from "../control-plane.ts";
import { explanationText } from "../explain-text.ts";
import { readJson, validate } from "../files.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../flags.ts";
import { parseExplainOptions, type ExplainOptions } from "./explain-options.ts";
import { DEMO_SNAPSHOT_PATH } from "../snapshot-input.ts";

/**
 * @example await run(["task", "web.1", "snap.json"], io) // 0, prints what web.1 produced
 */
export async function run(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const options = parseExplainOptions(args);
  const { subject, query } = options;
  const explained =
    options.source === undefined ? await fromSnapshot(subject, query, options.snapshot, options, io) : await fromControlPlane(subject, query, options.source, options, env.WAYFINDER_TOKEN);
  io.stdout(options.json ? canonicalJsonPretty(explained) : explanationText(explained));
  return explained.kind === "not-found" ? 1 : 0;
}

/** How much to say: the app's task limit, the policy's ports (none: the default ones). */
type Detail = Pick<ExplainOptions, "limit" | "ports">;

async function fromSnapshot(subject: ExplainSubject, query: string, file: string | undefined, detail: Detail, io: CliIo): Promise<Explanation> {
  const snapshot = validate(ClusterSnapshot, await readJson(file ?? DEMO_SNAPSHOT_PATH, io), file ?? "demo snapshot");
  return OperatorView.reconcile(snapshot).explain(subject, query, { limit: detail.limit, ...(detail.ports.length === 0 ? {} : { ports: detail.ports }) });
}

async function fromControlPlane(subject: ExplainSubject, query: string, source: string, detail: Detail, token: string | undefined): Promise<Explanation> {
  const path = query.trim().split("/").map(encodeURIComponent).join("/");
  const params = new URLSearchParams([["limit", String(detail.limit)], ...detail.ports.map((p): [string, string] => ["port", `${p.protocol}/${p.port}`])]);
  const url = `${clusterBase(source, "explain")}/explain/${subject}/${path}?${params}`;
  const { status, value } = await getFromControlPlane(url, "explain", token);
  if (status !== 200 && status !== 404) throw usageError("explain", `${url}: HTTP ${status}: ${errorOf(value)}`);
  const { error: _error, ...body } = value as Record<string, unknown>;
  const parsed = Explanation.safeParse(body);
  if (!parsed.success) throw usageError("explain", `${url}: HTTP ${status}: ${errorOf(value)}`);
  return parsed.data;
}
