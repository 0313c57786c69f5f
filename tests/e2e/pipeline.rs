//! The pipelines shipped in config/ on the sample corpus: they run, their output is exact,
//! deterministic across thread counts and batch sizes, and reads back losslessly.

use std::path::Path;

use docpipe_core::Document;
use docpipe_core::align::reconstruct_source;

use crate::{docpipe, docpipe_in, read_jsonl, root, s, stats};

fn documents(dir: &Path) -> Vec<Document> {
    read_jsonl(&dir.join("documents.jsonl")).into_iter().map(|v| serde_json::from_value(v).unwrap()).collect()
}

#[test]
fn news_pipeline_processes_the_sample_corpus() {
    let out = tempfile::tempdir().unwrap();
    let r = docpipe(&["run", "config/news.toml", "--output", s(out.path())]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("normalise") && r.stderr.contains("wrote"), "run table missing: {r:?}");
    let st = stats(out.path());
    let docs = documents(out.path());
    assert!(docs.len() >= 4, "expected the sample corpus, got {} documents", docs.len());
    assert_eq!(st.written as usize, docs.len());
    assert_eq!(st.input.failed, 0, "the sample corpus must read cleanly");
    assert!(st.stages.iter().all(|s| s.failed == 0), "no stage may fail on the sample corpus: {:?}", st.stages);
    let dropped_copies: u64 = st.stages.iter().filter(|s| s.type_name == "dedupe").map(|s| s.dropped_total()).sum();
    assert!(dropped_copies >= 2, "the corpus has re-published copies; dedupe dropped {dropped_copies}");
    for d in &docs {
        d.check_invariants().unwrap();
        // Every document is an article: split out of a dump, or a JSONL record.
        assert!(d.parent.is_some() || d.source.line.is_some(), "{} is not an article", d.id);
        for layer in ["sentences", "entities", "summary"] {
            assert!(d.annotations.get(layer).is_some_and(|l| !l.is_empty()), "{}: no {layer} layer", d.id);
        }
        assert!(d.attributes.get("summary").and_then(|s| s.get("text")).is_some(), "{}: no summary", d.id);
    }
    for f in ["documents.parquet", "report.html", "report.md", "duplicates.jsonl"] {
        assert!(out.path().join(f).exists(), "{f} not written to the output directory");
    }
}

/// `file_bytes[source.start..source.end]` are the document's original bytes, and the
/// text plus its edits rebuild them exactly (issue #2: source-offset exactness).
#[test]
fn source_offsets_point_at_the_original_bytes() {
    let out = tempfile::tempdir().unwrap();
    let r = docpipe(&["run", "config/news.toml", "--output", s(out.path())]);
    assert_eq!(r.code, 0, "{r:?}");
    let mut checked = 0;
    for d in documents(out.path()) {
        if d.source.line.is_some() {
            continue; // JSONL records: text is not a byte slice of the file
        }
        let file = std::fs::read(root().join(&d.source.path)).unwrap();
        let original = &file[d.source.start..d.source.end];
        let rebuilt = reconstruct_source(d.text.as_bytes(), &d.source.edits, original).unwrap();
        assert_eq!(rebuilt, original, "{}: text + edits do not rebuild the source bytes", d.id);
        // Every line of the normalised text maps back to bytes holding the same words.
        let mut pos = 0;
        for line in d.text.split('\n') {
            let (a, b) = d.source_range(pos, pos + line.len());
            let src = String::from_utf8_lossy(&file[a..b]);
            let first = line.split_whitespace().next().unwrap_or("");
            if first.chars().all(|c| c.is_ascii_alphanumeric()) {
                assert!(src.contains(first), "{}: line {line:?} maps to {src:?}", d.id);
            }
            pos += line.len() + 1;
        }
        checked += 1;
    }
    assert!(checked > 0, "no text-file documents were checked");
}

#[test]
fn output_does_not_depend_on_threads_or_batch_size() {
    let root = root();
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let small = tempfile::tempdir().unwrap();
    assert_eq!(docpipe(&["run", "config/news.toml", "--threads", "1", "-o", s(one.path())]).code, 0);
    assert_eq!(docpipe(&["run", "config/news.toml", "--threads", "2", "-o", s(two.path())]).code, 0);
    // The same pipeline with tiny batches.
    let cfg =
        std::fs::read_to_string(root.join("config/news.toml")).unwrap().replace("[run]\n", "[run]\nbatch_size = 2\n");
    // Written beside news.toml (a dot file, so every_config_checks_and_runs skips it) and
    // named relatively, so source paths are the same as news.toml's.
    let cfg_name = format!("config/.batch-test-{}.toml", std::process::id());
    std::fs::write(root.join(&cfg_name), cfg).unwrap();
    let r = docpipe(&["run", &cfg_name, "--threads", "2", "-o", s(small.path())]);
    std::fs::remove_file(root.join(&cfg_name)).unwrap();
    assert_eq!(r.code, 0, "{r:?}");
    for f in ["documents.jsonl", "failed.jsonl"] {
        let a = std::fs::read(one.path().join(f)).unwrap();
        assert!(a == std::fs::read(two.path().join(f)).unwrap(), "{f} differs between 1 and 2 threads");
        assert!(a == std::fs::read(small.path().join(f)).unwrap(), "{f} differs with batch_size = 2");
    }
}

/// JSONL written by docpipe reads back losslessly: a pipeline without stages reproduces it
/// byte for byte, so `run a.toml` then `run b.toml --input out/a.jsonl` composes.
#[test]
fn jsonl_round_trip_is_lossless() {
    let first = tempfile::tempdir().unwrap();
    assert_eq!(docpipe(&["run", "config/news.toml", "-o", s(first.path())]).code, 0);
    let cfg_dir = tempfile::tempdir().unwrap();
    let cfg = cfg_dir.path().join("identity.toml");
    std::fs::write(&cfg, "[input]\npaths = []\n").unwrap();
    let second = tempfile::tempdir().unwrap();
    let input = first.path().join("documents.jsonl");
    let r = docpipe(&["run", s(&cfg), "--input", s(&input), "-o", s(second.path())]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        std::fs::read(&input).unwrap() == std::fs::read(second.path().join("documents.jsonl")).unwrap(),
        "round trip changed the records"
    );
    // And normalising again changes no text (normalise is idempotent).
    let third = tempfile::tempdir().unwrap();
    let r = docpipe(&["run", "config/news.toml", "--input", s(&input), "-o", s(third.path())]);
    assert_eq!(r.code, 0, "{r:?}");
    let before = documents(first.path());
    let after = documents(third.path());
    assert_eq!(before.len(), after.len());
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(a.text, b.text, "{}", a.id);
        assert_eq!(a.source, b.source, "{}", a.id);
    }
}

/// Every shipped config validates and runs (like Vector's example-config tests).
#[test]
fn every_config_checks_and_runs() {
    let root = root();
    let mut n = 0;
    for entry in std::fs::read_dir(root.join("config")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") || path.file_name().unwrap().to_string_lossy().starts_with('.')
        {
            continue;
        }
        n += 1;
        let r = docpipe(&["check", s(&path)]);
        assert_eq!(r.code, 0, "{}: {r:?}", path.display());
        let out = tempfile::tempdir().unwrap();
        let r = docpipe(&["run", s(&path), "-o", s(out.path())]);
        assert_eq!(r.code, 0, "{}: {r:?}", path.display());
        stats(out.path());
    }
    assert!(n >= 1);
}

/// Without a config, docpipe runs the built-in news pipeline on the built-in corpus.
#[test]
fn run_without_config_uses_the_built_in_pipeline() {
    let cwd = tempfile::tempdir().unwrap();
    let r = docpipe_in(cwd.path(), &["run"], None);
    assert_eq!(r.code, 0, "{r:?}");
    let out = cwd.path().join("docpipe-out");
    let docs = read_jsonl(&out.join("documents.jsonl"));
    assert!(docs.len() >= 4);
    assert!(docs.iter().any(|d| d["source"]["path"].as_str().unwrap().starts_with("tests/corpus/")));
    stats(&out);
}

/// The record matches the JSON Schema shipped in config/: the same top-level and source
/// properties, the required ones present.
#[test]
fn records_follow_the_published_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("config/document.schema.json")).unwrap()).unwrap();
    let out = tempfile::tempdir().unwrap();
    assert_eq!(docpipe(&["run", "config/news.toml", "-o", s(out.path())]).code, 0);
    let props: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    let required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let src_props: Vec<&String> = schema["properties"]["source"]["properties"].as_object().unwrap().keys().collect();
    for rec in read_jsonl(&out.path().join("documents.jsonl")) {
        let obj = rec.as_object().unwrap();
        let keys: Vec<&String> = obj.keys().collect();
        assert_eq!(keys, props, "record fields and order must match the schema");
        for r in &required {
            assert!(obj.contains_key(*r));
        }
        for k in rec["source"].as_object().unwrap().keys() {
            assert!(src_props.contains(&k), "source.{k} not in the schema");
        }
    }
}
