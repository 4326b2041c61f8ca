/**
 * @module
 * Splits a captured Mesos operator-API stream into its events. `SUBSCRIBE` answers with a
 * stream of JSON objects: RecordIO-framed on the wire (`<length>\n<json>`), and commonly saved
 * one object a line or simply back to back. All three are accepted: the scanner finds where each
 * top-level value ends by counting brackets outside strings, and a bare number before an object
 * is taken as its RecordIO length prefix. Pure: text in, values out.
 */
import { InputError } from "../issues.ts";

/**
 * Parses concatenated JSON text into its top-level values. One value gives a one-element array.
 * Syntax errors throw an `InputError` naming the value's index (`events[3]`) and its line.
 * @example splitJsonValues('{"type":"SUBSCRIBED"}\n{"type":"HEARTBEAT"}', "stream.json")
 * // [{ type: "SUBSCRIBED" }, { type: "HEARTBEAT" }]
 * @example splitJsonValues('21\n{"type":"HEARTBEAT"}', "recordio.bin") // [{ type: "HEARTBEAT" }]
 */
export function splitJsonValues(text: string, source: string): unknown[] {
  const values: unknown[] = [];
  let i = skipSpace(text, 0);
  while (i < text.length) {
    const start = i;
    const end = valueEnd(text, start);
    const index = values.length;
    if (end === undefined) throw syntaxError(source, index, text, start, "unterminated value");
    const slice = text.slice(start, end);
    let value: unknown;
    try {
      value = JSON.parse(slice);
    } catch (error) {
      throw syntaxError(source, index, text, start, (error as Error).message);
    }
    i = skipSpace(text, end);
    // A RecordIO length prefix is a number directly followed by the record it measures.
    const isLengthPrefix = typeof value === "number" && (text[i] === "{" || text[i] === "[");
    if (!isLengthPrefix) values.push(value);
  }
  return values;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  return i;
}

/** Index just past the value starting at `start`, or `undefined` when the text ends inside it. */
function valueEnd(text: string, start: number): number | undefined {
  const first = text[start];
  if (first === "{" || first === "[") return containerEnd(text, start);
  if (first === '"') return stringEnd(text, start);
  // Scalars (numbers, true, false, null) run to the next separator or bracket.
  let i = start;
  while (i < text.length && !/[\s{}[\]",]/.test(text[i]!)) i++;
  return i === start ? start + 1 : i;
}

function containerEnd(text: string, start: number): number | undefined {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end === undefined) return undefined;
      i = end - 1;
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

function stringEnd(text: string, start: number): number | undefined {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return undefined;
}

function syntaxError(source: string, index: number, text: string, offset: number, reason: string): InputError {
  const { line, column } = lineColumn(text, offset);
  return new InputError(source, [
    { path: `events[${index}]`, message: `not valid JSON (value starting at line ${line}, column ${column}): ${reason}` },
  ]);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
