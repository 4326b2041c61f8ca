import { describe, expect, it } from "vitest";
import { closestFlag, parseFlags, type CommandSpec } from "../../lib/cli/flags.ts";
import { CliUsageError } from "../../lib/cli/io.ts";

const TOY = {
  name: "toy",
  summary: "a command for these tests",
  synopsis: ["toy [flags]"],
  flags: {
    json: { type: "boolean", description: "switch" },
    output: { type: "string", value: "F", short: "o", description: "a file" },
    listen: { type: "string", value: "IP:PORT", repeatable: true, description: "repeats" },
    level: { type: "string", value: "LEVEL", choices: ["low", "high"], default: "low", description: "a choice" },
    timeout: { type: "string", value: "S", default: "10", description: "a number" },
    x: { type: "string", value: "X", description: "a long flag with a one-letter name" },
  },
} as const satisfies CommandSpec;

function usage(args: string[]): string {
  try {
    parseFlags(TOY, args);
  } catch (error) {
    expect(error).toBeInstanceOf(CliUsageError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(args)} was accepted`);
}

describe("parseFlags", () => {
  it("fills in every default: false switches, empty repeatable lists, the table's values", () => {
    expect(parseFlags(TOY, [])).toEqual({
      values: { json: false, listen: [], level: "low", timeout: "10" },
      positionals: [],
    });
  });

  it("reads values inline and separate, short aliases, repeats in order, and the last of a repeated single flag", () => {
    const { values, positionals } = parseFlags(TOY, ["a", "--json", "-o", "out.json", "--listen=1.1.1.1:53", "--listen", "[::1]:53", "--timeout", "-1", "--level", "high", "--level=low", "b"]);
    expect(values).toEqual({ json: true, output: "out.json", listen: ["1.1.1.1:53", "[::1]:53"], level: "low", timeout: "-1" });
    expect(positionals).toEqual(["a", "b"]);
  });

  it("takes everything after -- as positionals", () => {
    expect(parseFlags(TOY, ["--", "--json"]).positionals).toEqual(["--json"]);
  });

  it.each([
    [["--jsno"], "wayfinder toy: unknown flag '--jsno' (did you mean --json?); 'wayfinder toy --help' lists the flags"],
    [["--bogus"], "wayfinder toy: unknown flag '--bogus'; 'wayfinder toy --help' lists the flags"],
    [["-j"], "unknown flag '-j'"],
    // `x` is a long name only: `-x` must not reach it.
    [["-x", "1"], "unknown flag '-x'"],
    [["--output"], "wayfinder toy: --output needs a value (F)"],
    [["--output", "--json"], "--output needs a value (F), not the flag '--json' (write --output=--json if you mean it)"],
    [["--listen", "-o"], "--listen needs a value (IP:PORT), not the flag '-o'"],
    [["--json=false"], "--json is a switch and takes no value (got 'false')"],
    [["--level", "medium"], "--level must be one of low, high, not 'medium'"],
  ])("refuses %j", (args, message) => {
    expect(usage(args)).toContain(message);
  });
});

describe("closestFlag", () => {
  it.each([
    ["jsn", "json"],
    ["sjon", "json"],
    ["dry", "dry-run"],
    ["node-id", undefined],
    ["state", "state-dir"],
    ["upstrem", "upstream"],
    ["frobnicate", undefined],
    ["l", undefined],
  ])("%s → %s", (typed, expected) => {
    expect(closestFlag(typed, ["json", "node", "dry-run", "state-dir", "upstream", "timeout"])).toBe(expected);
  });
});
