/**
 * @module
 * The CLI's contact with the outside world, passed to every command so tests can run commands
 * in-process and read what they printed.
 */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The working directory relative paths are resolved against. */
  cwd: string;
}

/** A usage or input error: printed as one line, exit code 2. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}
