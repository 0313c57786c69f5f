//! Pipeline configuration: TOML parsed with spans, validated all at once.
//!
//! A config has `[input]`, `[output]`, `[run]` and any number of `[[stage]]` tables, run in
//! the order written. Parsing keeps the byte span of every key and value, so every problem is
//! reported as `path:line:col: message` — unknown tables, keys and stage types with a
//! did-you-mean, type errors naming the expected type, missing input paths, unwritable output
//! directories — and [`load`] gathers *all* of them before failing, like `vector validate`.
//!
//! Relative paths in a config file resolve against the directory of that config file, so a
//! pipeline runs the same from any working directory. Paths given on the command line
//! resolve against the working directory as usual.

use std::fmt;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::input::{InputFormat, InputSpec, Utf8Policy};
use crate::options::{Json, OptionType, Options};
use crate::registry;
use crate::stage::Stage;

/// One configuration problem at a position of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The config file as named by the user.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What is wrong, and how to fix it where we know.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.col, self.message)
    }
}

/// Every problem found in a config, in file order.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// An error from a stage constructor, located at an option where possible.
#[derive(Debug, Clone)]
pub struct BuildError {
    span: Option<Range<usize>>,
    message: String,
}

impl BuildError {
    /// The error message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What to do when a stage fails on one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Record the document in `failed.jsonl` and go on.
    #[default]
    Skip,
    /// Stop the run (exit code 1); nothing is committed.
    Fail,
}

/// The options table of one `[[stage]]`, handed to a [`registry::StageFactory`]'s constructor.
#[derive(Debug)]
pub struct StageOptions<'a> {
    table: Spanned<DeValue<'a>>,
    base_dir: PathBuf,
    output_dir: PathBuf,
    name: String,
    /// Output paths resolved through [`StageOptions::resolve_output_path`], with the span of
    /// the option that named them: checked for collisions after every stage is built.
    claimed: std::cell::RefCell<Vec<(PathBuf, Option<Range<usize>>)>>,
    /// Problems found while resolving output paths (empty, NUL, unwritable).
    problems: std::cell::RefCell<Vec<(Option<Range<usize>>, String)>>,
}

impl<'a> StageOptions<'a> {
    /// Deserialises the options into the stage's options struct (which should use
    /// `#[serde(deny_unknown_fields)]` and `#[serde(default)]`). Errors carry the position.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, BuildError> {
        let de = ValueDeserializer::from(self.table.clone());
        T::deserialize(de).map_err(|e| BuildError { span: e.span(), message: improve_message(e.message()) })
    }

    /// An error about option `key` (located at its value, or at the table if it is absent).
    pub fn error(&self, key: &str, message: impl Into<String>) -> BuildError {
        let span = self
            .table
            .get_ref()
            .as_table()
            .and_then(|t| t.get(key))
            .map(|v| v.span())
            .unwrap_or_else(|| self.table.span());
        BuildError { span: Some(span), message: format!("option `{key}`: {}", message.into()) }
    }

    /// Resolves an *input* path option (a gazetteer, a pattern file) against the config
    /// file's directory.
    pub fn resolve_path(&self, path: &str) -> PathBuf {
        resolve(&self.base_dir, path)
    }

    /// Resolves an *output* path option (an export file, a report, an index) against the
    /// run's output directory (`output.dir`, or `--output`), so one flag moves every output
    /// of a run. Absolute paths and `-` are kept as they are.
    ///
    /// The path is also claimed for the run: `check` and `run` reject an output path that
    /// is empty, holds a NUL byte, lies in a folder that cannot be written, or that another
    /// stage, the runner (`documents.jsonl`, `failed.jsonl`, `stats.json`) or an input file
    /// also uses.
    pub fn resolve_output_path(&self, path: &str) -> PathBuf {
        let resolved = resolve(&self.output_dir, path);
        let span = self.span_of_value(path);
        let mut problems = self.problems.borrow_mut();
        if path.is_empty() {
            problems.push((span, "output path is empty".to_owned()));
        } else if path.contains('\0') {
            problems.push((span, "output path contains a NUL byte".to_owned()));
        } else if path != "-" {
            if let Some(dir) = resolved.parent().filter(|d| !d.as_os_str().is_empty())
                && let Err(msg) = check_writable_dir(dir)
            {
                problems.push((span.clone(), format!("output path {}: {msg}", resolved.display())));
            }
            self.claimed.borrow_mut().push((resolved.clone(), span));
        }
        resolved
    }

    /// The span of the option whose value is the string `value` (at any depth), else the table.
    fn span_of_value(&self, value: &str) -> Option<Range<usize>> {
        fn find(v: &Spanned<DeValue<'_>>, value: &str) -> Option<Range<usize>> {
            match v.get_ref() {
                DeValue::String(s) if s.as_ref() == value => Some(v.span()),
                DeValue::Table(t) => t.iter().find_map(|(_, v)| find(v, value)),
                DeValue::Array(a) => a.iter().find_map(|v| find(v, value)),
                _ => None,
            }
        }
        Some(find(&self.table, value).unwrap_or_else(|| self.table.span()))
    }

    /// The run's output directory.
    pub fn output_dir(&self) -> &Path {
        &self.output_dir
    }

    /// The instance name (`name = …`, or the stage type).
    pub fn stage_name(&self) -> &str {
        &self.name
    }

    /// Builds options from a TOML snippet holding one stage table's keys (for tests and docs).
    pub fn parse_snippet(toml_src: &'a str, base_dir: &Path) -> Result<StageOptions<'a>, String> {
        let table = DeTable::parse(toml_src).map_err(|e| e.to_string())?;
        let span = table.span();
        let mut inner = table.into_inner();
        let name = inner
            .remove("name")
            .and_then(|v| v.get_ref().as_str().map(str::to_owned))
            .or_else(|| inner.get("type").and_then(|v| v.get_ref().as_str().map(str::to_owned)))
            .unwrap_or_default();
        inner.remove("type");
        inner.remove("on_error");
        Ok(StageOptions {
            table: Spanned::new(span, DeValue::Table(inner)),
            base_dir: base_dir.to_owned(),
            output_dir: base_dir.to_owned(),
            name,
            claimed: Default::default(),
            problems: Default::default(),
        })
    }
}

/// `[output]`: where the run writes its files.
#[derive(Debug, Clone, Deserialize, Serialize, crate::Options)]
#[serde(deny_unknown_fields, default)]
pub struct OutputSection {
    /// Directory for `documents.jsonl`, `failed.jsonl` and `stats.json`, and the base of
    /// relative output paths of stages; relative to the config file. `--output` replaces it.
    pub dir: Spanned<String>,
    /// Write every document that reaches the end of the pipeline to `documents.jsonl`.
    pub write_documents: bool,
}

impl Default for OutputSection {
    fn default() -> Self {
        OutputSection { dir: Spanned::new(0..0, "docpipe-out".to_owned()), write_documents: true }
    }
}

/// `[run]`: execution settings.
#[derive(Debug, Clone, Deserialize, Serialize, crate::Options)]
#[serde(deny_unknown_fields, default)]
pub struct RunSection {
    /// What a failure does, for input failures (malformed lines, binary, oversized or
    /// unreadable files) and as the default for every stage's `on_error`: `skip` records the
    /// failing document in `failed.jsonl` and goes on, `fail` stops the run (exit 1, nothing
    /// committed).
    pub on_error: OnError,
    /// Documents per batch (bounds memory together with `batch_bytes`).
    pub batch_size: usize,
    /// Bytes of text per batch, at most (a single larger document is its own batch).
    pub batch_bytes: usize,
    /// Worker threads; 0 means one per core. `--threads` overrides it.
    pub threads: usize,
}

impl Default for RunSection {
    fn default() -> Self {
        RunSection { on_error: OnError::Skip, batch_size: 1024, batch_bytes: 8 << 20, threads: 0 }
    }
}

/// `[input]`: what the run reads.
#[derive(Debug, Deserialize, Serialize, crate::Options)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct InputSection {
    /// Files, directories (walked recursively) and globs, relative to the config file; `-` is
    /// standard input. `--input` replaces them.
    paths: Vec<Spanned<String>>,
    /// `text`: each file is one document; `jsonl`: one JSON record per line; `html`: each
    /// file is one page, decoded to UTF-8 (still markup; metadata `encoding`,
    /// `encoding_source`); `warc`: WARC archives, one document per HTML response record (id
    /// `PATH#OFFSET`, metadata `url`, `warc_*`, `http_*`; other records are counted as drops);
    /// `auto`: by extension (`.jsonl`, `.ndjson`; `.html`, `.htm`, `.xhtml`; `.warc`),
    /// standard input sniffed. `.gz` and `.zst` files are decompressed.
    format: InputFormat,
    /// Glob patterns of files to leave out of directory walks and globs.
    exclude: Vec<Spanned<String>>,
    /// Bytes that are not UTF-8: `lossy` replaces each bad sequence by U+FFFD, `skip`
    /// records the document in `failed.jsonl`, `fail` stops the run.
    invalid_utf8: Utf8Policy,
    /// Larger documents (text files, or JSONL lines without their terminator) fail, recorded
    /// in `failed.jsonl`, instead of being read (a document is held whole in memory).
    max_document_bytes: u64,
}

/// The enums of the sections read as `"a" | "b"` (they are declared where they are used).
macro_rules! enum_option_type {
    ($($t:ty),*) => {$(
        impl OptionType for $t {
            fn describe() -> String {
                crate::options::enum_describe(&crate::options::variants::<Self>())
            }
            fn describe_plural() -> String {
                Self::describe()
            }
            fn schema() -> Json {
                crate::options::enum_schema(&crate::options::variants::<Self>())
            }
        }
    )*};
}

enum_option_type!(InputFormat, Utf8Policy, OnError);

/// The JSON Schema of `[input]`, `[output]` or `[run]`.
pub(crate) fn section_schema<T: Options>() -> Json {
    crate::options::table_schema(&T::docs(), &[])
}

impl Default for InputSection {
    fn default() -> Self {
        InputSection {
            paths: Vec::new(),
            format: InputFormat::Auto,
            exclude: Vec::new(),
            invalid_utf8: Utf8Policy::Lossy,
            // A document is held whole: ~21 bytes of memory per byte with the news pipeline
            // (`cargo xtask bench --rows "single document"`), so 256 MiB costs up to ~5.4 GiB.
            max_document_bytes: 256 << 20,
        }
    }
}

/// A stage built from its `[[stage]]` table.
#[derive(Debug)]
pub struct BuiltStage {
    /// The instance name (for logs and statistics).
    pub name: String,
    /// The registered type.
    pub type_name: String,
    /// What to do when it fails on a document.
    pub on_error: OnError,
    /// The runnable stage.
    pub stage: Stage,
}

/// A loaded, validated pipeline.
#[derive(Debug)]
pub struct Pipeline {
    /// The config file, as named (or `<built-in>`).
    pub config_path: String,
    /// What to read.
    pub input: InputSpec,
    /// Where to write.
    pub output_dir: PathBuf,
    /// Whether the runner writes `documents.jsonl`.
    pub write_documents: bool,
    /// Execution settings.
    pub run: RunSection,
    /// The stages, in order.
    pub stages: Vec<BuiltStage>,
    /// Every output file the stages claimed (indexes, exports, reports), for the run's
    /// recovery of interrupted commits; the runner's own files are not listed.
    pub outputs: Vec<PathBuf>,
    /// On a shard of a sharded run: the pieces of `input.files` to read, in order, instead
    /// of every file whole (see [`crate::shard_input`]). `None` reads everything.
    pub input_pieces: Option<Vec<crate::shard_input::InputPiece>>,
}

impl Pipeline {
    /// A pipeline built in code rather than from TOML, for benches, tests and programs that
    /// embed docpipe: `files` read with `format = "auto"`, invalid UTF-8 replaced and a 1 MiB
    /// document cap; `stages` run in order, each named after its type with `on_error = "skip"`;
    /// one worker thread; the runner writes no `documents.jsonl` (sinks write what they write
    /// into `output_dir`). Change the public fields afterwards for anything else.
    pub fn from_stages(
        files: Vec<crate::input::InputFile>,
        output_dir: PathBuf,
        stages: impl IntoIterator<Item = (&'static str, Stage)>,
    ) -> Pipeline {
        Pipeline {
            config_path: "<code>".into(),
            input: InputSpec {
                files,
                format: InputFormat::Auto,
                invalid_utf8: Utf8Policy::Lossy,
                max_document_bytes: 1 << 20,
            },
            output_dir,
            write_documents: false,
            run: RunSection { threads: 1, ..RunSection::default() },
            stages: stages
                .into_iter()
                .map(|(name, stage)| BuiltStage {
                    name: name.into(),
                    type_name: name.into(),
                    on_error: OnError::Skip,
                    stage,
                })
                .collect(),
            outputs: Vec::new(),
            input_pieces: None,
        }
    }
}

/// Overrides from the command line, applied before validation.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Replaces `input.paths` (resolved against the working directory).
    pub inputs: Vec<String>,
    /// Replaces `output.dir` (resolved against the working directory).
    pub output_dir: Option<String>,
    /// Replaces the input files with in-memory ones (the built-in sample corpus).
    pub memory_inputs: Vec<crate::input::InputFile>,
    /// Replaces `input.format` (`--format`).
    pub format: Option<InputFormat>,
    /// The name standard input is given in ids and `source.path` instead of `-`
    /// (`--stdin-name`); an error when no input is standard input.
    pub stdin_name: Option<String>,
}

const TOP_LEVEL: &[&str] = &["input", "output", "run", "stage"];
const STAGE_COMMON: &[&str] = &["type", "name", "on_error"];

/// Loads a config file, builds every stage and checks inputs and outputs.
pub fn load(path: &Path, overrides: &Overrides) -> Result<Pipeline, ConfigErrors> {
    let display = path.display().to_string();
    let src = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: display.clone(),
            line: 1,
            col: 1,
            message: format!("cannot read config: {e}"),
        }])
    })?;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_str(&src, &display, &base_dir, overrides)
}

/// Loads a config from a string; `file` names it in errors, `base_dir` resolves its paths.
pub fn load_str(src: &str, file: &str, base_dir: &Path, overrides: &Overrides) -> Result<Pipeline, ConfigErrors> {
    let mut errs = Errors { src, file, list: Vec::new() };
    let (root, parse_errors) = DeTable::parse_recoverable(src);
    // One syntax error (a missing `]` or quote) makes the parser misread everything after it,
    // so the errors after the first are almost always echoes of it: report the first alone.
    if let Some(e) = parse_errors.first() {
        errs.push(e.span(), syntax_message(src, e.span(), e.message()));
        return Err(ConfigErrors(errs.list));
    }
    let mut root = root.into_inner();

    for (key, _) in root.iter() {
        if !TOP_LEVEL.contains(&key.get_ref().as_ref()) {
            let msg = format!("unknown table `{}`{}", key.get_ref(), did_you_mean(key.get_ref(), TOP_LEVEL));
            errs.push(Some(key.span()), msg);
        }
    }

    let threads_span =
        root.get("run").and_then(|v| v.get_ref().as_table()).and_then(|t| t.get("threads")).map(|v| v.span());
    let input: InputSection = section(&mut root, "input", &mut errs).unwrap_or_default();
    let output: OutputSection = section(&mut root, "output", &mut errs).unwrap_or_default();
    let run: RunSection = section(&mut root, "run", &mut errs).unwrap_or_default();
    if let Err(msg) = check_threads(run.threads) {
        errs.push(threads_span, format!("[run] threads = {}: {msg}", run.threads));
    }
    if overrides.output_dir.is_none() && output.dir.get_ref() == "-" {
        errs.push(Some(output.dir.span()), format!("output.dir \"-\": {OUTPUT_DASH}"));
    }

    // Output directory.
    let (output_dir, out_span) = match &overrides.output_dir {
        Some(d) => (PathBuf::from(d), None),
        None => (resolve(base_dir, output.dir.get_ref()), Some(output.dir.span()).filter(|s| !s.is_empty())),
    };
    if let Err(msg) = check_writable_dir(&output_dir) {
        errs.push(out_span, format!("output.dir {}: {msg}", output_dir.display()));
    }

    // Stages.
    let mut stages = Vec::new();
    let mut claimed: Vec<Claim> = Vec::new();
    match root.remove("stage") {
        None => {}
        Some(v) => {
            let span = v.span();
            match v.into_inner() {
                DeValue::Array(items) => {
                    for item in items {
                        if let Some(s) = build_stage(item, base_dir, &output_dir, run.on_error, &mut errs, &mut claimed)
                        {
                            stages.push(s);
                        }
                    }
                }
                other => errs.push(
                    Some(span),
                    format!("`stage` must be an array of tables (`[[stage]]`), found {}", other.type_str()),
                ),
            }
        }
    }

    // Inputs. Each exclude pattern is checked once, at its own position; with a bad one the
    // paths are not walked (every walk would repeat the error). Patterns resolve against the
    // config file's directory, like the paths.
    let mut excludes_ok = true;
    for e in &input.exclude {
        if let Err(msg) = crate::input::Excludes::new(std::slice::from_ref(e.get_ref()), base_dir) {
            errs.push(Some(e.span()), format!("[input] {msg}"));
            excludes_ok = false;
        }
    }
    let exclude: Vec<String> = input.exclude.iter().map(|e| e.get_ref().clone()).collect();
    let excludes = if excludes_ok {
        crate::input::Excludes::new(&exclude, base_dir).unwrap_or_default()
    } else {
        crate::input::Excludes::none()
    };
    let input_spec = if !overrides.memory_inputs.is_empty() {
        overrides.memory_inputs.clone()
    } else if !excludes_ok {
        Vec::new()
    } else if overrides.inputs.is_empty() {
        if input.paths.is_empty() {
            errs.push(Some(0..0), "no input: set `input.paths` or pass --input".to_owned());
        }
        let mut files = Vec::new();
        for p in &input.paths {
            match crate::input::resolve_path(&resolve_display(base_dir, p.get_ref()), &excludes) {
                Ok(mut f) => files.append(&mut f),
                Err(msg) => errs.push(Some(p.span()), msg),
            }
        }
        files
    } else {
        let mut files = Vec::new();
        for p in &overrides.inputs {
            match crate::input::resolve_path(p, &excludes) {
                Ok(mut f) => files.append(&mut f),
                Err(msg) => errs.push(None, format!("--input: {msg}")),
            }
        }
        files
    };
    let mut input_spec = input_spec;
    if let Some(name) = &overrides.stdin_name {
        let mut named = false;
        for f in &mut input_spec {
            if let crate::input::InputFile::Stdin { name: n } = f {
                n.clone_from(name);
                named = true;
            }
        }
        if name.is_empty() || name.contains(['\n', '\r']) {
            errs.push(None, format!("--stdin-name {name:?}: must be a non-empty name on one line"));
        } else if !named {
            errs.push(None, format!("--stdin-name {name}: no input is standard input (`-`)"));
        }
    }
    let input_spec = InputSpec {
        files: crate::input::dedup_files(input_spec),
        format: overrides.format.unwrap_or(input.format),
        invalid_utf8: input.invalid_utf8,
        max_document_bytes: input.max_document_bytes,
    };

    check_collisions(&output_dir, output.write_documents, &claimed, &input_spec.files, &mut errs);

    if !errs.list.is_empty() {
        return Err(ConfigErrors(errs.list));
    }
    // Instances of the same type without their own `name` become `type`, `type#2`, …, so
    // every row of the run table names one stage.
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for s in &mut stages {
        let n = seen.entry(s.name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            s.name = format!("{}#{n}", s.name);
        }
    }
    Ok(Pipeline {
        config_path: file.to_owned(),
        input: input_spec,
        output_dir,
        write_documents: output.write_documents,
        run,
        stages,
        outputs: claimed.into_iter().map(|c| c.path).collect(),
        input_pieces: None,
    })
}

struct Errors<'s> {
    src: &'s str,
    file: &'s str,
    list: Vec<ConfigError>,
}

impl Errors<'_> {
    fn push(&mut self, span: Option<Range<usize>>, message: String) {
        let (line, col) = line_col(self.src, span.map(|s| s.start).unwrap_or(0));
        let e = ConfigError { file: self.file.to_owned(), line, col, message };
        // Keep file order; stable for equal positions.
        let at = self.list.partition_point(|x| (x.line, x.col) <= (e.line, e.col));
        self.list.insert(at, e);
    }
}

fn section<T: Options>(root: &mut DeTable<'_>, key: &str, errs: &mut Errors<'_>) -> Option<T> {
    let v = root.remove(key)?;
    let span = v.span();
    let found = v.get_ref().type_str();
    let DeValue::Table(mut table) = v.into_inner() else {
        errs.push(Some(span), format!("`{key}` must be a table (`[{key}]`), found {found}"));
        return None;
    };
    let known: Vec<&str> = T::docs().iter().map(|o| o.name).collect();
    for (span, message) in unknown_keys(&mut table, &known, &[]) {
        errs.push(Some(span), format!("[{key}] {message}"));
    }
    // Serde stops at the first problem: report it, set the key aside and try again, so every
    // bad key of the table is reported in one go.
    let mut removed = Vec::new();
    loop {
        let value = Spanned::new(span.clone(), DeValue::Table(table.clone()));
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(t) => return Some(t),
            Err(e) => {
                let message = improve_message(e.message());
                if is_echo(&message, &removed) {
                    return None;
                }
                errs.push(e.span().or(Some(span.clone())), format!("[{key}] {message}"));
                removed.push(remove_key_at(&mut table, e.span())?);
            }
        }
    }
}

/// Removes the entry of `table` whose key or value holds the start of `span` (where serde
/// located an error), returning its key; `None` when the error is not at one key (a missing
/// field is located at the whole table).
fn remove_key_at(table: &mut DeTable<'_>, span: Option<Range<usize>>) -> Option<String> {
    let at = span?.start;
    let key = table
        .iter()
        .find(|(k, v)| k.span().start <= at && at < v.span().end.max(k.span().end))
        .map(|(k, _)| k.get_ref().to_string())?;
    table.remove(key.as_str());
    Some(key)
}

/// Whether an error only follows from keys set aside after an earlier error (`missing field
/// `x`` or `option `x`: is required` once a badly typed `x` was removed).
fn is_echo(message: &str, removed: &[String]) -> bool {
    removed
        .iter()
        .any(|k| message.starts_with(&format!("missing field `{k}`")) || message.starts_with(&format!("option `{k}`:")))
}

/// The first TOML syntax error, with a hint for the commonest cause of a confusing one: an
/// array whose `]` is missing makes the parser read the next line as more array elements.
fn syntax_message(src: &str, span: Option<Range<usize>>, message: &str) -> String {
    let mut out = message.trim_end_matches('\n').to_owned();
    let at = span.map(|s| s.start).unwrap_or(0);
    let (line, col) = line_col(src, at);
    if out.starts_with("missing comma between array elements") && col == 1 && line > 1 {
        out.push_str(&format!("; is a `]` missing at the end of line {}?", line - 1));
    }
    out
}

fn build_stage(
    item: Spanned<DeValue<'_>>,
    base_dir: &Path,
    output_dir: &Path,
    default_on_error: OnError,
    errs: &mut Errors<'_>,
    claimed: &mut Vec<Claim>,
) -> Option<BuiltStage> {
    let span = item.span();
    let DeValue::Table(mut table) = item.into_inner() else {
        errs.push(Some(span), "each `[[stage]]` must be a table".to_owned());
        return None;
    };
    let type_name = match table.remove("type") {
        None => {
            errs.push(Some(span), "stage has no `type`; `docpipe stages` lists the types".to_owned());
            return None;
        }
        Some(v) => match v.get_ref().as_str() {
            Some(s) => Spanned::new(v.span(), s.to_owned()),
            None => {
                errs.push(Some(v.span()), format!("stage `type` must be a string, found {}", v.get_ref().type_str()));
                return None;
            }
        },
    };
    let mut name = type_name.get_ref().clone();
    if let Some(v) = table.remove("name") {
        match v.get_ref().as_str() {
            Some(s) => name = s.to_owned(),
            None => {
                errs.push(Some(v.span()), format!("stage `name` must be a string, found {}", v.get_ref().type_str()))
            }
        }
    }
    let mut on_error = default_on_error;
    if let Some(v) = table.remove("on_error") {
        let vspan = v.span();
        match OnError::deserialize(ValueDeserializer::from(v)) {
            Ok(o) => on_error = o,
            Err(e) => errs.push(Some(vspan), format!("stage `on_error`: {}", improve_message(e.message()))),
        }
    }
    let Some(factory) = registry::find(type_name.get_ref()) else {
        let names: Vec<&str> = registry::factories().iter().map(|f| f.name).collect();
        errs.push(
            Some(type_name.span()),
            format!(
                "unknown stage type `{}`{}; `docpipe stages` lists them",
                type_name.get_ref(),
                did_you_mean(type_name.get_ref(), &names)
            ),
        );
        return None;
    };
    // Unknown keys first, from the documented options (the options struct's fields).
    let known: Vec<&str> = factory.options().iter().map(|o| o.name).collect();
    let unknown = unknown_keys(&mut table, &known, STAGE_COMMON);
    let had_unknown = !unknown.is_empty();
    for (span, message) in unknown {
        errs.push(Some(span), format!("stage `{}`: {message}", factory.name));
    }
    // A constructor stops at its first problem: report it, set the key aside and build again,
    // so every bad option of the stage is reported in one go.
    let mut removed = Vec::new();
    loop {
        let options = StageOptions {
            table: Spanned::new(span.clone(), DeValue::Table(table.clone())),
            base_dir: base_dir.to_owned(),
            output_dir: output_dir.to_owned(),
            name: name.clone(),
            claimed: Default::default(),
            problems: Default::default(),
        };
        let built = (factory.build)(&options);
        if built.is_ok() {
            for (span, message) in options.problems.take() {
                errs.push(span, format!("stage `{name}`: {message}"));
            }
            claimed.extend(options.claimed.take().into_iter().map(|(path, span)| Claim {
                path,
                span,
                stage: name.clone(),
            }));
        }
        match built {
            Ok(stage) if removed.is_empty() && !had_unknown => {
                return Some(BuiltStage { name, type_name: type_name.into_inner(), on_error, stage });
            }
            Ok(_) => return None,
            Err(e) => {
                if is_echo(&e.message, &removed) {
                    return None;
                }
                let mut message = format!("stage `{}`: {}", factory.name, e.message);
                if message.contains("unknown field") && !message.contains("did you mean") {
                    // Offer the common keys too.
                    message.push_str(&format!(" (every stage also takes {})", STAGE_COMMON.join(", ")));
                }
                errs.push(e.span.clone().or(Some(span.clone())), message);
                removed.push(remove_key_at(&mut table, e.span)?);
            }
        }
    }
}

/// Removes the keys of `table` that are not in `known`, returning each one's position and
/// message: `unknown field `x`, expected one of `a`, `b`; did you mean `a`?` (the common
/// keys of a stage, `also`, count for the did-you-mean and are named when nothing is close).
fn unknown_keys(table: &mut DeTable<'_>, known: &[&str], also: &[&str]) -> Vec<(Range<usize>, String)> {
    let mut unknown: Vec<(String, Range<usize>)> = table
        .iter()
        .filter(|(k, _)| !known.contains(&k.get_ref().as_ref()))
        .map(|(k, _)| (k.get_ref().to_string(), k.span()))
        .collect();
    unknown.sort_by_key(|(_, span)| span.start);
    let candidates: Vec<&str> = known.iter().chain(also).copied().collect();
    let mut out = Vec::new();
    for (key, span) in unknown {
        table.remove(key.as_str());
        let expected = if known.is_empty() {
            "there are none".to_owned()
        } else {
            format!("expected one of {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
        };
        let mut message = format!("unknown field `{key}`, {expected}{}", did_you_mean(&key, &candidates));
        if !also.is_empty() && !message.contains("did you mean") {
            message.push_str(&format!(" (every stage also takes {})", also.join(", ")));
        }
        out.push((span, message));
    }
    out
}

/// An output path claimed by a stage.
struct Claim {
    path: PathBuf,
    span: Option<Range<usize>>,
    stage: String,
}

/// Rejects output paths that collide with each other, with the runner's files or with an
/// input file: one run would overwrite the other's output, or its own input.
fn check_collisions(
    output_dir: &Path,
    write_documents: bool,
    claimed: &[Claim],
    inputs: &[crate::input::InputFile],
    errs: &mut Errors<'_>,
) {
    use std::collections::HashMap;
    // What a path names on disk: the real folder (symlinks resolved, when it exists) plus
    // the file name, so `out/../out/x` and a symlinked folder compare equal.
    let identity = |p: &Path| -> PathBuf {
        let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
        let abs = lexical_normalise(&abs);
        match (abs.parent(), abs.file_name()) {
            (Some(dir), Some(name)) => std::fs::canonicalize(dir).map(|d| d.join(name)).unwrap_or(abs.clone()),
            _ => abs,
        }
    };
    let mut owners: HashMap<PathBuf, String> = HashMap::new();
    let runner_files: &[&str] = if write_documents {
        &[crate::runner::DOCUMENTS_FILE, crate::runner::FAILED_FILE, crate::runner::STATS_FILE]
    } else {
        &[crate::runner::FAILED_FILE, crate::runner::STATS_FILE]
    };
    let mut input_ids: HashMap<PathBuf, String> = HashMap::new();
    for f in inputs {
        if let crate::input::InputFile::Path(p) = f {
            input_ids.insert(identity(Path::new(p)), p.clone());
        }
    }
    for f in runner_files {
        let path = output_dir.join(f);
        let id = identity(&path);
        if let Some(input) = input_ids.get(&id) {
            errs.push(
                None,
                format!(
                    "output {} (the runner's `{f}`) is also an input file ({input}): the run would overwrite its own input; choose another output.dir",
                    path.display()
                ),
            );
        }
        owners.insert(id, format!("the runner's `{f}`"));
    }
    for c in claimed {
        let id = identity(&c.path);
        if let Some(input) = input_ids.get(&id) {
            errs.push(
                c.span.clone(),
                format!(
                    "stage `{}`: output path {} is also an input file ({input}): the run would overwrite its own input",
                    c.stage,
                    c.path.display()
                ),
            );
        }
        match owners.get(&id) {
            Some(owner) => errs.push(
                c.span.clone(),
                format!("stage `{}`: output path {} is also written by {owner}", c.stage, c.path.display()),
            ),
            None => {
                owners.insert(id, format!("stage `{}`", c.stage));
            }
        }
    }
}

/// Adds a did-you-mean to serde's "unknown field/variant `x`, expected one of `a`, `b`" messages.
pub fn improve_message(msg: &str) -> String {
    let msg = msg.trim_end_matches('\n');
    // What the TOML deserialiser says when an enum (a list of names) gets a number or an array.
    let mut out = if msg == "wanted string or table" { "expected a string".to_owned() } else { plain_type_names(msg) };
    if let Some(rest) = out.strip_prefix("unknown field `").or_else(|| out.strip_prefix("unknown variant `")) {
        let bad = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = out.split("expected").nth(1).unwrap_or("").split('`').skip(1).step_by(2).collect();
        let hint = did_you_mean(bad, &expected);
        out.push_str(&hint);
    }
    out
}

/// Serde names Rust types (`expected usize`, `invalid type: sequence`); a config's reader
/// knows TOML's: `expected a non-negative integer`, `invalid type: array`.
fn plain_type_names(msg: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("usize", "a non-negative integer"),
        ("u64", "a non-negative integer"),
        ("u32", "a non-negative integer"),
        ("u16", "a non-negative integer"),
        ("u8", "a non-negative integer"),
        ("isize", "an integer"),
        ("i64", "an integer"),
        ("i32", "an integer"),
        ("i16", "an integer"),
        ("i8", "an integer"),
        ("f64", "a number"),
        ("f32", "a number"),
        ("char", "a single character"),
        ("a sequence", "an array"),
        ("a map", "a table"),
        ("a borrowed string", "a string"),
        ("sequence", "array"),
        ("map", "table"),
    ];
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    // Only the words after `expected ` and `invalid type: `, so quoted user text is kept.
    while let Some(i) = ["expected ", "invalid type: "].iter().filter_map(|p| rest.find(p).map(|i| i + p.len())).min() {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let replaced = NAMES.iter().find(|(from, _)| {
            rest.strip_prefix(from).is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
        });
        if let Some((from, to)) = replaced {
            out.push_str(to);
            rest = &rest[from.len()..];
        }
    }
    out.push_str(rest);
    out
}

/// `"; did you mean `x`?"` for the closest candidate within a small edit distance, or `""`.
pub fn did_you_mean(bad: &str, candidates: &[&str]) -> String {
    let best = candidates
        .iter()
        .map(|c| (edit_distance(&bad.to_lowercase(), &c.to_lowercase()), *c))
        .min_by_key(|(d, c)| (*d, *c));
    match best {
        Some((d, c)) if d <= (bad.chars().count().max(c.chars().count()) / 3).max(1) + usize::from(bad.len() > 5) => {
            format!("; did you mean `{c}`?")
        }
        _ => String::new(),
    }
}

/// Optimal string alignment distance (Levenshtein with adjacent transpositions), in
/// characters: `strsim::osa_distance`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = crate::document::floor_char_boundary(src, offset);
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

/// Joins a relative path to `base` and removes `.`/`..` lexically (no file system access).
pub fn resolve(base: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() || path == "-" {
        return p.to_path_buf();
    }
    lexical_normalise(&base.join(p))
}

fn resolve_display(base: &Path, path: &str) -> String {
    resolve(base, path).to_string_lossy().into_owned()
}

/// `p` with `.` and `..` removed lexically (no file system access, so links are not resolved:
/// a path is used as it is named). `..` at the root stays at the root; an empty result is `.`.
pub(crate) fn lexical_normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !matches!(out.components().next_back(), Some(Component::RootDir | Component::Prefix(_))) {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

/// The most worker threads a run may ask for (`run.threads`, `--threads`): far above any
/// useful value, low enough that a typo cannot start a pool that starves the machine.
pub const MAX_THREADS: usize = 1024;

/// Checks a requested number of worker threads against [`MAX_THREADS`].
pub fn check_threads(threads: usize) -> Result<(), String> {
    if threads <= MAX_THREADS {
        return Ok(());
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    Err(format!(
        "at most {MAX_THREADS} worker threads (this machine has {cores} core{}; 0 means one per core)",
        if cores == 1 { "" } else { "s" }
    ))
}

/// Why `-` cannot be the output directory.
pub const OUTPUT_DASH: &str = "a run writes several files, so standard output cannot be its output directory; name a directory (`./-` for one called `-`)";

/// Checks that `dir` exists as a directory or can be created (its nearest existing ancestor is
/// a writable directory).
pub fn check_writable_dir(dir: &Path) -> Result<(), String> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        match std::fs::metadata(d) {
            Ok(m) if m.is_dir() => {
                if m.permissions().readonly() {
                    return Err(format!("{} is read-only", d.display()));
                }
                // Mode bits do not tell everything (a read-only mount, root on a 0555
                // folder is fine): try to create a file.
                let probe = d.join(format!(".docpipe-probe-{}", std::process::id()));
                return match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
                    Ok(_) => {
                        let _ = std::fs::remove_file(&probe);
                        Ok(())
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                    Err(e) => Err(format!("{} cannot be written: {e}", d.display())),
                };
            }
            Ok(_) => return Err(format!("{} exists and is not a directory", d.display())),
            Err(_) => cur = d.parent().filter(|p| !p.as_os_str().is_empty()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_close_names() {
        assert_eq!(did_you_mean("normalize", &["normalise", "splitter"]), "; did you mean `normalise`?");
        assert_eq!(did_you_mean("qutoes", &["quotes", "dashes"]), "; did you mean `quotes`?");
        assert_eq!(did_you_mean("zzz", &["quotes", "dashes"]), "");
    }

    #[test]
    fn serde_messages_gain_a_hint() {
        let m = improve_message("unknown field `patsh`, expected one of `paths`, `format`");
        assert!(m.ends_with("did you mean `paths`?"), "{m}");
    }

    // Issue 14: messages said `expected usize`.
    #[test]
    fn type_names_are_toml_names() {
        assert_eq!(
            improve_message("invalid type: string \"two\", expected usize"),
            "invalid type: string \"two\", expected a non-negative integer"
        );
        assert_eq!(improve_message("invalid type: sequence, expected f64"), "invalid type: array, expected a number");
        assert_eq!(
            improve_message("invalid type: integer `3`, expected a map"),
            "invalid type: integer `3`, expected a table"
        );
        assert_eq!(improve_message("expected u8s"), "expected u8s");
    }

    // Issue 14: `check` stopped at the first bad key of a table; one missing `]` cascaded.
    #[test]
    fn every_bad_key_of_a_table_and_one_syntax_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "text").unwrap();
        let src = "[input]\npaths = [\"a.txt\"]\npatsh = 1\nformat = 3\n[run]\nthreads = 5000\n";
        let err = load_str(src, "p.toml", dir.path(), &Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("p.toml:3:1: [input] unknown field `patsh`"), "{err}");
        assert!(err.contains("p.toml:4:10: [input] "), "{err}");
        assert!(err.contains("p.toml:6:11: [run] threads = 5000: at most 1024 worker threads"), "{err}");
        assert_eq!(err.lines().count(), 3, "{err}");
        let src = "[input]\npaths = [\"a.txt\"\nformat = \"text\"\n[run]\nthreads = 1\n";
        let err = load_str(src, "p.toml", dir.path(), &Overrides::default()).unwrap_err().to_string();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.ends_with("is a `]` missing at the end of line 2?"), "{err}");
    }

    // Issue 15: unknown keys were found by parsing serde's error text; a misspelt common key
    // in a stage got no hint.
    #[test]
    fn unknown_keys_come_from_the_field_list() {
        let mut t = DeTable::parse("qoutes = 1\non_eror = 2\nquotes = 3\nzzz = 4\n").unwrap().into_inner();
        let found = unknown_keys(&mut t, &["quotes", "dashes"], STAGE_COMMON);
        let messages: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            [
                "unknown field `qoutes`, expected one of `quotes`, `dashes`; did you mean `quotes`?",
                "unknown field `on_eror`, expected one of `quotes`, `dashes`; did you mean `on_error`?",
                "unknown field `zzz`, expected one of `quotes`, `dashes` (every stage also takes type, name, on_error)",
            ]
        );
        assert_eq!(found[0].0, 0..6);
        assert_eq!(t.len(), 1, "the unknown keys are set aside");
    }

    #[test]
    fn positions_are_one_based() {
        assert_eq!(line_col("a\nbé c", 5), (2, 3));
        assert_eq!(line_col("", 0), (1, 1));
    }

    // Issue 15: a bad `exclude` glob is reported at its own position, once, and the
    // patterns resolve against the config file's directory.
    #[test]
    fn excludes_are_checked_and_resolved_like_paths() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config");
        for f in ["data/a.txt", "data/old/b.txt", "config/old/c.txt"] {
            std::fs::create_dir_all(dir.path().join(f).parent().unwrap()).unwrap();
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let src = "[input]\npaths = [\"../data\"]\nexclude = [\"**/ok\",\n  \"old/[abc\"]\n";
        let err = load_str(src, "p.toml", &cfg, &Overrides::default()).unwrap_err().to_string();
        assert_eq!(
            err,
            "p.toml:4:3: [input] invalid exclude pattern `old/[abc`: unclosed character class; missing ']'"
        );
        // `../data/old/**` is data/old beside config/; `old/**` would be config/old.
        for (exclude, files) in [("../data/old/**", 1), ("old/**", 2)] {
            let src = format!("[input]\npaths = [\"../data\"]\nexclude = [\"{exclude}\"]\n");
            let p = load_str(&src, "p.toml", &cfg, &Overrides::default()).unwrap();
            assert_eq!(p.input.files.len(), files, "{exclude}: {:?}", p.input.files);
        }
    }

    #[test]
    fn paths_resolve_lexically() {
        assert_eq!(resolve(Path::new("config"), "../tests/corpus"), PathBuf::from("tests/corpus"));
        assert_eq!(resolve(Path::new(""), "a/./b"), PathBuf::from("a/b"));
        assert_eq!(resolve(Path::new("x"), "/abs"), PathBuf::from("/abs"));
    }

    #[test]
    fn all_errors_are_reported_at_once() {
        let src =
            "[inptu]\n[input]\npaths = [\"/nonexistent/x\"]\nformat = \"jsnl\"\n[[stage]]\ntype = \"no-such-stage\"\n";
        let dir = tempfile::tempdir().unwrap();
        let err = load_str(src, "p.toml", dir.path(), &Overrides::default()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("p.toml:1:2: unknown table `inptu`; did you mean `input`?"), "{text}");
        assert!(text.contains("p.toml:4:10: [input] unknown variant `jsnl`"), "{text}");
        assert!(text.contains("did you mean `jsonl`?"), "{text}");
        assert!(text.contains("p.toml:6:8: unknown stage type `no-such-stage`"), "{text}");
    }
}
