/**
 * @module
 * Globs over slash-separated ids (Marathon app ids `/shop/web`, roles `eng/backend`): `*`
 * matches within one segment, `**` across segments, `?` one character of a segment. Anything
 * else matches itself, so a plain id is its own glob. Compiled once to a RegExp; pure.
 */

const SPECIAL = /[.+^${}()|[\]\\]/g;

/**
 * The RegExp a glob compiles to (anchored).
 * @example globRegExp("/shop/**").test("/shop/web/v2") // true
 * @example globRegExp("/shop/*").test("/shop/web/v2") // false
 */
export function globRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      source += ".*";
      i++;
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(SPECIAL, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/**
 * A matcher for a list of globs (any may match); compiled once, called per id.
 * @example globsMatcher(["/shop/**", "/bank/db"])("/bank/db") // true
 */
export function globsMatcher(globs: readonly string[]): (id: string) => boolean {
  const literal = new Set(globs.filter((g) => !/[*?]/.test(g)));
  const patterns = globs.filter((g) => /[*?]/.test(g)).map(globRegExp);
  return (id) => literal.has(id) || patterns.some((p) => p.test(id));
}
