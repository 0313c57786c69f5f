//! Fuzz target `extract`: the extract stage's parser, selection and renderer on arbitrary bytes.
//! The properties (no panic; edits valid and rebuilding the page; spans on char boundaries;
//! every output character mapped to page bytes) are in plugins/extract/src/fuzz.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docpipe_extract::fuzz::check(data));
