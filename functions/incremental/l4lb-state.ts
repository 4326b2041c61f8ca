/**
 * @module
 * The L4 objects, one change at a time: a task's offers move in and out of their VIP groups,
 * the named-VIP addresses follow (`NamedVipAllocator`), and at `flush` only the services whose
 * group, address or conflict changed are rewritten, with the allocation objects, diagnostics
 * and `l4lb.thisdcos.directory` records of the names involved.
 */
import type { IpvsScheduler } from "../../lib/desired/ipvs-schedulers.ts";
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import type { L4Service } from "../../lib/desired/schema.ts";
import type { Agent, ClusterSnapshot, Framework, Task } from "../../lib/snapshot/schema.ts";
import { taskVipOffers } from "../l4lb/index.ts";
import { unusedMarathonVips } from "../l4lb/marathon-vips.ts";
import type { MarathonApp } from "../../lib/snapshot/marathon.ts";
import { NamedVipAllocator } from "../l4lb/named-vip-allocator.ts";
import type { VipEntry, VipKey } from "../l4lb/task-vips.ts";
import { vipGroupId, type VipGroups } from "../l4lb/vip-groups.ts";
import { ipService, namedService, serviceAddress, vipConflict } from "../l4lb/vip-services.ts";
import { Part, setDiagnostics } from "../keyed/diagnostic-objects.ts";
import type { L4lbDerivation } from "../keyed/derive-l4lb.ts";
import { vipDns } from "../keyed/dns-owners.ts";
import type { KeyedObjects } from "../keyed/object-store.ts";

/**
 * @example
 * const l4 = new L4lbState(objects, snapshot, derivation.l4lb);
 * l4.setTask(task.id, task, agent, framework);
 * l4.flush(now);
 */
export class L4lbState {
  readonly #groups: VipGroups;
  readonly #offers: Map<string, VipEntry[]>;
  readonly #allocator: NamedVipAllocator;
  /** Named service key → the address it listens on; address → how many named services. */
  readonly #namedAt = new Map<string, string>();
  readonly #occupied = new Map<string, number>();
  readonly #scheduler: IpvsScheduler;
  readonly #ipv6: boolean;

  constructor(
    private readonly objects: KeyedObjects,
    snapshot: Pick<ClusterSnapshot, "config">,
    derivation: L4lbDerivation,
  ) {
    this.#groups = derivation.groups;
    this.#offers = derivation.offers;
    this.#scheduler = snapshot.config.l4lb.scheduler;
    this.#ipv6 = snapshot.config.l4lb.ipv6;
    this.#allocator = new NamedVipAllocator(snapshot.config.l4lb, derivation.allocation, derivation.groups);
    this.#groups.drainTouched();
    for (const services of derivation.servicesByName.values()) {
      for (const service of services) this.#occupy(ObjectKeys.l4NamedService(service.name!, service.vip.protocol, service.vip.port, service.vip.ip.includes(":") ? 6 : 4), service);
    }
  }

  /** A task's offers and diagnostics, for the task as it is now (`undefined`: gone). */
  setTask(id: string, task: Task | undefined, agent: Agent | undefined, framework: Framework | undefined): void {
    for (const entry of this.#offers.get(id) ?? []) this.#groups.remove(id, entry);
    this.#offers.delete(id);
    const offers = task === undefined ? undefined : taskVipOffers(task, agent, framework, this.#ipv6);
    if (offers !== undefined && offers.entries.length > 0) {
      this.#offers.set(id, offers.entries);
      for (const entry of offers.entries) this.#groups.add(id, entry);
    }
    setDiagnostics(this.objects, Part.l4lbTask, `task:${id}`, offers?.diagnostics ?? []);
  }

  /** A Marathon app's VIP labels against the Mesos tasks it lists (`tasks`, those the snapshot has). */
  setApp(id: string, app: MarathonApp | undefined, tasks: readonly Task[]): void {
    setDiagnostics(this.objects, Part.l4lbMarathon, `app:${id}`, app === undefined ? [] : unusedMarathonVips([app], tasks));
  }

  /** Rewrites what the change touched. */
  flush(now: string): void {
    const touched = this.#groups.drainTouched();
    const step = this.#allocator.step(now, touched.names, touched.ips);
    const groupIds = new Set(touched.groups);
    const names = new Set<string>([...touched.names, ...step.moved]);
    for (const name of step.moved) for (const group of this.#groups.groupsOfName(name)) groupIds.add(group.id);
    const ipGroups = new Set<string>();
    for (const id of groupIds) {
      if (id.startsWith("i ")) ipGroups.add(id);
      else this.#writeNamed(id, ipGroups);
    }
    for (const id of ipGroups) this.#writeIp(id);
    for (const name of step.changed) {
      const entries = this.#allocator.entries(name);
      this.objects.set(ObjectKeys.namedVipAllocation(name), entries.length === 0 ? undefined : entries);
    }
    for (const [name, list] of step.diagnostics) setDiagnostics(this.objects, Part.l4lbAllocation, `vip:${name}`, list);
    for (const name of names) {
      const own = vipDns(this.#servicesOfName(name));
      this.objects.set(ObjectKeys.dnsRecords({ kind: "vip", id: name }), own.records);
      setDiagnostics(this.objects, Part.dnsL4lb, `vip:${name}`, own.diagnostics);
    }
  }

  /** A named group's service per family; the IP groups whose address they take or free. */
  #writeNamed(id: string, ipGroups: Set<string>): void {
    const key = parseGroupId(id);
    if (key.kind !== "named") return;
    const group = this.#groups.get(id);
    for (const family of [4, 6] as const) {
      const objectKey = ObjectKeys.l4NamedService(key.name, key.protocol, key.port, family);
      const service = group === undefined ? undefined : namedService(this.#groups, group, family, this.#allocator.address(key.name, family), this.#scheduler);
      const before = this.#namedAt.get(objectKey);
      if (before !== undefined) {
        this.#count(before, -1);
        this.#namedAt.delete(objectKey);
        ipGroups.add(ipGroupAt(before));
      }
      if (service !== undefined) {
        this.#occupy(objectKey, service);
        ipGroups.add(ipGroupAt(serviceAddress(service.vip)));
      }
      this.objects.set(objectKey, service);
    }
  }

  /** An IP group's service, unless a named service holds its address and port. */
  #writeIp(id: string): void {
    const key = parseGroupId(id);
    if (key.kind !== "ip") return;
    const group = this.#groups.get(id);
    const objectKey = ObjectKeys.l4IpService(key.ip, key.protocol, key.port);
    const service = group === undefined ? undefined : ipService(this.#groups, { ...group, key }, this.#scheduler);
    const conflict = service !== undefined && this.#occupied.has(serviceAddress(service.vip));
    this.objects.set(objectKey, conflict ? undefined : service);
    setDiagnostics(this.objects, Part.l4lbConflict, `vip:${key.protocol}:${key.ip}:${key.port}`, conflict ? [vipConflict(key)] : []);
  }

  #servicesOfName(name: string): L4Service[] {
    const services: L4Service[] = [];
    for (const group of this.#groups.groupsOfName(name)) {
      for (const family of [4, 6] as const) {
        const service = namedService(this.#groups, group, family, this.#allocator.address(name, family), this.#scheduler);
        if (service !== undefined) services.push(service);
      }
    }
    return services;
  }

  #occupy(objectKey: string, service: L4Service): void {
    const at = serviceAddress(service.vip);
    this.#namedAt.set(objectKey, at);
    this.#count(at, 1);
  }

  #count(at: string, delta: 1 | -1): void {
    const n = (this.#occupied.get(at) ?? 0) + delta;
    if (n === 0) this.#occupied.delete(at);
    else this.#occupied.set(at, n);
  }
}

/** The key of a group id (`vipGroupId` written back). */
function parseGroupId(id: string): VipKey {
  const [kind, head, protocol, port] = id.split(" ") as [string, string, "tcp" | "udp", string];
  return kind === "n" ? { kind: "named", name: head, protocol, port: Number(port) } : { kind: "ip", ip: head, protocol, port: Number(port) };
}

/** The IP group whose service would listen where a named service does. */
function ipGroupAt(address: string): string {
  const [ip, port, protocol] = address.split(" ") as [string, string, "tcp" | "udp"];
  return vipGroupId({ kind: "ip", ip, protocol, port: Number(port) });
}
