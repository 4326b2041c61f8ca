import { describe, expect, it } from "vitest";
import { isDottedQuad, parseIp, parsePid, splitHostPort } from "../../../lib/snapshot/adapters/mesos-state-address.ts";

describe("parseIp", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1", 4],
    ["0.0.0.0", "0.0.0.0", 4],
    ["255.255.255.255", "255.255.255.255", 4],
    ["2001:db8::1", "2001:db8::1", 6],
    ["FD01:B:0:0:0:1:8000:2", "fd01:b::1:8000:2", 6],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1", 6],
    ["::1", "::1", 6],
    ["::ffff:1.2.3.4", "1.2.3.4", 4],
  ])("reads %s as %s (IPv%i)", (text, address, family) => {
    expect(parseIp(text)).toEqual({ address, family });
  });

  it.each(["", "localhost", "1.2.3", "127.1", "256.0.0.1", "010.0.0.1", "0x7f.0.0.1", "1.2.3.4.5", "1.2.3.", ".1.2.3", "fe80::1%eth0", "2001:db8::g", "[2001:db8::1]", " 1.2.3.4"])(
    "rejects %j",
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );

  it("checks dotted quads strictly", () => {
    expect(isDottedQuad("1.2.3.4")).toBe(true);
    expect(isDottedQuad("1.2.3.04")).toBe(false);
    expect(isDottedQuad("1..3.4")).toBe(false);
  });
});

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
