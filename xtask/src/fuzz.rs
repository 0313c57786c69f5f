//! `cargo xtask fuzz [--seconds N] [--target T]`: runs the cargo-fuzz targets in `fuzz/`.
//!
//! Each target runs for N seconds (default 60) in one process (libFuzzer's default, no
//! `-jobs`), seeded from `fuzz/corpus/<target>/` (read only) with new inputs kept in
//! `fuzz/work/<target>/` (gitignored), and prints its executions, coverage (libFuzzer's final
//! `cov:`/`ft:` figures) and crashes. Any crash fails the task; the crashing input is in
//! `fuzz/artifacts/<target>/`. Needs the nightly toolchain and cargo-fuzz; says how to get them.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// `fuzz` arguments.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Seconds per target (at least 1).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub seconds: u64,
    /// One target (a file name in `fuzz/fuzz_targets/` without `.rs`); every target when absent.
    #[arg(long)]
    pub target: Option<String>,
}

/// What one target's run reported.
#[derive(Debug, Default, PartialEq)]
struct Stats {
    executions: u64,
    cov: u64,
    ft: u64,
    crashes: Vec<String>,
}

/// `cargo +nightly …` through the rustup proxy (the `CARGO` that runs xtask is the stable one).
fn nightly_cargo() -> Command {
    let mut c = Command::new("cargo");
    c.arg("+nightly").env_remove("RUSTUP_TOOLCHAIN").env_remove("CARGO");
    c
}

fn check_tools(root: &Path) -> Result<()> {
    let ok = |mut c: Command| {
        c.current_dir(root).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
    };
    let mut c = nightly_cargo();
    c.arg("--version");
    if !ok(c) {
        bail!(
            "the nightly toolchain is missing (cargo-fuzz needs it for the sanitizer flags).\n  remedy: rustup toolchain install nightly"
        );
    }
    let mut c = nightly_cargo();
    c.args(["fuzz", "--version"]);
    if !ok(c) {
        bail!(
            "cargo-fuzz is not installed.\n  remedy: cargo install cargo-fuzz (from crates.io; it runs as `cargo +nightly fuzz`)"
        );
    }
    Ok(())
}

fn targets(root: &Path) -> Result<Vec<String>> {
    let out = nightly_cargo()
        .args(["fuzz", "list"])
        .current_dir(root)
        .output()
        .context("running `cargo +nightly fuzz list`")?;
    if !out.status.success() {
        bail!("`cargo +nightly fuzz list` failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Runs the fuzz targets and prints a table; fails if any target crashed.
pub fn run(root: &Path, o: &Options) -> Result<()> {
    check_tools(root)?;
    let all = targets(root)?;
    let chosen: Vec<String> = match &o.target {
        Some(t) if all.contains(t) => vec![t.clone()],
        Some(t) => bail!("no fuzz target `{t}`; the targets are: {}", all.join(", ")),
        None => all,
    };
    let fuzz = root.join("fuzz");
    eprintln!("xtask: building the fuzz targets (nightly, address sanitizer)");
    let status = nightly_cargo()
        .args(["fuzz", "build"])
        .current_dir(root)
        .status()
        .context("running `cargo +nightly fuzz build`")?;
    if !status.success() {
        bail!("`cargo +nightly fuzz build` failed ({status}).\n  remedy: fix the build errors above");
    }
    let mut rows = Vec::new();
    for t in &chosen {
        let work = fuzz.join("work").join(t);
        let tmp = fuzz.join("target/tmp").join(t);
        std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
        std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let seeds = fuzz.join("corpus").join(t);
        // libFuzzer's output goes to a log (follow it with `tail -f`), read back for the table.
        let log_path = fuzz.join("target").join(format!("fuzz-{t}.log"));
        let log_file = std::fs::File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
        eprintln!("xtask: fuzzing `{t}` for {} s (libFuzzer output: {})", o.seconds, log_path.display());
        let mut c = nightly_cargo();
        c.args(["fuzz", "run", t]).arg(&work);
        if seeds.is_dir() {
            c.arg(&seeds);
        }
        c.arg("--")
            .arg(format!("-max_total_time={}", o.seconds))
            .args(["-max_len=8192", "-timeout=30", "-rss_limit_mb=2048", "-print_final_stats=1"])
            .env("TMPDIR", &tmp)
            .current_dir(root)
            .stdout(Stdio::inherit())
            .stderr(log_file);
        let status = c.status().with_context(|| format!("running fuzz target {t}"))?;
        let log = std::fs::read(&log_path).with_context(|| format!("reading {}", log_path.display()))?;
        let _ = std::fs::remove_dir_all(&tmp);
        let mut stats = parse_log(&String::from_utf8_lossy(&log));
        if !status.success() && stats.crashes.is_empty() {
            stats.crashes.push(format!("exit {status} (see {})", log_path.display()));
        }
        rows.push((t.clone(), stats));
    }
    println!("{:<12} {:>12} {:>8} {:>8} {:>8}", "target", "executions", "cov", "ft", "crashes");
    for (t, s) in &rows {
        println!("{t:<12} {:>12} {:>8} {:>8} {:>8}", s.executions, s.cov, s.ft, s.crashes.len());
    }
    let crashed: Vec<String> =
        rows.iter().flat_map(|(t, s)| s.crashes.iter().map(move |c| format!("{t}: {c}"))).collect();
    if !crashed.is_empty() {
        bail!(
            "{} fuzz crash{}:\n  {}\n  remedy: reproduce with `cargo +nightly fuzz run TARGET FILE`, minimise with `cargo +nightly fuzz tmin TARGET FILE`, fix the bug and keep the input in fuzz/regressions/TARGET/ (the replay test runs it on stable)",
            crashed.len(),
            if crashed.len() == 1 { "" } else { "es" },
            crashed.join("\n  ")
        );
    }
    Ok(())
}

/// Reads libFuzzer's output: the last status line (`#N DONE cov: C ft: F …`, or the last
/// `#N … cov:` line), `stat::number_of_executed_units`, and the inputs written on a crash.
fn parse_log(log: &str) -> Stats {
    let mut s = Stats::default();
    let field = |line: &str, key: &str| -> Option<u64> {
        let mut words = line.split_whitespace();
        words.by_ref().find(|w| *w == key)?;
        words.next()?.parse().ok()
    };
    for line in log.lines() {
        if let Some(rest) = line.strip_prefix('#')
            && line.contains("cov:")
        {
            if let Some(n) = rest.split_whitespace().next().and_then(|n| n.parse().ok()) {
                s.executions = n;
            }
            s.cov = field(line, "cov:").unwrap_or(s.cov);
            s.ft = field(line, "ft:").unwrap_or(s.ft);
        } else if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            s.executions = n.trim().parse().unwrap_or(s.executions);
        } else if let Some((_, file)) = line.split_once("Test unit written to ") {
            s.crashes.push(file.trim().to_owned());
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libfuzzer_output_is_parsed() {
        let log = "INFO: Seed: 1\n#2\tINITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb\n#4096\tpulse  cov: 50 ft: 80 corp: 9/99b\n#9000\tDONE   cov: 61 ft: 93 corp: 12/120b lim: 4 exec/s: 900 rss: 40Mb\nDone 9000 runs in 10 second(s)\nstat::number_of_executed_units: 9001\n";
        assert_eq!(parse_log(log), Stats { executions: 9001, cov: 61, ft: 93, crashes: vec![] });
        let crash = "#5\tNEW    cov: 3 ft: 3 corp: 2/2b\n==1== ERROR: libFuzzer: deadly signal\nartifact_prefix='a/'; Test unit written to fuzz/artifacts/text/crash-abc\n";
        assert_eq!(parse_log(crash).crashes, vec!["fuzz/artifacts/text/crash-abc".to_owned()]);
    }

    #[test]
    fn arguments_are_checked() {
        let parse = |args: &str| match crate::parse_task(&format!("fuzz {args}")) {
            Ok(crate::Task::Fuzz(o)) => Ok(o),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e),
        };
        let o = parse("--seconds 10 --target text").unwrap();
        assert_eq!((o.seconds, o.target.as_deref()), (10, Some("text")));
        assert_eq!(parse("").unwrap().seconds, 60);
        assert!(parse("--seconds 0").is_err());
        assert!(parse("--fast").is_err());
    }
}
