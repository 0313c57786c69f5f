//! Micro-benchmarks (divan): sentence splitting, the whole article + sentence analysis and a
//! plain word count over the sample corpus, single-threaded.
//!
//! ```sh
//! cargo bench -p docpipe-splitter --bench split
//! ```

use divan::counter::BytesCount;
use docpipe_core::{Document, MapStage, Outcome};
use docpipe_splitter::{Emit, SentenceSplitter, Splitter, SplitterOptions};

fn main() {
    divan::main();
}

#[divan::bench]
fn sentences(b: divan::Bencher) {
    let text = docpipe_testkit::corpus::text();
    let sp = SentenceSplitter::default();
    b.counter(BytesCount::new(text.len())).bench(|| sp.split(divan::black_box(&text)).len());
}

#[divan::bench]
fn articles_and_sentences(b: divan::Bencher) {
    let text = docpipe_testkit::corpus::text();
    let Ok(st) = Splitter::new(SplitterOptions { emit: Emit::Spans, ..SplitterOptions::default() }) else { return };
    b.counter(BytesCount::new(text.len())).bench(|| {
        let doc = Document::from_source("x", text.clone(), "x", 0);
        match st.process(doc) {
            Ok(Outcome::Keep(d)) => st.split_sentences(&d, true).0.len(),
            _ => 0,
        }
    });
}

#[divan::bench]
fn word_count(b: divan::Bencher) {
    let text = docpipe_testkit::corpus::text();
    b.counter(BytesCount::new(text.len())).bench(|| divan::black_box(&text).split_whitespace().count());
}
