//! Character references with their positions: `&amp;`, the legacy names without `;` (`&copy`,
//! `&notit;` read as `¬` + `it;`), `&#8217;`, `&#x2019;`, with the WHATWG replacements for
//! numeric references (0, surrogates and values past U+10FFFF become U+FFFD; 0x80–0x9F are
//! read as windows-1252). The named table is htmlize's copy of the WHATWG `entities.json`.
//!
//! [`char_ref`] looks at one `&` and says where the reference ends and what it stands for, so
//! the renderer can replace exactly those bytes and a span over the decoded character maps
//! back to the whole reference.

use htmlize::{BARE_ENTITY_MAX_LENGTH, ENTITIES, ENTITY_MAX_LENGTH, ENTITY_MIN_LENGTH};

/// Characters a reader never sees and that only break words apart for whoever processes the
/// text: soft hyphen, zero-width space, word joiner and the invisible operators, byte order
/// mark (as trafilatura drops non-printable characters, and `normalise` does later). Zero-width
/// joiners and non-joiners stay: emoji and several scripts need them.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// What a character reference decodes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded {
    /// A named reference (one or two code points).
    Str(&'static str),
    /// A numeric reference.
    Char(char),
}

impl Decoded {
    /// Appends the decoded characters to `out`.
    pub fn push_to(self, out: &mut String) {
        match self {
            Decoded::Str(s) => out.push_str(s),
            Decoded::Char(c) => out.push(c),
        }
    }

    /// The decoded text, using `buf` for a numeric reference.
    pub fn as_str(self, buf: &mut [u8; 4]) -> &str {
        match self {
            Decoded::Str(s) => s,
            Decoded::Char(c) => c.encode_utf8(buf),
        }
    }
}

/// windows-1252 readings of 0x80..=0x9F (WHATWG numeric reference end state); 0 = keep the value.
const C1: [u32; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0, 0,
    0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// If `bytes[at]` (which must be `&`) starts a character reference in text, returns the end
/// of the reference and its value; `None` leaves the `&` as a literal character.
pub fn char_ref(bytes: &[u8], at: usize) -> Option<(usize, Decoded)> {
    let rest = bytes.get(at..)?;
    if rest.first() != Some(&b'&') {
        return None;
    }
    if rest.get(1) == Some(&b'#') {
        return numeric(rest).map(|(len, c)| (at + len, Decoded::Char(c)));
    }
    // The longest run of ASCII alphanumerics a name can have, plus `&`.
    let mut end = 1;
    while end < rest.len() && end < ENTITY_MAX_LENGTH && rest[end].is_ascii_alphanumeric() {
        end += 1;
    }
    if end < ENTITY_MIN_LENGTH.saturating_sub(1) {
        return None;
    }
    if rest.get(end) == Some(&b';')
        && let Some(v) = ENTITIES.get(&rest[..=end])
    {
        return std::str::from_utf8(v).ok().map(|s| (at + end + 1, Decoded::Str(s)));
    }
    // Legacy names without `;`: none is a prefix of another, so the shortest match is the match.
    for len in ENTITY_MIN_LENGTH..=end.min(BARE_ENTITY_MAX_LENGTH) {
        if let Some(v) = ENTITIES.get(&rest[..len]) {
            return std::str::from_utf8(v).ok().map(|s| (at + len, Decoded::Str(s)));
        }
    }
    None
}

/// `&#…` at the start of `rest`: (length, character).
fn numeric(rest: &[u8]) -> Option<(usize, char)> {
    let (hex, mut i) = match rest.get(2) {
        Some(b'x' | b'X') => (true, 3),
        _ => (false, 2),
    };
    let digits_start = i;
    let mut value: u32 = 0;
    while let Some(&b) = rest.get(i) {
        let d = match (hex, b) {
            (_, b'0'..=b'9') => u32::from(b - b'0'),
            (true, b'a'..=b'f') => u32::from(b - b'a' + 10),
            (true, b'A'..=b'F') => u32::from(b - b'A' + 10),
            _ => break,
        };
        value = value.saturating_mul(if hex { 16 } else { 10 }).saturating_add(d).min(0x11_0000);
        i += 1;
    }
    if i == digits_start {
        return None;
    }
    if rest.get(i) == Some(&b';') {
        i += 1;
    }
    let c = match value {
        0 => '\u{FFFD}',
        0x80..=0x9F => {
            let mapped = C1[(value - 0x80) as usize];
            char::from_u32(if mapped == 0 { value } else { mapped }).unwrap_or('\u{FFFD}')
        }
        v => char::from_u32(v).unwrap_or('\u{FFFD}'),
    };
    Some((i, c))
}

/// Decodes every reference in `s` (for attribute values and titles, where positions are not needed).
pub fn decode_all(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'&', &bytes[i..]) {
        let at = i + off;
        if let Some((end, d)) = char_ref(bytes, at) {
            out.push_str(&s[last..at]);
            d.push_to(&mut out);
            last = end;
            i = end;
        } else {
            i = at + 1;
        }
    }
    out.push_str(&s[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Option<(usize, String)> {
        char_ref(s.as_bytes(), 0).map(|(end, d)| {
            let mut out = String::new();
            d.push_to(&mut out);
            (end, out)
        })
    }

    #[test]
    fn named_references() {
        assert_eq!(one("&amp;x"), Some((5, "&".into())));
        assert_eq!(one("&AMP x"), Some((4, "&".into())));
        assert_eq!(one("&copy2020"), Some((5, "©".into())));
        assert_eq!(one("&notit;"), Some((4, "¬".into())));
        assert_eq!(one("&notin;"), Some((7, "∉".into())));
        assert_eq!(one("&nosuch;"), None);
        assert_eq!(one("&;"), None);
        assert_eq!(one("&"), None);
        assert_eq!(one("& b"), None);
        assert_eq!(one("&NotEqualTilde;"), Some((15, "≂\u{338}".into())));
    }

    #[test]
    fn numeric_references() {
        assert_eq!(one("&#8217;"), Some((7, "\u{2019}".into())));
        assert_eq!(one("&#x2019;"), Some((8, "\u{2019}".into())));
        assert_eq!(one("&#X41"), Some((5, "A".into())));
        assert_eq!(one("&#0;"), Some((4, "\u{FFFD}".into())));
        assert_eq!(one("&#x110000;"), Some((10, "\u{FFFD}".into())));
        assert_eq!(one("&#99999999999999999999;"), Some((23, "\u{FFFD}".into())));
        assert_eq!(one("&#xD800;"), Some((8, "\u{FFFD}".into())));
        assert_eq!(one("&#128;"), Some((6, "\u{20AC}".into())));
        assert_eq!(one("&#129;"), Some((6, "\u{81}".into())));
        assert_eq!(one("&#;"), None);
        assert_eq!(one("&#x;"), None);
    }

    #[test]
    fn decodes_whole_strings() {
        assert_eq!(decode_all("Tom &amp; Jerry&#8217;s &bogus; &"), "Tom & Jerry\u{2019}s &bogus; &");
    }
}
