//! The stage's sharding hooks (issue 16): `process` split into [`ShardedStage::key`] (on
//! the shards, in parallel), [`ShardedStage::decide`] (one process, global input order: the
//! index, the totals, the report) and [`ShardedStage::apply`] (on the shards, no index
//! state). A single run calls the three in a row
//! ([`docpipe_core::sharding::process_with_hooks`], without JSON in between), so a sharded
//! run and a single run are one implementation and give the same bytes.
//!
//! What crosses processes:
//! - a [`Key`]: the document id and text length, the units that are compared (`min_words`
//!   or more) with their fingerprints and signatures, and, for `action = "drop"` at
//!   paragraph or sentence level, the range each unit's cut would delete
//!   ([`text::cut_range`] depends only on the text and the unit list) and whether cutting
//!   every unit would leave nothing but whitespace. Never the text;
//! - a [`Decision`]: keep, mark, cut these merged ranges, or drop with this detail. The
//!   report lines, the index ids and the totals are `decide`'s alone.
//!
//! Why [`Key::fills`] tells `decide` exactly whether the cuts leave a blank text (which
//! `process` used to find out by rewriting it): units are sorted, disjoint, trimmed and
//! non-empty ([`text::units`]), and a unit's cut is the unit plus ASCII whitespace that
//! never reaches into a neighbouring unit ([`text::cut_range`]). So a non-whitespace
//! character survives unless it lies in a unit that is cut: the text left is blank exactly
//! when every unit is compared and cut and the text between units is whitespace.
//! [`ShardedStage::apply`] checks it again when it rewrites, and refuses a cut that would
//! leave a blank document.

use docpipe_core::align::Rewriter;
use docpipe_core::sharding::ShardedStage;
use docpipe_core::{Document, Outcome, Span, StageError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tracing::debug;

use crate::index::{Index, UnitSig};
use crate::text::{self, Level};
use crate::{Action, Dedupe, Scope, round4};

/// What [`ShardedStage::decide`] needs of one document (compact: no text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Key {
    /// The document id (report lines, index ids).
    pub id: String,
    /// The text length in bytes (`bytes` of a document-level report line).
    pub len: usize,
    /// The units compared (`min_words` or more words), in text order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<UnitSig>,
    /// `action = "drop"` at paragraph or sentence level only: for each of `units`, the byte
    /// range its cut deletes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cuts: Vec<(usize, usize)>,
    /// `action = "drop"` at paragraph or sentence level only: cutting every unit of `units`
    /// leaves only whitespace (every unit of the text is compared, and the text between
    /// units is whitespace).
    #[serde(default, skip_serializing_if = "is_false")]
    pub fills: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// What [`ShardedStage::apply`] does to the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// No duplicate: the document goes on unchanged (with `action = "mark"`, without the
    /// `dedupe` attribute or `duplicates` layer an earlier run may have left).
    Keep,
    /// Document level, `mark`: the `dedupe` attribute.
    Mark(Repeat),
    /// Paragraph or sentence level, `mark`: the spans of the `duplicates` layer.
    Layer(Vec<UnitRepeat>),
    /// Paragraph or sentence level, `drop`: the sorted, merged byte ranges to delete, and
    /// the number of repeated units they hold.
    Cut {
        /// Ranges of the text to delete.
        cuts: Vec<(usize, usize)>,
        /// Units cut (`attributes.dedupe.removed`).
        removed: usize,
    },
    /// Dropped with reason `duplicate` and this detail for the sinks (a duplicate document,
    /// or one whose every unit repeats earlier ones).
    Drop(Value),
}

/// The earlier unit a duplicate repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repeat {
    /// The id of the earlier (kept) unit.
    pub duplicate_of: String,
    /// The similarity to it, rounded to 4 decimals.
    pub similarity: f64,
    /// The id of the earliest unit of its cluster.
    pub cluster: String,
}

/// A repeated paragraph or sentence (`duplicates` layer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitRepeat {
    /// Start of the unit in the text.
    pub start: usize,
    /// End of the unit.
    pub end: usize,
    /// What it repeats.
    #[serde(flatten)]
    pub repeat: Repeat,
}

/// One duplicate unit found in a document.
struct Dup {
    /// Its position in [`Key::units`].
    unit: usize,
    start: usize,
    end: usize,
    entry: u32,
    similarity: f64,
    cluster: u32,
}

impl Dedupe {
    /// The [`Repeat`] of a duplicate, with the ids of its entries.
    fn repeat(&self, d: &Dup) -> Repeat {
        Repeat {
            duplicate_of: self.index.id(d.entry).to_owned(),
            similarity: round4(d.similarity),
            cluster: self.index.id(d.cluster).to_owned(),
        }
    }

    /// [`ShardedStage::decide`] against the index in `self.index`.
    fn decide_units(&mut self, key: Key) -> Result<Decision, StageError> {
        let Key { id, len, units, cuts: unit_cuts, fills } = key;
        let index = &mut self.index;
        let (threshold, min_words) = (self.config.threshold, self.config.min_words.max(1));
        let mut dups: Vec<Dup> = Vec::new();
        let mut new_entries: Vec<(usize, usize)> = Vec::new();
        // Units indexed for this document, by entry number: (unit, marked as a repeat).
        let first_entry = index.entries();
        let mut own: Vec<(usize, bool)> = Vec::new();
        for (i, u) in units.iter().enumerate() {
            if u.words < min_words {
                continue;
            }
            self.totals.units += 1;
            match index.query(u, threshold) {
                Some(found) => {
                    for &e in &found.all {
                        index.union(found.entry, e);
                    }
                    let cluster = index.find(found.entry);
                    dups.push(Dup {
                        unit: i,
                        start: u.start,
                        end: u.end,
                        entry: found.entry,
                        similarity: found.similarity,
                        cluster,
                    });
                }
                None => {
                    // Containment both ways: an earlier, shorter unit of this document that
                    // lies inside this one (a pull quote printed before its paragraph) is the
                    // repeat, and this unit its original.
                    let earlier = index.contained_in(u, threshold, first_entry);
                    let e = index.insert(u);
                    new_entries.push((u.start, u.end));
                    own.push((i, false));
                    for (q, share) in earlier {
                        let Some(slot) = own.get_mut((q - first_entry) as usize) else { continue };
                        if slot.1 {
                            continue;
                        }
                        slot.1 = true;
                        index.union(e, q);
                        let cluster = index.find(e);
                        let r = &units[slot.0];
                        dups.push(Dup {
                            unit: slot.0,
                            start: r.start,
                            end: r.end,
                            entry: e,
                            similarity: share,
                            cluster,
                        });
                    }
                }
            }
        }
        // Reverse-containment repeats were found after later units: restore text order.
        dups.sort_by_key(|d| (d.start, d.end));
        self.totals.duplicates += dups.len() as u64;
        self.totals.duplicate_bytes += dups.iter().map(|d| (d.end - d.start) as u64).sum::<u64>();
        let level = self.config.level;
        if level == Level::Document {
            for _ in &new_entries {
                index.push_id(&id);
            }
            let Some(d) = dups.first() else { return Ok(Decision::Keep) };
            let repeat = self.repeat(d);
            let record = json!({
                "id": id, "level": level.name(), "bytes": len,
                "duplicate_of": repeat.duplicate_of, "cluster": repeat.cluster, "similarity": repeat.similarity,
                "action": self.action_name(),
            });
            self.write_report(&record)?;
            debug!(%id, duplicate_of = %record["duplicate_of"], "duplicate document");
            return Ok(match self.config.action {
                Action::Drop => {
                    self.totals.documents_dropped += 1;
                    // What the report records, for the sinks after this stage.
                    Decision::Drop(json!({
                        "level": level.name(), "duplicate_of": repeat.duplicate_of,
                        "similarity": repeat.similarity, "cluster": repeat.cluster,
                    }))
                }
                Action::Mark => Decision::Mark(repeat),
            });
        }

        // Paragraph or sentence level.
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        if self.config.action == Action::Drop {
            cuts.reserve(dups.len());
            for d in &dups {
                let Some(&(s, e)) = unit_cuts.get(d.unit) else {
                    return Err(StageError::new(format!(
                        "the dedupe key of {id} has no cut range for unit {} (made with other options?)",
                        d.unit
                    )));
                };
                match cuts.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => cuts.push((s, e)),
                }
            }
        }
        // Offsets in the output text: kept units never overlap a cut.
        let shift = |p: usize| -> usize { p - cuts.iter().take_while(|c| c.1 <= p).map(|c| c.1 - c.0).sum::<usize>() };
        for &(s, e) in &new_entries {
            index.push_id(&format!("{id}#{}-{}", shift(s), shift(e)));
        }
        if dups.is_empty() {
            return Ok(Decision::Keep);
        }
        let mut repeats = Vec::with_capacity(dups.len());
        for d in &dups {
            let repeat = self.repeat(d);
            let record = json!({
                "id": id, "level": level.name(), "start": d.start, "end": d.end, "bytes": d.end - d.start,
                "duplicate_of": repeat.duplicate_of, "cluster": repeat.cluster, "similarity": repeat.similarity,
                "action": self.action_name(),
            });
            self.write_report(&record)?;
            repeats.push(UnitRepeat { start: d.start, end: d.end, repeat });
        }
        match self.config.action {
            Action::Mark => Ok(Decision::Layer(repeats)),
            Action::Drop if fills && dups.len() == units.len() => {
                self.totals.documents_dropped += 1;
                // Every unit repeated earlier ones: the first stands for the document, the
                // report's record of each unit is in `units`.
                let detail: Vec<Value> = repeats
                    .iter()
                    .map(|r| {
                        json!({
                            "start": r.start, "end": r.end, "duplicate_of": r.repeat.duplicate_of,
                            "similarity": r.repeat.similarity, "cluster": r.repeat.cluster,
                        })
                    })
                    .collect();
                let first = &repeats[0].repeat;
                Ok(Decision::Drop(json!({
                    "level": level.name(), "duplicate_of": first.duplicate_of,
                    "similarity": first.similarity, "cluster": first.cluster, "units": detail,
                })))
            }
            Action::Drop => Ok(Decision::Cut { cuts, removed: dups.len() }),
        }
    }
}

/// Whether the text before, between and after `units` is nothing but whitespace (false
/// when the units are not sorted and disjoint).
fn blank_between(text: &str, units: &[UnitSig]) -> bool {
    let blank = |gap: Option<&str>| gap.is_some_and(|g| g.chars().all(char::is_whitespace));
    let mut pos = 0;
    for u in units {
        if !blank(text.get(pos..u.start)) {
            return false;
        }
        pos = u.end;
    }
    blank(text.get(pos..))
}

/// Whether byte ranges fit `text`: in order, disjoint, inside it, on char boundaries.
fn ranges_fit(text: &str, ranges: impl IntoIterator<Item = (usize, usize)>, disjoint: bool) -> bool {
    let mut pos = 0;
    ranges.into_iter().all(|(s, e)| {
        let ok = (!disjoint || s >= pos) && s <= e && text.is_char_boundary(s) && text.is_char_boundary(e);
        pos = e;
        ok
    })
}

impl ShardedStage for Dedupe {
    type Key = Key;
    type Decision = Decision;

    fn key(&self, doc: &Document, sigs: Vec<UnitSig>) -> Result<Key, StageError> {
        let level = self.config.level;
        let min_words = self.config.min_words.max(1);
        let all_compared = sigs.iter().all(|u| u.words >= min_words);
        let (mut cuts, mut fills) = (Vec::new(), false);
        if self.config.action == Action::Drop && level != Level::Document {
            cuts = sigs
                .iter()
                .filter(|u| u.words >= min_words)
                .map(|u| {
                    let i = sigs.partition_point(|n| n.start < u.start);
                    let prev_end = if i == 0 { 0 } else { sigs[i - 1].end };
                    let next_start = sigs.get(i + 1).map_or(doc.text.len(), |n| n.start);
                    text::cut_range(&doc.text, level, (u.start, u.end), prev_end, next_start)
                })
                .collect();
            fills = all_compared && blank_between(&doc.text, &sigs);
        }
        let units = if all_compared { sigs } else { sigs.into_iter().filter(|u| u.words >= min_words).collect() };
        Ok(Key { id: doc.id.clone(), len: doc.text.len(), units, cuts, fills })
    }

    fn decide(&mut self, key: Key) -> Result<Decision, StageError> {
        if self.config.scope == Scope::Corpus {
            return self.decide_units(key);
        }
        let fresh = Index::new(self.config.params(), self.config.bands, self.config.rows);
        let corpus = std::mem::replace(&mut self.index, fresh);
        let result = self.decide_units(key);
        self.index = corpus;
        result
    }

    fn apply(&self, mut doc: Document, decision: Decision) -> Result<Outcome, StageError> {
        let level = self.config.level;
        let misfit = |doc: &Document| {
            StageError::new(format!("a dedupe decision that does not fit document {} (made for another?)", doc.id))
        };
        match decision {
            Decision::Keep => {
                if self.config.action == Action::Mark {
                    if level == Level::Document {
                        doc.attributes.remove("dedupe");
                    } else {
                        doc.annotations.remove("duplicates");
                    }
                }
                Ok(Outcome::Keep(doc))
            }
            Decision::Drop(detail) => Ok(Outcome::drop_with("duplicate", detail)),
            Decision::Mark(r) => {
                let info = json!({ "duplicate_of": r.duplicate_of, "similarity": r.similarity, "cluster": r.cluster });
                doc.attributes.insert("dedupe".into(), info);
                Ok(Outcome::Keep(doc))
            }
            Decision::Layer(repeats) => {
                if !ranges_fit(&doc.text, repeats.iter().map(|r| (r.start, r.end)), false) {
                    return Err(misfit(&doc));
                }
                let spans = repeats
                    .into_iter()
                    .map(|r| {
                        let mut fields = Map::new();
                        fields.insert("duplicate_of".into(), r.repeat.duplicate_of.into());
                        fields.insert("similarity".into(), r.repeat.similarity.into());
                        fields.insert("cluster".into(), r.repeat.cluster.into());
                        let mut span = Span::new(r.start, r.end).with_label(level.name());
                        span.fields = fields;
                        span
                    })
                    .collect();
                doc.set_layer("duplicates", spans);
                Ok(Outcome::Keep(doc))
            }
            Decision::Cut { cuts, removed } => {
                if !ranges_fit(&doc.text, cuts.iter().copied(), true) {
                    return Err(misfit(&doc));
                }
                let removed_bytes: usize = cuts.iter().map(|c| c.1 - c.0).sum();
                // Spans lying wholly inside a cut go with it (they would collapse to nothing).
                for layer in doc.annotations.values_mut() {
                    layer.retain(|s| !cuts.iter().any(|c| c.0 <= s.start && s.end <= c.1 && c.0 < c.1));
                }
                doc.annotations.retain(|_, spans| !spans.is_empty());
                let mut rw = Rewriter::new(&doc.text);
                for &(s, e) in &cuts {
                    rw.delete(s, e);
                }
                let (new_text, edits) = rw.finish();
                if new_text.trim().is_empty() {
                    // `decide` drops such a document (see the module doc): the decision was
                    // made for another text.
                    return Err(misfit(&doc));
                }
                doc.apply_rewrite(new_text, edits);
                doc.attributes.insert("dedupe".into(), json!({ "removed": removed, "removed_bytes": removed_bytes }));
                Ok(Outcome::Keep(doc))
            }
        }
    }
}
