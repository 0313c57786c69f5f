//! Shared helpers of the end-to-end and gold tests (the tests themselves are in `e2e/` and
//! `gold/`; `src/main.rs` is the docpipe binary under test).

use std::path::PathBuf;

/// The workspace root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub mod fuzz;
