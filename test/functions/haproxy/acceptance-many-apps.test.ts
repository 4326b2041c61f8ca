/**
 * The rendering cases 21-46 of `specs/l7.md` §8 (marathon-lb's `tests/test_marathon_lb.py`):
 * Marathon payloads, health-check ports and groups, rewrites, ordering, map mode, strict mode
 * and grouped HTTPS. Cases 1-20 are in `acceptance-one-app.test.ts`. Deliberate differences
 * from marathon-lb are marked DELIBERATE with the reason.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { app, hc, HEADS, render, section } from "./helpers.ts";

const VHOST = "test.example.com";
const SERVER = "  server agent1_1_1_1_1_1024 1.1.1.1:1024 id 28363";
const HTTP_OPTIONS = ["  option forwardfor", "  http-request set-header X-Forwarded-Port %[dst_port]", "  http-request add-header X-Forwarded-Proto https if { ssl_fc }"];
const nginx = (labels: Record<string, string> = {}, extra: Partial<Parameters<typeof app>[0]> = {}) => app({ id: "/nginx", labels, healthChecks: [hc(2, 10, 10)], ...extra });
const onAgent192 = { agent1: "192.0.2.1" };

describe("§8 Marathon payloads through normalisation (cases 21-22)", () => {
  const fixture = (name: string) => JSON.parse(readFileSync(`state-fixtures/upstream/marathon-lb/${name}`, "utf8")).apps as unknown[];

  it("21: a Marathon 1.5 bridge app", () => {
    const { cfg } = render(fixture("marathon15_apps.json"), { healthCheck: true });
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      "  acl host_myvhost_com_pywebserver hdr(host) -i myvhost.com",
      "  use_backend pywebserver_10101 if host_myvhost_com_pywebserver",
    ]);
    expect(section(cfg, "backend pywebserver_10101").at(-1)).toBe("  server 10_0_2_148_1565 10.0.2.148:1565 id 16827");
  });

  it("22: a blue/green deployment group merges into one backend and drains an old task", () => {
    const { cfg } = render(fixture("zdd_apps.json"), { healthCheck: true });
    expect(section(cfg, "backend nginx_10000")).toEqual([
      "  balance roundrobin",
      "  mode http",
      ...HTTP_OPTIONS,
      "  option  httpchk GET /",
      "  timeout check 15s",
      "  server 10_0_1_147_25724 10.0.1.147:25724 id 9975 check inter 3s fall 11",
      "  server 10_0_6_25_16916 10.0.6.25:16916 id 14685 check inter 3s fall 11",
      "  server 10_0_6_25_23336 10.0.6.25:23336 id 14676 check inter 3s fall 11",
      "  server 10_0_6_25_31184 10.0.6.25:31184 id 27565 check inter 3s fall 11 disabled",
    ]);
    expect(cfg).not.toContain("nginx-blue");
    expect(cfg).not.toContain("nginx-green");
  });
});

describe("§8 health-check ports and groups (cases 23-30)", () => {
  it("23: a health check with an explicit port", () => {
    const { cfg } = render([nginx({}, { healthChecks: [hc(2, 10, 10, { port: 1024 })] })]);
    expect(section(cfg, "backend nginx_10000").at(-1)).toBe(`${SERVER} check inter 2s fall 11 port 1024`);
  });

  const twoPorts = (labels: Record<string, string>, checks = [hc(2, 10, 10), hc(2, 10, 10, { portIndex: 1 })]) =>
    app({ id: "/nginx", ports: [10000, 10001], labels, tasks: [["agent1", [1024, 1025]]], healthChecks: checks });

  it("24: BACKEND_HEALTHCHECK_PORT_INDEX checks port 0's servers on port 1's", () => {
    const { cfg } = render([twoPorts({ HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX: "1" })], {}, onAgent192);
    expect(section(cfg, "backend nginx_10000").at(-1)).toBe("  server agent1_192_0_2_1_1024 192.0.2.1:1024 id 18199 check inter 2s fall 11 port 1025");
    expect(section(cfg, "backend nginx_10001").at(-1)).toBe("  server agent1_192_0_2_1_1025 192.0.2.1:1025 id 22260 check inter 2s fall 11");
    expect(section(cfg, "frontend marathon_http_appid_in")).toEqual([...HEADS.appid, "  acl app__nginx hdr(x-marathon-app-id) -i /nginx", "  use_backend nginx_10000 if app__nginx"]);
  });

  it("25: the port comes from a service of another group all the same", () => {
    const { cfg } = render([twoPorts({ HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX: "1", HAPROXY_1_GROUP: "internal" })], {}, onAgent192);
    expect(section(cfg, "backend nginx_10000").at(-1)).toBe("  server agent1_192_0_2_1_1024 192.0.2.1:1024 id 18199 check inter 2s fall 11 port 1025");
    expect(cfg).not.toContain("backend nginx_10001");
  });

  it("26: an index out of range falls back to the server's own port", () => {
    const { cfg } = render([twoPorts({ HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX: "3" })], {}, onAgent192);
    expect(section(cfg, "backend nginx_10000").at(-1)).toBe("  server agent1_192_0_2_1_1024 192.0.2.1:1024 id 18199 check inter 2s fall 11 port 1024");
  });

  it("27: a TCP health check on a vhost: http mode, no httpchk", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: VHOST }, { healthChecks: [{ ...hc(2, 10, 10), protocol: "TCP" }] })]);
    expect(section(cfg, "backend nginx_10000")).toEqual(["  balance roundrobin", "  mode http", ...HTTP_OPTIONS, `${SERVER} check inter 2s fall 11`]);
  });

  it("28: without health checks, two tcp services", () => {
    const { cfg } = render([twoPorts({}, [])]);
    expect(section(cfg, "frontend nginx_10000")).toEqual(["  bind *:10000", "  mode tcp", "  use_backend nginx_10000"]);
    expect(section(cfg, "backend nginx_10000").at(-1)).toBe(SERVER);
    expect(section(cfg, "backend nginx_10001").at(-1)).toBe("  server agent1_1_1_1_1_1025 1.1.1.1:1025 id 19971");
  });

  it("29: per-port groups", () => {
    const { cfg } = render([twoPorts({ HAPROXY_0_GROUP: "external", HAPROXY_1_GROUP: "internal" }, [])]);
    expect(cfg).toContain("backend nginx_10000");
    expect(cfg).not.toContain("nginx_10001");
  });

  it("30: a per-port group overrides the app's group for that port only", () => {
    const { cfg } = render([twoPorts({ HAPROXY_GROUP: "external", HAPROXY_0_GROUP: "internal" }, [])]);
    expect(cfg).not.toContain("nginx_10000");
    expect(cfg).toContain("backend nginx_10001");
  });
});

describe("§8 rewrites, stickiness and ordering (cases 31-35, 41-43)", () => {
  it("31: proxy pass", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: VHOST, HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH: "/test/" })]);
    // DELIBERATE: `reqirep` is gone since HAProxy 2.1; replace-path rewrites the same prefix.
    expect(section(cfg, "backend nginx_10000").slice(5, 7)).toEqual(["  http-request set-header Host test.example.com", "  http-request replace-path ^/test//?(.*) /\\1"]);
  });

  it("32: reverse proxy", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: VHOST, HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH: "/test" })]);
    // DELIBERATE: `rspirep` is gone since HAProxy 2.1; replace-header rewrites Location the same way.
    expect(section(cfg, "backend nginx_10000").slice(5, 7)).toEqual([
      "  acl hdr_location res.hdr(Location) -m found",
      "  http-response replace-header Location ^(https?://test\\.example\\.com(:[0-9]+)?)?(/.*)$ /test if hdr_location",
    ]);
  });

  it("33: redirect of the root", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: VHOST, HAPROXY_0_HTTP_BACKEND_REDIR: "/test" })]);
    expect(section(cfg, "backend nginx_10000").slice(5, 8)).toEqual([
      "  acl is_root path -i /",
      "  acl is_domain hdr(host) -i test.example.com",
      "  redirect code 301 location /test if is_domain is_root",
    ]);
  });

  it("34: sticky without a vhost is tcp with a cookie", () => {
    const { cfg } = render([nginx({ HAPROXY_0_STICKY: "true" }, { healthChecks: [] })]);
    expect(section(cfg, "backend nginx_10000")).toEqual([
      "  balance roundrobin",
      "  mode tcp",
      "  cookie mesosphere_server_id insert indirect nocache",
      `${SERVER} check cookie d6ad48c81f`,
    ]);
  });

  it("35: shared vhost and path: blocks by weight, app-id ACLs by app", () => {
    const apps = ["nginx", "nginx1", "nginx2", "nginx3"].map((name, i) =>
      app({
        id: `/${name}`,
        // DELIBERATE: upstream's case binds all four frontends on *:10000; two frontends on one
        // port split connections at random, so here that is a port conflict (see isolation tests).
        ports: [10000 + i],
        labels: { HAPROXY_0_VHOST: `${VHOST},test`, HAPROXY_0_PATH: "/some/path", HAPROXY_0_BACKEND_WEIGHT: String(i) },
        tasks: [["agent1", [1234 + 1000 * i]]],
        healthChecks: [hc(2, 10, 10)],
      }),
    );
    const { cfg } = render(apps, {}, onAgent192);
    const useBackends = (header: string) => section(cfg, header).filter((l) => l.includes("use_backend")).map((l) => l.split(" ")[3]);
    // Through labels PATH lifts weight 0 to 1 (marathon-lb's label order), so /nginx ties with
    // /nginx1 and keeps its place; upstream's case set the weight on the object directly.
    expect(useBackends("frontend marathon_http_in")).toEqual(["nginx3_10003", "nginx2_10002", "nginx_10000", "nginx1_10001"]);
    expect(useBackends("frontend marathon_https_in")).toEqual(["nginx3_10003", "nginx3_10003", "nginx2_10002", "nginx2_10002", "nginx_10000", "nginx_10000", "nginx1_10001", "nginx1_10001"]);
    expect(useBackends("frontend marathon_http_appid_in")).toEqual(["nginx_10000", "nginx1_10001", "nginx2_10002", "nginx3_10003"]);
    expect(["nginx_10000", "nginx1_10001", "nginx2_10002", "nginx3_10003"].map((b) => section(cfg, `backend ${b}`).at(-1)!.split(" ")[6])).toEqual(["15582", "20338", "3933", "31229"]);
  });

  it("41: a long proxy-pass path stays literal", () => {
    const long = "/testing1234_1234-1234-test123_testing";
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: VHOST, HAPROXY_0_PATH: long, HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH: long })]);
    expect(section(cfg, "frontend marathon_http_in")).toContain(`  acl path_nginx_10000 path_beg ${long}`);
    expect(section(cfg, "backend nginx_10000")).toContain(`  http-request replace-path ^${long}/?(.*) /\\1`);
  });

  it("42-43: proxy pass and reverse proxy without a vhost are refused with a warning", () => {
    // DELIBERATE: upstream rendered `Host None` and `https?://None`; here they need a VHOST.
    for (const label of ["HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH", "HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH"]) {
      const { cfg, diagnostics } = render([nginx({ [label]: "/proxy/path" })]);
      expect(cfg).not.toContain("None");
      expect(cfg).not.toContain("/proxy/path");
      expect(diagnostics).toContainEqual(expect.objectContaining({ level: "warning", code: "haproxy.rewrite-without-vhost", subject: "app:/nginx" }));
    }
  });
});

describe("§8 map mode (cases 36-40)", () => {
  const MAP80 = "  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map(/etc/haproxy/domain2backend.map)]";
  const MAP443 = "  use_backend %[ssl_fc_sni,lower,map(/etc/haproxy/domain2backend.map)]";
  const MAPAPP = "  use_backend %[req.hdr(x-marathon-app-id),lower,map(/etc/haproxy/app2backend.map)]";
  const agents = { agent1: "1.1.1.1", agent2: "2.2.2.2" };
  const nginxApp = (labels: Record<string, string> = {}) =>
    app({ id: "/nginx", labels: { HAPROXY_0_VHOST: "server.nginx.net,server.nginx1.net", ...labels }, healthChecks: [hc(3, 15, 10)] });
  const apache = (labels: Record<string, string>) => app({ id: "/apache", ports: [10001], labels, tasks: [["agent2", [1025]]], healthChecks: [hc(3, 15, 10)] });

  it("36: plain vhosts go through the maps, one use_backend per frontend", () => {
    const { cfg, maps } = render([nginxApp(), apache({ HAPROXY_0_VHOST: "server.apache.net" })], { haproxyMap: true }, agents);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([...HEADS.http, MAP80]);
    expect(section(cfg, "frontend marathon_http_appid_in")).toEqual([...HEADS.appid, MAPAPP]);
    expect(section(cfg, "frontend marathon_https_in")).toEqual([...HEADS.https, MAP443]);
    expect(maps).toEqual({
      "domain2backend.map": "server.apache.net apache_10001\nserver.nginx.net nginx_10000\nserver.nginx1.net nginx_10000\n",
      "app2backend.map": "/apache apache_10001\n/nginx nginx_10000\n",
    });
    expect(cfg.indexOf("frontend apache_10001")).toBeLessThan(cfg.indexOf("frontend nginx_10000"));
    expect(section(cfg, "backend apache_10001").at(-1)).toBe("  server agent2_2_2_2_2_1025 2.2.2.2:1025 id 5918 check inter 3s fall 11");
    expect(section(cfg, "backend nginx_10000").at(-1)).toBe("  server agent1_1_1_1_1_1024 1.1.1.1:1024 id 28363 check inter 3s fall 11");
  });

  it("37: a path app keeps its ACLs, before the map line", () => {
    const { cfg, maps } = render([nginxApp(), apache({ HAPROXY_0_VHOST: "server.apache.net", HAPROXY_0_PATH: "/apache" })], { haproxyMap: true }, agents);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      "  acl host_server_apache_net_apache hdr(host) -i server.apache.net",
      "  acl path_apache_10001 path_beg /apache",
      "  use_backend apache_10001 if host_server_apache_net_apache path_apache_10001",
      MAP80,
    ]);
    expect(section(cfg, "frontend marathon_https_in")).toEqual([
      ...HEADS.https,
      "  acl path_apache_10001 path_beg /apache",
      "  use_backend apache_10001 if { ssl_fc_sni server.apache.net } path_apache_10001",
      MAP443,
    ]);
    expect(maps!["domain2backend.map"]).toBe("server.nginx.net nginx_10000\nserver.nginx1.net nginx_10000\n");
  });

  it("38: an auth app sorts before the map line", () => {
    const apps = [
      app({ id: "/nginx1", labels: { HAPROXY_0_VHOST: "server.nginx.net" } }),
      app({ id: "/nginx2", ports: [10001], labels: { HAPROXY_0_VHOST: "server.nginx.net", HAPROXY_0_AUTH: "realm:testuser:testpasswd" } }),
    ];
    const { cfg, maps } = render(apps, { haproxyMap: true });
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      "  acl host_server_nginx_net_nginx2 hdr(host) -i server.nginx.net",
      "  acl auth_server_nginx_net_nginx2 http_auth(user_nginx2_10001)",
      '  http-request auth realm "realm" if host_server_nginx_net_nginx2 !auth_server_nginx_net_nginx2',
      "  use_backend nginx2_10001 if host_server_nginx_net_nginx2",
      MAP80,
    ]);
    expect(maps!["domain2backend.map"]).toBe("server.nginx.net nginx1_10000\n");
  });

  it("39: several vhosts with a path", () => {
    const { cfg } = render([nginxApp(), apache({ HAPROXY_0_VHOST: "server.apache.net,server.apache1.net", HAPROXY_0_PATH: "/apache" })], { haproxyMap: true }, agents);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      "  acl path_apache_10001 path_beg /apache",
      "  acl host_server_apache_net_apache hdr(host) -i server.apache.net",
      "  acl host_server_apache_net_apache hdr(host) -i server.apache1.net",
      "  use_backend apache_10001 if host_server_apache_net_apache path_apache_10001",
      MAP80,
    ]);
    expect(section(cfg, "frontend marathon_https_in")).toEqual([
      ...HEADS.https,
      "  acl path_apache_10001 path_beg /apache",
      "  use_backend apache_10001 if { ssl_fc_sni server.apache.net } path_apache_10001",
      "  use_backend apache_10001 if { ssl_fc_sni server.apache1.net } path_apache_10001",
      MAP443,
    ]);
  });

  it("40: several vhosts with a redirect: ACLs and the redirect on :80, the map on :443", () => {
    const { cfg, maps } = render(
      [nginxApp(), apache({ HAPROXY_0_VHOST: "server.apache.net,server.apache1.net", HAPROXY_0_REDIRECT_TO_HTTPS: "true" })],
      { haproxyMap: true },
      agents,
    );
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      "  acl host_server_apache_net_apache hdr(host) -i server.apache.net",
      "  acl host_server_apache_net_apache hdr(host) -i server.apache1.net",
      "  redirect scheme https code 301 if !{ ssl_fc } host_server_apache_net_apache",
      MAP80,
    ]);
    expect(section(cfg, "frontend marathon_https_in")).toEqual([...HEADS.https, MAP443]);
    expect(maps!["domain2backend.map"].split("\n").filter(Boolean).sort()).toEqual([
      "server.apache.net apache_10001",
      "server.apache1.net apache_10001",
      "server.nginx.net nginx_10000",
      "server.nginx1.net nginx_10000",
    ]);
  });
});

describe("§8 strict mode and grouped HTTPS (cases 44-46)", () => {
  const pair = (labels1: Record<string, string>, labels2: Record<string, string>) => [
    app({ id: "/nginx1", labels: { HAPROXY_0_VHOST: "server.nginx.net", ...labels1 } }),
    app({ id: "/nginx2", ports: [10001], labels: { HAPROXY_0_VHOST: "server.nginx.net", ...labels2 } }),
  ];

  it("44-45: strict mode renders only ENABLED services; ENABLED=false hides one without it", () => {
    const strict = render(pair({}, { HAPROXY_0_ENABLED: "true" }), { haproxyMap: true, strictMode: true }).cfg;
    const flagged = render(pair({ HAPROXY_0_ENABLED: "false" }, { HAPROXY_0_ENABLED: "true" }), { haproxyMap: true }).cfg;
    expect(strict).toBe(flagged);
    expect(strict).toContain("frontend nginx2_10001");
    expect(strict).not.toContain("nginx1_10000");
    expect(section(strict, "frontend marathon_http_in")).toContain("  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map(/etc/haproxy/domain2backend.map)]");
  });

  // DELIBERATE: upstream's `verify required` has no CA file, which HAProxy refuses; the app gets one.
  const groupedApps = (bindOptions: string) => [
    app({ id: "/nginx1", labels: { HAPROXY_0_VHOST: "server.nginx.net,server3.nginx.net" } }),
    app({ id: "/nginx2", ports: [10001], labels: { HAPROXY_0_VHOST: "server2.nginx.net", HAPROXY_0_PATH: "/test", HAPROXY_0_SSL_CERT: "/etc/cert", HAPROXY_0_BIND_OPTIONS: bindOptions } }),
      app({ id: "/nginx3", ports: [10003], labels: { HAPROXY_0_VHOST: "server2.nginx.net", HAPROXY_0_PATH: "/test2", HAPROXY_0_BACKEND_WEIGHT: "99" } }),
      app({
        id: "/letsencrypt",
        ports: [10002],
        labels: { HAPROXY_0_VHOST: "nginx.net,server2.nginx.net,server.nginx.net", HAPROXY_0_PATH: "/.well-known/acme-challenge", HAPROXY_0_BACKEND_WEIGHT: "99" },
      }),
  ];

  it("46: HTTPS grouped by vhost", () => {
    const { cfg } = render(groupedApps("verify required ca-file /etc/ca.pem"), { haproxyMap: true, groupHttpsByVhost: true });
    const routed = (header: string) => section(cfg, header).filter((l) => l.includes("use_backend")).map((l) => l.split(" ")[3]);
    expect(routed("frontend marathon_http_in")).toEqual(["letsencrypt_10002", "nginx3_10003", "nginx2_10001", "%[req.hdr(host),lower,regsub(:.*$,,),map(/etc/haproxy/domain2backend.map)]"]);
    expect(section(cfg, "frontend marathon_https_in")).toEqual([
      "  bind *:443",
      "  mode tcp",
      "  tcp-request inspect-delay 5s",
      "  tcp-request content accept if { req_ssl_hello_type 1 }",
      "  use_backend nginx_net if { req_ssl_sni -i nginx.net }",
      "  use_backend server_nginx_net if { req_ssl_sni -i server.nginx.net }",
      "  use_backend server2_nginx_net if { req_ssl_sni -i server2.nginx.net }",
      "  use_backend server3_nginx_net if { req_ssl_sni -i server3.nginx.net }",
    ]);
    expect(section(cfg, "frontend server2_nginx_net")[1]).toBe("  bind abns@server2_nginx_net accept-proxy ssl crt /etc/cert verify required ca-file /etc/ca.pem");
    expect(routed("frontend server2_nginx_net")).toEqual(["letsencrypt_10002", "nginx3_10003", "nginx2_10001"]);
    expect(routed("frontend server3_nginx_net")).toEqual([]);
    expect(section(cfg, "frontend nginx2_10001")[0]).toBe("  bind *:10001 ssl crt /etc/cert verify required ca-file /etc/ca.pem");
  });

  it("46, as upstream wrote it: the app HAProxy would refuse is left out, the others of the group stay", () => {
    const { cfg, diagnostics } = render(groupedApps("verify required"), { haproxyMap: true, groupHttpsByVhost: true });
    expect(cfg).not.toContain("nginx2_10001");
    expect(section(cfg, "frontend server2_nginx_net").filter((l) => l.includes("use_backend"))).toHaveLength(2);
    expect(diagnostics).toEqual([
      {
        level: "error",
        code: "haproxy.invalid-label",
        subject: "app:/nginx2",
        message: "HAPROXY_0_BIND_OPTIONS: 'verify required' needs 'ca-file <file>' on a TLS bind (HAProxy: verify is enabled but no CA file specified); the app is left out of HAProxy",
      },
    ]);
  });
});
