//! The stage registry: plugins register a [`StageFactory`] with [`crate::register_stage!`],
//! and the CLI finds them here by name.
//!
//! One registration feeds everything: `docpipe stages` (name, summary), `docpipe stages NAME`
//! and `docs/stages.md` (options and example), the JSON Schema of a pipeline
//! ([`pipeline_schema`]), config validation (known option names for did-you-mean) and the
//! registry tests (every example builds; building with the documented defaults equals
//! building with none). The options come from the options struct itself
//! (`#[derive(docpipe_core::Options)]`, see [`crate::options`]), so they cannot drift.
//!
//! Iteration order of `inventory` is unspecified, so [`factories`] sorts by name.

use crate::config::StageOptions;
use crate::options::{OptionDefault, OptionDoc};
use crate::stage::{Stage, StageKind};

/// A hand-written option table entry: the form before `#[derive(Options)]`, kept only for
/// plugins not converted yet (see [`OptionList::Table`]). Its `ty` and `default` are free
/// text that nothing checks; prefer the derive.
#[derive(Debug, Clone, Copy)]
pub struct LegacyOptionDoc {
    /// The TOML key.
    pub name: &'static str,
    /// Its type, as a user reads it.
    pub ty: &'static str,
    /// The default, as TOML (empty if the option is required).
    pub default: &'static str,
    /// What it means.
    pub doc: &'static str,
}

/// Where a stage's option documentation comes from.
#[derive(Debug, Clone, Copy)]
pub enum OptionList {
    /// The options struct (`#[derive(docpipe_core::Options)]`): what [`crate::register_stage!`]
    /// writes.
    Derived {
        /// [`crate::options::Options::docs`].
        docs: fn() -> Vec<OptionDoc>,
        /// [`crate::options::Options::check_documented_defaults`].
        check_defaults: fn() -> Result<(), String>,
    },
    /// A hand-written table (legacy).
    Table(&'static [LegacyOptionDoc]),
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
    pub options: OptionList,
    /// A `[[stage]]` TOML example; a test parses and builds it.
    pub example: &'static str,
    /// The constructor. It must reject unknown keys (`#[serde(deny_unknown_fields)]`).
    pub build: BuildFn,
}

impl StageFactory {
    /// Every option the stage accepts, in declaration order.
    pub fn options(&self) -> Vec<OptionDoc> {
        match self.options {
            OptionList::Derived { docs, .. } => docs(),
            OptionList::Table(table) => table
                .iter()
                .map(|o| OptionDoc {
                    name: o.name,
                    ty: o.ty.to_owned(),
                    default: if o.default.is_empty() {
                        OptionDefault::Required
                    } else {
                        OptionDefault::Text(o.default.into())
                    },
                    doc: o.doc,
                    schema: serde_json::json!({}),
                })
                .collect(),
        }
    }

    /// The JSON Schema of one `[[stage]]` table of this type.
    pub fn schema(&self) -> serde_json::Value {
        let mut s = crate::options::table_schema(&self.options(), &common_keys(Some(self.name)));
        s["title"] = self.name.into();
        s["description"] = self.summary.into();
        s
    }
}

/// Registers a stage type: its name, documentation, options struct, example and constructor.
///
/// ```
/// # use docpipe_core::{BuildError, Stage, StageOptions};
/// # use serde::{Deserialize, Serialize};
/// /// Options of the `word-stats` stage.
/// #[derive(Debug, Default, Deserialize, Serialize, docpipe_core::Options)]
/// #[serde(deny_unknown_fields, default)]
/// pub struct Options {
///     /// Documents with fewer words are dropped.
///     pub min_words: usize,
/// }
///
/// fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
///     let _options: Options = options.deserialize()?;
///     Err(options.error("min_words", "this example builds nothing"))
/// }
///
/// docpipe_core::register_stage! {
///     name: "word-stats",
///     summary: "Count words; drop short documents",
///     description: "",
///     kind: Map,
///     options: Options,
///     example: "[[stage]]\ntype = \"word-stats\"\nmin_words = 5\n",
///     build: build,
/// }
///
/// let f = docpipe_core::registry::find("word-stats").unwrap();
/// assert_eq!(f.options()[0].default.to_string(), "0");
/// ```
///
/// `kind` is a [`StageKind`] variant; `options` a type with `#[derive(docpipe_core::Options)]`;
/// `build` a [`BuildFn`].
#[macro_export]
macro_rules! register_stage {
    (
        name: $name:expr,
        summary: $summary:expr,
        description: $description:expr,
        kind: $kind:ident,
        options: $options:ty,
        example: $example:expr,
        build: $build:expr $(,)?
    ) => {
        $crate::inventory::submit! {
            $crate::registry::StageFactory {
                name: $name,
                package: ::core::env!("CARGO_PKG_NAME"),
                summary: $summary,
                description: $description,
                kind: $crate::StageKind::$kind,
                options: $crate::registry::OptionList::Derived {
                    docs: <$options as $crate::options::Options>::docs,
                    check_defaults: <$options as $crate::options::Options>::check_documented_defaults,
                },
                example: $example,
                build: $build,
            }
        }
    };
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

/// The keys every `[[stage]]` table takes (`type` fixed to `name` when given).
fn common_keys(name: Option<&str>) -> Vec<(&'static str, serde_json::Value)> {
    let ty = match name {
        Some(n) => serde_json::json!({"const": n, "description": "The stage type."}),
        None => serde_json::json!({"type": "string", "description": "The stage type (`docpipe stages` lists them)."}),
    };
    vec![
        ("type", ty),
        (
            "name",
            serde_json::json!({"type": "string", "description": "A label for logs and the run table (default: the type)."}),
        ),
        (
            "on_error",
            serde_json::json!({"type": "string", "enum": ["skip", "fail"], "description": "What to do when the stage fails on a document (default: `[run] on_error`)."}),
        ),
    ]
}

/// The JSON Schema (draft 2020-12) of a whole pipeline config: `[input]`, `[output]`, `[run]`
/// and `[[stage]]` tables of every registered type. `config/pipeline.schema.json` holds it
/// for the stages the CLI links (a test keeps it current).
pub fn pipeline_schema() -> serde_json::Value {
    let stages: Vec<serde_json::Value> = factories()
        .iter()
        .map(|f| {
            serde_json::json!({
                "if": {"properties": {"type": {"const": f.name}}, "required": ["type"]},
                "then": {"$ref": format!("#/$defs/{}", f.name)},
            })
        })
        .collect();
    let mut defs = serde_json::Map::new();
    for f in factories() {
        defs.insert(f.name.to_owned(), f.schema());
    }
    let names: Vec<&str> = factories().iter().map(|f| f.name).collect();
    let mut stage = crate::options::table_schema(&[], &common_keys(None));
    stage["properties"]["type"]["enum"] = serde_json::json!(names);
    stage["required"] = serde_json::json!(["type"]);
    // The stage's own schema (in `allOf`) checks its options; this one only the type.
    stage["additionalProperties"] = true.into();
    stage["allOf"] = stages.into();
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://docpipe.invalid/schema/pipeline.schema.json",
        "title": "docpipe pipeline config",
        "description": "A docpipe pipeline (TOML). Generated from the stage registry by `cargo xtask docs`; do not edit by hand.",
        "type": "object",
        "properties": {
            "input": crate::config::section_schema::<crate::config::InputSection>(),
            "output": crate::config::section_schema::<crate::config::OutputSection>(),
            "run": crate::config::section_schema::<crate::config::RunSection>(),
            "stage": {"type": "array", "items": stage},
        },
        "additionalProperties": false,
        "$defs": defs,
    })
}
