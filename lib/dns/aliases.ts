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
 * The `X.<label>.<cryptoid>.dcos.directory` form is not supported: it needs the cluster's
 * Ed25519 key, which no snapshot carries.
 */
import { nameKey, parentKey, replaceSuffix } from "./wire/names.ts";

const DIRECTORY = nameKey("thisdcos.directory")!;
const GLOBAL = nameKey("thisdcos.global")!;
const DCLB = "\x04dclb";
const L4LB = "\x04l4lb";

/** A rename that applies to a question. */
export interface Alias {
  /** The question's name in the canonical zone. */
  key: string;
  /** The suffix as asked (`dclb.thisdcos.global`), and the canonical one it stands for. */
  asked: string;
  canonical: string;
}

/**
 * The rename that applies to `key`, if any. The caller still checks that the canonical name
 * is in a local zone; when it is not, the name is routed as asked.
 * @example aliasFor(nameKey("app.marathon.dclb.thisdcos.global")!)?.key // key of "app.marathon.l4lb.thisdcos.directory"
 */
export function aliasFor(key: string): Alias | undefined {
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
