//! The `summarise` stage: extractive summaries of each document, and of groups of documents,
//! within a budget.
//!
//! For every document the stage finds the candidate sentences ([`text::candidates`]: the
//! splitter's `annotations.sentences` and `annotations.blocks` when present, else its own
//! sentence rule and line heuristics, skipping datelines, headlines, bylines and other
//! non-body lines), scores them with the chosen method ([`rank`]), picks sentences by MMR
//! until the budget is spent, and writes them back in document order:
//!
//! - `attributes.summary = {"text", "method", "sentences": [{"start", "end"}]}` (byte
//!   offsets into the document's text);
//! - an `annotations.summary` span layer over the same sentences (with `rank`, the order in
//!   which they were chosen), so reports can highlight them.
//!
//! With `group_by`, documents sharing a key (a metadata or attribute field, or their top
//! entities) are summarised together as well: the stage is an [`OrderedStage`] whose
//! parallel `prepare` does all per-document work, whose `process` only remembers each
//! member's best few sentences (bounded memory per document), and whose `finish` emits one
//! extra document per group, in order of each group's first member. Near-identical sentences
//! from different outlets are never both chosen.
//!
//! `process` is the stage's sharding hooks in a row ([`docpipe_core::sharding`]): the key of
//! a grouped document is its id and [`GroupData`] ([`MemberKey`]), deciding records it in its
//! group (in global input order), and applying keeps the document. The group summaries are
//! emitted by `finish`, in the process that decides.

pub mod rank;
pub mod text;

use std::collections::HashMap;

use docpipe_core::registry::{AttrField, AttrType, AttributeDecl};
use docpipe_core::sharding::{DynShardedStage, ShardedStage, process_with_hooks};
use docpipe_core::{BuildError, Document, OrderedStage, Outcome, Source, Span, Stage, StageError, StageOptions};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub use rank::{Budget, Method};

/// Options of the `summarise` stage.
#[derive(Debug, Clone, Deserialize, Serialize, docpipe_core::Options)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// `news`: LexRank-style centrality (TF-IDF cosine, PageRank) mixed with a position prior; `lead`: the
    /// first body sentences; `textrank`: word-overlap graph and PageRank; `lexrank`: TF-IDF cosine graph (edges
    /// at similarity >= 0.1) and PageRank; `centroid`: similarity to the TF-IDF centroid.
    pub method: Method,
    /// At most this many sentences per summary (0: no sentence limit). Every budget that is set applies; the
    /// tightest wins.
    pub sentences: usize,
    /// At most this many whitespace-separated words per summary (0: no word limit). Sentences that would
    /// overflow it are skipped, never cut, so the summary can be shorter or empty.
    pub words: usize,
    /// At most this fraction of the candidate sentences, rounded up, at least one (0: off).
    pub ratio: f64,
    /// Maximal marginal relevance: 0 picks by score alone, 1 by novelty (dissimilarity to what is already
    /// chosen) alone.
    pub diversity: f64,
    /// A sentence at least this similar (TF-IDF cosine) to a chosen one is never chosen: near-identical
    /// sentences from a pull quote or from another outlet's copy appear once.
    pub max_similarity: f64,
    /// `news` method: weight of the position prior (about 1 over a lead window of seven sentences, a little
    /// more for the first, falling to 0.3 after it) against centrality (0: centrality only, 1: position only).
    pub position_weight: f64,
    /// Sentences with fewer words are passed over while longer ones remain (short quotes and fragments make
    /// poor summaries).
    pub min_words: usize,
    /// Bounds graph work: above this many candidates only the ones closest to the TF-IDF centroid enter the
    /// sentence graph, so long documents stay O(n).
    pub max_graph_sentences: usize,
    /// Also summarise groups of documents: `metadata.KEY` or `attributes.STAGE.KEY` (dotted path; e.g.
    /// `metadata.story`, `attributes.dedupe.cluster`) or `entities` (documents whose top entities from
    /// `annotations.entities` are the same). One extra document per group is emitted at the end, with
    /// `attributes.summary.members`. Empty: off.
    pub group_by: String,
    /// Groups with fewer members get no group summary.
    pub group_min_members: usize,
    /// With `group_by = "entities"`: how many most-mentioned names (PERSON, ORG, GPE, LOC, NORP, FAC, EVENT,
    /// LAW; by `entity_id`, else `canonical`, else text) form the group key.
    pub group_top_entities: usize,
    /// How many of its best-scoring sentences each member keeps for its group summary (bounds memory: the stage
    /// holds only these until the end).
    pub group_candidates: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            method: Method::News,
            sentences: 3,
            words: 0,
            ratio: 0.0,
            diversity: 0.3,
            max_similarity: 0.6,
            position_weight: 0.5,
            min_words: 6,
            max_graph_sentences: 300,
            group_by: String::new(),
            group_min_members: 2,
            group_top_entities: 2,
            group_candidates: 10,
        }
    }
}

/// What documents are grouped by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// A field of `metadata` or `attributes`, by path (`metadata.story`).
    Field {
        /// `metadata` or `attributes`.
        root: String,
        /// The keys below the root.
        path: Vec<String>,
    },
    /// The document's top entities (`annotations.entities`).
    Entities,
}

impl GroupBy {
    /// Parses `group_by`.
    pub fn parse(s: &str) -> Result<GroupBy, String> {
        if s == "entities" || s == "annotations.entities" {
            return Ok(GroupBy::Entities);
        }
        let mut parts = s.split('.');
        let root = parts.next().unwrap_or_default();
        let path: Vec<String> = parts.map(str::to_owned).collect();
        if !matches!(root, "metadata" | "attributes") || path.is_empty() || path.iter().any(String::is_empty) {
            return Err(format!(
                "`{s}` is not a field: write `metadata.KEY`, `attributes.STAGE.KEY` (dotted path) or `entities`"
            ));
        }
        Ok(GroupBy::Field { root: root.to_owned(), path })
    }
}

/// Entity labels that can name what a story is about.
const NAME_LABELS: &[&str] = &["PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "LAW"];

/// The group key of a document, if it has one.
fn group_key(doc: &Document, by: &GroupBy, top: usize) -> Option<String> {
    match by {
        GroupBy::Field { root, path } => {
            let map = if root == "metadata" { &doc.metadata } else { &doc.attributes };
            let mut v = map.get(path.first()?)?;
            for k in &path[1..] {
                v = v.get(k)?;
            }
            match v {
                Value::Null => None,
                Value::String(s) if s.is_empty() => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            }
        }
        GroupBy::Entities => {
            let spans = doc.annotations.get("entities")?;
            // name -> (mentions, first position)
            let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
            for (i, s) in spans.iter().enumerate() {
                if !s.label.as_deref().is_some_and(|l| NAME_LABELS.contains(&l)) {
                    continue;
                }
                let name = match s.fields.get("entity_id").or_else(|| s.fields.get("canonical")) {
                    Some(Value::String(v)) => v.clone(),
                    Some(v @ Value::Number(_)) => v.to_string(),
                    _ => match &s.text {
                        Some(t) => t.clone(),
                        None => doc.text.get(s.start..s.end)?.to_owned(),
                    },
                };
                counts.entry(name).or_insert((0, i)).0 += 1;
            }
            let mut ranked: Vec<(String, (usize, usize))> = counts.into_iter().collect();
            ranked.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
            let mut names: Vec<String> = ranked.into_iter().take(top.max(1)).map(|(n, _)| n).collect();
            if names.is_empty() {
                return None;
            }
            names.sort();
            Some(names.join(" | "))
        }
    }
}

/// The summary of one text: chosen sentences in document order.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Chosen sentences as byte ranges, in document order, with the order they were chosen.
    pub sentences: Vec<(usize, usize, usize)>,
    /// The candidate sentences with their scores, in document order.
    pub candidates: Vec<(text::Sentence, f64)>,
}

/// A configured summariser (the stage without its group state).
#[derive(Debug, Clone)]
pub struct Summariser {
    options: Options,
    group_by: Option<GroupBy>,
    tuning: rank::Tuning,
}

impl Summariser {
    /// Builds a summariser; errors name the offending option.
    pub fn new(options: Options) -> Result<Summariser, (&'static str, String)> {
        for (name, v) in [
            ("ratio", options.ratio),
            ("diversity", options.diversity),
            ("max_similarity", options.max_similarity),
            ("position_weight", options.position_weight),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err((name, format!("must be between 0 and 1, got {v}")));
            }
        }
        if options.max_graph_sentences < 2 {
            return Err(("max_graph_sentences", "must be at least 2".into()));
        }
        let group_by = if options.group_by.is_empty() {
            None
        } else {
            Some(GroupBy::parse(&options.group_by).map_err(|e| ("group_by", e))?)
        };
        Ok(Summariser { options, group_by, tuning: rank::Tuning::default() })
    }

    /// Replaces the internal constants of the `news` method (for tuning on training data).
    pub fn with_tuning(mut self, tuning: rank::Tuning) -> Summariser {
        self.tuning = tuning;
        self
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    fn params(&self) -> rank::Params {
        rank::Params {
            method: self.options.method,
            position_weight: self.options.position_weight,
            max_graph: self.options.max_graph_sentences,
            tuning: self.tuning,
        }
    }

    fn selection(&self) -> rank::Selection {
        rank::Selection {
            diversity: self.options.diversity,
            min_words: self.options.min_words,
            duplicate_similarity: self.options.max_similarity as f32,
        }
    }

    /// The budget for `n` candidate sentences.
    pub fn budget(&self, n: usize) -> Budget {
        let o = &self.options;
        let mut sentences = (o.sentences > 0).then_some(o.sentences);
        if o.ratio > 0.0 {
            let r = ((o.ratio * n as f64).ceil() as usize).max(1);
            sentences = Some(sentences.map_or(r, |s| s.min(r)));
        }
        Budget { sentences, words: (o.words > 0).then_some(o.words) }
    }

    /// Summarises a text, using the splitter's layers when given.
    pub fn summarise(&self, text: &str, sentences: Option<&[Span]>, blocks: Option<&[Span]>) -> Summary {
        let cands = text::candidates(text, sentences, blocks);
        let texts: Vec<&str> = cands.iter().map(|s| &text[s.start..s.end]).collect();
        let units: Vec<rank::Unit<'_>> =
            texts.iter().enumerate().map(|(i, t)| rank::Unit { text: t, position: i }).collect();
        let v = rank::Vectors::new(&texts);
        let scores = rank::score(&units, &v, &self.params());
        let lead = self.options.method == Method::Lead;
        let chosen = rank::select(&scores, &v, self.budget(cands.len()), &self.selection(), lead);
        let mut sentences: Vec<(usize, usize, usize)> =
            chosen.iter().enumerate().map(|(rank, &i)| (cands[i].start, cands[i].end, rank)).collect();
        sentences.sort_unstable();
        Summary { sentences, candidates: cands.into_iter().zip(scores).collect() }
    }

    /// Summarises `doc` and writes `attributes.summary` and `annotations.summary`. Returns the
    /// summary (for group bookkeeping).
    pub fn summarise_document(&self, doc: &mut Document) -> Summary {
        let summary = self.summarise(
            &doc.text,
            doc.annotations.get("sentences").map(Vec::as_slice),
            doc.annotations.get("blocks").map(Vec::as_slice),
        );
        let text = join(summary.sentences.iter().map(|&(a, b, _)| &doc.text[a..b]));
        let offsets: Vec<Value> = summary.sentences.iter().map(|&(a, b, _)| json!({"start": a, "end": b})).collect();
        let spans = summary
            .sentences
            .iter()
            .map(|&(a, b, rank)| {
                let mut s = Span::new(a, b);
                s.fields.insert("rank".into(), rank.into());
                s
            })
            .collect();
        doc.set_layer("summary", spans);
        doc.attributes.insert(
            "summary".into(),
            json!({"text": text, "method": self.options.method.name(), "sentences": offsets}),
        );
        summary
    }
}

fn join<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let mut s = String::new();
    for p in parts {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(p);
    }
    s
}

/// What `prepare` hands to `process` for a document that belongs to a group: the group key
/// and the member's best few sentences, `(text, start, end, position in the document)` in
/// document order.
#[derive(Debug, Serialize, Deserialize)]
pub struct GroupData {
    key: String,
    sentences: Vec<(String, usize, usize, usize)>,
}

/// The sharding key of a document that belongs to a group: its id and what `prepare` found.
#[derive(Debug, Serialize, Deserialize)]
pub struct MemberKey {
    id: String,
    group: GroupData,
}

/// One member's contribution to its group.
#[derive(Debug)]
struct Member {
    id: String,
    /// `(text, start, end, position in its document)`, in document order.
    sentences: Vec<(String, usize, usize, usize)>,
}

#[derive(Debug)]
struct Group {
    key: String,
    members: Vec<Member>,
}

/// The stage: per-document summaries in `prepare` (parallel), group state in `process`,
/// group summaries in `finish`.
#[derive(Debug)]
pub struct SummariseStage {
    summariser: Summariser,
    groups: Vec<Group>,
    index: HashMap<String, usize>,
}

impl SummariseStage {
    /// Builds the stage.
    pub fn new(summariser: Summariser) -> Self {
        SummariseStage { summariser, groups: Vec::new(), index: HashMap::new() }
    }

    /// The group summary document of one group, if it has enough members.
    fn group_document(&self, group: &Group) -> Option<Document> {
        let o = &self.summariser.options;
        if group.members.len() < o.group_min_members.max(1) {
            return None;
        }
        // (member index, sentence index)
        let refs: Vec<(usize, usize)> = group
            .members
            .iter()
            .enumerate()
            .flat_map(|(m, mem)| (0..mem.sentences.len()).map(move |s| (m, s)))
            .collect();
        let texts: Vec<&str> = refs.iter().map(|&(m, s)| group.members[m].sentences[s].0.as_str()).collect();
        let units: Vec<rank::Unit<'_>> = refs
            .iter()
            .zip(&texts)
            .map(|(&(m, s), t)| rank::Unit { text: t, position: group.members[m].sentences[s].3 })
            .collect();
        let v = rank::Vectors::new(&texts);
        let scores = rank::score(&units, &v, &self.summariser.params());
        let lead = o.method == Method::Lead;
        let mut chosen =
            rank::select(&scores, &v, self.summariser.budget(refs.len()), &self.summariser.selection(), lead);
        chosen.sort_by_key(|&i| (refs[i].0, group.members[refs[i].0].sentences[refs[i].1].1));
        let mut text = String::new();
        let mut spans = Vec::new();
        let mut offsets = Vec::new();
        for &i in &chosen {
            let (m, s) = refs[i];
            let member = &group.members[m];
            let (t, doc_start, doc_end, _) = &member.sentences[s];
            if !text.is_empty() {
                text.push(' ');
            }
            let start = text.len();
            text.push_str(t);
            let end = text.len();
            let mut span = Span::new(start, end);
            span.fields.insert("doc".into(), member.id.clone().into());
            span.fields.insert("doc_start".into(), (*doc_start).into());
            span.fields.insert("doc_end".into(), (*doc_end).into());
            spans.push(span);
            offsets.push(
                json!({"start": start, "end": end, "doc": member.id, "doc_start": doc_start, "doc_end": doc_end}),
            );
        }
        let label = format!("{}={}", o.group_by, group.key);
        let mut doc = Document {
            id: format!("summarise:{label}"),
            source: Source {
                path: format!("summarise:{label}"),
                start: 0,
                end: text.len(),
                line: None,
                edits: Vec::new(),
            },
            text: String::new(),
            parent: None,
            metadata: Map::new(),
            annotations: Default::default(),
            attributes: Map::new(),
        };
        if let Some(GroupBy::Field { root, path }) = &self.summariser.group_by
            && root == "metadata"
            && path.len() == 1
        {
            doc.metadata.insert(path[0].clone(), group.key.clone().into());
        }
        let members: Vec<Value> = group.members.iter().map(|m| Value::from(m.id.clone())).collect();
        doc.attributes.insert(
            "summary".into(),
            json!({
                "text": text,
                "method": o.method.name(),
                "group_by": o.group_by,
                "group": group.key,
                "members": members,
                "sentences": offsets,
            }),
        );
        doc.text = text;
        doc.set_layer("summary", spans);
        Some(doc)
    }
}

impl OrderedStage for SummariseStage {
    /// With `group_by`, the document's group and its best sentences; `None` otherwise or when
    /// the document has no key.
    type Prepared = Option<GroupData>;

    fn prepare(&self, doc: &mut Document) -> Result<Option<GroupData>, StageError> {
        let summary = self.summariser.summarise_document(doc);
        let o = &self.summariser.options;
        let Some(by) = &self.summariser.group_by else { return Ok(None) };
        let Some(key) = group_key(doc, by, o.group_top_entities) else { return Ok(None) };
        // The member's best sentences, in document order, with their positions.
        let mut best: Vec<(usize, &(text::Sentence, f64))> = summary.candidates.iter().enumerate().collect();
        best.sort_by(|a, b| b.1.1.total_cmp(&a.1.1).then(a.0.cmp(&b.0)));
        best.truncate(o.group_candidates.max(1));
        best.sort_by_key(|&(i, _)| i);
        let sentences = best
            .iter()
            .filter_map(|&(i, (s, _))| doc.text.get(s.start..s.end).map(|t| (t.to_owned(), s.start, s.end, i)))
            .collect();
        Ok(Some(GroupData { key, sentences }))
    }

    fn process(&mut self, doc: Document, group: Option<GroupData>) -> Result<Outcome, StageError> {
        process_with_hooks(self, doc, group)
    }

    fn sharded(&self) -> Option<&dyn DynShardedStage> {
        Some(self)
    }

    fn sharded_mut(&mut self) -> Option<&mut dyn DynShardedStage> {
        Some(self)
    }

    fn finish(&mut self) -> Result<Vec<Document>, StageError> {
        let docs: Vec<Document> = self.groups.iter().filter_map(|g| self.group_document(g)).collect();
        tracing::debug!(groups = self.groups.len(), summaries = docs.len(), "group summaries");
        self.groups.clear();
        self.index.clear();
        Ok(docs)
    }
}

impl ShardedStage for SummariseStage {
    /// `None` for a document in no group (no `group_by`, or no key).
    type Key = Option<MemberKey>;
    /// Nothing: the document is kept as `prepare` left it.
    type Decision = ();

    fn key(&self, doc: &Document, group: Option<GroupData>) -> Result<Option<MemberKey>, StageError> {
        Ok(group.map(|group| MemberKey { id: doc.id.clone(), group }))
    }

    fn decide(&mut self, member: Option<MemberKey>) -> Result<(), StageError> {
        let Some(MemberKey { id, group: GroupData { key, sentences } }) = member else { return Ok(()) };
        let g = match self.index.get(&key) {
            Some(&g) => g,
            None => {
                self.groups.push(Group { key: key.clone(), members: Vec::new() });
                self.index.insert(key, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        self.groups[g].members.push(Member { id, sentences });
        Ok(())
    }

    fn apply(&self, doc: Document, (): ()) -> Result<Outcome, StageError> {
        Ok(Outcome::Keep(doc))
    }
}

fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
    let opts: Options = options.deserialize()?;
    let summariser = Summariser::new(opts).map_err(|(key, msg)| options.error(key, msg))?;
    Ok(Stage::Ordered(Box::new(SummariseStage::new(summariser))))
}

docpipe_core::register_stage! {
    name: "summarise",
    summary: "Extractive summaries of each document and of groups of documents, within a sentence or word budget",
    description: "Writes `attributes.summary = {text, method, sentences: [{start, end}]}` and an `annotations.summary` span layer over the chosen sentences, in document order. Uses the splitter's `annotations.sentences` and `annotations.blocks` (only `body` blocks) when present, else its own sentence rule and line heuristics (datelines, headlines, bylines and related links are skipped). With `group_by`, emits one summary document per group at the end of the run (`attributes.summary.members` lists the member ids).",
    kind: Ordered,
    options: Options,
    example: r#"[[stage]]
type = "summarise"
method = "news"
sentences = 3
words = 80
diversity = 0.3
group_by = "metadata.story"
"#,
    build: build,
    attributes: &[AttributeDecl {
        key: "summary",
        doc: "The summary of a document, or of a group (`group_by`).",
        fields: &[
            AttrField { name: "text", ty: AttrType::String, doc: "The summary text." },
            AttrField { name: "method", ty: AttrType::String, doc: "The ranking method used." },
            AttrField { name: "group_by", ty: AttrType::String, doc: "The grouping field (group summaries)." },
            AttrField { name: "group", ty: AttrType::String, doc: "The group's key (group summaries)." },
            AttrField {
                name: "members",
                ty: AttrType::List(&AttrType::String),
                doc: "The ids of the group's documents (group summaries).",
            },
            AttrField {
                name: "sentences",
                ty: AttrType::List(&AttrType::Struct(&[
                    AttrField { name: "start", ty: AttrType::Int, doc: "Byte offset." },
                    AttrField { name: "end", ty: AttrType::Int, doc: "Byte offset (exclusive)." },
                    AttrField { name: "doc", ty: AttrType::String, doc: "The member it comes from (groups)." },
                    AttrField { name: "doc_start", ty: AttrType::Int, doc: "Its offset in that member." },
                    AttrField { name: "doc_end", ty: AttrType::Int, doc: "Its end in that member." },
                ])),
                doc: "Where the chosen sentences are, in the summarised text.",
            },
        ],
    }],
}

#[cfg(test)]
mod tests;
