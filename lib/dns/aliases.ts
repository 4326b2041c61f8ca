/**
 * @module
 * dcos-dns's renames (specs/dns.md §3.3): names asked under an alias suffix are answered from
 * the canonical zone, and every name in the reply is written back under the suffix asked.
 *
 * | asked                       | served from                  |
 * |-----------------------------|------------------------------|
 * | `X.dclb.thisdcos.directory` | `X.l4lb.thisdcos.directory`  |
 * | `X.dclb.thisdcos.global`    | `X.l4lb.thisdcos.directory`  |
 * | `X.<label>.thisdcos.global` | `X.<label>.thisdcos.directory` |
 *
 * plus the desired state's own aliases (`dns.aliases`), e.g. `X.mesos.thisdcos.directory` →
 * `X.mesos`, which serves dcos-dns's mirror of the Mesos-DNS zone from that zone itself.
 *
 * The `X.<label>.<cryptoid>.dcos.directory` form is not supported: it needs the cluster's
 * Ed25519 key, which no snapshot carries.
 */
import type { DnsAlias } from "../desired/schema.ts";
import { nameKey, parentKey, replaceSuffix } from "./wire/names.ts";

const DIRECTORY = nameKey("thisdcos.directory")!;
const GLOBAL = nameKey("thisdcos.global")!;
const DCLB = "\x04dclb";
const L4LB = "\x04l4lb";
const EMPTY_TABLE: AliasTable = new Map();

/** A rename that applies to a question. */
export interface Alias {
  /** The question's name in the canonical zone. */
  key: string;
  /** The suffix as asked (`dclb.thisdcos.global`), and the canonical one it stands for. */
  asked: string;
  canonical: string;
}

/** Alias suffix key → target suffix key. */
export type AliasTable = ReadonlyMap<string, string>;

/**
 * The desired state's aliases as name keys; entries that are not valid names are dropped.
 * @example aliasTable([{ name: "mesos.thisdcos.directory", target: "mesos" }]).size // 1
 */
export function aliasTable(aliases: readonly DnsAlias[]): AliasTable {
  const table = new Map<string, string>();
  for (const { name, target } of aliases) {
    const from = nameKey(name);
    const to = nameKey(target);
    if (from !== undefined && to !== undefined && from !== to) table.set(from, to);
  }
  return table;
}

/**
 * The rename that applies to `key`, if any: a desired-state alias (longest suffix first), else
 * one of dcos-dns's fixed renames. The caller still checks that the canonical name is in a
 * local zone; when it is not, the name is routed as asked.
 * @example aliasFor(nameKey("app.marathon.dclb.thisdcos.global")!)?.key // key of "app.marathon.l4lb.thisdcos.directory"
 */
export function aliasFor(key: string, table: AliasTable = EMPTY_TABLE): Alias | undefined {
  if (table.size > 0) {
    for (let current: string | undefined = key; current !== undefined; current = parentKey(current)) {
      const target = table.get(current);
      if (target !== undefined) return { key: replaceSuffix(key, current, target), asked: current, canonical: target };
    }
  }
  for (let current: string | undefined = key; current !== undefined; current = parentKey(current)) {
    const parent = parentKey(current);
    if (parent !== GLOBAL && parent !== DIRECTORY) continue;
    const label = current.slice(0, current.length - parent.length);
    if (parent === DIRECTORY && label !== DCLB) return undefined;
    const canonical = (label === DCLB ? L4LB : label) + DIRECTORY;
    return { key: replaceSuffix(key, current, canonical), asked: current, canonical };
  }
  return undefined;
}

/**
 * Writes a canonical name back under the suffix the client asked.
 * @example writeBack(alias, nameKey("x.l4lb.thisdcos.directory")!) // key of "x.dclb.thisdcos.global"
 */
export function writeBack(alias: Alias | undefined, key: string): string {
  return alias === undefined ? key : replaceSuffix(key, alias.canonical, alias.asked);
}
