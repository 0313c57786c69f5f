//! The sample corpus (`tests/corpus/*.txt`, the news-like dumps the shipped configs read),
//! loaded the one way every bench uses: the `.txt` files in name order, so a bench measures
//! the same bytes on every machine.

use std::path::PathBuf;

/// `tests/corpus` of the workspace.
pub fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus"))
}

/// The text of every `.txt` file of the sample corpus, in file-name order. A file that
/// cannot be read is left out (benches measure what there is; tests assert on content).
pub fn texts() -> Vec<String> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir())
        .map(|d| {
            d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect()
        })
        .unwrap_or_default();
    names.sort();
    names.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

/// Every `.txt` file of the sample corpus, concatenated (no separator).
pub fn text() -> String {
    texts().concat()
}

/// The corpus's non-blank lines grouped twelve at a time, about an article's size each (the
/// documents of the per-document benches).
pub fn articles() -> Vec<String> {
    let text = text();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines.chunks(12).map(|c| c.join("\n")).collect()
}

/// `tests/corpus/articles.jsonl` repeated `copies` times as JSONL, each record's `id` made
/// `<id>-<k>` for copy `k` (so an ordered stage sees `copies` × the articles, most of them
/// duplicates of earlier ones under fresh ids). Panics if the file is missing or not JSONL:
/// a bench that cannot set itself up has nothing to measure.
#[allow(clippy::expect_used)]
pub fn repeated_articles_jsonl(copies: usize) -> String {
    let src = std::fs::read_to_string(dir().join("articles.jsonl")).expect("tests/corpus/articles.jsonl");
    let mut out = String::new();
    for k in 0..copies {
        for line in src.lines().filter(|l| !l.trim().is_empty()) {
            let mut v: serde_json::Value = serde_json::from_str(line).expect("a JSON record");
            let id = format!("{}-{k}", v["id"].as_str().unwrap_or("doc"));
            v["id"] = id.into();
            out.push_str(&v.to_string());
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_corpus_loads() {
        let texts = texts();
        assert!(!texts.is_empty(), "no .txt files in {}", dir().display());
        assert_eq!(text().len(), texts.iter().map(String::len).sum::<usize>());
        let articles = articles();
        assert!(articles.iter().all(|a| a.lines().count() <= 12 && !a.is_empty()));
    }
}
