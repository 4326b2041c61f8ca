import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reconcile, withHash } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { deriveObjects } from "../../functions/keyed/derive.ts";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { createDnsApplier } from "../../lib/executor/dns/applier.ts";
import { NeedsValuesError, type KeyChanges, type ViewReader } from "../../lib/executor/keyed-applier.ts";
import { DNS_ZONES_STORE } from "../../lib/desired/dns-zones-file.ts";
import { readZoneSet } from "../../lib/dns/zone-set-reader.ts";
import { DnsServer } from "../../lib/dns/server.ts";
import { readStore } from "../../lib/journal/store-reader.ts";
import { udpExchange } from "../support/dns-client.ts";
import { decodeReply, queryBytes } from "../support/dns-messages.ts";
import { SNAPSHOT } from "../http/helpers.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "wayfinder-dns-applier-"));
  dirs.push(dir);
  return dir;
};

/** What the store holds, key by key. */
async function stored(dir: string): Promise<{ keys: Map<string, unknown>; generation: number | undefined }> {
  const keys = new Map<string, unknown>();
  const read = await readStore(dir, DNS_ZONES_STORE, () => ({
    entry: (e: { key: string; value?: unknown }) => void keys.set(e.key, e.value),
    batch: (b: { upserts: Array<{ key: string; value?: unknown }>; deletes: string[] }) => {
      for (const u of b.upserts) keys.set(u.key, u.value);
      for (const k of b.deletes) keys.delete(k);
    },
  }));
  return { keys, generation: read?.version.generation };
}

/** A view of the DNS keys of the test snapshot, at a generation and DNS hash of our choosing. */
function viewOf(generation: number, dnsHash: string): ViewReader {
  return { node: "S1", generation, hash: dnsHash, dnsHash, value: () => undefined, valuesUnder: () => [], desired: () => nodeView(reconcile(SNAPSHOT), "S1") };
}

const dnsChanges = (complete: boolean): KeyChanges => {
  const upserts = new Map([...deriveObjects(SNAPSHOT).entries()].filter(([k]) => k.startsWith("dns/")).map(([k, s]) => [k, { hash: s.hash, json: s.json }]));
  return { upserts, deletes: new Set(), complete };
};

describe("the DNS applier, from whole desired states", () => {
  it("writes the node's zones to the store once, and a server on the store answers them", async () => {
    const dir = await tempDir();
    const desired = nodeView(reconcile(SNAPSHOT), "S1");
    const first = await applyDesired(desired, [createDnsApplier({ dir })]);
    expect(first.appliers).toEqual([{ name: "dns", status: "applied", plan: { adds: [], changes: [DNS_ZONES_STORE], deletes: [] } }]);
    expect([...(await stored(dir)).keys.keys()].sort()).toEqual(["dns/aliases", "dns/forwarding", ...desired.dns.zones.map((z) => `dns/zone/${z.origin}`)].sort());
    expect((await applyDesired(desired, [createDnsApplier({ dir })])).appliers[0]!.status).toBe("unchanged");

    const server = await DnsServer.start({ listen: [{ host: "127.0.0.1", port: 0 }], source: { store: dir } });
    try {
      const reply = decodeReply((await udpExchange(server.addresses[0]!.port, queryBytes("web.marathon.agentip.dcos.thisdcos.directory", "A")))!);
      expect(reply.answers.map((a) => a.data)).toEqual(["10.0.1.1"]);
    } finally {
      await server.close();
    }
  });

  it("writes the store again when the zones change", async () => {
    const dir = await tempDir();
    const desired = reconcile(SNAPSHOT);
    await applyDesired(desired, [createDnsApplier({ dir })]);
    const { hash: _hash, ...rest } = desired;
    const changed = withHash({ ...rest, dns: { ...rest.dns, zones: rest.dns.zones.filter((z) => z.origin !== "zk") } });
    const report = await applyDesired(changed, [createDnsApplier({ dir })]);
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { changes: [DNS_ZONES_STORE] } });
    const after = await stored(dir);
    expect(after.generation).toBe(2);
    expect([...after.keys.keys()]).not.toContain("dns/zone/zk");
  });
});

describe("the DNS applier, on the delta path", () => {
  it("writes a relist's values whole, then appends each batch's changes", async () => {
    const dir = await tempDir();
    const applier = createDnsApplier({ dir });
    expect(await applier.applyChanges(dnsChanges(false), viewOf(1, "a".repeat(64)))).toBeUndefined();
    await expect(applier.syncAll(viewOf(1, "a".repeat(64)), { upserts: new Map(), deletes: new Set(), complete: false })).rejects.toThrow(NeedsValuesError);
    expect(await applier.syncAll(viewOf(1, "a".repeat(64)), dnsChanges(true))).toMatchObject({ status: "applied" });
    expect(await applier.syncAll(viewOf(1, "a".repeat(64)))).toEqual({ name: "dns", status: "unchanged" });

    const change: KeyChanges = { upserts: new Map([["dns/aliases", { hash: "b".repeat(64), json: "[]" }]]), deletes: new Set(["dns/zone/zk"]), complete: false };
    expect(await applier.applyChanges(change, viewOf(2, "c".repeat(64)))).toEqual({ name: "dns", status: "applied", plan: { adds: [], changes: ["dns/aliases"], deletes: ["dns/zone/zk"] } });
    const after = await stored(dir);
    expect(after.generation).toBe(2);
    expect(after.keys.get("dns/aliases")).toEqual([]);
    expect(after.keys.has("dns/zone/zk")).toBe(false);
  });

  it("asks for the values again when the store lags the view and no kept changes close the gap (a restart after a crash)", async () => {
    const dir = await tempDir();
    await createDnsApplier({ dir }).syncAll(viewOf(1, "a".repeat(64)), dnsChanges(true));
    const restarted = createDnsApplier({ dir });
    await expect(restarted.syncAll(viewOf(3, "d".repeat(64)))).rejects.toThrow(/holds generation 1 .*the view generation 3.*listed again/);
    const kept: KeyChanges = { upserts: new Map([["dns/aliases", { hash: "b".repeat(64), json: "[]" }]]), deletes: new Set(), complete: false };
    expect(await restarted.syncAll(viewOf(3, "d".repeat(64)), kept)).toMatchObject({ status: "applied" });
    expect((await stored(dir)).generation).toBe(3);
  });

  it("names a damaged store and asks for the values, then writes it afresh", async () => {
    const dir = await tempDir();
    await createDnsApplier({ dir }).syncAll(viewOf(1, "a".repeat(64)), dnsChanges(true));
    await writeFile(join(dir, `${DNS_ZONES_STORE}.0.snapshot`), '{"kind":"KeyedSnapshot"');
    const restarted = createDnsApplier({ dir });
    await expect(restarted.syncAll(viewOf(1, "a".repeat(64)))).rejects.toThrow(/zones\.0\.snapshot/);
    expect(await restarted.syncAll(viewOf(1, "a".repeat(64)), dnsChanges(true))).toMatchObject({ status: "applied" });
    expect((await stored(dir)).keys.size).toBe(dnsChanges(true).upserts.size);
  });
});

describe("zone sources", () => {
  it("reads a desired state and a snapshot alike", async () => {
    const dir = await tempDir();
    const desired = reconcile(SNAPSHOT);
    await writeFile(join(dir, "desired.json"), JSON.stringify(desired));
    await writeFile(join(dir, "snapshot.json"), JSON.stringify(SNAPSHOT));
    for (const name of ["desired.json", "snapshot.json"]) {
      const zones = await readZoneSet(join(dir, name));
      expect(zones.version).toBe(desired.hash);
      expect(zones.forwarding).toEqual(desired.dns.forwarding);
    }
  });

  it("names the file and the JSON path of what is wrong", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "bad.json"), JSON.stringify({ apiVersion: "wayfinder/v1", kind: "DnsZones", hash: "h", dns: { zones: [{ origin: "mesos", ttl: "60" }] } }));
    await expect(readZoneSet(join(dir, "bad.json"))).rejects.toThrow(`${join(dir, "bad.json")}: dns.zones[0].ttl`);
    await writeFile(join(dir, "torn.json"), '{"apiVersion": "wayf');
    await expect(readZoneSet(join(dir, "torn.json"))).rejects.toThrow(/torn\.json: \(document\): not valid JSON/);
  });
});
