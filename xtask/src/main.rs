//! `cargo xtask`: docpipe's task runner (the alias lives in `.cargo/config.toml`).
//!
//! - `test`: every unit, integration, property and doc test of the workspace;
//! - `lint`: rustfmt, clippy (warnings are errors), rustdoc (warnings are errors), tidy;
//! - `ci`: lint, then test, then `bench --quick` — what `.ci/run` and the README call;
//! - `tidy`: the project's own rules (module docs, dependency rules, plugin linking);
//! - `new-plugin NAME`: scaffolds `plugins/NAME` and links it into the CLI;
//! - `docs`: regenerates `docs/stages.md` and `config/pipeline.schema.json` from the stage registry;
//! - `gen-corpus [--size 100MB] [--seed 7] [--out DIR]`: a reproducible benchmark corpus;
//! - `gen-neardups [--bases 1000] [--seed 5] [--out DIR]`: the labelled near-duplicate
//!   benchmark for `eval dedupe` (articles and copies with controlled edits, true pairs);
//! - `eval NAME [--peers]`: a plugin's evaluation against the gold, with Python peers;
//! - `eval real [--errors N] [--ud DIR]` (or `eval NAME --real`): the real-text evaluation
//!   (`eval/real/run.py`: text nobody in the project wrote, docpipe and peers side by side);
//! - `bench [--quick] [--peers] [--sizes 10MB,100MB,1GB]`: throughput, memory and peers;
//! - `fuzz [--seconds N] [--target T]`: the cargo-fuzz targets in `fuzz/` (nightly), N s each.
//!
//! Every failing check prints its remedy.

mod bench;
mod fuzz;
mod gencorpus;
mod neardups;
mod scaffold;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&root),
        Some("lint") => lint(&root),
        Some("ci") => lint(&root).and_then(|()| test(&root)).and_then(|()| bench::run(&root, &bench::Options::quick())),
        Some("tidy") => run_tidy(&root),
        Some("new-plugin") => match args.get(1) {
            Some(name) => scaffold::new_plugin(&root, name).map(|()| {
                println!("created plugins/{name} and linked it into crates/cli");
                println!(
                    "next: edit plugins/{name}/src/lib.rs, then `cargo xtask test` and `cargo run -- stages {name}`"
                );
            }),
            None => Err(anyhow::anyhow!("usage: cargo xtask new-plugin NAME")),
        },
        Some("docs") => docs(&root),
        Some("gen-corpus") => gencorpus::parse_args(&args[1..]).and_then(|o| {
            let t = std::time::Instant::now();
            let (bytes, n) = gencorpus::generate(&root, &o)?;
            println!("wrote {n} articles, {bytes} bytes, to {} in {:.1}s", o.out.display(), t.elapsed().as_secs_f64());
            Ok(())
        }),
        Some("gen-neardups") => neardups::parse_args(&args[1..]).and_then(|o| {
            let t = std::time::Instant::now();
            let (docs, bases, bytes) = neardups::generate(&root, &o)?;
            println!(
                "wrote {docs} documents ({bases} bases and their copies, {:.1} MB of text) to {} in {:.1}s",
                bytes as f64 / 1e6,
                o.out.display(),
                t.elapsed().as_secs_f64()
            );
            Ok(())
        }),
        Some("eval") => eval(&root, &args[1..]),
        Some("bench") => bench::parse_args(&args[1..]).and_then(|o| bench::run(&root, &o)),
        Some("fuzz") => fuzz::parse_args(&args[1..]).and_then(|o| fuzz::run(&root, &o)),
        _ => {
            eprintln!(
                "usage: cargo xtask <test | lint | ci | tidy | new-plugin NAME | docs | gen-corpus [--size 100MB] [--seed 7] [--out DIR] | gen-neardups [--bases 1000] [--seed 5] [--out DIR] | eval NAME [--peers] | eval real | bench [--quick] [--peers] [--sizes 10MB,100MB,1GB] | fuzz [--seconds N] [--target T]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Runs a command in `root`; on failure, says what failed and how to fix it.
fn step(root: &Path, what: &str, mut cmd: Command, remedy: &str) -> Result<()> {
    eprintln!("xtask: {what}");
    let status = cmd.current_dir(root).status().with_context(|| format!("cannot start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status}).\n  remedy: {remedy}");
    }
    Ok(())
}

fn test(root: &Path) -> Result<()> {
    let mut c = cargo();
    c.args(["test", "--workspace", "--all-targets", "--locked"]);
    step(
        root,
        "cargo test --workspace --all-targets",
        c,
        "fix the failing tests above (rerun one with `cargo test -p CRATE NAME`)",
    )?;
    let mut c = cargo();
    c.args(["test", "--workspace", "--doc", "--locked"]);
    step(root, "cargo test --workspace --doc", c, "fix the failing doc tests above")
}

fn lint(root: &Path) -> Result<()> {
    let mut c = cargo();
    c.args(["fmt", "--all", "--check"]);
    step(root, "cargo fmt --check", c, "run `cargo fmt --all`")?;
    let mut c = cargo();
    c.args(["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]);
    step(root, "cargo clippy -D warnings", c, "fix the clippy findings above; `cargo clippy --fix` handles many")?;
    let mut c = cargo();
    c.args(["doc", "--workspace", "--no-deps", "--locked"]).env("RUSTDOCFLAGS", "-Dwarnings");
    step(
        root,
        "cargo doc (warnings are errors)",
        c,
        "fix the rustdoc warnings above (broken intra-doc links, missing docs)",
    )?;
    run_tidy(root)
}

fn run_tidy(root: &Path) -> Result<()> {
    eprintln!("xtask: tidy");
    let problems = tidy::check(root)?;
    if problems.is_empty() {
        return Ok(());
    }
    for p in &problems {
        eprintln!("tidy: {p}");
    }
    bail!(
        "{} tidy problem{} (each line says how to fix it)",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    )
}

fn docs(root: &Path) -> Result<()> {
    let mut c = cargo();
    c.args(["test", "-p", "docpipe", "--lib", "--", "stage_docs_are_current", "pipeline_schema_is_current"])
        .env("UPDATE_DOCS", "1");
    step(root, "regenerate docs/stages.md and config/pipeline.schema.json", c, "see the test output above")
}

/// One plugin's evaluation: its Rust example (scored against the gold, dev and test split
/// apart) and the Python peers that `--peers` runs side by side (they install their own venv
/// under `target/eval/` from PyPI; never needed by the tests).
struct Eval {
    name: &'static str,
    prepare: &'static [&'static str],
    example: &'static str,
    args: &'static [&'static str],
    peers: &'static [&'static str],
    /// The example runs the peers itself when given `--peers` (one side-by-side table)
    /// instead of the scripts being run after it.
    example_runs_peers: bool,
}

const EVALS: &[Eval] = &[
    Eval {
        name: "normalise",
        prepare: &["plugins/normalise/eval/make_pairs.py"],
        example: "glue_eval",
        args: &[],
        peers: &[],
        example_runs_peers: false,
    },
    Eval {
        name: "splitter",
        prepare: &[],
        example: "eval",
        args: &[],
        peers: &["plugins/splitter/eval/golden_rules.py"],
        example_runs_peers: false,
    },
    Eval {
        name: "dedupe",
        prepare: &[],
        example: "eval",
        args: &["--bench-mb", "20"],
        peers: &["plugins/dedupe/eval/datasketch_peer.py"],
        example_runs_peers: true,
    },
    Eval {
        name: "entities",
        prepare: &[],
        example: "eval",
        args: &[],
        peers: &["plugins/entities/eval/spacy_eval.py"],
        example_runs_peers: false,
    },
    Eval {
        name: "summarise",
        prepare: &[],
        example: "eval",
        args: &[],
        peers: &["plugins/summarise/eval/peers.py"],
        example_runs_peers: false,
    },
    Eval {
        name: "export",
        prepare: &[],
        example: "eval",
        args: &[],
        peers: &["plugins/export/eval/peers.py"],
        example_runs_peers: false,
    },
];

fn eval(root: &Path, args: &[String]) -> Result<()> {
    let names: Vec<&str> = EVALS.iter().map(|e| e.name).collect();
    if args.first().is_some_and(|a| a == "real") || args.iter().any(|a| a == "--real") {
        let mut py = Command::new("python3");
        py.arg("eval/real/run.py");
        py.args(
            args.iter()
                .filter(|a| !matches!(a.as_str(), "real" | "--real" | "--peers") && !names.contains(&a.as_str())),
        );
        return step(
            root,
            "real-text evaluation: python3 eval/real/run.py",
            py,
            "needs python3 and PyPI (it builds a venv under target/eval/venv-real); see eval/real/README.md",
        );
    }
    if args.first().is_some_and(|a| a == "tech") {
        // Issue 13: normalise on real technical text read from this machine (eval/tech/).
        let mut py = Command::new("python3");
        py.arg("eval/tech/run.py").args(&args[1..]);
        return step(root, "technical-text evaluation: python3 eval/tech/run.py", py, "see eval/tech/run.py --help");
    }
    let Some(e) = args.first().and_then(|a| EVALS.iter().find(|e| e.name == a)) else {
        bail!("usage: cargo xtask eval <{} | real | tech> [--peers | --real]", names.join(" | "));
    };
    let peers = args.iter().any(|a| a == "--peers");
    for script in e.prepare {
        let mut py = Command::new("python3");
        py.args(script.split_whitespace());
        step(root, &format!("python3 {script}"), py, "needs python3 on PATH")?;
    }
    let mut c = cargo();
    c.args(["run", "--release", "--locked", "-p", &format!("docpipe-{}", e.name), "--example", e.example, "--"]);
    c.args(e.args);
    if peers && e.example_runs_peers {
        c.arg("--peers");
    }
    step(root, &format!("{} evaluation against the gold (dev and test splits)", e.name), c, "see the output above")?;
    if peers && !e.example_runs_peers {
        for script in e.peers {
            let mut py = Command::new("python3");
            py.args(script.split_whitespace());
            step(
                root,
                &format!("peer: python3 {script}"),
                py,
                "needs python3 and PyPI (it builds a venv under target/eval/)",
            )?;
        }
    } else if !e.peers.is_empty() {
        eprintln!("xtask: add --peers to also run the Python peers side by side ({})", e.peers.join(", "));
    }
    Ok(())
}
