//! Structure check run before polars reads a file: footer counts and every page header are checked
//! against the sizes around them, so corrupt counts become `ERR_PARQUET` instead of an allocation of
//! petabytes, which aborts the process (fuzzing found a one-bit flip in a page header doing that).
//! It checks the very bytes polars then reads (the file is read into memory once), so a file
//! rewritten in between cannot slip past it.

use std::io::Cursor;
use std::path::Path;

use polars_parquet::parquet::metadata::{ColumnChunkMetadata, FileMetadata, RowGroupMetadata};
use polars_parquet::parquet::read::read_metadata;
use polars_parquet_format::thrift::protocol::TCompactInputProtocol;
use polars_parquet_format::{FileMetaData as FooterThrift, PageHeader, PageType};

use crate::error::{Result, StoreError};

/// Checks the footer and every page header of the parquet file `bytes` read from `path`; reads
/// headers only, never page data. Returns the footer it parsed, for the reads that follow.
///
/// # Errors
/// `ERR_PARQUET` naming the column, row group and byte offset of the first inconsistent count or size.
pub(crate) fn check_structure(path: &Path, bytes: &[u8]) -> Result<FileMetadata> {
    let corrupt =
        |reason: String| StoreError::Parquet { path: path.to_owned(), reason: format!("corrupt file: {reason}") };
    check_footer(bytes).map_err(corrupt)?;
    let meta = read_metadata(&mut Cursor::new(bytes)).map_err(|e| corrupt(e.to_string()))?;
    let rows: u64 = meta.row_groups.iter().map(|g| g.num_rows() as u64).sum();
    if rows != meta.num_rows as u64 {
        return Err(corrupt(format!("the footer counts {} rows but its row groups hold {rows}", meta.num_rows)));
    }
    for (group_index, group) in meta.row_groups.iter().enumerate() {
        for chunk in group.parquet_columns() {
            let place = Place { column: chunk.descriptor().path_in_schema.join("."), group: group_index };
            check_chunk(bytes, group, chunk).map_err(|(offset, reason)| corrupt(place.describe(offset, &reason)))?;
        }
    }
    Ok(meta)
}

/// Bytes of decoded structure the bounded footer decoder may allocate per byte of footer: a list
/// element costs one `usize` however small its encoding, so a valid footer never needs more than this.
const FOOTER_BUDGET_PER_BYTE: usize = 16;

/// [`check_footer_metadata`] of the footer of the parquet file `bytes`. Files too short for a footer,
/// or whose footer length does not fit, are left to polars' own message.
fn check_footer(bytes: &[u8]) -> std::result::Result<(), String> {
    let n = bytes.len();
    if n < 12 || &bytes[n - 4..] != b"PAR1" {
        return Ok(());
    }
    let footer_len = u32::from_le_bytes([bytes[n - 8], bytes[n - 7], bytes[n - 6], bytes[n - 5]]) as usize;
    match (n - 8).checked_sub(footer_len).filter(|&start| start >= 4) {
        Some(start) => check_footer_metadata(&bytes[start..n - 8]),
        None => Ok(()),
    }
}

/// Decodes a parquet footer (its thrift `FileMetaData` bytes) with the bounded thrift decoder, before
/// polars decodes it. polars' footer decoder sizes its vectors from the list lengths the footer
/// claims; a corrupt length made it ask for 74 GB (found by the fuzz smoke run), and a failed
/// allocation aborts the process, which no `catch_unwind` can turn into an error. Once this decoder
/// has read every list element from the footer's bytes, no list can be longer than the footer. Both
/// places that hand a footer to polars call it: the ingest's structure check and the catalog's listing.
///
/// # Errors
/// What is wrong with the footer, for an `ERR_PARQUET` message.
pub(crate) fn check_footer_metadata(metadata: &[u8]) -> std::result::Result<(), String> {
    let budget = metadata.len().saturating_mul(FOOTER_BUDGET_PER_BYTE);
    FooterThrift::read_from_in_protocol(&mut TCompactInputProtocol::new(metadata, budget))
        .map(drop)
        .map_err(|e| format!("the footer ({} bytes) does not decode: {e}", metadata.len()))
}

/// Where a problem was found, for the message.
struct Place {
    column: String,
    group: usize,
}

impl Place {
    fn describe(&self, offset: Option<u64>, reason: &str) -> String {
        let at = offset.map(|o| format!(", page header at byte {o}")).unwrap_or_default();
        format!("column '{}', row group {}{at}: {reason}", self.column, self.group)
    }
}

/// A failure: the byte offset of the page header involved (if any) and what is wrong.
type ChunkError = (Option<u64>, String);

/// Checks one column chunk's footer entry, then walks its pages the way polars will read them.
fn check_chunk(
    bytes: &[u8],
    group: &RowGroupMetadata,
    chunk: &ColumnChunkMetadata,
) -> std::result::Result<(), ChunkError> {
    let file_len = bytes.len() as u64;
    let chunk_values = chunk.num_values();
    let flat = chunk.descriptor().descriptor.max_rep_level == 0;
    if chunk_values < 0 || (flat && chunk_values as u64 != group.num_rows() as u64) {
        return Err((None, format!("the footer counts {chunk_values} values for {} rows", group.num_rows())));
    }
    let start = chunk.dictionary_page_offset().unwrap_or(chunk.data_page_offset());
    let (size, unpacked) = (chunk.compressed_size(), chunk.uncompressed_size());
    if unpacked < 0 {
        return Err((None, format!("negative uncompressed chunk size {unpacked}")));
    }
    let end = start.checked_add(size).filter(|&end| start >= 4 && size >= 0 && end as u64 <= file_len);
    let Some(end) = end else {
        return Err((None, format!("the column chunk [{start}, +{size}) lies outside the file of {file_len} bytes")));
    };
    let bounds = ChunkBounds { end: end as u64, values: chunk_values as u64, unpacked: unpacked as u64 };
    walk_pages(bytes, start as u64, &bounds)
}

/// What a column chunk's footer entry allows its pages to claim.
struct ChunkBounds {
    /// Byte offset one past the chunk.
    end: u64,
    /// Values (levels) in the chunk.
    values: u64,
    /// Uncompressed bytes of the whole chunk, headers included.
    unpacked: u64,
}

/// Reads page headers from `start` until the chunk's values are accounted for, as polars does.
fn walk_pages(bytes: &[u8], start: u64, bounds: &ChunkBounds) -> std::result::Result<(), ChunkError> {
    let (mut offset, mut seen) = (start, 0u64);
    while seen < bounds.values {
        if offset >= bounds.end {
            return Err((Some(offset), format!("pages hold {seen} of the {} values the footer counts", bounds.values)));
        }
        let (header, header_len) =
            read_header(&bytes[offset as usize..bounds.end as usize]).map_err(|reason| (Some(offset), reason))?;
        let body = offset + header_len;
        seen += check_page(&header, bounds.end - body, bounds.unpacked).map_err(|reason| (Some(offset), reason))?;
        if seen > bounds.values {
            return Err((
                Some(offset),
                format!("pages claim more values than the {} the footer counts", bounds.values),
            ));
        }
        offset = body + header.compressed_page_size as u64;
    }
    Ok(())
}

/// Decodes the thrift page header at the start of `chunk_rest`; returns it and its length in bytes.
fn read_header(chunk_rest: &[u8]) -> std::result::Result<(PageHeader, u64), String> {
    let mut rest = chunk_rest;
    let header = PageHeader::read_from_in_protocol(&mut TCompactInputProtocol::new(&mut rest, chunk_rest.len()))
        .map_err(|e| format!("unreadable page header ({e})"))?;
    Ok((header, (chunk_rest.len() - rest.len()) as u64))
}

/// Checks a page header's sizes and counts; returns the values (levels) the page adds to the chunk.
fn check_page(header: &PageHeader, room: u64, chunk_unpacked: u64) -> std::result::Result<u64, String> {
    let (packed, unpacked) = (header.compressed_page_size, header.uncompressed_page_size);
    if packed < 0 || packed as u64 > room {
        return Err(format!("page size {packed} bytes does not fit the {room} bytes left in the column chunk"));
    }
    if unpacked < 0 || unpacked as u64 > chunk_unpacked {
        return Err(format!("uncompressed page size {unpacked} bytes exceeds the column chunk's {chunk_unpacked}"));
    }
    let missing = |kind: &str| format!("a {kind} page without its {kind} header");
    let count = |what: &str, n: i32| u64::try_from(n).map_err(|_| format!("negative {what} {n}"));
    match header.type_ {
        PageType::DATA_PAGE => {
            count("value count", header.data_page_header.as_ref().ok_or_else(|| missing("data"))?.num_values)
        }
        PageType::DATA_PAGE_V2 => {
            let v2 = header.data_page_header_v2.as_ref().ok_or_else(|| missing("v2 data"))?;
            let values = count("value count", v2.num_values)?;
            let levels = count("definition level length", v2.definition_levels_byte_length)?
                + count("repetition level length", v2.repetition_levels_byte_length)?;
            if count("null count", v2.num_nulls)? > values || count("row count", v2.num_rows)? > values {
                return Err(format!("{} nulls or {} rows in a page of {values} values", v2.num_nulls, v2.num_rows));
            }
            if levels > packed as u64 || levels > unpacked as u64 {
                return Err(format!("{levels} bytes of levels in a page of {packed} bytes"));
            }
            Ok(values)
        }
        PageType::DICTIONARY_PAGE => {
            let entries = count(
                "dictionary size",
                header.dictionary_page_header.as_ref().ok_or_else(|| missing("dictionary"))?.num_values,
            )?;
            if entries > unpacked as u64 * 8 {
                return Err(format!("a dictionary of {entries} entries in {unpacked} bytes"));
            }
            Ok(0)
        }
        PageType::INDEX_PAGE => Ok(0),
        other => Err(format!("unknown page type {}", other.0)),
    }
}
