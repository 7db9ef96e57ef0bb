//! The catalog's directory layout, listed without reading any bar: hive partitions
//! (`symbol=XYZ/[year=2024/]*.parquet`) or one file per symbol (`XYZ.parquet`, `XYZ.dbn.zst`), and
//! what each parquet file's footer says (rows, the time range of `ts_event`, whether it has a
//! `symbol` column and which symbol it holds).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use polars_parquet::parquet::metadata::FileMetadata;
use polars_parquet::parquet::read::deserialize_metadata;
use polars_parquet::parquet::schema::types::{PhysicalType, PrimitiveLogicalType, TimeUnit};
use polars_parquet::parquet::statistics::Statistics;

use crate::error::{Result, StoreError};

/// How a catalog file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Apache Parquet (DataBento column layout).
    Parquet,
    /// DataBento DBN, plain or zstd-compressed.
    Dbn,
}

/// One data file of a catalog, as listed (no bar read).
#[derive(Debug, Clone)]
pub struct CatalogFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its size on disk, bytes.
    pub len: u64,
    /// How it is encoded (by its name: `.parquet`, `.dbn`, `.dbn.zst`).
    pub format: FileFormat,
    /// The `year=` partition it sits in (UTC calendar year of its bars), if any.
    pub year: Option<i32>,
    /// Rows, from the parquet footer (`None` for DBN).
    pub rows: Option<u64>,
    /// First and last `ts_event`, ns UTC, from the footer's statistics (`None` without them, or for DBN).
    pub ts_range_ns: Option<(i64, i64)>,
    /// The parquet file has a `symbol` column (DBN files always name their symbols).
    pub has_symbol_column: bool,
}

/// A symbol and its files, in read order (by path).
#[derive(Debug, Clone)]
pub struct SymbolFiles {
    /// The symbol.
    pub symbol: String,
    /// Its files, sorted by path.
    pub files: Vec<CatalogFile>,
}

/// What listing a catalog found.
#[derive(Debug)]
pub(crate) struct Listing {
    /// Symbols ascending, each with its files.
    pub symbols: Vec<SymbolFiles>,
    /// Bytes read from disk to list it (the parquet footers).
    pub footer_bytes: u64,
}

/// Lists the catalog at `root`.
///
/// # Errors
/// `ERR_IO` (missing, not a directory, unreadable), `ERR_LAYOUT` (see [`StoreError::Layout`]),
/// `ERR_EMPTY` (no data file, or a 0-byte one), `ERR_PARQUET` (an unreadable footer).
pub(crate) fn list(root: &Path) -> Result<Listing> {
    let io = |path: &Path, e: std::io::Error| StoreError::Io { path: path.to_owned(), reason: e.to_string() };
    let meta = std::fs::metadata(root).map_err(|e| io(root, e))?;
    if !meta.is_dir() {
        return Err(StoreError::Io {
            path: root.to_owned(),
            reason: "is not a directory (a catalog is a directory; open single files with BarStore.open)".into(),
        });
    }
    let mut footer_bytes = 0u64;
    let mut by_symbol: BTreeMap<String, Vec<CatalogFile>> = BTreeMap::new();
    let (dirs, files) = entries(root)?;
    if !dirs.is_empty() && !files.is_empty() {
        return Err(StoreError::Layout {
            path: files[0].clone(),
            reason: format!(
                "a data file beside `symbol=` directories ({}); a catalog is either hive-partitioned \
                 (symbol=NAME/[year=YYYY/]*.parquet) or one file per symbol, not both",
                dirs[0].display()
            ),
        });
    }
    for dir in &dirs {
        let symbol = partition(dir, "symbol")?;
        let mut found = Vec::new();
        let (years, direct) = entries(dir)?;
        for file in direct {
            found.push(describe(&file, None, &mut footer_bytes)?.0);
        }
        for year_dir in years {
            let year: i32 = partition(&year_dir, "year")?.parse().map_err(|_| StoreError::Layout {
                path: year_dir.clone(),
                reason: "`year=` must be a calendar year such as year=2024".into(),
            })?;
            let (deeper, in_year) = entries(&year_dir)?;
            if let Some(d) = deeper.first() {
                return Err(StoreError::Layout {
                    path: d.clone(),
                    reason: "a directory inside a `year=` partition; the layout is symbol=NAME/year=YYYY/*.parquet"
                        .into(),
                });
            }
            for file in in_year {
                found.push(describe(&file, Some(year), &mut footer_bytes)?.0);
            }
        }
        if found.is_empty() {
            return Err(StoreError::Layout { path: dir.clone(), reason: "holds no data file".into() });
        }
        found.sort_by(|a, b| a.path.cmp(&b.path));
        by_symbol.insert(symbol, found);
    }
    let mut claimed: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in &files {
        let (file, meta) = describe(path, None, &mut footer_bytes)?;
        let symbol = match meta {
            Some(meta) => footer_symbol(path, &meta)?.unwrap_or_else(|| stem(path)),
            None => stem(path),
        };
        if let Some(first) = claimed.insert(symbol.clone(), path.clone()) {
            return Err(StoreError::Layout {
                path: path.clone(),
                reason: format!(
                    "holds symbol '{symbol}', as {} does; one file per symbol (or use symbol=NAME/ directories)",
                    first.display()
                ),
            });
        }
        by_symbol.insert(symbol, vec![file]);
    }
    if by_symbol.is_empty() {
        return Err(StoreError::Empty {
            path: root.to_owned(),
            reason: "the catalog holds no data file (.parquet, .dbn, .dbn.zst)".into(),
        });
    }
    let symbols = by_symbol.into_iter().map(|(symbol, files)| SymbolFiles { symbol, files }).collect();
    Ok(Listing { symbols, footer_bytes })
}

/// The directories and data files directly in `dir`, each sorted; hidden and `_`-prefixed entries
/// (`.DS_Store`, `_SUCCESS`) are skipped.
fn entries(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let io = |e: std::io::Error| StoreError::Io { path: dir.to_owned(), reason: e.to_string() };
    let (mut dirs, mut files) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        let path = entry.path();
        // Follows symbolic links, so a catalog may link files or partitions from elsewhere.
        let meta =
            std::fs::metadata(&path).map_err(|e| StoreError::Io { path: path.clone(), reason: e.to_string() })?;
        if meta.is_dir() {
            dirs.push(path);
        } else if format_of(&path).is_some() {
            files.push(path);
        } else {
            return Err(StoreError::Layout {
                path,
                reason: "not a catalog data file (.parquet, .dbn, .dbn.zst) nor a partition directory".into(),
            });
        }
    }
    dirs.sort();
    files.sort();
    Ok((dirs, files))
}

/// The value of the hive partition directory `dir` named `key=value` (percent-decoded).
fn partition(dir: &Path, key: &str) -> Result<String> {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bad = |reason: String| StoreError::Layout { path: dir.to_owned(), reason };
    let Some(value) = name.strip_prefix(key).and_then(|r| r.strip_prefix('=')) else {
        let expected = if key == "symbol" { "symbol=NAME" } else { "year=YYYY" };
        return Err(bad(format!("a directory named '{name}' where the layout has `{expected}` partitions")));
    };
    let value = percent_decode(value).ok_or_else(|| bad(format!("'{value}' has a bad %-escape")))?;
    if value.is_empty() {
        return Err(bad(format!("an empty `{key}=` value")));
    }
    Ok(value)
}

/// `value` with `%XX` escapes decoded (hive's encoding of `/`, `=`, `%` and the like in values).
fn percent_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `value` as a hive partition value: every byte but ASCII letters, digits, `.`, `-` and `_` as `%XX`.
pub(crate) fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    // A value starting with '.' or '_' would be a hidden entry: escape its first byte.
    if out.starts_with('.') || out.starts_with('_') {
        out = format!("%{:02X}{}", out.as_bytes()[0], &out[1..]);
    }
    out
}

/// The format a file's name says (`None`: not a data file).
fn format_of(path: &Path) -> Option<FileFormat> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".parquet") {
        Some(FileFormat::Parquet)
    } else if name.ends_with(".dbn") || name.ends_with(".dbn.zst") {
        Some(FileFormat::Dbn)
    } else {
        None
    }
}

/// A file's name without its data extension (`MESH4.dbn.zst` → `MESH4`), the symbol of a one-file-
/// per-symbol catalog when the file does not say.
fn stem(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let cut = [".parquet", ".dbn.zst", ".dbn"].iter().find(|ext| lower.ends_with(*ext)).map_or(0, |ext| ext.len());
    name[..name.len() - cut].to_owned()
}

/// Lists one file: its size and, for parquet, what its footer says (and the footer).
fn describe(path: &Path, year: Option<i32>, footer_bytes: &mut u64) -> Result<(CatalogFile, Option<FileMetadata>)> {
    let format = format_of(path).ok_or_else(|| StoreError::Layout {
        path: path.to_owned(),
        reason: "not a catalog data file (.parquet, .dbn, .dbn.zst)".into(),
    })?;
    let len =
        std::fs::metadata(path).map_err(|e| StoreError::Io { path: path.to_owned(), reason: e.to_string() })?.len();
    if len == 0 {
        return Err(StoreError::Empty { path: path.to_owned(), reason: "file is empty (0 bytes)".into() });
    }
    let mut file = CatalogFile {
        path: path.to_owned(),
        len,
        format,
        year,
        rows: None,
        ts_range_ns: None,
        has_symbol_column: true,
    };
    if format == FileFormat::Dbn {
        return Ok((file, None));
    }
    let meta = footer(path, footer_bytes)?;
    file.rows = Some(meta.num_rows as u64);
    file.ts_range_ns = ts_range(&meta);
    file.has_symbol_column = meta.schema_descr.columns().iter().any(|c| is_column(c, "symbol"));
    Ok((file, Some(meta)))
}

/// The symbol a parquet file's footer names: its `symbol` column's statistics when min = max;
/// `None` without a symbol column or statistics.
///
/// # Errors
/// `ERR_LAYOUT` when the statistics show several symbols.
fn footer_symbol(path: &Path, meta: &FileMetadata) -> Result<Option<String>> {
    let mut seen: Option<(Vec<u8>, Vec<u8>)> = None;
    for group in &meta.row_groups {
        let Some(chunk) = group.parquet_columns().iter().find(|c| is_column(c.descriptor(), "symbol")) else {
            return Ok(None);
        };
        let Some(Ok(Statistics::Binary(s))) = chunk.statistics(&meta.footer_buf) else { return Ok(None) };
        let (Some(min), Some(max)) = (s.min_value, s.max_value) else { return Ok(None) };
        seen = Some(match seen {
            None => (min, max),
            Some((lo, hi)) => (lo.min(min), hi.max(max)),
        });
    }
    let Some((min, max)) = seen else { return Ok(None) };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    if min != max {
        return Err(StoreError::Layout {
            path: path.to_owned(),
            reason: format!(
                "holds several symbols ('{}' … '{}'); a one-file-per-symbol catalog holds one per file: \
                 convert it with `ferrobt catalog build`",
                text(&min),
                text(&max)
            ),
        });
    }
    Ok(Some(text(&min)))
}

fn is_column(c: &polars_parquet::parquet::metadata::ColumnDescriptor, name: &str) -> bool {
    c.path_in_schema.len() == 1 && c.path_in_schema[0].as_str() == name
}

/// `[min, max]` of `ts_event` in ns over every row group, when each has statistics and the column's
/// unit is known (a timestamp logical type, or a plain integer: DataBento's ns).
fn ts_range(meta: &FileMetadata) -> Option<(i64, i64)> {
    let mut range: Option<(i64, i64)> = None;
    for group in &meta.row_groups {
        let chunk = group.parquet_columns().iter().find(|c| is_column(c.descriptor(), "ts_event"))?;
        let primitive = &chunk.descriptor().descriptor.primitive_type;
        if primitive.physical_type != PhysicalType::Int64 {
            return None;
        }
        let per = match primitive.logical_type {
            Some(PrimitiveLogicalType::Timestamp { unit, .. }) => match unit {
                TimeUnit::Nanoseconds => 1,
                TimeUnit::Microseconds => 1_000,
                TimeUnit::Milliseconds => 1_000_000,
            },
            None | Some(PrimitiveLogicalType::Integer(_)) => 1,
            Some(_) => return None,
        };
        let Some(Ok(Statistics::Int64(s))) = chunk.statistics(&meta.footer_buf) else { return None };
        let (lo, hi) = (s.min_value?.checked_mul(per)?, s.max_value?.checked_mul(per)?);
        range = Some(range.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
    }
    range
}

/// The footer of the parquet file at `path`, reading only its last `8 + footer length` bytes (polars'
/// own reader fetches 64 KiB); a footer the bounded decoder refuses, or a panic inside polars'
/// decoder (corrupt metadata), becomes `ERR_PARQUET` naming the file.
fn footer(path: &Path, footer_bytes: &mut u64) -> Result<FileMetadata> {
    let bad = |reason: String| StoreError::Parquet { path: path.to_owned(), reason };
    let io = |e: std::io::Error| StoreError::Io { path: path.to_owned(), reason: e.to_string() };
    let mut file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size < 12 {
        return Err(bad(format!("{size} bytes are too few for a parquet file (header and footer take 12)")));
    }
    let mut tail = [0u8; 8];
    file.seek(SeekFrom::End(-8)).map_err(io)?;
    file.read_exact(&mut tail).map_err(io)?;
    *footer_bytes += 8;
    if &tail[4..] != b"PAR1" {
        return Err(bad("does not end with the parquet magic bytes PAR1".into()));
    }
    let metadata_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    let footer_len = metadata_len + 8;
    if footer_len + 4 > size {
        return Err(bad(format!("corrupt footer: its length {metadata_len} exceeds the file's {size} bytes")));
    }
    let mut buffer = vec![0u8; footer_len as usize];
    file.seek(SeekFrom::End(-(footer_len as i64))).map_err(io)?;
    file.read_exact(&mut buffer).map_err(io)?;
    *footer_bytes += footer_len;
    // Bounded first: a corrupt list length would make polars' decoder abort the process.
    crate::ingest::check_footer_metadata(&buffer[..metadata_len as usize])
        .map_err(|e| bad(format!("corrupt footer: {e}")))?;
    let decoded = std::panic::catch_unwind(|| deserialize_metadata(polars_buffer::Buffer::from_vec(buffer)));
    match decoded {
        Ok(Ok(meta)) => Ok(meta),
        Ok(Err(e)) => Err(bad(format!("unreadable footer: {e}"))),
        Err(panic) => Err(bad(format!("corrupt footer ({})", crate::error::panic_message(panic.as_ref())))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_round_trip_through_percent_encoding() {
        for value in ["MESH4", "BRK.B", "ES 1!", "a/b=c%", "_x", ".hidden", "ÄÖ"] {
            let encoded = percent_encode(value);
            assert!(!encoded.contains(['/', '=', ' ']) && !encoded.starts_with(['.', '_']), "{encoded}");
            assert_eq!(percent_decode(&encoded).as_deref(), Some(value));
        }
        assert_eq!(percent_decode("a%2"), None);
        assert_eq!(stem(Path::new("/x/MESH4.dbn.zst")), "MESH4");
        assert_eq!(stem(Path::new("/x/AAPL.parquet")), "AAPL");
    }
}
