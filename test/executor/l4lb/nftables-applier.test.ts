import { describe, expect, it } from "vitest";
import { applyDesired } from "../../../lib/executor/apply-desired.ts";
import { createNftablesApplier } from "../../../lib/executor/l4lb/nftables-applier.ts";
import type { DesiredState, L4Service } from "../../../lib/desired/schema.ts";
import { service } from "../../render/l4lb-fixtures.ts";
import { fakeKernel, type FakeKernel } from "./fake-kernel.ts";
import { LISTED_SERVICES, listing } from "./nft-listing-fixture.ts";
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
    // Both families in one check: an aborted transaction costs the kernel a grace period.
    expect(kernel.calls.slice(before).map((c) => `${c.argv.join(" ")}: ${c.input}`)).toEqual([
      "nft --check -f -: delete chain ip wayfinder_l4lb canary_target\ndelete chain ip6 wayfinder_l4lb canary_target\n",
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
    expect(kernel.nftBatches()).toEqual([]);
    expect(kernel.calls.filter((c) => c.argv.includes("-batch"))).toEqual([]);
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
    expect(kernel.calls.every((c) => (c.argv[0] === "nft" ? c.argv.includes("list") : c.argv.includes("show")))).toBe(true);
  });
});

describe("nftables applier without a record: the kernel's tables read back", () => {
  /** A kernel that runs what `LISTED_SERVICES` rendered to, with their routes. */
  function kernelWithListedTables() {
    const kernel = fakeKernel();
    kernel.tables = true;
    kernel.listing = { ip: listing("ip"), ip6: listing("ip6") };
    for (const ip of ["11.0.0.1", "11.0.0.2", "fd01:c::2"]) kernel.routes.add(ip);
    return kernel;
  }

  it("finds nothing to do for what the tables hold, weights compared by their slots", async () => {
    const kernel = kernelWithListedTables();
    // 6:2 is the same 3:1 split, in the same slots.
    const sameSplit = [service("11.0.0.1", 80, [["9.0.1.2", 80, 6], ["9.0.1.3", 8080, 2]]), ...LISTED_SERVICES.slice(1)];
    for (const dryRun of [true, false]) {
      const report = await applyDesired(desired(sameSplit), [createNftablesApplier({ run: kernel.run })], { dryRun });
      expect(report.appliers[0]).toEqual({ name: "l4lb", status: "unchanged" });
    }
    expect(kernel.nftBatches()).toEqual([]);
  });

  it("lists the tables once: later syncs plan from what the listing recorded", async () => {
    const kernel = kernelWithListedTables();
    const applier = createNftablesApplier({ run: kernel.run });
    const listings = () => kernel.calls.filter((c) => c.argv.join(" ").startsWith("nft -j list table")).length;
    for (let i = 0; i < 3; i++) expect((await applyDesired(desired(LISTED_SERVICES), [applier])).appliers[0]).toMatchObject({ status: "unchanged" });
    expect(listings()).toBe(2);
    const moved = [service("11.0.0.1", 80, [["9.0.1.2", 80, 1], ["9.0.1.3", 8080, 1]]), ...LISTED_SERVICES.slice(1)];
    expect((await applyDesired(desired(moved), [applier])).appliers[0]).toMatchObject({ status: "applied", plan: { changes: ["tcp 11.0.0.1:80"] } });
    expect(applier.lastSync?.full).toBe(false);
    expect(listings()).toBe(2);
  });

  it("changes only what differs: a partial sync, planned the same on a dry run", async () => {
    const kernel = kernelWithListedTables();
    const moved = [service("11.0.0.1", 53, [["9.0.1.9", 5353, 1]], "udp"), ...LISTED_SERVICES.filter((_, i) => i !== 1 && i !== 2)];
    const dry = await applyDesired(desired(moved), [createNftablesApplier({ run: kernel.run })], { dryRun: true });
    const applier = createNftablesApplier({ run: kernel.run });
    const applied = await applyDesired(desired(moved), [applier]);
    const plan = { adds: [], changes: ["udp 11.0.0.1:53"], deletes: ["tcp 11.0.0.2:443", "route 11.0.0.2"] };
    expect(dry.appliers[0]).toEqual({ name: "l4lb", status: "planned", plan });
    expect(applied.appliers[0]).toEqual({ name: "l4lb", status: "applied", plan });
    expect(applier.lastSync?.full).toBe(false);
    expect(kernel.nftBatches()).toEqual([
      [
        "delete element ip wayfinder_l4lb backends { 11.0.0.1 . udp . 53 . 0 }",
        "add element ip wayfinder_l4lb backends { 11.0.0.1 . udp . 53 . 0 : 9.0.1.9 . 5353 }",
        "delete element ip wayfinder_l4lb no_backends { 11.0.0.2 . tcp . 443 }",
        "delete element ip wayfinder_l4lb vip_addresses { 11.0.0.2 }",
        "",
      ].join("\n"),
    ]);
    expect(kernel.calls.filter((c) => c.argv[0] === "conntrack").map((c) => c.argv.slice(-4).join(" "))).toEqual(["--reply-src 9.0.1.4 --reply-port-src 5353"]);
  });

  it("repairs a missing route of an unchanged VIP", async () => {
    const kernel = kernelWithListedTables();
    kernel.routes.delete("fd01:c::2");
    const report = await applyDesired(desired(LISTED_SERVICES), [createNftablesApplier({ run: kernel.run })]);
    expect(report.appliers[0]).toEqual({ name: "l4lb", status: "applied", plan: { adds: ["route fd01:c::2"], changes: [], deletes: [] } });
    expect(kernel.routes.has("fd01:c::2")).toBe(true);
  });

  it("replaces tables that are not as rendered, saying why", async () => {
    const kernel = kernelWithListedTables();
    kernel.listing!.ip6 = JSON.stringify({ nftables: [...JSON.parse(listing("ip6")).nftables, { chain: { name: "mine" } }] });
    const applier = createNftablesApplier({ run: kernel.run });
    const plan = applier.plan(desired(LISTED_SERVICES), await applier.observe());
    expect(plan.changes.get("table wayfinder_l4lb")).toBe("full sync: table ip6 wayfinder_l4lb: it holds a chain mine, which wayfinder does not make");
    await applier.apply(plan);
    expect(applier.lastSync?.full).toBe(true);
  });

  it("replaces the tables whole after forceFullSync, without reading them", async () => {
    const kernel = kernelWithListedTables();
    const applier = createNftablesApplier({ run: kernel.run });
    applier.forceFullSync();
    await applyDesired(desired(LISTED_SERVICES), [applier]);
    expect(applier.lastSync?.full).toBe(true);
    expect(kernel.calls.some((c) => c.argv.join(" ").startsWith("nft -j list table"))).toBe(false);
  });
});

describe("nftables applier in a namespace whose lo is down", () => {
  it("reads the missing IPv4 local table as no routes, and sets lo up before adding routes", async () => {
    const kernel = fakeKernel();
    kernel.loopbackUp = false;
    const dry = await applyDesired(desired([A, B]), [createNftablesApplier({ run: kernel.run })], { dryRun: true });
    expect(dry.appliers[0]).toMatchObject({ status: "planned", plan: { changes: ["table wayfinder_l4lb", "link lo up"] } });
    expect(kernel.loopbackUp).toBe(false);
    const report = await applyDesired(desired([A, B]), [createNftablesApplier({ run: kernel.run })]);
    expect(report.appliers[0]).toMatchObject({ status: "applied" });
    expect(kernel.calls.find((c) => c.argv.includes("-batch"))?.input?.split("\n")[0]).toBe("link set dev lo up");
    expect(kernel.loopbackUp).toBe(true);
    expect(kernel.routes).toEqual(new Set(["11.0.0.1", "fd01:c::2"]));
  });

  it("leaves lo down when there are no VIPs", async () => {
    const kernel = fakeKernel();
    kernel.loopbackUp = false;
    const report = await applyDesired(desired([]), [createNftablesApplier({ run: kernel.run })]);
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { changes: ["table wayfinder_l4lb"] } });
    expect(kernel.loopbackUp).toBe(false);
  });
});
