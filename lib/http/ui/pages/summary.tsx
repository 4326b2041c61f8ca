/**
 * @module
 * `/ui/`: the cluster at a glance. What the snapshot holds, what the desired state makes of
 * it (zones, VIPs, HAProxy groups, overlay nodes, the network policy), how many nodes run it, and the diagnostics
 * by level, each linking to the page that lists them.
 */
import type { Child } from "hono/jsx";
import type { NodeRow } from "../../node-convergence.ts";
import { LevelBadge, Table } from "../components.tsx";
import { pageHref } from "../links.ts";
import { PageFrame, type PageContext } from "../page-context.tsx";

/**
 * @example c.html(<SummaryPage page={page} rows={rows} />)
 */
export function SummaryPage(props: { page: PageContext; rows: readonly NodeRow[] }) {
  const { page, rows } = props;
  // Counted from the stored objects and the generation's desired state: no page derives anything.
  const { objects } = page.state.stored.snapshot;
  const desired = page.desired;
  let running = 0;
  for (const task of objects.tasks.values()) if (task.state === "TASK_RUNNING") running++;
  const services = desired.l4lb.services;
  const backends = services.reduce((n, s) => n + s.backends.length, 0);
  const serving = services.reduce((n, s) => n + s.backends.filter((b) => b.weight > 0).length, 0);
  const slots = Object.values(desired.haproxy.allocations?.backends ?? {});
  const converged = rows.filter((r) => r.converged).length;
  const failing = new Set(rows.flatMap((r) => r.failing.map((a) => a.name)));
  const policy = desired.policy;
  const quarantined = desired.diagnostics.filter((d) => d.code === "policy.attach-denied").length;
  const levels = (["error", "warning", "info"] as const).map((level) => [level, desired.diagnostics.filter((d) => d.level === level).length] as const);
  const href = (p: Parameters<typeof pageHref>[0], params: Record<string, string> = {}) => pageHref(p, page.cluster, params);
  return (
    <PageFrame page={page} title={`Cluster ${page.cluster}`} active="">
      <div id="content">
        <div class="cards">
          <Card title="Nodes converged" href={href("nodes")}>
            <div class="metric">
              {converged} <small>of {rows.length}</small>
            </div>
            <p>
              {rows.filter((r) => r.silent).length} silent, {failing.size === 0 ? "no applier failing" : `failing: ${[...failing].join(", ")}`}
            </p>
          </Card>
          <Card title="Tasks">
            <div class="metric">
              {running} <small>running of {objects.tasks.size}</small>
            </div>
            <p>
              {objects.agents.size} agents, {objects.frameworks.size} frameworks, {objects.apps.size} Marathon apps
            </p>
          </Card>
          <Card title="DNS records" href={href("dns")}>
            <div class="metric">{desired.dns.zones.reduce((n, z) => n + z.records.length, 0)}</div>
            <p>
              {plural(desired.dns.zones.length, "zone")}
              {(desired.dns.aliases ?? []).length > 0 ? `, ${plural((desired.dns.aliases ?? []).length, "alias", "aliases")}` : ""}
            </p>
          </Card>
          <Card title="VIPs" href={href("vips")}>
            <div class="metric">{services.length}</div>
            <p>
              {serving} of {backends} backends serving
            </p>
          </Card>
          <Card title="HAProxy" href={href("haproxy")}>
            <div class="metric">
              {Object.keys(desired.haproxy.groups).length} <small>groups</small>
            </div>
            <p>
              {plural(slots.length, "backend")}, {plural(slots.reduce((n, b) => n + Object.keys(b.servers).length, 0), "server")}
            </p>
          </Card>
          <Card title="Overlay" href={href("overlay")}>
            <div class="metric">
              {Object.keys(desired.overlay.nodes).length} <small>nodes</small>
            </div>
            <p>{Object.keys(desired.overlay.allocations.overlays).join(", ") || "no overlay configured"}</p>
          </Card>
          <Card title="Network policy" href={href("policy")}>
            {policy === undefined ? (
              <>
                <div class="metric">open</div>
                <p>no policy configured</p>
              </>
            ) : (
              <>
                <div class="metric">
                  {policy.rules.length} <small>admin rules</small>
                </div>
                <p>
                  default {policy.default}, {plural(policy.networks.length, "isolated network")}, {plural(quarantined, "task")} quarantined
                </p>
              </>
            )}
          </Card>
          <Card title="Diagnostics" href={href("diagnostics")}>
            <div class="metric">{desired.diagnostics.length}</div>
            <p>
              {levels.map(([level, count], i) => (
                <>
                  {i > 0 ? " · " : ""}
                  <a href={href("diagnostics", { level })}>
                    <LevelBadge level={level} text={`${count} ${level}`} />
                  </a>
                </>
              ))}
            </p>
          </Card>
        </div>
        <h2>DNS zones</h2>
        <div class="panel">
          <Table columns={["zone", ["records", "num"], "TTL", "SOA primary"]}>
              {desired.dns.zones.map((zone) => (
                <tr>
                  <td>
                    <a href={href("dns", { zone: zone.origin })}>{zone.origin}</a>
                  </td>
                  <td class="num">{zone.records.length}</td>
                  <td>{zone.ttl}</td>
                  <td class="mono">{zone.soa.mname}</td>
                </tr>
              ))}
            </Table>
        </div>
      </div>
    </PageFrame>
  );
}

function Card(props: { title: string; href?: string; children?: Child }) {
  return (
    <div class="card">
      <h3>{props.href === undefined ? props.title : <a href={props.href}>{props.title}</a>}</h3>
      {props.children}
    </div>
  );
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
