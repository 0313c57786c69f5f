//! `cargo xtask dist [--glibc 2.17] [--check BIN]`: a portable Linux binary of docpipe.
//!
//! A binary linked on this machine asks for the glibc it was linked against (2.34+ symbol
//! versions such as `__libc_start_main@GLIBC_2.34`), so it does not start on the older images
//! that clusters run (glibc 2.17–2.31). `dist` links docpipe against an old glibc's symbol
//! versions instead, with `cargo zigbuild` and the target `x86_64-unknown-linux-gnu.2.17`
//! (zig ships the stubs of every glibc; the workspace has no C code of its own, so zig only
//! links). Zig and cargo-zigbuild come from PyPI (`ziglang`, `cargo-zigbuild`, pinned below)
//! into a venv under `target/dist-tools/`, made on first use.
//!
//! The task then **proves** the floor and the behaviour:
//! - it reads the binary's ELF version needs (`.gnu.version_r`, and `.gnu.version` with
//!   `.dynsym` for the symbols behind each version) and fails, naming the symbols, if any
//!   `GLIBC_x.y` above the floor (or `GLIBC_PRIVATE`) is required;
//! - it runs `docpipe --version`, then `docpipe run config/news.toml` with the portable binary
//!   and with the normal `target/release/docpipe`, and requires every `*.jsonl` output to be
//!   byte-identical (same code, another libc).
//!
//! Output: `target/dist/docpipe-x86_64-linux-gnu` (debug info split off into `….debug` beside
//! it when binutils' `objcopy` is there: 19 MB instead of 95 MB to ship with every job) and
//! `….txt` naming the glibc floor, the highest version the binary needs, the libraries it
//! loads and how it was built. `--check BIN` only reads an existing binary's needs against the
//! floor (no build).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// The PyPI packages that provide zig and cargo-zigbuild (versions tried together here).
const TOOLS: &[&str] = &["ziglang==0.17.1", "cargo-zigbuild==0.24.1"];
/// The Rust target triple; the glibc floor is appended (`….2.17`) for cargo-zigbuild.
const TRIPLE: &str = "x86_64-unknown-linux-gnu";
/// The file name under `target/dist/`.
const DIST_NAME: &str = "docpipe-x86_64-linux-gnu";

/// `dist` arguments.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// The oldest glibc the binary must start on (`MAJOR.MINOR`).
    #[arg(long, default_value = "2.17", value_parser = GlibcVersion::parse)]
    pub glibc: GlibcVersion,
    /// Only check the glibc versions an existing ELF binary needs against `--glibc` (no build,
    /// no run); fails naming the symbols above the floor.
    #[arg(long, value_name = "BIN")]
    pub check: Option<PathBuf>,
}

/// A glibc symbol version (`2.17`, `2.2.5`), ordered numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GlibcVersion([u32; 3]);

impl GlibcVersion {
    /// Parses `2.17`, `2.2.5` or `GLIBC_2.34`.
    pub fn parse(s: &str) -> Result<Self> {
        let digits = s.strip_prefix("GLIBC_").unwrap_or(s);
        let parts: Vec<&str> = digits.split('.').collect();
        if !(2..=3).contains(&parts.len()) {
            bail!("`{s}` is not a glibc version (expected MAJOR.MINOR such as 2.17)");
        }
        let mut v = [0u32; 3];
        for (slot, part) in v.iter_mut().zip(&parts) {
            *slot = part.parse().with_context(|| format!("`{s}` is not a glibc version (expected MAJOR.MINOR)"))?;
        }
        Ok(Self(v))
    }
}

impl fmt::Display for GlibcVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c] = self.0;
        if c == 0 { write!(f, "{a}.{b}") } else { write!(f, "{a}.{b}.{c}") }
    }
}

/// One version an ELF file requires from a shared library, with the undefined symbols bound
/// to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The library (`libc.so.6`).
    pub file: String,
    /// The version name (`GLIBC_2.34`).
    pub version: String,
    /// The symbols that need this version, sorted.
    pub symbols: Vec<String>,
}

/// What an ELF file needs from the dynamic loader.
#[derive(Debug, Default)]
pub struct Needs {
    /// `DT_NEEDED` libraries, in file order.
    pub libraries: Vec<String>,
    /// Every version requirement (`.gnu.version_r`), in file order.
    pub requirements: Vec<Requirement>,
}

impl Needs {
    /// The highest `GLIBC_x.y` required, if any.
    pub fn max_glibc(&self) -> Option<GlibcVersion> {
        self.requirements.iter().filter_map(|r| GlibcVersion::parse(&r.version).ok()).max()
    }

    /// The requirements that break the floor: a `GLIBC_x.y` above it, or a `GLIBC_*` that is
    /// no version number (`GLIBC_PRIVATE`: an internal ABI that changes between releases).
    pub fn above(&self, floor: GlibcVersion) -> Vec<&Requirement> {
        self.requirements
            .iter()
            .filter(|r| r.version.starts_with("GLIBC_"))
            .filter(|r| !GlibcVersion::parse(&r.version).is_ok_and(|v| v <= floor))
            .collect()
    }
}

/// Little-endian reads that fail instead of panicking on a truncated or corrupt file.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn slice(&self, off: u64, len: u64) -> Result<&[u8]> {
        let start = usize::try_from(off).context("offset out of range")?;
        let end = start.checked_add(usize::try_from(len).context("length out of range")?).context("overflow")?;
        self.0.get(start..end).with_context(|| format!("truncated ELF: bytes {start}..{end} of {}", self.0.len()))
    }
    fn u16(&self, off: u64) -> Result<u16> {
        let b = self.slice(off, 2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&self, off: u64) -> Result<u32> {
        let b = self.slice(off, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&self, off: u64) -> Result<u64> {
        let b = self.slice(off, 8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    /// A NUL-terminated string at `table + index`.
    fn str_at(&self, table: &Section, index: u32) -> Result<String> {
        let start = table.offset.checked_add(u64::from(index)).context("overflow")?;
        let rest = self.slice(start, table.size.saturating_sub(u64::from(index)))?;
        let end = rest.iter().position(|&c| c == 0).context("unterminated string in ELF string table")?;
        Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
    }
}

/// The fields of a section header this reader uses.
#[derive(Debug, Clone, Copy)]
struct Section {
    kind: u32,
    offset: u64,
    size: u64,
    link: u32,
    info: u32,
    entsize: u64,
}

const SHT_DYNAMIC: u32 = 6;
const SHT_DYNSYM: u32 = 11;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;
const SHT_GNU_VERSYM: u32 = 0x6fff_ffff;
const DT_NEEDED: u64 = 1;

/// Reads the libraries and versioned symbols an x86-64 (ELF64, little-endian) file needs.
pub fn read_needs(path: &Path) -> Result<Needs> {
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    parse_needs(&data).with_context(|| format!("reading the ELF version needs of {}", path.display()))
}

fn parse_needs(data: &[u8]) -> Result<Needs> {
    let b = Bytes(data);
    if b.slice(0, 4)? != b"\x7fELF" {
        bail!("not an ELF file");
    }
    if b.slice(4, 2)? != [2, 1] {
        bail!("not a 64-bit little-endian ELF file");
    }
    let shoff = b.u64(0x28)?;
    let shentsize = u64::from(b.u16(0x3a)?);
    let shnum = u64::from(b.u16(0x3c)?);
    if shoff == 0 || shnum == 0 {
        bail!("the file has no section headers (stripped of them?)");
    }
    let mut sections = Vec::new();
    for i in 0..shnum {
        let at = shoff + i * shentsize;
        sections.push(Section {
            kind: b.u32(at + 4)?,
            offset: b.u64(at + 24)?,
            size: b.u64(at + 32)?,
            link: b.u32(at + 40)?,
            info: b.u32(at + 44)?,
            entsize: b.u64(at + 56)?,
        });
    }
    let linked = |s: &Section| {
        sections.get(s.link as usize).copied().with_context(|| format!("section link {} out of range", s.link))
    };
    let find = |kind: u32| sections.iter().find(|s| s.kind == kind).copied();
    let mut needs = Needs::default();

    if let Some(dynamic) = find(SHT_DYNAMIC) {
        let strtab = linked(&dynamic)?;
        let mut at = dynamic.offset;
        while at + 16 <= dynamic.offset + dynamic.size {
            let (tag, val) = (b.u64(at)?, b.u64(at + 8)?);
            if tag == 0 {
                break;
            }
            if tag == DT_NEEDED {
                needs.libraries.push(b.str_at(&strtab, u32::try_from(val).context("DT_NEEDED out of range")?)?);
            }
            at += 16;
        }
    }

    let Some(verneed) = find(SHT_GNU_VERNEED) else {
        return Ok(needs); // static, or no versioned symbols: nothing to check
    };
    let strtab = linked(&verneed)?;
    // Version index (`vna_other`) -> position in `needs.requirements`.
    let mut by_index: BTreeMap<u16, usize> = BTreeMap::new();
    let mut at = verneed.offset;
    for _ in 0..verneed.info {
        let count = b.u16(at + 2)?;
        let file = b.str_at(&strtab, b.u32(at + 4)?)?;
        let mut aux = at + u64::from(b.u32(at + 8)?);
        for _ in 0..count {
            let index = b.u16(aux + 6)? & 0x7fff;
            let version = b.str_at(&strtab, b.u32(aux + 8)?)?;
            by_index.insert(index, needs.requirements.len());
            needs.requirements.push(Requirement { file: file.clone(), version, symbols: Vec::new() });
            let next = b.u32(aux + 12)?;
            if next == 0 {
                break;
            }
            aux += u64::from(next);
        }
        let next = b.u32(at + 12)?;
        if next == 0 {
            break;
        }
        at += u64::from(next);
    }

    // The symbols behind each version: `.gnu.version` holds one index per `.dynsym` entry.
    if let (Some(dynsym), Some(versym)) = (find(SHT_DYNSYM), find(SHT_GNU_VERSYM)) {
        let names = linked(&dynsym)?;
        let entsize = if dynsym.entsize == 0 { 24 } else { dynsym.entsize };
        for i in 0..dynsym.size / entsize {
            let sym = dynsym.offset + i * entsize;
            let undefined = b.u16(sym + 6)? == 0;
            let index = b.u16(versym.offset + 2 * i)? & 0x7fff;
            if let (true, Some(&r)) = (undefined, by_index.get(&index)) {
                let name = b.str_at(&names, b.u32(sym)?)?;
                if !name.is_empty() {
                    needs.requirements[r].symbols.push(name);
                }
            }
        }
    }
    for r in &mut needs.requirements {
        r.symbols.sort();
        r.symbols.dedup();
    }
    Ok(needs)
}

/// Fails with the offending versions and their symbols if `needs` breaks the floor.
fn check_floor(what: &str, needs: &Needs, floor: GlibcVersion) -> Result<()> {
    let above = needs.above(floor);
    if above.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = above
        .iter()
        .map(|r| {
            let shown: Vec<&str> = r.symbols.iter().take(12).map(String::as_str).collect();
            let more = r.symbols.len().saturating_sub(shown.len());
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            format!("  {} ({}): {}{more}", r.version, r.file, shown.join(", "))
        })
        .collect();
    bail!("{what} needs glibc above {floor}:\n{}", lines.join("\n"))
}

/// Runs `dist` (or only the check of `--check BIN`).
pub fn run(root: &Path, o: &Options) -> Result<()> {
    if let Some(bin) = &o.check {
        let needs = read_needs(bin)?;
        describe(&bin.display().to_string(), &needs);
        check_floor(&bin.display().to_string(), &needs, o.glibc)?;
        println!("{}: starts on glibc {} (needs at most {})", bin.display(), o.glibc, max_label(&needs));
        return Ok(());
    }
    let started = Instant::now();
    let venv = root.join("target/dist-tools/venv");
    let versions = install_tools(root, &venv)?;

    // The portable build: cargo-zigbuild puts zig (`python3 -m ziglang`) in as the linker.
    let target = format!("{TRIPLE}.{}", o.glibc);
    let mut c = Command::new(venv.join("bin/cargo-zigbuild"));
    c.args(["zigbuild", "--release", "--locked", "-p", "docpipe", "--target", &target]).env("PATH", venv_path(&venv)?);
    let t = Instant::now();
    crate::step(root, &format!("cargo zigbuild --release -p docpipe --target {target}"), c, "see the errors above")?;
    let build_seconds = t.elapsed().as_secs_f64();
    let built = root.join("target").join(TRIPLE).join("release/docpipe");

    let built_needs = read_needs(&built)?;
    describe("portable build", &built_needs);
    check_floor(&built.display().to_string(), &built_needs, o.glibc)?;

    // The normal build, for the comparison (and to show what it needs).
    let mut c = crate::cargo();
    c.args(["build", "--release", "--locked", "-p", "docpipe"]);
    crate::step(root, "cargo build --release -p docpipe", c, "fix the build errors above")?;
    let native = root.join("target/release/docpipe");
    let native_needs = read_needs(&native)?;
    eprintln!("xtask: for comparison, target/release/docpipe needs glibc {}", max_label(&native_needs));

    let dist_dir = root.join("target/dist");
    std::fs::create_dir_all(&dist_dir).with_context(|| format!("creating {}", dist_dir.display()))?;
    let dist = dist_dir.join(DIST_NAME);
    let debug_file = split_debug(&built, &dist)?;
    let needs = read_needs(&dist)?;
    check_floor(&dist.display().to_string(), &needs, o.glibc)?;

    let version = stdout_of(Command::new(&dist).arg("--version"))?;
    eprintln!("xtask: {} --version: {version}", dist.display());
    let (portable_s, native_s) = compare_runs(root, &dist_dir, &dist, &native)?;

    let size = std::fs::metadata(&dist).map(|m| m.len()).unwrap_or(0);
    let rustc = stdout_of(Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into())).arg("--version"))
        .unwrap_or_else(|_| "rustc (unknown version)".into());
    let sidecar = dist_dir.join(format!("{DIST_NAME}.txt"));
    let text = format!(
        "{version} for x86-64 Linux with glibc\n\
         glibc floor: {floor} (the binary needs at most GLIBC_{max}; checked by `cargo xtask dist` from its ELF version needs)\n\
         libraries: {libs}\n\
         debug info: {debug}\n\
         built with: cargo zigbuild --release --locked -p docpipe --target {target} ({versions}, {rustc})\n\
         verified: `docpipe run config/news.toml` writes the same *.jsonl bytes as the build linked against the build machine's glibc\n",
        floor = o.glibc,
        max = max_label(&needs),
        libs = needs.libraries.join(", "),
        debug = debug_file.map_or_else(
            || "line tables kept in the binary (no objcopy to split them off)".to_owned(),
            |d| format!("line tables split off into {d} (linked by .gnu_debuglink; keep it beside the binary for backtraces with lines)")
        ),
    );
    std::fs::write(&sidecar, text).with_context(|| format!("writing {}", sidecar.display()))?;
    println!(
        "{}: {:.1} MB, starts on glibc {} (needs at most {}; target/release/docpipe needs {}); news.toml \
         identical, {portable_s:.2} s vs {native_s:.2} s; built in {build_seconds:.0} s, dist took {:.0} s",
        dist.display(),
        size as f64 / 1e6,
        o.glibc,
        max_label(&needs),
        max_label(&native_needs),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Copies `built` to `dest` without its debug info, which goes to `DEST.debug` (linked by
/// `.gnu_debuglink`): the binary shipped with every job is about 19 MB instead of 95 MB, and a
/// backtrace still has lines when the `.debug` file sits beside it. Needs binutils' `objcopy`;
/// without it the binary is copied whole. Returns the `.debug` file's name if one was written.
fn split_debug(built: &Path, dest: &Path) -> Result<Option<String>> {
    let have_objcopy =
        Command::new("objcopy").arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success());
    if !have_objcopy {
        eprintln!("xtask: no objcopy (binutils): the binary keeps its line tables");
        std::fs::copy(built, dest).with_context(|| format!("copying {} to {}", built.display(), dest.display()))?;
        return Ok(None);
    }
    let name = format!("{}.debug", dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    let debug = dest.with_file_name(&name);
    let run = |c: &mut Command| -> Result<()> {
        let status = c.status().with_context(|| format!("starting {c:?}"))?;
        if !status.success() {
            bail!("{c:?} failed ({status})");
        }
        Ok(())
    };
    run(Command::new("objcopy").arg("--only-keep-debug").arg(built).arg(&debug))?;
    run(Command::new("objcopy")
        .arg("--strip-debug")
        .arg(format!("--add-gnu-debuglink={}", debug.display()))
        .arg(built)
        .arg(dest))?;
    Ok(Some(name))
}

fn max_label(needs: &Needs) -> String {
    needs.max_glibc().map_or_else(|| "no versioned glibc symbol".to_owned(), |v| v.to_string())
}

fn describe(what: &str, needs: &Needs) {
    eprintln!("xtask: {what}: libraries {}", needs.libraries.join(", "));
    for r in &needs.requirements {
        eprintln!("xtask:   {} {} ({} symbols)", r.file, r.version, r.symbols.len());
    }
}

/// `PATH` with the venv's `bin/` first, so cargo-zigbuild finds the venv's `python3 -m ziglang`.
fn venv_path(venv: &Path) -> Result<std::ffi::OsString> {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(venv.join("bin")).chain(std::env::split_paths(&rest)))
        .context("building PATH for cargo-zigbuild")
}

/// Makes the venv with zig and cargo-zigbuild unless it already answers; returns their versions.
fn install_tools(root: &Path, venv: &Path) -> Result<String> {
    let versions = || -> Result<String> {
        let zig = stdout_of(Command::new(venv.join("bin/python3")).args(["-m", "ziglang", "version"]))?;
        let czb = stdout_of(Command::new(venv.join("bin/cargo-zigbuild")).arg("--version"))?;
        Ok(format!("zig {zig}, {czb}"))
    };
    if let Ok(v) = versions() {
        return Ok(v);
    }
    let mut c = Command::new("python3");
    c.args(["-m", "venv"]).arg(venv);
    crate::step(root, "python3 -m venv target/dist-tools/venv", c, "needs python3 with the venv module")?;
    let mut c = Command::new(venv.join("bin/pip"));
    c.args(["install", "--quiet"]).args(TOOLS);
    crate::step(root, &format!("pip install {}", TOOLS.join(" ")), c, "needs PyPI (the packages carry zig's binary)")?;
    versions()
}

fn stdout_of(c: &mut Command) -> Result<String> {
    let out = c.stderr(Stdio::inherit()).output().with_context(|| format!("starting {c:?}"))?;
    if !out.status.success() {
        bail!("{c:?} failed ({})", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Runs news.toml with both binaries; every `*.jsonl` output must be byte-identical. Returns
/// the wall seconds of each run (portable, native).
fn compare_runs(root: &Path, dist_dir: &Path, portable: &Path, native: &Path) -> Result<(f64, f64)> {
    let run = |bin: &Path, name: &str| -> Result<(PathBuf, f64)> {
        let out = dist_dir.join("check").join(name);
        if out.exists() {
            std::fs::remove_dir_all(&out).with_context(|| format!("removing {}", out.display()))?;
        }
        let t = Instant::now();
        let mut c = Command::new(bin);
        c.args(["run", "config/news.toml", "--no-progress", "-o"]).arg(&out).current_dir(root);
        // The run table goes to stderr: shown only when the run fails.
        let done = c.output().with_context(|| format!("starting {}", bin.display()))?;
        if !done.status.success() {
            bail!(
                "{} run config/news.toml failed ({}):\n{}",
                bin.display(),
                done.status,
                String::from_utf8_lossy(&done.stderr)
            );
        }
        Ok((out, t.elapsed().as_secs_f64()))
    };
    let (p_out, p_s) = run(portable, "portable")?;
    let (n_out, n_s) = run(native, "native")?;
    let mut names: Vec<String> = std::fs::read_dir(&n_out)
        .with_context(|| format!("listing {}", n_out.display()))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".jsonl"))
        .collect();
    names.sort();
    if !names.iter().any(|n| n == "documents.jsonl") {
        bail!("the normal build wrote no documents.jsonl in {}", n_out.display());
    }
    for name in &names {
        let a = std::fs::read(n_out.join(name)).with_context(|| format!("reading {name} (normal build)"))?;
        let b = std::fs::read(p_out.join(name)).with_context(|| format!("reading {name} (portable build)"))?;
        if a != b {
            bail!(
                "{name} differs between the portable and the normal build (see {} and {})",
                p_out.display(),
                n_out.display()
            );
        }
    }
    eprintln!("xtask: news.toml: {} identical ({:.2} s portable, {:.2} s normal)", names.join(", "), p_s, n_s);
    Ok((p_s, n_s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order_numerically() {
        let v = |s| GlibcVersion::parse(s).unwrap();
        assert!(v("GLIBC_2.2.5") < v("2.17"));
        assert!(v("2.17") < v("GLIBC_2.34"));
        assert_eq!(v("2.17").to_string(), "2.17");
        assert_eq!(v("GLIBC_2.2.5").to_string(), "2.2.5");
        for bad in ["2", "GLIBC_PRIVATE", "2.x", "1.2.3.4", ""] {
            assert!(GlibcVersion::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn arguments_parse() {
        let crate::Task::Dist(o) = crate::parse_task("dist").unwrap() else { panic!("not dist") };
        assert_eq!(o.glibc, GlibcVersion([2, 17, 0]));
        let crate::Task::Dist(o) = crate::parse_task("dist --glibc 2.28 --check a/b").unwrap() else {
            panic!("not dist")
        };
        assert_eq!((o.glibc, o.check), (GlibcVersion([2, 28, 0]), Some(PathBuf::from("a/b"))));
        assert!(crate::parse_task("dist --glibc two").is_err());
    }

    /// This test binary is linked against the build machine's glibc: its needs are real ones.
    #[test]
    fn reads_the_needs_of_a_real_binary() {
        let needs = read_needs(&std::env::current_exe().unwrap()).unwrap();
        assert!(needs.libraries.iter().any(|l| l.starts_with("libc.so")), "{:?}", needs.libraries);
        let glibc: Vec<&Requirement> = needs.requirements.iter().filter(|r| r.version.starts_with("GLIBC_2")).collect();
        assert!(!glibc.is_empty());
        // Every version a binary asks for is there because some symbol is bound to it.
        assert!(glibc.iter().any(|r| !r.symbols.is_empty()));
        let max = needs.max_glibc().unwrap();
        assert!(max >= GlibcVersion([2, 2, 5]));
        assert!(check_floor("x", &needs, max).is_ok());
        assert!(needs.above(GlibcVersion([99, 0, 0])).is_empty());
        let err = check_floor("x", &needs, GlibcVersion([2, 0, 0])).unwrap_err().to_string();
        assert!(err.contains("needs glibc above 2.0") && err.contains("libc.so"), "{err}");
        // A symbol of the highest version is named in the message.
        let top = needs.requirements.iter().find(|r| GlibcVersion::parse(&r.version).ok() == Some(max)).unwrap();
        let below_max = GlibcVersion([max.0[0], max.0[1].saturating_sub(1), 0]);
        if let Some(sym) = top.symbols.first() {
            let err = check_floor("x", &needs, below_max).unwrap_err().to_string();
            assert!(err.contains(sym.as_str()), "{err}");
        }
    }

    #[test]
    fn private_glibc_versions_break_any_floor() {
        let needs = Needs {
            libraries: vec!["libc.so.6".into()],
            requirements: vec![
                Requirement { file: "libc.so.6".into(), version: "GLIBC_2.2.5".into(), symbols: vec!["free".into()] },
                Requirement { file: "libc.so.6".into(), version: "GLIBC_PRIVATE".into(), symbols: vec!["_x".into()] },
                Requirement { file: "libgcc_s.so.1".into(), version: "GCC_3.0".into(), symbols: vec![] },
            ],
        };
        let above = needs.above(GlibcVersion([2, 17, 0]));
        assert_eq!(above.len(), 1);
        assert_eq!(above[0].version, "GLIBC_PRIVATE");
        assert_eq!(needs.max_glibc(), Some(GlibcVersion([2, 2, 5])));
    }

    #[test]
    fn rejects_what_is_not_an_elf64_file() {
        assert!(parse_needs(b"#!/bin/sh\n").unwrap_err().to_string().contains("not an ELF"));
        assert!(parse_needs(b"\x7fELF\x01\x01").unwrap_err().to_string().contains("64-bit"));
        // A header cut short fails with an error, not a panic.
        let mut header = b"\x7fELF\x02\x01".to_vec();
        header.resize(0x30, 0);
        assert!(parse_needs(&header).unwrap_err().to_string().contains("truncated"));
    }
}
