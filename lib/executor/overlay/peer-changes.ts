/**
 * @module
 * Overlay peers one by one, for the overlay applier's partial sync: the neighbour, FDB entry and
 * routes that reach one peer are derived from that peer's object alone (`dataplaneFor` with one
 * peer), so a peer that joined, moved or left is a plan of its own few entries, run as one
 * `ip -batch`, instead of a diff of the whole data plane (10k peers listed from the kernel).
 * The record says which entries each peer put there; an entry two peers would share (agents on
 * one underlay address) is left to a full sync, which knows which one wins.
 */
import { dataplaneFor } from "../../desired/dataplane.ts";
import type { OverlayPeer, OverlaySpaces } from "../../desired/object-values.ts";
import type { OverlayNode } from "../../desired/overlay-schema.ts";
import { diffKeyed, type Plan } from "../applier.ts";

/** The entries each peer accounts for, by peer key, and which peer holds each entry (and each underlay address, as `ip <address>`). */
export interface PeerRecord {
  byPeer: Map<string, Map<string, string>>;
  owners: Map<string, string>;
  /** Each peer's underlay address. */
  ips: Map<string, string>;
}

/** What one peer holds: its entries and its underlay address, which no other peer may share. */
function claims(peer: OverlayPeer, entries: Map<string, string>): string[] {
  return [`ip ${peer.ip}`, ...entries.keys()];
}

/**
 * The entries (in `entries.ts`'s key → value form) through which `own` reaches `peer`.
 * @example peerEntries(own, peer, spaces) // Map { "neigh 44.128.0.3" → "70:b3:d5:80:00:03", "fdb 70:…" → "10.0.0.3", "route 254 9.0.2.0/24" → "44.128.0.3", ... }
 */
export function peerEntries(own: OverlayNode, peer: OverlayPeer, spaces: Pick<OverlaySpaces, "overlays">): Map<string, string> {
  const entries = new Map<string, string>();
  const dataplane = dataplaneFor(own, [peer], spaces);
  for (const n of dataplane.neighbours) entries.set(`neigh ${n.ip}`, n.mac);
  for (const f of dataplane.fdb) entries.set(`fdb ${f.mac}`, f.dst);
  for (const r of dataplane.routes) entries.set(`route ${r.table} ${r.dst}`, r.via);
  return entries;
}

/**
 * The record of a whole view's peers; undefined when two peers would share an entry.
 * @example peerRecord(own, peers, spaces)?.byPeer.size // 9999
 */
export function peerRecord(own: OverlayNode | undefined, peers: Iterable<[string, OverlayPeer]>, spaces: Pick<OverlaySpaces, "overlays"> | undefined): PeerRecord | undefined {
  const record: PeerRecord = { byPeer: new Map(), owners: new Map(), ips: new Map() };
  if (own === undefined || spaces === undefined) return record;
  for (const [key, peer] of peers) {
    if (peer.ip === own.ip) continue;
    const entries = peerEntries(own, peer, spaces);
    for (const claim of claims(peer, entries)) {
      if (record.owners.has(claim)) return undefined;
      record.owners.set(claim, key);
    }
    record.byPeer.set(key, entries);
    record.ips.set(key, peer.ip);
  }
  return record;
}

/**
 * The plan of some peers' changes (undefined: a peer entry clashes with another's, so a full
 * sync decides), and `commit`, which updates the record once the plan is applied. `peers` maps
 * each changed peer key to its new object, or to undefined when it left. Costs the changed peers.
 * @example planPeerChanges(record, new Map([["overlay/peer/S9", peer]]), own, spaces)?.plan.adds
 */
export function planPeerChanges(
  record: PeerRecord,
  peers: ReadonlyMap<string, OverlayPeer | undefined>,
  own: OverlayNode,
  spaces: Pick<OverlaySpaces, "overlays">,
): { plan: Plan<string>; commit: () => void } | undefined {
  const wanted = new Map<string, string>();
  const installed = new Map<string, string>();
  // The record is changed in place only once the plan is known to be possible.
  const byPeer = new Map<string, Map<string, string> | undefined>();
  const owners = new Map<string, string | undefined>();
  const ips = new Map<string, string | undefined>();
  const ownerOf = (claim: string) => (owners.has(claim) ? owners.get(claim) : record.owners.get(claim));
  for (const [key] of peers) {
    for (const [entry, value] of record.byPeer.get(key) ?? []) {
      installed.set(entry, value);
      owners.set(entry, undefined);
    }
    const ip = record.ips.get(key);
    if (ip !== undefined) owners.set(`ip ${ip}`, undefined);
    byPeer.set(key, undefined);
    ips.set(key, undefined);
  }
  for (const [key, peer] of peers) {
    if (peer === undefined || peer.ip === own.ip) continue;
    const entries = peerEntries(own, peer, spaces);
    for (const claim of claims(peer, entries)) {
      if (ownerOf(claim) !== undefined) return undefined;
      owners.set(claim, key);
    }
    byPeer.set(key, entries);
    ips.set(key, peer.ip);
    for (const [entry, value] of entries) wanted.set(entry, value);
  }
  const commit = () => {
    apply(record.byPeer, byPeer);
    apply(record.owners, owners);
    apply(record.ips, ips);
  };
  return { plan: diffKeyed("overlay", wanted, installed, new Set(installed.keys())), commit };
}

/** Sets or (for undefined) deletes each staged key of `map`. */
function apply<V>(map: Map<string, V>, staged: ReadonlyMap<string, V | undefined>): void {
  for (const [key, value] of staged) {
    if (value === undefined) map.delete(key);
    else map.set(key, value);
  }
}
