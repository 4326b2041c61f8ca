import { describe, expect, it } from "vitest";
import { policyQuestions } from "../../../functions/policy/questions.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import { readSnapshot } from "../../golden/fixtures.ts";
import { tenants } from "./tenants.ts";

const snapshot = tenants();
const q = policyQuestions(snapshot, reconcile(snapshot));
const PORTS = [
  { protocol: "tcp" as const, port: 80 },
  { protocol: "tcp" as const, port: 5432 },
];

describe("policyQuestions: a page of the matrix", () => {
  it("lists the apps and nodes the matrix speaks about, sorted", () => {
    expect(q.apps()).toEqual(["/bank/db", "/shop/api", "/shop/rogue", "/shop/web", "/tools/probe"]);
    expect(q.nodes()).toEqual(["a1", "a2", "e1"]);
  });

  it("answers a page's cells as the whole matrix does, with the deciding tier", () => {
    const page = q.cells(["/shop/web", "node:a1"], ["/bank/db", "/shop/api"], PORTS);
    const whole = q.matrix(PORTS).filter((c) => ["/shop/web", "node:a1"].includes(c.from) && ["/bank/db", "/shop/api"].includes(c.to));
    expect(page.map((c) => [c.from, c.to, c.port, c.verdict, c.pairs])).toEqual(whole.map((c) => [c.from, c.to, c.port, c.verdict, c.pairs]));
    expect(page.find((c) => c.from === "/shop/web" && c.to === "/bank/db" && c.port === 5432)).toMatchObject({ verdict: "allow", by: "web-to-db", tier: "admin", mixed: false, pairs: 2 });
  });

  it("skips names that match nothing (and nodes as destinations)", () => {
    expect(q.cells(["/nope", "node:zz"], ["/bank/db", "node:a1"], PORTS).map((c) => c.to)).toEqual([]);
    expect(q.cells(["/shop/web"], ["/nope", "node:a1"], PORTS)).toEqual([]);
  });
});

describe("policyQuestions: around one party", () => {
  it("asks the ports the party holds on its agent, then those the policy names (a few), or the ports asked", () => {
    const probe = q.around("tools_probe.1");
    if ("unknown" in probe) throw new Error("unknown");
    expect(probe.ports.map((p) => `${p.protocol}/${p.port}`)).toEqual(["tcp/7000", "tcp/80", "tcp/5432", "tcp/8000", "tcp/8080", "tcp/9090"]);
    const asked = q.around("tools_probe.1", [{ protocol: "tcp", port: 7000 }]);
    if ("unknown" in asked) throw new Error("unknown");
    expect(asked.ports).toEqual([{ protocol: "tcp", port: 7000 }]);
    expect(new Set(asked.inbound.map((c) => c.port))).toEqual(new Set([7000]));
    expect(probe.inbound.find((c) => c.from === "/shop/web" && c.port === 7000)).toMatchObject({ verdict: "allow", by: "dcos-to-probe" });
  });

  it("is every app and node against the party, and the party against every app reached on the ports asked", () => {
    const db = q.around("/bank/db");
    if ("unknown" in db) throw new Error("unknown");
    expect(new Set(db.inbound.map((c) => c.from))).toEqual(new Set([...q.apps(), ...q.nodes().map((n) => `node:${n}`)]));
    // The probe is reached on its host port 7000 only, which the policy does not name.
    expect(new Set(db.outbound.map((c) => c.to))).toEqual(new Set(q.apps().filter((a) => a !== "/tools/probe")));
    expect(db.inbound.every((c) => c.to === "/bank/db")).toBe(true);
  });

  it("names an unknown party, and answers nothing without a policy", () => {
    expect(q.around("/nope")).toEqual({ unknown: "/nope" });
    const demo = readSnapshot("state-fixtures/demo/snapshot.json");
    const open = policyQuestions(demo, reconcile(demo));
    expect(open.around("/web")).toEqual({ ports: [], portsLeftOut: [], inbound: [], outbound: [] });
    expect(open.cells(["/web"], ["/web"], PORTS)).toEqual([]);
  });
});
