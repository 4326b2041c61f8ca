import { describe, expect, it } from "vitest";
import { applyDesired } from "../../../lib/executor/apply-desired.ts";
import { createNftablesApplier } from "../../../lib/executor/l4lb/nftables-applier.ts";
import type { DesiredState, L4Service } from "../../../lib/desired/schema.ts";
import { service } from "../../render/l4lb-fixtures.ts";
import { fakeKernel, type FakeKernel } from "./fake-kernel.ts";
import { desiredWith } from "../../support/desired.ts";

function desired(services: L4Service[]): DesiredState {
  return desiredWith({ l4lb: { services } });
}

const A = service("11.0.0.1", 80, [["9.0.1.2", 80, 1], ["9.0.1.3", 80, 1]]);
const B = service("fd01:c::2", 53, [["fd01:b::4", 53, 1]], "udp");

describe("nftables applier bookkeeping", () => {
  it("starts with a full atomic sync, then sends only what changed", async () => {
    const kernel = fakeKernel();
    const applier = createNftablesApplier({ run: kernel.run });

    const first = await applyDesired(desired([A, B]), [applier]);
    expect(first.appliers[0]).toMatchObject({ status: "applied", plan: { adds: ["tcp 11.0.0.1:80", "udp [fd01:c::2]:53", "route 11.0.0.1", "route fd01:c::2"] } });
    expect(applier.lastSync?.full).toBe(true);
    expect(kernel.nftBatches()[0]).toContain("delete table ip wayfinder_l4lb");
    expect(kernel.routes).toEqual(new Set(["11.0.0.1", "fd01:c::2"]));

    const again = await applyDesired(desired([A, B]), [applier]);
    expect(again.appliers[0]).toEqual({ name: "l4lb", status: "unchanged" });
    expect(kernel.nftBatches()).toHaveLength(1);

    const moved = service("11.0.0.1", 80, [["9.0.1.2", 80, 1], ["9.0.1.9", 80, 1]]);
    const third = await applyDesired(desired([moved, B]), [applier]);
    expect(third.appliers[0]).toMatchObject({ status: "applied", plan: { changes: ["tcp 11.0.0.1:80"] } });
    expect(applier.lastSync?.full).toBe(false);
    expect(kernel.nftBatches()[1]).toBe(
      "delete element ip wayfinder_l4lb backends { 11.0.0.1 . tcp . 80 . 1 }\nadd element ip wayfinder_l4lb backends { 11.0.0.1 . tcp . 80 . 1 : 9.0.1.9 . 80 }\n",
    );
  });

  it("removes a deleted VIP's elements and its route", async () => {
    const kernel = fakeKernel();
    const applier = createNftablesApplier({ run: kernel.run });
    await applyDesired(desired([A, B]), [applier]);
    const report = await applyDesired(desired([A]), [applier]);
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { deletes: ["udp [fd01:c::2]:53", "route fd01:c::2"] } });
    expect(kernel.nftBatches()[1]).toContain("delete element ip6 wayfinder_l4lb vips { fd01:c::2 . udp . 53 }");
    expect(kernel.routes).toEqual(new Set(["11.0.0.1"]));
  });

  it("deletes the conntrack entries of removed UDP backends and VIPs, not of drained ones", async () => {
    const kernel = fakeKernel();
    const applier = createNftablesApplier({ run: kernel.run });
    const dns = (backends: Array<[string, number, number]>) => service("11.0.0.5", 53, backends, "udp");
    await applyDesired(desired([A, dns([["9.0.1.2", 53, 1], ["9.0.1.3", 53, 1]])]), [applier]);
    await applyDesired(desired([A, dns([["9.0.1.2", 53, 0]])]), [applier]);
    await applyDesired(desired([A]), [applier]);
    expect(kernel.calls.filter((c) => c.argv[0] === "conntrack").map((c) => c.argv.join(" "))).toEqual([
      "conntrack -D -f ipv4 -p udp --orig-dst 11.0.0.5 --orig-port-dst 53 --reply-src 9.0.1.3 --reply-port-src 53",
      "conntrack -D -f ipv4 -p udp --orig-dst 11.0.0.5 --orig-port-dst 53",
    ]);
  });

  it("falls back to a full sync in the same apply when a partial transaction fails", async () => {
    const kernel = fakeKernel();
    const applier = createNftablesApplier({ run: kernel.run });
    await applyDesired(desired([A]), [applier]);
    kernel.failNextNft = true;
    const report = await applyDesired(desired([A, B]), [applier]);
    expect(report.appliers[0]).toMatchObject({ status: "applied" });
    expect(applier.lastSync).toMatchObject({ full: true, fallback: expect.stringContaining("Could not process rule") });
    expect(kernel.nftBatches().at(-1)).toContain("delete table ip6 wayfinder_l4lb");
    expect(kernel.routes).toEqual(new Set(["11.0.0.1", "fd01:c::2"]));
  });

  it.each([
    ["deleted", (k: FakeKernel) => void (k.tables = false), "table ip wayfinder_l4lb is missing; table ip6 wayfinder_l4lb is missing, behind the agent's back"],
    ["flushed", (k: FakeKernel) => void (k.flushed = true), "table ip wayfinder_l4lb was flushed (its rules are gone); table ip6 wayfinder_l4lb was flushed (its rules are gone), behind the agent's back"],
  ])("rebuilds tables someone %s on the next sync, though the desired state did not change", async (_what, damage, repair) => {
    const kernel = fakeKernel();
    const applier = createNftablesApplier({ run: kernel.run });
    await applyDesired(desired([A]), [applier]);
    damage(kernel);
    const report = await applyDesired(desired([A]), [applier]);
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { changes: ["table wayfinder_l4lb"], repairs: [repair] } });
    expect(applier.lastSync).toMatchObject({ full: true, fallback: repair });
    expect(kernel.nftBatches().at(-1)).toContain("delete table ip wayfinder_l4lb");
    expect(kernel).toMatchObject({ tables: true, flushed: false });
    expect(await applyDesired(desired([A]), [applier])).toMatchObject({ appliers: [{ status: "unchanged" }] });
  });

  it("checks the canary on a sync with nothing to do, and lists nothing while it holds", async () => {
    const kernel = fakeKernel();
    const applier = createNftablesApplier({ run: kernel.run });
    await applyDesired(desired([A]), [applier]);
    const before = kernel.calls.length;
    expect(await applyDesired(desired([A]), [applier])).toMatchObject({ appliers: [{ status: "unchanged" }] });
    expect(kernel.calls.slice(before).map((c) => c.argv.join(" "))).toEqual([
      "nft --check delete chain ip wayfinder_l4lb canary_target",
      "nft --check delete chain ip6 wayfinder_l4lb canary_target",
    ]);
  });

  it("fails, and forgets its record, when even the full sync is refused", async () => {
    const kernel = fakeKernel();
    const applier = createNftablesApplier({ run: kernel.run });
    kernel.failNextNft = true;
    expect(await applyDesired(desired([A]), [applier])).toMatchObject({ ok: false, appliers: [{ status: "failed", stage: "apply" }] });
    await applyDesired(desired([A]), [applier]);
    expect(applier.lastSync?.full).toBe(true);
  });

  it.each([
    ["an address carrying nft syntax", { ...A, vip: { ...A.vip, ip: "11.0.0.1 . tcp . 80 : accept }\nflush ruleset\n" } }, "VIP address"],
    ["a backend address of the other family", service("11.0.0.1", 80, [["fd01:b::2", 80, 1]]), "backend address"],
    ["a negative weight", service("11.0.0.1", 80, [["9.0.1.2", 80, -1]]), "weight -1"],
    ["a port out of range", service("11.0.0.1", 80, [["9.0.1.2", 70000, 1]]), "backend port 70000"],
  ])("refuses %s before running anything", async (_what, bad, message) => {
    const kernel = fakeKernel();
    const report = await applyDesired(desired([B, bad as L4Service]), [createNftablesApplier({ run: kernel.run })]);
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "plan", error: expect.stringContaining(message) });
    expect(kernel.calls.filter((c) => c.argv[0] === "nft" || c.argv.includes("-batch"))).toEqual([]);
  });

  it("refuses a desired state that lists one VIP twice, before touching anything", async () => {
    const kernel = fakeKernel();
    const report = await applyDesired(desired([A, A]), [createNftablesApplier({ run: kernel.run })]);
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "plan", error: expect.stringContaining("tcp 11.0.0.1:80") });
    expect(kernel.nftBatches()).toEqual([]);
  });

  it("does not list the kernel's routes on a partial sync, and repairs them on a forced full one", async () => {
    const kernel = fakeKernel();
    const applier = createNftablesApplier({ run: kernel.run });
    await applyDesired(desired([A]), [applier]);
    kernel.routes.clear();
    const listed = () => kernel.calls.filter((c) => c.argv.includes("show")).length;
    const before = listed();
    expect(await applyDesired(desired([A]), [applier])).toMatchObject({ appliers: [{ status: "unchanged" }] });
    expect(listed()).toBe(before);
    applier.forceFullSync();
    const report = await applyDesired(desired([A]), [applier]);
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { adds: ["tcp 11.0.0.1:80", "route 11.0.0.1"] } });
    expect(applier.lastSync?.full).toBe(true);
    expect(kernel.routes).toEqual(new Set(["11.0.0.1"]));
  });

  it("plans without writing on a dry run", async () => {
    const kernel = fakeKernel();
    const report = await applyDesired(desired([A]), [createNftablesApplier({ run: kernel.run })], { dryRun: true });
    expect(report.appliers[0]).toMatchObject({ status: "planned" });
    expect(kernel.calls.every((c) => c.argv[0] === "nft" ? c.argv[1] === "list" : c.argv.includes("show"))).toBe(true);
  });
});
