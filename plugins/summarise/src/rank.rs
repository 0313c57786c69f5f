//! Sentence scoring and selection: the summarisation methods, MMR and the budgets.
//!
//! Every method scores a list of [`Unit`]s (candidate sentences, possibly from several
//! documents); [`select`] then picks sentences greedily by score with maximal marginal
//! relevance (MMR) against what is already chosen, never past the budget, and the caller
//! puts the chosen sentences back in document order.
//!
//! - `lead`: the first sentences, in order.
//! - `lexrank` (Erkan and Radev, 2004): TF-IDF cosine graph with edges at similarity ≥ 0.1,
//!   stationary distribution of a damped random walk (PageRank, d = 0.85).
//! - `textrank` (Mihalcea and Tarau, 2004): word-overlap similarity
//!   `|Si ∩ Sj| / (ln|Si| + ln|Sj|)` as weighted edges, weighted PageRank.
//! - `centroid` (Radev et al., 2004): cosine similarity to the mean TF-IDF vector.
//! - `news` (default): continuous LexRank centrality (cosine weights, no threshold) mixed
//!   with a position prior `1 / (1 + i)^0.5` over the sentence's rank in its document,
//!   weighted by `position_weight`; news puts what matters first, and centrality keeps a
//!   lead sentence that is off-topic (a scene-setting anecdote) from winning alone.
//!
//! TF-IDF weights use the candidate sentences themselves as the collection (smoothed
//! `idf = ln((1 + N) / (1 + df)) + 1`), stop words removed, words stemmed. Graph work is
//! bounded: above `max_graph` sentences, only the `max_graph` sentences closest to the
//! centroid enter the graph (O(n) prefilter) and the others score zero centrality, so a
//! 10,000-sentence document costs O(n + max_graph²).

use std::collections::HashMap;

use serde::Deserialize;

use crate::text;

/// FNV-1a: a fast, deterministic hasher for the term table (keys are short words; the
/// table is never iterated, so hash-flooding order does not matter here).
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// A `BuildHasher` for [`Fnv`].
pub type FastHash = std::hash::BuildHasherDefault<Fnv>;

/// A summarisation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// First sentences in order.
    Lead,
    /// TextRank: word-overlap graph, PageRank.
    Textrank,
    /// LexRank: thresholded TF-IDF cosine graph, PageRank.
    Lexrank,
    /// Similarity to the TF-IDF centroid.
    Centroid,
    /// Centrality mixed with a position prior (default).
    #[default]
    News,
}

impl Method {
    /// The method's name as written in the config.
    pub fn name(self) -> &'static str {
        match self {
            Method::Lead => "lead",
            Method::Textrank => "textrank",
            Method::Lexrank => "lexrank",
            Method::Centroid => "centroid",
            Method::News => "news",
        }
    }
}

/// One candidate sentence to score.
#[derive(Debug, Clone, Copy)]
pub struct Unit<'a> {
    /// The sentence text.
    pub text: &'a str,
    /// Its rank among the candidate sentences of its own document (0 = first).
    pub position: usize,
}

/// Scoring parameters.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// The method.
    pub method: Method,
    /// Weight of the position prior in `news` (0..=1).
    pub position_weight: f64,
    /// At most this many sentences enter a sentence graph.
    pub max_graph: usize,
}

/// The budget of a summary; `None` means no limit of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// At most this many sentences.
    pub sentences: Option<usize>,
    /// At most this many words (whitespace-separated) in all.
    pub words: Option<usize>,
}

/// Sparse, L2-normalised TF-IDF vectors and term sets of a list of sentences.
#[derive(Debug, Clone, Default)]
pub struct Vectors {
    /// Per sentence: `(term, weight)` sorted by term, unit length (empty for no terms).
    pub tfidf: Vec<Vec<(u32, f32)>>,
    /// Per sentence: distinct terms, sorted.
    pub sets: Vec<Vec<u32>>,
    /// Per sentence: whitespace-separated words (for budgets).
    pub words: Vec<usize>,
}

impl Vectors {
    /// Analyses the sentences: words, stop words out, stems, term ids, TF-IDF.
    pub fn new(texts: &[&str]) -> Vectors {
        let mut ids: HashMap<String, u32, FastHash> = HashMap::default();
        let mut counts: Vec<Vec<(u32, f32)>> = Vec::with_capacity(texts.len());
        let mut lower = String::new();
        let mut stem = String::new();
        let mut terms: Vec<u32> = Vec::new();
        for t in texts {
            terms.clear();
            for (_, w) in text::words(t) {
                lower.clear();
                if w.is_ascii() {
                    lower.push_str(w);
                    lower.make_ascii_lowercase();
                } else {
                    lower.extend(w.chars().flat_map(char::to_lowercase));
                }
                if text::is_stop_word(&lower) {
                    continue;
                }
                text::stem_into(&lower, &mut stem);
                let id = match ids.get(stem.as_str()) {
                    Some(&id) => id,
                    None => {
                        let id = ids.len() as u32;
                        ids.insert(stem.clone(), id);
                        id
                    }
                };
                terms.push(id);
            }
            terms.sort_unstable();
            let mut tf: Vec<(u32, f32)> = Vec::new();
            for &id in &terms {
                match tf.last_mut() {
                    Some((last, c)) if *last == id => *c += 1.0,
                    _ => tf.push((id, 1.0)),
                }
            }
            counts.push(tf);
        }
        let mut df = vec![0u32; ids.len()];
        for tf in &counts {
            for &(id, _) in tf {
                df[id as usize] += 1;
            }
        }
        let n = texts.len() as f32;
        let sets = counts.iter().map(|tf| tf.iter().map(|&(id, _)| id).collect()).collect();
        let tfidf = counts
            .into_iter()
            .map(|mut tf| {
                for (id, w) in tf.iter_mut() {
                    *w *= ((1.0 + n) / (1.0 + df[*id as usize] as f32)).ln() + 1.0;
                }
                let norm = tf.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
                if norm > 0.0 {
                    tf.iter_mut().for_each(|(_, w)| *w /= norm);
                }
                tf
            })
            .collect();
        let words = texts.iter().map(|t| t.split_whitespace().count()).collect();
        Vectors { tfidf, sets, words }
    }

    /// Cosine similarity of sentences `i` and `j`.
    pub fn cosine(&self, i: usize, j: usize) -> f32 {
        dot(&self.tfidf[i], &self.tfidf[j])
    }
}

fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

fn overlap(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Cosine similarity of every sentence to the centroid of all of them.
fn centroid_scores(v: &Vectors) -> Vec<f64> {
    let mut centroid: HashMap<u32, f32> = HashMap::new();
    for vec in &v.tfidf {
        for &(id, w) in vec {
            *centroid.entry(id).or_insert(0.0) += w;
        }
    }
    let mut c: Vec<(u32, f32)> = centroid.into_iter().collect();
    c.sort_unstable_by_key(|&(id, _)| id);
    let norm = c.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        c.iter_mut().for_each(|(_, w)| *w /= norm);
    }
    v.tfidf.iter().map(|s| f64::from(dot(s, &c))).collect()
}

/// Stationary distribution of a damped random walk over a weighted graph given as
/// adjacency lists (`edges[i]` = `(j, weight)`, not yet normalised). Rows without edges
/// jump uniformly.
fn pagerank(edges: &[Vec<(u32, f32)>]) -> Vec<f64> {
    const DAMPING: f64 = 0.85;
    let n = edges.len();
    if n == 0 {
        return Vec::new();
    }
    // Row-normalised transition probabilities.
    let rows: Vec<Vec<(u32, f64)>> = edges
        .iter()
        .map(|row| {
            let sum: f64 = row.iter().map(|&(_, w)| f64::from(w)).sum();
            if sum > 0.0 { row.iter().map(|&(j, w)| (j, f64::from(w) / sum)).collect() } else { Vec::new() }
        })
        .collect();
    let mut p = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    for _ in 0..100 {
        let dangling: f64 = (0..n).filter(|&i| rows[i].is_empty()).map(|i| p[i]).sum();
        let base = (1.0 - DAMPING) / n as f64 + DAMPING * dangling / n as f64;
        next.iter_mut().for_each(|x| *x = base);
        for (i, row) in rows.iter().enumerate() {
            let share = DAMPING * p[i];
            for &(j, w) in row {
                next[j as usize] += share * w;
            }
        }
        let diff: f64 = p.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut p, &mut next);
        if diff < 1e-7 {
            break;
        }
    }
    p
}

/// The indices that enter the graph: all, or the `max_graph` closest to the centroid.
fn graph_members(v: &Vectors, max_graph: usize) -> Vec<usize> {
    let n = v.tfidf.len();
    if n <= max_graph {
        return (0..n).collect();
    }
    let c = centroid_scores(v);
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| c[b].total_cmp(&c[a]).then(a.cmp(&b)));
    idx.truncate(max_graph);
    idx.sort_unstable();
    idx
}

/// Graph centrality of every sentence with the given edge weight (zero for sentences left
/// out of a bounded graph).
fn graph_scores(v: &Vectors, max_graph: usize, weight: impl Fn(usize, usize) -> f32) -> Vec<f64> {
    let members = graph_members(v, max_graph.max(1));
    let m = members.len();
    let mut edges: Vec<Vec<(u32, f32)>> = vec![Vec::new(); m];
    for a in 0..m {
        for b in a + 1..m {
            let x = weight(members[a], members[b]);
            if x > 0.0 {
                edges[a].push((b as u32, x));
                edges[b].push((a as u32, x));
            }
        }
    }
    let pr = pagerank(&edges);
    let mut out = vec![0.0; v.tfidf.len()];
    for (k, &i) in members.iter().enumerate() {
        out[i] = pr[k];
    }
    out
}

fn normalise(scores: &mut [f64]) {
    let max = scores.iter().copied().fold(f64::MIN, f64::max);
    let min = scores.iter().copied().fold(f64::MAX, f64::min);
    let range = max - min;
    for s in scores.iter_mut() {
        *s = if range > 0.0 { (*s - min) / range } else { 1.0 };
    }
}

/// Scores every unit with the method; higher is better. Scores are normalised to `0..=1`.
pub fn score(units: &[Unit<'_>], v: &Vectors, p: &Params) -> Vec<f64> {
    let n = units.len();
    let mut s = match p.method {
        Method::Lead => units.iter().map(|u| -(u.position as f64)).collect(),
        Method::Centroid => centroid_scores(v),
        Method::Lexrank => graph_scores(v, p.max_graph, |i, j| if v.cosine(i, j) >= 0.1 { 1.0 } else { 0.0 }),
        Method::Textrank => graph_scores(v, p.max_graph, |i, j| {
            let common = overlap(&v.sets[i], &v.sets[j]);
            if common == 0 {
                return 0.0;
            }
            let denom = (v.sets[i].len() as f32).ln() + (v.sets[j].len() as f32).ln();
            common as f32 / if denom > 0.0 { denom } else { 1.0 }
        }),
        Method::News => {
            let mut c = graph_scores(v, p.max_graph, |i, j| v.cosine(i, j));
            normalise(&mut c);
            let w = p.position_weight.clamp(0.0, 1.0);
            units.iter().zip(c).map(|(u, c)| w * (1.0 + u.position as f64).powf(-0.5) + (1.0 - w) * c).collect()
        }
    };
    debug_assert_eq!(s.len(), n);
    normalise(&mut s);
    s
}

/// Selection parameters.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// MMR trade-off: 0 picks by score alone, 1 by novelty alone.
    pub diversity: f64,
    /// Sentences with fewer words are not chosen (unless nothing else fits).
    pub min_words: usize,
    /// Sentences at least this similar (cosine) to a chosen one are never chosen.
    pub duplicate_similarity: f32,
}

/// Picks sentences greedily by MMR within the budget. Returns indices in selection order.
///
/// With `in_order`, candidates are taken in index order instead (`lead`). A sentence that
/// does not fit the remaining word budget is skipped and the next one tried, so the
/// summary never exceeds the budget.
pub fn select(scores: &[f64], v: &Vectors, budget: Budget, sel: &Selection, in_order: bool) -> Vec<usize> {
    let n = scores.len();
    let max_sentences = budget.sentences.unwrap_or(n).min(n);
    let mut chosen: Vec<usize> = Vec::new();
    let mut used = vec![false; n];
    let mut words_left = budget.words.unwrap_or(usize::MAX);
    let long_enough: Vec<bool> = v.words.iter().map(|&w| w >= sel.min_words).collect();
    // If no sentence is long enough, length is not held against any.
    let any_long = long_enough.iter().any(|&b| b);
    let mut max_sim = vec![0f32; n];
    while chosen.len() < max_sentences {
        let mut best: Option<(usize, f64)> = None;
        for i in 0..n {
            if used[i]
                || v.words[i] > words_left
                || (any_long && !long_enough[i])
                || (max_sim[i] >= sel.duplicate_similarity && !chosen.is_empty())
            {
                continue;
            }
            if in_order {
                best = Some((i, 0.0));
                break;
            }
            let mmr = (1.0 - sel.diversity) * scores[i] - sel.diversity * f64::from(max_sim[i]);
            if best.is_none_or(|(_, b)| mmr > b) {
                best = Some((i, mmr));
            }
        }
        let Some((i, _)) = best else { break };
        used[i] = true;
        chosen.push(i);
        words_left -= v.words[i];
        for (j, m) in max_sim.iter_mut().enumerate() {
            if !used[j] {
                *m = m.max(v.cosine(i, j));
            }
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &[&str] = &[
        "The central bank raised its policy rate to 28.5 per cent on Monday.",
        "Analysts had expected a smaller rise in the policy rate.",
        "The weather in the capital was warm.",
        "The bank said the rate rise would curb inflation.",
        "The central bank raised its policy rate to 28.5 per cent on Monday!",
    ];

    fn units() -> Vec<Unit<'static>> {
        DOC.iter().enumerate().map(|(i, t)| Unit { text: t, position: i }).collect()
    }

    fn params(method: Method) -> Params {
        Params { method, position_weight: 0.5, max_graph: 300 }
    }

    const SEL: Selection = Selection { diversity: 0.3, min_words: 0, duplicate_similarity: 0.8 };

    #[test]
    fn every_method_prefers_central_sentences() {
        let v = Vectors::new(DOC);
        for m in [Method::Textrank, Method::Lexrank, Method::Centroid, Method::News] {
            let s = score(&units(), &v, &params(m));
            assert!(s.iter().all(|x| (0.0..=1.0).contains(x)), "{m:?} {s:?}");
            assert!(s[2] < s[0] && s[2] < s[3], "{m:?} ranks the off-topic sentence too high: {s:?}");
        }
        let lead = score(&units(), &v, &params(Method::Lead));
        assert!(lead.windows(2).all(|w| w[0] > w[1]));
    }

    #[test]
    fn selection_respects_budgets_and_skips_duplicates() {
        let v = Vectors::new(DOC);
        let s = score(&units(), &v, &params(Method::News));
        let all = select(&s, &v, Budget { sentences: None, words: None }, &SEL, false);
        assert!(all.contains(&0) && !all.contains(&4), "near-duplicate chosen: {all:?}");
        let two = select(&s, &v, Budget { sentences: Some(2), words: None }, &SEL, false);
        assert_eq!(two.len(), 2);
        let few = select(&s, &v, Budget { sentences: None, words: Some(12) }, &SEL, false);
        assert!(few.iter().map(|&i| v.words[i]).sum::<usize>() <= 12);
        assert!(!few.is_empty());
        let none = select(&s, &v, Budget { sentences: None, words: Some(3) }, &SEL, false);
        assert!(none.is_empty());
        let lead = select(&s, &v, Budget { sentences: Some(2), words: None }, &SEL, true);
        assert_eq!(lead, vec![0, 1]);
    }

    #[test]
    fn graph_is_bounded() {
        let texts: Vec<String> = (0..50).map(|i| format!("word{} shared term number {}", i % 7, i)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let v = Vectors::new(&refs);
        let u: Vec<Unit<'_>> = refs.iter().enumerate().map(|(i, t)| Unit { text: t, position: i }).collect();
        let p = Params { method: Method::Lexrank, position_weight: 0.5, max_graph: 10 };
        let s = score(&u, &v, &p);
        assert_eq!(s.len(), 50);
        assert!(s.iter().filter(|&&x| x > 0.0).count() <= 10);
    }

    #[test]
    fn empty_and_single() {
        let v = Vectors::new(&[]);
        assert!(score(&[], &v, &params(Method::News)).is_empty());
        assert!(select(&[], &v, Budget { sentences: Some(3), words: None }, &SEL, false).is_empty());
        let v = Vectors::new(&["Only one."]);
        let s = score(&[Unit { text: "Only one.", position: 0 }], &v, &params(Method::Textrank));
        assert_eq!(select(&s, &v, Budget { sentences: Some(3), words: None }, &SEL, false), vec![0]);
    }
}
