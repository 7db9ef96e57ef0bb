//! Seeded stock minute bars in the catalog layout: N symbols over given trading sessions (the caller
//! passes NYSE's, from the market calendar tables), no splits. Each symbol has its own price level,
//! volatility, drift, market beta and liquidity; minutes follow a U-shaped intraday volatility and
//! volume profile with an overnight gap between sessions, and thin symbols miss some minutes (no
//! trade, no bar, as DataBento's minute bars). Only integer and IEEE arithmetic (no `exp`/`ln` from
//! the platform's libm), so the same spec gives the same bars, and the same bytes, everywhere.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::write::{month_runs, partition_dir, prepare_out, write_part, PartBars, Volumes};
use crate::error::{Result, StoreError};
use crate::sample::rng::Rng;

/// ns per minute.
const MINUTE_NS: i64 = 60_000_000_000;
/// Trading minutes in a regular NYSE year (252 sessions × 390 minutes), for per-minute volatility.
const MINUTES_PER_YEAR: f64 = 252.0 * 390.0;

/// What to generate.
#[derive(Debug, Clone)]
pub struct StockSpec {
    /// Seed of every symbol's parameters and path (symbol `i`'s bars depend only on the seed, `i` and
    /// the sessions, so a catalog of N symbols is the first N of any larger one).
    pub seed: u64,
    /// Number of symbols (1 to 100,000).
    pub symbols: usize,
    /// Trading sessions `[open, close)`, ns UTC, ascending, not overlapping, on whole minutes.
    pub sessions: Vec<(i64, i64)>,
}

/// What [`generate_stocks`] wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenerateReport {
    /// Symbols, ascending.
    pub symbols: Vec<String>,
    /// Parquet files written.
    pub files: u64,
    /// Bars written.
    pub bars: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// Writes `spec`'s symbols to the new (or empty) directory `dir` as a catalog,
/// `symbol=NAME/year=YYYY/part-00000-MM.parquet` (a file per UTC month) with DataBento columns; symbols are written in parallel
/// (one thread per core, at most 8), each file through its own temporary name.
///
/// # Errors
/// `ERR_ARGUMENT` (no symbol or too many, no session, sessions out of order or not on whole minutes,
/// a non-empty `dir`); `ERR_IO` when a file cannot be written.
pub fn generate_stocks(spec: &StockSpec, dir: &Path) -> Result<GenerateReport> {
    check(spec)?;
    prepare_out(dir)?;
    let names = tickers(spec.seed, spec.symbols);
    let market = Market::new(spec);
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).clamp(1, 8).min(spec.symbols);
    let next = AtomicUsize::new(0);
    let totals = Mutex::new(GenerateReport::default());
    let failure: Mutex<Option<StoreError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= spec.symbols || failure.lock().map_or(true, |f| f.is_some()) {
                    return;
                }
                match write_symbol(spec, &market, i, &names[i], dir) {
                    Ok((files, bars, bytes)) => {
                        if let Ok(mut t) = totals.lock() {
                            t.files += files;
                            t.bars += bars;
                            t.bytes += bytes;
                        }
                    }
                    Err(e) => {
                        if let Ok(mut f) = failure.lock() {
                            f.get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
        return Err(e);
    }
    let mut report = totals.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut symbols = names;
    symbols.sort();
    report.symbols = symbols;
    Ok(report)
}

fn check(spec: &StockSpec) -> Result<()> {
    if spec.symbols == 0 || spec.symbols > 100_000 {
        return Err(StoreError::argument("symbols", format!("{} is not a count from 1 to 100000", spec.symbols)));
    }
    if spec.sessions.is_empty() {
        return Err(StoreError::argument("sessions", "no trading session in the requested dates"));
    }
    let mut previous_close = i64::MIN;
    for (i, &(open, close)) in spec.sessions.iter().enumerate() {
        if open % MINUTE_NS != 0 || close % MINUTE_NS != 0 || open >= close || open < previous_close {
            return Err(StoreError::argument(
                "sessions",
                format!("session {i} [{open}, {close}) ns is not on whole minutes, empty, or before the previous one"),
            ));
        }
        previous_close = close;
    }
    Ok(())
}

/// `n` distinct tickers of 2 to 4 letters drawn from the seed (a longer list starts with a shorter one's).
fn tickers(seed: u64, n: usize) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x7469_636B_6572_7321);
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        // Mostly 3 and 4 letters; 2-letter names run out after 676, so they stay rare.
        let len = match rng.below(10) {
            0 => 2,
            1..=5 => 3,
            _ => 4,
        };
        let name: String = (0..len).map(|_| (b'A' + rng.below(26) as u8) as char).collect();
        if seen.insert(name.clone()) {
            out.push(name);
        }
    }
    out
}

/// A standard-normal-like draw: the sum of four uniforms, centred and scaled to unit variance (tails
/// end at ±3.46σ; jumps add the rare large moves).
fn normal(rng: &mut Rng) -> f64 {
    let u = |r: &mut Rng| (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    (u(rng) + u(rng) + u(rng) + u(rng) - 2.0) * 1.732_050_807_568_877_2
}

/// Uniform in `[lo, hi)`.
fn uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * ((rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
}

/// Log-uniform in `[lo, hi)`: `lo · (hi/lo)^u` for a uniform `u`, built from `u`'s binary digits and
/// repeated square roots of the ratio (IEEE `sqrt` is exact, unlike a platform's `exp`/`powf`).
fn log_uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    let (mut factor, mut root, mut rest) = (1.0, hi / lo, uniform(rng, 0.0, 1.0));
    for _ in 0..30 {
        rest *= 2.0;
        root = root.sqrt();
        if rest >= 1.0 {
            factor *= root;
            rest -= 1.0;
        }
    }
    lo * factor
}

/// The market factor every symbol loads on: one return per session minute and one overnight gap
/// per session (the move from the previous close to this open), in log-return units.
struct Market {
    minute: Vec<f64>,
    overnight: Vec<f64>,
}

impl Market {
    fn new(spec: &StockSpec) -> Self {
        let mut rng = Rng::new(spec.seed ^ 0x6D61_726B_6574_2121);
        let sigma = 0.16 / MINUTES_PER_YEAR.sqrt();
        let drift = 0.07 / MINUTES_PER_YEAR;
        let mut minute = Vec::new();
        let mut overnight = Vec::with_capacity(spec.sessions.len());
        for &(open, close) in &spec.sessions {
            overnight.push(normal(&mut rng) * sigma * 8.0);
            let n = ((close - open) / MINUTE_NS) as usize;
            for k in 0..n {
                minute.push(drift + normal(&mut rng) * sigma * intraday(k, n).0);
            }
        }
        Self { minute, overnight }
    }
}

/// Intraday profile at minute `k` of `n`: (volatility multiplier, volume multiplier), both U-shaped
/// (busy open, quieter midday, busier close) and averaging about 1 over a regular session.
fn intraday(k: usize, n: usize) -> (f64, f64) {
    let x = (k as f64 + 0.5) / n as f64;
    let edge = (1.0 - 2.0 * x) * (1.0 - 2.0 * x);
    let open_burst = if k < 15 { 1.0 - k as f64 / 15.0 } else { 0.0 };
    (0.75 + 0.6 * edge + 0.9 * open_burst, 0.55 + 1.2 * edge + 1.5 * open_burst)
}

/// One symbol's bars, columns ready to write.
struct Columns {
    ts: Vec<i64>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<u64>,
}

/// Generates symbol `i` and writes one file per UTC month; returns (files, bars, bytes).
fn write_symbol(spec: &StockSpec, market: &Market, i: usize, name: &str, dir: &Path) -> Result<(u64, u64, u64)> {
    let c = bars_of(spec, market, i);
    let (mut files, mut bytes) = (0, 0);
    for run in month_runs(&c.ts) {
        let r = run.range.clone();
        let part = PartBars {
            ts: &c.ts[r.clone()],
            open: &c.open[r.clone()],
            high: &c.high[r.clone()],
            low: &c.low[r.clone()],
            close: &c.close[r.clone()],
            volume: Volumes::Whole(c.volume[r].to_vec()),
        };
        bytes += write_part(&partition_dir(dir, name, run.year), &run.file_name(0), name, part)?;
        files += 1;
    }
    Ok((files, c.ts.len() as u64, bytes))
}

/// The bars of symbol `i`: prices in cents, a multiplicative walk on the market factor and its own noise.
fn bars_of(spec: &StockSpec, market: &Market, i: usize) -> Columns {
    let mut rng =
        Rng::new(spec.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let start_price = log_uniform(&mut rng, 8.0, 400.0);
    let annual_vol = uniform(&mut rng, 0.15, 0.65);
    let beta = uniform(&mut rng, 0.4, 1.6);
    let drift = uniform(&mut rng, -0.15, 0.30) / MINUTES_PER_YEAR;
    let daily_shares = log_uniform(&mut rng, 1.5e5, 3.0e7);
    let own_sigma = {
        let market_part = beta * 0.16;
        let rest = annual_vol * annual_vol - market_part * market_part;
        rest.max(0.01).sqrt() / MINUTES_PER_YEAR.sqrt()
    };
    // Thin names skip minutes: about 6 % of them at 150k shares a day, none above ~3M.
    let miss = (0.06 * (1.0 - (daily_shares / 3.0e6).sqrt().min(1.0))).max(0.0);
    let per_minute_shares = daily_shares / 390.0;
    let minutes: usize = spec.sessions.iter().map(|&(o, c)| ((c - o) / MINUTE_NS) as usize).sum();
    let mut c = Columns {
        ts: Vec::with_capacity(minutes),
        open: Vec::with_capacity(minutes),
        high: Vec::with_capacity(minutes),
        low: Vec::with_capacity(minutes),
        close: Vec::with_capacity(minutes),
        volume: Vec::with_capacity(minutes),
    };
    let mut price = start_price;
    let mut m = 0;
    for (s, &(open_ns, close_ns)) in spec.sessions.iter().enumerate() {
        if s > 0 {
            let gap = beta * market.overnight[s] + normal(&mut rng) * own_sigma * 10.0;
            price = step(price, gap);
        }
        let n = ((close_ns - open_ns) / MINUTE_NS) as usize;
        for k in 0..n {
            let (vol_mult, volume_mult) = intraday(k, n);
            let jump = if rng.chance(0.000_2) { normal(&mut rng) * own_sigma * 10.0 } else { 0.0 };
            let r = drift + beta * market.minute[m] + normal(&mut rng) * own_sigma * vol_mult + jump;
            m += 1;
            let open = cents(price);
            price = step(price, r);
            let close = cents(price);
            let wick = own_sigma * vol_mult * price;
            let high = cents(open.max(close) + (normal(&mut rng).abs() * 0.6 * wick));
            let low = cents((open.min(close) - normal(&mut rng).abs() * 0.6 * wick).max(0.01)).min(open.min(close));
            let shares = per_minute_shares * volume_mult * (0.4 + 1.2 * uniform(&mut rng, 0.0, 1.0));
            if k > 0 && k + 1 < n && rng.chance(miss) {
                continue; // no trade this minute: no bar (the price still moved)
            }
            c.ts.push(open_ns + k as i64 * MINUTE_NS);
            c.open.push(open);
            c.high.push(high.max(open.max(close)));
            c.low.push(low);
            c.close.push(close);
            c.volume.push((shares as u64).max(1));
        }
    }
    c
}

/// `price` moved by the log return `r` (|r| small): `price · (1 + r + r²/2)`, floored at a cent.
fn step(price: f64, r: f64) -> f64 {
    (price * (1.0 + r + 0.5 * r * r)).max(0.01)
}

/// `x` rounded to whole cents.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five 09:30–16:00 New York sessions (EST, UTC-5) from 2024-01-02, a 13:00 early close on the third.
    fn sessions() -> Vec<(i64, i64)> {
        let day = 86_400_000_000_000_i64;
        let jan2_1430 = 1_704_205_800_000_000_000_i64;
        (0..5)
            .map(|d| {
                let open = jan2_1430 + d * day;
                (open, open + if d == 2 { 210 } else { 390 } * MINUTE_NS)
            })
            .collect()
    }

    #[test]
    fn tickers_are_distinct_and_a_prefix_of_longer_lists() {
        let many = tickers(7, 600);
        assert_eq!(many.iter().collect::<BTreeSet<_>>().len(), 600);
        assert_eq!(tickers(7, 50), many[..50]);
        assert!(many.iter().all(|t| (2..=4).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_uppercase())));
    }

    #[test]
    fn bars_lie_in_sessions_on_cents_with_sane_ohlc() {
        let spec = StockSpec { seed: 3, symbols: 40, sessions: sessions() };
        let market = Market::new(&spec);
        for i in 0..spec.symbols {
            let c = bars_of(&spec, &market, i);
            assert!(c.ts.len() > 1_500 && c.ts.len() <= 4 * 390 + 210, "{}", c.ts.len());
            assert!(c.ts.windows(2).all(|w| w[0] < w[1]));
            for (k, &t) in c.ts.iter().enumerate() {
                assert!(spec.sessions.iter().any(|&(o, e)| t >= o && t < e));
                let (o, h, l, cl) = (c.open[k], c.high[k], c.low[k], c.close[k]);
                assert!(l <= o.min(cl) && h >= o.max(cl) && l >= 0.01, "{o} {h} {l} {cl}");
                for p in [o, h, l, cl] {
                    assert_eq!(cents(p), p);
                }
                assert!(c.volume[k] >= 1);
            }
            // Every session's first and last minute trades.
            for &(open, close) in &spec.sessions {
                assert!(c.ts.contains(&open) && c.ts.contains(&(close - MINUTE_NS)));
            }
        }
    }

    #[test]
    fn same_spec_same_bytes_and_symbols_do_not_depend_on_the_count() {
        let root = std::env::temp_dir().join(format!("ferrobt-gen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let spec = StockSpec { seed: 11, symbols: 6, sessions: sessions() };
        let a = generate_stocks(&spec, &root.join("a")).unwrap();
        let b = generate_stocks(&spec, &root.join("b")).unwrap();
        let fewer = generate_stocks(&StockSpec { symbols: 2, ..spec.clone() }, &root.join("c")).unwrap();
        assert_eq!((a.files, a.symbols.len()), (6, 6));
        assert_eq!(a, b);
        for name in &a.symbols {
            let file = |d: &str| {
                std::fs::read(partition_dir(&root.join(d), name, 2024).join("part-00000-01.parquet")).unwrap()
            };
            assert_eq!(file("a"), file("b"), "{name}");
        }
        for name in &fewer.symbols {
            let file = |d: &str| {
                std::fs::read(partition_dir(&root.join(d), name, 2024).join("part-00000-01.parquet")).unwrap()
            };
            assert_eq!(file("a"), file("c"), "{name}");
        }
        let again = generate_stocks(&spec, &root.join("a")).unwrap_err();
        assert_eq!(again.code(), "ERR_ARGUMENT");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
