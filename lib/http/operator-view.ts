/**
 * @module
 * One generation of one cluster as an operator looks at it: the explanations of the pure
 * core, the network policy's answers and the answers the DNS server gives, built from the
 * desired state the store already holds. Each part is built on first use and kept with the
 * generation: the provenance (one derivation with the reconcilers reporting, at the first
 * explanation), the DNS server's lookup structure (the DNS page's first answer), the
 * policy's parties (the first policy question). A page or an explanation then costs a lookup,
 * not a derivation; a generation nobody explains derives nothing more.
 */
import { ExplainContext, explain } from "../../functions/explain/index.ts";
import { ProvenanceLedger } from "../../functions/explain/ledger.ts";
import { deriveObjects } from "../../functions/keyed/derive.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { policyQuestions, type PolicyQuestions } from "../../functions/policy/questions.ts";
import type { ExplainOptions, ExplainSubject, Explanation } from "../../functions/explain/schema.ts";
import type { DesiredState } from "../desired/schema.ts";
import { answerView, type AnswerType, type DnsAnswerView } from "../dns/answer-view.ts";
import { Router } from "../dns/router.ts";
import { ServingState } from "../dns/serving-state.ts";
import { ZoneIndex } from "../dns/zone-index.ts";
import { keyText, nameKey } from "../dns/wire/names.ts";
import type { ClusterSnapshot } from "../snapshot/schema.ts";

/**
 * @example
 * const view = OperatorView.reconcile(snapshot);
 * view.explain("name", "web.marathon.dclb.thisdcos.global").kind // "name" (answered as web.marathon.l4lb.thisdcos.directory)
 */
export class OperatorView {
  readonly snapshot: ClusterSnapshot;
  readonly desired: DesiredState;
  #ledger: ProvenanceLedger | undefined;
  #context: ExplainContext | undefined;
  #serving: ServingState | undefined;
  #router: Router | undefined;
  #policy: PolicyQuestions | undefined;

  /** `ledger`: the provenance of `desired`, when it is at hand; otherwise derived on first use. */
  constructor(snapshot: ClusterSnapshot, desired: DesiredState, ledger?: ProvenanceLedger) {
    this.snapshot = snapshot;
    this.desired = desired;
    this.#ledger = ledger;
  }

  /**
   * Reconciles `snapshot` with provenance on: the one reconcile a generation needs (the CLI).
   * @example OperatorView.reconcile(snapshot).desired.hash === reconcile(snapshot).hash // true
   */
  static reconcile(snapshot: ClusterSnapshot): OperatorView {
    const ledger = new ProvenanceLedger();
    return new OperatorView(snapshot, reconcile(snapshot, { provenance: ledger }), ledger);
  }

  /** What the explanations read; its provenance is derived here once (the objects derived are the same as the stored ones'). */
  get context(): ExplainContext {
    if (this.#context === undefined) {
      let ledger = this.#ledger;
      if (ledger === undefined) deriveObjects(this.snapshot, { provenance: (ledger = new ProvenanceLedger()) });
      // Explanations ask the policy through the view, so its parties are built on the first question.
      this.#context = new ExplainContext(this.snapshot, this.desired, ledger, {
        configured: this.desired.policy !== undefined,
        around: (name, ports) => this.policy.around(name, ports),
      });
    }
    return this.#context;
  }

  /** The network policy's answers for this generation (`wayfinder policy`, `/ui/policy`, explanations). */
  get policy(): PolicyQuestions {
    return (this.#policy ??= policyQuestions(this.snapshot, this.desired));
  }

  /** The DNS server's state for this generation's zones (built once). */
  get serving(): ServingState {
    if (this.#serving === undefined) {
      const dns = this.desired.dns;
      this.#serving = ServingState.build({ version: this.desired.hash, zones: dns.zones, forwarding: dns.forwarding, aliases: dns.aliases }, {}, 0).state;
    }
    return this.#serving;
  }

  /**
   * The DNS server's router over this generation's zones. Routing needs the zones, not their
   * records, so it is built from the zones alone: a million-record index only for a rename
   * would make `explain name` cost what the DNS page's first answer costs.
   */
  get router(): Router {
    if (this.#router === undefined) {
      const dns = this.desired.dns;
      const { index } = ZoneIndex.build(dns.zones.map((zone) => ({ ...zone, records: [] })));
      this.#router = new Router(index, dns.forwarding ?? { upstreams: [], zones: [] }, dns.aliases ?? []);
    }
    return this.#router;
  }

  /**
   * Explains one subject. A name is first routed as the DNS server routes it, so a renamed
   * form (`.dclb.`, `.thisdcos.global`, the `mesos.thisdcos.directory` mirror) is explained as
   * the stored name it is answered from.
   */
  explain(subject: ExplainSubject, query: string, options: ExplainOptions = {}): Explanation {
    if (subject !== "name") return explain(this.context, subject, query, options);
    const key = nameKey(query.trim());
    const route = key === undefined ? undefined : this.router.route(key);
    const stored = route?.kind === "local" && route.alias !== undefined ? keyText(route.key) : query;
    const explained = explain(this.context, "name", stored);
    return explained.kind === "not-found" ? { ...explained, query } : explained;
  }

  /** What the DNS server answers to (`name`, `type`); undefined for a text that is no domain name. */
  answer(name: string, type: AnswerType): DnsAnswerView | undefined {
    return answerView(this.serving, name, type);
  }
}
