/**
 * @module
 * The records of one owner (a task, an agent, a framework, the masters, a named VIP) as the
 * keyed desired state holds them: tuples without TTL, sorted the way a zone is (name, then NS,
 * CNAME, A, AAAA, SRV, then value) and without repeats, so equal records always give equal
 * bytes. Records of one name from several owners are merged only when a zone is assembled
 * (`zone-assembly.ts`).
 */
import type { SrvData } from "../../lib/desired/schema.ts";
import type { RecordTuple, SrvTuple } from "../../lib/desired/object-values.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { RecordSink, ValueType } from "./zone-builder.ts";

const TYPE_ORDER: Record<RecordTuple[1], number> = { NS: 0, CNAME: 1, A: 2, AAAA: 3, SRV: 4 };

/**
 * @example
 * const own = new OwnerRecords();
 * own.add("web.marathon.mesos", "A", "10.0.0.1");
 * own.records() // [["web.marathon.mesos", "A", "10.0.0.1"]]
 */
export class OwnerRecords implements RecordSink {
  readonly #list: RecordTuple[] = [];

  add(name: string, type: ValueType, data: string): void {
    this.#list.push([name, type, data]);
  }

  addSrv(name: string, data: SrvData): void {
    this.#list.push([name, "SRV", [data.priority, data.weight, data.port, data.target]]);
  }

  /** True when nothing was added. */
  get empty(): boolean {
    return this.#list.length === 0;
  }

  /** The records, sorted, each once. */
  records(): RecordTuple[] {
    const sorted = this.#list.sort(compareRecords);
    return sorted.filter((r, i) => i === 0 || compareRecords(r, sorted[i - 1]!) !== 0);
  }
}

/**
 * A record tuple's SRV data in the DesiredState's shape.
 * @example srvData([0, 1, 31000, "web.mesos"]) // { priority: 0, weight: 1, port: 31000, target: "web.mesos" }
 */
export function srvData(tuple: SrvTuple): SrvData {
  return { priority: tuple[0], weight: tuple[1], port: tuple[2], target: tuple[3] };
}

/**
 * Hands a list of record tuples to a sink (a zone being assembled).
 * @example addTuples(zone, owner["mesos"] ?? [])
 */
export function addTuples(sink: RecordSink, records: readonly RecordTuple[]): void {
  for (const record of records) {
    if (record[1] === "SRV") sink.addSrv(record[0], srvData(record[2]));
    else sink.add(record[0], record[1], record[2]);
  }
}

function compareRecords(a: RecordTuple, b: RecordTuple): number {
  const byName = compareStrings(a[0], b[0]);
  if (byName !== 0) return byName;
  if (a[1] !== b[1]) return TYPE_ORDER[a[1]] - TYPE_ORDER[b[1]];
  if (a[1] !== "SRV") return compareStrings(a[2] as string, b[2] as string);
  const x = a[2];
  const y = b[2] as SrvTuple;
  return compareStrings(x[3], y[3]) || x[2] - y[2] || x[0] - y[0] || x[1] - y[1];
}
