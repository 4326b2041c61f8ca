/**
 * @module
 * The progress line an operator sees in a terminal during a long sync
 * (`syncing 9f86d081 [2/4] l4lb: apply (3.1 s)`), redrawn in place and only once a sync has
 * run for `afterMs`, so quick syncs never flicker. Log lines go through `write`, which lifts
 * the progress line out of the way and puts it back. Off a TTY it does nothing but write.
 */
import type { ApplyProgress } from "../executor/apply-desired.ts";

export interface ProgressLine {
  /** A sync of `hash` starts. */
  start(hash: string): void;
  /** An applier entered a stage. */
  update(progress: ApplyProgress): void;
  /** The sync ended: the line is erased. */
  done(): void;
  /** Writes a log line without tearing the progress line. */
  write(text: string): void;
}

/**
 * @example const progress = terminalProgress(process.stderr); log = jsonLogger({ write: progress.write });
 */
export function terminalProgress(stream: { isTTY?: boolean; write(text: string): unknown }, options: { afterMs?: number; now?: () => number } = {}): ProgressLine {
  const now = options.now ?? (() => Date.now());
  const afterMs = options.afterMs ?? 500;
  if (stream.isTTY !== true) {
    return { start() {}, update() {}, done() {}, write: (text) => void stream.write(text) };
  }
  let hash = "";
  let started = 0;
  let state = "";
  let shown = false;
  let timer: NodeJS.Timeout | undefined;
  const line = () => `syncing ${hash.slice(0, 8)}${state} (${((now() - started) / 1000).toFixed(1)} s)`;
  const draw = () => {
    stream.write(`\r\x1b[2K${line()}`);
    shown = true;
  };
  const erase = () => {
    if (shown) stream.write("\r\x1b[2K");
    shown = false;
  };
  return {
    start(h) {
      hash = h;
      started = now();
      state = "";
      clearInterval(timer);
      // Redrawn every 250 ms after the threshold, so the elapsed time keeps moving.
      timer = setInterval(() => {
        if (now() - started >= afterMs) draw();
      }, 250);
      timer.unref();
    },
    update(p) {
      state = ` [${p.index + 1}/${p.total}] ${p.applier}: ${p.stage}`;
      if (shown) draw();
    },
    done() {
      clearInterval(timer);
      timer = undefined;
      erase();
    },
    write(text) {
      const redraw = shown;
      erase();
      stream.write(text);
      if (redraw) draw();
    },
  };
}
