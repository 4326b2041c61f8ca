import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../lib/cli/main.ts";
import { flagName, parseFlags, type CommandSpec, type FlagSpec } from "../../lib/cli/flags.ts";
import { runCli } from "../support/cli-io.ts";

const specs: CommandSpec[] = await Promise.all(Object.values(COMMANDS).map((c) => c.spec()));
const flat = (text: string) => text.replace(/\s+/g, " ");

/** A value the flag accepts: its default, its first choice, or a stand-in. */
function sample(spec: FlagSpec): string {
  return spec.default ?? spec.choices?.[0] ?? "x";
}

describe.each(specs.map((spec) => [spec.name, spec] as const))("wayfinder %s --help and its parser", (name, spec) => {
  it("are one table: every flag the parser accepts is in the help, with its value name, default, choices and repeats", async () => {
    const { code, stdout } = await runCli([name, "--help"]);
    expect(code).toBe(0);
    const help = flat(stdout);
    expect(help).toContain(`usage: wayfinder ${spec.synopsis[0]}`);
    for (const [flag, flagSpec] of Object.entries(spec.flags)) {
      const column = `${flagSpec.short === undefined ? "" : `-${flagSpec.short}, `}${flagName(flag)}${flagSpec.type === "string" ? ` ${flagSpec.value}` : ""}`;
      expect(help, flag).toContain(` ${column} ${flat(flagSpec.description)}`);
      const defaultText = flagSpec.default ?? flagSpec.defaultNote;
      if (defaultText !== undefined) expect(help, flag).toMatch(new RegExp(`${escape(flagName(flag))} [^]*?default: ${escape(flat(defaultText))}\\)`));
      if (flagSpec.choices !== undefined) expect(help, flag).toContain(`one of: ${flagSpec.choices.join(", ")}`);
      if (flagSpec.repeatable) expect(help, flag).toMatch(new RegExp(`${escape(flagName(flag))} [^]*?repeatable`));
    }
  });

  it("accepts every flag in the help, and fills in the defaults the help shows", () => {
    for (const [flag, flagSpec] of Object.entries(spec.flags)) {
      const args = flagSpec.type === "boolean" ? [flagName(flag)] : [flagName(flag), sample(flagSpec)];
      const { values } = parseFlags(spec, args);
      expect(values[flag], flag).toEqual(flagSpec.type === "boolean" ? true : flagSpec.repeatable ? [sample(flagSpec)] : sample(flagSpec));
    }
    const { values } = parseFlags(spec, []);
    for (const [flag, flagSpec] of Object.entries(spec.flags)) if (flagSpec.default !== undefined) expect(values[flag], flag).toBe(flagSpec.default);
  });

  it("names in its synopsis only flags of the table, with the table's value names", () => {
    for (const line of spec.synopsis) {
      for (const [, flag, value] of line.matchAll(/--([a-z0-9-]+)(?: ([A-Z][A-Z|:/]*(?:\[:[A-Z]+\])?))?/g)) {
        const flagSpec = spec.flags[flag!];
        expect(flagSpec, `--${flag}`).toBeDefined();
        if (value !== undefined) expect(flagSpec!.value, `--${flag}`).toBe(value);
      }
    }
  });

  it("runs a parser that refuses a flag the table lacks", async () => {
    const { code, stderr } = await runCli([name, "--no-such-flag"]);
    expect(code).toBe(2);
    expect(stderr).toContain(`wayfinder ${name}: unknown flag '--no-such-flag'`);
  });
});

describe("wayfinder --help", () => {
  it("lists every command with its summary", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    for (const spec of specs) expect(stdout).toContain(`  ${spec.name.padEnd(10)}${spec.summary}\n`);
  });

  it("documents the exit codes of --fail-on", async () => {
    for (const name of ["plan", "render"]) expect(flat((await runCli([name, "--help"])).stdout)).toMatch(/exit codes: 0 .*; 1 .*--fail-on found a diagnostic at its level/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
