//! Micro-benchmarks (divan) of dedupe's hot path over the sample corpus, single-threaded:
//! normalisation, word 5-gram shingling (XXH3) and the 128-permutation MinHash signature,
//! separately and together as `prepare` runs them.
//!
//! ```sh
//! cargo bench -p docpipe-dedupe --bench minhash
//! ```

use divan::counter::BytesCount;
use docpipe_dedupe::minhash::{MinHasher, shingles};
use docpipe_dedupe::text::{Normalisation, normalise_into, words};

fn main() {
    divan::main();
}

/// The sample corpus's `.txt` files, cut into paragraph groups of about an article's size.
fn articles() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut names: Vec<_> =
        std::fs::read_dir(dir).map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
    names.sort();
    let text: String = names
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines.chunks(12).map(|c| c.join("\n")).collect()
}

const NORM: Normalisation = Normalisation { case: true, whitespace: true, punctuation: true, digits: false };

fn bytes(a: &[String]) -> usize {
    a.iter().map(String::len).sum()
}

#[divan::bench]
fn normalise(b: divan::Bencher) {
    let a = articles();
    let mut out = String::new();
    b.counter(BytesCount::new(bytes(&a))).bench_local(|| {
        a.iter()
            .map(|t| {
                normalise_into(divan::black_box(t), NORM, &mut out);
                out.len()
            })
            .sum::<usize>()
    });
}

#[divan::bench]
fn shingle_5grams(b: divan::Bencher) {
    let norm: Vec<String> = articles()
        .iter()
        .map(|t| {
            let mut out = String::new();
            normalise_into(t, NORM, &mut out);
            out
        })
        .collect();
    b.counter(BytesCount::new(bytes(&norm)))
        .bench(|| norm.iter().map(|t| shingles(words(divan::black_box(t)), 5).len()).sum::<usize>());
}

#[divan::bench]
fn minhash_128(b: divan::Bencher) {
    let a = articles();
    let sh: Vec<Vec<u64>> = a
        .iter()
        .map(|t| {
            let mut out = String::new();
            normalise_into(t, NORM, &mut out);
            shingles(words(&out), 5)
        })
        .collect();
    let mh = MinHasher::new(128, 1);
    b.counter(BytesCount::new(bytes(&a)))
        .bench(|| sh.iter().map(|s| mh.signature(divan::black_box(s))[0] as usize).sum::<usize>());
}

#[divan::bench]
fn normalise_shingle_minhash(b: divan::Bencher) {
    let a = articles();
    let mh = MinHasher::new(128, 1);
    let mut out = String::new();
    b.counter(BytesCount::new(bytes(&a))).bench_local(|| {
        a.iter()
            .map(|t| {
                normalise_into(divan::black_box(t), NORM, &mut out);
                mh.signature(&shingles(words(&out), 5))[0] as usize
            })
            .sum::<usize>()
    });
}
