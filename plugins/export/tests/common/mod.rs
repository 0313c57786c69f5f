//! Shared by the integration tests and the evaluation example: rich documents of the kind
//! the splitter, tagger, summariser and dedupe stages produce, a focused JSON Schema
//! validator for the subset of draft 2020-12 that `config/document.schema.json` uses, and
//! the reader of Parquet's nested `annotations` column back into span layers.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use docpipe_core::{Document, Span};
use serde_json::{Value, json};

/// The workspace root.
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An entity span with the tagger's fields.
pub fn entity(start: usize, end: usize, label: &str, canonical: &str, id: &str) -> Span {
    let mut s = Span::new(start, end).with_label(label);
    s.fields.insert("canonical".into(), json!(canonical));
    s.fields.insert("entity_id".into(), json!(id));
    s.fields.insert("source".into(), json!("gazetteer"));
    s
}

/// A document with entities, a summary, a duplicate link and metadata. `n` varies it.
pub fn rich_doc(n: usize) -> Document {
    let text = format!(
        "NAIROBI (Coastline Wire) - Amina Odhiambo met ministers in Mombasa on Monday, story {n}.\n\
         Odhiambo said the talks on the €1.2 million port deal would resume in Zürich.\n\
         Traders were \"cautiously optimistic\", she added."
    );
    let mut d = Document::from_source(
        format!("corpus/dump-{n:02}.txt@{}", n * 1000),
        text.clone(),
        "corpus/dump.txt",
        n * 1000,
    );
    let find = |s: &str| text.find(s).unwrap();
    let ents = vec![
        entity(0, 7, "GPE", "Nairobi", "gpe:nairobi"),
        entity(9, 23, "ORG", "Coastline Wire", "org:coastline-wire"),
        entity(find("Amina"), find("Amina") + 14, "PERSON", "Amina Wairimu Odhiambo", "person:odhiambo"),
        entity(find("Mombasa"), find("Mombasa") + 7, "GPE", "Mombasa", "gpe:mombasa"),
        entity(find("Monday"), find("Monday") + 6, "DATE", "Monday", "date:monday"),
        entity(find("Odhiambo said"), find("Odhiambo said") + 8, "PERSON", "Amina Wairimu Odhiambo", "person:odhiambo"),
        entity(find("€1.2"), find("€1.2") + "€1.2 million".len(), "MONEY", "€1.2 million", "money:1"),
        entity(find("Zürich"), find("Zürich") + "Zürich".len(), "GPE", "Zürich", "gpe:zurich"),
    ];
    d.set_layer("entities", ents);
    let s1 = (find("Amina"), find("\nOdhiambo"));
    let s2 = (find("Odhiambo said"), find("\nTraders"));
    d.set_layer("sentences", vec![Span::new(s1.0, s1.1), Span::new(s2.0, s2.1), Span::new(s2.1 + 1, text.len())]);
    d.set_layer("summary", vec![Span::new(s1.0, s1.1), Span::new(s2.0, s2.1)]);
    d.attributes.insert(
        "summary".into(),
        json!({"text": format!("{} {}", &text[s1.0..s1.1], &text[s2.0..s2.1]), "method": "news",
               "sentences": [{"start": s1.0, "end": s1.1}, {"start": s2.0, "end": s2.1}]}),
    );
    if n % 3 == 2 {
        d.attributes.insert(
            "dedupe".into(),
            json!({"duplicate_of": format!("corpus/dump-{:02}.txt@{}", n - 1, (n - 1) * 1000), "similarity": 0.93, "cluster": "c1"}),
        );
    }
    d.metadata.insert("outlet".into(), json!("Coastline Wire"));
    d.metadata.insert("date".into(), json!("2026-03-02"));
    d.parent = (n % 2 == 1).then(|| "corpus/dump.txt@0".to_owned());
    d
}

/// Checks `value` against `schema` (type, required, properties, additionalProperties,
/// items, minItems, maxItems, minimum, enum). Returns every violation with its JSON path.
pub fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    check(schema, value, "$", &mut errs);
    errs
}

fn type_ok(ty: &str, v: &Value) -> bool {
    match ty {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

fn check(schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    let Some(s) = schema.as_object() else { return };
    for key in s.keys() {
        let known = [
            "$schema",
            "$id",
            "title",
            "description",
            "type",
            "required",
            "properties",
            "additionalProperties",
            "items",
            "minItems",
            "maxItems",
            "minimum",
            "enum",
        ];
        assert!(known.contains(&key.as_str()), "schema keyword `{key}` at {at} is not supported by this validator");
    }
    if let Some(t) = s.get("type") {
        let ok = match t {
            Value::String(t) => type_ok(t, v),
            Value::Array(ts) => ts.iter().any(|t| t.as_str().is_some_and(|t| type_ok(t, v))),
            _ => true,
        };
        if !ok {
            errs.push(format!("{at}: expected type {t}, got {v}"));
            return;
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        errs.push(format!("{at}: {v} is not one of {e:?}"));
    }
    if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_f64), v.as_f64())
        && n < min
    {
        errs.push(format!("{at}: {n} < minimum {min}"));
    }
    if let Some(obj) = v.as_object() {
        for r in s.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(r) = r.as_str()
                && !obj.contains_key(r)
            {
                errs.push(format!("{at}: missing required `{r}`"));
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (k, val) in obj {
            let path = format!("{at}.{k}");
            match props.and_then(|p| p.get(k)) {
                Some(ps) => check(ps, val, &path, errs),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => errs.push(format!("{at}: unexpected property `{k}`")),
                    Some(extra @ Value::Object(_)) => check(extra, val, &path, errs),
                    _ => {}
                },
            }
        }
    }
    if let Some(arr) = v.as_array() {
        if let Some(min) = s.get("minItems").and_then(Value::as_u64)
            && (arr.len() as u64) < min
        {
            errs.push(format!("{at}: fewer than {min} items"));
        }
        if let Some(max) = s.get("maxItems").and_then(Value::as_u64)
            && (arr.len() as u64) > max
        {
            errs.push(format!("{at}: more than {max} items"));
        }
        if let Some(items) = s.get("items") {
            for (i, item) in arr.iter().enumerate() {
                check(items, item, &format!("{at}[{i}]"), errs);
            }
        }
    }
}

/// The span layers of row `i` of a nested `annotations` column, read back through Arrow's
/// own arrays (what DuckDB, pandas and Spark see): every field of every span.
#[cfg(feature = "parquet")]
pub fn layers_of(map: &arrow_array::MapArray, i: usize) -> std::collections::BTreeMap<String, Vec<docpipe_core::Span>> {
    use arrow_array::{Array, Int64Array, ListArray, StringArray, StructArray};
    let entries = map.value(i);
    let keys = entries.column(0).as_any().downcast_ref::<StringArray>().unwrap();
    let lists = entries.column(1).as_any().downcast_ref::<ListArray>().unwrap();
    let mut out = std::collections::BTreeMap::new();
    for k in 0..entries.len() {
        let spans = lists.value(k);
        let spans = spans.as_any().downcast_ref::<StructArray>().unwrap();
        let int =
            |name: &str| spans.column_by_name(name).unwrap().as_any().downcast_ref::<Int64Array>().unwrap().clone();
        let text =
            |name: &str| spans.column_by_name(name).unwrap().as_any().downcast_ref::<StringArray>().unwrap().clone();
        let (start, end) = (int("start"), int("end"));
        let (label, txt, canonical, entity_id, fields) =
            (text("label"), text("text"), text("canonical"), text("entity_id"), text("fields"));
        let opt = |a: &StringArray, j: usize| (!a.is_null(j)).then(|| a.value(j).to_owned());
        let mut layer = Vec::new();
        for j in 0..spans.len() {
            let mut s = docpipe_core::Span::new(start.value(j) as usize, end.value(j) as usize);
            s.label = opt(&label, j);
            s.text = opt(&txt, j);
            if let Some(f) = opt(&fields, j) {
                s.fields = serde_json::from_str(&f).unwrap();
            }
            for (key, a) in [("canonical", &canonical), ("entity_id", &entity_id)] {
                if let Some(v) = opt(a, j) {
                    s.fields.insert(key.into(), serde_json::Value::String(v));
                }
            }
            layer.push(s);
        }
        out.insert(keys.value(k).to_owned(), layer);
    }
    out
}
