/**
 * @module
 * The subset of Python's `str.format` that marathon-lb templates use: `{name}` substitutes,
 * `{name[key]}` reads a member of an object value (`{healthCheck[path]}`), and `{{`/`}}` are
 * literal braces. Conversions (`!r`) and format specs (`:>5`) are refused rather than guessed.
 *
 * Templates are compiled once into literal and placeholder parts, so rendering 5,000 apps
 * does not re-parse the same text 5,000 times. Every substituted value is checked: a value
 * holding a control character (a newline above all) would add a line, that is a directive,
 * to the HAProxy config, so it is refused instead of rendered (labels are data, never config).
 */

/** A template that cannot be compiled or rendered; the message says what and where. */
export class TemplateError extends Error {
  override readonly name = "TemplateError";
}

/**
 * Lines the renderer assembled itself from checked parts (the head's `option` lines): the one
 * kind of value allowed to hold newlines.
 */
export class RenderedLines {
  constructor(readonly text: string) {}
}

/** A substitution value: what marathon-lb passes to `format` (strings, numbers, the health-check object). */
export type TemplateValue = string | number | boolean | undefined | RenderedLines | { readonly [key: string]: unknown };

type Part = string | { readonly name: string; readonly key?: string };

/** A parsed template: literal text and placeholders in order. */
export interface CompiledTemplate {
  readonly source: string;
  readonly parts: readonly Part[];
  /** The placeholder names the template reads, each once. */
  readonly names: readonly string[];
}

const FIELD = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]{}]*)\])?$/;
// Any C0 control or DEL. Templates may hold newlines themselves; substituted values never.
const CONTROL = /[\u0000-\u001f\u007f]/;

const cache = new Map<string, CompiledTemplate>();

/**
 * Parses `source` (cached by text). Throws `TemplateError` on a lone brace, an empty or
 * malformed field, a conversion or a format spec.
 * @example compileTemplate("use_backend {backend} if {{ ssl_fc }}").names // ["backend"]
 */
export function compileTemplate(source: string): CompiledTemplate {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  const parts: Part[] = [];
  const names: string[] = [];
  let literal = "";
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === "{" && source[i + 1] === "{") {
      literal += "{";
      i += 2;
    } else if (ch === "}" && source[i + 1] === "}") {
      literal += "}";
      i += 2;
    } else if (ch === "}") {
      throw new TemplateError(`single '}' at offset ${i}; write '}}' for a literal brace`);
    } else if (ch === "{") {
      const end = source.indexOf("}", i + 1);
      if (end < 0) throw new TemplateError(`unclosed '{' at offset ${i}; write '{{' for a literal brace`);
      const field = source.slice(i + 1, end);
      const match = FIELD.exec(field);
      if (match === null) {
        throw new TemplateError(`unsupported placeholder {${field}} at offset ${i} (only {name} and {name[key]}; write '{{' and '}}' for literal braces)`);
      }
      if (literal !== "") parts.push(literal);
      literal = "";
      const name = match[1]!;
      parts.push(match[2] === undefined ? { name } : { name, key: match[2] });
      if (!names.includes(name)) names.push(name);
      i = end + 1;
    } else {
      literal += ch;
      i += 1;
    }
  }
  if (literal !== "") parts.push(literal);
  const compiled = { source, parts, names };
  if (cache.size > 10_000) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

/**
 * Renders a compiled template. A placeholder without a value, a member that does not exist
 * or a value with a control character throws `TemplateError`.
 * @example formatTemplate(compileTemplate("  use_backend {backend}\n"), { backend: "web_80" }) // "  use_backend web_80\n"
 */
export function formatTemplate(template: CompiledTemplate, values: Readonly<Record<string, TemplateValue>>): string {
  let out = "";
  for (const part of template.parts) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    if (!Object.hasOwn(values, part.name)) throw new TemplateError(`unknown placeholder {${part.name}}`);
    let value: unknown = values[part.name];
    if (value instanceof RenderedLines && part.key === undefined) {
      out += value.text;
      continue;
    }
    if (part.key !== undefined) {
      if (typeof value !== "object" || value === null || !Object.hasOwn(value, part.key)) {
        throw new TemplateError(`{${part.name}[${part.key}]}: no member '${part.key}'`);
      }
      value = (value as Record<string, unknown>)[part.key];
    }
    const text = pythonStr(value);
    if (CONTROL.test(text)) throw new TemplateError(`{${part.name}} would insert a control character (${JSON.stringify(text)})`);
    out += text;
  }
  return out;
}

/** `str(value)` as Python prints the JSON values Marathon sends (`None`, `True`, ints). */
function pythonStr(value: unknown): string {
  if (value === undefined || value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}

/**
 * Names the template reads that `allowed` does not supply, for validating an override up front.
 * @example unknownPlaceholders(compileTemplate("{backend} {oops}"), ["backend"]) // ["oops"]
 */
export function unknownPlaceholders(template: CompiledTemplate, allowed: readonly string[]): string[] {
  return template.names.filter((name) => !allowed.includes(name));
}
