//! Runs the extraction on HTML files and prints one JSON line per file (`name`, `text`,
//! `title`, `method`, `secs`), then the total MB/s on stderr. For measuring on pages that
//! cannot be committed: `cargo run --release -p docpipe-extract --example extract_pages -- FILE...`.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = docpipe_extract::ExtractOptions::default();
    let mut bytes = 0usize;
    let mut secs = 0f64;
    for path in std::env::args().skip(1) {
        let html = std::fs::read(&path)?;
        let html = String::from_utf8_lossy(&html).into_owned();
        let t = Instant::now();
        let result = docpipe_extract::extract(&html, &options);
        let dt = t.elapsed().as_secs_f64();
        bytes += html.len();
        secs += dt;
        let (text, title, method) = match &result {
            Ok(x) => (x.rendered.text.clone(), x.meta.title.clone(), x.method),
            Err(f) => (String::new(), None, f.reason()),
        };
        let line = serde_json::json!({"name": path, "text": text, "title": title, "method": method, "secs": dt});
        println!("{line}");
    }
    eprintln!("{:.1} MB in {:.3} s: {:.1} MB/s", bytes as f64 / 1e6, secs, bytes as f64 / 1e6 / secs.max(1e-9));
    Ok(())
}
