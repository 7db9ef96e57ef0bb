//! `generateSample`: the core's seeded DataBento-schema generator, callable from JS.

use chrono::NaiveDate;
use ferrobt_core::sample::{generate, write_parquet, SampleSpec};
use napi_derive::napi;

use crate::error::{bad_argument, guard, Code};
use napi::Result;

/// What to generate; every field is optional (defaults: seed 42, 2023-12-17 .. 2024-01-13, MES,
/// start price 4750, tick 0.25).
#[napi(object)]
#[derive(Default)]
pub struct JsSampleSpec {
    pub seed: Option<u32>,
    /// First ET calendar day, `YYYY-MM-DD`.
    pub start: Option<String>,
    /// ET calendar day after the last one, `YYYY-MM-DD` (exclusive).
    pub end: Option<String>,
    pub root: Option<String>,
    pub start_price: Option<f64>,
    pub tick: Option<f64>,
}

fn date(name: &str, s: Option<String>, default: NaiveDate) -> Result<NaiveDate, Code> {
    match s {
        None => Ok(default),
        Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|_| bad_argument(name, format!("'{s}' is not a YYYY-MM-DD date"))),
    }
}

/// Writes generated 1-minute bars to `path` as DataBento-schema parquet; returns the row count.
/// Same spec → byte-identical file.
#[napi(catch_unwind)]
pub fn generate_sample(path: String, spec: Option<JsSampleSpec>) -> Result<f64, Code> {
    let js = spec.unwrap_or_default();
    let d = SampleSpec::default();
    let spec = SampleSpec {
        seed: js.seed.map_or(d.seed, u64::from),
        start: date("start", js.start, d.start)?,
        end: date("end", js.end, d.end)?,
        root: js.root.unwrap_or(d.root),
        start_price: js.start_price.unwrap_or(d.start_price),
        tick: js.tick.unwrap_or(d.tick),
    };
    guard(|| {
        let rows = generate(&spec)?;
        write_parquet(rows, std::path::Path::new(&path)).map(|n| n as f64)
    })
}
