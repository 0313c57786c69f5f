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

/// Each article's candidate sentences.
fn sentences(a: &[String]) -> Vec<Vec<&str>> {
    a.iter().map(|t| text::candidates(t, None, None).iter().map(|s| &t[s.start..s.end]).collect()).collect()
}

fn bytes(a: &[String]) -> usize {
    a.iter().map(String::len).sum()
}

#[divan::bench]
fn tfidf_vectors(b: divan::Bencher) {
    let a = articles();
    let s = sentences(&a);
    b.counter(BytesCount::new(bytes(&a)))
        .bench(|| s.iter().map(|t| Vectors::new(divan::black_box(t)).tfidf.len()).sum::<usize>());
}

#[divan::bench(args = [Method::Lexrank, Method::News])]
fn sentence_graph(b: divan::Bencher, method: Method) {
    let a = articles();
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
    let a = articles();
    let Ok(s) = Summariser::new(Options { method, ..Options::default() }) else { return };
    b.counter(BytesCount::new(bytes(&a)))
        .bench(|| a.iter().map(|t| s.summarise(divan::black_box(t), None, None).sentences.len()).sum::<usize>());
}
