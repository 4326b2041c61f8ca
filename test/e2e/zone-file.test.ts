import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { renderZoneFile } from "../../lib/render/zone-file.ts";
import type { DnsZone } from "../../lib/desired/schema.ts";
import { describeWithTools } from "../support/tools.ts";

const dir = mkdtempSync(join(tmpdir(), "wayfinder-zone-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkzone(zone: DnsZone, checkNames: "fail" | "ignore" = "fail"): { ok: boolean; output: string } {
  const file = join(dir, `${zone.origin}.zone`);
  writeFileSync(file, renderZoneFile(zone));
  try {
    // -k fail: names that are not valid hostnames are errors, not warnings.
    const output = execFileSync("named-checkzone", ["-k", checkNames, "-n", "fail", "-i", "local", zone.origin, file], {
      encoding: "utf8",
    });
    return { ok: true, output };
  } catch (error) {
    return { ok: false, output: String((error as { stdout?: string }).stdout ?? error) };
  }
}

describeWithTools(["named-checkzone"])("zone files pass named-checkzone", () => {
  const demo = ClusterSnapshot.parse(JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8")));
  const zones = reconcile(demo).dns.zones;

  it.each(zones.map((z) => [z.origin, z] as const))("accepts the demo zone %s", (_origin, zone) => {
    const result = checkzone(zone);
    expect(result.output).toContain("OK");
    expect(result.ok).toBe(true);
  });

  // mesos-dns publishes raw discovery names unsanitised; the file must still parse.
  it("escapes a raw discovery name with characters that need escaping", () => {
    const zone: DnsZone = {
      origin: "mesos",
      ttl: 60,
      soa: { mname: "ns1.mesos", rname: "root.ns1.mesos", serial: 1, refresh: 60, retry: 600, expire: 86400, minimum: 60 },
      records: [
        { name: "mesos", type: "NS", ttl: 60, data: "ns1.mesos" },
        { name: "ns1.mesos", type: "A", ttl: 60, data: "10.0.0.1" },
        { name: "my app;x.marathon.mesos", type: "A", ttl: 60, data: "10.0.0.2" },
        { name: "_http._my app;x._tcp.marathon.mesos", type: "SRV", ttl: 60, data: { priority: 0, weight: 1, port: 80, target: "my app;x.marathon.mesos" } },
      ],
    };
    const result = checkzone(zone, "ignore");
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toMatch(/loaded serial 1/);
    expect(renderZoneFile(zone)).toContain("my\\032app\\059x.marathon.mesos.");
  });

  it("rejects a zone with a CNAME beside other data (the check is real)", () => {
    const zone: DnsZone = {
      origin: "mesos",
      ttl: 60,
      soa: { mname: "ns1.mesos", rname: "root.ns1.mesos", serial: 1, refresh: 60, retry: 600, expire: 86400, minimum: 60 },
      records: [
        { name: "mesos", type: "NS", ttl: 60, data: "ns1.mesos" },
        { name: "ns1.mesos", type: "A", ttl: 60, data: "10.0.0.1" },
        { name: "web.mesos", type: "A", ttl: 60, data: "10.0.0.2" },
        { name: "web.mesos", type: "CNAME", ttl: 60, data: "ns1.mesos" },
      ],
    };
    expect(checkzone(zone).ok).toBe(false);
  });
});
