/**
 * @module
 * Pieces several dashboard pages show the same way: a diagnostic's level, a list of
 * diagnostics with their subjects linked to explanations.
 */
import type { Diagnostic } from "../../desired/schema.ts";
import { subjectLink } from "./links.ts";
import type { PageContext } from "./page-context.tsx";

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
    <table>
      <thead>
        <tr>
          <th>level</th>
          <th>code</th>
          <th>subject</th>
          <th>message</th>
        </tr>
      </thead>
      <tbody>
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
      </tbody>
    </table>
  );
}
