/**
 * @module
 * LB group matching (marathon-lb `has_group`): an LB group `*` takes every service, even one
 * without a group; otherwise a service belongs when its groups and the LB's intersect.
 */

/**
 * @example matchesGroups(["external"], ["external", "internal"]) // true
 * @example matchesGroups(["*"], []) // true
 */
export function matchesGroups(lbGroups: readonly string[], serviceGroups: readonly string[]): boolean {
  if (lbGroups.includes("*")) return true;
  return serviceGroups.some((g) => lbGroups.includes(g));
}
