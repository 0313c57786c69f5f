//! `cargo xtask gen-neardups`: a labelled near-duplicate benchmark for the `dedupe` stage.
//!
//! Bases are realistic news-like articles made by `gen-corpus`'s article generator from the
//! sample corpus (`tests/corpus`), plus one base in five of synthetic text (word salad over
//! the corpus vocabulary, 4–8 paragraphs of 30–80 words). For every base the generator
//! writes copies with one controlled kind of edit each, so that each (kind, rate) row of an
//! evaluation is interpretable:
//!
//! - `substitute`, `delete`, `insert`: exactly `round(rate × words)` words substituted (by
//!   a different vocabulary word), deleted, or inserted, at each rate of [`RATES`];
//! - `mixed`: the same number of edits, each one a substitution, deletion or insertion;
//! - `reorder`: the paragraphs (lines) shuffled into a different order, no word edited;
//! - `boilerplate`: 1–3 boilerplate paragraphs (bylines, subscribe and cookie lines,
//!   copyright lines; templates written for this generator) added at the top or bottom.
//!
//! And one hard negative per base, so that precision means something: a `related`
//! document, its own family, that keeps the base's paragraphs except a share of them
//! ([`RELATED_SHARES`]: 20%, 35% or 50%, by base) replaced with paragraphs of a fresh
//! article. It shares much of its text with the base (true Jaccard ≈ 0.3–0.7) but is not a
//! copy at threshold 0.8; a dedupe that reports it as a duplicate is wrong.
//!
//! Output in `--out` (default `target/eval/neardups`):
//! - `docs.jsonl`: `{"id", "text"}`, bases and copies interleaved in a seeded order in
//!   which every copy comes after its base;
//! - `truth.jsonl`: `{"id", "base", "kind", "rate"}` for every document in the same order
//!   (bases have `kind = "base"`, `base` = their own id, `rate = 0`; `reorder` and
//!   `boilerplate` copies have `rate = 0`, boilerplate copies also `"paragraphs": N`;
//!   `related` documents have `base` = their own id, `rate` = the share of paragraphs
//!   replaced and `"of"` = the base they were made from).
//!
//! The output depends only on `--seed` and `--bases`; base `b` and its copies depend only
//! on the seed and `b`. `cargo xtask eval dedupe` scores docpipe (and, with `--peers`,
//! datasketch) on it; true similarities are computed there, with the stage's own
//! normalisation and shingles.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::gencorpus::{self, AGENCIES, Material, Rng};

/// Word edit rates of the `substitute`, `delete`, `insert` and `mixed` copies.
pub const RATES: &[f64] = &[0.005, 0.01, 0.02, 0.03, 0.05, 0.10, 0.20];
/// Shares of a base's paragraphs replaced in its `related` hard negative (by base, in turn).
pub const RELATED_SHARES: &[f64] = &[0.2, 0.35, 0.5];
/// The word-edit kinds, each written at every rate of [`RATES`].
pub const WORD_KINDS: &[&str] = &["substitute", "delete", "insert", "mixed"];

/// `gen-neardups` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Number of base documents (at least 1).
    #[arg(long, default_value_t = 1000, value_parser = positive)]
    pub bases: usize,
    /// Generator seed.
    #[arg(long, default_value_t = 5)]
    pub seed: u64,
    /// Output directory.
    #[arg(long, default_value = "target/eval/neardups")]
    pub out: PathBuf,
}

fn positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("not a positive integer: {e}")),
    }
}

/// One generated document with its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// Document id.
    pub id: String,
    /// The base's id (its own for a base and for a `related` document).
    pub base: String,
    /// `base`, a word-edit kind, `reorder`, `boilerplate` or `related`.
    pub kind: &'static str,
    /// The base a `related` document was made from.
    pub of: Option<String>,
    /// The word edit rate (0 for bases, `reorder` and `boilerplate`).
    pub rate: f64,
    /// Boilerplate paragraphs added (`boilerplate` copies only).
    pub paragraphs: usize,
    /// The text, one paragraph per line.
    pub text: String,
}

/// Splits a text into paragraphs (non-empty lines) of space-separated words.
fn paragraphs(text: &str) -> Vec<Vec<&str>> {
    text.lines().map(|l| l.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>()).filter(|p| !p.is_empty()).collect()
}

fn join(paras: &[Vec<String>]) -> String {
    let mut s = String::new();
    for p in paras.iter().filter(|p| !p.is_empty()) {
        s.push_str(&p.join(" "));
        s.push('\n');
    }
    s
}

/// A vocabulary word different from `not`.
fn other_word<'a>(rng: &mut Rng, m: &'a Material, not: &str) -> &'a str {
    for _ in 0..16 {
        let w = rng.pick(&m.words).as_str();
        if w != not {
            return w;
        }
    }
    "meanwhile"
}

/// `k` distinct positions out of `n` (partial Fisher–Yates).
fn distinct_positions(rng: &mut Rng, n: usize, k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    let k = k.min(n);
    for i in 0..k {
        let j = i + rng.below(n - i);
        idx.swap(i, j);
    }
    idx.truncate(k);
    idx
}

/// Applies exactly `round(rate × words)` word edits of `kind` (`substitute`, `delete`,
/// `insert` or `mixed`) to `text`, keeping its paragraphs. Rate 0 returns the text as is.
pub fn edit_words(rng: &mut Rng, m: &Material, text: &str, kind: &str, rate: f64) -> String {
    let paras = paragraphs(text);
    // (paragraph, word) of every word, in order.
    let flat: Vec<(usize, &str)> =
        paras.iter().enumerate().flat_map(|(p, ws)| ws.iter().map(move |w| (p, *w))).collect();
    let n = flat.len();
    let k = (rate * n as f64).round() as usize;
    if k == 0 {
        return text.to_owned();
    }
    // Per word: replacement (None = deleted) and words inserted after it.
    let mut out: Vec<Option<String>> = flat.iter().map(|(_, w)| Some((*w).to_owned())).collect();
    let mut inserted: Vec<Vec<String>> = vec![Vec::new(); n];
    let ops: Vec<u8> = (0..k)
        .map(|_| match kind {
            "substitute" => 0,
            "delete" => 1,
            "insert" => 2,
            _ => (rng.below(3)) as u8,
        })
        .collect();
    let in_place = ops.iter().filter(|&&o| o < 2).count();
    let mut positions = distinct_positions(rng, n, in_place).into_iter();
    for op in ops {
        match op {
            0 | 1 => {
                let Some(i) = positions.next() else { continue };
                out[i] = if op == 0 { Some(other_word(rng, m, flat[i].1).to_owned()) } else { None };
            }
            _ => {
                let i = rng.below(n);
                let w = rng.pick(&m.words).clone();
                inserted[i].push(w);
            }
        }
    }
    let mut result: Vec<Vec<String>> = vec![Vec::new(); paras.len()];
    for (i, (p, _)) in flat.iter().enumerate() {
        if let Some(w) = out[i].take() {
            result[*p].push(w);
        }
        result[*p].append(&mut inserted[i]);
    }
    join(&result)
}

/// `text` with `round(share × paragraphs)` of its paragraphs (at least one) replaced, in
/// place, by paragraphs of `fresh` (taken in order, cycling when it has fewer).
pub fn replace_paragraphs(rng: &mut Rng, text: &str, fresh: &str, share: f64) -> String {
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let new: Vec<&str> = fresh.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() || new.is_empty() {
        return text.to_owned();
    }
    let k = ((share * lines.len() as f64).round() as usize).clamp(1, lines.len());
    for (n, p) in distinct_positions(rng, lines.len(), k).into_iter().enumerate() {
        lines[p] = new[n % new.len()];
    }
    let mut s = String::new();
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s
}

/// The paragraphs of `text` in a different order (when it has more than one).
pub fn reorder(rng: &mut Rng, text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut order: Vec<usize> = (0..lines.len()).collect();
    if lines.len() > 1 {
        for _ in 0..8 {
            for i in (1..order.len()).rev() {
                let j = rng.below(i + 1);
                order.swap(i, j);
            }
            if order.iter().enumerate().any(|(i, &o)| i != o) {
                break;
            }
        }
        if order.iter().enumerate().all(|(i, &o)| i == o) {
            order.rotate_left(1);
        }
    }
    let mut s = String::new();
    for i in order {
        s.push_str(lines[i]);
        s.push('\n');
    }
    s
}

const MONTHS: &[&str] = &["January", "March", "May", "July", "September", "November"];

/// One boilerplate paragraph from template `t`; `true` when it belongs at the top.
fn boilerplate_line(rng: &mut Rng, m: &Material, t: usize) -> (String, bool) {
    let name = |rng: &mut Rng| format!("{} {}", rng.pick(&m.names), rng.pick(&m.names));
    let agency = *rng.pick(AGENCIES);
    match t {
        0 => (format!("By {}, {agency}", name(rng)), true),
        1 => (
            format!(
                "By {} and {} | Updated {} {} 2024, {}:{:02}",
                name(rng),
                name(rng),
                1 + rng.below(28),
                rng.pick(MONTHS),
                1 + rng.below(12),
                rng.below(60)
            ),
            true,
        ),
        2 => {
            // Datelines give upper-case city names: "JOHANNESBURG" -> "Johannesburg".
            let city = rng.pick(&m.cities);
            let city: String =
                city.chars().enumerate().map(|(i, c)| if i == 0 { c } else { c.to_ascii_lowercase() }).collect();
            (format!("Subscribe to our newsletter for the latest news from {city} and beyond."), false)
        }
        3 => (format!("Sign up for the {agency} morning briefing: the day's top stories, straight to your inbox."), false),
        4 => (
            "We use cookies to improve your experience on our site. By continuing to browse, you agree to our use of cookies. Read our cookie policy."
                .to_owned(),
            rng.chance(0.5),
        ),
        5 => (
            format!(
                "© 2024 {agency}. All rights reserved. This material may not be published, broadcast, rewritten or redistributed without permission."
            ),
            false,
        ),
        6 => (format!("Copyright {} {agency}. Reproduction in whole or in part is prohibited.", 2019 + rng.below(6)), false),
        7 => ("Share this article: Facebook Twitter LinkedIn WhatsApp Email".to_owned(), rng.chance(0.5)),
        8 => (format!("Read more: {}", rng.pick(&m.headlines)), false),
        _ => (format!("Follow {agency} on social media for live updates and breaking news alerts."), false),
    }
}

/// `text` with `count` distinct boilerplate paragraphs added at the top or bottom.
pub fn add_boilerplate(rng: &mut Rng, m: &Material, text: &str, count: usize) -> String {
    let (mut top, mut bottom) = (String::new(), String::new());
    for t in distinct_positions(rng, 10, count) {
        let (line, at_top) = boilerplate_line(rng, m, t);
        let target = if at_top { &mut top } else { &mut bottom };
        target.push_str(&line);
        target.push('\n');
    }
    format!("{top}{text}{bottom}")
}

/// A synthetic base: 4–8 paragraphs of 30–80 vocabulary words.
fn word_salad(rng: &mut Rng, m: &Material) -> String {
    let paras: Vec<Vec<String>> =
        (0..4 + rng.below(5)).map(|_| (0..30 + rng.below(51)).map(|_| rng.pick(&m.words).clone()).collect()).collect();
    join(&paras)
}

/// `0.005`, `0.01`, `0.1`: the shortest form that tells the rates apart.
fn rate_label(rate: f64) -> String {
    format!("{rate}")
}

/// A base and its copies, base first.
fn family(m: &Material, seed: u64, b: usize) -> Vec<Doc> {
    let mut rng = Rng(seed ^ (b as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407));
    rng.next();
    let base_id = format!("b{b:05}");
    let text = if b % 5 == 4 { word_salad(&mut rng, m) } else { gencorpus::article(&mut rng, m) };
    let doc = |id: String, kind: &'static str, rate: f64, paragraphs: usize, text: String| Doc {
        id,
        base: base_id.clone(),
        kind,
        of: None,
        rate,
        paragraphs,
        text,
    };
    let mut docs = Vec::with_capacity(2 + WORD_KINDS.len() * RATES.len() + 1);
    for &kind in WORD_KINDS {
        for &rate in RATES {
            let t = edit_words(&mut rng, m, &text, kind, rate);
            docs.push(doc(format!("{base_id}-{kind}-{}", rate_label(rate)), kind, rate, 0, t));
        }
    }
    let t = reorder(&mut rng, &text);
    docs.push(doc(format!("{base_id}-reorder"), "reorder", 0.0, 0, t));
    let count = 1 + rng.below(3);
    let t = add_boilerplate(&mut rng, m, &text, count);
    docs.push(doc(format!("{base_id}-boilerplate"), "boilerplate", 0.0, count, t));
    let share = RELATED_SHARES[b % RELATED_SHARES.len()];
    let fresh = if b % 5 == 4 { word_salad(&mut rng, m) } else { gencorpus::article(&mut rng, m) };
    let related_id = format!("{base_id}-related");
    let t = replace_paragraphs(&mut rng, &text, &fresh, share);
    docs.push(Doc {
        id: related_id.clone(),
        base: related_id,
        kind: "related",
        of: Some(base_id.clone()),
        rate: share,
        paragraphs: 0,
        text: t,
    });
    docs.insert(0, doc(base_id.clone(), "base", 0.0, 0, text));
    docs
}

/// All documents in output order: a seeded interleaving in which every copy comes after its
/// base. Each base gets a random arrival time in `[0, 1)` and each copy its base's time
/// plus a random delay in `[0, 1)`; documents are written by time.
pub fn documents(m: &Material, o: &Options) -> Vec<Doc> {
    let families: Vec<Vec<Doc>> = (0..o.bases).map(|b| family(m, o.seed, b)).collect();
    let mut rng = Rng(o.seed);
    let mut keyed: Vec<(u64, usize, usize)> = Vec::new(); // (time, family, member)
    for (f, docs) in families.iter().enumerate() {
        let t = rng.next() >> 32;
        keyed.push((t, f, 0));
        for i in 1..docs.len() {
            keyed.push((t + 1 + (rng.next() >> 32), f, i));
        }
    }
    keyed.sort_unstable();
    let mut families: Vec<Vec<Option<Doc>>> = families.into_iter().map(|d| d.into_iter().map(Some).collect()).collect();
    keyed.into_iter().filter_map(|(_, f, i)| families[f][i].take()).collect()
}

/// Writes `docs.jsonl` and `truth.jsonl`; returns (documents, bases, bytes of text).
pub fn generate(root: &Path, o: &Options) -> Result<(usize, usize, usize)> {
    let m = gencorpus::material(root)?;
    let docs = documents(&m, o);
    std::fs::create_dir_all(&o.out).with_context(|| format!("creating {}", o.out.display()))?;
    let create = |name: &str| -> Result<std::io::BufWriter<std::fs::File>> {
        let p = o.out.join(name);
        Ok(std::io::BufWriter::new(std::fs::File::create(&p).with_context(|| format!("creating {}", p.display()))?))
    };
    let (mut d, mut t) = (create("docs.jsonl")?, create("truth.jsonl")?);
    let mut bytes = 0;
    for doc in &docs {
        bytes += doc.text.len();
        serde_json::to_writer(&mut d, &serde_json::json!({"id": doc.id, "text": doc.text}))?;
        d.write_all(b"\n")?;
        let mut rec = serde_json::json!({"id": doc.id, "base": doc.base, "kind": doc.kind, "rate": doc.rate});
        if doc.kind == "boilerplate" {
            rec["paragraphs"] = doc.paragraphs.into();
        }
        if let Some(of) = &doc.of {
            rec["of"] = of.as_str().into();
        }
        serde_json::to_writer(&mut t, &rec)?;
        t.write_all(b"\n")?;
    }
    d.flush()?;
    t.flush()?;
    Ok((docs.len(), o.bases, bytes))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn material() -> Material {
        gencorpus::material(&crate::workspace_root()).unwrap()
    }

    #[test]
    fn deterministic_and_every_copy_after_its_base() {
        let m = material();
        let o = Options { bases: 12, seed: 3, out: PathBuf::new() };
        let a = documents(&m, &o);
        assert_eq!(a, documents(&m, &o));
        assert_eq!(a.len(), 12 * (2 + WORD_KINDS.len() * RATES.len() + 2));
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (p, d) in a.iter().enumerate() {
            if d.kind == "base" {
                assert_eq!(d.id, d.base);
                seen.insert(&d.id, p);
            } else if d.kind == "related" {
                assert_eq!(d.id, d.base, "a related document is its own family");
                assert!(seen.contains_key(d.of.as_deref().unwrap()), "{} before its origin", d.id);
            } else {
                assert!(seen.contains_key(d.base.as_str()), "{} before its base", d.id);
            }
        }
        // Interleaved: some copy comes before the last base.
        let last_base = a.iter().rposition(|d| d.kind == "base").unwrap();
        assert!(a[..last_base].iter().any(|d| d.kind != "base"));
        let other = documents(&m, &Options { seed: 4, ..o });
        assert_ne!(a, other);
    }

    #[test]
    fn edits_are_controlled() {
        let m = material();
        let mut rng = Rng(9);
        let text = gencorpus::article(&mut rng, &m);
        assert_eq!(edit_words(&mut rng, &m, &text, "substitute", 0.0), text);
        let words = text.split_whitespace().count();
        let deleted = edit_words(&mut rng, &m, &text, "delete", 0.1);
        assert_eq!(deleted.split_whitespace().count(), words - (0.1 * words as f64).round() as usize);
        let inserted = edit_words(&mut rng, &m, &text, "insert", 0.1);
        assert_eq!(inserted.split_whitespace().count(), words + (0.1 * words as f64).round() as usize);
        let subst = edit_words(&mut rng, &m, &text, "substitute", 0.1);
        let changed = subst.split_whitespace().zip(text.split_whitespace()).filter(|(a, b)| a != b).count();
        assert_eq!(changed, (0.1 * words as f64).round() as usize);
        let mut a: Vec<&str> = text.lines().collect();
        let r = reorder(&mut rng, &text);
        let mut b: Vec<&str> = r.lines().collect();
        if a.len() > 1 {
            assert_ne!(a, b);
        }
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
        let boiler = add_boilerplate(&mut rng, &m, &text, 2);
        assert_eq!(boiler.lines().count(), text.lines().count() + 2);
        assert!(boiler.contains(text.as_str()));
        let fresh = gencorpus::article(&mut rng, &m);
        let related = replace_paragraphs(&mut rng, &text, &fresh, 0.5);
        let kept = related.lines().filter(|l| text.lines().any(|t| t == *l)).count();
        let n = text.lines().count();
        assert_eq!(related.lines().count(), n);
        assert!(kept < n && kept >= n - (0.5 * n as f64).round().max(1.0) as usize, "{kept} of {n}");
    }
}
