/**
 * @module
 * One overlay drawn as the network it is: a VXLAN segment (the bar across the middle) with
 * its address space, VNI and UDP port, and the nodes on it above and below, each with its
 * underlay address, VTEP and slice. Inline SVG made on the server, styled by classes only (the
 * CSP allows no inline style), at most `MAP_NODES` nodes at once.
 */

/** Nodes per drawing: two rows of six. */
export const MAP_NODES = 12;

export interface MapNode {
  key: string;
  /** The hostname of an agent, `master <ip>` for a master. */
  title: string;
  role: "agent" | "master";
  underlay: string;
  vtep: string;
  subnet?: string | undefined;
  subnet6?: string | undefined;
  /** Where the node's title links (its row below the map). */
  href?: string | undefined;
}

const CARD_W = 170;
const CARD_H = 92;
const GAP = 14;
const MARGIN = 20;
const PER_ROW = MAP_NODES / 2;
const TOP_Y = 16;
const BUS_Y = TOP_Y + CARD_H + 50;
const BUS_H = 40;
const BOTTOM_Y = BUS_Y + BUS_H + 50;
const WIDTH = MARGIN * 2 + PER_ROW * CARD_W + (PER_ROW - 1) * GAP;
const HEIGHT = BOTTOM_Y + CARD_H + 16;

/**
 * @example <OverlayMap label="dcos" detail="9.0.0.0/8 · VNI 1024" nodes={nodes} />
 */
export function OverlayMap(props: { label: string; detail: string; nodes: readonly MapNode[] }) {
  const nodes = props.nodes.slice(0, MAP_NODES);
  const top = nodes.slice(0, Math.ceil(nodes.length / 2));
  const bottom = nodes.slice(top.length);
  const x = (i: number, count: number) => MARGIN + (WIDTH - MARGIN * 2 - (count * CARD_W + (count - 1) * GAP)) / 2 + i * (CARD_W + GAP);
  return (
    <svg class="overlay-map" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`overlay ${props.label}: ${nodes.length} nodes`}>
      {top.map((_, i) => (
        <line class="link" x1={x(i, top.length) + CARD_W / 2} y1={TOP_Y + CARD_H} x2={x(i, top.length) + CARD_W / 2} y2={BUS_Y} />
      ))}
      {bottom.map((_, i) => (
        <line class="link" x1={x(i, bottom.length) + CARD_W / 2} y1={BUS_Y + BUS_H} x2={x(i, bottom.length) + CARD_W / 2} y2={BOTTOM_Y} />
      ))}
      <rect class="hub" x={MARGIN} y={BUS_Y} width={WIDTH - MARGIN * 2} height={BUS_H} rx="6" />
      <text class="hub-text" x={MARGIN + 14} y={BUS_Y + 25}>
        overlay {props.label}
      </text>
      <text class="hub-sub" x={WIDTH - MARGIN - 14} y={BUS_Y + 25} text-anchor="end">
        {props.detail}
      </text>
      {top.map((node, i) => (
        <Card node={node} x={x(i, top.length)} y={TOP_Y} />
      ))}
      {bottom.map((node, i) => (
        <Card node={node} x={x(i, bottom.length)} y={BOTTOM_Y} />
      ))}
    </svg>
  );
}

function Card(props: { node: MapNode; x: number; y: number }) {
  const { node, x, y } = props;
  const line = (n: number) => y + 20 + n * 16;
  const title = node.title.length > 24 ? `${node.title.slice(0, 23)}…` : node.title;
  const heading = (
    <text class="node-title" x={x + 10} y={line(0)}>
      {title}
    </text>
  );
  return (
    <g>
      <title>{node.key}</title>
      <rect class={`node ${node.role}`} x={x} y={y} width={CARD_W} height={CARD_H} rx="5" />
      {node.href === undefined ? heading : <a href={node.href}>{heading}</a>}
      <text class="node-text" x={x + 10} y={line(1)}>
        underlay {node.underlay}
      </text>
      <text class="node-text" x={x + 10} y={line(2)}>
        vtep {node.vtep}
      </text>
      {node.subnet === undefined ? null : (
        <text class="node-subnet" x={x + 10} y={line(3)}>
          {node.subnet}
        </text>
      )}
      {node.subnet6 === undefined ? null : (
        <text class="node-subnet" x={x + 10} y={line(node.subnet === undefined ? 3 : 4)}>
          {node.subnet6}
        </text>
      )}
    </g>
  );
}
