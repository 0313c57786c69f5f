//! The WARC reader (`format = "warc"`): WARC/1.0 and WARC/1.1 archives, uncompressed, one
//! gzip member per record (`.warc.gz`, what crawlers write), one gzip member for the whole
//! file, or zstd; read as a stream with bounded memory.
//!
//! A `response` or `resource` record whose payload is HTML becomes one document: its text is
//! the payload decoded to UTF-8 (still markup, see [`super::encoding`]), its `source` the
//! payload's bytes in the decompressed file with edits for transcoding and for `chunked`
//! transfer coding (exact) or a `gzip`/`deflate` content coding (one edit over the whole
//! payload). Its id is `PATH#OFFSET` and its metadata holds `content_type`, `encoding`,
//! `encoding_source`, `url`, `warc_record_id`, `warc_date`, `warc_type`, `warc_offset`,
//! `warc_length`, `http_status` and `http_headers` (lower-case names; repeated headers
//! joined with `, `).
//!
//! `warc_offset` is where the record is stored: for a record that starts a gzip member, the
//! member's offset in the compressed file (what CDX indexes cite); otherwise (uncompressed
//! files, records inside a whole-file gzip member) its offset in the decompressed stream.
//! `warc_length` is likewise the compressed length of the record's members, or its length in
//! the decompressed stream (header, block and the separators after it).
//!
//! Every other record is dropped with a reason counted in the run's input statistics
//! (`warc request`, `warc metadata`, `warc warcinfo`, `warc revisit`, `warc non-html`,
//! `warc status 3xx`, `warc empty payload`, ...), never a failure. A broken record fails
//! (one entry in `failed.jsonl`, id `PATH#OFFSET`, message `PATH: warc_offset N: why`) and
//! reading goes on with the next record:
//!
//! - a damaged gzip member (corrupt deflate data, a bad checksum, a member cut short) ends at
//!   the error; reading resumes at the next gzip member, found by scanning from just after
//!   the damaged member's start for a gzip header (the member's compressed bytes are kept, up
//!   to 8 MiB, to scan them again; past that the scan starts where the damage was found);
//! - a `Content-Length` that is missing, not a number, or does not end where a record ends
//!   (too small or too large: the block is followed neither by CRLF CRLF, nor by CR/LF and
//!   `WARC/`, nor by the end of the file or of its gzip member): the record fails and the
//!   bytes after its header are scanned for a line that starts with `WARC/`; a block that runs
//!   past the end of the file fails as truncated (when it was held whole, a document
//!   candidate, the records it swallowed are found in it again);
//! - bytes that are not a record (garbage, an ARC file, `WARC/0.17`): a failure that says so,
//!   then the same scan (an ARC file fails once, whole);
//! - a record over `max_document_bytes` that would be a document fails (a skipped record of
//!   any size is streamed past).
//!
//! Any CR and LF between records is skipped (wget writes one CRLF too many). Header fields are
//! `Name: value` lines (CRLF or LF; names case-insensitive; 1.0's folded continuation lines
//! are joined; values in Latin-1 are read as Latin-1; the first of repeated fields counts).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{BufRead, Read};

use serde_json::{Map, Value};

use super::encoding;
use super::{FatalInputError, InputFile, InputSpec, ReadEvent, Rejected, ZstdFrames};
use crate::align::Edit;
use crate::document::{Document, Source};

/// Bytes of a block read before deciding whether the record is kept (enough for any HTTP
/// header section seen in practice and the sniffing window).
const PREFIX: usize = 64 << 10;
/// The longest WARC header section read.
const MAX_HEADER: usize = 256 << 10;
/// The gzip magic and the deflate method byte.
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Reads one WARC file (see the module documentation).
pub(crate) fn read_warc(
    file: &InputFile,
    spec: &InputSpec,
    emit: &mut dyn FnMut(ReadEvent),
    bytes_read: &dyn Fn(u64),
) -> Result<(), FatalInputError> {
    let name = file.name().to_owned();
    let raw: Box<dyn Read + Send> = match file {
        InputFile::Path(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                emit(super::cannot_open(&name, &e));
                return Ok(());
            }
        },
        InputFile::Stdin { .. } => Box::new(std::io::stdin()),
        InputFile::Memory { bytes, .. } => Box::new(*bytes),
        InputFile::Unreadable { reason, .. } => {
            emit(super::cannot_open(&name, &std::io::Error::other(reason.clone())));
            return Ok(());
        }
    };
    let cap = usize::try_from(spec.max_document_bytes).unwrap_or(usize::MAX);
    let mut raw = Raw::new(raw, cap.min(8 << 20));
    let zstd = name.to_lowercase().ends_with(".zst");
    let gz = !zstd && raw.peek(2).map(|b| b.starts_with(&GZIP_MAGIC[..2])).unwrap_or(false);
    let state = if zstd {
        State::Plain(Box::new(ZstdFrames::new(raw)))
    } else if gz {
        State::Idle(raw)
    } else {
        State::Plain(Box::new(raw))
    };
    let mut reader = Records { stream: Stream::new(state), name, cap, emit, bytes_read, counted: 0 };
    reader.run();
    Ok(())
}

/// The compressed input: a buffered reader that knows its offset and can keep the bytes of
/// the current gzip member to read them again.
struct Raw {
    inner: Box<dyn Read + Send>,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// Offset of `buf[pos]` in the file.
    offset: u64,
    /// Bytes consumed since `log_start` while `logging`.
    log: Vec<u8>,
    log_start: u64,
    logging: bool,
    log_cap: usize,
}

impl Raw {
    fn new(inner: Box<dyn Read + Send>, log_cap: usize) -> Raw {
        Raw {
            inner,
            buf: vec![0; 64 << 10],
            pos: 0,
            len: 0,
            offset: 0,
            log: Vec::new(),
            log_start: 0,
            logging: false,
            log_cap,
        }
    }

    /// At least `n` bytes (fewer only at the end of the input), not consumed.
    fn peek(&mut self, n: usize) -> std::io::Result<&[u8]> {
        if self.len - self.pos < n {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.pos = 0;
            if self.buf.len() < n {
                self.buf.resize(n, 0);
            }
            while self.len < n {
                let got = self.inner.read(&mut self.buf[self.len..])?;
                if got == 0 {
                    break;
                }
                self.len += got;
            }
        }
        Ok(&self.buf[self.pos..self.len])
    }

    fn start_log(&mut self) {
        self.log.clear();
        self.log_start = self.offset;
        self.logging = true;
    }

    /// Goes back to offset `at` when the member log still holds it.
    fn rewind_to(&mut self, at: u64) -> bool {
        if !self.logging || at < self.log_start || at > self.offset {
            return false;
        }
        let from = (at - self.log_start) as usize;
        let mut fresh = self.log[from..].to_vec();
        fresh.extend_from_slice(&self.buf[self.pos..self.len]);
        self.len = fresh.len();
        self.buf = fresh;
        if self.buf.len() < 64 << 10 {
            self.buf.resize(64 << 10, 0);
        }
        self.pos = 0;
        self.offset = at;
        self.logging = false;
        self.log.clear();
        true
    }
}

impl Read for Raw {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Raw {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos == self.len {
            self.pos = 0;
            self.len = self.inner.read(&mut self.buf)?;
        }
        Ok(&self.buf[self.pos..self.len])
    }

    fn consume(&mut self, n: usize) {
        if self.logging {
            if self.log.len() + n <= self.log_cap {
                self.log.extend_from_slice(&self.buf[self.pos..self.pos + n]);
            } else {
                self.logging = false;
                self.log = Vec::new();
            }
        }
        self.pos += n;
        self.offset += n as u64;
    }
}

/// Where the decompressed bytes come from.
enum State {
    /// Not compressed (or zstd, read through without member offsets).
    Plain(Box<dyn Read + Send>),
    /// Between gzip members.
    Idle(Raw),
    /// Inside a gzip member.
    Member(Box<flate2::bufread::GzDecoder<Raw>>),
    /// A gzip member (or the bytes after one) is damaged: [`Stream::resync`] goes on.
    Broken(Raw),
    /// The input cannot be read further.
    Done,
}

/// The decompressed stream, with its offset, the compressed offsets of the gzip members that
/// start in it, and bytes pushed back to be read again.
struct Stream {
    state: State,
    out: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    pushback: Vec<u8>,
    pb_pos: usize,
    /// Decompressed offset of the next byte served.
    dpos: u64,
    /// Decompressed bytes produced so far (the offset of `out[out_len]`).
    produced: u64,
    /// (decompressed offset, compressed offset) of recent member starts.
    members: VecDeque<(u64, u64)>,
    /// Compressed offset of the current (or last broken) member.
    member_c: u64,
    /// Compressed offset of the end of the input, once reached.
    end_c: Option<u64>,
    /// Why the stream stopped, until taken.
    error: Option<String>,
}

impl Stream {
    fn new(state: State) -> Stream {
        Stream {
            state,
            out: vec![0; 64 << 10],
            out_pos: 0,
            out_len: 0,
            pushback: Vec::new(),
            pb_pos: 0,
            dpos: 0,
            produced: 0,
            members: VecDeque::new(),
            member_c: 0,
            end_c: None,
            error: None,
        }
    }

    fn compressed(&self) -> bool {
        !matches!(self.state, State::Plain(_))
    }

    /// The next bytes (empty at the end); `Err` when the input is damaged here (the reason
    /// is in `error`).
    fn fill(&mut self) -> Result<&[u8], ()> {
        if self.pb_pos < self.pushback.len() {
            return Ok(&self.pushback[self.pb_pos..]);
        }
        if self.out_pos < self.out_len {
            return Ok(&self.out[self.out_pos..self.out_len]);
        }
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Ok(&[]),
                State::Plain(mut r) => match r.read(&mut self.out) {
                    Ok(n) => {
                        self.state = if n == 0 { State::Done } else { State::Plain(r) };
                        self.out_pos = 0;
                        self.out_len = n;
                        self.produced += n as u64;
                        return Ok(&self.out[..n]);
                    }
                    Err(e) => {
                        self.error = Some(format!("read error: {e}; the rest of the file is not read"));
                        return Err(());
                    }
                },
                State::Idle(mut raw) => {
                    let head = match raw.peek(3) {
                        Ok(h) => h.to_vec(),
                        Err(e) => {
                            self.error = Some(format!("read error: {e}; the rest of the file is not read"));
                            return Err(());
                        }
                    };
                    if head.is_empty() {
                        self.end_c = Some(raw.offset);
                        return Ok(&[]);
                    }
                    self.member_c = raw.offset;
                    if !head.starts_with(&GZIP_MAGIC[..head.len().min(3)]) || head.len() < 3 {
                        self.error = Some(format!(
                            "the bytes at compressed offset {} are not a gzip member (trailing garbage?)",
                            raw.offset
                        ));
                        self.state = State::Broken(raw);
                        return Err(());
                    }
                    self.members.push_back((self.produced, raw.offset));
                    raw.start_log();
                    self.state = State::Member(Box::new(flate2::bufread::GzDecoder::new(raw)));
                }
                State::Member(mut dec) => match dec.read(&mut self.out) {
                    Ok(0) => {
                        let mut raw = dec.into_inner();
                        raw.logging = false;
                        raw.log = Vec::new();
                        self.state = State::Idle(raw);
                    }
                    Ok(n) => {
                        self.state = State::Member(dec);
                        self.out_pos = 0;
                        self.out_len = n;
                        self.produced += n as u64;
                        return Ok(&self.out[..n]);
                    }
                    Err(e) => {
                        let what = if e.kind() == std::io::ErrorKind::UnexpectedEof {
                            "cut short (the file ends inside it)".to_owned()
                        } else {
                            e.to_string()
                        };
                        self.error =
                            Some(format!("gzip member at compressed offset {} is damaged: {what}", self.member_c));
                        self.state = State::Broken(dec.into_inner());
                        return Err(());
                    }
                },
                State::Broken(raw) => {
                    self.state = State::Broken(raw);
                    self.error.get_or_insert_with(|| "damaged gzip member".to_owned());
                    return Err(());
                }
            }
        }
    }

    fn consume(&mut self, n: usize) {
        if self.pb_pos < self.pushback.len() {
            self.pb_pos += n;
            if self.pb_pos >= self.pushback.len() {
                self.pushback.clear();
                self.pb_pos = 0;
            }
        } else {
            self.out_pos += n;
        }
        self.dpos += n as u64;
    }

    /// Puts `bytes` back in front of the stream (they were the last bytes consumed).
    fn unread(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let mut fresh = bytes.to_vec();
        fresh.extend_from_slice(&self.pushback[self.pb_pos..]);
        self.pushback = fresh;
        self.pb_pos = 0;
        self.dpos -= bytes.len() as u64;
    }

    /// Up to `n` bytes ahead, not consumed.
    fn peek(&mut self, n: usize) -> Result<Vec<u8>, ()> {
        // Usually the bytes are all in the current buffer: copy them without consuming, so a
        // long pushed-back block is not copied again at every look-ahead.
        if let Ok(avail) = self.fill()
            && avail.len() >= n
        {
            return Ok(avail[..n].to_vec());
        }
        let mut got = Vec::with_capacity(n);
        while got.len() < n {
            let avail = match self.fill() {
                Ok(a) => a,
                Err(()) => {
                    self.unread(&got);
                    return Err(());
                }
            };
            if avail.is_empty() {
                break;
            }
            let k = avail.len().min(n - got.len());
            got.extend_from_slice(&avail[..k]);
            self.consume(k);
        }
        self.unread(&got);
        Ok(got)
    }

    /// Consumes bytes while `skip` holds; returns the first `keep` of them and how many
    /// there were.
    fn skip_while(&mut self, skip: impl Fn(u8) -> bool, keep: usize) -> Result<(Vec<u8>, u64), ()> {
        let mut taken = Vec::new();
        let mut count = 0u64;
        loop {
            let avail = self.fill()?;
            if avail.is_empty() {
                return Ok((taken, count));
            }
            let k = avail.iter().position(|&b| !skip(b)).unwrap_or(avail.len());
            let room = keep.saturating_sub(taken.len()).min(k);
            taken.extend_from_slice(&avail[..room]);
            count += k as u64;
            let done = k < avail.len();
            self.consume(k);
            if done {
                return Ok((taken, count));
            }
        }
    }

    /// Appends up to `n` bytes to `into`; fewer only at the end of the stream.
    fn read_into(&mut self, into: &mut Vec<u8>, n: usize) -> Result<usize, ()> {
        let mut left = n;
        while left > 0 {
            let avail = self.fill()?;
            if avail.is_empty() {
                break;
            }
            let k = avail.len().min(left);
            into.extend_from_slice(&avail[..k]);
            self.consume(k);
            left -= k;
        }
        Ok(n - left)
    }

    /// Skips up to `n` bytes; returns how many.
    fn discard(&mut self, n: u64) -> Result<u64, ()> {
        let mut left = n;
        while left > 0 {
            let avail = self.fill()?;
            if avail.is_empty() {
                break;
            }
            let k = (avail.len() as u64).min(left) as usize;
            self.consume(k);
            left -= k as u64;
        }
        Ok(n - left)
    }

    /// One line, its terminator included, at most `max` bytes (`None` at the end of the
    /// stream, or when the line is longer).
    fn line(&mut self, max: usize) -> Result<Option<Vec<u8>>, ()> {
        let mut line = Vec::new();
        loop {
            let avail = self.fill()?;
            if avail.is_empty() {
                return Ok((!line.is_empty()).then_some(line));
            }
            let (k, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            line.extend_from_slice(&avail[..k]);
            self.consume(k);
            if done {
                return Ok(Some(line));
            }
            if line.len() > max {
                return Ok(None);
            }
        }
    }

    /// The compressed offset of a gzip member that starts at decompressed offset `d`.
    fn member_at(&self, d: u64) -> Option<u64> {
        self.members.iter().find(|&&(md, _)| md == d).map(|&(_, c)| c)
    }

    /// The compressed offset where a record that ends at decompressed offset `d` ends: the
    /// start of the next member, or the end of the file.
    fn boundary_at(&mut self, d: u64) -> Option<u64> {
        if let Some(c) = self.member_at(d) {
            return Some(c);
        }
        if self.pb_pos >= self.pushback.len() && self.out_pos >= self.out_len && self.produced == d {
            return self.end_c;
        }
        None
    }

    /// Forgets member starts before decompressed offset `d`.
    fn forget_before(&mut self, d: u64) {
        while self.members.len() > 1 && self.members.front().is_some_and(|&(md, _)| md < d) {
            self.members.pop_front();
        }
    }

    /// After a damaged gzip member: goes on at the next gzip header after the damaged
    /// member's start. Returns false when nothing more can be read.
    fn resync(&mut self) -> bool {
        self.error = None;
        self.out_pos = self.out_len;
        let mut raw = match std::mem::replace(&mut self.state, State::Done) {
            State::Broken(raw) => raw,
            State::Plain(_) | State::Done => return false,
            other => {
                self.state = other;
                return true;
            }
        };
        raw.rewind_to(self.member_c + 1);
        if raw.offset <= self.member_c {
            // Not a gzip header at all: look after it.
            let any = raw.peek(1).is_ok_and(|b| !b.is_empty());
            raw.consume(usize::from(any));
        }
        loop {
            let avail = match raw.peek(4 << 10) {
                Ok(a) => a,
                Err(_) => return false,
            };
            if avail.is_empty() {
                self.end_c = Some(raw.offset);
                self.state = State::Idle(raw);
                return true;
            }
            let found = avail.windows(4).position(|w| w[..3] == GZIP_MAGIC && w[3] & 0xE0 == 0);
            match found {
                Some(i) => {
                    raw.consume(i);
                    self.state = State::Idle(raw);
                    return true;
                }
                None if avail.len() < 4 => {
                    let n = avail.len();
                    raw.consume(n);
                }
                None => {
                    let n = avail.len() - 3;
                    raw.consume(n);
                }
            }
        }
    }
}

/// The record parser over the decompressed stream.
struct Records<'a> {
    stream: Stream,
    name: String,
    cap: usize,
    emit: &'a mut dyn FnMut(ReadEvent),
    bytes_read: &'a dyn Fn(u64),
    /// Decompressed bytes reported to `bytes_read` so far.
    counted: u64,
}

/// How one record ended.
enum Outcome {
    Document(Box<Document>),
    Skipped(String),
    Failed(String),
}

/// What is wrong at a place in the stream.
enum Trouble {
    /// The stream is damaged (its message in `Stream::error`).
    Stream,
    /// The bytes are not what a WARC file holds; scan on for a record.
    Record(String),
    /// The record is broken; its header was read, so scan on from the block start.
    Block(String, Vec<u8>),
    /// The whole file is of a kind not read (ARC).
    File(String),
}

impl Records<'_> {
    fn report_bytes(&mut self) {
        let d = self.stream.dpos.max(self.counted);
        if d > self.counted {
            (self.bytes_read)(d - self.counted);
            self.counted = d;
        }
    }

    fn fail(&mut self, offset: u64, start: u64, end: u64, reason: &str) {
        let name = &self.name;
        (self.emit)(ReadEvent::Failed(Rejected {
            id: format!("{name}#{offset}"),
            source: Source {
                path: name.clone(),
                start: start as usize,
                end: end.max(start) as usize,
                line: None,
                edits: Vec::new(),
            },
            reason: format!("{name}: warc_offset {offset}: {reason}"),
        }));
    }

    fn run(&mut self) {
        // After a failure, bytes that are not a record are skipped without another failure.
        let mut scanning = false;
        // A record that failed to parse inside a gzip member is reported once the member is
        // known to be intact: when the member is damaged, that is the failure to report.
        let mut pending: Option<(u64, u64, u64, String)> = None;
        loop {
            self.report_bytes();
            let sep = self.stream.skip_while(|b| b == b'\r' || b == b'\n', 0);
            let at = self.stream.dpos;
            let offset = self.stream.member_at(at).unwrap_or(at);
            self.stream.forget_before(at);
            let result = match sep {
                Err(()) => Err(Trouble::Stream),
                Ok(_) => match self.stream.peek(12) {
                    Err(()) => Err(Trouble::Stream),
                    Ok(head) if head.is_empty() => break,
                    Ok(head) => self.record(&head, at, offset),
                },
            };
            if let Err(Trouble::Stream) = result {
                let why = self.stream.error.take().unwrap_or_else(|| "damaged input".to_owned());
                // A member that breaks before any record byte is the next record's.
                let mut offset =
                    if self.stream.dpos == at && self.stream.compressed() { self.stream.member_c } else { offset };
                let mut start = at;
                if let Some((p_off, p_at, p_end, p_why)) = pending.take() {
                    if p_off == self.stream.member_c || p_off == offset {
                        (offset, start) = (p_off, p_at);
                    } else {
                        self.fail(p_off, p_at, p_end, &p_why);
                    }
                }
                self.fail(offset, start, self.stream.dpos, &why);
                if !self.stream.resync() {
                    break;
                }
                scanning = true;
                continue;
            }
            if let Some((p_off, p_at, p_end, why)) = pending.take() {
                self.fail(p_off, p_at, p_end, &why);
            }
            match result {
                Ok(Outcome::Document(doc)) => {
                    scanning = false;
                    (self.emit)(ReadEvent::Document(*doc));
                }
                Ok(Outcome::Skipped(reason)) => {
                    scanning = false;
                    let name = &self.name;
                    (self.emit)(ReadEvent::Dropped(Rejected {
                        id: format!("{name}#{offset}"),
                        source: Source {
                            path: name.clone(),
                            start: at as usize,
                            end: self.stream.dpos as usize,
                            line: None,
                            edits: Vec::new(),
                        },
                        reason: format!("warc {reason}"),
                    }));
                }
                Ok(Outcome::Failed(reason)) => {
                    scanning = false;
                    self.fail(offset, at, self.stream.dpos, &reason);
                }
                Err(Trouble::File(why)) => {
                    self.fail(offset, at, self.stream.dpos, &why);
                    break;
                }
                Err(Trouble::Record(why)) => {
                    if !scanning {
                        pending = Some((offset, at, self.stream.dpos, why));
                    }
                    scanning = true;
                    self.scan(at);
                }
                Err(Trouble::Block(why, block)) => {
                    pending = Some((offset, at, self.stream.dpos, why));
                    self.stream.unread(&block);
                    scanning = true;
                    self.scan(at);
                }
                Err(Trouble::Stream) => {}
            }
        }
        if let Some((p_off, p_at, p_end, why)) = pending.take() {
            self.fail(p_off, p_at, p_end, &why);
        }
        self.report_bytes();
    }

    /// Goes on to the next `WARC/` at a line start or the next gzip member start (or the
    /// end, or a damaged member: the main loop reports it), past the failed record at `at`.
    /// Streams: nothing skipped is kept.
    fn scan(&mut self, at: u64) {
        // Where the record was not even started, step past its first byte; otherwise the
        // reader stands at a line start after what was read of it.
        let mut line_start = self.stream.dpos != at;
        if !line_start && !matches!(self.stream.discard(1), Ok(1)) {
            return;
        }
        loop {
            let from = self.stream.dpos;
            if self.stream.member_at(from).is_some() {
                return;
            }
            if line_start {
                match self.stream.peek(5) {
                    Ok(h) if h.is_empty() || h.starts_with(b"WARC/") => return,
                    Ok(_) => {}
                    Err(()) => return,
                }
            }
            let (len, newline) = match self.stream.fill() {
                Ok([]) => return,
                Ok(a) => (a.len(), a.iter().position(|&b| b == b'\n')),
                Err(()) => return,
            };
            // A buffer of pushed-back bytes may reach into the next member: stop there.
            let limit = self
                .stream
                .members
                .iter()
                .map(|&(d, _)| d)
                .find(|&d| d > from && d < from + len as u64)
                .map_or(len, |d| (d - from) as usize);
            match newline.filter(|&i| i < limit) {
                Some(i) => {
                    self.stream.consume(i + 1);
                    line_start = true;
                }
                None => {
                    self.stream.consume(limit);
                    line_start = false;
                }
            }
        }
    }

    /// Reads the record at `at` (its first bytes are `head`).
    fn record(&mut self, head: &[u8], at: u64, offset: u64) -> Result<Outcome, Trouble> {
        if head.starts_with(b"filedesc://") {
            return Err(Trouble::File("an ARC file (`filedesc://`), not WARC: ARC is not read".to_owned()));
        }
        if !head.starts_with(b"WARC/") {
            return Err(Trouble::Record(format!("not a WARC record: found `{}`", show(head))));
        }
        // The version line.
        let version = match self.stream.line(64).map_err(|()| Trouble::Stream)? {
            Some(l) => String::from_utf8_lossy(trim_eol(&l)).into_owned(),
            None => return Err(Trouble::Record("not a WARC record: the version line does not end".to_owned())),
        };
        if version != "WARC/1.0" && version != "WARC/1.1" {
            let old = version.starts_with("WARC/0.");
            return Err(Trouble::Record(if old {
                format!("{version} (an early Internet Archive format) is not read: only WARC/1.0 and WARC/1.1")
            } else {
                format!("unsupported version `{}`: only WARC/1.0 and WARC/1.1", show(version.as_bytes()))
            }));
        }
        // Named fields.
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut header_len = 0usize;
        loop {
            let Some(line) = self.stream.line(MAX_HEADER).map_err(|()| Trouble::Stream)? else {
                return Err(Trouble::Record("the record header does not end (truncated record?)".to_owned()));
            };
            header_len += line.len();
            if header_len > MAX_HEADER {
                return Err(Trouble::Record(format!("record header longer than {MAX_HEADER} bytes")));
            }
            let line = trim_eol(&line);
            if line.is_empty() {
                break;
            }
            if matches!(line[0], b' ' | b'\t') {
                if let Some(last) = fields.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(text_of(line).trim());
                }
                continue;
            }
            if let Some(colon) = line.iter().position(|&b| b == b':') {
                let name = text_of(&line[..colon]).trim().to_ascii_lowercase();
                let value = text_of(&line[colon + 1..]).trim().to_owned();
                fields.push((name, value));
            }
        }
        let field = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        let length = match field("content-length") {
            None => return Err(Trouble::Record("no Content-Length".to_owned())),
            Some(v) => match v.parse::<u64>() {
                Ok(n) => n,
                Err(_) => {
                    return Err(Trouble::Record(format!("Content-Length `{}` is not a number", show(v.as_bytes()))));
                }
            },
        };
        let warc_type = field("warc-type").unwrap_or("").to_ascii_lowercase();
        let wanted = matches!(warc_type.as_str(), "response" | "resource");
        let block_start = self.stream.dpos;
        let mut block = Vec::new();
        let first = usize::try_from(length).unwrap_or(usize::MAX).min(if wanted { PREFIX } else { 0 });
        let got = self.stream.read_into(&mut block, first).map_err(|()| Trouble::Stream)?;
        let mut verdict =
            if wanted { classify(&warc_type, &fields, &block) } else { Verdict::Skip(skip_reason(&warc_type)) };
        let rest = length - got as u64;
        if let Verdict::Keep = verdict
            && length > self.cap as u64
        {
            verdict = Verdict::Fail(format!(
                "record of {length} bytes, larger than input.max_document_bytes ({} bytes)",
                self.cap
            ));
        }
        let read = match verdict {
            Verdict::Keep => self.stream.read_into(&mut block, rest as usize).map_err(|()| Trouble::Stream)? as u64,
            _ => self.stream.discard(rest).map_err(|()| Trouble::Stream)?,
        };
        if read < rest {
            let why = format!(
                "truncated record: Content-Length is {length} but the file ends after {} bytes of it",
                got as u64 + read
            );
            // A block held whole may have swallowed the records after it: look at it again.
            if matches!(verdict, Verdict::Keep) {
                return Err(Trouble::Block(why, block));
            }
            return Ok(Outcome::Failed(why));
        }
        // The block must be followed by CR/LF and then a record or the end of the file.
        // Damage after the block is the next record's unless it is in this record's member.
        let own =
            |s: &Stream| if s.compressed() && s.member_c == offset { Err(Trouble::Stream) } else { Ok(Vec::new()) };
        let (sep, sep_len) = match self.stream.skip_while(|b| b == b'\r' || b == b'\n', 4096) {
            Ok(s) => s,
            Err(()) => (own(&self.stream)?, 0),
        };
        let next = match self.stream.peek(5) {
            Ok(n) => n,
            Err(()) => own(&self.stream)?,
        };
        // A record that ends where a gzip member ends is complete whatever follows.
        let at_member = self.stream.member_at(self.stream.dpos).is_some();
        // So is one whose block is followed by the CRLF CRLF the format puts there (then
        // whatever follows is not this record's business).
        let trailer = sep.starts_with(b"\r\n\r\n");
        if !(next.is_empty() || next.starts_with(b"WARC/") || at_member || trailer) {
            // Scan again from the block's start when all of it is at hand.
            let whole =
                sep_len == sep.len() as u64 && (matches!(verdict, Verdict::Keep) || block.len() as u64 == length);
            let kept = if whole {
                self.stream.unread(&sep);
                block
            } else {
                Vec::new()
            };
            return Err(Trouble::Block(
                format!("Content-Length {length} does not match the record: no record follows its block"),
                kept,
            ));
        }
        let end = self.stream.dpos;
        let compressed_len = if self.stream.member_at(at).is_some() {
            self.stream.boundary_at(end).map(|c| c.saturating_sub(offset))
        } else {
            None
        };
        let warc_length = compressed_len.unwrap_or(end - at);
        match verdict {
            Verdict::Skip(reason) => Ok(Outcome::Skipped(reason)),
            Verdict::Fail(why) => Ok(Outcome::Failed(why)),
            Verdict::Keep => {
                let rec = Record { fields: &fields, warc_type: &warc_type, offset, length: warc_length };
                Ok(match document(&self.name, &rec, &block, block_start, self.cap) {
                    Ok(Built::Doc(d)) => Outcome::Document(d),
                    Ok(Built::Skip(r)) => Outcome::Skipped(r),
                    Err(why) => Outcome::Failed(why),
                })
            }
        }
    }
}

enum Verdict {
    Keep,
    Skip(String),
    Fail(String),
}

fn skip_reason(warc_type: &str) -> String {
    match warc_type {
        "" => "record without WARC-Type".to_owned(),
        "request" | "metadata" | "warcinfo" | "revisit" | "conversion" | "continuation" => warc_type.to_owned(),
        _ => "other record type".to_owned(),
    }
}

/// Whether a response/resource record is worth reading whole, from its first bytes.
fn classify(warc_type: &str, fields: &[(String, String)], prefix: &[u8]) -> Verdict {
    let field = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    if is_http(warc_type, field("content-type"), prefix)
        && let Ok(head) = parse_http(prefix)
    {
        if !(200..300).contains(&head.status) {
            return Verdict::Skip(format!("status {}xx", head.status / 100));
        }
        let ct = head.get("content-type").or(field("warc-identified-payload-type"));
        if let Some(ct) = ct
            && !is_html_type(ct)
        {
            return Verdict::Skip("non-html".to_owned());
        }
        return Verdict::Keep;
    }
    if warc_type == "resource"
        && let Some(ct) = field("content-type").or(field("warc-identified-payload-type"))
        && !is_html_type(ct)
    {
        return Verdict::Skip("non-html".to_owned());
    }
    // Anything else (an HTTP head longer than the prefix, a malformed one) is read whole and
    // judged then.
    Verdict::Keep
}

fn is_http(warc_type: &str, content_type: Option<&str>, block: &[u8]) -> bool {
    warc_type == "response"
        && (block.starts_with(b"HTTP/") || content_type.is_some_and(|c| essence(c) == "application/http"))
}

/// The media type without parameters, lower-cased.
fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

fn is_html_type(content_type: &str) -> bool {
    matches!(essence(content_type).as_str(), "text/html" | "application/xhtml+xml")
}

/// An HTTP response head.
struct HttpHead {
    status: u16,
    headers: Vec<(String, String)>,
    /// Where the payload starts in the block.
    payload: usize,
}

impl HttpHead {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Status line and headers of an HTTP response (CRLF or LF lines, `HTTP/2 200`, no reason
/// phrase, folded lines); repeated headers are joined with `, `.
fn parse_http(block: &[u8]) -> Result<HttpHead, String> {
    let mut pos = 0usize;
    let next_line = |pos: &mut usize| -> Option<&[u8]> {
        let rest = &block[*pos..];
        let i = rest.iter().position(|&b| b == b'\n')?;
        *pos += i + 1;
        Some(trim_eol(&rest[..=i]))
    };
    let status_line = next_line(&mut pos).ok_or("the HTTP status line does not end")?;
    let status_text = text_of(status_line);
    let mut parts = status_text.split_whitespace();
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/") {
        return Err(format!("not an HTTP response: the block starts with `{}`", show(status_line)));
    }
    let status: u16 = parts
        .next()
        .filter(|c| c.len() == 3)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("bad HTTP status line `{}`", show(status_line)))?;
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let line = next_line(&mut pos).ok_or("the HTTP headers do not end")?;
        if line.is_empty() {
            break;
        }
        if matches!(line[0], b' ' | b'\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(text_of(line).trim());
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        let name = text_of(&line[..colon]).trim().to_ascii_lowercase();
        let value = text_of(&line[colon + 1..]).trim().to_owned();
        match headers.iter_mut().find(|(k, _)| *k == name) {
            Some(h) => {
                h.1.push_str(", ");
                h.1.push_str(&value);
            }
            None => headers.push((name, value)),
        }
    }
    Ok(HttpHead { status, headers, payload: pos })
}

/// One record's header facts for [`document`].
struct Record<'a> {
    fields: &'a [(String, String)],
    warc_type: &'a str,
    offset: u64,
    length: u64,
}

enum Built {
    Doc(Box<Document>),
    Skip(String),
}

/// The document of a kept record (`block` is its whole block, which starts at decompressed
/// offset `block_start`).
fn document(name: &str, rec: &Record<'_>, block: &[u8], block_start: u64, cap: usize) -> Result<Built, String> {
    let field = |n: &str| rec.fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let url = field("warc-target-uri").map(|u| u.trim_start_matches('<').trim_end_matches('>').to_owned());
    let http = if is_http(rec.warc_type, field("content-type"), block) { Some(parse_http(block)?) } else { None };
    let (payload_at, content_type) = match &http {
        Some(h) => {
            if !(200..300).contains(&h.status) {
                return Ok(Built::Skip(format!("status {}xx", h.status / 100)));
            }
            (h.payload, h.get("content-type").or(field("warc-identified-payload-type")))
        }
        None => (0, field("content-type").or(field("warc-identified-payload-type"))),
    };
    let raw = &block[payload_at..];
    if raw.is_empty() {
        return Ok(Built::Skip("empty payload".to_owned()));
    }
    // Transfer coding (exact edits), then content coding (one edit).
    let chunked = http
        .as_ref()
        .and_then(|h| h.get("transfer-encoding"))
        .is_some_and(|t| t.to_ascii_lowercase().split(',').any(|c| c.trim() == "chunked"));
    let coding = http.as_ref().and_then(|h| h.get("content-encoding")).map(|c| c.trim().to_ascii_lowercase());
    // The payload is borrowed unless a coding makes new bytes (most pages: no copy).
    let (dechunked, chunk_edits): (Cow<'_, [u8]>, _) = if chunked {
        let (b, e) = dechunk(raw)?;
        (Cow::Owned(b), e)
    } else {
        (Cow::Borrowed(raw), Vec::new())
    };
    let (bytes, coarse) = match coding.as_deref() {
        None | Some("" | "identity") => (dechunked, false),
        Some("gzip" | "x-gzip" | "deflate") => {
            (Cow::Owned(decompress(&dechunked, coding.as_deref().unwrap_or(""), cap)?), true)
        }
        Some(other) => return Err(format!("content-encoding `{}` is not supported", show(other.as_bytes()))),
    };
    if bytes.is_empty() {
        return Ok(Built::Skip("empty payload".to_owned()));
    }
    match content_type {
        Some(ct) if !is_html_type(ct) => return Ok(Built::Skip("non-html".to_owned())),
        Some(_) if !looks_like_text(&bytes) => return Ok(Built::Skip("non-html".to_owned())),
        None if !sniff_html(&bytes) => return Ok(Built::Skip("non-html".to_owned())),
        _ => {}
    }
    let charset = content_type.and_then(encoding::charset_param);
    let page = encoding::decode_page(&bytes, charset, url.as_deref())?;
    let start = block_start as usize + payload_at;
    let mut doc = Document::from_source(format!("{name}#{}", rec.offset), page.text, name, start);
    doc.source.end = start + raw.len();
    doc.source.edits = if coarse {
        vec![Edit { text_start: 0, text_end: doc.text.len(), src_start: 0, src_end: raw.len() }]
    } else {
        let mut edits = Vec::with_capacity(page.edits.len() + 1);
        if page.bom > 0 {
            edits.push(Edit { text_start: 0, text_end: 0, src_start: 0, src_end: page.bom });
        }
        edits.extend(page.edits.iter().map(|e| Edit {
            src_start: e.src_start + page.bom,
            src_end: e.src_end + page.bom,
            ..*e
        }));
        if chunked { crate::align::compose(&chunk_edits, &edits) } else { edits }
    };
    let m = &mut doc.metadata;
    m.insert("content_type".into(), Value::from(content_type.map_or_else(|| "text/html".to_owned(), essence)));
    m.insert("encoding".into(), Value::from(page.encoding.name()));
    m.insert("encoding_source".into(), Value::from(page.source.as_str()));
    if let Some(u) = url {
        m.insert("url".into(), Value::from(u));
    }
    if let Some(id) = field("warc-record-id") {
        m.insert("warc_record_id".into(), Value::from(id));
    }
    if let Some(d) = field("warc-date") {
        m.insert("warc_date".into(), Value::from(d));
    }
    m.insert("warc_type".into(), Value::from(rec.warc_type));
    m.insert("warc_offset".into(), Value::from(rec.offset));
    m.insert("warc_length".into(), Value::from(rec.length));
    if let Some(h) = &http {
        m.insert("http_status".into(), Value::from(h.status));
        let headers: Map<String, Value> = h.headers.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
        m.insert("http_headers".into(), Value::Object(headers));
    }
    Ok(Built::Doc(Box::new(doc)))
}

/// Removes the `chunked` transfer coding: the data and the edits from it to `raw` (each
/// chunk-size line and chunk CRLF a deletion). A last chunk written `00000000`, a missing
/// last chunk or final CRLF, and chunk extensions are accepted.
fn dechunk(raw: &[u8]) -> Result<(Vec<u8>, Vec<Edit>), String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut edits: Vec<Edit> = Vec::new();
    let delete = |out_len: usize, from: usize, to: usize, edits: &mut Vec<Edit>| {
        if from == to {
            return;
        }
        match edits.last_mut() {
            Some(e) if e.text_end == out_len && e.src_end == from && e.text_start == e.text_end => e.src_end = to,
            _ => edits.push(Edit { text_start: out_len, text_end: out_len, src_start: from, src_end: to }),
        }
    };
    let mut pos = 0usize;
    while pos < raw.len() {
        let Some(eol) = raw[pos..].iter().position(|&b| b == b'\n') else {
            if raw[pos..].iter().all(u8::is_ascii_whitespace) {
                delete(out.len(), pos, raw.len(), &mut edits);
                break;
            }
            return Err(format!("chunked payload: chunk size line at byte {pos} does not end"));
        };
        let line = trim_eol(&raw[pos..=pos + eol]);
        let size_text = text_of(line.split(|&b| b == b';').next().unwrap_or(b"")).trim().to_owned();
        let size = usize::from_str_radix(&size_text, 16)
            .map_err(|_| format!("chunked payload: bad chunk size `{}` at byte {pos}", show(size_text.as_bytes())))?;
        let data = pos + eol + 1;
        delete(out.len(), pos, data, &mut edits);
        if size == 0 {
            // Trailers and the final CRLF (or nothing).
            delete(out.len(), data, raw.len(), &mut edits);
            break;
        }
        let end = data.saturating_add(size).min(raw.len());
        out.extend_from_slice(&raw[data..end]);
        pos = end;
        let crlf = if raw[pos..].starts_with(b"\r\n") { 2 } else { usize::from(raw[pos..].starts_with(b"\n")) };
        delete(out.len(), pos, pos + crlf, &mut edits);
        pos += crlf;
        if end < data + size {
            break; // the last chunk is cut short (a truncated record)
        }
    }
    Ok((out, edits))
}

/// Undoes a `gzip` or `deflate` content coding (at most `cap` bytes out).
fn decompress(data: &[u8], coding: &str, cap: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let limit = cap as u64 + 1;
    let r = if coding == "deflate" {
        // Servers send zlib (what the standard says) or raw deflate (what some do).
        let zlib = flate2::read::ZlibDecoder::new(data).take(limit).read_to_end(&mut out);
        if zlib.is_err() {
            out.clear();
            flate2::read::DeflateDecoder::new(data).take(limit).read_to_end(&mut out)
        } else {
            zlib
        }
    } else {
        flate2::read::MultiGzDecoder::new(data).take(limit).read_to_end(&mut out)
    };
    r.map_err(|e| format!("content-encoding {coding}: cannot decode the payload: {e}"))?;
    if out.len() > cap {
        return Err(format!(
            "content-encoding {coding}: the payload is larger than input.max_document_bytes ({cap} bytes)"
        ));
    }
    Ok(out)
}

/// Not a binary format labelled as HTML (PDF, images, archives).
fn looks_like_text(b: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"%PDF-",
        b"\x89PNG",
        b"GIF87a",
        b"GIF89a",
        b"\xFF\xD8\xFF",
        b"PK\x03\x04",
        b"\x1F\x8B",
        b"RIFF",
        b"\x00\x00\x01\x00",
        b"OggS",
        b"\x1A\x45\xDF\xA3",
        b"wOFF",
        b"wOF2",
    ];
    !MAGIC.iter().any(|m| b.starts_with(m))
}

/// The WHATWG MIME sniffing rules for HTML: after blanks, one of the tags HTML starts with.
fn sniff_html(b: &[u8]) -> bool {
    const TAGS: &[&[u8]] = &[
        b"<!DOCTYPE HTML",
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
        b"<!--",
    ];
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let start = b.iter().position(|c| !matches!(c, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')).unwrap_or(b.len());
    let b = &b[start..b.len().min(start + 512)];
    TAGS.iter().any(|t| b.len() > t.len() && b[..t.len()].eq_ignore_ascii_case(t) && matches!(b[t.len()], b' ' | b'>'))
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Header text: UTF-8 when it is, else Latin-1.
fn text_of(b: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => s.into(),
        Err(_) => b.iter().map(|&c| char::from(c)).collect::<String>().into(),
    }
}

/// Up to 40 bytes, printable, for a message.
fn show(b: &[u8]) -> String {
    let s: String =
        text_of(&b[..b.len().min(40)]).chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect();
    if b.len() > 40 { format!("{s}…") } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::{reconstruct_source, validate};
    use crate::input::tests::spec;
    use docpipe_testkit::warc::{WarcWriter, gzip, http_response};

    #[derive(Debug, Default)]
    struct Got {
        docs: Vec<Document>,
        drops: Vec<(String, String)>,
        fails: Vec<(String, String)>,
        bytes: u64,
    }

    fn read(name: &str, bytes: Vec<u8>) -> Got {
        read_with(name, bytes, &spec())
    }

    fn read_with(name: &str, bytes: Vec<u8>, spec: &InputSpec) -> Got {
        let leaked: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        let mut r = Got::default();
        let total = std::cell::Cell::new(0u64);
        let file = InputFile::Memory { name: name.to_owned(), bytes: leaked };
        read_warc(
            &file,
            spec,
            &mut |e| match e {
                ReadEvent::Document(d) => r.docs.push(d),
                ReadEvent::Dropped(x) => r.drops.push((x.id, x.reason)),
                ReadEvent::Failed(x) => r.fails.push((x.id, x.reason)),
                ReadEvent::Replaced { .. } => {}
            },
            &|n| total.set(total.get() + n),
        )
        .unwrap();
        r.bytes = total.get();
        r
    }

    /// Every document's text maps back to exactly its payload bytes in `plain` (the file
    /// decompressed).
    fn check_docs(r: &Got, plain: &[u8]) {
        for d in &r.docs {
            d.check_invariants().unwrap();
            let src = &plain[d.source.start..d.source.end];
            validate(&d.source.edits, d.text.len(), src.len()).unwrap();
            assert_eq!(reconstruct_source(d.text.as_bytes(), &d.source.edits, src).unwrap(), src, "{}", d.id);
        }
    }

    fn gunzip(b: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(b).read_to_end(&mut out).unwrap();
        out
    }

    const PAGE: &[u8] = b"<!doctype html><html><head><title>T</title></head><body><p>Hello world.</p></body></html>";

    fn sample(gz: bool) -> (Vec<u8>, Vec<u64>) {
        let mut w = WarcWriter::new(gz);
        w.warcinfo("s.warc");
        w.request("https://example.org/a.html");
        w.response(
            "https://example.org/a.html",
            &[("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "a=1"), ("set-cookie", "b=2")],
            PAGE,
        );
        w.metadata("https://example.org/a.html", "via: test\r\n");
        w.response_with_status(
            "https://example.org/gone",
            "404 Not Found",
            &[("Content-Type", "text/html")],
            b"<p>no</p>",
        );
        w.response("https://example.org/i.png", &[("Content-Type", "image/png")], b"\x89PNG\r\n\x1a\n");
        w.response("https://example.org/p.html", &[("Content-Type", "text/html")], b"%PDF-1.4 binary");
        w.record(
            "revisit",
            Some("https://example.org/a.html"),
            Some("application/http; msgtype=response"),
            &[("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest")],
            b"",
        );
        w.record("resource", Some("file:///r.html"), Some("text/html"), &[], b"<html><p>resource</p></html>");
        w.response("https://example.org/empty", &[("Content-Type", "text/html")], b"");
        w.response("https://example.org/nolabel", &[], b"  <!DOCTYPE html><p>sniffed</p>");
        let offsets = w.offsets().to_vec();
        (w.finish(), offsets)
    }

    #[test]
    fn documents_and_skipped_records_per_record_gzip() {
        let (bytes, offsets) = sample(true);
        let plain = gunzip(&bytes);
        let r = read("s.warc.gz", bytes.clone());
        assert!(r.fails.is_empty(), "{:?}", r.fails);
        let ids: Vec<&str> = r.docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                format!("s.warc.gz#{}", offsets[2]),
                format!("s.warc.gz#{}", offsets[8]),
                format!("s.warc.gz#{}", offsets[10])
            ]
        );
        let reasons: Vec<&str> = r.drops.iter().map(|(_, x)| x.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "warc warcinfo",
                "warc request",
                "warc metadata",
                "warc status 4xx",
                "warc non-html",
                "warc non-html",
                "warc revisit",
                "warc empty payload"
            ]
        );
        assert_eq!(r.drops[1].0, format!("s.warc.gz#{}", offsets[1]));
        let d = &r.docs[0];
        assert_eq!(d.text.as_bytes(), PAGE);
        assert_eq!(&plain[d.source.start..d.source.end], PAGE);
        let keys: Vec<&str> = d.metadata.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "content_type",
                "encoding",
                "encoding_source",
                "url",
                "warc_record_id",
                "warc_date",
                "warc_type",
                "warc_offset",
                "warc_length",
                "http_status",
                "http_headers"
            ]
        );
        assert_eq!(d.metadata["content_type"], "text/html");
        assert_eq!(d.metadata["encoding"], "UTF-8");
        assert_eq!(d.metadata["encoding_source"], "http");
        assert_eq!(d.metadata["url"], "https://example.org/a.html");
        assert_eq!(d.metadata["warc_type"], "response");
        assert_eq!(d.metadata["warc_offset"], offsets[2]);
        assert_eq!(d.metadata["warc_length"], offsets[3] - offsets[2], "the member's compressed length");
        assert_eq!(d.metadata["http_status"], 200);
        assert_eq!(d.metadata["http_headers"]["set-cookie"], "a=1, b=2");
        assert_eq!(r.docs[1].metadata["warc_type"], "resource");
        assert!(r.docs[1].metadata.get("http_status").is_none());
        assert_eq!(r.docs[2].metadata["encoding_source"], "default");
        assert_eq!(r.docs[2].metadata["warc_length"], bytes.len() as u64 - offsets[10]);
        assert_eq!(r.bytes, plain.len() as u64);
        check_docs(&r, &plain);
    }

    #[test]
    fn uncompressed_and_whole_file_gzip_read_the_same() {
        let (plain, offsets) = sample(false);
        let r = read("s.warc", plain.clone());
        assert!(r.fails.is_empty(), "{:?}", r.fails);
        assert_eq!(r.docs.len(), 3);
        assert_eq!(r.docs[0].metadata["warc_offset"], offsets[2]);
        assert_eq!(r.docs[0].metadata["warc_length"], offsets[3] - offsets[2]);
        check_docs(&r, &plain);
        let whole = read("s.warc.gz", gzip(&plain));
        assert!(whole.fails.is_empty(), "{:?}", whole.fails);
        assert_eq!(
            whole.docs.iter().map(|d| &d.text).collect::<Vec<_>>(),
            r.docs.iter().map(|d| &d.text).collect::<Vec<_>>()
        );
        // Inside one member, offsets are decompressed offsets.
        assert_eq!(whole.docs[0].id, format!("s.warc.gz#{}", offsets[2]));
        check_docs(&whole, &plain);
        assert_eq!(whole.drops.len(), r.drops.len());
        // A `.warc` name holding gzip is read as gzip; zstd too.
        assert_eq!(read("misnamed.warc", gzip(&plain)).docs.len(), 3);
        let zst = ruzstd::encoding::compress_to_vec(&plain[..], ruzstd::encoding::CompressionLevel::Fastest);
        assert_eq!(read("s.warc.zst", zst).docs.len(), 3);
    }

    /// A good record, a broken one made by `broken`, a good one: the broken one fails with its
    /// offset, both good ones are read.
    fn around(gz: bool, broken: &[u8]) -> (Got, Vec<u64>) {
        let mut w = WarcWriter::new(gz);
        w.response("https://example.org/1", &[("Content-Type", "text/html")], b"<p>one</p>");
        w.raw(broken);
        w.response("https://example.org/3", &[("Content-Type", "text/html")], b"<p>three</p>");
        let offsets = w.offsets().to_vec();
        (read(if gz { "b.warc.gz" } else { "b.warc" }, w.finish()), offsets)
    }

    fn rec(length: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!("WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:x>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {length}\r\n\r\n").into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn texts(r: &Got) -> Vec<&str> {
        r.docs.iter().map(|d| d.text.as_str()).collect()
    }

    #[test]
    fn wrong_content_lengths_fail_that_record_only() {
        let block = http_response("200 OK", &[("Content-Type", "text/html")], b"<p>two</p>");
        let n = block.len();
        for gz in [false, true] {
            for (what, length) in [
                ("too small", (n - 5).to_string()),
                ("too large", (n + 30).to_string()),
                ("not a number", "12x".to_owned()),
                ("missing", String::new()),
            ] {
                let mut r = rec(&length, &block);
                if length.is_empty() {
                    let s = String::from_utf8(r).unwrap().replace("Content-Length: \r\n", "");
                    r = s.into_bytes();
                }
                let (read, offsets) = around(gz, &r);
                assert_eq!(texts(&read), ["<p>one</p>", "<p>three</p>"], "{what} gz={gz}: {:?}", read.fails);
                assert_eq!(read.fails.len(), 1, "{what} gz={gz}: {:?}", read.fails);
                let name = if gz { "b.warc.gz" } else { "b.warc" };
                assert_eq!(read.fails[0].0, format!("{name}#{}", offsets[1]), "{what} gz={gz}");
                assert!(
                    read.fails[0].1.starts_with(&format!("{name}: warc_offset {}: ", offsets[1])),
                    "{:?}",
                    read.fails
                );
            }
        }
        // Bigger than the file: the records it swallowed are read again.
        for gz in [false, true] {
            let (r, offsets) = around(gz, &rec("100000", &block));
            assert_eq!(texts(&r), ["<p>one</p>", "<p>three</p>"], "gz={gz}: {:?}", r.fails);
            assert_eq!(r.fails.len(), 1, "{:?}", r.fails);
            assert!(r.fails[0].1.contains(&format!("warc_offset {}: truncated record", offsets[1])), "{:?}", r.fails);
        }
    }

    #[test]
    fn separators_versions_and_garbage() {
        let block = http_response("200 OK", &[("Content-Type", "text/html")], b"<p>two</p>");
        // wget's extra CRLF (and a few more) between records: no failure.
        let mut extra = rec(&block.len().to_string(), &block);
        extra.extend_from_slice(b"\r\n\r\n\n");
        for gz in [false, true] {
            let (r, _) = around(gz, &extra);
            assert!(r.fails.is_empty(), "{:?}", r.fails);
            assert_eq!(texts(&r), ["<p>one</p>", "<p>two</p>", "<p>three</p>"]);
        }
        // Old versions and garbage: a clear failure, then the next record.
        let old = String::from_utf8(rec(&block.len().to_string(), &block)).unwrap().replace("WARC/1.0", "WARC/0.17");
        let (r, _) = around(false, old.as_bytes());
        assert_eq!(texts(&r), ["<p>one</p>", "<p>three</p>"], "{:?} {:?}", r.fails, r.drops);
        assert!(r.fails[0].1.contains("WARC/0.17 (an early Internet Archive format) is not read"), "{:?}", r.fails);
        let (r, _) = around(true, b"this is not a record at all\r\n\r\nWARC/ nor this\r\n");
        assert_eq!(texts(&r), ["<p>one</p>", "<p>three</p>"]);
        assert_eq!(r.fails.len(), 1, "{:?}", r.fails);
        assert!(r.fails[0].1.contains("not a WARC record: found `this is not"), "{:?}", r.fails);
        // A long stretch without a line break, and a long run of blank lines, stream past.
        let mut long = vec![b'x'; 300_000];
        long.extend(std::iter::repeat_n(b'\n', 300_000));
        for gz in [false, true] {
            let (r, _) = around(gz, &long);
            assert_eq!(texts(&r), ["<p>one</p>", "<p>three</p>"]);
            assert_eq!(r.fails.len(), 1, "{:?}", r.fails);
        }
        // An ARC file fails once, whole.
        let r = read(
            "old.arc.warc",
            b"filedesc://IA-001.arc 0.0.0.0 20050101000000 text/plain 76\n1 0 InternetArchive\n".to_vec(),
        );
        assert_eq!(r.fails.len(), 1);
        assert!(r.fails[0].1.contains("an ARC file"), "{:?}", r.fails);
        // A zero-length gzip member between records is nothing.
        let (r, _) = around(true, b"");
        assert!(r.fails.is_empty(), "{:?}", r.fails);
        assert_eq!(texts(&r), ["<p>one</p>", "<p>three</p>"]);
    }

    #[test]
    fn damaged_gzip_members_fail_and_reading_goes_on() {
        let mut w = WarcWriter::new(true);
        for i in 0..4 {
            w.response(
                &format!("https://example.org/{i}"),
                &[("Content-Type", "text/html")],
                format!("<p>page {i} {}</p>", "words ".repeat(50)).as_bytes(),
            );
        }
        let offsets = w.offsets().to_vec();
        let good = w.finish();
        // Corrupt deflate data in the second member.
        let mut bad = good.clone();
        let mid = (offsets[1] + (offsets[2] - offsets[1]) / 2) as usize;
        for b in &mut bad[mid..mid + 8] {
            *b ^= 0x5A;
        }
        let r = read("c.warc.gz", bad);
        assert_eq!(r.docs.len(), 3, "{:?}", r.fails);
        assert_eq!(r.fails.len(), 1, "{:?}", r.fails);
        assert_eq!(r.fails[0].0, format!("c.warc.gz#{}", offsets[1]));
        assert!(
            r.fails[0].1.contains(&format!("gzip member at compressed offset {} is damaged", offsets[1])),
            "{:?}",
            r.fails
        );
        // The last member cut short.
        let cut = good[..good.len() - 20].to_vec();
        let r = read("c.warc.gz", cut);
        assert_eq!(r.docs.len(), 3);
        assert_eq!(r.fails.len(), 1, "{:?}", r.fails);
        assert!(
            r.fails[0].1.contains(&format!(
                "warc_offset {}: gzip member at compressed offset {} is damaged: cut short",
                offsets[3], offsets[3]
            )),
            "{:?}",
            r.fails
        );
        // Trailing garbage after the last member.
        let mut trailing = good.clone();
        trailing.extend_from_slice(b"garbage\n");
        let r = read("c.warc.gz", trailing);
        assert_eq!(r.docs.len(), 4);
        assert_eq!(r.fails.len(), 1, "{:?}", r.fails);
        assert!(r.fails[0].1.contains("not a gzip member"), "{:?}", r.fails);
        assert_eq!(r.fails[0].0, format!("c.warc.gz#{}", good.len()));
    }

    #[test]
    fn http_quirks() {
        let mut w = WarcWriter::new(false);
        // HTTP/2, no reason phrase, LF-only headers, Latin-1 and duplicate WARC fields.
        let mut b = b"HTTP/2 200\nContent-Type: text/html; charset=windows-1252\nX-Note: caf\xe9\n\n".to_vec();
        b.extend_from_slice(b"<p>caf\xe9 \x93ok\x94</p>");
        w.record(
            "response",
            Some("<http://example.fr/x>"),
            Some("application/http;msgtype=response"),
            &[("WARC-Truncated", "length"), ("X-Dup", "1"), ("X-Dup", "2")],
            &b,
        );
        // Chunked with a zero-padded last chunk and no final CRLF (jwarc#24).
        let chunked = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<p>he\r\n7;ext=1\r\nllo</p>\r\n00000000\r\n";
        w.record("response", Some("http://example.org/c"), Some("application/http; msgtype=response"), &[], chunked);
        // gzip content coding: one edit; br: a failure.
        let gz = gzip(b"<p>zipped</p>");
        let mut g = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        g.extend_from_slice(&gz);
        w.record("response", Some("http://example.org/g"), Some("application/http; msgtype=response"), &[], &g);
        let br = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\n\r\n\x0b\x02\x80";
        let br_at =
            w.record("response", Some("http://example.org/b"), Some("application/http; msgtype=response"), &[], br);
        // Not HTTP at all.
        let bad_at = w.record(
            "response",
            Some("http://example.org/n"),
            Some("application/http; msgtype=response"),
            &[],
            b"HTTP/1.1 OK\r\n\r\n<p>x</p>",
        );
        let plain = w.finish();
        let r = read("q.warc", plain.clone());
        check_docs(&r, &plain);
        assert_eq!(texts(&r), ["<p>café “ok”</p>", "<p>hello</p>", "<p>zipped</p>"], "{:?}", r.fails);
        let d = &r.docs[0];
        assert_eq!(d.metadata["url"], "http://example.fr/x");
        assert_eq!(d.metadata["encoding"], "windows-1252");
        assert_eq!(d.metadata["http_headers"]["x-note"], "café");
        assert_eq!(d.metadata["http_status"], 200);
        assert_eq!(r.docs[1].source.edits.len(), 3, "{:?}", r.docs[1].source.edits);
        let hello = r.docs[1].text.find("llo").unwrap();
        let (a, b) = r.docs[1].source_range(hello, hello + 3);
        assert_eq!(&plain[a..b], b"llo");
        assert_eq!(r.docs[2].source.edits.len(), 1);
        assert_eq!(r.fails.len(), 2, "{:?}", r.fails);
        assert!(
            r.fails[0].1.contains(&format!("warc_offset {br_at}: content-encoding `br` is not supported")),
            "{:?}",
            r.fails
        );
        assert!(r.fails[1].1.contains(&format!("warc_offset {bad_at}: bad HTTP status line")), "{:?}", r.fails);
    }

    /// WARC/1.0 folded field lines, Latin-1 field values, repeated fields (the first counts), a
    /// `<…>` target URI, and a PNG served as text/html.
    #[test]
    fn header_quirks() {
        let body = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>folded</p>";
        let mut rec = b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Type: request\r\nWARC-Target-URI: <http://example.org/caf\xe9>\r\nWARC-Date: 2016-09-19T17:20:24Z\r\nContent-Type: application/http;\r\n  msgtype=response\r\n".to_vec();
        rec.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        rec.extend_from_slice(body);
        rec.extend_from_slice(b"\r\n\r\n");
        let mut w = WarcWriter::new(false);
        w.raw(&rec);
        w.response("http://example.org/png", &[("Content-Type", "text/html")], b"\x89PNG\r\n\x1a\nrest");
        let r = read("h.warc", w.finish());
        assert!(r.fails.is_empty(), "{:?}", r.fails);
        assert_eq!(texts(&r), ["<p>folded</p>"]);
        assert_eq!(r.docs[0].metadata["url"], "http://example.org/café");
        assert_eq!(r.docs[0].metadata["warc_type"], "response");
        assert_eq!(r.docs[0].metadata["warc_date"], "2016-09-19T17:20:24Z");
        assert_eq!(r.drops.iter().map(|d| d.1.as_str()).collect::<Vec<_>>(), ["warc non-html"]);
    }

    #[test]
    fn oversized_records_fail_and_skipped_ones_stream_past() {
        let mut s = spec();
        s.max_document_bytes = 1000;
        let mut w = WarcWriter::new(true);
        w.response("https://example.org/big", &[("Content-Type", "text/html")], "<p>x</p>".repeat(500).as_bytes());
        w.response("https://example.org/video", &[("Content-Type", "video/mp4")], &vec![0u8; 200_000]);
        w.response("https://example.org/ok", &[("Content-Type", "text/html")], b"<p>ok</p>");
        let r = read_with("o.warc.gz", w.finish(), &s);
        assert_eq!(texts(&r), ["<p>ok</p>"]);
        assert_eq!(r.fails.len(), 1);
        assert!(r.fails[0].1.contains("larger than input.max_document_bytes"), "{:?}", r.fails);
        assert_eq!(r.drops[0].1, "warc non-html");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever bytes an archive is made of, reading never panics, never loops, and the
        /// records before the damage are read.
        #[test]
        fn any_damage_is_survived(cut in 0usize..2000, flips in proptest::collection::vec((0usize..2000, proptest::prelude::any::<u8>()), 0..4), gz in proptest::prelude::any::<bool>()) {
            let (mut bytes, _) = sample(gz);
            for (at, x) in flips {
                let at = at % bytes.len();
                bytes[at] ^= x;
            }
            bytes.truncate(bytes.len().saturating_sub(cut));
            let r = read("p.warc.gz", bytes);
            for d in &r.docs {
                d.check_invariants().unwrap();
            }
        }
    }
}
