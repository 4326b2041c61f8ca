/**
 * @module
 * The TCP addresses HAProxy configs listen on, and where two configs' listeners meet. Every
 * group is its own HAProxy, and HAProxy binds with `SO_REUSEPORT`: two groups on one node
 * listening on one port would not fail, they would silently share its connections. So two
 * groups are kept apart on a node when any port of theirs overlaps: the same port on the same
 * address, or on any address when one of them listens on all of them (`*`, `0.0.0.0`, `::`).
 * The control plane reads listeners from the groups' models; the agent from the configs' own
 * `bind` lines (`configListeners`), which is what HAProxy will bind.
 */
import { compareStrings } from "../../net/compare.ts";
import type { HeadModel, SharedFrontends } from "./model.ts";

/** One address and port a frontend binds. */
export interface Listener {
  /** `*` or an IP address (bare, without brackets). */
  readonly address: string;
  readonly port: number;
}

/** Addresses that listen on every address of the node. */
export const WILDCARD_ADDRESSES: ReadonlySet<string> = new Set(["*", "", "0.0.0.0", "::"]);

/**
 * Whether two listeners on one port take the same connections.
 * @example addressesOverlap("*", "10.0.0.1") // true
 * @example addressesOverlap("10.0.0.1", "10.0.0.2") // false
 */
export function addressesOverlap(a: string, b: string): boolean {
  return a === b || WILDCARD_ADDRESSES.has(a) || WILDCARD_ADDRESSES.has(b);
}

/**
 * The listeners of a group every config has: the :80/:443 vhost frontends (when rendered), the
 * app-id frontend and the stats listener, each with the section that binds it.
 * @example sharedListeners(frontends, head)[0] // { address: "*", port: 80, owner: "the :80 vhost frontend marathon_http_in" }
 */
export function sharedListeners(frontends: SharedFrontends, head: HeadModel): Array<Listener & { owner: string }> {
  const listeners: Array<Listener & { owner: string }> = [];
  if (frontends.bindHttpHttps) {
    listeners.push({ address: frontends.bindAddress, port: frontends.httpPort, owner: "the :80 vhost frontend marathon_http_in" });
    if (frontends.httpsPort !== frontends.httpPort) listeners.push({ address: frontends.bindAddress, port: frontends.httpsPort, owner: "the :443 vhost frontend marathon_https_in" });
  }
  listeners.push({ address: frontends.bindAddress, port: frontends.appIdPort, owner: "the app-id frontend marathon_http_appid_in" });
  listeners.push({ address: head.statsBindAddress, port: head.statsPort, owner: "the stats listener" });
  return listeners;
}

const BIND_LINE = /^\s*bind\s+(\S+)/;
/** Address families that are TCP; any other `family@` (abns@, unix@, fd@, udp@, quic4@) is not a TCP port. */
const TCP_FAMILY = /^(?:ipv4|ipv6|tcp|tcp4|tcp6)@/;

/**
 * The TCP listeners of a config's `bind` lines (every address of a comma-separated list, every
 * port of a range); abstract and UNIX sockets are not ports and are left out.
 * @example configListeners("frontend f\n  bind *:80,10.0.0.1:8000-8001 ssl\n  bind abns@x\n")
 * // [{ address: "*", port: 80 }, { address: "10.0.0.1", port: 8000 }, { address: "10.0.0.1", port: 8001 }]
 */
export function configListeners(config: string): Listener[] {
  const listeners: Listener[] = [];
  for (const line of config.split("\n")) {
    const match = BIND_LINE.exec(line);
    if (match === null) continue;
    for (const spec of match[1]!.split(",")) {
      const bare = spec.replace(TCP_FAMILY, "");
      if (bare.includes("@") || bare.startsWith("/")) continue;
      const parsed = addressAndPorts(bare);
      if (parsed === undefined) continue;
      for (let port = parsed.first; port <= parsed.last; port++) listeners.push({ address: parsed.address, port });
    }
  }
  return listeners;
}

function addressAndPorts(spec: string): { address: string; first: number; last: number } | undefined {
  const bracket = /^\[([^\]]*)\]:(.*)$/.exec(spec);
  const colon = spec.lastIndexOf(":");
  const [address, ports] = bracket !== null ? [bracket[1]!, bracket[2]!] : colon < 0 ? [spec, ""] : [spec.slice(0, colon), spec.slice(colon + 1)];
  const range = /^(\d+)(?:-(\d+))?$/.exec(ports);
  if (range === null) return undefined;
  const first = Number(range[1]);
  const last = range[2] === undefined ? first : Number(range[2]);
  if (first < 1 || last > 65535 || last < first) return undefined;
  return { address: address === "" ? "*" : address, first, last };
}

/** Two groups whose listeners overlap, and the lowest port they share. */
export interface GroupClash {
  /** Sorted. */
  readonly groups: readonly [string, string];
  readonly port: number;
}

/**
 * The listeners of several groups, by port, and for every two groups the ports they share.
 * Adding or removing a listener costs what is on its port, so a control plane can keep it
 * current one service at a time.
 * @example
 * const table = new GroupListeners();
 * table.add("external", { address: "*", port: 80 }); table.add("internal", { address: "10.0.0.1", port: 80 });
 * table.lowestSharedPort("external", "internal") // 80
 */
export class GroupListeners {
  /** Port → group → address → how many of its frontends bind it. */
  readonly #byPort = new Map<number, Map<string, Map<string, number>>>();
  /** Pair key → the ports the two groups share. */
  readonly #shared = new Map<string, Set<number>>();
  #touched = new Set<string>();

  add(group: string, listener: Listener): void {
    const at = this.#byPort.get(listener.port) ?? new Map<string, Map<string, number>>();
    this.#byPort.set(listener.port, at);
    const own = at.get(group) ?? new Map<string, number>();
    at.set(group, own.set(listener.address, (own.get(listener.address) ?? 0) + 1));
    this.#recheck(listener.port, group);
  }

  remove(group: string, listener: Listener): void {
    const at = this.#byPort.get(listener.port);
    const own = at?.get(group);
    const count = own?.get(listener.address);
    if (count === undefined) return;
    if (count > 1) own!.set(listener.address, count - 1);
    else own!.delete(listener.address);
    if (own!.size === 0) at!.delete(group);
    this.#recheck(listener.port, group);
    if (at!.size === 0) this.#byPort.delete(listener.port);
  }

  /**
   * The lowest port two groups share, if any.
   * @example table.lowestSharedPort("external", "internal") // 9090
   */
  lowestSharedPort(a: string, b: string): number | undefined {
    const ports = this.#shared.get(pairKey(a, b));
    if (ports === undefined) return undefined;
    let lowest: number | undefined;
    for (const port of ports) if (lowest === undefined || port < lowest) lowest = port;
    return lowest;
  }

  /** The pairs whose shared ports changed since the last call, each as its two groups, sorted. */
  takeTouchedPairs(): Array<[string, string]> {
    const touched = [...this.#touched].map((key) => key.split("\u0000") as [string, string]);
    this.#touched = new Set();
    return touched;
  }

  /** Every pair of groups that share a port, with the lowest, in group order. */
  clashes(): GroupClash[] {
    const out: GroupClash[] = [];
    for (const key of this.#shared.keys()) {
      const [a, b] = key.split("\u0000") as [string, string];
      out.push({ groups: [a, b], port: this.lowestSharedPort(a, b)! });
    }
    return out.sort((x, y) => compareStrings(x.groups[0], y.groups[0]) || compareStrings(x.groups[1], y.groups[1]));
  }

  /** Whether `group` and each other group on `port` still overlap there. */
  #recheck(port: number, group: string): void {
    const at = this.#byPort.get(port)!;
    const mine = at.get(group);
    for (const [other, theirs] of at) {
      if (other === group) continue;
      const key = pairKey(group, other);
      const ports = this.#shared.get(key);
      const overlap = mine !== undefined && overlapsAt(mine, theirs);
      if (overlap === (ports?.has(port) === true)) continue;
      this.#touched.add(key);
      if (overlap) this.#shared.set(key, (ports ?? new Set<number>()).add(port));
      else {
        ports!.delete(port);
        if (ports!.size === 0) this.#shared.delete(key);
      }
    }
  }
}

/**
 * Every two groups whose listeners overlap (the agent's check, on the configs it would run).
 * @example clashingGroups(new Map([["a", [{ address: "*", port: 80 }]], ["b", [{ address: "*", port: 80 }]]])) // [{ groups: ["a", "b"], port: 80 }]
 */
export function clashingGroups(listeners: ReadonlyMap<string, Iterable<Listener>>): GroupClash[] {
  const table = new GroupListeners();
  for (const [group, list] of listeners) for (const listener of list) table.add(group, listener);
  return table.clashes();
}

function overlapsAt(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  for (const address of a.keys()) if (WILDCARD_ADDRESSES.has(address)) return b.size > 0;
  for (const address of b.keys()) if (WILDCARD_ADDRESSES.has(address) || a.has(address)) return true;
  return false;
}

function pairKey(a: string, b: string): string {
  return compareStrings(a, b) <= 0 ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}
