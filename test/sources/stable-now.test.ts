import { describe, expect, it } from "vitest";
import { withStableNow } from "../../lib/sources/stable-now.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";

const at = (now: string, extra: object = {}) => ClusterSnapshot.parse({ ...SNAPSHOT_INPUT, ...extra, now });

describe("withStableNow", () => {
  it("keeps the earlier time when nothing else changed, so the desired state (SOA serials included) is the same", () => {
    const first = at("2026-01-01T00:00:00Z");
    const again = withStableNow(first, at("2026-01-01T00:05:00Z"));
    expect(again.now).toBe("2026-01-01T00:00:00Z");
    expect(reconcile(again).hash).toBe(reconcile(first).hash);
    expect(reconcile(at("2026-01-01T00:05:00Z")).hash).not.toBe(reconcile(first).hash);
  });

  it("takes the new time when anything else changed, or when there is no earlier snapshot", () => {
    const first = at("2026-01-01T00:00:00Z");
    const moved = at("2026-01-01T00:05:00Z", { leader: "master@10.0.0.2:5050" });
    expect(withStableNow(first, moved).now).toBe("2026-01-01T00:05:00Z");
    expect(withStableNow(undefined, moved)).toBe(moved);
  });
});
