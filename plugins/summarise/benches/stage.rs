//! Benchmark (divan) of the `summarise` stage as the runner drives it: `prepare` for each
//! document, then `process` in input order and `finish`, one thread, through
//! `docpipe_core::runner::run` on the sample corpus's articles repeated 20 times under fresh
//! ids, per document and grouped by story (the group data goes from `prepare` to `process`).
//!
//! ```sh
//! cargo bench -p docpipe-summarise --bench stage
//! ```

// A bench that cannot set itself up has nothing to measure: failing loudly is the point.
#![allow(clippy::expect_used)]

use docpipe_core::config::{BuiltStage, OnError, Pipeline, RunSection};
use docpipe_core::input::{InputFile, InputFormat, InputSpec, Utf8Policy};
use docpipe_core::runner::{RunOptions, Silent, run};
use docpipe_core::{Stage, StageOptions};
use docpipe_summarise::{Options, SummariseStage, Summariser};

fn main() {
    divan::main();
}

/// `tests/corpus/articles.jsonl`, each record repeated `copies` times with the id `<id>-<k>`.
fn corpus(copies: usize) -> InputFile {
    let src = include_str!("../../../tests/corpus/articles.jsonl");
    let mut out = String::new();
    for k in 0..copies {
        for line in src.lines().filter(|l| !l.trim().is_empty()) {
            let mut v: serde_json::Value = serde_json::from_str(line).expect("a JSON record");
            let id = format!("{}-{k}", v["id"].as_str().unwrap_or("doc"));
            v["id"] = id.into();
            out.push_str(&v.to_string());
            out.push('\n');
        }
    }
    InputFile::Memory { name: "articles.jsonl".into(), bytes: Box::leak(out.into_bytes().into_boxed_slice()) }
}

fn stage(snippet: &str) -> Stage {
    let opts = StageOptions::parse_snippet(snippet, std::path::Path::new(".")).expect("options");
    let o: Options = opts.deserialize().expect("options");
    Stage::Ordered(Box::new(SummariseStage::new(Summariser::new(o).expect("summariser"))))
}

fn pipeline(file: &InputFile, dir: &std::path::Path, stage: Stage) -> Pipeline {
    Pipeline {
        config_path: "bench".into(),
        input: InputSpec {
            files: vec![file.clone()],
            format: InputFormat::Auto,
            invalid_utf8: Utf8Policy::Lossy,
            max_document_bytes: 1 << 20,
        },
        output_dir: dir.to_owned(),
        write_documents: false,
        run: RunSection { threads: 1, ..RunSection::default() },
        stages: vec![BuiltStage {
            name: "summarise".into(),
            type_name: "summarise".into(),
            on_error: OnError::Skip,
            stage,
        }],
        outputs: Vec::new(),
    }
}

const CONFIGS: &[&str] = &[
    "method = \"news\"\nsentences = 3\n",
    // stories.toml: group summaries by story
    "method = \"news\"\nsentences = 3\ngroup_by = \"metadata.story\"\ngroup_min_members = 2\n",
];

#[divan::bench(args = [0, 1])]
fn run_stage(b: divan::Bencher, config: usize) {
    let file = corpus(20);
    let dir = tempfile::tempdir().expect("temporary directory");
    let opts = RunOptions { threads: 1, ..RunOptions::default() };
    b.with_inputs(|| stage(CONFIGS[config])).bench_local_values(|st| {
        let out = run(pipeline(&file, dir.path(), st), &opts, &Silent).expect("run");
        out.stats.final_documents()
    });
}
