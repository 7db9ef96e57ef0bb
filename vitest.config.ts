// Vitest: native addon tests run in forked processes (never worker threads), one file at a time
// per fork, so an addon crash cannot take the whole run down unnoticed.
import { defineConfig } from "vitest/config";

export default defineConfig({
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
