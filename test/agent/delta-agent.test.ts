/**
 * The agent on the delta path against the real control-plane routes over a real socket: the
 * view follows the watch batch by batch, each applier is handed only the keys that changed, the
 * DNS store follows, and a restarted agent resumes from the generation it persisted.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { agentMetrics } from "../../lib/agent/agent-metrics.ts";
import { runDeltaAgent } from "../../lib/agent/delta-agent.ts";
import { jsonLogger } from "../../lib/agent/log.ts";
import { DNS_ZONES_STORE } from "../../lib/desired/dns-zones-file.ts";
import type { ApplierResult } from "../../lib/executor/apply-desired.ts";
import { createDnsApplier } from "../../lib/executor/dns/applier.ts";
import type { KeyChanges, KeyedApplier } from "../../lib/executor/keyed-applier.ts";
import { ClusterStates } from "../../lib/http/cluster-states.ts";
import { listenNode, type NodeServer } from "../../lib/http/node-server.ts";
import { clusterRoutes } from "../../lib/http/routes/clusters.ts";
import { readStore } from "../../lib/journal/store-reader.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";
import { NodeStatusReport } from "../../lib/store/node-status.ts";
import { waitFor } from "../e2e/support/wait.ts";
import { collectGarbage } from "../../lib/runtime/collect-garbage.ts";

vi.mock("../../lib/runtime/collect-garbage.ts", () => ({ collectGarbage: vi.fn() }));

const waitUntil = (what: string, probe: () => Promise<boolean>, context: () => string = () => "") => waitFor(what, async () => ((await probe()) ? true : undefined), 10_000, context);

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** An applier that records what it was handed. */
function recording(name: string, prefix: string) {
  const calls: Array<{ mode: "partial" | "full"; keys: string[] }> = [];
  const applier: KeyedApplier = {
    name,
    takes: (key) => key.startsWith(prefix),
    applyChanges: async (changes: KeyChanges): Promise<ApplierResult> => {
      calls.push({ mode: "partial", keys: [...changes.upserts.keys(), ...changes.deletes].sort() });
      return { name, status: "applied", plan: { adds: [], changes: [...changes.upserts.keys()], deletes: [...changes.deletes] } };
    },
    syncAll: async (): Promise<ApplierResult> => {
      calls.push({ mode: "full", keys: [] });
      return { name, status: "unchanged" };
    },
  };
  return { applier, calls };
}

async function controlPlane() {
  const states = new ClusterStates(new MemorySnapshotStore());
  const server: NodeServer = await listenNode(new Hono().route("/v1/clusters", clusterRoutes(states)), { host: "127.0.0.1", port: 0 });
  cleanup.push(() => server.close());
  let generation = 0;
  const send = async (method: "PUT" | "PATCH", body: unknown) => {
    const res = await fetch(`${server.url}/v1/clusters/test/snapshot`, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(200);
    generation = ((await res.json()) as { generation: number }).generation;
    return generation;
  };
  await send("PUT", SNAPSHOT_INPUT);
  return { url: `${server.url}/v1/clusters/test/desired/nodes/S1`, send, generation: () => generation, patch: (change: object) => send("PATCH", { baseGeneration: generation, ...change }) };
}

function startAgent(url: string, stateDir: string, appliers: KeyedApplier[]) {
  const metrics = agentMetrics();
  const lines: string[] = [];
  const reports: NodeStatusReport[] = [];
  let stop!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const running = runDeltaAgent({
    node: "S1",
    url,
    stateDir,
    appliers,
    requires: {},
    keepDnsValues: false,
    metrics,
    log: jsonLogger({ write: (line) => lines.push(line), level: "debug" }),
    resyncIntervalMs: 0,
    stop: stopped,
    onSynced: (report) => reports.push(report),
  });
  const halt = async () => {
    stop("test");
    return running;
  };
  cleanup.push(halt);
  return { metrics, lines, reports, halt };
}

async function dnsStoreGeneration(dir: string): Promise<number | undefined> {
  const read = await readStore(dir, DNS_ZONES_STORE, () => ({ entry() {}, batch() {} })).catch(() => undefined);
  return read?.version.generation;
}

describe("the agent on the delta path", () => {
  it("follows the watch into its view, hands each applier only its changed keys, and resumes from its generation after a restart", async () => {
    const cp = await controlPlane();
    const stateDir = await mkdtemp(join(tmpdir(), "wf-delta-"));
    cleanup.push(() => rm(stateDir, { recursive: true, force: true }));
    const l4 = recording("l4lb", "l4lb/");
    const agent = startAgent(cp.url, stateDir, [l4.applier, { ...(createDnsApplier({ dir: join(stateDir, "dns") }) as unknown as KeyedApplier), name: "dns", takes: (k) => k.startsWith("dns/") }]);
    await waitUntil("the relist applied", async () => (await dnsStoreGeneration(join(stateDir, "dns"))) === cp.generation());
    expect(l4.calls).toEqual([{ mode: "full", keys: [] }]);
    // The relist's batch is garbage once applied and persisted: collected then, once.
    await waitUntil("the relist's garbage collected", async () => vi.mocked(collectGarbage).mock.calls.length === 1);

    // A task with a VIP label: its DNS owner and a VIP service key change, nothing else.
    const vipTask = {
      ...SNAPSHOT_INPUT.tasks[0],
      id: "api.1",
      name: "api",
      discovery: { name: "api", ports: [{ number: 8080, protocol: "tcp", name: "http", labels: [{ key: "VIP_0", value: "/api:80" }] }] },
      statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ name: "dcos", ipAddresses: ["10.77.0.1"] }] }],
    };
    await cp.patch({ upsert: { tasks: [vipTask] } });
    await waitUntil("the change applied", async () => (await dnsStoreGeneration(join(stateDir, "dns"))) === cp.generation());
    expect(l4.calls.at(-1)?.mode).toBe("partial");
    expect(l4.calls.at(-1)?.keys.every((k) => k.startsWith("l4lb/"))).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(vi.mocked(collectGarbage)).toHaveBeenCalledTimes(1);
    expect(agent.metrics.watchRelists.get({ reason: "start" })).toBe(1);

    await agent.halt();
    // The control plane moves on while the agent is down; the restart resumes with since.
    await cp.patch({ delete: { tasks: ["api.1"] } });
    const again = startAgent(cp.url, stateDir, [recording("l4lb", "l4lb/").applier, { ...(createDnsApplier({ dir: join(stateDir, "dns") }) as unknown as KeyedApplier), name: "dns", takes: (k) => k.startsWith("dns/") }]);
    await waitUntil("the catch-up applied", async () => (await dnsStoreGeneration(join(stateDir, "dns"))) === cp.generation());
    expect(again.metrics.watchRelists.get({ reason: "start" })).toBe(0);
    expect(again.lines.some((l) => l.includes("resuming from the persisted view"))).toBe(true);
  });

  it("reports its status after every run, with the generation and the hash the control plane's node view has", async () => {
    const cp = await controlPlane();
    const stateDir = await mkdtemp(join(tmpdir(), "wf-delta-"));
    cleanup.push(() => rm(stateDir, { recursive: true, force: true }));
    const failing: KeyedApplier = {
      name: "overlay",
      takes: (key) => key.startsWith("overlay/"),
      applyChanges: async () => ({ name: "overlay", status: "failed", stage: "apply", error: "ip: RTNETLINK answers: Operation not permitted" }),
      syncAll: async () => ({ name: "overlay", status: "failed", stage: "apply", error: "ip: RTNETLINK answers: Operation not permitted" }),
    };
    const l4 = recording("l4lb", "l4lb/");
    const agent = startAgent(cp.url, stateDir, [l4.applier]);
    await waitUntil("a report of the first generation", async () => agent.reports.some((r) => r.appliedGeneration === cp.generation()));
    const view = await fetch(cp.url);
    const first = agent.reports.at(-1)!;
    // The body a PUT would carry is a valid report, and its hash is the one convergence compares.
    expect(NodeStatusReport.parse(first)).toEqual(first);
    expect(first).toMatchObject({ ok: true, appliedHash: ((await view.json()) as { hash: string }).hash, counters: { failures: 0 } });
    expect(first.appliers.map((a) => a.name)).toEqual(["l4lb"]);
    await agent.halt();

    // A failing applier: the report says which, at what stage, and the hash stays unapplied.
    const brokenDir = await mkdtemp(join(tmpdir(), "wf-delta-"));
    cleanup.push(() => rm(brokenDir, { recursive: true, force: true }));
    const broken = startAgent(cp.url, brokenDir, [failing, l4.applier]);
    await waitUntil("a failed run reported", async () => broken.reports.length > 0);
    const failed = broken.reports.at(-1)!;
    expect(failed).toMatchObject({ ok: false, appliedHash: null, counters: { failures: 1, consecutiveFailures: 1 } });
    expect(failed.appliers[0]).toMatchObject({ name: "overlay", result: "failed", stage: "apply", error: expect.stringContaining("RTNETLINK") });
  });
});
