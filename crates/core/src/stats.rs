//! Run statistics: what every stage did with every document, and the accounting identity.
//!
//! Per stage: `docs_in = kept + dropped + failed - finish_failed`, where `kept` counts input
//! documents that went on as one or more documents (`docs_out` counts those outputs and the
//! documents an ordered stage emits at the end, so a splitter has `docs_out > kept`), and
//! `finish_failed` counts emitted documents the runner refused (they were never received). Stages are chained: a stage's `docs_in` is the previous stage's
//! `docs_out`, and the first stage's is the number of documents the input produced.
//! [`RunStats::check_accounting`] verifies all of it; the CLI prints it as the closing table
//! and writes it as `stats.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Counters of the input readers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InputStats {
    /// Input files opened.
    pub files: u64,
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Documents produced.
    pub documents: u64,
    /// Inputs dropped, per reason: files (`empty file`, `blank file`) and WARC records that
    /// are not documents (`warc request`, `warc metadata`, `warc warcinfo`, `warc revisit`,
    /// `warc non-html`, `warc status 3xx`, `warc empty payload`, ...).
    pub dropped: BTreeMap<String, u64>,
    /// Inputs that could not be read (listed in `failed.jsonl`).
    pub failed: u64,
    /// Invalid UTF-8 sequences replaced under the `lossy` policy.
    pub utf8_replacements: u64,
}

/// Counters of one stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageStats {
    /// Instance name.
    pub name: String,
    /// Registered type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Documents received.
    pub docs_in: u64,
    /// Documents received that went on (as one or more documents).
    pub kept: u64,
    /// Documents emitted.
    pub docs_out: u64,
    /// Documents dropped, per reason.
    pub dropped: BTreeMap<String, u64>,
    /// Text bytes of the documents dropped, per reason (the same keys as `dropped`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dropped_bytes: BTreeMap<String, u64>,
    /// Documents that failed (listed in `failed.jsonl`).
    pub failed: u64,
    /// Of `failed`: documents the stage emitted at the end of the run
    /// ([`crate::OrderedStage::finish`]) that the runner refused (a broken document
    /// invariant). They were never received, so they are not part of `docs_in`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub finish_failed: u64,
    /// Time spent in the stage, summed over threads.
    pub seconds: f64,
    /// The stage's own named counters ([`crate::OrderedStage::counters`]), for work that is
    /// not a whole document: `paragraph duplicates removed`, `paragraph bytes removed`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counters: BTreeMap<String, u64>,
}

impl StageStats {
    /// Total dropped over all reasons.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().sum()
    }
}

/// Everything counted in one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunStats {
    /// The input readers.
    pub input: InputStats,
    /// Every stage, in pipeline order.
    pub stages: Vec<StageStats>,
    /// Documents written to `documents.jsonl` (0 when the runner does not write it).
    pub written: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Worker threads used.
    pub threads: usize,
    /// Peak resident memory of the process in bytes (Linux `VmHWM`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_bytes: Option<u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The process's peak resident set size, from `/proc/self/status` (Linux only).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

impl RunStats {
    /// Checks the accounting identity; returns every violation found.
    pub fn check_accounting(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let mut prev_out = self.input.documents;
        let mut prev_name = "input".to_owned();
        for s in &self.stages {
            if s.docs_in != prev_out {
                problems.push(format!(
                    "stage {} received {} documents but {} emitted {}",
                    s.name, s.docs_in, prev_name, prev_out
                ));
            }
            if s.docs_in + s.finish_failed != s.kept + s.dropped_total() + s.failed {
                problems.push(format!(
                    "stage {}: in {} != kept {} + dropped {} + failed {} - failed at finish {}",
                    s.name,
                    s.docs_in,
                    s.kept,
                    s.dropped_total(),
                    s.failed,
                    s.finish_failed
                ));
            }
            prev_out = s.docs_out;
            prev_name = s.name.clone();
        }
        if self.written != 0 && self.written != prev_out {
            problems.push(format!("wrote {} documents but the pipeline emitted {}", self.written, prev_out));
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    /// Documents that reached the end of the pipeline.
    pub fn final_documents(&self) -> u64 {
        self.stages.last().map(|s| s.docs_out).unwrap_or(self.input.documents)
    }
}
