/**
 * @module
 * IPVS rules as DC/OS programmed them (dcos_l4lb_mgr, specs/overlay_l4lb.md §4.6): one virtual
 * service per (protocol, VIP, port) with the configured scheduler (wlc) and no persistence, one
 * masquerading (`-m`) real server per backend with its weight. Printed in `ipvsadm-save -n`
 * form, which `ipvsadm-restore` reads. `ipvsDelta` prints only the commands that turn one rule
 * set into another, so connections to unchanged services and servers survive. Pure.
 */
import type { DesiredState, L4Service } from "../desired/schema.ts";

/** A virtual service and its real servers, keyed the way ipvsadm prints them. */
export interface IpvsService {
  /** `-t 11.0.0.1:80` or `-u [fd01:c::1]:53`. */
  key: string;
  scheduler: string;
  /** `10.0.0.2:31000` → weight. */
  servers: Map<string, number>;
}

/**
 * @example ipvsServices(desired.l4lb.services)[0] // { key: "-t 11.171.172.79:80", scheduler: "wlc", servers: Map { "172.17.0.3:6416" => 1 } }
 */
export function ipvsServices(services: readonly L4Service[]): IpvsService[] {
  return services.map((s) => ({
    key: `${s.vip.protocol === "tcp" ? "-t" : "-u"} ${endpoint(s.vip.ip, s.vip.port)}`,
    scheduler: s.scheduler,
    servers: new Map(s.backends.map((b) => [endpoint(b.ip, b.port), b.weight])),
  }));
}

/**
 * The rule file `l4lb/ipvsadm.rules`.
 * @example renderIpvsadm(desired) // "-A -t 11.171.172.79:80 -s wlc\n-a -t 11.171.172.79:80 -r 172.17.0.3:6416 -m -w 1\n"
 */
export function renderIpvsadm(desired: DesiredState): string {
  return ipvsDelta([], ipvsServices(desired.l4lb.services));
}

/**
 * `ipvsadm-restore` commands from `from` to `to`: deleted services go with their servers, a
 * changed scheduler is edited in place (`-E`), a changed weight is edited (`-e`), never re-added.
 * @example ipvsDelta(installed, wanted) // "-e -t 11.0.0.1:80 -r 9.0.1.2:80 -m -w 0\n"
 */
export function ipvsDelta(from: readonly IpvsService[], to: readonly IpvsService[]): string {
  const lines: string[] = [];
  const before = new Map(from.map((s) => [s.key, s]));
  const after = new Map(to.map((s) => [s.key, s]));
  for (const key of before.keys()) if (!after.has(key)) lines.push(`-D ${key}`);
  for (const service of to) {
    const old = before.get(service.key);
    if (old === undefined) lines.push(`-A ${service.key} -s ${service.scheduler}`);
    else if (old.scheduler !== service.scheduler) lines.push(`-E ${service.key} -s ${service.scheduler}`);
    const servers = old?.servers ?? new Map<string, number>();
    for (const server of servers.keys()) if (!service.servers.has(server)) lines.push(`-d ${service.key} -r ${server}`);
    for (const [server, weight] of service.servers) {
      const was = servers.get(server);
      if (was === undefined) lines.push(`-a ${service.key} -r ${server} -m -w ${weight}`);
      else if (was !== weight) lines.push(`-e ${service.key} -r ${server} -m -w ${weight}`);
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/**
 * Reads `ipvsadm-save -n` output back into services (what a node runs now).
 * @example parseIpvsadmSave("-A -t 11.0.0.1:80 -s wlc\n-a -t 11.0.0.1:80 -r 9.0.1.2:80 -m -w 1\n")
 * // [{ key: "-t 11.0.0.1:80", scheduler: "wlc", servers: Map { "9.0.1.2:80" => 1 } }]
 */
export function parseIpvsadmSave(text: string): IpvsService[] {
  const services = new Map<string, IpvsService>();
  for (const line of text.split("\n")) {
    const service = /^-A (-[tuf] \S+) .*?-s (\S+)/.exec(line);
    if (service !== null) {
      services.set(service[1]!, { key: service[1]!, scheduler: service[2]!, servers: new Map() });
      continue;
    }
    const server = /^-a (-[tuf] \S+) -r (\S+) .*?-w (\d+)/.exec(line);
    if (server !== null) services.get(server[1]!)?.servers.set(server[2]!, Number(server[3]));
  }
  return [...services.values()];
}

function endpoint(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}
