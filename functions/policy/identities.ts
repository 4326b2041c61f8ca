/**
 * @module
 * Identities: what can decide for a source. A source on a node is known when the table is
 * built (a local task's address, or the node itself), so the admin rules whose `from` it
 * matches, and the app-tier entries that list it, are picked then; its packets go straight to
 * that short list instead of testing every rule's source. Sources with the same answer (an
 * app's instances, whatever node they are on) share one identity, keyed by its content, so
 * the table grows with apps and rules, not tasks × rules. Sources outside the cluster are one
 * identity whose address-block rules and entries test the address.
 *
 * The registry counts who uses each identity (a node's own, its task addresses, the outside),
 * so an identity is an object while someone uses it: a task change adds or drops one only when
 * it is the first or last of its kind.
 */
import type { PolicyIdentity } from "../../lib/desired/policy-schema.ts";
import { sha256Hex } from "../../lib/net/digest.ts";

/**
 * An identity's key: `i-` and a hash of its content.
 * @example identityKey({ network: "dcos", rules: [{ name: "web-to-db" }], grants: [] }) // "i-3f2a9c01b4e7"
 */
export function identityKey(identity: PolicyIdentity): string {
  return `i-${sha256Hex(JSON.stringify(identity)).slice(0, 12)}`;
}

/** Where the registry writes the identities that came or went. */
export type IdentityWriter = (key: string, identity: PolicyIdentity | undefined) => void;

/**
 * @example
 * const registry = new IdentityRegistry((name) => logged.has(name));
 * registry.ref(key, identity); registry.flush(write) // writes it once
 */
export class IdentityRegistry {
  readonly #entries = new Map<string, { identity: PolicyIdentity; users: number; weight: number }>();
  /** Keys whose use started or ended since the last flush. */
  #touched = new Set<string>();

  /** `logged(rule)`: the rule's table entry is logged too, so it costs two nft rules. */
  constructor(private readonly logged: (rule: string) => boolean) {}

  /** One more user of `key` (whose content is `identity`). */
  ref(key: string, identity: PolicyIdentity): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (entry.users++ === 0) this.#touched.add(key);
      return;
    }
    this.#entries.set(key, { identity, users: 1, weight: this.#weightOf(identity) });
    this.#touched.add(key);
  }

  /** One user fewer. */
  unref(key: string): void {
    const entry = this.#entries.get(key)!;
    if (--entry.users === 0) this.#touched.add(key);
  }

  /** What an identity adds to a node's table (its rules, grants and four fixed ones), as the rule budget counts. */
  weight(key: string): number {
    return this.#entries.get(key)!.weight;
  }

  /** Writes the identities that came (first user) or went (last one left) since the last flush. */
  flush(write: IdentityWriter): void {
    for (const key of this.#touched) {
      const entry = this.#entries.get(key)!;
      if (entry.users > 0) write(key, entry.identity);
      else {
        this.#entries.delete(key);
        write(key, undefined);
      }
    }
    this.#touched = new Set();
  }

  #weightOf(identity: PolicyIdentity): number {
    let rules = identity.grants.length + 4;
    for (const r of identity.rules) rules += this.logged(r.name) ? 2 : 1;
    return rules;
  }
}
