import { describe, expect, it } from "vitest";
import { ChangeLog } from "../../../lib/http/watch/change-log.ts";
import { generationLines } from "../../../lib/http/watch/generation-lines.ts";

const text = (bytes: readonly Uint8Array[]) => bytes.map((b) => new TextDecoder().decode(b)).join("");
const lines = (generation: number, keys: string[], pad = 0) =>
  generationLines(generation, { upserts: keys.map((key) => ({ key, json: JSON.stringify("x".repeat(pad)), hash: "h" })), deletes: [] });

describe("generationLines", () => {
  it("serialises cluster lines once, each node's apart, and never control keys", () => {
    const g = generationLines(7, { upserts: [{ key: "dns/aliases", json: "[]", hash: "h" }, { key: "node/a%2Fb/overlay", json: "{}", hash: "h" }, { key: "control/diag/x/y", json: "[]", hash: "h" }], deletes: ["node/S1/overlay", "l4lb/ip/1.2.3.4/tcp/80"] });
    expect(text([g.cluster])).toBe('{"type":"upsert","generation":7,"key":"dns/aliases","value":[]}\n{"type":"delete","generation":7,"key":"l4lb/ip/1.2.3.4/tcp/80"}\n');
    expect([...g.nodes.keys()]).toEqual(["a/b", "S1"]);
    expect(text([g.nodes.get("S1")!])).toBe('{"type":"delete","generation":7,"key":"node/S1/overlay"}\n');
    expect(g.bytes).toBe(g.cluster.byteLength + g.nodes.get("a/b")!.byteLength + g.nodes.get("S1")!.byteLength);
  });
});

describe("ChangeLog", () => {
  it("gives a node the lines of every generation after since, its own included and others' not", () => {
    const log = new ChangeLog(4);
    log.append(generationLines(5, { upserts: [{ key: "dns/a", json: "1", hash: "h" }, { key: "node/S1/x", json: "1", hash: "h" }], deletes: [] }));
    log.append(generationLines(6, { upserts: [{ key: "node/S2/x", json: "2", hash: "h" }], deletes: ["dns/a"] }));
    expect(text(log.linesSince(4, "S1"))).toBe(
      '{"type":"upsert","generation":5,"key":"dns/a","value":1}\n{"type":"upsert","generation":5,"key":"node/S1/x","value":1}\n{"type":"delete","generation":6,"key":"dns/a"}\n',
    );
    expect(text(log.linesSince(5, "S2"))).toBe('{"type":"delete","generation":6,"key":"dns/a"}\n{"type":"upsert","generation":6,"key":"node/S2/x","value":2}\n');
    expect(log.linesSince(6, "S1")).toEqual([]);
    expect([log.covers(3), log.covers(4), log.covers(6), log.covers(7)]).toEqual([false, true, true, false]);
  });

  it("keeps at most its count of generations, moving its floor up", () => {
    const log = new ChangeLog(0, { generations: 3, bytes: 1 << 20 });
    for (let g = 1; g <= 2000; g++) log.append(lines(g, [`dns/${g}`]));
    expect(log.floor).toBe(1997);
    expect(log.newest).toBe(2000);
    expect(text(log.linesSince(1997, "S1")).split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { key: string }).key)).toEqual(["dns/1998", "dns/1999", "dns/2000"]);
  });

  it("keeps at most its bytes, and drops a generation larger than that alone", () => {
    const log = new ChangeLog(0, { generations: 100, bytes: 1000 });
    for (let g = 1; g <= 5; g++) log.append(lines(g, ["dns/k"], 300));
    expect(log.bytes).toBeLessThanOrEqual(1000);
    expect(log.floor).toBe(3);
    log.append(lines(6, ["dns/k"], 2000));
    expect([log.floor, log.newest, log.bytes]).toEqual([6, 6, 0]);
    expect(log.covers(5)).toBe(false);
    log.append(lines(7, ["dns/k"]));
    expect(log.covers(6)).toBe(true);
  });

  it("refuses a generation that does not follow", () => {
    const log = new ChangeLog(4);
    expect(() => log.append(lines(6, []))).toThrow("change log: generation 6 cannot follow 4");
  });
});
