/**
 * @module
 * `/ui/policy`: the network policy as an operator asks it. On top, two forms: explain one
 * connection (from, to, port → the verdict, the deciding tier and rule, every address pair)
 * and the matrix's controls (a port, filters on sources and destinations, as one types).
 * Below: the answer, the matrix a page of rows and columns at a time, then what the policy is
 * made of (admin rules, networks, app tiers, quarantined tasks). Every answer comes from the
 * generation's policy questions (`functions/policy/questions.ts`); every app, task, node,
 * rule and network links to its explanation or its row.
 */
import { parseProtocolPort, type ProtocolPort } from "../../../desired/policy-ports.ts";
import { PageFrame, type PageContext } from "../page-context.tsx";
import { PolicyAnswer } from "./policy-answer.tsx";
import { PolicyConfigSections } from "./policy-config.tsx";
import { PolicyMatrix } from "./policy-matrix.tsx";

/** Every parameter of the page; each form keeps the others' as hidden fields. */
export const POLICY_PARAMS = ["from", "to", "port", "mport", "src", "dst", "page", "cols", "rq", "rpage"] as const;
export type PolicyParams = Partial<Record<(typeof POLICY_PARAMS)[number], string>>;

/** Apps offered in the explain form's suggestions: enough to pick from, not a 10k-option page. */
const SUGGESTED_PARTIES = 500;

/**
 * @example c.html(<PolicyPage page={page} />) // ?from=/shop/web&to=/bank/db&port=tcp/5432
 */
export function PolicyPage(props: { page: PageContext }) {
  const { page } = props;
  const questions = page.operator.policy;
  const config = page.config.policy;
  const params = Object.fromEntries(POLICY_PARAMS.map((name) => [name, page.query(name)])) as PolicyParams;
  const namedPorts = questions.namedPorts();
  const matrixPort: ProtocolPort | undefined = (params.mport === undefined ? undefined : parseProtocolPort(params.mport)) ?? namedPorts[0];
  const parties = [...questions.apps(), ...questions.nodes().map((n) => `node:${n}`)].slice(0, SUGGESTED_PARTIES);
  return (
    <PageFrame page={page} title="Network policy" active="policy">
      <p class="lead">
        {config === undefined
          ? "No policy is configured: every connection is open, as on DC/OS's flat network. Configure the policy section of wayfinder.yaml (docs/policy.md)."
          : `Admin rules, then network isolation, then each app's own labels, then the default (${config.default}). The nodes' nftables tables are rendered from the same reading.`}
      </p>
      <form class="filters" action="/ui/policy" method="get">
        <b>Explain</b>
        <Hidden page={page} params={params} except={["from", "to", "port"]} />
        <input type="text" name="from" value={params.from ?? ""} list="policy-parties" placeholder="from: app, task, node:ID or IP" aria-label="from" required />
        <input type="text" name="to" value={params.to ?? ""} list="policy-parties" placeholder="to: app, task, node:ID or IP" aria-label="to" required />
        <input type="text" name="port" value={params.port ?? ""} list="policy-ports" placeholder="tcp/5432" aria-label="port" class="port" required />
        <button type="submit">Explain</button>
        <datalist id="policy-parties">
          {parties.map((party) => (
            <option value={party}></option>
          ))}
        </datalist>
        <datalist id="policy-ports">
          {namedPorts.map((p) => (
            <option value={`${p.protocol}/${p.port}`}></option>
          ))}
        </datalist>
      </form>
      <form class="filters" action="/ui/policy" method="get" data-filter>
        <b>Matrix</b>
        <Hidden page={page} params={params} except={["mport", "src", "dst", "page", "cols"]} />
        <input type="text" name="mport" value={matrixPort === undefined ? "" : `${matrixPort.protocol}/${matrixPort.port}`} list="policy-ports" placeholder="tcp/80" aria-label="matrix port" class="port" />
        <input type="search" name="src" value={params.src ?? ""} placeholder="sources (app or node)..." aria-label="filter sources" />
        <input type="search" name="dst" value={params.dst ?? ""} placeholder="destinations (app)..." aria-label="filter destinations" />
      </form>
      <div id="content">
        <PolicyAnswer page={page} params={params} />
        <PolicyMatrix page={page} params={params} port={matrixPort} />
        <PolicyConfigSections page={page} params={params} />
      </div>
    </PageFrame>
  );
}

/** The page's other parameters, so submitting one form keeps what the other shows. */
function Hidden(props: { page: PageContext; params: PolicyParams; except: ReadonlyArray<keyof PolicyParams> }) {
  return (
    <>
      <input type="hidden" name="cluster" value={props.page.cluster} />
      {POLICY_PARAMS.filter((name) => !props.except.includes(name) && props.params[name] !== undefined).map((name) => (
        <input type="hidden" name={name} value={props.params[name]} />
      ))}
    </>
  );
}
