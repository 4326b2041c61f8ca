/**
 * @module
 * Reading the units in `deploy/` the way systemd would, for tests that check their settings
 * and run their command lines without systemd: the settings of a section, and `ExecStart=`
 * expanded into an argument array (`${VAR}` is one argument, `$VAR` is split on spaces).
 */
import { readFileSync } from "node:fs";

/**
 * Every `Key=value` of `section`, values in file order (a key may repeat).
 * @example unitSettings("deploy/wayfinder-dns.service", "Service").get("Restart") // ["always"]
 */
export function unitSettings(path: string, section: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let current = "";
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header !== null) current = header[1]!;
    const setting = /^(\w+)=(.*)$/.exec(line);
    if (setting !== null && current === section) settings.set(setting[1]!, [...(settings.get(setting[1]!) ?? []), setting[2]!]);
  }
  return settings;
}

/**
 * The unit's `ExecStart=` as the argument array systemd would run, with `vars` as its environment.
 * @example execStartArgv("deploy/wayfinder-dns.service", { WAYFINDER_DNS_LISTEN: "127.0.0.1:5353" }) // ["/usr/local/bin/wayfinder", "dns", ...]
 */
export function execStartArgv(path: string, vars: Record<string, string>): string[] {
  const exec = unitSettings(path, "Service").get("ExecStart")![0]!;
  return exec
    .split(/\s+/)
    .flatMap((w) => (w.startsWith("$") && !w.startsWith("${") ? (vars[w.slice(1)] ?? "").split(/\s+/).filter(Boolean) : [w.replace(/\$\{(\w+)\}/g, (_, k: string) => vars[k] ?? "")]));
}

/**
 * The `KEY=value` lines of an environment file (`deploy/*.env.example`).
 * @example environmentFile("deploy/agent.env.example").WAYFINDER_NODE
 */
export function environmentFile(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}
