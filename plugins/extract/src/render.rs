//! From the selected subtrees to text, as a rewrite of the page in source order.
//!
//! The walk emits text nodes and separators (a block boundary, a `<br>`, a table cell). Blocks
//! whose links outweigh their text, captions, bylines and trailing headings are filtered here.
//! Then the emitter writes the text with a [`Rewriter`]: kept characters are copied, a
//! character reference becomes its character (a span over it maps to the whole `&…;`), a run
//! of whitespace becomes one space, and everything between two kept runs (tags, dropped
//! subtrees, comments) becomes `""`, `" "`, `"\n"` or `"\n\n"`. An inline tag adds nothing, so
//! `wo<b>rd</b>` stays `word`; a space that was in the page stays one space.

use std::collections::BTreeMap;

use docpipe_core::align::{Edit, Rewriter};
use docpipe_core::document::Span;

use crate::Focus;
use crate::decode::{Decoded, char_ref, is_invisible};
use crate::parse::{Kind, NONE, Tree};
use crate::select::{Reason, Selection};
use crate::tags::Tag;

/// What the renderer produced.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The main text.
    pub text: String,
    /// Its edits against the page.
    pub edits: Vec<Edit>,
    /// One span per block, labelled with its role.
    pub blocks: Vec<Span>,
    /// Link spans (with `href`), when asked for.
    pub links: Vec<Span>,
    /// Dropped subtrees or blocks by reason.
    pub dropped: BTreeMap<&'static str, u64>,
}

/// Rendering settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Threshold preset.
    pub focus: Focus,
    /// Keep tables.
    pub tables: bool,
    /// Collect links.
    pub links: bool,
}

#[derive(Debug, Clone, Copy)]
enum Ev {
    Text(u32),
    /// 1 space, 2 line break, 3 block boundary.
    Sep(u8),
}

/// Bytes the text loop must look at: ASCII whitespace, `&`, 0xC2 (a no-break space and a soft
/// hyphen start with it), 0xE2 and 0xEF (the other invisible characters of [`invisible_len`]).
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t[0x0C] = true;
    t[b'&' as usize] = true;
    t[0xC2] = true;
    t[0xE2] = true;
    t[0xEF] = true;
    t
};

/// The length in bytes of an invisible character (see [`is_invisible`]) at byte `i` of `html`,
/// or 0. `i` must be a character boundary (the text loop stops only at ASCII and lead bytes).
fn invisible_len(html: &str, i: usize) -> usize {
    html.get(i..).and_then(|rest| rest.chars().next()).filter(|&c| is_invisible(c)).map_or(0, char::len_utf8)
}

/// Writes the output text.
struct Emitter<'a> {
    html: &'a str,
    rw: Rewriter<'a>,
    pending: u8,
    started: bool,
}

impl<'a> Emitter<'a> {
    fn new(html: &'a str) -> Self {
        Emitter { html, rw: Rewriter::new(html), pending: 0, started: false }
    }

    /// Writes the pending separator in place of everything from the last kept byte to `at`.
    fn flush(&mut self, at: usize) {
        let sep = if !self.started {
            ""
        } else {
            match self.pending {
                0 => "",
                1 => " ",
                2 => "\n",
                _ => "\n\n",
            }
        };
        let pos = self.rw.position();
        self.rw.replace(pos, at.max(pos), sep);
        self.pending = 0;
        self.started = true;
    }

    fn space(&mut self, level: u8) {
        self.pending = self.pending.max(level);
    }

    /// Emits the text of `html[start..end]`; `verbatim` keeps whitespace (`pre`), `refs` decodes references.
    fn text(&mut self, start: usize, end: usize, verbatim: bool, refs: bool) {
        let bytes = self.html.as_bytes();
        let mut i = start;
        let mut run = start; // start of the pending verbatim run
        while i < end {
            // Skip ordinary bytes at table speed.
            while i < end && !SPECIAL[bytes[i] as usize] {
                i += 1;
            }
            if i >= end {
                break;
            }
            let b = bytes[i];
            // A single space inside a run stays part of the run (the common case, one copy per run).
            if b == b' ' && i > run && i + 1 < end && !SPECIAL[bytes[i + 1] as usize] {
                i += 1;
                continue;
            }
            // An invisible character goes, as an inline tag does: no text, no space.
            let hidden = if b >= 0xC2 { invisible_len(self.html, i) } else { 0 };
            if hidden > 0 && i + hidden <= end {
                self.copy(run, i);
                i += hidden;
                run = i;
                continue;
            }
            let ws = !verbatim && (b.is_ascii_whitespace() || (b == 0xC2 && bytes.get(i + 1) == Some(&0xA0)));
            if ws {
                self.copy(run, i);
                let w = if b == 0xC2 { 2 } else { 1 };
                self.space(1);
                i += w;
                run = i;
                continue;
            }
            if refs
                && b == b'&'
                && let Some((ref_end, d)) = char_ref(bytes, i)
                && ref_end <= end
            {
                self.copy(run, i);
                let mut buf = [0u8; 4];
                let decoded = d.as_str(&mut buf);
                if !verbatim && d == Decoded::Str("\u{a0}") {
                    self.space(1);
                } else if decoded.chars().all(is_invisible) {
                    // `&shy;`, `&#8203;`: dropped like the characters themselves.
                } else {
                    self.flush(i);
                    self.rw.replace(i, ref_end, decoded);
                }
                i = ref_end;
                run = i;
                continue;
            }
            i += 1;
        }
        self.copy(run, end);
    }

    fn copy(&mut self, start: usize, end: usize) {
        if start < end {
            self.flush(start);
            self.rw.copy_to(end);
        }
    }

    fn len(&self) -> usize {
        self.rw.output().len()
    }

    fn finish(mut self) -> (String, Vec<Edit>) {
        let n = self.html.len();
        let pos = self.rw.position();
        self.rw.replace(pos, n, "");
        self.rw.finish()
    }
}

/// What a text node sits in, found by walking up to its root.
fn context(tree: &Tree, id: u32, root: u32, layout: &[bool], comment: &[bool]) -> (bool, u32, &'static str) {
    let mut pre = false;
    // Inside a layout cell, the rows and table around it are page layout, not a table.
    let mut in_layout = false;
    let mut link = NONE;
    let mut label = None;
    let mut cur = tree.nodes[id as usize].parent;
    while cur != NONE {
        let node = &tree.nodes[cur as usize];
        match node.tag {
            Tag::Pre => {
                pre = true;
                label.get_or_insert("code");
            }
            Tag::A if link == NONE => link = cur,
            Tag::H1 => {
                label.get_or_insert("title");
            }
            t if t.is_heading() => {
                label.get_or_insert("subheading");
            }
            Tag::Li | Tag::Dd | Tag::Dt => {
                label.get_or_insert("list_item");
            }
            Tag::Td | Tag::Th if layout[cur as usize] => in_layout = true,
            Tag::Td | Tag::Th | Tag::Tr if !in_layout => {
                label.get_or_insert("table");
            }
            Tag::Table if in_layout => in_layout = false,
            Tag::Table => {
                label.get_or_insert("table");
            }
            Tag::Blockquote => {
                label.get_or_insert("quote");
            }
            Tag::Figcaption | Tag::Caption => {
                label.get_or_insert("caption");
            }
            _ => {}
        }
        if cur == root {
            break;
        }
        // A comment section inside the content (not the content itself, which some
        // templates mark `comments-open`) makes every block in it a comment.
        if comment.get(cur as usize).copied().unwrap_or(false) {
            label = Some("comment");
        }
        cur = node.parent;
    }
    (pre, link, label.unwrap_or("body"))
}

/// Table cells that lay a page out rather than hold data: the only cell of
/// their row, a cell holding block elements (paragraphs, lists, headings,
/// another table), or one with more than 400 characters of text. Old pages and
/// e-mail newsletters set their whole article in such cells; their text is body
/// text, not a table row.
fn layout_cells(tree: &Tree, sel: &Selection) -> Vec<bool> {
    let n = tree.nodes.len();
    let is_cell = |i: usize| {
        let node = &tree.nodes[i];
        node.kind == Kind::Element && matches!(node.tag, Tag::Td | Tag::Th)
    };
    // Cells per row, counted once (a row of k cells would cost k² counted per cell).
    let mut cells = vec![0u32; n];
    for (id, node) in tree.nodes.iter().enumerate() {
        if node.parent != NONE && is_cell(id) {
            cells[node.parent as usize] += 1;
        }
    }
    // The nearest cell above each node; parents come before their children.
    let mut nearest = vec![NONE; n];
    let mut layout = vec![false; n];
    for (id, node) in tree.nodes.iter().enumerate() {
        let p = node.parent;
        if p != NONE {
            nearest[id] = if is_cell(p as usize) { p } else { nearest[p as usize] };
        }
        if node.kind != Kind::Element {
            continue;
        }
        if is_cell(id) {
            let row = if p == NONE { 1 } else { cells[p as usize] };
            if row < 2 || sel.stats[id].chars > 400 {
                layout[id] = true;
            }
        } else if (matches!(node.tag, Tag::P | Tag::Div | Tag::Ul | Tag::Ol | Tag::Table | Tag::Blockquote | Tag::Pre)
            || node.tag.is_heading())
            && nearest[id] != NONE
        {
            // The nearest cell above a block element lays the page out.
            layout[nearest[id] as usize] = true;
        }
    }
    layout
}

/// Whether the text events hold a letter (any script), or at least four characters.
fn has_letters(tree: &Tree, html: &str, events: &[(Ev, u32)]) -> bool {
    let mut n = 0;
    for (ev, _) in events {
        if let Ev::Text(id) = ev {
            let node = &tree.nodes[*id as usize];
            for c in html[node.start..node.end].chars() {
                if c.is_alphabetic() {
                    return true;
                }
                if !c.is_whitespace() {
                    n += 1;
                    if n >= 4 {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Whether text node `id` lies in one of the lead elements (up to `root`).
fn in_lead(tree: &Tree, id: u32, root: u32, leads: &[u32]) -> bool {
    if leads.is_empty() {
        return false;
    }
    let mut cur = tree.nodes[id as usize].parent;
    while cur != NONE {
        if leads.contains(&cur) {
            return true;
        }
        if cur == root {
            break;
        }
        cur = tree.nodes[cur as usize].parent;
    }
    false
}

/// The decoded text of a short block, whitespace collapsed (for shape tests).
fn block_text(tree: &Tree, html: &str, events: &[(Ev, u32)]) -> String {
    let mut raw = String::new();
    for (ev, _) in events {
        match ev {
            Ev::Text(id) => {
                let node = &tree.nodes[*id as usize];
                raw.push_str(&html[node.start..node.end]);
            }
            Ev::Sep(_) => raw.push(' '),
        }
    }
    let decoded: String = crate::decode::decode_all(&raw).chars().filter(|&c| !is_invisible(c)).collect();
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Bylines, date lines and photo credits: `By Jane Roe`, `by Bea Santoro | May 18`, `Posted
/// 18/11/2004 by the Clerk`, `The stop at night. Photograph: Jem Adeyemi`.
fn is_byline(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["by ", "posted ", "published ", "updated ", "written by "].iter().any(|p| lower.starts_with(p))
        || ["photograph:", "photo:", "photo credit", "image:", "credit:", "getty images", "illustration:"]
            .iter()
            .any(|p| lower.contains(p))
}

/// Headings that open a page's end matter rather than a part of the article: related and
/// recommended reading, the author's box, newsletter and sharing calls. Written for docpipe
/// from common news and blog templates in English, German, French, Spanish, Italian,
/// Portuguese and Polish; compared lower-case, without a closing `:`, `?`, `!` or `…`.
/// Comment headings are not here: comments have their own setting; nor is `Read more`, which
/// some templates print as a page break inside the article.
const END_MATTER_HEADINGS: &[&str] = &[
    // English
    "related",
    "related articles",
    "related stories",
    "related posts",
    "related content",
    "related coverage",
    "related reading",
    "related links",
    "related news",
    "more on this topic",
    "more on this story",
    "more stories",
    "more news",
    "read next",
    "see also",
    "you may also like",
    "you might also like",
    "you may be interested in",
    "recommended",
    "recommended for you",
    "recommended stories",
    "more like this",
    "most popular",
    "most read",
    "popular posts",
    "recent posts",
    "latest news",
    "trending",
    "trending now",
    "about the author",
    "about the authors",
    "share this",
    "share this article",
    "share this story",
    "sign up for our newsletter",
    // German
    "mehr zum thema",
    "mehr zu diesem thema",
    "weitere artikel",
    "weitere themen",
    "weitere beiträge",
    "verwandte artikel",
    "verwandte themen",
    "ähnliche artikel",
    "ähnliche beiträge",
    "das könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "das könnte sie interessieren",
    "das könnte dich interessieren",
    "auch interessant",
    "lesen sie auch",
    "lies auch",
    "schon gelesen",
    "empfehlungen der redaktion",
    "meistgelesen",
    "meistgelesene artikel",
    "über den autor",
    "über die autorin",
    "zum autor",
    "zur autorin",
    "artikel teilen",
    "beitrag teilen",
    "noch mehr infos für dich",
    "lust auf mehr",
    // French
    "à lire aussi",
    "lire aussi",
    "sur le même sujet",
    "articles similaires",
    "articles liés",
    "vous aimerez aussi",
    "les plus lus",
    "à propos de l'auteur",
    "à propos de l’auteur",
    // Spanish
    "noticias relacionadas",
    "artículos relacionados",
    "te puede interesar",
    "también te puede interesar",
    "lo más leído",
    "sobre el autor",
    "más noticias",
    "lee también",
    // Italian
    "articoli correlati",
    "leggi anche",
    "potrebbe interessarti",
    "ti potrebbe interessare",
    "i più letti",
    // Portuguese
    "notícias relacionadas",
    "artigos relacionados",
    "leia também",
    "veja também",
    "você pode gostar",
    "mais lidas",
    "sobre o autor",
    // Polish
    "czytaj także",
    "czytaj też",
    "zobacz też",
    "zobacz także",
    "powiązane artykuły",
    "najczęściej czytane",
];

/// Whether a short block's text is an end-matter heading of [`END_MATTER_HEADINGS`].
fn is_end_matter_heading(text: &str) -> bool {
    if text.chars().count() > 48 {
        return false;
    }
    let t = text.trim().trim_end_matches([':', '?', '!', '…', '.', ' ']).to_lowercase();
    END_MATTER_HEADINGS.contains(&t.as_str())
}

/// The shortest block (in characters) that is dropped for repeating the block before it:
/// shorter repeats (`Yes.`, `Photo`) can be meant.
const MIN_REPEAT_CHARS: u32 = 40;

/// Renders the selected subtrees of `tree`.
///
/// `title` is the page's title: a heading repeating it is not text.
pub fn render(tree: &Tree, html: &str, sel: &Selection, settings: Settings, title: Option<&str>) -> Rendered {
    let mut out = Rendered::default();
    let layout = layout_cells(tree, sel);
    let threshold = match settings.focus {
        Focus::Precision => 0.33,
        Focus::Balanced => 0.5,
        Focus::Recall => 0.8,
    };
    // Whether `id` is an item of a list that, as a whole, is mostly text (link density at most
    // half the threshold: an enumeration in the article, some items of which are links, or a
    // feature list whose items end in a `Learn more about …` link): such an item is not
    // dropped for its links. A menu or a related-links list is links as a whole; one with a
    // line of comment under each link (`More Great WIRED Stories`) is still over half the
    // threshold, which is why it is not the threshold itself.
    let item_of_prose_list = |id: u32| {
        let p = tree.nodes[id as usize].parent;
        tree.nodes[id as usize].tag == Tag::Li
            && p != NONE
            && matches!(tree.nodes[p as usize].tag, Tag::Ul | Tag::Ol)
            && sel.stats[p as usize].chars > 0
            && sel.stats[p as usize].link_density() <= threshold / 2.0
    };
    // Event ranges of such items, which the short-link-block check below leaves alone.
    let mut prose_items: Vec<(usize, usize)> = Vec::new();
    let mut open_items: Vec<(u32, usize)> = Vec::new();
    // 1. Events in document order.
    let mut events: Vec<(Ev, u32)> = Vec::new(); // (event, root)
    for &root in &sel.roots {
        // (node, leaving, rescue): in rescue mode (inside a pruned header) only lead paragraphs render.
        let mut stack: Vec<(u32, bool, bool)> = vec![(root, false, false)];
        while let Some((id, leaving, rescue)) = stack.pop() {
            let node = &tree.nodes[id as usize];
            if rescue {
                if sel.leads.contains(&id) {
                    events.push((Ev::Sep(3), root));
                    stack.push((id, false, false));
                } else if node.kind == Kind::Element
                    && matches!(node.tag, Tag::Header | Tag::Div | Tag::Section | Tag::Other | Tag::Hr)
                {
                    let mark = stack.len();
                    for c in tree.children(id) {
                        stack.push((c, false, true));
                    }
                    stack[mark..].reverse();
                }
                continue;
            }
            if node.kind != Kind::Element {
                if matches!(node.kind, Kind::Text | Kind::Plain) && sel.drop[id as usize] == Reason::None {
                    events.push((Ev::Text(id), root));
                }
                continue;
            }
            let sep = if node.tag.is_block() || node.tag == Tag::Hr {
                3
            } else if node.tag == Tag::Br {
                2
            } else if matches!(node.tag, Tag::Td | Tag::Th) {
                1
            } else {
                0
            };
            if leaving {
                if sep > 0 {
                    events.push((Ev::Sep(sep), root));
                }
                if open_items.last().is_some_and(|&(item, _)| item == id)
                    && let Some((_, start)) = open_items.pop()
                {
                    prose_items.push((start, events.len()));
                }
                continue;
            }
            let mut reason = sel.drop[id as usize];
            let st = sel.stats[id as usize];
            if reason == Reason::None && id != root {
                if !settings.tables && node.tag == Tag::Table {
                    reason = Reason::Table;
                } else if matches!(node.tag, Tag::Figcaption) {
                    reason = Reason::Shape;
                } else if node.tag.is_block()
                    && st.chars > 0
                    && st.link_density() > threshold
                    && (st.chars < 1000 || st.link_density() > 0.9)
                    && !item_of_prose_list(id)
                    && !(node.parent != NONE && item_of_prose_list(node.parent))
                {
                    reason = Reason::Links;
                }
            }
            if reason != Reason::None {
                if reason != Reason::Outside {
                    *out.dropped.entry(reason.name()).or_default() += 1;
                }
                // A dropped block still separates what is around it.
                if sep > 0 {
                    events.push((Ev::Sep(sep), root));
                }
                if reason == Reason::Tag && node.tag == Tag::Header && !sel.leads.is_empty() {
                    let mark = stack.len();
                    for c in tree.children(id) {
                        stack.push((c, false, true));
                    }
                    stack[mark..].reverse();
                }
                continue;
            }
            if sep == 2 {
                // Two line breaks with nothing but whitespace between them end a paragraph.
                let prev =
                    events.iter().rposition(|(ev, _)| !matches!(ev, Ev::Text(t) if sel.stats[*t as usize].chars == 0));
                if let Some(p) = prev
                    && matches!(events[p].0, Ev::Sep(2))
                {
                    events[p].0 = Ev::Sep(3);
                    continue;
                }
            }
            if sep > 0 {
                events.push((Ev::Sep(sep), root));
            }
            if item_of_prose_list(id) {
                open_items.push((id, events.len()));
            }
            stack.push((id, true, false));
            // Children in reverse so the first pops first.
            let mark = stack.len();
            for c in tree.children(id) {
                stack.push((c, false, false));
            }
            stack[mark..].reverse();
        }
        events.push((Ev::Sep(3), root));
    }
    // For each event, the end of the widest prose-list item it lies in (0: none).
    let mut item_end = vec![0usize; events.len() + 1];
    for &(a, b) in &prose_items {
        for e in &mut item_end[a..b] {
            *e = (*e).max(b);
        }
    }
    // 2. Blocks: runs of events between block boundaries that hold text.
    struct Block {
        from: usize,
        to: usize,
        label: &'static str,
        chars: u32,
    }
    let mut blocks: Vec<Block> = Vec::new();
    let mut from = 0;
    for k in 0..=events.len() {
        let boundary = k == events.len() || matches!(events[k].0, Ev::Sep(3));
        if !boundary {
            continue;
        }
        let mut chars = 0;
        let mut link_chars = 0;
        let mut label = "body";
        for (ev, root) in &events[from..k] {
            if let Ev::Text(id) = ev {
                let c = sel.stats[*id as usize].chars;
                if c == 0 {
                    continue;
                }
                let (_, link, l) = context(tree, *id, *root, &layout, &sel.comment);
                if chars == 0 {
                    label = if in_lead(tree, *id, *root, &sel.leads) { "standfirst" } else { l };
                }
                if link != NONE {
                    link_chars += c;
                }
                chars += c;
            }
        }
        if chars > 0 && !has_letters(tree, html, &events[from..k]) {
            // Vote counts, ticks, bullets: no letter or digit run worth a block.
            *out.dropped.entry(Reason::Shape.name()).or_default() += 1;
        } else if chars > 0 && chars < 200 && link_chars as f32 > threshold * chars as f32 && item_end[from] < k {
            // A short block that is mostly links (breadcrumbs, "read more", tag lists), also
            // when its lines are cut by `<br>` rather than elements.
            *out.dropped.entry(Reason::Links.name()).or_default() += 1;
        } else if chars > 0 {
            blocks.push(Block { from, to: k, label, chars });
        }
        from = k + 1;
    }
    // Where an end-matter heading opens the page's end matter: the first one with at least
    // half of the text before it and at most a third after it (earlier, such a heading is more
    // likely a box the article flows around: `Related` with one link, and the story goes on).
    let total_chars: u32 = blocks.iter().map(|b| b.chars).sum();
    let mut before_chars = 0;
    let mut end_matter = None;
    for (i, b) in blocks.iter().enumerate() {
        if b.chars <= 48
            && b.label == "subheading"
            && 2 * before_chars >= total_chars
            && 3 * (total_chars - before_chars - b.chars) <= total_chars
            && is_end_matter_heading(&block_text(tree, html, &events[b.from..b.to]))
        {
            end_matter = Some(i);
            break;
        }
        before_chars += b.chars;
    }
    if let Some(i) = end_matter {
        *out.dropped.entry(Reason::EndMatter.name()).or_default() += (blocks.len() - i) as u64;
        blocks.truncate(i);
    }
    // The headline above the text is metadata (`title`), not text; later `h1`s are subheadings.
    // A block that repeats the one before it word for word is said once (a header's dek
    // rescued as the standfirst and the body's own abstract under it; a caption printed twice).
    let mut leading = true;
    let mut previous: Option<String> = None;
    blocks.retain_mut(|b| {
        let text = block_text(tree, html, &events[b.from..b.to]);
        if (b.label == "title" || b.label == "subheading") && title.is_some_and(|t| b.chars < 300 && text == t) {
            *out.dropped.entry(Reason::Title.name()).or_default() += 1;
            return false;
        }
        if b.label == "title" {
            if leading {
                *out.dropped.entry(Reason::Title.name()).or_default() += 1;
                return false;
            }
            b.label = "subheading";
        } else if b.label != "subheading" {
            if b.chars < 120 && is_byline(&text) {
                *out.dropped.entry(Reason::Shape.name()).or_default() += 1;
                return false;
            }
            leading = false;
        }
        if b.chars >= MIN_REPEAT_CHARS && previous.as_deref() == Some(text.as_str()) {
            *out.dropped.entry(Reason::Repeat.name()).or_default() += 1;
            return false;
        }
        previous = Some(text);
        true
    });
    // Trailing headings say nothing.
    while blocks.last().is_some_and(|b| b.label == "subheading") {
        blocks.pop();
        *out.dropped.entry(Reason::TrailingHeading.name()).or_default() += 1;
    }
    // 3. Emit.
    let mut em = Emitter::new(html);
    let mut link_spans: Vec<(u32, usize, usize)> = Vec::new();
    for block in &blocks {
        if block.chars == 0 {
            continue;
        }
        em.space(3);
        let mut start = None;
        for (ev, root) in &events[block.from..block.to] {
            match ev {
                Ev::Sep(s) => em.space(*s),
                Ev::Text(id) => {
                    let node = &tree.nodes[*id as usize];
                    let (pre, link, _) = context(tree, *id, *root, &layout, &sel.comment);
                    let before = em.len();
                    let plain = node.kind == Kind::Plain;
                    em.text(node.start, node.end, pre || plain, !plain);
                    let after = em.len();
                    if after > before {
                        // The text's first byte may follow a separator written by the flush.
                        start.get_or_insert(before);
                        if settings.links && link != NONE {
                            let text_start = em.rw.output()[before..after].len()
                                - em.rw.output()[before..after].trim_start().len()
                                + before;
                            match link_spans.last_mut() {
                                Some((l, _, e)) if *l == link => *e = after,
                                _ => link_spans.push((link, text_start, after)),
                            }
                        }
                    }
                }
            }
        }
        if let Some(s) = start {
            let end = em.len();
            // Skip the separator that the first flush wrote.
            let text = em.rw.output();
            let s = s + (text[s..end].len() - text[s..end].trim_start().len());
            out.blocks.push(Span::new(s, end).with_label(block.label));
        }
    }
    let (text, edits) = em.finish();
    for (link, s, e) in link_spans {
        let mut span = Span::new(s, e).with_label("link");
        if let Some(href) = tree.attr(html, link, "href") {
            span.fields.insert("href".into(), crate::decode::decode_all(href).into());
        }
        out.links.push(span);
    }
    out.text = text;
    out.edits = edits;
    out
}
