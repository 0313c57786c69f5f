//! The normalisation passes, each recording its edits, and their composition.
//!
//! Pass 1 walks the characters once: quote, dash and ellipsis folding, control and format
//! character removal, and whitespace runs (a run of spaces, tabs, line breaks and removed
//! invisible characters is replaced as a whole: by one space, by up to
//! `max_blank_lines + 1` line feeds, or by nothing at the start and end of the text and at
//! line ends). Pass 2 applies NFC per starter-led segment, only where the text is not NFC.
//! Pass 3 inserts spaces into glued words. The three edit lists are composed into one list
//! against the input text.

use std::borrow::Cow;

use docpipe_core::align::{self, Edit, Rewriter};
use serde::Deserialize;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc, is_nfc_quick};

use crate::NormaliseOptions;
use crate::glue::{Lexicon, glue_splits};

/// Quote style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteStyle {
    /// ASCII `'` and `"`.
    Straight,
    /// Typographic quotes, chosen by context.
    Curly,
    /// Leave quotes alone.
    Keep,
}

/// Dash style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DashStyle {
    /// Hyphen look-alikes to `-`, horizontal bar to em dash; en and em dashes kept.
    Standard,
    /// Also en dash to `-` and em dash to `--`.
    Ascii,
    /// Leave dashes alone.
    Keep,
}

/// Ellipsis style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EllipsisStyle {
    /// Leave `…` alone.
    Keep,
    /// `…` to `...`.
    Dots,
}

/// The result of normalising one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalised {
    /// The normalised text.
    pub text: String,
    /// Edits of `text` against the input text.
    pub edits: Vec<Edit>,
    /// Number of edits.
    pub changes: usize,
    /// Number of spaces inserted into glued words.
    pub glue_splits: usize,
}

fn is_horizontal_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{000B}' | '\u{000C}' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Invisible characters that only get in the way of text processing.
fn is_removable(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => true,
        '\u{200B}' | '\u{FEFF}' | '\u{00AD}' | '\u{2060}'..='\u{2064}' | '\u{180E}' | '\u{FFF9}'..='\u{FFFB}' => true,
        _ => false,
    }
}

fn fold_char(c: char, prev: Option<char>, o: &NormaliseOptions) -> Option<&'static str> {
    let opening = || prev.is_none_or(|p| p.is_whitespace() || "([{<‘“-–—/".contains(p));
    match o.quotes {
        QuoteStyle::Straight => match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{2039}' | '\u{203A}' | '\u{FF07}' => {
                return Some("'");
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' | '\u{301D}'
            | '\u{301E}' | '\u{FF02}' => return Some("\""),
            _ => {}
        },
        QuoteStyle::Curly => match c {
            '\'' => return Some(if opening() { "\u{2018}" } else { "\u{2019}" }),
            '"' => return Some(if opening() { "\u{201C}" } else { "\u{201D}" }),
            _ => {}
        },
        QuoteStyle::Keep => {}
    }
    match o.dashes {
        DashStyle::Keep => {}
        DashStyle::Standard | DashStyle::Ascii => match c {
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => return Some("-"),
            '\u{2015}' | '\u{FE58}' => return Some(if o.dashes == DashStyle::Ascii { "--" } else { "\u{2014}" }),
            '\u{2013}' if o.dashes == DashStyle::Ascii => return Some("-"),
            '\u{2014}' if o.dashes == DashStyle::Ascii => return Some("--"),
            _ => {}
        },
    }
    if o.ellipsis == EllipsisStyle::Dots && c == '\u{2026}' {
        return Some("...");
    }
    None
}

/// Adjacent edits in one chain kept separate before the rest of the chain merges into one.
///
/// Normal text never has this many edits back to back, so its edits are exactly those the
/// passes make; a text of one repeated quote or control character gets a few edits instead
/// of one per character (32 bytes each, up to 8 times the text).
pub const MAX_CHAIN: usize = 64;

/// A [`Rewriter`] that records only real changes, says whether there were any, and merges a
/// chain of more than [`MAX_CHAIN`] adjacent edits into one.
///
/// Replacements by identical text are dropped here (the rewriter copies the old text later),
/// so an unchanged text is never copied: [`Edits::finish`] returns `None` and the pass's caller
/// keeps the text it had.
struct Edits<'a> {
    old: &'a str,
    /// Created at the first change, so an unchanged text allocates nothing.
    r: Option<Rewriter<'a>>,
    /// Old-text end of the last edit and the length of the chain of adjacent edits it ends.
    last_end: usize,
    chain: usize,
    /// The merged rest of a long chain, not yet given to the rewriter: (start, end, new text).
    merged: Option<(usize, usize, String)>,
}

impl<'a> Edits<'a> {
    fn new(old: &'a str) -> Self {
        Edits { old, r: None, last_end: 0, chain: 0, merged: None }
    }

    /// Replaces `old[start..end]` by `new` (positions never go back).
    fn replace(&mut self, start: usize, end: usize, new: &str) {
        let pos = self.merged.as_ref().map_or(self.r.as_ref().map_or(0, Rewriter::position), |m| m.1);
        let start = start.max(pos).min(self.old.len());
        let end = end.max(start).min(self.old.len());
        if self.old.get(start..end) == Some(new) {
            return;
        }
        self.chain = if self.chain > 0 && start == self.last_end { self.chain + 1 } else { 1 };
        self.last_end = end;
        if self.chain > MAX_CHAIN {
            match &mut self.merged {
                Some(m) => {
                    m.1 = end;
                    m.2.push_str(new);
                }
                None => self.merged = Some((start, end, new.to_owned())),
            }
            return;
        }
        self.flush();
        self.r.get_or_insert_with(|| Rewriter::new(self.old)).replace(start, end, new);
    }

    fn delete(&mut self, start: usize, end: usize) {
        self.replace(start, end, "");
    }

    fn insert(&mut self, at: usize, new: &str) {
        self.replace(at, at, new);
    }

    fn flush(&mut self) {
        if let Some((a, b, t)) = self.merged.take() {
            self.r.get_or_insert_with(|| Rewriter::new(self.old)).replace(a, b, &t);
        }
    }

    /// The new text and its edits, or `None` when nothing changed.
    fn finish(mut self) -> Option<(String, Vec<Edit>)> {
        self.flush();
        self.r.map(Rewriter::finish)
    }
}

/// Pass 1: folding, removal and whitespace.
fn fold_pass(text: &str, o: &NormaliseOptions) -> Option<(String, Vec<Edit>)> {
    let mut r = Edits::new(text);
    // Open whitespace run: (start, number of line breaks in it).
    let mut run: Option<(usize, usize)> = None;
    let mut seen_content = false;
    let mut prev: Option<char> = None;
    let mut after_cr = false;
    let close_run = |r: &mut Edits<'_>, run: &mut Option<(usize, usize)>, end: usize, seen: bool, at_end: bool| {
        if let Some((start, breaks)) = run.take() {
            let repl = if !seen || at_end {
                String::new()
            } else if breaks == 0 {
                " ".to_owned()
            } else {
                "\n".repeat(breaks.min(o.max_blank_lines + 1))
            };
            r.replace(start, end, &repl);
        }
    };
    for (i, c) in text.char_indices() {
        let was_cr = after_cr;
        after_cr = c == '\r';
        if o.whitespace && (is_horizontal_space(c) || is_line_break(c)) {
            let entry = run.get_or_insert((i, 0));
            if is_line_break(c) && !(c == '\n' && was_cr) {
                entry.1 += 1;
            }
            prev = Some(c);
            continue;
        }
        if o.controls && is_removable(c) {
            if run.is_none() {
                r.delete(i, i + c.len_utf8());
            }
            continue;
        }
        close_run(&mut r, &mut run, i, seen_content, false);
        seen_content = true;
        if let Some(repl) = fold_char(c, prev, o) {
            r.replace(i, i + c.len_utf8(), repl);
        }
        prev = Some(c);
    }
    close_run(&mut r, &mut run, text.len(), seen_content, true);
    r.finish()
}

/// Hangul vowel and trailing jamo compose with the preceding syllable.
fn is_segment_start(c: char) -> bool {
    unicode_normalization::char::canonical_combining_class(c) == 0
        && !matches!(c, '\u{1161}'..='\u{1175}' | '\u{11A8}'..='\u{11C2}')
}

/// Pass 2: NFC, segment by segment, only where needed.
fn nfc_pass(text: &str) -> Option<(String, Vec<Edit>)> {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        return None;
    }
    let mut r = Edits::new(text);
    let mut seg_start = 0;
    let flush = |r: &mut Edits<'_>, a: usize, b: usize| {
        let seg = &text[a..b];
        if !seg.is_empty() && !is_nfc(seg) {
            let composed: String = seg.nfc().collect();
            r.replace(a, b, &composed);
        }
    };
    for (i, c) in text.char_indices() {
        if i > seg_start && is_segment_start(c) {
            flush(&mut r, seg_start, i);
            seg_start = i;
        }
    }
    flush(&mut r, seg_start, text.len());
    r.finish()
}

/// Pass 3: spaces into glued words.
fn glue_pass(text: &str, lex: &Lexicon) -> Option<(String, Vec<Edit>, usize)> {
    let mut r = Edits::new(text);
    let mut count = 0;
    let bytes = text.as_bytes();
    let mut token_start: Option<usize> = None;
    let mut check = |r: &mut Edits<'_>, a: usize, b: usize| {
        // Trailing apostrophes are not part of the word.
        let tok = text[a..b].trim_end_matches(['\'', '’']);
        for off in glue_splits(lex, tok) {
            r.insert(a + off, " ");
            count += 1;
        }
    };
    // Tokens glued to digits or joined by '.' or '@' (URLs, e-mail) are left alone.
    let free_start =
        |a: usize| a == 0 || !bytes[a - 1].is_ascii_alphanumeric() && bytes[a - 1] != b'.' && bytes[a - 1] != b'@';
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let apostrophe_inside =
            (c == '\'' || c == '’') && token_start.is_some() && iter.peek().is_some_and(|&(_, n)| n.is_alphabetic());
        if c.is_alphabetic() || apostrophe_inside {
            token_start.get_or_insert(i);
        } else if let Some(a) = token_start.take()
            && free_start(a)
            && !c.is_ascii_digit()
            && c != '@'
            && !(c == '.' && iter.peek().is_some_and(|&(_, n)| n.is_alphanumeric()))
        {
            check(&mut r, a, i);
        }
    }
    if let Some(a) = token_start.filter(|&a| free_start(a)) {
        check(&mut r, a, text.len());
    }
    r.finish().map(|(t, e)| (t, e, count))
}

/// Normalises `text`; `lexicon` is required for glued-word repair (skipped when `None`).
pub fn normalise_text(text: &str, o: &NormaliseOptions, lexicon: Option<&Lexicon>) -> Normalised {
    normalise_cow(Cow::Borrowed(text), o, lexicon)
}

/// [`normalise_text`] on a text it owns: each pass's input is dropped as soon as the pass
/// has built its output, and a pass that changes nothing copies nothing, so the peak memory
/// is about twice the text (the input and one pass's output), never a copy per pass.
pub fn normalise_owned(text: String, o: &NormaliseOptions, lexicon: Option<&Lexicon>) -> Normalised {
    normalise_cow(Cow::Owned(text), o, lexicon)
}

fn normalise_cow(text: Cow<'_, str>, o: &NormaliseOptions, lexicon: Option<&Lexicon>) -> Normalised {
    let mut text = text;
    let mut e1 = Vec::new();
    if let Some((t, e)) = fold_pass(&text, o) {
        text = Cow::Owned(t);
        e1 = e;
    }
    let mut e2 = Vec::new();
    if o.nfc
        && let Some((t, e)) = nfc_pass(&text)
    {
        text = Cow::Owned(t);
        e2 = e;
    }
    let (mut e3, mut glue_count) = (Vec::new(), 0);
    if let Some(lex) = lexicon.filter(|_| o.glued_words)
        && let Some((t, e, n)) = glue_pass(&text, lex)
    {
        text = Cow::Owned(t);
        (e3, glue_count) = (e, n);
    }
    let edits = align::compose(&align::compose(&e1, &e2), &e3);
    Normalised { changes: edits.len(), text: text.into_owned(), edits, glue_splits: glue_count }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(s: &str) -> String {
        normalise_text(s, &NormaliseOptions::default(), Some(Lexicon::builtin())).text
    }

    #[test]
    fn folds_quotes_dashes_and_spaces() {
        assert_eq!(
            norm("  “Hello”\u{00A0}\u{00A0}it’s   fine\u{2010}ish \u{2015} ok  \r\n\r\n\r\n\r\nNe\u{200B}xt line \n"),
            "\"Hello\" it's fine-ish \u{2014} ok\n\nNext line"
        );
        let curly = NormaliseOptions { quotes: QuoteStyle::Curly, ..NormaliseOptions::default() };
        assert_eq!(
            normalise_text("He said \"it's 'fine'\".", &curly, None).text,
            "He said \u{201C}it\u{2019}s \u{2018}fine\u{2019}\u{201D}."
        );
        let ascii =
            NormaliseOptions { dashes: DashStyle::Ascii, ellipsis: EllipsisStyle::Dots, ..NormaliseOptions::default() };
        assert_eq!(
            normalise_text("LONDON \u{2014} 3\u{2013}4 wait\u{2026}", &ascii, None).text,
            "LONDON -- 3-4 wait..."
        );
    }

    #[test]
    fn composes_to_nfc() {
        assert_eq!(norm("Cafe\u{301} cre\u{300}me"), "Café crème");
        assert_eq!(norm("\u{1100}\u{1161}\u{11A8}"), "\u{AC01}");
    }

    #[test]
    fn removes_controls_keeps_zwj() {
        assert_eq!(norm("a\u{0}b\u{7}c \u{1F469}\u{200D}\u{1F4BB}"), "abc \u{1F469}\u{200D}\u{1F4BB}");
    }

    #[test]
    fn repairs_glued_words() {
        assert_eq!(norm("Home SecretaryJane Doehas declared"), "Home Secretary Jane Doe has declared");
        assert_eq!(norm("the whole ofthe group"), "the whole of the group");
        for keep in ["iPhone", "McDonald", "YouTube", "Johnson", "Washington", "Newcastle"] {
            assert_eq!(norm(&format!("{keep} said")), format!("{keep} said"));
        }
        // URLs and e-mail addresses are not words.
        assert_eq!(
            norm("see www.reportconfirming.com or jane@doehas.org"),
            "see www.reportconfirming.com or jane@doehas.org"
        );
    }

    #[test]
    fn offsets_map_back_to_input() {
        let input = "  Home SecretaryJane  Doehas “declared”\u{00A0}it.";
        let n = normalise_text(input, &NormaliseOptions::default(), Some(Lexicon::builtin()));
        assert_eq!(n.text, "Home Secretary Jane Doe has \"declared\" it.");
        let al = align::Alignment::new(&n.edits);
        let find = |w: &str| {
            let s = n.text.find(w).unwrap();
            let (a, b) = al.source_range(s, s + w.len());
            &input[a..b]
        };
        assert_eq!(find("Jane"), "Jane");
        assert_eq!(find("Doe has"), "Doehas");
        assert_eq!(find("\"declared\""), "“declared”");
    }

    #[test]
    fn an_unchanged_text_is_not_copied() {
        // Issue 14: a 1 GB text of one letter peaked at 3.8 GB, one copy per pass.
        let text = "a".repeat(100_000);
        let at = text.as_ptr();
        let n = normalise_owned(text, &NormaliseOptions::default(), Some(Lexicon::builtin()));
        assert!(n.edits.is_empty());
        assert_eq!(n.text.as_ptr(), at, "the passes copied an unchanged text");
        assert!(fold_pass("plain words, one space", &NormaliseOptions::default()).is_none());
        assert!(nfc_pass("plain words").is_none());
        assert!(glue_pass("plain words", Lexicon::builtin()).is_none());
    }

    #[test]
    fn a_repeated_character_gets_few_edits() {
        // One edit per character (32 bytes each) made a text of curly quotes or control
        // characters cost up to eight times its size in edits.
        for c in ["\u{201C}", "\u{0}", "\u{2010}", "\u{200B}\u{2019}"] {
            let input = format!("x{}y", c.repeat(10_000));
            let n = normalise_text(&input, &NormaliseOptions::default(), Some(Lexicon::builtin()));
            assert!(n.edits.len() <= 100, "{c:?}: {} edits", n.edits.len());
            let al = align::Alignment::new(&n.edits);
            assert_eq!(
                align::reconstruct_source(n.text.as_bytes(), &n.edits, input.as_bytes()).unwrap(),
                input.as_bytes()
            );
            let (a, b) = al.source_range(n.text.len() - 1, n.text.len());
            assert_eq!(&input[a..b], "y");
        }
        // Short chains keep one edit per character, as before.
        let n = normalise_text("\u{201C}\u{2018}x\u{2019}\u{201D}", &NormaliseOptions::default(), None);
        assert_eq!(n.text, "\"'x'\"");
        assert_eq!(n.edits.len(), 4);
    }

    proptest! {
        #[test]
        fn alignment_is_exact_and_idempotent(input in "(\\PC|[ \t\r\n\u{0}\u{200B}\u{301}“”’—\u{00A0}]|Jane|Doe|has|of|the){0,40}") {
            let o = NormaliseOptions::default();
            let n = normalise_text(&input, &o, Some(Lexicon::builtin()));
            prop_assert!(align::validate(&n.edits, n.text.len(), input.len()).is_ok());
            prop_assert_eq!(align::reconstruct_source(n.text.as_bytes(), &n.edits, input.as_bytes()).unwrap(), input.as_bytes());
            let al = align::Alignment::new(&n.edits);
            for (i, _) in n.text.char_indices() {
                let (a, b) = al.source_range(i, n.text.len());
                prop_assert!(input.is_char_boundary(a) && input.is_char_boundary(b) && a <= b && b <= input.len());
            }
            let twice = normalise_text(&n.text, &o, Some(Lexicon::builtin()));
            prop_assert_eq!(&twice.text, &n.text);
            prop_assert_eq!(normalise_owned(input.clone(), &o, Some(Lexicon::builtin())), n);
        }
    }
}
