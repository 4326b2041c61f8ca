/**
 * @module
 * No dashboard page lists a 100k-task cluster whole: lists are cut into pages, and the pager
 * links to the neighbours with every other parameter kept.
 */
import { pageHref, type UiPage } from "./links.ts";

export interface PageSlice<T> {
  items: T[];
  page: number;
  pages: number;
  total: number;
}

/**
 * The `page`th (1-based) slice of `size` items; a page past the end shows the last.
 * @example paginate([1, 2, 3], "2", 2) // { items: [3], page: 2, pages: 2, total: 3 }
 */
export function paginate<T>(items: readonly T[], pageText: string | undefined, size: number): PageSlice<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const asked = /^\d{1,7}$/.test(pageText ?? "") ? Number(pageText) : 1;
  const page = Math.min(Math.max(1, asked), pages);
  return { items: items.slice((page - 1) * size, page * size), page, pages, total: items.length };
}

/**
 * `param` names the page number in the URL (`page`; a page with several lists gives each its own).
 * @example <Pager slice={slice} page="vips" cluster="prod" params={{ q: "web" }} noun="VIPs" />
 */
export function Pager(props: { slice: PageSlice<unknown>; page: UiPage; cluster: string | undefined; params: Record<string, string | undefined>; noun: string; param?: string; hash?: string }) {
  const { slice } = props;
  const link = (n: number) => `${pageHref(props.page, props.cluster, { ...props.params, [props.param ?? "page"]: n })}${props.hash === undefined ? "" : `#${props.hash}`}`;
  if (slice.pages <= 1) return <div class="pager">{slice.total} {props.noun}</div>;
  return (
    <div class="pager">
      <span>
        {slice.total} {props.noun}, page {slice.page} of {slice.pages}
      </span>
      {slice.page > 1 ? <a href={link(slice.page - 1)}>← previous</a> : null}
      {slice.page < slice.pages ? <a href={link(slice.page + 1)}>next →</a> : null}
    </div>
  );
}

/** The most rows one object's table shows (a 10k-instance app's servers, a name's records). */
export const ROWS_SHOWN = 100;

/**
 * The first `limit` rows, and how many were left out.
 * @example firstRows([1, 2, 3], 2) // { rows: [1, 2], left: 1 }
 */
export function firstRows<T>(items: readonly T[], limit = ROWS_SHOWN): { rows: readonly T[]; left: number } {
  return items.length <= limit ? { rows: items, left: 0 } : { rows: items.slice(0, limit), left: items.length - limit };
}

/**
 * What a cut table left out, and where all of it is.
 * @example <RowsLeft left={9900} noun="servers" /> // <p class="muted">and 9900 more servers (every one: the JSON API's explain)</p>
 */
export function RowsLeft(props: { left: number; noun: string }) {
  if (props.left === 0) return null;
  return (
    <p class="muted">
      and {props.left} more {props.noun} (every one: the JSON API, <code>GET /v1/clusters/:cluster/explain/...</code>)
    </p>
  );
}
