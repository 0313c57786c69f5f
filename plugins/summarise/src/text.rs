//! Text analysis for the summariser: candidate sentences, words, stop words and stemming.
//!
//! The stage prefers what earlier stages wrote: `annotations.sentences` (the splitter's
//! sentence spans) and `annotations.blocks` (line roles: only `body` lines are summarised).
//! Without them it falls back on its own rules, kept deliberately simple and general:
//!
//! - a line (paragraph) is a sentence boundary, except where the next line continues a
//!   sentence cut at a hard line break ([`continues_sentence`]: it opens in lower case after
//!   a line without final punctuation); inside a line, sentences follow the
//!   fallback rule shared with `dedupe` ([`docpipe_text::sentences::split_sentences`]: a stop,
//!   then a space and a capital, digit, opening quote or bullet; abbreviations and initials
//!   do not end sentences);
//! - a wire dateline at the start of a line (`NAIROBI (Wire) -`, `KRAKÓW, March 5 –`) is
//!   not part of the first sentence ([`docpipe_text::dateline::dateline_len`]);
//! - lines that are not body prose are skipped: lines without final punctuation
//!   (headlines, subheadings, captions without a full stop, attribution lines), bylines and
//!   credit lines (`By …`, `Reporting by …`, short author bios), related links (`Related:`,
//!   `Read more:`), and short quoted lines whose words all occur in another line (pull
//!   quotes): [`docpipe_text::lines`].
//!
//! - a candidate that continues a sentence cut at a hard line break (by the sentence layer or
//!   the line rule) is joined onto the candidate before it when adjacent, else started where
//!   its sentence starts (over up to [`MAX_JOINED_LINES`] wrapped lines, not onto a piece of
//!   fewer than [`MIN_JOINED_WORDS`] words, which looks like a heading), else left out: no
//!   summary sentence starts in the middle of a source sentence.
//!
//! Words ([`docpipe_text::words`]) are maximal runs of alphanumeric characters (apostrophes
//! inside a word kept), lower-cased, English stop words removed
//! ([`docpipe_text::function_words::is_stop_word`]) and reduced by a light suffix-stripping
//! stemmer ([`stem`]).

use docpipe_core::Span;
use docpipe_text::dateline::dateline_len;
use docpipe_text::lines::{is_non_body_line, lines, pull_quotes};
pub use docpipe_text::sentences::split_sentences;
use docpipe_text::words::count_words;

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

/// The largest char boundary `<= i` of `s`.
pub fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
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
    // Every sentence piece of the text, candidate or not, sorted (only with a sentence
    // layer; without one the pieces of the line before are split when needed).
    let mut all_pieces: Vec<(usize, usize)> = Vec::new();
    match sentences {
        Some(sents) => {
            // Assign each given sentence to the paragraph containing its start.
            let mut p = 0;
            let mut sorted: Vec<(usize, usize)> =
                sents.iter().filter(|s| s.start <= s.end && s.end <= text.len()).map(|s| (s.start, s.end)).collect();
            sorted.sort_unstable();
            all_pieces.clone_from(&sorted);
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
        if continues_sentence(text, a) {
            // The rest of a sentence cut at a hard line break: join it back onto the piece
            // it continues when that piece is the previous candidate, else leave it out (its
            // beginning is not a candidate, so no summary may start in its middle).
            if let Some(prev) = out.last_mut()
                && prev.end <= a
                && only_wrap_gap(&text[prev.end..a])
            {
                prev.end = prev.end.max(b);
                continue;
            }
            // Else start it where its sentence starts: walk back over the pieces it
            // continues (lines left out as non-body because they end without punctuation),
            // unless that reaches a short heading-like piece or a candidate already taken.
            let floor = out.last().map_or(0, |s| s.end);
            let mut start = a;
            for _ in 0..MAX_JOINED_LINES {
                if !continues_sentence(text, start) {
                    break;
                }
                match piece_before(text, &all_pieces, start) {
                    Some((ps, _)) if ps >= floor && count_words(&text[ps..start]) >= MIN_JOINED_WORDS => start = ps,
                    _ => break,
                }
            }
            if continues_sentence(text, start) {
                tracing::trace!(start = a, "left out a sentence that continues an unpunctuated line");
                continue;
            }
            a = start;
        }
        let first = out.last().is_none_or(|s| s.paragraph != p);
        out.push(Sentence { start: a, end: b, paragraph: p, first_in_paragraph: first });
    }
    out
}

/// Characters that may end a sentence (or a complete line such as a heading with a colon, or
/// a closing quote or bracket after a stop), so that a lower-case word after them is not
/// taken for the rest of a cut sentence.
const FINAL: &[char] = &[
    '.', '!', '?', ':', ';', '\u{2026}', '"', '\'', ')', ']', '}', '\u{201d}', '\u{2019}', '-', '\u{2013}', '\u{2014}',
    '*',
];

/// Quote and margin marks that may open a wrapped line of e-mail or a rendered table (`> `,
/// `| `, `} `), skipped when looking for the line a sentence continues.
const LINE_MARKS: &[char] = &['>', '|', '}'];

/// At most this many earlier pieces are joined onto a sentence cut at hard line breaks.
pub const MAX_JOINED_LINES: usize = 8;

/// A piece shorter than this (in words) before a lower-case line is taken for a heading (`NAME`,
/// `Options`), not for the first part of a cut sentence: nothing is joined onto it.
pub const MIN_JOINED_WORDS: usize = 3;

/// The sentence piece that ends right before `a` with only a line wrap between: the last of
/// `pieces` (the sentence layer) when given, else the last fallback sentence of the line before.
fn piece_before(text: &str, pieces: &[(usize, usize)], a: usize) -> Option<(usize, usize)> {
    let piece = if pieces.is_empty() {
        let line_start = text[..a].rfind('\n')?;
        let prev_start = text[..line_start].rfind('\n').map_or(0, |i| i + 1);
        let mut buf = Vec::new();
        split_sentences(text, prev_start, line_start, &mut buf);
        buf.last().copied()?
    } else {
        let i = pieces.partition_point(|&(_, e)| e <= a);
        *pieces[..i].last()?
    };
    (piece.0 < piece.1 && piece.1 <= a && only_wrap_gap(&text[piece.1..a])).then_some(piece)
}

/// Whether a line holds nothing but white space and quote marks.
fn is_mark_only(line: &str) -> bool {
    line.chars().all(|c| c.is_whitespace() || LINE_MARKS.contains(&c))
}

/// Whether a sentence starting at byte `a` of `text` is the rest of a sentence, not one of its
/// own: it opens with a lower-case letter (after any line-start quote marks) and the text
/// before it in the same paragraph (no blank or mark-only line between) ends with a letter,
/// digit, comma or other mark that does not close a sentence, or with a word broken by a
/// hyphen at the line end. This is the shape of a hard-wrapped line that the sentence layer
/// cut at its line break (a hanging indent, a narrow column, a quote prefix that changes
/// between lines).
pub fn continues_sentence(text: &str, a: usize) -> bool {
    // Quote prefixes may carry a colon after their mark (`}: `, `>: `).
    let rest = text[a..].trim_start_matches(|c: char| c == ' ' || c == '\t' || c == ':' || LINE_MARKS.contains(&c));
    if !rest.chars().next().is_some_and(char::is_lowercase) {
        return false;
    }
    let line_start = text[..a].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..a];
    let prev_text = if is_mark_only(prefix) {
        // At a line start: the sentence continues the previous line, if there is one and it
        // is not blank (a paragraph break, also inside a quote).
        if line_start == 0 {
            return false;
        }
        let prev_line = &text[text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1)..line_start - 1];
        if is_mark_only(prev_line) {
            return false;
        }
        let prev_line = prev_line.trim_end();
        if let Some(head) = prev_line.strip_suffix('-')
            && head.chars().next_back().is_some_and(char::is_alphabetic)
        {
            // A word broken across the line break (`config-` / `uration`).
            return true;
        }
        prev_line
    } else {
        prefix.trim_end()
    };
    prev_text.chars().next_back().is_some_and(|c| !FINAL.contains(&c))
}

/// Whether the text between two candidates is only the wrap of one line into the next: white
/// space and line-start quote marks, with at most one line break.
fn only_wrap_gap(gap: &str) -> bool {
    gap.matches('\n').count() <= 1 && gap.chars().all(|c| c.is_whitespace() || LINE_MARKS.contains(&c))
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

    #[test]
    fn finds_sentences_cut_at_a_hard_line_break() {
        let at = |text: &str, word: &str| continues_sentence(text, text.find(word).unwrap_or(0));
        // A lower-case line after a line without final punctuation continues it, whatever
        // the indentation or quote marks of either line.
        assert!(at("The cache keeps every entry\nuntil the limit is hit.", "until"));
        assert!(at("  -v    prints each file as it\n        is copied.", "is copied"));
        assert!(at("> the parser reads a token,\n>> then looks one ahead.", "then"));
        assert!(at("the parser reads a token and\n> then looks one ahead.", "then"));
        assert!(at("the parser reads a token and\n> then looks one ahead.", "> then"));
        assert!(at("the parser reads a token and\n}: then looks one ahead.", "}:"));
        assert!(at("> the parser reads a token and\nthen looks one ahead.", "then"));
        assert!(at("The files are moved to a tempo-\nrary folder first.", "rary"));
        // Mid-line, after a comma.
        assert!(at("Lists are copied, arrays are shared.", "arrays"));
        // Not: after final punctuation, a blank or mark-only line, a capital, a dash
        // between words, or at the start of the text.
        assert!(!at("The cache is full.\nnew entries wait.", "new"));
        assert!(!at("SYNOPSIS:\n  copy [options] file", "copy"));
        assert!(!at("The cache keeps entries\n\nuntil the limit.", "until"));
        assert!(!at("> The cache keeps entries\n>\n> until the limit.", "until"));
        assert!(!at("The cache keeps entries\nUntil the limit.", "Until"));
        assert!(!at("Options --\nverbose output only.", "verbose"));
        assert!(!at("until the limit is hit.", "until"));
    }

    #[test]
    fn joins_or_drops_continuations() {
        // The sentence layer cut a wrapped sentence at its line break: the rest is joined
        // back onto the piece before it.
        let text = "The tool reads the input file\nand writes a report. It stops on errors.";
        let sents = vec![Span::new(0, 29), Span::new(30, 50), Span::new(51, 70)];
        let blocks = vec![Span::new(0, 70).with_label("body")];
        let c = candidates(text, Some(&sents), Some(&blocks));
        let got: Vec<&str> = c.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["The tool reads the input file\nand writes a report.", "It stops on errors."]);
        // Without blocks every line is a paragraph and a line without final punctuation is
        // not body, so the piece before is no candidate: the rest is taken from where its
        // sentence starts, over several wrapped lines, with the layer or without.
        let text = "The reader takes each\n  input file in\n  turn. Writing is fast.";
        let sents = vec![Span::new(0, 21), Span::new(24, 37), Span::new(40, 45), Span::new(46, 62)];
        for layer in [Some(sents.as_slice()), None] {
            let c = candidates(text, layer, None);
            let got: Vec<&str> = c.iter().map(|s| &text[s.start..s.end]).collect();
            assert_eq!(got, vec!["The reader takes each\n  input file in\n  turn.", "Writing is fast."], "{layer:?}");
        }
        // A short heading-like line is not joined on: the lower-case line under it is left
        // out, not taken as the heading's sentence.
        let text = "Reading input\nfiles is slow. Writing is fast.";
        let sents = vec![Span::new(0, 13), Span::new(14, 28), Span::new(29, 45)];
        let c = candidates(text, Some(&sents), None);
        let got: Vec<&str> = c.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["Writing is fast."]);
    }

    #[test]
    fn stems() {
        for (a, b) in [("trade", "trading"), ("trades", "traded"), ("rally", "rallied"), ("rates", "rate")] {
            assert_eq!(stem(a), stem(b), "{a} {b}");
        }
        assert_eq!(stem("running"), "run");
        assert_eq!(stem("kenya's"), "kenya");
        assert_eq!(stem("bus"), "bus");
        assert_eq!(stem("crisis"), "crisis");
    }
}
