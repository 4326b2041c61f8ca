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
import type { CliIo } from "../io.ts";
import { CliUsageError } from "../io.ts";
import { readJson, readText } from "../files.ts";
import { resolveHostnames, withResolvedHosts } from "../../sources/resolve-hosts.ts";
import { InputError } from "../../snapshot/issues.ts";
import { buildSnapshot, type MesosSource } from "../../snapshot/build.ts";
import { readConfig } from "../config-input.ts";
import type { ClusterSnapshot, PreviousAllocations } from "../../snapshot/schema.ts";
import { previousFromDocument } from "../../snapshot/previous.ts";
import { splitJsonValues } from "../../snapshot/adapters/json-stream.ts";
import { fromOperatorState } from "../../snapshot/adapters/operator-state.ts";
import { snapshotFromMesosState } from "../../snapshot/adapters/mesos-state.ts";
import { fromMarathonApps } from "../../snapshot/adapters/marathon-apps.ts";
import { parseIp } from "../../net/ip-literal.ts";
import { canonicalJsonPretty } from "../../net/canonical-json.ts";
import { writeFileDurably } from "../../executor/files/durable-write.ts";
import { EndpointError, isUrlList, parseBaseUrls } from "../../sources/endpoints.ts";
import { SourceError } from "../../sources/http-json.ts";
import { readMesosPart } from "../../sources/live-cluster.ts";
import { MARATHON_ENDPOINT_PATHS, MarathonApi } from "../../sources/marathon-api.ts";
import { MESOS_ENDPOINT_PATHS, MesosMasters } from "../../sources/mesos-masters.ts";
import { parseSnapshotOptions, type MesosInput, type SnapshotOptions } from "./snapshot-options.ts";

const DEFAULT_CLUSTER_NAME = "default";

/**
 * @example await run(["--operator-state", "state.json", "--master", "10.0.0.1:5050", "-o", "snap.json"], io) // 0
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const options = parseSnapshotOptions(args);
  try {
    const snapshot = await readSnapshot(options, io);
    await writeOutput(canonicalJsonPretty(snapshot), options.output, io);
    io.stderr(`${summaryLine(snapshot, options.output)}\n`);
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

/** Reads every input the options name (files, URLs, names to resolve) and builds the validated snapshot. */
async function readSnapshot(options: SnapshotOptions, io: CliIo): Promise<ClusterSnapshot> {
  const { timeoutMs } = options;
  const masters = await resolveMasters(options.masters);
  const config = await readConfig(options.configPath, io);
  const mesos = options.mesos === undefined ? undefined : await readMesos(options.mesos, masters, io, timeoutMs);
  const marathonApps = await readMarathonApps(options.marathonApps, io, timeoutMs);
  const previousPath = options.previousPath;
  const previous = previousPath === undefined ? {} : previousFromDocument(await readJson(previousPath, io), previousPath);
  return buildSnapshot({
    clusterName: options.clusterName ?? mesos?.clusterName ?? DEFAULT_CLUSTER_NAME,
    now: options.now ?? new Date().toISOString(),
    mesos: mesos?.part ?? mastersOnly(masters),
    marathonApps,
    config,
    previous: withOverlayReleases(previous, options.overlayRelease),
  });
}

/**
 * The line `snapshot` prints on stderr once the snapshot is written.
 * @example summaryLine(snapshot, "snap.json") // "wayfinder snapshot: 4 agents, 3 frameworks, 15 tasks, 4 Marathon apps; written to snap.json"
 */
export function summaryLine(snapshot: ClusterSnapshot, output: string | undefined): string {
  const counts = [
    count(snapshot.agents.length, "agent"),
    count(snapshot.frameworks.length, "framework"),
    count(snapshot.tasks.length, "task"),
    count(snapshot.marathonApps.length, "Marathon app"),
  ];
  return `wayfinder snapshot: ${counts.join(", ")}; written to ${output ?? "stdout"}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * `--overlay-release IP`: the nodes whose overlay allocations this snapshot releases (DC/OS's
 * `POST /overlay-master/agents/delete`). The reconciler refuses to release a node still present.
 */
function withOverlayReleases(previous: PreviousAllocations, release: string[]): PreviousAllocations {
  if (release.length === 0) return previous;
  return { ...previous, overlay: { ...previous.overlay, release: [...new Set([...(previous.overlay?.release ?? []), ...release])].sort() } };
}

async function readMesos(input: MesosInput, masters: string[], io: CliIo, timeoutMs: number): Promise<{ part: MesosSource; clusterName?: string }> {
  const { api, flag, text } = input;
  if (isUrlList(text)) {
    return readMesosPart(new MesosMasters(parseBaseUrls(text, flag, MESOS_ENDPOINT_PATHS[api]), { api, timeoutMs }), masters.length > 0 ? { masters } : {});
  }
  if (api === "state") {
    const document = await readJson(text, io);
    const part = await withResolvedHosts((resolveHost) => snapshotFromMesosState(document, { source: text, resolveHost, masters: masters.length > 0 ? masters : undefined }));
    const cluster = (document as { cluster?: unknown }).cluster;
    return { part, clusterName: typeof cluster === "string" && cluster !== "" ? cluster : undefined };
  }
  const events = splitJsonValues(await readText(text, io), text);
  const payload = events.length === 1 ? events[0] : events;
  const leader = leaderOf(masters);
  return { part: await withResolvedHosts((resolveHost) => fromOperatorState(payload, { source: text, resolveHost, leader, masters })) };
}

/**
 * The leader PID when the input names none: the first `--master` (SUBSCRIBE only answers on
 * the leading master, so an operator-API capture came from it); "" without `--master`.
 */
function leaderOf(masters: readonly string[]): string {
  return masters[0] === undefined ? "" : `master@${masters[0]}`;
}

/** A Marathon-only input has no Mesos part; `--master` still gives the masters and the leader. */
function mastersOnly(masters: string[]): MesosSource | undefined {
  return masters.length === 0 ? undefined : { leader: leaderOf(masters), masters };
}

async function readMarathonApps(text: string | undefined, io: CliIo, timeoutMs: number) {
  if (text === undefined) return [];
  if (isUrlList(text)) return new MarathonApi(parseBaseUrls(text, "--marathon-apps", MARATHON_ENDPOINT_PATHS), { timeoutMs }).apps();
  return fromMarathonApps(await readJson(text, io), { source: text });
}

/** `host:port` entries with hostnames replaced by their first address (IPv4 preferred). */
async function resolveMasters(parsed: readonly { host: string; port: number }[]): Promise<string[]> {
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
