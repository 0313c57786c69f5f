//! The HTML report in a real browser (issue 8): renders a report in headless Chromium and
//! checks, from the DOM the page built, that its script ran without errors, that entity
//! highlights and summary highlights are present, and that the label, entity and text
//! filters select the right documents. Saves a screenshot to `target/export-report.png`.
//!
//! Needs `chromium` (Debian package) on PATH. Without it the test says so and passes,
//! unless `DOCPIPE_REQUIRE_BROWSER=1` (set it in CI) makes a missing browser a failure.

// Tests unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use docpipe_core::stats::{RunStats, StageStats};
use docpipe_core::{Stage, StageOptions};
// Named so the linker keeps the crate and its registration.
use docpipe_export as _;

fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn chromium(bin: &Path, profile: &Path, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn attr(dom: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let i = dom.find(&key)? + key.len();
    Some(dom[i..i + dom[i..].find('"')?].to_owned())
}

#[test]
fn report_renders_and_filters_in_chromium() {
    let Some(bin) = browser() else {
        assert!(
            std::env::var_os("DOCPIPE_REQUIRE_BROWSER").is_none(),
            "DOCPIPE_REQUIRE_BROWSER is set but no chromium"
        );
        eprintln!("skipped: no chromium on PATH");
        return;
    };
    assert!(!docpipe_export::CSV_COLUMNS.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let docs: Vec<_> = (0..45).map(common::rich_doc).collect();
    let opts = StageOptions::parse_snippet("path = \"report.html\"\npage_size = 20\n", dir.path()).unwrap();
    let Ok(Stage::Sink(mut sink)) = (docpipe_core::registry::find("export").unwrap().build)(&opts) else {
        panic!("export did not build")
    };
    sink.begin().unwrap();
    for d in &docs {
        sink.write(d).unwrap();
    }
    let stats = RunStats {
        stages: vec![StageStats {
            name: "export".into(),
            type_name: "export".into(),
            docs_in: 45,
            kept: 45,
            docs_out: 45,
            ..Default::default()
        }],
        ..Default::default()
    };
    sink.finish(&stats).unwrap();
    let url = format!("file://{}", dir.path().join("report.html").display());
    let profile = tempfile::tempdir().unwrap();

    let dom = chromium(&bin, profile.path(), &["--dump-dom", &url]);
    assert_eq!(attr(&dom, "data-ready").as_deref(), Some("1"), "the page script did not finish");
    assert!(attr(&dom, "data-errors").is_none(), "errors on the page: {dom}");
    assert_eq!(attr(&dom, "data-shown").as_deref(), Some("20"), "first page");
    // (`--c:#` excludes the markup inside the page script itself.)
    assert_eq!(dom.matches("<mark class=\"ent\" style=\"--c:#").count(), 20 * 8, "entity highlights");
    assert!(dom.contains("title=\"Amina Wairimu Odhiambo · PERSON · person:odhiambo\""), "canonical name on hover");
    assert!(dom.contains("<span class=\"sum\">"), "summary highlights");
    assert!(dom.contains("duplicate of <a href=\"#doc="), "duplicate links");

    // Filters, set through the URL hash as a user's click would set them.
    let count = |hash: &str| {
        let d = chromium(&bin, profile.path(), &["--dump-dom", &format!("{url}#{hash}")]);
        assert!(attr(&d, "data-errors").is_none(), "errors with #{hash}");
        attr(&d, "data-matches").unwrap().parse::<usize>().unwrap()
    };
    assert_eq!(count("label=MONEY"), 45);
    assert_eq!(count("label=NORP"), 0);
    assert_eq!(count("entity=z%C3%BCrich"), 45);
    assert_eq!(count("q=story%2017."), 1);
    assert_eq!(count("show=dup"), 15);
    assert_eq!(count("show=dup&q=story%2020."), 1);
    assert_eq!(count("show=dup&q=story%2019."), 0);

    // Issue 14: a capped listing says so in the page, and the page still works.
    let opts = StageOptions::parse_snippet("path = \"capped.html\"\nmax_documents = 10\n", dir.path()).unwrap();
    let Ok(Stage::Sink(mut sink)) = (docpipe_core::registry::find("export").unwrap().build)(&opts) else {
        panic!("export did not build")
    };
    sink.begin().unwrap();
    for d in &docs {
        sink.write(d).unwrap();
    }
    sink.finish(&stats).unwrap();
    let capped = format!("file://{}", dir.path().join("capped.html").display());
    let dom = chromium(&bin, profile.path(), &["--dump-dom", &capped]);
    assert_eq!(attr(&dom, "data-ready").as_deref(), Some("1"), "the capped page script did not finish");
    assert!(attr(&dom, "data-errors").is_none(), "errors on the capped page");
    assert_eq!(attr(&dom, "data-matches").as_deref(), Some("10"));
    assert!(dom.contains("Showing the first 10 of 45 documents"), "the capped page does not say so");

    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/export-report.png");
    chromium(&bin, profile.path(), &[&format!("--screenshot={}", shot.display()), &url]);
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000, "screenshot is empty");
}
