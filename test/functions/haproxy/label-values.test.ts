import { describe, expect, it } from "vitest";
import {
  parseAuth,
  parseBalance,
  parseBindAddress,
  parseBool,
  parseInteger,
  parseNetworks,
  parsePathPatterns,
  parseVhosts,
  parseWords,
} from "../../../functions/haproxy/label-values.ts";

describe("label value parsers", () => {
  it("booleans are marathon-lb's string_to_bool", () => {
    expect(["true", "T", "yes", "Y"].map(parseBool)).toEqual([true, true, true, true]);
    expect(["1", "on", "", "truthy"].map(parseBool)).toEqual([false, false, false, false]);
  });

  it("integers are Python int(): sign and blanks, nothing else", () => {
    expect(parseInteger(" -1 ").value).toBe(-1);
    expect(parseInteger("+7").value).toBe(7);
    expect(parseInteger("1.5").error).toContain("is not an integer");
    expect(parseInteger("0x10").error).toContain("is not an integer");
    expect(parseInteger("99999999999999999999").error).toContain("out of range");
  });

  it("vhosts are lower-cased, trimmed, and may be one-label wildcards", () => {
    expect(parseVhosts("Web.Example.TEST, *.apps.test").value).toEqual(["web.example.test", "*.apps.test"]);
    expect(parseVhosts("my_host.internal").value).toEqual(["my_host.internal"]);
    for (const bad of ["a.*.test", "*", "-a.test", "a..test", "a test", "a.test:80", "ünicode.test"]) expect(parseVhosts(bad).error, bad).toBeDefined();
  });

  it("paths are path_beg patterns: URL paths and -i", () => {
    expect(parsePathPatterns("-i /multiple /paths").value).toBe("-i /multiple /paths");
    expect(parsePathPatterns("/v2/api/derp").value).toBe("/v2/api/derp");
    for (const bad of ["", "-i", "api", "/a -m reg", "/a#b", "/a\"", "/a\\b"]) expect(parsePathPatterns(bad).error, bad).toBeDefined();
  });

  it("bind addresses are * or IP literals", () => {
    expect(parseBindAddress("*").value).toBe("*");
    expect(parseBindAddress("::1").value).toBe("::1");
    expect(parseBindAddress("127.1").error).toBeDefined();
    expect(parseBindAddress("localhost").error).toBeDefined();
  });

  it("words and balance keep HAProxy's tokens and refuse quoting", () => {
    expect(parseWords("ciphers AES128+EECDH:AES128+EDH force-tlsv12").value).toBe("ciphers AES128+EECDH:AES128+EDH force-tlsv12");
    expect(parseBalance("hdr(host)").value).toBe("hdr(host)");
    expect(parseBalance("url_param userid").value).toBe("url_param userid");
    expect(parseBalance("Round Robin").error).toBeDefined();
  });

  it("auth is exactly three parts", () => {
    expect(parseAuth("My Realm:alice:$6$salt$hash").value).toEqual({ realm: "My Realm", user: "alice", passwd: "$6$salt$hash" });
    expect(parseAuth("a:b:c:d").error).toContain("got 4");
    expect(parseAuth(":b:c").error).toContain("realm");
    expect(parseAuth("r:b c:d").error).toContain("user");
    expect(parseAuth("r:b:c d").error).toContain("password");
  });

  it("networks are addresses or CIDRs", () => {
    expect(parseNetworks(" 10.1.40.0/24  10.1.55.43 fd00::/8 ").value).toEqual(["10.1.40.0/24", "10.1.55.43", "fd00::/8"]);
    expect(parseNetworks("10.0.0.0/33").error).toBeDefined();
    expect(parseNetworks("").error).toBe("is empty");
  });
});
