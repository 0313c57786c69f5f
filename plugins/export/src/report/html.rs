//! The HTML report: one self-contained file (inline CSS and vanilla JavaScript, no network).
//!
//! The run statistics and headline figures are rendered here as static HTML; the documents
//! are embedded as JSON (`<script type="application/json">`, with every `<` escaped so no
//! text can close the element) and rendered by the page's script one page at a time, with
//! entity highlights in one colour per label ([`label_colours`], drawn through one CSS class
//! per label), the canonical name on hover, summary sentences highlighted in the text,
//! duplicate links and a filter by text, label and entity. Offsets are converted from UTF-8
//! bytes to the UTF-16 units JavaScript strings use; the byte range a marked passage repeats
//! in another document is converted by the page, which has that document's text.
//!
//! The duplicates filter shows a panel ([`duplicates_panel`]) with what the dedupe stages
//! found: the documents they dropped (counted per stage from the run statistics, and listed
//! from the drop records the sink received, [`dropped_record`], each with the document or
//! passage it repeats and the similarity), the documents marked as duplicates and the
//! passages marked as repeats, which the cards list with the passage each repeats and
//! highlight in the text (the passage repeated is underlined where it is listed).
//!
//! The page is usable at phone width: long words and URLs wrap, the run table scrolls in its
//! own box, and a long text shows its start cut at a line or word boundary with a "show all"
//! link (no box that hides part of a line).
//!
//! Each listed document is serialised by [`doc_record`] when it arrives (into the report's
//! [`Spill`]); [`render`] streams the page, the spilled documents included, into the output.
//! When `max_documents` leaves documents out, the page says so above the document list.

use std::io::{self, Write};

use docpipe_core::stats::RunStats;
use serde::Serialize;
use serde_json::json;

use std::path::Path;

use docpipe_core::stage::DropRecord;

use super::{DroppedDoc, EscapeLt, Report, ReportDoc, Spill, label_colours};

const TEMPLATE: &str = include_str!("template.html");
/// Entity names offered as completions in the entity filter, at most.
const TOP_ENTITIES: usize = 2000;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// UTF-16 offsets of chosen byte offsets of a text, found in one pass over the text (memory
/// grows with the number of offsets, not with the text).
struct Utf16Map {
    /// `(byte, utf16)`, sorted by byte.
    points: Vec<(usize, usize)>,
}

impl Utf16Map {
    fn new(text: &str, offsets: impl Iterator<Item = usize>) -> Utf16Map {
        let mut bytes: Vec<usize> = offsets.filter(|&b| b <= text.len()).collect();
        bytes.sort_unstable();
        bytes.dedup();
        let ascii = text.is_ascii();
        let mut points = Vec::with_capacity(bytes.len());
        let (mut at, mut units) = (0usize, 0usize);
        for b in bytes {
            if !ascii {
                // Offsets come from spans checked to lie on char boundaries.
                units += text.get(at..b).map_or(0, |s| s.encode_utf16().count());
            } else {
                units += b - at;
            }
            at = b;
            points.push((b, units));
        }
        Utf16Map { points }
    }

    fn map(&self, byte: usize) -> usize {
        match self.points.binary_search_by_key(&byte, |p| p.0) {
            Ok(k) => self.points[k].1,
            Err(_) => byte,
        }
    }
}

/// An entity mention in the page data: UTF-16 start and end, label, canonical name, id.
type EntityJson<'a> = (usize, usize, &'a str, Option<&'a str>, Option<&'a str>);
/// A passage marked as a repeat in the page data: UTF-16 start and end, the unit compared,
/// the document repeated, the UTF-8 byte range repeated in that document's text (the page
/// converts it when it shows that text), the similarity.
type PassageJson<'a> = (usize, usize, &'a str, Option<&'a str>, Option<(usize, usize)>, Option<f64>);

/// The JSON of one document in the page data (keys in the order the page has always had).
#[derive(Serialize)]
struct DocJson<'a> {
    i: &'a str,
    p: Option<&'a str>,
    s: &'a str,
    w: usize,
    m: Vec<[&'a str; 2]>,
    t: &'a str,
    e: Vec<EntityJson<'a>>,
    u: Vec<(usize, usize)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    st: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sm: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    g: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<(&'a str, Option<f64>)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    x: Vec<PassageJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    r: Option<(u64, u64)>,
}

/// Appends the page-data record of one listed document to `out`: a comma unless it is the
/// first, then its JSON with `<` escaped.
pub fn doc_record(d: &ReportDoc<'_>, first: bool, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let offsets = d
        .mentions
        .iter()
        .flat_map(|m| [m.start, m.end])
        .chain(d.summary_spans.iter().flat_map(|s| [s.0, s.1]))
        .chain(d.passages.iter().flat_map(|p| [p.start, p.end]));
    let m = Utf16Map::new(d.text, offsets);
    let json = DocJson {
        d: d.duplicate_of.as_ref().map(|(of, sim)| (of.as_str(), *sim)),
        e: d.mentions
            .iter()
            .map(|e| (m.map(e.start), m.map(e.end), e.label.as_str(), e.canonical.as_deref(), e.entity_id.as_deref()))
            .collect(),
        g: &d.members,
        i: d.id,
        m: d.meta.iter().map(|(k, v)| [k.as_str(), v.as_str()]).collect(),
        p: d.parent,
        s: d.source,
        sm: d.summary.as_ref().map(|_| d.summary_method.as_deref()),
        st: d.summary.as_deref(),
        t: d.text,
        u: d.summary_spans.iter().map(|&(s, e)| (m.map(s), m.map(e))).collect(),
        w: d.words,
        x: d.passages
            .iter()
            .map(|p| (m.map(p.start), m.map(p.end), p.level.as_str(), p.of_doc.as_deref(), p.of_range, p.similarity))
            .collect(),
        r: d.cut,
    };
    if !first {
        out.push(b',');
    }
    serde_json::to_writer(EscapeLt(out), &json)
}

/// Appends the page-data record of one dropped duplicate to `out`: a comma unless it is the
/// first, then `[id, stage, reason, document repeated, byte range repeated, similarity]`
/// with `<` escaped.
pub fn dropped_record(d: &DroppedDoc<'_>, first: bool, out: &mut Vec<u8>) -> io::Result<()> {
    if !first {
        out.push(b',');
    }
    let rec = (d.id, d.stage, d.reason, d.of_doc, d.of_range, d.similarity);
    serde_json::to_writer(EscapeLt(out), &rec).map_err(io::Error::from)
}

/// Adds a drop record to the report (see [`Report::add_dropped`]); `output` is the report's
/// path, beside which its drop spill goes.
pub fn add_dropped(report: &mut Report, rec: &DropRecord, output: &Path) -> io::Result<()> {
    report.add_dropped(rec, output, dropped_record)
}

fn fmt_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

fn reasons(r: &std::collections::BTreeMap<String, u64>) -> String {
    r.iter().map(|(k, v)| format!("{} {v}", escape(k))).collect::<Vec<_>>().join(", ")
}

fn stats_table(stats: &RunStats, timings: bool) -> String {
    let mut h = String::from(
        "<div class=\"tablebox\" tabindex=\"0\" role=\"region\" aria-label=\"Run statistics\">\
         <table class=\"stats\"><thead><tr><th>stage</th><th>type</th><th>in</th><th>out</th><th>dropped</th>\
         <th>failed</th>",
    );
    if timings {
        h.push_str("<th>time</th>");
    }
    h.push_str("<th>drop reasons</th></tr></thead><tbody>");
    let i = &stats.input;
    h.push_str(&format!(
        "<tr><td>input</td><td>{} files, {}</td><td>-</td><td>{}</td><td>{}</td><td>{}</td>{}<td class=\"reasons\">{}</td></tr>",
        i.files,
        fmt_bytes(i.bytes),
        i.documents,
        i.dropped.values().sum::<u64>(),
        i.failed,
        if timings { "<td>-</td>" } else { "" },
        reasons(&i.dropped)
    ));
    for s in &stats.stages {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}<td class=\"reasons\">{}</td></tr>",
            escape(&s.name),
            escape(&s.type_name),
            s.docs_in,
            s.docs_out,
            s.dropped_total(),
            s.failed,
            if timings { format!("<td>{:.2}s</td>", s.seconds) } else { String::new() },
            reasons(&s.dropped)
        ));
    }
    h.push_str("</tbody></table></div>");
    h
}

/// The duplicates panel, shown with the duplicates filter: what every dedupe stage found,
/// the dropped documents (counted from the run statistics, listed by the page from the drop
/// records in its data, `dropped`) and the marked documents and passages listed below it.
pub fn duplicates_panel(report: &Report, stats: &RunStats) -> String {
    let mut items: Vec<String> = Vec::new();
    for s in &stats.stages {
        let Some(&n) = s.dropped.get("duplicate").filter(|&&n| n > 0) else { continue };
        let bytes = s.dropped_bytes.get("duplicate").copied().unwrap_or(0);
        if report.dropped_seen.get(&s.name).is_some_and(|&k| k > 0) {
            items.push(format!(
                "<li class=\"dropped\"><b>{n}</b> {} dropped by <code>{}</code> as {} of earlier ones ({}), \
                 listed below with what {}.</li>",
                if n == 1 { "document" } else { "documents" },
                escape(&s.name),
                if n == 1 { "a duplicate" } else { "duplicates" },
                fmt_bytes(bytes),
                if n == 1 { "it repeats" } else { "each repeats" },
            ));
            continue;
        }
        items.push(format!(
            "<li class=\"dropped\"><b>{n}</b> {} dropped by <code>{}</code> as {} of earlier ones ({}). \
             Dropped documents do not reach the report, so they are not listed here: run that stage with \
             <code>action = \"mark\"</code> to keep them, marked and listed below with what they repeat \
             (its <code>report</code> option also writes them to a file).</li>",
            if n == 1 { "document" } else { "documents" },
            escape(&s.name),
            if n == 1 { "a duplicate" } else { "duplicates" },
            fmt_bytes(bytes)
        ));
    }
    if report.duplicates > 0 {
        items.push(format!(
            "<li><b>{}</b> {} marked as {}, listed below with the document {} and the similarity.</li>",
            report.duplicates,
            if report.duplicates == 1 { "document" } else { "documents" },
            if report.duplicates == 1 { "a duplicate" } else { "duplicates" },
            if report.duplicates == 1 { "it repeats" } else { "each repeats" },
        ));
    }
    if report.passages > 0 {
        items.push(format!(
            "<li><b>{}</b> repeated {} marked in {} {}, <span class=\"dupm\">highlighted</span> in the text \
             below with the passage {} (<span class=\"dupsrc\">underlined</span> where that one is listed).</li>",
            report.passages,
            if report.passages == 1 { "passage" } else { "passages" },
            report.passage_docs,
            if report.passage_docs == 1 { "document" } else { "documents" },
            if report.passages == 1 { "it repeats" } else { "each repeats" },
        ));
    }
    if report.cut_passages > 0 {
        items.push(format!(
            "<li><b>{}</b> repeated {} ({}) cut out of {} {}.</li>",
            report.cut_passages,
            if report.cut_passages == 1 { "passage" } else { "passages" },
            fmt_bytes(report.cut_bytes),
            report.cut_docs,
            if report.cut_docs == 1 { "document" } else { "documents" },
        ));
    }
    if items.is_empty() {
        items.push("<li>No duplicates found.</li>".to_owned());
    }
    let mut dropped = String::new();
    if report.dropped_listed > 0 {
        // Filled by the page from its data (`dropped`), with links to what each repeats.
        dropped.push_str("<h3>Dropped duplicates</h3>");
        let total = report.dropped_total();
        if report.dropped_listed < total {
            dropped.push_str(&format!(
                "<p id=\"dropcapped\">The first {} of {total} dropped duplicates (<code>max_documents = {}</code>).</p>",
                report.dropped_listed, report.max_documents
            ));
        }
        dropped.push_str("<ul class=\"droplist\" id=\"droplist\"></ul>");
    }
    format!(
        "<div class=\"note dups\" id=\"dups\" hidden><h3>Duplicates found</h3><ul>{}</ul>{dropped}</div>",
        items.concat()
    )
}

fn kpi(value: impl std::fmt::Display, label: &str) -> String {
    format!("<div class=\"kpi\"><b>{value}</b><span>{}</span></div>", escape(label))
}

/// Writes the report page to `out`, the documents in `spill` (made by [`doc_record`])
/// included.
pub fn render(
    report: &mut Report,
    spill: &mut Spill,
    stats: &RunStats,
    title: &str,
    page_size: usize,
    timings: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    let totals = report.entity_totals();
    let mentions: u64 = totals.labels.iter().map(|l| l.1).sum();
    let distinct =
        if totals.capped { format!("{}+", totals.entities.len()) } else { totals.entities.len().to_string() };
    let mut kpis = String::from("<div class=\"cards\">");
    kpis.push_str(&kpi(report.seen, "documents"));
    kpis.push_str(&kpi(mentions, "entity mentions"));
    kpis.push_str(&kpi(distinct, "distinct entities"));
    kpis.push_str(&kpi(report.summaries, "summaries"));
    kpis.push_str(&kpi(report.duplicates_found(stats), "duplicates found"));
    kpis.push_str(&kpi(fmt_bytes(stats.input.bytes), "input"));
    if timings {
        kpis.push_str(&kpi(format!("{:.2}s", stats.seconds), &format!("on {} threads", stats.threads)));
    }
    kpis.push_str("</div>");
    let mut subtitle = format!("{} documents", report.seen);
    let mut note = String::new();
    if report.is_capped() {
        subtitle.push_str(&format!(", the first {} shown (max_documents)", report.listed));
        note = format!(
            "<p class=\"note\" id=\"capped\">Showing the first {} of {} documents (<code>max_documents = {}</code>); \
             the figures above cover all {}.</p>",
            report.listed, report.seen, report.max_documents, report.seen
        );
    }
    subtitle.push_str(" · generated by docpipe");

    let names: Vec<&str> = totals.labels.iter().map(|(l, _)| l.as_str()).collect();
    let labels: Vec<serde_json::Value> = totals
        .labels
        .iter()
        .zip(label_colours(&names))
        .map(|((l, n), c)| json!([l, c.vivid, n, c.tint, c.strong]))
        .collect();
    let top: Vec<&str> = totals.entities.iter().take(TOP_ENTITIES).map(|((_, n), _)| n.as_str()).collect();
    let mut top_unique: Vec<&str> = Vec::with_capacity(top.len());
    let mut seen = std::collections::HashSet::new();
    for n in top {
        if seen.insert(n) {
            top_unique.push(n);
        }
    }

    let title = escape(title);
    let mut rest = TEMPLATE;
    while let Some(i) = rest.find("{{") {
        out.write_all(&rest.as_bytes()[..i])?;
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            out.write_all(&rest.as_bytes()[i..])?;
            rest = "";
            break;
        };
        match &after[..j] {
            "TITLE" => out.write_all(title.as_bytes())?,
            "SUBTITLE" => out.write_all(escape(&subtitle).as_bytes())?,
            "KPIS" => out.write_all(kpis.as_bytes())?,
            "STATS" => out.write_all(stats_table(stats, timings).as_bytes())?,
            "DOCNOTE" => out.write_all(note.as_bytes())?,
            "DUPS" => out.write_all(duplicates_panel(report, stats).as_bytes())?,
            "DATA" => {
                // The keys in the order the page data has always had; the documents last,
                // streamed from the spill.
                let mut head = EscapeLt(&mut *out);
                write!(head, "{{\"page_size\":{},\"labels\":", page_size.max(1))?;
                serde_json::to_writer(&mut head, &labels)?;
                head.write_all(b",\"top_entities\":")?;
                serde_json::to_writer(&mut head, &top_unique)?;
                if report.dropped_listed > 0 {
                    // Escaped as they were rendered (`dropped_record`).
                    head.0.write_all(b",\"dropped\":[")?;
                    report.copy_dropped_to(head.0)?;
                    head.0.write_all(b"]")?;
                }
                head.write_all(b",\"docs\":[")?;
                spill.copy_to(out)?;
                out.write_all(b"]}")?;
            }
            other => {
                out.write_all(b"{{")?;
                out.write_all(other.as_bytes())?;
                out.write_all(b"}}")?;
            }
        }
        rest = &after[j + 2..];
    }
    out.write_all(rest.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use docpipe_core::Document;
    use proptest::prelude::*;
    use serde_json::Value;

    #[test]
    fn utf16_offsets() {
        let t = "aé😀b";
        let m = Utf16Map::new(t, [0, 1, 3, 7, 8].into_iter());
        assert_eq!(m.map(0), 0);
        assert_eq!(m.map(1), 1);
        assert_eq!(m.map(3), 2);
        assert_eq!(m.map(7), 4);
        assert_eq!(m.map(8), 5);
    }

    proptest! {
        #[test]
        fn utf16_map_matches_encode(t in "\\PC{0,40}") {
            let all: Vec<usize> = t.char_indices().map(|c| c.0).chain(std::iter::once(t.len())).collect();
            let m = Utf16Map::new(&t, all.iter().rev().copied());
            for &i in &all {
                prop_assert_eq!(m.map(i), t[..i].encode_utf16().count());
            }
        }
    }

    /// The page for `docs`, listing at most `max` (0: all).
    pub(crate) fn page(docs: &[Document], max: usize) -> String {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Report::new("entities", max);
        let mut spill = Spill::new(dir.path());
        let mut rec = Vec::new();
        for d in docs {
            r.add(d, |view| {
                rec.clear();
                doc_record(view, spill.records == 0, &mut rec).unwrap();
                spill.push(&rec)
            })
            .unwrap();
        }
        let mut out = Vec::new();
        render(&mut r, &mut spill, &RunStats::default(), "News <report>", 20, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn data(page: &str) -> Value {
        let start = page.find("id=\"docpipe-data\">").unwrap() + "id=\"docpipe-data\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        serde_json::from_str(&page[start..end]).unwrap()
    }

    #[test]
    fn renders_a_self_contained_page() {
        let mut d = crate::report::tests::rich_doc();
        d.text.push_str(" </script><b>");
        let page = page(&[d], 0);
        assert!(page.contains("<title>News &lt;report&gt;</title>"));
        assert!(!page.contains("</script><b>"), "document text closed the data element");
        assert!(!page.contains("{{"), "placeholder left");
        assert!(!page.contains("id=\"capped\""), "nothing was left out");
        assert!(!page.contains("http://") && !page.contains("https://"), "the page must not load anything");
        let data = data(&page);
        let doc = &data["docs"][0];
        assert_eq!(doc["e"][1][2], "GPE");
        assert_eq!(doc["e"][0][3], "Anna Keller");
        // "Zürich" is one byte longer in UTF-8 than in UTF-16.
        assert_eq!(doc["u"][0], json!([0, 46]));
        assert_eq!(data["labels"][0][0], "PERSON");
        assert_eq!(data["page_size"], 20);
    }

    #[test]
    fn passages_and_cuts_reach_the_page_data() {
        let mut d = crate::report::tests::rich_doc();
        // "Zürich" comes before the passage: its byte offsets are one more than its UTF-16 ones.
        let start = d.text.find("Keller said").unwrap();
        let end = d.text.find(" Prices").unwrap();
        let mut span = docpipe_core::Span::new(start, end).with_label("sentence");
        span.fields.insert("duplicate_of".into(), json!("a#b@0/a1#12-40"));
        span.fields.insert("similarity".into(), json!(0.9));
        d.set_layer("duplicates", vec![span]);
        d.attributes.insert("dedupe".into(), json!({"removed": 3, "removed_bytes": 210}));
        let marked = page(&[d], 0);
        let doc = &data(&marked)["docs"][0];
        assert_eq!(doc["x"], json!([[start - 1, end - 1, "sentence", "a#b@0/a1", [12, 40], 0.9]]));
        assert_eq!(doc["r"], json!([3, 210]));
        let plain = page(&[crate::report::tests::rich_doc()], 0);
        assert!(data(&plain)["docs"][0].get("x").is_none() && data(&plain)["docs"][0].get("r").is_none());
    }

    #[test]
    fn the_duplicates_panel_counts_what_it_cannot_list() {
        let mut rep = Report::new("entities", 0);
        let mut stats = RunStats::default();
        assert!(duplicates_panel(&rep, &stats).contains("<li>No duplicates found.</li>"));
        let mut d = crate::report::tests::rich_doc();
        d.attributes.insert("dedupe".into(), json!({"duplicate_of": "x", "similarity": 1.0}));
        crate::report::tests::count(&mut rep, &d);
        stats.stages.push(docpipe_core::stats::StageStats {
            name: "copies <1>".into(),
            dropped: [("duplicate".to_owned(), 4), ("too short".to_owned(), 2)].into_iter().collect(),
            dropped_bytes: [("duplicate".to_owned(), 4096)].into_iter().collect(),
            ..Default::default()
        });
        let panel = duplicates_panel(&rep, &stats);
        assert!(panel.starts_with("<div class=\"note dups\" id=\"dups\" hidden>"), "{panel}");
        assert!(panel.contains("<b>4</b> documents dropped by <code>copies &lt;1&gt;</code> as duplicates"), "{panel}");
        assert!(panel.contains("(4.0 KiB)"), "{panel}");
        assert!(panel.contains("<b>1</b> document marked as a duplicate"), "{panel}");
        assert!(!panel.contains("passage"), "{panel}");
    }

    fn drop_record(id: &str, detail: Option<Value>) -> DropRecord {
        DropRecord {
            stage: "dedupe".into(),
            reason: "duplicate".into(),
            id: id.into(),
            source: docpipe_core::Source { path: "f.txt".into(), start: 0, end: 9, line: None, edits: Vec::new() },
            detail,
        }
    }

    #[test]
    fn the_page_lists_dropped_duplicates_with_what_they_repeat() {
        let dir = tempfile::tempdir().unwrap();
        let out_path = dir.path().join("report.html");
        let mut r = Report::new("entities", 2);
        let mut spill = Spill::new(dir.path());
        let mut rec = Vec::new();
        let d = crate::report::tests::rich_doc();
        r.add(&d, |view| {
            doc_record(view, true, &mut rec).unwrap();
            spill.push(&rec)
        })
        .unwrap();
        let doc_level = json!({"level": "document", "duplicate_of": "news.txt@0", "similarity": 0.93, "cluster": "x"});
        add_dropped(&mut r, &drop_record("copy</script>", Some(doc_level)), &out_path).unwrap();
        let passage = json!({"level": "paragraph", "duplicate_of": "news.txt@0#0-46", "similarity": 1.0});
        add_dropped(&mut r, &drop_record("quote", Some(passage)), &out_path).unwrap();
        // Not a duplicate: not listed. Over the cap (2): counted, not listed.
        let mut short = drop_record("short", None);
        short.reason = "too short".into();
        add_dropped(&mut r, &short, &out_path).unwrap();
        add_dropped(&mut r, &drop_record("third", None), &out_path).unwrap();
        assert_eq!((r.dropped_listed, r.dropped_total()), (2, 3));

        let mut stats = RunStats::default();
        stats.stages.push(docpipe_core::stats::StageStats {
            name: "dedupe".into(),
            dropped: [("duplicate".to_owned(), 3)].into_iter().collect(),
            ..Default::default()
        });
        let mut out = Vec::new();
        render(&mut r, &mut spill, &stats, "News", 20, false, &mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(!page.contains("copy</script>"), "a dropped id closed the data element");
        let data = data(&page);
        assert_eq!(
            data["dropped"],
            json!([
                ["copy</script>", "dedupe", "duplicate", "news.txt@0", null, 0.93],
                ["quote", "dedupe", "duplicate", "news.txt@0", [0, 46], 1.0],
            ])
        );
        assert_eq!(data["docs"].as_array().unwrap().len(), 1);
        let panel = duplicates_panel(&r, &stats);
        assert!(
            panel.contains("dropped by <code>dedupe</code> as duplicates of earlier ones (0 B), listed below"),
            "{panel}"
        );
        assert!(panel.contains("The first 2 of 3 dropped duplicates (<code>max_documents = 2</code>)."), "{panel}");
        assert!(panel.contains("<ul class=\"droplist\" id=\"droplist\"></ul>"), "{panel}");
        // Without drop records the page data is as before (no `dropped` key).
        assert!(self::data(&self::page(&[d], 0)).get("dropped").is_none());
    }

    #[test]
    fn a_capped_page_says_so() {
        let docs: Vec<Document> = (0..5).map(|_| crate::report::tests::rich_doc()).collect();
        let page = page(&docs, 2);
        assert!(
            page.contains(
                "Showing the first 2 of 5 documents (<code>max_documents = 2</code>); the figures above cover all 5."
            ),
            "no note in the page"
        );
        assert_eq!(data(&page)["docs"].as_array().unwrap().len(), 2);
        // The figures count every document.
        assert!(page.contains("<b>5</b><span>summaries</span>"), "{page}");
    }
}
