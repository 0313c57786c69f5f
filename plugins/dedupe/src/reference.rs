//! The stage's `process` as it was before the sharding hooks (issue 16), kept verbatim as
//! the oracle the hooks are checked against: `process` (key, decide, apply) must give the
//! same outcomes, report, index and totals on any input.

use super::*;
use docpipe_core::align::Rewriter;
use serde_json::{Map, json};
use tracing::debug;

/// One duplicate unit found in a document.
struct Dup {
    start: usize,
    end: usize,
    entry: u32,
    similarity: f64,
    cluster: u32,
}

pub fn process(st: &mut Dedupe, doc: Document, sigs: Vec<UnitSig>) -> Result<Outcome, StageError> {
    if st.config.scope == Scope::Corpus {
        return dedupe_units(st, doc, sigs);
    }
    let fresh = Index::new(st.config.params(), st.config.bands, st.config.rows);
    let corpus = std::mem::replace(&mut st.index, fresh);
    let result = dedupe_units(st, doc, sigs);
    st.index = corpus;
    result
}

fn dedupe_units(st: &mut Dedupe, mut doc: Document, sigs: Vec<UnitSig>) -> Result<Outcome, StageError> {
    let index = &mut st.index;
    let (threshold, min_words) = (st.config.threshold, st.config.min_words.max(1));
    let mut dups: Vec<Dup> = Vec::new();
    let mut new_entries: Vec<(usize, usize)> = Vec::new();
    // Entries added for this document, by entry number: (start, end, marked as a repeat).
    let first_entry = index.entries();
    let mut own: Vec<(usize, usize, bool)> = Vec::new();
    for u in &sigs {
        if u.words < min_words {
            continue;
        }
        st.totals.units += 1;
        match index.query(u, threshold) {
            Some(found) => {
                for &e in &found.all {
                    index.union(found.entry, e);
                }
                let cluster = index.find(found.entry);
                dups.push(Dup {
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
                own.push((u.start, u.end, false));
                for (q, share) in earlier {
                    let Some(slot) = own.get_mut((q - first_entry) as usize) else { continue };
                    if slot.2 {
                        continue;
                    }
                    slot.2 = true;
                    index.union(e, q);
                    let cluster = index.find(e);
                    dups.push(Dup { start: slot.0, end: slot.1, entry: e, similarity: share, cluster });
                }
            }
        }
    }
    // Reverse-containment repeats were found after later units: restore text order.
    dups.sort_by_key(|d| (d.start, d.end));
    st.totals.duplicates += dups.len() as u64;
    st.totals.duplicate_bytes += dups.iter().map(|d| (d.end - d.start) as u64).sum::<u64>();
    let level = st.config.level;
    if level == Level::Document {
        for _ in &new_entries {
            index.push_id(&doc.id);
        }
        let Some(d) = dups.first() else {
            if st.config.action == Action::Mark {
                doc.attributes.remove("dedupe");
            }
            return Ok(Outcome::Keep(doc));
        };
        let index = &st.index;
        let info = json!({
            "duplicate_of": index.id(d.entry),
            "similarity": round4(d.similarity),
            "cluster": index.id(d.cluster),
        });
        let record = json!({
            "id": doc.id, "level": level.name(), "bytes": doc.text.len(),
            "duplicate_of": info["duplicate_of"], "cluster": info["cluster"], "similarity": info["similarity"],
            "action": st.action_name(),
        });
        st.write_report(&record)?;
        debug!(id = %doc.id, duplicate_of = %info["duplicate_of"], "duplicate document");
        return Ok(match st.config.action {
            Action::Drop => {
                st.totals.documents_dropped += 1;
                // What the report records, for the sinks after this stage.
                Outcome::drop_with(
                    "duplicate",
                    json!({
                        "level": level.name(), "duplicate_of": info["duplicate_of"],
                        "similarity": info["similarity"], "cluster": info["cluster"],
                    }),
                )
            }
            Action::Mark => {
                doc.attributes.insert("dedupe".into(), info);
                Outcome::Keep(doc)
            }
        });
    }

    // Paragraph or sentence level.
    let cuts: Vec<(usize, usize)> = if st.config.action == Action::Drop {
        let all: Vec<(usize, usize)> = sigs.iter().map(|u| (u.start, u.end)).collect();
        let mut cuts: Vec<(usize, usize)> = Vec::with_capacity(dups.len());
        for d in &dups {
            let i = all.partition_point(|&(s, _)| s < d.start);
            let prev_end = if i == 0 { 0 } else { all[i - 1].1 };
            let next_start = all.get(i + 1).map_or(doc.text.len(), |n| n.0);
            let (s, e) = text::cut_range(&doc.text, level, (d.start, d.end), prev_end, next_start);
            match cuts.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => cuts.push((s, e)),
            }
        }
        cuts
    } else {
        Vec::new()
    };
    // Offsets in the output text: kept units never overlap a cut.
    let shift = |p: usize| -> usize { p - cuts.iter().take_while(|c| c.1 <= p).map(|c| c.1 - c.0).sum::<usize>() };
    let unit_id = |doc_id: &str, s: usize, e: usize| format!("{doc_id}#{}-{}", shift(s), shift(e));
    for &(s, e) in &new_entries {
        index.push_id(&unit_id(&doc.id, s, e));
    }
    let index = &st.index;
    if dups.is_empty() {
        if st.config.action == Action::Mark {
            doc.annotations.remove("duplicates");
        }
        return Ok(Outcome::Keep(doc));
    }
    let mut spans = Vec::with_capacity(dups.len());
    let mut records = Vec::with_capacity(dups.len());
    for d in &dups {
        let mut fields = Map::new();
        fields.insert("duplicate_of".into(), index.id(d.entry).into());
        fields.insert("similarity".into(), round4(d.similarity).into());
        fields.insert("cluster".into(), index.id(d.cluster).into());
        records.push(json!({
            "id": doc.id, "level": level.name(), "start": d.start, "end": d.end, "bytes": d.end - d.start,
            "duplicate_of": fields["duplicate_of"], "cluster": fields["cluster"], "similarity": fields["similarity"],
            "action": st.action_name(),
        }));
        let mut span = docpipe_core::Span::new(d.start, d.end).with_label(level.name());
        span.fields = fields;
        spans.push(span);
    }
    for r in &records {
        st.write_report(r)?;
    }
    match st.config.action {
        Action::Mark => {
            doc.set_layer("duplicates", spans);
            Ok(Outcome::Keep(doc))
        }
        Action::Drop => {
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
                st.totals.documents_dropped += 1;
                // Every unit repeated earlier ones: the first stands for the document, the
                // report's record of each unit is in `units`.
                let units: Vec<Value> = records
                    .iter()
                    .map(|r| {
                        json!({
                            "start": r["start"], "end": r["end"], "duplicate_of": r["duplicate_of"],
                            "similarity": r["similarity"], "cluster": r["cluster"],
                        })
                    })
                    .collect();
                let first = |k: &str| records.first().map_or(Value::Null, |r| r[k].clone());
                return Ok(Outcome::drop_with(
                    "duplicate",
                    json!({
                        "level": level.name(), "duplicate_of": first("duplicate_of"),
                        "similarity": first("similarity"), "cluster": first("cluster"), "units": units,
                    }),
                ));
            }
            doc.apply_rewrite(new_text, edits);
            doc.attributes.insert("dedupe".into(), json!({ "removed": dups.len(), "removed_bytes": removed_bytes }));
            Ok(Outcome::Keep(doc))
        }
    }
}
