//! Measures what the `normalise` stage does to technical text (issue 13); driven by
//! `eval/tech/run.py`, which builds the documents and scores the facts written here.
//!
//! ```text
//! cargo run --release -p docpipe-normalise --example tech_eval -- DOCS.jsonl SPLITS.jsonl INDENT.jsonl
//! ```
//!
//! For every document of `DOCS.jsonl` (`{"id", "text"}` per line) the text is normalised with
//! the stage's default options twice, with glued-word repair on and off. The glue pass only
//! inserts spaces, so walking both outputs side by side finds every inserted space; each is
//! mapped back to its byte offset in the input (`SPLITS.jsonl`: `{"id", "splits": [offset]}`).
//! For every input line with content, the leading whitespace of that content in the output
//! (glue on) is compared byte for byte with the input's (`INDENT.jsonl`:
//! `{"id", "changed_lines": [line index]}`). Prints the throughput at the end.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::time::Instant;

use docpipe_core::align::{Alignment, Edit};
use docpipe_normalise::glue::Lexicon;
use docpipe_normalise::{NormaliseOptions, normalise_text};

fn main() {
    if let Err(e) = run() {
        eprintln!("tech_eval: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [docs, splits_out, indent_out] = args.as_slice() else {
        return Err("usage: tech_eval DOCS.jsonl SPLITS.jsonl INDENT.jsonl".into());
    };
    let input = std::fs::File::open(docs).map_err(|e| format!("{docs}: {e}"))?;
    let create = |p: &str| std::fs::File::create(p).map(BufWriter::new).map_err(|e| format!("{p}: {e}"));
    let (mut splits_w, mut indent_w) = (create(splits_out)?, create(indent_out)?);
    let lex = Lexicon::builtin();
    let on = NormaliseOptions::default();
    let off = NormaliseOptions { glued_words: false, ..NormaliseOptions::default() };
    let (mut bytes, mut secs) = (0usize, 0f64);
    for line in BufReader::new(input).lines() {
        let line = line.map_err(|e| e.to_string())?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
        let id = v.get("id").cloned().unwrap_or_default();
        let text = v.get("text").and_then(|t| t.as_str()).unwrap_or("");
        let t0 = Instant::now();
        let with = normalise_text(text, &on, Some(lex));
        secs += t0.elapsed().as_secs_f64();
        bytes += text.len();
        let without = normalise_text(text, &off, None);
        let splits = inserted_spaces(&without.text, &with.text)
            .into_iter()
            .map(|p| Alignment::new(&without.edits).source_start(p))
            .collect::<Vec<_>>();
        let changed = changed_indentation(text, &with.text, &with.edits);
        let w =
            |out: &mut BufWriter<std::fs::File>, v: serde_json::Value| writeln!(out, "{v}").map_err(|e| e.to_string());
        w(&mut splits_w, serde_json::json!({"id": id, "splits": splits}))?;
        w(&mut indent_w, serde_json::json!({"id": id, "changed_lines": changed}))?;
    }
    splits_w.flush().map_err(|e| e.to_string())?;
    indent_w.flush().map_err(|e| e.to_string())?;
    eprintln!(
        "tech_eval: normalised {:.1} MB at {:.1} MB/s (glue on)",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs.max(1e-9)
    );
    Ok(())
}

/// Offsets in `a` before which `b` has an extra space (`b` = `a` with spaces inserted).
fn inserted_spaces(a: &str, b: &str) -> Vec<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while j < b.len() {
        if i < a.len() && a[i] == b[j] {
            i += 1;
        } else if b[j] == b' ' {
            out.push(i);
        } else {
            // Not a pure insertion: resynchronise on the next byte (never expected).
            i += 1;
        }
        j += 1;
    }
    out
}

/// Input line indices whose content starts after different leading whitespace in the output.
fn changed_indentation(input: &str, output: &str, edits: &[Edit]) -> Vec<usize> {
    let inverted: Vec<Edit> = edits
        .iter()
        .map(|e| Edit { text_start: e.src_start, text_end: e.src_end, src_start: e.text_start, src_end: e.text_end })
        .collect();
    let forward = Alignment::new(&inverted);
    let mut out = Vec::new();
    let mut start = 0;
    for (k, line) in input.split('\n').enumerate() {
        let ws = line.len() - line.trim_start_matches([' ', '\t']).len();
        if line.trim().is_empty() {
            start += line.len() + 1;
            continue;
        }
        let q = forward.source_start(start + ws).min(output.len());
        let line_start = output.get(..q).and_then(|s| s.rfind('\n')).map_or(0, |p| p + 1);
        let out_ws = output.get(line_start..q).unwrap_or("");
        if out_ws != &line[..ws] {
            out.push(k);
        }
        start += line.len() + 1;
    }
    out
}
