//! DBN ingest (DataBento's own binary encoding, versions 1–3, plain or zstd-compressed): decodes a
//! file's OHLCV bar records with the official `dbn` crate into the same per-file columns the parquet
//! scan produces, so DBN bars go through the same validation, grouping and ordering policy; a file of
//! instrument definitions gives each instrument's multiplier and tick size instead of bars.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use dbn::decode::{DbnDecoder, DbnMetadata, DecodeRecordRef};
use dbn::{rtype, InstrumentDefMsg, Metadata, OhlcvMsg, RecordRef, SType, Schema, VersionUpgradePolicy};
use polars::prelude::{DataType, IdxSize};

use super::scan::{FileRows, ScannedFile, SourceNames, SymbolCodes};
use super::IngestOptions;
use crate::bars::BarColumns;
use crate::error::{value_code, Result, StoreError};

/// ns per UTC day (symbology date ranges are whole UTC days).
const NS_PER_DAY: i64 = 86_400_000_000_000;
/// Days from 4713 BC (Julian day 0) to 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
/// Record types of the bar schemas read: OHLCV-1s, -1m, -1h, -1d.
const BAR_RTYPES: [u8; 4] = [rtype::OHLCV_1S, rtype::OHLCV_1M, rtype::OHLCV_1H, rtype::OHLCV_1D];
/// Upgrade every record to the version whose structs the crate exports at its root, so v1 and v2
/// definitions read like v3 ones.
const UPGRADE: VersionUpgradePolicy = VersionUpgradePolicy::UpgradeToV3;

/// An instrument as its DBN definition record describes it (prices already de-scaled by 1e-9).
#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    /// The venue's raw symbol, e.g. `ESH1`; bars of the instrument carry the same name.
    pub symbol: String,
    /// DataBento's numeric instrument id (unique per venue and day, reused across time).
    pub instrument_id: u32,
    /// The dataset the definition came from, e.g. `GLBX.MDP3`.
    pub dataset: String,
    /// Contract size: the quantity of the underlying per contract (`unit_of_measure_qty`, e.g. 50 for
    /// ES, 5 for MES); `None` when the definition leaves it undefined.
    pub multiplier: Option<f64>,
    /// Minimum price increment in quote units (`min_price_increment`, e.g. 0.25); `None` when undefined.
    pub tick_size: Option<f64>,
    /// Currency of the prices, e.g. `USD` (empty when undefined).
    pub currency: String,
    /// Last eligible trade time, ns since the Unix epoch, UTC; `None` when undefined (equities).
    pub expiration_ns: Option<i64>,
    /// DataBento instrument class: `F` future, `K` stock, `C`/`P` option, ... (empty when undefined).
    pub instrument_class: String,
}

/// What one DBN file holds.
pub(crate) enum DbnContent {
    /// OHLCV bars, as the parquet scan gives them (rows = record positions in the file).
    Bars(Box<ScannedFile>),
    /// Instrument definitions, in file order.
    Definitions(Vec<Instrument>),
}

/// Decodes the DBN file `bytes` (zstd-compressed when `zstd`); a panic inside the decoder becomes
/// `ERR_DBN` naming the file instead of unwinding further.
pub(crate) fn decode(path: &Path, bytes: &[u8], zstd: bool, options: &IngestOptions) -> Result<DbnContent> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode_unguarded(path, bytes, zstd, options)))
        .unwrap_or_else(|panic| {
            let what = crate::error::panic_message(panic.as_ref());
            let first = what.lines().next().unwrap_or_default();
            Err(dbn_error(path, format!("corrupt file (the DBN decoder failed: {first})")))
        })
}

fn decode_unguarded(path: &Path, bytes: &[u8], zstd: bool, options: &IngestOptions) -> Result<DbnContent> {
    if zstd {
        let mut head = [0u8; 8];
        std::io::Read::read_exact(&mut zstd_reader(path, bytes)?, &mut head)
            .map_err(|e| dbn_error(path, format!("corrupt or truncated zstd frame: {e}")))?;
        check_metadata_length(path, &head, None)?;
        // A frame that declares its content size (ferrobt's writer does) sizes the columns once; a
        // claim beyond what the compressed bytes could sensibly hold is ignored.
        let declared = zstd::zstd_safe::get_frame_content_size(bytes).ok().flatten();
        let plausible = declared.filter(|&n| n <= 64 * bytes.len() as u64 + (1 << 20));
        decode_from(path, Watched::new(zstd_reader(path, bytes)?), &head, options, plausible)
    } else {
        check_metadata_length(path, bytes, Some(bytes.len()))?;
        decode_from(path, Watched::new(bytes), bytes, options, Some(bytes.len() as u64))
    }
}

/// Decodes the (decompressed) DBN stream `reader`, whose first 8 bytes are `head`; a stream that ends
/// inside a record or fails to decompress is `ERR_DBN` (the crate's decoder ends quietly on both).
/// `stream_len`, when known, is the stream's length in bytes (it sizes the columns once).
fn decode_from<R: std::io::Read>(
    path: &Path,
    reader: Watched<R>,
    head: &[u8],
    options: &IngestOptions,
    stream_len: Option<u64>,
) -> Result<DbnContent> {
    let metadata_len = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
    let records_hint = stream_len.map_or(0, |n| n.saturating_sub(8 + metadata_len) / size_of::<OhlcvMsg>() as u64);
    let mut decoder = DbnDecoder::with_upgrade_policy(reader, UPGRADE)
        .map_err(|e| dbn_error(path, format!("bad metadata header: {}", decode_failure(&e))))?;
    let (content, records_len) = read_records(path, &mut decoder, head[3], options, records_hint as usize)?;
    let reader = decoder.get_ref();
    if let Some(failure) = &reader.failed {
        return Err(dbn_error(path, format!("corrupt or truncated stream: {failure}")));
    }
    let partial = reader.read.saturating_sub(8 + metadata_len + records_len);
    if partial > 0 {
        return Err(dbn_error(path, format!("truncated: the stream ends {partial} bytes into a record")));
    }
    Ok(content)
}

/// A reader that counts the bytes it delivers and keeps the first error it returns.
struct Watched<R> {
    inner: R,
    read: u64,
    failed: Option<String>,
}

impl<R> Watched<R> {
    fn new(inner: R) -> Self {
        Self { inner, read: 0, failed: None }
    }
}

impl<R: std::io::Read> std::io::Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.read += n as u64;
                Ok(n)
            }
            Err(e) => {
                self.failed.get_or_insert_with(|| e.to_string());
                Err(e)
            }
        }
    }
}

/// The decoder's error without its `Debug`-formatted I/O source.
fn decode_failure(e: &dbn::Error) -> String {
    match e {
        dbn::Error::Io { source, context } => format!("{source} while {context}"),
        other => other.to_string(),
    }
}

fn zstd_reader<'a>(path: &Path, bytes: &'a [u8]) -> Result<zstd::stream::Decoder<'a, &'a [u8]>> {
    zstd::stream::Decoder::with_buffer(bytes).map_err(|e| dbn_error(path, format!("corrupt zstd frame: {e}")))
}

/// The most metadata (header and symbology) a compressed file may declare: the decoder allocates the
/// declared length before reading it.
const MAX_METADATA_BYTES: usize = 256 << 20;

/// Refuses a metadata length the file cannot hold (`available` bytes in all, when known) before the
/// decoder allocates a buffer of that size.
fn check_metadata_length(path: &Path, head: &[u8], available: Option<usize>) -> Result<()> {
    if head.len() < 8 || !head.starts_with(b"DBN") {
        return Err(dbn_error(path, "truncated or not DBN: no 8-byte 'DBN' header".into()));
    }
    let declared = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
    let limit = available.map_or(MAX_METADATA_BYTES, |n| n - 8);
    if declared > limit {
        return Err(dbn_error(
            path,
            format!("the header declares {declared} bytes of metadata, more than the file holds ({limit})"),
        ));
    }
    Ok(())
}

/// Reads every record after the metadata: bars or definitions, as the metadata's schema says; with
/// the bytes the records took in the input (of DBN `version`, before any upgrade).
fn read_records<D: DecodeRecordRef + DbnMetadata>(
    path: &Path,
    decoder: &mut D,
    version: u8,
    options: &IngestOptions,
    records_hint: usize,
) -> Result<(DbnContent, u64)> {
    let metadata = decoder.metadata().clone();
    let ts_out = if metadata.ts_out { 8 } else { 0 };
    match metadata.schema {
        Some(Schema::Definition) => {
            let defined = read_definitions(path, decoder, &metadata)?;
            let size = match version {
                1 => size_of::<dbn::v1::InstrumentDefMsg>(),
                2 => size_of::<dbn::v2::InstrumentDefMsg>(),
                _ => size_of::<InstrumentDefMsg>(),
            };
            let len = defined.len() as u64 * (size + ts_out) as u64;
            Ok((DbnContent::Definitions(defined), len))
        }
        // No schema: a file of mixed records (live data); each record must be a bar.
        None | Some(Schema::Ohlcv1S | Schema::Ohlcv1M | Schema::Ohlcv1H | Schema::Ohlcv1D) => {
            let (bars, len) = read_bars(path, decoder, &metadata, options, records_hint)?;
            Ok((DbnContent::Bars(Box::new(bars)), len))
        }
        Some(other) => Err(StoreError::Schema {
            path: path.to_owned(),
            column: "schema".into(),
            reason: format!(
                "the file holds {} records, not OHLCV bars (ohlcv-1s, ohlcv-1m, ohlcv-1h, ohlcv-1d) or definitions",
                other.as_str()
            ),
        }),
    }
}

/// The next record, or `ERR_DBN` naming the record that could not be decoded (truncated, corrupt).
fn next_record<'d, D: DecodeRecordRef>(path: &Path, decoder: &'d mut D, index: u64) -> Result<Option<RecordRef<'d>>> {
    decoder.decode_record_ref().map_err(|e| dbn_error(path, format!("record {index}: {}", decode_failure(&e))))
}

fn read_bars<D: DecodeRecordRef>(
    path: &Path,
    decoder: &mut D,
    metadata: &Metadata,
    options: &IngestOptions,
    records_hint: usize,
) -> Result<(ScannedFile, u64)> {
    let symbology = Symbology::of(path, metadata)?;
    let filtered = options.start_ns.is_some() || options.end_ns.is_some();
    let inside = |t: i64| options.start_ns.is_none_or(|s| t >= s) && options.end_ns.is_none_or(|e| t < e);
    let mut bars = BarColumns::default();
    if !filtered {
        // Sized once: grown by doubling, the columns would hold up to twice their bytes at the peak.
        for column in [&mut bars.open, &mut bars.high, &mut bars.low, &mut bars.close, &mut bars.volume] {
            column.reserve_exact(records_hint);
        }
        bars.ts.reserve_exact(records_hint);
    }
    let mut kept: Vec<IdxSize> = Vec::new();
    let mut symbols = SymbolCodes { names: Vec::new(), codes: Vec::new() };
    let mut code_of: HashMap<Arc<str>, u32> = HashMap::new();
    // The last (instrument id, UTC day) looked up and its code: bars come in runs of one instrument and day.
    let mut last: Option<(u32, i64, u32)> = None;
    let (mut index, mut len) = (0u64, 0u64);
    while let Some(record) = next_record(path, decoder, index)? {
        let bar = as_bar(path, &record, index)?;
        len += record.header().record_size() as u64;
        let ts = i64::try_from(bar.hd.ts_event).unwrap_or(i64::MAX);
        if !inside(ts) {
            index += 1;
            continue;
        }
        let row =
            IdxSize::try_from(index).map_err(|_| dbn_error(path, format!("more than {} records", IdxSize::MAX)))?;
        let (id, day) = (bar.hd.instrument_id, ts.div_euclid(NS_PER_DAY));
        let code = match last {
            Some((last_id, last_day, code)) if last_id == id && last_day == day => code,
            _ => {
                let symbol = symbology.symbol(path, id, day, index)?;
                let code = *code_of.entry(symbol.clone()).or_insert_with(|| {
                    symbols.names.push(symbol.to_string());
                    (symbols.names.len() - 1) as u32
                });
                last = Some((id, day, code));
                code
            }
        };
        for (name, px) in [("open", bar.open), ("high", bar.high), ("low", bar.low), ("close", bar.close)] {
            if px == dbn::UNDEF_PRICE {
                return Err(StoreError::Value {
                    path: path.to_owned(),
                    column: name.into(),
                    row: index,
                    code: value_code::NULL,
                    reason: "UNDEF_PRICE (no price)".into(),
                });
            }
        }
        bars.ts.push(ts);
        bars.open.push(bar.open_f64());
        bars.high.push(bar.high_f64());
        bars.low.push(bar.low_f64());
        bars.close.push(bar.close_f64());
        bars.volume.push(bar.volume as f64);
        // Codes only once a second symbol appears (then the earlier bars, all of the first, get 0).
        if code > 0 && symbols.codes.is_empty() {
            symbols.codes.resize(bars.ts.len() - 1, 0);
        }
        if !symbols.codes.is_empty() || code > 0 {
            symbols.codes.push(code);
        }
        if filtered {
            kept.push(row);
        }
        index += 1;
    }
    let rows = if filtered { FileRows::Kept(kept) } else { FileRows::All };
    let sources = SourceNames { ts: "ts_event".into(), ts_dtype: DataType::Int64 };
    Ok((ScannedFile { rows, bars, symbols, sources }, len))
}

/// The record as an OHLCV bar, or `ERR_SCHEMA` naming it.
fn as_bar<'r>(path: &Path, record: &RecordRef<'r>, index: u64) -> Result<&'r OhlcvMsg> {
    let rtype = record.header().rtype;
    let bar = if BAR_RTYPES.contains(&rtype) { record.try_get::<OhlcvMsg>().ok() } else { None };
    bar.ok_or_else(|| StoreError::Schema {
        path: path.to_owned(),
        column: "rtype".into(),
        reason: format!(
            "record {index} has record type {rtype:#04x} ({} bytes), not an OHLCV bar (ohlcv-1s, ohlcv-1m, ohlcv-1h, ohlcv-1d)",
            record.header().record_size()
        ),
    })
}

fn read_definitions<D: DecodeRecordRef>(path: &Path, decoder: &mut D, metadata: &Metadata) -> Result<Vec<Instrument>> {
    let mut out = Vec::new();
    let mut index: u64 = 0;
    while let Some(record) = next_record(path, decoder, index)? {
        let rtype = record.header().rtype;
        let def = if rtype == rtype::INSTRUMENT_DEF { record.try_get::<InstrumentDefMsg>().ok() } else { None };
        let def = def.ok_or_else(|| StoreError::Schema {
            path: path.to_owned(),
            column: "rtype".into(),
            reason: format!("record {index} has record type {rtype:#04x}, not an instrument definition"),
        })?;
        let text = |field: &str, value: dbn::Result<&str>| {
            value.map(str::to_owned).map_err(|e| dbn_error(path, format!("record {index}: field {field}: {e}")))
        };
        out.push(Instrument {
            symbol: text("raw_symbol", def.raw_symbol())?,
            instrument_id: def.hd.instrument_id,
            dataset: metadata.dataset.clone(),
            multiplier: fixed(def.unit_of_measure_qty),
            tick_size: fixed(def.min_price_increment),
            currency: text("currency", def.currency())?,
            expiration_ns: (def.expiration != dbn::UNDEF_TIMESTAMP)
                .then(|| i64::try_from(def.expiration).ok())
                .flatten(),
            instrument_class: char::from(def.instrument_class as u8).to_string().trim_matches('\0').to_owned(),
        });
        index += 1;
    }
    Ok(out)
}

/// A fixed-point value (units of 1e-9) as f64, `None` when undefined (`UNDEF_PRICE`).
fn fixed(value: i64) -> Option<f64> {
    (value != dbn::UNDEF_PRICE).then(|| value as f64 / dbn::FIXED_PRICE_SCALE as f64)
}

/// Instrument id → symbol for each UTC day, from the metadata's symbology mappings.
///
/// Built here rather than with the crate's `TsSymbolMap`, which inserts one entry per day of every
/// interval (a corrupt header naming year 1 to 9999 would insert millions) and loops without end on
/// an interval whose start equals its end.
struct Symbology {
    /// Per instrument id: (first UTC day, day after the last, symbol), days counted from 1970-01-01.
    intervals: HashMap<u32, Vec<(i64, i64, Arc<str>)>>,
}

impl Symbology {
    fn of(path: &Path, metadata: &Metadata) -> Result<Self> {
        let bad = |reason: String| StoreError::Schema { path: path.to_owned(), column: "instrument_id".into(), reason };
        // Mappings run symbol → instrument id (stype_out instrument_id), or the other way round when
        // the request named instrument ids.
        let inverse = match (metadata.stype_in, metadata.stype_out) {
            (_, SType::InstrumentId) => false,
            (Some(SType::InstrumentId), _) => true,
            (stype_in, stype_out) => {
                return Err(bad(format!(
                    "symbology maps {} to {}; one side must be instrument ids",
                    stype_in.map_or("(mixed)", |s| s.as_str()),
                    stype_out.as_str()
                )))
            }
        };
        let mut intervals: HashMap<u32, Vec<(i64, i64, Arc<str>)>> = HashMap::new();
        for mapping in &metadata.mappings {
            let raw: Arc<str> = Arc::from(mapping.raw_symbol.as_str());
            for interval in &mapping.intervals {
                if interval.symbol.is_empty() {
                    continue; // an instrument that did not exist on those days
                }
                let (id, symbol) = if inverse {
                    (&mapping.raw_symbol, Arc::from(interval.symbol.as_str()))
                } else {
                    (&interval.symbol, raw.clone())
                };
                let id: u32 =
                    id.parse().map_err(|_| bad(format!("symbology maps '{id}', not a numeric instrument id")))?;
                let (from, to) = (day_number(interval.start_date), day_number(interval.end_date));
                intervals.entry(id).or_default().push((from, to, symbol));
            }
        }
        Ok(Self { intervals })
    }

    /// The symbol of instrument `id` on UTC `day`, or `ERR_SCHEMA` naming the file, record and id.
    fn symbol(&self, path: &Path, id: u32, day: i64, index: u64) -> Result<&Arc<str>> {
        let found =
            self.intervals.get(&id).and_then(|list| list.iter().find(|(from, to, _)| (*from..*to).contains(&day)));
        found.map(|(_, _, symbol)| symbol).ok_or_else(|| {
            let date = date_of_day(day).map_or_else(|| format!("day {day} after 1970-01-01"), |d| d.to_string());
            let reason = match self.intervals.contains_key(&id) {
                true => format!("record {index}: instrument_id {id} has no symbology mapping on {date} (UTC)"),
                false => format!("record {index}: instrument_id {id} has no symbology mapping in the metadata"),
            };
            StoreError::Schema { path: path.to_owned(), column: "instrument_id".into(), reason }
        })
    }
}

/// Days from 1970-01-01 to `date`.
pub(super) fn day_number(date: time::Date) -> i64 {
    i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY
}

/// The date `days` after 1970-01-01, if `time` can represent it.
pub(super) fn date_of_day(days: i64) -> Option<time::Date> {
    i32::try_from(days + UNIX_EPOCH_JULIAN_DAY).ok().and_then(|julian| time::Date::from_julian_day(julian).ok())
}

fn dbn_error(path: &Path, reason: String) -> StoreError {
    StoreError::Dbn { path: path.to_owned(), reason }
}
