/**
 * @module
 * The mesos-dns test harness on `master-state.fake.json` (specs/dns.md §2.1, §2.6): leader
 * `master@144.76.157.37:5050`, masters `[144.76.157.37:5050]`, domain `mesos`, SOA primary
 * `mesos-dns.mesos` at 127.0.0.1, `localhost` resolving to 127.0.0.1. Records are compared as
 * sets of `name|type|value` strings in mesos-dns's own notation (trailing dots, SRV values as
 * `target.:port`), so expected values can be copied from the spec and the fixture unchanged.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { snapshotFromMesosState } from "../../../lib/snapshot/adapters/mesos-state.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import type { ClusterSnapshotInput } from "../../../lib/snapshot/schema.ts";
import type { DnsConfig, IpSource } from "../../../lib/snapshot/config.ts";
import type { DnsRecord, DnsZone } from "../../../lib/desired/schema.ts";

const FIXTURES = new URL("../../../state-fixtures/upstream/mesos-dns/", import.meta.url);

/** The parsed `/master/state` fixture; a fresh copy on every call so tests may change it. */
export function fakeState(): Record<string, unknown> {
  return JSON.parse(readFileSync(fileURLToPath(new URL("master-state.fake.json", FIXTURES)), "utf8")) as Record<string, unknown>;
}

export interface ExpectedRecords {
  about: string;
  settings: Record<string, { records: Array<{ Name: string; Type: string; Value: string }> }>;
}

export function expectedRecords(): ExpectedRecords {
  return JSON.parse(readFileSync(fileURLToPath(new URL("expected-records.json", FIXTURES)), "utf8")) as ExpectedRecords;
}

/** `localhost` → 127.0.0.1, as on the machine that produced the expected records. */
export const resolveLocalhost = (name: string): string[] => (name === "localhost" ? ["127.0.0.1"] : []);

/** The harness snapshot for a label mode and IP-source order. */
export function harnessSnapshot(
  options: { rfc952?: boolean; ipSources?: IpSource[]; state?: Record<string, unknown>; dns?: Partial<DnsConfig> } = {},
): ClusterSnapshot {
  const state = options.state ?? fakeState();
  state["leader"] = "master@144.76.157.37:5050";
  const part = snapshotFromMesosState(state, { resolveHost: resolveLocalhost, masters: ["144.76.157.37:5050"] });
  const input: ClusterSnapshotInput = {
    cluster: { name: "fake" },
    now: "2024-05-01T12:00:00Z",
    ...part,
    config: {
      dns: {
        rfc952: options.rfc952 ?? true,
        ipSources: options.ipSources ?? ["netinfo", "docker", "mesos", "host"],
        soa: { mname: "mesos-dns.mesos." },
        nsAddresses: ["127.0.0.1"],
        ...options.dns,
      },
    },
  };
  return ClusterSnapshot.parse(input);
}

/** One record as mesos-dns wrote it: `name.|type|value`, SRV values as `target.:port`. */
export function mesosDnsNotation(record: DnsRecord): string {
  if (record.type === "SRV") return `${record.name}.|SRV|${record.data.target}.:${record.data.port}`;
  if (record.type === "SOA") return `${record.name}.|SOA|`;
  return `${record.name}.|${record.type}|${record.data}`;
}

/** The zone's A, AAAA and SRV records (what mesos-dns kept in its record maps) as a set. */
export function recordSet(zone: DnsZone): Set<string> {
  return new Set(zone.records.filter((r) => r.type === "A" || r.type === "AAAA" || r.type === "SRV").map(mesosDnsNotation));
}

/** The values of one name and type, as mesos-dns notation values. */
export function valuesOf(zone: DnsZone, name: string, type: string): Set<string> {
  const bare = name.replace(/\.$/, "");
  const out = new Set<string>();
  for (const r of zone.records) {
    if (r.name !== bare || r.type !== type) continue;
    out.add(mesosDnsNotation(r).split("|")[2]!);
  }
  return out;
}
