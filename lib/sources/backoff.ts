/**
 * @module
 * Retry delays: exponential with "equal jitter" (half fixed, half random), so a fleet of agents
 * that lost the control plane at the same moment does not come back at the same moment.
 * marathon-lb waited `random() * wait` with `wait` ×1.5 per failure up to 300 s; a delay that
 * can be zero lets a crash-looping peer hammer the server, hence the fixed half.
 */

export interface BackoffOptions {
  /** First delay, in ms. Default 500. */
  initialMs?: number;
  /** Largest delay, in ms. Default 30 000. */
  maxMs?: number;
  /** Growth per consecutive failure. Default 2. */
  factor?: number;
  /** A number in [0, 1); injected so tests are deterministic. Default `Math.random`. */
  random?: () => number;
}

/**
 * Consecutive-failure counter that turns into delays.
 * @example
 * const backoff = new Backoff({ initialMs: 100, maxMs: 1000 });
 * backoff.next(); // 50..100
 * backoff.next(); // 100..200
 * backoff.reset();
 */
export class Backoff {
  readonly #opts: Required<BackoffOptions>;
  #failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.#opts = { initialMs: 500, maxMs: 30_000, factor: 2, random: Math.random, ...options };
    if (!(this.#opts.initialMs > 0) || !(this.#opts.maxMs >= this.#opts.initialMs) || !(this.#opts.factor >= 1)) {
      throw new RangeError("Backoff: need 0 < initialMs <= maxMs and factor >= 1");
    }
  }

  /** Consecutive failures since the last reset. */
  get failures(): number {
    return this.#failures;
  }

  /** Records a failure and returns how long to wait before the next try, in ms. */
  next(): number {
    const { initialMs, maxMs, factor, random } = this.#opts;
    const ceiling = Math.min(maxMs, initialMs * factor ** this.#failures);
    this.#failures++;
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  /** Records a success: the next failure starts from `initialMs` again. */
  reset(): void {
    this.#failures = 0;
  }
}

/**
 * Resolves after `ms`, or early (without throwing) when `signal` aborts.
 * @example await sleep(1000, controller.signal)
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
