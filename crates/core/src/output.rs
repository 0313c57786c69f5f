//! Atomic output files and the JSONL writer.
//!
//! [`AtomicFile`] writes to a temporary file beside the target and renames it into place on
//! [`AtomicFile::commit`]; dropped without a commit (a failed run), it removes the temporary
//! file, so a reader never sees a half-written output and a failed run leaves the previous
//! output untouched.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::document::Document;

/// A file written under a temporary name and renamed into place on commit.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file (and the parent directory if needed).
    pub fn create(target: &Path) -> std::io::Result<Self> {
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = target.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&tmp)?;
        Ok(AtomicFile { target: target.to_owned(), tmp, writer: Some(BufWriter::with_capacity(1 << 20, file)) })
    }

    /// The final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> std::io::Result<()> {
        if let Some(w) = self.writer.take() {
            let file = w.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
        }
        std::fs::rename(&self.tmp, &self.target)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.writer = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.as_mut().ok_or_else(committed)?.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.as_mut().ok_or_else(committed)?.flush()
    }
}

fn committed() -> std::io::Error {
    std::io::Error::other("output file already committed")
}

/// Writes one JSON value per line.
pub fn write_json_line<T: serde::Serialize>(out: &mut impl Write, value: &T) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Writes a document as one JSONL record.
pub fn write_document(out: &mut impl Write, doc: &Document) -> std::io::Result<()> {
    write_json_line(out, doc)
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)?;
    f.commit()
}
