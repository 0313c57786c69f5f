//! RAG chunks: sentences packed greedily up to a size limit, with an optional overlap.
//!
//! The units are the sentences of the text; a sentence longer than the limit is replaced by
//! its words, and a word longer than the limit (in characters) by runs of whole grapheme
//! clusters. Units are packed greedily: a chunk grows while the span from its first unit's
//! start to its last unit's end stays within `max`. The next chunk starts at the earliest
//! unit of the previous chunk's tail that fits in `overlap` (measured on the same span) while
//! still leaving room for the next new unit, so every chunk makes progress, every chunk is
//! within the limit (a single grapheme cluster larger than `max` characters is the only
//! exception) and the chunks, overlaps included, cover the text in order.

use unicode_segmentation::UnicodeSegmentation;

/// How chunk size is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Unicode scalar values (`chars`), whitespace inside the chunk included.
    Chars,
    /// Whitespace-separated words.
    Words,
}

/// Packs `units` (sorted, non-overlapping sentence spans of `text`) into chunks of at most
/// `max` (chars or words), consecutive chunks sharing at most `overlap`.
pub fn chunk(
    text: &str,
    sentences: &[(usize, usize)],
    measure: Measure,
    max: usize,
    overlap: usize,
) -> Vec<(usize, usize)> {
    let max = max.max(1);
    let units = units(text, sentences, measure, max);
    if units.is_empty() {
        return Vec::new();
    }
    // Cumulative measure at each unit's start and end.
    let mut at_start = Vec::with_capacity(units.len());
    let mut at_end = Vec::with_capacity(units.len());
    let (mut pos, mut acc) = (0usize, 0usize);
    for &(s, e) in &units {
        acc += measure_of(text, pos, s, measure);
        at_start.push(acc);
        acc += measure_of(text, s, e, measure);
        at_end.push(acc);
        pos = e;
    }
    let size = |i: usize, j: usize| at_end[j] - at_start[i];
    let mut out = Vec::new();
    let mut i = 0;
    let n = units.len();
    while i < n {
        let mut j = i;
        while j + 1 < n && size(i, j + 1) <= max {
            j += 1;
        }
        out.push((units[i].0, units[j].1));
        if j + 1 >= n {
            break;
        }
        let mut k = j + 1;
        if overlap > 0 {
            while k - 1 > i && size(k - 1, j) <= overlap && size(k - 1, j + 1) <= max {
                k -= 1;
            }
        }
        i = k;
    }
    out
}

fn measure_of(text: &str, s: usize, e: usize, measure: Measure) -> usize {
    match measure {
        Measure::Chars => text[s..e].chars().count(),
        Measure::Words => {
            // Words that *start* inside the range (units begin at word starts).
            let b = text.as_bytes();
            let mut n = 0;
            let mut prev_ws = s == 0 || crate::sentences::is_ws(b[s - 1]);
            for &c in &b[s..e] {
                let ws = crate::sentences::is_ws(c);
                if !ws && prev_ws {
                    n += 1;
                }
                prev_ws = ws;
            }
            n
        }
    }
}

/// Sentences, with over-long ones replaced by words and over-long words by grapheme runs.
fn units(text: &str, sentences: &[(usize, usize)], measure: Measure, max: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(sentences.len());
    for &(s, e) in sentences {
        if measure_of(text, s, e, measure) <= max {
            out.push((s, e));
            continue;
        }
        let b = text.as_bytes();
        let mut i = s;
        while i < e {
            i = crate::sentences::skip_ws(b, i, e);
            if i >= e {
                break;
            }
            let mut w = i;
            while w < e && !crate::sentences::is_ws(b[w]) {
                w += 1;
            }
            if measure == Measure::Words || text[i..w].chars().count() <= max {
                out.push((i, w));
            } else {
                graphemes(text, i, w, max, &mut out);
            }
            i = w;
        }
    }
    out
}

/// Runs of whole grapheme clusters of at most `max` chars (a larger cluster stands alone).
fn graphemes(text: &str, s: usize, e: usize, max: usize, out: &mut Vec<(usize, usize)>) {
    let (mut start, mut len) = (s, 0usize);
    for (off, g) in text[s..e].grapheme_indices(true) {
        let gl = g.chars().count();
        if len > 0 && len + gl > max {
            out.push((start, s + off));
            start = s + off;
            len = 0;
        }
        len += gl;
    }
    if start < e {
        out.push((start, e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentences::SentenceSplitter;

    fn chunks(text: &str, measure: Measure, max: usize, overlap: usize) -> Vec<&str> {
        let sents = SentenceSplitter::default().split(text);
        chunk(text, &sents, measure, max, overlap).into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn packs_sentences() {
        let t = "One two. Three four. Five six seven. Eight.";
        assert_eq!(chunks(t, Measure::Words, 4, 0), ["One two. Three four.", "Five six seven. Eight."]);
        assert_eq!(chunks(t, Measure::Chars, 20, 0), ["One two. Three four.", "Five six seven.", "Eight."]);
    }

    #[test]
    fn overlap_repeats_the_tail() {
        let t = "A b. C d. E f. G h.";
        assert_eq!(chunks(t, Measure::Words, 4, 2), ["A b. C d.", "C d. E f.", "E f. G h."]);
    }

    #[test]
    fn long_sentences_split_at_words_then_graphemes() {
        let t = "alpha beta gamma delta epsilon.";
        assert_eq!(chunks(t, Measure::Chars, 11, 0), ["alpha beta", "gamma delta", "epsilon."]);
        let t = "e\u{301}e\u{301}e\u{301}";
        assert_eq!(chunks(t, Measure::Chars, 3, 0), ["e\u{301}", "e\u{301}", "e\u{301}"]);
    }
}
