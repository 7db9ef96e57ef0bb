//! DBN ingest: DataBento's own files read in place from `../shared/data/databento` (figures from its
//! README, read there with the official Python decoder), generated DBN written with the `dbn` crate's
//! encoder against the same bars as parquet, and bad DBN input, each a typed error naming the file.

use std::path::{Path, PathBuf};

use ferrobt_core::sample::{generate, write_parquet, SampleSpec};
use ferrobt_core::{
    open, open_dbn, open_parquet, open_shared, write_dbn, BarStore, DbnWriteOptions, Formats, IngestOptions,
    OnDuplicate, OnUnsorted,
};

/// `../shared/data/databento` beside the clone, or `None` after printing why the test is skipped. With
/// `CI` set (as `.ci/run` sets it) a missing folder fails the test instead: CI runs every test.
fn databento() -> Option<PathBuf> {
    // Where cargo runs the test from, not where the binary was built (it may be reused from another checkout).
    let manifest =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    let dir = manifest.join("../../../shared/data/databento");
    if dir.is_dir() {
        return Some(dir);
    }
    let why = format!("{} is missing (DataBento's files, expected in ../shared beside the clone)", dir.display());
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    assert!(!ci, "{why}; CI runs every test");
    eprintln!("skipped: {why}");
    None
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn open_one(path: &Path) -> BarStore {
    open(&[s(path)], &IngestOptions::default()).unwrap_or_else(|e| panic!("{e}")).0
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferrobt-dbn-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Every column of every symbol, bit for bit.
fn assert_same(a: &BarStore, b: &BarStore) {
    assert_eq!(a.symbol_names(), b.symbol_names());
    for symbol in a.symbol_names() {
        let (x, y) = (a.bars_of(&symbol).unwrap(), b.bars_of(&symbol).unwrap());
        assert_eq!(x.ts(), y.ts(), "{symbol} ts");
        for p in 0..4 {
            let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(x.price(p)), bits(y.price(p)), "{symbol} price {p}");
        }
        assert_eq!(x.volume(), y.volume(), "{symbol} volume");
    }
}

#[test]
fn first_bars_of_every_dataset_and_schema_match_the_python_decoder() {
    let Some(dir) = databento() else { return };
    // (file, symbol, records, first ts_event, open, close, volume), from the README's table.
    let cases: [(&str, &str, usize, i64, f64, f64, f64); 16] = [
        ("EQUS.MINI/test_data.ohlcv-1d.dbn.zst", "QQQ", 1, 1_679_961_600_000_000_000, 307.83, 307.5, 3_309_022.0),
        ("EQUS.MINI/test_data.ohlcv-1h.dbn.zst", "QQQ", 4, 1_680_001_200_000_000_000, 307.83, 308.53, 4_921.0),
        ("EQUS.MINI/test_data.ohlcv-1m.dbn.zst", "QQQ", 4, 1_680_001_680_000_000_000, 307.83, 307.8, 1_800.0),
        ("EQUS.MINI/test_data.ohlcv-1s.dbn.zst", "QQQ", 4, 1_680_001_694_000_000_000, 307.83, 307.8, 1_800.0),
        ("GLBX.MDP3/test_data.ohlcv-1d.dbn.zst", "ESH1", 1, 1_609_113_600_000_000_000, 3702.75, 3735.0, 718_174.0),
        ("GLBX.MDP3/test_data.ohlcv-1h.dbn.zst", "ESH1", 4, 1_609_113_600_000_000_000, 3702.75, 3705.75, 11_891.0),
        ("GLBX.MDP3/test_data.ohlcv-1m.dbn.zst", "ESH1", 4, 1_609_113_600_000_000_000, 3702.75, 3704.75, 306.0),
        ("GLBX.MDP3/test_data.ohlcv-1s.dbn.zst", "ESH1", 4, 1_609_113_600_000_000_000, 3702.75, 3702.5, 13.0),
        (
            "IFEU.IMPACT/test_data.ohlcv-1d.dbn.zst",
            "BRN FMJ0024!",
            1,
            1_705_536_000_000_000_000,
            77.61,
            78.49,
            254_382.0,
        ),
        ("IFEU.IMPACT/test_data.ohlcv-1h.dbn.zst", "BRN FMJ0024!", 4, 1_705_539_600_000_000_000, 77.61, 77.68, 2_926.0),
        ("IFEU.IMPACT/test_data.ohlcv-1m.dbn.zst", "BRN FMJ0024!", 4, 1_705_539_600_000_000_000, 77.61, 77.76, 538.0),
        ("IFEU.IMPACT/test_data.ohlcv-1s.dbn.zst", "BRN FMJ0024!", 4, 1_705_539_600_000_000_000, 77.61, 77.61, 43.0),
        ("XNAS.ITCH/test_data.ohlcv-1d.dbn.zst", "NVDA", 1, 1_609_113_600_000_000_000, 521.0, 515.6, 1_424_253.0),
        ("XNAS.ITCH/test_data.ohlcv-1h.dbn.zst", "NVDA", 4, 1_609_146_000_000_000_000, 521.0, 521.21, 308.0),
        ("XNAS.ITCH/test_data.ohlcv-1m.dbn.zst", "NVDA", 4, 1_609_146_300_000_000_000, 521.0, 521.0, 41.0),
        ("XNAS.ITCH/test_data.ohlcv-1s.dbn.zst", "NVDA", 4, 1_609_146_312_000_000_000, 521.0, 521.0, 36.0),
    ];
    for (file, symbol, records, ts, o, c, v) in cases {
        let (store, report) = open(&[s(&dir.join(file))], &IngestOptions::default()).unwrap();
        assert_eq!(store.symbol_names(), [symbol], "{file}");
        let bars = store.bars_of(symbol).unwrap();
        assert_eq!((bars.len(), report.rows_read), (records, records as u64), "{file}");
        assert_eq!((bars.ts()[0], bars.price(0)[0], bars.price(3)[0], bars.volume()[0]), (ts, o, c, v), "{file}");
        assert!(bars.price(1)[0] >= bars.price(2)[0]);
    }
}

#[test]
fn dbn_versions_one_to_three_decode_to_one_store() {
    let Some(dir) = databento() else { return };
    let dir = dir.join("dbn-versions");
    let v3 = open_one(&dir.join("test_data.ohlcv-1m.v3.dbn.zst"));
    let bars = v3.bars_of("ESH1").unwrap();
    // As the decoder gives them: 100x the real ES level (the files are format fixtures).
    assert_eq!(
        (bars.len(), bars.ts()[0], bars.price(0)[0], bars.price(3)[0]),
        (2, 1_609_160_400_000_000_000, 372_025.0, 372_100.0)
    );
    assert_eq!(bars.volume()[0], 353.0);
    for other in ["test_data.ohlcv-1m.v1.dbn.zst", "test_data.ohlcv-1m.v2.dbn.zst", "test_data.ohlcv-1m.v2.dbn"] {
        assert_same(&open_one(&dir.join(other)), &v3);
    }
    // The uncompressed v2 file is told by its content, not its name: a copy named .parquet reads the same.
    let renamed = tmp("v2-renamed.parquet");
    std::fs::copy(dir.join("test_data.ohlcv-1m.v2.dbn"), &renamed).unwrap();
    assert_same(&open_one(&renamed), &v3);
}

#[test]
fn multi_instrument_files_give_one_symbol_per_instrument_from_the_symbology() {
    let Some(dir) = databento() else { return };
    let dir = dir.join("multi-instrument");
    let may = open_one(&dir.join("futures_ohlcv-1m_2024-05-09T09-55_2024-05-09T10-05.dbn.zst"));
    assert_eq!(may.symbol_names(), ["ESM4", "NQM4"]);
    let nq = may.bars_of("NQM4").unwrap();
    // The file's first record (README): NQM4 at 09:55 New York.
    assert_eq!(
        (nq.ts()[0], nq.price(0)[0], nq.price(3)[0], nq.volume()[0]),
        (1_715_248_500_000_000_000, 18_127.0, 18_125.75, 37.0)
    );
    assert_eq!(may.bars_of("ESM4").unwrap().len() + nq.len(), 20);
    // Across UTC midnight: the mapping of both days applies.
    let july = open_one(&dir.join("futures_ohlcv-1m_2024-07-01T23-40_2024-07-02T00-10.dbn.zst"));
    assert_eq!(july.symbol_names(), ["ESU4", "NQU4"]);
    let es = july.bars_of("ESU4").unwrap();
    assert_eq!(
        (es.ts()[0], es.price(0)[0], es.price(3)[0], es.volume()[0]),
        (1_719_877_200_000_000_000, 5_527.25, 5_527.5, 180.0)
    );
    assert_eq!(es.len() + july.bars_of("NQU4").unwrap().len(), 60);
    assert!(es.ts().iter().any(|&t| t >= 1_719_878_400_000_000_000), "bars after 00:00 UTC on 2024-07-02");
}

#[test]
fn definition_files_beside_bars_give_multipliers_and_tick_sizes() {
    let Some(dir) = databento() else { return };
    let bars = s(&dir.join("multi-instrument/futures_ohlcv-1m_2024-07-01T23-40_2024-07-02T00-10.dbn.zst"));
    let defs = s(&dir.join("multi-instrument/futures_definition.dbn.zst"));
    let (store, report) = open(&[defs.clone(), bars.clone()], &IngestOptions::default()).unwrap();
    assert_eq!(store.symbol_names(), ["ESU4", "NQU4"]);
    assert_eq!(report.files, [defs.clone(), bars]);
    let got: Vec<_> = report
        .instruments
        .iter()
        .map(|i| (i.symbol.as_str(), i.multiplier, i.tick_size, i.instrument_class.as_str()))
        .collect();
    // CME: E-mini S&P 500 is $50 × the index, E-mini Nasdaq-100 $20 ×, both in 0.25-point ticks.
    assert_eq!(got, [("ESU4", Some(50.0), Some(0.25), "F"), ("NQU4", Some(20.0), Some(0.25), "F")]);
    assert_eq!(report.instruments[0].currency, "USD");
    assert_eq!(report.instruments[0].dataset, "GLBX.MDP3");
    // Expiry of the September 2024 contracts: 2024-09-20 13:30 UTC.
    assert_eq!(report.instruments[0].expiration_ns, Some(1_726_839_000_000_000_000));
    // A v1 definition upgrades like a v3 one; ICE Brent is 1,000 barrels in cent ticks.
    let v1 = s(&dir.join("dbn-versions/test_data.definition.v1.dbn.zst"));
    let v3 = s(&dir.join("dbn-versions/test_data.definition.v3.dbn.zst"));
    let es = s(&dir.join("GLBX.MDP3/test_data.ohlcv-1m.dbn.zst"));
    let with = |d: &str| open(&[d.into(), es.clone()], &IngestOptions::default()).unwrap().1.instruments;
    assert_eq!(with(&v1), with(&v3));
    assert_eq!(with(&v3)[0].symbol, "MSFT");
    let brent = with(&s(&dir.join("IFEU.IMPACT/test_data.definition.dbn.zst")));
    assert_eq!((brent[0].multiplier, brent[0].tick_size), (Some(1_000.0), Some(0.01)));
    // Definitions alone are not bars.
    let e = open(&[defs], &IngestOptions::default()).unwrap_err();
    assert_eq!(e.code(), "ERR_SCHEMA");
    assert!(e.to_string().contains("futures_definition.dbn.zst") && e.to_string().contains("definitions"), "{e}");
}

/// Two weeks of generated bars (a roll inside: two contracts), as parquet and as DBN of the same bars.
fn generated(name: &str) -> (PathBuf, BarStore) {
    let spec = SampleSpec {
        start: chrono::NaiveDate::from_ymd_opt(2024, 3, 3).unwrap(),
        end: chrono::NaiveDate::from_ymd_opt(2024, 3, 17).unwrap(),
        ..SampleSpec::default()
    };
    let parquet = tmp(&format!("{name}.parquet"));
    write_parquet(generate(&spec).unwrap(), &parquet).unwrap();
    let store = open_one(&parquet);
    (parquet, store)
}

fn write(store: &BarStore, name: &str, zstd: bool) -> PathBuf {
    let path = tmp(name);
    write_dbn(store, &path, &DbnWriteOptions { zstd, ..DbnWriteOptions::default() }).unwrap();
    path
}

#[test]
fn parquet_and_dbn_of_the_same_bars_give_identical_stores() {
    let (parquet, store) = generated("same");
    assert!(store.symbol_names().len() >= 2, "a roll: {:?}", store.symbol_names());
    let zst = write(&store, "same.dbn.zst", true);
    let plain = write(&store, "same.dbn", false);
    assert_eq!(&std::fs::read(&zst).unwrap()[..4], [0x28, 0xB5, 0x2F, 0xFD]);
    assert_eq!(&std::fs::read(&plain).unwrap()[..4], b"DBN\x03");
    assert_same(&open_one(&zst), &store);
    assert_same(&open_dbn(&[s(&plain)], &IngestOptions::default()).unwrap().0, &store);
    // A mixed list: the parquet file's bars and the DBN file's are the same, so sorted with keepLast
    // one copy of each is left.
    let keep = IngestOptions {
        on_unsorted: OnUnsorted::Sort,
        on_duplicate: OnDuplicate::KeepLast,
        ..IngestOptions::default()
    };
    let (mixed, report) = open(&[s(&parquet), s(&zst)], &keep).unwrap();
    assert_same(&mixed, &store);
    assert_eq!((report.duplicates_dropped, report.files.len()), (report.rows_read / 2, 2));
    // The time filter applies to DBN records as to parquet rows.
    let t0 = store.bars_of(&store.symbol_names()[0]).unwrap().ts()[100];
    let window =
        IngestOptions { start_ns: Some(t0), end_ns: Some(t0 + 3 * 86_400_000_000_000), ..IngestOptions::default() };
    assert_same(&open(&[s(&zst)], &window).unwrap().0, &open(&[s(&parquet)], &window).unwrap().0);
    // Shared opens read any format and keep formats apart.
    let shared = open_shared(&[s(&zst)], &IngestOptions::default(), Formats::Any).unwrap();
    assert_same(&shared.store, &store);
    let again = open_shared(&[s(&zst)], &IngestOptions::default(), Formats::Any).unwrap();
    assert!(again.reused && std::sync::Arc::ptr_eq(&again.store, &shared.store));
    assert_eq!(open_shared(&[s(&zst)], &IngestOptions::default(), Formats::Parquet).unwrap_err().code(), "ERR_PARQUET");
}

#[test]
fn explicit_formats_refuse_the_other_one_by_name() {
    let (parquet, store) = generated("explicit");
    let plain = write(&store, "explicit.dbn", false);
    let e = open_parquet(&[s(&plain)], &IngestOptions::default()).unwrap_err();
    assert_eq!(e.code(), "ERR_PARQUET");
    assert!(e.to_string().contains("explicit.dbn") && e.to_string().contains("DBN"), "{e}");
    let e = open_dbn(&[s(&parquet)], &IngestOptions::default()).unwrap_err();
    assert_eq!(e.code(), "ERR_DBN");
    assert!(e.to_string().contains("explicit.parquet") && e.to_string().contains("parquet file"), "{e}");
    // Not DBN at all, named .dbn: DBN's error, naming the first bytes.
    let csv = tmp("prices.dbn");
    std::fs::write(&csv, "ts,open\n1,2\n").unwrap();
    let e = open(&[s(&csv)], &IngestOptions::default()).unwrap_err();
    assert_eq!(e.code(), "ERR_DBN");
    assert!(e.to_string().contains("prices.dbn") && e.to_string().contains("74 73 2C 6F"), "{e}");
}

/// A generated plain DBN file and the offset of its first record.
fn plain_dbn(name: &str) -> (Vec<u8>, usize) {
    let (_, store) = generated(name);
    let bytes = std::fs::read(write(&store, &format!("{name}.dbn"), false)).unwrap();
    let metadata_len = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    (bytes, 8 + metadata_len)
}

/// OHLCV records are 56 bytes: a 16-byte header (length, rtype, publisher, instrument id, ts_event),
/// then open, high, low, close and volume.
const RECORD: usize = 56;

fn error_of(name: &str, bytes: &[u8]) -> (String, String) {
    let path = tmp(name);
    std::fs::write(&path, bytes).unwrap();
    let e = open(&[s(&path)], &IngestOptions::default()).unwrap_err();
    let text = e.to_string();
    assert!(text.contains(name), "the message names the file: {text}");
    (e.code().to_owned(), text)
}

#[test]
fn bad_dbn_input_gets_typed_errors_naming_the_file() {
    let (good, first) = plain_dbn("bad");
    // Truncated inside a record, and inside the metadata.
    let (code, text) = error_of("truncated.dbn", &good[..first + 5 * RECORD + 20]);
    assert_eq!(code, "ERR_DBN", "{text}");
    assert_eq!(error_of("truncated-header.dbn", &good[..first - 10]).0, "ERR_DBN");
    // UNDEF_PRICE as record 3's close.
    let mut undef = good.clone();
    undef[first + 3 * RECORD + 40..first + 3 * RECORD + 48].copy_from_slice(&i64::MAX.to_le_bytes());
    let (code, text) = error_of("undef.dbn", &undef);
    assert_eq!(code, "ERR_NULL");
    assert!(text.contains("column 'close', row 3") && text.contains("UNDEF_PRICE"), "{text}");
    // Record 7's instrument id without a mapping.
    let mut unmapped = good.clone();
    unmapped[first + 7 * RECORD + 4..first + 7 * RECORD + 8].copy_from_slice(&4_242u32.to_le_bytes());
    let (code, text) = error_of("unmapped.dbn", &unmapped);
    assert_eq!(code, "ERR_SCHEMA");
    assert!(text.contains("instrument_id 4242") && text.contains("record 7"), "{text}");
    // The metadata says MBO (schema 0, at byte 24 after the prefix and the dataset).
    let mut mbo = good.clone();
    mbo[24..26].copy_from_slice(&0u16.to_le_bytes());
    let (code, text) = error_of("mbo.dbn", &mbo);
    assert_eq!(code, "ERR_SCHEMA");
    assert!(text.contains("mbo"), "{text}");
    // A record of another type inside a bar file.
    let mut trade = good.clone();
    trade[first + 2 * RECORD + 1] = 0; // rtype MBP-0 (trades)
    let (code, text) = error_of("trade-record.dbn", &trade);
    assert_eq!(code, "ERR_SCHEMA");
    assert!(text.contains("record 2"), "{text}");
    // A future DBN version, and a metadata length past the end of the file.
    let mut v9 = good.clone();
    v9[3] = 9;
    assert_eq!(error_of("v9.dbn", &v9).0, "ERR_DBN");
    let mut long = good.clone();
    long[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    let (code, text) = error_of("long-metadata.dbn", &long);
    assert_eq!(code, "ERR_DBN");
    assert!(text.contains("metadata"), "{text}");
    // Duplicates follow the ordering policy: record 1 stamped like record 0 (same contract).
    let mut dup = good.clone();
    let ts0: [u8; 8] = good[first + 8..first + 16].try_into().unwrap();
    dup[first + RECORD + 8..first + RECORD + 16].copy_from_slice(&ts0);
    let (code, text) = error_of("dup.dbn", &dup);
    assert_eq!(code, "ERR_DUPLICATE");
    assert!(text.contains("row 1"), "{text}");
}

#[test]
fn corrupt_zstd_frames_are_dbn_errors() {
    let (_, store) = generated("zstd");
    let good = std::fs::read(write(&store, "zstd.dbn.zst", true)).unwrap();
    let corrupt = |at: std::ops::Range<usize>| {
        let mut bytes = good.clone();
        bytes[at].iter_mut().for_each(|b| *b ^= 0x5A);
        bytes
    };
    // The first block's header, right after the frame header; the content checksum at the end.
    let (code, text) = error_of("block.dbn.zst", &corrupt(6..10));
    assert_eq!(code, "ERR_DBN", "{text}");
    let (code, text) = error_of("checksum.dbn.zst", &corrupt(good.len() - 4..good.len()));
    assert_eq!(code, "ERR_DBN", "{text}");
    // Anywhere else: a typed error naming the file (the checksum, or the garbage it decoded to).
    let middle = good.len() / 2;
    let (code, text) = error_of("middle.dbn.zst", &corrupt(middle..middle + 16));
    assert!(
        ["ERR_DBN", "ERR_SCHEMA", "ERR_UNSORTED", "ERR_HIGH_LOW", "ERR_NULL", "ERR_TIMESTAMP_RANGE"]
            .contains(&code.as_str()),
        "{text}"
    );
    for cut in [good.len() / 3, good.len() - 1, 6] {
        let (code, text) = error_of(&format!("cut-{cut}.dbn.zst"), &good[..cut]);
        assert_eq!(code, "ERR_DBN", "{text}");
    }
}
