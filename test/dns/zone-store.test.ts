import { mkdir, mkdtemp, readFile, stat, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { desiredStateOf } from "../../functions/keyed/assemble.ts";
import { deriveObjects } from "../../functions/keyed/derive.ts";
import { DNS_ZONES_STORE } from "../../lib/desired/dns-zones-file.ts";
import type { CompiledAnswer } from "../../lib/dns/compiled-answer.ts";
import { isDnsKey } from "../../lib/dns/keyed-zones.ts";
import { ServingState } from "../../lib/dns/serving-state.ts";
import { TYPE } from "../../lib/dns/wire/constants.ts";
import { nameKey } from "../../lib/dns/wire/names.ts";
import { ZoneStore } from "../../lib/dns/zone-store.ts";
import { storeFiles } from "../../lib/journal/store-format.ts";
import { KeyedStoreWriter, type WriteEntry } from "../../lib/journal/store-writer.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";

const demo = ClusterSnapshot.parse(JSON.parse(await readFile("state-fixtures/demo/snapshot.json", "utf8")));

/** The DNS keys of a snapshot's keyed view, as the DNS applier writes them. */
function dnsEntries(snapshot: ClusterSnapshot): WriteEntry[] {
  const objects = deriveObjects(snapshot);
  return [...objects.entries()].filter(([key]) => isDnsKey(key)).map(([key, stored]) => ({ key, hash: stored.hash, valueJson: stored.json }));
}

/** Every name of the assembled zones, asked for every type, through both states: the keyed one must answer as the whole one. */
function expectSameAnswers(keyed: ServingState, snapshot: ClusterSnapshot): void {
  const whole = desiredStateOf(deriveObjects(snapshot));
  const fresh = ServingState.build({ version: "x", zones: whole.dns.zones, forwarding: whole.dns.forwarding, aliases: whole.dns.aliases }, {}, 0).state;
  const names = new Set(whole.dns.zones.flatMap((z) => [z.origin, ...z.records.map((r) => r.name)]));
  names.add("missing.mesos");
  for (const name of names) {
    for (const type of [TYPE.A, TYPE.AAAA, TYPE.SRV, TYPE.NS, TYPE.SOA, TYPE.CNAME]) {
      expect(bytes(keyed.lookup(nameKey(name)!, type)), `${name} ${type}`).toEqual(bytes(fresh.lookup(nameKey(name)!, type)));
    }
  }
  expect(keyed.forwarding).toEqual(fresh.forwarding);
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function bytes(answer: ReturnType<ServingState["lookup"]>): unknown {
  if (!("ring" in answer)) return answer;
  const a = answer as CompiledAnswer;
  return [a.rcode, a.chain.bytes.toString("hex"), a.ring.bytes.subarray(0, a.ring.offsets[a.ringCount]).toString("hex"), a.authority.bytes.toString("hex"), a.additional.bytes.toString("hex")];
}

async function opened(dir: string, checkIntervalMs = 60_000) {
  const events = { states: 0, batches: [] as number[], problems: [] as string[] };
  const { store, problems } = await ZoneStore.open({
    dir,
    overrides: {},
    checkIntervalMs,
    onState: () => events.states++,
    onBatch: (_state, batch) => events.batches.push(batch.generation),
    onProblem: (problem) => events.problems.push(problem),
  });
  return { store, problems, events };
}

/** A snapshot with one task's address changed, and the DNS keys that changed with it. */
function changed(snapshot: ClusterSnapshot, generation: number) {
  const next = structuredClone(snapshot);
  const task = next.tasks.find((t) => t.statuses.some((s) => s.networkInfos?.some((n) => n.ipAddresses.length > 0)))!;
  const status = task.statuses.at(-1)!;
  status.networkInfos = [{ ipAddresses: [`9.9.${generation}.1`], portMappings: [] }];
  next.now = new Date(Date.parse(snapshot.now) + generation * 1000).toISOString();
  const before = new Map(dnsEntries(snapshot).map((e) => [e.key, e]));
  const after = dnsEntries(next);
  const upserts = after.filter((e) => before.get(e.key)?.hash !== e.hash);
  const keys = new Set(after.map((e) => e.key));
  const deletes = [...before.keys()].filter((k) => !keys.has(k));
  return { next, batch: { version: { generation, hash: `g${generation}` }, upserts, deletes } };
}

describe("ZoneStore: the DNS server following the agent's zones store", () => {
  it("serves a store's zones as the assembled zones, then each appended batch in place", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-zones-"));
    const { writer } = await KeyedStoreWriter.open(dir, DNS_ZONES_STORE);
    await writer.replace(dnsEntries(demo), { generation: 1, hash: "g1" });
    const { store, problems, events } = await opened(dir);
    expect(problems).toEqual([]);
    expectSameAnswers(store.state, demo);

    const first = changed(demo, 2);
    expect(first.batch.upserts.length).toBeGreaterThan(0);
    await writer.append(first.batch);
    const served = store.state;
    await store.check();
    expect(store.state).toBe(served);
    expect(events.batches).toEqual([2]);
    expectSameAnswers(store.state, first.next);
    await store.close();
    await writer.close();
  });

  it("takes up a compacted epoch where it was, without loading the zones again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-zones-"));
    const { writer } = await KeyedStoreWriter.open(dir, DNS_ZONES_STORE, { compactMinBytes: 1, compactRatio: 0 });
    await writer.replace(dnsEntries(demo), { generation: 1, hash: "g1" });
    const { store, events } = await opened(dir);
    let snapshot = demo;
    for (let g = 2; g <= 6; g++) {
      const step = changed(snapshot, g);
      await writer.append(step.batch);
      await writer.settled();
      snapshot = step.next;
      if (g % 2 === 0) await store.check();
    }
    await writer.settled();
    await store.check();
    expect(JSON.parse(await readFile(join(dir, `${DNS_ZONES_STORE}.current`), "utf8")).epoch).toBeGreaterThan(1);
    expect(events.states).toBe(0);
    expect(store.version?.generation).toBe(6);
    expectSameAnswers(store.state, snapshot);
    await store.close();
    await writer.close();
  });

  it("loads a store written afresh (a relist) whole and swaps it in", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-zones-"));
    const { writer } = await KeyedStoreWriter.open(dir, DNS_ZONES_STORE);
    await writer.replace(dnsEntries(demo), { generation: 1, hash: "g1" });
    const { store, events } = await opened(dir);
    const step = changed(demo, 9);
    await writer.replace(dnsEntries(step.next), { generation: 9, hash: "g9" });
    await store.check();
    expect(events.states).toBe(1);
    expect(store.version?.generation).toBe(9);
    expectSameAnswers(store.state, step.next);
    await store.close();
    await writer.close();
  });

  it("restarts on the last good zones when the journal ends in a batch cut short, naming the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-zones-"));
    const { writer } = await KeyedStoreWriter.open(dir, DNS_ZONES_STORE);
    await writer.replace(dnsEntries(demo), { generation: 1, hash: "g1" });
    const step = changed(demo, 2);
    await writer.append(step.batch);
    await writer.close();
    const journal = storeFiles(dir, DNS_ZONES_STORE, 0).journal;
    await truncate(journal, (await stat(journal)).size - 5);
    const { store, problems } = await opened(dir);
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${journal}: ends with \\d+ bytes after its last commit \\(a batch cut short, 2 complete lines\\); left out$`))]);
    expect(store.version?.generation).toBe(1);
    expectSameAnswers(store.state, demo);
    await store.close();
  });

  it("starts on the built-in zones when there is no store yet, and picks the store up once written", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-zones-"));
    const { store, events } = await opened(dir);
    expect(store.version).toBeUndefined();
    expect(bytes(store.state.lookup(nameKey("localhost")!, TYPE.A))).not.toHaveProperty("kind");
    const { writer } = await KeyedStoreWriter.open(dir, DNS_ZONES_STORE);
    await writer.replace(dnsEntries(demo), { generation: 1, hash: "g1" });
    await store.check();
    expect(events.states).toBe(1);
    expectSameAnswers(store.state, demo);
    await store.close();
    await writer.close();
  });

  it("watches a directory that appears after it started, so batches do not wait for the periodic check", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "wf-zones-")), "dns");
    // One check every 3 s: a batch seen well before the next one was seen by the watch.
    const { store, events } = await opened(dir, 3_000);
    await mkdir(dir);
    const { writer } = await KeyedStoreWriter.open(dir, DNS_ZONES_STORE);
    await writer.replace(dnsEntries(demo), { generation: 1, hash: "g1" });
    await until(() => events.states === 1, 5_000);
    const loaded = Date.now();
    await writer.append(changed(demo, 2).batch);
    await until(() => events.batches.includes(2), 5_000);
    expect(Date.now() - loaded).toBeLessThan(1_500);
    await store.close();
    await writer.close();
  });

  it("refuses a value that does not validate, naming the key, and keeps serving the rest", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-zones-"));
    const { writer } = await KeyedStoreWriter.open(dir, DNS_ZONES_STORE);
    await writer.replace(dnsEntries(demo), { generation: 1, hash: "g1" });
    const bad = { version: { generation: 2, hash: "g2" }, upserts: [{ key: "dns/records/task/bad", hash: "h", valueJson: '{"mesos":[["x.mesos","A"]]}' }], deletes: [] };
    await writer.append(bad);
    const { store, problems, events } = await opened(dir);
    expect(problems).toEqual([expect.stringMatching(/^dns\/records\/task\/bad: mesos\.0.*; the key keeps its previous value$/)]);
    expectSameAnswers(store.state, demo);
    await writer.append({ ...bad, version: { generation: 3, hash: "g3" } });
    await store.check();
    expect(events.problems).toEqual([expect.stringMatching(/^dns\/records\/task\/bad: /)]);
    expect(store.version?.generation).toBe(3);
    expectSameAnswers(store.state, demo);
    await store.close();
    await writer.close();
  });
});
