import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MARATHON_VIP_UNUSED, unusedMarathonVips } from "../../../functions/l4lb/marathon-vips.ts";
import { l4lbServices } from "../../../functions/l4lb/index.ts";
import { MarathonApp } from "../../../lib/snapshot/marathon.ts";
import { ClusterSnapshot, Task } from "../../../lib/snapshot/schema.ts";

const demo = JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8"));
const unused = (snapshot: ClusterSnapshot) => l4lbServices(snapshot).diagnostics.filter((d) => d.code === MARATHON_VIP_UNUSED);

const task = (id: string, vips: string[] = []) =>
  Task.parse({
    id,
    name: "web",
    frameworkId: "F",
    agentId: "S",
    state: "TASK_RUNNING",
    discovery: { name: "web", ports: [{ number: 31000, protocol: "tcp", labels: vips.map((value) => ({ key: "VIP_0", value })) }] },
  });

describe("unusedMarathonVips", () => {
  it.each([
    ["portDefinitions", { portDefinitions: [{ port: 0, labels: { VIP_0: "/web:80", HAPROXY_GROUP: "x" } }] }, 'portDefinitions[0] VIP_0="/web:80"'],
    ["container.portMappings", { container: { portMappings: [{ containerPort: 80 }, { containerPort: 81, labels: { vip_1: "1.2.3.4:81" } }] } }, 'container.portMappings[1] vip_1="1.2.3.4:81"'],
    ["container.docker.portMappings", { container: { docker: { portMappings: [{ containerPort: 80, labels: { VIP_0: "api:80" } }] } } }, 'container.docker.portMappings[0] VIP_0="api:80"'],
  ])("names a label on %s whose app has no Mesos task in the snapshot", (_field, ports, named) => {
    const app = MarathonApp.parse({ id: "/web", tasks: [{ id: "web.1" }, { id: "web.2" }], ...ports });
    const [diagnostic, ...rest] = unusedMarathonVips([app], [task("other.1")]);
    expect(rest).toEqual([]);
    expect(diagnostic).toEqual({ level: "warning", code: MARATHON_VIP_UNUSED, subject: "app:/web", message: expect.stringContaining(`${named} makes no VIP`) });
    expect(diagnostic!.message).toContain("none of its 2 task(s) is in the snapshot (a Marathon-only snapshot? take it with --mesos-state or --operator-state too)");
  });

  it("names only the labels none of the app's Mesos tasks carries", () => {
    const app = MarathonApp.parse({ id: "/web", tasks: [{ id: "web.1" }, { id: "web.2" }], portDefinitions: [{ labels: { VIP_0: "/web:80" } }, { labels: { VIP_1: "/admin:81" } }] });
    // One task still runs the old version, without the second label; the other has both.
    expect(unusedMarathonVips([app], [task("web.1", ["/web:80"]), task("web.2", ["/web:80", "/admin:81"])])).toEqual([]);
    const [diagnostic, ...rest] = unusedMarathonVips([app], [task("web.1", ["/web:80"]), task("web.2")]);
    expect(rest).toEqual([]);
    expect(diagnostic!.message).toBe(
      'portDefinitions[1] VIP_1="/admin:81" makes no VIP: none of the app\'s 2 Mesos task(s) carries it on a discovery port, where Marathon copies port labels and VIPs are read from',
    );
  });

  it.each([
    ["an app without VIP labels", { portDefinitions: [{ labels: { HAPROXY_0_VHOST: "x" } }], tasks: [{ id: "web.1" }] }],
    ["an app without tasks", { portDefinitions: [{ labels: { VIP_0: "/web:80" } }], tasks: [] }],
    ["an app whose tasks were not embedded", { portDefinitions: [{ labels: { VIP_0: "/web:80" } }] }],
    ["labels Marathon wrote as null", { portDefinitions: [{ labels: null }], container: { portMappings: null }, tasks: [{ id: "web.1" }] }],
  ])("says nothing for %s", (_what, fields) => {
    expect(unusedMarathonVips([MarathonApp.parse({ id: "/web", ...fields })], [])).toEqual([]);
  });
});

describe("Marathon VIP labels in the VIP table", () => {
  it("the demo's Mesos tasks carry every label their apps declare: no diagnostic, and each app's VIP", () => {
    const snapshot = ClusterSnapshot.parse(demo);
    expect(unused(snapshot)).toEqual([]);
    const names = new Set(l4lbServices(snapshot).services.map((s) => s.name));
    for (const name of ["web.marathon", "backendapi.marathon", "db.marathon", "cache.marathon"]) expect(names).toContain(name);
  });

  it("a Marathon-only snapshot makes no VIP and says so for each app that declares one", () => {
    const snapshot = ClusterSnapshot.parse({ ...demo, tasks: [] });
    expect(l4lbServices(snapshot).services).toEqual([]);
    expect(unused(snapshot).map((d) => d.subject)).toEqual(["app:/web", "app:/backend/api", "app:/db", "app:/cache"]);
  });

  it("Mesos tasks that lost their discovery labels make no VIP, and the app is named", () => {
    const tasks = demo.tasks.map((t: { id: string; discovery?: unknown }) => (t.id.startsWith("web.") ? { ...t, discovery: undefined } : t));
    const snapshot = ClusterSnapshot.parse({ ...demo, tasks });
    expect(l4lbServices(snapshot).services.some((s) => s.name === "web.marathon")).toBe(false);
    expect(unused(snapshot)).toEqual([expect.objectContaining({ subject: "app:/web", message: expect.stringContaining("none of the app's 2 Mesos task(s) carries it") })]);
  });
});
