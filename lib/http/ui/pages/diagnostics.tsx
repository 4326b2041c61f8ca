/**
 * @module
 * `/ui/diagnostics`: every diagnostic of the desired state, filtered by level, code (a prefix,
 * so `l4lb.` shows them all) and text, a page at a time; each subject links to its
 * explanation where it has one.
 */
import { compareStrings } from "../../../net/compare.ts";
import { DiagnosticsTable, Select } from "../components.tsx";
import { Pager, paginate } from "../paging.tsx";
import { PageFrame, type PageContext } from "../page-context.tsx";

const PER_PAGE = 100;
const LEVELS = ["error", "warning", "info"] as const;

/**
 * @example c.html(<DiagnosticsPage page={page} />) // with ?level=error&code=l4lb.
 */
export function DiagnosticsPage(props: { page: PageContext }) {
  const { page } = props;
  const all = page.desired.diagnostics;
  const level = LEVELS.find((l) => l === page.query("level"));
  const code = page.query("code");
  const q = page.query("q")?.toLowerCase();
  const codes = [...new Set(all.map((d) => d.code))].sort(compareStrings);
  const shown = all.filter(
    (d) => (level === undefined || d.level === level) && (code === undefined || d.code.startsWith(code)) && (q === undefined || d.subject.toLowerCase().includes(q) || d.message.toLowerCase().includes(q)),
  );
  const slice = paginate(shown, page.query("page"), PER_PAGE);
  return (
    <PageFrame page={page} title="Diagnostics" active="diagnostics">
      <form class="filters" action="/ui/diagnostics" method="get" data-filter>
        <input type="hidden" name="cluster" value={page.cluster} />
        <Select name="level" label="level" values={LEVELS} selected={level} none="every level" />
        {/* A code prefix typed into the URL (`l4lb.`) is kept as a choice of its own. */}
        <Select name="code" label="code" values={code !== undefined && !codes.includes(code) ? [code, ...codes] : codes} selected={code} none="every code" />
        <input type="search" name="q" value={q ?? ""} placeholder="subject or message..." aria-label="filter diagnostics" />
      </form>
      <div id="content">
        <div class="panel">
          <DiagnosticsTable page={page} diagnostics={slice.items} />
        </div>
        <Pager slice={slice} page="diagnostics" cluster={page.cluster} params={{ level, code, q }} noun="diagnostics" />
      </div>
    </PageFrame>
  );
}
