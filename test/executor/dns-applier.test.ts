import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reconcile, withHash } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { createDnsApplier, DNS_ZONES_FILE } from "../../lib/executor/dns/applier.ts";
import { DnsZonesFile } from "../../lib/desired/dns-zones-file.ts";
import { readZoneSet } from "../../lib/dns/zone-set-reader.ts";
import { DnsServer } from "../../lib/dns/server.ts";
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

describe("the DNS applier", () => {
  it("installs the node's zones as zones.json, once, and a server started on it answers them", async () => {
    const dir = await tempDir();
    const desired = nodeView(reconcile(SNAPSHOT), "S1");
    const first = await applyDesired(desired, [createDnsApplier({ dir })]);
    expect(first.appliers).toEqual([{ name: "dns", status: "applied", plan: { adds: [DNS_ZONES_FILE], changes: [], deletes: [] } }]);
    const file = DnsZonesFile.parse(JSON.parse(await readFile(join(dir, DNS_ZONES_FILE), "utf8")));
    expect(file.hash).toBe(desired.hash);
    expect(file.dns).toEqual(desired.dns);

    const mtime = (await stat(join(dir, DNS_ZONES_FILE))).mtimeMs;
    expect((await applyDesired(desired, [createDnsApplier({ dir })])).appliers[0]!.status).toBe("unchanged");
    expect((await stat(join(dir, DNS_ZONES_FILE))).mtimeMs).toBe(mtime);

    const server = await DnsServer.start({ listen: [{ host: "127.0.0.1", port: 0 }], source: { path: join(dir, DNS_ZONES_FILE) } });
    try {
      const reply = decodeReply((await udpExchange(server.addresses[0]!.port, queryBytes("web.marathon.agentip.dcos.thisdcos.directory", "A")))!);
      expect(reply.answers.map((a) => a.data)).toEqual(["10.0.1.1"]);
    } finally {
      await server.close();
    }
  });

  it("replaces the file when the zones change", async () => {
    const dir = await tempDir();
    const desired = reconcile(SNAPSHOT);
    await applyDesired(desired, [createDnsApplier({ dir })]);
    const { hash: _hash, ...rest } = desired;
    const changed = withHash({ ...rest, dns: { ...rest.dns, zones: rest.dns.zones.filter((z) => z.origin !== "zk") } });
    const report = await applyDesired(changed, [createDnsApplier({ dir })]);
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { changes: [DNS_ZONES_FILE] } });
    expect((await readZoneSet(join(dir, DNS_ZONES_FILE))).zones.map((z) => z.origin)).not.toContain("zk");
  });
});

describe("zone sources", () => {
  it("reads a desired state, a snapshot and the applier's file alike", async () => {
    const dir = await tempDir();
    const desired = reconcile(SNAPSHOT);
    await writeFile(join(dir, "desired.json"), JSON.stringify(desired));
    await writeFile(join(dir, "snapshot.json"), JSON.stringify(SNAPSHOT));
    await applyDesired(desired, [createDnsApplier({ dir })]);
    for (const name of ["desired.json", "snapshot.json", DNS_ZONES_FILE]) {
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
