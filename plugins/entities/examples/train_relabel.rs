//! Trains the entity tagger's re-labeller (`src/relabel.rs`) and writes `data/relabel.tsv`.
//!
//! `cargo run --release -p docpipe-entities --example train_relabel -- SILVER.jsonl [--out FILE] [--epochs N]`
//!
//! `SILVER.jsonl` comes from `eval/silver.py` (one record per text: `text` and `ents`, silver
//! spaCy `en_core_web_md` entities as `[start byte, end byte, label]`); `cargo xtask
//! retrain-entities` runs both. For each text the rule cascade's candidates are extracted with
//! the same features the tagger uses at run time; a candidate's target is the label of the
//! silver entity with exactly its span (labels other than the eight name labels, and no
//! entity, are "no entity"). It prints the accuracy on a held-out tenth of the texts (chosen
//! by a hash of the record id), then trains on every text and writes the weights.
//! Deterministic: the same silver file gives the same weights.

// A training tool, not library code: failing loudly on a broken input is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::PathBuf;

use docpipe_entities::relabel::{CLASSES, Example, Model, class_of, train};
use docpipe_entities::{Label, Tagger, TaggerConfig};
use docpipe_text::hash::fnv1a;
use serde_json::Value;

const SCALE: f64 = 100.0;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut silver: Option<PathBuf> = None;
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/relabel.tsv");
    let mut epochs = 10usize;
    let mut skip_fold: Option<u64> = None;
    let mut repeat_folded = 3usize;
    let mut min_weight = 30i32;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = PathBuf::from(args.next().expect("--out FILE")),
            "--epochs" => epochs = args.next().expect("--epochs N").parse().expect("a number"),
            "--skip-fold" => skip_fold = Some(args.next().expect("--skip-fold K").parse().expect("a number")),
            "--min-weight" => min_weight = args.next().expect("--min-weight W").parse().expect("a number"),
            "--repeat-folded" => repeat_folded = args.next().expect("--repeat-folded N").parse().expect("a number"),
            _ => silver = Some(PathBuf::from(a)),
        }
    }
    let silver = silver.expect("usage: train_relabel SILVER.jsonl [--out FILE] [--epochs N]");
    let tagger = Tagger::builtin(TaggerConfig { model: false, ..TaggerConfig::default() });
    let mut train_set = Vec::new();
    let mut held_out = Vec::new();
    let mut texts = 0usize;
    let mut bytes = 0usize;
    let mut silver_names = 0usize;
    let mut matched = 0usize;
    for line in std::fs::read_to_string(&silver).expect("read the silver file").lines() {
        let rec: Value = serde_json::from_str(line).expect("a JSON record");
        let id = rec["id"].as_str().unwrap_or("");
        let text = rec["text"].as_str().expect("text");
        let fold = rec["fold"].as_u64();
        if fold.is_some() && fold == skip_fold {
            continue;
        }
        let copies = if fold.is_some() { repeat_folded } else { 1 };
        texts += 1;
        bytes += text.len();
        let mut gold: HashMap<(usize, usize), Option<Label>> = HashMap::new();
        for e in rec["ents"].as_array().expect("ents") {
            let (a, b) = (e[0].as_u64().unwrap() as usize, e[1].as_u64().unwrap() as usize);
            let label = Label::parse(e[2].as_str().unwrap_or(""));
            let label = label.filter(|l| class_of(Some(*l)).is_some());
            if label.is_some() {
                silver_names += 1;
            }
            gold.insert((a, b), label);
        }
        let dest = if fnv1a(id.as_bytes()).is_multiple_of(10) { &mut held_out } else { &mut train_set };
        for (a, b, rule, feats) in tagger.relabel_candidates(text) {
            let target = gold.get(&(a, b)).copied().flatten();
            if target.is_some() {
                matched += 1;
            }
            for _ in 0..copies {
                dest.push(Example { feats: feats.clone(), rule, target: class_of(target).unwrap_or(0) });
            }
        }
    }
    eprintln!(
        "{texts} texts, {:.2} MB, {silver_names} silver name spans, {} candidates ({matched} with a silver span)",
        bytes as f64 / 1e6,
        train_set.len() + held_out.len()
    );
    let rule_acc = |set: &[Example]| {
        set.iter().filter(|x| class_of(x.rule).unwrap_or(0) == x.target).count() as f64 / set.len().max(1) as f64
    };
    let model = train(&train_set, epochs, SCALE, min_weight);
    let acc = held_out.iter().filter(|x| class_of(model.predict(&x.feats, x.rule)).unwrap_or(0) == x.target).count()
        as f64
        / held_out.len().max(1) as f64;
    eprintln!(
        "held-out tenth: {} candidates, rule labels right {:.3}, model {:.3}",
        held_out.len(),
        rule_acc(&held_out),
        acc
    );
    train_set.extend(held_out);
    let model: Model = train(&train_set, epochs, SCALE, min_weight);
    let classes: Vec<&str> = CLASSES.iter().map(|c| c.map_or("none", |l| l.as_str())).collect();
    let header = format!(
        "Weights of the entity re-labeller (src/relabel.rs); generated, do not edit.\n\
         Retrain: cargo xtask retrain-entities (eval/silver.py, then examples/train_relabel.rs).\n\
         Trained on {texts} texts ({:.2} MB; sources in data/SOURCES.md) labelled by spaCy en_core_web_md 3.8.0,\n\
         {} candidates, {epochs} epochs, weights x{SCALE}. Columns: feature hash (FNV-1a, hex), class:weight.\n\
         Classes: {}",
        bytes as f64 / 1e6,
        train_set.len(),
        classes.iter().enumerate().map(|(i, c)| format!("{i}={c}")).collect::<Vec<_>>().join(" ")
    );
    std::fs::write(&out, model.to_tsv(&header)).expect("write the weights");
    eprintln!("{} features -> {}", model.len(), out.display());
}
