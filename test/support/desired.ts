/**
 * @module
 * DesiredStates for tests: every section empty unless the test fills it in.
 */
import { withHash } from "../../functions/reconcile.ts";
import type { DesiredState, UnhashedDesiredState } from "../../lib/desired/schema.ts";

/** An overlay section with nothing allocated. */
export const EMPTY_OVERLAY: DesiredState["overlay"] = {
  allocations: { vtep: { subnet: "44.128.0.0/20" }, overlays: {}, nodes: [] },
  nodes: {},
};

/**
 * @example desiredWith({ l4lb: { services } }) // a hashed DesiredState with only those services
 */
export function desiredWith(sections: Partial<UnhashedDesiredState>): DesiredState {
  return withHash({
    apiVersion: "wayfinder/v1",
    dns: { zones: [] },
    l4lb: { services: [] },
    haproxy: { groups: {} },
    overlay: EMPTY_OVERLAY,
    diagnostics: [],
    ...sections,
  });
}
