/**
 * @module
 * Load from `wrk` while something else happens: runs wrk in short rounds until told to stop,
 * and adds up requests, non-2xx/3xx answers and socket errors over all rounds.
 */
import { execFile } from "node:child_process";

export interface WrkTotals {
  requests: number;
  non2xx3xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  rounds: number;
}

/**
 * Parses one wrk summary.
 * @example parseWrk("  1200 requests in 5.00s, ...\n  Socket errors: connect 0, read 1, write 0, timeout 0\n").requests // 1200
 */
export function parseWrk(output: string): Omit<WrkTotals, "rounds"> {
  const requests = /(\d+) requests in/.exec(output);
  if (requests === null) throw new Error(`not a wrk summary:\n${output}`);
  const non = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(requests[1]),
    non2xx3xx: Number(non?.[1] ?? 0),
    socketErrors: { connect: Number(socket?.[1] ?? 0), read: Number(socket?.[2] ?? 0), write: Number(socket?.[3] ?? 0), timeout: Number(socket?.[4] ?? 0) },
  };
}

/** Starts wrk rounds against `url`; `stop()` ends after the current round and returns the totals. */
export function loadWhile(url: string, headers: Record<string, string>, options: { connections?: number; roundSeconds?: number } = {}) {
  const totals: WrkTotals = { requests: 0, non2xx3xx: 0, socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 }, rounds: 0 };
  let stopping = false;
  const args = ["-t2", `-c${options.connections ?? 16}`, `-d${options.roundSeconds ?? 4}s`, ...Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]), url];
  const round = () =>
    new Promise<void>((resolve, reject) => {
      execFile("wrk", args, { timeout: 60_000 }, (error, stdout) => {
        if (error !== null) return reject(new Error(`wrk failed: ${error.message}\n${stdout}`));
        const r = parseWrk(stdout);
        totals.requests += r.requests;
        totals.non2xx3xx += r.non2xx3xx;
        for (const key of Object.keys(r.socketErrors) as (keyof WrkTotals["socketErrors"])[]) totals.socketErrors[key] += r.socketErrors[key];
        totals.rounds++;
        resolve();
      });
    });
  const running = (async () => {
    do await round();
    while (!stopping);
  })();
  return {
    totals,
    stop: async (): Promise<WrkTotals> => {
      stopping = true;
      await running;
      return totals;
    },
  };
}
