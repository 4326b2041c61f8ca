/**
 * @module
 * The network policy's part of a task's or an app's explanation page: its quarantine, then
 * who may reach it and what it may reach, one row per port and decision, each decision linked
 * to the rule (or network, app, default) that made it, each peer to its own page, and each row
 * to the connection's explanation on `/ui/policy`. Other ports are asked by name (`?port=`).
 */
import type { PolicyDecisionGroup, SubjectPolicy } from "../../../../functions/explain/schema.ts";
import { LevelBadge, PartyLink, Table, joined } from "../components.tsx";
import { decisionHref, pageHref } from "../links.ts";
import type { PageContext } from "../page-context.tsx";

/**
 * `party` is how the policy names the subject: its task id or app id; `app` the app whose
 * column of the matrix to open; `path` the page's own path, which the port form asks again.
 * @example <PolicyExplained page={page} policy={e.policy} party="/shop/web" app="/shop/web" path="/ui/explain/app/%2Fshop%2Fweb" />
 */
export function PolicyExplained(props: { page: PageContext; policy: SubjectPolicy; party: string; app: string | undefined; path: string }) {
  const { page, policy, party } = props;
  const cluster = page.cluster;
  if (!policy.configured) {
    return (
      <>
        <h2>Network policy</h2>
        <div class="panel">
          <p class="muted">
            No policy is configured: every connection is open (<a href={pageHref("policy", cluster)}>policy</a>).
          </p>
        </div>
      </>
    );
  }
  const portText = (p: { protocol: string; port: number }) => `${p.protocol}/${p.port}`;
  const askHref = (port: string) => `${props.path}?${new URLSearchParams({ cluster, port })}#policy`;
  return (
    <>
      <h2 id="policy">
        Network policy <span class="muted">· on {policy.ports.map(portText).join(", ") || "no port"}</span>
      </h2>
      <div class="panel">
        {policy.reasons.length === 0 ? null : (
          <ul class="reasons">
            {policy.reasons.map((r) => (
              <li>
                {r.code === undefined ? null : <LevelBadge level={r.level ?? "info"} text={r.code} />} {r.message}
              </li>
            ))}
          </ul>
        )}
        <form class="filters inline" action={props.path} method="get">
          <input type="hidden" name="cluster" value={cluster} />
          <input type="text" name="port" placeholder="tcp/5432" aria-label="ask on a port" class="port" required />
          <button type="submit">Ask on a port</button>
          {policy.portsLeftOut.length === 0 ? null : (
            <span class="muted">
              not asked: {joined(policy.portsLeftOut.map((p) => <a href={askHref(portText(p))}>{portText(p)}</a>))}
            </span>
          )}
          <span class="muted">·</span>
          <a href={`${pageHref("policy", cluster, { dst: props.app })}#matrix`}>open the matrix</a>
        </form>
        <div class="split">
          <div>
            <h3>May reach it</h3>
            <Decisions page={page} groups={policy.inbound} explainHref={(peer, port) => explainConnection(cluster, peer, party, port)} />
          </div>
          <div>
            <h3>It may reach</h3>
            <Decisions page={page} groups={policy.outbound} explainHref={(peer, port) => explainConnection(cluster, party, peer, port)} />
          </div>
        </div>
      </div>
    </>
  );
}

function explainConnection(cluster: string, from: string, to: string, port: string): string {
  return `${pageHref("policy", cluster, { from, to, port })}#explain`;
}

function Decisions(props: { page: PageContext; groups: readonly PolicyDecisionGroup[]; explainHref: (peer: string, port: string) => string }) {
  const { page } = props;
  if (props.groups.length === 0) return <p class="muted">Nothing is reached on these ports.</p>;
  return (
    <Table columns={["port", "verdict", "decided by", "peers"]}>
      {props.groups.map((g, i) => {
        const port = `${g.protocol}/${g.port}`;
        const previous = props.groups[i - 1];
        const samePort = previous !== undefined && previous.port === g.port && previous.protocol === g.protocol;
        const by = decisionHref(page.cluster, g.by);
        return (
          <tr class={samePort || i === 0 ? undefined : "port-start"}>
            <td class="mono">{samePort ? "" : port}</td>
            <td>
              <a href={props.explainHref(g.peers[0]!, port)} title="explain this connection">
                <span class={`badge ${g.verdict === "allow" ? "ok" : g.verdict === "deny" ? "err" : "warn"}`}>{g.verdict}</span>
              </a>
            </td>
            <td class="nowrap">
              {by === undefined ? <span class="mono">{g.by}</span> : <a class="mono" href={by}>{g.by}</a>}
              {/* The tier, where the name does not already say it (a rule's name does not). */}
              {g.by.startsWith(g.tier) || g.by.startsWith(`${g.tier}:`) ? null : <span class="muted"> {g.tier}</span>}
            </td>
            <td>
              {joined(g.peers.map((peer) => <PartyLink page={page} party={peer} />))}
              {g.total > g.peers.length ? <span class="muted"> and {g.total - g.peers.length} more</span> : null}
            </td>
          </tr>
        );
      })}
    </Table>
  );
}
