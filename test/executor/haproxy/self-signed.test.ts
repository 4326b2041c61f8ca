/**
 * The self-signed certificate the agent serves when the default one is missing: a real X.509
 * certificate (node's own parser and the key check accept it), made once and then left alone,
 * and made again when the file the agent made earlier no longer holds one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureSelfSignedCertificate, selfSignedPem } from "../../../lib/executor/haproxy/self-signed.ts";

describe("selfSignedPem", () => {
  it("is a self-signed certificate valid for ten years, followed by its key", () => {
    const now = new Date("2026-03-01T12:00:00Z");
    const pem = selfSignedPem("wayfinder", now);
    const cert = new X509Certificate(pem);
    expect(cert.subject).toBe("CN=wayfinder");
    expect(cert.issuer).toBe("CN=wayfinder");
    expect(new Date(cert.validFrom).toISOString()).toBe("2026-03-01T12:00:00.000Z");
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(2036);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(pem).toMatch(/-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
  });

  it("writes GeneralizedTime for dates from 2050, as RFC 5280 asks", () => {
    const cert = new X509Certificate(selfSignedPem("wayfinder", new Date("2045-06-01T00:00:00Z")));
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(2055);
  });

  it("always encodes its random serial as DER allows (a 0 first octet before one below 0x80 is refused as padding)", () => {
    // One certificate in about 130 had such a serial before; 500 would have met one.
    for (let i = 0; i < 500; i++) {
      const certificate = new X509Certificate(selfSignedPem("wayfinder", new Date()));
      expect(certificate.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
    }
  });

  it("makes a new key and serial each time", () => {
    const a = new X509Certificate(selfSignedPem("wayfinder", new Date()));
    const b = new X509Certificate(selfSignedPem("wayfinder", new Date()));
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.publicKey.export({ type: "spki", format: "der" })).not.toEqual(b.publicKey.export({ type: "spki", format: "der" }));
  });
});

describe("ensureSelfSignedCertificate", () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), "wf-selfsigned-"))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("creates it once, private to the agent, and then leaves it alone", async () => {
    const path = join(dir, "tls", "self-signed.pem");
    expect(await ensureSelfSignedCertificate(path, new Date())).toBe("created");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "tls"))).mode & 0o777).toBe(0o700);
    const first = await readFile(path, "utf8");
    expect(await ensureSelfSignedCertificate(path, new Date())).toBe("present");
    expect(await readFile(path, "utf8")).toBe(first);
  });

  it.each([
    ["truncated", (pem: string) => pem.slice(0, 200)],
    ["without its key", (pem: string) => pem.slice(0, pem.indexOf("-----BEGIN PRIVATE KEY-----"))],
    ["with another certificate's key", (pem: string) => pem.slice(0, pem.indexOf("-----BEGIN PRIVATE KEY-----")) + selfSignedPem("x", new Date()).replace(/^[\s\S]*?(?=-----BEGIN PRIVATE KEY-----)/, "")],
  ])("makes it again when the file is %s", async (_name, damage) => {
    const path = join(dir, `damaged-${_name.replaceAll(" ", "-")}.pem`);
    await writeFile(path, damage(selfSignedPem("wayfinder", new Date())));
    expect(await ensureSelfSignedCertificate(path, new Date())).toBe("replaced");
    const pem = await readFile(path, "utf8");
    expect(new X509Certificate(pem).subject).toBe("CN=wayfinder");
  });
});
