//! The fuzz harness: one function per fuzz target, shared by the libFuzzer targets in
//! `fuzz/fuzz_targets/` (nightly, `cargo xtask fuzz`) and by the stable test below that replays
//! every file of `fuzz/corpus/` and `fuzz/regressions/` (so CI checks the corpus on stable).
//!
//! Each function takes arbitrary bytes and panics when a property fails; a panic is what
//! libFuzzer reports as a crash. The properties: nothing panics, every document that comes out
//! of a reader or a stage passes `Document::check_invariants`, a text document maps back to the
//! exact input bytes, every input line or file is accounted for, and a full run's statistics
//! satisfy the accounting identity.
//!
//! Inputs are written to a per-process scratch folder (`input::read_file` reads files by path;
//! `InputFile::Memory` wants `'static` bytes, and leaking one copy per iteration would grow
//! without bound in a long run). `cargo xtask fuzz` points `TMPDIR` into `fuzz/target/` and
//! clears it after each target.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use docpipe_core::config::{Overrides, load_str};
use docpipe_core::input::{InputFile, InputFormat, InputSpec, ReadEvent, Utf8Policy, read_file};
use docpipe_core::stats::RunStats;
use docpipe_core::{Document, Outcome, Stage, StageOptions, registry};

// Link every plugin so that the registry sees every stage (see crates/cli/src/plugins.rs).
use docpipe_dedupe as _;
use docpipe_entities as _;
use docpipe_export as _;
use docpipe_extract as _;
use docpipe_normalise as _;
use docpipe_splitter as _;
use docpipe_summarise as _;

/// The fuzz targets, by name: `fuzz/fuzz_targets/<name>.rs` calls the function of that name.
/// `extract` is the extract stage's own property ([`docpipe_extract::fuzz::check`]).
pub const TARGETS: &[&str] = &["config", "jsonl", "text", "decompress", "web", "extract", "stages", "pipeline"];

/// Runs the harness function of target `name` on `data` (for the replay test).
pub fn run_target(name: &str, data: &[u8]) {
    match name {
        "config" => config(data),
        "jsonl" => jsonl(data),
        "text" => text(data),
        "decompress" => decompress(data),
        "web" => web(data),
        "extract" => docpipe_extract::fuzz::check(data),
        "stages" => stages(data),
        "pipeline" => pipeline(data),
        other => panic!("unknown fuzz target `{other}`"),
    }
}

/// A scratch folder for this process, created once.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("docpipe-fuzz-{}", std::process::id()));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("cannot create the fuzz scratch folder {}: {e}", dir.display());
        }
        dir
    })
}

/// Writes `bytes` to `name` in the scratch folder (one file per thread: the replay test runs
/// targets in parallel) and returns its path.
fn scratch_file(name: &str, bytes: &[u8]) -> String {
    let dir = scratch().join(format!("{:?}", std::thread::current().id()).replace(['(', ')'], ""));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {e}", dir.display());
    }
    let path = dir.join(name);
    if let Err(e) = std::fs::write(&path, bytes) {
        panic!("cannot write the fuzz input {}: {e}", path.display());
    }
    path.to_string_lossy().into_owned()
}

fn spec(format: InputFormat, invalid_utf8: Utf8Policy, max_document_bytes: u64) -> InputSpec {
    InputSpec { files: Vec::new(), format, invalid_utf8, max_document_bytes }
}

/// Reads one file; `Err` is a fatal input error (allowed, under `invalid_utf8 = "fail"`).
fn read(path: &str, spec: &InputSpec) -> Result<Vec<ReadEvent>, String> {
    let mut events = Vec::new();
    read_file(&InputFile::Path(path.to_owned()), spec, &mut |e| events.push(e), &|_| {})
        .map_err(|e| e.0)
        .map(|()| events)
}

fn documents(events: &[ReadEvent]) -> impl Iterator<Item = &Document> {
    events.iter().filter_map(|e| if let ReadEvent::Document(d) = e { Some(d) } else { None })
}

fn assert_invariants(doc: &Document, context: &str) {
    if let Err(e) = doc.check_invariants() {
        panic!("{context}: invariant broken: {e}");
    }
}

/// A document of a text file maps back to the exact bytes it was read from.
fn assert_verbatim(doc: &Document, raw: &[u8], context: &str) {
    if doc.source.line.is_some() {
        return;
    }
    let Some(src) = raw.get(doc.source.start..doc.source.end) else {
        panic!(
            "{context}: document {} has source {}..{} outside the input ({} bytes)",
            doc.id,
            doc.source.start,
            doc.source.end,
            raw.len()
        );
    };
    match docpipe_core::align::reconstruct_source(doc.text.as_bytes(), &doc.source.edits, src) {
        Some(rebuilt) if rebuilt == src => {}
        _ => panic!(
            "{context}: document {} does not map back to input bytes {}..{}",
            doc.id, doc.source.start, doc.source.end
        ),
    }
}

const POLICIES: [Utf8Policy; 3] = [Utf8Policy::Lossy, Utf8Policy::Skip, Utf8Policy::Fail];
/// The default cap, and a small one so that the over-long paths are reached.
const LIMITS: [u64; 2] = [1 << 30, 40];

// ---------------------------------------------------------------------------------------
// config

/// The config loader on arbitrary TOML, with every plugin registered (stage options are
/// deserialised and stages built). Inputs are replaced by an in-memory file so that a fuzzed
/// `paths = ["/"]` does not walk the machine; output paths resolve inside the scratch folder.
pub fn config(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let base = scratch().join("config/a/b");
    let overrides = Overrides {
        memory_inputs: vec![InputFile::Memory { name: "fuzz.txt".into(), bytes: b"fuzz" }],
        ..Overrides::default()
    };
    let lines = src.split('\n').count();
    match load_str(src, "fuzz.toml", &base, &overrides) {
        Ok(p) => {
            assert!(p.stages.iter().all(|s| !s.name.is_empty()), "a stage without a name");
        }
        Err(errors) => {
            assert!(!errors.0.is_empty(), "load_str failed without an error");
            for e in &errors.0 {
                assert!(e.line >= 1 && e.line <= lines && e.col >= 1, "error position out of the file: {e}");
                assert!(!e.message.trim().is_empty(), "empty error message at {}:{}", e.line, e.col);
                assert!(!e.message.ends_with('.'), "message ends with a period: {e}");
            }
            let text = errors.to_string();
            assert!(text.lines().count() >= errors.0.len(), "errors do not render one per line");
        }
    }
}

// ---------------------------------------------------------------------------------------
// jsonl

/// The JSONL reader, under every UTF-8 policy and two line caps: every non-blank line is one
/// document or one failure naming `file:line`, every document passes the invariants, and every
/// document written back as a docpipe record reads back equal.
pub fn jsonl(data: &[u8]) {
    let path = scratch_file("fuzz.jsonl", data);
    // A leading byte order mark is not part of the first line (the reader strips it).
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let non_blank = lines.iter().filter(|l| !l.iter().all(u8::is_ascii_whitespace)).count();
    for policy in POLICIES {
        for limit in LIMITS {
            let context = format!("jsonl {policy:?} limit {limit}");
            let events = match read(&path, &spec(InputFormat::Auto, policy, limit)) {
                Ok(ev) => ev,
                Err(msg) => {
                    assert!(policy == Utf8Policy::Fail, "{context}: fatal error {msg}");
                    continue;
                }
            };
            let mut accounted = 0;
            let mut last_line = 0;
            for e in &events {
                match e {
                    ReadEvent::Document(d) => {
                        accounted += 1;
                        assert_invariants(d, &context);
                        if let Some(line) = d.source.line.filter(|_| !d.source.path.is_empty()) {
                            assert!(line > last_line || d.source.path != path, "{context}: lines out of order");
                            if d.source.path == path {
                                last_line = line;
                            }
                        }
                    }
                    ReadEvent::Failed(r) => {
                        accounted += 1;
                        assert!(
                            r.reason.starts_with(&format!("{path}:")),
                            "{context}: reason does not name the file: {}",
                            r.reason
                        );
                        assert!(r.source.line.is_some(), "{context}: a failed line without its line number");
                    }
                    ReadEvent::Dropped(r) => panic!("{context}: a JSONL line dropped: {}", r.reason),
                    ReadEvent::Replaced { .. } => {}
                }
            }
            assert!(
                accounted >= non_blank && accounted <= lines.len(),
                "{context}: {accounted} documents and failures for {non_blank} non-blank lines of {}",
                lines.len()
            );
            for d in documents(&events) {
                round_trip(d, &context);
            }
        }
    }
}

/// Writes `doc` as a docpipe record and reads it back: it must be the same document.
fn round_trip(doc: &Document, context: &str) {
    let Ok(line) = serde_json::to_string(doc) else { panic!("{context}: document {} does not serialise", doc.id) };
    let path = scratch_file("roundtrip.jsonl", line.as_bytes());
    let events = match read(&path, &spec(InputFormat::Jsonl, Utf8Policy::Fail, 1 << 30)) {
        Ok(ev) => ev,
        Err(msg) => panic!("{context}: the record of {} does not read back: {msg}", doc.id),
    };
    match events.as_slice() {
        [ReadEvent::Document(back)] if back == doc => {}
        [ReadEvent::Document(back)] => {
            panic!("{context}: document {} reads back different:\n{doc:?}\n{back:?}", doc.id)
        }
        other => panic!("{context}: the record of {} reads back as {other:?}", doc.id),
    }
}

// ---------------------------------------------------------------------------------------
// text

/// The text reader, under every UTF-8 policy and two size caps: one event per file (a document,
/// a drop or a failure), the document maps back to the exact input bytes, valid UTF-8 is read
/// unchanged.
pub fn text(data: &[u8]) {
    let path = scratch_file("fuzz.txt", data);
    for policy in POLICIES {
        for limit in LIMITS {
            let context = format!("text {policy:?} limit {limit}");
            let events = match read(&path, &spec(InputFormat::Auto, policy, limit)) {
                Ok(ev) => ev,
                Err(msg) => {
                    assert!(policy == Utf8Policy::Fail, "{context}: fatal error {msg}");
                    assert!(std::str::from_utf8(data).is_err(), "{context}: fatal error on valid UTF-8: {msg}");
                    continue;
                }
            };
            check_text_events(&events, data, &path, policy, limit, &context);
        }
    }
}

fn check_text_events(events: &[ReadEvent], data: &[u8], path: &str, policy: Utf8Policy, limit: u64, context: &str) {
    let outcomes: Vec<&ReadEvent> = events.iter().filter(|e| !matches!(e, ReadEvent::Replaced { .. })).collect();
    assert!(outcomes.len() == 1, "{context}: {} outcomes for one text file: {events:?}", outcomes.len());
    match outcomes[0] {
        ReadEvent::Document(d) => {
            assert_invariants(d, context);
            assert_verbatim(d, data, context);
            assert!(data.len() as u64 <= limit, "{context}: a file over the cap was read");
            match std::str::from_utf8(data) {
                // A leading byte order mark is not part of the text (the document starts after it).
                Ok(s) => assert!(
                    d.text == s.strip_prefix('\u{feff}').unwrap_or(s),
                    "{context}: valid UTF-8 changed on reading"
                ),
                Err(_) => assert!(policy == Utf8Policy::Lossy, "{context}: invalid UTF-8 read under {policy:?}"),
            }
        }
        ReadEvent::Failed(r) => {
            assert!(r.reason.starts_with(path), "{context}: reason does not name the file: {}", r.reason);
            assert!(r.source.end <= data.len(), "{context}: rejected range past the end");
        }
        ReadEvent::Dropped(r) => {
            let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
            assert!(body.iter().all(u8::is_ascii_whitespace), "{context}: a non-blank file dropped: {}", r.reason);
        }
        ReadEvent::Replaced { .. } => {}
    }
}

// ---------------------------------------------------------------------------------------
// web

/// The HTML and WARC readers. The first byte picks how the rest is read: an `.html` page, an
/// uncompressed `.warc`, or a `.warc.gz` (the rest as it is, or each half gzipped as a member
/// of its own). Nothing may panic or loop; every document passes the invariants; a page's
/// document, and the documents of an uncompressed archive, map back to the exact bytes.
pub fn web(data: &[u8]) {
    use std::io::Write as _;
    let Some((&mode, rest)) = data.split_first() else { return };
    let gz = |b: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let _ = e.write_all(b);
        e.finish().unwrap_or_default()
    };
    let (name, bytes): (&str, Vec<u8>) = match mode % 4 {
        0 => ("fuzz.html", rest.to_vec()),
        1 => ("fuzz.warc", rest.to_vec()),
        2 => ("fuzz.warc.gz", rest.to_vec()),
        _ => {
            let (a, b) = rest.split_at(rest.len() / 2);
            ("fuzz.warc.gz", [gz(a), gz(b)].concat())
        }
    };
    let path = scratch_file(name, &bytes);
    for limit in LIMITS {
        let context = format!("{name} limit {limit}");
        let events = match read(&path, &spec(InputFormat::Auto, Utf8Policy::Lossy, limit)) {
            Ok(ev) => ev,
            Err(msg) => panic!("{context}: fatal error {msg}"),
        };
        for d in documents(&events) {
            assert_invariants(d, &context);
            // (A `.warc` that starts like gzip is read as gzip.)
            if mode % 4 == 0 || (mode % 4 == 1 && !bytes.starts_with(&[0x1f, 0x8b])) {
                assert_verbatim(d, &bytes, &context);
            }
        }
        for e in &events {
            if let ReadEvent::Failed(r) = e {
                assert!(r.reason.starts_with(&path), "{context}: reason does not name the file: {}", r.reason);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// decompress

/// Decompression. The first byte picks a mode; the rest is either a damaged compressed file
/// (modes 0-3: `.txt.gz`, `.jsonl.gz`, `.txt.zst`, `.jsonl.zst`; nothing may panic and every
/// document passes the invariants) or a plain text that is compressed here and must read back
/// exactly as the plain file does (modes 4-7: gzip one member, gzip two members, zstd one
/// frame, zstd two frames after a skippable frame).
pub fn decompress(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 8 {
        m @ 0..=3 => {
            let name = ["fuzz.txt.gz", "fuzz.jsonl.gz", "fuzz.txt.zst", "fuzz.jsonl.zst"][usize::from(m)];
            let path = scratch_file(name, rest);
            for policy in POLICIES {
                let context = format!("{name} {policy:?}");
                if let Ok(events) = read(&path, &spec(InputFormat::Auto, policy, 1 << 20)) {
                    for d in documents(&events) {
                        assert_invariants(d, &context);
                    }
                    if m % 2 == 0 {
                        let outcomes = events.iter().filter(|e| !matches!(e, ReadEvent::Replaced { .. })).count();
                        assert!(outcomes == 1, "{context}: {outcomes} outcomes for one text file");
                    }
                }
            }
        }
        m => {
            let half = rest.len() / 2;
            let (name, packed) = match m {
                4 => ("fuzz.txt.gz", gzip(rest)),
                5 => ("fuzz.txt.gz", [gzip(&rest[..half]), gzip(&rest[half..])].concat()),
                6 => ("fuzz.txt.zst", zstd(rest)),
                _ => ("fuzz.txt.zst", [skippable_frame(), zstd(&rest[..half]), zstd(&rest[half..])].concat()),
            };
            let plain = scratch_file("plain.txt", rest);
            let path = scratch_file(name, &packed);
            for policy in POLICIES {
                let context = format!("{name} mode {m} {policy:?}");
                let s = spec(InputFormat::Auto, policy, 1 << 20);
                let (a, b) = (read(&plain, &s), read(&path, &s));
                match (&a, &b) {
                    (Ok(a), Ok(b)) => {
                        let texts = |ev: &[ReadEvent]| documents(ev).map(|d| d.text.clone()).collect::<Vec<_>>();
                        assert!(texts(a) == texts(b), "{context}: decompressed text differs from the plain file");
                        assert!(a.len() == b.len(), "{context}: {} events plain, {} compressed", a.len(), b.len());
                        check_text_events(b, rest, &path, policy, 1 << 20, &context);
                    }
                    (Err(_), Err(_)) => {}
                    _ => panic!("{context}: plain {:?} but compressed {:?}", a.as_ref().err(), b.as_ref().err()),
                }
            }
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if let Err(e) = enc.write_all(bytes) {
        panic!("gzip in memory: {e}");
    }
    match enc.finish() {
        Ok(v) => v,
        Err(e) => panic!("gzip in memory: {e}"),
    }
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

/// A zstd skippable frame (magic 0x184D2A50, 4-byte length, payload), as pzstd writes first.
fn skippable_frame() -> Vec<u8> {
    let mut f = 0x184D_2A50u32.to_le_bytes().to_vec();
    f.extend_from_slice(&4u32.to_le_bytes());
    f.extend_from_slice(b"skip");
    f
}

// ---------------------------------------------------------------------------------------
// stages

/// Splits fuzz input into up to four documents at ASCII record separators (0x1E), so that a
/// plain text file is a useful seed and stateful stages (dedupe) see several documents.
fn fuzz_documents(data: &[u8]) -> (Vec<Document>, Vec<Vec<u8>>) {
    let mut docs = Vec::new();
    let mut raws = Vec::new();
    for (i, part) in data.split(|&b| b == 0x1e).take(4).enumerate() {
        let text = String::from_utf8_lossy(part).into_owned();
        // Lossy decoding changes the bytes: the document's "input" is then its UTF-8 text.
        let mut doc = Document::from_source(format!("f{i}.txt@0"), text, format!("f{i}.txt"), 0);
        doc.metadata.insert("story".into(), ["a", "b"][i % 2].into());
        raws.push(doc.text.as_bytes().to_vec());
        docs.push(doc);
    }
    (docs, raws)
}

/// Every registered stage, built from its registry example, on the fuzz documents; then the
/// whole news pipeline (`config/news.toml`) in order. Stages may fail a document (an `Err`),
/// never panic; every document they emit passes the invariants and maps back to its input
/// bytes; per stage, documents in = kept + dropped + failed.
pub fn stages(data: &[u8]) {
    let (docs, raws) = fuzz_documents(data);
    let (examples, news) = plans();
    for p in examples {
        run_stage(&p.name, p.build(), docs.clone(), &raws);
    }
    let mut flowing = docs;
    for p in news {
        flowing = run_stage(&p.name, p.build(), flowing, &raws);
    }
}

/// One stage to run. Map stages are stateless, so each is built once and shared by every
/// input (building the splitter compiles its regexes, which made this target run at 0.4
/// inputs a second); ordered stages and sinks hold state and are built afresh for each input.
struct Planned {
    name: String,
    shared: Option<Box<dyn docpipe_core::MapStage>>,
    factory: &'static docpipe_core::StageFactory,
    table: String,
}

impl Planned {
    fn new(factory: &'static docpipe_core::StageFactory, name: String, table: String) -> Planned {
        let mut p = Planned { name, shared: None, factory, table };
        if factory.kind == docpipe_core::StageKind::Map
            && let Stage::Map(m) = p.fresh()
        {
            p.shared = Some(m);
        }
        p
    }

    fn fresh(&self) -> Stage {
        let out = scratch().join("stages/a/b");
        let opts = match StageOptions::parse_snippet(&self.table, &out) {
            Ok(o) => o,
            Err(e) => panic!("{}: options do not parse: {e}", self.name),
        };
        match (self.factory.build)(&opts) {
            Ok(s) => s,
            Err(e) => panic!("{}: does not build: {e}", self.name),
        }
    }

    fn build(&'static self) -> Stage {
        match &self.shared {
            Some(m) => Stage::Map(Box::new(SharedMap(m.as_ref()))),
            None => self.fresh(),
        }
    }
}

/// A shared map stage, lent to one run.
struct SharedMap(&'static dyn docpipe_core::MapStage);

impl docpipe_core::MapStage for SharedMap {
    fn process(&self, doc: Document) -> Result<Outcome, docpipe_core::StageError> {
        self.0.process(doc)
    }
}

/// The registry examples and the stages of `config/news.toml` (whose `[[stage]]` tables are
/// cut out of the file and built like the examples).
fn plans() -> &'static (Vec<Planned>, Vec<Planned>) {
    const NEWS: &str = include_str!("../../config/news.toml");
    static PLANS: OnceLock<(Vec<Planned>, Vec<Planned>)> = OnceLock::new();
    PLANS.get_or_init(|| {
        let examples = registry::factories()
            .into_iter()
            .map(|f| {
                Planned::new(f, f.name.to_owned(), f.example.trim_start().trim_start_matches("[[stage]]").to_owned())
            })
            .collect();
        let value = |table: &str, key: &str| {
            table.lines().find_map(|l| {
                l.trim().strip_prefix(key)?.trim_start().strip_prefix("= \"")?.split('"').next().map(str::to_owned)
            })
        };
        let news = NEWS
            .split("[[stage]]")
            .skip(1)
            .map(|table| {
                let Some(ty) = value(table, "type") else { panic!("config/news.toml: a stage without a type") };
                let Some(factory) = registry::find(&ty) else { panic!("config/news.toml: unknown stage type {ty}") };
                let name = value(table, "name").unwrap_or_else(|| ty.clone());
                Planned::new(factory, name, table.to_owned())
            })
            .collect();
        (examples, news)
    })
}

/// Runs one stage over `docs` the way the runner does (minus the panic guard), checks every
/// output and the stage's accounting, and returns what it emitted.
fn run_stage(name: &str, stage: Stage, docs: Vec<Document>, raws: &[Vec<u8>]) -> Vec<Document> {
    let n_in = docs.len();
    let (mut kept, mut dropped, mut failed) = (0usize, 0usize, 0usize);
    let mut out = Vec::new();
    let mut take = |r: Result<Outcome, docpipe_core::StageError>, out: &mut Vec<Document>| match r {
        Ok(Outcome::Keep(d)) => {
            kept += 1;
            out.push(d);
        }
        Ok(Outcome::Split(v)) if v.is_empty() => dropped += 1,
        Ok(Outcome::Split(v)) => {
            kept += 1;
            out.extend(v);
        }
        Ok(Outcome::Drop(reason) | Outcome::DropWith { reason, .. }) => {
            assert!(!reason.is_empty(), "{name}: a drop without a reason");
            dropped += 1;
        }
        Err(e) => {
            assert!(!e.full_message().is_empty(), "{name}: an error without a message");
            failed += 1;
        }
    };
    match stage {
        Stage::Map(m) => {
            for d in docs {
                take(m.process(d), &mut out);
            }
        }
        Stage::Ordered(mut o) => {
            for mut d in docs {
                match o.prepare(&mut d) {
                    Ok(prepared) => take(o.process(d, prepared), &mut out),
                    Err(e) => take(Err(e), &mut out),
                }
            }
            match o.finish() {
                Ok(extra) => out.extend(extra),
                Err(e) => assert!(!e.full_message().is_empty(), "{name}: finish failed without a message"),
            }
            let _ = o.counters();
        }
        Stage::Sink(mut s) => {
            if s.begin().is_ok() {
                for d in &docs {
                    match s.write(d) {
                        Ok(()) => kept += 1,
                        Err(_) => failed += 1,
                    }
                }
                let _ = s.finish(&RunStats::default());
            } else {
                kept += docs.len();
            }
            out = docs;
        }
    }
    assert!(n_in == kept + dropped + failed, "{name}: in {n_in} != kept {kept} + dropped {dropped} + failed {failed}");
    for d in &out {
        assert_invariants(d, name);
        if let Some(i) =
            d.source.path.strip_prefix('f').and_then(|p| p.strip_suffix(".txt")).and_then(|i| i.parse::<usize>().ok())
            && let Some(raw) = raws.get(i)
        {
            assert_verbatim(d, raw, name);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// pipeline

/// A whole run of the news pipeline (`docpipe_core::runner::run`, one thread) on the fuzz
/// input as one text file: it succeeds, its statistics pass the accounting identity, and every
/// document in `documents.jsonl` reads back and passes the invariants.
pub fn pipeline(data: &[u8]) {
    const NEWS: &str = include_str!("../../config/news.toml");
    let input = scratch_file("pipeline.txt", data);
    let out = scratch().join(format!("pipeline-{:?}", std::thread::current().id()).replace(['(', ')'], ""));
    let overrides =
        Overrides { inputs: vec![input], output_dir: Some(out.to_string_lossy().into_owned()), ..Overrides::default() };
    let pipeline = match load_str(NEWS, "config/news.toml", &scratch().join("news/config"), &overrides) {
        Ok(p) => p,
        Err(e) => panic!("config/news.toml does not load: {e}"),
    };
    let opts = docpipe_core::runner::RunOptions { threads: 1, cancel: None, shard: None };
    let outcome = match docpipe_core::runner::run(pipeline, &opts, &docpipe_core::runner::Silent) {
        Ok(o) => o,
        Err(e) => panic!("the news pipeline failed: {e}"),
    };
    if let Err(problems) = outcome.stats.check_accounting() {
        panic!("accounting broken: {}", problems.join("; "));
    }
    if let Some(path) = &outcome.documents_path {
        let written = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => panic!("cannot read {}: {e}", path.display()),
        };
        for line in written.lines() {
            match serde_json::from_str::<Document>(line) {
                Ok(d) => assert_invariants(&d, "documents.jsonl"),
                Err(e) => panic!("documents.jsonl holds a record that does not read back: {e}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` through its
    /// harness, on stable: the fuzz corpus and every crash ever found stay green in CI.
    #[test]
    fn fuzz_corpus_and_regressions_replay() {
        let root = crate::repo_root().join("fuzz");
        let mut count = 0;
        let mut failures = Vec::new();
        for dir in ["corpus", "regressions"] {
            for target in TARGETS {
                let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else { continue };
                let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                files.sort();
                for f in files {
                    let data = std::fs::read(&f).unwrap();
                    if std::panic::catch_unwind(|| run_target(target, &data)).is_err() {
                        failures.push(format!("{target}: {}", f.display()));
                    }
                    count += 1;
                }
            }
        }
        let _ = std::fs::remove_dir_all(scratch());
        assert!(count > 0, "no fuzz corpus found under {}", root.display());
        assert!(failures.is_empty(), "fuzz inputs that fail (messages above):\n{}", failures.join("\n"));
    }

    #[test]
    fn every_stage_is_fuzzed() {
        assert_eq!(registry::factories().len(), 7, "a plugin is not linked into the fuzz harness");
    }
}
