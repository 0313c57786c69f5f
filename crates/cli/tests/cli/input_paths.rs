//! Issue 15: `docpipe check` on directory walks and `exclude` patterns: a symbolic link loop
//! is reported and walked once, an invalid pattern is a config error at its position, and
//! patterns resolve against the config file's directory.

use std::path::Path;
use std::process::{Command, Output};

fn docpipe(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docpipe")).args(args).current_dir(dir).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_is_reported_and_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("data/a.txt"), "one");
    write(&dir.path().join("data/sub/b.txt"), "two");
    std::os::unix::fs::symlink("..", dir.path().join("data/sub/up")).unwrap();
    write(&dir.path().join("p.toml"), "[input]\npaths = [\"data\"]\n");
    let out = docpipe(&["check", "p.toml"], dir.path());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("ok: 2 input files"), "{stdout}");
    assert!(stderr.contains("symbolic link loop: `data/sub/up` leads back to `data`"), "{stderr}");
}

#[test]
fn an_invalid_exclude_is_a_config_error_at_its_position() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("data/a.txt"), "one");
    write(&dir.path().join("p.toml"), "[input]\npaths = [\"data\"]\nexclude = [\"**/gold/**\", \"a{b\"]\n");
    let out = docpipe(&["check", "p.toml"], dir.path());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: p.toml:3:26: [input] invalid exclude pattern `a{b`: unclosed alternate group"),
        "{stderr}"
    );
    assert!(stderr.contains("1 error in the config"), "{stderr}");
}

#[test]
fn excludes_resolve_against_the_config_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("data/a.txt"), "one");
    write(&dir.path().join("data/old/b.txt"), "two");
    write(&dir.path().join("config/p.toml"), "[input]\npaths = [\"../data\"]\nexclude = [\"../data/old/**\"]\n");
    // The same result from the config's directory, from its parent, and with --input (a path
    // relative to the current directory) checked against the config's excludes.
    for (cwd, config, input) in
        [("config", "p.toml", None), (".", "config/p.toml", None), (".", "config/p.toml", Some("data"))]
    {
        let mut args = vec!["check", config];
        if let Some(i) = input {
            args.extend(["--input", i]);
        }
        let out = docpipe(&args, &dir.path().join(cwd));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("ok: 1 input file,"), "{args:?} in {cwd}: {stdout}{}", text(&out.stderr));
    }
}
