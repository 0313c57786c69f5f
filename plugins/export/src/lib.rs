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
//! Each format is its own writer type ([`jsonl::JsonlWriter`], [`csv::CsvWriter`],
//! [`parquet::ParquetWriter`], [`report_sink::HtmlWriter`], [`report_sink::MarkdownWriter`])
//! with its own options struct ([`options`]); [`Export`] wraps any of them in the one sink
//! behaviour they share (an output error breaks the export, logging what was written). The
//! one registered stage, `export`, picks the writer from `format` or the path's extension.
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
pub mod jsonl;
pub mod options;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod report;
pub mod report_sink;
pub mod sink_io;

use std::path::PathBuf;

use docpipe_core::stats::RunStats;
use docpipe_core::{BuildError, Document, DropRecord, Sink, Stage, StageError, StageOptions};
use tracing::info;

pub use crate::options::{ExportOptions, Format, Rows};
pub use crate::sink_io::Fault;

/// The base columns of Parquet files, in order.
pub const PARQUET_COLUMNS: &[&str] =
    &["id", "text", "parent", "source.path", "source.start", "source.end", "metadata", "annotations", "attributes"];
/// The default columns of CSV document rows.
pub const CSV_COLUMNS: &[&str] = &["id", "parent", "source.path", "source.start", "source.end", "text"];

/// One output format: what [`Export`] drives.
pub trait FormatWriter: Send + std::fmt::Debug {
    /// The format written.
    const FORMAT: Format;

    /// Opens the output before the first document, so a path that cannot be written fails
    /// before any work (and an empty run still writes an empty file).
    fn begin(&mut self) -> Result<(), StageError>;

    /// Writes one document, or refuses it whole ([`Fault::Document`]), or fails the output
    /// ([`Fault::Output`]).
    fn write(&mut self, doc: &Document) -> Result<(), Fault>;

    /// Takes a document an earlier stage dropped ([`Sink::dropped`]). Default: ignored (JSONL,
    /// CSV and Parquet write documents only); the HTML and Markdown reports list dropped
    /// duplicates. An error fails the output, as in `write`.
    fn dropped(&mut self, _record: &DropRecord) -> Result<(), Fault> {
        Ok(())
    }

    /// Writes what is left and commits; returns the files written and the records in them.
    fn finish(&mut self, stats: &RunStats) -> Result<(Vec<PathBuf>, u64), StageError>;
}

/// The `export` sink over one format's writer.
#[derive(Debug)]
pub struct Export<W> {
    name: String,
    writer: W,
    /// The first output error, after which nothing more is written or committed.
    broken: Option<String>,
}

impl<W: FormatWriter> Export<W> {
    /// The sink of stage `name` over `writer`.
    pub fn new(name: &str, writer: W) -> Export<W> {
        Export { name: name.to_owned(), writer, broken: None }
    }

    fn broken_error(&self, why: &str) -> StageError {
        StageError::new(format!("export `{}`: not written, the output failed earlier: {why}", self.name))
    }
}

impl<W: FormatWriter + 'static> Sink for Export<W> {
    fn begin(&mut self) -> Result<(), StageError> {
        self.writer.begin()
    }

    fn write(&mut self, doc: &Document) -> Result<(), StageError> {
        if let Some(why) = &self.broken {
            return Err(self.broken_error(why));
        }
        match self.writer.write(doc) {
            Ok(()) => Ok(()),
            Err(Fault::Document(e)) => Err(e),
            Err(Fault::Output(e)) => {
                self.broken = Some(e.full_message());
                Err(e)
            }
        }
    }

    /// The reports list dropped duplicates ([`FormatWriter::dropped`]); JSONL, CSV and
    /// Parquet ignore drop records.
    fn dropped(&mut self, record: &DropRecord) -> Result<(), StageError> {
        if let Some(why) = &self.broken {
            return Err(self.broken_error(why));
        }
        match self.writer.dropped(record) {
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
        let (paths, records) = self.writer.finish(stats)?;
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        info!(stage = %self.name, format = W::FORMAT.name(), records, files = %shown.join(", "), "export written");
        Ok(())
    }
}

/// Builds the sink of one `[[stage]]`: the writer its format names.
fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
    fn sink<W: FormatWriter + 'static>(options: &StageOptions<'_>, writer: W) -> Stage {
        Stage::Sink(Box::new(Export::new(options.stage_name(), writer)))
    }
    Ok(match ExportOptions::from_stage(options)? {
        ExportOptions::Jsonl(o) => sink(options, jsonl::JsonlWriter::from_options(&o, options)?),
        ExportOptions::Csv(o) => sink(options, csv::CsvWriter::from_options(&o, options)?),
        #[cfg(feature = "parquet")]
        ExportOptions::Parquet(o) => sink(options, parquet::ParquetWriter::from_options(&o, options)?),
        #[cfg(not(feature = "parquet"))]
        ExportOptions::Parquet(_) => {
            return Err(options.error(
                "format",
                "Parquet support was left out of this build (cargo feature `parquet` of docpipe-export)",
            ));
        }
        ExportOptions::Html(o) => sink(options, report_sink::HtmlWriter::from_options(&o, options)?),
        ExportOptions::Markdown(o) => sink(options, report_sink::MarkdownWriter::from_options(&o, options)?),
    })
}

/// The stage's description in `docpipe stages export`.
const DESCRIPTION: &str = "A sink: documents pass on unchanged, so several exports can sit in one pipeline (a JSONL after the splitter, a report at the end). Outputs are written under a temporary name and renamed when the run succeeds; a failed or interrupted run leaves any previous output intact. The HTML report is one self-contained file (no network): run statistics, entities highlighted by label with canonical names on hover, summaries highlighted in the text, duplicates linked to what they repeat, a filter by text, label and entity, paginated for large corpora.";

docpipe_core::register_stage! {
    name: "export",
    summary: "Write documents as JSONL, Parquet or CSV, or a run report as HTML or Markdown, atomically",
    description: DESCRIPTION,
    kind: Sink,
    options: ExportOptions,
    example: r#"[[stage]]
type = "export"
path = "../out/news/report.html"
title = "News corpus"
page_size = 20
"#,
    build: build,
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
        let ExportOptions::Html(o) = ExportOptions::from_stage(&opts).unwrap() else { panic!("not html options") };
        let writer = report_sink::HtmlWriter::from_options(&o, &opts).map_err(|e| e.message().to_owned()).unwrap();
        let mut export = Export::new("export", writer);
        export.begin().unwrap();
        let doc = |n: usize| Document::from_source(format!("d{n}"), "word ".repeat(300_000), "f.txt", 0);
        export.write(&doc(0)).unwrap();
        export.writer.spill_mut().replace_file(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap());
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
