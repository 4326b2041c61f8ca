/**
 * @module
 * Field schemas that the overlay configuration (`lib/snapshot/overlay-config.ts`) and the
 * overlay desired state (`overlay-schema.ts`) share: an overlay's name and an absolute path.
 * They live here, below both, so the desired state's schema does not import the snapshot's.
 */
import { z } from "zod";

/**
 * Names the master module rejects: they are Mesos's and Docker's built-in network names.
 */
export const RESERVED_OVERLAY_NAMES = ["host", "bridge", "default", "none"] as const;

/**
 * An overlay's name becomes the CNI network name, a file name and (with the `m-`/`d-` prefix)
 * a Linux interface name, which may be 15 characters at most: hence 13, and no characters
 * that are special in any of those places.
 */
export const OverlayName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "an overlay name is letters, digits, '-' and '_', starting with a letter or digit")
  .max(13, "an overlay name has at most 13 characters (the bridge 'm-<name>' must fit Linux's 15-character interface names)")
  .refine((name) => !(RESERVED_OVERLAY_NAMES as readonly string[]).includes(name.toLowerCase()), {
    message: `the names ${RESERVED_OVERLAY_NAMES.join(", ")} are reserved by Mesos and Docker`,
  });

/**
 * An absolute path without `.`/`..` segments; where CNI files go is never relative to
 * wherever the executor happens to run.
 */
export const AbsolutePath = z
  .string()
  .regex(/^\/([^/\0]+\/?)*$/, "an absolute path is expected")
  .refine((path) => !path.split("/").some((s) => s === "." || s === ".."), "'.' and '..' are not allowed in the path");
