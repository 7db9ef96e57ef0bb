//! Integration tests of the core: generated parquet in, windows / last bar / resampling / errors out.

use std::path::PathBuf;

use ferrobt_core::sample::{generate, write_parquet, SampleSpec};
use ferrobt_core::{
    open_parquet, BarColumns, BarStore, IngestOptions, OnDuplicate, OnUnsorted, ResampleOptions, SymbolBars, Timeframe,
};
use polars::prelude::*;
use proptest::prelude::*;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferrobt-core-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn sample_file(name: &str, spec: &SampleSpec) -> PathBuf {
    let path = tmp(name);
    write_parquet(generate(spec).unwrap(), &path).unwrap();
    path
}

/// The default sample, written once: tests run in parallel threads and must not rewrite it under each other.
fn default_file() -> PathBuf {
    static FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| sample_file("default.parquet", &SampleSpec::default())).clone()
}

/// The default sample, opened with default options (its ingest report dropped).
fn default_store() -> BarStore {
    open_parquet(&[default_file().to_string_lossy().into()], &IngestOptions::default()).unwrap().0
}

const MIN: i64 = 60_000_000_000;
/// 2024-01-03 14:30 UTC = 09:30 New York.
const JAN3_0930: i64 = 1_704_292_200_000_000_000;

#[test]
fn same_spec_gives_identical_bytes() {
    let a = std::fs::read(sample_file("a.parquet", &SampleSpec::default())).unwrap();
    let b = std::fs::read(sample_file("b.parquet", &SampleSpec::default())).unwrap();
    assert_eq!(a, b);
    let other = std::fs::read(sample_file("c.parquet", &SampleSpec { seed: 7, ..SampleSpec::default() })).unwrap();
    assert_ne!(a, other);
}

#[test]
fn windows_follow_the_strict_before_rule() {
    let store = default_store();
    let bars = store.bars_of("MESH4").unwrap();
    let ts = bars.ts();
    // Exactly on a bar: that bar is excluded; the window ends with the bar before it.
    let r = bars.window_range(JAN3_0930, 200);
    assert_eq!(r.len(), 200);
    assert!(ts[r.end - 1] < JAN3_0930 && ts[r.end] == JAN3_0930);
    assert_eq!(ts[r.end - 1], JAN3_0930 - MIN);
    // Between bars (30 s later) the bar stamped 09:30 is now included.
    assert_eq!(bars.window_range(JAN3_0930 + 30_000_000_000, 1).start, r.end);
    // Before the first bar, length 0, after the last bar.
    assert!(bars.window_range(ts[0], 10).is_empty());
    assert!(bars.window_range(JAN3_0930, 0).is_empty());
    assert_eq!(bars.window_range(i64::MAX, 5), bars.len() - 5..bars.len());
    assert_eq!(bars.last_index(ts[0] - 1), None);
    assert_eq!(bars.last_index(JAN3_0930), Some(r.end));
    // More than exist: all earlier bars.
    assert_eq!(bars.window_range(ts[3], 100), 0..3);
    let between = bars.between_range(JAN3_0930, JAN3_0930 + 10 * MIN);
    assert_eq!(between.len(), 10);
    assert_eq!(store.symbol_id("NOPE").unwrap_err().code(), "ERR_UNKNOWN_SYMBOL");
}

#[test]
fn windows_skip_gaps_without_filling_them() {
    let store = default_store();
    let bars = store.bars_of("MESH4").unwrap();
    // The daily halt: no bar from 17:00 to 17:59 New York; at 18:00 the newest bar is 16:59.
    let jan3_1800 = JAN3_0930 + (8 * 60 + 30) * MIN;
    let r = bars.window_range(jan3_1800, 3);
    let ts = &bars.ts()[r];
    assert_eq!(ts[2], jan3_1800 - 61 * MIN);
    assert_eq!(ts[1], jan3_1800 - 62 * MIN);
}

#[test]
fn time_filter_is_applied_in_the_scan() {
    let opts =
        IngestOptions { start_ns: Some(JAN3_0930), end_ns: Some(JAN3_0930 + 60 * MIN), ..IngestOptions::default() };
    let (store, _) = open_parquet(&[default_file().to_string_lossy().into()], &opts).unwrap();
    let bars = store.bars_of("MESH4").unwrap();
    assert_eq!(bars.len(), 60);
    assert_eq!(bars.ts()[0], JAN3_0930);
}

#[test]
fn resampling_conserves_volume_and_bounds() {
    let store = default_store();
    let minute = store.bars_of("MESH4").unwrap().clone();
    for tf in ["5m", "15m", "1h", "4h", "1d"] {
        let tf = Timeframe::parse(tf).unwrap();
        let rs = store.resample(tf, &ResampleOptions::default()).unwrap();
        let bars = rs.bars_of("MESH4").unwrap();
        let total: f64 = bars.volume().iter().sum();
        assert_eq!(total, minute.volume().iter().sum::<f64>());
        assert!(bars.ts().windows(2).all(|w| w[0] < w[1]));
        let width = i64::from(tf.minutes()) * MIN;
        for i in 0..bars.len() {
            let inside = minute.between_range(bars.ts()[i], bars.ts()[i] + width.min(1_440 * MIN));
            let s = minute.slice(inside);
            assert_eq!(bars.price(0)[i], s.open[0]);
            assert_eq!(bars.price(3)[i], *s.close.last().unwrap());
            assert_eq!(bars.price(1)[i], s.high.iter().copied().fold(f64::MIN, f64::max));
            assert_eq!(bars.price(2)[i], s.low.iter().copied().fold(f64::MAX, f64::min));
        }
    }
    // Day bars start at 18:00 New York (23:00 UTC in winter).
    let days = store.resample(Timeframe::parse("1d").unwrap(), &ResampleOptions::default()).unwrap();
    assert!(days.bars_of("MESH4").unwrap().ts().iter().all(|t| (t / MIN).rem_euclid(1_440) == 23 * 60));
    // Cached: the same Arc comes back.
    let again = store.resample(Timeframe::parse("1d").unwrap(), &ResampleOptions::default()).unwrap();
    assert!(Arc::ptr_eq(&days, &again));
}

/// One store shared by threads (the binding's worker threads, the async ingest pool): concurrent first
/// resamples of one timeframe all get the one cached store, and every thread's windows equal a
/// single-threaded run's. (ThreadSanitizer and Miri need nightly Rust; this runs on stable.)
#[test]
fn threads_share_one_store_and_one_resample_cache() {
    let store = Arc::new(default_store());
    let queries = |store: &BarStore| -> (Arc<BarStore>, Vec<std::ops::Range<usize>>) {
        let hourly = store.resample(Timeframe::parse("1h").unwrap(), &ResampleOptions::default()).unwrap();
        let bars = hourly.bars_of("MESH4").unwrap();
        let ranges =
            (0..2_000).map(|i| bars.window_range(JAN3_0930 + (i % 400 - 200) * 7 * MIN, (i % 50) as usize)).collect();
        (hourly, ranges)
    };
    let expected = queries(&default_store()).1;
    let start = std::sync::Barrier::new(4);
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    queries(&store)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (hourly, ranges) in &results {
        assert!(Arc::ptr_eq(hourly, &results[0].0), "threads got different cached stores");
        assert_eq!(ranges, &expected);
    }
}

#[test]
fn bad_files_get_typed_errors() {
    let code = |p: &PathBuf| open_parquet(&[p.to_string_lossy().into()], &IngestOptions::default()).unwrap_err();
    let missing = tmp("missing.parquet");
    assert_eq!(code(&missing).code(), "ERR_IO");
    assert_eq!(code(&std::env::temp_dir()).code(), "ERR_IO");
    let empty = tmp("empty.parquet");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(code(&empty).code(), "ERR_EMPTY");
    let csv = tmp("csv.parquet");
    std::fs::write(&csv, b"ts,open\n1,2\n").unwrap();
    let e = code(&csv);
    assert_eq!(e.code(), "ERR_PARQUET");
    assert!(e.to_string().contains("csv.parquet"));
    let good = std::fs::read(default_file()).unwrap();
    let truncated = tmp("truncated.parquet");
    std::fs::write(&truncated, &good[..good.len() / 2]).unwrap();
    assert_eq!(code(&truncated).code(), "ERR_PARQUET");
}

fn write_frame(name: &str, mut df: DataFrame) -> PathBuf {
    let path = tmp(name);
    ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
    path
}

fn frame(ts: Vec<i64>, high: Vec<f64>, close: Option<Vec<f64>>) -> DataFrame {
    let n = ts.len();
    let mut cols = vec![
        Column::new("ts_event".into(), ts),
        Column::new("open".into(), vec![10.0; n]),
        Column::new("high".into(), high),
        Column::new("low".into(), vec![9.0; n]),
        Column::new("volume".into(), vec![1u64; n]),
        Column::new("symbol".into(), vec!["X"; n]),
    ];
    if let Some(c) = close {
        cols.push(Column::new("close".into(), c));
    }
    DataFrame::new_infer_height(cols).unwrap()
}

#[test]
fn validation_names_column_and_row() {
    let t = |i: i64| JAN3_0930 + i * MIN;
    let open = |p: &PathBuf, o: &IngestOptions| open_parquet(&[p.to_string_lossy().into()], o);
    let d = IngestOptions::default();

    let no_close = write_frame("no_close.parquet", frame(vec![t(0)], vec![11.0], None));
    let e = open(&no_close, &d).unwrap_err();
    assert_eq!(e.code(), "ERR_SCHEMA");
    assert!(e.to_string().contains("'close'"), "{e}");

    let high_low =
        write_frame("high_low.parquet", frame(vec![t(0), t(1), t(2)], vec![11.0, 11.0, 8.0], Some(vec![10.0; 3])));
    let e = open(&high_low, &d).unwrap_err();
    assert_eq!(e.code(), "ERR_HIGH_LOW");
    assert!(e.to_string().contains("row 2") && e.to_string().contains("high_low.parquet"), "{e}");

    let nan = write_frame("nan.parquet", frame(vec![t(0), t(1)], vec![11.0, 11.0], Some(vec![10.0, f64::NAN])));
    assert_eq!(open(&nan, &d).unwrap_err().code(), "ERR_NOT_FINITE");

    let unsorted = write_frame("unsorted.parquet", frame(vec![t(0), t(2), t(1)], vec![11.0; 3], Some(vec![10.0; 3])));
    let e = open(&unsorted, &d).unwrap_err();
    assert_eq!(e.code(), "ERR_UNSORTED");
    assert!(e.to_string().contains("row 2"), "{e}");
    let (sorted, report) = open(&unsorted, &IngestOptions { on_unsorted: OnUnsorted::Sort, ..d.clone() }).unwrap();
    assert_eq!(sorted.bars_of("X").unwrap().ts(), &[t(0), t(1), t(2)]);
    assert_eq!(report.symbols_sorted, 1);

    let dup = write_frame("dup.parquet", frame(vec![t(0), t(1), t(1)], vec![11.0, 11.0, 12.0], Some(vec![10.0; 3])));
    assert_eq!(open(&dup, &d).unwrap_err().code(), "ERR_DUPLICATE");
    let (kept, report) = open(&dup, &IngestOptions { on_duplicate: OnDuplicate::KeepLast, ..d.clone() }).unwrap();
    assert_eq!(kept.bars_of("X").unwrap().price(1), &[11.0, 12.0]);
    assert_eq!(report.duplicates_dropped, 1);

    let ms = write_frame("ms.parquet", frame(vec![t(0) / 1_000_000], vec![11.0], Some(vec![10.0])));
    assert_eq!(open(&ms, &d).unwrap_err().code(), "ERR_TIMESTAMP_RANGE");
}

fn naive_window(ts: &[i64], end: i64, length: usize) -> Vec<i64> {
    let before: Vec<i64> = ts.iter().copied().filter(|&t| t < end).collect();
    before[before.len().saturating_sub(length)..].to_vec()
}

proptest! {
    #[test]
    fn slicing_matches_a_naive_scan(gaps in proptest::collection::vec(1i64..5, 1..300), end in -10i64..1_600, length in 0usize..50) {
        let mut t = 0;
        let ts: Vec<i64> = gaps.iter().map(|g| { t += g; t * MIN }).collect();
        let n = ts.len();
        let bars = SymbolBars::from_columns("P".into(), BarColumns { ts: ts.clone(), open: vec![1.0; n], high: vec![1.0; n], low: vec![1.0; n], close: vec![1.0; n], volume: vec![1.0; n] });
        let r = bars.window_range(end * MIN, length);
        prop_assert_eq!(bars.ts()[r].to_vec(), naive_window(&ts, end * MIN, length));
        let last = bars.last_index(end * MIN).map(|i| ts[i]);
        prop_assert_eq!(last, ts.iter().copied().rfind(|&x| x <= end * MIN));
    }
}

fn random_bars(gaps: &[i64], moves: &[i8]) -> SymbolBars {
    let mut t = 1_704_000_000_000_000_000i64;
    let mut price = 4_800.0;
    let mut c = BarColumns::default();
    for (g, m) in gaps.iter().zip(moves) {
        t += g * MIN;
        let open = price;
        price += f64::from(*m) * 0.25;
        c.ts.push(t);
        c.open.push(open);
        c.high.push(open.max(price) + 0.25);
        c.low.push(open.min(price) - 0.25);
        c.close.push(price);
        c.volume.push(f64::from(m.unsigned_abs()) + 1.0);
    }
    SymbolBars::from_columns("P".into(), c)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Resampling conserves volume, keeps every bin inside its bars' bounds and never invents a bar.
    #[test]
    fn resampling_random_series_conserves_volume_and_bounds(
        gaps in proptest::collection::vec(prop_oneof![9 => Just(1i64), 1 => 2i64..400], 1..600),
        moves in proptest::collection::vec(-8i8..8, 600),
        tf in prop_oneof![Just("5m"), Just("15m"), Just("1h"), Just("4h"), Just("1d")],
    ) {
        let bars = random_bars(&gaps, &moves);
        let tf = Timeframe::parse(tf).unwrap();
        let out = ferrobt_core::resample::resample_bars(&bars, tf, &ResampleOptions::default()).unwrap();
        prop_assert_eq!(out.volume().iter().sum::<f64>(), bars.volume().iter().sum::<f64>());
        prop_assert!(out.ts().windows(2).all(|w| w[0] < w[1]));
        let mut covered = 0;
        for i in 0..out.len() {
            let end = if i + 1 < out.len() { out.ts()[i + 1] } else { i64::MAX };
            let inside = bars.slice(bars.between_range(out.ts()[i], end));
            prop_assert!(!inside.ts.is_empty(), "empty bin at {}", out.ts()[i]);
            covered += inside.ts.len();
            prop_assert_eq!(out.price(0)[i], inside.open[0]);
            prop_assert_eq!(out.price(3)[i], *inside.close.last().unwrap());
            prop_assert_eq!(out.price(1)[i], inside.high.iter().copied().fold(f64::MIN, f64::max));
            prop_assert_eq!(out.price(2)[i], inside.low.iter().copied().fold(f64::MAX, f64::min));
            prop_assert!(out.ts()[i] <= inside.ts[0]);
        }
        prop_assert_eq!(covered, bars.len());
    }

    /// Windows are sorted, strictly before the clock, and exactly the stored bars (gaps stay gaps).
    #[test]
    fn windows_are_sorted_and_gap_faithful(
        gaps in proptest::collection::vec(prop_oneof![8 => Just(1i64), 2 => 2i64..90], 1..500),
        clock in 0i64..60_000,
        length in 0usize..300,
    ) {
        let bars = random_bars(&gaps, &vec![1; gaps.len()]);
        let end = bars.ts()[0] + clock * MIN / 2;
        let r = bars.window_range(end, length);
        let w = bars.slice(r.clone());
        prop_assert!(w.ts.windows(2).all(|p| p[0] < p[1]));
        prop_assert!(w.ts.iter().all(|&t| t < end));
        prop_assert!(r.end == bars.len() || bars.ts()[r.end] >= end);
        prop_assert_eq!(w.ts, &bars.ts()[r.start..r.end]);
    }
}
