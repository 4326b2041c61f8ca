/**
 * @module
 * `wayfinder.yaml`: the operator's configuration. Every key is optional; an absent key takes
 * the DC/OS default (mesos-dns `config.json`, `dcos-net` app env, `config.yaml`
 * `dcos_overlay_network`, marathon-lb flags). Unknown keys are rejected so that a typo is an
 * error rather than a silently ignored setting.
 */
import { z } from "zod";
import { HaproxyConfig } from "./haproxy-config.ts";

/** Where a task's A/AAAA records take their addresses from, tried in order (mesos-dns `IPSources`). */
export const IpSource = z.enum(["netinfo", "docker", "mesos", "host"]);
export type IpSource = z.infer<typeof IpSource>;

const Domain = z
  .string()
  .regex(/^[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/, "a domain is dot-separated labels of letters, digits and '-'")
  .transform((d) => d.toLowerCase());

/** `ip` or `ip:port` (`[v6]:port` for IPv6); port 53 when absent. */
const Upstream = z.string().min(1);

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
  })
  .strict();
export type DnsConfig = z.infer<typeof DnsConfig>;

/** One overlay network of DC/OS's `dcos_overlay_network.overlays[]`. */
export const OverlayNetworkConfig = z.looseObject({
  name: z.string().min(1).max(13),
  subnet: z.string().optional(),
  prefix: z.number().int().optional(),
  subnet6: z.string().optional(),
  prefix6: z.number().int().optional(),
  enabled: z.boolean().default(true),
});

/** DC/OS's `dcos_overlay_network`, as is. */
export const OverlayConfig = z.looseObject({
  vtep_subnet: z.string().default("44.128.0.0/20"),
  vtep_subnet6: z.string().optional().default("fd01:a::/64"),
  vtep_mac_oui: z.string().default("70:B3:D5:00:00:00"),
  vtep_mtu: z.number().int().optional(),
  overlays: z.array(OverlayNetworkConfig).default([
    { name: "dcos", subnet: "9.0.0.0/8", prefix: 24, enabled: true },
    { name: "dcos6", subnet6: "fd01:b::/64", prefix6: 80, enabled: true },
  ]),
});

export const L4lbConfig = z.looseObject({
  /** Named-VIP address range (inclusive), IPv4. */
  ipv4Range: z.object({ min: z.string(), max: z.string() }).default({ min: "11.0.0.0", max: "11.255.255.255" }),
  /** Named-VIP address range (inclusive), IPv6. */
  ipv6Range: z
    .object({ min: z.string(), max: z.string() })
    .default({ min: "fd01:c::", max: "fd01:c::ffff:ffff:ffff:ffff" }),
  scheduler: z.string().default("wlc"),
  backend: z.enum(["auto", "nftables", "ipvs"]).default("auto"),
});

/** The `haproxy` section (marathon-lb flags and templates) lives in `haproxy-config.ts`. */
export { HaproxyConfig };

export const Config = z
  .object({
    dns: DnsConfig.default(DnsConfig.parse({})),
    overlay: OverlayConfig.default(OverlayConfig.parse({})),
    l4lb: L4lbConfig.default(L4lbConfig.parse({})),
    haproxy: HaproxyConfig.default(HaproxyConfig.parse({})),
  })
  .strict();
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;
