//! Micro-benchmark of the entity tagger on the sample corpus (single thread).
//!
//! `cargo bench -p docpipe-entities --bench tagger`

use docpipe_entities::{Tagger, TaggerConfig};

fn main() {
    divan::main();
}

fn corpus() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect()
        })
        .unwrap_or_default();
    names.sort();
    names.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect::<Vec<_>>().join("\n")
}

#[divan::bench]
fn tag_sample_corpus(bencher: divan::Bencher) {
    let text = corpus();
    let tagger = Tagger::builtin(TaggerConfig::default());
    bencher.counter(divan::counter::BytesCount::new(text.len())).bench(|| tagger.tag(divan::black_box(&text)).len());
}
