//! Fuzz target `decompress`: gzip and zstd input files, damaged (arbitrary bytes) or compressed here and compared with the plain file.
//! The harness and its properties are in tests/src/fuzz.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docpipe_tests::fuzz::decompress(data));
