/**
 * @module
 * Random 16-bit query IDs for forwarded queries (RFC 5452 §9.2: predictable IDs were
 * CVE-2019-19794 in CoreDNS), drawn from a buffer the CSPRNG refills, so a query costs two
 * byte reads rather than a call into the crypto library.
 */
import { randomFillSync } from "node:crypto";

export class RandomIds {
  readonly #pool = Buffer.allocUnsafe(4096);
  #next = this.#pool.length;

  /** @example new RandomIds().next() // 0–65535 */
  next(): number {
    if (this.#next + 2 > this.#pool.length) {
      randomFillSync(this.#pool);
      this.#next = 0;
    }
    const id = (this.#pool[this.#next]! << 8) | this.#pool[this.#next + 1]!;
    this.#next += 2;
    return id;
  }

  /** A copy of `message` carrying `id`. */
  static stamped(message: Buffer, id: number): Buffer {
    const copy = Buffer.from(message);
    copy.writeUInt16BE(id, 0);
    return copy;
  }
}
