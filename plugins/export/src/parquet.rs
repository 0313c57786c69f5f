//! Parquet output (arrow-rs): the record as columns, typed columns promoted from any field
//! path, and the annotations as nested columns that DuckDB, pandas and Spark read without
//! `json_extract`: `annotations` is a `map<string, list<struct<start, end, label, text,
//! canonical, entity_id, fields>>>` keyed by layer name, and a selected layer
//! (`annotations.entities`) a `list<struct<…>>` of its own. `canonical` and `entity_id` are
//! the entity tagger's span fields; any other span field is kept as JSON text in `fields`
//! (null when there is none). `metadata` and `attributes` stay JSON text (their keys differ
//! per document; promote the ones you query with `columns`), as does any column typed
//! `json` (`columns = ["annotations:json"]` for the previous form).
//!
//! Rows are buffered in Arrow builders and handed to the writer every [`BATCH_ROWS`] rows
//! (or [`BATCH_BYTES`] of text), so memory stays bounded; row groups hold at most
//! [`ROW_GROUP_ROWS`] rows. Batching depends only on the documents, so the bytes do not
//! depend on the runner's threads or batch sizes. Pages are Snappy-compressed, the codec
//! pandas, DuckDB and Spark read by default.
//!
//! A document is converted to its row first and checked against the schema (a required
//! column that would be null, such as a `source.end` beyond the int64 range, or a string
//! larger than an Arrow string array holds); a row that does not fit is refused as a
//! [`Fault::Document`] before anything of it reaches the builders, so the batch stays whole
//! and the next document is written normally.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, MapBuilder, StringBuilder, StructBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use docpipe_core::output::AtomicFile;
use docpipe_core::stats::RunStats;
use docpipe_core::{BuildError, Document, StageError, StageOptions};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::columns::{self, ColType, Column, FieldSpec};
use crate::fields::Cell;
use crate::options::{Format, ParquetOptions, output_path};
use crate::sink_io::{Fault, FileWriter, Limits, io_error, shard_path};
use crate::{FormatWriter, PARQUET_COLUMNS};

/// Rows per record batch handed to the writer.
pub const BATCH_ROWS: usize = 8192;
/// Text bytes that also end a batch early (long documents).
pub const BATCH_BYTES: usize = 32 << 20;
/// Maximum rows per row group.
pub const ROW_GROUP_ROWS: usize = 65536;
/// Bytes one Arrow string array holds (32-bit offsets).
pub const MAX_STRING_BYTES: usize = i32::MAX as usize;

/// One span of a nested annotation column.
#[derive(Debug, Clone, PartialEq)]
struct SpanRow {
    start: i64,
    end: i64,
    label: Option<String>,
    text: Option<String>,
    canonical: Option<String>,
    entity_id: Option<String>,
    /// The other span fields, as a JSON object (none: null).
    fields: Option<String>,
}

impl SpanRow {
    /// The span of a record's JSON form, or `None` when it is not one.
    fn from_json(v: &serde_json::Value) -> Option<SpanRow> {
        let o = v.as_object()?;
        let int = |k: &str| o.get(k).and_then(serde_json::Value::as_u64).and_then(|n| i64::try_from(n).ok());
        let mut rest = serde_json::Map::new();
        let text_field = |k: &str| match o.get(k) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let (label, text) = (text_field("label"), text_field("text"));
        let (canonical, entity_id) = (text_field("canonical"), text_field("entity_id"));
        for (k, v) in o {
            let known = match k.as_str() {
                "start" | "end" => true,
                "label" => label.is_some(),
                "text" => text.is_some(),
                "canonical" => canonical.is_some(),
                "entity_id" => entity_id.is_some(),
                _ => false,
            };
            if !known {
                rest.insert(k.clone(), v.clone());
            }
        }
        let fields = (!rest.is_empty()).then(|| serde_json::Value::Object(rest).to_string());
        Some(SpanRow { start: int("start")?, end: int("end")?, label, text, canonical, entity_id, fields })
    }

    /// The spans of a layer's JSON form (an array of spans).
    fn layer(v: &serde_json::Value) -> Option<Vec<SpanRow>> {
        v.as_array()?.iter().map(SpanRow::from_json).collect()
    }

    /// Bytes of text it holds (to bound batches and string arrays).
    fn text_len(&self) -> usize {
        [&self.label, &self.text, &self.canonical, &self.entity_id, &self.fields]
            .iter()
            .map(|s| s.as_ref().map_or(0, String::len))
            .sum()
    }
}

/// The struct fields of one span.
fn span_fields() -> Fields {
    Fields::from(vec![
        Field::new("start", DataType::Int64, false),
        Field::new("end", DataType::Int64, false),
        Field::new("label", DataType::Utf8, true),
        Field::new("text", DataType::Utf8, true),
        Field::new("canonical", DataType::Utf8, true),
        Field::new("entity_id", DataType::Utf8, true),
        Field::new("fields", DataType::Utf8, true),
    ])
}

fn spans_builder() -> ListBuilder<StructBuilder> {
    ListBuilder::new(StructBuilder::from_fields(span_fields(), 0))
}

/// Appends spans to a struct builder of [`span_fields`].
fn append_spans(b: &mut StructBuilder, spans: &[SpanRow]) -> Result<(), StageError> {
    fn child<T: ArrayBuilder>(b: &mut StructBuilder, i: usize) -> Result<&mut T, StageError> {
        b.field_builder::<T>(i).ok_or_else(|| StageError::new("export: a Parquet span field has the wrong builder"))
    }
    for s in spans {
        child::<Int64Builder>(b, 0)?.append_value(s.start);
        child::<Int64Builder>(b, 1)?.append_value(s.end);
        for (i, v) in [&s.label, &s.text, &s.canonical, &s.entity_id, &s.fields].into_iter().enumerate() {
            child::<StringBuilder>(b, i + 2)?.append_option(v.as_deref());
        }
        b.append(true);
    }
    Ok(())
}

/// One converted value of a row.
enum Value<'a> {
    Str(Option<Cow<'a, str>>),
    Int(Option<i64>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Spans(Option<Vec<SpanRow>>),
    Layers(Option<Vec<(String, Vec<SpanRow>)>>),
}

impl Value<'_> {
    fn is_null(&self) -> bool {
        match self {
            Value::Str(v) => v.is_none(),
            Value::Int(v) => v.is_none(),
            Value::Float(v) => v.is_none(),
            Value::Bool(v) => v.is_none(),
            Value::Spans(v) => v.is_none(),
            Value::Layers(v) => v.is_none(),
        }
    }

    /// Bytes of text it holds (a bound on what one string array of it receives).
    fn str_len(&self) -> usize {
        match self {
            Value::Str(Some(s)) => s.len(),
            Value::Spans(Some(spans)) => spans.iter().map(SpanRow::text_len).sum(),
            Value::Layers(Some(layers)) => {
                layers.iter().map(|(k, spans)| k.len() + spans.iter().map(SpanRow::text_len).sum::<usize>()).sum()
            }
            _ => 0,
        }
    }
}

enum Builder {
    Str(StringBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Spans(ListBuilder<StructBuilder>),
    Layers(Box<MapBuilder<StringBuilder, ListBuilder<StructBuilder>>>),
}

impl Builder {
    fn new(ty: ColType) -> Builder {
        match ty {
            ColType::String | ColType::Json => Builder::Str(StringBuilder::new()),
            ColType::Int => Builder::Int(Int64Builder::new()),
            ColType::Float => Builder::Float(Float64Builder::new()),
            ColType::Bool => Builder::Bool(BooleanBuilder::new()),
            ColType::Spans => Builder::Spans(spans_builder()),
            ColType::Layers => Builder::Layers(Box::new(MapBuilder::new(None, StringBuilder::new(), spans_builder()))),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Str(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Float(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Spans(b) => Arc::new(b.finish()),
            Builder::Layers(b) => Arc::new(b.finish()),
        }
    }

    fn append(&mut self, v: Value<'_>) -> Result<(), StageError> {
        match (self, v) {
            (Builder::Str(b), Value::Str(t)) => b.append_option(t),
            (Builder::Int(b), Value::Int(x)) => b.append_option(x),
            (Builder::Float(b), Value::Float(x)) => b.append_option(x),
            (Builder::Bool(b), Value::Bool(x)) => b.append_option(x),
            (Builder::Spans(b), Value::Spans(spans)) => {
                if let Some(spans) = &spans {
                    append_spans(b.values(), spans)?;
                }
                b.append(spans.is_some());
            }
            (Builder::Layers(b), Value::Layers(layers)) => {
                for (name, spans) in layers.iter().flatten() {
                    b.keys().append_value(name);
                    append_spans(b.values().values(), spans)?;
                    b.values().append(true);
                }
                b.append(layers.is_some()).map_err(|e| StageError::with_source("cannot build a Parquet map", e))?;
            }
            _ => return Err(StageError::new("export: a Parquet value does not match its column builder")),
        }
        Ok(())
    }
}

/// The Arrow type of a column.
pub fn data_type(ty: ColType) -> DataType {
    match ty {
        ColType::String | ColType::Json => DataType::Utf8,
        ColType::Int => DataType::Int64,
        ColType::Float => DataType::Float64,
        ColType::Bool => DataType::Boolean,
        // Exactly what the builder makes (field names and nullability included).
        ColType::Spans | ColType::Layers => Builder::new(ty).finish().data_type().clone(),
    }
}

/// `name` with every character other than ASCII letters, digits and `_` replaced by `_`
/// (`metadata.outlet-name` → `metadata_outlet_name`), so DuckDB, Spark SQL and pandas'
/// attribute access take it without quoting.
pub fn plain_column_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

fn always_present(c: &Column) -> bool {
    matches!(c.path.raw.as_str(), "id" | "text" | "source.path" | "source.start" | "source.end")
}

/// The Parquet writer, with sharding.
pub struct ParquetWriter {
    template: String,
    limits: Limits,
    columns: Vec<Column>,
    schema: SchemaRef,
    builders: Vec<Builder>,
    buffered_rows: usize,
    buffered_bytes: usize,
    /// String bytes buffered per column.
    column_bytes: Vec<usize>,
    writer: Option<ArrowWriter<FileWriter>>,
    shard: usize,
    shard_rows: u64,
    closed: Vec<AtomicFile>,
    /// Rows written.
    pub rows_written: u64,
}

impl std::fmt::Debug for ParquetWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetWriter").field("template", &self.template).field("columns", &self.columns).finish()
    }
}

impl ParquetWriter {
    /// Builds the writer from its options, checking them.
    pub fn from_options(o: &ParquetOptions, options: &StageOptions<'_>) -> Result<ParquetWriter, BuildError> {
        let limits = Limits { max_records: o.max_records, max_bytes: o.max_bytes };
        let path = output_path(options, &o.path, Format::Parquet, limits)?;
        let spec = FieldSpec::parse(&o.fields).map_err(|m| options.error("fields", m))?;
        let mut cols = columns::table_columns(PARQUET_COLUMNS, &spec, &o.columns, &o.rename)
            .map_err(|m| options.error(if m.starts_with("rename") { "rename" } else { "columns" }, m))?;
        // A column named after its path gets a name SQL engines take unquoted.
        for c in cols.iter_mut().filter(|c| c.name == c.path.column_name()) {
            c.name = plain_column_name(&c.name);
        }
        for (i, c) in cols.iter().enumerate() {
            if cols[..i].iter().any(|o| o.name == c.name) {
                return Err(
                    options.error("columns", format!("two output columns are named `{}` (use `rename`)", c.name))
                );
            }
        }
        Ok(ParquetWriter::new(&path, cols, limits))
    }

    /// A writer of `columns` to `template` (`{shard}` replaced by the shard number).
    pub fn new(template: &std::path::Path, columns: Vec<Column>, limits: Limits) -> ParquetWriter {
        let fields: Vec<Field> =
            columns.iter().map(|c| Field::new(c.name.clone(), data_type(c.ty), !always_present(c))).collect();
        let schema = Arc::new(Schema::new(fields));
        let builders: Vec<Builder> = columns.iter().map(|c| Builder::new(c.ty)).collect();
        ParquetWriter {
            template: template.to_string_lossy().into_owned(),
            limits,
            columns,
            schema,
            column_bytes: vec![0; builders.len()],
            builders,
            buffered_rows: 0,
            buffered_bytes: 0,
            writer: None,
            shard: 0,
            shard_rows: 0,
            closed: Vec::new(),
            rows_written: 0,
        }
    }

    /// The Arrow schema of the files.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn path(&self) -> PathBuf {
        PathBuf::from(shard_path(&self.template, self.shard))
    }

    fn open(&mut self) -> Result<(), StageError> {
        let path = self.path();
        let file = FileWriter::open(&path).map_err(|e| io_error("cannot create", &path, e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("docpipe {} (parquet-rs)", env!("CARGO_PKG_VERSION")))
            .build();
        let w = ArrowWriter::try_new(file, self.schema.clone(), Some(props))
            .map_err(|e| StageError::with_source(format!("cannot start Parquet file {}", path.display()), e))?;
        self.writer = Some(w);
        self.shard_rows = 0;
        Ok(())
    }

    /// Opens the first file (so that an empty run still writes a valid, empty file).
    fn open_first(&mut self) -> Result<(), StageError> {
        if self.writer.is_none() { self.open() } else { Ok(()) }
    }

    fn shard_full(&self) -> bool {
        let Some(w) = &self.writer else { return false };
        (self.limits.max_records > 0 && self.shard_rows >= self.limits.max_records)
            || (self.limits.max_bytes > 0
                && self.shard_rows > 0
                && (w.bytes_written() + w.in_progress_size()) as u64 >= self.limits.max_bytes)
    }

    /// The row of a document, checked against the schema.
    fn row<'d>(&self, doc: &'d Document) -> Result<Vec<Value<'d>>, StageError> {
        let mut row = Vec::with_capacity(self.columns.len());
        for c in &self.columns {
            let cell = c.cell(doc);
            let misfit = |raw: &str| {
                StageError::new(format!(
                    "document `{}`: `{}` = {raw} does not fit the Parquet column `{}` ({})",
                    doc.id,
                    c.path.raw,
                    c.name,
                    data_type(c.ty)
                ))
            };
            let v = match c.ty {
                ColType::String => Value::Str(cell.into_text()),
                ColType::Spans | ColType::Layers => {
                    let json = match &cell {
                        Cell::Json(v) if !v.is_null() => Some(v.as_ref()),
                        _ => None,
                    };
                    let v = match (c.ty, json) {
                        (_, None) => None,
                        (ColType::Spans, Some(v)) => {
                            Some(Value::Spans(Some(SpanRow::layer(v).ok_or_else(|| misfit("not a span layer"))?)))
                        }
                        (_, Some(v)) => {
                            let layers = v.as_object().ok_or_else(|| misfit("not a table of span layers"))?;
                            let mut out = Vec::with_capacity(layers.len());
                            for (name, spans) in layers {
                                out.push((
                                    name.clone(),
                                    SpanRow::layer(spans).ok_or_else(|| misfit("not a span layer"))?,
                                ));
                            }
                            Some(Value::Layers(Some(out)))
                        }
                    };
                    v.unwrap_or(if c.ty == ColType::Spans { Value::Spans(None) } else { Value::Layers(None) })
                }
                ty => {
                    let v = match ty {
                        ColType::Int => Value::Int(cell.to_i64()),
                        ColType::Float => Value::Float(cell.to_f64()),
                        ColType::Bool => Value::Bool(cell.to_bool()),
                        _ => Value::Str(cell.to_json_text().map(Cow::Owned)),
                    };
                    if v.is_null() && always_present(c) {
                        return Err(misfit(cell.to_text().as_deref().unwrap_or("nothing")));
                    }
                    v
                }
            };
            if v.is_null() && always_present(c) {
                return Err(misfit("nothing"));
            }
            if v.str_len() > MAX_STRING_BYTES {
                return Err(StageError::new(format!(
                    "document `{}`: `{}` has {} bytes, more than a Parquet string column holds in one row ({MAX_STRING_BYTES})",
                    doc.id,
                    c.path.raw,
                    v.str_len()
                )));
            }
            row.push(v);
        }
        Ok(row)
    }

    fn write_row(&mut self, row: Vec<Value<'_>>) -> Result<(), StageError> {
        if self.shard_full() {
            self.flush_batch()?;
            self.close_current()?;
            self.shard += 1;
        }
        if self.writer.is_none() {
            self.open()?;
        }
        // A string array's offsets are 32-bit: end the batch before a column would overflow.
        let overflow = row.iter().zip(&self.column_bytes).any(|(v, &n)| n + v.str_len() > MAX_STRING_BYTES);
        if overflow {
            self.flush_batch()?;
        }
        for ((v, b), n) in row.into_iter().zip(self.builders.iter_mut()).zip(self.column_bytes.iter_mut()) {
            *n += v.str_len();
            self.buffered_bytes += v.str_len();
            b.append(v)?;
        }
        self.buffered_rows += 1;
        self.shard_rows += 1;
        self.rows_written += 1;
        // With a record limit, a batch never crosses a shard boundary.
        let at_limit = self.limits.max_records > 0 && self.shard_rows >= self.limits.max_records;
        if self.buffered_rows >= BATCH_ROWS || self.buffered_bytes >= BATCH_BYTES || at_limit {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> Result<(), StageError> {
        if self.buffered_rows == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        self.buffered_rows = 0;
        self.buffered_bytes = 0;
        self.column_bytes.iter_mut().for_each(|n| *n = 0);
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .map_err(|e| StageError::with_source("cannot build a Parquet batch", e))?;
        let path = self.path();
        let w = self.writer.as_mut().ok_or_else(|| StageError::new("export: no Parquet file is open"))?;
        w.write(&batch).map_err(|e| StageError::with_source(format!("cannot write {}", path.display()), e))
    }

    fn close_current(&mut self) -> Result<(), StageError> {
        if let Some(w) = self.writer.take() {
            let path = self.path();
            let file =
                w.into_inner().map_err(|e| StageError::with_source(format!("cannot finish {}", path.display()), e))?;
            if let Some(f) = file.close().map_err(|e| io_error("cannot write", &path, e))? {
                self.closed.push(f);
            }
        }
        Ok(())
    }
}

impl FormatWriter for ParquetWriter {
    const FORMAT: Format = Format::Parquet;

    fn begin(&mut self) -> Result<(), StageError> {
        self.open_first()
    }

    /// Adds one document. A document whose row does not fit is refused before anything of it
    /// is buffered ([`Fault::Document`]).
    fn write(&mut self, doc: &Document) -> Result<(), Fault> {
        let row = self.row(doc).map_err(Fault::Document)?;
        self.write_row(row).map_err(Fault::Output)
    }

    /// Writes the last batch and footer and commits every file.
    fn finish(&mut self, _stats: &RunStats) -> Result<(Vec<PathBuf>, u64), StageError> {
        self.open_first()?;
        self.flush_batch()?;
        self.close_current()?;
        let mut paths = Vec::new();
        for f in self.closed.drain(..) {
            let p = f.target().to_owned();
            f.commit().map_err(|e| io_error("cannot commit", &p, e))?;
            paths.push(p);
        }
        Ok((paths, self.rows_written))
    }
}
