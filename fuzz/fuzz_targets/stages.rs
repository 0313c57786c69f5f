//! Fuzz target `stages`: every registered stage (built from its registry example) and the news pipeline's stages on arbitrary text.
//! The harness and its properties are in tests/src/fuzz.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docpipe_tests::fuzz::stages(data));
