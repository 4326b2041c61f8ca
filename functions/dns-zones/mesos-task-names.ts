/**
 * @module
 * The names of task records (specs/dns.md §1.3–1.4). Everything that depends only on the task
 * label `T` and the framework `F` is built once per (framework, label) and shared by every
 * instance of the app, together with the zone handles of those names: at 100k tasks the zone
 * would otherwise spend its time concatenating and hashing the same strings again.
 */
import type { SrvData } from "../../lib/desired/schema.ts";
import type { DiscoveryPort } from "../../lib/snapshot/schema.ts";
import { dnsLabel } from "../../lib/net/dns-labels.ts";
import type { LabelMode } from "../../lib/net/dns-labels.ts";
import type { ZoneBuilder, ZoneName } from "./zone-builder.ts";
import { compareStrings } from "../../lib/net/compare.ts";

/** The framework part of task names: `.F.D` and `.F.slave.D`. */
export interface FrameworkSuffixes {
  readonly suffix: string;
  readonly slaveSuffix: string;
}

const MAX_LABEL = 63;

/**
 * The names one task label `T` gives under one framework, with their zone handles.
 * @example
 * const set = new TaskNameSet("web", 3, { suffix: ".marathon.mesos", slaveSuffix: ".marathon.slave.mesos" }, zone, "rfc1123");
 * set.plain.add("A", "10.0.0.1"); // web.marathon.mesos A 10.0.0.1
 */
export class TaskNameSet {
  /** `T.F.D` */
  readonly plain: ZoneName;
  /** `T.F.slave.D` */
  readonly slave: ZoneName;
  /** `_T._tcp.F.slave.D`, `_T._udp.F.slave.D` */
  readonly slaveSrv: readonly [ZoneName, ZoneName];
  /**
   * Resource-port SRV data of every instance, for the `.slave.` pair, and of the instances
   * without DiscoveryInfo, for the plain pair. Kept here until `flush` so that one sort serves
   * the two to four names carrying the same records (SRV sorting dominated the zone build).
   */
  readonly #slaveResourceSrv: SrvData[] = [];
  readonly #plainResourceSrv: SrvData[] = [];
  /** Protocol → port name → SRV names of discovery ports. */
  readonly #discoverySrv = new Map<string, Map<string, readonly ZoneName[]>>();
  /**
   * The last lookup per port position: instances of one app list the same ports in the same
   * order, so this answers almost every lookup without hashing the protocol and name again.
   */
  readonly #lastByPosition: Array<{ protocol: string; name: string; names: readonly ZoneName[] }> = [];

  constructor(
    /** `T` */
    readonly label: string,
    /** Length of the last DNS label of `T`, the one the canonical `-hash-tail` extends. */
    readonly lastLabelLength: number,
    readonly framework: FrameworkSuffixes,
    private readonly zone: ZoneBuilder,
    private readonly mode: LabelMode,
  ) {
    const f = framework;
    this.plain = zone.name(label + f.suffix);
    this.slave = zone.name(label + f.slaveSuffix);
    this.slaveSrv = [zone.name(`_${label}._tcp${f.slaveSuffix}`), zone.name(`_${label}._udp${f.slaveSuffix}`)];
  }

  /**
   * Adds a resource-port SRV record: always under `_T._tcp|_udp.F.slave.D`, and for a task
   * without DiscoveryInfo also under `_T._tcp|_udp.F.D`. Reaches the zone on `flush`.
   */
  addResourceSrv(data: SrvData, withoutDiscovery: boolean): void {
    this.#slaveResourceSrv.push(data);
    if (withoutDiscovery) this.#plainResourceSrv.push(data);
  }

  /** Hands the collected resource-port SRV records to the zone, sorted once per list. */
  flush(): void {
    const slave = this.#slaveResourceSrv;
    const plain = this.#plainResourceSrv;
    if (slave.length === 0) return;
    slave.sort(compareTargetPort);
    for (const name of this.slaveSrv) for (const data of slave) name.addSrv(data);
    if (plain.length === 0) return;
    // When every instance lacked DiscoveryInfo the lists hold the same records.
    const sorted = plain.length === slave.length ? slave : plain.sort(compareTargetPort);
    for (const name of this.#plainSrvNames()) {
      const entry = this.zone.name(name);
      for (const data of sorted) entry.addSrv(data);
    }
  }

  /**
   * The names a resource-port SRV record of one instance lands on at `flush`, for provenance.
   * @example set.resourceSrvNames(true) // ["_web._tcp.marathon.slave.mesos", "_web._udp.marathon.slave.mesos", "_web._tcp.marathon.mesos", "_web._udp.marathon.mesos"]
   */
  resourceSrvNames(withoutDiscovery: boolean): string[] {
    const slave = this.slaveSrv.map((name) => name.name);
    return withoutDiscovery ? [...slave, ...this.#plainSrvNames()] : slave;
  }

  #plainSrvNames(): [string, string] {
    const suffix = this.framework.suffix;
    return [`_${this.label}._tcp${suffix}`, `_${this.label}._udp${suffix}`];
  }

  /**
   * The SRV names of one discovery port: `_T._proto.F.D` (both protocols when the protocol
   * sanitises to nothing) and, when the port has a name, `_name._T._proto.F.D` as well.
   * `position` is the port's index in its DiscoveryInfo (a cache hint only).
   * @example set.discoverySrv({ number: 80, protocol: "tcp", name: "http", labels: [] }, 0) // handles of _web._tcp.marathon.mesos, _http._web._tcp.marathon.mesos
   */
  discoverySrv(port: DiscoveryPort, position: number): readonly ZoneName[] {
    const rawProtocol = port.protocol ?? "";
    const rawName = port.name ?? "";
    const last = this.#lastByPosition[position];
    if (last !== undefined && last.protocol === rawProtocol && last.name === rawName) return last.names;
    const names = this.#discoverySrvOf(rawProtocol, rawName);
    this.#lastByPosition[position] = { protocol: rawProtocol, name: rawName, names };
    return names;
  }

  #discoverySrvOf(rawProtocol: string, rawName: string): readonly ZoneName[] {
    let byName = this.#discoverySrv.get(rawProtocol);
    if (byName === undefined) {
      byName = new Map();
      this.#discoverySrv.set(rawProtocol, byName);
    }
    let names = byName.get(rawName);
    if (names === undefined) {
      const suffix = this.framework.suffix;
      const protocol = dnsLabel(rawProtocol, this.mode);
      const bases =
        protocol === "" ? [`_${this.label}._tcp${suffix}`, `_${this.label}._udp${suffix}`] : [`_${this.label}._${protocol}${suffix}`];
      const portName = dnsLabel(rawName, this.mode);
      const all = portName === "" ? bases : [...bases, ...bases.map((base) => `_${portName}.${base}`)];
      names = all.map((name) => this.zone.name(name));
      byName.set(rawName, names);
    }
    return names;
  }

  /**
   * `T-hash-tail`, the canonical task label. When it would exceed 63 characters (a long RFC 1123
   * name), `T` is shortened so the label stays valid DNS; mesos-dns emitted an unusable name.
   * @example set.canonicalLabel("-4dfjd-0") // "liquor-store-4dfjd-0"
   */
  canonicalLabel(tag: string): string {
    const over = this.lastLabelLength + tag.length - MAX_LABEL;
    if (over <= 0) return this.label + tag;
    const cut = Math.min(over, this.lastLabelLength - 1);
    return this.label.slice(0, this.label.length - cut) + tag;
  }
}

/** The names of every instance of one app (same framework, same task or discovery name). */
export interface AppNames {
  /** From the sanitised name; `undefined` when it sanitises to nothing (no records). */
  readonly sanitised: TaskNameSet | undefined;
  /**
   * From the raw DiscoveryInfo name, lowercased (mesos-dns's legacy duplicate records); only
   * when it is a usable DNS name that differs from the sanitised one.
   */
  readonly raw: TaskNameSet | undefined;
  /** A raw name was due but is not a usable DNS name. */
  readonly rawUnusable: boolean;
}

const USABLE_RAW_NAME = /^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/;

/**
 * The names of an app. `withRaw` is true for tasks with a DiscoveryInfo name, whose records
 * mesos-dns made twice: once under the raw name, once under the sanitised one. `nameSet`
 * returns the shared set of a label, so that equal labels from different apps share handles.
 * @example appNames("big.dog", true, "rfc952", nameSet).raw?.label // "big.dog"
 */
export function appNames(
  name: string,
  withRaw: boolean,
  mode: LabelMode,
  nameSet: (label: string, lastLabelLength: number) => TaskNameSet,
): AppNames {
  const label = dnsLabel(name, mode);
  const sanitised = label === "" ? undefined : nameSet(label, label.length);
  if (!withRaw || sanitised === undefined) return { sanitised, raw: undefined, rawUnusable: false };
  const rawLabel = name.toLowerCase();
  if (rawLabel === label) return { sanitised, raw: undefined, rawUnusable: false };
  if (!USABLE_RAW_NAME.test(rawLabel)) return { sanitised, raw: undefined, rawUnusable: true };
  const raw = nameSet(rawLabel, rawLabel.length - rawLabel.lastIndexOf(".") - 1);
  return { sanitised, raw, rawUnusable: false };
}

/** Resource SRV data of one name set differ only in target and port. */
function compareTargetPort(a: SrvData, b: SrvData): number {
  return compareStrings(a.target, b.target) || a.port - b.port;
}
