//! Issue 15: a docpipe binary with a plugin that lives outside the workspace.
//!
//! Builds the template crate `tests/out-of-tree/` (a binary that calls `docpipe::main()` and
//! names its own plugin, `char-count`) as a crate of its own, outside docpipe's workspace, then
//! runs `stages` and a small pipeline with the new stage. The build uses the target directory
//! this test was built in, so the third-party dependencies compiled for the workspace are
//! reused: only docpipe's own crates (unoptimised, as in the workspace), the plugin and the
//! binary are compiled (15–20 s on 2 busy cores, 0.1 s when nothing changed).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The target directory this test binary lives in (`<target>/debug/deps/out_of_tree-…`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// Writes `contents` unless the file already holds it, so unchanged files keep their mtime
/// and the build stays incremental.
fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(contents) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

/// Copies the template into `to`, pointing its paths at this checkout and adding the
/// workspace's dev profile, so that the dependencies compiled for the workspace are reused.
fn lay_out_template(root: &Path, to: &Path) {
    let template = root.join("tests/out-of-tree");
    for rel in ["Cargo.toml", "src/main.rs", "char-count/Cargo.toml", "char-count/src/lib.rs"] {
        let mut text = std::fs::read_to_string(template.join(rel)).unwrap();
        if rel == "Cargo.toml" {
            text = text.replace("\"../../crates/", &format!("\"{}/crates/", root.display()));
            assert!(!text.contains("\"../../"), "the template's paths were not rewritten:\n{text}");
            // Profiles come from the root manifest of the build: the same settings as the
            // workspace's, so third-party crates get the same compiled artifacts.
            let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
            text.push_str("\n# Added by crates/cli/tests/out_of_tree.rs: docpipe's dev profile.\n");
            let mut keep = false;
            for line in workspace.lines() {
                if line.starts_with('[') {
                    keep = line.starts_with("[profile.dev") && !line.contains("xtask");
                }
                if keep && !line.starts_with('#') {
                    text.push_str(line);
                    text.push('\n');
                }
            }
            // docpipe's crates are not members here, so `package."*"` would optimise them;
            // in the workspace they are built unoptimised, which compiles faster.
            for name in docpipe_packages(root) {
                text.push_str(&format!("\n[profile.dev.package.{name}]\nopt-level = 0\n"));
            }
        }
        write_if_changed(&to.join(rel), &text);
    }
    // The workspace's lock file: the same versions as the workspace, and no network.
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    write_if_changed(&to.join("Cargo.lock"), &lock);
}

/// The names of docpipe's library crates the template links: core, the CLI and the plugins.
fn docpipe_packages(root: &Path) -> Vec<String> {
    let mut dirs = vec![root.join("crates/core"), root.join("crates/cli")];
    let mut plugins: Vec<PathBuf> =
        std::fs::read_dir(root.join("plugins")).unwrap().map(|e| e.unwrap().path()).collect();
    plugins.sort();
    dirs.extend(plugins);
    dirs.iter()
        .filter_map(|d| std::fs::read_to_string(d.join("Cargo.toml")).ok())
        .filter_map(|m| {
            m.lines()
                .find_map(|l| l.trim().strip_prefix("name = \"").and_then(|r| r.strip_suffix('"')).map(str::to_owned))
        })
        .collect()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_binary_built_outside_the_workspace_runs_its_own_plugin() {
    let root = repo_root();
    let target = target_dir();
    let crate_dir = target.join("out-of-tree-test");
    lay_out_template(&root, &crate_dir);

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = std::time::Instant::now();
    run(Command::new(&cargo)
        .args(["build", "--offline", "--quiet", "--bin", "my-docpipe"])
        .current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("CARGO_MANIFEST_DIR"));
    eprintln!("out-of-tree build: {:.1} s", started.elapsed().as_secs_f64());
    let bin = target.join("debug").join(format!("my-docpipe{}", std::env::consts::EXE_SUFFIX));

    // The new stage is listed beside the built-in ones, and documented.
    let list = run(Command::new(&bin).arg("stages"));
    for name in ["char-count", "normalise", "splitter", "export"] {
        assert!(list.contains(name), "`stages` lacks {name}:\n{list}");
    }
    let doc = run(Command::new(&bin).args(["stages", "char-count"]));
    assert!(doc.contains("attributes.char_count"), "{doc}");

    // A pipeline with a built-in stage and the new one.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "Grüße aus Köln\n").unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        "[input]\npaths = [\"a.txt\"]\n\n[output]\ndir = \"out\"\n\n[[stage]]\ntype = \"normalise\"\n\n[[stage]]\ntype = \"char-count\"\n",
    )
    .unwrap();
    let config = dir.path().join("p.toml");
    let check = run(Command::new(&bin).arg("check").arg(&config));
    assert!(check.contains("char-count"), "{check}");
    run(Command::new(&bin).args(["run", "-q"]).arg(&config));
    let out = std::fs::read_to_string(dir.path().join("out/documents.jsonl")).unwrap();
    let record: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let chars = record["text"].as_str().unwrap().chars().count();
    assert!(chars >= 14, "{out}");
    assert_eq!(record["attributes"]["char_count"], chars, "{out}");

    // An unknown option of the new stage is a config error at its position.
    std::fs::write(&config, "[input]\npaths = [\"a.txt\"]\n\n[[stage]]\ntype = \"char-count\"\nlimit = 3\n").unwrap();
    let out = Command::new(&bin).arg("check").arg(&config).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("p.toml:6:"), "{stderr}");
}
