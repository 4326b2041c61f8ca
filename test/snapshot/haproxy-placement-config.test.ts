/**
 * `haproxy.placement` and `haproxy.groupPorts` in wayfinder.yaml: what parses, and each
 * malformed entry reported at its own path and line.
 */
import { describe, expect, it } from "vitest";
import { parseConfigYaml } from "../../lib/snapshot/config-file.ts";
import { InputError } from "../../lib/snapshot/issues.ts";

function issuesOf(yaml: string[]): InputError["issues"] {
  try {
    parseConfigYaml(yaml.join("\n"), "wayfinder.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).issues;
  }
  throw new Error("no error");
}

describe("haproxy.placement", () => {
  it("takes one selector or a list, by public flag, attribute or id", () => {
    const config = parseConfigYaml(
      ["haproxy:", "  groups: [external, internal]", "  placement:", "    external: { public: true }", "    internal: [{ attributes: { rack: [r1, r2] } }, { ids: [S7] }]"].join("\n"),
      "wayfinder.yaml",
    );
    expect(config.haproxy.placement).toEqual({ external: [{ public: true }], internal: [{ attributes: { rack: ["r1", "r2"] } }, { ids: ["S7"] }] });
  });

  it("rejects a group that is not one of haproxy.groups", () => {
    expect(issuesOf(["haproxy:", "  groups: [external]", "  placement:", "    internl: { public: false }"])).toEqual([
      { path: "haproxy.placement.internl", message: "internl is not one of haproxy.groups (external) (line 4)" },
    ]);
  });

  it("rejects a selector key it does not know at its path", () => {
    expect(issuesOf(["haproxy:", "  placement:", "    external: { role: slave_public }"])).toEqual([
      expect.objectContaining({ path: "haproxy.placement.external.role", message: expect.stringContaining("unknown key 'role'") }),
    ]);
  });

  it("rejects a public flag that is not a boolean, an empty id list and an empty value list", () => {
    const issues = issuesOf(["haproxy:", "  placement:", "    external: { public: 'yes', ids: [], attributes: { rack: [] } }"]);
    expect(issues.map((i) => i.path).sort()).toEqual(["haproxy.placement.external.attributes.rack", "haproxy.placement.external.ids", "haproxy.placement.external.public"]);
  });

  it("rejects an attribute name with spaces", () => {
    const issues = issuesOf(["haproxy:", "  placement:", "    external: { attributes: { 'my rack': r1 } }"]);
    expect(issues).toEqual([{ path: 'haproxy.placement.external.attributes["my rack"]', message: "an attribute name is letters, digits, '_', '.' and '-' (line 3)" }]);
  });
});

describe("haproxy.groupPorts", () => {
  it("gives a group its own ports, the others shared", () => {
    const config = parseConfigYaml(["haproxy:", "  groups: [external, internal]", "  groupPorts:", "    internal: { httpPort: 8080, statsPort: 9190 }"].join("\n"), "wayfinder.yaml");
    expect(config.haproxy.groupPorts).toEqual({ internal: { httpPort: 8080, statsPort: 9190 } });
  });

  it("rejects a group's own port that is another of its frontends' and names it there", () => {
    expect(issuesOf(["haproxy:", "  groups: [external, internal]", "  groupPorts:", "    internal: { httpPort: 9090 }"])).toEqual([
      { path: "haproxy.groupPorts.internal.statsPort", message: "statsPort 9090 is also httpPort; each shared frontend needs its own port (line 4)" },
    ]);
  });

  it("rejects a port out of range and a group it does not know", () => {
    const issues = issuesOf(["haproxy:", "  groupPorts:", "    external: { httpPort: 70000 }", "    other: { httpPort: 8080 }"]);
    expect(issues.map((i) => i.path).sort()).toEqual(["haproxy.groupPorts.external.httpPort", "haproxy.groupPorts.other"]);
  });
});
