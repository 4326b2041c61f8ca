/**
 * @module
 * Marathon `/v2/apps?embed=apps.tasks` → the snapshot's `marathonApps`. Marathon writes `null`
 * for an absent member; those are dropped first, recursively, as marathon-lb's `cleanup_json`
 * did, so the rest of wayfinder never sees a `null`. Apps keep Marathon's order, which is
 * stable, and pass through untouched apart from that. Pure.
 */
import { z } from "zod";
import { MarathonApp } from "../marathon.ts";
import { InputError, jsonPath } from "../issues.ts";

export interface MarathonAppsOptions {
  /** Names the document in error messages (a file name or URL). */
  source: string;
}

/**
 * Accepts the `/v2/apps` list (`{ apps: [...] }`), one `/v2/apps/<id>` answer (`{ app: {...} }`),
 * a bare app definition or an array of apps. A document of none of these shapes, or an app that
 * fails the schema, throws an `InputError` whose paths point into the document (`apps[1].id`).
 * @example fromMarathonApps({ apps: [{ id: "/web", cmd: null }] }, { source: "apps.json" }) // [{ id: "/web" }]
 */
export function fromMarathonApps(document: unknown, options: MarathonAppsOptions): MarathonApp[] {
  const cleaned = withoutNulls(document);
  const { apps, prefix } = appList(cleaned, options.source);
  const result = z.array(MarathonApp).safeParse(apps);
  if (!result.success) {
    throw new InputError(
      options.source,
      result.error.issues.map((issue) => ({ path: jsonPath([...prefix(issue.path[0] as number), ...issue.path.slice(1)]), message: issue.message })),
    );
  }
  return result.data;
}

/**
 * Drops `null` object members at any depth; `null` array elements stay (they are errors then).
 * @example withoutNulls({ a: null, b: [{ c: null }, null] }) // { b: [{}, null] }
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== null) out[key] = withoutNulls(member);
  return out;
}

type PathPrefix = (index: number) => PropertyKey[];

function appList(document: unknown, source: string): { apps: unknown[]; prefix: PathPrefix } {
  if (Array.isArray(document)) return { apps: document, prefix: (i) => [i] };
  if (isObject(document)) {
    if (Array.isArray(document.apps)) return { apps: document.apps, prefix: (i) => ["apps", i] };
    if (isObject(document.app)) return { apps: [document.app], prefix: () => ["app"] };
    if ("id" in document) return { apps: [document], prefix: () => [] };
  }
  throw new InputError(source, [
    { path: "apps", message: "expected Marathon /v2/apps output ({\"apps\": [...]}), one app ({\"app\": {...}}) or an app definition" },
  ]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
