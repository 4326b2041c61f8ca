import { describe, expect, it } from "vitest";
import { ipvsDelta, ipvsServices, parseIpvsadmSave, renderIpvsadm } from "../../lib/render/ipvsadm.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { operatorSnapshot } from "../support/upstream-fixtures.ts";
import { service } from "./l4lb-fixtures.ts";

describe("renderIpvsadm: the rules dcos-l4lb programmed (§4.7)", () => {
  it("tcp-and-udp: a wlc service per protocol, masquerading weight-1 servers", () => {
    expect(renderIpvsadm(reconcile(operatorSnapshot("tcp-and-udp")))).toBe(
      [
        "-A -t 11.171.172.79:80 -s wlc",
        "-a -t 11.171.172.79:80 -r 172.17.0.3:6416 -m -w 1",
        "-A -u 11.171.172.79:80 -s wlc",
        "-a -u 11.171.172.79:80 -r 172.17.0.3:6416 -m -w 1",
        "",
      ].join("\n"),
    );
  });

  it("unhealthy: weight 0", () => {
    expect(renderIpvsadm(reconcile(operatorSnapshot("unhealthy")))).toBe("-A -t 11.216.117.52:80 -s wlc\n-a -t 11.216.117.52:80 -r 9.0.1.6:80 -m -w 0\n");
  });

  it("brackets IPv6 addresses", () => {
    expect(ipvsDelta([], ipvsServices([service("fd01:c::1", 53, [["fd01:b::2", 5353, 1]], "udp")]))).toBe(
      "-A -u [fd01:c::1]:53 -s wlc\n-a -u [fd01:c::1]:53 -r [fd01:b::2]:5353 -m -w 1\n",
    );
  });
});

describe("ipvsDelta", () => {
  const before = ipvsServices([service("11.0.0.1", 80, [["9.0.1.2", 80, 1], ["9.0.1.3", 80, 1]]), service("11.0.0.2", 80, [["9.0.1.4", 80, 1]])]);

  it("edits a weight in place, removes a gone server and a gone service", () => {
    const after = ipvsServices([service("11.0.0.1", 80, [["9.0.1.2", 80, 0], ["9.0.1.5", 80, 1]])]);
    expect(ipvsDelta(before, after)).toBe(
      ["-D -t 11.0.0.2:80", "-d -t 11.0.0.1:80 -r 9.0.1.3:80", "-e -t 11.0.0.1:80 -r 9.0.1.2:80 -m -w 0", "-a -t 11.0.0.1:80 -r 9.0.1.5:80 -m -w 1", ""].join("\n"),
    );
  });

  it("is empty when nothing changed", () => {
    expect(ipvsDelta(before, before)).toBe("");
  });

  it("reads back what it wrote (ipvsadm-save -n)", () => {
    const text = ipvsDelta([], before);
    expect(ipvsDelta(parseIpvsadmSave(text), before)).toBe("");
  });
});
