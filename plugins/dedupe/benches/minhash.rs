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

const NORM: Normalisation = Normalisation { case: true, whitespace: true, punctuation: true, digits: false };

fn bytes(a: &[String]) -> usize {
    a.iter().map(String::len).sum()
}

#[divan::bench]
fn normalise(b: divan::Bencher) {
    let a = docpipe_testkit::corpus::articles();
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
    let norm: Vec<String> = docpipe_testkit::corpus::articles()
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
    let a = docpipe_testkit::corpus::articles();
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
    let a = docpipe_testkit::corpus::articles();
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
