//! Input discovery and readers: text files, JSONL, HTML pages, WARC archives, standard
//! input, gzip and zstd.
//!
//! [`resolve_path`] turns one configured path (a file, a directory walked recursively in
//! sorted order, or a glob) into [`InputFile`]s. [`read_file`] turns one input file into
//! [`ReadEvent`]s: documents, and documents that were dropped or failed with a reason that
//! names the file and position. Nothing is lost silently and nothing panics:
//!
//! - a text file is one document whose id is `path@0` and whose `source` covers the whole
//!   file (the splitter cuts it into articles later); an empty file is dropped (`empty file`);
//!   a file with NUL bytes fails as binary; a file over `max_document_bytes` fails. A UTF-8
//!   byte order mark is not text: the document starts after it (`source.start` = 3).
//! - invalid UTF-8 follows [`Utf8Policy`]: `lossy` replaces each bad sequence by U+FFFD and
//!   records the replacement as an edit, so offsets still map to the exact input bytes.
//! - a JSONL line that is not a JSON object with a string `text` fails as `file:line: reason`.
//!   A record that is a docpipe record (it has a `source` object) is read back losslessly;
//!   any other record becomes `{id, text, metadata}` with its other fields kept in metadata,
//!   in their order. A numeric id keeps its digits as written. A line longer than
//!   `max_document_bytes` (its terminator excluded: the text-file rule applied to the line)
//!   fails, and so does a record nested deeper than [`MAX_NESTING`] levels, so that every
//!   record written can be read back.
//! - a read error in the middle of a file (a truncated or damaged `.gz`/`.zst`) fails the
//!   rest of that file as one failure naming the line and byte where reading stopped; what
//!   was read before it is kept and the run goes on.
//! - a directory walk reaches each file once: directories already walked (a second link to
//!   the same folder) and files already taken (same device and inode) are skipped, and a
//!   symbolic link back to a folder being walked (a loop) is reported with a warning and not
//!   followed; an unreadable subdirectory or entry becomes an [`InputFile::Unreadable`],
//!   which the runner records as a failure of that entry. `exclude` patterns are globset
//!   globs resolved against the config file's directory ([`Excludes`]).
//!
//! - an HTML file is one document: the page decoded to UTF-8, still markup, with edits back
//!   to its original bytes (`html.rs`, [`encoding`]); a WARC archive yields one document per
//!   `response`/`resource` record with an HTML payload, and counts the records it skips as
//!   drops by reason (`warc.rs`).
//!
//! A shard of a sharded run reads byte ranges of uncompressed JSONL files with the same
//! reader, started at a line's byte and number (see [`crate::shard_input`]).
//!
//! Compressed files may hold several gzip members or zstd frames (what `cat a.gz b.gz`,
//! `pigz` and `pzstd` write): every member and frame is read, zstd skippable frames are
//! skipped and zstd frame checksums are checked. Offsets of compressed files are offsets into
//! the decompressed bytes.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};
use tracing::{debug, warn};

use crate::document::{Document, Source};

pub mod encoding;
mod html;
mod warc;

/// How to read input files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// By extension: `.jsonl`/`.ndjson` are JSONL, `.html`/`.htm`/`.xhtml` HTML, `.warc`
    /// WARC, everything else is text; standard input is sniffed (a first non-blank `{`
    /// means JSONL).
    Auto,
    /// Each file is one text document.
    Text,
    /// One JSON record per line.
    Jsonl,
    /// Each file is one HTML page (decoded to UTF-8, still markup).
    Html,
    /// WARC archives: one document per HTML response or resource record.
    Warc,
}

/// What to do with bytes that are not valid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Utf8Policy {
    /// Replace each invalid sequence with U+FFFD (counted, with a warning).
    Lossy,
    /// Skip the document, recording it in `failed.jsonl`.
    Skip,
    /// Stop the run.
    Fail,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputFile {
    /// A file on disk; `display` is the path as named (lexically normalised).
    Path(String),
    /// Standard input, named `-` unless `--stdin-name` names it (a shard's part name, so
    /// that ids of id-less records stay unique across shards).
    Stdin {
        /// The name used in ids, `source.path` and messages instead of the file's path.
        name: String,
    },
    /// Bytes compiled into the binary (the built-in sample corpus).
    Memory {
        /// The name it is shown and identified by.
        name: String,
        /// The content.
        bytes: &'static [u8],
    },
    /// An entry found while walking a directory that could not be read (an unreadable
    /// subdirectory, a broken link with an input extension). Reading it yields one failure
    /// naming `path` (id `path`), so the run records it in `failed.jsonl` and goes on.
    Unreadable {
        /// The entry's path.
        path: String,
        /// Why it could not be read.
        reason: String,
    },
}

impl InputFile {
    /// Standard input under its default name, `-`.
    pub fn stdin() -> InputFile {
        InputFile::Stdin { name: "-".to_owned() }
    }

    /// The name used in ids, `source.path` and messages.
    pub fn name(&self) -> &str {
        match self {
            InputFile::Path(p) | InputFile::Unreadable { path: p, .. } => p,
            InputFile::Stdin { name } => name,
            InputFile::Memory { name, .. } => name,
        }
    }

    /// Size in bytes when known up front (for progress).
    pub fn size_hint(&self) -> Option<u64> {
        match self {
            InputFile::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            InputFile::Stdin { .. } => None,
            InputFile::Memory { bytes, .. } => Some(bytes.len() as u64),
            InputFile::Unreadable { .. } => Some(0),
        }
    }
}

/// What the runner reads.
#[derive(Debug, Clone)]
pub struct InputSpec {
    /// The files, in reading order.
    pub files: Vec<InputFile>,
    /// How to parse them.
    pub format: InputFormat,
    /// Invalid UTF-8 policy.
    pub invalid_utf8: Utf8Policy,
    /// Larger documents (text files, or JSONL lines without their terminator) fail instead
    /// of being read.
    pub max_document_bytes: u64,
}

/// Extensions taken from directories. Markdown is left out on purpose: corpus folders
/// carry README.md files that are not documents (name such files explicitly to read them).
const TEXT_EXTENSIONS: &[&str] = &["txt", "text", "jsonl", "ndjson", "html", "htm", "xhtml", "warc"];
const COMPRESSED: &[&str] = &["gz", "zst"];

/// The deepest plain JSONL record read, counting the record itself as level 1 (a docpipe
/// record, written one level deeper, may have one more). serde_json reads at most 128
/// levels; the margin leaves room for stages that wrap values, so every record written can be
/// read back.
pub const MAX_NESTING: usize = 100;

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// Compiled `input.exclude` patterns (globset). A path is excluded when its absolute,
/// lexically normalised form matches one of them.
///
/// - a pattern without `/` matches an entry's name at any depth (`*.jsonl`, `drafts`);
/// - a pattern that starts with `**` or is absolute is used as written (`**/gold/**`);
/// - any other pattern is a path relative to the config file's directory, like
///   `input.paths` (`../corpus/old/**`).
///
/// `*` and `?` do not cross `/`; `**` does; `{a,b}` and `[a-z]` work as in a shell.
#[derive(Debug, Clone, Default)]
pub struct Excludes {
    set: globset::GlobSet,
    /// The directory relative paths being walked are joined to before matching.
    cwd: PathBuf,
}

impl Excludes {
    /// No pattern: nothing is excluded.
    pub fn none() -> Excludes {
        Excludes::default()
    }

    /// Compiles `patterns`, resolving relative ones against `base_dir` (the config file's
    /// directory). An invalid pattern is an error naming it and what is wrong.
    pub fn new(patterns: &[String], base_dir: &Path) -> Result<Excludes, String> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let base = lexical_absolute(&cwd, base_dir);
        let mut builder = globset::GlobSetBuilder::new();
        let mut errors = Vec::new();
        for pattern in patterns {
            match exclude_glob(pattern, &base) {
                Ok(g) => {
                    builder.add(g);
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors.join("; "));
        }
        let set = builder.build().map_err(|e| format!("invalid exclude patterns: {e}"))?;
        Ok(Excludes { set, cwd })
    }

    /// Whether `p` (relative to the current directory, or absolute) is excluded.
    pub fn matches(&self, p: &Path) -> bool {
        !self.set.is_empty() && self.set.is_match(lexical_absolute(&self.cwd, p))
    }
}

/// One `exclude` pattern as a glob over absolute paths (see [`Excludes`]).
fn exclude_glob(pattern: &str, base: &Path) -> Result<globset::Glob, String> {
    let full = if pattern.starts_with("**") || Path::new(pattern).is_absolute() {
        pattern.to_owned()
    } else if !pattern.contains('/') {
        format!("**/{pattern}")
    } else {
        // Leading `./` and `../` move the base; the rest is the glob.
        let mut base = base.to_path_buf();
        let mut rest = pattern;
        loop {
            if let Some(r) = rest.strip_prefix("./") {
                rest = r;
            } else if let Some(r) = rest.strip_prefix("../") {
                base.pop();
                rest = r;
            } else {
                break;
            }
        }
        format!("{}/{rest}", globset::escape(&base.to_string_lossy()).trim_end_matches('/'))
    };
    globset::GlobBuilder::new(&full)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("invalid exclude pattern `{pattern}`: {}", e.kind()))
}

/// `p` joined to `cwd` when relative, with `.` and `..` removed lexically (no file system
/// access, so links are not resolved: a path matches as it is named).
fn lexical_absolute(cwd: &Path, p: &Path) -> PathBuf {
    crate::config::lexical_normalise(&cwd.join(p))
}

/// Expands one configured path into input files. Directories are walked recursively in
/// sorted order and yield files with a known extension (`.txt .text .jsonl .ndjson .html
/// .htm .xhtml .warc`, optionally compressed `.gz`/`.zst`); files named explicitly are always taken.
///
/// The walk follows symbolic links but reaches each directory and each file once (by device
/// and inode), so a link loop neither multiplies documents nor walks forever. A subdirectory
/// or entry that cannot be read becomes an [`InputFile::Unreadable`] in its sorted place
/// (the run records it as a failure); only an unreadable top-level path is an error here.
pub fn resolve_path(path: &str, excludes: &Excludes) -> Result<Vec<InputFile>, String> {
    resolve_path_with(path, excludes, &list_dir)
}

fn list_dir(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect()
}

fn resolve_path_with(
    path: &str,
    excludes: &Excludes,
    list: &dyn Fn(&Path) -> std::io::Result<Vec<PathBuf>>,
) -> Result<Vec<InputFile>, String> {
    if path == "-" {
        return Ok(vec![InputFile::stdin()]);
    }
    let mut walker = Walker { excludes, list, seen: HashMap::new(), out: Vec::new() };
    if is_glob(path) {
        let entries = glob::glob(path).map_err(|e| format!("invalid glob `{path}`: {e}"))?;
        for entry in entries {
            match entry {
                Ok(p) => match std::fs::metadata(&p) {
                    Ok(m) if m.is_dir() => {
                        if walker.first_visit(&m, &p) {
                            walker.walk(&p).map_err(|e| format!("{}: cannot read directory: {e}", p.display()))?;
                        }
                    }
                    Ok(m) => {
                        if !walker.excluded(&p) && walker.first_visit(&m, &p) {
                            walker.out.push(InputFile::Path(display(&p)));
                        }
                    }
                    Err(e) => walker.unreadable(&p, format!("cannot read: {e}")),
                },
                Err(e) => walker.unreadable(e.path(), format!("cannot read: {}", e.error())),
            }
        }
        if walker.out.is_empty() {
            return Err(format!("`{path}` matches no input file"));
        }
    } else {
        let p = PathBuf::from(path);
        match std::fs::metadata(&p) {
            Err(e) => return Err(format!("input path `{path}` does not exist or cannot be read: {e}")),
            Ok(m) if m.is_dir() => {
                walker.first_visit(&m, &p);
                walker.walk(&p).map_err(|e| format!("{path}: cannot read directory: {e}"))?;
                if walker.out.is_empty() {
                    return Err(format!(
                        "directory `{path}` holds no input file (.txt, .text, .jsonl, .ndjson, .html, .htm, .xhtml, .warc, optionally .gz/.zst)"
                    ));
                }
            }
            Ok(_) => walker.out.push(InputFile::Path(path.to_owned())),
        }
    }
    Ok(walker.out)
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// What makes two paths the same file or directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileId {
    /// Device and inode.
    #[cfg_attr(not(unix), allow(dead_code))]
    Inode(u64, u64),
    /// The canonical path, where inodes are not available.
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata, _path: &Path) -> FileId {
    use std::os::unix::fs::MetadataExt;
    FileId::Inode(meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata, path: &Path) -> FileId {
    FileId::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// A depth-first, sorted directory walk that takes each directory and file once.
struct Walker<'a> {
    excludes: &'a Excludes,
    list: &'a dyn Fn(&Path) -> std::io::Result<Vec<PathBuf>>,
    /// Every directory and file reached, with the path it was first reached by.
    seen: HashMap<FileId, PathBuf>,
    out: Vec<InputFile>,
}

impl Walker<'_> {
    fn excluded(&self, p: &Path) -> bool {
        self.excludes.matches(p)
    }

    /// Whether this file or directory is reached for the first time. A directory reached
    /// again inside itself is a symbolic link loop: reported (a warning) and not followed.
    fn first_visit(&mut self, meta: &std::fs::Metadata, p: &Path) -> bool {
        match self.seen.entry(file_id(meta, p)) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(p.to_path_buf());
                true
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                let first = o.get();
                if meta.is_dir() && p.starts_with(first) {
                    warn!("symbolic link loop: `{}` leads back to `{}`; not followed", p.display(), first.display());
                } else {
                    debug!(path = %p.display(), first = %first.display(), "already reached by another path: skipped");
                }
                false
            }
        }
    }

    fn unreadable(&mut self, p: &Path, reason: String) {
        self.out.push(InputFile::Unreadable { path: display(p), reason });
    }

    /// Walks `dir` (already marked as visited); fails only when `dir` itself cannot be listed.
    fn walk(&mut self, dir: &Path) -> std::io::Result<()> {
        let mut entries = (self.list)(dir)?;
        entries.sort();
        for p in entries {
            if self.excluded(&p) || p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
                continue;
            }
            let meta = match std::fs::metadata(&p) {
                Ok(m) => m,
                Err(e) => {
                    // A broken or looping link, or an entry that vanished. Only entries that
                    // would have been read are worth a failure.
                    if has_known_extension(&p) {
                        self.unreadable(&p, format!("cannot read: {e}"));
                    } else {
                        debug!(path = %p.display(), error = %e, "entry skipped: cannot read it");
                    }
                    continue;
                }
            };
            if meta.is_dir() {
                if self.first_visit(&meta, &p)
                    && let Err(e) = self.walk(&p)
                {
                    self.unreadable(&p, format!("cannot read directory: {e}"));
                }
            } else if has_known_extension(&p) && self.first_visit(&meta, &p) {
                self.out.push(InputFile::Path(display(&p)));
            }
        }
        Ok(())
    }
}

fn has_known_extension(p: &Path) -> bool {
    let name = p.to_string_lossy().to_lowercase();
    let name = COMPRESSED.iter().fold(name, |n, c| n.strip_suffix(&format!(".{c}")).map(str::to_owned).unwrap_or(n));
    TEXT_EXTENSIONS.iter().any(|e| name.ends_with(&format!(".{e}")))
}

/// Removes repeated files, keeping the first occurrence: the same name, or (for files on
/// disk) the same file reached by another path.
pub fn dedup_files(files: Vec<InputFile>) -> Vec<InputFile> {
    let mut names = HashSet::new();
    let mut ids = HashSet::new();
    files
        .into_iter()
        .filter(|f| {
            if !names.insert(f.name().to_owned()) {
                return false;
            }
            match f {
                InputFile::Path(p) => match std::fs::metadata(p) {
                    Ok(m) => {
                        let first = ids.insert(file_id(&m, Path::new(p)));
                        if !first {
                            debug!(path = %p, "the same file was named twice: read once");
                        }
                        first
                    }
                    Err(_) => true,
                },
                _ => true,
            }
        })
        .collect()
}

/// An input document that did not make it into the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// The id the document would have had.
    pub id: String,
    /// Where it is in the input.
    pub source: Source,
    /// Why (`empty file`, `file:line: …`).
    pub reason: String,
}

/// What reading one file yields.
#[derive(Debug)]
pub enum ReadEvent {
    /// A document.
    Document(Document),
    /// Dropped by the reader for a named, expected reason (an empty file).
    Dropped(Rejected),
    /// Could not be read (binary, malformed, too large, invalid UTF-8 under `skip`, damaged).
    Failed(Rejected),
    /// Invalid UTF-8 was replaced (`lossy`): how many sequences, in which document.
    Replaced {
        /// The document id.
        id: String,
        /// Number of invalid sequences replaced.
        count: usize,
        /// Byte offset (in the file) of the first one.
        first_offset: usize,
    },
}

/// A failure that stops the run (only under `invalid_utf8 = "fail"`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FatalInputError(pub String);

fn invalid_data(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg)
}

/// Whether `file` is read as plain JSONL bytes that can be read from any line start: a file
/// on disk or in memory (not standard input, not compressed: gzip and zstd cannot be
/// entered in the middle) whose format is JSONL.
pub(crate) fn splittable(file: &InputFile, spec: &InputSpec) -> bool {
    let lower = file.name().to_lowercase();
    matches!(file, InputFile::Path(_) | InputFile::Memory { .. })
        && !COMPRESSED.iter().any(|c| lower.ends_with(&format!(".{c}")))
        && effective_format(file, spec.format) == Some(InputFormat::Jsonl)
}

/// The raw bytes of a file on disk or in memory from byte `start` on (never decompressed:
/// for [`splittable`] files). Other inputs cannot be entered in the middle.
pub(crate) fn open_at(file: &InputFile, start: u64) -> std::io::Result<Box<dyn Read + Send>> {
    use std::io::{Seek, SeekFrom};
    match file {
        InputFile::Path(p) => {
            let mut f = std::fs::File::open(p)?;
            f.seek(SeekFrom::Start(start))?;
            Ok(Box::new(f))
        }
        InputFile::Memory { bytes, .. } => {
            let from = usize::try_from(start).unwrap_or(usize::MAX).min(bytes.len());
            Ok(Box::new(&bytes[from..]))
        }
        InputFile::Stdin { .. } | InputFile::Unreadable { .. } => {
            Err(std::io::Error::other(format!("{}: cannot be read from the middle", file.name())))
        }
    }
}

fn open(file: &InputFile) -> std::io::Result<Box<dyn Read + Send>> {
    let (raw, name): (Box<dyn Read + Send>, &str) = match file {
        InputFile::Path(p) => (Box::new(std::fs::File::open(p)?), p),
        // Standard input is never decompressed, whatever name it is given.
        InputFile::Stdin { .. } => (Box::new(std::io::stdin()), "-"),
        InputFile::Memory { name, bytes } => (Box::new(*bytes), name),
        InputFile::Unreadable { reason, .. } => return Err(std::io::Error::other(reason.clone())),
    };
    let lower = name.to_lowercase();
    if lower.ends_with(".gz") {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(raw))))
    } else if lower.ends_with(".zst") {
        Ok(Box::new(ZstdFrames::new(BufReader::new(raw))))
    } else {
        Ok(raw)
    }
}

/// Reads every frame of a zstd stream in order, skipping skippable frames and checking the
/// content checksum of frames that carry one. (ruzstd's `StreamingDecoder` reads one frame.)
struct ZstdFrames<R: BufRead> {
    source: R,
    decoder: ruzstd::decoding::FrameDecoder,
    in_frame: bool,
    /// Frames started so far, for messages.
    frames: u64,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(source: R) -> Self {
        ZstdFrames { source, decoder: ruzstd::decoding::FrameDecoder::new(), in_frame: false, frames: 0 }
    }

    /// Starts the next frame; `Ok(false)` at the clean end of the stream.
    fn next_frame(&mut self) -> std::io::Result<bool> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        loop {
            if self.source.fill_buf()?.is_empty() {
                return Ok(false);
            }
            let n = self.frames + 1;
            match self.decoder.reset(&mut self.source) {
                Ok(()) => {
                    self.frames = n;
                    self.in_frame = true;
                    return Ok(true);
                }
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame { length, .. })) => {
                    let want = u64::from(length);
                    let skipped = std::io::copy(&mut (&mut self.source).take(want), &mut std::io::sink())?;
                    if skipped < want {
                        return Err(invalid_data(format!(
                            "zstd: skippable frame before frame {n} is truncated ({skipped} of {want} bytes)"
                        )));
                    }
                }
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::BadMagicNumber(m))) => {
                    return Err(invalid_data(if n == 1 {
                        format!("not a zstd stream (magic number {m:#010x})")
                    } else {
                        format!("zstd: bytes after frame {} are not a zstd frame (magic number {m:#010x})", n - 1)
                    }));
                }
                Err(e) => return Err(invalid_data(format!("zstd frame {n}: {e}"))),
            }
        }
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame && !self.next_frame()? {
                return Ok(0);
            }
            while self.decoder.can_collect() < buf.len() && !self.decoder.is_finished() {
                let wanted = buf.len() - self.decoder.can_collect();
                self.decoder
                    .decode_blocks(&mut self.source, ruzstd::decoding::BlockDecodingStrategy::UptoBytes(wanted))
                    .map_err(|e| invalid_data(format!("zstd frame {}: {e}", self.frames)))?;
            }
            let n = self.decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            // The frame is finished and drained: check it, then go on to the next one.
            if let (Some(stored), Some(computed)) =
                (self.decoder.get_checksum_from_data(), self.decoder.get_calculated_checksum())
                && stored != computed
            {
                return Err(invalid_data(format!(
                    "zstd frame {}: checksum mismatch (stored {stored:#010x}, computed {computed:#010x}): the data is damaged",
                    self.frames
                )));
            }
            self.in_frame = false;
        }
    }
}

fn effective_format(file: &InputFile, format: InputFormat) -> Option<InputFormat> {
    if format != InputFormat::Auto {
        return Some(format);
    }
    match file {
        InputFile::Stdin { .. } => None,
        _ => {
            let lower = file.name().to_lowercase();
            let base =
                COMPRESSED.iter().fold(lower, |n, c| n.strip_suffix(&format!(".{c}")).map(str::to_owned).unwrap_or(n));
            Some(if base.ends_with(".jsonl") || base.ends_with(".ndjson") {
                InputFormat::Jsonl
            } else if base.ends_with(".html") || base.ends_with(".htm") || base.ends_with(".xhtml") {
                InputFormat::Html
            } else if base.ends_with(".warc") {
                InputFormat::Warc
            } else {
                InputFormat::Text
            })
        }
    }
}

/// The format of standard input from its first bytes: JSONL when the first non-blank byte
/// (after a byte order mark) is `{`.
fn sniff(first: &[u8]) -> InputFormat {
    let first = first.strip_prefix(BOM).unwrap_or(first);
    if first.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') { InputFormat::Jsonl } else { InputFormat::Text }
}

/// Whether the first non-blank line in `head` (after a byte order mark) is a JSON object with
/// a string `text`: a JSONL record. A first line longer than `head` does not count.
fn looks_like_jsonl(head: &[u8]) -> bool {
    let head = head.strip_prefix(BOM).unwrap_or(head);
    let Some(line) = head.split(|&b| b == b'\n').find(|l| !l.iter().all(u8::is_ascii_whitespace)) else {
        return false;
    };
    if line.trim_ascii_start().first() != Some(&b'{') {
        return false;
    }
    matches!(serde_json::from_slice::<Value>(line), Ok(Value::Object(o)) if o.get("text").is_some_and(Value::is_string))
}

/// Reads one input file, calling `emit` for every event, in file order. `bytes_read` is
/// advanced as bytes are consumed (for progress reporting).
pub fn read_file(
    file: &InputFile,
    spec: &InputSpec,
    emit: &mut dyn FnMut(ReadEvent),
    bytes_read: &dyn Fn(u64),
) -> Result<(), FatalInputError> {
    let name = file.name().to_owned();
    if let InputFile::Unreadable { path, reason } = file {
        emit(ReadEvent::Failed(Rejected {
            id: path.clone(),
            source: Source { path: path.clone(), start: 0, end: 0, line: None, edits: Vec::new() },
            reason: format!("{path}: {reason}"),
        }));
        return Ok(());
    }
    let declared = effective_format(file, spec.format);
    if declared == Some(InputFormat::Warc) {
        // The WARC reader decompresses gzip itself, member by member, to know their offsets.
        return warc::read_warc(file, spec, emit, bytes_read);
    }
    let whole = |reason: String| Rejected {
        id: format!("{name}@0"),
        source: Source { path: name.clone(), start: 0, end: 0, line: None, edits: Vec::new() },
        reason,
    };
    let reader = match open(file) {
        Ok(r) => r,
        Err(e) => {
            emit(cannot_open(&name, &e));
            return Ok(());
        }
    };
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let format = match declared {
        Some(f) => f,
        None => sniff(reader.fill_buf().unwrap_or(&[])),
    };
    if spec.format == InputFormat::Auto
        && format == InputFormat::Text
        && !has_known_extension(Path::new(&name))
        && looks_like_jsonl(reader.fill_buf().unwrap_or(&[]))
    {
        // Spark and Ray part files (`part-00000`) have no extension: say so rather than
        // silently reading a JSONL file as one text document (issue 16). The decision stays.
        warn!(
            file = %name,
            "read as one text document (`format = \"auto\"`, no .jsonl extension) although its first line is a JSON record with a `text` field; pass `--format jsonl` or set `input.format` to read it as JSONL"
        );
    }
    match format {
        InputFormat::Jsonl => read_jsonl(&name, &mut reader, spec, emit, bytes_read),
        InputFormat::Html => {
            html::read_html(&name, &mut reader, spec, emit, bytes_read);
            Ok(())
        }
        // Text (WARC archives went to their own reader above; sniffing never says WARC).
        _ => read_text(&name, &mut reader, spec, emit, bytes_read, whole),
    }
}

/// The failure of a file that cannot be opened (the whole file, id `name@0`).
pub(crate) fn cannot_open(name: &str, e: &std::io::Error) -> ReadEvent {
    ReadEvent::Failed(Rejected {
        id: format!("{name}@0"),
        source: Source { path: name.to_owned(), start: 0, end: 0, line: None, edits: Vec::new() },
        reason: format!("{name}: cannot open: {e}"),
    })
}

/// Reads a whole file of at most `limit` bytes (counting what was read); the error names the
/// file and says what went wrong.
pub(crate) fn read_bounded(
    name: &str,
    reader: &mut dyn Read,
    limit: u64,
    bytes_read: &dyn Fn(u64),
) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    if let Err(e) = reader.take(limit.saturating_add(1)).read_to_end(&mut bytes) {
        return Err(format!("{name}: read error after {} bytes: {e}", bytes.len()));
    }
    bytes_read(bytes.len() as u64);
    if bytes.len() as u64 > limit {
        return Err(format!("{name}: larger than input.max_document_bytes ({limit} bytes)"));
    }
    Ok(bytes)
}

fn read_text(
    name: &str,
    reader: &mut dyn Read,
    spec: &InputSpec,
    emit: &mut dyn FnMut(ReadEvent),
    bytes_read: &dyn Fn(u64),
    whole: impl Fn(String) -> Rejected,
) -> Result<(), FatalInputError> {
    let mut bytes = match read_bounded(name, reader, spec.max_document_bytes, bytes_read) {
        Ok(b) => b,
        Err(why) => {
            emit(ReadEvent::Failed(whole(why)));
            return Ok(());
        }
    };
    // A byte order mark is not text: the document starts after it, offsets stay exact.
    let bom = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    if bytes[bom..].iter().all(|b| b.is_ascii_whitespace()) {
        let reason = if bytes.is_empty() { "empty file" } else { "blank file" };
        emit(ReadEvent::Dropped(Rejected { reason: reason.to_owned(), ..whole(String::new()) }));
        return Ok(());
    }
    if let Some(pos) = memchr_nul(&bytes) {
        emit(ReadEvent::Failed(Rejected {
            source: Source { path: name.to_owned(), start: 0, end: bytes.len(), line: None, edits: Vec::new() },
            ..whole(format!("{name}:byte {pos}: binary file (NUL byte); not a UTF-8 text file"))
        }));
        return Ok(());
    }
    bytes.drain(..bom);
    let id = format!("{name}@0");
    match decode_utf8(bytes, spec.invalid_utf8) {
        Decoded::Valid(text) => emit(ReadEvent::Document(Document::from_source(id, text, name, bom))),
        Decoded::Repaired { text, edits, count, first, src_len } => {
            let mut doc = Document::from_source(id.clone(), text, name, bom);
            doc.source.end = bom + src_len;
            doc.source.edits = edits;
            emit(ReadEvent::Replaced { id, count, first_offset: bom + first });
            emit(ReadEvent::Document(doc));
        }
        Decoded::Invalid { offset, len } => {
            let offset = bom + offset;
            let msg = format!("{name}:byte {offset}: invalid UTF-8 (policy `{}`)", policy_name(spec.invalid_utf8));
            if spec.invalid_utf8 == Utf8Policy::Fail {
                return Err(FatalInputError(msg));
            }
            emit(ReadEvent::Failed(Rejected {
                source: Source { path: name.to_owned(), start: 0, end: bom + len, line: None, edits: Vec::new() },
                ..whole(msg)
            }));
        }
    }
    Ok(())
}
fn policy_name(p: Utf8Policy) -> &'static str {
    match p {
        Utf8Policy::Lossy => "lossy",
        Utf8Policy::Skip => "skip",
        Utf8Policy::Fail => "fail",
    }
}

fn memchr_nul(b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| x == 0)
}

enum Decoded {
    Valid(String),
    Repaired { text: String, edits: Vec<crate::align::Edit>, count: usize, first: usize, src_len: usize },
    Invalid { offset: usize, len: usize },
}

fn decode_utf8(bytes: Vec<u8>, policy: Utf8Policy) -> Decoded {
    match String::from_utf8(bytes) {
        Ok(s) => Decoded::Valid(s),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            if policy != Utf8Policy::Lossy {
                return Decoded::Invalid { offset, len: bytes.len() };
            }
            let (text, edits, count) = lossy_with_edits(&bytes);
            Decoded::Repaired { text, edits, count, first: offset, src_len: bytes.len() }
        }
    }
}

/// Decodes lossily, recording every replacement as an edit against the raw bytes.
fn lossy_with_edits(bytes: &[u8]) -> (String, Vec<crate::align::Edit>, usize) {
    let mut text = String::with_capacity(bytes.len());
    let mut edits = Vec::new();
    let mut count = 0;
    let mut src_pos = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        src_pos += chunk.valid().len();
        let bad = chunk.invalid();
        if !bad.is_empty() {
            let src_start = src_pos;
            src_pos += bad.len();
            let t0 = text.len();
            text.push('\u{FFFD}');
            edits.push(crate::align::Edit {
                text_start: t0,
                text_end: text.len(),
                src_start,
                src_end: src_start + bad.len(),
            });
            count += 1;
        }
    }
    (text, edits, count)
}

fn read_jsonl(
    name: &str,
    reader: &mut dyn BufRead,
    spec: &InputSpec,
    emit: &mut dyn FnMut(ReadEvent),
    bytes_read: &dyn Fn(u64),
) -> Result<(), FatalInputError> {
    read_jsonl_from(name, reader, spec, emit, bytes_read, 0, 1)
}

/// Reads JSONL lines from `reader`, whose first byte is byte `start` of file `name` and the
/// start of its line `first_line` (as a read of the whole file counts them): ids of id-less
/// records, `source` offsets and messages are the whole read's. A byte order mark is only
/// looked for at the start of the file. Reading the whole file is `start = 0, first_line =
/// 1`; a shard reads a range of it ([`crate::shard_input`]).
pub(crate) fn read_jsonl_from(
    name: &str,
    reader: &mut dyn BufRead,
    spec: &InputSpec,
    emit: &mut dyn FnMut(ReadEvent),
    bytes_read: &dyn Fn(u64),
    start: usize,
    first_line: usize,
) -> Result<(), FatalInputError> {
    let mut offset = start;
    let mut line_no = first_line.saturating_sub(1);
    let mut buf = Vec::new();
    let limit = spec.max_document_bytes;
    // A line over the cap is recognised with at most the cap plus `\r\n` and one byte in memory.
    let window = limit.saturating_add(3);
    // A read error (a truncated or damaged compressed file): the records read so far stay,
    // the rest of the file is one failure that says where reading stopped.
    let damaged = |line_no: usize, start: usize, at: usize, e: std::io::Error| {
        let line = line_no + 1;
        ReadEvent::Failed(Rejected {
            id: format!("{name}:{line}"),
            source: Source { path: name.to_owned(), start, end: at, line: Some(line), edits: Vec::new() },
            reason: format!("{name}:{line}: read error at byte {at}: {e}; the rest of the file is not read"),
        })
    };
    loop {
        buf.clear();
        let n = match reader.take(window).read_until(b'\n', &mut buf) {
            Ok(n) => n,
            Err(e) => {
                bytes_read(buf.len() as u64);
                emit(damaged(line_no, offset, offset + buf.len(), e));
                return Ok(());
            }
        };
        if n == 0 {
            break;
        }
        line_no += 1;
        let start = offset;
        offset += n;
        bytes_read(n as u64);
        let fail = |reason: String, end: usize| {
            ReadEvent::Failed(Rejected {
                id: format!("{name}:{line_no}"),
                source: Source { path: name.to_owned(), start, end, line: Some(line_no), edits: Vec::new() },
                reason: format!("{name}:{line_no}: {reason}"),
            })
        };
        let complete = buf.ends_with(b"\n");
        let mut content = &buf[..n - usize::from(complete)];
        if let Some(rest) = content.strip_suffix(b"\r") {
            content = rest;
        }
        if content.len() as u64 > limit {
            if !complete && n as u64 == window {
                // Skip the rest of an over-long line.
                let mut rest = 0usize;
                loop {
                    let avail = match reader.fill_buf() {
                        Ok(b) => b,
                        Err(e) => {
                            bytes_read(rest as u64);
                            emit(damaged(line_no - 1, start, offset + rest, e));
                            return Ok(());
                        }
                    };
                    if avail.is_empty() {
                        break;
                    }
                    let (used, done) = match avail.iter().position(|&b| b == b'\n') {
                        Some(i) => (i + 1, true),
                        None => (avail.len(), false),
                    };
                    reader.consume(used);
                    rest += used;
                    if done {
                        break;
                    }
                }
                offset += rest;
                bytes_read(rest as u64);
            }
            emit(fail(format!("line longer than input.max_document_bytes ({limit} bytes)"), offset));
            continue;
        }
        let end = offset;
        let mut body: &[u8] = &buf;
        while let Some((last, rest)) = body.split_last() {
            if *last == b'\n' || *last == b'\r' { body = rest } else { break }
        }
        if start == 0
            && let Some(rest) = body.strip_prefix(BOM)
        {
            body = rest;
        }
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let text: std::borrow::Cow<'_, str> = match std::str::from_utf8(body) {
            Ok(s) => s.into(),
            Err(e) => {
                let msg = format!("invalid UTF-8 at byte {} of the line", e.valid_up_to());
                match spec.invalid_utf8 {
                    Utf8Policy::Fail => return Err(FatalInputError(format!("{name}:{line_no}: {msg}"))),
                    Utf8Policy::Skip => {
                        emit(fail(msg, end));
                        continue;
                    }
                    Utf8Policy::Lossy => {
                        emit(ReadEvent::Replaced {
                            id: format!("{name}:{line_no}"),
                            count: 1,
                            first_offset: start + e.valid_up_to(),
                        });
                        String::from_utf8_lossy(body)
                    }
                }
            }
        };
        match parse_record(&text, name, line_no, start, end) {
            Ok(doc) => emit(ReadEvent::Document(doc)),
            Err(reason) => emit(fail(reason, end)),
        }
    }
    Ok(())
}

/// How deeply `v` nests arrays and objects (a scalar is 0, `[]` is 1).
fn nesting(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(nesting).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(nesting).max().unwrap_or(0),
        _ => 0,
    }
}

fn parse_record(line: &str, name: &str, line_no: usize, start: usize, end: usize) -> Result<Document, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| {
        if e.to_string().starts_with("recursion limit exceeded") {
            format!("record nested too deep (more than {MAX_NESTING} levels)")
        } else {
            format!("malformed JSON: {e}")
        }
    })?;
    let Value::Object(mut obj) = value else {
        return Err(format!("expected a JSON object, found {}", json_type(&value)));
    };
    match obj.get("text") {
        Some(Value::String(_)) => {}
        Some(other) => return Err(format!("field `text` must be a string, found {}", json_type(other))),
        None => return Err("record has no `text` field".to_owned()),
    }
    // A docpipe record (its `source` has a path and byte offsets): read it back losslessly.
    // Any other `source` field is user metadata.
    let docpipe = obj.get("source").is_some_and(is_docpipe_source);
    // A plain record's fields move one level down (into `metadata`) when written.
    let max = if docpipe { MAX_NESTING + 1 } else { MAX_NESTING };
    let depth = 1 + obj.values().map(nesting).max().unwrap_or(0);
    if depth > max {
        return Err(format!(
            "record nested too deep ({depth} levels, at most {max}: deeper records could not be read back once written)"
        ));
    }
    if docpipe {
        let doc: Document =
            serde_json::from_value(Value::Object(obj)).map_err(|e| format!("not a valid docpipe record: {e}"))?;
        doc.check_invariants().map_err(|e| format!("invalid docpipe record: {e}"))?;
        return Ok(doc);
    }
    // `shift_remove` keeps the order of the other fields (`remove` would swap the last one in).
    let text = match obj.shift_remove("text") {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    let id = match obj.shift_remove("id") {
        Some(Value::String(s)) if s.is_empty() => {
            return Err("field `id` is an empty string (leave it out to derive one from file and line)".to_owned());
        }
        Some(Value::String(s)) => s,
        // Integers within 64 bits are exact; anything else (beyond 64 bits, a fraction, an
        // exponent) keeps its digits as written.
        Some(Value::Number(n)) if !n.is_f64() => n.to_string(),
        Some(Value::Number(n)) => raw_id(line).unwrap_or_else(|| n.to_string()),
        Some(Value::Null) | None => format!("{name}:{line_no}"),
        Some(other) => return Err(format!("field `id` must be a string or number, found {}", json_type(&other))),
    };
    let mut metadata = match obj.shift_remove("metadata") {
        Some(Value::Object(m)) => m,
        Some(Value::Null) | None => Map::new(),
        Some(other) => return Err(format!("field `metadata` must be an object, found {}", json_type(&other))),
    };
    for (k, v) in obj {
        metadata.insert(k, v);
    }
    let mut doc = Document::from_source(id, text, name, start);
    doc.source.end = end;
    doc.source.line = Some(line_no);
    doc.metadata = metadata;
    Ok(doc)
}

/// The `id` of a record exactly as written (for numbers a 64-bit float would round).
fn raw_id(line: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly<'a> {
        #[serde(borrow)]
        id: &'a serde_json::value::RawValue,
    }
    let raw: IdOnly<'_> = serde_json::from_str(line).ok()?;
    Some(raw.id.get().trim().to_owned())
}

fn is_docpipe_source(v: &Value) -> bool {
    v.get("path").is_some_and(Value::is_string)
        && v.get("start").is_some_and(Value::is_u64)
        && v.get("end").is_some_and(Value::is_u64)
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An input spec for the readers' tests: auto format, lossy UTF-8, 1 MiB documents.
    pub(crate) fn spec() -> InputSpec {
        InputSpec {
            files: vec![],
            format: InputFormat::Auto,
            invalid_utf8: Utf8Policy::Lossy,
            max_document_bytes: 1 << 20,
        }
    }

    fn read(name: &'static str, bytes: &'static [u8], spec: &InputSpec) -> Vec<ReadEvent> {
        let mut out = Vec::new();
        read_file(&InputFile::Memory { name: name.into(), bytes }, spec, &mut |e| out.push(e), &|_| {}).unwrap();
        out
    }

    #[test]
    fn lossy_utf8_keeps_exact_offsets() {
        let raw: &'static [u8] = b"caf\xe9 ok \xff\xfe end";
        let ev = read("a.txt", raw, &spec());
        let doc = ev.iter().find_map(|e| if let ReadEvent::Document(d) = e { Some(d) } else { None }).unwrap();
        assert_eq!(doc.text, "caf\u{FFFD} ok \u{FFFD}\u{FFFD} end");
        doc.check_invariants().unwrap();
        let rebuilt = crate::align::reconstruct_source(doc.text.as_bytes(), &doc.source.edits, raw).unwrap();
        assert_eq!(rebuilt, raw);
        let end = doc.text.find(" end").unwrap();
        assert_eq!(&raw[doc.source_range(end, doc.text.len()).0..], b" end");
    }

    #[test]
    fn bad_inputs_are_named() {
        let mut s = spec();
        assert!(matches!(&read("e.txt", b"", &s)[0], ReadEvent::Dropped(r) if r.reason == "empty file"));
        assert!(
            matches!(&read("b.txt", b"ab\0cd", &s)[0], ReadEvent::Failed(r) if r.reason.contains("b.txt:byte 2: binary"))
        );
        s.invalid_utf8 = Utf8Policy::Skip;
        assert!(
            matches!(&read("u.txt", b"ok\xff", &s)[0], ReadEvent::Failed(r) if r.reason.contains("u.txt:byte 2: invalid UTF-8"))
        );
        s.invalid_utf8 = Utf8Policy::Fail;
        let mut out = Vec::new();
        let err =
            read_file(&InputFile::Memory { name: "u.txt".into(), bytes: b"ok\xff" }, &s, &mut |e| out.push(e), &|_| {});
        assert!(err.is_err());
    }

    #[test]
    fn jsonl_lines_fail_with_position() {
        let data: &'static [u8] = b"{\"id\":\"a\",\"text\":\"x\",\"outlet\":\"W\",\"source\":{\"name\":\"Wire\"}}\nnot json\n\n{\"title\":\"no text\"}\n[1]\n{\"text\":\"y\"}";
        let ev = read("r.jsonl", data, &spec());
        let reasons: Vec<String> = ev
            .iter()
            .map(|e| match e {
                ReadEvent::Document(d) => format!("doc {} {:?}", d.id, d.metadata.get("outlet")),
                ReadEvent::Failed(r) => r.reason.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(reasons[0], "doc a Some(String(\"W\"))");
        let first = ev.iter().find_map(|e| if let ReadEvent::Document(d) = e { Some(d) } else { None }).unwrap();
        assert_eq!(first.metadata["source"]["name"], "Wire", "a user's `source` field is metadata");
        assert!(reasons[1].starts_with("r.jsonl:2: malformed JSON"), "{}", reasons[1]);
        assert_eq!(reasons[2], "r.jsonl:4: record has no `text` field");
        assert_eq!(reasons[3], "r.jsonl:5: expected a JSON object, found an array");
        assert_eq!(reasons[4], "doc r.jsonl:6 None");
    }

    // Issue 16: part files without an extension were read as text without a word.
    #[test]
    fn jsonl_records_are_recognised_for_the_auto_warning() {
        assert!(looks_like_jsonl(b"\n  \n{\"text\":\"a\",\"id\":1}\n{\"text\":"));
        assert!(looks_like_jsonl(b"\xEF\xBB\xBF{\"text\":\"a\"}\r\n"));
        assert!(!looks_like_jsonl(b"{\"body\":\"a\"}\n"));
        assert!(!looks_like_jsonl(b"{\"text\":3}\n"));
        assert!(!looks_like_jsonl(b"{ a brace in prose }\n"));
        assert!(!looks_like_jsonl(b"plain text\n{\"text\":\"a\"}\n"));
        assert!(!looks_like_jsonl(b"{\"text\":\"cut off"));
        assert!(!looks_like_jsonl(b""));
    }

    #[test]
    fn gzip_is_transparent() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"hello world").unwrap();
        let gz: &'static [u8] = Box::leak(enc.finish().unwrap().into_boxed_slice());
        let ev = read("x.txt.gz", gz, &spec());
        assert!(matches!(&ev[0], ReadEvent::Document(d) if d.text == "hello world"));
    }

    fn leak(v: Vec<u8>) -> &'static [u8] {
        Box::leak(v.into_boxed_slice())
    }

    fn zst(bytes: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
    }

    fn docs(ev: &[ReadEvent]) -> Vec<&Document> {
        ev.iter().filter_map(|e| if let ReadEvent::Document(d) = e { Some(d) } else { None }).collect()
    }

    fn failures(ev: &[ReadEvent]) -> Vec<String> {
        ev.iter().filter_map(|e| if let ReadEvent::Failed(r) = e { Some(r.reason.clone()) } else { None }).collect()
    }

    /// Issue 14: `cat a.zst b.zst c.zst` was read to the end of its first frame, silently;
    /// a skippable frame first (what pzstd writes) failed the file.
    #[test]
    fn zstd_reads_every_frame_and_skips_skippable_frames() {
        let mut bytes = Vec::new();
        // A skippable frame: magic 0x184D2A50..=0x184D2A5F, a 4-byte length, that many bytes.
        bytes.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
        bytes.extend_from_slice(&5u32.to_le_bytes());
        bytes.extend_from_slice(b"pzstd");
        for text in ["{\"text\":\"one\"}\n", "{\"text\":\"two\"}\n", "{\"text\":\"three\"}\n"] {
            bytes.extend_from_slice(&zst(text.as_bytes()));
        }
        bytes.extend_from_slice(&0x184D_2A5Fu32.to_le_bytes());
        bytes.extend_from_slice(&0u32.to_le_bytes());
        let ev = read("r.jsonl.zst", leak(bytes.clone()), &spec());
        let texts: Vec<&str> = docs(&ev).iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, ["one", "two", "three"], "{ev:?}");
        let ev = read("t.txt.zst", leak(bytes), &spec());
        assert_eq!(docs(&ev)[0].text, "{\"text\":\"one\"}\n{\"text\":\"two\"}\n{\"text\":\"three\"}\n");
    }

    #[test]
    fn gzip_reads_every_member() {
        use std::io::Write;
        let mut bytes = Vec::new();
        for text in ["first member\n", "second member\n"] {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(text.as_bytes()).unwrap();
            bytes.extend(enc.finish().unwrap());
        }
        let ev = read("m.txt.gz", leak(bytes), &spec());
        assert_eq!(docs(&ev)[0].text, "first member\nsecond member\n");
    }

    fn records(n: usize) -> String {
        (0..n).map(|i| format!("{{\"id\":\"r{i}\",\"text\":\"record number {i} with a few words\"}}\n")).collect()
    }

    /// Issue 14: a truncated `.jsonl.gz` aborted the whole run; now the records before the
    /// damage are kept and the rest of the file is one failure naming file and line.
    #[test]
    fn damaged_compressed_jsonl_keeps_what_was_read() {
        use std::io::Write;
        // Large enough for several zstd blocks beyond the decoder's window: a zstd decoder
        // hands out its last window only at the end of a frame.
        let text = records(40_000);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        let gz = enc.finish().unwrap();
        let zs = zst(text.as_bytes());
        for (name, bytes) in [("r.jsonl.gz", gz), ("r.jsonl.zst", zs)] {
            let cut = leak(bytes[..bytes.len() / 2].to_vec());
            let mut ev = Vec::new();
            let r =
                read_file(&InputFile::Memory { name: name.into(), bytes: cut }, &spec(), &mut |e| ev.push(e), &|_| {});
            assert!(r.is_ok(), "{name}: {r:?}");
            let n = docs(&ev).len();
            assert!(n > 1000 && n < 40_000, "{name}: {n} records kept");
            let failed = failures(&ev);
            assert_eq!(failed.len(), 1, "{name}: {failed:?}");
            let line = n + 1;
            assert!(failed[0].starts_with(&format!("{name}:{line}: ")), "{failed:?}");
            assert!(failed[0].contains("rest of the file"), "{failed:?}");
        }
    }

    /// Issue 14: a UTF-8 byte order mark failed the first JSONL record and made standard
    /// input read as text.
    #[test]
    fn a_byte_order_mark_is_handled() {
        let ev = read("b.jsonl", b"\xEF\xBB\xBF{\"id\":\"a\",\"text\":\"x\"}\n{\"text\":\"y\"}\n", &spec());
        assert_eq!(docs(&ev).len(), 2, "{ev:?}");
        let raw: &'static [u8] = b"\xEF\xBB\xBFHello\n";
        let ev = read("b.txt", raw, &spec());
        let d = docs(&ev)[0];
        assert_eq!(d.text, "Hello\n");
        d.check_invariants().unwrap();
        assert_eq!(&raw[d.source.start..d.source.end], b"Hello\n");
        assert_eq!(&raw[d.source_range(0, 5).0..d.source_range(0, 5).1], b"Hello");
        assert!(matches!(&read("o.txt", b"\xEF\xBB\xBF", &spec())[0], ReadEvent::Dropped(_)));
    }

    fn one(line: &str) -> Result<Document, String> {
        parse_record(line, "f.jsonl", 1, 0, line.len() + 1)
    }

    /// Issue 14: numeric ids beyond 2^53 (and beyond 64 bits) lost digits; an empty id gave
    /// `must be a string or number, found a string`.
    #[test]
    fn ids_keep_their_exact_digits() {
        assert_eq!(one(r#"{"id":9007199254740993,"text":"x"}"#).unwrap().id, "9007199254740993");
        assert_eq!(
            one(r#"{"id":123456789012345678901234567890,"text":"x"}"#).unwrap().id,
            "123456789012345678901234567890"
        );
        assert_eq!(one(r#"{"id":-123456789012345678901,"text":"x"}"#).unwrap().id, "-123456789012345678901");
        assert_eq!(one(r#"{"id":1.50,"text":"x"}"#).unwrap().id, "1.50");
        assert_eq!(one(r#"{"id": 1e3 ,"text":"x"}"#).unwrap().id, "1e3");
        assert_eq!(
            one(r#"{"id":"","text":"x"}"#).unwrap_err(),
            "field `id` is an empty string (leave it out to derive one from file and line)"
        );
    }

    /// Issue 14: metadata key order was scrambled (`Map::remove` swap-removes).
    #[test]
    fn metadata_keeps_key_order() {
        let d = one(r#"{"z":1,"text":"x","a":2,"m":3,"id":"q","b":4,"c":5}"#).unwrap();
        let keys: Vec<&str> = d.metadata.keys().map(String::as_str).collect();
        assert_eq!(keys, ["z", "a", "m", "b", "c"]);
        let d = one(r#"{"metadata":{"k":1,"j":2},"text":"x","y":3}"#).unwrap();
        let keys: Vec<&str> = d.metadata.keys().map(String::as_str).collect();
        assert_eq!(keys, ["k", "j", "y"]);
    }

    fn nested(depth: usize) -> String {
        format!("{{\"text\":\"x\",\"deep\":{}1{}}}", "[".repeat(depth), "]".repeat(depth))
    }

    /// Issue 14: a record nested 126 deep was read and written, but the written line could
    /// not be read back (serde_json stops at 128 levels).
    #[test]
    fn records_nested_too_deep_fail_at_input() {
        let err = one(&nested(126)).unwrap_err();
        assert!(err.contains("nested too deep"), "{err}");
        let ok = one(&nested(MAX_NESTING - 1)).unwrap();
        let line = serde_json::to_string(&ok).unwrap();
        let back = parse_record(&line, "out.jsonl", 1, 0, line.len()).unwrap();
        assert_eq!(back, ok);
        assert!(one(&nested(MAX_NESTING)).unwrap_err().contains("nested too deep"));
    }

    /// Issue 14: a JSONL line one byte over `max_document_bytes` was accepted. The rule is the
    /// text-file rule applied to the line: its bytes, terminator excluded, at most the cap.
    #[test]
    fn jsonl_line_cap_has_no_off_by_one() {
        let mut s = spec();
        let line = r#"{"text":"0123456789"}"#; // 21 bytes
        s.max_document_bytes = 21;
        for data in [format!("{line}\n"), format!("{line}\r\n"), line.to_owned()] {
            let ev = read("c.jsonl", leak(data.into_bytes()), &s);
            assert_eq!(docs(&ev).len(), 1, "{ev:?}");
        }
        s.max_document_bytes = 20;
        for data in [format!("{line}\n{line}\n"), format!("{line}\r\n{line}\r\n"), format!("{line}\n{line}")] {
            let ev = read("c.jsonl", leak(data.into_bytes()), &s);
            let f = failures(&ev);
            assert_eq!(f.len(), 2, "{ev:?}");
            assert!(f[0].starts_with("c.jsonl:1: line longer than input.max_document_bytes (20 bytes)"), "{f:?}");
            assert!(f[1].starts_with("c.jsonl:2: "), "{f:?}");
        }
    }

    /// Issue 14: a docpipe record whose `source.end` is 2^63 passed the invariant check
    /// (skipped when `line` is present) and stopped the run later, in the Parquet sink.
    #[test]
    fn absurd_docpipe_records_fail_at_input() {
        let rec = |source: &str, id: &str| format!(r#"{{"id":"{id}","text":"abc","source":{source}}}"#);
        assert!(one(&rec(r#"{"path":"a","start":10,"end":19,"line":3}"#, "a")).is_ok());
        for (src, id) in [
            (r#"{"path":"a","start":10,"end":9223372036854775808,"line":3}"#, "a"),
            (r#"{"path":"a","start":10,"end":18446744073709551615,"line":3}"#, "a"),
            (r#"{"path":"a","start":19,"end":10,"line":3}"#, "a"),
            (r#"{"path":"a","start":10,"end":19,"line":0}"#, "a"),
            (r#"{"path":"a","start":1,"end":19,"line":3}"#, "a"),
            (r#"{"path":"a","start":10,"end":19,"line":3,"edits":[[0,1,0,2]]}"#, "a"),
            (r#"{"path":"a","start":10,"end":19,"line":3}"#, ""),
        ] {
            let err = one(&rec(src, id)).unwrap_err();
            assert!(err.starts_with("invalid docpipe record"), "{src}: {err}");
        }
    }

    /// Issue 14: an invalid `exclude` glob was ignored.
    #[test]
    fn an_invalid_exclude_pattern_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        let err = Excludes::new(&["**/ok".into(), "a[".into()], dir.path()).unwrap_err();
        assert!(err.starts_with("invalid exclude pattern `a[`: unclosed character class"), "{err}");
    }

    /// Issue 14: `ln -s . dir/again` turned one document into 41.
    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("in");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("a.txt"), "x").unwrap();
        std::fs::write(d.join("sub/b.txt"), "y").unwrap();
        std::os::unix::fs::symlink(".", d.join("again")).unwrap();
        std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap();
        std::os::unix::fs::symlink("sub", d.join("zlink")).unwrap();
        let started = std::time::Instant::now();
        let files = resolve_path(d.to_str().unwrap(), &Excludes::none()).unwrap();
        let names: Vec<String> =
            files.iter().map(|f| f.name().strip_prefix(d.to_str().unwrap()).unwrap_or(f.name()).to_owned()).collect();
        assert_eq!(names, ["/a.txt", "/sub/b.txt"]);
        assert!(started.elapsed().as_secs() < 5);
    }

    /// Issue 15: `exclude` patterns are resolved like `input.paths`: a pattern with a `/`
    /// against the config file's directory, a bare name at any depth, `**/…` anywhere; `*`
    /// stops at `/`.
    #[test]
    fn excludes_resolve_against_the_config_directory() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in ["data/a.txt", "data/old/b.txt", "data/old/deep/c.txt", "data/new/old/d.txt", "data/e.jsonl"] {
            std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
            std::fs::write(root.join(f), "x").unwrap();
        }
        let config_dir = root.join("config");
        let walk = |patterns: &[&str]| -> Vec<String> {
            let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
            let ex = Excludes::new(&patterns, &config_dir).unwrap();
            let files = resolve_path(root.join("data").to_str().unwrap(), &ex).unwrap();
            files
                .iter()
                .map(|f| f.name().strip_prefix(root.join("data/").to_str().unwrap()).unwrap().to_owned())
                .collect()
        };
        let all = ["a.txt", "e.jsonl", "new/old/d.txt", "old/b.txt", "old/deep/c.txt"];
        assert_eq!(walk(&[]), all);
        // Relative to config/, not to the current directory or the walked folder.
        assert_eq!(walk(&["../data/old/**"]), ["a.txt", "e.jsonl", "new/old/d.txt"]);
        assert_eq!(walk(&["data/old/**"]), all);
        // `*` does not cross `/`; `**` does.
        assert_eq!(walk(&["../data/*/b.txt"]), ["a.txt", "e.jsonl", "new/old/d.txt", "old/deep/c.txt"]);
        // A bare name matches at any depth; `**/` anywhere.
        assert_eq!(walk(&["old"]), ["a.txt", "e.jsonl"]);
        assert_eq!(walk(&["*.jsonl", "**/deep/**"]), ["a.txt", "new/old/d.txt", "old/b.txt"]);
        // Absolute patterns are used as written.
        let abs = format!("{}/data/new/**", root.display());
        assert_eq!(walk(&[abs.as_str()]), ["a.txt", "e.jsonl", "old/b.txt", "old/deep/c.txt"]);
    }

    /// Issue 14: an unreadable subdirectory aborted the whole run naming its parent. Now it
    /// is one unreadable entry in its sorted place; reading it is one failure naming it.
    #[test]
    fn an_unreadable_subdirectory_is_a_failure_of_that_entry() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("in");
        std::fs::create_dir_all(d.join("b-locked")).unwrap();
        std::fs::write(d.join("a.txt"), "x").unwrap();
        std::fs::write(d.join("b-locked/x.txt"), "x").unwrap();
        std::fs::write(d.join("c.txt"), "y").unwrap();
        let locked = d.join("b-locked");
        // Permissions do not stop root: refuse to list the folder instead.
        let list = |p: &Path| {
            if p == locked {
                Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied"))
            } else {
                list_dir(p)
            }
        };
        let files = resolve_path_with(d.to_str().unwrap(), &Excludes::none(), &list).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name().rsplit('/').next().unwrap()).collect();
        assert_eq!(names, ["a.txt", "b-locked", "c.txt"]);
        assert_eq!(files[1].size_hint(), Some(0));
        let mut ev = Vec::new();
        read_file(&files[1], &spec(), &mut |e| ev.push(e), &|_| {}).unwrap();
        let f = failures(&ev);
        assert_eq!(f, [format!("{}: cannot read directory: Permission denied", locked.display())]);
        // The top-level folder itself unreadable stays a configuration error.
        let list = |_: &Path| -> std::io::Result<Vec<PathBuf>> { Err(std::io::Error::other("no")) };
        assert!(
            resolve_path_with(d.to_str().unwrap(), &Excludes::none(), &list)
                .unwrap_err()
                .ends_with("cannot read directory: no")
        );
    }

    /// Links that loop on themselves (`a.txt -> b.txt -> a.txt`) are unreadable entries; a
    /// second link to a file already taken, or the same file named twice, is read once.
    #[cfg(unix)]
    #[test]
    fn broken_links_fail_and_linked_files_are_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("in");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("real.txt"), "x").unwrap();
        std::os::unix::fs::symlink("y.txt", d.join("x.txt")).unwrap();
        std::os::unix::fs::symlink("x.txt", d.join("y.txt")).unwrap();
        std::os::unix::fs::symlink("real.txt", d.join("z.txt")).unwrap();
        std::os::unix::fs::symlink("nowhere", d.join("other")).unwrap();
        let files = resolve_path(d.to_str().unwrap(), &Excludes::none()).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name().rsplit('/').next().unwrap()).collect();
        assert_eq!(names, ["real.txt", "x.txt", "y.txt"]);
        assert!(matches!(&files[1], InputFile::Unreadable { reason, .. } if reason.starts_with("cannot read: ")));
        let named = dedup_files(vec![
            InputFile::Path(d.join("real.txt").display().to_string()),
            InputFile::Path(d.join("z.txt").display().to_string()),
        ]);
        assert_eq!(named.len(), 1);
    }

    /// A damaged zstd frame (its checksum does not match) and a file that is not zstd at
    /// all fail that file with a message saying so.
    #[test]
    fn damaged_zstd_is_named() {
        let mut bytes = zst(b"some text that will be damaged\n");
        let last = bytes.len() - 1;
        bytes[last] ^= 0xFF;
        let f = failures(&read("d.txt.zst", leak(bytes), &spec()));
        assert!(f[0].starts_with("d.txt.zst: read error after 31 bytes: zstd frame 1: checksum mismatch"), "{f:?}");
        let f = failures(&read("n.txt.zst", b"plain text, not zstd", &spec()));
        assert!(f[0].contains("not a zstd stream"), "{f:?}");
        let mut two = zst(b"one\n");
        two.extend_from_slice(b"trailing junk");
        let f = failures(&read("j.txt.zst", leak(two), &spec()));
        assert!(f[0].contains("bytes after frame 1 are not a zstd frame"), "{f:?}");
    }

    /// Issue 14: a byte order mark made standard input read as text.
    #[test]
    fn sniffing_sees_past_a_byte_order_mark() {
        assert_eq!(sniff(b"\xEF\xBB\xBF{\"text\":\"x\"}\n"), InputFormat::Jsonl);
        assert_eq!(sniff(b"\xEF\xBB\xBF \n{\"text\":\"x\"}\n"), InputFormat::Jsonl);
        assert_eq!(sniff(b"\xEF\xBB\xBFplain"), InputFormat::Text);
        assert_eq!(sniff(b""), InputFormat::Text);
    }
}
