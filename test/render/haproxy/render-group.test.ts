/**
 * The HAProxy renderer on its own, fed plain model data (no snapshot, no reconciler): the text
 * it writes for a service, the once-only map lines (the first service to reach one writes it
 * and sinks below the others), and a service it cannot render being taken back out whole.
 */
import { describe, expect, it } from "vitest";
import { renderHaproxyGroup } from "../../../lib/render/haproxy/render-group.ts";
import type { HaproxyGroupModel, ServiceModel } from "../../../lib/render/haproxy/model.ts";

function service(appId: string, servicePort: number, extra: Partial<ServiceModel> = {}): ServiceModel {
  const backend = `${appId.slice(1)}_${servicePort}`;
  return {
    appId,
    backend,
    servicePort,
    mode: "tcp",
    bindAddr: "*",
    balance: "roundrobin",
    useHsts: false,
    sticky: false,
    templates: {},
    rewrites: {},
    servers: [{ name: "slot1", id: 1, host: "agent1", ip: "10.0.0.1", port: 31000, disabled: false }],
    notes: [],
    ...extra,
  };
}

/** An http service on one mapped vhost. */
function mapped(appId: string, servicePort: number, host: string, extra: Partial<ServiceModel> = {}): ServiceModel {
  return service(appId, servicePort, {
    mode: "http",
    appIdRoute: { stem: appId.replace("/", "_"), hostname: host },
    vhost: {
      stem: `${host.replaceAll(".", "_")}_${appId.slice(1)}`,
      vhosts: [host],
      weight: 0,
      steps: [
        { frontend: "http", line: { kind: "map", map: "http", template: "MAP_HTTP_FRONTEND_ACL", host } },
        { frontend: "https", line: { kind: "map", map: "https", template: "MAP_HTTPS_FRONTEND_ACL", host }, grouped: [host] },
      ],
    },
    ...extra,
  });
}

function model(services: ServiceModel[], mapMode = false): HaproxyGroupModel {
  return {
    group: "external",
    head: { defaultOptions: ["redispatch"], statsSocket: "/run/x/external.sock", statsBindAddress: "0.0.0.0", statsPort: 9090, hardStopAfter: "5m", maxReloads: 5, maxconn: 1000, endpointsScript: "external/marathon-lb-endpoints.lua" },
    frontends: { bindHttpHttps: true, bindAddress: "*", httpPort: 80, httpsPort: 443, appIdPort: 9091, sslCerts: ["/etc/ssl/cert.pem"], groupHttpsByVhost: false },
    mapMode,
    mapFallThrough: false,
    haproxyDir: "external",
    templates: {},
    services,
  };
}

/** The lines of the section whose header is `header`, up to the next blank line. */
function section(config: string, header: string): string[] {
  const lines = config.split("\n");
  const start = lines.indexOf(header);
  expect(start, `no ${header}`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe("renderHaproxyGroup", () => {
  it("writes a tcp service's frontend and backend from its model", () => {
    const { rendered, diagnostics } = renderHaproxyGroup(model([service("/db", 10000, { servers: [{ name: "slot1", id: 1, host: "six", ip: "fd00::6", port: 5432, disabled: false }, { name: "slot2", id: 2, host: "127.0.0.1", ip: "127.0.0.1", port: 1, disabled: true }] })]));
    expect(diagnostics).toEqual([]);
    expect(section(rendered.config, "frontend db_10000")).toEqual(["  bind *:10000", "  mode tcp", "  use_backend db_10000"]);
    expect(section(rendered.config, "backend db_10000")).toEqual(["  balance roundrobin", "  mode tcp", "  server slot1 [fd00::6]:5432 id 1", "  server slot2 127.0.0.1:1 id 2 disabled"]);
    expect(rendered.maps).toBeUndefined();
  });

  it("writes each map line once, from the first service, which sinks below the services with ACLs", () => {
    const acl = service("/c", 10003, {
      mode: "http",
      vhost: { stem: "c_test_c", vhosts: ["c.test"], weight: 0, steps: [{ frontend: "http", line: { kind: "acl", template: "HTTP_FRONTEND_ACL", host: "c.test" } }] },
    });
    const { rendered } = renderHaproxyGroup(model([mapped("/a", 10001, "a.test"), mapped("/b", 10002, "b.test"), acl], true));
    expect(section(rendered.config, "frontend marathon_http_in")).toEqual([
      "  bind *:80",
      "  mode http",
      "  acl host_c_test_c hdr(host) -i c.test",
      "  use_backend c_10003 if host_c_test_c",
      "  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map(external/domain2backend.map)]",
    ]);
    expect(rendered.maps).toEqual({ "domain2backend.map": "a.test a_10001\nb.test b_10002\n", "app2backend.map": "/a a_10001\n/b b_10002\n" });
  });

  it("takes a service it cannot render back out whole; the next one writes the map line", () => {
    // The glue is rendered last, after the service wrote both map lines and its map entries.
    const broken = mapped("/a", 10001, "a.test", { templates: { FRONTEND_BACKEND_GLUE: "  use_backend {backend[nope]}\n" } });
    const { rendered, diagnostics, renderedBackends } = renderHaproxyGroup(model([broken, mapped("/b", 10002, "b.test")], true));
    expect([...renderedBackends]).toEqual(["b_10002"]);
    expect(diagnostics).toEqual([
      expect.objectContaining({ level: "error", code: "haproxy.invalid-template", subject: "app:/a", message: expect.stringContaining("{backend[nope]}: no member 'nope'") }),
    ]);
    expect(rendered.config).not.toContain("a_10001");
    expect(section(rendered.config, "frontend marathon_http_in")).toContain("  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map(external/domain2backend.map)]");
    expect(rendered.maps).toEqual({ "domain2backend.map": "b.test b_10002\n", "app2backend.map": "/b b_10002\n" });
  });

  it("leaves out a service whose port another frontend binds, and reports its notes only when rendered", () => {
    const note = { level: "warning" as const, code: "test.note", subject: "app:/x", message: "noted" };
    const { rendered, diagnostics, renderedBackends } = renderHaproxyGroup(model([service("/x", 10000, { notes: [note] }), service("/y", 10000, { notes: [{ ...note, subject: "app:/y" }] })]));
    expect([...renderedBackends]).toEqual(["x_10000"]);
    expect(rendered.config).toContain("frontend x_10000");
    expect(rendered.config).not.toContain("frontend y_10000");
    expect(diagnostics).toEqual([note, expect.objectContaining({ code: "haproxy.port-conflict", subject: "app:/y", message: "group external: *:10000 is already bound by x_10000; service port 10000 is left out" })]);
  });
});
