import { describe, expect, it } from "vitest";
import { L4Service } from "../../lib/desired/schema.ts";
import { IPVS_SCHEDULERS } from "../../lib/desired/ipvs-schedulers.ts";
import { L4lbConfig } from "../../lib/snapshot/config.ts";

const service = (scheduler: string) => ({ vip: { ip: "11.0.0.1", port: 80, protocol: "tcp" }, scheduler, backends: [] });

describe("the IPVS scheduler in the desired state", () => {
  it("accepts every scheduler the config accepts", () => {
    for (const scheduler of IPVS_SCHEDULERS) {
      expect(L4lbConfig.safeParse({ scheduler }).success).toBe(true);
      expect(L4Service.safeParse(service(scheduler)).success).toBe(true);
    }
  });

  it("refuses a name the kernel has no module for, as the config does", () => {
    for (const scheduler of ["bogus", "wlc\n-C", "WLC"]) {
      expect(L4lbConfig.safeParse({ scheduler }).success).toBe(false);
      expect(L4Service.safeParse(service(scheduler)).success).toBe(false);
    }
  });
});
