//! Sharded runs (issue 16): `plan` / `map` / `resolve` / `merge` over N shards must give the
//! output folder a single `docpipe run` gives, byte for byte (`stats.json` apart from its
//! timing fields; reports apart from the timings they print). Checked on every shipped
//! config, a generated ~5 MB corpus, crafted cases that trip corpus-wide stages on shards
//! (a duplicate chain, a copy of a dropped document, a name variant first seen in a dropped
//! document, groups that span shards, bad input), and random shard cuts (proptest).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{docpipe_in, root, s};

/// Runs `docpipe` in `cwd`, panicking with its output unless it exits 0.
fn ok(cwd: &Path, args: &[&str]) -> String {
    let out = docpipe_in(cwd, args, None);
    assert_eq!(out.code, 0, "docpipe {args:?} failed: {out:?}");
    out.stdout
}

/// Runs the whole protocol over `shards` shards (the shards of a round in parallel, as a
/// driver does), merging into `out`. `edit_plan` may change the plan before any task runs.
fn sharded(
    cwd: &Path,
    config: &str,
    shards: usize,
    work: &Path,
    out: &Path,
    edit_plan: impl Fn(&mut serde_json::Value),
) {
    let n = shards.to_string();
    let line = ok(cwd, &["plan", config, "--shards", &n, "--work", s(work)]);
    let summary: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let plan_path = work.join("plan.json");
    let mut plan: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    edit_plan(&mut plan);
    std::fs::write(&plan_path, serde_json::to_vec_pretty(&plan).unwrap()).unwrap();
    let rounds = summary["rounds"].as_u64().unwrap() as usize;
    let resolves = summary["resolves"].as_u64().unwrap() as usize;
    for r in 0..rounds {
        std::thread::scope(|scope| {
            for k in 0..shards {
                let (r, k) = (r.to_string(), k.to_string());
                scope.spawn(move || ok(cwd, &["map", s(work), "--round", &r, "--shard", &k, "-j", "1"]));
            }
        });
        if r < resolves {
            ok(cwd, &["resolve", s(work), "--round", &r.to_string()]);
        }
    }
    ok(cwd, &["merge", s(work), "-o", s(out)]);
}

/// Every file under `dir`, by relative path.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_owned(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// `stats.json` without what depends on time, threads and memory.
fn untimed_stats(bytes: &[u8]) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for k in ["seconds", "threads", "peak_rss_bytes"] {
                    m.remove(k);
                }
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    strip(&mut v);
    v
}

/// A report without the timings and thread counts it prints (numbers with a time or speed
/// unit).
fn untimed_report(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_digit() {
            let mut j = i + c.len_utf8();
            while let Some(&(k, d)) = chars.peek() {
                if d.is_ascii_digit() || d == '.' || d == ',' {
                    j = k + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let rest = text[j..].trim_start();
            let timed =
                ["s ", "s<", "s)", "s\n", "s,", "ms", "µs", "MB/s", "docs/s", "thread", "MB", "MiB", "GiB", "KiB"]
                    .iter()
                    .any(|u| rest.starts_with(u));
            out.push_str(if timed { "N" } else { &text[i..j] });
        } else {
            out.push(c);
        }
    }
    out
}

/// Asserts that the sharded output folder equals the single run's.
fn assert_same(single: &Path, merged: &Path, what: &str) {
    let (a, b) = (files(single), files(merged));
    let names = |m: &BTreeMap<PathBuf, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "{what}: different files");
    for (name, bytes) in &a {
        let other = &b[name];
        let ext = name.extension().and_then(|e| e.to_str()).unwrap_or("");
        if name.file_name().is_some_and(|f| f == "stats.json") {
            assert_eq!(untimed_stats(bytes), untimed_stats(other), "{what}: {}", name.display());
        } else if ext == "html" || ext == "md" {
            assert_eq!(untimed_report(bytes), untimed_report(other), "{what}: {}", name.display());
        } else {
            assert!(bytes == other, "{what}: {} differs ({} vs {} bytes)", name.display(), bytes.len(), other.len());
        }
    }
}

/// The single run and sharded runs with each of `shard_counts`, compared.
pub(super) fn check_config(cwd: &Path, config: &str, shard_counts: &[usize]) {
    let tmp = tempfile::tempdir().unwrap();
    let single = tmp.path().join("single");
    ok(cwd, &["run", config, "-o", s(&single), "--no-progress", "-q"]);
    for &n in shard_counts {
        let work = tmp.path().join(format!("work-{n}"));
        let out = tmp.path().join(format!("out-{n}"));
        sharded(cwd, config, n, &work, &out, |_| {});
        assert_same(&single, &out, &format!("{config} with {n} shards"));
    }
}

#[test]
fn every_shipped_config_merges_to_the_single_run() {
    let root = root();
    for config in ["config/news.toml", "config/dedupe.toml", "config/stories.toml", "config/rag.toml"] {
        check_config(&root, config, &[1, 2, 3, 7]);
    }
}

/// Writes a pipeline over `input/` with every corpus-wide stage: document-level dedupe,
/// entity merging with an index, group summaries, a JSONL export and a report.
fn crafted_pipeline(dir: &Path) {
    std::fs::write(
        dir.join("p.toml"),
        r#"[input]
paths = ["input"]

[output]
dir = "out"

[[stage]]
type = "normalise"

[[stage]]
type = "dedupe"
name = "near-duplicates"
level = "document"
method = "near"
ngram = 1
num_perm = 256
threshold = 0.78
report = "duplicates.jsonl"

[[stage]]
type = "entities"
merge_variants = true
index = "entities.jsonl"

[[stage]]
type = "summarise"
group_by = "metadata.story"
group_min_members = 2

[[stage]]
type = "export"
format = "jsonl"
path = "export.jsonl"

[[stage]]
type = "export"
format = "markdown"
path = "report.md"
"#,
    )
    .unwrap();
}

/// `n` words of a made-up vocabulary starting at word `from`: two runs overlap by the words
/// they share, so their similarity is set by their offsets.
fn words(from: usize, n: usize) -> String {
    const SYL: [&str; 12] = ["ka", "lo", "mi", "ren", "to", "vas", "pel", "dun", "ori", "sek", "ta", "bru"];
    (from..from + n)
        .map(|i| format!("{}{}{}", SYL[i % 12], SYL[(i / 12) % 12], SYL[(i / 144) % 12]))
        .collect::<Vec<_>>()
        .join(" ")
}

fn record(id: &str, story: &str, text: &str) -> String {
    serde_json::json!({ "id": id, "text": text, "metadata": { "story": story } }).to_string() + "\n"
}

/// The crafted cases, in five JSONL files of two records each under `dir/input`, and the
/// pipeline over them.
fn crafted_corpus(dir: &Path) {
    std::fs::create_dir(dir.join("input")).unwrap();
    crafted_pipeline(dir);
    let a = words(0, 120);
    // Word-set Jaccard: A~B 110/130 = 0.85, B~C 0.85, A~C 100/140 = 0.71 < 0.78. B is
    // dropped as a repeat of A; C repeats only B, which was not kept, so C stays.
    let b = words(10, 120);
    let c = words(20, 120);
    let rezaei = "Mohammad Rezaei spoke in Tehran on Monday about the harbour plan.";
    let rezaie = "Mohammed Rezaie, the minister, returned to Tehran on Tuesday.";
    let inputs = [
        // Shard cuts fall between the files: each case spans files.
        record("a", "harbour", &format!("{a}.")),
        record("filler-1", "market", &format!("{} The Port Authority of Lagos met.", words(1000, 90))),
        // The first mention of the name is in B, which dedupe drops before entities sees it.
        record("b", "harbour", &format!("{b}. Mohammed Rezaie spoke.")),
        record("filler-2", "market", &format!("{} Ngozi Okafor of the Port Authority spoke.", words(2000, 90))),
        record("c", "harbour", &format!("{c}.")),
        record("copy-of-b", "weather", &format!("{b}. Mohammed Rezaie spoke.")),
        record("variant-later", "weather", &format!("{} {rezaei}", words(3000, 80))),
        record("variant-again", "harbour", &format!("{} {rezaie}", words(5000, 80))),
        "{\"id\": \"broken\", \"text\": \n".to_owned(),
        record("empty", "market", ""),
        record("filler-3", "market", &format!("{} The harbour reopened.", words(4000, 90))),
    ];
    for (i, chunk) in inputs.chunks(2).enumerate() {
        std::fs::write(dir.join("input").join(format!("part-{i:02}.jsonl")), chunk.concat()).unwrap();
    }
}

#[test]
fn crafted_cross_shard_cases_merge_to_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    crafted_corpus(dir);
    check_config(dir, "p.toml", &[1, 2, 3, 4, 7]);
    // The cases did what they are there for, in the single run too.
    let single = dir.join("out");
    ok(dir, &["run", "p.toml", "--no-progress", "-q"]);
    let dups = std::fs::read_to_string(single.join("duplicates.jsonl")).unwrap();
    assert!(dups.contains("\"id\":\"b\"") && dups.contains("\"id\":\"copy-of-b\""), "{dups}");
    assert!(!dups.contains("\"id\":\"c\""), "C must stay: B was dropped, A!~C\n{dups}");
    let entities = std::fs::read_to_string(single.join("entities.jsonl")).unwrap();
    assert!(entities.contains("Rezaei") && entities.contains("Rezaie"), "{entities}");
    let failed = std::fs::read_to_string(single.join("failed.jsonl")).unwrap();
    assert!(failed.contains("malformed JSON"), "{failed}");
}

/// A 5 MB corpus generated from the sample corpus (110 KB): every text repeated with a few
/// words changed per copy (near duplicates across shards), in 24 files.
fn generated_corpus(dir: &Path) {
    let corpus = root().join("tests/corpus");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    let texts: Vec<String> = names.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let mut files: Vec<String> = vec![String::new(); 24];
    let mut n = 0usize;
    'outer: for copy in 0..100 {
        for (t, text) in texts.iter().enumerate() {
            let changed: String = text
                .split(' ')
                .enumerate()
                .map(|(i, w)| if copy > 0 && i % (17 + copy % 23) == copy % 17 { "altered" } else { w })
                .collect::<Vec<_>>()
                .join(" ");
            let rec = serde_json::json!({ "id": format!("gen-{copy}-{t}"), "text": changed, "metadata": { "story": format!("s{}", t % 5) } });
            files[n % 24].push_str(&rec.to_string());
            files[n % 24].push('\n');
            n += 1;
            if files.iter().map(String::len).sum::<usize>() > 5 << 20 {
                break 'outer;
            }
        }
    }
    std::fs::create_dir_all(dir.join("input")).unwrap();
    for (i, f) in files.iter().enumerate() {
        std::fs::write(dir.join("input").join(format!("gen-{i:02}.jsonl")), f).unwrap();
    }
}

#[test]
fn a_generated_corpus_merges_to_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    generated_corpus(dir);
    crafted_pipeline(dir);
    check_config(dir, "p.toml", &[1, 3, 7]);
}

#[test]
fn tasks_check_what_they_need_and_skip_what_is_done() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("w");
    let root = root();
    // A resolve before its round, a merge before everything: clear messages, exit 1.
    ok(&root, &["plan", "config/dedupe.toml", "--shards", "2", "--work", s(&work)]);
    let out = docpipe_in(&root, &["resolve", s(&work), "--round", "0"], None);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("not finished: shards 0, 1"), "{out:?}");
    let out = docpipe_in(&root, &["merge", s(&work)], None);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("round 0 shard 0"), "{out:?}");
    // A task outside the plan.
    let out = docpipe_in(&root, &["map", s(&work), "--round", "9", "--shard", "0"], None);
    assert_eq!(out.code, 2, "{out:?}");
    // Rerunning a finished task skips it; its files stay as they are.
    ok(&root, &["map", s(&work), "--round", "0", "--shard", "1"]);
    let marker = work.join("round-0/shard-00001/_SUCCESS");
    let before = std::fs::metadata(&marker).unwrap().modified().unwrap();
    let line = ok(&root, &["map", s(&work), "--round", "0", "--shard", "1"]);
    assert!(line.contains("\"skipped\""), "{line}");
    assert_eq!(std::fs::metadata(&marker).unwrap().modified().unwrap(), before);
}

/// Every place a shard may start: each file's start and each line start inside it, as
/// (file, byte, line number).
fn cut_points(dir: &Path) -> Vec<(String, u64, u64)> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("input"))
        .unwrap()
        .map(|e| format!("input/{}", e.unwrap().file_name().to_str().unwrap()))
        .collect();
    names.sort();
    let mut points = Vec::new();
    for name in names {
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        let mut line = 1;
        points.push((name.clone(), 0, 1));
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' && i + 1 < bytes.len() {
                line += 1;
                points.push((name.clone(), i as u64 + 1, line));
            }
        }
    }
    points
}

/// The shards that start at `starts` (indices into `points`, the first one 0): pieces of
/// whole files or line ranges, as `plan.json` lists them.
fn shards_at(dir: &Path, points: &[(String, u64, u64)], starts: &[usize]) -> serde_json::Value {
    let len = |name: &str| std::fs::metadata(dir.join(name)).unwrap().len();
    let mut shards = Vec::new();
    for (s, &from) in starts.iter().enumerate() {
        let to = starts.get(s + 1).copied().unwrap_or(points.len());
        let mut pieces = Vec::new();
        let mut bytes = 0;
        let mut i = from;
        while i < to {
            let (name, start, line) = &points[i];
            // The piece runs to the next cut in the same file, or to the file's end.
            let mut j = i + 1;
            while j < to && points[j].0 == *name {
                j += 1;
            }
            let end = if j < points.len() && points[j].0 == *name { points[j].1 } else { len(name) };
            let whole = *start == 0 && end == len(name);
            pieces.push(
                serde_json::json!({ "path": name, "start": start, "end": end, "first_line": line, "whole": whole }),
            );
            bytes += end - start;
            i = j;
        }
        shards.push(serde_json::json!({ "pieces": pieces, "bytes": bytes }));
    }
    serde_json::Value::Array(shards)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 6, ..Default::default() })]

    /// Random shard cuts, at file and line boundaries, give the single run's output.
    #[test]
    fn random_shard_cuts_merge_to_the_single_run(cuts in proptest::collection::btree_set(1usize..12, 0..6)) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        crafted_corpus(dir);
        let points = cut_points(dir);
        let mut starts = vec![0];
        starts.extend(cuts.into_iter().filter(|&c| c < points.len()));
        let single = dir.join("single");
        ok(dir, &["run", "p.toml", "-o", s(&single), "--no-progress", "-q"]);
        let out = dir.join("sharded");
        let shards = shards_at(dir, &points, &starts);
        sharded(dir, "p.toml", starts.len(), &dir.join("work"), &out, |plan| plan["shards"] = shards.clone());
        assert_same(&single, &out, &format!("cuts at {starts:?}"));
    }
}

/// `run --resume` killed with SIGKILL part-way restarts where it stopped: the tasks that had
/// finished are skipped, and the output is the single run's.
#[test]
fn a_resumable_run_killed_with_sigkill_restarts_where_it_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    generated_corpus(dir);
    crafted_pipeline(dir);
    let single = dir.join("single");
    ok(dir, &["run", "p.toml", "-o", s(&single), "--no-progress", "-q"]);
    let out = dir.join("resumed");
    let args = ["run", "p.toml", "--resume", "--shard-mb", "1", "-o", s(&out), "-j", "1"];
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_docpipe-under-test"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once round 1 has begun to finish shards.
    let work = out.join(".docpipe-resume");
    let started = std::time::Instant::now();
    while !work.join("round-1/shard-00000/_SUCCESS").exists() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be killed");
        assert!(started.elapsed().as_secs() < 300, "round 1 never started");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done = std::fs::read_dir(work.join("round-0")).unwrap().count();
    assert!(done > 1, "round 0 had {done} shards");
    assert!(!out.join("documents.jsonl").exists(), "a killed run commits no output");
    // Again: the finished tasks are skipped.
    let rerun = docpipe_in(dir, &args, None);
    assert_eq!(rerun.code, 0, "{rerun:?}");
    let skipped = rerun.stderr.lines().filter(|l| l.contains("already done (resumed)")).count();
    assert!(
        skipped > done,
        "only {skipped} tasks skipped after round 0's {done} and round 1's first\n{}",
        rerun.stderr
    );
    assert!(rerun.stderr.contains("round 0 shard 0: already done"), "{}", rerun.stderr);
    assert!(!work.exists(), "the work folder is removed after the merge");
    assert_same(&single, &out, "run --resume after SIGKILL");
}

/// `prune` frees a round only once the next round has finished everywhere; the merge still
/// gives the single run's output, and a task that would need the pruned round says so.
#[test]
fn prune_frees_a_round_only_when_the_next_is_done() {
    let tmp = tempfile::tempdir().unwrap();
    let (work, out, single) = (tmp.path().join("w"), tmp.path().join("out"), tmp.path().join("single"));
    let root = root();
    ok(&root, &["run", "config/dedupe.toml", "-o", s(&single), "--no-progress", "-q"]);
    ok(&root, &["plan", "config/dedupe.toml", "--shards", "2", "--work", s(&work)]);
    for k in ["0", "1"] {
        ok(&root, &["map", s(&work), "--round", "0", "--shard", k]);
    }
    let early = docpipe_in(&root, &["prune", s(&work), "--round", "0"], None);
    assert_eq!(early.code, 1, "{early:?}");
    assert!(early.stderr.contains("round 0 is still needed"), "{early:?}");
    ok(&root, &["resolve", s(&work), "--round", "0"]);
    for k in ["0", "1"] {
        ok(&root, &["map", s(&work), "--round", "1", "--shard", k]);
    }
    let line = ok(&root, &["prune", s(&work), "--round", "0"]);
    assert!(line.contains("\"freed_bytes\""), "{line}");
    assert!(!work.join("round-0/shard-00000/docs.jsonl").exists());
    let again = docpipe_in(&root, &["map", s(&work), "--round", "1", "--shard", "0", "--force"], None);
    assert_eq!(again.code, 1, "{again:?}");
    assert!(again.stderr.contains("was pruned"), "{again:?}");
    // The refused attempt touched nothing: its marker is still valid and the merge is whole.
    ok(&root, &["merge", s(&work), "-o", s(&out)]);
    assert_same(&single, &out, "dedupe.toml after prune");
}
