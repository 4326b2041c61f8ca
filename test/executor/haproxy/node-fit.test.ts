/**
 * Fitting the configs every node is sent to one node: the default certificate, when the node
 * lacks it, becomes the agent's self-signed one on bind lines only; an explicit `maxconn` the
 * node's open-file limit cannot hold is refused with the numbers; the limit is read from
 * `/proc/self/limits` text, malformed or unlimited included.
 */
import { describe, expect, it } from "vitest";
import { certificateReferences, configuredMaxconn, maxconnProblem, nodeFiles, type NodeFacts } from "../../../lib/executor/haproxy/node-fit.ts";
import { parseOpenFileLimit } from "../../../lib/executor/haproxy/node-facts.ts";

const SELF = "/var/lib/wayfinder/haproxy/tls/self-signed.pem";
const lacking: NodeFacts = { defaultCertificate: false, selfSignedCertificate: SELF };
const having: NodeFacts = { defaultCertificate: true, selfSignedCertificate: SELF };

const CONFIG = [
  "global",
  "  maxconn 2000",
  "  ca-base /etc/ssl/cert.pem",
  "defaults",
  "  maxconn 10000",
  "frontend marathon_https_in",
  "  bind *:443 ssl crt /etc/ssl/cert.pem crt /etc/ssl/other.pem",
  "frontend a_local",
  "  bind abns@a_local accept-proxy ssl crt /etc/ssl/cert.pem verify optional ca-file /etc/ssl/cert.pem",
  "frontend web_10000",
  "  bind *:10000 ssl crt /etc/ssl/cert.pem.bak",
  "",
].join("\n");

describe("nodeFiles", () => {
  it("names the self-signed certificate instead of a default the node lacks, on bind lines and for crt only", () => {
    const fitted = nodeFiles(new Map([["external.cfg", CONFIG], ["external/domain2backend.map", "crt /etc/ssl/cert.pem\n"]]), lacking);
    expect(fitted.get("external.cfg")).toBe(
      CONFIG.replace("ssl crt /etc/ssl/cert.pem crt", `ssl crt ${SELF} crt`).replace("accept-proxy ssl crt /etc/ssl/cert.pem verify", `accept-proxy ssl crt ${SELF} verify`),
    );
    expect(fitted.get("external/domain2backend.map")).toBe("crt /etc/ssl/cert.pem\n");
  });

  it("changes nothing where the default certificate exists", () => {
    expect(nodeFiles(new Map([["external.cfg", CONFIG]]), having).get("external.cfg")).toBe(CONFIG);
  });

  it("refuses a self-signed path a HAProxy config cannot hold as one word", () => {
    expect(() => nodeFiles(new Map([["external.cfg", CONFIG]]), { ...lacking, selfSignedCertificate: "/var/lib/my state/self.pem" })).toThrow(/cannot be named in a HAProxy config.*--state-dir/);
  });
});

describe("certificateReferences", () => {
  it("lists each crt of the bind lines with its section", () => {
    expect(certificateReferences(CONFIG)).toEqual([
      { path: "/etc/ssl/cert.pem", section: "frontend marathon_https_in" },
      { path: "/etc/ssl/other.pem", section: "frontend marathon_https_in" },
      { path: "/etc/ssl/cert.pem", section: "frontend a_local" },
      { path: "/etc/ssl/cert.pem.bak", section: "frontend web_10000" },
    ]);
  });
});

describe("maxconn against the open-file limit", () => {
  it("reads the global maxconn only", () => {
    expect(configuredMaxconn(CONFIG)).toBe(2000);
    expect(configuredMaxconn("global\n  log stdout\ndefaults\n  maxconn 10000\n")).toBeUndefined();
  });

  it.each([
    ["global\n  maxconn 50000\n", 20000, "maxconn 50000 needs more than 100000 open files, and this node allows 20000"],
    ["global\n  maxconn 50000\n", 65536, "maxconn 50000 needs more than 100000 open files, and this node allows 65536"],
    ["global\n  maxconn 50000\n", 131072, undefined],
    ["global\n  maxconn 10000\n", 20000, undefined],
    ["global\n  log stdout\n", 1024, undefined], // auto: HAProxy derives it from whatever the limit is
    ["global\n  maxconn 50000\n", undefined, undefined], // unlimited or unknown
  ])("%j under %s", (config, limit, problem) => {
    const found = maxconnProblem(config, limit);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe("parseOpenFileLimit", () => {
  const limits = (line: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax cpu time              unlimited            unlimited            seconds\n${line}\n`;

  it.each([
    [limits("Max open files            1024                 524288               files"), 524288],
    [limits("Max open files            20000                20000                files"), 20000],
    [limits("Max open files            unlimited            unlimited            files"), undefined],
    [limits("Max processes             100                  100                  processes"), undefined],
    ["", undefined],
    ["Max open files garbage", undefined],
  ])("%j → %s", (text, expected) => {
    expect(parseOpenFileLimit(text)).toBe(expected);
  });
});
