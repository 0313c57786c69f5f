//! Tags JSONL records from standard input and prints one JSON line per record with its
//! entities as `[start, end, label, source]` byte offsets (a debugging aid for tuning on
//! evaluation sets without building the whole pipeline).
//!
//! `cargo run --release -p docpipe-entities --example tagjsonl < input.jsonl`

use std::io::{BufRead, Write};

use docpipe_entities::{Tagger, TaggerConfig};
use serde_json::{Value, json};

fn main() -> std::io::Result<()> {
    let tagger = Tagger::builtin(TaggerConfig::default());
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line?;
        let Ok(rec) = serde_json::from_str::<Value>(&line) else { continue };
        let text = rec.get("text").and_then(Value::as_str).unwrap_or("");
        let ents: Vec<Value> = tagger
            .tag(text)
            .into_iter()
            .map(|m| json!([m.start, m.end, m.label.as_str(), m.source.as_str()]))
            .collect();
        let id = rec.get("id").cloned().unwrap_or(Value::Null);
        writeln!(out, "{}", json!({"id": id, "entities": ents}))?;
    }
    out.flush()
}
