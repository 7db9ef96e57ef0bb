//! Maps core errors to JS errors with a stable `code`, and keeps panics from crossing into Node.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ferrobt_core::StoreError;

/// The `code` a JS error carries (`ERR_IO`, `ERR_SCHEMA`, ...).
#[derive(Debug, Clone, Copy)]
pub struct Code(pub &'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// Result type of every exported function: errors reach JS as `Error` with `code`.
pub type JsResult<T> = napi::Result<T, Code>;

/// A JS error from a core error.
pub fn to_js(e: StoreError) -> napi::Error<Code> {
    napi::Error::new(Code(e.code()), e.to_string())
}

/// An argument error raised by the binding itself.
pub fn bad_argument(name: &str, reason: impl Into<String>) -> napi::Error<Code> {
    to_js(StoreError::argument(name, reason))
}

/// Runs `f`, turning a core error into a coded JS error and a panic into `ERR_INTERNAL`. (Every
/// exported function also carries `#[napi(catch_unwind)]`, so no panic can unwind into Node.)
pub fn guard<T>(f: impl FnOnce() -> Result<T, StoreError>) -> JsResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(to_js),
        Err(panic) => {
            let what = ferrobt_core::error::panic_message(panic.as_ref());
            Err(napi::Error::new(
                Code("ERR_INTERNAL"),
                format!("internal error (panic caught at the N-API boundary): {what}"),
            ))
        }
    }
}

/// Like [`guard`] for code that already produces coded errors.
pub fn guard_js<T>(f: impl FnOnce() -> JsResult<T>) -> JsResult<T> {
    guard(|| Ok(f())).and_then(|r| r)
}
