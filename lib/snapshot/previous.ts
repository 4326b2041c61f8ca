/**
 * @module
 * The `previous` allocations of a new snapshot, taken from what the last run produced, so
 * allocations never move while their owner exists (DESIGN principle 4). Accepts a DesiredState
 * (its overlay allocations and named VIPs), a ClusterSnapshot (its own `previous`) or a bare
 * allocations object. Each capability will refine its part; for now the shapes are copied as
 * the desired state holds them. Pure.
 */
import { z } from "zod";
import { HaproxySlotAllocations, L4Service } from "../desired/schema.ts";
import { InputError, inputIssues } from "./issues.ts";
import { PreviousAllocations } from "./schema.ts";

const API_VERSION = "wayfinder/v1";

const PreviousDesired = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  overlay: z.looseObject({ allocations: z.unknown().optional() }).optional(),
  l4lb: z.looseObject({ services: z.array(L4Service).default([]) }).optional(),
  haproxy: z.looseObject({ allocations: HaproxySlotAllocations.optional() }).optional(),
});

const PreviousSnapshot = z.looseObject({ apiVersion: z.literal(API_VERSION), previous: PreviousAllocations.default({}) });

/**
 * @example
 * previousFromDocument(desired, "desired.json")
 * // { overlay: desired.overlay.allocations, l4lb: { namedVips: [{ name: "/app", dnsName: "app.marathon.l4lb.thisdcos.directory", vip: {...} }] } }
 * @example previousFromDocument({ overlay: { agents: {} } }, "alloc.json") // { overlay: { agents: {} } }
 */
export function previousFromDocument(document: unknown, source: string): PreviousAllocations {
  if (!isObject(document)) throw new InputError(source, [{ path: "", message: "expected a DesiredState, a ClusterSnapshot or an allocations object" }]);
  if (document.apiVersion === undefined) return parse(PreviousAllocations, document, source);
  if ("cluster" in document) return parse(PreviousSnapshot, document, source).previous;
  const desired = parse(PreviousDesired, document, source);
  const previous: PreviousAllocations = {};
  if (desired.overlay?.allocations !== undefined) previous.overlay = desired.overlay.allocations;
  const namedVips = (desired.l4lb?.services ?? [])
    .filter((s) => s.name !== undefined || s.dnsName !== undefined)
    .map((s) => ({ name: s.name, dnsName: s.dnsName, vip: s.vip }));
  if (namedVips.length > 0) previous.l4lb = { namedVips };
  if (desired.haproxy?.allocations !== undefined) previous.haproxy = desired.haproxy.allocations;
  return previous;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InputError(source, inputIssues(result.error));
  return result.data;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
