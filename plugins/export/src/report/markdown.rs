//! The Markdown report: the run table, entity counts and one table row per document
//! (summary, top entities, duplicate link), compact enough for a terminal or a pull request.
//!
//! Each listed document's row is rendered by [`doc_row`] when it arrives (into the report's
//! [`Spill`]); [`render`] streams the report, the spilled rows included, into the output.
//! Dropped duplicates received as drop records get a short table of their own after the
//! documents ([`dropped_row`]: id, stage, what each repeats).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{self, Write};

use docpipe_core::stats::RunStats;

use std::path::Path;

use docpipe_core::stage::DropRecord;

use super::{DroppedDoc, Report, ReportDoc, Spill};

/// Characters of a summary shown per document.
const SUMMARY_CHARS: usize = 240;
/// Entities listed per document.
const DOC_ENTITIES: usize = 5;
/// Entities listed per label in the corpus table.
const LABEL_ENTITIES: usize = 5;

/// Escapes text for a Markdown table cell (one line, no pipes, no HTML).
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.trim_end().to_owned()
}

fn clip(s: &str, chars: usize) -> String {
    match s.char_indices().nth(chars) {
        Some((i, _)) => format!("{}…", s[..i].trim_end()),
        None => s.to_owned(),
    }
}

/// Appends the table row of one listed document to `out`.
pub fn doc_row(d: &ReportDoc<'_>, out: &mut String) {
    // Mentions per name, most mentioned first; ties keep first-mention order.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for m in &d.mentions {
        let name = d.name_of(m);
        match index.get(name) {
            Some(&k) => counts[k].1 += 1,
            None => {
                index.insert(name, counts.len());
                counts.push((name, 1));
            }
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    let ents: Vec<String> = counts.iter().take(DOC_ENTITIES).map(|(n, _)| cell(n)).collect();
    let summary = d.summary.as_deref().map(|s| cell(&clip(s, SUMMARY_CHARS))).unwrap_or_default();
    let dup = match &d.duplicate_of {
        Some((of, Some(sim))) => format!("`{}` ({sim:.2})", of.replace('`', "'")),
        Some((of, None)) => format!("`{}`", of.replace('`', "'")),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "| `{}` | {} | {} | {} | {} |",
        d.id.replace('`', "'").replace('|', "\\|"),
        d.words,
        summary,
        ents.join(", "),
        dup
    );
}

/// Appends the table row of one dropped duplicate to `out`.
pub fn dropped_row(d: &DroppedDoc<'_>, _first: bool, out: &mut Vec<u8>) -> io::Result<()> {
    let code = |s: &str| format!("`{}`", s.replace('`', "'").replace('|', "\\|"));
    let mut of = d.of_doc.map(code).unwrap_or_default();
    if let Some((s, e)) = d.of_range {
        let _ = write!(of, " bytes {s}-{e}");
    }
    if let Some(sim) = d.similarity {
        let _ = write!(of, " ({sim:.2})");
    }
    writeln!(out, "| {} | {} | {of} |", code(d.id), cell(d.stage))
}

/// Adds a drop record to the report (see [`Report::add_dropped`]); `output` is the report's
/// path, beside which its drop spill goes.
pub fn add_dropped(report: &mut Report, rec: &DropRecord, output: &Path) -> io::Result<()> {
    report.add_dropped(rec, output, dropped_row)
}

/// Writes the report to `out`, the rows in `spill` (made by [`doc_row`]) and the dropped
/// duplicates (made by [`dropped_row`]) included.
pub fn render(
    report: &mut Report,
    spill: &mut Spill,
    stats: &RunStats,
    title: &str,
    timings: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut o = String::new();
    let totals = report.entity_totals();
    let mentions: u64 = totals.labels.iter().map(|l| l.1).sum();
    let _ = writeln!(o, "# {}\n", cell(title));
    let _ = writeln!(
        o,
        "{} documents · {} entity mentions ({}{} distinct) · {} summaries · {} duplicates found\n",
        report.seen,
        mentions,
        if totals.capped { "at least " } else { "" },
        totals.entities.len(),
        report.summaries,
        report.duplicates_found(stats)
    );
    let _ = writeln!(o, "## Run\n");
    let _ = writeln!(
        o,
        "| stage | type | in | out | dropped | failed |{}\n| --- | --- | ---: | ---: | ---: | ---: |{}",
        if timings { " time |" } else { "" },
        if timings { " ---: |" } else { "" }
    );
    let i = &stats.input;
    let _ = writeln!(
        o,
        "| input | {} files, {} bytes | - | {} | {} | {} |{}",
        i.files,
        i.bytes,
        i.documents,
        i.dropped.values().sum::<u64>(),
        i.failed,
        if timings { " - |" } else { "" }
    );
    for s in &stats.stages {
        let mut dropped = s.dropped_total().to_string();
        if !s.dropped.is_empty() {
            let why: Vec<String> = s.dropped.iter().map(|(k, v)| format!("{} {v}", cell(k))).collect();
            dropped.push_str(&format!(" ({})", why.join(", ")));
        }
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |{}",
            cell(&s.name),
            cell(&s.type_name),
            s.docs_in,
            s.docs_out,
            dropped,
            s.failed,
            if timings { format!(" {:.2}s |", s.seconds) } else { String::new() }
        );
    }
    if timings {
        let _ = writeln!(o, "\n{:.2}s on {} threads.", stats.seconds, stats.threads);
    }

    if !totals.labels.is_empty() {
        let _ = writeln!(o, "\n## Entities\n\n| label | mentions | most mentioned |\n| --- | ---: | --- |");
        let mut per_label: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for ((label, name), (m, _)) in &totals.entities {
            let v = per_label.entry(label.as_str()).or_default();
            if v.len() < LABEL_ENTITIES {
                v.push(format!("{} ({m})", cell(name)));
            }
        }
        for (label, n) in &totals.labels {
            let top = per_label.get(label.as_str()).map(|v| v.join(", ")).unwrap_or_default();
            let _ = writeln!(o, "| {} | {n} | {top} |", cell(label));
        }
    }

    let _ = writeln!(o, "\n## Documents\n");
    if report.is_capped() {
        let _ = writeln!(o, "The first {} of {} documents (max_documents).\n", report.listed, report.seen);
    }
    let _ = writeln!(o, "| id | words | summary | entities | duplicate of |\n| --- | ---: | --- | --- | --- |");
    out.write_all(o.as_bytes())?;
    spill.copy_to(out)?;
    if report.dropped_listed > 0 {
        let total = report.dropped_total();
        let mut o = String::from("\n## Dropped duplicates\n\n");
        if report.dropped_listed < total {
            let _ = writeln!(o, "The first {} of {total} dropped duplicates (max_documents).\n", report.dropped_listed);
        }
        o.push_str("| id | dropped by | duplicate of |\n| --- | --- | --- |\n");
        out.write_all(o.as_bytes())?;
        report.copy_dropped_to(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_cells() {
        assert_eq!(cell("a | b\n  c <x> *y*"), "a \\| b c &lt;x&gt; \\*y\\*");
    }

    #[test]
    fn renders_tables() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Report::new("entities", 0);
        let mut spill = Spill::new(dir.path());
        let mut d = crate::report::tests::rich_doc();
        d.attributes.insert("dedupe".into(), serde_json::json!({"duplicate_of": "orig", "similarity": 0.912}));
        r.add(&d, |view| {
            let mut row = String::new();
            doc_row(view, &mut row);
            spill.push(row.as_bytes())
        })
        .unwrap();
        let mut out = Vec::new();
        render(&mut r, &mut spill, &RunStats::default(), "News", false, &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        assert!(md.starts_with("# News\n"));
        assert!(md.contains("| PERSON | 2 | Anna Keller (2) |"), "{md}");
        assert!(md.contains("| `news.txt@0` | 15 | Anna Keller met officials in Zürich on Monday. | Anna Keller, Zürich | `orig` (0.91) |"), "{md}");
    }

    #[test]
    fn lists_dropped_duplicates_after_the_documents() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Report::new("entities", 0);
        let mut spill = Spill::new(dir.path());
        let rec = DropRecord {
            stage: "dedupe".into(),
            reason: "duplicate".into(),
            id: "copy|1".into(),
            source: docpipe_core::Source { path: "f".into(), start: 0, end: 3, line: None, edits: Vec::new() },
            detail: Some(serde_json::json!({"duplicate_of": "orig#0-12", "similarity": 0.9})),
        };
        add_dropped(&mut r, &rec, &dir.path().join("report.md")).unwrap();
        let mut out = Vec::new();
        render(&mut r, &mut spill, &RunStats::default(), "News", false, &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        assert!(
            md.ends_with(
                "\n## Dropped duplicates\n\n| id | dropped by | duplicate of |\n| --- | --- | --- |\n\
                 | `copy\\|1` | dedupe | `orig` bytes 0-12 (0.90) |\n"
            ),
            "{md}"
        );
    }
}
