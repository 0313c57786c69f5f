//! Where exported bytes go: standard output, or files written atomically, optionally split
//! into shards and compressed by extension.
//!
//! Every file is an [`AtomicFile`]: it is written under a temporary name beside the target and
//! renamed into place only by [`Shards::commit`] (called from `Sink::finish`). A failed or
//! interrupted run drops the [`Shards`] uncommitted, which removes the temporary files, so it
//! never leaves a partial output and never touches a previous one.
//!
//! Compression is chosen by the target's extension: `.gz` (gzip, flate2) or `.zst`
//! (Zstandard, ruzstd, one frame per file so any decoder reads it). The compressor runs on
//! its own thread, fed through a bounded channel, so compressing overlaps with serialising.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use docpipe_core::StageError;
use docpipe_core::output::AtomicFile;

/// The placeholder in `path` replaced by the shard number.
pub const SHARD_PLACEHOLDER: &str = "{shard}";

/// Bytes handed to the compressor thread at a time.
const CHUNK: usize = 1 << 20;

/// Compression of an output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (`.gz`).
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

impl Compression {
    /// The compression implied by a path's extension.
    pub fn from_path(path: &str) -> Compression {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".gz") {
            Compression::Gzip
        } else if lower.ends_with(".zst") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// The file name of shard `index` for a path template.
pub fn shard_path(template: &str, index: usize) -> String {
    template.replace(SHARD_PLACEHOLDER, &format!("{index:05}"))
}

/// Standard output as an export target. It streams: bytes go out as documents arrive, so a run
/// that fails later cannot take them back. Dropped without [`FileWriter::close`] (the run
/// failed or was interrupted) after writing something, it says so, since the run's own
/// message can only promise that no *file* was committed.
pub struct StdoutWriter {
    out: io::BufWriter<io::Stdout>,
    bytes: u64,
    closed: bool,
}

impl StdoutWriter {
    fn new() -> StdoutWriter {
        StdoutWriter { out: io::BufWriter::with_capacity(1 << 16, io::stdout()), bytes: 0, closed: false }
    }
}

impl Write for StdoutWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl Drop for StdoutWriter {
    fn drop(&mut self) {
        if !self.closed && self.bytes > 0 {
            tracing::warn!(
                "{} bytes had already been streamed to standard output when the run stopped: an export to `-` streams as it goes (export to a file for all-or-nothing output)",
                self.bytes
            );
        }
    }
}

/// One output file being written.
pub enum FileWriter {
    /// Standard output (never compressed, never atomic).
    Stdout(StdoutWriter),
    /// An uncompressed file.
    Plain(AtomicFile),
    /// A file compressed on a background thread.
    Compressed(Compressor),
}

impl std::fmt::Debug for FileWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileWriter::Stdout(_) => "FileWriter::Stdout",
            FileWriter::Plain(_) => "FileWriter::Plain",
            FileWriter::Compressed(_) => "FileWriter::Compressed",
        })
    }
}

impl FileWriter {
    /// Opens `path` (`-`: standard output) with the compression its extension implies.
    pub fn open(path: &Path) -> io::Result<FileWriter> {
        if path.as_os_str() == "-" {
            return Ok(FileWriter::Stdout(StdoutWriter::new()));
        }
        let file = AtomicFile::create(path)?;
        Ok(match Compression::from_path(&path.to_string_lossy()) {
            Compression::None => FileWriter::Plain(file),
            c => FileWriter::Compressed(Compressor::start(file, c)),
        })
    }

    /// Finishes writing (flushes, ends the compressed stream) and returns the file to commit,
    /// if it is one.
    pub fn close(self) -> io::Result<Option<AtomicFile>> {
        match self {
            FileWriter::Stdout(mut w) => {
                w.flush()?;
                w.closed = true;
                Ok(None)
            }
            FileWriter::Plain(mut f) => {
                f.flush()?;
                Ok(Some(f))
            }
            FileWriter::Compressed(c) => c.finish().map(Some),
        }
    }
}

impl Write for FileWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            FileWriter::Stdout(w) => w.write(buf),
            FileWriter::Plain(f) => f.write(buf),
            FileWriter::Compressed(c) => c.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            FileWriter::Stdout(w) => w.write_all(buf),
            FileWriter::Plain(f) => f.write_all(buf),
            FileWriter::Compressed(c) => c.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            FileWriter::Stdout(w) => w.flush(),
            FileWriter::Plain(f) => f.flush(),
            // Compressed data is flushed when the stream ends.
            FileWriter::Compressed(_) => Ok(()),
        }
    }
}

/// A compressor on its own thread: chunks go over a bounded channel, compressed bytes go to
/// an [`AtomicFile`] that comes back, uncommitted, from [`Compressor::finish`].
pub struct Compressor {
    buf: Vec<u8>,
    tx: Option<SyncSender<Vec<u8>>>,
    handle: Option<JoinHandle<io::Result<AtomicFile>>>,
}

impl Compressor {
    fn start(file: AtomicFile, kind: Compression) -> Compressor {
        let (tx, rx) = sync_channel::<Vec<u8>>(2);
        let handle =
            std::thread::Builder::new().name("docpipe-export-compress".into()).spawn(move || compress(file, kind, rx));
        match handle {
            Ok(h) => Compressor { buf: Vec::with_capacity(CHUNK), tx: Some(tx), handle: Some(h) },
            // No thread: every write fails with a clear error below.
            Err(_) => Compressor { buf: Vec::new(), tx: None, handle: None },
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        let sent = self.tx.as_ref().map(|tx| tx.send(chunk).is_ok()).unwrap_or(false);
        if sent {
            Ok(())
        } else {
            // The thread stopped early: its error is reported by `finish`.
            self.tx = None;
            Err(self.join_error())
        }
    }

    fn join_error(&mut self) -> io::Error {
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => e,
            Some(Ok(Ok(_))) => io::Error::other("compressor stopped early"),
            Some(Err(_)) => io::Error::other("compressor thread panicked"),
            None => io::Error::other("compressor thread is not running"),
        }
    }

    /// Sends what is buffered, ends the stream and returns the written file.
    pub fn finish(mut self) -> io::Result<AtomicFile> {
        self.send()?;
        self.tx = None;
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(io::Error::other("compressor thread panicked")),
            None => Err(io::Error::other("compressor thread is not running")),
        }
    }
}

impl Write for Compressor {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Compressor {
    fn drop(&mut self) {
        // Not finished (a failed run): stop the thread and wait for it, so the uncommitted
        // temporary file is removed before the process exits.
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn compress(mut file: AtomicFile, kind: Compression, rx: Receiver<Vec<u8>>) -> io::Result<AtomicFile> {
    match kind {
        Compression::Gzip => {
            let mut enc = flate2::write::GzEncoder::new(&mut file, flate2::Compression::default());
            for chunk in rx {
                enc.write_all(&chunk)?;
            }
            enc.finish()?;
        }
        Compression::Zstd | Compression::None => {
            // ruzstd pulls from a reader and unwraps I/O results, so neither side may fail:
            // the reader cannot, and the writer keeps the first error for us to return.
            let source = ChannelReader { rx, chunk: Vec::new(), pos: 0 };
            let mut drain = ErrorTrap { inner: &mut file, error: None };
            let level = if kind == Compression::Zstd {
                ruzstd::encoding::CompressionLevel::Fastest
            } else {
                ruzstd::encoding::CompressionLevel::Uncompressed
            };
            ruzstd::encoding::compress(source, &mut drain, level);
            if let Some(e) = drain.error {
                return Err(e);
            }
        }
    }
    file.flush()?;
    Ok(file)
}

struct ChannelReader {
    rx: Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.chunk.len() {
            match self.rx.recv() {
                Ok(c) => {
                    self.chunk = c;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len() - self.pos);
        out[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

struct ErrorTrap<W> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> Write for ErrorTrap<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.error.is_none()
            && let Err(e) = self.inner.write_all(buf)
        {
            self.error = Some(e);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Shard limits.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// Records per file (0: no limit).
    pub max_records: u64,
    /// Uncompressed bytes per file (0: no limit); a record is never split.
    pub max_bytes: u64,
}

/// A sequence of output files from a path template, committed together.
#[derive(Debug)]
pub struct Shards {
    template: String,
    limits: Limits,
    current: Option<FileWriter>,
    closed: Vec<AtomicFile>,
    index: usize,
    records: u64,
    bytes: u64,
}

impl Shards {
    /// Output to `template` (a resolved path, `-`, possibly containing `{shard}`).
    pub fn new(template: &Path, limits: Limits) -> Shards {
        Shards {
            template: template.to_string_lossy().into_owned(),
            limits,
            current: None,
            closed: Vec::new(),
            index: 0,
            records: 0,
            bytes: 0,
        }
    }

    /// The path of the current (or next) shard.
    pub fn current_path(&self) -> PathBuf {
        PathBuf::from(shard_path(&self.template, self.index))
    }

    /// Makes sure a file is open for a record of `len` bytes, starting a new shard when the
    /// current one is full. Returns `true` when a new file was opened (write headers then).
    pub fn prepare(&mut self, len: u64) -> Result<bool, StageError> {
        if self.current.is_some() {
            let full_records = self.limits.max_records > 0 && self.records >= self.limits.max_records;
            let full_bytes = self.limits.max_bytes > 0 && self.records > 0 && self.bytes + len > self.limits.max_bytes;
            if !(full_records || full_bytes) {
                return Ok(false);
            }
            self.close_current()?;
            self.index += 1;
        }
        let path = self.current_path();
        let w = FileWriter::open(&path).map_err(|e| io_error("cannot create", &path, e))?;
        self.current = Some(w);
        self.records = 0;
        self.bytes = 0;
        Ok(true)
    }

    /// Whether a file is open.
    pub fn is_open(&self) -> bool {
        self.current.is_some()
    }

    /// The open file (call [`Shards::prepare`] first).
    pub fn writer(&mut self) -> Result<&mut FileWriter, StageError> {
        self.current.as_mut().ok_or_else(|| StageError::new("export: no output file is open"))
    }

    /// Counts a record of `len` bytes written to the current file.
    pub fn record_written(&mut self, len: u64) {
        self.records += 1;
        self.bytes += len;
    }

    /// Writes one record (already serialised) to the right shard.
    pub fn write_record(&mut self, bytes: &[u8]) -> Result<bool, StageError> {
        let opened = self.prepare(bytes.len() as u64)?;
        let path = self.current_path();
        self.writer()?.write_all(bytes).map_err(|e| io_error("cannot write", &path, e))?;
        self.record_written(bytes.len() as u64);
        Ok(opened)
    }

    fn close_current(&mut self) -> Result<(), StageError> {
        if let Some(w) = self.current.take() {
            let path = self.current_path();
            if let Some(f) = w.close().map_err(|e| io_error("cannot write", &path, e))? {
                self.closed.push(f);
            }
        }
        Ok(())
    }

    /// Closes the last file and renames every file into place. Returns the paths written.
    pub fn commit(&mut self) -> Result<Vec<PathBuf>, StageError> {
        self.close_current()?;
        let mut paths = Vec::new();
        for f in self.closed.drain(..) {
            let path = f.target().to_owned();
            f.commit().map_err(|e| io_error("cannot commit", &path, e))?;
            paths.push(path);
        }
        Ok(paths)
    }
}

/// Why a document was not written. The two kinds leave the writer in different states.
#[derive(Debug)]
pub enum Fault {
    /// This document cannot be written in this format (a value the format cannot hold). It
    /// was checked before anything was buffered: the output is as it was, and the next
    /// document is written normally.
    Document(StageError),
    /// Writing the output failed (an I/O error). What reached the file is unknown, so the
    /// export refuses every later document and never commits.
    Output(StageError),
}

/// A [`StageError`] about a file.
pub fn io_error(what: &str, path: &Path, e: io::Error) -> StageError {
    StageError::with_source(format!("{what} {}", path.display()), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(path: &Path) -> Vec<u8> {
        let raw = std::fs::read(path).unwrap();
        let mut out = Vec::new();
        match Compression::from_path(&path.to_string_lossy()) {
            Compression::None => out = raw,
            Compression::Gzip => {
                flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap();
            }
            Compression::Zstd => {
                ruzstd::decoding::StreamingDecoder::new(&raw[..]).unwrap().read_to_end(&mut out).unwrap();
            }
        }
        out
    }

    #[test]
    fn compressed_round_trip_large() {
        let dir = tempfile::tempdir().unwrap();
        // More than a few chunks, with varied content.
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8 % 61 + 32).collect();
        for name in ["a.txt", "a.txt.gz", "a.txt.zst"] {
            let path = dir.path().join(name);
            let mut w = FileWriter::open(&path).unwrap();
            for piece in data.chunks(7777) {
                w.write_all(piece).unwrap();
            }
            assert!(!path.exists(), "{name} visible before commit");
            w.close().unwrap().unwrap().commit().unwrap();
            assert_eq!(read_back(&path), data, "{name}");
        }
    }

    #[test]
    fn empty_compressed_files_are_valid() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["e.gz", "e.zst"] {
            let path = dir.path().join(name);
            FileWriter::open(&path).unwrap().close().unwrap().unwrap().commit().unwrap();
            assert!(read_back(&path).is_empty());
        }
    }

    #[test]
    fn shards_split_by_records_and_bytes_and_commit_together() {
        let dir = tempfile::tempdir().unwrap();
        let template = dir.path().join("part-{shard}.txt");
        let mut s = Shards::new(&template, Limits { max_records: 3, max_bytes: 0 });
        let mut opened = 0;
        for i in 0..7 {
            opened += usize::from(s.write_record(format!("{i}\n").as_bytes()).unwrap());
        }
        assert_eq!(opened, 3);
        assert!(!dir.path().join("part-00000.txt").exists(), "visible before commit");
        let paths = s.commit().unwrap();
        assert_eq!(paths.len(), 3);
        assert_eq!(std::fs::read_to_string(dir.path().join("part-00002.txt")).unwrap(), "6\n");

        let mut s = Shards::new(&dir.path().join("b-{shard}.txt"), Limits { max_records: 0, max_bytes: 11 });
        for rec in ["12345\n", "1234\n", "1\n", "123456789012345\n"] {
            s.write_record(rec.as_bytes()).unwrap();
        }
        s.commit().unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("b-00000.txt")).unwrap(), "12345\n1234\n");
        assert_eq!(std::fs::read_to_string(dir.path().join("b-00001.txt")).unwrap(), "1\n");
        // A record larger than the limit gets a file of its own rather than being split.
        assert_eq!(std::fs::read_to_string(dir.path().join("b-00002.txt")).unwrap(), "123456789012345\n");
    }

    #[test]
    fn dropped_uncommitted_leaves_previous_output_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst"] {
            let path = dir.path().join(name);
            std::fs::write(&path, b"previous").unwrap();
            let mut s = Shards::new(&path, Limits::default());
            s.write_record(&vec![b'x'; 3 << 20]).unwrap();
            drop(s);
            assert_eq!(std::fs::read(&path).unwrap(), b"previous", "{name}");
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 3, "temporary files left: {left:?}");
    }
}
