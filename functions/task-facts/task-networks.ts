/**
 * @module
 * Which networks a task is on, and which address it has on each: what attach ACLs and network
 * policy decide on. An address's network is the name of the `NetworkInfo` reporting it; when
 * Mesos leaves the name out (UCR and Docker often do in statuses), it is the overlay whose
 * subnet holds the address, `host` when it is the agent's own, the one network the container
 * asked for, else `bridge` (Docker's or Mesos's bridge). A task that reports nothing is on
 * the networks its container asked for, else Docker's `BRIDGE` or Mesos's default, `host`.
 */
import type { ClusterSnapshot, Task, TaskStatus } from "../../lib/snapshot/schema.ts";
import { parseIp, type IpLiteral } from "../../lib/net/ip-literal.ts";
import { contains, parseCidr, parseIpValue, type Cidr } from "../../lib/net/cidr.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { latestStatus } from "./task-network.ts";

/** Mesos states after which a task holds no address and no network (spec §4.2's `terminal`). */
const TERMINAL = new Set(["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR"]);

/**
 * @example isTerminal({ state: "TASK_FAILED" }) // true
 */
export function isTerminal(task: Pick<Task, "state">): boolean {
  return TERMINAL.has(task.state);
}

/** What naming an address's network takes: the agents' addresses and the overlays' subnets. */
export interface NetworkContext {
  agentIps: ReadonlySet<string>;
  overlays: ReadonlyArray<{ name: string; cidr: Cidr }>;
}

/**
 * @example networkContext(snapshot).overlays.map((o) => o.name) // ["dcos", "dcos6"]
 */
export function networkContext(snapshot: ClusterSnapshot): NetworkContext {
  const overlays: Array<{ name: string; cidr: Cidr }> = [];
  for (const overlay of snapshot.config.overlay.overlays) {
    for (const text of [overlay.subnet, overlay.subnet6]) {
      const cidr = text === undefined ? undefined : parseCidr(text);
      if (cidr !== undefined) overlays.push({ name: overlay.name, cidr });
    }
  }
  return { agentIps: new Set(snapshot.agents.flatMap((a) => a.ips)), overlays };
}

/** One address of a task and the network it is on. */
export interface TaskAddress {
  ip: IpLiteral;
  network: string;
}

/**
 * The task's addresses, each with its network, from its latest status (as DNS and the VIPs
 * read them), without repeats.
 * @example taskAddresses(task, context) // [{ ip: { address: "9.0.0.2", family: 4 }, network: "dcos" }]
 */
export function taskAddresses(task: Task, context: NetworkContext, latest: TaskStatus | undefined = latestStatus(task)): TaskAddress[] {
  const asked = requestedNetworks(task);
  const out: TaskAddress[] = [];
  for (const info of latest?.networkInfos ?? []) {
    for (const text of info.ipAddresses) {
      const ip = parseIp(text);
      if (ip === undefined || out.some((a) => a.ip.address === ip.address)) continue;
      out.push({ ip, network: info.name ?? unnamedNetwork(ip.address, asked, context) });
    }
  }
  return out;
}

/**
 * Every network the task is on or asked for, sorted: what attach ACLs are checked against.
 * @example taskNetworks(ucrOnDcos, context) // ["dcos"]
 */
export function taskNetworks(task: Task, context: NetworkContext, latest: TaskStatus | undefined = latestStatus(task)): string[] {
  const names = new Set([...requestedNetworks(task), ...taskAddresses(task, context, latest).map((a) => a.network)]);
  if (names.size === 0) names.add(task.container?.dockerNetwork?.toUpperCase() === "BRIDGE" ? "bridge" : "host");
  return [...names].sort(compareStrings);
}

function requestedNetworks(task: Task): string[] {
  return (task.container?.networkInfos ?? []).flatMap((n) => (n.name === undefined ? [] : [n.name]));
}

function unnamedNetwork(address: string, asked: readonly string[], context: NetworkContext): string {
  const value = parseIpValue(address);
  const overlay = value && context.overlays.find((o) => o.cidr.family === value.family && contains(o.cidr, value.value));
  if (overlay) return overlay.name;
  if (context.agentIps.has(address)) return "host";
  return asked.length === 1 ? asked[0]! : "bridge";
}
