//! Fuzz target `text`: the text reader on arbitrary bytes, under every UTF-8 policy and two size caps, with the exact-offsets check.
//! The harness and its properties are in tests/src/fuzz.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docpipe_tests::fuzz::text(data));
