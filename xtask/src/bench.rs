//! `cargo xtask bench`: docpipe measured stage by stage and end to end on generated corpora,
//! with 1 and 2 worker threads, and side by side with the tools people use instead.
//!
//! For each size (`--sizes 10MB,100MB,1GB` by default) the corpus comes from `gen-corpus`
//! (seed 7) into `target/bench/corpus-<size>`, reused when its marker says it was generated
//! with the same size and seed. A preparation run (normalise → articles → JSONL of `id` and
//! `text`) writes the articles once, so the stages that work on articles can each run alone
//! on exactly the documents they see in the news pipeline. Every row is a real
//! `target/release/docpipe run` in a fresh output directory; its figures come from that run's
//! `stats.json`:
//!
//! - **stage MB/s** (1 thread): the row's input bytes over the seconds spent inside the
//!   row's stages (the runner's per-stage clock), so reading and JSON parsing are excluded;
//! - **wall MB/s** (1 and 2 threads): input bytes over the whole run's wall clock;
//! - **speed-up**: wall time with 1 thread over wall time with 2;
//! - **peak RSS**: the process's `VmHWM`;
//! - documents are articles (the units after the article split), so docs/s is comparable
//!   across rows.
//!
//! `--peers` runs the Python peers (`xtask/bench/peers.py`, venvs under `target/eval/` with
//! the versions pinned by the plugins' own eval scripts) and docpipe on the same 2 MiB slice
//! of the smallest corpus's articles, plus `cat` and a plain Rust word count over the whole
//! corpus as the floor, and prints docpipe/peer ratios. `--quick` is one pass over 10 MB
//! without peers and fails on a crash, a failed document or a stage under 1 MB/s.
//! `--rows dedupe,news` runs only the rows whose names start with those prefixes.
//!
//! The **warc read** row reads a synthetic crawl (`target/bench/warc/`, `--warc-mb` MB of HTML,
//! 16 by default, gzip per record, written by `genwarc::synthetic`) with `format = "warc"`
//! and no stage, 1 thread: the reader's MB/s (of HTML payload) and peak RSS, which must not
//! grow with the archive (compare `--rows warc --warc-mb 100` with `--warc-mb 1000`).
//!
//! The **single document** rows (`--rows "single document"`; not part of `--quick`) run
//! normalise, entities and the news pipeline, 1 thread, on one document of 10, 40 and 160 MiB:
//! the generated corpus's text as a single line (`target/bench/single/`). Their stage MB/s
//! must stay flat across the sizes (no quadratic work) and their peak RSS is reported per
//! document byte (the memory cost of `max_document_bytes`).
//! Tables are written as JSON to `target/bench/bench.json` (`bench-quick.json`, and
//! `bench-rows.json` for a `--rows` selection).

use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::gencorpus;

/// Bytes of article text in the slice the slow peers (and docpipe beside them) run on.
const SLICE_BYTES: u64 = 2 << 20;
/// A stage slower than this (MB/s) is a cliff, not noise: `--quick` fails.
const CLIFF_MB_S: f64 = 1.0;
/// Near-duplicate parameters shared by the dedupe rows and the datasketch peer.
const NGRAM: usize = 5;
const THRESHOLD: f64 = 0.5;
const NUM_PERM: usize = 128;
/// The dedupe plugin's banding weights (`docpipe_dedupe::BAND_WEIGHTS`: misses weigh 9:1).
const BAND_WEIGHTS: (f64, f64) = (0.1, 0.9);

/// `bench` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// 10 MB, one pass, no peers; fail on a cliff.
    #[arg(long, conflicts_with = "peers")]
    pub quick: bool,
    /// Also run the Python peers and the floor.
    #[arg(long)]
    pub peers: bool,
    /// Corpus sizes (`10MB,100MB,1GB` by default, `10MB` with --quick).
    #[arg(long, value_delimiter = ',', value_parser = gencorpus::parse_size)]
    pub sizes: Vec<u64>,
    /// gen-corpus seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Only the rows whose name starts with one of these (all rows when empty), e.g.
    /// `"dedupe,news pipeline"`.
    #[arg(long, value_delimiter = ',')]
    pub rows: Vec<String>,
    /// MB of HTML in the `warc read` row's generated crawl.
    #[arg(long, default_value_t = 16)]
    pub warc_mb: u64,
}

impl Options {
    /// What `cargo xtask ci` runs: `bench --quick`.
    pub fn quick() -> Self {
        Options { quick: true, peers: false, sizes: vec![10 << 20], seed: 7, rows: vec![], warc_mb: 16 }
    }

    /// The defaults that depend on other flags: the sizes (sorted, once each) and the row
    /// prefixes (trimmed).
    pub fn normalised(mut self) -> Self {
        if self.sizes.is_empty() {
            self.sizes = if self.quick { vec![10 << 20] } else { vec![10 << 20, 100 << 20, 1 << 30] };
        }
        self.sizes.sort_unstable();
        self.sizes.dedup();
        for r in &mut self.rows {
            *r = r.trim().to_owned();
        }
        self
    }
}

/// `10MB`, `1GB`, `2.5MB` in powers of 1024, as gen-corpus reads them.
fn size_label(bytes: u64) -> String {
    let (unit, div) = if bytes >= 1 << 30 { ("GB", 1u64 << 30) } else { ("MB", 1 << 20) };
    let v = bytes as f64 / div as f64;
    if (v - v.round()).abs() < 1e-9 { format!("{}{unit}", v.round() as u64) } else { format!("{v:.1}{unit}") }
}

fn mb_s(bytes: u64, secs: f64) -> f64 {
    if secs > 0.0 { bytes as f64 / 1e6 / secs } else { f64::INFINITY }
}

/// What a row reads.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Input {
    /// The generated corpus (dumps and JSONL, `truth.jsonl` excluded).
    Corpus,
    /// The prepared articles (`id`, normalised `text`).
    Articles,
    /// The first [`SLICE_BYTES`] of the articles.
    Slice,
    /// One generated document of the row's size (`Sized::corpus` is the file).
    Single,
    /// The articles wrapped in news-page HTML templates (`pages.jsonl`, see [`prepare_pages`]).
    Pages,
    /// A generated `.warc.gz` (`Sized::corpus` is the file, `corpus_bytes` its HTML bytes).
    Warc,
}

/// One docpipe configuration to measure.
struct RowSpec {
    name: &'static str,
    input: Input,
    stages: String,
    /// Stages whose seconds make the row's stage time (all when empty).
    timed: &'static [&'static str],
    /// Run with 1 thread, 2 threads, or both.
    threads: &'static [usize],
}

/// The figures of one run (the best of the passes).
#[derive(Debug, Clone, Default)]
struct Measure {
    wall: f64,
    stage: f64,
    /// Per-stage seconds, by stage name.
    per_stage: Vec<(String, f64)>,
    rss: u64,
    failed: u64,
    /// The dedupe stage's index in memory (its `index bytes` counter, else the saved file's
    /// size), the documents the stage saw and the entries it indexed.
    index: Option<(u64, u64, u64)>,
}

struct Row {
    size: u64,
    name: &'static str,
    bytes: u64,
    docs: u64,
    runs: Vec<(usize, Measure)>,
}

impl Row {
    fn at(&self, threads: usize) -> Option<&Measure> {
        self.runs.iter().find(|(t, _)| *t == threads).map(|(_, m)| m)
    }
    fn stage_mb_s(&self) -> Option<f64> {
        self.at(1).map(|m| mb_s(self.bytes, m.stage))
    }
    fn wall_mb_s(&self, threads: usize) -> Option<f64> {
        self.at(threads).map(|m| mb_s(self.bytes, m.wall))
    }
    fn speedup(&self) -> Option<f64> {
        Some(self.at(1)?.wall / self.at(2)?.wall)
    }
    fn stage_seconds_of(&self, stage: &str) -> Option<f64> {
        self.at(1)?.per_stage.iter().find(|(n, _)| n == stage).map(|(_, s)| *s)
    }
}

fn toml_str(s: &str) -> String {
    // A JSON string literal is a valid TOML basic string for the characters paths hold.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

const NORMALISE: &str = "[[stage]]\ntype = \"normalise\"\nquotes = \"straight\"\ndashes = \"standard\"\n";
const ARTICLES: &str = "[[stage]]\ntype = \"splitter\"\nname = \"articles\"\nunit = \"articles\"\n";
const SENTENCES: &str = "[[stage]]\ntype = \"splitter\"\nname = \"sentences\"\nunit = \"sentences\"\n";
const PULL_QUOTES: &str = "[[stage]]\ntype = \"dedupe\"\nname = \"pull-quotes\"\nlevel = \"paragraph\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 3\nthreshold = 0.8\nscope = \"document\"\naction = \"mark\"\n";
const ENTITIES: &str = "[[stage]]\ntype = \"entities\"\n";
const EXTRACT: &str = "[[stage]]\ntype = \"extract\"\n";
const EXPORT: &str = "[[stage]]\ntype = \"export\"\nname = \"jsonl\"\npath = \"documents.jsonl\"\n";

fn dedupe_stage() -> String {
    let (bands, rows) = optimal_bands(THRESHOLD, NUM_PERM, BAND_WEIGHTS.0, BAND_WEIGHTS.1);
    format!(
        "[[stage]]\ntype = \"dedupe\"\nname = \"republished\"\nlevel = \"document\"\nmethod = \"near\"\nngram = {NGRAM}\nthreshold = {THRESHOLD}\nnum_perm = {NUM_PERM}\nbands = {bands}\nrows = {rows}\naction = \"drop\"\nindex = \"dedupe.index\"\n"
    )
}

/// Exact document dedupe (XXH3-128 of the normalised text), as the dedupe rows measure it.
const DEDUPE_EXACT: &str = "[[stage]]\ntype = \"dedupe\"\nname = \"republished\"\nlevel = \"document\"\nmethod = \"exact\"\naction = \"drop\"\nindex = \"dedupe.index\"\n";

fn summarise_stage(method: &str) -> String {
    format!("[[stage]]\ntype = \"summarise\"\nmethod = \"{method}\"\nsentences = 3\n")
}

fn rows() -> Vec<RowSpec> {
    let both: &'static [usize] = &[1, 2];
    let dedupe = dedupe_stage();
    vec![
        RowSpec { name: "normalise", input: Input::Corpus, stages: NORMALISE.into(), timed: &[], threads: both },
        RowSpec {
            name: "splitter articles+sentences",
            input: Input::Corpus,
            stages: format!("{ARTICLES}{SENTENCES}"),
            timed: &[],
            threads: both,
        },
        RowSpec {
            name: "dedupe near, document",
            input: Input::Articles,
            stages: dedupe.clone(),
            timed: &[],
            threads: both,
        },
        RowSpec {
            name: "dedupe exact, document",
            input: Input::Articles,
            stages: DEDUPE_EXACT.into(),
            timed: &[],
            threads: both,
        },
        RowSpec { name: "entities", input: Input::Articles, stages: ENTITIES.into(), timed: &[], threads: both },
        RowSpec {
            name: "summarise lexrank, 3",
            input: Input::Articles,
            stages: summarise_stage("lexrank"),
            timed: &[],
            threads: both,
        },
        RowSpec { name: "export jsonl", input: Input::Articles, stages: EXPORT.into(), timed: &[], threads: both },
        RowSpec { name: "extract html", input: Input::Pages, stages: EXTRACT.into(), timed: &[], threads: both },
        RowSpec {
            name: "news pipeline",
            input: Input::Corpus,
            stages: format!(
                "{NORMALISE}{ARTICLES}{SENTENCES}{dedupe}{PULL_QUOTES}{ENTITIES}{}{EXPORT}",
                summarise_stage("news")
            ),
            timed: &[],
            threads: both,
        },
        RowSpec {
            name: "news pipeline, no dedupe",
            input: Input::Corpus,
            stages: format!("{NORMALISE}{ARTICLES}{SENTENCES}{ENTITIES}{}{EXPORT}", summarise_stage("news")),
            timed: &[],
            threads: &[2],
        },
    ]
}

/// Sizes of the single-document rows: time and memory must grow linearly across them.
const SINGLE_SIZES: &[u64] = &[10 << 20, 40 << 20, 160 << 20];

/// Rows over one huge document (one line of news text, see [`prepare_single`]), 1 thread.
fn single_rows() -> Vec<RowSpec> {
    let one: &'static [usize] = &[1];
    vec![
        RowSpec {
            name: "single document normalise",
            input: Input::Single,
            stages: NORMALISE.into(),
            timed: &[],
            threads: one,
        },
        RowSpec {
            name: "single document entities",
            input: Input::Single,
            stages: ENTITIES.into(),
            timed: &[],
            threads: one,
        },
        RowSpec {
            name: "single document news pipeline",
            input: Input::Single,
            stages: format!(
                "{NORMALISE}{ARTICLES}{SENTENCES}{}{PULL_QUOTES}{ENTITIES}{}{EXPORT}",
                dedupe_stage(),
                summarise_stage("news")
            ),
            timed: &[],
            threads: one,
        },
    ]
}

/// The rows docpipe runs on the peers' slice (1 thread), keyed by the peer task.
fn slice_rows() -> Vec<(&'static str, RowSpec)> {
    let one: &'static [usize] = &[1];
    vec![
        (
            "sentences",
            RowSpec { name: "sentences", input: Input::Slice, stages: SENTENCES.into(), timed: &[], threads: one },
        ),
        (
            "near-dup",
            RowSpec { name: "dedupe near", input: Input::Slice, stages: dedupe_stage(), timed: &[], threads: one },
        ),
        ("ner", RowSpec { name: "entities", input: Input::Slice, stages: ENTITIES.into(), timed: &[], threads: one }),
        (
            "summarise",
            RowSpec {
                name: "summarise lexrank",
                input: Input::Slice,
                stages: summarise_stage("lexrank"),
                timed: &[],
                threads: one,
            },
        ),
    ]
}

/// The dedupe plugin's banding search (`docpipe_dedupe::minhash::optimal_bands`), repeated
/// here so the datasketch peer gets exactly the bands and rows docpipe uses.
fn optimal_bands(threshold: f64, num_perm: usize, fp_weight: f64, fn_weight: f64) -> (usize, usize) {
    let prob = |s: f64, b: usize, r: usize| 1.0 - (1.0 - s.powi(r as i32)).powi(b as i32);
    let integrate = |f: &dyn Fn(f64) -> f64, a: f64, b: f64| {
        let n = 200;
        let h = (b - a) / n as f64;
        let mut sum = f(a) + f(b);
        for i in 1..n {
            sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(a + i as f64 * h);
        }
        sum * h / 3.0
    };
    let mut best = (1, num_perm.max(1));
    let mut best_err = f64::INFINITY;
    for b in 1..=num_perm {
        for r in 1..=num_perm / b {
            let fp = integrate(&|s| prob(s, b, r), 0.0, threshold);
            let fnr = integrate(&|s| 1.0 - prob(s, b, r), threshold, 1.0);
            let err = fp_weight * fp + fn_weight * fnr;
            if err < best_err {
                best_err = err;
                best = (b, r);
            }
        }
    }
    best
}

/// Everything one size needs: where its corpus and prepared articles are and how big.
struct Sized {
    size: u64,
    corpus: PathBuf,
    work: PathBuf,
    corpus_bytes: u64,
    articles: u64,
    article_bytes: u64,
}

#[derive(Clone)]
struct Ctx {
    root: PathBuf,
    bin: PathBuf,
    passes: usize,
}

/// Runs the benchmark and prints the tables.
pub fn run(root: &Path, o: &Options) -> Result<()> {
    let started = Instant::now();
    let load_before = loadavg();
    let mut c = crate::cargo();
    c.args(["build", "--release", "--locked", "-p", "docpipe"]);
    crate::step(root, "cargo build --release -p docpipe", c, "fix the build errors above")?;
    let bench_dir = root.join("target/bench");
    std::fs::create_dir_all(&bench_dir)?;
    let ctx = Ctx { root: root.to_owned(), bin: root.join("target/release/docpipe"), passes: 1 };
    let mut all_rows: Vec<Row> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut sized_list = Vec::new();
    let selected = |name: &str| o.rows.is_empty() || o.rows.iter().any(|p| name.starts_with(p.as_str()));
    let any_sized = rows().iter().any(|r| selected(r.name));
    for &size in o.sizes.iter().filter(|_| any_sized) {
        let s = prepare(&ctx, &bench_dir, size, o.seed)?;
        // Best of several passes where a pass is cheap; noise on a shared machine is one-sided.
        let passes = if o.quick {
            1
        } else if size <= 16 << 20 {
            3
        } else if size <= 128 << 20 {
            2
        } else {
            1
        };
        let ctx = Ctx { passes, ..ctx.clone() };
        for spec in rows() {
            if !selected(spec.name) {
                continue;
            }
            let row = measure_row(&ctx, &s, &spec)?;
            check_row(&row, &mut problems);
            print_row_progress(&row);
            all_rows.push(row);
        }
        sized_list.push(s);
    }
    // Single huge documents: not part of `--quick` (CI stays fast), one pass, 1 thread.
    let single_specs: Vec<RowSpec> = single_rows().into_iter().filter(|r| selected(r.name)).collect();
    if !o.quick && !single_specs.is_empty() {
        for &size in SINGLE_SIZES {
            let s = prepare_single(&ctx, &bench_dir, size, o.seed)?;
            for spec in &single_specs {
                let row = measure_row(&ctx, &s, spec)?;
                check_row(&row, &mut problems);
                print_row_progress(&row);
                all_rows.push(row);
            }
        }
    }
    // The WARC reader alone: MB/s and a peak RSS that must not depend on the archive's size.
    if selected("warc read") {
        let s = prepare_warc(&ctx, &bench_dir, o.warc_mb << 20, o.seed)?;
        let spec = RowSpec { name: "warc read", input: Input::Warc, stages: String::new(), timed: &[], threads: &[1] };
        let row = measure_row(&Ctx { passes: if o.quick { 1 } else { 2 }, ..ctx.clone() }, &s, &spec)?;
        check_row(&row, &mut problems);
        print_row_progress(&row);
        if let Some(m) = row.at(1) {
            eprintln!(
                "xtask: warc read: {} pages, {:.1} MB of HTML ({:.1} MB on disk) at {:.1} MB/s, peak RSS {:.1} MiB",
                row.docs,
                row.bytes as f64 / 1e6,
                std::fs::metadata(&s.corpus).map(|m| m.len()).unwrap_or(0) as f64 / 1e6,
                mb_s(row.bytes, m.wall),
                m.rss as f64 / f64::from(1u32 << 20)
            );
        }
        all_rows.push(row);
    }
    let mut peers = Vec::new();
    let mut floor = Vec::new();
    if o.peers
        && let Some(s) = sized_list.first()
    {
        let one = Ctx { passes: 3, ..ctx.clone() };
        peers = run_peers(&one, s, &mut problems)?;
        floor = run_floor(s, &all_rows)?;
    }
    let report = render(o, &sized_list, &all_rows, &peers, &floor, started.elapsed().as_secs_f64(), &load_before);
    println!("{}", report.text);
    let out = bench_dir.join(if o.quick {
        "bench-quick.json"
    } else if !o.rows.is_empty() {
        "bench-rows.json"
    } else {
        "bench.json"
    });
    std::fs::write(&out, serde_json::to_string_pretty(&report.json)? + "\n")?;
    println!("table written to {}", out.strip_prefix(root).unwrap_or(&out).display());
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("bench: {p}");
        }
        bail!(
            "{} problem{} (a crash, failed documents or a stage under {CLIFF_MB_S} MB/s): see above",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// Generates (or reuses) the corpus and the prepared articles of one size.
fn prepare(ctx: &Ctx, bench_dir: &Path, size: u64, seed: u64) -> Result<Sized> {
    let label = size_label(size);
    let corpus = bench_dir.join(format!("corpus-{label}"));
    let marker = gencorpus::generate_cached(&ctx.root, &corpus, size, seed)?;
    let corpus_bytes = corpus_files(&corpus)?.iter().map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)).sum();
    let work = bench_dir.join(format!("run-{label}"));
    std::fs::create_dir_all(&work)?;
    let prep_marker = work.join("prep.json");
    let articles_path = work.join("articles.jsonl");
    if let Some(m) = std::fs::read_to_string(&prep_marker).ok().and_then(|s| serde_json::from_str::<Value>(&s).ok())
        && m["corpus"] == marker
        && articles_path.exists()
    {
        let articles = m["articles"].as_u64().unwrap_or(0);
        let article_bytes = m["text_bytes"].as_u64().unwrap_or(0);
        return Ok(Sized { size, corpus, work, corpus_bytes, articles, article_bytes });
    }
    eprintln!("xtask: preparing articles for {label} (normalise → articles → JSONL)");
    let stages = format!(
        "{NORMALISE}{ARTICLES}[[stage]]\ntype = \"export\"\nname = \"articles-jsonl\"\npath = {}\nfields = [\"id\", \"text\"]\n",
        toml_str(&articles_path.to_string_lossy())
    );
    let spec = RowSpec { name: "prepare", input: Input::Corpus, stages, timed: &[], threads: &[2] };
    let s = Sized { size, corpus, work, corpus_bytes, articles: 0, article_bytes: 0 };
    let stats = run_once(ctx, &s, &spec, 2)?;
    let articles = stats["stages"].as_array().and_then(|a| a.get(1)).map(|st| st["docs_out"].as_u64().unwrap_or(0));
    let (n, text_bytes) = scan_texts(&articles_path, u64::MAX)?;
    if articles != Some(n) {
        bail!("prepared {n} articles but the articles stage emitted {articles:?}");
    }
    std::fs::write(&prep_marker, json!({"corpus": marker, "articles": n, "text_bytes": text_bytes}).to_string())?;
    Ok(Sized { articles: n, article_bytes: text_bytes, ..s })
}

/// Writes (or reuses) `pages.jsonl` beside the prepared articles: each article as a news page
/// (head with meta tags and a script, navigation, share buttons, the paragraphs with inline
/// tags and entities, related links, a footer), so the extract row measures HTML bytes of the
/// shape real pages have. Returns the pages and their HTML bytes.
fn prepare_pages(s: &Sized) -> Result<(u64, u64)> {
    let path = s.work.join("pages.jsonl");
    let marker_path = s.work.join("pages.json");
    let articles = s.work.join("articles.jsonl");
    let stamp = json!({"articles": s.articles, "article_bytes": s.article_bytes, "template": 1});
    if let Some(m) = std::fs::read_to_string(&marker_path).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok())
        && m["stamp"] == stamp
        && path.exists()
    {
        return Ok((m["pages"].as_u64().unwrap_or(0), m["bytes"].as_u64().unwrap_or(0)));
    }
    let reader = std::io::BufReader::new(std::fs::File::open(&articles).context("reading articles.jsonl")?);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let (mut n, mut bytes) = (0u64, 0u64);
    let escape = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    for line in reader.lines() {
        let line = line?;
        let Ok(rec) = serde_json::from_str::<Value>(&line) else { continue };
        let text = rec["text"].as_str().unwrap_or("");
        let id = rec["id"].as_str().unwrap_or("");
        let title = escape(text.lines().next().unwrap_or("").trim());
        let mut body = String::new();
        for (k, para) in text.split("\n\n").enumerate() {
            let para = escape(para.trim());
            if para.is_empty() {
                continue;
            }
            // An inline tag inside a word now and then, as CMS output has.
            let para = match (k % 3, para.find(' ')) {
                (1, Some(sp)) if sp > 2 => format!("{}<b>{}</b>{}", &para[..1], &para[1..sp], &para[sp..]),
                _ => para,
            };
            body.push_str(&format!("<p>{para}</p>\n"));
        }
        let page = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} | The Daily Bench</title>\n<meta property=\"og:title\" content=\"{title}\"><meta name=\"author\" content=\"Jane Roe\">\n<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments)}}gtag('js',new Date());if(a<b&&c>d){{gtag('config','X-1')}}</script>\n<style>body{{font:16px serif}}.nav a{{color:#333}}</style></head>\n<body class=\"article-page\"><header class=\"site-header\"><nav class=\"main-nav\"><ul><li><a href=\"/\">Home</a></li><li><a href=\"/world\">World</a></li><li><a href=\"/business\">Business</a></li><li><a href=\"/sport\">Sport</a></li></ul></nav></header>\n<div class=\"cookie-consent\">We use cookies. <button>Accept</button></div>\n<main><article><h1>{title}</h1><div class=\"byline\">By Jane Roe</div><ul class=\"share-tools\"><li><a href=\"#\">Share</a></li><li><a href=\"#\">Tweet</a></li></ul>\n<div class=\"article-body\" itemprop=\"articleBody\">\n{body}</div>\n<aside class=\"related\"><h3>Related</h3><ul><li><a href=\"/a\">Another story</a></li><li><a href=\"/b\">More news</a></li></ul></aside></article></main>\n<footer><p>&copy; The Daily Bench</p></footer></body></html>\n"
        );
        bytes += page.len() as u64;
        n += 1;
        serde_json::to_writer(&mut out, &json!({"id": id, "text": page}))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    std::fs::write(&marker_path, json!({"stamp": stamp, "pages": n, "bytes": bytes}).to_string())?;
    Ok((n, bytes))
}

/// Writes (or reuses) `target/bench/warc/crawl-<size>.warc.gz`: a synthetic crawl with `size`
/// bytes of HTML (see `genwarc::synthetic`).
fn prepare_warc(ctx: &Ctx, bench_dir: &Path, size: u64, seed: u64) -> Result<Sized> {
    let dir = bench_dir.join("warc");
    std::fs::create_dir_all(&dir)?;
    let label = size_label(size);
    let path = dir.join(format!("crawl-{label}.warc.gz"));
    let marker_path = dir.join(format!("crawl-{label}.json"));
    let marker = json!({"size": size, "seed": seed, "generator": "xtask genwarc::synthetic 1"});
    let old = std::fs::read_to_string(&marker_path).ok().and_then(|s| serde_json::from_str::<Value>(&s).ok());
    let (pages, html) = match old {
        Some(m) if m["of"] == marker && path.exists() => {
            (m["pages"].as_u64().unwrap_or(0), m["html_bytes"].as_u64().unwrap_or(0))
        }
        _ => {
            let t = Instant::now();
            let (pages, html) = crate::genwarc::synthetic(&path, size, seed)?;
            std::fs::write(&marker_path, json!({"of": marker, "pages": pages, "html_bytes": html}).to_string())?;
            eprintln!(
                "xtask: generated {} ({pages} pages) in {:.1}s",
                rel(&ctx.root, &path),
                t.elapsed().as_secs_f64()
            );
            (pages, html)
        }
    };
    let work = dir.join(format!("run-{label}"));
    std::fs::create_dir_all(&work)?;
    Ok(Sized { size, corpus: path, work, corpus_bytes: html, articles: pages, article_bytes: html })
}

/// Writes (or reuses) `target/bench/single/line-<size>.txt`: the generated corpus's text as
/// one line of exactly `size` bytes (line breaks turned into spaces, cut on a char boundary),
/// the shape that made the entity stage quadratic (issue 14).
fn prepare_single(ctx: &Ctx, bench_dir: &Path, size: u64, seed: u64) -> Result<Sized> {
    let dir = bench_dir.join("single");
    std::fs::create_dir_all(&dir)?;
    let label = size_label(size);
    let path = dir.join(format!("line-{label}.txt"));
    let marker_path = dir.join(format!("line-{label}.json"));
    // The dumps are about four fifths of a generated corpus (the rest is JSONL).
    let largest = SINGLE_SIZES.iter().copied().max().unwrap_or(size).max(size);
    let gen_size = largest + largest / 2;
    let marker = json!({"size": size, "seed": seed, "corpus": gen_size, "generator": "xtask gen-corpus, one line"});
    let reuse = std::fs::read_to_string(&marker_path)
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .is_some_and(|m| m == marker)
        && std::fs::metadata(&path).is_ok_and(|m| m.len() == size);
    if !reuse {
        // One corpus big enough for the largest size, shared by all sizes.
        let corpus = dir.join("corpus");
        gencorpus::generate_cached(&ctx.root, &corpus, gen_size, seed)?;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut left = size as usize;
        let dumps = corpus_files(&corpus)?.into_iter().filter(|p| p.extension().is_some_and(|e| e == "txt"));
        for file in dumps {
            if left == 0 {
                break;
            }
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let mut chunk: String = text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
            chunk.push(' ');
            let mut cut = chunk.len().min(left);
            while !chunk.is_char_boundary(cut) {
                cut -= 1;
            }
            // A cut inside a multi-byte char is padded with spaces to the exact size.
            let pad = if cut < chunk.len() && cut < left { left - cut } else { 0 };
            out.write_all(&chunk.as_bytes()[..cut])?;
            out.write_all(" ".repeat(pad).as_bytes())?;
            left -= cut + pad;
        }
        out.flush()?;
        if left > 0 {
            bail!("the generated corpus is {left} bytes short of {label}");
        }
        std::fs::write(&marker_path, marker.to_string())?;
    }
    let work = bench_dir.join(format!("run-single-{label}"));
    std::fs::create_dir_all(&work)?;
    Ok(Sized { size, corpus: path, work, corpus_bytes: size, articles: 1, article_bytes: size })
}

/// The corpus's input files (what the rows read), sorted.
fn corpus_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            (name.starts_with("dump-") && name.ends_with(".txt"))
                || (name.starts_with("articles-") && name.ends_with(".jsonl"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Counts the records and text bytes of a JSONL file of `{id, text}`, up to `limit` bytes of
/// text (the record that crosses it included).
fn scan_texts(path: &Path, limit: u64) -> Result<(u64, u64)> {
    let f = std::io::BufReader::new(std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?);
    let (mut n, mut bytes) = (0u64, 0u64);
    for line in f.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&line).with_context(|| format!("{}: record {}", path.display(), n + 1))?;
        bytes += v["text"].as_str().map_or(0, |t| t.len() as u64);
        n += 1;
        if bytes >= limit {
            break;
        }
    }
    Ok((n, bytes))
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

fn config_text(s: &Sized, spec: &RowSpec, out: &Path) -> String {
    let input = match spec.input {
        Input::Corpus => format!(
            "paths = [{}]\nexclude = [\"**/truth.jsonl\", \"**/corpus.json\"]\n",
            toml_str(&s.corpus.to_string_lossy())
        ),
        Input::Articles => format!("paths = [{}]\n", toml_str(&s.work.join("articles.jsonl").to_string_lossy())),
        Input::Slice => format!("paths = [{}]\n", toml_str(&s.work.join("slice.jsonl").to_string_lossy())),
        Input::Single => format!("paths = [{}]\n", toml_str(&s.corpus.to_string_lossy())),
        Input::Pages => format!("paths = [{}]\n", toml_str(&s.work.join("pages.jsonl").to_string_lossy())),
        Input::Warc => format!("paths = [{}]\nformat = \"warc\"\n", toml_str(&s.corpus.to_string_lossy())),
    };
    format!(
        "# generated by `cargo xtask bench`: {}\n[input]\n{input}\n[output]\ndir = {}\nwrite_documents = false\n\n{}",
        spec.name,
        toml_str(&out.to_string_lossy()),
        spec.stages
    )
}

fn slug(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

/// One `docpipe run` in a fresh output directory; returns its `stats.json`.
fn run_once(ctx: &Ctx, s: &Sized, spec: &RowSpec, threads: usize) -> Result<Value> {
    let tag = format!("{}-{}", slug(spec.name), if spec.input == Input::Slice { "slice" } else { "full" });
    let out = s.work.join(format!("out-{tag}"));
    if out.exists() {
        std::fs::remove_dir_all(&out)?; // a dedupe index left from the last run would be loaded
    }
    let cfg = s.work.join(format!("{tag}.toml"));
    std::fs::write(&cfg, config_text(s, spec, &out))?;
    let output = Command::new(&ctx.bin)
        .arg("run")
        .arg(&cfg)
        .args(["--threads", &threads.to_string(), "--quiet"])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start {}", ctx.bin.display()))?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = err.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect();
        bail!(
            "`docpipe run {} --threads {threads}` failed ({}):\n{}",
            rel(&ctx.root, &cfg),
            output.status,
            tail.join("\n")
        );
    }
    let stats: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("stats.json"))
            .with_context(|| format!("reading {}/stats.json", out.display()))?,
    )?;
    Ok(stats)
}

fn measure_of(stats: &Value, spec: &RowSpec, out: &Path) -> Measure {
    let stages = stats["stages"].as_array().cloned().unwrap_or_default();
    let mut m = Measure {
        wall: stats["seconds"].as_f64().unwrap_or(0.0),
        rss: stats["peak_rss_bytes"].as_u64().unwrap_or(0),
        failed: stats["input"]["failed"].as_u64().unwrap_or(0),
        ..Measure::default()
    };
    for st in &stages {
        let name = st["name"].as_str().unwrap_or("").to_owned();
        let secs = st["seconds"].as_f64().unwrap_or(0.0);
        if spec.timed.is_empty() || spec.timed.contains(&name.as_str()) {
            m.stage += secs;
        }
        m.failed += st["failed"].as_u64().unwrap_or(0);
        if name == "republished" {
            let file = std::fs::metadata(out.join("dedupe.index")).map(|md| md.len()).unwrap_or(0);
            let heap = st["counters"]["index bytes"].as_u64().unwrap_or(file);
            let entries = st["counters"]["index entries"].as_u64().unwrap_or(0);
            m.index = Some((heap, st["docs_in"].as_u64().unwrap_or(0), entries));
        }
        m.per_stage.push((name, secs));
    }
    if spec.stages.is_empty() {
        // Reading is the work (the `warc read` row).
        m.stage = m.wall;
    }
    m
}

fn measure_row(ctx: &Ctx, s: &Sized, spec: &RowSpec) -> Result<Row> {
    let (bytes, docs) = match spec.input {
        Input::Corpus => (s.corpus_bytes, s.articles),
        Input::Articles => (s.article_bytes, s.articles),
        Input::Slice => scan_texts(&s.work.join("slice.jsonl"), u64::MAX).map(|(n, b)| (b, n))?,
        Input::Single => (s.corpus_bytes, 1),
        Input::Pages => prepare_pages(s).map(|(n, b)| (b, n))?,
        Input::Warc => (s.corpus_bytes, s.articles),
    };
    let mut row = Row { size: s.size, name: spec.name, bytes, docs, runs: vec![] };
    let tag = format!("{}-{}", slug(spec.name), if spec.input == Input::Slice { "slice" } else { "full" });
    for &threads in spec.threads {
        let mut best: Option<Measure> = None;
        for _ in 0..ctx.passes {
            let stats = run_once(ctx, s, spec, threads)?;
            let m = measure_of(&stats, spec, &s.work.join(format!("out-{tag}")));
            best = Some(match best {
                None => m,
                Some(b) => Measure {
                    wall: b.wall.min(m.wall),
                    stage: b.stage.min(m.stage),
                    per_stage: b
                        .per_stage
                        .iter()
                        .zip(&m.per_stage)
                        .map(|((n, x), (_, y))| (n.clone(), x.min(*y)))
                        .collect(),
                    rss: b.rss.max(m.rss),
                    failed: b.failed.max(m.failed),
                    index: m.index.or(b.index),
                },
            });
        }
        if let Some(b) = best {
            row.runs.push((threads, b));
        }
    }
    // The output directories are scratch: keep the disk use to the corpora.
    let _ = std::fs::remove_dir_all(s.work.join(format!("out-{tag}")));
    Ok(row)
}

fn check_row(row: &Row, problems: &mut Vec<String>) {
    for (t, m) in &row.runs {
        if m.failed > 0 {
            problems.push(format!(
                "{} {}: {} documents failed with {t} thread(s)",
                size_label(row.size),
                row.name,
                m.failed
            ));
        }
    }
    for (what, v) in [("stage", row.stage_mb_s()), ("wall", row.wall_mb_s(1).or(row.wall_mb_s(2)))] {
        if let Some(v) = v
            && v < CLIFF_MB_S
        {
            problems.push(format!(
                "{} {}: {what} throughput {v:.2} MB/s is under {CLIFF_MB_S} MB/s (a performance cliff)",
                size_label(row.size),
                row.name
            ));
        }
    }
}

fn print_row_progress(row: &Row) {
    let f = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
    eprintln!(
        "xtask: {:>5} {:<30} stage {:>7} MB/s, wall 1t {:>6} MB/s, 2t {:>6} MB/s",
        size_label(row.size),
        row.name,
        f(row.stage_mb_s()),
        f(row.wall_mb_s(1)),
        f(row.wall_mb_s(2))
    );
}

/// A peer's (or docpipe's) figure on one task.
struct PeerResult {
    task: &'static str,
    peer: String,
    on: String,
    docpipe_mb_s: Option<f64>,
    peer_mb_s: Option<f64>,
    note: String,
}

/// The Python peers: (task, peer argument of peers.py, label).
const PEERS: &[(&str, &str, &str)] = &[
    ("sentences", "pysbd", "pysbd"),
    ("sentences", "sentencizer", "spaCy sentencizer"),
    ("near-dup", "datasketch", "datasketch MinHashLSH"),
    ("ner", "spacy-ner", "spaCy en_core_web_sm NER"),
    ("summarise", "sumy-lexrank", "sumy LexRank (3 sentences)"),
];

fn run_peers(ctx: &Ctx, s: &Sized, problems: &mut Vec<String>) -> Result<Vec<PeerResult>> {
    // The slice: the first articles, whole, until SLICE_BYTES of text.
    let slice = s.work.join("slice.jsonl");
    {
        let f = std::io::BufReader::new(std::fs::File::open(s.work.join("articles.jsonl"))?);
        let mut w = std::io::BufWriter::new(std::fs::File::create(&slice)?);
        let mut bytes = 0u64;
        for line in f.lines() {
            let line = line?;
            let v: Value = serde_json::from_str(&line)?;
            bytes += v["text"].as_str().map_or(0, |t| t.len() as u64);
            writeln!(w, "{line}")?;
            if bytes >= SLICE_BYTES {
                break;
            }
        }
        w.flush()?;
    }
    let (n, bytes) = scan_texts(&slice, u64::MAX)?;
    let on = format!("{} slice ({n} articles)", size_label(bytes.max(1)));
    let mut docpipe = Vec::new();
    for (task, spec) in slice_rows() {
        let row = measure_row(ctx, s, &spec)?;
        docpipe.push((task, row.stage_mb_s()));
    }
    let (bands, rows) = optimal_bands(THRESHOLD, NUM_PERM, BAND_WEIGHTS.0, BAND_WEIGHTS.1);
    let mut out = Vec::new();
    for &(task, arg, label) in PEERS {
        let mut py = Command::new("python3");
        py.arg(ctx.root.join("xtask/bench/peers.py")).arg(arg).arg("--input").arg(&slice);
        py.args(["--ngram", &NGRAM.to_string(), "--threshold", &THRESHOLD.to_string()]);
        py.args(["--num-perm", &NUM_PERM.to_string(), "--bands", &bands.to_string(), "--rows", &rows.to_string()]);
        py.args(["--sentences", "3"]);
        eprintln!("xtask: peer {label} on {on}");
        let res = py.current_dir(&ctx.root).stderr(Stdio::inherit()).output();
        let dp = docpipe.iter().find(|(t, _)| *t == task).and_then(|(_, v)| *v);
        let mut r = PeerResult {
            task,
            peer: label.to_owned(),
            on: on.clone(),
            docpipe_mb_s: dp,
            peer_mb_s: None,
            note: String::new(),
        };
        match res {
            Ok(o) if o.status.success() => {
                let stdout = String::from_utf8_lossy(&o.stdout);
                let v: Option<Value> = stdout.lines().rev().find_map(|l| serde_json::from_str(l).ok());
                match v {
                    Some(v) => {
                        let secs = v["seconds"].as_f64().unwrap_or(0.0);
                        r.peer_mb_s = Some(mb_s(v["bytes"].as_u64().unwrap_or(0), secs));
                        r.peer = format!("{label} {}", v["version"].as_str().unwrap_or(""));
                        r.note = v["note"].as_str().unwrap_or("").to_owned();
                    }
                    None => {
                        problems.push(format!("peer {label}: no JSON result on stdout"));
                        r.note = "no result".into();
                    }
                }
            }
            Ok(o) => {
                problems.push(format!("peer {label} failed ({})", o.status));
                r.note = format!("failed ({})", o.status);
            }
            Err(e) => {
                problems.push(format!("peer {label}: cannot start python3: {e}"));
                r.note = "python3 missing".into();
            }
        }
        out.push(r);
    }
    Ok(out)
}

/// `cat` and a plain Rust word count over the whole corpus: the floor any pipeline pays.
fn run_floor(s: &Sized, rows: &[Row]) -> Result<Vec<PeerResult>> {
    let files = corpus_files(&s.corpus)?;
    let pipeline = rows.iter().find(|r| r.size == s.size && r.name == "news pipeline").and_then(|r| r.wall_mb_s(1));
    let on = format!("full {} corpus", size_label(s.size));
    // Warm the page cache (and time the word count on the second pass).
    let mut words = 0usize;
    let mut best_wc = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        words = 0;
        for f in &files {
            let b = std::fs::read(f)?;
            words += b.split(u8::is_ascii_whitespace).filter(|w| !w.is_empty()).count();
        }
        best_wc = best_wc.min(t.elapsed().as_secs_f64());
    }
    let mut best_cat = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        let st = Command::new("cat").args(&files).stdout(Stdio::null()).status()?;
        if !st.success() {
            bail!("cat failed ({st})");
        }
        best_cat = best_cat.min(t.elapsed().as_secs_f64());
    }
    Ok(vec![
        PeerResult {
            task: "floor",
            peer: "cat > /dev/null".into(),
            on: on.clone(),
            docpipe_mb_s: pipeline,
            peer_mb_s: Some(mb_s(s.corpus_bytes, best_cat)),
            note: "docpipe = news pipeline, wall, 1 thread".into(),
        },
        PeerResult {
            task: "floor",
            peer: "Rust word count (read + split)".into(),
            on,
            docpipe_mb_s: pipeline,
            peer_mb_s: Some(mb_s(s.corpus_bytes, best_wc)),
            note: format!("{words} words"),
        },
    ])
}

struct Report {
    text: String,
    json: Value,
}

fn fmt(v: Option<f64>, prec: usize) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.prec$}"),
        Some(_) => "inf".into(),
        None => "-".into(),
    }
}

fn mib(b: u64) -> String {
    format!("{:.0} MiB", b as f64 / (1u64 << 20) as f64)
}

/// The figures the issue sets as targets (single thread, stage MB/s, ratio to the peer).
const TARGETS: &[(&str, &str, f64, &str, f64)] = &[
    ("sentence splitting", "splitter articles+sentences", 100.0, "pysbd", 300.0),
    ("near-dup dedupe", "dedupe near, document", 30.0, "datasketch", 20.0),
    ("entity tagging", "entities", 20.0, "spaCy en_core_web_sm", 500.0),
    ("summarisation", "summarise lexrank, 3", 30.0, "sumy", 200.0),
];

/// The 1-minute load average (`/proc/loadavg`): other work on the machine skews the 2-thread
/// figures, so the table says how busy it was.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

fn render(
    o: &Options,
    sized: &[Sized],
    rows: &[Row],
    peers: &[PeerResult],
    floor: &[PeerResult],
    secs: f64,
    load_before: &str,
) -> Report {
    let load_after = loadavg();
    let mut t = String::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let cmd = format!(
        "cargo xtask bench{}{} --sizes {}{}",
        if o.quick { " --quick" } else { "" },
        if o.peers { " --peers" } else { "" },
        o.sizes.iter().map(|s| size_label(*s)).collect::<Vec<_>>().join(","),
        if o.rows.is_empty() { String::new() } else { format!(" --rows {:?}", o.rows.join(",")) }
    );
    t.push_str(&format!(
        "\n{cmd}  (seed {}; {cores} cores, {cpu}; {secs:.0}s; load average {load_before} before, {load_after} after)\n\n",
        o.seed
    ));
    for s in sized {
        t.push_str(&format!(
            "corpus {}: {} bytes in {} files, {} articles ({} bytes of article text)\n",
            size_label(s.size),
            s.corpus_bytes,
            corpus_files(&s.corpus).map(|f| f.len()).unwrap_or(0),
            s.articles,
            s.article_bytes
        ));
    }
    t.push('\n');
    let header = format!(
        "| {:<5} | {:<30} | {:>7} | {:>8} | {:>11} | {:>8} | {:>10} | {:>10} | {:>8} | {:>9} | {:>9} |\n",
        "size",
        "row",
        "MB in",
        "docs",
        "stage MB/s",
        "docs/s",
        "wall MB/s 1",
        "wall MB/s 2",
        "speed-up",
        "RSS 1 thr",
        "RSS 2 thr"
    );
    t.push_str(&header);
    t.push_str(&format!(
        "|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|\n",
        "-".repeat(7),
        "-".repeat(32),
        "-".repeat(8) + ":",
        "-".repeat(9) + ":",
        "-".repeat(12) + ":",
        "-".repeat(9) + ":",
        "-".repeat(12) + ":",
        "-".repeat(12) + ":",
        "-".repeat(9) + ":",
        "-".repeat(10) + ":",
        "-".repeat(10) + ":"
    ));
    let mut jrows = Vec::new();
    for r in rows {
        let stage = r.stage_mb_s();
        let docs_s = r.at(1).map(|m| if m.stage > 0.0 { r.docs as f64 / m.stage } else { f64::INFINITY });
        t.push_str(&format!(
            "| {:<5} | {:<30} | {:>7.1} | {:>8} | {:>11} | {:>8} | {:>11} | {:>11} | {:>8} | {:>9} | {:>9} |\n",
            size_label(r.size),
            r.name,
            r.bytes as f64 / 1e6,
            r.docs,
            fmt(stage, 1),
            fmt(docs_s, 0),
            fmt(r.wall_mb_s(1), 1),
            fmt(r.wall_mb_s(2), 1),
            r.speedup().map_or("-".into(), |v| format!("{v:.2}×")),
            r.at(1).map_or("-".into(), |m| mib(m.rss)),
            r.at(2).map_or("-".into(), |m| mib(m.rss)),
        ));
        if r.name == "splitter articles+sentences" {
            // The sentence rule alone, from the same run's per-stage clock.
            let sent = r.stage_seconds_of("sentences");
            t.push_str(&format!(
                "| {:<5} | {:<30} | {:>7.1} | {:>8} | {:>11} | {:>8} | {:>11} | {:>11} | {:>8} | {:>9} | {:>9} |\n",
                size_label(r.size),
                "  of which sentences",
                r.bytes as f64 / 1e6,
                r.docs,
                fmt(sent.map(|s| mb_s(r.bytes, s)), 1),
                fmt(sent.map(|s| r.docs as f64 / s), 0),
                "",
                "",
                "",
                "",
                ""
            ));
        }
        let runs: Vec<Value> = r
            .runs
            .iter()
            .map(|(th, m)| {
                json!({
                    "threads": th, "wall_seconds": m.wall, "stage_seconds": m.stage,
                    "stages": m.per_stage.iter().map(|(n, s)| json!({"name": n, "seconds": s})).collect::<Vec<_>>(),
                    "peak_rss_bytes": m.rss, "failed": m.failed,
                    "dedupe_index_bytes": m.index.map(|i| i.0), "dedupe_documents": m.index.map(|i| i.1),
                    "dedupe_index_entries": m.index.map(|i| i.2),
                })
            })
            .collect();
        jrows.push(json!({
            "size": size_label(r.size), "row": r.name, "bytes": r.bytes, "documents": r.docs,
            "stage_mb_s_1thread": stage, "docs_s_1thread": docs_s,
            "wall_mb_s_1thread": r.wall_mb_s(1), "wall_mb_s_2threads": r.wall_mb_s(2),
            "speedup_1_to_2": r.speedup(), "sentences_stage_mb_s_1thread": r.stage_seconds_of("sentences").map(|s| mb_s(r.bytes, s)),
            "runs": runs,
        }));
    }
    t.push_str(
        "\nMB = 10^6 bytes. MB in: the corpus files (normalise, splitter, pipelines) or the article text (the other rows).\n\
         stage MB/s, docs/s: 1 thread, over the time spent inside the row's stages (reading and JSON excluded).\n\
         wall MB/s: the whole run (read, process, write), 1 and 2 threads; speed-up = wall 1 thread / wall 2 threads.\n\
         docs are articles. RSS: peak resident memory (VmHWM) of the docpipe process.\n",
    );

    // Memory: the pipeline without dedupe should be flat in corpus size; dedupe's index grows.
    let mut mem = Vec::new();
    t.push_str("\nmemory\n");
    let nodedupe: Vec<&Row> = rows.iter().filter(|r| r.name == "news pipeline, no dedupe").collect();
    for w in nodedupe.windows(2) {
        let (a, b) = (w[0], w[1]);
        if let (Some(ma), Some(mb)) = (a.at(2), b.at(2)) {
            let ratio = mb.rss as f64 / ma.rss.max(1) as f64;
            t.push_str(&format!(
                "  pipeline without dedupe, 2 threads: peak RSS {} at {} vs {} at {}: {ratio:.2}× ({} 1.25×)\n",
                mib(mb.rss),
                size_label(b.size),
                mib(ma.rss),
                size_label(a.size),
                if ratio <= 1.25 { "within" } else { "NOT within" }
            ));
            mem.push(json!({"from": size_label(a.size), "to": size_label(b.size), "rss_from": ma.rss, "rss_to": mb.rss, "ratio": ratio, "within_1_25": ratio <= 1.25}));
        }
    }
    for r in rows.iter().filter(|r| r.name.starts_with("dedupe ") || r.name == "news pipeline") {
        if let Some((idx, docs, entries)) = r.at(1).and_then(|m| m.index) {
            let per = idx as f64 / docs.max(1) as f64;
            let per_entry = idx as f64 / entries.max(1) as f64;
            t.push_str(&format!(
                "  {} {}: dedupe index {} bytes in memory for {docs} documents = {per:.0} bytes/document ({per_entry:.0} per indexed document)\n",
                size_label(r.size),
                r.name,
                idx
            ));
            mem.push(json!({"size": size_label(r.size), "row": r.name, "index_bytes": idx, "documents": docs, "indexed": entries, "bytes_per_document": per, "bytes_per_indexed_document": per_entry}));
        }
    }

    // Single documents: time per byte and memory per byte must not grow with the size.
    let single: Vec<&Row> = rows.iter().filter(|r| r.name.starts_with("single document")).collect();
    if !single.is_empty() {
        t.push_str("\nsingle documents (one line of news text, 1 thread)\n");
    }
    for r in &single {
        let Some(m) = r.at(1) else { continue };
        let smallest = single.iter().filter(|x| x.name == r.name).min_by_key(|x| x.size);
        let slowdown = smallest
            .filter(|x| x.size < r.size)
            .and_then(|x| Some(x.stage_mb_s()? / r.stage_mb_s()?))
            .map_or(String::new(), |v| format!(", stage time per byte {v:.2}× the smallest size's"));
        let per_byte = m.rss as f64 / r.bytes.max(1) as f64;
        t.push_str(&format!(
            "  {:>6} {:<30} stage {} MB/s, wall {} MB/s, peak RSS {} = {per_byte:.2}× the document{slowdown}\n",
            size_label(r.size),
            r.name,
            fmt(r.stage_mb_s(), 1),
            fmt(r.wall_mb_s(1), 1),
            mib(m.rss)
        ));
        mem.push(json!({"size": size_label(r.size), "row": r.name, "single_document_bytes": r.bytes, "peak_rss_bytes": m.rss, "rss_per_document_byte": per_byte}));
    }

    let mut jpeers = Vec::new();
    if !peers.is_empty() || !floor.is_empty() {
        t.push_str("\npeers (docpipe on the same documents, 1 thread, stage time; peers time only their processing, models loaded)\n\n");
        t.push_str(&format!(
            "| {:<9} | {:<44} | {:<28} | {:>13} | {:>10} | {:>12} |\n",
            "task", "peer", "on", "docpipe MB/s", "peer MB/s", "docpipe/peer"
        ));
        t.push_str(&format!(
            "|{}|{}|{}|{}|{}|{}|\n",
            "-".repeat(11),
            "-".repeat(46),
            "-".repeat(30),
            "-".repeat(14) + ":",
            "-".repeat(11) + ":",
            "-".repeat(13) + ":"
        ));
        for p in peers.iter().chain(floor) {
            let ratio = match (p.docpipe_mb_s, p.peer_mb_s) {
                (Some(d), Some(q)) if q > 0.0 => Some(d / q),
                _ => None,
            };
            t.push_str(&format!(
                "| {:<9} | {:<44} | {:<28} | {:>13} | {:>10} | {:>12} |\n",
                p.task,
                p.peer,
                p.on,
                fmt(p.docpipe_mb_s, 1),
                fmt(p.peer_mb_s, 3),
                ratio.map_or(if p.note.is_empty() { "-".into() } else { p.note.clone() }, |r| {
                    if r >= 10.0 { format!("{r:.0}×") } else { format!("{r:.3}×") }
                })
            ));
            jpeers.push(json!({"task": p.task, "peer": p.peer, "on": p.on, "docpipe_mb_s": p.docpipe_mb_s,
                "peer_mb_s": p.peer_mb_s, "ratio": ratio, "note": p.note}));
        }
    }

    // Targets (from the issue): single thread, stage MB/s and the ratio to the peer.
    let mut jtargets = Vec::new();
    if !o.quick {
        t.push_str("\ntargets (single thread; largest size measured)\n");
        let largest = sized.last().map(|s| s.size).unwrap_or(0);
        let find = |name: &str| rows.iter().find(|r| r.size == largest && r.name == name);
        for &(what, row, min_mb_s, peer, min_ratio) in TARGETS {
            let v = find(row).and_then(|r| {
                if row.starts_with("splitter") {
                    r.stage_seconds_of("sentences").map(|s| mb_s(r.bytes, s))
                } else {
                    r.stage_mb_s()
                }
            });
            let ratio =
                peers.iter().find(|p| p.peer.starts_with(peer)).and_then(|p| Some(p.docpipe_mb_s? / p.peer_mb_s?));
            let ok_speed = v.is_some_and(|v| v >= min_mb_s);
            let ok_ratio = ratio.map(|r| r >= min_ratio);
            t.push_str(&format!(
                "  {what:<20} {} MB/s (target ≥ {min_mb_s}: {})   vs {peer}: {} (target ≥ {min_ratio}×: {})\n",
                fmt(v, 1),
                if ok_speed { "met" } else { "MISSED" },
                ratio.map_or("-".into(), |r| format!("{r:.0}×")),
                match ok_ratio {
                    Some(true) => "met",
                    Some(false) => "MISSED",
                    None => "not run",
                }
            ));
            jtargets.push(json!({"target": what, "mb_s": v, "min_mb_s": min_mb_s, "peer": peer, "ratio": ratio, "min_ratio": min_ratio}));
        }
        if let Some(r) = find("news pipeline") {
            let v = r.wall_mb_s(1);
            let sp = r.speedup();
            t.push_str(&format!(
                "  {:<20} {} MB/s wall (target ≥ 15: {})   2 threads: {} (target ≥ 1.7×: {})\n",
                "news pipeline",
                fmt(v, 1),
                if v.is_some_and(|v| v >= 15.0) { "met" } else { "MISSED" },
                sp.map_or("-".into(), |s| format!("{s:.2}×")),
                if sp.is_some_and(|s| s >= 1.7) { "met" } else { "MISSED" }
            ));
            jtargets.push(
                json!({"target": "news pipeline", "mb_s": v, "min_mb_s": 15.0, "speedup": sp, "min_speedup": 1.7}),
            );
        }
    }
    let json = json!({
        "command": cmd, "seed": o.seed, "cores": cores, "cpu": cpu, "seconds": secs,
        "load_average_before": load_before, "load_average_after": load_after,
        "corpora": sized.iter().map(|s| json!({"size": size_label(s.size), "bytes": s.corpus_bytes, "articles": s.articles, "article_text_bytes": s.article_bytes})).collect::<Vec<_>>(),
        "rows": jrows, "memory": mem, "peers": jpeers, "targets": jtargets,
    });
    Report { text: t, json }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse() {
        let parse = |args: &str| match crate::parse_task(&format!("bench {args}")) {
            Ok(crate::Task::Bench(o)) => Ok(o.normalised()),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e),
        };
        let o = parse("--quick").unwrap();
        assert!(o.quick && !o.peers && o.sizes == vec![10 << 20]);
        let o = parse("--peers --sizes 100MB,10MB --rows dedupe,news").unwrap();
        assert_eq!(o.sizes, vec![10 << 20, 100 << 20]);
        assert_eq!(o.rows, ["dedupe", "news"]);
        assert_eq!(parse("").unwrap().sizes.len(), 3);
        assert!(parse("--quick --peers").is_err());
        assert!(parse("--sizes").is_err());
        assert!(parse("--sizes lots").is_err());
        assert!(parse("--fast").is_err());
    }

    #[test]
    fn labels_and_banding() {
        assert_eq!(size_label(10 << 20), "10MB");
        assert_eq!(size_label(1 << 30), "1GB");
        assert_eq!(size_label(3 << 19), "1.5MB");
        let (b, r) = optimal_bands(0.5, 128, BAND_WEIGHTS.0, BAND_WEIGHTS.1);
        assert!(b * r <= 128 && b > 0 && r > 0);
    }
}
