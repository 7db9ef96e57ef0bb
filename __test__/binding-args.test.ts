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
const t = 1_704_292_200_000;

describe("raw binding arguments", () => {
  it("rejects bad ids, times, lengths, timeframes and disposed stores in Rust", () => {
    const s = b.NativeBarStore.openParquet([samplePath()]);
    expect(codeOf(() => s.countBefore(0, NaN))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => s.countBefore(0, Infinity))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => s.windowRange(0, t, -1))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => s.windowRange(0, t, 1.5))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => s.columns(99))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => s.symbolId("NOPE"))).toBe("ERR_UNKNOWN_SYMBOL");
    expect(codeOf(() => s.resample("7m"))).toBe("ERR_TIMEFRAME");
    expect(codeOf(() => s.resample("1h", { timeZone: "Mars/Olympus" }))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.barsCountBefore(4_000_000_000, t))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.NativeBarStore.openParquet([]))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.NativeBarStore.openParquet([samplePath()], { onUnsorted: "shuffle" }))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.NativeBarStore.openParquet([samplePath()], { startNs: 10n, endNs: 5n }))).toBe("ERR_ARGUMENT");
    expect(codeOf(() => b.generateSample("/tmp/x.parquet", { start: "yesterday" }))).toBe("ERR_ARGUMENT");
    // Wrong JS types are refused by the N-API conversion itself (napi-rs status codes).
    expect(codeOf(() => s.countBefore("0" as unknown as number, t))).not.toBe("no error");
    const handle = s.symbolHandle(0);
    expect(b.barsCountBefore(handle, t)).toBe(s.countBefore(0, t));
    s.dispose();
    expect(codeOf(() => s.countBefore(0, t))).toBe("ERR_DISPOSED");
    expect(codeOf(() => b.barsCountBefore(handle, t))).toBe("ERR_DISPOSED");
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) expect(codeOf(() => b.barsCountBefore(bad, t)), String(bad)).toBe("ERR_ARGUMENT");
  });

  it("never lets a disposed store's symbol handle read the store that reuses its slot", () => {
    const first = b.NativeBarStore.openParquet([samplePath()]);
    const stale = first.symbolHandle(0);
    first.dispose();
    const second = b.NativeBarStore.openParquet([samplePath()], { endNs: 1_704_292_200_000_000_000n });
    const fresh = second.symbolHandle(0);
    expect(fresh % 2 ** 24).toBe(stale % 2 ** 24); // the slot was reused...
    expect(fresh).not.toBe(stale); // ...under a new generation
    expect(b.barsCountBefore(fresh, t)).toBe(second.countBefore(0, t));
    expect(codeOf(() => b.barsCountBefore(stale, t))).toBe("ERR_DISPOSED");
    second.dispose();
  });
});
