import { describe, expect, it } from "vitest";
import { formatListenAddress, parseListenAddress } from "../../lib/net/listen-address.ts";

describe("parseListenAddress", () => {
  it.each([
    ["127.0.0.1:8080", { host: "127.0.0.1", port: 8080 }],
    ["0.0.0.0:0", { host: "0.0.0.0", port: 0 }],
    ["localhost:80", { host: "localhost", port: 80 }],
    ["[::1]:8080", { host: "::1", port: 8080 }],
  ])("%s", (text, address) => {
    expect(parseListenAddress(text)).toEqual(address);
    expect(formatListenAddress(address)).toBe(text);
  });

  it.each(["8080", "127.0.0.1", "::1:8080", "host:65536", "host:http", ":8080", "[::1]", "[not-v6]:53", ""])("rejects %j, quoting it", (text) => {
    expect(() => parseListenAddress(text)).toThrow(`HOST:PORT or [IPV6]:PORT with a port of 0-65535 (got '${text}')`);
  });
});
