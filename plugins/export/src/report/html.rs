//! The HTML report: one self-contained file (inline CSS and vanilla JavaScript, no network).
//!
//! The run statistics and headline figures are rendered here as static HTML; the documents
//! are embedded as JSON (`<script type="application/json">`, with every `<` escaped so no
//! text can close the element) and rendered by the page's script one page at a time, with
//! entity highlights by label colour, the canonical name on hover, summary sentences
//! highlighted in the text, duplicate links and a filter by text, label and entity. Offsets
//! are converted from UTF-8 bytes to the UTF-16 units JavaScript strings use.

use docpipe_core::stats::RunStats;
use serde_json::{Value, json};

use super::{Report, ReportDoc, label_colour};

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

/// Maps byte offsets of `text` to UTF-16 offsets.
struct Utf16Map {
    /// `(byte, utf16)` at every non-ASCII char boundary, empty for ASCII text.
    points: Vec<(usize, usize)>,
}

impl Utf16Map {
    fn new(text: &str) -> Utf16Map {
        if text.is_ascii() {
            return Utf16Map { points: Vec::new() };
        }
        let mut points = Vec::new();
        let mut units = 0;
        for (i, c) in text.char_indices() {
            if !c.is_ascii() {
                points.push((i, units));
                points.push((i + c.len_utf8(), units + c.len_utf16()));
            }
            units += c.len_utf16();
        }
        Utf16Map { points }
    }

    fn map(&self, byte: usize) -> usize {
        // The last recorded point at or before `byte`; ASCII in between is one unit a byte.
        match self.points.partition_point(|p| p.0 <= byte) {
            0 => byte,
            k => {
                let (b, u) = self.points[k - 1];
                u + (byte - b)
            }
        }
    }
}

fn doc_json(d: &ReportDoc) -> Value {
    let m = Utf16Map::new(&d.text);
    let ents: Vec<Value> =
        d.mentions.iter().map(|e| json!([m.map(e.start), m.map(e.end), e.label, e.canonical, e.entity_id])).collect();
    let sums: Vec<Value> = d.summary_spans.iter().map(|&(s, e)| json!([m.map(s), m.map(e)])).collect();
    let mut o = serde_json::Map::new();
    o.insert("i".into(), json!(d.id));
    o.insert("p".into(), json!(d.parent));
    o.insert("s".into(), json!(d.source));
    o.insert("w".into(), json!(d.words));
    o.insert("m".into(), json!(d.meta.iter().map(|(k, v)| [k, v]).collect::<Vec<_>>()));
    o.insert("t".into(), json!(d.text));
    o.insert("e".into(), Value::Array(ents));
    o.insert("u".into(), Value::Array(sums));
    if let Some(s) = &d.summary {
        o.insert("st".into(), json!(s));
        o.insert("sm".into(), json!(d.summary_method));
    }
    if !d.members.is_empty() {
        o.insert("g".into(), json!(d.members));
    }
    if let Some((of, sim)) = &d.duplicate_of {
        o.insert("d".into(), json!([of, sim]));
    }
    Value::Object(o)
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
        "<table class=\"stats\"><thead><tr><th>stage</th><th>type</th><th>in</th><th>out</th><th>dropped</th>\
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
    h.push_str("</tbody></table>");
    h
}

fn kpi(value: impl std::fmt::Display, label: &str) -> String {
    format!("<div class=\"kpi\"><b>{value}</b><span>{}</span></div>", escape(label))
}

/// Renders the report page.
pub fn render(report: &Report, stats: &RunStats, title: &str, page_size: usize, timings: bool) -> String {
    let totals = report.entity_totals();
    let mentions: u64 = totals.labels.iter().map(|l| l.1).sum();
    let mut kpis = String::from("<div class=\"cards\">");
    kpis.push_str(&kpi(report.seen, "documents"));
    kpis.push_str(&kpi(mentions, "entity mentions"));
    kpis.push_str(&kpi(totals.entities.len(), "distinct entities"));
    kpis.push_str(&kpi(report.summaries(), "summaries"));
    kpis.push_str(&kpi(report.duplicates_found(stats), "duplicates found"));
    kpis.push_str(&kpi(fmt_bytes(stats.input.bytes), "input"));
    if timings {
        kpis.push_str(&kpi(format!("{:.2}s", stats.seconds), &format!("on {} threads", stats.threads)));
    }
    kpis.push_str("</div>");
    let mut subtitle = format!("{} documents", report.seen);
    if report.docs.len() as u64 != report.seen {
        subtitle.push_str(&format!(", the first {} shown (max_documents)", report.docs.len()));
    }
    subtitle.push_str(" · generated by docpipe");

    let labels: Vec<Value> = totals.labels.iter().map(|(l, n)| json!([l, label_colour(l), n])).collect();
    let top: Vec<&str> = totals.entities.iter().take(TOP_ENTITIES).map(|((_, n), _)| n.as_str()).collect();
    let mut top_unique: Vec<&str> = Vec::with_capacity(top.len());
    for n in top {
        if !top_unique.contains(&n) {
            top_unique.push(n);
        }
    }
    let docs: Vec<Value> = report.docs.iter().map(doc_json).collect();
    let data = json!({
        "page_size": page_size.max(1),
        "labels": labels,
        "top_entities": top_unique,
        "docs": docs,
    });
    // `<` only occurs inside JSON strings, where `\u003c` means the same.
    let data = data.to_string().replace('<', "\\u003c");

    let title = escape(title);
    let mut out = String::with_capacity(TEMPLATE.len() + data.len() + 4096);
    let mut rest = TEMPLATE;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        match &after[..j] {
            "TITLE" => out.push_str(&title),
            "SUBTITLE" => out.push_str(&escape(&subtitle)),
            "KPIS" => out.push_str(&kpis),
            "STATS" => out.push_str(&stats_table(stats, timings)),
            "DATA" => out.push_str(&data),
            other => {
                out.push_str("{{");
                out.push_str(other);
                out.push_str("}}");
            }
        }
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn utf16_offsets() {
        let t = "aé😀b";
        let m = Utf16Map::new(t);
        assert_eq!(m.map(0), 0);
        assert_eq!(m.map(1), 1);
        assert_eq!(m.map(3), 2);
        assert_eq!(m.map(7), 4);
        assert_eq!(m.map(8), 5);
    }

    proptest! {
        #[test]
        fn utf16_map_matches_encode(t in "\\PC{0,40}") {
            let m = Utf16Map::new(&t);
            for (i, _) in t.char_indices().chain(std::iter::once((t.len(), ' '))) {
                prop_assert_eq!(m.map(i), t[..i].encode_utf16().count());
            }
        }
    }

    #[test]
    fn renders_a_self_contained_page() {
        let mut r = Report::new("entities", 0);
        let mut d = crate::report::tests::rich_doc();
        d.text.push_str(" </script><b>");
        r.add(&d);
        let stats = RunStats::default();
        let page = render(&r, &stats, "News <report>", 20, false);
        assert!(page.contains("<title>News &lt;report&gt;</title>"));
        assert!(!page.contains("</script><b>"), "document text closed the data element");
        assert!(!page.contains("{{"), "placeholder left");
        assert!(!page.contains("http://") && !page.contains("https://"), "the page must not load anything");
        let start = page.find("id=\"docpipe-data\">").unwrap() + "id=\"docpipe-data\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        let data: Value = serde_json::from_str(&page[start..end]).unwrap();
        let doc = &data["docs"][0];
        assert_eq!(doc["e"][1][2], "GPE");
        assert_eq!(doc["e"][0][3], "Anna Keller");
        // "Zürich" is one byte longer in UTF-8 than in UTF-16.
        assert_eq!(doc["u"][0], json!([0, 46]));
        assert_eq!(data["labels"][0][0], "PERSON");
    }
}
