//! A process-wide table of symbol columns addressed by number. The hot binary searches are plain
//! N-API functions taking that number (about 115 ns a call on Node 20) instead of class methods,
//! which pay for unwrapping and type-checking `this` (about 370 ns).
//!
//! A handle is `generation × 2^24 + slot` (an integer below 2^53, exact as a JS number). A freed
//! slot is reused with the next generation, so a handle kept past its store's `dispose()` is refused
//! with `ERR_DISPOSED` instead of reading whichever symbol took the slot over.

use std::sync::{Arc, RwLock};

use ferrobt_core::SymbolBars;

use crate::error::{bad_argument, Code};

/// Slots addressable by a handle (16,777,216 symbols registered at once).
const SLOT_BITS: u32 = 24;
/// Generations per slot before the number would pass 2^53.
const GENERATIONS: u64 = 1 << (53 - SLOT_BITS);

struct Slot {
    generation: u64,
    bars: Option<Arc<SymbolBars>>,
}

struct Table {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

static TABLE: RwLock<Table> = RwLock::new(Table { slots: Vec::new(), free: Vec::new() });

fn handle_of(slot: u32, generation: u64) -> f64 {
    (generation << SLOT_BITS | u64::from(slot)) as f64
}

/// Registers `bars`; the handle stays valid until [`release`].
///
/// # Errors
/// `ERR_ARGUMENT` when 2^24 symbols are registered at once.
pub fn register(bars: Arc<SymbolBars>) -> napi::Result<f64, Code> {
    let mut t = TABLE.write().unwrap_or_else(|p| p.into_inner());
    if let Some(slot) = t.free.pop() {
        let s = &mut t.slots[slot as usize];
        s.bars = Some(bars);
        return Ok(handle_of(slot, s.generation));
    }
    let slot = u32::try_from(t.slots.len()).ok().filter(|&n| n < 1 << SLOT_BITS);
    let slot = slot
        .ok_or_else(|| bad_argument("symbol", "2^24 symbol handles are live at once: dispose stores no longer used"))?;
    t.slots.push(Slot { generation: 0, bars: Some(bars) });
    Ok(handle_of(slot, 0))
}

/// Frees a handle (idempotent); its slot is reused under the next generation.
pub fn release(handle: f64) {
    let mut t = TABLE.write().unwrap_or_else(|p| p.into_inner());
    let Some((slot, generation)) = split(handle) else { return };
    let Some(s) = t.slots.get_mut(slot as usize) else { return };
    if s.generation == generation && s.bars.take().is_some() {
        s.generation += 1;
        // A slot whose generations are used up is retired rather than reused.
        if s.generation < GENERATIONS {
            t.free.push(slot);
        }
    }
}

/// Runs `f` on the bars behind `handle`.
///
/// # Errors
/// `ERR_DISPOSED` for a handle whose store was disposed, `ERR_ARGUMENT` for a number never handed out.
pub fn with<T>(handle: f64, f: impl FnOnce(&SymbolBars) -> T) -> napi::Result<T, Code> {
    let t = TABLE.read().unwrap_or_else(|p| p.into_inner());
    let found = split(handle).and_then(|(slot, generation)| t.slots.get(slot as usize).map(|s| (s, generation)));
    match found {
        Some((Slot { generation, bars: Some(bars) }, wanted)) if *generation == wanted => Ok(f(bars)),
        Some((s, wanted)) if wanted <= s.generation => {
            Err(napi::Error::new(Code("ERR_DISPOSED"), format!("symbol handle {handle}: its store was disposed")))
        }
        _ => Err(bad_argument("handle", format!("{handle} is not a symbol handle (use symbolHandle)"))),
    }
}

/// The slot and generation of a handle, if it is a whole number in range.
fn split(handle: f64) -> Option<(u32, u64)> {
    let whole = handle >= 0.0 && handle.fract() == 0.0 && handle < GENERATIONS as f64 * f64::from(1u32 << SLOT_BITS);
    whole.then(|| {
        let n = handle as u64;
        ((n & ((1 << SLOT_BITS) - 1)) as u32, n >> SLOT_BITS)
    })
}
