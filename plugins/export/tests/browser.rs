//! The HTML report in a real browser (issue 8): renders a report in headless Chromium and
//! checks, from the DOM the page built, that its script ran without errors, that entity
//! highlights and summary highlights are present, and that the label, entity and text
//! filters select the right documents; that the duplicates filter shows what dedupe found
//! (dropped documents counted, marked documents and passages listed with what they repeat,
//! passages highlighted); and, with a probe script measuring the laid-out page at 400 and
//! 1280 px (issue 15), that nothing scrolls sideways or is clipped, the run table scrolls
//! in its own box on a phone and every entity label has its own colour. Saves screenshots
//! to `target/export-report.png` and `target/export-report-400.png`.
//!
//! Needs `chromium` (Debian package) on PATH. Without it the test says so and passes,
//! unless `DOCPIPE_REQUIRE_BROWSER=1` (set it in CI) makes a missing browser a failure.

// Tests unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use docpipe_core::stats::{RunStats, StageStats};
use docpipe_core::{Document, DropRecord, Source, Span, Stage, StageOptions};
use serde_json::json;
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

fn chromium(bin: &Path, profile: &Path, width: u32, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--window-size={width},1600"))
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

/// The document list the page rendered (the page data, which holds every text, left out).
fn listed(dom: &str) -> &str {
    let start = dom.find("id=\"list\"").unwrap();
    &dom[start..start + dom[start..].find("class=\"pager\"").unwrap()]
}

/// Builds an export sink from `snippet`, writes `docs` through it and finishes it.
fn write_report(dir: &Path, snippet: &str, docs: &[Document], drops: &[DropRecord], stats: &RunStats) {
    let opts = StageOptions::parse_snippet(snippet, dir).unwrap();
    let Ok(Stage::Sink(mut sink)) = (docpipe_core::registry::find("export").unwrap().build)(&opts) else {
        panic!("export did not build")
    };
    sink.begin().unwrap();
    for r in drops {
        sink.dropped(r).unwrap();
    }
    for d in docs {
        sink.write(d).unwrap();
    }
    sink.finish(stats).unwrap();
}

/// Measures the laid-out page from inside it, after the page script, into `data-probe-*`
/// attributes (and the page's own `data-ready`/`data-errors`), posted to the frame around it
/// ([`framed`]), which writes them on its `<body>` for `--dump-dom` to show: the page's width, boxes that cut text
/// (overflow not visible and content larger than the box) and elements that stick out of
/// their card, in cards, KPIs, notes and the legend; the stats table box; the colours the
/// legend swatches and the entity highlights are drawn in; and what "show all" and "show
/// less" on a shortened text do.
const PROBE: &str = r##"<script>
(function () {
  var b = document.body, de = document.documentElement;
  b.setAttribute("data-probe-scroll-width", String(de.scrollWidth));
  b.setAttribute("data-probe-inner-width", String(window.innerWidth));
  var bad = [];
  document.querySelectorAll("article.doc, .kpi, .note, .legend, header").forEach(function (card) {
    var box = card.getBoundingClientRect();
    [card].concat(Array.prototype.slice.call(card.querySelectorAll("*"))).forEach(function (el) {
      var cs = getComputedStyle(el), r = el.getBoundingClientRect();
      var clips = cs.overflowX !== "visible" || cs.overflowY !== "visible";
      if (clips && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
        bad.push("clips:" + (el.className || el.tagName));
      }
      if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1)) {
        bad.push("sticks-out:" + (el.className || el.tagName));
      }
    });
  });
  b.setAttribute("data-probe-bad", bad.length ? bad.slice(0, 5).join(" ") : "none");
  var tb = document.querySelector(".tablebox");
  b.setAttribute("data-probe-table", tb ? getComputedStyle(tb).overflowX + " " + (tb.scrollWidth > tb.clientWidth ? "scrolls" : "fits") : "no box");
  var sw = [], marks = [];
  document.querySelectorAll(".chip").forEach(function (c) {
    var l = c.getAttribute("data-label"), colour = getComputedStyle(c.querySelector("i")).backgroundColor;
    sw.push(l + "=" + colour);
    var m = document.querySelector('mark.ent[data-label="' + l + '"]');
    if (m) marks.push(l + "=" + getComputedStyle(m).borderTopColor + "/" + getComputedStyle(m).backgroundColor);
  });
  b.setAttribute("data-probe-swatches", sw.join(";"));
  b.setAttribute("data-probe-marks", marks.join(";"));
  // Last, as it changes the layout: "show all" on a shortened text shows it whole, and
  // "show less" shortens it again.
  var more = document.querySelector("[data-expand]"), id = more && more.getAttribute("data-expand");
  var card = function () { return document.querySelector("#list [data-expand='" + id + "']").closest("article"); };
  if (more) {
    var steps = [card().textContent.indexOf("THE-LAST-LINE") >= 0];
    more.click();
    steps.push(card().textContent.indexOf("THE-LAST-LINE") >= 0);
    card().querySelector("[data-expand]").click();
    steps.push(card().textContent.indexOf("THE-LAST-LINE") >= 0);
    b.setAttribute("data-probe-expand", steps.join(" "));
  }
  var all = {};
  ["data-ready", "data-errors"].concat(b.getAttributeNames().filter(function (n) { return n.indexOf("data-probe-") === 0; }))
    .forEach(function (n) { if (b.hasAttribute(n)) all[n] = b.getAttribute(n); });
  parent.postMessage(all, "*");
})();
</script>
"##;

/// A copy of the report at `page` with [`PROBE`] at the end of its body, shown in a frame
/// `width` px wide (headless Chromium lays a window out at least 500 px wide, whatever
/// `--window-size` says, so a phone's width needs a frame), as the URL of the framing page.
fn framed(page: &Path, width: u32) -> String {
    let html = std::fs::read_to_string(page).unwrap();
    let at = html.rfind("</body>").unwrap();
    let copy = page.with_extension("probe.html");
    std::fs::write(&copy, format!("{}{PROBE}{}", &html[..at], &html[at..])).unwrap();
    let frame = page.with_extension(format!("frame{width}.html"));
    let name = copy.file_name().unwrap().to_str().unwrap();
    std::fs::write(
        &frame,
        format!(
            "<!DOCTYPE html><html><body style=\"margin:0\"><iframe src=\"{name}\" \
             style=\"width:{width}px;height:1600px;border:0\"></iframe><script>\
             addEventListener(\"message\", function (e) {{ Object.keys(e.data).forEach(function (k) {{ \
             document.body.setAttribute(k, e.data[k]); }}); }});</script></body></html>"
        ),
    )
    .unwrap();
    format!("file://{}", frame.display())
}

/// `(label, colour)` pairs of a `data-probe-swatches`/`-marks` value.
fn pairs(v: &str) -> Vec<(String, String)> {
    v.split(';')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').map(|(a, b)| (a.into(), b.into())).unwrap())
        .collect()
}

/// The rich documents, with what dedupe and the tagger leave that `rich_doc` has not: a
/// passage repeating another document's (document 4), one repeating an earlier passage of its
/// own document (7), passages cut out (10), and a long text with a long URL, an unbreakable
/// word and a label of its own (0).
fn corpus() -> Vec<Document> {
    let mut docs: Vec<Document> = (0..45).map(common::rich_doc).collect();
    let sentence = |d: &Document| {
        let s = d.text.find("Odhiambo said").unwrap();
        (s, d.text.find("\nTraders").unwrap())
    };
    let (s3, e3) = sentence(&docs[3]);
    let repeated = format!("{}#{s3}-{e3}", docs[3].id);
    let (s4, e4) = sentence(&docs[4]);
    docs[4].set_layer("duplicates", vec![passage(s4, e4, &repeated)]);
    let own = docs[7].text.find("Traders").unwrap();
    let first = (docs[7].text.find("Amina").unwrap(), docs[7].text.find("\nOdhiambo").unwrap());
    let of = format!("{}#{}-{}", docs[7].id, first.0, first.1);
    let end = docs[7].text.len();
    docs[7].set_layer("duplicates", vec![passage(own, end, &of)]);
    docs[10].attributes.insert("dedupe".into(), json!({"removed": 2, "removed_bytes": 120}));

    let d = &mut docs[0];
    let ship_at = d.text.len() + 1;
    d.text.push_str("\nThe Kilindini Star docked at https://www.example.org/");
    d.text.push_str(&"averyveryverylongpathsegmentwithoutanybreak".repeat(5));
    d.text.push_str(" and its cargo of Supercalifragilisticexpialidocious");
    d.text.push_str(&"x".repeat(150));
    d.text.push_str(" spices.\n");
    for k in 0..60 {
        d.text.push_str(&format!("Filler line {k} of a long wire story that goes on and on about the port.\n"));
    }
    d.text.push_str("THE-LAST-LINE");
    let mut ents = d.annotations["entities"].clone();
    ents.push(common::entity(ship_at + 4, ship_at + 18, "SHIP", "Kilindini Star", "ship:kilindini-star"));
    d.set_layer("entities", ents);
    d.metadata.insert("url".into(), json!(format!("https://www.example.org/{}", "x".repeat(70))));
    docs
}

fn passage(start: usize, end: usize, of: &str) -> Span {
    let mut s = Span::new(start, end).with_label("paragraph");
    s.fields.insert("duplicate_of".into(), json!(of));
    s.fields.insert("similarity".into(), json!(1.0));
    s.fields.insert("cluster".into(), json!(of));
    s
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
    let docs = corpus();
    let stage = |name: &str, type_name: &str, docs_in: u64, dropped: u64| StageStats {
        name: name.into(),
        type_name: type_name.into(),
        docs_in,
        kept: docs_in - dropped,
        docs_out: docs_in - dropped,
        dropped: [("duplicate".to_owned(), dropped)].into_iter().filter(|d| d.1 > 0).collect(),
        dropped_bytes: [("duplicate".to_owned(), dropped * 1000)].into_iter().filter(|d| d.1 > 0).collect(),
        ..Default::default()
    };
    let stats = RunStats {
        stages: vec![stage("republished-copies", "dedupe", 48, 3), stage("export", "export", 45, 0)],
        ..Default::default()
    };
    // Two of the three documents dedupe dropped, as drop records (the third was a plain drop).
    let dropped = |id: &str, detail: Option<serde_json::Value>| DropRecord {
        stage: "republished-copies".into(),
        reason: "duplicate".into(),
        id: id.into(),
        source: Source { path: "wire.txt".into(), start: 0, end: 10, line: None, edits: Vec::new() },
        detail,
    };
    let drops = [
        dropped("copy-1", Some(json!({"level": "document", "duplicate_of": docs[2].id, "similarity": 0.97}))),
        dropped("copy-2", None),
    ];
    write_report(dir.path(), "path = \"report.html\"\npage_size = 20\n", &docs, &drops, &stats);
    let page = dir.path().join("report.html");
    let url = format!("file://{}", page.display());
    let profile = tempfile::tempdir().unwrap();

    let dom = chromium(&bin, profile.path(), 1280, &["--dump-dom", &url]);
    assert_eq!(attr(&dom, "data-ready").as_deref(), Some("1"), "the page script did not finish");
    assert!(attr(&dom, "data-errors").is_none(), "errors on the page: {dom}");
    assert_eq!(attr(&dom, "data-shown").as_deref(), Some("20"), "first page");
    // (`ent l` excludes the markup inside the page script itself.)
    assert_eq!(dom.matches("<mark class=\"ent l").count(), 20 * 8 + 1, "entity highlights");
    assert!(dom.contains("title=\"Amina Wairimu Odhiambo · PERSON · person:odhiambo\""), "canonical name on hover");
    assert!(dom.contains("<span class=\"sum\">"), "summary highlights");
    assert!(dom.contains("duplicate of <a href=\"#doc="), "duplicate links");
    // A long text shows its start, cut at a line boundary, and says how much more there is.
    assert!(dom.contains("show all ("), "a long text is not shortened");
    assert!(!listed(&dom).contains("THE-LAST-LINE"), "a long text is shown whole");
    assert!(dom.contains("id=\"dups\" hidden"), "the duplicates panel shows unasked");

    // Filters, set through the URL hash as a user's click would set them.
    let count = |hash: &str| {
        let d = chromium(&bin, profile.path(), 1280, &["--dump-dom", &format!("{url}#{hash}")]);
        assert!(attr(&d, "data-errors").is_none(), "errors with #{hash}");
        attr(&d, "data-matches").unwrap().parse::<usize>().unwrap()
    };
    assert_eq!(count("label=MONEY"), 45);
    assert_eq!(count("label=NORP"), 0);
    assert_eq!(count("label=SHIP"), 1);
    assert_eq!(count("entity=z%C3%BCrich"), 45);
    assert_eq!(count("q=story%2017."), 1);
    // 15 marked as duplicates, one with a passage repeating another document's, one with a
    // passage repeating its own, one with passages cut out.
    assert_eq!(count("show=dup"), 18);
    assert_eq!(count("show=dup&q=story%2020."), 1);
    assert_eq!(count("show=dup&q=story%2019."), 0);
    assert_eq!(count("show=dup&q=story%204."), 1);

    // The duplicates filter shows what was found: the panel with the dropped documents (from
    // the run statistics), the marked documents and passages; each passage listed with the
    // passage it repeats and highlighted in the text, and the passage repeated marked too.
    let dups = chromium(&bin, profile.path(), 1280, &["--dump-dom", &format!("{url}#show=dup&q=story%20")]);
    assert!(attr(&dups, "data-errors").is_none(), "errors in the duplicates view");
    let panel = &dups[dups.find("id=\"dups\"").unwrap()..];
    let panel = &panel[..panel.find("</div>").unwrap()];
    assert!(!panel.starts_with("id=\"dups\" hidden"), "the duplicates panel is hidden: {panel}");
    assert!(panel.contains("<b>3</b> documents dropped by <code>republished-copies</code>"), "{panel}");
    // The dropped duplicates received as drop records are listed with what they repeat.
    let href = docs[2].id.replace('/', "%2F").replace('@', "%40");
    let link = format!("repeats <a href=\"#doc={href}\">{}</a>, similarity 0.97</li>", docs[2].id);
    assert!(
        panel.contains(
            "<li data-dropped=\"copy-1\"><code>copy-1</code>, dropped by <code>republished-copies</code> (duplicate):"
        ),
        "{panel}"
    );
    assert!(panel.contains(&link), "{panel}");
    assert!(panel.contains("<li data-dropped=\"copy-2\"><code>copy-2</code>, dropped by <code>republished-copies</code> (duplicate)</li>"), "{panel}");
    assert!(panel.contains("<b>15</b> documents marked as duplicates"), "{panel}");
    assert!(panel.contains("<b>2</b> repeated passages marked in 2 documents"), "{panel}");
    assert!(panel.contains("<b>2</b> repeated passages (120 B) cut out of 1 document"), "{panel}");
    assert!(dups.contains("<span class=\"badge dup\">1 repeated passage</span>"), "passage badge");
    assert!(dups.contains("<span class=\"badge dup\">2 repeated passages cut out (120 bytes)</span>"), "cut badge");
    let id3 = "corpus/dump-03.txt@3000";
    assert!(
        dups.contains(&format!(
            "(paragraph) repeats <a href=\"#doc={}\">{id3}</a>: <q>Odhiambo said the talks on the €1.2 million port deal would resume in Zürich.</q> · similarity 1.00",
            id3.replace('/', "%2F").replace('@', "%40")
        )),
        "the passage repeated by document 4 is not quoted"
    );
    assert!(dups.contains("repeats an earlier passage of this document: <q>Amina Odhiambo met"), "own passage");
    assert_eq!(
        dups.matches("<span class=\"dupm\" title=\"repeats ").count()
            + dups.matches("<span class=\"sum dupm\" title=\"repeats ").count(),
        // Document 4's passage: cut into 6 pieces by its three entities (the first opens it,
        // the last is followed by the full stop), all in the summary; document 7's: one piece.
        6 + 1,
        "marked passages highlighted in the text"
    );
    assert!(dups.contains("title=\"repeated later in this document\""), "own passage repeated, not marked");
    // Document 3 is not a duplicate, so to see the passage it holds, open it.
    let doc3 = chromium(&bin, profile.path(), 1280, &["--dump-dom", &format!("{url}#doc={id3}")]);
    assert!(doc3.contains(&format!("title=\"repeated by {}\"", docs[4].id)), "passage repeated by another document");

    // Layout, measured in the page at phone and desktop width: nothing wider than the
    // window, no box that cuts text, nothing sticking out of a card; the run table scrolls in
    // its own box on a phone.
    for (width, table) in [(400, "auto scrolls"), (1280, "auto fits")] {
        let frame = framed(&page, width);
        let d = chromium(&bin, profile.path(), 1300, &["--virtual-time-budget=5000", "--dump-dom", &frame]);
        assert_eq!(attr(&d, "data-ready").as_deref(), Some("1"), "the page did not finish at {width} px: {d}");
        assert!(attr(&d, "data-errors").is_none(), "errors at {width} px");
        assert_eq!(attr(&d, "data-probe-inner-width").unwrap(), width.to_string());
        let sw: u32 = attr(&d, "data-probe-scroll-width").unwrap().parse().unwrap();
        assert!(sw <= width, "the page scrolls sideways at {width} px: {sw} px wide");
        assert_eq!(attr(&d, "data-probe-bad").as_deref(), Some("none"), "clipped or overflowing at {width} px");
        assert_eq!(attr(&d, "data-probe-table").as_deref(), Some(table), "run table at {width} px");
        assert_eq!(attr(&d, "data-probe-expand").as_deref(), Some("false true false"), "show all, then less");
        // Every label its own colour, the same in the legend and in the text.
        let swatches = pairs(&attr(&d, "data-probe-swatches").unwrap());
        let labels: Vec<&str> = swatches.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(labels.len(), 6, "{labels:?}");
        let distinct: std::collections::HashSet<&str> = swatches.iter().map(|s| s.1.as_str()).collect();
        assert_eq!(distinct.len(), labels.len(), "two labels share a colour: {swatches:?}");
        let marks = pairs(&attr(&d, "data-probe-marks").unwrap());
        assert_eq!(marks.len(), labels.len(), "{marks:?}");
        let tints: std::collections::HashSet<&str> = marks.iter().map(|m| m.1.split('/').nth(1).unwrap()).collect();
        assert_eq!(tints.len(), labels.len(), "two labels share a highlight: {marks:?}");
        for (label, colour) in &swatches {
            let mark = &marks.iter().find(|m| &m.0 == label).unwrap().1;
            assert!(mark.starts_with(&format!("{colour}/")), "{label}: legend {colour}, text {mark}");
        }
    }

    // Issue 14: a capped listing says so in the page, and the page still works.
    write_report(dir.path(), "path = \"capped.html\"\nmax_documents = 10\n", &docs, &[], &stats);
    let capped = format!("file://{}", dir.path().join("capped.html").display());
    let dom = chromium(&bin, profile.path(), 1280, &["--dump-dom", &capped]);
    assert_eq!(attr(&dom, "data-ready").as_deref(), Some("1"), "the capped page script did not finish");
    assert!(attr(&dom, "data-errors").is_none(), "errors on the capped page");
    assert_eq!(attr(&dom, "data-matches").as_deref(), Some("10"));
    assert!(dom.contains("Showing the first 10 of 45 documents"), "the capped page does not say so");

    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/export-report.png");
    chromium(&bin, profile.path(), 1280, &[&format!("--screenshot={}", shot.display()), &url]);
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000, "screenshot is empty");
    let phone = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/export-report-400.png");
    chromium(&bin, profile.path(), 500, &[&format!("--screenshot={}", phone.display()), &framed(&page, 400)]);
    assert!(std::fs::metadata(&phone).unwrap().len() > 10_000, "phone screenshot is empty");
}
