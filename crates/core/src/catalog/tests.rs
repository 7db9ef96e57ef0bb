//! Catalog tests on generated data: listing without reading, lazy loads, eviction and reload,
//! the budget error, time-range pruning, layout errors, and `build_catalog`'s round trip.

use std::path::{Path, PathBuf};

use super::*;
use crate::sample::{generate, write_parquet, SampleSpec};

const MINUTE_NS: i64 = 60_000_000_000;
const DAY_NS: i64 = 86_400_000_000_000;

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferrobt-catalog-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `days` weekday-ish sessions of 390 minutes at 14:30 UTC from `first` (ns UTC midnight).
fn sessions(first: i64, days: i64) -> Vec<(i64, i64)> {
    (0..days).map(|d| first + d * DAY_NS + 870 * MINUTE_NS).map(|o| (o, o + 390 * MINUTE_NS)).collect()
}

const DEC_27_2023: i64 = 1_703_635_200_000_000_000;

/// A generated stock catalog of `n` symbols over seven daily sessions from 2023-12-27 to 2024-01-02 (two UTC years).
fn stocks(name: &str, n: usize) -> PathBuf {
    let dir = scratch(name);
    generate_stocks(&StockSpec { seed: 5, symbols: n, sessions: sessions(DEC_27_2023, 7) }, &dir).unwrap();
    dir
}

fn open(dir: &Path, budget: Option<u64>) -> Catalog {
    Catalog::open(dir, &IngestOptions::default(), budget).unwrap()
}

/// Every column of `bars` as bytes, for exact comparisons.
fn bytes_of(bars: &SymbolBars) -> Vec<u8> {
    let mut out: Vec<u8> = bars.ts().iter().flat_map(|t| t.to_le_bytes()).collect();
    for column in [bars.ts_ms(), bars.price(0), bars.price(1), bars.price(2), bars.price(3), bars.volume()] {
        out.extend(column.iter().flat_map(|v| v.to_le_bytes()));
    }
    out
}

#[test]
fn symbols_are_listed_from_the_layout_without_reading_bars() {
    let dir = stocks("list", 4);
    let catalog = open(&dir, None);
    assert_eq!(catalog.symbol_names().len(), 4);
    let stats = catalog.stats();
    assert_eq!((stats.loads, stats.bytes_read, stats.bytes_resident, stats.files), (0, 0, 0, 8));
    assert!(stats.footer_bytes_read > 0 && stats.footer_bytes_read < stats.catalog_bytes / 4, "{stats:?}");
    let (rows, first, last) = catalog.footer_span(0).unwrap().unwrap();
    let loaded = catalog.load(0).unwrap();
    assert_eq!((rows, first, last), (loaded.bars.len() as u64, loaded.bars.ts()[0], *loaded.bars.ts().last().unwrap()));
    assert!(loaded.read && !catalog.load(0).unwrap().read);
    assert_eq!(catalog.stats().loads, 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn eviction_keeps_the_budget_and_a_reload_gives_the_same_bytes() {
    let dir = stocks("evict", 5);
    let unlimited = open(&dir, None);
    let sizes: Vec<u64> = (0..5).map(|i| unlimited.load(i).unwrap().bars.byte_size() as u64).collect();
    let budget = sizes[0] + sizes[1] + sizes[2].min(sizes[3]) / 2;
    let catalog = open(&dir, Some(budget));
    let first = catalog.load(0).unwrap().bars;
    let kept = bytes_of(&first);
    let mut evicted = Vec::new();
    for i in 1..5 {
        evicted.extend(catalog.load(i).unwrap().evicted);
        assert!(catalog.stats().bytes_resident <= budget);
    }
    assert!(evicted.starts_with(&[0]), "{evicted:?}");
    let stats = catalog.stats();
    assert!(stats.evictions >= 3 && stats.peak_bytes_resident <= budget, "{stats:?}");
    // The evicted bars still held here are alive and unchanged.
    assert!(stats.bytes_evicted_alive >= first.byte_size() as u64);
    assert_eq!(bytes_of(&first), kept);
    let again = catalog.load(0).unwrap();
    assert!(again.read && !Arc::ptr_eq(&again.bars, &first));
    assert_eq!(bytes_of(&again.bars), kept);
    assert_eq!(bytes_of(&again.bars), bytes_of(&unlimited.load(0).unwrap().bars));
    drop((first, again));
    catalog.evict_all();
    assert_eq!(catalog.stats().bytes_evicted_alive, 0);
    // A recently touched symbol outlives an older one.
    let catalog = open(&dir, Some(sizes[0] + sizes[1] + sizes[2] / 2));
    catalog.load(0).unwrap();
    catalog.load(1).unwrap();
    assert!(catalog.touch(0));
    assert_eq!(catalog.load(2).unwrap().evicted, [1]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_symbol_over_the_budget_is_a_typed_error_naming_it() {
    let dir = stocks("budget", 2);
    let name = open(&dir, None).symbol_names()[1].clone();
    let catalog = open(&dir, Some(10_000));
    let e = catalog.load(1).unwrap_err();
    assert_eq!(e.code(), "ERR_BUDGET");
    let text = e.to_string();
    assert!(text.contains(&format!("symbol '{name}'")) && text.contains("10000 bytes"), "{text}");
    // Known from the footers: nothing was read.
    assert_eq!(catalog.stats().bytes_read, 0);
    // With a time range the footers do not decide; the check happens once read.
    let options = IngestOptions { start_ns: Some(DEC_27_2023 + DAY_NS), ..IngestOptions::default() };
    let ranged = Catalog::open(&dir, &options, Some(10_000)).unwrap();
    assert_eq!(ranged.load(1).unwrap_err().code(), "ERR_BUDGET");
    assert_eq!(ranged.stats().bytes_resident, 0);
    assert_eq!(Catalog::open(&dir, &IngestOptions::default(), Some(0)).unwrap_err().code(), "ERR_ARGUMENT");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_time_range_skips_other_years_and_filters_inside_a_file() {
    let dir = stocks("range", 2);
    let jan_2_2024 = DEC_27_2023 + 6 * DAY_NS;
    let all = open(&dir, None);
    let full = all.load(0).unwrap().bars;
    let options =
        IngestOptions { start_ns: Some(jan_2_2024), end_ns: Some(jan_2_2024 + DAY_NS), ..IngestOptions::default() };
    let catalog = Catalog::open(&dir, &options, None).unwrap();
    let day = catalog.load(0).unwrap().bars;
    let expected: Vec<i64> =
        full.ts().iter().copied().filter(|&t| t >= jan_2_2024 && t < jan_2_2024 + DAY_NS).collect();
    assert!(!expected.is_empty());
    assert_eq!(day.ts(), expected.as_slice());
    let stats = catalog.stats();
    assert_eq!(stats.files_skipped, 1, "the 2023 partition is not read");
    assert!(stats.bytes_read < all.stats().bytes_read, "{stats:?}");
    // A range holding no bar of the symbol gives an empty series, not an error.
    let later = IngestOptions { start_ns: Some(jan_2_2024 + 30 * DAY_NS), ..IngestOptions::default() };
    let none = Catalog::open(&dir, &later, None).unwrap();
    assert!(none.load(1).unwrap().bars.is_empty());
    assert_eq!(none.stats().bytes_read, 0);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn layout_and_file_errors_name_the_path() {
    let dir = stocks("layout", 2);
    let names = open(&dir, None).symbol_names();
    let code_and_text = |d: &Path| {
        let e = Catalog::open(d, &IngestOptions::default(), None).unwrap_err();
        (e.code(), e.to_string())
    };
    // A stray file.
    let stray = dir.join("notes.txt");
    std::fs::write(&stray, "hello").unwrap();
    let (code, text) = code_and_text(&dir);
    assert_eq!(code, "ERR_LAYOUT");
    assert!(text.contains(&stray.display().to_string()), "{text}");
    std::fs::remove_file(&stray).unwrap();
    // A directory that is not a partition.
    let odd = dir.join("misc");
    std::fs::create_dir(&odd).unwrap();
    let (code, text) = code_and_text(&dir);
    assert!(code == "ERR_LAYOUT" && text.contains("misc"), "{text}");
    std::fs::remove_dir(&odd).unwrap();
    // A corrupt parquet file: its footer is refused at open, naming it.
    let bad = dir.join(format!("symbol={}", names[0])).join("year=2024").join("part-00001.parquet");
    std::fs::write(&bad, b"PAR1 this is not parquet").unwrap();
    let (code, text) = code_and_text(&dir);
    assert!(code == "ERR_PARQUET" && text.contains("part-00001.parquet"), "{code} {text}");
    std::fs::remove_file(&bad).unwrap();
    // A file in another symbol's place is found at load, naming the file.
    let theirs = dir.join(format!("symbol={}", names[1])).join("year=2024").join("part-00000-01.parquet");
    let misplaced = dir.join(format!("symbol={}", names[0])).join("year=2024").join("part-00002.parquet");
    std::fs::copy(&theirs, &misplaced).unwrap();
    let e = open(&dir, None).load(0).unwrap_err();
    assert_eq!(e.code(), "ERR_LAYOUT");
    assert!(e.to_string().contains("part-00002.parquet") && e.to_string().contains(&names[1]), "{e}");
    std::fs::remove_file(&misplaced).unwrap();
    // Missing, a file, an empty directory.
    assert_eq!(code_and_text(&dir.join("nope")).0, "ERR_IO");
    assert_eq!(code_and_text(&theirs).0, "ERR_IO");
    let empty = scratch("layout-empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert_eq!(code_and_text(&empty).0, "ERR_EMPTY");
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::remove_dir_all(empty).unwrap();
}

#[test]
fn one_file_per_symbol_takes_the_symbol_from_the_footer() {
    let dir = stocks("flat-src", 2);
    let names = open(&dir, None).symbol_names();
    let flat = scratch("flat");
    std::fs::create_dir_all(&flat).unwrap();
    // Named otherwise than its symbol: the footer's statistics decide.
    let source = dir.join(format!("symbol={}", names[0])).join("year=2024").join("part-00000-01.parquet");
    std::fs::copy(&source, flat.join("whatever.parquet")).unwrap();
    let catalog = open(&flat, None);
    assert_eq!(catalog.symbol_names(), [names[0].clone()]);
    assert!(!catalog.load(0).unwrap().bars.is_empty());
    // Two files of one symbol.
    std::fs::copy(&source, flat.join("again.parquet")).unwrap();
    let e = Catalog::open(&flat, &IngestOptions::default(), None).unwrap_err();
    assert!(e.code() == "ERR_LAYOUT" && e.to_string().contains("again.parquet"), "{e}");
    // A file of several symbols.
    std::fs::remove_file(flat.join("again.parquet")).unwrap();
    let spec = SampleSpec {
        start: chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
        end: chrono::NaiveDate::from_ymd_opt(2024, 3, 8).unwrap(),
        ..SampleSpec::default()
    };
    write_parquet(generate(&spec).unwrap(), &flat.join("mes.parquet")).unwrap();
    let e = Catalog::open(&flat, &IngestOptions::default(), None).unwrap_err();
    assert!(e.code() == "ERR_LAYOUT" && e.to_string().contains("several symbols"), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::remove_dir_all(flat).unwrap();
}

#[test]
fn build_writes_what_the_store_reads_split_by_symbol_and_year() {
    let src = scratch("build-src");
    std::fs::create_dir_all(&src).unwrap();
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    // Two inputs in time order, the first across New Year and a roll.
    let a = src.join("a.parquet");
    let b = src.join("b.parquet");
    write_parquet(
        generate(&SampleSpec { start: day(2023, 12, 3), end: day(2024, 1, 3), ..SampleSpec::default() }).unwrap(),
        &a,
    )
    .unwrap();
    write_parquet(
        generate(&SampleSpec { start: day(2024, 1, 3), end: day(2024, 1, 6), ..SampleSpec::default() }).unwrap(),
        &b,
    )
    .unwrap();
    let out = scratch("build-out");
    let inputs = [a.to_string_lossy().into_owned(), b.to_string_lossy().into_owned()];
    let report = build_catalog(&inputs, &out, &IngestOptions::default()).unwrap();
    let (store, _) = crate::open(&inputs, &IngestOptions::default()).unwrap();
    assert_eq!(report.symbols, store.symbol_names());
    assert_eq!(
        report.bars as usize,
        store.symbol_names().iter().map(|s| store.bars_of(s).unwrap().len()).sum::<usize>()
    );
    assert!(out.join("symbol=MESH4").join("year=2023").join("part-00000-12.parquet").exists());
    assert!(out.join("symbol=MESH4").join("year=2024").join("part-00001-01.parquet").exists());
    let catalog = open(&out, None);
    assert_eq!(catalog.symbol_names(), store.symbol_names());
    for (id, name) in catalog.symbol_names().iter().enumerate() {
        assert_eq!(bytes_of(&catalog.load(id).unwrap().bars), bytes_of(store.bars_of(name).unwrap()), "{name}");
    }
    // Into a non-empty directory, or from inputs out of time order: refused.
    assert_eq!(build_catalog(&inputs, &out, &IngestOptions::default()).unwrap_err().code(), "ERR_ARGUMENT");
    let reversed = [inputs[1].clone(), inputs[0].clone()];
    let e = build_catalog(&reversed, &scratch("build-rev"), &IngestOptions::default()).unwrap_err();
    assert!(e.code() == "ERR_ARGUMENT" && e.to_string().contains("a.parquet"), "{e}");
    // A bad input is the ingest's error, naming it.
    let broken = src.join("broken.parquet");
    std::fs::write(&broken, b"not parquet at all").unwrap();
    let e = build_catalog(&[broken.to_string_lossy().into_owned()], &scratch("build-bad"), &IngestOptions::default())
        .unwrap_err();
    assert!(e.code() == "ERR_PARQUET" && e.to_string().contains("broken.parquet"), "{e}");
    for d in [src, out, scratch("build-rev"), scratch("build-bad")] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn detached_loads_count_against_the_budget_without_holding_the_bars() {
    let dir = stocks("detached", 3);
    let sizes: Vec<u64> = (0..3).map(|i| open(&dir, None).load(i).unwrap().bars.byte_size() as u64).collect();
    let catalog = open(&dir, Some(sizes[0] + sizes[1] + sizes[2] / 2));
    let first = catalog.load_detached(0).unwrap();
    let weak = Arc::downgrade(&first.bars);
    drop(first);
    assert_eq!(weak.strong_count(), 0, "the catalog does not hold a detached load");
    assert!(catalog.touch(0));
    catalog.load_detached(1).unwrap();
    assert_eq!(catalog.stats().bytes_resident, sizes[0] + sizes[1]);
    assert_eq!(catalog.load_detached(2).unwrap().evicted, [0]);
    // Asked again while counted (the caller lost its copy): read anew, counted once.
    let again = catalog.load_detached(1).unwrap();
    assert!(again.read && again.evicted.is_empty());
    let stats = catalog.stats();
    assert_eq!((stats.resident_symbols, stats.bytes_resident, stats.loads), (2, sizes[1] + sizes[2], 4));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn chunks_are_the_monthly_files_and_load_to_the_symbols_bars_under_the_budget() {
    let dir = stocks("chunks", 2);
    let whole = open(&dir, None).load(0).unwrap().bars;
    let sizes = {
        let catalog = open(&dir, None);
        let (first, chunks) = catalog.chunks(0).unwrap();
        assert_eq!((first, chunks.len()), (0, 2), "December 2023 and January 2024");
        assert!(chunks[0].last_ns < chunks[1].first_ns);
        let (a, b) = (catalog.load_chunk(0).unwrap().bars, catalog.load_chunk(1).unwrap().bars);
        assert_eq!([a.ts(), b.ts()].concat(), whole.ts());
        for column in 0..4 {
            assert_eq!([a.price(column), b.price(column)].concat(), whole.price(column));
        }
        assert_eq!([a.volume(), b.volume()].concat(), whole.volume());
        assert!(a.ts().iter().all(|&t| t >= chunks[0].first_ns && t <= chunks[0].last_ns));
        assert_eq!(catalog.chunks(1).unwrap().0, 2);
        [a.byte_size() as u64, b.byte_size() as u64]
    };
    // Room for one chunk: loading the other evicts it, and a reload reads it again.
    let catalog = open(&dir, Some(sizes[0].max(sizes[1])));
    catalog.load_chunk(0).unwrap();
    assert_eq!(catalog.load_chunk(1).unwrap().evicted_chunks, [0]);
    assert!(!catalog.touch_chunk(0) && catalog.touch_chunk(1));
    let stats = catalog.stats();
    assert_eq!((stats.loads, stats.evictions, stats.resident_symbols), (2, 1, 1));
    // A caller that keeps part of a chunk counts only that part; never more than it loaded.
    assert!(catalog.shrink_chunk(1, 560) && !catalog.shrink_chunk(0, 560));
    assert!(catalog.shrink_chunk(1, u64::MAX));
    assert_eq!(catalog.stats().bytes_resident, 560);
    // Less than one chunk: ERR_BUDGET naming the symbol and the chunk's file.
    let e = open(&dir, Some(sizes[0].min(sizes[1]) - 1)).load_chunk(0).unwrap_err();
    let name = &catalog.symbol_names()[0];
    assert!(e.code() == "ERR_BUDGET" && e.to_string().contains(&format!("'{name}' in chunk")), "{e}");
    assert!(e.to_string().contains("part-00000-12.parquet"), "{e}");
    assert_eq!(catalog.load_chunk(9).unwrap_err().code(), "ERR_ARGUMENT");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_definitions_directory_holds_definitions_only() {
    let dir = stocks("definitions", 1);
    assert!(open(&dir, None).instruments().is_empty());
    let defs = dir.join(DEFINITIONS_DIR);
    std::fs::create_dir_all(&defs).unwrap();
    let name = open(&dir, None).symbol_names()[0].clone();
    let bars = dir.join(format!("symbol={name}")).join("year=2024").join("part-00000-01.parquet");
    std::fs::copy(&bars, defs.join("bars.parquet")).unwrap();
    let e = Catalog::open(&dir, &IngestOptions::default(), None).unwrap_err();
    assert!(e.code() == "ERR_LAYOUT" && e.to_string().contains("bars.parquet"), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_footer_claiming_a_huge_list_is_refused_at_open_not_an_abort() {
    // The fuzz smoke run's file (see tests/fuzz.rs): polars' footer decoder would ask for 74 GB.
    let dir = scratch("huge-list");
    std::fs::create_dir_all(&dir).unwrap();
    // Embedded, not read by a compile-time path: a test binary may be reused from another checkout.
    std::fs::write(dir.join("HUGE.parquet"), include_bytes!("../../tests/data/footer-huge-list.parquet")).unwrap();
    let e = Catalog::open(&dir, &IngestOptions::default(), None).map(|_| ()).expect_err("a corrupt footer listed");
    let text = e.to_string();
    assert!(
        e.code() == "ERR_PARQUET"
            && text.contains("HUGE.parquet")
            && text.contains("the footer (656 bytes) does not decode"),
        "{e}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
