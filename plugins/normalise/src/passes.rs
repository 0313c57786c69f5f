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
use docpipe_text::hash::FastHashMap;
use serde::Deserialize;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc, is_nfc_quick};

use crate::NormaliseOptions;
use crate::code;
use crate::glue::{Lexicon, MIN_TOKEN_LEN, glue_splits};

/// Quote style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, docpipe_core::OptionType)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, docpipe_core::OptionType)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, docpipe_core::OptionType)]
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
pub(crate) fn is_removable(c: char) -> bool {
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

/// Replaces the open whitespace run `run` (start, line breaks, follows a code line) ending at
/// `end`: by nothing at the end of the text, by `indent` spaces at its start (`!seen`), by one
/// space, or by its line breaks up to `max_blank + 1` (at least two around a code block, so it
/// stays a block) followed by `indent` spaces (a kept paragraph indent).
#[allow(clippy::too_many_arguments)]
fn close_run(
    r: &mut Edits<'_>,
    run: &mut Option<(usize, usize, bool)>,
    end: usize,
    seen: bool,
    at_end: bool,
    code: bool,
    max_blank: usize,
    indent: usize,
) {
    if let Some((start, breaks, after_code)) = run.take() {
        let max = if code || after_code { (max_blank + 1).max(2) } else { max_blank + 1 };
        if at_end {
            r.replace(start, end, "");
        } else if !seen {
            // The text's leading whitespace goes, but for the indent of its first line.
            r.replace(start, end, &" ".repeat(indent));
        } else if breaks == 0 {
            r.replace(start, end, " ");
        } else {
            let mut with = "\n".repeat(breaks.min(max));
            with.extend(std::iter::repeat_n(' ', indent));
            r.replace(start, end, &with);
        }
    }
}

/// Pass 1: folding, removal and whitespace.
///
/// The lines of code blocks ([`code::code_block_lines`]) keep their whitespace as it is: their
/// indentation and the spaces inside them are copied, and a blank line before or after a block
/// stays (even with `max_blank_lines = 0`, so that it is still a block when normalised again).
fn fold_pass(text: &str, o: &NormaliseOptions) -> Option<(String, Vec<Edit>)> {
    let code = if o.whitespace { code::code_block_lines(text) } else { Vec::new() };
    // Paragraphs of hard-wrapped text marked by an indented first line keep that indent.
    let indents = if o.whitespace { code::paragraph_indents(text, &code) } else { Vec::new() };
    let mut next_indent = 0;
    let mut next_code = 0; // index of the first code range not yet passed
    let mut r = Edits::new(text);
    // Open whitespace run: (start, number of line breaks in it, does it follow a code line?).
    let mut run: Option<(usize, usize, bool)> = None;
    let mut last_in_code = false; // was the last character outside runs in a code line?
    let mut seen_content = false;
    let mut prev: Option<char> = None;
    let mut after_cr = false;
    let max_blank = o.max_blank_lines;
    let close_run = |r: &mut Edits<'_>, run: &mut Option<(usize, usize, bool)>, end, seen, at_end, code| {
        if run.is_some() {
            close_run(r, run, end, seen, at_end, code, max_blank, 0);
        }
    };
    for (i, c) in text.char_indices() {
        let was_cr = after_cr;
        after_cr = c == '\r';
        while code.get(next_code).is_some_and(|&(_, end)| end <= i) {
            next_code += 1;
        }
        // Inside a code line (a run can only be open before its first character).
        let in_code = code.get(next_code).is_some_and(|&(start, _)| start <= i);
        if in_code && is_horizontal_space(c) {
            close_run(&mut r, &mut run, i, seen_content, false, true);
            seen_content = true;
            last_in_code = true;
            prev = Some(c);
            continue;
        }
        if o.whitespace && (is_horizontal_space(c) || is_line_break(c)) {
            let entry = run.get_or_insert((i, 0, last_in_code));
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
        while indents.get(next_indent).is_some_and(|&(at, _)| at < i) {
            next_indent += 1;
        }
        match indents.get(next_indent) {
            // A kept indent opens a line: after a line break, or the text's first line.
            Some(&(at, cols)) if at == i && (!seen_content || run.is_some_and(|(_, breaks, _)| breaks > 0)) => {
                self::close_run(&mut r, &mut run, i, seen_content, false, in_code, max_blank, cols);
            }
            _ => close_run(&mut r, &mut run, i, seen_content, false, in_code),
        }
        seen_content = true;
        last_in_code = in_code;
        if let Some(repl) = fold_char(c, prev, o) {
            r.replace(i, i + c.len_utf8(), repl);
        }
        prev = Some(c);
    }
    close_run(&mut r, &mut run, text.len(), seen_content, true, false);
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
///
/// Only words of prose are repaired. Left alone are: lines of code blocks and prompt lines
/// (`$ `, `>>> `, `... `), backtick code spans, any whitespace-delimited chunk that holds
/// something other than letters, apostrophes, dashes and `,;!?"` once the punctuation around
/// it is stripped (identifiers such as `snake_case`, `os.path`, `f(x)`, `x86`, paths, URLs and
/// e-mail addresses) or that starts with `-` (a command-line option), both parts of a word
/// hyphenated at a line end, and words with two or
/// more case changes (`getElementById`). Last, a word the document itself uses again (in any
/// case, inside code or not) is a word of this text, not an accident of extraction
/// (`TypeError`, `setdefault`, `stdin`), so it stays whole: used twice in a technical document
/// (see [`glue_candidates`]), three times in other text.
fn glue_pass(text: &str, lex: &Lexicon) -> Option<(String, Vec<Edit>, usize)> {
    let (candidates, strong_evidence) = glue_candidates(text, lex);
    if candidates.is_empty() {
        return None;
    }
    let counts = word_counts(text, candidates.iter().map(|c| &text[c.0..c.1]));
    // Whether the document is technical matters only for a case change or a word used twice;
    // the scan for code-shaped chunks is made only then.
    let matters =
        candidates.iter().zip(&counts).any(|(c, &n)| c.3 || (TECHNICAL_WORD_USES..PROSE_WORD_USES).contains(&n));
    let technical = strong_evidence || (matters && code_shaped_chunks(text) >= CODE_EVIDENCE);
    let uses = if technical { TECHNICAL_WORD_USES } else { PROSE_WORD_USES };
    let mut r = Edits::new(text);
    let mut count = 0;
    for ((a, _, cuts, case_change), n) in candidates.into_iter().zip(counts) {
        if n >= uses || (technical && case_change) {
            continue;
        }
        for off in cuts {
            r.insert(a + off, " ");
            count += 1;
        }
    }
    r.finish().map(|(t, e)| (t, e, count))
}

/// Punctuation stripped from both ends of a chunk before it is judged.
fn is_edge_punct(c: char) -> bool {
    matches!(c, '"' | '\'' | '(' | ')' | '[' | ']' | '{' | '}' | '<' | '>' | '*' | ',' | '.' | ';' | ':' | '!' | '?')
        || matches!(c, '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}')
}

/// Characters a prose chunk may hold inside besides letters.
fn is_prose_inner(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '\'' | '\u{2019}' | '-' | '\u{2013}' | '\u{2014}' | ',' | ';' | '!' | '?' | '"')
}

/// Lines that show a command or an interpreter session.
fn is_prompt_line(line: &str) -> bool {
    let l = line.trim_start_matches([' ', '\t']);
    l.starts_with("$ ") || l.starts_with(">>> ") || l.starts_with("... ") || l == ">>>"
}

/// Byte ranges of backtick code spans (a run of backticks to the next run of the same
/// length on the same line), sorted.
fn backtick_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if !text.contains('`') {
        return out;
    }
    let mut line_start = 0;
    for line in text.split('\n') {
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'`' {
                i += 1;
                continue;
            }
            let n = b[i..].iter().take_while(|&&x| x == b'`').count();
            let mut j = i + n;
            let mut close = None;
            while j < b.len() {
                if b[j] == b'`' {
                    let m = b[j..].iter().take_while(|&&x| x == b'`').count();
                    if m == n {
                        close = Some(j + m);
                        break;
                    }
                    j += m;
                } else {
                    j += 1;
                }
            }
            match close {
                Some(end) => {
                    out.push((line_start + i, line_start + end));
                    i = end;
                }
                None => i += n,
            }
        }
        line_start += line.len() + 1;
    }
    out
}

/// Sorted disjoint ranges and a cursor that only moves forward.
struct Ranges {
    ranges: Vec<(usize, usize)>,
    next: usize,
}

impl Ranges {
    fn contains(&mut self, at: usize) -> bool {
        while self.ranges.get(self.next).is_some_and(|&(_, end)| end <= at) {
            self.next += 1;
        }
        self.ranges.get(self.next).is_some_and(|&(start, _)| start <= at)
    }
}

/// Code evidence at which a document counts as technical: camel case there is naming.
const CODE_EVIDENCE: usize = 3;

/// Uses in a technical document that make a glued-looking form a word of the text.
const TECHNICAL_WORD_USES: usize = 2;

/// The same in other text, where the same glue can recur (`inthe` twice in a long article).
const PROSE_WORD_USES: usize = 3;

/// Is `chunk` shaped like code: `snake_case`, `a::b`, `a->b`, `a==b`, a call or man-page
/// reference `f(`, or a word with two or more case changes?
fn is_code_shaped(chunk: &str) -> bool {
    let b = chunk.as_bytes();
    let mut changes = 0;
    for (i, &c) in b.iter().enumerate() {
        let next = b.get(i + 1).copied().unwrap_or(0);
        let after = b.get(i + 2).copied().unwrap_or(0);
        let alnum = c.is_ascii_alphanumeric();
        if (alnum && next == b'_' && after.is_ascii_alphanumeric())
            || (alnum && next == b'(')
            || (c == b':' && next == b':')
            || (c == b'-' && next == b'>')
            || (c == b'=' && next == b'=')
        {
            return true;
        }
        if c.is_ascii_lowercase() && next.is_ascii_uppercase() {
            changes += 1;
            if changes >= 2 {
                return true;
            }
        }
    }
    false
}

/// Words of prose that the lexicon would split, and whether the document has strong code
/// evidence (a code block, a code span or a prompt line). A document with strong evidence or
/// [`CODE_EVIDENCE`] code-shaped chunks is technical: case changes there are naming
/// (`TypeError`, `setDefault`, `OpenStack`), so [`glue_pass`] repairs only words without one.
fn glue_candidates(text: &str, lex: &Lexicon) -> (Vec<Candidate>, bool) {
    let mut out = Vec::new();
    let code_lines = code::code_block_lines(text);
    let ticks = backtick_spans(text);
    let mut evidence = if code_lines.is_empty() && ticks.is_empty() { 0 } else { CODE_EVIDENCE };
    let mut code = Ranges { ranges: code_lines, next: 0 };
    let mut spans = Ranges { ranges: ticks, next: 0 };
    let mut prompt_until = 0; // end of the current prompt line
    let mut line_end = 0; // end of the line of the last chunk
    let mut hyphen_end: Option<usize> = None; // end of the last chunk if a hyphen ends it
    let bytes = text.as_bytes();
    // Length of the whitespace character at byte `i` (a char boundary), 0 if it is none.
    let space_at = |i: usize| -> usize {
        match bytes.get(i) {
            None => 0,
            Some(&b) if b < 0x80 => usize::from(matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)),
            Some(_) => text[i..].chars().next().filter(|c| c.is_whitespace()).map_or(0, char::len_utf8),
        }
    };
    let char_len = |i: usize| -> usize {
        match bytes.get(i) {
            Some(&b) if b < 0x80 => 1,
            _ => text[i..].chars().next().map_or(1, char::len_utf8),
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let w = space_at(i);
        if w > 0 {
            i += w;
            continue;
        }
        let a = i;
        while i < bytes.len() && space_at(i) == 0 {
            i += char_len(i);
        }
        let chunk = &text[a..i];
        // The rest of a word hyphenated at a line end (`in-` / `herit`) is not a word.
        let continues_hyphenated = hyphen_end.is_some_and(|e| text[e..a].contains('\n'));
        hyphen_end = chunk.ends_with('-').then_some(i);
        if continues_hyphenated {
            continue;
        }
        if a >= line_end {
            // The first chunk of a line: is the line a prompt line?
            line_end = text[a..].find('\n').map_or(text.len(), |p| a + p);
            if is_prompt_line(&text[a..line_end]) {
                prompt_until = line_end;
                evidence = evidence.max(CODE_EVIDENCE);
            }
        }
        if a < prompt_until || code.contains(a) || spans.contains(a) || spans.contains(i - 1) {
            continue;
        }
        if chunk.len() < MIN_TOKEN_LEN {
            continue;
        }
        let core = chunk.trim_matches(is_edge_punct);
        let core_start = a + (chunk.len() - chunk.trim_start_matches(is_edge_punct).len());
        if core.len() < MIN_TOKEN_LEN {
            continue;
        }
        // The common case: one word of ASCII letters.
        if core.bytes().all(|b| b.is_ascii_alphabetic()) {
            let changes =
                core.as_bytes().windows(2).filter(|p| p[0].is_ascii_lowercase() && p[1].is_ascii_uppercase()).count();
            if changes < 2 {
                let cuts = glue_splits(lex, core);
                if !cuts.is_empty() {
                    out.push((core_start, core_start + core.len(), cuts, changes > 0));
                }
            }
            continue;
        }
        if core.starts_with('-') || !core.chars().all(is_prose_inner) {
            continue;
        }
        // Words: runs of letters with apostrophes inside (O'Brien).
        let mut word: Option<usize> = None;
        let mut iter = core.char_indices().peekable();
        loop {
            let next = iter.next();
            let is_word_char = next.is_some_and(|(_, c)| {
                c.is_alphabetic()
                    || (matches!(c, '\'' | '\u{2019}')
                        && word.is_some()
                        && iter.peek().is_some_and(|&(_, n)| n.is_alphabetic()))
            });
            if is_word_char {
                if let Some((k, _)) = next {
                    word.get_or_insert(k);
                }
                continue;
            }
            if let Some(w) = word.take() {
                let end = next.map_or(core.len(), |(k, _)| k);
                let tok = core[w..end].trim_end_matches(['\'', '\u{2019}']);
                let changes = tok
                    .as_bytes()
                    .windows(2)
                    .filter(|p| p[0].is_ascii_lowercase() && p[1].is_ascii_uppercase())
                    .count();
                // A word cut by a hyphen at its end is part of a longer word (`installa-` at a
                // line end, `pre-` in `pre- and post-war`).
                let cut_by_hyphen = !core[end..].is_empty() && core[end..].chars().all(|c| c == '-');
                if tok.len() >= MIN_TOKEN_LEN && changes < 2 && !cut_by_hyphen {
                    let cuts = glue_splits(lex, tok);
                    if !cuts.is_empty() {
                        out.push((core_start + w, core_start + w + tok.len(), cuts, changes > 0));
                    }
                }
            }
            if next.is_none() {
                break;
            }
        }
    }
    (out, evidence >= CODE_EVIDENCE)
}

/// A word the lexicon would split: start, end, cuts (relative to start), and whether it splits
/// at a case change.
type Candidate = (usize, usize, Vec<usize>, bool);

/// Code-shaped chunks of `text`, counted up to [`CODE_EVIDENCE`].
fn code_shaped_chunks(text: &str) -> usize {
    text.split(char::is_whitespace).filter(|c| c.len() >= 2 && is_code_shaped(c)).take(CODE_EVIDENCE).count()
}

/// Up to this many words, [`word_counts`] searches for each; beyond, it makes one scan.
const SEARCHED_WORDS: usize = 8;

/// How often each of `words` (ASCII, any case) occurs in `text` as a whole run of letters,
/// in the order given. Few words: a substring search of each in a lowercase copy of the text,
/// a match kept when no letter touches it. Many: one scan of the runs of letters, each run of
/// a length one of the words has looked up, in ASCII lower case, in a table of the words
/// (linear in the text whatever the number of words: comparing each run with every word
/// made a 6.7 MB dump, with thousands of candidate words, quadratic).
fn word_counts<'w>(text: &str, words: impl Iterator<Item = &'w str>) -> Vec<usize> {
    let words: Vec<&str> = words.collect();
    if words.len() <= SEARCHED_WORDS {
        let lower = text.to_ascii_lowercase();
        let letter_before = |i: usize| text[..i].chars().next_back().is_some_and(char::is_alphabetic);
        let letter_at = |i: usize| text[i..].chars().next().is_some_and(char::is_alphabetic);
        return words
            .iter()
            .map(|w| {
                let w = w.to_ascii_lowercase();
                lower.match_indices(w.as_str()).filter(|&(i, m)| !letter_before(i) && !letter_at(i + m.len())).count()
            })
            .collect();
    }
    let mut counts = vec![0; words.len()];
    // Bit n set: some word has n bytes (longer words are never candidates).
    let lengths: u64 = words.iter().filter(|w| w.len() < 64).fold(0, |m, w| m | 1 << w.len());
    // Each word in ASCII lower case → the positions it holds in `words`.
    let mut index: FastHashMap<String, Vec<usize>> = FastHashMap::default();
    for (k, w) in words.iter().enumerate() {
        if w.len() < 64 {
            index.entry(w.to_ascii_lowercase()).or_default().push(k);
        }
    }
    let mut run = String::new();
    let mut tally = |a: usize, b: usize| {
        if b - a < 64 && lengths & (1 << (b - a)) != 0 {
            run.clear();
            run.push_str(&text[a..b]);
            run.make_ascii_lowercase();
            for &k in index.get(run.as_str()).map_or(&[][..], Vec::as_slice) {
                counts[k] += 1;
            }
        }
    };
    let bytes = text.as_bytes();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (letter, len) = if b < 0x80 {
            (b.is_ascii_alphabetic(), 1)
        } else {
            text[i..].chars().next().map_or((false, 1), |c| (c.is_alphabetic(), c.len_utf8()))
        };
        if letter {
            start.get_or_insert(i);
        } else if let Some(a) = start.take() {
            tally(a, i);
        }
        i += len;
    }
    if let Some(a) = start {
        tally(a, text.len());
    }
    counts
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
    fn keeps_the_first_line_indent_of_wrapped_paragraphs() {
        // Hard-wrapped text whose paragraphs open with an indented line and no blank line
        // between: the indent is the only paragraph mark, so it stays (as spaces; runs of
        // spaces inside lines still collapse, trailing spaces go, and the text's own leading
        // whitespace goes as before).
        let t = concat!(
            "   The council voted on Monday to close the old  bridge to lorries\n",
            "from the spring, after engineers found cracks in two of its piers. \n",
            "  The vote was close, and the mayor said a new crossing would be\n",
            "planned with the county before the end of the year.\n",
            "\tWork on the piers starts next month, the county said.\n",
            "   Short line.\n",
            "  * A list item whose text is wrapped under its first word, as in a\n",
            "    changelog: the hanging indent goes, as before.\n",
        );
        let want = concat!(
            "The council voted on Monday to close the old bridge to lorries\n",
            "from the spring, after engineers found cracks in two of its piers.\n",
            "  The vote was close, and the mayor said a new crossing would be\n",
            "planned with the county before the end of the year.\n",
            "        Work on the piers starts next month, the county said.\n",
            "Short line.\n",
            "* A list item whose text is wrapped under its first word, as in a\n",
            "changelog: the hanging indent goes, as before.",
        );
        let out = normalise_text(t, &NormaliseOptions::default(), None);
        assert_eq!(out.text, want);
        // An indented line under a short line is not taken as a paragraph mark.
        let one = "A short line\n   and an indented line after it.\nThe end.\n";
        assert_eq!(
            normalise_text(one, &NormaliseOptions::default(), None).text,
            "A short line\nand an indented line after it.\nThe end."
        );
    }

    #[test]
    fn keeps_every_paragraph_indent_of_a_text_that_marks_paragraphs_so() {
        // Wrapped at 60 columns, every paragraph opening with three spaces (the first line,
        // after a short line, one-line paragraphs in a row): the fixture of `code`'s tests.
        let t = crate::code::tests::HARBOUR.trim_end_matches('\n');
        // Nothing to change: no edit is recorded for a kept indent.
        let out = normalise_text(t, &NormaliseOptions::default(), None);
        assert_eq!(out.text, t);
        assert!(out.edits.is_empty());
        // Noise goes (blank lines before the text, a stray space, trailing spaces, an indent
        // that is not the text's), the paragraph indents stay; a tab indent becomes spaces.
        let noisy = format!("\n\n{}", t.replace("\nyear.", "\n year.  ").replace("\nopen.", "\n     open."));
        assert_eq!(normalise_text(&noisy, &NormaliseOptions::default(), None).text, t);
        let tabs = normalise_text(&t.replace("   ", "\t"), &NormaliseOptions::default(), None);
        assert_eq!(tabs.text, t.replace("   ", "        "));
        // Offsets stay exact.
        assert_eq!(align::reconstruct_source(out.text.as_bytes(), &out.edits, t.as_bytes()).unwrap(), t.as_bytes());
        let n = normalise_text(&noisy, &NormaliseOptions::default(), None);
        assert_eq!(align::reconstruct_source(n.text.as_bytes(), &n.edits, noisy.as_bytes()).unwrap(), noisy.as_bytes());
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

    #[test]
    fn keeps_the_indentation_of_code_blocks() {
        let input = "Use it so:\n\n    if x:\n        y  =  1\n\n\n\n    done()\n\nThen   more  prose.\n";
        assert_eq!(norm(input), "Use it so:\n\n    if x:\n        y  =  1\n\n    done()\n\nThen more prose.");
        // Indented as a whole (a rendered man page): prose loses its indentation, the deeper
        // example keeps its own.
        let man = "NAME\n       tool - does things\n\n       Example:\n\n           tool  -x\n\n       More.\n";
        assert_eq!(norm(man), "NAME\ntool - does things\n\nExample:\n\n           tool  -x\n\nMore.");
        // Fenced blocks keep every line; tabs stay tabs.
        let fenced = "Intro\n```\nfn f() {\n\tg();\n}\n```\n";
        assert_eq!(norm(fenced), "Intro\n```\nfn f() {\n\tg();\n}\n```");
        // The blank line before a block stays even when blank lines are removed.
        let o = NormaliseOptions { max_blank_lines: 0, ..NormaliseOptions::default() };
        assert_eq!(normalise_text("a\n\n\n    b\n\n\nc\n\nd", &o, None).text, "a\n\n    b\n\nc\nd");
        // An indented line that a flush line continues starts a prose paragraph.
        assert_eq!(norm("a\n\n     b\nc"), "a\n\nb\nc");
    }

    #[test]
    fn leaves_identifiers_alone() {
        // Case changes are naming in a technical document (here: code-shaped chunks).
        let tech = "Call get_item(), put_item() or the setDefault method; TypeError is raised by set_default().";
        assert_eq!(norm(tech), tech);
        for keep in [
            "call getElementById now",
            "a snake_case name",
            "set max_blank_lines to one",
            "see os.path.join here",
            "run isinstance(x, int) here",
            "the stdin2 stream",
            "the x86firmware blob",
            "pass --nohostname to it",
            "see /usr/share/defaultpath here",
            "mail jane@doehas.org now",
            "the default is installa-\ntion dependent",
            "does not in-\nherit from it",
            "visit https://example.org/reportconfirming now",
        ] {
            assert_eq!(norm(keep), keep, "{keep}");
        }
    }

    #[test]
    fn leaves_code_spans_and_code_lines_alone() {
        for keep in [
            "Use `setdefault` to fill it.",
            "Use ``isinstance`` here.",
            "The `dict setdefault` idiom.",
            "Type:\n\n    x = setdefault\n\nand so on.",
            "```\nreportconfirming\n```",
            "$ whoami reportconfirming",
            ">>> setdefault",
        ] {
            assert_eq!(norm(keep), keep, "{keep}");
        }
        // Prose on the same line as a code span is still repaired.
        assert_eq!(norm("Use `x` but Doehas left."), "Use `x` but Doe has left.");
    }

    #[test]
    fn word_counts_agree_both_ways() {
        let text = "Setdefault, setdefault; SETDEFAULT x-setdefault setdefaults café-stdin stdin_x stdin";
        let words = ["setdefault", "stdin", "nothere"];
        let few = word_counts(text, words.iter().copied());
        // Padded past SEARCHED_WORDS to take the scanning way.
        let many: Vec<&str> = words.iter().copied().chain(std::iter::repeat_n("zzzz", SEARCHED_WORDS)).collect();
        let scanned = word_counts(text, many.iter().copied());
        assert_eq!(few, [4, 3, 0]);
        assert_eq!(&scanned[..3], &few[..]);
    }

    #[test]
    fn a_word_the_document_uses_twice_stays_whole() {
        // Once, it is glue; used again anywhere in the document (code included, any case), it
        // is a word of this text.
        assert_eq!(norm("The reportconfirming it came."), "The report confirming it came.");
        // Twice in a technical document (here: it has a code span).
        assert_eq!(norm("Call `d` setdefault. Then setdefault again."), "Call `d` setdefault. Then setdefault again.");
        // In prose the same glue can recur: three uses make a word there.
        assert_eq!(norm("Not ofthe kind, not ofthe sort."), "Not of the kind, not of the sort.");
        assert_eq!(norm("Set soname, bump soname, check soname."), "Set soname, bump soname, check soname.");
        assert_eq!(
            norm("A TypeError here, a typeerror there, TYPEERROR too."),
            "A TypeError here, a typeerror there, TYPEERROR too."
        );
        assert_eq!(norm("Raise TypeError.\n\n    raise TypeError()\n"), "Raise TypeError.\n\n    raise TypeError()");
        // News glue stays repaired: `theWorld` style case changes and function-word glue.
        assert_eq!(norm("across theWorld today"), "across the World today");
        assert_eq!(norm("Home SecretaryJane Doehas declared"), "Home Secretary Jane Doe has declared");
        assert_eq!(norm("\"SecretaryJane\" and (Doehas),"), "\"Secretary Jane\" and (Doe has),");
    }

    proptest! {
        /// The scan (many words) counts what the search of each word (few words) counts, on
        /// mixed-case runs, non-ASCII letters around them and repeated words.
        #[test]
        fn word_counts_agree_on_any_text(
            text in "([a-cA-C]{1,4}|é|ß|[ _.-]){0,40}",
            words in prop::collection::vec("[a-cA-C]{1,3}", 1..=SEARCHED_WORDS),
        ) {
            let few = word_counts(&text, words.iter().map(String::as_str));
            let many: Vec<&str> = words.iter().map(String::as_str).chain(words.iter().map(String::as_str)).chain(std::iter::repeat_n("zz", SEARCHED_WORDS)).collect();
            let scanned = word_counts(&text, many.iter().copied());
            prop_assert_eq!(&scanned[..words.len()], &few[..]);
            prop_assert_eq!(&scanned[words.len()..2 * words.len()], &few[..]);
        }

        /// Text laid out in lines (indentation, fences, lead-ins, blank lines): code blocks are
        /// found again in the normalised text, so a second pass changes nothing.
        #[test]
        fn code_layout_is_idempotent(input in "((|  |    |\t|        |\u{0}  |   \u{200B} )(EXAMPLES|Use it:|Prose goes on|x  = 1;|```|~~~|`a`|[$] ls|Doehas|theWorld)[ \u{0}]?(\n|\r\n|\n\n|\n\n\n|\u{2028})){0,25}") {
            for o in [NormaliseOptions::default(), NormaliseOptions { max_blank_lines: 0, ..NormaliseOptions::default() }] {
                let n = normalise_text(&input, &o, Some(Lexicon::builtin()));
                prop_assert!(align::validate(&n.edits, n.text.len(), input.len()).is_ok());
                prop_assert_eq!(align::reconstruct_source(n.text.as_bytes(), &n.edits, input.as_bytes()).unwrap(), input.as_bytes());
                let twice = normalise_text(&n.text, &o, Some(Lexicon::builtin()));
                prop_assert_eq!(&twice.text, &n.text);
            }
        }

        /// Hard-wrapped prose with indents of every kind (paragraph marks, stray spaces,
        /// hanging indents, tabs, code): a second pass changes nothing.
        #[test]
        fn paragraph_indents_are_idempotent(input in "((|  | |   |\t|     |    )(The harbour board met on Thursday and agreed to dredge|the channel before the summer, when the larger ferries|return to the island.|Work starts in May.|port's owners, who had asked for the work to be done last.|- An item of a list, long enough to be a filled line|2. A numbered item|Use it:|x  = 1;|```)(\n|\n|\n|\n\n)){0,30}") {
            let o = NormaliseOptions::default();
            let n = normalise_text(&input, &o, None);
            prop_assert_eq!(align::reconstruct_source(n.text.as_bytes(), &n.edits, input.as_bytes()).unwrap(), input.as_bytes());
            let twice = normalise_text(&n.text, &o, None);
            prop_assert_eq!(&twice.text, &n.text);
        }

        #[test]
        fn alignment_is_exact_and_idempotent(input in "(\\PC|[ \t\r\n\u{0}\u{200B}\u{301}“”’—\u{00A0}`~]|    |\n\n|```|Jane|Doe|has|of|the){0,40}") {
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
