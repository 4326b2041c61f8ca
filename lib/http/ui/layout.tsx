/**
 * @module
 * The frame of every dashboard page: the top bar (pages, the explain box, the live marker,
 * log out), the cluster's facts line, and the page's title and content. Only files of this
 * origin are linked (stylesheet and script), and every value is written through hono/jsx,
 * which escapes text and attributes.
 */
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import { joined } from "./components.tsx";
import { pageHref, type UiPage } from "./links.ts";

/** The cluster a page shows, as the facts line prints it. */
export interface ClusterFacts {
  name: string;
  generation: number;
  hash: string;
  storedAt: string;
}

export interface LayoutProps {
  title: string;
  active: UiPage;
  cluster?: ClusterFacts | undefined;
  /** Every stored cluster, for the switcher (shown when there are several). */
  clusters?: readonly string[] | undefined;
  /** A token is configured: offer to log out. */
  loggedIn?: boolean | undefined;
  children?: Child;
}

const NAV: ReadonlyArray<[UiPage, string]> = [
  ["", "Summary"],
  ["dns", "DNS"],
  ["vips", "VIPs"],
  ["haproxy", "HAProxy"],
  ["overlay", "Overlay"],
  ["nodes", "Nodes"],
  ["policy", "Policy"],
  ["diagnostics", "Diagnostics"],
];

/**
 * @example c.html(<Layout title="VIPs" active="vips" cluster={facts}>...</Layout>)
 */
export function Layout(props: LayoutProps) {
  const name = props.cluster?.name;
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <DocumentHead title={`${props.title}${name === undefined ? "" : ` · ${name}`} · wayfinder`} script />
        <body data-events={name === undefined ? undefined : `/ui/events?cluster=${encodeURIComponent(name)}`}>
          <header class="top">
            <a class="brand" href={pageHref("", name)}>
              wayfinder
            </a>
            <nav>
              {NAV.map(([page, label]) => (
                <a href={pageHref(page, name)} class={page === props.active ? "active" : undefined}>
                  {label}
                </a>
              ))}
            </nav>
            <span class="spacer"></span>
            <form action="/ui/explain" method="get">
              {name === undefined ? null : <input type="hidden" name="cluster" value={name} />}
              <select name="subject" aria-label="what to explain">
                <option value="name">name</option>
                <option value="vip">VIP</option>
                <option value="task">task</option>
                <option value="app">app</option>
              </select>
              <input type="search" name="q" placeholder="explain a name, VIP, task or app" aria-label="explain" />
            </form>
            {name === undefined ? null : (
              <span id="live" class="live">
                live
              </span>
            )}
            {props.loggedIn ? (
              <form action="/ui/logout" method="post">
                <button type="submit">Log out</button>
              </form>
            ) : null}
          </header>
          <ClusterLine cluster={props.cluster} clusters={props.clusters} active={props.active} />
          <main>
            <h1>{props.title}</h1>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/**
 * The head of every dashboard document: this origin's stylesheet, and its script when the
 * page has one.
 * @example <DocumentHead title="Log in · wayfinder" />
 */
export function DocumentHead(props: { title: string; script?: boolean }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{props.title}</title>
      <link rel="stylesheet" href="/ui/assets/dashboard.css" />
      {props.script ? <script src="/ui/assets/dashboard.js" defer></script> : null}
    </head>
  );
}

function ClusterLine(props: { cluster: ClusterFacts | undefined; clusters: readonly string[] | undefined; active: UiPage }) {
  const { cluster, clusters } = props;
  if (cluster === undefined) return <div id="cluster-facts" class="facts"></div>;
  const others = (clusters ?? []).filter((c) => c !== cluster.name);
  return (
    <div id="cluster-facts" class="facts">
      <span>
        cluster <b>{cluster.name}</b>
      </span>
      <span>
        generation <b>{cluster.generation}</b>
      </span>
      <span>
        desired <b class="mono">{cluster.hash.slice(0, 16)}</b>
      </span>
      <span>stored {cluster.storedAt}</span>
      {others.length > 0 ? (
        <span>
          other clusters: {joined(others.map((other) => <a href={pageHref(props.active, other)}>{other}</a>))}
        </span>
      ) : null}
    </div>
  );
}
