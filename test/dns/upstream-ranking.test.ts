import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  believedLatency,
  chooseUpstreams,
  decayedFailures,
  DEFAULT_RANKING,
  isDown,
  newHealth,
  upstreamScore,
  recordFailure,
  recordSuccess,
  type UpstreamHealth,
} from "../../lib/dns/forward/upstream-ranking.ts";

const fixed = (value: number) => () => value;
const failed = (times: number, at: number): UpstreamHealth => Array.from({ length: times }).reduce<UpstreamHealth>((h) => recordFailure(h, at), newHealth());
const measured = (ms: number, at: number): UpstreamHealth => recordSuccess(newHealth(), ms, at);

describe("upstream ranking", () => {
  it("queries both of two healthy upstreams (dual dispatch)", () => {
    expect(chooseUpstreams([newHealth(), newHealth()], 0, Math.random).picks.sort()).toEqual([0, 1]);
  });

  it("picks the two fastest of three, so a slow upstream stops being asked", () => {
    const choice = chooseUpstreams([measured(5, 0), measured(400, 0), measured(8, 0)], 0, fixed(0.5));
    expect(choice.picks).toEqual([0, 2]);
  });

  it("spreads load over equal upstreams at random (dcos-net: 2 random of 3 with equal counts)", () => {
    const seen = new Set<string>();
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 50; i++) seen.add(chooseUpstreams([newHealth(), newHealth(), newHealth()], 0, random).picks.sort().join());
    expect(seen).toEqual(new Set(["0,1", "0,2", "1,2"]));
  });

  it("ranks by recent failures: a=0 b=3 c=3 gives a and one of b, c (dcos-net take_upstreams)", () => {
    const choice = chooseUpstreams([newHealth(), failed(1, 0), failed(1, 0)], 0, fixed(0.5));
    expect(choice.picks[0]).toBe(0);
    expect([1, 2]).toContain(choice.picks[1]);
  });

  it("takes a down upstream out of rotation, giving it only a probe every interval", () => {
    const dead = failed(3, 0);
    expect(isDown(dead, 0)).toBe(true);
    const healths = [measured(5, 0), dead];
    const first = chooseUpstreams(healths, 0, fixed(0.5));
    expect(first).toEqual({ picks: [0, 1], probe: 1 });
    const probed = { ...dead, probedAt: 0 };
    expect(chooseUpstreams([healths[0]!, probed], 500, fixed(0.5))).toEqual({ picks: [0], probe: undefined });
    expect(chooseUpstreams([healths[0]!, probed], DEFAULT_RANKING.probeIntervalMs, fixed(0.5)).probe).toBe(1);
  });

  it("brings an upstream back once it answers a probe", () => {
    const dead = failed(3, 0);
    expect(isDown(dead, 100)).toBe(true);
    expect(isDown(recordSuccess(dead, 3, 100), 100)).toBe(false);
  });

  it("forgives failures with time, unlike dcos-dns's counter that never decays", () => {
    const h = failed(4, 0);
    expect(decayedFailures(h, 0)).toBe(4);
    expect(decayedFailures(h, DEFAULT_RANKING.failureHalfLifeMs)).toBeCloseTo(2);
    expect(isDown(h, 3 * DEFAULT_RANKING.failureHalfLifeMs)).toBe(false);
  });

  it("lets an unmeasured slow upstream's latency fade, so it is measured again later", () => {
    const slow = measured(400, 0);
    expect(believedLatency(slow, 0)).toBe(400);
    expect(believedLatency(slow, 2 * DEFAULT_RANKING.latencyHalfLifeMs)).toBeCloseTo(100);
    const choice = chooseUpstreams([measured(20, 10 * DEFAULT_RANKING.latencyHalfLifeMs), slow, measured(30, 10 * DEFAULT_RANKING.latencyHalfLifeMs)], 10 * DEFAULT_RANKING.latencyHalfLifeMs, fixed(0.5));
    expect(choice.picks).toContain(1);
  });

  it("averages round trips", () => {
    const h = recordSuccess(measured(10, 0), 20, 0);
    expect(h.latencyMs).toBeCloseTo(10 + DEFAULT_RANKING.latencyWeight * 10);
  });

  it("still asks the least bad upstream when every one is down and no probe is due", () => {
    const a = { ...failed(5, 0), probedAt: 0 };
    const b = { ...failed(3, 0), probedAt: 0 };
    expect(chooseUpstreams([a, b], 10, fixed(0.5))).toEqual({ picks: [1], probe: undefined });
  });

  it("picks what ranking every upstream by a full sort picks (the one-pass selection is only faster)", () => {
    const health = fc.record({
      failures: fc.constantFrom(0, 0.5, 1, 2, 3, 5),
      failuresAt: fc.constantFrom(0, 5_000),
      latencyMs: fc.option(fc.constantFrom(0.1, 5, 5, 40, 400), { nil: undefined }),
      latencyAt: fc.constantFrom(0, 5_000),
      probedAt: fc.constantFrom(Number.NEGATIVE_INFINITY, 0, 9_500),
    });
    fc.assert(
      fc.property(fc.array(health, { maxLength: 6 }), fc.array(fc.constantFrom(0.1, 0.5, 0.9), { minLength: 6, maxLength: 6 }), (healths, tieValues) => {
        const now = 10_000;
        const ties = () => {
          let i = 0;
          return () => tieValues[i++ % tieValues.length]!;
        };
        expect(chooseUpstreams(healths, now, ties())).toEqual(chooseBySorting(healths, now, ties()));
      }),
    );
  });

  it("asks nobody when there is nobody", () => {
    expect(chooseUpstreams([], 0, Math.random)).toEqual({ picks: [], probe: undefined });
  });
});

/** The ranking written the obvious way: sort everything, then filter. */
function chooseBySorting(healths: readonly UpstreamHealth[], now: number, random: () => number) {
  const ranked = healths.map((health, index) => ({ index, health, score: upstreamScore(health, now), tie: random() })).sort((a, b) => a.score - b.score || a.tie - b.tie);
  const picks = ranked.filter((u) => !isDown(u.health, now)).slice(0, 2).map((u) => u.index);
  let probe: number | undefined;
  if (picks.length < 2) {
    probe = ranked.find((u) => isDown(u.health, now) && now - u.health.probedAt >= DEFAULT_RANKING.probeIntervalMs)?.index;
    if (probe !== undefined) picks.push(probe);
  }
  if (picks.length === 0 && ranked.length > 0) picks.push(ranked[0]!.index);
  return { picks, probe };
}
