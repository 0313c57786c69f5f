//! End-to-end tests: the real docpipe binary on the sample corpus, on every `config/*.toml`,
//! and on bad input. One test binary (like ripgrep's `tests/tests.rs`) with a small harness.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod cli;
mod commit;
mod pipeline;
mod sharded;
mod web_input;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The result of one docpipe invocation.
pub struct Output {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// The repository root, canonical.
pub fn root() -> PathBuf {
    docpipe_tests::repo_root().canonicalize().unwrap()
}

/// Runs docpipe with `args` in `cwd`, feeding `stdin`.
pub fn docpipe_in(cwd: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docpipe-under-test"));
    cmd.args(args).current_dir(cwd).env_remove("RUST_LOG").stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().unwrap();
    if let Some(bytes) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(bytes).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs docpipe in the repository root.
pub fn docpipe(args: &[&str]) -> Output {
    docpipe_in(&root(), args, None)
}

/// Reads a JSONL file into values.
pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display())))
        .collect()
}

/// Reads `stats.json`, checks the accounting identity, returns the stats.
pub fn stats(dir: &Path) -> docpipe_core::stats::RunStats {
    let text = std::fs::read_to_string(dir.join("stats.json")).unwrap();
    let stats: docpipe_core::stats::RunStats = serde_json::from_str(&text).unwrap();
    if let Err(problems) = stats.check_accounting() {
        panic!("accounting identity violated: {problems:?}");
    }
    stats
}

/// A path as a `&str` argument.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
