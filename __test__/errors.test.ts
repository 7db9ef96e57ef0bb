// Ingest options on imperfect input: sorting and de-duplication on request, DataBento fixed-point
// prices, the generic schema. (Every broken file is in the bad-input corpus: bad-corpus.test.ts.)

import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { beforeAll, describe, expect, it } from "vitest";
import { BarStore } from "../ts/src/index.js";
import { samplePath, tempDir } from "./helpers/fixtures.js";

const T0 = 1_704_292_200_000_000_000n; // 2024-01-03 14:30 UTC in ns
const MIN = 60_000_000_000n;
let dir: string;

type Col = { name: string; data: unknown[]; type: string };

function bars(n: number, patch: (cols: Record<string, Col>) => void = () => {}): Col[] {
  const cols: Record<string, Col> = {
    ts_event: { name: "ts_event", data: Array.from({ length: n }, (_, i) => T0 + BigInt(i) * MIN), type: "INT64" },
    open: { name: "open", data: Array(n).fill(10), type: "DOUBLE" },
    high: { name: "high", data: Array(n).fill(11), type: "DOUBLE" },
    low: { name: "low", data: Array(n).fill(9), type: "DOUBLE" },
    close: { name: "close", data: Array(n).fill(10.5), type: "DOUBLE" },
    volume: { name: "volume", data: Array.from({ length: n }, () => 5n), type: "INT64" },
    symbol: { name: "symbol", data: Array(n).fill("MESH4"), type: "STRING" },
  };
  patch(cols);
  return Object.values(cols);
}

function write(name: string, columnData: Col[]): string {
  const path = join(dir, name);
  parquetWriteFile({ filename: path, columnData } as Parameters<typeof parquetWriteFile>[0]);
  return path;
}

function openError(path: string, options = {}): Error & { code?: string } {
  try {
    BarStore.openParquetSync(path, options).dispose();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error(`${path} opened without error`);
}

beforeAll(() => {
  dir = tempDir("ferrobt-bad-");
});

describe("ingest options", () => {
  it("sorts or keeps the last duplicate when asked, and reports what it did", () => {
    const unsorted = write(
      "unsorted-ok.parquet",
      bars(5, (c) => ([c.ts_event.data[1], c.ts_event.data[2]] = [c.ts_event.data[2], c.ts_event.data[1]])),
    );
    const s = BarStore.openParquetSync(unsorted, { onUnsorted: "sort" });
    expect(s.report.symbolsSorted).toBe(1);
    expect(Array.from(s.columns("MESH4").timestamps)).toEqual([0n, 1n, 2n, 3n, 4n].map((i) => T0 + i * MIN));
    s.dispose();
    const dup = write(
      "dup-ok.parquet",
      bars(5, (c) => {
        c.ts_event.data[3] = c.ts_event.data[2];
        c.close.data[3] = 10.75;
      }),
    );
    const d = BarStore.openParquetSync(dup, { onDuplicate: "keepLast" });
    expect(d.report.duplicatesDropped).toBe(1);
    expect(Array.from(d.columns("MESH4").close)).toEqual([10.5, 10.5, 10.75, 10.5]);
    d.dispose();
  });

  it("de-scales DataBento fixed-point i64 prices (units of 1e-9)", () => {
    const fixed = (x: number) => ({ type: "INT64", data: Array(3).fill(BigInt(Math.round(x * 4)) * 250_000_000n) });
    const path = write(
      "fixed-point.parquet",
      bars(3, (c) => {
        c.open = { name: "open", ...fixed(4824.25) };
        c.high = { name: "high", ...fixed(4825) };
        c.low = { name: "low", ...fixed(4823.5) };
        c.close = { name: "close", ...fixed(4824.75) };
      }),
    );
    const s = BarStore.openParquetSync(path);
    const w = s.window("MESH4", { end: 8.64e15, length: 3 });
    expect([w.open[0], w.high[0], w.low[0], w.close[2]]).toEqual([4824.25, 4825, 4823.5, 4824.75]);
    s.dispose();
  });

  it("reads the generic schema with a named timestamp column in ms and no symbol column", () => {
    const cols = bars(4).filter((c) => c.name !== "symbol");
    cols[0] = { name: "time", data: (cols[0].data as bigint[]).map((t) => t / 1_000_000n), type: "INT64" };
    const path = write("generic.parquet", cols);
    const s = BarStore.openParquetSync(path, { schema: "generic", timestampColumn: "time", timestampUnit: "ms", defaultSymbol: "ES" });
    expect(s.symbols()).toEqual(["ES"]);
    expect(s.columns("ES").timestamps[0]).toBe(T0);
    s.dispose();
    expect(openError(path, { schema: "generic", timestampColumn: "nope" })).toMatchObject({ code: "ERR_SCHEMA", message: expect.stringContaining("'nope'") });
  });

  it("refuses the same inputs without the options, and a store opened afterwards reads exactly as one opened before", () => {
    const before = BarStore.openParquetSync(samplePath());
    const unsorted = write(
      "unsorted.parquet",
      bars(5, (c) => ([c.ts_event.data[1], c.ts_event.data[2]] = [c.ts_event.data[2], c.ts_event.data[1]])),
    );
    const dup = write(
      "dup.parquet",
      bars(5, (c) => (c.ts_event.data[3] = c.ts_event.data[2])),
    );
    const generic = write(
      "generic-no-ts.parquet",
      bars(4).filter((c) => c.name !== "symbol"),
    );
    expect(openError(unsorted)).toMatchObject({ code: "ERR_UNSORTED", message: expect.stringContaining("unsorted.parquet") });
    expect(openError(dup)).toMatchObject({ code: "ERR_DUPLICATE", message: expect.stringContaining("dup.parquet") });
    expect(openError(generic, { schema: "generic", timestampColumn: "time" })).toMatchObject({
      code: "ERR_SCHEMA",
      message: expect.stringContaining("'time'"),
    });
    const after = BarStore.openParquetSync(samplePath());
    expect(after.symbols()).toEqual(before.symbols());
    for (const symbol of before.symbols()) {
      const [a, b] = [before.columns(symbol), after.columns(symbol)];
      expect(b.timestamps).toEqual(a.timestamps);
      for (const k of ["open", "high", "low", "close", "volume"] as const)
        expect(Buffer.from(b[k].buffer, b[k].byteOffset, b[k].byteLength).equals(Buffer.from(a[k].buffer, a[k].byteOffset, a[k].byteLength)), k).toBe(true);
    }
    before.dispose();
    after.dispose();
  });
});
