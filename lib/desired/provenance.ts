/**
 * @module
 * Where each piece of a DesiredState came from, told by the reconcilers themselves while they
 * build it: which owner (a task, an agent, a framework, a VIP, a master) put which DNS record
 * in, which task fills which HAProxy server, which overlay an address belongs to, and why a
 * subject produced nothing in an artifact (not running, no VIP label, quarantined by its
 * network's attach ACL, ...), where no diagnostic says so already. `explain` answers from these facts, so its reasons are the
 * reconcilers' own, never a second guess.
 *
 * Reporting is optional: `reconcile(snapshot)` passes no sink and pays one branch per call
 * site; the output is the same bytes either way (a test holds it). The sink is the only
 * module artifact folders share for it, so none of them imports another.
 */
import type { DnsRecordType, SrvData } from "./schema.ts";

/**
 * The artifacts a fact is about. `admission` is the step before them all: a task it
 * quarantines is in none of them (its `policy.attach-denied` diagnostic names the task, not
 * what it is missing, so the quarantine is told here too).
 */
export type ProvenanceArtifact = "admission" | "dns" | "l4lb" | "haproxy" | "overlay";

/** One server of an HAProxy backend as a group renders it. */
export interface HaproxyServerFact {
  /** The server's name in the config: `slot3`, or marathon-lb's `host_ip_port`. */
  name: string;
  ip: string;
  port: number;
  /** Rendered `disabled`: the task is draining (it keeps its connections, gets no new ones). */
  draining: boolean;
  taskId: string;
}

/** One app service port rendered into one LB group. */
export interface HaproxyServiceFact {
  appId: string;
  servicePort: number;
  /** The backend section's name, also the per-service frontend's. */
  backend: string;
  mode: "tcp" | "http";
  /** `HAPROXY_{n}_VHOST` hosts, routed by the shared :80/:443 frontends. */
  vhosts: string[];
  /** The per-service frontend's bind address (`*` for every address). */
  bindAddr: string;
  /** How many servers the backend has, used or free (slots), or one per task (marathon-lb naming). */
  size: number;
  servers: HaproxyServerFact[];
}

/** A task address inside an overlay's address space. */
export interface OverlayAddressFact {
  overlay: string;
  address: string;
  /** The overlay's whole space (`9.0.0.0/8`). */
  space: string;
  /** The slice the task's agent holds in that overlay, if any. */
  slice?: string;
  /** True when `slice` contains the address, so every node routes it to the task's agent. */
  routed: boolean;
}

/**
 * The sink reconcilers report to. Subjects and owners use the diagnostics' form:
 * `task:<id>`, `app:<id>`, `agent:<id>`, `framework:<id>`, `vip:<name or proto:ip:port>`,
 * `master:<entry>`, `zone:<origin>`.
 * @example reconcile(snapshot, { provenance: new ProvenanceLedger() })
 */
export interface Provenance {
  /** `owner` put the record (name, type, data) into a zone. */
  dnsRecord(owner: string, name: string, type: DnsRecordType, data: string | SrvData): void;
  /** `subject` produced nothing (or less) in `artifact`, for `reason`, and no diagnostic says so. */
  skipped(subject: string, artifact: ProvenanceArtifact, reason: string): void;
  /** `service` was rendered into LB group `group`. */
  haproxyService(group: string, service: HaproxyServiceFact): void;
  /** A running task's address lies in an overlay. */
  overlayAddress(taskId: string, fact: OverlayAddressFact): void;
}
