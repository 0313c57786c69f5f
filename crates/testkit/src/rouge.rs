//! ROUGE-1, ROUGE-2 and ROUGE-L (Lin, 2004) for evaluating summaries against references.
//!
//! Tokenisation follows Google's `rouge-score` package: lower-case, every character other
//! than `a-z` and `0-9` is a separator. With a stemmer, tokens longer than three characters
//! go through it (the summarise evaluation passes `docpipe_summarise::text::stem`, the stage's
//! own light stemmer; the stemmer is a parameter so this crate needs no plugin);
//! `rouge-score` uses the Porter stemmer instead, so absolute figures differ slightly from it
//! (the Python peer script reports both scorers side by side). ROUGE-N uses clipped n-gram counts; ROUGE-L is the
//! sentence-level LCS F-measure over the whole text (`rougeL`, not `rougeLsum`).

use std::collections::HashMap;

/// Precision, recall and F1 of one ROUGE measure.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Prf {
    /// Precision.
    pub p: f64,
    /// Recall.
    pub r: f64,
    /// F1.
    pub f: f64,
}

impl Prf {
    fn new(hits: usize, cand: usize, refs: usize) -> Prf {
        let p = if cand > 0 { hits as f64 / cand as f64 } else { 0.0 };
        let r = if refs > 0 { hits as f64 / refs as f64 } else { 0.0 };
        let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        Prf { p, r, f }
    }
}

/// ROUGE-1, ROUGE-2 and ROUGE-L of one candidate against one reference.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scores {
    /// Unigram overlap.
    pub rouge1: Prf,
    /// Bigram overlap.
    pub rouge2: Prf,
    /// Longest common subsequence.
    pub rouge_l: Prf,
}

/// A stemmer for [`score`]: a word (lower case, `a-z0-9`, longer than three bytes) to its stem.
pub type Stemmer = fn(&str) -> String;

/// Tokens as `rouge-score` makes them, optionally stemmed.
pub fn tokens(s: &str, stem: Option<Stemmer>) -> Vec<String> {
    let lower = s.to_lowercase();
    lower
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .map(|t| match stem {
            Some(stem) if t.len() > 3 => stem(t),
            _ => t.to_owned(),
        })
        .collect()
}

fn ngram_prf(c: &[String], r: &[String], n: usize) -> Prf {
    let grams = |t: &[String]| -> HashMap<Vec<String>, usize> {
        let mut m = HashMap::new();
        for w in t.windows(n) {
            *m.entry(w.to_vec()).or_insert(0) += 1;
        }
        m
    };
    let (gc, gr) = (grams(c), grams(r));
    let hits: usize = gc.iter().map(|(g, &k)| k.min(gr.get(g).copied().unwrap_or(0))).sum();
    Prf::new(hits, c.len().saturating_sub(n - 1), r.len().saturating_sub(n - 1))
}

fn lcs(a: &[String], b: &[String]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y { prev[j] + 1 } else { cur[j].max(prev[j + 1]) };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Scores `candidate` against `reference`.
pub fn score(candidate: &str, reference: &str, stem: Option<Stemmer>) -> Scores {
    let (c, r) = (tokens(candidate, stem), tokens(reference, stem));
    Scores {
        rouge1: ngram_prf(&c, &r, 1),
        rouge2: ngram_prf(&c, &r, 2),
        rouge_l: Prf::new(lcs(&c, &r), c.len(), r.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // The worked example of the rouge-score README: "The quick brown fox jumps over the
        // lazy dog" against "The quick brown dog jumps on the log." gives rouge1 P=0.75,
        // R=0.667 and rougeL P=0.625, R=0.556.
        let s = score("The quick brown dog jumps on the log.", "The quick brown fox jumps over the lazy dog", None);
        assert!((s.rouge1.p - 0.75).abs() < 1e-9 && (s.rouge1.r - 6.0 / 9.0).abs() < 1e-9);
        assert!((s.rouge_l.p - 0.625).abs() < 1e-9 && (s.rouge_l.r - 5.0 / 9.0).abs() < 1e-9);
        assert!((s.rouge2.p - 2.0 / 7.0).abs() < 1e-9 && (s.rouge2.r - 2.0 / 8.0).abs() < 1e-9);
        let same = score("a b c", "a b c", Some(|w: &str| w.to_owned()));
        assert_eq!(same.rouge2.f, 1.0);
        assert_eq!(score("", "a b", None).rouge1.f, 0.0);
        // The stemmer applies to tokens longer than three bytes only.
        let cut = |w: &str| w[..3].to_owned();
        assert_eq!(score("walking", "walked", Some(cut)).rouge1.f, 1.0);
        assert_eq!(score("walking", "walked", None).rouge1.f, 0.0);
    }
}
