/**
 * @module
 * `/ui/explain/:subject/:query`: `explain` as a page. A name's records with the owners behind
 * each, a VIP's backends and names, a task's or app's every artifact (`explain-task.tsx`), or
 * "not found" with the closest matches as links. Every object on it links to its own
 * explanation, so an operator can walk from a name to its VIP to the task behind it.
 */
import { RowsLeft, firstRows } from "../paging.tsx";
import type { Explanation, NameExplanation, NotFound, Owner, VipExplanation } from "../../../../functions/explain/schema.ts";
import { vipText } from "../../../../functions/explain/explain-vip.ts";
import { recordDataText } from "../../../../functions/explain/record-text.ts";
import { explainHref, pageHref } from "../links.ts";
import { PageFrame, type PageContext } from "../page-context.tsx";
import { BackendsTable, Diagnostics, Table, joined } from "../components.tsx";
import { AppExplained, TaskExplained } from "./explain-task.tsx";

/**
 * @example c.html(<ExplainPage page={page} explanation={page.operator.explain("task", id)} subject="task" query={id} />)
 */
export function ExplainPage(props: { page: PageContext; explanation: Explanation; subject: string; query: string }) {
  const { page, explanation } = props;
  return (
    <PageFrame page={page} title={`Explain ${props.subject} ${props.query}`} active="explain">
      <div id="content">
        <Body page={page} explanation={explanation} />
      </div>
    </PageFrame>
  );
}

function Body(props: { page: PageContext; explanation: Explanation }) {
  const { page, explanation: e } = props;
  switch (e.kind) {
    case "name":
      return <NameExplained page={page} e={e} />;
    case "vip":
      return <VipExplained page={page} e={e} />;
    case "task":
      return <TaskExplained page={page} e={e} />;
    case "app":
      return <AppExplained page={page} e={e} />;
    case "not-found":
      return <NotFoundExplained page={page} e={e} />;
  }
}

function NotFoundExplained(props: { page: PageContext; e: NotFound }) {
  const { e } = props;
  return (
    <div class="panel">
      <h3>
        <span class="badge err">not found</span> {e.message}
      </h3>
      {e.closest.length === 0 ? (
        <p class="muted">Nothing close to it either.</p>
      ) : (
        <p>
          Did you mean:{" "}
          {joined(
            e.closest.map((c) => (
              <a class="mono" href={explainHref(props.page.cluster, e.subject, c)}>
                {c}
              </a>
            )),
          )}
        </p>
      )}
    </div>
  );
}

function NameExplained(props: { page: PageContext; e: NameExplanation }) {
  const { page, e } = props;
  const { rows, left } = firstRows(e.records);
  return (
    <>
      <p class="lead">
        <span class="mono">{e.name}</span> in zone {e.zone} · <a href={pageHref("dns", page.cluster, { name: e.name, zone: e.zone })}>ask the DNS server</a>
      </p>
      <div class="panel">
        <Table columns={["type", ["TTL", "num"], "data", "from"]}>
            {rows.map((r) => (
              <tr>
                <td>{r.type}</td>
                <td class="num">{r.ttl}</td>
                <td class="mono">{recordDataText(r.data)}</td>
                <td>{joined(r.owners.map((o) => <OwnerLink page={page} owner={o} />))}</td>
              </tr>
            ))}
          </Table>
        <RowsLeft left={left} noun="records" />
      </div>
      <Diagnostics page={page} diagnostics={e.diagnostics} />
    </>
  );
}

function VipExplained(props: { page: PageContext; e: VipExplanation }) {
  const { page, e } = props;
  return (
    <>
      {e.services.map((s) => (
        <div class="panel">
          <h3>
            <span class="mono">{vipText(s.vip)}</span> {s.name === undefined ? <span class="badge muted">IP VIP</span> : <b>{s.name}</b>} <span class="muted">scheduler {s.scheduler}</span>
          </h3>
          <dl class="facts-list">
            <dt>names</dt>
            <dd>
              {s.dnsNames.length === 0
                ? "none (an IP VIP has no name)"
                : joined(
                    s.dnsNames.map((n) => (
                      <a class="mono" href={explainHref(page.cluster, "name", n)}>
                        {n}
                      </a>
                    )),
                  )}
            </dd>
            <dt>programmed by</dt>
            <dd>
              every agent ({s.nodes.agents}) · <a href={pageHref("nodes", page.cluster, { state: "lagging" })}>nodes not yet on this generation</a>
              {s.nodes.localOn.length === 0 ? null : <span class="muted"> · its own backend reached at the container address on {s.nodes.localOn.join(", ")}</span>}
            </dd>
          </dl>
          <BackendsTable page={page} backends={s.backends} />
        </div>
      ))}
      <Diagnostics page={page} diagnostics={e.diagnostics} />
    </>
  );
}

/** Who put something in, linked to its explanation where it has one. */
export function OwnerLink(props: { page: PageContext; owner: Owner }) {
  const { owner } = props;
  const cluster = props.page.cluster;
  const href =
    owner.kind === "task" || owner.kind === "vip"
      ? explainHref(cluster, owner.kind, owner.id)
      : owner.kind === "agent"
        ? pageHref("nodes", cluster, { q: owner.id })
        : undefined;
  const text = `${owner.kind} ${owner.id}`;
  return href === undefined ? <span class="mono">{text}</span> : <a class="mono" href={href}>{text}</a>;
}
