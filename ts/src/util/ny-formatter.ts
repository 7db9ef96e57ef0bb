// formatNy for long runs of times: the same text, with the date part and the offset reused while the times stay on one New York day.

import { formatOffset, nyOffsetMs } from "../util/nytime.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));

/** A formatter giving exactly formatNy's `YYYY-MM-DD HH:MM:SS-05:00`, fast when consecutive calls share a day. */
export function nyTimestampFormatter(): (utcMs: number) => string {
  // The cached day: its first local ms (New York wall clock read as UTC), the offset in force, and the text around the clock.
  let dayStart = NaN,
    offset = NaN,
    prefix = "",
    suffix = "";
  return (utcMs) => {
    const off = nyOffsetMs(utcMs);
    const local = Math.trunc(utcMs) + off;
    if (off !== offset || !(local >= dayStart && local < dayStart + DAY)) {
      offset = off;
      dayStart = Math.floor(local / DAY) * DAY;
      const d = new Date(dayStart);
      prefix = `${d.getUTCFullYear()}-${TWO[d.getUTCMonth() + 1]}-${TWO[d.getUTCDate()]} `;
      suffix = formatOffset(off);
    }
    const inDay = local - dayStart;
    return `${prefix}${TWO[Math.floor(inDay / HOUR)]}:${TWO[Math.floor(inDay / 60_000) % 60]}:${TWO[Math.floor(inDay / 1000) % 60]}${suffix}`;
  };
}
