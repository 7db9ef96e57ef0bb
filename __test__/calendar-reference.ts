// Reads __test__/fixtures/calendars/reference.json.gz: every session pandas_market_calendars 5.5.0 gives
// (written by scripts/calendars/generate.py beside the compact tables), independent of their TS decoding.

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export interface ReferenceSession {
  /** Session date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly open: number;
  readonly close: number;
}

interface Encoded {
  readonly days: string;
  readonly open: string;
  readonly close: string;
}

const file = new URL("./fixtures/calendars/reference.json.gz", import.meta.url);
const raw = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as {
  versions: Record<string, string>;
  calendars: Record<string, Encoded>;
};

/** Library versions the reference was generated with. */
export const REFERENCE_VERSIONS = raw.versions;

/** Canonical calendar names in the reference. */
export const REFERENCE_CALENDARS = Object.keys(raw.calendars);

const undelta = (s: string) => {
  let acc = 0;
  return s.split(",").map((x) => (acc += Number(x)));
};

/** Every reference session of a calendar, in date order (times in UTC ms). */
export function referenceSessions(name: string): ReferenceSession[] {
  const enc = raw.calendars[name];
  if (!enc) throw new Error(`no reference calendar ${name}`);
  const days = undelta(enc.days),
    open = undelta(enc.open),
    close = undelta(enc.close);
  return days.map((d, i) => ({
    date: new Date(d * 86_400_000).toISOString().slice(0, 10),
    open: open[i] * 60_000,
    close: close[i] * 60_000,
  }));
}
