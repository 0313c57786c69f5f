//! Web input (issue 17): HTML pages and WARC archives read by the real binary. Documents
//! carry the encoding chosen and map back to the page's bytes; skipped WARC records are
//! counted by reason; broken records land in `failed.jsonl` with their `warc_offset` and the
//! run goes on; the output does not depend on the thread count; a sharded run over WARC
//! files gives the single run's output.

use std::path::Path;

use docpipe_testkit::warc::{WarcWriter, gzip, http_response};

use super::{docpipe_in, read_jsonl, s, stats};

const CONFIG: &str = "[input]\npaths = [\"input\"]\n\n[output]\ndir = \"out\"\n";

fn run(dir: &Path, extra: &[&str]) -> std::path::PathBuf {
    let out = dir.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let mut args = vec!["run", "p.toml", "-o", s(&out), "--no-progress", "-q"];
    args.extend_from_slice(extra);
    let o = docpipe_in(dir, &args, None);
    assert_eq!(o.code, 0, "{o:?}");
    out
}

/// The bytes `source.start..end` of a document's (decompressed) file.
fn source_bytes(dir: &Path, doc: &serde_json::Value, plain: &dyn Fn(&str) -> Vec<u8>) -> Vec<u8> {
    let path = doc["source"]["path"].as_str().unwrap();
    let file = plain(&dir.join(path).display().to_string());
    let (a, b) = (doc["source"]["start"].as_u64().unwrap() as usize, doc["source"]["end"].as_u64().unwrap() as usize);
    file[a..b].to_vec()
}

fn decompressed(path: &str) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&raw[..]), &mut out).unwrap();
        out
    } else {
        raw
    }
}

/// Each document's text and edits rebuild its source bytes exactly.
fn assert_exact(dir: &Path, docs: &[serde_json::Value]) {
    for d in docs {
        let src = source_bytes(dir, d, &decompressed);
        let text = d["text"].as_str().unwrap();
        let edits: Vec<docpipe_core::align::Edit> =
            serde_json::from_value(d["source"].get("edits").cloned().unwrap_or(serde_json::json!([]))).unwrap();
        docpipe_core::align::validate(&edits, text.len(), src.len()).unwrap();
        assert_eq!(docpipe_core::align::reconstruct_source(text.as_bytes(), &edits, &src).unwrap(), src, "{}", d["id"]);
    }
}

#[test]
fn html_files_in_with_their_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(dir.path().join("p.toml"), CONFIG).unwrap();
    std::fs::write(input.join("a.html"), "<!doctype html><title>Naïve</title><p>Plain UTF-8.</p>").unwrap();
    std::fs::write(input.join("b.htm"), b"<meta charset=windows-1252><p>Caf\xe9 \x93quoted\x94</p>").unwrap();
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("<p>これは日本語のページです。東京の天気は晴れです。</p>");
    std::fs::write(input.join("c.html.gz"), gzip(&sjis)).unwrap();
    std::fs::write(input.join("notes.md"), "not read").unwrap();
    let out = run(dir.path(), &[]);
    let docs = read_jsonl(&out.join("documents.jsonl"));
    let got: Vec<(&str, &str, &str)> = docs
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap(),
                d["metadata"]["encoding"].as_str().unwrap(),
                d["metadata"]["encoding_source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("input/a.html@0", "UTF-8", "detected"),
            ("input/b.htm@0", "windows-1252", "meta"),
            ("input/c.html.gz@0", "Shift_JIS", "detected")
        ]
    );
    assert_eq!(docs[1]["text"], "<meta charset=windows-1252><p>Café “quoted”</p>");
    assert_eq!(docs[0]["metadata"]["content_type"], "text/html");
    assert_exact(dir.path(), &docs);
    let st = stats(&out);
    assert_eq!((st.input.files, st.input.documents, st.input.failed), (3, 3, 0));
}

/// An archive with documents, records to skip and broken records in between (`corrupt`: and
/// a damaged gzip member).
fn archive(corrupt: bool) -> (Vec<u8>, Vec<u64>) {
    let mut w = WarcWriter::new(true);
    w.warcinfo("crawl.warc.gz");
    for i in 0..6 {
        let url = format!("https://news.example.com/story-{i}.html");
        w.request(&url);
        let body = format!(
            "<html><head><title>Story {i}</title></head><body><p>Story number {i} has words.</p></body></html>"
        );
        w.response(&url, &[("Content-Type", "text/html; charset=utf-8")], body.as_bytes());
        w.metadata(&url, "fetchTimeMs: 12\r\n");
    }
    w.response("https://news.example.com/logo.png", &[("Content-Type", "image/png")], b"\x89PNG\r\n");
    w.response_with_status("https://news.example.com/old", "301 Moved Permanently", &[("Location", "/new")], b"");
    // A wrong Content-Length, then a good page.
    let block = http_response("200 OK", &[("Content-Type", "text/html")], b"<p>lost</p>");
    let mut bad = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        block.len() + 40
    )
    .into_bytes();
    bad.extend_from_slice(&block);
    bad.extend_from_slice(b"\r\n\r\n");
    w.raw(&bad);
    w.response("https://news.example.com/after", &[("Content-Type", "text/html")], b"<p>after the bad one</p>");
    let offsets = w.offsets().to_vec();
    let mut bytes = w.finish();
    // A corrupt member: the third story's response.
    let (a, b) = (offsets[5] as usize, offsets[6] as usize);
    let mid = a + (b - a) / 2;
    if corrupt {
        for x in &mut bytes[mid..mid + 6] {
            *x ^= 0xA5;
        }
    }
    (bytes, offsets)
}

#[test]
fn warc_in_with_skips_failures_and_the_same_output_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(dir.path().join("p.toml"), CONFIG).unwrap();
    // Intact: every document maps back to its payload's bytes in the decompressed file.
    let (bytes, offsets) = archive(false);
    std::fs::write(input.join("crawl.warc.gz"), &bytes).unwrap();
    let out = run(dir.path(), &["-j", "1"]);
    let docs = read_jsonl(&out.join("documents.jsonl"));
    assert_eq!(docs.len(), 7);
    assert_exact(dir.path(), &docs);
    // With a damaged member.
    let (bytes, offsets2) = archive(true);
    assert_eq!(offsets, offsets2);
    std::fs::write(input.join("crawl.warc.gz"), &bytes).unwrap();
    let out = run(dir.path(), &["-j", "1"]);
    let docs = read_jsonl(&out.join("documents.jsonl"));
    let name = "input/crawl.warc.gz";
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let want: Vec<String> = [2usize, 8, 11, 14, 17, 22].iter().map(|&i| format!("{name}#{}", offsets[i])).collect();
    assert_eq!(ids, want);
    let d = &docs[0];
    assert_eq!(d["metadata"]["url"], "https://news.example.com/story-0.html");
    assert_eq!(d["metadata"]["warc_offset"], offsets[2]);
    assert_eq!(d["metadata"]["warc_length"], offsets[3] - offsets[2]);
    assert_eq!(d["metadata"]["http_status"], 200);
    assert_eq!(d["metadata"]["encoding_source"], "http");
    let failed = read_jsonl(&out.join("failed.jsonl"));
    let f: Vec<(&str, &str)> =
        failed.iter().map(|r| (r["id"].as_str().unwrap(), r["error"].as_str().unwrap())).collect();
    assert_eq!(f.len(), 2, "{f:?}");
    assert_eq!(f[0].0, format!("{name}#{}", offsets[5]));
    assert!(f[0].1.contains(&format!("warc_offset {}: gzip member", offsets[5])), "{f:?}");
    assert_eq!(f[1].0, format!("{name}#{}", offsets[21]));
    assert!(f[1].1.contains("Content-Length"), "{f:?}");
    let st = stats(&out);
    assert_eq!((st.input.files, st.input.documents, st.input.failed), (1, 6, 2));
    let dropped: Vec<(&str, u64)> = st.input.dropped.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        dropped,
        [("warc metadata", 6), ("warc non-html", 1), ("warc request", 6), ("warc status 3xx", 1), ("warc warcinfo", 1)]
    );
    let first = std::fs::read(out.join("documents.jsonl")).unwrap();
    let first_failed = std::fs::read(out.join("failed.jsonl")).unwrap();
    // Other thread counts, and batches of two documents.
    std::fs::write(dir.path().join("p.toml"), format!("{CONFIG}\n[run]\nbatch_size = 2\n")).unwrap();
    for j in ["2", "7"] {
        let out = run(dir.path(), &["-j", j]);
        assert!(std::fs::read(out.join("documents.jsonl")).unwrap() == first, "-j {j}");
        assert!(std::fs::read(out.join("failed.jsonl")).unwrap() == first_failed, "-j {j}");
    }
}

#[test]
fn sharded_runs_over_warc_files_merge_to_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        dir.path().join("w.toml"),
        "[input]\npaths = [\"input\"]\n\n[output]\ndir = \"out\"\n\n[[stage]]\ntype = \"dedupe\"\nlevel = \"document\"\nmethod = \"exact\"\n",
    )
    .unwrap();
    let (bytes, _) = archive(true);
    std::fs::write(input.join("a.warc.gz"), &bytes).unwrap();
    std::fs::write(input.join("b.warc.gz"), &bytes).unwrap();
    std::fs::write(input.join("c.html"), "<p>Story number 1 has words.</p>").unwrap();
    let mut plain = WarcWriter::new(false);
    plain.response("https://x.example/p", &[("Content-Type", "text/html")], b"<p>uncompressed</p>");
    std::fs::write(input.join("d.warc"), plain.finish()).unwrap();
    super::sharded::check_config(dir.path(), "w.toml", &[1, 2, 3]);
}

/// The bundled `tests/web/sample.warc.gz` is `cargo xtask gen-warc tests/web/pages` of the
/// pages as committed, and `config/web.toml` over it gives documents whose extracted,
/// normalised text and edits rebuild the exact page bytes inside the archive.
#[test]
fn bundled_web_sample_is_current_and_maps_back_to_the_pages() {
    let root = super::root();
    let pages_dir = root.join("tests/web/pages");
    let mut names: Vec<String> = std::fs::read_dir(&pages_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".html"))
        .collect();
    names.sort();
    let pages: Vec<(String, Vec<u8>)> =
        names.iter().map(|n| (n.clone(), std::fs::read(pages_dir.join(n)).unwrap())).collect();
    let bundled = std::fs::read(root.join("tests/web/sample.warc.gz")).unwrap();
    assert!(
        docpipe_testkit::warc::archive_of_pages("sample.warc.gz", &pages) == bundled,
        "tests/web/sample.warc.gz is stale: run `cargo xtask gen-warc tests/web/pages -o tests/web/sample.warc.gz`"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("web");
    let o = docpipe_in(&root, &["run", "config/web.toml", "-o", s(&out), "--no-progress", "-q"], None);
    assert_eq!(o.code, 0, "{o:?}");
    let docs = read_jsonl(&out.join("documents.jsonl"));
    // The home page and the 404 page have no main text; every other page is kept.
    assert_eq!(docs.len(), names.len() - 2, "{:?}", docs.iter().map(|d| &d["id"]).collect::<Vec<_>>());
    assert_exact(&root, &docs);
    for d in &docs {
        assert!(d["metadata"]["title"].as_str().is_some_and(|t| !t.is_empty()), "no title: {}", d["id"]);
        assert!(d["annotations"]["sentences"].as_array().is_some_and(|a| !a.is_empty()), "no sentences: {}", d["id"]);
        // No markup survives extraction.
        let text = d["text"].as_str().unwrap();
        assert!(!text.contains("</") && !text.contains("<p") && !text.contains("<div"), "markup left in {}", d["id"]);
    }
}
