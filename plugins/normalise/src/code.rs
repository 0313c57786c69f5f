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

/// Paragraph indents of hard-wrapped text: for each line that opens a paragraph by being
/// indented (1 to 8 columns) right under a less indented, filled line (at least
/// [`FILLED_LINE`] columns once its space runs are collapsed) and right above a less indented
/// line, with no blank line between, the
/// byte offset of its first visible character and its indentation in columns; sorted. This is
/// how newswire, e-books and old mail mark paragraphs; code lines are left out. A whitespace
/// pass that trims line starts keeps these indents, so the paragraphs stay visible. The rule
/// looks at one line and its neighbours only, so normalising twice changes nothing more.
pub fn paragraph_indents(text: &str, code: &[(usize, usize)]) -> Vec<(usize, usize)> {
    if !text.contains("\n ") && !text.contains("\n\t") {
        return Vec::new();
    }
    // Per line: blank, or (start, first visible byte, indentation, width as the whitespace
    // pass leaves it: words and single spaces).
    let all: Vec<Option<(usize, usize, usize, usize)>> = lines(text)
        .into_iter()
        .map(|(l, line)| {
            let content = line.trim_matches(is_blank_char);
            if l.content_end == l.start || content.is_empty() {
                return None;
            }
            let words = content.split(is_blank_char).filter(|w| !w.is_empty());
            let (n, chars) = words.fold((0usize, 0usize), |(n, c), w| (n + 1, c + w.chars().count()));
            let first = line.find(|c: char| !is_blank_char(c)).unwrap_or(0);
            Some((l.start, l.start + first, indentation(line), chars + n.saturating_sub(1)))
        })
        .collect();
    let mut out = Vec::new();
    let mut ci = 0;
    for k in 1..all.len().saturating_sub(1) {
        let (Some(prev), Some((start, first, col, _)), Some(next)) = (all[k - 1], all[k], all[k + 1]) else {
            continue;
        };
        while code.get(ci).is_some_and(|&(_, e)| e <= start) {
            ci += 1;
        }
        if code.get(ci).is_some_and(|&(s, _)| s <= start) || !(1..=8).contains(&col) {
            continue;
        }
        // Deeper than the filled line above and than the line below: a first line, not the
        // hanging indent of a list item (whose next line keeps the same depth).
        if prev.2 < col && prev.3 >= FILLED_LINE && next.2 < col {
            out.push((first, col));
        }
    }
    out
}

/// The least width of a line of hard-wrapped prose above an indented paragraph start.
pub const FILLED_LINE: usize = 40;

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
mod tests {
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
