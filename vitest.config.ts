// Vitest: native addon tests run in forked processes (never worker threads), one file at a time
// per fork, so an addon crash cannot take the whole run down unnoticed.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests and examples import "ferrobt": point it at the sources, so one copy of every class is loaded.
    alias: { ferrobt: fileURLToPath(new URL("./ts/src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["__test__/**/*.test.ts"],
    pool: "forks",
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
