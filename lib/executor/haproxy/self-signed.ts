/**
 * @module
 * The certificate the agent serves on :443 when the configured default (`/etc/ssl/cert.pem`)
 * is not on the node, as marathon-lb's image made one at start-up: a self-signed ECDSA P-256
 * certificate valid for ten years, with its key, in one PEM file as HAProxy's `crt` takes it.
 * node:crypto makes keys and signatures but not certificates, so the few DER structures of an
 * X.509 v3 certificate (RFC 5280 §4.1) are written here; no `openssl` binary is needed.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const COMMON_NAME = "2.5.4.3";
const TEN_YEARS_MS = 3650 * 86_400_000;

/**
 * A new self-signed certificate and its PKCS#8 key, PEM, for `commonName`, valid from `now`.
 * @example new X509Certificate(selfSignedPem("wayfinder", new Date())).subject // "CN=wayfinder"
 */
export function selfSignedPem(commonName: string, now: Date): string {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const serial = randomBytes(16);
  // A positive INTEGER in its shortest DER form: a first octet of 0 before one below 0x80 is
  // padding that OpenSSL refuses ("illegal padding"), so the top bits are fixed to 01.
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  const algorithm = sequence(objectId(ECDSA_WITH_SHA256));
  const name = sequence(tlv(0x31, sequence(objectId(COMMON_NAME), tlv(0x0c, Buffer.from(commonName, "utf8")))));
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // version: v3
    tlv(0x02, serial),
    algorithm,
    name,
    sequence(time(now), time(new Date(now.getTime() + TEN_YEARS_MS))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
  );
  const certificate = sequence(tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), sign("sha256", tbs, privateKey)])));
  const base64 = certificate.toString("base64").match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n${privateKey.export({ type: "pkcs8", format: "pem" }) as string}`;
}

/**
 * Makes sure `path` holds a certificate with its key, creating it (and its directory) when
 * it is missing or does not parse as one, and never touching a good one.
 * @example await ensureSelfSignedCertificate("/var/lib/wayfinder/haproxy/tls/self-signed.pem", new Date()) // "created"
 */
export async function ensureSelfSignedCertificate(path: string, now: Date): Promise<"present" | "created" | "replaced"> {
  const existing = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (existing !== undefined && holdsCertificateAndKey(existing)) return "present";
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const staged = `${path}.new`;
  await writeFile(staged, selfSignedPem("wayfinder", now), { mode: 0o600 });
  await rename(staged, path);
  return existing === undefined ? "created" : "replaced";
}

function holdsCertificateAndKey(pem: string): boolean {
  try {
    return new X509Certificate(pem).checkPrivateKey(createKey(pem));
  } catch {
    return false;
  }
}

function createKey(pem: string) {
  const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(pem);
  if (key === null) throw new Error("no private key");
  return createPrivateKey(key[0]);
}

// DER: tag, length, contents (X.690 §8.1).
function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const sequence = (...contents: Buffer[]) => tlv(0x30, ...contents);

function objectId(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split(".").map(Number) as [number, number, ...number[]];
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let n = arc >> 7; n > 0; n >>= 7) base128.unshift(0x80 | (n & 0x7f));
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 §4.1.2.5). */
function time(date: Date): Buffer {
  const digits = `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2))) : tlv(0x18, Buffer.from(digits));
}
