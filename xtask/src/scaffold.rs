//! `cargo xtask new-plugin NAME`: scaffolds a plugin crate from `xtask/template/` and links
//! it into the CLI (dependency in `crates/cli/Cargo.toml`, `use … as _;` in
//! `crates/cli/src/plugins.rs`). The workspace's `plugins/*` glob makes it a member.

use std::path::Path;

use anyhow::{Context, Result, bail};

const CARGO_TEMPLATE: &str = include_str!("../template/Cargo.toml.in");
const LIB_TEMPLATE: &str = include_str!("../template/lib.rs.in");

/// Checks a plugin name: lower-case ASCII letters, digits and single hyphens, starting with a letter.
pub fn validate_name(name: &str) -> Result<()> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
        && !name.contains("--")
        && name.len() <= 40;
    if !ok {
        bail!(
            "invalid plugin name `{name}`: use lower-case letters, digits and single hyphens, starting with a letter (e.g. `language-id`)"
        );
    }
    Ok(())
}

fn type_name(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect::<String>()
        + "Stage"
}

fn render(template: &str, name: &str) -> String {
    template.replace("{{name}}", name).replace("{{type}}", &type_name(name))
}

/// Creates `plugins/NAME` and links it into the CLI.
pub fn new_plugin(root: &Path, name: &str) -> Result<()> {
    validate_name(name)?;
    let dir = root.join("plugins").join(name);
    if dir.exists() {
        bail!("plugins/{name} already exists");
    }
    let cli_toml_path = root.join("crates/cli/Cargo.toml");
    let plugins_rs_path = root.join("crates/cli/src/plugins.rs");
    let cli_toml = std::fs::read_to_string(&cli_toml_path).context("reading crates/cli/Cargo.toml")?;
    let plugins_rs = std::fs::read_to_string(&plugins_rs_path).context("reading crates/cli/src/plugins.rs")?;

    // CLI dependency, inserted after the plugins marker comment, kept sorted.
    let marker = "# Plugins:";
    let Some(at) = cli_toml.find(marker) else { bail!("crates/cli/Cargo.toml lost its `{marker}` comment") };
    let after_marker = cli_toml[at..].find('\n').map(|n| at + n + 1).unwrap_or(cli_toml.len());
    let (head, tail) = cli_toml.split_at(after_marker);
    let mut lines: Vec<String> = tail.lines().take_while(|l| l.starts_with("docpipe-")).map(str::to_owned).collect();
    let rest: Vec<&str> = tail.lines().skip(lines.len()).collect();
    lines.push(format!("docpipe-{name} = {{ path = \"../../plugins/{name}\" }}"));
    lines.sort();
    let mut new_toml = format!("{head}{}\n", lines.join("\n"));
    if !rest.is_empty() {
        new_toml.push_str(&rest.join("\n"));
        new_toml.push('\n');
    }

    // `use docpipe_NAME as _;`, kept sorted.
    let ident = format!("docpipe_{}", name.replace('-', "_"));
    let mut uses: Vec<String> =
        plugins_rs.lines().filter(|l| l.starts_with("use docpipe_")).map(str::to_owned).collect();
    let others: Vec<&str> = plugins_rs.lines().filter(|l| !l.starts_with("use docpipe_")).collect();
    uses.push(format!("use {ident} as _;"));
    uses.sort();
    let mut new_rs = others.join("\n").trim_end().to_owned();
    new_rs.push_str("\n\n");
    new_rs.push_str(&uses.join("\n"));
    new_rs.push('\n');

    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("Cargo.toml"), render(CARGO_TEMPLATE, name))?;
    std::fs::write(dir.join("src/lib.rs"), render(LIB_TEMPLATE, name))?;
    std::fs::write(&cli_toml_path, new_toml)?;
    std::fs::write(&plugins_rs_path, new_rs)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn names_are_checked() {
        assert!(validate_name("language-id").is_ok());
        for bad in ["", "Lang", "1abc", "a_b", "a-", "a--b"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
        assert_eq!(type_name("language-id"), "LanguageIdStage");
    }

    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if matches!(name.as_str(), "target" | ".git" | "out" | "docpipe-out") {
                continue;
            }
            let (src, dst) = (e.path(), to.join(&name));
            if src.is_dir() {
                copy_tree(&src, &dst);
            } else {
                std::fs::copy(&src, &dst).unwrap();
            }
        }
    }

    /// Scaffolds a plugin into a copy of the workspace, then builds it, runs its tests and
    /// the CLI's registry tests, and asks the CLI to document the new stage.
    #[test]
    fn scaffolded_plugin_builds_registers_and_passes_its_tests() {
        let root = crate::workspace_root();
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join("ws");
        copy_tree(&root, &copy);
        new_plugin(&copy, "word-stats").unwrap();
        assert!(new_plugin(&copy, "word-stats").is_err(), "scaffolding twice must fail");
        // The workspace's own target directory, so the third-party crates compiled for the
        // workspace are reused (a target directory of its own rebuilt them all, cold in every
        // CI run). The copy's crates get a version of their own: Cargo names artifacts by
        // package, version and path relative to the workspace root, so with the same version
        // the copy would overwrite the workspace's own artifacts (and the next build would
        // redo them).
        let manifest = copy.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        let text = text.replacen("version = \"0.1.0\"", "version = \"0.0.0-scaffold-test\"", 1);
        assert!(text.contains("0.0.0-scaffold-test"), "the workspace version line moved:\n{text}");
        std::fs::write(&manifest, text).unwrap();
        let target = std::env::current_exe().unwrap().ancestors().nth(3).unwrap().to_path_buf();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let run = |args: &[&str]| {
            let out = Command::new(&cargo)
                .args(args)
                .current_dir(&copy)
                .env("CARGO_TARGET_DIR", &target)
                .env("UPDATE_DOCS", "1")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "cargo {args:?} failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        run(&["test", "-p", "docpipe-word-stats", "-p", "docpipe", "--lib"]);
        // The CLI documents the new stage: its `stage_docs_are_current` test, run above with
        // UPDATE_DOCS set, wrote docs/stages.md from the registry. (Building the `docpipe`
        // binary here would put the copy's binary at the workspace's target/debug/docpipe.)
        let doc = std::fs::read_to_string(copy.join("docs/stages.md")).unwrap();
        assert!(doc.contains("word-stats") && doc.contains("min_words"), "{doc}");
        let problems = crate::tidy::check(&copy).unwrap();
        let ours: Vec<&String> =
            problems.iter().filter(|p| p.contains("word-stats") || p.contains("word_stats")).collect();
        assert!(ours.is_empty(), "{ours:?}");
    }
}
