//! Benchmark (divan) of the `dedupe` stage as the runner drives it: `prepare` for each
//! document, then `process` in input order, one thread, through `docpipe_core::runner::run`
//! on the sample corpus's articles repeated 40 times under fresh ids (so most documents are
//! duplicates). Measures the hand-off from `prepare` to `process` together with the work.
//!
//! ```sh
//! cargo bench -p docpipe-dedupe --bench stage
//! ```

// A bench that cannot set itself up has nothing to measure: failing loudly is the point.
#![allow(clippy::expect_used)]

use docpipe_core::config::Pipeline;
use docpipe_core::input::InputFile;
use docpipe_core::runner::{RunOptions, Silent, run};
use docpipe_core::{Stage, StageOptions};
use docpipe_dedupe::{Config, Dedupe, Options};

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
    Stage::Ordered(Box::new(Dedupe::new(Config::from_options(&o).expect("config")).expect("stage")))
}

fn pipeline(file: &InputFile, dir: &std::path::Path, stage: Stage) -> Pipeline {
    Pipeline::from_stages(vec![file.clone()], dir.to_owned(), [("dedupe", stage)])
}

const CONFIGS: &[&str] = &[
    // news.toml's two dedupe stages
    "level = \"document\"\nmethod = \"near\"\nngram = 3\nthreshold = 0.35\n",
    "level = \"paragraph\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 3\nmin_words = 3\nscope = \"document\"\naction = \"mark\"\n",
    "level = \"paragraph\"\nmethod = \"exact\"\n",
];

#[divan::bench(args = [0, 1, 2])]
fn run_stage(b: divan::Bencher, config: usize) {
    let file = corpus(40);
    let dir = tempfile::tempdir().expect("temporary directory");
    let opts = RunOptions { threads: 1, ..RunOptions::default() };
    b.with_inputs(|| stage(CONFIGS[config])).bench_local_values(|st| {
        let out = run(pipeline(&file, dir.path(), st), &opts, &Silent).expect("run");
        out.stats.final_documents()
    });
}
