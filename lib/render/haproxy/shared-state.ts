/**
 * @module
 * What the services of one config share while it is rendered: which once-only map lines were
 * written, the domain and app maps, and the app ids that already have their :9091 route. A
 * service only appends to it, so one that fails halfway is taken back out in constant time.
 */

export type OnceLine = "http" | "https" | "appid";

export interface SharedState {
  readonly written: Set<OnceLine>;
  /** `host → backend` entries of the domain map, de-duplicated on the pair, in first-seen order. */
  readonly domainEntries: [string, string][];
  /** `host backend` of every entry, so de-duplication is not a scan (upstream's was quadratic). */
  readonly domainKeys: Set<string>;
  readonly appIdsSeen: Set<string>;
  /** `appId → backend` entries of the app map, in first-seen order. */
  readonly appEntries: [string, string][];
}

/**
 * @example emptySharedState().written.size // 0
 */
export function emptySharedState(): SharedState {
  return { written: new Set(), domainEntries: [], domainKeys: new Set(), appIdsSeen: new Set(), appEntries: [] };
}

/**
 * Adds `host → backend` to the domain map unless it is there.
 * @example addDomain(state, "web.test", "web_10000")
 */
export function addDomain(state: SharedState, host: string, backend: string): void {
  const key = `${host} ${backend}`;
  if (state.domainKeys.has(key)) return;
  state.domainKeys.add(key);
  state.domainEntries.push([host, backend]);
}

/**
 * Remembers the state before a service renders; the returned function puts it back.
 * @example const undo = checkpoint(state, "/web"); ...; undo();
 */
export function checkpoint(state: SharedState, appId: string): () => void {
  const written = new Set(state.written);
  const domainLength = state.domainEntries.length;
  const appLength = state.appEntries.length;
  const seen = state.appIdsSeen.has(appId);
  return () => {
    for (const kind of [...state.written]) if (!written.has(kind)) state.written.delete(kind);
    for (const [host, backend] of state.domainEntries.splice(domainLength)) state.domainKeys.delete(`${host} ${backend}`);
    state.appEntries.splice(appLength);
    if (!seen) state.appIdsSeen.delete(appId);
  };
}
