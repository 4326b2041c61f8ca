/**
 * @module
 * What the parts of the Mesos-DNS zone share while records are made: where the records go (the
 * whole zone, or one owner's list in the keyed desired state), the resolved settings, the
 * diagnostics list, and the diagnostic codes they may emit.
 */
import type { Diagnostic, SrvData } from "../../lib/desired/schema.ts";
import type { LabelMode } from "../../lib/net/dns-labels.ts";
import { parseIp } from "../../lib/net/ip-literal.ts";
import type { RecordSink } from "./zone-builder.ts";

/**
 * Diagnostic codes of the Mesos-DNS zone (stable: tools match on them).
 * @example diagnostics.filter((d) => d.code === MesosDnsCode.unknownAgent)
 */
export const MesosDnsCode = {
  /** A running task names an agent the snapshot does not have; it gets no records. */
  unknownAgent: "dns.unknown-agent",
  /** A running task names a framework the snapshot does not have; it gets no records. */
  unknownFramework: "dns.unknown-framework",
  /** A task or framework name sanitises to the empty label; it gets no records. */
  emptyLabel: "dns.empty-label",
  /** A text that should be an IP literal is not; it is skipped. */
  invalidIp: "dns.invalid-ip",
  /** A port outside 1–65535, or a range whose begin exceeds its end; it is skipped. */
  invalidPort: "dns.invalid-port",
  /** The leader PID does not parse as `name@ip:port`; no leader/master records. */
  invalidLeader: "dns.invalid-leader",
  /** The snapshot names no leader (Marathon-only and operator-API inputs have none); no leader/master records. */
  noLeader: "dns.no-leader",
  /** A masters entry is not `ip:port`; it is skipped. */
  invalidMaster: "dns.invalid-master",
  /** An agent or framework PID does not parse; no SRV record for it. */
  invalidPid: "dns.invalid-pid",
  /** An agent or framework has no IP; it gets no address records. */
  unresolved: "dns.unresolved",
  /** Two frameworks with different names sanitise to the same fragment; their records merge. */
  frameworkCollision: "dns.framework-collision",
  /** A raw DiscoveryInfo name is not a usable DNS name; only the sanitised records are made. */
  rawDiscoveryName: "dns.raw-discovery-name",
  /** The SOA primary name lies outside the zone, so no address record is published for it. */
  mnameOutOfZone: "dns.soa-mname-out-of-zone",
} as const;
export type MesosDnsCode = (typeof MesosDnsCode)[keyof typeof MesosDnsCode];

/** The A and AAAA values of one owner (a task, an agent, the masters). */
export interface Addresses {
  readonly a: readonly string[];
  readonly aaaa: readonly string[];
}

/** No address at all (shared, never mutated). */
export const NO_ADDRESSES: Addresses = { a: [], aaaa: [] };

/** Addresses being collected. */
export interface AddressList {
  a: string[];
  aaaa: string[];
}

/** The zone settings every record builder reads. */
export interface MesosSettings {
  readonly domain: string;
  readonly mode: LabelMode;
  readonly srvWeight: number;
}

/**
 * The state of one record build: the whole zone, or one owner.
 * @example
 * const ctx = new MesosZoneContext(new ZoneBuilder("mesos", 60), { domain: "mesos", mode: "rfc1123", srvWeight: 1 });
 * ctx.report("warning", MesosDnsCode.unknownAgent, "task:t1", "agent a1 is not in the snapshot");
 */
export class MesosZoneContext {
  readonly diagnostics: Diagnostic[] = [];

  readonly domain: string;
  readonly mode: LabelMode;
  readonly srvWeight: number;

  constructor(
    readonly records: RecordSink,
    settings: MesosSettings,
  ) {
    this.domain = settings.domain;
    this.mode = settings.mode;
    this.srvWeight = settings.srvWeight;
  }

  /** Adds every address of `addresses` to `name`. */
  addAddresses(name: string, addresses: Addresses): void {
    const records = this.records;
    for (const ip of addresses.a) records.add(name, "A", ip);
    for (const ip of addresses.aaaa) records.add(name, "AAAA", ip);
  }

  /**
   * Adds the IP in `text` to `into`, normalised. Text that is not an IP is skipped and reported,
   * except `""`, which Mesos writes for "no address" (Docker labels of host-networked tasks).
   */
  collectIp(into: AddressList, text: string, subject: string, what: string): void {
    const ip = parseIp(text);
    if (ip === undefined) {
      if (text !== "") this.report("warning", MesosDnsCode.invalidIp, subject, `${what}: ${JSON.stringify(text)} is not an IP address; skipped`);
    } else if (ip.family === 4) {
      into.a.push(ip.address);
    } else {
      into.aaaa.push(ip.address);
    }
  }

  /** The addresses of a list of IP texts (see `collectIp`), reporting those that are not IPs. */
  addressesOf(texts: readonly string[], subject: string, what: string): Addresses {
    const into: AddressList = { a: [], aaaa: [] };
    for (const text of texts) this.collectIp(into, text, subject, what);
    return into;
  }

  /** SRV data as mesos-dns served it: priority 0, the configured weight. */
  srv(target: string, port: number): SrvData {
    return { priority: 0, weight: this.srvWeight, port, target };
  }

  report(level: Diagnostic["level"], code: MesosDnsCode, subject: string, message: string): void {
    this.diagnostics.push({ level, code, subject, message });
  }
}

/**
 * The addresses of a list of IP texts, quietly skipping those that are not IPs (whoever owns
 * the texts reports them once, through `MesosZoneContext.addressesOf`).
 * @example parseAddresses(["10.0.0.1", "nope", "2001:db8::1"]) // { a: ["10.0.0.1"], aaaa: ["2001:db8::1"] }
 */
export function parseAddresses(texts: readonly string[]): Addresses {
  const into: AddressList = { a: [], aaaa: [] };
  for (const text of texts) {
    const ip = parseIp(text);
    if (ip !== undefined) (ip.family === 4 ? into.a : into.aaaa).push(ip.address);
  }
  return into;
}
