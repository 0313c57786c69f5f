//! Micro-benchmark (divan) of the export stage writing JSONL: documents built from the
//! sample corpus (with a sentence layer and attributes, as after the news pipeline) written
//! through the real sink into a temporary directory, single-threaded, and core's
//! `write_document` alone for comparison.
//!
//! ```sh
//! cargo bench -p docpipe-export --bench jsonl
//! ```

use divan::counter::BytesCount;
use docpipe_core::stats::RunStats;
use docpipe_core::{Document, Span, Stage, StageOptions};
use docpipe_export as _;

fn main() {
    divan::main();
}

/// The sample corpus cut into article-sized documents with a `sentences` layer.
fn documents() -> Vec<Document> {
    docpipe_testkit::corpus::articles()
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let mut spans = Vec::new();
            let mut start = 0;
            for (k, _) in t.match_indices(". ") {
                spans.push(Span::new(start, k + 1));
                start = k + 2;
            }
            let mut d = Document::from_source(format!("doc-{i}"), t, "bench.txt", 0);
            d.set_layer("sentences", spans);
            d.attributes.insert("summary".into(), serde_json::json!({"text": "a summary", "method": "news"}));
            d
        })
        .collect()
}

fn record_bytes(docs: &[Document]) -> usize {
    docs.iter().map(|d| serde_json::to_vec(d).map(|v| v.len() + 1).unwrap_or(0)).sum()
}

#[divan::bench]
fn export_jsonl_sink(b: divan::Bencher) {
    let docs = documents();
    let Ok(dir) = tempfile::tempdir() else { return };
    let Ok(opts) = StageOptions::parse_snippet("path = \"bench.jsonl\"\n", dir.path()) else { return };
    let Some(f) = docpipe_core::registry::find("export") else { return };
    b.counter(BytesCount::new(record_bytes(&docs))).bench_local(|| {
        let Ok(Stage::Sink(mut sink)) = (f.build)(&opts) else { return 0 };
        let ok = sink.begin().is_ok() && docs.iter().all(|d| sink.write(divan::black_box(d)).is_ok());
        usize::from(ok && sink.finish(&RunStats::default()).is_ok())
    });
}

#[divan::bench]
fn core_write_document(b: divan::Bencher) {
    let docs = documents();
    let mut out = Vec::with_capacity(record_bytes(&docs));
    b.counter(BytesCount::new(record_bytes(&docs))).bench_local(|| {
        out.clear();
        docs.iter().all(|d| docpipe_core::output::write_document(&mut out, divan::black_box(d)).is_ok())
    });
}
