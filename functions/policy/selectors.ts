/**
 * @module
 * Selectors compiled once: who a `from`/`to` (or an app label's source) is about. Fields are
 * AND'ed, the values of one field OR'ed; an empty selector is everyone. `apps`, `labels` and
 * `roles` are facts of tasks, so a selector using them never matches a node or an address
 * outside the cluster; `networks` matches tasks and nodes on those networks; `ipBlocks` alone
 * is an address block (inside the cluster or not), beside other fields it narrows their
 * endpoints to its addresses. Pure.
 */
import { canonicalJson } from "../../lib/net/canonical-json.ts";
import { parseIpValue } from "../../lib/net/cidr.ts";
import { sha256Hex } from "../../lib/net/digest.ts";
import { globsMatcher } from "../../lib/net/glob.ts";
import { formatElement, parseElement, type ElementRange } from "../../lib/desired/policy-elements.ts";
import type { IpBlock, Selector } from "../../lib/snapshot/policy-config.ts";
import type { NodeEndpoint, TaskEndpoint } from "./endpoints.ts";

export interface CompiledSelector {
  /** A short stable key of the selector's content: equal selectors share their sets. */
  key: string;
  /** The selector as canonical JSON, for people. */
  about: string;
  /** No field: everyone, outside the cluster included. */
  any: boolean;
  /** Only `ipBlocks`: an address block, whoever holds the address. */
  blocksOnly: boolean;
  /** It names task facts (apps, labels, roles): it never matches a node or an address outside the cluster. */
  tasksOnly: boolean;
  /** The blocks minus their exceptions, as address elements (empty without `ipBlocks`). */
  blockElements: string[];
  /**
   * When the selector is only exact app ids (the common case), those ids: a task matches
   * exactly when its app is one of them, so callers can look rules up by app instead of
   * testing each.
   */
  literalApps?: readonly string[];
  matchesTask(endpoint: TaskEndpoint): boolean;
  /** Whether a node matches, judged on `address` (one of its own). */
  matchesNode(node: NodeEndpoint, address: string): boolean;
  /** Whether an address outside the cluster matches. */
  matchesOutside(address: string): boolean;
}

/**
 * @example compileSelector({ apps: ["/shop/**"] }).matchesTask(webEndpoint) // true for /shop/web
 */
export function compileSelector(selector: Selector | undefined): CompiledSelector {
  const spec = selector ?? {};
  const about = canonicalJson(spec);
  const apps = spec.apps && globsMatcher(spec.apps);
  const roles = spec.roles && globsMatcher(spec.roles);
  const labels = spec.labels && Object.entries(spec.labels);
  const networks = spec.networks && new Set(spec.networks);
  const blocks = spec.ipBlocks?.flatMap(blockRanges);
  const inBlocks = (address: string) => blocks === undefined || rangesHave(blocks, address);
  const taskFields = apps !== undefined || roles !== undefined || labels !== undefined;
  const onlyApps = spec.apps !== undefined && Object.keys(spec).length === 1 && spec.apps.every((g) => !/[*?]/.test(g));
  return {
    key: sha256Hex(about).slice(0, 12),
    about,
    any: about === "{}",
    blocksOnly: blocks !== undefined && !taskFields && networks === undefined,
    tasksOnly: taskFields,
    blockElements: (blocks ?? []).map(formatElement),
    ...(onlyApps ? { literalApps: spec.apps } : {}),
    matchesTask(endpoint) {
      const { task } = endpoint;
      return (
        (apps === undefined || (task.appId !== undefined && apps(task.appId))) &&
        (roles === undefined || (task.role !== undefined && roles(task.role))) &&
        (labels === undefined || labels.every(([k, v]) => task.labels[k] === v)) &&
        (networks === undefined || networks.has(endpoint.network)) &&
        inBlocks(endpoint.address)
      );
    },
    matchesNode(node, address) {
      return !taskFields && (networks === undefined || networks.has(node.network)) && inBlocks(address);
    },
    matchesOutside(address) {
      return !taskFields && networks === undefined && inBlocks(address);
    },
  };
}

/** A block minus its exceptions, as disjoint ranges. */
function blockRanges(block: IpBlock): ElementRange[] {
  let ranges = [parseElement(block.cidr)!];
  for (const text of block.except) {
    const cut = parseElement(text)!;
    ranges = ranges.flatMap((r) => {
      if (r.family !== cut.family || cut.hi < r.lo || cut.lo > r.hi) return [r];
      const left = cut.lo > r.lo ? [{ ...r, hi: cut.lo - 1n }] : [];
      const right = cut.hi < r.hi ? [{ ...r, lo: cut.hi + 1n }] : [];
      return [...left, ...right];
    });
  }
  return ranges;
}

function rangesHave(ranges: readonly ElementRange[], address: string): boolean {
  const ip = parseIpValue(address);
  return ip !== undefined && ranges.some((r) => r.family === ip.family && r.lo <= ip.value && ip.value <= r.hi);
}
