//! A small WARC/1.1 writer for tests, benches and fixtures: `warcinfo`, `request`, `response`
//! (with an HTTP head) and `metadata` records, each its own gzip member (what crawlers write)
//! or uncompressed. Record ids and dates are derived from a counter and a fixed date, so the
//! same calls always give the same bytes.
//!
//! ```
//! use docpipe_testkit::warc::WarcWriter;
//! let mut w = WarcWriter::new(true);
//! w.warcinfo("example.warc.gz");
//! w.request("https://example.org/a.html");
//! w.response("https://example.org/a.html", &[("Content-Type", "text/html; charset=utf-8")], b"<p>Hi</p>");
//! let bytes = w.finish();
//! assert_eq!(&bytes[..2], b"\x1f\x8b");
//! ```

use std::io::Write as _;

/// The date every record carries (plus one second per record).
const EPOCH: (u32, u32, u32) = (2026, 1, 1);

/// Builds a WARC file in memory.
#[derive(Debug, Clone)]
pub struct WarcWriter {
    out: Vec<u8>,
    /// Bytes already handed out by [`WarcWriter::drain`].
    base: u64,
    gzip: bool,
    count: u64,
    /// Offsets (in `out`) where each record starts.
    offsets: Vec<u64>,
}

impl WarcWriter {
    /// An empty archive; `gzip`: one gzip member per record.
    pub fn new(gzip: bool) -> Self {
        WarcWriter { out: Vec::new(), base: 0, gzip, count: 0, offsets: Vec::new() }
    }

    /// The `WARC-Record-ID` the next record gets.
    pub fn next_id(&self) -> String {
        format!("<urn:uuid:00000000-0000-4000-8000-{:012x}>", self.count + 1)
    }

    /// The `WARC-Date` the next record gets.
    pub fn next_date(&self) -> String {
        let s = self.count;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            EPOCH.0,
            EPOCH.1,
            EPOCH.2,
            (s / 3600) % 24,
            (s / 60) % 60,
            s % 60
        )
    }

    /// Appends one record: `fields` after the standard ones (`WARC-Type`, `WARC-Record-ID`,
    /// `WARC-Date`, `WARC-Target-URI` when `url` is given), then `Content-Type` when given,
    /// `Content-Length` and the block. Returns the record's offset in the file.
    pub fn record(
        &mut self,
        warc_type: &str,
        url: Option<&str>,
        content_type: Option<&str>,
        fields: &[(&str, &str)],
        block: &[u8],
    ) -> u64 {
        let mut rec = Vec::with_capacity(block.len() + 512);
        rec.extend_from_slice(b"WARC/1.1\r\n");
        let mut field = |k: &str, v: &str| {
            rec.extend_from_slice(k.as_bytes());
            rec.extend_from_slice(b": ");
            rec.extend_from_slice(v.as_bytes());
            rec.extend_from_slice(b"\r\n");
        };
        field("WARC-Type", warc_type);
        field("WARC-Record-ID", &self.next_id());
        field("WARC-Date", &self.next_date());
        if let Some(u) = url {
            field("WARC-Target-URI", u);
        }
        for (k, v) in fields {
            field(k, v);
        }
        if let Some(ct) = content_type {
            field("Content-Type", ct);
        }
        field("Content-Length", &block.len().to_string());
        rec.extend_from_slice(b"\r\n");
        rec.extend_from_slice(block);
        rec.extend_from_slice(b"\r\n\r\n");
        self.raw(&rec)
    }

    /// Appends bytes as they are (gzipped as one member when the archive is gzipped): for
    /// hand-made and broken records. Returns their offset.
    pub fn raw(&mut self, bytes: &[u8]) -> u64 {
        let at = self.base + self.out.len() as u64;
        if self.gzip {
            self.out.extend_from_slice(&gzip(bytes));
        } else {
            self.out.extend_from_slice(bytes);
        }
        self.count += 1;
        self.offsets.push(at);
        at
    }

    /// A `warcinfo` record naming the file.
    pub fn warcinfo(&mut self, filename: &str) -> u64 {
        let info = "software: docpipe-testkit\r\nformat: WARC File Format 1.1\r\n";
        self.record("warcinfo", None, Some("application/warc-fields"), &[("WARC-Filename", filename)], info.as_bytes())
    }

    /// A `request` record: `GET` of `url`.
    pub fn request(&mut self, url: &str) -> u64 {
        let (host, path) = split_url(url);
        let block =
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: docpipe-testkit\r\nAccept: */*\r\n\r\n");
        self.record("request", Some(url), Some("application/http; msgtype=request"), &[], block.as_bytes())
    }

    /// A `response` record: `HTTP/1.1 200 OK`, `headers` (a `Content-Length` is added), the body.
    pub fn response(&mut self, url: &str, headers: &[(&str, &str)], body: &[u8]) -> u64 {
        self.response_with_status(url, "200 OK", headers, body)
    }

    /// A `response` record with another status (`"404 Not Found"`).
    pub fn response_with_status(&mut self, url: &str, status: &str, headers: &[(&str, &str)], body: &[u8]) -> u64 {
        let block = http_response(status, headers, body);
        self.record("response", Some(url), Some("application/http; msgtype=response"), &[], &block)
    }

    /// A `metadata` record about `url`.
    pub fn metadata(&mut self, url: &str, text: &str) -> u64 {
        self.record("metadata", Some(url), Some("application/warc-fields"), &[], text.as_bytes())
    }

    /// Offsets of every record written so far, in order.
    pub fn offsets(&self) -> &[u64] {
        &self.offsets
    }

    /// Takes the bytes written since the last drain (to write a large archive to a file as
    /// it is made); offsets go on counting from where the file is.
    pub fn drain(&mut self) -> Vec<u8> {
        self.base += self.out.len() as u64;
        std::mem::take(&mut self.out)
    }

    /// The bytes so far (since the last drain).
    pub fn bytes(&self) -> &[u8] {
        &self.out
    }

    /// The archive.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// An HTTP/1.1 response: status line, `headers`, `Content-Length`, blank line, body.
pub fn http_response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n").into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// `bytes` as one gzip member.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

fn split_url(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    }
}

/// An archive of pages (`(name, bytes)`, in the order given): a `warcinfo` record, then for
/// each page a `request` and a `response` record for `https://example.org/NAME` (served as
/// `text/html`, no charset: the page's own `<meta>` or the detector decides), gzip per
/// record. The same pages always give the same bytes.
pub fn archive_of_pages(filename: &str, pages: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = WarcWriter::new(true);
    w.warcinfo(filename);
    for (name, body) in pages {
        let url = format!("https://example.org/{name}");
        w.request(&url);
        w.response(&url, &[("Content-Type", "text/html"), ("Server", "docpipe-testkit")], body);
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_deterministic_and_gzipped_one_by_one() {
        let pages = vec![("a.html".to_owned(), b"<p>a</p>".to_vec()), ("b.html".to_owned(), b"<p>b</p>".to_vec())];
        let one = archive_of_pages("x.warc.gz", &pages);
        assert_eq!(one, archive_of_pages("x.warc.gz", &pages));
        let mut w = WarcWriter::new(false);
        w.warcinfo("x.warc");
        let at = w.response("https://example.org/a", &[], b"hi");
        let text = String::from_utf8(w.finish()).unwrap_or_default();
        assert!(text[at as usize..].starts_with("WARC/1.1\r\nWARC-Type: response\r\n"), "{text}");
        assert!(text.ends_with("Content-Length: 2\r\n\r\nhi\r\n\r\n"), "{text}");
    }
}
