/**
 * @module
 * `/ui/dns`: ask a name and see the answer the DNS server gives (its own router, renames and
 * lookup: `answer-view.ts`), with a link to where each record comes from; and the records of
 * each zone, searched and a page at a time (a 100k-task zone holds a million records).
 */
import { ANSWER_TYPES, type AnswerType, type DnsAnswerView } from "../../../dns/answer-view.ts";
import type { DnsRecord } from "../../../desired/schema.ts";
import { recordDataText } from "../../../../functions/explain/record-text.ts";
import { explainHref } from "../links.ts";
import { Pager, paginate } from "../paging.tsx";
import { Select, Table } from "../components.tsx";
import { PageFrame, type PageContext } from "../page-context.tsx";

const RECORDS_PER_PAGE = 100;

/**
 * @example c.html(<DnsPage page={page} />) // with ?name=web.marathon.mesos&type=A, the answer
 */
export function DnsPage(props: { page: PageContext }) {
  const { page } = props;
  const name = page.query("name");
  const typeText = page.query("type") ?? "A";
  const type: AnswerType = (ANSWER_TYPES as readonly string[]).includes(typeText.toUpperCase()) ? (typeText.toUpperCase() as AnswerType) : "A";
  const answer = name === undefined ? undefined : page.operator.answer(name, type);
  const zones = page.desired.dns.zones;
  const zone = zones.find((z) => z.origin === page.query("zone")) ?? zones[0];
  const q = page.query("q")?.toLowerCase();
  return (
    <PageFrame page={page} title="DNS" active="dns">
      <form class="filters" action="/ui/dns" method="get">
        <input type="hidden" name="cluster" value={page.cluster} />
        <input type="text" name="name" value={name ?? ""} placeholder="a name, e.g. web.marathon.mesos" aria-label="name" />
        <Select name="type" label="type" values={ANSWER_TYPES} selected={type} />
        <button type="submit">Ask</button>
      </form>
      <form class="filters" action="/ui/dns" method="get" data-filter>
        <input type="hidden" name="cluster" value={page.cluster} />
        <Select name="zone" label="zone" values={zones.map((z) => z.origin)} selected={zone?.origin} />
        <input type="search" name="q" value={q ?? ""} placeholder="names containing..." aria-label="filter names" />
      </form>
      <div id="content">
        {name === undefined ? null : answer === undefined ? <p class="error-text">'{name}' is not a domain name.</p> : <Answer page={page} answer={answer} />}
        {zone === undefined ? <p class="muted">The desired state has no zones.</p> : <ZoneRecords page={page} zone={zone} q={q} />}
      </div>
    </PageFrame>
  );
}

function Answer(props: { page: PageContext; answer: DnsAnswerView }) {
  const { answer, page } = props;
  const asked = answer.canonical ?? answer.question.name;
  const rcodeClass = answer.rcode === "NOERROR" ? (answer.answer.length > 0 ? "ok" : "warn") : "err";
  return (
    <div class="panel">
      <h3>
        {answer.question.name} {answer.question.type}: <span class={`badge ${rcodeClass}`}>{answer.rcode}</span>{" "}
        {answer.route === "local" ? (
          <span class="muted">
            answered from zone {answer.zone}
            {answer.canonical === undefined ? "" : ` as ${answer.canonical}`} · <a href={explainHref(page.cluster, "name", asked)}>where it comes from</a>
          </span>
        ) : answer.route === "forward" ? (
          <span class="muted">
            not a local name: forwarded ({answer.zone === "." ? "default" : answer.zone}) to {answer.upstreams?.join(", ")}
          </span>
        ) : (
          <span class="muted">not a local name, and nothing to forward it to</span>
        )}
      </h3>
      {(["answer", "authority", "additional"] as const).map((section) =>
        answer[section].length === 0 ? null : (
          <Table columns={[section, "type", ["TTL", "num"], "data"]}>
              {answer[section].map((r) => (
                <tr>
                  <td class="mono">{r.name}</td>
                  <td>{r.type}</td>
                  <td class="num">{r.ttl}</td>
                  <td class="mono">{r.data}</td>
                </tr>
              ))}
            </Table>
        ),
      )}
    </div>
  );
}

function ZoneRecords(props: { page: PageContext; zone: { origin: string; records: readonly DnsRecord[] }; q: string | undefined }) {
  const { page, zone, q } = props;
  const matching = q === undefined ? zone.records : zone.records.filter((r) => r.name.includes(q));
  const slice = paginate(matching, page.query("page"), RECORDS_PER_PAGE);
  return (
    <>
      <h2>Records of {zone.origin}</h2>
      <div class="panel">
        <Table columns={["name", "type", ["TTL", "num"], "data"]}>
            {slice.items.map((r) => (
              <tr>
                <td class="mono">
                  <a href={explainHref(page.cluster, "name", r.name)}>{r.name}</a>
                </td>
                <td>{r.type}</td>
                <td class="num">{r.ttl}</td>
                <td class="mono">{recordDataText(r.data)}</td>
              </tr>
            ))}
          </Table>
      </div>
      <Pager slice={slice} page="dns" cluster={page.cluster} params={{ zone: zone.origin, q }} noun="records" />
    </>
  );
}
