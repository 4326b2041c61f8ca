/**
 * @module
 * Structured logs: one JSON object per line (`{"ts","level","msg",...fields}`), so journald,
 * Loki or any shipper can index the fields. The clock and the sink are passed in.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * @example
 * const log = jsonLogger({ write: (line) => process.stderr.write(line), level: "info" });
 * log.info("sync applied", { hash: "9f86d0", durationMs: 12 }); // {"ts":"...","level":"info","msg":"sync applied","hash":"9f86d0","durationMs":12}
 */
export function jsonLogger(options: { write: (line: string) => void; level?: LogLevel; now?: () => Date }): Logger {
  const min = ORDER[options.level ?? "info"];
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (ORDER[level] < min) return;
    // ts, level and msg first and not overridable by a field of the same name.
    options.write(`${JSON.stringify({ ...fields, ts: now().toISOString(), level, msg }, reorder)}\n`);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** JSON.stringify replacer that puts ts, level, msg first at the top level, and prints errors as their message. */
function reorder(this: unknown, key: string, value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (key === "" && value !== null && typeof value === "object") {
    const { ts, level, msg, ...rest } = value as Record<string, unknown>;
    return { ts, level, msg, ...rest };
  }
  return value;
}
