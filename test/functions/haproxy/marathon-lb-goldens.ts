/**
 * @module
 * marathon-lb's own renderings (`state-fixtures/upstream/marathon-lb/golden/`) as test cases:
 * each case's Marathon apps and marathon-lb options become a snapshot whose `haproxy` config
 * reproduces those options, with marathon-lb's head and server naming, so the text can be
 * compared line for line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { UPSTREAM_DIR } from "../../support/upstream-fixtures.ts";

const GOLDEN_DIR = join(UPSTREAM_DIR, "marathon-lb/golden");

export interface GoldenInput {
  groups: string[];
  bind_http_https: boolean;
  ssl_certs: string;
  haproxy_map: boolean;
  group_https_by_vhost: boolean;
  health_check: boolean;
  strict_mode: boolean;
  config_file: string;
  service_port_range: [number, number] | null;
  env: Record<string, string>;
  apps: unknown[];
}

export interface GoldenCase {
  name: string;
  input: GoldenInput;
  expected: { haproxy_cfg: string; domain2backend_map: string; app2backend_map: string };
}

/** Every golden case, by name. */
export function goldenCases(): GoldenCase[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(GOLDEN_DIR, f), "utf8")) as GoldenCase);
}

/**
 * marathon-lb's default HAPROXY_HEAD as a wayfinder template: the text of a golden config up
 * to the end of its stats section, braces doubled, the option lines replaced by their placeholder.
 */
export function marathonLbHead(cfg: string): string {
  const end = "  http-request use-service lua.signalmlbusr1 if signalmlbusr1\n";
  const head = cfg.slice(0, cfg.indexOf(end) + end.length);
  const lines = head.split("\n");
  const first = lines.findIndex((l) => l.startsWith("  option            "));
  let last = first;
  while (lines[last + 1]?.startsWith("  option            ")) last++;
  const escaped = lines.map((l) => l.replaceAll("{", "{{").replaceAll("}", "}}"));
  return [...escaped.slice(0, first), "{globalDefaultOptions}" + escaped[last + 1]!, ...escaped.slice(last + 2)].join("\n");
}

/** The snapshot that asks wayfinder for what the golden case asked marathon-lb. */
export function goldenSnapshot(golden: GoldenCase, overrides: Record<string, unknown> = {}): ClusterSnapshot {
  const { input } = golden;
  const options = input.env.HAPROXY_GLOBAL_DEFAULT_OPTIONS;
  return ClusterSnapshot.parse({
    cluster: { name: golden.name },
    now: "2026-01-01T00:00:00Z",
    marathonApps: input.apps,
    config: {
      haproxy: {
        groups: input.groups,
        bindHttpHttps: input.bind_http_https,
        sslCerts: input.ssl_certs === "" ? ["/etc/ssl/cert.pem"] : input.ssl_certs.split(","),
        haproxyMap: input.haproxy_map,
        groupHttpsByVhost: input.group_https_by_vhost,
        healthCheck: input.health_check,
        strictMode: input.strict_mode,
        servicePortRange: input.service_port_range === null ? null : { min: input.service_port_range[0], max: input.service_port_range[1] },
        mapDir: input.config_file.slice(0, input.config_file.lastIndexOf("/")),
        ...(options === undefined ? {} : { globalDefaultOptions: options.split(",").map((o) => o.trim()) }),
        serverNaming: "marathon-lb",
        templates: { HEAD: marathonLbHead(golden.expected.haproxy_cfg) },
        ...overrides,
      },
    },
  });
}

/** The CA file `withCaFile` gives the apps that ask HAProxy to verify client certificates. */
export const GOLDEN_CA_FILE = "/etc/ssl/ca.pem";

/**
 * DELIBERATE: marathon-lb rendered `HAPROXY_0_BIND_OPTIONS=verify optional` without a CA file,
 * which HAProxy refuses (`verify is enabled but no CA file specified`); wayfinder leaves such
 * an app out. This gives those apps a CA file, so the golden's routing can still be compared.
 */
export function withCaFile(golden: GoldenCase): GoldenCase {
  const apps = (golden.input.apps as { labels: Record<string, string> }[]).map((app) => {
    const options = app.labels.HAPROXY_0_BIND_OPTIONS;
    return options === undefined || !/\bverify (optional|required)\b/.test(options) ? app : { ...app, labels: { ...app.labels, HAPROXY_0_BIND_OPTIONS: `${options} ca-file ${GOLDEN_CA_FILE}` } };
  });
  return { ...golden, input: { ...golden.input, apps } };
}
