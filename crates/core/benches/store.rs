//! Criterion benches of the core, named like the vitest scenarios: ingest/1y-minute,
//! ingest/1y-minute-dbn (the same bars from `.dbn.zst`), window/200x1m,
//! window/200x5m-resampled, last-bar, resample/1y-to-1h, resample/1y-to-1d.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ferrobt_core::sample::{generate, write_parquet, SampleSpec};
use ferrobt_core::{
    open, open_parquet, write_dbn, BarStore, DbnWriteOptions, IngestOptions, ResampleOptions, Timeframe,
};

fn year_file() -> String {
    let path = std::env::temp_dir().join("ferrobt-bench-1y.parquet");
    if !path.exists() {
        let spec = SampleSpec {
            start: chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
            end: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            ..SampleSpec::default()
        };
        write_parquet(generate(&spec).unwrap(), &path).unwrap();
    }
    path.to_string_lossy().into_owned()
}

/// The year's bars as zstd-compressed DBN (written with the dbn crate's encoder from the parquet year).
fn year_dbn_file(store: &BarStore) -> String {
    let path = std::env::temp_dir().join("ferrobt-bench-1y.dbn.zst");
    if !path.exists() {
        write_dbn(store, &path, &DbnWriteOptions::default()).unwrap();
    }
    path.to_string_lossy().into_owned()
}

fn benches(c: &mut Criterion) {
    let file = year_file();
    c.bench_function("ingest/1y-minute", |b| {
        b.iter(|| black_box(open_parquet(std::slice::from_ref(&file), &IngestOptions::default()).unwrap()));
    });
    let (store, _): (BarStore, _) = open_parquet(&[file], &IngestOptions::default()).unwrap();
    let dbn = year_dbn_file(&store);
    c.bench_function("ingest/1y-minute-dbn", |b| {
        b.iter(|| black_box(open(std::slice::from_ref(&dbn), &IngestOptions::default()).unwrap()));
    });
    let bars = store.bars_of("MESZ3").unwrap().clone();
    let ts = bars.ts().to_vec();
    let mut i = 1_000usize;
    c.bench_function("window/200x1m", |b| {
        b.iter(|| {
            i = (i * 7_919 + 13) % (ts.len() - 1);
            let r = bars.window_range(black_box(ts[i] + 1), 200);
            black_box(bars.slice(r).close[0])
        });
    });
    let five = store.resample(Timeframe::parse("5m").unwrap(), &ResampleOptions::default()).unwrap();
    let five = five.bars_of("MESZ3").unwrap().clone();
    c.bench_function("window/200x5m-resampled", |b| {
        b.iter(|| {
            i = (i * 7_919 + 13) % (ts.len() - 1);
            let r = five.window_range(black_box(ts[i] + 1), 200);
            black_box(five.slice(r).close.first().copied())
        });
    });
    c.bench_function("last-bar", |b| {
        b.iter(|| {
            i = (i * 7_919 + 13) % (ts.len() - 1);
            black_box(bars.last_index(black_box(ts[i] + 1)))
        });
    });
    // Every symbol of the store, uncached: the work `BarStore::resample` does on a cache miss.
    let all: Vec<_> = store.symbol_names().iter().map(|s| store.bars_of(s).unwrap().clone()).collect();
    for (name, tf) in [("resample/1y-to-1h", "1h"), ("resample/1y-to-1d", "1d")] {
        let tf = Timeframe::parse(tf).unwrap();
        c.bench_function(name, |b| {
            b.iter(|| {
                for s in &all {
                    black_box(ferrobt_core::resample::resample_bars(s, tf, &ResampleOptions::default()).unwrap());
                }
            });
        });
    }
}

criterion_group! {
    name = store;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = benches
}
criterion_main!(store);
