//! What the CLI prints: the closing run table and the stage documentation.

use std::fmt::Write as _;
use std::process::ExitCode;

use docpipe_core::config::did_you_mean;
use docpipe_core::options::OptionDefault;
use docpipe_core::registry::{self, StageFactory};
use docpipe_core::runner::RunOutcome;

/// The closing table: per stage, documents in, out, dropped (with reasons), failed, time.
/// `wall` is the whole run as the CLI timed it: the runner's `seconds` stop before the sinks
/// finish (where the reports are written), so that part gets a `finish` row of its own.
pub fn run_table(config: &str, outcome: &RunOutcome, wall: f64) -> String {
    let s = &outcome.stats;
    let mut rows: Vec<[String; 7]> = Vec::new();
    rows.push([
        "stage".into(),
        "type".into(),
        "in".into(),
        "out".into(),
        "dropped".into(),
        "failed".into(),
        "time".into(),
    ]);
    let input_dropped: u64 = s.input.dropped.values().sum();
    rows.push([
        "input".into(),
        format!("{} files", s.input.files),
        (s.input.documents + input_dropped + s.input.failed).to_string(),
        s.input.documents.to_string(),
        input_dropped.to_string(),
        s.input.failed.to_string(),
        "-".into(),
    ]);
    for st in &s.stages {
        rows.push([
            st.name.clone(),
            st.type_name.clone(),
            st.docs_in.to_string(),
            st.docs_out.to_string(),
            st.dropped_total().to_string(),
            st.failed.to_string(),
            format!("{:.2}s", st.seconds),
        ]);
    }
    let wall = wall.max(s.seconds);
    rows.push([
        "finish".into(),
        "sinks, commit".into(),
        "-".into(),
        "-".into(),
        "-".into(),
        "-".into(),
        format!("{:.2}s", wall - s.seconds),
    ]);
    let widths: Vec<usize> = (0..7).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{config}: {} input bytes in {:.2}s on {} thread{}{}",
        s.input.bytes,
        wall,
        s.threads,
        if s.threads == 1 { "" } else { "s" },
        s.peak_rss_bytes.map(|b| format!(", peak memory {:.1} MiB", b as f64 / (1 << 20) as f64)).unwrap_or_default()
    );
    for (i, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c < 2 {
                let _ = write!(line, "{cell:<w$}  ", w = widths[c]);
            } else {
                let _ = write!(line, "{cell:>w$}  ", w = widths[c]);
            }
        }
        let _ = writeln!(out, "  {}", line.trim_end());
        if i == 0 {
            let _ = writeln!(out, "  {}", "-".repeat(widths.iter().sum::<usize>() + 12));
        }
    }
    let mut reasons = Vec::new();
    for (r, n) in &s.input.dropped {
        reasons.push(format!("input: {r} ({n})"));
    }
    for st in &s.stages {
        for (r, n) in &st.dropped {
            match st.dropped_bytes.get(r) {
                Some(b) => reasons.push(format!("{}: {r} ({n}, {})", st.name, human_bytes(*b))),
                None => reasons.push(format!("{}: {r} ({n})", st.name)),
            }
        }
    }
    if !reasons.is_empty() {
        let _ = writeln!(out, "  dropped: {}", reasons.join(", "));
    }
    for st in &s.stages {
        if !st.counters.is_empty() {
            let list: Vec<String> = st
                .counters
                .iter()
                .map(|(k, v)| if k.contains("bytes") { format!("{k} {}", human_bytes(*v)) } else { format!("{k} {v}") })
                .collect();
            let _ = writeln!(out, "  {}: {}", st.name, list.join(", "));
        }
    }
    if s.input.utf8_replacements > 0 {
        let _ = writeln!(out, "  invalid UTF-8: {} sequences replaced by U+FFFD", s.input.utf8_replacements);
    }
    match &outcome.documents_path {
        Some(p) => {
            let _ = writeln!(out, "  wrote {} documents to {}", s.written, p.display());
        }
        None => {
            let _ = writeln!(out, "  {} documents reached the end of the pipeline", s.final_documents());
        }
    }
    if outcome.failed > 0 {
        let _ =
            writeln!(out, "  {} failed, listed with their errors in {}", outcome.failed, outcome.failed_path.display());
    }
    let _ = writeln!(out, "  statistics in {}", outcome.output_dir.join(docpipe_core::runner::STATS_FILE).display());
    out
}

/// `docpipe stages [NAME] [--json | --markdown]` (`--markdown` without NAME is
/// [`stages_markdown`]).
pub fn stages(name: Option<&str>, json: bool, markdown: bool) -> ExitCode {
    let all = registry::factories();
    match name {
        None if json => {
            let v: Vec<serde_json::Value> = all.iter().map(|f| factory_json(f)).collect();
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        None => {
            let w = all.iter().map(|f| f.name.len()).max().unwrap_or(0);
            for f in &all {
                println!("{:<w$}  {:<8} {}", f.name, kind_word(f), f.summary);
            }
            println!("\n`docpipe stages NAME` prints a stage's options and an example.");
        }
        Some(n) => {
            let Some(f) = registry::find(n) else {
                let names: Vec<&str> = all.iter().map(|f| f.name).collect();
                eprintln!("error: no stage type `{n}`{}; known: {}", did_you_mean(n, &names), names.join(", "));
                return ExitCode::from(2);
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&factory_json(f)).unwrap_or_default());
            } else if markdown {
                print!("{}", stage_markdown(f));
            } else {
                print!("{}", stage_doc(f));
            }
        }
    }
    ExitCode::SUCCESS
}

/// `docpipe stages --schema [NAME]`: the JSON Schema of a pipeline config, or of one stage
/// type's `[[stage]]` table.
pub fn schema(name: Option<&str>) -> ExitCode {
    match name {
        None => print!("{}", pipeline_schema()),
        Some(n) => {
            let Some(f) = registry::find(n) else {
                let names: Vec<&str> = registry::factories().iter().map(|f| f.name).collect();
                eprintln!("error: no stage type `{n}`{}; known: {}", did_you_mean(n, &names), names.join(", "));
                return ExitCode::from(2);
            };
            println!("{}", serde_json::to_string_pretty(&f.schema()).unwrap_or_default());
        }
    }
    ExitCode::SUCCESS
}

/// `config/pipeline.schema.json`: the JSON Schema of a pipeline config with every registered
/// stage (checked in; a test keeps it current).
pub fn pipeline_schema() -> String {
    serde_json::to_string_pretty(&registry::pipeline_schema()).unwrap_or_default() + "\n"
}

/// The default as `docpipe stages NAME` and `docs/stages.md` show it.
fn default_text(d: &OptionDefault) -> String {
    match d {
        OptionDefault::Required => "required".to_owned(),
        OptionDefault::None => "optional, unset by default".to_owned(),
        other => format!("default {other}"),
    }
}

fn kind_word(f: &StageFactory) -> &'static str {
    match f.kind {
        docpipe_core::StageKind::Map => "map",
        docpipe_core::StageKind::Ordered => "ordered",
        docpipe_core::StageKind::Sink => "sink",
    }
}

fn factory_json(f: &StageFactory) -> serde_json::Value {
    serde_json::json!({
        "name": f.name,
        "package": f.package,
        "kind": f.kind,
        "summary": f.summary,
        "description": f.description,
        "options": f.options().iter().map(|o| serde_json::json!({
            "name": o.name,
            "type": o.ty,
            "required": o.default == OptionDefault::Required,
            "default": match &o.default {
                OptionDefault::Required | OptionDefault::None => serde_json::Value::Null,
                other => other.to_string().into(),
            },
            "doc": o.doc,
            "schema": o.schema,
        })).collect::<Vec<_>>(),
        "example": f.example,
        "attributes": f.attributes.iter().map(|d| serde_json::json!({
            "key": d.key,
            "doc": d.doc,
            "fields": d.fields.iter().map(|a| serde_json::json!({
                "name": a.name, "type": a.ty.describe(), "doc": a.doc,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The documentation of one stage, as printed by `docpipe stages NAME`.
pub fn stage_doc(f: &StageFactory) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}\n", f.name, f.summary);
    let _ = writeln!(out, "kind: {}   crate: {}", f.kind, f.package);
    if !f.description.is_empty() {
        let _ = writeln!(out, "\n{}", wrap(f.description, 88, ""));
    }
    let _ = writeln!(out, "\nOPTIONS");
    for o in f.options() {
        let _ = writeln!(out, "  {} ({}; {})", o.name, o.ty, default_text(&o.default));
        let _ = writeln!(out, "{}", wrap(o.doc, 84, "      "));
    }
    let _ =
        writeln!(out, "\n  Every stage also takes: type (the stage type), name (a label for logs and the run table),");
    let _ =
        writeln!(out, "  on_error (\"skip\" | \"fail\", default from [run]): what to do when it fails on a document.");
    for d in f.attributes {
        let _ = writeln!(out, "\nWRITES attributes.{}: {}", d.key, d.doc);
        for a in d.fields {
            let _ = writeln!(out, "  {} ({})", a.name, a.ty.describe());
            let _ = writeln!(out, "{}", wrap(a.doc, 84, "      "));
        }
    }
    let _ = writeln!(out, "\nEXAMPLE\n{}", f.example.trim_end());
    out
}

fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(format!("{indent}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(format!("{indent}{line}"));
    }
    lines.join("\n")
}

/// `docs/stages.md`: every registered stage as Markdown (checked in; a test keeps it current).
pub fn stages_markdown() -> String {
    let mut out = String::from(
        "# Stages\n\nGenerated from the stage registry by `cargo xtask docs`; do not edit by hand. `docpipe stages NAME` prints the same.\n",
    );
    for f in registry::factories() {
        let _ = write!(out, "\n{}", stage_markdown(f));
    }
    out
}

/// One stage as Markdown: its section of `docs/stages.md`, and `docpipe stages NAME --markdown`.
pub fn stage_markdown(f: &StageFactory) -> String {
    let mut out = String::new();
    let _ = write!(out, "## `{}`\n\n{}.\n\n*Kind:* {}. *Crate:* `{}`.\n", f.name, f.summary, f.kind, f.package);
    if !f.description.is_empty() {
        let _ = write!(out, "\n{}\n", f.description);
    }
    let _ = write!(out, "\n| option | type | default | meaning |\n| --- | --- | --- | --- |\n");
    for o in f.options() {
        let default = match &o.default {
            OptionDefault::Required => "required".to_owned(),
            OptionDefault::None => "none (optional)".to_owned(),
            other => format!("`{other}`"),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            o.name,
            o.ty.replace('|', "\\|"),
            default,
            o.doc.replace('|', "\\|")
        );
    }
    let _ = write!(out, "\nEvery stage also takes `type`, `name` and `on_error` (`\"skip\"` or `\"fail\"`).\n");
    for d in f.attributes {
        let _ = write!(
            out,
            "\n*Writes* `attributes.{}`: {} (a typed struct column in Parquet output)\n\n| field | type | meaning |\n| --- | --- | --- |\n",
            d.key,
            d.doc.trim_end_matches('.')
        );
        for a in d.fields {
            let _ = writeln!(out, "| `{}` | {} | {} |", a.name, a.ty.describe(), a.doc.replace('|', "\\|"));
        }
    }
    let _ = write!(out, "\n```toml\n{}\n```\n", f.example.trim_end());
    out
}

/// `1234` → `1.2 KB`: bytes for people (powers of 1000, one decimal above a kilobyte).
pub(crate) fn human_bytes(b: u64) -> String {
    match b {
        0..1_000 => format!("{b} B"),
        1_000..1_000_000 => format!("{:.1} KB", b as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        _ => format!("{:.1} GB", b as f64 / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docpipe_core::stats::{RunStats, StageStats};

    // Issue 14: the run-time line left out the report sinks (38.8 s shown, 49.8 s wall).
    #[test]
    fn the_run_time_includes_the_sinks() {
        let stats = RunStats {
            seconds: 38.8,
            threads: 2,
            stages: vec![StageStats { name: "report".into(), type_name: "export".into(), ..StageStats::default() }],
            ..RunStats::default()
        };
        let outcome = RunOutcome {
            stats,
            output_dir: "out".into(),
            documents_path: None,
            failed_path: "out/failed.jsonl".into(),
            failed: 0,
        };
        let table = run_table("p.toml", &outcome, 49.8);
        assert!(table.contains("0 input bytes in 49.80s on 2 threads"), "{table}");
        assert!(table.contains("finish  sinks, commit"), "{table}");
        assert!(table.contains("11.00s"), "{table}");
    }

    /// Issue 15: attribute keys are declared once (the Parquet struct has one child per key),
    /// each declaration has fields with distinct names (a struct needs at least one), and
    /// `docpipe stages NAME` and `docs/stages.md` show them.
    #[test]
    fn attribute_declarations_are_consistent() {
        let dups = registry::duplicate_attribute_keys();
        assert!(dups.is_empty(), "attribute keys declared by more than one stage: {dups:?}");
        let declared = registry::declared_attributes();
        let keys: Vec<&str> = declared.iter().map(|d| d.key).collect();
        assert_eq!(keys, ["dedupe", "extract", "normalise", "splitter", "summary"]);
        for d in &declared {
            let mut names: Vec<&str> = d.fields.iter().map(|f| f.name).collect();
            assert!(!names.is_empty(), "attributes.{} declares no field", d.key);
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), d.fields.len(), "attributes.{} declares a field twice", d.key);
        }
        let normalise = registry::find("normalise").unwrap();
        assert!(stage_doc(normalise).contains("WRITES attributes.normalise"));
        assert!(stage_doc(normalise).contains("  changes (int)"));
        assert!(stage_markdown(normalise).contains("| `glued_words_split` | int |"));
        let summarise = registry::find("summarise").unwrap();
        assert!(stage_doc(summarise).contains("sentences (list<struct<start: int, end: int, doc: string"));
    }
}
