//! The story-change signal: lexical cohesion between paragraphs, for dumps whose articles
//! carry no dateline, headline or credit.
//!
//! Each paragraph becomes a bag of content-word stems (lower case, at least three letters,
//! function words of English and of seven other European languages left out, the first
//! five letters kept, a possessive `'s` dropped). The paragraphs of a run are cut into segments by dynamic programming that minimises the
//! description length of the words, in the manner of Utiyama and Isahara's statistical model
//! (ACL 2001): each segment codes its words with its own Laplace-smoothed word
//! distribution, so a segment pays for every word it does not repeat, and a run of
//! paragraphs that keep reusing each other's names and terms is cheaper as one segment than
//! as two. The vocabulary size in the smoothing is at least [`MIN_VOCABULARY`], which makes
//! a new segment costly unless its words really differ: within one article, paragraphs
//! share enough words to stay together.
//!
//! Words spread over the whole text say nothing about where a story changes: a word found
//! in more than [`SPREAD`] of the paragraphs (and in more than three), scattered over the
//! text (in fewer than half of the paragraphs from its first to its last), is left out of
//! the segmentation cost. In a dump of several stories these are the words every story uses
//! (`government`, `police`, a country's name); inside one long article they are its main
//! words, which is why the merge test below still counts every word.
//!
//! Two further pieces of evidence are used:
//!
//! - a *start cost* for paragraphs that read as a continuation rather than a lede: opening
//!   with a pronoun or a connective (`He`, `They`, `But`, `However`), a first sentence with
//!   `also`, `meanwhile` or `too`, a title and surname (`Mr Smith`) in the first sentence, an
//!   opening quotation mark, or fewer than [`SHORT_PARAGRAPH`] words (a lede names who did
//!   what, where and when, and a paragraph that short is a closing remark or a detail, not
//!   a story's opening); a paragraph that may not start a story (a repeated pull quote, for
//!   one) has an infinite cost and no words. A paragraph without such evidence that opens
//!   with an indefinite article (`A gunman has …`, `An inquiry into …`) introduces someone
//!   or something new, as ledes do, and starts a story for [`LEDE_BONUS`] less;
//! - a *merge test* afterwards: two neighbouring segments whose word vectors (all words,
//!   spread ones included) have a cosine similarity of at least the threshold
//!   (`topic_shift`) are one story after all, the most similar pair first;
//! - a *length prior* from the text itself: where its segments are mostly long (a median
//!   of [`LONG_SEGMENTS`] paragraphs or more), a segment of one paragraph is a detail of a
//!   story whose words it happens not to share (or a stray lede cut off its story), not a
//!   story of its own, and joins the neighbour it costs least to join under the same
//!   description length. In a dump of very short items (a median under three) one-paragraph
//!   stories stay.
//!
//! Cost: one pass per start paragraph over at most [`MAX_SEGMENT`] paragraphs, so linear in
//! the text for a bounded segment length.

use std::collections::HashMap;

use docpipe_text::function_words::is_topic_stop_word;

/// The smallest vocabulary size used for smoothing (see the module docs).
pub const MIN_VOCABULARY: usize = 1500;

/// The longest segment considered, in paragraphs.
pub const MAX_SEGMENT: usize = 80;

/// The cost (in nats) of each piece of continuation evidence at a segment start.
const CUE_COST: f64 = 5.0;

/// How much cheaper (in nats) a story starts at a paragraph that reads as a lede (see the
/// module docs).
pub const LEDE_BONUS: f64 = CUE_COST / 2.0;

/// The share of a text's paragraphs above which a word is *spread* and left out of the
/// segmentation cost (see the module docs).
pub const SPREAD: f64 = 0.3;

/// A paragraph of fewer words than this reads as a continuation (see the module docs).
pub const SHORT_PARAGRAPH: usize = 16;

/// The median segment length (in paragraphs) from which a one-paragraph segment is merged
/// into a neighbour (see the module docs).
pub const LONG_SEGMENTS: usize = 3;

/// Words that open a paragraph continuing a story.
const CONTINUATION: &[&str] = &[
    "also",
    "and",
    "but",
    "he",
    "her",
    "his",
    "however",
    "it",
    "its",
    "meanwhile",
    "she",
    "so",
    "such",
    "their",
    "these",
    "they",
    "this",
    "those",
    "we",
    "yet",
];

/// Content-word stems of a paragraph, as ids of `vocab`.
pub fn stems(text: &str, vocab: &mut HashMap<String, u32>) -> Vec<u32> {
    let mut out = Vec::new();
    let mut lower = String::new();
    for w in text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’')) {
        let w = w.trim_matches(['\'', '’']);
        let w = w.strip_suffix("'s").or_else(|| w.strip_suffix("’s")).unwrap_or(w);
        if w.len() < 3 || w.chars().nth(2).is_none() {
            continue;
        }
        lower.clear();
        lower.extend(w.chars().flat_map(char::to_lowercase));
        if is_topic_stop_word(&lower) {
            continue;
        }
        let cut = lower.char_indices().nth(5).map_or(lower.len(), |(i, _)| i);
        let stem = &lower[..cut];
        let id = match vocab.get(stem) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(vocab.len()).unwrap_or(u32::MAX);
                vocab.insert(stem.to_owned(), id);
                id
            }
        };
        out.push(id);
    }
    out
}

/// How much a paragraph reads as the continuation of a story (0: like a lede).
pub fn continuation_cues(text: &str) -> usize {
    let text = text.trim_start();
    let first_sentence = match text.find(". ").or_else(|| text.find(".\n")) {
        Some(i) => &text[..i],
        None => text,
    };
    let mut cues = 0;
    let first = first_sentence.split(|c: char| !c.is_alphanumeric()).find(|w| !w.is_empty()).unwrap_or("");
    if CONTINUATION.contains(&first.to_lowercase().as_str()) {
        cues += 1;
    }
    let toks: Vec<&str> = first_sentence.split_whitespace().collect();
    if toks.iter().any(|t| {
        matches!(t.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase().as_str(), "also" | "meanwhile" | "too")
    }) {
        cues += 1;
    }
    if toks.windows(2).any(|w| {
        matches!(w[0].trim_end_matches('.'), "Mr" | "Mrs" | "Ms" | "Dr")
            && w[1].starts_with(|c: char| c.is_uppercase())
            && w[1].chars().nth(1).is_some_and(char::is_lowercase)
    }) {
        cues += 1;
    }
    if text.starts_with(['"', '“', '‘', '\'', '«']) {
        cues += 1;
    }
    if text.split_whitespace().nth(SHORT_PARAGRAPH - 1).is_none() {
        cues += 1;
    }
    cues
}

/// The cost (in nats) of a story starting at `u`: [`CUE_COST`] for each piece of
/// continuation evidence, [`LEDE_BONUS`] less than nothing for a lede without any, infinite
/// where no story may start.
fn start_cost(u: &Unit) -> f64 {
    if !u.may_start {
        f64::INFINITY
    } else if u.cues == 0 && u.lede {
        -LEDE_BONUS
    } else {
        CUE_COST * u.cues as f64
    }
}

/// Whether a paragraph opens with an indefinite article, introducing someone or something
/// new (a lede's way to open: `A gunman has …`, `An inquiry into …`).
pub fn opens_indefinite(text: &str) -> bool {
    let text = text.trim_start();
    text.starts_with("A ") || text.starts_with("An ")
}

/// One paragraph for [`segment`].
#[derive(Debug, Clone)]
pub struct Unit {
    /// Its content-word stems (empty for a paragraph left out of the model).
    pub words: Vec<u32>,
    /// Whether a story may start here at all.
    pub may_start: bool,
    /// Continuation evidence ([`continuation_cues`]).
    pub cues: usize,
    /// Lede evidence ([`opens_indefinite`]).
    pub lede: bool,
}

/// Story starts among `units` (indices, 0 excluded): the cheapest segmentation, then the
/// merge test with cosine `threshold`.
pub fn segment(units: &[Unit], vocab_size: usize, threshold: f64) -> Vec<usize> {
    let p = units.len();
    if p < 2 || threshold <= 0.0 {
        return Vec::new();
    }
    let k = vocab_size.max(MIN_VOCABULARY) as f64;
    let spread = spread_words(units, vocab_size);
    let mut best = vec![f64::INFINITY; p + 1];
    let mut back = vec![0usize; p + 1];
    best[0] = 0.0;
    let mut counts = vec![0u32; vocab_size];
    let mut touched: Vec<u32> = Vec::new();
    for i in 0..p {
        if !best[i].is_finite() {
            continue;
        }
        let start_cost = if i == 0 { 0.0 } else { start_cost(&units[i]) };
        if !start_cost.is_finite() {
            continue;
        }
        // -sum f ln(f+1) + m ln(m+k), kept incrementally as `s` and `m`.
        let mut s = 0.0f64;
        let mut m = 0usize;
        for j in i..p.min(i + MAX_SEGMENT) {
            for &w in &units[j].words {
                if spread.get(w as usize).is_none_or(|&x| x) {
                    continue;
                }
                let Some(c) = counts.get_mut(w as usize) else { continue };
                if *c == 0 {
                    touched.push(w);
                }
                let f = f64::from(*c);
                s += (f + 1.0) * (f + 2.0).ln() - f * (f + 1.0).ln();
                *c += 1;
                m += 1;
            }
            let cost = -s + m as f64 * (m as f64 + k).ln();
            let total = best[i] + start_cost + cost;
            if total < best[j + 1] {
                best[j + 1] = total;
                back[j + 1] = i;
            }
        }
        for w in touched.drain(..) {
            if let Some(c) = counts.get_mut(w as usize) {
                *c = 0;
            }
        }
    }
    let mut starts = Vec::new();
    let mut j = p;
    while j > 0 {
        let i = back[j];
        if i > 0 {
            starts.push(i);
        }
        if i >= j {
            break;
        }
        j = i;
    }
    starts.reverse();
    let starts = merge_similar(units, starts, threshold);
    absorb_single(units, starts, &spread, k)
}

/// The description length of `units[a..b]` as one segment, as [`segment`] counts it (spread
/// words left out, smoothing over `k` words).
fn segment_cost(units: &[Unit], a: usize, b: usize, spread: &[bool], k: f64) -> f64 {
    let mut counts: HashMap<u32, u32> = HashMap::new();
    let (mut s, mut m) = (0.0f64, 0usize);
    for &w in units[a..b].iter().flat_map(|u| &u.words) {
        if spread.get(w as usize).is_none_or(|&x| x) {
            continue;
        }
        let c = counts.entry(w).or_insert(0);
        let f = f64::from(*c);
        s += (f + 1.0) * (f + 2.0).ln() - f * (f + 1.0).ln();
        *c += 1;
        m += 1;
    }
    -s + m as f64 * (m as f64 + k).ln()
}

/// The length prior: where the text's own segments (as found) have a median length of
/// [`LONG_SEGMENTS`] paragraphs or more, each segment of one paragraph, first to last, is
/// merged into the neighbour whose merge costs least (the description length it adds, less
/// the start cost of the boundary it removes). Linear in the number of segments but for the
/// removals.
fn absorb_single(units: &[Unit], starts: Vec<usize>, spread: &[bool], k: f64) -> Vec<usize> {
    let mut bounds = Vec::with_capacity(starts.len() + 2);
    bounds.push(0);
    bounds.extend_from_slice(&starts);
    bounds.push(units.len());
    let mut lens: Vec<usize> = bounds.windows(2).map(|w| w[1] - w[0]).collect();
    lens.sort_unstable();
    if lens.len() < 2 || lens[lens.len() / 2] < LONG_SEGMENTS {
        return starts;
    }
    let cost = |a: usize, b: usize| segment_cost(units, a, b, spread, k);
    // Segment `s` runs from `bounds[s]` to `bounds[s + 1]`.
    let mut s = 0;
    while s + 1 < bounds.len() {
        if bounds[s + 1] - bounds[s] != 1 || bounds.len() < 3 {
            s += 1;
            continue;
        }
        let own = cost(bounds[s], bounds[s + 1]);
        // What each merge saves (negative: what it costs), the start cost of the boundary it
        // removes included.
        let left = if s > 0 {
            cost(bounds[s - 1], bounds[s]) + own + start_cost(&units[bounds[s]]) - cost(bounds[s - 1], bounds[s + 1])
        } else {
            f64::NEG_INFINITY
        };
        let right = if s + 2 < bounds.len() {
            cost(bounds[s + 1], bounds[s + 2]) + own + start_cost(&units[bounds[s + 1]])
                - cost(bounds[s], bounds[s + 2])
        } else {
            f64::NEG_INFINITY
        };
        if s > 0 && left >= right {
            bounds.remove(s);
        } else {
            bounds.remove(s + 1);
        }
    }
    bounds[1..bounds.len() - 1].to_vec()
}

/// For each word id below `vocab_size`: whether the word is spread, found in more than
/// [`SPREAD`] of `units` and in more than three of them, and scattered: in fewer than half
/// of the units from its first to its last (a story's own word, however frequent, keeps
/// to its story's stretch of the text).
fn spread_words(units: &[Unit], vocab_size: usize) -> Vec<bool> {
    let mut df = vec![0usize; vocab_size];
    let mut first = vec![usize::MAX; vocab_size];
    let mut last = vec![usize::MAX; vocab_size];
    for (j, u) in units.iter().enumerate() {
        for &w in &u.words {
            let w = w as usize;
            if let (Some(d), Some(f), Some(l)) = (df.get_mut(w), first.get_mut(w), last.get_mut(w))
                && *l != j
            {
                if *f == usize::MAX {
                    *f = j;
                }
                *l = j;
                *d += 1;
            }
        }
    }
    let limit = (SPREAD * units.len() as f64).max(3.0);
    (0..vocab_size)
        .map(|w| {
            // Scattered: in fewer than half of the paragraphs from its first to its last.
            df[w] as f64 > limit && last[w] != usize::MAX && df[w] * 2 < last[w] - first[w] + 1
        })
        .collect()
}

/// Sparse count vector of the words of `units[a..b]`, sorted by word id.
fn vector(units: &[Unit], a: usize, b: usize) -> Vec<(u32, f64)> {
    let mut all: Vec<u32> = units[a..b].iter().flat_map(|u| u.words.iter().copied()).collect();
    all.sort_unstable();
    let mut out: Vec<(u32, f64)> = Vec::new();
    for w in all {
        match out.last_mut() {
            Some(last) if last.0 == w => last.1 += 1.0,
            _ => out.push((w, 1.0)),
        }
    }
    out
}

fn cosine(a: &[(u32, f64)], b: &[(u32, f64)]) -> f64 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    let na: f64 = a.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
    if na > 0.0 && nb > 0.0 { dot / (na * nb) } else { 0.0 }
}

/// Removes the boundary between the two most similar neighbouring segments while their
/// similarity reaches `threshold`.
fn merge_similar(units: &[Unit], mut starts: Vec<usize>, threshold: f64) -> Vec<usize> {
    loop {
        if starts.is_empty() {
            return starts;
        }
        let mut bounds = Vec::with_capacity(starts.len() + 2);
        bounds.push(0);
        bounds.extend_from_slice(&starts);
        bounds.push(units.len());
        let vecs: Vec<Vec<(u32, f64)>> = bounds.windows(2).map(|w| vector(units, w[0], w[1])).collect();
        let mut best: Option<(usize, f64)> = None;
        for (k, w) in vecs.windows(2).enumerate() {
            let c = cosine(&w[0], &w[1]);
            if c >= threshold && best.is_none_or(|b| c > b.1) {
                best = Some((k, c));
            }
        }
        match best {
            Some((k, _)) => {
                starts.remove(k);
            }
            None => return starts,
        }
    }
}

/// Cosine similarity of the words of two runs of units (for a single boundary test).
pub fn similarity(units: &[Unit], left: (usize, usize), right: (usize, usize)) -> f64 {
    cosine(&vector(units, left.0, left.1), &vector(units, right.0, right.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_list_is_sorted() {
        use docpipe_text::function_words::TOPIC_STOP_WORDS as STOP;
        assert!(STOP.windows(2).all(|w| w[0] < w[1]));
    }

    fn units(paras: &[&str]) -> (Vec<Unit>, usize) {
        let mut vocab = HashMap::new();
        let u = paras
            .iter()
            .map(|p| Unit {
                words: stems(p, &mut vocab),
                may_start: true,
                cues: continuation_cues(p),
                lede: opens_indefinite(p),
            })
            .collect();
        (u, vocab.len())
    }

    #[test]
    fn stems_and_cues() {
        let mut v = HashMap::new();
        let a = stems("The council's councillors said the harbour plan", &mut v);
        assert_eq!(a.len(), 4);
        assert_eq!(a[0], a[1], "council and councillors share a stem");
        const TAIL: &str = " The council will decide on the new timetable for the harbour ferry next month.";
        assert_eq!(continuation_cues(&format!("He also said the plan was sound.{TAIL}")), 2);
        assert_eq!(continuation_cues(&format!("Flooding closed the coast road on Friday.{TAIL}")), 0);
        assert_eq!(continuation_cues(&format!("\"We are ready,\" Mr Okafor told the meeting.{TAIL}")), 3);
        assert_eq!(continuation_cues(&format!("\"Ready,\" Mr Okafor told the meeting.{TAIL}")), 2);
    }

    #[test]
    fn a_short_paragraph_reads_as_a_continuation() {
        assert_eq!(continuation_cues("A spokeswoman says the route is yet to be decided."), 1);
        assert_eq!(continuation_cues("He also said the plan was sound. It was not."), 3);
        let lede =
            "Flood water closed the coast road between Tarn and Hollin on Friday, and the council opened a shelter.";
        assert_eq!(continuation_cues(lede), 0);
    }

    #[test]
    fn an_indefinite_opening_reads_as_a_lede() {
        assert!(opens_indefinite("A fishing boat ran aground off Tarn point on Sunday night."));
        assert!(opens_indefinite("  An inquiry into the ferry fire opens in Hollin today."));
        assert!(!opens_indefinite("Another boat was towed clear."));
        assert!(!opens_indefinite("Aid arrived on Monday."));
        let (u, _) = units(&[
            "A trawler from Varnby struck submerged rocks during thick fog early on Sunday, tearing open her bow.",
            "A spokeswoman says the crew are safe.",
            "The trawler from Varnby struck submerged rocks during thick fog early on Sunday, tearing open her bow.",
        ]);
        assert!(u[0].lede && u[1].lede && !u[2].lede);
        assert_eq!(start_cost(&u[0]), -LEDE_BONUS);
        assert_eq!(start_cost(&u[1]), CUE_COST, "a short paragraph is no lede");
        assert_eq!(start_cost(&u[2]), 0.0);
    }

    #[test]
    fn words_in_most_paragraphs_are_spread() {
        let scattered = [
            "The council met about the ferry.",
            "Road works begin in March.",
            "Schools reopen next week.",
            "The council heard the harbour plan.",
            "Rain is forecast for Sunday.",
            "Markets open early at Easter.",
            "The council voted on the library.",
            "Bus fares rise in April.",
            "Parking costs more downtown.",
            "The council closed the pool.",
            "Bins are collected on Monday.",
        ];
        let (u, n) = units(&scattered);
        let spread = spread_words(&u, n);
        let council = u[0].words[0] as usize;
        assert!(spread[council], "in 4 of 11 paragraphs (over 30% and over three), scattered");
        assert_eq!(spread.iter().filter(|&&x| x).count(), 1);
        assert!(!spread_words(&u[..4], n)[council], "in two of four: not more than three");
        // The same paragraphs with the council's four together: one story's word.
        let mut clustered = scattered;
        clustered.swap(1, 3);
        clustered.swap(2, 6);
        clustered.swap(3, 9);
        let (u, n) = units(&clustered);
        assert!(!spread_words(&u, n).iter().any(|&x| x), "{clustered:?}");
    }

    #[test]
    fn two_stories_are_cut_where_the_words_change() {
        let paras = [
            "Flood water closed the coast road between Tarn and Hollin on Friday, and the council opened a shelter in the Tarn school hall.",
            "The council said the coast road would stay closed until engineers had checked the Hollin bridge for flood damage.",
            "Families in Hollin spent the night in the school hall while the flood water stayed on the coast road.",
            "Engineers reached the Hollin bridge on Saturday and found the flood had scoured its piers; the coast road will stay shut.",
            "A chess prodigy from Varnby won the national junior championship in Leeds, beating three grandmasters in nine rounds.",
            "The Varnby prodigy, aged eleven, said chess had taken over her life since a grandmaster visited her primary school.",
            "Her coach said the championship title would let the prodigy enter senior chess tournaments abroad next season.",
            "Junior chess in Leeds has grown quickly, and the championship drew a record entry of young players this year.",
        ];
        let (u, n) = units(&paras);
        assert_eq!(segment(&u, n, 0.15), [4]);
        assert_eq!(segment(&u, n, 0.0), Vec::<usize>::new(), "0 turns the signal off");
        assert_eq!(segment(&u[..4], n, 0.15), Vec::<usize>::new(), "one story stays whole");
    }

    /// Two stories of four paragraphs around a one-paragraph detail of the first.
    const FLOOD_AND_CHESS: [&str; 9] = [
        "Flood water closed the coast road between Tarn and Hollin on Friday, and the council opened a shelter in the Tarn school hall.",
        "The council said the coast road would stay closed until engineers had checked the Hollin bridge for flood damage.",
        "Families in Hollin spent the night in the school hall while the flood water stayed on the coast road.",
        "Engineers reached the Hollin bridge on Saturday and found the flood had scoured its piers; the coast road will stay shut.",
        "Volunteers from the rowing club ferried pensioners and their cats across to the shelter in borrowed dinghies.",
        "A chess prodigy from Varnby won the national junior championship in Leeds, beating three grandmasters in nine rounds.",
        "The Varnby prodigy, aged eleven, said chess had taken over her life since a grandmaster visited her primary school.",
        "Her coach said the championship title would let the prodigy enter senior chess tournaments abroad next season.",
        "Junior chess in Leeds has grown quickly, and the championship drew a record entry of young players this year.",
    ];

    #[test]
    fn a_one_paragraph_segment_joins_a_neighbour_among_long_stories() {
        let (u, n) = units(&FLOOD_AND_CHESS);
        let k = n.max(MIN_VOCABULARY) as f64;
        let spread = spread_words(&u, n);
        // The detail (paragraph 4, sharing `shelter` with the flood story and nothing with the
        // chess story) cut off on its own: it joins the flood story, the cheaper merge.
        assert_eq!(absorb_single(&u, vec![4, 5], &spread, k), [5]);
        assert_eq!(segment(&u, n, 0.15), [5]);
        // A one-paragraph first or last segment joins its only neighbour.
        assert_eq!(absorb_single(&u, vec![1], &spread, k), Vec::<usize>::new());
        assert_eq!(absorb_single(&u, vec![5, 8], &spread, k), [5]);
        // Where the text's segments are short (median under three paragraphs), one-paragraph
        // stories are the norm and stay.
        assert_eq!(absorb_single(&u, vec![2, 4, 5, 7], &spread, k), [2, 4, 5, 7]);
    }

    #[test]
    fn a_scattered_word_does_not_count() {
        // Three stories; `weekend` turns up in four paragraphs scattered over all three.
        let paras = [
            "Flood water closed the coast road between Tarn and Hollin on Friday, and the council opened a shelter in the Tarn school hall.",
            "The council said the coast road would stay closed over the weekend until engineers had checked the Hollin bridge for flood damage.",
            "Families in Hollin spent the night in the school hall while the flood water stayed on the coast road.",
            "Engineers reached the Hollin bridge at the weekend and found the flood had scoured its piers; the coast road will stay shut.",
            "A chess prodigy from Varnby won the national junior championship in Leeds, beating three grandmasters in nine rounds.",
            "The Varnby prodigy, aged eleven, said chess had taken over her life since a grandmaster visited her primary school.",
            "Her coach said the championship title would let the prodigy enter senior chess tournaments abroad from next weekend.",
            "Junior chess in Leeds has grown quickly, and the championship drew a record entry of young players this year.",
            "Orchard growers in the Brede valley expect a record apple harvest after a warm spring and a wet summer.",
            "Pickers will start in the Brede orchards at the weekend, and growers say the apples are larger than last season.",
            "The Brede growers' cooperative has hired extra pickers and rented cold stores for the record apple crop.",
            "Cider makers in the valley say the harvest will let them double their orders from the Brede orchards.",
        ];
        let (u, n) = units(&paras);
        let weekend = u[1].words.iter().copied().find(|w| u[3].words.contains(w) && u[9].words.contains(w));
        let weekend = weekend.expect("a shared word") as usize;
        assert!(spread_words(&u, n)[weekend]);
        let without: Vec<Unit> = u
            .iter()
            .map(|x| Unit { words: x.words.iter().copied().filter(|&w| w as usize != weekend).collect(), ..x.clone() })
            .collect();
        assert_eq!(segment(&u, n, 0.99), segment(&without, n, 0.99), "the DP cost ignores it");
        assert_eq!(segment(&u, n, 0.15), [4, 8]);
    }
}
