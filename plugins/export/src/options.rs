//! The options of the `export` stage: one struct per format, each holding only the keys that
//! format takes, chosen by `format` (or, when `format` is left out, by the extension of
//! `path`) into the tagged enum [`ExportOptions`].
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

use docpipe_core::{BuildError, StageOptions};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::sink_io::{Compression, Limits, SHARD_PLACEHOLDER};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
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

    /// A report: one file, never sharded or compressed.
    fn is_report(self) -> bool {
        matches!(self, Format::Html | Format::Markdown)
    }
}

/// Rows of CSV output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Rows {
    /// One row per document.
    #[default]
    Documents,
    /// One row per entity mention.
    Entities,
}

/// `format = "jsonl"`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct JsonlOptions {
    #[serde(rename = "format")]
    _format: IgnoredAny,
    /// Output path (`-`: standard output; may hold `{shard}`).
    pub path: String,
    /// Fields to keep (`path`) or leave out (`-path`).
    pub fields: Vec<String>,
    /// New names for output fields.
    pub rename: BTreeMap<String, String>,
    /// Records per file (needs `{shard}`).
    pub max_records: u64,
    /// Uncompressed bytes per file (needs `{shard}`).
    pub max_bytes: u64,
}

/// `format = "parquet"`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ParquetOptions {
    #[serde(rename = "format")]
    _format: IgnoredAny,
    /// Output path (may hold `{shard}`).
    pub path: String,
    /// Columns to keep (`path`) or leave out (`-path`).
    pub fields: Vec<String>,
    /// New names for columns.
    pub rename: BTreeMap<String, String>,
    /// Extra typed columns (`path` or `path:type`).
    pub columns: Vec<String>,
    /// Records per file (needs `{shard}`).
    pub max_records: u64,
    /// Uncompressed bytes per file (needs `{shard}`).
    pub max_bytes: u64,
}

/// `format = "csv"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CsvOptions {
    #[serde(rename = "format")]
    _format: IgnoredAny,
    /// Output path (`-`: standard output; may hold `{shard}`).
    pub path: String,
    /// Columns to keep (`path`) or leave out (`-path`); document rows only.
    pub fields: Vec<String>,
    /// New names for columns.
    pub rename: BTreeMap<String, String>,
    /// Extra typed columns (`path` or `path:type`); document rows only.
    pub columns: Vec<String>,
    /// One row per document or per entity mention.
    pub rows: Rows,
    /// The entity span layer (entity rows only).
    pub layer: Option<String>,
    /// The field delimiter (default `,`, or tab for a `.tsv` path).
    pub delimiter: Option<String>,
    /// A header row at the top of every file.
    pub header: bool,
    /// Records per file (needs `{shard}`).
    pub max_records: u64,
    /// Uncompressed bytes per file (needs `{shard}`).
    pub max_bytes: u64,
}

impl Default for CsvOptions {
    fn default() -> CsvOptions {
        CsvOptions {
            _format: IgnoredAny,
            path: String::new(),
            fields: Vec::new(),
            rename: BTreeMap::new(),
            columns: Vec::new(),
            rows: Rows::Documents,
            layer: None,
            delimiter: None,
            header: true,
            max_records: 0,
            max_bytes: 0,
        }
    }
}

/// `format = "html"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlOptions {
    #[serde(rename = "format")]
    _format: IgnoredAny,
    /// Output path (one file).
    pub path: String,
    /// The entity span layer.
    pub layer: String,
    /// The report's title.
    pub title: String,
    /// Documents per page in the document browser (at least 1).
    pub page_size: usize,
    /// List at most this many documents (0: all).
    pub max_documents: usize,
    /// Show stage timings and the thread count.
    pub timings: bool,
}

impl Default for HtmlOptions {
    fn default() -> HtmlOptions {
        HtmlOptions {
            _format: IgnoredAny,
            path: String::new(),
            layer: DEFAULT_LAYER.to_owned(),
            title: DEFAULT_TITLE.to_owned(),
            page_size: 20,
            max_documents: 0,
            timings: true,
        }
    }
}

/// `format = "markdown"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownOptions {
    #[serde(rename = "format")]
    _format: IgnoredAny,
    /// Output path (`-`: standard output; one file).
    pub path: String,
    /// The entity span layer.
    pub layer: String,
    /// The report's title.
    pub title: String,
    /// List at most this many documents (0: all).
    pub max_documents: usize,
    /// Show stage timings and the thread count.
    pub timings: bool,
}

impl Default for MarkdownOptions {
    fn default() -> MarkdownOptions {
        MarkdownOptions {
            _format: IgnoredAny,
            path: String::new(),
            layer: DEFAULT_LAYER.to_owned(),
            title: DEFAULT_TITLE.to_owned(),
            max_documents: 0,
            timings: true,
        }
    }
}

/// The default entity layer.
pub const DEFAULT_LAYER: &str = "entities";
/// The default report title.
pub const DEFAULT_TITLE: &str = "docpipe report";

/// The options of one `export` stage, by format.
#[derive(Debug, Clone)]
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

/// What the tag pass reads: `format` and `path`, every other key ignored.
#[derive(Deserialize)]
struct Tag {
    #[serde(default)]
    format: Format,
    #[serde(default)]
    path: String,
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
        let format = match tag.format {
            Format::Auto => Format::from_path(&tag.path).ok_or_else(|| {
                options.error(
                    "format",
                    format!(
                        "cannot tell the format of `{}` from its extension; set `format` to one of \
                         `jsonl`, `parquet`, `csv`, `html`, `markdown`",
                        tag.path
                    ),
                )
            })?,
            f => f,
        };
        let parsed = match format {
            Format::Jsonl => options.deserialize().map(ExportOptions::Jsonl),
            Format::Parquet => options.deserialize().map(ExportOptions::Parquet),
            Format::Csv => options.deserialize().map(ExportOptions::Csv),
            Format::Html => options.deserialize().map(ExportOptions::Html),
            Format::Markdown | Format::Auto => options.deserialize().map(ExportOptions::Markdown),
        };
        parsed.map_err(|e| wrong_format(e, format, options))
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
