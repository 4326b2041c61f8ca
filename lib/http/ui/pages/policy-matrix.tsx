/**
 * @module
 * `/ui/policy`'s matrix: sources (apps, then nodes) down, destination apps across, one port at
 * a time, a page of rows and a page of columns at once, so a cluster of thousands of apps asks
 * only the cells it shows. Each cell is the verdict over every address pair of the two
 * (`mixed` when they disagree), says what decided it, and opens that connection's explanation.
 */
import type { CellSummary } from "../../../../functions/policy/questions.ts";
import type { ProtocolPort } from "../../../desired/policy-ports.ts";
import { PartyLink } from "../components.tsx";
import { pageHref } from "../links.ts";
import { Pager, paginate } from "../paging.tsx";
import type { PageContext } from "../page-context.tsx";
import type { PolicyParams } from "./policy.tsx";

const ROWS_PER_PAGE = 20;
const COLUMNS_PER_PAGE = 12;

const MARK = { allow: "✓", deny: "✗", mixed: "±" } as const;

/**
 * @example <PolicyMatrix page={page} params={params} port={{ protocol: "tcp", port: 5432 }} />
 */
export function PolicyMatrix(props: { page: PageContext; params: PolicyParams; port: ProtocolPort | undefined }) {
  const { page, params, port } = props;
  const q = page.operator.policy;
  if (!q.configured) return null;
  if (port === undefined) {
    return (
      <>
        <h2>Matrix</h2>
        <p class="muted">The policy names no port: give the matrix one (tcp/80).</p>
      </>
    );
  }
  const src = params.src?.toLowerCase();
  const dst = params.dst?.toLowerCase();
  const sources = [...q.apps(), ...q.nodes().map((n) => `node:${n}`)].filter((name) => src === undefined || name.toLowerCase().includes(src));
  const destinations = q.apps().filter((name) => dst === undefined || name.toLowerCase().includes(dst));
  const rows = paginate(sources, params.page, ROWS_PER_PAGE);
  const columns = paginate(destinations, params.cols, COLUMNS_PER_PAGE);
  const cells = new Map<string, CellSummary>(q.cells(rows.items, columns.items, [port]).map((cell) => [`${cell.from}\n${cell.to}`, cell]));
  const portText = `${port.protocol}/${port.port}`;
  const kept = { ...params, mport: portText };
  const explainCell = (from: string, to: string) => `${pageHref("policy", page.cluster, { ...kept, from, to, port: portText })}#explain`;
  const head = (name: string) => <PartyLink page={page} party={name} />;
  return (
    <>
      <h2 id="matrix">
        Matrix on <span class="mono">{portText}</span>
      </h2>
      <div class="panel">
        <table class="matrix">
          <thead>
            <tr>
              <th class="corner">from \ to</th>
              {columns.items.map((to) => (
                <th class="col">{head(to)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.items.map((from) => (
              <tr>
                <th class="row">{head(from)}</th>
                {columns.items.map((to) => {
                  const cell = cells.get(`${from}\n${to}`);
                  if (cell === undefined) return <td class="cell none" title={`${to} takes nothing on ${portText}`}>·</td>;
                  const verdict = cell.mixed ? "mixed" : cell.verdict;
                  return (
                    <td class={`cell ${verdict}`}>
                      <a href={explainCell(from, to)} title={`${verdict} by ${cell.by} (${cell.tier} tier), ${cell.pairs} address pairs`}>
                        {MARK[verdict]}
                      </a>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        <p class="legend muted">
          <span class="cell-key allow">✓</span> allowed <span class="cell-key deny">✗</span> denied <span class="cell-key mixed">±</span> the address pairs disagree <span class="cell-key none">·</span> not reached on this
          port. A cell opens its explanation.
        </p>
      </div>
      <Pager slice={rows} page="policy" cluster={page.cluster} params={kept} noun="sources" hash="matrix" />
      <Pager slice={columns} page="policy" cluster={page.cluster} params={kept} noun="destinations" param="cols" hash="matrix" />
    </>
  );
}
