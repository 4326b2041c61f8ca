/**
 * @module
 * The golden fixtures: every `state-fixtures/<name>/snapshot.json` with its expected
 * `desired.json` beside it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { canonicalJsonPretty } from "../../lib/net/canonical-json.ts";
import { compareStrings } from "../../lib/net/compare.ts";

export const FIXTURES_DIR = "state-fixtures";

export interface GoldenFixture {
  name: string;
  snapshotPath: string;
  desiredPath: string;
}

export function goldenFixtures(): GoldenFixture[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(FIXTURES_DIR, d.name, "snapshot.json")))
    .map((d) => ({
      name: d.name,
      snapshotPath: join(FIXTURES_DIR, d.name, "snapshot.json"),
      desiredPath: join(FIXTURES_DIR, d.name, "desired.json"),
    }))
    .sort((a, b) => compareStrings(a.name, b.name));
}

export function readSnapshot(path: string): ClusterSnapshot {
  return ClusterSnapshot.parse(JSON.parse(readFileSync(path, "utf8")));
}

/** The bytes a fixture's `desired.json` must hold. */
export function renderDesired(snapshot: ClusterSnapshot): string {
  return canonicalJsonPretty(reconcile(snapshot));
}
