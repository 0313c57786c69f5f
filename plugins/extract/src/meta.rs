//! Page metadata: title (`og:title`, `<title>` without its site-name part, `<h1>` agreeing),
//! author, date, site name, language, canonical URL, description, and the JSON-LD
//! `articleBody` (with its span, for the recall fallback).

use crate::decode::decode_all;
use crate::parse::{Kind, NONE, Tree};
use crate::tags::Tag;

/// What the page says about itself.
#[derive(Debug, Default, Clone)]
pub struct Meta {
    /// Chosen title.
    pub title: Option<String>,
    /// Author(s).
    pub author: Option<String>,
    /// Publication date as found.
    pub date: Option<String>,
    /// Site name.
    pub site_name: Option<String>,
    /// Language.
    pub language: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// JSON-LD `headline` (agrees with a `<title>` piece).
    pub headline: Option<String>,
    /// JSON-LD `articleBody`: the string literal's span (quotes excluded) and its value.
    pub article_body: Option<(usize, usize, String)>,
}

/// Decodes references, leaves out invisible characters (soft hyphens, as the text does) and
/// collapses ASCII whitespace (an ideographic space stays: it separates a headline from the
/// site name in CJK titles).
pub(crate) fn clean(s: &str) -> Option<String> {
    let t: String = decode_all(s).chars().filter(|&c| !crate::decode::is_invisible(c)).collect();
    let t: Vec<&str> = t.split(|c: char| c.is_ascii_whitespace() || c == '\u{a0}').filter(|w| !w.is_empty()).collect();
    let t = t.join(" ");
    let t = t.trim_matches('\u{3000}');
    (!t.is_empty()).then(|| t.to_owned())
}

fn set(slot: &mut Option<String>, v: &str) {
    if slot.is_none() {
        *slot = clean(v);
    }
}

/// Separators between a headline and the site name in `<title>`.
///
/// Only ASCII-spaced separators and characters that are separators by themselves (the fullwidth
/// bar): an ideographic space (U+3000) separates the two halves of many CJK headlines.
const SEPARATORS: &[&str] = &[" | ", " -- ", " - ", " — ", " – ", " :: ", " » ", " · ", " • ", " / ", "｜"];

/// The `<title>` pieces between separators; with `weak`, also between ideographic spaces (which
/// only count when a heading agrees with such a piece).
fn segments(t: &str) -> Vec<&str> {
    split_at(t, false)
}

fn split_at(t: &str, weak: bool) -> Vec<&str> {
    let mut parts = vec![t];
    for sep in SEPARATORS.iter().chain(weak.then_some(&"\u{3000}")) {
        parts = parts.iter().flat_map(|p| p.split(sep)).map(str::trim).filter(|p| !p.is_empty()).collect();
    }
    parts
}

/// Picks the title from `<title>`, `og:title` and the first `<h1>`.
pub fn choose_title(title: Option<&str>, og: Option<&str>, h1: Option<&str>) -> Option<String> {
    choose_title_with(title, &[og, h1], None, |_| false)
}

/// Whether a text is written with spaces between words (not CJK, Thai, …), for the word count.
fn spaced_script(s: &str) -> bool {
    !s.chars()
        .any(|c| ('\u{0E00}'..='\u{0EFF}').contains(&c) || ('\u{2E80}'..='\u{D7FF}').contains(&c) || c == '\u{3000}')
}

/// Picks the title: `<title>` when it has no site-name part; else the piece that agrees with
/// one of `others` (og:title, JSON-LD headline, the first real `<h1>`, in that order) or with
/// a text of its own on the page (`on_page`, e.g. a bold headline of a table layout); else the
/// first long piece, but the whole `<title>` when that piece is under four words (after Mozilla
/// Readability's rule: "Page not found | Site" is a title as it stands). A piece equal to the
/// site name never wins.
pub fn choose_title_with(
    title: Option<&str>,
    others: &[Option<&str>],
    site: Option<&str>,
    on_page: impl Fn(&str) -> bool,
) -> Option<String> {
    let is_site = |p: &str| site.is_some_and(|s| s.eq_ignore_ascii_case(p));
    let Some(t) = title else { return others.iter().flatten().find(|o| !is_site(o)).map(|o| (*o).to_owned()) };
    let parts = segments(t);
    let weak = if t.contains('\u{3000}') { split_at(t, true) } else { parts.clone() };
    if weak.len() <= 1 {
        return Some(t.to_owned());
    }
    for other in others.iter().flatten().filter(|o| !is_site(o)) {
        if parts.contains(other) || weak.first() == Some(other) {
            return Some((*other).to_owned());
        }
        if let Some(first) = segments(other).first()
            && parts.contains(first)
            && first.chars().count() >= 10
        {
            return Some((*first).to_owned());
        }
    }
    if parts.len() <= 1 {
        return Some(t.to_owned());
    }
    if let Some(p) =
        parts.iter().filter(|p| p.chars().count() >= 10 && !is_site(p) && on_page(p)).max_by_key(|p| p.chars().count())
    {
        return Some((*p).to_owned());
    }
    let rest: Vec<&str> = parts.iter().copied().filter(|p| !is_site(p)).collect();
    if rest.len() == 1 && rest.len() < parts.len() {
        return Some(rest[0].to_owned());
    }
    let first = parts[0];
    let chosen = if first.chars().count() >= 15 {
        first
    } else {
        parts.iter().copied().max_by_key(|p| p.chars().count()).unwrap_or(first)
    };
    if spaced_script(chosen) && chosen.split_whitespace().count() < 4 {
        return Some(t.to_owned());
    }
    Some(chosen.to_owned())
}

/// Whether an `<h1>` is the site's logo: logo/brand tokens, an image, or a link home.
fn is_logo(tree: &Tree, html: &str, id: u32) -> bool {
    let mut logo = false;
    for name in ["class", "id"] {
        if let Some(v) = tree.attr(html, id, name) {
            crate::select::tokens(v, |t| logo |= matches!(t, "logo" | "brand" | "branding" | "sitename" | "masthead"));
        }
    }
    let home = |n: u32| {
        tree.nodes[n as usize].tag == Tag::A
            && tree.attr(html, n, "href").is_some_and(|h| {
                let h = h.trim();
                h == "/" || h == "./" || h.starts_with("index.") || h.starts_with("/index.")
            })
    };
    let mut cur = tree.nodes[id as usize].parent;
    while cur != NONE && !logo {
        logo |= home(cur);
        cur = tree.nodes[cur as usize].parent;
    }
    let mut stack: Vec<u32> = tree.children(id).collect();
    while let Some(n) = stack.pop() {
        if logo {
            break;
        }
        logo |= tree.nodes[n as usize].kind == Kind::Element && (tree.nodes[n as usize].tag == Tag::Img || home(n));
        stack.extend(tree.children(n));
    }
    logo
}

/// The raw text of a subtree (references not decoded), in document order.
pub(crate) fn text_of(tree: &Tree, html: &str, id: u32) -> String {
    let mut out = String::new();
    let mut stack = vec![id];
    let mut order = Vec::new();
    while let Some(n) = stack.pop() {
        if tree.is_ruby_annotation(n) {
            continue;
        }
        order.push(n);
        let mark = stack.len();
        for c in tree.children(n) {
            stack.push(c);
        }
        stack[mark..].reverse();
    }
    for n in order {
        let node = &tree.nodes[n as usize];
        if matches!(node.kind, Kind::Text | Kind::RcData) {
            out.push_str(&html[node.start..node.end]);
        }
    }
    out
}

/// Reads the metadata of a parsed page.
pub fn read(tree: &Tree, html: &str) -> Meta {
    let mut m = Meta::default();
    let (mut title, mut og_title, mut h1) = (None, None, None);
    let mut og_url = None;
    for (i, node) in tree.nodes.iter().enumerate() {
        if node.kind != Kind::Element {
            continue;
        }
        let id = i as u32;
        match node.tag {
            Tag::Html => {
                if let Some(l) = tree.attr(html, id, "lang") {
                    set(&mut m.language, l);
                }
            }
            Tag::Title if title.is_none() && !in_svg(tree, id) => title = clean(&text_of(tree, html, id)),
            Tag::H1 if h1.is_none() && !is_logo(tree, html, id) => h1 = clean(&text_of(tree, html, id)),
            Tag::Time if m.date.is_none() => {
                if let Some(d) = tree.attr(html, id, "datetime") {
                    set(&mut m.date, d);
                }
            }
            Tag::Link => {
                let rel = tree.attr(html, id, "rel").unwrap_or("");
                if rel.split_whitespace().any(|r| r.eq_ignore_ascii_case("canonical"))
                    && let Some(h) = tree.attr(html, id, "href")
                {
                    set(&mut m.canonical_url, h);
                }
            }
            Tag::Meta => {
                let key = tree
                    .attr(html, id, "property")
                    .or_else(|| tree.attr(html, id, "name"))
                    .or_else(|| tree.attr(html, id, "itemprop"))
                    .or_else(|| tree.attr(html, id, "http-equiv"))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let Some(content) = tree.attr(html, id, "content").or_else(|| tree.attr(html, id, "datetime")) else {
                    continue;
                };
                match key.as_str() {
                    "og:title" | "twitter:title" => set(&mut og_title, content),
                    "og:site_name" | "application-name" => set(&mut m.site_name, content),
                    "description" | "og:description" | "twitter:description" => set(&mut m.description, content),
                    "author" | "article:author" | "dc.creator" | "byl" | "sailthru.author" | "parsely-author"
                        if !content.starts_with("http") =>
                    {
                        set(&mut m.author, content.trim_start_matches("By ").trim_start_matches("by "));
                    }
                    "article:published_time"
                    | "datepublished"
                    | "pubdate"
                    | "publishdate"
                    | "date"
                    | "dc.date"
                    | "dc.date.issued"
                    | "sailthru.date"
                    | "og:published_time"
                    | "parsely-pub-date" => set(&mut m.date, content),
                    "og:url" => set(&mut og_url, content),
                    "content-language" => set(&mut m.language, content),
                    _ => {}
                }
            }
            Tag::Script => {
                let ty = tree.attr(html, id, "type").unwrap_or("");
                if ty.eq_ignore_ascii_case("application/ld+json") && node.first_child != NONE {
                    let body = &tree.nodes[node.first_child as usize];
                    json_ld(&html[body.start..body.end], body.start, &mut m);
                }
            }
            _ => {}
        }
    }
    if m.canonical_url.is_none() {
        m.canonical_url = og_url;
    }
    // Texts of their own on the page, looked up only when no heading agrees with a title piece.
    let on_page = |piece: &str| {
        let chars = crate::chars(piece);
        tree.nodes.iter().any(|node| {
            node.kind == Kind::Text && {
                let raw = html[node.start..node.end].trim();
                // Byte length bounds the characters; references only lengthen the raw text.
                raw.len() >= chars
                    && raw.len() <= piece.len() * 4 + 16
                    && crate::chars(raw) >= chars
                    && clean(raw).as_deref() == Some(piece)
            }
        })
    };
    m.title = choose_title_with(
        title.as_deref(),
        &[og_title.as_deref(), m.headline.as_deref(), h1.as_deref()],
        m.site_name.as_deref(),
        on_page,
    );
    m
}

fn in_svg(tree: &Tree, id: u32) -> bool {
    let mut cur = tree.nodes[id as usize].parent;
    while cur != NONE {
        if tree.nodes[cur as usize].tag == Tag::Svg {
            return true;
        }
        cur = tree.nodes[cur as usize].parent;
    }
    false
}

fn json_ld(src: &str, offset: usize, m: &mut Meta) {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(src.trim()) else { return };
    let mut stack = vec![&value];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Array(a) => stack.extend(a.iter()),
            serde_json::Value::Object(o) => {
                if let Some(g) = o.get("@graph") {
                    stack.push(g);
                }
                if m.date.is_none()
                    && let Some(d) = o.get("datePublished").and_then(|d| d.as_str())
                {
                    set(&mut m.date, d);
                }
                if m.author.is_none()
                    && let Some(a) = o.get("author")
                {
                    let names: Vec<&str> = match a {
                        serde_json::Value::String(s) => vec![s.as_str()],
                        serde_json::Value::Object(o) => o.get("name").and_then(|n| n.as_str()).into_iter().collect(),
                        serde_json::Value::Array(a) => a
                            .iter()
                            .filter_map(|x| x.as_str().or_else(|| x.get("name").and_then(|n| n.as_str())))
                            .collect(),
                        _ => Vec::new(),
                    };
                    if !names.is_empty() {
                        set(&mut m.author, &names.join(", "));
                    }
                }
                if m.headline.is_none()
                    && let Some(h) = o.get("headline").and_then(|h| h.as_str())
                {
                    set(&mut m.headline, h);
                }
                if m.article_body.is_none()
                    && let Some(body) = o.get("articleBody").and_then(|b| b.as_str())
                    && let Some((s, e)) = string_span(src, "\"articleBody\"")
                {
                    m.article_body = Some((offset + s, offset + e, body.to_owned()));
                }
            }
            _ => {}
        }
    }
}

/// The span (quotes excluded) of the string value following `key` in a JSON text.
fn string_span(src: &str, key: &str) -> Option<(usize, usize)> {
    let k = src.find(key)? + key.len();
    let b = src.as_bytes();
    let mut i = k;
    while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b':') {
        i += 1;
    }
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let start = i + 1;
    let mut j = start;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Some((start, j)),
            _ => j += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_drops_the_site_name() {
        assert_eq!(
            choose_title(Some("A long headline here | CNN Politics"), None, None).as_deref(),
            Some("A long headline here")
        );
        assert_eq!(
            choose_title(
                Some("The friends: new files -- Puppet Masters -- Sott.net"),
                Some("The friends: new files -- Sott.net"),
                None
            )
            .as_deref(),
            Some("The friends: new files")
        );
        assert_eq!(
            choose_title(Some("New Year, new laws: pot"), None, None).as_deref(),
            Some("New Year, new laws: pot")
        );
        assert_eq!(choose_title(None, Some("OG"), Some("H")).as_deref(), Some("OG"));
    }

    #[test]
    fn cjk_headline_keeps_its_ideographic_space() {
        let html = "<title>山の鉄道、駅舎を図書室に\u{3000}無人駅に明かり｜みなと新報</title>\
                    <meta property=\"og:site_name\" content=\"みなと新報\"><h1>山の鉄道、駅舎を図書室に\u{3000}無人駅に明かり</h1>";
        let tree = crate::parse::parse(html, 1000).unwrap();
        assert_eq!(read(&tree, html).title.as_deref(), Some("山の鉄道、駅舎を図書室に\u{3000}無人駅に明かり"));
        // Without any heading either: the fullwidth bar still separates, the U+3000 does not.
        let t = choose_title(Some("駅舎を図書室に\u{3000}無人駅に明かり｜新報"), None, None);
        assert_eq!(t.as_deref(), Some("駅舎を図書室に\u{3000}無人駅に明かり"));
        // An ideographic space does separate when og:title agrees with the piece before it.
        let t =
            choose_title(Some("少女らの自爆攻撃\u{3000}写真1枚\u{3000}国際ニュース"), Some("少女らの自爆攻撃"), None);
        assert_eq!(t.as_deref(), Some("少女らの自爆攻撃"));
        let t = choose_title(Some("少女らの自爆攻撃\u{3000}写真1枚\u{3000}国際ニュース"), None, None);
        assert_eq!(t.as_deref(), Some("少女らの自爆攻撃\u{3000}写真1枚\u{3000}国際ニュース"));
    }

    #[test]
    fn logo_h1_and_site_name_never_win() {
        let html = r#"<title>Harbour dues rise again for small boats - Quay News</title>
            <h1 class="site-logo"><a href="/">Quay News</a></h1><p>Text.</p>"#;
        let tree = crate::parse::parse(html, 1000).unwrap();
        assert_eq!(read(&tree, html).title.as_deref(), Some("Harbour dues rise again for small boats"));
        let html = r#"<title>Quay News | Dues rise</title><meta property="og:site_name" content="Quay News">
            <h1><a href="/"><img alt="Quay News" src="l.png"></a></h1>"#;
        let tree = crate::parse::parse(html, 1000).unwrap();
        assert_eq!(read(&tree, html).title.as_deref(), Some("Dues rise"));
    }

    #[test]
    fn title_piece_agreeing_with_page_text_or_whole_title() {
        // A table layout: no h1, the headline in bold; the site name first.
        let html = r#"<TITLE>Marsh End Parish Council - News - Footpath reopened after repairs</TITLE>
            <TABLE><TR><TD><IMG ALT="Marsh End Parish Council"></TD></TR><TR><TD>
            <B>Footpath reopened after repairs</B><BR>The path is open.</TD></TR></TABLE>"#;
        let tree = crate::parse::parse(html, 1000).unwrap();
        assert_eq!(read(&tree, html).title.as_deref(), Some("Footpath reopened after repairs"));
        // No piece agrees with anything and the first is short: the title as it stands.
        let html = r#"<title>Page not found | Cogworks</title><h1>Oops, nothing here.</h1>"#;
        let tree = crate::parse::parse(html, 1000).unwrap();
        assert_eq!(read(&tree, html).title.as_deref(), Some("Page not found | Cogworks"));
        // JSON-LD headline agrees.
        let html = r#"<title>Cogworks | Ten chains tested</title><script type="application/ld+json">{"headline":"Ten chains tested"}</script>"#;
        let tree = crate::parse::parse(html, 1000).unwrap();
        assert_eq!(read(&tree, html).title.as_deref(), Some("Ten chains tested"));
    }

    #[test]
    fn reads_meta_tags_and_json_ld() {
        let html = r#"<html lang="lv"><head><title>T &amp; U - Site</title>
<meta property="og:site_name" content="Site"><meta name="author" content="Jane Roe">
<link rel="canonical" href="https://x.example/a">
<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-01-02","articleBody":"Body \"q\" text"}</script>
</head><body><h1>T &amp; U</h1></body></html>"#;
        let tree = crate::parse::parse(html, 1000).unwrap();
        let m = read(&tree, html);
        assert_eq!(m.title.as_deref(), Some("T & U"));
        assert_eq!(m.language.as_deref(), Some("lv"));
        assert_eq!(m.site_name.as_deref(), Some("Site"));
        assert_eq!(m.author.as_deref(), Some("Jane Roe"));
        assert_eq!(m.date.as_deref(), Some("2024-01-02"));
        assert_eq!(m.canonical_url.as_deref(), Some("https://x.example/a"));
        let (s, e, body) = m.article_body.unwrap();
        assert_eq!(body, "Body \"q\" text");
        assert_eq!(&html[s..e], r#"Body \"q\" text"#);
    }
}
