//! Micro-benchmarks (divan) of the normalise stage over the sample corpus, single-threaded:
//! the whole pass (NFC, quotes, dashes, whitespace, controls, glued words) with and without
//! glued-word repair, the stage with its alignment bookkeeping, and the glue splitter alone.
//!
//! ```sh
//! cargo bench -p docpipe-normalise --bench normalise
//! ```

use divan::counter::BytesCount;
use docpipe_core::{Document, MapStage};
use docpipe_normalise::glue::{Lexicon, glue_splits};
use docpipe_normalise::{Normalise, NormaliseOptions, normalise_text};

fn main() {
    divan::main();
}

#[divan::bench(args = [true, false])]
fn normalise_pass(b: divan::Bencher, glued_words: bool) {
    let text = docpipe_testkit::corpus::text();
    let o = NormaliseOptions { glued_words, ..NormaliseOptions::default() };
    let lexicon = glued_words.then(Lexicon::builtin);
    b.counter(BytesCount::new(text.len())).bench(|| normalise_text(divan::black_box(&text), &o, lexicon).text.len());
}

#[divan::bench]
fn stage_with_alignment(b: divan::Bencher) {
    let text = docpipe_testkit::corpus::text();
    let stage = Normalise::new(NormaliseOptions::default());
    b.counter(BytesCount::new(text.len())).bench(|| {
        let doc = Document::from_source("x", text.clone(), "x", 0);
        stage.process(doc).is_ok()
    });
}

#[divan::bench]
fn glue_tokens(b: divan::Bencher) {
    let text = docpipe_testkit::corpus::text();
    let lexicon = Lexicon::builtin();
    let tokens: Vec<&str> = text.split_whitespace().filter(|t| t.len() >= 4).collect();
    b.counter(BytesCount::new(tokens.iter().map(|t| t.len()).sum::<usize>()))
        .bench(|| tokens.iter().map(|t| glue_splits(lexicon, divan::black_box(t)).len()).sum::<usize>());
}
