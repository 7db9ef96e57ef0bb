// Compiles a strategy file (with the local files it imports) to one ES module with esbuild, cached by content under ~/.cache/ferrobt/strategies.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as Esbuild from "esbuild";
import { FerrobtError } from "../errors.js";
import { cacheDirOf } from "../util/cache-dir.js";
import { writeWhole } from "../util/files.js";

/** Bumped when the compiled form changes, so older cache entries are never read. */
const CACHE_FORMAT = "1";

/** One cache entry's inputs: each local file compiled into it (and the tsconfig.json in force) with its content hash. */
interface Manifest {
  readonly inputs: readonly (readonly [path: string, sha256: string])[];
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** The compiled strategies' folder of ferrobt's cache directory. */
export function cacheDir(): string {
  return cacheDirOf("strategies");
}

/** The package's exports (package.json), by specifier: the module of this copy each one names, without extension. */
const OWN_EXPORTS: Readonly<Record<string, string>> = { ferrobt: "index", "ferrobt/reference": "reference", "ferrobt/research": "research/index" };

/**
 * This process's own module for an export of the package (dist/….js when built, ts/src/….ts under
 * tsx), which the strategy's `import "ferrobt…"` is bound to; undefined for any other specifier.
 */
function ownModuleUrl(specifier: string): string | undefined {
  const name = OWN_EXPORTS[specifier];
  if (name === undefined) return undefined;
  const js = new URL(`../${name}.js`, import.meta.url);
  return existsSync(fileURLToPath(js)) ? js.href : new URL(`../${name}.ts`, import.meta.url).href;
}

/** The nearest tsconfig.json at or above `dir` (esbuild reads it for the files there). */
function nearestTsconfig(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, "tsconfig.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(d) === d) return undefined;
  }
}

function fileHash(path: string): string | undefined {
  try {
    return sha256(readFileSync(path));
  } catch {
    return undefined;
  }
}

/**
 * The URL of `file` compiled to one ES module: taken from the cache when the file and every input
 * recorded with it are unchanged, else built with esbuild (the one tsx brings) and cached.
 * `import "ferrobt"` (and its subpaths "ferrobt/reference", "ferrobt/research") binds to this process's
 * copy; other packages stay external, resolved from the strategy's directory.
 */
export async function compiledStrategyUrl(file: string): Promise<string> {
  const entry = resolve(file);
  let source: Buffer;
  try {
    source = readFileSync(entry);
  } catch (cause) {
    throw new FerrobtError("ERR_IO", `argument 'strategy': cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, {
      cause,
    });
  }
  // The entries of this copy are one folder: its entry's URL keys them all.
  const ferrobt = ownModuleUrl("ferrobt") as string;
  const key = sha256([CACHE_FORMAT, process.versions.node, ferrobt, entry, sha256(source)].join("\0"));
  const dir = cacheDir();
  const code = join(dir, `${key}.mjs`);
  const manifestPath = join(dir, `${key}.json`);
  if (existsSync(code) && isFresh(manifestPath)) return pathToFileURL(code).href;

  const { text, inputs } = await build(entry, code);
  const tsconfig = nearestTsconfig(dirname(entry));
  const manifest: Manifest = { inputs: [...inputs, ...(tsconfig ? [tsconfig] : [])].map((p) => [p, fileHash(p) ?? ""] as const) };
  try {
    mkdirSync(dir, { recursive: true });
    // Code first, manifest last, each by rename: a reader that finds the manifest finds complete code.
    writeWhole(code, text);
    writeWhole(manifestPath, JSON.stringify(manifest));
  } catch (cause) {
    throw new FerrobtError(
      "ERR_IO",
      `cannot write the compiled strategy to ${dir} (${(cause as Error).message}); set FERROBT_CACHE_DIR to a writable directory`,
      { cause },
    );
  }
  return pathToFileURL(code).href;
}

/** True when the manifest exists and every input it lists still has the recorded content. */
function isFresh(manifestPath: string): boolean {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  } catch {
    return false;
  }
  return manifest.inputs.every(([path, hash]) => fileHash(path) === hash);
}

/** esbuild, resolved through tsx (which depends on it). */
function loadEsbuild(): typeof Esbuild {
  const fromTsx = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"));
  return fromTsx("esbuild") as typeof Esbuild;
}

const IMPORT_META = /\bimport\.meta\.(url|dirname|filename)\b/g;
const LOADERS: Record<string, Esbuild.Loader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
};

/** Bundles the strategy and its local imports into one module; returns its text and the local files read. */
async function build(entry: string, outfile: string): Promise<{ text: string; inputs: string[] }> {
  const esbuild = loadEsbuild();
  const SKIP = Symbol("resolving");
  const plugin: Esbuild.Plugin = {
    name: "ferrobt-strategy",
    setup(b) {
      // Bare specifiers stay imports: ferrobt and its subpaths → this process's copy, a package → its resolved file.
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === SKIP) return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const own = ownModuleUrl(args.path);
        if (own !== undefined) return { path: own, external: true };
        const found = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: SKIP });
        if (found.errors.length > 0) return { errors: found.errors };
        return { path: pathToFileURL(found.path).href, external: true };
      });
      // Each bundled file keeps its own import.meta.url / dirname / filename (the bundle lives in the cache).
      b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        const values: Record<string, string> = { url: pathToFileURL(args.path).href, dirname: dirname(args.path), filename: args.path };
        const contents = readFileSync(args.path, "utf8").replace(IMPORT_META, (_, k: string) => JSON.stringify(values[k]));
        return { contents, loader: LOADERS[extname(args.path)] ?? "ts" };
      });
    },
  };
  let result: Esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      outfile,
      absWorkingDir: dirname(entry),
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "node",
      target: `node${process.versions.node}`,
      sourcemap: "inline",
      logLevel: "silent",
      plugins: [plugin],
    });
  } catch (cause) {
    const failure = cause as Esbuild.BuildFailure;
    const first = failure.errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : "";
    throw new FerrobtError("ERR_ARGUMENT", `argument 'strategy': ${entry} does not compile: ${where}${first?.text ?? failure.message}`, { cause });
  } finally {
    // esbuild's service process would otherwise stay up beside the backtest, competing for the CPU.
    void esbuild.stop();
  }
  const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(dirname(entry), p));
  return { text: result.outputFiles[0].text, inputs };
}
