//! Tag names as a small enum, and the facts about each that tree building, pruning and
//! rendering need (void, raw text, block, closes an open `<p>`).

/// A known tag, or `Other` (custom elements and anything not listed: compared by name).
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Tag {
    Other,
    A,
    Abbr,
    Address,
    Area,
    Article,
    Aside,
    Audio,
    B,
    Base,
    Blockquote,
    Body,
    Br,
    Button,
    Canvas,
    Caption,
    Center,
    Code,
    Col,
    Dd,
    Details,
    Dialog,
    Div,
    Dl,
    Dt,
    Em,
    Embed,
    Fieldset,
    Figcaption,
    Figure,
    Font,
    Footer,
    Form,
    H1,
    H2,
    H3,
    H4,
    H5,
    H6,
    Head,
    Header,
    Hr,
    Html,
    I,
    Iframe,
    Img,
    Input,
    Keygen,
    Label,
    Li,
    Link,
    Main,
    Math,
    Menu,
    Meta,
    Nav,
    Noembed,
    Noframes,
    Noscript,
    Object,
    Ol,
    Option,
    P,
    Param,
    Picture,
    Plaintext,
    Pre,
    Rp,
    Rt,
    Ruby,
    Script,
    Section,
    Select,
    Source,
    Span,
    Strong,
    Style,
    Summary,
    Svg,
    Table,
    Tbody,
    Td,
    Template,
    Textarea,
    Tfoot,
    Th,
    Thead,
    Time,
    Title,
    Tr,
    Track,
    Ul,
    Video,
    Wbr,
    Xmp,
}

impl Tag {
    /// Looks up a tag name (any case).
    pub fn from_name(name: &[u8]) -> Tag {
        let mut buf = [0u8; 12];
        if name.len() > buf.len() {
            return Tag::Other;
        }
        for (b, n) in buf.iter_mut().zip(name) {
            *b = n.to_ascii_lowercase();
        }
        match &buf[..name.len()] {
            b"a" => Tag::A,
            b"abbr" => Tag::Abbr,
            b"address" => Tag::Address,
            b"area" => Tag::Area,
            b"article" => Tag::Article,
            b"aside" => Tag::Aside,
            b"audio" => Tag::Audio,
            b"b" => Tag::B,
            b"base" => Tag::Base,
            b"blockquote" => Tag::Blockquote,
            b"body" => Tag::Body,
            b"br" => Tag::Br,
            b"button" => Tag::Button,
            b"canvas" => Tag::Canvas,
            b"caption" => Tag::Caption,
            b"center" => Tag::Center,
            b"code" => Tag::Code,
            b"col" => Tag::Col,
            b"dd" => Tag::Dd,
            b"details" => Tag::Details,
            b"dialog" => Tag::Dialog,
            b"div" => Tag::Div,
            b"dl" => Tag::Dl,
            b"dt" => Tag::Dt,
            b"em" => Tag::Em,
            b"embed" => Tag::Embed,
            b"fieldset" => Tag::Fieldset,
            b"figcaption" => Tag::Figcaption,
            b"figure" => Tag::Figure,
            b"font" => Tag::Font,
            b"footer" => Tag::Footer,
            b"form" => Tag::Form,
            b"h1" => Tag::H1,
            b"h2" => Tag::H2,
            b"h3" => Tag::H3,
            b"h4" => Tag::H4,
            b"h5" => Tag::H5,
            b"h6" => Tag::H6,
            b"head" => Tag::Head,
            b"header" => Tag::Header,
            b"hr" => Tag::Hr,
            b"html" => Tag::Html,
            b"i" => Tag::I,
            b"iframe" => Tag::Iframe,
            b"img" | b"image" => Tag::Img,
            b"input" => Tag::Input,
            b"keygen" => Tag::Keygen,
            b"label" => Tag::Label,
            b"li" => Tag::Li,
            b"link" => Tag::Link,
            b"main" => Tag::Main,
            b"math" => Tag::Math,
            b"menu" => Tag::Menu,
            b"meta" => Tag::Meta,
            b"nav" => Tag::Nav,
            b"noembed" => Tag::Noembed,
            b"noframes" => Tag::Noframes,
            b"noscript" => Tag::Noscript,
            b"object" => Tag::Object,
            b"ol" => Tag::Ol,
            b"option" => Tag::Option,
            b"p" => Tag::P,
            b"param" => Tag::Param,
            b"picture" => Tag::Picture,
            b"plaintext" => Tag::Plaintext,
            b"pre" | b"listing" => Tag::Pre,
            b"rp" => Tag::Rp,
            b"rt" => Tag::Rt,
            b"ruby" => Tag::Ruby,
            b"script" => Tag::Script,
            b"section" => Tag::Section,
            b"select" => Tag::Select,
            b"source" => Tag::Source,
            b"span" => Tag::Span,
            b"strong" => Tag::Strong,
            b"style" => Tag::Style,
            b"summary" => Tag::Summary,
            b"svg" => Tag::Svg,
            b"table" => Tag::Table,
            b"tbody" => Tag::Tbody,
            b"td" => Tag::Td,
            b"template" => Tag::Template,
            b"textarea" => Tag::Textarea,
            b"tfoot" => Tag::Tfoot,
            b"th" => Tag::Th,
            b"thead" => Tag::Thead,
            b"time" => Tag::Time,
            b"title" => Tag::Title,
            b"tr" => Tag::Tr,
            b"track" => Tag::Track,
            b"ul" => Tag::Ul,
            b"video" => Tag::Video,
            b"wbr" => Tag::Wbr,
            b"xmp" => Tag::Xmp,
            _ => Tag::Other,
        }
    }

    /// Elements that never have content or an end tag.
    pub fn is_void(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Area | Base | Br | Col | Embed | Hr | Img | Input | Keygen | Link | Meta | Param | Source | Track | Wbr
        )
    }

    /// Elements whose content is raw text up to the matching end tag (no tags, no references).
    pub fn is_raw_text(self) -> bool {
        use Tag::*;
        matches!(self, Script | Style | Xmp | Iframe | Noembed | Noframes | Noscript)
    }

    /// Elements whose content is text with references but no tags.
    pub fn is_rcdata(self) -> bool {
        matches!(self, Tag::Title | Tag::Textarea)
    }

    /// Block-level for rendering: entering or leaving one starts a new block.
    pub fn is_block(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Address
                | Article
                | Aside
                | Blockquote
                | Body
                | Caption
                | Center
                | Dd
                | Details
                | Dialog
                | Div
                | Dl
                | Dt
                | Fieldset
                | Figcaption
                | Figure
                | Footer
                | Form
                | H1
                | H2
                | H3
                | H4
                | H5
                | H6
                | Header
                | Hr
                | Html
                | Li
                | Main
                | Menu
                | Nav
                | Ol
                | P
                | Pre
                | Section
                | Summary
                | Table
                | Tbody
                | Tfoot
                | Thead
                | Tr
                | Ul
                | Plaintext
        )
    }

    /// Start tags that close an open `<p>`.
    pub fn closes_p(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Address
                | Article
                | Aside
                | Blockquote
                | Center
                | Details
                | Dialog
                | Div
                | Dl
                | Fieldset
                | Figcaption
                | Figure
                | Footer
                | Form
                | H1
                | H2
                | H3
                | H4
                | H5
                | H6
                | Header
                | Hr
                | Main
                | Menu
                | Nav
                | Ol
                | P
                | Pre
                | Section
                | Summary
                | Table
                | Ul
                | Li
                | Dd
                | Dt
                | Plaintext
                | Xmp
        )
    }

    /// Headings.
    pub fn is_heading(self) -> bool {
        matches!(self, Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6)
    }

    /// Elements allowed in `<head>`; any other start tag closes an open head.
    pub fn in_head(self) -> bool {
        use Tag::*;
        matches!(self, Base | Link | Meta | Title | Style | Script | Noscript | Template | Head | Html | Other)
    }

    /// Elements that bound the search for an open `p`, `li`, `dd`/`dt` or cell to close.
    pub fn is_scope_boundary(self) -> bool {
        use Tag::*;
        matches!(self, Table | Td | Th | Caption | Object | Html | Template | Button | Body)
    }
}
