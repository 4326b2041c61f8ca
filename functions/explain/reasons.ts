/**
 * @module
 * Why a subject produced nothing (or less) in one artifact: its quarantine first (admission
 * runs before every artifact, so a quarantined task is in none), then the reconciler's own
 * facts (provenance skips) and the diagnostics about it whose code belongs to that artifact
 * (`dns.*`, `l4lb.*`, `haproxy.*`, `overlay.*`), in that order.
 */
import type { ProvenanceArtifact } from "../../lib/desired/provenance.ts";
import type { ExplainContext } from "./context.ts";
import type { Owner, Reason } from "./schema.ts";

const OWNER_KINDS = new Set<Owner["kind"]>(["task", "agent", "framework", "vip", "master", "zone"]);

/**
 * @example reasonsFor(context, "task:web.1", "l4lb") // [{ message: "no VIP label on any of its ports ..." }]
 */
export function reasonsFor(context: ExplainContext, subject: string, artifact: ProvenanceArtifact): Reason[] {
  // Admission reports before any artifact does, so its quarantine comes first.
  const facts = context.ledger
    .skipsOf(subject)
    .filter((s) => s.artifact === artifact || s.artifact === "admission")
    .map((s): Reason => ({ message: s.reason }));
  const prefix = `${artifact}.`;
  const diagnostics = context
    .diagnosticsOf(subject)
    .filter((d) => d.code.startsWith(prefix))
    .map((d): Reason => ({ code: d.code, level: d.level, message: d.message }));
  return [...facts, ...diagnostics];
}

/**
 * A subject string split into its kind and id.
 * @example ownerOf("task:web.1") // { subject: "task:web.1", kind: "task", id: "web.1" }
 */
export function ownerOf(subject: string): Owner {
  const colon = subject.indexOf(":");
  const kind = subject.slice(0, colon) as Owner["kind"];
  if (colon < 0 || !OWNER_KINDS.has(kind)) return { subject, kind: "other", id: subject };
  return { subject, kind, id: subject.slice(colon + 1) };
}
