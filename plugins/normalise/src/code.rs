//! Code inside plain text: the lines of fenced and indented code blocks, backtick code spans
//! and prompt lines.
//!
//! Whitespace normalisation keeps the lines of code blocks as they are (their indentation is
//! part of the code), and glued-word repair leaves code alone (`setdefault`, `isinstance` and
//! `stdin` are names there, not glued words).
//!
//! # What counts as a code block
//!
//! * **fenced**: from a line of three or more backticks or tildes (indented or not) to the
//!   next line of the same character, at least as long, with nothing else on
//!   it; a fence that never closes opens nothing (a stray fence must not swallow a document);
//! * **indented**: a paragraph (lines between blank lines) whose lines are all indented at
//!   least [`CODE_INDENT`] columns deeper than the last prose line before it (0 at the start of
//!   the text), which follows a blank line (or the start of the text, or a prose line ending in
//!   a colon, or a capitalised heading when twice as deep), and which is not a single line
//!   that a shallower line continues. The depth is relative so that text indented as a whole
//!   (man pages indent their body by 7 columns, examples deeper) works like flush text, and
//!   the last condition keeps the indented first line of a hard-wrapped prose paragraph (the
//!   wrapped lines that follow it are shallower) out of code.
//!
//! Tabs advance to the next multiple of 8 columns. Normalising the text again finds the same
//! lines (prose lines lose their indentation, code lines keep theirs, blank lines stay), so
//! `normalise` stays idempotent.

/// How much deeper than the surrounding prose an indented code block must be (columns).
pub const CODE_INDENT: usize = 4;

/// A fence line: its character, the length of its run, and whether nothing follows the run.
fn fence(line: &str) -> Option<(u8, usize, bool)> {
    // Fast rejection: the first character after the indentation is neither a fence character
    // nor an invisible one.
    let first = line.trim_start_matches([' ', '\t']).chars().next()?;
    if first != '`' && first != '~' && !crate::passes::is_removable(first) {
        return None;
    }
    // Judged as the line will be once invisible characters are removed.
    let visible: std::borrow::Cow<'_, str> = if line.chars().any(crate::passes::is_removable) {
        line.chars().filter(|&c| !crate::passes::is_removable(c)).collect::<String>().into()
    } else {
        line.into()
    };
    let line = visible.as_ref();
    // Any indentation: normalising may take a prose line's indentation away, and a line must
    // not become a fence by that.
    let body = line.trim_start_matches([' ', '\t']);
    let ch = *body.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let n = body.bytes().take_while(|&b| b == ch).count();
    if n < 3 {
        return None;
    }
    let rest = &body[n..];
    // A backtick fence's info string holds no backtick.
    if ch == b'`' && rest.contains('`') {
        return None;
    }
    Some((ch, n, rest.trim().is_empty()))
}

/// A heading line: at most three columns in, letters all capitals (`EXAMPLES`, `SEE ALSO`).
fn is_heading(line: &str) -> bool {
    let body = line.trim_start_matches([' ', '\t']);
    line.len() - body.len() <= 3
        && body.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && body.chars().all(|c| c.is_uppercase() || !c.is_alphabetic())
}

/// One line of the text: byte start, byte end of its content (trailing whitespace and
/// invisible characters excluded; equal to `start` for a blank line).
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
}

/// Line breaks as the whitespace pass sees them (CR LF is one).
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{000B}' | '\u{000C}' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Characters a line may hold and still be blank: whitespace and the invisible characters
/// the control pass removes (so a line is blank before and after normalising).
pub(crate) fn is_blank_char(c: char) -> bool {
    c.is_whitespace() || crate::passes::is_removable(c)
}

/// The lines of `text` with the text of each.
fn lines(text: &str) -> Vec<(Line, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev_cr = false;
    for (i, c) in text.char_indices() {
        let cr_lf = prev_cr && c == '\n';
        prev_cr = c == '\r';
        if cr_lf {
            start = i + 1;
            continue;
        }
        if is_line_break(c) {
            out.push(line_at(text, start, i));
            start = i + c.len_utf8();
        }
    }
    out.push(line_at(text, start, text.len()));
    out
}

fn line_at(text: &str, start: usize, end: usize) -> (Line, &str) {
    let line = &text[start..end];
    let content = line.trim_end_matches(is_blank_char);
    (Line { start, content_end: start + content.len() }, line)
}

/// Columns taken by the leading spaces and tabs of `line` (invisible characters skipped).
fn indentation(line: &str) -> usize {
    let mut col = 0;
    for c in line.chars() {
        match c {
            ' ' => col += 1,
            '\t' => col = (col / 8 + 1) * 8,
            c if crate::passes::is_removable(c) => {}
            _ => break,
        }
    }
    col
}

/// Paragraph indents of hard-wrapped text, for each kept indent the byte offset of the line's
/// first visible character and its indentation in columns; sorted. This is how newswire,
/// e-books and old mail mark paragraphs, and a whitespace pass that trims line starts keeps
/// these indents so that the paragraphs stay visible. Code lines are left out (they keep all
/// their whitespace anyway).
///
/// * When the text's own lines show that its paragraphs open with an indent of `c` columns
///   ([`indent_convention`]), every prose line indented by exactly `c` keeps it, wherever it
///   stands (the first line of the text, after a short last line of a paragraph, one-line
///   paragraphs in a row), and no other indent does.
/// * Otherwise (a text too short to show a convention, or with none) a line keeps an indent
///   of [`MIN_PARAGRAPH_INDENT`] to [`MAX_PARAGRAPH_INDENT`] columns as a local mark: right
///   under a less indented, filled line ([`FILLED_LINE`] columns once its space runs are
///   collapsed) and right above a less indented line, with no blank line between (deeper than
///   the line below: a first line, not the hanging indent of a list item, whose next line
///   keeps the same depth).
///
/// Every other indent of a prose line is noise here (a stray space, the hanging indent of a
/// list item, an indent that is not the text's own) and goes.
///
/// The rules read the text as this pass leaves it, round after round: a reading keeps some
/// indents and takes the others away, and the next reading looks at what is left (a list's
/// hanging indents gone, say, the evidence for a convention may change), until a reading
/// keeps every indent it sees. Normalising again then finds the same reading and keeps the
/// same indents.
pub fn paragraph_indents(text: &str, code: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // Cheap exit: no line starts with a space or a tab. (Indentation behind an invisible
    // character, or after a line break other than LF and CR, is missed here, on every pass
    // alike.)
    let indented =
        |b: &str| ["\n ", "\n\t", "\r ", "\r\t"].iter().any(|p| text.contains(p)) || b.starts_with([' ', '\t']);
    if !indented(text.trim_start_matches(crate::passes::is_removable)) {
        return Vec::new();
    }
    // Read the text as this pass will leave it until the reading keeps every indent it sees:
    // each round takes away the indents the reading does not keep (so the rounds end), and the
    // text as finally left is read the same way by the next pass.
    let mut lines = prose_lines(text, code);
    for _ in 0..MAX_ROUNDS {
        let convention = indent_convention(&lines);
        let keep: Vec<bool> = (0..lines.len())
            .map(|k| match (convention, lines[k]) {
                (_, None) => false,
                (Some(c), Some(l)) => l.marks() && l.col == c,
                (None, Some(_)) => local_mark(&lines, k),
            })
            .collect();
        let mut settled = true;
        for (line, keep) in lines.iter_mut().zip(keep) {
            if let Some(l) = line.as_mut().filter(|l| !keep && !l.code && l.col > 0) {
                l.col = 0;
                settled = false;
            }
        }
        if settled {
            return lines.iter().flatten().filter(|l| !l.code && l.col > 0).map(|l| (l.first, l.col)).collect();
        }
    }
    // No settled reading: no indent is kept.
    Vec::new()
}

/// How many readings of a text [`paragraph_indents`] makes before it keeps no indent (two in
/// practice: one that takes the noise away, one that finds nothing more to take).
const MAX_ROUNDS: usize = 8;

/// The least width of a filled line of hard-wrapped prose, in columns.
pub const FILLED_LINE: usize = 40;

/// The widest line (columns) of hard-wrapped text.
pub const MAX_WRAPPED_LINE: usize = 120;

/// The fewest words of a prose paragraph's first line (fewer: markup, a link, a name).
pub const MIN_WORDS: usize = 4;

/// The least indent (columns) kept as a paragraph mark: one column is a stray space.
pub const MIN_PARAGRAPH_INDENT: usize = 2;

/// The deepest indent (columns) kept as a paragraph mark (a tab).
pub const MAX_PARAGRAPH_INDENT: usize = 8;

/// The fewest paragraphs whose indented first line a flush line continues before a text is
/// taken to mark its paragraphs by indent.
pub const MIN_CONVENTION: usize = 3;

/// A non-blank line as the paragraph-indent rules see it.
#[derive(Clone, Copy)]
struct ProseLine {
    /// Byte offset of its first visible character.
    first: usize,
    /// Indentation in columns.
    col: usize,
    /// Width of its content as the whitespace pass leaves it (words and single spaces), in
    /// characters: indentation not included, so that it does not change when that goes.
    width: usize,
    /// How many words (runs of visible characters) it has.
    words: usize,
    /// Its last visible character ends a sentence (`.`, `!`, `?`, `:`, `;` or `…`, maybe
    /// followed by closing quotes or brackets).
    ends_sentence: bool,
    /// A line of a code block.
    code: bool,
    /// It opens with a list marker (`-`, `*`, `+`, `•` or a number and `.` or `)`, then a
    /// space): a list item, not a paragraph.
    item: bool,
}

impl ProseLine {
    /// Flush left (a one-column indent is a stray space, and goes).
    fn flush(&self) -> bool {
        self.col < MIN_PARAGRAPH_INDENT
    }

    /// Shaped like the indented first line of a hard-wrapped prose paragraph: filled (at least
    /// [`FILLED_LINE`] columns, indentation included: it was wrapped) but no wider than
    /// [`MAX_WRAPPED_LINE`], of [`MIN_WORDS`] words or more, not a list item.
    fn prose_first_line(&self) -> bool {
        (FILLED_LINE..=MAX_WRAPPED_LINE).contains(&(self.col + self.width)) && self.words >= MIN_WORDS && !self.item
    }

    /// Indented as a paragraph mark may be.
    fn marks(&self) -> bool {
        !self.code && (MIN_PARAGRAPH_INDENT..=MAX_PARAGRAPH_INDENT).contains(&self.col)
    }
}

/// The lines of `text`, `None` for a blank one.
fn prose_lines(text: &str, code: &[(usize, usize)]) -> Vec<Option<ProseLine>> {
    let mut ci = 0;
    lines(text)
        .into_iter()
        .map(|(l, line)| {
            let content = line.trim_matches(is_blank_char);
            if l.content_end == l.start || content.is_empty() {
                return None;
            }
            while code.get(ci).is_some_and(|&(_, e)| e <= l.start) {
                ci += 1;
            }
            let words = content.split(is_blank_char).filter(|w| !w.is_empty());
            let (n, chars) = words.fold((0usize, 0usize), |(n, c), w| (n + 1, c + w.chars().count()));
            let last =
                content.trim_end_matches(['"', '\'', ')', ']', '}', '\u{201D}', '\u{2019}', '\u{BB}']).chars().last();
            Some(ProseLine {
                first: l.start + line.find(|c: char| !is_blank_char(c)).unwrap_or(0),
                col: indentation(line),
                width: chars + n.saturating_sub(1),
                words: n,
                ends_sentence: last.is_some_and(|c| matches!(c, '.' | '!' | '?' | ':' | ';' | '\u{2026}')),
                code: code.get(ci).is_some_and(|&(s, _)| s <= l.start),
                item: is_list_item(content),
            })
        })
        .collect()
}

/// Does `content` (a line without its indentation) open with a list marker and a space?
fn is_list_item(content: &str) -> bool {
    let digits = content.bytes().take_while(u8::is_ascii_digit).count();
    let mut chars = content.chars();
    let rest = match chars.next() {
        Some('-' | '*' | '+' | '\u{2022}' | '\u{2013}') => Some(chars.as_str()),
        _ if (1..=3).contains(&digits) => content[digits..].strip_prefix(['.', ')']),
        _ => None,
    };
    rest.is_some_and(|r| r.starts_with([' ', '\t']))
}

/// Is line `k` indented as the first line of a paragraph, by its neighbours alone (see
/// [`paragraph_indents`])?
fn local_mark(all: &[Option<ProseLine>], k: usize) -> bool {
    let Some(l) = all[k].filter(ProseLine::marks) else { return false };
    let prev = k.checked_sub(1).and_then(|p| all[p]);
    let next = all.get(k + 1).copied().flatten();
    matches!((prev, next), (Some(p), Some(n)) if p.col < l.col && p.width >= FILLED_LINE && n.col < l.col)
}

/// The paragraph indent of a text that marks its paragraphs by indenting their first line, in
/// columns, or `None`.
///
/// Evidence for an indent of `c` columns is a line indented by exactly `c` that looks like the
/// first line of a wrapped prose paragraph ([`ProseLine::prose_first_line`]), continued by a
/// flush prose line right below that is no list item, and standing at the start of the text,
/// after a blank line, after another line indented by `c` (a one-line paragraph) or after a
/// flush line that ends a paragraph (it ends a sentence, or is short). Evidence against it is a line indented by `c`
/// that continues the line above (a list item, or a flush, filled line that ends
/// mid-sentence: a hanging indent) or that has a neighbour indented otherwise (a deeper block,
/// a nested list). The convention is the indent with the most evidence (the shallower one on
/// a tie), when there are at least [`MIN_CONVENTION`] such paragraphs and at least twice as
/// many as lines against.
fn indent_convention(all: &[Option<ProseLine>]) -> Option<usize> {
    const N: usize = MAX_PARAGRAPH_INDENT + 1;
    let (mut for_, mut against) = ([0usize; N], [0usize; N]);
    for (k, line) in all.iter().enumerate() {
        let Some(l) = line.filter(ProseLine::marks) else { continue };
        let prev = k.checked_sub(1).and_then(|p| all[p]);
        let next = all.get(k + 1).copied().flatten();
        let other = |n: &ProseLine| !n.flush() && n.col != l.col;
        // The hanging indent of a list item, or the rest of a sentence.
        let continues =
            prev.is_some_and(|p| p.flush() && !p.code && (p.item || p.width >= FILLED_LINE && !p.ends_sentence));
        if continues || prev.is_some_and(|p| other(&p)) || next.is_some_and(|n| other(&n)) {
            against[l.col] += 1;
        } else if prev.is_none_or(|p| !p.code)
            && l.prose_first_line()
            && next.is_some_and(|n| n.flush() && !n.code && !n.item)
        {
            for_[l.col] += 1;
        }
    }
    let (c, n) = (MIN_PARAGRAPH_INDENT..N).rev().map(|c| (c, for_[c])).max_by_key(|&(_, n)| n)?;
    (n >= MIN_CONVENTION && n >= 2 * against[c]).then_some(c)
}

/// Byte ranges of the lines of code blocks, sorted and disjoint. Each range runs from the
/// line's first byte (its indentation included) to its last visible character; blank lines
/// are never included.
pub fn code_block_lines(text: &str) -> Vec<(usize, usize)> {
    // Cheap exit: no two spaces in a row, no tab, no two backticks or tildes in a row, so no
    // line indented by four columns and no fence. (Indentation made of spaces and invisible
    // characters is missed here, on every pass alike.)
    if !(text.contains("  ") || text.contains('\t') || text.contains("``") || text.contains("~~")) {
        return Vec::new();
    }
    let lines = lines(text);
    // Closing-capable fences after each line, for "does this fence ever close?" in O(1):
    // suffix maxima of bare fence lengths per character.
    let mut close_after: Vec<[usize; 2]> = vec![[0, 0]; lines.len() + 1];
    for (k, (_, line)) in lines.iter().enumerate().rev() {
        let mut m = close_after[k + 1];
        if let Some((ch, n, true)) = fence(line) {
            let c = usize::from(ch == b'~');
            m[c] = m[c].max(n);
        }
        close_after[k] = m;
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut ctx = 0usize; // indentation of the last prose line
    let mut prev_blank = true;
    // The current indented candidate block, and where its open paragraph (the lines after its
    // last blank line) begins.
    let mut block: Vec<(usize, usize)> = Vec::new();
    let mut para_from = 0usize;
    // Without a blank line, a block may start right under a prose line that leads in to it: a
    // line ending in a colon (at least CODE_INDENT deeper) or a heading (twice as deep, as the
    // body text under a man page's headings is indented too). The least column, if any.
    let mut lead_in: Option<usize> = None;
    let mut k = 0;
    while let Some(&(l, line)) = lines.get(k) {
        k += 1;
        if l.content_end == l.start {
            para_from = block.len();
            prev_blank = true;
            lead_in = None;
            continue;
        }
        if let Some((ch, n, _)) = fence(line) {
            let c = usize::from(ch == b'~');
            if close_after.get(k).is_some_and(|m| m[c] >= n) {
                // A fence ends the candidate block like a blank line does.
                out.append(&mut block);
                para_from = 0;
                out.push((l.start, l.content_end));
                while let Some(&(l2, line2)) = lines.get(k) {
                    k += 1;
                    if l2.content_end > l2.start {
                        out.push((l2.start, l2.content_end));
                    }
                    if fence(line2).is_some_and(|(c2, n2, bare)| c2 == ch && n2 >= n && bare) {
                        break;
                    }
                }
                prev_blank = false;
                continue;
            }
        }
        let col = indentation(line);
        let starts = prev_blank || lead_in.is_some_and(|min| col >= min);
        if col >= ctx + CODE_INDENT && (starts || !block.is_empty()) {
            block.push((l.start, l.content_end));
            lead_in = None;
        } else {
            // A prose line. The block's paragraphs closed by a blank line are code; an open
            // paragraph of one line that this line continues (no blank line between) is the
            // indented first line of a prose paragraph.
            let open = block.len() - para_from.min(block.len());
            let keep = if open == 1 { para_from } else { block.len() };
            out.extend(block.drain(..keep));
            block.clear();
            para_from = 0;
            ctx = col;
            let content = &text[l.start..l.content_end];
            lead_in = if content.ends_with(':') {
                Some(col + CODE_INDENT)
            } else if is_heading(content) {
                Some(col + 2 * CODE_INDENT)
            } else {
                None
            };
        }
        prev_blank = false;
    }
    out.append(&mut block);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The code lines of `text` as strings.
    fn code(text: &str) -> Vec<&str> {
        code_block_lines(text).into_iter().map(|(a, b)| &text[a..b]).collect()
    }

    #[test]
    fn an_indented_block_after_a_blank_line_is_code() {
        let text = "Call it like this:\n\n    let x = f(1);\n        g(x);\n\nand then go on.\n";
        assert_eq!(code(text), ["    let x = f(1);", "        g(x);"]);
    }

    #[test]
    fn depth_is_relative_to_the_prose_around_it() {
        // Man pages indent their body; an example is indented deeper still.
        let text = "NAME\n       tool - does things\n\nEXAMPLES\n       Run:\n\n           tool --all  x\n\n       More prose here.\n";
        assert_eq!(code(text), ["           tool --all  x"]);
        // A hanging description right under its option is prose, not code.
        let options = "OPTIONS\n       -a, --all\n              show all entries\n\n       -b     other\n";
        assert!(code(options).is_empty());
    }

    #[test]
    fn the_indented_first_line_of_a_wrapped_paragraph_is_prose() {
        let text = "Headline\n\n     The company said on Monday that\nprofits rose in the year.\n\n     Shares fell.\n";
        // The first paragraph goes on flush left: prose. The last one stands alone: code-shaped
        // (indented, blank-line delimited), which only keeps its indentation.
        assert_eq!(code(text), ["     Shares fell."]);
    }

    #[test]
    fn fenced_blocks_are_code_and_a_stray_fence_opens_nothing() {
        let text = "Intro\n```rust\nfn main() {\n\n    println!();\n}\n```\nAfter\n";
        assert_eq!(code(text), ["```rust", "fn main() {", "    println!();", "}", "```"]);
        let stray = "Intro\n```\nnot code, the fence never closes\n";
        assert!(code(stray).is_empty());
        let tilde = "x\n~~~~\n  a\n~~~\nstill inside\n~~~~\ny";
        assert_eq!(code(tilde), ["~~~~", "  a", "~~~", "still inside", "~~~~"]);
    }

    #[test]
    fn a_block_may_start_right_under_a_colon_or_a_heading() {
        let colon = "Use it so:\n    run --all\n    run --none\n\nDone.";
        assert_eq!(code(colon), ["    run --all", "    run --none"]);
        // A man page: the body under a heading is indented by 7, an example by 11.
        let man = "DESCRIPTION\n       Body text here.\n\nEXAMPLES\n           conf {\n               x 1;\n           };\n\nSEE ALSO\n       x(1)\n";
        assert_eq!(code(man), ["           conf {", "               x 1;", "           };"]);
        // Without a lead-in, an indented line under prose continues the prose.
        assert!(code("Some prose\n    more prose\n\nEnd").is_empty());
        // Two or more deep lines before a shallower one are code (a closing brace at the margin).
        let c = "Example:\n\n    int main()\n    {\n        return 0;\n}\n\nText";
        assert_eq!(code(c), ["    int main()", "    {", "        return 0;"]);
    }

    /// A wrapped text whose paragraphs open with three spaces, written for this test: the
    /// first line, a one-line paragraph, a paragraph after a short last line, and two one-line
    /// paragraphs in a row.
    pub(crate) const HARBOUR: &str = concat!(
        "   The harbour board met on Thursday and agreed to dredge\n",
        "the channel before the summer, when the larger ferries\n",
        "return to the island.\n",
        "   Work starts in May.\n",
        "   The board's chair said the cost would be shared with the\n",
        "port's owners, who had asked for the work to be done last\n",
        "year.\n",
        "   Residents near the quay were told to expect some noise at\n",
        "night while the dredger is working, and a helpline will\n",
        "open.\n",
        "   A second meeting is planned for June.\n",
        "   Tickets are free.\n",
        "   The ferry company welcomed the decision and said that its\n",
        "timetable for the summer would be published within a\n",
        "fortnight.\n",
    );

    /// The kept paragraph indents of `text` as (line number, columns).
    fn indents(text: &str) -> Vec<(usize, usize)> {
        let code = code_block_lines(text);
        let kept = paragraph_indents(text, &code);
        kept.into_iter().map(|(at, col)| (text[..at].matches('\n').count(), col)).collect()
    }

    #[test]
    fn a_text_that_opens_its_paragraphs_with_an_indent_keeps_every_one() {
        assert_eq!(indent_convention(&prose_lines(HARBOUR, &[])), Some(3));
        assert_eq!(indents(HARBOUR), [(0, 3), (3, 3), (4, 3), (7, 3), (10, 3), (11, 3), (12, 3)]);
        // A tab works the same (8 columns); a stray space and another indent are noise.
        let tabs = HARBOUR.replace("   ", "\t").replace("\nyear.", "\n year.").replace("\nopen.", "\n     open.");
        let want = [(0, 8), (3, 8), (4, 8), (7, 8), (10, 8), (11, 8), (12, 8)];
        assert_eq!(indents(&tabs), want);
    }

    #[test]
    fn without_a_convention_only_local_marks_stay() {
        // Two paragraphs do not make a convention: the second keeps its indent under a filled
        // line, the first line of the text does not.
        let two = HARBOUR.lines().take(7).collect::<Vec<_>>().join("\n");
        assert_eq!(indent_convention(&prose_lines(&two, &[])), None);
        assert!(indents(&two).is_empty());
        let filled = two.replace("ferries\nreturn to the island.\n   Work starts in May.", "ferries return.");
        assert_eq!(indents(&filled), [(2, 3)]);
        // A stray space under a filled line is no mark.
        assert!(indents(&filled.replace("\n   The board", "\n The board")).is_empty());
        // The hanging indent of numbered items is evidence against: items are not paragraphs.
        let list = concat!(
            "Changes in this release, listed by the maintainers here:\n",
            "1. The parser now accepts files that end without a line\n",
            "   break at the end, as the old one did before version two\n",
            "   of the tool came out.\n",
            "2. Errors name the file and the line where the parser gave\n",
            "   up, and the column when it is known to the reader of the\n",
            "   file.\n",
            "3. Empty files are read as empty documents, not refused as\n",
            "   before, which the tests of three packages relied upon in\n",
            "   their own suites.\n",
            "4. The manual has a new chapter on the options of the tool.\n",
            "- A short item\n",
            "  whose hanging indent is filled enough to count here,\n",
            "- and another short one\n",
            "  whose hanging indent is filled enough to count here.\n",
            "- The end.\n",
        );
        assert_eq!(indent_convention(&prose_lines(list, &[])), None);
        assert!(indents(list).is_empty());
    }

    #[test]
    fn code_lines_are_no_paragraph_marks() {
        let text = format!(
            "{HARBOUR}   Run the tool like this when you want to see it:\n\n        tool --all\n        tool --none\n"
        );
        assert_eq!(code(&text), ["        tool --all", "        tool --none"]);
        assert_eq!(indents(&text).last(), Some(&(15, 3)));
    }

    #[test]
    fn blank_lines_and_line_breaks_of_every_kind() {
        assert!(code("").is_empty());
        assert!(code("plain prose, no code").is_empty());
        // CR LF is one break; blank lines of spaces and invisible characters are blank.
        let text = "a\r\n \u{200B} \r\n    code\r\n";
        assert_eq!(code(text), ["    code"]);
        // A line break other than LF also ends a line.
        assert_eq!(code("a\u{2028}\u{2028}\t x\u{2028}"), ["\t x"]);
    }
}
