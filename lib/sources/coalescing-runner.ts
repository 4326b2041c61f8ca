/**
 * @module
 * Runs one task at a time and collapses requests that arrive while it runs into one more run
 * (what marathon-lb did with its "pending reset" flag): a burst of 50 Marathon events during a
 * deployment costs two syncs, not 50, and none is lost, since the run after the burst starts
 * after the last request. No debounce window is added: the first event is acted on at once.
 */

/**
 * @example
 * const runner = new CoalescingRunner(() => syncOnce());
 * runner.request(); runner.request(); // one run now, one more after it
 * await runner.idle();
 */
export class CoalescingRunner {
  readonly #task: () => Promise<void>;
  #running: Promise<void> | undefined;
  #pending = false;

  /** `task` must not throw; a rejection is swallowed so the runner keeps going. */
  constructor(task: () => Promise<void>) {
    this.#task = task;
  }

  /** Asks for a run: now if idle, else once more after the current one. */
  request(): void {
    if (this.#running !== undefined) {
      this.#pending = true;
      return;
    }
    this.#running = this.#loop();
  }

  /** Resolves when no run is in progress or pending. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #loop(): Promise<void> {
    try {
      do {
        this.#pending = false;
        await this.#task().catch(() => {});
      } while (this.#pending);
    } finally {
      this.#running = undefined;
    }
  }
}
