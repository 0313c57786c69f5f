//! CSV output (RFC 4180): one row per document (chosen columns) or one row per entity
//! mention. A field is quoted when it holds the delimiter, a quote, a line break or leading
//! or trailing spaces; quotes inside are doubled. Every shard starts with the header row.
//!
//! Every value can be written (any text can be quoted), so no document is refused for its
//! data; all the rows of a document are built before the first is written, and only an I/O
//! error can stop a document part way (a [`Fault::Output`], after which nothing is
//! committed).

use std::io::Write;
use std::path::PathBuf;

use docpipe_core::stats::RunStats;
use docpipe_core::{BuildError, Document, StageError, StageOptions};

use crate::columns::{self, Column, FieldSpec};
use crate::options::{CsvOptions, Format, OPTION_FORMATS, Rows, format_list, output_path};
use crate::sink_io::{Fault, Limits, Shards, io_error};
use crate::{CSV_COLUMNS, FormatWriter};

/// The columns of `rows = "entities"`.
pub const ENTITY_COLUMNS: &[&str] = &["doc_id", "label", "text", "canonical", "entity_id", "start", "end"];

/// What a row is.
#[derive(Debug, Clone)]
pub enum RowKind {
    /// One row per document.
    Documents(Vec<Column>),
    /// One row per span of a layer (entities), with [`ENTITY_COLUMNS`] renamed as given.
    Entities {
        /// The span layer.
        layer: String,
        /// Header names, in [`ENTITY_COLUMNS`] order.
        names: Vec<String>,
    },
}

/// The CSV writer.
#[derive(Debug)]
pub struct CsvWriter {
    shards: Shards,
    rows: RowKind,
    delimiter: u8,
    header: bool,
    line: Vec<u8>,
    /// The rows of the current document, end offsets into `line`.
    ends: Vec<usize>,
    /// Rows written.
    pub rows_written: u64,
}

impl CsvWriter {
    /// A writer to `shards`.
    pub fn new(shards: Shards, rows: RowKind, delimiter: u8, header: bool) -> CsvWriter {
        CsvWriter { shards, rows, delimiter, header, line: Vec::new(), ends: Vec::new(), rows_written: 0 }
    }

    fn header_line(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let names: Vec<&str> = match &self.rows {
            RowKind::Documents(cols) => cols.iter().map(|c| c.name.as_str()).collect(),
            RowKind::Entities { names, .. } => names.iter().map(String::as_str).collect(),
        };
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                out.push(self.delimiter);
            }
            push_field(&mut out, n, self.delimiter);
        }
        out.push(b'\n');
        out
    }

    /// Writes the rows built in `line`.
    fn emit(&mut self) -> Result<(), StageError> {
        let mut start = 0;
        for k in 0..self.ends.len() {
            let end = self.ends[k];
            let len = (end - start) as u64;
            let opened = self.shards.prepare(len)?;
            let path = self.shards.current_path();
            if opened && self.header {
                let h = self.header_line();
                self.shards.writer()?.write_all(&h).map_err(|e| io_error("cannot write", &path, e))?;
            }
            let row = &self.line[start..end];
            self.shards.writer()?.write_all(row).map_err(|e| io_error("cannot write", &path, e))?;
            self.shards.record_written(len);
            self.rows_written += 1;
            start = end;
        }
        Ok(())
    }

    /// Builds the writer from its options, checking them.
    pub fn from_options(o: &CsvOptions, options: &StageOptions<'_>) -> Result<CsvWriter, BuildError> {
        let err = |key: &str, msg: String| options.error(key, msg);
        let entities = o.rows == Rows::Entities;
        if o.layer.is_some() && !entities {
            let formats = OPTION_FORMATS.iter().find(|(k, _)| *k == "layer").map(|(_, f)| *f).unwrap_or_default();
            let others: Vec<Format> = formats.iter().copied().filter(|f| *f != Format::Csv).collect();
            return Err(err(
                "layer",
                format!(
                    "applies to csv with rows = \"entities\" and to {} only, not csv document rows",
                    format_list(&others)
                ),
            ));
        }
        let limits = Limits { max_records: o.max_records, max_bytes: o.max_bytes };
        let path = output_path(options, &o.path, Format::Csv, limits)?;
        let spec = FieldSpec::parse(&o.fields).map_err(|m| err("fields", m))?;
        let tsv = o.path.to_ascii_lowercase().trim_end_matches(".gz").trim_end_matches(".zst").ends_with(".tsv");
        let delimiter = match o.delimiter.as_deref() {
            None if tsv => b'\t',
            None => b',',
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
        let rows = if entities {
            for (key, set) in [("fields", !o.fields.is_empty()), ("columns", !o.columns.is_empty())] {
                if set {
                    return Err(err(key, "applies to csv document rows only, not csv entity rows".into()));
                }
            }
            let mut names: Vec<String> = ENTITY_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
            for (from, to) in &o.rename {
                let Some(i) = ENTITY_COLUMNS.iter().position(|c| c == from) else {
                    let hint = docpipe_core::config::did_you_mean(from, ENTITY_COLUMNS);
                    return Err(err("rename", format!("`{from}` is not an entity column{hint}")));
                };
                names[i] = to.clone();
            }
            let layer = o.layer.clone().unwrap_or_else(|| crate::options::DEFAULT_LAYER.to_owned());
            RowKind::Entities { layer, names }
        } else {
            let cols = columns::table_columns(CSV_COLUMNS, &spec, &o.columns, &o.rename)
                .map_err(|m| err(if m.starts_with("rename") { "rename" } else { "columns" }, m))?;
            RowKind::Documents(cols)
        };
        Ok(CsvWriter::new(Shards::new(&path, limits), rows, delimiter, o.header))
    }

    /// Opens the first file (so an empty run still writes a header).
    fn open_first(&mut self) -> Result<(), StageError> {
        if self.shards.current_path().as_os_str() == "-" {
            return Ok(());
        }
        if self.shards.prepare(0)? && self.header {
            let h = self.header_line();
            let path = self.shards.current_path();
            self.shards.writer()?.write_all(&h).map_err(|e| io_error("cannot write", &path, e))?;
        }
        Ok(())
    }
}

impl FormatWriter for CsvWriter {
    const FORMAT: Format = Format::Csv;

    fn begin(&mut self) -> Result<(), StageError> {
        self.open_first()
    }

    /// Builds the row(s) of one document, then writes them.
    fn write(&mut self, doc: &Document) -> Result<(), Fault> {
        let d = self.delimiter;
        self.line.clear();
        self.ends.clear();
        match &self.rows {
            RowKind::Documents(cols) => {
                for (i, c) in cols.iter().enumerate() {
                    if i > 0 {
                        self.line.push(d);
                    }
                    let cell = c.cell(doc);
                    let text = match c.ty {
                        crate::columns::ColType::Json
                        | crate::columns::ColType::Spans
                        | crate::columns::ColType::Layers
                        | crate::columns::ColType::Attributes
                        | crate::columns::ColType::AttributesOther => cell.to_json_text().map(std::borrow::Cow::Owned),
                        _ => cell.to_text(),
                    };
                    if let Some(t) = text {
                        push_field(&mut self.line, &t, d);
                    }
                }
                self.line.push(b'\n');
                self.ends.push(self.line.len());
            }
            RowKind::Entities { layer, .. } => {
                let Some(spans) = doc.annotations.get(layer) else { return Ok(()) };
                for s in spans {
                    let text = s.text.as_deref().or_else(|| doc.text.get(s.start..s.end)).unwrap_or("");
                    let field = |k: &str| s.fields.get(k).map(value_text).unwrap_or_default();
                    let cells: [&str; 7] = [
                        &doc.id,
                        s.label.as_deref().unwrap_or(""),
                        text,
                        &field("canonical"),
                        &field("entity_id"),
                        &s.start.to_string(),
                        &s.end.to_string(),
                    ];
                    for (i, c) in cells.iter().enumerate() {
                        if i > 0 {
                            self.line.push(d);
                        }
                        push_field(&mut self.line, c, d);
                    }
                    self.line.push(b'\n');
                    self.ends.push(self.line.len());
                }
            }
        }
        self.emit().map_err(Fault::Output)
    }

    /// Commits the files.
    fn finish(&mut self, _stats: &RunStats) -> Result<(Vec<PathBuf>, u64), StageError> {
        self.open_first()?;
        Ok((self.shards.commit()?, self.rows_written))
    }
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Appends one CSV field, quoted when needed. A field that starts with U+FEFF is quoted too:
/// at the start of a file (the first cell of a headerless CSV), readers take it for a
/// byte-order mark and drop it (the `csv` crate, pandas, Excel).
pub fn push_field(out: &mut Vec<u8>, s: &str, delimiter: u8) {
    let needs = s.bytes().any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r')
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.starts_with('\u{feff}');
    if !needs {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    out.push(b'"');
    for part in s.split('"').enumerate() {
        if part.0 > 0 {
            out.extend_from_slice(b"\"\"");
        }
        out.extend_from_slice(part.1.as_bytes());
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quotes_only_when_needed() {
        let mut out = Vec::new();
        push_field(&mut out, "plain", b',');
        out.push(b',');
        push_field(&mut out, "a, \"b\"\nc", b',');
        out.push(b',');
        push_field(&mut out, " pad", b',');
        out.push(b',');
        push_field(&mut out, "\u{feff}mark", b',');
        assert_eq!(String::from_utf8(out).unwrap(), "plain,\"a, \"\"b\"\"\nc\",\" pad\",\"\u{feff}mark\"");
    }

    proptest! {
        /// The `csv` crate, an independent reader, gets back every field docpipe writes,
        /// whatever it holds (delimiters, quotes, line breaks, edge spaces, any Unicode).
        #[test]
        fn the_csv_crate_reads_back_every_field(
            rows in proptest::collection::vec(proptest::collection::vec(".{0,20}", 1..6), 1..4),
            tab in any::<bool>(),
        ) {
            // One empty field makes a blank line, which CSV readers skip.
            prop_assume!(rows.iter().all(|r| r.len() > 1 || !r[0].is_empty()));
            let d = if tab { b'\t' } else { b',' };
            let mut out = Vec::new();
            for row in &rows {
                for (i, c) in row.iter().enumerate() {
                    if i > 0 { out.push(d); }
                    push_field(&mut out, c, d);
                }
                out.push(b'\n');
            }
            let text = String::from_utf8(out).unwrap();
            prop_assert_eq!(docpipe_testkit::csv::parse(&text, d).unwrap(), rows);
        }
    }
}
