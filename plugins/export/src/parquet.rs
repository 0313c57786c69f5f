//! Parquet output (arrow-rs): the record as columns, typed columns promoted from any field
//! path, and the annotations as nested columns that DuckDB, pandas and Spark read without
//! `json_extract`: `annotations` is a `map<string, list<struct<start, end, label, text,
//! canonical, entity_id, fields>>>` keyed by layer name, and a selected layer
//! (`annotations.entities`) a `list<struct<…>>` of its own. `canonical` and `entity_id` are
//! the entity tagger's span fields; any other span field is kept as JSON text in `fields`
//! (null when there is none).
//!
//! `attributes` is a struct with one child struct per attribute key that a registered stage
//! declares ([`docpipe_core::registry::AttributeDecl`]): every registered stage, sorted by
//! key, so every run and shard has the same schema whatever stages the pipeline uses (Spark
//! reads many files as one table). A key or field the document lacks is null. What the
//! struct cannot hold (undeclared keys or fields, a value not of its declared type) goes to
//! `attributes_other`, JSON text (null when there is none): never an error. A field typed
//! `json` is JSON text inside the struct. `metadata` stays JSON text (its keys are the
//! user's; promote the ones you query with `columns`), as does any column typed `json`
//! (`columns = ["annotations:json"]` or `["attributes:json"]` for the previous forms).
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
use docpipe_core::registry::{AttrType, AttributeDecl};
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
    /// The declared attributes of a row: key → the fields that fit (`json` fields as text).
    Attrs(Option<serde_json::Map<String, serde_json::Value>>),
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
            Value::Attrs(v) => v.is_none(),
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
            Value::Attrs(Some(m)) => m.values().map(json_str_len).sum(),
            _ => 0,
        }
    }
}

/// Bytes of the strings inside a JSON value.
fn json_str_len(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::String(s) => s.len(),
        serde_json::Value::Array(a) => a.iter().map(json_str_len).sum(),
        serde_json::Value::Object(m) => m.values().map(json_str_len).sum(),
        _ => 0,
    }
}

/// The Arrow type of a declared attribute type (every field nullable).
fn attr_data_type(ty: &AttrType) -> DataType {
    match ty {
        AttrType::String | AttrType::Json => DataType::Utf8,
        AttrType::Int => DataType::Int64,
        AttrType::Float => DataType::Float64,
        AttrType::Bool => DataType::Boolean,
        AttrType::List(item) => DataType::List(Arc::new(Field::new("item", attr_data_type(item), true))),
        AttrType::Struct(fields) => DataType::Struct(
            fields.iter().map(|f| Field::new(f.name, attr_data_type(&f.ty), true)).collect::<Vec<_>>().into(),
        ),
    }
}

/// The struct fields of the `attributes` column: one struct per declared key.
fn attributes_fields(decls: &[&'static AttributeDecl]) -> Fields {
    decls.iter().map(|d| Field::new(d.key, attr_data_type(&d.ty()), true)).collect::<Vec<_>>().into()
}

/// Splits a document's attributes into what the declared structs hold (each `json` field
/// replaced by its JSON text) and the rest (`attributes_other`), field by field.
fn split_attributes(
    decls: &[&'static AttributeDecl],
    attrs: &serde_json::Map<String, serde_json::Value>,
) -> (serde_json::Map<String, serde_json::Value>, serde_json::Map<String, serde_json::Value>) {
    let mut typed = serde_json::Map::new();
    let mut other = serde_json::Map::new();
    for (key, value) in attrs {
        let Some(decl) = decls.iter().find(|d| d.key == key) else {
            other.insert(key.clone(), value.clone());
            continue;
        };
        let Some(obj) = value.as_object() else {
            if !value.is_null() {
                other.insert(key.clone(), value.clone());
            }
            continue;
        };
        let mut fit = serde_json::Map::new();
        let mut rest = serde_json::Map::new();
        for (name, v) in obj {
            match decl.fields.iter().find(|f| f.name == name) {
                Some(f) if f.ty.fits(v) => {
                    fit.insert(name.clone(), json_fields_as_text(&f.ty, v));
                }
                _ => {
                    rest.insert(name.clone(), v.clone());
                }
            }
        }
        typed.insert(key.clone(), serde_json::Value::Object(fit));
        if !rest.is_empty() {
            other.insert(key.clone(), serde_json::Value::Object(rest));
        }
    }
    (typed, other)
}

/// `v` (which fits `ty`) with every value typed `json` replaced by its JSON text.
fn json_fields_as_text(ty: &AttrType, v: &serde_json::Value) -> serde_json::Value {
    match (ty, v) {
        (_, serde_json::Value::Null) => serde_json::Value::Null,
        (AttrType::Json, v) => serde_json::Value::String(v.to_string()),
        (AttrType::List(item), serde_json::Value::Array(items)) => {
            items.iter().map(|i| json_fields_as_text(item, i)).collect()
        }
        (AttrType::Struct(fields), serde_json::Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match fields.iter().find(|f| f.name == k) {
                Some(f) => (k.clone(), json_fields_as_text(&f.ty, v)),
                None => (k.clone(), v.clone()),
            })
            .collect(),
        _ => v.clone(),
    }
}

/// Appends one value of a declared type (which it fits, `json` already as text) to a
/// builder made by `make_builder` for [`attr_data_type`].
fn append_attr(b: &mut dyn ArrayBuilder, ty: &AttrType, v: Option<&serde_json::Value>) -> Result<(), StageError> {
    fn cast<T: ArrayBuilder>(b: &mut dyn ArrayBuilder) -> Result<&mut T, StageError> {
        b.as_any_mut()
            .downcast_mut::<T>()
            .ok_or_else(|| StageError::new("export: a Parquet attribute field has the wrong builder"))
    }
    let v = v.filter(|v| !v.is_null());
    match ty {
        AttrType::String | AttrType::Json => cast::<StringBuilder>(b)?.append_option(v.and_then(|v| v.as_str())),
        AttrType::Int => cast::<Int64Builder>(b)?.append_option(v.and_then(serde_json::Value::as_i64)),
        AttrType::Float => cast::<Float64Builder>(b)?.append_option(v.and_then(serde_json::Value::as_f64)),
        AttrType::Bool => cast::<BooleanBuilder>(b)?.append_option(v.and_then(serde_json::Value::as_bool)),
        AttrType::List(item) => {
            let lb = cast::<ListBuilder<Box<dyn ArrayBuilder>>>(b)?;
            let items = v.and_then(serde_json::Value::as_array);
            for i in items.into_iter().flatten() {
                append_attr(lb.values().as_mut(), item, Some(i))?;
            }
            lb.append(items.is_some());
        }
        AttrType::Struct(fields) => {
            let sb = cast::<StructBuilder>(b)?;
            let obj = v.and_then(serde_json::Value::as_object);
            append_struct(sb, fields.iter().map(|f| (f.name, f.ty)), obj)?;
        }
    }
    Ok(())
}

/// Appends one row to a struct builder whose children are `fields`, in order.
fn append_struct(
    sb: &mut StructBuilder,
    fields: impl Iterator<Item = (&'static str, AttrType)>,
    obj: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Result<(), StageError> {
    for ((name, ty), child) in fields.zip(sb.field_builders_mut()) {
        append_attr(child.as_mut(), &ty, obj.and_then(|o| o.get(name)))?;
    }
    sb.append(obj.is_some());
    Ok(())
}

enum Builder {
    Str(StringBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Spans(ListBuilder<StructBuilder>),
    Layers(Box<MapBuilder<StringBuilder, ListBuilder<StructBuilder>>>),
    Attrs(StructBuilder, Vec<&'static AttributeDecl>),
}

impl Builder {
    fn new(ty: ColType, decls: &[&'static AttributeDecl]) -> Builder {
        match ty {
            ColType::Attributes => {
                Builder::Attrs(StructBuilder::from_fields(attributes_fields(decls), 0), decls.to_vec())
            }
            ColType::String | ColType::Json | ColType::AttributesOther => Builder::Str(StringBuilder::new()),
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
            Builder::Attrs(b, _) => Arc::new(b.finish()),
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
            (Builder::Attrs(b, decls), Value::Attrs(row)) => {
                let fields = decls.iter().map(|d| (d.key, d.ty()));
                append_struct(b, fields, row.as_ref())?;
            }
            _ => return Err(StageError::new("export: a Parquet value does not match its column builder")),
        }
        Ok(())
    }
}

/// The Arrow type of a column (`decls`: the declared attributes, for `attributes`).
pub fn data_type(ty: ColType, decls: &[&'static AttributeDecl]) -> DataType {
    match ty {
        ColType::String | ColType::Json | ColType::AttributesOther => DataType::Utf8,
        ColType::Int => DataType::Int64,
        ColType::Float => DataType::Float64,
        ColType::Bool => DataType::Boolean,
        // Exactly what the builder makes (field names and nullability included).
        ColType::Spans | ColType::Layers | ColType::Attributes => Builder::new(ty, decls).finish().data_type().clone(),
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
    /// The declared attributes (of every registered stage), sorted by key.
    decls: Vec<&'static AttributeDecl>,
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
        // `attributes` brings its `attributes_other` column along.
        let names: Vec<String> = cols
            .iter()
            .flat_map(|c| {
                let other = (c.ty == ColType::Attributes).then(|| format!("{}_other", c.name));
                std::iter::once(c.name.clone()).chain(other)
            })
            .collect();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(options.error("columns", format!("two output columns are named `{n}` (use `rename`)")));
            }
        }
        Ok(ParquetWriter::new(&path, cols, limits))
    }

    /// A writer of `columns` to `template` (`{shard}` replaced by the shard number). A column
    /// typed [`ColType::Attributes`] is followed by its `<name>_other` column; when no
    /// registered stage declares an attribute it is JSON text instead (a struct needs fields).
    pub fn new(template: &std::path::Path, columns: Vec<Column>, limits: Limits) -> ParquetWriter {
        let decls: Vec<&'static AttributeDecl> =
            docpipe_core::registry::declared_attributes().into_iter().filter(|d| !d.fields.is_empty()).collect();
        let mut cols = Vec::with_capacity(columns.len() + 1);
        for mut c in columns {
            if c.ty == ColType::Attributes {
                if decls.is_empty() {
                    c.ty = ColType::Json;
                } else {
                    let other = Column {
                        path: c.path.clone(),
                        name: format!("{}_other", c.name),
                        ty: ColType::AttributesOther,
                    };
                    cols.push(c);
                    cols.push(other);
                    continue;
                }
            }
            cols.push(c);
        }
        let columns = cols;
        let fields: Vec<Field> =
            columns.iter().map(|c| Field::new(c.name.clone(), data_type(c.ty, &decls), !always_present(c))).collect();
        let schema = Arc::new(Schema::new(fields));
        let builders: Vec<Builder> = columns.iter().map(|c| Builder::new(c.ty, &decls)).collect();
        ParquetWriter {
            template: template.to_string_lossy().into_owned(),
            limits,
            columns,
            decls,
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
                    data_type(c.ty, &self.decls)
                ))
            };
            let v = match c.ty {
                ColType::String => Value::Str(cell.into_text()),
                ColType::Attributes | ColType::AttributesOther => {
                    let attrs = match &cell {
                        Cell::Json(v) => v.as_object(),
                        _ => None,
                    };
                    match attrs {
                        None if c.ty == ColType::Attributes => Value::Attrs(None),
                        // Not an object at all: all of it is "other".
                        None => Value::Str(cell.to_json_text().map(Cow::Owned)),
                        Some(attrs) => {
                            let (typed, other) = split_attributes(&self.decls, attrs);
                            if c.ty == ColType::Attributes {
                                Value::Attrs(Some(typed))
                            } else {
                                Value::Str(
                                    (!other.is_empty())
                                        .then(|| Cow::Owned(serde_json::Value::Object(other).to_string())),
                                )
                            }
                        }
                    }
                }
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
