//! The built-in pipeline and sample corpus, used by `docpipe run` without a config.

use docpipe_core::input::InputFile;

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The embedded corpus as in-memory input files.
pub fn corpus_files() -> Vec<InputFile> {
    CORPUS.iter().map(|(name, bytes)| InputFile::Memory { name: (*name).to_owned(), bytes }).collect()
}
