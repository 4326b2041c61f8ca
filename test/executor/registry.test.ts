import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { APPLIERS, applierRequirements, createAppliers, type ApplierEntry } from "../../lib/executor/registry.ts";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { canonicalJsonPretty } from "../../lib/net/canonical-json.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { SNAPSHOT } from "../http/helpers.ts";

const renderFiles = (desired: Parameters<typeof canonicalJsonPretty>[0]) => new Map([["desired.json", canonicalJsonPretty(desired)]]);

describe("applier registry", () => {
  it("lists unique names", () => {
    const names = APPLIERS.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("builds every applier in registry order, or the selected ones", () => {
    const ctx = { stateDir: "/nonexistent", renderFiles };
    expect(createAppliers(ctx).map((a) => a.name)).toEqual(APPLIERS.map((a) => a.name));
    expect(createAppliers(ctx, ["files"]).map((a) => a.name)).toEqual(["files"]);
    expect(createAppliers(ctx, [])).toEqual([]);
  });

  it("names only earlier appliers as requirements, and holds DNS on the VIP applier once both exist (dcos-net#130)", () => {
    const names: string[] = APPLIERS.map((a) => a.name);
    for (const entry of APPLIERS as readonly ApplierEntry[]) {
      for (const required of entry.requires ?? []) expect(names.indexOf(required)).toBeLessThan(names.indexOf(entry.name));
    }
    if (names.includes("dns") && names.includes("l4lb")) expect(applierRequirements()["dns"]).toContain("l4lb");
  });

  it("rejects an unknown name, listing the known ones", () => {
    expect(() => createAppliers({ stateDir: "/x", renderFiles }, ["files", "dnss"])).toThrow(/unknown applier 'dnss' \(known: [a-z0-9, ]*files/);
  });

  it("programs a new task's policy before the VIPs, HAProxy and DNS send it anything", () => {
    const names: string[] = APPLIERS.map((a) => a.name);
    for (const later of ["l4lb", "haproxy", "dns"]) expect(names.indexOf("policy")).toBeLessThan(names.indexOf(later));
  });

  it("runs the overlay before the CNI configs that name its bridges", () => {
    const names = APPLIERS.map((a) => a.name);
    expect(names.indexOf("overlay")).toBeLessThan(names.indexOf("cni"));
  });

  it("puts the files applier under <stateDir>/files", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "wayfinder-state-"));
    const desired = reconcile(SNAPSHOT);
    // Only "files": the other appliers program the kernel, which unit tests must never touch.
    const report = await applyDesired(desired, createAppliers({ stateDir, renderFiles }, ["files"]));
    expect(report.ok).toBe(true);
    expect(JSON.parse(await readFile(join(stateDir, "files", "desired.json"), "utf8")).hash).toBe(desired.hash);
  });
});
