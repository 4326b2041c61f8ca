import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { createCniApplier } from "../../lib/executor/cni/applier.ts";
import { cluster, type ClusterSpec } from "../functions/overlay/helpers.ts";

let root: string;
let cniDir: string;
let stateDir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "wayfinder-cni-"));
  cniDir = join(root, "net.d");
  stateDir = join(root, "state");
});

afterEach(() => rm(root, { recursive: true, force: true }));

const agents: ClusterSpec["agents"] = [["a1", "10.0.0.11"], ["a2", "10.0.0.12"]];
// Conflists only, unless a test asks for DC/OS's .conf files too.
const view = (overlay: Record<string, unknown> = {}) => nodeView(reconcile(cluster({ agents, overlay: { cni: { dir: cniDir, mesos: false }, ...overlay } })), "a1");
const run = (desired = view()) => applyDesired(desired, [createCniApplier({ stateDir })]);

describe("cni applier", () => {
  it("installs one conflist per overlay into the configured directory, and nothing else there", async () => {
    const report = await run();
    expect(report.appliers).toEqual([{ name: "cni", status: "applied", plan: { adds: [join(cniDir, "dcos.conflist"), join(cniDir, "dcos6.conflist")], changes: [], deletes: [] } }]);
    expect((await readdir(cniDir)).sort()).toEqual(["dcos.conflist", "dcos6.conflist"]);
    expect(JSON.parse(await readFile(join(cniDir, "dcos.conflist"), "utf8"))).toMatchObject({ cniVersion: "1.0.0", name: "dcos", plugins: [{ type: "bridge" }, { type: "portmap" }] });
    expect(JSON.parse(await readFile(join(stateDir, "cni-manifest.json"), "utf8")).files).toEqual([join(cniDir, "dcos.conflist"), join(cniDir, "dcos6.conflist")]);
  });

  it("writes DC/OS's .conf beside the conflist for Mesos's isolator, IPv4 overlays only", async () => {
    await run(view({ cni: { dir: cniDir } }));
    expect((await readdir(cniDir)).sort()).toEqual(["dcos.conf", "dcos.conflist", "dcos6.conflist"]);
    expect(JSON.parse(await readFile(join(cniDir, "dcos.conf"), "utf8"))).toMatchObject({ name: "dcos", type: "mesos-cni-port-mapper", delegate: { ipam: { subnet: "9.0.0.0/25" } } });
  });

  it("changes nothing the second time (same mtimes)", async () => {
    await run();
    const before = (await stat(join(cniDir, "dcos.conflist"))).mtimeMs;
    expect((await run()).appliers).toEqual([{ name: "cni", status: "unchanged" }]);
    expect((await stat(join(cniDir, "dcos.conflist"))).mtimeMs).toBe(before);
  });

  it("rewrites a changed config and deletes the config of an overlay removed from the config", async () => {
    await run();
    const report = await run(view({ mtu: 8950, overlays: [{ name: "dcos", subnet: "9.0.0.0/8", prefix: 24 }] }));
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { adds: [], changes: [join(cniDir, "dcos.conflist")], deletes: [join(cniDir, "dcos6.conflist")] } });
    expect(await readdir(cniDir)).toEqual(["dcos.conflist"]);
    expect(await readFile(join(cniDir, "dcos.conflist"), "utf8")).toContain('"mtu": 8950');
  });

  it("makes a newly enabled overlay usable with no manual step", async () => {
    await run(view({ overlays: [{ name: "dcos", subnet: "9.0.0.0/8", prefix: 24 }] }));
    const report = await run(view({ overlays: [{ name: "dcos", subnet: "9.0.0.0/8", prefix: 24 }, { name: "blue", subnet: "10.64.0.0/12", prefix: 26 }] }));
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { adds: [join(cniDir, "blue.conflist")], changes: [], deletes: [] } });
  });

  it("removes every config it wrote when the node runs no overlay, and leaves other files", async () => {
    await run();
    await writeFile(join(cniDir, "99-other.conflist"), "{}");
    await run(view({ overlays: [] }));
    expect(await readdir(cniDir)).toEqual(["99-other.conflist"]);
  });

  it("never overwrites a config it did not write", async () => {
    await run(view({ overlays: [{ name: "dcos", subnet: "9.0.0.0/8", prefix: 24 }] }));
    await writeFile(join(cniDir, "dcos6.conflist"), "theirs");
    const report = await run();
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "apply", error: expect.stringContaining("refusing to overwrite") });
    expect(await readFile(join(cniDir, "dcos6.conflist"), "utf8")).toBe("theirs");
    expect((await readdir(cniDir)).sort()).toEqual(["dcos.conflist", "dcos6.conflist"]);
  });

  it("installs into a directory given to the applier instead of the configured one", async () => {
    const elsewhere = join(root, "elsewhere");
    const report = await applyDesired(view(), [createCniApplier({ stateDir, dir: elsewhere })]);
    expect(report.ok).toBe(true);
    expect((await readdir(elsewhere)).sort()).toEqual(["dcos.conflist", "dcos6.conflist"]);
    expect(existsSync(cniDir)).toBe(false);
  });

  it("moves the configs when the configured directory changes", async () => {
    await run();
    const moved = join(root, "moved");
    await run(view({ cni: { dir: moved, mesos: false } }));
    expect(existsSync(join(cniDir, "dcos.conflist"))).toBe(false);
    expect((await readdir(moved)).sort()).toEqual(["dcos.conflist", "dcos6.conflist"]);
  });

  it("refuses the cluster's desired state", async () => {
    const whole = reconcile(cluster({ agents, overlay: { cni: { dir: cniDir, mesos: false } } }));
    expect((await applyDesired(whole, [createCniApplier({ stateDir })])).appliers[0]).toMatchObject({ status: "failed", stage: "plan", error: expect.stringContaining("node view") });
  });

  it("rebuilds a truncated manifest from the configs it installs, and never touches another file", async () => {
    await run();
    await writeFile(join(cniDir, "10-other.conflist"), "someone else's\n");
    const manifest = join(stateDir, "cni-manifest.json");
    await truncate(manifest, 20);
    const report = await run();
    expect(report.appliers[0]).toMatchObject({
      status: "applied",
      plan: { adds: [join(cniDir, "dcos.conflist"), join(cniDir, "dcos6.conflist")], deletes: [], repairs: [`${manifest}: not valid JSON (Unterminated string in JSON at position 20): rebuilt from the 2 files it installs now, rewritten`] },
    });
    expect(JSON.parse(await readFile(manifest, "utf8")).files).toEqual([join(cniDir, "dcos.conflist"), join(cniDir, "dcos6.conflist")]);
    expect(await readFile(join(cniDir, "10-other.conflist"), "utf8")).toBe("someone else's\n");
    expect((await run()).appliers[0]).toEqual({ name: "cni", status: "unchanged" });
  });
});
