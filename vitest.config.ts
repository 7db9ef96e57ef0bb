// Vitest: native addon tests run in forked processes (never worker threads), one file at a time
// per fork, so an addon crash cannot take the whole run down unnoticed.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests and examples import "ferrobt" (and "ferrobt/reference"): point them at the sources, so one
    // copy of every class is loaded.
    alias: [
      { find: /^ferrobt$/, replacement: fileURLToPath(new URL("./ts/src/index.ts", import.meta.url)) },
      { find: /^ferrobt\/reference$/, replacement: fileURLToPath(new URL("./ts/src/reference.ts", import.meta.url)) },
      { find: /^ferrobt\/research$/, replacement: fileURLToPath(new URL("./ts/src/research/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["__test__/**/*.test.ts"],
    pool: "forks",
    // store.test.ts asserts that a disposed store is really garbage-collected.
    execArgv: ["--expose-gc"],
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ["default", "json"],
    outputFile: { json: "out/vitest-results.json" },
  },
  benchmark: {
    include: ["bench/**/*.bench.ts"],
  },
});
