//! Evaluation of the `summarise` stage against the sample corpus's gold summaries, plus a
//! JSONL driver for the Python peer script and a throughput benchmark.
//!
//! ```sh
//! cargo run --release -p docpipe-summarise --example eval              # ROUGE table + JSON line
//! cargo run --release -p docpipe-summarise --example eval -- --tune    # dev-split grid (tuning)
//! cargo run --release -p docpipe-summarise --example eval -- --bench [REPEAT]
//! cargo run --release -p docpipe-summarise --example eval -- --jsonl IN OUT 'TOML OPTIONS' ['half=7;steep=6;floor=0.3;first=0.1;long=50']
//! cargo run --release -p docpipe-summarise --example eval -- --split-jsonl IN OUT   # the fallback sentence rule
//! ```
//!
//! Articles come from `tests/corpus/gold/articles.json` (cut out of the raw dumps with the
//! gold article spans); re-publications (`copy_of`) are skipped, so no summary is scored
//! twice and none leaks across splits. Each article is summarised twice: from the raw text
//! alone (the stage's own sentence rule and line heuristics) and with the gold sentences and
//! line roles given as `annotations.sentences` and `annotations.blocks`, as the splitter
//! would write them. ROUGE is docpipe's implementation (`docpipe_testkit::rouge`,
//! rouge-score tokenisation, the stage's light stemmer).

// An evaluation tool: failing loudly on a broken gold file is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use docpipe_core::{Document, Span, StageOptions};
use docpipe_summarise::{Options, Summariser};
use docpipe_testkit::rouge;
use serde_json::{Value, json};

struct Article {
    id: String,
    split: String,
    text: String,
    sentences: Vec<Span>,
    blocks: Vec<Span>,
    reference: String,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `[surface|LABEL]` and `[surface|LABEL|canonical]` → `surface`.
fn strip_markup(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(']') {
            Some(j) if after[..j].contains('|') => {
                out.push_str(after[..j].split('|').next().unwrap());
                rest = &after[j + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn load() -> Vec<Article> {
    let gold = root().join("tests/corpus/gold");
    let arts: Value = serde_json::from_str(&std::fs::read_to_string(gold.join("articles.json")).unwrap()).unwrap();
    let sums: Value = serde_json::from_str(&std::fs::read_to_string(gold.join("summaries.json")).unwrap()).unwrap();
    let refs: BTreeMap<String, String> = sums["summaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_owned(), strip_markup(s["summary"].as_str().unwrap())))
        .collect();
    let mut out = Vec::new();
    for a in arts["articles"].as_array().unwrap() {
        if !a["copy_of"].is_null() {
            continue;
        }
        let id = a["id"].as_str().unwrap().to_owned();
        let Some(reference) = refs.get(&id) else { continue };
        let file = root().join("tests/corpus").join(a["file"].as_str().unwrap());
        let (text, base) = if a["kind"] == "jsonl" {
            let line = std::fs::read_to_string(&file)
                .unwrap()
                .lines()
                .nth(a["record"].as_u64().unwrap() as usize)
                .unwrap()
                .to_owned();
            let rec: Value = serde_json::from_str(&line).unwrap();
            (rec["text"].as_str().unwrap().to_owned(), 0)
        } else {
            let bytes = std::fs::read(&file).unwrap();
            let (s, e) = (a["start"].as_u64().unwrap() as usize, a["end"].as_u64().unwrap() as usize);
            (String::from_utf8(bytes[s..e].to_vec()).unwrap(), s)
        };
        let span = |v: &Value| {
            Span::new(v["start"].as_u64().unwrap() as usize - base, v["end"].as_u64().unwrap() as usize - base)
        };
        let sentences = a["sentences"].as_array().unwrap().iter().map(span).collect();
        let blocks =
            a["lines"].as_array().unwrap().iter().map(|l| span(l).with_label(l["role"].as_str().unwrap())).collect();
        out.push(Article {
            id,
            split: a["split"].as_str().unwrap().to_owned(),
            text,
            sentences,
            blocks,
            reference: reference.clone(),
        });
    }
    out
}

fn summariser(toml: &str) -> Summariser {
    let opts = StageOptions::parse_snippet(toml, Path::new(".")).unwrap();
    let o: Options = opts.deserialize().unwrap();
    Summariser::new(o).unwrap()
}

fn summary_text(s: &Summariser, a: &Article, layers: bool) -> String {
    let mut d = Document::from_source(a.id.clone(), a.text.clone(), "x", 0);
    if layers {
        d.set_layer("sentences", a.sentences.clone());
        d.set_layer("blocks", a.blocks.clone());
    }
    s.summarise_document(&mut d);
    d.attributes["summary"]["text"].as_str().unwrap().to_owned()
}

/// Mean ROUGE-1/2/L F1 (×100) and mean summary words over the articles of one split.
fn evaluate(s: &Summariser, arts: &[Article], split: &str, layers: bool) -> [f64; 4] {
    let mut acc = [0.0; 4];
    let mut n = 0.0;
    for a in arts.iter().filter(|a| a.split == split) {
        let sum = summary_text(s, a, layers);
        let r = rouge::score(&sum, &a.reference, Some(docpipe_summarise::text::stem));
        acc[0] += r.rouge1.f;
        acc[1] += r.rouge2.f;
        acc[2] += r.rouge_l.f;
        acc[3] += sum.split_whitespace().count() as f64;
        n += 1.0;
    }
    acc.map(|x| if n > 0.0 { x / n } else { 0.0 }).map(|x| (x * 1000.0).round() / 1000.0)
}

const SYSTEMS: &[(&str, &str)] = &[
    ("lead-3", "method = \"lead\"\nsentences = 3\nmin_words = 0"),
    ("news (default)", ""),
    ("textrank", "method = \"textrank\""),
    ("lexrank", "method = \"lexrank\""),
    ("centroid", "method = \"centroid\""),
    ("lead-60w", "method = \"lead\"\nsentences = 0\nwords = 60\nmin_words = 0"),
    ("news-60w", "sentences = 0\nwords = 60"),
];

fn table(arts: &[Article]) {
    let n = |split: &str| arts.iter().filter(|a| a.split == split).count();
    println!("ROUGE F1 x100 (stemmed) against the gold summaries; dev n={}, test n={}", n("dev"), n("test"));
    println!(
        "{:<16} {:<7} {:>6} {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6} {:>6}",
        "system", "input", "dev R1", "R2", "RL", "words", "test R1", "R2", "RL", "words"
    );
    let mut rows = Vec::new();
    for layers in [false, true] {
        for (name, toml) in SYSTEMS {
            let s = summariser(toml);
            let dev = evaluate(&s, arts, "dev", layers);
            let test = evaluate(&s, arts, "test", layers);
            let input = if layers { "layers" } else { "raw" };
            let pct = |x: f64| x * 100.0;
            println!(
                "{name:<16} {input:<7} {:>6.1} {:>6.1} {:>6.1} {:>6.1}   {:>7.1} {:>6.1} {:>6.1} {:>6.1}",
                pct(dev[0]),
                pct(dev[1]),
                pct(dev[2]),
                dev[3],
                pct(test[0]),
                pct(test[1]),
                pct(test[2]),
                test[3]
            );
            rows.push(json!({"system": name, "input": input, "dev": {"rouge1": dev[0], "rouge2": dev[1], "rougeL": dev[2], "words": dev[3]}, "test": {"rouge1": test[0], "rouge2": test[1], "rougeL": test[2], "words": test[3]}}));
        }
    }
    println!("{}", json!({"eval": "summarise", "corpus": "tests/corpus gold summaries", "rows": rows}));
}

fn tune(arts: &[Article]) {
    println!("dev split only: R1 R2 RL words (raw input | gold layers)");
    for method in ["news", "lexrank", "textrank", "centroid"] {
        for pw in [0.0, 0.3, 0.5, 0.7, 0.85] {
            if method != "news" && pw != 0.5 {
                continue;
            }
            for div in [0.0, 0.3, 0.5] {
                for mw in [0, 6, 10] {
                    let s = summariser(&format!(
                        "method = \"{method}\"\nposition_weight = {pw}\ndiversity = {div}\nmin_words = {mw}"
                    ));
                    let a = evaluate(&s, arts, "dev", false);
                    let b = evaluate(&s, arts, "dev", true);
                    println!(
                        "{method:<9} pw={pw:<4} div={div:<4} mw={mw:<3} {:.1} {:.1} {:.1} {:.0} | {:.1} {:.1} {:.1} {:.0}",
                        a[0] * 100.0,
                        a[1] * 100.0,
                        a[2] * 100.0,
                        a[3],
                        b[0] * 100.0,
                        b[1] * 100.0,
                        b[2] * 100.0,
                        b[3]
                    );
                }
            }
        }
    }
}

fn bench(arts: &[Article], repeat: usize) {
    let texts: Vec<String> = arts.iter().map(|a| a.text.clone()).collect();
    let bytes: usize = texts.iter().map(String::len).sum::<usize>() * repeat;
    println!("{} documents x {repeat} = {:.2} MB, single thread", texts.len(), bytes as f64 / 1e6);
    for (name, toml) in [
        ("news", ""),
        ("lead", "method = \"lead\""),
        ("textrank", "method = \"textrank\""),
        ("lexrank", "method = \"lexrank\""),
        ("centroid", "method = \"centroid\""),
    ] {
        let s = summariser(toml);
        let t = Instant::now();
        let cpu0 = cpu_seconds();
        let mut chosen = 0;
        for r in 0..repeat {
            for (i, text) in texts.iter().enumerate() {
                let mut d = Document::from_source(format!("{r}/{i}"), text.clone(), "x", 0);
                chosen += s.summarise_document(&mut d).sentences.len();
            }
        }
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu0;
        println!(
            "{name:<9} {:>8.2} MB/s  {:>8.0} docs/s  (cpu time: {:>8.2} MB/s; {chosen} sentences chosen)",
            bytes as f64 / 1e6 / secs,
            (texts.len() * repeat) as f64 / secs,
            bytes as f64 / 1e6 / cpu,
        );
    }
    // One long document: 10,000 sentences.
    let long: String = texts.iter().cycle().take(400).cloned().collect::<Vec<_>>().join("\n");
    let s = summariser("");
    let t = Instant::now();
    let mut d = Document::from_source("long", long, "x", 0);
    let n = s.summarise_document(&mut d).candidates.len();
    println!(
        "one document of {n} candidate sentences ({:.1} MB): {:.3}s",
        d.text.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
}

/// CPU time of this thread in seconds (Linux `schedstat`; wall time elsewhere), so a
/// throughput figure is not skewed by other processes on a shared machine.
fn cpu_seconds() -> f64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or_else(|| START.get_or_init(Instant::now).elapsed().as_secs_f64(), |ns| ns as f64 / 1e9)
}

/// Reads `{"id", "text", "sentences"?: [[start, end], …]}` lines, writes `{"id", "summary"}`.
fn jsonl(input: &str, output: &str, toml: &str, tuning: &str) {
    let mut t = docpipe_summarise::rank::Tuning::default();
    for kv in tuning.split(';').filter(|x| !x.trim().is_empty()) {
        let (k, v) = kv.split_once('=').unwrap();
        let v: f64 = v.trim().parse().unwrap();
        match k.trim() {
            "half" => t.half = v,
            "steep" => t.steep = v,
            "floor" => t.floor = v,
            "first" => t.first = v,
            "long" => t.long = v,
            other => panic!("unknown tuning constant {other}"),
        }
    }
    let s = summariser(toml).with_tuning(t);
    let mut out = String::new();
    let t = Instant::now();
    let cpu0 = cpu_seconds();
    let mut bytes = 0;
    for line in std::fs::read_to_string(input).unwrap().lines() {
        let rec: Value = serde_json::from_str(line).unwrap();
        let mut d =
            Document::from_source(rec["id"].as_str().unwrap(), rec["text"].as_str().unwrap().to_owned(), "x", 0);
        bytes += d.text.len();
        if let Some(sents) = rec.get("sentences").and_then(Value::as_array) {
            let spans = sents
                .iter()
                .map(|p| Span::new(p[0].as_u64().unwrap() as usize, p[1].as_u64().unwrap() as usize))
                .collect();
            d.set_layer("sentences", spans);
        }
        s.summarise_document(&mut d);
        out.push_str(&json!({"id": d.id, "summary": d.attributes["summary"]["text"]}).to_string());
        out.push('\n');
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    std::fs::write(output, out).unwrap();
    eprintln!(
        "docpipe: {bytes} bytes in {secs:.4}s ({:.2} MB/s), cpu {cpu:.4}s ({:.2} MB/s)",
        bytes as f64 / 1e6 / secs,
        bytes as f64 / 1e6 / cpu
    );
}

/// Writes, for every `{"text"}` line of `input`, the `[start, end]` byte spans of the stage's
/// own sentence rule (what it uses without a splitter), for `eval/tune.py --boundaries`.
fn split_jsonl(input: &str, output: &str) {
    let mut out = String::new();
    for line in std::fs::read_to_string(input).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let text = v["text"].as_str().unwrap();
        let mut spans = Vec::new();
        for (a, b) in text.split('\n').scan(0, |pos, l| {
            let r = (*pos, *pos + l.len());
            *pos += l.len() + 1;
            Some(r)
        }) {
            docpipe_summarise::text::split_sentences(text, a, b, &mut spans);
        }
        out.push_str(&serde_json::to_string(&spans).unwrap());
        out.push('\n');
    }
    std::fs::write(output, out).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--split-jsonl") => split_jsonl(&args[1], &args[2]),
        Some("--jsonl") => {
            jsonl(&args[1], &args[2], args.get(3).map_or("", String::as_str), args.get(4).map_or("", String::as_str))
        }
        Some("--tune") => tune(&load()),
        Some("--bench") => bench(&load(), args.get(1).and_then(|r| r.parse().ok()).unwrap_or(20)),
        _ => table(&load()),
    }
}
