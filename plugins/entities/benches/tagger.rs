//! Micro-benchmark of the entity tagger on the sample corpus (single thread).
//!
//! `cargo bench -p docpipe-entities --bench tagger`

use docpipe_entities::{Tagger, TaggerConfig};

fn main() {
    divan::main();
}

#[divan::bench]
fn tag_sample_corpus(bencher: divan::Bencher) {
    let text = docpipe_testkit::corpus::texts().join("\n");
    let tagger = Tagger::builtin(TaggerConfig::default());
    bencher.counter(divan::counter::BytesCount::new(text.len())).bench(|| tagger.tag(divan::black_box(&text)).len());
}

/// The same without the learned re-labeller: what the model costs.
#[divan::bench]
fn tag_sample_corpus_rules_only(bencher: divan::Bencher) {
    let text = docpipe_testkit::corpus::texts().join("\n");
    let tagger = Tagger::builtin(TaggerConfig { model: false, ..TaggerConfig::default() });
    bencher.counter(divan::counter::BytesCount::new(text.len())).bench(|| tagger.tag(divan::black_box(&text)).len());
}
