//! Output shape shared by the formats: which fields a record or row holds, under which
//! names and with which types, from the `fields`, `columns` and `rename` options.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::fields::{self, Cell, FieldPath};
use docpipe_core::Document;

/// The type of a tabular column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// Text: strings as they are, other values as JSON text.
    String,
    /// 64-bit signed integer (null when the value is not an integer).
    Int,
    /// 64-bit float (null when the value is not a number).
    Float,
    /// Boolean (null when the value is not one).
    Bool,
    /// JSON text of the value.
    Json,
    /// Parquet: one span layer as `list<struct<start, end, label, text, canonical,
    /// entity_id, fields>>` (the natural type of `annotations.<layer>`); CSV: JSON text.
    Spans,
    /// Parquet: every layer, `map<string, list<struct<…>>>` keyed by layer name (the
    /// natural type of `annotations`); CSV: JSON text.
    Layers,
    /// Parquet: the attributes the registered stages declare, one typed struct per key,
    /// sorted by key (the natural type of `attributes`); CSV: JSON text.
    Attributes,
    /// Parquet only: JSON text of the attributes [`ColType::Attributes`] cannot hold
    /// (undeclared keys and fields, values not of their declared type); null if none.
    AttributesOther,
}

impl ColType {
    fn parse(s: &str) -> Result<ColType, String> {
        Ok(match s {
            "string" | "str" | "text" => ColType::String,
            "int" | "int64" | "integer" => ColType::Int,
            "float" | "float64" | "double" => ColType::Float,
            "bool" | "boolean" => ColType::Bool,
            "json" => ColType::Json,
            other => {
                let hint = docpipe_core::config::did_you_mean(other, &["string", "int", "float", "bool", "json"]);
                return Err(format!(
                    "unknown column type `{other}`, expected one of `string`, `int`, `float`, `bool`, `json`{hint}"
                ));
            }
        })
    }

    /// The natural type of a path when none is given.
    fn natural(path: &FieldPath) -> ColType {
        match path.segs.as_slice() {
            [r] if matches!(r.as_str(), "id" | "text" | "parent") => ColType::String,
            [s, k] if s == "source" && matches!(k.as_str(), "start" | "end" | "line") => ColType::Int,
            [s, k] if s == "source" && k == "path" => ColType::String,
            [r] if r == "annotations" => ColType::Layers,
            [r, _] if r == "annotations" => ColType::Spans,
            [r] if r == "attributes" => ColType::Attributes,
            [r] if matches!(r.as_str(), "metadata" | "source") => ColType::Json,
            [r, ..] if r == "annotations" => ColType::Json,
            [s, k, ..] if s == "source" && k == "edits" => ColType::Json,
            _ => ColType::String,
        }
    }
}

/// One output column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Where its values come from.
    pub path: FieldPath,
    /// Its name in the output.
    pub name: String,
    /// Its type.
    pub ty: ColType,
}

impl Column {
    /// The value of this column for a document.
    pub fn cell<'a>(&self, doc: &'a Document) -> Cell<'a> {
        fields::extract(doc, &self.path)
    }
}

/// `fields` split into selected paths and excluded paths (`-path`).
#[derive(Debug, Clone, Default)]
pub struct FieldSpec {
    /// Paths to keep (empty: the default set).
    pub keep: Vec<FieldPath>,
    /// Paths to leave out.
    pub drop: Vec<FieldPath>,
}

impl FieldSpec {
    /// Parses the `fields` option. Errors name the offending entry.
    pub fn parse(entries: &[String]) -> Result<FieldSpec, String> {
        let mut spec = FieldSpec::default();
        for e in entries {
            match e.strip_prefix('-') {
                Some(rest) => spec.drop.push(FieldPath::parse(rest.trim())?),
                None => spec.keep.push(FieldPath::parse(e.trim())?),
            }
        }
        for (i, p) in spec.keep.iter().enumerate() {
            if spec.keep[..i].contains(p) {
                return Err(format!("`{}` is listed twice", p.raw));
            }
        }
        Ok(spec)
    }
}

/// The columns of Parquet files and CSV document rows: `fields` (or `defaults`), minus the
/// excluded ones, plus `columns` (`path` or `path:type`), renamed by `rename`.
pub fn table_columns(
    defaults: &[&str],
    spec: &FieldSpec,
    promoted: &[String],
    rename: &BTreeMap<String, String>,
) -> Result<Vec<Column>, String> {
    let base: Vec<FieldPath> = if spec.keep.is_empty() {
        defaults.iter().map(|d| FieldPath::parse(d)).collect::<Result<_, _>>()?
    } else {
        spec.keep.clone()
    };
    let mut cols: Vec<Column> = base
        .into_iter()
        .filter(|p| !spec.drop.contains(p))
        .map(|path| Column { name: path.column_name(), ty: ColType::natural(&path), path })
        .collect();
    for entry in promoted {
        let (raw, ty) = match entry.rsplit_once(':') {
            Some((p, t)) => (p.trim(), Some(ColType::parse(t.trim())?)),
            None => (entry.trim(), None),
        };
        let path = FieldPath::parse(raw)?;
        let ty = ty.unwrap_or(ColType::String);
        if let Some(c) = cols.iter_mut().find(|c| c.path == path) {
            c.ty = ty;
        } else {
            cols.push(Column { name: path.column_name(), ty, path });
        }
    }
    apply_rename(&mut cols, rename)?;
    Ok(cols)
}

/// Renames columns; every key must name a column.
pub fn apply_rename(cols: &mut [Column], rename: &BTreeMap<String, String>) -> Result<(), String> {
    for (from, to) in rename {
        let Some(c) = cols.iter_mut().find(|c| c.path.raw == *from || c.name == *from) else {
            let names: Vec<&str> = cols.iter().map(|c| c.path.raw.as_str()).collect();
            let hint = docpipe_core::config::did_you_mean(from, &names);
            return Err(format!(
                "rename: `{from}` is not an output column (columns: {}){hint}",
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ));
        };
        if to.is_empty() {
            return Err(format!("rename: the new name of `{from}` is empty"));
        }
        c.name = to.clone();
    }
    for (i, c) in cols.iter().enumerate() {
        if cols[..i].iter().any(|o| o.name == c.name) {
            return Err(format!("two output columns are named `{}` (use `rename`)", c.name));
        }
    }
    Ok(())
}

/// How a JSONL record is shaped.
#[derive(Debug, Clone)]
pub enum RecordShape {
    /// Exactly core's record (the default): the serde form of [`Document`].
    Full,
    /// The full record with some paths removed and top-level fields renamed.
    Trimmed {
        /// Paths to remove.
        drop: Vec<FieldPath>,
        /// Top-level renames, `(from, to)`.
        rename: Vec<(String, String)>,
    },
    /// Chosen paths as top-level keys (`attributes.summary.text`, or their new names).
    Selected {
        /// The keys.
        cols: Vec<Column>,
        /// Paths removed inside the selected values.
        drop: Vec<FieldPath>,
    },
}

impl RecordShape {
    /// Builds the shape from the options.
    pub fn new(spec: &FieldSpec, rename: &BTreeMap<String, String>) -> Result<RecordShape, String> {
        if !spec.keep.is_empty() {
            let mut cols: Vec<Column> =
                spec.keep.iter().map(|p| Column { path: p.clone(), name: p.raw.clone(), ty: ColType::Json }).collect();
            apply_rename(&mut cols, rename)?;
            for d in &spec.drop {
                if !spec.keep.iter().any(|k| d.segs.len() > k.segs.len() && d.segs.starts_with(&k.segs)) {
                    return Err(format!("`-{}` removes nothing: no selected field contains it", d.raw));
                }
            }
            return Ok(RecordShape::Selected { cols, drop: spec.drop.clone() });
        }
        if spec.drop.is_empty() && rename.is_empty() {
            return Ok(RecordShape::Full);
        }
        let mut pairs = Vec::new();
        for (from, to) in rename {
            if !crate::fields::ROOTS.contains(&from.as_str()) {
                let hint = docpipe_core::config::did_you_mean(from, crate::fields::ROOTS);
                return Err(format!(
                    "rename: `{from}` is not a top-level field of the record; to rename a nested field, \
                     select it with `fields`{hint}"
                ));
            }
            if to.is_empty() {
                return Err(format!("rename: the new name of `{from}` is empty"));
            }
            pairs.push((from.clone(), to.clone()));
        }
        Ok(RecordShape::Trimmed { drop: spec.drop.clone(), rename: pairs })
    }

    /// Serialises one document as a JSON line (with its newline) into `out`.
    pub fn write(&self, doc: &Document, out: &mut Vec<u8>) -> serde_json::Result<()> {
        match self {
            RecordShape::Full => serde_json::to_writer(&mut *out, doc)?,
            RecordShape::Trimmed { drop, rename } => {
                let Value::Object(mut rec) = serde_json::to_value(doc)? else {
                    return Err(serde::ser::Error::custom("a document did not serialise to an object"));
                };
                for d in drop {
                    fields::remove(&mut rec, &d.segs);
                }
                if !rename.is_empty() {
                    rec = rec
                        .into_iter()
                        .map(|(k, v)| match rename.iter().find(|(f, _)| *f == k) {
                            Some((_, to)) => (to.clone(), v),
                            None => (k, v),
                        })
                        .collect();
                }
                serde_json::to_writer(&mut *out, &rec)?;
            }
            RecordShape::Selected { cols, drop } => {
                let mut rec = Map::new();
                for c in cols {
                    let mut v = c.cell(doc).to_json();
                    for d in drop {
                        if d.segs.len() > c.path.segs.len()
                            && d.segs.starts_with(&c.path.segs)
                            && let Value::Object(m) = &mut v
                        {
                            fields::remove(m, &d.segs[c.path.segs.len()..]);
                        }
                    }
                    rec.insert(c.name.clone(), v);
                }
                serde_json::to_writer(&mut *out, &rec)?;
            }
        }
        out.push(b'\n');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(e: &[&str]) -> FieldSpec {
        FieldSpec::parse(&e.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn table_columns_from_defaults_fields_and_promotions() {
        let rename = BTreeMap::from([("attributes.summary.text".to_owned(), "summary".to_owned())]);
        let cols = table_columns(
            &["id", "text", "source.start"],
            &spec(&["-text"]),
            &["attributes.summary.text".into(), "attributes.dedupe.similarity:float".into()],
            &rename,
        )
        .unwrap();
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "source_start", "summary", "attributes_dedupe_similarity"]);
        assert_eq!(cols[1].ty, ColType::Int);
        assert_eq!(cols[3].ty, ColType::Float);
        let e = table_columns(&["id"], &spec(&[]), &["attributes.x:flaot".into()], &BTreeMap::new()).unwrap_err();
        assert!(e.contains("did you mean `float`?"), "{e}");
        let bad = BTreeMap::from([("idd".to_owned(), "x".to_owned())]);
        let e = table_columns(&["id"], &spec(&[]), &[], &bad).unwrap_err();
        assert!(e.contains("did you mean `id`?"), "{e}");
        let clash = BTreeMap::from([("id".to_owned(), "text".to_owned())]);
        assert!(table_columns(&["id", "text"], &spec(&[]), &[], &clash).is_err());
    }

    #[test]
    fn record_shapes() {
        let mut d = Document::from_source("a", "t".into(), "f", 0);
        d.attributes.insert("summary".into(), serde_json::json!({"text": "s", "method": "lead"}));
        let line = |shape: &RecordShape| {
            let mut out = Vec::new();
            shape.write(&d, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let full = RecordShape::new(&spec(&[]), &BTreeMap::new()).unwrap();
        assert_eq!(line(&full), format!("{}\n", serde_json::to_string(&d).unwrap()));
        let rename = BTreeMap::from([("text".to_owned(), "content".to_owned())]);
        let trimmed = RecordShape::new(&spec(&["-source", "-attributes.summary.method"]), &rename).unwrap();
        assert_eq!(
            line(&trimmed),
            "{\"id\":\"a\",\"content\":\"t\",\"parent\":null,\"metadata\":{},\"annotations\":{},\"attributes\":{\"summary\":{\"text\":\"s\"}}}\n"
        );
        let rename = BTreeMap::from([("attributes.summary.text".to_owned(), "summary".to_owned())]);
        let sel = RecordShape::new(&spec(&["id", "attributes.summary.text", "metadata.x"]), &rename).unwrap();
        assert_eq!(line(&sel), "{\"id\":\"a\",\"summary\":\"s\",\"metadata.x\":null}\n");
        assert!(RecordShape::new(&spec(&["id", "-text"]), &BTreeMap::new()).is_err());
        let nested = BTreeMap::from([("attributes.summary".to_owned(), "s".to_owned())]);
        assert!(RecordShape::new(&spec(&["-text"]), &nested).is_err());
    }
}
