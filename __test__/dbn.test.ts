// DBN through the public API: DataBento's own files read in place from ../shared/data/databento,
// generated DBN (writeDbn) against the parquet of the same bars, format dispatch and its errors, shared
// opens, definitions, and the CLI's --data on a DBN file with Lumibot's figures.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BarStore, openSource } from "../ts/src/index.js";
import { IN_CI, REPO, requireShared, SHARED_MES, samplePath, tempDir } from "./helpers/fixtures.js";

/** DataBento's files (read-only), in ../shared beside the clone. */
const DATABENTO = resolve(REPO, "../shared/data/databento");

/** Skips a test when DataBento's files are missing, except in CI (CI=true), where that fails. */
function requireDatabento(skip: (note: string) => never): void {
  if (existsSync(DATABENTO)) return;
  const why = `${DATABENTO} is missing (DataBento's files, expected in ../shared beside the clone)`;
  if (IN_CI) throw new Error(`${why}; CI runs every test`);
  skip(`skipped: ${why}`);
}

function codeOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error("expected an error");
}

/** Every column of every symbol, value for value. */
function expectSameBars(a: BarStore, b: BarStore): void {
  expect(a.symbols()).toEqual(b.symbols());
  for (const s of a.symbols()) {
    const [x, y] = [a.columns(s), b.columns(s)];
    expect(x.timestamps).toEqual(y.timestamps);
    for (const c of ["open", "high", "low", "close", "volume"] as const) expect(x[c]).toEqual(y[c]);
  }
}

describe("DBN ingest", () => {
  it("reads DataBento's files: first bars, symbols of multi-instrument files, v1 = v2 = v3", async ({ skip }) => {
    requireDatabento(skip);
    const glbx = await BarStore.open(join(DATABENTO, "GLBX.MDP3/test_data.ohlcv-1m.dbn.zst"));
    const es = glbx.lastBar("ESH1", { atOrBefore: 1_609_113_600_000_000_000n });
    expect([glbx.symbols(), glbx.size("ESH1"), es?.timestamp, es?.open, es?.close, es?.volume]).toEqual([
      ["ESH1"],
      4,
      1_609_113_600_000_000_000n,
      3702.75,
      3704.75,
      306,
    ]);
    const multi = BarStore.openSync(join(DATABENTO, "multi-instrument/futures_ohlcv-1m_2024-05-09T09-55_2024-05-09T10-05.dbn.zst"));
    expect(multi.symbols()).toEqual(["ESM4", "NQM4"]);
    expect(multi.size("ESM4") + multi.size("NQM4")).toBe(20);
    expect(multi.columns("NQM4").open[0]).toBe(18127);
    const versions = ["v1.dbn.zst", "v2.dbn.zst", "v2.dbn", "v3.dbn.zst"].map((v) =>
      BarStore.openDbnSync(join(DATABENTO, `dbn-versions/test_data.ohlcv-1m.${v}`)),
    );
    for (const v of versions) expectSameBars(v, versions[3]);
    expect(versions[0].columns("ESH1").close[0]).toBe(372100);
  });

  it("gives instruments from definition files among the inputs, kept by resampled stores", ({ skip }) => {
    requireDatabento(skip);
    const dir = join(DATABENTO, "multi-instrument");
    const store = BarStore.openSync(`${dir}/futures_*.dbn.zst`);
    expect(store.symbols()).toEqual(["ESM4", "ESU4", "NQM4", "NQU4"]);
    const instruments = store.instruments();
    expect(instruments.map((i) => [i.symbol, i.multiplier, i.tickSize, i.currency, i.instrumentClass])).toEqual([
      ["ESU4", 50, 0.25, "USD", "F"],
      ["NQU4", 20, 0.25, "USD", "F"],
    ]);
    expect(instruments[0].expirationNs).toBe(1_726_839_000_000_000_000n);
    expect(store.resample("ESU4", "5m").instruments()).toEqual(instruments);
    const alone = codeOf(() => BarStore.openSync(join(dir, "futures_definition.dbn.zst")));
    expect(alone.code).toBe("ERR_SCHEMA");
    expect(alone.message).toContain("futures_definition.dbn.zst");
    expect(BarStore.openSync(join(DATABENTO, "XNAS.ITCH/test_data.ohlcv-1m.dbn.zst")).instruments()).toEqual([]);
  });

  it("reads generated DBN of the sample like its parquet; explicit opens refuse the other format", () => {
    const parquet = BarStore.openParquetSync(samplePath());
    const dir = tempDir();
    const zst = join(dir, "sample.dbn.zst");
    const plain = join(dir, "sample.dbn");
    expect(parquet.writeDbn(zst)).toBe(parquet.report.rowsRead);
    parquet.writeDbn(plain, { zstd: false });
    expectSameBars(BarStore.openSync(zst), parquet);
    expectSameBars(BarStore.openDbnSync(plain), parquet);
    const window = { start: Date.UTC(2024, 0, 3), end: Date.UTC(2024, 0, 5) };
    expectSameBars(BarStore.openSync(zst, window), BarStore.openParquetSync(samplePath(), window));
    const notParquet = codeOf(() => BarStore.openParquetSync(plain));
    expect([notParquet.code, notParquet.message.includes("sample.dbn") && notParquet.message.includes("openDbn")]).toEqual(["ERR_PARQUET", true]);
    const notDbn = codeOf(() => BarStore.openDbnSync(samplePath()));
    expect([notDbn.code, notDbn.message.includes("parquet file")]).toEqual(["ERR_DBN", true]);
    expect(codeOf(() => BarStore.openSync([])).code).toBe("ERR_ARGUMENT");
    expect(codeOf(() => parquet.writeDbn(zst, { schema: "mbo" as "ohlcv-1m" })).code).toBe("ERR_ARGUMENT");
    expect(codeOf(() => parquet.writeDbn(join(dir, "missing/x.dbn"))).code).toBe("ERR_IO");
  });

  it("shares one copy of a DBN store per process; openSource takes DBN on native, refuses it on reference", async () => {
    const zst = join(tempDir(), "shared.dbn.zst");
    BarStore.openParquetSync(samplePath()).writeDbn(zst);
    const first = BarStore.openSync(zst, { share: true });
    const second = BarStore.openSync(zst, { share: true });
    expect([first.report.reused, second.report.reused]).toEqual([false, true]);
    expectSameBars(second, first);
    const source = await openSource(zst);
    expect(source.symbols()).toEqual(first.symbols());
    await expect(openSource(zst, "reference")).rejects.toMatchObject({ code: "ERR_ARGUMENT", message: expect.stringContaining("parquet only") });
  });

  it("runs the CLI's backtest on a DBN copy of Lumibot's data with Lumibot's figures", ({ skip }) => {
    requireShared(skip);
    const dbn = join(tempDir(), "MES_ohlcv-1m.dbn.zst");
    BarStore.openParquetSync(SHARED_MES).writeDbn(dbn);
    const args = ["backtest", "examples/mes-momentum-sma9.ts", "--data", dbn, "--start", "2024-01-03T09:30", "--end", "2024-01-05T16:00"];
    const r = spawnSync(process.execPath, [join(REPO, "dist/cli/main.js"), ...args, "--out", tempDir(), "--json"], { cwd: REPO, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect([doc.iterations, doc.orders, doc.fills, doc.fees, doc.finalPortfolioValue.toFixed(2)]).toEqual([3268, 1603, 896, 448, "99098.43"]);
  });
});
