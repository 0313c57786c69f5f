//! Sharded execution: one pipeline run as many tasks (on Spark, Ray or one machine) whose
//! merged output is byte for byte what a single `docpipe run` writes (issue 16).
//!
//! A pipeline with G ordered ("global") stages runs in G + 1 *rounds* over N *shards*
//! (contiguous parts of the sorted input), with a *resolve* between rounds:
//!
//! - `plan` ([`plan`]): assigns the input to shards by bytes, fingerprints the job and writes
//!   `WORK/plan.json`; refuses a pipeline whose ordered stage has no sharding hooks;
//! - round *r*, shard *k* ([`run_map`]): applies the decisions of global stage *r−1* (round
//!   *r* > 0), runs the map stages and sinks up to global stage *r*, and ends with that
//!   stage's `prepare` and `key` ([`crate::sharding::ShardedStage`]); writes its documents, keys,
//!   failures, drops and stats under `WORK/round-r/shard-k/` and a `_SUCCESS` marker last;
//! - resolve *r* ([`resolve`]): one process reads the keys of every shard in shard order
//!   and makes the stage's decisions with the stage's own code, then runs its `finish`
//!   (indexes, reports; emitted documents join the last shard's next round);
//! - round G writes the outputs; `merge` ([`merge`]) builds the output folder: parts
//!   concatenated in shard order, failures and drops put back in (input, stage) order,
//!   counters summed, and the sinks that need the whole run ([`ShardMerge::Replay`]) run
//!   once over what the shards kept for them.
//!
//! Every task is idempotent: a valid marker for the same fingerprint means the task is done
//! and is skipped, so a failed job reruns only what is missing and gets the same bytes; each
//! task commits its files atomically (one [`crate::output::Transaction`]) before its marker.

pub mod adapters;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{self, BuiltStage, OnError, Overrides, Pipeline};
use crate::document::Document;
use crate::input::{InputFile, InputFormat};
use crate::output::{AtomicFile, Transaction, write_atomic, write_document, write_json_line};
use crate::runner::{self, FailedRecord, KeyedDrop, KeyedFailure, RunError, RunOptions, ShardIo, guarded};
use crate::stage::{ShardMerge, Stage};
use crate::stats::{RunStats, StageStats};
use adapters::{ApplyAdapter, DecisionLine, FeedAdapter, KeyAdapter, KeyLine};

/// The plan's file in the work folder.
pub const PLAN_FILE: &str = "plan.json";
/// The marker a finished task leaves in its folder, written last.
pub const MARKER: &str = "_SUCCESS";
/// A round's output documents (for the next round).
const DOCS_FILE: &str = "docs.jsonl";
/// A round's key lines (for the resolve).
const KEYS_FILE: &str = "keys.jsonl";
/// A round's drop log.
const DROPS_FILE: &str = "drops.jsonl";
/// The documents a global stage emitted from `finish`, in the resolve's folder.
const TAIL_FILE: &str = "tail.jsonl";

/// Why a sharded task failed.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// The config is invalid (the messages name file:line:col).
    #[error("{0}")]
    Config(String),
    /// The pipeline cannot run sharded, or the task is asked for something the plan lacks.
    #[error("{0}")]
    Refused(String),
    /// A task this one needs has not finished (no valid marker).
    #[error("{0}")]
    Missing(String),
    /// A file of the work folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The round itself failed.
    #[error(transparent)]
    Run(#[from] RunError),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ShardError + '_ {
    move |source| ShardError::Io { path: path.display().to_string(), source }
}

/// The job: what `plan` decided, read by every later task.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    /// The docpipe version that planned; every task must be the same build.
    pub version: String,
    /// A hash of everything the outputs depend on (config text, version, input files and
    /// their sizes and times, shard count): markers of another fingerprint are stale.
    pub fingerprint: String,
    /// The working directory `plan` ran in: tasks run there, so paths resolve as in a single
    /// run and ids and `source.path` come out the same.
    pub cwd: PathBuf,
    /// The config file, as named.
    pub config: PathBuf,
    /// `--input` overrides, as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
    /// `--format` override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<InputFormat>,
    /// Per shard, the pieces of the input it reads (names as the single run names them).
    pub shards: Vec<ShardPlan>,
    /// The ordered stages, by pipeline index and name.
    pub global_stages: Vec<GlobalStage>,
}

/// One shard's part of the input: whole files and line-aligned byte ranges of large
/// uncompressed JSONL files ([`crate::shard_input`]).
pub type ShardPlan = crate::shard_input::ShardInput;

/// An ordered stage of the pipeline.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GlobalStage {
    /// Index in the pipeline.
    pub index: usize,
    /// Instance name.
    pub name: String,
}

impl Plan {
    /// Map rounds: one more than there are global stages.
    pub fn rounds(&self) -> usize {
        self.global_stages.len() + 1
    }

    /// Resolves: one per global stage.
    pub fn resolves(&self) -> usize {
        self.global_stages.len()
    }

    /// The short summary `docpipe plan` prints (one JSON line, for drivers).
    pub fn summary(&self, work: &Path) -> serde_json::Value {
        serde_json::json!({
            "work": work.display().to_string(),
            "fingerprint": self.fingerprint,
            "shards": self.shards.len(),
            "rounds": self.rounds(),
            "resolves": self.resolves(),
            "global_stages": self.global_stages.iter().map(|g| g.name.clone()).collect::<Vec<_>>(),
            "bytes": self.shards.iter().map(|s| s.bytes).collect::<Vec<_>>(),
        })
    }

    fn overrides(&self, output_dir: &Path) -> Result<Overrides, ShardError> {
        Ok(Overrides {
            inputs: self.inputs.clone(),
            output_dir: Some(output_dir.display().to_string()),
            format: self.format,
            ..Overrides::default()
        })
    }

    /// Loads the pipeline as a task of this plan sees it, writing into `output_dir`.
    fn load(&self, output_dir: &Path) -> Result<Pipeline, ShardError> {
        let p =
            config::load(&self.config, &self.overrides(output_dir)?).map_err(|e| ShardError::Config(e.to_string()))?;
        Ok(p)
    }
}

/// A finished task's marker.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Marker {
    /// The plan's fingerprint.
    pub fingerprint: String,
    /// What finished: `map` or `resolve`.
    pub task: String,
    /// The round.
    pub round: usize,
    /// The shard (`map` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<usize>,
    /// Documents the task wrote on (map: out of its last stage).
    pub documents: u64,
    /// Failures it recorded.
    pub failed: u64,
}

/// FNV-1a, 64 bits: the fingerprint's hash (stable across builds and platforms).
fn fnv1a(h: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *h ^= u64::from(b);
        *h = h.wrapping_mul(0x100_0000_01b3);
    }
}

/// The folder of round `round`, shard `shard`.
pub fn map_dir(work: &Path, round: usize, shard: usize) -> PathBuf {
    work.join(format!("round-{round}")).join(format!("shard-{shard:05}"))
}

/// The folder of resolve `round`.
pub fn resolve_dir(work: &Path, round: usize) -> PathBuf {
    work.join(format!("resolve-{round}"))
}

/// Plans a sharded job of `config` over `shards` shards in `work`: checks that every ordered
/// stage has sharding hooks, assigns the input files to shards by bytes (contiguous, in
/// input order), writes `plan.json`. Relative paths (config, inputs, outputs) are resolved
/// from the current directory, which the tasks move to: it must exist where they run
/// (`docpipe plan --cwd` moves there first).
pub fn plan(
    config_path: &Path,
    inputs: Vec<String>,
    format: Option<InputFormat>,
    shards: usize,
    work: &Path,
) -> Result<Plan, ShardError> {
    if shards == 0 {
        return Err(ShardError::Refused("--shards must be at least 1".into()));
    }
    let cwd = std::env::current_dir().map_err(io(Path::new(".")))?;
    let mut draft = Plan {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        fingerprint: String::new(),
        cwd,
        config: config_path.to_owned(),
        inputs,
        format,
        shards: Vec::new(),
        global_stages: Vec::new(),
    };
    let mut pipeline = draft.load(work)?;
    let mut missing = Vec::new();
    for (index, s) in pipeline.stages.iter_mut().enumerate() {
        if let Stage::Ordered(o) = &mut s.stage {
            if o.sharded().is_none() {
                missing.push(format!("`{}` (type `{}`)", s.name, s.type_name));
            }
            draft.global_stages.push(GlobalStage { index, name: s.name.clone() });
        }
    }
    if !missing.is_empty() {
        return Err(ShardError::Refused(format!(
            "{}: cannot run sharded: the ordered stage{} {} {} no sharding hooks (docpipe_core::sharding::ShardedStage); run it with `docpipe run`",
            config_path.display(),
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "has" } else { "have" },
        )));
    }
    draft.fingerprint = fingerprint(config_path, &pipeline.input.files, shards)?;
    draft.shards = crate::shard_input::assign_shards(&pipeline.input.files, &pipeline.input, shards)
        .map_err(|e| ShardError::Refused(format!("cannot assign the input to shards: {e}")))?;
    std::fs::create_dir_all(work).map_err(io(work))?;
    let path = work.join(PLAN_FILE);
    let mut json = serde_json::to_vec_pretty(&draft).map_err(|e| ShardError::Refused(e.to_string()))?;
    json.push(b'\n');
    write_atomic(&path, &json).map_err(io(&path))?;
    Ok(draft)
}

/// What the outputs depend on besides the code: the version, the config text, every input
/// file's name, size and modification time, and the shard count. A task whose inputs no
/// longer match the plan's is refused instead of mixing two states of the input.
fn fingerprint(config_path: &Path, files: &[InputFile], shards: usize) -> Result<String, ShardError> {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    fnv1a(&mut h, env!("CARGO_PKG_VERSION").as_bytes());
    fnv1a(&mut h, &std::fs::read(config_path).map_err(io(config_path))?);
    for f in files {
        let (len, modified) = match f {
            InputFile::Path(p) => match std::fs::metadata(p) {
                Ok(m) => (m.len(), m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())),
                Err(_) => (0, None),
            },
            InputFile::Stdin { .. } => {
                return Err(ShardError::Refused(
                    "standard input cannot be sharded: give files (every task must read its own part)".into(),
                ));
            }
            InputFile::Memory { bytes, .. } => (bytes.len() as u64, None),
            InputFile::Unreadable { .. } => (0, None),
        };
        fnv1a(&mut h, f.name().as_bytes());
        fnv1a(&mut h, &len.to_le_bytes());
        fnv1a(&mut h, &modified.map_or(0, |d| d.as_nanos()).to_le_bytes());
    }
    fnv1a(&mut h, &(shards as u64).to_le_bytes());
    Ok(format!("{h:016x}"))
}

/// Reads `WORK/plan.json`.
pub fn load_plan(work: &Path) -> Result<Plan, ShardError> {
    let path = work.join(PLAN_FILE);
    let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ShardError::Missing(format!(
            "{}: no plan here (run `docpipe plan CONFIG --work {}` first)",
            path.display(),
            work.display()
        )),
        _ => ShardError::Io { path: path.display().to_string(), source: e },
    })?;
    let plan: Plan = serde_json::from_slice(&bytes)
        .map_err(|e| ShardError::Refused(format!("{}: not a plan: {e}", path.display())))?;
    if plan.version != env!("CARGO_PKG_VERSION") {
        return Err(ShardError::Refused(format!(
            "{}: planned by docpipe {}, this is {}: every task must run the same build",
            path.display(),
            plan.version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    Ok(plan)
}

/// The marker in `dir`, if it is valid for `plan`.
pub fn valid_marker(dir: &Path, plan: &Plan) -> Option<Marker> {
    let bytes = std::fs::read(dir.join(MARKER)).ok()?;
    let m: Marker = serde_json::from_slice(&bytes).ok()?;
    (m.fingerprint == plan.fingerprint).then_some(m)
}

fn write_marker(dir: &Path, marker: &Marker) -> Result<(), ShardError> {
    let path = dir.join(MARKER);
    let mut json = serde_json::to_vec(marker).map_err(|e| ShardError::Refused(e.to_string()))?;
    json.push(b'\n');
    write_atomic(&path, &json).map_err(io(&path))
}

fn require(dir: &Path, plan: &Plan, what: &str) -> Result<Marker, ShardError> {
    valid_marker(dir, plan).ok_or_else(|| {
        ShardError::Missing(format!("{what} has not finished ({} has no valid {MARKER})", dir.display()))
    })
}

/// What one task did.
#[derive(Debug)]
pub enum TaskOutcome {
    /// Ran, leaving this marker.
    Done(Marker),
    /// Skipped: a valid marker was there.
    Skipped(Marker),
}

/// Where round `round`'s stages come from: (first, end) pipeline indices of the stages
/// between the global stages, and the global stages at each edge.
fn round_span(plan: &Plan, stages: usize, round: usize) -> (Option<usize>, std::ops::Range<usize>, Option<usize>) {
    let before = round.checked_sub(1).map(|r| plan.global_stages[r].index);
    let after = plan.global_stages.get(round).map(|g| g.index);
    let first = before.map_or(0, |b| b + 1);
    let end = after.unwrap_or(stages);
    (before, first..end, after)
}

/// The round in which the pipeline's stage `index` runs, when it is not a global stage: the
/// number of global stages before it.
fn round_of(plan: &Plan, index: usize) -> usize {
    plan.global_stages.iter().filter(|g| g.index < index).count()
}

/// Runs round `round` of shard `shard` (see the module doc). Skips when a valid marker is
/// there, unless `force`.
pub fn run_map(
    work: &Path,
    plan: &Plan,
    round: usize,
    shard: usize,
    threads: usize,
    force: bool,
) -> Result<TaskOutcome, ShardError> {
    let n = plan.shards.len();
    if round >= plan.rounds() || shard >= n {
        return Err(ShardError::Refused(format!(
            "no round {round} shard {shard}: the plan has rounds 0..{} and shards 0..{}",
            plan.rounds() - 1,
            n - 1
        )));
    }
    let dir = map_dir(work, round, shard);
    if !force && let Some(m) = valid_marker(&dir, plan) {
        return Ok(TaskOutcome::Skipped(m));
    }
    if round > 0 {
        let before = map_dir(work, round - 1, shard);
        require(&before, plan, &format!("round {} of shard {shard}", round - 1))?;
        require(&resolve_dir(work, round - 1), plan, &format!("resolve {}", round - 1))?;
        if !before.join(DOCS_FILE).exists() {
            return Err(ShardError::Missing(format!(
                "{}: round {} of shard {shard} was pruned (`docpipe prune`); to redo round {round}, delete its marker {} and that shard's later markers, then run round {} again with --force",
                before.join(DOCS_FILE).display(),
                round - 1,
                before.join(MARKER).display(),
                round - 1
            )));
        }
    }
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    // The marker goes first: files of a run that then dies are never taken for finished.
    let marker_path = dir.join(MARKER);
    if marker_path.exists() {
        std::fs::remove_file(&marker_path).map_err(io(&marker_path))?;
    }
    let mut pipeline = plan.load(&dir)?;
    let last_round = round + 1 == plan.rounds();
    // Round 0 reads this shard's input files; later rounds read the previous round's output.
    if round == 0 {
        if fingerprint(&plan.config, &pipeline.input.files, n)? != plan.fingerprint {
            return Err(ShardError::Refused(format!(
                "shard {shard}: the config or the input files changed since `plan` (names, sizes or times): plan again"
            )));
        }
        // The whole list stays: the pieces are found in it by name.
        pipeline.input_pieces = Some(plan.shards[shard].pieces.clone());
    } else {
        pipeline.input.files.clear();
    }
    let (before, span, after) = round_span(plan, pipeline.stages.len(), round);
    let mut all: Vec<Option<BuiltStage>> = std::mem::take(&mut pipeline.stages).into_iter().map(Some).collect();
    let mut stages = Vec::new();
    let mut stage_index = Vec::new();
    let take = |all: &mut Vec<Option<BuiltStage>>, i: usize| {
        all[i].take().ok_or_else(|| ShardError::Refused("stage taken twice".into()))
    };
    if let Some(b) = before {
        let mut s = take(&mut all, b)?;
        let Stage::Ordered(inner) = s.stage else {
            return Err(ShardError::Refused("a global stage is not ordered".into()));
        };
        let decisions = resolve_dir(work, round - 1).join(format!("decisions-{shard:05}.jsonl"));
        let tail = (shard + 1 == n).then(|| resolve_dir(work, round - 1).join(TAIL_FILE));
        let adapter = ApplyAdapter::new(inner, decisions.clone(), tail).map_err(io(&decisions))?;
        s.stage = Stage::ordered(adapter);
        stages.push(s);
        stage_index.push(b);
    }
    let feeds = feed_of(&all.iter().map(|s| s.as_ref().map(|s| &s.stage)).collect::<Vec<_>>());
    for i in span {
        let mut s = take(&mut all, i)?;
        if let Stage::Sink(sink) = &s.stage
            && sink.shard_merge() == ShardMerge::Replay
        {
            // Consecutive sinks see the same documents: the first one's feed serves them all.
            s.stage = match feeds[i] {
                Some(first) if first != i => Stage::sink(PassSink),
                _ => Stage::sink(FeedAdapter::new(dir.join(format!("feed-{i}.jsonl")))),
            };
        }
        stages.push(s);
        stage_index.push(i);
    }
    if let Some(a) = after {
        let mut s = take(&mut all, a)?;
        let Stage::Ordered(inner) = s.stage else {
            return Err(ShardError::Refused("a global stage is not ordered".into()));
        };
        s.stage = Stage::ordered(KeyAdapter::new(inner, dir.join(KEYS_FILE)));
        stages.push(s);
        stage_index.push(a);
    }
    pipeline.stages = stages;
    pipeline.write_documents &= last_round;
    let shard_io = ShardIo {
        docs_in: (round > 0).then(|| map_dir(work, round - 1, shard).join(DOCS_FILE)),
        docs_out: (!last_round).then(|| dir.join(DOCS_FILE)),
        drops_out: dir.join(DROPS_FILE),
        stage_index,
    };
    let outcome = runner::run(pipeline, &RunOptions { threads, cancel: None, shard: Some(shard_io) }, &runner::Silent)?;
    let marker = Marker {
        fingerprint: plan.fingerprint.clone(),
        task: "map".into(),
        round,
        shard: Some(shard),
        documents: outcome.stats.final_documents(),
        failed: outcome.failed,
    };
    write_marker(&dir, &marker)?;
    Ok(TaskOutcome::Done(marker))
}

/// Removes what only round `round + 1` reads once every shard of round `round + 1` has its
/// marker: round `round`'s documents and keys, and resolve `round`'s decisions. Markers,
/// failures, drops, statistics, feeds and the global stages' files stay (merge reads them).
/// A task of round `round + 1` that must run again afterwards (its marker deleted) refuses,
/// naming what is gone. Returns the bytes freed.
pub fn prune(work: &Path, plan: &Plan, round: usize) -> Result<u64, ShardError> {
    let n = plan.shards.len();
    let next = round + 1;
    if next >= plan.rounds() {
        return Err(ShardError::Refused(format!("round {round} is the last: merge reads what it wrote")));
    }
    let missing: Vec<String> =
        (0..n).filter(|&k| valid_marker(&map_dir(work, next, k), plan).is_none()).map(|k| k.to_string()).collect();
    if !missing.is_empty() {
        return Err(ShardError::Missing(format!(
            "round {round} is still needed: round {next} has not finished on shard{} {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        )));
    }
    let mut freed = 0u64;
    let mut remove = |p: PathBuf| -> Result<(), ShardError> {
        match std::fs::metadata(&p) {
            Ok(m) => {
                std::fs::remove_file(&p).map_err(io(&p))?;
                freed += m.len();
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(ShardError::Io { path: p.display().to_string(), source: e }),
        }
    };
    for k in 0..n {
        let dir = map_dir(work, round, k);
        remove(dir.join(DOCS_FILE))?;
        remove(dir.join(KEYS_FILE))?;
        remove(resolve_dir(work, round).join(format!("decisions-{k:05}.jsonl")))?;
    }
    Ok(freed)
}

/// What a resolve records besides its files.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ResolveStats {
    /// Documents whose decision failed (they fail where the decision is applied).
    failed: u64,
    /// The stage's counters after `finish`.
    counters: std::collections::BTreeMap<String, u64>,
    /// Seconds spent deciding and finishing.
    seconds: f64,
    /// Documents the stage emitted from `finish`.
    emitted: u64,
}

/// Runs resolve `round`: the decisions of global stage `round` over every shard's keys.
pub fn resolve(work: &Path, plan: &Plan, round: usize, force: bool) -> Result<TaskOutcome, ShardError> {
    let Some(global) = plan.global_stages.get(round) else {
        return Err(ShardError::Refused(format!("no resolve {round}: the plan has resolves 0..{}", plan.resolves())));
    };
    let dir = resolve_dir(work, round);
    if !force && let Some(m) = valid_marker(&dir, plan) {
        return Ok(TaskOutcome::Skipped(m));
    }
    let n = plan.shards.len();
    let missing: Vec<String> =
        (0..n).filter(|&k| valid_marker(&map_dir(work, round, k), plan).is_none()).map(|k| k.to_string()).collect();
    if !missing.is_empty() {
        return Err(ShardError::Missing(format!(
            "resolve {round} needs round {round} of every shard; not finished: shard{} {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        )));
    }
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).map_err(io(&out_dir))?;
    let marker_path = dir.join(MARKER);
    if marker_path.exists() {
        std::fs::remove_file(&marker_path).map_err(io(&marker_path))?;
    }
    let started = std::time::Instant::now();
    let mut pipeline = plan.load(&out_dir)?;
    let built = pipeline.stages.swap_remove(global.index);
    let (name, on_error) = (built.name, built.on_error);
    let Stage::Ordered(mut stage) = built.stage else {
        return Err(ShardError::Refused(format!("stage `{name}` is not ordered")));
    };
    crate::output::recover(&dir, &[]).map_err(io(&dir))?;
    let transaction = Transaction::begin(&dir, None).map_err(io(&dir))?;
    let mut stats = ResolveStats::default();
    let mut documents = 0u64;
    for k in 0..n {
        let keys_path = map_dir(work, round, k).join(KEYS_FILE);
        let file = std::fs::File::open(&keys_path).map_err(io(&keys_path))?;
        let out_path = dir.join(format!("decisions-{k:05}.jsonl"));
        let mut out = AtomicFile::create(&out_path).map_err(io(&out_path))?;
        for (line_no, line) in BufReader::with_capacity(1 << 16, file).lines().enumerate() {
            let line = line.map_err(io(&keys_path))?;
            let at = || format!("{}:{}", keys_path.display(), line_no + 1);
            let KeyLine { id, key } = serde_json::from_str(&line)
                .map_err(|e| ShardError::Refused(format!("{}: malformed key line: {e}", at())))?;
            let hooks = stage
                .sharded_mut()
                .ok_or_else(|| ShardError::Refused(format!("stage `{name}` has no sharding hooks")))?;
            let decided = guarded(|| hooks.decide_json(key));
            let record = match decided {
                Ok(decision) => DecisionLine { id, decision, failed: None },
                Err(e) => {
                    let message = e.full_message();
                    if on_error == OnError::Fail {
                        return Err(RunError::Stage { stage: name, id, message }.into());
                    }
                    stats.failed += 1;
                    DecisionLine { id, decision: serde_json::Value::Null, failed: Some(message) }
                }
            };
            write_json_line(&mut out, &record).map_err(io(&out_path))?;
            documents += 1;
        }
        out.commit().map_err(io(&out_path))?;
    }
    let emitted = guarded(|| stage.finish()).map_err(|e| RunError::Stage {
        stage: name.clone(),
        id: "-".into(),
        message: e.full_message(),
    })?;
    stats.counters = stage.counters().into_iter().collect();
    stats.emitted = emitted.len() as u64;
    let tail_path = dir.join(TAIL_FILE);
    let mut tail = AtomicFile::create(&tail_path).map_err(io(&tail_path))?;
    for d in &emitted {
        write_document(&mut tail, d).map_err(io(&tail_path))?;
    }
    tail.commit().map_err(io(&tail_path))?;
    stats.seconds = started.elapsed().as_secs_f64();
    let stats_path = dir.join("resolve.json");
    let json = serde_json::to_vec_pretty(&stats).map_err(|e| ShardError::Refused(e.to_string()))?;
    write_atomic(&stats_path, &json).map_err(io(&stats_path))?;
    transaction.commit().map_err(io(&dir))?;
    let marker = Marker {
        fingerprint: plan.fingerprint.clone(),
        task: "resolve".into(),
        round,
        shard: None,
        documents,
        failed: stats.failed,
    };
    write_marker(&dir, &marker)?;
    Ok(TaskOutcome::Done(marker))
}

/// The records of several JSONL files, each sorted by `key`, merged in `key` order (ties:
/// the earlier file first), streaming: memory holds one record per file.
struct Sorted<T> {
    files: Vec<(PathBuf, usize, std::io::Lines<BufReader<std::fs::File>>)>,
    heads: Vec<Option<T>>,
    key: fn(&T) -> (u64, usize),
}

impl<T: serde::de::DeserializeOwned> Sorted<T> {
    fn open(paths: Vec<PathBuf>, key: fn(&T) -> (u64, usize)) -> Result<Sorted<T>, ShardError> {
        let mut files = Vec::with_capacity(paths.len());
        for p in paths {
            let f = std::fs::File::open(&p).map_err(io(&p))?;
            files.push((p, 0, BufReader::with_capacity(1 << 16, f).lines()));
        }
        let mut sorted = Sorted { heads: Vec::new(), files, key };
        for i in 0..sorted.files.len() {
            let head = sorted.next_of(i)?;
            sorted.heads.push(head);
        }
        Ok(sorted)
    }

    fn next_of(&mut self, i: usize) -> Result<Option<T>, ShardError> {
        let (path, line_no, lines) = &mut self.files[i];
        let Some(line) = lines.next() else { return Ok(None) };
        *line_no += 1;
        let line = line.map_err(io(path))?;
        serde_json::from_str(&line)
            .map(Some)
            .map_err(|e| ShardError::Refused(format!("{}:{line_no}: malformed: {e}", path.display())))
    }
}

impl<T: serde::de::DeserializeOwned> Iterator for Sorted<T> {
    type Item = Result<T, ShardError>;

    fn next(&mut self) -> Option<Self::Item> {
        let key = self.key;
        let i = (0..self.heads.len())
            .filter(|&i| self.heads[i].is_some())
            .min_by_key(|&i| self.heads[i].as_ref().map(key))?;
        let next = match self.next_of(i) {
            Ok(n) => n,
            Err(e) => return Some(Err(e)),
        };
        std::mem::replace(&mut self.heads[i], next).map(Ok)
    }
}

/// For each sink that `merge` replays, the first sink of the run of consecutive sinks it
/// belongs to, when that one is replayed too: sinks pass documents on unchanged, so they all
/// see that one's documents and share its feed.
fn feed_of<S: std::borrow::Borrow<Stage>>(stages: &[Option<S>]) -> Vec<Option<usize>> {
    let mut out = vec![None; stages.len()];
    let mut first: Option<usize> = None;
    for (i, s) in stages.iter().enumerate() {
        match s.as_ref().map(|s| s.borrow()) {
            Some(Stage::Sink(sink)) if sink.shard_merge() == ShardMerge::Replay => {
                let f = *first.get_or_insert(i);
                out[i] = Some(f);
            }
            Some(Stage::Sink(_)) => {}
            _ => first = None,
        }
    }
    out
}

/// A sink that writes nothing: stands for a replayed sink whose documents an earlier sink's
/// feed already holds.
struct PassSink;

impl crate::stage::Sink for PassSink {
    fn write(&mut self, _doc: &Document) -> Result<(), crate::StageError> {
        Ok(())
    }
}

fn read_stats(path: &Path) -> Result<RunStats, ShardError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    serde_json::from_slice(&bytes).map_err(|e| ShardError::Refused(format!("{}: {e}", path.display())))
}

fn add_stage(into: &mut StageStats, s: &StageStats) {
    into.docs_in += s.docs_in;
    into.kept += s.kept;
    into.docs_out += s.docs_out;
    into.failed += s.failed;
    into.finish_failed += s.finish_failed;
    into.seconds += s.seconds;
    for (k, v) in &s.dropped {
        *into.dropped.entry(k.clone()).or_default() += v;
    }
    for (k, v) in &s.dropped_bytes {
        *into.dropped_bytes.entry(k.clone()).or_default() += v;
    }
    for (k, v) in &s.counters {
        *into.counters.entry(k.clone()).or_default() += v;
    }
}

/// What `merge` produced.
#[derive(Debug)]
pub struct MergeOutcome {
    /// The merged statistics (also in `stats.json`).
    pub stats: RunStats,
    /// The output folder.
    pub output_dir: PathBuf,
    /// Records in `failed.jsonl`.
    pub failed: u64,
}

/// Builds the output folder from a finished job (see the module doc): the config's output
/// folder, or `output`.
pub fn merge(work: &Path, plan: &Plan, output: Option<&Path>) -> Result<MergeOutcome, ShardError> {
    let n = plan.shards.len();
    let mut missing = Vec::new();
    for r in 0..plan.rounds() {
        for k in 0..n {
            if valid_marker(&map_dir(work, r, k), plan).is_none() {
                missing.push(format!("round {r} shard {k}"));
            }
        }
        if r < plan.resolves() && valid_marker(&resolve_dir(work, r), plan).is_none() {
            missing.push(format!("resolve {r}"));
        }
    }
    if !missing.is_empty() {
        return Err(ShardError::Missing(format!("merge needs every task; not finished: {}", missing.join(", "))));
    }
    let started = std::time::Instant::now();
    // Load the pipeline with its own output folder (or the override): the sinks that run
    // here write where a single run writes.
    let mut overrides = plan.overrides(Path::new("."))?;
    overrides.output_dir = output.map(|o| o.display().to_string());
    let pipeline = config::load(&plan.config, &overrides).map_err(|e| ShardError::Config(e.to_string()))?;
    let output_dir = pipeline.output_dir.clone();
    std::fs::create_dir_all(&output_dir).map_err(io(&output_dir))?;
    crate::output::recover(&output_dir, &pipeline.outputs).map_err(io(&output_dir))?;
    let transaction = Transaction::begin(&output_dir, None).map_err(io(&output_dir))?;
    let last = plan.rounds() - 1;

    // Statistics: every round's stages put back in pipeline order.
    let mut stats = RunStats {
        stages: pipeline
            .stages
            .iter()
            .map(|s| StageStats { name: s.name.clone(), type_name: s.type_name.clone(), ..StageStats::default() })
            .collect(),
        ..RunStats::default()
    };
    let mut key_part: Vec<StageStats> = vec![StageStats::default(); pipeline.stages.len()];
    let mut apply_part: Vec<StageStats> = vec![StageStats::default(); pipeline.stages.len()];
    for r in 0..plan.rounds() {
        for k in 0..n {
            let dir = map_dir(work, r, k);
            let s = read_stats(&dir.join(runner::STATS_FILE))?;
            let (before, span, after) = round_span(plan, pipeline.stages.len(), r);
            let mut indices: Vec<(usize, u8)> = Vec::new();
            if let Some(b) = before {
                indices.push((b, 1));
            }
            indices.extend(span.map(|i| (i, 0)));
            if let Some(a) = after {
                indices.push((a, 2));
            }
            if indices.len() != s.stages.len() {
                return Err(ShardError::Refused(format!("{}: stats for another pipeline", dir.display())));
            }
            for ((i, role), st) in indices.into_iter().zip(&s.stages) {
                match role {
                    0 => add_stage(&mut stats.stages[i], st),
                    1 => add_stage(&mut apply_part[i], st),
                    _ => add_stage(&mut key_part[i], st),
                }
            }
            if r == 0 {
                let i = &mut stats.input;
                i.files += s.input.files;
                i.bytes += s.input.bytes;
                i.documents += s.input.documents;
                i.failed += s.input.failed;
                i.utf8_replacements += s.input.utf8_replacements;
                for (reason, c) in &s.input.dropped {
                    *i.dropped.entry(reason.clone()).or_default() += c;
                }
            }
            if r == last {
                stats.written += s.written;
            }
            stats.threads = stats.threads.max(s.threads);
            stats.peak_rss_bytes = stats.peak_rss_bytes.max(s.peak_rss_bytes);
            stats.seconds += s.seconds;
        }
    }
    for (r, g) in plan.global_stages.iter().enumerate() {
        let resolved: ResolveStats = {
            let path = resolve_dir(work, r).join("resolve.json");
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            serde_json::from_slice(&bytes).map_err(|e| ShardError::Refused(format!("{}: {e}", path.display())))?
        };
        let (key, apply) = (&key_part[g.index], &apply_part[g.index]);
        let s = &mut stats.stages[g.index];
        s.docs_in = key.docs_in;
        s.kept = apply.kept;
        s.docs_out = apply.docs_out;
        s.dropped.clone_from(&apply.dropped);
        s.dropped_bytes.clone_from(&apply.dropped_bytes);
        s.failed = key.failed + apply.failed;
        s.finish_failed = apply.finish_failed;
        s.seconds = key.seconds + apply.seconds + resolved.seconds;
        s.counters = resolved.counters;
        stats.seconds += resolved.seconds;
    }

    // failed.jsonl: per shard, every round's failures in (key, stage) order.
    let failed_path = output_dir.join(runner::FAILED_FILE);
    let mut failed_out = AtomicFile::create(&failed_path).map_err(io(&failed_path))?;
    let mut failed = 0u64;
    for k in 0..n {
        let rounds = (0..plan.rounds()).map(|r| map_dir(work, r, k).join(runner::FAILED_FILE)).collect();
        for f in Sorted::<KeyedFailure>::open(rounds, |f| (f.k, f.s))? {
            let rec: FailedRecord = f?.rec;
            write_json_line(&mut failed_out, &rec).map_err(io(&failed_path))?;
            failed += 1;
        }
    }

    // documents.jsonl and the sinks whose parts concatenate, with the round that wrote them.
    let mut concat: Vec<(PathBuf, usize)> = Vec::new();
    if pipeline.write_documents {
        concat.push((PathBuf::from(runner::DOCUMENTS_FILE), last));
    }
    let mut replay: Vec<usize> = Vec::new();
    for (i, s) in pipeline.stages.iter().enumerate() {
        if let Stage::Sink(sink) = &s.stage {
            match sink.shard_merge() {
                ShardMerge::Concat(files) => {
                    for f in files {
                        let rel = f.strip_prefix(&output_dir).map(Path::to_path_buf).map_err(|_| {
                            ShardError::Refused(format!(
                                "sink `{}` writes {} outside the output folder: it cannot be merged from shards",
                                s.name,
                                f.display()
                            ))
                        })?;
                        concat.push((rel, round_of(plan, i)));
                    }
                }
                ShardMerge::Replay => replay.push(i),
            }
        }
    }
    for (rel, round) in &concat {
        let target = output_dir.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let mut out = AtomicFile::create(&target).map_err(io(&target))?;
        for k in 0..n {
            let part = map_dir(work, *round, k).join(rel);
            let mut f = std::fs::File::open(&part).map_err(io(&part))?;
            std::io::copy(&mut f, &mut out).map_err(io(&part))?;
        }
        out.commit().map_err(io(&target))?;
    }

    // The global stages' own files (indexes, reports), from their resolve folders.
    for r in 0..plan.resolves() {
        let out = resolve_dir(work, r).join("out");
        copy_tree(&out, &out, &output_dir)?;
    }

    // The sinks that need the whole run, once, over what the shards kept for them.
    if !replay.is_empty() {
        let feeds = feed_of(&pipeline.stages.iter().map(|s| Some(&s.stage)).collect::<Vec<_>>());
        let mut stages = pipeline.stages;
        for &i in &replay {
            let s = &mut stages[i];
            let Stage::Sink(sink) = &mut s.stage else { continue };
            let fail = |e: crate::StageError| RunError::Stage {
                stage: s.name.clone(),
                id: "-".into(),
                message: e.full_message(),
            };
            guarded(|| sink.begin()).map_err(fail)?;
            // Every drop of a stage before the sink, shard by shard, in (key, stage) order.
            for k in 0..n {
                let rounds = (0..plan.rounds()).map(|r| map_dir(work, r, k).join(DROPS_FILE)).collect();
                for d in Sorted::<KeyedDrop>::open(rounds, |d| (d.k, d.s))? {
                    let d = d?;
                    if d.s <= i {
                        guarded(|| sink.dropped(&d.rec)).map_err(fail)?;
                    }
                }
            }
            let round = round_of(plan, i);
            let fed = feeds[i].unwrap_or(i);
            for k in 0..n {
                let feed = map_dir(work, round, k).join(format!("feed-{fed}.jsonl"));
                let file = std::fs::File::open(&feed).map_err(io(&feed))?;
                for (line_no, line) in BufReader::with_capacity(1 << 16, file).lines().enumerate() {
                    let line = line.map_err(io(&feed))?;
                    let doc: Document = serde_json::from_str(&line)
                        .map_err(|e| ShardError::Refused(format!("{}:{}: {e}", feed.display(), line_no + 1)))?;
                    guarded(|| sink.write(&doc)).map_err(fail)?;
                }
            }
            guarded(|| sink.finish(&stats)).map_err(fail)?;
        }
    }
    failed_out.commit().map_err(io(&failed_path))?;
    if let Err(problems) = stats.check_accounting() {
        for p in problems {
            tracing::warn!(problem = %p, "accounting identity violated in the merged statistics");
        }
    }
    stats.seconds += started.elapsed().as_secs_f64();
    let stats_path = output_dir.join(runner::STATS_FILE);
    let mut json = serde_json::to_vec_pretty(&stats).map_err(|e| ShardError::Refused(e.to_string()))?;
    json.push(b'\n');
    write_atomic(&stats_path, &json).map_err(io(&stats_path))?;
    transaction.commit().map_err(io(&output_dir))?;
    Ok(MergeOutcome { stats, output_dir, failed })
}

/// Copies every file under `dir` into `to` (same relative paths), as staged outputs.
fn copy_tree(root: &Path, dir: &Path, to: &Path) -> Result<(), ShardError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ShardError::Io { path: dir.display().to_string(), source: e }),
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            copy_tree(root, &p, to)?;
            continue;
        }
        let rel = p.strip_prefix(root).unwrap_or(&p);
        let target = to.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let bytes = std::fs::read(&p).map_err(io(&p))?;
        let mut out = AtomicFile::create(&target).map_err(io(&target))?;
        out.write_all(&bytes).map_err(io(&target))?;
        out.commit().map_err(io(&target))?;
    }
    Ok(())
}

/// What `docpipe status` prints: which tasks of the plan are done.
pub fn status(work: &Path, plan: &Plan) -> serde_json::Value {
    let n = plan.shards.len();
    let maps: serde_json::Map<String, serde_json::Value> = (0..plan.rounds())
        .map(|r| {
            let done: Vec<usize> = (0..n).filter(|&k| valid_marker(&map_dir(work, r, k), plan).is_some()).collect();
            (r.to_string(), serde_json::json!(done))
        })
        .collect();
    let resolves: Vec<usize> =
        (0..plan.resolves()).filter(|&r| valid_marker(&resolve_dir(work, r), plan).is_some()).collect();
    serde_json::json!({
        "fingerprint": plan.fingerprint,
        "shards": n,
        "rounds": plan.rounds(),
        "resolves": plan.resolves(),
        "maps": maps,
        "resolved": resolves,
    })
}

/// The work folder of a resumable local run, inside its output folder.
pub const RESUME_DIR: &str = ".docpipe-resume";

/// A single-machine run in shards of about `shard_bytes` input bytes, with the markers of a
/// sharded job (`docpipe run --resume`): a run killed at any point (even SIGKILL) and started
/// again with the same config and input redoes only the tasks without a valid marker, then
/// merges. The output is the one `docpipe run` writes. The work folder
/// (`OUTPUT/.docpipe-resume`) is removed after the merge. `progress` hears about each task.
pub fn run_resumable(
    config_path: &Path,
    inputs: Vec<String>,
    format: Option<InputFormat>,
    output: Option<&Path>,
    threads: usize,
    shard_bytes: u64,
    progress: &dyn Fn(&str),
) -> Result<MergeOutcome, ShardError> {
    let overrides = Overrides {
        inputs: inputs.clone(),
        output_dir: output.map(|o| o.display().to_string()),
        format,
        ..Overrides::default()
    };
    let pipeline = config::load(config_path, &overrides).map_err(|e| ShardError::Config(e.to_string()))?;
    let output_dir = std::path::absolute(&pipeline.output_dir).map_err(io(&pipeline.output_dir))?;
    let total: u64 = pipeline.input.files.iter().filter_map(InputFile::size_hint).sum();
    let shards = usize::try_from(total.div_ceil(shard_bytes.max(1)).max(1)).unwrap_or(usize::MAX);
    drop(pipeline);
    let work = output_dir.join(RESUME_DIR);
    let plan = plan(config_path, inputs, format, shards, &work)?;
    for r in 0..plan.rounds() {
        for k in 0..plan.shards.len() {
            match run_map(&work, &plan, r, k, threads, false)? {
                TaskOutcome::Done(_) => progress(&format!("round {r} shard {k}: done")),
                TaskOutcome::Skipped(_) => progress(&format!("round {r} shard {k}: already done (resumed)")),
            }
        }
        if r < plan.resolves() {
            match resolve(&work, &plan, r, false)? {
                TaskOutcome::Done(_) => progress(&format!("resolve {r}: done")),
                TaskOutcome::Skipped(_) => progress(&format!("resolve {r}: already done (resumed)")),
            }
        }
        // Round r is done: what only round r read can go, so the work folder holds about two
        // rounds of documents, not all of them.
        if let Some(before) = r.checked_sub(1) {
            prune(&work, &plan, before)?;
        }
    }
    let merged = merge(&work, &plan, Some(&output_dir))?;
    std::fs::remove_dir_all(&work).map_err(io(&work))?;
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::{OrderedStage, Outcome, StageError};
    use crate::{BuildError, StageOptions};

    /// An ordered stage without sharding hooks.
    struct Unsharded;
    impl OrderedStage for Unsharded {
        type Prepared = ();
        fn prepare(&self, _: &mut Document) -> Result<(), StageError> {
            Ok(())
        }
        fn process(&mut self, doc: Document, (): ()) -> Result<Outcome, StageError> {
            Ok(Outcome::Keep(doc))
        }
    }

    #[derive(Debug, Default, serde::Deserialize, serde::Serialize, crate::Options)]
    #[serde(deny_unknown_fields, default)]
    struct NoOptions {}

    fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
        let _: NoOptions = options.deserialize()?;
        Ok(Stage::ordered(Unsharded))
    }

    crate::register_stage! {
        name: "test-unsharded",
        summary: "An ordered stage without sharding hooks (shard tests only)",
        description: "",
        kind: Ordered,
        options: NoOptions,
        example: "[[stage]]\ntype = \"test-unsharded\"\n",
        build: build,
    }

    fn setup(stages: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "Some text.").unwrap();
        let config = format!("[input]\npaths = [\"a.txt\"]\n[output]\ndir = \"out\"\n{stages}");
        std::fs::write(dir.path().join("p.toml"), config).unwrap();
        dir
    }

    #[test]
    fn plan_refuses_an_ordered_stage_without_hooks_and_names_it() {
        let dir = setup("[[stage]]\ntype = \"test-unsharded\"\nname = \"mine\"\n");
        let err = plan(&dir.path().join("p.toml"), Vec::new(), None, 2, &dir.path().join("w")).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, ShardError::Refused(_)), "{err:?}");
        assert!(msg.contains("`mine` (type `test-unsharded`) has no sharding hooks"), "{msg}");
        assert!(!dir.path().join("w").join(PLAN_FILE).exists(), "a refused plan writes nothing");
    }

    #[test]
    fn plan_refuses_standard_input_and_zero_shards() {
        let dir = setup("");
        let config = dir.path().join("p.toml");
        let err = plan(&config, vec!["-".into()], None, 2, &dir.path().join("w")).unwrap_err();
        assert!(err.to_string().contains("standard input cannot be sharded"), "{err}");
        let err = plan(&config, Vec::new(), None, 0, &dir.path().join("w")).unwrap_err();
        assert!(err.to_string().contains("at least 1"), "{err}");
    }

    #[test]
    fn rounds_cover_every_stage_once() {
        let plan = Plan {
            version: String::new(),
            fingerprint: String::new(),
            cwd: PathBuf::new(),
            config: PathBuf::new(),
            inputs: Vec::new(),
            format: None,
            shards: Vec::new(),
            global_stages: vec![GlobalStage { index: 2, name: "a".into() }, GlobalStage { index: 3, name: "b".into() }],
        };
        let spans: Vec<_> = (0..plan.rounds()).map(|r| round_span(&plan, 6, r)).collect();
        assert_eq!(spans, vec![(None, 0..2, Some(2)), (Some(2), 3..3, Some(3)), (Some(3), 4..6, None)]);
        for (r, (_, span, _)) in spans.into_iter().enumerate() {
            assert!(span.clone().all(|i| round_of(&plan, i) == r), "round {r}: {span:?}");
        }
    }
}
