import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { agentTail, taskHash } from "../../lib/net/task-hash.ts";

describe("taskHash", () => {
  // specs/dns.md §1.3: the test vector and the eight task IDs of fake.json.
  it.each([
    ["test", "iffe9"],
    ["liquor-store.b8db9f73-562f-11e4-a088-c20493233aa5", "4dfjd"],
    ["liquor-store.b71166c1-562f-11e4-a088-c20493233aa5", "zasmd"],
    ["car-store.43758382-562f-11e4-a088-c20493233aa5", "zinaz"],
    ["chronos.49b91a9a-3dda-11e4-a088-c20493233aa5", "rx8q6"],
    ["nginx.1bc32344-3dda-11e4-a088-c20493233aa5", "6ud99"],
    ["reviewbot.8c9b3434-615a-11e4-a088-c20493233aa5", "8sq89"],
    ["toy-store.b8db9f73-562f-11e4-a088-c20493233aa5", "go588"],
    ["some-box.b8db9f73-562f-11e4-a088-c20493233aa5", "h3dyr"],
  ])("hashes %s to %s", (id, hash) => {
    expect(taskHash(id)).toBe(hash);
  });
});

describe("agentTail", () => {
  it("takes the last dash field, lowercased", () => {
    expect(agentTail("20140803-125133-3041283216-5050-2410-0")).toBe("0");
    expect(agentTail("3de98647-82e7-4a22-8fb5-32df27c1ef69-S1")).toBe("s1");
  });
});

describe("taskHash's SHA-1", () => {
  // The hash is computed in plain JS; node:crypto is the reference, over the UTF-8 encoding
  // (lone surrogates become U+FFFD) and across the 55/56/64-byte padding boundaries.
  const reference = (id: string) => {
    const bits = createHash("sha1").update(id, "utf8").digest().readUInt32BE(0);
    let out = "";
    for (let i = 0; i < 5; i++) out += "ybndrfg8ejkmcpqxot1uwisza345h769"[(bits >>> (27 - 5 * i)) & 31];
    return out;
  };
  it.each(["", "a".repeat(55), "a".repeat(56), "a".repeat(63), "a".repeat(64), "x".repeat(1000), "ünïcødé-€", "𝄞".repeat(40), "\ud800x", "y\udc00"])(
    "matches node:crypto for %j",
    (id) => {
      expect(taskHash(id)).toBe(reference(id));
    },
  );
});
