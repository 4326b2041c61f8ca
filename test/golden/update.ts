/**
 * `npm run golden:update`: rewrites every `state-fixtures/<name>/desired.json` from its
 * snapshot. Review the diff before committing: a golden change is a behaviour change.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { goldenFixtures, readSnapshot, renderDesired } from "./fixtures.ts";

for (const fixture of goldenFixtures()) {
  const next = renderDesired(readSnapshot(fixture.snapshotPath));
  const previous = existsSync(fixture.desiredPath) ? readFileSync(fixture.desiredPath, "utf8") : undefined;
  if (previous === next) {
    console.log(`unchanged  ${fixture.desiredPath}`);
    continue;
  }
  writeFileSync(fixture.desiredPath, next);
  console.log(`${previous === undefined ? "created" : "updated"}    ${fixture.desiredPath}`);
}
