import { mkdir, mkdtemp, readFile, readdir, stat, symlink, truncate, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { createFilesApplier } from "../../lib/executor/files/applier.ts";
import { MANIFEST_NAME } from "../../lib/executor/files/paths.ts";
import { observeFiles } from "../../lib/executor/files/observe.ts";
import { planFiles } from "../../lib/executor/files/plan.ts";
import { applyFilesPlan } from "../../lib/executor/files/apply.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { SNAPSHOT } from "../http/helpers.ts";

const desired = reconcile(SNAPSHOT);

let dir: string;
let rendered: Map<string, string>;
const applier = () => createFilesApplier({ dir, files: () => rendered });
const run = () => applyDesired(desired, [applier()]);
const read = (path: string) => readFile(join(dir, path), "utf8");
const mtime = async (path: string) => (await stat(join(dir, path))).mtimeMs;

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), "wayfinder-files-")), "out");
  rendered = new Map([
    ["desired.json", "{}\n"],
    ["dns/mesos.zone", "$ORIGIN mesos.\n"],
    ["overlay/S1/cni/dcos.conflist", "{\"cniVersion\":\"0.4.0\"}\n"],
  ]);
});

describe("files applier", () => {
  it("creates the directory, the files and the manifest", async () => {
    const report = await run();
    expect(report.ok).toBe(true);
    expect(report.appliers).toEqual([
      { name: "files", status: "applied", plan: { adds: ["desired.json", "dns/mesos.zone", "overlay/S1/cni/dcos.conflist"], changes: [], deletes: [] } },
    ]);
    expect(await read("dns/mesos.zone")).toBe("$ORIGIN mesos.\n");
    expect(await read("overlay/S1/cni/dcos.conflist")).toBe("{\"cniVersion\":\"0.4.0\"}\n");
    expect(JSON.parse(await read(MANIFEST_NAME)).files).toEqual(["desired.json", "dns/mesos.zone", "overlay/S1/cni/dcos.conflist"]);
  });

  it("reports no changes on a second run and leaves every file untouched (same mtime)", async () => {
    await run();
    const before = await Promise.all([...rendered.keys(), MANIFEST_NAME].map(mtime));
    await new Promise((r) => setTimeout(r, 20));
    const report = await run();
    expect(report).toEqual({ hash: desired.hash, ok: true, appliers: [{ name: "files", status: "unchanged" }] });
    expect(await Promise.all([...rendered.keys(), MANIFEST_NAME].map(mtime))).toEqual(before);
  });

  it("rewrites only the changed file", async () => {
    await run();
    const untouched = await mtime("desired.json");
    await new Promise((r) => setTimeout(r, 20));
    rendered.set("dns/mesos.zone", "$ORIGIN mesos.\n@ 60 IN A 10.0.0.1\n");
    const report = await run();
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { adds: [], changes: ["dns/mesos.zone"], deletes: [] } });
    expect(await read("dns/mesos.zone")).toMatch(/10\.0\.0\.1/);
    expect(await mtime("desired.json")).toBe(untouched);
  });

  it("removes stale files it wrote, and the directories they leave empty", async () => {
    await run();
    rendered.delete("overlay/S1/cni/dcos.conflist");
    const report = await run();
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { deletes: ["overlay/S1/cni/dcos.conflist"] } });
    expect(existsSync(join(dir, "overlay"))).toBe(false);
    expect(JSON.parse(await read(MANIFEST_NAME)).files).toEqual(["desired.json", "dns/mesos.zone"]);
  });

  it("keeps files it did not write, even where it deletes its own", async () => {
    await run();
    await writeFile(join(dir, "dns", "local.zone"), "operator's zone\n");
    await writeFile(join(dir, "notes.txt"), "keep me\n");
    rendered.delete("dns/mesos.zone");
    const report = await run();
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { deletes: ["dns/mesos.zone"] } });
    expect(await read("dns/local.zone")).toBe("operator's zone\n");
    expect(await read("notes.txt")).toBe("keep me\n");
    expect(existsSync(join(dir, "dns/mesos.zone"))).toBe(false);
  });

  it("refuses to overwrite a file it did not write", async () => {
    await mkdir(join(dir, "dns"), { recursive: true });
    await writeFile(join(dir, "dns", "mesos.zone"), "hand-written\n");
    const report = await run();
    expect(report.ok).toBe(false);
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "plan", error: expect.stringMatching(/did not write: dns\/mesos\.zone/) });
    expect(await read("dns/mesos.zone")).toBe("hand-written\n");
    expect(existsSync(join(dir, "desired.json"))).toBe(false);
  });

  it("rebuilds a manifest truncated to nothing: claims and rewrites what it installs, leaves every other file", async () => {
    await run();
    await writeFile(join(dir, "notes.txt"), "keep me\n");
    await truncate(join(dir, MANIFEST_NAME), 0);
    rendered.delete("desired.json");
    rendered.set("dns/new.zone", "$ORIGIN new.\n");
    const report = await run();
    expect(report.appliers[0]).toEqual({
      name: "files",
      status: "applied",
      plan: {
        adds: ["dns/new.zone"],
        changes: ["dns/mesos.zone", "overlay/S1/cni/dcos.conflist"],
        deletes: [],
        repairs: [`${join(dir, MANIFEST_NAME)}: not valid JSON (Unexpected end of JSON input): rebuilt from the 3 files it installs now, rewritten; left alone, as they may not be its own: desired.json, notes.txt`],
      },
    });
    expect(JSON.parse(await read(MANIFEST_NAME)).files).toEqual(["dns/mesos.zone", "dns/new.zone", "overlay/S1/cni/dcos.conflist"]);
    expect(await read("notes.txt")).toBe("keep me\n");
    expect(await read("desired.json")).toBe("{}\n");
    expect((await run()).appliers[0]).toEqual({ name: "files", status: "unchanged" });
  });

  it("puts back a file it owns that was removed or edited by hand", async () => {
    await run();
    await writeFile(join(dir, "desired.json"), "tampered\n");
    const report = await run();
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { changes: ["desired.json"] } });
    expect(await read("desired.json")).toBe("{}\n");
  });

  it.each(["../escape", "/etc/passwd", "dns/../../escape", "a//b", "./a", "a\\b", MANIFEST_NAME, "x.wayfinder-tmp", ""])(
    "rejects the path %j and writes nothing",
    async (path) => {
      rendered.set(path, "x");
      const report = await run();
      expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "plan", error: expect.stringMatching(/refusing to write/) });
      expect(existsSync(dir)).toBe(false);
    },
  );

  it("re-checks paths in apply, for plans built elsewhere", async () => {
    const plan = { applier: "files", adds: new Map([["../escape", "x"]]), changes: new Map(), deletes: [] };
    await expect(applyFilesPlan(dir, plan)).rejects.toThrow(/refusing to write/);
  });

  it("refuses to write through a symlinked directory, before anything is installed", async () => {
    const outside = await mkdtemp(join(tmpdir(), "wayfinder-outside-"));
    await mkdir(dir, { recursive: true });
    await symlink(outside, join(dir, "dns"));
    const report = await run();
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "apply", error: expect.stringMatching(/dns is a symlink/) });
    expect(await readdir(outside)).toEqual([]);
    expect(existsSync(join(dir, "desired.json"))).toBe(false);
    expect((await readdir(dir)).sort()).toEqual(["dns"]);
  });

  it("leaves every old file in place, and no temporary file, when staging fails", async () => {
    await run();
    // Sorted after the change to dns/mesos.zone, so that change is already staged when this fails.
    rendered.set("dns/mesos.zone", "new\n");
    rendered.delete("overlay/S1/cni/dcos.conflist");
    rendered.set("overlay/S1/cni/dcos.conflist/oops", "a file under a file\n");
    const report = await run();
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "apply", error: expect.stringMatching(/is not a directory/) });
    expect(await read("dns/mesos.zone")).toBe("$ORIGIN mesos.\n");
    expect(await read("overlay/S1/cni/dcos.conflist")).toBe("{\"cniVersion\":\"0.4.0\"}\n");
    expect(await readdir(join(dir, "dns"))).toEqual(["mesos.zone"]);
    expect(JSON.parse(await read(MANIFEST_NAME)).files).toEqual(["desired.json", "dns/mesos.zone", "overlay/S1/cni/dcos.conflist"]);
  });

  it("plans without writing in a dry run", async () => {
    const report = await applyDesired(desired, [applier()], { dryRun: true });
    expect(report.appliers[0]).toMatchObject({ status: "planned", plan: { adds: ["desired.json", "dns/mesos.zone", "overlay/S1/cni/dcos.conflist"] } });
    expect(existsSync(dir)).toBe(false);
  });

  it("observes what it owns and what it does not", async () => {
    await run();
    await writeFile(join(dir, "foreign.txt"), "x");
    const installed = await observeFiles(dir);
    expect([...installed.files.keys()].sort()).toEqual([...rendered.keys()].sort());
    expect([...installed.foreign]).toEqual(["foreign.txt"]);
    expect(planFiles("files", rendered, installed)).toEqual({ applier: "files", adds: new Map(), changes: new Map(), deletes: [] });
  });

  it("verifies by observing again", async () => {
    const files = applier();
    expect(await files.verify(desired)).toEqual(["missing desired.json", "missing dns/mesos.zone", "missing overlay/S1/cni/dcos.conflist"]);
    await run();
    expect(await files.verify(desired)).toEqual([]);
  });
});
