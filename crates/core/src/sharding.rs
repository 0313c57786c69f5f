//! Sharding hooks: how an ordered stage makes its corpus-wide decisions when the corpus is
//! processed as shards, on several machines (issue 16).
//!
//! An ordered stage's `process` is a state machine that sees every document in input order
//! (dedupe: "was this seen before?"; entities: "which entity is this name?"; summarise:
//! "which group does this document join?"). On shards, no process sees every document. A
//! stage that implements [`ShardedStage`] splits its `process` in three:
//!
//! 1. [`ShardedStage::key`], on every shard, in parallel: what the decision needs of one
//!    document, compact and serialisable (dedupe: the units' fingerprints and signatures;
//!    entities: the names in first-mention order; summarise: the group key and best
//!    sentences);
//! 2. [`ShardedStage::decide`], in one process, over the keys of all shards in global
//!    input order: the same state as `process` keeps, giving a serialisable decision per
//!    document (drop as a duplicate of X, cut these units, these entity ids);
//! 3. [`ShardedStage::apply`], back on the shards: the decision applied to the document.
//!
//! The single-process path is the same three calls in a row ([`process_with_hooks`]), so
//! a sharded run and a single run share one implementation and give the same bytes. The
//! stage's [`crate::OrderedStage::finish`] runs only in the process that decides (it emits
//! what was held back and saves indexes), never on the shards that apply.
//!
//! A stage opts in by implementing [`ShardedStage`] and overriding
//! [`crate::OrderedStage::sharded`] and [`crate::OrderedStage::sharded_mut`] with
//! `Some(self)`; a pipeline with an ordered stage
//! that does not is refused by `docpipe plan`.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::document::Document;
use crate::stage::{OrderedStage, Outcome, PreparedBox, StageError};

/// The three parts of an ordered stage's `process`, for sharded runs (see the module doc).
pub trait ShardedStage: OrderedStage {
    /// What [`ShardedStage::decide`] needs of one document. It crosses processes as JSON,
    /// so keep it compact: it is the volume a single resolve process reads.
    type Key: Serialize + DeserializeOwned + Send + 'static;
    /// What [`ShardedStage::apply`] needs to finish one document. Crosses processes as JSON.
    type Decision: Serialize + DeserializeOwned + Send + 'static;

    /// The key of a document, from the document and what `prepare` returned for it. Called
    /// in parallel, in any order.
    fn key(&self, doc: &Document, prepared: Self::Prepared) -> Result<Self::Key, StageError>;

    /// The decision for one document, in global input order: all the stage's corpus state
    /// lives here (and in `finish`, `counters`).
    fn decide(&mut self, key: Self::Key) -> Result<Self::Decision, StageError>;

    /// Applies a decision to the document it was made for. Must not depend on state that
    /// `decide` keeps: on a shard, `decide` never ran in this process.
    fn apply(&self, doc: Document, decision: Self::Decision) -> Result<Outcome, StageError>;
}

/// `process` written with the hooks: what an ordered stage that implements
/// [`ShardedStage`] calls from its [`OrderedStage::process`], so the single-process path is
/// exactly key → decide → apply.
pub fn process_with_hooks<S: ShardedStage>(
    stage: &mut S,
    doc: Document,
    prepared: S::Prepared,
) -> Result<Outcome, StageError> {
    let key = stage.key(&doc, prepared)?;
    let decision = stage.decide(key)?;
    stage.apply(doc, decision)
}

/// A [`ShardedStage`] with its key and decision as JSON values, so the runner can hold
/// stages with different types. Implemented for every `ShardedStage`; plugins never
/// implement or call it.
pub trait DynShardedStage: Send + Sync {
    /// [`ShardedStage::key`] with the value from this stage's `prepare`, as JSON.
    fn key_json(&self, doc: &Document, prepared: PreparedBox) -> Result<serde_json::Value, StageError>;
    /// [`ShardedStage::decide`] on a JSON key, giving a JSON decision.
    fn decide_json(&mut self, key: serde_json::Value) -> Result<serde_json::Value, StageError>;
    /// [`ShardedStage::apply`] with a JSON decision.
    fn apply_json(&self, doc: Document, decision: serde_json::Value) -> Result<Outcome, StageError>;
}

impl<T: ShardedStage> DynShardedStage for T {
    fn key_json(&self, doc: &Document, prepared: PreparedBox) -> Result<serde_json::Value, StageError> {
        let prepared = prepared
            .downcast::<T::Prepared>()
            .ok_or_else(|| StageError::new("the prepared value came from another stage (a bug in the runner)"))?;
        let key = ShardedStage::key(self, doc, prepared)?;
        serde_json::to_value(key).map_err(|e| StageError::with_source("cannot serialise the sharding key", e))
    }

    fn decide_json(&mut self, key: serde_json::Value) -> Result<serde_json::Value, StageError> {
        let key: T::Key =
            serde_json::from_value(key).map_err(|e| StageError::with_source("malformed sharding key", e))?;
        let decision = ShardedStage::decide(self, key)?;
        serde_json::to_value(decision).map_err(|e| StageError::with_source("cannot serialise the decision", e))
    }

    fn apply_json(&self, doc: Document, decision: serde_json::Value) -> Result<Outcome, StageError> {
        let decision: T::Decision =
            serde_json::from_value(decision).map_err(|e| StageError::with_source("malformed sharding decision", e))?;
        ShardedStage::apply(self, doc, decision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drops a document whose word count was seen before, written with the hooks.
    #[derive(Default)]
    struct FirstOfEachLength(std::collections::HashSet<usize>);

    impl OrderedStage for FirstOfEachLength {
        type Prepared = usize;
        fn prepare(&self, doc: &mut Document) -> Result<usize, StageError> {
            Ok(doc.text.split_whitespace().count())
        }
        fn process(&mut self, doc: Document, words: usize) -> Result<Outcome, StageError> {
            process_with_hooks(self, doc, words)
        }
        fn sharded(&self) -> Option<&dyn DynShardedStage> {
            Some(self)
        }
        fn sharded_mut(&mut self) -> Option<&mut dyn DynShardedStage> {
            Some(self)
        }
    }

    impl ShardedStage for FirstOfEachLength {
        type Key = usize;
        type Decision = bool;
        fn key(&self, _: &Document, words: usize) -> Result<usize, StageError> {
            Ok(words)
        }
        fn decide(&mut self, words: usize) -> Result<bool, StageError> {
            Ok(self.0.insert(words))
        }
        fn apply(&self, doc: Document, first: bool) -> Result<Outcome, StageError> {
            Ok(if first { Outcome::Keep(doc) } else { Outcome::Drop("same length".into()) })
        }
    }

    fn doc(id: &str, text: &str) -> Document {
        Document::from_source(id, text.into(), "f.txt", 0)
    }

    #[test]
    fn hooks_through_json_decide_as_process_does() {
        let texts = ["a b", "c d", "e", "f g h", "i"];
        // Single process.
        let mut single = FirstOfEachLength::default();
        let mut kept_single = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let mut d = doc(&i.to_string(), t);
            let p = OrderedStage::prepare(&single, &mut d).unwrap();
            kept_single.push(matches!(OrderedStage::process(&mut single, d, p).unwrap(), Outcome::Keep(_)));
        }
        // Keys on a "shard", decisions in a resolver, applied on another instance.
        let shard = FirstOfEachLength::default();
        let mut resolver = FirstOfEachLength::default();
        let mut kept_sharded = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let mut d = doc(&i.to_string(), t);
            let dynamic = shard.sharded().unwrap();
            let p = crate::stage::DynOrderedStage::prepare(&FirstOfEachLength::default(), &mut d).unwrap();
            let key = dynamic.key_json(&d, p).unwrap();
            let decision = resolver.sharded_mut().unwrap().decide_json(key).unwrap();
            let out = shard.sharded().unwrap().apply_json(d, decision).unwrap();
            kept_sharded.push(matches!(out, Outcome::Keep(_)));
        }
        assert_eq!(kept_single, vec![true, false, true, true, false]);
        assert_eq!(kept_single, kept_sharded);
        // A malformed decision is an error, not a panic.
        let err = shard.sharded().unwrap().apply_json(doc("x", "y"), serde_json::json!("no")).unwrap_err();
        assert!(err.full_message().contains("malformed sharding decision"), "{}", err.full_message());
    }
}
