/**
 * @module
 * zod issues as people read them: `tasks[3].agentId: Invalid input: expected string`. Shared by
 * the CLI (one line per issue, prefixed with the file) and the HTTP API (a JSON list).
 */
import type { z } from "zod";

export interface InputIssue {
  /** JSON path of the offending value, e.g. `tasks[3].agentId` (empty for the document itself). */
  path: string;
  message: string;
}

/**
 * @example inputIssues(result.error) // [{ path: "agents[0].id", message: "Too small: ..." }]
 */
export function inputIssues(error: z.ZodError): InputIssue[] {
  return error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message }));
}

/**
 * Renders a path array as JSON path text.
 * @example jsonPath(["tasks", 3, "agentId"]) // "tasks[3].agentId"
 */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/** An input document that failed validation; `source` names the file, URL or request body. */
export class InputError extends Error {
  override readonly name = "InputError";
  constructor(
    readonly source: string,
    readonly issues: InputIssue[],
  ) {
    super(issues.map((i) => `${source}: ${i.path === "" ? "(document)" : i.path}: ${i.message}`).join("\n"));
  }
}
