/**
 * @module
 * The DNS server's answer to one question, as data an operator reads (`explain name`, the
 * dashboard's DNS page): the same router, renames and authoritative lookup the UDP and TCP
 * servers answer from, so what is shown is what a client gets, never a second opinion.
 * Forwarded names are not forwarded here; the view says where they would go.
 */
import { z } from "zod";
import { planAnswer, type PlannedRecord } from "./authoritative.ts";
import type { ServingState } from "./serving-state.ts";
import { RCODE, TYPE, TYPE_NAMES } from "./wire/constants.ts";
import { keyText, nameKey } from "./wire/names.ts";

/** The question types the view answers. */
export const ANSWER_TYPES = ["A", "AAAA", "SRV", "CNAME", "NS", "SOA", "ANY"] as const;
export type AnswerType = (typeof ANSWER_TYPES)[number];

export const AnswerRecord = z.object({ name: z.string(), type: z.string(), ttl: z.number().int(), data: z.string() });
export type AnswerRecord = z.infer<typeof AnswerRecord>;

export const DnsAnswerView = z.object({
  question: z.object({ name: z.string(), type: z.enum(ANSWER_TYPES) }),
  /** `local`: answered from a local zone; `forward`: sent to `upstreams`; `refused`: nowhere to send it. */
  route: z.enum(["local", "forward", "refused"]),
  /** The stored name answered from, when a rename applies (`x.dclb.thisdcos.directory` → `x.l4lb.thisdcos.directory`). */
  canonical: z.string().optional(),
  zone: z.string().optional(),
  rcode: z.enum(["NOERROR", "NXDOMAIN", "REFUSED"]),
  answer: z.array(AnswerRecord),
  authority: z.array(AnswerRecord),
  additional: z.array(AnswerRecord),
  upstreams: z.array(z.string()).optional(),
});
export type DnsAnswerView = z.infer<typeof DnsAnswerView>;

const RCODE_NAMES: Readonly<Record<number, DnsAnswerView["rcode"]>> = { [RCODE.NOERROR]: "NOERROR", [RCODE.NXDOMAIN]: "NXDOMAIN", [RCODE.REFUSED]: "REFUSED" };

/**
 * The answer `state` gives to (`name`, `type`); undefined when `name` is not a domain name.
 * @example answerView(state, "web.marathon.mesos", "A")?.answer // [{ name: "web.marathon.mesos", type: "A", ttl: 60, data: "10.0.1.11" }, ...]
 */
export function answerView(state: ServingState, name: string, type: AnswerType): DnsAnswerView | undefined {
  const key = nameKey(name.trim());
  if (key === undefined) return undefined;
  const question = { name: keyText(key), type };
  const route = state.router.route(key);
  if (route.kind === "refused") return { question, route: "refused", rcode: "REFUSED", answer: [], authority: [], additional: [] };
  if (route.kind === "forward") {
    const upstreams = route.upstreams.map((u) => (u.ip.includes(":") ? `[${u.ip}]:${u.port}` : `${u.ip}:${u.port}`));
    return { question, route: "forward", zone: route.zone, rcode: "NOERROR", answer: [], authority: [], additional: [], upstreams };
  }
  const plan = planAnswer(state.index, route.key, TYPE[type], route.alias);
  const zone = state.index.zoneFor(route.key)?.origin;
  return {
    question,
    route: "local",
    ...(route.key === key ? {} : { canonical: keyText(route.key) }),
    ...(zone === undefined ? {} : { zone }),
    rcode: RCODE_NAMES[plan.rcode] ?? "NOERROR",
    answer: [...plan.chain, ...plan.rrset].map(viewOf),
    authority: plan.authority.map(viewOf),
    additional: plan.additional.map(viewOf),
  };
}

function viewOf(record: PlannedRecord): AnswerRecord {
  return { name: keyText(record.owner), type: TYPE_NAMES[record.type] ?? String(record.type), ttl: record.ttl, data: dataText(record) };
}

/** Record data in zone-file form. */
function dataText(record: PlannedRecord): string {
  const data = record.data;
  switch (data.kind) {
    case "a":
    case "aaaa":
      return data.address;
    case "name":
      return keyText(data.key);
    case "srv":
      return `${data.priority} ${data.weight} ${data.port} ${keyText(data.key)}`;
    case "soa":
      return `${keyText(data.mname)} ${keyText(data.rname)} ${data.soa.serial} ${data.soa.refresh} ${data.soa.retry} ${data.soa.expire} ${data.soa.minimum}`;
  }
}
