/**
 * @module
 * `wayfinder.yaml`: the operator's configuration. Every key is optional; an absent key takes
 * the DC/OS default (mesos-dns `config.json`, `dcos-net` app env, `config.yaml`
 * `dcos_overlay_network`, marathon-lb flags). Unknown keys are rejected so that a typo is an
 * error rather than a silently ignored setting.
 */
import { z } from "zod";
import { parseNetwork } from "../net/networks.ts";
import { parseUpstream } from "../net/upstream-address.ts";
import { ipToBigInt } from "../net/ip-bigint.ts";
import { parseIp, type IpFamily } from "../net/ip-literal.ts";
import { OverlayConfig } from "./overlay-config.ts";
import { HaproxyConfig } from "./haproxy-config.ts";
import { PolicyConfig, policyNetworkRefs, PSEUDO_NETWORKS } from "./policy-config.ts";
import { IPVS_SCHEDULERS } from "../desired/ipvs-schedulers.ts";

/** Where a task's A/AAAA records take their addresses from, tried in order (mesos-dns `IPSources`). */
export const IpSource = z.enum(["netinfo", "docker", "mesos", "host"]);
export type IpSource = z.infer<typeof IpSource>;

const Domain = z
  .string()
  .regex(/^[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/, "a domain is dot-separated labels of letters, digits and '-'")
  .transform((d) => d.toLowerCase());

/** `ip` or `ip:port` (`[v6]:port` for IPv6); port 53 when absent. */
const Upstream = z
  .string()
  .refine((text) => parseUpstream(text) !== undefined, "an upstream is an IP literal with an optional port: 'ip', 'ip:port' or '[v6]:port'");

/** A CIDR block (`10.0.0.0/8`, `fd01:b::/64`) or a single IP. */
const Network = z.string().refine((text) => parseNetwork(text) !== undefined, "a network is 'ip/prefix' or a single IP literal");

export const DnsConfig = z
  .object({
    /** The Mesos-DNS domain. */
    domain: Domain.default("mesos"),
    /** TTL of every record in the Mesos-DNS zone (mesos-dns `TTL`). */
    ttl: z.number().int().min(0).max(2147483647).default(60),
    ipSources: z
      .array(IpSource)
      .min(1)
      .refine((l) => new Set(l).size === l.length, "ipSources must not repeat a source")
      .default(["netinfo", "mesos", "host"]),
    /** Use 24-character RFC 952 labels instead of 63-character RFC 1123 ones (mesos-dns `EnforceRFC952`). */
    rfc952: z.boolean().default(false),
    /** SRV weight of every Mesos-DNS SRV record (`SRVRecordDefaultWeight`). */
    srvWeight: z.number().int().min(0).max(65535).default(1),
    soa: z
      .object({
        /** Primary name server; default `ns1.<domain>`. */
        mname: z.string().optional(),
        /** Responsible mailbox; `@` is allowed and becomes `.`. Default `root.ns1.<domain>`. */
        rname: z.string().optional(),
        refresh: z.number().int().min(0).default(60),
        retry: z.number().int().min(0).default(600),
        expire: z.number().int().min(0).default(86400),
      })
      .strict()
      .default({ refresh: 60, retry: 600, expire: 86400 }),
    /**
     * Addresses published for the SOA primary (`ns1.<domain>`). mesos-dns used its listener
     * addresses; here the default is the masters' IPs, where the zone is also served.
     */
    nsAddresses: z.array(z.string()).optional(),
    /** TTL of the dcos-dns zones (`*.thisdcos.directory`). */
    dcosTtl: z.number().int().min(0).default(5),
    /** Default upstream resolvers for names outside the local zones. */
    upstreams: z.array(Upstream).default([]),
    /** Zone → upstreams; the longest matching suffix wins. */
    forwardZones: z.record(Domain, z.array(Upstream).min(1)).default({}),
    /**
     * Forward the Mesos-DNS domain to every master at this port (DC/OS ran mesos-dns on the
     * masters at 61053) instead of answering it from the zone every node computes.
     */
    masterResolverPort: z.number().int().min(1).max(65535).optional(),
    /** How long one forwarded query waits for an upstream, in milliseconds (dcos-dns: 5000). */
    forwardTimeoutMs: z.number().int().min(50).max(30000).default(2000),
    /**
     * Clients whose queries may be forwarded (everyone else gets REFUSED for names outside the
     * local zones). Default: loopback, the agents' and masters' IPs, the overlay and VTEP
     * subnets and the DC/OS bridge networks (docker0 172.17.0.0/16, mesos-bridge 172.31.254.0/24).
     */
    allowedNetworks: z.array(Network).optional(),
  })
  .strict();
export type DnsConfig = z.infer<typeof DnsConfig>;

const IpLiteralText = (family: IpFamily) =>
  z.string().refine((ip) => parseIp(ip)?.family === family, `must be an IPv${family} address`);

/** An inclusive named-VIP range of one family, `min` ≤ `max`. */
const VipRange = (family: IpFamily) =>
  z
    .object({ min: IpLiteralText(family), max: IpLiteralText(family) })
    .strict()
    .refine((r) => ipToBigInt(r.min) <= ipToBigInt(r.max), { message: "min must not be above max", path: ["max"] });


export const L4lbConfig = z
  .object({
    /** Named-VIP address range (inclusive), IPv4 (dcos-l4lb `min_named_ip`/`max_named_ip`). */
    ipv4Range: VipRange(4).default({ min: "11.0.0.0", max: "11.255.255.255" }),
    /** Named-VIP address range (inclusive), IPv6 (`min_named_ip6`/`max_named_ip6`). */
    ipv6Range: VipRange(6).default({ min: "fd01:c::", max: "fd01:c::ffff:ffff:ffff:ffff" }),
    /**
     * How long a named VIP that lost all its backends keeps its address reserved (seconds), so a
     * crash-looping or redeployed app comes back on the address clients cached. 0: released at once (DC/OS).
     */
    namedVipGraceSeconds: z.number().int().min(0).default(3600),
    /** IPv6 VIPs and backends (DC/OS `enable_ipv6`); off, IPv6 backends are left out. */
    ipv6: z.boolean().default(true),
    /** The IPVS scheduler (`wlc` = weighted least connections); the nftables backend always picks at random by weight. */
    scheduler: z.enum(IPVS_SCHEDULERS, { error: (issue) => `${JSON.stringify(issue.input)} is not an IPVS scheduler; one of ${IPVS_SCHEDULERS.join(", ")}` }).default("wlc"),
    backend: z.enum(["auto", "nftables", "ipvs"]).default("auto"),
  })
  .strict();
export type L4lbConfig = z.infer<typeof L4lbConfig>;

/** The `haproxy` section (marathon-lb flags and templates) lives in `haproxy-config.ts`. */
export { HaproxyConfig };

export const Config = z
  .object({
    dns: DnsConfig.default(DnsConfig.parse({})),
    overlay: OverlayConfig.default(OverlayConfig.parse({})),
    l4lb: L4lbConfig.default(L4lbConfig.parse({})),
    haproxy: HaproxyConfig.default(HaproxyConfig.parse({})),
    /** Network policy and attach ACLs (`policy-config.ts`); absent: no policy, every connection open as in DC/OS. */
    policy: PolicyConfig.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.policy === undefined) return;
    // A name the policy uses must be a network that exists, or a typo would isolate nothing.
    const overlays = config.overlay.overlays.map((o) => o.name);
    const known = new Set<string>([...overlays, ...PSEUDO_NETWORKS, ...Object.keys(config.policy.networks)]);
    for (const ref of policyNetworkRefs(config.policy)) {
      if (!known.has(ref.name)) {
        ctx.addIssue({ code: "custom", path: ["policy", ...ref.path], message: `unknown network '${ref.name}' (known: ${[...known].sort().join(", ")})` });
      }
    }
    for (const name of overlays) {
      if ((PSEUDO_NETWORKS as readonly string[]).includes(name)) {
        ctx.addIssue({ code: "custom", path: ["overlay", "overlays"], message: `the policy calls public agents '${name}'; an overlay of that name would be ambiguous` });
      }
    }
  });
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;
