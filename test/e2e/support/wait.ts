/**
 * @module
 * Polling for something a real process does in its own time (a log line, a file, an answer).
 */

/**
 * Resolves with the first value `probe` returns other than undefined; rejects after
 * `timeoutMs` naming `what`, with `context()` (a process's output, say) for the failure message.
 * @example await waitFor("the zone file", async () => (await exists(path)) || undefined, 15_000, () => agent.output())
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, context: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
