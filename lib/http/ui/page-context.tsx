/**
 * @module
 * What every dashboard page starts from: the cluster it shows (`?cluster=`, else the only or
 * first stored one) at its current generation. A missing or unknown cluster is answered here,
 * once for all pages, with a page that says what to do.
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ClusterState, ClusterStates } from "../cluster-states.ts";
import type { OperatorView } from "../operator-view.ts";
import type { DesiredState } from "../../desired/schema.ts";
import type { Agent, ClusterSnapshot } from "../../snapshot/schema.ts";
import { compareStrings } from "../../net/compare.ts";
import { joined } from "./components.tsx";
import { Layout, type ClusterFacts } from "./layout.tsx";
import { pageHref, type UiPage } from "./links.ts";

export interface PageContext {
  cluster: string;
  state: ClusterState;
  /** The generation's desired state (assembled once per generation, shared with the API). */
  desired: DesiredState;
  /** The generation's explanations, policy answers and DNS answers (each built on first use per generation). */
  operator: OperatorView;
  /** The snapshot's config, without assembling the snapshot. */
  config: ClusterSnapshot["config"];
  /** The snapshot's agents, sorted by id, without assembling the snapshot. */
  agents(): Agent[];
  states: ClusterStates;
  clusters: readonly string[];
  facts: ClusterFacts;
  loggedIn: boolean;
  /** A query parameter, trimmed; undefined when absent or empty. */
  query(name: string): string | undefined;
}

/**
 * The page's cluster, or the response that says there is none to show.
 * @example const page = await pageContext(c, states, "vips", loggedIn); if (page instanceof Response) return page;
 */
export async function pageContext(c: Context, states: ClusterStates | undefined, active: UiPage, loggedIn: boolean): Promise<PageContext | Response> {
  const asked = c.req.query("cluster")?.trim() || undefined;
  if (states === undefined) return c.html(<ChooseCluster loggedIn={loggedIn} active={active} />, asked === undefined ? 200 : 404);
  const clusters = await states.clusters();
  const cluster = asked ?? clusters[0];
  const state = cluster === undefined ? undefined : await states.current(cluster);
  if (cluster === undefined || state === undefined) {
    const message =
      cluster === undefined ? (
        <p>No cluster is stored yet. A source stores one with <code>PUT /v1/clusters/NAME/snapshot</code> (<code>wayfinder source --put</code>).</p>
      ) : (
        <p>
          No snapshot is stored for cluster <b>{cluster}</b>.
          {clusters.length > 0 ? <> Stored: {joined(clusters.map((name) => <a href={pageHref(active, name)}>{name}</a>))}</> : null}
        </p>
      );
    return c.html(
      <Layout title="No cluster" active={active} loggedIn={loggedIn}>
        <div id="content">{message}</div>
      </Layout>,
      cluster === undefined ? 200 : 404,
    );
  }
  const desired = state.desired();
  return {
    cluster,
    state,
    desired,
    get operator() {
      return state.operator();
    },
    config: state.stored.snapshot.fields.config,
    agents: () => [...state.stored.snapshot.objects.agents.values()].sort((a, b) => compareStrings(a.id, b.id)),
    states,
    clusters,
    facts: { name: cluster, generation: state.stored.generation, hash: desired.hash, storedAt: state.stored.storedAt },
    loggedIn,
    query: (name) => c.req.query(name)?.trim() || undefined,
  };
}

/**
 * A page of the dashboard in its frame.
 * @example return c.html(<PageFrame page={page} title="VIPs" active="vips">...</PageFrame>)
 */
export function PageFrame(props: { page: PageContext; title: string; active: UiPage; children?: Child }) {
  const { page } = props;
  return (
    <Layout title={props.title} active={props.active} cluster={page.facts} clusters={page.clusters} loggedIn={page.loggedIn}>
      {props.children}
    </Layout>
  );
}

/** Workers: the entry cannot list the clusters (each is its own object), so it asks for one. */
function ChooseCluster(props: { loggedIn: boolean; active: UiPage }) {
  return (
    <Layout title="Choose a cluster" active={props.active} loggedIn={props.loggedIn}>
      <div id="content">
        <form class="filters" action={`/ui/${props.active}`} method="get">
          <input type="text" name="cluster" placeholder="cluster name" required aria-label="cluster name" />
          <button type="submit">Open</button>
        </form>
      </div>
    </Layout>
  );
}
