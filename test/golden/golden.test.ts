import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { goldenFixtures, readSnapshot, renderDesired } from "./fixtures.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { seededRandom } from "../support/seeded-random.ts";

const fixtures = goldenFixtures();

describe("golden desired states", () => {
  it("has fixtures to check", () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))("%s matches its checked-in desired.json", (_name, fixture) => {
    const expected = readFileSync(fixture.desiredPath, "utf8");
    expect(renderDesired(readSnapshot(fixture.snapshotPath))).toBe(expected);
  });
});

function shuffled<T>(list: readonly T[], random: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("determinism", () => {
  it.each(fixtures.map((f) => [f.name, f] as const))("%s gives the same bytes with its input arrays shuffled", (_name, fixture) => {
    const snapshot = readSnapshot(fixture.snapshotPath);
    const expected = renderDesired(snapshot);
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed);
      const reordered = ClusterSnapshot.parse({
        ...snapshot,
        agents: shuffled(snapshot.agents, random),
        frameworks: shuffled(snapshot.frameworks, random),
        tasks: shuffled(snapshot.tasks, random).map((t) => ({ ...t, statuses: shuffled(t.statuses, random) })),
        marathonApps: shuffled(snapshot.marathonApps, random).map((a) => ({
          ...a,
          ...(a.tasks ? { tasks: shuffled(a.tasks, random) } : {}),
        })),
      });
      expect(renderDesired(reordered), `seed ${seed}`).toBe(expected);
    }
  });

  it("does not mutate its input", () => {
    for (const fixture of fixtures) {
      const snapshot = readSnapshot(fixture.snapshotPath);
      const before = JSON.stringify(snapshot);
      renderDesired(Object.freeze(snapshot));
      expect(JSON.stringify(snapshot)).toBe(before);
    }
  });
});
