/**
 * @module
 * Service ports for IP-per-task apps that declare none (marathon-lb `ServicePortAssigner`,
 * `specs/l7.md` §2.4 step 3): each (app, task port) gets a port from the configured range,
 * chosen by hashing so that every LB computing from the same apps picks the same port. The
 * table lives for one reconcile only; apps are visited in id order, so the result does not
 * depend on the order Marathon listed them in.
 */
import { createHash } from "node:crypto";

export interface PortRange {
  min: number;
  max: number;
}

/** Assigns ports from one range; create one per reconcile. */
export class ServicePortAssigner {
  private readonly byKey = new Map<string, number>();
  private readonly taken = new Set<number>();

  constructor(private readonly range: PortRange) {}

  /**
   * The port for `appId`'s `taskPort`, or undefined when the range is exhausted.
   * @example new ServicePortAssigner({ min: 10050, max: 10100 }).assign("/ippt", 8080) // 10074
   */
  assign(appId: string, taskPort: number): number | undefined {
    const key = `${appId}-${taskPort}`;
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const size = this.range.max - this.range.min + 1;
    if (this.byKey.size >= size) return undefined;
    let port: number | undefined;
    for (let i = 0; i < 50 && port === undefined; i++) {
      const hash = createHash("sha1").update(`${key}-${i}`, "utf8").digest("hex");
      const candidate = this.range.min + (parseInt(hash.slice(0, 8), 16) % size);
      if (!this.taken.has(candidate)) port = candidate;
    }
    for (let candidate = this.range.min; port === undefined && candidate <= this.range.max; candidate++) {
      if (!this.taken.has(candidate)) port = candidate;
    }
    if (port === undefined) return undefined;
    this.byKey.set(key, port);
    this.taken.add(port);
    return port;
  }
}
