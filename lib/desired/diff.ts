/**
 * @module
 * What changes between two desired states, artifact by artifact: the plan an operator reads
 * before applying (`wayfinder diff`, `wayfinder agent --dry-run`). SOA serials are ignored:
 * they follow the snapshot clock and would make every diff non-empty.
 */
import type { DesiredState, DnsForwarding, DnsRecord, DnsUpstream, DnsZone, L4Service } from "./schema.ts";
import { canonicalJson } from "../net/canonical-json.ts";

export interface Change {
  kind: "add" | "remove" | "change";
  /** `dns`, `l4lb`, `haproxy`, `overlay` or `diagnostics`. */
  artifact: string;
  /** What changed inside the artifact: `mesos leader.mesos A`, `tcp 11.0.0.1:80`, a group, an agent. */
  key: string;
  /** A short human description of the difference, when there is more to say than the key. */
  detail?: string;
}

/**
 * @example diffDesired(before, after) // [{ kind: "change", artifact: "dns", key: "mesos web.marathon.mesos A", detail: "- 10.0.0.1 + 10.0.0.2" }]
 */
export function diffDesired(before: DesiredState, after: DesiredState): Change[] {
  return [
    ...diffZones(before.dns.zones, after.dns.zones),
    ...diffKeyed("dns", forwardingSets(before.dns.forwarding), forwardingSets(after.dns.forwarding), describeSetChange),
    ...diffKeyed("l4lb", keyedServices(before.l4lb.services), keyedServices(after.l4lb.services), describeServiceChange),
    ...diffKeyed("haproxy", keyedJson(before.haproxy.groups), keyedJson(after.haproxy.groups), describeConfigChange),
    ...diffKeyed("overlay", keyedJson(before.overlay.nodes), keyedJson(after.overlay.nodes)),
    ...diffKeyed(
      "diagnostics",
      new Map(before.diagnostics.map((d) => [`${d.subject} ${d.code}: ${d.message}`, ""])),
      new Map(after.diagnostics.map((d) => [`${d.subject} ${d.code}: ${d.message}`, ""])),
    ),
  ];
}

function diffZones(before: DnsZone[], after: DnsZone[]): Change[] {
  const changes: Change[] = [];
  const old = new Map(before.map((z) => [z.origin, z]));
  const now = new Map(after.map((z) => [z.origin, z]));
  for (const origin of sortedUnion(old.keys(), now.keys())) {
    const a = old.get(origin);
    const b = now.get(origin);
    if (a === undefined) changes.push({ kind: "add", artifact: "dns", key: `zone ${origin}`, detail: `${b!.records.length} records` });
    else if (b === undefined) changes.push({ kind: "remove", artifact: "dns", key: `zone ${origin}`, detail: `${a.records.length} records` });
    else {
      const { serial: _s1, ...soaA } = a.soa;
      const { serial: _s2, ...soaB } = b.soa;
      if (canonicalJson(soaA) !== canonicalJson(soaB) || a.ttl !== b.ttl) {
        changes.push({ kind: "change", artifact: "dns", key: `zone ${origin} SOA` });
      }
      changes.push(...diffKeyed("dns", recordSets(a), recordSets(b), describeSetChange, `${origin} `));
    }
  }
  return changes;
}

/** (name, type) → sorted values, one per line, so record sets compare as text. */
function recordSets(zone: DnsZone): Map<string, string> {
  const sets = new Map<string, string[]>();
  for (const record of zone.records) {
    const key = `${record.name} ${record.type}`;
    let values = sets.get(key);
    if (values === undefined) sets.set(key, (values = []));
    values.push(recordValue(record));
  }
  return new Map([...sets].map(([k, v]) => [k, v.sort().join("\n")]));
}

function recordValue(record: DnsRecord): string {
  if (record.type === "SRV") return `${record.data.priority} ${record.data.weight} ${record.data.port} ${record.data.target}`;
  if (record.type === "SOA") return canonicalJson(record.data);
  return record.data;
}

/** The forwarding settings as keyed value lists (one per line), so they diff like record sets. */
function forwardingSets(forwarding: DnsForwarding | undefined): Map<string, string> {
  if (forwarding === undefined) return new Map();
  const upstreams = (list: DnsUpstream[]) => list.map((u) => hostPort(u.ip, u.port)).join("\n");
  return new Map([
    ["forwarding upstreams", upstreams(forwarding.upstreams)],
    ...forwarding.zones.map((z): [string, string] => [`forwarding zone ${z.zone}`, upstreams(z.upstreams)]),
    ["forwarding allowedNetworks", [...forwarding.allowedNetworks].sort().join("\n")],
    ["forwarding timeoutMs", String(forwarding.timeoutMs)],
  ]);
}

function keyedServices(services: L4Service[]): Map<string, string> {
  return new Map(services.map((s) => [`${s.vip.protocol} ${hostPort(s.vip.ip, s.vip.port)}`, canonicalJson(s)]));
}

function keyedJson(record: Record<string, unknown>): Map<string, string> {
  return new Map(Object.entries(record).map(([k, v]) => [k, canonicalJson(v)]));
}

function diffKeyed(
  artifact: string,
  before: Map<string, string>,
  after: Map<string, string>,
  describe?: (a: string, b: string) => string | undefined,
  prefix = "",
): Change[] {
  const changes: Change[] = [];
  for (const key of sortedUnion(before.keys(), after.keys())) {
    const a = before.get(key);
    const b = after.get(key);
    if (a === b) continue;
    if (a === undefined) changes.push({ kind: "add", artifact, key: prefix + key });
    else if (b === undefined) changes.push({ kind: "remove", artifact, key: prefix + key });
    else {
      const detail = describe?.(a, b);
      changes.push(detail === undefined ? { kind: "change", artifact, key: prefix + key } : { kind: "change", artifact, key: prefix + key, detail });
    }
  }
  return changes;
}

function describeSetChange(a: string, b: string): string {
  const old = new Set(a.split("\n").filter((v) => v !== ""));
  const now = new Set(b.split("\n").filter((v) => v !== ""));
  const removed = [...old].filter((v) => !now.has(v)).map((v) => `- ${v}`);
  const added = [...now].filter((v) => !old.has(v)).map((v) => `+ ${v}`);
  return [...removed, ...added].join(" ");
}

function describeServiceChange(a: string, b: string): string {
  const backends = (json: string) =>
    new Set((JSON.parse(json) as L4Service).backends.map((x) => `${hostPort(x.ip, x.port)} w${x.weight}`));
  const old = backends(a);
  const now = backends(b);
  const parts = [...[...old].filter((v) => !now.has(v)).map((v) => `- ${v}`), ...[...now].filter((v) => !old.has(v)).map((v) => `+ ${v}`)];
  return parts.length > 0 ? parts.join(" ") : "scheduler or name changed";
}

function describeConfigChange(a: string, b: string): string {
  const lines = (json: string) => new Set(String((JSON.parse(json) as { config?: unknown }).config ?? "").split("\n"));
  const old = lines(a);
  const now = lines(b);
  const removed = [...old].filter((l) => !now.has(l)).length;
  const added = [...now].filter((l) => !old.has(l)).length;
  return `+${added} -${removed} lines`;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort();
}
