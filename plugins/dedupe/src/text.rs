//! Text handling for dedupe: the normalisation applied before hashing, word tokens, the
//! units compared at each level (document, paragraph, sentence) and the byte ranges cut out
//! when a duplicated unit is dropped.
//!
//! Everything here is a pure function of the text (and of the annotation spans handed in),
//! so `prepare` can run it on many threads and the result never depends on scheduling.

use docpipe_core::Span;

/// What the normalisation before hashing ignores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Normalisation {
    /// Compare case-insensitively (Unicode lower case).
    pub case: bool,
    /// Collapse every run of whitespace into one space and trim the ends.
    pub whitespace: bool,
    /// Ignore punctuation and symbols (they separate words like spaces do).
    pub punctuation: bool,
    /// Treat every run of digits as the same number.
    pub digits: bool,
}

impl Normalisation {
    /// A compact code for the index header (one bit per flag).
    pub fn bits(self) -> u8 {
        u8::from(self.case)
            | u8::from(self.whitespace) << 1
            | u8::from(self.punctuation) << 2
            | u8::from(self.digits) << 3
    }
}

/// Normalises `text` into `out` (cleared first) according to `n`.
pub fn normalise_into(text: &str, n: Normalisation, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    let mut pending_space = false;
    let mut in_digits = false;
    for c in text.chars() {
        // The ASCII tests give the same answers as the Unicode ones for ASCII, faster.
        let (white, alnum) = if c.is_ascii() {
            (matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r'), c.is_ascii_alphanumeric())
        } else {
            (c.is_whitespace(), c.is_alphanumeric())
        };
        let is_space = white || (n.punctuation && n.whitespace && !alnum);
        if n.punctuation && !n.whitespace && !alnum && !white {
            continue;
        }
        if is_space && n.whitespace {
            pending_space = !out.is_empty();
            in_digits = false;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        if c.is_ascii() {
            if n.digits && c.is_ascii_digit() {
                if !in_digits {
                    out.push('0');
                    in_digits = true;
                }
                continue;
            }
            in_digits = false;
            out.push(if n.case { c.to_ascii_lowercase() } else { c });
            continue;
        }
        if n.digits && c.is_numeric() {
            if !in_digits {
                out.push('0');
                in_digits = true;
            }
            continue;
        }
        in_digits = false;
        if n.case && !c.is_lowercase() && c.is_alphabetic() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
}

/// The words of a normalised text: the same tokens as [`str::split_whitespace`], found by
/// scanning bytes (ASCII is tested directly; only non-ASCII characters are decoded).
pub fn words(normalised: &str) -> Words<'_> {
    Words { text: normalised, pos: 0 }
}

/// The iterator of [`words`].
#[derive(Debug, Clone)]
pub struct Words<'a> {
    text: &'a str,
    pos: usize,
}

impl Words<'_> {
    /// Whether a whitespace character starts at `i`, and its length in bytes.
    #[inline(always)]
    fn space_at(&self, i: usize) -> (bool, usize) {
        let b = self.text.as_bytes()[i];
        if b < 0x80 {
            return (matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r'), 1);
        }
        self.non_ascii_space_at(i)
    }

    #[inline(never)]
    fn non_ascii_space_at(&self, i: usize) -> (bool, usize) {
        match self.text.get(i..).and_then(|rest| rest.chars().next()) {
            Some(c) => (c.is_whitespace(), c.len_utf8()),
            None => (false, 1),
        }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let len = self.text.len();
        while self.pos < len {
            let (space, width) = self.space_at(self.pos);
            if !space {
                break;
            }
            self.pos += width;
        }
        if self.pos >= len {
            return None;
        }
        let start = self.pos;
        while self.pos < len {
            let (space, width) = self.space_at(self.pos);
            if space {
                break;
            }
            self.pos += width;
        }
        self.text.get(start..self.pos)
    }
}

/// The unit a stage compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The whole document.
    Document,
    /// Paragraphs: the `paragraphs` layer, else non-blank lines.
    Paragraph,
    /// Sentences: the `sentences` layer, else a built-in rule inside each line.
    Sentence,
}

impl Level {
    /// The name used in options, reports and span labels.
    pub fn name(self) -> &'static str {
        match self {
            Level::Document => "document",
            Level::Paragraph => "paragraph",
            Level::Sentence => "sentence",
        }
    }
}

/// The byte ranges of the units of `text` at `level`, sorted, non-overlapping, on char
/// boundaries and trimmed of surrounding whitespace; empty units are left out.
///
/// `layer` is the splitter's layer for the level (`paragraphs` or `sentences`) when the
/// document has one: its spans are used (clamped and trimmed; overlapping spans are skipped).
pub fn units(text: &str, level: Level, layer: Option<&[Span]>) -> Vec<(usize, usize)> {
    let raw = match (level, layer) {
        (Level::Document, _) => vec![(0, text.len())],
        (_, Some(spans)) if !spans.is_empty() => spans.iter().map(|s| (s.start, s.end)).collect(),
        (Level::Paragraph, _) => lines(text),
        (Level::Sentence, _) => {
            let mut out = Vec::new();
            for (s, e) in lines(text) {
                docpipe_text::sentences::split_sentences(text, s, e, &mut out);
            }
            out
        }
    };
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(raw.len());
    for (s, e) in raw {
        let Some((s, e)) = trim(text, s, e) else { continue };
        if out.last().is_some_and(|&(_, pe)| s < pe) {
            continue;
        }
        out.push((s, e));
    }
    out
}

/// `text[s..e]` clamped to the text and to char boundaries, without surrounding whitespace;
/// `None` when nothing is left.
fn trim(text: &str, s: usize, e: usize) -> Option<(usize, usize)> {
    let e = e.min(text.len());
    if s >= e || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
        return None;
    }
    let slice = &text[s..e];
    let lead = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim();
    if trimmed.is_empty() {
        return None;
    }
    Some((s + lead, s + lead + trimmed.len()))
}

/// Line contents (terminators excluded).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            out.push((start, i));
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// The range to delete when unit `(s, e)` is cut out of `text`, so the remaining text reads
/// naturally: a paragraph takes its trailing line break with it (or the preceding one at the
/// end of the text); a sentence takes the spaces after it (or before it at the end of a line).
/// The range never reaches into the neighbouring units `prev_end..` / `..next_start`.
pub fn cut_range(
    text: &str,
    level: Level,
    (s, e): (usize, usize),
    prev_end: usize,
    next_start: usize,
) -> (usize, usize) {
    let bytes = text.as_bytes();
    let limit = next_start.min(text.len());
    let horizontal = |b: u8| b == b' ' || b == b'\t';
    let mut end = e;
    while end < limit && horizontal(bytes[end]) {
        end += 1;
    }
    let mut start = s;
    match level {
        Level::Document => return (0, text.len()),
        Level::Paragraph => {
            if end < limit && bytes[end] == b'\r' && end + 1 < limit && bytes[end + 1] == b'\n' {
                end += 2;
            } else if end < limit && bytes[end] == b'\n' {
                end += 1;
            } else if end >= text.len() {
                while start > prev_end && bytes[start - 1].is_ascii_whitespace() {
                    start -= 1;
                }
            } else {
                end = e;
            }
        }
        Level::Sentence => {
            let at_line_end = end >= text.len() || bytes[end] == b'\n' || bytes[end] == b'\r';
            if at_line_end {
                end = e;
                while start > prev_end && horizontal(bytes[start - 1]) {
                    start -= 1;
                }
            }
        }
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(text: &str, n: Normalisation) -> String {
        let mut out = String::new();
        normalise_into(text, n, &mut out);
        out
    }

    const ALL: Normalisation = Normalisation { case: true, whitespace: true, punctuation: true, digits: true };

    #[test]
    fn normalisation_flags() {
        assert_eq!(norm("  The  Levy,\tsaid “Ms Odhiambo”. ", ALL), "the levy said ms odhiambo");
        assert_eq!(norm("412 votes, 1.8 km", ALL), "0 votes 0 0 km");
        let keep_digits = Normalisation { digits: false, ..ALL };
        assert_eq!(norm("412 votes", keep_digits), "412 votes");
        let none = Normalisation::default();
        assert_eq!(norm(" A  b. ", none), " A  b. ");
        let punct_only = Normalisation { punctuation: true, ..Normalisation::default() };
        assert_eq!(norm("don't, X", punct_only), "dont X");
        assert_eq!(norm("ÉCOLE Ünal", ALL), "école ünal");
    }

    #[test]
    fn paragraph_units_are_trimmed_lines() {
        let t = "One line here.\r\n\n  Two  \nthree";
        let u = units(t, Level::Paragraph, None);
        let got: Vec<&str> = u.iter().map(|&(s, e)| &t[s..e]).collect();
        assert_eq!(got, ["One line here.", "Two", "three"]);
    }

    #[test]
    fn sentence_rule() {
        let t = "Dr. K. T. Mensah spoke at 6 p.m. on Friday. “It failed,” he said. Prices rose 1.5 per cent! Why? 2026 ends.";
        let u = units(t, Level::Sentence, None);
        let got: Vec<&str> = u.iter().map(|&(s, e)| &t[s..e]).collect();
        assert_eq!(
            got,
            [
                "Dr. K. T. Mensah spoke at 6 p.m. on Friday.",
                "“It failed,” he said.",
                "Prices rose 1.5 per cent!",
                "Why?",
                "2026 ends."
            ]
        );
    }

    #[test]
    fn layer_spans_are_used_and_cleaned() {
        let t = "aaa bbb\nccc";
        let layer = vec![Span::new(0, 4), Span::new(2, 6), Span::new(8, 99), Span::new(7, 7)];
        assert_eq!(units(t, Level::Paragraph, Some(&layer)), [(0, 3), (8, 11)]);
    }

    #[test]
    fn cut_ranges_read_naturally() {
        let t = "First para.\nSecond para.\nLast";
        assert_eq!(cut_range(t, Level::Paragraph, (12, 24), 11, 25), (12, 25));
        assert_eq!(cut_range(t, Level::Paragraph, (25, 29), 24, 29), (24, 29));
        let s = "One. Two. Three.\nNext.";
        assert_eq!(cut_range(s, Level::Sentence, (5, 9), 4, 10), (5, 10));
        assert_eq!(cut_range(s, Level::Sentence, (10, 16), 9, 17), (9, 16));
    }

    /// The normalisation with Unicode tests only (no ASCII fast path): the specification
    /// the fast path must match.
    fn reference(text: &str, n: Normalisation) -> String {
        let mut out = String::new();
        let (mut pending_space, mut in_digits) = (false, false);
        for c in text.chars() {
            let is_space = c.is_whitespace() || (n.punctuation && n.whitespace && !c.is_alphanumeric());
            if n.punctuation && !n.whitespace && !c.is_alphanumeric() && !c.is_whitespace() {
                continue;
            }
            if is_space && n.whitespace {
                pending_space = !out.is_empty();
                in_digits = false;
                continue;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            if n.digits && c.is_numeric() {
                if !in_digits {
                    out.push('0');
                    in_digits = true;
                }
                continue;
            }
            in_digits = false;
            if n.case && !c.is_lowercase() && c.is_alphabetic() {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    proptest! {
        #[test]
        fn ascii_fast_path_matches_the_unicode_rules(
            text in "[\\x00-\\x7F]{0,80}|\\PC{0,80}|[a-zA-Z0-9 ,.\\t\\x0B\\x0C\\r\\n²½٣É]{0,80}",
            bits in 0u8..16,
        ) {
            let n = Normalisation { case: bits & 1 != 0, whitespace: bits & 2 != 0, punctuation: bits & 4 != 0, digits: bits & 8 != 0 };
            prop_assert_eq!(norm(&text, n), reference(&text, n));
        }

        #[test]
        fn words_are_split_whitespace(text in "[a-z \\t\\n\\x0B\\x0C\\r\\x1C\\u{85}\\u{A0}\\u{2003}\\u{3000}é]{0,60}|\\PC{0,60}") {
            let ours: Vec<&str> = words(&text).collect();
            let std: Vec<&str> = text.split_whitespace().collect();
            prop_assert_eq!(ours, std);
        }

        #[test]
        fn units_are_sorted_inside_and_on_boundaries(text in "\\PC{0,200}|[a-z .!?\n“”]{0,200}", lvl in 0u8..3) {
            let level = [Level::Document, Level::Paragraph, Level::Sentence][lvl as usize];
            let u = units(&text, level, None);
            let mut prev = 0;
            for (i, &(s, e)) in u.iter().enumerate() {
                prop_assert!(s < e && e <= text.len());
                prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
                prop_assert!(s >= prev);
                prev = e;
                let next = u.get(i + 1).map_or(text.len(), |n| n.0);
                let (cs, ce) = cut_range(&text, level, (s, e), if i == 0 { 0 } else { u[i - 1].1 }, next);
                prop_assert!(cs <= s && ce >= e && ce <= next.max(e) && text.is_char_boundary(cs) && text.is_char_boundary(ce));
            }
            let mut out = String::new();
            normalise_into(&text, ALL, &mut out);
            prop_assert!(!out.starts_with(' ') && !out.ends_with(' ') && !out.contains("  "));
        }
    }
}
