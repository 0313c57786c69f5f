//! The learned re-labeller: a small averaged-perceptron classifier that gives each name span
//! the rule cascade found on weak evidence its final label (it never drops one), and labels
//! capitalised runs the rules left.
//!
//! **Why.** The hand rules of [`crate::tagger`] decide from one piece of evidence at a time
//! (a head word, a title, a gazetteer hit), and rules tuned on one corpus's errors did not carry
//! over to the next (issue 13: +0.019 ORG F1 on the Lee dev split, +0.002 on test). A linear
//! model weighs all of that evidence at once, with weights fitted on text from *other* sources,
//! so what it learns is not tuned to the evaluation set.
//!
//! **What it sees.** A candidate is a span the cascade labelled with a name label (PERSON,
//! NORP, FAC, ORG, GPE, LOC, EVENT, LAW) on weak evidence (the shape of the run, a given
//! name, an in-document alias: [`crate::Source::overridable`]) or a capitalised run it left
//! unlabelled. Spans decided by stronger evidence (a gazetteer entry, a title, a head word, a
//! place context, an acronym) keep the rules' label: letting the model override those too
//! gained a little more on held-out news but moved the tagger away from the project's own
//! annotation guide (FAC and LOC heads, datelines) on the sample corpus. Its features
//! are cheap and general ([`features`]): the rule's label and rule family, the span's length
//! and shape, its first and last words and their suffixes, whether those words are given
//! names, frequent words or members of the head-word classes of `data/words/`, the gazetteer
//! label of the whole span and of its last word, one and two words on each side, and the
//! sentence position. Each feature is a string hashed with 64-bit FNV-1a (no allocation at
//! run time). The classes are the eight name labels and "no entity"; the model changes a
//! label only when its score beats the rule's own label by [`MARGIN`], never drops a span the
//! rules labelled, and labels an unlabelled run only when a name label wins.
//!
//! **How it was chosen.** On the Lee dev split, by two-fold cross-validation (train on the
//! other sources and one half of dev, score the other half): micro F1 0.880 → 0.889, ORG
//! 0.794 → 0.811 against the spaCy md silver. A model trained without any Lee text (Wikipedia,
//! Usenet, neurosnap) lowered dev F1 (0.880 → 0.862): the news of the evaluation set is unlike
//! an encyclopedia, so the trainer repeats the Lee dev examples three times.
//!
//! **How it was trained.** Labels are silver: spaCy `en_core_web_md` 3.8.0 (MIT) entities on
//! text that is not the evaluation corpus (see `eval/silver.py` and `data/SOURCES.md`); a
//! candidate's target is the label of the silver entity with exactly its span, else "no
//! entity". `examples/train_relabel.rs` runs the cascade over that text, extracts the same
//! features as this module and fits the weights with [`train`] (averaged perceptron, a fixed
//! number of epochs in a fixed pseudo-random order: the same data gives the same weights).
//! Only the weights are committed, as `data/relabel.tsv`: one line per feature, its hash in
//! hexadecimal and its non-zero weights per class, as integers; it is parsed once per process,
//! on first use.

use std::sync::LazyLock;

use docpipe_text::hash::{FNV_OFFSET, FastHashMap, fnv1a_step};

use crate::gazetteer::{Gazetteer, Label};
use crate::tokens::{Kind, Token};
use crate::words::*;

/// The classes, in the order of the weight columns: "no entity" first, then the name labels.
pub const CLASSES: [Option<Label>; 9] = [
    None,
    Some(Label::Person),
    Some(Label::Norp),
    Some(Label::Fac),
    Some(Label::Org),
    Some(Label::Gpe),
    Some(Label::Loc),
    Some(Label::Event),
    Some(Label::Law),
];

/// Number of classes.
pub const N_CLASSES: usize = CLASSES.len();

/// How far (in weight units of `data/relabel.tsv`) the best class must score above the rule's
/// label before the model overrides the rule.
pub const MARGIN: i32 = 300;

/// The column of `label` (`None`: no entity); labels that are not names have no column.
pub fn class_of(label: Option<Label>) -> Option<usize> {
    CLASSES.iter().position(|c| *c == label)
}

/// The trained weights: feature hash → one integer weight per class.
#[derive(Debug, Default)]
pub struct Model {
    weights: FastHashMap<u64, [i32; N_CLASSES]>,
}

static BUILTIN: LazyLock<Model> = LazyLock::new(|| Model::parse(include_str!("../data/relabel.tsv")));

impl Model {
    /// The model shipped with the crate (`data/relabel.tsv`), parsed on first use.
    pub fn builtin() -> &'static Model {
        &BUILTIN
    }

    /// Parses the weight file: `#` comments, then lines `HASH<TAB>CLASS:WEIGHT,…` (hash in
    /// hexadecimal, class an index into [`CLASSES`]). Malformed lines are skipped: the file is
    /// generated and a test checks that every line of the shipped one parses.
    pub fn parse(text: &str) -> Model {
        let mut weights = FastHashMap::default();
        for line in text.lines() {
            if let Some((hash, row)) = parse_line(line) {
                weights.insert(hash, row);
            }
        }
        Model { weights }
    }

    /// Number of features with weights.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// True when the model has no weights.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// The score of every class for a candidate with these features.
    pub fn scores(&self, feats: &[u64]) -> [i32; N_CLASSES] {
        let mut s = [0i32; N_CLASSES];
        for f in feats {
            if let Some(w) = self.weights.get(f) {
                for (a, b) in s.iter_mut().zip(w) {
                    *a = a.saturating_add(*b);
                }
            }
        }
        s
    }

    /// The label the model gives a candidate whose rule label is `rule`: `rule` itself unless
    /// another class scores more than [`MARGIN`] above it. A span the rules labelled keeps a
    /// name label (where "no entity" wins, the rule's label stays: on held-out news, dropping
    /// such spans lost more right ones than wrong ones); an unlabelled run (`rule` `None`)
    /// becomes a name only when a name label wins.
    pub fn predict(&self, feats: &[u64], rule: Option<Label>) -> Option<Label> {
        let s = self.scores(feats);
        let Some(r) = class_of(rule) else { return rule };
        let mut best = r;
        for (c, v) in s.iter().enumerate() {
            if *v > s[best] {
                best = c;
            }
        }
        // A span the rules labelled is never dropped: "no entity" keeps the rule's label.
        if best == 0 && r != 0 {
            return rule;
        }
        if best != r && s[best] - s[r] > MARGIN { CLASSES[best] } else { rule }
    }

    /// Writes the weights in the file format [`Model::parse`] reads, sorted by hash, with a
    /// header of `#` comment lines.
    pub fn to_tsv(&self, header: &str) -> String {
        let mut keys: Vec<&u64> = self.weights.keys().collect();
        keys.sort();
        let mut out = String::new();
        for line in header.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        for k in keys {
            let row = &self.weights[k];
            let cells: Vec<String> =
                row.iter().enumerate().filter(|(_, w)| **w != 0).map(|(c, w)| format!("{c}:{w}")).collect();
            if !cells.is_empty() {
                out.push_str(&format!("{k:016x}\t{}\n", cells.join(",")));
            }
        }
        out
    }
}

fn parse_line(line: &str) -> Option<(u64, [i32; N_CLASSES])> {
    if line.starts_with('#') || line.trim().is_empty() {
        return None;
    }
    let (hash, cells) = line.split_once('\t')?;
    let hash = u64::from_str_radix(hash, 16).ok()?;
    let mut row = [0i32; N_CLASSES];
    for cell in cells.split(',') {
        let (c, w) = cell.split_once(':')?;
        let c: usize = c.parse().ok()?;
        *row.get_mut(c)? = w.parse().ok()?;
    }
    Some((hash, row))
}

/// One training example: a candidate's features and its target class.
#[derive(Debug, Clone)]
pub struct Example {
    /// Feature hashes ([`features`]).
    pub feats: Vec<u64>,
    /// The rule's label (the class the model keeps unless it is sure).
    pub rule: Option<Label>,
    /// Index into [`CLASSES`].
    pub target: usize,
}

/// Fits an averaged perceptron: `epochs` passes over `examples` in an order drawn from a fixed
/// seed, weights averaged over every step, scaled by `scale` and rounded to integers; weights
/// under `min_weight` in magnitude are set to zero and features left with none are left out.
/// Deterministic.
pub fn train(examples: &[Example], epochs: usize, scale: f64, min_weight: i32) -> Model {
    let mut w: FastHashMap<u64, [f64; N_CLASSES]> = FastHashMap::default();
    // Sum of the weights over time, kept lazily: `acc + w * (t - last)`.
    let mut acc: FastHashMap<u64, ([f64; N_CLASSES], u64)> = FastHashMap::default();
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut t: u64 = 1;
    for _ in 0..epochs {
        // Fisher-Yates with a 64-bit LCG.
        for i in (1..order.len()).rev() {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let j = ((seed >> 33) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for &i in &order {
            let ex = &examples[i];
            let mut s = [0f64; N_CLASSES];
            for f in &ex.feats {
                if let Some(row) = w.get(f) {
                    for (a, b) in s.iter_mut().zip(row) {
                        *a += b;
                    }
                }
            }
            let mut best = 0;
            for c in 1..N_CLASSES {
                if s[c] > s[best] {
                    best = c;
                }
            }
            if best != ex.target {
                for f in &ex.feats {
                    let row = w.entry(*f).or_insert([0.0; N_CLASSES]);
                    let (sum, last) = acc.entry(*f).or_insert(([0.0; N_CLASSES], 0));
                    for c in 0..N_CLASSES {
                        sum[c] += row[c] * (t - *last) as f64;
                    }
                    *last = t;
                    row[ex.target] += 1.0;
                    row[best] -= 1.0;
                }
            }
            t += 1;
        }
    }
    let mut weights = FastHashMap::default();
    for (f, row) in &w {
        let (sum, last) = acc.get(f).copied().unwrap_or(([0.0; N_CLASSES], 0));
        let mut out = [0i32; N_CLASSES];
        for c in 0..N_CLASSES {
            let total = sum[c] + row[c] * (t - last) as f64;
            let v = (total / t as f64 * scale).round() as i32;
            out[c] = if v.abs() < min_weight { 0 } else { v };
        }
        if out.iter().any(|v| *v != 0) {
            weights.insert(*f, out);
        }
    }
    Model { weights }
}

/// What the feature extractor needs to know about one candidate.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The document's text.
    pub text: &'a str,
    /// Its tokens.
    pub toks: &'a [Token],
    /// First token of the span.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// The rule's label (`None`: a capitalised run the rules left unlabelled).
    pub rule: Option<Label>,
    /// The rule family that decided it (`Source::as_str`), `""` when unlabelled.
    pub source: &'static str,
}

/// Hashes feature strings without building them: a prefix, then parts joined by `|`.
struct Sink<'v> {
    out: &'v mut Vec<u64>,
}

impl Sink<'_> {
    fn add(&mut self, parts: &[&str]) {
        let mut h = FNV_OFFSET;
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                h = fnv1a_step(h, b'|');
            }
            h = if p.is_ascii() {
                p.bytes().fold(h, |h, b| fnv1a_step(h, b.to_ascii_lowercase()))
            } else {
                // As `fnv1a_lower`, except that a typographic apostrophe (`Doss’s`, `O’Brien`)
                // hashes as `'`: the same word, and most training text writes it straight.
                let mut buf = [0u8; 4];
                p.chars().flat_map(char::to_lowercase).fold(h, |h, ch| {
                    let ch = if ch == '\u{2019}' { '\'' } else { ch };
                    ch.encode_utf8(&mut buf).bytes().fold(h, fnv1a_step)
                })
            };
        }
        self.out.push(h);
    }
}

/// The hash of a feature written as its parts (what [`features`] pushes); for tests and
/// for inspecting the weights.
pub fn feature_hash(parts: &[&str]) -> u64 {
    let mut v = Vec::with_capacity(1);
    Sink { out: &mut v }.add(parts);
    v[0]
}

fn label_name(l: Option<Label>) -> &'static str {
    l.map_or("none", Label::as_str)
}

/// A word's shape class: `Xx`, `X`, `XX`, `X.X.`, `x`, `x-Xx`, `other`.
fn shape(w: &str) -> &'static str {
    let mut chars = w.chars();
    let Some(first) = chars.next() else { return "empty" };
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    if w.contains('.') {
        return "dotted";
    }
    if w.contains('-') {
        return if first.is_uppercase() { "X-hyph" } else { "x-hyph" };
    }
    if letters >= 2 && w.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase) {
        return "XX";
    }
    if first.is_uppercase() {
        if w.chars().skip(1).any(char::is_uppercase) {
            "XxX"
        } else if letters == 1 {
            "X"
        } else {
            "Xx"
        }
    } else if first.is_lowercase() {
        "x"
    } else {
        "other"
    }
}

/// The last `n` characters of `w` (all of it when shorter).
fn suffix(w: &str, n: usize) -> &str {
    let count = w.chars().count();
    if count <= n {
        return w;
    }
    let skip = count - n;
    w.char_indices().nth(skip).map_or(w, |(i, _)| &w[i..])
}

/// Head-word classes a word belongs to, as one short string per class.
fn classes_of(w: &str) -> [(&'static str, bool); 8] {
    [
        ("orghead", is_in(ORG_HEADS, w)),
        ("insthead", is_in(INSTITUTION_HEADS, w)),
        ("orgfirst", is_in(ORG_FIRST, w)),
        ("fachead", is_in(FAC_HEADS, w)),
        ("lochead", is_in(LOC_HEADS, w) || is_in(LOC_FIRST, w)),
        ("gpehead", is_in(GPE_HEADS, w)),
        ("eventhead", is_in(EVENT_HEADS, w) || is_in(LAW_HEADS, w)),
        ("title", is_title(w)),
    ]
}

/// Pushes the feature hashes of `c` onto `out` (cleared first).
pub fn features(gaz: &Gazetteer, c: &Candidate<'_>, out: &mut Vec<u64>) {
    out.clear();
    let mut f = Sink { out };
    let w = |i: usize| c.toks.get(i).map_or("", |t| t.text(c.text));
    let (s, e) = (c.start, c.end);
    let rule = label_name(c.rule);
    f.add(&["bias"]);
    f.add(&["rule", rule]);
    f.add(&["src", rule, c.source]);
    let words = c.toks[s..e].iter().filter(|t| t.kind == Kind::Word).count();
    let len = match words {
        0 | 1 => "1",
        2 => "2",
        3 => "3",
        _ => "4+",
    };
    f.add(&["len", rule, len]);
    let (first, last) = (w(s), w(e - 1));
    f.add(&["first", first]);
    f.add(&["last", last]);
    f.add(&["last", rule, last]);
    if e - s == 1 {
        f.add(&["only", first]);
    }
    f.add(&["suf3", suffix(last, 3)]);
    f.add(&["suf3", rule, suffix(last, 3)]);
    f.add(&["suf2", suffix(last, 2)]);
    f.add(&["shape", rule, shape(first), shape(last)]);
    for k in s..e {
        let t = w(k);
        if c.toks[k].kind == Kind::Word && !c.toks[k].cap {
            f.add(&["inner", t]);
        } else if c.toks[k].kind != Kind::Word {
            f.add(&["innerp", t]);
        } else if k > s && k + 1 < e {
            f.add(&["mid", t]);
        }
    }
    for (name, yes) in classes_of(last) {
        if yes {
            f.add(&["lastclass", rule, name]);
        }
    }
    for (name, yes) in classes_of(first) {
        if yes {
            f.add(&["firstclass", rule, name]);
        }
    }
    let given = gaz.is_given_name(first);
    let common_first = gaz.is_common(first);
    f.add(&["given", rule, if given { "y" } else { "n" }, if common_first { "y" } else { "n" }]);
    let common = (s..e).filter(|&k| c.toks[k].kind == Kind::Word && gaz.is_common(w(k))).count();
    f.add(&[
        "common",
        rule,
        if common == 0 {
            "0"
        } else if common == words {
            "all"
        } else {
            "some"
        },
    ]);
    let span = c.text.get(c.toks[s].start..c.toks[e - 1].end).unwrap_or("");
    f.add(&["gaz", rule, label_name(gaz.lookup(span).map(|en| en.label))]);
    if e - s > 1 {
        f.add(&["gazlast", label_name(gaz.lookup(last).map(|en| en.label))]);
        f.add(&["gazfirst", label_name(gaz.lookup(first).map(|en| en.label))]);
    }
    let at_start = c.toks[s].sent_start || c.toks[s].line_start;
    f.add(&["start", rule, if at_start { "y" } else { "n" }]);
    // Context: one and two tokens each side (nothing across a line break).
    let p1 = if s >= 1 && !c.toks[s].after_newline { w(s - 1) } else { "<s>" };
    let p2 = if s >= 2 && !c.toks[s].after_newline && !c.toks[s - 1].after_newline { w(s - 2) } else { "<s>" };
    let n1 = if e < c.toks.len() && !c.toks[e].after_newline { w(e) } else { "</s>" };
    let n2 = if e + 1 < c.toks.len() && !c.toks[e].after_newline && !c.toks[e + 1].after_newline {
        w(e + 1)
    } else {
        "</s>"
    };
    f.add(&["p1", p1]);
    f.add(&["p1", rule, p1]);
    f.add(&["p2", p2, p1]);
    f.add(&["n1", n1]);
    f.add(&["n1", rule, n1]);
    f.add(&["n2", n1, n2]);
    f.add(&["p1n1", p1, n1]);
    if is_in(SPEECH_VERBS, n1) || is_in(SPEECH_VERBS, n2) && n1 == "," {
        f.add(&["speech-after", rule]);
    }
    if is_title(p1) {
        f.add(&["title-before", rule]);
    }
    if is_in(PLACE_PREPOSITIONS, p1) {
        f.add(&["placeprep-before", rule]);
    }
    if c.toks.get(e).is_some_and(|t| t.kind == Kind::Possessive) {
        f.add(&["possessive-after", rule]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::tokenize;

    fn feats_of(text: &str, s: usize, e: usize, rule: Option<Label>) -> Vec<u64> {
        let toks = tokenize(text);
        let mut out = Vec::new();
        features(
            Gazetteer::builtin(),
            &Candidate { text, toks: &toks, start: s, end: e, rule, source: "context" },
            &mut out,
        );
        out
    }

    #[test]
    fn a_typographic_apostrophe_gives_the_features_of_a_straight_one() {
        // `Dossel’s story` and `Dossel's story`: tokens 0 Dossel, 1 's, 2 story.
        let curly = feats_of("Dossel\u{2019}s story began", 0, 1, None);
        let straight = feats_of("Dossel's story began", 0, 1, None);
        assert_eq!(curly, straight);
        assert_eq!(feature_hash(&["n1", "\u{2019}S"]), feature_hash(&["n1", "'s"]));
    }

    #[test]
    fn features_name_the_head_word_and_context() {
        // `the Marlow Freight Company said`: tokens 0 the, 1 Marlow, 2 Freight, 3 Company, 4 said.
        let f = feats_of("the Marlow Freight Company said", 1, 4, Some(Label::Org));
        assert!(f.contains(&feature_hash(&["last", "Company"])));
        assert!(f.contains(&feature_hash(&["lastclass", "ORG", "orghead"])));
        assert!(f.contains(&feature_hash(&["p1", "the"])));
        assert!(f.contains(&feature_hash(&["speech-after", "ORG"])));
        assert!(f.contains(&feature_hash(&["len", "ORG", "3"])));
        // Case does not matter: words are hashed in lower case.
        assert_eq!(feature_hash(&["last", "Company"]), feature_hash(&["last", "company"]));
    }

    #[test]
    fn features_see_titles_places_and_gazetteer_labels() {
        let f = feats_of("They met Senator Okonjo in Nairobi.", 3, 4, Some(Label::Person));
        assert!(f.contains(&feature_hash(&["title-before", "PERSON"])));
        let f = feats_of("They met Senator Okonjo in Nairobi.", 5, 6, Some(Label::Gpe));
        assert!(f.contains(&feature_hash(&["placeprep-before", "GPE"])));
        assert!(f.contains(&feature_hash(&["gaz", "GPE", "GPE"])));
    }

    #[test]
    fn shapes_and_suffixes() {
        assert_eq!(shape("Kenya"), "Xx");
        assert_eq!(shape("NATO"), "XX");
        assert_eq!(shape("U.S."), "dotted");
        assert_eq!(shape("McGraw"), "XxX");
        assert_eq!(shape("al-Qaeda"), "x-hyph");
        assert_eq!(suffix("Kraków", 3), "ków");
        assert_eq!(suffix("UN", 3), "UN");
    }

    #[test]
    fn the_perceptron_learns_a_separable_rule_and_is_deterministic() {
        // The class follows one feature: 10 → PERSON, 11 → ORG, 12 → no entity.
        let ex = |k: u64, target: usize| Example { feats: vec![1, k], rule: None, target };
        let data: Vec<Example> = (0..30).map(|i| [ex(10, 1), ex(11, 4), ex(12, 0)][i % 3].clone()).collect();
        let m = train(&data, 5, 1000.0, 1);
        assert_eq!(m.predict(&[1, 10], None), Some(Label::Person));
        assert_eq!(m.predict(&[1, 11], None), Some(Label::Org));
        assert_eq!(m.predict(&[1, 12], None), None);
        // A rule's label changes to another name, but a span is never dropped.
        assert_eq!(m.predict(&[1, 11], Some(Label::Person)), Some(Label::Org));
        assert_eq!(m.predict(&[1, 12], Some(Label::Person)), Some(Label::Person));
        // Same data, same weights, same file.
        assert_eq!(train(&data, 5, 1000.0, 1).to_tsv("x"), m.to_tsv("x"));
        // The file round-trips.
        let back = Model::parse(&m.to_tsv("header\nlines"));
        assert_eq!(back.to_tsv("x"), m.to_tsv("x"));
        // Pruning drops small weights.
        assert!(train(&data, 5, 1000.0, 100_000).is_empty());
    }

    #[test]
    fn unknown_features_keep_the_rule_label() {
        let m = Model::default();
        assert_eq!(m.predict(&[1, 2, 3], Some(Label::Gpe)), Some(Label::Gpe));
        assert_eq!(m.predict(&[1, 2, 3], None), None);
        // A label outside the classes (a date) is never touched.
        assert_eq!(m.predict(&[1], Some(Label::Date)), Some(Label::Date));
    }

    #[test]
    fn the_shipped_weights_parse_line_by_line() {
        let text = include_str!("../data/relabel.tsv");
        let lines = text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty());
        for line in lines {
            assert!(parse_line(line).is_some(), "bad line {line:?}");
        }
    }
}
