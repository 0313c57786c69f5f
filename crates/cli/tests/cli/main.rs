//! Integration tests of the `docpipe` binary that belong to the CLI crate itself: building a
//! docpipe with an out-of-tree plugin, and what `check` says about input paths. (The
//! end-to-end suite over every config lives in `tests/e2e`.)

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cluster;
mod input_paths;
mod out_of_tree;
