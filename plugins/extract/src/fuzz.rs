//! The property the `extract` fuzz target checks (`fuzz/fuzz_targets/extract.rs`), here so
//! that a stable unit test replays tricky inputs too: on any bytes (read as UTF-8, lossily)
//! extraction never panics, and when it keeps the page its edits are valid, rebuild the page
//! exactly, its block spans lie on the text's char boundaries, and every character of the
//! output comes from page bytes that are not markup-free only by accident (each non-space
//! character maps to a non-empty source range).

use docpipe_core::align::{Alignment, reconstruct_source, validate};

use crate::{ExtractOptions, Focus, extract};

/// Runs extraction on `data` with a few option sets and checks the alignment properties.
pub fn check(data: &[u8]) {
    let html = String::from_utf8_lossy(data);
    let small = ExtractOptions { max_nodes: 5_000, ..ExtractOptions::default() };
    let recall = ExtractOptions {
        focus: Focus::Recall,
        tables: false,
        links: true,
        min_text_chars: 0,
        ..ExtractOptions::default()
    };
    for options in [ExtractOptions::default(), small, recall] {
        let Ok(x) = extract(&html, &options) else { continue };
        let r = &x.rendered;
        if let Err(e) = validate(&r.edits, r.text.len(), html.len()) {
            panic!("invalid edits: {e}");
        }
        let back = reconstruct_source(r.text.as_bytes(), &r.edits, html.as_bytes());
        assert_eq!(back.as_deref(), Some(html.as_bytes()), "the page does not rebuild from the text and edits");
        for span in r.blocks.iter().chain(&r.links) {
            assert!(span.start < span.end && span.end <= r.text.len(), "span out of the text");
            assert!(
                r.text.is_char_boundary(span.start) && r.text.is_char_boundary(span.end),
                "span inside a character"
            );
        }
        let align = Alignment::new(&r.edits);
        for (i, c) in r.text.char_indices() {
            if !c.is_whitespace() {
                let (s, e) = align.source_range(i, i + c.len_utf8());
                assert!(s < e && e <= html.len(), "{c:?} at {i} maps to {s}..{e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tricky_inputs_hold_the_properties() {
        for input in [
            "",
            "<",
            "&",
            "<p>&#x110000;&#0;&#128;&amp&notit;&</p>",
            "<html><body><p>a<p>b</table></td></tr><div><li>c</html></body>",
            "<script>never closed",
            "<p>x<!-- never closed",
            "<div class=\"a\u{0}b\"><p>\u{0}\r\n\r</p>",
            "<svg><p>in svg</p><title>t</title></svg><math><mi>x</mi></math><p>after</p>",
            "<template><p>hidden</p></template><plaintext><p>shown & raw",
            "<p>one<br><br>two<br/>three</p><pre>  keep\n  this </pre>",
            "<table><tr><td>a<td>b<tr><td>c</table>",
        ] {
            super::check(input.as_bytes());
        }
        let deep = "<div>".repeat(50_000) + "<p>deep text here</p>" + &"</div>".repeat(10);
        super::check(deep.as_bytes());
        let wide = "<p>x</p>".repeat(20_000);
        super::check(wide.as_bytes());
    }
}
