/**
 * @module
 * Reading the CLI's input files. Every failure names the file, and for JSON and schema errors
 * the position or JSON path, and is a usage error (exit 2).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { z } from "zod";
import { CliUsageError, type CliIo } from "./io.ts";
import { InputError, inputIssues } from "../snapshot/issues.ts";

/** Reads a file as UTF-8, or throws a usage error naming it. */
export async function readText(path: string, io: CliIo): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, path), "utf8");
  } catch (error) {
    throw new CliUsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Reads and parses a JSON file, or throws a usage error naming it and the parse failure. */
export async function readJson(path: string, io: CliIo): Promise<unknown> {
  const text = await readText(path, io);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
}

/** Validates a parsed document against a schema, or throws a usage error listing the JSON paths. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new CliUsageError(new InputError(source, inputIssues(result.error)).message);
  return result.data;
}
