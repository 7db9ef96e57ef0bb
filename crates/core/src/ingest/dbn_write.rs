//! Writes a store's bars as a DBN file of OHLCV records with the `dbn` crate's encoder: the inverse of
//! DBN ingest, for generated test and benchmark data (the same bars as a parquet file, in DataBento's
//! own format) and for users converting data.

use std::io::Write;
use std::num::NonZeroU64;
use std::path::Path;

use dbn::encode::{DbnEncoder, DbnMetadataEncoder, EncodeRecord};
use dbn::{MappingInterval, Metadata, OhlcvMsg, RecordHeader, SType, Schema, SymbolMapping};

use crate::error::{Result, StoreError};
use crate::store::BarStore;

/// How [`write_dbn`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbnWriteOptions {
    /// The dataset named in the metadata (default `GLBX.MDP3`, CME Globex).
    pub dataset: String,
    /// The bar interval the records claim: `ohlcv-1s`, `ohlcv-1m` (default), `ohlcv-1h` or `ohlcv-1d`.
    pub schema: String,
    /// Compress the file with zstd (a `.dbn.zst`), as DataBento delivers it (default true).
    pub zstd: bool,
}

impl Default for DbnWriteOptions {
    fn default() -> Self {
        Self { dataset: "GLBX.MDP3".into(), schema: "ohlcv-1m".into(), zstd: true }
    }
}

/// Writes every bar of `store` to `path` as DBN (the crate's current version), one OHLCV record per
/// bar in timestamp order (symbols in name order within an instant). Instrument ids are 1, 2, ... in
/// symbol order; the metadata maps each symbol to its id over the UTC days its bars span. Prices are
/// written as fixed-point i64 in units of 1e-9 (rounded), volumes as integers. Returns the record count.
///
/// # Errors
/// `ERR_ARGUMENT` for an unknown schema or a symbol the format cannot hold (non-ASCII, too long), a
/// price beyond the fixed-point range or a volume that is not a non-negative integer; `ERR_IO` when
/// the file cannot be written.
pub fn write_dbn(store: &BarStore, path: &Path, options: &DbnWriteOptions) -> Result<u64> {
    let schema: Schema = options
        .schema
        .parse()
        .ok()
        .filter(|s| matches!(s, Schema::Ohlcv1S | Schema::Ohlcv1M | Schema::Ohlcv1H | Schema::Ohlcv1D))
        .ok_or_else(|| {
            StoreError::argument(
                "schema",
                format!("'{}' is not ohlcv-1s, ohlcv-1m, ohlcv-1h or ohlcv-1d", options.schema),
            )
        })?;
    let symbols = store.symbol_names();
    let bars: Vec<_> = symbols.iter().map(|s| store.bars_of(s).cloned()).collect::<Result<_>>()?;
    let mut mappings = Vec::with_capacity(symbols.len());
    for (i, b) in bars.iter().enumerate() {
        let (Some(&first), Some(&last)) = (b.ts().first(), b.ts().last()) else { continue };
        mappings.push(SymbolMapping {
            raw_symbol: symbols[i].clone(),
            intervals: vec![MappingInterval {
                start_date: utc_date(first)?,
                end_date: utc_date(last)?.next_day().ok_or_else(|| range_error(last))?,
                symbol: (i + 1).to_string(),
            }],
        });
    }
    let start = bars.iter().filter_map(|b| b.ts().first().copied()).min().unwrap_or(0);
    let end = bars.iter().filter_map(|b| b.ts().last().copied()).max().unwrap_or(0);
    let metadata = Metadata::builder()
        .dataset(options.dataset.clone())
        .schema(Some(schema))
        .start(u64::try_from(start).map_err(|_| range_error(start))?)
        .end(NonZeroU64::new(u64::try_from(end).map_err(|_| range_error(end))?.saturating_add(1)))
        .stype_in(Some(SType::RawSymbol))
        .stype_out(SType::InstrumentId)
        .symbols(symbols.clone())
        .mappings(mappings)
        .build();
    let io = |e: &std::io::Error| StoreError::Io { path: path.to_owned(), reason: e.to_string() };
    let file = std::io::BufWriter::new(std::fs::File::create(path).map_err(|e| io(&e))?);
    let mut file = if options.zstd {
        let mut compressed = zstd::stream::Encoder::new(file, 0).map_err(|e| io(&e))?;
        // A content checksum, so a corrupt frame is an error when read, not silently wrong bars; and
        // the content size, so a reader can size its columns once.
        compressed.include_checksum(true).map_err(|e| io(&e))?;
        let records: usize = bars.iter().map(|b| b.len()).sum();
        let size = DbnMetadataEncoder::<Vec<u8>>::encoded_len(&metadata) + records * size_of::<OhlcvMsg>();
        compressed.set_pledged_src_size(Some(size as u64)).map_err(|e| io(&e))?;
        let written = encode_file(path, &mut compressed, &metadata, &bars, schema)?;
        // Finished explicitly: the frame's end is written here, and an error is reported, not dropped.
        (compressed.finish().map_err(|e| io(&e))?, written)
    } else {
        let mut plain = file;
        let written = encode_file(path, &mut plain, &metadata, &bars, schema)?;
        (plain, written)
    };
    file.0.flush().map_err(|e| io(&e))?;
    Ok(file.1)
}

/// Writes the metadata and every bar to `out`; returns the record count.
fn encode_file(
    path: &Path,
    out: &mut impl Write,
    metadata: &Metadata,
    bars: &[std::sync::Arc<crate::SymbolBars>],
    schema: Schema,
) -> Result<u64> {
    let mut encoder = DbnEncoder::new(out, metadata).map_err(|e| encoding_error(path, e))?;
    encode_bars(path, &mut encoder, bars, schema)
}

/// Encodes the bars of every symbol merged by timestamp; returns the record count.
fn encode_bars(
    path: &Path,
    encoder: &mut impl EncodeRecord,
    bars: &[std::sync::Arc<crate::SymbolBars>],
    schema: Schema,
) -> Result<u64> {
    let rtype = dbn::RType::from(schema) as u8;
    let mut next = vec![0usize; bars.len()];
    let mut written = 0u64;
    loop {
        // The symbol whose next bar is earliest (ties: the first symbol).
        let pick = (0..bars.len()).filter(|&s| next[s] < bars[s].len()).min_by_key(|&s| bars[s].ts()[next[s]]);
        let Some(s) = pick else { break };
        let (b, i) = (&bars[s], next[s]);
        let ts = b.ts()[i];
        let px = |p: f64| -> Result<i64> {
            let scaled = (p * dbn::FIXED_PRICE_SCALE as f64).round();
            if scaled.is_nan() || scaled.abs() >= i64::MAX as f64 {
                return Err(StoreError::argument("price", format!("{p} is beyond DBN's fixed-point range")));
            }
            Ok(scaled as i64)
        };
        let volume = b.volume()[i];
        if !(volume >= 0.0 && volume.fract() == 0.0 && volume < u64::MAX as f64) {
            return Err(StoreError::argument("volume", format!("{volume} is not a non-negative integer")));
        }
        let record = OhlcvMsg {
            hd: RecordHeader::new::<OhlcvMsg>(
                rtype,
                1,
                (s + 1) as u32,
                u64::try_from(ts).map_err(|_| range_error(ts))?,
            ),
            open: px(b.price(0)[i])?,
            high: px(b.price(1)[i])?,
            low: px(b.price(2)[i])?,
            close: px(b.price(3)[i])?,
            volume: volume as u64,
        };
        encoder.encode_record(&record).map_err(|e| encoding_error(path, e))?;
        next[s] += 1;
        written += 1;
    }
    encoder.flush().map_err(|e| encoding_error(path, e))?;
    Ok(written)
}

/// The UTC calendar day of `ts` (ns).
fn utc_date(ts: i64) -> Result<time::Date> {
    super::dbn::date_of_day(ts.div_euclid(86_400_000_000_000)).ok_or_else(|| range_error(ts))
}

fn range_error(ts: i64) -> StoreError {
    StoreError::argument("timestamps", format!("{ts} ns cannot be written as a DBN time"))
}

/// An encoder failure: writing (`ERR_IO`) or data the format cannot hold (`ERR_ARGUMENT`).
fn encoding_error(path: &Path, e: dbn::Error) -> StoreError {
    match e {
        dbn::Error::Io { source, context } => {
            StoreError::Io { path: path.to_owned(), reason: format!("{source} while {context}") }
        }
        other => StoreError::argument("symbols", format!("the DBN encoder refused the data: {other}")),
    }
}
