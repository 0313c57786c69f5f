//! The HTML and Markdown reports: what the pipeline found, for people to read.
//!
//! Memory stays bounded whatever the corpus size: [`Report`] keeps only aggregate figures
//! (counts per label and per entity, summaries, duplicates) and each listed document is
//! rendered as it arrives (a [`ReportDoc`] borrows from the document) and appended to a
//! [`Spill`], an anonymous temporary file beside the output. At `finish`, when the run
//! statistics are known, the page is written from the template, the aggregates and the spill,
//! streamed into the output file. [`html`] writes one self-contained page (inline CSS and
//! JavaScript, the documents embedded as JSON and rendered a page at a time, so 10,000
//! documents stay responsive); [`markdown`] writes a compact summary for terminals and pull
//! requests.
//!
//! The per-entity table is capped at [`MAX_TRACKED_ENTITIES`] distinct (label, name) pairs:
//! mentions of entities first seen after that are still counted per label, and the reports
//! say the distinct count is a lower bound.
//!
//! Fields read (all optional): `annotations.<layer>` (default `entities`) spans with
//! `label`, `canonical`, `entity_id`; `annotations.summary` spans (else
//! `attributes.summary.sentences`); `attributes.summary.{text, method, members}`;
//! `attributes.dedupe.{duplicate_of, similarity}` (a document marked as a duplicate) and
//! `attributes.dedupe.{removed, removed_bytes}` (repeated passages cut out);
//! `annotations.duplicates` spans with `duplicate_of` (`ID#START-END`: the document and byte
//! range of the passage repeated) and `similarity` (passages marked as repeats).
//!
//! Documents that a stage dropped never reach a sink: the reports count them from the run
//! statistics (reason `duplicate`, per stage, with their bytes) and list the dropped
//! duplicates they receive as drop records (`Sink::dropped`; dedupe's detail says what each
//! repeats: `duplicate_of`, `similarity`). Listed ones are rendered as they arrive
//! ([`DroppedDoc`], [`Report::add_dropped`]) into a second spill, under the same
//! `max_documents` cap as the documents (counted apart), and the reports say when it caps.

pub mod html;
pub mod markdown;

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use docpipe_core::Document;
use docpipe_core::stage::DropRecord;
use docpipe_core::stats::RunStats;
use serde_json::Value;

/// Metadata fields shown per document, at most.
const META_FIELDS: usize = 4;
/// Characters of a metadata value shown, at most.
const META_CHARS: usize = 80;
/// Distinct (label, name) pairs counted one by one, at most (about 100 bytes each).
pub const MAX_TRACKED_ENTITIES: usize = 200_000;
/// Bytes of rendered documents kept in memory before they are appended to the spill file.
const SPILL_CHUNK: usize = 1 << 20;

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

/// What the report reads of one document (the text is borrowed, not copied).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDoc<'a> {
    /// Document id.
    pub id: &'a str,
    /// Parent id.
    pub parent: Option<&'a str>,
    /// Source path.
    pub source: &'a str,
    /// A few scalar metadata fields, as text.
    pub meta: Vec<(String, String)>,
    /// The text.
    pub text: &'a str,
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
    /// Passages marked as repeats of earlier ones (`annotations.duplicates`), sorted and
    /// non-overlapping.
    pub passages: Vec<Passage>,
    /// Repeated passages cut out of the text: how many, and their bytes.
    pub cut: Option<(u64, u64)>,
}

/// A passage marked as a repeat (a `duplicates` span), byte offsets into the document text.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The unit compared (`paragraph`, `sentence`; the span's label).
    pub level: String,
    /// The document holding the passage repeated.
    pub of_doc: Option<String>,
    /// The byte range of the passage repeated, in that document's text.
    pub of_range: Option<(usize, usize)>,
    /// Similarity to the passage repeated.
    pub similarity: Option<f64>,
}

/// Splits a dedupe unit id, `DOC#START-END`, into the document id and byte range; an id
/// without a range names a whole document.
pub fn split_unit_id(id: &str) -> (&str, Option<(usize, usize)>) {
    if let Some((doc, range)) = id.rsplit_once('#')
        && let Some((s, e)) = range.split_once('-')
        && let (Ok(s), Ok(e)) = (s.parse::<usize>(), e.parse::<usize>())
        && s <= e
    {
        return (doc, Some((s, e)));
    }
    (id, None)
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

/// The non-empty spans of a layer that lie inside the text (`ok`), sorted by start, keeping of
/// overlapping spans only the earlier one (at equal starts, the longer): what the page can
/// highlight without nesting.
fn first_of_overlapping(spans: &[docpipe_core::Span], ok: impl Fn(usize, usize) -> bool) -> Vec<&docpipe_core::Span> {
    let mut sorted: Vec<&docpipe_core::Span> = spans.iter().filter(|s| ok(s.start, s.end) && s.start < s.end).collect();
    sorted.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut last_end = 0;
    sorted.retain(|s| {
        let keep = s.start >= last_end;
        if keep {
            last_end = s.end;
        }
        keep
    });
    sorted
}

impl<'a> ReportDoc<'a> {
    /// Extracts the report view of a document, reading entities from `layer`.
    pub fn from_document(doc: &'a Document, layer: &str) -> ReportDoc<'a> {
        let len = doc.text.len();
        let ok =
            |s: usize, e: usize| s <= e && e <= len && doc.text.is_char_boundary(s) && doc.text.is_char_boundary(e);
        let mut mentions: Vec<Mention> = Vec::new();
        if let Some(spans) = doc.annotations.get(layer) {
            for s in first_of_overlapping(spans, ok) {
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
                            let start = usize::try_from(s.get("start")?.as_u64()?).ok()?;
                            let end = usize::try_from(s.get("end")?.as_u64()?).ok()?;
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
        let dedupe = doc.attributes.get("dedupe");
        let duplicate_of = dedupe.and_then(|d| {
            let of = d.get("duplicate_of").and_then(as_text)?;
            Some((of, d.get("similarity").and_then(Value::as_f64)))
        });
        let cut = dedupe.and_then(|d| {
            let n = d.get("removed")?.as_u64()?;
            Some((n, d.get("removed_bytes").and_then(Value::as_u64).unwrap_or(0)))
        });
        let mut passages: Vec<Passage> = Vec::new();
        if let Some(spans) = doc.annotations.get("duplicates") {
            for s in first_of_overlapping(spans, ok) {
                let of = s.fields.get("duplicate_of").and_then(as_text);
                let (of_doc, of_range) = match of.as_deref().map(split_unit_id) {
                    Some((d, r)) => (Some(d.to_owned()), r),
                    None => (None, None),
                };
                passages.push(Passage {
                    start: s.start,
                    end: s.end,
                    level: s.label.clone().unwrap_or_else(|| "passage".to_owned()),
                    of_doc,
                    of_range,
                    similarity: s.fields.get("similarity").and_then(Value::as_f64),
                });
            }
        }
        let meta = doc
            .metadata
            .iter()
            .filter_map(|(k, v)| as_text(v).map(|t| (k.clone(), truncate(&t, META_CHARS))))
            .take(META_FIELDS)
            .collect();
        ReportDoc {
            id: &doc.id,
            parent: doc.parent.as_deref(),
            source: &doc.source.path,
            meta,
            text: &doc.text,
            words: doc.text.split_whitespace().count(),
            mentions,
            summary_spans,
            summary,
            summary_method,
            members,
            duplicate_of,
            passages,
            cut,
        }
    }

    /// The name a mention counts under: its canonical name, else its text.
    pub fn name_of<'m>(&'m self, m: &'m Mention) -> &'m str {
        m.canonical.as_deref().unwrap_or(&self.text[m.start..m.end])
    }
}

/// A document an earlier stage dropped as a duplicate, as the reports list it.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedDoc<'a> {
    /// Document id.
    pub id: &'a str,
    /// The stage that dropped it.
    pub stage: &'a str,
    /// Why (`duplicate`).
    pub reason: &'a str,
    /// The document it repeats (`detail.duplicate_of`, a unit id split by
    /// [`split_unit_id`]).
    pub of_doc: Option<&'a str>,
    /// The byte range it repeats in that document's text, when a passage.
    pub of_range: Option<(usize, usize)>,
    /// Similarity to what it repeats (`detail.similarity`).
    pub similarity: Option<f64>,
}

impl<'a> DroppedDoc<'a> {
    /// The view of a drop record, or `None` when it is no duplicate (neither the reason
    /// `duplicate` nor a `duplicate_of` in its detail).
    pub fn from_record(r: &'a DropRecord) -> Option<DroppedDoc<'a>> {
        let of = r.detail.as_ref().and_then(|d| d.get("duplicate_of")).and_then(Value::as_str);
        if r.reason != "duplicate" && of.is_none() {
            return None;
        }
        let (of_doc, of_range) = match of.map(split_unit_id) {
            Some((d, range)) => (Some(d), range),
            None => (None, None),
        };
        Some(DroppedDoc {
            id: &r.id,
            stage: &r.stage,
            reason: &r.reason,
            of_doc,
            of_range,
            similarity: r.detail.as_ref().and_then(|d| d.get("similarity")).and_then(Value::as_f64),
        })
    }
}

/// Corpus-wide entity counts.
#[derive(Debug, Clone, Default)]
pub struct EntityTotals {
    /// Per label: mentions, sorted by count (descending) then name.
    pub labels: Vec<(String, u64)>,
    /// Per (label, name): mentions and documents, sorted by mentions (descending) then name.
    pub entities: Vec<((String, String), (u64, u64))>,
    /// Whether more distinct entities were seen than [`MAX_TRACKED_ENTITIES`] (then
    /// `entities` lists the first ones seen and their distinct count is a lower bound).
    pub capped: bool,
}

/// The aggregate figures of a report: every document counts, listed or not. Memory grows
/// with the number of distinct labels and (up to [`MAX_TRACKED_ENTITIES`]) entities, never
/// with the number or size of documents.
#[derive(Debug, Default)]
pub struct Report {
    /// Documents seen (listed or not).
    pub seen: u64,
    /// Documents listed (rendered into the spill).
    pub listed: u64,
    /// List at most this many (0: all).
    pub max_documents: usize,
    /// The entity layer.
    pub layer: String,
    /// Documents with a summary.
    pub summaries: u64,
    /// Documents marked as duplicates.
    pub duplicates: u64,
    /// Passages marked as repeats.
    pub passages: u64,
    /// Documents with passages marked as repeats.
    pub passage_docs: u64,
    /// Repeated passages cut out of documents.
    pub cut_passages: u64,
    /// Bytes of repeated passages cut out.
    pub cut_bytes: u64,
    /// Documents repeated passages were cut out of.
    pub cut_docs: u64,
    /// Dropped duplicates received as drop records (listed or not), per stage.
    pub dropped_seen: BTreeMap<String, u64>,
    /// Dropped duplicates listed (rendered into the drop spill, at most `max_documents`).
    pub dropped_listed: u64,
    /// The rendered dropped duplicates, created with the first one.
    drops: Option<Spill>,
    labels: BTreeMap<String, u64>,
    entities: BTreeMap<(String, String), (u64, u64)>,
    capped: bool,
}

impl Report {
    /// An empty report.
    pub fn new(layer: &str, max_documents: usize) -> Report {
        Report { max_documents, layer: layer.to_owned(), ..Report::default() }
    }

    /// Adds a document: calls `list` with its view when it is to be listed (within
    /// `max_documents`), then counts it. When `list` fails the document is not counted and
    /// its error is returned, so a document is in both the figures and the listing or in
    /// neither.
    pub fn add<E>(&mut self, doc: &Document, list: impl FnOnce(&ReportDoc<'_>) -> Result<(), E>) -> Result<(), E> {
        let d = ReportDoc::from_document(doc, &self.layer);
        let listed = self.max_documents == 0 || self.listed < self.max_documents as u64;
        if listed {
            list(&d)?;
        }
        self.listed += u64::from(listed);
        self.seen += 1;
        self.summaries += u64::from(d.summary.is_some());
        self.duplicates += u64::from(d.duplicate_of.is_some());
        self.passages += d.passages.len() as u64;
        self.passage_docs += u64::from(!d.passages.is_empty());
        if let Some((n, bytes)) = d.cut {
            self.cut_passages += n;
            self.cut_bytes += bytes;
            self.cut_docs += 1;
        }
        let mut seen_here: HashSet<(&str, &str)> = HashSet::new();
        for m in &d.mentions {
            match self.labels.get_mut(m.label.as_str()) {
                Some(n) => *n += 1,
                None => {
                    self.labels.insert(m.label.clone(), 1);
                }
            }
            let name = d.name_of(m);
            let first_here = seen_here.insert((m.label.as_str(), name));
            let key = (m.label.clone(), name.to_owned());
            if let Some(e) = self.entities.get_mut(&key) {
                e.0 += 1;
                e.1 += u64::from(first_here);
            } else if self.entities.len() < MAX_TRACKED_ENTITIES {
                self.entities.insert(key, (1, 1));
            } else {
                self.capped = true;
            }
        }
        Ok(())
    }

    /// Adds a drop record: when it is a dropped duplicate, counts it and, within
    /// `max_documents` (counted apart from the documents), lets `render` write its record
    /// (told whether it is the first) into the drop spill, created beside `output`. A record
    /// that cannot be rendered or kept is neither counted nor listed.
    pub fn add_dropped(
        &mut self,
        rec: &DropRecord,
        output: &Path,
        render: impl FnOnce(&DroppedDoc<'_>, bool, &mut Vec<u8>) -> io::Result<()>,
    ) -> io::Result<()> {
        let Some(d) = DroppedDoc::from_record(rec) else { return Ok(()) };
        if self.max_documents == 0 || self.dropped_listed < self.max_documents as u64 {
            let spill = self.drops.get_or_insert_with(|| Spill::beside(output));
            let mut buf = Vec::new();
            render(&d, spill.records == 0, &mut buf)?;
            spill.push(&buf)?;
            self.dropped_listed += 1;
        }
        match self.dropped_seen.get_mut(&rec.stage) {
            Some(n) => *n += 1,
            None => {
                self.dropped_seen.insert(rec.stage.clone(), 1);
            }
        }
        Ok(())
    }

    /// Dropped duplicates received, listed or not.
    pub fn dropped_total(&self) -> u64 {
        self.dropped_seen.values().sum()
    }

    /// Writes the listed dropped duplicates, in order, to `out`.
    pub fn copy_dropped_to(&mut self, out: &mut impl Write) -> io::Result<()> {
        match self.drops.as_mut() {
            Some(spill) => spill.copy_to(out),
            None => Ok(()),
        }
    }

    /// Whether some documents were left out of the listing (`max_documents`).
    pub fn is_capped(&self) -> bool {
        self.listed != self.seen
    }

    /// Entity counts over every document.
    pub fn entity_totals(&self) -> EntityTotals {
        let mut labels: Vec<(String, u64)> = self.labels.iter().map(|(k, v)| (k.clone(), *v)).collect();
        labels.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut entities: Vec<((String, String), (u64, u64))> =
            self.entities.iter().map(|(k, v)| (k.clone(), *v)).collect();
        entities.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
        EntityTotals { labels, entities, capped: self.capped }
    }

    /// Duplicate documents found by the run: those marked and kept, plus those an earlier
    /// stage dropped with the reason `duplicate` (the statistics count them; they never
    /// reach the report).
    pub fn duplicates_found(&self, stats: &RunStats) -> u64 {
        let dropped: u64 = stats.stages.iter().filter_map(|s| s.dropped.get("duplicate")).sum();
        self.duplicates + dropped
    }
}

/// Rendered documents, appended to an anonymous temporary file and streamed into the report
/// at the end. The file is removed from its folder as soon as it is open (the system frees it
/// when it is closed, even if the process is killed); where an open file cannot be removed,
/// it is removed when the spill is dropped.
///
/// A document is appended whole or not at all: [`Spill::push`] either keeps the record or
/// returns an error and leaves the spill as it was, so a failed document leaves no partial
/// output and the next one is written normally.
#[derive(Debug)]
pub struct Spill {
    dir: PathBuf,
    file: Option<File>,
    /// The file's name when it could not be removed while open.
    named: Option<PathBuf>,
    pending: Vec<u8>,
    flushed: u64,
    /// Records kept.
    pub records: u64,
}

impl Spill {
    /// A spill whose file will be created in `dir` (the output's folder, so the spill uses
    /// the disk the report goes to rather than a memory-backed `/tmp`).
    pub fn new(dir: &Path) -> Spill {
        Spill { dir: dir.to_owned(), file: None, named: None, pending: Vec::new(), flushed: 0, records: 0 }
    }

    /// A spill beside `output` (`-`: the system's temporary folder).
    pub fn beside(output: &Path) -> Spill {
        let dir = match output.parent() {
            _ if output.as_os_str() == "-" => std::env::temp_dir(),
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        Spill::new(&dir)
    }

    /// Creates the file now (to fail before any work when it cannot be).
    pub fn open(&mut self) -> io::Result<()> {
        if self.file.is_none() {
            std::fs::create_dir_all(&self.dir)?;
            let (file, named) = anonymous_file(&self.dir)?;
            self.file = Some(file);
            self.named = named;
        }
        Ok(())
    }

    /// Appends one record, whole or not at all.
    pub fn push(&mut self, record: &[u8]) -> io::Result<()> {
        let mark = self.pending.len();
        self.pending.extend_from_slice(record);
        if self.pending.len() >= SPILL_CHUNK
            && let Err(e) = self.flush_pending()
        {
            self.pending.truncate(mark);
            return Err(e);
        }
        self.records += 1;
        Ok(())
    }

    fn flush_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.open()?;
        let Some(file) = self.file.as_mut() else { return Err(io::Error::other("spill file is not open")) };
        // Always at the end of the last whole write: a failed write may have left part of
        // its bytes, which the next write overwrites and `copy_to` never reads.
        file.seek(SeekFrom::Start(self.flushed))?;
        file.write_all(&self.pending)?;
        self.flushed += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn replace_file(&mut self, file: File) {
        self.file = Some(file);
    }

    /// Writes every record kept, in order, to `out`.
    pub fn copy_to(&mut self, out: &mut impl Write) -> io::Result<()> {
        if let Some(file) = self.file.as_mut() {
            file.flush()?;
            file.seek(SeekFrom::Start(0))?;
            let copied = io::copy(&mut io::Read::take(&*file, self.flushed), out)?;
            if copied != self.flushed {
                return Err(io::Error::other(format!("spill file ended after {copied} of {} bytes", self.flushed)));
            }
        }
        out.write_all(&self.pending)
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        self.file = None;
        if let Some(path) = self.named.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A new read-write file in `dir`, removed from the folder at once when the system allows it
/// (then `None`, else its path).
fn anonymous_file(dir: &Path) -> io::Result<(File, Option<PathBuf>)> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".docpipe-spill-{}-{n}", std::process::id()));
        match std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
            Ok(file) => {
                return Ok(match std::fs::remove_file(&path) {
                    Ok(()) => (file, None),
                    Err(_) => (file, Some(path)),
                });
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A writer that replaces every `<` by `\u003c`: inside JSON strings (the only place `<`
/// can occur in the report data) the two mean the same, and no text can then close the
/// `<script>` element that holds the data.
pub struct EscapeLt<W: Write>(pub W);

impl<W: Write> Write for EscapeLt<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(i) = rest.iter().position(|&b| b == b'<') {
            self.0.write_all(&rest[..i])?;
            self.0.write_all(b"\\u003c")?;
            rest = &rest[i + 1..];
        }
        self.0.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The colours of one entity label: `vivid` for the legend swatch and the highlight's
/// border, `strong` for its label tag (small text), `tint` for the highlight's background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelColour {
    /// `#rrggbb`, at least 4.6:1 against `tint` (and so more against white).
    pub strong: String,
    /// `#rrggbb`, saturated, at least 3:1 against white (WCAG's figure for graphics).
    pub vivid: String,
    /// `#rrggbb`, light: the page's text (`#1d2330`) reads on it at more than 10:1.
    pub tint: String,
}

/// OKLCH hues (degrees) of the OntoNotes labels, 20° apart, the five most frequent in news
/// (GPE, DATE, ORG, PERSON, CARDINAL) 60° or more apart from each other and DATE away from
/// the yellow of summary sentences.
const KNOWN_HUES: [(&str, u16); 18] = [
    ("LOC", 10),
    ("GPE", 30),
    ("EVENT", 50),
    ("PRODUCT", 70),
    ("MONEY", 90),
    ("TIME", 110),
    ("PERCENT", 130),
    ("DATE", 150),
    ("FAC", 170),
    ("QUANTITY", 190),
    ("ORG", 210),
    ("ORDINAL", 230),
    ("NORP", 250),
    ("PERSON", 270),
    ("WORK_OF_ART", 290),
    ("LANGUAGE", 310),
    ("CARDINAL", 330),
    ("LAW", 350),
];

/// Closest two labels of one report may be in hue, in degrees (while there is room).
const MIN_HUE_GAP: u16 = 10;

/// The colours of a report's labels, one per label and all different (up to 360 labels): the
/// OntoNotes labels have fixed hues; any other label takes a stable hue from its name, moved
/// on by the golden angle while it is closer than 10° (`MIN_HUE_GAP`) to a label already placed
/// (labels are placed in the order given, known labels first).
pub fn label_colours(labels: &[&str]) -> Vec<LabelColour> {
    let mut out: Vec<Option<LabelColour>> = labels.iter().map(|l| known_hue(l).map(colour_of_hue)).collect();
    let mut taken: Vec<u16> = labels.iter().filter_map(|l| known_hue(l)).collect();
    let mut used: HashSet<String> =
        out.iter().flatten().flat_map(|c| [c.strong.clone(), c.vivid.clone(), c.tint.clone()]).collect();
    for (k, l) in labels.iter().enumerate() {
        if out[k].is_some() {
            continue;
        }
        // FNV-1a: stable across runs and platforms.
        let mut h: u32 = 0x811c_9dc5;
        for b in l.bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        let mut hue = (h % 360) as u16;
        let gap = |hue: u16| taken.iter().all(|&t| hue_distance(t, hue) >= MIN_HUE_GAP);
        let mut tries = 0;
        while !gap(hue) && tries < 64 {
            hue = (hue + 137) % 360;
            tries += 1;
        }
        // No room left at that gap: the next hue whose colours are not used yet.
        let mut colour = colour_of_hue(hue);
        for _ in 0..360 {
            if [&colour.strong, &colour.vivid, &colour.tint].iter().all(|c| !used.contains(*c)) {
                break;
            }
            hue = (hue + 1) % 360;
            colour = colour_of_hue(hue);
        }
        taken.push(hue);
        used.extend([colour.strong.clone(), colour.vivid.clone(), colour.tint.clone()]);
        out[k] = Some(colour);
    }
    out.into_iter().map(|c| c.unwrap_or_else(|| colour_of_hue(0))).collect()
}

fn known_hue(label: &str) -> Option<u16> {
    KNOWN_HUES.iter().find(|(l, _)| *l == label).map(|&(_, h)| h)
}

fn hue_distance(a: u16, b: u16) -> u16 {
    let d = a.abs_diff(b) % 360;
    d.min(360 - d)
}

/// The tint and strong shade of a hue, in OKLCH (perceptually even, so labels 20° apart look
/// about as different anywhere on the wheel): the tint light and soft, the strong shade the
/// lightest that keeps 4.6:1 against the tint, the vivid one the lightest that keeps 3:1
/// against white.
fn colour_of_hue(hue: u16) -> LabelColour {
    let h = f64::from(hue);
    let tint = oklch(0.95, 0.045, h);
    let mut l = 70;
    let mut strong = oklch(f64::from(l) / 100.0, 0.16, h);
    while contrast(strong, tint) < 4.6 && l > 5 {
        l -= 1;
        strong = oklch(f64::from(l) / 100.0, 0.16, h);
    }
    let mut l = 80;
    let mut vivid = oklch(f64::from(l) / 100.0, 0.2, h);
    while contrast(vivid, [255; 3]) < 3.0 && l > 5 {
        l -= 1;
        vivid = oklch(f64::from(l) / 100.0, 0.2, h);
    }
    LabelColour { strong: hex(strong), vivid: hex(vivid), tint: hex(tint) }
}

/// OKLCH (lightness 0..=1, chroma, hue in degrees) to 8-bit sRGB, the chroma reduced until
/// the colour is inside the sRGB gamut.
fn oklch(l: f64, c: f64, h: f64) -> [u8; 3] {
    let (sin, cos) = h.to_radians().sin_cos();
    let mut c = c;
    loop {
        let (a, b) = (c * cos, c * sin);
        let l_ = (l + 0.396_337_777_4 * a + 0.215_803_757_3 * b).powi(3);
        let m_ = (l - 0.105_561_345_8 * a - 0.063_854_172_8 * b).powi(3);
        let s_ = (l - 0.089_484_177_5 * a - 1.291_485_548 * b).powi(3);
        let rgb = [
            4.076_741_662_1 * l_ - 3.307_711_591_3 * m_ + 0.230_969_929_2 * s_,
            -1.268_438_004_6 * l_ + 2.609_757_401_1 * m_ - 0.341_319_396_5 * s_,
            -0.004_196_086_3 * l_ - 0.703_418_614_7 * m_ + 1.707_614_701 * s_,
        ];
        if rgb.iter().all(|v| (-1e-4..=1.0001).contains(v)) || c <= 0.0 {
            let enc = |v: f64| {
                let v = v.clamp(0.0, 1.0);
                let v = if v <= 0.003_130_8 { 12.92 * v } else { 1.055 * v.powf(1.0 / 2.4) - 0.055 };
                (v * 255.0).round() as u8
            };
            return [enc(rgb[0]), enc(rgb[1]), enc(rgb[2])];
        }
        c = (c - 0.005).max(0.0);
    }
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// WCAG 2 relative luminance.
fn luminance(c: [u8; 3]) -> f64 {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// WCAG 2 contrast ratio (1 to 21).
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;
    use docpipe_core::Span;
    use serde_json::json;

    /// Adds `d`; returns whether it was listed.
    pub(crate) fn count(rep: &mut Report, d: &Document) -> bool {
        let mut listed = false;
        rep.add(d, |_| {
            listed = true;
            Ok::<(), ()>(())
        })
        .unwrap();
        listed
    }

    #[test]
    fn a_document_whose_listing_fails_is_not_counted() {
        let mut rep = Report::new("entities", 0);
        assert_eq!(rep.add(&rich_doc(), |_| Err("disk full")), Err("disk full"));
        assert_eq!((rep.seen, rep.listed, rep.summaries), (0, 0, 0));
        assert!(rep.entity_totals().labels.is_empty());
        count(&mut rep, &rich_doc());
        assert_eq!((rep.seen, rep.listed, rep.summaries), (1, 1, 1));
    }

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
        count(&mut rep, &d);
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
    fn figures_cover_every_document_when_the_listing_is_capped() {
        // Before issue 14 the counts covered only the listed documents.
        let mut rep = Report::new("entities", 2);
        let listed: Vec<bool> = (0..5).map(|_| count(&mut rep, &rich_doc())).collect();
        assert_eq!(listed, [true, true, false, false, false]);
        assert_eq!((rep.seen, rep.listed, rep.summaries), (5, 2, 5));
        assert!(rep.is_capped());
        let t = rep.entity_totals();
        assert_eq!(t.labels[0], ("PERSON".to_owned(), 10));
        assert_eq!(t.entities[0], (("PERSON".to_owned(), "Anna Keller".to_owned()), (10, 5)));
    }

    #[test]
    fn distinct_entities_are_capped() {
        let mut rep = Report::new("entities", 1);
        let per_doc = 10_000;
        let docs = MAX_TRACKED_ENTITIES / per_doc + 1;
        for k in 0..docs {
            let mut d = Document::from_source("d", "x".repeat(per_doc), "f", 0);
            let spans = (0..per_doc)
                .map(|i| {
                    let mut s = Span::new(i, i + 1).with_label("ORG");
                    s.fields.insert("canonical".into(), json!(format!("org {k} {i}")));
                    s
                })
                .collect();
            d.set_layer("entities", spans);
            count(&mut rep, &d);
        }
        let t = rep.entity_totals();
        assert!(t.capped);
        assert_eq!(t.entities.len(), MAX_TRACKED_ENTITIES);
        assert_eq!(t.labels[0].1, (docs * per_doc) as u64, "every mention counted");
    }

    #[test]
    fn spill_keeps_whole_records_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Spill::new(dir.path());
        let rec: Vec<Vec<u8>> = (0..3000).map(|i| format!("{i:0>600}\n").into_bytes()).collect();
        for r in &rec {
            s.push(r).unwrap();
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "the spill file is anonymous");
        let mut out = Vec::new();
        s.copy_to(&mut out).unwrap();
        assert_eq!(out, rec.concat());
    }

    #[test]
    fn a_failed_spill_write_keeps_no_part_of_the_record_and_the_next_one_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Spill::new(dir.path());
        let big = vec![b'a'; SPILL_CHUNK / 2 + 1];
        s.push(b"first\n").unwrap();
        s.push(&big).unwrap();
        // A full disk: the record that needs a write fails and is not kept.
        s.replace_file(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap());
        assert!(s.push(&vec![b'X'; SPILL_CHUNK / 2]).is_err());
        assert_eq!(s.records, 2);
        // Room again: the next record goes in after the earlier ones, with nothing between.
        s.replace_file(anonymous_file(dir.path()).unwrap().0);
        let last = vec![b'z'; SPILL_CHUNK / 2];
        s.push(&last).unwrap();
        let mut out = Vec::new();
        s.copy_to(&mut out).unwrap();
        assert_eq!(out, [b"first\n".as_slice(), &big, &last].concat());
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

    fn rgb(hex: &str) -> [u8; 3] {
        let v = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
        [v(1), v(3), v(5)]
    }

    #[test]
    fn every_label_has_its_own_readable_colour() {
        let mut labels: Vec<&str> = KNOWN_HUES.iter().map(|k| k.0).collect();
        let extra: Vec<String> = (0..40).map(|i| format!("CUSTOM_{i}")).collect();
        labels.extend(extra.iter().map(String::as_str));
        let colours = label_colours(&labels);
        let strong: HashSet<&str> = colours.iter().map(|c| c.strong.as_str()).collect();
        let tint: HashSet<&str> = colours.iter().map(|c| c.tint.as_str()).collect();
        let vivid: HashSet<&str> = colours.iter().map(|c| c.vivid.as_str()).collect();
        assert_eq!(strong.len(), labels.len(), "two labels share a colour: {colours:?}");
        assert_eq!(vivid.len(), labels.len(), "two labels share a swatch: {colours:?}");
        assert_eq!(tint.len(), labels.len(), "two labels share a tint: {colours:?}");
        let page_text = [0x1d, 0x23, 0x30];
        for (l, c) in labels.iter().zip(&colours) {
            let (s, t) = (rgb(&c.strong), rgb(&c.tint));
            assert!(contrast(s, t) >= 4.5, "{l}: label tag on its highlight {c:?}");
            assert!(contrast(s, [255; 3]) >= 4.5, "{l}: label tag on white {c:?}");
            assert!(contrast(rgb(&c.vivid), [255; 3]) >= 3.0, "{l}: swatch and border on white {c:?}");
            assert!(contrast(page_text, t) >= 10.0, "{l}: text on its highlight {c:?}");
        }
        // The first 18 custom labels still keep 10° apart from every other label.
        let hues: Vec<u16> = KNOWN_HUES.iter().map(|k| k.1).collect();
        assert!(hues.iter().enumerate().all(|(i, a)| hues[i + 1..].iter().all(|b| hue_distance(*a, *b) >= 20)));
    }

    #[test]
    fn colours_are_stable() {
        let one = label_colours(&["PERSON", "SHIP"]);
        assert_eq!(one[0], label_colours(&["PERSON"])[0], "a known label's colour never moves");
        assert_eq!(one[1], label_colours(&["SHIP", "PERSON"])[0]);
        assert_ne!(label_colours(&["SHIP"]), label_colours(&["TRAIN"]));
    }

    #[test]
    fn unit_ids_split_into_document_and_range() {
        assert_eq!(split_unit_id("a/b#0-3#656-924"), ("a/b#0-3", Some((656, 924))));
        assert_eq!(split_unit_id("doc@0/a1"), ("doc@0/a1", None));
        assert_eq!(split_unit_id("doc#x-1"), ("doc#x-1", None));
        assert_eq!(split_unit_id("doc#9-1"), ("doc#9-1", None));
    }
}
