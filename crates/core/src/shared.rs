//! A process-wide registry of opened stores, so every thread of a process reads one copy of the data:
//! opening the same files, parquet or DBN (same canonical paths, sizes and modification times), with
//! the same options and formats again, from any thread, returns the store already in memory. Entries are weak: once no one
//! holds a store, it is freed and the next open reads the files again.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::SystemTime;

use crate::error::Result;
use crate::ingest::{expand, open_files, open_formats, validate_range, Formats, IngestOptions, IngestReport};
use crate::store::BarStore;

/// A file as the registry tells files apart: rewriting it changes its size or modification time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FileIdentity {
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
}

/// What an open is keyed by: the files in read order, the options (their `Debug` form) and the
/// formats read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    files: Vec<FileIdentity>,
    options: String,
    formats: Formats,
}

/// One key's store while it lives. The slot is locked while the files are read, so threads that open
/// the same files at once wait for the first reader instead of reading a second copy.
type Slot = Arc<Mutex<Option<(Weak<BarStore>, IngestReport)>>>;

fn registry() -> &'static Mutex<HashMap<Key, Slot>> {
    static REGISTRY: OnceLock<Mutex<HashMap<Key, Slot>>> = OnceLock::new();
    REGISTRY.get_or_init(Mutex::default)
}

/// A store from [`open_shared`].
#[derive(Debug)]
pub struct SharedStore {
    /// The store, shared with every other holder of the same key.
    pub store: Arc<BarStore>,
    /// What the ingest that built it did.
    pub report: IngestReport,
    /// True when the store was already in memory (no file was read).
    pub reused: bool,
}

/// [`open_shared`] for parquet files only ([`crate::open_parquet`]).
///
/// # Errors
/// As [`crate::open_parquet`].
pub fn open_parquet_shared(patterns: &[String], options: &IngestOptions) -> Result<SharedStore> {
    open_shared(patterns, options, Formats::Parquet)
}

/// [`open_formats`], but returns the live store of an earlier open of the same files, options and
/// formats (from any thread) instead of reading them again.
///
/// # Errors
/// As [`open_formats`]; a file that cannot be examined (`stat`) is read by it to report the error.
pub fn open_shared(patterns: &[String], options: &IngestOptions, formats: Formats) -> Result<SharedStore> {
    let Some((key, files)) = key_of(patterns, options, formats) else {
        // An empty list, a bad glob or a missing file: ingest names the problem.
        let (store, report) = open_formats(patterns, options, formats)?;
        return Ok(SharedStore { store: Arc::new(store), report, reused: false });
    };
    let slot = {
        let mut entries = registry().lock().unwrap_or_else(PoisonError::into_inner);
        // Forget the keys whose store is gone (a slot being filled right now is locked and kept).
        entries
            .retain(|_, slot| slot.try_lock().map_or(true, |s| s.as_ref().is_some_and(|(w, _)| w.strong_count() > 0)));
        entries.entry(key).or_default().clone()
    };
    // A panic while reading cannot poison the slot's data: it is only written after a successful read.
    let mut held = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((store, report)) = held.as_ref().and_then(|(w, r)| w.upgrade().map(|s| (s, r.clone()))) {
        return Ok(SharedStore { store, report, reused: true });
    }
    // The files the key was made of are the ones read (the globs are not listed a second time).
    validate_range(options)?;
    let (store, report) = open_files(&files, options, formats)?;
    let store = Arc::new(store);
    *held = Some((Arc::downgrade(&store), report.clone()));
    Ok(SharedStore { store, report, reused: false })
}

/// The key of an open and the files it lists, or `None` when a file cannot be listed or examined.
fn key_of(patterns: &[String], options: &IngestOptions, formats: Formats) -> Option<(Key, Vec<PathBuf>)> {
    if patterns.is_empty() {
        return None;
    }
    let files = expand(patterns).ok()?;
    let identities = files
        .iter()
        .map(|p| {
            let meta = std::fs::metadata(p).ok()?;
            Some(FileIdentity { path: std::fs::canonicalize(p).ok()?, len: meta.len(), modified: meta.modified().ok() })
        })
        .collect::<Option<Vec<_>>>()?;
    Some((Key { files: identities, options: format!("{options:?}"), formats }, files))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{generate, write_parquet, SampleSpec};

    fn day(d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2024, 1, d).unwrap()
    }

    fn sample(name: &str) -> String {
        let dir = std::env::temp_dir().join(format!("ferrobt-shared-tests-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let spec = SampleSpec { start: day(2), end: day(4), ..SampleSpec::default() };
        write_parquet(generate(&spec).unwrap(), &path).unwrap();
        path.to_string_lossy().into_owned()
    }

    #[test]
    fn a_second_open_of_the_same_files_reuses_the_live_store() {
        let path = sample("reuse.parquet");
        let options = IngestOptions::default();
        let first = open_parquet_shared(std::slice::from_ref(&path), &options).unwrap();
        assert!(!first.reused);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || open_parquet_shared(&[path], &IngestOptions::default()).unwrap())
            })
            .collect();
        for t in threads {
            let again = t.join().unwrap();
            assert!(again.reused);
            assert!(Arc::ptr_eq(&again.store, &first.store));
            assert_eq!(again.report, first.report);
        }
        // Other options are another store.
        let filtered = IngestOptions { start_ns: Some(0), ..IngestOptions::default() };
        let other = open_parquet_shared(std::slice::from_ref(&path), &filtered).unwrap();
        assert!(!other.reused && !Arc::ptr_eq(&other.store, &first.store));
    }

    #[test]
    fn a_dropped_store_is_freed_and_a_rewritten_file_is_read_again() {
        let path = sample("fresh.parquet");
        let options = IngestOptions::default();
        let first = open_parquet_shared(std::slice::from_ref(&path), &options).unwrap();
        let weak = Arc::downgrade(&first.store);
        drop(first);
        assert_eq!(weak.strong_count(), 0);
        let reread = open_parquet_shared(std::slice::from_ref(&path), &options).unwrap();
        assert!(!reread.reused);
        // A longer file at the same path (another size) is not the same data.
        let spec = SampleSpec { start: day(2), end: day(5), ..SampleSpec::default() };
        write_parquet(generate(&spec).unwrap(), std::path::Path::new(&path)).unwrap();
        let rewritten = open_parquet_shared(std::slice::from_ref(&path), &options).unwrap();
        assert!(!rewritten.reused && !Arc::ptr_eq(&rewritten.store, &reread.store));
    }

    #[test]
    fn errors_are_ingest_errors() {
        let missing =
            open_parquet_shared(&["/nonexistent/ferrobt.parquet".into()], &IngestOptions::default()).unwrap_err();
        assert_eq!(missing.code(), "ERR_IO");
    }
}
