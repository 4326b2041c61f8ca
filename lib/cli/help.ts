/**
 * @module
 * `wayfinder <command> --help`, written from the command's spec: the synopsis, what the
 * positional arguments are, and every flag of the table the parser uses, with its value name,
 * default, choices and whether it repeats, as `kubectl` and `dig` users expect.
 */
import { flagName, type CommandSpec, type FlagSpec } from "./flags.ts";

const WIDTH = 100;
/** Flag columns wider than this put the description on the next line. */
const MAX_LEFT = 30;

const HELP_FLAG: readonly [string, string] = ["-h, --help", "print this help"];

/**
 * @example helpText(PLAN_COMMAND)
 * // "usage: wayfinder plan [SNAPSHOT] [flags]\n\nsummarise ...\n\nflags:\n      --json ..."
 */
export function helpText(command: CommandSpec): string {
  const out: string[] = [];
  command.synopsis.forEach((line, i) => out.push(`${i === 0 ? "usage: " : "       "}wayfinder ${line}`));
  out.push("", ...wrap(command.summary, WIDTH));
  if (command.arguments !== undefined && command.arguments.length > 0) {
    out.push("", "arguments:", ...columns(command.arguments.map(([name, text]) => [`  ${name}`, text])));
  }
  const flags = Object.entries(command.flags).map(([name, spec]): [string, string] => [flagColumn(name, spec), flagText(spec)]);
  out.push("", "flags:", ...columns([...flags, [`  ${HELP_FLAG[0]}`, HELP_FLAG[1]]]));
  for (const note of command.notes ?? []) out.push("", ...wrap(note, WIDTH));
  return `${out.join("\n")}\n`;
}

/** `-o, --output F` or `    --json`: short aliases line up with the long names of the others. */
function flagColumn(name: string, spec: FlagSpec): string {
  const alias = spec.short === undefined ? "    " : `-${spec.short}, `;
  const value = spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : "";
  return `  ${alias}${flagName(name)}${value}`;
}

function flagText(spec: FlagSpec): string {
  const notes = [
    spec.choices === undefined ? "" : `one of: ${spec.choices.join(", ")}`,
    spec.repeatable ? "repeatable" : "",
    spec.default !== undefined ? `default: ${spec.default}` : spec.defaultNote !== undefined ? `default: ${spec.defaultNote}` : "",
  ].filter(Boolean);
  return notes.length === 0 ? spec.description : `${spec.description} (${notes.join("; ")})`;
}

function columns(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.min(MAX_LEFT, Math.max(...rows.map(([left]) => left.length)) + 2);
  const out: string[] = [];
  for (const [left, text] of rows) {
    const lines = wrap(text, WIDTH - width);
    if (left.length + 2 > width) out.push(left, ...lines.map((l) => `${" ".repeat(width)}${l}`));
    else out.push(...lines.map((l, i) => `${i === 0 ? left.padEnd(width) : " ".repeat(width)}${l}`));
  }
  return out;
}

/** Greedy word wrap; a word longer than the width gets a line of its own. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}
