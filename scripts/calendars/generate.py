"""Generates ferrobt's market calendars from pandas_market_calendars (the library Lumibot's set_market uses).

Writes two files from one run of pandas_market_calendars 5.5.0 (versions pinned in requirements.txt):

* ts/src/engine/calendars/data.ts -- the compact tables MarketCalendar reads: per calendar its time zone,
  weekly mask, eras of regular open/close wall times, the weekday dates without a session, the dates off
  the weekly mask with one, and the sessions whose times differ from their era (early closes, late opens).
* __test__/fixtures/calendars/reference.json.gz -- every session (date, open, close in UTC) as
  delta-coded integers, read only by __test__/calendar-reference.test.ts, so the TS decoding of data.ts is
  checked against pandas_market_calendars' own schedule rather than against itself.

Run (never into the system Python):
    python3 -m venv /tmp/pmc-venv && /tmp/pmc-venv/bin/pip install -r scripts/calendars/requirements.txt
    /tmp/pmc-venv/bin/python scripts/calendars/generate.py
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pandas_market_calendars as mcal

PMC_VERSION = "5.5.0"
# Session dates generated. MarketCalendar serves queries from 1990-01-01 to 2030-12-31 (New York) and
# pads its window by 10 days each side, so the tables reach a month past both ends.
FIRST = date(1989, 12, 1)
LAST = date(2031, 1, 31)
# Lumibot's set_market names backed by a pandas_market_calendars calendar, canonical name first.
CANONICAL = ["NYSE", "us_futures", "CME_Equity", "CME_Agriculture", "CME_Rate", "CFE", "LSE", "TSX"]
# pandas_market_calendars aliases; each is kept only if its schedule equals its canonical calendar's.
ALIAS_CANDIDATES = {
    "stock": "NYSE",
    "NASDAQ": "NYSE",
    "XNYS": "NYSE",
    "CBOT_Equity": "CME_Equity",
    "CBOT_Agriculture": "CME_Agriculture",
    "CBOT_Rate": "CME_Rate",
    "CME_InterestRate": "CME_Rate",
    "CBOT_InterestRate": "CME_Rate",
    "CME_Bond": "CME_Rate",
    "CBOT_Bond": "CME_Rate",
    "CBOE_Futures": "CFE",
}
# An era of regular times starts where this many sessions in a row share new times.
ERA_RUN = 20
ROOT = Path(__file__).resolve().parents[2]
EPOCH = date(1970, 1, 1)


def sessions(name: str) -> list[tuple[date, int, int]]:
    """(session date, open ms UTC, close ms UTC) of every session, as Lumibot reads them (open and close only)."""
    if name == "24/7":
        return twenty_four_seven()
    cal = mcal.get_calendar(name)
    sched = cal.schedule(start_date=FIRST.isoformat(), end_date=LAST.isoformat(), tz="UTC")
    out = []
    for label, row in sched.iterrows():
        out.append((label.date(), to_ms(row["market_open"]), to_ms(row["market_close"])))
    return out


def twenty_four_seven() -> list[tuple[date, int, int]]:
    """Lumibot's TwentyFourSevenCalendar: every day 00:00 to 23:59:59.999999 New York."""
    out = []
    d = FIRST
    while d <= LAST:
        day = pd.Timestamp(d.isoformat())
        open_ = day.tz_localize("America/New_York")
        close = (day + pd.Timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999)).tz_localize("America/New_York")
        out.append((d, to_ms(open_), to_ms(close)))
        d += timedelta(days=1)
    return out


def to_ms(ts: pd.Timestamp) -> int:
    """UTC ms of a timestamp, rounded up to a whole ms (a close at 23:59:59.999999 becomes the next midnight:
    at ms resolution [open, that) holds the same instants as Lumibot's open <= t < close)."""
    us = int(ts.as_unit("ns").value) // 1000  # .value is ns whatever the unit
    return -(-us // 1000)


def wall_minutes(ms: int, session: date, tz: str) -> int:
    """Minutes from the session date's local midnight in `tz` to the wall-clock time of `ms`."""
    local = pd.Timestamp(ms, unit="ms", tz="UTC").tz_convert(tz)
    if local.second or local.microsecond or local.nanosecond:
        raise SystemExit(f"{session}: {local} is not a whole minute")
    return (local.date() - session).days * 1440 + local.hour * 60 + local.minute


def ymd(d: date) -> str:
    return d.strftime("%Y%m%d")


def compact(name: str, rows: list[tuple[date, int, int]], tz: str, weekmask: str) -> dict:
    """The tables of data.ts for one calendar."""
    times = [(d, wall_minutes(o, d, tz), wall_minutes(c, d, tz)) for d, o, c in rows]
    eras: list[list] = []
    for i, (d, o, c) in enumerate(times):
        if eras and (eras[-1][1], eras[-1][2]) == (o, c):
            continue
        run = times[i : i + ERA_RUN]
        if not eras or (len(run) == ERA_RUN and all((x[1], x[2]) == (o, c) for x in run)):
            eras.append([ymd(d), o, c])
    if not eras:
        raise SystemExit(f"{name}: no sessions")
    special = []
    era = 0
    for d, o, c in times:
        while era + 1 < len(eras) and eras[era + 1][0] <= ymd(d):
            era += 1
        if (eras[era][1], eras[era][2]) != (o, c):
            special.append(f"{ymd(d)}:{o}:{c}")
    dates = {d for d, _, _ in rows}
    off, extra = [], []
    d = FIRST
    while d <= LAST:
        on_mask = weekmask[d.weekday()] == "1"
        if on_mask and d not in dates:
            off.append(ymd(d))
        elif not on_mask and d in dates:
            extra.append(ymd(d))
        d += timedelta(days=1)
    return {"tz": tz, "weekmask": weekmask, "eras": eras, "off": " ".join(off), "extra": " ".join(extra), "special": " ".join(special)}


def weekmask_of(name: str) -> str:
    """Mon..Sun as 7 characters of 0/1."""
    if name == "24/7":
        return "1111111"
    mask = mcal.get_calendar(name).weekmask.split()
    return "".join("1" if day in mask else "0" for day in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])


def reference(rows: list[tuple[date, int, int]]) -> dict:
    """Every session as delta-coded integers: days since 1970-01-01, open and close in UTC minutes."""

    def deltas(values: list[int]) -> str:
        prev, out = 0, []
        for v in values:
            out.append(str(v - prev))
            prev = v
        return ",".join(out)

    for _, o, c in rows:
        if o % 60_000 or c % 60_000:
            raise SystemExit(f"session {o}..{c} is not on whole minutes")
    return {
        "days": deltas([(d - EPOCH).days for d, _, _ in rows]),
        "open": deltas([o // 60_000 for _, o, _ in rows]),
        "close": deltas([c // 60_000 for _, _, c in rows]),
    }


def main() -> None:
    import importlib.metadata as md

    if md.version("pandas_market_calendars") != PMC_VERSION:
        raise SystemExit(f"need pandas_market_calendars {PMC_VERSION}, found {md.version('pandas_market_calendars')}")
    tables, refs, aliases = {}, {}, {}
    all_rows = {}
    for name in [*CANONICAL, "24/7"]:
        rows = sessions(name)
        all_rows[name] = rows
        tz = "America/New_York" if name == "24/7" else str(mcal.get_calendar(name).tz)
        tables[name] = compact(name, rows, tz, weekmask_of(name))
        refs[name] = reference(rows)
        print(f"{name}: {len(rows)} sessions, {len(tables[name]['eras'])} eras, {tables[name]['special'].count(':') // 2} special", file=sys.stderr)
    for alias, target in ALIAS_CANDIDATES.items():
        same = sessions(alias) == all_rows[target]
        print(f"alias {alias} -> {target}: {'equal' if same else 'DIFFERS, left out'}", file=sys.stderr)
        if same:
            aliases[alias] = target
    versions = {p: md.version(p) for p in ["pandas_market_calendars", "exchange_calendars", "pandas", "tzdata"]}
    header = (
        "// Market calendar tables generated by scripts/calendars/generate.py from "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + ". Do not edit; rerun the script.\n"
    )
    body = {
        "first": FIRST.isoformat(),
        "last": LAST.isoformat(),
        "calendars": tables,
        "aliases": aliases,
    }
    ts = (
        header
        + 'import type { CalendarTables } from "../calendar-data.js";\n\n'
        + "export const CALENDAR_TABLES: CalendarTables = "
        + json.dumps(body, indent=1)
        + ";\n"
    )
    out = ROOT / "ts/src/engine/calendars/data.ts"
    out.write_text(ts)
    # The repository's formatter gives the committed layout (a rerun on the same versions is byte-identical).
    subprocess.run(["npx", "biome", "format", "--write", str(out)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    ref = {"versions": versions, "calendars": refs}
    raw = json.dumps(ref, separators=(",", ":")).encode()
    (ROOT / "__test__/fixtures/calendars/reference.json.gz").write_bytes(gzip.compress(raw, 9, mtime=0))
    print(f"data.ts {out.stat().st_size} bytes, reference {len(raw)} bytes raw", file=sys.stderr)


if __name__ == "__main__":
    main()
