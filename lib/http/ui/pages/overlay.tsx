/**
 * @module
 * `/ui/overlay`: for each overlay network, a drawing of its nodes (VTEPs and slices), the same
 * nodes in a table, and the tasks whose addresses lie in it on those nodes, the DC/OS
 * Networking tab's "networks and their tasks". A dozen nodes a page.
 */
import { VTEP_PORT, VTEP_VNI } from "../../../desired/overlay-constants.ts";
import type { OverlayNode } from "../../../desired/overlay-schema.ts";
import { explainHref, pageHref } from "../links.ts";
import { Pager, paginate } from "../paging.tsx";
import { Select, Table } from "../components.tsx";
import { PageFrame, type PageContext } from "../page-context.tsx";
import { MAP_NODES, OverlayMap, type MapNode } from "./overlay-map.tsx";

/**
 * @example c.html(<OverlayPage page={page} />)
 */
export function OverlayPage(props: { page: PageContext }) {
  const { page } = props;
  const { overlay: section } = page.desired;
  const names = Object.keys(section.allocations.overlays);
  const name = names.find((n) => n === page.query("overlay")) ?? names[0];
  const space = name === undefined ? undefined : section.allocations.overlays[name];
  const hostnames = new Map(page.agents().map((a) => [a.id, a.hostname]));
  const members = Object.entries(section.nodes)
    .flatMap(([key, node]) => {
      const own = node.overlays.find((o) => o.name === name);
      return own === undefined ? [] : [{ key, node, own }];
    });
  const slice = paginate(members, page.query("page"), MAP_NODES);
  const onPage = new Set(slice.items.map((m) => m.key));
  const tasks = name === undefined ? [] : page.operator.context.overlayTasks(name).filter((t) => t.agentId !== undefined && onPage.has(t.agentId));
  const mapNodes = slice.items.map(({ key, node, own }): MapNode => ({
    key,
    title: node.role === "master" ? `master ${node.ip}` : (hostnames.get(key) ?? key),
    role: node.role,
    underlay: node.ip,
    vtep: vtepAddress(node),
    subnet: own.subnet,
    subnet6: own.subnet6,
    href: `#node-${cssId(key)}`,
  }));
  const detail = [space?.subnet, space?.subnet6, `VXLAN VNI ${VTEP_VNI} · UDP ${VTEP_PORT}`].filter(Boolean).join(" · ");
  return (
    <PageFrame page={page} title="Overlay networks" active="overlay">
      <form class="filters" action="/ui/overlay" method="get">
        <input type="hidden" name="cluster" value={page.cluster} />
        <Select name="overlay" label="overlay" values={names} selected={name} text={(n) => `overlay ${n}`} />
        <button type="submit">Show</button>
      </form>
      <div id="content">
        {name === undefined ? (
          <p class="muted">No overlay network is configured (overlay.overlays).</p>
        ) : (
          <>
            <p class="lead">
              VTEPs from {section.allocations.vtep.subnet}
              {section.allocations.vtep.subnet6 === undefined ? "" : ` and ${section.allocations.vtep.subnet6}`}; each node routes the other nodes' slices through its VTEP.
            </p>
            <div class="panel">
              <OverlayMap label={name} detail={detail} nodes={mapNodes} />
              <Table columns={["node", "role", "underlay", "VTEP", "MAC", "slice", "Mesos bridge", "Docker bridge"]}>
                  {slice.items.map(({ key, node, own }) => (
                    <tr id={`node-${cssId(key)}`}>
                      <td class="mono">{key}</td>
                      <td>{node.role}</td>
                      <td class="mono">{node.ip}</td>
                      <td class="mono">{vtepAddress(node)}</td>
                      <td class="mono">{node.vtep.mac}</td>
                      <td class="mono">{[own.subnet, own.subnet6].filter(Boolean).join(", ")}</td>
                      <td class="mono">{own.mesosBridge === undefined ? "" : `${own.mesosBridge.name} ${[own.mesosBridge.subnet, own.mesosBridge.subnet6].filter(Boolean).join(", ")}`}</td>
                      <td class="mono">{own.dockerBridge === undefined ? "" : `${own.dockerBridge.name} ${[own.dockerBridge.subnet, own.dockerBridge.subnet6].filter(Boolean).join(", ")}`}</td>
                    </tr>
                  ))}
                </Table>
            </div>
            <Pager slice={slice} page="overlay" cluster={page.cluster} params={{ overlay: name }} noun="nodes" />
            <h2>Tasks on overlay {name} on these nodes</h2>
            <div class="panel">
              {tasks.length === 0 ? (
                <p class="muted">No running task of these nodes has an address in this overlay.</p>
              ) : (
                <Table columns={["task", "address", "agent", "routed"]}>
                    {tasks.map((t) => (
                      <tr>
                        <td class="mono">
                          <a href={explainHref(page.cluster, "task", t.taskId)}>{t.taskId}</a>
                        </td>
                        <td class="mono">{t.fact.address}</td>
                        <td class="mono">{t.agentId}</td>
                        <td>{t.fact.routed ? <span class="badge ok">via {t.fact.slice}</span> : <span class="badge err">outside its agent's slice</span>}</td>
                      </tr>
                    ))}
                  </Table>
              )}
            </div>
            <p class="muted">
              Diagnostics about the overlay: <a href={pageHref("diagnostics", page.cluster, { code: "overlay." })}>overlay.*</a>
            </p>
          </>
        )}
      </div>
    </PageFrame>
  );
}

function vtepAddress(node: OverlayNode): string {
  return node.vtep.ip.split("/")[0]!;
}

/** An element id for any node key (agent ids and `master@ip`). */
function cssId(key: string): string {
  return key.replace(/[^A-Za-z0-9_-]/g, "_");
}
