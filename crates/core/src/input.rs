//! Input discovery and readers: text files, JSONL, standard input, gzip and zstd.
//!
//! [`resolve_path`] turns one configured path (a file, a directory walked recursively in
//! sorted order, or a glob) into [`InputFile`]s. [`read_file`] turns one input file into
//! [`ReadEvent`]s: documents, and documents that were dropped or failed with a reason that
//! names the file and position. Nothing is lost silently and nothing panics:
//!
//! - a text file is one document whose id is `path@0` and whose `source` covers the whole
//!   file (the splitter cuts it into articles later); an empty file is dropped (`empty file`);
//!   a file with NUL bytes fails as binary; a file over `max_document_bytes` fails.
//! - invalid UTF-8 follows [`Utf8Policy`]: `lossy` replaces each bad sequence by U+FFFD and
//!   records the replacement as an edit, so offsets still map to the exact input bytes.
//! - a JSONL line that is not a JSON object with a string `text` fails as `file:line: reason`.
//!   A record that is a docpipe record (it has a `source` object) is read back losslessly;
//!   any other record becomes `{id, text, metadata}` with its other fields kept in metadata.
//!
//! Offsets of compressed files are offsets into the decompressed bytes.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::document::{Document, Source};

/// How to read input files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// By extension: `.jsonl`/`.ndjson` are JSONL, everything else is text; standard input
    /// is sniffed (a first non-blank `{` means JSONL).
    Auto,
    /// Each file is one text document.
    Text,
    /// One JSON record per line.
    Jsonl,
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
    /// Standard input, named `-`.
    Stdin,
    /// Bytes compiled into the binary (the built-in sample corpus).
    Memory {
        /// The name it is shown and identified by.
        name: String,
        /// The content.
        bytes: &'static [u8],
    },
}

impl InputFile {
    /// The name used in ids, `source.path` and messages.
    pub fn name(&self) -> &str {
        match self {
            InputFile::Path(p) => p,
            InputFile::Stdin => "-",
            InputFile::Memory { name, .. } => name,
        }
    }

    /// Size in bytes when known up front (for progress).
    pub fn size_hint(&self) -> Option<u64> {
        match self {
            InputFile::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            InputFile::Stdin => None,
            InputFile::Memory { bytes, .. } => Some(bytes.len() as u64),
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
    /// Larger documents (text files, or JSONL lines) fail instead of being read.
    pub max_document_bytes: u64,
}

/// Extensions taken from directories. Markdown is left out on purpose: corpus folders
/// carry README.md files that are not documents (name such files explicitly to read them).
const TEXT_EXTENSIONS: &[&str] = &["txt", "text", "jsonl", "ndjson"];
const COMPRESSED: &[&str] = &["gz", "zst"];

fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// Expands one configured path into input files. Directories are walked recursively in
/// sorted order and yield files with a known extension (`.txt .text .jsonl .ndjson`,
/// optionally compressed `.gz`/`.zst`); files named explicitly are always taken.
pub fn resolve_path(path: &str, exclude: &[String]) -> Result<Vec<InputFile>, String> {
    if path == "-" {
        return Ok(vec![InputFile::Stdin]);
    }
    let excludes: Vec<glob::Pattern> = exclude.iter().filter_map(|e| glob::Pattern::new(e).ok()).collect();
    let excluded = |p: &Path| excludes.iter().any(|pat| pat.matches_path(p));
    let mut out = Vec::new();
    if is_glob(path) {
        let entries = glob::glob(path).map_err(|e| format!("invalid glob `{path}`: {e}"))?;
        for entry in entries {
            let p = entry.map_err(|e| format!("{path}: {e}"))?;
            if p.is_dir() {
                walk(&p, &excluded, &mut out).map_err(|e| format!("{}: {e}", p.display()))?;
            } else if !excluded(&p) {
                out.push(p);
            }
        }
        if out.is_empty() {
            return Err(format!("`{path}` matches no input file"));
        }
    } else {
        let p = PathBuf::from(path);
        match std::fs::metadata(&p) {
            Err(e) => return Err(format!("input path `{path}` does not exist or cannot be read: {e}")),
            Ok(m) if m.is_dir() => {
                walk(&p, &excluded, &mut out).map_err(|e| format!("{path}: {e}"))?;
                if out.is_empty() {
                    return Err(format!(
                        "directory `{path}` holds no input file (.txt, .text, .jsonl, .ndjson, optionally .gz/.zst)"
                    ));
                }
            }
            Ok(_) => out.push(p),
        }
    }
    Ok(out.into_iter().map(|p| InputFile::Path(p.to_string_lossy().into_owned())).collect())
}

fn walk(dir: &Path, excluded: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if excluded(&p) || p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
            continue;
        }
        if p.is_dir() {
            walk(&p, excluded, out)?;
        } else if has_known_extension(&p) {
            out.push(p);
        }
    }
    Ok(())
}

fn has_known_extension(p: &Path) -> bool {
    let name = p.to_string_lossy().to_lowercase();
    let name = COMPRESSED.iter().fold(name, |n, c| n.strip_suffix(&format!(".{c}")).map(str::to_owned).unwrap_or(n));
    TEXT_EXTENSIONS.iter().any(|e| name.ends_with(&format!(".{e}")))
}

/// Removes repeated files, keeping the first occurrence.
pub fn dedup_files(files: Vec<InputFile>) -> Vec<InputFile> {
    let mut seen = std::collections::HashSet::new();
    files.into_iter().filter(|f| seen.insert(f.name().to_owned())).collect()
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
    /// Could not be read (binary, malformed, too large, invalid UTF-8 under `skip`).
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

/// A failure that stops the run (only under `invalid_utf8 = "fail"`, or an I/O error midway).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FatalInputError(pub String);

fn open(file: &InputFile) -> std::io::Result<Box<dyn Read + Send>> {
    let (raw, name): (Box<dyn Read + Send>, &str) = match file {
        InputFile::Path(p) => (Box::new(std::fs::File::open(p)?), p),
        InputFile::Stdin => (Box::new(std::io::stdin()), "-"),
        InputFile::Memory { name, bytes } => (Box::new(*bytes), name),
    };
    let lower = name.to_lowercase();
    if lower.ends_with(".gz") {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(raw))))
    } else if lower.ends_with(".zst") {
        let dec = ruzstd::decoding::StreamingDecoder::new(raw)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        Ok(Box::new(dec))
    } else {
        Ok(raw)
    }
}

fn effective_format(file: &InputFile, format: InputFormat) -> Option<InputFormat> {
    if format != InputFormat::Auto {
        return Some(format);
    }
    match file {
        InputFile::Stdin => None,
        _ => {
            let lower = file.name().to_lowercase();
            let base =
                COMPRESSED.iter().fold(lower, |n, c| n.strip_suffix(&format!(".{c}")).map(str::to_owned).unwrap_or(n));
            Some(if base.ends_with(".jsonl") || base.ends_with(".ndjson") {
                InputFormat::Jsonl
            } else {
                InputFormat::Text
            })
        }
    }
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
    let whole = |reason: String| Rejected {
        id: format!("{name}@0"),
        source: Source { path: name.clone(), start: 0, end: 0, line: None, edits: Vec::new() },
        reason,
    };
    let reader = match open(file) {
        Ok(r) => r,
        Err(e) => {
            emit(ReadEvent::Failed(whole(format!("{name}: cannot open: {e}"))));
            return Ok(());
        }
    };
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let format = match effective_format(file, spec.format) {
        Some(f) => f,
        None => {
            // Sniff standard input.
            let buf = reader.fill_buf().unwrap_or(&[]);
            let first = buf.iter().find(|b| !b.is_ascii_whitespace());
            if first == Some(&b'{') { InputFormat::Jsonl } else { InputFormat::Text }
        }
    };
    match format {
        InputFormat::Jsonl => read_jsonl(&name, &mut reader, spec, emit, bytes_read),
        _ => read_text(&name, &mut reader, spec, emit, bytes_read, whole),
    }
}

fn read_text(
    name: &str,
    reader: &mut dyn Read,
    spec: &InputSpec,
    emit: &mut dyn FnMut(ReadEvent),
    bytes_read: &dyn Fn(u64),
    whole: impl Fn(String) -> Rejected,
) -> Result<(), FatalInputError> {
    let mut bytes = Vec::new();
    let limit = spec.max_document_bytes;
    if let Err(e) = reader.take(limit.saturating_add(1)).read_to_end(&mut bytes) {
        emit(ReadEvent::Failed(whole(format!("{name}: read error after {} bytes: {e}", bytes.len()))));
        return Ok(());
    }
    bytes_read(bytes.len() as u64);
    if bytes.len() as u64 > limit {
        emit(ReadEvent::Failed(whole(format!("{name}: larger than input.max_document_bytes ({limit} bytes)"))));
        return Ok(());
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
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
    let id = format!("{name}@0");
    match decode_utf8(bytes, spec.invalid_utf8) {
        Decoded::Valid(text) => emit(ReadEvent::Document(Document::from_source(id, text, name, 0))),
        Decoded::Repaired { text, edits, count, first, src_len } => {
            let mut doc = Document::from_source(id.clone(), text, name, 0);
            doc.source.end = src_len;
            doc.source.edits = edits;
            emit(ReadEvent::Replaced { id, count, first_offset: first });
            emit(ReadEvent::Document(doc));
        }
        Decoded::Invalid { offset, len } => {
            let msg = format!("{name}:byte {offset}: invalid UTF-8 (policy `{}`)", policy_name(spec.invalid_utf8));
            if spec.invalid_utf8 == Utf8Policy::Fail {
                return Err(FatalInputError(msg));
            }
            emit(ReadEvent::Failed(Rejected {
                source: Source { path: name.to_owned(), start: 0, end: len, line: None, edits: Vec::new() },
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
    let mut offset = 0usize;
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    let limit = spec.max_document_bytes;
    loop {
        buf.clear();
        let n = match reader.take(limit.saturating_add(2)).read_until(b'\n', &mut buf) {
            Ok(n) => n,
            Err(e) => {
                return Err(FatalInputError(format!("{name}:{}: read error: {e}", line_no + 1)));
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
        if n as u64 > limit.saturating_add(1) && !buf.ends_with(b"\n") {
            // Skip the rest of an over-long line.
            let mut rest = 0usize;
            loop {
                let avail = match reader.fill_buf() {
                    Ok(b) => b,
                    Err(e) => return Err(FatalInputError(format!("{name}:{line_no}: read error: {e}"))),
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
            emit(fail(format!("line longer than input.max_document_bytes ({limit} bytes)"), offset));
            continue;
        }
        let end = offset;
        let mut body: &[u8] = &buf;
        while let Some((last, rest)) = body.split_last() {
            if *last == b'\n' || *last == b'\r' { body = rest } else { break }
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

fn parse_record(line: &str, name: &str, line_no: usize, start: usize, end: usize) -> Result<Document, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("malformed JSON: {e}"))?;
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
    if obj.get("source").is_some_and(is_docpipe_source) {
        let doc: Document =
            serde_json::from_value(Value::Object(obj)).map_err(|e| format!("not a valid docpipe record: {e}"))?;
        doc.check_invariants().map_err(|e| format!("invalid docpipe record: {e}"))?;
        return Ok(doc);
    }
    let text = match obj.remove("text") {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    let id = match obj.remove("id") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Null) | None => format!("{name}:{line_no}"),
        Some(other) => return Err(format!("field `id` must be a string or number, found {}", json_type(&other))),
    };
    let mut metadata = match obj.remove("metadata") {
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
mod tests {
    use super::*;

    fn spec() -> InputSpec {
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

    #[test]
    fn gzip_is_transparent() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"hello world").unwrap();
        let gz: &'static [u8] = Box::leak(enc.finish().unwrap().into_boxed_slice());
        let ev = read("x.txt.gz", gz, &spec());
        assert!(matches!(&ev[0], ReadEvent::Document(d) if d.text == "hello world"));
    }
}
