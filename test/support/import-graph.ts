/**
 * @module
 * The repository's own import graph, read from the source text, for the tests that hold the
 * architecture (`test/purity.test.ts`, `test/layering.test.ts`). Paths are relative to the
 * repository root (`lib/net/cidr.ts`), as the failures print them.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** Every `.ts` file under `dir`, recursively. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/**
 * The specifiers a file imports: `import … from`, `export … from` (type-only ones too) and
 * dynamic `import("…")`, which would otherwise be a way around the rules.
 */
export function importSpecifiers(file: string): string[] {
  const code = readFileSync(file, "utf8");
  const statics = [...code.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
  const dynamics = [...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!);
  return [...statics, ...dynamics];
}

/** A relative specifier as a path from the repository root; a package name as is. */
export function importTarget(file: string, specifier: string): string {
  return specifier.startsWith(".") ? relative(process.cwd(), resolve(dirname(file), specifier)) : specifier;
}
