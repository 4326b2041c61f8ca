/**
 * @module
 * Synchronous digests for the pure core. `node:crypto` is available on Node and on Workers
 * (with `nodejs_compat`); WebCrypto would force every reconciler to be async.
 */
import { createHash } from "node:crypto";

/** Hex sha256 of a UTF-8 string. @example sha256Hex("") // "e3b0c442..." */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Raw SHA-1 of a UTF-8 string (mesos-dns task hashes, dcos-l4lb IPv6 VIPs). */
export function sha1Bytes(text: string): Buffer {
  return createHash("sha1").update(text, "utf8").digest();
}
