//! CSV output (RFC 4180): one row per document (chosen columns) or one row per entity
//! mention. A field is quoted when it holds the delimiter, a quote, a line break or leading
//! or trailing spaces; quotes inside are doubled. Every shard starts with the header row.
//!
//! Every value can be written (any text can be quoted), so no document is refused for its
//! data; all the rows of a document are built before the first is written, and only an I/O
//! error can stop a document part way (a [`Fault::Output`], after which nothing is
//! committed).

use std::io::Write;

use docpipe_core::{Document, StageError};

use crate::columns::Column;
use crate::sink_io::{Fault, Shards, io_error};

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

    /// Opens the first file (so an empty run still writes a header).
    pub fn begin(&mut self) -> Result<(), StageError> {
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

    /// Builds the row(s) of one document, then writes them.
    pub fn write(&mut self, doc: &Document) -> Result<(), Fault> {
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
                        crate::columns::ColType::Json => cell.to_json_text().map(std::borrow::Cow::Owned),
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
    pub fn finish(&mut self) -> Result<Vec<std::path::PathBuf>, StageError> {
        self.begin()?;
        self.shards.commit()
    }
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Appends one CSV field, quoted when needed.
pub fn push_field(out: &mut Vec<u8>, s: &str, delimiter: u8) {
    let needs = s.bytes().any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r')
        || s.starts_with(' ')
        || s.ends_with(' ');
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

/// Parses CSV text back into rows (RFC 4180), for tests and the evaluation.
pub fn parse(text: &str, delimiter: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' {
            quoted = true;
        } else if c == delimiter {
            row.push(std::mem::take(&mut field));
        } else if c == '\n' {
            row.push(std::mem::take(&mut field));
            rows.push(std::mem::take(&mut row));
            any = false;
        } else if c != '\r' {
            field.push(c);
        }
    }
    if any {
        row.push(field);
        rows.push(row);
    }
    rows
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
        assert_eq!(String::from_utf8(out).unwrap(), "plain,\"a, \"\"b\"\"\nc\",\" pad\"");
    }

    proptest! {
        #[test]
        fn fields_round_trip(cells in proptest::collection::vec(".{0,20}", 1..6), tab in any::<bool>()) {
            let d = if tab { b'\t' } else { b',' };
            let mut out = Vec::new();
            for (i, c) in cells.iter().enumerate() {
                if i > 0 { out.push(d); }
                push_field(&mut out, c, d);
            }
            out.push(b'\n');
            let text = String::from_utf8(out).unwrap();
            let back = parse(&text, d as char);
            prop_assert_eq!(back, vec![cells]);
        }
    }
}
