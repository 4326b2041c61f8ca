import { describe, expect, it } from "vitest";
import type { DesiredState, L4Service } from "../../../lib/desired/schema.ts";
import type { KeyChanges, ViewReader } from "../../../lib/executor/keyed-applier.ts";
import { createNftablesApplier } from "../../../lib/executor/l4lb/nftables-applier.ts";
import { canonicalJson } from "../../../lib/net/canonical-json.ts";
import { objectHash } from "../../../lib/net/multiset-hash.ts";
import { desiredWith } from "../../support/desired.ts";
import { service } from "../../render/l4lb-fixtures.ts";
import { fakeKernel } from "./fake-kernel.ts";

/** A view holding `services` under their keys, as the agent's view reader gives them. */
function viewOf(services: Record<string, L4Service>): ViewReader {
  return {
    node: "S1",
    generation: 1,
    hash: "",
    dnsHash: "",
    value: (key) => services[key] as never,
    valuesUnder: (prefix) => Object.entries(services).filter(([k]) => k.startsWith(prefix)) as never,
    desired: (): DesiredState => desiredWith({ l4lb: { services: Object.values(services) } }),
  };
}
const changes = (upserts: Record<string, L4Service>, deletes: string[] = []): KeyChanges => ({
  upserts: new Map(Object.entries(upserts).map(([k, v]) => [k, { hash: objectHash(canonicalJson(v)), json: canonicalJson(v), value: v }])),
  deletes: new Set(deletes),
  complete: false,
});

const A = service("11.0.0.1", 80, [["9.0.1.2", 80, 1]]);
const B = service("11.0.0.2", 80, [["9.0.1.3", 80, 1]]);

describe("the nftables applier on changed keys", () => {
  it("asks for a full sync before it has a record, then sends one transaction of the changed services only", async () => {
    const kernel = fakeKernel();
    const applier = createNftablesApplier({ run: kernel.run });
    expect(await applier.applyChanges(changes({ "l4lb/ip/a": A }), viewOf({ "l4lb/ip/a": A }))).toBeUndefined();
    expect(await applier.syncAll(viewOf({ "l4lb/ip/a": A, "l4lb/ip/b": B }))).toMatchObject({ status: "applied" });
    const full = kernel.nftBatches().length;

    const moved = service("11.0.0.2", 80, [["9.0.1.9", 80, 1]]);
    const view = viewOf({ "l4lb/ip/a": A, "l4lb/ip/b": moved });
    expect(await applier.applyChanges(changes({ "l4lb/ip/b": moved }), view)).toMatchObject({ status: "applied", plan: { changes: ["tcp 11.0.0.2:80"] } });
    expect(kernel.nftBatches()).toHaveLength(full + 1);
    expect(kernel.nftBatches().at(-1)).toBe("delete element ip wayfinder_l4lb backends { 11.0.0.2 . tcp . 80 . 0 }\nadd element ip wayfinder_l4lb backends { 11.0.0.2 . tcp . 80 . 0 : 9.0.1.9 . 80 }\n");
    // Nothing but the changed key was looked at: no nft list, no route listing.
    expect(kernel.calls.slice(-2).map((c) => c.argv.slice(0, 2).join(" "))).not.toContain("ip -json");
  });

  it("moves a named VIP whose address changed: the old service goes with its route, the new one comes", async () => {
    const kernel = fakeKernel();
    const applier = createNftablesApplier({ run: kernel.run });
    await applier.syncAll(viewOf({ "l4lb/named/api": A }));
    const readdressed = service("11.0.0.7", 80, [["9.0.1.2", 80, 1]]);
    const result = await applier.applyChanges(changes({ "l4lb/named/api": readdressed }), viewOf({ "l4lb/named/api": readdressed }));
    expect(result).toMatchObject({ status: "applied", plan: { adds: ["tcp 11.0.0.7:80", "route 11.0.0.7"], deletes: ["tcp 11.0.0.1:80", "route 11.0.0.1"] } });
    expect(kernel.routes).toEqual(new Set(["11.0.0.7"]));
    expect(await applier.applyChanges(changes({}, ["l4lb/named/api"]), viewOf({}))).toMatchObject({ status: "applied", plan: { deletes: ["tcp 11.0.0.7:80", "route 11.0.0.7"] } });
    expect(kernel.routes).toEqual(new Set());
  });

  it("leaves a flushed table to a full sync, which repairs it", async () => {
    const kernel = fakeKernel();
    const applier = createNftablesApplier({ run: kernel.run });
    await applier.syncAll(viewOf({ "l4lb/ip/a": A }));
    kernel.flushed = true;
    expect(await applier.applyChanges(changes({ "l4lb/ip/b": B }), viewOf({ "l4lb/ip/a": A, "l4lb/ip/b": B }))).toBeUndefined();
    expect(await applier.syncAll(viewOf({ "l4lb/ip/a": A, "l4lb/ip/b": B }))).toMatchObject({ status: "applied", plan: { repairs: [expect.stringContaining("was flushed")] } });
  });
});
