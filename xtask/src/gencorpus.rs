//! `cargo xtask gen-corpus`: a reproducible, news-like benchmark corpus of any size.
//!
//! The material is the project's own sample corpus (`tests/corpus`): its body sentences,
//! headline lines, datelines and names are shuffled into new articles by a seeded generator,
//! so the text looks like the sample (same vocabulary, quotes, abbreviations) at any scale.
//! Articles get 2–80 paragraphs and the sample's pathologies: datelines in their varied
//! forms, standfirst lines, subheadings, captions, "related" lines, author bios, words glued
//! by HTML extraction, curly quotes and dashes. A known share of articles are exact (5%) or
//! near (10%, 5–30% of words changed) copies of earlier ones; `truth.jsonl` says which.
//!
//! Output: `dump-NNNNN.txt` files of about 8 MiB (articles concatenated, one paragraph per
//! line), `articles-NNNNN.jsonl` (a fifth of the articles, with metadata) and `truth.jsonl`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// `gen-corpus` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Total bytes to write (approximately): `10MB`, `1GB`, `512KB` or bytes; powers of 1024.
    #[arg(long, default_value = "10MB", value_parser = parse_size)]
    pub size: u64,
    /// Generator seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Output directory.
    #[arg(long, default_value = "target/bench/corpus")]
    pub out: PathBuf,
}

/// `10MB`, `1GB`, `512KB`, `123` (bytes); powers of 1024.
pub fn parse_size(s: &str) -> Result<u64> {
    let upper = s.trim().to_ascii_uppercase();
    let (num, mult) = [("GB", 1u64 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)]
        .iter()
        .find_map(|(suf, m)| upper.strip_suffix(suf).map(|n| (n.trim().to_owned(), *m)))
        .unwrap_or((upper.clone(), 1));
    let n: f64 = num.parse().with_context(|| format!("bad size `{s}`"))?;
    if n.is_nan() || n <= 0.0 {
        bail!("size must be positive: `{s}`");
    }
    Ok((n * mult as f64) as u64)
}

/// SplitMix64: tiny, fast, and the same on every platform.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub(crate) fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// The sample corpus cut into the pieces articles are made of.
pub(crate) struct Material {
    sentences: Vec<String>,
    pub(crate) headlines: Vec<String>,
    pub(crate) words: Vec<String>,
    pub(crate) cities: Vec<String>,
    pub(crate) names: Vec<String>,
}

/// Reads `tests/corpus/*.txt` into generator material.
pub(crate) fn material(root: &Path) -> Result<Material> {
    let dir = root.join("tests/corpus");
    let mut text = String::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.extension().is_some_and(|e| e == "txt") {
            text.push_str(&std::fs::read_to_string(&p)?);
            text.push('\n');
        }
    }
    let mut m = Material { sentences: vec![], headlines: vec![], words: vec![], cities: vec![], names: vec![] };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let last = line.chars().last().unwrap_or('.');
        if words.len() >= 5 && words.len() <= 16 && !".?!\"”’:".contains(last) {
            m.headlines.push(line.to_owned());
            continue;
        }
        // A leading upper-case city is a dateline: keep the city, drop the dateline.
        let mut body = line;
        if let Some(first) = words.first() {
            let city = first.trim_end_matches(',');
            if city.len() >= 3 && city.chars().all(|c| c.is_ascii_uppercase()) {
                m.cities.push(city.to_owned());
                if let Some(pos) = line.find(['—', '–']).or_else(|| line.find(" - ")) {
                    body = line[pos..].trim_start_matches(['—', '–', '-', ' ']);
                }
            }
        }
        for s in split_sentences(body) {
            if s.split_whitespace().count() >= 4 {
                m.sentences.push(s.to_owned());
            }
        }
        for w in &words {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if w.len() > 2 && w.chars().all(char::is_alphabetic) {
                if w.chars().next().is_some_and(char::is_uppercase) {
                    m.names.push(w.to_owned());
                } else {
                    m.words.push(w.to_owned());
                }
            }
        }
    }
    for v in [&mut m.sentences, &mut m.headlines, &mut m.words, &mut m.cities, &mut m.names] {
        v.sort();
        v.dedup();
    }
    if m.sentences.len() < 50 || m.words.is_empty() || m.cities.is_empty() || m.headlines.is_empty() {
        bail!("tests/corpus has too little text to generate from");
    }
    Ok(m)
}

fn split_sentences(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = line.as_bytes();
    for i in 1..b.len().saturating_sub(1) {
        if matches!(b[i], b'.' | b'?' | b'!')
            && b[i + 1] == b' '
            && b.get(i + 2).is_some_and(u8::is_ascii_uppercase)
            && !b[i - 1].is_ascii_uppercase()
        {
            out.push(line[start..=i].trim());
            start = i + 2;
        }
    }
    out.push(line[start..].trim());
    out
}

pub(crate) const AGENCIES: &[&str] = &["Coastline Wire", "MPA", "Reuters-style Desk", "Meridian Press", "AFX Wire"];

fn dateline(rng: &mut Rng, m: &Material) -> String {
    let city = rng.pick(&m.cities).clone();
    match rng.below(5) {
        0 => format!("{city} — "),
        1 => format!("{city} – "),
        2 => format!("{city}- "),
        3 => format!("{city} ({})- ", rng.pick(AGENCIES).to_uppercase()),
        _ => format!("{city} ({}) - ", rng.pick(AGENCIES)),
    }
}

fn paragraph(rng: &mut Rng, m: &Material) -> String {
    let n = 1 + rng.below(4);
    let mut p = String::new();
    for i in 0..n {
        if i > 0 {
            p.push(' ');
        }
        p.push_str(rng.pick(&m.sentences).as_str());
    }
    if rng.chance(0.05) {
        // Glue two words the way HTML extraction does.
        if let Some(pos) = p.match_indices(' ').map(|(i, _)| i).nth(rng.below(8)) {
            p.remove(pos);
        }
    }
    p
}

/// One news-like article, one paragraph per line (each line ends with `\n`).
pub(crate) fn article(rng: &mut Rng, m: &Material) -> String {
    let mut a = String::new();
    if rng.chance(0.6) {
        let _ = writeln!(a, "{}", rng.pick(&m.headlines));
    }
    let paragraphs = 2 + (rng.below(79) * rng.below(79)) / 78; // skewed towards short articles
    for i in 0..paragraphs {
        if i == 0 && rng.chance(0.8) {
            a.push_str(&dateline(rng, m));
        } else if i > 2 && rng.chance(0.04) {
            let _ = writeln!(a, "{}", rng.pick(&m.headlines).split_whitespace().take(4).collect::<Vec<_>>().join(" "));
        } else if i > 1 && rng.chance(0.02) {
            let _ = writeln!(a, "Related: {}", rng.pick(&m.headlines));
        } else if i > 1 && rng.chance(0.02) {
            let _ = writeln!(
                a,
                "{} and {} at the scene on Tuesday. Photo: {} {}",
                rng.pick(&m.names),
                rng.pick(&m.names),
                rng.pick(&m.names),
                rng.pick(&m.names)
            );
        }
        let _ = writeln!(a, "{}", paragraph(rng, m));
    }
    if rng.chance(0.3) {
        let _ = writeln!(
            a,
            "{} {} is a correspondent for the {} desk.",
            rng.pick(&m.names),
            rng.pick(&m.names),
            rng.pick(AGENCIES)
        );
    }
    a
}

/// Replaces about `level` of the words of `text` with other words.
fn perturb(rng: &mut Rng, m: &Material, text: &str, level: f64) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut first = true;
        for w in line.split(' ') {
            if !first {
                out.push(' ');
            }
            first = false;
            if rng.chance(level) && w.chars().all(char::is_alphabetic) {
                out.push_str(rng.pick(&m.words).as_str());
            } else {
                out.push_str(w);
            }
        }
        out.push('\n');
    }
    out
}

/// Generates a corpus of `size` bytes from `seed` into `out`, or reuses it when its
/// `corpus.json` marker says it was made with the same size and seed. Returns the marker
/// (caches of work derived from the corpus key on it).
pub(crate) fn generate_cached(root: &Path, out: &Path, size: u64, seed: u64) -> Result<serde_json::Value> {
    let marker = serde_json::json!({"size": size, "seed": seed, "generator": "xtask gen-corpus"});
    let marker_path = out.join("corpus.json");
    let shown = out.strip_prefix(root).unwrap_or(out).display().to_string();
    let reuse = std::fs::read_to_string(&marker_path)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .is_some_and(|m| m == marker);
    if reuse {
        eprintln!("xtask: reusing {shown} (size {size}, seed {seed})");
        return Ok(marker);
    }
    if out.exists() {
        std::fs::remove_dir_all(out).with_context(|| format!("removing {}", out.display()))?;
    }
    let started = std::time::Instant::now();
    let (bytes, n) = generate(root, &Options { size, seed, out: out.to_path_buf() })?;
    std::fs::write(&marker_path, marker.to_string()).with_context(|| format!("writing {}", marker_path.display()))?;
    eprintln!("xtask: generated {shown} ({n} articles, {bytes} bytes) in {:.1} s", started.elapsed().as_secs_f64());
    Ok(marker)
}

/// Writes the corpus; returns (bytes written, articles).
pub fn generate(root: &Path, o: &Options) -> Result<(u64, usize)> {
    let m = material(root)?;
    let mut rng = Rng(o.seed);
    std::fs::create_dir_all(&o.out).with_context(|| format!("creating {}", o.out.display()))?;
    let mut truth = std::io::BufWriter::new(std::fs::File::create(o.out.join("truth.jsonl"))?);
    let mut originals: Vec<(String, String)> = Vec::new(); // (id, text), a bounded reservoir
    let mut written = 0u64;
    let mut n = 0usize;
    let mut file_idx = 0usize;
    let file_limit = 8u64 << 20;
    let (mut dump, mut dump_len) = (Vec::<u8>::new(), 0u64);
    let mut jsonl = Vec::<u8>::new();
    let flush = |idx: usize, dump: &mut Vec<u8>, jsonl: &mut Vec<u8>| -> Result<()> {
        std::fs::write(o.out.join(format!("dump-{idx:05}.txt")), &dump)?;
        std::fs::write(o.out.join(format!("articles-{idx:05}.jsonl")), &jsonl)?;
        dump.clear();
        jsonl.clear();
        Ok(())
    };
    while written < o.size {
        let id = format!("gen-{n:08}");
        let roll = rng.below(100);
        let (text, kind, of, level) = if roll < 5 && !originals.is_empty() {
            let (oid, t) = rng.pick(&originals).clone();
            (t, "exact", Some(oid), 0.0)
        } else if roll < 15 && !originals.is_empty() {
            let (oid, t) = rng.pick(&originals).clone();
            let level = [0.05, 0.1, 0.2, 0.3][rng.below(4)];
            (perturb(&mut rng, &m, &t, level), "near", Some(oid), level)
        } else {
            let t = article(&mut rng, &m);
            if originals.len() < 2000 {
                originals.push((id.clone(), t.clone()));
            } else {
                let slot = rng.below(originals.len());
                originals[slot] = (id.clone(), t.clone());
            }
            (t, "original", None, 0.0)
        };
        let (file, start) = if rng.below(5) == 0 {
            let rec = serde_json::json!({"id": id, "text": text.trim_end(), "metadata": {"outlet": rng.pick(AGENCIES), "story": format!("story-{}", rng.below(500))}});
            let start = jsonl.len();
            serde_json::to_writer(&mut jsonl, &rec)?;
            jsonl.push(b'\n');
            written += (jsonl.len() - start) as u64;
            (format!("articles-{file_idx:05}.jsonl"), start)
        } else {
            let start = dump.len();
            dump.extend_from_slice(text.as_bytes());
            dump_len += text.len() as u64;
            written += text.len() as u64;
            (format!("dump-{file_idx:05}.txt"), start)
        };
        let end = if file.ends_with(".txt") { dump.len() } else { jsonl.len() };
        serde_json::to_writer(
            &mut truth,
            &serde_json::json!({"id": id, "file": file, "start": start, "end": end, "kind": kind, "of": of, "edit_level": level}),
        )?;
        truth.write_all(b"\n")?;
        n += 1;
        if dump_len + jsonl.len() as u64 >= file_limit {
            flush(file_idx, &mut dump, &mut jsonl)?;
            file_idx += 1;
            dump_len = 0;
        }
    }
    if !dump.is_empty() || !jsonl.is_empty() {
        flush(file_idx, &mut dump, &mut jsonl)?;
    }
    truth.flush()?;
    Ok((written, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("10MB").unwrap(), 10 << 20);
        assert_eq!(parse_size("1gb").unwrap(), 1 << 30);
        assert_eq!(parse_size("512").unwrap(), 512);
        assert!(parse_size("-1MB").is_err());
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn generation_is_reproducible_and_truthful() {
        let root = crate::workspace_root();
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let opts = |out: &Path| Options { size: 2 << 20, seed: 11, out: out.to_owned() };
        let (bytes, n) = generate(&root, &opts(a.path())).unwrap();
        generate(&root, &opts(b.path())).unwrap();
        assert!(bytes >= 2 << 20 && n > 100);
        for f in ["truth.jsonl", "dump-00000.txt", "articles-00000.jsonl"] {
            assert!(
                std::fs::read(a.path().join(f)).unwrap() == std::fs::read(b.path().join(f)).unwrap(),
                "{f} differs"
            );
        }
        let truth = std::fs::read_to_string(a.path().join("truth.jsonl")).unwrap();
        let (mut exact, mut near) = (0, 0);
        for line in truth.lines() {
            let t: serde_json::Value = serde_json::from_str(line).unwrap();
            let file = std::fs::read(a.path().join(t["file"].as_str().unwrap())).unwrap();
            let (s, e) = (t["start"].as_u64().unwrap() as usize, t["end"].as_u64().unwrap() as usize);
            assert!(s < e && e <= file.len());
            match t["kind"].as_str().unwrap() {
                "exact" => exact += 1,
                "near" => near += 1,
                _ => {}
            }
        }
        let total = truth.lines().count() as f64;
        assert!((0.02..0.08).contains(&(exact as f64 / total)), "exact share {exact}/{total}");
        assert!((0.06..0.14).contains(&(near as f64 / total)), "near share {near}/{total}");
    }
}
