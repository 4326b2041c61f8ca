/**
 * @module
 * `wayfinder dns`'s flags and their parsing into `DnsOptions` (the wiring is in `dns.ts`).
 */
import { resolve } from "node:path";
import { networkText } from "../../net/networks.ts";
import { parseUpstream } from "../../net/upstream-address.ts";
import { parseIp } from "../../net/ip-literal.ts";
import { parseListenAddress, type ListenAddress } from "../../net/listen-address.ts";
import type { ForwardingOverrides } from "../../dns/serving-state.ts";
import { checked, wholeNumber } from "../flag-values.ts";
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

export const DNS_COMMAND = {
  name: "dns",
  summary: "serve a desired state's DNS zones on UDP and TCP, forwarding the rest",
  synopsis: ["dns (--zones DIR | --snapshot F | --desired F) --listen IP:PORT... [flags]"],
  flags: {
    zones: {
      type: "string",
      value: "DIR",
      description: "the agent's DNS directory (<state dir>/dns): its zones store is followed batch by batch, each applied in place; without one yet the built-in zones answer",
    },
    snapshot: { type: "string", value: "F", description: "a ClusterSnapshot whose zones to serve (reconciled here); followed: a new version is swapped in whole" },
    desired: {
      type: "string",
      value: "F",
      description: "a DesiredState, or a zones.json (kind DnsZones), whose zones to serve; followed like --snapshot",
    },
    listen: { type: "string", value: "IP:PORT", repeatable: true, description: "an address to answer on, UDP and TCP (at least one)" },
    upstream: {
      type: "string",
      value: "IP[:PORT]",
      repeatable: true,
      defaultNote: "the desired state's dns.upstreams",
      description: "a resolver to forward other names to (port 53 unless given)",
    },
    allow: {
      type: "string",
      value: "CIDR",
      repeatable: true,
      defaultNote: "the desired state's networks: loopback, the agents and masters, the overlay and VTEP subnets",
      description: "a network whose clients may have names forwarded (others get REFUSED)",
    },
    "timeout-ms": { type: "string", value: "N", defaultNote: "the desired state's", description: "milliseconds to wait for an upstream (50 to 30000)" },
    "max-udp-size": { type: "string", value: "N", default: "4096", description: "the largest UDP answer sent to an EDNS(0) client (512 to 65535)" },
    http: {
      type: "string",
      value: "IP:PORT",
      defaultNote: "off",
      description: "serve mesos-dns's and dcos-dns's HTTP endpoints (/v1/hosts, /v1/services, ...) and GET /metrics here",
    },
    workers: { type: "string", value: "N", default: "1", description: "processes sharing the DNS sockets (1 to 64)" },
  },
  notes: [
    "A zone file that fails validation is logged and the last good zones keep serving. environment: WAYFINDER_TOKEN puts the HTTP endpoints (but /healthz) behind that bearer token.",
    "Runs until SIGINT or SIGTERM. exit codes: 0 stopped by a signal; 1 an address cannot be bound; 2 usage, or a zone source that cannot be read or is invalid.",
  ],
} as const satisfies CommandSpec;

export interface DnsOptions {
  /** Which flag named the zone source, and its absolute path. */
  source: { flag: "--zones" | "--snapshot" | "--desired"; path: string };
  listen: ListenAddress[];
  overrides: ForwardingOverrides;
  maxUdpSize: number;
  http?: ListenAddress;
  workers: number;
}

/**
 * @example parseDnsOptions(["--desired", "zones.json", "--listen", "127.0.0.1:5353"], "/srv")
 * // { source: { flag: "--desired", path: "/srv/zones.json" }, listen: [{ host: "127.0.0.1", port: 5353 }], overrides: {}, maxUdpSize: 4096, workers: 1 }
 */
export function parseDnsOptions(args: readonly string[], cwd: string): DnsOptions {
  const { values, positionals } = parseFlags(DNS_COMMAND, args);
  const fail = (message: string) => usageError("dns", message);
  if (positionals.length > 0) throw fail(`unexpected argument '${positionals[0]}'`);
  const given = [values.zones, values.snapshot, values.desired].filter((v) => v !== undefined);
  if (given.length !== 1) throw fail("give exactly one of --zones DIR, --snapshot F or --desired F");
  const listen = values.listen.map((text) => checked("dns", () => dnsListenAddress(text)));
  if (listen.length === 0) throw fail("--listen IP:PORT is required");
  const upstreams = values.upstream.map((text) => {
    const upstream = parseUpstream(text);
    if (upstream === undefined) throw fail(`--upstream '${text}' is not IP or IP:PORT`);
    return upstream;
  });
  const allowed = values.allow.map((text) => {
    const network = networkText(text);
    if (network === undefined) throw fail(`--allow '${text}' is not a CIDR block or an IP`);
    return network;
  });
  const timeoutMs = values["timeout-ms"] === undefined ? undefined : wholeNumber("dns", "--timeout-ms", values["timeout-ms"], 50, 30_000);
  return {
    source:
      values.zones !== undefined
        ? { flag: "--zones", path: resolve(cwd, values.zones) }
        : values.snapshot !== undefined
          ? { flag: "--snapshot", path: resolve(cwd, values.snapshot) }
          : { flag: "--desired", path: resolve(cwd, values.desired!) },
    listen,
    overrides: {
      ...(upstreams.length === 0 ? {} : { upstreams }),
      ...(allowed.length === 0 ? {} : { allowedNetworks: allowed }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    },
    maxUdpSize: wholeNumber("dns", "--max-udp-size", values["max-udp-size"], 512, 65_535),
    ...(values.http === undefined ? {} : { http: checked("dns", () => parseListenAddress(values.http!)) }),
    workers: wholeNumber("dns", "--workers", values.workers, 1, 64),
  };
}

/** A DNS listener binds an address, not a name: resolving one would need DNS. */
function dnsListenAddress(text: string): ListenAddress {
  const address = parseListenAddress(text);
  const ip = parseIp(address.host);
  if (ip === undefined) throw new Error(`--listen needs an IP address, not '${address.host}'`);
  return { host: ip.address, port: address.port };
}
