/**
 * @module
 * The `previous` allocations of a new snapshot, taken from what the last run produced, so
 * allocations never move while their owner exists (DESIGN principle 4). Accepts a DesiredState
 * (its overlay allocations and named VIPs), a ClusterSnapshot (its own `previous`) or a bare
 * allocations object, or DC/OS's overlay master state (`GET /overlay-master/state`, to migrate a
 * cluster with its addresses). Each capability refines its part. Pure.
 */
import { z } from "zod";
import { HaproxySlotAllocations, L4Service } from "../desired/schema.ts";
import { OverlayAllocations } from "../desired/overlay-schema.ts";
import { InputError, inputIssues } from "./issues.ts";
import { allocationsFromDcosOverlayState, isDcosOverlayMasterState } from "./adapters/dcos-overlay-state.ts";
import { PreviousAllocations } from "./schema.ts";
import { PreviousNamedVip } from "../desired/previous-l4lb.ts";
import { compareStrings } from "../net/compare.ts";

const API_VERSION = "wayfinder/v1";

const PreviousDesired = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  overlay: z.looseObject({ allocations: OverlayAllocations.optional() }).optional(),
  l4lb: z.looseObject({ services: z.array(L4Service).default([]), namedVips: z.array(PreviousNamedVip).optional() }).optional(),
  haproxy: z.looseObject({ allocations: HaproxySlotAllocations.optional() }).optional(),
});

const PreviousSnapshot = z.looseObject({ apiVersion: z.literal(API_VERSION), previous: PreviousAllocations.default({}) });

/**
 * @example
 * previousFromDocument(desired, "desired.json")
 * // { overlay: desired.overlay.allocations, l4lb: { namedVips: [{ name: "app.marathon", ip: "11.171.172.79" }] } }
 * @example previousFromDocument({ overlay: { nodes: [], release: ["10.0.0.12"] } }, "alloc.json") // the same object
 */
export function previousFromDocument(document: unknown, source: string): PreviousAllocations {
  if (!isObject(document)) throw new InputError(source, [{ path: "", message: "expected a DesiredState, a ClusterSnapshot or an allocations object" }]);
  if (isDcosOverlayMasterState(document)) return { overlay: allocationsFromDcosOverlayState(document, source) };
  if (document.apiVersion === undefined) return parse(PreviousAllocations, document, source);
  if ("cluster" in document) return parse(PreviousSnapshot, document, source).previous;
  const desired = parse(PreviousDesired, document, source);
  const previous: PreviousAllocations = {};
  if (desired.overlay?.allocations !== undefined) previous.overlay = desired.overlay.allocations;
  // Older desired states had no namedVips list; their services name the addresses.
  const namedVips = desired.l4lb?.namedVips ?? previousNamedVips(desired.l4lb?.services ?? []);
  if (namedVips.length > 0) previous.l4lb = { namedVips };
  if (desired.haproxy?.allocations !== undefined) previous.haproxy = desired.haproxy.allocations;
  return previous;
}

/**
 * The named-VIP addresses of a desired state's services: one entry per (name, address), sorted.
 * @example previousNamedVips(desired.l4lb.services) // [{ name: "app.marathon", ip: "11.171.172.79" }]
 */
export function previousNamedVips(services: readonly L4Service[]): PreviousNamedVip[] {
  const seen = new Map<string, PreviousNamedVip>();
  for (const s of services) if (s.name !== undefined) seen.set(`${s.name} ${s.vip.ip}`, { name: s.name, ip: s.vip.ip });
  return [...seen.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, v]) => v);
}

function parse<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InputError(source, inputIssues(result.error));
  return result.data;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
