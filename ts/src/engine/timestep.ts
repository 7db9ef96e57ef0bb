// Parsing of sleeptime (spec §3.1) and historical-price timesteps (spec §1.1).

import { FerrobtError } from "../errors.js";

/** Clock step in ms of a Lumibot sleeptime: int n = n minutes; "nS", "nM"/"nT", "nH", "nD". */
export function sleeptimeMs(sleeptime: string | number): number {
  if (typeof sleeptime === "number") {
    if (!Number.isInteger(sleeptime) || sleeptime < 0) throw bad(sleeptime);
    return sleeptime * 60_000;
  }
  const m = /^\s*(\d+)\s*([SsMmTtHhDd])\s*$/.exec(String(sleeptime));
  if (!m) throw bad(sleeptime);
  const n = Number(m[1]);
  const unit = m[2].toUpperCase();
  const per = unit === "S" ? 1_000 : unit === "M" || unit === "T" ? 60_000 : unit === "H" ? 3_600_000 : 86_400_000;
  return n * per;
}

function bad(v: unknown): FerrobtError {
  return new FerrobtError("ERR_ARGUMENT", `argument 'sleeptime': ${JSON.stringify(v)} is not an int (minutes) or "<n>S|M|T|H|D"`);
}

/** A parsed timestep: `multiplier` units of minute or day. */
export interface Timestep {
  readonly multiplier: number;
  readonly unit: "minute" | "day";
}

/**
 * Lumibot's timestep strings: minute/min/m/1m/1M/1min, day/d/1d, "5m"/"5 minutes", hour/1h/"2 hours"
 * (= 60·N minutes), "2d", week/1w (= 7·N days), month/1mo (= 30·N days). Anything else is rejected
 * with ERR_TIMEFRAME (Lumibot would pass it through to the data source).
 */
export function parseTimestep(text: string | undefined): Timestep {
  const key = text ?? "minute";
  // Strategies ask for one timestep call after call: the last one answers without a lookup.
  if (key === lastKey) return lastHit as Timestep;
  let hit = parsed.get(key);
  if (!hit) parsed.set(key, (hit = parseUncached(key)));
  lastKey = key;
  lastHit = hit;
  return hit;
}

const parsed = new Map<string, Timestep>();
let lastKey: string | undefined;
let lastHit: Timestep | undefined;

function parseUncached(text: string): Timestep {
  const s = text.trim().toLowerCase();
  if (s === "") return { multiplier: 1, unit: "minute" };
  const m = /^(\d*)\s*(m|min|mins|minute|minutes|h|hr|hour|hours|d|day|days|w|week|weeks|mo|month|months)$/.exec(s);
  if (!m) throw new FerrobtError("ERR_TIMEFRAME", `unknown timestep '${text}': use minute, "5 minutes", "1h", day, "1w" ...`);
  const n = m[1] === "" ? 1 : Number(m[1]);
  if (n <= 0) throw new FerrobtError("ERR_TIMEFRAME", `timestep '${text}' must have a positive count`);
  const unit = m[2];
  if (unit.startsWith("mo")) return { multiplier: 30 * n, unit: "day" };
  if (unit.startsWith("m")) return { multiplier: n, unit: "minute" };
  if (unit.startsWith("h")) return { multiplier: 60 * n, unit: "minute" };
  if (unit.startsWith("w")) return { multiplier: 7 * n, unit: "day" };
  return { multiplier: n, unit: "day" };
}
