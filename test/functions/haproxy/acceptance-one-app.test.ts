/**
 * The rendering cases 1-20 of `specs/l7.md` §8 (marathon-lb's `tests/test_marathon_lb.py`),
 * fed as Marathon apps with labels: the shared frontends and one app with each combination of
 * vhosts, path, auth, redirect and HSTS. Each test states the sections the case is about, line
 * for line. Deliberate differences from marathon-lb are marked DELIBERATE with the reason.
 * Cases 21-46 are in `acceptance-many-apps.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { app, hc, HEADS, render, section } from "./helpers.ts";
import { goldenCases, marathonLbHead } from "./marathon-lb-goldens.ts";

const VHOST = "test.example.com";
const ACL = "host_test_example_com_nginx";
const SERVER = "  server agent1_1_1_1_1_1024 1.1.1.1:1024 id 28363";
const HTTP_OPTIONS = ["  option forwardfor", "  http-request set-header X-Forwarded-Port %[dst_port]", "  http-request add-header X-Forwarded-Proto https if { ssl_fc }"];
const nginx = (labels: Record<string, string> = {}, extra: Partial<Parameters<typeof app>[0]> = {}) => app({ id: "/nginx", labels, healthChecks: [hc(2, 10, 10)], ...extra });
const onAgent192 = { agent1: "192.0.2.1" };

describe("§8 frontends without apps (cases 1-4)", () => {
  it("1: no apps renders the head and the three frontends only", () => {
    const golden = goldenCases().find((g) => g.name === "tcp_basic")!.expected.haproxy_cfg;
    const { cfg } = render([], { templates: { HEAD: marathonLbHead(golden) } });
    expect(cfg).toBe(
      `${golden.split("\nfrontend marathon_http_in")[0]}\nfrontend marathon_http_in\n  bind *:80\n  mode http\n\nfrontend marathon_http_appid_in\n  bind *:9091\n  mode http\n\nfrontend marathon_https_in\n  bind *:443 ssl crt /etc/ssl/cert.pem\n  mode http\n`,
    );
  });

  it("2: an HTTP_FRONTEND_HEAD override replaces the first frontend", () => {
    const { cfg } = render([], { templates: { HTTP_FRONTEND_HEAD: "\nfrontend changed_frontend\n  bind *:80\n  mode http\n" } });
    expect(section(cfg, "frontend changed_frontend")).toEqual(HEADS.http);
    expect(cfg).not.toContain("frontend marathon_http_in");
  });

  it("3-4: one or several certificates on :443", () => {
    expect(section(render([], { sslCerts: ["/etc/haproxy/mysite.com.pem"] }).cfg, "frontend marathon_https_in")[0]).toBe("  bind *:443 ssl crt /etc/haproxy/mysite.com.pem");
    expect(section(render([], { sslCerts: ["/etc/haproxy/mysite1.com.pem", "/etc/haproxy/mysite2.com.pem"] }).cfg, "frontend marathon_https_in")[0]).toBe(
      "  bind *:443 ssl crt /etc/haproxy/mysite1.com.pem crt /etc/haproxy/mysite2.com.pem",
    );
  });
});

describe("§8 one app (cases 5-20)", () => {
  it("5: a simple app with an HTTP health check", () => {
    const { cfg } = render([nginx()]);
    expect(section(cfg, "frontend marathon_http_appid_in")).toEqual([...HEADS.appid, "  acl app__nginx hdr(x-marathon-app-id) -i /nginx", "  use_backend nginx_10000 if app__nginx"]);
    expect(section(cfg, "frontend nginx_10000")).toEqual(["  bind *:10000", "  mode http", "  use_backend nginx_10000"]);
    expect(section(cfg, "backend nginx_10000")).toEqual([
      "  balance roundrobin",
      "  mode http",
      ...HTTP_OPTIONS,
      "  option  httpchk GET /",
      "  timeout check 10s",
      `${SERVER} check inter 2s fall 11`,
    ]);
  });

  it("6: a COMMAND health check keeps tcp mode and checks without httpchk", () => {
    const { cfg } = render([nginx({}, { healthChecks: [{ ...hc(2, 10, 10), protocol: "COMMAND", command: { value: "true" } }] })]);
    expect(section(cfg, "frontend marathon_http_appid_in")).toEqual(HEADS.appid);
    expect(section(cfg, "backend nginx_10000")).toEqual(["  balance roundrobin", "  mode tcp", `${SERVER} check inter 2s fall 11`]);
  });

  it("7: a vhost", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: VHOST })]);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([...HEADS.http, `  acl ${ACL} hdr(host) -i ${VHOST}`, `  use_backend nginx_10000 if ${ACL}`]);
    expect(section(cfg, "frontend marathon_https_in")).toEqual([...HEADS.https, `  use_backend nginx_10000 if { ssl_fc_sni ${VHOST} }`]);
  });

  it("8: two vhosts share one ACL name and one use_backend", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: `${VHOST},test` }, { tasks: [["agent1", [1234]]] })], {}, onAgent192);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([...HEADS.http, `  acl ${ACL} hdr(host) -i ${VHOST}`, `  acl ${ACL} hdr(host) -i test`, `  use_backend nginx_10000 if ${ACL}`]);
    expect(section(cfg, "frontend marathon_https_in")).toEqual([...HEADS.https, `  use_backend nginx_10000 if { ssl_fc_sni ${VHOST} }`, "  use_backend nginx_10000 if { ssl_fc_sni test }"]);
    expect(section(cfg, "backend nginx_10000").at(-1)).toBe("  server agent1_192_0_2_1_1234 192.0.2.1:1234 id 15582 check inter 2s fall 11");
  });

  it("9: a vhost with an https redirect", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: VHOST, HAPROXY_0_REDIRECT_TO_HTTPS: "true" })]);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      `  acl ${ACL} hdr(host) -i ${VHOST}`,
      `  use_backend nginx_10000 if ${ACL}`,
      `  redirect scheme https code 301 if !{ ssl_fc } ${ACL}`,
    ]);
  });

  it("10: two vhosts with an https redirect route nothing on :80", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: `${VHOST},test`, HAPROXY_0_REDIRECT_TO_HTTPS: "true" })]);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      `  acl ${ACL} hdr(host) -i ${VHOST}`,
      `  acl ${ACL} hdr(host) -i test`,
      `  redirect scheme https code 301 if !{ ssl_fc } ${ACL}`,
    ]);
    expect(section(cfg, "frontend marathon_https_in")).toHaveLength(4);
  });

  const AUTH = { HAPROXY_0_AUTH: "realm:testuser:testpasswd" };
  const AUTH_ACL = "auth_test_example_com_nginx";

  it("11: a vhost with basic auth", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: VHOST, ...AUTH })]);
    expect(section(cfg, "userlist user_nginx_10000")).toEqual(["  user testuser password testpasswd"]);
    expect(cfg.indexOf("userlist user_nginx_10000")).toBeLessThan(cfg.indexOf("frontend marathon_http_in"));
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      `  acl ${ACL} hdr(host) -i ${VHOST}`,
      `  acl ${AUTH_ACL} http_auth(user_nginx_10000)`,
      `  http-request auth realm "realm" if ${ACL} !${AUTH_ACL}`,
      `  use_backend nginx_10000 if ${ACL}`,
    ]);
    expect(section(cfg, "frontend marathon_https_in")).toEqual([
      ...HEADS.https,
      `  acl ${AUTH_ACL} http_auth(user_nginx_10000)`,
      `  http-request auth realm "realm" if { ssl_fc_sni ${VHOST} } !${AUTH_ACL}`,
      `  use_backend nginx_10000 if { ssl_fc_sni ${VHOST} }`,
    ]);
  });

  it("12: two vhosts with auth repeat the :443 auth block per vhost", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: `${VHOST},test`, ...AUTH })]);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      `  acl ${ACL} hdr(host) -i ${VHOST}`,
      `  acl ${ACL} hdr(host) -i test`,
      `  acl ${AUTH_ACL} http_auth(user_nginx_10000)`,
      `  http-request auth realm "realm" if ${ACL} !${AUTH_ACL}`,
      `  use_backend nginx_10000 if ${ACL}`,
    ]);
    const block = (host: string) => [
      `  acl ${AUTH_ACL} http_auth(user_nginx_10000)`,
      `  http-request auth realm "realm" if { ssl_fc_sni ${host} } !${AUTH_ACL}`,
      `  use_backend nginx_10000 if { ssl_fc_sni ${host} }`,
    ];
    expect(section(cfg, "frontend marathon_https_in")).toEqual([...HEADS.https, ...block(VHOST), ...block("test")]);
  });

  it("13: a vhost with a path and auth", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: VHOST, HAPROXY_0_PATH: "/some/path", ...AUTH })]);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      `  acl ${ACL} hdr(host) -i ${VHOST}`,
      `  acl ${AUTH_ACL} http_auth(user_nginx_10000)`,
      "  acl path_nginx_10000 path_beg /some/path",
      `  http-request auth realm "realm" if ${ACL} path_nginx_10000 !${AUTH_ACL}`,
      `  use_backend nginx_10000 if ${ACL} path_nginx_10000`,
    ]);
    expect(section(cfg, "frontend marathon_https_in")).toEqual([
      ...HEADS.https,
      "  acl path_nginx_10000 path_beg /some/path",
      `  acl ${AUTH_ACL} http_auth(user_nginx_10000)`,
      `  http-request auth realm "realm" if { ssl_fc_sni ${VHOST} } path_nginx_10000 !${AUTH_ACL}`,
      `  use_backend nginx_10000 if { ssl_fc_sni ${VHOST} } path_nginx_10000`,
    ]);
  });

  it("14: two vhosts with a path and auth", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: `${VHOST},test`, HAPROXY_0_PATH: "/some/path", ...AUTH })]);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      "  acl path_nginx_10000 path_beg /some/path",
      `  acl ${AUTH_ACL} http_auth(user_nginx_10000)`,
      `  acl ${ACL} hdr(host) -i ${VHOST}`,
      `  acl ${ACL} hdr(host) -i test`,
      `  http-request auth realm "realm" if ${ACL} path_nginx_10000 !${AUTH_ACL}`,
      `  use_backend nginx_10000 if ${ACL} path_nginx_10000`,
    ]);
    const block = (host: string) => [
      `  acl ${AUTH_ACL} http_auth(user_nginx_10000)`,
      `  http-request auth realm "realm" if { ssl_fc_sni ${host} } path_nginx_10000 !${AUTH_ACL}`,
      `  use_backend nginx_10000 if { ssl_fc_sni ${host} } path_nginx_10000`,
    ];
    expect(section(cfg, "frontend marathon_https_in")).toEqual([...HEADS.https, "  acl path_nginx_10000 path_beg /some/path", ...block(VHOST), ...block("test")]);
  });

  it("15: a vhost with a path", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: VHOST, HAPROXY_0_PATH: "/some/path" })]);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      `  acl ${ACL} hdr(host) -i ${VHOST}`,
      "  acl path_nginx_10000 path_beg /some/path",
      `  use_backend nginx_10000 if ${ACL} path_nginx_10000`,
    ]);
    expect(section(cfg, "frontend marathon_https_in")).toEqual([
      ...HEADS.https,
      "  acl path_nginx_10000 path_beg /some/path",
      `  use_backend nginx_10000 if { ssl_fc_sni ${VHOST} } path_nginx_10000`,
    ]);
  });

  it("16: two vhosts with a path", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: `${VHOST},test`, HAPROXY_0_PATH: "/some/path" })]);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      "  acl path_nginx_10000 path_beg /some/path",
      `  acl ${ACL} hdr(host) -i ${VHOST}`,
      `  acl ${ACL} hdr(host) -i test`,
      `  use_backend nginx_10000 if ${ACL} path_nginx_10000`,
    ]);
    expect(section(cfg, "frontend marathon_https_in")).toEqual([
      ...HEADS.https,
      "  acl path_nginx_10000 path_beg /some/path",
      `  use_backend nginx_10000 if { ssl_fc_sni ${VHOST} } path_nginx_10000`,
      "  use_backend nginx_10000 if { ssl_fc_sni test } path_nginx_10000",
    ]);
  });

  it("17: a vhost with a path and a redirect", () => {
    const { cfg } = render([nginx({ HAPROXY_0_VHOST: VHOST, HAPROXY_0_PATH: "/some/path", HAPROXY_0_REDIRECT_TO_HTTPS: "true" })]);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      `  acl ${ACL} hdr(host) -i ${VHOST}`,
      "  acl path_nginx_10000 path_beg /some/path",
      `  redirect scheme https code 301 if !{ ssl_fc } ${ACL} path_nginx_10000`,
    ]);
  });

  it("18-19: two vhosts, a path, a redirect and HSTS", () => {
    const labels = { HAPROXY_0_VHOST: `${VHOST},test`, HAPROXY_0_PATH: "/some/path", HAPROXY_0_REDIRECT_TO_HTTPS: "true" };
    const { cfg } = render([nginx(labels)]);
    expect(section(cfg, "frontend marathon_http_in")).toEqual([
      ...HEADS.http,
      "  acl path_nginx_10000 path_beg /some/path",
      `  acl ${ACL} hdr(host) -i ${VHOST}`,
      `  acl ${ACL} hdr(host) -i test`,
      `  redirect scheme https code 301 if !{ ssl_fc } ${ACL} path_nginx_10000`,
    ]);
    const hsts = render([nginx({ ...labels, HAPROXY_0_USE_HSTS: "true" })]).cfg;
    expect(section(hsts, "frontend marathon_http_in")).toEqual(section(cfg, "frontend marathon_http_in"));
    // DELIBERATE: `rspadd` is gone since HAProxy 2.1; the header is set with http-response.
    expect(section(hsts, "backend nginx_10000").slice(0, 4)).toEqual([
      "  balance roundrobin",
      "  mode http",
      "  http-response set-header Strict-Transport-Security max-age=15768000",
      "  option forwardfor",
    ]);
  });

  it("20: balance", () => {
    expect(section(render([nginx({ HAPROXY_0_BALANCE: "leastconn" })]).cfg, "backend nginx_10000")[0]).toBe("  balance leastconn");
  });
});
