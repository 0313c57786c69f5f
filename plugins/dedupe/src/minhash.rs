//! Hashing: the 128-bit fingerprint for exact dedupe, word n-gram shingles, MinHash
//! signatures and the LSH banding parameters.
//!
//! **Hash choice.** Everything is hashed with XXH3 (`xxhash-rust`): a well-known,
//! non-cryptographic hash with a published specification, so a value is the same on every
//! platform, thread count and crate version — which a saved index relies on. Exact dedupe
//! keys on `xxh3_128` of the normalised text (collision probability ~2⁻¹²⁸ per pair, i.e.
//! never in practice); shingles are `xxh3_64` values.
//!
//! **MinHash.** Each shingle hash `h` is mapped by `num_perm` multiply-shift functions
//! `((a_i·h + b_i) mod 2⁶⁴) >> 32` (Dietzfelbinger et al., with odd `a_i`; universal for
//! this use) and the signature keeps the minimum of each. Values are 32 bits, like
//! datasketch's, so a signature of 128 permutations is 512 bytes. The coefficients come
//! from a fixed SplitMix64 stream, so signatures are reproducible across runs.
//!
//! **LSH.** The signature is cut into `bands` bands of `rows` values; two units that agree on
//! every value of at least one band become candidates, and every candidate is then verified
//! by its estimated similarity (the share of equal signature values), so banding false
//! positives never reach the output. [`optimal_bands`] picks the banding from the threshold
//! the way datasketch does (minimising the weighted areas under the S-curve), but weights
//! false negatives 9:1 since false positives only cost a verification.

use xxhash_rust::xxh3::{xxh3_64, xxh3_128};

/// The exact-dedupe fingerprint of a normalised text.
pub fn fingerprint(normalised: &str) -> u128 {
    xxh3_128(normalised.as_bytes())
}

/// The sorted, de-duplicated hashes of the word `n`-grams of `words`. A text with fewer
/// than `n` words (but at least one) gives one shingle of all its words.
///
/// Each word is hashed once (XXH3-64); a shingle's hash combines its words' hashes in order
/// (multiply-xor-rotate per word, then the SplitMix64 finaliser), which costs a few
/// instructions per word instead of hashing `8 · n` bytes per window.
pub fn shingles<'a>(words: impl Iterator<Item = &'a str>, n: usize) -> Vec<u64> {
    let word_hashes: Vec<u64> = words.map(|w| xxh3_64(w.as_bytes())).collect();
    let n = n.max(1);
    if word_hashes.is_empty() {
        return Vec::new();
    }
    if word_hashes.len() < n {
        return vec![combine(&word_hashes)];
    }
    let mut out: Vec<u64> = word_hashes.windows(n).map(combine).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The hash of a sequence of word hashes (order-sensitive).
fn combine(hashes: &[u64]) -> u64 {
    combine_values(hashes.len() as u64, hashes.iter().copied())
}

/// An order-sensitive hash of a sequence of values, told apart by `tag` (a length, a band
/// number): multiply-xor-rotate per value, then the SplitMix64 finaliser. Shingle hashes and
/// the index's LSH band keys both use it.
pub fn combine_values(tag: u64, values: impl Iterator<Item = u64>) -> u64 {
    let mut h = 0x243F_6A88_85A3_08D3_u64 ^ tag;
    for v in values {
        h = (h ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// The permutation coefficients of a MinHash family.
#[derive(Debug, Clone)]
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

/// SplitMix64: a tiny, well-known generator for the fixed coefficients.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl MinHasher {
    /// `num_perm` permutations drawn from `seed`.
    pub fn new(num_perm: usize, seed: u64) -> Self {
        let mut state = seed;
        let a = (0..num_perm).map(|_| splitmix64(&mut state) | 1).collect();
        let b = (0..num_perm).map(|_| splitmix64(&mut state)).collect();
        MinHasher { a, b }
    }

    /// The number of permutations.
    pub fn num_perm(&self) -> usize {
        self.a.len()
    }

    /// The signature of a set of shingle hashes (all `u32::MAX` for an empty set).
    pub fn signature(&self, shingles: &[u64]) -> Vec<u32> {
        let mut sig = vec![u32::MAX; self.a.len()];
        // Four shingles per pass over the permutations: each coefficient pair is loaded and
        // each signature value stored once per four shingles instead of once per shingle
        // (the loop is bound by those loads and stores, not by the multiplications).
        let mut blocks = shingles.chunks_exact(4);
        for block in &mut blocks {
            let hs: [u64; 4] = std::array::from_fn(|k| block[k]);
            for ((s, &a), &b) in sig.iter_mut().zip(&self.a).zip(&self.b) {
                let m = hs.iter().map(|&h| (a.wrapping_mul(h).wrapping_add(b) >> 32) as u32).fold(*s, u32::min);
                *s = m;
            }
        }
        for &h in blocks.remainder() {
            for ((s, &a), &b) in sig.iter_mut().zip(&self.a).zip(&self.b) {
                let v = (a.wrapping_mul(h).wrapping_add(b) >> 32) as u32;
                if v < *s {
                    *s = v;
                }
            }
        }
        sig
    }
}

/// The estimated Jaccard similarity of two signatures: the share of equal values.
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

/// The probability that a pair of Jaccard similarity `s` becomes an LSH candidate.
pub fn candidate_probability(s: f64, bands: usize, rows: usize) -> f64 {
    1.0 - (1.0 - s.powi(rows as i32)).powi(bands as i32)
}

fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    // Composite Simpson's rule; the integrands are smooth polynomials.
    let n = 200;
    let h = (b - a) / n as f64;
    let mut sum = f(a) + f(b);
    for i in 1..n {
        let x = a + i as f64 * h;
        sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(x);
    }
    sum * h / 3.0
}

/// The banding `(bands, rows)` with `bands · rows <= num_perm` that minimises
/// `fp_weight · P(candidate | s < threshold) + fn_weight · P(miss | s >= threshold)`
/// (areas under the S-curve, as datasketch's `_optimal_param`). The first minimum wins.
pub fn optimal_bands(threshold: f64, num_perm: usize, fp_weight: f64, fn_weight: f64) -> (usize, usize) {
    let mut best = (1, num_perm.max(1));
    let mut best_err = f64::INFINITY;
    for b in 1..=num_perm {
        for r in 1..=num_perm / b {
            let fp = integrate(|s| candidate_probability(s, b, r), 0.0, threshold);
            let fnr = integrate(|s| 1.0 - candidate_probability(s, b, r), threshold, 1.0);
            let err = fp_weight * fp + fn_weight * fnr;
            if err < best_err {
                best_err = err;
                best = (b, r);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shingle_text(t: &str, n: usize) -> Vec<u64> {
        shingles(t.split_whitespace(), n)
    }

    #[test]
    fn shingles_of_short_and_long_texts() {
        assert_eq!(shingle_text("", 3).len(), 0);
        assert_eq!(shingle_text("one two", 3).len(), 1);
        assert_eq!(shingle_text("a b c d e", 3).len(), 3);
        assert_eq!(shingle_text("a b a b a b", 2).len(), 2);
        assert_ne!(shingle_text("a b c", 3), shingle_text("a c b", 3));
    }

    #[test]
    fn signature_estimates_jaccard() {
        let mh = MinHasher::new(256, 7);
        let h = |r: std::ops::Range<u64>| r.map(|i| xxh3_64(&i.to_le_bytes())).collect::<Vec<u64>>();
        let a = h(0..1000);
        let b = h(200..1200); // Jaccard 800/1200
        let est = estimate(&mh.signature(&a), &mh.signature(&b));
        assert!((est - 2.0 / 3.0).abs() < 0.08, "{est}");
        assert_eq!(estimate(&mh.signature(&a), &mh.signature(&a)), 1.0);
        let c = h(5000..6000);
        assert!(estimate(&mh.signature(&a), &mh.signature(&c)) < 0.05);
    }

    #[test]
    fn same_seed_same_signature() {
        let s = shingle_text("the quick brown fox jumps", 2);
        assert_eq!(MinHasher::new(64, 1).signature(&s), MinHasher::new(64, 1).signature(&s));
        assert_ne!(MinHasher::new(64, 1).signature(&s), MinHasher::new(64, 2).signature(&s));
    }

    #[test]
    fn banding_favours_recall_at_the_threshold() {
        let (b, r) = optimal_bands(0.8, 128, 0.1, 0.9);
        assert!(b * r <= 128);
        assert!(candidate_probability(0.8, b, r) > 0.85, "{b}x{r}");
        assert!(candidate_probability(0.85, b, r) > 0.95, "{b}x{r}");
        assert!(candidate_probability(0.3, b, r) < 0.05, "{b}x{r}");
        // datasketch's equal weights at 0.5 (a known point of its parameter search).
        let (b2, r2) = optimal_bands(0.5, 128, 0.5, 0.5);
        assert!(b2 * r2 <= 128 && candidate_probability(0.5, b2, r2) > 0.4);
    }
}
