//! Validator for the hand-built gold corpus in `tests/corpus/gold/`.
//!
//! It loads every gold file (`articles.json`, `dumps.json`, `duplicates.json`,
//! `summaries.json`) together with the raw corpus files they describe and checks
//! that every offset lands on the text it claims:
//!
//! * every input file under `tests/corpus/` (`*.txt`, `*.jsonl`, outside
//!   `gold/`) is described in `dumps.json`, and every described file exists
//!   with the recorded size and line ending;
//! * article spans lie inside their file (or JSONL record text), fall on UTF-8
//!   char boundaries, tile each dump/single file exactly and cover whole lines;
//! * line roles are known and cover whole lines: an article's lines are
//!   exactly the lines of its span, in order, terminator excluded;
//! * datelines sit inside a line of the article (at its start) and match their
//!   recorded text;
//! * sentence spans lie inside their line, are ordered, non-overlapping and
//!   trimmed;
//! * every entity span's bytes equal its recorded `text`, with a known label
//!   and a non-empty canonical name, inside one line of its article;
//! * summaries are non-empty and name existing articles; duplicate groups
//!   refer to existing article ids, exact copies are byte-identical, and pull
//!   quote passages repeat their source passage;
//! * every article and file has a split, and at least a third of articles
//!   (and of dump files) are `test`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

const ROLES: &[&str] =
    &["body", "dateline", "standfirst", "subheading", "pull_quote", "caption", "related_link", "byline"];

const LABELS: &[&str] = &[
    "PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "LAW", "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY",
    "CARDINAL", "ORDINAL",
];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn load_json(name: &str) -> Value {
    let path = corpus_dir().join("gold").join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path:?}: {e}"))
}

fn as_usize(v: &Value, what: &str) -> usize {
    let n = v.as_u64().unwrap_or_else(|| panic!("{what}: expected a non-negative integer, got {v}"));
    usize::try_from(n).unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn as_str<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str().unwrap_or_else(|| panic!("{what}: expected a string, got {v}"))
}

fn span(v: &Value, what: &str) -> (usize, usize) {
    let s = as_usize(&v["start"], &format!("{what}.start"));
    let e = as_usize(&v["end"], &format!("{what}.end"));
    assert!(s <= e, "{what}: start {s} > end {e}");
    (s, e)
}

/// The text an article's offsets refer to: a whole dump/single file, or one
/// JSONL record's `text`.
struct Doc {
    bytes: Vec<u8>,
    text: String,
}

impl Doc {
    fn new(bytes: Vec<u8>, what: &str) -> Self {
        let text = String::from_utf8(bytes.clone()).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
        Doc { bytes, text }
    }

    fn slice(&self, s: usize, e: usize, what: &str) -> &str {
        assert!(e <= self.bytes.len(), "{what}: end {e} beyond text of {} bytes", self.bytes.len());
        assert!(self.text.is_char_boundary(s), "{what}: start {s} not on a char boundary");
        assert!(self.text.is_char_boundary(e), "{what}: end {e} not on a char boundary");
        &self.text[s..e]
    }
}

/// All files the pipeline would read: `*.txt` and `*.jsonl` under the corpus
/// folder, recursively, excluding `gold/`.
fn input_files(dir: &Path, rel: &str, out: &mut BTreeSet<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("listing {dir:?}: {e}"))
        .map(|e| e.unwrap_or_else(|err| panic!("listing {dir:?}: {err}")))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let child = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        if path.is_dir() {
            if name != "gold" {
                input_files(&path, &child, out);
            }
        } else if name.ends_with(".txt") || name.ends_with(".jsonl") {
            out.insert(child);
        }
    }
}

struct Loaded {
    /// file -> (kind, line ending, raw bytes)
    files: BTreeMap<String, (String, String, Vec<u8>)>,
    dumps: Value,
    articles: Value,
}

fn load() -> Loaded {
    let dumps = load_json("dumps.json");
    let articles = load_json("articles.json");
    let mut files = BTreeMap::new();
    for f in dumps["files"].as_array().unwrap_or_else(|| panic!("dumps.json: no files array")) {
        let name = as_str(&f["file"], "dumps.json file").to_owned();
        let kind = as_str(&f["kind"], "dumps.json kind").to_owned();
        let eol = as_str(&f["line_ending"], "dumps.json line_ending").to_owned();
        let bytes = fs::read(corpus_dir().join(&name)).unwrap_or_else(|e| panic!("reading {name}: {e}"));
        assert_eq!(as_usize(&f["bytes"], "bytes"), bytes.len(), "{name}: recorded size differs");
        assert!(files.insert(name.clone(), (kind, eol, bytes)).is_none(), "{name} listed twice");
    }
    Loaded { files, dumps, articles }
}

/// The document an article's offsets refer to.
fn doc_for(loaded: &Loaded, art: &Value) -> Doc {
    let id = as_str(&art["id"], "article id");
    let file = as_str(&art["file"], "article file");
    let (kind, _, bytes) = loaded.files.get(file).unwrap_or_else(|| panic!("{id}: file {file} not in dumps.json"));
    assert_eq!(kind, as_str(&art["kind"], "kind"), "{id}: kind differs from dumps.json");
    if kind == "jsonl" {
        let record = as_usize(&art["record"], &format!("{id}.record"));
        let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{file}: not UTF-8: {e}"));
        let line = text.lines().nth(record).unwrap_or_else(|| panic!("{id}: no record {record} in {file}"));
        let rec: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{id}: bad JSONL record: {e}"));
        assert_eq!(as_str(&rec["id"], "record id"), id, "{id}: JSONL record id differs");
        let meta = &rec["metadata"];
        for key in ["outlet", "date", "url", "story"] {
            assert!(meta[key].is_string(), "{id}: JSONL metadata.{key} missing");
        }
        assert_eq!(meta["story"], art["story"], "{id}: story differs from JSONL metadata");
        let url = as_str(&meta["url"], "url");
        assert!(
            url.starts_with("https://") && (url.contains("example.org/") || url.contains("example.com/")),
            "{id}: url must be an example.org/example.com address: {url}"
        );
        Doc::new(as_str(&rec["text"], "record text").as_bytes().to_vec(), id)
    } else {
        Doc::new(bytes.clone(), file)
    }
}

/// Byte spans of the lines of `text[start..end]`, terminators excluded.
fn lines_in(text: &str, start: usize, end: usize, crlf: bool, jsonl: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = start;
    let region = &text[start..end];
    for piece in region.split_inclusive('\n') {
        let mut content = piece.len();
        if piece.ends_with('\n') {
            content -= 1;
            if crlf {
                assert!(piece[..content].ends_with('\r'), "line at {pos} lacks CRLF");
                content -= 1;
            }
        } else {
            assert!(jsonl, "line at {pos} is not terminated");
        }
        out.push((pos, pos + content));
        pos += piece.len();
    }
    out
}

#[test]
fn every_input_file_is_described() {
    let loaded = load();
    let mut found = BTreeSet::new();
    input_files(&corpus_dir(), "", &mut found);
    let described: BTreeSet<String> = loaded.files.keys().cloned().collect();
    assert_eq!(found, described, "corpus input files and dumps.json disagree");
    let n_dumps = loaded.files.values().filter(|(k, _, _)| k == "dump").count();
    assert!(n_dumps >= 3, "expected at least 3 dump files, found {n_dumps}");
    assert!(loaded.files.values().any(|(k, _, _)| k == "jsonl"), "no JSONL file");
}

#[test]
fn article_spans_lines_sentences_and_entities() {
    let loaded = load();
    let arts = loaded.articles["articles"].as_array().expect("articles array");
    assert!(!arts.is_empty(), "no articles");
    let mut ids = BTreeSet::new();
    // file -> article spans in order (dump/single only)
    let mut tiles: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    let mut n_entities = 0usize;
    let mut n_sentences = 0usize;

    for art in arts {
        let id = as_str(&art["id"], "article id");
        assert!(ids.insert(id.to_owned()), "duplicate article id {id}");
        for key in ["story", "outlet", "date"] {
            assert!(!as_str(&art[key], key).is_empty(), "{id}: empty {key}");
        }
        let split = as_str(&art["split"], "split");
        assert!(split == "dev" || split == "test", "{id}: bad split {split}");
        let file = as_str(&art["file"], "file");
        let (kind, eol, _) = &loaded.files[file];
        let doc = doc_for(&loaded, art);
        let (start, end) = span(art, id);
        let body = doc.slice(start, end, id);
        let jsonl = kind == "jsonl";
        if jsonl {
            assert_eq!((start, end), (0, doc.bytes.len()), "{id}: JSONL article must span its whole text");
        } else {
            assert!(body.ends_with('\n'), "{id}: article must end with a line terminator");
            assert!(start == 0 || doc.text[..start].ends_with('\n'), "{id}: article must start at a line start");
            tiles.entry(file.to_owned()).or_default().push((start, end));
        }
        let words = body.split_whitespace().count();
        assert_eq!(as_usize(&art["words"], "words"), words, "{id}: word count");

        // lines: exactly the lines of the span, whole lines, known roles
        let expected = lines_in(&doc.text, start, end, eol == "crlf", jsonl);
        let lines = art["lines"].as_array().expect("lines array");
        assert_eq!(lines.len(), expected.len(), "{id}: number of lines");
        let mut line_spans = Vec::new();
        for (i, (line, exp)) in lines.iter().zip(&expected).enumerate() {
            let what = format!("{id} line {i}");
            let sp = span(line, &what);
            assert_eq!(sp, *exp, "{what}: does not cover a whole line");
            let role = as_str(&line["role"], &what);
            assert!(ROLES.contains(&role), "{what}: unknown role {role}");
            let t = doc.slice(sp.0, sp.1, &what);
            assert!(!t.trim().is_empty(), "{what}: empty line");
            line_spans.push(sp);
        }
        let line_of = |s: usize, e: usize| line_spans.iter().position(|&(ls, le)| ls <= s && e <= le);

        // dateline
        if !art["dateline"].is_null() {
            let dl = &art["dateline"];
            let what = format!("{id} dateline");
            let (s, e) = span(dl, &what);
            assert!(s < e, "{what}: empty");
            assert_eq!(doc.slice(s, e, &what), as_str(&dl["text"], &what), "{what}: text");
            let li = line_of(s, e).unwrap_or_else(|| panic!("{what}: not inside one line"));
            assert_eq!(line_spans[li].0, s, "{what}: must start its line");
            let role = as_str(&lines[li]["role"], "role");
            if role == "dateline" {
                assert_eq!(line_spans[li].1, e, "{what}: a dateline line is all dateline");
            } else {
                assert_eq!(role, "body", "{what}: inline dateline must open a body line");
            }
        }

        // sentences
        let sentences = art["sentences"].as_array().expect("sentences array");
        assert!(!sentences.is_empty(), "{id}: no sentences");
        let mut prev_end = start;
        for (i, s) in sentences.iter().enumerate() {
            let what = format!("{id} sentence {i}");
            let (ss, se) = span(s, &what);
            assert!(ss < se, "{what}: empty");
            assert!(ss >= prev_end, "{what}: overlaps or precedes the previous sentence");
            prev_end = se;
            let li = as_usize(&s["line"], &what);
            assert!(li < line_spans.len(), "{what}: bad line index");
            let (ls, le) = line_spans[li];
            assert!(ls <= ss && se <= le, "{what}: not inside its line");
            let t = doc.slice(ss, se, &what);
            assert_eq!(t, t.trim(), "{what}: untrimmed sentence {t:?}");
        }
        n_sentences += sentences.len();

        // entities
        let ents = art["entities"].as_array().expect("entities array");
        let mut prev = 0usize;
        for (i, ent) in ents.iter().enumerate() {
            let what = format!("{id} entity {i}");
            let (es, ee) = span(ent, &what);
            assert!(es < ee, "{what}: empty");
            assert!(es >= prev, "{what}: entities out of order or overlapping");
            prev = ee;
            let text = as_str(&ent["text"], &what);
            assert_eq!(doc.slice(es, ee, &what), text, "{what}: bytes differ from recorded text");
            assert_eq!(text, text.trim(), "{what}: untrimmed entity {text:?}");
            let label = as_str(&ent["label"], &what);
            assert!(LABELS.contains(&label), "{what}: unknown label {label}");
            assert!(!as_str(&ent["canonical"], &what).trim().is_empty(), "{what}: empty canonical");
            assert!(line_of(es, ee).is_some(), "{what}: {text:?} not inside one line");
        }
        n_entities += ents.len();
    }

    // dump/single files are tiled exactly by their articles
    for (file, spans) in &tiles {
        let size = loaded.files[file].2.len();
        let mut pos = 0;
        for &(s, e) in spans {
            assert_eq!(s, pos, "{file}: gap or overlap before article at {s}");
            pos = e;
        }
        assert_eq!(pos, size, "{file}: articles do not reach the end of the file");
    }
    // every file's article list matches the articles that claim it
    for f in loaded.dumps["files"].as_array().expect("files") {
        let file = as_str(&f["file"], "file");
        let listed: Vec<&str> =
            f["articles"].as_array().expect("articles").iter().map(|v| as_str(v, "article id")).collect();
        let actual: Vec<&str> = arts.iter().filter(|a| a["file"] == *file).map(|a| as_str(&a["id"], "id")).collect();
        assert_eq!(listed, actual, "{file}: article list differs from articles.json order");
    }
    assert!(arts.len() >= 40, "expected at least 40 articles, found {}", arts.len());
    assert!(n_sentences > 0 && n_entities > 0);
}

#[test]
fn splits_are_present_and_at_least_a_third_test() {
    let loaded = load();
    let arts = loaded.articles["articles"].as_array().expect("articles");
    let n_test = arts.iter().filter(|a| a["split"] == "test").count();
    assert!(3 * n_test >= arts.len(), "only {n_test} of {} articles are test", arts.len());
    let mut n_files = 0;
    let mut n_test_files = 0;
    for f in loaded.dumps["files"].as_array().expect("files") {
        let file = as_str(&f["file"], "file");
        let split = as_str(&f["split"], "split");
        assert!(["dev", "test", "mixed"].contains(&split), "{file}: bad split {split}");
        if split != "mixed" {
            n_files += 1;
            if split == "test" {
                n_test_files += 1;
            }
            for a in arts.iter().filter(|a| a["file"] == *file) {
                assert_eq!(a["split"], f["split"], "{file}: article {} has another split", a["id"]);
            }
        } else {
            assert_eq!(f["kind"], "jsonl", "{file}: only the JSONL file may be mixed");
        }
    }
    assert!(3 * n_test_files >= n_files, "only {n_test_files} of {n_files} files are test");
}

#[test]
fn summaries_are_present_and_refer_to_articles() {
    let loaded = load();
    let arts = loaded.articles["articles"].as_array().expect("articles");
    let by_id: BTreeMap<&str, &Value> = arts.iter().map(|a| (as_str(&a["id"], "id"), a)).collect();
    let sums = load_json("summaries.json");
    let list = sums["summaries"].as_array().expect("summaries array");
    assert!(list.len() >= 12, "expected at least 12 summaries, found {}", list.len());
    let mut seen = BTreeSet::new();
    for s in list {
        let id = as_str(&s["id"], "summary id");
        assert!(seen.insert(id), "two summaries for {id}");
        let art = by_id.get(id).unwrap_or_else(|| panic!("summary for unknown article {id}"));
        assert_eq!(s["split"], art["split"], "{id}: summary split differs from article split");
        let text = as_str(&s["summary"], "summary");
        assert!(text.trim().len() > 40, "{id}: summary too short");
        let n_sent = text.matches(". ").count() + 1;
        assert!((2..=4).contains(&n_sent), "{id}: summary should have 2-3 sentences, has ~{n_sent}");
    }
}

#[test]
fn duplicates_refer_to_articles_and_hold() {
    let loaded = load();
    let arts = loaded.articles["articles"].as_array().expect("articles");
    let by_id: BTreeMap<&str, &Value> = arts.iter().map(|a| (as_str(&a["id"], "id"), a)).collect();
    let article_text = |id: &str| -> String {
        let art = by_id.get(id).unwrap_or_else(|| panic!("duplicates.json: unknown article {id}"));
        let doc = doc_for(&loaded, art);
        let (s, e) = span(art, id);
        doc.slice(s, e, id).to_owned()
    };
    let dups = load_json("duplicates.json");

    let exact = dups["exact"].as_array().expect("exact");
    assert!(exact.len() >= 2, "expected at least 2 exact duplicate groups");
    for g in exact {
        let ids: Vec<&str> = g["ids"].as_array().expect("ids").iter().map(|v| as_str(v, "id")).collect();
        assert!(ids.len() >= 2, "exact group with fewer than 2 ids");
        let first = article_text(ids[0]);
        for id in &ids[1..] {
            assert_eq!(article_text(id), first, "exact duplicate {id} differs from {}", ids[0]);
        }
        let files: BTreeSet<_> = ids.iter().map(|id| by_id[id]["file"].to_string()).collect();
        assert!(files.len() == ids.len(), "exact copies should sit in different files: {ids:?}");
    }

    let near = dups["near"].as_array().expect("near");
    assert!(near.len() >= 3, "expected at least 3 near-duplicates");
    for n in near {
        let orig = as_str(&n["original"], "original");
        let copy = as_str(&n["copy"], "copy");
        assert_ne!(article_text(orig), article_text(copy), "near copy {copy} is an exact copy");
        assert_eq!(by_id[copy]["copy_of"], by_id[orig]["id"], "{copy}: copy_of mismatch");
        let ratio = n["word_change_ratio"].as_f64().expect("ratio");
        assert!(ratio > 0.0 && ratio < 0.6, "{copy}: implausible change ratio {ratio}");
        assert!(n["level"].is_string(), "{copy}: level missing");
    }

    for c in dups["clusters"].as_array().expect("clusters") {
        let ids = c.as_array().expect("cluster");
        assert!(ids.len() >= 2);
        for id in ids {
            article_text(as_str(id, "id"));
        }
    }

    let reps = dups["repeated_passages"].as_array().expect("repeated_passages");
    assert!(!reps.is_empty(), "no repeated passages");
    for r in reps {
        let id = as_str(&r["article"], "article");
        let art = by_id.get(id).unwrap_or_else(|| panic!("repeated passage in unknown article {id}"));
        assert_eq!(r["file"], art["file"], "{id}: repeated passage file");
        let doc = doc_for(&loaded, art);
        let (ps, pe) = span(&r["pull_quote"], "pull_quote");
        let (ss, se) = span(&r["source"], "source");
        let text = as_str(&r["text"], "text");
        assert_eq!(doc.slice(ps, pe, id), text, "{id}: pull quote text");
        assert_eq!(doc.slice(ss, se, id), text, "{id}: source text");
        let li = as_usize(&r["pull_quote_line"], "pull_quote_line");
        let line = &art["lines"][li];
        assert_eq!(line["role"], "pull_quote", "{id}: line {li} is not a pull quote");
        let (ls, le) = span(line, "line");
        assert!(ls <= ps && pe <= le, "{id}: pull quote outside its line");
        let (a_s, a_e) = span(art, id);
        assert!(a_s <= ss && se <= a_e, "{id}: source passage outside the article");
    }
}
