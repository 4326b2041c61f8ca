import { describe, expect, it } from "vitest";
import type { L4Service } from "../../lib/desired/schema.ts";
import { MAX_SLOTS, serviceRules, slotCounts } from "../../lib/render/nft-model.ts";
import { renderNftRules } from "../../lib/render/nftables.ts";
import { nftablesDelta, nftIndex } from "../../lib/render/nftables-delta.ts";
import { service } from "./l4lb-fixtures.ts";

/** The partial sync from `before` to `after`, matching services by VIP key as the applier does. */
function delta(before: L4Service[], after: L4Service[]) {
  const a = new Map(before.map((s) => [serviceRules(s).key, serviceRules(s)]));
  const b = new Map(after.map((s) => [serviceRules(s).key, serviceRules(s)]));
  const changes = [...new Set([...a.keys(), ...b.keys()])]
    .filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)))
    .map((k) => ({ before: a.get(k), after: b.get(k) }));
  return nftablesDelta(changes, nftIndex(a.values()));
}

describe("slotCounts: weights as slot replication", () => {
  it.each([
    [[1, 1], [1, 1]],
    [[3, 1], [3, 1]],
    [[6, 2], [3, 1]],
    [[1, 0, 1], [1, 0, 1]],
    [[0, 0], [0, 0]],
    [[], []],
  ])("%j → %j", (weights, slots) => {
    expect(slotCounts(weights)).toEqual(slots);
  });

  it("scales large weights down to about MAX_SLOTS, keeping every live backend", () => {
    const slots = slotCounts([1000, 1, 999]);
    expect(slots.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_SLOTS + 3);
    expect(slots[1]).toBe(1);
    expect(Math.abs(slots[0]! - slots[2]!)).toBeLessThanOrEqual(1);
  });
});

describe("serviceRules", () => {
  it("gives a 3:1 VIP four slots, three to the heavier backend", () => {
    expect(serviceRules(service("11.0.0.1", 80, [["9.0.1.2", 8080, 3], ["9.0.1.3", 8080, 1]]))).toEqual({
      family: "ip",
      key: "11.0.0.1 . tcp . 80",
      address: "11.0.0.1",
      slots: ["9.0.1.2 . 8080", "9.0.1.2 . 8080", "9.0.1.2 . 8080", "9.0.1.3 . 8080"],
    });
  });

  it("gives a weight-0 backend no slot, and a VIP with only weight 0 none at all", () => {
    expect(serviceRules(service("11.0.0.1", 80, [["9.0.1.2", 80, 1], ["9.0.1.3", 80, 0]])).slots).toEqual(["9.0.1.2 . 80"]);
    expect(serviceRules(service("11.0.0.2", 53, [["9.0.1.4", 53, 0]], "udp")).slots).toEqual([]);
  });

  it("puts IPv6 VIPs in the ip6 family", () => {
    expect(serviceRules(service("fd01:c::1", 80, [["fd01:b::2", 80, 1]]))).toMatchObject({ family: "ip6", key: "fd01:c::1 . tcp . 80", slots: ["fd01:b::2 . 80"] });
  });
});

describe("renderNftRules", () => {
  const text = renderNftRules([serviceRules(service("11.0.0.1", 80, [["9.0.1.2", 8080, 3], ["9.0.1.3", 8080, 1]])), serviceRules(service("11.0.0.2", 53, [["9.0.1.4", 53, 0]], "udp"))]);

  it("replaces each family's table atomically: create-if-missing, delete, define", () => {
    expect(text).toMatch(/^table ip wayfinder_l4lb \{\}\ndelete table ip wayfinder_l4lb\ntable ip wayfinder_l4lb \{$/m);
    expect(text).toMatch(/^table ip6 wayfinder_l4lb \{\}\ndelete table ip6 wayfinder_l4lb\ntable ip6 wayfinder_l4lb \{$/m);
  });

  it("dispatches by one verdict map and picks a slot with numgen", () => {
    expect(text).toContain("11.0.0.1 . tcp . 80 : goto pick_4");
    expect(text).toContain("meta priority set numgen random mod 4 dnat ip to ip daddr . meta l4proto . th dport . meta priority map @backends");
    expect(text).toContain("ip6 daddr . meta l4proto . th dport vmap @vips");
  });

  it("holds a canary in each table: a chain no hook enters, whose one rule jumps to its target", () => {
    for (const family of ["ip", "ip6"]) {
      const table = text.slice(text.indexOf(`table ${family} wayfinder_l4lb {\n`));
      expect(table).toMatch(/\tchain canary_target \{\n\t\}\n\tchain canary \{\n\t\tjump canary_target\n\t\}\n\}/);
    }
  });

  it("lists a VIP without live backends for rejection, and every VIP address for masquerading", () => {
    expect(text).toMatch(/set no_backends \{[^}]*elements = \{\n\t+11\.0\.0\.2 \. udp \. 53\n/);
    expect(text).toMatch(/set vip_addresses \{[^}]*elements = \{\n\t+11\.0\.0\.1,\n\t+11\.0\.0\.2\n/);
  });
});

describe("nftablesDelta", () => {
  const base = [service("11.0.0.1", 80, [["9.0.1.2", 80, 1], ["9.0.1.3", 80, 1]]), service("11.0.0.2", 80, [["9.0.1.4", 80, 1]])];

  it("is empty when nothing changed", () => {
    expect(delta(base, base).batch).toBe("");
  });

  it("replaces only the slot of a changed backend", () => {
    const changed = [service("11.0.0.1", 80, [["9.0.1.2", 80, 1], ["9.0.1.9", 80, 1]]), base[1]!];
    expect(delta(base, changed).batch).toBe(
      "delete element ip wayfinder_l4lb backends { 11.0.0.1 . tcp . 80 . 1 }\n" +
        "add element ip wayfinder_l4lb backends { 11.0.0.1 . tcp . 80 . 1 : 9.0.1.9 . 80 }\n",
    );
  });

  it("deletes a removed VIP's dispatch, slots and address", () => {
    expect(delta(base, [base[0]!]).batch).toBe(
      "delete element ip wayfinder_l4lb vips { 11.0.0.2 . tcp . 80 }\n" +
        "delete element ip wayfinder_l4lb backends { 11.0.0.2 . tcp . 80 . 0 }\n" +
        "delete element ip wayfinder_l4lb vip_addresses { 11.0.0.2 }\n",
    );
  });

  it("adds the pick chain a new slot count needs before the dispatch that uses it", () => {
    const grown = [service("11.0.0.1", 80, [["9.0.1.2", 80, 1], ["9.0.1.3", 80, 1], ["9.0.1.5", 80, 1]]), base[1]!];
    const lines = delta(base, grown).batch.split("\n");
    expect(lines[0]).toBe("add chain ip wayfinder_l4lb pick_3");
    expect(lines[1]).toMatch(/^add rule ip wayfinder_l4lb pick_3 meta priority set numgen random mod 3 /);
    expect(lines).toContain("delete element ip wayfinder_l4lb vips { 11.0.0.1 . tcp . 80 }");
    expect(lines).toContain("add element ip wayfinder_l4lb vips { 11.0.0.1 . tcp . 80 : goto pick_3 }");
    expect(lines).toContain("add element ip wayfinder_l4lb backends { 11.0.0.1 . tcp . 80 . 2 : 9.0.1.5 . 80 }");
  });

  it("moves a VIP whose last backend drains from the dispatch map to the reject set", () => {
    const drained = [base[0]!, service("11.0.0.2", 80, [["9.0.1.4", 80, 0]])];
    expect(delta(base, drained).batch).toBe(
      "delete element ip wayfinder_l4lb vips { 11.0.0.2 . tcp . 80 }\n" +
        "delete element ip wayfinder_l4lb backends { 11.0.0.2 . tcp . 80 . 0 }\n" +
        "add element ip wayfinder_l4lb no_backends { 11.0.0.2 . tcp . 80 }\n",
    );
  });

  it("keeps a shared VIP address while another service still uses it", () => {
    const both = [...base, service("11.0.0.2", 53, [["9.0.1.4", 53, 1]], "udp")];
    const text = delta(both, base).batch;
    expect(text).not.toContain("vip_addresses");
    expect(text).toContain("delete element ip wayfinder_l4lb vips { 11.0.0.2 . udp . 53 }");
  });
});
