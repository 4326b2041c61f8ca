import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromMarathonApps, withoutNulls } from "../../../lib/snapshot/adapters/marathon-apps.ts";
import { InputError } from "../../../lib/snapshot/issues.ts";
import { UPSTREAM_DIR, upstreamText } from "../../support/upstream-fixtures.ts";

const read = (path: string) => JSON.parse(upstreamText(`marathon-lb/${path}`)) as Record<string, any>;
const apps = (path: string) => fromMarathonApps(read(path), { source: path });

function issuesOf(document: unknown): string[] {
  try {
    fromMarathonApps(document, { source: "apps.json" });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message.startsWith("apps.json: ")).toBe(true);
    return (error as InputError).issues.map((i) => i.path);
  }
  throw new Error("no error");
}

describe("fromMarathonApps on the marathon-lb fixtures", () => {
  it("zdd_apps.json: a blue/green pair, nulls dropped at every depth", () => {
    const list = apps("zdd_apps.json");
    expect(list.map((a) => [a.id, a.tasks?.length])).toEqual([
      ["/nginx-green", 3],
      ["/nginx-blue", 1],
    ]);
    const green = list[0]!;
    for (const key of ["cmd", "args", "user", "ipAddress"]) expect(key in green).toBe(false);
    expect(green.labels?.HAPROXY_DEPLOYMENT_GROUP).toBe("nginx");
    expect(green.container?.docker?.portMappings?.[0]).toMatchObject({ containerPort: 8080, hostPort: 0, servicePort: 10000, protocol: "tcp" });
    const result = green.tasks?.[0]?.healthCheckResults?.[0] as Record<string, unknown>;
    expect(result.alive).toBe(true);
    expect("lastFailure" in result).toBe(false);
    expect(JSON.stringify(list)).not.toContain("null");
  });

  it("marathon15_apps.json: Marathon 1.5 networks and container port mappings, task IPs", () => {
    const [app] = apps("marathon15_apps.json");
    expect(app?.id).toBe("/pywebserver");
    expect(app?.networks).toEqual([{ mode: "container/bridge" }]);
    expect(app?.container?.portMappings?.[0]).toMatchObject({ containerPort: 80, hostPort: 0, servicePort: 10101, name: "test" });
    expect(app?.tasks?.[0]).toMatchObject({ host: "10.0.2.148", ports: [1565], ipAddresses: [{ ipAddress: "172.17.0.2", protocol: "IPv4" }] });
  });

  it.each(["1-nginx.json", "1-nginx-marathon1.5.json"])("%s: a bare app definition is one app", (path) => {
    const list = apps(path);
    expect(list).toHaveLength(1);
    expect(list[0]?.id).toBe("nginx");
    expect(list[0]?.healthChecks?.[0]?.portIndex).toBe(0);
    expect(list[0]?.labels?.HAPROXY_GROUP).toBe("external");
  });

  const golden = readdirSync(join(UPSTREAM_DIR, "marathon-lb/golden")).filter((f) => f.endsWith(".json"));
  it.each(golden)("golden/%s: its input apps validate unchanged", (file) => {
    const input = read(`golden/${file}`).input.apps as unknown[];
    expect(fromMarathonApps({ apps: input }, { source: file })).toEqual(withoutNulls(input));
  });

  it("also reads a /v2/apps/<id> answer and a plain array", () => {
    const app = read("1-nginx.json");
    expect(fromMarathonApps({ app }, { source: "x" })[0]?.id).toBe("nginx");
    expect(fromMarathonApps([app, { ...app, id: "other" }], { source: "x" }).map((a) => a.id)).toEqual(["nginx", "other"]);
    expect(fromMarathonApps({ apps: [] }, { source: "x" })).toEqual([]);
  });
});

describe("withoutNulls", () => {
  it("drops null members recursively and keeps null array elements", () => {
    expect(withoutNulls({ a: null, b: [{ c: null, d: 0 }, null], e: { f: { g: null } }, h: false })).toEqual({
      b: [{ d: 0 }, null],
      e: { f: {} },
      h: false,
    });
  });

  it("does not modify its input", () => {
    const input = Object.freeze({ a: null, b: Object.freeze([Object.freeze({ c: null })]) });
    expect(withoutNulls(input)).toEqual({ b: [{}] });
    expect(input.a).toBeNull();
  });
});

describe("malformed documents throw InputError with JSON paths", () => {
  it("names the app and field", () => {
    const doc = read("zdd_apps.json");
    doc.apps[1].id = 42;
    doc.apps[0].tasks[2].ports = ["31000"];
    doc.apps[0].labels = { HAPROXY_GROUP: 1 };
    expect(issuesOf(doc).sort()).toEqual(["apps[0].labels.HAPROXY_GROUP", "apps[0].tasks[2].ports[0]", "apps[1].id"]);
  });

  it("names a null inside an array, which Marathon never writes", () => {
    expect(issuesOf({ apps: [null] })).toEqual(["apps[0]"]);
  });

  it("paths a single app from its root", () => {
    expect(issuesOf({ app: { id: "" } })).toEqual(["app.id"]);
    expect(issuesOf({ id: "x", instances: "two" })).toEqual(["instances"]);
  });

  it.each([[{ nope: true }], ["text"], [null], [{ apps: "x" }]])("rejects %j as not a Marathon document", (doc) => {
    expect(issuesOf(doc)).toEqual(["apps"]);
  });
});
