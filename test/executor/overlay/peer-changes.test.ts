import { describe, expect, it } from "vitest";
import { deriveObjects } from "../../../functions/keyed/derive.ts";
import { nodeViewOf } from "../../../functions/keyed/assemble.ts";
import { KeyPrefix, ObjectKeys } from "../../../lib/desired/object-keys.ts";
import type { OverlayPeer, OverlaySpaces } from "../../../lib/desired/object-values.ts";
import type { OverlayNode } from "../../../lib/desired/overlay-schema.ts";
import type { KeyChanges, ViewReader } from "../../../lib/executor/keyed-applier.ts";
import { createOverlayApplier } from "../../../lib/executor/overlay/applier.ts";
import { peerRecord, planPeerChanges } from "../../../lib/executor/overlay/peer-changes.ts";
import { wantedEntries } from "../../../lib/executor/overlay/plan.ts";
import type { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { syntheticSnapshot } from "../../bench/synthetic-cluster.ts";

const snapshot = syntheticSnapshot({ tasks: 30, agents: 6, apps: 3 });
const node = snapshot.agents[0]!.id;

/** The overlay objects of a snapshot as the node sees them, and the data plane a full sync wants. */
function overlayOf(of: ClusterSnapshot) {
  const objects = deriveObjects(of);
  const peers = new Map<string, OverlayPeer>();
  for (const [key, stored] of objects.entries()) if (key.startsWith(KeyPrefix.overlayPeer)) peers.set(key, JSON.parse(stored.json) as OverlayPeer);
  const own = objects.value<OverlayNode>(ObjectKeys.nodeOverlay(node))!;
  const spaces = objects.value<OverlaySpaces>(ObjectKeys.overlaySpaces)!;
  const full = wantedEntries(nodeViewOf(objects, node).overlay.nodes[node]);
  return { peers, own, spaces, full };
}

const ownKinds = ["link", "up", "addr", "rule", "nat"];

describe("overlay peers one by one", () => {
  it("adds up, peer by peer, to the data plane a full sync wants", () => {
    const { peers, own, spaces, full } = overlayOf(snapshot);
    const record = peerRecord(own, peers, spaces)!;
    const union = new Map([...record.byPeer.values()].flatMap((entries) => [...entries]));
    expect(union).toEqual(new Map([...full].filter(([key]) => !ownKinds.includes(key.split(" ")[0]!))));
    expect(record.byPeer.size).toBe(peers.size - 1);
  });

  it("plans a lost peer, a new one and a moved one as their own entries, and the record follows", () => {
    const before = overlayOf(snapshot);
    const record = peerRecord(before.own, before.peers, before.spaces)!;
    const lost = snapshot.agents[5]!;
    const after = overlayOf({ ...snapshot, agents: snapshot.agents.filter((a) => a !== lost), tasks: snapshot.tasks.filter((t) => t.agentId !== lost.id) });
    const changed = new Map<string, OverlayPeer | undefined>();
    for (const key of new Set([...before.peers.keys(), ...after.peers.keys()])) {
      if (JSON.stringify(before.peers.get(key)) !== JSON.stringify(after.peers.get(key))) changed.set(key, after.peers.get(key));
    }
    expect([...changed.keys()]).toEqual([ObjectKeys.overlayPeer(lost.id)]);
    const planned = planPeerChanges(record, changed, after.own, after.spaces)!;
    const expectedDeletes = [...before.full.keys()].filter((key) => !after.full.has(key)).sort();
    expect([...planned.plan.deletes].sort()).toEqual(expectedDeletes);
    expect(planned.plan.adds.size + planned.plan.changes.size).toBe(0);
    planned.commit();
    expect(record.byPeer.has(ObjectKeys.overlayPeer(lost.id))).toBe(false);

    // The peer comes back at another underlay address: its entries come back, pointing there.
    const moved = { ...before.peers.get(ObjectKeys.overlayPeer(lost.id))!, ip: "10.200.0.9" };
    const back = planPeerChanges(record, new Map([[ObjectKeys.overlayPeer(lost.id), moved]]), before.own, before.spaces)!;
    expect([...back.plan.adds.values()]).toContain("10.200.0.9");
    expect(back.plan.deletes).toEqual([]);
  });

  it("leaves two peers on one underlay address to a full sync", () => {
    const { peers, own, spaces } = overlayOf(snapshot);
    const record = peerRecord(own, peers, spaces)!;
    const [first, second] = [...peers.keys()].filter((k) => !k.endsWith(node));
    const clash = { ...peers.get(second!)!, ip: peers.get(first!)!.ip };
    expect(planPeerChanges(record, new Map([[second!, clash]]), own, spaces)).toBeUndefined();
  });

  it("asks for a full sync before a full sync gave it a record of the peers", async () => {
    const applier = createOverlayApplier({ run: async () => "[]" });
    const view = { node, value: () => undefined } as unknown as ViewReader;
    const change = (key: string): KeyChanges => ({ upserts: new Map([[key, { hash: "x", json: "{}" }]]), deletes: new Set(), complete: false });
    expect(await applier.applyChanges(change(ObjectKeys.overlayPeer("S9")), view)).toBeUndefined();
  });
});
