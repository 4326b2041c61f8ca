import { describe, expect, it } from "vitest";
import { buildSnapshot } from "../../lib/snapshot/build.ts";
import { previousFromDocument } from "../../lib/snapshot/previous.ts";
import { parseConfigYaml } from "../../lib/snapshot/config-file.ts";
import { fromMarathonApps } from "../../lib/snapshot/adapters/marathon-apps.ts";
import { InputError } from "../../lib/snapshot/issues.ts";
import { Config } from "../../lib/snapshot/config.ts";
import { operatorFixture, upstreamText } from "../support/upstream-fixtures.ts";

const NOW = "2026-01-01T00:00:00Z";

function issuesOf(run: () => unknown): Array<{ path: string; message: string }> {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).issues;
  }
  throw new Error("no error");
}

describe("buildSnapshot", () => {
  it("composes the Mesos part, Marathon apps, config and previous allocations", () => {
    const mesos = operatorFixture("hello-overlay", { leader: "master@10.0.0.1:5050", masters: ["10.0.0.1:5050"] });
    const marathonApps = fromMarathonApps(JSON.parse(upstreamText("marathon-lb/zdd_apps.json")), { source: "apps" });
    const config = parseConfigYaml("dns:\n  domain: cluster\n", "wayfinder.yaml");
    const snap = buildSnapshot({ clusterName: "lab", now: NOW, mesos, marathonApps, config, previous: { overlay: { release: ["10.0.0.12"] } } });
    expect(snap.apiVersion).toBe("wayfinder/v1");
    expect(snap.cluster).toEqual({ name: "lab" });
    expect(snap.now).toBe(NOW);
    expect(snap.leader).toBe("master@10.0.0.1:5050");
    // Every task is Mesos's, plus the Marathon app Mesos does not record (from Marathon's task ids here).
    expect(snap.tasks.map(({ appId: _, ...task }) => task)).toEqual(mesos.tasks.map(({ appId: _, ...task }) => task));
    expect(snap.tasks.find((t) => t.id === "hello-world.cea59641-2bea-11e8-93f9-6a3d376ad59c")?.appId).toBe("/hello-world");
    expect(snap.tasks.find((t) => t.id.startsWith("hello-overlay-0-server"))?.appId).toBeUndefined();
    expect(snap.marathonApps.map((a) => a.id)).toEqual(["/nginx-green", "/nginx-blue"]);
    expect(snap.config.dns.domain).toBe("cluster");
    expect(snap.previous).toEqual({ overlay: { release: ["10.0.0.12"] } });
  });

  it("defaults to an empty cluster with the DC/OS config", () => {
    const snap = buildSnapshot({ clusterName: "empty", now: NOW });
    expect([snap.agents, snap.frameworks, snap.tasks, snap.marathonApps, snap.masters]).toEqual([[], [], [], [], []]);
    expect(snap.config).toEqual(Config.parse({}));
    expect(snap.previous).toEqual({});
  });

  it("rejects what fails the schema with the paths, source 'snapshot'", () => {
    const mesos = operatorFixture("unhealthy");
    const badTask = { ...mesos.tasks[0]!, id: "" };
    const issues = issuesOf(() => buildSnapshot({ clusterName: "", now: "today", mesos: { ...mesos, tasks: [badTask] } }));
    expect(issues.map((i) => i.path)).toEqual(["cluster.name", "now", "tasks[0].id"]);
    try {
      buildSnapshot({ clusterName: "", now: NOW });
    } catch (error) {
      expect((error as Error).message).toMatch(/^snapshot: cluster\.name: /);
    }
  });
});

describe("previousFromDocument", () => {
  it("takes a snapshot's own previous allocations", () => {
    const snap = buildSnapshot({ clusterName: "x", now: NOW, previous: { overlay: { nodes: [] } } });
    expect(previousFromDocument(JSON.parse(JSON.stringify(snap)), "snap.json")).toEqual({ overlay: { nodes: [] } });
  });

  it("gives nothing from a desired state without allocations or named VIPs", () => {
    const desired = { apiVersion: "wayfinder/v1", hash: "h", dns: { zones: [] }, l4lb: { services: [] }, overlay: { nodes: {} } };
    expect(previousFromDocument(desired, "d.json")).toEqual({});
  });

  it.each([[[]], ["text"], [null], [{ apiVersion: "v0" }]])("rejects %j", (doc) => {
    expect(issuesOf(() => previousFromDocument(doc, "p.json")).length).toBeGreaterThan(0);
  });
});
