import { describe, expect, it } from "vitest";
import { allocateSlots, slotCount } from "../../../functions/haproxy/slots.ts";
import { haproxyGroups } from "../../../functions/haproxy/index.ts";
import { app, hc, snapshotOf } from "./helpers.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import { previousFromDocument } from "../../../lib/snapshot/previous.ts";

describe("allocateSlots", () => {
  it("fills slots in order on first sight", () => {
    expect(allocateSlots(["a:1", "b:1", "c:1"], undefined, 4)).toEqual({ size: 4, servers: { "a:1": 1, "b:1": 2, "c:1": 3 } });
  });

  it("keeps every running server's slot; a newcomer takes the lowest free one", () => {
    const previous = { size: 4, servers: { "a:1": 1, "b:1": 2, "c:1": 3 } };
    expect(allocateSlots(["a:1", "c:1", "d:1"], previous, 4)).toEqual({ size: 4, servers: { "a:1": 1, "c:1": 3, "d:1": 2 } });
  });

  it("grows by powers of two and keeps the old slots", () => {
    const previous = { size: 4, servers: { "a:1": 4, "b:1": 3, "c:1": 2, "d:1": 1 } };
    const grown = allocateSlots(["a:1", "b:1", "c:1", "d:1", "e:1"], previous, 4);
    expect(grown.size).toBe(8);
    expect(grown.servers).toEqual({ "a:1": 4, "b:1": 3, "c:1": 2, "d:1": 1, "e:1": 5 });
  });

  it("shrinks only when a quarter or less is used, moving servers above the new size", () => {
    expect(slotCount(3, 8, 4)).toBe(8);
    expect(slotCount(2, 8, 4)).toBe(8);
    expect(slotCount(2, 16, 4)).toBe(8);
    expect(slotCount(1, 32, 4)).toBe(8);
    expect(slotCount(5, 2, 4)).toBe(8);
    expect(slotCount(1, 2, 4)).toBe(4); // minSlots went up
    const shrunk = allocateSlots(["a:1", "b:1"], { size: 16, servers: { "a:1": 3, "b:1": 12 } }, 4);
    expect(shrunk).toEqual({ size: 8, servers: { "a:1": 3, "b:1": 1 } });
  });
});

/** The config with each server line's address and `disabled` blanked: what a reload would change. */
const skeleton = (cfg: string) => cfg.replace(/^( {2}server slot\d+) \S+( .*?)?( disabled)?$/gm, "$1 ADDR$2");

describe("slots across reconciles", () => {
  const web = (ports: number[]) => app({ id: "/web", labels: { HAPROXY_0_VHOST: "web.test" }, tasks: ports.map((p) => ["agent1", [p]] as [string, number[]]), healthChecks: [hc(2, 10, 2)] });

  function run(ports: number[], previous: Record<string, unknown> = {}) {
    const result = haproxyGroups(snapshotOf([web(ports)], { healthCheck: false }, { agent1: "10.0.0.1" }, previous));
    return { cfg: result.groups.external!.config, previous: { haproxy: result.allocations } };
  }

  it("scaling within the slots and replacing tasks change only server addresses", () => {
    let state = run([31000, 31001]);
    const start = skeleton(state.cfg);
    const events = [[31000, 31001, 31002], [31001, 31002], [31001, 31002, 31003, 31004], [31005, 31002, 31003], [31006]];
    for (const ports of events) {
      state = run(ports, state.previous);
      expect(skeleton(state.cfg)).toBe(start);
    }
    expect(state.cfg).toMatch(/server slot\d+ 10\.0\.0\.1:31006 id \d+ check inter 2s fall 3\n/);
    expect(state.cfg.match(/ disabled$/gm)).toHaveLength(3);
  });

  it("a task keeps its slot while others come and go", () => {
    let state = run([31000, 31001, 31002]);
    const slotOf = (cfg: string, port: number) => new RegExp(`server (slot\\d+) 10\\.0\\.0\\.1:${port} `).exec(cfg)?.[1];
    const before = slotOf(state.cfg, 31002);
    state = run([31002, 31003], state.previous);
    expect(slotOf(state.cfg, 31002)).toBe(before);
    expect(slotOf(state.cfg, 31003)).toBe("slot1");
  });

  it("outgrowing the slots changes the structure once", () => {
    const state = run([31000, 31001, 31002, 31003]);
    const grown = run([31000, 31001, 31002, 31003, 31004], state.previous);
    expect(skeleton(grown.cfg)).not.toBe(skeleton(state.cfg));
    expect(grown.cfg.match(/server slot/g)).toHaveLength(8);
  });

  it("an unreadable previous allocation is ignored with a warning", () => {
    const result = haproxyGroups(snapshotOf([web([31000])], { healthCheck: false }, { agent1: "10.0.0.1" }, { haproxy: { backends: { web_10000: { size: "four" } } } }));
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ level: "warning", code: "haproxy.previous-ignored", subject: "previous:haproxy" }));
    expect(result.allocations.backends.web_10000).toEqual({ size: 4, servers: { "10.0.0.1:31000": 1 } });
  });
});

describe("previous allocations from a desired state", () => {
  it("feed the slots back through previousFromDocument, as the agent and `--previous` do", () => {
    const first = reconcile(snapshotOf([app({ id: "/web", tasks: [["agent1", [1]], ["agent1", [2]]] })], { healthCheck: false }));
    const previous = previousFromDocument(JSON.parse(JSON.stringify(first)), "desired.json");
    expect(previous.haproxy).toEqual({ backends: { web_10000: { size: 4, servers: { "1.1.1.1:1": 1, "1.1.1.1:2": 2 } } } });
    const second = reconcile(snapshotOf([app({ id: "/web", tasks: [["agent1", [2]], ["agent1", [3]]] })], { healthCheck: false }, undefined, previous));
    expect(second.haproxy.allocations!.backends.web_10000!.servers).toEqual({ "1.1.1.1:2": 2, "1.1.1.1:3": 1 });
  });
});
