//! The bar store: every symbol's bars, looked up by name, plus a cache of resampled stores.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::bars::SymbolBars;
use crate::error::{Result, StoreError};
use crate::resample::{resample_bars, ResampleOptions, Timeframe};

/// Bars of many symbols. Immutable once built; shared across threads behind `Arc`.
#[derive(Debug)]
pub struct BarStore {
    symbols: Vec<Arc<SymbolBars>>,
    by_name: HashMap<String, usize>,
    resampled: Mutex<HashMap<(Timeframe, ResampleOptions), Arc<BarStore>>>,
}

impl BarStore {
    /// Builds a store from per-symbol bars (sorted by symbol name for a stable order).
    pub fn new(mut symbols: Vec<SymbolBars>) -> Self {
        symbols.sort_by(|a, b| a.symbol().cmp(b.symbol()));
        let by_name = symbols.iter().enumerate().map(|(i, s)| (s.symbol().to_owned(), i)).collect();
        Self { symbols: symbols.into_iter().map(Arc::new).collect(), by_name, resampled: Mutex::default() }
    }

    /// Symbol names, ascending.
    pub fn symbol_names(&self) -> Vec<String> {
        self.symbols.iter().map(|s| s.symbol().to_owned()).collect()
    }

    /// Position of `symbol` in [`Self::symbol_names`].
    ///
    /// # Errors
    /// `ERR_UNKNOWN_SYMBOL` when the store does not hold it.
    pub fn symbol_id(&self, symbol: &str) -> Result<usize> {
        self.by_name.get(symbol).copied().ok_or_else(|| StoreError::UnknownSymbol(symbol.to_owned()))
    }

    /// The bars of symbol `id`.
    ///
    /// # Errors
    /// `ERR_ARGUMENT` for an id out of range.
    pub fn bars(&self, id: usize) -> Result<&Arc<SymbolBars>> {
        self.symbols
            .get(id)
            .ok_or_else(|| StoreError::argument("symbolId", format!("{id} is not a symbol id of this store")))
    }

    /// The bars of `symbol`.
    ///
    /// # Errors
    /// `ERR_UNKNOWN_SYMBOL`.
    pub fn bars_of(&self, symbol: &str) -> Result<&Arc<SymbolBars>> {
        self.bars(self.symbol_id(symbol)?)
    }

    /// Bytes held by all columns (not counting cached resampled stores).
    pub fn byte_size(&self) -> usize {
        self.symbols.iter().map(|s| s.byte_size()).sum()
    }

    /// The store resampled to `timeframe`, built once per (timeframe, options) and cached.
    ///
    /// # Errors
    /// `ERR_ARGUMENT` for an unknown time zone; `ERR_INTERNAL` if polars fails.
    pub fn resample(&self, timeframe: Timeframe, options: &ResampleOptions) -> Result<Arc<BarStore>> {
        let key = (timeframe, options.clone());
        if let Some(hit) = self.resampled.lock().map_err(|_| poisoned())?.get(&key) {
            return Ok(hit.clone());
        }
        let symbols = self.symbols.iter().map(|s| resample_bars(s, timeframe, options)).collect::<Result<Vec<_>>>()?;
        let built = Arc::new(BarStore::new(symbols));
        // Threads that missed together all get the first store built, so one store serves each key.
        Ok(self.resampled.lock().map_err(|_| poisoned())?.entry(key).or_insert(built).clone())
    }
}

fn poisoned() -> StoreError {
    StoreError::Internal("resample cache lock poisoned".into())
}
