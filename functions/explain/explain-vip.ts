/**
 * @module
 * `explain vip IP:PORT|NAME`: the VIP services that match, each with its backends (weight,
 * health, the task and agent behind them), the nodes that program it and the names that
 * resolve to it. Accepted forms: `11.1.2.3:80`, `[fd01::1]:80`, either with `/tcp` or `/udp`,
 * a VIP name (`web.marathon`, its `.l4lb.thisdcos.directory` name, or either with `:PORT`).
 */
import type { L4Service } from "../../lib/desired/schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { addressForPort } from "../../lib/net/ip-literal.ts";
import { parseIp } from "../../lib/net/ip-literal.ts";
import { splitHostPort } from "../../lib/net/host-port.ts";
import { latestStatus, taskHealthy } from "../task-facts/task-network.ts";
import { closestMatches } from "./closest.ts";
import type { ExplainContext } from "./context.ts";
import type { ExplainedBackend, ExplainedVip, NotFound, VipExplanation } from "./schema.ts";

const L4LB_SUFFIX = ".l4lb.thisdcos.directory";

interface VipQuery {
  ip?: string;
  name?: string;
  port?: number;
  protocol?: "tcp" | "udp";
}

/**
 * @example explainVip(context, "web.marathon:80").services[0].backends.map((b) => b.taskId) // ["web.1", "web.2"]
 */
export function explainVip(context: ExplainContext, query: string): VipExplanation | NotFound {
  const wanted = parseVipQuery(query);
  const services = context.desired.l4lb.services.filter((s) => matches(s, wanted));
  if (services.length === 0) {
    return {
      kind: "not-found",
      subject: "vip",
      query,
      message: `no VIP matches '${query}' (give IP:PORT, [IPv6]:PORT or a VIP name such as web.marathon, optionally with /tcp or /udp)`,
      closest: closestMatches(query.trim(), vipKeys(context.desired.l4lb.services)),
    };
  }
  const explained = services.map((service) => explainedVip(context, service));
  const subjects = [...new Set(services.flatMap((s) => [`vip:${s.name ?? s.dnsName}`, `vip:${s.vip.protocol}:${s.vip.ip}:${s.vip.port}`]))].sort(compareStrings);
  return { kind: "vip", query, services: explained, diagnostics: subjects.flatMap((s) => context.diagnosticsOf(s)) };
}

/**
 * How a VIP is written: `ip:port/proto` (IPv6 in brackets).
 * @example vipText({ ip: "fd01::1", port: 80, protocol: "tcp" }) // "[fd01::1]:80/tcp"
 */
export function vipText(vip: L4Service["vip"]): string {
  return `${addressForPort(vip.ip)}:${vip.port}/${vip.protocol}`;
}

/**
 * One VIP service with its backends' health, the nodes that program it and its names (the
 * dashboard lists these a page at a time).
 * @example explainedVip(context, desired.l4lb.services[0]).backends[0].health // "healthy"
 */
export function explainedVip(context: ExplainContext, service: L4Service): ExplainedVip {
  const backends = service.backends.map((backend): ExplainedBackend => {
    const task = context.tasks.get(backend.taskId);
    const healthy = task === undefined ? undefined : taskHealthy(task, latestStatus(task));
    return {
      ip: backend.ip,
      port: backend.port,
      weight: backend.weight,
      draining: backend.weight === 0,
      health: healthy === undefined ? "unknown" : healthy ? "healthy" : "unhealthy",
      taskId: backend.taskId,
      ...(task === undefined ? {} : { taskState: task.state }),
      ...(backend.agentId === undefined ? {} : { agentId: backend.agentId }),
      ...(backend.local === undefined ? {} : { local: backend.local }),
    };
  });
  const owner = `vip:${service.name ?? service.dnsName}`;
  const dnsNames = [...new Set(context.ledger.recordsOf(owner).filter((r) => r.data === service.vip.ip).map((r) => r.name))].sort(compareStrings);
  const localOn = [...new Set(service.backends.flatMap((b) => (b.local !== undefined && b.agentId !== undefined ? [b.agentId] : [])))].sort(compareStrings);
  return {
    vip: service.vip,
    ...(service.name === undefined ? {} : { name: service.name }),
    ...(service.dnsName === undefined ? {} : { dnsName: service.dnsName }),
    dnsNames,
    scheduler: service.scheduler,
    backends,
    nodes: { agents: context.snapshot.agents.length, localOn },
  };
}

function parseVipQuery(text: string): VipQuery {
  let rest = text.trim().toLowerCase();
  let protocol: VipQuery["protocol"];
  const suffix = /\/(tcp|udp)$/.exec(rest) ?? /^(tcp|udp)[/:](?=.)/.exec(rest);
  if (suffix !== null) {
    protocol = suffix[1] as "tcp" | "udp";
    rest = rest.startsWith(suffix[0]) ? rest.slice(suffix[0].length) : rest.slice(0, -suffix[0].length);
  }
  const hostPort = splitHostPort(rest);
  const port = hostPort === undefined ? undefined : hostPort.port;
  const host = hostPort?.host ?? rest.replace(/^\[|\]$/g, "");
  const ip = parseIp(host);
  if (ip !== undefined) return { ip: ip.address, ...(port === undefined ? {} : { port }), ...(protocol === undefined ? {} : { protocol }) };
  const name = host.replace(/\.+$/, "");
  return { name: name.endsWith(L4LB_SUFFIX) ? name.slice(0, -L4LB_SUFFIX.length) : name, ...(port === undefined ? {} : { port }), ...(protocol === undefined ? {} : { protocol }) };
}

function matches(service: L4Service, query: VipQuery): boolean {
  if (query.port !== undefined && service.vip.port !== query.port) return false;
  if (query.protocol !== undefined && service.vip.protocol !== query.protocol) return false;
  if (query.ip !== undefined) return parseIp(service.vip.ip)?.address === query.ip;
  return service.name !== undefined && service.name.toLowerCase() === query.name;
}

function* vipKeys(services: readonly L4Service[]): Iterable<string> {
  for (const service of services) {
    yield `${addressForPort(service.vip.ip)}:${service.vip.port}`;
    if (service.name !== undefined) yield service.name;
  }
}
