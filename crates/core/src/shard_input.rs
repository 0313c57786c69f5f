//! The input side of sharded runs (issue 16): which bytes of the sorted input each shard
//! reads, and reading them so that a shard yields exactly the events a whole read yields for
//! that part.
//!
//! [`assign_shards`] cuts the input, in the order a single run reads it, into `n` contiguous
//! parts balanced by bytes. A cut that falls inside an uncompressed JSONL file moves forward
//! to the next line start (so each part is within one line of its ideal size); a cut inside
//! any other input (a text file is one document, gzip and zstd cannot be entered in the
//! middle, standard input cannot be re-read) moves to the nearer end of that input. A part
//! is a list of [`InputPiece`]s: whole inputs, or byte ranges of JSONL files with the number
//! of the line they start at. Empty inputs and unreadable entries are whole pieces, so each
//! failure is reported by exactly one shard; a shard may be empty.
//!
//! [`read_piece`] reads one piece with the reader of [`read_file`] (the JSONL reader started
//! at the piece's byte and line): ids of records without one (`file:LINE`, the global line
//! number), `source` offsets (global byte offsets in the file), messages, the byte order mark
//! (only at the start of the file) and the handling of invalid UTF-8 are those of the whole
//! read. The reader keeps no state across records (no set of seen ids: duplicate ids are
//! passed on as they are), so concatenating the events of shards `0..n` gives the events of
//! the whole read, in order.
//!
//! A shard's run reads [`crate::config::Pipeline::input_pieces`] instead of every file whole;
//! its `input.files` stay the whole sorted list (pieces are found in it by name, and what
//! comes before a piece is looked up in it).
//!
//! Input statistics add up: documents, drops, failures, replacements and bytes are counted
//! per event or per byte read (a piece's bytes are its range; a whole compressed input
//! counts its decompressed bytes, as in a single run). The runner counts `files` when the
//! `source.path` of a document or failure differs from the previous one's, so a shard that
//! starts inside a file would count that file again. The runner's reader corrects the
//! count by the difference between what the shard counted for its first such event and
//! what the whole read counts for it, found by reading the last non-blank line before the
//! shard (one line of the same file, usually; when the shard starts at an input whose first
//! record is a docpipe record naming another path, the inputs before it are read back to
//! their last record, which decompresses a compressed one).
//!
//! Limits: a piece names its file by [`InputFile::name`] and its byte range as measured by
//! `plan`; a file changed after the plan is read as it is then (the plan's fingerprint is
//! what guards against that). If a split file cannot be opened when a shard reads it, the
//! piece at byte 0 reports the failure as the whole read would and the other pieces are
//! skipped with a warning; an I/O error inside a piece ends that piece, not the file. The
//! `files` count is exact except when a docpipe record of an earlier input names the input
//! a shard starts with as its `source.path`, or the input before a shard is standard input
//! (then the shard counts as if the paths differed).
//!
//! `plan` reads every JSONL file that is cut up to its last cut, counting newlines (about
//! 4 GB/s from the page cache on the development machine); nothing else is read.

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};
use tracing::warn;

use crate::input::{
    FatalInputError, InputFile, InputSpec, ReadEvent, cannot_open, open_at, read_file, read_jsonl_from, splittable,
};

/// A part of one input file that one shard reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputPiece {
    /// The file, as [`InputFile::name`] gives it.
    pub path: String,
    /// The first byte of the piece in the file.
    pub start: u64,
    /// The byte after the piece (for a whole input: its size when the plan was made).
    pub end: u64,
    /// The number of the line that starts at `start`, as a read of the whole file counts
    /// lines (1 at byte 0).
    pub first_line: u64,
    /// Whether the piece is the whole input (then it is read exactly as a single run reads
    /// it, whatever its kind).
    pub whole: bool,
}

/// What one shard reads: its pieces, in the order the single run reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInput {
    /// The pieces.
    pub pieces: Vec<InputPiece>,
    /// Their bytes (on disk: compressed inputs count their compressed size).
    pub bytes: u64,
}

/// Why the input cannot be assigned to shards.
#[derive(Debug, thiserror::Error)]
pub enum ShardInputError {
    /// `n` was 0.
    #[error("the number of shards must be at least 1")]
    NoShards,
    /// A file could not be scanned for line starts after it had been read (a bug, or the
    /// file changed while it was being scanned).
    #[error("{path}: no line starts at byte {at} (did the file change while the plan was made?)")]
    LostCut {
        /// The file.
        path: String,
        /// The cut.
        at: u64,
    },
}

/// Assigns the input (`files`, in reading order) to `n` shards: contiguous parts balanced
/// by bytes, JSONL files larger than their share cut at line starts (see the module
/// documentation). Deterministic: the same files with the same contents give the same
/// shards. A file that cannot be read while looking for line starts is not cut (its failure
/// is reported by the shard that reads it).
pub fn assign_shards(files: &[InputFile], spec: &InputSpec, n: usize) -> Result<Vec<ShardInput>, ShardInputError> {
    if n == 0 {
        return Err(ShardInputError::NoShards);
    }
    let sizes: Vec<u64> = files.iter().map(|f| f.size_hint().unwrap_or(0)).collect();
    let mut starts = Vec::with_capacity(files.len());
    let mut total = 0u64;
    for s in &sizes {
        starts.push(total);
        total = total.saturating_add(*s);
    }
    // The ideal cuts, then each moved to a place a shard can start at.
    let ideal: Vec<u64> =
        (1..n).map(|k| u64::try_from(u128::from(total) * k as u128 / n as u128).unwrap_or(total)).collect();
    let mut cuts = ideal.clone();
    // Per file to cut at line starts: the indexes of the cuts inside it.
    let mut inside: Vec<(usize, Vec<usize>)> = Vec::new();
    for (j, &b) in ideal.iter().enumerate() {
        let i = starts.partition_point(|&s| s < b);
        if i == 0 {
            continue;
        }
        let i = i - 1;
        let (s, e) = (starts[i], starts[i] + sizes[i]);
        if b >= e {
            continue; // on a file boundary (or the end)
        }
        if splittable(&files[i], spec) {
            match inside.last_mut() {
                Some((f, js)) if *f == i => js.push(j),
                _ => inside.push((i, vec![j])),
            }
        } else {
            cuts[j] = nearer_end(b, s, e);
        }
    }
    // Line starts at the cuts inside JSONL files, and the line numbers there.
    let mut lines: HashMap<usize, Vec<(u64, u64)>> = HashMap::new();
    for (i, js) in inside {
        let (s, e) = (starts[i], starts[i] + sizes[i]);
        let targets: Vec<u64> = js.iter().map(|&j| ideal[j] - s).collect();
        match line_starts(&files[i], sizes[i], &targets) {
            Ok(found) => {
                for (&j, &(cut, _)) in js.iter().zip(&found) {
                    cuts[j] = s + cut;
                }
                lines.insert(i, found);
            }
            Err(err) => {
                warn!(file = %files[i].name(), error = %err, "cannot look for line starts: the file is not split");
                for &j in &js {
                    cuts[j] = nearer_end(ideal[j], s, e);
                }
            }
        }
    }
    for j in 1..cuts.len() {
        cuts[j] = cuts[j].max(cuts[j - 1]);
    }
    let mut bounds = Vec::with_capacity(n + 1);
    bounds.push(0);
    bounds.extend(cuts);
    bounds.push(total);

    let mut shards = vec![ShardInput::default(); n];
    let mut k = 0;
    for (i, file) in files.iter().enumerate() {
        let (s, e) = (starts[i], starts[i] + sizes[i]);
        while k + 1 < n && bounds[k + 1] <= s {
            k += 1;
        }
        let path = file.name().to_owned();
        if s == e {
            shards[k].pieces.push(InputPiece { path, start: 0, end: 0, first_line: 1, whole: true });
            continue;
        }
        let mut kk = k;
        while kk < n && bounds[kk] < e {
            let (lo, hi) = (s.max(bounds[kk]), e.min(bounds[kk + 1]));
            if lo < hi {
                let first_line = if lo == s {
                    1
                } else {
                    let at = lo - s;
                    lines
                        .get(&i)
                        .and_then(|v| v.iter().find(|(c, _)| *c == at))
                        .map(|&(_, line)| line)
                        .ok_or_else(|| ShardInputError::LostCut { path: path.clone(), at })?
                };
                let whole = lo == s && hi == e;
                shards[kk].pieces.push(InputPiece {
                    path: path.clone(),
                    start: lo - s,
                    end: hi - s,
                    first_line,
                    whole,
                });
                shards[kk].bytes += hi - lo;
            }
            kk += 1;
        }
    }
    Ok(shards)
}

/// The end of `[s, e)` nearer to `b` (the start on a tie).
fn nearer_end(b: u64, s: u64, e: u64) -> u64 {
    if b - s <= e - b { s } else { e }
}

/// For each offset in `targets` (ascending, each in `1..size`): the first line start at or
/// after it (`size` when there is none) and the number of that line.
fn line_starts(file: &InputFile, size: u64, targets: &[u64]) -> std::io::Result<Vec<(u64, u64)>> {
    let mut scan = LineScan { r: open_at(file, 0)?, buf: vec![0; 1 << 16], pos: 0, len: 0, offset: 0, newlines: 0 };
    let mut out = Vec::with_capacity(targets.len());
    for &o in targets {
        let cut = if scan.offset >= o {
            scan.offset
        } else {
            scan.skip_to(o - 1)?;
            if scan.past_newline()? { scan.offset } else { size }
        };
        out.push((cut.min(size), scan.newlines + 1));
    }
    Ok(out)
}

/// The newlines in `bytes`, eight bytes at a time (a word's bytes equal to `\n` become zero
/// bytes, which are marked exactly and counted): several times faster than
/// `filter().count()`, and this is most of what `plan` does on a large JSONL file.
fn count_newlines(bytes: &[u8]) -> u64 {
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const NL: u64 = 0x0A0A_0A0A_0A0A_0A0A;
    let mut words = bytes.chunks_exact(8);
    let mut total = 0u64;
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        let y = u64::from_le_bytes(word) ^ NL;
        total += u64::from((!(((y & LOW).wrapping_add(LOW)) | y | LOW)).count_ones());
    }
    total + words.remainder().iter().filter(|&&b| b == b'\n').count() as u64
}

/// Reads a file forward, counting newlines.
struct LineScan {
    r: Box<dyn Read + Send>,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// The offset in the file of `buf[pos]`.
    offset: u64,
    /// Newlines in `[0, offset)`.
    newlines: u64,
}

impl LineScan {
    /// Whether bytes are available at `buf[pos..len]` (false at the end of the file).
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.pos < self.len {
            return Ok(true);
        }
        self.pos = 0;
        self.len = loop {
            match self.r.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        Ok(self.len > 0)
    }

    /// Moves to `target` (or the end of the file).
    fn skip_to(&mut self, target: u64) -> std::io::Result<()> {
        while self.offset < target && self.fill()? {
            let avail = &self.buf[self.pos..self.len];
            let take = usize::try_from(target - self.offset).unwrap_or(usize::MAX).min(avail.len());
            self.newlines += count_newlines(&avail[..take]);
            self.pos += take;
            self.offset += take as u64;
        }
        Ok(())
    }

    /// Moves just past the next newline; false at the end of the file.
    fn past_newline(&mut self) -> std::io::Result<bool> {
        while self.fill()? {
            let avail = &self.buf[self.pos..self.len];
            match avail.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.pos += i + 1;
                    self.offset += i as u64 + 1;
                    self.newlines += 1;
                    return Ok(true);
                }
                None => {
                    self.offset += avail.len() as u64;
                    self.pos = self.len;
                }
            }
        }
        Ok(false)
    }
}

/// Reads one piece of `file`, calling `emit` for every event in file order: for a whole
/// piece exactly [`read_file`]; for a range of a JSONL file the events [`read_file`] gives
/// for the lines in that range (see the module documentation). `bytes_read` is advanced by
/// the bytes of the range.
pub fn read_piece(
    file: &InputFile,
    piece: &InputPiece,
    spec: &InputSpec,
    emit: &mut dyn FnMut(ReadEvent),
    bytes_read: &dyn Fn(u64),
) -> Result<(), FatalInputError> {
    let name = file.name();
    if name != piece.path {
        return Err(FatalInputError(format!("a piece of `{}` was given input `{name}` to read", piece.path)));
    }
    if piece.whole {
        return read_file(file, spec, emit, bytes_read);
    }
    let range =
        |what: u64| usize::try_from(what).map_err(|_| FatalInputError(format!("{name}: offset {what} too large")));
    let (start, first_line) = (range(piece.start)?, range(piece.first_line)?);
    if !splittable(file, spec) || piece.end < piece.start || (start == 0) != (first_line == 1) {
        return Err(FatalInputError(format!(
            "{name}: the plan reads bytes {}..{} (line {}) of it, but it cannot be read from there: only uncompressed JSONL files are read in pieces (did the input or its format change since `docpipe plan`?)",
            piece.start, piece.end, piece.first_line
        )));
    }
    match open_at(file, piece.start) {
        Ok(r) => {
            let mut reader = BufReader::with_capacity(1 << 16, r.take(piece.end - piece.start));
            read_jsonl_from(name, &mut reader, spec, emit, bytes_read, start, first_line)
        }
        Err(e) if start == 0 => {
            emit(cannot_open(name, &e));
            Ok(())
        }
        Err(e) => {
            // The piece at byte 0 reports the file, as the whole read does, once.
            warn!(file = %name, start = piece.start, error = %e, "cannot open a piece of a file that cannot be opened");
            Ok(())
        }
    }
}

/// One read of the runner's reader thread: a whole input, or a piece of one.
pub(crate) struct PieceRead<'a> {
    /// The input's place in [`InputSpec::files`].
    index: usize,
    file: &'a InputFile,
    piece: Option<&'a InputPiece>,
}

impl PieceRead<'_> {
    /// Reads it (see [`read_piece`]; without a piece: [`read_file`]).
    pub(crate) fn read(
        &self,
        spec: &InputSpec,
        emit: &mut dyn FnMut(ReadEvent),
        bytes_read: &dyn Fn(u64),
    ) -> Result<(), FatalInputError> {
        match self.piece {
            None => read_file(self.file, spec, emit, bytes_read),
            Some(p) => read_piece(self.file, p, spec, emit, bytes_read),
        }
    }
}

/// What the reader thread reads: every input whole, in order, or (on a shard) `pieces`,
/// each found in `files` by name. An error names a piece whose input is not in `files`.
pub(crate) fn reads<'a>(
    files: &'a [InputFile],
    pieces: Option<&'a [InputPiece]>,
) -> Result<Vec<PieceRead<'a>>, String> {
    let Some(pieces) = pieces else {
        return Ok(files.iter().enumerate().map(|(index, file)| PieceRead { index, file, piece: None }).collect());
    };
    let by_name: HashMap<&str, usize> = files.iter().enumerate().map(|(i, f)| (f.name(), i)).collect();
    pieces
        .iter()
        .map(|p| match by_name.get(p.path.as_str()) {
            Some(&index) => Ok(PieceRead { index, file: &files[index], piece: Some(p) }),
            None => Err(format!(
                "the plan reads `{}`, which is not among this run's inputs (did the input change since `docpipe plan`?)",
                p.path
            )),
        })
        .collect()
}

/// Makes a shard's count of input files add up to the single run's: the runner counts a file
/// when a document's, drop's or failure's `source.path` differs from the previous one's, so the
/// shard counts its first such event (unless its path is empty) where the whole read counts
/// it only if the event before it had another path. `adjust` receives the difference (whole
/// minus shard: -1, 0 or 1), to add to the shard's count.
pub(crate) struct FilesCountFix<'a> {
    files: &'a [InputFile],
    spec: &'a InputSpec,
    decided: bool,
    adjust: &'a AtomicI64,
}

impl<'a> FilesCountFix<'a> {
    pub(crate) fn new(files: &'a [InputFile], spec: &'a InputSpec, adjust: &'a AtomicI64) -> Self {
        FilesCountFix { files, spec, decided: false, adjust }
    }

    /// Sees an event of `read`, in reading order.
    pub(crate) fn observe(&mut self, ev: &ReadEvent, read: &PieceRead<'_>) {
        if self.decided {
            return;
        }
        let path = match ev {
            ReadEvent::Document(d) => &d.source.path,
            ReadEvent::Failed(r) | ReadEvent::Dropped(r) => &r.source.path,
            ReadEvent::Replaced { .. } => return,
        };
        self.decided = true;
        let start = read.piece.map_or(0, |p| p.start);
        let here = !path.is_empty();
        let whole = if start == 0 && path == read.file.name() {
            // The event before it is another input's: it names that input (or a docpipe
            // record's own path), not this one.
            true
        } else {
            match path_before(self.files, read.index, start, self.spec) {
                Before::Start => here,
                Before::Path(p) => p != *path,
                Before::Unknown => here,
            }
        };
        self.adjust.store(i64::from(whole) - i64::from(here), Ordering::Relaxed);
    }
}

/// What comes before a place in the input, for [`FilesCountFix`].
#[derive(Debug, PartialEq)]
enum Before {
    /// Nothing: the start of the run.
    Start,
    /// The `source.path` of the last document, drop or failure.
    Path(String),
    /// Not known (standard input, or an input that cannot be read again).
    Unknown,
}

/// The `source.path` of the last document, drop or failure a whole read yields before byte `at` of
/// `files[index]`.
fn path_before(files: &[InputFile], index: usize, at: u64, spec: &InputSpec) -> Before {
    let mut limit = Some(at);
    for file in files[..=index].iter().rev() {
        match last_path(file, spec, limit) {
            Ok(Some(p)) => return Before::Path(p),
            Ok(None) => limit = None,
            Err(()) => return Before::Unknown,
        }
    }
    Before::Start
}

/// The `source.path` of the last document, drop or failure of `file` (before byte `limit`, a line
/// start of a JSONL file, when given). `Err` when it cannot be known.
fn last_path(file: &InputFile, spec: &InputSpec, limit: Option<u64>) -> Result<Option<String>, ()> {
    let mut last = None;
    let mut keep = |ev: ReadEvent| match ev {
        ReadEvent::Document(d) => last = Some(d.source.path),
        ReadEvent::Failed(r) | ReadEvent::Dropped(r) => last = Some(r.source.path),
        ReadEvent::Replaced { .. } => {}
    };
    if limit == Some(0) {
        return Ok(None);
    }
    match file {
        InputFile::Stdin { .. } => return Err(()),
        InputFile::Unreadable { path, .. } => return Ok(Some(path.clone())),
        _ => {}
    }
    if !splittable(file, spec) {
        read_file(file, spec, &mut keep, &|_| {}).map_err(|_| ())?;
        return Ok(last);
    }
    let end = match limit {
        Some(l) => l,
        None => file.size_hint().ok_or(())?,
    };
    // The last non-blank line before `end`: it yields the last event.
    let Some(p) = rfind(file, end, |b| !b.is_ascii_whitespace()).map_err(|_| ())? else {
        return Ok(None);
    };
    if p < 3 && starts_with_bom(file).map_err(|_| ())? {
        return Ok(None); // a first line of a byte order mark and blanks
    }
    let line_start = rfind(file, p, |b| b == b'\n').map_err(|_| ())?.map_or(0, |q| q + 1);
    let reader = open_at(file, line_start).map_err(|_| ())?;
    let mut reader = BufReader::new(reader.take(end - line_start));
    let first_line = if line_start == 0 { 1 } else { 2 };
    let start = usize::try_from(line_start).map_err(|_| ())?;
    read_jsonl_from(file.name(), &mut reader, spec, &mut keep, &|_| {}, start, first_line).map_err(|_| ())?;
    Ok(last)
}

fn starts_with_bom(file: &InputFile) -> std::io::Result<bool> {
    let mut head = Vec::with_capacity(3);
    open_at(file, 0)?.take(3).read_to_end(&mut head)?;
    Ok(head == b"\xEF\xBB\xBF")
}

/// The offset of the last byte before `end` that satisfies `want`, reading backwards.
fn rfind(file: &InputFile, end: u64, want: impl Fn(u8) -> bool) -> std::io::Result<Option<u64>> {
    const CHUNK: u64 = 1 << 16;
    let mut hi = end;
    let mut buf = Vec::with_capacity(CHUNK as usize);
    while hi > 0 {
        let lo = hi.saturating_sub(CHUNK);
        buf.clear();
        open_at(file, lo)?.take(hi - lo).read_to_end(&mut buf)?;
        if let Some(i) = buf.iter().rposition(|&b| want(b)) {
            return Ok(Some(lo + i as u64));
        }
        hi = lo;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{InputFormat, Utf8Policy};
    use crate::runner::count_file;
    use crate::stats::InputStats;
    use proptest::prelude::*;

    fn spec(max_document_bytes: u64) -> InputSpec {
        InputSpec { files: vec![], format: InputFormat::Auto, invalid_utf8: Utf8Policy::Lossy, max_document_bytes }
    }

    /// One event as text, for comparing.
    fn show(ev: &ReadEvent) -> String {
        match ev {
            ReadEvent::Document(d) => format!("D {}", serde_json::to_string(d).unwrap()),
            ReadEvent::Dropped(r) => format!("X {} {} {}", r.id, serde_json::to_string(&r.source).unwrap(), r.reason),
            ReadEvent::Failed(r) => format!("F {} {} {}", r.id, serde_json::to_string(&r.source).unwrap(), r.reason),
            ReadEvent::Replaced { id, count, first_offset } => format!("R {id} {count} {first_offset}"),
        }
    }

    /// The input counters the runner keeps (`runner::consume`), over one run's events.
    fn count(events: &[ReadEvent], stats: &mut InputStats) {
        let mut last_file = String::new();
        for ev in events {
            match ev {
                ReadEvent::Document(d) => {
                    count_file(&d.source.path, &mut last_file, &mut stats.files);
                    stats.documents += 1;
                }
                ReadEvent::Dropped(r) => {
                    count_file(&r.source.path, &mut last_file, &mut stats.files);
                    *stats.dropped.entry(r.reason.clone()).or_default() += 1;
                }
                ReadEvent::Failed(r) => {
                    count_file(&r.source.path, &mut last_file, &mut stats.files);
                    stats.failed += 1;
                }
                ReadEvent::Replaced { count, .. } => stats.utf8_replacements += *count as u64,
            }
        }
    }

    /// The events and input counters of a whole read.
    fn whole(files: &[InputFile], spec: &InputSpec) -> (Vec<String>, InputStats) {
        let bytes = std::cell::Cell::new(0u64);
        let mut events = Vec::new();
        for f in files {
            read_file(f, spec, &mut |e| events.push(e), &|n| bytes.set(bytes.get() + n)).unwrap();
        }
        let mut stats = InputStats { bytes: bytes.get(), ..InputStats::default() };
        count(&events, &mut stats);
        (events.iter().map(show).collect(), stats)
    }

    /// The events of shards `0..n` concatenated, and their input counters summed, read the
    /// way the runner's reader thread reads a shard.
    fn sharded(files: &[InputFile], spec: &InputSpec, shards: &[ShardInput]) -> (Vec<String>, InputStats) {
        let mut all = Vec::new();
        let mut sum = InputStats::default();
        for shard in shards {
            let bytes = std::cell::Cell::new(0u64);
            let adjust = AtomicI64::new(0);
            let mut fix = FilesCountFix::new(files, spec, &adjust);
            let mut events = Vec::new();
            for read in reads(files, Some(&shard.pieces)).unwrap() {
                read.read(
                    spec,
                    &mut |e| {
                        fix.observe(&e, &read);
                        events.push(e)
                    },
                    &|n| bytes.set(bytes.get() + n),
                )
                .unwrap();
            }
            let mut stats = InputStats { bytes: bytes.get(), ..InputStats::default() };
            count(&events, &mut stats);
            stats.files = stats.files.checked_add_signed(adjust.load(Ordering::Relaxed)).unwrap();
            sum.files += stats.files;
            sum.bytes += stats.bytes;
            sum.documents += stats.documents;
            sum.failed += stats.failed;
            sum.utf8_replacements += stats.utf8_replacements;
            for (k, v) in stats.dropped {
                *sum.dropped.entry(k).or_default() += v;
            }
            all.extend(events.iter().map(show));
        }
        (all, sum)
    }

    /// Every input is covered once, in order, by contiguous pieces.
    fn check_cover(files: &[InputFile], shards: &[ShardInput]) {
        let pieces: Vec<&InputPiece> = shards.iter().flat_map(|s| &s.pieces).collect();
        let mut it = pieces.iter().peekable();
        for f in files {
            let size = f.size_hint().unwrap_or(0);
            let mut at = 0;
            loop {
                let p = it.next().unwrap_or_else(|| panic!("{} not covered", f.name()));
                assert_eq!(p.path, f.name());
                assert_eq!(p.start, at, "{p:?}");
                assert_eq!(p.whole, p.start == 0 && p.end == size, "{p:?}");
                at = p.end;
                if at == size {
                    break;
                }
            }
        }
        assert!(it.next().is_none());
        for s in shards {
            assert_eq!(s.bytes, s.pieces.iter().map(|p| p.end - p.start).sum::<u64>());
        }
    }

    fn leak(v: Vec<u8>) -> &'static [u8] {
        Box::leak(v.into_boxed_slice())
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    /// A JSONL line (without its terminator) of one of several kinds.
    fn line(kind: u8, i: usize) -> Vec<u8> {
        match kind % 12 {
            0 | 1 => format!("{{\"id\":\"r{i}\",\"text\":\"record {i} with an id\"}}").into_bytes(),
            2 | 3 => format!("{{\"text\":\"record {i} without an id\",\"n\":{i}}}").into_bytes(),
            4 => Vec::new(),
            5 => b"   \t".to_vec(),
            6 => b"not json at all".to_vec(),
            7 => [b"{\"text\":\"bad byte ".as_slice(), b"\xff", format!(" here {i}\"}}").as_bytes()].concat(),
            8 => format!("{{\"id\":\"long{i}\",\"text\":\"{}\"}}", "long ".repeat(30)).into_bytes(),
            9 => format!(
                "{{\"id\":\"d{i}\",\"text\":\"abc\",\"source\":{{\"path\":\"elsewhere.txt\",\"start\":0,\"end\":3}}}}"
            )
            .into_bytes(),
            10 => format!("{{\"id\":\"e{i}\",\"text\":\"abc\",\"source\":{{\"path\":\"\",\"start\":0,\"end\":3}}}}")
                .into_bytes(),
            _ => format!("{{\"id\":\"r{i}\",\"text\":\"duplicate id\"}}").into_bytes(),
        }
    }

    /// One input file from its generated description.
    fn file(i: usize, kind: u8, lines: &[(u8, bool)], bom: bool, final_newline: bool) -> InputFile {
        let mut body = Vec::new();
        if bom {
            body.extend_from_slice(b"\xEF\xBB\xBF");
        }
        for (k, (l, crlf)) in lines.iter().enumerate() {
            body.extend(line(*l, k));
            if k + 1 < lines.len() || final_newline {
                body.extend_from_slice(if *crlf { b"\r\n" } else { b"\n" });
            }
        }
        let (name, bytes) = match kind % 6 {
            0..=2 => (format!("f{i}.jsonl"), body),
            3 => (format!("f{i}.txt"), body),
            4 => (format!("f{i}.jsonl.gz"), gzip(&body)),
            _ => (format!("f{i}.jsonl"), Vec::new()),
        };
        InputFile::Memory { name, bytes: leak(bytes) }
    }

    fn files_strategy() -> impl Strategy<Value = Vec<InputFile>> {
        let one =
            (any::<u8>(), proptest::collection::vec((any::<u8>(), any::<bool>()), 0..40), any::<bool>(), any::<bool>());
        proptest::collection::vec(one, 1..6).prop_map(|v| {
            v.iter().enumerate().map(|(i, (kind, lines, bom, nl))| file(i, *kind, lines, *bom, *nl)).collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// The word-at-a-time count agrees with counting bytes one by one.
        #[test]
        fn newlines_are_counted_exactly(bytes in proptest::collection::vec(
            prop_oneof![Just(b'\n'), Just(b'\r'), Just(0x0B), Just(0x8A), Just(0xFF), any::<u8>()], 0..200)) {
            let naive = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            prop_assert_eq!(count_newlines(&bytes), naive);
        }

        /// Shards `0..n` read in order give the whole read's events, and their input
        /// counters add up to the whole read's.
        #[test]
        fn shards_concatenate_to_the_whole_read(
            files in files_strategy(),
            n in 1usize..8,
            small in any::<bool>(),
            skip in any::<bool>(),
        ) {
            let mut spec = spec(if small { 90 } else { 1 << 20 });
            if skip {
                spec.invalid_utf8 = Utf8Policy::Skip;
            }
            let shards = assign_shards(&files, &spec, n).unwrap();
            prop_assert_eq!(shards.len(), n);
            check_cover(&files, &shards);
            let (events, stats) = whole(&files, &spec);
            let (parts, summed) = sharded(&files, &spec, &shards);
            prop_assert_eq!(parts, events);
            prop_assert_eq!(summed, stats);
        }

        /// The same with cuts anywhere: every line start of a JSONL file.
        #[test]
        fn any_line_cut_concatenates(f in files_strategy(), cut_at in any::<proptest::sample::Index>()) {
            let spec = spec(1 << 20);
            let Some(first) = f.iter().position(|x| splittable(x, &spec)) else { return Ok(()) };
            let InputFile::Memory { bytes: data, name } = &f[first] else { unreachable!() };
            let starts: Vec<usize> =
                std::iter::once(0).chain(data.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1)).collect();
            let at = starts[cut_at.index(starts.len())];
            let line = data[..at].iter().filter(|b| **b == b'\n').count() as u64 + 1;
            let len = data.len() as u64;
            let piece = |start: u64, end: u64, first_line: u64| InputPiece {
                path: name.clone(), start, end, first_line, whole: start == 0 && end == len,
            };
            let whole_piece = |f: &InputFile| InputPiece {
                path: f.name().to_owned(), start: 0, end: f.size_hint().unwrap(), first_line: 1, whole: true,
            };
            let mut a: Vec<InputPiece> = f[..first].iter().map(whole_piece).collect();
            a.push(piece(0, at as u64, 1));
            let mut b = vec![piece(at as u64, len, line)];
            b.extend(f[first + 1..].iter().map(whole_piece));
            let shards: Vec<ShardInput> = [a, b]
                .into_iter()
                .map(|pieces| ShardInput { bytes: pieces.iter().map(|p| p.end - p.start).sum(), pieces })
                .collect();
            let (events, stats) = whole(&f, &spec);
            let (parts, summed) = sharded(&f, &spec, &shards);
            prop_assert_eq!(parts, events);
            prop_assert_eq!(summed, stats);
        }
    }

    /// An empty file's drop counts a file in the whole read, so a shard that starts with it
    /// must count it too, and the record after it (whose `source.path` names a file seen
    /// before the drop) is a new file in both. Found by `any_line_cut_concatenates` in CI.
    #[test]
    fn a_drop_between_two_records_of_one_source_counts_as_a_file() {
        let record: &[u8] =
            b"{\"id\":\"d0\",\"text\":\"abc\",\"source\":{\"path\":\"elsewhere.txt\",\"start\":0,\"end\":3}}\n";
        let files = vec![
            InputFile::Memory { name: "f0.jsonl".into(), bytes: leak(record.to_vec()) },
            InputFile::Memory { name: "f1.txt".into(), bytes: leak(Vec::new()) },
            InputFile::Memory { name: "f2.jsonl".into(), bytes: leak(record.to_vec()) },
        ];
        let len = record.len() as u64;
        let piece = |path: &str, start: u64, end: u64, whole: bool| InputPiece {
            path: path.into(),
            start,
            end,
            first_line: 1 + u64::from(start > 0),
            whole,
        };
        let shards = vec![
            ShardInput { bytes: len, pieces: vec![piece("f0.jsonl", 0, len, true)] },
            ShardInput {
                bytes: len,
                pieces: vec![
                    piece("f0.jsonl", len, len, false),
                    piece("f1.txt", 0, 0, true),
                    piece("f2.jsonl", 0, len, true),
                ],
            },
        ];
        let spec = spec(1 << 20);
        let (events, stats) = whole(&files, &spec);
        assert_eq!(stats.files, 3);
        let (parts, summed) = sharded(&files, &spec, &shards);
        assert_eq!(parts, events);
        assert_eq!(summed, stats);
    }

    /// On one large JSONL file, every shard is within one record of its ideal size, and cuts
    /// fall at line starts.
    #[test]
    fn balancing_by_bytes_is_within_one_record() {
        let mut data = Vec::new();
        let mut longest = 0;
        for i in 0..5000usize {
            let l = format!("{{\"id\":\"r{i}\",\"text\":\"{}\"}}\n", "w ".repeat(i * 7919 % 97));
            longest = longest.max(l.len() as u64);
            data.extend_from_slice(l.as_bytes());
        }
        let total = data.len() as u64;
        let files = vec![InputFile::Memory { name: "big.jsonl".into(), bytes: leak(data.clone()) }];
        for n in 1..=9u64 {
            let shards = assign_shards(&files, &spec(1 << 20), n as usize).unwrap();
            check_cover(&files, &shards);
            for (k, s) in shards.iter().enumerate() {
                let p = &s.pieces[0];
                let ideal_start = total * k as u64 / n;
                assert!(p.start >= ideal_start && p.start < ideal_start + longest, "n={n} shard {k}: {p:?}");
                assert!(p.start == 0 || data[p.start as usize - 1] == b'\n');
                let line = data[..p.start as usize].iter().filter(|b| **b == b'\n').count() as u64 + 1;
                assert_eq!(p.first_line, line);
                assert!(s.bytes.abs_diff(total / n) < longest, "n={n} shard {k}: {} bytes", s.bytes);
            }
        }
    }

    /// Text files, compressed files and empty files are never cut; more shards than pieces
    /// leave shards empty; unreadable entries are one piece.
    #[test]
    fn unsplittable_inputs_stay_whole() {
        let files = vec![
            InputFile::Memory { name: "a.txt".into(), bytes: leak(vec![b'x'; 1000]) },
            InputFile::Unreadable { path: "locked".into(), reason: "cannot read directory: no".into() },
            InputFile::Memory { name: "b.jsonl.gz".into(), bytes: leak(gzip(b"{\"text\":\"x\"}\n")) },
            InputFile::Memory { name: "c.jsonl".into(), bytes: b"" },
        ];
        let shards = assign_shards(&files, &spec(1 << 20), 7).unwrap();
        check_cover(&files, &shards);
        assert!(shards.iter().flat_map(|s| &s.pieces).all(|p| p.whole));
        assert_eq!(shards.iter().filter(|s| s.pieces.is_empty()).count(), 5, "{shards:?}");
        assert!(matches!(assign_shards(&files, &spec(1), 0), Err(ShardInputError::NoShards)));
        let first = shards.iter().find_map(|s| s.pieces.first()).unwrap();
        let json = serde_json::to_string(first).unwrap();
        assert_eq!(json, r#"{"path":"a.txt","start":0,"end":1000,"first_line":1,"whole":true}"#);
    }

    /// Files on disk are read from the middle by seeking; the runner reads a shard's pieces
    /// and its counters add up.
    #[test]
    fn the_runner_reads_pieces_of_files_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for (name, body) in [
            (
                "a.jsonl",
                "\u{feff}{\"text\":\"one\"}\r\n\n{\"id\":\"x\",\"text\":\"two\"}\nbroken\n{\"text\":\"three\"}\n{\"text\":\"four\"}",
            ),
            ("b.txt", "a text file\n"),
            ("c.jsonl", "{\"text\":\"five\"}\n{\"text\":\"six\"}\n{\"text\":\"seven\"}\n"),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, body).unwrap();
            files.push(InputFile::Path(p.display().to_string()));
        }
        let out = |name: &str| dir.path().join(name);
        let run = |pieces: Option<Vec<InputPiece>>, to: &std::path::Path| {
            let mut p = crate::config::Pipeline::from_stages(files.clone(), to.to_owned(), []);
            p.write_documents = true;
            p.input_pieces = pieces;
            crate::runner::run(p, &crate::runner::RunOptions::default(), &crate::runner::Silent).unwrap()
        };
        let single = run(None, &out("single"));
        let read = |d: &std::path::Path, f: &str| std::fs::read_to_string(d.join(f)).unwrap();
        for n in 1..=6 {
            let shards = assign_shards(&files, &spec(1 << 20), n).unwrap();
            let (mut docs, mut failed, mut stats) = (String::new(), String::new(), InputStats::default());
            for (k, s) in shards.iter().enumerate() {
                let to = out(&format!("n{n}-{k}"));
                let o = run(Some(s.pieces.clone()), &to);
                docs += &read(&to, crate::runner::DOCUMENTS_FILE);
                failed += &read(&to, crate::runner::FAILED_FILE);
                stats.files += o.stats.input.files;
                stats.bytes += o.stats.input.bytes;
                stats.documents += o.stats.input.documents;
                stats.failed += o.stats.input.failed;
            }
            assert_eq!(docs, read(&out("single"), crate::runner::DOCUMENTS_FILE), "n={n}");
            assert_eq!(failed, read(&out("single"), crate::runner::FAILED_FILE), "n={n}");
            let s = &single.stats.input;
            assert_eq!(
                (stats.files, stats.bytes, stats.documents, stats.failed),
                (s.files, s.bytes, s.documents, s.failed),
                "n={n}"
            );
        }
    }

    /// A piece that names another input, or a range of an input that cannot be entered in
    /// the middle, stops the shard with a message.
    #[test]
    fn pieces_that_do_not_fit_the_input_are_refused() {
        let gz = InputFile::Memory { name: "g.jsonl.gz".into(), bytes: leak(gzip(b"{\"text\":\"x\"}\n")) };
        let piece = InputPiece { path: "g.jsonl.gz".into(), start: 5, end: 9, first_line: 2, whole: false };
        let err = read_piece(&gz, &piece, &spec(1 << 20), &mut |_| {}, &|_| {}).unwrap_err();
        assert!(err.0.contains("only uncompressed JSONL files are read in pieces"), "{err}");
        let other = InputPiece { path: "h.jsonl".into(), ..piece };
        assert!(read_piece(&gz, &other, &spec(1 << 20), &mut |_| {}, &|_| {}).is_err());
        let e = reads(std::slice::from_ref(&gz), Some(std::slice::from_ref(&other))).err().unwrap();
        assert!(e.contains("`h.jsonl`, which is not among this run's inputs"), "{e}");
    }
}
