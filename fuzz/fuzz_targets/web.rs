//! Fuzz target `web`: the HTML and WARC readers on arbitrary bytes (a page, a `.warc`, a `.warc.gz` as
//! given or as two gzip members), with the invariants and exact-offsets checks.
//! The harness and its properties are in tests/src/fuzz.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docpipe_tests::fuzz::web(data));
