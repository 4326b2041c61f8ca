/**
 * @module
 * One node's watch stream: an optional relist produced lazily as the client reads (so a
 * thousand agents relisting at once never hold a thousand views in memory), then the
 * generations pushed to it as they are committed. Frames are written whole, a generation's
 * lines and its commit together, so the stream is never left ending in the middle of a batch
 * by the server. A watcher that falls further behind than `maxQueuedBytes` is cut (its stream
 * errors): the client resumes from its last applied generation, and the server never holds
 * more than that bound for it.
 */
import { gzipOutput, rawOutput, type WatchOutput } from "./watch-output.ts";

/** Bytes of a watch stream given to the HTTP layer before the watcher waits for the client. */
const HIGH_WATER_BYTES = 64 * 1024;

/** A piece of a watch stream; `flush` ends a batch or a bookmark. */
export interface WatchFrame {
  chunks: Uint8Array[];
  flush: boolean;
}

export interface WatcherOptions {
  /** The agent id of the node watched. */
  node: string;
  gzip: boolean;
  /** Bytes the watcher may have waiting before it is cut. */
  maxQueuedBytes: number;
  /** Frames to send first (a relist), pulled as the client reads. */
  relist?: Iterator<WatchFrame>;
  /** Called once when the stream ends for any reason. */
  onClose: () => void;
}

/**
 * @example
 * const watcher = new Watcher({ node: "S1", gzip: false, maxQueuedBytes: 8 << 20, onClose });
 * watcher.send({ chunks: [lines, commit], flush: true });
 * return new Response(watcher.stream);
 */
export class Watcher {
  readonly node: string;
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #output!: WatchOutput;
  #relist: Iterator<WatchFrame> | undefined;
  /** Live frames that arrived while the relist was still being sent. */
  #waiting: WatchFrame[] = [];
  #waitingBytes = 0;
  #closed = false;
  readonly #maxQueued: number;
  readonly #onClose: () => void;

  constructor(options: WatcherOptions) {
    this.node = options.node;
    this.#relist = options.relist;
    this.#maxQueued = options.maxQueuedBytes;
    this.#onClose = options.onClose;
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
          this.#output = options.gzip ? gzipOutput(controller) : rawOutput(controller);
        },
        pull: () => this.#pull(),
        cancel: () => {
          this.#output.abort();
          this.#finish();
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_BYTES }),
    );
  }

  /** True while the relist is still being sent (bookmarks wait for its commit). */
  get relisting(): boolean {
    return this.#relist !== undefined;
  }

  /** Sends a live frame, after the relist when one is still under way. */
  send(frame: WatchFrame): void {
    if (this.#closed) return;
    if (this.#relist !== undefined) {
      this.#waiting.push(frame);
      this.#waitingBytes += frameBytes(frame);
    } else {
      void this.#output.write(frame.chunks, frame.flush);
    }
    if (this.#queuedBytes() > this.#maxQueued) this.cut(`more than ${this.#maxQueued} bytes waiting for a slow client`);
  }

  /** Ends the stream cleanly after what was sent. */
  end(): void {
    if (this.#closed) return;
    this.#output.end();
    this.#finish();
  }

  /** Breaks the stream off: the client sees an error, drops its unfinished batch and resumes. */
  cut(reason: string): void {
    if (this.#closed) return;
    this.#output.abort();
    this.#controller.error(new Error(`watch stream cut: ${reason}`));
    this.#finish();
  }

  /**
   * Writes relist frames until one produces output: a stream whose pull enqueues nothing is
   * not pulled again, and gzip takes in a frame without a word until a block fills.
   */
  async #pull(): Promise<void> {
    const produced = this.#output.produced;
    while (this.#relist !== undefined && !this.#closed && this.#output.produced === produced) {
      const next = this.#relist.next();
      if (next.done !== true) {
        await this.#output.write(next.value.chunks, next.value.flush);
        continue;
      }
      // The waiting frames are all handed over before anything else can run, so a frame sent
      // from now on (straight to the output) comes after them.
      this.#relist = undefined;
      const waiting = this.#waiting;
      this.#waiting = [];
      this.#waitingBytes = 0;
      await Promise.all(waiting.map((frame) => this.#output.write(frame.chunks, frame.flush)));
    }
  }

  #queuedBytes(): number {
    const queued = this.#controller.desiredSize === null ? 0 : HIGH_WATER_BYTES - this.#controller.desiredSize;
    return queued + this.#output.pendingBytes + this.#waitingBytes;
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#relist = undefined;
    this.#waiting = [];
    this.#onClose();
  }
}

function frameBytes(frame: WatchFrame): number {
  let bytes = 0;
  for (const chunk of frame.chunks) bytes += chunk.byteLength;
  return bytes;
}
