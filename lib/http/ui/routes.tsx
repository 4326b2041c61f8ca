/**
 * @module
 * The dashboard at `/ui/`, served by the same Hono app on Node and Workers. Server-rendered
 * pages (hono/jsx) that work without JavaScript; one script file follows the store live and
 * filters as the operator types. Open: the two asset files and the login. Everything else
 * needs the token when one is configured (the session cookie or the bearer header); a browser
 * without it is sent to the login page, with the way back.
 */
import { Hono, type Context } from "hono";
import { ExplainSubject } from "../../../functions/explain/schema.ts";
import { parseProtocolPort } from "../../desired/policy-ports.ts";
import type { ClusterStates } from "../cluster-states.ts";
import { nodeRows } from "../node-convergence.ts";
import { assetRoutes } from "./assets/routes.ts";
import { clusterEvents } from "./events.ts";
import { explainHref, pageHref, type UiPage } from "./links.ts";
import { loginRoutes } from "./login.tsx";
import { pageContext, type PageContext } from "./page-context.tsx";
import { DiagnosticsPage } from "./pages/diagnostics.tsx";
import { DnsPage } from "./pages/dns.tsx";
import { ExplainPage } from "./pages/explain.tsx";
import { HaproxyPage } from "./pages/haproxy.tsx";
import { NodesPage } from "./pages/nodes.tsx";
import { OverlayPage } from "./pages/overlay.tsx";
import { PolicyPage } from "./pages/policy.tsx";
import { SummaryPage } from "./pages/summary.tsx";
import { VipsPage } from "./pages/vips.tsx";
import { uiAuthorized } from "./session.ts";

export interface UiOptions {
  /** The store's live side; absent on the Workers entry, where each cluster is its own object. */
  states?: ClusterStates | undefined;
  token?: string | undefined;
}

/**
 * Mounted at the root: its paths are whole (`/ui/`, `/ui/dns`, ...), because a sub-app's
 * `/` would be `/ui` and the dashboard's home is `/ui/`.
 * @example app.route("/", uiRoutes({ states, token }))
 */
export function uiRoutes(options: UiOptions): Hono {
  const { states, token } = options;
  const routes = new Hono();
  routes.route("/ui/assets", assetRoutes());
  routes.route("/ui", loginRoutes(token));
  routes.get("/ui", (c) => c.redirect(`/ui/${new URL(c.req.url).search}`, 301));
  routes.use("/ui/*", async function dashboardAuth(c, next) {
    if (uiAuthorized(c.req.raw.headers, token)) return next();
    if (c.req.path === "/ui/events") return c.json({ error: "log in first (/ui/login)" }, 401);
    const url = new URL(c.req.url);
    return c.redirect(`/ui/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  });

  const loggedIn = token !== undefined;
  const page = (active: UiPage, render: (c: Context, page: PageContext) => Promise<Response> | Response) => async (c: Context) => {
    const context = await pageContext(c, states, active, loggedIn);
    return context instanceof Response ? context : render(c, context);
  };
  const rows = async (p: PageContext) => nodeRows(p.state, await p.states.nodeStatuses(p.cluster), p.states.now());

  routes.get("/ui/", page("", async (c, p) => c.html(<SummaryPage page={p} rows={await rows(p)} />)));
  routes.get("/ui/dns", page("dns", (c, p) => c.html(<DnsPage page={p} />)));
  routes.get("/ui/vips", page("vips", (c, p) => c.html(<VipsPage page={p} />)));
  routes.get("/ui/haproxy", page("haproxy", (c, p) => c.html(<HaproxyPage page={p} />)));
  routes.get("/ui/overlay", page("overlay", (c, p) => c.html(<OverlayPage page={p} />)));
  routes.get("/ui/nodes", page("nodes", async (c, p) => c.html(<NodesPage page={p} rows={await rows(p)} />)));
  routes.get("/ui/policy", page("policy", (c, p) => c.html(<PolicyPage page={p} />)));
  routes.get("/ui/diagnostics", page("diagnostics", (c, p) => c.html(<DiagnosticsPage page={p} />)));
  // The header's explain box submits here; the answer has a URL of its own to share.
  routes.get("/ui/explain", (c) => {
    const subject = ExplainSubject.safeParse(c.req.query("subject"));
    const query = c.req.query("q")?.trim() ?? "";
    const cluster = c.req.query("cluster") || undefined;
    if (!subject.success || query === "") return c.redirect(pageHref("", cluster), 303);
    return c.redirect(explainHref(cluster, subject.data, query), 303);
  });
  routes.get(
    "/ui/explain/:subject/:query{.+}",
    page("explain", (c, p) => {
      const subject = ExplainSubject.safeParse(c.req.param("subject"));
      if (!subject.success) return c.json({ error: `'${c.req.param("subject")}' is not something to explain (one of ${ExplainSubject.options.join(", ")})` }, 400);
      const query = c.req.param("query") ?? "";
      const ports = (c.req.queries("port") ?? []).map((text) => [text, parseProtocolPort(text.trim())] as const);
      const bad = ports.find(([, port]) => port === undefined);
      if (bad !== undefined) return c.json({ error: `port must be PROTO/PORT (tcp, udp or sctp; 1-65535), e.g. tcp/5432 (got '${bad[0]}')` }, 400);
      const asked = ports.map(([, port]) => port!);
      const explanation = p.operator.explain(subject.data, query, asked.length === 0 ? {} : { ports: asked });
      return c.html(<ExplainPage page={p} explanation={explanation} subject={subject.data} query={query} />, explanation.kind === "not-found" ? 404 : 200);
    }),
  );
  routes.get("/ui/events", async (c) => {
    const cluster = c.req.query("cluster");
    if (states === undefined || cluster === undefined || (await states.current(cluster)) === undefined) {
      return c.json({ error: `no snapshot stored for cluster '${cluster ?? ""}'` }, 404);
    }
    return clusterEvents(c, states, cluster);
  });
  return routes;
}
