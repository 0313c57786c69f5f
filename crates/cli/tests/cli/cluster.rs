//! Issue 16: what a distributed driver (Spark's `RDD.pipe`, Ray tasks) needs from one
//! `docpipe run`: named standard input, `--format`, input failures that honour
//! `[run] on_error = "fail"`, plain logs on a pipe, and `DOCPIPE_THREADS`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const CONFIG: &str = "[output]\ndir = \"out\"\n";

/// Runs `docpipe` in `dir` with `env` set and `stdin` on standard input; stderr is a pipe.
fn docpipe(args: &[&str], dir: &Path, env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_docpipe"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("DOCPIPE_THREADS")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A child that stops early (a usage error) may exit before reading: a broken pipe is fine.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn setup(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.toml"), config).unwrap();
    dir
}

fn documents(dir: &Path) -> Vec<serde_json::Value> {
    let out = std::fs::read_to_string(dir.join("out/documents.jsonl")).unwrap();
    out.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn stdin_name_replaces_dash_in_ids_and_source() {
    let dir = setup(CONFIG);
    let input = b"{\"text\":\"one\"}\n{\"id\":\"kept\",\"text\":\"two\"}\n{\"text\":\"three\"}\n";
    let out = docpipe(&["run", "p.toml", "-i", "-", "--stdin-name", "part-00003", "-q"], dir.path(), &[], input);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let docs = documents(dir.path());
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["part-00003:1", "kept", "part-00003:3"]);
    assert!(docs.iter().all(|d| d["source"]["path"] == "part-00003"), "{docs:?}");

    // Without the flag, standard input is `-` as before.
    let dir = setup(CONFIG);
    let out = docpipe(&["run", "p.toml", "-i", "-", "-q"], dir.path(), &[], input);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(documents(dir.path())[0]["id"], "-:1");

    // Naming standard input when none is read is a usage error.
    let dir = setup(CONFIG);
    std::fs::write(dir.path().join("a.txt"), "x").unwrap();
    let out = docpipe(&["run", "p.toml", "-i", "a.txt", "--stdin-name", "p1"], dir.path(), &[], b"");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--stdin-name p1: no input is standard input"), "{}", text(&out.stderr));
}

#[test]
fn format_flag_reads_part_files_without_an_extension_as_jsonl() {
    let dir = setup(CONFIG);
    std::fs::write(dir.path().join("part-00000"), "{\"text\":\"one\"}\n{\"text\":\"two\"}\n").unwrap();
    std::fs::write(dir.path().join("notes"), "plain words, not JSON\n").unwrap();

    // `auto` keeps reading an extension-less file as one text document, with a warning.
    let out = docpipe(&["run", "p.toml", "-i", "part-00000", "-i", "notes", "--no-progress"], dir.path(), &[], b"");
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(documents(dir.path()).len(), 2);
    assert!(stderr.contains("file=part-00000") && stderr.contains("pass `--format jsonl`"), "{stderr}");
    assert!(!stderr.contains("file=notes"), "{stderr}");

    let out =
        docpipe(&["run", "p.toml", "-i", "part-00000", "--format", "jsonl", "--no-progress"], dir.path(), &[], b"");
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("--format jsonl"), "{stderr}");
    let ids: Vec<String> = documents(dir.path()).iter().map(|d| d["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, ["part-00000:1", "part-00000:2"]);

    // The flag replaces `input.format`.
    let dir = setup("[input]\nformat = \"jsonl\"\n[output]\ndir = \"out\"\n");
    std::fs::write(dir.path().join("a.jsonl"), "{\"text\":\"one\"}\n{\"text\":\"two\"}\n").unwrap();
    let out = docpipe(&["run", "p.toml", "-i", "a.jsonl", "--format", "text", "-q"], dir.path(), &[], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(documents(dir.path()).len(), 1);

    let out = docpipe(&["run", "p.toml", "--format", "csv"], dir.path(), &[], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_malformed_line_stops_a_run_under_on_error_fail() {
    let input = b"{\"text\":\"one\"}\n{oops\n{\"text\":\"three\"}\n";
    let dir = setup("[output]\ndir = \"out\"\n[run]\non_error = \"fail\"\n");
    let out = docpipe(&["run", "p.toml", "-i", "-", "--stdin-name", "s1"], dir.path(), &[], input);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("s1:2: malformed JSON"), "{stderr}");
    assert!(stderr.contains("no output file was committed"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path().join("out")).map(|d| d.collect()).unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");

    // Under `skip` (the default) the line goes to failed.jsonl and the run succeeds.
    let dir = setup(CONFIG);
    let out = docpipe(&["run", "p.toml", "-i", "-", "-q"], dir.path(), &[], input);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(documents(dir.path()).len(), 2);
    let failed = std::fs::read_to_string(dir.path().join("out/failed.jsonl")).unwrap();
    assert!(failed.contains("-:2: malformed JSON"), "{failed}");
}

#[test]
fn logs_on_a_pipe_carry_no_colour_codes() {
    let dir = setup(CONFIG);
    std::fs::write(dir.path().join("part-1"), "{\"text\":\"one\"}\n").unwrap();
    // Warnings (the auto-format hint, a failed line), stderr to a pipe, no NO_COLOR.
    let out = docpipe(
        &["run", "p.toml", "-i", "part-1", "-i", "-", "-vv"],
        dir.path(),
        &[("TERM", "xterm-256color"), ("NO_COLOR", "")],
        b"{bad\n",
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("WARN"), "{stderr}");
    assert!(!out.stderr.contains(&0x1b), "escape codes on a pipe: {stderr:?}");
}

#[test]
fn docpipe_threads_sets_the_default_thread_count() {
    let threads = |dir: &Path| -> u64 {
        let stats: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("out/stats.json")).unwrap()).unwrap();
        stats["threads"].as_u64().unwrap()
    };
    let dir = setup("[output]\ndir = \"out\"\n[run]\nthreads = 2\n");
    let out = docpipe(&["run", "p.toml", "-i", "-", "-q"], dir.path(), &[("DOCPIPE_THREADS", "3")], b"hello");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(threads(dir.path()), 3);
    // --threads wins over the environment.
    let out = docpipe(&["run", "p.toml", "-i", "-", "-q", "-j", "1"], dir.path(), &[("DOCPIPE_THREADS", "3")], b"hi");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(threads(dir.path()), 1);
    let out = docpipe(&["run", "p.toml", "-i", "-"], dir.path(), &[("DOCPIPE_THREADS", "lots")], b"hi");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("DOCPIPE_THREADS: `lots` is not a thread count"), "{}", text(&out.stderr));
}

/// The default thread count is what the process may use, not the machine's cores: run under
/// `taskset -c 0` (one allowed CPU), a run has one worker thread. (The cgroup quota is read by
/// the same `std::thread::available_parallelism` call.) Skipped where `taskset` is missing.
#[cfg(target_os = "linux")]
#[test]
fn the_default_thread_count_follows_the_cpu_affinity_mask() {
    let dir = setup(CONFIG);
    std::fs::write(dir.path().join("a.txt"), "words").unwrap();
    let status = Command::new("taskset")
        .args(["-c", "0"])
        .arg(env!("CARGO_BIN_EXE_docpipe"))
        .args(["run", "p.toml", "-i", "a.txt", "-q"])
        .current_dir(dir.path())
        .env_remove("DOCPIPE_THREADS")
        .stdin(Stdio::null())
        .status();
    let Ok(status) = status else { return };
    assert!(status.success());
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/stats.json")).unwrap()).unwrap();
    assert_eq!(stats["threads"], 1);
}

#[test]
fn a_failed_run_says_what_it_already_streamed_to_stdout() {
    // Export to `-` streams as documents arrive; a run that fails afterwards cannot take those
    // bytes back, and must not claim that nothing went out.
    let mut input = String::new();
    for i in 0..2000 {
        input.push_str(&format!("{{\"id\":\"d{i}\",\"text\":\"document {i}\"}}\n"));
    }
    input.push_str("{oops\n");
    let dir = setup(
        "[output]\ndir = \"out\"\nwrite_documents = false\n[run]\non_error = \"fail\"\nbatch_size = 1\n\n[[stage]]\ntype = \"export\"\npath = \"-\"\n",
    );
    let out = docpipe(
        &["run", "p.toml", "-i", "-", "--stdin-name", "s1", "--no-progress"],
        dir.path(),
        &[],
        input.as_bytes(),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!out.stdout.is_empty(), "the export streamed nothing before the failure: {stderr}");
    assert!(stderr.contains("streamed to standard output when the run stopped"), "{stderr}");
    assert!(stderr.contains("no output file was committed"), "{stderr}");
}
