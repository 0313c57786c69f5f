//! Main-content selection: which parts of the tree are the article.
//!
//! 1. **Prune** boilerplate by tag (`nav`, `header`, `footer`, `aside`, `form`, `script`, …),
//!    by `hidden`/`aria-hidden`/inline `display:none`, by ARIA role, and by id/class *tokens*
//!    (split at `-`, `_`, spaces and camelCase, so `share-bar` and `shareBar` match `share` and
//!    `sharepoint` does not). A class-pruned element holding most of the page's text is kept:
//!    some templates put `comments-open` on the wrapper of everything; so is a `<form>` holding
//!    most of it (ASP.NET pages wrap the whole page in one) or a `header`/`footer`/`aside`
//!    that does (a template that never closes one), and any of them around an article-body
//!    marker. Weak hints (`teaser`, `widget`, `tools`, …) never drop a prose paragraph on their
//!    own, and `hidden-xs`-style responsive classes are not hidden.
//! 2. **Score** in the spirit of readability: every block holding text gives its parent and
//!    half to its grandparent 1 + commas + length/100 (capped); id/class tokens and content
//!    markers (`itemprop=articleBody`, `article-body`-like classes, `<article>`, `<main>`)
//!    move a candidate's score; the score is scaled by (1 − link density). The best candidate
//!    wins, with siblings that score close to it or are clean paragraphs. When that selection
//!    holds under two thirds of the page's prose (long comma-bearing blocks with few links),
//!    it widens to the lowest ancestor holding four fifths of it (never `body`); when no
//!    ancestor short of `body` does and the selection holds under a third of the prose, the
//!    lowest element holding four fifths of it replaces the selection.
//!    An article-body marker with enough text wins over the scored candidate, together with the
//!    markers beside it or a few levels away (a body cut into rows around full-width ads).
//!    Inside a short link with an `href` (a teaser card) nothing is a marker or a candidate.
//!    Without a marker, the page's one `main` landmark replaces a candidate outside it when it
//!    holds prose and twice the candidate's text; no class hint drops an `<article>` holding a
//!    prose paragraph (unless the hint hides it or names a comment).
//! 3. The renderer ([`crate::render`]) then filters blocks inside the winner by link density
//!    and shape.
//!
//! [`Pass::Relaxed`] is the last resort of [`crate::extract`]: the id/class and role hints no
//! longer drop what holds a prose paragraph.

use crate::Focus;
use crate::parse::{Kind, NONE, Tree};
use crate::tags::Tag;

/// Which selection to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Pruned, scored, the best candidate and its siblings.
    Scored,
    /// Every `<p>` outside the pruned parts (a fallback for pages the scoring misses).
    Paragraphs,
    /// Scored again, but an id/class token or ARIA role no longer drops an element that is or
    /// holds a prose paragraph (a hidden-looking class included); what holds none is still
    /// dropped. The last resort when both other passes leave too little (as Readability retries
    /// without its "unlikely candidate" rules), for pages whose article wrapper carries a class
    /// such as `paywall`.
    Relaxed,
}

/// Why a node was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Reason {
    /// Kept.
    None = 0,
    /// A boilerplate tag (`nav`, `footer`, `script`, …).
    Tag,
    /// Hidden (`hidden`, `aria-hidden`, `display:none`).
    Hidden,
    /// A boilerplate ARIA role.
    Role,
    /// Boilerplate id/class tokens.
    Class,
    /// Too many links for its text.
    Links,
    /// A byline, caption or date line.
    Shape,
    /// Outside the selected main content.
    Outside,
    /// A table (`tables = false`).
    Table,
    /// A heading with no text after it.
    TrailingHeading,
    /// The headline above the text (it is in the metadata).
    Title,
    /// A block repeating the block just before it word for word (a header's dek and the
    /// body's abstract).
    Repeat,
    /// An end-matter heading in the second half of the text (`Related articles`, `About the
    /// author`, `Mehr zum Thema`) and everything after it.
    EndMatter,
}

impl Reason {
    /// The name counted in `attributes.extract.dropped`.
    pub fn name(self) -> &'static str {
        match self {
            Reason::None => "none",
            Reason::Tag => "tag",
            Reason::Hidden => "hidden",
            Reason::Role => "role",
            Reason::Class => "class",
            Reason::Links => "links",
            Reason::Shape => "shape",
            Reason::Outside => "outside",
            Reason::Table => "table",
            Reason::TrailingHeading => "trailing_heading",
            Reason::Title => "title",
            Reason::Repeat => "repeat",
            Reason::EndMatter => "end_matter",
        }
    }
}

/// Tokens of boilerplate ids and classes.
const BOILERPLATE: &[&str] = &[
    "ad",
    "ads",
    "adslot",
    "adsense",
    "advert",
    "advertisement",
    "advertising",
    "alert",
    "banner",
    "breadcrumb",
    "breadcrumbs",
    "comment",
    "comments",
    "consent",
    "cookie",
    "cookies",
    "disqus",
    "dropdown",
    "footer",
    "gdpr",
    "hidden",
    "hide",
    "login",
    "masthead",
    "menu",
    "modal",
    "nav",
    "navbar",
    "navigation",
    "newsletter",
    "outbrain",
    "overlay",
    "pagination",
    "paywall",
    "popular",
    "popup",
    "print",
    "promo",
    "recirc",
    "recommended",
    "related",
    "share",
    "sharing",
    "sidebar",
    "signup",
    "skip",
    "social",
    "sponsor",
    "sponsored",
    "subscribe",
    "subscription",
    "taboola",
    "tags",
    "toolbar",
    "trending",
    "widget",
    "byline",
    "dateline",
    "timestamp",
    "caption",
    "credit",
    "copyright",
    "disclaimer",
    "tools",
    "topics",
    "rail",
    "teaser",
    "newsletters",
    "follow",
    "sitemap",
    "signature",
    "vote",
    "votes",
    "voting",
    "noprint",
    "infobox",
    "navbox",
    "references",
    "reflist",
    "editsection",
    "toc",
    "disclosure",
    "rating",
    "ratings",
    "nutrition",
];

/// Boilerplate tokens that are only hints: an element pruned by these alone is kept when it is a
/// prose paragraph (see [`is_prose_paragraph`]); `article-teaser`, `text-widget`, `print-tools`
/// wrap article text on some templates.
const SOFT: &[&str] = &[
    "teaser", "tools", "alert", "dropdown", "rail", "tags", "topics", "widget", "banner", "print", "noprint", "toolbar",
];

/// Words before `hidden` in a class name that do not name a part: `is-hidden`, `u-hidden`,
/// `js-hide`, `visually-hidden`, `sr-hidden` hide the element itself.
const HIDDEN_MODIFIERS: &[&str] = &["is", "u", "js", "visually", "sr", "screen", "reader", "state"];

/// Words before a part's name in a class name that make it a property of the element
/// (`no-caption`, `has-sidebar`, `with-ad`, `without-comments`), not the part itself.
const PROPERTY_WORDS: &[&str] = &["no", "has", "with", "without"];

/// Tokens after `hidden`/`hide` that make it a responsive-visibility class (`hidden-xs`,
/// `hide-on-mobile`, `hidden-print`): shown on other screens, so not boilerplate.
const BREAKPOINTS: &[&str] =
    &["xs", "sm", "md", "lg", "xl", "xxl", "mobile", "tablet", "desktop", "print", "small", "medium", "large", "on"];

/// Tokens that are comments (kept when `comments = true`).
const COMMENT_TOKENS: &[&str] = &["comment", "comments", "disqus"];

/// Tokens that raise a candidate's score.
const POSITIVE: &[&str] =
    &["article", "body", "content", "entry", "hentry", "main", "page", "post", "text", "blog", "story", "paragraph"];

/// The most text a link can hold and still be a teaser card (see `in_link` in [`select`]).
const LINK_CARD_CHARS: u32 = 1000;

/// What an article-body marker adds to a candidate's score.
const MARKER_WEIGHT: i32 = 40;

/// Tokens that lower a candidate's score.
const NEGATIVE: &[&str] = &[
    "comment", "comments", "footer", "sidebar", "share", "related", "sponsor", "nav", "promo", "widget", "ad", "ads",
    "meta", "pager", "popup", "tags", "header", "menu", "social", "banner", "rail", "more",
];

/// Joined class names that mark the article body.
const MARKERS: &[&str] = &[
    "articlebody",
    "articlecontent",
    "articletext",
    "storybody",
    "storycontent",
    "storytext",
    "postcontent",
    "postbody",
    "entrycontent",
    "entrybody",
    "bodytext",
    "articlebodytext",
    "zncbody",
    "mainarticle",
    "newscontent",
    "articledetail",
    "contentbody",
];

/// ARIA roles of boilerplate.
const ROLES: &[&str] =
    &["navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog", "search", "menu", "menubar"];

/// Splits an id/class value into lower-case tokens (at non-alphanumerics and camelCase humps).
pub fn tokens(value: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::new();
    let mut prev_lower = false;
    for c in value.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !buf.is_empty() {
                f(&buf);
                buf.clear();
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            buf.extend(c.to_lowercase());
        } else {
            if !buf.is_empty() {
                f(&buf);
                buf.clear();
            }
            prev_lower = false;
        }
    }
    if !buf.is_empty() {
        f(&buf);
    }
}

/// Whether a class or id, lower-cased without its punctuation, starts with a marker.
fn is_marker_class(class: &str) -> bool {
    let mut buf = [0u8; 24];
    let mut len = 0;
    for b in class.bytes() {
        if b.is_ascii_alphanumeric() {
            buf[len] = b.to_ascii_lowercase();
            len += 1;
            if len == buf.len() {
                break;
            }
        }
    }
    MARKERS.iter().any(|m| buf[..len].starts_with(m.as_bytes()))
}

/// Per-element facts read from attributes.
#[derive(Debug, Clone, Copy, Default)]
struct Facts {
    prune: Option<Reason>,
    weight: i32,
    marker: bool,
    /// `role="main"` or `<main>`: the page says where its content is, more loosely than a marker.
    main: bool,
    /// Pruned by [`SOFT`] id/class tokens only.
    soft: bool,
    /// Its class or id names a comment section ([`COMMENT_TOKENS`]).
    comment: bool,
    /// Its class or id says it is hidden (`hidden`, `is-hidden`).
    hides: bool,
}

fn facts(tree: &Tree, html: &str, id: u32, comments: bool) -> Facts {
    let node = &tree.nodes[id as usize];
    let mut f = Facts::default();
    use Tag::*;
    f.prune = match node.tag {
        Script | Style | Noscript | Template | Nav | Header | Footer | Aside | Form | Button | Select | Input
        | Textarea | Iframe | Svg | Math | Menu | Dialog | Object | Embed | Canvas | Video | Audio | Head | Figure
        | Picture | Noembed | Noframes | Title | Label | Fieldset | Option | Img => Some(Reason::Tag),
        Rt | Rp if tree.is_ruby_annotation(id) => Some(Reason::Tag),
        _ => None,
    };
    match node.tag {
        Article => f.weight += 20,
        Main => f.weight += 10,
        _ => {}
    }
    let bytes = html.as_bytes();
    let mut description = false;
    tree.attrs(bytes, id, |a| {
        let name = &bytes[a.name.0..a.name.1];
        let value = a.value.and_then(|(s, e)| html.get(s..e)).unwrap_or("");
        // A heading's id is an anchor made from its words (`id="nav_the_new_battery"`,
        // `id="related-work"`): it says what the heading says, not what the element is.
        let anchor = node.tag.is_heading() && name.eq_ignore_ascii_case(b"id");
        if !anchor && (name.eq_ignore_ascii_case(b"class") || name.eq_ignore_ascii_case(b"id")) {
            let is_marker = value.split_ascii_whitespace().any(is_marker_class);
            if is_marker {
                f.marker = true;
                f.weight += MARKER_WEIGHT;
            }
            let (mut pos, mut neg, mut comment) = (false, false, false);
            let (mut hard, mut soft, mut pending_hidden) = (false, false, false);
            let was_pruned = f.prune.is_some();
            for class in value.split_ascii_whitespace() {
                // Whether a word naming a part came before in this class name: `label-hidden`
                // (Drupal's `field-label-hidden` on every body field) hides the label, not the
                // element, while `hidden`, `is-hidden` and `visually-hidden` hide the element.
                let mut part_named = false;
                // Whether the word before says the element has, or lacks, the part:
                // `no-caption`, `has-sidebar`, `with-ad` describe the element, which is not
                // that part (`no-print` is `noprint`, still boilerplate).
                let mut property = false;
                tokens(class, |t| {
                    let describes = std::mem::replace(&mut property, PROPERTY_WORDS.contains(&t)) && t != "print";
                    if pending_hidden {
                        pending_hidden = false;
                        if BREAKPOINTS.contains(&t) {
                            return;
                        }
                        hard = true;
                    }
                    if BOILERPLATE.contains(&t) && !describes && !(comments && COMMENT_TOKENS.contains(&t)) {
                        if t == "hidden" || t == "hide" {
                            pending_hidden = !part_named;
                        } else if SOFT.contains(&t) {
                            soft = true;
                        } else {
                            hard = true;
                        }
                    }
                    part_named = !HIDDEN_MODIFIERS.contains(&t);
                    pos |= POSITIVE.contains(&t);
                    neg |= NEGATIVE.contains(&t);
                    comment |= COMMENT_TOKENS.contains(&t) && !describes;
                });
                f.hides |= pending_hidden;
                hard |= pending_hidden;
                pending_hidden = false;
            }
            f.comment |= comment;
            if (hard || soft) && !was_pruned && !is_marker && f.prune.is_none() {
                f.prune = Some(Reason::Class);
                f.soft = !hard;
            } else if hard && f.soft {
                f.soft = false;
            }
            if pos {
                f.weight += 25;
            }
            if neg {
                f.weight -= 25;
            }
        } else if name.eq_ignore_ascii_case(b"hidden")
            || (name.eq_ignore_ascii_case(b"aria-hidden") && value.eq_ignore_ascii_case("true"))
        {
            f.prune = Some(Reason::Hidden);
        } else if name.eq_ignore_ascii_case(b"style") {
            let v: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
            if v.contains("display:none") || v.contains("visibility:hidden") {
                f.prune = Some(Reason::Hidden);
            }
        } else if name.eq_ignore_ascii_case(b"role") {
            if ROLES.iter().any(|r| value.eq_ignore_ascii_case(r)) {
                f.prune = Some(Reason::Role);
            }
            f.main |= value.eq_ignore_ascii_case("main");
        } else if name.eq_ignore_ascii_case(b"itemprop") && value.eq_ignore_ascii_case("articleBody") {
            f.marker = true;
            f.weight += 60;
            f.prune = None;
        } else if name.eq_ignore_ascii_case(b"itemprop") && value.eq_ignore_ascii_case("description") {
            // schema.org's summary of the article (TYPO3 news puts it in `class="teaser-text"`):
            // a lead, whatever its class says.
            description = true;
        }
    });
    f.main |= node.tag == Main;
    // A description loses only a weak hint (`teaser-text`); `class="hidden"` stays hidden.
    if (f.marker || (description && f.soft)) && f.prune == Some(Reason::Class) {
        f.prune = None;
    }
    f
}

/// Counts of text in a subtree.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    /// Characters that are not whitespace.
    pub chars: u32,
    /// Of which inside links.
    pub link_chars: u32,
    /// Commas (any script).
    pub commas: u32,
}

impl Stats {
    /// Link characters over all characters.
    pub fn link_density(&self) -> f32 {
        if self.chars == 0 { 0.0 } else { self.link_chars as f32 / self.chars as f32 }
    }
}

/// Counts the characters (not whitespace) and commas (`,`, `，`, `、`, `،`) of `text`.
pub fn count(text: &[u8]) -> (u32, u32) {
    // Branch-free so that it vectorises: whitespace and UTF-8 continuation bytes do not count.
    let chars = text.iter().filter(|&&b| !(b.is_ascii_whitespace() || (b & 0xC0) == 0x80)).count();
    let mut commas = memchr::memchr_iter(b',', text).count();
    if !text.is_ascii() {
        // The full-width and ideographic commas (Chinese, Japanese) and the Arabic comma (also
        // Persian and Urdu): prose in those scripts rarely uses `,`.
        for comma in ["，", "、", "،"] {
            commas += memchr::memmem::find_iter(text, comma.as_bytes()).count();
        }
    }
    (chars as u32, commas as u32)
}

/// The result of selection.
#[derive(Debug)]
pub struct Selection {
    /// Per node: why it is out (`Reason::None` = kept, subject to the renderer's filters).
    pub drop: Vec<Reason>,
    /// Per node: text statistics of the kept part of its subtree.
    pub stats: Vec<Stats>,
    /// The subtrees that make up the main content, in document order.
    pub roots: Vec<u32>,
    /// Roots that are a lead paragraph (`standfirst` blocks).
    pub leads: Vec<u32>,
    /// How they were found: `marker`, `score`, `widened`, `page` or `paragraphs`.
    pub method: &'static str,
    /// Per node, when comments are kept (else empty): its class or id names a comment
    /// section, for the `comment` block role.
    pub comment: Vec<bool>,
}

/// Chooses the main content.
///
/// `pass` picks the selection ([`Pass`]): scored, every kept `<p>` (the recall fallback), or
/// scored again with the id/class and role hints kept off what holds prose. `title` (the
/// page's chosen title) finds the headline above the content, after which a prose paragraph is
/// the standfirst.
pub fn select(tree: &Tree, html: &str, focus: Focus, comments: bool, pass: Pass, title: Option<&str>) -> Selection {
    let paragraphs = pass == Pass::Paragraphs;
    let n = tree.nodes.len();
    let bytes = html.as_bytes();
    let mut drop = vec![Reason::None; n];
    let mut weight = vec![0i32; n];
    let mut marker = vec![false; n];
    let mut main = vec![false; n];
    let mut soft = vec![false; n];
    let mut comment = if comments { vec![false; n] } else { Vec::new() };
    // `<article>` elements a class hint dropped, other than a hidden one or a comment.
    let mut article = vec![false; n];
    // Raw text per node (nothing pruned), to protect wrappers of most of the page.
    let mut raw = vec![0u32; n];
    let mut text_counts = vec![(0u32, 0u32); n];
    for (i, node) in tree.nodes.iter().enumerate() {
        match node.kind {
            Kind::Element => {
                let f = facts(tree, html, i as u32, comments);
                if let Some(r) = f.prune {
                    drop[i] = r;
                }
                weight[i] = f.weight;
                marker[i] = f.marker;
                main[i] = f.main;
                soft[i] = f.soft && f.prune == Some(Reason::Class);
                article[i] = node.tag == Tag::Article && f.prune == Some(Reason::Class) && !f.hides && !f.comment;
                if comments {
                    comment[i] = f.comment;
                }
            }
            Kind::Text | Kind::Plain => {
                let (chars, commas) = count(&bytes[node.start..node.end]);
                raw[i] = chars;
                text_counts[i] = (chars, commas);
            }
            Kind::Raw | Kind::RcData => {}
        }
    }
    for i in (0..n).rev() {
        let p = tree.nodes[i].parent;
        if p != NONE {
            raw[p as usize] += raw[i];
        }
    }
    if pass == Pass::Relaxed || soft.iter().any(|&x| x) || article.iter().any(|&x| x) {
        rescue_prose(tree, &text_counts, &raw, &soft, &article, pass == Pass::Relaxed, &mut drop);
    }
    let total = (0..n).filter(|&i| tree.nodes[i].parent == NONE).map(|i| raw[i]).sum::<u32>().max(1);
    // A wrapper pruned by its class, role or by being a `<form>` (ASP.NET pages put the whole
    // page in one) or a `<header>`, `<footer>` or `<aside>` (templates that never close one, or
    // put the story inside it) is kept when it holds most of the page's text.
    let wrapper = |i: usize, d: Reason| {
        matches!(d, Reason::Class | Reason::Role)
            || (d == Reason::Tag && matches!(tree.nodes[i].tag, Tag::Form | Tag::Header | Tag::Footer | Tag::Aside))
    };
    for i in 0..n {
        if wrapper(i, drop[i]) && raw[i] * 2 > total {
            drop[i] = Reason::None;
        }
    }
    // Nor is the wrapper of an article-body marker.
    for i in 0..n {
        if marker[i] && !matches!(drop[i], Reason::Hidden) {
            let mut cur = tree.nodes[i].parent;
            while cur != NONE {
                if wrapper(cur as usize, drop[cur as usize]) {
                    drop[cur as usize] = Reason::None;
                }
                cur = tree.nodes[cur as usize].parent;
            }
        }
    }
    let stats = kept_stats(tree, &text_counts, &drop);
    // Inside a link (`<a href><div class="story-content">…</div></a>`: a teaser card made one
    // link) nothing is the article body, however its class reads, nor a candidate. Only a
    // short link with an `href`, holding a small part of the page, counts: an unclosed
    // `<a name="top">` or `<a href="/">` around the logo holds the rest of the page.
    let card = |p: usize| {
        tree.nodes[p].tag == Tag::A
            && raw[p] <= LINK_CARD_CHARS
            && raw[p] * 4 <= total
            && tree.attr(html, p as u32, "href").is_some()
    };
    let mut in_link = vec![false; n];
    for i in 0..n {
        let p = tree.nodes[i].parent;
        if p != NONE && (in_link[p as usize] || card(p as usize)) {
            in_link[i] = true;
            if marker[i] {
                marker[i] = false;
                weight[i] -= MARKER_WEIGHT;
            }
        }
    }
    // Dead nodes (inside a dropped one) and each text's block owner, top-down.
    let mut dead = vec![false; n];
    let mut own = vec![Stats::default(); n]; // text directly in a block (through inline elements)
    let mut owner = vec![NONE; n];
    for i in 0..n {
        let node = &tree.nodes[i];
        let p = node.parent;
        dead[i] = drop[i] != Reason::None || (p != NONE && dead[p as usize]);
        owner[i] = if node.kind == Kind::Element && (node.tag.is_block() || node.tag == Tag::Td || node.tag == Tag::Th)
        {
            i as u32
        } else if p != NONE {
            owner[p as usize]
        } else {
            NONE
        };
        if !dead[i] && matches!(node.kind, Kind::Text | Kind::Plain) && owner[i] != NONE {
            let o = &mut own[owner[i] as usize];
            o.chars += stats[i].chars;
            o.commas += stats[i].commas;
        }
    }
    // Readability-style scores.
    let mut score = vec![0f32; n];
    let mut candidate = vec![false; n];
    let min_para = 25;
    for i in 0..n {
        if dead[i] || own[i].chars < min_para || tree.nodes[i].kind != Kind::Element {
            continue;
        }
        let s = 1.0 + own[i].commas as f32 + (own[i].chars as f32 / 100.0).min(3.0);
        let p = tree.nodes[i].parent;
        if p != NONE {
            score[p as usize] += s;
            candidate[p as usize] = true;
            let g = tree.nodes[p as usize].parent;
            if g != NONE {
                score[g as usize] += s / 2.0;
                candidate[g as usize] = true;
            }
        }
    }
    let mut best = NONE;
    let mut best_score = f32::MIN;
    for i in 0..n {
        if !candidate[i] || dead[i] || in_link[i] {
            continue;
        }
        let s = (score[i] + weight[i] as f32) * (1.0 - stats[i].link_density());
        score[i] = s;
        if s > best_score {
            best_score = s;
            best = i as u32;
        }
    }
    // Several strong candidates under one ancestor (a question and its answers, a story cut
    // into sections): the lowest ancestor holding at least three of them is the content.
    if best != NONE {
        // The top five others, as Mozilla's Readability looks at (bounded work on huge pages).
        let mut strong: Vec<u32> = (0..n)
            .filter(|&i| candidate[i] && !dead[i] && i as u32 != best && score[i] >= best_score * 0.5)
            .map(|i| i as u32)
            .collect();
        strong.sort_by(|a, b| score[*b as usize].total_cmp(&score[*a as usize]).then(a.cmp(b)));
        strong.truncate(5);
        if strong.len() >= 3 {
            let depth_of = |mut c: u32| {
                let mut chain = Vec::new();
                while c != NONE {
                    chain.push(c);
                    c = tree.nodes[c as usize].parent;
                }
                chain
            };
            // A candidate inside an <article> that does not hold `best` is another story (the
            // next one of an endless scroll), not a section of this one.
            let own = depth_of(best);
            let foreign =
                |ch: &Vec<u32>| ch.iter().any(|&x| tree.nodes[x as usize].tag == Tag::Article && !own.contains(&x));
            let chains: Vec<Vec<u32>> = strong.iter().map(|&c| depth_of(c)).filter(|ch| !foreign(ch)).collect();
            let mut a = tree.nodes[best as usize].parent;
            while a != NONE && !matches!(tree.nodes[a as usize].tag, Tag::Body | Tag::Html) {
                if chains.iter().filter(|ch| ch.contains(&a)).count() >= 3 {
                    best = a;
                    break;
                }
                a = tree.nodes[a as usize].parent;
            }
        }
    }
    let mut method = "score";
    // A marker with enough text wins over the scored candidate it does not contain.
    let best_chars = if best == NONE { 0 } else { stats[best as usize].chars };
    let mut best_marker = NONE;
    for i in 0..n {
        if marker[i]
            && !dead[i]
            && stats[i].chars * 2 >= best_chars
            && stats[i].link_density() < 0.5
            && (best_marker == NONE || stats[i].chars > stats[best_marker as usize].chars)
        {
            best_marker = i as u32;
        }
    }
    // Without a marker, the page's one `main` landmark is the content (alone: what is beside a
    // landmark is not main) when the best candidate lies outside it and it holds at least twice
    // the candidate's text with links in the minority (a company's home page whose slideshow of
    // taglines outscores the link-rich text of its `<main>`).
    let mut landmark = false;
    if best_marker == NONE && best != NONE {
        let contains = |outer: u32, mut inner: u32| {
            while inner != NONE {
                if inner == outer {
                    return true;
                }
                inner = tree.nodes[inner as usize].parent;
            }
            false
        };
        let landmarks: Vec<u32> = (0..n).filter(|&i| main[i] && !dead[i]).map(|i| i as u32).collect();
        if let [m] = landmarks[..] {
            let mi = m as usize;
            // Prose of its own, not a listing of short lines.
            let prose = (mi + 1..n)
                .take_while(|&j| contains(m, j as u32))
                .any(|j| !dead[j] && is_prose_paragraph(own[j].chars, own[j].commas, stats[j].link_chars, false));
            if prose
                && !contains(m, best)
                && !contains(best, m)
                && stats[mi].chars >= 2 * stats[best as usize].chars
                && stats[mi].link_density() < 0.4
            {
                best = m;
                landmark = true;
            }
        }
    }
    // Without a marker, a `main` landmark around the best candidate is the content.
    if best_marker == NONE && best != NONE {
        let mut a = tree.nodes[best as usize].parent;
        while a != NONE {
            let ai = a as usize;
            if main[ai] && !dead[ai] && stats[ai].link_density() < 0.3 {
                best = a;
                break;
            }
            a = tree.nodes[ai].parent;
        }
    }
    let mut roots = Vec::new();
    let mut leads = Vec::new();
    if paragraphs {
        method = "paragraphs";
        let mut in_p = vec![false; n];
        for i in 0..n {
            let p = tree.nodes[i].parent;
            let parent_in = p != NONE && in_p[p as usize];
            in_p[i] = parent_in || (tree.nodes[i].tag == Tag::P && tree.nodes[i].kind == Kind::Element);
            if !parent_in && in_p[i] && !dead[i] {
                roots.push(i as u32);
            }
        }
    } else if best_marker != NONE {
        method = "marker";
        // A lead paragraph next to the body marker (`article__lead`, `standfirst`) belongs to it.
        let p = tree.nodes[best_marker as usize].parent;
        if p == NONE {
            roots.push(best_marker);
        } else {
            for c in tree.children(p) {
                if c == best_marker {
                    roots.push(c);
                } else if !dead[c as usize] && tree.nodes[c as usize].kind == Kind::Element {
                    let ci = c as usize;
                    let st = stats[ci];
                    if is_lead(tree, html, c) {
                        roots.push(c);
                        leads.push(c);
                    } else if (marker[ci] && st.chars > 0 && st.link_density() < 0.5)
                        || (tree.nodes[ci].tag == Tag::P && st.chars > 80 && st.link_density() < 0.25)
                    {
                        // The body cut into several marked sections (around ads), or a clean paragraph beside it.
                        roots.push(c);
                    }
                }
            }
        }
        // The body cut into marked sections that are cousins, each in its own grid row beside an
        // ad rail: the other outermost markers close by belong to it too.
        let cousins = cousin_markers(tree, &marker, &dead, &stats, best_marker);
        if !cousins.is_empty() {
            roots.extend(cousins);
            roots.sort_unstable();
        }
    } else if best != NONE {
        // Siblings that belong to the article too.
        let threshold = match focus {
            Focus::Precision => (best_score * 0.3).max(15.0),
            Focus::Balanced => (best_score * 0.2).max(10.0),
            Focus::Recall => (best_score * 0.1).max(5.0),
        };
        let p = tree.nodes[best as usize].parent;
        if p == NONE || landmark {
            roots.push(best);
        } else {
            for c in tree.children(p) {
                let ci = c as usize;
                if c == best {
                    roots.push(c);
                    continue;
                }
                if dead[ci] || tree.nodes[ci].kind != Kind::Element {
                    continue;
                }
                let st = stats[ci];
                let ld = st.link_density();
                let keep = (candidate[ci] && score[ci] >= threshold)
                    || (is_paragraph_like(tree, c, |x| dead[x as usize])
                        && ((st.chars > 80 && ld < 0.25) || (st.chars > 0 && ld == 0.0 && own[ci].chars > 40)));
                if keep {
                    roots.push(c);
                }
            }
        }
        if let Some(wider) = widen_for_prose(tree, &dead, &own, &stats, &roots) {
            method = "widened";
            roots = vec![wider];
        }
    } else {
        // Nothing scored (a page of short texts): the whole page, pruned.
        method = "page";
        roots.extend((0..n).filter(|&i| tree.nodes[i].parent == NONE).map(|i| i as u32));
    }
    // A lead paragraph before the content, also inside the article's (pruned) header.
    if matches!(method, "marker" | "score" | "widened")
        && let Some(&first) = roots.first()
        && tree.nodes[first as usize].parent != NONE
    {
        let mut found = Vec::new();
        // Before the content among its siblings, else among its parent's or grandparent's (an
        // intro paragraph in the column that holds the body a few wrappers down).
        let mut anchor = first;
        for _ in 0..LEAD_LEVELS {
            let p = tree.nodes[anchor as usize].parent;
            // The content's own siblings are searched even under `body`; climbing stops there.
            if p == NONE || (anchor != first && matches!(tree.nodes[p as usize].tag, Tag::Body | Tag::Html)) {
                break;
            }
            // Every sibling before `anchor` precedes `first` in document order, so none is a root.
            for c in tree.children(p).take_while(|&c| c != anchor) {
                collect_leads(tree, html, &drop, c, 0, &mut found);
            }
            if anchor != first {
                // Further from the content, only a lead that has a standfirst's shape.
                found.retain(|&l| is_plain_sentence_paragraph(tree, html, l));
            }
            if !found.is_empty() {
                break;
            }
            anchor = p;
        }
        if found.is_empty()
            && let Some(t) = title
            && let Some(s) = standfirst(tree, html, &drop, &raw, tree.nodes[first as usize].parent, first, t)
        {
            found.push(s);
        }
        if !found.is_empty() {
            leads.extend(&found);
            found.extend(roots);
            roots = found;
        }
    }
    // Leads inside a pruned header within the content (the renderer lets only them through).
    if matches!(method, "marker" | "score" | "widened") {
        for &r in &roots {
            let mut stack = vec![(r, 0usize)];
            while let Some((id, depth)) = stack.pop() {
                let node = &tree.nodes[id as usize];
                if node.kind != Kind::Element {
                    continue;
                }
                if node.tag == Tag::Header && drop[id as usize] == Reason::Tag {
                    for c in tree.children(id) {
                        collect_leads(tree, html, &drop, c, 1, &mut leads);
                    }
                } else if depth < 4 && drop[id as usize] == Reason::None {
                    stack.extend(tree.children(id).map(|c| (c, depth + 1)));
                }
            }
        }
    }
    // Everything outside the roots is out.
    let mut inside = vec![false; n];
    for &r in &roots {
        inside[r as usize] = true;
    }
    for i in 0..n {
        let p = tree.nodes[i].parent;
        if p != NONE && inside[p as usize] {
            inside[i] = true;
        }
    }
    for i in 0..n {
        if !inside[i] && drop[i] == Reason::None {
            drop[i] = Reason::Outside;
        }
    }
    Selection { drop, stats, roots, leads, method, comment }
}

/// Text statistics of every subtree, counting only what `drop` keeps, bottom-up; `text_counts`
/// holds each text node's (characters, commas).
fn kept_stats(tree: &Tree, text_counts: &[(u32, u32)], drop: &[Reason]) -> Vec<Stats> {
    let n = tree.nodes.len();
    let mut stats = vec![Stats::default(); n];
    for i in (0..n).rev() {
        let node = &tree.nodes[i];
        if drop[i] != Reason::None {
            continue;
        }
        if matches!(node.kind, Kind::Text | Kind::Plain) {
            let (chars, commas) = text_counts[i];
            stats[i].chars += chars;
            stats[i].commas += commas;
        }
        if node.tag == Tag::A && node.kind == Kind::Element {
            stats[i].link_chars = stats[i].chars;
        }
        let p = node.parent;
        if p != NONE {
            let s = stats[i];
            let ps = &mut stats[p as usize];
            ps.chars += s.chars;
            ps.link_chars += s.link_chars;
            ps.commas += s.commas;
        }
    }
    stats
}

/// How far above the chosen body marker a section of the same body may branch off.
const COUSIN_LEVELS: usize = 3;

/// The outermost article-body markers outside `best`'s parent that branch off at most
/// [`COUSIN_LEVELS`] above it (templates that put each chunk of the body in its own row, between
/// full-width ads), holding at least half [`PROSE_CHARS`] characters. A marker inside (or being)
/// another `<article>` is a different story (an endless-scroll page holds the next one), and so
/// is one with mostly links (a teaser).
fn cousin_markers(tree: &Tree, marker: &[bool], dead: &[bool], stats: &[Stats], best: u32) -> Vec<u32> {
    let parent = |i: u32| tree.nodes[i as usize].parent;
    let mut ancestors = Vec::with_capacity(COUSIN_LEVELS);
    let mut a = parent(best);
    // The parent is where the sibling rule looks; cousins start one level above it.
    if a != NONE {
        a = parent(a);
    }
    while a != NONE && ancestors.len() < COUSIN_LEVELS - 1 {
        if matches!(tree.nodes[a as usize].tag, Tag::Body | Tag::Html) {
            break;
        }
        ancestors.push(a);
        if tree.nodes[a as usize].tag == Tag::Article {
            break;
        }
        a = parent(a);
    }
    let Some(&top) = ancestors.last() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack: Vec<u32> = tree.children(top).collect();
    while let Some(id) = stack.pop() {
        let i = id as usize;
        // The content's own parent holds its siblings, which the sibling rule has judged.
        if dead[i] || tree.nodes[i].kind != Kind::Element || id == best || id == parent(best) {
            continue;
        }
        if tree.nodes[i].tag == Tag::Article && !ancestors.contains(&id) {
            continue; // another story, even when the <article> itself is the marker
        }
        if marker[i] {
            if stats[i].chars >= PROSE_CHARS / 2 && stats[i].link_density() < 0.5 {
                out.push(id);
            }
            continue; // outermost markers only
        }
        stack.extend(tree.children(id));
    }
    out
}

/// Keeps the elements pruned by [`SOFT`] class hints alone that are prose paragraphs: a class
/// hint never drops a long paragraph of sentences by itself. Nor does any class hint drop an
/// `<article>` element holding one (`<article class="node article paywall-on">`: the page's
/// own markup says it is the article; Readability never drops a candidate whose class says
/// `article` either).
///
/// `relaxed` ([`Pass::Relaxed`]): no id/class or role hint, weak or strong, drops an element that
/// is or holds a prose paragraph (the wrapper of a paywalled article, `class="isPaywall"`); the
/// hints still drop what holds none (share bars, cookie notices, teaser lists).
fn rescue_prose(
    tree: &Tree,
    text_counts: &[(u32, u32)],
    raw: &[u32],
    soft: &[bool],
    article: &[bool],
    relaxed: bool,
    drop: &mut [Reason],
) {
    let n = tree.nodes.len();
    let mut commas = vec![0u32; n];
    let mut links = vec![0u32; n];
    let mut blocks = vec![false; n];
    let mut holds_prose = vec![false; n];
    for i in (0..n).rev() {
        let node = &tree.nodes[i];
        commas[i] += text_counts[i].1;
        if node.kind == Kind::Element && node.tag == Tag::A {
            links[i] = raw[i];
        }
        let prose = is_prose_paragraph(raw[i], commas[i], links[i], blocks[i]);
        holds_prose[i] |= prose;
        if soft[i] && prose {
            drop[i] = Reason::None;
        }
        let p = node.parent;
        if p != NONE {
            let pi = p as usize;
            commas[pi] += commas[i];
            links[pi] += links[i];
            blocks[pi] |= blocks[i] || (node.kind == Kind::Element && node.tag.is_block());
            holds_prose[pi] |= holds_prose[i];
        }
    }
    for i in 0..n {
        if holds_prose[i] && (article[i] || relaxed && matches!(drop[i], Reason::Class | Reason::Role)) {
            drop[i] = Reason::None;
        }
    }
}

/// A prose paragraph: [`PROSE_CHARS`] characters or more, a comma, links under a fifth of the
/// text, and no block inside (a paragraph, not a container of them).
fn is_prose_paragraph(chars: u32, commas: u32, link_chars: u32, has_blocks: bool) -> bool {
    chars >= PROSE_CHARS && commas > 0 && link_chars * 5 < chars && !has_blocks
}

/// A `<p>`, or (as Readability turns them into paragraphs) a `div`/`section` with no block
/// inside: `<div class="css-p4s8ha">The standfirst.</div>` beside the body is a paragraph.
fn is_paragraph_like(tree: &Tree, id: u32, dead: impl Fn(u32) -> bool) -> bool {
    let node = &tree.nodes[id as usize];
    if node.kind != Kind::Element {
        return false;
    }
    match node.tag {
        Tag::P => true,
        Tag::Div | Tag::Section => {
            let mut stack: Vec<u32> = tree.children(id).collect();
            while let Some(c) = stack.pop() {
                let cn = &tree.nodes[c as usize];
                if cn.kind == Kind::Element && !dead(c) {
                    if cn.tag.is_block() {
                        return false;
                    }
                    stack.extend(tree.children(c));
                }
            }
            true
        }
        _ => false,
    }
}

/// Characters (not whitespace) of its own a block must hold to count as prose in the coverage check.
const PROSE_CHARS: u32 = 100;

/// The coverage check of a scored selection: when the chosen subtrees hold under two thirds of the
/// page's prose (kept blocks of at least [`PROSE_CHARS`] characters of their own, with a comma
/// and a link density under 0.2, wherever they sit), the content is the lowest ancestor of the
/// selection holding four fifths of it, if that ancestor is not the whole page (`body`) and not
/// a link farm. A container that holds only part of the article's long paragraphs (a story
/// cut into sibling wrappers the sibling pass did not join) then widens to their common
/// ancestor; a page whose other prose sits in many places keeps its selection. When no such
/// ancestor exists and the selection holds under a third of the prose, the lowest element
/// holding four fifths of it replaces the selection.
fn widen_for_prose(tree: &Tree, dead: &[bool], own: &[Stats], stats: &[Stats], roots: &[u32]) -> Option<u32> {
    let n = tree.nodes.len();
    let mut prose = vec![0u32; n];
    let mut any = false;
    for i in (0..n).rev() {
        if !dead[i] && own[i].chars >= PROSE_CHARS && own[i].commas > 0 && stats[i].link_density() < 0.2 {
            prose[i] += own[i].chars;
            any = true;
        }
        let p = tree.nodes[i].parent;
        if p != NONE && prose[i] > 0 {
            prose[p as usize] += prose[i];
        }
    }
    if !any {
        return None;
    }
    let total: u32 = (0..n).filter(|&i| tree.nodes[i].parent == NONE).map(|i| prose[i]).sum();
    let inside: u32 = roots.iter().map(|&r| prose[r as usize]).sum();
    if inside as u64 * 3 >= total as u64 * 2 {
        return None;
    }
    let first = *roots.first()?;
    let mut a = tree.nodes[first as usize].parent;
    while a != NONE {
        let ai = a as usize;
        if matches!(tree.nodes[ai].tag, Tag::Body | Tag::Html) || dead[ai] {
            break;
        }
        if prose[ai] as u64 * 5 >= total as u64 * 4 {
            return (stats[ai].link_density() < 0.3).then_some(a);
        }
        a = tree.nodes[ai].parent;
    }
    // No ancestor short of the page holds it: when the selection holds under a third of the
    // prose, the scoring picked the wrong place (a box of short lines beside a long text). The
    // content is then the lowest element holding four fifths of the prose, found from the top.
    if inside as u64 * 3 >= total as u64 {
        return None;
    }
    let holds = |i: u32| prose[i as usize] as u64 * 5 >= total as u64 * 4;
    let mut core = (0..n as u32).find(|&i| tree.nodes[i as usize].parent == NONE && holds(i))?;
    while let Some(c) = tree.children(core).find(|&c| holds(c)) {
        core = c;
    }
    let ci = core as usize;
    let whole_page = matches!(tree.nodes[ci].tag, Tag::Body | Tag::Html);
    (!whole_page && !dead[ci] && tree.nodes[ci].kind == Kind::Element && stats[ci].link_density() < 0.3).then_some(core)
}

/// The standfirst of a page without lead classes: in the elements before the content (`first`,
/// a child of `parent`), the first prose paragraph after the headline (the element whose text is
/// the title): 60+ characters, no link, ending a sentence. Looks at most 300 nodes deep into
/// those elements, never into hidden or class/role-pruned ones.
fn standfirst(
    tree: &Tree,
    html: &str,
    drop: &[Reason],
    raw: &[u32],
    parent: u32,
    first: u32,
    title: &str,
) -> Option<u32> {
    let title_chars = count(title.as_bytes()).0;
    let mut stack: Vec<(u32, usize)> = Vec::new();
    let before: Vec<u32> = tree.children(parent).take_while(|&c| c != first).collect();
    stack.extend(before.iter().rev().map(|&c| (c, 0)));
    let (mut seen, mut after_headline) = (0, false);
    while let Some((id, depth)) = stack.pop() {
        seen += 1;
        if seen > 300 {
            return None;
        }
        let node = &tree.nodes[id as usize];
        if node.kind != Kind::Element || matches!(drop[id as usize], Reason::Hidden | Reason::Class | Reason::Role) {
            continue;
        }
        let text = || crate::meta::clean(&crate::meta::text_of(tree, html, id)).unwrap_or_default();
        // Raw character counts (references not decoded) rule out most elements without their text.
        let r = raw[id as usize];
        if !after_headline {
            if r >= title_chars && r <= title_chars * 3 + 16 {
                let t = text();
                if count(t.as_bytes()).0 == title_chars && t == title {
                    after_headline = true;
                    continue;
                }
            }
        } else if r >= 60
            && matches!(node.tag, Tag::P | Tag::Div)
            && is_paragraph_like(tree, id, |c| drop[c as usize] != Reason::None)
        {
            if is_plain_sentence_paragraph(tree, html, id) {
                return Some(id);
            }
            continue;
        }
        if depth < 4 {
            let kids: Vec<u32> = tree.children(id).collect();
            stack.extend(kids.into_iter().rev().map(|c| (c, depth + 1)));
        }
    }
    None
}

/// A paragraph of at least 60 characters, without links, that ends a sentence: the shape of a
/// standfirst (a newsletter box or a teaser has links or no closing stop).
fn is_plain_sentence_paragraph(tree: &Tree, html: &str, id: u32) -> bool {
    let mut stack: Vec<u32> = tree.children(id).collect();
    while let Some(c) = stack.pop() {
        if tree.nodes[c as usize].tag == Tag::A && tree.nodes[c as usize].kind == Kind::Element {
            return false;
        }
        stack.extend(tree.children(c));
    }
    let t = crate::meta::clean(&crate::meta::text_of(tree, html, id)).unwrap_or_default();
    count(t.as_bytes()).0 >= 60 && t.ends_with(['.', '!', '?', '。', '！', '？'])
}

/// Tokens of a lead paragraph's id or class.
const LEAD: &[&str] =
    &["lead", "standfirst", "intro", "dek", "deck", "summary", "excerpt", "chapo", "subheadline", "abstract"];

/// How many levels above the content a lead paragraph is looked for among the preceding siblings.
const LEAD_LEVELS: usize = 3;

/// Collects lead elements in `id`'s subtree (at most three levels down), skipping hidden ones.
fn collect_leads(tree: &Tree, html: &str, drop: &[Reason], id: u32, depth: usize, out: &mut Vec<u32>) {
    let node = &tree.nodes[id as usize];
    if node.kind != Kind::Element || matches!(drop[id as usize], Reason::Hidden | Reason::Class | Reason::Role) {
        return;
    }
    if is_lead(tree, html, id) && drop[id as usize] == Reason::None {
        out.push(id);
        return;
    }
    if depth < 3 && matches!(node.tag, Tag::Header | Tag::Div | Tag::Section | Tag::Other | Tag::Hr) {
        for c in tree.children(id) {
            collect_leads(tree, html, drop, c, depth + 1, out);
        }
    }
}

fn is_lead(tree: &Tree, html: &str, id: u32) -> bool {
    let mut lead = tree.attr(html, id, "itemprop").is_some_and(|v| v.eq_ignore_ascii_case("description"));
    for name in ["class", "id"] {
        if let Some(v) = tree.attr(html, id, name) {
            tokens(v, |t| lead |= LEAD.contains(&t));
        }
    }
    lead
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        tokens(s, |t| v.push(t.to_owned()));
        v
    }

    #[test]
    fn widens_to_the_ancestor_of_the_prose() {
        // A story cut into two wrappers with a big comma-rich list between them: the sibling
        // pass alone would keep the first wrapper only.
        let para = "The ferry ran late again, and the harbour master, who had seen worse, said the tide was to blame for most of it, not the crew, nor the engines.";
        let html = format!(
            r#"<body><div id="wrap"><div class="part"><p>{para} One.</p><p>{para} Two.</p><p>{para} Three.</p><p>{para} Four.</p></div>
            <div class="x"><ul><li>{para} Five.</li></ul></div>
            <div class="y"><div><p>{para} Six.</p><p>{para} Seven.</p><p>{para} Eight.</p><p>{para} Nine.</p><p>{para} Ten.</p></div></div></div>
            <div class="menu"><a href="/">Home</a></div></body>"#
        );
        let tree = crate::parse::parse(&html, 10_000).unwrap();
        let sel = select(&tree, &html, Focus::Balanced, false, Pass::Scored, None);
        let kept: usize =
            (0..tree.nodes.len()).filter(|&i| tree.nodes[i].tag == Tag::P && sel.drop[i] == Reason::None).count();
        assert_eq!(kept, 9, "method {}", sel.method);
        assert_eq!(sel.method, "widened");
    }

    #[test]
    fn commas_of_other_scripts_count() {
        assert_eq!(count("a, b".as_bytes()), (3, 1));
        assert_eq!(count("甲，乙、丙".as_bytes()).1, 2);
        assert_eq!(count("قال، ثم".as_bytes()), (6, 1));
    }

    #[test]
    fn a_form_wrapping_the_whole_page_is_not_boilerplate() {
        // ASP.NET WebForms pages put everything inside one `<form>`; a small form stays pruned.
        let para = "The council met late on Tuesday, and the clerk, who had kept the minutes for years, read out every objection in turn.";
        let html = format!(
            r#"<body><form class="search"><input name="q"><span>Search the whole archive of this site by keyword</span></form>
            <form id="aspnetForm" method="post"><div class="nav"><a href="/">Home</a></div>
            <div class="story"><p>{para}</p><p>{para}</p><p>{para}</p></div></form></body>"#
        );
        let tree = crate::parse::parse(&html, 10_000).unwrap();
        let sel = select(&tree, &html, Focus::Balanced, false, Pass::Scored, None);
        let kept =
            |tag| (0..tree.nodes.len()).filter(|&i| tree.nodes[i].tag == tag && sel.drop[i] == Reason::None).count();
        assert_eq!(kept(Tag::P), 3, "method {}", sel.method);
        let search = (0..tree.nodes.len()).find(|&i| tree.nodes[i].tag == Tag::Form).unwrap();
        assert_eq!(sel.drop[search], Reason::Tag, "the search form stays boilerplate");
    }

    #[test]
    fn class_hints_never_drop_a_prose_paragraph() {
        let para = "The ferry ran late again, and the harbour master, who had seen worse, said the tide was to blame for most of it, not the crew.";
        let html = format!(
            r#"<div class="story"><p>{para}</p><p class="article-teaser">{para}</p><p class="hidden-xs">{para}</p>
            <div class="share-tools"><a href="/x">Share this story with friends, family and everyone you know on the web</a></div>
            <p class="cookie-notice">{para}</p><p class="hidden">{para}</p><div class="teaser"><p>{para}</p></div></div>"#
        );
        let tree = crate::parse::parse(&html, 10_000).unwrap();
        let sel = select(&tree, &html, Focus::Balanced, false, Pass::Scored, None);
        let classes: Vec<(String, Reason)> = (0..tree.nodes.len() as u32)
            .filter(|&i| tree.nodes[i as usize].kind == Kind::Element)
            .filter_map(|i| tree.attr(&html, i, "class").map(|c| (c.to_owned(), sel.drop[i as usize])))
            .collect();
        let expect = [
            ("story", Reason::None),
            ("article-teaser", Reason::None),
            ("hidden-xs", Reason::None),
            ("share-tools", Reason::Class),
            ("cookie-notice", Reason::Class),
            ("hidden", Reason::Class),
            ("teaser", Reason::Class),
        ];
        let got: Vec<(&str, Reason)> = classes.iter().map(|(c, r)| (c.as_str(), *r)).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn a_paragraph_like_div_beside_the_body_is_kept() {
        let para = "The ferry ran late again, and the harbour master, who had seen worse, said the tide was to blame.";
        let html = format!(
            r#"<div id="top"><div class="a1">From midnight to six, the busiest route carries nurses, bakers and the odd lost tourist.</div>
            <div class="a2"><div><a href="/x">Menu</a></div><div>Short</div></div>
            <div class="b7"><p>{para} One.</p><p>{para} Two.</p><p>{para} Three.</p><p>{para} Four.</p></div></div>"#
        );
        let tree = crate::parse::parse(&html, 10_000).unwrap();
        let sel = select(&tree, &html, Focus::Balanced, false, Pass::Scored, None);
        let kept = |class: &str| {
            (0..tree.nodes.len() as u32)
                .find(|&i| tree.attr(&html, i, "class") == Some(class))
                .map(|i| sel.drop[i as usize] == Reason::None)
        };
        assert_eq!((kept("a1"), kept("a2"), kept("b7")), (Some(true), Some(false), Some(true)));
    }

    #[test]
    fn the_prose_paragraph_after_the_headline_is_the_standfirst() {
        let para = "The ferry ran late again, and the harbour master, who had seen worse, said the tide was to blame.";
        let html = format!(
            r#"<div id="top"><div class="k1"><div class="c1"><a href="/city">City</a></div><div class="h9">Night on the ferry</div>
            <div class="s4">From midnight to six, the busiest crossing carries nurses, bakers and the odd lost tourist. We rode along.</div>
            <div class="b2">Words by <a href="/a">Ann Lee</a></div></div>
            <div class="b7"><p>{para} One.</p><p>{para} Two.</p><p>{para} Three.</p><p>{para} Four.</p></div></div>"#
        );
        let tree = crate::parse::parse(&html, 10_000).unwrap();
        let kept = |sel: &Selection, class: &str| {
            (0..tree.nodes.len() as u32)
                .find(|&i| tree.attr(&html, i, "class") == Some(class))
                .map(|i| sel.drop[i as usize] == Reason::None)
        };
        let sel = select(&tree, &html, Focus::Balanced, false, Pass::Scored, Some("Night on the ferry"));
        assert_eq!((kept(&sel, "s4"), kept(&sel, "b2"), kept(&sel, "b7")), (Some(true), Some(false), Some(true)));
        assert!(sel.leads.iter().any(|&l| tree.attr(&html, l, "class") == Some("s4")));
        // Without the headline nothing before the content is taken.
        let sel = select(&tree, &html, Focus::Balanced, false, Pass::Scored, Some("Another title"));
        assert_eq!(kept(&sel, "s4"), Some(false));
    }

    #[test]
    fn splits_tokens() {
        assert_eq!(toks("share-bar shareBar__x sharepoint"), ["share", "bar", "share", "bar", "x", "sharepoint"]);
        assert_eq!(toks("zn-body__paragraph"), ["zn", "body", "paragraph"]);
    }

    #[test]
    fn prunes_by_tokens_not_substrings() {
        let html = r#"<div class="sharepoint">a</div><div class="social-links">b</div><p hidden>c</p><nav>d</nav>"#;
        let tree = crate::parse::parse(html, 1000).unwrap();
        let reasons: Vec<Option<Reason>> = (0..tree.nodes.len() as u32)
            .filter(|&i| tree.nodes[i as usize].kind == Kind::Element)
            .map(|i| facts(&tree, html, i, false).prune)
            .collect();
        assert_eq!(reasons, [None, Some(Reason::Class), Some(Reason::Hidden), Some(Reason::Tag)]);
    }

    #[test]
    fn a_headings_id_is_an_anchor_not_a_hint() {
        for (html, want) in [
            (r#"<h3 id="nav_the_new_battery__1">The new battery</h3>"#, None),
            (r#"<h2 id="related-work">Related work</h2>"#, None),
            (r#"<h3 class="share-title">Share</h3>"#, Some(Reason::Class)),
            (r#"<div id="related-links">x</div>"#, Some(Reason::Class)),
        ] {
            let tree = crate::parse::parse(html, 1000).unwrap();
            assert_eq!(facts(&tree, html, 0, false).prune, want, "{html}");
        }
    }

    #[test]
    fn cousin_markers_stop_at_another_article() {
        // Three marked chunks in rows of one column; a fourth marked body, in the same column but
        // inside its own <article> (the next story of an endless scroll), is not a cousin, and
        // neither is a marked teaser of links or one too short to be a chunk.
        let p = "<p>The council met late on Tuesday, and the clerk read out every objection in turn.</p>";
        let html = format!(
            r#"<div class="col"><div class="row"><div class="body">{p}</div></div><div class="row"><div class="body">{p}</div></div>
<div class="row"><div class="body">{p}</div></div><article><div class="row"><div class="body">{p}</div></div></article>
<div class="row"><div class="body"><a href="/a">A teaser that is nothing but one long link to another page</a></div></div>
<div class="row"><div class="body">Short.</div></div></div>"#
        );
        let tree = crate::parse::parse(&html, 10_000).unwrap();
        let n = tree.nodes.len();
        let is_body =
            |i: usize| tree.nodes[i].kind == Kind::Element && tree.attr(&html, i as u32, "class") == Some("body");
        let marker: Vec<bool> = (0..n).map(is_body).collect();
        let text_counts: Vec<(u32, u32)> = (0..n)
            .map(|i| match tree.nodes[i].kind {
                Kind::Text | Kind::Plain => count(&html.as_bytes()[tree.nodes[i].start..tree.nodes[i].end]),
                _ => (0, 0),
            })
            .collect();
        let stats = kept_stats(&tree, &text_counts, &vec![Reason::None; n]);
        let bodies: Vec<u32> = (0..n).filter(|&i| marker[i]).map(|i| i as u32).collect();
        let mut found = cousin_markers(&tree, &marker, &vec![false; n], &stats, bodies[0]);
        found.sort_unstable();
        assert_eq!(found, bodies[1..3], "the two other chunks of the column, nothing else");
    }

    #[test]
    fn hidden_after_a_part_name_hides_the_part() {
        // `field-label-hidden` (Drupal, on the body field) hides the field's label; the other
        // spellings hide the element itself, and `hidden-xs` only on small screens.
        let cases = [
            ("field field-name-body field-label-hidden", None),
            ("title-hidden story", None),
            ("hidden", Some(Reason::Class)),
            ("box is-hidden", Some(Reason::Class)),
            ("visually-hidden", Some(Reason::Class)),
            ("js-hide", Some(Reason::Class)),
            ("hidden-xs", None),
        ];
        for (class, want) in cases {
            let html = format!(r#"<div class="{class}">text</div>"#);
            let tree = crate::parse::parse(&html, 1000).unwrap();
            assert_eq!(facts(&tree, &html, 0, false).prune, want, "{class}");
        }
    }

    #[test]
    fn a_part_the_element_has_or_lacks_is_not_the_element() {
        // A listicle item `image_hit no_caption` is an item without a caption, a layout
        // `has-sidebar` holds a sidebar beside the text; `no-print` is `noprint`.
        let cases = [
            ("list_item image_hit no_caption", None),
            ("layout has-sidebar", None),
            ("story with-ad", None),
            ("post without_comments", None),
            ("caption", Some(Reason::Class)),
            ("no-print", Some(Reason::Class)),
            ("no caption", Some(Reason::Class)),
        ];
        for (class, want) in cases {
            let html = format!(r#"<div class="{class}">text</div>"#);
            let tree = crate::parse::parse(&html, 1000).unwrap();
            assert_eq!(facts(&tree, &html, 0, false).prune, want, "{class}");
        }
        // With comments kept, a part of the story `without-comments` is no comment section.
        for (class, comment) in [("story-part without-comments", false), ("has_comments", false), ("comments", true)] {
            let html = format!(r#"<div class="{class}">text</div>"#);
            let tree = crate::parse::parse(&html, 1000).unwrap();
            assert_eq!(facts(&tree, &html, 0, true).comment, comment, "{class}");
        }
    }
}
