//! Scores the splitter against the gold of the sample corpus (`tests/corpus/gold/`), dev and
//! test separately: article boundary F1, block-role accuracy, dateline accuracy and sentence
//! F1 (exact spans); also docpipe's own Golden-Rules cases and single-threaded throughput.
//!
//! ```sh
//! cargo run --release -p docpipe-splitter --example eval            # table + one JSON line
//! cargo run --release -p docpipe-splitter --example eval -- --errors dev   # list dev errors
//! ```
// An evaluation tool: a broken gold file should stop it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use docpipe_core::{Document, MapStage, Outcome};
use docpipe_splitter::{Splitter, SplitterOptions, TopicShift, Unit};
use serde_json::Value;

#[derive(Default, Clone, Copy)]
struct Prf {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Prf {
    fn f1(&self) -> f64 {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

#[derive(Default)]
struct Scores {
    boundaries: Prf,
    sentences: Prf,
    roles_ok: usize,
    roles_n: usize,
    datelines_ok: usize,
    datelines_n: usize,
    articles: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show_errors = args.iter().position(|a| a == "--errors").and_then(|i| args.get(i + 1)).cloned();
    // `--topic-shift X`: a fixed threshold instead of the default `auto`.
    let topic = args
        .iter()
        .position(|a| a == "--topic-shift")
        .and_then(|i| args.get(i + 1))
        .map_or(TopicShift::Auto, |v| TopicShift::Threshold(v.parse().unwrap()));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let gold: Value = serde_json::from_str(&std::fs::read_to_string(root.join("gold/articles.json")).unwrap()).unwrap();
    let jsonl: Vec<Value> = std::fs::read_to_string(root.join("articles.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();

    let splitter = Splitter::new(SplitterOptions {
        unit: Unit::Articles,
        emit: docpipe_splitter::Emit::Spans,
        topic_shift: topic,
        ..SplitterOptions::default()
    })
    .unwrap();

    // Group gold articles by document (file, or JSONL record).
    let mut docs: BTreeMap<(String, i64), Vec<&Value>> = BTreeMap::new();
    for a in gold["articles"].as_array().unwrap() {
        let key = (a["file"].as_str().unwrap().to_owned(), a.get("record").and_then(Value::as_i64).unwrap_or(-1));
        docs.entry(key).or_default().push(a);
    }
    let mut scores: HashMap<&str, Scores> = HashMap::new();
    let mut confusion: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for ((file, record), arts) in &docs {
        let text = if *record >= 0 {
            jsonl[*record as usize]["text"].as_str().unwrap().to_owned()
        } else {
            std::fs::read_to_string(root.join(file)).unwrap()
        };
        let doc = Document::from_source(format!("{file}#{record}"), text.clone(), file.clone(), 0);
        let Outcome::Keep(doc) = splitter.process(doc).unwrap() else { panic!("articles as spans keep the document") };
        let (sents, _) = splitter.split_sentences(&doc, true);
        let split_at = |pos: usize| -> &str {
            let a = arts.iter().rev().find(|a| a["start"].as_u64().unwrap() as usize <= pos).unwrap_or(&arts[0]);
            if a["split"] == "dev" { "dev" } else { "test" }
        };
        // Boundaries (internal: the first article of a document is not a decision).
        let gold_b: HashSet<usize> = arts.iter().skip(1).map(|a| a["start"].as_u64().unwrap() as usize).collect();
        let pred_articles = &doc.annotations["articles"];
        let pred_b: HashSet<usize> = pred_articles.iter().skip(1).map(|s| s.start).collect();
        for &b in &gold_b {
            let s = scores.entry(split_at(b)).or_default();
            if pred_b.contains(&b) {
                s.boundaries.tp += 1;
            } else {
                s.boundaries.fn_ += 1;
                if show_errors.as_deref() == Some(split_at(b)) {
                    println!("missed boundary {file}:{b}: {}", first_line(&text, b));
                }
            }
        }
        for &b in &pred_b {
            if !gold_b.contains(&b) {
                scores.entry(split_at(b)).or_default().boundaries.fp += 1;
                if show_errors.as_deref() == Some(split_at(b)) {
                    println!("false boundary {file}:{b}: {}", first_line(&text, b));
                }
            }
        }
        // Roles and datelines.
        let blocks = &doc.annotations["blocks"];
        let role_at: HashMap<usize, &str> = blocks
            .iter()
            .filter(|b| !b.fields.contains_key("inline"))
            .map(|b| (b.start, b.label.as_deref().unwrap_or("")))
            .collect();
        let dl_at: HashMap<usize, usize> =
            blocks.iter().filter(|b| b.label.as_deref() == Some("dateline")).map(|b| (b.start, b.end)).collect();
        for a in arts {
            let split = if a["split"] == "dev" { "dev" } else { "test" };
            let s = scores.entry(split).or_default();
            s.articles += 1;
            for l in a["lines"].as_array().unwrap() {
                let start = l["start"].as_u64().unwrap() as usize;
                let want = l["role"].as_str().unwrap();
                let got = role_at.get(&start).copied().unwrap_or("none");
                s.roles_n += 1;
                if got == want {
                    s.roles_ok += 1;
                } else if show_errors.as_deref() == Some(split) {
                    let end = l["end"].as_u64().unwrap() as usize;
                    println!("role {want} -> {got}: {}", &text[start..end.min(start + 100).min(text.len())]);
                }
                *confusion.entry((split.to_owned(), want.to_owned(), got.to_owned())).or_default() += 1;
            }
            let a0 = a["start"].as_u64().unwrap() as usize;
            let a1 = a["end"].as_u64().unwrap() as usize;
            let want = a["dateline"]
                .as_object()
                .map(|d| (d["start"].as_u64().unwrap() as usize, d["end"].as_u64().unwrap() as usize));
            let got = dl_at.iter().filter(|(s, _)| **s >= a0 && **s < a1).map(|(s, e)| (*s, *e)).min();
            s.datelines_n += 1;
            if want == got {
                s.datelines_ok += 1;
            } else if show_errors.as_deref() == Some(split) {
                println!("dateline {want:?} -> {got:?} in {}", a["id"]);
            }
        }
        // Sentences.
        let gold_s: HashSet<(usize, usize)> = arts
            .iter()
            .flat_map(|a| a["sentences"].as_array().unwrap().iter())
            .map(|s| (s["start"].as_u64().unwrap() as usize, s["end"].as_u64().unwrap() as usize))
            .collect();
        let pred_s: HashSet<(usize, usize)> = sents.iter().copied().collect();
        for &(a, b) in &gold_s {
            let s = scores.entry(split_at(a)).or_default();
            if pred_s.contains(&(a, b)) {
                s.sentences.tp += 1;
            } else {
                s.sentences.fn_ += 1;
                if show_errors.as_deref() == Some(split_at(a)) {
                    println!("missed sentence: {}", &text[a..b]);
                }
            }
        }
        for &(a, b) in &pred_s {
            if !gold_s.contains(&(a, b)) {
                scores.entry(split_at(a)).or_default().sentences.fp += 1;
                if show_errors.as_deref() == Some(split_at(a)) {
                    println!("false sentence: {}", &text[a..b]);
                }
            }
        }
    }

    // docpipe's own Golden-Rules cases.
    let sp = docpipe_splitter::SentenceSplitter::default();
    let golden_pass = docpipe_testkit::golden::CASES
        .iter()
        .filter(|(_, text, want)| {
            let got: Vec<&str> = sp.split(text).into_iter().map(|(s, e)| &text[s..e]).collect();
            got == *want
        })
        .count();
    let golden_n = docpipe_testkit::golden::CASES.len();

    let bare = bare_dumps(&docs, &root, &jsonl);
    let perf = throughput(&root);

    println!("splitter vs gold (tests/corpus/gold), exact offsets");
    println!("{:<34} {:>10} {:>10}", "measure", "dev", "test");
    let row = |name: &str, f: &dyn Fn(&Scores) -> String| {
        println!("{:<34} {:>10} {:>10}", name, f(&scores["dev"]), f(&scores["test"]));
    };
    row("articles", &|s| s.articles.to_string());
    row("article boundary F1", &|s| format!("{:.3}", s.boundaries.f1()));
    row("  boundaries tp/fp/fn", &|s| format!("{}/{}/{}", s.boundaries.tp, s.boundaries.fp, s.boundaries.fn_));
    row("block-role accuracy", &|s| format!("{:.3}", s.roles_ok as f64 / s.roles_n.max(1) as f64));
    row("  lines", &|s| s.roles_n.to_string());
    row("dateline exact (per article)", &|s| format!("{:.3}", s.datelines_ok as f64 / s.datelines_n.max(1) as f64));
    row("sentence F1 (exact spans)", &|s| format!("{:.3}", s.sentences.f1()));
    row("  sentences tp/fp/fn", &|s| format!("{}/{}/{}", s.sentences.tp, s.sentences.fp, s.sentences.fn_));
    println!("own golden-rules cases: {golden_pass}/{golden_n}");
    println!("story-change signal on bare dumps (body lines only, no datelines/headlines/credits): boundary F1");
    for (t, dev, test) in &bare {
        println!("  topic_shift = {t:.2}: dev {dev:.3}  test {test:.3}");
    }
    println!(
        "throughput (1 thread, {:.1} MB): sentences {:.0} MB/s, articles+sentences {:.0} MB/s, word count {:.0} MB/s",
        perf.mb, perf.sentences, perf.full, perf.words
    );
    if show_errors.is_some() {
        for ((split, want, got), n) in &confusion {
            if want != got {
                println!("confusion {split}: {want} -> {got}: {n}");
            }
        }
    }
    let js = |s: &Scores| {
        serde_json::json!({
            "articles": s.articles,
            "boundary_f1": round(s.boundaries.f1()),
            "role_accuracy": round(s.roles_ok as f64 / s.roles_n.max(1) as f64),
            "dateline_accuracy": round(s.datelines_ok as f64 / s.datelines_n.max(1) as f64),
            "sentence_f1": round(s.sentences.f1()),
        })
    };
    let line = serde_json::json!({
        "eval": "splitter",
        "dev": js(&scores["dev"]),
        "test": js(&scores["test"]),
        "own_golden_rules": {"pass": golden_pass, "of": golden_n},
        "mb_per_s": {"sentences": round(perf.sentences), "articles_sentences": round(perf.full), "word_count": round(perf.words)},
    });
    println!("{line}");
}

/// Dumps with the easy evidence removed: each file's articles keep only their body lines
/// (inline datelines cut off), so only the story-change signal can find the boundaries.
fn bare_dumps(
    docs: &BTreeMap<(String, i64), Vec<&Value>>,
    root: &std::path::Path,
    _jsonl: &[Value],
) -> Vec<(f64, f64, f64)> {
    let mut texts: Vec<(String, Vec<(usize, bool)>)> = Vec::new();
    for ((file, record), arts) in docs {
        if *record >= 0 || arts.len() < 2 {
            continue;
        }
        let raw = std::fs::read_to_string(root.join(file)).unwrap();
        let mut out = String::new();
        let mut starts = Vec::new();
        for a in arts {
            let dl_end = a["dateline"].as_object().map(|d| d["end"].as_u64().unwrap() as usize);
            let mut first = true;
            for l in a["lines"].as_array().unwrap() {
                if l["role"] != "body" {
                    continue;
                }
                let (mut s, e) = (l["start"].as_u64().unwrap() as usize, l["end"].as_u64().unwrap() as usize);
                if let Some(d) = dl_end
                    && d > s
                    && d < e
                {
                    s = d + raw[d..e].len() - raw[d..e].trim_start().len();
                }
                if first {
                    starts.push((out.len(), a["split"] == "dev"));
                    first = false;
                }
                out.push_str(&raw[s..e]);
                out.push('\n');
            }
        }
        texts.push((out, starts));
    }
    [0.0, 0.05, 0.1, 0.15, 0.2, 0.3]
        .into_iter()
        .map(|t| {
            let sp = Splitter::new(SplitterOptions {
                emit: docpipe_splitter::Emit::Spans,
                topic_shift: TopicShift::Threshold(t),
                ..SplitterOptions::default()
            })
            .unwrap();
            let (mut dev, mut test) = (Prf::default(), Prf::default());
            for (text, starts) in &texts {
                let an = sp.analyse_articles(text);
                let pred: HashSet<usize> = an.articles.iter().skip(1).map(|a| a.start).collect();
                let gold: HashMap<usize, bool> = starts.iter().skip(1).copied().collect();
                let is_dev_at = |p: usize| starts.iter().rev().find(|s| s.0 <= p).is_none_or(|s| s.1);
                for (&g, &d) in &gold {
                    let prf = if d { &mut dev } else { &mut test };
                    if pred.contains(&g) { prf.tp += 1 } else { prf.fn_ += 1 }
                }
                for &p in &pred {
                    if !gold.contains_key(&p) {
                        if is_dev_at(p) { dev.fp += 1 } else { test.fp += 1 }
                    }
                }
            }
            (t, dev.f1(), test.f1())
        })
        .collect()
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn first_line(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    &rest[..rest.find('\n').unwrap_or(rest.len()).min(90)]
}

struct Perf {
    mb: f64,
    sentences: f64,
    full: f64,
    words: f64,
}

/// The corpus text repeated to about 20 MB, split single-threaded.
fn throughput(root: &std::path::Path) -> Perf {
    let mut base = String::new();
    for e in std::fs::read_dir(root).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            base.push_str(&std::fs::read_to_string(p).unwrap());
        }
    }
    let mut big = String::new();
    while big.len() < 20_000_000 {
        big.push_str(&base);
    }
    let mb = big.len() as f64 / 1e6;
    let sp = docpipe_splitter::SentenceSplitter::default();
    let best = |f: &dyn Fn() -> usize| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                mb / t.elapsed().as_secs_f64()
            })
            .fold(0.0, f64::max)
    };
    let sentences = best(&|| sp.split(&big).len());
    let words = best(&|| big.split_ascii_whitespace().count());
    let stage =
        Splitter::new(SplitterOptions { emit: docpipe_splitter::Emit::Spans, ..SplitterOptions::default() }).unwrap();
    let full = best(&|| {
        let doc = Document::from_source("x", big.clone(), "x", 0);
        let Ok(Outcome::Keep(doc)) = stage.process(doc) else { return 0 };
        stage.split_sentences(&doc, true).0.len()
    });
    Perf { mb, sentences, full, words }
}
