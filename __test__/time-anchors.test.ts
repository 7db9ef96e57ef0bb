// The three resampling rule sets against their one definition (RESAMPLE_ANCHORS in ts/src/time.ts): the
// Rust store's default anchor, the reference backend's default, and the engine's New York midnight bins.

import { beforeAll, describe, expect, it } from "vitest";
import { resampleWindow } from "../ts/src/engine/resample.js";
import { BarStore } from "../ts/src/index.js";
import { ReferenceSource } from "../ts/src/reference.js";
import { RESAMPLE_ANCHORS } from "../ts/src/time.js";
import { nyParts } from "../ts/src/util/nytime.js";
import { samplePath } from "./helpers/fixtures.js";

const wallMinute = (t: number) => {
  const p = nyParts(t);
  return p.hour * 60 + p.minute;
};

let store: BarStore;
let reference: ReferenceSource;
let symbol: string;
beforeAll(async () => {
  store = await BarStore.openParquet(samplePath());
  reference = await ReferenceSource.open(samplePath());
  symbol = store.symbols()[0];
});

describe("resampling anchors share one definition", () => {
  it("the Rust store's default day bins start at the trading-day anchor, as with the anchor passed explicitly", () => {
    const { timeZone, dayAnchorMinutes } = RESAMPLE_ANCHORS.tradingDay;
    const byDefault = store.resample(symbol, "1d").columns(symbol).timesMs;
    const explicit = store.resample(symbol, "1d", { timeZone, dayAnchorMinutes }).columns(symbol).timesMs;
    expect(byDefault.length).toBeGreaterThan(10);
    expect([...byDefault]).toEqual([...explicit]);
    expect(new Set([...byDefault].map(wallMinute))).toEqual(new Set([dayAnchorMinutes]));
    const hours = store.resample(symbol, "4h").columns(symbol).timesMs;
    expect(new Set([...hours].map((t) => (wallMinute(t) - dayAnchorMinutes + 1440) % 240))).toEqual(new Set([0]));
  });

  it("the reference backend's default equals the store's, bin for bin", () => {
    for (const minutes of [60, 240, 1440]) {
      const ref = reference.resample(minutes).columns(symbol).timesMs;
      const rust = store.resample(symbol, `${minutes}m`).columns(symbol).timesMs;
      expect([...ref], `${minutes}m`).toEqual([...rust]);
    }
  });

  it("the engine's day bins are New York calendar days (the Lumibot midnight anchor)", () => {
    const bars = store.between(symbol, { start: store.columns(symbol).timesMs[0], end: Number.MAX_SAFE_INTEGER });
    const days = resampleWindow(bars, "day", 1, 1_000).timesMs;
    expect(days.length).toBeGreaterThan(10);
    // Bins are labelled by their start: every day bin starts at the anchor's New York wall minute.
    const midnight = RESAMPLE_ANCHORS.lumibotMidnight.dayAnchorMinutes;
    expect(new Set([...days].map(wallMinute))).toEqual(new Set([midnight]));
    const hours = resampleWindow(bars, "minute", 60, 100_000).timesMs;
    expect(new Set([...hours].map((t) => wallMinute(t) % 60))).toEqual(new Set([midnight % 60]));
  });
});
