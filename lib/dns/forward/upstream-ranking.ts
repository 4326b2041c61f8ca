/**
 * @module
 * Which upstreams a forwarded query goes to. dcos-dns ranked upstreams by their failure count
 * since process start: it never decays, so an upstream that failed once during a network blip
 * is penalised forever, and a slow one is never noticed. Here both failures and latency are
 * remembered with exponential decay:
 * - failures count down with a half-life, and halve on each success; an upstream with two or
 *   more (decayed) failures is *down* and only gets a probe query now and then, riding along
 *   with a real one, until it answers again;
 * - latency is an exponentially weighted average of round trips, and its weight fades while
 *   an upstream is not measured, so one that was slow is tried again later (as the second of
 *   the two picks, where it cannot slow the client down) instead of being shunned forever.
 * Pure: the clock and the random source are parameters.
 */

/** What is remembered about one upstream. */
export interface UpstreamHealth {
  /** Failure score as of `failuresAt`. */
  failures: number;
  failuresAt: number;
  /** Average round trip in ms as of `latencyAt`; undefined until measured. */
  latencyMs: number | undefined;
  latencyAt: number;
  /** When a down upstream last got a probe. */
  probedAt: number;
}

export interface RankingPolicy {
  /** Half-life of the failure score, ms. */
  failureHalfLifeMs: number;
  /** Half-life of a latency measurement's weight, ms. */
  latencyHalfLifeMs: number;
  /** Decayed failures at which an upstream is down. */
  downAt: number;
  /** How often a down upstream gets a probe, ms. */
  probeIntervalMs: number;
  /** What one failure costs in the ranking, in ms of latency. */
  failurePenaltyMs: number;
  /** Weight of a new round trip in the latency average. */
  latencyWeight: number;
}

export const DEFAULT_RANKING: RankingPolicy = {
  failureHalfLifeMs: 10_000,
  latencyHalfLifeMs: 30_000,
  downAt: 2,
  probeIntervalMs: 1_000,
  failurePenaltyMs: 1_000,
  latencyWeight: 0.3,
};

/** Dual dispatch: each query goes to this many upstreams at once (dcos-dns: 2). */
export const FAN_OUT = 2;

/** @example newHealth() // { failures: 0, failuresAt: 0, latencyMs: undefined, latencyAt: 0, probedAt: -Infinity } */
export function newHealth(): UpstreamHealth {
  return { failures: 0, failuresAt: 0, latencyMs: undefined, latencyAt: 0, probedAt: Number.NEGATIVE_INFINITY };
}

/** @example decayedFailures({ ...h, failures: 4, failuresAt: 0 }, 10_000) // 2 with a 10 s half-life */
export function decayedFailures(health: UpstreamHealth, now: number, policy = DEFAULT_RANKING): number {
  return health.failures * halfLives(now - health.failuresAt, policy.failureHalfLifeMs);
}

/** The latency the ranking believes, fading toward 0 (worth re-measuring) while unmeasured. */
export function believedLatency(health: UpstreamHealth, now: number, policy = DEFAULT_RANKING): number {
  if (health.latencyMs === undefined) return 0;
  return health.latencyMs * halfLives(now - health.latencyAt, policy.latencyHalfLifeMs);
}

/** Lower is better. */
export function upstreamScore(health: UpstreamHealth, now: number, policy = DEFAULT_RANKING): number {
  return believedLatency(health, now, policy) + policy.failurePenaltyMs * decayedFailures(health, now, policy);
}

export function isDown(health: UpstreamHealth, now: number, policy = DEFAULT_RANKING): boolean {
  return decayedFailures(health, now, policy) >= policy.downAt;
}

/** A reply arrived after `rttMs`. */
export function recordSuccess(health: UpstreamHealth, rttMs: number, now: number, policy = DEFAULT_RANKING): UpstreamHealth {
  const previous = health.latencyMs === undefined ? rttMs : believedLatency(health, now, policy);
  return {
    ...health,
    failures: decayedFailures(health, now, policy) / 2,
    failuresAt: now,
    latencyMs: previous + policy.latencyWeight * (rttMs - previous),
    latencyAt: now,
  };
}

/** No usable reply (timeout, refused, closed). */
export function recordFailure(health: UpstreamHealth, now: number, policy = DEFAULT_RANKING): UpstreamHealth {
  return { ...health, failures: decayedFailures(health, now, policy) + 1, failuresAt: now };
}

/** Which upstreams to query, by index into the list given; `probe` is set when one of them is a probe of a down upstream. */
export interface UpstreamChoice {
  picks: number[];
  probe: number | undefined;
}

/**
 * Picks up to two upstreams: the best-ranked ones that are not down (ties broken at random,
 * so equal upstreams share the load); when fewer than two are up, a down one whose probe is
 * due comes along; when all are down and no probe is due, the least bad one is still asked,
 * so a query is never dropped without trying.
 * @example chooseUpstreams([h0, h1, h2], Date.now(), Math.random) // { picks: [2, 0], probe: undefined }
 */
export function chooseUpstreams(
  healths: readonly UpstreamHealth[],
  now: number,
  random: () => number,
  policy = DEFAULT_RANKING,
): UpstreamChoice {
  const ranked = healths
    .map((health, index) => ({ index, health, score: upstreamScore(health, now, policy), tie: random() }))
    .sort((a, b) => a.score - b.score || a.tie - b.tie);
  const picks = ranked.filter((u) => !isDown(u.health, now, policy)).slice(0, FAN_OUT).map((u) => u.index);
  let probe: number | undefined;
  if (picks.length < FAN_OUT) {
    probe = ranked.find((u) => isDown(u.health, now, policy) && now - u.health.probedAt >= policy.probeIntervalMs)?.index;
    if (probe !== undefined) picks.push(probe);
  }
  if (picks.length === 0 && ranked.length > 0) picks.push(ranked[0]!.index);
  return { picks, probe };
}

function halfLives(elapsedMs: number, halfLifeMs: number): number {
  return elapsedMs <= 0 ? 1 : 2 ** (-elapsedMs / halfLifeMs);
}
