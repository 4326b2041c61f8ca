/**
 * @module
 * The fixed names and numbers of the DC/OS overlay data plane. The master module hard-coded
 * them (`vtep1024`, VNI 1024) and dcos-net programmed them (UDP 64000, table 42); keeping them
 * makes a wayfinder node interoperate with a DC/OS one during a migration. They are data here,
 * in one place, so the reconciler that emits them and the applier that owns them agree.
 */

/** The VXLAN device every overlay of a node shares. */
export const VTEP_NAME = "vtep1024";
/** The VXLAN network identifier. */
export const VTEP_VNI = 1024;
/** VXLAN's UDP destination port: DC/OS used 64000, not IANA's 4789. */
export const VTEP_PORT = 64000;
/**
 * The routing table consulted first for traffic sourced from an overlay address: it sends
 * packets for another node's underlay IP through the tunnel, so they arrive un-NATed.
 */
export const OVERLAY_TABLE = 42;
/** The kernel's main routing table. */
export const MAIN_TABLE = 254;
/** Prefixes of the Mesos (UCR) and Docker bridge names: `m-dcos`, `d-dcos`. */
export const MESOS_BRIDGE_PREFIX = "m-";
export const DOCKER_BRIDGE_PREFIX = "d-";
/** The CNI spec version of the configs we write. */
export const CNI_VERSION = "1.0.0";
/** Key of a master's node entry (masters have no agent id): `master@10.0.0.1`. */
export const masterNodeKey = (ip: string): string => `master@${ip}`;
