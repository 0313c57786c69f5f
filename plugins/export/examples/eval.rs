//! Evaluation of the `export` stage against the gold corpus (issue 8).
//!
//! Builds one document per gold article (`tests/corpus/gold`): its text, the gold entities
//! as an `entities` layer (`label`, `canonical`, `entity_id`), the gold sentences, an
//! extractive summary (the gold sentences that best cover the hand-written reference, as a
//! summariser would mark them) and the gold duplicate links as `attributes.dedupe`. Exports
//! them in every format, reads every output back and scores, per split (dev, test):
//! record round-trip and schema validity (JSONL), Parquet round-trip, entity rows (CSV)
//! against gold, and the HTML report's embedded entity and summary offsets (UTF-16, as the
//! page uses them) against the gold surface text. Then measures single-threaded throughput
//! on a synthetic corpus made by repeating the articles. Prints a table and one JSON line.
//!
//! `cargo run --release -p docpipe-export --example eval [-- --mb N]`

// An evaluation program: failing loudly on a broken corpus is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use docpipe_core::stats::RunStats;
use docpipe_core::{Document, Sink, Span, Stage, StageOptions};
// Named so the crate is linked and its `export` stage registered (inventory).
use docpipe_export as _;
use serde_json::{Value, json};

fn strip_markup(s: &str) -> String {
    // `[surface|LABEL]` / `[surface|LABEL|canonical]` → surface.
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match (after.find('|'), after.find(']')) {
            (Some(p), Some(e)) if p < e => {
                out.push_str(&after[..p]);
                rest = &after[e + 1..];
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

fn words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2).map(str::to_lowercase).collect()
}

/// A gold mention: start, end, label, surface text, canonical name.
type Mention = (usize, usize, String, String, String);

struct Gold {
    docs: Vec<Document>,
    split: Vec<String>,
    gold_entities: Vec<Vec<Mention>>,
}

fn load_gold(root: &Path) -> Gold {
    let g = root.join("tests/corpus/gold");
    let arts: Value = serde_json::from_str(&std::fs::read_to_string(g.join("articles.json")).unwrap()).unwrap();
    let sums: Value = serde_json::from_str(&std::fs::read_to_string(g.join("summaries.json")).unwrap()).unwrap();
    let dups: Value = serde_json::from_str(&std::fs::read_to_string(g.join("duplicates.json")).unwrap()).unwrap();
    let summary: BTreeMap<&str, String> = sums["summaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), strip_markup(s["summary"].as_str().unwrap())))
        .collect();
    let ratio: BTreeMap<&str, f64> = dups["near"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["copy"].as_str().unwrap(), n["word_change_ratio"].as_f64().unwrap()))
        .collect();
    let jsonl: Vec<Value> = std::fs::read_to_string(root.join("tests/corpus/articles.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (mut docs, mut split, mut gold_entities) = (Vec::new(), Vec::new(), Vec::new());
    for a in arts["articles"].as_array().unwrap() {
        let id = a["id"].as_str().unwrap();
        let file = a["file"].as_str().unwrap();
        let (start, end) = (a["start"].as_u64().unwrap() as usize, a["end"].as_u64().unwrap() as usize);
        let text = if a["kind"] == "jsonl" {
            jsonl[a["record"].as_u64().unwrap() as usize]["text"].as_str().unwrap()[start..end].to_owned()
        } else {
            let bytes = std::fs::read(root.join("tests/corpus").join(file)).unwrap();
            String::from_utf8(bytes[start..end].to_vec()).unwrap()
        };
        let mut d = Document::from_source(id, text.clone(), format!("tests/corpus/{file}"), start);
        let mut ents = Vec::new();
        let mut gold = Vec::new();
        for e in a["entities"].as_array().unwrap() {
            // Gold offsets are relative to the file (dumps) or to the record's text (JSONL).
            let (s, en) = (e["start"].as_u64().unwrap() as usize - start, e["end"].as_u64().unwrap() as usize - start);
            let label = e["label"].as_str().unwrap();
            let canonical = e["canonical"].as_str().unwrap_or(e["text"].as_str().unwrap());
            let eid = format!("{}:{}", label.to_lowercase(), canonical.to_lowercase().replace(' ', "-"));
            let mut span = common::entity(s, en, label, canonical, &eid);
            span.text = Some(e["text"].as_str().unwrap().to_owned());
            ents.push(span);
            gold.push((s, en, label.to_owned(), e["text"].as_str().unwrap().to_owned(), canonical.to_owned()));
        }
        d.set_layer("entities", ents);
        let sentences: Vec<(usize, usize)> = a["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["start"].as_u64().unwrap() as usize - start, s["end"].as_u64().unwrap() as usize - start))
            .collect();
        d.set_layer("sentences", sentences.iter().map(|&(s, e)| Span::new(s, e)).collect());
        let original = a["copy_of"].as_str();
        if let Some(reference) = summary.get(original.unwrap_or(id)) {
            // The sentences that best cover the reference, greedily, as many as it has.
            let want = reference.matches(". ").count() + 1;
            let mut left = words(reference);
            let mut chosen: Vec<(usize, usize)> = Vec::new();
            for _ in 0..want {
                let best = sentences
                    .iter()
                    .filter(|s| !chosen.contains(s))
                    .map(|&(s, e)| (words(&text[s..e]).intersection(&left).count(), std::cmp::Reverse(s), (s, e)))
                    .max();
                if let Some((n, _, span)) = best
                    && n > 0
                {
                    for w in words(&text[span.0..span.1]) {
                        left.remove(&w);
                    }
                    chosen.push(span);
                }
            }
            chosen.sort_unstable();
            let text_of: Vec<&str> = chosen.iter().map(|&(s, e)| &text[s..e]).collect();
            d.set_layer("summary", chosen.iter().map(|&(s, e)| Span::new(s, e)).collect());
            d.attributes.insert(
                "summary".into(),
                json!({"text": text_of.join(" "), "method": "oracle",
                       "sentences": chosen.iter().map(|&(s, e)| json!({"start": s, "end": e})).collect::<Vec<_>>()}),
            );
        }
        if let Some(of) = original {
            let sim = if a["copy_kind"] == "exact" { 1.0 } else { 1.0 - ratio.get(id).copied().unwrap_or(0.0) };
            d.attributes.insert("dedupe".into(), json!({"duplicate_of": of, "similarity": sim, "cluster": of}));
        }
        for k in ["outlet", "date", "story"] {
            d.metadata.insert(k.into(), a[k].clone());
        }
        split.push(a["split"].as_str().unwrap().to_owned());
        docs.push(d);
        gold_entities.push(gold);
    }
    Gold { docs, split, gold_entities }
}

fn sink(toml: &str, base: &Path) -> Box<dyn Sink> {
    let opts = StageOptions::parse_snippet(toml, base).unwrap();
    match (docpipe_core::registry::find("export").unwrap().build)(&opts) {
        Ok(Stage::Sink(s)) => s,
        _ => panic!("cannot build {toml}"),
    }
}

fn export(toml: &str, base: &Path, docs: &[Document], stats: &RunStats) -> f64 {
    let t = Instant::now();
    let mut s = sink(toml, base);
    s.begin().unwrap();
    for d in docs {
        s.write(d).unwrap();
    }
    s.finish(stats).unwrap();
    t.elapsed().as_secs_f64()
}

#[derive(Default, Clone, Copy)]
struct Score {
    n: usize,
    ok: usize,
}
impl Score {
    fn add(&mut self, ok: bool) {
        self.n += 1;
        self.ok += usize::from(ok);
    }
    fn pct(self) -> f64 {
        if self.n == 0 { 100.0 } else { 100.0 * self.ok as f64 / self.n as f64 }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mb: usize = args.iter().position(|a| a == "--mb").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(64);
    let root = common::root();
    let out = root.join("target/export-eval");
    std::fs::create_dir_all(&out).unwrap();
    let gold = load_gold(&root);
    let stats = RunStats {
        input: docpipe_core::stats::InputStats {
            files: 13,
            documents: gold.docs.len() as u64,
            bytes: gold.docs.iter().map(|d| d.text.len() as u64).sum(),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut formats = vec![
        "path = \"gold.jsonl\"",
        "path = \"entities.csv\"\nrows = \"entities\"",
        "path = \"report.html\"\ntitle = \"docpipe: sample corpus with gold annotations\"\ntimings = false",
        "path = \"report.md\"\ntitle = \"docpipe: sample corpus with gold annotations\"\ntimings = false",
    ];
    if cfg!(feature = "parquet") {
        formats.push("path = \"gold.parquet\"\ncolumns = [\"attributes.summary.text\"]");
    }
    for f in &formats {
        export(&format!("{f}\n"), &out, &gold.docs, &stats);
    }

    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("config/document.schema.json")).unwrap()).unwrap();
    let mut scores: BTreeMap<(&str, &str), Score> = BTreeMap::new();
    let splits = ["dev", "test"];
    // JSONL: round trip and schema.
    let jsonl = std::fs::read_to_string(out.join("gold.jsonl")).unwrap();
    for ((line, d), sp) in jsonl.lines().zip(&gold.docs).zip(&gold.split) {
        let v: Value = serde_json::from_str(line).unwrap();
        scores
            .entry((sp.as_str(), "jsonl schema-valid records"))
            .or_default()
            .add(common::validate(&schema, &v).is_empty());
        scores
            .entry((sp.as_str(), "jsonl records equal after read-back"))
            .or_default()
            .add(serde_json::from_value::<Document>(v).ok().as_ref() == Some(d));
    }
    // CSV entity rows against gold.
    let rows = docpipe_testkit::csv::parse(&std::fs::read_to_string(out.join("entities.csv")).unwrap(), b',').unwrap();
    let mut got: BTreeMap<&str, BTreeSet<Mention>> = BTreeMap::new();
    for r in &rows[1..] {
        got.entry(r[0].as_str()).or_default().insert((
            r[5].parse().unwrap(),
            r[6].parse().unwrap(),
            r[1].clone(),
            r[2].clone(),
            r[3].clone(),
        ));
    }
    for ((d, g), sp) in gold.docs.iter().zip(&gold.gold_entities).zip(&gold.split) {
        let have = got.get(d.id.as_str()).cloned().unwrap_or_default();
        for e in g {
            scores.entry((sp.as_str(), "csv entity rows equal to gold mentions")).or_default().add(have.contains(e));
        }
        scores.entry((sp.as_str(), "csv entity rows equal to gold mentions")).or_default().n +=
            have.len().saturating_sub(g.len());
    }
    // HTML: embedded offsets, as JavaScript reads them (UTF-16), give the gold surface text.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let start = html.find("id=\"docpipe-data\">").unwrap() + "id=\"docpipe-data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&html[start..end]).unwrap();
    let ids: BTreeSet<&str> = data["docs"].as_array().unwrap().iter().map(|d| d["i"].as_str().unwrap()).collect();
    for ((hd, g), (d, sp)) in
        data["docs"].as_array().unwrap().iter().zip(&gold.gold_entities).zip(gold.docs.iter().zip(&gold.split))
    {
        let units: Vec<u16> = hd["t"].as_str().unwrap().encode_utf16().collect();
        let slice = |s: &Value, e: &Value| {
            String::from_utf16(&units[s.as_u64().unwrap() as usize..e.as_u64().unwrap() as usize]).unwrap()
        };
        let ents = hd["e"].as_array().unwrap();
        for (k, e) in g.iter().enumerate() {
            let ok =
                ents.get(k).is_some_and(|h| slice(&h[0], &h[1]) == e.3 && h[2] == e.2.as_str() && h[3] == e.4.as_str());
            scores.entry((sp.as_str(), "html entity highlights on the gold text")).or_default().add(ok);
        }
        for (k, u) in hd["u"].as_array().unwrap().iter().enumerate() {
            let want = &d.annotations["summary"][k];
            scores
                .entry((sp.as_str(), "html summary highlights on the chosen sentences"))
                .or_default()
                .add(slice(&u[0], &u[1]) == d.text[want.start..want.end]);
        }
        if let Some(of) = d.attributes.get("dedupe").and_then(|x| x["duplicate_of"].as_str()) {
            scores
                .entry((sp.as_str(), "html duplicate links that resolve"))
                .or_default()
                .add(hd["d"][0] == of && ids.contains(of));
        }
    }
    // Parquet read-back.
    #[cfg(feature = "parquet")]
    {
        use arrow_array::{Array, StringArray};
        let f = std::fs::File::open(out.join("gold.parquet")).unwrap();
        let reader =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f).unwrap().build().unwrap();
        let mut k = 0;
        for b in reader {
            let b = b.unwrap();
            let col = |n: &str| {
                b.column(b.schema().index_of(n).unwrap()).as_any().downcast_ref::<StringArray>().unwrap().clone()
            };
            let (id, text, attrs) = (col("id"), col("text"), col("attributes"));
            let ann = b.column(b.schema().index_of("annotations").unwrap()).clone();
            let ann = ann.as_any().downcast_ref::<arrow_array::MapArray>().unwrap();
            for i in 0..b.num_rows() {
                let d = &gold.docs[k];
                let ok = id.value(i) == d.id
                    && text.value(i) == d.text
                    && common::layers_of(ann, i) == d.annotations
                    && serde_json::from_str::<Value>(attrs.value(i)).unwrap() == Value::Object(d.attributes.clone());
                scores.entry((gold.split[k].as_str(), "parquet rows equal after read-back")).or_default().add(ok);
                k += 1;
            }
        }
    }

    println!(
        "export evaluation: {} gold articles ({} dev, {} test)",
        gold.docs.len(),
        gold.split.iter().filter(|s| *s == "dev").count(),
        gold.split.iter().filter(|s| *s == "test").count()
    );
    println!("\n| measure | dev | test |\n| --- | ---: | ---: |");
    let measures: BTreeSet<&str> = scores.keys().map(|k| k.1).collect();
    let mut json_scores = serde_json::Map::new();
    for m in &measures {
        let cell = |sp: &str| scores.get(&(sp, *m)).copied().unwrap_or_default();
        let (d, t) = (cell("dev"), cell("test"));
        println!("| {m} | {:.1}% ({}/{}) | {:.1}% ({}/{}) |", d.pct(), d.ok, d.n, t.pct(), t.ok, t.n);
        json_scores.insert(m.to_string(), json!({"dev": d.pct(), "test": t.pct(), "n_dev": d.n, "n_test": t.n}));
    }
    let _ = splits;

    // Throughput: the articles repeated (with distinct ids) up to `mb` MB of JSONL.
    let record_bytes: usize = gold.docs.iter().map(|d| serde_json::to_vec(d).unwrap().len() + 1).sum();
    // At least 10,000 documents, for the HTML report figure.
    let copies = (mb << 20).div_ceil(record_bytes).max(10_000usize.div_ceil(gold.docs.len()));
    let mut big = Vec::with_capacity(copies * gold.docs.len());
    for c in 0..copies {
        for d in &gold.docs {
            let mut d = d.clone();
            d.id = format!("{}#{c}", d.id);
            big.push(d);
        }
    }
    let total_mb = (record_bytes * copies) as f64 / 1e6;
    println!("\nthroughput, one thread, {} documents, {:.1} MB of JSONL records:\n", big.len(), total_mb);
    println!("| format | seconds | MB/s (of JSONL record bytes) |\n| --- | ---: | ---: |");
    let bench = tempfile::tempdir().unwrap();
    let mut perf = serde_json::Map::new();
    let mut cases: Vec<(&str, String, usize)> = vec![
        ("jsonl", "path = \"b.jsonl\"".into(), big.len()),
        ("jsonl.zst", "path = \"b.jsonl.zst\"".into(), big.len()),
        ("jsonl.gz", "path = \"b.jsonl.gz\"".into(), big.len()),
        ("csv (documents)", "path = \"b.csv\"".into(), big.len()),
        ("csv (entities)", "path = \"e.csv\"\nrows = \"entities\"".into(), big.len()),
        ("markdown", "path = \"b.md\"".into(), big.len()),
    ];
    if cfg!(feature = "parquet") {
        cases.insert(1, ("parquet", "path = \"b.parquet\"".into(), big.len()));
    }
    cases.push(("html (10,000 documents)", "path = \"b.html\"".into(), 10_000.min(big.len())));
    for (name, toml, n) in cases {
        let secs = export(&format!("{toml}\n"), bench.path(), &big[..n], &stats);
        let bytes = if n == big.len() {
            record_bytes * copies
        } else {
            big[..n].iter().map(|d| serde_json::to_vec(d).unwrap().len() + 1).sum()
        };
        let mbps = bytes as f64 / 1e6 / secs;
        println!("| {name} | {secs:.2} | {mbps:.0} |");
        perf.insert(name.to_owned(), json!({"seconds": secs, "mb_per_s": mbps, "documents": n}));
    }
    println!("\nreport written to {}", out.join("report.html").display());
    println!("{}", json!({"eval": "export", "articles": gold.docs.len(), "scores": json_scores, "throughput": perf}));
}
