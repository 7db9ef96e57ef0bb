// A pure-TypeScript DataSource over in-memory columns (binary search in JS). Handy for tests and
// for bars that do not come from parquet; the reference backend builds on it.

import { FerrobtError } from "../errors.js";
import type { Instrument } from "../store/BarStore.js";
import type { BarColumnsView } from "../store/Bars.js";
import { countBelow } from "../store/search.js";
import type { DataSource } from "./DataSource.js";

/** Bars of one symbol as plain arrays; times are bar open instants in ms UTC, ascending and unique. */
export interface BarArrays {
  timesMs: ArrayLike<number>;
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  volume: ArrayLike<number>;
}

export class MemorySource implements DataSource {
  private readonly data = new Map<string, BarColumnsView>();

  constructor(
    bars: Record<string, BarArrays>,
    readonly name = "memory",
    /** Contract definitions to hand the engine (as a DBN definition file would). */
    private readonly definitions: readonly Instrument[] = [],
  ) {
    for (const [symbol, b] of Object.entries(bars)) {
      const n = b.timesMs.length;
      for (const k of ["open", "high", "low", "close", "volume"] as const) {
        if (b[k].length !== n) throw new FerrobtError("ERR_SCHEMA", `symbol '${symbol}': column '${k}' has ${b[k].length} values, timesMs has ${n}`);
      }
      for (let i = 1; i < n; i++) {
        if (!(b.timesMs[i] > b.timesMs[i - 1])) throw new FerrobtError("ERR_UNSORTED", `symbol '${symbol}': row ${i}: times are not ascending and unique`);
      }
      const timesMs = Float64Array.from(b.timesMs);
      this.data.set(symbol, {
        timesMs,
        timestamps: BigInt64Array.from(timesMs, (t) => BigInt(Math.round(t)) * 1_000_000n),
        open: Float64Array.from(b.open),
        high: Float64Array.from(b.high),
        low: Float64Array.from(b.low),
        close: Float64Array.from(b.close),
        volume: Float64Array.from(b.volume),
      });
    }
  }

  symbols(): readonly string[] {
    return [...this.data.keys()].sort();
  }

  columns(symbol: string): BarColumnsView {
    const c = this.data.get(symbol);
    if (!c) throw new FerrobtError("ERR_UNKNOWN_SYMBOL", `unknown symbol '${symbol}'`);
    return c;
  }

  instruments(): readonly Instrument[] {
    return this.definitions;
  }

  countBefore(symbol: string, endMs: number): number {
    return countBelow(this.columns(symbol).timesMs, endMs, false);
  }

  countAtOrBefore(symbol: string, atMs: number): number {
    return countBelow(this.columns(symbol).timesMs, atMs, true);
  }

  dispose(): void {
    this.data.clear();
  }
}
