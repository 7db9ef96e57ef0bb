// The sweep and walk-forward pages in Debian's headless Chromium: no console errors, one heatmap cell
// per pair of chosen parameter values, the table sorts on a click, the equity is drawn. Part of npm run
// test:full; skipped with the reason when Chromium is missing, except in CI.

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { writeSweep } from "../../ts/src/research/files.js";
import { sweep } from "../../ts/src/research/sweep.js";
import { walkForward, writeWalkForward } from "../../ts/src/research/walkforward.js";
import { launchChromium, requireChromium } from "../helpers/browser.js";
import { samplePath, tempDir } from "../helpers/fixtures.js";
import { PROBE, SEED } from "../helpers/research.js";

interface PageState {
  cells: number;
  rows: number;
  equityPoints: number;
  ready: boolean;
}

async function open(path: string, check: (page: Page, state: PageState) => Promise<void>): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`file://${path}`);
    await page.waitForFunction(() => (window as unknown as { __ferrobtResearch?: PageState }).__ferrobtResearch?.ready === true);
    const state = await page.evaluate(() => ({ ...(window as unknown as { __ferrobtResearch: PageState }).__ferrobtResearch }));
    await check(page, state);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}

describe("research pages in a browser", () => {
  it("sweep.html: a heatmap cell per pair, a sortable table, the best equity", async ({ skip }) => {
    requireChromium(skip);
    const r = await sweep({ strategy: PROBE, grid: { sma_period: [9, 14, 20], rr_ratio: [2, 3] }, data: samplePath(), ...SEED, workers: 2 });
    const { html } = await writeSweep(r, tempDir(), "probe sweep");
    await open(html, async (page, state) => {
      expect(state.cells).toBe(6);
      expect(state.rows).toBe(6);
      expect(state.equityPoints).toBe(r.bestEquity!.timeMs.length);
      expect(await page.$$eval("#heatmap svg rect", (rects) => rects.length)).toBeGreaterThanOrEqual(6);
      // The best row is highlighted; a click on "sharpe" sorts ascending, a second click descending.
      expect(await page.$$eval("#rows tbody tr.best", (rows) => rows.length)).toBe(1);
      const sharpes = r.rows.map((row) => (row.error ? Number.NaN : row.sharpe));
      // Columns: sma_period, rr_ratio, then sharpe.
      const column = () => page.$$eval("#rows tbody tr td:nth-child(3)", (tds) => tds.map((td) => td.textContent));
      await page.click('#rows th[data-k="sharpe"]');
      expect((await column()).map(Number)).toEqual([...sharpes].sort((a, b) => a - b).map((x) => Number(x.toPrecision(6))));
      await page.click('#rows th[data-k="sharpe"]');
      expect((await column()).map(Number)).toEqual([...sharpes].sort((a, b) => b - a).map((x) => Number(x.toPrecision(6))));
      // One axis only: a cell per value of the other parameter.
      await page.selectOption("#axis-y", "(none)");
      expect(await page.evaluate(() => (window as unknown as { __ferrobtResearch: PageState }).__ferrobtResearch.cells)).toBe(3);
    });
  }, 120_000);

  it("walkforward.html: a row per segment and the stitched equity", async ({ skip }) => {
    requireChromium(skip);
    const r = await walkForward({
      strategy: PROBE,
      grid: { sma_period: [9, 20] },
      data: samplePath(),
      start: "2024-01-02",
      end: "2024-01-09",
      train: "3d",
      test: "2d",
      workers: 2,
    });
    const { html } = await writeWalkForward(r, tempDir(), "probe walk-forward");
    await open(html, async (_page, state) => {
      expect(state.rows).toBe(r.segments.length);
      expect(state.equityPoints).toBe(r.outOfSample.equity.timeMs.length);
    });
  }, 120_000);
});
