/**
 * Reading wayfinder's tables back, from a real listing (`nft-listing-fixture.ts`); the
 * malformed cases edit that listing.
 */
import { describe, expect, it } from "vitest";
import { listNftTables, parseNftTableListing } from "../../../lib/executor/l4lb/nft-listing.ts";
import { serviceRules } from "../../../lib/render/nft-model.ts";
import { compareStrings } from "../../../lib/net/compare.ts";
import { LISTED_SERVICES, listing } from "./nft-listing-fixture.ts";

type Entry = Record<string, any>;

/** The ip listing with `edit` applied to its parsed entries. */
function edited(edit: (entries: Entry[]) => void): string {
  const document = JSON.parse(listing("ip"));
  edit(document.nftables);
  return JSON.stringify(document);
}

const find = (entries: Entry[], kind: string, name: string) => entries.find((e) => e[kind]?.name === name || e[kind]?.chain === name)![kind];

describe("parseNftTableListing", () => {
  it("reads back the rules each service was rendered to, and the pick chains", () => {
    const wanted = LISTED_SERVICES.map(serviceRules).sort((a, b) => compareStrings(a.key, b.key));
    const ip = parseNftTableListing("ip", listing("ip"));
    const ip6 = parseNftTableListing("ip6", listing("ip6"));
    expect(ip).toEqual({ rules: wanted.filter((r) => r.family === "ip"), chains: new Set([1, 4]) });
    expect(ip6).toEqual({ rules: wanted.filter((r) => r.family === "ip6"), chains: new Set([2]) });
  });

  it("reads a table without elements as no services", () => {
    const empty = edited((entries) => {
      for (const e of entries) delete (e["map"] ?? e["set"] ?? {})["elem"];
    });
    expect(parseNftTableListing("ip", empty)).toEqual({ rules: [], chains: new Set([1, 4]) });
  });

  it.each<[string, string | ((entries: Entry[]) => void), string]>([
    ["not JSON", "Error: Could not process rule", "the listing is not JSON"],
    ["JSON without the nftables array", '{"tables":[]}', "the listing has no nftables array"],
    ["a missing map", (e) => e.splice(e.findIndex((x) => x.map?.name === "backends"), 1), "backends is missing"],
    ["a set of another type", (e) => (find(e, "set", "vip_addresses").type = "ipv6_addr"), "vip_addresses is not of the rendered type"],
    ["a set with flags", (e) => (find(e, "set", "no_backends").flags = ["interval"]), "no_backends is not of the rendered type"],
    ["a set wayfinder does not make", (e) => e.push({ set: { name: "extra", type: "ipv4_addr" } }), "set extra, which wayfinder does not make"],
    ["a counter object", (e) => e.push({ counter: { name: "c" } }), "it holds a counter"],
    ["a chain wayfinder does not make", (e) => e.push({ chain: { name: "mine" } }), "chain mine, which wayfinder does not make"],
    ["a flushed canary", (e) => e.splice(e.findIndex((x) => x.rule?.chain === "canary"), 1), "chain canary does not hold what the canary puts there"],
    ["a rule in the canary's target", (e) => e.push({ rule: { chain: "canary_target", expr: [{ accept: null }] } }), "chain canary_target does not hold what the canary puts there"],
    ["a missing canary target", (e) => e.splice(e.findIndex((x) => x.chain?.name === "canary_target"), 1), "chain canary_target is missing"],
    ["a pick chain with a hook", (e) => Object.assign(find(e, "chain", "pick_1"), { type: "nat", hook: "output", prio: 0 }), "chain pick_1 is hooked, and wayfinder does not hook it"],
    ["a base chain hooked elsewhere", (e) => (find(e, "chain", "output").prio = 0), "chain output is not hooked as rendered"],
    ["a missing base chain", (e) => e.splice(e.findIndex((x) => x.chain?.name === "input"), 1), "chain input is missing"],
    ["a flushed chain", (e) => e.splice(e.findIndex((x) => x.rule?.chain === "prerouting"), 1), "chain prerouting does not hold just its rule"],
    ["a rule added to a chain", (e) => e.push({ rule: { chain: "postrouting", expr: [{ accept: null }] } }), "chain postrouting does not hold just its rule"],
    ["an edited rule", (e) => (find(e, "rule", "postrouting").expr[2] = { accept: null }), "chain postrouting does not hold just its rule"],
    ["a pick rule with another modulus", (e) => (find(e, "rule", "pick_4").expr[0].mangle.value.numgen.mod = 3), "chain pick_4 does not hold just its rule"],
    ["a VIP element of another shape", (e) => find(e, "map", "vips").elem.push([{ concat: ["11.0.0.9", "sctp", 80] }, { goto: { target: "pick_1" } }]), "an element of vips is not"],
    ["a VIP jumping to a chain that is not there", (e) => (find(e, "map", "vips").elem[0][1].goto.target = "pick_7"), "jumps to pick_7, which is not listed"],
    ["a slot missing", (e) => find(e, "map", "backends").elem.pop(), "picks from 4 slots, but not all of them are in backends"],
    ["a stray slot", (e) => find(e, "map", "backends").elem.push([{ concat: ["11.0.0.1", "udp", 53, "0:1"] }, { concat: ["9.0.1.9", 53] }]), "backends has slot 1 of 11.0.0.1 . udp . 53, which its VIP does not pick"],
    ["a slot that is not a class id", (e) => (find(e, "map", "backends").elem[0][0].concat[3] = "1:0"), "an element of backends is not"],
    ["a backend without a port", (e) => (find(e, "map", "backends").elem[0][1] = { concat: ["9.0.1.4"] }), "an element of backends is not"],
    ["a VIP both dispatched and refused", (e) => find(e, "set", "no_backends").elem.push({ concat: ["11.0.0.1", "tcp", 80] }), "is both in vips and in no_backends"],
    ["an address set that misses a VIP", (e) => find(e, "set", "vip_addresses").elem.pop(), "vip_addresses does not list exactly the VIP addresses"],
    ["an entry that is not an object", (e) => e.push({ chain: "x" }), "an entry of the listing is not an object"],
  ])("says what is wrong with %s", (_, edit, problem) => {
    const text = typeof edit === "string" ? edit : edited(edit);
    expect(parseNftTableListing("ip", text)).toEqual(expect.stringContaining(problem));
  });
});

describe("listNftTables", () => {
  it("lists both families", async () => {
    const run = async (argv: readonly string[]) => listing(argv[4] as "ip" | "ip6");
    const result = await listNftTables(run);
    expect(result.ok && result.rules.map((r) => r.key)).toEqual(["11.0.0.1 . tcp . 80", "11.0.0.1 . udp . 53", "11.0.0.2 . tcp . 443", "fd01:c::2 . udp . 53"]);
  });

  it("names the table that could not be listed, or that is not as rendered", async () => {
    const missing = async (argv: readonly string[]) => {
      if (argv[4] === "ip6") throw new Error("nft -j list table ip6 wayfinder_l4lb exited 1: Error: No such file or directory\nlist table ip6 wayfinder_l4lb");
      return listing("ip");
    };
    expect(await listNftTables(missing)).toEqual({ ok: false, problem: "table ip6 wayfinder_l4lb could not be listed (nft -j list table ip6 wayfinder_l4lb exited 1: Error: No such file or directory)" });
    expect(await listNftTables(async () => "{}")).toEqual({ ok: false, problem: "table ip wayfinder_l4lb: the listing has no nftables array" });
  });
});
