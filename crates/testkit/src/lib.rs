//! Test support shared by docpipe's tests, benches and evaluation programs, kept out of the
//! plugin libraries so that none of it is compiled into the `docpipe` binary.
//!
//! - [`corpus`]: the sample corpus (`tests/corpus/*.txt`), loaded one way for every bench;
//! - [`golden`]: docpipe's own "Golden Rule" cases for the sentence splitter;
//! - [`rouge`]: ROUGE-1, ROUGE-2 and ROUGE-L for the summariser's evaluation;
//! - [`csv`]: CSV text back into rows, through the `csv` crate (the oracle that export's
//!   own CSV writer is tested against);
//! - [`warc`]: a WARC writer (gzip per record, fixed ids and dates) for the WARC reader's
//!   tests, the `warc` bench row and `cargo xtask gen-warc`.
//!
//! This crate is a dev-dependency only: `cargo xtask tidy` fails when a crate lists it under
//! `[dependencies]`. It depends on no docpipe crate, so any plugin may use it in its tests.

pub mod corpus;
pub mod csv;
pub mod golden;
pub mod rouge;
pub mod warc;
