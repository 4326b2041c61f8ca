/**
 * @module
 * How the long-running commands (`serve`, `dns`, `agent`, `source`) learn they must stop.
 */

/**
 * Resolves with the first of `signals` the process receives, then stops listening for them.
 * @example const signal = await nextSignal(); // "SIGTERM"
 */
export function nextSignal(signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      resolve(signal);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}
