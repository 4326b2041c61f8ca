/**
 * @module
 * Every dashboard URL is built here: the page, its cluster (`?cluster=`, which also lets the
 * Workers entry find the cluster's Durable Object), and the explain link of every kind of
 * object, so each object on each page links to its explanation the same way.
 */
import { vipText } from "../../../functions/explain/explain-vip.ts";
import type { ExplainSubject } from "../../../functions/explain/schema.ts";

export type UiPage = "" | "dns" | "vips" | "haproxy" | "overlay" | "nodes" | "diagnostics" | "policy" | "explain";

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

/**
 * Where what decided a connection is explained: a rule's row, an isolated network's, an app's
 * explanation (its tier), the default; nothing for the verdicts no configuration made
 * (`no-task`, `unprogrammed`, `no-policy`).
 * @example decisionHref("prod", "web-to-db") // "/ui/policy?cluster=prod&rq=web-to-db#rule-web-to-db"
 */
export function decisionHref(cluster: string | undefined, by: string): string | undefined {
  if (by.startsWith("app:")) return explainHref(cluster, "app", by.slice(4));
  if (by.startsWith("network:")) return `${pageHref("policy", cluster)}#network-${by.slice(8)}`;
  if (by === "default" || by === "quarantine") return `${pageHref("policy", cluster)}#${by}`;
  if (by === "no-task" || by === "unprogrammed" || by === "no-policy") return undefined;
  return `${pageHref("policy", cluster, { rq: by })}#rule-${by}`;
}

/**
 * A policy party's own page: an app's or task's explanation, a node's row; an IP has none.
 * @example partyHref("prod", "node:S1") // "/ui/nodes?cluster=prod&q=S1"
 */
export function partyHref(cluster: string | undefined, party: string): string | undefined {
  if (party.startsWith("/")) return explainHref(cluster, "app", party);
  if (party.startsWith("node:")) return pageHref("nodes", cluster, { q: party.slice(5) });
  if (party.startsWith("task:")) return explainHref(cluster, "task", party.slice(5));
  return undefined;
}
