//! A process-wide table of symbol columns addressed by number. The hot binary searches are plain
//! N-API functions taking that number (about 115 ns a call on Node 20) instead of class methods,
//! which pay for unwrapping and type-checking `this` (about 370 ns).

use std::sync::{Arc, RwLock};

use ferrobt_core::SymbolBars;

use crate::error::{bad_argument, Code};

#[derive(Default)]
struct Table {
    slots: Vec<Option<Arc<SymbolBars>>>,
    free: Vec<u32>,
}

static TABLE: RwLock<Table> = RwLock::new(Table { slots: Vec::new(), free: Vec::new() });

/// Registers `bars`; the handle stays valid until [`release`].
pub fn register(bars: Arc<SymbolBars>) -> u32 {
    let mut t = TABLE.write().unwrap_or_else(|p| p.into_inner());
    match t.free.pop() {
        Some(h) => {
            t.slots[h as usize] = Some(bars);
            h
        }
        None => {
            t.slots.push(Some(bars));
            (t.slots.len() - 1) as u32
        }
    }
}

/// Frees a handle (idempotent).
pub fn release(handle: u32) {
    let mut t = TABLE.write().unwrap_or_else(|p| p.into_inner());
    if let Some(slot) = t.slots.get_mut(handle as usize) {
        if slot.take().is_some() {
            t.free.push(handle);
        }
    }
}

/// Runs `f` on the bars behind `handle`.
pub fn with<T>(handle: u32, f: impl FnOnce(&SymbolBars) -> T) -> napi::Result<T, Code> {
    let t = TABLE.read().unwrap_or_else(|p| p.into_inner());
    match t.slots.get(handle as usize) {
        Some(Some(bars)) => Ok(f(bars)),
        _ => Err(bad_argument("handle", format!("{handle} is not a live symbol handle (was its store disposed?)"))),
    }
}
