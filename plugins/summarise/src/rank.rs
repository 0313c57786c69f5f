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
//!   with a position prior over the sentence's rank `i` in its document, weighted by
//!   `position_weight`: `0.3 + 0.7 / (1 + (i / 7)^6)` plus 0.1 for the first sentence, a
//!   lead window of about seven sentences (flat, so centrality decides among them) that
//!   falls to a floor after it.
//!   News and abstracts put what matters first, and centrality keeps a lead sentence that
//!   is off-topic (a scene-setting anecdote, a generic opening) from winning alone.
//!   Sentences over 50 words are scaled down by `50 / words` so that one run-on sentence
//!   does not spend the budget. The shape and constants ([`Tuning`]) were fitted on
//!   training data only: ACLSum train and val, the sample corpus dev split.
//!
//! TF-IDF weights use the candidate sentences themselves as the collection (smoothed
//! `idf = ln((1 + N) / (1 + df)) + 1`), stop words removed, words stemmed. Graph work is
//! bounded: above `max_graph` sentences, only the `max_graph` sentences closest to the
//! centroid enter the graph (one centroid pass and a sort) and the others score zero
//! centrality, so a 10,000-sentence document costs O(n log n + max_graph²). Inside the
//! graph, pairs are found through an inverted index (term → sentences), so only pairs
//! that share a term are ever compared.

use docpipe_text::function_words::is_stop_hash;
use docpipe_text::hash::{FastBuildHasher, FastHashMap, fnv1a};
use docpipe_text::words::{count_words, hashed_words};
use serde::Deserialize;

use crate::text;

/// A summarisation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, serde::Serialize, docpipe_core::OptionType)]
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
    /// Internal constants of the `news` method.
    pub tuning: Tuning,
}

/// Internal constants of the `news` method. They are not stage options: they were fitted
/// once on training data only (ACLSum train and val splits, sample corpus dev split; see
/// `eval/tune.py`) and are kept fixed, so the test splits stay unseen.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Position prior `floor + (1 - floor) / (1 + (i / half)^steep)` over the sentence's
    /// rank `i`: the rank at which the prior is halfway down to its floor.
    pub half: f64,
    /// How sharply the prior falls around `half` (large: a flat lead window, then the floor).
    pub steep: f64,
    /// The prior far from the lead (0..=1).
    pub floor: f64,
    /// Added to the prior of the first sentence (`i = 0`), the likeliest summary sentence of
    /// both news (the lede) and papers (the abstract's opening) in the training data.
    pub first: f64,
    /// Sentences longer than this many words have their score scaled by `long / words`, so a
    /// run-on sentence (a list, a missed boundary) does not spend the budget alone (0: off).
    pub long: f64,
}

impl Default for Tuning {
    /// The fitted values: a lead window of about seven sentences that falls to 0.3 after it,
    /// 0.1 more for the first sentence, and a mild penalty above 50 words.
    fn default() -> Self {
        Tuning { half: 7.0, steep: 6.0, floor: 0.3, first: 0.1, long: 50.0 }
    }
}

impl Tuning {
    /// The position prior of the sentence of rank `i` (`1 + first` at the lead, about 1 in
    /// the window, `floor` far from it).
    pub fn prior(&self, i: usize) -> f64 {
        let x = i as f64 / self.half.max(1e-9);
        let bonus = if i == 0 { self.first } else { 0.0 };
        self.floor + (1.0 - self.floor) / (1.0 + x.powf(self.steep)) + bonus
    }

    /// The length factor of a sentence of `words` words (1 up to `long`).
    pub fn length_factor(&self, words: usize) -> f64 {
        if self.long > 0.0 && words as f64 > self.long { self.long / words as f64 } else { 1.0 }
    }
}

/// The budget of a summary; `None` means no limit of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// At most this many sentences.
    pub sentences: Option<usize>,
    /// At most this many words (whitespace-separated) in all.
    pub words: Option<usize>,
}

/// Sparse, L2-normalised TF-IDF vectors of a list of sentences.
#[derive(Debug, Clone, Default)]
pub struct Vectors {
    /// Per sentence: `(term, weight)` sorted by term, unit length (empty for no terms). The
    /// terms of a sentence are distinct, so this is also its term set.
    pub tfidf: Vec<Vec<(u32, f32)>>,
    /// Per sentence: whitespace-separated words (for budgets).
    pub words: Vec<usize>,
    /// Number of distinct terms (term ids are `0..terms`).
    pub terms: usize,
}

impl Vectors {
    /// Analyses the sentences: words, stop words out, stems, term ids, TF-IDF.
    ///
    /// Terms are identified by the 64-bit FNV-1a hash of their stem, and words by the hash
    /// of their lower-case form, so no string is stored per term or word (two would have to
    /// collide in 64 bits to be conflated). Each distinct word is checked against the stop
    /// words and stemmed once per call; later occurrences are one table lookup.
    pub fn new(texts: &[&str]) -> Vectors {
        /// Marks a stop word in the word table.
        const STOP: u32 = u32::MAX;
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        // Term and word tables are keyed by hashes and never iterated.
        let mut ids: FastHashMap<u64, u32> =
            FastHashMap::with_capacity_and_hasher(bytes / 16, FastBuildHasher::default());
        let mut seen: FastHashMap<u64, u32> =
            FastHashMap::with_capacity_and_hasher(bytes / 12, FastBuildHasher::default());
        let mut counts: Vec<Vec<(u32, f32)>> = Vec::with_capacity(texts.len());
        let mut words = Vec::with_capacity(texts.len());
        let mut lower = String::new();
        let mut stem = String::new();
        let mut terms: Vec<u32> = Vec::new();
        for t in texts {
            terms.clear();
            for (w, key) in hashed_words(t) {
                let id = match seen.get(&key) {
                    Some(&id) => id,
                    None => {
                        let id = if is_stop_hash(key) {
                            STOP
                        } else {
                            lower.clear();
                            if w.is_ascii() {
                                lower.push_str(w);
                                lower.make_ascii_lowercase();
                            } else {
                                lower.extend(w.chars().flat_map(char::to_lowercase));
                            }
                            text::stem_into(&lower, &mut stem);
                            let next = ids.len() as u32;
                            *ids.entry(fnv1a(stem.as_bytes())).or_insert(next)
                        };
                        seen.insert(key, id);
                        id
                    }
                };
                if id != STOP {
                    terms.push(id);
                }
            }
            terms.sort_unstable();
            let mut tf: Vec<(u32, f32)> = Vec::with_capacity(terms.len());
            for &id in &terms {
                match tf.last_mut() {
                    Some((last, c)) if *last == id => *c += 1.0,
                    _ => tf.push((id, 1.0)),
                }
            }
            counts.push(tf);
            words.push(count_words(t));
        }
        let mut df = vec![0u32; ids.len()];
        for tf in &counts {
            for &(id, _) in tf {
                df[id as usize] += 1;
            }
        }
        let n = texts.len() as f32;
        let idf: Vec<f32> = df.iter().map(|&d| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0).collect();
        let mut tfidf = counts;
        for tf in &mut tfidf {
            for (id, w) in tf.iter_mut() {
                *w *= idf[*id as usize];
            }
            let norm = tf.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                tf.iter_mut().for_each(|(_, w)| *w /= norm);
            }
        }
        Vectors { tfidf, words, terms: ids.len() }
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

/// Cosine similarity of every sentence to the centroid of all of them.
fn centroid_scores(v: &Vectors) -> Vec<f64> {
    let mut c = vec![0f32; v.terms];
    for vec in &v.tfidf {
        for &(id, w) in vec {
            c[id as usize] += w;
        }
    }
    let norm = c.iter().map(|w| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        c.iter_mut().for_each(|w| *w /= norm);
    }
    v.tfidf.iter().map(|s| f64::from(s.iter().map(|&(id, w)| w * c[id as usize]).sum::<f32>())).collect()
}

/// A symmetric weighted graph in compressed sparse rows: the neighbours of node `i` are
/// `entries[offsets[i]..offsets[i + 1]]`, as `(j, weight)` in ascending `j`.
struct Graph {
    offsets: Vec<usize>,
    entries: Vec<(u32, f32)>,
}

impl Graph {
    /// Builds the graph of `n` nodes from its edges `(a, b, weight)` with `a < b`, sorted by
    /// `(a, b)`.
    fn from_edges(n: usize, edges: &[(u32, u32, f32)]) -> Graph {
        let mut offsets = vec![0usize; n + 1];
        for &(a, b, _) in edges {
            offsets[a as usize + 1] += 1;
            offsets[b as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets[..n].to_vec();
        let mut entries = vec![(0u32, 0f32); offsets[n]];
        // Row `r` receives its smaller neighbours (edges `(a, r)`, by ascending `a`) before
        // its larger ones (edges `(r, b)`), so every row comes out in ascending order.
        for &(a, b, w) in edges {
            entries[fill[a as usize]] = (b, w);
            fill[a as usize] += 1;
            entries[fill[b as usize]] = (a, w);
            fill[b as usize] += 1;
        }
        Graph { offsets, entries }
    }

    fn row(&self, i: usize) -> &[(u32, f32)] {
        &self.entries[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// Stationary distribution of a damped random walk over a weighted graph (edge weights not
/// yet normalised). Rows without edges jump uniformly.
fn pagerank(g: &Graph) -> Vec<f64> {
    const DAMPING: f64 = 0.85;
    let n = g.offsets.len() - 1;
    if n == 0 {
        return Vec::new();
    }
    // Row-normalised transition probabilities, in the graph's layout.
    let mut probs: Vec<f64> = Vec::with_capacity(g.entries.len());
    let mut dangling_rows: Vec<usize> = Vec::new();
    for i in 0..n {
        let row = g.row(i);
        let sum: f64 = row.iter().map(|&(_, w)| f64::from(w)).sum();
        if sum > 0.0 {
            probs.extend(row.iter().map(|&(_, w)| f64::from(w) / sum));
        } else {
            // Weights are positive, so only an empty row sums to zero.
            probs.extend(row.iter().map(|_| 0.0));
            dangling_rows.push(i);
        }
    }
    let mut p = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    for _ in 0..100 {
        let dangling: f64 = dangling_rows.iter().map(|&i| p[i]).sum();
        let base = (1.0 - DAMPING) / n as f64 + DAMPING * dangling / n as f64;
        next.iter_mut().for_each(|x| *x = base);
        for (i, &pi) in p.iter().enumerate() {
            let share = DAMPING * pi;
            let (a, b) = (g.offsets[i], g.offsets[i + 1]);
            for (&(j, _), &w) in g.entries[a..b].iter().zip(&probs[a..b]) {
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
///
/// `weight(i, j, cosine, common)` gets the TF-IDF cosine and the number of shared terms of
/// a pair. Only pairs that share a term can have an edge, so pairs are found through an
/// inverted index (term → sentences) instead of comparing all `m²/2` pairs; each pair's dot
/// product is summed over the shared terms in term order, exactly as a merge would.
fn graph_scores(v: &Vectors, max_graph: usize, weight: impl Fn(usize, usize, f32, u32) -> f32) -> Vec<f64> {
    let members = graph_members(v, max_graph.max(1));
    let m = members.len();
    // Postings in CSR form: for each term, the members containing it (ascending) with weights.
    let mut start = vec![0u32; v.terms + 1];
    for &i in &members {
        for &(t, _) in &v.tfidf[i] {
            start[t as usize + 1] += 1;
        }
    }
    for t in 0..v.terms {
        start[t + 1] += start[t];
    }
    let mut fill: Vec<u32> = start[..v.terms].to_vec();
    let mut postings = vec![(0u32, 0f32); start[v.terms] as usize];
    for (k, &i) in members.iter().enumerate() {
        for &(t, w) in &v.tfidf[i] {
            postings[fill[t as usize] as usize] = (k as u32, w);
            fill[t as usize] += 1;
        }
    }
    // `cursor[t]`: the next posting of term t not yet visited; when member `a` is reached,
    // every posting of its terms before the cursor belongs to a member `< a`.
    let mut cursor: Vec<u32> = start[..v.terms].to_vec();
    let mut acc = vec![0f32; m];
    let mut common = vec![0u32; m];
    let mut touched: Vec<u32> = Vec::new();
    let mut edges: Vec<(u32, u32, f32)> = Vec::new();
    for (a, &i) in members.iter().enumerate() {
        for &(t, wa) in &v.tfidf[i] {
            let t = t as usize;
            cursor[t] += 1; // skip `a` itself
            for &(b, wb) in &postings[cursor[t] as usize..start[t + 1] as usize] {
                if common[b as usize] == 0 {
                    touched.push(b);
                }
                acc[b as usize] += wa * wb;
                common[b as usize] += 1;
            }
        }
        touched.sort_unstable();
        for &b in &touched {
            let (bu, j) = (b as usize, members[b as usize]);
            let x = weight(i, j, acc[bu], common[bu]);
            if x > 0.0 {
                edges.push((a as u32, b, x));
            }
            acc[bu] = 0.0;
            common[bu] = 0;
        }
        touched.clear();
    }
    let pr = pagerank(&Graph::from_edges(m, &edges));
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
        Method::Lexrank => graph_scores(v, p.max_graph, |_, _, cos, _| if cos >= 0.1 { 1.0 } else { 0.0 }),
        Method::Textrank => graph_scores(v, p.max_graph, |i, j, _, common| {
            let denom = (v.tfidf[i].len() as f32).ln() + (v.tfidf[j].len() as f32).ln();
            common as f32 / if denom > 0.0 { denom } else { 1.0 }
        }),
        Method::News => {
            let t = &p.tuning;
            let mut c = graph_scores(v, p.max_graph, |_, _, cos, _| cos);
            normalise(&mut c);
            let w = p.position_weight.clamp(0.0, 1.0);
            units
                .iter()
                .zip(c)
                .zip(&v.words)
                .map(|((u, c), &n)| (w * t.prior(u.position) + (1.0 - w) * c) * t.length_factor(n))
                .collect()
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
        Params { method, position_weight: 0.5, max_graph: 300, tuning: Tuning::default() }
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

    /// The graph and PageRank the straightforward way: every pair compared by a merge of
    /// the two vectors, adjacency lists, the same power iteration.
    fn brute_force_scores(v: &Vectors, weight: impl Fn(usize, usize, f32, u32) -> f32) -> Vec<f64> {
        let n = v.tfidf.len();
        let mut edges: Vec<(u32, u32, f32)> = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                let common = v.tfidf[a].iter().filter(|(t, _)| v.tfidf[b].iter().any(|(u, _)| u == t)).count();
                let x = weight(a, b, v.cosine(a, b), common as u32);
                if x > 0.0 {
                    edges.push((a as u32, b as u32, x));
                }
            }
        }
        pagerank(&Graph::from_edges(n, &edges))
    }

    proptest::proptest! {
        #[test]
        fn inverted_index_graph_equals_all_pairs(
            sentences in proptest::collection::vec("[a-f]{1,3}( [a-f]{1,3}){0,8}", 0..25),
        ) {
            let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
            let v = Vectors::new(&refs);
            let cos = |_: usize, _: usize, c: f32, _: u32| c;
            proptest::prop_assert_eq!(graph_scores(&v, 1000, cos), brute_force_scores(&v, cos));
            let text = |i: usize, j: usize, _: f32, common: u32| {
                let d = (v.tfidf[i].len() as f32).ln() + (v.tfidf[j].len() as f32).ln();
                common as f32 / if d > 0.0 { d } else { 1.0 }
            };
            proptest::prop_assert_eq!(graph_scores(&v, 1000, text), brute_force_scores(&v, text));
        }
    }

    #[test]
    fn prior_is_a_lead_window_falling_to_its_floor() {
        let t = Tuning::default();
        let p: Vec<f64> = (0..40).map(|i| t.prior(i)).collect();
        assert!((p[0] - 1.0 - t.first).abs() < 1e-12);
        assert!(p.windows(2).all(|w| w[0] >= w[1]), "{p:?}");
        assert!(p[4] > 0.9 && p[12] < 0.35 && p[39] >= t.floor, "{p:?}");
        assert_eq!(t.length_factor(20), 1.0);
        assert_eq!(t.length_factor(100), 0.5);
    }

    #[test]
    fn graph_is_bounded() {
        let texts: Vec<String> = (0..50).map(|i| format!("word{} shared term number {}", i % 7, i)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let v = Vectors::new(&refs);
        let u: Vec<Unit<'_>> = refs.iter().enumerate().map(|(i, t)| Unit { text: t, position: i }).collect();
        let p = Params { method: Method::Lexrank, position_weight: 0.5, max_graph: 10, tuning: Tuning::default() };
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
