//! The shape of a dump, and its paragraphs as exact byte ranges of the source text.
//!
//! Plain-text dumps come in three shapes:
//!
//! - **lines** — one paragraph per line (scraped pages, most JSONL exports);
//! - **blocks** — paragraphs separated by blank lines, each paragraph one block of lines;
//! - **wrapped** — hard-wrapped at a fixed width (about 60 to 80 columns: newswire, e-mail,
//!   plain-text archives, e-books), a paragraph being a run of lines that starts after a
//!   blank line, on an indented line, or after a line that ends short of the width.
//!
//! Nothing is rewritten: a paragraph is a byte range `(start, end)` from the first
//! non-blank character of its first line to the last non-blank character of its last line,
//! so the line breaks (and indentation) of a wrapped paragraph stay inside it and every span
//! built on it points at the source bytes.
//!
//! [`detect`] decides the shape of a text for `auto`. A text is *wrapped* when it has at
//! least [`MIN_WRAPPED_LINES`] non-blank lines, lines joined without a blank line between
//! them, a width between 30 and 120 columns (the 90th percentile of the line lengths), at
//! least 40% of its lines ending within a few columns of that width, at most 5% longer than
//! 1.3 times it, and at least 30% ending in the middle of a sentence (no final punctuation):
//! paragraph-per-line text has lengths spread over hundreds of columns and lines that end
//! sentences. Otherwise it is *blocks* when no block holds more than one line and there are
//! blank lines between them, else *lines*: without evidence of wrapping, lines are never
//! joined.
//!
//! Widths are measured per *run* of lines (consecutive non-blank lines under the same e-mail
//! quote marks): a digest or mail dump joins texts wrapped at different widths, and a quoted
//! passage keeps the width of the text it came from. A run of three lines or more has its
//! own width (its 90th-percentile line length), a run of two its widest line (at most the
//! text's width), a single line the text's width; the shape test counts lines near their
//! run's width for runs of three lines or more.
//!
//! Paragraph breaks of a wrapped text: a change of quote marks (`>` lines are a paragraph
//! apart from the reply around them); a blank line; a line indented deeper than the line
//! before it, or than the text's least indented lines right after a paragraph's indented first line
//! (two one-line paragraphs); a line shallower than an indented run of two or more lines
//! (the end of an indented block); a line after a *short* line, one whose length plus a space
//! plus the next line's first word would still fit within its run's width (a greedy wrapper would
//! have moved the word up, so the line ended its paragraph; a line ending mid-sentence before
//! one going on with a small letter or a digit needs [`INDENT_SLACK`] columns more, since
//! wire and typewriter text is not wrapped greedily); a line in capitals without final
//! punctuation between a line that ends a sentence and a paragraph's first line (deeper, a
//! blank line, the end, or a line of mixed case opening with a capital), and the line after
//! such a line: wire stories run on with their headline flush left, where it reads like a
//! continuation line (`… the company said.` / `ACME <ACM> BUYS MILL` / `   LONDON …`).
//! A paragraph's first line is
//! allowed [`INDENT_SLACK`] columns of indentation that a cleaning stage may have trimmed,
//! unless it ends a sentence and the next line opens with a capital.
//!
//! A *flat* wrapped text (no indented line, no blank line: paragraph indents were trimmed by
//! a cleaning stage, or never there) gives every line that slack, and a line that ends a
//! sentence before a line opening with a capital also ends a paragraph: a full-width last
//! line cannot be told from a line ending a sentence inside a paragraph there (a line before
//! one opening with a capitalised function word such as `The` or `In` ends one as well: a
//! headline without final punctuation), and cutting a
//! paragraph at a sentence end costs less (roles and stories stay right) than running two
//! paragraphs, or two stories, together.

use serde::Deserialize;

/// The fewest non-blank lines for `auto` to call a text wrapped.
pub const MIN_WRAPPED_LINES: usize = 6;

/// Columns a first line may have lost to a trimmed indent before the short-line rule trusts it.
pub const INDENT_SLACK: usize = 6;

/// The shape option of the splitter (`auto` detects it per document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, serde::Serialize, docpipe_core::OptionType)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// Detect per document ([`detect`]).
    #[default]
    Auto,
    /// One paragraph per non-blank line.
    Lines,
    /// One paragraph per blank-line-separated block.
    Blocks,
    /// Hard-wrapped lines, unwrapped into paragraphs.
    Wrapped,
}

impl Shape {
    /// Its name (`attributes.splitter.shape`).
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Auto => "auto",
            Shape::Lines => "lines",
            Shape::Blocks => "blocks",
            Shape::Wrapped => "wrapped",
        }
    }
}

/// One raw line of the text.
#[derive(Debug, Clone, Copy)]
struct Line {
    /// First non-blank byte.
    start: usize,
    /// One past the last non-blank byte (0-length for a blank line).
    end: usize,
    /// Indentation in columns (a tab to the next multiple of 8).
    indent: usize,
    /// Display length in columns, indentation included (chars, not bytes).
    len: usize,
    /// Columns of the first word (after the quote marks of a quoted line).
    first_word: usize,
    /// The e-mail quote marks that open the line (`>`, `> >`, `|>`), as a key (0: none).
    marks: u64,
    /// The line ends a sentence (or a heading): final punctuation or closing marks.
    ends_stop: bool,
    /// The line opens with a capital, a digit or an opening quote.
    starts_upper: bool,
    /// The line opens with a capitalised function word (`The`, `A`, `In`, `It` …), which
    /// starts a sentence rather than continuing one.
    starts_opener: bool,
    /// The line is in capitals (two words or more, six capitals or more, at most one small
    /// letter in eight) and ends without final punctuation: a wire headline's shape.
    capitals: bool,
    /// The line is in mixed case: more than one small letter in eight.
    mixed: bool,
    /// The line opens with a small letter or a digit (a sentence going on), not a list
    /// item's number (`1.`, `2)`).
    starts_lower: bool,
    /// The line opens with a capital letter.
    starts_capital: bool,
    blank: bool,
}

/// Capitalised function words that open sentences (and rarely continue one after a line
/// break).
const OPENERS: &[&str] = &[
    "A", "After", "An", "As", "At", "But", "By", "For", "He", "Her", "His", "However", "I", "If", "In", "It", "Its",
    "On", "She", "The", "Their", "There", "These", "They", "This", "We", "When", "While",
];

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

fn raw_lines(text: &str) -> Vec<Line> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < b.len() {
        let ls = pos;
        let nl = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |p| pos + p);
        pos = nl + 1;
        let mut e = nl;
        while e > ls && is_ws(b[e - 1]) {
            e -= 1;
        }
        let mut s = ls;
        let mut indent = 0;
        while s < e && is_ws(b[s]) {
            indent = if b[s] == b'\t' { (indent / 8 + 1) * 8 } else { indent + 1 };
            s += 1;
        }
        if s >= e {
            out.push(Line {
                start: ls,
                end: ls,
                indent: 0,
                len: 0,
                first_word: 0,
                marks: 0,
                ends_stop: false,
                starts_upper: false,
                starts_opener: false,
                capitals: false,
                mixed: false,
                starts_lower: false,
                starts_capital: false,
                blank: true,
            });
            continue;
        }
        // Both ends are at ASCII whitespace or the text's ends, so on char boundaries.
        let content = text.get(s..e).unwrap_or("");
        let count = |t: &str| if t.is_ascii() { t.len() } else { t.chars().count() };
        let len = indent + count(content);
        let quote = crate::sentences::quote_marks(content).unwrap_or("");
        let marks = quote.bytes().fold(0u64, |k, c| k.wrapping_mul(131).wrapping_add(u64::from(c)));
        let first_word = content[quote.len()..].trim_start().split([' ', '\t']).next().map_or(0, count);
        let core = content.trim_end_matches(['"', '\'', ')', ']', '”', '’', '»']);
        let ends_stop = core.ends_with(['.', '!', '?', '…', ':', ';']) || core.len() < content.len();
        let starts_upper =
            content.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit() || "\"“‘'(".contains(c));
        let opener = content.split([' ', '\t']).next().unwrap_or("");
        let starts_opener = OPENERS.contains(&opener);
        let (upper, lower) = content
            .chars()
            .fold((0usize, 0usize), |(u, w), c| (u + usize::from(c.is_uppercase()), w + usize::from(c.is_lowercase())));
        let mixed = lower * 8 > upper;
        let capitals = !ends_stop && content.split_whitespace().nth(1).is_some() && upper >= 6 && !mixed;
        out.push(Line {
            start: s,
            end: e,
            indent,
            len,
            first_word,
            marks,
            ends_stop,
            starts_upper,
            starts_opener,
            capitals,
            mixed,
            starts_lower: content.starts_with(char::is_lowercase)
                || content.starts_with(|c: char| c.is_ascii_digit())
                    && !content.split_whitespace().next().is_some_and(|w| {
                        w.ends_with(['.', ')']) && w[..w.len() - 1].bytes().all(|b| b.is_ascii_digit())
                    }),
            starts_capital: content.starts_with(char::is_uppercase),
            blank: false,
        });
    }
    out
}

/// The shape of `text` (never [`Shape::Auto`]).
pub fn detect(text: &str) -> Shape {
    detect_lines(&raw_lines(text))
}

fn detect_lines(lines: &[Line]) -> Shape {
    let full: Vec<&Line> = lines.iter().filter(|l| !l.blank).collect();
    let multi_line_block = lines.windows(2).any(|w| !w[0].blank && !w[1].blank);
    let fallback = if !multi_line_block && full.len() > 1 { Shape::Blocks } else { Shape::Lines };
    if full.len() < MIN_WRAPPED_LINES || !multi_line_block {
        return fallback;
    }
    let Some(width) = wrap_width(&full) else { return fallback };
    if !(30..=120).contains(&width) {
        return fallback;
    }
    let n = full.len();
    let local = local_widths(lines, width);
    let near = lines
        .iter()
        .zip(&local)
        .filter(|&(l, &(w, run))| {
            // A run of fewer than three lines is measured against the whole text's width.
            let w = if run >= 3 { w } else { width };
            !l.blank && l.len + (w / 6).max(8) >= w && l.len <= w + 2
        })
        .count();
    let over = full.iter().filter(|l| l.len * 10 > width * 13).count();
    let open = full.iter().filter(|l| !l.ends_stop).count();
    if near * 5 >= n * 2 && over * 20 <= n && open * 10 >= n * 3 { Shape::Wrapped } else { fallback }
}

/// The wrapping width: the 90th percentile of the line lengths.
fn wrap_width(full: &[&Line]) -> Option<usize> {
    let mut lens: Vec<usize> = full.iter().map(|l| l.len).collect();
    lens.sort_unstable();
    lens.get((lens.len().saturating_sub(1)) * 9 / 10).copied()
}

/// The wrapping width of each line's run (consecutive non-blank lines under the same quote
/// marks) and the run's length in lines: its 90th-percentile length for three lines or more,
/// its widest line (at most `width`) for two, `width` for one. Texts joined from several
/// sources (a digest of posts, a dump of mails) are wrapped at several widths, and a quoted
/// passage at the width of the text it came from. A run estimate outside 20 to 1.3 times
/// `width` is not trusted.
fn local_widths(lines: &[Line], width: usize) -> Vec<(usize, usize)> {
    let mut out = vec![(width, 0usize); lines.len()];
    let mut k = 0;
    while k < lines.len() {
        if lines[k].blank {
            k += 1;
            continue;
        }
        let mut end = k + 1;
        while end < lines.len() && !lines[end].blank && lines[end].marks == lines[k].marks {
            end += 1;
        }
        let mut lens: Vec<usize> = lines[k..end].iter().map(|l| l.len).collect();
        lens.sort_unstable();
        let m = lens.len();
        let w = match m {
            1 => width,
            2 => lens[1].min(width),
            _ => lens[(m - 1) * 9 / 10],
        };
        let w = if (20..=width * 13 / 10).contains(&w) { w } else { width };
        out[k..end].fill((w, m));
        k = end;
    }
    out
}

/// The body lines' indent: the smallest indentation of the lines (continuation lines of a
/// text with first-line indents are not indented).
fn base_indent(full: &[&Line]) -> usize {
    full.iter().map(|l| l.indent).min().unwrap_or(0)
}

/// The shape used for `text` and its paragraphs, in order, as trimmed byte ranges (on char
/// boundaries, non-empty, sorted and disjoint).
pub fn paragraphs(text: &str, shape: Shape) -> (Shape, Vec<(usize, usize)>) {
    let lines = raw_lines(text);
    let shape = if shape == Shape::Auto { detect_lines(&lines) } else { shape };
    let mut out: Vec<(usize, usize)> = Vec::new();
    match shape {
        Shape::Lines | Shape::Auto => {
            out.extend(lines.iter().filter(|l| !l.blank).map(|l| (l.start, l.end)));
        }
        Shape::Blocks => {
            let mut open = false;
            for l in &lines {
                match (l.blank, open) {
                    (true, _) => open = false,
                    (false, true) => {
                        if let Some(p) = out.last_mut() {
                            p.1 = l.end;
                        }
                    }
                    (false, false) => {
                        out.push((l.start, l.end));
                        open = true;
                    }
                }
            }
        }
        Shape::Wrapped => unwrap(&lines, &mut out),
    }
    (shape, out)
}

/// Paragraphs of hard-wrapped lines (see the module docs for the rules).
fn unwrap(lines: &[Line], out: &mut Vec<(usize, usize)>) {
    let full: Vec<&Line> = lines.iter().filter(|l| !l.blank).collect();
    let width = wrap_width(&full).unwrap_or(usize::MAX / 4);
    let base = base_indent(&full);
    // No indented line and no blank line: paragraph indents were trimmed (or never there),
    // so any line may be a first line that lost its indent.
    let first = lines.iter().position(|l| !l.blank).unwrap_or(0);
    let last = lines.iter().rposition(|l| !l.blank).unwrap_or(0);
    let flat = full.iter().all(|l| l.indent == base) && !lines[first..=last.max(first)].iter().any(|l| l.blank);
    // How many lines the current paragraph has.
    let mut run = 0usize;
    let mut prev: Option<&Line> = None;
    let mut prev_headline = false;
    let local = local_widths(lines, width);
    for (i, (l, &(width, _))) in lines.iter().zip(&local).enumerate() {
        if l.blank {
            prev = None;
            prev_headline = false;
            run = 0;
            continue;
        }
        // A line in capitals between a sentence's end and a paragraph's first line (deeper,
        // blank, the end, or a line of mixed case opening with a capital) is a headline of
        // its own: wire stories follow one another with the headline flush left, like a
        // continuation line.
        let this_headline = prev.is_some_and(|p| {
            l.capitals
                && p.ends_stop
                && lines.get(i + 1).is_none_or(|n| n.blank || n.indent > l.indent || n.mixed && n.starts_capital)
        });
        let brk = match prev {
            None => true,
            Some(p) => {
                let deeper = l.indent > p.indent || l.indent > base && l.indent == p.indent && run == 1;
                let block_end = l.indent < p.indent && run >= 2;
                // A first line may have lost its indent, unless it visibly ends a sentence.
                let sentence_end = p.ends_stop && l.starts_upper;
                let slack = if (run == 1 || flat) && p.indent == 0 && !sentence_end { INDENT_SLACK } else { 0 };
                // A line that ends mid-sentence before one going on with a small letter or a
                // digit is trusted to end its paragraph only when well short: wire and
                // typewriter text is not wrapped greedily to the column.
                let slack = if !p.ends_stop && l.starts_lower { slack.max(INDENT_SLACK) } else { slack };
                let short = p.len + 1 + l.first_word + slack <= width;
                // Quoted lines are a paragraph apart from the lines around them.
                let requoted = l.marks != p.marks;
                // A headline in capitals (above) stands apart, and so does a line of mixed case
                // right after it (the story's first line without its indent).
                let headline = this_headline || prev_headline && l.mixed && l.starts_capital;
                deeper || block_end || short || requoted || headline || flat && (sentence_end || l.starts_opener)
            }
        };
        if brk {
            out.push((l.start, l.end));
            run = 1;
        } else {
            if let Some(last) = out.last_mut() {
                last.1 = l.end;
            }
            run += 1;
        }
        prev = Some(l);
        prev_headline = this_headline;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(text: &str, shape: Shape) -> (Shape, Vec<&str>) {
        let (s, ps) = paragraphs(text, shape);
        (s, ps.iter().map(|&(a, b)| &text[a..b]).collect())
    }

    /// Wrapped at 62 columns, first lines indented by three spaces.
    const WRAPPED: &[&str] = &[
        "   The harbour board met on Tuesday evening to decide whether",
        "the old ferry pier should be rebuilt or taken down before the",
        "winter storms arrive.",
        "   Engineers told the board that two of the pier's timber piles",
        "had rotted through and that a third was cracked along its",
        "length, so the structure could not carry a loaded vehicle.",
        "   A decision is expected next month, after the board has seen",
        "the cost of both options and heard from the ferry operator.",
    ];

    fn text(lines: &[&str]) -> String {
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn wrapped_text_is_detected_and_unwrapped() {
        let t = text(WRAPPED);
        let (shape, ps) = paras(&t, Shape::Auto);
        assert_eq!(shape, Shape::Wrapped);
        assert_eq!(ps.len(), 3, "{ps:?}");
        assert!(ps[0].starts_with("The harbour") && ps[0].ends_with("arrive."));
        assert!(ps[2].ends_with("ferry operator."));
    }

    #[test]
    fn trimmed_indentation_still_unwraps() {
        let flat: String = WRAPPED.iter().map(|l| format!("{}\n", l.trim_start())).collect();
        let (shape, ps) = paras(&flat, Shape::Auto);
        assert_eq!(shape, Shape::Wrapped);
        assert_eq!(ps.len(), 3, "{ps:?}");
    }

    #[test]
    fn paragraph_per_line_is_not_wrapped() {
        let text = "The harbour board met on Tuesday evening to decide whether the old ferry pier should be rebuilt.\n\
Engineers said two piles had rotted.\n\
A decision is expected next month, after the board has seen the cost of both options and heard from the operator.\n\
The operator said it would wait.\n\
Residents have asked for a public meeting before any decision is taken about the pier's future.\n\
The board said it would consider the request.\n";
        assert_eq!(paras(text, Shape::Auto).0, Shape::Lines);
        assert_eq!(paras(text, Shape::Auto).1.len(), 6);
        let blocks = text.replace('\n', "\n\n");
        assert_eq!(paras(&blocks, Shape::Auto), (Shape::Blocks, paras(text, Shape::Lines).1));
    }

    #[test]
    fn blocks_join_their_lines() {
        let text = "Title line\nsecond line\n\n\nNext block\r\n";
        let (_, ps) = paras(text, Shape::Blocks);
        assert_eq!(ps, ["Title line\nsecond line", "Next block"]);
        assert_eq!(paras(text, Shape::Lines).1, ["Title line", "second line", "Next block"]);
    }

    #[test]
    fn a_capitals_headline_flush_left_after_a_story_is_its_own_paragraph() {
        // Wire stories one after another, no blank line and no sign-off between them: the
        // next headline is flush left like a continuation line, after a full-width line.
        let t = text(&[
            "   The harbour board met on Tuesday evening to decide whether",
            "the old ferry pier should be rebuilt or taken down before the",
            "winter storms arrive, and put the vote off by a whole month.",
            "TOWN COUNCIL <TWN> SELLS DEPOT SITE TO BUILDER",
            "   The town council said it sold the old bus depot to a local",
            "builder for 2.1 mln dlrs, with homes planned for the site.",
            "   The builder said the work would start in the spring and that",
            "a sign on the depot gate would tell residents what was planned.",
            "IT SAYS THE DEPOT IS CLOSED TO THE PUBLIC UNTIL THE WORK ENDS",
            "and gives a telephone number for questions about the building.",
        ]);
        let (shape, ps) = paras(&t, Shape::Auto);
        assert_eq!(shape, Shape::Wrapped);
        assert_eq!(ps.len(), 4, "{ps:?}");
        assert!(ps[0].ends_with("a whole month."), "{ps:?}");
        assert_eq!(ps[1], "TOWN COUNCIL <TWN> SELLS DEPOT SITE TO BUILDER");
        assert!(ps[2].starts_with("The town council"), "{ps:?}");
        // Capitals between a sentence's end and a continuation line (not a paragraph's
        // first line) stay inside their paragraph.
        assert!(ps[3].ends_with("about the building."), "{ps:?}");
        // The story's first line flush left too: the headline is still a paragraph apart.
        let flush = t.replace("   The town council said", "The town council said");
        let (_, ps) = paras(&flush, Shape::Auto);
        assert_eq!(ps.len(), 4, "{ps:?}");
        assert_eq!(ps[1], "TOWN COUNCIL <TWN> SELLS DEPOT SITE TO BUILDER");
        // A line in capitals that ends a sentence is body text.
        let t = t.replace("TO BUILDER", "TO BUILDER.");
        assert_eq!(paras(&t, Shape::Auto).1.len(), 3);
        // A notice in capitals over two lines stays one paragraph.
        let notice = text(&[
            "   The harbour board met on Tuesday evening to decide whether",
            "the old ferry pier should be rebuilt or taken down before the",
            "winter storms arrive, and put the vote off by a whole month.",
            "COPYING THIS REPORT WITHOUT THE BOARD'S LEAVE IS NOT ALLOWED AND",
            "WILL BE PURSUED.",
            "   The builder said the work would start in the spring and that",
            "a sign on the depot gate would tell residents what was planned.",
        ]);
        let (_, ps) = paras(&notice, Shape::Auto);
        assert_eq!(ps.len(), 2, "{ps:?}");
        assert!(ps[0].ends_with("NOT ALLOWED AND\nWILL BE PURSUED."), "{ps:?}");
    }

    #[test]
    fn a_line_ending_mid_sentence_a_little_short_goes_on() {
        // Not wrapped greedily: `2.4` would have fitted on the line above, but that line
        // ends mid-sentence and the next goes on with a digit, so it is one paragraph.
        let t = text(&[
            "   The harbour board met on Tuesday evening to decide whether",
            "the old ferry pier should be rebuilt or taken down before the",
            "winter storms arrive.",
            "   The board said the new pier would cost the town about",
            "2.4 mln dlrs and take two years to build, with the work to",
            "start in the spring once the old timber piles were pulled.",
            "   A decision is expected next month, after the board has seen",
            "the cost of both options and heard from the ferry operator.",
        ]);
        let (shape, ps) = paras(&t, Shape::Auto);
        assert_eq!(shape, Shape::Wrapped);
        assert_eq!(ps.len(), 3, "{ps:?}");
        assert!(ps[1].starts_with("The board said") && ps[1].ends_with("were pulled."), "{ps:?}");
        // Well short of the width, the line still ends its paragraph.
        let t = t.replace("cost the town about", "cost");
        assert_eq!(paras(&t, Shape::Auto).1.len(), 4);
    }

    #[test]
    fn capitals_inside_prose_and_numbered_items_keep_their_paragraphs() {
        // A shouted line inside a paragraph, after a line that does not end a sentence, and a
        // line of mixed case under it: one paragraph.
        let t = text(&[
            "   I have had this laptop for two years and it worked well until",
            "last week, when it began to crash and I asked the shop for help",
            "I HAVE TRIED REINSTALLING THE DRIVERS AND RESETTING THE BIOS AND",
            "Windows still crashes every time the laptop wakes up from sleep.",
            "   The shop said it would look at it on Monday next week and",
            "call me back when they knew what the trouble was with the fan.",
        ]);
        let (shape, ps) = paras(&t, Shape::Auto);
        assert_eq!(shape, Shape::Wrapped);
        assert_eq!(ps.len(), 2, "{ps:?}");
        // Numbered items after an introduction that ends without a stop are not joined to it.
        let t = text(&[
            "   The harbour board listed the work it wants done this year and",
            "asked the town for the money to pay for each of these jobs",
            "1. Rebuild the ferry pier before the winter storms arrive",
            "2. Dredge the channel by the old fish market to three metres",
            "3. Repaint the harbour master's office and mend its long roof",
            "   The town said it would answer the board before the summer.",
        ]);
        let (_, ps) = paras(&t, Shape::Wrapped);
        assert!(ps[0].ends_with("each of these jobs"), "{ps:?}");
    }

    #[test]
    fn short_headline_lines_end_their_paragraph() {
        let t = text(&[
            "HARBOUR BOARD DELAYS PIER VOTE <HBR>",
            "   The harbour board met on Tuesday evening to decide whether",
            "the old ferry pier should be rebuilt or taken down before the",
            "winter storms arrive, and put the vote off by a month.",
            "   Engineers told the board that two of the pier's timber piles",
            "had rotted through and that a third was cracked along its",
            "length.",
        ]);
        let (shape, ps) = paras(&t, Shape::Wrapped);
        assert_eq!(shape, Shape::Wrapped);
        assert_eq!(ps.len(), 3, "{ps:?}");
        assert_eq!(ps[0], "HARBOUR BOARD DELAYS PIER VOTE <HBR>");
    }

    #[test]
    fn empty_and_blank_texts() {
        assert_eq!(paragraphs("", Shape::Auto).1, []);
        assert_eq!(paragraphs(" \n\t\n", Shape::Wrapped).1, []);
        assert_eq!(paragraphs("one", Shape::Wrapped).1, [(0, 3)]);
    }
}
