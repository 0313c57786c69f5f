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
    /// JSON-LD `articleBody`: the string literal's span (quotes excluded) and its value.
    pub article_body: Option<(usize, usize, String)>,
}

/// Decodes references and collapses ASCII whitespace (an ideographic space stays: it separates
/// a headline from the site name in CJK titles).
fn clean(s: &str) -> Option<String> {
    let t = decode_all(s);
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
const SEPARATORS: &[&str] =
    &[" | ", " -- ", " - ", " — ", " – ", " :: ", " » ", " · ", " • ", "\u{3000}", " / ", " ｜ "];

fn segments(t: &str) -> Vec<&str> {
    let mut parts = vec![t];
    for sep in SEPARATORS {
        parts = parts.iter().flat_map(|p| p.split(sep)).map(str::trim).filter(|p| !p.is_empty()).collect();
    }
    parts
}

/// Picks the title from `<title>`, `og:title` and the first `<h1>`.
pub fn choose_title(title: Option<&str>, og: Option<&str>, h1: Option<&str>) -> Option<String> {
    let Some(t) = title else { return og.or(h1).map(str::to_owned) };
    let parts = segments(t);
    if parts.len() <= 1 {
        return Some(t.to_owned());
    }
    for other in [og, h1].into_iter().flatten() {
        if parts.contains(&other) {
            return Some(other.to_owned());
        }
        if let Some(first) = segments(other).first()
            && parts.contains(first)
            && first.chars().count() >= 10
        {
            return Some((*first).to_owned());
        }
    }
    let first = parts[0];
    if first.chars().count() >= 15 {
        return Some(first.to_owned());
    }
    parts.iter().max_by_key(|p| p.chars().count()).map(|p| (*p).to_owned())
}

fn text_of(tree: &Tree, html: &str, id: u32) -> String {
    let mut out = String::new();
    let mut stack = vec![id];
    let mut order = Vec::new();
    while let Some(n) = stack.pop() {
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
            Tag::H1 if h1.is_none() => h1 = clean(&text_of(tree, html, id)),
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
    m.title = choose_title(title.as_deref(), og_title.as_deref(), h1.as_deref());
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
