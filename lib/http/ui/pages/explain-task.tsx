/**
 * @module
 * A task's and an app's explanation as page sections: per artifact (DNS, VIPs, HAProxy,
 * overlay) what was produced, or the reasons nothing was, each reason with its diagnostic code
 * when it is one; then the network policy's decisions (`explain-policy.tsx`).
 */
import type { Child } from "hono/jsx";
import type { AppExplanation, Reason, TaskExplanation } from "../../../../functions/explain/schema.ts";
import { vipText } from "../../../../functions/explain/explain-vip.ts";
import { recordDataText } from "../../../../functions/explain/record-text.ts";
import { addressForPort } from "../../../net/ip-literal.ts";
import { explainHref, pageHref } from "../links.ts";
import type { PageContext } from "../page-context.tsx";
import { Diagnostics, LevelBadge, Table } from "../components.tsx";
import { PolicyExplained } from "./explain-policy.tsx";

/**
 * @example <TaskExplained page={page} e={explainTask(context, "web.1")} />
 */
export function TaskExplained(props: { page: PageContext; e: TaskExplanation }) {
  const { page, e } = props;
  const t = e.task;
  const cluster = page.cluster;
  return (
    <>
      <div class="panel">
        <dl class="facts-list">
          <dt>state</dt>
          <dd>
            {t.state ?? "not in the Mesos state"} {t.healthy === undefined ? null : t.healthy ? <span class="badge ok">healthy</span> : <span class="badge err">unhealthy</span>}
          </dd>
          <dt>agent</dt>
          <dd class="mono">{t.agentId === undefined ? "" : <a href={pageHref("nodes", cluster, { q: t.agentId })}>{`${t.agentId}${t.agentHostname === undefined ? "" : ` (${t.agentHostname})`}`}</a>}</dd>
          <dt>framework</dt>
          <dd>{t.frameworkName ?? t.frameworkId ?? ""}</dd>
          <dt>app</dt>
          <dd>{t.appId === undefined ? <span class="muted">none (not a Marathon task)</span> : <a href={explainHref(cluster, "app", t.appId)}>{t.appId}</a>}</dd>
          <dt>addresses</dt>
          <dd class="mono">{t.addresses.join(", ") || "none"}</dd>
        </dl>
      </div>
      <Section title={`DNS: ${e.dns.records.length} records`} reasons={e.dns.reasons} empty={e.dns.records.length === 0}>
        <table>
          <tbody>
            {e.dns.records.map((r) => (
              <tr>
                <td class="mono">
                  <a href={explainHref(cluster, "name", r.name)}>{r.name}</a>
                </td>
                <td>{r.type}</td>
                <td class="mono">{recordDataText(r.data)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={`VIPs: ${e.vips.memberships.length}`} reasons={e.vips.reasons} empty={e.vips.memberships.length === 0}>
        <table>
          <tbody>
            {e.vips.memberships.map((m) => (
              <tr>
                <td class="mono">
                  <a href={explainHref(cluster, "vip", vipText(m.vip))}>{vipText(m.vip)}</a>
                </td>
                <td>{m.name ?? ""}</td>
                <td class="mono">
                  backend {addressForPort(m.backend.ip)}:{m.backend.port}
                </td>
                <td>weight {m.backend.weight}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={`HAProxy servers: ${e.haproxy.servers.length}`} reasons={e.haproxy.reasons} empty={e.haproxy.servers.length === 0}>
        <table>
          <tbody>
            {e.haproxy.servers.map((s) => (
              <tr>
                <td>
                  <a href={pageHref("haproxy", cluster, { group: s.group, q: s.backend })}>group {s.group}</a>
                </td>
                <td class="mono">
                  backend {s.backend} server {s.server}
                </td>
                <td class="mono">
                  {addressForPort(s.ip)}:{s.port}
                </td>
                <td>{s.draining ? <span class="badge warn">draining</span> : <span class="badge ok">enabled</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={`Overlay addresses: ${e.overlay.addresses.length}`} reasons={e.overlay.reasons} empty={e.overlay.addresses.length === 0}>
        <table>
          <tbody>
            {e.overlay.addresses.map((a) => (
              <tr>
                <td class="mono">{a.address}</td>
                <td>
                  <a href={pageHref("overlay", cluster, { overlay: a.overlay })}>overlay {a.overlay}</a> <span class="muted">{a.space}</span>
                </td>
                <td>{a.routed ? <span class="badge ok">routed via {a.slice}</span> : <span class="badge err">not routed: its agent holds {a.slice ?? "no slice"}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <PolicyExplained page={page} policy={e.policy} party={t.id} app={t.appId} path={explainHref(undefined, "task", t.id)} />
      <Diagnostics page={page} diagnostics={e.diagnostics} />
    </>
  );
}

/**
 * @example <AppExplained page={page} e={explainApp(context, "/web")} />
 */
export function AppExplained(props: { page: PageContext; e: AppExplanation }) {
  const { page, e } = props;
  const labels = Object.entries(e.app.labels);
  return (
    <>
      <div class="panel">
        <dl class="facts-list">
          <dt>tasks</dt>
          <dd>
            {e.app.tasks}
            {e.app.instances === undefined ? "" : ` (${e.app.instances} instances asked)`}
          </dd>
          <dt>labels</dt>
          <dd class="mono">{labels.length === 0 ? <span class="muted">none that steer wayfinder</span> : labels.map(([k, v]) => <div>{`${k}=${v}`}</div>)}</dd>
        </dl>
      </div>
      <Section title={`HAProxy services: ${e.haproxy.services.length}`} reasons={e.haproxy.reasons} empty={e.haproxy.services.length === 0}>
        <table>
          <tbody>
            {e.haproxy.services.map((s) => (
              <tr>
                <td>
                  <a href={pageHref("haproxy", page.cluster, { group: s.group, q: s.backend })}>group {s.group}</a>
                </td>
                <td class="mono">
                  {s.backend} :{s.servicePort}
                </td>
                <td>
                  <span class="badge info">{s.mode}</span> {s.vhosts.join(", ")}
                </td>
                <td>
                  {s.servers} of {s.size} servers
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <PolicyExplained page={page} policy={e.policy} party={e.app.id} app={e.app.id} path={explainHref(undefined, "app", e.app.id)} />
      <h2>Tasks{e.tasks.length < e.app.tasks ? ` (first ${e.tasks.length} of ${e.app.tasks})` : ""}</h2>
      <div class="panel">
        <Table columns={["task", "state", ["names", "num"], ["VIPs", "num"], ["servers", "num"], ["overlay", "num"], "reasons"]}>
            {e.tasks.map((t) => (
              <tr>
                <td class="mono">
                  <a href={explainHref(page.cluster, "task", t.id)}>{t.id}</a>
                </td>
                <td>{t.state ?? ""}</td>
                <td class="num">{t.dnsNames}</td>
                <td class="num">{t.vips}</td>
                <td class="num">{t.haproxyServers}</td>
                <td class="num">{t.overlayAddresses}</td>
                <td>
                  <Reasons reasons={t.reasons} />
                </td>
              </tr>
            ))}
          </Table>
      </div>
      <Diagnostics page={page} diagnostics={e.diagnostics} />
    </>
  );
}

function Section(props: { title: string; reasons: readonly Reason[]; empty: boolean; children?: Child }) {
  return (
    <>
      <h2>{props.title}</h2>
      <div class="panel">
        {props.empty ? null : props.children}
        {props.reasons.length === 0 ? null : (
          <>
            <p class="muted">{props.empty ? "None, because:" : "Notes:"}</p>
            <Reasons reasons={props.reasons} />
          </>
        )}
        {props.empty && props.reasons.length === 0 ? <p class="muted">None.</p> : null}
      </div>
    </>
  );
}

function Reasons(props: { reasons: readonly Reason[] }) {
  if (props.reasons.length === 0) return null;
  return (
    <ul class="reasons">
      {props.reasons.map((r) => (
        <li>
          {r.code === undefined ? null : <LevelBadge level={r.level ?? "info"} text={r.code} />} {r.message}
        </li>
      ))}
    </ul>
  );
}
