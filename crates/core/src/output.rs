//! Atomic output files, the run-level commit, and the JSONL writer.
//!
//! [`AtomicFile`] writes to a temporary file beside the target (`.NAME.tmp-PID`). Outside a
//! run, [`AtomicFile::commit`] flushes, syncs and renames it into place. Inside a run the
//! runner holds a [`Transaction`] on its thread: `commit` then only *stages* the file
//! (flushed and synced, still under its temporary name), and the transaction renames every
//! staged file of the run together at the very end, so a run commits all of its outputs
//! (runner files, stage files, indexes, reports) or none of them:
//!
//! 1. every output is written and synced under its temporary name; an error or an interrupt
//!    here removes every temporary file and leaves the previous outputs untouched;
//! 2. a journal (`.docpipe-commit`, in the output directory) naming every rename is written
//!    and synced: this is the commit point;
//! 3. the renames run, then the journal is removed.
//!
//! A process killed between 2 and 3 leaves the journal; the next run over the same output
//! directory finishes those renames first ([`recover`]), so readers see the old set or the
//! new one, never a mix. Temporary files left by a killed process (whose PID is gone) are
//! removed by [`recover`] too.
//!
//! Every live temporary file is also listed process-wide, so a second Ctrl-C, which exits
//! at once, can remove them first ([`remove_live_temp_files`]).
//!
//! Writes check the transaction's cancel flag: an interrupt during a long finish phase (a
//! report, an index) fails the write, and so the run, instead of being ignored.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::document::Document;

/// The name of the commit journal in a run's output directory.
pub const JOURNAL_FILE: &str = ".docpipe-commit";

/// Temporary files of this process that are not yet renamed or removed.
static LIVE_TEMPS: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

fn live_insert(p: &Path) {
    if let Ok(mut s) = LIVE_TEMPS.lock() {
        s.insert(p.to_owned());
    }
}

fn live_remove(p: &Path) {
    if let Ok(mut s) = LIVE_TEMPS.lock() {
        s.remove(p);
    }
}

/// Removes every temporary file this process still has (written, staged or half-written).
/// For a signal handler that is about to exit the process at once; returns how many files
/// were removed.
pub fn remove_live_temp_files() -> usize {
    let paths: Vec<PathBuf> = match LIVE_TEMPS.lock() {
        Ok(mut s) => std::mem::take(&mut *s).into_iter().collect(),
        Err(_) => return 0,
    };
    paths.iter().filter(|p| std::fs::remove_file(p).is_ok()).count()
}

struct Staged {
    tmp: PathBuf,
    target: PathBuf,
}

struct Active {
    staged: Vec<Staged>,
    cancel: Option<Arc<AtomicBool>>,
}

thread_local! {
    static ACTIVE: RefCell<Option<Active>> = const { RefCell::new(None) };
}

/// A run-level commit: while it is alive on a thread, [`AtomicFile::commit`] on that thread
/// stages the file instead of renaming it, and [`Transaction::commit`] renames all staged
/// files together. Dropped without a commit, it removes every staged temporary file.
#[derive(Debug)]
pub struct Transaction {
    journal: PathBuf,
}

impl Transaction {
    /// Starts a transaction on this thread; its journal goes into `dir`. `cancel`, when
    /// set, makes writes to files created in the transaction fail (an interrupted run).
    /// Fails if this thread already has one.
    pub fn begin(dir: &Path, cancel: Option<Arc<AtomicBool>>) -> std::io::Result<Transaction> {
        ACTIVE.with(|a| {
            let mut a = a.borrow_mut();
            if a.is_some() {
                return Err(std::io::Error::other("an output transaction is already active on this thread"));
            }
            *a = Some(Active { staged: Vec::new(), cancel });
            Ok(())
        })?;
        Ok(Transaction { journal: dir.join(JOURNAL_FILE) })
    }

    /// The files staged so far (their final paths).
    pub fn staged(&self) -> Vec<PathBuf> {
        ACTIVE
            .with(|a| a.borrow().as_ref().map(|a| a.staged.iter().map(|s| s.target.clone()).collect()))
            .unwrap_or_default()
    }

    /// Renames every staged file into place: journal first, then the renames, then the
    /// journal is removed. Returns the committed paths in staging order.
    pub fn commit(self) -> std::io::Result<Vec<PathBuf>> {
        let staged = ACTIVE.with(|a| a.borrow_mut().take().map(|a| a.staged)).unwrap_or_default();
        let result = commit_staged(&self.journal, &staged);
        if result.is_err() {
            // Nothing was renamed unless the journal was written; whatever was not renamed
            // is removed (a journal left behind is finished by the next run's `recover`).
            for s in &staged {
                if !self.journal.exists() {
                    let _ = std::fs::remove_file(&s.tmp);
                    live_remove(&s.tmp);
                }
            }
        }
        result.map(|()| staged.into_iter().map(|s| s.target).collect())
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        let staged = ACTIVE.with(|a| a.borrow_mut().take().map(|a| a.staged)).unwrap_or_default();
        for s in staged {
            let _ = std::fs::remove_file(&s.tmp);
            live_remove(&s.tmp);
        }
    }
}

fn commit_staged(journal: &Path, staged: &[Staged]) -> std::io::Result<()> {
    if staged.is_empty() {
        return Ok(());
    }
    for s in staged {
        if s.target.is_dir() {
            return Err(std::io::Error::other(format!("{}: is a directory", s.target.display())));
        }
    }
    // The journal: one rename per line, `tmp\ttarget`, as absolute paths.
    let mut text = String::new();
    for s in staged {
        let (tmp, target) = (absolute(&s.tmp), absolute(&s.target));
        let (Some(tmp), Some(target)) = (tmp.to_str(), target.to_str()) else {
            return Err(std::io::Error::other(format!("{}: path is not UTF-8", s.target.display())));
        };
        if tmp.contains(['\t', '\n']) || target.contains(['\t', '\n']) {
            return Err(std::io::Error::other(format!("{target}: path contains a tab or a line break")));
        }
        text.push_str(tmp);
        text.push('\t');
        text.push_str(target);
        text.push('\n');
    }
    if let Some(dir) = journal.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp_journal = temp_name(journal);
    {
        let mut f = File::create(&tmp_journal)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp_journal, journal)?;
    sync_dir(journal);
    // Commit point passed: finish the renames.
    let mut first_error = None;
    for s in staged {
        match std::fs::rename(&s.tmp, &s.target) {
            Ok(()) => live_remove(&s.tmp),
            Err(e) => {
                first_error.get_or_insert(std::io::Error::new(
                    e.kind(),
                    format!("cannot move {} into place: {e}", s.target.display()),
                ));
            }
        }
    }
    let dirs: BTreeSet<PathBuf> = staged.iter().filter_map(|s| s.target.parent().map(Path::to_path_buf)).collect();
    for d in dirs {
        sync_dir(&d.join("x"));
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    std::fs::remove_file(journal)
}

/// What [`recover`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Renames of an interrupted commit that were finished.
    pub finished_renames: usize,
    /// Temporary files of dead processes that were removed.
    pub removed_temp_files: usize,
}

/// Before a run writes into `dir`: finishes the commit of a run that was killed after its
/// commit point (journal present), and removes temporary files left by dead processes in
/// `dir` and in the directories of `outputs`.
pub fn recover(dir: &Path, outputs: &[PathBuf]) -> std::io::Result<Recovered> {
    let mut rec = Recovered::default();
    let journal = dir.join(JOURNAL_FILE);
    match std::fs::read_to_string(&journal) {
        Ok(text) => {
            for line in text.lines() {
                let Some((tmp, target)) = line.split_once('\t') else { continue };
                if Path::new(tmp).exists() {
                    std::fs::rename(tmp, target)?;
                    rec.finished_renames += 1;
                }
            }
            std::fs::remove_file(&journal)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut dirs: BTreeSet<PathBuf> = outputs.iter().filter_map(|p| p.parent().map(Path::to_path_buf)).collect();
    dirs.insert(dir.to_owned());
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(if d.as_os_str().is_empty() { Path::new(".") } else { &d }) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(pid) = temp_owner(name)
                && pid != std::process::id()
                && !process_alive(pid)
                && std::fs::remove_file(entry.path()).is_ok()
            {
                rec.removed_temp_files += 1;
            }
        }
    }
    Ok(rec)
}

/// The PID in a temporary file name `.NAME.tmp-PID`, if `name` is one.
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let (_, pid) = rest.rsplit_once(".tmp-")?;
    pid.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        // Without a cheap liveness check, never remove another process's file.
        true
    }
}

fn temp_name(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_owned())
}

/// Syncs the directory holding `path`, so renames in it survive a crash (best effort).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        if let Ok(f) = File::open(dir) {
            let _ = f.sync_all();
        }
    }
}

/// A file written under a temporary name and renamed into place on commit (or, inside a
/// [`Transaction`], when the whole run commits).
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    writer: Option<BufWriter<File>>,
    cancel: Option<Arc<AtomicBool>>,
    /// Renamed into place or handed to a transaction: the temporary file is no longer ours
    /// to remove.
    done: bool,
}

impl AtomicFile {
    /// Creates the temporary file (and the parent directory if needed).
    pub fn create(target: &Path) -> std::io::Result<Self> {
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = temp_name(target);
        let file = File::create(&tmp)?;
        live_insert(&tmp);
        let cancel = ACTIVE.with(|a| a.borrow().as_ref().and_then(|a| a.cancel.clone()));
        Ok(AtomicFile {
            target: target.to_owned(),
            tmp,
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
            cancel,
            done: false,
        })
    }

    /// The final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Whether the run was interrupted: writes are refused from then on.
    pub fn cancelled(&self) -> bool {
        self.check_cancel().is_err()
    }

    /// Flushes, syncs and renames the file into place, or, inside a [`Transaction`] on this
    /// thread, stages it for the transaction's commit.
    pub fn commit(mut self) -> std::io::Result<()> {
        self.check_cancel()?;
        if let Some(w) = self.writer.take() {
            let file = w.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
        }
        let staged = ACTIVE.with(|a| match a.borrow_mut().as_mut() {
            Some(active) => {
                active.staged.push(Staged { tmp: self.tmp.clone(), target: self.target.clone() });
                true
            }
            None => false,
        });
        if staged {
            self.done = true;
            return Ok(());
        }
        // On failure `Drop` removes the temporary file.
        std::fs::rename(&self.tmp, &self.target)?;
        self.done = true;
        live_remove(&self.tmp);
        Ok(())
    }

    fn check_cancel(&self) -> std::io::Result<()> {
        if self.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            // Not `ErrorKind::Interrupted`: `write_all` retries those forever.
            return Err(std::io::Error::other("the run was interrupted"));
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    /// Not committed (an error, or a failed commit: a flush or sync that hit a full disk):
    /// the temporary file goes.
    fn drop(&mut self) {
        if !self.done {
            self.writer = None;
            let _ = std::fs::remove_file(&self.tmp);
            live_remove(&self.tmp);
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.check_cancel()?;
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

/// Writes `bytes` to `path` atomically (staged, inside a [`Transaction`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p).unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn outside_a_transaction_commit_renames_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").unwrap();
        assert_eq!(read(&p), "one");
        assert_eq!(names(dir.path()), ["a.txt"]);
    }

    #[test]
    fn a_transaction_commits_all_files_together_or_none() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.txt"), dir.path().join("sub/b.txt"));
        write_atomic(&a, b"old a").unwrap();
        write_atomic(&b, b"old b").unwrap();

        // Dropped without commit: nothing replaced, no temporary file left.
        {
            let _t = Transaction::begin(dir.path(), None).unwrap();
            write_atomic(&a, b"new a").unwrap();
            assert_eq!(read(&a), "old a", "a staged file must not replace the old one before the run commits");
            let mut f = AtomicFile::create(&b).unwrap();
            f.write_all(b"half").unwrap();
            f.commit().unwrap();
        }
        assert_eq!((read(&a), read(&b)), ("old a".into(), "old b".into()));
        assert_eq!(names(dir.path()), ["a.txt", "sub"]);
        assert_eq!(names(&dir.path().join("sub")), ["b.txt"]);

        let t = Transaction::begin(dir.path(), None).unwrap();
        write_atomic(&a, b"new a").unwrap();
        write_atomic(&b, b"new b").unwrap();
        assert_eq!(t.staged(), vec![a.clone(), b.clone()]);
        assert_eq!(t.commit().unwrap(), vec![a.clone(), b.clone()]);
        assert_eq!((read(&a), read(&b)), ("new a".into(), "new b".into()));
        assert_eq!(names(dir.path()), ["a.txt", "sub"], "the journal is removed after the commit");
    }

    #[test]
    fn one_transaction_per_thread() {
        let dir = tempfile::tempdir().unwrap();
        let _t = Transaction::begin(dir.path(), None).unwrap();
        assert!(Transaction::begin(dir.path(), None).is_err());
    }

    #[test]
    fn cancel_fails_writes_and_commit() {
        let dir = tempfile::tempdir().unwrap();
        let cancel = Arc::new(AtomicBool::new(false));
        let _t = Transaction::begin(dir.path(), Some(cancel.clone())).unwrap();
        let mut f = AtomicFile::create(&dir.path().join("r.html")).unwrap();
        f.write_all(b"start").unwrap();
        cancel.store(true, Ordering::Relaxed);
        let e = f.write_all(b"more").unwrap_err();
        assert_eq!(e.to_string(), "the run was interrupted");
        assert!(f.commit().is_err());
    }

    #[test]
    fn recover_finishes_an_interrupted_commit_and_removes_dead_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // A commit killed after its journal: one rename done, one not.
        std::fs::write(d.join("a.txt"), "new a").unwrap();
        std::fs::write(d.join("b.txt"), "old b").unwrap();
        std::fs::write(d.join(".b.txt.tmp-4000000"), "new b").unwrap();
        let journal = format!(
            "{}\t{}\n{}\t{}\n",
            d.join(".a.txt.tmp-4000000").display(),
            d.join("a.txt").display(),
            d.join(".b.txt.tmp-4000000").display(),
            d.join("b.txt").display()
        );
        std::fs::write(d.join(JOURNAL_FILE), journal).unwrap();
        // A temporary file of a process that no longer exists (PIDs stay below 4,194,304).
        std::fs::write(d.join(".c.txt.tmp-4000001"), "partial").unwrap();
        // One of a live process (this one) is kept.
        let mine = format!(".d.txt.tmp-{}", std::process::id());
        std::fs::write(d.join(&mine), "mine").unwrap();
        let rec = recover(d, &[]).unwrap();
        assert_eq!(rec, Recovered { finished_renames: 1, removed_temp_files: 1 });
        assert_eq!((read(&d.join("a.txt")), read(&d.join("b.txt"))), ("new a".into(), "new b".into()));
        let mut expect = vec![mine, "a.txt".to_owned(), "b.txt".to_owned()];
        expect.sort();
        assert_eq!(names(d), expect);
    }

    #[test]
    fn live_temp_files_are_listed_until_renamed_or_removed() {
        // (The list is process-wide and tests run in parallel: check membership only.)
        let dir = tempfile::tempdir().unwrap();
        let listed = |p: &Path| LIVE_TEMPS.lock().unwrap().contains(p);
        let f = AtomicFile::create(&dir.path().join("x.txt")).unwrap();
        let tmp = f.tmp.clone();
        assert!(listed(&tmp));
        f.commit().unwrap();
        assert!(!listed(&tmp));
        let g = AtomicFile::create(&dir.path().join("y.txt")).unwrap();
        let tmp = g.tmp.clone();
        drop(g);
        assert!(!listed(&tmp) && !tmp.exists());
    }

    #[test]
    fn a_commit_that_cannot_rename_leaves_no_temporary_file() {
        // A commit that fails at the rename (the target is a folder). A commit that fails
        // earlier, at the flush on a full disk, kept `.x.tmp-PID` (issue 14): that path is
        // covered by the e2e test `a_full_disk_keeps_the_previous_outputs`.
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("x")).unwrap();
        std::fs::write(dir.path().join("x/keep"), "").unwrap();
        let mut f = AtomicFile::create(&dir.path().join("x")).unwrap();
        f.write_all(b"data").unwrap();
        assert!(f.commit().is_err());
        assert_eq!(names(dir.path()), ["x"]);
    }

    #[test]
    fn temp_names_parse() {
        assert_eq!(temp_owner(".documents.jsonl.tmp-123"), Some(123));
        assert_eq!(temp_owner("documents.jsonl"), None);
        assert_eq!(temp_owner(".x.tmp-abc"), None);
    }
}
