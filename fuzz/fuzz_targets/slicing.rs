//! libFuzzer target: a random store and random queries; windows, last bar and ranges must equal a naive scan.
#![no_main]

use ferrobt_core::{BarColumns, SymbolBars};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (store, queries) = data.split_at(data.len() / 2);
    let mut t = 0i64;
    let ts: Vec<i64> = store.iter().map(|&g| { t += 1 + i64::from(g); t }).collect();
    let n = ts.len();
    let bars = SymbolBars::from_columns("F".into(), BarColumns { ts: ts.clone(), open: vec![1.0; n], high: vec![1.0; n], low: vec![1.0; n], close: vec![1.0; n], volume: vec![1.0; n] });
    for q in queries.chunks(2) {
        let end = i64::from(q[0]) * 64 - 100;
        let length = usize::from(*q.get(1).unwrap_or(&0));
        let before: Vec<i64> = ts.iter().copied().filter(|&x| x < end).collect();
        assert_eq!(&bars.ts()[bars.window_range(end, length)], &before[before.len().saturating_sub(length)..]);
        assert_eq!(bars.last_index(end).map(|i| ts[i]), ts.iter().copied().filter(|&x| x <= end).last());
    }
});
