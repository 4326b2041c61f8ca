import { describe, expect, it } from "vitest";
import { legacyVipLabel, parseVipLabel } from "../../../functions/task-facts/vip-label.ts";

describe("parseVipLabel", () => {
  it.each([
    ["/app:80", { kind: "named", label: "/app", port: 80 }],
    ["app:80", { kind: "named", label: "app", port: 80 }],
    ["/api.hello-world:80", { kind: "named", label: "/api.hello-world", port: 80 }],
    ["1.2.3.4:5000", { kind: "ip", ip: { address: "1.2.3.4", family: 4 }, port: 5000 }],
    ["fd01::1:80", { kind: "ip", ip: { address: "fd01::1", family: 6 }, port: 80 }],
    ["FD01:0:0::1:443", { kind: "ip", ip: { address: "fd01::1", family: 6 }, port: 443 }],
    // Not a strict literal, so a name (dcos-l4lb's rule); DNS sanitising happens later.
    ["10.0.0.256:80", { kind: "named", label: "10.0.0.256", port: 80 }],
    ["/a:65535", { kind: "named", label: "/a", port: 65535 }],
  ])("%j is %j", (value, vip) => {
    expect(parseVipLabel(value)).toEqual({ ok: true, vip });
  });

  it.each([
    ["/broken:http", "port 'http'"],
    ["/app", "expected <name or IP>:<port>"],
    ["/app:0", "port '0'"],
    ["/app:65536", "port '65536'"],
    ["/app:-1", "port '-1'"],
    ["/app:80\nbind :81", "whitespace or control"],
    ["/a\u0000b:81", "whitespace or control"],
    [":80", "empty"],
    ["/:80", "empty"],
    ["", "expected"],
  ])("rejects %j", (value, reason) => {
    const parsed = parseVipLabel(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe("legacyVipLabel", () => {
  it.each([
    ["VIP_PORT0", "tcp://1.2.3.4:5000", { index: 0, protocol: "tcp", vip: "1.2.3.4:5000" }],
    ["vip_port1", "UDP://jkl:80", { index: 1, protocol: "udp", vip: "jkl:80" }],
  ])("%s=%s", (key, value, expected) => {
    expect(legacyVipLabel(key, value)).toEqual(expected);
  });

  it("ignores other keys", () => {
    expect(legacyVipLabel("VIP_0", "tcp://x:1")).toBeUndefined();
    expect(legacyVipLabel("VIP_PORT01", "tcp://x:1")).toBeUndefined();
  });

  it("gives a reason for a value without a protocol", () => {
    expect(legacyVipLabel("VIP_PORT0", "1.2.3.4:5000")).toEqual({ reason: "expected tcp://<vip> or udp://<vip>" });
  });
});
