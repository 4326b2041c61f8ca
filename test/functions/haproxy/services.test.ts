/**
 * Normalisation (`specs/l7.md` §2): networking modes, task addresses, task filtering, health
 * filtering across runs, deployment-group errors; and wildcard vhosts (marathon-lb#188).
 */
import { describe, expect, it } from "vitest";
import { agentResolver } from "../../../functions/haproxy/app-network.ts";
import { haproxyGroups } from "../../../functions/haproxy/index.ts";
import { app, hc, render, section, snapshotOf } from "./helpers.ts";

/** The last server line of a backend, its hashed id (tested in names.test.ts) left out. */
const lastServer = (cfg: string, backend: string) => section(cfg, `backend ${backend}`).at(-1)!.replace(/ id \d+/, "");

describe("task addresses by networking mode", () => {
  it("host networking: the agent's address and the task's host ports", () => {
    const { cfg } = render([app({ id: "/h", tasks: [["a1.internal", [31000]]] })], {}, { "a1.internal": "10.0.1.11" });
    expect(lastServer(cfg, "h_10000")).toBe("  server a1_internal_10_0_1_11_31000 10.0.1.11:31000");
  });

  it("an agent with an IPv6 address only is reached over IPv6", () => {
    const { cfg } = render([app({ id: "/h", tasks: [["a6", [31000]]] })], {}, { a6: "fd00::6" });
    expect(lastServer(cfg, "h_10000")).toBe("  server a6_fd00__6_31000 [fd00::6]:31000");
  });

  it("IP-per-task (container mode): the task's IP and the container port", () => {
    const overlay = {
      id: "/db",
      labels: { HAPROXY_GROUP: "external" },
      networks: [{ mode: "container", name: "dcos" }],
      container: { type: "MESOS", portMappings: [{ containerPort: 5432, servicePort: 10002 }] },
      tasks: [{ id: "db.1", host: "a2", ipAddresses: [{ ipAddress: "9.0.2.2", protocol: "IPv4" }], ports: [] }],
    };
    const { cfg } = render([overlay], {}, { a2: "10.0.1.12" });
    expect(lastServer(cfg, "db_10002")).toBe("  server a2_9_0_2_2_5432 9.0.2.2:5432");
  });

  it("bridge mode without task ports falls back to port definitions, then container ports", () => {
    const bridged = (extra: Record<string, unknown>) => ({
      id: "/br",
      labels: { HAPROXY_GROUP: "external" },
      container: { type: "DOCKER", docker: { network: "BRIDGE", portMappings: [{ containerPort: 80, hostPort: 0, servicePort: 10010 }] } },
      tasks: [{ id: "br.1", host: "agent1", ports: [] }],
      ...extra,
    });
    expect(lastServer(render([bridged({})]).cfg, "br_10010")).toBe("  server agent1_1_1_1_1_80 1.1.1.1:80");
    expect(lastServer(render([bridged({ portDefinitions: [{ port: 8080 }] })]).cfg, "br_10010")).toBe("  server agent1_1_1_1_1_8080 1.1.1.1:8080");
  });

  it("a host neither in the agents nor an IP is not a backend, with a warning", () => {
    const { result } = render([app({ id: "/w", tasks: [["agent1", [1]], ["ghost.internal", [2]]] })]);
    expect(result.groups.external!.config).not.toContain(":2 ");
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ level: "warning", code: "haproxy.unresolved-host", subject: "task:w.t1", message: expect.stringContaining('"ghost.internal"') }),
    ]);
  });

  it("an app of no configured group is skipped without diagnostics, even with bad labels", () => {
    const { cfg, diagnostics } = render([app({ id: "/other", labels: { HAPROXY_GROUP: "internal", HAPROXY_0_MODE: "udp" }, tasks: [["ghost", [1]]] })]);
    expect(cfg).not.toContain("other");
    expect(diagnostics).toEqual([]);
  });

  it("marathon-lb's own app (frameworkName) is never balanced", () => {
    expect(render([app({ id: "/marathon-lb" })], { frameworkName: "marathon-lb" }).cfg).not.toContain("marathon-lb_10000");
  });

  it("an exhausted service-port range skips the port with a warning", () => {
    const ippt = (id: string) => ({ id, labels: { HAPROXY_GROUP: "external" }, networks: [{ mode: "container" }], container: { portMappings: [{ containerPort: 80 }] }, tasks: [{ id: `${id}.1`, host: "a", ipAddresses: [{ ipAddress: "9.0.0.1" }] }] });
    const { cfg, diagnostics } = render([ippt("/a"), ippt("/b")], { servicePortRange: { min: 10500, max: 10500 } });
    expect(cfg).toContain("backend a_10500");
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: "haproxy.no-service-port", subject: "app:/b" }));
  });
});

describe("health filtering (--health-check)", () => {
  const tasks = (results: (boolean | undefined)[]) => ({
    id: "/web",
    labels: { HAPROXY_GROUP: "external" },
    portDefinitions: [{ port: 10000 }],
    healthChecks: [hc(2, 10, 2)],
    tasks: results.map((alive, i) => ({ id: `web.${i}`, host: "agent1", ports: [31000 + i], ...(alive === undefined ? {} : { healthCheckResults: [{ alive }] }) })),
  });
  const servers = (cfg: string) => [...cfg.matchAll(/ 1\.1\.1\.1:(\d+) id \d+ check inter 2s fall 3(?! disabled)/g)].map((m) => Number(m[1]));

  it("keeps alive tasks; a task without results only if it was serving last time", () => {
    const first = haproxyGroups(snapshotOf([tasks([true, false, undefined])], { healthCheck: true }));
    expect(servers(first.groups.external!.config)).toEqual([31000]);
    // Marathon lost the results for a while (a leader election): the serving task stays.
    const second = haproxyGroups(snapshotOf([tasks([undefined, undefined, undefined])], { healthCheck: true }, undefined, { haproxy: first.allocations }));
    expect(servers(second.groups.external!.config)).toEqual([31000]);
  });

  it("remembers serving IPv6 servers too", () => {
    const first = haproxyGroups(snapshotOf([tasks([true, false])], { healthCheck: true }, { agent1: "fd00::1" }));
    const second = haproxyGroups(snapshotOf([tasks([undefined, undefined])], { healthCheck: true }, { agent1: "fd00::1" }, { haproxy: first.allocations }));
    expect(second.allocations.backends.web_10000!.servers).toEqual({ "[fd00::1]:31000": 1 });
  });

  it("ignores results entirely when health filtering is off", () => {
    expect(servers(haproxyGroups(snapshotOf([tasks([true, false, undefined])], { healthCheck: false })).groups.external!.config)).toEqual([31000, 31001, 31002]);
  });
});

describe("deployment groups", () => {
  it("a target instance count that is not a number leaves the group out", () => {
    const colour = (id: string, started: string) =>
      app({ id, labels: { HAPROXY_DEPLOYMENT_GROUP: "nginx", HAPROXY_DEPLOYMENT_STARTED_AT: started, HAPROXY_DEPLOYMENT_NEW_INSTANCES: "1", HAPROXY_DEPLOYMENT_TARGET_INSTANCES: "lots" } });
    const { cfg, diagnostics } = render([colour("/nginx-blue", "2020-01-01T10:00:00"), colour("/nginx-green", "2020-01-01T11:00:00"), app({ id: "/other", ports: [10001] })]);
    expect(cfg).not.toContain("nginx_10000");
    expect(cfg).toContain("backend other_10001");
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: "haproxy.invalid-deployment-group", message: expect.stringContaining("HAPROXY_DEPLOYMENT_TARGET_INSTANCES") }));
  });
});

describe("wildcard vhosts (marathon-lb#188)", () => {
  const wild = app({ id: "/wild", labels: { HAPROXY_0_VHOST: "*.apps.test" } });
  const exact = app({ id: "/exact", ports: [10001], labels: { HAPROXY_0_VHOST: "www.apps.test" } });

  it("match one label by regex, after exact hosts", () => {
    const { cfg } = render([wild, exact]);
    expect(section(cfg, "frontend marathon_http_in").slice(2)).toEqual([
      "  acl host_www_apps_test_exact hdr(host) -i www.apps.test",
      "  use_backend exact_10001 if host_www_apps_test_exact",
      "  acl host___apps_test_wild hdr_reg(host) -i ^[^.]+\\.apps\\.test(:[0-9]+)?$",
      "  use_backend wild_10000 if host___apps_test_wild",
    ]);
    expect(section(cfg, "frontend marathon_https_in").slice(2)).toEqual([
      "  use_backend exact_10001 if { ssl_fc_sni www.apps.test }",
      "  use_backend wild_10000 if { ssl_fc_sni -m reg -i ^[^.]+\\.apps\\.test$ }",
    ]);
  });

  it("stay out of the maps in map mode, after a map line that lets unknown hosts through", () => {
    const { cfg, maps } = render([wild, exact], { haproxyMap: true });
    expect(maps!["domain2backend.map"]).toBe("www.apps.test exact_10001\n");
    expect(section(cfg, "frontend marathon_http_in").slice(2)).toEqual([
      "  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map(/etc/haproxy/domain2backend.map)] if { req.hdr(host),lower,regsub(:.*$,,),map(/etc/haproxy/domain2backend.map) -m found }",
      "  acl host___apps_test_wild hdr_reg(host) -i ^[^.]+\\.apps\\.test(:[0-9]+)?$",
      "  use_backend wild_10000 if host___apps_test_wild",
    ]);
    expect(section(cfg, "frontend marathon_https_in").slice(2)).toEqual([
      "  use_backend %[ssl_fc_sni,lower,map(/etc/haproxy/domain2backend.map)] if { ssl_fc_sni,lower,map(/etc/haproxy/domain2backend.map) -m found }",
      "  use_backend wild_10000 if { ssl_fc_sni -m reg -i ^[^.]+\\.apps\\.test$ }",
    ]);
  });

  it("an explicit weight still wins", () => {
    const { cfg } = render([app({ id: "/wild", labels: { HAPROXY_0_VHOST: "*.apps.test", HAPROXY_0_BACKEND_WEIGHT: "5" } }), exact]);
    expect(section(cfg, "frontend marathon_http_in")[2]).toContain("host___apps_test_wild");
  });
});

describe("determinism", () => {
  it("gives the same bytes whatever the order of apps and tasks", () => {
    const apps = [
      app({ id: "/b", ports: [10001], labels: { HAPROXY_0_VHOST: "b.test" }, tasks: [["agent1", [2]], ["agent1", [1]]] }),
      app({ id: "/a", labels: { HAPROXY_0_VHOST: "a.test,c.test", HAPROXY_0_PATH: "/x" }, tasks: [["agent1", [4]], ["agent1", [3]]] }),
    ];
    const forward = haproxyGroups(snapshotOf(apps, { haproxyMap: true }));
    const reversed = haproxyGroups(snapshotOf([...apps].reverse().map((a) => ({ ...a, tasks: [...(a.tasks as unknown[])].reverse() })), { haproxyMap: true }));
    expect(reversed).toEqual(forward);
  });
});

describe("agentResolver", () => {
  it("answers a hostname two agents share with the lowest agent id's address, whatever the order", () => {
    const agents = [
      { id: "S2", hostname: "a1", ips: ["10.0.1.12"] },
      { id: "S1", hostname: "a1", ips: ["10.0.1.11"] },
    ];
    expect(agentResolver(agents)("a1")).toBe("10.0.1.11");
    expect(agentResolver([...agents].reverse())("a1")).toBe("10.0.1.11");
    expect(agentResolver(agents)("10.9.9.9")).toBe("10.9.9.9");
    expect(agentResolver(agents)("a2")).toBeUndefined();
  });
});
