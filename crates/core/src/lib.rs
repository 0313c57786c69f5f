//! docpipe-core: everything the plugins plug into.
//!
//! - [`document`]: the [`Document`] model and its JSONL record form (a public contract);
//! - [`align`]: exact alignment between a document's text and its input bytes;
//! - [`stage`]: the three stage kinds ([`MapStage`], [`OrderedStage`], [`Sink`]);
//! - [`registry`]: plugins register a [`StageFactory`] with [`register_stage!`];
//! - [`options`]: stage options described by their struct (`#[derive(Options)]`);
//! - [`config`]: TOML pipelines, parsed with spans and validated all at once;
//! - [`input`]: input discovery and readers (text, JSONL, stdin, gzip, zstd);
//! - [`runner`]: the streaming, parallel, deterministic pipeline runner;
//! - [`shard`]: sharded execution (plan, rounds, resolve, merge) for clusters;
//! - [`sharding`]: the hooks that let an ordered stage decide across shards;
//! - [`shard_input`]: which bytes of the input each shard reads, and reading them;
//! - [`stats`]: per-stage accounting; [`output`]: atomic output files.
//!
//! Core knows no plugin and never prints; only the CLI does.

pub mod align;
pub mod config;
pub mod document;
pub mod input;
pub mod options;
pub mod output;
pub mod registry;
pub mod runner;
pub mod shard;
pub mod shard_input;
pub mod sharding;
pub mod stage;
pub mod stats;

pub use config::{BuildError, StageOptions};
pub use document::{Document, Source, Span};
pub use options::OptionDoc;
pub use registry::StageFactory;

/// `#[derive(docpipe_core::Options)]` on a stage's options struct; see [`options`].
pub use docpipe_options_derive::{OptionType, Options};

// The derives name this crate as `::docpipe_core`, core's own config sections included.
extern crate self as docpipe_core;
pub use stage::{
    DropRecord, DynOrderedStage, MapStage, OrderedStage, Outcome, PreparedBox, ShardMerge, Sink, Stage, StageError,
    StageKind,
};

/// Re-exported so plugins register with the same `inventory` version as core.
pub use inventory;
