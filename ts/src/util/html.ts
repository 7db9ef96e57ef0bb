// What the self-contained HTML pages (the report, the sweep and walk-forward pages) share: JSON safe
// inside a <script> element, and the text of an installed package's file to inline.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** JSON safe inside a <script> element. */
export const embedJson = (x: unknown): string => JSON.stringify(x).replace(/</g, "\\u003c");

/**
 * A package's root folder: where its exported package.json is, or else (d3 exports none) up from its
 * entry to its package.json (lightweight-charts has no require entry, only its package.json).
 */
function packageRoot(pkg: string): string {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    // Not exported: found from the entry below.
  }
  for (let dir = dirname(require.resolve(pkg)); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === pkg) return dir;
  }
  throw new Error(`the package ${pkg} was not found`);
}

/** The text of `file` (relative to the package's root) of an installed package, to inline in a page. */
export function packageText(pkg: string, file: string): string {
  return readFileSync(join(packageRoot(pkg), file), "utf8");
}
