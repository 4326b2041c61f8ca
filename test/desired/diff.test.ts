import { describe, expect, it } from "vitest";
import { diffDesired } from "../../lib/desired/diff.ts";
import { withHash } from "../../functions/reconcile.ts";
import type { DesiredState, DnsRecord, L4Service } from "../../lib/desired/schema.ts";

const soa = (serial: number) => ({ mname: "ns1.mesos", rname: "root.ns1.mesos", serial, refresh: 60, retry: 600, expire: 86400, minimum: 60 });

function state(records: DnsRecord[], services: L4Service[] = [], serial = 1, groups: Record<string, { config: string }> = {}): DesiredState {
  return withHash({
    apiVersion: "wayfinder/v1",
    dns: { zones: [{ origin: "mesos", ttl: 60, soa: soa(serial), records }] },
    l4lb: { services },
    haproxy: { groups },
    overlay: { allocations: { vtep: { subnet: "44.128.0.0/20" }, overlays: {}, nodes: [] }, nodes: {} },
    diagnostics: [],
  });
}

const a = (name: string, data: string): DnsRecord => ({ name, type: "A", ttl: 60, data });
const svc = (ip: string, backends: Array<[string, number, number]>): L4Service => ({
  vip: { ip, port: 80, protocol: "tcp" },
  scheduler: "wlc",
  backends: backends.map(([bip, port, weight]) => ({ ip: bip, port, weight, taskId: `t-${bip}` })),
});

describe("diffDesired", () => {
  it("finds nothing between equal states, even when only the SOA serial moved", () => {
    expect(diffDesired(state([a("x.mesos", "10.0.0.1")], [], 1), state([a("x.mesos", "10.0.0.1")], [], 2))).toEqual([]);
  });

  it("reports added, removed and changed record sets with their values", () => {
    const changes = diffDesired(
      state([a("gone.mesos", "10.0.0.9"), a("web.mesos", "10.0.0.1")]),
      state([a("new.mesos", "10.0.0.5"), a("web.mesos", "10.0.0.2")]),
    );
    expect(changes).toEqual([
      { kind: "remove", artifact: "dns", key: "mesos gone.mesos A" },
      { kind: "add", artifact: "dns", key: "mesos new.mesos A" },
      { kind: "change", artifact: "dns", key: "mesos web.mesos A", detail: "- 10.0.0.1 + 10.0.0.2" },
    ]);
  });

  it("reports a VIP whose backend set changed, and a removed VIP", () => {
    const before = state([], [svc("11.0.0.1", [["10.0.0.1", 31000, 1], ["10.0.0.2", 31000, 1]]), svc("11.0.0.2", [["10.0.0.3", 80, 1]])]);
    const after = state([], [svc("11.0.0.1", [["10.0.0.1", 31000, 1], ["10.0.0.2", 31000, 0]])]);
    expect(diffDesired(before, after)).toEqual([
      { kind: "change", artifact: "l4lb", key: "tcp 11.0.0.1:80", detail: "- 10.0.0.2:31000 w1 + 10.0.0.2:31000 w0" },
      { kind: "remove", artifact: "l4lb", key: "tcp 11.0.0.2:80" },
    ]);
  });

  it("counts changed HAProxy config lines", () => {
    const changes = diffDesired(state([], [], 1, { external: { config: "a\nb\nc" } }), state([], [], 1, { external: { config: "a\nB\nc\nd" } }));
    expect(changes).toEqual([{ kind: "change", artifact: "haproxy", key: "external", detail: "+2 -1 lines" }]);
  });
});
