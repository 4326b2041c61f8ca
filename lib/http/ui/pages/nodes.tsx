/**
 * @module
 * `/ui/nodes`: which node runs what. Per node the hash and generation it applied against its
 * current view, each applier's result (and error), when it last synced and reported, filtered
 * by state and a page at a time. Live: a node's report changes the page as it arrives.
 */
import type { ApplierStatus } from "../../../store/node-status.ts";
import type { NodeRow } from "../../node-convergence.ts";
import { Pager, paginate } from "../paging.tsx";
import { Select, Table } from "../components.tsx";
import { PageFrame, type PageContext } from "../page-context.tsx";

const NODES_PER_PAGE = 50;
const STATES = ["all", "lagging", "failing", "silent", "converged"] as const;
type NodeFilter = (typeof STATES)[number];

/**
 * @example c.html(<NodesPage page={page} rows={nodeRows(state, statuses, now)} />)
 */
export function NodesPage(props: { page: PageContext; rows: readonly NodeRow[] }) {
  const { page, rows } = props;
  const stateText = page.query("state") ?? "all";
  const filter: NodeFilter = (STATES as readonly string[]).includes(stateText) ? (stateText as NodeFilter) : "all";
  const q = page.query("q")?.toLowerCase();
  const shown = rows.filter((r) => matches(r, filter) && (q === undefined || r.agentId.toLowerCase().includes(q) || r.hostname.toLowerCase().includes(q)));
  const slice = paginate(shown, page.query("page"), NODES_PER_PAGE);
  const converged = rows.filter((r) => r.converged).length;
  return (
    <PageFrame page={page} title="Nodes" active="nodes">
      <form class="filters" action="/ui/nodes" method="get" data-filter>
        <input type="hidden" name="cluster" value={page.cluster} />
        <Select name="state" label="state" values={STATES} selected={filter} />
        <input type="search" name="q" value={q ?? ""} placeholder="agent id or hostname..." aria-label="filter nodes" />
      </form>
      <div id="content">
        <p class="lead">
          <b>
            {converged} of {rows.length}
          </b>{" "}
          nodes run their current view; {count(rows.filter((r) => r.failing.length > 0).length, "has", "have")} a failing applier; {count(rows.filter((r) => r.silent).length, "is", "are")} silent (no report for 3 minutes, or never).
        </p>
        <div class="panel">
          <Table columns={["node", "state", "applied", "appliers", "last sync", ["sync", "num"], ["syncs / failed", "num"]]}>
              {slice.items.map((row) => (
                <Row row={row} />
              ))}
            </Table>
        </div>
        <Pager slice={slice} page="nodes" cluster={page.cluster} params={{ state: filter === "all" ? undefined : filter, q }} noun="nodes" />
      </div>
    </PageFrame>
  );
}

/** `1 has`, `2 have`. */
function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function matches(row: NodeRow, filter: NodeFilter): boolean {
  switch (filter) {
    case "all":
      return true;
    case "lagging":
      return !row.converged;
    case "failing":
      return row.failing.length > 0;
    case "silent":
      return row.silent;
    case "converged":
      return row.converged;
  }
}

function Row(props: { row: NodeRow }) {
  const { row } = props;
  const status = row.status;
  const badge = row.converged ? <span class="badge ok">converged</span> : status === undefined ? <span class="badge muted">never reported</span> : <span class="badge warn">behind</span>;
  return (
    <tr>
      <td>
        <div class="mono">{row.agentId}</div>
        <div class="muted">{row.hostname}</div>
      </td>
      <td>
        {badge} {row.silent && status !== undefined ? <span class="badge err">silent</span> : null}
      </td>
      <td class="mono">
        {status?.appliedHash === null || status === undefined ? <span class="muted">nothing yet</span> : status.appliedHash.slice(0, 12)}
        {status?.appliedGeneration === null || status === undefined ? null : <span class="muted"> gen {status.appliedGeneration}</span>}
        {row.converged || status === undefined ? null : <div class="muted">view {row.viewHash.slice(0, 12)}</div>}
      </td>
      <td>
        {(status?.appliers ?? []).map((a) => (
          <Applier applier={a} />
        ))}
      </td>
      <td>
        {status === undefined ? null : (
          <>
            <div>{status.syncedAt}</div>
            <div class="muted">reported {status.receivedAt}</div>
          </>
        )}
      </td>
      <td class="num">{status === undefined ? "" : `${status.durationMs} ms`}</td>
      <td class="num">{status === undefined ? "" : `${status.counters.syncs} / ${status.counters.failures}`}</td>
    </tr>
  );
}

function Applier(props: { applier: ApplierStatus }) {
  const a = props.applier;
  const cls = a.result === "failed" ? "err" : a.result === "held" ? "warn" : a.result === "applied" ? "info" : "ok";
  const changed = a.adds + a.changes + a.deletes;
  const detail = a.result === "applied" ? ` +${a.adds} ~${a.changes} -${a.deletes}` : "";
  return (
    <div>
      <span class={`badge ${cls}`} title={a.error}>
        {a.name} {a.result}
        {changed > 0 ? detail : ""}
      </span>
      {a.error === undefined ? null : (
        <span class="error-text">
          {" "}
          {a.stage === undefined ? "" : `${a.stage}: `}
          {a.error}
        </span>
      )}
    </div>
  );
}
