/**
 * @module
 * Random 16-bit numbers for forwarded queries: their IDs (RFC 5452 §9.2: predictable IDs
 * were CVE-2019-19794 in CoreDNS) and the socket each leaves from, drawn from a buffer the
 * CSPRNG refills, so a number costs two byte reads rather than a call into the crypto library.
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
}
