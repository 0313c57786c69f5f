//! The pipeline runner: streams input in bounded batches through the stages.
//!
//! A reader thread reads input files in order and sends batches (at most `run.batch_size`
//! documents and `run.batch_bytes` bytes) over a channel of capacity two, so memory stays
//! bounded whatever the corpus size. For each batch, each map stage runs as one parallel pass
//! over the batch (rayon, order preserved by indexed collection); an ordered stage runs its
//! `prepare` in parallel and its `process` sequentially in input order; a sink writes in
//! input order. Output therefore never depends on the number of threads.
//!
//! Every document is accounted for: each stage counts what it received, kept, dropped (per
//! reason) and failed; failures go to `failed.jsonl` with the stage and error. Outputs are
//! committed atomically at the end, and not at all if the run fails.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use tracing::{debug, info_span, warn};

use crate::config::{BuiltStage, OnError, Pipeline};
use crate::document::{Document, Source};
use crate::input::{ReadEvent, Rejected, read_file};
use crate::output::{AtomicFile, write_atomic, write_json_line};
use crate::stage::{Outcome, Stage};
use crate::stats::{RunStats, StageStats};

/// Names of the files the runner writes in the output directory.
pub const DOCUMENTS_FILE: &str = "documents.jsonl";
/// See [`DOCUMENTS_FILE`].
pub const FAILED_FILE: &str = "failed.jsonl";
/// See [`DOCUMENTS_FILE`].
pub const STATS_FILE: &str = "stats.json";

/// Progress of a run, reported after every batch.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Bytes read so far.
    pub bytes_read: u64,
    /// Input bytes (`source` spans) of the documents taken in so far, without read-ahead.
    pub bytes_done: u64,
    /// Total input bytes, when known.
    pub bytes_total: Option<u64>,
    /// Documents read so far.
    pub documents_read: u64,
    /// Documents that left the last stage.
    pub documents_done: u64,
    /// Seconds since the start.
    pub seconds: f64,
    /// Per stage: its name and the documents it has emitted so far.
    pub stages: Vec<(String, u64)>,
}

/// Receives progress reports (the CLI draws a progress bar). Core never prints.
pub trait Observer: Sync {
    /// Called after every batch.
    fn progress(&self, _progress: &Progress) {}
}

/// An observer that ignores everything.
#[derive(Debug, Default)]
pub struct Silent;
impl Observer for Silent {}

/// Runtime settings from the command line.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Worker threads (0: `run.threads`, else one per core).
    pub threads: usize,
    /// Set to `true` (by a Ctrl-C handler) to stop the run at the next batch: nothing is
    /// committed and temporary files are removed.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// What a successful run produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// The statistics (also written to `stats.json`).
    pub stats: RunStats,
    /// The output directory.
    pub output_dir: PathBuf,
    /// `documents.jsonl`, if written.
    pub documents_path: Option<PathBuf>,
    /// `failed.jsonl` (always written; empty when nothing failed).
    pub failed_path: PathBuf,
    /// Records in `failed.jsonl`.
    pub failed: u64,
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Input could not be read and the policy says stop.
    #[error("{0}")]
    Input(String),
    /// A stage failed on a document and its `on_error` is `fail`.
    #[error("stage `{stage}` failed on document `{id}`: {message}")]
    Stage {
        /// The stage instance.
        stage: String,
        /// The document.
        id: String,
        /// The error.
        message: String,
    },
    /// An output could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The thread pool could not be built.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    /// The run was cancelled (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
}

/// One line of `failed.jsonl`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct FailedRecord {
    /// The document id.
    pub id: String,
    /// The stage (`input` for reader failures).
    pub stage: String,
    /// The error, with its causes.
    pub error: String,
    /// Where the document is in the input.
    pub source: Source,
}

enum ReaderMsg {
    Batch(Vec<ReadEvent>),
    Fatal(String),
}

#[derive(Default)]
struct Delta {
    docs_in: u64,
    kept: u64,
    docs_out: u64,
    dropped: Vec<(Cow<'static, str>, u64)>,
    failed: u64,
    nanos: u64,
}

struct DocResult {
    outputs: Vec<Document>,
    deltas: Vec<Delta>,
    failures: Vec<FailedRecord>,
    fatal: Option<RunError>,
}

/// Runs a pipeline to completion.
pub fn run(pipeline: Pipeline, opts: &RunOptions, observer: &dyn Observer) -> Result<RunOutcome, RunError> {
    let threads = match (opts.threads, pipeline.run.threads) {
        (0, 0) => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        (0, n) | (n, _) => n,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("docpipe-worker-{i}"))
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))?;
    let started = Instant::now();
    let Pipeline { input, output_dir, write_documents, run: settings, mut stages, .. } = pipeline;

    let io_err = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| RunError::Io { path: path.clone(), source }
    };
    std::fs::create_dir_all(&output_dir).map_err(io_err(&output_dir))?;
    let documents_path = output_dir.join(DOCUMENTS_FILE);
    let failed_path = output_dir.join(FAILED_FILE);
    let mut documents_out = if write_documents {
        Some(AtomicFile::create(&documents_path).map_err(io_err(&documents_path))?)
    } else {
        None
    };
    let mut failed_out = AtomicFile::create(&failed_path).map_err(io_err(&failed_path))?;

    for s in &mut stages {
        if let Stage::Sink(sink) = &mut s.stage {
            sink.begin().map_err(|e| RunError::Stage {
                stage: s.name.clone(),
                id: "-".into(),
                message: e.full_message(),
            })?;
        }
    }

    let mut stats = RunStats { threads, ..RunStats::default() };
    // Per-stage counters live apart from `stats` while the run borrows both; they are put
    // back into `stats.stages` at the end.
    let mut counters: Vec<StageStats> = stages
        .iter()
        .map(|s| StageStats { name: s.name.clone(), type_name: s.type_name.clone(), ..StageStats::default() })
        .collect();
    let bytes_total: Option<u64> = input.files.iter().map(|f| f.size_hint()).sum();
    let bytes_read = AtomicU64::new(0);
    let mut progress = Progress { bytes_total, ..Progress::default() };
    let mut failed_count = 0u64;
    let mut written = 0u64;

    let (tx, rx) = sync_channel::<ReaderMsg>(2);
    let batch_size = settings.batch_size.max(1);
    let batch_bytes = settings.batch_bytes.max(1);

    let result: Result<(), RunError> = std::thread::scope(|scope| {
        // Owned by this closure: on an early error it is dropped before the scope joins the
        // reader, so a reader blocked on a full channel sees the hang-up and stops.
        let rx = rx;
        let input = &input;
        let bytes_read = &bytes_read;
        let cancel = opts.cancel.clone();
        let cancelled = move || cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed));
        let cancelled_reader = cancelled.clone();
        scope.spawn(move || {
            let cancelled = cancelled_reader;
            let mut batch = Vec::new();
            let mut size = 0usize;
            for file in &input.files {
                let mut stop = false;
                let r = read_file(
                    file,
                    input,
                    &mut |ev| {
                        if stop || cancelled() {
                            stop = true;
                            return;
                        }
                        if let ReadEvent::Document(d) = &ev {
                            size += d.text.len();
                        }
                        batch.push(ev);
                        if batch.len() >= batch_size || size >= batch_bytes {
                            size = 0;
                            if tx.send(ReaderMsg::Batch(std::mem::take(&mut batch))).is_err() {
                                stop = true;
                            }
                        }
                    },
                    &|n| {
                        bytes_read.fetch_add(n, Ordering::Relaxed);
                    },
                );
                if let Err(e) = r {
                    let _ = tx.send(ReaderMsg::Fatal(e.0));
                    return;
                }
                if stop {
                    return;
                }
            }
            if !batch.is_empty() {
                let _ = tx.send(ReaderMsg::Batch(batch));
            }
        });

        let mut ctx = RunCtx {
            stages: &mut stages,
            counters: &mut counters,
            failed_out: &mut failed_out,
            failed_count: &mut failed_count,
            documents_out: documents_out.as_mut(),
            written: &mut written,
            pool: &pool,
        };
        consume(&rx, &mut ctx, &mut stats, &mut progress, bytes_read, started, observer, &cancelled)?;
        if cancelled() {
            return Err(RunError::Interrupted);
        }
        // End of input: let ordered stages emit what they held back, in stage order.
        for i in 0..ctx.stages.len() {
            let name = ctx.stages[i].name.clone();
            let held = match &mut ctx.stages[i].stage {
                Stage::Ordered(o) => o.finish().map_err(|e| RunError::Stage {
                    stage: name,
                    id: "-".into(),
                    message: e.full_message(),
                })?,
                _ => continue,
            };
            if let Stage::Ordered(o) = &ctx.stages[i].stage {
                ctx.counters[i].counters.extend(o.counters());
            }
            ctx.counters[i].docs_out += held.len() as u64;
            ctx.run_from(i + 1, held)?;
        }
        Ok(())
    });
    result?;

    stats.stages = counters;
    stats.written = written;
    stats.seconds = started.elapsed().as_secs_f64();
    stats.input.bytes = bytes_read.load(Ordering::Relaxed);
    stats.peak_rss_bytes = crate::stats::peak_rss_bytes();
    if let Err(problems) = stats.check_accounting() {
        // A bug in the runner or a stage, never the user's: say so loudly, keep the outputs.
        for p in problems {
            warn!(problem = %p, "accounting identity violated");
        }
    }
    for s in &mut stages {
        if let Stage::Sink(sink) = &mut s.stage {
            sink.finish(&stats).map_err(|e| RunError::Stage {
                stage: s.name.clone(),
                id: "-".into(),
                message: e.full_message(),
            })?;
        }
    }
    if let Some(f) = documents_out {
        f.commit().map_err(io_err(&documents_path))?;
    }
    failed_out.commit().map_err(io_err(&failed_path))?;
    let stats_path = output_dir.join(STATS_FILE);
    let mut json = serde_json::to_vec_pretty(&stats)
        .map_err(|e| RunError::Io { path: stats_path.display().to_string(), source: e.into() })?;
    json.push(b'\n');
    write_atomic(&stats_path, &json).map_err(io_err(&stats_path))?;
    Ok(RunOutcome {
        stats,
        output_dir,
        documents_path: write_documents.then_some(documents_path),
        failed_path,
        failed: failed_count,
    })
}

#[allow(clippy::too_many_arguments)]
fn consume(
    rx: &Receiver<ReaderMsg>,
    ctx: &mut RunCtx<'_>,
    stats: &mut RunStats,
    progress: &mut Progress,
    bytes_read: &AtomicU64,
    started: Instant,
    observer: &dyn Observer,
    cancelled: &dyn Fn() -> bool,
) -> Result<(), RunError> {
    let mut last_file = String::new();
    for msg in rx {
        if cancelled() {
            return Err(RunError::Interrupted);
        }
        let events = match msg {
            ReaderMsg::Batch(ev) => ev,
            ReaderMsg::Fatal(e) => return Err(RunError::Input(e)),
        };
        let mut docs = Vec::with_capacity(events.len());
        for ev in events {
            match ev {
                ReadEvent::Document(d) => {
                    if d.source.path != last_file {
                        stats.input.files += 1;
                        last_file.clone_from(&d.source.path);
                    }
                    stats.input.documents += 1;
                    docs.push(d);
                }
                ReadEvent::Dropped(r) => {
                    stats.input.files += 1;
                    debug!(id = %r.id, reason = %r.reason, "input dropped");
                    *stats.input.dropped.entry(r.reason).or_default() += 1;
                }
                ReadEvent::Failed(r) => {
                    if r.source.path != last_file {
                        stats.input.files += 1;
                        last_file.clone_from(&r.source.path);
                    }
                    warn!(id = %r.id, error = %r.reason, "input failed");
                    stats.input.failed += 1;
                    ctx.record_failure(rejected_record(r))?;
                }
                ReadEvent::Replaced { id, count, first_offset } => {
                    warn!(%id, count, first_offset, "invalid UTF-8 replaced with U+FFFD");
                    stats.input.utf8_replacements += count as u64;
                }
            }
        }
        progress.documents_read = stats.input.documents;
        progress.bytes_done += docs.iter().map(|d| d.source.end.saturating_sub(d.source.start) as u64).sum::<u64>();
        ctx.run_from(0, docs)?;
        progress.bytes_read = bytes_read.load(Ordering::Relaxed);
        progress.documents_done = ctx.counters.last().map(|s| s.docs_out).unwrap_or(stats.input.documents);
        progress.seconds = started.elapsed().as_secs_f64();
        progress.stages = ctx.counters.iter().map(|s| (s.name.clone(), s.docs_out)).collect();
        observer.progress(progress);
    }
    Ok(())
}

fn rejected_record(r: Rejected) -> FailedRecord {
    FailedRecord { id: r.id, stage: "input".into(), error: r.reason, source: r.source }
}

struct RunCtx<'a> {
    stages: &'a mut Vec<BuiltStage>,
    counters: &'a mut Vec<StageStats>,
    failed_out: &'a mut AtomicFile,
    failed_count: &'a mut u64,
    documents_out: Option<&'a mut AtomicFile>,
    written: &'a mut u64,
    pool: &'a rayon::ThreadPool,
}

impl RunCtx<'_> {
    fn record_failure(&mut self, rec: FailedRecord) -> Result<(), RunError> {
        *self.failed_count += 1;
        write_json_line(self.failed_out, &rec)
            .map_err(|source| RunError::Io { path: self.failed_out.target().display().to_string(), source })
    }

    /// Runs `docs` through stages `from..` and writes what comes out of the last one.
    fn run_from(&mut self, from: usize, mut docs: Vec<Document>) -> Result<(), RunError> {
        let mut i = from;
        while i < self.stages.len() && !docs.is_empty() {
            match &self.stages[i].stage {
                Stage::Map(_) => {
                    // One parallel pass per stage (not one fused pass per input document):
                    // a splitter turns one dump into thousands of articles, and the next
                    // stage should spread those over every worker.
                    docs = self.run_maps(i, i + 1, docs)?;
                    i += 1;
                }
                Stage::Ordered(_) => {
                    docs = self.run_ordered(i, docs)?;
                    i += 1;
                }
                Stage::Sink(_) => {
                    self.run_sink(i, &docs)?;
                    i += 1;
                }
            }
        }
        if i < self.stages.len() {
            return Ok(());
        }
        if let Some(out) = self.documents_out.as_deref_mut() {
            for d in &docs {
                crate::output::write_document(out, d)
                    .map_err(|source| RunError::Io { path: out.target().display().to_string(), source })?;
            }
            *self.written += docs.len() as u64;
        }
        Ok(())
    }

    fn run_maps(&mut self, from: usize, to: usize, docs: Vec<Document>) -> Result<Vec<Document>, RunError> {
        let stages: Vec<MapRef<'_>> = self.stages[from..to]
            .iter()
            .filter_map(|s| match &s.stage {
                Stage::Map(m) => Some(MapRef { stage: m.as_ref(), name: &s.name, on_error: s.on_error }),
                _ => None,
            })
            .collect();
        let span = info_span!("map_stages", first = %self.stages[from].name, count = stages.len());
        let _enter = span.enter();
        let stages = &stages;
        let results: Vec<DocResult> =
            self.pool.install(|| docs.into_par_iter().map(|d| run_map_chain(stages, d)).collect());
        let mut out = Vec::with_capacity(results.len());
        for r in results {
            for (k, d) in r.deltas.into_iter().enumerate() {
                apply_delta(&mut self.counters[from + k], d);
            }
            for f in r.failures {
                self.record_failure(f)?;
            }
            if let Some(fatal) = r.fatal {
                return Err(fatal);
            }
            out.extend(r.outputs);
        }
        Ok(out)
    }

    fn run_ordered(&mut self, i: usize, mut docs: Vec<Document>) -> Result<Vec<Document>, RunError> {
        let name = self.stages[i].name.clone();
        let on_error = self.stages[i].on_error;
        let span = info_span!("ordered_stage", stage = %name);
        let _enter = span.enter();
        let Stage::Ordered(stage) = &mut self.stages[i].stage else { return Ok(docs) };
        let t = Instant::now();
        let prepared: Vec<Result<(), String>> = {
            let shared: &dyn crate::stage::OrderedStage = stage.as_ref();
            self.pool.install(|| {
                docs.par_iter_mut().map(|d| guarded(|| shared.prepare(d)).map_err(|e| e.full_message())).collect()
            })
        };
        let mut out = Vec::with_capacity(docs.len());
        let mut delta = Delta { docs_in: docs.len() as u64, ..Delta::default() };
        let mut failures = Vec::new();
        for (d, prep) in docs.into_iter().zip(prepared) {
            let id = d.id.clone();
            let source = d.source.clone();
            let bytes = d.text.len() as u64;
            let res = match prep {
                Err(e) => Err(e),
                Ok(()) => guarded(|| stage.process(d)).map_err(|e| e.full_message()),
            };
            match res.and_then(check_outcome) {
                Ok(Checked::Docs(v)) => {
                    delta.kept += 1;
                    delta.docs_out += v.len() as u64;
                    out.extend(v);
                }
                Ok(Checked::Dropped(r)) => delta.dropped.push((r, bytes)),
                Err(message) => {
                    delta.failed += 1;
                    if on_error == OnError::Fail {
                        apply_delta(&mut self.counters[i], delta);
                        return Err(RunError::Stage { stage: name, id, message });
                    }
                    failures.push(FailedRecord { id, stage: name.clone(), error: message, source });
                }
            }
        }
        delta.nanos = t.elapsed().as_nanos() as u64;
        apply_delta(&mut self.counters[i], delta);
        for f in failures {
            self.record_failure(f)?;
        }
        Ok(out)
    }

    fn run_sink(&mut self, i: usize, docs: &[Document]) -> Result<(), RunError> {
        let name = self.stages[i].name.clone();
        let Stage::Sink(sink) = &mut self.stages[i].stage else { return Ok(()) };
        let t = Instant::now();
        for d in docs {
            sink.write(d).map_err(|e| RunError::Stage {
                stage: name.clone(),
                id: d.id.clone(),
                message: e.full_message(),
            })?;
        }
        let n = docs.len() as u64;
        apply_delta(
            &mut self.counters[i],
            Delta { docs_in: n, kept: n, docs_out: n, nanos: t.elapsed().as_nanos() as u64, ..Delta::default() },
        );
        Ok(())
    }
}

/// Runs a stage call, turning a panic into a per-document error: a bug that one odd document
/// triggers in a plugin fails that document (recorded in `failed.jsonl`, or stopping the run
/// under `on_error = "fail"`) instead of aborting a long run.
fn guarded<T>(f: impl FnOnce() -> Result<T, crate::stage::StageError>) -> Result<T, crate::stage::StageError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(crate::stage::StageError::new(format!("stage panicked (a bug in the stage): {msg}")))
        }
    }
}

enum Checked {
    Docs(Vec<Document>),
    Dropped(Cow<'static, str>),
}

fn check_outcome(o: Outcome) -> Result<Checked, String> {
    let docs = match o {
        Outcome::Keep(d) => vec![d],
        Outcome::Split(v) if v.is_empty() => return Ok(Checked::Dropped("no output".into())),
        Outcome::Split(v) => v,
        Outcome::Drop(r) => return Ok(Checked::Dropped(r)),
    };
    for d in &docs {
        d.check_invariants().map_err(|e| format!("stage broke a document invariant: {e}"))?;
    }
    Ok(Checked::Docs(docs))
}

fn apply_delta(s: &mut StageStats, d: Delta) {
    s.docs_in += d.docs_in;
    s.kept += d.kept;
    s.docs_out += d.docs_out;
    s.failed += d.failed;
    s.seconds += d.nanos as f64 / 1e9;
    for (r, bytes) in d.dropped {
        *s.dropped_bytes.entry(r.to_string()).or_default() += bytes;
        *s.dropped.entry(r.into_owned()).or_default() += 1;
    }
}

struct MapRef<'a> {
    stage: &'a dyn crate::stage::MapStage,
    name: &'a str,
    on_error: OnError,
}

fn run_map_chain(stages: &[MapRef<'_>], doc: Document) -> DocResult {
    let mut deltas: Vec<Delta> = stages.iter().map(|_| Delta::default()).collect();
    let mut failures = Vec::new();
    let mut current = vec![doc];
    for (k, st) in stages.iter().enumerate() {
        let stage = st.stage;
        let mut next = Vec::with_capacity(current.len());
        let delta = &mut deltas[k];
        for d in current {
            delta.docs_in += 1;
            let id = d.id.clone();
            let source = d.source.clone();
            let bytes = d.text.len() as u64;
            let t = Instant::now();
            let res = guarded(|| stage.process(d)).map_err(|e| e.full_message()).and_then(check_outcome);
            delta.nanos += t.elapsed().as_nanos() as u64;
            match res {
                Ok(Checked::Docs(v)) => {
                    delta.kept += 1;
                    delta.docs_out += v.len() as u64;
                    next.extend(v);
                }
                Ok(Checked::Dropped(r)) => delta.dropped.push((r, bytes)),
                Err(message) => {
                    delta.failed += 1;
                    if st.on_error == OnError::Fail {
                        return DocResult {
                            outputs: Vec::new(),
                            deltas,
                            failures,
                            fatal: Some(RunError::Stage { stage: st.name.to_owned(), id, message }),
                        };
                    }
                    failures.push(FailedRecord { id, stage: st.name.to_owned(), error: message, source });
                }
            }
        }
        current = next;
        if current.is_empty() {
            break;
        }
    }
    DocResult { outputs: current, deltas, failures, fatal: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BuiltStage, RunSection};
    use crate::input::{InputFile, InputFormat, InputSpec, Utf8Policy};
    use crate::stage::{MapStage, OrderedStage, StageError};

    /// Splits on `|`, drops documents containing `drop`, fails on `fail`.
    struct Toy;
    impl MapStage for Toy {
        fn process(&self, doc: Document) -> Result<Outcome, StageError> {
            if doc.text.contains("fail") {
                return Err(StageError::new("toy failure"));
            }
            if doc.text.contains("boom") {
                panic!("toy panic");
            }
            if doc.text.contains("drop") {
                return Ok(Outcome::Drop("toy drop".into()));
            }
            let mut parts = Vec::new();
            let mut start = 0;
            for (i, piece) in doc.text.split('|').enumerate() {
                parts.push(doc.child(format!("{}/{i}", doc.id), start, start + piece.len()));
                start += piece.len() + 1;
            }
            Ok(Outcome::Split(parts))
        }
    }

    /// Keeps the first document with a given text, emits a count at the end.
    #[derive(Default)]
    struct Seen(std::collections::BTreeSet<String>, u64);
    impl OrderedStage for Seen {
        fn process(&mut self, doc: Document) -> Result<Outcome, StageError> {
            self.1 += 1;
            if self.0.insert(doc.text.clone()) { Ok(Outcome::Keep(doc)) } else { Ok(Outcome::Drop("repeat".into())) }
        }
        fn finish(&mut self) -> Result<Vec<Document>, StageError> {
            Ok(vec![Document::from_source("summary", format!("saw {}", self.1), "-", 0)])
        }
        fn counters(&self) -> Vec<(String, u64)> {
            vec![("distinct texts".into(), self.0.len() as u64)]
        }
    }

    fn pipeline(files: Vec<InputFile>, dir: &std::path::Path, on_error: OnError, batch_size: usize) -> Pipeline {
        Pipeline {
            config_path: "test".into(),
            input: InputSpec {
                files,
                format: InputFormat::Auto,
                invalid_utf8: Utf8Policy::Lossy,
                max_document_bytes: 1 << 20,
            },
            output_dir: dir.to_owned(),
            write_documents: true,
            run: RunSection { batch_size, ..RunSection::default() },
            stages: vec![
                BuiltStage { name: "toy".into(), type_name: "toy".into(), on_error, stage: Stage::Map(Box::new(Toy)) },
                BuiltStage {
                    name: "seen".into(),
                    type_name: "seen".into(),
                    on_error,
                    stage: Stage::Ordered(Box::new(Seen::default())),
                },
            ],
        }
    }

    fn files(n: usize) -> Vec<InputFile> {
        let texts: [&'static [u8]; 5] = [b"a|b|c", b"please drop me", b"b|d", b"this will fail", b"e"];
        (0..n).map(|i| InputFile::Memory { name: format!("f{i}.txt"), bytes: texts[i % texts.len()] }).collect()
    }

    #[test]
    fn accounting_and_determinism() {
        let mut outputs = Vec::new();
        for (threads, batch) in [(1, 1000), (2, 1), (2, 3)] {
            let dir = tempfile::tempdir().unwrap();
            let out = run(
                pipeline(files(23), dir.path(), OnError::Skip, batch),
                &RunOptions { threads, ..RunOptions::default() },
                &Silent,
            )
            .unwrap();
            let st = &out.stats;
            st.check_accounting().unwrap();
            assert_eq!(st.input.documents, 23);
            assert_eq!(st.stages[0].failed, 4);
            assert_eq!(st.stages[0].dropped["toy drop"], 5);
            assert_eq!(st.stages[0].dropped_bytes["toy drop"], 5 * "please drop me".len() as u64);
            let repeats = st.stages[1].dropped["repeat"];
            assert_eq!(st.stages[1].counters["distinct texts"], st.stages[1].docs_in - repeats);
            assert_eq!(st.stages[1].docs_out, st.written);
            assert_eq!(out.failed, 4);
            let docs = std::fs::read_to_string(dir.path().join(DOCUMENTS_FILE)).unwrap();
            assert!(docs.lines().last().unwrap().contains("\"text\":\"saw "), "finish output comes last");
            let failed = std::fs::read_to_string(dir.path().join(FAILED_FILE)).unwrap();
            outputs.push((docs, failed));
        }
        assert!(outputs.windows(2).all(|w| w[0] == w[1]), "output depends on threads or batch size");
    }

    #[test]
    fn a_panicking_stage_fails_the_document_not_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            InputFile::Memory { name: "a.txt".into(), bytes: b"x|y" },
            InputFile::Memory { name: "b.txt".into(), bytes: b"boom" },
            InputFile::Memory { name: "c.txt".into(), bytes: b"z" },
        ];
        let out = run(pipeline(files, dir.path(), OnError::Skip, 1000), &RunOptions::default(), &Silent).unwrap();
        out.stats.check_accounting().unwrap();
        assert_eq!(out.stats.stages[0].failed, 1);
        let failed = std::fs::read_to_string(dir.path().join(FAILED_FILE)).unwrap();
        assert!(failed.contains("stage panicked (a bug in the stage): toy panic"), "{failed}");
    }

    #[test]
    fn fail_mode_stops_without_committing_or_hanging() {
        let dir = tempfile::tempdir().unwrap();
        // Many small batches so the reader is still producing when the failure happens.
        let err = run(
            pipeline(files(5000), dir.path(), OnError::Fail, 1),
            &RunOptions { threads: 2, ..RunOptions::default() },
            &Silent,
        )
        .unwrap_err();
        assert!(err.to_string().contains("stage `toy` failed on document `f3.txt@0`: toy failure"), "{err}");
        assert!(!dir.path().join(DOCUMENTS_FILE).exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
    }
}
