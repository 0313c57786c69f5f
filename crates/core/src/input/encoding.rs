//! The character encoding of an HTML page, chosen as the WHATWG HTML standard says, and the
//! page decoded to UTF-8 with edits that map every character back to its original bytes.
//!
//! The choice, in order (the first that gives an encoding wins, [`EncodingSource`] records
//! which): a byte order mark (UTF-8, UTF-16LE, UTF-16BE); the `charset` of the HTTP
//! `Content-Type`; a `<meta charset>` or `<meta http-equiv="content-type">` found by the
//! standard's prescan of the first 1,024 bytes (a UTF-16 label found there means UTF-8,
//! `x-user-defined` means windows-1252); Firefox's detector (`chardetng`, told the URL's
//! top-level domain); windows-1252 for a page that is plain ASCII. A label that names no
//! encoding is ignored; a label of the `replacement` encoding (`iso-2022-kr`, `hz-gb-2312`…)
//! fails the page, since decoding it would give one U+FFFD. A page declared UTF-8 that is not
//! valid UTF-8 stays UTF-8 (malformed bytes becoming U+FFFD) when its valid multi-byte
//! characters are at least four times its malformed sequences, else goes to the detector (UTF-8
//! excluded), with a warning.
//!
//! Decoding keeps provenance exact ([`crate::align`]): for an ASCII-compatible encoding, ASCII
//! runs are copied verbatim; every other character is one edit from the bytes that produced
//! it to its UTF-8 form (its boundaries found by feeding the decoder one byte at a time), so
//! `reconstruct_source(text, edits, bytes)` gives the page's bytes back. Valid UTF-8 needs no
//! edit at all. Malformed sequences become U+FFFD, each an edit covering its bytes.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::align::Edit;

/// Where the encoding of a page came from (metadata `encoding_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    /// A byte order mark.
    Bom,
    /// The `charset` parameter of the HTTP `Content-Type`.
    Http,
    /// A `<meta>` tag in the first 1,024 bytes.
    Meta,
    /// Guessed by `chardetng`.
    Detected,
    /// Nothing declared and nothing to detect (plain ASCII): windows-1252.
    Default,
}

impl EncodingSource {
    /// The metadata value: `bom`, `http`, `meta`, `detected` or `default`.
    pub fn as_str(self) -> &'static str {
        match self {
            EncodingSource::Bom => "bom",
            EncodingSource::Http => "http",
            EncodingSource::Meta => "meta",
            EncodingSource::Detected => "detected",
            EncodingSource::Default => "default",
        }
    }
}

/// A page decoded to UTF-8.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedPage {
    /// The text (still markup).
    pub text: String,
    /// Bytes of a byte order mark at the start, not part of the text: the text's source
    /// starts after them.
    pub bom: usize,
    /// Edits from the text to the bytes after the byte order mark (sorted, disjoint).
    pub edits: Vec<Edit>,
    /// The encoding used (its WHATWG name is `encoding.name()`).
    pub encoding: &'static Encoding,
    /// Where the choice came from.
    pub source: EncodingSource,
    /// U+FFFD characters that stand for malformed bytes.
    pub replacements: usize,
}

/// Chooses the encoding of `bytes` (see the module documentation) and decodes them. `charset`
/// is the HTTP `Content-Type` charset label, if any; `url` the page's address (its top-level
/// domain helps the detector). Fails only for a label of the `replacement` encoding.
pub fn decode_page(bytes: &[u8], charset: Option<&str>, url: Option<&str>) -> Result<DecodedPage, String> {
    let (encoding, source, bom) = choose(bytes, charset, url)?;
    let body = &bytes[bom..];
    let (text, edits, replacements) = decode_with_edits(body, encoding);
    Ok(DecodedPage { text, bom, edits, encoding, source, replacements })
}

/// The encoding, where it came from, and the length of a byte order mark to skip.
fn choose(
    bytes: &[u8],
    charset: Option<&str>,
    url: Option<&str>,
) -> Result<(&'static Encoding, EncodingSource, usize), String> {
    if let Some((enc, len)) = Encoding::for_bom(bytes) {
        return Ok((enc, EncodingSource::Bom, len));
    }
    let declared = match charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())) {
        Some(enc) => Some((enc, EncodingSource::Http)),
        None => prescan(&bytes[..bytes.len().min(1024)]).map(|e| (e, EncodingSource::Meta)),
    };
    if let Some((enc, src)) = declared {
        if enc == encoding_rs::REPLACEMENT {
            let label = charset.unwrap_or("in a <meta> tag");
            return Err(format!("the page declares an encoding that cannot be decoded safely ({label})"));
        }
        if enc != UTF_8 || mostly_utf8(bytes) {
            return Ok((enc, src, 0));
        }
        tracing::warn!(declared = src.as_str(), "the page is declared UTF-8 but is not: encoding detected");
        return Ok((detect(bytes, url, chardetng::Utf8Detection::Deny), EncodingSource::Detected, 0));
    }
    if bytes.is_ascii() {
        return Ok((WINDOWS_1252, EncodingSource::Default, 0));
    }
    Ok((detect(bytes, url, chardetng::Utf8Detection::Allow), EncodingSource::Detected, 0))
}

/// Whether UTF-8 explains the page's non-ASCII bytes: valid, or its multi-byte characters are
/// at least four times its malformed sequences. A UTF-8 page with a stray Latin-1
/// byte in a comment or an `alt` (common in real pages) stays UTF-8, the stray byte becoming
/// U+FFFD as in a browser; a page of Latin-1 or Shift_JIS mislabelled UTF-8 has almost no valid
/// multi-byte characters and goes to the detector.
fn mostly_utf8(bytes: &[u8]) -> bool {
    if std::str::from_utf8(bytes).is_ok() {
        return true;
    }
    let (mut valid, mut malformed) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        malformed += usize::from(!chunk.invalid().is_empty());
    }
    valid >= malformed.saturating_mul(4) && valid > 0
}

fn detect(bytes: &[u8], url: Option<&str>, utf8: chardetng::Utf8Detection) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let tld = url.and_then(tld_of);
    det.guess(tld.as_deref().map(str::as_bytes), utf8)
}

/// The last label of a URL's host, lower-cased, when it is plain ASCII letters, digits or
/// hyphens (what `chardetng` accepts).
fn tld_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if host.starts_with('[') { return None } else { host.split(':').next()? };
    let tld = host.trim_end_matches('.').rsplit('.').next()?.to_ascii_lowercase();
    (!tld.is_empty() && tld.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')).then_some(tld)
}

/// The `charset` parameter of a `Content-Type` value (`text/html; charset="utf-8"`).
pub fn charset_param(content_type: &str) -> Option<&str> {
    for param in content_type.split(';').skip(1) {
        let (k, v) = param.split_once('=')?;
        if k.trim().eq_ignore_ascii_case("charset") {
            let v = v.trim().trim_matches(['"', '\'']).trim();
            return (!v.is_empty()).then_some(v);
        }
    }
    None
}

/// Decodes `bytes` with `encoding`, recording edits (see the module documentation). Returns
/// the text, its edits and the number of U+FFFD characters that stand for malformed bytes.
pub fn decode_with_edits(bytes: &[u8], encoding: &'static Encoding) -> (String, Vec<Edit>, usize) {
    if encoding == UTF_8
        && let Ok(s) = std::str::from_utf8(bytes)
    {
        return (s.to_owned(), Vec::new(), 0);
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let ascii_ok = encoding.is_ascii_compatible() && encoding != UTF_16LE && encoding != UTF_16BE;
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut edits = Vec::new();
    let mut replacements = 0usize;
    // Bytes fed since the last output: `pending..i`.
    let mut pending = 0usize;
    let mut i = 0usize;
    let mut push = |text: &mut String, before: usize, src_start: usize, src_end: usize, edits: &mut Vec<Edit>| {
        let produced = &text[before..];
        if produced.as_bytes() != &bytes[src_start..src_end] {
            // Not verbatim (a decoded character, U+FFFD, or output of bytes fed earlier).
            replacements += produced.matches('\u{FFFD}').count();
            edits.push(Edit { text_start: before, text_end: text.len(), src_start, src_end });
        }
    };
    while i < bytes.len() {
        if ascii_ok && bytes[i].is_ascii() {
            // An ASCII run goes through the decoder whole (fast); it is verbatim unless the
            // decoder was in the middle of a character, then the output is one edit.
            let run = bytes[i..].iter().position(|b| !b.is_ascii()).map_or(bytes.len(), |p| i + p);
            let before = text.len();
            text.reserve(decoder.max_utf8_buffer_length(run - i).unwrap_or(run - i + 16));
            let (_, _, _) = decoder.decode_to_string(&bytes[i..run], &mut text, false);
            push(&mut text, before, pending, run, &mut edits);
            i = run;
            pending = i;
            continue;
        }
        let before = text.len();
        text.reserve(decoder.max_utf8_buffer_length(1).unwrap_or(16));
        let (_, _, _) = decoder.decode_to_string(&bytes[i..i + 1], &mut text, false);
        i += 1;
        if text.len() > before {
            push(&mut text, before, pending, i, &mut edits);
            pending = i;
        }
    }
    let before = text.len();
    text.reserve(decoder.max_utf8_buffer_length(0).unwrap_or(16));
    let (_, _, _) = decoder.decode_to_string(&[], &mut text, true);
    if text.len() > before || pending < bytes.len() {
        if text.len() == before && pending < bytes.len() {
            // Bytes that made nothing (cannot happen with a replacing decoder, but keep the
            // edit list exact whatever it does).
            edits.push(Edit { text_start: before, text_end: before, src_start: pending, src_end: bytes.len() });
        } else {
            push(&mut text, before, pending, bytes.len(), &mut edits);
        }
    }
    (text, edits, replacements)
}

/// The WHATWG "prescan a byte stream to determine its encoding" over `head` (the first 1,024
/// bytes): the encoding of the first `<meta>` that declares one.
pub fn prescan(head: &[u8]) -> Option<&'static Encoding> {
    let mut i = 0usize;
    let n = head.len();
    while i < n {
        if head[i..].starts_with(b"<!--") {
            i = find(head, i + 2, b"-->").map_or(n, |p| p + 3);
            continue;
        }
        if head[i] == b'<'
            && i + 5 < n
            && head[i + 1..i + 5].eq_ignore_ascii_case(b"meta")
            && is_space_or_slash(head[i + 5])
        {
            i += 5;
            let mut got_pragma = false;
            let mut need_pragma: Option<bool> = None;
            let mut charset: Option<&'static Encoding> = None;
            let mut seen: Vec<Vec<u8>> = Vec::new();
            while let Some((name, value, next)) = attribute(head, i) {
                i = next;
                if seen.contains(&name) {
                    continue;
                }
                seen.push(name.clone());
                match name.as_slice() {
                    b"http-equiv" => got_pragma |= value.eq_ignore_ascii_case(b"content-type"),
                    b"content" if charset.is_none() => {
                        if let Some(enc) = charset_in_content(&value) {
                            charset = Some(enc);
                            need_pragma = Some(true);
                        }
                    }
                    b"charset" => {
                        charset = Encoding::for_label(&value);
                        need_pragma = Some(false);
                    }
                    _ => {}
                }
            }
            let Some(need) = need_pragma else { continue };
            if need && !got_pragma {
                continue;
            }
            let Some(mut enc) = charset else { continue };
            if enc == UTF_16BE || enc == UTF_16LE {
                enc = UTF_8;
            }
            if enc == encoding_rs::X_USER_DEFINED {
                enc = WINDOWS_1252;
            }
            return Some(enc);
        }
        if head[i] == b'<'
            && i + 2 < n
            && (head[i + 1].is_ascii_alphabetic() || (head[i + 1] == b'/' && head[i + 2].is_ascii_alphabetic()))
        {
            // Another tag: skip its name and attributes.
            i += 1;
            while i < n && !is_space_or_slash(head[i]) && head[i] != b'>' {
                i += 1;
            }
            while let Some((_, _, next)) = attribute(head, i) {
                i = next;
            }
            continue;
        }
        if head[i] == b'<' && i + 1 < n && matches!(head[i + 1], b'!' | b'/' | b'?') {
            i = head[i..].iter().position(|&b| b == b'>').map_or(n, |p| i + p + 1);
            continue;
        }
        i += 1;
    }
    None
}

fn is_space_or_slash(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/')
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| from + p)
}

/// The standard's "get an attribute" at `i`: the lower-cased name, the lower-cased value and
/// the position after it; `None` at `>` or the end.
fn attribute(head: &[u8], mut i: usize) -> Option<(Vec<u8>, Vec<u8>, usize)> {
    let n = head.len();
    while i < n && is_space_or_slash(head[i]) {
        i += 1;
    }
    if i >= n || head[i] == b'>' {
        return None;
    }
    let mut name = Vec::new();
    let mut value = Vec::new();
    loop {
        if i >= n {
            return None;
        }
        match head[i] {
            b'=' if !name.is_empty() => {
                i += 1;
                break;
            }
            b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' => {
                while i < n && matches!(head[i], b'\t' | b'\n' | b'\x0C' | b'\r' | b' ') {
                    i += 1;
                }
                if i < n && head[i] == b'=' {
                    i += 1;
                    break;
                }
                return Some((name, value, i));
            }
            b'/' | b'>' => return Some((name, value, i)),
            b => name.push(b.to_ascii_lowercase()),
        }
        i += 1;
    }
    while i < n && matches!(head[i], b'\t' | b'\n' | b'\x0C' | b'\r' | b' ') {
        i += 1;
    }
    if i >= n {
        return None;
    }
    if matches!(head[i], b'"' | b'\'') {
        let q = head[i];
        i += 1;
        while i < n && head[i] != q {
            value.push(head[i].to_ascii_lowercase());
            i += 1;
        }
        if i >= n {
            return None;
        }
        return Some((name, value, i + 1));
    }
    if head[i] == b'>' {
        return Some((name, value, i));
    }
    while i < n && !matches!(head[i], b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'>') {
        value.push(head[i].to_ascii_lowercase());
        i += 1;
    }
    if i >= n {
        return None;
    }
    Some((name, value, i))
}

/// The standard's "extract a character encoding from a meta element" (`text/html;
/// charset=Shift_JIS`).
fn charset_in_content(content: &[u8]) -> Option<&'static Encoding> {
    let mut i = 0usize;
    loop {
        let p = find(content, i, b"charset")?;
        let mut j = p + 7;
        while j < content.len() && content[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= content.len() || content[j] != b'=' {
            i = p + 7;
            continue;
        }
        j += 1;
        while j < content.len() && content[j].is_ascii_whitespace() {
            j += 1;
        }
        let rest = &content[j..];
        return match rest.first() {
            Some(&q @ (b'"' | b'\'')) => {
                let end = rest[1..].iter().position(|&b| b == q)?;
                Encoding::for_label(&rest[1..1 + end])
            }
            Some(_) => {
                let end = rest.iter().position(|&b| b.is_ascii_whitespace() || b == b';').unwrap_or(rest.len());
                Encoding::for_label(&rest[..end])
            }
            None => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::{reconstruct_source, validate};

    fn roundtrip(bytes: &[u8], enc: &'static Encoding) -> String {
        let (text, edits, _) = decode_with_edits(bytes, enc);
        validate(&edits, text.len(), bytes.len()).unwrap();
        assert_eq!(reconstruct_source(text.as_bytes(), &edits, bytes).unwrap(), bytes);
        let (expected, _) = enc.decode_without_bom_handling(bytes);
        assert_eq!(text, expected);
        text
    }

    #[test]
    fn legacy_encodings_map_each_character_to_its_bytes() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("<p>日本語 text</p>");
        let (text, edits, _) = decode_with_edits(&bytes, encoding_rs::SHIFT_JIS);
        assert_eq!(text, "<p>日本語 text</p>");
        assert_eq!(edits.len(), 3);
        let start = text.find('本').unwrap();
        let (a, b) = crate::align::Alignment::new(&edits).source_range(start, start + '本'.len_utf8());
        assert_eq!(&bytes[a..b], &encoding_rs::SHIFT_JIS.encode("本").0[..]);
        roundtrip(b"caf\xe9 \x93quoted\x94", WINDOWS_1252);
        roundtrip(b"bad \x82 trail\x81", encoding_rs::SHIFT_JIS);
        roundtrip(b"\x81\x30\x81\x30 gb18030 \x81", encoding_rs::GB18030);
        roundtrip(&[0x3C, 0, 0x70, 0, 0x3E, 0, 0x3D, 0xD8, 0x00, 0xDE, 0x41], UTF_16LE);
        roundtrip(b"ok \xff\xfe ok \xe2\x82", UTF_8);
    }

    #[test]
    fn the_choice_follows_the_standard() {
        let pick = |b: &[u8], cs: Option<&str>| {
            let d = decode_page(b, cs, Some("https://www.example.jp/x")).unwrap();
            (d.encoding.name(), d.source.as_str(), d.bom)
        };
        assert_eq!(pick(b"\xEF\xBB\xBF<meta charset=latin1>x", Some("shift_jis")), ("UTF-8", "bom", 3));
        assert_eq!(pick(b"\xFF\xFE<\0", None), ("UTF-16LE", "bom", 2));
        assert_eq!(pick(b"<meta charset=utf-8>caf\xe9", Some("iso-8859-1")), ("windows-1252", "http", 0));
        assert_eq!(pick(b"<meta charset=shift_jis>x", Some("bogus")), ("Shift_JIS", "meta", 0));
        assert_eq!(
            pick(
                b"<!-- <meta charset=big5> --><meta http-equiv=Content-Type content='text/html; charset=euc-kr'>",
                None
            ),
            ("EUC-KR", "meta", 0)
        );
        // content= without http-equiv does not count; a UTF-16 label in meta means UTF-8.
        assert_eq!(pick(b"<meta content='text/html; charset=euc-kr'>x", None), ("windows-1252", "default", 0));
        assert_eq!(pick(b"<meta charset=\"utf-16le\">x", None), ("UTF-8", "meta", 0));
        assert_eq!(pick(b"<meta charset=x-user-defined>x", None), ("windows-1252", "meta", 0));
        // Past 1,024 bytes the meta is not seen.
        let mut late = vec![b' '; 1100];
        late.extend_from_slice(b"<meta charset=shift_jis>");
        assert_eq!(pick(&late, None), ("windows-1252", "default", 0));
        // Declared UTF-8 that is not: detection.
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("<p>これは日本語の文章です。日本語の文章です。</p>");
        let mut page = b"<meta charset=utf-8>".to_vec();
        page.extend_from_slice(&sjis);
        assert_eq!(pick(&page, None), ("Shift_JIS", "detected", 0));
        assert_eq!(pick(&sjis, None), ("Shift_JIS", "detected", 0));
        // Declared UTF-8 with a stray Latin-1 byte among many UTF-8 characters: still UTF-8.
        let mut stray = "<meta charset=utf-8><p>Grüße aus Köln, schöne Tage, süße Äpfel</p><!-- M".as_bytes().to_vec();
        stray.extend_from_slice(b"\xe4scot -->");
        assert_eq!(pick(&stray, None), ("UTF-8", "meta", 0));
        let d = decode_page(&stray, None, None).unwrap();
        assert!(d.text.contains("Grüße aus Köln") && d.replacements == 1, "{}", d.text);
        // Latin-1 text mislabelled UTF-8: no valid multi-byte character, so the detector.
        let (latin, _, _) = WINDOWS_1252.encode("<p>Grüße aus Köln, schöne Tage, süße Äpfel und Öl für alle Räder</p>");
        let mut page = b"<meta charset=utf-8>".to_vec();
        page.extend_from_slice(&latin);
        let d = decode_page(&page, None, Some("https://www.example.de/x")).unwrap();
        assert_eq!((d.encoding.name(), d.source.as_str()), ("windows-1252", "detected"));
        // The boundary: four valid characters per malformed sequence stay UTF-8, three do not.
        assert!(mostly_utf8("éèêë".as_bytes().iter().chain(b"\xff").copied().collect::<Vec<u8>>().as_slice()));
        assert!(!mostly_utf8("éèê".as_bytes().iter().chain(b"\xff").copied().collect::<Vec<u8>>().as_slice()));
        assert_eq!(pick("<p>héllo wörld</p>".as_bytes(), None), ("UTF-8", "detected", 0));
        assert!(decode_page(b"<meta charset=iso-2022-kr>x", None, None).unwrap_err().contains("cannot be decoded"));
        assert!(decode_page(b"x", Some("hz-gb-2312"), None).is_err());
    }

    #[test]
    fn charset_params_and_tlds() {
        assert_eq!(charset_param("text/html; charset=\"UTF-8\""), Some("UTF-8"));
        assert_eq!(charset_param("text/html;charset=shift_jis;q=1"), Some("shift_jis"));
        assert_eq!(charset_param("text/html"), None);
        assert_eq!(tld_of("https://user@www.Example.CO.JP:8080/a?b").as_deref(), Some("jp"));
        assert_eq!(tld_of("http://[::1]/").as_deref(), None);
        assert_eq!(tld_of("http://bücher.de/").as_deref(), Some("de"));
        assert_eq!(tld_of("http://xn--bcher-kva.xn--p1ai/").as_deref(), Some("xn--p1ai"));
        assert_eq!(tld_of("http://例え.テスト/"), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Any page in any of these encodings, malformed bytes included, decodes to what
        /// encoding_rs gives and its edits rebuild the exact bytes.
        #[test]
        fn edits_rebuild_the_page(
            text in "[a-zé日本語中文한국어\u{201C}\u{201D}<>&; \n\u{1F600}]{0,60}",
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..6),
            which in 0usize..7,
        ) {
            let enc = [WINDOWS_1252, encoding_rs::SHIFT_JIS, encoding_rs::GBK, encoding_rs::EUC_KR, UTF_16LE, UTF_16BE, UTF_8][which];
            let mut bytes = if enc == UTF_16LE || enc == UTF_16BE {
                text.encode_utf16().flat_map(|u| if enc == UTF_16LE { u.to_le_bytes() } else { u.to_be_bytes() }).collect()
            } else {
                enc.encode(&text).0.into_owned()
            };
            let at = bytes.len() / 2;
            for (k, b) in noise.iter().enumerate() {
                bytes.insert((at + k).min(bytes.len()), *b);
            }
            roundtrip(&bytes, enc);
            let page = decode_page(&bytes, Some(enc.name()), None).unwrap();
            validate(&page.edits, page.text.len(), bytes.len() - page.bom).unwrap();
            proptest::prop_assert_eq!(reconstruct_source(page.text.as_bytes(), &page.edits, &bytes[page.bom..]).unwrap(), &bytes[page.bom..]);
        }
    }
}
