//! `cargo xtask gen-warc PAGES_DIR -o OUT.warc.gz`: a WARC archive of a folder of pages, and
//! the synthetic crawl the `warc` bench row reads.
//!
//! Both write with the test support's WARC writer (`crates/testkit/src/warc.rs`, compiled into
//! the task runner as a module: xtask may not depend on the test-support crate): gzip per
//! record, record ids from a counter and fixed dates, so the same input always gives the same
//! bytes.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::gencorpus::Rng;
use crate::warc::WarcWriter;

/// `gen-warc` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// The folder whose `*.html` files become response records (sorted by name).
    pub pages: std::path::PathBuf,
    /// The archive to write (`.warc.gz`).
    #[arg(long, short = 'o')]
    pub out: std::path::PathBuf,
}

/// Writes a `warcinfo` record, then a `request` and a `response` record for every `*.html`
/// file of `o.pages` (URL `https://example.org/NAME`, `Content-Type: text/html`). Returns the
/// number of pages and the archive's size.
pub fn generate(o: &Options) -> Result<(usize, u64)> {
    let mut names: Vec<String> = std::fs::read_dir(&o.pages)
        .with_context(|| format!("cannot read {}", o.pages.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.to_ascii_lowercase().ends_with(".html"))
        .collect();
    names.sort();
    if names.is_empty() {
        bail!("{} holds no .html file", o.pages.display());
    }
    let mut pages = Vec::with_capacity(names.len());
    for n in names {
        let bytes = std::fs::read(o.pages.join(&n)).with_context(|| format!("cannot read {n}"))?;
        pages.push((n, bytes));
    }
    let filename = o.out.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let archive = crate::warc::archive_of_pages(&filename, &pages);
    if let Some(dir) = o.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&o.out, &archive).with_context(|| format!("cannot write {}", o.out.display()))?;
    Ok((pages.len(), archive.len() as u64))
}

const WORDS: &[&str] = &[
    "the",
    "council",
    "said",
    "on",
    "Tuesday",
    "that",
    "a",
    "new",
    "bridge",
    "would",
    "open",
    "in",
    "spring",
    "after",
    "years",
    "of",
    "delays",
    "residents",
    "welcomed",
    "news",
    "but",
    "some",
    "questioned",
    "cost",
    "minister",
    "announced",
    "plans",
    "for",
    "schools",
    "and",
    "hospitals",
    "across",
    "region",
    "report",
    "found",
    "prices",
    "rose",
    "sharply",
    "last",
    "month",
    "while",
    "wages",
    "stayed",
    "flat",
    "company",
    "shares",
    "fell",
    "market",
    "opened",
    "river",
    "city",
    "police",
    "investigation",
    "continues",
    "weather",
    "storm",
    "coast",
    "festival",
];

/// One synthetic news page of about `target` bytes: navigation, an article of paragraphs, a
/// related-links list, a footer and an inline script.
fn page(rng: &mut Rng, i: u64, target: usize) -> String {
    let mut p = String::with_capacity(target + 1024);
    p.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    p.push_str(&format!("<title>Story {i} | Example News</title>"));
    p.push_str("<script>window.dataLayer=[];function t(){return 1}</script></head><body>");
    p.push_str("<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/world\">World</a></li><li><a href=\"/sport\">Sport</a></li></ul></nav>");
    p.push_str(&format!("<article><h1>Story number {i}</h1><p class=\"byline\">By A. Writer</p>"));
    while p.len() < target {
        p.push_str("<p>");
        let n = 30 + rng.below(60);
        for k in 0..n {
            if k > 0 {
                p.push(' ');
            }
            let w = *rng.pick(WORDS);
            if rng.below(40) == 0 {
                p.push_str("<b>");
                p.push_str(w);
                p.push_str("</b>");
            } else {
                p.push_str(w);
            }
        }
        p.push_str(".</p>\n");
    }
    p.push_str("</article><aside><h2>Related</h2><ul><li><a href=\"/a\">Another story</a></li></ul></aside>");
    p.push_str("<footer>&copy; Example News</footer></body></html>");
    p
}

/// Writes a synthetic crawl of at least `bytes` bytes of records (decompressed) to `path`:
/// a `warcinfo` record, then per page a `request`, a `response` (UTF-8 pages, every tenth one
/// windows-1252 declared in the HTTP header) and a `metadata` record, and an image response
/// every 25 pages. Written as it is made: memory stays small whatever the size.
pub fn synthetic(path: &Path, bytes: u64, seed: u64) -> Result<(u64, u64)> {
    let file = std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let mut w = WarcWriter::new(true);
    let mut rng = Rng(seed);
    let mut plain = 0u64;
    let mut pages = 0u64;
    w.warcinfo(&path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());
    out.write_all(&w.drain())?;
    while plain < bytes {
        let i = pages;
        let url = format!("https://news.example.com/{}/story-{i}.html", 2020 + i % 6);
        w.request(&url);
        let size = 4_000 + rng.below(40_000);
        let html = page(&mut rng, i, size);
        if i % 10 == 9 {
            let latin = html.replace("said", "d\u{e9}clar\u{e9}");
            let body: Vec<u8> = latin.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
            w.response(&url, &[("Content-Type", "text/html; charset=windows-1252")], &body);
            plain += body.len() as u64;
        } else {
            w.response(&url, &[("Content-Type", "text/html; charset=utf-8")], html.as_bytes());
            plain += html.len() as u64;
        }
        w.metadata(&url, "fetchTimeMs: 120\r\n");
        if i % 25 == 24 {
            w.response(
                &format!("https://news.example.com/img/{i}.png"),
                &[("Content-Type", "image/png")],
                &[0x89; 3000],
            );
        }
        pages += 1;
        out.write_all(&w.drain())?;
    }
    out.flush()?;
    Ok((pages, plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_pages_give_the_same_archive() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let pages = dir.path().join("pages");
        std::fs::create_dir_all(&pages).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(pages.join("b.html"), "<p>b</p>").unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(pages.join("a.html"), "<p>a</p>").unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(pages.join("notes.txt"), "no").unwrap_or_else(|e| panic!("{e}"));
        let o = Options { pages: pages.clone(), out: dir.path().join("x/s.warc.gz") };
        assert_eq!(generate(&o).unwrap_or_else(|e| panic!("{e}")).0, 2);
        let first = std::fs::read(&o.out).unwrap_or_else(|e| panic!("{e}"));
        generate(&o).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read(&o.out).unwrap_or_else(|e| panic!("{e}")), first);
        let s = dir.path().join("syn.warc.gz");
        let (pages, plain) = synthetic(&s, 200_000, 7).unwrap_or_else(|e| panic!("{e}"));
        assert!(pages > 3 && plain >= 200_000);
    }
}
