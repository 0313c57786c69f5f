//! Scores the entity tagger against the gold entities of the sample corpus.
//!
//! `cargo run --release -p docpipe-entities --example eval [-- --errors dev|test] [-- --json-only]`
//!
//! Reads `tests/corpus/gold/articles.json`, tags each article's text (re-publications,
//! `copy_of` set, are skipped so no text is counted twice), and reports precision, recall
//! and F1 per label over exact (start, end, label) mentions, for the dev and test splits
//! separately, plus the micro F1 over PERSON, ORG, GPE+LOC and NORP (GPE and LOC count as
//! one label there, as in the issue's target), then single-threaded throughput. The last
//! line is one JSON object with every figure. `--errors dev` prints the misses and false
//! alarms of the dev split (for tuning; never tune on test).

// An evaluation tool, not library code: failing loudly on a broken corpus is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use docpipe_entities::{Tagger, TaggerConfig};
use serde_json::{Value, json};

const LABELS: &[&str] = &[
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "EVENT", "LAW", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY",
    "ORDINAL", "CARDINAL",
];
const TARGET: &[&str] = &["PERSON", "ORG", "GPE+LOC", "NORP"];

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn p(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn r(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    fn f(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

struct Article {
    id: String,
    split: String,
    text: String,
    gold: Vec<(usize, usize, String)>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load() -> Vec<Article> {
    let corpus = root().join("tests/corpus");
    let gold: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("gold/articles.json")).unwrap()).unwrap();
    let jsonl: Vec<Value> = std::fs::read_to_string(corpus.join("articles.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut out = Vec::new();
    for a in gold["articles"].as_array().unwrap() {
        if !a["copy_of"].is_null() {
            continue;
        }
        let (start, end) = (a["start"].as_u64().unwrap() as usize, a["end"].as_u64().unwrap() as usize);
        let (text, base) = if a["kind"] == "jsonl" {
            let rec = &jsonl[a["record"].as_u64().unwrap() as usize];
            (rec["text"].as_str().unwrap().to_owned(), 0)
        } else {
            let bytes = std::fs::read(corpus.join(a["file"].as_str().unwrap())).unwrap();
            (String::from_utf8(bytes[start..end].to_vec()).unwrap(), start)
        };
        let gold = a["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let s = e["start"].as_u64().unwrap() as usize - base;
                let t = e["end"].as_u64().unwrap() as usize - base;
                (s, t, e["label"].as_str().unwrap().to_owned())
            })
            .collect();
        out.push(Article {
            id: a["id"].as_str().unwrap().to_owned(),
            split: a["split"].as_str().unwrap().to_owned(),
            text,
            gold,
        });
    }
    out
}

fn target_label(l: &str) -> Option<&'static str> {
    match l {
        "PERSON" => Some("PERSON"),
        "ORG" => Some("ORG"),
        "GPE" | "LOC" => Some("GPE+LOC"),
        "NORP" => Some("NORP"),
        _ => None,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let errors = args.iter().position(|a| a == "--errors").and_then(|i| args.get(i + 1)).cloned();
    let json_only = args.iter().any(|a| a == "--json-only");
    let articles = load();
    let tagger = Tagger::builtin(TaggerConfig::default());
    let mut report = serde_json::Map::new();
    for split in ["dev", "test"] {
        let mut per: BTreeMap<&str, Counts> = LABELS.iter().map(|l| (*l, Counts::default())).collect();
        let mut target = Counts::default();
        let mut all = Counts::default();
        let mut docs = 0;
        for a in articles.iter().filter(|a| a.split == split) {
            docs += 1;
            let pred: BTreeSet<(usize, usize, String)> =
                tagger.tag(&a.text).into_iter().map(|m| (m.start, m.end, m.label.as_str().to_owned())).collect();
            let gold: BTreeSet<(usize, usize, String)> = a.gold.iter().cloned().collect();
            for g in &gold {
                let c = per.entry(LABELS.iter().find(|l| **l == g.2).copied().unwrap_or("CARDINAL")).or_default();
                if pred.contains(g) {
                    c.tp += 1;
                    all.tp += 1;
                } else {
                    c.fn_ += 1;
                    all.fn_ += 1;
                    if errors.as_deref() == Some(split) {
                        println!("MISS {:<9} {:?}  [{}]", g.2, &a.text[g.0..g.1], a.id);
                    }
                }
            }
            for p in &pred {
                if !gold.contains(p) {
                    if let Some(c) = per.get_mut(p.2.as_str()) {
                        c.fp += 1;
                    }
                    all.fp += 1;
                    if errors.as_deref() == Some(split) {
                        println!("FALSE {:<8} {:?}  [{}]", p.2, &a.text[p.0..p.1], a.id);
                    }
                }
            }
            // Target micro F1 with GPE and LOC merged.
            let tg: BTreeSet<(usize, usize, &str)> =
                gold.iter().filter_map(|g| target_label(&g.2).map(|l| (g.0, g.1, l))).collect();
            let tp: BTreeSet<(usize, usize, &str)> =
                pred.iter().filter_map(|g| target_label(&g.2).map(|l| (g.0, g.1, l))).collect();
            target.tp += tg.intersection(&tp).count();
            target.fn_ += tg.difference(&tp).count();
            target.fp += tp.difference(&tg).count();
        }
        if !json_only {
            println!("\n== {split} split: {docs} articles (re-publications skipped) ==");
            println!("{:<10} {:>6} {:>6} {:>6} {:>6}", "label", "P", "R", "F1", "gold");
            for (l, c) in &per {
                println!("{:<10} {:>6.3} {:>6.3} {:>6.3} {:>6}", l, c.p(), c.r(), c.f(), c.tp + c.fn_);
            }
            println!("{:<10} {:>6.3} {:>6.3} {:>6.3} {:>6}", "all", all.p(), all.r(), all.f(), all.tp + all.fn_);
            println!(
                "{:<10} {:>6.3} {:>6.3} {:>6.3} {:>6}   <- target: PERSON, ORG, GPE+LOC, NORP",
                "target",
                target.p(),
                target.r(),
                target.f(),
                target.tp + target.fn_
            );
        }
        let labels: serde_json::Map<String, Value> = per
            .iter()
            .map(|(l, c)| {
                (
                    (*l).to_owned(),
                    json!({"p": round(c.p()), "r": round(c.r()), "f1": round(c.f()), "gold": c.tp + c.fn_}),
                )
            })
            .collect();
        report.insert(
            split.to_owned(),
            json!({
                "articles": docs,
                "target_micro": {"p": round(target.p()), "r": round(target.r()), "f1": round(target.f()), "labels": TARGET},
                "all_micro": {"p": round(all.p()), "r": round(all.r()), "f1": round(all.f())},
                "labels": labels,
            }),
        );
    }
    // Throughput: single thread, whole sample corpus text, repeated.
    let text: String = articles.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join("\n");
    let bytes = text.len();
    let _ = tagger.tag(&text);
    let mut reps = 0usize;
    let t0 = Instant::now();
    while t0.elapsed().as_secs_f64() < 2.0 {
        std::hint::black_box(tagger.tag(std::hint::black_box(&text)));
        reps += 1;
    }
    let secs = t0.elapsed().as_secs_f64();
    let mbs = (bytes * reps) as f64 / secs / 1e6;
    // A larger generated input: the corpus repeated with varied names, as separate documents.
    let big: Vec<String> =
        (0..200).map(|i| text.replace("Kenya", if i % 2 == 0 { "Kenya" } else { "Tanzania" })).collect();
    let big_bytes: usize = big.iter().map(String::len).sum();
    let t1 = Instant::now();
    for doc in &big {
        std::hint::black_box(tagger.tag(doc));
    }
    let big_mbs = big_bytes as f64 / t1.elapsed().as_secs_f64() / 1e6;
    if !json_only {
        println!(
            "\nthroughput (1 thread): {mbs:.2} MB/s on the sample corpus ({bytes} bytes x {reps}); {big_mbs:.2} MB/s on {:.1} MB generated",
            big_bytes as f64 / 1e6
        );
    }
    report.insert("throughput_mb_s".into(), json!(round(mbs)));
    report.insert("throughput_generated_mb_s".into(), json!(round(big_mbs)));
    report.insert("bytes".into(), json!(bytes));
    println!("{}", Value::Object(report));
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
