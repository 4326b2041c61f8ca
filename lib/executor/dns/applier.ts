/**
 * @module
 * The DNS applier: hands the node's zones to `wayfinder dns --zones <dir>` through a keyed
 * store in its directory (`zones.*`, `lib/journal/`), which the server tails and applies in
 * place. On the delta path each batch's DNS changes are one journal append (a task's records,
 * not the 100 MB of a 100k-task zone); a relist that asked for every value, or a store that
 * holds nothing yet, is written whole as a new epoch. From a whole desired state (the
 * long-poll and file feeds) the zones are written whole, one key per zone, when they changed.
 * The store survives restarts of both processes: a restarted server answers the last zones
 * handed over at once, with or without the agent and the control plane (static stability).
 */
import { mkdir } from "node:fs/promises";
import { DNS_ZONES_STORE } from "../../desired/dns-zones-file.ts";
import { ObjectKeys } from "../../desired/object-keys.ts";
import type { DesiredState } from "../../desired/schema.ts";
import { KeyedStoreWriter, type WriteEntry } from "../../journal/store-writer.ts";
import type { StoreVersion } from "../../journal/store-format.ts";
import { canonicalJson } from "../../net/canonical-json.ts";
import { objectHash, stateHash } from "../../net/multiset-hash.ts";
import type { ApplierResult } from "../apply-desired.ts";
import type { Applier, Plan } from "../applier.ts";
import { NeedsValuesError, type ChangeApplier, type KeyChanges } from "../keyed-applier.ts";

/** The whole zones of a desired state, as store entries, and their state hash. */
interface WholeZones {
  entries: WriteEntry[];
  hash: string;
}

export type DnsApplier = Applier<StoreVersion | undefined, WholeZones> & ChangeApplier;

/**
 * @example createDnsApplier({ dir: "/var/lib/wayfinder/dns" }) // then: wayfinder dns --zones /var/lib/wayfinder/dns
 */
export function createDnsApplier(options: { dir: string }): DnsApplier {
  let writer: KeyedStoreWriter | undefined;
  const open = async () => {
    if (writer !== undefined) return writer;
    await mkdir(options.dir, { recursive: true });
    const opened = await KeyedStoreWriter.open(options.dir, DNS_ZONES_STORE);
    writer = opened.writer;
    // Damage found opening the store is repaired by writing it whole; the server logs it too.
    if (opened.problems.length > 0 && opened.writer.version === undefined) throw new NeedsValuesError(opened.problems.join("; "));
    return writer;
  };
  const applied = (keys: string[], deletes: string[]): ApplierResult => ({ name: "dns", status: "applied", plan: { adds: [], changes: keys, deletes } });

  return {
    name: "dns",

    async applyChanges(changes, view) {
      const store = await open();
      if (store.version === undefined) return undefined;
      const version = { generation: view.generation, hash: view.dnsHash };
      if (changes.complete) {
        await store.replace(entriesOf(changes), version);
        return applied([...changes.upserts.keys()], []);
      }
      await store.append({ version, upserts: entriesOf(changes), deletes: [...changes.deletes] });
      return applied([...changes.upserts.keys()], [...changes.deletes]);
    },

    async syncAll(view, changes) {
      const store = await open();
      const version = { generation: view.generation, hash: view.dnsHash };
      if (changes?.complete === true) {
        await store.replace(entriesOf(changes), version);
        return applied([...changes.upserts.keys()], []);
      }
      const held = store.version;
      if (held?.hash === view.dnsHash) return { name: "dns", status: "unchanged" };
      // Changes this process kept since the last good hand-over close the gap; nothing else can.
      if (held !== undefined && held.generation < view.generation && changes !== undefined && (changes.upserts.size > 0 || changes.deletes.size > 0)) {
        await store.append({ version, upserts: entriesOf(changes), deletes: [...changes.deletes] });
        return applied([...changes.upserts.keys()], [...changes.deletes]);
      }
      const what = held === undefined ? "holds no zones" : `holds generation ${held.generation} (${held.hash.slice(0, 12)})`;
      throw new NeedsValuesError(`the zones store in ${options.dir} ${what}, the view generation ${view.generation} (${view.dnsHash.slice(0, 12)}): its values must be listed again`);
    },

    async observe() {
      return (await open().catch((error: Error) => (error instanceof NeedsValuesError ? writer : Promise.reject(error))))?.version;
    },

    plan(desired, installed): Plan<WholeZones> {
      const whole = wholeZones(desired);
      if (installed?.hash === whole.hash) return { applier: "dns", adds: new Map(), changes: new Map(), deletes: [] };
      return { applier: "dns", adds: new Map(), changes: new Map([[DNS_ZONES_STORE, whole]]), deletes: [] };
    },

    async apply(plan) {
      const whole = plan.changes.get(DNS_ZONES_STORE);
      if (whole === undefined) return;
      const store = writer ?? (await open());
      await store.replace(whole.entries, { generation: (store.version?.generation ?? 0) + 1, hash: whole.hash });
    },

    async verify(desired) {
      const held = writer?.version;
      const hash = wholeZones(desired).hash;
      return held?.hash === hash ? [] : [`the zones store holds ${held?.hash.slice(0, 12) ?? "nothing"}, not ${hash.slice(0, 12)}`];
    },
  };
}

/** The store entries of changed keys. */
function entriesOf(changes: KeyChanges): WriteEntry[] {
  return [...changes.upserts].map(([key, change]) => ({ key, hash: change.hash, valueJson: change.json }));
}

/** A whole DesiredState's DNS section as store entries: one key per zone (its records in full), forwarding, aliases. */
function wholeZones(desired: DesiredState): WholeZones {
  const values: Array<[string, unknown]> = desired.dns.zones.map((zone) => [ObjectKeys.dnsZone(zone.origin), zone]);
  if (desired.dns.forwarding !== undefined) values.push([ObjectKeys.dnsForwarding, desired.dns.forwarding]);
  if (desired.dns.aliases !== undefined) values.push([ObjectKeys.dnsAliases, desired.dns.aliases]);
  const entries = values.map(([key, value]) => {
    const json = canonicalJson(value);
    return { key, hash: objectHash(json), valueJson: json };
  });
  return { entries, hash: stateHash(entries.map((e) => [e.key, e.hash] as const)) };
}
