//! Dumps into articles, and a role for every paragraph line of an article.
//!
//! Scraped dumps run articles together, one paragraph per line, with no separator. Each
//! line is first described by cheap features (a dateline at its start, final punctuation,
//! word count, `Related:`/`Photo:`/`By …`/credit patterns). Article boundaries are then found
//! in one pass, from the strongest evidence to the weakest:
//!
//! 1. **dateline** — a line opening with a wire dateline (`MOSCOW —`, `PARIS-`,
//!    `WASHINGTON (Reuters) -`, `KRAKOW, Poland, March 3 (MPA) -`, or a dateline on a line of
//!    its own) starts an article once the current one has body text; the headline and
//!    `By …` lines just above it belong to the new article;
//! 2. **headline** — a long line without final punctuation (a standfirst/headline) followed by
//!    a body paragraph, a `By …` line or a dateline starts an article, as opposed to a short
//!    subheading or a bare related-story title followed by an author line;
//! 3. **byline** — a body paragraph right after an end-of-article credit or author bio
//!    (`Reporting by …`, `X is the … correspondent.`, `… newsdesk`) starts an article;
//! 4. **topic** (optional, `topic_shift > 0`) — where none of the above exists, a paragraph
//!    that introduces a person by full name not seen in the current article *and* whose
//!    vocabulary barely overlaps with the current article's is taken as a new story.
//!
//! Roles follow from the position in the article: lines before the first body paragraph are
//! `standfirst` (or `byline`, `dateline`); `Related:`/`READ MORE:` lines and bare titles in
//! the tail are `related_link`; `Photo:`/`Image:` lines are `caption`; short lines repeating a
//! body sentence, and `- Name, Title` lines under them, are `pull_quote`; credits, bios and
//! name-only lines at the end are `byline`; other lines without final punctuation are
//! `subheading`.

use std::collections::HashSet;

use regex::Regex;

/// The role of a paragraph line inside an article (`annotations.blocks` labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Article text.
    Body,
    /// A dateline on a line of its own (or, as a nested span, inside a body line).
    Dateline,
    /// Headline or standfirst above the body.
    Standfirst,
    /// A short heading inside the body.
    Subheading,
    /// A quote repeated from the body, or the `- Name, Title` line under it.
    PullQuote,
    /// An image caption or credit.
    Caption,
    /// A link to another story (`Related: …`, `READ MORE: …`, a bare title at the end).
    RelatedLink,
    /// `By …` lines, credits and author bios.
    Byline,
}

impl Role {
    /// The label written in `annotations.blocks`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Body => "body",
            Role::Dateline => "dateline",
            Role::Standfirst => "standfirst",
            Role::Subheading => "subheading",
            Role::PullQuote => "pull_quote",
            Role::Caption => "caption",
            Role::RelatedLink => "related_link",
            Role::Byline => "byline",
        }
    }
}

/// The built-in dateline pattern: an upper-case place (up to four words), optional
/// `, Region`/`, Country` parts, an optional `, March 3` date, an optional `(Agency)`, then a
/// dash (`-`, `--`, `–`, `—`). Matched at the start of a line. Colon forms (`NEW DELHI:`)
/// are left to configured patterns: the default would take `READ MORE:` for a place.
pub const DEFAULT_DATELINE: &str = r"^\p{Lu}[\p{Lu}'’.\-]+(?:[ ]\p{Lu}[\p{Lu}'’.\-]+){0,3}(?:,[ ]\p{Lu}[\p{L}.'’\-]*(?:[ ]\p{Lu}[\p{L}.'’\-]*){0,2}){0,2}(?:,[ ](?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?[ ]\d{1,2})?(?:[ ]?\([^()\n]{1,60}\))?[ ]?(?:--|—|–|-)(?:[ ]|$)";

/// Why an article starts where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundary {
    /// The first article of the document.
    Start,
    /// A dateline line (with the headline lines above it).
    Dateline,
    /// A headline/standfirst line followed by body text.
    Headline,
    /// Body text after an end-of-article credit or bio.
    Byline,
    /// The story-change signal (new full names and a vocabulary shift).
    Topic,
}

impl Boundary {
    /// Its name in attributes and spans.
    pub fn as_str(self) -> &'static str {
        match self {
            Boundary::Start => "start",
            Boundary::Dateline => "dateline",
            Boundary::Headline => "headline",
            Boundary::Byline => "byline",
            Boundary::Topic => "topic",
        }
    }
}

/// One article: a run of lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Index of its first line.
    pub first_line: usize,
    /// One past its last line.
    pub end_line: usize,
    /// Byte offset of its first line's start.
    pub start: usize,
    /// Byte offset of its last line's end (terminator excluded).
    pub end: usize,
    /// Why it starts here.
    pub boundary: Boundary,
    /// Its dateline span, if any (inline or on a line of its own).
    pub dateline: Option<(usize, usize)>,
}

/// A paragraph line with its role.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Block {
    /// Start of the line (leading whitespace excluded).
    pub start: usize,
    /// End of the line (terminator and trailing whitespace excluded).
    pub end: usize,
    /// Its role.
    pub role: Role,
    /// The end of a dateline that opens this line, if any.
    pub dateline_end: Option<usize>,
}

/// The result of [`ArticleSplitter::analyse`].
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// One block per non-empty line, in order.
    pub blocks: Vec<Block>,
    /// The articles, in order, tiling the lines.
    pub articles: Vec<Article>,
}

/// Line features used by segmentation and role assignment.
#[derive(Debug, Clone, Default)]
struct Feat {
    start: usize,
    end: usize,
    words: usize,
    dateline_end: Option<usize>,
    own_dateline: bool,
    ends_stop: bool,
    ends_question: bool,
    starts_upper: bool,
    related: bool,
    caption: bool,
    by_start: bool,
    credit: bool,
    names_only: bool,
    attribution: bool,
    quoted: bool,
}

impl Feat {
    fn headline(&self) -> bool {
        !(self.ends_stop || self.quoted && self.ends_question)
            && (6..=30).contains(&self.words)
            && self.starts_upper
            && !self.related
            && !self.caption
            && !self.by_start
            && !self.credit
            && self.dateline_end.is_none()
    }
    fn bodyish(&self) -> bool {
        (self.ends_stop || self.ends_question)
            && self.words >= 5
            && !self.related
            && !self.caption
            && !self.credit
            && !self.by_start
            || self.dateline_end.is_some() && !self.own_dateline
    }
    fn boilerplate(&self) -> bool {
        self.related || self.caption || self.credit || self.by_start
    }
}

/// Finds articles and block roles. Build once, share between threads.
#[derive(Debug, Clone)]
pub struct ArticleSplitter {
    datelines: Vec<Regex>,
    credit: Regex,
    bio: Regex,
    desk: Regex,
    caption: Regex,
    related: Regex,
    topic_shift: f64,
}

impl ArticleSplitter {
    /// Builds the splitter. `datelines` are regular expressions matched at the start of each
    /// line (`None`: [`DEFAULT_DATELINE`]); `topic_shift` is the vocabulary-overlap threshold
    /// of the story-change signal (0 disables it).
    pub fn new(datelines: Option<&[String]>, topic_shift: f64) -> Result<Self, String> {
        let mut compiled = Vec::new();
        match datelines {
            None => compiled.push(build(DEFAULT_DATELINE)?),
            Some(list) => {
                for p in list {
                    let p = if p.starts_with('^') { p.clone() } else { format!("^(?:{p})") };
                    compiled.push(Regex::new(&p).map_err(|e| format!("invalid dateline pattern `{p}`: {e}"))?);
                }
            }
        }
        Ok(ArticleSplitter {
            datelines: compiled,
            credit: build(
                r"(?i)^\(?(?:additional |extra )?(?:reporting|writing|editing|edited|compiled|research|translation|translated|text|words|graphics|photos?) by\b|;\s*(?:additional )?(?:reporting|editing|writing) by\b|^this (?:story|article|report) (?:was|first|originally|appeared|is)\b|^(?:originally|first) published\b|^(?:copyright|©)",
            )?,
            bio: build(
                r"^\p{Lu}[\p{L}'’.\-]*(?:\s\p{Lu}[\p{L}'’.\-]*){0,3}(?:,?\s(?:and|&)\s\p{Lu}[\p{L}'’.\-]*(?:\s\p{Lu}[\p{L}'’.\-]*){0,3})?\s(?:(?:is|are|was|were)\s.{0,80}?\b(?:correspondent|reporter|editor|writer|journalist|columnist|contributor|photographer|producer|analyst|presenter|freelancer|intern)s?\b|(?:reports?|reported|covers?|covered|writes?|wrote)\s.{0,80}?\b(?:for|from)\s)",
            )?,
            desk: build(r"(?i)(?:\bstaff|\bnews ?desk|\bdesk|\bbureau|\bstaff writers?|\bwire services?)$")?,
            caption: build(
                r"(?i)\((?:photo|image|picture|photograph|pictured|file photo|credit)s?\b|\b(?:photo|image|picture|photograph|credit)s?:\s|\bphoto by\b|\bgetty images\b",
            )?,
            related: build(
                r"(?i)^(?:related|read more|read also|also read|see also|more on this|more|recommended|related coverage|related stories|related story|further reading|watch|listen)\s?:",
            )?,
            topic_shift,
        })
    }

    /// Finds the lines, articles and block roles of `text`.
    pub fn analyse(&self, text: &str) -> Analysis {
        let feats: Vec<Feat> = crate::sentences::lines(text).map(|(s, e)| self.features(text, s, e)).collect();
        if feats.is_empty() {
            return Analysis::default();
        }
        let starts = self.segment(text, &feats);
        let mut blocks = Vec::with_capacity(feats.len());
        let mut articles = Vec::with_capacity(starts.len());
        for (k, &(first, boundary)) in starts.iter().enumerate() {
            let end_line = starts.get(k + 1).map_or(feats.len(), |n| n.0);
            let roles = self.roles(text, &feats[first..end_line]);
            let mut dateline = None;
            for (f, role) in feats[first..end_line].iter().zip(roles) {
                if dateline.is_none()
                    && let Some(d) = f.dateline_end
                {
                    dateline = Some((f.start, d));
                }
                blocks.push(Block { start: f.start, end: f.end, role, dateline_end: f.dateline_end });
            }
            articles.push(Article {
                first_line: first,
                end_line,
                start: feats[first].start,
                end: feats[end_line - 1].end,
                boundary,
                dateline,
            });
        }
        Analysis { blocks, articles }
    }

    fn features(&self, text: &str, s: usize, e: usize) -> Feat {
        let b = text.as_bytes();
        let s = crate::sentences::skip_ws(b, s, e);
        let line = &text[s..e];
        let words = line.split_whitespace().count();
        let related = words <= 40 && self.related.is_match(line);
        let dateline_end = if words <= 400 && !related { self.dateline(line).map(|d| s + d) } else { None };
        let core = line.trim_end_matches(['"', '\'', ')', ']', '”', '’', '»', ' ']);
        let last = core.chars().next_back();
        let first = line.trim_start_matches(['"', '\'', '“', '‘', '«', '(', '[']).chars().next();
        let short = words <= 40;
        let mut f = Feat {
            start: s,
            end: e,
            words,
            own_dateline: dateline_end.is_some_and(|d| text[d..e].trim().is_empty()),
            dateline_end,
            ends_stop: matches!(last, Some('.' | '!' | '…' | ';' | ',' | ':')),
            ends_question: last == Some('?'),
            starts_upper: first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()),
            related,
            caption: short && (self.caption.is_match(line) || caption_verb(line, words)),
            by_start: words <= 15 && line.starts_with("By ") && line[3..].starts_with(|c: char| c.is_uppercase()),
            credit: false,
            names_only: false,
            attribution: false,
            quoted: line.starts_with(['"', '“', '‘', '\'', '«']),
        };
        f.credit = short
            && (self.credit.is_match(line)
                || (words <= 35 && self.bio.is_match(line))
                || (words <= 8 && !f.ends_stop && self.desk.is_match(core)));
        f.names_only = !f.ends_stop && !f.ends_question && words <= 12 && names_only(line);
        f.attribution = words <= 20
            && line.starts_with(['-', '–', '—', '―'])
            && line.contains(',')
            && line.trim_start_matches(['-', '–', '—', '―', ' ']).starts_with(|c: char| c.is_uppercase());
        f
    }

    /// The end of a dateline opening `text[start..end]` (one line), if any.
    pub fn dateline_in(&self, text: &str, start: usize, end: usize) -> Option<usize> {
        let line = text.get(start..end)?;
        if line.len() > 4000 {
            return None;
        }
        self.dateline(line).map(|d| start + d)
    }

    fn dateline(&self, line: &str) -> Option<usize> {
        for re in &self.datelines {
            if let Some(m) = re.find(line)
                && m.start() == 0
                && m.end() > 0
            {
                let end = line[..m.end()].trim_end().len();
                let rest = line[m.end()..].trim_start();
                // The story must go on with a capital, a digit or a quote (or nothing).
                let ok =
                    rest.chars().next().is_none_or(|c| c.is_uppercase() || c.is_ascii_digit() || "\"“‘'(".contains(c));
                if ok && end > 0 {
                    return Some(end);
                }
            }
        }
        None
    }

    /// Article start lines with the reason for each.
    fn segment(&self, text: &str, feats: &[Feat]) -> Vec<(usize, Boundary)> {
        let mut starts = vec![(0usize, Boundary::Start)];
        let mut cur = 0usize;
        let mut seen_body = feats[0].bodyish();
        let mut topic = TopicState::default();
        if self.topic_shift > 0.0 {
            topic.add(text, &feats[0]);
        }
        for i in 1..feats.len() {
            let f = &feats[i];
            let next = feats.get(i + 1);
            let mut boundary = None;
            if seen_body && f.dateline_end.is_some() {
                // Pull the headline and `By` lines above the dateline into the new article.
                let mut j = i;
                while j > cur + 1 && i - j < 3 && (feats[j - 1].headline() || feats[j - 1].by_start) {
                    j -= 1;
                }
                boundary = Some((j, Boundary::Dateline));
            } else if seen_body
                && f.headline()
                && next.is_some_and(|n| (n.bodyish() || n.by_start || n.dateline_end.is_some()) && !n.credit)
            {
                boundary = Some((i, Boundary::Headline));
            } else if seen_body && feats[i - 1].credit && !f.boilerplate() && (f.bodyish() || f.headline()) {
                boundary = Some((i, Boundary::Byline));
            } else if self.topic_shift > 0.0
                && seen_body
                && i - cur >= 4
                && f.bodyish()
                && !f.quoted
                && feats[i - 1].bodyish()
                && topic.shift(text, f, self.topic_shift)
            {
                boundary = Some((i, Boundary::Topic));
            }
            if let Some((j, why)) = boundary {
                // A boundary pulled back before the current start cannot happen (j > cur).
                starts.push((j, why));
                cur = j;
                seen_body = feats[j..=i].iter().any(Feat::bodyish);
                if self.topic_shift > 0.0 {
                    topic = TopicState::default();
                    for g in &feats[j..=i] {
                        topic.add(text, g);
                    }
                }
                continue;
            }
            seen_body |= f.bodyish();
            if self.topic_shift > 0.0 {
                topic.add(text, f);
            }
        }
        starts
    }

    /// Roles of the lines of one article.
    fn roles(&self, text: &str, feats: &[Feat]) -> Vec<Role> {
        // A question headline (`Analysis: … Can it buy lower prices?`) is not body text.
        let question_head = |j: usize, f: &Feat| j == 0 && f.ends_question && !f.quoted && feats.len() > 1;
        let first_body =
            feats.iter().enumerate().position(|(j, f)| f.bodyish() && !question_head(j, f)).unwrap_or(feats.len());
        // The tail: from the last body paragraph on, only boilerplate follows.
        let last_body = feats.iter().rposition(|f| f.bodyish() && !f.boilerplate()).unwrap_or(0);
        let mut roles = Vec::with_capacity(feats.len());
        for (j, f) in feats.iter().enumerate() {
            let line = &text[f.start..f.end];
            let prev: Option<Role> = roles.last().copied();
            let role = if f.own_dateline {
                Role::Dateline
            } else if f.related {
                Role::RelatedLink
            } else if f.caption {
                Role::Caption
            } else if f.by_start || f.credit {
                Role::Byline
            } else if j < first_body || question_head(j, f) {
                if f.names_only && j > 0 { Role::Byline } else { Role::Standfirst }
            } else if f.attribution && (prev == Some(Role::PullQuote) || j > 0 && feats[j - 1].quoted)
                || f.dateline_end.is_none() && f.words <= 45 && repeats_body(text, feats, j)
            {
                Role::PullQuote
            } else if !f.ends_stop && !f.ends_question || (f.ends_question && f.words <= 8) {
                if j > last_body && f.names_only {
                    Role::Byline
                } else if j > last_body && f.words >= 5 {
                    Role::RelatedLink
                } else {
                    Role::Subheading
                }
            } else {
                let _ = line;
                Role::Body
            };
            roles.push(role);
        }
        roles
    }
}

fn build(p: &str) -> Result<Regex, String> {
    Regex::new(p).map_err(|e| format!("invalid pattern: {e}"))
}

/// Names only: two or more capitalised words, joined by `and`/`in`/particles.
fn names_only(line: &str) -> bool {
    let mut caps = 0;
    for w in line.split_whitespace() {
        let w = w.trim_end_matches([',', ';']);
        if w.starts_with(|c: char| c.is_uppercase()) && !w.chars().any(|c| c.is_ascii_digit()) {
            caps += 1;
        } else if !matches!(
            w,
            "and" | "&" | "in" | "de" | "van" | "von" | "der" | "al" | "bin" | "la" | "le" | "du" | "da"
        ) {
            return false;
        }
    }
    caps >= 2
}

/// The core of a possible pull quote: without quote marks, dashes and final punctuation.
fn quote_core(line: &str) -> &str {
    const MARKS: &[char] = &['"', '\'', '“', '”', '‘', '’', '«', '»', ' ', '.', ',', '!', '?', '…', '-', '–', '—'];
    line.trim_matches(MARKS)
}

/// Whether line `j` (short) repeats a passage of another, longer line of the article.
fn repeats_body(text: &str, feats: &[Feat], j: usize) -> bool {
    let core = quote_core(&text[feats[j].start..feats[j].end]);
    if core.split_whitespace().count() < 4 {
        return false;
    }
    let finder = memchr::memmem::Finder::new(core.as_bytes());
    let lo = j.saturating_sub(40);
    let hi = (j + 40).min(feats.len());
    (lo..hi).any(|k| {
        k != j
            && feats[k].end - feats[k].start > core.len() + 8
            && finder.find(&text.as_bytes()[feats[k].start..feats[k].end]).is_some()
    })
}

/// Present-tense verbs of picture captions (news captions describe the picture in the
/// present tense, body text reports in the past tense).
const CAPTION_VERBS: &[&str] = &[
    "addresses",
    "arrive",
    "arrives",
    "attend",
    "attends",
    "carries",
    "carry",
    "celebrate",
    "celebrates",
    "cheer",
    "cheers",
    "embrace",
    "embraces",
    "examine",
    "examines",
    "gather",
    "gathers",
    "gestures",
    "greet",
    "greets",
    "hug",
    "hugs",
    "inspect",
    "inspects",
    "listens",
    "mourn",
    "mourns",
    "pose",
    "poses",
    "pray",
    "prays",
    "queue",
    "queues",
    "shake",
    "shakes",
    "sit",
    "sits",
    "smile",
    "smiles",
    "speak",
    "speaks",
    "stand",
    "stands",
    "wait",
    "waits",
    "walk",
    "walks",
    "watch",
    "watches",
    "wave",
    "waves",
];

/// A short, unquoted, full-stopped line with a caption verb among its first words that is
/// not preceded by a modal or `to`.
fn caption_verb(line: &str, words: usize) -> bool {
    if words > 35 || !line.ends_with('.') || line.contains(['"', '“', '”']) {
        return false;
    }
    let toks: Vec<&str> = line.split_whitespace().take(16).collect();
    toks.iter().enumerate().skip(1).any(|(i, t)| {
        let w = t.trim_end_matches([',', '.']);
        CAPTION_VERBS.binary_search(&w).is_ok()
            && !matches!(
                toks[i - 1],
                "to" | "will"
                    | "would"
                    | "could"
                    | "can"
                    | "may"
                    | "must"
                    | "should"
                    | "not"
                    | "did"
                    | "do"
                    | "does"
                    | "they"
                    | "we"
                    | "you"
                    | "I"
            )
    })
}

/// Vocabulary and names of the current article, for the story-change signal.
#[derive(Debug, Default)]
struct TopicState {
    words: HashSet<String>,
    names: HashSet<String>,
}

impl TopicState {
    fn add(&mut self, text: &str, f: &Feat) {
        let line = &text[f.start..f.end];
        for w in content_words(line) {
            self.words.insert(w);
        }
        for n in capitalised(line) {
            self.names.insert(n.to_owned());
        }
    }

    /// A new story: a full name (two capitalised words) whose surname is unknown so far, and
    /// a content vocabulary that overlaps the article's by less than `threshold`.
    fn shift(&self, text: &str, f: &Feat, threshold: f64) -> bool {
        let line = &text[f.start..f.end];
        let toks: Vec<&str> = line.split_whitespace().collect();
        let new_full_name = toks.windows(2).any(|w| {
            let a = w[0].trim_matches(|c: char| !c.is_alphanumeric());
            let b = w[1].trim_matches(|c: char| !c.is_alphanumeric());
            is_cap(a) && is_cap(b) && !self.names.contains(b) && !self.names.contains(a)
        });
        if !new_full_name {
            return false;
        }
        let words: HashSet<String> = content_words(line).collect();
        if words.len() < 8 {
            return false;
        }
        let shared = words.iter().filter(|w| self.words.contains(*w)).count();
        (shared as f64 / words.len() as f64) < threshold
    }
}

fn is_cap(w: &str) -> bool {
    w.len() > 2 && w.starts_with(|c: char| c.is_uppercase()) && w.chars().skip(1).all(|c| c.is_lowercase() || c == '-')
}

fn capitalised(line: &str) -> impl Iterator<Item = &str> {
    line.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric())).filter(|w| is_cap(w))
}

/// Lower-cased words of four letters or more, minus a few function words.
fn content_words(line: &str) -> impl Iterator<Item = String> + '_ {
    const STOP: &[&str] = &[
        "about", "after", "also", "been", "being", "could", "from", "have", "into", "more", "over", "said", "says",
        "than", "that", "their", "them", "there", "these", "they", "this", "those", "told", "were", "what", "when",
        "which", "while", "will", "with", "would", "year", "years",
    ];
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .filter(|w| !STOP.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn splitter() -> ArticleSplitter {
        ArticleSplitter::new(None, 0.0).unwrap()
    }

    fn dl(line: &str) -> Option<&str> {
        splitter().dateline(line).map(|e| &line[..e])
    }

    #[test]
    fn dateline_forms() {
        assert_eq!(dl("MOSCOW — The talks"), Some("MOSCOW —"));
        assert_eq!(dl("LONDON – Prices"), Some("LONDON –"));
        assert_eq!(dl("PARIS- The city"), Some("PARIS-"));
        assert_eq!(dl("BEIRUT (AFP)- Shelling"), Some("BEIRUT (AFP)-"));
        assert_eq!(dl("WASHINGTON (Reuters) - The"), Some("WASHINGTON (Reuters) -"));
        assert_eq!(dl("NEW YORK, March 3 (XYZ) -- Stocks"), Some("NEW YORK, March 3 (XYZ) --"));
        assert_eq!(dl("KRAKÓW, Poland, March 3 (MPA) - Observers"), Some("KRAKÓW, Poland, March 3 (MPA) -"));
        assert_eq!(dl("DENPASAR, Bali — Hundreds"), Some("DENPASAR, Bali —"));
        assert_eq!(dl("KRAKÓW, March 5 –"), Some("KRAKÓW, March 5 –"));
        assert_eq!(dl("The MOSCOW talks - ok"), None);
        assert_eq!(dl("A - b"), None);
        assert_eq!(dl("UK-based firms said"), None);
    }

    #[test]
    fn caption_verbs_are_sorted() {
        assert!(CAPTION_VERBS.windows(2).all(|w| w[0] < w[1]));
        assert!(caption_verb("The minister speaks to reporters in Darwin on Thursday.", 9));
        assert!(!caption_verb("The minister will speak to reporters in Darwin on Thursday.", 10));
        assert!(!caption_verb("The minister spoke to reporters in Darwin on Thursday.", 9));
    }

    #[test]
    fn custom_datelines() {
        let s = ArticleSplitter::new(Some(&["[A-Z]+ \\| ".to_string()]), 0.0).unwrap();
        assert_eq!(s.dateline("OSLO | The"), Some(6));
        assert_eq!(s.dateline("OSLO — The"), None);
        assert!(ArticleSplitter::new(Some(&["(".to_string()]), 0.0).is_err());
    }

    const DUMP: &str = "MOMBASA (Wire) - Ministers from six countries met on Monday to discuss a levy on cargo.\n\
“A levy is not a tax,” the minister said to reporters at the port on Sunday.\n\
“A levy is not a tax.”\n\
Delegates arrive at the centre. (Photo: Wire/Someone)\n\
Related: Central bank expected to raise rates again\n\
Jane Roe is Wire's trade correspondent, based in Nairobi.\n\
Candidate edges ahead by 412 votes as run-off goes to the wire\n\
KRAKÓW — The independent candidate leads the race to become mayor by just 412 votes on Monday.\n\
What the court heard\n\
The count went on through the night and observers said the seals were intact.\n\
Reporting by Ewa Nowak; editing by Sam Lee\n\
The chief executive of a mining company admitted in court on Wednesday that it knew of seepage.\n\
Lawyers for the villagers said the admission changed the case entirely for their clients.\n";

    #[test]
    fn splits_a_dump_with_roles() {
        let a = splitter().analyse(DUMP);
        let starts: Vec<(usize, Boundary)> = a.articles.iter().map(|x| (x.first_line, x.boundary)).collect();
        assert_eq!(starts, [(0, Boundary::Start), (6, Boundary::Headline), (11, Boundary::Byline)]);
        let roles: Vec<&str> = a.blocks.iter().map(|b| b.role.as_str()).collect();
        assert_eq!(
            roles,
            [
                "body",
                "body",
                "pull_quote",
                "caption",
                "related_link",
                "byline",
                "standfirst",
                "body",
                "subheading",
                "body",
                "byline",
                "body",
                "body"
            ]
        );
        assert_eq!(a.articles[0].dateline, Some((0, 16)));
        assert_eq!(a.articles.last().map(|x| x.end), Some(DUMP.len() - 1));
    }
}
