/**
 * @module
 * The DNS part of a node's keyed view (docs/delta-path.md §1: `dns/zone/*`, `dns/records/*`,
 * `dns/forwarding`, `dns/forwarding/agent/*`, `dns/aliases`) applied key by key to a zone index
 * and to the forwarding settings, so a server fed changes updates in place what they touch. A
 * value that does not validate is refused with the key named, and the key keeps what it had.
 * Records naming a zone not (yet) known wait for it: a batch or a snapshot may list a zone
 * after its owners.
 */
import { z } from "zod";
import { KeyPrefix, ObjectKeys } from "../desired/object-keys.ts";
import { AgentNetworks, DnsAliases, DnsForwardingObject, DnsOwnerRecords, DnsZoneHeader } from "../desired/object-values.ts";
import type { DnsAlias, DnsForwarding } from "../desired/schema.ts";
import { compareStrings } from "../net/compare.ts";
import { ZoneIndex } from "./zone-index.ts";

/** True for the keys the DNS server follows. */
export function isDnsKey(key: string): boolean {
  return key.startsWith("dns/");
}

/**
 * @example
 * const zones = new KeyedZones();
 * zones.set("dns/zone/mesos", header);
 * zones.set("dns/records/task/web.1", { mesos: [["web.mesos", "A", "10.0.0.1"]] });
 */
export class KeyedZones {
  readonly index = new ZoneIndex();
  #forwarding: DnsForwarding | undefined;
  readonly #agentNetworks = new Map<string, readonly string[]>();
  /** Each allowed network with how many agents add it. */
  readonly #networkUse = new Map<string, number>();
  #aliases: readonly DnsAlias[] = [];
  /** Forwarding or aliases changed since the last `takeSettingsChanged`. */
  #settingsChanged = false;
  /** Owners with records in zones not known yet, by key. */
  readonly #waiting = new Map<string, DnsOwnerRecords>();
  readonly #zones = new Set<string>();

  /** Sets `key` to `value` (undefined deletes it); returns why it was refused, if it was. */
  set(key: string, value: unknown): string | undefined {
    if (key.startsWith(KeyPrefix.dnsRecords)) return this.#owner(key, value);
    if (key.startsWith(KeyPrefix.dnsZone)) return this.#zone(key, value);
    if (key.startsWith(KeyPrefix.dnsForwardingAgent)) return this.#agent(key, value);
    if (key === ObjectKeys.dnsForwarding) {
      if (value === undefined) this.#forwarding = undefined;
      else {
        const parsed = parse(DnsForwardingObject, key, value);
        if (typeof parsed === "string") return parsed;
        this.#forwarding = parsed;
      }
      this.#settingsChanged = true;
      return undefined;
    }
    if (key === ObjectKeys.dnsAliases) {
      const parsed = value === undefined ? [] : parse(DnsAliases, key, value);
      if (typeof parsed === "string") return parsed;
      this.#aliases = parsed;
      this.#settingsChanged = true;
      return undefined;
    }
    return `${key}: not a DNS key this server knows; ignored`;
  }

  /** The forwarding settings: the cluster's, with every agent's networks among the allowed clients. */
  forwarding(): DnsForwarding | undefined {
    if (this.#forwarding === undefined) return undefined;
    const networks = new Set(this.#forwarding.allowedNetworks);
    for (const network of this.#networkUse.keys()) networks.add(network);
    return { ...this.#forwarding, allowedNetworks: [...networks].sort(compareStrings) };
  }

  get aliases(): readonly DnsAlias[] {
    return this.#aliases;
  }

  /** True (once) when forwarding or aliases changed: the serving state must be rebuilt around the index. */
  takeSettingsChanged(): boolean {
    const changed = this.#settingsChanged;
    this.#settingsChanged = false;
    return changed;
  }

  #owner(key: string, value: unknown): string | undefined {
    if (value === undefined) {
      this.#waiting.delete(key);
      this.index.deleteOwner(key);
      return undefined;
    }
    const parsed = parse(DnsOwnerRecords, key, value);
    if (typeof parsed === "string") return parsed;
    if (Object.keys(parsed).some((zone) => !this.#zones.has(zone))) this.#waiting.set(key, parsed);
    else this.#waiting.delete(key);
    this.index.setOwner(key, this.#known(parsed));
    return undefined;
  }

  #zone(key: string, value: unknown): string | undefined {
    const id = key.slice(KeyPrefix.dnsZone.length);
    if (value === undefined) {
      this.#zones.delete(id);
      this.index.deleteZone(id);
      return undefined;
    }
    const parsed = parse(DnsZoneHeader, key, value);
    if (typeof parsed === "string") return parsed;
    this.index.setZone(id, parsed);
    if (!this.#zones.has(id)) {
      this.#zones.add(id);
      for (const [owner, records] of this.#waiting) {
        if (records[id as keyof DnsOwnerRecords] === undefined) continue;
        this.index.setOwner(owner, this.#known(records));
        if (Object.keys(records).every((zone) => this.#zones.has(zone))) this.#waiting.delete(owner);
      }
    }
    return undefined;
  }

  #agent(key: string, value: unknown): string | undefined {
    const parsed = value === undefined ? [] : parse(AgentNetworks, key, value);
    if (typeof parsed === "string") return parsed;
    for (const network of this.#agentNetworks.get(key) ?? []) {
      const use = this.#networkUse.get(network)! - 1;
      if (use === 0) this.#networkUse.delete(network);
      else this.#networkUse.set(network, use);
    }
    for (const network of parsed) this.#networkUse.set(network, (this.#networkUse.get(network) ?? 0) + 1);
    if (parsed.length === 0) this.#agentNetworks.delete(key);
    else this.#agentNetworks.set(key, parsed);
    this.#settingsChanged = true;
    return undefined;
  }

  /** The records of zones already known (the others wait). */
  #known(records: DnsOwnerRecords): DnsOwnerRecords {
    const known: DnsOwnerRecords = {};
    for (const [zone, list] of Object.entries(records) as Array<[keyof DnsOwnerRecords, DnsOwnerRecords[keyof DnsOwnerRecords]]>) {
      if (this.#zones.has(zone)) known[zone] = list;
    }
    return known;
  }
}

function parse<S extends z.ZodType>(schema: S, key: string, value: unknown): z.infer<S> | string {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  return `${key}: ${parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`)
    .join("; ")}; the key keeps its previous value`;
}
