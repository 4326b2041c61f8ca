/**
 * @module
 * Which relative paths the files applier may write. Rendered paths come from data (zone
 * origins, group names, agent ids), so a hostile or buggy name must never reach outside the
 * target directory or collide with the applier's own bookkeeping files.
 */

/** The record of files the applier wrote, at the root of its directory. */
export const MANIFEST_NAME = ".wayfinder-manifest.json";

/** Suffix of the temporary files a write goes through before its rename. */
export const TEMP_SUFFIX = ".wayfinder-tmp";

/** A path the applier refuses to write; the message names it and the rule it breaks. */
export class UnsafePathError extends Error {
  override readonly name = "UnsafePathError";
}

/**
 * Returns `path` if it is a plain relative path inside the directory, else throws:
 * `/`-separated segments, none empty, `.` or `..`, no backslash or NUL, and not one of the
 * applier's own file names.
 * @example checkRelativePath("dns/mesos.zone") // "dns/mesos.zone"
 * @example checkRelativePath("../etc/passwd") // throws UnsafePathError
 */
export function checkRelativePath(path: string): string {
  const reject = (why: string): never => {
    throw new UnsafePathError(`refusing to write ${JSON.stringify(path)}: ${why}`);
  };
  if (path === "") reject("the path is empty");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) reject("absolute paths are not allowed");
  if (path.includes("\\")) reject("backslashes are not allowed (use '/')");
  if (path.includes("\0")) reject("NUL is not allowed");
  for (const segment of path.split("/")) {
    if (segment === "") reject("empty path segments are not allowed");
    if (segment === "." || segment === "..") reject(`'${segment}' segments are not allowed`);
    if (segment.endsWith(TEMP_SUFFIX)) reject(`names ending in ${TEMP_SUFFIX} are reserved for temporary files`);
  }
  if (path === MANIFEST_NAME) reject(`${MANIFEST_NAME} is the applier's manifest`);
  return path;
}
