//! `cargo xtask scale [--ray] [--mb N] [--shards 1,3] [--no-faults]`: the Spark (or Ray)
//! driver in `integrations/` run in local mode against the single-process run.
//!
//! Installs the engine into a venv under `target/scale/` (`venv-spark`: pyspark; `venv-ray`:
//! `ray[data]`) when it is not there yet, builds the release binary, generates (or reuses) a
//! corpus of `--mb` MB with `gen-corpus` (seed 7) and runs `integrations/scaletest.py` with the
//! venv's python: the single-process reference, the driver at each shard count, every merged
//! output compared byte for byte, and the fault cases (a failing child fails the job, a
//! malformed line reaches `failed.jsonl`, a deleted marker redoes only its shard).
//!
//! `cargo xtask ci` runs the Spark variant (10 MB, N = 1 and 3, with the faults): Spark local
//! mode needs Java 17+ on the machine and PyPI for the first install.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::gencorpus;

/// What each engine's venv gets from PyPI (the marker in the venv records it, so a change here
/// reinstalls).
const SPARK_REQUIREMENT: &str = "pyspark>=4.0,<5";
const RAY_REQUIREMENT: &str = "ray[data]>=2.40,<3";
/// The corpus seed (the one `bench` uses).
const SEED: u64 = 7;

/// `scale` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Drive Ray (2 CPUs) instead of Spark (`local[2]`).
    #[arg(long)]
    pub ray: bool,
    /// Size of the generated corpus in MB.
    #[arg(long, default_value_t = 10)]
    pub mb: u64,
    /// Comma-separated shard counts to check against the single-process run.
    #[arg(long, default_value = "1,3")]
    pub shards: String,
    /// Skip the fault cases (failing child, resume after a deleted marker).
    #[arg(long)]
    pub no_faults: bool,
}

impl Options {
    /// What `cargo xtask ci` runs: Spark, 10 MB, N = 1 and 3, the fault cases.
    pub fn ci() -> Self {
        Options { ray: false, mb: 10, shards: "1,3".into(), no_faults: false }
    }
}

/// One engine: its name (as scaletest.py spells it), venv folder, pip requirement and the
/// module whose import proves the install.
struct Engine {
    name: &'static str,
    venv: &'static str,
    requirement: &'static str,
    module: &'static str,
}

const SPARK: Engine = Engine { name: "spark", venv: "venv-spark", requirement: SPARK_REQUIREMENT, module: "pyspark" };
const RAY: Engine = Engine { name: "ray", venv: "venv-ray", requirement: RAY_REQUIREMENT, module: "ray" };

/// Runs the scale test.
pub fn run(root: &Path, o: &Options) -> Result<()> {
    let engine = if o.ray { &RAY } else { &SPARK };
    shard_counts(&o.shards)?;
    if o.mb == 0 {
        bail!("--mb must be at least 1");
    }
    let dir = root.join("target/scale");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    if !o.ray {
        check_java()?;
    }
    let python = venv(&dir, engine)?;
    let mut c = crate::cargo();
    c.args(["build", "--release", "--locked", "-p", "docpipe"]);
    crate::step(root, "cargo build --release -p docpipe", c, "fix the build errors above")?;
    let corpus = corpus(root, &dir, o.mb)?;
    let mut py = Command::new(&python);
    py.arg(root.join("integrations/scaletest.py"))
        .args(["--engine", engine.name, "--python"])
        .arg(&python)
        .arg("--binary")
        .arg(root.join("target/release/docpipe"))
        .arg("--corpus")
        .arg(&corpus)
        .args(["--shards", &o.shards])
        .arg("--dir")
        .arg(&dir);
    if !o.no_faults {
        py.arg("--faults");
    }
    crate::step(
        root,
        &format!("integrations/scaletest.py --engine {} ({} MB, N = {})", engine.name, o.mb, o.shards),
        py,
        "see the failed checks above; each run's log is under target/scale/runs-ENGINE/",
    )
}

/// The shard counts of `--shards`, each at least 1.
fn shard_counts(s: &str) -> Result<Vec<u32>> {
    let counts = s
        .split(',')
        .map(|n| n.trim().parse::<u32>().ok().filter(|&n| n >= 1))
        .collect::<Option<Vec<u32>>>()
        .filter(|v| !v.is_empty());
    counts.with_context(|| format!("--shards wants shard counts like `1,3`, got `{s}`"))
}

/// Spark's local mode runs a JVM: say how to get one before pip spends time on pyspark.
fn check_java() -> Result<()> {
    let ok = Command::new("java").arg("-version").output().is_ok_and(|out| out.status.success());
    if !ok {
        bail!("Spark needs Java 17 or newer on PATH (`java -version` failed): apt-get install openjdk-17-jre-headless");
    }
    Ok(())
}

/// The venv's marker: what was installed into it.
fn marker(engine: &Engine) -> Value {
    json!({"requirement": engine.requirement})
}

/// Creates `target/scale/<venv>` and installs the engine into it unless its marker says it is
/// there and the module imports. Returns the venv's python.
fn venv(dir: &Path, engine: &Engine) -> Result<PathBuf> {
    let venv = dir.join(engine.venv);
    let python = venv.join("bin/python");
    let marker_path = venv.join("docpipe-scale.json");
    let recorded = std::fs::read_to_string(&marker_path).ok().and_then(|s| serde_json::from_str::<Value>(&s).ok());
    if recorded.as_ref() == Some(&marker(engine)) && imports(&python, engine.module) {
        eprintln!("xtask: reusing {} ({})", rel(dir, &venv), engine.requirement);
        return Ok(python);
    }
    if !python.exists() {
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .context("cannot start python3 (the scale test needs python3 with the venv module)")?;
        if !status.success() {
            bail!("python3 -m venv {} failed ({status}): install python3-venv", venv.display());
        }
    }
    eprintln!("xtask: pip install {} into {}", engine.requirement, rel(dir, &venv));
    let started = Instant::now();
    let out = Command::new(&python)
        .args(["-m", "pip", "install", "--disable-pip-version-check", "--timeout", "30", "--retries", "2"])
        .arg(engine.requirement)
        .output()
        .context("cannot start the venv's pip")?;
    eprintln!("xtask: pip install {}: {:.0} s", engine.requirement, started.elapsed().as_secs_f64());
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!(
            "pip could not install {} from PyPI ({}):\n{}\n  remedy: the scale test needs network access to PyPI \
             for its first run; rerun when it is reachable, or skip it with `cargo xtask test` instead of `ci`",
            engine.requirement,
            out.status,
            tail.join("\n")
        );
    }
    if !imports(&python, engine.module) {
        bail!("pip installed {} but `import {}` fails in {}", engine.requirement, engine.module, venv.display());
    }
    std::fs::write(&marker_path, marker(engine).to_string())?;
    Ok(python)
}

fn imports(python: &Path, module: &str) -> bool {
    Command::new(python).args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success())
}

/// Generates (or reuses) `target/scale/corpus-<mb>MB`.
fn corpus(root: &Path, dir: &Path, mb: u64) -> Result<PathBuf> {
    let out = dir.join(format!("corpus-{mb}MB"));
    gencorpus::generate_cached(root, &out, mb << 20, SEED)?;
    Ok(out)
}

fn rel(dir: &Path, p: &Path) -> String {
    let base = dir.parent().and_then(Path::parent).unwrap_or(dir);
    p.strip_prefix(base).unwrap_or(p).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Task;

    #[test]
    fn flags_parse() {
        let parse = |args: &str| match crate::parse_task(&format!("scale {args}")) {
            Ok(Task::Scale(o)) => o,
            other => panic!("`scale {args}` parsed as {other:?}"),
        };
        let o = parse("");
        assert!(!o.ray && o.mb == 10 && o.shards == "1,3" && !o.no_faults);
        let o = parse("--ray --mb 50 --shards 2,4 --no-faults");
        assert!(o.ray && o.mb == 50 && o.shards == "2,4" && o.no_faults);
        let ci = Options::ci();
        assert!(!ci.ray && ci.mb == 10 && ci.shards == "1,3" && !ci.no_faults);
    }

    #[test]
    fn shard_counts_are_positive() {
        assert_eq!(shard_counts("1,3").ok(), Some(vec![1, 3]));
        assert_eq!(shard_counts(" 7 ").ok(), Some(vec![7]));
        for bad in ["", "0", "1,,3", "x", "-2"] {
            assert!(shard_counts(bad).is_err(), "`{bad}` accepted");
        }
    }

    #[test]
    fn a_changed_requirement_reinstalls() {
        assert_ne!(marker(&SPARK), marker(&RAY));
        assert_eq!(marker(&SPARK), json!({"requirement": SPARK_REQUIREMENT}));
    }
}
