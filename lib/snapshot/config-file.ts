/**
 * @module
 * `wayfinder.yaml` text → Config. YAML syntax errors name the line and column; schema errors
 * name the key's JSON path and the line it is on, and an unknown key is reported at its own
 * path (`dns.tll`), not at its parent's. Pure: the caller reads the file (or finds none).
 */
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { Config } from "./config.ts";
import { InputError, jsonPath, type InputIssue } from "./issues.ts";

/**
 * Parses a config file's text; `undefined` (no file) and an empty document give the defaults.
 * @example parseConfigYaml("dns:\n  ttl: 30\n", "wayfinder.yaml").dns.ttl // 30
 * @example parseConfigYaml(undefined, "wayfinder.yaml").dns.domain // "mesos"
 */
export function parseConfigYaml(text: string | undefined, source: string): Config {
  if (text === undefined) return Config.parse({});
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InputError(
      source,
      doc.errors.map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        return { path: "", message: `YAML syntax error at line ${line}, column ${col}: ${firstLine(error.message)}` };
      }),
    );
  }
  const result = Config.safeParse(doc.toJS() ?? {});
  if (!result.success) throw new InputError(source, result.error.issues.flatMap((issue) => configIssues(issue, doc, lines)));
  return result.data;
}

function configIssues(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): InputIssue[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      return { path: jsonPath(path), message: `unknown key '${key}'${lineOf(doc, lines, path, true)}` };
    });
  }
  return [{ path: jsonPath(issue.path), message: `${issue.message}${lineOf(doc, lines, issue.path, false)}` }];
}

/**
 * ` (line N)` for the node at `path`, or its nearest ancestor that exists (a missing key is
 * reported on its parent's line). With `atKey`, the line of the key itself.
 */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[], atKey: boolean): string {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = atKey && depth === path.length ? keyNode(doc, path) : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return ` (line ${lines.linePos(node.range[0]).line})`;
  }
  return "";
}

function keyNode(doc: Document, path: readonly PropertyKey[]): unknown {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const map = parent as { items?: Array<{ key: unknown }> } | null;
  const key = path[path.length - 1];
  return map?.items?.find((pair) => isNode(pair.key) && (pair.key as { value?: unknown }).value === key)?.key;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}
