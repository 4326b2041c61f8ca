/**
 * @module
 * The dashboard's stylesheet, served as a file (`/ui/assets/dashboard.css`; the CSP allows no
 * inline style, so pages use classes only, SVG included).
 */

export const DASHBOARD_STYLE = `:root {
  --bg: #f5f6f8; --panel: #ffffff; --line: #dfe3e8; --text: #1c2230; --muted: #667085;
  --accent: #2f6fdb; --top: #151a24; --top-text: #c9d1dd;
  --ok: #1b7a3a; --ok-bg: #e5f4ea; --warn: #8a5a00; --warn-bg: #fdf1d7; --err: #b42318; --err-bg: #fde8e6;
  --info: #1d5bbf; --info-bg: #e6eefc;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.mono, code { font-family: var(--mono); font-size: 12.5px; }
header.top { display: flex; align-items: center; gap: 18px; padding: 0 20px; height: 48px; background: var(--top); color: var(--top-text); }
header.top .brand { color: #fff; font-weight: 700; letter-spacing: .3px; font-size: 15px; }
header.top nav { display: flex; gap: 2px; }
header.top nav a { color: var(--top-text); padding: 14px 10px 12px; border-bottom: 2px solid transparent; }
header.top nav a:hover { color: #fff; text-decoration: none; }
header.top nav a.active { color: #fff; border-bottom-color: var(--accent); }
header.top .spacer { flex: 1; }
header.top form { display: flex; gap: 6px; margin: 0; }
header.top input, header.top select { background: #222a38; border: 1px solid #343e50; color: #e6ebf2; border-radius: 4px; padding: 4px 8px; font: inherit; }
header.top input { width: 260px; }
header.top button { background: #2a3344; border: 1px solid #3a4558; color: #e6ebf2; border-radius: 4px; padding: 4px 10px; font: inherit; cursor: pointer; }
.live { font-size: 12px; color: #8a94a6; white-space: nowrap; }
.live::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #6b7280; margin-right: 6px; }
.live.on::before { background: #34c759; }
.live.off::before { background: #f59e0b; }
.facts { padding: 7px 20px; background: #e9ecf1; border-bottom: 1px solid var(--line); color: var(--muted); font-size: 12.5px; }
.facts b { color: var(--text); font-weight: 600; }
.facts span + span::before { content: "·"; margin: 0 8px; color: #a0a8b5; }
main { max-width: 1320px; margin: 0 auto; padding: 18px 20px 40px; }
h1 { font-size: 20px; margin: 4px 0 14px; }
h2 { font-size: 15px; margin: 22px 0 10px; }
h3 { font-size: 14px; margin: 14px 0 8px; }
p.lead { color: var(--muted); margin: -8px 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
.card h3 { margin: 0 0 6px; font-size: 12px; text-transform: uppercase; letter-spacing: .4px; color: var(--muted); }
.card .metric { font-size: 26px; font-weight: 650; }
.card .metric small { font-size: 14px; color: var(--muted); font-weight: 500; }
.card p { margin: 4px 0 0; color: var(--muted); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 4px 0; margin-bottom: 14px; overflow-x: auto; }
.panel > h3, .panel > p { padding: 0 14px; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-size: 11.5px; text-transform: uppercase; letter-spacing: .4px; color: var(--muted); font-weight: 600; padding: 8px 12px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td { padding: 6px 12px; border-bottom: 1px solid #eef0f3; vertical-align: top; }
tr:last-child td { border-bottom: none; }
tbody tr:hover td { background: #f8fafc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 11.5px; font-weight: 600; white-space: nowrap; }
.badge.ok { color: var(--ok); background: var(--ok-bg); }
.badge.warn { color: var(--warn); background: var(--warn-bg); }
.badge.err { color: var(--err); background: var(--err-bg); }
.badge.info { color: var(--info); background: var(--info-bg); }
.badge.muted { color: var(--muted); background: #eef0f3; }
.muted { color: var(--muted); }
.error-text { color: var(--err); }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 0 0 14px; }
form.filters input, form.filters select, form.login input { border: 1px solid #cfd5dd; border-radius: 4px; padding: 6px 9px; font: inherit; background: #fff; }
form.filters input[type=search], form.filters input[type=text] { min-width: 280px; }
button, .button { background: var(--accent); color: #fff; border: none; border-radius: 4px; padding: 6px 12px; font: inherit; cursor: pointer; }
.pager { display: flex; gap: 10px; align-items: center; margin: 10px 0; color: var(--muted); }
.pager a, .pager span.current { padding: 2px 8px; border-radius: 4px; }
.pager span.current { background: var(--accent); color: #fff; }
dl.facts-list { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; padding: 10px 14px; }
dl.facts-list dt { color: var(--muted); }
dl.facts-list dd { margin: 0; }
ul.reasons { margin: 6px 0; padding-left: 18px; }
ul.reasons li { margin: 2px 0; }
form.filters b { min-width: 58px; }
form.filters input.port { min-width: 0; width: 110px; }
form.filters.inline { margin: 10px 14px; }
.badge.big { font-size: 13px; padding: 2px 10px; text-transform: uppercase; letter-spacing: .4px; }
tr:target td { background: #fff7d6; }
td.nowrap { white-space: nowrap; }
tr.port-start td { border-top: 1px solid var(--line); }
.split > div > h3 { padding: 0 14px; }
table.matrix { width: auto; }
table.matrix th.col { writing-mode: vertical-rl; transform: rotate(180deg); text-transform: none; letter-spacing: 0; font: 12px var(--mono); padding: 10px 7px; vertical-align: bottom; text-align: left; }
table.matrix th.row { text-transform: none; letter-spacing: 0; font: 12px var(--mono); text-align: left; border-bottom: 1px solid #eef0f3; padding: 5px 14px; }
table.matrix th.corner { vertical-align: bottom; }
table.matrix td.cell { text-align: center; padding: 0; min-width: 34px; border: 2px solid var(--panel); font-weight: 700; }
table.matrix td.cell a { display: block; padding: 4px 0; color: inherit; }
table.matrix td.cell a:hover { text-decoration: none; outline: 2px solid var(--accent); }
td.cell.allow, .cell-key.allow { background: var(--ok-bg); color: var(--ok); }
td.cell.deny, .cell-key.deny { background: var(--err-bg); color: var(--err); }
td.cell.mixed, .cell-key.mixed { background: var(--warn-bg); color: var(--warn); }
td.cell.none, .cell-key.none { color: #b5bcc7; }
.cell-key { display: inline-block; width: 20px; text-align: center; border-radius: 3px; font-weight: 700; margin: 0 4px 0 12px; }
p.legend { font-size: 12.5px; }
.split { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
@media (max-width: 900px) { .split { grid-template-columns: 1fr; } header.top input { width: 160px; } }
.login { max-width: 380px; margin: 80px auto; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 24px; }
.login h1 { margin-top: 0; }
.login input { width: 100%; margin: 8px 0 14px; }
svg.overlay-map { width: 100%; height: auto; background: #fbfcfd; border-bottom: 1px solid var(--line); }
svg .link { stroke: #b8c2cf; stroke-width: 1.5; }
svg .hub { fill: #1f3b73; }
svg .hub-text { fill: #fff; font: 600 13px system-ui, sans-serif; }
svg .hub-sub { fill: #c9d6ee; font: 12px var(--mono); }
svg .node { fill: #fff; stroke: #9aa7b8; stroke-width: 1.2; }
svg .node.master { fill: #f3f5fa; }
svg .node-title { fill: #1c2230; font: 600 12px system-ui, sans-serif; }
svg .node-text { fill: #475467; font: 11px var(--mono); }
svg .node-subnet { fill: #1d5bbf; font: 600 11px var(--mono); }
svg .legend { fill: #667085; font: 11px system-ui, sans-serif; }
`;
