import { describe, expect, it } from "vitest";
import { planHaproxy } from "../../../lib/executor/haproxy/plan.ts";
import type { InstalledHaproxy } from "../../../lib/executor/haproxy/observe.ts";
import { configServers } from "../../../lib/executor/haproxy/runtime-state.ts";

const cfg = (servers: string) => `global\nbackend web_80\n  balance roundrobin\n${servers}`;
const ONE = cfg("  server slot1 10.0.0.1:31000 id 1\n  server slot2 127.0.0.1:1 id 2 disabled\n");
const TWO = cfg("  server slot1 10.0.0.1:31000 id 1\n  server slot2 10.0.0.2:31000 id 2\n");
const proc = { master: { pid: 1, reloads: 0, failedReloads: 0 }, workers: [{ pid: 2, reloads: 0 }] };

function installed(files: Record<string, string>, running: Record<string, string | undefined> = {}): InstalledHaproxy {
  return {
    files: { files: new Map(Object.entries(files)), owned: new Set(Object.keys(files)), foreign: new Set() },
    running: new Map(Object.entries(running).map(([stem, config]) => [stem, config === undefined ? { proc } : { proc, live: configServers(config).servers }])),
    node: { defaultCertificate: true, selfSignedCertificate: "/var/lib/wayfinder/haproxy/tls/self-signed.pem" },
  };
}

describe("planHaproxy", () => {
  it("starts a group that does not run", () => {
    const plan = planHaproxy("haproxy", new Map([["external.cfg", ONE]]), installed({}));
    expect([...plan.adds.keys()]).toEqual(["external"]);
    expect(plan.adds.get("external")).toMatchObject({ kind: "start" });
    expect(plan.repairs).toBeUndefined();
  });

  it("starts again a group whose config is installed but whose master is gone, naming it as a repair", () => {
    const plan = planHaproxy("haproxy", new Map([["external.cfg", ONE]]), installed({ "external.cfg": ONE }));
    expect(plan.adds.get("external")).toMatchObject({ kind: "start" });
    expect(plan.repairs).toEqual(["HAProxy of group external is not running though its config is installed: starting it again"]);
  });

  it("does nothing when files and running servers match", () => {
    const plan = planHaproxy("haproxy", new Map([["external.cfg", ONE]]), installed({ "external.cfg": ONE }, { external: ONE }));
    expect(plan).toEqual({ applier: "haproxy", adds: new Map(), changes: new Map(), deletes: [] });
  });

  it("turns a scale-up into Runtime API commands", () => {
    const plan = planHaproxy("haproxy", new Map([["external.cfg", TWO]]), installed({ "external.cfg": ONE }, { external: ONE }));
    expect(plan.changes.get("external")).toMatchObject({ kind: "runtime", commands: ["set server web_80/slot2 addr 10.0.0.2 port 31000", "set server web_80/slot2 state ready"] });
  });

  it("repairs a running worker that drifted from an unchanged file", () => {
    const plan = planHaproxy("haproxy", new Map([["external.cfg", ONE]]), installed({ "external.cfg": ONE }, { external: TWO }));
    expect(plan.changes.get("external")).toMatchObject({ kind: "runtime", commands: ["set server web_80/slot2 state maint", "set server web_80/slot2 addr 127.0.0.1 port 1"] });
  });

  it("reloads for structural changes, map changes, or when the servers cannot be read", () => {
    const leastconn = ONE.replace("roundrobin", "leastconn");
    expect(planHaproxy("haproxy", new Map([["external.cfg", leastconn]]), installed({ "external.cfg": ONE }, { external: ONE })).changes.get("external")).toMatchObject({
      kind: "reload",
      reason: "the config changed beyond server addresses",
    });
    const withMap = new Map([["external.cfg", ONE], ["external/domain2backend.map", "a.test web_80\n"]]);
    expect(planHaproxy("haproxy", withMap, installed({ "external.cfg": ONE, "external/domain2backend.map": "" }, { external: ONE })).changes.get("external")).toMatchObject({
      kind: "reload",
      reason: "map files changed",
    });
    expect(planHaproxy("haproxy", new Map([["external.cfg", TWO]]), installed({ "external.cfg": ONE }, { external: undefined })).changes.get("external")).toMatchObject({ kind: "reload" });
  });

  it("stops groups no longer wanted, running or only installed", () => {
    const plan = planHaproxy("haproxy", new Map([["external.cfg", ONE]]), installed({ "external.cfg": ONE, "internal.cfg": ONE }, { external: ONE, _all: ONE }));
    expect(plan.deletes).toEqual(["_all", "internal"]);
  });

  it("leaves held groups as they run: neither started, changed nor stopped", () => {
    const plan = planHaproxy("haproxy", new Map([["external.cfg", ONE]]), installed({ "external.cfg": ONE, "internal.cfg": ONE }, { external: ONE, internal: ONE }), new Set(["internal"]));
    expect(plan).toEqual({ applier: "haproxy", adds: new Map(), changes: new Map(), deletes: [] });
  });
});
