//! Fuzz target `jsonl`: the JSONL reader on arbitrary bytes, under every UTF-8 policy and two line caps, with a write-and-read-back round trip.
//! The harness and its properties are in tests/src/fuzz.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docpipe_tests::fuzz::jsonl(data));
