//! Field paths (`attributes.summary.text`): parsing with did-you-mean, extraction from a
//! document, and removal from a record.
//!
//! A path starts at one of the record's fields (`id`, `text`, `source`, `parent`,
//! `metadata`, `annotations`, `attributes`) and goes down object keys (and array indices,
//! `attributes.summary.sentences.0.start`). The record's own structure is checked when the
//! config is built; what lies under `metadata`, `annotations` and `attributes` depends on the
//! data, and a path that is absent from a document gives an empty value.

use std::borrow::Cow;

use docpipe_core::Document;
use docpipe_core::config::{did_you_mean, edit_distance};
use serde_json::{Map, Value};

/// The top-level fields of a record, in record order.
pub const ROOTS: &[&str] = &["id", "text", "source", "parent", "metadata", "annotations", "attributes"];
const SOURCE_KEYS: &[&str] = &["path", "start", "end", "line", "edits"];

/// A parsed field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// The path as written.
    pub raw: String,
    /// Its segments.
    pub segs: Vec<String>,
}

impl FieldPath {
    /// Parses and checks a path against the record's structure.
    pub fn parse(raw: &str) -> Result<FieldPath, String> {
        let segs: Vec<String> = raw.split('.').map(str::to_owned).collect();
        if raw.is_empty() || segs.iter().any(String::is_empty) {
            return Err(format!("`{raw}` is not a field path (write e.g. `attributes.summary.text`)"));
        }
        let root = segs[0].as_str();
        if !ROOTS.contains(&root) {
            let mut candidates: Vec<String> = ROOTS.iter().map(|r| (*r).to_owned()).collect();
            candidates.extend(SOURCE_KEYS.iter().map(|k| format!("source.{k}")));
            // `source_path` (a column name) for `source.path`, `attribute.x` for `attributes.x`.
            let dotted = raw.replacen('_', ".", 1);
            let hint = if candidates.contains(&dotted) {
                format!("; did you mean `{dotted}`?")
            } else if did_you_mean(root, ROOTS).is_empty() {
                String::new()
            } else {
                // The closest root, with the rest of the path kept.
                let best = ROOTS.iter().min_by_key(|c| edit_distance(root, c)).copied().unwrap_or("id");
                let fixed = std::iter::once(best).chain(segs[1..].iter().map(String::as_str)).collect::<Vec<_>>();
                format!("; did you mean `{}`?", fixed.join("."))
            };
            return Err(format!(
                "unknown field `{root}` in `{raw}`, expected a path starting with one of {}{hint}",
                ROOTS.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        if matches!(root, "id" | "text" | "parent") && segs.len() > 1 {
            return Err(format!("`{root}` is a string and has no sub-fields (in `{raw}`)"));
        }
        if root == "source" && segs.len() > 1 {
            let key = segs[1].as_str();
            if !SOURCE_KEYS.contains(&key) {
                let hint = did_you_mean(key, SOURCE_KEYS);
                return Err(format!(
                    "unknown field `source.{key}`, expected one of {}{hint}",
                    SOURCE_KEYS.iter().map(|k| format!("`source.{k}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            if key != "edits" && segs.len() > 2 {
                return Err(format!("`source.{key}` has no sub-fields (in `{raw}`)"));
            }
        }
        Ok(FieldPath { raw: raw.to_owned(), segs })
    }

    /// The default column name: the path with dots turned into underscores
    /// (`source.path` → `source_path`).
    pub fn column_name(&self) -> String {
        self.segs.join("_")
    }

    /// Whether this is a single top-level field.
    pub fn is_root(&self) -> bool {
        self.segs.len() == 1
    }
}

/// A value taken from a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Absent or null.
    Null,
    /// A string.
    Str(&'a str),
    /// An unsigned integer.
    Int(u64),
    /// Any JSON value.
    Json(Cow<'a, Value>),
}

impl<'a> Cell<'a> {
    /// The value as text: strings as they are, numbers and booleans as written in JSON,
    /// objects and arrays as JSON, null as `None`.
    pub fn to_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Cell::Null => None,
            Cell::Str(s) => Some(Cow::Borrowed(s)),
            Cell::Int(n) => Some(Cow::Owned(n.to_string())),
            Cell::Json(v) => match v.as_ref() {
                Value::Null => None,
                Value::String(s) => Some(Cow::Borrowed(s.as_str())),
                other => Some(Cow::Owned(other.to_string())),
            },
        }
    }

    /// The value as text, like [`Cell::to_text`], borrowing from the document when it can.
    pub fn into_text(self) -> Option<Cow<'a, str>> {
        match self {
            Cell::Null => None,
            Cell::Str(s) => Some(Cow::Borrowed(s)),
            Cell::Int(n) => Some(Cow::Owned(n.to_string())),
            Cell::Json(Cow::Borrowed(v)) => match v {
                Value::Null => None,
                Value::String(s) => Some(Cow::Borrowed(s.as_str())),
                other => Some(Cow::Owned(other.to_string())),
            },
            Cell::Json(Cow::Owned(v)) => match v {
                Value::Null => None,
                Value::String(s) => Some(Cow::Owned(s)),
                other => Some(Cow::Owned(other.to_string())),
            },
        }
    }

    /// The value as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Str(s) => Value::String((*s).to_owned()),
            Cell::Int(n) => Value::from(*n),
            Cell::Json(v) => v.as_ref().clone(),
        }
    }

    /// The value as JSON text (for JSON-string columns); null stays `None`.
    pub fn to_json_text(&self) -> Option<String> {
        match self {
            Cell::Null => None,
            Cell::Json(v) if v.is_null() => None,
            Cell::Str(s) => Some(Value::String((*s).to_owned()).to_string()),
            Cell::Int(n) => Some(n.to_string()),
            Cell::Json(v) => Some(v.to_string()),
        }
    }

    /// The value as an integer, if it is one (or a string holding one).
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Cell::Int(n) => i64::try_from(*n).ok(),
            Cell::Str(s) => s.trim().parse().ok(),
            Cell::Json(v) => match v.as_ref() {
                Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
                Value::String(s) => s.trim().parse().ok(),
                Value::Bool(b) => Some(i64::from(*b)),
                _ => None,
            },
            Cell::Null => None,
        }
    }

    /// The value as a float, if it is a number (or a string holding one).
    pub fn to_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(n) => Some(*n as f64),
            Cell::Str(s) => s.trim().parse().ok(),
            Cell::Json(v) => match v.as_ref() {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            },
            Cell::Null => None,
        }
    }

    /// The value as a boolean, if it is one.
    pub fn to_bool(&self) -> Option<bool> {
        match self {
            Cell::Json(v) => match v.as_ref() {
                Value::Bool(b) => Some(*b),
                Value::String(s) => match s.as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                },
                _ => None,
            },
            Cell::Str(s) => match *s {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }
}

fn walk<'a>(mut v: &'a Value, segs: &[String]) -> Option<&'a Value> {
    for s in segs {
        v = match v {
            Value::Object(m) => m.get(s)?,
            Value::Array(a) => a.get(s.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

fn walk_map<'a>(map: &'a Map<String, Value>, segs: &[String]) -> Cell<'a> {
    match segs.split_first() {
        None => Cell::Json(Cow::Owned(Value::Object(map.clone()))),
        Some((first, rest)) => match map.get(first).and_then(|v| walk(v, rest)) {
            None | Some(Value::Null) => Cell::Null,
            Some(Value::String(s)) => Cell::Str(s),
            Some(v) => Cell::Json(Cow::Borrowed(v)),
        },
    }
}

fn owned_walk(v: Value, segs: &[String]) -> Cell<'static> {
    match walk(&v, segs) {
        None | Some(Value::Null) => Cell::Null,
        Some(inner) => Cell::Json(Cow::Owned(inner.clone())),
    }
}

/// The value at `path` in `doc`.
pub fn extract<'a>(doc: &'a Document, path: &FieldPath) -> Cell<'a> {
    let segs = &path.segs;
    match segs[0].as_str() {
        "id" => Cell::Str(&doc.id),
        "text" => Cell::Str(&doc.text),
        "parent" => doc.parent.as_deref().map(Cell::Str).unwrap_or(Cell::Null),
        "source" => match segs.get(1).map(String::as_str) {
            None => serde_json::to_value(&doc.source).map(|v| Cell::Json(Cow::Owned(v))).unwrap_or(Cell::Null),
            Some("path") => Cell::Str(&doc.source.path),
            Some("start") => Cell::Int(doc.source.start as u64),
            Some("end") => Cell::Int(doc.source.end as u64),
            Some("line") => doc.source.line.map(|l| Cell::Int(l as u64)).unwrap_or(Cell::Null),
            Some(_) => serde_json::to_value(&doc.source.edits).map(|v| owned_walk(v, &segs[2..])).unwrap_or(Cell::Null),
        },
        "metadata" => walk_map(&doc.metadata, &segs[1..]),
        "attributes" => walk_map(&doc.attributes, &segs[1..]),
        _ => match segs.get(1) {
            None => serde_json::to_value(&doc.annotations).map(|v| Cell::Json(Cow::Owned(v))).unwrap_or(Cell::Null),
            Some(layer) => match doc.annotations.get(layer) {
                None => Cell::Null,
                Some(spans) => serde_json::to_value(spans).map(|v| owned_walk(v, &segs[2..])).unwrap_or(Cell::Null),
            },
        },
    }
}

/// Removes the value at `segs` from a record (nothing happens when it is absent).
pub fn remove(record: &mut Map<String, Value>, segs: &[String]) {
    match segs {
        [] => {}
        [last] => {
            record.shift_remove(last);
        }
        [first, rest @ ..] => {
            if let Some(Value::Object(inner)) = record.get_mut(first) {
                remove(inner, rest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docpipe_core::Span;
    use serde_json::json;

    fn doc() -> Document {
        let mut d = Document::from_source("d1", "Anna Keller spoke.".into(), "f.txt", 5);
        d.attributes
            .insert("summary".into(), json!({"text": "Anna Keller spoke.", "sentences": [{"start": 0, "end": 18}]}));
        d.metadata.insert("outlet".into(), json!("Wire"));
        d.set_layer("entities", vec![Span::new(0, 11).with_label("PERSON")]);
        d
    }

    fn p(s: &str) -> FieldPath {
        FieldPath::parse(s).unwrap()
    }

    #[test]
    fn paths_are_checked_with_a_hint() {
        let e = FieldPath::parse("atributes.summary").unwrap_err();
        assert!(e.contains("did you mean `attributes.summary`?"), "{e}");
        let e = FieldPath::parse("source_path").unwrap_err();
        assert!(e.contains("did you mean `source.path`?"), "{e}");
        let e = FieldPath::parse("source.pth").unwrap_err();
        assert!(e.contains("did you mean `path`?"), "{e}");
        assert!(FieldPath::parse("id.x").is_err());
        assert!(FieldPath::parse("").is_err());
        assert!(FieldPath::parse("attributes..x").is_err());
        assert!(FieldPath::parse("zzzzzz").unwrap_err().contains("expected a path"));
        assert_eq!(p("source.path").column_name(), "source_path");
    }

    #[test]
    fn extracts_values() {
        let d = doc();
        assert_eq!(extract(&d, &p("id")), Cell::Str("d1"));
        assert_eq!(extract(&d, &p("parent")), Cell::Null);
        assert_eq!(extract(&d, &p("source.start")), Cell::Int(5));
        assert_eq!(extract(&d, &p("attributes.summary.text")), Cell::Str("Anna Keller spoke."));
        assert_eq!(extract(&d, &p("attributes.summary.sentences.0.end")).to_i64(), Some(18));
        assert_eq!(extract(&d, &p("attributes.nothing.here")), Cell::Null);
        assert_eq!(extract(&d, &p("metadata.outlet")).to_text().as_deref(), Some("Wire"));
        let ents = extract(&d, &p("annotations.entities")).to_json();
        assert_eq!(ents, json!([{"start": 0, "end": 11, "label": "PERSON"}]));
        assert_eq!(extract(&d, &p("annotations.entities.0.label")).to_text().as_deref(), Some("PERSON"));
        assert_eq!(extract(&d, &p("metadata")).to_json(), json!({"outlet": "Wire"}));
    }

    #[test]
    fn removes_nested_values() {
        let mut m = serde_json::to_value(doc()).unwrap().as_object().unwrap().clone();
        remove(&mut m, &p("attributes.summary.sentences").segs);
        remove(&mut m, &p("text").segs);
        remove(&mut m, &p("metadata.absent.x").segs);
        assert!(!m.contains_key("text"));
        assert_eq!(m["attributes"], json!({"summary": {"text": "Anna Keller spoke."}}));
    }
}
