/**
 * `HAPROXY_{n}_BIND_OPTIONS` as HAProxy 2.6 reads a bind line: what it accepts passes through
 * normalised, what it would refuse comes back as a reason. `test/e2e/haproxy-check.test.ts`
 * holds the same table against the real `haproxy -c`.
 */
import { describe, expect, it } from "vitest";
import { parseBindOptions } from "../../../functions/haproxy/bind-options.ts";
import { BIND_OPTION_CASES, TLS } from "./bind-option-cases.ts";

describe("parseBindOptions", () => {
  it.each(BIND_OPTION_CASES)("%j on %j: accepted %s", (options, context, accepted, reason) => {
    const parsed = parseBindOptions(options, context);
    if (accepted) expect(parsed).toEqual({ value: options });
    else expect(parsed.error).toContain(reason);
  });

  it("normalises blanks and refuses what is not words", () => {
    expect(parseBindOptions("  alpn   h2 ", TLS)).toEqual({ value: "alpn h2" });
    expect(parseBindOptions("alpn 'h2'", TLS).error).toContain("has a quote");
    expect(parseBindOptions("   ", TLS).error).toBe("is empty");
  });
});
