//! The stages a round of a sharded job runs in place of the pipeline's own at the round's
//! edges (see `shard/mod.rs`):
//!
//! - [`KeyAdapter`] ends a round at global stage *r*: the stage's `prepare` and `key` (in
//!   parallel), and one key line per document for the resolve;
//! - [`ApplyAdapter`] starts the next round: the resolve's decision for each document, applied
//!   with the stage's `apply`, and the documents the stage emitted from `finish` (on the last
//!   shard);
//! - [`FeedAdapter`] stands for a sink that `merge` runs once over everything
//!   ([`crate::ShardMerge::Replay`]): it keeps what reaches the sink.

use std::io::{BufRead, BufReader, Lines};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::output::{AtomicFile, write_document};
use crate::stage::{DynOrderedStage, OrderedStage, Outcome, Sink, StageError};
use crate::stats::RunStats;

/// One line of a round's key file: the document and its key.
#[derive(Debug, Serialize, Deserialize)]
pub struct KeyLine {
    /// The document id (checked when the decision comes back).
    pub id: String,
    /// The stage's key ([`crate::sharding::ShardedStage::Key`] as JSON).
    pub key: serde_json::Value,
}

/// One line of a resolve's decision file.
#[derive(Debug, Serialize, Deserialize)]
pub struct DecisionLine {
    /// The document id.
    pub id: String,
    /// The decision, when `decide` succeeded (`null` is a decision too: `()`).
    #[serde(default)]
    pub decision: serde_json::Value,
    /// The error, when `decide` failed (the document fails where the decision is applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

fn no_hooks() -> StageError {
    StageError::new("the stage has no sharding hooks (a bug: `plan` refuses such pipelines)")
}

/// Ends a round at a global stage: `prepare` + `key` in parallel, key lines in order.
pub struct KeyAdapter {
    inner: Box<dyn DynOrderedStage>,
    path: PathBuf,
    out: Option<AtomicFile>,
    /// The first write error: it fails the round at `finish` whatever `on_error` says.
    broken: Option<std::io::Error>,
}

impl KeyAdapter {
    /// Wraps the global stage; key lines go to `path`.
    pub fn new(inner: Box<dyn DynOrderedStage>, path: PathBuf) -> KeyAdapter {
        KeyAdapter { inner, path, out: None, broken: None }
    }
}

impl OrderedStage for KeyAdapter {
    /// The key line, serialised.
    type Prepared = String;

    fn prepare(&self, doc: &mut Document) -> Result<String, StageError> {
        let prepared = self.inner.prepare(doc)?;
        let key = self.inner.sharded().ok_or_else(no_hooks)?.key_json(doc, prepared)?;
        serde_json::to_string(&KeyLine { id: doc.id.clone(), key })
            .map_err(|e| StageError::with_source("cannot serialise the key", e))
    }

    fn process(&mut self, doc: Document, line: String) -> Result<Outcome, StageError> {
        if self.broken.is_none() {
            if self.out.is_none() {
                match AtomicFile::create(&self.path) {
                    Ok(f) => self.out = Some(f),
                    Err(e) => self.broken = Some(e),
                }
            }
            if let Some(out) = self.out.as_mut() {
                use std::io::Write;
                if let Err(e) = out.write_all(line.as_bytes()).and_then(|()| out.write_all(b"\n")) {
                    self.broken = Some(e);
                }
            }
        }
        Ok(Outcome::Keep(doc))
    }

    fn finish(&mut self) -> Result<Vec<Document>, StageError> {
        if let Some(e) = self.broken.take() {
            return Err(StageError::with_source(format!("cannot write {}", self.path.display()), e));
        }
        let out = match self.out.take() {
            Some(f) => f,
            None => AtomicFile::create(&self.path)?,
        };
        out.commit()?;
        Ok(Vec::new())
    }
}

/// Starts a round after a global stage: applies the resolve's decisions in order.
pub struct ApplyAdapter {
    inner: Box<dyn DynOrderedStage>,
    path: PathBuf,
    decisions: Lines<BufReader<std::fs::File>>,
    line: usize,
    /// The documents the stage emitted from `finish` (the last shard only).
    tail: Option<PathBuf>,
}

impl ApplyAdapter {
    /// Wraps the global stage; decisions come from `decisions`, emitted documents from `tail`.
    pub fn new(
        inner: Box<dyn DynOrderedStage>,
        decisions: PathBuf,
        tail: Option<PathBuf>,
    ) -> std::io::Result<ApplyAdapter> {
        let file = std::fs::File::open(&decisions)?;
        Ok(ApplyAdapter { inner, path: decisions, decisions: BufReader::new(file).lines(), line: 0, tail })
    }

    fn next_decision(&mut self) -> Result<Option<DecisionLine>, StageError> {
        let Some(line) = self.decisions.next() else { return Ok(None) };
        self.line += 1;
        let at = || format!("{}:{}", self.path.display(), self.line);
        let line = line.map_err(|e| StageError::with_source(at(), e))?;
        serde_json::from_str(&line).map(Some).map_err(|e| StageError::with_source(format!("{}: malformed", at()), e))
    }
}

impl OrderedStage for ApplyAdapter {
    type Prepared = ();

    fn prepare(&self, _doc: &mut Document) -> Result<(), StageError> {
        Ok(())
    }

    fn process(&mut self, doc: Document, (): ()) -> Result<Outcome, StageError> {
        let Some(d) = self.next_decision()? else {
            return Err(StageError::new(format!(
                "{}: no decision for document `{}` (the resolve saw fewer documents)",
                self.path.display(),
                doc.id
            )));
        };
        if d.id != doc.id {
            return Err(StageError::new(format!(
                "{}:{}: the decision is for `{}`, not `{}` (the round's input changed after the resolve)",
                self.path.display(),
                self.line,
                d.id,
                doc.id
            )));
        }
        match d.failed {
            Some(message) => Err(StageError::new(message)),
            None => self.inner.sharded().ok_or_else(no_hooks)?.apply_json(doc, d.decision),
        }
    }

    fn finish(&mut self) -> Result<Vec<Document>, StageError> {
        if self.next_decision()?.is_some() {
            return Err(StageError::new(format!(
                "{}: decisions left over after the last document (the resolve saw more documents)",
                self.path.display()
            )));
        }
        let Some(tail) = &self.tail else { return Ok(Vec::new()) };
        let file = std::fs::File::open(tail).map_err(|e| StageError::with_source(tail.display().to_string(), e))?;
        let mut docs = Vec::new();
        for (n, line) in BufReader::new(file).lines().enumerate() {
            let at = || format!("{}:{}", tail.display(), n + 1);
            let line = line.map_err(|e| StageError::with_source(at(), e))?;
            docs.push(serde_json::from_str(&line).map_err(|e| StageError::with_source(at(), e))?);
        }
        Ok(docs)
    }
}

/// Keeps the documents that reach a sink which `merge` runs once over everything.
pub struct FeedAdapter {
    path: PathBuf,
    out: Option<AtomicFile>,
}

impl FeedAdapter {
    /// Documents go to `path`, one JSON document per line.
    pub fn new(path: PathBuf) -> FeedAdapter {
        FeedAdapter { path, out: None }
    }
}

impl Sink for FeedAdapter {
    fn begin(&mut self) -> Result<(), StageError> {
        self.out = Some(AtomicFile::create(&self.path)?);
        Ok(())
    }

    fn write(&mut self, doc: &Document) -> Result<(), StageError> {
        let out = self.out.as_mut().ok_or_else(|| StageError::new("feed written before begin"))?;
        write_document(out, doc)?;
        Ok(())
    }

    fn finish(&mut self, _stats: &RunStats) -> Result<(), StageError> {
        if let Some(out) = self.out.take() {
            out.commit()?;
        }
        Ok(())
    }
}
