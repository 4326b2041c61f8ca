/**
 * @module
 * Pieces several dashboard pages show the same way: tables, a diagnostic's level, lists of
 * diagnostics and of VIP backends, policy parties, each subject linked to its explanation.
 */
import { RowsLeft, firstRows } from "./paging.tsx";
import type { Child } from "hono/jsx";
import type { ExplainedBackend } from "../../../functions/explain/schema.ts";
import type { Diagnostic } from "../../desired/schema.ts";
import { addressForPort } from "../../net/ip-literal.ts";
import { explainHref, partyHref, subjectLink } from "./links.ts";
import type { PageContext } from "./page-context.tsx";

/** A column heading; `[label, "num"]` right-aligns a column of numbers. */
export type Column = string | readonly [label: string, align: "num"];

/**
 * A table with its headings; the rows are the children.
 * @example <Table columns={["name", ["TTL", "num"]]}>{rows}</Table>
 */
export function Table(props: { columns: readonly Column[]; children?: Child }) {
  return (
    <table>
      <thead>
        <tr>{props.columns.map((column) => (typeof column === "string" ? <th>{column}</th> : <th class="num">{column[0]}</th>))}</tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}

/**
 * A choice among `values`, `selected` marked; `label` words each option (`overlay dcos`), and
 * `none` adds a first option that means "any".
 * @example <Select name="state" label="state" values={["all", "lagging"]} selected="all" />
 */
export function Select(props: { name: string; label: string; values: readonly string[]; selected: string | undefined; none?: string; text?: (value: string) => string }) {
  return (
    <select name={props.name} aria-label={props.label}>
      {props.none === undefined ? null : <option value="">{props.none}</option>}
      {props.values.map((value) => (
        <option value={value} selected={value === props.selected}>
          {props.text === undefined ? value : props.text(value)}
        </option>
      ))}
    </select>
  );
}

/**
 * Items separated by commas.
 * @example joined(names.map((n) => <a href={...}>{n}</a>))
 */
export function joined(items: readonly Child[]): Child[] {
  return items.flatMap((item, i) => (i === 0 ? [item] : [", ", item]));
}

/**
 * A VIP's backends: address (and the container address its own agent uses), weight, health,
 * the task (linked) and its agent.
 * @example <BackendsTable page={page} backends={explainedVip(context, service).backends} />
 */
export function BackendsTable(props: { page: PageContext; backends: readonly ExplainedBackend[] }) {
  const { rows, left } = firstRows(props.backends);
  return (
    <>
      <Table columns={["backend", ["weight", "num"], "health", "task", "agent"]}>
        {rows.map((b) => (
          <tr>
            <td class="mono">
              {addressForPort(b.ip)}:{b.port}
              {b.local === undefined ? null : <span class="muted"> (on its agent: {addressForPort(b.local.ip)}:{b.local.port})</span>}
            </td>
            <td class="num">{b.weight}</td>
            <td>
              <span class={`badge ${b.draining ? "warn" : b.health === "healthy" ? "ok" : b.health === "unhealthy" ? "err" : "muted"}`}>{b.draining ? "draining" : b.health}</span>
            </td>
            <td class="mono">
              <a href={explainHref(props.page.cluster, "task", b.taskId)}>{b.taskId}</a>
              {b.taskState === undefined || b.taskState === "TASK_RUNNING" ? null : <span class="muted"> {b.taskState}</span>}
            </td>
            <td class="mono">{b.agentId ?? ""}</td>
          </tr>
        ))}
      </Table>
      <RowsLeft left={left} noun="backends" />
    </>
  );
}

/**
 * A policy party (an app id, `node:<agent>`, a task id or an IP) linked to its own page; an
 * agent is named by its hostname, its id in the tooltip.
 * @example <PartyLink page={page} party="node:7c1f...-S0" /> // <a href="/ui/nodes?..." title="node:7c1f...-S0">node:a1.demo.internal</a>
 */
export function PartyLink(props: { page: PageContext; party: string }) {
  const { page, party } = props;
  const href = partyHref(page.cluster, party);
  const hostname = party.startsWith("node:") ? page.operator.context.agents.get(party.slice(5))?.hostname : undefined;
  const text = hostname === undefined ? party : `node:${hostname}`;
  return href === undefined ? <span class="mono">{text}</span> : <a class="mono" href={href} title={party}>{text}</a>;
}

/**
 * @example <LevelBadge level="error" /> // <span class="badge err">error</span>
 */
export function LevelBadge(props: { level: Diagnostic["level"]; text?: string }) {
  const cls = props.level === "error" ? "err" : props.level === "warning" ? "warn" : "info";
  return <span class={`badge ${cls}`}>{props.text ?? props.level}</span>;
}

/**
 * Diagnostics under a heading, when there are any.
 * @example <Diagnostics page={page} diagnostics={explanation.diagnostics} />
 */
export function Diagnostics(props: { page: PageContext; diagnostics: readonly Diagnostic[] }) {
  if (props.diagnostics.length === 0) return null;
  return (
    <>
      <h2>Diagnostics</h2>
      <div class="panel">
        <DiagnosticsTable page={props.page} diagnostics={props.diagnostics} />
      </div>
    </>
  );
}

/**
 * One row per diagnostic: level, code, subject (linked to its explanation), message.
 * @example <DiagnosticsTable page={page} diagnostics={slice.items} />
 */
export function DiagnosticsTable(props: { page: PageContext; diagnostics: readonly Diagnostic[] }) {
  return (
    <Table columns={["level", "code", "subject", "message"]}>
      {props.diagnostics.map((d) => {
          const href = subjectLink(props.page.cluster, d.subject);
        return (
          <tr>
            <td>
              <LevelBadge level={d.level} />
            </td>
            <td class="mono">{d.code}</td>
            <td class="mono">{href === undefined ? d.subject : <a href={href}>{d.subject}</a>}</td>
            <td>{d.message}</td>
          </tr>
        );
      })}
    </Table>
  );
}
