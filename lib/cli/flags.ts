/**
 * @module
 * A command's flags as one declarative table (name, value name, type, default, repeatable,
 * choices, description). The parser, the defaults and the `--help` text (`help.ts`) are all
 * read from it, so they cannot disagree. Parsing is strict: an unknown flag (named with the
 * closest known one), a missing value, a value to a switch or a value outside the choices is a
 * usage error (exit 2), never silently ignored.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliUsageError } from "./io.ts";

/** One flag of a command. */
export interface FlagSpec {
  /** `string` takes a value; `boolean` is a switch. */
  readonly type: "string" | "boolean";
  /** The value's name in help and messages (`DIR`, `IP:PORT`); string flags only. */
  readonly value?: string;
  /** Applied by the parser when the flag is absent, and shown in help. */
  readonly default?: string;
  /**
   * The default in words when it is not one fixed value (it depends on other flags or on the
   * working directory); shown in help, applied by the command.
   */
  readonly defaultNote?: string;
  /** May be given more than once; the values are collected in order. */
  readonly repeatable?: boolean;
  /** The only values accepted. */
  readonly choices?: readonly string[];
  /** A one-letter alias (`o` for `-o`). */
  readonly short?: string;
  readonly description: string;
}

/** A command's flags by long name (without the dashes). */
export type FlagTable = Readonly<Record<string, FlagSpec>>;

/** Everything `wayfinder <name> --help` prints, and the flags the command's parser accepts. */
export interface CommandSpec<T extends FlagTable = FlagTable> {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The synopsis lines after `wayfinder `: positionals and required or alternative flags. */
  readonly synopsis: readonly string[];
  /** Positional arguments and what they are. */
  readonly arguments?: readonly (readonly [name: string, description: string])[];
  readonly flags: T;
  /** Paragraphs after the flags: exit codes, environment variables, notes. */
  readonly notes?: readonly string[];
}

type FlagValue<S extends FlagSpec> = S["type"] extends "boolean"
  ? boolean
  : S extends { readonly repeatable: true }
    ? string[]
    : S extends { readonly default: string }
      ? string
      : string | undefined;

/** The parsed values of a table: switches are booleans, repeatable flags arrays, defaults filled in. */
export type FlagValues<T extends FlagTable> = { -readonly [K in keyof T]: FlagValue<T[K]> };

export interface ParsedFlags<T extends FlagTable> {
  values: FlagValues<T>;
  positionals: string[];
}

/**
 * Parses `args` against a command's table.
 * @example parseFlags(PLAN_COMMAND, ["--json", "snap.json"])
 * // { values: { json: true, node: undefined, ... }, positionals: ["snap.json"] }
 */
export function parseFlags<T extends FlagTable>(command: CommandSpec<T>, args: readonly string[]): ParsedFlags<T> {
  const fail = (message: string): never => {
    throw usageError(command.name, message);
  };
  const table: FlagTable = command.flags;
  const shorts = new Set(Object.values(table).flatMap((spec) => (spec.short === undefined ? [] : [`-${spec.short}`])));
  // Not strict: the tokens are checked here, so every mistake gets this module's wording.
  const { tokens } = parseArgs({ args: [...args], options: nodeOptions(table), allowPositionals: true, strict: false, tokens: true });
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    const name = token.name;
    const spec = table[name];
    // A lone dash is a short alias; `-x` must not reach a long flag that happens to be named `x`.
    const known = spec !== undefined && (token.rawName.startsWith("--") || token.rawName === `-${spec.short}`);
    if (!known) return fail(unknownFlagMessage(command, token.rawName));
    if (spec.type === "boolean") {
      if (token.value !== undefined) fail(`${flagName(name)} is a switch and takes no value (got '${token.value}')`);
      values[name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined) return fail(`${flagName(name)} needs a value (${spec.value ?? "VALUE"})`);
    // `--out --node X` is a forgotten value, not an output called `--node`; `--timeout -1` is a value.
    if (!token.inlineValue && (value.startsWith("--") || shorts.has(value))) fail(`${flagName(name)} needs a value (${spec.value ?? "VALUE"}), not the flag '${value}' (write ${flagName(name)}=${value} if you mean it)`);
    if (spec.choices !== undefined && !spec.choices.includes(value)) {
      fail(`${flagName(name)} must be one of ${spec.choices.join(", ")}, not '${value}'`);
    }
    if (spec.repeatable) values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else values[name] = value;
  }
  for (const [name, spec] of Object.entries(table)) {
    if (values[name] !== undefined) continue;
    if (spec.type === "boolean") values[name] = false;
    else if (spec.repeatable) values[name] = spec.default === undefined ? [] : [spec.default];
    else if (spec.default !== undefined) values[name] = spec.default;
  }
  return { values: values as FlagValues<T>, positionals };
}

/**
 * A usage error (exit 2) of a command, prefixed with its name.
 * @example throw usageError("plan", "at most one SNAPSHOT argument")
 */
export function usageError(command: string, message: string): CliUsageError {
  return new CliUsageError(`wayfinder ${command}: ${message}`);
}

/** `--name` for a table key. */
export function flagName(name: string): string {
  return `--${name}`;
}

function nodeOptions(table: FlagTable): NonNullable<ParseArgsConfig["options"]> {
  return Object.fromEntries(
    Object.entries(table).map(([name, spec]) => [name, { type: spec.type, ...(spec.short === undefined ? {} : { short: spec.short }) }]),
  );
}

function unknownFlagMessage(command: CommandSpec, raw: string): string {
  const closest = closestFlag(raw.replace(/^-+/, ""), Object.keys(command.flags));
  const hint = closest === undefined ? "" : ` (did you mean ${flagName(closest)}?)`;
  return `unknown flag '${raw}'${hint}; 'wayfinder ${command.name} --help' lists the flags`;
}

/**
 * The known flag a mistyped one most likely meant: one it is a prefix of, or one at most two
 * edits away (cobra's rule, as kubectl suggests), the nearest first; undefined when none is close.
 * @example closestFlag("jsn", ["json", "node"]) // "json"
 */
export function closestFlag(typed: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = typed.length >= 2 && name.startsWith(typed) ? 0 : editDistance(typed, name);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Levenshtein distance with adjacent transpositions counted as one edit (`--jsno` → `--json`). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const above = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}
