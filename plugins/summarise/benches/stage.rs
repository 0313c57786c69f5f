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

use docpipe_core::config::Pipeline;
use docpipe_core::input::InputFile;
use docpipe_core::runner::{RunOptions, Silent, run};
use docpipe_core::{Stage, StageOptions};
use docpipe_summarise::{Options, SummariseStage, Summariser};

fn main() {
    divan::main();
}

/// The sample articles repeated `copies` times under fresh ids, as one in-memory JSONL file.
fn corpus(copies: usize) -> InputFile {
    let bytes = docpipe_testkit::corpus::repeated_articles_jsonl(copies).into_bytes();
    InputFile::Memory { name: "articles.jsonl".into(), bytes: Box::leak(bytes.into_boxed_slice()) }
}

fn stage(snippet: &str) -> Stage {
    let opts = StageOptions::parse_snippet(snippet, std::path::Path::new(".")).expect("options");
    let o: Options = opts.deserialize().expect("options");
    Stage::Ordered(Box::new(SummariseStage::new(Summariser::new(o).expect("summariser"))))
}

fn pipeline(file: &InputFile, dir: &std::path::Path, stage: Stage) -> Pipeline {
    Pipeline::from_stages(vec![file.clone()], dir.to_owned(), [("summarise", stage)])
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
