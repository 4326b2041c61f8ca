import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dnsLabel, domainFragment } from "../../lib/net/dns-labels.ts";

// Vectors of specs/dns.md §1.2 (mesos-dns labels_test.go plus rows checked against the Go code).
const labelVectors: Array<[string, string, string | null]> = [
  ["4abc123", "4abc123", "abc123"],
  ["-4abc123", "4abc123", "abc123"],
  ["89fdgsf---gs7-fgs--d7fddg-123", "89fdgsf---gs7-fgs--d7fddg-123", "fdgsf---gs7-fgs--d7fddg1"],
  ["89fdgsf---gs7-fgs--d7fddg---123", "89fdgsf---gs7-fgs--d7fddg---123", "fdgsf---gs7-fgs--d7fddg1"],
  ["89fdgsf---gs7-fgs--d7fddg-", "89fdgsf---gs7-fgs--d7fddg", "fdgsf---gs7-fgs--d7fddg"],
  ["fd%gsf---gs7-f$gs--d7fddg-123", "fdgsf---gs7-fgs--d7fddg-123", "fdgsf---gs7-fgs--d7fddg1"],
  [
    "fd%gsf---gs7-f$gs--d7fddg123456789012345678901234567890123456789-123",
    "fdgsf---gs7-fgs--d7fddg1234567890123456789012345678901234567891",
    null,
  ],
  [
    "$$fdgsf---gs7-fgs--d7fddg123456789012345678901234567890123456789-123",
    "fdgsf---gs7-fgs--d7fddg1234567890123456789012345678901234567891",
    null,
  ],
  [
    "%%fdgsf---gs7-fgs--d7fddg123456789012345678901234567890123456789---123",
    "fdgsf---gs7-fgs--d7fddg1234567890123456789012345678901234567891",
    null,
  ],
  [
    "##fdgsf---gs7-fgs--d7fddg123456789012345678901234567890123456789-",
    "fdgsf---gs7-fgs--d7fddg123456789012345678901234567890123456789",
    null,
  ],
  [`hello${"-".repeat(56)}f`, `hello${"-".repeat(56)}f`, "hellof"],
  [`hello${"-".repeat(58)}f`, "hellof", "hellof"],
  ["chronos with a space AND MIXED CASE-2.0.1", "chronoswithaspaceandmixedcase-2-0-1", "chronoswithaspaceandmixe"],
  ["chronos with a space AND----------MIXED--", "chronoswithaspaceand----------mixed", "chronoswithaspaceandmixe"],
  ["", "", ""],
  ["-", "", ""],
  ["a---", "a", "a"],
  ["---a---", "a", "a"],
  ["---a---b", "a---b", "a---b"],
  ["a.b.c.d.e", "a-b-c-d-e", "a-b-c-d-e"],
  ["a.c.d_de.", "a-c-d-de", "a-c-d-de"],
  ["r29f.dev.angrypigs", "r29f-dev-angrypigs", "r29f-dev-angrypigs"],
  ["abc123-", "abc123", "abc123"],
  ["abc-123", "abc-123", "abc-123"],
  ["abc--123", "abc--123", "abc--123"],
  ["Big.Dog_2", "big-dog-2", "big-dog-2"],
  ["/mygroup/myapp", "mygroupmyapp", "mygroupmyapp"],
  ["myapp.mygroup", "myapp-mygroup", "myapp-mygroup"],
  ["0-dev", "0-dev", "dev"],
  [`a${"b".repeat(61)}--cd`, `a${"b".repeat(61)}c`, `a${"b".repeat(23)}`],
];

const fragmentVectors: Array<[string, string]> = [
  ["", ""],
  [".", ""],
  ["..", ""],
  ["...", ""],
  ["abc.", "abc"],
  [".abc", "abc"],
  ["a..c", "a.c"],
  [".a.c", "a.c"],
  ["a.c.", "a.c"],
  ["a..c.e", "a.c.e"],
  ["a.c..e", "a.c.e"],
  ["space space.com", "spacespace.com"],
  ["not$1234.com", "not1234.com"],
  ["(@ host . com", "host.com"],
  ["MiXeDcase.CoM", "mixedcase.com"],
  ["blah-dash.com", "blah-dash.com"],
];

describe("dnsLabel", () => {
  it.each(labelVectors)("sanitises %j as mesos-dns does", (input, rfc1123, rfc952) => {
    expect(dnsLabel(input, "rfc1123")).toBe(rfc1123);
    if (rfc952 !== null) expect(dnsLabel(input, "rfc952")).toBe(rfc952);
  });

  it("only ever outputs [0-9a-z-], never a leading dash, within the length cap", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 120 }), (input) => {
        const long = dnsLabel(input, "rfc1123");
        const short = dnsLabel(input, "rfc952");
        expect(long).toMatch(/^([0-9a-z][0-9a-z-]*)?$/);
        expect(short).toMatch(/^([a-z][0-9a-z-]*)?$/);
        expect(long.length).toBeLessThanOrEqual(63);
        expect(short.length).toBeLessThanOrEqual(24);
      }),
    );
  });
});

describe("domainFragment", () => {
  it.each(fragmentVectors)("turns %j into %j in both modes", (input, expected) => {
    expect(domainFragment(input, "rfc1123")).toBe(expected);
    expect(domainFragment(input, "rfc952")).toBe(expected);
  });

  it("keeps dots of framework names as label separators", () => {
    expect(domainFragment("chronos with a space AND MIXED CASE-2.0.1", "rfc1123")).toBe(
      "chronoswithaspaceandmixedcase-2.0.1",
    );
    expect(domainFragment("chronos with a space AND MIXED CASE-2.0.1", "rfc952")).toBe("chronoswithaspaceandmixe");
    expect(domainFragment("pod_123$abc.marathon-0.6.0-dev.mesos", "rfc1123")).toBe(
      "pod-123abc.marathon-0.6.0-dev.mesos",
    );
    expect(domainFragment("pod_123$abc.marathon-0.6.0-dev.mesos", "rfc952")).toBe("pod-123abc.marathon-0.dev.mesos");
  });
});
