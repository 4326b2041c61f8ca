/**
 * @module
 * `previous.l4lb`: the named-VIP addresses the last desired state handed out, so that a named
 * VIP keeps its address while it exists, whatever VIPs come and go around it. It is the desired
 * state's `l4lb.namedVips` fed back, so it lives with the desired state's schemas (as
 * `PreviousOverlay` does) and the snapshot schema imports it from here.
 */
import { z } from "zod";

/** One named VIP's address in one family (a name with IPv4 and IPv6 backends has two entries). */
export const PreviousNamedVip = z.object({
  /** The VIP's name without the zone: `<label>.<framework>`, e.g. `app.marathon`. */
  name: z.string().min(1),
  ip: z.string().min(1),
  /** The snapshot time the VIP last had backends; absent means "now" (it is in the table). */
  lastSeen: z.iso.datetime({ offset: true }).optional(),
});
export type PreviousNamedVip = z.infer<typeof PreviousNamedVip>;

export const PreviousL4lb = z.object({ namedVips: z.array(PreviousNamedVip).default([]) }).strict();
export type PreviousL4lb = z.infer<typeof PreviousL4lb>;
