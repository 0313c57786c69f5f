//! Embeds the default pipeline (`config/news.toml`) and the sample corpus (`tests/corpus`,
//! without `gold/`) into the binary, so `docpipe run` without a config shows what docpipe
//! does even when installed without the repository.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let root = manifest.join("../..");
    let corpus = root.join("tests/corpus");
    let config = root.join("config/news.toml");
    println!("cargo:rerun-if-changed={}", corpus.display());
    println!("cargo:rerun-if-changed={}", config.display());
    let mut files = Vec::new();
    collect(&corpus, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The sample corpus: (path as in the repository, bytes).\npub const CORPUS: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&root).unwrap_or(f).to_string_lossy().replace('\\', "/");
        let abs = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
        let _ = writeln!(code, "    ({rel:?}, include_bytes!({:?})),", abs.to_string_lossy());
    }
    code.push_str("];\n");
    let abs_config = std::fs::canonicalize(&config).unwrap_or(config);
    let _ = writeln!(
        code,
        "/// config/news.toml.\npub const NEWS_TOML: &str = include_str!({:?});",
        abs_config.to_string_lossy()
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("builtin.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "gold" {
            continue;
        }
        if p.is_dir() {
            collect(&p, out);
        } else if [".txt", ".jsonl"].iter().any(|ext| name.ends_with(ext)) {
            out.push(p);
        }
    }
}
