/**
 * @module
 * Diagnostics as keyed objects: `control/diag/<part>/<subject>` holds what one part of the
 * reconcile (one producer: a task's DNS records, the VIP allocation, ...) says about one
 * subject, sorted. Each (part, subject) has exactly one producer, so a producer that runs again
 * replaces its own objects and nobody else's.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { KeyedObjects } from "./object-store.ts";

/**
 * Diagnostics in a fixed order (subject, code, message, level) so output never depends on input order.
 * @example sortDiagnostics([b, a]) // [a, b]
 */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort(
    (a, b) => compareStrings(a.subject, b.subject) || compareStrings(a.code, b.code) || compareStrings(a.message, b.message) || compareStrings(a.level, b.level),
  );
}

/**
 * Sets the diagnostics a part has about one subject (none deletes the key).
 * @example setDiagnostics(objects, "dns.mesos", "task:web.1", [])
 */
export function setDiagnostics(objects: KeyedObjects, part: string, subject: string, list: readonly Diagnostic[]): void {
  objects.set(ObjectKeys.diagnostics(part, subject), list.length === 0 ? undefined : sortDiagnostics([...list]));
}

/**
 * Sets a producer's diagnostics, grouped by subject. `subjects` are the subjects the producer
 * may have spoken about before: those it says nothing about now are cleared.
 * @example setProducerDiagnostics(objects, "dns.mesos", ["task:web.1"], diagnostics)
 */
export function setProducerDiagnostics(objects: KeyedObjects, part: string, subjects: Iterable<string>, list: readonly Diagnostic[]): void {
  const grouped = bySubject(list);
  for (const subject of subjects) if (!grouped.has(subject)) setDiagnostics(objects, part, subject, []);
  for (const [subject, own] of grouped) setDiagnostics(objects, part, subject, own);
}

/**
 * Collects the diagnostics of a whole derivation, part by part, and writes each (part, subject)
 * once at the end, so producers that share a subject (owners with the same id) add up.
 * @example const diagnostics = new DiagnosticObjects(); diagnostics.add("l4lb", list); diagnostics.writeTo(objects);
 */
export class DiagnosticObjects {
  readonly #lists = new Map<string, Map<string, Diagnostic[]>>();

  add(part: string, list: readonly Diagnostic[]): void {
    if (list.length === 0) return;
    let bySubjectOfPart = this.#lists.get(part);
    if (bySubjectOfPart === undefined) this.#lists.set(part, (bySubjectOfPart = new Map()));
    for (const d of list) {
      const own = bySubjectOfPart.get(d.subject);
      if (own === undefined) bySubjectOfPart.set(d.subject, [d]);
      else own.push(d);
    }
  }

  writeTo(objects: KeyedObjects): void {
    for (const [part, lists] of this.#lists) for (const [subject, list] of lists) setDiagnostics(objects, part, subject, list);
  }
}

function bySubject(list: readonly Diagnostic[]): Map<string, Diagnostic[]> {
  const grouped = new Map<string, Diagnostic[]>();
  for (const d of list) {
    const own = grouped.get(d.subject);
    if (own === undefined) grouped.set(d.subject, [d]);
    else own.push(d);
  }
  return grouped;
}

/**
 * The producers of diagnostics, each a part of the `control/diag/<part>/<subject>` keys.
 * @example ObjectKeys.diagnostics(Part.dnsMesos, "task:web.1") // "control/diag/dns.mesos/task:web.1"
 */
export const Part = {
  /** A task's, agent's or framework's Mesos-DNS records; the masters' (`cluster`). */
  dnsMesos: "dns.mesos",
  /** Frameworks whose names become one fragment. */
  dnsCollision: "dns.collision",
  /** A task's dcos-dns records. */
  dnsDcos: "dns.dcos",
  /** An agent without an IP whose tasks have dcos-dns records. */
  dnsDcosAgent: "dns.dcos.agent",
  /** Master entries that are not IPs. */
  dnsDcosMasters: "dns.dcos.masters",
  /** A named VIP's record. */
  dnsL4lb: "dns.l4lb",
  /** Forwarding settings. */
  forwarding: "dns.forwarding",
  /** An agent's forwarding networks. */
  forwardingAgent: "dns.forwarding.agent",
  /** A task's VIP labels. */
  l4lbTask: "l4lb.task",
  /** A Marathon app's VIP labels that none of its Mesos tasks carries. */
  l4lbMarathon: "l4lb.marathon",
  /** A named VIP's address. */
  l4lbAllocation: "l4lb.allocation",
  /** An IP VIP on a named VIP's address and port. */
  l4lbConflict: "l4lb.conflict",
  /** An agent that cannot take part in the overlay. */
  overlayAgent: "overlay.agent",
  /** A master entry that cannot take part in the overlay. */
  overlayMasters: "overlay.masters",
  /** Agents sharing one underlay IP. */
  overlaySharedIp: "overlay.shared-ip",
  /** Releases and previous allocations that did not fit. */
  overlayPrevious: "overlay.previous",
  /** Address spaces changed or removed under held addresses. */
  overlaySpaces: "overlay.spaces",
  /** A member that could not get everything it lacks. */
  overlayExhausted: "overlay.exhausted",
  /** A held node not in the snapshot. */
  overlayAbsent: "overlay.absent",
  /** A task's overlay address outside its agent's slice. */
  overlayTasks: "overlay.tasks",
  /** The HAProxy groups. */
  haproxy: "haproxy",
  /** Where the HAProxy groups run: an agent's clashing groups, a group no agent runs. */
  haproxyPlacement: "haproxy.placement",
  /** A task its network's attach ACL refused. */
  admission: "admission",
  /** The network policy. */
  policy: "policy",
} as const;
