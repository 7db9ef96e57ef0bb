//! libFuzzer target: slicing on random stores with random queries, compared with a naive scan.
//! Input: a u16 bar count, then one byte per bar (gap to the previous timestamp: 1 + byte, or
//! 1 + 256 × byte when its top bit is set, to make sessions and holes), then 6-byte queries
//! (end u16, from u16, length u16; times spread over the store's span and 100 ns either side).
#![no_main]

#[path = "../../crates/core/tests/oracle/mod.rs"]
#[allow(dead_code)] // each target uses its half of the shared checks
mod oracle;

use libfuzzer_sys::fuzz_target;

/// Timestamps decoded from the gap bytes, and the query bytes left over.
fn timestamps(input: &[u8]) -> (Vec<i64>, &[u8]) {
    let Some((count, rest)) = input.split_first_chunk::<2>() else { return (Vec::new(), &[]) };
    let n = (u16::from_le_bytes(*count) as usize).min(rest.len());
    let mut t = -1_000i64;
    let ts = rest[..n]
        .iter()
        .map(|&b| {
            t += if b & 0x80 != 0 { 1 + 256 * i64::from(b & 0x7F) } else { 1 + i64::from(b) };
            t
        })
        .collect();
    (ts, &rest[n..])
}

fuzz_target!(|input: &[u8]| {
    let (ts, queries) = timestamps(input);
    if ts.is_empty() {
        return;
    }
    let bars = oracle::store(&ts);
    let (lo, hi) = (ts[0] - 100, ts[ts.len() - 1] + 100);
    let at = |b: [u8; 2]| lo + i64::from(u16::from_le_bytes(b)) * (hi - lo) / i64::from(u16::MAX);
    for q in queries.chunks_exact(6) {
        let length = u16::from_le_bytes([q[4], q[5]]) as usize;
        oracle::check_queries(&bars, &ts, at([q[0], q[1]]), length, at([q[2], q[3]]));
    }
});
