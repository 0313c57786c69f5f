//! Micro-benchmarks (divan) of the summariser over the sample corpus, single-threaded: the
//! TF-IDF sentence vectors, the sentence graph with PageRank (`lexrank` and `news`), and a
//! whole summary (candidates, vectors, graph, selection).
//!
//! ```sh
//! cargo bench -p docpipe-summarise --bench graph
//! ```

use divan::counter::BytesCount;
use docpipe_summarise::rank::{self, Params, Unit, Vectors};
use docpipe_summarise::{Method, Options, Summariser, text};

fn main() {
    divan::main();
}

/// Each article's candidate sentences.
fn sentences(a: &[String]) -> Vec<Vec<&str>> {
    a.iter().map(|t| text::candidates(t, None, None).iter().map(|s| &t[s.start..s.end]).collect()).collect()
}

fn bytes(a: &[String]) -> usize {
    a.iter().map(String::len).sum()
}

#[divan::bench]
fn tfidf_vectors(b: divan::Bencher) {
    let a = docpipe_testkit::corpus::articles();
    let s = sentences(&a);
    b.counter(BytesCount::new(bytes(&a)))
        .bench(|| s.iter().map(|t| Vectors::new(divan::black_box(t)).tfidf.len()).sum::<usize>());
}

#[divan::bench(args = [Method::Lexrank, Method::News])]
fn sentence_graph(b: divan::Bencher, method: Method) {
    let a = docpipe_testkit::corpus::articles();
    let s = sentences(&a);
    let prepared: Vec<(Vec<Unit<'_>>, Vectors)> = s
        .iter()
        .map(|t| (t.iter().enumerate().map(|(i, x)| Unit { text: x, position: i }).collect(), Vectors::new(t)))
        .collect();
    let p = Params { method, position_weight: 0.5, max_graph: 300, tuning: rank::Tuning::default() };
    b.counter(BytesCount::new(bytes(&a)))
        .bench(|| prepared.iter().map(|(u, v)| rank::score(divan::black_box(u), v, &p).len()).sum::<usize>());
}

#[divan::bench(args = [Method::Lexrank, Method::News])]
fn whole_summary(b: divan::Bencher, method: Method) {
    let a = docpipe_testkit::corpus::articles();
    let Ok(s) = Summariser::new(Options { method, ..Options::default() }) else { return };
    b.counter(BytesCount::new(bytes(&a)))
        .bench(|| a.iter().map(|t| s.summarise(divan::black_box(t), None, None).sentences.len()).sum::<usize>());
}
