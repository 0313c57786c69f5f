//! Fuzz target `config`: the config loader (`docpipe_core::config::load_str`) on arbitrary TOML, every plugin registered.
//! The harness and its properties are in tests/src/fuzz.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| docpipe_tests::fuzz::config(data));
