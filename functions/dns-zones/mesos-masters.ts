/**
 * @module
 * `leader.D`, `master.D`, `masterN.D` and `_leader._tcp|_udp.D` (specs/dns.md §1.7, mesos-dns
 * `masterRecord`). The numbering is mesos-dns's, so that `master0.mesos` keeps naming the host
 * it always named: masters in list order, a duplicate IP skipped without using an index, and
 * the leader appended at the next free index when the list does not contain it.
 */
import { parseIp, type IpLiteral } from "../../lib/net/ip-literal.ts";
import { parsePid, splitHostPort } from "../../lib/net/host-port.ts";
import { MesosDnsCode } from "./mesos-context.ts";
import type { AddressList, Addresses, MesosZoneContext } from "./mesos-context.ts";

const CLUSTER = "cluster";

/**
 * Adds the leader and master records; returns the addresses of `master.D` (empty when the
 * leader PID is absent or invalid, since mesos-dns then made no master records at all).
 * @example
 * addMasterRecords(ctx, "master@10.0.0.1:5050", ["10.0.0.2:5050", "10.0.0.1:5050"]);
 * // leader=10.0.0.1, master={10.0.0.1,10.0.0.2}, master0=10.0.0.2, master1=10.0.0.1
 */
export function addMasterRecords(ctx: MesosZoneContext, leader: string, masters: readonly string[]): Addresses {
  if (leader === "") {
    // Not an error: the input had no leader to give. Say how to get the records.
    ctx.report(
      "info",
      MesosDnsCode.noLeader,
      CLUSTER,
      "the snapshot names no leader (Marathon-only and operator-API inputs have none), so there are no leader or master records; give `wayfinder snapshot --master HOST:PORT` (the first is taken as the leader)",
    );
    return { a: [], aaaa: [] };
  }
  const pid = parsePid(leader);
  const leaderIp = pid && parseIp(pid.host);
  if (!pid || !leaderIp || pid.port === 0) {
    ctx.report(
      "error",
      MesosDnsCode.invalidLeader,
      CLUSTER,
      `leader ${JSON.stringify(leader)} is not a PID like master@10.0.0.1:5050; no leader or master records`,
    );
    return { a: [], aaaa: [] };
  }
  const d = ctx.domain;
  const type = leaderIp.family === 4 ? "A" : "AAAA";
  ctx.records.add(`leader.${d}`, type, leaderIp.address);
  const leaderSrv = ctx.srv(`leader.${d}`, pid.port);
  ctx.records.addSrv(`_leader._tcp.${d}`, leaderSrv);
  ctx.records.addSrv(`_leader._udp.${d}`, leaderSrv);

  const seen = new Set<string>([leaderIp.address]);
  const all: AddressList = { a: [], aaaa: [] };
  const addMaster = (ip: IpLiteral): void => {
    ctx.records.add(`master.${d}`, ip.family === 4 ? "A" : "AAAA", ip.address);
    (ip.family === 4 ? all.a : all.aaaa).push(ip.address);
  };
  addMaster(leaderIp);

  let index = 0;
  let leaderIndexed = false;
  for (const entry of masters) {
    const hostPort = splitHostPort(entry);
    const ip = hostPort && parseIp(hostPort.host);
    if (!hostPort || !ip) {
      ctx.report("warning", MesosDnsCode.invalidMaster, CLUSTER, `master ${JSON.stringify(entry)} is not ip:port; skipped`);
      continue;
    }
    // Compared as normalised (ip, port), not as text: `[2001:DB8::1]:5050` is the leader too.
    const isLeader = ip.address === leaderIp.address && hostPort.port === pid.port;
    if (isLeader) {
      if (leaderIndexed) continue;
      leaderIndexed = true;
    } else {
      if (seen.has(ip.address)) continue;
      seen.add(ip.address);
      addMaster(ip);
    }
    ctx.records.add(`master${index}.${d}`, ip.family === 4 ? "A" : "AAAA", ip.address);
    index++;
  }
  if (!leaderIndexed) ctx.records.add(`master${index}.${d}`, type, leaderIp.address);
  return all;
}
