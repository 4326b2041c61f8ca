/**
 * Every kind of config the reconciler renders passes HAProxy 2.6's own check (`haproxy -c`):
 * the 24 marathon-lb golden inputs in both server namings with wayfinder's head, the demo
 * cluster, and a cluster using the features the goldens do not (wildcards, IPv6 servers,
 * rewrites, HSTS, map mode with relative map files beside the config). Bind options HAProxy
 * refuses are caught before it sees them: the checker's table agrees with `haproxy -c`, and an
 * app with such options is left out while the rest of its group passes the check.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describeWithTools } from "../support/tools.ts";
import { haproxyGroups } from "../../functions/haproxy/index.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { haproxyGroupFiles } from "../../lib/render/haproxy/group-files.ts";
import { ConfigRejectedError, validateConfig } from "../../lib/executor/haproxy/haproxy-process.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { HaproxyGroup } from "../../lib/desired/schema.ts";
import { goldenCases, goldenSnapshot, withCaFile } from "../functions/haproxy/marathon-lb-goldens.ts";
import { app, hc, render, snapshotOf } from "../functions/haproxy/helpers.ts";
import { BIND_OPTION_CASES } from "../functions/haproxy/bind-option-cases.ts";
import { selfSignedCert } from "./support/haproxy-harness.ts";

describeWithTools(["haproxy", "openssl"])("haproxy -c on rendered configs", () => {
  let dir: string;
  let cert: string;
  let caseNumber = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wf-l7-check-"));
    cert = selfSignedCert(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Writes a group's files with every certificate path pointing at the test certificate, then checks the config. */
  async function check(groups: Record<string, HaproxyGroup>): Promise<string> {
    const root = join(dir, `case${++caseNumber}`);
    let last = "";
    for (const [path, text] of haproxyGroupFiles(groups)) {
      const target = join(root, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text.replace(/(crt|ca-file) \/\S+/g, `$1 ${cert}`));
      if (path.endsWith(".cfg")) last = target;
    }
    const warnings = await validateConfig({ binary: "haproxy", timeoutMs: 30_000 }, last);
    expect(warnings).not.toContain("[ALERT]");
    return warnings;
  }

  it.each(goldenCases().map((g) => [g.name, g] as const))("golden %s", async (_name, input) => {
    // `verify optional` needs a CA file HAProxy can load; marathon-lb never checked.
    const golden = withCaFile(input);
    for (const serverNaming of ["slots", "marathon-lb"] as const) {
      // wayfinder's own head: marathon-lb's loads Lua scripts this machine does not have.
      const { templates: _templates, ...rest } = goldenSnapshot(golden).config.haproxy;
      const snapshot = goldenSnapshot(golden, { ...rest, serverNaming, templates: {}, mapDir: undefined, maxconn: 2000 });
      await check(haproxyGroups(snapshot).groups);
    }
  });

  it("the demo cluster", async () => {
    const demo = ClusterSnapshot.parse(JSON.parse(await readFile("state-fixtures/demo/snapshot.json", "utf8")));
    const snapshot = ClusterSnapshot.parse({ ...demo, config: { ...demo.config, haproxy: { ...demo.config.haproxy, maxconn: 2000 } } });
    await check(reconcile(snapshot).haproxy.groups);
  });

  it("wildcards, IPv6 servers, rewrites, HSTS, auth, network ACLs and map files", async () => {
    const apps = [
      app({ id: "/wild", labels: { HAPROXY_0_VHOST: "*.apps.test,apps.test", HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH: "/r", HAPROXY_0_USE_HSTS: "true" } }),
      app({ id: "/v6", ports: [10001], tasks: [["six", [31000]]], labels: { HAPROXY_0_VHOST: "v6.test", HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH: "/p.x", HAPROXY_0_HTTP_BACKEND_REDIR: "/home" }, healthChecks: [hc(2, 1, 2)] }),
      app({ id: "/auth", ports: [10002], labels: { HAPROXY_0_VHOST: "a.test,b.test", HAPROXY_0_PATH: "-i /x /y", HAPROXY_0_AUTH: "Realm:u:$6$salt$hash", HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL: "10.0.0.0/8 ::1" } }),
      app({ id: "/tcp", ports: [10003], labels: { HAPROXY_0_STICKY: "true", HAPROXY_0_BALANCE: "source", HAPROXY_0_BIND_ADDR: "::1" } }),
      app({ id: "/plain", ports: [10004], labels: { HAPROXY_0_VHOST: "plain.test" } }),
    ];
    for (const haproxyMap of [false, true]) {
      const result = haproxyGroups(snapshotOf(apps, { haproxyMap, maxconn: 2000, healthCheck: false }, { agent1: "10.0.0.1", six: "fd00::6" }));
      expect(result.diagnostics).toEqual([]);
      expect(result.groups.external!.config).toContain("[fd00::6]:31000");
      if (haproxyMap) expect(result.groups.external!.maps!["domain2backend.map"]).toContain("plain.test plain_10004");
      await check(result.groups);
    }
  });

  it.each(BIND_OPTION_CASES)("bind options %j (%j): haproxy -c accepts them: %s", async (options, context, accepted) => {
    const root = join(dir, `case${++caseNumber}`);
    await mkdir(root, { recursive: true });
    const tls = context.groupedTls ? `abns@check accept-proxy ssl crt ${cert}` : context.sslCert ? `127.0.0.1:18443 ssl crt ${cert}` : "127.0.0.1:18443";
    const config = [
      "defaults",
      "  mode http",
      "  timeout connect 1s",
      "  timeout client 1s",
      "  timeout server 1s",
      "frontend check",
      `  bind ${tls} ${options.replace(/\/etc\/ssl\/\S+/g, cert)}`,
      "  default_backend none",
      "backend none",
      "",
    ].join("\n");
    await writeFile(join(root, "check.cfg"), config);
    const verdict = await validateConfig({ binary: "haproxy", timeoutMs: 30_000 }, join(root, "check.cfg")).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ConfigRejectedError) return false;
        throw error;
      },
    );
    expect(verdict).toBe(accepted);
  });

  it("an app whose bind options HAProxy refuses is left out, and the rest of its group passes the check", async () => {
    for (const groupHttpsByVhost of [false, true]) {
      const apps = [
        app({ id: "/mtls", labels: { HAPROXY_0_VHOST: "mtls.test", HAPROXY_0_SSL_CERT: "/etc/ssl/mtls.pem", HAPROXY_0_BIND_OPTIONS: "verify optional" } }),
        app({ id: "/web", ports: [10001], labels: { HAPROXY_0_VHOST: "web.test", HAPROXY_0_SSL_CERT: "/etc/ssl/web.pem", HAPROXY_0_BIND_OPTIONS: "alpn h2,http/1.1" } }),
      ];
      const { result, diagnostics } = render(apps, { groupHttpsByVhost, maxconn: 2000 });
      expect(diagnostics).toEqual([expect.objectContaining({ level: "error", code: "haproxy.invalid-label", subject: "app:/mtls" })]);
      expect(result.groups.external!.config).toContain("backend web_10001");
      await check(result.groups);
    }
  });
});
