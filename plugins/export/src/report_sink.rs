//! The HTML and Markdown report writers: each keeps a [`Report`] of aggregate figures and
//! appends every listed document, rendered as it arrives, to a [`Spill`] file; `finish`
//! renders the page ([`report::html`], [`report::markdown`]) and commits it. Drop records
//! (documents earlier stages dropped) go to the report's own list of dropped duplicates.

use std::path::{Path, PathBuf};

use docpipe_core::stats::RunStats;
use docpipe_core::{BuildError, Document, DropRecord, StageError, StageOptions};

use crate::FormatWriter;
use crate::options::{Format, HtmlOptions, MarkdownOptions, output_path};
use crate::report::{self, Report, Spill};
use crate::sink_io::{Fault, FileWriter, Limits, io_error};

/// What both reports hold: the figures, the spill and where the page goes.
#[derive(Debug)]
struct ReportFile {
    report: Report,
    spill: Spill,
    path: PathBuf,
    title: String,
    timings: bool,
}

impl ReportFile {
    fn new(
        options: &StageOptions<'_>,
        format: Format,
        path: &str,
        layer: &str,
        title: &str,
        max_documents: usize,
        timings: bool,
    ) -> Result<ReportFile, BuildError> {
        let path = output_path(options, path, format, Limits::default())?;
        Ok(ReportFile {
            report: Report::new(layer, max_documents),
            spill: Spill::beside(&path),
            path,
            title: title.to_owned(),
            timings,
        })
    }

    /// Fails early (before any work) when the report cannot be written there.
    fn begin(&mut self) -> Result<(), StageError> {
        let path = &self.path;
        if path.as_os_str() != "-" {
            let probe =
                docpipe_core::output::AtomicFile::create(path).map_err(|e| io_error("cannot create", path, e))?;
            drop(probe);
        }
        self.spill.open().map_err(|e| {
            StageError::with_source(format!("cannot create the temporary file of report {}", path.display()), e)
        })
    }

    /// Opens the output (`-`: standard output), lets `render` write it and commits it.
    fn commit(
        &mut self,
        render: impl FnOnce(&mut Report, &mut Spill, &mut FileWriter) -> std::io::Result<()>,
    ) -> Result<(Vec<PathBuf>, u64), StageError> {
        let path = &self.path;
        let mut out = FileWriter::open(path).map_err(|e| io_error("cannot create", path, e))?;
        render(&mut self.report, &mut self.spill, &mut out).map_err(|e| io_error("cannot write", path, e))?;
        if let Some(file) = out.close().map_err(|e| io_error("cannot write", path, e))? {
            file.commit().map_err(|e| io_error("cannot commit", path, e))?;
        }
        Ok((vec![path.clone()], self.report.seen))
    }
}

fn spill_error(path: &Path, e: std::io::Error) -> Fault {
    Fault::Output(StageError::with_source(format!("cannot write the temporary file of report {}", path.display()), e))
}

/// The HTML report writer.
#[derive(Debug)]
pub struct HtmlWriter {
    file: ReportFile,
    page_size: usize,
}

impl HtmlWriter {
    /// Builds the writer from its options, checking them.
    pub fn from_options(o: &HtmlOptions, options: &StageOptions<'_>) -> Result<HtmlWriter, BuildError> {
        if o.page_size == 0 {
            return Err(options.error("page_size", "must be at least 1"));
        }
        let file = ReportFile::new(options, Format::Html, &o.path, &o.layer, &o.title, o.max_documents, o.timings)?;
        Ok(HtmlWriter { file, page_size: o.page_size })
    }

    /// Replaces the spill's file (tests: a full disk).
    #[cfg(test)]
    pub(crate) fn spill_mut(&mut self) -> &mut Spill {
        &mut self.file.spill
    }
}

impl FormatWriter for HtmlWriter {
    const FORMAT: Format = Format::Html;

    fn begin(&mut self) -> Result<(), StageError> {
        self.file.begin()
    }

    fn write(&mut self, doc: &Document) -> Result<(), Fault> {
        let ReportFile { report, spill, path, .. } = &mut self.file;
        let mut rec = Vec::new();
        report.add(doc, |view| {
            report::html::doc_record(view, spill.records == 0, &mut rec).map_err(|e| {
                Fault::Document(StageError::with_source("cannot serialise the document for the report", e))
            })?;
            spill.push(&rec).map_err(|e| spill_error(path, e))
        })
    }

    fn dropped(&mut self, record: &DropRecord) -> Result<(), Fault> {
        let ReportFile { report, path, .. } = &mut self.file;
        report::html::add_dropped(report, record, path).map_err(|e| spill_error(path, e))
    }

    fn finish(&mut self, stats: &RunStats) -> Result<(Vec<PathBuf>, u64), StageError> {
        let (title, timings, page_size) = (self.file.title.clone(), self.file.timings, self.page_size);
        self.file
            .commit(|report, spill, out| report::html::render(report, spill, stats, &title, page_size, timings, out))
    }
}

/// The Markdown report writer.
#[derive(Debug)]
pub struct MarkdownWriter {
    file: ReportFile,
}

impl MarkdownWriter {
    /// Builds the writer from its options, checking them.
    pub fn from_options(o: &MarkdownOptions, options: &StageOptions<'_>) -> Result<MarkdownWriter, BuildError> {
        let file = ReportFile::new(options, Format::Markdown, &o.path, &o.layer, &o.title, o.max_documents, o.timings)?;
        Ok(MarkdownWriter { file })
    }
}

impl FormatWriter for MarkdownWriter {
    const FORMAT: Format = Format::Markdown;

    fn begin(&mut self) -> Result<(), StageError> {
        self.file.begin()
    }

    fn write(&mut self, doc: &Document) -> Result<(), Fault> {
        let ReportFile { report, spill, path, .. } = &mut self.file;
        report.add(doc, |view| {
            let mut row = String::new();
            report::markdown::doc_row(view, &mut row);
            spill.push(row.as_bytes()).map_err(|e| spill_error(path, e))
        })
    }

    fn dropped(&mut self, record: &DropRecord) -> Result<(), Fault> {
        let ReportFile { report, path, .. } = &mut self.file;
        report::markdown::add_dropped(report, record, path).map_err(|e| spill_error(path, e))
    }

    fn finish(&mut self, stats: &RunStats) -> Result<(Vec<PathBuf>, u64), StageError> {
        let (title, timings) = (self.file.title.clone(), self.file.timings);
        self.file.commit(|report, spill, out| report::markdown::render(report, spill, stats, &title, timings, out))
    }
}
