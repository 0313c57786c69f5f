//! The `entities` stage: a fast, deterministic, rule-based named-entity tagger.
//!
//! Writes `annotations.<layer>` (default `entities`): spans with `label` (OntoNotes names:
//! PERSON, NORP, FAC, ORG, GPE, LOC, EVENT, LAW, DATE, TIME, PERCENT, MONEY, QUANTITY,
//! ORDINAL, CARDINAL), `text`, and the fields `canonical` (the entity's full name),
//! `entity_id` (stable across runs with the same config) and `source` (the rule family that
//! decided: `pattern`, `gazetteer`, `name-list`, `context`, `acronym`, `alias`, `shape`).
//!
//! The cascade ([`tagger`]) runs per document in the parallel `prepare` step of an ordered
//! stage: numeric and temporal [`patterns`], [`gazetteer`]s compiled into one Aho-Corasick
//! automaton, context rules over capitalised sequences, and in-document alias resolution.
//! The sequential `process` step keeps the corpus [`corpus::AliasTable`]: it merges spelling
//! variants of a name under one `entity_id` and, with `index = "path"`, writes a JSONL index
//! of every entity at the end. Each layer can be turned off.
//!
//! Time is linear in the document's size (one line of 10, 40 and 160 MiB tags at the same
//! MB/s, `cargo xtask bench --rows "single document"`); memory is about 15 bytes per byte of
//! the largest document in flight (tokens, the per-token gazetteer matches, the spans).

pub mod corpus;
pub mod gazetteer;
pub mod patterns;
pub mod tagger;
pub mod tokens;
mod words;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use docpipe_core::output::AtomicFile;
use docpipe_core::{BuildError, Document, OrderedStage, Outcome, Span, Stage, StageError, StageOptions};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use gazetteer::{ALL_LABELS, Gazetteer, GazetteerBuilder, Label};
pub use tagger::{GazRef, Mention, Source, Tagger, TaggerConfig};

/// Options of the `entities` stage.
#[derive(Debug, Clone, Deserialize, Serialize, docpipe_core::Options)]
#[serde(deny_unknown_fields, default)]
pub struct EntitiesOptions {
    /// Annotation layer to write the entity spans to.
    pub layer: String,
    /// Labels to output (OntoNotes names: PERSON, NORP, FAC, ORG, GPE, LOC, EVENT, LAW, DATE, TIME, PERCENT,
    /// MONEY, QUANTITY, ORDINAL, CARDINAL); empty means all.
    pub labels: Vec<String>,
    /// Layer 1: numeric and temporal patterns (dates, weekdays, times, money, percentages, quantities,
    /// ordinals, cardinals).
    pub patterns: bool,
    /// Layer 2: the built-in gazetteers (countries and short forms, capitals and large cities, US states,
    /// first-level regions of every country, demonyms and groups, international organisations, companies,
    /// media, agencies, intelligence services, rights groups, movements and parties, given names; sources in
    /// the crate's data/SOURCES.md).
    pub builtin_gazetteers: bool,
    /// Extra gazetteer files, TSV lines `surface<TAB>LABEL<TAB>canonical` (canonical optional, `#` comments);
    /// they override built-in entries with the same surface. Relative paths resolve against the config file.
    pub gazetteers: Vec<String>,
    /// Layer 3: context rules: titles before names (`Foreign Minister X`, `Dr. X`), speech verbs (`X said`,
    /// `told X`), role nouns, organisation, facility, place, event and law head words (`Ministry of …`, `…
    /// Council`, `… Airport`, `Lake …`, `… Act`), all-caps datelines and acronym definitions (`… (ECHR)`).
    pub context: bool,
    /// Layer 4: capitalised sequences with no other evidence: two or three rare capitalised words are a PERSON,
    /// initials before a surname a PERSON, a stand-alone acronym an ORG.
    pub capitalised: bool,
    /// Layer 5: within a document, surnames and short forms resolve to the full name (`Keller` → `Anna Keller`,
    /// `Karoo Platinum` → `Karoo Platinum Resources`) and acronyms to the organisation they abbreviate.
    pub aliases: bool,
    /// Across the corpus, merge spelling and transliteration variants of a name (`Mohammad Rezaei` / `Mohammed
    /// Rezaie`) under the first one's `entity_id` and `canonical`; the merges are listed in the index
    /// (`variants`).
    pub merge_variants: bool,
    /// Jaro-Winkler threshold (0-1) for merging variants; candidates must also have the same label, word count
    /// and consonant skeleton word by word.
    pub similarity: f64,
    /// If set, write a JSONL entity index at the end of the run: entity_id, canonical, label, aliases, variants
    /// (merged names), documents, mentions. Written atomically; relative paths resolve against the run's output
    /// directory.
    pub index: Option<String>,
    /// Copy the covered text into each span's `text`.
    pub text: bool,
}

impl Default for EntitiesOptions {
    fn default() -> Self {
        EntitiesOptions {
            layer: "entities".into(),
            labels: Vec::new(),
            patterns: true,
            builtin_gazetteers: true,
            gazetteers: Vec::new(),
            context: true,
            capitalised: true,
            aliases: true,
            merge_variants: true,
            similarity: 0.85,
            index: None,
            text: true,
        }
    }
}

/// The stage.
#[derive(Debug)]
pub struct Entities {
    tagger: Tagger,
    layer: String,
    text: bool,
    table: Option<corpus::AliasTable>,
    index: Option<PathBuf>,
    seq: u64,
}

impl Entities {
    /// Builds the stage from a tagger and options (paths already resolved).
    pub fn new(tagger: Tagger, options: &EntitiesOptions, index: Option<PathBuf>) -> Self {
        let table = (options.merge_variants || index.is_some())
            .then(|| corpus::AliasTable::new(options.merge_variants, options.similarity));
        Entities { tagger, layer: options.layer.clone(), text: options.text, table, index, seq: 0 }
    }

    /// Tags one document in place (the parallel part).
    pub fn annotate(&self, doc: &mut Document) {
        let mentions = self.tagger.tag(&doc.text);
        let spans = mentions
            .into_iter()
            .map(|m| {
                let mut span = Span::new(m.start, m.end).with_label(m.label.as_str());
                if self.text {
                    span.text = Some(doc.text[m.start..m.end].to_owned());
                }
                span.fields.insert("canonical".into(), Value::String(m.canonical.clone()));
                span.fields.insert("entity_id".into(), Value::String(corpus::entity_id(m.label, &m.canonical)));
                span.fields.insert("source".into(), Value::String(m.source.as_str().into()));
                span
            })
            .collect();
        doc.set_layer(self.layer.clone(), spans);
    }
}

impl OrderedStage for Entities {
    fn prepare(&self, doc: &mut Document) -> Result<(), StageError> {
        self.annotate(doc);
        Ok(())
    }

    fn process(&mut self, mut doc: Document) -> Result<Outcome, StageError> {
        let Some(table) = self.table.as_mut() else { return Ok(Outcome::Keep(doc)) };
        let seq = self.seq;
        self.seq += 1;
        if let Some(spans) = doc.annotations.get_mut(&self.layer) {
            for span in spans.iter_mut() {
                let Some(label) = span.label.as_deref().and_then(Label::parse) else { continue };
                if !label.is_name() {
                    continue;
                }
                let Some(Value::String(canonical)) = span.fields.get("canonical") else { continue };
                let surface = doc.text.get(span.start..span.end).unwrap_or("");
                let (id, canon) = table.resolve(label, canonical, surface, seq);
                let (id, canon) = (id.to_owned(), canon.to_owned());
                span.fields.insert("canonical".into(), Value::String(canon));
                span.fields.insert("entity_id".into(), Value::String(id));
            }
        }
        Ok(Outcome::Keep(doc))
    }

    fn finish(&mut self) -> Result<Vec<Document>, StageError> {
        let (Some(path), Some(table)) = (&self.index, &self.table) else { return Ok(Vec::new()) };
        let mut out = AtomicFile::create(path)
            .map_err(|e| StageError::with_source(format!("cannot create entity index {}", path.display()), e))?;
        let mut merged = 0usize;
        for e in table.entities() {
            merged += e.variants.len();
            let rec = serde_json::json!({
                "entity_id": e.id,
                "canonical": e.canonical,
                "label": e.label.as_str(),
                "aliases": e.aliases,
                "variants": e.variants,
                "documents": e.documents,
                "mentions": e.mentions,
            });
            serde_json::to_writer(&mut out, &rec)
                .map_err(|e| StageError::with_source("cannot write entity index", e))?;
            out.write_all(b"\n")?;
        }
        out.commit()?;
        tracing::info!(entities = table.entities().len(), merged, path = %path.display(), "wrote entity index");
        Ok(Vec::new())
    }
}

fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
    let opts: EntitiesOptions = options.deserialize()?;
    let mut labels = Vec::new();
    for l in &opts.labels {
        match Label::parse(l) {
            Some(label) => labels.push(label),
            None => {
                let names: Vec<&str> = ALL_LABELS.iter().map(|l| l.as_str()).collect();
                return Err(options.error(
                    "labels",
                    format!(
                        "unknown label `{l}`{}; expected some of {}",
                        docpipe_core::config::did_you_mean(l, &names),
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    if labels.is_empty() {
        labels = ALL_LABELS.to_vec();
    }
    if !(0.0..=1.0).contains(&opts.similarity) {
        return Err(options.error("similarity", "must be between 0 and 1"));
    }
    if opts.layer.is_empty() {
        return Err(options.error("layer", "must not be empty"));
    }
    let cfg = TaggerConfig {
        labels,
        patterns: opts.patterns,
        gazetteers: opts.builtin_gazetteers || !opts.gazetteers.is_empty(),
        context: opts.context,
        capitalised: opts.capitalised,
        aliases: opts.aliases,
    };
    let gaz = if opts.gazetteers.is_empty() && opts.builtin_gazetteers {
        GazRef::Builtin(Gazetteer::builtin())
    } else {
        let mut b = if opts.builtin_gazetteers { GazetteerBuilder::with_builtin() } else { GazetteerBuilder::new() };
        for file in &opts.gazetteers {
            let path = options.resolve_path(file);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| options.error("gazetteers", format!("cannot read {}: {e}", path.display())))?;
            b.add_tsv(&text).map_err(|e| options.error("gazetteers", format!("{}: {e}", path.display())))?;
        }
        GazRef::Owned(Arc::new(b.build()))
    };
    let index = opts.index.as_deref().map(|p| options.resolve_output_path(p));
    Ok(Stage::Ordered(Box::new(Entities::new(Tagger::new(gaz, cfg), &opts, index))))
}

docpipe_core::register_stage! {
    name: "entities",
    summary: "Tag people, organisations, places, groups, dates and amounts, with aliases resolved across the corpus",
    description: "A rule cascade (patterns, gazetteers in one Aho-Corasick automaton, context rules, capitalised sequences, in-document aliases) writes spans with `label`, `text`, `canonical`, `entity_id` and `source` to `annotations.entities`. Spelling variants merge under one `entity_id` across the corpus; `index` writes the entity table.",
    kind: Ordered,
    options: EntitiesOptions,
    example: r#"[[stage]]
type = "entities"
labels = ["PERSON", "ORG", "GPE", "LOC", "NORP", "DATE", "MONEY"]
merge_variants = true
similarity = 0.85
"#,
    build: build,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(snippet: &str) -> Result<Stage, BuildError> {
        let opts = StageOptions::parse_snippet(snippet, std::path::Path::new(".")).unwrap();
        build(&opts)
    }

    #[test]
    fn rejects_unknown_options_and_labels() {
        let err = stage("lables = [\"PERSON\"]\n").unwrap_err();
        assert!(err.message().contains("did you mean `labels`"), "{}", err.message());
        let err = stage("labels = [\"PERSN\"]\n").unwrap_err();
        assert!(err.message().contains("PERSON"), "{}", err.message());
        let err = stage("similarity = 2.0\n").unwrap_err();
        assert!(err.message().contains("between 0 and 1"), "{}", err.message());
    }
}
