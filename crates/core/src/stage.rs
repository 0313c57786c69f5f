//! The three kinds of stage and what they return.
//!
//! - [`MapStage`]: stateless, one document in, zero or more out (tagging, splitting,
//!   filtering). The runner calls it from many threads at once and keeps output order equal
//!   to input order, so a map stage never sees or depends on other documents.
//! - [`OrderedStage`]: stateful; sees every document exactly once, in input order, and may
//!   emit more at the end (dedupe). Its [`OrderedStage::prepare`] runs in parallel first, for
//!   the expensive per-document work (hashing, signatures), and returns a typed value
//!   ([`OrderedStage::Prepared`]) that [`OrderedStage::process`] receives with the document.
//! - [`Sink`]: writes documents somewhere (`begin` / `write` / `finish`) and passes them on
//!   unchanged, so several sinks can sit in one pipeline. A sink that wants to list what
//!   earlier stages dropped implements [`Sink::dropped`] (a [`DropRecord`] per dropped
//!   document, with the stage's detail from [`Outcome::DropWith`]).
//!
//! A built stage is a [`Stage`]. The runner holds an ordered stage as a
//! [`DynOrderedStage`], the same stage with its `Prepared` value boxed: every
//! [`OrderedStage`] is one, so a plugin writes `Stage::ordered(stage)` and never sees the
//! boxing.
//!
//! Every method may fail with a [`StageError`] and may panic; the runner guards each call (see
//! `runner.rs` for what a failure does in each place).

use std::any::Any;
use std::borrow::Cow;

use crate::document::{Document, Source};
use crate::sharding::DynShardedStage;
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
    /// Dropped like [`Outcome::Drop`], with a JSON detail for later sinks (dedupe: what the
    /// document repeats, `{"duplicate_of": …, "similarity": …}`): they receive it in a
    /// [`DropRecord`] through [`Sink::dropped`]. Built with [`Outcome::drop_with`].
    DropWith {
        /// As for [`Outcome::Drop`].
        reason: Cow<'static, str>,
        /// What a reader of the drop should know (an object, by convention).
        detail: serde_json::Value,
    },
}

impl Outcome {
    /// A drop with a detail: see [`Outcome::DropWith`].
    pub fn drop_with(reason: impl Into<Cow<'static, str>>, detail: serde_json::Value) -> Outcome {
        Outcome::DropWith { reason: reason.into(), detail }
    }
}

/// A document a stage dropped, as the sinks after that stage see it ([`Sink::dropped`]):
/// the document itself is gone, this says which one it was, where it came from and why it
/// went.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DropRecord {
    /// The stage instance that dropped it.
    pub stage: String,
    /// The reason ([`Outcome::Drop`]; `"no output"` for an empty [`Outcome::Split`]).
    pub reason: String,
    /// The document id.
    pub id: String,
    /// Where the document is in the input (without its edit list, as in `failed.jsonl`).
    pub source: Source,
    /// The stage's detail ([`Outcome::DropWith`]), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
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
///
/// ```
/// use docpipe_core::{Document, OrderedStage, Outcome, Stage, StageError};
///
/// /// Drops a document whose word count was seen before.
/// #[derive(Default)]
/// struct FirstOfEachLength(std::collections::HashSet<usize>);
///
/// impl OrderedStage for FirstOfEachLength {
///     type Prepared = usize;
///
///     fn prepare(&self, doc: &mut Document) -> Result<usize, StageError> {
///         Ok(doc.text.split_whitespace().count()) // in parallel
///     }
///
///     fn process(&mut self, doc: Document, words: usize) -> Result<Outcome, StageError> {
///         // in input order
///         Ok(if self.0.insert(words) { Outcome::Keep(doc) } else { Outcome::Drop("same length".into()) })
///     }
/// }
///
/// let stage = Stage::ordered(FirstOfEachLength::default());
/// # let _ = stage;
/// ```
pub trait OrderedStage: Send + Sync {
    /// What [`OrderedStage::prepare`] computes for one document and
    /// [`OrderedStage::process`] receives with it (`()` when there is nothing to hand over).
    type Prepared: Send + 'static;

    /// Parallel pre-pass, called for every document of a batch (from many threads, in any
    /// order) before [`OrderedStage::process`] sees any of them: do the per-document work
    /// here and return its result. The document may be changed too (a layer of spans that
    /// needs no corpus state). An error fails the document as a `process` error would.
    fn prepare(&self, doc: &mut Document) -> Result<Self::Prepared, StageError>;

    /// Processes one document, in input order, with what `prepare` returned for it.
    fn process(&mut self, doc: Document, prepared: Self::Prepared) -> Result<Outcome, StageError>;

    /// Called once after the last document: emit what was held back, save state. The
    /// documents returned pass through the rest of the pipeline like any stage output (the
    /// runner checks their invariants).
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

    /// The stage's sharding hooks, when it has them: a stage that implements
    /// [`crate::sharding::ShardedStage`] returns `Some(self)` here and in
    /// [`OrderedStage::sharded_mut`], and can then run on shards (`docpipe plan`). The
    /// default, `None`, keeps the stage to single-process runs.
    fn sharded(&self) -> Option<&dyn DynShardedStage> {
        None
    }

    /// [`OrderedStage::sharded`], for `decide` (`Some(self)` too).
    fn sharded_mut(&mut self) -> Option<&mut dyn DynShardedStage> {
        None
    }
}

/// What an ordered stage's `prepare` returned, with its type erased: the runner carries it
/// from [`DynOrderedStage::prepare`] to [`DynOrderedStage::process`] of the same stage.
pub struct PreparedBox(Box<dyn Any + Send>);

impl PreparedBox {
    /// The value, if it has type `P` (it came from a stage whose `Prepared` is `P`).
    pub fn downcast<P: 'static>(self) -> Option<P> {
        self.0.downcast::<P>().ok().map(|p| *p)
    }
}

impl std::fmt::Debug for PreparedBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PreparedBox")
    }
}

mod sealed {
    /// Keeps [`super::DynOrderedStage`] implemented only through [`super::OrderedStage`].
    pub trait Sealed {}
    impl<T: super::OrderedStage> Sealed for T {}
}

/// An [`OrderedStage`] with its [`OrderedStage::Prepared`] type boxed, so stages with
/// different types fit in one [`Stage`]. Implemented for every `OrderedStage` (and only for
/// them); plugins never implement or call it. Tests and harnesses that drive a built stage
/// call `prepare` and hand its result to `process`, as the runner does.
pub trait DynOrderedStage: sealed::Sealed + Send + Sync {
    /// [`OrderedStage::prepare`], its result boxed.
    fn prepare(&self, doc: &mut Document) -> Result<PreparedBox, StageError>;

    /// [`OrderedStage::process`] with a value from this stage's `prepare`; a value from
    /// another stage is an error.
    fn process(&mut self, doc: Document, prepared: PreparedBox) -> Result<Outcome, StageError>;

    /// [`OrderedStage::finish`].
    fn finish(&mut self) -> Result<Vec<Document>, StageError>;

    /// [`OrderedStage::counters`].
    fn counters(&self) -> Vec<(String, u64)>;

    /// [`OrderedStage::sharded`].
    fn sharded(&self) -> Option<&dyn DynShardedStage>;

    /// [`OrderedStage::sharded_mut`].
    fn sharded_mut(&mut self) -> Option<&mut dyn DynShardedStage>;
}

impl<T: OrderedStage> DynOrderedStage for T {
    fn prepare(&self, doc: &mut Document) -> Result<PreparedBox, StageError> {
        // A zero-sized `Prepared` (`()`) boxes without allocating.
        OrderedStage::prepare(self, doc).map(|p| PreparedBox(Box::new(p)))
    }

    fn process(&mut self, doc: Document, prepared: PreparedBox) -> Result<Outcome, StageError> {
        match prepared.0.downcast::<T::Prepared>() {
            Ok(p) => OrderedStage::process(self, doc, *p),
            Err(_) => Err(StageError::new("the prepared value came from another stage (a bug in the runner)")),
        }
    }

    fn finish(&mut self) -> Result<Vec<Document>, StageError> {
        OrderedStage::finish(self)
    }

    fn counters(&self) -> Vec<(String, u64)> {
        OrderedStage::counters(self)
    }

    fn sharded(&self) -> Option<&dyn DynShardedStage> {
        OrderedStage::sharded(self)
    }

    fn sharded_mut(&mut self) -> Option<&mut dyn DynShardedStage> {
        OrderedStage::sharded_mut(self)
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

    /// Receives a document that a stage before this sink dropped (default: ignored; the
    /// export formats JSONL, CSV and Parquet ignore them, the HTML and Markdown reports list
    /// them). The runner passes each batch's drop records before that batch's documents,
    /// ordered by the input document they come from, then by stage, so the sequence of
    /// records (like that of documents) never depends on threads or batch sizes; how the
    /// two sequences interleave does, so a sink keeps them apart. An error or a panic
    /// follows the sink's `on_error`: under `skip` it is logged and the run goes on (the
    /// document stays counted as dropped), under `fail` the run stops.
    fn dropped(&mut self, _record: &DropRecord) -> Result<(), StageError> {
        Ok(())
    }

    /// Called once after the last document, with the statistics of the run so far. Commit
    /// outputs atomically here (write to a temporary file, then rename).
    fn finish(&mut self, _stats: &RunStats) -> Result<(), StageError> {
        Ok(())
    }

    /// How a sharded job builds this sink's output (see `crate::shard`). The default,
    /// [`ShardMerge::Replay`], is always right; [`ShardMerge::Concat`] lets every shard write
    /// its part in parallel.
    fn shard_merge(&self) -> ShardMerge {
        ShardMerge::Replay
    }
}

/// How `docpipe merge` builds a sink's output from the shards of a sharded job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShardMerge {
    /// Every shard runs the sink on its documents; these files of the shards, concatenated in
    /// shard order, are byte for byte what a single run writes (plain JSONL: one line per
    /// document, nothing before or after, no drop records, nothing from the run's stats).
    Concat(Vec<std::path::PathBuf>),
    /// The sink needs the whole run (a report, a Parquet file, compressed output): the shards
    /// keep what reaches it, and `merge` runs it once over all of it, in order, with the
    /// merged statistics.
    Replay,
}

/// A built stage, ready to run.
pub enum Stage {
    /// See [`MapStage`].
    Map(Box<dyn MapStage>),
    /// See [`OrderedStage`]; built with [`Stage::ordered`] (or `Stage::Ordered(Box::new(s))`).
    Ordered(Box<dyn DynOrderedStage>),
    /// See [`Sink`].
    Sink(Box<dyn Sink>),
}

impl Stage {
    /// A map stage.
    pub fn map(stage: impl MapStage + 'static) -> Stage {
        Stage::Map(Box::new(stage))
    }

    /// An ordered stage.
    pub fn ordered(stage: impl OrderedStage + 'static) -> Stage {
        Stage::Ordered(Box::new(stage))
    }

    /// A sink.
    pub fn sink(stage: impl Sink + 'static) -> Stage {
        Stage::Sink(Box::new(stage))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands each document's length from `prepare` to `process`.
    struct Length;
    impl OrderedStage for Length {
        type Prepared = usize;
        fn prepare(&self, doc: &mut Document) -> Result<usize, StageError> {
            Ok(doc.text.len())
        }
        fn process(&mut self, mut doc: Document, len: usize) -> Result<Outcome, StageError> {
            doc.attributes.insert("length".into(), len.into());
            Ok(Outcome::Keep(doc))
        }
    }

    /// Hands nothing over.
    struct Nothing;
    impl OrderedStage for Nothing {
        type Prepared = ();
        fn prepare(&self, _: &mut Document) -> Result<(), StageError> {
            Ok(())
        }
        fn process(&mut self, doc: Document, (): ()) -> Result<Outcome, StageError> {
            Ok(Outcome::Keep(doc))
        }
    }

    fn ordered(stage: Stage) -> Box<dyn DynOrderedStage> {
        match stage {
            Stage::Ordered(o) => o,
            other => panic!("not ordered: {other:?}"),
        }
    }

    #[test]
    fn the_prepared_value_reaches_process_and_a_foreign_one_is_refused() {
        let mut length = ordered(Stage::ordered(Length));
        let nothing = ordered(Stage::ordered(Nothing));
        let mut doc = Document::from_source("d", "four".into(), "f.txt", 0);
        let p = length.prepare(&mut doc).unwrap();
        let Outcome::Keep(doc) = length.process(doc, p).unwrap() else { panic!("not kept") };
        assert_eq!(doc.attributes["length"], 4);

        let mut doc = Document::from_source("d", "four".into(), "f.txt", 0);
        let foreign = nothing.prepare(&mut doc).unwrap();
        let err = length.process(doc, foreign).unwrap_err();
        assert!(err.to_string().contains("came from another stage"), "{err}");
    }
}
