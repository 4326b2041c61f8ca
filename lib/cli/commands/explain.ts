/**
 * @module
 * `wayfinder explain name|vip|task|app QUERY [SNAPSHOT] [--json] [--limit N] [--source URL]`:
 * where an answer comes from and why something is missing, from a snapshot file (default:
 * the embedded demo cluster) or, with `--source http://HOST:PORT/v1/clusters/NAME`, from the
 * control plane's stored generation. Exit 0 when the subject is found, 1 when it is not (the
 * closest matches are printed), 2 for bad usage or input.
 */
import { Explanation, ExplainSubject } from "../../../functions/explain/schema.ts";
import { OperatorView } from "../../http/operator-view.ts";
import { canonicalJsonPretty } from "../../net/canonical-json.ts";
import { ClusterSnapshot } from "../../snapshot/schema.ts";
import { parseFlags } from "../args.ts";
import { clusterBase, errorOf, getFromControlPlane } from "../control-plane.ts";
import { explanationText } from "../explain-text.ts";
import { readJson, validate } from "../files.ts";
import { CliUsageError, type CliIo } from "../io.ts";
import { DEMO_SNAPSHOT_PATH } from "../snapshot-input.ts";

const FLAGS = {
  json: { type: "boolean" },
  limit: { type: "string" },
  source: { type: "string" },
} as const;

/**
 * @example await run(["task", "web.1", "snap.json"], io) // 0, prints what web.1 produced
 */
export async function run(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseFlags("explain", args, FLAGS);
  const [subjectText, query, file, extra] = positionals;
  const subject = ExplainSubject.safeParse(subjectText);
  if (!subject.success) throw usage(`the first argument must be one of ${ExplainSubject.options.join(", ")} (got ${subjectText === undefined ? "nothing" : `'${subjectText}'`})`);
  if (query === undefined || query.trim() === "") throw usage(`give the ${subject.data} to explain`);
  if (extra !== undefined) throw usage(`unexpected argument '${extra}'`);
  if (file !== undefined && values.source !== undefined) throw usage("give a SNAPSHOT file or --source, not both");
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0 && /^\d+$/.test(values.limit!))) throw usage(`--limit: '${values.limit}' is not a whole number`);

  const explained =
    values.source === undefined
      ? await fromSnapshot(subject.data, query, file, limit, io)
      : await fromControlPlane(subject.data, query, values.source, limit, env.WAYFINDER_TOKEN);
  io.stdout(values.json ? canonicalJsonPretty(explained) : explanationText(explained));
  return explained.kind === "not-found" ? 1 : 0;
}

async function fromSnapshot(subject: ExplainSubject, query: string, file: string | undefined, limit: number | undefined, io: CliIo): Promise<Explanation> {
  const snapshot = validate(ClusterSnapshot, await readJson(file ?? DEMO_SNAPSHOT_PATH, io), file ?? "demo snapshot");
  const view = OperatorView.reconcile(snapshot);
  return view.explain(subject, query, limit === undefined ? {} : { limit });
}

async function fromControlPlane(subject: ExplainSubject, query: string, source: string, limit: number | undefined, token: string | undefined): Promise<Explanation> {
  const path = query.trim().split("/").map(encodeURIComponent).join("/");
  const url = `${clusterBase(source, "explain")}/explain/${subject}/${path}${limit === undefined ? "" : `?limit=${limit}`}`;
  const { status, value } = await getFromControlPlane(url, "explain", token);
  if (status !== 200 && status !== 404) throw usage(`${url}: HTTP ${status}: ${errorOf(value)}`);
  const { error: _error, ...body } = value as Record<string, unknown>;
  const parsed = Explanation.safeParse(body);
  if (!parsed.success) throw usage(`${url}: HTTP ${status}: ${errorOf(value)}`);
  return parsed.data;
}

function usage(message: string): CliUsageError {
  return new CliUsageError(`wayfinder explain: ${message}`);
}
