//! The `dedupe` stage: finds exact and near-duplicate documents, paragraphs or sentences,
//! explains every decision, and drops or marks the duplicates.
//!
//! It is an [`OrderedStage`]. `prepare` (parallel) cuts each document into units
//! ([`text::units`]), normalises them and computes their fingerprint and, for `near`, their
//! shingles and MinHash signature ([`minhash`]), and hands them to `process` (its `Prepared`
//! value). `process` (sequential, input order) looks each unit up in the [`index::Index`] of units kept so far: the first occurrence is kept
//! and indexed, a later unit whose similarity to a kept one reaches `threshold` is a
//! duplicate. Clusters are a union-find over kept units whose representative is the
//! earliest member, so the output is a function of the input order only (never of threads
//! or batch sizes).
//!
//! `process` is the stage's sharding hooks in a row ([`hooks`]): `key` (what the decision
//! needs of a document, no text), `decide` (the index, totals and report) and `apply` (the
//! decision applied to the document), so a sharded run decides with the same code.
//!
//! Decisions are explained in the output (`attributes.dedupe` or a `duplicates` span
//! layer, with `duplicate_of`, `similarity`, `cluster`) and, with `report`, in a JSONL file
//! listing every duplicate. With `index`, the state is loaded at start and saved (atomically)
//! at the end, so later batches are deduplicated against everything seen before.

pub mod hooks;
pub mod index;
pub mod minhash;
pub mod packed;
pub mod text;

use std::path::PathBuf;

use docpipe_core::output::{AtomicFile, write_json_line};
use docpipe_core::registry::{AttrField, AttrType, AttributeDecl};
use docpipe_core::{BuildError, Document, OrderedStage, Outcome, Span, Stage, StageError, StageOptions};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::info;

use index::{Index, Kind, Params, UnitSig};
use minhash::MinHasher;
use text::{Level, Normalisation};

/// `level`: what is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, docpipe_core::OptionType)]
#[serde(rename_all = "lowercase")]
pub enum LevelOption {
    /// Whole documents.
    Document,
    /// Paragraphs (`paragraphs` layer, else the article splitter's `blocks`, else lines).
    Paragraph,
    /// Sentences (`sentences` layer, else a built-in rule).
    Sentence,
}

/// `method`: how units are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, docpipe_core::OptionType)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Equal fingerprints of the normalised text.
    Exact,
    /// Similarity of word n-gram shingle sets.
    Near,
}

/// `similarity`: the measure for `near`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, docpipe_core::OptionType)]
#[serde(rename_all = "lowercase")]
pub enum Similarity {
    /// |A ∩ B| / |A ∪ B|, estimated with MinHash and LSH.
    Jaccard,
    /// |A ∩ B| / |A| for the shorter unit A, whichever comes first: a passage contained in an
    /// earlier, longer one, or (within one document) one printed before the longer unit.
    Containment,
}

/// `scope`: which earlier units count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, docpipe_core::OptionType)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Everything seen in the run (and in a loaded index).
    Corpus,
    /// Only earlier units of the same document.
    Document,
}

/// `action`: what happens to a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, docpipe_core::OptionType)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Drop the document or cut the span out of the text.
    Drop,
    /// Keep everything and record the decision.
    Mark,
}

/// One item of `normalise`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, docpipe_core::OptionType)]
#[serde(rename_all = "lowercase")]
pub enum NormaliseItem {
    /// Ignore letter case.
    Case,
    /// Ignore whitespace differences.
    Whitespace,
    /// Ignore punctuation and symbols.
    Punctuation,
    /// Ignore which digits a number has.
    Digits,
}

/// Options of the `dedupe` stage.
#[derive(Debug, Clone, Deserialize, Serialize, docpipe_core::Options)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// The unit compared. `paragraph` uses the `paragraphs` span layer when the document has one, else the
    /// article splitter's `blocks` (one per paragraph, nested datelines left out), else non-blank lines;
    /// `sentence` uses the `sentences` layer, else a built-in rule inside each line.
    pub level: LevelOption,
    /// `exact`: equal XXH3-128 fingerprints of the normalised text. `near`: similarity of word n-gram shingle
    /// sets (MinHash + LSH for `jaccard`, an exact shingle index for `containment`); exact copies are always
    /// caught too.
    pub method: Method,
    /// For `near`: `jaccard` = |A∩B|/|A∪B| (MinHash estimate, every LSH candidate verified); `containment` =
    /// |A∩B|/|A| of the shorter unit A, counted exactly, whichever comes first: a pull quote or a paragraph
    /// inside a longer earlier one is found, and so is a pull quote printed before the paragraph it repeats
    /// (within one document; the earlier, shorter unit is then the repeat and needs at least 4 shingles).
    pub similarity: Similarity,
    /// `corpus`: a unit duplicates anything earlier in the run (and in `index`); `document`: only earlier units
    /// of the same document (paragraph and sentence levels).
    pub scope: Scope,
    /// `drop`: a duplicate document is dropped (reason `duplicate`); duplicate paragraphs/sentences are cut out
    /// of the text with exact offsets (a document left empty is dropped) and `attributes.dedupe = {removed,
    /// removed_bytes}` is set. `mark`: keep everything; set `attributes.dedupe = {duplicate_of, similarity,
    /// cluster}` (document level) or a `duplicates` span layer with the same fields.
    pub action: Action,
    /// Minimum similarity (0 < t ≤ 1) for a near duplicate.
    pub threshold: f64,
    /// Words per shingle (a unit shorter than this is one shingle).
    pub ngram: usize,
    /// MinHash permutations for `near` + `jaccard` (signature of 4 × num_perm bytes per indexed unit).
    pub num_perm: usize,
    /// LSH bands; 0 derives `bands` and `rows` from `threshold` (datasketch's S-curve optimisation, weighting
    /// misses 9:1 since every candidate is verified).
    pub bands: usize,
    /// Signature values per LSH band (set together with `bands`; bands × rows ≤ num_perm).
    pub rows: usize,
    /// What the comparison ignores: letter case, whitespace differences, punctuation and symbols, which digits
    /// a number has.
    pub normalise: Vec<NormaliseItem>,
    /// Units with fewer words (after normalisation) are never duplicates and never indexed.
    pub min_words: usize,
    /// Index file: loaded at start when it exists (it must have been built with the same level, method,
    /// similarity, normalise, ngram, num_perm and banding), saved atomically at the end, so new batches are
    /// deduplicated against everything seen before. Versioned binary format with a checksum. A relative path is
    /// relative to the run's output directory.
    pub index: Option<String>,
    /// JSONL file (written atomically at the end) listing every duplicate: `id`, `level`, `start`/`end` for
    /// spans, `bytes`, `duplicate_of`, `cluster`, `similarity`, `action`. A relative path is relative to the
    /// run's output directory.
    pub report: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            level: LevelOption::Document,
            method: Method::Exact,
            similarity: Similarity::Jaccard,
            scope: Scope::Corpus,
            action: Action::Drop,
            threshold: 0.8,
            ngram: 5,
            num_perm: 128,
            bands: 0,
            rows: 0,
            normalise: vec![NormaliseItem::Case, NormaliseItem::Whitespace, NormaliseItem::Punctuation],
            min_words: 5,
            index: None,
            report: None,
        }
    }
}

/// The fixed MinHash seed (part of the index format: changing it invalidates saved indexes).
pub const SEED: u64 = 0x646F_6370_6970_6531;
/// Weights of banding false positives and false negatives when deriving `bands`/`rows`.
pub const BAND_WEIGHTS: (f64, f64) = (0.1, 0.9);

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Unit level.
    pub level: Level,
    /// Comparison.
    pub kind: Kind,
    /// Scope.
    pub scope: Scope,
    /// Action.
    pub action: Action,
    /// Normalisation before hashing.
    pub normalisation: Normalisation,
    /// Minimum similarity.
    pub threshold: f64,
    /// Words per shingle.
    pub ngram: usize,
    /// Signature length.
    pub num_perm: usize,
    /// LSH bands.
    pub bands: usize,
    /// Rows per band.
    pub rows: usize,
    /// Minimum words.
    pub min_words: usize,
    /// Index file.
    pub index: Option<PathBuf>,
    /// Report file.
    pub report: Option<PathBuf>,
}

impl Config {
    /// Resolves and checks options; the error names the offending key.
    pub fn from_options(o: &Options) -> Result<Config, (&'static str, String)> {
        if !(o.threshold > 0.0 && o.threshold <= 1.0) {
            return Err(("threshold", "must be in (0, 1]".into()));
        }
        if o.ngram == 0 || o.ngram > 64 {
            return Err(("ngram", "must be between 1 and 64".into()));
        }
        if o.num_perm == 0 || o.num_perm > 1024 {
            return Err(("num_perm", "must be between 1 and 1024".into()));
        }
        if (o.bands == 0) != (o.rows == 0) {
            return Err(("bands", "give both `bands` and `rows`, or neither".into()));
        }
        if o.bands * o.rows > o.num_perm {
            return Err(("bands", format!("bands × rows = {} exceeds num_perm = {}", o.bands * o.rows, o.num_perm)));
        }
        if o.method == Method::Exact && o.similarity == Similarity::Containment {
            return Err(("similarity", "`containment` needs method = \"near\"".into()));
        }
        if o.level == LevelOption::Document && o.scope == Scope::Document {
            return Err(("scope", "scope = \"document\" needs level = \"paragraph\" or \"sentence\"".into()));
        }
        if o.index.is_some() && o.scope == Scope::Document {
            return Err(("index", "an index needs scope = \"corpus\"".into()));
        }
        let has = |i| o.normalise.contains(&i);
        let kind = match (o.method, o.similarity) {
            (Method::Exact, _) => Kind::Exact,
            (Method::Near, Similarity::Jaccard) => Kind::Jaccard,
            (Method::Near, Similarity::Containment) => Kind::Containment,
        };
        let (bands, rows) = if o.bands > 0 {
            (o.bands, o.rows)
        } else {
            minhash::optimal_bands(o.threshold, o.num_perm, BAND_WEIGHTS.0, BAND_WEIGHTS.1)
        };
        Ok(Config {
            level: match o.level {
                LevelOption::Document => Level::Document,
                LevelOption::Paragraph => Level::Paragraph,
                LevelOption::Sentence => Level::Sentence,
            },
            kind,
            scope: o.scope,
            action: o.action,
            normalisation: Normalisation {
                case: has(NormaliseItem::Case),
                whitespace: has(NormaliseItem::Whitespace),
                punctuation: has(NormaliseItem::Punctuation),
                digits: has(NormaliseItem::Digits),
            },
            threshold: o.threshold,
            ngram: o.ngram,
            num_perm: o.num_perm,
            bands,
            rows,
            min_words: o.min_words,
            index: None,
            report: None,
        })
    }

    /// The parameters stored in (and checked against) an index file.
    pub fn params(&self) -> Params {
        Params {
            level: self.level as u8,
            kind: self.kind,
            normalisation: self.normalisation.bits(),
            ngram: self.ngram as u32,
            num_perm: if self.kind == Kind::Jaccard { self.num_perm as u32 } else { 0 },
            seed: SEED,
            bands: if self.kind == Kind::Jaccard { self.bands as u32 } else { 0 },
            rows: if self.kind == Kind::Jaccard { self.rows as u32 } else { 0 },
        }
    }
}

/// Running totals, logged at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Units compared (at or above `min_words`).
    pub units: u64,
    /// Duplicates found.
    pub duplicates: u64,
    /// Bytes of the duplicates found.
    pub duplicate_bytes: u64,
    /// Documents dropped (whole-document duplicates, or documents left empty by cuts).
    pub documents_dropped: u64,
}

/// The stage.
#[derive(Debug)]
pub struct Dedupe {
    config: Config,
    minhasher: MinHasher,
    index: Index,
    report: Option<AtomicFile>,
    totals: Totals,
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl Dedupe {
    /// A stage with an empty index (or the one at `config.index`, when the file exists).
    pub fn new(config: Config) -> Result<Dedupe, index::IndexError> {
        let index = match &config.index {
            Some(path) if path.exists() => Index::load(path, config.params(), config.bands, config.rows)?,
            _ => Index::new(config.params(), config.bands, config.rows),
        };
        Ok(Dedupe {
            minhasher: MinHasher::new(if config.kind == Kind::Jaccard { config.num_perm } else { 0 }, SEED),
            config,
            index,
            report: None,
            totals: Totals::default(),
        })
    }

    /// The running totals.
    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// The corpus index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The units of a document with their fingerprints and signatures.
    pub fn analyse(&self, doc: &Document) -> Vec<UnitSig> {
        // The article splitter's paragraph blocks (one per paragraph, also when it unwrapped
        // hard-wrapped lines), without the datelines nested inside them.
        let blocks: Vec<Span> = match (self.config.level, doc.annotations.contains_key("paragraphs")) {
            (Level::Paragraph, false) => doc
                .annotations
                .get("blocks")
                .into_iter()
                .flatten()
                .filter(|s| s.fields.get("inline") != Some(&Value::Bool(true)))
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        let layer = match self.config.level {
            Level::Document => None,
            Level::Sentence => doc.annotations.get("sentences").map(Vec::as_slice),
            Level::Paragraph => doc.annotations.get("paragraphs").map(Vec::as_slice).or(Some(blocks.as_slice())),
        };
        let mut buf = String::new();
        text::units(&doc.text, self.config.level, layer)
            .into_iter()
            .map(|(start, end)| {
                text::normalise_into(&doc.text[start..end], self.config.normalisation, &mut buf);
                let words: Vec<&str> = text::words(&buf).collect();
                let mut u = UnitSig {
                    start,
                    end,
                    words: words.len(),
                    fingerprint: minhash::fingerprint(&buf),
                    ..UnitSig::default()
                };
                if words.len() >= self.config.min_words.max(1) {
                    match self.config.kind {
                        Kind::Exact => {}
                        Kind::Jaccard => {
                            let sh = minhash::shingles(words.iter().copied(), self.config.ngram);
                            u.signature = self.minhasher.signature(&sh);
                        }
                        Kind::Containment => u.shingles = minhash::shingles(words.iter().copied(), self.config.ngram),
                    }
                }
                u
            })
            .collect()
    }

    fn write_report(&mut self, record: &Value) -> Result<(), StageError> {
        let Some(path) = &self.config.report else { return Ok(()) };
        if self.report.is_none() {
            self.report = Some(
                AtomicFile::create(path)
                    .map_err(|e| StageError::with_source(format!("cannot create report {}", path.display()), e))?,
            );
        }
        if let Some(f) = self.report.as_mut() {
            write_json_line(f, record).map_err(|e| StageError::with_source("cannot write the dedupe report", e))?;
        }
        Ok(())
    }

    fn action_name(&self) -> &'static str {
        match self.config.action {
            Action::Drop => "drop",
            Action::Mark => "mark",
        }
    }
}

impl OrderedStage for Dedupe {
    /// The document's units with their fingerprints and signatures ([`Dedupe::analyse`]).
    type Prepared = Vec<UnitSig>;

    fn prepare(&self, doc: &mut Document) -> Result<Vec<UnitSig>, StageError> {
        Ok(self.analyse(doc))
    }

    /// [`hooks`]: key, decide and apply in a row.
    fn process(&mut self, doc: Document, sigs: Vec<UnitSig>) -> Result<Outcome, StageError> {
        docpipe_core::sharding::process_with_hooks(self, doc, sigs)
    }

    fn sharded(&self) -> Option<&dyn docpipe_core::sharding::DynShardedStage> {
        Some(self)
    }

    fn sharded_mut(&mut self) -> Option<&mut dyn docpipe_core::sharding::DynShardedStage> {
        Some(self)
    }

    fn finish(&mut self) -> Result<Vec<Document>, StageError> {
        if let Some(path) = &self.config.index {
            self.index
                .save(path)
                .map_err(|e| StageError::with_source(format!("cannot save the dedupe index {}", path.display()), e))?;
        }
        if let (Some(path), None) = (&self.config.report, &self.report) {
            // No duplicates: still leave an (empty) report, so a stale one never survives.
            docpipe_core::output::write_atomic(path, b"")
                .map_err(|e| StageError::with_source(format!("cannot write report {}", path.display()), e))?;
        }
        if let Some(f) = self.report.take() {
            f.commit().map_err(|e| StageError::with_source("cannot commit the dedupe report", e))?;
        }
        let t = &self.totals;
        info!(
            level = self.config.level.name(),
            units = t.units,
            duplicates = t.duplicates,
            duplicate_bytes = t.duplicate_bytes,
            documents_dropped = t.documents_dropped,
            indexed = self.index.len(),
            index_bytes = self.index.heap_bytes(),
            "dedupe finished"
        );
        Ok(Vec::new())
    }

    fn counters(&self) -> Vec<(String, u64)> {
        let t = &self.totals;
        let level = self.config.level.name();
        let verb = match self.config.action {
            Action::Drop => "removed",
            Action::Mark => "marked",
        };
        let mut c = vec![
            (format!("{level}s compared"), t.units),
            (format!("{level} duplicates {verb}"), t.duplicates),
            (format!("{level} duplicate bytes {verb}"), t.duplicate_bytes),
        ];
        if self.config.scope == Scope::Corpus {
            c.push(("index entries".into(), self.index.len() as u64));
            c.push(("index bytes".into(), self.index.heap_bytes() as u64));
        }
        c
    }
}

fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
    let opts: Options = options.deserialize()?;
    let mut config = Config::from_options(&opts).map_err(|(key, msg)| options.error(key, msg))?;
    config.index = opts.index.as_deref().map(|p| options.resolve_output_path(p));
    config.report = opts.report.as_deref().map(|p| options.resolve_output_path(p));
    let stage = Dedupe::new(config).map_err(|e| options.error("index", e.to_string()))?;
    Ok(Stage::Ordered(Box::new(stage)))
}

docpipe_core::register_stage! {
    name: "dedupe",
    summary: "Find exact and near duplicates of documents, paragraphs or sentences; drop or mark them, explained",
    description: "The first occurrence in input order is kept. Units are normalised and fingerprinted (XXH3-128) or shingled into word n-grams (MinHash + LSH with verification, or exact containment); clusters are a deterministic union-find whose representative is the earliest member. Output is identical for any thread count and batch size.",
    kind: Ordered,
    options: Options,
    example: r#"[[stage]]
type = "dedupe"
level = "document"
method = "near"
similarity = "jaccard"
threshold = 0.8
ngram = 5
num_perm = 128
action = "drop"
"#,
    build: build,
    attributes: &[AttributeDecl {
        key: "dedupe",
        doc: "The earlier document this one repeats (`level = \"document\"`, `action = \"mark\"`), or what was cut from it.",
        fields: &[
            AttrField { name: "duplicate_of", ty: AttrType::String, doc: "The id of the first document with this text." },
            AttrField { name: "similarity", ty: AttrType::Float, doc: "Estimated similarity to it (0 to 1)." },
            AttrField { name: "cluster", ty: AttrType::String, doc: "The id representing the cluster of repeats." },
            AttrField {
                name: "removed",
                ty: AttrType::Int,
                doc: "Repeated paragraphs or sentences cut from the text (`action = \"drop\"`).",
            },
            AttrField { name: "removed_bytes", ty: AttrType::Int, doc: "Bytes of text they held." },
        ],
    }],
}

#[cfg(test)]
mod drop_tests;
#[cfg(test)]
mod shard_tests;
#[cfg(test)]
mod tests;
