import { describe, expect, it } from "vitest";
import { aclStem, backendName, cleanedUpAppId, cookieValue, serverId, serverName } from "../../../functions/haproxy/names.ts";
import { ServicePortAssigner } from "../../../functions/haproxy/service-port-assigner.ts";

describe("marathon-lb names (specs/l7.md §5.1)", () => {
  it("backend, ACL stem, app id and server names", () => {
    expect(backendName("/grp/web", 8080)).toBe("grp_web_8080");
    expect(backendName("/a.b-c/d", 1)).toBe("a.b-c_d_1");
    expect(aclStem("web.example.com", "/grp/web")).toBe("web_example_com_grp_web");
    expect(cleanedUpAppId("/nginx")).toBe("_nginx");
    expect(serverName("agent1", "1.1.1.1", 1024)).toBe("agent1_1_1_1_1_1024");
    expect(serverName("10.0.6.25", "10.0.6.25", 23336)).toBe("10_0_6_25_23336");
  });

  it("server ids match upstream's reference values", () => {
    const ids = (names: string[]) => {
      const taken = new Set<number>();
      return names.map((n) => serverId(n, taken));
    };
    expect(ids(["agent1_1_1_1_1_1024"])).toEqual([28363]);
    expect(ids(["agent1_192_0_2_1_1234"])).toEqual([15582]);
    expect(ids(["10_0_6_25_23336"])).toEqual([14676]);
    expect(ids(["0"])).toEqual([17068]);
    expect(ids(["1"])).toEqual([25733]);
    expect(ids(["a"])).toEqual([25929]);
    expect(ids(["uudnntiqtd"])).toEqual([26825]); // the first try gives 0
    // All collide on the first try in one backend.
    expect(ids(["yftjqzplpu", "ttccbfrdhi", "ilvparharq", "gpagkxfzou", "dcsfcvfolh", "tsqkugaath"])).toEqual([28876, 7893, 22002, 21805, 20892, 25675]);
  });

  it("the sticky cookie is sha1's first ten hex digits", () => {
    expect(cookieValue("agent1_1_1_1_1_1024")).toBe("d6ad48c81f");
  });
});

describe("ServicePortAssigner", () => {
  it("matches upstream's hashed choices", () => {
    expect(new ServicePortAssigner({ min: 10050, max: 10100 }).assign("/ippt", 8080)).toBe(10074);
    expect(new ServicePortAssigner({ min: 10050, max: 10100 }).assign("/legacy", 8080)).toBe(10089);
  });

  it("gives the same key the same port, and runs out after the range", () => {
    const assigner = new ServicePortAssigner({ min: 10000, max: 10020 });
    const ports = Array.from({ length: 21 }, (_, i) => assigner.assign(`/app${i}`, 80));
    expect(new Set(ports).size).toBe(21);
    expect(ports.every((p) => p! >= 10000 && p! <= 10020)).toBe(true);
    expect(assigner.assign("/app3", 80)).toBe(ports[3]);
    expect(assigner.assign("/one-more", 80)).toBeUndefined();
  });
});
