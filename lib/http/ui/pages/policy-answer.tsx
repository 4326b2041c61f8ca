/**
 * @module
 * The answer to `/ui/policy`'s explain form: one connection's verdict, the tier and the rule
 * (or network, app, default) that decided it, and every pair of addresses judged, as
 * `wayfinder policy explain` prints them. An unknown side gets the closest names as links.
 */
import { closestMatches } from "../../../../functions/explain/closest.ts";
import type { Explanation } from "../../../../functions/policy/matrix.ts";
import { explanationSummary } from "../../../../functions/policy/questions.ts";
import { parseProtocolPort } from "../../../desired/policy-ports.ts";
import { PartyLink, Table, joined } from "../components.tsx";
import { decisionHref, pageHref } from "../links.ts";
import type { PageContext } from "../page-context.tsx";
import type { PolicyParams } from "./policy.tsx";

/** Pairs listed; an app of thousands of instances is summed up, not listed whole. */
const PAIRS_SHOWN = 50;

/**
 * Nothing until the form was sent; then the answer, or what was wrong with the question.
 * @example <PolicyAnswer page={page} params={{ from: "/shop/web", to: "/bank/db", port: "tcp/5432" }} />
 */
export function PolicyAnswer(props: { page: PageContext; params: PolicyParams }) {
  const { page, params } = props;
  const { from, to } = params;
  if (from === undefined && to === undefined && params.port === undefined) return null;
  const port = params.port === undefined ? undefined : parseProtocolPort(params.port);
  if (from === undefined || to === undefined || port === undefined) {
    return (
      <Panel>
        <h3>
          <span class="badge err">incomplete</span> explain needs from, to and a port as PROTO/PORT (tcp, udp or sctp; 1-65535), e.g. tcp/5432
          {params.port !== undefined && port === undefined ? ` (got '${params.port}')` : ""}
        </h3>
      </Panel>
    );
  }
  const answer = page.operator.policy.explain(from, to, port.protocol, port.port);
  if ("unknown" in answer) return <Unknown page={page} params={params} name={answer.unknown} />;
  return <Verdict page={page} answer={answer} />;
}

function Verdict(props: { page: PageContext; answer: Explanation }) {
  const { page, answer } = props;
  const summary = explanationSummary(answer);
  const cluster = page.cluster;
  const by = decisionHref(cluster, summary.by);
  const side = (name: string) => <PartyLink page={page} party={name} />;
  const open = answer.by[0] === "no-policy";
  return (
    <Panel>
      <h3 class="verdict">
        <span class={`badge big ${answer.verdict === "allow" ? "ok" : answer.verdict === "deny" ? "err" : "warn"}`}>{answer.verdict}</span> {side(answer.from)} → {side(answer.to)}{" "}
        <span class="mono">
          {answer.protocol}/{answer.port}
        </span>
      </h3>
      {open ? (
        <p>No policy is configured: every connection is open.</p>
      ) : answer.pairs.length === 0 ? (
        <p>No address of the destination takes {answer.protocol}/{answer.port} (a host-network app is reached on the ports it holds only).</p>
      ) : (
        <>
          <p>
            {summary.mixed ? "The address pairs disagree; the first denied pair was decided by " : "Decided by "}
            {by === undefined ? <b class="mono">{summary.by}</b> : <a class="mono rule" href={by}>{summary.by}</a>} <span class="badge info">{summary.tier} tier</span>{" "}
            <span class="muted">
              {answer.pairs.length} address {answer.pairs.length === 1 ? "pair" : "pairs"} judged
              {answer.by.length > 1 ? <>; all of: {joined(answer.by.map((name) => <span class="mono">{name}</span>))}</> : null}
            </span>
          </p>
          <Table columns={["from", "to", "verdict", "decided by", "tier"]}>
            {answer.pairs.slice(0, PAIRS_SHOWN).map((pair) => {
              const href = decisionHref(cluster, pair.by);
              return (
                <tr>
                  <td class="mono">{pair.from}</td>
                  <td class="mono">{pair.to}</td>
                  <td>
                    <span class={`badge ${pair.verdict === "allow" ? "ok" : "err"}`}>{pair.verdict}</span>
                  </td>
                  <td class="mono">{href === undefined ? pair.by : <a href={href}>{pair.by}</a>}</td>
                  <td>{pair.tier}</td>
                </tr>
              );
            })}
          </Table>
          {answer.pairs.length > PAIRS_SHOWN ? <p class="muted">and {answer.pairs.length - PAIRS_SHOWN} more pairs</p> : null}
        </>
      )}
    </Panel>
  );
}

function Unknown(props: { page: PageContext; params: PolicyParams; name: string }) {
  const { page, params, name } = props;
  const q = page.operator.policy;
  const candidates = [...q.apps(), ...q.nodes().map((n) => `node:${n}`), ...page.operator.context.taskIds()];
  const closest = closestMatches(name, candidates);
  const side = params.from === name ? "from" : "to";
  return (
    <Panel>
      <h3>
        <span class="badge err">not found</span> '{name}' is no app id, task id, agent id (node:ID) or IP of the cluster
      </h3>
      {closest.length === 0 ? null : (
        <p>
          Did you mean:{" "}
          {joined(
            closest.map((c) => (
              <a class="mono" href={`${pageHref("policy", page.cluster, { ...params, [side]: c })}#explain`}>
                {c}
              </a>
            )),
          )}
        </p>
      )}
    </Panel>
  );
}

function Panel(props: { children?: unknown }) {
  return (
    <div class="panel answer" id="explain">
      {props.children}
    </div>
  );
}
