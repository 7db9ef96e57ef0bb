// The HTML report in Debian's headless Chromium: no console errors, charts drawn, one marker per fill,
// the stats table, a screenshot (out/report-test/report.png). Part of npm run test:full; skipped with the
// reason when Chromium (scripts/setup-system.sh installs it) or ../shared is missing, except in CI.

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { BacktestResult } from "../ts/src/index.js";
import type { ReportData } from "../ts/src/report/data.js";
import { writeReport } from "../ts/src/report/html.js";
import { launchChromium, requireChromium } from "./helpers/browser.js";
import { REPO, requireShared } from "./helpers/fixtures.js";
import { mesReport } from "./helpers/report.js";

const OUT = join(REPO, "out/report-test");

let result: BacktestResult;
let data: ReportData;
beforeAll(() => {
  const run = mesReport();
  if (run) ({ result, data } = run);
});

describe("report in a browser", () => {
  it("renders in headless Chromium with every fill marked", async ({ skip }) => {
    requireShared(skip);
    requireChromium(skip);
    mkdirSync(OUT, { recursive: true });
    const path = writeReport(data, OUT);
    expect(readFileSync(path, "utf8")).not.toMatch(/<script[^>]+src=/);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`file://${path}`);
      await page.waitForFunction(() => (window as unknown as { __ferrobtReport?: { ready: boolean } }).__ferrobtReport?.ready === true);
      const state = await page.evaluate(() => (window as unknown as { __ferrobtReport: { markers: number; candles: number } }).__ferrobtReport);
      expect(state.markers).toBe(result.fills.length);
      // The statistics table shows the stats document's values.
      const shown = Object.fromEntries(
        await page.$$eval("#stats tr", (rows) => rows.map((r) => [r.querySelector("th")!.textContent, r.querySelector("td")!.textContent])),
      );
      expect(shown).toMatchObject({ iterations: "3,268", fills: "896", fees: "448", finalPortfolioValue: "99,098.428571" });
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
      expect(await page.evaluate(() => (window as unknown as { __ferrobtReport: { markers: number; timeframe: string } }).__ferrobtReport)).toMatchObject({
        markers: 896,
        timeframe: "minute",
      });
      await page.click('#tf button[data-tf="overview"]');
      await page.click('#trades th[data-k="price"]');
      await page.screenshot({ path: join(OUT, "report.png"), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
