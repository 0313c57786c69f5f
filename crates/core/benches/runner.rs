//! Micro-benchmark (divan) of the runner's own per-document cost: one rewriting map stage
//! (every `a` becomes `A`, so each document carries a long edit list, as after `normalise` on
//! text full of curly quotes) followed by passthrough map stages, one thread, in memory. The
//! stages do almost nothing, so what is measured is what the runner does around each call
//! (moving documents, failure bookkeeping, outcome checks, accounting).
//!
//! ```sh
//! cargo bench -p docpipe-core --bench runner
//! ```

// A bench that cannot set itself up has nothing to measure: failing loudly is the point.
#![allow(clippy::expect_used)]

use docpipe_core::align::Rewriter;
use docpipe_core::config::Pipeline;
use docpipe_core::input::InputFile;
use docpipe_core::runner::{RunOptions, Silent, run};
use docpipe_core::{Document, MapStage, Outcome, Stage, StageError};

fn main() {
    divan::main();
}

/// Turns every `a` into `A`: one edit per `a`.
struct Capitalise;
impl MapStage for Capitalise {
    fn process(&self, mut doc: Document) -> Result<Outcome, StageError> {
        let mut rw = Rewriter::new(&doc.text);
        for (i, _) in doc.text.match_indices('a') {
            rw.replace(i, i + 1, "A");
        }
        let (text, edits) = rw.finish();
        doc.apply_rewrite(text, edits);
        Ok(Outcome::Keep(doc))
    }
}

/// Keeps every document as it is.
struct Pass;
impl MapStage for Pass {
    fn process(&self, doc: Document) -> Result<Outcome, StageError> {
        Ok(Outcome::Keep(doc))
    }
}

/// 400 in-memory text files of about 4 KB (one document each).
fn files() -> Vec<InputFile> {
    const WORDS: &[&str] = &["a", "harbour", "levy", "cargo", "talks", "Mombasa", "said", "an", "the", "agreed"];
    (0..400)
        .map(|i| {
            let mut text = String::new();
            let mut k = i;
            while text.len() < 4000 {
                text.push_str(WORDS[k % WORDS.len()]);
                text.push(if k % 13 == 0 { '\n' } else { ' ' });
                k = k.wrapping_mul(31).wrapping_add(7);
            }
            let bytes: &'static [u8] = Box::leak(text.into_bytes().into_boxed_slice());
            InputFile::Memory { name: format!("doc-{i:03}.txt"), bytes }
        })
        .collect()
}

fn pipeline(files: &[InputFile], dir: &std::path::Path, passes: usize) -> Pipeline {
    let mut stages = vec![("capitalise", Stage::Map(Box::new(Capitalise)))];
    stages.extend((0..passes).map(|_| ("pass", Stage::Map(Box::new(Pass)) as Stage)));
    Pipeline::from_stages(files.to_vec(), dir.to_owned(), stages)
}

/// The whole run: reading, the rewriting stage, `passes` passthrough stages.
#[divan::bench(args = [0, 8])]
fn map_stages(b: divan::Bencher, passes: usize) {
    let files = files();
    let dir = tempfile::tempdir().expect("temporary directory");
    let opts = RunOptions { threads: 1, ..RunOptions::default() };
    b.bench_local(|| {
        let out = run(pipeline(&files, dir.path(), passes), &opts, &Silent).expect("run");
        out.stats.written + out.stats.final_documents()
    });
}
