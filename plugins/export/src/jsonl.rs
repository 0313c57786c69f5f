//! JSONL output: core's record contract byte for byte (`serde_json` of [`Document`], the
//! shape `config/document.schema.json` describes), or a trimmed, selected or renamed form
//! ([`RecordShape`]), one record per line, sharded and compressed by [`Shards`].

use std::path::PathBuf;

use docpipe_core::stats::RunStats;
use docpipe_core::{BuildError, Document, StageError, StageOptions};

use crate::FormatWriter;
use crate::columns::{FieldSpec, RecordShape};
use crate::options::{Format, JsonlOptions, output_path};
use crate::sink_io::{Fault, Limits, Shards};

/// The JSONL writer.
#[derive(Debug)]
pub struct JsonlWriter {
    shards: Shards,
    shape: RecordShape,
    buf: Vec<u8>,
    records: u64,
}

impl JsonlWriter {
    /// Builds the writer from its options, checking them.
    pub fn from_options(o: &JsonlOptions, options: &StageOptions<'_>) -> Result<JsonlWriter, BuildError> {
        let limits = Limits { max_records: o.max_records, max_bytes: o.max_bytes };
        let path = output_path(options, &o.path, Format::Jsonl, limits)?;
        let spec = FieldSpec::parse(&o.fields).map_err(|m| options.error("fields", m))?;
        let shape = RecordShape::new(&spec, &o.rename).map_err(|m| options.error("fields", m))?;
        Ok(JsonlWriter { shards: Shards::new(&path, limits), shape, buf: Vec::new(), records: 0 })
    }
}

impl FormatWriter for JsonlWriter {
    const FORMAT: Format = Format::Jsonl;

    fn begin(&mut self) -> Result<(), StageError> {
        if self.shards.current_path().as_os_str() != "-" {
            self.shards.prepare(0)?;
        }
        Ok(())
    }

    fn write(&mut self, doc: &Document) -> Result<(), Fault> {
        self.buf.clear();
        self.shape
            .write(doc, &mut self.buf)
            .map_err(|e| Fault::Document(StageError::with_source("cannot serialise the record", e)))?;
        self.shards.write_record(&self.buf).map_err(Fault::Output)?;
        self.records += 1;
        Ok(())
    }

    fn finish(&mut self, _stats: &RunStats) -> Result<(Vec<PathBuf>, u64), StageError> {
        if !self.shards.is_open() && self.shards.current_path().as_os_str() != "-" {
            self.shards.prepare(0)?;
        }
        Ok((self.shards.commit()?, self.records))
    }
}
