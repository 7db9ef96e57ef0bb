// Bundles dist (tsc's output) so a process loads a handful of modules instead of about sixty: the
// entry points (the package's exports, the CLI and the pool thread) and their shared chunks go to
// dist/bundle/, and the entry files tsc wrote become one-line re-exports of them. One build, so every
// class exists once: a strategy's `import "ferrobt"`, the CLI and a worker thread's task share them.
// Run after tsc (npm run build:ts does); bundling the re-exports again would be circular.

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const dist = join(root, "dist");
const out = join(dist, "bundle");
// The esbuild tsx brings (the one strategies are compiled with).
const esbuild = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"))("esbuild");
/** The first line of an entry file once it re-exports its bundle. */
const MARKER = "// Bundled: see scripts/bundle.mjs.";
/** `to` relative to the directory `from`, as a URL path. */
const urlPath = (from, to) => relative(from, to).split("\\").join("/");

/** Entry name in dist/bundle → the tsc output it bundles (replaced by a re-export afterwards). */
const entries = {
  index: "index.js",
  reference: "reference.js",
  research: "research/index.js",
  cli: "cli/main.js",
  "pool-worker": "research/pool-worker.js",
};

for (const file of Object.values(entries)) {
  if (readFileSync(join(dist, file), "utf8").includes(MARKER))
    throw new Error(`dist/${file} is already bundled: run tsc -p tsconfig.build.json first (npm run build:ts)`);
}

// Chunk names are content hashes: the chunks of an earlier build would pile up beside the new ones.
rmSync(out, { recursive: true, force: true });

/**
 * Modules find files beside themselves through import.meta.url (the native loader, the browser
 * scripts of the reports, the pool thread's module). Bundled, they sit in dist/bundle/, so each one's
 * import.meta.url becomes the URL of the file it was, relative to the bundle directory.
 */
const ownUrl = {
  name: "own-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dist)) return undefined;
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const own = JSON.stringify(urlPath(out, args.path));
      return { contents: text.replaceAll("import.meta.url", `new URL(${own}, import.meta.url).href`), loader: "js" };
    });
  },
};

await esbuild.build({
  entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(dist, file)])),
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Dependencies stay packages of their own (resolved from the user's node_modules).
  packages: "external",
  chunkNames: "chunk-[hash]",
  legalComments: "none",
  logLevel: "warning",
  plugins: [ownUrl],
});

// The entry files tsc wrote now re-export their bundle (the .d.ts beside them still describe them).
for (const [name, file] of Object.entries(entries)) {
  const path = join(dist, file);
  const rel = urlPath(dirname(path), join(out, `${name}.js`));
  const target = JSON.stringify(rel.startsWith(".") ? rel : `./${rel}`);
  const hasDefault = /^export default |export \{[^}]*\bdefault\b/m.test(readFileSync(path, "utf8"));
  const shebang = name === "cli" ? "#!/usr/bin/env node\n" : "";
  const body = name === "cli" ? `import ${target};\n` : `export * from ${target};\n${hasDefault ? `export { default } from ${target};\n` : ""}`;
  writeFileSync(path, `${shebang}${MARKER}\n${body}`);
}
