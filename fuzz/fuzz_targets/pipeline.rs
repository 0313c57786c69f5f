//! Fuzz target `pipeline`: a whole run of the news pipeline on an arbitrary text file, with the accounting identity.
//! The harness and its properties are in tests/src/fuzz.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docpipe_tests::fuzz::pipeline(data));
