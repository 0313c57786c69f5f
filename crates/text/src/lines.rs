//! Lines that are not body prose, told by their shape alone: bylines, credits, related
//! links, author bios and pull quotes.
//!
//! These are the fallback rules of a stage that runs without the splitter's
//! `annotations.blocks` (the summariser). The splitter assigns block roles with richer,
//! context-dependent rules (regular expressions for credits, bios and captions, the
//! position of a line in its article, a pull quote found as a verbatim passage of a nearby
//! longer paragraph) that need the whole article; what both share is the `By Name` opening
//! ([`opens_with_by_name`]).
//!
//! The two sets differ on purpose: here a line without final punctuation is never body,
//! `by ` is matched in any case, and a pull quote is a quoted line whose words all occur in
//! another line; the splitter needs a capital after `By `, and takes a short paragraph that
//! repeats a passage of a nearby one as a pull quote whether or not it is quoted.

use crate::sentences::{is_closing, is_opening, is_terminal};
use crate::words::{count_words, hashed_words};

/// Whether `line` opens with `By ` and a capital (`By Jane Roe`): the byline opening the
/// splitter looks for (case-sensitive, so `by the way` and `BY-LAWS` are not bylines).
pub fn opens_with_by_name(line: &str) -> bool {
    line.starts_with("By ") && line[3..].starts_with(|c: char| c.is_uppercase())
}

/// Whether a line does not look like body prose, judged without the splitter's block roles:
/// no final punctuation (headlines, subheadings, captions, attributions), a byline or credit
/// (`By …` under 30 words, `Reporting by …`, `Editing by …`, `Copyright`), a related link
/// (`Related:`, `Read more`, `See also`), a media label (`Photo:`, `Watch:`), a dash
/// attribution, or a short author bio (`Jane Roe is the Wire's trade correspondent.`).
pub fn is_non_body_line(line: &str) -> bool {
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
pub fn lines(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = 0;
    text.split('\n').map(move |l| {
        let start = pos;
        pos += l.len() + 1;
        let l = l.strip_suffix('\r').unwrap_or(l);
        (start, start + l.len())
    })
}

/// Marks pull quotes as not kept: a line opening with a quote, of at most 40 words, whose
/// three or more distinct words (by [`crate::hash::word_hash`]) all occur in another kept,
/// longer line. `line_ranges` are byte ranges of `text`; `keep[i]` belongs to
/// `line_ranges[i]`. Compares each quoted line with at most `MAX_LINES_COMPARED` lines, so the cost stays
/// linear in the document's length.
pub fn pull_quotes(text: &str, line_ranges: &[(usize, usize)], keep: &mut [bool]) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn body_lines(text: &str) -> Vec<&str> {
        let all: Vec<(usize, usize)> = lines(text).collect();
        let mut keep: Vec<bool> = all.iter().map(|&(a, b)| !is_non_body_line(&text[a..b])).collect();
        pull_quotes(text, &all, &mut keep);
        all.into_iter().zip(keep).filter(|&(_, k)| k).map(|((a, b), _)| &text[a..b]).collect()
    }

    #[test]
    fn skips_non_body_lines_and_pull_quotes() {
        let text = "Talks collapse in port city\nBy Jane Roe\nMOMBASA (Wire) - Talks collapsed on Monday. Delegates left.\n\"Talks collapsed on Monday.\"\nRelated: Other story here.\nJane Roe is the Wire's trade correspondent.\nA final body line.";
        assert_eq!(
            body_lines(text),
            vec!["MOMBASA (Wire) - Talks collapsed on Monday. Delegates left.", "A final body line."]
        );
    }

    #[test]
    fn by_name() {
        assert!(opens_with_by_name("By Jane Roe"));
        assert!(!opens_with_by_name("by Jane Roe") && !opens_with_by_name("By the way") && !opens_with_by_name("By"));
    }
}
