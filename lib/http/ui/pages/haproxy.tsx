/**
 * @module
 * `/ui/haproxy`: each LB group as HAProxy routes it: the shared frontends (:80/:443 by vhost,
 * the app-id frontend) with the vhosts and the backends they lead to, then every service's
 * own frontend → backend → app → servers, with the task that fills each server. Read from what
 * the reconciler reported rendering (never parsed back out of the config text), a group and a
 * page of services at a time.
 */
import type { HaproxyServiceFact } from "../../../desired/provenance.ts";
import { addressForPort } from "../../../net/ip-literal.ts";
import { explainHref } from "../links.ts";
import { Pager, RowsLeft, firstRows, paginate } from "../paging.tsx";
import { Select, Table } from "../components.tsx";
import { PageFrame, type PageContext } from "../page-context.tsx";

const SERVICES_PER_PAGE = 20;

/**
 * @example c.html(<HaproxyPage page={page} />)
 */
export function HaproxyPage(props: { page: PageContext }) {
  const { page } = props;
  const groups = Object.keys(page.desired.haproxy.groups);
  const group = groups.find((g) => g === page.query("group")) ?? groups[0];
  const q = page.query("q")?.toLowerCase();
  const config = page.config.haproxy;
  const rendered = page.operator.context.ledger
    .haproxyServices()
    .filter((r) => r.group === group)
    .map((r) => r.service);
  const matching = rendered.filter((s) => q === undefined || s.appId.toLowerCase().includes(q) || s.vhosts.some((v) => v.includes(q)) || s.backend.toLowerCase().includes(q));
  const slice = paginate(matching, page.query("page"), SERVICES_PER_PAGE);
  return (
    <PageFrame page={page} title="HAProxy" active="haproxy">
      <form class="filters" action="/ui/haproxy" method="get" data-filter>
        <input type="hidden" name="cluster" value={page.cluster} />
        <Select name="group" label="LB group" values={groups} selected={group} text={(g) => `group ${g}`} />
        <input type="search" name="q" value={q ?? ""} placeholder="app, vhost or backend..." aria-label="filter services" />
      </form>
      <div id="content">
        {group === undefined ? (
          <p class="muted">No LB group is configured (haproxy.groups).</p>
        ) : (
          <>
            <h2>Shared frontends of group {group}</h2>
            <div class="panel">
              <Table columns={["frontend", "routes", "to backend", "app"]}>
                  {config.bindHttpHttps
                    ? slice.items.filter((s) => s.vhosts.length > 0).flatMap((s) =>
                        s.vhosts.map((vhost) => (
                          <tr>
                            <td class="mono">
                              {addressForPort(config.bindAddress)}:{config.httpPort}, :{config.httpsPort}
                            </td>
                            <td class="mono">Host {vhost}</td>
                            <td class="mono">{s.backend}</td>
                            <td>
                              <a href={explainHref(page.cluster, "app", s.appId)}>{s.appId}</a>
                            </td>
                          </tr>
                        )),
                      )
                    : null}
                  {slice.items
                    .filter((s) => s.mode === "http")
                    .map((s) => (
                      <tr>
                        <td class="mono">
                          {addressForPort(config.bindAddress)}:{config.appIdPort}
                        </td>
                        <td class="mono">X-Marathon-App-Id {s.appId}</td>
                        <td class="mono">{s.backend}</td>
                        <td>
                          <a href={explainHref(page.cluster, "app", s.appId)}>{s.appId}</a>
                        </td>
                      </tr>
                    ))}
                </Table>
            </div>
            <h2>Services</h2>
            {slice.items.map((service) => (
              <Service page={page} service={service} />
            ))}
            <Pager slice={slice} page="haproxy" cluster={page.cluster} params={{ group, q }} noun="services" />
          </>
        )}
      </div>
    </PageFrame>
  );
}

function Service(props: { page: PageContext; service: HaproxyServiceFact }) {
  const { page, service } = props;
  const free = service.size - service.servers.length;
  const { rows, left } = firstRows(service.servers);
  return (
    <div class="panel">
      <h3>
        frontend <span class="mono">{service.backend}</span> on <span class="mono">{addressForPort(service.bindAddr)}:{service.servicePort}</span>{" "}
        <span class="badge info">{service.mode}</span> → backend <span class="mono">{service.backend}</span> of app{" "}
        <a href={explainHref(page.cluster, "app", service.appId)}>{service.appId}</a>
        {service.vhosts.length > 0 ? <span class="muted"> · vhosts {service.vhosts.join(", ")}</span> : null}
      </h3>
      <Table columns={["server", "address", "state", "task"]}>
          {rows.map((s) => (
            <tr>
              <td class="mono">{s.name}</td>
              <td class="mono">
                {addressForPort(s.ip)}:{s.port}
              </td>
              <td>{s.draining ? <span class="badge warn">draining</span> : <span class="badge ok">enabled</span>}</td>
              <td class="mono">
                <a href={explainHref(page.cluster, "task", s.taskId)}>{s.taskId}</a>
              </td>
            </tr>
          ))}
        </Table>
      <RowsLeft left={left} noun="servers" />
      {free > 0 ? (
        <p class="muted">
          {free} free server slot{free === 1 ? "" : "s"} (disabled), filled through the Runtime API when the app scales, without a reload
        </p>
      ) : null}
    </div>
  );
}
