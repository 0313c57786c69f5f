//! The sharded-job commands (`plan`, `map`, `resolve`, `merge`, `status`): thin wrappers
//! over `docpipe_core::shard` that a cluster driver (Spark, Ray, a shell loop) calls once per
//! task. Each prints one JSON line on stdout for the driver and exits 0 when the task is done
//! (or was already done), 1 when it failed, 2 when it was asked for something impossible.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use docpipe_core::input::InputFormat;
use docpipe_core::shard::{self, Plan, ShardError, TaskOutcome};

fn exit_for(e: &ShardError) -> ExitCode {
    match e {
        ShardError::Config(_) | ShardError::Refused(_) => ExitCode::from(2),
        _ => ExitCode::FAILURE,
    }
}

fn fail(e: ShardError) -> ExitCode {
    eprintln!("error: {e}");
    exit_for(&e)
}

/// The work folder as an absolute path (tasks change directory to the plan's).
fn absolute(work: &Path) -> Result<PathBuf, ShardError> {
    std::path::absolute(work).map_err(|source| ShardError::Io { path: work.display().to_string(), source })
}

/// Loads the plan and moves to the directory `plan` ran in, so paths resolve as they did.
fn enter(work: &Path) -> Result<(PathBuf, Plan), ShardError> {
    let work = absolute(work)?;
    let plan = shard::load_plan(&work)?;
    std::env::set_current_dir(&plan.cwd)
        .map_err(|source| ShardError::Io { path: plan.cwd.display().to_string(), source })?;
    Ok((work, plan))
}

/// `docpipe plan`.
pub fn cmd_plan(
    config: &Path,
    inputs: Vec<String>,
    format: Option<InputFormat>,
    shards: usize,
    work: &Path,
    cwd: Option<&Path>,
) -> ExitCode {
    // The work folder is named from where the command runs, then the plan's directory is
    // entered: the config and inputs are named from there, as the tasks will name them.
    let result = absolute(work).and_then(|w| {
        if let Some(dir) = cwd {
            std::env::set_current_dir(dir)
                .map_err(|source| ShardError::Io { path: dir.display().to_string(), source })?;
        }
        shard::plan(config, inputs, format, shards, &w).map(|p| (w, p))
    });
    match result {
        Ok((work, plan)) => {
            eprintln!(
                "planned {} shard{} × {} round{} ({} global stage{}) in {}",
                plan.shards.len(),
                if plan.shards.len() == 1 { "" } else { "s" },
                plan.rounds(),
                if plan.rounds() == 1 { "" } else { "s" },
                plan.resolves(),
                if plan.resolves() == 1 { "" } else { "s" },
                work.display()
            );
            println!("{}", plan.summary(&work));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn report(what: &str, outcome: Result<TaskOutcome, ShardError>) -> ExitCode {
    match outcome {
        Ok(TaskOutcome::Done(m)) => {
            eprintln!("{what}: done ({} documents, {} failed)", m.documents, m.failed);
            println!("{}", serde_json::json!({ "status": "done", "marker": m }));
            ExitCode::SUCCESS
        }
        Ok(TaskOutcome::Skipped(m)) => {
            eprintln!("{what}: already done (valid marker), skipped");
            println!("{}", serde_json::json!({ "status": "skipped", "marker": m }));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// `docpipe map`.
pub fn cmd_map(work: &Path, round: usize, shard_no: usize, threads: usize, force: bool) -> ExitCode {
    let outcome = enter(work).and_then(|(work, plan)| shard::run_map(&work, &plan, round, shard_no, threads, force));
    report(&format!("round {round} shard {shard_no}"), outcome)
}

/// `docpipe resolve`.
pub fn cmd_resolve(work: &Path, round: usize, force: bool) -> ExitCode {
    let outcome = enter(work).and_then(|(work, plan)| shard::resolve(&work, &plan, round, force));
    report(&format!("resolve {round}"), outcome)
}

/// `docpipe merge`.
pub fn cmd_merge(work: &Path, output: Option<&Path>) -> ExitCode {
    // The output folder is named relative to where the command runs, not the plan's folder.
    let output = match output.map(absolute).transpose() {
        Ok(o) => o,
        Err(e) => return fail(e),
    };
    let outcome = enter(work).and_then(|(work, plan)| shard::merge(&work, &plan, output.as_deref()));
    match outcome {
        Ok(m) => {
            eprintln!(
                "merged into {}: {} documents out, {} failed",
                m.output_dir.display(),
                m.stats.final_documents(),
                m.failed
            );
            println!(
                "{}",
                serde_json::json!({
                    "status": "done", "output": m.output_dir.display().to_string(),
                    "documents": m.stats.final_documents(), "failed": m.failed,
                })
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// `docpipe prune`.
pub fn cmd_prune(work: &Path, round: usize) -> ExitCode {
    match enter(work).and_then(|(work, plan)| shard::prune(&work, &plan, round)) {
        Ok(freed) => {
            eprintln!("round {round}: freed {:.1} MB", freed as f64 / 1e6);
            println!("{}", serde_json::json!({ "status": "done", "round": round, "freed_bytes": freed }));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// `docpipe status`.
pub fn cmd_status(work: &Path) -> ExitCode {
    match enter(work) {
        Ok((work, plan)) => {
            println!("{}", shard::status(&work, &plan));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// `docpipe run --resume`.
pub fn cmd_run_resumable(
    config: Option<&Path>,
    inputs: Vec<String>,
    format: Option<InputFormat>,
    output: Option<String>,
    threads: usize,
    shard_bytes: u64,
    quiet: bool,
) -> ExitCode {
    let Some(config) = config else {
        eprintln!("error: --resume needs a config file (the built-in pipeline reads no files to resume)");
        return ExitCode::from(2);
    };
    if output.as_deref() == Some("-") {
        eprintln!("error: --output -: {}", docpipe_core::config::OUTPUT_DASH);
        return ExitCode::from(2);
    }
    let progress = |line: &str| {
        if !quiet {
            eprintln!("{line}");
        }
    };
    let output = output.map(PathBuf::from);
    match shard::run_resumable(config, inputs, format, output.as_deref(), threads, shard_bytes, &progress) {
        Ok(m) => {
            if !quiet {
                eprintln!(
                    "done: {} documents out, {} failed, in {}",
                    m.stats.final_documents(),
                    m.failed,
                    m.output_dir.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
