//! The tidy check: project rules that rustfmt and clippy do not know.
//!
//! - every Rust file starts with a `//!` module doc saying what it is for;
//! - plugins depend on `docpipe-core` and the shared text crate `docpipe-text` only (never on
//!   another plugin or the CLI); core depends on no docpipe crate but its own derive
//!   (`docpipe-options-derive`), and `docpipe-text` on none;
//! - every crate under `plugins/` is a dependency of the CLI and named in
//!   `crates/cli/src/plugins.rs` (an unnamed dependency is not linked: its stages vanish);
//! - `docpipe-testkit` (test support) is only ever a dev-dependency, and depends on no
//!   docpipe crate;
//! - the README shows the test command and `.ci/run` runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use serde_json::Value;

/// Runs every check; returns the problems found, each with its remedy.
pub fn check(root: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    module_docs(root, &mut problems)?;
    dependency_rules(root, &mut problems)?;
    plugin_linking(root, &mut problems)?;
    testkit_dev_only(root, &mut problems)?;
    readme_and_ci(root, &mut problems);
    Ok(problems)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let p = entry?.path();
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if p.is_dir() {
            if name != "target" && name != "corpus" && name != "template" && !name.starts_with('.') {
                rust_files(&p, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
    Ok(())
}

fn module_docs(root: &Path, problems: &mut Vec<String>) -> Result<()> {
    let mut files = Vec::new();
    for d in ["crates", "plugins", "xtask", "tests"] {
        rust_files(&root.join(d), &mut files)?;
    }
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f)?;
        let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("#!["));
        if !first.is_some_and(|l| l.starts_with("//!")) {
            let rel = f.strip_prefix(root).unwrap_or(&f).display().to_string();
            problems.push(format!("{rel}: no module doc; start the file with `//! what this file is for`"));
        }
    }
    Ok(())
}

fn metadata(root: &Path) -> Result<Value> {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root)
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        anyhow::bail!("cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

struct Package {
    name: String,
    dir: PathBuf,
    deps: Vec<String>,
}

fn packages(root: &Path) -> Result<Vec<Package>> {
    let meta = metadata(root)?;
    let mut out = Vec::new();
    for p in meta["packages"].as_array().into_iter().flatten() {
        let manifest = PathBuf::from(p["manifest_path"].as_str().unwrap_or_default());
        out.push(Package {
            name: p["name"].as_str().unwrap_or_default().to_owned(),
            dir: manifest.parent().map(Path::to_path_buf).unwrap_or_default(),
            deps: p["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
                .collect(),
        });
    }
    Ok(out)
}

fn is_plugin(root: &Path, p: &Package) -> bool {
    p.dir.starts_with(root.join("plugins"))
}

/// The docpipe crates a plugin may depend on: core, and the shared text knowledge.
const PLUGIN_MAY_USE: &[&str] = &["docpipe-core", "docpipe-text"];

/// Crates that depend on no docpipe crate (so that any plugin may use them).
const FOUNDATIONS: &[&str] = &["docpipe-core", "docpipe-text"];

fn dependency_rules(root: &Path, problems: &mut Vec<String>) -> Result<()> {
    let root = root.canonicalize()?;
    dependency_problems(&root, &packages(&root)?, problems);
    Ok(())
}

fn dependency_problems(root: &Path, pkgs: &[Package], problems: &mut Vec<String>) {
    for p in pkgs {
        let docpipe_deps: Vec<&String> = p.deps.iter().filter(|d| d.starts_with("docpipe")).collect();
        if is_plugin(root, p) {
            for d in docpipe_deps.iter().filter(|d| !PLUGIN_MAY_USE.contains(&d.as_str())) {
                problems.push(format!(
                    "{}: depends on {d}; plugins depend on docpipe-core and docpipe-text only (move shared text rules into crates/text, runner needs into core)",
                    p.name
                ));
            }
        } else if FOUNDATIONS.contains(&p.name.as_str()) {
            // Core may use its own derive crate; nothing else.
            for d in docpipe_deps
                .into_iter()
                .filter(|d| !(p.name == "docpipe-core" && d.as_str() == "docpipe-options-derive"))
            {
                problems.push(format!(
                    "{}: depends on {d}; core and docpipe-text must know no other docpipe crate",
                    p.name
                ));
            }
        }
    }
}

/// `docpipe-testkit` holds test and evaluation code: a crate that lists it under
/// `[dependencies]` (or `[build-dependencies]`) would compile it into a library or the binary.
fn testkit_dev_only(root: &Path, problems: &mut Vec<String>) -> Result<()> {
    const TESTKIT: &str = "docpipe-testkit";
    let meta = metadata(root)?;
    for p in meta["packages"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap_or_default();
        for d in p["dependencies"].as_array().into_iter().flatten() {
            let (dep, kind) = (d["name"].as_str().unwrap_or_default(), d["kind"].as_str());
            if name == TESTKIT && dep.starts_with("docpipe") {
                problems.push(format!("{TESTKIT}: depends on {dep}; test support depends on no docpipe crate (take what it needs as a parameter)"));
            } else if dep == TESTKIT && kind != Some("dev") {
                problems.push(format!("{name}: lists {TESTKIT} outside [dev-dependencies]; it is test support: move it to [dev-dependencies]"));
            }
        }
    }
    Ok(())
}

fn plugin_linking(root: &Path, problems: &mut Vec<String>) -> Result<()> {
    let root = root.canonicalize()?;
    let pkgs = packages(&root)?;
    let cli = pkgs.iter().find(|p| p.name == "docpipe");
    let plugins_rs = std::fs::read_to_string(root.join("crates/cli/src/plugins.rs")).unwrap_or_default();
    for p in pkgs.iter().filter(|p| is_plugin(&root, p)) {
        let ident = p.name.replace('-', "_");
        if !cli.is_some_and(|c| c.deps.contains(&p.name)) {
            problems.push(format!("{}: not a dependency of the CLI; add `{} = {{ path = \"../../plugins/{}\" }}` to crates/cli/Cargo.toml", p.name, p.name, p.dir.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()));
        }
        if !plugins_rs.contains(&format!("use {ident} as _;")) {
            problems.push(format!("{}: not named in crates/cli/src/plugins.rs, so it is not linked and its stages vanish; add `use {ident} as _;`", p.name));
        }
    }
    Ok(())
}

fn readme_and_ci(root: &Path, problems: &mut Vec<String>) {
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    if !readme.contains("cargo xtask ci") {
        problems
            .push("README.md: does not show the test command `cargo xtask ci`; add it to the quick start".to_owned());
    }
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap_or_default();
    if !ci.contains("cargo xtask ci") {
        problems.push(".ci/run: does not run `cargo xtask ci`, the README's test command; make it call it".to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_is_tidy() {
        let root = crate::workspace_root();
        let problems = check(&root).unwrap();
        assert!(problems.is_empty(), "tidy problems:\n{}", problems.join("\n"));
    }

    #[test]
    fn plugins_may_use_core_and_text_but_no_other_plugin() {
        let root = Path::new("/ws");
        let pkg = |name: &str, dir: &str, deps: &[&str]| Package {
            name: name.to_owned(),
            dir: root.join(dir),
            deps: deps.iter().map(|d| (*d).to_owned()).collect(),
        };
        let pkgs = [
            pkg("docpipe-summarise", "plugins/summarise", &["docpipe-core", "docpipe-text", "serde"]),
            pkg("docpipe-dedupe", "plugins/dedupe", &["docpipe-core", "docpipe-splitter"]),
            pkg("docpipe-text", "crates/text", &["docpipe-core"]),
            pkg("docpipe-core", "crates/core", &["docpipe-text"]),
            pkg("docpipe", "crates/cli", &["docpipe-core", "docpipe-dedupe"]),
        ];
        let mut problems = Vec::new();
        dependency_problems(root, &pkgs, &mut problems);
        let who: Vec<&str> = problems.iter().map(|p| p.split(':').next().unwrap_or("")).collect();
        assert_eq!(who, ["docpipe-dedupe", "docpipe-text", "docpipe-core"], "{problems:#?}");
        assert!(problems[0].contains("depends on docpipe-splitter"));
    }
}
