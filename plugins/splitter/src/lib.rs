//! The `splitter` stage: cuts dumps into articles, and articles into paragraphs, sentences
//! and RAG chunks, keeping exact provenance for every unit.
//!
//! One stage splits into one `unit`; stages chain (articles as documents, then sentences as
//! spans). Each unit is either a child document (`emit = "documents"`: `parent` set, id
//! derived from the parent's — `<id>/a3`, `<id>/p0`, `<id>/s12`, `<id>/c4` — and `source`
//! offsets exact through [`Document::child`]) or a span layer on the same document
//! (`annotations.articles`, `.paragraphs`, `.sentences`, `.chunks`).
//!
//! - [`shape`]: the shape of a dump (one paragraph per line, blank-line blocks, hard-wrapped
//!   lines) and its paragraphs as exact byte ranges, so a wrapped paragraph is one unit;
//! - [`articles`]: article boundaries in dumps (datelines, headlines, end-of-article credits,
//!   the story-change signal of [`cohesion`]) and a role for every paragraph, written as
//!   `annotations.blocks` (one span per paragraph labelled `body`, `dateline`, `standfirst`,
//!   `subheading`, `pull_quote`, `caption`, `related_link` or `byline`; a dateline that opens
//!   a body line is an extra nested `dateline` span with `"inline": true`, as in the gold).
//!   When paragraphs are not single lines (hard-wrapped text, blank-line blocks), the same
//!   paragraphs are also written as the `paragraphs` layer, so later stages use them.
//!   With `drop_boilerplate`, non-body lines are removed from the article's text through
//!   [`docpipe_core::align::Rewriter`], so offsets stay exact.
//! - [`sentences`]: a rule-based splitter, one linear byte scan per paragraph (a line, or the
//!   lines of a hard-wrapped paragraph).
//! - [`chunks`]: sentences packed up to `max_chars` or `max_words`, with `overlap`.

pub mod articles;
pub mod chunks;
pub mod cohesion;
pub mod sentences;
pub mod shape;

use std::borrow::Cow;

use docpipe_core::align::Rewriter;
use docpipe_core::registry::{AttrField, AttrType, AttributeDecl};
use docpipe_core::{BuildError, Document, MapStage, Outcome, Span, Stage, StageError, StageOptions};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use articles::{ArticleSplitter, Role};
pub use chunks::Measure;
pub use sentences::SentenceSplitter;
pub use sentences::{LineBreaks, lines, paragraphs};
pub use shape::Shape;

/// The unit a stage splits into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, docpipe_core::OptionType)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Articles of a dump (with block roles).
    Articles,
    /// Paragraphs (non-empty lines, or unwrapped paragraphs: see [`Shape`]).
    Paragraphs,
    /// Sentences.
    Sentences,
    /// Size-limited runs of sentences.
    Chunks,
}

impl Unit {
    fn layer(self) -> &'static str {
        match self {
            Unit::Articles => "articles",
            Unit::Paragraphs => "paragraphs",
            Unit::Sentences => "sentences",
            Unit::Chunks => "chunks",
        }
    }
    fn id_letter(self) -> char {
        match self {
            Unit::Articles => 'a',
            Unit::Paragraphs => 'p',
            Unit::Sentences => 's',
            Unit::Chunks => 'c',
        }
    }
}

/// What the stage produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, docpipe_core::OptionType)]
#[serde(rename_all = "lowercase")]
pub enum Emit {
    /// Documents for articles, spans for the other units.
    Auto,
    /// One child document per unit.
    Documents,
    /// A span layer on the same document.
    Spans,
}

/// Options of the `splitter` stage.
#[derive(Debug, Clone, Deserialize, Serialize, docpipe_core::Options)]
#[serde(deny_unknown_fields, default)]
pub struct SplitterOptions {
    /// What to split into. `articles` cuts a dump into articles and labels every paragraph line with its role
    /// in `annotations.blocks`; `paragraphs` are the paragraphs of `shape` (labelled with their block role when
    /// `annotations.blocks` exists); `sentences` are rule-based sentences; `chunks` are sentences packed up to
    /// `max_chars`/`max_words`.
    pub unit: Unit,
    /// `documents`: one child document per unit (`parent` set, id `<parent>/a3`, `/p0`, `/s12` or `/c4`, exact
    /// `source` offsets, `attributes.splitter = {unit, index, …}`); `spans`: a layer `annotations.<unit>` on
    /// the same document and a count in `attributes.splitter.<unit>`; `auto`: documents for articles, spans for
    /// the rest.
    pub emit: Emit,
    /// With `unit = "articles"` and documents: remove every non-body line (standfirst, dateline line,
    /// subheading, pull quote, caption, related link, byline) from the article's text; `source.edits` record
    /// the deletions so offsets stay exact. Articles left without text are skipped.
    pub drop_boilerplate: bool,
    /// Regular expressions matched at the start of a line that mark a dateline (`MOSCOW —`, `PARIS-`, `BEIRUT (AFP)-`,
    /// `WASHINGTON (Reuters) -`, `KRAKOW, Poland, March 3 (MPA) -`). The built-in pattern is an upper-case
    /// place of up to four words, optional `, Region` parts and `, March 3` date, an optional `(Agency)`, then
    /// `-`, `--`, `–`, `—` or `:`. Setting this replaces it; `[]` disables dateline detection. A pattern not
    /// starting with `^` is anchored.
    pub dateline_patterns: Option<Vec<String>>,
    /// How the text is cut into paragraphs, the unit of article segmentation, block roles, `paragraphs` and
    /// sentences. `lines`: one paragraph per non-blank line; `blocks`: one per blank-line-separated block;
    /// `wrapped`: hard-wrapped lines (newswire, e-mail, plain-text archives, e-books) joined into paragraphs,
    /// which start after a blank line, on an indented line, where e-mail quote marks (`>`, `|>`) change, or
    /// after a line that ends short of the wrapping width (each run of lines is measured against its own width,
    /// as texts joined into one dump are wrapped at different widths); `auto`: `wrapped` when most lines end
    /// within a few columns of a common width of 30 to 120 columns and many end mid-sentence (at least 6
    /// lines), else one paragraph per line. Nothing is rewritten: a paragraph span runs from its first to its
    /// last character in the source, line breaks included. `attributes.splitter.shape` tells the shape used.
    pub shape: Shape,
    /// The story-change signal for dumps whose articles have neither a dateline, a headline nor a closing
    /// credit: paragraphs are segmented by lexical cohesion (content-word stems, minimum description length,
    /// continuation cues such as an opening pronoun or `Mr Name` counting against a start), then neighbouring
    /// segments whose vocabularies have at least this cosine similarity are merged back. A number applies it
    /// inside every article of 4 paragraphs or more (0 turns it off); `auto` applies it with 0.15 only to a
    /// text of 10 paragraphs or more that opens with body text and shows no other article evidence. Pull
    /// quotes, captions and subheadings never start a story by it. A long single article without a headline can
    /// be cut where its subject changes: set `"off"` when every document is one article.
    pub topic_shift: TopicShift,
    /// Extra abbreviations for the sentence splitter, with or without the period (`"Sgt"`, `"approx."`). They
    /// end a sentence only before a common sentence opener (`The`, `He`, `It` …). The built-in list covers
    /// titles (`Mr.`, `Dr.`, `Gen.`, `Lt.`, `St.`), number prefixes (`No.`, `p.`, `Jan.`), company and other
    /// forms (`Inc.`, `Co.`, `Jr.`, `etc.`) and dotted forms (`U.S.`, `e.g.`, `a.m.`).
    pub abbreviations: Vec<String>,
    /// With `unit = "sentences"`: a dateline that opens a paragraph is not part of the first sentence (which
    /// starts after the dateline and its space). Datelines come from `annotations.blocks` when present, else
    /// from `dateline_patterns`.
    pub skip_datelines: bool,
    /// With `unit = "sentences"` or `"chunks"`: `boundary` ends a sentence at every line break (one paragraph
    /// per line); `auto` does too, except in hard-wrapped text (filled lines of a similar width whose sentences
    /// run on over the line breaks, as in e-mail, plain-text documentation and newswire), where a single line
    /// break inside a paragraph is a space and only a blank line, an indented line, a list item or a short line
    /// ends the paragraph.
    pub line_breaks: LineBreaks,
    /// With `unit = "chunks"` and `max_words = 0`: the largest chunk, in characters (Unicode scalar values,
    /// inner whitespace included).
    pub max_chars: usize,
    /// With `unit = "chunks"`: the largest chunk in whitespace-separated words (0: use `max_chars`). Chunks
    /// never split a sentence unless it alone exceeds the limit; then it is split at word boundaries (and an
    /// over-long word between grapheme clusters).
    pub max_words: usize,
    /// With `unit = "chunks"`: how much of the end of a chunk (whole sentences, in the limit's unit) is
    /// repeated at the start of the next. Must be smaller than the limit.
    pub overlap: usize,
}

impl Default for SplitterOptions {
    fn default() -> Self {
        SplitterOptions {
            unit: Unit::Articles,
            emit: Emit::Auto,
            drop_boilerplate: false,
            dateline_patterns: None,
            shape: Shape::Auto,
            topic_shift: TopicShift::Auto,
            abbreviations: Vec::new(),
            skip_datelines: true,
            line_breaks: LineBreaks::Auto,
            max_chars: 1000,
            max_words: 0,
            overlap: 0,
        }
    }
}

/// The `topic_shift` option: `"auto"` or a number between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum TopicShift {
    /// The story-change signal only on texts without any other article evidence.
    #[default]
    Auto,
    /// The signal's merge threshold in every article (0: off).
    Threshold(f64),
}

impl<'de> Deserialize<'de> for TopicShift {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = TopicShift;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"auto\" or a number between 0 and 1")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TopicShift, E> {
                match v {
                    "auto" => Ok(TopicShift::Auto),
                    "off" => Ok(TopicShift::Threshold(0.0)),
                    _ => Err(E::unknown_variant(v, &["auto", "off"])),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<TopicShift, E> {
                Ok(TopicShift::Threshold(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TopicShift, E> {
                Ok(TopicShift::Threshold(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TopicShift, E> {
                Ok(TopicShift::Threshold(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for TopicShift {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TopicShift::Auto => s.serialize_str("auto"),
            TopicShift::Threshold(t) => s.serialize_f64(*t),
        }
    }
}

impl docpipe_core::options::OptionType for TopicShift {
    fn describe() -> String {
        "\"auto\" | \"off\" | number (0 to 1)".to_owned()
    }
    fn schema() -> docpipe_core::options::Json {
        serde_json::json!({"anyOf": [{"enum": ["auto", "off"]}, {"type": "number", "minimum": 0, "maximum": 1}]})
    }
}

/// The stage (and a library entry point: [`Splitter::split_sentences`] and friends work on
/// plain text too).
#[derive(Debug)]
pub struct Splitter {
    options: SplitterOptions,
    articles: ArticleSplitter,
    sentences: SentenceSplitter,
}

/// A unit found in a document: its range and an optional label.
type Unit3 = (usize, usize, Option<&'static str>);

/// A byte range `(start, end)` of a text.
pub type Range = (usize, usize);

impl Splitter {
    /// Builds the stage; fails on an invalid dateline pattern or inconsistent chunk limits.
    pub fn new(options: SplitterOptions) -> Result<Self, (&'static str, String)> {
        let (threshold, auto) = match options.topic_shift {
            TopicShift::Auto => (0.0, true),
            TopicShift::Threshold(t) => (t, false),
        };
        if !(0.0..=1.0).contains(&threshold) {
            return Err(("topic_shift", "must be \"auto\", \"off\" or a number between 0 and 1".into()));
        }
        let articles = ArticleSplitter::new(options.dateline_patterns.as_deref(), threshold)
            .map_err(|e| ("dateline_patterns", e))?
            .with_shape(options.shape)
            .with_auto_topic(auto);
        let (max, key) =
            if options.max_words > 0 { (options.max_words, "max_words") } else { (options.max_chars, "max_chars") };
        if options.unit == Unit::Chunks && max == 0 {
            return Err(("max_chars", "must be at least 1 (or set max_words)".into()));
        }
        if options.unit == Unit::Chunks && options.overlap >= max {
            return Err(("overlap", format!("must be smaller than {key} ({max})")));
        }
        let sentences = SentenceSplitter::new(&options.abbreviations);
        Ok(Splitter { options, articles, sentences })
    }

    /// The article analysis of a text (blocks and articles).
    pub fn analyse_articles(&self, text: &str) -> articles::Analysis {
        self.articles.analyse(text)
    }

    /// The paragraphs of a document: the paragraph spans of `annotations.blocks` (from an
    /// article splitter) where they exist, a line of its own elsewhere; without blocks, the
    /// paragraphs of the `shape` option (hard-wrapped lines unwrapped under `auto`).
    pub fn paragraphs(&self, doc: &Document) -> Vec<Range> {
        let text = &doc.text;
        let Some(blocks) = doc.annotations.get("blocks") else {
            return shape::paragraphs(text, self.options.shape).1;
        };
        let mut out: Vec<Range> = Vec::new();
        let mut bi = 0;
        for (s, e) in sentences::lines(text) {
            if out.last().is_some_and(|p| s < p.1) {
                continue;
            }
            while bi < blocks.len() && blocks[bi].start < s {
                bi += 1;
            }
            let multi = blocks[bi..]
                .iter()
                .take_while(|b| b.start == s)
                .filter(|b| !b.fields.contains_key("inline") && b.end > e && b.end <= text.len())
                .map(|b| b.end)
                .max();
            out.push((s, multi.unwrap_or(e)));
        }
        out
    }

    /// Sentence spans of a document, and the dateline spans left out of them. Uses the
    /// document's `annotations.blocks` (from an article splitter) when present: non-prose
    /// paragraphs (subheading, byline, related link, caption) are one sentence each and
    /// inline datelines come from there; otherwise datelines are detected on every paragraph.
    /// A paragraph is a unit of [`Splitter::paragraphs`]: a wrapped paragraph's line breaks
    /// are spaces inside it.
    pub fn split_sentences(&self, doc: &Document, skip_datelines: bool) -> (Vec<Range>, Vec<Range>) {
        let text = &doc.text;
        let blocks = doc.annotations.get("blocks");
        let mut out = Vec::new();
        let mut datelines = Vec::new();
        let mut bi = 0;
        for (s, e) in self.sentence_paragraphs(doc) {
            let mut role = None;
            let mut dl_end = None;
            if let Some(blocks) = blocks {
                while bi < blocks.len() && blocks[bi].start < s {
                    bi += 1;
                }
                let mut k = bi;
                while k < blocks.len() && blocks[k].start == s {
                    let b = &blocks[k];
                    match b.label.as_deref() {
                        Some("dateline") if b.end < e => dl_end = Some(b.end),
                        Some(l) if b.end == e => role = Some(l.to_owned()),
                        _ => {}
                    }
                    k += 1;
                }
            } else if skip_datelines {
                let first_line_end = memchr::memchr(b'\n', &text.as_bytes()[s..e]).map_or(e, |p| s + p);
                dl_end = self.articles.dateline_in(text, s, first_line_end);
            }
            let mut s2 = s;
            if skip_datelines && let Some(d) = dl_end {
                datelines.push((s, d));
                s2 = sentences::skip_ws(text.as_bytes(), d, e);
            }
            match role.as_deref() {
                Some("subheading" | "byline" | "related_link" | "caption" | "dateline") => {
                    if s2 < e {
                        out.push((s2, e));
                    }
                }
                _ => self.sentences.split_range(text, s2, e, &mut out),
            }
        }
        (out, datelines)
    }

    /// The ranges the sentence scanner splits one by one: lines with `line_breaks =
    /// "boundary"`; else the paragraphs of [`Splitter::paragraphs`] when an article splitter
    /// left `annotations.blocks` with paragraphs of several lines (hard-wrapped ones it
    /// unwrapped, each with one role) or a `shape` is set; else the paragraphs of
    /// [`sentences::paragraphs`] (the lines of hard-wrapped text joined, quoted e-mail lines
    /// included), cut again where the role that line-by-line blocks give the lines changes,
    /// and before a dateline.
    fn sentence_paragraphs(&self, doc: &Document) -> Vec<Range> {
        let text = &doc.text;
        if self.options.line_breaks == LineBreaks::Boundary {
            return sentences::lines(text).collect();
        }
        let blocks = doc.annotations.get("blocks").map(Vec::as_slice);
        // Blocks that span several lines are paragraphs the article splitter unwrapped.
        let unwrapped =
            blocks.is_some_and(|bs| bs.iter().any(|b| text.get(b.start..b.end).is_some_and(|t| t.contains('\n'))));
        if unwrapped || self.options.shape != Shape::Auto {
            return self.paragraphs(doc);
        }
        let paras = sentences::paragraphs(text);
        let Some(blocks) = blocks else { return paras };
        let mut labels: Vec<(usize, &str)> =
            blocks.iter().filter_map(|x| x.label.as_deref().map(|l| (x.start, l))).collect();
        labels.sort_unstable();
        // The role of the line starting at `x` (not counting a dateline that opens it) and
        // whether a dateline starts there.
        let line_role = |x: usize| {
            let here = labels[labels.partition_point(|&(st, _)| st < x)..].iter().take_while(|&&(st, _)| st == x);
            let own = here.clone().find(|&&(_, l)| l != "dateline").map(|&(_, l)| l);
            (own, here.clone().any(|&(_, l)| l == "dateline"))
        };
        let b = text.as_bytes();
        let mut out = Vec::with_capacity(paras.len());
        for (ps, pe) in paras {
            let mut s = ps;
            let mut prev = line_role(ps).0;
            let mut pos = ps;
            while let Some(nl) = memchr::memchr(b'\n', &b[pos..pe]).map(|p| pos + p) {
                let x = sentences::skip_ws(b, nl, pe);
                pos = x;
                let (own, dateline) = line_role(x);
                if dateline || own != prev {
                    let mut e = nl;
                    while e > s && sentences::is_ws(b[e - 1]) {
                        e -= 1;
                    }
                    if e > s {
                        out.push((s, e));
                    }
                    s = x;
                }
                prev = own;
            }
            out.push((s, pe));
        }
        out
    }

    fn units(&self, doc: &Document) -> Vec<Unit3> {
        match self.options.unit {
            Unit::Articles => Vec::new(),
            Unit::Paragraphs => {
                let blocks = doc.annotations.get("blocks");
                self.paragraphs(doc)
                    .into_iter()
                    .map(|(s, e)| {
                        let label = blocks.and_then(|bs| {
                            bs.iter()
                                .find(|b| b.start == s && b.end == e && b.label.as_deref() != Some("dateline"))
                                .or_else(|| bs.iter().find(|b| b.start == s && b.end == e))
                                .and_then(|b| b.label.as_deref())
                                .and_then(role_label)
                        });
                        (s, e, label)
                    })
                    .collect()
            }
            Unit::Sentences => {
                let (s, _) = self.split_sentences(doc, self.options.skip_datelines);
                s.into_iter().map(|(a, b)| (a, b, None)).collect()
            }
            Unit::Chunks => {
                let (sents, _) = self.split_sentences(doc, false);
                let (measure, max) = if self.options.max_words > 0 {
                    (Measure::Words, self.options.max_words)
                } else {
                    (Measure::Chars, self.options.max_chars)
                };
                chunks::chunk(&doc.text, &sents, measure, max, self.options.overlap)
                    .into_iter()
                    .map(|(a, b)| (a, b, None))
                    .collect()
            }
        }
    }

    fn emit_documents(&self) -> bool {
        match self.options.emit {
            Emit::Documents => true,
            Emit::Spans => false,
            Emit::Auto => self.options.unit == Unit::Articles,
        }
    }

    fn process_articles(&self, mut doc: Document) -> Outcome {
        let analysis = self.articles.analyse(&doc.text);
        if analysis.articles.is_empty() {
            if self.emit_documents() {
                return Outcome::Drop(Cow::Borrowed("no text"));
            }
            set_count(&mut doc, "articles", 0);
            return Outcome::Keep(doc);
        }
        let mut blocks = Vec::with_capacity(analysis.blocks.len() + analysis.articles.len());
        for b in &analysis.blocks {
            if let Some(d) = b.dateline_end
                && b.role == Role::Body
            {
                let mut span = Span::new(b.start, d).with_label("dateline");
                span.fields.insert("inline".into(), Value::Bool(true));
                blocks.push(span);
            }
            blocks.push(Span::new(b.start, b.end).with_label(b.role.as_str()));
        }
        // Paragraphs that are not lines (unwrapped, or blank-line blocks) are also written as
        // the `paragraphs` layer, which later stages (dedupe, a paragraph splitter) read
        // instead of cutting at line breaks.
        let text = &doc.text;
        if analysis.blocks.iter().any(|b| text.get(b.start..b.end).is_some_and(|t| t.contains('\n'))) {
            let paras = analysis.blocks.iter().map(|b| Span::new(b.start, b.end).with_label(b.role.as_str())).collect();
            doc.set_layer("paragraphs", paras);
        }
        doc.set_layer("blocks", blocks);
        if !self.emit_documents() {
            let spans = analysis
                .articles
                .iter()
                .map(|a| {
                    let mut s = Span::new(a.start, a.end);
                    s.fields.insert("boundary".into(), a.boundary.as_str().into());
                    s
                })
                .collect();
            doc.set_layer("articles", spans);
            set_count(&mut doc, "articles", analysis.articles.len());
            if let Some(shape) = analysis.shape {
                set_count(&mut doc, "shape", shape.as_str());
            }
            return Outcome::Keep(doc);
        }
        let mut children = Vec::with_capacity(analysis.articles.len());
        for (k, a) in analysis.articles.iter().enumerate() {
            let mut child = doc.child(format!("{}/a{k}", doc.id), a.start, a.end);
            let mut attr = Map::new();
            attr.insert("unit".into(), "article".into());
            attr.insert("index".into(), k.into());
            attr.insert("boundary".into(), a.boundary.as_str().into());
            if let Some(shape) = analysis.shape {
                attr.insert("shape".into(), shape.as_str().into());
            }
            attr.insert(
                "dateline".into(),
                a.dateline.and_then(|(s, e)| doc.text.get(s..e)).map_or(Value::Null, |t| Value::String(t.to_owned())),
            );
            if self.options.drop_boilerplate {
                let removed = drop_boilerplate(&mut child);
                attr.insert("boilerplate_lines_removed".into(), removed.into());
                if child.text.trim().is_empty() {
                    tracing::debug!(id = %child.id, "article without body text skipped");
                    continue;
                }
            }
            child.attributes.insert("splitter".into(), Value::Object(attr));
            children.push(child);
        }
        Outcome::Split(children)
    }
}

/// Maps a block label to the static role name (so paragraph spans can carry it).
fn role_label(l: &str) -> Option<&'static str> {
    [
        Role::Body,
        Role::Dateline,
        Role::Standfirst,
        Role::Subheading,
        Role::PullQuote,
        Role::Caption,
        Role::RelatedLink,
        Role::Byline,
    ]
    .into_iter()
    .map(Role::as_str)
    .find(|r| *r == l)
}

fn set_count(doc: &mut Document, key: &str, n: impl Into<Value>) {
    let entry = doc.attributes.entry("splitter").or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    if let Value::Object(m) = entry {
        m.insert(key.into(), n.into());
    }
}

/// Removes the non-body lines of an article document (with one adjacent line break each),
/// keeping the alignment exact. Returns how many lines were removed.
fn drop_boilerplate(doc: &mut Document) -> usize {
    let Some(blocks) = doc.annotations.get("blocks") else { return 0 };
    let lines: Vec<(usize, usize, bool)> = blocks
        .iter()
        .filter(|b| !b.fields.contains_key("inline"))
        .map(|b| (b.start, b.end, b.label.as_deref() == Some("body")))
        .collect();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for (i, &(s, e, body)) in lines.iter().enumerate() {
        if body {
            continue;
        }
        let (a, b) = match lines.get(i + 1) {
            Some(next) => (s, next.0),
            None if i > 0 => (lines[i - 1].1, e),
            None => (s, e),
        };
        match cuts.last_mut() {
            Some(last) if last.1 >= a => last.1 = last.1.max(b),
            _ => cuts.push((a, b)),
        }
    }
    if cuts.is_empty() {
        return 0;
    }
    let removed = lines.iter().filter(|l| !l.2).count();
    let inside = |s: &Span| cuts.iter().any(|&(a, b)| s.start >= a && s.end <= b && (s.start < b || s.start == a));
    for spans in doc.annotations.values_mut() {
        spans.retain(|s| !inside(s));
    }
    doc.annotations.retain(|_, spans| !spans.is_empty());
    let mut r = Rewriter::new(&doc.text);
    for &(a, b) in &cuts {
        r.delete(a, b);
    }
    let (text, edits) = r.finish();
    doc.apply_rewrite(text, edits);
    removed
}

impl MapStage for Splitter {
    fn process(&self, mut doc: Document) -> Result<Outcome, StageError> {
        if self.options.unit == Unit::Articles {
            return Ok(self.process_articles(doc));
        }
        let units = self.units(&doc);
        let unit = self.options.unit;
        if self.emit_documents() {
            if units.is_empty() {
                // With `skip_datelines`, a text that is only a dateline has no sentence.
                let reason = if doc.text.trim().is_empty() { "no text" } else { "only a dateline, no sentence" };
                return Ok(Outcome::Drop(Cow::Borrowed(reason)));
            }
            let children = units
                .iter()
                .enumerate()
                .map(|(k, &(s, e, label))| {
                    let mut child = doc.child(format!("{}/{}{k}", doc.id, unit.id_letter()), s, e);
                    let mut attr = Map::new();
                    attr.insert("unit".into(), unit.layer().trim_end_matches('s').into());
                    attr.insert("index".into(), k.into());
                    if let Some(l) = label {
                        attr.insert("role".into(), l.into());
                    }
                    child.attributes.insert("splitter".into(), Value::Object(attr));
                    child
                })
                .collect();
            return Ok(Outcome::Split(children));
        }
        let n = units.len();
        let spans = units
            .into_iter()
            .map(|(s, e, label)| {
                let span = Span::new(s, e);
                if let Some(l) = label { span.with_label(l) } else { span }
            })
            .collect();
        doc.set_layer(unit.layer(), spans);
        set_count(&mut doc, unit.layer(), n);
        Ok(Outcome::Keep(doc))
    }
}

fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
    let opts: SplitterOptions = options.deserialize()?;
    let stage = Splitter::new(opts).map_err(|(key, msg)| options.error(key, msg))?;
    Ok(Stage::Map(Box::new(stage)))
}

docpipe_core::register_stage! {
    name: "splitter",
    summary: "Split dumps into articles (with line roles) and text into paragraphs, sentences or RAG chunks, with exact offsets",
    description: "Text is read as paragraphs by its shape (one per line, blank-line blocks, or hard-wrapped lines unwrapped with exact offsets). Articles are found by datelines, headline lines (long standfirsts, short all-capital or ticker headlines; in text with blank-line paragraphs, such as mail and Usenet digests, a short line alone between blank lines after a signature or sign-off, over a reply, or where the words change), end-of-article credits and, in dumps without any of those, a lexical-cohesion story-change signal; every paragraph gets a role in `annotations.blocks` (body, dateline, standfirst, subheading, pull_quote, caption, related_link, byline). Sentences use a fast rule-based splitter that knows news abbreviations, initials, decimals, ellipses, quotes, lists and glued sentences. Chunks pack whole sentences up to a limit, with overlap. Several splitter stages can follow each other.",
    kind: Map,
    options: SplitterOptions,
    example: r#"[[stage]]
type = "splitter"
name = "articles"
unit = "articles"        # then e.g. a second splitter with unit = "sentences"
emit = "documents"
drop_boilerplate = false
abbreviations = ["Supt", "Insp"]
"#,
    build: build,
    attributes: &[AttributeDecl {
        key: "splitter",
        doc: "Where a split document comes from, or how many units a document holds.",
        fields: &[
            AttrField { name: "unit", ty: AttrType::String, doc: "The unit of a split document: `article`, `paragraph`, `sentence` or `chunk`." },
            AttrField { name: "index", ty: AttrType::Int, doc: "Its position among its parent's units (from 0)." },
            AttrField { name: "boundary", ty: AttrType::String, doc: "How an article's start was found." },
            AttrField { name: "shape", ty: AttrType::String, doc: "The layout of the dump an article comes from." },
            AttrField { name: "dateline", ty: AttrType::String, doc: "An article's dateline text (null when it has none)." },
            AttrField { name: "boilerplate_lines_removed", ty: AttrType::Int, doc: "Non-body lines dropped from an article (`drop_boilerplate`)." },
            AttrField { name: "role", ty: AttrType::String, doc: "The line role of a split paragraph or sentence." },
            AttrField { name: "articles", ty: AttrType::Int, doc: "Articles found (when not emitting documents)." },
            AttrField { name: "paragraphs", ty: AttrType::Int, doc: "Paragraphs found (when not emitting documents)." },
            AttrField { name: "sentences", ty: AttrType::Int, doc: "Sentences found (when not emitting documents)." },
            AttrField { name: "chunks", ty: AttrType::Int, doc: "Chunks made (when not emitting documents)." },
        ],
    }],
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod shape_tests;
