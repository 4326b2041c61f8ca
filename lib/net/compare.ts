/**
 * @module
 * The one string order of the project: UTF-16 code units, as `<` compares them. It is not
 * `localeCompare`, whose answer depends on the host's ICU data and locale; output sorted with
 * this is byte-identical on every node and runtime (DESIGN principle 2).
 */

/**
 * Compares two strings by code unit: negative, zero or positive, for `Array.prototype.sort`.
 * @example ["b", "B", "a"].sort(compareStrings) // ["B", "a", "b"]
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
