//! The fallback sentence rule, for stages that must work without an upstream splitter.
//!
//! The `splitter` plugin has the full sentence segmenter (and its evaluation); plugins may
//! not depend on each other, so `dedupe` and `summarise` use this smaller rule when a
//! document has no `sentences` layer. Inside one line (paragraph), a sentence ends at `.`,
//! `!`, `?` or `…` (plus closing quotes and brackets) followed by a space and an upper-case
//! letter, digit, opening quote or list bullet, or glued straight onto a capital after a
//! closing quote (`market.”But`). The abbreviations of [`SENTENCE_FALLBACK`] (`Mr.`, `Dr.`,
//! `Jan.`, `No.`, `et al.`, …) and initials (`J. R. Okafor`) do not end sentences, also when
//! tokenised text puts the stop apart from its word (`et al . ( 2008 )`).
//!
//! Moved here unchanged from `docpipe_core::text`: core's runner never used it.

use crate::abbreviations::SENTENCE_FALLBACK;

/// A closing quote or bracket.
pub fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»' | '›')
}

/// An opening quote or bracket.
pub fn is_opening(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '‘' | '(' | '[' | '«' | '‹')
}

/// A sentence-final mark.
pub fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

/// Whether the word ending just before a full stop at `dot` is an abbreviation or an
/// initial, so that the stop does not end a sentence.
fn is_abbreviation(line: &str, dot: usize) -> bool {
    // In tokenised text the stop stands apart from its word (`et al . ( 2019 )`): look
    // past the spaces (not past a line end), but then only the list counts, not initials.
    let spaced = line[..dot].trim_end_matches([' ', '\t']);
    if spaced.len() < dot {
        let word_start = spaced
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_whitespace() || is_opening(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &spaced[word_start..];
        return word.chars().count() > 1 && in_abbreviations(word);
    }
    let before = &line[..dot];
    let word_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || is_opening(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    let mut chars = word.chars();
    // A single letter is an initial (`J. R. Okafor`, `U.S.` seen letter by letter).
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return c.is_alphabetic();
    }
    in_abbreviations(word)
}

/// Whether `word` (any case) is in [`SENTENCE_FALLBACK`].
fn in_abbreviations(word: &str) -> bool {
    // Every abbreviation is ASCII and at most 6 bytes long.
    if word.len() > 6 || !word.is_ascii() {
        return false;
    }
    let mut buf = [0u8; 6];
    buf[..word.len()].copy_from_slice(word.as_bytes());
    buf.make_ascii_lowercase();
    SENTENCE_FALLBACK.iter().any(|a| a.as_bytes() == &buf[..word.len()])
}

/// Splits `text[start..end]` (one line or block) into sentence spans with the fallback
/// rule. Leading and trailing whitespace is excluded; empty pieces are skipped.
pub fn split_sentences(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let Some(line) = text.get(start..end) else { return };
    let bytes = line.as_bytes();
    let mut sent_start = 0;
    let mut i = 0;
    // Scan bytes for the terminal marks (`.`, `!`, `?` are ASCII; `…` starts with 0xE2, a
    // leading byte), so every hit is on a char boundary.
    while i < bytes.len() {
        let len = match bytes[i] {
            b'.' | b'!' | b'?' => 1,
            0xE2 if line[i..].starts_with('…') => '…'.len_utf8(),
            _ => {
                i += 1;
                continue;
            }
        };
        // Swallow a run of terminal marks, then closing quotes and brackets.
        let mut stop = i + len;
        let mut saw_closing = false;
        for d in line[stop..].chars() {
            if is_terminal(d) {
                stop += d.len_utf8();
            } else if is_closing(d) {
                stop += d.len_utf8();
                saw_closing = true;
            } else {
                break;
            }
        }
        let dot = i;
        i = stop;
        if bytes[dot] == b'.' && stop == dot + 1 && is_abbreviation(line, dot) {
            continue;
        }
        let rest = &line[stop..];
        let trimmed = rest.trim_start();
        let had_space = trimmed.len() < rest.len();
        let Some(next) = trimmed.chars().next() else { continue };
        // A list bullet after a stop starts the next item.
        let starts_sentence =
            next.is_uppercase() || next.is_ascii_digit() || is_opening(next) || matches!(next, '•' | '▪' | '◦' | '‣');
        let boundary = if had_space { starts_sentence } else { saw_closing && next.is_uppercase() };
        if boundary {
            push_trimmed(line, start, sent_start, stop, out);
            sent_start = stop;
        }
    }
    push_trimmed(line, start, sent_start, line.len(), out);
}

fn push_trimmed(line: &str, base: usize, a: usize, b: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &line[a..b];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push((base + a + lead, base + b - trail));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<&str> {
        let mut out = Vec::new();
        split_sentences(s, 0, s.len(), &mut out);
        out.into_iter().map(|(a, b)| &s[a..b]).collect()
    }

    #[test]
    fn splits_sentences_with_abbreviations_and_quotes() {
        assert_eq!(
            split("Mr. J. R. Okafor arrived at 3.5 p.m. on Monday. \"We won!\" she said. It rained."),
            vec!["Mr. J. R. Okafor arrived at 3.5 p.m. on Monday.", "\"We won!\" she said.", "It rained."]
        );
        assert_eq!(split("It was a market.”But a door opened."), vec!["It was a market.”", "But a door opened."]);
        assert_eq!(split("The U.S. economy grew. Prices fell"), vec!["The U.S. economy grew.", "Prices fell"]);
        assert_eq!(split("Wait... then what? Nothing."), vec!["Wait... then what?", "Nothing."]);
        assert_eq!(split("   "), Vec::<&str>::new());
        assert_eq!(split("No. 12 was closed. Fine."), vec!["No. 12 was closed.", "Fine."]);
        // Tokenised text: a stop apart from its abbreviation, an initial-like word that ends
        // a sentence, and list bullets.
        assert_eq!(
            split("as Lu et al . ( 2008 ) showed . We try a . B follows ."),
            vec!["as Lu et al . ( 2008 ) showed .", "We try a .", "B follows ."]
        );
        // A multi-byte opening quote or space before a spaced stop (was a slicing panic).
        assert_eq!(split("x «al . Y\u{3000}et al . Z"), vec!["x «al . Y\u{3000}et al . Z"]);
        assert_eq!(
            split("It works as follows . • Parse it . • Rank it ."),
            vec!["It works as follows .", "• Parse it .", "• Rank it ."]
        );
    }

    proptest::proptest! {
        #[test]
        fn spans_are_ordered_trimmed_and_on_boundaries(text in "\\PC{0,200}|[a-zA-Z .!?”“•]{0,200}") {
            let mut out = Vec::new();
            split_sentences(&text, 0, text.len(), &mut out);
            let mut prev = 0;
            for &(a, b) in &out {
                proptest::prop_assert!(prev <= a && a < b && b <= text.len());
                proptest::prop_assert!(text.is_char_boundary(a) && text.is_char_boundary(b));
                proptest::prop_assert_eq!(text[a..b].trim(), &text[a..b]);
                prev = b;
            }
        }
    }
}
