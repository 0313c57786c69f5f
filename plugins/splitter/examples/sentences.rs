//! Sentence splitting as a filter, for peers and evaluations: reads one JSON string per line
//! on stdin and writes, per line, a JSON array of the sentences found in it.
//!
//! ```sh
//! echo '"Mr. Smith left. He was tired."' | cargo run --release -p docpipe-splitter --example sentences
//! ```
//! With `--time FILE` it instead prints single-threaded MB/s over the text of `FILE`.

use std::io::{BufRead, Write};

use docpipe_splitter::SentenceSplitter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sp = SentenceSplitter::default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--time") {
        let text = std::fs::read_to_string(args.get(1).ok_or("--time needs a file")?)?;
        let t = std::time::Instant::now();
        let mut n = 0;
        let mut rounds = 0;
        while t.elapsed().as_secs_f64() < 1.0 {
            n += sp.split(&text).len();
            rounds += 1;
        }
        let mbps = (text.len() * rounds) as f64 / 1e6 / t.elapsed().as_secs_f64();
        println!("{{\"mb_per_s\": {mbps:.1}, \"sentences\": {}}}", n / rounds.max(1));
        return Ok(());
    }
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let text: String = serde_json::from_str(&line?)?;
        let sents: Vec<&str> = sp.split(&text).into_iter().map(|(s, e)| &text[s..e]).collect();
        writeln!(out, "{}", serde_json::to_string(&sents)?)?;
    }
    Ok(())
}
