/**
 * @module
 * Checks for flag values the table's types do not cover (numbers of seconds, whole numbers in a
 * range): each returns the value or throws a usage error naming the flag and what it got.
 */
import { usageError } from "./flags.ts";
import { CliUsageError } from "./io.ts";

/**
 * A number of seconds; `positive` refuses 0 where zero would mean "never" by accident.
 * @example seconds("agent", "--timeout", "2.5") // 2.5
 */
export function seconds(command: string, flag: string, text: string, options: { positive?: boolean } = {}): number {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  const ok = options.positive ? value > 0 : value >= 0;
  if (!ok || !Number.isFinite(value)) {
    throw usageError(command, `${flag}: '${text}' is not a ${options.positive ? "positive " : ""}number of seconds`);
  }
  return value;
}

/**
 * A whole number from `min` to `max`.
 * @example wholeNumber("dns", "--workers", "2", 1, 64) // 2
 */
export function wholeNumber(command: string, flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw usageError(command, `${flag} must be a whole number from ${min} to ${max} (got '${text}')`);
  }
  return value;
}

/**
 * Runs a parser from another module whose errors are plain `Error`s, turning them into usage
 * errors of `command`.
 * @example checked("serve", () => parseListenAddress(text))
 */
export function checked<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    throw usageError(command, (error as Error).message);
  }
}
