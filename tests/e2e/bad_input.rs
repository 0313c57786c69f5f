//! Bad input gets a clear error naming the file and position, nothing is lost and nothing
//! panics: read = written + dropped + failed, and failures are listed in failed.jsonl.

use std::io::Write;
use std::path::Path;

use crate::{docpipe, docpipe_in, read_jsonl, s, stats};

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn config(dir: &Path, extra_input: &str) -> std::path::PathBuf {
    let cfg = dir.join("p.toml");
    std::fs::write(
        &cfg,
        format!(
            "[input]\npaths = [\"in\"]\n{extra_input}\n[output]\ndir = \"out\"\n\n[[stage]]\ntype = \"normalise\"\n"
        ),
    )
    .unwrap();
    cfg
}

fn bad_corpus(dir: &Path) {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    write(&input, "good.txt", "A good “document” with text.\n".as_bytes());
    write(&input, "empty.txt", b"");
    write(&input, "binary.txt", b"PK\x03\x04\x00\x00binary");
    write(&input, "latin1.txt", b"caf\xe9 cr\xe8me and more text\n");
    write(
        &input,
        "records.jsonl",
        b"{\"id\":\"r1\",\"text\":\"first record\",\"outlet\":\"Wire\"}\n{\"id\":\"r2\",\"text\":\n\n{\"title\":\"no text\"}\n[1,2]\n{\"id\":\"r6\",\"text\":\"last record\"}\n",
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"A compressed document.\n").unwrap();
    write(&input, "packed.txt.gz", &gz.finish().unwrap());
    write(&input, "notes.bin", b"\x00\x01 ignored: unknown extension inside a directory");
}

#[test]
fn every_bad_input_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    bad_corpus(dir.path());
    let cfg = config(dir.path(), "");
    let r = docpipe(&["run", s(&cfg)]);
    assert_eq!(r.code, 0, "{r:?}");
    let out = dir.path().join("out");
    let st = stats(&out);
    let failed = read_jsonl(&out.join("failed.jsonl"));
    let docs = read_jsonl(&out.join("documents.jsonl"));
    let errors: Vec<String> = failed.iter().map(|f| f["error"].as_str().unwrap().to_owned()).collect();
    let joined = errors.join("\n");
    assert!(joined.contains("binary.txt:byte 4: binary file"), "{joined}");
    assert!(joined.contains("records.jsonl:2: malformed JSON"), "{joined}");
    assert!(joined.contains("records.jsonl:4: record has no `text` field"), "{joined}");
    assert!(joined.contains("records.jsonl:5: expected a JSON object"), "{joined}");
    assert_eq!(st.input.dropped.get("empty file"), Some(&1));
    assert_eq!(st.input.utf8_replacements, 2);
    // good, latin1 (lossy), packed, r1, r6.
    assert_eq!(docs.len(), 5, "{docs:?}");
    let units_read = st.input.documents + st.input.failed + st.input.dropped.values().sum::<u64>();
    assert_eq!(units_read, 5 + 4 + 1);
    assert_eq!(st.written + st.input.failed + st.input.dropped.values().sum::<u64>(), units_read);
    assert!(r.stderr.contains("failed.jsonl"), "the run table must point at failed.jsonl: {r:?}");
    let latin = docs.iter().find(|d| d["source"]["path"].as_str().unwrap().ends_with("latin1.txt")).unwrap();
    assert!(latin["text"].as_str().unwrap().starts_with("caf\u{FFFD} cr\u{FFFD}me"));
}

#[test]
fn invalid_utf8_policies() {
    let dir = tempfile::tempdir().unwrap();
    bad_corpus(dir.path());
    let cfg = config(dir.path(), "invalid_utf8 = \"skip\"");
    assert_eq!(docpipe(&["run", s(&cfg)]).code, 0);
    let failed = read_jsonl(&dir.path().join("out/failed.jsonl"));
    assert!(failed.iter().any(|f| f["error"].as_str().unwrap().contains("latin1.txt:byte 3: invalid UTF-8")));

    let dir = tempfile::tempdir().unwrap();
    bad_corpus(dir.path());
    let cfg = config(dir.path(), "invalid_utf8 = \"fail\"");
    let r = docpipe(&["run", s(&cfg)]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("latin1.txt:byte 3: invalid UTF-8"), "{r:?}");
    assert!(!dir.path().join("out/documents.jsonl").exists(), "a failed run must not commit output");
}

#[test]
fn missing_and_bad_paths_are_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("p.toml");
    std::fs::write(&cfg, "[input]\npaths = [\"nowhere\", \"*.nomatch\"]\n\n[output]\ndir = \"p.toml/sub\"\n").unwrap();
    let r = docpipe(&["check", s(&cfg)]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("p.toml:2:10: input path "), "{r:?}");
    assert!(r.stderr.contains("nowhere` does not exist"), "{r:?}");
    assert!(r.stderr.contains("p.toml:2:21: `"), "{r:?}");
    assert!(r.stderr.contains("matches no input file"), "{r:?}");
    assert!(r.stderr.contains("p.toml:5:7: output.dir"), "{r:?}");
    assert!(r.stderr.contains("exists and is not a directory"), "{r:?}");
    let r = docpipe(&["run", "/no/such/config.toml"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("/no/such/config.toml:1:1: cannot read config"), "{r:?}");
}

#[test]
fn standard_input_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "");
    let r = docpipe_in(
        dir.path(),
        &["run", s(&cfg), "--input", "-"],
        Some(b"{\"text\": \"from stdin\", \"id\": \"s1\"}\n"),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let docs = read_jsonl(&dir.path().join("out/documents.jsonl"));
    assert_eq!(docs[0]["id"], "s1");
    let r = docpipe_in(
        dir.path(),
        &["run", s(&cfg), "--input", "-"],
        Some("plain  text\u{00A0}from standard input".as_bytes()),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let docs = read_jsonl(&dir.path().join("out/documents.jsonl"));
    assert_eq!(docs[0]["text"], "plain text from standard input");
    assert_eq!(docs[0]["id"], "-@0");
}

/// A single-line file far larger than any batch: read as one document, processed, written.
#[test]
fn a_large_single_line_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let mut big = Vec::with_capacity(48 << 20);
    while big.len() < 48 << 20 {
        big.extend_from_slice("Glued words\u{00A0}and “quotes” on one line without any break. ".as_bytes());
    }
    std::fs::write(input.join("big.txt"), &big).unwrap();
    let cfg = config(dir.path(), "max_document_bytes = 1073741824");
    let r = docpipe(&["run", s(&cfg)]);
    assert_eq!(r.code, 0, "{r:?}");
    let st = stats(&dir.path().join("out"));
    assert_eq!(st.written, 1);
    // Over the limit it fails with a clear error instead.
    let cfg = config(dir.path(), "max_document_bytes = 1000000");
    let r = docpipe(&["run", s(&cfg)]);
    assert_eq!(r.code, 0, "{r:?}");
    let failed = read_jsonl(&dir.path().join("out/failed.jsonl"));
    assert!(
        failed[0]["error"].as_str().unwrap().contains("big.txt: larger than input.max_document_bytes"),
        "{failed:?}"
    );
}

/// Ctrl-C stops a run cleanly: exit 130, nothing committed, no temporary files left.
#[test]
fn interrupt_commits_nothing_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let line = "Words\u{00A0}and “quotes” in a long stream of small documents.\n".repeat(40);
    for i in 0..400 {
        std::fs::write(input.join(format!("doc-{i:04}.txt")), &line).unwrap();
    }
    let cfg = dir.path().join("p.toml");
    std::fs::write(&cfg, "[input]\npaths = [\"in\"]\n[output]\ndir = \"out\"\n[run]\nbatch_size = 1\n[[stage]]\ntype = \"normalise\"\n[[stage]]\ntype = \"export\"\npath = \"copy.jsonl\"\n").unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_docpipe-under-test"))
        .args(["run", "-q", s(&cfg), "--threads", "1"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let code = out.status.code();
    let out_dir = dir.path().join("out");
    if code == Some(0) {
        // The run beat the signal: then everything must be there.
        assert!(out_dir.join("documents.jsonl").exists() && out_dir.join("copy.jsonl").exists());
        return;
    }
    assert_eq!(code, Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    let left: Vec<String> = std::fs::read_dir(&out_dir)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "an interrupted run left files behind: {left:?}");
}

/// The whole news pipeline on hostile text (mixed scripts, RTL, emoji with joiners, combining
/// marks, invisible characters, CRLF, a 5,000-letter word, punctuation runs, dateline and
/// attribution shapes in odd places): every stage keeps every document and fails none.
#[test]
fn the_news_pipeline_survives_hostile_text() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let long_word = "a".repeat(5000);
    let pieces: [&str; 31] = [
        "LONDON — ",
        "Привет мир. ",
        "مرحبا بالعالم. ",
        "你好，世界。",
        "🙂👩\u{200D}💻 ",
        "\u{200B}",
        "\u{00AD}",
        &long_word,
        " ",
        "\t",
        "\r\n",
        "...",
        "“",
        "”",
        "U.S.",
        "Mr.",
        "3.14",
        "$4.5 billion",
        "Jane Doe said",
        "\u{0301}",
        "\u{FEFF}",
        "ÅÄÖ",
        "(AFP)-",
        "- Name, Title",
        "Related: thing",
        "\n\n\n",
        "!!!???",
        "e.g.",
        "Dr.",
        "No. 10",
        "CAPS LOCK LINE WITHOUT END",
    ];
    // A fixed linear congruential sequence: the same hostile files on every run.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for f in 0..3 {
        let mut text = String::new();
        for _ in 0..600 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            text.push_str(pieces[(x >> 33) as usize % pieces.len()]);
        }
        std::fs::write(input.join(format!("w{f}.txt")), text).unwrap();
    }
    let out = dir.path().join("out");
    let r = docpipe(&["run", "config/news.toml", "--input", s(&input), "--output", s(&out)]);
    assert_eq!(r.code, 0, "{r:?}");
    let st = stats(&out);
    for stage in &st.stages {
        assert_eq!(stage.failed, 0, "stage {} failed on hostile text: {r:?}", stage.name);
    }
    assert!(st.written > 0);
    assert!(read_jsonl(&out.join("failed.jsonl")).is_empty());
}

fn run_dir(dir: &Path) -> (crate::Output, Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let cfg = config(dir, "");
    let r = docpipe(&["run", s(&cfg)]);
    assert_eq!(r.code, 0, "{r:?}");
    let out = dir.join("out");
    stats(&out);
    (r, read_jsonl(&out.join("documents.jsonl")), read_jsonl(&out.join("failed.jsonl")))
}

fn errors(failed: &[serde_json::Value]) -> Vec<String> {
    failed.iter().map(|f| f["error"].as_str().unwrap().to_owned()).collect()
}

/// Issue 14: `ln -s . dir/again` turned one document into 41, and two loop links made `check`
/// and `run` walk exponentially (no answer in 120 s). A link loop with an input extension
/// and an unreadable folder are failures of those entries, not an abort naming the parent.
#[cfg(unix)]
#[test]
fn symlink_loops_and_unreadable_entries() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    write(&input, "a.txt", b"One document.\n");
    write(&input.join("sub"), "b.txt", b"Another document.\n");
    std::os::unix::fs::symlink(".", input.join("again")).unwrap();
    std::os::unix::fs::symlink(".", input.join("loop2")).unwrap();
    std::os::unix::fs::symlink("..", input.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("x.txt", input.join("y.txt")).unwrap();
    std::os::unix::fs::symlink("y.txt", input.join("x.txt")).unwrap();
    let locked = input.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    write(&locked, "c.txt", b"Hidden behind permissions.\n");
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    // Permissions do not stop root: then the folder is simply read.
    let locked_out = std::fs::read_dir(&locked).is_err();
    let started = std::time::Instant::now();
    let (_, docs, failed) = run_dir(dir.path());
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    assert!(started.elapsed().as_secs() < 60, "the walk took {:?}", started.elapsed());
    assert_eq!(docs.len(), if locked_out { 2 } else { 3 }, "{docs:?}");
    let errs = errors(&failed);
    assert_eq!(errs.len(), if locked_out { 3 } else { 2 }, "{errs:?}");
    assert!(errs[0].contains("in/x.txt: cannot read: "), "{errs:?}");
    assert!(errs[1].contains("in/y.txt: cannot read: "), "{errs:?}");
    assert_eq!(failed[0]["source"]["path"], failed[0]["id"]);
    if locked_out {
        assert!(errs.iter().any(|e| e.contains("in/locked: cannot read directory")), "{errs:?}");
    }
}

/// Issue 14: a `.zst` of several frames was read to the end of its first frame, silently;
/// one starting with a skippable frame (pzstd) failed. A truncated `.jsonl.gz` aborted the
/// whole run under `on_error = "skip"`.
#[test]
fn compressed_inputs_are_read_whole_or_fail_only_their_rest() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let mut zst = Vec::new();
    zst.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
    zst.extend_from_slice(&3u32.to_le_bytes());
    zst.extend_from_slice(b"abc");
    for i in 0..3 {
        let line = format!("{{\"id\":\"z{i}\",\"text\":\"frame {i}\"}}\n");
        zst.extend(ruzstd::encoding::compress_to_vec(line.as_bytes(), ruzstd::encoding::CompressionLevel::Fastest));
    }
    write(&input, "frames.jsonl.zst", &zst);
    let records: String =
        (0..40_000).map(|i| format!("{{\"id\":\"g{i}\",\"text\":\"record {i} of a long file\"}}\n")).collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(records.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    write(&input, "truncated.jsonl.gz", &gz[..gz.len() / 2]);
    write(&input, "z-after.txt", b"The run goes on after the damaged file.\n");
    let (_, docs, failed) = run_dir(dir.path());
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(&ids[..3], ["z0", "z1", "z2"]);
    let kept = ids.iter().filter(|i| i.starts_with('g')).count();
    assert!(kept > 1000 && kept < 40_000, "{kept} records of the truncated file kept");
    assert!(ids.last().unwrap().ends_with("z-after.txt@0"), "{ids:?}");
    let errs = errors(&failed);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains(&format!("truncated.jsonl.gz:{}: read error at byte ", kept + 1)), "{errs:?}");
    assert!(errs[0].ends_with("the rest of the file is not read"), "{errs:?}");
}

/// Issue 14: a UTF-8 BOM failed the first JSONL record and made standard input read as
/// text; ids beyond 2^53 lost digits; an empty id had a wrong message; metadata key order was
/// scrambled; a record nested 126 deep was written but could not be read back. Everything
/// written reads back as input.
#[test]
fn records_keep_ids_order_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let deep = format!("{{\"text\":\"deep\",\"x\":{}0{}}}", "[".repeat(126), "]".repeat(126));
    let jsonl = format!(
        "\u{FEFF}{{\"id\":123456789012345678901234567890,\"z\":1,\"text\":\"big id\",\"a\":2.50,\"m\":3,\"b\":4}}\n{{\"id\":\"\",\"text\":\"empty id\"}}\n{deep}\n{{\"id\":9007199254740993,\"text\":\"2^53 + 1\"}}\n"
    );
    write(&input, "r.jsonl", jsonl.as_bytes());
    write(&input, "t.txt", "\u{FEFF}Text after a byte order mark.\n".as_bytes());
    let (_, docs, failed) = run_dir(dir.path());
    assert_eq!(docs[0]["id"], "123456789012345678901234567890");
    let keys: Vec<&String> = docs[0]["metadata"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["z", "a", "m", "b"]);
    assert_eq!(docs[1]["id"], "9007199254740993");
    assert!(docs[2]["text"].as_str().unwrap().starts_with("Text after"), "{docs:?}");
    assert_eq!(docs[2]["source"]["start"], 3);
    let errs = errors(&failed);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].ends_with("r.jsonl:2: field `id` is an empty string (leave it out to derive one from file and line)")
    );
    assert!(errs[1].contains("r.jsonl:3: record nested too deep"), "{errs:?}");

    // What was written reads back, whole.
    let again = tempfile::tempdir().unwrap();
    let out = again.path().join("out");
    let r = docpipe(&[
        "run",
        s(&dir.path().join("p.toml")),
        "--input",
        s(&dir.path().join("out/documents.jsonl")),
        "--output",
        s(&out),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(stats(&out).input.failed, 0, "{r:?}");
    assert_eq!(read_jsonl(&out.join("documents.jsonl")).len(), docs.len());

    // Standard input with a byte order mark is still sniffed as JSONL.
    let cfg = config(dir.path(), "");
    let r = docpipe_in(
        dir.path(),
        &["run", s(&cfg), "--input", "-"],
        Some("\u{FEFF}{\"text\": \"from stdin\", \"id\": \"s1\"}\n".as_bytes()),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(read_jsonl(&dir.path().join("out/documents.jsonl"))[0]["id"], "s1");
}

/// Issue 14: a JSONL line one byte over `max_document_bytes` was accepted, and an invalid
/// `exclude` pattern was silently ignored.
#[test]
fn line_cap_and_exclude_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let line = "{\"text\":\"0123456789\"}"; // 21 bytes
    write(&input, "c.jsonl", format!("{line}\n{line}\r\n").as_bytes());
    let cfg = config(dir.path(), "max_document_bytes = 20");
    let r = docpipe(&["run", s(&cfg)]);
    assert_eq!(r.code, 0, "{r:?}");
    let errs = errors(&read_jsonl(&dir.path().join("out/failed.jsonl")));
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].ends_with("c.jsonl:1: line longer than input.max_document_bytes (20 bytes)"), "{errs:?}");
    let cfg = config(dir.path(), "max_document_bytes = 21");
    assert_eq!(docpipe(&["run", s(&cfg)]).code, 0);
    assert_eq!(stats(&dir.path().join("out")).written, 2);

    let cfg = config(dir.path(), "exclude = [\"**/[abc\"]");
    let r = docpipe(&["check", s(&cfg)]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("invalid exclude pattern `**/[abc`"), "{r:?}");
    assert_eq!(r.stderr.matches("invalid exclude pattern").count(), 1, "reported once, at the pattern: {r:?}");
}
