/**
 * @module
 * `/ui/vips`: each VIP with its address, DNS name and backends (weight, health, the task and
 * agent behind each), searched by name or address and a page at a time. Every VIP, name and
 * task links to its explanation.
 */
import { explainedVip, vipText } from "../../../../functions/explain/explain-vip.ts";
import { explainHref } from "../links.ts";
import { BackendsTable, joined } from "../components.tsx";
import { Pager, paginate } from "../paging.tsx";
import { PageFrame, type PageContext } from "../page-context.tsx";

const VIPS_PER_PAGE = 25;

/**
 * @example c.html(<VipsPage page={page} />)
 */
export function VipsPage(props: { page: PageContext }) {
  const { page } = props;
  const q = page.query("q")?.toLowerCase();
  const services = page.desired.l4lb.services.filter((s) => q === undefined || vipText(s.vip).includes(q) || (s.name ?? "").toLowerCase().includes(q));
  const slice = paginate(services, page.query("page"), VIPS_PER_PAGE);
  const context = page.operator.context;
  return (
    <PageFrame page={page} title="Virtual IPs" active="vips">
      <form class="filters" action="/ui/vips" method="get" data-filter>
        <input type="hidden" name="cluster" value={page.cluster} />
        <input type="search" name="q" value={q ?? ""} placeholder="VIP name or address..." aria-label="filter VIPs" />
      </form>
      <div id="content">
        <p class="lead">Every agent programs every VIP (nftables or IPVS); a backend with weight 0 keeps its connections but gets no new ones.</p>
        {slice.items.map((service) => {
          const vip = explainedVip(context, service);
          const serving = vip.backends.filter((b) => !b.draining).length;
          return (
            <div class="panel">
              <h3>
                <a class="mono" href={explainHref(page.cluster, "vip", vipText(vip.vip))}>
                  {vipText(vip.vip)}
                </a>{" "}
                {vip.name === undefined ? <span class="badge muted">IP VIP</span> : <b>{vip.name}</b>}{" "}
                {joined(
                  vip.dnsNames.map((name) => (
                    <a class="mono" href={explainHref(page.cluster, "name", name)}>
                      {name}
                    </a>
                  )),
                )}{" "}
                <span class={`badge ${serving === vip.backends.length ? "ok" : serving === 0 ? "err" : "warn"}`}>
                  {serving}/{vip.backends.length} serving
                </span>{" "}
                <span class="muted">scheduler {vip.scheduler}</span>
              </h3>
              <BackendsTable page={page} backends={vip.backends} />
            </div>
          );
        })}
        <Pager slice={slice} page="vips" cluster={page.cluster} params={{ q }} noun="VIPs" />
      </div>
    </PageFrame>
  );
}
