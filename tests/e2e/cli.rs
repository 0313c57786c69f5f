//! The CLI's promises: `check` explains mistakes with line:col and a did-you-mean, `stages`
//! documents every stage, exit codes are 0 / 1 / 2, logs are plain text off a terminal and
//! repeated warnings are summarised.

use std::path::Path;

use crate::{docpipe, docpipe_in, s, stats};

#[test]
fn check_reports_every_mistake_with_position_and_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("typos.toml");
    std::fs::write(
        &cfg,
        "[input]\npaths = [\".\"]\n\n[[stage]]\ntype = \"normalize\"\n\n[[stage]]\ntype = \"normalise\"\nqoutes = \"curly\"\n\n[[stage]]\ntype = \"normalise\"\nmax_blank_lines = \"two\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.txt"), "text").unwrap();
    let r = docpipe(&["check", s(&cfg)]);
    assert_eq!(r.code, 2, "{r:?}");
    let name = s(&cfg);
    assert!(
        r.stderr.contains(&format!("{name}:5:8: unknown stage type `normalize`; did you mean `normalise`?")),
        "{r:?}"
    );
    assert!(r.stderr.contains(&format!("{name}:9:1: stage `normalise`: unknown field `qoutes`")), "{r:?}");
    assert!(r.stderr.contains("did you mean `quotes`?"), "{r:?}");
    assert!(
        r.stderr.contains(&format!(
            "{name}:13:19: stage `normalise`: invalid type: string \"two\", expected a non-negative integer"
        )),
        "{r:?}"
    );
    assert!(r.stderr.contains("3 errors"), "{r:?}");
}

#[test]
fn check_accepts_a_valid_config() {
    let r = docpipe(&["check", "config/news.toml"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("ok"), "{r:?}");
}

#[test]
fn stages_lists_and_documents() {
    let r = docpipe(&["stages"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("normalise"), "{r:?}");
    let r = docpipe(&["stages", "normalise"]);
    assert_eq!(r.code, 0);
    for needle in ["OPTIONS", "quotes", "glued_words", "EXAMPLE", "type = \"normalise\""] {
        assert!(r.stdout.contains(needle), "missing {needle}: {r:?}");
    }
    let r = docpipe(&["stages", "normalize"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `normalise`?"), "{r:?}");
    let r = docpipe(&["stages", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|s| s["name"] == "normalise"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(docpipe(&["frobnicate"]).code, 2);
    assert_eq!(docpipe(&["run", "--threads", "many"]).code, 2);
    assert_eq!(docpipe(&["--version"]).code, 0);
}

/// A folder with `n` JSONL records that have no `text` (each fails as input) and one good one.
fn records_without_text(dir: &Path, n: usize) -> std::path::PathBuf {
    let input = dir.join("truth.jsonl");
    let mut body = String::from("{\"id\":\"ok\",\"text\":\"A good record.\"}\n");
    for i in 0..n {
        body.push_str(&format!("{{\"id\":\"t{i}\",\"label\":\"x\"}}\n"));
    }
    std::fs::write(&input, body).unwrap();
    input
}

// Issue 14: log lines carried ANSI colour codes when stderr was a pipe.
#[test]
fn log_lines_have_no_colour_off_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let input = records_without_text(dir.path(), 1);
    let out = dir.path().join("out");
    let r = docpipe(&["run", "config/news.toml", "-i", s(&input), "-o", s(&out)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("input failed"), "{r:?}");
    assert!(!r.stderr.contains('\u{1b}'), "colour codes on a pipe: {r:?}");
}

// Issue 14: `-o -` made a folder called `-`.
#[test]
fn output_dash_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let r = docpipe_in(dir.path(), &["run", "-o", "-"], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("standard output"), "{r:?}");
    assert!(!dir.path().join("-").exists(), "a folder called `-` was made");
    let cfg = dir.path().join("p.toml");
    std::fs::write(&cfg, "[input]\npaths = [\"p.toml\"]\n[output]\ndir = \"-\"\n").unwrap();
    let r = docpipe(&["check", s(&cfg)]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains(&format!("{}:4:7: output.dir", s(&cfg))), "{r:?}");
}

// Issue 14: `check` stopped at the first error of each table and stage.
#[test]
fn check_reports_every_error_of_every_table_and_stage() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("p.toml");
    std::fs::write(
        &cfg,
        "[input]\npaths = [\".\"]\npatsh = 1\nformat = \"jsnl\"\nexclud = []\n\n[run]\nbatch_size = \"big\"\non_eror = \"skip\"\n\n[[stage]]\ntype = \"normalise\"\nqoutes = \"curly\"\nmax_blank_lines = -1\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.txt"), "text").unwrap();
    let r = docpipe(&["check", s(&cfg)]);
    assert_eq!(r.code, 2, "{r:?}");
    let name = s(&cfg);
    for needle in [
        format!("{name}:3:1: [input] unknown field `patsh`"),
        format!("{name}:4:10: [input] unknown variant `jsnl`"),
        format!("{name}:5:1: [input] unknown field `exclud`"),
        format!("{name}:8:14: [run] invalid type: string \"big\", expected a non-negative integer"),
        format!("{name}:9:1: [run] unknown field `on_eror`"),
        format!("{name}:13:1: stage `normalise`: unknown field `qoutes`"),
        format!("{name}:14:19: stage `normalise`: invalid value: integer `-1`, expected a non-negative integer"),
    ] {
        assert!(r.stderr.contains(&needle), "missing {needle}: {r:?}");
    }
    assert!(r.stderr.contains("7 errors"), "{r:?}");
}

// Issue 14: one missing `]` gave seven cascading errors.
#[test]
fn one_syntax_error_gives_one_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("p.toml");
    std::fs::write(
        &cfg,
        "[input]\npaths = [\".\"\nformat = \"jsonl\"\n\n[output]\ndir = \"out\"\n\n[[stage]]\ntype = \"normalise\"\nquotes = \"curly\"\n",
    )
    .unwrap();
    let r = docpipe(&["check", s(&cfg)]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains(&format!("{}:3:1: ", s(&cfg))), "{r:?}");
    assert!(r.stderr.contains("is a `]` missing at the end of line 2?"), "{r:?}");
    assert!(r.stderr.contains("\n1 error in the config"), "{r:?}");
}

// Issue 14: `-j 100000` and `run.threads = 100000` started a huge pool and hung for minutes.
#[test]
fn absurd_thread_counts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("p.toml");
    std::fs::write(&cfg, "[input]\npaths = [\"p.toml\"]\n\n[run]\nthreads = 100000\n").unwrap();
    let r = docpipe(&["check", s(&cfg)]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains(&format!("{}:5:11: [run] threads = 100000", s(&cfg))), "{r:?}");
    let started = std::time::Instant::now();
    let r = docpipe_in(dir.path(), &["run", "-j", "100000"], None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--threads"), "{r:?}");
    assert!(started.elapsed().as_secs() < 30, "took {:?}", started.elapsed());
    assert!(!dir.path().join("docpipe-out").exists(), "the run started");
}

// Issue 14: a thread count far above the cores is capped, with a warning that says so.
#[test]
fn large_thread_counts_are_capped() {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let cap = (cores * 16).min(1024);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let asked = (cap + 1).to_string();
    let r = docpipe(&["run", "config/news.toml", "-j", &asked, "-o", s(&out)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains(&format!("capped at {cap}")), "{r:?}");
    assert_eq!(stats(&out).threads, cap);
}

// Issue 14: a folder whose records have no `text` flooded the terminal with one warning each.
#[test]
fn repeated_warnings_are_summarised() {
    let dir = tempfile::tempdir().unwrap();
    let input = records_without_text(dir.path(), 12);
    let out = dir.path().join("out");
    let r = docpipe(&["run", "config/news.toml", "-i", s(&input), "-o", s(&out)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stderr.matches("input failed").count(), 6, "5 warnings and one summary: {r:?}");
    assert!(r.stderr.contains("… and 7 more `input failed` warnings"), "{r:?}");
    assert!(r.stderr.contains("failed.jsonl"), "{r:?}");
}

// Issue 14: `stages NAME --markdown` was refused although the README shows it.
#[test]
fn stages_markdown_of_one_stage() {
    let r = docpipe(&["stages", "normalise", "--markdown"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with("## `normalise`"), "{r:?}");
    assert!(r.stdout.contains("| `quotes` |"), "{r:?}");
    assert!(!r.stdout.contains("## `export`"), "{r:?}");
    assert_eq!(docpipe(&["stages", "normalize", "--markdown"]).code, 2);
}
