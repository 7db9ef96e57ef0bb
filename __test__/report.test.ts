// The HTML report: the data it embeds checked against the stats JSON, and the page itself opened in
// Debian's headless Chromium (no console errors, charts drawn, one marker per fill, a screenshot).

import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import MESMomentumSMA9 from "../examples/mes-momentum-sma9.js";
import { Asset, Backtest, BarStore, statsDocument } from "../ts/src/index.js";
import { monthlyReturns, reportData } from "../ts/src/report/data.js";
import { writeReport } from "../ts/src/report/html.js";
import { REPO, SHARED_MES } from "./helpers/fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const OUT = join(REPO, "out/report-test");

describe("report", () => {
  const store = BarStore.openParquetSync(SHARED_MES);
  const result = new Backtest(new MESMomentumSMA9(), { data: store, start: "2024-01-03T09:30", end: "2024-01-05T16:00" }).run();
  const data = reportData(result, store, Asset.contFuture("MES"), "MES_ohlcv-1m.parquet");

  it("embeds fills, equity, drawdown and stats consistent with the stats JSON", () => {
    const stats = statsDocument(result);
    expect(data.stats).toEqual(stats);
    expect(data.markers.length).toBe(896);
    expect(data.trades.reduce((s, t) => s + t.fee, 0)).toBe(stats.fees);
    expect(data.equity.v.at(-1)).toBe(result.rows.at(-1)!.portfolioValue);
    const worst = -Math.min(...data.drawdown.v);
    expect(worst).toBeCloseTo((stats.maxDrawdown as { drawdown: number }).drawdown, 2);
    expect(data.brackets.length).toBe(2 * 448);
    expect(data.overview.candles.t.length).toBeLessThanOrEqual(2_500);
    expect(data.minute.t.length).toBeGreaterThan(3_000);
    // Three days: one month, no heatmap; the monthly helper itself on a two-month run.
    expect(data.monthly).toEqual([]);
    const fake = { ...result, rows: [{ ...result.rows[0], timeMs: Date.UTC(2024, 0, 10), portfolioValue: 100 }, { ...result.rows[0], timeMs: Date.UTC(2024, 0, 31), portfolioValue: 110 }, { ...result.rows[0], timeMs: Date.UTC(2024, 1, 20), portfolioValue: 99 }] };
    const m = monthlyReturns(fake);
    expect(m.map((x) => x.month)).toEqual(["2024-01", "2024-02"]);
    expect(m[1].ret).toBeCloseTo(-0.1, 12);
  });

  it("renders in headless Chromium with every fill marked", async () => {
    expect(existsSync(CHROMIUM), "Debian's chromium is needed (npm test installs it with apt-get when run as root)").toBe(true);
    mkdirSync(OUT, { recursive: true });
    const path = writeReport(data, OUT);
    expect(readFileSync(path, "utf8")).not.toMatch(/<script[^>]+src=/);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`file://${path}`);
      await page.waitForFunction(() => (window as unknown as { __ferrobtReport?: { ready: boolean } }).__ferrobtReport?.ready === true);
      const state = await page.evaluate(() => (window as unknown as { __ferrobtReport: { markers: number; candles: number } }).__ferrobtReport);
      expect(state.markers).toBe(result.fills.length);
      // Every chart drew something: canvases with more than one colour.
      const inked = await page.evaluate(() =>
        Array.from(document.querySelectorAll("#price canvas, #equity canvas, #drawdown canvas")).map((c) => {
          const canvas = c as HTMLCanvasElement;
          const px = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
          const colours = new Set<number>();
          for (let i = 0; i < px.length && colours.size < 3; i += 4 * 97) colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
          return colours.size;
        }),
      );
      expect(inked.filter((n) => n > 1).length).toBeGreaterThanOrEqual(3);
      await page.click('#tf button[data-tf="minute"]');
      expect(await page.evaluate(() => (window as unknown as { __ferrobtReport: { markers: number; timeframe: string } }).__ferrobtReport)).toMatchObject({ markers: 896, timeframe: "minute" });
      await page.click('#tf button[data-tf="overview"]');
      await page.click('#trades th[data-k="price"]');
      await page.screenshot({ path: join(OUT, "report.png"), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
