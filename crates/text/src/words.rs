//! Words: scanning them (with their offsets and hashes, in one pass) and counting them.
//!
//! A word ([`words`]) is a maximal run of alphanumeric characters, with an apostrophe inside
//! a word kept (`don't`, `Kenya's`); [`hashed_words`] adds each word's
//! [`word_hash`](crate::hash::word_hash) computed
//! in the same scan. [`count_words`] counts whitespace-separated words exactly as
//! `split_whitespace` does, faster. Used by the summariser's term vectors and by the
//! pull-quote rule of [`crate::lines`].

use crate::hash::{FNV_OFFSET, fnv1a_lower, fnv1a_step};

/// The number of whitespace-separated words of `s`: exactly `s.split_whitespace().count()`.
/// Runs of ASCII are counted in a branch-free loop; a character is decoded only at a
/// non-ASCII byte.
pub fn count_words(s: &str) -> usize {
    // ASCII characters with the Unicode White_Space property: tab to carriage return, space.
    let space = |c: u8| c == b' ' || (b'\t'..=b'\r').contains(&c);
    let b = s.as_bytes();
    let mut n = 0;
    let mut prev_space = true;
    let mut i = 0;
    while i < b.len() {
        let j = b[i..].iter().position(|&c| c >= 0x80).map_or(b.len(), |k| i + k);
        if let (Some(&first), Some(&last)) = (b[i..j].first(), b[i..j].last()) {
            let seg = &b[i..j];
            n += usize::from(prev_space && !space(first));
            n += seg[1..].iter().zip(seg).map(|(&c, &p)| usize::from(space(p) & !space(c))).sum::<usize>();
            prev_space = space(last);
        }
        i = j;
        if i < b.len() {
            let (sp, len) = match s.get(i..).and_then(|r| r.chars().next()) {
                Some(ch) => (ch.is_whitespace(), ch.len_utf8()),
                None => (false, 1),
            };
            n += usize::from(prev_space && !sp);
            prev_space = sp;
            i += len;
        }
    }
    n
}

/// The words of `s` with their byte offsets: maximal runs of alphanumeric characters, with
/// apostrophes inside a word kept (`don't`, `Kenya's`).
pub fn words(s: &str) -> Words<'_> {
    Words { s, pos: 0 }
}

/// Iterator over the words of a string (see [`words`]). Scans bytes, decoding a character
/// only at non-ASCII bytes.
#[derive(Debug, Clone)]
pub struct Words<'a> {
    s: &'a str,
    pos: usize,
}

impl Words<'_> {
    /// Whether the character at byte `i` is alphanumeric, and its length in bytes.
    #[inline(always)]
    fn alnum_at(&self, i: usize) -> Option<(bool, usize)> {
        let b = *self.s.as_bytes().get(i)?;
        if b < 0x80 {
            return Some((b.is_ascii_alphanumeric(), 1));
        }
        let c = self.s.get(i..)?.chars().next()?;
        Some((c.is_alphanumeric(), c.len_utf8()))
    }
}

impl<'a> Words<'a> {
    /// The next word and its offset; `on_ascii` sees each ASCII byte of the word and
    /// `on_other` each other character (its bytes), so a caller can hash the word in the
    /// same scan.
    #[inline(always)]
    fn next_with(&mut self, mut on_ascii: impl FnMut(u8), mut on_other: impl FnMut(&str)) -> Option<(usize, &'a str)> {
        let bytes = self.s.as_bytes();
        // Skip to the next alphanumeric character (ASCII bytes in a tight loop).
        loop {
            while self.pos < bytes.len() && bytes[self.pos] < 0x80 && !bytes[self.pos].is_ascii_alphanumeric() {
                self.pos += 1;
            }
            let (alnum, len) = self.alnum_at(self.pos)?;
            if alnum {
                break;
            }
            self.pos += len;
        }
        let start = self.pos;
        loop {
            while self.pos < bytes.len() && bytes[self.pos].is_ascii_alphanumeric() {
                on_ascii(bytes[self.pos]);
                self.pos += 1;
            }
            let Some((alnum, len)) = self.alnum_at(self.pos) else { break };
            // An apostrophe is kept only when a letter or digit follows.
            let keep = alnum || {
                let apostrophe = bytes[self.pos] == b'\'' || self.s[self.pos..].starts_with('’');
                apostrophe && self.alnum_at(self.pos + len).is_some_and(|(a, _)| a)
            };
            if !keep {
                break;
            }
            if len == 1 {
                on_ascii(bytes[self.pos]);
            } else {
                on_other(self.s.get(self.pos..self.pos + len).unwrap_or(""));
            }
            self.pos += len;
        }
        Some((start, &self.s[start..self.pos]))
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        self.next_with(|_| {}, |_| {})
    }
}

/// The words of `s` (as [`words`]) with their [`word_hash`](crate::hash::word_hash), hashed in
/// the same scan.
pub fn hashed_words(s: &str) -> HashedWords<'_> {
    HashedWords { words: Words { s, pos: 0 } }
}

/// Iterator over the words of a string with their hashes (see [`hashed_words`]).
#[derive(Debug, Clone)]
pub struct HashedWords<'a> {
    words: Words<'a>,
}

impl<'a> Iterator for HashedWords<'a> {
    type Item = (&'a str, u64);

    fn next(&mut self) -> Option<(&'a str, u64)> {
        // FNV-1a over the lower-cased characters, exactly as `word_hash`.
        let h = std::cell::Cell::new(FNV_OFFSET);
        let (_, w) = self
            .words
            .next_with(|b| h.set(fnv1a_step(h.get(), b.to_ascii_lowercase())), |c| h.set(fnv1a_lower(h.get(), c)))?;
        Some((w, h.get()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::word_hash;

    /// The straightforward `words`: characters, with one character of look-ahead.
    fn words_by_chars(s: &str) -> Vec<(usize, &str)> {
        let chars: Vec<(usize, char)> = s.char_indices().collect();
        let mut out = Vec::new();
        let mut k = 0;
        while k < chars.len() {
            if !chars[k].1.is_alphanumeric() {
                k += 1;
                continue;
            }
            let start = chars[k].0;
            while k < chars.len() {
                let c = chars[k].1;
                let next_alnum = chars.get(k + 1).is_some_and(|&(_, d)| d.is_alphanumeric());
                if c.is_alphanumeric() || ((c == '\'' || c == '’') && next_alnum) {
                    k += 1;
                } else {
                    break;
                }
            }
            let end = chars.get(k).map_or(s.len(), |&(i, _)| i);
            out.push((start, &s[start..end]));
        }
        out
    }

    /// The fast scans give what the straightforward ones give on `s`.
    fn fast_scans_agree(s: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        proptest::prop_assert_eq!(words(s).collect::<Vec<_>>(), words_by_chars(s));
        let hashed: Vec<(&str, u64)> = hashed_words(s).collect();
        let plain: Vec<(&str, u64)> = words(s).map(|(_, w)| (w, word_hash(w))).collect();
        proptest::prop_assert_eq!(hashed, plain);
        proptest::prop_assert_eq!(count_words(s), s.split_whitespace().count());
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn fast_scans_match_the_straightforward_ones(
            s in "(?s)[a-zA-Z0-9 '’\t\n\u{b}\u{c}\u{1c}\u{85}\u{a0}\u{1680}\u{2000}\u{2003}\u{200a}\u{200b}\u{2028}\u{202f}\u{205f}\u{3000}£éßÉİK“”….,-]{0,80}",
        ) {
            fast_scans_agree(&s)?;
        }

        #[test]
        fn fast_scans_never_panic(s in "(?s).{0,80}") {
            fast_scans_agree(&s)?;
        }
    }

    #[test]
    fn counts_words_like_split_whitespace() {
        for s in [
            "",
            " ",
            "a",
            " a b  c ",
            "a\tb\nc\x0bd\x0ce\rf",
            "x\u{a0}y z",
            "a\x1cb",
            "é  è",
            "one",
            "“Quoted,” she said\u{2003}then left.\u{3000}",
            "\u{a0}\u{a0}",
            "é",
        ] {
            assert_eq!(count_words(s), s.split_whitespace().count(), "{s:?}");
        }
    }

    #[test]
    fn finds_words() {
        let w: Vec<&str> = words("Kenya's port-levy, don’t stop… 3.5%").map(|(_, w)| w).collect();
        assert_eq!(w, vec!["Kenya's", "port", "levy", "don’t", "stop", "3", "5"]);
    }
}
