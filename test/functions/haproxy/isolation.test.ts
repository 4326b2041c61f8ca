/**
 * Per-app isolation (marathon-lb#234, #554) and label values as data: an app with a label or
 * template that cannot be used is left out with a diagnostic naming the label, and every other
 * app is rendered. No label value, whatever it holds, adds a line to the config.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { app, hc, render, section } from "./helpers.ts";

const good = app({ id: "/good", ports: [10001], labels: { HAPROXY_0_VHOST: "good.example.test" } });

/** Renders a bad app next to a good one; the good one must always be there. */
function withGoodApp(bad: Record<string, unknown>) {
  const out = render([bad, good]);
  expect(section(out.cfg, "backend good_10001").at(-1)).toBe("  server agent1_1_1_1_1_1024 1.1.1.1:1024 id 28363");
  expect(section(out.cfg, "frontend marathon_http_in")).toContain("  use_backend good_10001 if host_good_example_test_good");
  return out;
}

describe("labels that cannot be used leave their app out, and only it", () => {
  const cases: [string, string, string][] = [
    ["VHOST", "web.example.test\n  bind *:22", "control character"],
    ["VHOST", "web.example.test } || { always_true", "is not a host name"],
    ["VHOST", "a.example.test,", "empty host name"],
    ["VHOST", "web.example.test:8080", "is not a host name"],
    ["PATH", "/api#", "neither a URL path"],
    ["PATH", "/api -f /etc/passwd", "neither a URL path"],
    ["PATH", "/api\rbackend x", "control character"],
    ["MODE", "udp", "is not a mode"],
    ["PORT", "80a", "is not an integer"],
    ["PORT", "70000", "is not a TCP port"],
    ["BIND_ADDR", "0.0.0.0 ssl", "neither '*' nor an IP address"],
    ["BIND_OPTIONS", 'alpn "h2', "has a quote"],
    ["BIND_OPTIONS", "alpn h2 bogus", "'bogus' is not a bind option"],
    ["BIND_OPTIONS", "ssl", "'ssl' needs a certificate"],
    ["SSL_CERT", "/etc/ssl/a.pem crt /etc/shadow", "is not one path"],
    ["BALANCE", "roundrobin\n  server evil 6.6.6.6:1", "control character"],
    ["BALANCE", "round robin#", "quote, backslash or '#'"],
    ["AUTH", "realm:user", "3 parts"],
    ["AUTH", 'my "realm":user:$6$x', "without quotes"],
    ["BACKEND_WEIGHT", "heavy", "is not an integer"],
    ["BACKEND_NETWORK_ALLOWED_ACL", "10.0.0.0/8 everyone", "is not an IP address or network"],
    ["BACKEND_HEALTHCHECK_PORT_INDEX", "one", "is not an integer"],
    ["HTTP_BACKEND_PROXYPASS_PATH", "/a b", "is not a URL path"],
    ["HTTP_BACKEND_REDIR", "http://evil", "is not a URL path"],
    ["STICKY", "true\u0000", "control character"],
  ];

  it.each(cases)("HAPROXY_0_%s=%j", (label, value, why) => {
    const bad = app({ id: "/bad", labels: { HAPROXY_0_VHOST: "bad.example.test", [`HAPROXY_0_${label}`]: value } });
    const { cfg, diagnostics } = withGoodApp(bad);
    expect(cfg).not.toMatch(/bad_10000|bad\.example/);
    const diagnostic = diagnostics.find((d) => d.subject === "app:/bad");
    expect(diagnostic).toMatchObject({ level: "error", code: "haproxy.invalid-label" });
    expect(diagnostic!.message).toContain(`HAPROXY_0_${label}`);
    expect(diagnostic!.message).toContain(why);
  });

  it("lists every bad label of an app, not just the first", () => {
    const bad = app({ id: "/bad", labels: { HAPROXY_0_MODE: "udp", HAPROXY_0_PORT: "x", HAPROXY_1_VHOST: "a\nb" }, ports: [10000, 10002], tasks: [["agent1", [1, 2]]] });
    const { diagnostics } = withGoodApp(bad);
    expect(diagnostics.filter((d) => d.subject === "app:/bad").map((d) => d.message.split(/[: ]/)[0])).toEqual(["HAPROXY_0_MODE", "HAPROXY_0_PORT", "HAPROXY_1_VHOST"]);
  });

  it("an app id HAProxy names cannot hold", () => {
    const { diagnostics } = withGoodApp(app({ id: "/bad app" }));
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: "haproxy.invalid-label", subject: "app:/bad app" }));
  });
});

describe("template labels", () => {
  it("an unknown placeholder is refused up front", () => {
    const bad = app({ id: "/bad", labels: { HAPROXY_0_BACKEND_HEAD: "\nbackend {backend}\n  balance {balanc}\n" } });
    const { cfg, diagnostics } = withGoodApp(bad);
    expect(cfg).not.toContain("bad_10000");
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: "haproxy.invalid-label", subject: "app:/bad" }));
    expect(diagnostics[0]!.message).toContain("HAPROXY_0_BACKEND_HEAD: uses {balanc}, which BACKEND_HEAD does not supply");
  });

  it("a lone brace and a format spec are refused", () => {
    for (const text of ["\nfrontend {backend\n", "\nbackend {backend:>10}\n", "\nbackend x }\n"]) {
      const { diagnostics } = withGoodApp(app({ id: "/bad", labels: { HAPROXY_0_BACKEND_HEAD: text } }));
      expect(diagnostics.map((d) => d.subject)).toContain("app:/bad");
    }
  });

  it("a control character other than a newline is refused", () => {
    const { diagnostics } = withGoodApp(app({ id: "/bad", labels: { HAPROXY_0_BACKEND_HEAD: "\nbackend {backend}\n\u001b[31m" } }));
    expect(diagnostics[0]!.message).toContain("control character other than a newline");
  });

  it("a member the health check does not have fails at render: that service is left out, the rest stays", () => {
    const bad = app({ id: "/bad", healthChecks: [hc(2, 10, 10)], labels: { HAPROXY_0_BACKEND_HTTP_HEALTHCHECK_OPTIONS: "  option httpchk GET {healthCheck[nope]}\n", HAPROXY_0_MODE: "http" } });
    const { cfg, diagnostics } = withGoodApp(bad);
    expect(cfg).not.toContain("bad_10000");
    expect(diagnostics).toContainEqual(expect.objectContaining({ level: "error", code: "haproxy.invalid-template", subject: "app:/bad" }));
    // The failed service must not leave an app-id ACL behind either.
    expect(section(cfg, "frontend marathon_http_appid_in")).not.toContain("  acl app__bad hdr(x-marathon-app-id) -i /bad");
  });
});

describe("conflicts HAProxy would reject or mis-route", () => {
  it("a service port on the vhost frontend's port (marathon-lb#125)", () => {
    const { cfg, diagnostics } = withGoodApp(app({ id: "/web", labels: { HAPROXY_0_PORT: "80" } }));
    expect(cfg).not.toContain("frontend web_80");
    expect(diagnostics).toContainEqual(
      expect.objectContaining({ code: "haproxy.port-conflict", subject: "app:/web", message: "group external: *:80 is already bound by the :80 vhost frontend marathon_http_in; service port 80 is left out" }),
    );
  });

  it("two apps on one service port: the first in id order keeps it", () => {
    const { cfg, diagnostics } = render([app({ id: "/b" }), app({ id: "/a" })]);
    expect(cfg).toContain("frontend a_10000");
    expect(cfg).not.toContain("frontend b_10000");
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: "haproxy.port-conflict", subject: "app:/b" }));
  });

  it("distinct bind addresses may share a port", () => {
    const { cfg, diagnostics } = render([
      app({ id: "/a", labels: { HAPROXY_0_BIND_ADDR: "127.0.0.2" } }),
      app({ id: "/b", labels: { HAPROXY_0_BIND_ADDR: "127.0.0.3" } }),
    ]);
    expect(cfg).toContain("  bind 127.0.0.2:10000");
    expect(cfg).toContain("  bind 127.0.0.3:10000");
    expect(diagnostics).toEqual([]);
  });

  it("two apps whose backend names collide", () => {
    const { cfg, diagnostics } = render([app({ id: "/a/b" }), app({ id: "/a_b", labels: { HAPROXY_0_BIND_ADDR: "127.0.0.9" } })]);
    expect(cfg.match(/^backend a_b_10000$/gm)).toHaveLength(1);
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: "haproxy.duplicate-backend", subject: "app:/a_b", message: expect.stringContaining("already taken by /a/b") }));
  });
});

describe("label values never reach the config as configuration (property)", () => {
  const VALUE_LABELS = ["VHOST", "PATH", "MODE", "PORT", "BIND_ADDR", "BIND_OPTIONS", "SSL_CERT", "BALANCE", "AUTH", "BACKEND_WEIGHT", "BACKEND_NETWORK_ALLOWED_ACL", "HTTP_BACKEND_PROXYPASS_PATH", "HTTP_BACKEND_REVPROXY_PATH", "HTTP_BACKEND_REDIR", "GROUP", "STICKY"];

  it("a value with a line break or a '#' either leaves the app out or never shows up", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VALUE_LABELS),
        fc.string(),
        fc.constantFrom("\n", "\r", "\u0000", "\u000b", "#", "\\", '"'),
        fc.string(),
        (label, before, breaker, after) => {
          const value = `${before}${breaker}INJECTED${after}`;
          const { cfg } = render([app({ id: "/x", labels: { HAPROXY_0_VHOST: "x.example.test", [`HAPROXY_0_${label}`]: value } }), good]);
          // GROUP values are matched, never rendered: the app is then simply in no group.
          expect(cfg).not.toContain("INJECTED");
          expect(cfg).toContain("backend good_10001");
        },
      ),
      { numRuns: 300 },
    );
  });
});
