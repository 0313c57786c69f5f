//! The pipeline runner: streams input in bounded batches through the stages.
//!
//! A reader thread reads input files in order and sends batches (at most `run.batch_size`
//! documents and `run.batch_bytes` bytes) over a channel of capacity two, so memory stays
//! bounded whatever the corpus size. For each batch, each map stage runs as one parallel pass
//! over the batch (rayon, order preserved by indexed collection); an ordered stage runs its
//! `prepare` in parallel and its `process` sequentially in input order; a sink writes in
//! input order. Output therefore never depends on the number of threads.
//!
//! A document a stage drops becomes a [`DropRecord`] (its id, place in the input, reason and
//! the stage's detail) when a sink comes after that stage: each later sink receives the
//! batch's records through `Sink::dropped` before the batch's documents, in input order
//! (then stage order). Records live for one batch; core keeps none of them.
//!
//! Every stage call is guarded: a panic is caught and becomes the call's error. An error on
//! one document (`process`, `prepare`, a sink's `write`) follows the stage's `on_error`: under
//! `skip` the document goes to `failed.jsonl` with the stage and error (its id and place in
//! the input: `source` without `edits`, copied before the stage consumes it) and the run goes
//! on; under `fail` the run stops. Every document a stage lets through, including what an
//! ordered stage returns from `finish`, is checked against the document invariants and fails
//! the same way when it breaks one. An error in a call that concerns no document (`finish`,
//! `counters`, a sink's `begin` or `finish`) stops the run. An input failure (a malformed
//! JSONL line, an unreadable or binary file) belongs to no stage and follows `[run] on_error`:
//! `skip` records it in `failed.jsonl`, `fail` stops the run.
//!
//! Every document is accounted for: each stage counts what it received, kept, dropped (per
//! reason) and failed; failures go to `failed.jsonl` with the stage and error. Every output
//! of the run (runner files, stage files, indexes, reports) is staged in one
//! [`Transaction`] and committed together at the end, and not at all if the run fails or is
//! interrupted (see `output.rs`).

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use tracing::{debug, info_span, warn};

use crate::config::{BuiltStage, OnError, Pipeline};
use crate::document::{Document, Source};
use crate::input::{ReadEvent, Rejected};
use crate::output::{AtomicFile, Transaction, write_atomic, write_json_line};
use crate::shard_input::{self, FilesCountFix};
use crate::stage::{DropRecord, Outcome, Stage};
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
    /// Set when the run is one task of a sharded job (`crate::shard`).
    pub shard: Option<ShardIo>,
}

/// How a run takes part in a sharded job (see `shard.rs`): where its documents come from and
/// go, and the keyed logs that `merge` puts back in the single run's order.
///
/// Every document carries a key, its input position on the shard (documents split from it
/// keep it; documents an ordered stage emits from `finish` get [`finish_key`]). In a sharded
/// run `failed.jsonl` holds [`KeyedFailure`] lines and every drop is logged as a
/// [`KeyedDrop`], so `merge` can order both by (key, stage) as a single run writes them.
#[derive(Debug, Clone, Default)]
pub struct ShardIo {
    /// Read [`KeyedDoc`] lines from this file (an earlier round's output) instead of the input.
    pub docs_in: Option<PathBuf>,
    /// Write the documents that leave the last stage here as [`KeyedDoc`] lines (instead of
    /// `documents.jsonl`).
    pub docs_out: Option<PathBuf>,
    /// Write every drop of the run here as [`KeyedDrop`] lines.
    pub drops_out: PathBuf,
    /// For each stage of this run, its index in the whole pipeline.
    pub stage_index: Vec<usize>,
}

/// A document with its key, between the rounds of a sharded job.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct KeyedDoc {
    /// The key (see [`ShardIo`]).
    pub k: u64,
    /// The document.
    pub doc: Document,
}

/// A failure with its key and stage position (0: input, else the stage's index in the whole
/// pipeline plus one), in a sharded run's `failed.jsonl`.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct KeyedFailure {
    /// The key of the document (see [`ShardIo`]).
    pub k: u64,
    /// The stage position.
    pub s: usize,
    /// The record a single run writes.
    pub rec: FailedRecord,
}

/// A drop with its key and stage position, logged by a sharded run for the sinks `merge` runs.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct KeyedDrop {
    /// The key of the document (see [`ShardIo`]).
    pub k: u64,
    /// The stage position (as in [`KeyedFailure`]).
    pub s: usize,
    /// The record the sinks receive.
    pub rec: DropRecord,
}

/// The key of the `n`th document the stage at pipeline index `stage` emits from `finish`:
/// after every input document, in stage order.
pub fn finish_key(stage: usize, n: usize) -> u64 {
    (1u64 << 62) + ((stage as u64) << 32) + n as u64
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
    /// Events with their keys (see [`ShardIo`]).
    Batch(Vec<(u64, ReadEvent)>),
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

/// What a failure record needs of a document: its id and its place in the input. The
/// source is kept without its edit list (`failed.jsonl` carries no text for the edits to map),
/// so copying an origin before a stage consumes a document costs two short strings.
struct Origin {
    id: String,
    source: Source,
}

impl Origin {
    /// Of a document a stage is about to consume (it may not come back).
    fn copied(d: &Document) -> Origin {
        let s = &d.source;
        Origin {
            id: d.id.clone(),
            source: Source { path: s.path.clone(), start: s.start, end: s.end, line: s.line, edits: Vec::new() },
        }
    }

    /// Of a document the runner still owns.
    fn taken(d: Document) -> Origin {
        let Document { id, source, .. } = d;
        Origin { id, source: Source { edits: Vec::new(), ..source } }
    }

    fn record(self, stage: &str, error: String) -> FailedRecord {
        FailedRecord { id: self.id, stage: stage.to_owned(), error, source: self.source }
    }
}

/// What one stage call did with one document.
enum DocOutcome {
    /// It went on, as these documents.
    Kept(Emitted),
    /// Dropped for a reason, with the stage's detail if any; the bytes of its text.
    Dropped(Origin, Cow<'static, str>, Option<serde_json::Value>, u64),
    /// Failed (an error, a panic or a broken invariant), with the message.
    Failed(Origin, String),
}

/// Calls a stage on a document it consumes, guarded against panics, and checks what comes
/// back.
fn call(doc: Document, f: impl FnOnce(Document) -> Result<Outcome, crate::stage::StageError>) -> DocOutcome {
    let origin = Origin::copied(&doc);
    let bytes = doc.text.len() as u64;
    match guarded(|| f(doc)).map_err(|e| e.full_message()).and_then(check_outcome) {
        Ok(Checked::Docs(v)) => DocOutcome::Kept(v),
        Ok(Checked::Dropped(r, detail)) => DocOutcome::Dropped(origin, r, detail, bytes),
        Err(message) => DocOutcome::Failed(origin, message),
    }
}

/// A drop record waiting for the sinks after its stage, with the position in the batch of
/// the input document it comes from (its key).
type PendingDrop = (u64, DropRecord);

/// Where [`Delta::count`] puts what it does not count: the documents that go on and their
/// keys (the position in the batch of the document each comes from, so drop records can be
/// put in input order), failures, and drop records when a sink comes later.
struct Lanes<'a> {
    out: &'a mut Vec<Document>,
    keys: &'a mut Vec<u64>,
    failures: &'a mut Vec<(u64, FailedRecord)>,
    drops: Option<&'a mut Vec<PendingDrop>>,
}

impl Delta {
    /// Counts one outcome of the document with key `key`: the documents that go on into
    /// `lanes.out`, a failure into `lanes.failures`, a drop into `lanes.drops` (when some
    /// sink comes later). Under `on_error = "fail"` a failure is returned instead, to stop
    /// the run.
    fn count(
        &mut self,
        outcome: DocOutcome,
        key: u64,
        lanes: &mut Lanes<'_>,
        stage: &str,
        on_error: OnError,
    ) -> Result<(), RunError> {
        match outcome {
            DocOutcome::Kept(v) => {
                self.kept += 1;
                self.docs_out += v.len() as u64;
                lanes.keys.extend(std::iter::repeat_n(key, v.len()));
                v.append_to(lanes.out);
            }
            DocOutcome::Dropped(origin, reason, detail, bytes) => {
                if let Some(drops) = lanes.drops.as_deref_mut() {
                    let Origin { id, source } = origin;
                    let record = DropRecord { stage: stage.to_owned(), reason: reason.to_string(), id, source, detail };
                    drops.push((key, record));
                }
                self.dropped.push((reason, bytes));
            }
            DocOutcome::Failed(origin, message) => {
                self.failed += 1;
                if on_error == OnError::Fail {
                    return Err(RunError::Stage { stage: stage.to_owned(), id: origin.id, message });
                }
                lanes.failures.push((key, origin.record(stage, message)));
            }
        }
        Ok(())
    }
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
    let Pipeline { input, output_dir, write_documents, run: settings, mut stages, outputs, input_pieces, .. } =
        pipeline;

    let cancel_flag = opts.cancel.clone();
    let is_cancelled = move || cancel_flag.as_ref().is_some_and(|c| c.load(Ordering::Relaxed));
    // An I/O error once an interrupt is pending is the interrupt: the output files refuse
    // writes and commits from then on.
    let io_err = |path: &std::path::Path| {
        let path = path.display().to_string();
        let is_cancelled = is_cancelled.clone();
        move |source| {
            if is_cancelled() { RunError::Interrupted } else { RunError::Io { path: path.clone(), source } }
        }
    };
    std::fs::create_dir_all(&output_dir).map_err(io_err(&output_dir))?;
    // A run killed after its commit point is finished first; temporary files of dead
    // processes are removed.
    let recovered = crate::output::recover(&output_dir, &outputs).map_err(io_err(&output_dir))?;
    if recovered.finished_renames > 0 {
        warn!(renames = recovered.finished_renames, "finished the commit of a run that was killed while committing");
    }
    if recovered.removed_temp_files > 0 {
        warn!(files = recovered.removed_temp_files, "removed temporary files left by a killed run");
    }
    // Every output file created on this thread from here on is committed with the run.
    let transaction = Transaction::begin(&output_dir, opts.cancel.clone()).map_err(io_err(&output_dir))?;
    // An error from a stage while an interrupt is pending is the interrupt (a write refused
    // because the run was interrupted), not the stage's fault.
    let stage_error = |stage: &str, id: &str, e: crate::stage::StageError| {
        if is_cancelled() {
            RunError::Interrupted
        } else {
            RunError::Stage { stage: stage.to_owned(), id: id.to_owned(), message: e.full_message() }
        }
    };
    let documents_path = output_dir.join(DOCUMENTS_FILE);
    let failed_path = output_dir.join(FAILED_FILE);
    let mut documents_out = if write_documents {
        Some(AtomicFile::create(&documents_path).map_err(io_err(&documents_path))?)
    } else {
        None
    };
    let mut failed_out = AtomicFile::create(&failed_path).map_err(io_err(&failed_path))?;
    let shard = opts.shard.as_ref();
    let keyed_out = |path: Option<&PathBuf>| -> Result<Option<AtomicFile>, RunError> {
        path.map(|p| AtomicFile::create(p).map_err(io_err(p))).transpose()
    };
    let mut docs_keyed_out = keyed_out(shard.and_then(|s| s.docs_out.as_ref()))?;
    let mut drops_out = keyed_out(shard.map(|s| &s.drops_out))?;
    // Each stage's position in the whole pipeline plus one (0 is the input).
    let stage_pos: Vec<usize> = match shard {
        Some(s) => s.stage_index.iter().map(|i| i + 1).collect(),
        None => (1..=stages.len()).collect(),
    };

    for s in &mut stages {
        if let Stage::Sink(sink) = &mut s.stage {
            guarded(|| sink.begin()).map_err(|e| stage_error(&s.name, "-", e))?;
        }
    }

    let mut stats = RunStats { threads, ..RunStats::default() };
    // Per-stage counters live apart from `stats` while the run borrows both; they are put
    // back into `stats.stages` at the end.
    let mut counters: Vec<StageStats> = stages
        .iter()
        .map(|s| StageStats { name: s.name.clone(), type_name: s.type_name.clone(), ..StageStats::default() })
        .collect();
    let bytes_total: Option<u64> = match &input_pieces {
        None => input.files.iter().map(|f| f.size_hint()).sum(),
        Some(pieces) => Some(pieces.iter().map(|p| p.end.saturating_sub(p.start)).sum()),
    };
    let bytes_read = AtomicU64::new(0);
    // On a shard: what makes its count of input files add up (see `shard_input`).
    let files_adjust = AtomicI64::new(0);
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
        let input_pieces = input_pieces.as_deref();
        let bytes_read = &bytes_read;
        let files_adjust = &files_adjust;
        let cancelled = is_cancelled.clone();
        let cancelled_reader = is_cancelled.clone();
        let docs_in = shard.and_then(|s| s.docs_in.clone());
        scope.spawn(move || {
            let cancelled = cancelled_reader;
            if let Some(path) = docs_in {
                read_keyed_docs(&path, &tx, batch_size, batch_bytes, &cancelled);
                return;
            }
            let mut batch = Vec::new();
            let mut size = 0usize;
            let mut seq = 0u64;
            // Every file whole, or this shard's pieces of them.
            let reads = match shard_input::reads(&input.files, input_pieces) {
                Ok(r) => r,
                Err(e) => {
                    let _ = tx.send(ReaderMsg::Fatal(e));
                    return;
                }
            };
            let mut files_fix = input_pieces.map(|_| FilesCountFix::new(&input.files, input, files_adjust));
            for read in &reads {
                let mut stop = false;
                let r = read.read(
                    input,
                    &mut |ev| {
                        if stop || cancelled() {
                            stop = true;
                            return;
                        }
                        if let Some(fix) = files_fix.as_mut() {
                            fix.observe(&ev, read);
                        }
                        if let ReadEvent::Document(d) = &ev {
                            size += d.text.len();
                        }
                        batch.push((seq, ev));
                        seq += 1;
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

        // A sharded run logs every drop: the sinks that want them may run in a later round.
        let sink_after: Vec<bool> = (0..stages.len())
            .map(|i| shard.is_some() || stages[i + 1..].iter().any(|s| matches!(s.stage, Stage::Sink(_))))
            .collect();
        let mut ctx = RunCtx {
            sink_after,
            stage_pos,
            pending_failures: Vec::new(),
            counts_input: shard.is_none_or(|s| s.docs_in.is_none()),
            docs_keyed_out: docs_keyed_out.as_mut(),
            drops_out: drops_out.as_mut(),
            pending_drops: Vec::new(),
            stages: &mut stages,
            counters: &mut counters,
            failed_out: &mut failed_out,
            failed_count: &mut failed_count,
            documents_out: documents_out.as_mut(),
            written: &mut written,
            pool: &pool,
            input_on_error: settings.on_error,
        };
        consume(&rx, &mut ctx, &mut stats, &mut progress, bytes_read, started, observer, &cancelled)?;
        if cancelled() {
            return Err(RunError::Interrupted);
        }
        // End of input: let ordered stages emit what they held back, in stage order. An error
        // or a panic in `finish` (or `counters`) stops the run whatever `on_error` says: there
        // is no document to skip, and the stage's output or saved state would be incomplete.
        for i in 0..ctx.stages.len() {
            if cancelled() {
                return Err(RunError::Interrupted);
            }
            let BuiltStage { name, on_error, stage: Stage::Ordered(o), .. } = &mut ctx.stages[i] else { continue };
            let held = guarded(|| o.finish()).map_err(|e| stage_error(name, "-", e))?;
            let named = guarded(|| Ok(o.counters())).map_err(|e| stage_error(name, "-", e))?;
            let (name, on_error) = (name.clone(), *on_error);
            ctx.counters[i].counters.extend(named);
            let pipeline_index = ctx.stage_pos[i] - 1;
            let keys: Vec<u64> = (0..held.len()).map(|n| finish_key(pipeline_index, n)).collect();
            let (held, keys) = ctx.check_finished(i, &name, on_error, held, keys)?;
            ctx.run_from(i + 1, held, keys)?;
            ctx.flush_batch_logs()?;
        }
        Ok(())
    });
    result?;

    stats.stages = counters;
    stats.written = written;
    stats.seconds = started.elapsed().as_secs_f64();
    stats.input.bytes = bytes_read.load(Ordering::Relaxed);
    stats.input.files = stats.input.files.saturating_add_signed(files_adjust.load(Ordering::Relaxed));
    stats.peak_rss_bytes = crate::stats::peak_rss_bytes();
    // A round of a sharded job sees a part of the pipeline: `merge` checks the whole.
    if let Some(Err(problems)) = shard.is_none().then(|| stats.check_accounting()) {
        // A bug in the runner or a stage, never the user's: say so loudly, keep the outputs.
        for p in problems {
            warn!(problem = %p, "accounting identity violated");
        }
    }
    for (i, s) in stages.iter_mut().enumerate() {
        if is_cancelled() {
            return Err(RunError::Interrupted);
        }
        if let Stage::Sink(sink) = &mut s.stage {
            let t = Instant::now();
            guarded(|| sink.finish(&stats)).map_err(|e| stage_error(&s.name, "-", e))?;
            // The finish phase of a sink (a report, a Parquet footer) is part of its time.
            stats.stages[i].seconds += t.elapsed().as_secs_f64();
        }
    }
    if let Some(f) = documents_out {
        f.commit().map_err(io_err(&documents_path))?;
    }
    for f in [docs_keyed_out, drops_out].into_iter().flatten() {
        let path = f.target().to_owned();
        f.commit().map_err(io_err(&path))?;
    }
    failed_out.commit().map_err(io_err(&failed_path))?;
    // Measured last, after the sinks' finish phase: the figures cover the whole run.
    stats.seconds = started.elapsed().as_secs_f64();
    stats.peak_rss_bytes = crate::stats::peak_rss_bytes();
    let stats_path = output_dir.join(STATS_FILE);
    let mut json = serde_json::to_vec_pretty(&stats)
        .map_err(|e| RunError::Io { path: stats_path.display().to_string(), source: e.into() })?;
    json.push(b'\n');
    write_atomic(&stats_path, &json).map_err(io_err(&stats_path))?;
    if is_cancelled() {
        return Err(RunError::Interrupted);
    }
    // The commit point: every output of the run is renamed into place together.
    transaction.commit().map_err(io_err(&output_dir))?;
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
        let mut keys = Vec::with_capacity(events.len());
        for (key, ev) in events {
            match ev {
                ReadEvent::Document(d) => {
                    // Documents of an earlier round were counted by the round that read them.
                    if ctx.counts_input {
                        count_file(&d.source.path, &mut last_file, &mut stats.input.files);
                        stats.input.documents += 1;
                    }
                    docs.push(d);
                    keys.push(key);
                }
                ReadEvent::Dropped(r) => {
                    // An empty file is one drop; a WARC archive drops many records.
                    count_file(&r.source.path, &mut last_file, &mut stats.input.files);
                    debug!(id = %r.id, reason = %r.reason, "input dropped");
                    *stats.input.dropped.entry(r.reason).or_default() += 1;
                }
                ReadEvent::Failed(r) => {
                    count_file(&r.source.path, &mut last_file, &mut stats.input.files);
                    // Input failures belong to no stage: `[run] on_error` decides. Under
                    // `fail` the run stops before anything is committed (issue 16).
                    if ctx.input_on_error == OnError::Fail {
                        return Err(RunError::Input(format!(
                            "input failed: {} (`[run] on_error = \"fail\"`)",
                            r.reason
                        )));
                    }
                    warn!(id = %r.id, error = %r.reason, "input failed");
                    stats.input.failed += 1;
                    ctx.record_failure(key, 0, rejected_record(r));
                }
                ReadEvent::Replaced { id, count, first_offset } => {
                    warn!(%id, count, first_offset, "invalid UTF-8 replaced with U+FFFD");
                    stats.input.utf8_replacements += count as u64;
                }
            }
        }
        progress.documents_read = stats.input.documents;
        progress.bytes_done += docs.iter().map(|d| d.source.end.saturating_sub(d.source.start) as u64).sum::<u64>();
        ctx.run_from(0, docs, keys)?;
        ctx.flush_batch_logs()?;
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
    /// Per stage: whether a sink comes after it (then its drops are recorded for the sinks).
    sink_after: Vec<bool>,
    /// Per stage: its position in the whole pipeline plus one (0 is the input).
    stage_pos: Vec<usize>,
    /// Failures of the current batch (key, stage position, record), written in that order
    /// by [`RunCtx::flush_batch_logs`], so `failed.jsonl` never depends on batch boundaries.
    pending_failures: Vec<(u64, usize, FailedRecord)>,
    /// Whether documents read count as input (not when they come from an earlier round).
    counts_input: bool,
    /// A sharded run's output documents ([`KeyedDoc`]), instead of `documents.jsonl`.
    docs_keyed_out: Option<&'a mut AtomicFile>,
    /// A sharded run's drop log ([`KeyedDrop`]), and the batch's drops waiting for it (written
    /// in (key, stage) order, so every round's log is sorted and `merge` streams them). Set
    /// exactly in a sharded run, whose `failed.jsonl` holds [`KeyedFailure`] lines.
    drops_out: Option<&'a mut AtomicFile>,
    pending_drops: Vec<KeyedDrop>,
    stages: &'a mut Vec<BuiltStage>,
    counters: &'a mut Vec<StageStats>,
    failed_out: &'a mut AtomicFile,
    failed_count: &'a mut u64,
    documents_out: Option<&'a mut AtomicFile>,
    written: &'a mut u64,
    pool: &'a rayon::ThreadPool,
    /// `[run] on_error`: what an input failure (a malformed line, an unreadable file) does.
    input_on_error: OnError,
}

impl RunCtx<'_> {
    /// Records a failure of the document with key `key` at stage position `pos` (0: input).
    fn record_failure(&mut self, key: u64, pos: usize, rec: FailedRecord) {
        *self.failed_count += 1;
        self.pending_failures.push((key, pos, rec));
    }

    /// Writes the batch's failures (and, in a sharded run, drops) in (key, stage) order.
    fn flush_batch_logs(&mut self) -> Result<(), RunError> {
        let sharded = self.drops_out.is_some();
        if let Some(out) = self.drops_out.as_deref_mut() {
            let mut drops = std::mem::take(&mut self.pending_drops);
            drops.sort_by_key(|d| (d.k, d.s));
            for d in &drops {
                write_json_line(out, d).map_err(|source| io_error(out, source))?;
            }
        }
        let mut pending = std::mem::take(&mut self.pending_failures);
        pending.sort_by_key(|f| (f.0, f.1));
        for (k, s, rec) in pending {
            let r = if sharded {
                write_json_line(self.failed_out, &KeyedFailure { k, s, rec })
            } else {
                write_json_line(self.failed_out, &rec)
            };
            r.map_err(|source| io_error(self.failed_out, source))?;
        }
        Ok(())
    }

    /// Runs `docs` through stages `from..` and writes what comes out of the last one.
    ///
    /// Documents dropped on the way become [`DropRecord`]s (only when a sink comes after the
    /// stage) that every later sink receives before the batch's documents, ordered by the
    /// input document they come from (its position in `docs`), then by stage: the same
    /// sequence whatever the thread count and batch boundaries. They live for this batch only.
    fn run_from(&mut self, from: usize, mut docs: Vec<Document>, mut keys: Vec<u64>) -> Result<(), RunError> {
        let mut drops: Vec<PendingDrop> = Vec::new();
        let mut i = from;
        while i < self.stages.len() && !(docs.is_empty() && drops.is_empty()) {
            let logged = drops.len();
            (docs, keys) = match &self.stages[i].stage {
                // One parallel pass per stage (not one fused pass per input document): a
                // splitter turns one dump into thousands of articles, and the next stage
                // should spread those over every worker.
                Stage::Map(_) => self.run_map(i, docs, keys, &mut drops)?,
                Stage::Ordered(_) => self.run_ordered(i, docs, keys, &mut drops)?,
                Stage::Sink(_) => {
                    // Records were pushed stage by stage, each stage's in input order: a
                    // stable sort by key puts them in input order, then stage order.
                    drops.sort_by_key(|d| d.0);
                    self.send_drops(i, &drops)?;
                    if !self.sink_after[i] {
                        drops.clear();
                    }
                    self.run_sink(i, docs, keys, &mut drops)?
                }
            };
            if self.drops_out.is_some() {
                let s = self.stage_pos[i];
                for (k, rec) in &drops[logged.min(drops.len())..] {
                    self.pending_drops.push(KeyedDrop { k: *k, s, rec: rec.clone() });
                }
            }
            i += 1;
        }
        if i < self.stages.len() {
            return Ok(());
        }
        if let Some(out) = self.docs_keyed_out.as_deref_mut() {
            for (doc, k) in docs.into_iter().zip(keys) {
                write_json_line(out, &KeyedDoc { k, doc }).map_err(|source| io_error(out, source))?;
            }
            return Ok(());
        }
        if let Some(out) = self.documents_out.as_deref_mut() {
            for d in &docs {
                crate::output::write_document(out, d).map_err(|source| io_error(out, source))?;
            }
            *self.written += docs.len() as u64;
        }
        Ok(())
    }

    /// One parallel pass of map stage `i` over a batch; output in input order.
    fn run_map(
        &mut self,
        i: usize,
        docs: Vec<Document>,
        keys: Vec<u64>,
        drops: &mut Vec<PendingDrop>,
    ) -> Result<(Vec<Document>, Vec<u64>), RunError> {
        let BuiltStage { name, on_error, stage: Stage::Map(stage), .. } = &self.stages[i] else {
            return Ok((docs, keys));
        };
        let span = info_span!("map_stage", stage = %name);
        let _enter = span.enter();
        let stage: &dyn crate::stage::MapStage = stage.as_ref();
        let results: Vec<(DocOutcome, u64)> = self.pool.install(|| {
            docs.into_par_iter()
                .map(|d| {
                    let t = Instant::now();
                    let r = call(d, |d| stage.process(d));
                    (r, t.elapsed().as_nanos() as u64)
                })
                .collect()
        });
        let (name, on_error) = (name.clone(), *on_error);
        let mut delta = Delta { docs_in: results.len() as u64, ..Delta::default() };
        let mut out = Vec::with_capacity(results.len());
        let mut out_keys = Vec::with_capacity(results.len());
        let mut failures = Vec::new();
        let mut lanes = Lanes {
            out: &mut out,
            keys: &mut out_keys,
            failures: &mut failures,
            drops: self.sink_after[i].then_some(drops),
        };
        for ((r, nanos), key) in results.into_iter().zip(keys) {
            delta.nanos += nanos;
            if let Err(fatal) = delta.count(r, key, &mut lanes, &name, on_error) {
                apply_delta(&mut self.counters[i], delta);
                return Err(fatal);
            }
        }
        self.settle(i, delta, failures)?;
        Ok((out, out_keys))
    }

    /// Ordered stage `i` over a batch: `prepare` in parallel, then `process` in input order.
    fn run_ordered(
        &mut self,
        i: usize,
        mut docs: Vec<Document>,
        keys: Vec<u64>,
        drops: &mut Vec<PendingDrop>,
    ) -> Result<(Vec<Document>, Vec<u64>), RunError> {
        let name = self.stages[i].name.clone();
        let on_error = self.stages[i].on_error;
        let span = info_span!("ordered_stage", stage = %name);
        let _enter = span.enter();
        let Stage::Ordered(stage) = &mut self.stages[i].stage else { return Ok((docs, keys)) };
        let t = Instant::now();
        let prepared: Vec<Result<crate::stage::PreparedBox, crate::stage::StageError>> = {
            let shared: &dyn crate::stage::DynOrderedStage = stage.as_ref();
            self.pool.install(|| docs.par_iter_mut().map(|d| guarded(|| shared.prepare(d))).collect())
        };
        let mut out = Vec::with_capacity(docs.len());
        let mut out_keys = Vec::with_capacity(docs.len());
        let mut delta = Delta { docs_in: docs.len() as u64, ..Delta::default() };
        let mut failures = Vec::new();
        let mut lanes = Lanes {
            out: &mut out,
            keys: &mut out_keys,
            failures: &mut failures,
            drops: self.sink_after[i].then_some(drops),
        };
        for ((d, prep), key) in docs.into_iter().zip(prepared).zip(keys) {
            let r = match prep {
                Ok(p) => call(d, |d| stage.process(d, p)),
                // `prepare` failed: the document is still here, its origin is moved out.
                Err(e) => DocOutcome::Failed(Origin::taken(d), e.full_message()),
            };
            if let Err(fatal) = delta.count(r, key, &mut lanes, &name, on_error) {
                apply_delta(&mut self.counters[i], delta);
                return Err(fatal);
            }
        }
        delta.nanos = t.elapsed().as_nanos() as u64;
        self.settle(i, delta, failures)?;
        Ok((out, out_keys))
    }

    /// Ends a batch of stage `i`: adds its counts to the stage's and records its failures.
    fn settle(&mut self, i: usize, delta: Delta, failures: Vec<(u64, FailedRecord)>) -> Result<(), RunError> {
        apply_delta(&mut self.counters[i], delta);
        for (k, f) in failures {
            self.record_failure(k, self.stage_pos[i], f);
        }
        Ok(())
    }

    /// Checks the documents ordered stage `i` emitted from `finish`, as every stage output is
    /// checked: one that breaks a document invariant follows the stage's `on_error` (recorded
    /// in `failed.jsonl` and counted in `failed` and `finish_failed`, or stopping the run).
    /// Returns the documents that go on.
    fn check_finished(
        &mut self,
        i: usize,
        name: &str,
        on_error: OnError,
        docs: Vec<Document>,
        keys: Vec<u64>,
    ) -> Result<(Vec<Document>, Vec<u64>), RunError> {
        let mut out = Vec::with_capacity(docs.len());
        let mut out_keys = Vec::with_capacity(docs.len());
        let mut failures = Vec::new();
        for (d, k) in docs.into_iter().zip(keys) {
            match d.check_invariants() {
                Ok(()) => {
                    out.push(d);
                    out_keys.push(k);
                }
                Err(e) => {
                    let message = format!("stage broke a document invariant: {e}");
                    self.counters[i].failed += 1;
                    self.counters[i].finish_failed += 1;
                    if on_error == OnError::Fail {
                        return Err(RunError::Stage { stage: name.to_owned(), id: d.id, message });
                    }
                    failures.push((k, Origin::taken(d).record(name, message)));
                }
            }
        }
        self.counters[i].docs_out += out.len() as u64;
        for (k, f) in failures {
            self.record_failure(k, self.stage_pos[i], f);
        }
        Ok((out, out_keys))
    }

    /// Writes documents to a sink. A document the sink cannot write (an error or a panic)
    /// follows the stage's `on_error` like any stage failure: under `skip` it goes to
    /// `failed.jsonl` and does not pass on (the sink must leave itself usable after refusing
    /// one document); under `fail` the run stops.
    fn run_sink(
        &mut self,
        i: usize,
        docs: Vec<Document>,
        keys: Vec<u64>,
        drops: &mut Vec<PendingDrop>,
    ) -> Result<(Vec<Document>, Vec<u64>), RunError> {
        let name = self.stages[i].name.clone();
        let on_error = self.stages[i].on_error;
        let Stage::Sink(sink) = &mut self.stages[i].stage else { return Ok((docs, keys)) };
        let t = Instant::now();
        let mut delta = Delta { docs_in: docs.len() as u64, ..Delta::default() };
        let mut out = Vec::with_capacity(docs.len());
        let mut out_keys = Vec::with_capacity(docs.len());
        let mut failures = Vec::new();
        // A sink drops nothing; the lane is there for the signature's sake.
        let mut lanes = Lanes {
            out: &mut out,
            keys: &mut out_keys,
            failures: &mut failures,
            drops: self.sink_after[i].then_some(drops),
        };
        for (d, key) in docs.into_iter().zip(keys) {
            let r = match guarded(|| sink.write(&d)) {
                Ok(()) => DocOutcome::Kept(Emitted::One(d)),
                Err(e) => DocOutcome::Failed(Origin::taken(d), e.full_message()),
            };
            if let Err(fatal) = delta.count(r, key, &mut lanes, &name, on_error) {
                apply_delta(&mut self.counters[i], delta);
                return Err(fatal);
            }
        }
        delta.nanos = t.elapsed().as_nanos() as u64;
        self.settle(i, delta, failures)?;
        Ok((out, out_keys))
    }

    /// Passes drop records to sink `i` (a batch's, before its documents), each call guarded.
    /// An error or a panic follows the sink's `on_error`: under `skip` it is logged and the
    /// run goes on (the document was dropped and stays counted so; there is nothing to put
    /// in `failed.jsonl`), under `fail` the run stops.
    fn send_drops(&mut self, i: usize, drops: &[PendingDrop]) -> Result<(), RunError> {
        if drops.is_empty() {
            return Ok(());
        }
        let BuiltStage { name, on_error, stage: Stage::Sink(sink), .. } = &mut self.stages[i] else { return Ok(()) };
        let t = Instant::now();
        for (_, rec) in drops {
            if let Err(e) = guarded(|| sink.dropped(rec)) {
                let message = e.full_message();
                if *on_error == OnError::Fail {
                    self.counters[i].seconds += t.elapsed().as_secs_f64();
                    return Err(RunError::Stage { stage: name.clone(), id: rec.id.clone(), message });
                }
                warn!(stage = %name, id = %rec.id, error = %message, "the sink could not take a dropped document");
            }
        }
        self.counters[i].seconds += t.elapsed().as_secs_f64();
        Ok(())
    }
}

/// Counts an input file when `path` differs from the last one seen (events of one file
/// arrive together, in input order).
pub(crate) fn count_file(path: &str, last: &mut String, files: &mut u64) {
    if path != last {
        *files += 1;
        last.clear();
        last.push_str(path);
    }
}

/// An I/O error writing `out`; one refused because the run was interrupted is the interrupt.
fn io_error(out: &AtomicFile, source: std::io::Error) -> RunError {
    if out.cancelled() {
        RunError::Interrupted
    } else {
        RunError::Io { path: out.target().display().to_string(), source }
    }
}

/// The reader of a later round of a sharded job: [`KeyedDoc`] lines, in batches.
fn read_keyed_docs(
    path: &std::path::Path,
    tx: &std::sync::mpsc::SyncSender<ReaderMsg>,
    batch_size: usize,
    batch_bytes: usize,
    cancelled: &dyn Fn() -> bool,
) {
    use std::io::BufRead;
    let fatal = |msg: String| {
        let _ = tx.send(ReaderMsg::Fatal(msg));
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return fatal(format!("{}: cannot open: {e}", path.display())),
    };
    let mut batch = Vec::new();
    let mut size = 0usize;
    for (n, line) in std::io::BufReader::with_capacity(1 << 16, file).lines().enumerate() {
        if cancelled() {
            return;
        }
        let line = match line {
            Ok(l) => l,
            Err(e) => return fatal(format!("{}:{}: {e}", path.display(), n + 1)),
        };
        let KeyedDoc { k, doc } = match serde_json::from_str(&line) {
            Ok(d) => d,
            Err(e) => return fatal(format!("{}:{}: not a document of an earlier round: {e}", path.display(), n + 1)),
        };
        size += doc.text.len();
        batch.push((k, ReadEvent::Document(doc)));
        if batch.len() >= batch_size || size >= batch_bytes {
            size = 0;
            if tx.send(ReaderMsg::Batch(std::mem::take(&mut batch))).is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(ReaderMsg::Batch(batch));
    }
}

/// Runs a stage call, turning a panic into a per-document error: a bug that one odd document
/// triggers in a plugin fails that document (recorded in `failed.jsonl`, or stopping the run
/// under `on_error = "fail"`) instead of aborting a long run.
pub(crate) fn guarded<T>(
    f: impl FnOnce() -> Result<T, crate::stage::StageError>,
) -> Result<T, crate::stage::StageError> {
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

/// The documents one stage call let through: one (the common case, kept without a vector)
/// or several.
// Unboxed on purpose, like `Outcome::Keep`: boxing would cost an allocation per document.
#[allow(clippy::large_enum_variant)]
enum Emitted {
    One(Document),
    Many(Vec<Document>),
}

impl Emitted {
    fn len(&self) -> usize {
        match self {
            Emitted::One(_) => 1,
            Emitted::Many(v) => v.len(),
        }
    }

    fn append_to(self, out: &mut Vec<Document>) {
        match self {
            Emitted::One(d) => out.push(d),
            Emitted::Many(v) => out.extend(v),
        }
    }
}

#[allow(clippy::large_enum_variant)] // see `Emitted`
enum Checked {
    Docs(Emitted),
    Dropped(Cow<'static, str>, Option<serde_json::Value>),
}

fn check_outcome(o: Outcome) -> Result<Checked, String> {
    let invariants = |d: &Document| d.check_invariants().map_err(|e| format!("stage broke a document invariant: {e}"));
    match o {
        Outcome::Keep(d) => {
            invariants(&d)?;
            Ok(Checked::Docs(Emitted::One(d)))
        }
        Outcome::Split(v) if v.is_empty() => Ok(Checked::Dropped("no output".into(), None)),
        Outcome::Split(v) => {
            for d in &v {
                invariants(d)?;
            }
            Ok(Checked::Docs(Emitted::Many(v)))
        }
        Outcome::Drop(r) => Ok(Checked::Dropped(r, None)),
        Outcome::DropWith { reason, detail } => Ok(Checked::Dropped(reason, Some(detail))),
    }
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

    /// Keeps the first document with a given text, emits a count at the end. `prepare`
    /// hands the text's length to `process`, which checks it arrived with its own document.
    #[derive(Default)]
    struct Seen(std::collections::BTreeSet<String>, u64);
    impl OrderedStage for Seen {
        type Prepared = usize;
        fn prepare(&self, doc: &mut Document) -> Result<usize, StageError> {
            if doc.text.contains("unprepared") {
                return Err(StageError::new("cannot prepare"));
            }
            Ok(doc.text.len())
        }
        fn process(&mut self, doc: Document, len: usize) -> Result<Outcome, StageError> {
            assert_eq!(len, doc.text.len(), "a prepared value reached another document");
            self.1 += 1;
            if self.0.insert(doc.text.clone()) {
                Ok(Outcome::Keep(doc))
            } else {
                Ok(Outcome::drop_with("repeat", serde_json::json!({ "text": doc.text })))
            }
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
            outputs: Vec::new(),
            input_pieces: None,
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

    /// What a [`Recorder`] sink received: drop records and document ids, apart (how the two
    /// interleave depends on batch boundaries).
    #[derive(Default, Debug, PartialEq)]
    struct Received {
        drops: Vec<String>,
        docs: Vec<String>,
    }

    /// A sink that records what it receives.
    struct Recorder(std::sync::Arc<std::sync::Mutex<Received>>);
    impl crate::stage::Sink for Recorder {
        fn write(&mut self, doc: &Document) -> Result<(), StageError> {
            self.0.lock().unwrap().docs.push(doc.id.clone());
            Ok(())
        }
        fn dropped(&mut self, r: &DropRecord) -> Result<(), StageError> {
            let detail = r.detail.as_ref().map_or(String::new(), |d| format!(" {d}"));
            let line = format!(
                "{} {} {} {}@{}-{}{detail}",
                r.stage, r.reason, r.id, r.source.path, r.source.start, r.source.end
            );
            self.0.lock().unwrap().drops.push(line);
            Ok(())
        }
    }

    #[test]
    fn drop_records_reach_later_sinks_in_input_order() {
        let mut seen_by: Vec<[Received; 3]> = Vec::new();
        let mut repeats = 0;
        for (threads, batch) in [(1, 1000), (4, 1000), (4, 1), (1, 3), (4, 7)] {
            let dir = tempfile::tempdir().unwrap();
            let mut p = pipeline(files(23), dir.path(), OnError::Skip, batch);
            let logs: [std::sync::Arc<std::sync::Mutex<Received>>; 3] = Default::default();
            let sink = |name: &str, k: usize| BuiltStage {
                name: name.into(),
                type_name: "recorder".into(),
                on_error: OnError::Skip,
                stage: Stage::sink(Recorder(logs[k].clone())),
            };
            // before, toy, middle, seen, after
            p.stages.insert(0, sink("before", 0));
            p.stages.insert(2, sink("middle", 1));
            p.stages.push(sink("after", 2));
            let out = run(p, &RunOptions { threads, ..RunOptions::default() }, &Silent).unwrap();
            out.stats.check_accounting().unwrap();
            repeats = out.stats.stages[3].dropped["repeat"];
            let got = logs.map(|l| std::mem::take(&mut *l.lock().unwrap()));
            seen_by.push(got);
        }
        let [before, middle, after] = &seen_by[0];
        assert!(before.drops.is_empty(), "a sink before every drop received some: {before:?}");
        assert_eq!(before.docs.len(), 23);
        // The toy stage drops every `please drop me` (f1, f6, …); seen drops repeated texts.
        assert_eq!(middle.drops.len(), 5);
        assert_eq!(middle.drops[0], "toy toy drop f1.txt@0 f1.txt@0-14");
        assert!(middle.drops.iter().all(|d| d.starts_with("toy ")), "{middle:?}");
        assert_eq!(
            &after.drops[..2],
            ["toy toy drop f1.txt@0 f1.txt@0-14", "seen repeat f2.txt@0/0 f2.txt@0-1 {\"text\":\"b\"}"]
        );
        assert_eq!(after.drops.iter().filter(|d| d.starts_with("toy ")).count(), 5);
        assert_eq!(after.drops.iter().filter(|d| d.starts_with("seen repeat ")).count() as u64, repeats);
        assert_eq!(after.drops.len() as u64, 5 + repeats);
        for other in &seen_by[1..] {
            assert_eq!(other, &seen_by[0], "what sinks receive depends on threads or batch size");
        }
    }

    /// A sink that panics on every drop record.
    struct DropPanics;
    impl crate::stage::Sink for DropPanics {
        fn write(&mut self, _: &Document) -> Result<(), StageError> {
            Ok(())
        }
        fn dropped(&mut self, _: &DropRecord) -> Result<(), StageError> {
            panic!("dropped blew up")
        }
    }

    #[test]
    fn a_sink_that_panics_on_a_drop_record_follows_on_error() {
        for on_error in [OnError::Skip, OnError::Fail] {
            let dir = tempfile::tempdir().unwrap();
            let mut p = pipeline(files(5), dir.path(), OnError::Skip, 1000);
            p.stages.push(BuiltStage {
                name: "panicky".into(),
                type_name: "panicky".into(),
                on_error,
                stage: Stage::sink(DropPanics),
            });
            let r = run(p, &RunOptions::default(), &Silent);
            match on_error {
                OnError::Skip => {
                    let out = r.unwrap();
                    out.stats.check_accounting().unwrap();
                    assert_eq!(out.stats.stages[0].dropped["toy drop"], 1);
                }
                OnError::Fail => assert_eq!(
                    r.unwrap_err().to_string(),
                    "stage `panicky` failed on document `f1.txt@0`: stage panicked (a bug in the stage): dropped blew up"
                ),
            }
        }
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

    // Issue 16: a malformed input line exited 0 under `[run] on_error = "fail"`.
    #[test]
    fn input_failures_follow_run_on_error() {
        let bad = || {
            vec![InputFile::Memory {
                name: "part.jsonl".into(),
                bytes: b"{\"text\":\"a|b\"}\n{not json\n{\"text\":\"e\"}\n",
            }]
        };
        let dir = tempfile::tempdir().unwrap();
        let out = run(pipeline(bad(), dir.path(), OnError::Skip, 1000), &RunOptions::default(), &Silent).unwrap();
        assert_eq!((out.stats.input.failed, out.failed), (1, 1));
        let failed = std::fs::read_to_string(dir.path().join(FAILED_FILE)).unwrap();
        assert!(failed.contains("part.jsonl:2: malformed JSON"), "{failed}");

        let dir = tempfile::tempdir().unwrap();
        let mut p = pipeline(bad(), dir.path(), OnError::Skip, 1000);
        p.run.on_error = OnError::Fail;
        let err = run(p, &RunOptions::default(), &Silent).unwrap_err();
        assert!(matches!(err, RunError::Input(_)), "{err:?}");
        assert!(err.to_string().contains("part.jsonl:2: malformed JSON"), "{err}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(leftovers.is_empty(), "a failed run left files: {leftovers:?}");
    }

    /// Writes an index file in `finish` (like dedupe), optionally raising the cancel flag
    /// there (a Ctrl-C arriving during the finish phase).
    struct IndexWriter {
        path: PathBuf,
        cancel_in_finish: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    }
    impl OrderedStage for IndexWriter {
        type Prepared = ();
        fn prepare(&self, _: &mut Document) -> Result<(), StageError> {
            Ok(())
        }
        fn process(&mut self, doc: Document, (): ()) -> Result<Outcome, StageError> {
            Ok(Outcome::Keep(doc))
        }
        fn finish(&mut self) -> Result<Vec<Document>, StageError> {
            crate::output::write_atomic(&self.path, b"new index")?;
            if let Some(c) = &self.cancel_in_finish {
                c.store(true, Ordering::SeqCst);
            }
            Ok(Vec::new())
        }
    }

    /// A sink that refuses documents containing `bad` and can fail in `finish` (a full disk).
    struct PickySink {
        path: PathBuf,
        file: Option<AtomicFile>,
        fail_finish: bool,
    }
    impl crate::stage::Sink for PickySink {
        fn begin(&mut self) -> Result<(), StageError> {
            self.file = Some(AtomicFile::create(&self.path)?);
            Ok(())
        }
        fn write(&mut self, doc: &Document) -> Result<(), StageError> {
            if doc.text.contains("bad") {
                return Err(StageError::new("cannot encode this document"));
            }
            let f = self.file.as_mut().ok_or_else(|| StageError::new("not begun"))?;
            crate::output::write_document(f, doc)?;
            Ok(())
        }
        fn finish(&mut self, _: &RunStats) -> Result<(), StageError> {
            if self.fail_finish {
                return Err(StageError::new("No space left on device"));
            }
            self.file.take().ok_or_else(|| StageError::new("not begun"))?.commit()?;
            Ok(())
        }
    }

    fn stateful_pipeline(dir: &std::path::Path, on_error: OnError, fail_finish: bool) -> Pipeline {
        let files = vec![
            InputFile::Memory { name: "a.txt".into(), bytes: b"good one" },
            InputFile::Memory { name: "b.txt".into(), bytes: b"a bad one" },
            InputFile::Memory { name: "c.txt".into(), bytes: b"good two" },
        ];
        let mut p = pipeline(files, dir, on_error, 1000);
        p.stages = vec![
            BuiltStage {
                name: "index".into(),
                type_name: "index".into(),
                on_error,
                stage: Stage::Ordered(Box::new(IndexWriter { path: dir.join("index.bin"), cancel_in_finish: None })),
            },
            BuiltStage {
                name: "picky".into(),
                type_name: "picky".into(),
                on_error,
                stage: Stage::Sink(Box::new(PickySink { path: dir.join("export.jsonl"), file: None, fail_finish })),
            },
        ];
        p
    }

    fn listing(dir: &std::path::Path) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap_or_default())
            })
            .collect();
        v.sort();
        v
    }

    fn previous_outputs(dir: &std::path::Path) -> Vec<(String, String)> {
        for f in [DOCUMENTS_FILE, FAILED_FILE, STATS_FILE, "index.bin", "export.jsonl"] {
            std::fs::write(dir.join(f), format!("previous {f}")).unwrap();
        }
        listing(dir)
    }

    #[test]
    fn a_run_that_fails_in_its_finish_phase_commits_nothing() {
        // Issue 14.1: a stage's index was committed although a later sink failed, and the
        // next run then treated every paragraph as a duplicate.
        let dir = tempfile::tempdir().unwrap();
        let before = previous_outputs(dir.path());
        let err = run(stateful_pipeline(dir.path(), OnError::Skip, true), &RunOptions::default(), &Silent).unwrap_err();
        assert!(err.to_string().contains("No space left on device"), "{err}");
        assert_eq!(listing(dir.path()), before, "a failed run replaced outputs or left temporary files");
    }

    #[test]
    fn a_run_commits_every_output_together() {
        let dir = tempfile::tempdir().unwrap();
        previous_outputs(dir.path());
        run(stateful_pipeline(dir.path(), OnError::Skip, false), &RunOptions::default(), &Silent).unwrap();
        let after = listing(dir.path());
        let names: Vec<&str> = after.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["documents.jsonl", "export.jsonl", "failed.jsonl", "index.bin", "stats.json"]);
        assert!(after.iter().all(|(_, text)| !text.starts_with("previous")), "{after:?}");
    }

    #[test]
    fn a_sink_error_follows_on_error() {
        // Issue 14.6: one record the sink cannot write stopped the whole run.
        let dir = tempfile::tempdir().unwrap();
        let out = run(stateful_pipeline(dir.path(), OnError::Skip, false), &RunOptions::default(), &Silent).unwrap();
        out.stats.check_accounting().unwrap();
        assert_eq!(out.stats.stages[1].failed, 1);
        assert_eq!(out.stats.written, 2);
        let failed = std::fs::read_to_string(dir.path().join(FAILED_FILE)).unwrap();
        assert!(failed.contains("\"stage\":\"picky\"") && failed.contains("cannot encode"), "{failed}");
        let export = std::fs::read_to_string(dir.path().join("export.jsonl")).unwrap();
        assert_eq!(export.lines().count(), 2);

        let dir = tempfile::tempdir().unwrap();
        let err =
            run(stateful_pipeline(dir.path(), OnError::Fail, false), &RunOptions::default(), &Silent).unwrap_err();
        assert!(err.to_string().contains("stage `picky` failed on document `b.txt@0`"), "{err}");
        assert_eq!(listing(dir.path()), [], "nothing committed, no temporary files");
    }

    #[test]
    fn an_interrupt_during_the_finish_phase_commits_nothing() {
        // Issue 14.2: Ctrl-C during the finish phase was ignored and everything committed.
        let dir = tempfile::tempdir().unwrap();
        let before = previous_outputs(dir.path());
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut p = stateful_pipeline(dir.path(), OnError::Skip, false);
        p.stages[0].stage = Stage::Ordered(Box::new(IndexWriter {
            path: dir.path().join("index.bin"),
            cancel_in_finish: Some(cancel.clone()),
        }));
        let err = run(p, &RunOptions { cancel: Some(cancel), ..RunOptions::default() }, &Silent).unwrap_err();
        assert!(matches!(err, RunError::Interrupted), "{err}");
        assert_eq!(listing(dir.path()), before);
    }

    /// A map stage that raises the interrupt flag while it processes a batch, as Ctrl-C
    /// arriving between a batch's stages and its write does.
    struct InterruptWhileMapping(std::sync::Arc<std::sync::atomic::AtomicBool>);
    impl MapStage for InterruptWhileMapping {
        fn process(&self, doc: Document) -> Result<Outcome, StageError> {
            self.0.store(true, Ordering::Relaxed);
            Ok(Outcome::Keep(doc))
        }
    }

    #[test]
    fn a_write_refused_by_an_interrupt_is_the_interrupt_not_an_io_error() {
        // CI on fea7b25: Ctrl-C landing between a batch's stages and its write to
        // documents.jsonl exited 1 with "documents.jsonl: the run was interrupted".
        let dir = tempfile::tempdir().unwrap();
        let before = previous_outputs(dir.path());
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let files = vec![InputFile::Memory { name: "a.txt".into(), bytes: b"one" }];
        let mut p = pipeline(files, dir.path(), OnError::Skip, 1000);
        p.stages = vec![BuiltStage {
            name: "interrupt".into(),
            type_name: "interrupt".into(),
            on_error: OnError::Skip,
            stage: Stage::Map(Box::new(InterruptWhileMapping(cancel.clone()))),
        }];
        let err = run(p, &RunOptions { cancel: Some(cancel), ..RunOptions::default() }, &Silent).unwrap_err();
        assert!(matches!(err, RunError::Interrupted), "{err}");
        assert_eq!(listing(dir.path()), before);
    }

    /// Replaces `will` with `shall`: documents leave it with an edit list.
    struct Reword;
    impl MapStage for Reword {
        fn process(&self, mut doc: Document) -> Result<Outcome, StageError> {
            let (text, edits) = {
                let mut rw = crate::align::Rewriter::new(&doc.text);
                for (i, _) in doc.text.match_indices("will") {
                    rw.replace(i, i + 4, "shall");
                }
                rw.finish()
            };
            doc.apply_rewrite(text, edits);
            Ok(Outcome::Keep(doc))
        }
    }

    #[test]
    fn failure_records_locate_the_document_without_its_edits() {
        // A map stage and an ordered stage's `prepare` fail on documents that carry edits; the
        // records name the document, the stage and its place in the input, not the edits
        // (failed.jsonl has no text for them to map).
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            InputFile::Memory { name: "a.txt".into(), bytes: b"this will fail" },
            InputFile::Memory { name: "b.txt".into(), bytes: b"unprepared will" },
            InputFile::Memory { name: "c.txt".into(), bytes: b"fine" },
        ];
        let mut p = pipeline(files, dir.path(), OnError::Skip, 1000);
        p.stages.insert(
            0,
            BuiltStage {
                name: "reword".into(),
                type_name: "reword".into(),
                on_error: OnError::Skip,
                stage: Stage::map(Reword),
            },
        );
        let out = run(p, &RunOptions::default(), &Silent).unwrap();
        out.stats.check_accounting().unwrap();
        let failed: Vec<FailedRecord> = std::fs::read_to_string(dir.path().join(FAILED_FILE))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let located = |id: &str, stage: &str, error: &str, path: &str, end: usize| FailedRecord {
            id: id.into(),
            stage: stage.into(),
            error: error.into(),
            source: Source { path: path.into(), start: 0, end, line: None, edits: Vec::new() },
        };
        assert_eq!(
            failed,
            [
                located("a.txt@0", "toy", "toy failure", "a.txt", 14),
                located("b.txt@0/0", "seen", "cannot prepare", "b.txt", 15),
            ]
        );
    }

    /// An ordered stage whose `finish` misbehaves: it panics, or it emits a document that
    /// breaks an invariant (a span past the end of its text) between two good ones.
    struct BadFinish {
        panic: bool,
    }
    impl OrderedStage for BadFinish {
        type Prepared = ();
        fn prepare(&self, _: &mut Document) -> Result<(), StageError> {
            Ok(())
        }
        fn process(&mut self, doc: Document, (): ()) -> Result<Outcome, StageError> {
            Ok(Outcome::Keep(doc))
        }
        fn finish(&mut self) -> Result<Vec<Document>, StageError> {
            assert!(!self.panic, "finish blew up");
            let mut bad = Document::from_source("held/bad", "short".into(), "-", 0);
            bad.annotations.insert("x".into(), vec![crate::document::Span::new(2, 99)]);
            Ok(vec![
                Document::from_source("held/1", "one".into(), "-", 0),
                bad,
                Document::from_source("held/2", "two".into(), "-", 0),
            ])
        }
    }

    fn finishing_pipeline(dir: &std::path::Path, on_error: OnError, panic: bool) -> Pipeline {
        let files = vec![
            InputFile::Memory { name: "a.txt".into(), bytes: b"x|y" },
            InputFile::Memory { name: "b.txt".into(), bytes: b"z" },
        ];
        let mut p = pipeline(files, dir, on_error, 1000);
        p.stages[1] = BuiltStage {
            name: "held".into(),
            type_name: "held".into(),
            on_error,
            stage: Stage::ordered(BadFinish { panic }),
        };
        p
    }

    #[test]
    fn documents_from_finish_are_checked_like_any_stage_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = run(finishing_pipeline(dir.path(), OnError::Skip, false), &RunOptions::default(), &Silent).unwrap();
        out.stats.check_accounting().unwrap();
        let held = &out.stats.stages[1];
        assert_eq!((held.docs_in, held.kept, held.failed, held.finish_failed, held.docs_out), (3, 3, 1, 1, 5));
        assert_eq!(out.stats.written, 5);
        let docs = std::fs::read_to_string(dir.path().join(DOCUMENTS_FILE)).unwrap();
        let ids: Vec<String> = docs.lines().map(|l| serde_json::from_str::<Document>(l).unwrap().id).collect();
        assert_eq!(ids, ["a.txt@0/0", "a.txt@0/1", "b.txt@0/0", "held/1", "held/2"]);
        let failed = std::fs::read_to_string(dir.path().join(FAILED_FILE)).unwrap();
        let rec: FailedRecord = serde_json::from_str(failed.trim()).unwrap();
        assert_eq!((rec.id.as_str(), rec.stage.as_str()), ("held/bad", "held"));
        assert!(rec.error.starts_with("stage broke a document invariant:"), "{}", rec.error);

        let dir = tempfile::tempdir().unwrap();
        let err =
            run(finishing_pipeline(dir.path(), OnError::Fail, false), &RunOptions::default(), &Silent).unwrap_err();
        assert!(err.to_string().starts_with("stage `held` failed on document `held/bad`: stage broke"), "{err}");
        assert_eq!(listing(dir.path()), [], "nothing committed, no temporary files");
    }

    #[test]
    fn a_panicking_finish_stops_the_run_and_commits_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let before = previous_outputs(dir.path());
        let err =
            run(finishing_pipeline(dir.path(), OnError::Skip, true), &RunOptions::default(), &Silent).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stage `held` failed on document `-`: stage panicked (a bug in the stage): finish blew up"
        );
        assert_eq!(listing(dir.path()), before);
    }

    /// [`PickySink`] that panics in one of its methods (for `write`: on documents containing
    /// `bad`).
    struct PanickySink {
        inner: PickySink,
        panic_in: &'static str,
    }
    impl crate::stage::Sink for PanickySink {
        fn begin(&mut self) -> Result<(), StageError> {
            assert!(self.panic_in != "begin", "begin blew up");
            self.inner.begin()
        }
        fn write(&mut self, doc: &Document) -> Result<(), StageError> {
            assert!(!(self.panic_in == "write" && doc.text.contains("bad")), "write blew up");
            self.inner.write(doc)
        }
        fn finish(&mut self, stats: &RunStats) -> Result<(), StageError> {
            assert!(self.panic_in != "finish", "finish blew up");
            self.inner.finish(stats)
        }
    }

    fn panicky_pipeline(dir: &std::path::Path, on_error: OnError, panic_in: &'static str) -> Pipeline {
        let mut p = stateful_pipeline(dir, on_error, false);
        let inner = PickySink { path: dir.join("export.jsonl"), file: None, fail_finish: false };
        p.stages[1].stage = Stage::sink(PanickySink { inner, panic_in });
        p
    }

    #[test]
    fn a_sink_that_panics_on_a_document_follows_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let out = run(panicky_pipeline(dir.path(), OnError::Skip, "write"), &RunOptions::default(), &Silent).unwrap();
        out.stats.check_accounting().unwrap();
        assert_eq!((out.stats.stages[1].failed, out.stats.written), (1, 2));
        let failed = std::fs::read_to_string(dir.path().join(FAILED_FILE)).unwrap();
        let rec: FailedRecord = serde_json::from_str(failed.trim()).unwrap();
        assert_eq!((rec.id.as_str(), rec.stage.as_str()), ("b.txt@0", "picky"));
        assert_eq!(rec.error, "stage panicked (a bug in the stage): write blew up");
        assert_eq!(std::fs::read_to_string(dir.path().join("export.jsonl")).unwrap().lines().count(), 2);

        let dir = tempfile::tempdir().unwrap();
        let err =
            run(panicky_pipeline(dir.path(), OnError::Fail, "write"), &RunOptions::default(), &Silent).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stage `picky` failed on document `b.txt@0`: stage panicked (a bug in the stage): write blew up"
        );
        assert_eq!(listing(dir.path()), []);
    }

    #[test]
    fn a_sink_that_panics_in_begin_or_finish_stops_the_run_and_commits_nothing() {
        for (panic_in, on_error) in [("begin", OnError::Skip), ("begin", OnError::Fail), ("finish", OnError::Skip)] {
            let dir = tempfile::tempdir().unwrap();
            let before = previous_outputs(dir.path());
            let err =
                run(panicky_pipeline(dir.path(), on_error, panic_in), &RunOptions::default(), &Silent).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "stage `picky` failed on document `-`: stage panicked (a bug in the stage): {panic_in} blew up"
                )
            );
            assert_eq!(listing(dir.path()), before, "{panic_in}");
        }
    }
}
