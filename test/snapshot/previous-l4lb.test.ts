import { describe, expect, it } from "vitest";
import { reconcile } from "../../functions/reconcile.ts";
import { previousFromDocument } from "../../lib/snapshot/previous.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { operatorSnapshot } from "../support/upstream-fixtures.ts";

describe("previous.l4lb from a desired state", () => {
  it("carries every named-VIP address in force into the next snapshot, which keeps them", () => {
    const desired = reconcile(operatorSnapshot("tcp-and-udp"));
    const previous = previousFromDocument(JSON.parse(JSON.stringify(desired)), "desired.json");
    expect(previous.l4lb).toEqual({ namedVips: [{ name: "app.marathon", ip: "11.171.172.79" }] });

    // The app is gone for a while: its address stays reserved, stamped with when it went.
    const empty = ClusterSnapshot.parse({ cluster: { name: "t" }, now: "2026-01-01T00:10:00Z", previous });
    const away = reconcile(empty);
    expect(away.l4lb.services).toEqual([]);
    expect(away.l4lb.namedVips).toEqual([{ name: "app.marathon", ip: "11.171.172.79", lastSeen: "2026-01-01T00:10:00Z" }]);
    expect(previousFromDocument(away, "away.json").l4lb?.namedVips).toEqual(away.l4lb.namedVips);
  });

  it("reads the addresses from the services of a desired state without namedVips", () => {
    const desired = reconcile(operatorSnapshot("tcp-and-udp"));
    const { namedVips: _dropped, ...l4lb } = desired.l4lb;
    expect(previousFromDocument({ ...desired, l4lb }, "old.json").l4lb).toEqual({ namedVips: [{ name: "app.marathon", ip: "11.171.172.79" }] });
  });

  it("names the path of a malformed entry", () => {
    const desired = { ...reconcile(operatorSnapshot("tcp-and-udp")) };
    const broken = { ...desired, l4lb: { ...desired.l4lb, namedVips: [{ name: "app.marathon", ip: 5 }] } };
    expect(() => previousFromDocument(broken, "broken.json")).toThrow(/l4lb\.namedVips\[0\]\.ip/);
  });
});
