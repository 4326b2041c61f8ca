/**
 * @module
 * Flag parsing on `node:util` `parseArgs` in strict mode: an unknown flag or a missing value is
 * a usage error (exit 2), never silently ignored.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliUsageError } from "./io.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * @example parseFlags("plan", ["--json", "snap.json"], { json: { type: "boolean" } })
 * // { values: { json: true }, positionals: ["snap.json"] }
 */
export function parseFlags<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliUsageError(`wayfinder ${command}: ${(error as Error).message}`);
  }
}
