//! Sets up the N-API link arguments for the binding crate.
fn main() {
    napi_build::setup();
}
