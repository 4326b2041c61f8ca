import { describe, expect, it } from "vitest";
import { mesosZone } from "../../../functions/dns-zones/mesos-zone.ts";
import { IpSource } from "../../../lib/snapshot/config.ts";
import { expectedRecords, harnessSnapshot, recordSet } from "./mesos-fixture.ts";

// The records mesos-dns itself generated from fake.json for six settings (specs/dns.md §2.6),
// compared as exact sets of (name, type, value).
const settings = Object.entries(expectedRecords().settings);

/** `rfc952_netinfo_docker_mesos_host` → label mode and IP sources in order. */
function parseSetting(key: string): { rfc952: boolean; ipSources: IpSource[] } {
  const [mode, ...sources] = key.split("_");
  return { rfc952: mode === "rfc952", ipSources: sources.map((s) => IpSource.parse(s)) };
}

describe("mesosZone on fake.json against the records mesos-dns generated", () => {
  it("covers the six settings of the fixture", () => {
    expect(settings.map(([key]) => key).sort()).toEqual([
      "rfc1123_netinfo_mesos_host",
      "rfc952_docker_host",
      "rfc952_host",
      "rfc952_mesos_host",
      "rfc952_netinfo",
      "rfc952_netinfo_docker_mesos_host",
    ]);
  });

  it.each(settings)("produces exactly mesos-dns's record set for %s", (key, expected) => {
    const { zone } = mesosZone(harnessSnapshot(parseSetting(key)));
    const got = recordSet(zone);
    const want = new Set(expected.records.map((r) => `${r.Name}|${r.Type}|${r.Value}`));
    expect([...want].filter((r) => !got.has(r)).sort()).toEqual([]);
    expect([...got].filter((r) => !want.has(r)).sort()).toEqual([]);
  });

  it("gives 146 records under 102 (name, type) keys for RFC952 netinfo,docker,mesos,host (§2.6)", () => {
    const { zone, diagnostics } = mesosZone(harnessSnapshot());
    const records = zone.records.filter((r) => r.type !== "NS");
    expect(records).toHaveLength(146);
    expect(new Set(records.map((r) => `${r.name} ${r.type}`)).size).toBe(102);
    expect(diagnostics).toEqual([]);
  });

  it("gives 124 records with netinfo alone (§2.6 variant)", () => {
    const { zone } = mesosZone(harnessSnapshot({ ipSources: ["netinfo"] }));
    expect(recordSet(zone).size).toBe(124);
  });

  it("adds only the apex NS to what mesos-dns kept in its record maps", () => {
    const { zone } = mesosZone(harnessSnapshot());
    expect(zone.records.filter((r) => r.type !== "A" && r.type !== "AAAA" && r.type !== "SRV")).toEqual([
      { name: "mesos", type: "NS", ttl: 60, data: "mesos-dns.mesos" },
    ]);
  });
});
