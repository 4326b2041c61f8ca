/**
 * @module
 * The IPVS schedulers of the Linux kernel, shared by the config that picks one and the desired
 * state that carries it to the nodes, so both accept exactly the same names.
 */

/**
 * The `ip_vs_<name>` modules, ipvsadm(8) `-s`: a name outside this list would only fail later,
 * on the node, when ipvsadm loads the ruleset.
 * @example IPVS_SCHEDULERS.includes("wlc") // true
 */
export const IPVS_SCHEDULERS = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"] as const;

/** One of `IPVS_SCHEDULERS`. */
export type IpvsScheduler = (typeof IPVS_SCHEDULERS)[number];
