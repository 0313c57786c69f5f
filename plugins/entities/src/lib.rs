//! The `entities` stage: a fast, deterministic named-entity tagger (rules, then a small learned
//! re-labeller).
//!
//! Writes `annotations.<layer>` (default `entities`): spans with `label` (OntoNotes names:
//! PERSON, NORP, FAC, ORG, GPE, LOC, EVENT, LAW, DATE, TIME, PERCENT, MONEY, QUANTITY,
//! ORDINAL, CARDINAL), `text`, and the fields `canonical` (the entity's full name),
//! `entity_id` (stable across runs with the same config) and `source` (the rule family that
//! decided: `pattern`, `gazetteer`, `name-list`, `context`, `acronym`, `alias`, `shape`, or
//! `model` where the re-labeller changed the rules' label or labelled a run they left).
//!
//! The cascade ([`tagger`]) runs per document in the parallel `prepare` step of an ordered
//! stage: numeric and temporal [`patterns`], [`gazetteer`]s compiled into one Aho-Corasick
//! automaton, context rules over capitalised sequences, in-document alias resolution, and the
//! learned re-labeller ([`relabel`]: an averaged perceptron trained on spaCy silver labels,
//! weights in `data/relabel.tsv`) for the names decided on weak evidence.
//! The sequential `process` step keeps the corpus [`corpus::AliasTable`]: it merges spelling
//! variants of a name under one `entity_id` and, with `index = "path"`, writes a JSONL index
//! of every entity at the end. Each layer can be turned off.
//!
//! `process` is the stage's sharding hooks in a row ([`docpipe_core::sharding`]): the key of
//! a document is its name spans as the table needs them ([`NameKey`], in span order; empty
//! when nothing is merged nor indexed), the decision is the `(entity_id, canonical)` of each
//! (the table lookups, in global input order), and applying it writes them into the spans.
//! The index is written by `finish`, in the process that decides.
//!
//! Time is linear in the document's size (one line of 10, 40 and 160 MiB tags at the same
//! MB/s, `cargo xtask bench --rows "single document"`); memory is about 15 bytes per byte of
//! the largest document in flight (tokens, the per-token gazetteer matches, the spans).

pub mod corpus;
pub mod gazetteer;
pub mod patterns;
pub mod relabel;
pub mod tagger;
pub mod tokens;
mod words;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use docpipe_core::output::AtomicFile;
use docpipe_core::sharding::{DynShardedStage, ShardedStage, process_with_hooks};
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
    /// Layer 6: a learned re-labeller (an averaged perceptron trained on silver labels of spaCy
    /// `en_core_web_md` over real news and encyclopedia text) gives the names the rules found on
    /// weak evidence (shape, given name, alias) and the capitalised runs they left unlabelled
    /// their final label (span `source` `model` where it changed one); `false` keeps the rules'
    /// labels only.
    pub model: bool,
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
            model: true,
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
                // A name's id comes from the corpus table when there is one (`apply` writes it
                // in this place); the others' ids, and every id without a table, from here.
                let id = if self.table.is_some() && m.label.is_name() {
                    Value::Null
                } else {
                    Value::String(corpus::entity_id(m.label, &m.canonical))
                };
                span.fields.insert("canonical".into(), Value::String(m.canonical));
                span.fields.insert("entity_id".into(), id);
                span.fields.insert("source".into(), Value::String(m.source.as_str().into()));
                span
            })
            .collect();
        doc.set_layer(self.layer.clone(), spans);
    }
}

impl OrderedStage for Entities {
    /// Nothing: `prepare` writes the entity layer on the document itself.
    type Prepared = ();

    fn prepare(&self, doc: &mut Document) -> Result<(), StageError> {
        self.annotate(doc);
        Ok(())
    }

    fn process(&mut self, doc: Document, (): ()) -> Result<Outcome, StageError> {
        process_with_hooks(self, doc, ())
    }

    fn sharded(&self) -> Option<&dyn DynShardedStage> {
        Some(self)
    }

    fn sharded_mut(&mut self) -> Option<&mut dyn DynShardedStage> {
        Some(self)
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

/// One name span as the corpus table needs it: the sharding key of a document is these, in
/// span order. In JSON an array, `[label, canonical]`, or `[label, canonical, surface]` when
/// the covered text differs from the canonical name: the keys of the whole corpus cross to
/// one process (as objects they would be about a third larger).
#[derive(Debug, Clone, PartialEq)]
pub struct NameKey {
    /// The span's label (a name label: [`Label::is_name`]).
    pub label: Label,
    /// The span's `canonical` field.
    pub canonical: String,
    /// The covered text, when it differs from `canonical` (it mostly does not).
    pub surface: Option<String>,
}

impl Serialize for NameKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.surface {
            None => (self.label, &self.canonical).serialize(serializer),
            Some(surface) => (self.label, &self.canonical, surface).serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for NameKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, IgnoredAny, SeqAccess, Visitor};
        struct Elements;
        impl<'de> Visitor<'de> for Elements {
            type Value = NameKey;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("[label, canonical] or [label, canonical, surface]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NameKey, A::Error> {
                let label = seq.next_element()?.ok_or_else(|| Error::invalid_length(0, &self))?;
                let canonical = seq.next_element()?.ok_or_else(|| Error::invalid_length(1, &self))?;
                let surface = seq.next_element()?;
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(Error::invalid_length(4, &self));
                }
                Ok(NameKey { label, canonical, surface })
            }
        }
        deserializer.deserialize_seq(Elements)
    }
}

/// The label and canonical name of a span that the corpus table resolves (a name with a
/// `canonical` string), `None` for other spans. `key` and `apply` walk the same spans.
fn name_of(span: &Span) -> Option<(Label, &str)> {
    let label = span.label.as_deref().and_then(Label::parse).filter(|l| l.is_name())?;
    match span.fields.get("canonical") {
        Some(Value::String(canonical)) => Some((label, canonical)),
        _ => None,
    }
}

impl ShardedStage for Entities {
    /// The document's name spans, in order; empty when the stage keeps no table (no
    /// `merge_variants`, no `index`), so that case costs nothing.
    type Key = Vec<NameKey>;
    /// `(entity_id, canonical)` for each name span of the key, in order; `None` when the
    /// stage keeps no table (the spans keep what `prepare` wrote).
    type Decision = Option<Vec<(String, String)>>;

    fn key(&self, doc: &Document, (): ()) -> Result<Vec<NameKey>, StageError> {
        // Whether there is a table is configuration, the same in every instance.
        if self.table.is_none() {
            return Ok(Vec::new());
        }
        let Some(spans) = doc.annotations.get(&self.layer) else { return Ok(Vec::new()) };
        Ok(spans
            .iter()
            .filter_map(|span| {
                let (label, canonical) = name_of(span)?;
                let surface = doc.text.get(span.start..span.end).unwrap_or("");
                let surface = (surface != canonical).then(|| surface.to_owned());
                Some(NameKey { label, canonical: canonical.to_owned(), surface })
            })
            .collect())
    }

    fn decide(&mut self, names: Vec<NameKey>) -> Result<Option<Vec<(String, String)>>, StageError> {
        let Some(table) = self.table.as_mut() else {
            if names.is_empty() {
                return Ok(None);
            }
            return Err(StageError::new(
                "entity names to resolve, but this stage keeps no entity table (keys from another configuration)",
            ));
        };
        // One document number per document, with or without names.
        let seq = self.seq;
        self.seq += 1;
        Ok(Some(
            names
                .iter()
                .map(|n| {
                    let surface = n.surface.as_deref().unwrap_or(&n.canonical);
                    let (id, canonical) = table.resolve(n.label, &n.canonical, surface, seq);
                    (id.to_owned(), canonical.to_owned())
                })
                .collect(),
        ))
    }

    fn apply(&self, mut doc: Document, decision: Option<Vec<(String, String)>>) -> Result<Outcome, StageError> {
        let Some(resolved) = decision else { return Ok(Outcome::Keep(doc)) };
        let expected = resolved.len();
        let mut resolved = resolved.into_iter();
        let mut names = 0usize;
        if let Some(spans) = doc.annotations.get_mut(&self.layer) {
            for span in spans.iter_mut() {
                if name_of(span).is_none() {
                    continue;
                }
                names += 1;
                let Some((id, canonical)) = resolved.next() else { continue };
                // In place: the keys are there already (written by `prepare`).
                for (key, value) in [("canonical", canonical), ("entity_id", id)] {
                    match span.fields.get_mut(key) {
                        Some(slot) => *slot = Value::String(value),
                        None => {
                            span.fields.insert(key.into(), Value::String(value));
                        }
                    }
                }
            }
        }
        if names != expected {
            return Err(StageError::new(format!(
                "document `{}` has {names} name spans in `{}` but its entity decision resolves {expected}",
                doc.id, self.layer
            )));
        }
        Ok(Outcome::Keep(doc))
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
        model: opts.model,
    };
    let gaz = if opts.gazetteers.is_empty() && opts.builtin_gazetteers {
        GazRef::Builtin
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
    description: "A rule cascade (patterns, gazetteers in one Aho-Corasick automaton, context rules, capitalised sequences, in-document aliases) and a learned re-labeller for the names found on weak evidence write spans with `label`, `text`, `canonical`, `entity_id` and `source` to `annotations.entities`. Spelling variants merge under one `entity_id` across the corpus; `index` writes the entity table.",
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
    use docpipe_core::DynOrderedStage;
    use proptest::prelude::*;

    fn stage(snippet: &str) -> Result<Stage, BuildError> {
        let opts = StageOptions::parse_snippet(snippet, std::path::Path::new(".")).unwrap();
        build(&opts)
    }

    /// The stage built from `snippet`, writing its outputs under `dir`.
    fn ordered(snippet: &str, dir: &std::path::Path) -> Box<dyn DynOrderedStage> {
        let opts = StageOptions::parse_snippet(snippet, dir).unwrap();
        match build(&opts).unwrap() {
            Stage::Ordered(s) => s,
            other => panic!("not ordered: {other:?}"),
        }
    }

    /// Names first seen in one document and spelt otherwise in a later one, the same name
    /// spelt two ways in one document, acronyms (merge only within a document), diacritics,
    /// surnames (surface differs from canonical), and documents without names.
    const SEQUENCE: &[&str] = &[
        "Mohammad Rezaei said the deal with the Bank of Ghana was done in Kraków on Monday.",
        "no names here at all, only 200 words.",
        "Mohammed Rezaie said it was not. Rezaie told reporters in Krakow that UID was wrong.",
        "Saeed al-Harthi met Anna Keller. Keller said the UUID rules were fine.",
        "",
        "Said Al Harthy and Saeed al-Harthi, the same man, flew to Nairobi. MOHAMMAD REZAEI and MOHAMMED REZAIE too.",
        "Foreign Minister Maria Keller told Anna Keller that the Bank of Ghana and Mohamad Rezaei agreed.",
        "NAIROBI (Coastline Wire) - Said al Harthi said no. UID and UUID are two ids.",
    ];

    fn document(i: usize) -> Document {
        Document::from_source(format!("d{i}"), SEQUENCE[i].to_owned(), "f.txt", 0)
    }

    fn kept(out: Outcome) -> String {
        match out {
            Outcome::Keep(d) => serde_json::to_string(&d).unwrap(),
            other => panic!("unexpected outcome {other:?}"),
        }
    }

    /// What a run leaves: the documents as JSON, the index file's bytes, the counters.
    type Run = (Vec<String>, Option<Vec<u8>>, Vec<(String, u64)>);

    fn index_of(dir: &std::path::Path) -> Option<Vec<u8>> {
        std::fs::read(dir.join("index.jsonl")).ok()
    }

    /// `process` on one instance.
    fn single(snippet: &str) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let mut stage = ordered(snippet, dir.path());
        let docs = (0..SEQUENCE.len())
            .map(|i| {
                let mut d = document(i);
                let p = stage.prepare(&mut d).unwrap();
                kept(stage.process(d, p).unwrap())
            })
            .collect();
        assert!(stage.finish().unwrap().is_empty());
        (docs, index_of(dir.path()), stage.counters())
    }

    /// The sequence cut into shards at `cuts`: each shard prepares and keys on its own
    /// instance, the keys cross as JSON text to one resolver that decides in input order, and
    /// the decisions cross back as JSON text to yet another instance per shard that applies
    /// them. Only the resolver is finished; the shard instances must leave no file.
    fn sharded(snippet: &str, cuts: &[usize]) -> Run {
        let mut bounds = vec![0];
        bounds.extend(cuts.iter().map(|&c| c.min(SEQUENCE.len())));
        bounds.push(SEQUENCE.len());
        bounds.sort_unstable();
        let shard_dir = tempfile::tempdir().unwrap();
        let mut keyed = Vec::new();
        for w in bounds.windows(2) {
            let keyer = ordered(snippet, shard_dir.path());
            for i in w[0]..w[1] {
                let mut d = document(i);
                let p = keyer.prepare(&mut d).unwrap();
                let key = keyer.sharded().unwrap().key_json(&d, p).unwrap();
                keyed.push((d, serde_json::to_string(&key).unwrap()));
            }
        }
        let resolver_dir = tempfile::tempdir().unwrap();
        let mut resolver = ordered(snippet, resolver_dir.path());
        let decided: Vec<(Document, String)> = keyed
            .into_iter()
            .map(|(d, key)| {
                let decision =
                    resolver.sharded_mut().unwrap().decide_json(serde_json::from_str(&key).unwrap()).unwrap();
                (d, serde_json::to_string(&decision).unwrap())
            })
            .collect();
        assert!(resolver.finish().unwrap().is_empty());
        let mut decided = decided.into_iter();
        let mut docs = Vec::new();
        for w in bounds.windows(2) {
            let applier = ordered(snippet, shard_dir.path());
            for (d, decision) in decided.by_ref().take(w[1] - w[0]) {
                let out = applier.sharded().unwrap().apply_json(d, serde_json::from_str(&decision).unwrap()).unwrap();
                docs.push(kept(out));
            }
        }
        assert_eq!(std::fs::read_dir(shard_dir.path()).unwrap().count(), 0, "a shard instance wrote a file");
        (docs, index_of(resolver_dir.path()), resolver.counters())
    }

    #[test]
    fn the_sequence_exercises_merges() {
        let (docs, index, _) = single("index = \"index.jsonl\"\n");
        let index = String::from_utf8(index.unwrap()).unwrap();
        assert!(index.contains("\"variants\":[\"Mohammed Rezaie\"]"), "{index}");
        assert!(index.contains("Said Al Harthy"), "{index}");
        assert!(docs[2].contains("\"canonical\":\"Mohammad Rezaei\""), "{}", docs[2]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Any cut of the sequence into shards gives the documents, index and counters of
        /// `process`, with merging and index, index only, merging only, or neither.
        #[test]
        fn hooks_across_shards_give_what_process_gives(
            cuts in prop::collection::vec(0..=SEQUENCE.len(), 0..4),
            config in 0..4usize,
        ) {
            let snippet = [
                "index = \"index.jsonl\"\n",
                "index = \"index.jsonl\"\nmerge_variants = false\n",
                "",
                "merge_variants = false\n",
            ][config];
            prop_assert_eq!(single(snippet), sharded(snippet, &cuts));
        }
    }

    #[test]
    fn name_keys_are_short_arrays() {
        let same = NameKey { label: Label::Person, canonical: "Anna Keller".into(), surface: None };
        let other = NameKey { surface: Some("Keller".into()), ..same.clone() };
        assert_eq!(serde_json::to_string(&same).unwrap(), r#"["PERSON","Anna Keller"]"#);
        assert_eq!(serde_json::to_string(&other).unwrap(), r#"["PERSON","Anna Keller","Keller"]"#);
        for key in [same, other] {
            let json = serde_json::to_value(&key).unwrap();
            assert_eq!(serde_json::from_value::<NameKey>(json).unwrap(), key);
        }
        for bad in [r#"["PERSON"]"#, r#"["PERSON","a","b","c"]"#, r#"["NOPE","a"]"#, r#"{"l":"PERSON","c":"a"}"#] {
            assert!(serde_json::from_str::<NameKey>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_decision_for_other_spans_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let stage = ordered("", dir.path());
        let mut d = document(0);
        let p = stage.prepare(&mut d).unwrap();
        let hooks = stage.sharded().unwrap();
        let key = hooks.key_json(&d, p).unwrap();
        let names = key.as_array().unwrap().len();
        assert!(names >= 3, "{key}");
        let short = serde_json::json!([["E0000000000000000", "Someone"]]);
        let err = hooks.apply_json(d.clone(), short).unwrap_err();
        assert!(err.to_string().contains(&format!("has {names} name spans")), "{err}");
        let long = serde_json::Value::Array(vec![serde_json::json!(["E1", "x"]); names + 1]);
        assert!(hooks.apply_json(d.clone(), long).is_err());
        // Keys from a configuration that keeps a table, decided by one that does not.
        let mut plain = ordered("merge_variants = false\n", dir.path());
        let err = plain.sharded_mut().unwrap().decide_json(key).unwrap_err();
        assert!(err.to_string().contains("no entity table"), "{err}");
        // Without a table, keys are empty and nothing is decided.
        let mut d = document(0);
        let p = plain.prepare(&mut d).unwrap();
        let key = plain.sharded().unwrap().key_json(&d, p).unwrap();
        assert_eq!(key, serde_json::json!([]));
        assert_eq!(plain.sharded_mut().unwrap().decide_json(key).unwrap(), serde_json::Value::Null);
    }

    #[test]
    fn model_option_turns_the_relabeller_off() {
        let dir = tempfile::tempdir().unwrap();
        let run = |snippet: &str| {
            let mut stage = ordered(snippet, dir.path());
            let mut d = Document::from_source("q", "The Qarvell Dynamics board met on Monday.".to_owned(), "f.txt", 0);
            let p = stage.prepare(&mut d).unwrap();
            kept(stage.process(d, p).unwrap())
        };
        assert!(run("type = \"entities\"").contains("\"model\""));
        assert!(!run("type = \"entities\"\nmodel = false").contains("\"model\""));
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
