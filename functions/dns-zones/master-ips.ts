/**
 * @module
 * The masters' and the leader's IPs, as the dcos-dns zones publish them (`leader`/`master` in
 * `dcos.thisdcos.directory`, the `zk` zone). Entries that are not IP literals are reported: a
 * pure function cannot resolve hostnames, so `wayfinder snapshot` resolves them beforehand.
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { parseIp, type IpLiteral } from "../../lib/net/ip-literal.ts";
import { parsePid, splitHostPort } from "../../lib/net/host-port.ts";

export interface MasterIps {
  /** The leader's IP; absent when no leader is known or its address is not an IP. */
  leader?: IpLiteral;
  /** One IP a master entry, in the snapshot's order, without repeats. */
  masters: IpLiteral[];
  diagnostics: Diagnostic[];
}

/**
 * @example masterIps(snapshot) // { leader: { address: "10.0.0.1", family: 4 }, masters: [...], diagnostics: [] }
 */
export function masterIps(snapshot: ClusterSnapshot): MasterIps {
  const diagnostics: Diagnostic[] = [];
  const masters: IpLiteral[] = [];
  for (const entry of snapshot.masters) {
    const ip = parseIp(splitHostPort(entry)?.host ?? entry);
    if (ip === undefined) diagnostics.push(notAnIp(entry, "master"));
    else if (!masters.some((m) => m.address === ip.address)) masters.push(ip);
  }
  let leader: IpLiteral | undefined;
  if (snapshot.leader !== "") {
    const pid = snapshot.leader;
    leader = parseIp(parsePid(pid)?.host ?? splitHostPort(pid)?.host ?? pid);
    if (leader === undefined) diagnostics.push(notAnIp(pid, "leader"));
  }
  return { leader, masters, diagnostics };
}

function notAnIp(entry: string, role: string): Diagnostic {
  return {
    level: "warning",
    code: "dns.dcos.master-not-ip",
    subject: `master:${entry}`,
    message: `the ${role} address '${entry}' is not an IP literal, so it gets no dcos-dns record; resolve it when the snapshot is taken`,
  };
}
