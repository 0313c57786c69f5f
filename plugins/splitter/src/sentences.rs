//! Rule-based sentence boundaries: one linear byte scan per paragraph, no allocation per
//! character, tuned for news and web English.
//!
//! A paragraph is a line, or in hard-wrapped text (e-mail, plain-text documentation,
//! newswire: see [`paragraphs`]) the run of lines it was wrapped into. The end of a paragraph
//! is always a hard boundary, so a heading without final punctuation is a sentence of its own,
//! and a line break inside a wrapped paragraph is only a space. Inside a paragraph a boundary
//! candidate is a run of terminal marks
//! (`.`, `!`, `?`, `…`, spaced `. . .`, the CJK full stop), followed by closing quotes and
//! brackets (which stay in the sentence). The candidate becomes a boundary according to what
//! comes next and what came before:
//!
//! - a lower-case next word starts a sentence only in informal writing that does not
//!   capitalise (`call me at 5. the rest`, `are you kidding? why`): after a period that ends
//!   a word of two or more letters which is not an abbreviation, or after `?`/`!` that ends a
//!   word that is not capitalised; never after an ellipsis, a closing quote or an
//!   abbreviation (`Yahoo! in`, `"Great." she said`, `the U.S. for 20 years`, `Inc. common
//!   stock`, `But...the answer`);
//! - a digit straight after a period is a decimal or a version number (`3.25`, `v1.2.3`);
//! - text glued to the mark is one token (`Jane.Doe@example.com`, `example.com/a.html`),
//!   except a *glued sentence* left by HTML extraction: a lower-case word, the mark, closing
//!   quotes, then a capitalised word (`partners.It is`, `market.”But`);
//! - a single period after a known abbreviation depends on its class: titles and other
//!   prepositive abbreviations never end a sentence (`Mr.`, `Dr.`, `Gen.`, `St.`, `Mt.`,
//!   `ret.`); number prefixes end one unless a digit follows (`No. 17`, `p. 55`, `Jan. 5`);
//!   ambiguous ones (`Inc.`, `Co.`, `Jr.`, `etc.`, `U.S.`, `a.m.`) end one only when the next
//!   word is a common sentence opener (`the U.S. Government` vs `the U.S. How about you?`);
//! - a single capital letter is an initial (`J. R. R. Tolkien`), except `I` after a
//!   lower-case word (`you and I. Did you`);
//! - an ellipsis ends a sentence only before a capitalised word other than `I`, and never
//!   inside square brackets (`[...]`); four dots are an ellipsis plus a full stop;
//! - an emoticon (`:)`, `:-(`, `;P`) after a terminal mark stays in its sentence, and one
//!   followed by a capitalised word ends the sentence even without a mark; a separator rule
//!   (`***`, `=====`) between two sentences, or after a word at the end of a paragraph, is a
//!   sentence of its own (at the start of a paragraph only a long `=`, `_`, `-` or `~` rule
//!   is: `*** Fixed …` and `### Usage` open an item or a heading), and so is a signature's
//!   `--` between two sentences;
//! - a quoted question or exclamation before a name and a speech verb stays in its sentence
//!   (`“Why?” Khumalo asked.`); a quote that ends with a period does not (`… basically."
//!   Chahine said her …`): an attribution would have had a comma;
//! - where a line break was lost (fields or lines of an e-mail or a web page joined by spaces)
//!   the shape of the tokens still shows a boundary: an e-mail header's date and time
//!   (`Kay Mann 04/26/2001 07:17 AM Will you`) is a sentence of its own unless a preposition
//!   or a label leads into it; a web or e-mail address before a capitalised word, or a web
//!   address before another one, ends a sentence; an item of a list that counts `1) … 2) …`
//!   starts one; a postscript (`P.S.`, `PS.`) opens its sentence;
//! - a letter's greeting or closing at the start of a sentence ends at its comma when a
//!   capitalised word follows on the same line (`Dear all, My name`, `Best regards, Anna`);
//! - list items are split even without final punctuation when the markers count up
//!   (`1.) a 2.) b`, `1) a 2) b`, `a. x b. y`, `• 9. x • 10. y`).
//!
//! The abbreviation list is configurable (extra entries behave like the ambiguous class).

use std::collections::HashMap;

use docpipe_text::abbreviations::{
    SEGMENTER_AMBIGUOUS as AMBIGUOUS, SEGMENTER_BEFORE_NUMBER as BEFORE_NUMBER, SEGMENTER_PREPOSITIVE as PREPOSITIVE,
    US_STATES,
};
use serde::Deserialize;

/// How an abbreviation that precedes a period behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbbrevClass {
    /// Never ends a sentence (titles and other prepositive abbreviations: `Mr.`, `Gen.`).
    Prepositive,
    /// Ends a sentence unless a number follows (`No. 17`, `p. 55`, `Jan. 5`).
    BeforeNumber,
    /// Ends a sentence only when a common sentence opener follows (`Inc.`, `etc.`, `U.S.`).
    Ambiguous,
}

/// Words that commonly open an English sentence (lower case); used after ambiguous
/// abbreviations (`… Inc. The company` splits, `… Inc. Chief executive` does not).
const OPENERS: &[&str] = &[
    "a",
    "after",
    "all",
    "also",
    "an",
    "and",
    "as",
    "at",
    "before",
    "both",
    "but",
    "by",
    "during",
    "each",
    "for",
    "from",
    "he",
    "her",
    "here",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "it",
    "its",
    "many",
    "meanwhile",
    "most",
    "my",
    "no",
    "not",
    "on",
    "one",
    "our",
    "she",
    "since",
    "so",
    "some",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "two",
    "under",
    "we",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "with",
    "yet",
    "you",
    "your",
];

/// A configured sentence splitter (the abbreviation table). Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct SentenceSplitter {
    abbrevs: HashMap<Box<str>, AbbrevClass>,
}

impl Default for SentenceSplitter {
    fn default() -> Self {
        SentenceSplitter::new(&[])
    }
}

/// A list marker at the start of a sentence (`1.)`, `2)`, `a.`, `• 9.`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Marker {
    bullet: Option<char>,
    /// Numeric or alphabetic value, and the separator style (`.`, `)`, `.)`).
    value: Option<(u32, bool, Sep)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Dot,
    Paren,
    DotParen,
}

const BULLETS: &[char] = &['•', '⁃', '▪', '◦', '●', '‣', '∙', '*'];

impl SentenceSplitter {
    /// The built-in abbreviation table plus `extra` abbreviations (case-insensitive, with or
    /// without the final period), which behave like [`AbbrevClass::Ambiguous`] unless they are
    /// built in already.
    pub fn new(extra: &[String]) -> Self {
        let mut abbrevs = HashMap::new();
        for (list, class) in [
            (AMBIGUOUS, AbbrevClass::Ambiguous),
            (BEFORE_NUMBER, AbbrevClass::BeforeNumber),
            (PREPOSITIVE, AbbrevClass::Prepositive),
        ] {
            for a in list {
                abbrevs.insert((*a).into(), class);
            }
        }
        for a in extra {
            let key = a.trim().trim_end_matches('.').to_lowercase();
            if !key.is_empty() {
                abbrevs.entry(key.into_boxed_str()).or_insert(AbbrevClass::Ambiguous);
            }
        }
        SentenceSplitter { abbrevs }
    }

    /// Splits a whole text: every paragraph (a line, or the joined lines of a hard-wrapped
    /// paragraph: see [`paragraphs`]) is split on its own; returns trimmed, sorted,
    /// non-overlapping `(start, end)` byte ranges covering all non-whitespace text.
    pub fn split(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (s, e) in paragraphs(text) {
            self.split_range(text, s, e, &mut out);
        }
        out
    }

    /// Splits `text[start..end]` (one line or part of one; must be on char boundaries) and
    /// appends the trimmed sentences to `out`.
    pub fn split_range(&self, text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
        let b = text.as_bytes();
        let end = end.min(b.len());
        let mut s = skip_ws(b, start, end);
        if s >= end {
            return;
        }
        let para_start = s;
        s = open_sentence(text, para_start, s, end, out);
        let mut marker = self.marker_at(text, s, end);
        let mut i = s;
        if let Some((_, after)) = marker {
            i = after;
        }
        // Whether a period came since the last space: a token with a period in it may be an
        // address (the only tokens [`lost_line_break`] looks back at).
        let mut dotted = false;
        while i < end {
            let c = b[i];
            if !INTERESTING[c as usize] {
                i += 1;
                continue;
            }
            match c {
                b'.' | b'!' | b'?' => {
                    let (brk, next) = self.terminator(text, s, i, end);
                    // A boundary starts a new token; a `?` or `!` inside one (`page.php?id=3`)
                    // keeps what came before.
                    dotted = brk.is_none() && (dotted || c == b'.');
                    if let Some((sent_end, new_start)) = brk {
                        push_trimmed(b, s, sent_end, out);
                        s = open_sentence(text, para_start, new_start, end, out);
                        marker = self.marker_at(text, s, end);
                        i = marker.map_or(s, |(_, a)| a).max(next);
                    } else {
                        i = next;
                    }
                }
                b' ' => {
                    let next = if i + 1 < end { b[i + 1] } else { b' ' };
                    if next == b' ' {
                        i += 1;
                        continue;
                    }
                    let dotted = std::mem::take(&mut dotted);
                    // Most spaces: no list, no emoticon or rule, no digit, no address before.
                    if marker.is_none() && !AFTER_SPACE[next as usize] && !(dotted && next.is_ascii_alphabetic()) {
                        i += 1;
                        continue;
                    }
                    if let Some((m, _)) = marker
                        && let Some(n) = self.list_continues(text, m, i, end)
                    {
                        push_trimmed(b, s, i, out);
                        s = n;
                        marker = self.marker_at(text, s, end);
                        i = marker.map_or(s, |(_, a)| a);
                    } else if i + 1 < end
                        && matches!(b[i + 1], b':' | b';' | b'=' | b'*' | b'_' | b'~' | b'#' | b'-')
                        && let Some(after) = emoticon_ends_sentence(text, i + 1, end)
                    {
                        push_trimmed(b, s, after, out);
                        s = open_sentence(text, para_start, skip_ws(b, after, end), end, out);
                        marker = self.marker_at(text, s, end);
                        i = marker.map_or(s, |(_, a)| a);
                    } else if (next.is_ascii_digit() || (dotted && next.is_ascii_alphabetic()))
                        && let Some((sent_end, new_start)) = lost_line_break(text, start, s, i, end)
                    {
                        push_trimmed(b, s, sent_end, out);
                        s = open_sentence(text, para_start, new_start, end, out);
                        marker = self.marker_at(text, s, end);
                        i = marker.map_or(s, |(_, a)| a).max(i + 1);
                    } else {
                        i += 1;
                    }
                }
                0xE2 if b[i..end].starts_with("…".as_bytes()) => {
                    let (brk, next) = self.terminator(text, s, i, end);
                    if let Some((sent_end, new_start)) = brk {
                        push_trimmed(b, s, sent_end, out);
                        s = new_start;
                        marker = self.marker_at(text, s, end);
                        i = marker.map_or(s, |(_, a)| a).max(next);
                    } else {
                        i = next;
                    }
                }
                0xE3 | 0xEF if cjk_stop(&b[i..end]) > 0 => {
                    let mut k = i + cjk_stop(&b[i..end]);
                    k = skip_closers(text, k, end);
                    push_trimmed(b, s, k, out);
                    s = skip_ws(b, k, end);
                    marker = None;
                    i = s;
                }
                _ => i += 1,
            }
        }
        push_trimmed(b, s, end, out);
    }

    /// Handles a terminal mark at `t0`. Returns the boundary `(sentence end, next start)` if
    /// there is one, and the position to continue scanning from.
    #[inline]
    fn terminator(&self, text: &str, s: usize, t0: usize, end: usize) -> (Option<(usize, usize)>, usize) {
        let b = text.as_bytes();
        let (mut j, mut dots, mut ellipsis_char, mut qe): (usize, usize, bool, bool) = (t0, 0usize, false, false);
        while j < end {
            match b[j] {
                b'.' => {
                    dots += 1;
                    j += 1;
                    // Spaced ellipsis: ". . ."
                    if j + 1 < end && b[j] == b' ' && b[j + 1] == b'.' {
                        j += 1;
                    }
                }
                b'!' | b'?' => {
                    qe = true;
                    j += 1;
                }
                0xE2 if b[j..end].starts_with("…".as_bytes()) => {
                    ellipsis_char = true;
                    j += 3;
                }
                _ => break,
            }
        }
        let ellipsis = !qe && (ellipsis_char || dots == 3 || dots == 2);
        let closed = skip_closers(text, j, end);
        let mut k = closed;
        // Emoticons after the mark belong to the sentence (`I love her. :)`); a separator
        // rule does not (`… on Friday. ***** Please reply.`).
        loop {
            let m = k + b[k..end].iter().take_while(|&&c| c == b' ').count();
            let len = face_len(b, m, end);
            if m == k || len == 0 {
                break;
            }
            k = m + len;
        }
        if k >= end {
            return (None, end);
        }
        let single_period = dots == 1 && !qe && !ellipsis_char;
        if !is_ws(b[k]) {
            // Glued: decimals, URLs, e-mail addresses, `Jr.'s` — or a glued sentence.
            if (single_period || (qe && dots == 0)) && self.glued_sentence(text, s, t0, k, end) {
                return (Some((k, k)), k);
            }
            return (None, j.max(t0 + 1));
        }
        let n = skip_ws(b, k, end);
        if n >= end {
            return (None, end);
        }
        let (first, word) = next_word(text, n, end);
        let Some(first) = first else {
            return (Some((k, n)), n);
        };
        if first.is_lowercase() {
            // Quotes and brackets after the mark keep a lower-case word in the sentence
            // (`"Odd." he said`); an emoticon does not (`great! :P you get`).
            let quoted = closed > j;
            let brk = !ellipsis && !quoted && dots <= 1 && self.lower_case_start(text, s, t0, qe);
            return if brk { (Some((k, n)), n) } else { (None, k) };
        }
        let upper_or_digit = first.is_uppercase() || first.is_ascii_digit();
        // `“Why?” Khumalo asked.`: a quoted question or exclamation before a speech verb. A
        // period inside the quote ended its sentence (`"… basically." Chahine said her …`;
        // an attribution would have a comma).
        if k > j && qe && text[j..k].contains(['"', '”', '’', '\'']) && speech_verb_follows(text, n, end) {
            return (None, k);
        }
        let brk = if ellipsis {
            let bracketed = t0 > 0 && b[t0 - 1] == b'[';
            first.is_uppercase() && word != "I" && !bracketed
        } else if qe || dots >= 4 {
            true
        } else {
            // A single period: look at the word before it.
            self.period_breaks(text, s, t0, first, word, upper_or_digit)
        };
        if brk { (Some((k, n)), n) } else { (None, k) }
    }

    /// Decides whether a single period at `t0`, followed by a word starting with `first`,
    /// ends the sentence.
    fn period_breaks(&self, text: &str, s: usize, t0: usize, first: char, next: &str, upper_or_digit: bool) -> bool {
        let b = text.as_bytes();
        let ws = b[s..t0].iter().rposition(|&c| is_ws(c) || matches!(c, b',' | b';' | b'/')).map_or(s, |p| s + p + 1);
        let word = strip_openers(&text[ws..t0]);
        if word.is_empty() {
            return true;
        }
        // A postscript opens its sentence (`P.S. I am moving`, `PS. Love the site`).
        if ws == s && matches!(word.to_ascii_lowercase().as_str(), "p.s" | "ps" | "p.p.s" | "pps") {
            return false;
        }
        let opener = is_opener(next);
        if let Some(class) = self.lookup(word) {
            return match class {
                AbbrevClass::Prepositive => false,
                AbbrevClass::BeforeNumber => !first.is_ascii_digit(),
                AbbrevClass::Ambiguous => opener,
            };
        }
        let mut chars = word.chars();
        let (c0, c1) = (chars.next(), chars.next());
        if let (Some(c0), None) = (c0, c1) {
            // A single letter: an initial, unless it is the pronoun I after a lower-case word.
            if c0 == 'I' {
                let before = text[s..ws].trim_end();
                let prev = before.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
                return prev.chars().next().is_some_and(char::is_lowercase);
            }
            return !c0.is_alphabetic();
        }
        if is_dotted_abbrev(word) {
            // U.S., E.U., a.m., U.S.A.: a sentence may end there. A clock time ends one before
            // a title too (`left at 6 p.m. Mr. Lee came`), unless it opens the sentence
            // (`At 5 a.m. Mr. Lee left`).
            let time = matches!(word.to_ascii_lowercase().as_str(), "a.m" | "p.m");
            if time && first.is_uppercase() && self.lookup(next) == Some(AbbrevClass::Prepositive) {
                let before: Vec<&str> = text[s..ws].split_whitespace().collect();
                let after_number = before.last().is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()));
                return after_number && before.len() > 3;
            }
            return opener;
        }
        upper_or_digit || !first.is_alphanumeric()
    }

    /// Whether a mark at `t0` followed by a lower-case word ends a sentence (informal text
    /// does not capitalise: `call me at 5. the rest`, `are you kidding? why`). A question or
    /// exclamation mark does after a word that is not capitalised (`Yahoo! in` is a name); a
    /// period does after a word that is not an abbreviation: not in the table, no inner period
    /// (`Ph.D.`, `U.S.`), more than one letter. A mark set off by a space after a lower-case
    /// word does too (`men suck ! whose`). Quoted speech (`"Odd." he said`), a closing bracket
    /// and ellipses never do (checked by the caller).
    fn lower_case_start(&self, text: &str, s: usize, t0: usize, qe: bool) -> bool {
        let b = text.as_bytes();
        // A mark set off by a space (`men suck ! whose`) ends the word before the space.
        let before = text[s..t0].trim_end_matches([' ', '\t']);
        let spaced = before.len() < t0 - s;
        let t0 = s + before.len();
        let ws = b[s..t0].iter().rposition(|&c| is_ws(c)).map_or(s, |p| s + p + 1);
        let word = strip_openers(&text[ws..t0]).trim_end_matches(CLOSERS);
        let Some(c0) = word.chars().next() else { return false };
        if spaced {
            return word.chars().all(char::is_alphabetic) && !c0.is_uppercase();
        }
        if qe {
            return !c0.is_uppercase();
        }
        // `in Austin, Tex. for a job`: a US state's abbreviation after a city and a comma.
        let state = text[s..ws].trim_end().ends_with(',') && text.get(ws..=t0).is_some_and(|w| US_STATES.contains(&w));
        word.chars().nth(1).is_some() && !word.contains('.') && self.lookup(word).is_none() && !state
    }

    fn lookup(&self, word: &str) -> Option<AbbrevClass> {
        if word.len() > 12 {
            return None;
        }
        if word.is_ascii() {
            let mut buf = [0u8; 12];
            let lw = &mut buf[..word.len()];
            lw.copy_from_slice(word.as_bytes());
            lw.make_ascii_lowercase();
            std::str::from_utf8(lw).ok().and_then(|k| self.abbrevs.get(k).copied())
        } else {
            self.abbrevs.get(word.to_lowercase().as_str()).copied()
        }
    }

    /// A glued sentence: `lower-case word` + mark + closers + `Capitalised` word, outside
    /// URLs and e-mail addresses.
    fn glued_sentence(&self, text: &str, s: usize, t0: usize, k: usize, end: usize) -> bool {
        let b = text.as_bytes();
        let prev = text[s..t0].chars().next_back();
        if !prev.is_some_and(char::is_lowercase) {
            return false;
        }
        let (first, word) = next_word(text, k, end);
        let Some(first) = first else { return false };
        if !first.is_uppercase() || !word.chars().nth(1).is_some_and(char::is_lowercase) {
            return false;
        }
        // A capitalised domain (`Newsfeed.Com`, `Example.Org`).
        if TOP_LEVEL_DOMAINS.iter().any(|d| d.eq_ignore_ascii_case(word)) {
            return false;
        }
        // The whitespace-delimited token around the mark.
        let ts = b[s..t0].iter().rposition(|&c| is_ws(c)).map_or(s, |p| s + p + 1);
        let te = b[k..end].iter().position(|&c| is_ws(c)).map_or(end, |p| k + p);
        let token = &text[ts..te];
        let before = &text[ts..t0];
        if token.contains('@') || token.contains("://") || token.starts_with("www.") || before.contains('.') {
            return false;
        }
        // `iOS.Apple` is rare; `word.Word` with a short lower-case word is usually a domain
        // or code; require a real word before the mark.
        before.chars().filter(|c| c.is_alphabetic()).count() >= 2
    }

    /// A list marker at `i` (after an optional bullet): returns it and the position after it.
    fn marker_at(&self, text: &str, i: usize, end: usize) -> Option<(Marker, usize)> {
        let b = text.as_bytes();
        let mut p = i;
        let mut bullet = None;
        if let Some(c) = text[p..end].chars().next()
            && BULLETS.contains(&c)
        {
            bullet = Some(c);
            p += c.len_utf8();
            p = skip_ws(b, p, end);
        }
        let value = parse_marker(b, p, end);
        match (bullet, value) {
            (None, None) => None,
            (_, Some((v, after))) => Some((Marker { bullet, value: Some(v) }, after)),
            (Some(_), None) => Some((Marker { bullet, value: None }, p)),
        }
    }

    /// At a space `i` inside a list item: does the next item start after it?
    fn list_continues(&self, text: &str, m: Marker, i: usize, end: usize) -> Option<usize> {
        let b = text.as_bytes();
        let n = skip_ws(b, i, end);
        if n >= end {
            return None;
        }
        let (next, _) = self.marker_at(text, n, end)?;
        match (m.bullet, next.bullet) {
            (Some(a), Some(c)) if a == c => return Some(n),
            (None, None) => {}
            _ => return None,
        }
        match (m.value, next.value) {
            (Some((v, alpha, sep)), Some((w, alpha2, sep2))) if alpha == alpha2 && sep == sep2 && w == v + 1 => Some(n),
            _ => None,
        }
    }
}

/// Parses `12.)`, `12)`, `12.`, `a.`, `a)`, `(3)` followed by a space; returns
/// `((value, alphabetic, separator), position after the marker and its spaces)`.
fn parse_marker(b: &[u8], p: usize, end: usize) -> Option<((u32, bool, Sep), usize)> {
    let mut q = p;
    let (value, alpha) = if q < end && b[q].is_ascii_digit() {
        let mut v = 0u32;
        while q < end && b[q].is_ascii_digit() && q - p < 3 {
            v = v * 10 + u32::from(b[q] - b'0');
            q += 1;
        }
        if q < end && b[q].is_ascii_digit() {
            return None;
        }
        (v, false)
    } else if q < end && b[q].is_ascii_lowercase() {
        q += 1;
        (u32::from(b[q - 1] - b'a'), true)
    } else {
        return None;
    };
    let sep = if b[q..end].starts_with(b".)") {
        q += 2;
        Sep::DotParen
    } else if q < end && b[q] == b')' {
        q += 1;
        Sep::Paren
    } else if q < end && b[q] == b'.' {
        q += 1;
        Sep::Dot
    } else {
        return None;
    };
    if q < end && b[q] == b' ' {
        let n = skip_ws(b, q, end);
        if n < end { Some(((value, alpha, sep), n)) } else { None }
    } else {
        None
    }
}

/// Words of a letter's closing (`Best regards,`, `Yours sincerely,`) and the words that may
/// open one, lower case. `Thanks,` is left out: in quoted speech it is followed by a name in
/// the same sentence (`Thanks, Bob.`).
const CLOSING_HEADS: &[&str] = &["regards", "sincerely", "wishes", "truly", "faithfully", "respectfully", "cordially"];
const CLOSING_WORDS: &[&str] =
    &["best", "kind", "kindest", "warm", "warmest", "warmly", "many", "with", "all", "the", "very", "yours", "my"];
/// Words that open a greeting (`Dear all,`, `Hi Anna,`), lower case.
const GREETINGS: &[&str] = &["dear", "hi", "hello", "hey", "greetings"];

/// A letter's greeting or closing at the start of a sentence, ended by a comma and followed
/// by a capitalised word on the same line (`Dear all, My name is …`, `Best regards, Anna
/// Berg`): returns the position after the comma. A greeting is a greeting word and up to
/// three capitalised words; a closing is up to three closing words.
fn salutation_end(text: &str, s: usize, end: usize) -> Option<usize> {
    let in_list = |w: &str, list: &[&str]| list.iter().any(|x| x.eq_ignore_ascii_case(w));
    let b = text.as_bytes();
    // Cheap tests first: a comma near the start, and a first word that opens a greeting or a
    // closing.
    let comma = s + memchr::memchr(b',', &b[s..end.min(s + 60)])?;
    let first_end = b[s..comma].iter().position(|&c| c == b' ').map_or(comma, |p| s + p);
    let first = &text[s..first_end];
    if first.len() > 12 {
        return None;
    }
    let greeting = in_list(first, GREETINGS);
    if !greeting && !in_list(first, CLOSING_WORDS) && !in_list(first, CLOSING_HEADS) {
        return None;
    }
    let mut n_words = 0;
    let mut last = "";
    for (k, w) in text[s..comma].split(' ').enumerate() {
        n_words += 1;
        if n_words > 4 || w.is_empty() {
            return None;
        }
        let ok = if greeting {
            k == 0 || w.chars().next().is_some_and(char::is_uppercase) || w == "all"
        } else {
            in_list(w, CLOSING_WORDS) || in_list(w, CLOSING_HEADS)
        };
        if !ok {
            return None;
        }
        last = w;
    }
    if !greeting && !in_list(last, CLOSING_HEADS) {
        return None;
    }
    let after = comma + 1;
    let n = after + b[after..end].iter().take_while(|&&c| c == b' ').count();
    if n == after || n >= end {
        return None;
    }
    let (first, _) = next_word(text, n, end);
    first.is_some_and(char::is_uppercase).then_some(after)
}

/// What stands alone at the start of a sentence: a letter's greeting or closing before a
/// capitalised word (`Dear all,`, `Best regards,`: see [`salutation_end`]), an e-mail
/// header's date and time before more text (`08/16/2000 03:14 PM I just wanted`) and a
/// separator rule before more text (see [`rule_alone`]). Pushes each as a sentence of its own
/// and returns where the rest starts.
fn open_sentence(text: &str, para_start: usize, mut s: usize, end: usize, out: &mut Vec<(usize, usize)>) -> usize {
    let b = text.as_bytes();
    loop {
        let alone = salutation_end(text, s, end)
            .or_else(|| timestamp_alone(b, s, end))
            .or_else(|| rule_alone(b, s == para_start, s, end));
        let Some(after) = alone else { return s };
        push_trimmed(b, s, after, out);
        s = skip_ws(b, after, end);
    }
}

/// The end of a date and time at `i` when more text follows them (a word, a quote or a
/// bracket): the date line of a forwarded e-mail's header, which ends its sentence.
fn timestamp_alone(b: &[u8], i: usize, end: usize) -> Option<usize> {
    if i >= end || !b[i].is_ascii_digit() {
        return None;
    }
    let te = timestamp_end(b, i, end)?;
    let n = skip_ws(b, te, end);
    (n < end && (b[n].is_ascii_alphanumeric() || b[n] >= 0x80 || matches!(b[n], b'"' | b'\'' | b'(' | b'<')))
        .then_some(te)
}

/// The end of an e-mail header's date and time at `i`: a numeric date, spaces, a clock time
/// and an optional `AM`/`PM` (`08/16/2000 03:14:14 PM`, `4/5/01, 9:02 a.m.`, `2/13/2001
/// 20:02`), followed by whitespace or the end. A date alone or a time alone is not one.
fn timestamp_end(b: &[u8], i: usize, end: usize) -> Option<usize> {
    let digits = |p: usize, min: usize, max: usize| -> Option<usize> {
        let n = b.get(p..end)?.iter().take(max + 1).take_while(|c| c.is_ascii_digit()).count();
        (min..=max).contains(&n).then_some(p + n)
    };
    let byte = |p: usize| if p < end { b[p] } else { 0 };
    let mut p = digits(i, 1, 2)?;
    for (sep, min, max) in [(b'/', 1, 2), (b'/', 2, 4)] {
        if byte(p) != sep {
            return None;
        }
        p = digits(p + 1, min, max)?;
    }
    if byte(p) == b',' {
        p += 1;
    }
    let q = p + b[p..end].iter().take_while(|&&c| c == b' ').count();
    if q == p {
        return None;
    }
    p = digits(q, 1, 2)?;
    if byte(p) != b':' {
        return None;
    }
    p = digits(p + 1, 2, 2)?;
    if byte(p) == b':' {
        p = digits(p + 1, 2, 2)?;
    }
    // `AM`, `pm`, `a.m.`, with or without a space before it.
    let q = p + b[p..end].iter().take_while(|&&c| c == b' ').count();
    if matches!(byte(q), b'A' | b'a' | b'P' | b'p') {
        let mut r = q + 1;
        if byte(r) == b'.' {
            r += 1;
        }
        if matches!(byte(r), b'M' | b'm') {
            r += 1;
            if byte(r) == b'.' {
                r += 1;
            }
            if r == end || is_ws(b[r]) {
                p = r;
            }
        }
    }
    (p == end || is_ws(b[p])).then_some(p)
}

/// A sentence boundary at the space `i` although no mark ends the text before it: the line
/// break that would stand there in an e-mail or a web page was lost (HTML extraction, text
/// joined from fields), and the shape of the tokens around the space shows it. Returns the
/// sentence end and the next start.
///
/// - before an e-mail header's date and time, after a name or an address (`Kay Mann 04/26/2001
///   07:17 AM`), not after a lower-case word or a label (`sent on 04/26/2001 …`, `Date: …`); and
///   after one that follows such a word when a capitalised word comes next (`… on 04/26/2001
///   07:17 AM Will you`, not `… on 04/26/2001 07:17 AM and`);
/// - after a web or e-mail address before a capitalised word (`anna@example.com Our office`)
///   and between two web addresses (`http://a.example/1 http://a.example/2`);
/// - before an item of a list that counts `1) … 2) …` inside the paragraph, when the item
///   before or after it is there too (`four nights 1) which island … plane ride 2) I would`).
fn lost_line_break(text: &str, para_start: usize, s: usize, i: usize, end: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let n = i + 1;
    // The end of the token before the space (and any spaces before it).
    let pe = s + text[s..i].trim_end().len();
    if n >= end || pe <= s {
        return None;
    }
    let c = b[n];
    if c.is_ascii_digit() {
        if let Some(k) = item_number(b, n, end) {
            return counts_on(b, para_start, i, n, end, k).then_some((i, n));
        }
        let te = timestamp_end(b, n, end)?;
        let ts = b[s..pe].iter().rposition(|&c| is_ws(c)).map_or(s, |p| s + p + 1);
        let prev = strip_openers(&text[ts..pe]);
        let after_name = !prev.starts_with(|c: char| c.is_lowercase()) && !prev.ends_with([',', ':', ';', '(']);
        if after_name {
            return Some((i, n));
        }
        // Inside a sentence (`sent on 04/26/2001 07:17 AM`) only a capitalised word after it
        // starts the next one.
        let after = skip_ws(b, te, end);
        let (first, word) = next_word(text, after, end);
        let capital = first.is_some_and(char::is_uppercase) && word.chars().nth(1).is_some_and(char::is_lowercase);
        return (after > te && capital).then_some((te, after));
    }
    let url_next = (c == b'h' && b[n..end].starts_with(b"http")) || (c == b'w' && b[n..end].starts_with(b"www."));
    if !(c.is_ascii_uppercase() || url_next) || !(b[pe - 1].is_ascii_alphanumeric() || matches!(b[pe - 1], b'/' | b'>'))
    {
        return None;
    }
    let ts = b[s..pe].iter().rposition(|&c| is_ws(c)).map_or(s, |p| s + p + 1);
    let prev = text[ts..pe].trim_start_matches(['<', '(', '[', '"', '\'']);
    let web = prev.starts_with("http://") || prev.starts_with("https://") || prev.starts_with("www.");
    let mail = prev.find('@').is_some_and(|at| at > 0 && prev[at + 1..].contains('.'));
    let brk = if url_next {
        let te = b[n..end].iter().position(|&c| is_ws(c)).map_or(end, |p| n + p);
        web && (text[n..te].starts_with("http://")
            || text[n..te].starts_with("https://")
            || text[n..te].starts_with("www."))
    } else {
        // A date after an address is the same header line (`-- Ann Lee <ann@example.org>
        // Tue, 03 Dec 2002`).
        let word = next_word(text, n, end).1;
        (web || mail) && word.chars().nth(1).is_some_and(char::is_lowercase) && !is_calendar_word(word)
    };
    brk.then_some((i, n))
}

/// A weekday or month name, whole or cut to three letters or more (`Tue`, `Thurs`, `Sept`,
/// `December`).
fn is_calendar_word(word: &str) -> bool {
    const NAMES: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    (3..=9).contains(&word.len())
        && word.is_ascii()
        && NAMES
            .iter()
            .any(|n| n.len() >= word.len() && n.as_bytes()[..word.len()].eq_ignore_ascii_case(word.as_bytes()))
}

/// The number of a list item `N) ` at `n` (one or two digits, a closing bracket, a space).
fn item_number(b: &[u8], n: usize, end: usize) -> Option<u32> {
    let d = b[n..end].iter().take(3).take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&d) || !b[n + d..end].starts_with(b") ") {
        return None;
    }
    Some(b[n..n + d].iter().fold(0, |v, &c| v * 10 + u32::from(c - b'0')))
}

/// Whether item `k` at `n` (after the space `i`) continues a count in its paragraph: item
/// `k - 1` stands earlier in it (after a space or at its start), or for item 1, item 2 later.
fn counts_on(b: &[u8], para_start: usize, i: usize, n: usize, end: usize, k: u32) -> bool {
    let mut pat = [0u8; 8];
    let mut len = 0;
    pat[len] = b' ';
    len += 1;
    let want = if k == 1 { 2 } else { k - 1 };
    if want >= 10 {
        pat[len] = b'0' + (want / 10) as u8;
        len += 1;
    }
    pat[len] = b'0' + (want % 10) as u8;
    pat[len + 1] = b')';
    pat[len + 2] = b' ';
    len += 3;
    let pat = &pat[..len];
    if k == 1 {
        return memchr::memmem::find(&b[n..end], pat).is_some();
    }
    memchr::memmem::rfind(&b[para_start..i], pat).is_some() || b[para_start..i].starts_with(&pat[1..])
}

/// The length of a separator rule at `i` (`***`, `=====`, `_____`: three or more of one of
/// `*=_~#-`) that stands alone (whitespace or the end after it), else 0.
fn rule_len(b: &[u8], i: usize, end: usize) -> usize {
    if i >= end || !matches!(b[i], b'*' | b'=' | b'_' | b'~' | b'#' | b'-') {
        return 0;
    }
    let run = b[i..end].iter().take_while(|&&c| c == b[i]).count();
    let standalone = i + run == end || is_ws(b[i + run]);
    if run >= 3 && standalone { run } else { 0 }
}

/// A separator rule at `s` with more text after it (`… Friday. ***** Please reply.`): returns
/// its end, unless another rule follows (a table's underline). At the start of a paragraph or
/// a line only a rule of four or more `=`, `_`, `-` or `~` counts: `***` and `###` open items
/// and headings there (`*** Fixed the build`), and `---` a patch.
fn rule_alone(b: &[u8], para_start: bool, s: usize, end: usize) -> Option<usize> {
    // A signature's `--` between sentences, before a capitalised word (`… five years. --
    // Posted by …`); at a line's start it opens a changelog's trailer (`-- Ann Lee <…>`).
    let pair = b[s..end].starts_with(b"--") && (s + 2 == end || is_ws(b[s + 2]));
    let len = if pair { 2 } else { rule_len(b, s, end) };
    if len == 0 {
        return None;
    }
    // The start of a line inside a wrapped paragraph is like the start of the paragraph.
    let line_start = para_start || b[..s].iter().rev().find(|&&c| c != b' ' && c != b'\t') == Some(&b'\n');
    if line_start && (len < 4 || matches!(b[s], b'*' | b'#')) {
        return None;
    }
    // Not a table's underline (`---- -----`).
    let n = skip_ws(b, s + len, end);
    (n < end && rule_len(b, n, end) == 0 && (!pair || b[n].is_ascii_uppercase())).then_some(s + len)
}

/// The length of a face emoticon at `i` (`:)`, `:-)`, `;-P`, `:((`) that stands alone
/// (whitespace or the end after it), else 0. `=` opens separator rules ([`rule_len`]), so `=D`
/// is no face.
fn face_len(b: &[u8], i: usize, end: usize) -> usize {
    if i >= end || !matches!(b[i], b':' | b';') {
        return 0;
    }
    let mut q = i + 1;
    if q < end && matches!(b[q], b'-' | b'\'' | b'^' | b'o') {
        q += 1;
    }
    let mouth = q;
    while q < end && matches!(b[q], b')' | b'(' | b']' | b'[' | b'D' | b'P' | b'p' | b'/' | b'\\' | b'|' | b'3' | b'*')
    {
        q += 1;
    }
    // A letter mouth only once (`:P`, not `:DP`), and nothing glued after it.
    let letters = b[mouth..q].iter().filter(|c| c.is_ascii_alphanumeric()).count();
    if q == mouth || (letters > 0 && q - mouth > 1) || (q < end && !is_ws(b[q])) {
        return 0;
    }
    q - i
}

/// An emoticon or a separator rule at `i` (after a space) followed by a capitalised word ends
/// a sentence (`with the community :-) Posted by`, `the last item ***** Next`), and so does a
/// rule at the end of the paragraph after a word (`… details: http://example.org/news
/// -----`): returns where the sentence ends, after the emoticon and before the rule (a rule
/// between two sentences is a sentence of its own).
fn emoticon_ends_sentence(text: &str, i: usize, end: usize) -> Option<usize> {
    let b = text.as_bytes();
    let rule_run = rule_len(b, i, end);
    let len = if rule_run > 0 { rule_run } else { face_len(b, i, end) };
    if len == 0 {
        return None;
    }
    // A line-like rule; `***` and `###` may be marks inside a line (`make: *** No rule`).
    let rule = rule_run > 0 && !matches!(b[i], b'*' | b'#');
    let n = skip_ws(b, i + len, end);
    let (first, _) = next_word(text, n, end);
    // At the end only a long rule after a word: not a heading's closing `===`, not a table's
    // underline (`------- -----------`).
    let after_word = i >= 2 && b[i - 2].is_ascii_alphanumeric() && len >= 4;
    let ends = (n < end && first.is_some_and(char::is_uppercase)) || (rule && n >= end && after_word);
    ends.then_some(if rule { i } else { i + len })
}

/// Top-level domains that a capitalised host name may end with (`Newsfeed.Com`), lower case.
const TOP_LEVEL_DOMAINS: &[&str] = &["com", "net", "org", "edu", "gov", "info", "biz"];

/// Bytes after a space that need a look: digits (an e-mail header's date, a list item) and
/// the first characters of emoticons and rules.
static AFTER_SPACE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] = true;
        c += 1;
    }
    let marks = b":;=*_~#-";
    let mut k = 0;
    while k < marks.len() {
        t[marks[k] as usize] = true;
        k += 1;
    }
    t
};

/// Bytes that need a look: terminal marks, spaces (list items), the lead bytes of `…`, CJK
/// full stops and bullets.
static INTERESTING: [bool; 256] = {
    let mut t = [false; 256];
    t[b'.' as usize] = true;
    t[b'!' as usize] = true;
    t[b'?' as usize] = true;
    t[b' ' as usize] = true;
    t[0xE2] = true;
    t[0xE3] = true;
    t[0xEF] = true;
    t
};

fn cjk_stop(b: &[u8]) -> usize {
    for m in ["。", "！", "？"] {
        if b.starts_with(m.as_bytes()) {
            return m.len();
        }
    }
    0
}

/// How a single line break (between two non-blank lines) is treated by the sentence splitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize, docpipe_core::OptionType)]
#[serde(rename_all = "lowercase")]
pub enum LineBreaks {
    /// Every line break ends a sentence, except inside a hard-wrapped text (see [`paragraphs`]).
    #[default]
    Auto,
    /// Every line break ends a sentence (each line is split on its own).
    Boundary,
}

/// The widest line width (in characters, indentation included) that still counts as hard
/// wrapping; plain-text wrapping is at 60 to 80 columns, text extracted from PDF up to about 120.
const MAX_WRAP_WIDTH: usize = 150;

/// One non-blank line: content start and end (trimmed), indentation and width in columns, and
/// whether a blank line comes before it.
#[derive(Debug, Clone, Copy)]
struct Line {
    s: usize,
    e: usize,
    indent: usize,
    width: usize,
    blank_before: bool,
}

/// The paragraphs of `text` for sentence splitting, as trimmed `(start, end)` ranges: each
/// non-blank line, except that the lines of a **hard-wrapped** text are joined into their
/// paragraph, so that a line break there is only a space to the sentence scanner.
///
/// Hard wrapping is decided for the whole text from the shape of its lines, the way a reader
/// sees it. A line break is a *candidate* when the line before is filled (the first word of
/// the next line would not have fitted on it: the two reach at least 85 % of the usual width
/// of its block of lines between blank lines — the block's 90th-percentile line width, or for a
/// block of one or two lines its widest line but no more than the whole text's 90th
/// percentile, which must be at most 150; the slack is for
/// proportional fonts in text extracted from PDF) and not much wider than that width, no
/// blank line comes between, the next line is not indented more (the
/// first line of a paragraph may be indented more than the rest) and does not start a list
/// item, a quotation or a heading (the text of a list item may go on under its first word).
/// The text is hard-wrapped when its sentences run on over the candidate breaks: at least two,
/// and at least 40 %, of the candidates
/// are followed by a lower-case word after a line that does not end with a terminal mark
/// (`… processes\nare`). Text with one paragraph per line (news dumps, web text) has ragged
/// lines whose breaks follow a sentence end, so it is never joined. In a hard-wrapped text
/// every candidate break is joined; a blank line, an indented line, a list item and a short
/// line (the end of a paragraph, a heading) still end a paragraph.
pub fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let all: Vec<Line> = physical_lines(text).collect();
    let joins = wrap_joins(text, &all);
    let mut out = Vec::with_capacity(all.len());
    let mut i = 0;
    while i < all.len() {
        let start = all[i].s;
        while i < joins.len() && joins[i] {
            i += 1;
        }
        out.push((start, all[i].e));
        i += 1;
    }
    out
}

/// The non-blank lines of `text` with their measures.
fn physical_lines(text: &str) -> impl Iterator<Item = Line> + '_ {
    let b = text.as_bytes();
    let mut pos = 0;
    let mut blank_before = false;
    std::iter::from_fn(move || {
        while pos < b.len() {
            let start = pos;
            let nl = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |p| pos + p);
            pos = nl + 1;
            let mut e = nl;
            while e > start && is_ws(b[e - 1]) {
                e -= 1;
            }
            let s = skip_ws(b, start, e);
            if s < e {
                let mut indent = 0;
                for &c in &b[start..s] {
                    indent = if c == b'\t' { (indent / 8 + 1) * 8 } else { indent + 1 };
                }
                let width = indent + text[s..e].chars().count();
                let line = Line { s, e, indent, width, blank_before };
                blank_before = false;
                return Some(line);
            }
            blank_before = true;
        }
        None
    })
}

/// For each pair of consecutive lines, whether the break between them is joined (see
/// [`paragraphs`]).
fn wrap_joins(text: &str, lines: &[Line]) -> Vec<bool> {
    let n = lines.len();
    let mut joins = vec![false; n.saturating_sub(1)];
    if n < 2 {
        return joins;
    }
    let mut widths: Vec<usize> = lines.iter().map(|l| l.width).collect();
    let (_, &mut usual, _) = widths.select_nth_unstable((n - 1) * 9 / 10);
    if !(20..=MAX_WRAP_WIDTH).contains(&usual) {
        return joins;
    }
    // The usual width of each block of lines between blank lines: its own 90th percentile
    // when it has three lines or more, else at most its widest line, so that a wide
    // signature or table elsewhere does not make the narrower lines of a short paragraph
    // look ragged.
    let mut block_width = vec![usual; n];
    let mut k = 0;
    while k < n {
        let mut end = k + 1;
        while end < n && !lines[end].blank_before {
            end += 1;
        }
        let mut ws: Vec<usize> = lines[k..end].iter().map(|l| l.width).collect();
        let m = ws.len();
        let local = if m >= 3 {
            *ws.select_nth_unstable((m - 1) * 9 / 10).1
        } else {
            ws.iter().copied().max().unwrap_or(usual).min(usual)
        };
        block_width[k..end].fill(local.max(20));
        k = end;
    }
    let (mut candidates, mut runs_on) = (0usize, 0usize);
    let mut run_on = vec![false; n - 1];
    for i in 0..n - 1 {
        let (a, b) = (&lines[i], &lines[i + 1]);
        let usual = block_width[i];
        let first_of_paragraph = i == 0 || a.blank_before || a.indent > lines[i - 1].indent;
        let mut next = &text[b.s..b.e];
        let this = &text[a.s..a.e];
        // E-mail and Usenet quoting: lines under the same quote marks (`>`, `> >`, `|>`,
        // `:`, `}`) are a quoted paragraph wrapped like any other; what follows the marks
        // is the line.
        let quoted = quote_marks(this).filter(|q| quote_marks(next) == Some(q));
        if let Some(q) = quoted {
            next = next[q.len()..].trim_start();
        }
        // A list item's text may go on under its first word (`* root is\n  added`).
        let under_item = starts_item(this) && b.indent == a.indent + item_text_column(this);
        let indent_ok = b.indent == a.indent || (b.indent < a.indent && first_of_paragraph) || under_item;
        // Filled: the next line's first word would not have fitted on this one (with some
        // slack for proportional fonts in text extracted from PDF).
        let first_word = next.split(char::is_whitespace).next().map_or(0, |w| w.chars().count());
        // Not much wider than the usual width either (a ragged paragraph line is).
        let filled = (a.width + 1 + first_word) * 100 >= usual * 85 && a.width * 8 <= usual * 9;
        if filled && (indent_ok || quoted.is_some()) && !b.blank_before && !starts_item(next) {
            joins[i] = true;
            candidates += 1;
            if !ends_sentence(this) && next.chars().next().is_some_and(char::is_lowercase) {
                runs_on += 1;
                run_on[i] = true;
            }
        }
    }
    if runs_on < 2 || runs_on * 5 < candidates * 2 {
        // Not a hard-wrapped text as a whole; a filled line that runs on into a lower-case
        // word is still joined (a wrapped paragraph inside mixed text: a README's prose
        // between its lists and code).
        joins = run_on;
    }
    joins
}

/// The quote marks that open an e-mail or Usenet line (`>`, `>>`, `> >`, `|>`, `: `, `} `),
/// without the spaces after them: `>` anywhere in the run, or one of `:`, `}`, `|` alone and
/// followed by a space. A table row (a line that also ends with `|`) is not quoted.
pub(crate) fn quote_marks(line: &str) -> Option<&str> {
    let end = line.find(|c: char| !matches!(c, '>' | '|' | ':' | '}' | ' ' | '\t')).unwrap_or(line.len());
    let marks = line[..end].trim_end();
    if marks.is_empty() || line.ends_with('|') {
        return None;
    }
    let single = marks.len() == 1 && line[1..].starts_with(' ');
    (marks.contains('>') || single).then_some(marks)
}

/// Whether a line starts a list item, a quotation, a heading or a table row (`- `, `* `,
/// `• `, `> `, `# `, `| `, `1. `, `2) `, `a) `, `(iv) `).
fn starts_item(line: &str) -> bool {
    let mut cs = line.chars();
    let (Some(c0), c1) = (cs.next(), cs.next()) else { return false };
    if matches!(c0, '•' | '⁃' | '▪' | '◦' | '●' | '‣' | '∙' | '>' | '#' | '|') {
        return true;
    }
    if matches!(c0, '-' | '*' | '+' | '–' | '—') && c1.is_some_and(char::is_whitespace) {
        return true;
    }
    let b = line.as_bytes();
    if c0 == '(' {
        let close = b.iter().take(6).position(|&c| c == b')');
        return close
            .is_some_and(|k| k > 1 && b[1..k].iter().all(u8::is_ascii_alphanumeric) && b.get(k + 1) == Some(&b' '));
    }
    parse_marker(b, 0, b.len()).is_some_and(|((_, alpha, sep), _)| !alpha || sep != Sep::Dot)
}

/// The column (in characters) where the text of a list item starts, after its marker and
/// spaces (`* root` → 2, `12. x` → 4).
fn item_text_column(line: &str) -> usize {
    let marker = line.find(char::is_whitespace).unwrap_or(line.len());
    let rest = &line[marker..];
    line[..marker].chars().count() + (rest.len() - rest.trim_start().len())
}

/// Whether a line ends with a terminal mark (`.`, `!`, `?`, `…`), closing quotes and brackets
/// allowed after it.
fn ends_sentence(line: &str) -> bool {
    line.trim_end_matches(CLOSERS).ends_with(['.', '!', '?', '…'])
}

/// The non-empty lines of `text` as `(start, end)`, trimmed of surrounding whitespace and
/// of their terminators (`\n`, `\r\n`).
pub fn lines(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let b = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos < b.len() {
            let start = pos;
            let nl = b[pos..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| pos + p);
            pos = nl + 1;
            let mut e = nl;
            while e > start && is_ws(b[e - 1]) {
                e -= 1;
            }
            let s = skip_ws(b, start, e);
            if s < e {
                return Some((s, e));
            }
        }
        None
    })
}

pub(crate) fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

pub(crate) fn skip_ws(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && is_ws(b[i]) {
        i += 1;
    }
    i
}

fn push_trimmed(b: &[u8], mut s: usize, mut e: usize, out: &mut Vec<(usize, usize)>) {
    while s < e && is_ws(b[s]) {
        s += 1;
    }
    while e > s && is_ws(b[e - 1]) {
        e -= 1;
    }
    if s < e {
        out.push((s, e));
    }
}

const CLOSERS: &[char] = &['"', '\'', ')', ']', '}', '»', '”', '’', '›', '」', '』'];
const OPENERS_PUNCT: &[char] = &['"', '\'', '(', '[', '{', '«', '“', '‘', '‹', '¿', '¡', '„', '—', '–', '-'];

fn skip_closers(text: &str, mut k: usize, end: usize) -> usize {
    while k < end {
        match text[k..end].chars().next() {
            Some(c) if CLOSERS.contains(&c) => k += c.len_utf8(),
            _ => break,
        }
    }
    k
}

fn strip_openers(w: &str) -> &str {
    w.trim_start_matches(OPENERS_PUNCT)
}

/// The first letter or digit of the word at `n` (after opening quotes and brackets) and the
/// word itself (letters only).
fn next_word(text: &str, n: usize, end: usize) -> (Option<char>, &str) {
    let rest = &text[n..end];
    let w = rest.trim_start_matches(OPENERS_PUNCT);
    let stop = w.find(|c: char| !c.is_alphanumeric()).unwrap_or(w.len());
    let word = &w[..stop];
    (w.chars().next().filter(|c| c.is_alphanumeric()), word)
}

/// Whether the word after the one at `n` is a speech verb (`Khumalo asked`, `Smith said`).
fn speech_verb_follows(text: &str, n: usize, end: usize) -> bool {
    const VERBS: &[&str] = &[
        "added",
        "adds",
        "asked",
        "asks",
        "countered",
        "cried",
        "explained",
        "insisted",
        "noted",
        "recalled",
        "replied",
        "said",
        "says",
        "shouted",
        "told",
        "wrote",
    ];
    let mut it = text[n..end].split_whitespace();
    let (Some(first), Some(second)) = (it.next(), it.next()) else { return false };
    let name = first.trim_end_matches(|c: char| !c.is_alphanumeric());
    first.starts_with(|c: char| c.is_uppercase())
        && !is_opener(name)
        && VERBS.contains(&second.trim_end_matches(|c: char| !c.is_alphanumeric()))
}

fn is_opener(word: &str) -> bool {
    if word.len() > 10 || word.is_empty() {
        return false;
    }
    let mut buf = [0u8; 10];
    let lw = &mut buf[..word.len()];
    lw.copy_from_slice(word.as_bytes());
    lw.make_ascii_lowercase();
    std::str::from_utf8(lw).is_ok_and(|k| OPENERS.binary_search(&k).is_ok())
}

/// `U.S`, `a.m`, `U.S.A`: single letters separated by periods (the last period excluded).
fn is_dotted_abbrev(w: &str) -> bool {
    let parts = w.split('.');
    let mut n = 0;
    for p in parts {
        let mut cs = p.chars();
        match (cs.next(), cs.next()) {
            (Some(c), None) if c.is_alphabetic() => n += 1,
            _ => return false,
        }
    }
    n >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        SentenceSplitter::default().split(text).into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn openers_are_sorted() {
        assert!(OPENERS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn own_golden_rules() {
        let mut failed = Vec::new();
        for (name, text, want) in docpipe_testkit::golden::CASES {
            let got = split(text);
            if got != *want {
                failed.push(format!("{name}: {got:?}"));
            }
        }
        assert!(
            failed.len() <= 1,
            "{} of {} fail:\n{}",
            failed.len(),
            docpipe_testkit::golden::CASES.len(),
            failed.join("\n")
        );
    }

    #[test]
    fn news_traps() {
        let t = "Lt. Gen. (ret.) Yevhen Kravchenko spoke. Dr. K. T. Mensah agreed at No. 17 on St. Adalbert street at 6.43 p.m. The vote was 28.5 per cent.";
        assert_eq!(
            split(t),
            [
                "Lt. Gen. (ret.) Yevhen Kravchenko spoke.",
                "Dr. K. T. Mensah agreed at No. 17 on St. Adalbert street at 6.43 p.m.",
                "The vote was 28.5 per cent."
            ]
        );
        assert_eq!(
            split("partners.It is. A market.”But a door."),
            ["partners.", "It is.", "A market.”", "But a door."]
        );
        assert_eq!(split("He said “no.” Then he left."), ["He said “no.”", "Then he left."]);
        assert_eq!(split("Brig. Gen. Joe Otieno of Kenya spoke."), ["Brig. Gen. Joe Otieno of Kenya spoke."]);
        assert_eq!(
            split("Heading without stop\nBody one. Body two."),
            ["Heading without stop", "Body one.", "Body two."]
        );
        assert_eq!(
            split("He came in Jan. 2024 with J. R. R. Tolkien."),
            ["He came in Jan. 2024 with J. R. R. Tolkien."]
        );
        assert_eq!(split("But...the answer was... no."), ["But...the answer was... no."]);
    }

    #[test]
    fn lower_case_starts_in_informal_text() {
        assert_eq!(
            split("we got there at noon. the lake was frozen. are you coming? it is fun!"),
            ["we got there at noon.", "the lake was frozen.", "are you coming?", "it is fun!"]
        );
        // A mark set off by a space.
        assert_eq!(
            split("that dog is huge ! my cat hides ? no idea"),
            ["that dog is huge !", "my cat hides ?", "no idea"]
        );
        // Abbreviations, names with a mark, quotes, brackets and ellipses keep the sentence.
        for t in [
            "She met the Ph.D. student and the U.S. team at Acme Inc. last week.",
            "He worked at Yahoo! in the nineties.",
            "\"That is odd.\" he said.",
            "He left (he was tired.) after lunch.",
            "I waited... and waited.",
            "Bring tools, e.g. a saw and nails, vs. nothing.",
            "He moved to Lowbridge, Tex. for a job in 1990.",
        ] {
            assert_eq!(split(t), [t], "{t}");
        }
    }

    #[test]
    fn clock_time_before_a_title() {
        assert_eq!(
            split("At 9 a.m. Dr. Okafor opened the ward. She left it at 7 p.m. Mr. Lund took over."),
            ["At 9 a.m. Dr. Okafor opened the ward.", "She left it at 7 p.m.", "Mr. Lund took over."]
        );
        assert_eq!(
            split("The talk starts at 6 p.m. Friday in the hall."),
            ["The talk starts at 6 p.m. Friday in the hall."]
        );
    }

    #[test]
    fn emoticons_and_letter_salutations() {
        assert_eq!(split("The party was great. :) See you soon."), ["The party was great. :)", "See you soon."]);
        assert_eq!(split("thanks for the tip :-) Posted by anna"), ["thanks for the tip :-)", "Posted by anna"]);
        assert_eq!(split("It rained all day :( and we stayed in."), ["It rained all day :( and we stayed in."]);
        // A separator rule between sentences is a sentence of its own; one that opens an item
        // or a heading stays there, and so does a table's underline.
        assert_eq!(
            split("The vote is on Friday. ***** Please reply."),
            ["The vote is on Friday.", "*****", "Please reply."]
        );
        assert_eq!(split("see you there ===== Next item"), ["see you there", "=====", "Next item"]);
        assert_eq!(split("More at http://example.org/news -----"), ["More at http://example.org/news", "-----"]);
        assert_eq!(split("====== The list closes today."), ["======", "The list closes today."]);
        assert_eq!(
            split("We will be back next year. -- Posted by Anna"),
            ["We will be back next year.", "--", "Posted by Anna"]
        );
        assert_eq!(split("-- Ann Lee <ann@example.org>"), ["-- Ann Lee <ann@example.org>"]);
        for t in [
            "*** Fixed the build on old systems.",
            "### Usage notes",
            "--- a/src/main.rs",
            "---- -----",
            "=== Old change log ===",
        ] {
            assert_eq!(split(t), [t], "{t}");
        }
        // Inside a wrapped paragraph a line that opens with `***` is an item, not a rule.
        let t = "The test passes.\n*** Fixed the build on old systems.";
        let mut out = Vec::new();
        SentenceSplitter::default().split_range(t, 0, t.len(), &mut out);
        let got: Vec<&str> = out.iter().map(|&(a, b)| &t[a..b]).collect();
        assert_eq!(got, ["The test passes.", "*** Fixed the build on old systems."]);
        // An attribution after a quoted question stays; a quote closed by a period ended.
        assert_eq!(split("“Why?” Khumalo asked."), ["“Why?” Khumalo asked."]);
        assert_eq!(
            split("\"We left at dawn.\" Moyo said the road was closed."),
            ["\"We left at dawn.\"", "Moyo said the road was closed."]
        );
        // A capitalised domain is no glued sentence.
        assert_eq!(split("Posted via Newsfeed.Com today."), ["Posted via Newsfeed.Com today."]);
        assert_eq!(split("It was -- I think -- fine."), ["It was -- I think -- fine."]);
        // Not emoticons: a ratio, a colon inside a word.
        assert_eq!(split("The odds were 3:2 Against us."), ["The odds were 3:2 Against us."]);
        assert_eq!(
            split("Dear all, My name is Anna Berg. I run the lab."),
            ["Dear all,", "My name is Anna Berg.", "I run the lab."]
        );
        assert_eq!(
            split("See the file attached. Best regards, Anna Berg"),
            ["See the file attached.", "Best regards,", "Anna Berg"]
        );
        // A name after a comma inside speech stays in the sentence.
        assert_eq!(split("Thanks, Bob. That helps."), ["Thanks, Bob.", "That helps."]);
        assert_eq!(split("Hi there, how are you?"), ["Hi there, how are you?"]);
    }

    #[test]
    fn mail_header_dates_stand_alone() {
        // A forwarded message whose header lines were joined by spaces.
        assert_eq!(
            split("Kay Berg 04/26/2001 07:17 AM Will you send the signed copy to the office?"),
            ["Kay Berg", "04/26/2001 07:17 AM", "Will you send the signed copy to the office?"]
        );
        assert_eq!(
            split("Ola Nordmann <ola@example.org> 3/2/2001 9:05 pm please call me back"),
            ["Ola Nordmann <ola@example.org>", "3/2/2001 9:05 pm", "please call me back"]
        );
        // After a preposition or a label the date stays in its sentence; a capitalised word
        // after it still starts the next one.
        assert_eq!(
            split("It was sent on 04/26/2001 07:17 AM and nobody answered."),
            ["It was sent on 04/26/2001 07:17 AM and nobody answered."]
        );
        assert_eq!(
            split("Forwarded by Ann Lee on 08/16/2000 03:14:14 PM Steve, the room is booked."),
            ["Forwarded by Ann Lee on 08/16/2000 03:14:14 PM", "Steve, the room is booked."]
        );
        assert_eq!(split("Date: 12/01/2026 10:00 Room 4 is free."), ["Date: 12/01/2026 10:00", "Room 4 is free."]);
        // A date alone or a time alone is no header.
        assert_eq!(split("Ann Lee 04/26/2001 was the day we met."), ["Ann Lee 04/26/2001 was the day we met."]);
        assert_eq!(split("We meet at 10:30 AM Monday in the hall."), ["We meet at 10:30 AM Monday in the hall."]);
    }

    #[test]
    fn addresses_before_a_capitalised_word_end_a_sentence() {
        assert_eq!(
            split("Write to anna@example.org Our office opens at nine."),
            ["Write to anna@example.org", "Our office opens at nine."]
        );
        assert_eq!(
            split("Photos: http://pics.example.net/a1.jpg http://pics.example.net/a2.jpg Enjoy them"),
            ["Photos: http://pics.example.net/a1.jpg", "http://pics.example.net/a2.jpg", "Enjoy them"]
        );
        assert_eq!(split("Mail anna@example.org  Our office opens."), ["Mail anna@example.org", "Our office opens."]);
        assert_eq!(split("Date:  12/01/2026 10:00 room 4"), ["Date:  12/01/2026 10:00 room 4"]);
        assert_eq!(
            split("Details at http://a.example/page.php?id=3 Then call us."),
            ["Details at http://a.example/page.php?id=3", "Then call us."]
        );
        // Inside a sentence an address goes on: lower case, a comma, an abbreviation-like
        // capital word, two e-mail addresses in a signature.
        for t in [
            "Write to anna@example.org or call the desk.",
            "See www.example.com, Mark said.",
            "Mail anna@example.org ASAP please.",
            "Reach us at desk@example.org help@example.org today.",
            "-- Ann Lee <ann@example.org>  Tue, 03 Dec 2002 17:41:46 -0500",
        ] {
            assert_eq!(split(t), [t], "{t}");
        }
    }

    #[test]
    fn counted_items_inside_a_paragraph() {
        assert_eq!(
            split("I have three questions 1) which ferry is the fastest 2) where do I buy tickets 3) is there parking"),
            [
                "I have three questions",
                "1) which ferry is the fastest",
                "2) where do I buy tickets",
                "3) is there parking"
            ]
        );
        // Item 2 after a sentence that ended in between still continues the count.
        assert_eq!(
            split("Two things. 1) bring a torch. Also note the weather 2) call me first"),
            ["Two things.", "1) bring a torch.", "Also note the weather", "2) call me first"]
        );
        // A lone bracketed number is a reference, not a list.
        let t = "The rule in note 1) applies here as well.";
        assert_eq!(split(t), [t]);
    }

    #[test]
    fn postscripts_and_emoticons() {
        assert_eq!(
            split("See you on Friday. P.S. I found your keys. PS. Bring the cake."),
            ["See you on Friday.", "P.S. I found your keys.", "PS. Bring the cake."]
        );
        assert_eq!(
            split("That was great! :P you should come next time."),
            ["That was great! :P", "you should come next time."]
        );
    }

    fn paras(text: &str) -> Vec<&str> {
        paragraphs(text).into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn a_wrapped_paragraph_in_mixed_text_still_joins_where_it_runs_on() {
        // Most line breaks here end a sentence or an entry, so the text as a whole is not
        // hard-wrapped; the one filled line that runs on into a lower-case word is joined.
        let t = concat!(
            "Release notes for the tide-table tool, version four, now in testing.\n",
            "The harbour office asked for a larger font in the printed tables.\n",
            "Printing now uses the paper size set in the system preferences, and\n",
            "falls back to A4 when none is set.\n",
            "Support for the old binary table format has been removed today.\n",
            "The export to spreadsheet files keeps the local time of each tide.\n",
        );
        let got = paras(t);
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(
            got[2],
            "Printing now uses the paper size set in the system preferences, and\nfalls back to A4 when none is set."
        );
    }

    #[test]
    fn quoted_wrapped_lines_join_under_the_same_marks() {
        // A reply quoting a wrapped paragraph under `>` and an older one under `> >`; the
        // reply's own wrapped text follows. A short block of lines, next to a wide signature.
        let t = "Anna wrote:\n\
                 > > The ferry times for the summer change on the first of\n\
                 > > June, so check the new table before you book.\n\
                 > I booked for the second and the office said that the old\n\
                 > table still holds for that day.\n\
                 \n\
                 Then we are fine, and I will bring the bikes as we said in\n\
                 our last call.\n\
                 \n\
                 | Ola Nordmann  | harbour office, pier 4, open Monday to Friday |\n\
                 | +47 000 00 000 | all replies within two working days, usually |\n";
        let got = paras(t);
        assert_eq!(got[0], "Anna wrote:");
        assert_eq!(
            got[1],
            "> > The ferry times for the summer change on the first of\n> > June, so check the new table before you book."
        );
        assert_eq!(
            got[2],
            "> I booked for the second and the office said that the old\n> table still holds for that day."
        );
        assert_eq!(got[3], "Then we are fine, and I will bring the bikes as we said in\nour last call.");
        // Table rows are not quotes and stay apart.
        assert_eq!(got.len(), 6, "{got:?}");
        assert_eq!(quote_marks("> > text"), Some("> >"));
        assert_eq!(quote_marks(": quoted"), Some(":"));
        assert_eq!(quote_marks(":) a smile"), None);
        assert_eq!(quote_marks("| a | b |"), None);
    }

    #[test]
    fn hard_wrapped_lines_join_into_paragraphs() {
        // An e-mail wrapped at about 60 columns, paragraphs separated by a blank line.
        let t = "The build server will be down on Friday while we move it to\n\
                 the new rack. Please push your branches before noon so that\n\
                 nothing is lost, and tell me soon if the timing is a\n\
                 problem for your team.\n\
                 \n\
                 Thanks for your patience.\n";
        assert_eq!(
            paras(t),
            [
                "The build server will be down on Friday while we move it to\nthe new rack. Please push your branches before noon so that\nnothing is lost, and tell me soon if the timing is a\nproblem for your team.",
                "Thanks for your patience."
            ]
        );
        // The sentence scanner sees the line breaks as spaces; offsets stay those of the text.
        let sp = SentenceSplitter::default();
        let got = sp.split(t);
        let want_first = t.find("The build").unwrap_or(0);
        let want_end = t.find("rack.").map_or(0, |p| p + "rack.".len());
        assert_eq!(got[0], (want_first, want_end));
        assert_eq!(
            &t[got[1].0..got[1].1],
            "Please push your branches before noon so that\nnothing is lost, and tell me soon if the timing is a\nproblem for your team."
        );
        assert_eq!(got.len(), 3);
    }

    /// Greedy wrapping of `words` at `width` columns, as a text editor or `fmt` does.
    fn wrap(words: &[String], width: usize, indent: &str) -> String {
        let mut out = String::new();
        let mut line = String::from(indent);
        for w in words {
            if line.len() > indent.len() && line.len() + 1 + w.len() > width {
                out.push_str(&line);
                out.push('\n');
                line = String::from(indent);
            }
            if line.len() > indent.len() {
                line.push(' ');
            }
            line.push_str(w);
        }
        out.push_str(&line);
        out.push('\n');
        out
    }

    #[test]
    fn generated_wrapped_paragraphs_are_one_sentence() {
        // Deterministic pseudo-random words (a linear congruential generator), no final mark
        // inside: every wrapped paragraph must come back as one paragraph and one sentence.
        let mut seed: u64 = 7;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for width in [45, 60, 65, 72, 80, 100, 120] {
            for indent in ["", "    "] {
                for round in 0..10 {
                    let n = 40 + next() % 120;
                    let mut words: Vec<String> = (0..n)
                        .map(|_| {
                            let len = 1 + next() % 9;
                            (0..len).map(|_| char::from(b'a' + (next() % 26) as u8)).collect()
                        })
                        .collect();
                    words[0] = "The".into();
                    if round % 2 == 1 {
                        words.push("end.".into());
                    }
                    let t = wrap(&words, width, indent);
                    let p = paragraphs(&t);
                    assert_eq!(p.len(), 1, "width {width}: {t}");
                    let s = SentenceSplitter::default().split(&t);
                    assert_eq!(s, [(indent.len(), t.len() - 1)], "width {width}: {t}");
                }
            }
        }
    }

    #[test]
    fn wrapped_paragraphs_end_at_indented_short_and_item_lines() {
        // Newswire style: paragraphs marked by a three-space first-line indent, no blank lines.
        let t = "   The port authority said on Monday that the new terminal would\n\
                 open in March, two months later than planned, because of delays\n\
                 in the delivery of cranes.\n\
                 \x20  Shipping lines had been told of the change, a spokesman\n\
                 said, and none had cancelled a booking so far.\n";
        assert_eq!(paras(t).len(), 2);
        assert!(paras(t)[1].starts_with("Shipping lines"));
        // A short heading line and list items are not joined to what follows.
        let t = "Installation\n\
                 Download the archive for your platform and unpack it into a folder\n\
                 of your choice; the program needs no installer and writes nothing\n\
                 outside that folder. Then run the setup script, which asks for the\n\
                 following settings:\n\
                 - the data folder, where the index is kept between runs and which\n\
                 - the port number.\n";
        let p = paras(t);
        assert_eq!(p[0], "Installation");
        assert!(p[1].ends_with("following settings:"), "{p:?}");
        assert!(p[2].starts_with("- the data folder") && p[2].ends_with("which"), "{p:?}");
        assert_eq!(p[3], "- the port number.");
    }

    #[test]
    fn one_paragraph_per_line_is_not_joined() {
        // Ragged lines that each end a sentence: every line stays a paragraph.
        let t = "The council met on Tuesday.\nIt voted to close the old library by the end of the year.\nResidents were not happy with that.\nA petition has been started.\n";
        assert_eq!(paras(t).len(), 4);
        // Long lines (a dump with one paragraph per line) are never hard wrapped, even when a
        // line ends without a mark and the next starts in lower case.
        let long = "word ".repeat(40);
        let t = format!("{long}and more\nthen {long}\nthe end {long}\n");
        assert_eq!(paras(&t).len(), 3);
        // A lone run-on break between two short lines is not enough evidence.
        assert_eq!(paras("Let me know\nyou are coming to the party on Saturday night.").len(), 2);
    }

    #[test]
    fn wrapped_text_keeps_abbreviations_across_lines() {
        let t = "On Monday we met the staff of the clinic and Dr.\n\
                 Smith, and after a long talk we all agreed on a plan that\n\
                 starts in May. It covers the new wards, the kitchen and\n\
                 the car park.\n";
        assert_eq!(
            split(t),
            [
                "On Monday we met the staff of the clinic and Dr.\nSmith, and after a long talk we all agreed on a plan that\nstarts in May.",
                "It covers the new wards, the kitchen and\nthe car park."
            ]
        );
        let boundary: Vec<&str> = lines(t).map(|(s, e)| &t[s..e]).collect();
        assert_eq!(boundary.len(), 4);
    }

    #[test]
    fn stage_joins_wrapped_lines_unless_told_otherwise() {
        use crate::{LineBreaks, Splitter, SplitterOptions, Unit};
        let t = "Our office in the old mill will close for two weeks in August\n\
                 while the roof is repaired, so please send any parcels to the\n\
                 warehouse address instead. We will reopen on the first Monday\n\
                 of September.\n";
        let doc = docpipe_core::Document::from_source("d", t.to_owned(), "d.txt", 0);
        let auto = Splitter::new(SplitterOptions { unit: Unit::Sentences, ..SplitterOptions::default() });
        let boundary = Splitter::new(SplitterOptions {
            unit: Unit::Sentences,
            line_breaks: LineBreaks::Boundary,
            ..SplitterOptions::default()
        });
        let (Ok(auto), Ok(boundary)) = (auto, boundary) else { panic!("options") };
        let second = t.find("We will").unwrap_or(0);
        assert_eq!(auto.split_sentences(&doc, true).0, [(0, second - 1), (second, t.len() - 1)]);
        assert_eq!(boundary.split_sentences(&doc, true).0.len(), 5);
    }

    #[test]
    fn wrapped_lines_are_cut_where_the_line_role_changes() {
        use crate::{Splitter, SplitterOptions, Unit};
        use docpipe_core::Span;
        let t = "The port authority said on Monday that the new terminal would\n\
                 open in March, two months later than planned, because of delays\n\
                 in the delivery of cranes from the maker in the north of the\n\
                 country, which has had trouble with its suppliers this year.\n";
        let mut doc = docpipe_core::Document::from_source("d", t.to_owned(), "d.txt", 0);
        let lines: Vec<(usize, usize)> = lines(t).collect();
        let roles = ["body", "body", "pull_quote", "pull_quote"];
        let spans = lines.iter().zip(roles).map(|(&(s, e), r)| Span::new(s, e).with_label(r)).collect();
        doc.set_layer("blocks", spans);
        let sp = Splitter::new(SplitterOptions { unit: Unit::Sentences, ..SplitterOptions::default() });
        let Ok(sp) = sp else { panic!("options") };
        let got: Vec<&str> = sp.split_sentences(&doc, true).0.into_iter().map(|(a, b)| &t[a..b]).collect();
        assert_eq!(
            got,
            [
                "The port authority said on Monday that the new terminal would\nopen in March, two months later than planned, because of delays",
                "in the delivery of cranes from the maker in the north of the\ncountry, which has had trouble with its suppliers this year."
            ]
        );
        // Without blocks the four lines are one paragraph and one sentence.
        doc.annotations.remove("blocks");
        assert_eq!(sp.split_sentences(&doc, true).0, [(0, t.len() - 1)]);
    }

    #[test]
    fn configured_abbreviations() {
        let t = "Ask Capt. Smith. Ask Sgtmaj. Jones.";
        assert_eq!(split(t).len(), 3);
        let s = SentenceSplitter::new(&["Sgtmaj.".to_string()]);
        assert_eq!(s.split(t).len(), 2);
    }
}
