//! Hashing: the one hash whose values reach the output, and the hasher for in-memory tables.
//!
//! [`fnv1a`] (64-bit FNV-1a) is the stable hash of the project: its values are written out
//! (entity ids `E` + 16 hex digits are the hash of label and folded name) or identify words
//! and terms inside a document ([`word_hash`]), so it must never change; a test pins known
//! values. Every stage that needs a deterministic hash of text uses it rather than writing
//! its own.
//!
//! Hash tables that live only in memory (keyed by words, stems or already-mixed hashes) use
//! [`FastHashMap`]/[`FastHashSet`]: `foldhash` with its fixed seed, so runs are
//! reproducible. No stage may let the iteration order of such a table reach its output
//! (sort first), so the hasher behind them is free to change.

use std::collections::{HashMap, HashSet};

/// The 64-bit FNV-1a offset basis: the hash of the empty input.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// The 64-bit FNV-1a prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// One FNV-1a step: `h` after one more byte `b`.
#[inline(always)]
pub fn fnv1a_step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
}

/// 64-bit FNV-1a of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| fnv1a_step(h, b))
}

/// FNV-1a steps over the UTF-8 bytes of the lower-case form of `s`, from state `h`.
#[inline]
pub fn fnv1a_lower(mut h: u64, s: &str) -> u64 {
    for c in s.chars().flat_map(char::to_lowercase) {
        let mut buf = [0u8; 4];
        h = c.encode_utf8(&mut buf).bytes().fold(h, fnv1a_step);
    }
    h
}

/// FNV-1a hash of a word, lower-cased (Unicode lower case): a cheap, deterministic word
/// identity. Equal to `fnv1a(w.to_lowercase().as_bytes())` except for the few characters
/// whose lower case depends on context (a final `Σ`), which are lower-cased one by one.
pub fn word_hash(w: &str) -> u64 {
    if w.is_ascii() {
        return w.bytes().fold(FNV_OFFSET, |h, b| fnv1a_step(h, b.to_ascii_lowercase()));
    }
    fnv1a_lower(FNV_OFFSET, w)
}

/// The hasher builder of in-memory tables: `foldhash`, fixed seed.
pub type FastBuildHasher = foldhash::fast::FixedState;

/// A `HashMap` for in-memory tables (see the module docs: never let its order reach output).
pub type FastHashMap<K, V> = HashMap<K, V, FastBuildHasher>;

/// A `HashSet` for in-memory tables (see the module docs: never let its order reach output).
pub type FastHashSet<T> = HashSet<T, FastBuildHasher>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_values_are_pinned() {
        // Published FNV-1a 64 test vectors, and values docpipe has written out.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(fnv1a(b"PERSON\tanna keller"), 0xbeda_e0dd_00d4_2ccc);
    }

    #[test]
    fn word_hash_is_fnv1a_of_the_lower_case_form() {
        for w in ["the", "The", "THE", "Kenya's", "don’t", "ÉCOLE", "İstanbul", "straße", "ΣΟΦΊΑ"] {
            let lower: String = w.chars().flat_map(char::to_lowercase).collect();
            assert_eq!(word_hash(w), fnv1a(lower.as_bytes()), "{w}");
        }
        assert_eq!(word_hash("Port"), fnv1a(b"port"));
    }
}
