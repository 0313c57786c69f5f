//! The `export` stage: writes the documents that reach it as JSONL, Parquet or CSV, or as an
//! HTML or Markdown report, and passes them on unchanged (a [`Sink`]), so one pipeline can
//! export after several stages.
//!
//! - `jsonl` writes core's record contract byte for byte (`serde_json` of [`Document`], the
//!   shape `config/document.schema.json` describes), or a trimmed/selected/renamed form.
//! - `parquet` (cargo feature `parquet`, on by default) writes the record as columns, nested
//!   parts as JSON strings, plus typed columns promoted from any field path.
//! - `csv` writes one row per document or one row per entity mention.
//! - `html` and `markdown` render a report of the run ([`report`]).
//!
//! Files are written under a temporary name and renamed into place at `finish` (see
//! [`sink_io`]); a failed run leaves no partial output and the previous one intact.
//!
//! A document that cannot be written (a value the format cannot hold, see [`Fault`]) is
//! refused before anything of it is buffered, so under `on_error = "skip"` the run goes on
//! and the output holds every other document whole. An I/O error on the output breaks the
//! export: every later `write` and the `finish` fail, and nothing is committed. `path =
//! "-"` streams to standard output (jsonl, csv, markdown); `{shard}` in the path with
//! `max_records`/`max_bytes` splits the output; `.gz`/`.zst` compress. Everything written
//! depends on the documents only, in input order, so the bytes do not depend on the number
//! of threads or the batch size (report timings aside; `timings = false` drops them).

pub mod columns;
pub mod csv;
pub mod fields;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod report;
pub mod sink_io;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use docpipe_core::inventory;
use docpipe_core::registry::{LegacyOptionDoc as OptionDoc, OptionList};
use docpipe_core::stats::RunStats;
use docpipe_core::{BuildError, Document, Sink, Stage, StageError, StageFactory, StageKind, StageOptions};
use serde::Deserialize;
use tracing::info;

use crate::columns::{FieldSpec, RecordShape};
use crate::report::Spill;
use crate::sink_io::{Compression, FileWriter, Limits, SHARD_PLACEHOLDER, Shards, io_error};

pub use crate::sink_io::Fault;

/// The base columns of Parquet files, in order.
pub const PARQUET_COLUMNS: &[&str] =
    &["id", "text", "parent", "source.path", "source.start", "source.end", "metadata", "annotations", "attributes"];
/// The default columns of CSV document rows.
pub const CSV_COLUMNS: &[&str] = &["id", "parent", "source.path", "source.start", "source.end", "text"];

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
    fn name(self) -> &'static str {
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
}

/// Rows of CSV output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rows {
    /// One row per document.
    Documents,
    /// One row per entity mention.
    Entities,
}

/// Options of the `export` stage.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ExportOptions {
    /// Output format.
    pub format: Format,
    /// Output path (`-`: standard output; may hold `{shard}`).
    pub path: String,
    /// Fields to keep (`path`) or leave out (`-path`).
    pub fields: Vec<String>,
    /// New names for output fields or columns.
    pub rename: BTreeMap<String, String>,
    /// Extra typed columns (`path` or `path:type`) for Parquet and CSV.
    pub columns: Vec<String>,
    /// CSV rows: documents or entity mentions.
    pub rows: Option<Rows>,
    /// The entity span layer (CSV entity rows and reports).
    pub layer: Option<String>,
    /// CSV delimiter.
    pub delimiter: Option<String>,
    /// CSV header row.
    pub header: Option<bool>,
    /// Records per file (needs `{shard}`).
    pub max_records: u64,
    /// Uncompressed bytes per file (needs `{shard}`).
    pub max_bytes: u64,
    /// Report title.
    pub title: Option<String>,
    /// HTML report: documents per page.
    pub page_size: Option<usize>,
    /// Reports: list at most this many documents (0: all).
    pub max_documents: Option<usize>,
    /// Reports: include timings.
    pub timings: Option<bool>,
}

// One writer per stage instance, built once: the size difference between variants is irrelevant.
#[allow(clippy::large_enum_variant)]
enum Writer {
    Jsonl {
        shards: Shards,
        shape: RecordShape,
        buf: Vec<u8>,
        records: u64,
    },
    Csv(csv::CsvWriter),
    #[cfg(feature = "parquet")]
    Parquet(parquet::ParquetWriter),
    Html {
        report: report::Report,
        spill: Spill,
        path: PathBuf,
        title: String,
        page_size: usize,
        timings: bool,
    },
    Markdown {
        report: report::Report,
        spill: Spill,
        path: PathBuf,
        title: String,
        timings: bool,
    },
}

/// The `export` sink.
pub struct Export {
    name: String,
    format: Format,
    writer: Writer,
    /// The first output error, after which nothing more is written or committed.
    broken: Option<String>,
}

impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Export").field("name", &self.name).field("format", &self.format).finish()
    }
}

/// Opens a report's output (`-`: standard output), lets `render` write it and commits it.
fn write_report(path: &Path, render: impl FnOnce(&mut FileWriter) -> std::io::Result<()>) -> Result<(), StageError> {
    let mut out = FileWriter::open(path).map_err(|e| io_error("cannot create", path, e))?;
    render(&mut out).map_err(|e| io_error("cannot write", path, e))?;
    if let Some(file) = out.close().map_err(|e| io_error("cannot write", path, e))? {
        file.commit().map_err(|e| io_error("cannot commit", path, e))?;
    }
    Ok(())
}

fn spill_error(path: &Path, e: std::io::Error) -> Fault {
    Fault::Output(StageError::with_source(format!("cannot write the temporary file of report {}", path.display()), e))
}

impl Export {
    fn write_doc(&mut self, doc: &Document) -> Result<(), Fault> {
        match &mut self.writer {
            Writer::Jsonl { shards, shape, buf, records } => {
                buf.clear();
                shape
                    .write(doc, buf)
                    .map_err(|e| Fault::Document(StageError::with_source("cannot serialise the record", e)))?;
                shards.write_record(buf).map_err(Fault::Output)?;
                *records += 1;
                Ok(())
            }
            Writer::Csv(w) => w.write(doc),
            #[cfg(feature = "parquet")]
            Writer::Parquet(w) => w.write(doc),
            Writer::Html { report, spill, path, .. } => {
                let mut rec = Vec::new();
                report.add(doc, |view| {
                    report::html::doc_record(view, spill.records == 0, &mut rec).map_err(|e| {
                        Fault::Document(StageError::with_source("cannot serialise the document for the report", e))
                    })?;
                    spill.push(&rec).map_err(|e| spill_error(path, e))
                })
            }
            Writer::Markdown { report, spill, path, .. } => report.add(doc, |view| {
                let mut row = String::new();
                report::markdown::doc_row(view, &mut row);
                spill.push(row.as_bytes()).map_err(|e| spill_error(path, e))
            }),
        }
    }

    fn broken_error(&self, why: &str) -> StageError {
        StageError::new(format!("export `{}`: not written, the output failed earlier: {why}", self.name))
    }
}

impl Sink for Export {
    fn begin(&mut self) -> Result<(), StageError> {
        match &mut self.writer {
            Writer::Jsonl { shards, .. } => {
                if shards.current_path().as_os_str() != "-" {
                    shards.prepare(0)?;
                }
                Ok(())
            }
            Writer::Csv(w) => w.begin(),
            #[cfg(feature = "parquet")]
            Writer::Parquet(w) => w.begin(),
            Writer::Html { path, spill, .. } | Writer::Markdown { path, spill, .. } => {
                // Fail early (before any work) when the report cannot be written there.
                if path.as_os_str() != "-" {
                    let probe = docpipe_core::output::AtomicFile::create(path)
                        .map_err(|e| io_error("cannot create", path, e))?;
                    drop(probe);
                }
                spill.open().map_err(|e| {
                    StageError::with_source(format!("cannot create the temporary file of report {}", path.display()), e)
                })
            }
        }
    }

    fn write(&mut self, doc: &Document) -> Result<(), StageError> {
        if let Some(why) = &self.broken {
            return Err(self.broken_error(why));
        }
        match self.write_doc(doc) {
            Ok(()) => Ok(()),
            Err(Fault::Document(e)) => Err(e),
            Err(Fault::Output(e)) => {
                self.broken = Some(e.full_message());
                Err(e)
            }
        }
    }

    /// The reports list dropped duplicates; JSONL, CSV and Parquet ignore drop records.
    fn dropped(&mut self, record: &docpipe_core::DropRecord) -> Result<(), StageError> {
        if let Some(why) = &self.broken {
            return Err(self.broken_error(why));
        }
        let r = match &mut self.writer {
            Writer::Html { report, path, .. } => {
                report::html::add_dropped(report, record, path).map_err(|e| spill_error(path, e))
            }
            Writer::Markdown { report, path, .. } => {
                report::markdown::add_dropped(report, record, path).map_err(|e| spill_error(path, e))
            }
            _ => Ok(()),
        };
        match r {
            Ok(()) => Ok(()),
            Err(Fault::Output(e) | Fault::Document(e)) => {
                self.broken = Some(e.full_message());
                Err(e)
            }
        }
    }

    fn finish(&mut self, stats: &RunStats) -> Result<(), StageError> {
        if let Some(why) = &self.broken {
            return Err(self.broken_error(why));
        }
        let (paths, records) = match &mut self.writer {
            Writer::Jsonl { shards, records, .. } => {
                if !shards.is_open() && shards.current_path().as_os_str() != "-" {
                    shards.prepare(0)?;
                }
                (shards.commit()?, *records)
            }
            Writer::Csv(w) => (w.finish()?, w.rows_written),
            #[cfg(feature = "parquet")]
            Writer::Parquet(w) => (w.finish()?, w.rows_written),
            Writer::Html { report, spill, path, title, page_size, timings } => {
                write_report(path, |out| report::html::render(report, spill, stats, title, *page_size, *timings, out))?;
                (vec![path.clone()], report.seen)
            }
            Writer::Markdown { report, spill, path, title, timings } => {
                write_report(path, |out| report::markdown::render(report, spill, stats, title, *timings, out))?;
                (vec![path.clone()], report.seen)
            }
        };
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        info!(stage = %self.name, format = self.format.name(), records, files = %shown.join(", "), "export written");
        Ok(())
    }
}

fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
    let o: ExportOptions = options.deserialize()?;
    Ok(Stage::Sink(Box::new(Export::from_options(&o, options)?)))
}

impl Export {
    /// Builds the sink from its options, checking that they fit together.
    pub fn from_options(o: &ExportOptions, options: &StageOptions<'_>) -> Result<Export, BuildError> {
        let err = |key: &str, msg: String| options.error(key, msg);
        if o.path.trim().is_empty() {
            return Err(err("path", "is required: where to write (`-` for standard output)".into()));
        }
        let format = match o.format {
            Format::Auto => Format::from_path(&o.path).ok_or_else(|| {
                err(
                    "format",
                    format!(
                        "cannot tell the format of `{}` from its extension; set `format` to one of \
                         `jsonl`, `parquet`, `csv`, `html`, `markdown`",
                        o.path
                    ),
                )
            })?,
            f => f,
        };
        let stdout = o.path == "-";
        let sharded = o.path.contains(SHARD_PLACEHOLDER);
        let compressed = Compression::from_path(&o.path) != Compression::None;
        let single_file = matches!(format, Format::Html | Format::Markdown);
        if stdout && matches!(format, Format::Parquet | Format::Html) {
            return Err(err(
                "path",
                format!("`-` (standard output) is for jsonl, csv and markdown, not {}", format.name()),
            ));
        }
        if (o.max_records > 0 || o.max_bytes > 0) && !sharded {
            let key = if o.max_records > 0 { "max_records" } else { "max_bytes" };
            return Err(err(
                key,
                format!("needs `{SHARD_PLACEHOLDER}` in `path` (for example `out/part-{{shard}}.jsonl`)"),
            ));
        }
        if single_file && (sharded || o.max_records > 0 || o.max_bytes > 0) {
            return Err(err(
                "path",
                format!("a {} report is one file: no `{{shard}}`, `max_records` or `max_bytes`", format.name()),
            ));
        }
        if (single_file || format == Format::Parquet) && compressed {
            return Err(err(
                "path",
                format!("{} output is not compressed by extension (drop `.gz`/`.zst`)", format.name()),
            ));
        }
        // Options that do not apply to the format are mistakes, not no-ops.
        let only = |key: &str, set: bool, ok: bool, formats: &str| -> Result<(), BuildError> {
            if set && !ok { Err(err(key, format!("applies to {formats} only, not {}", format.name()))) } else { Ok(()) }
        };
        let tabular = matches!(format, Format::Parquet | Format::Csv);
        only("fields", !o.fields.is_empty(), !single_file, "jsonl, parquet and csv")?;
        only("rename", !o.rename.is_empty(), !single_file, "jsonl, parquet and csv")?;
        only("columns", !o.columns.is_empty(), tabular, "parquet and csv")?;
        only("rows", o.rows.is_some(), format == Format::Csv, "csv")?;
        only("delimiter", o.delimiter.is_some(), format == Format::Csv, "csv")?;
        only("header", o.header.is_some(), format == Format::Csv, "csv")?;
        let csv_entities = format == Format::Csv && o.rows == Some(Rows::Entities);
        only(
            "layer",
            o.layer.is_some(),
            single_file || csv_entities,
            "html, markdown and csv with rows = \"entities\"",
        )?;
        only("title", o.title.is_some(), single_file, "html and markdown")?;
        only("max_documents", o.max_documents.is_some(), single_file, "html and markdown")?;
        only("timings", o.timings.is_some(), single_file, "html and markdown")?;
        only("page_size", o.page_size.is_some(), format == Format::Html, "html")?;
        if o.page_size == Some(0) {
            return Err(err("page_size", "must be at least 1".into()));
        }

        let path = options.resolve_output_path(&o.path);
        let limits = Limits { max_records: o.max_records, max_bytes: o.max_bytes };
        let spec = FieldSpec::parse(&o.fields).map_err(|m| err("fields", m))?;
        let layer = o.layer.clone().unwrap_or_else(|| "entities".to_owned());
        let title = o.title.clone().unwrap_or_else(|| "docpipe report".to_owned());
        let timings = o.timings.unwrap_or(true);
        let max_documents = o.max_documents.unwrap_or(0);
        let writer = match format {
            Format::Jsonl => {
                let shape = RecordShape::new(&spec, &o.rename).map_err(|m| err("fields", m))?;
                Writer::Jsonl { shards: Shards::new(&path, limits), shape, buf: Vec::new(), records: 0 }
            }
            Format::Csv => {
                let tsv =
                    o.path.to_ascii_lowercase().trim_end_matches(".gz").trim_end_matches(".zst").ends_with(".tsv");
                let delimiter = match o.delimiter.as_deref() {
                    None => {
                        if tsv {
                            b'\t'
                        } else {
                            b','
                        }
                    }
                    Some("\\t") | Some("tab") => b'\t',
                    Some(d) if d.len() == 1 && !matches!(d, "\"" | "\n" | "\r") => d.as_bytes()[0],
                    Some(d) => {
                        return Err(err(
                            "delimiter",
                            format!(
                                "`{}` is not a single ASCII character other than a quote or line break (tab: \"\\t\")",
                                d.escape_debug()
                            ),
                        ));
                    }
                };
                let rows = if csv_entities {
                    only("fields", !o.fields.is_empty(), false, "csv document rows")?;
                    only("columns", !o.columns.is_empty(), false, "csv document rows")?;
                    let mut names: Vec<String> = csv::ENTITY_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
                    for (from, to) in &o.rename {
                        let Some(i) = csv::ENTITY_COLUMNS.iter().position(|c| c == from) else {
                            let hint = docpipe_core::config::did_you_mean(from, csv::ENTITY_COLUMNS);
                            return Err(err("rename", format!("`{from}` is not an entity column{hint}")));
                        };
                        names[i] = to.clone();
                    }
                    csv::RowKind::Entities { layer: layer.clone(), names }
                } else {
                    let cols = columns::table_columns(CSV_COLUMNS, &spec, &o.columns, &o.rename)
                        .map_err(|m| err(if m.starts_with("rename") { "rename" } else { "columns" }, m))?;
                    csv::RowKind::Documents(cols)
                };
                Writer::Csv(csv::CsvWriter::new(Shards::new(&path, limits), rows, delimiter, o.header.unwrap_or(true)))
            }
            Format::Parquet => {
                #[cfg(feature = "parquet")]
                {
                    let cols = columns::table_columns(PARQUET_COLUMNS, &spec, &o.columns, &o.rename)
                        .map_err(|m| err(if m.starts_with("rename") { "rename" } else { "columns" }, m))?;
                    Writer::Parquet(parquet::ParquetWriter::new(&path, cols, limits))
                }
                #[cfg(not(feature = "parquet"))]
                {
                    return Err(err(
                        "format",
                        "Parquet support was left out of this build (cargo feature `parquet` of docpipe-export)".into(),
                    ));
                }
            }
            Format::Html => Writer::Html {
                report: report::Report::new(&layer, max_documents),
                spill: Spill::beside(&path),
                path,
                title,
                page_size: o.page_size.unwrap_or(20),
                timings,
            },
            Format::Markdown | Format::Auto => {
                let spill = Spill::beside(&path);
                Writer::Markdown { report: report::Report::new(&layer, max_documents), spill, path, title, timings }
            }
        };
        Ok(Export { name: options.stage_name().to_owned(), format, writer, broken: None })
    }
}

const OPTIONS: &[OptionDoc] = &[
    OptionDoc {
        name: "format",
        ty: "\"auto\" | \"jsonl\" | \"parquet\" | \"csv\" | \"html\" | \"markdown\"",
        default: "\"auto\"",
        doc: "Output format. `auto` takes it from the extension of `path` (.jsonl/.ndjson, .parquet, .csv/.tsv, .html, .md; a .gz/.zst suffix is skipped); `-` is jsonl. jsonl writes the record exactly as `documents.jsonl` does (schema: config/document.schema.json); parquet writes columns id, text, parent, source_path, source_start, source_end and metadata, annotations, attributes as JSON strings; csv writes document or entity rows; html and markdown write a report of the run.",
    },
    OptionDoc {
        name: "path",
        ty: "string",
        default: "",
        doc: "Required. The output file; a relative path is relative to the run's output directory (`output.dir` or `--output`). `-` writes to standard output (jsonl, csv, markdown). `{shard}` is replaced by a five-digit shard number (with `max_records`/`max_bytes`). A .gz or .zst suffix compresses jsonl and csv. Files are written under a temporary name and renamed when the run succeeds.",
    },
    OptionDoc {
        name: "fields",
        ty: "array of strings",
        default: "[]",
        doc: "Field paths such as `id`, `source.path`, `attributes.summary.text`, `annotations.entities`. jsonl: listed paths become the record's keys, in order; `-path` entries leave a path out of the full record (or out of a selected field). parquet and csv: listed paths replace the default columns and `-path` removes one. Unknown top-level fields are config errors with a did-you-mean.",
    },
    OptionDoc {
        name: "rename",
        ty: "table of strings",
        default: "{}",
        doc: "New names for output keys or columns: `rename = { \"attributes.summary.text\" = \"summary\", text = \"content\" }`. In a full jsonl record only top-level fields can be renamed; in csv entity rows, the entity columns.",
    },
    OptionDoc {
        name: "columns",
        ty: "array of strings",
        default: "[]",
        doc: "parquet and csv: extra columns promoted from field paths, `path` or `path:type` with type `string` (default), `int`, `float`, `bool` or `json`; values that do not fit the type are null. Named after the path with dots as underscores (`attributes_summary_text`) unless renamed.",
    },
    OptionDoc {
        name: "rows",
        ty: "\"documents\" | \"entities\"",
        default: "\"documents\"",
        doc: "csv: one row per document, or one row per entity mention with columns doc_id, label, text, canonical, entity_id, start, end (byte offsets into the document text).",
    },
    OptionDoc {
        name: "layer",
        ty: "string",
        default: "\"entities\"",
        doc: "The span layer holding entity mentions (`label`, `canonical`, `entity_id`), for csv entity rows and the reports.",
    },
    OptionDoc {
        name: "delimiter",
        ty: "string",
        default: "\",\"",
        doc: "csv: the field delimiter, one ASCII character (`\\t` or `tab` for tabs); a .tsv path defaults to tab. Fields holding the delimiter, quotes, line breaks or edge spaces are quoted (RFC 4180).",
    },
    OptionDoc {
        name: "header",
        ty: "boolean",
        default: "true",
        doc: "csv: write a header row at the top of every file.",
    },
    OptionDoc {
        name: "max_records",
        ty: "integer",
        default: "0",
        doc: "Start a new file after this many records (0: no limit); `path` must contain `{shard}`.",
    },
    OptionDoc {
        name: "max_bytes",
        ty: "integer",
        default: "0",
        doc: "Start a new file before it would exceed this many uncompressed bytes (0: no limit; a record is never split, so a larger record gets a file of its own); `path` must contain `{shard}`.",
    },
    OptionDoc {
        name: "title",
        ty: "string",
        default: "\"docpipe report\"",
        doc: "html and markdown: the report's title.",
    },
    OptionDoc {
        name: "page_size",
        ty: "integer",
        default: "20",
        doc: "html: documents per page in the report's document browser.",
    },
    OptionDoc {
        name: "max_documents",
        ty: "integer",
        default: "0",
        doc: "html and markdown: list at most this many documents (0: all); the figures (documents, entity counts, summaries, duplicates) cover every document, and a capped report says how many it shows. Listed documents are kept in a temporary file beside the report, not in memory, so memory does not grow with the corpus; the HTML page embeds every listed document, so set this for corpora of more than some tens of thousands of documents (the page stays responsive to about 10,000).",
    },
    OptionDoc {
        name: "timings",
        ty: "boolean",
        default: "true",
        doc: "html and markdown: show stage timings and thread count. Set false for a report whose bytes depend only on the input.",
    },
];

inventory::submit! {
    StageFactory {
        name: "export",
        package: env!("CARGO_PKG_NAME"),
        summary: "Write documents as JSONL, Parquet or CSV, or a run report as HTML or Markdown, atomically",
        description: "A sink: documents pass on unchanged, so several exports can sit in one pipeline (a JSONL after the splitter, a report at the end). Outputs are written under a temporary name and renamed when the run succeeds; a failed or interrupted run leaves any previous output intact. The HTML report is one self-contained file (no network): run statistics, entities highlighted by label with canonical names on hover, summaries highlighted in the text, duplicates linked to what they repeat, a filter by text, label and entity, paginated for large corpora.",
        kind: StageKind::Sink,
        options: OptionList::Table(OPTIONS),
        example: r#"[[stage]]
type = "export"
path = "../out/news/report.html"
title = "News corpus"
page_size = 20
"#,
        build,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output error (here the report's spill file on a full disk) breaks the export: that
    /// document and every later one are refused, `finish` fails and nothing is committed,
    /// so a report that lost a document is never written as if complete.
    #[test]
    fn an_output_error_refuses_later_documents_and_commits_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let opts = StageOptions::parse_snippet("path = \"r.html\"\n", dir.path()).unwrap();
        let mut export = Export::from_options(&ExportOptions { path: "r.html".into(), ..Default::default() }, &opts)
            .map_err(|e| e.message().to_owned())
            .unwrap();
        export.begin().unwrap();
        let doc = |n: usize| Document::from_source(format!("d{n}"), "word ".repeat(300_000), "f.txt", 0);
        export.write(&doc(0)).unwrap();
        let Writer::Html { spill, .. } = &mut export.writer else { panic!("not an html writer") };
        spill.replace_file(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap());
        let err = export.write(&doc(1)).unwrap_err().full_message();
        assert!(err.contains("cannot write the temporary file of report"), "{err}");
        let err = export.write(&doc(2)).unwrap_err().full_message();
        assert!(err.contains("the output failed earlier"), "{err}");
        let err = export.finish(&RunStats::default()).unwrap_err().full_message();
        assert!(err.contains("the output failed earlier"), "{err}");
        drop(export);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.is_empty(), "nothing committed, nothing left: {left:?}");
    }
}
