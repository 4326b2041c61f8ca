/**
 * @module
 * The collecting side of `Provenance`: what the reconcilers report during one reconcile, kept
 * compact (a 100k-task zone reports about a million records). DNS facts are stored per owner
 * as flat (name, type, data) triples that share their strings with the zone being built; the
 * reverse direction (name → owners) is derived on first use by `ExplainContext`.
 */
import type { DnsRecordType, SrvData } from "../../lib/desired/schema.ts";
import type { HaproxyServiceFact, OverlayAddressFact, Provenance, ProvenanceArtifact } from "../../lib/desired/provenance.ts";

/** One DNS record an owner put in. */
export interface OwnedRecord {
  name: string;
  type: DnsRecordType;
  data: string | SrvData;
}

/** Why a subject produced nothing (or less) in an artifact. */
export interface SkipFact {
  artifact: ProvenanceArtifact;
  reason: string;
}

/**
 * @example
 * const ledger = new ProvenanceLedger();
 * const desired = reconcile(snapshot, { provenance: ledger });
 * ledger.recordsOf("task:web.1") // [{ name: "web.marathon.mesos", type: "A", data: "10.0.1.11" }, ...]
 */
export class ProvenanceLedger implements Provenance {
  /** owner → name, type, data, name, type, data, ... */
  readonly #dns = new Map<string, Array<string | SrvData>>();
  readonly #skips = new Map<string, SkipFact[]>();
  readonly #haproxy: Array<{ group: string; service: HaproxyServiceFact }> = [];
  readonly #overlay = new Map<string, OverlayAddressFact[]>();

  dnsRecord(owner: string, name: string, type: DnsRecordType, data: string | SrvData): void {
    const list = this.#dns.get(owner);
    if (list === undefined) this.#dns.set(owner, [name, type, data]);
    else list.push(name, type, data);
  }

  skipped(subject: string, artifact: ProvenanceArtifact, reason: string): void {
    const list = this.#skips.get(subject);
    if (list === undefined) this.#skips.set(subject, [{ artifact, reason }]);
    // The same fact from several LB groups (or zones) is one fact.
    else if (!list.some((s) => s.artifact === artifact && s.reason === reason)) list.push({ artifact, reason });
  }

  haproxyService(group: string, service: HaproxyServiceFact): void {
    this.#haproxy.push({ group, service });
  }

  overlayAddress(taskId: string, fact: OverlayAddressFact): void {
    const list = this.#overlay.get(taskId);
    if (list === undefined) this.#overlay.set(taskId, [fact]);
    else list.push(fact);
  }

  /** The records `owner` put in, in the order it reported them. */
  recordsOf(owner: string): OwnedRecord[] {
    const flat = this.#dns.get(owner) ?? [];
    const out: OwnedRecord[] = [];
    for (let i = 0; i < flat.length; i += 3) out.push({ name: flat[i] as string, type: flat[i + 1] as DnsRecordType, data: flat[i + 2]! });
    return out;
  }

  /** Calls `visit` once per reported record (for building reverse indexes). */
  forEachRecord(visit: (owner: string, name: string, type: DnsRecordType, data: string | SrvData) => void): void {
    for (const [owner, flat] of this.#dns) {
      for (let i = 0; i < flat.length; i += 3) visit(owner, flat[i] as string, flat[i + 1] as DnsRecordType, flat[i + 2]!);
    }
  }

  skipsOf(subject: string): readonly SkipFact[] {
    return this.#skips.get(subject) ?? [];
  }

  /** Every rendered (group, service), in the order the groups rendered them. */
  haproxyServices(): ReadonlyArray<{ group: string; service: HaproxyServiceFact }> {
    return this.#haproxy;
  }

  overlayAddressesOf(taskId: string): readonly OverlayAddressFact[] {
    return this.#overlay.get(taskId) ?? [];
  }

  /** Calls `visit` once per task address reported in an overlay. */
  forEachOverlayAddress(visit: (taskId: string, fact: OverlayAddressFact) => void): void {
    for (const [taskId, facts] of this.#overlay) for (const fact of facts) visit(taskId, fact);
  }
}
