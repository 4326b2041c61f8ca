/**
 * @module
 * `--l4-backend auto|nftables|ipvs`: which kernel facility programs the VIPs. `auto` takes IPVS
 * where the kernel has it (what DC/OS ran) and nftables elsewhere.
 */
import { existsSync } from "node:fs";
import type { Applier } from "../applier.ts";
import { createIpvsApplier, IPVS_PROC } from "./ipvs-applier.ts";
import { createNftablesApplier } from "./nftables-applier.ts";

export const L4_BACKENDS = ["auto", "nftables", "ipvs"] as const;
export type L4BackendChoice = (typeof L4_BACKENDS)[number];

/**
 * @example resolveL4Backend("auto", () => false) // "nftables"
 */
export function resolveL4Backend(choice: L4BackendChoice, ipvsAvailable: () => boolean = () => existsSync(IPVS_PROC)): "nftables" | "ipvs" {
  if (choice !== "auto") return choice;
  return ipvsAvailable() ? "ipvs" : "nftables";
}

/**
 * The L4 applier for a backend choice.
 * @example createL4Applier({ backend: "auto", netns: "wf123" }).name // "l4lb"
 */
export function createL4Applier(options: { backend?: L4BackendChoice; netns?: string } = {}): Applier {
  const backend = resolveL4Backend(options.backend ?? "auto");
  return (backend === "ipvs" ? createIpvsApplier({ netns: options.netns }) : createNftablesApplier({ netns: options.netns })) as Applier;
}
