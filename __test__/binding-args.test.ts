// The raw binding (without the facade) checks its arguments too: every bad call gets a coded error.

import { describe, expect, it } from "vitest";
import { native } from "../ts/src/native.js";
import { samplePath } from "./helpers/fixtures.js";

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return String((e as { code?: string }).code);
  }
  return "no error";
};

const b = native();

describe("raw binding arguments", () => {
  it("rejects bad ids, options, timeframes and disposed stores in Rust", () => {
    const s = b.NativeBarStore.openParquet([samplePath()]);
    expect(codeOf(() => s.columns(99))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => s.columns(-1))).not.toBe("no error");
    expect(codeOf(() => s.symbolId("NOPE"))).toBe("ERR_UNKNOWN_SYMBOL");
    expect(codeOf(() => s.resample("7m"))).toBe("ERR_TIMEFRAME");
    expect(codeOf(() => s.resample("1h", { timeZone: "Mars/Olympus" }))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => s.resample("1h", { dayAnchorMinutes: 1_440 }))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.NativeBarStore.openParquet([]))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.NativeBarStore.openParquet([samplePath()], { onUnsorted: "shuffle" }))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.NativeBarStore.openParquet([samplePath()], { onDuplicate: "keepFirst" }))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.NativeBarStore.openParquet([samplePath()], { schema: "csv" }))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.NativeBarStore.openParquet([samplePath()], { startNs: 10n, endNs: 5n }))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.NativeBarStore.openParquet([samplePath()], { startNs: 2n ** 64n }))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.generateSample("/tmp/x.parquet", { start: "yesterday" }))).toBe("ERR_ARGUMENT");
    // Wrong JS types are refused by the N-API conversion itself (napi-rs status codes).
    expect(codeOf(() => s.columns("0" as unknown as number))).not.toBe("no error");
    const id = s.symbolId(s.symbols()[0]);
    expect(s.columns(id).timesMs.length).toBeGreaterThan(0);
    s.dispose();
    for (const call of [() => s.columns(id), () => s.symbols(), () => s.symbolId("MESH4"), () => s.resample("5m"), () => s.report, () => s.byteSize]) {
      expect(codeOf(call)).toBe("ERR_DISPOSED");
    }
    s.dispose(); // idempotent
  });

  it("a resampled store reports no ingest; the opened one reports its files and rows", () => {
    const s = b.NativeBarStore.openParquet([samplePath()]);
    expect(s.report.files).toEqual([samplePath()]);
    expect(s.report.rowsRead).toBeGreaterThan(0);
    const hourly = s.resample("1h");
    expect(hourly.report).toEqual({ files: [], rowsRead: 0, symbolsSorted: 0, duplicatesDropped: 0, reused: false });
    s.dispose();
    hourly.dispose();
  });
});
