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
//! A registration may also declare the [`attributes`](crate::Document::attributes) the stage
//! writes ([`AttributeDecl`]): key, field names and types. Parquet output turns each declared
//! key into a typed struct column (the same schema for every run, whatever stages it uses),
//! `docpipe stages NAME` prints them, and [`AttributeDecl::check`] lets each plugin's tests
//! verify that what it writes matches what it declares.
//!
//! Iteration order of `inventory` is unspecified, so [`factories`] sorts by name.

use crate::config::StageOptions;
use crate::options::OptionDoc;
use crate::stage::{Stage, StageKind};

/// Where a stage's option documentation comes from: its options struct
/// (`#[derive(docpipe_core::Options)]`, or a hand-written [`crate::options::Options`] impl),
/// filled in by [`crate::register_stage!`].
#[derive(Debug, Clone, Copy)]
pub struct OptionList {
    /// [`crate::options::Options::docs`].
    pub docs: fn() -> Vec<OptionDoc>,
    /// [`crate::options::Options::check_documented_defaults`].
    pub check_defaults: fn() -> Result<(), String>,
}

/// The type of one declared attribute field. Every field is nullable (and may be absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// A JSON string.
    String,
    /// An integer that fits an `i64`.
    Int,
    /// Any JSON number.
    Float,
    /// `true` or `false`.
    Bool,
    /// Any JSON value (Parquet writes it as JSON text).
    Json,
    /// An array whose items all have this type.
    List(&'static AttrType),
    /// An object with these fields (and no others).
    Struct(&'static [AttrField]),
}

impl AttrType {
    /// Whether `v` has this type (`null` fits every type).
    pub fn fits(&self, v: &serde_json::Value) -> bool {
        use serde_json::Value as V;
        match (self, v) {
            (_, V::Null) | (AttrType::Json, _) | (AttrType::String, V::String(_)) | (AttrType::Bool, V::Bool(_)) => {
                true
            }
            (AttrType::Int, V::Number(n)) => n.as_i64().is_some(),
            (AttrType::Float, V::Number(_)) => true,
            (AttrType::List(item), V::Array(items)) => items.iter().all(|i| item.fits(i)),
            (AttrType::Struct(fields), V::Object(map)) => fields_fit(fields, map).is_ok(),
            _ => false,
        }
    }

    /// The type as a user reads it: `int`, `list<string>`, `struct<start: int, end: int>`.
    pub fn describe(&self) -> String {
        match self {
            AttrType::String => "string".into(),
            AttrType::Int => "int".into(),
            AttrType::Float => "float".into(),
            AttrType::Bool => "bool".into(),
            AttrType::Json => "json".into(),
            AttrType::List(item) => format!("list<{}>", item.describe()),
            AttrType::Struct(fields) => format!(
                "struct<{}>",
                fields.iter().map(|f| format!("{}: {}", f.name, f.ty.describe())).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// Checks an object against declared fields: every key declared, every value of its type.
fn fields_fit(fields: &[AttrField], map: &serde_json::Map<String, serde_json::Value>) -> Result<(), String> {
    for (k, v) in map {
        let Some(f) = fields.iter().find(|f| f.name == k) else {
            return Err(format!("`{k}` is not declared"));
        };
        if !f.ty.fits(v) {
            return Err(format!("`{k}` = {v} is not {}", f.ty.describe()));
        }
    }
    Ok(())
}

/// One field of a declared attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrField {
    /// The key inside the attribute's object.
    pub name: &'static str,
    /// Its type.
    pub ty: AttrType,
    /// What it holds (one line).
    pub doc: &'static str,
}

/// An attribute a stage writes: `attributes.<key>`, an object of declared fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeDecl {
    /// The key in [`crate::Document::attributes`].
    pub key: &'static str,
    /// What it records (one line).
    pub doc: &'static str,
    /// Its fields (any may be absent or null).
    pub fields: &'static [AttrField],
}

impl AttributeDecl {
    /// Checks a written value against the declaration: an object whose keys are all declared
    /// and whose values have their declared types. The error names the offending field.
    pub fn check(&self, value: &serde_json::Value) -> Result<(), String> {
        let map = value.as_object().ok_or_else(|| format!("attributes.{} = {value} is not an object", self.key))?;
        fields_fit(self.fields, map).map_err(|e| format!("attributes.{}: {e}", self.key))
    }

    /// The declaration as a struct type.
    pub fn ty(&self) -> AttrType {
        AttrType::Struct(self.fields)
    }
}

/// Checks the attributes a stage wrote: every key of `after` that is new or changed since
/// `before` (the document before the stage) must be declared by the stage `stage` and match
/// its declaration. Plugins call it in their tests so declarations cannot drift.
pub fn check_written_attributes(
    stage: &str,
    before: &serde_json::Map<String, serde_json::Value>,
    after: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), String> {
    let f = find(stage).ok_or_else(|| format!("no stage `{stage}` is registered"))?;
    for (k, v) in after {
        if before.get(k) == Some(v) {
            continue;
        }
        let decl = f
            .attributes
            .iter()
            .find(|d| d.key == k)
            .ok_or_else(|| format!("{stage} writes attributes.{k}, which its registration does not declare"))?;
        decl.check(v).map_err(|e| format!("{stage}: {e}"))?;
    }
    Ok(())
}

/// Every attribute declared by a registered stage, sorted by key (the first stage by name
/// wins when two declare the same key; [`duplicate_attribute_keys`] reports that).
pub fn declared_attributes() -> Vec<&'static AttributeDecl> {
    let mut all: Vec<&'static AttributeDecl> = factories().iter().flat_map(|f| f.attributes.iter()).collect();
    all.sort_by_key(|d| d.key);
    all.dedup_by_key(|d| d.key);
    all
}

/// Attribute keys declared more than once (a registry consistency check).
pub fn duplicate_attribute_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = factories().iter().flat_map(|f| f.attributes.iter().map(|d| d.key)).collect();
    keys.sort_unstable();
    let mut dups: Vec<&'static str> = keys.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    dups.dedup();
    dups
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
    /// The attributes it writes (empty: none).
    pub attributes: &'static [AttributeDecl],
}

impl StageFactory {
    /// Every option the stage accepts, in declaration order.
    pub fn options(&self) -> Vec<OptionDoc> {
        (self.options.docs)()
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
/// `build` a [`BuildFn`]. An optional last entry, `attributes: &[AttributeDecl { … }]`,
/// declares what the stage writes to [`crate::Document::attributes`] (default: nothing):
///
/// ```
/// # use docpipe_core::{BuildError, Stage, StageOptions};
/// use docpipe_core::registry::{AttrField, AttrType, AttributeDecl};
/// # #[derive(Debug, Default, serde::Deserialize, serde::Serialize, docpipe_core::Options)]
/// # #[serde(deny_unknown_fields, default)]
/// # pub struct Options {}
/// # fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
/// #     Err(options.error("type", "this example builds nothing"))
/// # }
/// docpipe_core::register_stage! {
///     name: "word-count",
///     summary: "Count words",
///     description: "",
///     kind: Map,
///     options: Options,
///     example: "[[stage]]\ntype = \"word-count\"\n",
///     build: build,
///     attributes: &[AttributeDecl {
///         key: "word_count",
///         doc: "What the stage counted.",
///         fields: &[AttrField { name: "words", ty: AttrType::Int, doc: "Words in the text." }],
///     }],
/// }
///
/// let f = docpipe_core::registry::find("word-count").unwrap();
/// assert!(f.attributes[0].check(&serde_json::json!({"words": 3})).is_ok());
/// assert!(f.attributes[0].check(&serde_json::json!({"words": "3"})).is_err());
/// ```
#[macro_export]
macro_rules! register_stage {
    (@attributes) => { &[] };
    (@attributes $attributes:expr) => { $attributes };
    (
        name: $name:expr,
        summary: $summary:expr,
        description: $description:expr,
        kind: $kind:ident,
        options: $options:ty,
        example: $example:expr,
        build: $build:expr
        $(, attributes: $attributes:expr)? $(,)?
    ) => {
        $crate::inventory::submit! {
            $crate::registry::StageFactory {
                name: $name,
                package: ::core::env!("CARGO_PKG_NAME"),
                summary: $summary,
                description: $description,
                kind: $crate::StageKind::$kind,
                options: $crate::registry::OptionList {
                    docs: <$options as $crate::options::Options>::docs,
                    check_defaults: <$options as $crate::options::Options>::check_documented_defaults,
                },
                example: $example,
                build: $build,
                attributes: $crate::register_stage!(@attributes $($attributes)?),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPAN: AttrType = AttrType::Struct(&[
        AttrField { name: "start", ty: AttrType::Int, doc: "" },
        AttrField { name: "end", ty: AttrType::Int, doc: "" },
    ]);
    const DECL: AttributeDecl = AttributeDecl {
        key: "t",
        doc: "",
        fields: &[
            AttrField { name: "n", ty: AttrType::Int, doc: "" },
            AttrField { name: "x", ty: AttrType::Float, doc: "" },
            AttrField { name: "s", ty: AttrType::String, doc: "" },
            AttrField { name: "b", ty: AttrType::Bool, doc: "" },
            AttrField { name: "j", ty: AttrType::Json, doc: "" },
            AttrField { name: "spans", ty: AttrType::List(&SPAN), doc: "" },
        ],
    };

    #[test]
    fn values_fit_their_declared_types() {
        let ok = json!({"n": -3, "x": 1, "s": "a", "b": true, "j": {"any": [1]}, "spans": [{"start": 0, "end": 2}]});
        assert_eq!(DECL.check(&ok), Ok(()));
        assert_eq!(DECL.check(&json!({})), Ok(()), "every field may be absent");
        assert_eq!(DECL.check(&json!({"n": null, "spans": null})), Ok(()), "or null");
        for bad in [
            json!({"n": 1.5}),
            json!({"n": u64::MAX}),
            json!({"x": "1"}),
            json!({"s": 1}),
            json!({"b": 0}),
            json!({"spans": [{"start": "0"}]}),
            json!({"spans": [{"start": 0, "other": 1}]}),
            json!({"undeclared": 1}),
            json!([1]),
        ] {
            assert!(DECL.check(&bad).is_err(), "{bad} must not fit");
        }
        assert_eq!(AttrType::List(&SPAN).describe(), "list<struct<start: int, end: int>>");
    }
}
