//! Text analysis for the summariser: candidate sentences, words, stop words and stemming.
//!
//! The stage prefers what earlier stages wrote: `annotations.sentences` (the splitter's
//! sentence spans) and `annotations.blocks` (line roles: only `body` lines are summarised).
//! Without them it falls back on its own rules, kept deliberately simple and general:
//!
//! - a line (paragraph) is always a sentence boundary; inside a line, sentences follow the
//!   fallback rule shared with `dedupe` ([`docpipe_core::text::split_sentences`]: a stop,
//!   then a space and a capital, digit, opening quote or bullet; abbreviations and initials
//!   do not end sentences);
//! - a wire dateline at the start of a line (`NAIROBI (Wire) -`, `KRAKÓW, March 5 –`) is
//!   not part of the first sentence;
//! - lines that are not body prose are skipped: lines without final punctuation
//!   (headlines, subheadings, captions without a full stop, attribution lines), bylines and
//!   credit lines (`By …`, `Reporting by …`, short author bios), related links (`Related:`,
//!   `Read more:`), and short quoted lines whose words all occur in another line (pull
//!   quotes).
//!
//! Words are maximal runs of alphanumeric characters (apostrophes inside a word kept),
//! lower-cased, English stop words removed ([`is_stop_word`]) and reduced by a light
//! suffix-stripping stemmer ([`stem`]).

use docpipe_core::Span;
pub use docpipe_core::text::split_sentences;
use docpipe_core::text::{is_closing, is_opening, is_terminal};

/// One candidate sentence of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// Byte offset of the first byte in the document text.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Index of the paragraph (line or block) it belongs to.
    pub paragraph: usize,
    /// Whether it is the first candidate sentence of its paragraph.
    pub first_in_paragraph: bool,
}

/// Length in bytes of a wire dateline at the start of `line` (`MOMBASA (Wire) -`,
/// `KRAKOW, Poland, March 3 (MPA) -`, `KRAKÓW —`), including the closing dash or colon, or
/// `None`. The first word must be in capitals (two letters or more) and the dateline at
/// most 80 bytes long.
pub fn dateline_len(line: &str) -> Option<usize> {
    let first: String = line.chars().take_while(|c| c.is_alphabetic()).collect();
    if first.chars().count() < 2 || first.chars().any(|c| !c.is_uppercase()) {
        return None;
    }
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        if i > 80 {
            return None;
        }
        // Sentence punctuation or a lower-case word before the dash: not a dateline.
        if matches!(c, '!' | '?' | '"' | '“' | '”') || (c.is_lowercase() && matches!(prev, ' ' | ',' | '(')) {
            return None;
        }
        let dash = matches!(c, '-' | '–' | '—');
        if (dash && (prev == ' ' || prev == ')')) || (c == ':' && i > 0) {
            // Take the whole run of dashes.
            let mut end = i + c.len_utf8();
            for d in line[end..].chars() {
                if matches!(d, '-' | '–' | '—') {
                    end += d.len_utf8();
                } else {
                    break;
                }
            }
            let after = line[end..].chars().next();
            if after.is_none_or(char::is_whitespace) {
                return Some(end);
            }
            return None;
        }
        prev = c;
    }
    None
}

/// How a line that is not body prose looks, without the splitter's block roles.
fn is_non_body_line(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() {
        return true;
    }
    let Some(last) = t.chars().rev().find(|&c| !is_closing(c)) else { return true };
    if !is_terminal(last) {
        // Headlines, subheadings, captions without a stop, attributions, credit lines.
        return true;
    }
    // Only short lines can be credits or bios; long ones are checked on their opening only.
    let short = t.len() <= 400;
    let starts = |p: &str| t.len() >= p.len() && t.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    const PREFIXES: &[&str] = &[
        "by ",
        "related:",
        "related ",
        "read more",
        "see also",
        "reporting by",
        "additional reporting",
        "editing by",
        "(reporting by",
        "photo:",
        "image:",
        "caption:",
        "watch:",
        "listen:",
        "copyright",
        "©",
        "- ",
        "– ",
        "— ",
    ];
    // A line opening with `By ` is a byline only when short (under 30 words).
    if PREFIXES.iter().any(|p| starts(p)) && (!starts("by ") || (short && count_words(t) < 30)) {
        return true;
    }
    // A short author bio: "<Name> is a/the … correspondent/reporter/editor …" in at most 30
    // words (the cheap tests first).
    const ROLES: &[&str] =
        &["correspondent", "reporter", "editor", "journalist", "writer", "columnist", "photographer"];
    // Most body lines are longer than a bio: count words before searching for the verbs.
    if !short || count_words(t) > 30 {
        return false;
    }
    // The verbs are ASCII and contain no letter that a non-ASCII one lower-cases to, so a
    // byte-wise ASCII case-insensitive search finds exactly what `to_lowercase` would.
    let b = t.as_bytes();
    let verb = |i: usize| {
        [&b" is a "[..], b" is the ", b" writes "]
            .iter()
            .any(|n| b.get(i..i + n.len()).is_some_and(|w| w.eq_ignore_ascii_case(n)))
    };
    if !(0..b.len()).any(|i| b[i] == b' ' && verb(i)) {
        return false;
    }
    let lower = t.to_lowercase();
    ROLES.iter().any(|r| lower.contains(r))
}

/// Byte ranges of the lines of `text` (without their terminators).
fn lines(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = 0;
    text.split('\n').map(move |l| {
        let start = pos;
        pos += l.len() + 1;
        let l = l.strip_suffix('\r').unwrap_or(l);
        (start, start + l.len())
    })
}

/// The number of whitespace-separated words of `s`: exactly `s.split_whitespace().count()`.
/// Runs of ASCII are counted in a branch-free loop; a character is decoded only at a
/// non-ASCII byte.
pub fn count_words(s: &str) -> usize {
    // ASCII characters with the Unicode White_Space property: tab to carriage return, space.
    let space = |c: u8| c == b' ' || (b'\t'..=b'\r').contains(&c);
    let b = s.as_bytes();
    let mut n = 0;
    let mut prev_space = true;
    let mut i = 0;
    while i < b.len() {
        let j = b[i..].iter().position(|&c| c >= 0x80).map_or(b.len(), |k| i + k);
        if let (Some(&first), Some(&last)) = (b[i..j].first(), b[i..j].last()) {
            let seg = &b[i..j];
            n += usize::from(prev_space && !space(first));
            n += seg[1..].iter().zip(seg).map(|(&c, &p)| usize::from(space(p) & !space(c))).sum::<usize>();
            prev_space = space(last);
        }
        i = j;
        if i < b.len() {
            let (sp, len) = match s.get(i..).and_then(|r| r.chars().next()) {
                Some(ch) => (ch.is_whitespace(), ch.len_utf8()),
                None => (false, 1),
            };
            n += usize::from(prev_space && !sp);
            prev_space = sp;
            i += len;
        }
    }
    n
}

/// The largest char boundary `<= i` of `s`.
pub fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The FNV-1a offset basis: the hash of the empty word.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One FNV-1a step.
#[inline(always)]
fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
}

/// FNV-1a steps over the UTF-8 bytes of the lower-case form of `s`.
fn fnv_lower(mut h: u64, s: &str) -> u64 {
    for c in s.chars().flat_map(char::to_lowercase) {
        let mut buf = [0u8; 4];
        h = c.encode_utf8(&mut buf).bytes().fold(h, fnv_step);
    }
    h
}

/// FNV-1a hash of a word, lower-cased: a cheap, deterministic word identity.
pub fn word_hash(w: &str) -> u64 {
    if w.is_ascii() {
        return w.bytes().fold(FNV_OFFSET, |h, b| fnv_step(h, b.to_ascii_lowercase()));
    }
    fnv_lower(FNV_OFFSET, w)
}

/// A short line wrapped in quotes, all of whose words occur in another line: a pull quote.
/// Compares each quoted line with at most `MAX_LINES_COMPARED` lines, so the cost stays
/// linear in the document's length.
fn pull_quotes(text: &str, line_ranges: &[(usize, usize)], keep: &mut [bool]) {
    const MAX_LINES_COMPARED: usize = 2_000;
    let is_quote = |&(a, b): &(usize, usize)| {
        let line = text[a..b].trim();
        line.starts_with(is_opening) && count_words(line) <= 40
    };
    if !line_ranges.iter().any(is_quote) {
        return;
    }
    // The distinct word hashes of a line, sorted, appended to `out`.
    let set = |&(a, b): &(usize, usize), out: &mut Vec<u64>| {
        let from = out.len();
        out.extend(hashed_words(&text[a..b]).map(|(_, h)| h));
        out[from..].sort_unstable();
        let mut kept = from;
        for k in from..out.len() {
            if kept == from || out[k] != out[kept - 1] {
                out[kept] = out[k];
                kept += 1;
            }
        }
        out.truncate(kept);
    };
    let compared = line_ranges.len().min(MAX_LINES_COMPARED);
    // All the sets in one buffer: line `j`'s set is `flat[starts[j]..starts[j + 1]]`.
    let mut flat: Vec<u64> = Vec::with_capacity(text.len() / 6);
    let mut starts = Vec::with_capacity(compared + 1);
    starts.push(0);
    for r in &line_ranges[..compared] {
        set(r, &mut flat);
        starts.push(flat.len());
    }
    let sets = |j: usize| &flat[starts[j]..starts[j + 1]];
    let mut own = Vec::new();
    for i in 0..line_ranges.len() {
        if !is_quote(&line_ranges[i]) {
            continue;
        }
        let mine = if i < compared {
            sets(i)
        } else {
            own.clear();
            set(&line_ranges[i], &mut own);
            &own
        };
        if mine.len() < 3 {
            continue;
        }
        let contained = (0..compared).any(|j| {
            j != i && keep[j] && sets(j).len() > mine.len() && mine.iter().all(|w| sets(j).binary_search(w).is_ok())
        });
        if contained {
            keep[i] = false;
        }
    }
}

/// The candidate sentences of a document, in text order.
///
/// `sentences` and `blocks` are the splitter's layers when present. Sentences of non-body
/// blocks (or, without blocks, of lines that do not look like body prose) are left out, and
/// a dateline opening a sentence is cut off it.
pub fn candidates(text: &str, sentences: Option<&[Span]>, blocks: Option<&[Span]>) -> Vec<Sentence> {
    // Paragraphs: body blocks when the splitter labelled them, else body-looking lines.
    let paragraphs: Vec<(usize, usize)> = match blocks {
        Some(blocks) => blocks
            .iter()
            .filter(|b| b.label.as_deref().is_none_or(|l| l == "body") && b.end <= text.len() && b.start <= b.end)
            .map(|b| (b.start, b.end))
            .collect(),
        None => {
            let all: Vec<(usize, usize)> = lines(text).collect();
            let mut keep: Vec<bool> = all.iter().map(|&(a, b)| !is_non_body_line(&text[a..b])).collect();
            pull_quotes(text, &all, &mut keep);
            all.into_iter().zip(keep).filter(|&(_, k)| k).map(|(r, _)| r).collect()
        }
    };
    let mut spans: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, paragraph)
    match sentences {
        Some(sents) => {
            // Assign each given sentence to the paragraph containing its start.
            let mut p = 0;
            let mut sorted: Vec<(usize, usize)> =
                sents.iter().filter(|s| s.start <= s.end && s.end <= text.len()).map(|s| (s.start, s.end)).collect();
            sorted.sort_unstable();
            for (a, b) in sorted {
                while p < paragraphs.len() && paragraphs[p].1 <= a {
                    p += 1;
                }
                if p < paragraphs.len() && paragraphs[p].0 <= a && b <= paragraphs[p].1.max(a) {
                    spans.push((a, b, p));
                }
            }
        }
        None => {
            let mut buf = Vec::new();
            for (p, &(a, b)) in paragraphs.iter().enumerate() {
                buf.clear();
                split_sentences(text, a, b, &mut buf);
                spans.extend(buf.iter().map(|&(s, e)| (s, e, p)));
            }
        }
    }
    let mut out: Vec<Sentence> = Vec::with_capacity(spans.len());
    for (a, b, p) in spans {
        let (mut a, b) = (a, b);
        if let Some(piece) = text.get(a..b)
            && let Some(d) = dateline_len(piece)
        {
            let rest = &piece[d..];
            a += d + (rest.len() - rest.trim_start().len());
        }
        if a >= b || !text.is_char_boundary(a) || !text.is_char_boundary(b) {
            continue;
        }
        let first = out.last().is_none_or(|s| s.paragraph != p);
        out.push(Sentence { start: a, end: b, paragraph: p, first_in_paragraph: first });
    }
    out
}

/// The words of `s` with their byte offsets: maximal runs of alphanumeric characters, with
/// apostrophes inside a word kept (`don't`, `Kenya's`).
pub fn words(s: &str) -> Words<'_> {
    Words { s, pos: 0 }
}

/// Iterator over the words of a string (see [`words`]). Scans bytes, decoding a character
/// only at non-ASCII bytes.
#[derive(Debug, Clone)]
pub struct Words<'a> {
    s: &'a str,
    pos: usize,
}

impl Words<'_> {
    /// Whether the character at byte `i` is alphanumeric, and its length in bytes.
    #[inline(always)]
    fn alnum_at(&self, i: usize) -> Option<(bool, usize)> {
        let b = *self.s.as_bytes().get(i)?;
        if b < 0x80 {
            return Some((b.is_ascii_alphanumeric(), 1));
        }
        let c = self.s.get(i..)?.chars().next()?;
        Some((c.is_alphanumeric(), c.len_utf8()))
    }
}

impl<'a> Words<'a> {
    /// The next word and its offset; `on_ascii` sees each ASCII byte of the word and
    /// `on_other` each other character (its bytes), so a caller can hash the word in the
    /// same scan.
    #[inline(always)]
    fn next_with(&mut self, mut on_ascii: impl FnMut(u8), mut on_other: impl FnMut(&str)) -> Option<(usize, &'a str)> {
        let bytes = self.s.as_bytes();
        // Skip to the next alphanumeric character (ASCII bytes in a tight loop).
        loop {
            while self.pos < bytes.len() && bytes[self.pos] < 0x80 && !bytes[self.pos].is_ascii_alphanumeric() {
                self.pos += 1;
            }
            let (alnum, len) = self.alnum_at(self.pos)?;
            if alnum {
                break;
            }
            self.pos += len;
        }
        let start = self.pos;
        loop {
            while self.pos < bytes.len() && bytes[self.pos].is_ascii_alphanumeric() {
                on_ascii(bytes[self.pos]);
                self.pos += 1;
            }
            let Some((alnum, len)) = self.alnum_at(self.pos) else { break };
            // An apostrophe is kept only when a letter or digit follows.
            let keep = alnum || {
                let apostrophe = bytes[self.pos] == b'\'' || self.s[self.pos..].starts_with('’');
                apostrophe && self.alnum_at(self.pos + len).is_some_and(|(a, _)| a)
            };
            if !keep {
                break;
            }
            if len == 1 {
                on_ascii(bytes[self.pos]);
            } else {
                on_other(self.s.get(self.pos..self.pos + len).unwrap_or(""));
            }
            self.pos += len;
        }
        Some((start, &self.s[start..self.pos]))
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        self.next_with(|_| {}, |_| {})
    }
}

/// The words of `s` (as [`words`]) with their [`word_hash`], hashed in the same scan.
pub fn hashed_words(s: &str) -> HashedWords<'_> {
    HashedWords { words: Words { s, pos: 0 } }
}

/// Iterator over the words of a string with their hashes (see [`hashed_words`]).
#[derive(Debug, Clone)]
pub struct HashedWords<'a> {
    words: Words<'a>,
}

impl<'a> Iterator for HashedWords<'a> {
    type Item = (&'a str, u64);

    fn next(&mut self) -> Option<(&'a str, u64)> {
        // FNV-1a over the lower-cased characters, exactly as `word_hash`.
        let h = std::cell::Cell::new(FNV_OFFSET);
        let (_, w) = self
            .words
            .next_with(|b| h.set(fnv_step(h.get(), b.to_ascii_lowercase())), |c| h.set(fnv_lower(h.get(), c)))?;
        Some((w, h.get()))
    }
}

/// English stop words: the Snowball English stop word list (Martin Porter, BSD-3-Clause),
/// as listed in `SOURCES.md`, plus `will`. Sorted, for binary
/// search.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "aren't", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can't", "cannot", "could",
    "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't", "down", "during", "each", "few", "for",
    "from", "further", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "he'd", "he'll", "he's",
    "her", "here", "here's", "hers", "herself", "him", "himself", "his", "how", "how's", "i", "i'd", "i'll", "i'm",
    "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its", "itself", "let's", "me", "more", "most",
    "mustn't", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other", "ought", "our",
    "ours", "ourselves", "out", "over", "own", "same", "shan't", "she", "she'd", "she'll", "she's", "should",
    "shouldn't", "so", "some", "such", "than", "that", "that's", "the", "their", "theirs", "them", "themselves",
    "then", "there", "there's", "these", "they", "they'd", "they'll", "they're", "they've", "this", "those",
    "through", "to", "too", "under", "until", "up", "very", "was", "wasn't", "we", "we'd", "we'll", "we're", "we've",
    "were", "weren't", "what", "what's", "when", "when's", "where", "where's", "which", "while", "who", "who's",
    "whom", "why", "why's", "will", "with", "won't", "would", "wouldn't", "you", "you'd", "you'll", "you're",
    "you've", "your", "yours", "yourself", "yourselves",
];

/// Whether a lower-case word is an English stop word (see `STOP_WORDS` and SOURCES.md).
/// Curly apostrophes count as straight ones.
pub fn is_stop_word(word: &str) -> bool {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str, crate::rank::FastHash>> =
        std::sync::OnceLock::new();
    let set = SET.get_or_init(|| STOP_WORDS.iter().copied().collect());
    // No stop word is longer than 10 bytes ("ourselves", "yourselves").
    if word.len() > 12 {
        return false;
    }
    if word.contains('’') {
        let straight = word.replace('’', "'");
        return set.contains(straight.as_str());
    }
    set.contains(word)
}

/// Whether `hash` is the [`word_hash`] of a stop word (with straight or curly apostrophes):
/// [`is_stop_word`] for a word already hashed, without comparing strings (a content word
/// would have to collide with a stop word in 64 bits to be taken for one).
pub fn is_stop_hash(hash: u64) -> bool {
    type Set = std::collections::HashSet<u64, std::hash::BuildHasherDefault<crate::rank::KeyIsHash>>;
    static SET: std::sync::OnceLock<Set> = std::sync::OnceLock::new();
    let set =
        SET.get_or_init(|| STOP_WORDS.iter().flat_map(|w| [word_hash(w), word_hash(&w.replace('\'', "’"))]).collect());
    set.contains(&hash)
}

fn has_vowel(s: &str) -> bool {
    s.bytes().any(|b| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y'))
}

fn undouble(s: &mut String) {
    let b = s.as_bytes();
    let n = b.len();
    if n >= 2 && b[n - 1] == b[n - 2] && b[n - 1].is_ascii_alphabetic() && !matches!(b[n - 1], b'l' | b's' | b'z') {
        s.pop();
    }
}

/// A light English stemmer for a lower-case word: folds plurals (`-s`, `-es`, `-ies`),
/// `-ed`, `-ing`, `-ly` and a final `-e`, so that `trade`, `trades`, `traded` and `trading`
/// share the stem `trad`. Possessive `'s` is dropped. Written for this crate after the
/// S-stemmer of Harman (1991) and the first steps of Porter (1980); it conflates less than
/// Porter and never produces an empty stem. Words of three letters or fewer, and words not
/// ending in ASCII letters, are returned unchanged (apart from the possessive).
pub fn stem(word: &str) -> String {
    let mut w = String::new();
    stem_into(word, &mut w);
    w
}

/// [`stem`] into a reusable buffer (cleared first).
pub fn stem_into(word: &str, w: &mut String) {
    w.clear();
    w.push_str(word.strip_suffix("'s").or_else(|| word.strip_suffix("’s")).unwrap_or(word));
    if w.len() <= 3 || !w.as_bytes()[w.len() - 1].is_ascii_lowercase() {
        return;
    }
    // Plurals.
    if w.ends_with("ies") && w.len() > 4 {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with("es")
        && (w[..w.len() - 2].ends_with(['s', 'x', 'z'])
            || w[..w.len() - 2].ends_with("ch")
            || w[..w.len() - 2].ends_with("sh"))
    {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    // Past tense and gerund.
    if w.ends_with("ied") && w.len() > 4 {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with("ing") && w.len() >= 6 && has_vowel(&w[..w.len() - 3]) {
        w.truncate(w.len() - 3);
        undouble(w);
    } else if w.ends_with("ed") && w.len() >= 5 && !w.ends_with("eed") && has_vowel(&w[..w.len() - 2]) {
        w.truncate(w.len() - 2);
        undouble(w);
    }
    if w.ends_with("ly") && w.len() >= 6 {
        w.truncate(w.len() - 2);
    }
    if w.ends_with('e') && w.len() > 3 {
        w.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_datelines() {
        for (line, dl) in [
            ("MOMBASA (Coastline Wire) - The talks", "MOMBASA (Coastline Wire) -"),
            ("KRAKOW, Poland, March 3 (MPA) - Votes", "KRAKOW, Poland, March 3 (MPA) -"),
            ("ACCRA (Coastline Wire)-- The cedi", "ACCRA (Coastline Wire)--"),
            ("KRAKÓW — The count", "KRAKÓW —"),
            ("KRAKÓW, March 5 –", "KRAKÓW, March 5 –"),
            ("LONDON: Shares fell", "LONDON:"),
        ] {
            assert_eq!(dateline_len(line).map(|n| &line[..n]), Some(dl), "{line}");
        }
        for line in [
            "The talks - which ran late - ended.",
            "A (B) - c",
            "UN-backed forces advanced.",
            "I - me",
            "",
            "US officials said - fine",
        ] {
            assert_eq!(dateline_len(line), None, "{line}");
        }
    }

    #[test]
    fn skips_non_body_lines_and_datelines() {
        let text = "Talks collapse in port city\nBy Jane Roe\nMOMBASA (Wire) - Talks collapsed on Monday. Delegates left.\n\"Talks collapsed on Monday.\"\nRelated: Other story here.\nJane Roe is the Wire's trade correspondent.\nA final body line.";
        let c = candidates(text, None, None);
        let got: Vec<&str> = c.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["Talks collapsed on Monday.", "Delegates left.", "A final body line."]);
        assert!(c[0].first_in_paragraph && !c[1].first_in_paragraph && c[2].first_in_paragraph);
        assert_ne!(c[1].paragraph, c[2].paragraph);
    }

    #[test]
    fn uses_given_layers() {
        let text = "Headline here\nBody one. Body two.\nCaption.";
        let blocks = vec![
            Span::new(0, 13).with_label("standfirst"),
            Span::new(14, 33).with_label("body"),
            Span::new(34, 42).with_label("caption"),
        ];
        let sents = vec![Span::new(0, 13), Span::new(14, 23), Span::new(24, 33), Span::new(34, 42)];
        let c = candidates(text, Some(&sents), Some(&blocks));
        let got: Vec<&str> = c.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["Body one.", "Body two."]);
        // Blocks alone: own sentence rule inside body blocks.
        let c = candidates(text, None, Some(&blocks));
        assert_eq!(c.len(), 2);
        // Sentences alone: line heuristics drop the headline.
        let c = candidates(text, Some(&sents), None);
        let got: Vec<&str> = c.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["Body one.", "Body two.", "Caption."]);
    }

    /// The straightforward `words`: characters, with one character of look-ahead.
    fn words_by_chars(s: &str) -> Vec<(usize, &str)> {
        let chars: Vec<(usize, char)> = s.char_indices().collect();
        let mut out = Vec::new();
        let mut k = 0;
        while k < chars.len() {
            if !chars[k].1.is_alphanumeric() {
                k += 1;
                continue;
            }
            let start = chars[k].0;
            while k < chars.len() {
                let c = chars[k].1;
                let next_alnum = chars.get(k + 1).is_some_and(|&(_, d)| d.is_alphanumeric());
                if c.is_alphanumeric() || ((c == '\'' || c == '’') && next_alnum) {
                    k += 1;
                } else {
                    break;
                }
            }
            let end = chars.get(k).map_or(s.len(), |&(i, _)| i);
            out.push((start, &s[start..end]));
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn fast_scans_match_the_straightforward_ones(
            s in "(?s)[a-zA-Z0-9 '’\t\n\u{b}\u{c}\u{1c}\u{85}\u{a0}\u{1680}\u{2000}\u{2003}\u{200a}\u{200b}\u{2028}\u{202f}\u{205f}\u{3000}£éßÉİK“”….,-]{0,80}",
        ) {
            proptest::prop_assert_eq!(words(&s).collect::<Vec<_>>(), words_by_chars(&s));
            let hashed: Vec<(&str, u64)> = hashed_words(&s).collect();
            let plain: Vec<(&str, u64)> = words(&s).map(|(_, w)| (w, word_hash(w))).collect();
            proptest::prop_assert_eq!(hashed, plain);
            proptest::prop_assert_eq!(count_words(&s), s.split_whitespace().count());
        }

        #[test]
        fn fast_scans_never_panic(s in "(?s).{0,80}") {
            proptest::prop_assert_eq!(words(&s).collect::<Vec<_>>(), words_by_chars(&s));
            let hashed: Vec<(&str, u64)> = hashed_words(&s).collect();
            let plain: Vec<(&str, u64)> = words(&s).map(|(_, w)| (w, word_hash(w))).collect();
            proptest::prop_assert_eq!(hashed, plain);
            proptest::prop_assert_eq!(count_words(&s), s.split_whitespace().count());
        }
    }

    #[test]
    fn stop_hashes_match_stop_words() {
        for w in STOP_WORDS {
            assert!(is_stop_hash(word_hash(w)) && is_stop_word(w), "{w}");
            let curly = w.replace('\'', "’");
            assert!(is_stop_hash(word_hash(&curly)) && is_stop_word(&curly), "{curly}");
            let upper = w.to_uppercase();
            assert!(is_stop_hash(word_hash(&upper)), "{upper}");
        }
        for w in ["port", "levy", "thee", "willow", "ours's", "whom'", "Kenya"] {
            assert!(!is_stop_hash(word_hash(w)) && !is_stop_word(&w.to_lowercase()), "{w}");
        }
    }

    #[test]
    fn counts_words_like_split_whitespace() {
        for s in [
            "",
            " ",
            "a",
            " a b  c ",
            "a\tb\nc\x0bd\x0ce\rf",
            "x\u{a0}y z",
            "a\x1cb",
            "é  è",
            "one",
            "“Quoted,” she said\u{2003}then left.\u{3000}",
            "\u{a0}\u{a0}",
            "é",
        ] {
            assert_eq!(count_words(s), s.split_whitespace().count(), "{s:?}");
        }
    }

    #[test]
    fn words_and_stems() {
        let w: Vec<&str> = words("Kenya's port-levy, don’t stop… 3.5%").map(|(_, w)| w).collect();
        assert_eq!(w, vec!["Kenya's", "port", "levy", "don’t", "stop", "3", "5"]);
        for (a, b) in [("trade", "trading"), ("trades", "traded"), ("rally", "rallied"), ("rates", "rate")] {
            assert_eq!(stem(a), stem(b), "{a} {b}");
        }
        assert_eq!(stem("running"), "run");
        assert_eq!(stem("kenya's"), "kenya");
        assert_eq!(stem("bus"), "bus");
        assert_eq!(stem("crisis"), "crisis");
        assert!(is_stop_word("the") && is_stop_word("don’t") && !is_stop_word("port"));
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "stop words must be sorted");
    }
}
