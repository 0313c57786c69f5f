//! The CLI's promises: `check` explains mistakes with line:col and a did-you-mean, `stages`
//! documents every stage, exit codes are 0 / 1 / 2.

use crate::{docpipe, s};

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
        r.stderr.contains(&format!("{name}:13:19: stage `normalise`: invalid type: string \"two\", expected usize")),
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
