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

/// Every `.txt` file of the sample corpus, concatenated.
fn corpus() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut names: Vec<_> =
        std::fs::read_dir(dir).map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
    names.sort();
    names
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

#[divan::bench]
fn sentences(b: divan::Bencher) {
    let text = corpus();
    let sp = SentenceSplitter::default();
    b.counter(BytesCount::new(text.len())).bench(|| sp.split(divan::black_box(&text)).len());
}

#[divan::bench]
fn articles_and_sentences(b: divan::Bencher) {
    let text = corpus();
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
    let text = corpus();
    b.counter(BytesCount::new(text.len())).bench(|| divan::black_box(&text).split_whitespace().count());
}
