// Memory stays flat: 1,000,000 window calls and 1,000 open/dispose cycles of a one-year store
// (~350k bars) in a child process with --expose-gc, measured after a warm-up (100k windows, 200
// cycles). The child runs with MIMALLOC_PURGE_DELAY=0: mimalloc (the addon's allocator) then returns
// freed pages at once instead of after its delay, and RSS sits at one level (~137 MiB here, ±4);
// with the delay, single samples sat at either of two levels ~40 MiB apart, and the last four could
// all land on the upper one under load (a failed CI run: +40.2 MiB). Bounds: RSS grows < 32 MiB,
// external memory < 4 MiB.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateSample } from "../ts/src/index.js";
import { REPO, tempDir } from "./helpers/fixtures.js";

const MiB = 1024 * 1024;

describe("memory", () => {
  it("stays flat over 1,000,000 windows and 1,000 open/dispose cycles of a 1-year store", () => {
    const path = join(tempDir(), "year.parquet");
    const rows = generateSample(path, { start: "2023-01-01", end: "2024-01-01" });
    expect(rows).toBeGreaterThan(340_000);
    const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", join(REPO, "__test__/helpers/memory-loop.ts"), path], {
      cwd: REPO,
      encoding: "utf8",
      maxBuffer: 1 << 20,
      env: { ...process.env, MIMALLOC_PURGE_DELAY: "0" },
    });
    const m = JSON.parse(out.trim().split("\n").at(-1)!);
    // Cycle growth: the floor (minimum) of the last four samples minus the floor of the first four
    // (one sample after every 100 cycles), so a sample or two taken before the allocator let go of its
    // pages cannot fail it; a leak raises the floor itself (32 KiB a cycle would add 32 MiB over the
    // 1,000 cycles).
    const floor = (xs: number[]) => Math.min(...xs);
    const s = m.cycleSamples as { rss: number; external: number }[];
    const grow = (k: "rss" | "external") => floor(s.slice(-4).map((x) => x[k])) - floor(s.slice(0, 4).map((x) => x[k]));
    const mib = (bytes: number, digits = 1) => `${bytes < 0 ? "−" : "+"}${(Math.abs(bytes) / MiB).toFixed(digits)} MiB`;
    console.log(
      `memory: windows RSS ${mib(m.afterWindows.rss - m.warm.rss)}, ` +
        `cycles RSS ${mib(grow("rss"))}, external ${mib(grow("external"), 2)}, store ${(m.bytes / MiB).toFixed(1)} MiB, ` +
        `cycle samples ${s.map((x) => (x.rss / MiB).toFixed(0)).join(" ")} MiB`,
    );
    expect(s.length).toBe(11);
    expect(m.afterWindows.rss - m.warm.rss).toBeLessThan(32 * MiB);
    expect(m.afterWindows.external - m.warm.external).toBeLessThan(4 * MiB);
    expect(grow("rss")).toBeLessThan(32 * MiB);
    expect(grow("external")).toBeLessThan(4 * MiB);
  }, 600_000); // a soak run: about 100 s alone, minutes on a loaded machine
});
