/**
 * @module
 * The 5-character task hash of mesos-dns canonical names (`T-hash-tail`): the first 25 bits of
 * SHA-1 over the task ID in z-base-32 (MSB first, no padding).
 */
import { sha1Bytes } from "./digest.ts";

const ZBASE32 = "ybndrfg8ejkmcpqxot1uwisza345h769";

/**
 * @example taskHash("test") // "iffe9"
 */
export function taskHash(taskId: string): string {
  const d = sha1Bytes(taskId);
  const bits = ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
  let out = "";
  for (let i = 0; i < 5; i++) out += ZBASE32[(bits >>> (27 - 5 * i)) & 31];
  return out;
}

/**
 * The last `-`-separated field of an agent ID, lowercased: `...-S1` → `s1`.
 * @example agentTail("20140803-125133-3041283216-5050-2410-0") // "0"
 */
export function agentTail(agentId: string): string {
  return agentId.slice(agentId.lastIndexOf("-") + 1).toLowerCase();
}
