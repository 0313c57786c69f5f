//! The HTML file reader (`format = "html"`): a file (`.html`, `.htm`, `.xhtml`, optionally
//! `.gz`/`.zst`) is one page and one document.
//!
//! The document's text is the page decoded to UTF-8 and still markup (the `extract` stage
//! takes the main text out of it); its id is `path@0`, as for a text file; its `source`
//! covers the whole file after a byte order mark, with the transcoding edits of
//! [`super::encoding`] (none for a UTF-8 page), so every range of the text maps to the page's
//! original bytes. Metadata: `content_type` (`text/html`), `encoding` (the WHATWG name) and
//! `encoding_source` (`bom`, `meta`, `detected` or `default`). An empty or blank file is
//! dropped; a file over `max_document_bytes`, a read error, or a page declaring an encoding
//! that cannot be decoded safely fails.

use std::io::Read;

use serde_json::Value;

use super::encoding::decode_page;
use super::{InputSpec, ReadEvent, Rejected};
use crate::document::{Document, Source};

/// Reads one HTML page from `reader` (the file `name`, decompressed).
pub(crate) fn read_html(
    name: &str,
    reader: &mut dyn Read,
    spec: &InputSpec,
    emit: &mut dyn FnMut(ReadEvent),
    bytes_read: &dyn Fn(u64),
) {
    let whole = |reason: String, end: usize| Rejected {
        id: format!("{name}@0"),
        source: Source { path: name.to_owned(), start: 0, end, line: None, edits: Vec::new() },
        reason,
    };
    let bytes = match super::read_bounded(name, reader, spec.max_document_bytes, bytes_read) {
        Ok(b) => b,
        Err(why) => {
            emit(ReadEvent::Failed(whole(why, 0)));
            return;
        }
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        let reason = if bytes.is_empty() { "empty file" } else { "blank file" };
        emit(ReadEvent::Dropped(whole(reason.to_owned(), 0)));
        return;
    }
    let page = match decode_page(&bytes, None, None) {
        Ok(p) => p,
        Err(why) => {
            emit(ReadEvent::Failed(whole(format!("{name}: {why}"), bytes.len())));
            return;
        }
    };
    let mut doc = Document::from_source(format!("{name}@0"), page.text, name, page.bom);
    doc.source.end = bytes.len();
    doc.source.edits = page.edits;
    doc.metadata.insert("content_type".into(), Value::from("text/html"));
    doc.metadata.insert("encoding".into(), Value::from(page.encoding.name()));
    doc.metadata.insert("encoding_source".into(), Value::from(page.source.as_str()));
    emit(ReadEvent::Document(doc));
}

#[cfg(test)]
mod tests {
    use crate::align::{reconstruct_source, validate};
    use crate::document::Document;
    use crate::input::{InputFile, InputFormat, InputSpec, ReadEvent, Utf8Policy, read_file};

    fn read(name: &str, bytes: Vec<u8>, format: InputFormat) -> Vec<ReadEvent> {
        let spec = InputSpec { files: vec![], format, invalid_utf8: Utf8Policy::Lossy, max_document_bytes: 1 << 20 };
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        let mut out = Vec::new();
        read_file(&InputFile::Memory { name: name.to_owned(), bytes }, &spec, &mut |e| out.push(e), &|_| {}).unwrap();
        out
    }

    fn doc(ev: &[ReadEvent]) -> &Document {
        ev.iter().find_map(|e| if let ReadEvent::Document(d) = e { Some(d) } else { None }).unwrap()
    }

    fn exact(d: &Document, file: &[u8]) {
        d.check_invariants().unwrap();
        let src = &file[d.source.start..d.source.end];
        validate(&d.source.edits, d.text.len(), src.len()).unwrap();
        assert_eq!(reconstruct_source(d.text.as_bytes(), &d.source.edits, src).unwrap(), src);
    }

    #[test]
    fn pages_are_decoded_with_exact_edits() {
        let page =
            b"<html><head><meta charset=\"windows-1252\"><title>Caf\xe9</title></head><p>\x93Hi\x94</p>".to_vec();
        let ev = read("p.html", page.clone(), InputFormat::Auto);
        let d = doc(&ev);
        assert_eq!(d.id, "p.html@0");
        assert!(d.text.contains("<title>Café</title>") && d.text.contains("“Hi”"));
        assert_eq!(d.metadata["content_type"], "text/html");
        assert_eq!(d.metadata["encoding"], "windows-1252");
        assert_eq!(d.metadata["encoding_source"], "meta");
        exact(d, &page);
        let cafe = d.text.find("Café").unwrap();
        let (a, b) = d.source_range(cafe, cafe + "Café".len());
        assert_eq!(&page[a..b], b"Caf\xe9");
        // Shift_JIS without a declaration: detected.
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("<p>これは日本語のページです。東京の天気は晴れです。</p>");
        let ev = read("j.htm", sjis.to_vec(), InputFormat::Auto);
        let d = doc(&ev);
        assert_eq!(d.metadata["encoding"], "Shift_JIS");
        assert_eq!(d.metadata["encoding_source"], "detected");
        exact(d, &sjis);
        // UTF-16 with a byte order mark: the text starts after it.
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("<p>hé</p>".encode_utf16().flat_map(u16::to_le_bytes));
        let ev = read("u.xhtml", utf16.clone(), InputFormat::Auto);
        let d = doc(&ev);
        assert_eq!(d.text, "<p>hé</p>");
        assert_eq!((d.source.start, d.metadata["encoding_source"].as_str()), (2, Some("bom")));
        exact(d, &utf16);
        // UTF-8 needs no edit; gzip is transparent; an explicit format wins over the name.
        let ev = read("plain.txt", "<p>naïve</p>".into(), InputFormat::Html);
        assert!(doc(&ev).source.edits.is_empty());
        assert_eq!(doc(&ev).metadata["encoding"], "UTF-8");
        let ev = read("z.html.gz", docpipe_testkit::warc::gzip(b"<p>x</p>"), InputFormat::Auto);
        assert_eq!(doc(&ev).text, "<p>x</p>");
        assert!(
            matches!(&read("e.html", Vec::new(), InputFormat::Auto)[0], ReadEvent::Dropped(r) if r.reason == "empty file")
        );
        assert!(
            matches!(&read("k.html", b"<meta charset=iso-2022-kr>".to_vec(), InputFormat::Auto)[0], ReadEvent::Failed(r) if r.reason.starts_with("k.html: the page declares"))
        );
    }
}
