/**
 * marathon-lb's own renderings of 24 inputs (`state-fixtures/upstream/marathon-lb/golden/`):
 * with marathon-lb's head and server naming, wayfinder must produce the same text, except
 * where HAProxy 2.6 forces a different directive. With the default slot naming, everything
 * but the server lines must still be identical, and the enabled slots must hold exactly
 * marathon-lb's servers.
 */
import { describe, expect, it } from "vitest";
import { haproxyGroups } from "../../../functions/haproxy/index.ts";
import { GOLDEN_CA_FILE, goldenCases, goldenSnapshot, withCaFile } from "./marathon-lb-goldens.ts";

/** DELIBERATE: the text differences HAProxy ≥ 2.1 forces (`rspadd` is a fatal error there). */
const MODERN_DIRECTIVES: Record<string, [string, string][]> = {
  redirect_https_hsts_multi_vhost: [["  rspadd  Strict-Transport-Security:\\ max-age=15768000", "  http-response set-header Strict-Transport-Security max-age=15768000"]],
};

/** DELIBERATE: bind options HAProxy refuses are completed in the input (`withCaFile`) and so in the text. */
const COMPLETED_BIND_OPTIONS: Record<string, [string, string]> = {
  group_https_by_vhost: ["verify optional", `verify optional ca-file ${GOLDEN_CA_FILE}`],
};

const cases = goldenCases().map((golden) => {
  const completion = COMPLETED_BIND_OPTIONS[golden.name];
  if (completion === undefined) return golden;
  const [old, now] = completion;
  expect(golden.expected.haproxy_cfg).toContain(old);
  return { ...withCaFile(golden), expected: { ...golden.expected, haproxy_cfg: golden.expected.haproxy_cfg.replaceAll(old, now) } };
});

describe("marathon-lb goldens, marathon-lb naming", () => {
  it("has the 24 cases", () => expect(cases).toHaveLength(24));

  it("leaves out the app whose bind options HAProxy refuses, and only it", () => {
    const golden = goldenCases().find((g) => g.name === "group_https_by_vhost")!;
    const result = haproxyGroups(goldenSnapshot(golden));
    const config = result.groups.external!.config;
    expect(config).not.toContain("b_10002");
    expect(config).toContain("backend a_10001");
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ level: "error", code: "haproxy.invalid-label", subject: "app:/b", message: expect.stringContaining("HAPROXY_0_BIND_OPTIONS: 'verify optional' needs 'ca-file <file>'") }),
    ]);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s renders marathon-lb's text", (_name, golden) => {
    const result = haproxyGroups(goldenSnapshot(golden));
    let expected = golden.expected.haproxy_cfg;
    for (const [old, now] of MODERN_DIRECTIVES[golden.name] ?? []) {
      expect(expected).toContain(old);
      expected = expected.replace(old, now);
    }
    const group = result.groups[golden.input.groups[0]!]!;
    expect(group.config).toBe(expected);
    if (golden.input.haproxy_map) {
      expect(group.maps).toEqual({ "domain2backend.map": golden.expected.domain2backend_map, "app2backend.map": golden.expected.app2backend_map });
    } else expect(group.maps).toBeUndefined();
    expect(result.diagnostics).toEqual([]);
  });
});

/** Server lines become `<backend> <address> <enabled>`; everything else stays as text. */
function split(config: string): { rest: string; servers: string[] } {
  let backend = "";
  const servers: string[] = [];
  const rest: string[] = [];
  for (const line of config.split("\n")) {
    if (line.startsWith("backend ")) backend = line.slice(8);
    const m = /^ {2}server \S+ (\S+) id \d+(.*)$/.exec(line);
    if (m === null) rest.push(line);
    else {
      const disabled = / disabled$/.test(m[2]!);
      if (m[1] !== "127.0.0.1:1") servers.push(`${backend} ${m[1]} ${disabled ? "draining" : "up"}`);
      rest.push(`  server ${m[2]!.replace(/ disabled$/, "").replace(/ check cookie [0-9a-f]{10}/, " check cookie")}`);
    }
  }
  return { rest: rest.join("\n").replace(/(\n {2}server .*)+/g, "\n  server ..."), servers: servers.sort() };
}

describe("marathon-lb goldens, slot naming", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s routes to the same servers", (_name, golden) => {
    const mlb = haproxyGroups(goldenSnapshot(golden)).groups[golden.input.groups[0]!]!.config;
    const slotted = haproxyGroups(goldenSnapshot(golden, { serverNaming: "slots" })).groups[golden.input.groups[0]!]!.config;
    const a = split(mlb);
    const b = split(slotted);
    if (a.servers.length > 0) expect(slotted).toMatch(/ server slot1 /);
    expect(b.rest).toBe(a.rest);
    expect(b.servers).toEqual(a.servers);
  });
});
