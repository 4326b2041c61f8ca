/**
 * @module
 * The CLI's real stdout and stderr. A reader that goes away (`wayfinder plan --json | head`) is
 * a normal end, as it is for cat(1), which SIGPIPE ends quietly: what is still written is
 * dropped and the command finishes with its own exit code, without a stack trace. Node ignores
 * SIGPIPE, so a closed pipe arrives as an `EPIPE` error event on the stream, which would
 * otherwise be unhandled and end the process with exit code 1 (for `diff`, "they differ").
 */
import type { CliIo } from "./io.ts";

let shared: CliIo | undefined;

/**
 * The process's streams, guarded once per process.
 * @example await main(process.argv.slice(2), processIo())
 */
export function processIo(): CliIo {
  shared ??= { stdout: pipeSafeWriter(process.stdout), stderr: pipeSafeWriter(process.stderr), cwd: process.cwd() };
  return shared;
}

/**
 * A write function for `stream` that stops writing, quietly, once the reader has closed it.
 * Any other write error is left as fatal as it was.
 * @example const write = pipeSafeWriter(process.stdout); write("one line\n");
 */
export function pipeSafeWriter(stream: NodeJS.WritableStream): (text: string) => void {
  let closed = false;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}
