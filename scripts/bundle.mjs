// Bundles dist (tsc's output) into one CommonJS file, dist/bundle/ferrobt.cjs, so a process loads one
// script instead of about sixty modules, and the command line compiles it from a V8 code cache
// (dist/bundle-loader.js runs it; Node 20 has no compile cache for ES modules). The entry files tsc wrote
// (the package's exports, the CLI and the pool thread) become ES modules re-exporting their part of it,
// each part evaluated on first use. One build, so every class exists once: a strategy's `import "ferrobt"`,
// the CLI and a worker thread's task share them.
// Run after tsc (npm run build:ts does); bundling the re-exports again would be circular.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const dist = join(root, "dist");
const out = join(dist, "bundle");
// The esbuild tsx brings (the one strategies are compiled with).
const esbuild = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"))("esbuild");
/** The first line of an entry file once it re-exports from the bundle. */
const MARKER = "// Bundled: see scripts/bundle.mjs.";
/** `to` relative to the directory `from`, as a URL path. */
const urlPath = (from, to) => relative(from, to).split("\\").join("/");

/** The bundle's export (see ts/src/bundle-loader.ts) → the tsc output it evaluates (replaced by a re-export afterwards). */
const entries = {
  index: "index.js",
  reference: "reference.js",
  research: "research/index.js",
  poolWorker: "research/pool-worker.js",
  cli: "cli/main.js",
};

for (const file of Object.values(entries)) {
  if (readFileSync(join(dist, file), "utf8").includes(MARKER))
    throw new Error(`dist/${file} is already bundled: run tsc -p tsconfig.build.json first (npm run build:ts)`);
}

rmSync(out, { recursive: true, force: true });

/** The names each entry exports, read from an ES module build that is not written. */
const analysis = await esbuild.build({
  entryPoints: Object.values(entries).map((file) => join(dist, file)),
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  packages: "external",
  write: false,
  metafile: true,
  logLevel: "warning",
});
const exportsOf = Object.fromEntries(
  Object.values(analysis.metafile.outputs)
    .filter((o) => o.entryPoint)
    .map((o) => [resolve(root, o.entryPoint), o.exports]),
);

/**
 * Numeric constants each dist module exports (`export const NAME = <number>`), by module path. The
 * bundle hoists every module's declarations out of its lazy initialiser into `var`s of one scope, so a
 * constant stays a mutable variable there, which V8's optimising compiler loads and checks on every
 * use; inlined as a literal it costs nothing (about 1.7 % of a backtest's instructions for the
 * constants modules import, the order path's codes and the minute constant; 1.4 % more for those a
 * module reads from its own declarations, the window views' column positions and byte width among them).
 */
const numericExports = new Map();
/** A numeric literal of the source as `define` takes it (decimal, no separators). */
const literal = (source) => String(Number(source.replaceAll("_", "")));
const NUMBER = /^\s*(\w+)\s*=\s*(-?(?:0x[\da-f_]+|\d[\d_]*(?:\.[\d_]*)?(?:e[+-]?\d+)?))\s*$/i;
/** A top-level `const` declaration of a dist module, exported or not (group 1: "export ", group 2: its declarators). */
const DECLARATION = /^(export )?const ([^;]*);$/gm;
/** The declarators of a declaration's list, each `[name, value]` when it is a numeric literal, else undefined. */
const numericDeclarators = (list) => list.split(",").map((part) => NUMBER.exec(part)?.slice(1, 3));
function numericExportsOf(path) {
  let found = numericExports.get(path);
  if (found) return found;
  found = new Map();
  for (const [, exported, list] of readFileSync(path, "utf8").matchAll(DECLARATION)) {
    if (!exported) continue;
    for (const d of numericDeclarators(list)) if (d) found.set(d[0], literal(d[1]));
  }
  numericExports.set(path, found);
  return found;
}

/**
 * `text` (a dist module at `path`) with its numeric constants as literals: those it imports from
 * other dist modules leave its import lists, and its own top-level ones (`const NAME = <number>`, every
 * name of the declaration a number) leave their declarations, an exported one staying exported under
 * a renamed declaration. esbuild's `define` then puts their values wherever they are read as
 * identifiers (never in strings, property names, or where a local declaration shadows them). An
 * import list left empty keeps the import for its module's evaluation order.
 */
function inlineNumbers(path, text) {
  const define = {};
  let rewritten = text.replace(/^import \{([^}]*)\} from "(\.[^"]+)";$/gm, (all, list, spec) => {
    const values = numericExportsOf(resolve(dirname(path), spec));
    if (values.size === 0) return all;
    const kept = [];
    for (const item of list
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean)) {
      const [name, local = name] = item.split(/\s+as\s+/);
      if (values.has(name)) define[local] = values.get(name);
      else kept.push(item);
    }
    return kept.length > 0 ? `import { ${kept.join(", ")} } from "${spec}";` : `import "${spec}";`;
  });
  rewritten = rewritten.replace(DECLARATION, (all, exported, list) => {
    const parts = numericDeclarators(list);
    if (parts.some((d) => d === undefined)) return all;
    for (const [name, value] of parts) define[name] = literal(value);
    if (!exported) return "";
    return `const ${parts.map(([name, value]) => `${OWN}${name} = ${value}`).join(", ")};\nexport { ${parts.map(([name]) => `${OWN}${name} as ${name}`).join(", ")} };`;
  });
  if (Object.keys(define).length === 0) return text;
  return esbuild.transformSync(rewritten, { loader: "js", format: "esm", target: "node20", define, sourcefile: path }).code;
}

/** The prefix of a module's own exported numeric constant once renamed (its exported name stays). */
const OWN = "__ferrobtNumber_";

/**
 * Modules find files beside themselves through import.meta.url (the native loader, the browser scripts
 * of the reports, the pool thread's module, the entry a strategy's "ferrobt" binds to). In the bundle,
 * each one's import.meta.url becomes the URL of the file it was, relative to the bundle's own URL
 * (`__ferrobtUrl`, given by the loader); import() goes through the loader's (`__ferrobtImport`).
 * Numeric constants become literals ({@link inlineNumbers}).
 */
const ownUrl = {
  name: "own-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      if (args.path === join(dist, "util/import-module.js"))
        return { contents: "export function importModule(specifier) { return __ferrobtImport(specifier); }", loader: "js" };
      if (!args.path.startsWith(dist)) return undefined;
      let text = inlineNumbers(args.path, readFileSync(args.path, "utf8"));
      if (text.includes("import.meta.url")) {
        const own = JSON.stringify(urlPath(out, args.path));
        text = text.replaceAll("import.meta.url", `new URL(${own}, __ferrobtUrl).href`);
      }
      return { contents: text, loader: "js" };
    });
  },
};

const result = await esbuild.build({
  stdin: {
    contents: Object.entries(entries)
      .map(([name, file]) => `export const ${name} = () => require(${JSON.stringify(`./${file}`)});`)
      .join("\n"),
    resolveDir: dist,
    sourcefile: "bundle-entries.js",
  },
  outfile: join(out, "ferrobt.cjs"),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  // Dependencies stay packages of their own (resolved from the user's node_modules).
  packages: "external",
  legalComments: "none",
  logLevel: "warning",
  write: false,
  plugins: [ownUrl],
});
const bundle = result.outputFiles[0].text;
// The bundle runs in a vm.Script, where Node 20 refuses import(): each must go through importModule.
if (/\bimport\(/.test(bundle)) throw new Error("dist/bundle/ferrobt.cjs calls import(): use importModule (ts/src/util/import-module.ts)");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "ferrobt.cjs"), bundle);

// The entry files tsc wrote now re-export their part of the bundle (the .d.ts beside them still describe them).
for (const [name, file] of Object.entries(entries)) {
  const path = join(dist, file);
  const loader = JSON.stringify(urlPath(dirname(path), join(dist, "bundle-loader.js")).replace(/^(?!\.)/, "./"));
  if (name === "cli") {
    writeFileSync(path, `#!/usr/bin/env node\n${MARKER}\nimport { runCli } from ${loader};\n\nrunCli();\n`);
    continue;
  }
  const names = exportsOf[path].filter((n) => n !== "default");
  const lines = [MARKER, `import { ferrobtBundle } from ${loader};`, "", `const entry = ferrobtBundle().${name}();`];
  if (names.length > 0) lines.push(`export const { ${names.join(", ")} } = entry;`);
  if (exportsOf[path].includes("default")) lines.push("export default entry.default;");
  writeFileSync(path, `${lines.join("\n")}\n`);
}
