/**
 * @module
 * The names of task records (specs/dns.md §1.3–1.4). Everything that depends only on the task
 * label `T` and the framework `F` is built once per (framework, label) and shared by every
 * instance of the app: at 100k tasks the records would otherwise spend their time
 * concatenating and sanitising the same strings again.
 */
import type { DiscoveryPort } from "../../lib/snapshot/schema.ts";
import { dnsLabel } from "../../lib/net/dns-labels.ts";
import type { LabelMode } from "../../lib/net/dns-labels.ts";

/** The framework part of task names: `.F.D` and `.F.slave.D`. */
export interface FrameworkSuffixes {
  readonly suffix: string;
  readonly slaveSuffix: string;
}

const MAX_LABEL = 63;

/**
 * The names one task label `T` gives under one framework.
 * @example
 * const set = new TaskNameSet("web", 3, { suffix: ".marathon.mesos", slaveSuffix: ".marathon.slave.mesos" }, "rfc1123");
 * set.plain // "web.marathon.mesos"
 */
export class TaskNameSet {
  /** `T.F.D` */
  readonly plain: string;
  /** `T.F.slave.D` */
  readonly slave: string;
  /** `_T._tcp.F.slave.D`, `_T._udp.F.slave.D`: every instance's resource ports. */
  readonly slaveSrv: readonly [string, string];
  /** `_T._tcp.F.D`, `_T._udp.F.D`: the resource ports of instances without DiscoveryInfo. */
  readonly plainSrv: readonly [string, string];
  /** Protocol → port name → SRV names of discovery ports. */
  readonly #discoverySrv = new Map<string, Map<string, readonly string[]>>();
  /**
   * The last lookup per port position: instances of one app list the same ports in the same
   * order, so this answers almost every lookup without hashing the protocol and name again.
   */
  readonly #lastByPosition: Array<{ protocol: string; name: string; names: readonly string[] }> = [];

  constructor(
    /** `T` */
    readonly label: string,
    /** Length of the last DNS label of `T`, the one the canonical `-hash-tail` extends. */
    readonly lastLabelLength: number,
    readonly framework: FrameworkSuffixes,
    private readonly mode: LabelMode,
  ) {
    const f = framework;
    this.plain = label + f.suffix;
    this.slave = label + f.slaveSuffix;
    this.slaveSrv = [`_${label}._tcp${f.slaveSuffix}`, `_${label}._udp${f.slaveSuffix}`];
    this.plainSrv = [`_${label}._tcp${f.suffix}`, `_${label}._udp${f.suffix}`];
  }

  /**
   * The SRV names of one discovery port: `_T._proto.F.D` (both protocols when the protocol
   * sanitises to nothing) and, when the port has a name, `_name._T._proto.F.D` as well.
   * `position` is the port's index in its DiscoveryInfo (a cache hint only).
   * @example set.discoverySrv({ number: 80, protocol: "tcp", name: "http", labels: [] }, 0) // ["_web._tcp.marathon.mesos", "_http._web._tcp.marathon.mesos"]
   */
  discoverySrv(port: DiscoveryPort, position: number): readonly string[] {
    const rawProtocol = port.protocol ?? "";
    const rawName = port.name ?? "";
    const last = this.#lastByPosition[position];
    if (last !== undefined && last.protocol === rawProtocol && last.name === rawName) return last.names;
    const names = this.#discoverySrvOf(rawProtocol, rawName);
    this.#lastByPosition[position] = { protocol: rawProtocol, name: rawName, names };
    return names;
  }

  #discoverySrvOf(rawProtocol: string, rawName: string): readonly string[] {
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
      names = portName === "" ? bases : [...bases, ...bases.map((base) => `_${portName}.${base}`)];
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
 * returns the shared set of a label, so that equal labels from different apps share it.
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

/**
 * The app names of one framework, each worked out on first use. A sanitised label never holds
 * a dot, so equal labels always have equal last-label lengths and one set per label serves
 * raw and sanitised names alike.
 * @example new AppNameCache("rfc1123").of("web", false, framework).sanitised?.plain // "web.marathon.mesos"
 */
export class AppNameCache {
  readonly #taskApps = new Map<string, AppNames>();
  readonly #discoveryApps = new Map<string, AppNames>();
  readonly #nameSets = new Map<string, TaskNameSet>();

  constructor(private readonly mode: LabelMode) {}

  /** The names of the app whose tasks carry this task name (or DiscoveryInfo name). */
  of(name: string, withDiscovery: boolean, framework: FrameworkSuffixes): AppNames {
    const cache = withDiscovery ? this.#discoveryApps : this.#taskApps;
    let app = cache.get(name);
    if (app === undefined) {
      app = appNames(name, withDiscovery, this.mode, (label, lastLabelLength) => {
        let set = this.#nameSets.get(label);
        if (set === undefined) this.#nameSets.set(label, (set = new TaskNameSet(label, lastLabelLength, framework, this.mode)));
        return set;
      });
      cache.set(name, app);
    }
    return app;
  }
}
