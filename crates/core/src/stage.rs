//! The three kinds of stage and what they return.
//!
//! - [`MapStage`]: stateless, one document in, zero or more out (tagging, splitting,
//!   filtering). The runner calls it from many threads at once and keeps output order equal
//!   to input order, so a map stage never sees or depends on other documents.
//! - [`OrderedStage`]: stateful; sees every document exactly once, in input order, and may
//!   emit more at the end (dedupe). An optional [`OrderedStage::prepare`] runs in parallel
//!   first, for the expensive per-document work (hashing, signatures).
//! - [`Sink`]: writes documents somewhere (`begin` / `write` / `finish`) and passes them on
//!   unchanged, so several sinks can sit in one pipeline.
//!
//! Each trait has one required method; everything else has a default.

use std::borrow::Cow;

use crate::document::Document;
use crate::stats::RunStats;

/// What a stage did with one document.
// `Keep` is by far the common case: boxing the document would cost an allocation per
// document per stage to save a few hundred bytes of stack.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Outcome {
    /// The document goes on (possibly modified).
    Keep(Document),
    /// The document is replaced by these (an empty list counts as a drop with reason
    /// `"no output"`).
    Split(Vec<Document>),
    /// The document is dropped, for a short machine-readable reason (`"duplicate"`,
    /// `"too short"`): it is counted per reason in the run table.
    Drop(Cow<'static, str>),
}

/// A per-document failure. The runner records it (`failed.jsonl`) and, depending on the
/// stage's `on_error`, skips the document or stops the run.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct StageError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StageError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        StageError { message: message.into(), source: None }
    }

    /// An error with a message and an underlying cause.
    pub fn with_source(message: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        StageError { message: message.into(), source: Some(Box::new(source)) }
    }

    /// The message followed by its chain of causes.
    pub fn full_message(&self) -> String {
        let mut s = self.message.clone();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            s.push_str(": ");
            s.push_str(&c.to_string());
            cause = c.source();
        }
        s
    }
}

impl From<std::io::Error> for StageError {
    fn from(e: std::io::Error) -> Self {
        StageError::with_source("I/O error", e)
    }
}

/// A stateless per-document stage. Must be `Sync`: it is shared by the worker threads.
pub trait MapStage: Send + Sync {
    /// Processes one document.
    fn process(&self, doc: Document) -> Result<Outcome, StageError>;
}

/// A stateful stage that sees documents in input order.
pub trait OrderedStage: Send + Sync {
    /// Parallel pre-pass over a batch, before [`OrderedStage::process`] sees it. Store results
    /// on the document (for example in `attributes`, removed again in `process`).
    fn prepare(&self, _doc: &mut Document) -> Result<(), StageError> {
        Ok(())
    }

    /// Processes one document, in input order.
    fn process(&mut self, doc: Document) -> Result<Outcome, StageError>;

    /// Called once after the last document: emit what was held back, save state.
    fn finish(&mut self) -> Result<Vec<Document>, StageError> {
        Ok(Vec::new())
    }

    /// Named counters of work that is not a whole document (units removed inside documents,
    /// their bytes, index size), read once after [`OrderedStage::finish`] and reported in
    /// `stats.json` and the run table. Names are lower-case phrases: `sentence duplicates
    /// removed`.
    fn counters(&self) -> Vec<(String, u64)> {
        Vec::new()
    }
}

/// A sink: receives every document that reaches it, in input order, and passes it on.
pub trait Sink: Send {
    /// Called once before the first document (open files here).
    fn begin(&mut self) -> Result<(), StageError> {
        Ok(())
    }

    /// Writes one document.
    fn write(&mut self, doc: &Document) -> Result<(), StageError>;

    /// Called once after the last document, with the statistics of the run so far. Commit
    /// outputs atomically here (write to a temporary file, then rename).
    fn finish(&mut self, _stats: &RunStats) -> Result<(), StageError> {
        Ok(())
    }
}

/// A built stage, ready to run.
pub enum Stage {
    /// See [`MapStage`].
    Map(Box<dyn MapStage>),
    /// See [`OrderedStage`].
    Ordered(Box<dyn OrderedStage>),
    /// See [`Sink`].
    Sink(Box<dyn Sink>),
}

impl std::fmt::Debug for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Map(_) => "Stage::Map",
            Stage::Ordered(_) => "Stage::Ordered",
            Stage::Sink(_) => "Stage::Sink",
        })
    }
}

/// The kind of a stage, for documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StageKind {
    /// Stateless per document, parallel.
    Map,
    /// Stateful, in input order.
    Ordered,
    /// Writes output.
    Sink,
}

impl std::fmt::Display for StageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StageKind::Map => "map (stateless, parallel)",
            StageKind::Ordered => "ordered (stateful, input order)",
            StageKind::Sink => "sink (writes output)",
        })
    }
}
