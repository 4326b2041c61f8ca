/**
 * @module
 * Every dashboard URL is built here: the page, its cluster (`?cluster=`, which also lets the
 * Workers entry find the cluster's Durable Object), and the explain link of every kind of
 * object, so each object on each page links to its explanation the same way.
 */
import { vipText } from "../../../functions/explain/explain-vip.ts";
import type { ExplainSubject } from "../../../functions/explain/schema.ts";

export type UiPage = "" | "dns" | "vips" | "haproxy" | "overlay" | "nodes" | "diagnostics" | "explain";

/**
 * @example pageHref("vips", "prod", { q: "web", page: 2 }) // "/ui/vips?cluster=prod&q=web&page=2"
 */
export function pageHref(page: UiPage, cluster: string | undefined, params: Record<string, string | number | undefined> = {}): string {
  const search = new URLSearchParams();
  if (cluster !== undefined) search.set("cluster", cluster);
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "") search.set(key, String(value));
  const query = search.toString();
  return `/ui/${page}${query === "" ? "" : `?${query}`}`;
}

/**
 * The explanation page of one object; the query is one path segment, slashes encoded.
 * @example explainHref("prod", "app", "/shop/web") // "/ui/explain/app/%2Fshop%2Fweb?cluster=prod"
 */
export function explainHref(cluster: string | undefined, subject: ExplainSubject, query: string): string {
  const path = `/ui/explain/${subject}/${encodeURIComponent(query)}`;
  return cluster === undefined ? path : `${path}?cluster=${encodeURIComponent(cluster)}`;
}

/** The explain subject of a diagnostic's subject (`task:x`, `app:/y`, `vip:z`), if it has one. */
export function subjectLink(cluster: string | undefined, subject: string): string | undefined {
  const colon = subject.indexOf(":");
  const kind = subject.slice(0, colon);
  const id = subject.slice(colon + 1);
  if (kind === "task" || kind === "app") return explainHref(cluster, kind, id);
  if (kind === "vip") {
    // `vip:tcp:1.2.3.4:80` (an IP VIP) or `vip:web.marathon` (a named one).
    const ip = /^(tcp|udp):(.+):(\d+)$/.exec(id);
    return explainHref(cluster, "vip", ip === null ? id : vipText({ ip: ip[2]!, port: Number(ip[3]), protocol: ip[1] as "tcp" | "udp" }));
  }
  return undefined;
}
