//! HTML to an arena tree, keeping byte spans: a small tokenizer in the spirit of the WHATWG
//! one (tags with quoted attributes, comments, bogus comments, raw-text and RCDATA bodies
//! skipped with `memchr`, `<plaintext>`) and a tree builder that is forgiving rather than
//! browser-exact: void elements, implied ends (`p` closed by a block, `li`, `dd`/`dt`, `tr`,
//! cells, `option`, headings), stray end tags ignored, a `<head>` closed by body content, a
//! depth cap (deeper start tags add no nodes, so 100k nested `div`s cost no stack) and a node
//! cap (the page is refused as too large).
//!
//! Nodes live in one `Vec` in document order (a parent always comes before its children), so
//! bottom-up sums are one reverse loop and nothing recurses. A node keeps spans into the page,
//! never copies of it; attributes are parsed from the start tag's span when asked for.

use crate::tags::Tag;

/// No node.
pub const NONE: u32 = u32::MAX;

/// Depth past which start tags add no nodes.
pub const MAX_DEPTH: usize = 256;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An element; `start..end` is its start tag, `name` its tag name.
    Element,
    /// Text with character references.
    Text,
    /// Text of `<title>`/`<textarea>` (references decoded, no tags).
    RcData,
    /// Raw text (`script`, `style`, …): never rendered.
    Raw,
    /// `<plaintext>` content: rendered verbatim, no references.
    Plain,
}

/// One node of the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// What it is.
    pub kind: Kind,
    /// Its tag (elements; `Other` for text).
    pub tag: Tag,
    /// Parent (`NONE` for the roots).
    pub parent: u32,
    /// First child.
    pub first_child: u32,
    /// Last child.
    pub last_child: u32,
    /// Next sibling.
    pub next: u32,
    /// Start of the start tag (elements) or of the text.
    pub start: usize,
    /// End of the start tag (elements) or of the text.
    pub end: usize,
    /// Tag name span (elements), for `Other` tags and attribute parsing.
    pub name_end: usize,
}

/// The parsed page.
#[derive(Debug, Default)]
pub struct Tree {
    /// All nodes in document order.
    pub nodes: Vec<Node>,
}

/// Why a page could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// More nodes than allowed.
    TooManyNodes,
}

/// One attribute: name and value spans (value `None` when absent).
#[derive(Debug, Clone, Copy)]
pub struct Attr {
    /// Name span.
    pub name: (usize, usize),
    /// Value span (inside the quotes).
    pub value: Option<(usize, usize)>,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0C)
}

/// Parses the attributes of a tag from `from` (just past the name); calls `f` for each and
/// returns the offset just past the closing `>` (or `None` at end of input) and whether the
/// tag was self-closing.
pub fn parse_attrs(html: &[u8], from: usize, mut f: impl FnMut(Attr)) -> Option<(usize, bool)> {
    let mut i = from;
    let n = html.len();
    loop {
        while i < n && (is_ws(html[i]) || html[i] == b'/') {
            i += 1;
        }
        if i >= n {
            return None;
        }
        if html[i] == b'>' {
            return Some((i + 1, i > from && html[i - 1] == b'/'));
        }
        let name_start = i;
        i += 1; // the first character may be `=`
        while i < n && !is_ws(html[i]) && !matches!(html[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = (name_start, i);
        let mut j = i;
        while j < n && is_ws(html[j]) {
            j += 1;
        }
        if j < n && html[j] == b'=' {
            j += 1;
            while j < n && is_ws(html[j]) {
                j += 1;
            }
            if j >= n {
                return None;
            }
            let q = html[j];
            if q == b'"' || q == b'\'' {
                let close = memchr::memchr(q, &html[j + 1..])?;
                f(Attr { name, value: Some((j + 1, j + 1 + close)) });
                i = j + 2 + close;
            } else {
                let vs = j;
                while j < n && !is_ws(html[j]) && html[j] != b'>' {
                    j += 1;
                }
                f(Attr { name, value: Some((vs, j)) });
                i = j;
            }
        } else {
            f(Attr { name, value: None });
        }
    }
}

/// Case-insensitive ASCII search for `</name` followed by whitespace, `/` or `>`; returns the
/// position of `<`.
fn find_end_tag(html: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(off) = memchr::memchr(b'<', &html[i..]) {
        let at = i + off;
        let after = at + 2 + name.len();
        if html.get(at + 1) == Some(&b'/')
            && after <= html.len()
            && html[at + 2..after].eq_ignore_ascii_case(name)
            && html.get(after).is_none_or(|&b| is_ws(b) || b == b'/' || b == b'>')
        {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

struct Builder {
    nodes: Vec<Node>,
    stack: Vec<u32>,
    /// Start tags swallowed past the depth cap, still waiting for an end tag.
    overflow: usize,
    foreign: usize,
    max_nodes: usize,
    last_root: u32,
}

impl Builder {
    fn current(&self) -> u32 {
        self.stack.last().copied().unwrap_or(NONE)
    }

    fn add(&mut self, node: Node) -> Result<u32, ParseError> {
        if self.nodes.len() >= self.max_nodes {
            return Err(ParseError::TooManyNodes);
        }
        let id = self.nodes.len() as u32;
        let parent = node.parent;
        self.nodes.push(node);
        if parent != NONE {
            let p = &mut self.nodes[parent as usize];
            if p.first_child == NONE {
                p.first_child = id;
            } else {
                let last = p.last_child;
                p.last_child = id;
                self.nodes[last as usize].next = id;
                return Ok(id);
            }
            p.last_child = id;
        } else {
            // Top-level siblings: chain to the previous root.
            if self.last_root != NONE {
                self.nodes[self.last_root as usize].next = id;
            }
            self.last_root = id;
        }
        Ok(id)
    }

    fn text(&mut self, kind: Kind, start: usize, end: usize) -> Result<(), ParseError> {
        if start >= end {
            return Ok(());
        }
        let parent = self.current();
        // Adjacent text (after a swallowed tag) extends the last text child.
        if parent != NONE {
            let last = self.nodes[parent as usize].last_child;
            if last != NONE {
                let l = &mut self.nodes[last as usize];
                if l.kind == kind && l.end == start {
                    l.end = end;
                    return Ok(());
                }
            }
        }
        self.add(Node {
            kind,
            tag: Tag::Other,
            parent,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            start,
            end,
            name_end: start,
        })?;
        Ok(())
    }

    fn tag_of(&self, id: u32) -> Tag {
        self.nodes[id as usize].tag
    }

    fn same_name(&self, html: &[u8], id: u32, name: (usize, usize)) -> bool {
        let n = &self.nodes[id as usize];
        html[n.start + 1..n.name_end].eq_ignore_ascii_case(&html[name.0..name.1])
    }

    /// Pops up to and including the nearest open element matching `pred`, not searching past
    /// a scope boundary. Returns whether one was found.
    fn close_in_scope(&mut self, pred: impl Fn(Tag) -> bool, boundary: impl Fn(Tag) -> bool) -> bool {
        for k in (0..self.stack.len()).rev() {
            let t = self.tag_of(self.stack[k]);
            if pred(t) {
                self.stack.truncate(k);
                return true;
            }
            if boundary(t) {
                return false;
            }
        }
        false
    }

    fn start_tag(
        &mut self,
        tag: Tag,
        start: usize,
        name_end: usize,
        end: usize,
        self_closing: bool,
    ) -> Result<bool, ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            if !(tag.is_void() || (self_closing && self.foreign > 0)) {
                self.overflow += 1;
            }
            return Ok(false);
        }
        if self.foreign == 0 {
            if !tag.in_head() {
                self.close_in_scope(|t| t == Tag::Head, |_| false);
            }
            if tag.closes_p() {
                self.close_in_scope(|t| t == Tag::P, Tag::is_scope_boundary);
            }
            match tag {
                Tag::Li => {
                    self.close_in_scope(|t| t == Tag::Li, |t| t.is_scope_boundary() || matches!(t, Tag::Ul | Tag::Ol));
                }
                Tag::Dd | Tag::Dt => {
                    self.close_in_scope(|t| matches!(t, Tag::Dd | Tag::Dt), |t| t.is_scope_boundary() || t == Tag::Dl);
                }
                Tag::Tr => {
                    self.close_in_scope(|t| t == Tag::Tr, |t| t == Tag::Table || t == Tag::Html);
                }
                Tag::Td | Tag::Th => {
                    self.close_in_scope(
                        |t| matches!(t, Tag::Td | Tag::Th),
                        |t| matches!(t, Tag::Tr | Tag::Table | Tag::Html),
                    );
                }
                Tag::Option => {
                    self.close_in_scope(|t| t == Tag::Option, |t| t != Tag::Option);
                }
                Tag::Rt | Tag::Rp => {
                    // A ruby annotation ends at the next one (`<rt>ka<rt>na` is two).
                    self.close_in_scope(|t| matches!(t, Tag::Rt | Tag::Rp), |t| !matches!(t, Tag::Rt | Tag::Rp));
                }
                Tag::A => {
                    self.close_in_scope(|t| t == Tag::A, Tag::is_scope_boundary);
                }
                t if t.is_heading() && self.stack.last().is_some_and(|&c| self.tag_of(c).is_heading()) => {
                    self.stack.pop();
                }
                _ => {}
            }
        }
        let id = self.add(Node {
            kind: Kind::Element,
            tag,
            parent: self.current(),
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            start,
            end,
            name_end,
        })?;
        let leaf = tag.is_void() || (self_closing && self.foreign > 0);
        if !leaf {
            self.stack.push(id);
            if matches!(tag, Tag::Svg | Tag::Math) {
                self.foreign += 1;
            }
        }
        Ok(!leaf)
    }

    fn end_tag(&mut self, html: &[u8], tag: Tag, name: (usize, usize)) {
        if self.overflow > 0 {
            self.overflow -= 1;
            return;
        }
        for k in (0..self.stack.len()).rev() {
            let id = self.stack[k];
            let t = self.tag_of(id);
            if t == tag && (tag != Tag::Other || self.same_name(html, id, name)) {
                let popped_foreign =
                    self.stack[k..].iter().filter(|&&s| matches!(self.tag_of(s), Tag::Svg | Tag::Math)).count();
                self.foreign = self.foreign.saturating_sub(popped_foreign);
                self.stack.truncate(k);
                return;
            }
            // An end tag never closes a table, cell or foreign root it is not for.
            if self.foreign == 0 && matches!(t, Tag::Table | Tag::Td | Tag::Th | Tag::Template) && tag != Tag::Other {
                return;
            }
        }
    }
}

/// Parses `html` into a tree of at most `max_nodes` nodes.
pub fn parse(html: &str, max_nodes: usize) -> Result<Tree, ParseError> {
    let bytes = html.as_bytes();
    let n = bytes.len();
    let mut b = Builder {
        nodes: Vec::with_capacity(n / 40),
        stack: Vec::new(),
        overflow: 0,
        foreign: 0,
        max_nodes,
        last_root: NONE,
    };
    let mut i = 0;
    let mut text_start = 0;
    while i < n {
        let Some(off) = memchr::memchr(b'<', &bytes[i..]) else { break };
        let lt = i + off;
        let next = bytes.get(lt + 1).copied().unwrap_or(0);
        if next.is_ascii_alphabetic() {
            let mut j = lt + 1;
            while j < n && !is_ws(bytes[j]) && bytes[j] != b'/' && bytes[j] != b'>' {
                j += 1;
            }
            let name_end = j;
            let Some((end, self_closing)) = parse_attrs(bytes, j, |_| {}) else {
                // A tag cut off by the end of the page: the rest is markup.
                b.text(Kind::Text, text_start, lt)?;
                text_start = n;
                break;
            };
            b.text(Kind::Text, text_start, lt)?;
            let tag = Tag::from_name(&bytes[lt + 1..name_end]);
            let opened = b.start_tag(tag, lt, name_end, end, self_closing)?;
            i = end;
            text_start = end;
            if b.foreign == 0 && (opened || b.stack.len() >= MAX_DEPTH) {
                let kind = if tag.is_raw_text() {
                    Some(Kind::Raw)
                } else if tag.is_rcdata() {
                    Some(Kind::RcData)
                } else if tag == Tag::Plaintext {
                    b.text(Kind::Plain, end, n)?;
                    text_start = n;
                    i = n;
                    None
                } else {
                    None
                };
                if let Some(kind) = kind {
                    let name = &bytes[lt + 1..name_end];
                    let close = find_end_tag(bytes, end, name).unwrap_or(n);
                    if opened {
                        b.text(kind, end, close)?;
                    }
                    i = close;
                    text_start = close;
                }
            }
        } else if next == b'/' {
            let c = bytes.get(lt + 2).copied().unwrap_or(0);
            if c.is_ascii_alphabetic() {
                let mut j = lt + 2;
                while j < n && !is_ws(bytes[j]) && bytes[j] != b'/' && bytes[j] != b'>' {
                    j += 1;
                }
                let Some((end, _)) = parse_attrs(bytes, j, |_| {}) else {
                    b.text(Kind::Text, text_start, lt)?;
                    text_start = n;
                    break;
                };
                b.text(Kind::Text, text_start, lt)?;
                let tag = Tag::from_name(&bytes[lt + 2..j]);
                if tag == Tag::Br {
                    b.start_tag(Tag::Br, lt, j, end, false)?;
                } else if tag == Tag::P && !b.stack.iter().any(|&s| b.tag_of(s) == Tag::P) {
                    // `</p>` without an open p is an empty paragraph: a block break.
                    b.start_tag(Tag::Hr, lt, j, end, false)?;
                } else {
                    b.end_tag(bytes, tag, (lt + 2, j));
                }
                i = end;
                text_start = end;
            } else {
                // `</>` is nothing; `</` + anything else is a bogus comment.
                b.text(Kind::Text, text_start, lt)?;
                let end = if c == b'>' { lt + 3 } else { memchr::memchr(b'>', &bytes[lt..]).map_or(n, |o| lt + o + 1) };
                i = end;
                text_start = end;
            }
        } else if next == b'!' || next == b'?' {
            b.text(Kind::Text, text_start, lt)?;
            let end = if bytes[lt..].starts_with(b"<!--") {
                let body = lt + 4;
                if bytes[body..].starts_with(b">") {
                    body + 1
                } else if bytes[body..].starts_with(b"->") {
                    body + 2
                } else {
                    let mut k = body;
                    loop {
                        match memchr::memchr(b'-', &bytes[k..]) {
                            None => break n,
                            Some(o) => {
                                let d = k + o;
                                if bytes[d..].starts_with(b"-->") {
                                    break d + 3;
                                }
                                if bytes[d..].starts_with(b"--!>") {
                                    break d + 4;
                                }
                                k = d + 1;
                            }
                        }
                    }
                }
            } else {
                memchr::memchr(b'>', &bytes[lt..]).map_or(n, |o| lt + o + 1)
            };
            i = end;
            text_start = end;
        } else {
            // A literal `<`.
            i = lt + 1;
        }
    }
    b.text(Kind::Text, text_start, n)?;
    Ok(Tree { nodes: b.nodes })
}

impl Tree {
    /// Calls `f` for each attribute of element `id`.
    pub fn attrs(&self, html: &[u8], id: u32, f: impl FnMut(Attr)) {
        let node = &self.nodes[id as usize];
        if node.kind == Kind::Element {
            let _ = parse_attrs(html, node.name_end, f);
        }
    }

    /// The value of attribute `name` (ASCII case-insensitive) of element `id`, raw.
    pub fn attr<'h>(&self, html: &'h str, id: u32, name: &str) -> Option<&'h str> {
        let mut found = None;
        self.attrs(html.as_bytes(), id, |a| {
            if found.is_none() && html.as_bytes()[a.name.0..a.name.1].eq_ignore_ascii_case(name.as_bytes()) {
                found = Some(a.value.map_or("", |(s, e)| html.get(s..e).unwrap_or("")));
            }
        });
        found
    }

    /// Whether `id` is a ruby annotation (`<rt>`, `<rp>` inside a `<ruby>`): a reading over
    /// the base text, not text. Outside a `<ruby>` browsers show them as plain inline text.
    pub fn is_ruby_annotation(&self, id: u32) -> bool {
        let node = &self.nodes[id as usize];
        if node.kind != Kind::Element || !matches!(node.tag, Tag::Rt | Tag::Rp) {
            return false;
        }
        let mut cur = node.parent;
        while cur != NONE {
            if self.nodes[cur as usize].tag == Tag::Ruby {
                return true;
            }
            cur = self.nodes[cur as usize].parent;
        }
        false
    }

    /// The children of `id`.
    pub fn children(&self, id: u32) -> Children<'_> {
        Children { tree: self, next: self.nodes[id as usize].first_child }
    }
}

/// Iterator over a node's children.
#[derive(Debug)]
pub struct Children<'a> {
    tree: &'a Tree,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self.tree.nodes[id as usize].next;
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An S-expression of the tree, for assertions.
    fn show(html: &str) -> String {
        let tree = parse(html, 1_000_000).unwrap();
        let mut out = String::new();
        fn walk(t: &Tree, html: &str, id: u32, out: &mut String) {
            let n = &t.nodes[id as usize];
            match n.kind {
                Kind::Element => {
                    out.push('(');
                    out.push_str(&html[n.start + 1..n.name_end].to_ascii_lowercase());
                    for c in t.children(id) {
                        out.push(' ');
                        walk(t, html, c, out);
                    }
                    out.push(')');
                }
                _ => {
                    out.push('"');
                    out.push_str(&html[n.start..n.end]);
                    out.push('"');
                }
            }
        }
        let mut root = if tree.nodes.is_empty() { NONE } else { 0 };
        while root != NONE {
            if !out.is_empty() {
                out.push(' ');
            }
            walk(&tree, html, root, &mut out);
            root = tree.nodes[root as usize].next;
        }
        out
    }

    #[test]
    fn implied_ends_and_void_elements() {
        assert_eq!(show("<div><p>a<p>b<div>c</div></div>"), r#"(div (p "a") (p "b") (div "c"))"#);
        assert_eq!(show("<ul><li>a<li>b</ul>"), r#"(ul (li "a") (li "b"))"#);
        assert_eq!(show("<p>a<br>b<img src=x>c</p>"), r#"(p "a" (br) "b" (img) "c")"#);
        assert_eq!(show("<table><tr><td>a<td>b<tr><td>c</table>"), r#"(table (tr (td "a") (td "b")) (tr (td "c")))"#);
    }

    #[test]
    fn stray_end_tags_are_ignored() {
        assert_eq!(show("<div>a</span></div>b</div>"), r#"(div "a") "b""#);
        assert_eq!(show("x</p>y"), r#""x" (/p) "y""#);
    }

    #[test]
    fn raw_text_comments_and_attributes() {
        assert_eq!(show("<script>if (a<b) '</scr' + 'ipt>'</script>x"), r#"(script "if (a<b) '</scr' + 'ipt>'") "x""#);
        assert_eq!(show(r#"<a title="x>y" href='q'>t</a>"#), r#"(a "t")"#);
        assert_eq!(show("a<!-- <p>b</p> -->c<!-->d<!x>e"), r#""a" "c" "d" "e""#);
        assert_eq!(show("<title>a<b>c</title>"), r#"(title "a<b>c")"#);
        assert_eq!(show("a < b <3"), r#""a < b <3""#);
    }

    #[test]
    fn plaintext_template_svg() {
        assert_eq!(show("<p>a<plaintext>x</p><b>"), r#"(p "a") (plaintext "x</p><b>")"#);
        assert_eq!(show("<template><p>x</p></template>y"), r#"(template (p "x")) "y""#);
        assert_eq!(show("<svg><path/><title>t</title></svg>z"), r#"(svg (path) (title "t")) "z""#);
    }

    #[test]
    fn deep_nesting_is_capped() {
        let html = "<div>".repeat(100_000) + "deep" + &"</div>".repeat(100_000) + "after";
        let tree = parse(&html, 1_000_000).unwrap();
        assert!(tree.nodes.len() < 300);
        let texts: Vec<&str> =
            tree.nodes.iter().filter(|n| n.kind == Kind::Text).map(|n| &html[n.start..n.end]).collect();
        assert_eq!(texts, ["deep", "after"]);
    }

    #[test]
    fn node_cap_refuses() {
        let html = "<b>x</b>".repeat(1000);
        assert_eq!(parse(&html, 100).unwrap_err(), ParseError::TooManyNodes);
    }

    #[test]
    fn unterminated_tag_at_end() {
        assert_eq!(show("a<div class=\"x"), r#""a""#);
    }
}
