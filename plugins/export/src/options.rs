//! The options of the `export` stage: one struct per format, each holding only the keys that
//! format takes, chosen by `format` (or, when `format` is left out, by the extension of
//! `path`) into the tagged enum [`ExportOptions`].
//!
//! Each struct derives `docpipe_core::Options`, so names, types, defaults and meanings come
//! from the structs; `ExportOptions` implements `Options` by hand, merging them into the one
//! list `docpipe stages export`, `docs/stages.md` and the pipeline's JSON Schema show
//! (`format`, `path`, then each option as documented by the last format in
//! [`OPTION_FORMATS`] that takes it). Tests check that the table, the structs and the docs
//! agree.
//!
//! Why not `#[serde(tag = "format")]`: the tag is optional (every shipped config leaves it to
//! the extension), and serde's internally tagged enums buffer the table before choosing a
//! variant, which drops the TOML spans, so `docpipe check` could no longer point at the
//! offending key. [`ExportOptions::from_stage`] therefore reads `format` and `path` first and
//! then deserialises the chosen struct straight from the spanned table: unknown keys keep
//! their `file:line:col` and did-you-mean, and a key that belongs to another format is
//! reported as such ("applies to csv only, not jsonl") at its position.

use std::collections::BTreeMap;
use std::path::PathBuf;

use docpipe_core::options::{OptionDefault, OptionDoc, Options as _};
use docpipe_core::{BuildError, OptionType, Options, StageOptions};
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer, Serialize};

use crate::sink_io::{Compression, Limits, SHARD_PLACEHOLDER};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, OptionType)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// From the path's extension (`-`: jsonl).
    #[default]
    Auto,
    /// One JSON record per line.
    Jsonl,
    /// Apache Parquet.
    Parquet,
    /// Comma- (or tab-) separated values.
    Csv,
    /// A self-contained HTML report.
    Html,
    /// A Markdown report.
    Markdown,
}

impl Format {
    /// The name used in `format = "…"`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Markdown => "markdown",
        }
    }

    /// The format a path's extension implies (compression suffixes skipped).
    pub fn from_path(path: &str) -> Option<Format> {
        let lower = path.to_ascii_lowercase();
        let base = lower.trim_end_matches(".gz").trim_end_matches(".zst");
        if path == "-" {
            return Some(Format::Jsonl);
        }
        let ext = base.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "jsonl" | "ndjson" | "json" => Format::Jsonl,
            "parquet" | "pq" => Format::Parquet,
            "csv" | "tsv" => Format::Csv,
            "html" | "htm" => Format::Html,
            "md" | "markdown" => Format::Markdown,
            _ => return None,
        })
    }

    /// `format` as written, or else the one `path`'s extension implies.
    pub fn resolve(self, path: &str) -> Result<Format, String> {
        match self {
            Format::Auto => Format::from_path(path).ok_or_else(|| {
                format!(
                    "cannot tell the format of `{path}` from its extension; set `format` to one of \
                     `jsonl`, `parquet`, `csv`, `html`, `markdown`"
                )
            }),
            f => Ok(f),
        }
    }

    /// A report: one file, never sharded or compressed.
    fn is_report(self) -> bool {
        matches!(self, Format::Html | Format::Markdown)
    }
}

/// Rows of CSV output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, OptionType)]
#[serde(rename_all = "lowercase")]
pub enum Rows {
    /// One row per document.
    #[default]
    Documents,
    /// One row per entity mention.
    Entities,
}

// The option structs below are what each format accepts. `docpipe stages export` shows, for
// each option, the doc comment of the *last* format in `OPTION_FORMATS` that takes it (so
// csv's `fields` and markdown's `title` are written for every format that has them, and
// start with the list of those formats); the other copies say what the option does there.

fn yes() -> bool {
    true
}

fn default_layer() -> String {
    DEFAULT_LAYER.to_owned()
}

fn default_title() -> String {
    DEFAULT_TITLE.to_owned()
}

fn default_page_size() -> usize {
    20
}

/// `format = "jsonl"`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Options)]
#[serde(deny_unknown_fields)]
pub struct JsonlOptions {
    /// `jsonl`, or left out for a .jsonl/.ndjson/.json path or `-`.
    #[serde(default)]
    pub format: Format,
    /// The output file (`-`: standard output; may hold `{shard}`; .gz/.zst compress).
    pub path: String,
    /// Listed paths become the record's keys, in order; `-path` leaves a path out.
    #[serde(default)]
    pub fields: Vec<String>,
    /// New names for the record's keys.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// Records per file (needs `{shard}`).
    #[serde(default)]
    pub max_records: u64,
    /// Uncompressed bytes per file (needs `{shard}`).
    #[serde(default)]
    pub max_bytes: u64,
}

/// `format = "parquet"`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Options)]
#[serde(deny_unknown_fields)]
pub struct ParquetOptions {
    /// `parquet`, or left out for a .parquet/.pq path.
    #[serde(default)]
    pub format: Format,
    /// The output file (may hold `{shard}`; not compressed by extension).
    pub path: String,
    /// Listed paths replace the default columns; `-path` removes one.
    #[serde(default)]
    pub fields: Vec<String>,
    /// New names for columns.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// Extra typed columns (`path` or `path:type`).
    #[serde(default)]
    pub columns: Vec<String>,
    /// Rows per file (needs `{shard}`).
    #[serde(default)]
    pub max_records: u64,
    /// Bytes of the encoded file after which the next starts (needs `{shard}`).
    #[serde(default)]
    pub max_bytes: u64,
}

/// `format = "csv"`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Options)]
#[serde(deny_unknown_fields)]
pub struct CsvOptions {
    /// `csv`, or left out for a .csv/.tsv path.
    #[serde(default)]
    pub format: Format,
    /// The output file (`-`: standard output; may hold `{shard}`; .gz/.zst compress).
    pub path: String,
    /// jsonl, parquet and csv: field paths such as `id`, `source.path`,
    /// `attributes.summary.text`, `annotations.entities`. jsonl: listed paths become the
    /// record's keys, in order; `-path` entries leave a path out of the full record (or out
    /// of a selected field). parquet and csv (document rows): listed paths replace the
    /// default columns and `-path` removes one. Unknown top-level fields are config errors
    /// with a did-you-mean.
    #[serde(default)]
    pub fields: Vec<String>,
    /// jsonl, parquet and csv: new names for output keys or columns: `rename = {
    /// "attributes.summary.text" = "summary", text = "content" }`. In a full jsonl record
    /// only top-level fields can be renamed; in csv entity rows, the entity columns.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// parquet and csv (document rows): extra columns promoted from field paths, `path` or
    /// `path:type` with type `string` (default), `int`, `float`, `bool` or `json`; values
    /// that do not fit the type are null. Named after the path with dots as underscores
    /// (`attributes_summary_text`; in parquet every character other than ASCII letters,
    /// digits and `_` becomes `_` too) unless renamed. A listed column's type replaces its
    /// natural one (`annotations:json` writes parquet annotations as JSON text;
    /// `attributes:json` the attributes, instead of a typed struct per declared key plus
    /// `attributes_other`).
    #[serde(default)]
    pub columns: Vec<String>,
    /// csv: one row per document, or one row per entity mention with columns doc_id, label,
    /// text, canonical, entity_id, start, end (byte offsets into the document text).
    #[serde(default)]
    pub rows: Rows,
    /// The entity span layer, with `rows = "entities"` only (unset: `entities`).
    #[serde(default)]
    pub layer: Option<String>,
    /// csv: the field delimiter, one ASCII character (`\t` or `tab` for tabs); unset, a
    /// comma, or a tab for a .tsv path. Fields holding the delimiter, quotes, line breaks,
    /// edge spaces or a leading U+FEFF are quoted (RFC 4180).
    #[serde(default)]
    pub delimiter: Option<String>,
    /// csv: write a header row at the top of every file.
    #[serde(default = "yes")]
    pub header: bool,
    /// jsonl, parquet and csv: start a new file after this many records (0: no limit);
    /// `path` must contain `{shard}`.
    #[serde(default)]
    pub max_records: u64,
    /// jsonl, parquet and csv: start a new file before it would exceed this many
    /// uncompressed bytes (parquet: once the encoded file reaches it; 0: no limit; a record
    /// is never split, so a larger record gets a file of its own); `path` must contain
    /// `{shard}`.
    #[serde(default)]
    pub max_bytes: u64,
}

/// `format = "html"`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Options)]
#[serde(deny_unknown_fields)]
pub struct HtmlOptions {
    /// `html`, or left out for a .html/.htm path.
    #[serde(default)]
    pub format: Format,
    /// The report file (not `-`, no `{shard}`, not compressed).
    pub path: String,
    /// The span layer holding entity mentions.
    #[serde(default = "default_layer")]
    pub layer: String,
    /// The report's title.
    #[serde(default = "default_title")]
    pub title: String,
    /// html: documents per page in the report's document browser (at least 1).
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    /// List at most this many documents (0: all).
    #[serde(default)]
    pub max_documents: usize,
    /// Show stage timings and the thread count.
    #[serde(default = "yes")]
    pub timings: bool,
}

/// `format = "markdown"`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Options)]
#[serde(deny_unknown_fields)]
pub struct MarkdownOptions {
    /// `markdown`, or left out for a .md/.markdown path.
    #[serde(default)]
    pub format: Format,
    /// The report file (`-`: standard output; no `{shard}`, not compressed).
    pub path: String,
    /// csv, html and markdown: the span layer holding entity mentions (`label`,
    /// `canonical`, `entity_id`); in csv only with `rows = "entities"`.
    #[serde(default = "default_layer")]
    pub layer: String,
    /// html and markdown: the report's title.
    #[serde(default = "default_title")]
    pub title: String,
    /// html and markdown: list at most this many documents (0: all); the figures
    /// (documents, entity counts, summaries, duplicates) cover every document, and a capped
    /// report says how many it shows. Listed documents are kept in a temporary file beside
    /// the report, not in memory, so memory does not grow with the corpus; the HTML page
    /// embeds every listed document, so set this for corpora of more than some tens of
    /// thousands of documents (the page stays responsive to about 10,000).
    #[serde(default)]
    pub max_documents: usize,
    /// html and markdown: show stage timings and thread count. Set false for a report whose
    /// bytes depend only on the input.
    #[serde(default = "yes")]
    pub timings: bool,
}

/// The default entity layer.
pub const DEFAULT_LAYER: &str = "entities";
/// The default report title.
pub const DEFAULT_TITLE: &str = "docpipe report";

/// What `docpipe stages export` says about `format`.
const FORMAT_DOC: &str = "Output format; it decides which other options apply (each option below names its formats, and an option of another format is a config error). `auto` takes it from the extension of `path` (.jsonl/.ndjson/.json, .parquet/.pq, .csv/.tsv, .html/.htm, .md/.markdown; a .gz/.zst suffix is skipped); `-` is jsonl. jsonl writes the record exactly as `documents.jsonl` does (schema: config/document.schema.json); parquet writes columns id, text, parent, source_path, source_start, source_end, metadata and attributes (JSON text) and annotations as a nested `map<string, list<struct<start, end, label, text, canonical, entity_id, fields>>>` keyed by layer name (other span fields as JSON text in `fields`), so DuckDB, pandas and Spark read spans without `json_extract`; a selected layer (`annotations.entities`) is a `list<struct<…>>` column; csv writes document or entity rows; html and markdown write a report of the run.";

/// What `docpipe stages export` says about `path`.
const PATH_DOC: &str = "The output file; a relative path is relative to the run's output directory (`output.dir` or `--output`). `-` writes to standard output (jsonl, csv, markdown). `{shard}` is replaced by a five-digit shard number (with `max_records`/`max_bytes`). A .gz or .zst suffix compresses jsonl and csv. Files are written under a temporary name and renamed when the run succeeds.";

/// The options of one `export` stage, by format. Serialised, it is the variant's table (with
/// `format` as written).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ExportOptions {
    /// See [`JsonlOptions`].
    Jsonl(JsonlOptions),
    /// See [`ParquetOptions`].
    Parquet(ParquetOptions),
    /// See [`CsvOptions`].
    Csv(CsvOptions),
    /// See [`HtmlOptions`].
    Html(HtmlOptions),
    /// See [`MarkdownOptions`].
    Markdown(MarkdownOptions),
}

/// What the tag pass reads: `format` and `path`. It also knows every other option's name
/// (and nothing of its value), so a key that no format takes is reported first, with a
/// did-you-mean over all of them; a key of another format is reported by the second pass.
/// Tests keep this list equal to the documented options.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Tag {
    #[serde(default)]
    format: Format,
    #[serde(default)]
    path: String,
    #[serde(default)]
    fields: IgnoredAny,
    #[serde(default)]
    rename: IgnoredAny,
    #[serde(default)]
    columns: IgnoredAny,
    #[serde(default)]
    rows: IgnoredAny,
    #[serde(default)]
    layer: IgnoredAny,
    #[serde(default)]
    delimiter: IgnoredAny,
    #[serde(default)]
    header: IgnoredAny,
    #[serde(default)]
    max_records: IgnoredAny,
    #[serde(default)]
    max_bytes: IgnoredAny,
    #[serde(default)]
    title: IgnoredAny,
    #[serde(default)]
    page_size: IgnoredAny,
    #[serde(default)]
    max_documents: IgnoredAny,
    #[serde(default)]
    timings: IgnoredAny,
}

/// The formats that take each format-specific option (`format` and `path` are taken by all).
/// `docpipe stages export`, the wrong-format message and a test that compares it with the
/// option structs all read this table.
pub const OPTION_FORMATS: &[(&str, &[Format])] = &[
    ("fields", &[Format::Jsonl, Format::Parquet, Format::Csv]),
    ("rename", &[Format::Jsonl, Format::Parquet, Format::Csv]),
    ("columns", &[Format::Parquet, Format::Csv]),
    ("rows", &[Format::Csv]),
    ("layer", &[Format::Csv, Format::Html, Format::Markdown]),
    ("delimiter", &[Format::Csv]),
    ("header", &[Format::Csv]),
    ("max_records", &[Format::Jsonl, Format::Parquet, Format::Csv]),
    ("max_bytes", &[Format::Jsonl, Format::Parquet, Format::Csv]),
    ("title", &[Format::Html, Format::Markdown]),
    ("page_size", &[Format::Html]),
    ("max_documents", &[Format::Html, Format::Markdown]),
    ("timings", &[Format::Html, Format::Markdown]),
];

/// `jsonl, parquet and csv`.
pub fn format_list(formats: &[Format]) -> String {
    let names: Vec<&str> = formats.iter().map(|f| f.name()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_owned(),
        None => String::new(),
    }
}

impl ExportOptions {
    /// Reads the options of one `[[stage]]`: the format from `format` or the path's
    /// extension, then that format's options, rejecting keys of other formats.
    pub fn from_stage(options: &StageOptions<'_>) -> Result<ExportOptions, BuildError> {
        let tag: Tag = options.deserialize()?;
        if tag.path.trim().is_empty() {
            return Err(options.error("path", "is required: where to write (`-` for standard output)"));
        }
        let format = tag.format.resolve(&tag.path).map_err(|m| options.error("format", m))?;
        let parsed = match format {
            Format::Jsonl => options.deserialize().map(ExportOptions::Jsonl),
            Format::Parquet => options.deserialize().map(ExportOptions::Parquet),
            Format::Csv => options.deserialize().map(ExportOptions::Csv),
            Format::Html => options.deserialize().map(ExportOptions::Html),
            Format::Markdown | Format::Auto => options.deserialize().map(ExportOptions::Markdown),
        };
        parsed.map_err(|e| wrong_format(e, format, options))
    }

    /// The same choice from a plain table (no positions): what `Deserialize` does.
    fn from_table(table: serde_json::Map<String, serde_json::Value>) -> Result<ExportOptions, String> {
        let tag = Tag::deserialize(serde_json::Value::Object(table.clone())).map_err(|e| e.to_string())?;
        let format = tag.format.resolve(&tag.path)?;
        let value = serde_json::Value::Object(table);
        let parsed = match format {
            Format::Jsonl => serde_json::from_value(value).map(ExportOptions::Jsonl),
            Format::Parquet => serde_json::from_value(value).map(ExportOptions::Parquet),
            Format::Csv => serde_json::from_value(value).map(ExportOptions::Csv),
            Format::Html => serde_json::from_value(value).map(ExportOptions::Html),
            Format::Markdown | Format::Auto => serde_json::from_value(value).map(ExportOptions::Markdown),
        };
        parsed.map_err(|e| e.to_string())
    }

    /// The options of `format`, each with its type, default and meaning there.
    pub fn docs_of(format: Format) -> Vec<OptionDoc> {
        match format {
            Format::Jsonl => JsonlOptions::docs(),
            Format::Parquet => ParquetOptions::docs(),
            Format::Csv => CsvOptions::docs(),
            Format::Html => HtmlOptions::docs(),
            Format::Markdown | Format::Auto => MarkdownOptions::docs(),
        }
    }

    /// The format chosen.
    pub fn format(&self) -> Format {
        match self {
            ExportOptions::Jsonl(_) => Format::Jsonl,
            ExportOptions::Parquet(_) => Format::Parquet,
            ExportOptions::Csv(_) => Format::Csv,
            ExportOptions::Html(_) => Format::Html,
            ExportOptions::Markdown(_) => Format::Markdown,
        }
    }
}

impl<'de> Deserialize<'de> for ExportOptions {
    /// Reads a table the way the stage does (the format from `format` or `path`), without
    /// positions; the stage itself uses [`ExportOptions::from_stage`].
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ExportOptions, D::Error> {
        let table = serde_json::Map::deserialize(d)?;
        ExportOptions::from_table(table).map_err(serde::de::Error::custom)
    }
}

impl docpipe_core::options::Options for ExportOptions {
    /// `format`, `path`, then every format-specific option in [`OPTION_FORMATS`] order, as
    /// the last format that takes it documents it.
    fn docs() -> Vec<OptionDoc> {
        let mut out = vec![
            OptionDoc::new::<Format>("format", FORMAT_DOC, OptionDefault::of(&Format::Auto)),
            OptionDoc::new::<String>("path", PATH_DOC, OptionDefault::Required),
        ];
        for (key, formats) in OPTION_FORMATS {
            let Some(last) = formats.last() else { continue };
            if let Some(doc) = ExportOptions::docs_of(*last).into_iter().find(|o| o.name == *key) {
                out.push(doc);
            }
        }
        out
    }

    /// For every format: a table of that format's documented defaults (and a path) reads
    /// as the path alone does.
    fn check_documented_defaults() -> Result<(), String> {
        for (format, path) in [
            (Format::Jsonl, "x.jsonl"),
            (Format::Parquet, "x.parquet"),
            (Format::Csv, "x.csv"),
            (Format::Html, "x.html"),
            (Format::Markdown, "x.md"),
        ] {
            let mut table = serde_json::Map::new();
            table.insert("path".into(), path.into());
            let bare = ExportOptions::from_table(table.clone())?;
            for o in ExportOptions::docs_of(format) {
                match o.default {
                    OptionDefault::Value(v) => {
                        let v = serde_json::to_value(v).map_err(|e| e.to_string())?;
                        table.insert(o.name.to_owned(), v);
                    }
                    OptionDefault::Text(t) => return Err(format!("option `{}`: {t}", o.name)),
                    OptionDefault::Required | OptionDefault::None => {}
                }
            }
            let documented = ExportOptions::from_table(table.clone())?;
            // `format` is documented as `auto`: the same choice as leaving it out.
            if documented != bare {
                return Err(format!(
                    "{}: the documented defaults {table:?} give {documented:?}, none give {bare:?}",
                    format.name()
                ));
            }
        }
        Ok(())
    }
}

/// Turns serde's "unknown field `title`" into "option `title`: applies to html and markdown
/// only, not jsonl" when the key belongs to another format: options that do not apply to
/// the format are mistakes, not no-ops. Other errors are kept as they are (with their span
/// and did-you-mean).
fn wrong_format(e: BuildError, format: Format, options: &StageOptions<'_>) -> BuildError {
    let Some(key) = e.message().strip_prefix("unknown field `").and_then(|r| r.split('`').next()) else {
        return e;
    };
    match OPTION_FORMATS.iter().find(|(k, _)| *k == key) {
        Some((key, formats)) => {
            options.error(key, format!("applies to {} only, not {}", format_list(formats), format.name()))
        }
        None => e,
    }
}

/// Checks an output path against what `format` can do with it (standard output, `{shard}`,
/// compression) and resolves it against the run's output directory.
pub(crate) fn output_path(
    options: &StageOptions<'_>,
    path: &str,
    format: Format,
    limits: Limits,
) -> Result<PathBuf, BuildError> {
    let err = |key: &str, msg: String| options.error(key, msg);
    let sharded = path.contains(SHARD_PLACEHOLDER);
    if path == "-" && matches!(format, Format::Parquet | Format::Html) {
        return Err(err(
            "path",
            format!("`-` (standard output) is for jsonl, csv and markdown, not {}", format.name()),
        ));
    }
    if (limits.max_records > 0 || limits.max_bytes > 0) && !sharded {
        let key = if limits.max_records > 0 { "max_records" } else { "max_bytes" };
        return Err(err(
            key,
            format!("needs `{SHARD_PLACEHOLDER}` in `path` (for example `out/part-{{shard}}.jsonl`)"),
        ));
    }
    if format.is_report() && sharded {
        return Err(err(
            "path",
            format!("a {} report is one file: no `{{shard}}`, `max_records` or `max_bytes`", format.name()),
        ));
    }
    if (format.is_report() || format == Format::Parquet) && Compression::from_path(path) != Compression::None {
        return Err(err(
            "path",
            format!("{} output is not compressed by extension (drop `.gz`/`.zst`)", format.name()),
        ));
    }
    Ok(options.resolve_output_path(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Format; 5] = [Format::Jsonl, Format::Parquet, Format::Csv, Format::Html, Format::Markdown];

    /// Each format's struct takes exactly `format`, `path` and the options
    /// [`OPTION_FORMATS`] gives it, and an option has one type whatever the format.
    #[test]
    fn option_formats_match_the_structs() {
        for format in ALL {
            let docs = ExportOptions::docs_of(format);
            let names: Vec<&str> = docs.iter().map(|o| o.name).collect();
            let mut want = vec!["format", "path"];
            want.extend(OPTION_FORMATS.iter().filter(|(_, fs)| fs.contains(&format)).map(|(k, _)| *k));
            let (mut a, mut b) = (names.clone(), want.clone());
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "{}", format.name());
        }
        for (key, formats) in OPTION_FORMATS {
            let types: Vec<String> = formats
                .iter()
                .flat_map(|f| ExportOptions::docs_of(*f).into_iter().filter(|o| o.name == *key).map(|o| o.ty))
                .collect();
            assert!(types.windows(2).all(|w| w[0] == w[1]), "{key}: {types:?}");
        }
    }

    #[test]
    fn documented_defaults_are_the_real_ones_and_tables_round_trip() {
        assert_eq!(ExportOptions::check_documented_defaults(), Ok(()));
        let o: ExportOptions =
            serde_json::from_str(r#"{"path": "x.tsv", "rows": "entities", "header": false}"#).unwrap();
        let ExportOptions::Csv(csv) = &o else { panic!("{o:?}") };
        assert!(csv.rows == Rows::Entities && !csv.header);
        let back: ExportOptions = serde_json::from_value(serde_json::to_value(&o).unwrap()).unwrap();
        assert_eq!(back, o);
        let e = serde_json::from_str::<ExportOptions>(r#"{"path": "x.jsonl", "title": "t"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `title`"), "{e}");
    }
}
