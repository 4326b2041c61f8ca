/**
 * @module
 * Long-running commands (`serve`, `dns`) run until the operator or the init system stops them.
 */

/**
 * Resolves with the first of `signals` the process receives, then stops listening for them.
 * @example const signal = await nextSignal(["SIGINT", "SIGTERM"]); // then shut down gracefully
 */
export function nextSignal(signals: NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      resolve(signal);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}
