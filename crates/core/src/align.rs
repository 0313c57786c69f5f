//! Alignment between a document's text and the bytes it came from.
//!
//! A document's `text` is derived from the source bytes `S = file[source.start..source.end]`
//! by replacing a set of disjoint, sorted ranges. Everything outside those ranges is a
//! verbatim byte-for-byte copy. An [`Edit`] records one replacement:
//! `text[text_start..text_end]` stands where `S[src_start..src_end]` stood. Either side
//! may be empty (an insertion or a deletion).
//!
//! This representation is small (documents that were not changed carry no edits at all),
//! it is exact (the source can be rebuilt from the text and the edits, see
//! [`reconstruct_source`]), and it composes: when a later stage rewrites the text again,
//! [`compose`] folds its edits into the existing ones so that the alignment always points
//! at the original input bytes, never at an intermediate text.
//!
//! Mapping a text range back to the source is done with [`Alignment::source_range`]. A
//! boundary that falls inside an edit snaps outwards to the edit's source bounds, so the
//! mapped range always covers at least the bytes that produced the text range.

use serde::{Deserialize, Serialize};

/// One replacement: `text[text_start..text_end]` was produced from `source[src_start..src_end]`.
///
/// Source offsets are relative to `source.start`. Serialised as a compact 4-element array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "[usize; 4]", into = "[usize; 4]")]
pub struct Edit {
    /// Start of the replacement in the text.
    pub text_start: usize,
    /// End of the replacement in the text.
    pub text_end: usize,
    /// Start of the replaced bytes, relative to the document's source start.
    pub src_start: usize,
    /// End of the replaced bytes, relative to the document's source start.
    pub src_end: usize,
}

impl From<[usize; 4]> for Edit {
    fn from(a: [usize; 4]) -> Self {
        Edit { text_start: a[0], text_end: a[1], src_start: a[2], src_end: a[3] }
    }
}

impl From<Edit> for [usize; 4] {
    fn from(e: Edit) -> Self {
        [e.text_start, e.text_end, e.src_start, e.src_end]
    }
}

impl Edit {
    fn text_len(&self) -> usize {
        self.text_end - self.text_start
    }
    fn src_len(&self) -> usize {
        self.src_end - self.src_start
    }
}

/// A borrowed view of an edit list with the mapping operations.
#[derive(Debug, Clone, Copy)]
pub struct Alignment<'a> {
    edits: &'a [Edit],
}

impl<'a> Alignment<'a> {
    /// Wraps an edit list (sorted, disjoint, as produced by [`Rewriter`] and [`compose`]).
    pub fn new(edits: &'a [Edit]) -> Self {
        Alignment { edits }
    }

    /// Maps a text offset used as a range start to a source offset (relative to `source.start`).
    pub fn source_start(&self, t: usize) -> usize {
        // Last edit that starts at or before t.
        let i = self.edits.partition_point(|e| e.text_start <= t);
        if i > 0 {
            let e = &self.edits[i - 1];
            if t < e.text_end {
                return e.src_start;
            }
            // Past this edit: linear from its end. A deletion (empty text side) that sits
            // exactly at t lies before t, so a start skips the deleted bytes.
            return e.src_end + (t - e.text_end);
        }
        t
    }

    /// Maps a text offset used as a range end to a source offset (relative to `source.start`).
    pub fn source_end(&self, t: usize) -> usize {
        // Last edit that starts strictly before t, or that is a pure insertion ending at t.
        let i = self.edits.partition_point(|e| e.text_start < t);
        if i > 0 {
            let e = &self.edits[i - 1];
            if t <= e.text_end {
                return e.src_end;
            }
            return e.src_end + (t - e.text_end);
        }
        t
    }

    /// Maps a text range to the source range (relative to `source.start`) that produced it.
    pub fn source_range(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.source_start(start);
        let e = self.source_end(end).max(s);
        (s, e)
    }

    /// Maps a range of the *old* text of a rewrite to the *new* text (the edits are the
    /// rewrite's, with `src_*` meaning old-text offsets). Used to move annotation spans.
    pub fn forward_range(&self, start: usize, end: usize) -> (usize, usize) {
        let inverted: Vec<Edit> = self
            .edits
            .iter()
            .map(|e| Edit {
                text_start: e.src_start,
                text_end: e.src_end,
                src_start: e.text_start,
                src_end: e.text_end,
            })
            .collect();
        Alignment::new(&inverted).source_range(start, end)
    }
}

/// Rebuilds the source bytes from a text and its edits (the inverse of the rewrite).
///
/// `source` supplies the replaced bytes; every byte outside an edit is taken from `text`,
/// so `reconstruct_source(text, edits, source) == source` proves the verbatim claim.
pub fn reconstruct_source(text: &[u8], edits: &[Edit], source: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(source.len());
    let mut t = 0;
    for e in edits {
        out.extend_from_slice(text.get(t..e.text_start)?);
        out.extend_from_slice(source.get(e.src_start..e.src_end)?);
        t = e.text_end;
    }
    out.extend_from_slice(text.get(t..)?);
    Some(out)
}

/// Checks that an edit list is well formed for a text of `text_len` and a source of `src_len`
/// bytes: sorted, disjoint, inside both, and consistent (the verbatim gaps have equal length).
pub fn validate(edits: &[Edit], text_len: usize, src_len: usize) -> Result<(), String> {
    let (mut t, mut s) = (0usize, 0usize);
    for (i, e) in edits.iter().enumerate() {
        if e.text_start > e.text_end || e.src_start > e.src_end {
            return Err(format!("edit {i} is reversed: {e:?}"));
        }
        if e.text_start < t || e.src_start < s {
            return Err(format!("edit {i} overlaps or is out of order: {e:?}"));
        }
        if e.text_start - t != e.src_start - s {
            return Err(format!("verbatim gap before edit {i} has different lengths: {e:?}"));
        }
        if e.text_len() == 0 && e.src_len() == 0 {
            return Err(format!("edit {i} is empty: {e:?}"));
        }
        t = e.text_end;
        s = e.src_end;
    }
    if text_len < t || src_len < s || text_len - t != src_len - s {
        return Err(format!("tail after last edit differs: text {text_len} from {t}, source {src_len} from {s}"));
    }
    Ok(())
}

/// Composes two alignments: `inner` maps an old text to the source, `outer` maps a new text to
/// the old text (its `src_*` are old-text offsets). The result maps the new text to the source.
pub fn compose(inner: &[Edit], outer: &[Edit]) -> Vec<Edit> {
    if inner.is_empty() {
        return outer.to_vec();
    }
    if outer.is_empty() {
        return inner.to_vec();
    }
    // Work in old-text coordinates: inner edits cover [text_start, text_end),
    // outer edits cover [src_start, src_end). Overlapping intervals merge into one cluster.
    #[derive(Clone, Copy)]
    struct Item {
        a: usize,
        b: usize,
        outer: bool,
        idx: usize,
    }
    let mut items: Vec<Item> = inner
        .iter()
        .enumerate()
        .map(|(idx, e)| Item { a: e.text_start, b: e.text_end, outer: false, idx })
        .chain(outer.iter().enumerate().map(|(idx, e)| Item { a: e.src_start, b: e.src_end, outer: true, idx }))
        .collect();
    items.sort_by_key(|it| (it.a, it.b, it.outer));

    let mut out = Vec::with_capacity(items.len());
    // Running deltas: new - old (from outer edits seen) and src - old (from inner edits seen).
    let (mut d_new, mut d_src) = (0isize, 0isize);
    let mut i = 0;
    while i < items.len() {
        let a = items[i].a;
        let mut b = items[i].b;
        let (start_new, start_src) = (a as isize + d_new, a as isize + d_src);
        let mut j = i;
        while j < items.len() && (j == i || items[j].a < b) {
            let it = items[j];
            b = b.max(it.b);
            if it.outer {
                let e = outer[it.idx];
                d_new += e.text_len() as isize - e.src_len() as isize;
            } else {
                let e = inner[it.idx];
                d_src += e.src_len() as isize - e.text_len() as isize;
            }
            j += 1;
        }
        let (end_new, end_src) = (b as isize + d_new, b as isize + d_src);
        out.push(Edit {
            text_start: start_new as usize,
            text_end: end_new as usize,
            src_start: start_src as usize,
            src_end: end_src as usize,
        });
        i = j;
    }
    out.retain(|e| e.text_len() > 0 || e.src_len() > 0);
    out
}

/// Builds a new text from an old one while recording the edits between them.
///
/// ```
/// use docpipe_core::align::{Alignment, Rewriter, reconstruct_source};
///
/// let old = "Home SecretaryJane said “no”";
/// let mut r = Rewriter::new(old);
/// r.insert(14, " ");                                 // SecretaryJane -> Secretary Jane
/// r.replace(24, 27, "\"");                           // curly quotes -> straight
/// r.replace(29, 32, "\"");
/// let (text, edits) = r.finish();
/// assert_eq!(text, "Home Secretary Jane said \"no\"");
/// // Any range of the new text maps back to the bytes that produced it...
/// let (a, b) = Alignment::new(&edits).source_range(25, 29);
/// assert_eq!(&old[a..b], "“no”");
/// // ...and the old text can be rebuilt exactly.
/// assert_eq!(reconstruct_source(text.as_bytes(), &edits, old.as_bytes()).unwrap(), old.as_bytes());
/// ```
///
/// Copy unchanged stretches with [`Rewriter::copy_to`] (or let [`Rewriter::finish`] copy the
/// rest) and record changes with [`Rewriter::replace`].
#[derive(Debug)]
pub struct Rewriter<'a> {
    old: &'a str,
    out: String,
    edits: Vec<Edit>,
    pos: usize,
}

impl<'a> Rewriter<'a> {
    /// Starts rewriting `old`.
    pub fn new(old: &'a str) -> Self {
        Rewriter { old, out: String::with_capacity(old.len()), edits: Vec::new(), pos: 0 }
    }

    /// The position in the old text up to which output has been produced.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The new text produced so far.
    pub fn output(&self) -> &str {
        &self.out
    }

    /// Copies the old text verbatim up to `old_pos` (no-op if already past it).
    pub fn copy_to(&mut self, old_pos: usize) {
        if old_pos > self.pos {
            let end = old_pos.min(self.old.len());
            self.out.push_str(&self.old[self.pos..end]);
            self.pos = end;
        }
    }

    /// Replaces `old[start..end]` with `new` (copying anything before `start` first).
    /// `start` must not be before [`Rewriter::position`].
    pub fn replace(&mut self, start: usize, end: usize, new: &str) {
        self.copy_to(start);
        let start = self.pos.max(start);
        let end = end.max(start).min(self.old.len());
        if &self.old[start..end] == new {
            self.copy_to(end);
            return;
        }
        let t0 = self.out.len();
        self.out.push_str(new);
        let e = Edit { text_start: t0, text_end: self.out.len(), src_start: start, src_end: end };
        // Adjacent edits stay separate: a span ending between them maps exactly.
        self.edits.push(e);
        self.pos = end;
    }

    /// Inserts `new` at `old_pos` without consuming old text.
    pub fn insert(&mut self, old_pos: usize, new: &str) {
        self.replace(old_pos, old_pos, new);
    }

    /// Deletes `old[start..end]`.
    pub fn delete(&mut self, start: usize, end: usize) {
        self.replace(start, end, "");
    }

    /// Copies the rest and returns the new text and its edits (src side = old-text offsets).
    pub fn finish(mut self) -> (String, Vec<Edit>) {
        self.copy_to(self.old.len());
        (self.out, self.edits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rewrite(old: &str, ops: &[(usize, usize, String)]) -> (String, Vec<Edit>) {
        let mut r = Rewriter::new(old);
        for (s, e, new) in ops {
            let s = floor(old, (*s).max(r.position()));
            let e = floor(old, (*e).max(s));
            if s < r.position() {
                continue;
            }
            r.replace(s, e, new);
        }
        r.finish()
    }

    fn floor(s: &str, mut i: usize) -> usize {
        i = i.min(s.len());
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    #[test]
    fn mapping_through_replacements() {
        // "a’b" -> "a'b": the curly quote (3 bytes) becomes one byte.
        let (text, edits) = rewrite("a’b c", &[(1, 4, "'".into())]);
        assert_eq!(text, "a'b c");
        let al = Alignment::new(&edits);
        assert_eq!(al.source_range(0, 1), (0, 1));
        assert_eq!(al.source_range(1, 2), (1, 4));
        assert_eq!(al.source_range(2, 5), (4, 7));
        assert_eq!(al.source_range(0, 5), (0, 7));
    }

    #[test]
    fn insertion_and_deletion() {
        let (text, edits) = rewrite("ab\u{0}cd", &[(1, 1, " ".into()), (2, 3, String::new())]);
        assert_eq!(text, "a bcd");
        let al = Alignment::new(&edits);
        assert_eq!(al.source_range(2, 5), (1, 5));
        assert_eq!(al.source_range(0, 1), (0, 1));
        assert_eq!(reconstruct_source(text.as_bytes(), &edits, "ab\u{0}cd".as_bytes()).unwrap(), b"ab\0cd");
    }

    #[test]
    fn compose_two_rewrites() {
        let src = "x “quoted”  text";
        let (t1, e1) = rewrite(src, &[(2, 5, "\"".into()), (11, 14, "\"".into())]);
        assert_eq!(t1, "x \"quoted\"  text");
        let (t2, e2) = rewrite(&t1, &[(10, 12, " ".into())]);
        assert_eq!(t2, "x \"quoted\" text");
        let all = compose(&e1, &e2);
        validate(&all, t2.len(), src.len()).unwrap();
        assert_eq!(reconstruct_source(t2.as_bytes(), &all, src.as_bytes()).unwrap(), src.as_bytes());
        let al = Alignment::new(&all);
        let (s, e) = al.source_range(3, 9);
        assert_eq!(&src[s..e], "quoted");
    }

    fn op_strategy() -> impl Strategy<Value = Vec<(usize, usize, String)>> {
        prop::collection::vec((0usize..40, 0usize..6, "[a-z’ \u{0}é]{0,3}"), 0..8).prop_map(|v| {
            let mut ops: Vec<(usize, usize, String)> = v.into_iter().map(|(s, l, n)| (s, s + l, n)).collect();
            ops.sort_by_key(|o| o.0);
            ops
        })
    }

    proptest! {
        #[test]
        fn rewrites_compose_and_reconstruct(src in "[a-zé’ \u{0}]{0,40}", ops1 in op_strategy(), ops2 in op_strategy()) {
            let (t1, e1) = rewrite(&src, &ops1);
            prop_assert!(validate(&e1, t1.len(), src.len()).is_ok());
            prop_assert_eq!(reconstruct_source(t1.as_bytes(), &e1, src.as_bytes()).unwrap(), src.as_bytes());
            let (t2, e2) = rewrite(&t1, &ops2);
            let all = compose(&e1, &e2);
            prop_assert!(validate(&all, t2.len(), src.len()).is_ok(), "{:?}", validate(&all, t2.len(), src.len()));
            prop_assert_eq!(reconstruct_source(t2.as_bytes(), &all, src.as_bytes()).unwrap(), src.as_bytes());
            // Every text range maps to a source range inside the source, ordered.
            let al = Alignment::new(&all);
            for a in 0..=t2.len() {
                for b in a..=t2.len() {
                    let (s, e) = al.source_range(a, b);
                    prop_assert!(s <= e && e <= src.len());
                    if t2.is_char_boundary(a) && t2.is_char_boundary(b) {
                        prop_assert!(src.is_char_boundary(s) && src.is_char_boundary(e));
                    }
                }
            }
        }
    }
}
