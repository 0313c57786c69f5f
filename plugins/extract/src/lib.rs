//! The `extract` stage: the main text of an HTML page, with its block structure, metadata and
//! an exact way back to the page bytes.
//!
//! `doc.text` is parsed as HTML ([`parse`]: spans, no copies), boilerplate is pruned and the
//! main content chosen ([`select`]), blocks inside it are filtered and the text written as a
//! rewrite of the page ([`render`]), so every span of the output maps back through
//! `source.edits` to the bytes that produced it (a decoded `&amp;` to the whole reference).
//! Metadata comes from the head and JSON-LD ([`meta`]). When the main text is shorter than
//! `min_text_chars`, the fallback tries every `<p>` and the JSON-LD `articleBody` and keeps the
//! longest; still too short, it scores again with the id/class and role hints kept off
//! whatever holds a prose paragraph (a `paywall` class on the article's wrapper) and keeps that
//! when longer. A page with no elements, or no text left, is dropped (`not-html`, `no-main-text`),
//! one with more than `max_nodes` nodes too (`too-large`), and a short page titled as an
//! error (`error-page`).

pub mod decode;
pub mod fuzz;
pub mod meta;
pub mod parse;
pub mod render;
pub mod select;
pub mod tags;

use docpipe_core::align::Rewriter;
use docpipe_core::document::Span;
use docpipe_core::registry::{AttrField, AttrType, AttributeDecl};
use docpipe_core::{BuildError, Document, MapStage, Outcome, Stage, StageError, StageOptions};
use select::Pass;
use serde::{Deserialize, Serialize};

/// Where the thresholds sit between keeping too much and too little.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, docpipe_core::OptionType)]
#[serde(rename_all = "lowercase")]
pub enum Focus {
    /// Drop doubtful blocks (link density over 0.33, fewer siblings joined).
    Precision,
    /// The default.
    Balanced,
    /// Keep doubtful blocks (link density up to 0.8, more siblings joined).
    Recall,
}

/// Options of the `extract` stage.
#[derive(Debug, Clone, Deserialize, Serialize, docpipe_core::Options)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractOptions {
    /// `precision`, `balanced` or `recall`: moves the link-density threshold for blocks (0.33 / 0.5 / 0.8) and
    /// how readily sibling blocks of the best candidate join it.
    pub focus: Focus,
    /// Keep tables inside the main content (one block per row, cells separated by a space).
    pub tables: bool,
    /// Keep comment sections (ids and classes `comment`, `comments`, `disqus` are not pruned).
    pub comments: bool,
    /// Write a `links` layer: one span per link in the main text, with its `href`.
    pub links: bool,
    /// Main text shorter than this many characters (not counting whitespace) triggers the fallback.
    pub min_text_chars: usize,
    /// Pages with more nodes (elements and text runs) are dropped as `too-large`.
    pub max_nodes: usize,
    /// When the main text is short, also try every `<p>` of the page and the JSON-LD `articleBody`, and
    /// keep the longest.
    pub fallback: bool,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            focus: Focus::Balanced,
            tables: true,
            comments: false,
            links: false,
            min_text_chars: 250,
            max_nodes: 1_000_000,
            fallback: true,
        }
    }
}

/// The stage.
#[derive(Debug)]
pub struct ExtractStage {
    options: ExtractOptions,
}

impl ExtractStage {
    /// Builds the stage.
    pub fn new(options: ExtractOptions) -> Self {
        ExtractStage { options }
    }
}

fn chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Whether `text` has fewer than `min` characters that are not whitespace (counted only when it could).
fn too_short(text: &str, min: usize) -> bool {
    text.len() < min.saturating_mul(8) && chars(text) < min
}

/// Replaces the current (method, text) with a fallback's when the fallback's text is longer.
fn take_longer(current: &mut (&'static str, render::Rendered), alt: (&'static str, render::Rendered)) {
    if chars(&alt.1.text) > chars(&current.1.text) {
        *current = alt;
    }
}

/// The outcome of extraction on one page, before it is written into a document.
#[derive(Debug)]
pub struct Extraction {
    /// Rendered text, edits and layers.
    pub rendered: render::Rendered,
    /// Metadata.
    pub meta: meta::Meta,
    /// `marker`, `score`, `page`, `paragraphs` or `json-ld`.
    pub method: &'static str,
    /// Nodes in the tree.
    pub nodes: usize,
}

/// Why a page gave no text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No element at all.
    NotHtml,
    /// More than `max_nodes` nodes.
    TooLarge,
    /// Nothing left.
    NoMainText,
    /// A short page titled as an error (`404`, `Page not found`).
    ErrorPage,
}

impl Failure {
    /// The drop reason.
    pub fn reason(self) -> &'static str {
        match self {
            Failure::NotHtml => "not-html",
            Failure::TooLarge => "too-large",
            Failure::NoMainText => "no-main-text",
            Failure::ErrorPage => "error-page",
        }
    }
}

/// Extracts the main text of `html`.
pub fn extract(html: &str, o: &ExtractOptions) -> Result<Extraction, Failure> {
    let tree = parse::parse(html, o.max_nodes).map_err(|_| Failure::TooLarge)?;
    if !tree.nodes.iter().any(|n| n.kind == parse::Kind::Element) {
        return Err(Failure::NotHtml);
    }
    let meta = meta::read(&tree, html);
    let settings = render::Settings { focus: o.focus, tables: o.tables, links: o.links };
    let title = meta.title.as_deref();
    let pass = |p: Pass| {
        let sel = select::select(&tree, html, o.focus, o.comments, p, title);
        (sel.method, render::render(&tree, html, &sel, settings, title))
    };
    let mut best = pass(Pass::Scored);
    if o.fallback && too_short(&best.1.text, o.min_text_chars) {
        take_longer(&mut best, ("paragraphs", pass(Pass::Paragraphs).1));
        if let Some((s, e, body)) = &meta.article_body {
            let mut rw = Rewriter::new(html);
            rw.replace(0, *s, "");
            let body = body.trim();
            rw.replace(*s, *e, body);
            rw.replace(*e, html.len(), "");
            let (text, edits) = rw.finish();
            let blocks = if text.is_empty() { Vec::new() } else { vec![Span::new(0, text.len()).with_label("body")] };
            let dropped = best.1.dropped.clone();
            take_longer(&mut best, ("json-ld", render::Rendered { text, edits, blocks, links: Vec::new(), dropped }));
        }
    }
    if o.fallback && too_short(&best.1.text, o.min_text_chars) {
        take_longer(&mut best, ("relaxed", pass(Pass::Relaxed).1));
    }
    let (method, rendered) = best;
    if rendered.text.trim().is_empty() {
        return Err(Failure::NoMainText);
    }
    // A short error page ("Page not found", "404") has no main text worth keeping.
    if too_short(&rendered.text, o.min_text_chars)
        && let Some(t) = &meta.title
    {
        let t = t.to_lowercase();
        if t.contains("404") || t.contains("not found") || t.contains("page unavailable") {
            return Err(Failure::ErrorPage);
        }
    }
    Ok(Extraction { rendered, meta, method, nodes: tree.nodes.len() })
}

impl MapStage for ExtractStage {
    fn process(&self, mut doc: Document) -> Result<Outcome, StageError> {
        let x = match extract(&doc.text, &self.options) {
            Ok(x) => x,
            Err(f) => return Ok(Outcome::Drop(f.reason().into())),
        };
        let Extraction { rendered, meta, method, nodes } = x;
        let dropped: serde_json::Map<String, serde_json::Value> =
            rendered.dropped.iter().map(|(k, v)| ((*k).to_owned(), (*v).into())).collect();
        let blocks = rendered.blocks;
        let links = rendered.links;
        doc.text = String::new();
        doc.apply_rewrite(rendered.text, rendered.edits);
        doc.set_layer("blocks", blocks);
        if self.options.links {
            doc.set_layer("links", links);
        }
        for (key, value) in [
            ("title", meta.title),
            ("author", meta.author),
            ("date", meta.date),
            ("site_name", meta.site_name),
            ("language", meta.language),
            ("canonical_url", meta.canonical_url),
            ("description", meta.description),
        ] {
            let empty = doc.metadata.get(key).is_none_or(|v| v.is_null() || v.as_str() == Some(""));
            if let Some(v) = value
                && empty
            {
                doc.metadata.insert(key.into(), v.into());
            }
        }
        doc.attributes
            .insert("extract".into(), serde_json::json!({ "method": method, "nodes": nodes, "dropped": dropped }));
        Ok(Outcome::Keep(doc))
    }
}

fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
    let opts: ExtractOptions = options.deserialize()?;
    if opts.max_nodes == 0 {
        return Err(options.error("max_nodes", "must be at least 1"));
    }
    Ok(Stage::Map(Box::new(ExtractStage::new(opts))))
}

docpipe_core::register_stage! {
    name: "extract",
    summary: "Main text, block roles and metadata from HTML pages; every output span maps back to the page bytes",
    description: "Parses `text` as HTML, prunes navigation, headers, footers, forms, hidden parts and boilerplate ids/classes (share, cookie, newsletter, related, comments, ads, ...), picks the main content (article-body markers, else readability-style scoring), filters link-heavy blocks, captions, bylines and photo credits, the headline, trailing headings, a block repeating the one before it and the end matter under a late end-matter heading (`Related articles`, `About the author`, `Mehr zum Thema`, in seven languages), and writes the text (blocks separated by a blank line, `<br>` as a line break, inline tags adding nothing) as a rewrite of the page: `source.edits` map every span to the page bytes, a decoded `&amp;` to the whole reference. Writes the `blocks` layer (roles `body`, `standfirst`, `subheading`, `list_item`, `table`, `code`, `quote`, `caption`, and `comment` for blocks of a kept comment section, which summarise leaves out), `links` (option), metadata `title`, `author`, `date`, `site_name`, `language`, `canonical_url`, `description` (only where empty) and `attributes.extract`. Drops `not-html`, `no-main-text`, `error-page` (a short page titled `404` or `not found`), `too-large`.",
    kind: Map,
    options: ExtractOptions,
    example: r#"[[stage]]
type = "extract"
focus = "balanced"
tables = true
min_text_chars = 250
"#,
    build: build,
    attributes: &[AttributeDecl {
        key: "extract",
        doc: "How the main text was found.",
        fields: &[
            AttrField { name: "method", ty: AttrType::String, doc: "`marker` (article-body marker), `score`, `widened` (scored, then widened to the ancestor holding most of the page's prose, or replaced by the element holding most of it when the scored choice held under a third), `page` (nothing scored: the pruned page), `paragraphs`, `json-ld` or `relaxed` (fallbacks: every paragraph; the JSON-LD `articleBody`; scored again with id/class and role hints kept off whatever holds prose)." },
            AttrField { name: "nodes", ty: AttrType::Int, doc: "Nodes in the parsed page." },
            AttrField { name: "dropped", ty: AttrType::Json, doc: "Dropped subtrees and blocks inside the main content by reason." },
        ],
    }],
}

#[cfg(test)]
mod tests;
