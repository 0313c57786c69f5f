//! The [`Document`]: the unit every stage consumes and produces, and its JSONL record form.
//!
//! A document carries its text, a stable id, exact provenance back to the input bytes
//! ([`Source`], with an edit list when stages changed the text), the metadata the input
//! carried, named layers of [`Span`] annotations and per-stage [`attributes`](Document::attributes).
//! Its serde form *is* the JSONL record contract (see ARCHITECTURE.md and
//! `config/document.schema.json`): field order is fixed by this struct and reading a record
//! written by docpipe gives back an equal document.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::align::{self, Alignment, Edit};

/// Where a document's text came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The input file as it was named (relative paths stay relative); `-` for standard input.
    pub path: String,
    /// Byte offset of the first source byte in the (decompressed) input file.
    pub start: usize,
    /// Byte offset one past the last source byte.
    pub end: usize,
    /// For JSONL input: the 1-based line of the record. `start..end` then delimit that line,
    /// and text offsets are offsets into the decoded `text` string, not into the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// How the text differs from the source bytes (empty: byte-identical). See [`crate::align`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<Edit>,
}

/// An annotated byte range of a document's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Byte offset of the first byte, on a char boundary.
    pub start: usize,
    /// Byte offset one past the last byte, on a char boundary, `>= start`.
    pub end: usize,
    /// Optional label (entity type, block role, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Optional copy of the covered text, for readability of the output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Any further fields a stage attaches (canonical name, similarity, …).
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl Span {
    /// A bare span.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end, label: None, text: None, fields: Map::new() }
    }

    /// The same span with a label.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

/// A document flowing through the pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable, deterministic id (from the input record, or derived from path and offset;
    /// children derive theirs from the parent's).
    pub id: String,
    /// The current text.
    pub text: String,
    /// Provenance in the input file.
    pub source: Source,
    /// The id of the document this one was split from.
    #[serde(default)]
    pub parent: Option<String>,
    /// Whatever the input carried, passed through untouched.
    #[serde(default)]
    pub metadata: Map<String, Value>,
    /// Named span layers; offsets are byte offsets into `text`, sorted by `(start, end)`.
    #[serde(default)]
    pub annotations: BTreeMap<String, Vec<Span>>,
    /// Per-document results of stages that are not spans, keyed by stage.
    #[serde(default)]
    pub attributes: Map<String, Value>,
}

/// The largest source offset a document may carry: 2^53 bytes (8 PiB), past any real input,
/// exact as a JSON number in every reader and within a signed 64-bit column (Parquet).
pub const MAX_SOURCE_OFFSET: u64 = 1 << 53;

/// A violated document invariant (see [`Document::check_invariants`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("document {id}: {problem}")]
pub struct InvariantError {
    /// The offending document.
    pub id: String,
    /// What is wrong.
    pub problem: String,
}

impl Document {
    /// A document whose text is exactly `source[start..end]` of `path`.
    pub fn from_source(id: impl Into<String>, text: String, path: impl Into<String>, start: usize) -> Self {
        let end = start + text.len();
        Document {
            id: id.into(),
            text,
            source: Source { path: path.into(), start, end, line: None, edits: Vec::new() },
            parent: None,
            metadata: Map::new(),
            annotations: BTreeMap::new(),
            attributes: Map::new(),
        }
    }

    /// The alignment between `text` and the source bytes.
    pub fn alignment(&self) -> Alignment<'_> {
        Alignment::new(&self.source.edits)
    }

    /// Maps a text range to the absolute byte range of the input file that produced it.
    ///
    /// Exact for documents read from text files; for JSONL records (`source.line` set) the
    /// text is not a byte slice of the file and the record's line range is returned.
    pub fn source_range(&self, start: usize, end: usize) -> (usize, usize) {
        if self.source.line.is_some() {
            return (self.source.start, self.source.end);
        }
        let (s, e) = self.alignment().source_range(start, end);
        (self.source.start + s, self.source.start + e)
    }

    /// Replaces the text with a rewrite of it, keeping provenance exact and annotations valid.
    ///
    /// `edits` describe `new_text` against the current text (as returned by
    /// [`crate::align::Rewriter::finish`]). They are composed into `source.edits`, and every
    /// annotation span is moved to the new text (boundaries inside a change snap outwards).
    pub fn apply_rewrite(&mut self, new_text: String, edits: Vec<Edit>) {
        if edits.is_empty() {
            self.text = new_text;
            return;
        }
        let forward = Alignment::new(&edits);
        for spans in self.annotations.values_mut() {
            for span in spans.iter_mut() {
                let (s, e) = forward.forward_range(span.start, span.end);
                span.start = s;
                span.end = e;
                if span.text.is_some() {
                    span.text = new_text.get(s..e).map(str::to_owned);
                }
            }
        }
        if self.source.line.is_none() {
            self.source.edits = align::compose(&self.source.edits, &edits);
        }
        self.text = new_text;
    }

    /// A child document holding `text[start..end]` (clamped to char boundaries), with exact
    /// source offsets, `parent` set, metadata copied and the spans that lie inside the range
    /// moved along.
    pub fn child(&self, id: impl Into<String>, start: usize, end: usize) -> Document {
        let start = floor_char_boundary(&self.text, start);
        let end = floor_char_boundary(&self.text, end.max(start));
        let text = self.text[start..end].to_owned();
        let source = if self.source.line.is_some() {
            self.source.clone()
        } else {
            let al = self.alignment();
            let (s0, s1) = al.source_range(start, end);
            // Edits are sorted and disjoint: skip to the first that can touch the range.
            let first = self.source.edits.partition_point(|e| e.text_end < start);
            let edits = self.source.edits[first..]
                .iter()
                .take_while(|e| e.text_start <= end)
                .filter(|e| {
                    e.text_end > start && e.text_start < end
                        || (e.text_start == e.text_end && e.text_start > start && e.text_start < end)
                })
                .map(|e| Edit {
                    text_start: e.text_start.max(start) - start,
                    text_end: e.text_end.min(end) - start,
                    src_start: e.src_start.max(s0) - s0,
                    src_end: e.src_end.min(s1) - s0,
                })
                .filter(|e| e.text_start != e.text_end || e.src_start != e.src_end)
                .collect();
            Source {
                path: self.source.path.clone(),
                start: self.source.start + s0,
                end: self.source.start + s1,
                line: None,
                edits,
            }
        };
        let annotations = self
            .annotations
            .iter()
            .map(|(name, spans)| {
                // Spans are sorted by start: binary-search the first one inside the range, so
                // cutting a dump into many children stays linear instead of quadratic.
                let first = spans.partition_point(|s| s.start < start);
                let inside = spans[first..]
                    .iter()
                    .take_while(|s| s.start <= end)
                    .filter(|s| s.end <= end)
                    .map(|s| Span { start: s.start - start, end: s.end - start, ..s.clone() })
                    .collect::<Vec<_>>();
                (name.clone(), inside)
            })
            .filter(|(_, spans)| !spans.is_empty())
            .collect();
        Document {
            id: id.into(),
            text,
            source,
            parent: Some(self.id.clone()),
            metadata: self.metadata.clone(),
            annotations,
            attributes: Map::new(),
        }
    }

    /// Adds (or replaces) an annotation layer, sorting its spans by `(start, end)`.
    pub fn set_layer(&mut self, name: impl Into<String>, mut spans: Vec<Span>) {
        spans.sort_by_key(|s| (s.start, s.end));
        self.annotations.insert(name.into(), spans);
    }

    /// Checks the invariants every stage must preserve: a non-empty id; spans inside the
    /// text, on char boundaries, sorted; source offsets in order and at most
    /// [`MAX_SOURCE_OFFSET`]; for text-sourced documents the edit list well formed against the
    /// text and source lengths; for JSONL-sourced documents (`source.line`) a 1-based line
    /// that fits before `source.start` (each earlier line takes at least one byte) and no
    /// edits (their text is not a slice of the file).
    pub fn check_invariants(&self) -> Result<(), InvariantError> {
        let fail = |problem: String| Err(InvariantError { id: self.id.clone(), problem });
        if self.id.is_empty() {
            return fail("the id is empty".to_owned());
        }
        for (layer, spans) in &self.annotations {
            let mut prev = (0, 0);
            for s in spans {
                if s.start > s.end || s.end > self.text.len() {
                    return fail(format!(
                        "span {}..{} of layer {layer} is outside the text ({} bytes)",
                        s.start,
                        s.end,
                        self.text.len()
                    ));
                }
                if !self.text.is_char_boundary(s.start) || !self.text.is_char_boundary(s.end) {
                    return fail(format!("span {}..{} of layer {layer} is not on char boundaries", s.start, s.end));
                }
                if (s.start, s.end) < prev {
                    return fail(format!("layer {layer} is not sorted at {}..{}", s.start, s.end));
                }
                prev = (s.start, s.end);
            }
        }
        if self.source.start > self.source.end {
            return fail(format!("source range {}..{} is reversed", self.source.start, self.source.end));
        }
        if self.source.end as u64 > MAX_SOURCE_OFFSET {
            return fail(format!("source offset {} is beyond 2^53 bytes", self.source.end));
        }
        if let Some(line) = self.source.line {
            if line == 0 || line - 1 > self.source.start {
                return fail(format!(
                    "source line {line} cannot start at byte {} (lines are 1-based and take at least one byte)",
                    self.source.start
                ));
            }
            if !self.source.edits.is_empty() {
                return fail("source edits on a JSONL-sourced document (source.line is set)".to_owned());
            }
        }
        if self.source.line.is_none()
            && let Err(problem) =
                align::validate(&self.source.edits, self.text.len(), self.source.end - self.source.start)
        {
            return fail(format!("source edits: {problem}"));
        }
        Ok(())
    }
}

/// The largest char boundary `<= i` (clamped to the string length).
pub fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Rewriter;
    use proptest::prelude::*;

    fn doc(text: &str) -> Document {
        Document::from_source("d", text.to_owned(), "f.txt", 10)
    }

    #[test]
    fn record_round_trip() {
        let mut d = doc("Hello “world”");
        d.metadata.insert("outlet".into(), "Wire".into());
        d.set_layer("sentences", vec![Span::new(0, d.text.len())]);
        let mut r = Rewriter::new(&d.text);
        r.replace(6, 9, "\"");
        let (t, e) = r.finish();
        d.apply_rewrite(t, e);
        let line = serde_json::to_string(&d).unwrap();
        let back: Document = serde_json::from_str(&line).unwrap();
        assert_eq!(back, d);
        assert_eq!(serde_json::to_string(&back).unwrap(), line);
        assert!(line.starts_with(r#"{"id":"d","text":"#));
    }

    #[test]
    fn child_keeps_exact_source() {
        let file = "0123456789Alpha “beta” gamma";
        let mut d = doc(&file[10..]);
        let mut r = Rewriter::new(&d.text);
        r.replace(6, 9, "\"");
        r.replace(13, 16, "\"");
        let (t, e) = r.finish();
        d.apply_rewrite(t, e);
        assert_eq!(d.text, "Alpha \"beta\" gamma");
        let c = d.child("d/1", 6, 12);
        assert_eq!(c.text, "\"beta\"");
        assert_eq!(&file[c.source.start..c.source.end], "“beta”");
        c.check_invariants().unwrap();
        let g = d.child("d/2", 13, 18);
        assert_eq!(&file[g.source.start..g.source.end], "gamma");
        assert!(g.source.edits.is_empty());
    }

    /// Issue 14: with `source.line` set the check was skipped, so `source.end` = 2^63 passed
    /// and stopped a run later, in the Parquet sink.
    #[test]
    fn invariants_hold_for_jsonl_sourced_documents_too() {
        let mut d = doc("abc");
        d.source.line = Some(3);
        d.check_invariants().unwrap();
        let bad = |f: &dyn Fn(&mut Document)| {
            let mut b = d.clone();
            f(&mut b);
            b.check_invariants().unwrap_err().problem
        };
        assert!(bad(&|b| b.source.end = 1 << 63).contains("beyond 2^53"));
        assert!(bad(&|b| b.source.start = 20).contains("reversed"));
        assert!(bad(&|b| b.source.line = Some(0)).contains("1-based"));
        assert!(bad(&|b| b.source.line = Some(12)).contains("cannot start at byte 10"));
        assert!(bad(&|b| b.id.clear()).contains("id is empty"));
        assert!(
            bad(&|b| b.source.edits = vec![Edit { text_start: 0, text_end: 1, src_start: 0, src_end: 2 }])
                .contains("edits on a JSONL-sourced document")
        );
    }

    proptest! {
        #[test]
        fn children_map_back_to_their_bytes(
            prefix in "[a-z ]{0,5}",
            body in "[a-zé “”—\u{0}]{0,60}",
            cut in (0usize..80, 0usize..80),
        ) {
            let file = format!("{prefix}{body}");
            let mut d = Document::from_source("x", body.clone(), "f", prefix.len());
            // A normalise-like rewrite: fold curly quotes, drop NULs, dash to hyphen.
            let mut r = Rewriter::new(&body);
            for (i, ch) in body.char_indices() {
                match ch {
                    '“' | '”' => r.replace(i, i + ch.len_utf8(), "\""),
                    '\u{0}' => r.delete(i, i + 1),
                    '—' => r.replace(i, i + ch.len_utf8(), " - "),
                    _ => {}
                }
            }
            let (t, e) = r.finish();
            d.apply_rewrite(t, e);
            d.check_invariants().unwrap();
            let (a, b) = (cut.0.min(cut.1), cut.0.max(cut.1));
            let c = d.child("x/1", a, b);
            c.check_invariants().unwrap();
            let src = &file.as_bytes()[c.source.start..c.source.end];
            let rebuilt = align::reconstruct_source(c.text.as_bytes(), &c.source.edits, src).unwrap();
            prop_assert_eq!(rebuilt, src.to_vec());
            // Unchanged text maps to identical bytes.
            if c.source.edits.is_empty() {
                prop_assert_eq!(src, c.text.as_bytes());
            }
        }
    }
}
