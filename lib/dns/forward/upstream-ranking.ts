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
  return healthOf(0, 0, undefined, 0, Number.NEGATIVE_INFINITY);
}

/** @example decayedFailures({ ...h, failures: 4, failuresAt: 0 }, 10_000) // 2 with a 10 s half-life */
export function decayedFailures(health: UpstreamHealth, now: number, policy = DEFAULT_RANKING): number {
  return health.failures === 0 ? 0 : health.failures * halfLives(now - health.failuresAt, policy.failureHalfLifeMs);
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
  return healthOf(decayedFailures(health, now, policy) / 2, now, previous + policy.latencyWeight * (rttMs - previous), now, health.probedAt);
}

/** No usable reply (timeout, refused, closed). */
export function recordFailure(health: UpstreamHealth, now: number, policy = DEFAULT_RANKING): UpstreamHealth {
  return healthOf(decayedFailures(health, now, policy) + 1, now, health.latencyMs, health.latencyAt, health.probedAt);
}

/** A down upstream was sent a probe at `now`. */
export function recordProbe(health: UpstreamHealth, now: number): UpstreamHealth {
  return healthOf(health.failures, health.failuresAt, health.latencyMs, health.latencyAt, now);
}

/**
 * Every health object is built here, fields in one order: they are made on every forwarded
 * reply, and a literal of one shape costs a few nanoseconds where `{ ...health, x }` cost ~180.
 */
function healthOf(failures: number, failuresAt: number, latencyMs: number | undefined, latencyAt: number, probedAt: number): UpstreamHealth {
  return { failures, failuresAt, latencyMs, latencyAt, probedAt };
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
  // Each upstream is scored once, and nothing is sorted: this runs on every forwarded query.
  const count = healths.length;
  const failures: number[] = [];
  const scores: number[] = [];
  const ties: number[] = [];
  for (let i = 0; i < count; i++) {
    failures.push(decayedFailures(healths[i]!, now, policy));
    scores.push(believedLatency(healths[i]!, now, policy) + policy.failurePenaltyMs * failures[i]!);
    ties.push(random());
  }
  const picks: number[] = [];
  let probe: number | undefined;
  let best: number | undefined;
  for (let i = 0; i < count; i++) {
    if (best === undefined || ranksBefore(i, best, scores, ties)) best = i;
    if (failures[i]! >= policy.downAt) {
      if (now - healths[i]!.probedAt >= policy.probeIntervalMs && (probe === undefined || ranksBefore(i, probe, scores, ties))) probe = i;
      continue;
    }
    // Insertion into the (at most FAN_OUT) best so far.
    let at = picks.length;
    while (at > 0 && ranksBefore(i, picks[at - 1]!, scores, ties)) at--;
    if (at >= FAN_OUT) continue;
    if (picks.length < FAN_OUT) picks.push(i);
    for (let j = picks.length - 1; j > at; j--) picks[j] = picks[j - 1]!;
    picks[at] = i;
  }
  if (picks.length < FAN_OUT && probe !== undefined) picks.push(probe);
  else probe = undefined;
  if (picks.length === 0 && best !== undefined) picks.push(best);
  return { picks, probe };
}

/** Ranked order: score, then the random tie-breaker, then list order. */
function ranksBefore(a: number, b: number, scores: readonly number[], ties: readonly number[]): boolean {
  if (scores[a] !== scores[b]) return scores[a]! < scores[b]!;
  if (ties[a] !== ties[b]) return ties[a]! < ties[b]!;
  return a < b;
}

/** 2^(-elapsed/halfLife), as `Math.exp` (several times faster than `**` in V8). */
function halfLives(elapsedMs: number, halfLifeMs: number): number {
  return elapsedMs <= 0 ? 1 : Math.exp((-elapsedMs * Math.LN2) / halfLifeMs);
}
