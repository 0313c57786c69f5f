//! The docpipe command line: `run`, `check` and `stages`.
//!
//! This is the only crate that prints. Exit codes: 0 success, 1 runtime failure, 2 usage or
//! configuration error, 130 interrupted (Ctrl-C). Logs go to stderr through `tracing` (`-v`, `-vv`, `RUST_LOG`);
//! see the `logging` module for colour and the summary of repeated warnings.
//!
//! The library is also how a docpipe with more plugins is built: a binary crate that depends
//! on `docpipe` and on its own plugin crates, names each plugin (`use my_plugin as _;`, or
//! its registrations are not linked) and calls [`main`] is the docpipe command line with the
//! built-in stages and its own (ARCHITECTURE.md, "Out-of-tree plugins"; the template is
//! `tests/out-of-tree/`).

mod builtin;
mod cluster;
mod logging;
mod plugins;
mod progress;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use docpipe_core::config::{self, ConfigErrors, Overrides, Pipeline};
use docpipe_core::input::InputFormat;
use docpipe_core::runner::{self, RunOptions};

/// Fast, deterministic, plugin-based document processing pipelines.
#[derive(Debug, Parser)]
#[command(name = "docpipe", version, about, propagate_version = true, arg_required_else_help = true)]
struct Cli {
    /// More log output (-v info, -vv debug, -vvv trace); RUST_LOG overrides. In colour only on
    /// a terminal and without NO_COLOR.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Only errors: no progress bar, no run table.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a pipeline. Without CONFIG: the built-in news pipeline over the built-in sample
    /// corpus, writing to ./docpipe-out/.
    Run {
        /// The pipeline config (TOML).
        config: Option<PathBuf>,
        /// Input files, directories or globs ("-" for stdin); replaces `input.paths`.
        #[arg(long = "input", short = 'i', value_name = "PATH")]
        inputs: Vec<String>,
        /// How to read the input; replaces `input.format`. `auto` goes by extension (`.jsonl`,
        /// `.ndjson`: JSONL; `.html`, `.htm`, `.xhtml`: one HTML page per file; `.warc`,
        /// `.warc.gz`: WARC archives; anything else: one text document per file) and sniffs
        /// standard input; use `jsonl` for part files without an extension (`part-00000`).
        #[arg(long, value_name = "FORMAT", value_parser = ["auto", "text", "jsonl", "html", "warc"])]
        format: Option<String>,
        /// The name standard input (`-i -`) gets in ids and `source.path` instead of `-`: a
        /// record without an `id` on line L gets the id `NAME:L`. Give each shard of a
        /// distributed job its own name (e.g. its part file) so ids stay unique across shards.
        #[arg(long, value_name = "NAME")]
        stdin_name: Option<String>,
        /// Output directory; replaces `output.dir`. `-` is refused: a run writes several files.
        #[arg(long, short = 'o', value_name = "DIR")]
        output: Option<String>,
        /// Worker threads (default: the DOCPIPE_THREADS environment variable, else `run.threads`,
        /// else one per CPU this process may use: its CPU affinity and cgroup quota count, so a
        /// container or `taskset` limit is respected). At most 1024; more than 16 per core are
        /// capped at 16 per core, with a warning.
        #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
        threads: usize,
        /// No progress bar.
        #[arg(long)]
        no_progress: bool,
        /// Run in shards (of `--shard-mb` input) with a marker after each task (in
        /// OUTPUT/.docpipe-resume), so a run that is killed (even with SIGKILL) and started
        /// again with the same command redoes only what had not finished. The output is the
        /// same as without it.
        #[arg(long)]
        resume: bool,
        /// With `--resume`: input megabytes (10^6 bytes) per shard; a killed run loses at most
        /// about this much work per round.
        #[arg(long, value_name = "MB", default_value_t = 64, requires = "resume", value_parser = clap::value_parser!(u64).range(1..))]
        shard_mb: u64,
    },
    /// Validate a config: every error at once as path:line:col (a TOML syntax error alone). Exit
    /// 0 if valid, 2 if not.
    Check {
        /// The pipeline config (TOML).
        config: PathBuf,
        /// Input paths to check instead of `input.paths`.
        #[arg(long = "input", short = 'i', value_name = "PATH")]
        inputs: Vec<String>,
    },
    /// List the registered stages, or document one.
    Stages {
        /// A stage type: print its options and an example.
        name: Option<String>,
        /// Print as JSON (for tools).
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Print as Markdown: every stage (what docs/stages.md holds), or the stage NAME.
        #[arg(long)]
        markdown: bool,
        /// Print the JSON Schema of a pipeline config (what config/pipeline.schema.json
        /// holds), or of a `[[stage]]` table of type NAME.
        #[arg(long, conflicts_with_all = ["json", "markdown"])]
        schema: bool,
    },
    /// Plan a sharded job (Spark, Ray, several machines): assign the input to N shards and
    /// write WORK/plan.json. Prints one JSON line (shards, rounds, resolves) for the driver.
    /// Refuses a pipeline whose ordered stage cannot run sharded. See "Running on a cluster"
    /// in the README.
    Plan {
        /// The pipeline config (TOML).
        config: PathBuf,
        /// Number of shards.
        #[arg(long, value_name = "N")]
        shards: usize,
        /// The job's work folder, on a file system every task sees.
        #[arg(long, value_name = "DIR")]
        work: PathBuf,
        /// Input files, directories or globs; replaces `input.paths`.
        #[arg(long = "input", short = 'i', value_name = "PATH")]
        inputs: Vec<String>,
        /// How to read the input; replaces `input.format`.
        #[arg(long, value_name = "FORMAT", value_parser = ["auto", "text", "jsonl", "html", "warc"])]
        format: Option<String>,
        /// The directory every task resolves relative paths from (the config's, `--input`'s,
        /// the output's), and so names inputs in ids and `source.path` from: it must exist on
        /// every node. Default: the current directory.
        #[arg(long, value_name = "DIR")]
        cwd: Option<PathBuf>,
    },
    /// Run round R of shard K of a planned job (skipped when its marker is already valid).
    Map {
        /// The work folder given to `plan`.
        work: PathBuf,
        /// The round (0 to rounds-1).
        #[arg(long)]
        round: usize,
        /// The shard (0 to shards-1).
        #[arg(long)]
        shard: usize,
        /// Worker threads (default: DOCPIPE_THREADS, else one per CPU): the task's cores.
        #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
        threads: usize,
        /// Run even if the task's marker is valid.
        #[arg(long)]
        force: bool,
    },
    /// Make global stage R's decisions over every shard's keys (one task, after round R).
    Resolve {
        /// The work folder given to `plan`.
        work: PathBuf,
        /// The round whose keys to resolve.
        #[arg(long)]
        round: usize,
        /// Run even if the task's marker is valid.
        #[arg(long)]
        force: bool,
    },
    /// Build the output folder from a finished job: byte for byte what `docpipe run` writes.
    Merge {
        /// The work folder given to `plan`.
        work: PathBuf,
        /// Output directory; replaces `output.dir`.
        #[arg(long, short = 'o', value_name = "DIR")]
        output: Option<PathBuf>,
    },
    /// Free the disk space of round R once round R+1 has finished on every shard: its
    /// documents and keys, and resolve R's decisions (markers, failures, stats stay for merge).
    Prune {
        /// The work folder given to `plan`.
        work: PathBuf,
        /// The round to prune.
        #[arg(long)]
        round: usize,
    },
    /// Print which tasks of a planned job are done (JSON).
    Status {
        /// The work folder given to `plan`.
        work: PathBuf,
    },
}

/// The whole command line: parses the process's arguments, runs the command and returns its
/// exit code. The `docpipe` binary is this call; a binary of your own that links more plugin
/// crates calls it too (see the crate docs).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let warnings = logging::init(cli.verbose, cli.quiet);
    match cli.command {
        Command::Run { config, inputs, format, output, threads, resume: true, shard_mb, .. } => {
            let format = format.as_deref().map(parse_format);
            match resolve_threads(threads) {
                Ok(threads) => {
                    let shard_bytes = shard_mb.saturating_mul(1_000_000);
                    cluster::cmd_run_resumable(
                        config.as_deref(),
                        inputs,
                        format,
                        output,
                        threads,
                        shard_bytes,
                        cli.quiet,
                    )
                }
                Err(code) => code,
            }
        }
        Command::Run { config, inputs, format, stdin_name, output, threads, no_progress, resume: false, .. } => {
            let format = format.as_deref().map(parse_format);
            let opts = RunArgs { inputs, format, stdin_name, output, threads, quiet: cli.quiet, no_progress };
            cmd_run(config.as_deref(), opts, &warnings)
        }
        Command::Check { config, inputs } => cmd_check(&config, inputs),
        Command::Stages { name: None, markdown: true, .. } => {
            print!("{}", report::stages_markdown());
            ExitCode::SUCCESS
        }
        Command::Stages { name, schema: true, .. } => report::schema(name.as_deref()),
        Command::Stages { name, json, markdown, .. } => report::stages(name.as_deref(), json, markdown),
        Command::Plan { config, shards, work, inputs, format, cwd } => {
            cluster::cmd_plan(&config, inputs, format.as_deref().map(parse_format), shards, &work, cwd.as_deref())
        }
        Command::Map { work, round, shard, threads, force } => match resolve_threads(threads) {
            Ok(threads) => cluster::cmd_map(&work, round, shard, threads, force),
            Err(code) => code,
        },
        Command::Resolve { work, round, force } => cluster::cmd_resolve(&work, round, force),
        Command::Merge { work, output } => cluster::cmd_merge(&work, output.as_deref()),
        Command::Status { work } => cluster::cmd_status(&work),
        Command::Prune { work, round } => cluster::cmd_prune(&work, round),
    }
}

/// `--format`'s value (clap has checked it is one of these).
fn parse_format(f: &str) -> InputFormat {
    match f {
        "text" => InputFormat::Text,
        "jsonl" => InputFormat::Jsonl,
        "html" => InputFormat::Html,
        "warc" => InputFormat::Warc,
        _ => InputFormat::Auto,
    }
}

/// `--threads`, else `DOCPIPE_THREADS`, else 0 (one per CPU); an invalid value is reported.
fn resolve_threads(threads: usize) -> Result<usize, ExitCode> {
    if let Err(msg) = config::check_threads(threads) {
        eprintln!("error: --threads {threads}: {msg}");
        return Err(ExitCode::from(2));
    }
    match (threads, env_threads(std::env::var_os(THREADS_ENV).as_deref())) {
        (0, Ok(Some(n))) => Ok(n),
        (0, Err(msg)) => {
            eprintln!("error: {THREADS_ENV}: {msg}");
            Err(ExitCode::from(2))
        }
        (n, _) => Ok(n),
    }
}

/// `docpipe run`'s options besides the config.
struct RunArgs {
    inputs: Vec<String>,
    format: Option<InputFormat>,
    stdin_name: Option<String>,
    output: Option<String>,
    threads: usize,
    quiet: bool,
    no_progress: bool,
}

/// The environment variable that sets the thread count when `--threads` is not given (it wins
/// over `run.threads`): a cluster task's CPU budget, which neither the affinity mask nor the
/// cgroup quota may show (Spark's `spark.task.cpus`, Ray's `num_cpus`).
const THREADS_ENV: &str = "DOCPIPE_THREADS";

/// The thread count `DOCPIPE_THREADS` asks for: `None` when unset or empty, an error when it
/// is not a count from 1 to the maximum.
fn env_threads(value: Option<&std::ffi::OsStr>) -> Result<Option<usize>, String> {
    let Some(value) = value.filter(|v| !v.is_empty()) else { return Ok(None) };
    let text = value.to_str().ok_or("not a number")?;
    let n: usize = text.trim().parse().map_err(|_| format!("`{text}` is not a thread count"))?;
    if n == 0 {
        return Err("0 threads: leave it unset for one per CPU".to_owned());
    }
    config::check_threads(n).map_err(|msg| format!("{n}: {msg}"))?;
    Ok(Some(n))
}

/// Worker threads per core beyond which a request is capped (with a warning): more only adds
/// switching and memory, and output never depends on the count.
const THREADS_PER_CORE_CAP: usize = 16;

/// The thread count to run with, from `--threads` (or `run.threads` when it is 0), capped at
/// [`THREADS_PER_CORE_CAP`] per core; 0 stays 0 (one per core). Returns the count and, when
/// capped, the warning to give.
fn capped_threads(flag: usize, config: usize, cores: usize) -> (usize, Option<String>) {
    let asked = if flag != 0 { flag } else { config };
    let cap = (cores.max(1) * THREADS_PER_CORE_CAP).min(config::MAX_THREADS);
    if asked > cap {
        let why = format!(
            "{asked} worker threads asked for on {cores} core{}: capped at {cap} ({THREADS_PER_CORE_CAP} per core)",
            if cores == 1 { "" } else { "s" }
        );
        (cap, Some(why))
    } else {
        (asked, None)
    }
}

fn load(config: Option<&Path>, overrides: &Overrides) -> Result<Pipeline, ConfigErrors> {
    match config {
        Some(path) => config::load(path, overrides),
        None => {
            let mut o = overrides.clone();
            if o.inputs.is_empty() {
                o.memory_inputs = builtin::corpus_files();
            }
            if o.output_dir.is_none() {
                o.output_dir = Some("docpipe-out".to_owned());
            }
            // Relative paths inside the built-in config stay inside ./docpipe-out.
            config::load_str(builtin::NEWS_TOML, "<built-in config/news.toml>", Path::new("docpipe-out/config"), &o)
        }
    }
}

fn print_config_errors(errors: &ConfigErrors) {
    for e in &errors.0 {
        eprintln!("error: {e}");
    }
    let n = errors.0.len();
    eprintln!(
        "{n} error{} in the config; `docpipe stages` lists the stage types and `docpipe stages NAME` their options",
        if n == 1 { "" } else { "s" }
    );
}

fn cmd_check(config: &Path, inputs: Vec<String>) -> ExitCode {
    let overrides = Overrides { inputs, ..Overrides::default() };
    match config::load(config, &overrides) {
        Ok(p) => {
            let names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
            println!(
                "{}: ok: {} input file{}, {} stage{}{}{}",
                config.display(),
                p.input.files.len(),
                if p.input.files.len() == 1 { "" } else { "s" },
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                if names.is_empty() { "" } else { ": " },
                names.join(" → ")
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            print_config_errors(&errors);
            ExitCode::from(2)
        }
    }
}

fn cmd_run(config: Option<&Path>, args: RunArgs, warnings: &logging::Throttle) -> ExitCode {
    let RunArgs { inputs, format, stdin_name, output, threads, quiet, no_progress } = args;
    if output.as_deref() == Some("-") {
        eprintln!("error: --output -: {}", config::OUTPUT_DASH);
        return ExitCode::from(2);
    }
    let threads = match resolve_threads(threads) {
        Ok(n) => n,
        Err(code) => return code,
    };
    // Ctrl-C, SIGTERM or SIGHUP stops the run in whatever phase it is (reading, finishing,
    // writing reports) and commits nothing; a second signal exits at once, after removing the
    // run's temporary files.
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = cancel.clone();
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, std::sync::atomic::Ordering::SeqCst) {
            docpipe_core::output::remove_live_temp_files();
            std::process::exit(130);
        }
    });
    let overrides = Overrides { inputs, output_dir: output, format, stdin_name, ..Overrides::default() };
    let pipeline = match load(config, &overrides) {
        Ok(p) => p,
        Err(errors) => {
            print_config_errors(&errors);
            return ExitCode::from(2);
        }
    };
    let config_name = pipeline.config_path.clone();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let (threads, capped) = capped_threads(threads, pipeline.run.threads, cores);
    if let Some(why) = capped {
        tracing::warn!("{why}");
    }
    let bar = progress::Bar::new(!quiet && !no_progress);
    let started = Instant::now();
    let result = runner::run(pipeline, &RunOptions { threads, cancel: Some(cancel), shard: None }, &bar);
    // The whole run, report sinks and commit included (the runner's own figure stops before).
    let wall = started.elapsed().as_secs_f64();
    bar.finish();
    let failed_path = result.as_ref().ok().filter(|o| o.failed > 0).map(|o| o.failed_path.clone());
    for (message, n) in warnings.summary() {
        let hint = match &failed_path {
            Some(p) if message.contains("failed") => format!(" (every failure is listed in {})", p.display()),
            _ => String::new(),
        };
        eprintln!("warning: … and {n} more `{message}` warnings{hint}");
    }
    match result {
        Ok(mut outcome) => {
            // Peak memory read now, after the report sinks, rather than before them.
            let peak = docpipe_core::stats::peak_rss_bytes();
            outcome.stats.peak_rss_bytes = outcome.stats.peak_rss_bytes.max(peak);
            if !quiet {
                eprint!("{}", report::run_table(&config_name, &outcome, wall));
            }
            ExitCode::SUCCESS
        }
        Err(runner::RunError::Interrupted) => {
            eprintln!("interrupted: no output file was committed");
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("the run stopped; no output file was committed");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docpipe_core::registry;

    // Issue 14: `-j 100000` started a pool of 100,000 threads.
    #[test]
    fn thread_counts_far_above_the_cores_are_capped() {
        assert_eq!(capped_threads(0, 0, 2), (0, None));
        assert_eq!(capped_threads(0, 8, 2), (8, None));
        assert_eq!(capped_threads(32, 1, 2), (32, None));
        let (n, why) = capped_threads(1000, 0, 2);
        assert_eq!(n, 32);
        assert!(why.unwrap().contains("capped at 32"));
        assert_eq!(capped_threads(0, 5000, 128).0, config::MAX_THREADS);
    }

    // Issue 16: a cluster task sets its CPU budget through the environment.
    #[test]
    fn docpipe_threads_is_a_positive_count() {
        use std::ffi::OsStr;
        assert_eq!(env_threads(None), Ok(None));
        assert_eq!(env_threads(Some(OsStr::new(""))), Ok(None));
        assert_eq!(env_threads(Some(OsStr::new("3"))), Ok(Some(3)));
        assert_eq!(env_threads(Some(OsStr::new(" 2 "))), Ok(Some(2)));
        assert!(env_threads(Some(OsStr::new("0"))).unwrap_err().contains("0 threads"));
        assert!(env_threads(Some(OsStr::new("two"))).unwrap_err().contains("not a thread count"));
        assert!(env_threads(Some(OsStr::new("100000"))).is_err());
    }

    #[test]
    fn every_plugin_crate_is_registered() {
        // Each crate under plugins/ must register at least one stage in this binary.
        let plugins_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
        let registered: std::collections::BTreeSet<&str> = registry::factories().iter().map(|f| f.package).collect();
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(&plugins_dir).unwrap() {
            let dir = entry.unwrap().path();
            let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) else { continue };
            let name = manifest
                .lines()
                .find_map(|l| l.trim().strip_prefix("name = \"").and_then(|r| r.strip_suffix('"')))
                .unwrap();
            if !registered.contains(name) {
                missing.push(name.to_owned());
            }
        }
        assert!(
            missing.is_empty(),
            "plugin crates not registered in the CLI: {missing:?}; add them to crates/cli/Cargo.toml and `use <crate> as _;` in crates/cli/src/plugins.rs (cargo xtask new-plugin does both)"
        );
    }

    #[test]
    fn stage_docs_are_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/stages.md");
        let fresh = report::stages_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &fresh).unwrap();
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(current == fresh, "docs/stages.md is out of date; run `cargo xtask docs`");
    }

    #[test]
    fn pipeline_schema_is_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/pipeline.schema.json");
        let fresh = report::pipeline_schema();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(current == fresh, "config/pipeline.schema.json is out of date; run `cargo xtask docs`");
    }

    /// The documented defaults are real: written out, they parse to what no options give, and
    /// the stage builds with them (its validation accepts its own defaults).
    #[test]
    fn documented_defaults_mean_no_options() {
        use docpipe_core::options::OptionDefault;
        for f in registry::factories() {
            let check_defaults = f.options.check_defaults;
            if let Err(e) = check_defaults() {
                panic!("{}: {e}", f.name);
            }
            let mut snippet = String::new();
            for o in f.options() {
                if let OptionDefault::Value(v) = &o.default {
                    snippet.push_str(&format!("{} = {v}\n", o.name));
                }
            }
            let opts = docpipe_core::StageOptions::parse_snippet(&snippet, Path::new(".")).unwrap();
            let none = docpipe_core::StageOptions::parse_snippet("", Path::new(".")).unwrap();
            if (f.build)(&none).is_ok()
                && let Err(e) = (f.build)(&opts)
            {
                panic!("{}: the documented defaults do not build: {e}\n{snippet}", f.name);
            }
        }
    }

    #[test]
    fn stage_registry_is_consistent() {
        assert!(registry::duplicate_names().is_empty(), "duplicate stage names: {:?}", registry::duplicate_names());
        for f in registry::factories() {
            // The example parses and builds.
            let table = f
                .example
                .trim_start()
                .strip_prefix("[[stage]]")
                .unwrap_or_else(|| panic!("{}: example must start with [[stage]]", f.name));
            let opts = docpipe_core::StageOptions::parse_snippet(table, Path::new(".")).unwrap();
            if let Err(e) = (f.build)(&opts) {
                panic!("{}: example does not build: {e}", f.name);
            }
            assert!(f.example.contains(&format!("type = \"{}\"", f.name)), "{}: example must set its type", f.name);
            // Every documented option is a real field and every field is documented: the
            // options struct lists its fields when it meets an unknown one.
            let probe = "__probe__ = 1\n";
            let opts = docpipe_core::StageOptions::parse_snippet(probe, Path::new(".")).unwrap();
            let err = (f.build)(&opts).expect_err("an unknown key must be rejected (deny_unknown_fields)");
            let msg = err.message().to_owned();
            let mut fields: Vec<&str> =
                msg.split("expected").nth(1).unwrap_or("").split('`').skip(1).step_by(2).collect();
            fields.sort_unstable();
            let mut documented: Vec<&str> = f.options().iter().map(|o| o.name).collect();
            documented.sort_unstable();
            assert_eq!(fields, documented, "{}: documented options differ from the options struct", f.name);
            assert!(
                !f.summary.is_empty() && !f.summary.ends_with('.'),
                "{}: summary must be one line without a final period",
                f.name
            );
        }
    }
}
