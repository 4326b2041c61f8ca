import { describe, expect, it } from "vitest";
import { importSpecifiers, importTarget, sourceFiles } from "./support/import-graph.ts";

// Issue 12: no import runs back up. Each layer may import only what sits below it, so a piece
// two layers share lives in the lower one. A failure lists each offending `file → target`.

/** Folders of functions/ that hold facts several artifacts share; no artifact owns them. */
const SHARED_FUNCTION_FOLDERS = ["functions/task-facts/"];
/**
 * Folders of functions/ that compose the artifacts, as `functions/reconcile.ts` does: the keyed
 * desired state and its incremental form. They may import every artifact; no artifact imports them.
 */
const COMPOSING_FUNCTION_FOLDERS = ["functions/keyed/", "functions/incremental/"];

interface Import {
  file: string;
  target: string;
}

interface Rule {
  name: string;
  /** Whether the rule covers imports made by `file`. */
  covers: (file: string) => boolean;
  /** Whether importing `target` from `file` breaks the rule. */
  breaks: (file: string, target: string) => boolean;
  /** An import the rule must refuse, so that a rule that matches nothing cannot pass. */
  violation: Import;
}

const under = (folder: string) => (path: string) => path.startsWith(`${folder}/`);
/** `functions/<folder>/` of a path inside an artifact folder, else undefined. */
const artifactFolder = (path: string): string | undefined => {
  const folder = /^functions\/[^/]+\//.exec(path)?.[0];
  return folder === undefined || SHARED_FUNCTION_FOLDERS.includes(folder) || COMPOSING_FUNCTION_FOLDERS.includes(folder) ? undefined : folder;
};

const ARTIFACT_RULE: Rule = {
  name: `an artifact folder of functions/ imports none of its siblings (shared facts: ${SHARED_FUNCTION_FOLDERS.join(", ")})`,
  covers: (file) => artifactFolder(file) !== undefined,
  breaks: (file, target) =>
    under("functions")(target) && !target.startsWith(artifactFolder(file)!) && !SHARED_FUNCTION_FOLDERS.some((shared) => target.startsWith(shared)),
  violation: { file: "functions/l4lb/task-vips.ts", target: "functions/dns-zones/task-network.ts" },
};

const RULES: Rule[] = [
  {
    name: "lib/net imports no other lib/ folder (nor functions/)",
    covers: under("lib/net"),
    breaks: (_, target) => !under("lib/net")(target),
    violation: { file: "lib/net/upstream-address.ts", target: "lib/snapshot/adapters/mesos-state-address.ts" },
  },
  {
    name: "lib/desired imports only lib/net",
    covers: under("lib/desired"),
    breaks: (_, target) => !under("lib/desired")(target) && !under("lib/net")(target),
    violation: { file: "lib/desired/schema.ts", target: "lib/snapshot/previous-l4lb.ts" },
  },
  {
    name: "lib/render imports no functions/",
    covers: under("lib/render"),
    breaks: (_, target) => under("functions")(target),
    violation: { file: "lib/render/overlay.ts", target: "functions/overlay/dataplane.ts" },
  },
  {
    name: "lib/executor imports no server (lib/dns, lib/http)",
    covers: under("lib/executor"),
    breaks: (_, target) => under("lib/dns")(target) || under("lib/http")(target),
    violation: { file: "lib/executor/dns/applier.ts", target: "lib/dns/zone-file.ts" },
  },
  ARTIFACT_RULE,
];

/** Every import of one repository file by another, under lib/ and functions/. */
const IMPORTS: Import[] = ["lib", "functions"]
  .flatMap(sourceFiles)
  .flatMap((file) => importSpecifiers(file).flatMap((s) => (s.startsWith(".") ? [{ file, target: importTarget(file, s) }] : [])));

function offending(rule: Rule, imports: readonly Import[]): string[] {
  return imports.filter((i) => rule.covers(i.file) && rule.breaks(i.file, i.target)).map((i) => `${i.file} → ${i.target}`);
}

describe("layering: no import runs back up", () => {
  for (const rule of RULES) {
    it(rule.name, () => {
      expect(offending(rule, IMPORTS)).toEqual([]);
    });
  }

  it("each rule refuses its example of a violation, and covers imports that exist", () => {
    for (const rule of RULES) {
      expect(offending(rule, [rule.violation]), rule.name).toEqual([`${rule.violation.file} → ${rule.violation.target}`]);
      expect(IMPORTS.filter((i) => rule.covers(i.file)).length, rule.name).toBeGreaterThan(0);
    }
  });

  it("lets an artifact folder import itself and the shared facts", () => {
    expect(ARTIFACT_RULE.breaks("functions/l4lb/task-vips.ts", "functions/l4lb/named-vip-addresses.ts")).toBe(false);
    expect(ARTIFACT_RULE.breaks("functions/l4lb/task-vips.ts", "functions/task-facts/task-network.ts")).toBe(false);
    expect(ARTIFACT_RULE.covers("functions/task-facts/task-ports.ts")).toBe(false);
  });

  it("lets the composing folders import the artifacts, and no artifact import them", () => {
    expect(ARTIFACT_RULE.covers("functions/keyed/derive.ts")).toBe(false);
    expect(ARTIFACT_RULE.breaks("functions/l4lb/index.ts", "functions/keyed/object-store.ts")).toBe(true);
  });
});
