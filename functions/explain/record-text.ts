/**
 * @module
 * Record data as a zone file writes it, one text for every type: what `explain` prints and
 * the dashboard shows, and the key that matches a stored record to the records owners put in.
 */
import type { SoaData, SrvData } from "../../lib/desired/schema.ts";

/**
 * @example recordDataText({ priority: 0, weight: 1, port: 31000, target: "web-x.marathon.mesos" }) // "0 1 31000 web-x.marathon.mesos"
 * @example recordDataText("10.0.1.11") // "10.0.1.11"
 */
export function recordDataText(data: string | SrvData | SoaData): string {
  if (typeof data === "string") return data;
  if ("target" in data) return `${data.priority} ${data.weight} ${data.port} ${data.target}`;
  return `${data.mname} ${data.rname} ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`;
}
