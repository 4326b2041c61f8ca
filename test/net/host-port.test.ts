import { describe, expect, it } from "vitest";
import { parsePid, splitHostPort } from "../../lib/net/host-port.ts";

describe("splitHostPort", () => {
  it.each([
    ["10.0.0.1:5050", "10.0.0.1", 5050],
    ["[2001:db8::1]:0", "2001:db8::1", 0],
    ["master-1.example:65535", "master-1.example", 65535],
  ])("splits %s", (text, host, port) => {
    expect(splitHostPort(text)).toEqual({ host, port });
  });

  it.each(["10.0.0.1", "10.0.0.1:", "10.0.0.1:65536", "10.0.0.1:5o50", "2001:db8::1:5050", "[2001:db8::1:5050", "10.0.0.1:-1"])("rejects %j", (text) => {
    expect(splitHostPort(text)).toBeUndefined();
  });
});

describe("parsePid", () => {
  it("parses IPv4, IPv6 and hostname PIDs", () => {
    expect(parsePid("slave(1)@1.2.3.10:5051")).toEqual({ id: "slave(1)", host: "1.2.3.10", port: 5051 });
    expect(parsePid("scheduler(1)@[2001:db8::1]:25501")).toEqual({ id: "scheduler(1)", host: "2001:db8::1", port: 25501 });
    expect(parsePid("master@leader.example:5050")).toEqual({ id: "master", host: "leader.example", port: 5050 });
  });

  // The leaders TestMasterRecord expects to produce nothing (specs/dns.md §1.7).
  it.each(["", "@", "1@", "@2", "3@4", "a@b@1.2.3.4:5", "master@:5050", "master@1.2.3.4"])("rejects %j", (pid) => {
    expect(parsePid(pid)).toBeUndefined();
  });
});
