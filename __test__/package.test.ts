// Distribution: the packed tarballs (ferrobt + the linux-x64-gnu platform package with the prebuilt
// .node) install into an empty folder with no Rust toolchain on PATH and run a TS script via tsx; the
// reference backend (ferrobt/reference) asks for its optional dependency hyparquet until it is installed;
// ferrobt/research sweeps on its pool threads from the packed dist.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, tempDir } from "./helpers/fixtures.js";

const SCRIPT = `import { writeFileSync } from "node:fs";
import * as ferrobt from "ferrobt";
import { ReferenceSource } from "ferrobt/reference";
import { sweep } from "ferrobt/research";
const { BarStore, generateSample, openSource } = ferrobt;
const path = "sample.parquet";
generateSample(path, { start: "2024-01-02", end: "2024-01-05" });
const store = await BarStore.openParquet(path);
const w = store.window("MESH4", { end: Date.UTC(2024, 0, 3, 14, 30), length: 3 });
const outcome = (p) => p.then((s) => s.symbols().join(","), (e) => \`\${e.code} \${e.message}\`);
// A sweep on two pool threads: the packed dist's thread module, the strategy compiled against this ferrobt.
writeFileSync("strategy.ts", 'import { Strategy } from "ferrobt";\\nexport default class S extends Strategy {\\n  override parameters = { n: 1 };\\n  override onTradingIteration(): void {}\\n}\\n');
const swept = await sweep({ strategy: "strategy.ts", grid: { n: [1, 2] }, data: path, start: "2024-01-03T09:30", end: "2024-01-04T16:00", workers: 2 });
console.log(JSON.stringify({
  sweep: swept.rows.map((r) => [r.parameters.n, r.error ? r.error.message : r.iterations]),
  symbols: store.symbols(),
  times: Array.from(w.timesMs),
  mainHasReference: "ReferenceSource" in ferrobt,
  reference: await outcome(ReferenceSource.open(path)),
  openSource: await outcome(openSource(path, "reference")),
}));
`;

describe("package", () => {
  it("installs from the tarballs without cargo and runs a TS script", () => {
    const packs = join(tempDir("ferrobt-pack-"), "tarballs");
    const out = execFileSync(process.execPath, [join(REPO, "scripts/pack.mjs"), packs], { cwd: REPO, encoding: "utf8" });
    const { main, platform } = JSON.parse(out.trim().split("\n").at(-1)!);
    const app = tempDir("ferrobt-app-");
    // PATH without any Rust toolchain: only node's own directory and the system basics.
    const env = { ...process.env, PATH: `${join(process.execPath, "..")}:/usr/bin:/bin`, CARGO_HOME: "/nonexistent", RUSTUP_HOME: "/nonexistent" };
    expect(() => execFileSync("cargo", ["--version"], { env, stdio: "ignore" })).toThrow();
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", main, platform], { cwd: app, env, stdio: "inherit" });
    writeFileSync(join(app, "use.ts"), SCRIPT);
    const run = () => JSON.parse(execFileSync(join(app, "node_modules/.bin/tsx"), ["use.ts"], { cwd: app, env, encoding: "utf8" }).trim());
    expect(existsSync(join(app, "node_modules/hyparquet")), "hyparquet is not installed with ferrobt").toBe(false);
    const without = run();
    expect(without.symbols).toEqual(["MESH4"]);
    expect(without.times).toEqual([Date.UTC(2024, 0, 3, 14, 27), Date.UTC(2024, 0, 3, 14, 28), Date.UTC(2024, 0, 3, 14, 29)]);
    expect(without.mainHasReference).toBe(false);
    expect(without.sweep).toEqual([
      [1, 778],
      [2, 778],
    ]);
    for (const outcome of [without.reference, without.openSource]) expect(outcome).toMatch(/^ERR_MISSING_DEPENDENCY .*'hyparquet'.*npm install hyparquet/);
    const hyparquet = JSON.parse(readFileSync(join(REPO, "node_modules/hyparquet/package.json"), "utf8")).version;
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", `hyparquet@${hyparquet}`], { cwd: app, env, stdio: "inherit" });
    const withIt = run();
    expect([withIt.reference, withIt.openSource]).toEqual(["MESH4", "MESH4"]);
  }, 300_000);
});
