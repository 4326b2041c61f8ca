import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfigYaml } from "../../lib/snapshot/config-file.ts";
import { Config } from "../../lib/snapshot/config.ts";
import { InputError } from "../../lib/snapshot/issues.ts";

const DEFAULTS = Config.parse({});

function failure(text: string): InputError {
  try {
    parseConfigYaml(text, "conf/wayfinder.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error("no error");
}

describe("parseConfigYaml", () => {
  it.each([[undefined], [""], ["# nothing set\n"], ["---\n"]])("gives the DC/OS defaults for %j", (text) => {
    expect(parseConfigYaml(text, "wayfinder.yaml")).toEqual(DEFAULTS);
  });

  it("overrides only what the file sets", () => {
    const config = parseConfigYaml(
      ["dns:", "  domain: Cluster.Example", "  ttl: 30", "  upstreams: [1.1.1.1, '1.0.0.1:53']", "haproxy:", "  groups: ['*']", ""].join("\n"),
      "wayfinder.yaml",
    );
    expect(config.dns).toEqual({ ...DEFAULTS.dns, domain: "cluster.example", ttl: 30, upstreams: ["1.1.1.1", "1.0.0.1:53"] });
    expect(config.haproxy).toEqual({ ...DEFAULTS.haproxy, groups: ["*"] });
    expect(config.overlay).toEqual(DEFAULTS.overlay);
  });

  it("rejects an unknown key at its own path and line", () => {
    const error = failure("dns:\n  ttl: 30\n  tll: 30\nextra: true\n");
    expect(error.issues).toEqual([
      { path: "dns.tll", message: "unknown key 'tll' (line 3)" },
      { path: "extra", message: "unknown key 'extra' (line 4)" },
    ]);
    expect(error.message).toContain("conf/wayfinder.yaml: dns.tll: unknown key 'tll' (line 3)");
  });

  it("names the path and line of a value of the wrong type", () => {
    const error = failure("dns:\n  ipSources: [netinfo, nope]\noverlay:\n  overlays:\n    - name: x\n      prefix: big\n");
    expect(error.issues.map((i) => i.path)).toEqual(["dns.ipSources[1]", "overlay.overlays[0].prefix"]);
    expect(error.issues[0]!.message).toMatch(/\(line 2\)$/);
    expect(error.issues[1]!.message).toMatch(/expected number.*\(line 6\)$/);
  });

  it("accepts the kernel's IPVS schedulers and names the key and line of any other", () => {
    for (const scheduler of ["rr", "wrr", "lc", "wlc", "sh", "mh"]) expect(parseConfigYaml(`l4lb:\n  scheduler: ${scheduler}\n`, "x").l4lb.scheduler).toBe(scheduler);
    for (const bad of ["bogus", "WLC", "''", "7"]) {
      const error = failure(`l4lb:\n  ipv6: true\n  scheduler: ${bad}\n`);
      expect(error.issues).toEqual([{ path: "l4lb.scheduler", message: expect.stringMatching(/is not an IPVS scheduler; one of rr, wrr, lc, wlc, .*\(line 3\)$/) }]);
    }
  });

  it("rejects a document that is not a mapping", () => {
    expect(failure("- dns\n").issues).toEqual([{ path: "", message: expect.stringContaining("expected object") }]);
  });

  it.each([
    ["dns:\n  ttl: [\n", 3],
    ["dns:\n  ttl: 1\ndns:\n  ttl: 2\n", 3],
    ["dns:\n\tttl: 3\n", 2],
  ])("reports a YAML syntax error with its line: %j", (text, line) => {
    const error = failure(text);
    expect(error.issues[0]!.message).toMatch(new RegExp(`^YAML syntax error at line ${line}, column \\d+: `));
    expect(error.message).toMatch(/^conf\/wayfinder\.yaml: \(document\): YAML syntax error/);
  });
});

describe("wayfinder.example.yaml", () => {
  const text = readFileSync("wayfinder.example.yaml", "utf8");

  it("parses to exactly the defaults", () => {
    expect(parseConfigYaml(text, "wayfinder.example.yaml")).toEqual(DEFAULTS);
  });

  it("shows every key, the optional ones commented out", () => {
    const keys = new Set<string>();
    const walk = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
          keys.add(k);
          walk(v);
        }
      }
    };
    walk(DEFAULTS);
    for (const key of [...keys, "mname", "rname", "nsAddresses", "vtep_mtu"]) expect(text, key).toMatch(new RegExp(`^\\s*(?:# |- )?${key}:`, "m"));
    const uncommented = text.replace(/^(\s*)# ((?:mname|rname|nsAddresses|vtep_mtu): .*)$/gm, "$1$2");
    const config = parseConfigYaml(uncommented, "x");
    expect(config.dns.soa.mname).toBe("ns1.mesos");
    expect(config.overlay.vtep_mtu).toBe(1450);
  });
});
