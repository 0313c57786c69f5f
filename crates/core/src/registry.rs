//! The stage registry: plugins submit a [`StageFactory`] with `inventory::submit!`, and the
//! CLI finds them here by name.
//!
//! One registration feeds everything: `docpipe stages` (name, summary), `docpipe stages NAME`
//! (options and example), config validation (known option names for did-you-mean) and the
//! registry tests (every example parses and builds; every documented option is a real field).
//!
//! Iteration order of `inventory` is unspecified, so [`factories`] sorts by name.

use crate::config::StageOptions;
use crate::stage::{Stage, StageKind};

/// Documentation of one option of a stage.
#[derive(Debug, Clone, Copy)]
pub struct OptionDoc {
    /// The TOML key.
    pub name: &'static str,
    /// Its type, as a user reads it (`string`, `integer`, `"a" | "b"`, `array of strings`).
    pub ty: &'static str,
    /// The default, as TOML (empty if the option is required).
    pub default: &'static str,
    /// What it means.
    pub doc: &'static str,
}

/// Builds a stage from its options.
pub type BuildFn = fn(&StageOptions<'_>) -> Result<Stage, crate::config::BuildError>;

/// A registered stage type.
#[derive(Debug)]
pub struct StageFactory {
    /// The `type` of `[[stage]]` tables.
    pub name: &'static str,
    /// The Cargo package that registered it: write `env!("CARGO_PKG_NAME")`. The CLI's
    /// linking test compares these with the crates under `plugins/`.
    pub package: &'static str,
    /// One line: what the stage does.
    pub summary: &'static str,
    /// Longer description (may be empty).
    pub description: &'static str,
    /// The kind of stage it builds.
    pub kind: StageKind,
    /// Every option it accepts (besides `type`, `name` and `on_error`, which every stage has).
    pub options: &'static [OptionDoc],
    /// A `[[stage]]` TOML example; a test parses and builds it.
    pub example: &'static str,
    /// The constructor. It must reject unknown keys (`#[serde(deny_unknown_fields)]`).
    pub build: BuildFn,
}

inventory::collect!(StageFactory);

/// Every registered factory, sorted by name.
pub fn factories() -> Vec<&'static StageFactory> {
    let mut all: Vec<&'static StageFactory> = inventory::iter::<StageFactory>.into_iter().collect();
    all.sort_by_key(|f| f.name);
    all
}

/// The factory registered under `name`.
pub fn find(name: &str) -> Option<&'static StageFactory> {
    inventory::iter::<StageFactory>.into_iter().find(|f| f.name == name)
}

/// Names registered more than once (a registry consistency check).
pub fn duplicate_names() -> Vec<&'static str> {
    let all = factories();
    let mut dups: Vec<&'static str> = all.windows(2).filter(|w| w[0].name == w[1].name).map(|w| w[0].name).collect();
    dups.dedup();
    dups
}
