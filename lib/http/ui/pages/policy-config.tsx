/**
 * @module
 * What `/ui/policy`'s answers are made of, as the operator wrote it: the admin rules in the
 * order they are tried (searched by name, a page at a time), the networks with their isolation
 * and attach ACLs, the apps with policy labels, and the tasks an attach ACL quarantined. Each
 * row has an anchor the answers' "decided by" links point at.
 */
import type { PortSpec } from "../../../desired/policy-ports.ts";
import { compareStrings } from "../../../net/compare.ts";
import type { AttachEntry, IpBlock, Selector } from "../../../snapshot/policy-config.ts";
import { LevelBadge, Table, joined } from "../components.tsx";
import { explainHref, pageHref, subjectLink } from "../links.ts";
import { Pager, paginate } from "../paging.tsx";
import type { PageContext } from "../page-context.tsx";
import type { PolicyParams } from "./policy.tsx";

const RULES_PER_PAGE = 25;
const POLICY_LABEL = /^WAYFINDER_POLICY_/i;

/**
 * @example <PolicyConfigSections page={page} params={params} />
 */
export function PolicyConfigSections(props: { page: PageContext; params: PolicyParams }) {
  const { page, params } = props;
  const config = page.config.policy;
  if (config === undefined) return null;
  const cluster = page.cluster;
  const rq = params.rq?.toLowerCase();
  const ordered = [...config.rules].sort((a, b) => a.priority - b.priority || compareStrings(a.name, b.name));
  const rules = paginate(
    ordered.filter((r) => rq === undefined || r.name.includes(rq)),
    params.rpage,
    RULES_PER_PAGE,
  );
  const tiers = page.desired.policy?.apps ?? [];
  const quarantined = page.desired.diagnostics.filter((d) => d.code === "policy.attach-denied");
  return (
    <>
      <h2 id="rules">Admin rules</h2>
      <div class="panel">
        <Table columns={[["priority", "num"], "name", "action", "from", "to", "ports", "log"]}>
          {rules.items.map((rule) => (
            <tr id={`rule-${rule.name}`}>
              <td class="num">{rule.priority}</td>
              <td class="mono">
                <b>{rule.name}</b>
              </td>
              <td>
                <ActionBadge action={rule.action} />
              </td>
              <td>
                <SelectorText page={page} selector={rule.from} />
              </td>
              <td>
                <SelectorText page={page} selector={rule.to} />
              </td>
              <td class="mono">{portsText(rule.ports)}</td>
              <td>{rule.log ? "yes" : ""}</td>
            </tr>
          ))}
        </Table>
        <p id="default" class="muted">
          After every tier: the default, <ActionBadge action={config.default} />.
        </p>
      </div>
      <Pager slice={rules} page="policy" cluster={cluster} params={params} noun="rules" param="rpage" hash="rules" />

      <h2>Networks</h2>
      <div class="panel">
        <Table columns={["network", "isolation", "allowed in from", "attach ACL (first match wins; none matches: allow)"]}>
          {Object.entries(config.networks)
            .sort(([a], [b]) => compareStrings(a, b))
            .map(([name, network]) => (
              <tr id={`network-${name}`}>
                <td class="mono">
                  <b>{name}</b>
                </td>
                <td>{network.isolation === "isolated" ? <span class="badge warn">isolated</span> : <span class="badge muted">open</span>}</td>
                <td class="mono">{network.isolation === "isolated" ? network.allowFrom.join(", ") || "no other network" : ""}</td>
                <td class="mono">
                  {network.attach.map((entry, i) => (
                    <div>
                      [{i}] <ActionBadge action={entry.action} /> {attachText(entry)}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
        </Table>
      </div>

      <h2>Apps with policy labels</h2>
      <div class="panel">
        {tiers.length === 0 ? (
          <p class="muted">No app carries a WAYFINDER_POLICY_ALLOW_FROM label.</p>
        ) : (
          <Table columns={["app", "labels (who may reach it, on which ports)"]}>
            {tiers.map((tier) => {
              const labels = Object.entries(page.operator.context.apps.get(tier.appId)?.labels ?? {}).filter(([key]) => POLICY_LABEL.test(key));
              return (
                <tr>
                  <td class="mono">
                    <a href={explainHref(cluster, "app", tier.appId)}>{tier.appId}</a>
                  </td>
                  <td class="mono">
                    {labels.map(([key, value]) => (
                      <div>{`${key}=${value}`}</div>
                    ))}
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
      </div>

      <h2 id="quarantine">Quarantined tasks</h2>
      <div class="panel">
        {quarantined.length === 0 ? (
          <p class="muted">No task is quarantined: every attach ACL admits every task on its network.</p>
        ) : (
          <Table columns={["task", "why"]}>
            {quarantined.slice(0, RULES_PER_PAGE).map((d) => (
              <tr>
                <td class="mono">
                  <a href={subjectLink(cluster, d.subject) ?? pageHref("diagnostics", cluster, { q: d.subject })}>{d.subject.replace(/^task:/, "")}</a>
                </td>
                <td>
                  <LevelBadge level={d.level} text={d.code} /> {d.message}
                </td>
              </tr>
            ))}
          </Table>
        )}
        {quarantined.length > RULES_PER_PAGE ? (
          <p class="muted">
            and <a href={pageHref("diagnostics", cluster, { code: "policy.attach-denied" })}>{quarantined.length - RULES_PER_PAGE} more</a>
          </p>
        ) : null}
      </div>
    </>
  );
}

function ActionBadge(props: { action: "allow" | "deny" | "pass" }) {
  return <span class={`badge ${props.action === "allow" ? "ok" : props.action === "deny" ? "err" : "info"}`}>{props.action}</span>;
}

/** A selector as written, its exact app ids linked to their explanations; absent: anyone. */
function SelectorText(props: { page: PageContext; selector: Selector | undefined }) {
  const s = props.selector;
  const parts = [
    s?.apps === undefined ? null : (
      <>
        apps{" "}
        {joined(s.apps.map((glob) => (/[*?]/.test(glob) ? <span class="mono">{glob}</span> : <a class="mono" href={explainHref(props.page.cluster, "app", glob)}>{glob}</a>)))}
      </>
    ),
    s?.networks === undefined ? null : <>networks {s.networks.map((n) => <a class="mono" href={`#network-${n}`}>{n} </a>)}</>,
    s?.labels === undefined ? null : <span class="mono">labels {Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(", ")}</span>,
    s?.roles === undefined ? null : <span class="mono">roles {s.roles.join(", ")}</span>,
    s?.ipBlocks === undefined ? null : <span class="mono">{s.ipBlocks.map(blockText).join(", ")}</span>,
  ].filter((part) => part !== null);
  return parts.length === 0 ? <span class="muted">anyone</span> : <>{parts.flatMap((part, i) => (i === 0 ? [part] : [<span class="muted"> and </span>, part]))}</>;
}

function blockText(block: IpBlock): string {
  return block.except.length === 0 ? block.cidr : `${block.cidr} except ${block.except.join(", ")}`;
}

function portsText(ports: readonly PortSpec[] | undefined): string {
  if (ports === undefined) return "all";
  return ports.map((p) => (p.port === undefined ? `${p.protocol} (all)` : `${p.protocol}/${p.port}${p.endPort === undefined ? "" : `-${p.endPort}`}`)).join(", ");
}

function attachText(entry: AttachEntry): string {
  const conditions = [
    entry.apps === undefined ? "" : `apps ${entry.apps.join(", ")}`,
    entry.roles === undefined ? "" : `roles ${entry.roles.join(", ")}`,
    entry.principals === undefined ? "" : `principals ${entry.principals.join(", ")}`,
    entry.frameworks === undefined ? "" : `frameworks ${entry.frameworks.join(", ")}`,
  ].filter((c) => c !== "");
  return conditions.length === 0 ? "every task" : conditions.join(" and ");
}
