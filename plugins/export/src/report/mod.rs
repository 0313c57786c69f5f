//! The HTML and Markdown reports: what the pipeline found, for people to read.
//!
//! [`Report`] keeps a compact view of every document it sees (text, entity and summary
//! spans, summary, duplicate link, a few metadata fields) and renders the whole report at
//! `finish`, when the run statistics are known. [`html`] writes one self-contained page
//! (inline CSS and JavaScript, the documents embedded as JSON and rendered a page at a time,
//! so 10,000 documents stay responsive); [`markdown`] writes a compact summary for terminals
//! and pull requests.
//!
//! Fields read (all optional): `annotations.<layer>` (default `entities`) spans with
//! `label`, `canonical`, `entity_id`; `annotations.summary` spans (else
//! `attributes.summary.sentences`); `attributes.summary.{text, method, members}`;
//! `attributes.dedupe.{duplicate_of, similarity}`.

pub mod html;
pub mod markdown;

use std::collections::BTreeMap;

use docpipe_core::Document;
use docpipe_core::stats::RunStats;
use serde_json::Value;

/// Metadata fields shown per document, at most.
const META_FIELDS: usize = 4;
/// Characters of a metadata value shown, at most.
const META_CHARS: usize = 80;

/// One entity mention, byte offsets into the document text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Label (`ENTITY` when the span has none).
    pub label: String,
    /// Canonical name, if given.
    pub canonical: Option<String>,
    /// Entity id, if given.
    pub entity_id: Option<String>,
}

/// What the report keeps of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDoc {
    /// Document id.
    pub id: String,
    /// Parent id.
    pub parent: Option<String>,
    /// Source path.
    pub source: String,
    /// A few scalar metadata fields, as text.
    pub meta: Vec<(String, String)>,
    /// The text.
    pub text: String,
    /// Whitespace-separated words.
    pub words: usize,
    /// Entity mentions, sorted and non-overlapping.
    pub mentions: Vec<Mention>,
    /// Summary sentence spans, sorted.
    pub summary_spans: Vec<(usize, usize)>,
    /// Summary text.
    pub summary: Option<String>,
    /// Summary method.
    pub summary_method: Option<String>,
    /// Documents a group summary covers.
    pub members: Vec<String>,
    /// The document this one repeats, and the similarity.
    pub duplicate_of: Option<(String, Option<f64>)>,
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn truncate(s: &str, chars: usize) -> String {
    match s.char_indices().nth(chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

impl ReportDoc {
    /// Extracts the report view of a document, reading entities from `layer`.
    pub fn from_document(doc: &Document, layer: &str) -> ReportDoc {
        let len = doc.text.len();
        let ok =
            |s: usize, e: usize| s <= e && e <= len && doc.text.is_char_boundary(s) && doc.text.is_char_boundary(e);
        let mut mentions: Vec<Mention> = Vec::new();
        if let Some(spans) = doc.annotations.get(layer) {
            let mut sorted: Vec<&docpipe_core::Span> =
                spans.iter().filter(|s| ok(s.start, s.end) && s.start < s.end).collect();
            sorted.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
            let mut last_end = 0;
            for s in sorted {
                // Overlapping mentions: the earlier (and, at equal starts, longer) one wins.
                if s.start < last_end {
                    continue;
                }
                last_end = s.end;
                mentions.push(Mention {
                    start: s.start,
                    end: s.end,
                    label: s.label.clone().unwrap_or_else(|| "ENTITY".to_owned()),
                    canonical: s.fields.get("canonical").and_then(as_text),
                    entity_id: s.fields.get("entity_id").and_then(as_text),
                });
            }
        }
        let summary_attr = doc.attributes.get("summary");
        let mut summary_spans: Vec<(usize, usize)> = match doc.annotations.get("summary") {
            Some(spans) => spans.iter().map(|s| (s.start, s.end)).collect(),
            None => summary_attr
                .and_then(|s| s.get("sentences"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| {
                            let start = s.get("start")?.as_u64()? as usize;
                            let end = s.get("end")?.as_u64()? as usize;
                            Some((start, end))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        };
        summary_spans.retain(|&(s, e)| ok(s, e) && s < e);
        summary_spans.sort_unstable();
        let summary = summary_attr.and_then(|s| s.get("text")).and_then(as_text).filter(|s| !s.is_empty());
        let summary_method = summary_attr.and_then(|s| s.get("method")).and_then(as_text);
        let members = summary_attr
            .and_then(|s| s.get("members"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(as_text).collect())
            .unwrap_or_default();
        let duplicate_of = doc.attributes.get("dedupe").and_then(|d| {
            let of = d.get("duplicate_of").and_then(as_text)?;
            Some((of, d.get("similarity").and_then(Value::as_f64)))
        });
        let meta = doc
            .metadata
            .iter()
            .filter_map(|(k, v)| as_text(v).map(|t| (k.clone(), truncate(&t, META_CHARS))))
            .take(META_FIELDS)
            .collect();
        ReportDoc {
            id: doc.id.clone(),
            parent: doc.parent.clone(),
            source: doc.source.path.clone(),
            meta,
            text: doc.text.clone(),
            words: doc.text.split_whitespace().count(),
            mentions,
            summary_spans,
            summary,
            summary_method,
            members,
            duplicate_of,
        }
    }
}

/// Corpus-wide entity counts.
#[derive(Debug, Clone, Default)]
pub struct EntityTotals {
    /// Per label: mentions, sorted by count (descending) then name.
    pub labels: Vec<(String, u64)>,
    /// Per (label, name): mentions and documents, sorted by mentions (descending) then name.
    pub entities: Vec<((String, String), (u64, u64))>,
}

/// The documents collected for a report.
#[derive(Debug, Default)]
pub struct Report {
    /// Kept documents, in input order.
    pub docs: Vec<ReportDoc>,
    /// Documents seen (kept or not).
    pub seen: u64,
    /// Keep at most this many (0: all).
    pub max_documents: usize,
    /// The entity layer.
    pub layer: String,
}

impl Report {
    /// An empty report.
    pub fn new(layer: &str, max_documents: usize) -> Report {
        Report { docs: Vec::new(), seen: 0, max_documents, layer: layer.to_owned() }
    }

    /// Adds a document.
    pub fn add(&mut self, doc: &Document) {
        self.seen += 1;
        if self.max_documents == 0 || self.docs.len() < self.max_documents {
            self.docs.push(ReportDoc::from_document(doc, &self.layer));
        }
    }

    /// Entity counts over the kept documents.
    pub fn entity_totals(&self) -> EntityTotals {
        let mut labels: BTreeMap<&str, u64> = BTreeMap::new();
        let mut ents: BTreeMap<(&str, String), (u64, u64)> = BTreeMap::new();
        for d in &self.docs {
            let mut seen_here: Vec<(&str, String)> = Vec::new();
            for m in &d.mentions {
                *labels.entry(&m.label).or_default() += 1;
                let name = m.canonical.clone().unwrap_or_else(|| d.text[m.start..m.end].to_owned());
                let key = (m.label.as_str(), name);
                let e = ents.entry(key.clone()).or_default();
                e.0 += 1;
                if !seen_here.contains(&key) {
                    e.1 += 1;
                    seen_here.push(key);
                }
            }
        }
        let mut labels: Vec<(String, u64)> = labels.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        labels.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut entities: Vec<((String, String), (u64, u64))> =
            ents.into_iter().map(|((l, n), c)| ((l.to_owned(), n), c)).collect();
        entities.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
        EntityTotals { labels, entities }
    }

    /// Number of kept documents marked as duplicates.
    pub fn duplicates(&self) -> usize {
        self.docs.iter().filter(|d| d.duplicate_of.is_some()).count()
    }

    /// Duplicate documents found by the run: those marked and kept, plus those an earlier
    /// stage dropped with the reason `duplicate` (the statistics count them; they never
    /// reach the report).
    pub fn duplicates_found(&self, stats: &RunStats) -> u64 {
        let dropped: u64 = stats.stages.iter().filter_map(|s| s.dropped.get("duplicate")).sum();
        self.duplicates() as u64 + dropped
    }

    /// Number of kept documents with a summary.
    pub fn summaries(&self) -> usize {
        self.docs.iter().filter(|d| d.summary.is_some()).count()
    }
}

/// The display colour of an entity label: displaCy-like colours for the OntoNotes labels, a
/// stable hash-derived hue for any other.
pub fn label_colour(label: &str) -> String {
    let known = match label {
        "PERSON" => "#aa9cfc",
        "ORG" => "#7aecec",
        "GPE" => "#feca74",
        "LOC" => "#ff9561",
        "NORP" => "#c887fb",
        "FAC" => "#9cc9cc",
        "EVENT" => "#ffeb80",
        "LAW" => "#ff8197",
        "DATE" | "TIME" => "#bfe1d9",
        "MONEY" => "#e4e7d2",
        "PERCENT" | "QUANTITY" | "CARDINAL" | "ORDINAL" => "#e4e7d2",
        "PRODUCT" => "#bfeeb7",
        "WORK_OF_ART" => "#f0d0ff",
        "LANGUAGE" => "#ff8197",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    // FNV-1a: stable across runs and platforms.
    let mut h: u32 = 0x811c_9dc5;
    for b in label.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("hsl({}, 70%, 70%)", h % 360)
}

#[cfg(test)]
mod tests {
    use super::*;
    use docpipe_core::Span;
    use serde_json::json;

    pub(crate) fn rich_doc() -> Document {
        let text = "Anna Keller met officials in Zürich on Monday. Keller said talks would resume. Prices rose.";
        let mut d = Document::from_source("news.txt@0", text.into(), "news.txt", 0);
        let e = |s: usize, en: usize, l: &str, c: &str, id: &str| {
            let mut span = Span::new(s, en).with_label(l);
            span.fields.insert("canonical".into(), json!(c));
            span.fields.insert("entity_id".into(), json!(id));
            span
        };
        let z = text.find("Zürich").unwrap();
        let end = text.find(" Keller said").unwrap();
        let spans = vec![
            e(0, 11, "PERSON", "Anna Keller", "E1"),
            e(z, z + "Zürich".len(), "GPE", "Zürich", "E2"),
            e(end + 1, end + 7, "PERSON", "Anna Keller", "E1"),
            e(5, 11, "PERSON", "Keller", "E9"),
        ];
        d.set_layer("entities", spans);
        d.set_layer("summary", vec![Span::new(0, end)]);
        d.attributes.insert(
            "summary".into(),
            json!({"text": &text[..end], "method": "lead", "sentences": [{"start": 0, "end": end}]}),
        );
        d.metadata.insert("outlet".into(), json!("Wire"));
        d
    }

    #[test]
    fn collects_mentions_summary_and_duplicates() {
        let mut d = rich_doc();
        d.attributes.insert("dedupe".into(), json!({"duplicate_of": "other", "similarity": 0.93, "cluster": "other"}));
        let r = ReportDoc::from_document(&d, "entities");
        // The overlapping `Keller` inside `Anna Keller` is left out.
        assert_eq!(r.mentions.len(), 3);
        assert_eq!(r.mentions[0].canonical.as_deref(), Some("Anna Keller"));
        assert_eq!(r.summary_spans, vec![(0, 47)]);
        assert_eq!(r.summary_method.as_deref(), Some("lead"));
        assert_eq!(r.duplicate_of, Some(("other".to_owned(), Some(0.93))));
        assert_eq!(r.meta, vec![("outlet".to_owned(), "Wire".to_owned())]);
        let mut rep = Report::new("entities", 0);
        rep.add(&d);
        let mut stats = RunStats::default();
        stats.stages.push(docpipe_core::stats::StageStats {
            dropped: [("duplicate".to_owned(), 4), ("too short".to_owned(), 2)].into_iter().collect(),
            ..Default::default()
        });
        assert_eq!(rep.duplicates_found(&stats), 5, "one marked and kept, four dropped");
        let t = rep.entity_totals();
        assert_eq!(t.labels[0], ("PERSON".to_owned(), 2));
        assert_eq!(t.entities[0], (("PERSON".to_owned(), "Anna Keller".to_owned()), (2, 1)));
    }

    #[test]
    fn bad_spans_are_ignored() {
        let mut d = Document::from_source("x", "é".into(), "f", 0);
        d.annotations.insert("entities".into(), vec![Span::new(0, 1), Span::new(0, 9)]);
        d.annotations.insert("summary".into(), vec![Span::new(1, 2)]);
        let r = ReportDoc::from_document(&d, "entities");
        assert!(r.mentions.is_empty());
        assert!(r.summary_spans.is_empty());
    }

    #[test]
    fn colours_are_stable() {
        assert_eq!(label_colour("PERSON"), "#aa9cfc");
        assert_eq!(label_colour("SHIP"), label_colour("SHIP"));
        assert_ne!(label_colour("SHIP"), label_colour("TRAIN"));
    }
}
