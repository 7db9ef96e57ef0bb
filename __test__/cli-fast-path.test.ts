// The CLI's fast path: the cached strategy compile (reuse, invalidation by any bundled input, import.meta,
// typed errors), the V8 code cache of dist's bundle (a damaged, cut, stale or refused cache ignored and
// written anew; the same output with and without it), the run-reusing New York timestamp formatter against
// formatNy, the Intl-free money format, the time-zone tables kept across processes.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compiledStrategyUrl } from "../ts/src/cli/compile.js";
import { money } from "../ts/src/cli/money.js";
import { nyTimestampFormatter } from "../ts/src/util/ny-formatter.js";
import { formatNy, nyToUtc } from "../ts/src/util/nytime.js";
import { keepYearTablesIn, TimeZone } from "../ts/src/util/tz.js";
import { REPO, samplePath, tempDir } from "./helpers/fixtures.js";

describe("strategy compile cache", () => {
  let dir: string, cache: string;
  const saved = process.env.FERROBT_CACHE_DIR;
  beforeAll(() => {
    dir = tempDir();
    cache = join(dir, "cache");
    process.env.FERROBT_CACHE_DIR = cache;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.FERROBT_CACHE_DIR;
    else process.env.FERROBT_CACHE_DIR = saved;
  });
  const entries = () => readdirSync(join(cache, "strategies")).filter((f) => f.endsWith(".mjs"));

  it("compiles a strategy with its local imports once, and again only when one of them changes", async () => {
    const src = join(dir, "s1");
    mkdirSync(src);
    writeFileSync(join(src, "helper.ts"), "export const period: number = 9;\n");
    writeFileSync(
      join(src, "strategy.ts"),
      'import { period } from "./helper.js";\nexport const value = (): number => period;\nexport const here: string = import.meta.url;\n',
    );
    const first = await compiledStrategyUrl(join(src, "strategy.ts"));
    const mod = (await import(first)) as { value: () => number; here: string };
    expect(mod.value()).toBe(9);
    // The bundle lives in the cache, but the file still sees its own URL.
    expect(mod.here).toBe(pathToFileURL(join(src, "strategy.ts")).href);
    expect(await compiledStrategyUrl(join(src, "strategy.ts"))).toBe(first);
    expect(entries()).toHaveLength(1);
    // A cache pruned of its code (the manifest left behind) rebuilds it.
    rmSync(join(cache, "strategies", entries()[0]));
    expect(((await import(`${await compiledStrategyUrl(join(src, "strategy.ts"))}?v=1`)) as { value: () => number }).value()).toBe(9);

    writeFileSync(join(src, "helper.ts"), "export const period: number = 21;\n");
    const again = await compiledStrategyUrl(join(src, "strategy.ts"));
    // Same entry file, so the same cache slot; its code was rebuilt from the changed helper (a query string loads it anew).
    expect(again).toBe(first);
    expect(((await import(`${again}?v=2`)) as { value: () => number }).value()).toBe(21);
  });

  it("binds 'ferrobt' to the running copy", async () => {
    const src = join(dir, "s2");
    mkdirSync(src);
    writeFileSync(join(src, "strategy.ts"), 'import { Strategy } from "ferrobt";\nexport default class S extends Strategy {}\n');
    const { Strategy } = await import("../ts/src/index.js");
    const mod = (await import(await compiledStrategyUrl(join(src, "strategy.ts")))) as { default: new () => object };
    expect(new mod.default()).toBeInstanceOf(Strategy);
  });

  it("binds the subpaths 'ferrobt/research' and 'ferrobt/reference' to the running copy, wherever the strategy lies", async () => {
    // No node_modules at or above the temporary directory holds ferrobt: only the binding can find these.
    const src = join(dir, "s4");
    mkdirSync(src);
    writeFileSync(
      join(src, "strategy.ts"),
      'import { expandGrid } from "ferrobt/research";\nimport { ReferenceSource } from "ferrobt/reference";\nexport { expandGrid, ReferenceSource };\n',
    );
    const research = await import("../ts/src/research/index.js");
    const reference = await import("../ts/src/reference.js");
    const mod = (await import(await compiledStrategyUrl(join(src, "strategy.ts")))) as { expandGrid: unknown; ReferenceSource: unknown };
    expect(mod.expandGrid).toBe(research.expandGrid);
    expect(mod.ReferenceSource).toBe(reference.ReferenceSource);
  });

  it("names the file and line of a syntax error, and a missing file, with typed errors", async () => {
    const src = join(dir, "s3");
    mkdirSync(src);
    writeFileSync(join(src, "broken.ts"), "export const x = 1;\nexport const y = ;\n");
    await expect(compiledStrategyUrl(join(src, "broken.ts"))).rejects.toMatchObject({
      code: "ERR_ARGUMENT",
      message: expect.stringMatching(/broken\.ts:2:\d+: /),
    });
    await expect(compiledStrategyUrl(join(src, "absent.ts"))).rejects.toMatchObject({ code: "ERR_IO", message: expect.stringContaining("absent.ts") });
  });
});

describe("V8 code cache", () => {
  const SOURCE = "exports.twice = (x) => 2 * x;\nexports.extra = typeof added === 'number' ? added : -1;\n";
  const CODE_CACHE = pathToFileURL(join(REPO, "ts/src/util/code-cache.ts")).href;

  /** A CommonJS file and the cache path beside it. */
  function script(): { file: string; cache: string } {
    const dir = tempDir();
    writeFileSync(join(dir, "lib.cjs"), SOURCE);
    return { file: join(dir, "lib.cjs"), cache: join(dir, "cache", "lib.bin") };
  }

  /**
   * Runs the file in a fresh process (V8 would take a script this process compiled before from memory),
   * checks what it exports, saves the cache and returns its fate. `flags`: the child's node flags; `extraArgs`: the extra arguments, as code.
   */
  function run(file: string, cache: string | undefined, flags: string[] = [], extraArgs = "{ added: 7 }"): string {
    const code = `import { runCommonJs } from ${JSON.stringify(CODE_CACHE)};
const r = runCommonJs(${JSON.stringify(file)}, ${JSON.stringify(cache)}, ${extraArgs});
r.save();
console.log(JSON.stringify([r.cache, r.exports.twice(21), r.exports.extra]));`;
    const r = spawnSync(process.execPath, [...flags, "--import", "tsx", "--input-type=module", "-e", code], { cwd: REPO, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const [fate, twice, extra] = JSON.parse(r.stdout) as [string, number, number];
    expect([twice, extra]).toEqual([42, 7]);
    return fate;
  }

  it("is written after a run without one, read by the next run, and left as it is then", () => {
    const { file, cache } = script();
    expect(run(file, undefined)).toBe("off");
    expect(run(file, cache)).toBe("miss");
    const written = statSync(cache);
    expect(run(file, cache)).toBe("hit");
    expect(statSync(cache).mtimeMs).toBe(written.mtimeMs);
  });

  it("ignores a cache that is damaged, cut, empty, or written for another source, and writes it anew", () => {
    const { file, cache } = script();
    run(file, cache);
    const good = readFileSync(cache);
    const damaged = Buffer.from(good);
    damaged[damaged.length >> 1] ^= 0xff;
    for (const bad of [damaged, good.subarray(0, good.length >> 1), Buffer.alloc(0)]) {
      writeFileSync(cache, bad);
      expect(run(file, cache)).toBe("miss");
    }
    expect(run(file, cache)).toBe("hit");
    writeFileSync(file, `${SOURCE}// changed\n`);
    expect(run(file, cache)).toBe("miss");
    expect(run(file, cache)).toBe("hit");
  });

  it("ignores a cache made for the same file with the extra arguments in another order (V8 compiles the wrapper that names them)", () => {
    const { file, cache } = script();
    expect(run(file, cache, [], "{ added: 7, other: 1 }")).toBe("miss");
    expect(run(file, cache, [], "{ added: 7, other: 1 }")).toBe("hit");
    // Same file, same length: V8's own check would take this cache, and \`added\` would read 1 (run() checks it reads 7).
    expect(run(file, cache, [], "{ other: 1, added: 7 }")).toBe("miss");
    expect(run(file, cache, [], "{ other: 1, added: 7 }")).toBe("hit");
  });

  it("ignores a cache V8 refuses (written by a runtime with other flags) and writes it anew", () => {
    const { file, cache } = script();
    expect(run(file, cache)).toBe("miss");
    // Any V8 flag changes the hash V8 checks a cache against.
    expect(run(file, cache, ["--expose-gc"])).toBe("miss");
    expect(run(file, cache, ["--expose-gc"])).toBe("hit");
    expect(run(file, cache)).toBe("miss");
    expect(run(file, cache)).toBe("hit");
  });

  it("gives the CLI the same output with and without it, and after a damaged one", () => {
    const dir = tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env, FERROBT_CACHE_DIR: join(dir, "cache") };
    const cacheFile = join(dir, "cache", "code", `backtest-${process.version}-${process.arch}.bin`);
    const outputs = (name: string) => {
      const out = join(dir, name);
      const args = ["backtest", "examples/mes-momentum-sma9.ts", "--data", samplePath(), "--out", out, "--quiet"];
      const r = spawnSync(process.execPath, [join(REPO, "dist/cli/main.js"), ...args], { cwd: REPO, encoding: "utf8", env });
      expect(r.status, r.stderr).toBe(0);
      // The report names the run's wall time; everything else is the same.
      const report = readFileSync(join(out, "report.html"), "utf8").replace(/"runMs":[^,]+,/, "");
      return [...["trades.csv", "stats.json", "portfolio.csv"].map((f) => readFileSync(join(out, f), "utf8")), report];
    };
    const first = outputs("first");
    const written = statSync(cacheFile);
    expect(outputs("cached")).toEqual(first);
    // Read, not written again.
    expect(statSync(cacheFile).mtimeMs).toBe(written.mtimeMs);
    const damaged = readFileSync(cacheFile);
    damaged[damaged.length >> 1] ^= 0xff;
    writeFileSync(cacheFile, damaged);
    expect(outputs("damaged")).toEqual(first);
    expect(readFileSync(cacheFile).equals(damaged)).toBe(false);
    // FERROBT_CODE_CACHE=0: neither read nor written.
    rmSync(join(dir, "cache", "code"), { recursive: true });
    env.FERROBT_CODE_CACHE = "0";
    expect(outputs("off")).toEqual(first);
    expect(existsSync(join(dir, "cache", "code"))).toBe(false);
  });
});

describe("nyTimestampFormatter", () => {
  it("gives formatNy's text for every minute across both 2024 DST changes", () => {
    const format = nyTimestampFormatter();
    for (const [from, to] of [
      [nyToUtc(2024, 3, 9), nyToUtc(2024, 3, 11)],
      [nyToUtc(2024, 11, 2), nyToUtc(2024, 11, 4)],
    ]) {
      for (let t = from; t < to; t += 60_000) expect(format(t)).toBe(formatNy(t));
    }
  });

  it("gives formatNy's text for times in any order, with seconds and fractions of a millisecond", () => {
    const format = nyTimestampFormatter();
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i++) {
      const t = Date.UTC(2000, 0, 1) + next() * (Date.UTC(2040, 0, 1) - Date.UTC(2000, 0, 1)) + (i % 3) * 0.5;
      expect(format(t)).toBe(formatNy(t));
    }
  });
});

describe("money", () => {
  it("formats as en-US toLocaleString with two decimals, ties and negative zero included", () => {
    const intl = (x: number) => `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    const xs = [0, -0, -0.004, 0.005, 1.005, 2.675, 9.995, 999_999.995, 99_098.428571, -3_638.995, 1e20, 1e21, 5e-7, NaN, Infinity, -Infinity];
    let seed = 11;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5_000; i++) xs.push(Math.round((next() - 0.5) * 1e8) / 1000, (next() - 0.5) * 10 ** (next() * 25 - 5));
    expect(xs.filter((x) => money(x) !== intl(x))).toEqual([]);
  });
});

describe("time-zone tables kept across processes", () => {
  /** Offsets around both 2024 New York DST changes and in the years either side. */
  const instants = [
    Date.UTC(2023, 5, 1),
    nyToUtc(2024, 3, 10, 1, 59, 59),
    nyToUtc(2024, 3, 10, 3),
    nyToUtc(2024, 11, 3, 1),
    nyToUtc(2024, 11, 3, 2),
    Date.UTC(2025, 0, 1),
  ];
  const offsets = (z: TimeZone) => instants.flatMap((t) => [z.offsetMs(t - 1000), z.offsetMs(t)]);
  /** True when the zone never made its Intl formatter (every table it used was read back). */
  const usedIntl = (z: TimeZone) => (z as unknown as { fmt?: Intl.DateTimeFormat }).fmt !== undefined;

  it("reads back the tables an earlier zone built, and builds again any that is missing or not a valid table of its year", () => {
    const dir = tempDir();
    keepYearTablesIn(dir);
    const built = new TimeZone("America/New_York");
    const expected = offsets(built);
    expect(usedIntl(built)).toBe(true);
    const [folder] = readdirSync(dir);
    expect(folder).toContain(`tz${process.versions.tz}`);
    expect(readdirSync(join(dir, folder)).sort()).toEqual(["America%2FNew_York.2023.json", "America%2FNew_York.2024.json", "America%2FNew_York.2025.json"]);

    const read = new TimeZone("America/New_York");
    expect(offsets(read)).toEqual(expected);
    expect(usedIntl(read)).toBe(false);

    const file = join(dir, folder, "America%2FNew_York.2024.json");
    const table = JSON.parse(readFileSync(file, "utf8")) as { starts: number[]; offsets: number[] };
    for (const bad of ["{", "null", JSON.stringify({ ...table, starts: table.starts.map((t) => t + 1000) }), JSON.stringify({ ...table, offsets: [0] })]) {
      writeFileSync(file, bad);
      const rebuilt = new TimeZone("America/New_York");
      expect(offsets(rebuilt)).toEqual(expected);
      expect(usedIntl(rebuilt)).toBe(true);
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(table);
    }
  });
});
