/**
 * @module
 * `wayfinder snapshot`: read payloads (Mesos `/master/state` or the operator API, Marathon
 * `/v2/apps`, `wayfinder.yaml`, the previous desired state) from files or from the live
 * components (`--mesos-state http://m1:5050,http://m2:5050`: the masters are tried in order
 * and the leader is followed; `--marathon-apps` URLs fail over likewise), and write one validated
 * ClusterSnapshot as canonical JSON. Everything is read and checked before anything is written,
 * and the output file is replaced atomically, so a failure (exit 2) leaves no partial file.
 * Hostnames are resolved here, in the shell, so the adapters stay pure.
 */
import { resolve } from "node:path";
import { z } from "zod";
import type { CliIo } from "../io.ts";
import { CliUsageError } from "../io.ts";
import { parseFlags } from "../args.ts";
import { readJson, readText } from "../files.ts";
import { resolveHostnames, withResolvedHosts } from "../../sources/resolve-hosts.ts";
import { InputError } from "../../snapshot/issues.ts";
import { buildSnapshot, type MesosSource } from "../../snapshot/build.ts";
import { readConfig } from "../config-input.ts";
import type { PreviousAllocations } from "../../snapshot/schema.ts";
import { previousFromDocument } from "../../snapshot/previous.ts";
import { splitJsonValues } from "../../snapshot/adapters/json-stream.ts";
import { fromOperatorState } from "../../snapshot/adapters/operator-state.ts";
import { snapshotFromMesosState } from "../../snapshot/adapters/mesos-state.ts";
import { fromMarathonApps } from "../../snapshot/adapters/marathon-apps.ts";
import { parseIp } from "../../net/ip-literal.ts";
import { splitHostPort } from "../../net/host-port.ts";
import { canonicalJsonPretty } from "../../net/canonical-json.ts";
import { writeFileDurably } from "../../executor/files/durable-write.ts";
import { EndpointError, isUrlList, parseBaseUrls } from "../../sources/endpoints.ts";
import { SourceError } from "../../sources/http-json.ts";
import { readMesosPart } from "../../sources/live-cluster.ts";
import { MARATHON_ENDPOINT_PATHS, MarathonApi } from "../../sources/marathon-api.ts";
import { MESOS_ENDPOINT_PATHS, MesosMasters } from "../../sources/mesos-masters.ts";

const OPTIONS = {
  "mesos-state": { type: "string" },
  "operator-state": { type: "string" },
  "marathon-apps": { type: "string" },
  config: { type: "string" },
  previous: { type: "string" },
  "overlay-release": { type: "string", multiple: true },
  "cluster-name": { type: "string" },
  master: { type: "string", multiple: true },
  now: { type: "string" },
  output: { type: "string", short: "o" },
  timeout: { type: "string" },
} as const;

const INPUT_FLAGS = ["mesos-state", "operator-state", "marathon-apps", "config", "previous"] as const;

const DEFAULT_CLUSTER_NAME = "default";

const IsoTime = z.iso.datetime({ offset: true });

/**
 * @example await run(["--operator-state", "state.json", "--master", "10.0.0.1:5050", "-o", "snap.json"], io) // 0
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags("snapshot", args, OPTIONS);
  if (positionals.length > 0) throw usage(`unexpected argument '${positionals[0]}' (inputs are given with flags)`);
  for (const flag of ["config", "previous"] as const) {
    if (isUrlList(values[flag] ?? "")) throw usage(`--${flag}: give a file; only --mesos-state, --operator-state and --marathon-apps read URLs`);
  }
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw usage(`--timeout: '${values.timeout}' is not a positive number of seconds`);
  if (values["mesos-state"] !== undefined && values["operator-state"] !== undefined) {
    throw usage("give either --mesos-state or --operator-state, not both");
  }
  const now = values.now ?? new Date().toISOString();
  if (!IsoTime.safeParse(now).success) throw usage(`--now: '${now}' is not an ISO 8601 time with a zone (2026-01-01T00:00:00Z)`);

  try {
    const masters = await resolveMasters(values.master ?? []);
    const config = await readConfig(values.config, io);
    const mesos = await readMesos(values, masters, io, timeoutMs);
    const marathonApps = await readMarathonApps(values["marathon-apps"], io, timeoutMs);
    const previousPath = values.previous;
    const previous = withOverlayReleases(previousPath === undefined ? {} : previousFromDocument(await readJson(previousPath, io), previousPath), values["overlay-release"] ?? []);
    const snapshot = buildSnapshot({
      clusterName: values["cluster-name"] ?? mesos?.clusterName ?? DEFAULT_CLUSTER_NAME,
      now,
      mesos: mesos?.part,
      marathonApps,
      config,
      previous,
    });
    await writeOutput(canonicalJsonPretty(snapshot), values.output, io);
    return 0;
  } catch (error) {
    if (error instanceof InputError || error instanceof EndpointError) throw new CliUsageError(error.message);
    if (error instanceof SourceError) {
      io.stderr(`wayfinder snapshot: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/**
 * `--overlay-release IP`: the nodes whose overlay allocations this snapshot releases (DC/OS's
 * `POST /overlay-master/agents/delete`). The reconciler refuses to release a node still present.
 */
function withOverlayReleases(previous: PreviousAllocations, ips: string[]): PreviousAllocations {
  if (ips.length === 0) return previous;
  const release = ips.map((ip) => {
    const parsed = parseIp(ip);
    if (parsed?.family !== 4) throw usage(`--overlay-release: '${ip}' is not an IPv4 address (overlay nodes are keyed by their underlay IPv4)`);
    return parsed.address;
  });
  return { ...previous, overlay: { ...previous.overlay, release: [...new Set([...(previous.overlay?.release ?? []), ...release])].sort() } };
}

function usage(message: string): CliUsageError {
  return new CliUsageError(`wayfinder snapshot: ${message}`);
}

type Flags = Partial<Record<(typeof INPUT_FLAGS)[number], string>>;

async function readMesos(values: Flags, masters: string[], io: CliIo, timeoutMs?: number): Promise<{ part: MesosSource; clusterName?: string } | undefined> {
  for (const api of ["state", "operator"] as const) {
    const flag = api === "state" ? "--mesos-state" : "--operator-state";
    const text = api === "state" ? values["mesos-state"] : values["operator-state"];
    if (text === undefined || !isUrlList(text)) continue;
    return readMesosPart(new MesosMasters(parseBaseUrls(text, flag, MESOS_ENDPOINT_PATHS[api]), { api, timeoutMs }), masters.length > 0 ? { masters } : {});
  }
  const mesosState = values["mesos-state"];
  if (mesosState !== undefined) {
    const document = await readJson(mesosState, io);
    const part = await withResolvedHosts((resolveHost) =>
      snapshotFromMesosState(document, { source: mesosState, resolveHost, masters: masters.length > 0 ? masters : undefined }),
    );
    const cluster = (document as { cluster?: unknown }).cluster;
    return { part, clusterName: typeof cluster === "string" && cluster !== "" ? cluster : undefined };
  }
  const operatorState = values["operator-state"];
  if (operatorState !== undefined) {
    const events = splitJsonValues(await readText(operatorState, io), operatorState);
    const payload = events.length === 1 ? events[0] : events;
    // SUBSCRIBE only answers on the leading master, so the first --master is taken as the leader.
    const leader = masters[0] === undefined ? "" : `master@${masters[0]}`;
    const part = await withResolvedHosts((resolveHost) => fromOperatorState(payload, { source: operatorState, resolveHost, leader, masters }));
    return { part };
  }
  return undefined;
}

async function readMarathonApps(text: string | undefined, io: CliIo, timeoutMs?: number) {
  if (text === undefined) return [];
  if (isUrlList(text)) return new MarathonApi(parseBaseUrls(text, "--marathon-apps", MARATHON_ENDPOINT_PATHS), { timeoutMs }).apps();
  return fromMarathonApps(await readJson(text, io), { source: text });
}

/** `host:port` entries with hostnames replaced by their first address (IPv4 preferred). */
async function resolveMasters(entries: readonly string[]): Promise<string[]> {
  const parsed = entries.map((entry) => {
    const hostPort = splitHostPort(entry);
    if (hostPort === undefined || hostPort.host === "") throw usage(`--master: '${entry}' is not host:port (e.g. 10.0.0.1:5050)`);
    return hostPort;
  });
  const table = await resolveHostnames(parsed.map((m) => m.host));
  return parsed.map(({ host, port }) => {
    const ips = (table.get(host) ?? [host]).map(parseIp).filter((ip) => ip !== undefined);
    const ip = ips.find((i) => i.family === 4) ?? ips[0];
    // An unresolvable name stays as given; the zones report it rather than drop the master.
    if (ip === undefined) return `${host}:${port}`;
    return ip.family === 6 ? `[${ip.address}]:${port}` : `${ip.address}:${port}`;
  });
}

async function writeOutput(text: string, output: string | undefined, io: CliIo): Promise<void> {
  if (output === undefined) {
    io.stdout(text);
    return;
  }
  try {
    await writeFileDurably(resolve(io.cwd, output), text);
  } catch (error) {
    throw new CliUsageError(`cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
