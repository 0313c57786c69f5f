//! Dumps into articles, and a role for every paragraph of an article.
//!
//! Scraped dumps run articles together with no separator. The text is first cut into
//! paragraphs by its shape ([`crate::shape`]: one per line, blank-line blocks, or
//! hard-wrapped lines unwrapped, always as exact byte ranges of the source); an unwrapped
//! paragraph is cut again before an inner line that opens with a dateline, a `By` line, a
//! credit or a `Related:` label, and after such a `Related:` or credit line. Each paragraph
//! is described by cheap features (a dateline at its start, final punctuation, word count,
//! headline shape, `Related:`/`Photo:`/`By …`/credit patterns). Article boundaries are then
//! found in one pass, from the strongest evidence to the weakest:
//!
//! 1. **dateline** — a paragraph opening with a wire dateline (`MOSCOW —`, `PARIS-`,
//!    `WASHINGTON (Reuters) -`, `KRAKOW, Poland, March 3 (MPA) -`, or a dateline on a line of
//!    its own) starts an article once the current one has body text; the headline and
//!    `By …` lines just above it belong to the new article;
//! 2. **headline** — a long line without final punctuation (a standfirst/headline) followed by
//!    a body paragraph, a `By …` line or a dateline starts an article, as opposed to a short
//!    subheading or a bare related-story title followed by an author line; a short headline
//!    just above such a standfirst belongs to the new article. A short line of headline
//!    shape (all capitals, or a ticker such as `<ABC>` or `(ABC.N)`, no final period)
//!    followed by body text, or by a standfirst and body text, starts an article too; a
//!    title-cased one only where the words change as well (the story-change signal's
//!    similarity between the article so far and the next paragraphs is below
//!    [`AUTO_TOPIC_SHIFT`]), which keeps title-cased subheadings inside their article.
//!    A line in capitals starts one by its shape alone only in a dump whose first line is in
//!    capitals too (elsewhere capitals write section headings and related links: under a
//!    title-cased first line not at all, under one in sentence case where the words change;
//!    over a `By` line or a dateline always). Numbered list items (`2. …` with another
//!    number near) and interview turns (`Q: …`) are never headlines. Up to two title-like
//!    lines right above a headline (any case, no final period, not body text) that share a
//!    content word with it or the paragraph under it (and the body paragraph under that,
//!    past a furniture line) join its article (a page's title over its own headline, a
//!    kicker, a short headline over a standfirst), as does a short line in capitals right
//!    above it.
//!    In mail and Usenet digests (blank-line paragraphs with `>` quotes or signatures) a
//!    headline stands alone between blank lines and needs
//!    evidence that a new text starts: the text before it ended (a signature: the `--`
//!    delimiter, a rule or a box, an address line, with perhaps a short motto under it; a
//!    credit; a sign-off name alone), a reply opens after it (an attribution line such as
//!    `… writes:` over quoted `>` lines, or one naming a message id or an address over
//!    anything), or, for a headline-shaped line flush left, the words change (an indented
//!    line is a section heading inside a long text); quoted blocks, signatures and
//!    attribution lines are never starts and stay with the post they are in. Other texts in
//!    blank-line blocks (scraped pages, plain-text archives) read headlines as one paragraph
//!    per line does, an indented line there being a section heading. A caption, credit,
//!    `By` line, line of names, date alone or place alone (`Pittsburgh`, named again in the
//!    body under it) may sit between a headline and its body text.
//!    Three or more headline starts in a row whose pieces hold one body paragraph at most
//!    are the items of a list inside one article (deals, tips, a programme) and are joined
//!    back into it;
//! 3. **byline** — a body paragraph of 12 words or more, a standfirst, or a short
//!    headline-shaped line over body text right after an
//!    end-of-article credit or author bio (`Reporting by …`, `X is the … correspondent.`,
//!    `… newsdesk`) starts an article (a short line there, `Follow her on …`, is the bio's);
//! 4. **topic** — the story-change signal ([`crate::cohesion`]: lexical cohesion between
//!    paragraphs, minimum description length segmentation and a merge test). It runs inside
//!    every article of four paragraphs or more when `topic_shift` is set, and under `auto`
//!    only on a text of [`AUTO_TOPIC_MIN_PARAGRAPHS`] paragraphs or more that opens with body
//!    text and shows none of the evidence above (a headline, standfirst or dateline at the
//!    top marks a single article). Pull quotes, captions, subheadings and other non-body
//!    paragraphs never start a story by this signal.
//!
//! Roles follow from the position in the article: paragraphs before the first body
//! paragraph are `standfirst` (or `byline`, `dateline`); `Related:`/`READ MORE:` lines and
//! bare titles in the tail are `related_link`; `Photo:`/`Image:` lines are `caption`; short
//! paragraphs repeating a body sentence (whitespace-insensitive, so a wrapped quote matches),
//! and `- Name, Title` lines under them, are `pull_quote`; credits, bios and name-only lines
//! at the end are `byline`; other paragraphs without final punctuation are `subheading`.

use std::borrow::Cow;
use std::collections::HashMap;

use docpipe_text::lines::opens_with_by_name;
use regex::Regex;

use crate::cohesion;
use crate::shape::{self, Shape};

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

/// The built-in dateline pattern ([`docpipe_text::dateline::PATTERN`]).
pub use docpipe_text::dateline::PATTERN as DEFAULT_DATELINE;

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
    /// The shape the paragraphs were read in (never `auto`).
    pub shape: Option<Shape>,
    /// One block per paragraph, in order.
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
    /// Headline shape: a short capitalised line (see [`headline_shape`]).
    head: HeadShape,
    /// Layout: a blank line before it (or the text's start) and after it (or the end).
    gap_before: bool,
    gap_after: bool,
    /// It is one source line.
    one_line: bool,
    /// Its first line opens with e-mail quote marks (`>`, `|>`).
    mail_quoted: bool,
    /// One of its lines belongs to a signature ([`signature_line`]).
    sig: bool,
    /// A sign-off: one to three name-like words alone (`keith`, `R. Landis`, `-jim`).
    signoff: bool,
    /// It contains an e-mail address.
    email: bool,
    /// It is a numbered list item with another number near (`2. …`, `3) …`) or a turn of an
    /// interview (`Q: …`, `A: …`): a part of a text, never its headline ([`mark_items`]).
    item: bool,
    /// Most of its words (three or more) do not open with a letter: a table row, a score or price
    /// line (`Sorghum  2.34  3.25-Y  IV  5.36`), never a headline.
    tabular: bool,
}

/// How much a short line looks like a headline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum HeadShape {
    /// Not a headline.
    #[default]
    No,
    /// Title case (most longer words capitalised): a headline or a subheading.
    Title,
    /// All capitals, or with a ticker in angle or round brackets: a wire headline.
    Strong,
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
            && !self.item
            && !self.tabular
            && self.dateline_end.is_none()
    }
    /// Shaped like a short headline (read after a credit): opens with a capital, no final
    /// period, at most 30 words, not body text, boilerplate or a list item.
    fn head_like(&self) -> bool {
        !self.bodyish()
            && !self.ends_stop
            && self.starts_upper
            && (1..=30).contains(&self.words)
            && !self.boilerplate()
            && !self.item
            && !self.tabular
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
    auto_topic: bool,
    shape: Shape,
}

/// The merge threshold of the story-change signal under `topic_shift = "auto"`.
pub const AUTO_TOPIC_SHIFT: f64 = 0.15;

/// The fewest paragraphs of a dump without any other article evidence for the automatic
/// story-change signal to run.
pub const AUTO_TOPIC_MIN_PARAGRAPHS: usize = 10;

impl ArticleSplitter {
    /// Builds the splitter. `datelines` are regular expressions matched at the start of each
    /// paragraph (`None`: [`DEFAULT_DATELINE`]); `topic_shift` is the merge threshold of the
    /// story-change signal ([`crate::cohesion`]; 0 disables it).
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
                r"(?i)^\(?(?:additional |extra )?(?:reporting|writing|editing|edited|compiled|research|translation|translated|text|words|graphics|photos?) by\b|;\s*(?:additional )?(?:reporting|editing|writing) by\b|^this (?:story|article|report) (?:was|first|originally|appeared|is)\b|^(?:originally|first) published\b|^(?:copyright|©)|^(?:contributing|contributors?)(?: writers?| reporters?)?\s?:",
            )?,
            bio: build(
                r"^\p{Lu}[\p{L}'’.\-]*(?:\s\p{Lu}[\p{L}'’.\-]*){0,3}(?:,?\s(?:and|&)\s\p{Lu}[\p{L}'’.\-]*(?:\s\p{Lu}[\p{L}'’.\-]*){0,3})?\s(?:(?:is|are|was|were)\s.{0,80}?\b(?:correspondent|reporter|editor|writer|journalist|columnist|contributor|photographer|producer|analyst|presenter|freelancer|intern)s?\b|(?:reports?|reported|covers?|covered|writes?|wrote)\s.{0,80}?\b(?:for|from)\s)",
            )?,
            desk: build(r"(?i)(?:\bstaff|\bnews ?desk|\bdesk|\bbureau|\bstaff writers?|\bwire services?)$")?,
            caption: build(
                r"(?i)\((?:photo|image|picture|photograph|pictured|file photo|credit)s?\b|\b(?:photo|image|picture|photograph|credit)s?:\s|\bphoto by\b|\bgetty images\b",
            )?,
            related: build(
                r"(?i)^(?:related|read more|read also|also read|see also|more on this|more|recommended|related coverage|related stories|related story|further reading|watch|listen|also)\s?:",
            )?,
            topic_shift,
            auto_topic: false,
            shape: Shape::Lines,
        })
    }

    /// How the text is cut into paragraphs (default: one per line).
    pub fn with_shape(mut self, shape: Shape) -> Self {
        self.shape = shape;
        self
    }

    /// With `topic_shift` 0: run the story-change signal (threshold [`AUTO_TOPIC_SHIFT`]) on
    /// texts of at least [`AUTO_TOPIC_MIN_PARAGRAPHS`] paragraphs that open with body text and
    /// show no other article boundary.
    pub fn with_auto_topic(mut self, on: bool) -> Self {
        self.auto_topic = on;
        self
    }

    /// Finds the paragraphs, articles and block roles of `text`.
    pub fn analyse(&self, text: &str) -> Analysis {
        let (shape, mut paras) = shape::paragraphs(text, self.shape);
        if shape == Shape::Wrapped {
            paras = self.split_at_datelines(text, &paras);
        }
        let mut feats: Vec<Feat> = paras.iter().map(|&(s, e)| self.features(text, s, e)).collect();
        layout(text, &mut feats);
        mark_items(text, &mut feats);
        if feats.is_empty() {
            return Analysis { shape: Some(shape), ..Analysis::default() };
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
        Analysis { shape: Some(shape), blocks, articles }
    }

    /// Unwrapped paragraphs cut again around inner lines that are blocks of their own: before
    /// a line that opens with a dateline, a `By` line, a credit or a `Related:` label, and
    /// after a `Related:` or credit line when the next line opens with a capital (a credit,
    /// related link or headline that fills the width hides the paragraph break in a text
    /// whose indents were trimmed).
    fn split_at_datelines(&self, text: &str, paras: &[(usize, usize)]) -> Vec<(usize, usize)> {
        let b = text.as_bytes();
        let mut out = Vec::with_capacity(paras.len());
        for &(s, e) in paras {
            let mut start = s;
            let mut pos = s;
            let first = text[s..memchr::memchr(b'\n', &b[s..e]).map_or(e, |k| s + k)].trim_end();
            let mut prev_own_line = self.related.is_match(first) || self.credit.is_match(first);
            while let Some(nl) = memchr::memchr(b'\n', &b[pos..e]).map(|k| pos + k) {
                let ls = crate::sentences::skip_ws(b, nl, e);
                let le = memchr::memchr(b'\n', &b[ls..e]).map_or(e, |k| ls + k);
                let line = text[ls..le].trim_end();
                let related = self.related.is_match(line);
                let credit = self.credit.is_match(line);
                let opens_block = related || credit || self.dateline(line).is_some() || opens_with_by_name(line);
                let after_own_line = prev_own_line && line.starts_with(|c: char| c.is_uppercase());
                if opens_block || after_own_line {
                    let mut pe = nl;
                    while pe > start && crate::sentences::is_ws(b[pe - 1]) {
                        pe -= 1;
                    }
                    out.push((start, pe));
                    start = ls;
                }
                prev_own_line = related || credit;
                pos = ls.max(nl + 1);
            }
            out.push((start, e));
        }
        out
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
        // A wire headline may open with a bracketed company name or ticker (`<ABC CORP> BUYS …`).
        let first = line.trim_start_matches(['"', '\'', '“', '‘', '«', '(', '[', '<']).chars().next();
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
            by_start: words <= 15 && opens_with_by_name(line),
            credit: false,
            names_only: false,
            attribution: false,
            quoted: line.starts_with(['"', '“', '‘', '\'', '«']),
            head: HeadShape::No,
            gap_before: false,
            gap_after: false,
            one_line: !line.contains('\n'),
            mail_quoted: false,
            sig: false,
            signoff: false,
            email: false,
            item: false,
            tabular: words >= 3
                && line
                    .split_whitespace()
                    .filter(|w| {
                        w.trim_start_matches(|c: char| c.is_ascii_punctuation()).starts_with(char::is_alphabetic)
                    })
                    .count()
                    * 2
                    < words,
        };
        f.credit = short
            && (self.credit.is_match(line)
                || (words <= 35 && self.bio.is_match(line))
                || (words <= 8 && !f.ends_stop && self.desk.is_match(core)));
        f.names_only = !f.ends_stop && !f.ends_question && words <= 12 && names_only(line);
        if !f.ends_stop
            && !f.ends_question
            && !f.quoted
            && f.starts_upper
            && !f.boilerplate()
            && !f.tabular
            && dateline_end.is_none()
        {
            f.head = headline_shape(line, words);
        }
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

    /// Article start paragraphs with the reason for each.
    fn segment(&self, text: &str, feats: &[Feat]) -> Vec<(usize, Boundary)> {
        let mut stems = StemCache::new(feats.len());
        let mut starts = vec![(0usize, Boundary::Start)];
        let mut cur = 0usize;
        let mut seen_body = feats[0].bodyish();
        // Paragraphs apart by blank lines (mail, digests, archives, blank-line dumps): a
        // headline stands alone between blank lines.
        let gapped = gapped(feats);
        // The dump's own headline style: a text that opens with a line in capitals (or with
        // a ticker) writes its headlines so, and such a line starts a story by its shape
        // alone; elsewhere capitals are how a story writes its section headings and related
        // links (`US FALLS`, `CLICK HERE TO GET THE APP`), which start one only where the
        // words change too (or before a `By` line or a dateline).
        let strong_style = feats[0].head == HeadShape::Strong;
        // Under a title-cased first headline, a line in capitals is a section heading as far
        // as its words go (plain text writes its headings in capitals; the headlines of one
        // dump share a style).
        let title_style = feats[0].head == HeadShape::Title;
        // Mail, news posts and digests (a quoted passage of two lines or more, a signature
        // under the `-- ` delimiter, a reply's attribution line, or two signatures of two lines or
        // more; a lone `>> Read more` arrow of a web page is none of them) read only the
        // lone-headline rules of [`Self::gapped_headline`], where a short line in sentence
        // case is a remark or a heading unless a text ended before it; other texts in
        // blank-line blocks (scraped pages, plain-text archives) fall back on the rules for
        // one paragraph per line.
        let mail = gapped
            && (feats.iter().any(|f| {
                f.mail_quoted && !f.one_line
                    || f.sig && text[f.start..f.end].lines().any(|l| l.trim_end() == "--")
                    || f.one_line && f.words <= 20 && attribution_line(&text[f.start..f.end])
            }) || feats.iter().filter(|f| f.sig && !f.one_line).count() >= 2);
        for i in 1..feats.len() {
            let f = &feats[i];
            let next = feats.get(i + 1);
            // A headline is followed by body text, a `By` line, a dateline, or a standfirst
            // and then body text.
            let body_follows = |k: usize| {
                feats.get(k).is_some_and(|n| (n.bodyish() || n.by_start || n.dateline_end.is_some()) && !n.credit)
            };
            // A headline's furniture: a caption or credit line, a `By` line, a line of names
            // (a byline in another language), a date alone or a place alone (a dateline on a
            // line of its own in sentence case: `Pittsburgh`).
            let furniture = |k: usize| {
                feats.get(k).is_some_and(|n| {
                    !n.bodyish()
                        && (n.caption
                            || n.by_start
                            || n.credit
                            || names_line(text, n)
                            || date_only(&text[n.start..n.end])
                            || feats
                                .get(k + 1)
                                .is_some_and(|b| place_alone(&text[n.start..n.end], &text[b.start..b.end])))
                })
            };
            // In blank-line texts that are not mail, an indented line is a section heading or
            // a centred title inside a long text (headlines start flush left).
            let flush = !(gapped && indented(text, f.start));
            let gapped_hit = if !mail || !seen_body {
                None
            } else if self.gapped_headline(text, feats, cur, i, &mut stems) {
                Some((i, Boundary::Headline))
            } else if f.gap_before
                && feats[i - 1].credit
                && !f.boilerplate()
                && (f.bodyish() && f.words >= 12 || f.headline())
            {
                Some((i, Boundary::Byline))
            } else {
                None
            };
            let mut boundary = None;
            if seen_body && f.dateline_end.is_some() {
                // Pull the headline and `By` lines above the dateline into the new article.
                let mut j = i;
                while j > cur + 1
                    && i - j < 3
                    && (feats[j - 1].headline() || feats[j - 1].by_start || feats[j - 1].head == HeadShape::Strong)
                    && !feats[j - 1].bodyish()
                {
                    j -= 1;
                }
                boundary = Some((j, Boundary::Dateline));
            } else if let Some(hit) = gapped_hit {
                boundary = Some(hit);
            } else if mail {
                // Mail and digests: only a lone headline with evidence (above) starts a post.
            } else if seen_body
                && flush
                && (f.headline() && next.is_some_and(|n| (n.by_start || n.dateline_end.is_some()) && !n.credit)
                    || (f.headline()
                        && (body_follows(i + 1) || !f.bodyish() && furniture(i + 1) && body_follows(i + 2))
                        || f.head == HeadShape::Strong
                            && (body_follows(i + 1) || next.is_some_and(Feat::headline) && body_follows(i + 2)))
                        && if f.head == HeadShape::Strong {
                            strong_style || !title_style && stems.story_changes(text, feats, cur, i)
                        } else {
                            stems.story_changes(text, feats, cur, i)
                        })
            {
                boundary = Some((headline_block_start(text, feats, cur, i), Boundary::Headline));
            } else if seen_body
                && flush
                && f.head == HeadShape::Title
                && !(if gapped { names_line(text, f) } else { f.names_only })
                && (next.is_some_and(Feat::bodyish)
                    || next.is_some_and(Feat::headline) && feats.get(i + 2).is_some_and(Feat::bodyish))
                && stems.story_changes(text, feats, cur, i)
            {
                // A title-cased line is a headline only where the words change too (a
                // subheading keeps the article's words); a credit line above a standfirst
                // and a `By` line is not one, nor (one paragraph per line) a line of
                // capitalised words alone, or (blank-line blocks, where the headline stands
                // alone) a line of names such as the byline that closed the story before.
                boundary = Some((headline_block_start(text, feats, cur, i), Boundary::Headline));
            } else if seen_body
                && feats[i - 1].credit
                && !f.boilerplate()
                && (f.bodyish() && f.words >= 12
                    || f.headline()
                    || f.head_like() && f.words >= 2 && body_follows(i + 1))
            {
                boundary = Some((i, Boundary::Byline));
            }
            if let Some((j, why)) = boundary {
                // A boundary pulled back before the current start cannot happen (j > cur).
                starts.push((j, why));
                cur = j;
                seen_body = feats[j..=i].iter().any(Feat::bodyish);
                continue;
            }
            seen_body |= f.bodyish();
        }
        let mut starts = list_items_joined(feats, starts);
        let threshold = if self.topic_shift > 0.0 {
            Some(self.topic_shift)
        } else if self.auto_topic
            && starts.len() == 1
            && feats.len() >= AUTO_TOPIC_MIN_PARAGRAPHS
            && feats[0].bodyish()
            && feats[0].dateline_end.is_none()
        {
            Some(AUTO_TOPIC_SHIFT)
        } else {
            None
        };
        if let Some(t) = threshold {
            let mut topical = Vec::new();
            for (k, &(a, _)) in starts.iter().enumerate() {
                let b = starts.get(k + 1).map_or(feats.len(), |n| n.0);
                if b - a >= 4 {
                    topical.extend(self.topic_starts(text, feats, a, b, t));
                }
            }
            starts.extend(topical);
            starts.sort_by_key(|s| s.0);
        }
        starts
    }

    /// Whether paragraph `i` of a text whose paragraphs are apart by blank lines
    /// ([`gapped`]) is a headline that starts a story. It must be a short line standing
    /// alone between blank lines (one to twenty words, no final comma, colon or semicolon,
    /// not wholly in brackets, no e-mail quote marks, address or signature line), not right
    /// after a quoted passage (a remark in a reply), and followed by text rather than by
    /// another such line (`keith` above the next subject), unless it is a headline over a
    /// standfirst line. Then one piece of evidence that a new text starts is needed:
    ///
    /// - the text before it ended ([`ended_before`]: a signature, a credit or a sign-off);
    ///   only then may the line end with a period;
    /// - a reply opens after it: quoted lines, or an attribution line ending in a colon
    ///   above them, or an attribution line naming a message or an address
    ///   ([`attribution_line`]) over anything (a quoted signature is not a reply); a line
    ///   with a final period needs the text before it to have ended, or an attribution
    ///   line after it;
    /// - the words change (the story-change signal) at a line over a `By` line or a
    ///   dateline, or at a headline-shaped line (capitals, a ticker or title case) over
    ///   body text; a line in sentence case, a line of names only, a sign-off (`Tom`), an
    ///   indented line (a section heading or a centred title inside a long text: subjects
    ///   and headlines start flush left) or a line in capitals under a title-cased first
    ///   line (plain text writes its section headings in capitals; the headlines of one
    ///   dump share a style) needs one of the first two.
    ///
    /// So a subheading inside a story (its words go on, nothing ended before it) is not a
    /// start, and neither are signatures, quoted blocks and attribution lines, which stay
    /// with the post they are in.
    fn gapped_headline(&self, text: &str, feats: &[Feat], cur: usize, i: usize, stems: &mut StemCache) -> bool {
        let f = &feats[i];
        let isolated = |g: &Feat| {
            g.gap_before
                && g.gap_after
                && g.one_line
                && (1..=20).contains(&g.words)
                && !g.mail_quoted
                && !g.email
                && !g.sig
                && !g.boilerplate()
                && g.dateline_end.is_none()
                && !text[g.start..g.end].trim_end().ends_with([',', ';', ':'])
                && !(text[g.start..g.end].starts_with('[') && text[g.start..g.end].ends_with(']'))
                && text[g.start..g.end].split_whitespace().any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        };
        if !isolated(f) {
            return false;
        }
        let next = feats.get(i + 1);
        // A headline over a standfirst line and body text (or a dateline) is followed by
        // another short line.
        let standfirst = f.head != HeadShape::No
            && next.is_some_and(Feat::headline)
            && feats.get(i + 2).is_some_and(|m| m.bodyish() || m.by_start);
        let next_isolated = next.is_none_or(|n| isolated(n) && !n.ends_stop) && !standfirst;
        // A short block between a signature and this line is the signature's motto only
        // when this line is over body text (else it may be the subject of a short post)
        // and has no final period (else it may be an item of a list under a heading).
        let ended =
            ended_before(text, feats, i, false) || !next_isolated && !f.ends_stop && ended_before(text, feats, i, true);
        // Right after a quoted passage (not a quoted signature): a remark in a reply.
        if feats[i - 1].mail_quoted && !ended {
            return false;
        }
        // An attribution line (`In article <id> name writes:`) opens a reply; a line that
        // ends with a period may stand over one (a subject written as a sentence), though
        // not over bare quoted lines (a remark in a reply).
        let attributed = next.is_some_and(|n| {
            text[n.start..n.end].ends_with(':') && feats.get(i + 2).is_some_and(|m| m.mail_quoted)
                || n.one_line && attribution_line(&text[n.start..n.end])
        });
        if next_isolated && (!ended || f.ends_stop || f.quoted) || f.ends_stop && !ended && !attributed {
            return false;
        }
        let reply = attributed || next.is_some_and(|n| n.mail_quoted && !n.sig);
        // By the words alone: a headline-shaped line (capitals, a ticker, title case) over
        // body text, or any line over a `By` line or a dateline. A line in sentence case
        // (a subheading such as `The arithmetic of the harbour`), a line of names (the
        // byline that closed the story before: up to three capitalised words, or names
        // joined by `and`, `&` or commas) or one shaped like a sign-off (`Tom`) needs one
        // of the other two.
        let names = names_line(text, f);
        // The dump's own headline style: that of its first line, when the text opens with a
        // lone headline-shaped line (a digest's first subject, a wire dump's first
        // headline). Capitals are how plain text writes section headings (a FAQ's, a
        // newsletter's, a README's), so where that line is in title case a line in capitals
        // is a heading inside a story (`CONTENTS`, `ABOUT THE AUTHOR` in a long post) as far
        // as its words go. (Mixed-case lines in a dump of capital headlines are left to the
        // words: a title-cased subheading already needs them to change.)
        let first = &feats[0];
        let same_style =
            !(first.gap_after && first.one_line && first.head == HeadShape::Title) || f.head != HeadShape::Strong;
        let by_words = !f.signoff
            && !names
            && same_style
            && !indented(text, f.start)
            && next.is_some_and(|n| {
                n.by_start
                    || n.dateline_end.is_some()
                    || f.head != HeadShape::No
                        && (n.bodyish() || n.headline() && feats.get(i + 2).is_some_and(Feat::bodyish))
            });
        ended || reply || by_words && stems.story_changes(text, feats, cur, i)
    }

    /// The cohesion units of paragraphs `a..b`: only body paragraphs that repeat no other
    /// paragraph carry words and may start a story.
    fn cohesion_units(&self, text: &str, feats: &[Feat], a: usize, b: usize) -> (Vec<cohesion::Unit>, usize) {
        let norm = normalised(text, &feats[a..b]);
        let mut vocab = HashMap::new();
        let units = (a..b)
            .map(|j| {
                let f = &feats[j];
                let line = &text[f.start..f.end];
                let body = f.bodyish() && !f.boilerplate() && !repeats_body(&norm, j - a);
                cohesion::Unit {
                    words: if body { cohesion::stems(line, &mut vocab) } else { Vec::new() },
                    may_start: body,
                    cues: cohesion::continuation_cues(line),
                    lede: cohesion::opens_indefinite(line),
                }
            })
            .collect();
        (units, vocab.len())
    }

    /// Story starts inside the article `a..b` from the story-change signal.
    fn topic_starts(&self, text: &str, feats: &[Feat], a: usize, b: usize, t: f64) -> Vec<(usize, Boundary)> {
        let (units, n) = self.cohesion_units(text, feats, a, b);
        cohesion::segment(&units, n, t).into_iter().map(|k| (a + k, Boundary::Topic)).collect()
    }

    /// Roles of the lines of one article.
    fn roles(&self, text: &str, feats: &[Feat]) -> Vec<Role> {
        // A question headline (`Analysis: … Can it buy lower prices?`) is not body text.
        let question_head = |j: usize, f: &Feat| j == 0 && f.ends_question && !f.quoted && feats.len() > 1;
        let first_body =
            feats.iter().enumerate().position(|(j, f)| f.bodyish() && !question_head(j, f)).unwrap_or(feats.len());
        // The tail: from the last body paragraph on, only boilerplate follows.
        let last_body = feats.iter().rposition(|f| f.bodyish() && !f.boilerplate()).unwrap_or(0);
        let norm = normalised(text, feats);
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
                || f.dateline_end.is_none() && f.words <= 45 && repeats_body(&norm, j)
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

/// The fewest headline-started pieces in a row, each with one body paragraph at most, that
/// read as the items of a list inside one article ([`list_items_joined`]).
const LIST_RUN: usize = 3;

/// Headline starts that cut a list into stories joined back: where [`LIST_RUN`] or more
/// pieces in a row start at a headline (not a dateline or a credit) and hold one body
/// paragraph at most each, they are the items of a list inside the article before them
/// (deals, products, tips, a programme, sections of a guide), not stories of their own.
/// Known cost: a page whose headline stands over a one-paragraph intro and then such a
/// list is joined to the story before it too (keeping the run's first start instead was
/// tried: it cut as many lists that follow their article's body; dev chose this way).
fn list_items_joined(feats: &[Feat], starts: Vec<(usize, Boundary)>) -> Vec<(usize, Boundary)> {
    let body = |k: usize| {
        let (a, _) = starts[k];
        let b = starts.get(k + 1).map_or(feats.len(), |n| n.0);
        feats[a..b].iter().filter(|f| f.bodyish()).count()
    };
    let item = |k: usize| starts[k].1 == Boundary::Headline && body(k) <= 1;
    let mut keep = vec![true; starts.len()];
    let mut k = 1;
    while k < starts.len() {
        let run = (k..starts.len()).take_while(|&m| item(m)).count();
        if run >= LIST_RUN {
            keep[k..k + run].iter_mut().for_each(|x| *x = false);
        }
        k += run.max(1);
    }
    starts.into_iter().zip(keep).filter_map(|(s, k)| k.then_some(s)).collect()
}

/// Whether a line is a date (and perhaps a time) alone: digits, separators and at most
/// four words of letters (`16.10.2019`, `Nov. 19, 2019`, `sexta-feira, 22 de outubro de
/// 2010`); an address line (`9500 Villach`) passes too, furniture all the same.
pub(crate) fn date_only(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    let digits = line.chars().filter(char::is_ascii_digit).count();
    let alpha_words = words.iter().filter(|w| w.chars().any(char::is_alphabetic)).count();
    (2..=14).contains(&digits) && alpha_words <= 4 && words.len() <= 8
}

/// Whether a line may be a page's title or kicker above a headline: at most 30 words, no
/// final period, comma, colon or semicolon, not body text (a question or exclamation of
/// five words or more is), in any case (`iMac …`, `betrifft: …`), not boilerplate, a list
/// item or a dateline.
fn title_like(text: &str, f: &Feat) -> bool {
    let core = text[f.start..f.end].trim_end_matches(['"', '\'', ')', ']', '”', '’', '»', ' ']);
    (1..=30).contains(&f.words)
        && !f.bodyish()
        && !core.ends_with(['.', ',', ';', ':'])
        && !f.boilerplate()
        && !f.item
        && f.dateline_end.is_none()
        && !f.mail_quoted
}

/// Where the article whose headline is paragraph `i` starts: up to two title-like lines
/// right above it ([`title_like`]) belong to it when they share a word with it or with
/// the paragraph under it (a page's title over its own headline, a kicker, a headline over
/// its standfirst), and so does a short line in capitals right above it (a wire headline,
/// with no word check); the article before keeps a paragraph of body text. A line of the story before
/// (a name under its credit, an agency line) shares no word with the new headline.
fn headline_block_start(text: &str, feats: &[Feat], cur: usize, i: usize) -> usize {
    let mut j = i;
    if i > cur + 1 && feats[i - 1].head == HeadShape::Strong && !feats[i - 1].headline() {
        j = i - 1;
    } else {
        // The headline's words and those of the paragraph under it; when that is furniture (a
        // place or a `By` line alone), of the body paragraph under that too.
        let mut near = content_words(&text[feats[i].start..feats[i].end]);
        for n in feats.iter().skip(i + 1).take(2) {
            near.extend(content_words(&text[n.start..n.end]));
            if n.bodyish() {
                break;
            }
        }
        while j > cur + 1
            && i - j < 2
            && title_like(text, &feats[j - 1])
            && content_words(&text[feats[j - 1].start..feats[j - 1].end]).iter().any(|w| near.contains(w))
        {
            j -= 1;
        }
    }
    while j < i && !feats[cur..j].iter().any(Feat::bodyish) {
        j += 1;
    }
    j
}

/// The content words of a line for [`headline_block_start`]: words of four letters or more,
/// lower-cased, cut to their first five letters (so `Assange's` meets `Assange`), without
/// the function words of the story-change signal (English and seven other languages).
fn content_words(line: &str) -> Vec<String> {
    line.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .filter(|w| !docpipe_text::function_words::is_topic_stop_word(w))
        .map(|w| w.chars().take(5).collect())
        .collect()
}

/// Computes the layout features: blank lines around each paragraph and, when the text's
/// paragraphs are apart by blank lines ([`gapped`]), the mail features of short or quoted
/// paragraphs (the only ones [`ArticleSplitter::gapped_headline`] reads).
fn layout(text: &str, feats: &mut [Feat]) {
    for k in 0..feats.len() {
        let gap = k == 0 || {
            let (a, b) = (feats[k - 1].end, feats[k].start);
            text.get(a..b).is_some_and(|t| t.bytes().filter(|&c| c == b'\n').count() >= 2)
        };
        feats[k].gap_before = gap;
        if k > 0 {
            feats[k - 1].gap_after = gap;
        }
    }
    if let Some(last) = feats.last_mut() {
        last.gap_after = true;
    }
    if !gapped(feats) {
        return;
    }
    for f in feats.iter_mut() {
        let para = &text[f.start..f.end];
        f.mail_quoted = mail_quoted(para);
        if f.words <= 20 || f.mail_quoted {
            f.sig = para.lines().take(12).any(signature_line);
            f.email = para.contains('@') && para.split_whitespace().any(email_like);
            f.signoff = f.words <= 3 && f.one_line && signoff(para);
        }
    }
}

/// Whether the paragraphs of a text are apart by blank lines: at least three blank-line
/// gaps, and one for every five paragraphs.
fn gapped(feats: &[Feat]) -> bool {
    let gaps = feats.iter().skip(1).filter(|f| f.gap_before).count();
    gaps >= 3 && gaps * 5 >= feats.len().saturating_sub(1)
}

/// Whether a paragraph is quoted from another message: its first line opens with e-mail
/// quote marks, or all its lines open with a bare `|` (`|quoted text`) and none ends with
/// one (a box).
fn mail_quoted(para: &str) -> bool {
    crate::sentences::quote_marks(para.lines().next().unwrap_or("")).is_some()
        || para.lines().all(|l| {
            let l = l.trim();
            l.starts_with('|') && (l.len() == 1 || !l.ends_with('|'))
        })
}

/// Whether the text before paragraph `i` ended: the last ten lines of its last block (the
/// lines since the last blank line) hold a signature line or a credit, or the block is one
/// sign-off alone. A rule further up a long block is a section break, not a signature.
/// With `motto`, a last block of one or two short lines (20 words at most, not quoted) may
/// sit under the signature: a quotation or motto that closes it; the block before it is
/// read instead, where a bare rule counts only over a motto in quotation marks (else it
/// may underline a section heading).
fn ended_before(text: &str, feats: &[Feat], i: usize, motto: bool) -> bool {
    let mut budget = 10usize;
    let mut tagline = motto;
    // Past a motto: whether it is in quotation marks.
    let mut past_motto: Option<bool> = None;
    for k in (i.saturating_sub(10)..i).rev() {
        let p = &feats[k];
        if p.credit {
            return true;
        }
        for line in text[p.start..p.end].lines().rev() {
            if budget == 0 {
                return false;
            }
            // Above a motto, a bare rule may underline a section heading (`Changes\n----`):
            // it closes a text only over a motto in quotation marks.
            if signature_line(line)
                && !underline(line_above(text, line), line)
                && (past_motto != Some(false) || line.trim() == "--" || line.chars().any(char::is_alphanumeric))
            {
                return true;
            }
            budget -= 1;
        }
        if p.gap_before {
            if k + 1 == i && p.signoff {
                return true;
            }
            // One short block after a signature (a quotation or motto under it) is the
            // signature's too: look at the block before it.
            let lines = text[p.start..p.end].lines().count();
            if tagline && k + 1 == i && lines <= 2 && p.words <= 20 && !p.mail_quoted {
                tagline = false;
                budget = 10;
                past_motto = Some(p.quoted);
                continue;
            }
            return false;
        }
    }
    false
}

/// Whether `rule` underlines `heading` (a section heading in plain text: `Changes` over
/// `-------`): a rule of one repeated character, no shorter than the heading's text and at
/// most three columns longer, under a line with letters.
fn underline(heading: &str, rule: &str) -> bool {
    let (h, r) = (heading.trim(), rule.trim());
    let Some(c) = r.chars().next() else { return false };
    let (hn, rn) = (h.chars().count(), r.chars().count());
    rn >= 3
        && r.chars().all(|x| x == c)
        && !c.is_alphanumeric()
        && h.chars().any(char::is_alphabetic)
        && rn >= hn
        && rn <= hn + 3
}

/// The source line right above `line` (a slice of `text`), empty at the text's start.
fn line_above<'a>(text: &'a str, line: &str) -> &'a str {
    let at = (line.as_ptr() as usize).saturating_sub(text.as_ptr() as usize).min(text.len());
    let before = text[..at].trim_end_matches(['\r', ' ', '\t']);
    let Some(before) = before.strip_suffix('\n') else { return "" };
    let before = before.trim_end_matches('\r');
    memchr::memrchr(b'\n', before.as_bytes()).map_or(before, |k| &before[k + 1..])
}

/// Whether the line holding byte `start` is indented: a tab, or two spaces or more, before
/// `start` (its first non-blank character).
fn indented(text: &str, start: usize) -> bool {
    let line_start = memchr::memrchr(b'\n', &text.as_bytes()[..start]).map_or(0, |k| k + 1);
    let lead = &text.as_bytes()[line_start..start];
    lead.contains(&b'\t') || lead.iter().filter(|&&c| c == b' ').count() >= 2
}

/// A reply's attribution line: it ends with `writes:` or `wrote:` and names the message or
/// its author by a message id or an address (`In article <id@host> name@host writes:`,
/// `In <id@host> name (Name) writes:`, `Name <name@host> wrote:`).
fn attribution_line(line: &str) -> bool {
    let t = line.trim_end();
    let lower = t.to_lowercase();
    (lower.ends_with("writes:") || lower.ends_with("wrote:"))
        && (lower.starts_with("in article")
            || t.contains('<') && t.contains('>')
            || t.split_whitespace().any(email_like))
}

/// A line of a signature or a box: the `--` delimiter (or a line opening with it), a rule
/// of punctuation (`====`, `/\/\/\`, `+----+`), a line that ends with `|` or has a `|`
/// column after a run of spaces, or an address line (an e-mail address among its first
/// three words, in a line of columns, or in a line of at most four words; an address
/// inside running text is not one, nor one in a line ending with a colon, such as the
/// attribution `In article <id@host> name@host writes:`).
fn signature_line(line: &str) -> bool {
    let mut t = line.trim();
    // A quoted signature is one too (the marks are not part of it).
    if let Some(q) = crate::sentences::quote_marks(t) {
        t = t[q.len()..].trim_start();
        if t.is_empty() {
            return false;
        }
    }
    if t.starts_with("--") {
        return true;
    }
    let (mut n, mut alnum) = (0usize, 0usize);
    for c in t.chars() {
        n += 1;
        alnum += usize::from(c.is_alphanumeric());
    }
    let columns = t.contains("   ") || t.contains('\t');
    let rule = n >= 3 || t.chars().all(|c| t.starts_with(c));
    n >= 2 && alnum * 3 < n && rule
        || n >= 2 && t.ends_with('|')
        || t.contains("  |")
        || !t.ends_with(':')
            && (t.split_whitespace().enumerate().any(|(k, w)| email_like(w) && (k < 3 || columns))
                || t.split_whitespace().nth(4).is_none() && t.split_whitespace().any(email_like))
}

/// A word that is an e-mail address (`name@host.domain`, brackets and punctuation around).
fn email_like(w: &str) -> bool {
    let w = w.trim_matches(|c: char| !c.is_alphanumeric());
    let Some((user, host)) = w.split_once('@') else { return false };
    !user.is_empty()
        && host.contains('.')
        && host.starts_with(|c: char| c.is_alphanumeric())
        && host.ends_with(|c: char| c.is_alphanumeric())
}

/// A sign-off: one to three words of letters (periods, apostrophes and hyphens allowed, a
/// leading dash too), all capitalised or all in lower case (a name: `keith`, `R. Landis`,
/// `-jim halat`; not `Good luck`), not all capitals (a heading such as `CONTENTS`), no
/// final `?`, `!`, `:` or `,`.
fn signoff(line: &str) -> bool {
    let t = line.trim().trim_start_matches(['-', '~', ' ']);
    if t.is_empty() || t.ends_with(['?', '!', ':', ',']) {
        return false;
    }
    let ok = t.split_whitespace().all(|w| {
        w.chars().all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-'))
            && w.chars().any(char::is_alphabetic)
    });
    let caps = t.split_whitespace().filter(|w| w.starts_with(char::is_uppercase)).count();
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    let upper = t.chars().filter(|c| c.is_uppercase()).count();
    ok && (caps == 0 || caps == t.split_whitespace().count()) && !(letters >= 4 && upper == letters)
}

/// The number of a line that opens as a numbered list item (`2. …`, `10) …`: one or two
/// digits, a period or a closing bracket, a space).
pub(crate) fn list_number(line: &str) -> Option<u8> {
    let b = line.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if (1..=2).contains(&digits) && matches!(b.get(digits), Some(b'.' | b')')) && b.get(digits + 1) == Some(&b' ') {
        return line[..digits].parse().ok();
    }
    None
}

/// Whether a line opens as a turn of an interview (one capital and a colon: `Q: …`, `A: …`).
pub(crate) fn interview_turn(line: &str) -> bool {
    let b = line.as_bytes();
    b.first().is_some_and(u8::is_ascii_uppercase) && b.get(1) == Some(&b':') && b.get(2) == Some(&b' ')
}

/// Marks list items: interview turns, and numbered lines where the text holds another
/// numbered line with another number within [`LIST_REACH`] paragraphs (a listicle's `2. …`
/// and `3. …`); a lone `1. FC Köln …` or `2. Bundesliga: …` is a headline like any other.
fn mark_items(text: &str, feats: &mut [Feat]) {
    let numbers: Vec<Option<u8>> = feats.iter().map(|f| list_number(&text[f.start..f.end])).collect();
    for (k, f) in feats.iter_mut().enumerate() {
        let sibling = numbers[k].is_some_and(|n| {
            let (lo, hi) = (k.saturating_sub(LIST_REACH), (k + LIST_REACH + 1).min(numbers.len()));
            numbers[lo..hi].iter().any(|m| m.is_some_and(|m| m != n))
        });
        f.item = interview_turn(&text[f.start..f.end]) || sibling;
        if f.item {
            f.head = HeadShape::No;
        }
    }
}

/// How far (in paragraphs) a numbered line looks for another numbered line ([`mark_items`]).
const LIST_REACH: usize = 30;

/// A line of names: the byline that closed the story before (up to three capitalised words,
/// or capitalised words joined by `and`, `&` or commas), not a title-cased headline.
fn names_line(text: &str, f: &Feat) -> bool {
    let line = &text[f.start..f.end];
    f.names_only
        && f.head != HeadShape::Strong
        && (f.words <= 3 || line.contains(" and ") || line.contains(" & ") || line.contains(','))
}

/// Whether `word` (capitalised) is written inside `para` as a name: capitalised, whole, and not
/// as the paragraph's first word (`… over the Pittsburgh Penguins`). A dateline's place is
/// named in its story far more often than a one-word subheading (`Method`, `Background`) is
/// written capitalised inside the paragraph under it.
fn named_inside(para: &str, word: &str) -> bool {
    let mut from = 0;
    while let Some(k) = para[from..].find(word) {
        let at = from + k;
        let end = at + word.len();
        let before = para[..at].chars().next_back();
        let after = para[end..].chars().next();
        if at > 0 && !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = end;
    }
    false
}

/// One capitalised word of letters alone on its line (`Pittsburgh`, `São Paulo` is two and a
/// line of names) that `body`, the paragraph under it, names ([`named_inside`]): the place of
/// a dateline written on its own line.
fn place_alone(line: &str, body: &str) -> bool {
    let w = line.trim();
    w.starts_with(|c: char| c.is_uppercase())
        && w.chars().all(|c| c.is_alphabetic() || c == '-')
        && w.chars().skip(1).any(char::is_lowercase)
        && named_inside(body, w)
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

/// Content-word stems of body paragraphs, computed once per paragraph, for the headline tests.
struct StemCache {
    vocab: HashMap<String, u32>,
    stems: Vec<Option<Vec<u32>>>,
}

impl StemCache {
    fn new(n: usize) -> Self {
        StemCache { vocab: HashMap::new(), stems: vec![None; n] }
    }

    /// Whether the words change at paragraph `i`: the body paragraphs of the current article
    /// `cur..i` (at most [`cohesion::MAX_SEGMENT`] of them) against paragraph `i` itself (the
    /// headline: its words are the new story's too) and the body paragraphs of the next three.
    fn story_changes(&mut self, text: &str, feats: &[Feat], cur: usize, i: usize) -> bool {
        let end = (i + 4).min(feats.len());
        let lo = cur.max(i.saturating_sub(cohesion::MAX_SEGMENT));
        let units: Vec<cohesion::Unit> = (lo..end)
            .map(|j| {
                let f = &feats[j];
                let words = match self.stems.get(j) {
                    _ if j == i && !f.bodyish() => cohesion::stems(&text[f.start..f.end], &mut self.vocab),
                    Some(Some(w)) => w.clone(),
                    _ => {
                        let w = if f.bodyish() {
                            cohesion::stems(&text[f.start..f.end], &mut self.vocab)
                        } else {
                            Vec::new()
                        };
                        if let Some(slot) = self.stems.get_mut(j) {
                            *slot = Some(w.clone());
                        }
                        w
                    }
                };
                cohesion::Unit { words, may_start: true, cues: 0, lede: false }
            })
            .collect();
        cohesion::similarity(&units, (0, i - lo), (i - lo, end - lo)) < AUTO_TOPIC_SHIFT
    }
}

/// The paragraphs' text with every run of whitespace as one space (borrowed when it is so
/// already, as for one paragraph per line), so a wrapped pull quote matches its paragraph.
fn normalised<'a>(text: &'a str, feats: &[Feat]) -> Vec<Cow<'a, str>> {
    feats
        .iter()
        .map(|f| {
            let p = &text[f.start..f.end];
            let b = p.as_bytes();
            let clean = memchr::memmem::find(b, b"  ").is_none()
                && memchr::memchr3(b'\n', b'\r', b'\t', b).is_none()
                && memchr::memchr2(0x0B, 0x0C, b).is_none();
            if clean { Cow::Borrowed(p) } else { Cow::Owned(p.split_ascii_whitespace().collect::<Vec<_>>().join(" ")) }
        })
        .collect()
}

/// Whether paragraph `j` (short) repeats a passage of another, longer paragraph nearby
/// (texts from [`normalised`]).
fn repeats_body(paras: &[Cow<'_, str>], j: usize) -> bool {
    let core = quote_core(&paras[j]);
    if core.split_whitespace().count() < 4 {
        return false;
    }
    let finder = memchr::memmem::Finder::new(core.as_bytes());
    let lo = j.saturating_sub(40);
    let hi = (j + 40).min(paras.len());
    (lo..hi).any(|k| k != j && paras[k].len() > core.len() + 8 && finder.find(paras[k].as_bytes()).is_some())
}

/// The headline shape of a short line without final punctuation: all capitals or a ticker
/// (`<ABC>`, `(ABC.N)`) make a [`HeadShape::Strong`] headline, title case (three words or more,
/// most words of four letters or more capitalised) a [`HeadShape::Title`] one.
fn headline_shape(line: &str, words: usize) -> HeadShape {
    if words == 0 || words > 20 {
        return HeadShape::No;
    }
    let ticker = line.split_whitespace().any(|w| {
        let w = w.trim_end_matches([',', ';', ':']);
        let inner = w
            .strip_prefix('<')
            .and_then(|r| r.strip_suffix('>'))
            .or_else(|| w.strip_prefix('(').and_then(|r| r.strip_suffix(')')));
        inner.is_some_and(|t| {
            (1..=12).contains(&t.len())
                && t.chars().any(|c| c.is_ascii_uppercase())
                && t.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | ':'))
        })
    });
    let (mut upper, mut lower) = (0usize, 0usize);
    for c in line.chars() {
        if c.is_uppercase() {
            upper += 1;
        } else if c.is_lowercase() {
            lower += 1;
        }
    }
    if ticker && words >= 2 || words >= 2 && upper >= 6 && lower * 8 <= upper {
        return HeadShape::Strong;
    }
    let long: Vec<&str> = line
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 4)
        .collect();
    let caps = long.iter().filter(|w| w.starts_with(|c: char| c.is_uppercase())).count();
    if words >= 3 && long.len() >= 2 && caps * 4 >= long.len() * 3 { HeadShape::Title } else { HeadShape::No }
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
    fn content_words_leave_out_function_words_of_several_languages() {
        assert_eq!(content_words("Eine Meldung der Agentur über diese Woche"), ["meldu", "agent", "woche"]);
        assert_eq!(content_words("Assange's lawyers said they would appeal"), ["assan", "lawye", "appea"]);
    }

    #[test]
    fn underlines() {
        assert!(underline("Version 2.1", "-----------"));
        assert!(underline("  Changes", "  ========"));
        assert!(!underline("Version 2.1", "--"));
        assert!(!underline("Tom Reddy", "------------------------------------------"));
        assert!(!underline("----", "----"));
    }

    #[test]
    fn attribution_lines() {
        assert!(attribution_line("In article <k7@harbour.example> ana@harbour.example (Ana Vale) writes:"));
        assert!(attribution_line("In <p2@quay.example> tom@quay.example (Tom) writes:"));
        assert!(attribution_line("Mina Osei <mina@choir.example> wrote:"));
        assert!(!attribution_line("The harbour master writes:"));
        assert!(!attribution_line("In article <k7@harbour.example> the board said"));
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
