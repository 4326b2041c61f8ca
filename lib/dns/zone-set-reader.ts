/**
 * @module
 * Reads the documents a DNS server loads its zones from into a zone set:
 * - a DesiredState (`wayfinder plan --json`, `GET /v1/desired/nodes/:id`);
 * - a ClusterSnapshot, reconciled here;
 * - a `zones.json` (`kind: DnsZones`, `lib/desired/dns-zones-file.ts`).
 * Every failure names the file and the JSON path.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { DesiredState } from "../desired/schema.ts";
import { DnsZonesFile } from "../desired/dns-zones-file.ts";
import { ClusterSnapshot } from "../snapshot/schema.ts";
import { InputError, inputIssues } from "../snapshot/issues.ts";
import { reconcile } from "../../functions/reconcile.ts";
import type { ZoneSet } from "./serving-state.ts";

/**
 * Reads any of the three documents into a zone set; throws an `InputError` (or an I/O
 * error) naming `path` when it cannot.
 * @example await readZoneSet("/var/lib/wayfinder/dns/zones.json") // { version: "9f86…", zones: [...], forwarding: {...} }
 */
export async function readZoneSet(path: string): Promise<ZoneSet> {
  const text = await readFile(path, "utf8");
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, [{ path: "", message: `not valid JSON: ${(error as Error).message}` }]);
  }
  return zoneSetOf(document, path);
}

/**
 * The zone set of a parsed document (see the module comment for the three kinds).
 * @example zoneSetOf(JSON.parse(text), "zones.json").version
 */
export function zoneSetOf(document: unknown, source: string): ZoneSet {
  const kind = documentKind(document);
  if (kind === "zones") {
    const file = parse(DnsZonesFile, document, source);
    return { version: file.hash, zones: file.dns.zones, forwarding: file.dns.forwarding, aliases: file.dns.aliases };
  }
  const desired = kind === "desired" ? parse(DesiredState, document, source) : reconcile(parse(ClusterSnapshot, document, source));
  return { version: desired.hash, zones: desired.dns.zones, forwarding: desired.dns.forwarding, aliases: desired.dns.aliases };
}

function documentKind(document: unknown): "zones" | "desired" | "snapshot" {
  if (typeof document !== "object" || document === null) return "snapshot";
  if ("kind" in document && document.kind === "DnsZones") return "zones";
  return "hash" in document && "dns" in document && !("cluster" in document) ? "desired" : "snapshot";
}

function parse<S extends z.ZodType>(schema: S, document: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(document);
  if (!result.success) throw new InputError(source, inputIssues(result.error));
  return result.data;
}
