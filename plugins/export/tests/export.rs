//! Integration tests of the `export` stage (issue 8): every format written through the real
//! sink (and through core's runner), read back and compared; the JSONL checked against the
//! published schema; atomicity; config errors; byte-identical output whatever the threads.

// Tests unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

#[cfg(feature = "parquet")]
use common::layers_of;
use common::{rich_doc, root, validate};
use docpipe_core::config::{Overrides, load_str};
use docpipe_core::runner::{RunOptions, Silent, run};
use docpipe_core::stats::RunStats;
use docpipe_core::{Document, Sink, Stage, StageOptions};
use docpipe_export::options::{OPTION_FORMATS, format_list};
use proptest::prelude::*;
use serde_json::Value;

fn sink(toml: &str, base: &Path) -> Box<dyn Sink> {
    let opts = StageOptions::parse_snippet(toml, base).unwrap();
    let f = docpipe_core::registry::find("export").expect("export is registered");
    match (f.build)(&opts) {
        Ok(Stage::Sink(s)) => s,
        Ok(other) => panic!("not a sink: {other:?}"),
        Err(e) => panic!("{}", e.message()),
    }
}

fn build_error(toml: &str) -> String {
    let opts = StageOptions::parse_snippet(toml, Path::new("/tmp")).unwrap();
    let f = docpipe_core::registry::find("export").unwrap();
    match (f.build)(&opts) {
        Ok(_) => panic!("built: {toml}"),
        Err(e) => e.message().to_owned(),
    }
}

fn export(toml: &str, base: &Path, docs: &[Document]) {
    let mut s = sink(toml, base);
    s.begin().unwrap();
    for d in docs {
        s.write(d).unwrap();
    }
    s.finish(&RunStats::default()).unwrap();
}

fn docs(n: usize) -> Vec<Document> {
    (0..n).map(rich_doc).collect()
}

#[test]
fn jsonl_is_core_record_and_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let ds = docs(6);
    export("path = \"out/docs.jsonl\"\n", dir.path(), &ds);
    let got = std::fs::read(dir.path().join("out/docs.jsonl")).unwrap();
    let mut expected = Vec::new();
    for d in &ds {
        docpipe_core::output::write_document(&mut expected, d).unwrap();
    }
    assert!(got == expected, "JSONL differs from core's record form");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("config/document.schema.json")).unwrap()).unwrap();
    for (line, d) in String::from_utf8(got).unwrap().lines().zip(&ds) {
        let v: Value = serde_json::from_str(line).unwrap();
        let errs = validate(&schema, &v);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(&serde_json::from_value::<Document>(v).unwrap(), d);
    }
    // The validator is not vacuous: a broken record fails it.
    let mut bad: Value = serde_json::to_value(&ds[0]).unwrap();
    bad["source"]["start"] = Value::from(-1);
    bad.as_object_mut().unwrap().insert("extra".into(), Value::Null);
    assert_eq!(validate(&schema, &bad).len(), 2);
}

#[test]
fn jsonl_fields_and_rename() {
    let dir = tempfile::tempdir().unwrap();
    let ds = docs(2);
    export(
        "path = \"sel.jsonl\"\nfields = [\"id\", \"attributes.summary.text\", \"metadata.outlet\"]\nrename = { \"attributes.summary.text\" = \"summary\" }\n",
        dir.path(),
        &ds,
    );
    let text = std::fs::read_to_string(dir.path().join("sel.jsonl")).unwrap();
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "summary", "metadata.outlet"]);
    assert_eq!(first["summary"], ds[0].attributes["summary"]["text"]);
    export("path = \"trim.jsonl\"\nfields = [\"-annotations\", \"-source.edits\"]\n", dir.path(), &ds);
    let line = std::fs::read_to_string(dir.path().join("trim.jsonl")).unwrap();
    let v: Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert!(v.get("annotations").is_none() && v.get("attributes").is_some());
}

#[test]
fn compressed_and_sharded_jsonl_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let ds = docs(10);
    for ext in ["jsonl.gz", "jsonl.zst"] {
        export(&format!("path = \"part-{{shard}}.{ext}\"\nmax_records = 4\n"), dir.path(), &ds);
        let mut all = Vec::new();
        for shard in 0..3 {
            let raw = std::fs::read(dir.path().join(format!("part-{shard:05}.{ext}"))).unwrap();
            let mut out = Vec::new();
            use std::io::Read;
            if ext.ends_with("gz") {
                flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap();
            } else {
                ruzstd::decoding::StreamingDecoder::new(&raw[..]).unwrap().read_to_end(&mut out).unwrap();
            }
            all.extend(String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str::<Document>(l).unwrap()));
        }
        assert_eq!(all, ds, "{ext}");
        assert!(!dir.path().join(format!("part-00003.{ext}")).exists());
    }
}

#[test]
fn csv_document_and_entity_rows() {
    let dir = tempfile::tempdir().unwrap();
    let ds = docs(3);
    export(
        "path = \"docs.csv\"\ncolumns = [\"attributes.summary.text\", \"attributes.dedupe.similarity:float\"]\n",
        dir.path(),
        &ds,
    );
    let rows =
        docpipe_testkit::csv::parse(&std::fs::read_to_string(dir.path().join("docs.csv")).unwrap(), b',').unwrap();
    assert_eq!(
        rows[0],
        [
            "id",
            "parent",
            "source_path",
            "source_start",
            "source_end",
            "text",
            "attributes_summary_text",
            "attributes_dedupe_similarity"
        ]
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1][5], ds[0].text, "text with quotes and line breaks survives");
    assert_eq!(rows[3][7], "0.93");
    assert_eq!(rows[1][1], "");

    export("path = \"ents.tsv\"\nrows = \"entities\"\nrename = { doc_id = \"id\" }\n", dir.path(), &ds);
    let rows =
        docpipe_testkit::csv::parse(&std::fs::read_to_string(dir.path().join("ents.tsv")).unwrap(), b'\t').unwrap();
    assert_eq!(rows[0], ["id", "label", "text", "canonical", "entity_id", "start", "end"]);
    let expected: usize = ds.iter().map(|d| d.annotations["entities"].len()).sum();
    assert_eq!(rows.len(), expected + 1);
    for r in &rows[1..] {
        let d = ds.iter().find(|d| d.id == r[0]).unwrap();
        let (s, e): (usize, usize) = (r[5].parse().unwrap(), r[6].parse().unwrap());
        assert_eq!(&d.text[s..e], r[2]);
    }
    assert!(rows.iter().any(|r| r[2] == "Odhiambo" && r[3] == "Amina Wairimu Odhiambo" && r[4] == "person:odhiambo"));
}

/// Issue 15: annotations are nested columns (`map<layer, list<struct<start, end, label,
/// …>>>`), so a query reads entity labels and canonical names without `json_extract`; a
/// selected layer is a `list<struct>` of its own.
#[cfg(feature = "parquet")]
#[test]
fn parquet_annotations_are_nested_columns() {
    use arrow_array::{Array, ListArray, MapArray, StringArray, StructArray};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let dir = tempfile::tempdir().unwrap();
    let mut ds = docs(3);
    ds[1].annotations.clear();
    ds[2].annotations.get_mut("entities").unwrap()[0].fields.insert("score".into(), serde_json::json!(0.5));
    export("path = \"n.parquet\"\nfields = [\"id\", \"annotations\", \"annotations.entities\"]\n", dir.path(), &ds);
    let f = std::fs::File::open(dir.path().join("n.parquet")).unwrap();
    let mut reader = ParquetRecordBatchReaderBuilder::try_new(f).unwrap().build().unwrap();
    let b = reader.next().unwrap().unwrap();
    let schema = b.schema();
    assert!(matches!(schema.field_with_name("annotations").unwrap().data_type(), DataType::Map(..)));
    let DataType::List(item) = schema.field_with_name("annotations_entities").unwrap().data_type() else {
        panic!("not a list: {schema:?}")
    };
    let DataType::Struct(fields) = item.data_type() else { panic!("not a struct: {item:?}") };
    let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["start", "end", "label", "text", "canonical", "entity_id", "fields"]);
    let ann = b.column_by_name("annotations").unwrap().as_any().downcast_ref::<MapArray>().unwrap();
    for (i, d) in ds.iter().enumerate() {
        assert_eq!(layers_of(ann, i), d.annotations, "row {i}");
    }
    // The entity layer on its own: labels and canonical names are plain strings.
    let ents = b.column_by_name("annotations_entities").unwrap().as_any().downcast_ref::<ListArray>().unwrap();
    assert!(ents.is_null(1), "a document without the layer has null, not an empty list");
    let first = ents.value(0);
    let first = first.as_any().downcast_ref::<StructArray>().unwrap();
    let label = first.column_by_name("label").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
    let canonical = first.column_by_name("canonical").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
    let want = &ds[0].annotations["entities"];
    assert_eq!(first.len(), want.len());
    for (j, s) in want.iter().enumerate() {
        assert_eq!(Some(label.value(j)), s.label.as_deref());
        assert_eq!(Some(canonical.value(j)), s.fields.get("canonical").and_then(Value::as_str));
    }
    // A span field the struct does not name stays, as JSON, in `fields`.
    let third = ents.value(2);
    let third = third.as_any().downcast_ref::<StructArray>().unwrap();
    let extra = third.column_by_name("fields").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
    let extra: Value = serde_json::from_str(extra.value(0)).unwrap();
    assert_eq!(extra["score"], 0.5);
    // Keys that are not identifiers make plain column names (a renamed column keeps its name).
    let mut d = ds[0].clone();
    d.metadata.insert("outlet name".into(), Value::from("Wire"));
    d.metadata.insert("région".into(), Value::from("Coast"));
    export(
        "path = \"k.parquet\"\nfields = [\"id\"]\ncolumns = [\"metadata.outlet name\", \"metadata.région\"]\nrename = { id = \"doc id\" }\n",
        dir.path(),
        &[d],
    );
    let f = std::fs::File::open(dir.path().join("k.parquet")).unwrap();
    let b = ParquetRecordBatchReaderBuilder::try_new(f).unwrap().build().unwrap().next().unwrap().unwrap();
    let names: Vec<String> = b.schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, ["doc id", "metadata_outlet_name", "metadata_r_gion"]);
    // `annotations:json` keeps the JSON-text form.
    export("path = \"j.parquet\"\ncolumns = [\"annotations:json\"]\n", dir.path(), &ds);
    let f = std::fs::File::open(dir.path().join("j.parquet")).unwrap();
    let b = ParquetRecordBatchReaderBuilder::try_new(f).unwrap().build().unwrap().next().unwrap().unwrap();
    let ann = b.column_by_name("annotations").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(serde_json::from_str::<Value>(ann.value(0)).unwrap(), serde_json::to_value(&ds[0].annotations).unwrap());
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_reads_back_with_typed_columns() {
    use arrow_array::{Array, Float64Array, Int64Array, MapArray, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let dir = tempfile::tempdir().unwrap();
    let ds = docs(85);
    assert!(ds[0].annotations["entities"].iter().any(|s| s.fields.contains_key("canonical")));
    export(
        "path = \"docs-{shard}.parquet\"\nmax_records = 40\ncolumns = [\"attributes.summary.text\", \"attributes.dedupe.similarity:float\", \"source.start:int\"]\nrename = { \"attributes.summary.text\" = \"summary\" }\n",
        dir.path(),
        &ds,
    );
    let mut rows = Vec::new();
    for shard in 0..3 {
        let f = std::fs::File::open(dir.path().join(format!("docs-{shard:05}.parquet"))).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(f).unwrap().build().unwrap();
        for batch in reader {
            let b = batch.unwrap();
            let names: Vec<String> = b.schema().fields().iter().map(|f| f.name().clone()).collect();
            assert_eq!(
                names,
                [
                    "id",
                    "text",
                    "parent",
                    "source_path",
                    "source_start",
                    "source_end",
                    "metadata",
                    "annotations",
                    "attributes",
                    "summary",
                    "attributes_dedupe_similarity"
                ]
            );
            let col = |n: &str| b.column(b.schema().index_of(n).unwrap()).clone();
            let ids = col("id");
            let ids = ids.as_any().downcast_ref::<StringArray>().unwrap();
            let ann = col("annotations");
            let ann = ann.as_any().downcast_ref::<MapArray>().unwrap();
            let start = col("source_start");
            let start = start.as_any().downcast_ref::<Int64Array>().unwrap();
            let sim = col("attributes_dedupe_similarity");
            let sim = sim.as_any().downcast_ref::<Float64Array>().unwrap();
            let parent = col("parent");
            for i in 0..b.num_rows() {
                rows.push((
                    ids.value(i).to_owned(),
                    layers_of(ann, i),
                    start.value(i),
                    (!sim.is_null(i)).then(|| sim.value(i)),
                    parent.is_null(i),
                ));
            }
        }
    }
    assert_eq!(rows.len(), ds.len());
    for (r, d) in rows.iter().zip(&ds) {
        assert_eq!(r.0, d.id);
        assert_eq!(r.1, d.annotations);
        assert_eq!(r.2 as usize, d.source.start);
        assert_eq!(r.3, d.attributes.get("dedupe").map(|x| x["similarity"].as_f64().unwrap()));
        assert_eq!(r.4, d.parent.is_none());
    }
}

#[test]
fn reports_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let ds = docs(5);
    export("path = \"r.html\"\ntitle = \"Test report\"\ntimings = false\n", dir.path(), &ds);
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("<title>Test report</title>"));
    assert!(html.contains("Amina Wairimu Odhiambo"));
    export("path = \"r.md\"\n", dir.path(), &ds);
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(md.contains("| PERSON | 10 | Amina Wairimu Odhiambo (10) |"), "{md}");
    assert!(md.contains("`corpus/dump-01.txt@1000` (0.93)"), "{md}");
}

#[test]
fn an_unfinished_export_leaves_the_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["keep.jsonl", "keep.csv", "keep.html", "keep.parquet", "keep.md", "keep.jsonl.zst"] {
        let path = dir.path().join(name);
        std::fs::write(&path, b"previous").unwrap();
        if name.ends_with("parquet") && cfg!(not(feature = "parquet")) {
            continue;
        }
        let mut s = sink(&format!("path = \"{name}\"\n"), dir.path());
        s.begin().unwrap();
        for d in docs(30) {
            s.write(&d).unwrap();
        }
        drop(s); // a failed run: finish is never called
        assert_eq!(std::fs::read(&path).unwrap(), b"previous", "{name}");
    }
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "temporary files left: {names:?}");
}

#[test]
fn empty_runs_write_valid_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    export("path = \"e.jsonl\"\n", dir.path(), &[]);
    assert_eq!(std::fs::read(dir.path().join("e.jsonl")).unwrap(), b"");
    export("path = \"e.csv\"\nrows = \"entities\"\n", dir.path(), &[]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("e.csv")).unwrap(),
        "doc_id,label,text,canonical,entity_id,start,end\n"
    );
    export("path = \"e.html\"\n", dir.path(), &[]);
    assert!(std::fs::read_to_string(dir.path().join("e.html")).unwrap().contains("\"docs\":[]"));
}

#[test]
fn config_errors_are_precise() {
    let cases = [
        ("path = \"x.jsonl\"\nfields = [\"atributes.summary\"]\n", "did you mean `attributes.summary`?"),
        ("path = \"x.csv\"\nfields = [\"source.pth\"]\n", "did you mean `path`?"),
        ("path = \"x.jsonl\"\nformt = \"csv\"\n", "did you mean `format`?"),
        ("path = \"x.jsonl\"\nformat = \"parqet\"\n", "did you mean `parquet`?"),
        ("format = \"jsonl\"\n", "`path`: is required"),
        ("path = \"x.txt\"\n", "cannot tell the format"),
        ("path = \"-\"\nformat = \"html\"\n", "standard output"),
        ("path = \"x.jsonl\"\nmax_records = 5\n", "needs `{shard}`"),
        ("path = \"x-{shard}.html\"\n", "one file"),
        ("path = \"x.jsonl\"\nrows = \"entities\"\n", "applies to csv only"),
        ("path = \"x.html\"\ncolumns = [\"id\"]\n", "applies to parquet and csv only"),
        ("path = \"x.csv\"\ndelimiter = \";;\"\n", "single ASCII character"),
        ("path = \"x.csv\"\nrows = \"entities\"\nrename = { docid = \"id\" }\n", "did you mean `doc_id`?"),
        ("path = \"x.jsonl\"\nrename = { \"attributes.summary\" = \"s\" }\n", "select it with `fields`"),
        ("path = \"x.parquet.gz\"\n", "not compressed"),
        ("path = \"x.html\"\npage_size = 0\n", "at least 1"),
    ];
    for (toml, want) in cases {
        let e = build_error(toml);
        assert!(e.contains(want), "{toml}: {e}");
    }
}

#[test]
fn factory_example_builds_and_documents_every_option() {
    let f = docpipe_core::registry::find("export").unwrap();
    let table = f.example.trim_start().strip_prefix("[[stage]]").unwrap();
    let opts = StageOptions::parse_snippet(table, Path::new("/tmp")).unwrap();
    if let Err(e) = (f.build)(&opts) {
        panic!("{}", e.message());
    }
    assert!(!f.summary.ends_with('.') && !f.summary.contains('\n'));
    let options = f.options();
    let names: Vec<&str> = options.iter().map(|o| o.name).collect();
    // Every documented option is some format's; the format-specific table names them all.
    let specific: Vec<&str> = OPTION_FORMATS.iter().map(|(k, _)| *k).collect();
    let mut all = vec!["format", "path"];
    all.extend(&specific);
    assert_eq!(names, all, "docs and OPTION_FORMATS list the same options, in the same order");
    // An unknown key lists exactly the documented options, whatever the format.
    for path in ["x.jsonl", "x.parquet", "x.csv", "x.html", "x.md"] {
        let e = build_error(&format!("path = \"{path}\"\nnot_an_option = 1\n"));
        let mut listed: Vec<&str> = e.split("expected one of").nth(1).unwrap().split('`').skip(1).step_by(2).collect();
        listed.sort_unstable();
        let mut want = names.clone();
        want.sort_unstable();
        assert_eq!(listed, want, "{path}: {e}");
    }
    for (o, (_, formats)) in options[2..].iter().zip(OPTION_FORMATS) {
        let prefix = format_list(formats);
        assert!(
            o.doc.starts_with(&format!("{prefix}:")) || o.doc.starts_with(&format!("{prefix} (")),
            "{}: {}",
            o.name,
            o.doc
        );
    }
}

/// Issue 15: an option of another format is refused at its own position, naming the formats
/// it belongs to; a misspelt key still gets its did-you-mean, through `docpipe check`'s path.
#[test]
fn wrong_format_options_are_located_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = "[input]\npaths = [\"in.txt\"]\n\n[[stage]]\ntype = \"export\"\npath = \"docs.jsonl\"\ntitle = \"x\"\nmax_record = 3\n\n\
               [[stage]]\ntype = \"export\"\npath = \"r.html\"\ndelimiter = \";\"\n";
    std::fs::write(dir.path().join("in.txt"), "x").unwrap();
    let e = load_str(cfg, "p.toml", dir.path(), &Overrides::default()).unwrap_err().to_string();
    assert!(
        e.contains("p.toml:7:9: stage `export`: option `title`: applies to html and markdown only, not jsonl"),
        "{e}"
    );
    assert!(e.contains("p.toml:8:1: stage `export`: unknown field `max_record`"), "{e}");
    assert!(e.contains("did you mean `max_records`?"), "{e}");
    assert!(e.contains("p.toml:13:13: stage `export`: option `delimiter`: applies to csv only, not html"), "{e}");
}

/// Runs a pipeline of export stages through core's runner over a JSONL input.
fn run_pipeline(dir: &Path, threads: usize, batch_size: usize, tag: &str) -> Vec<(String, Vec<u8>)> {
    let cfg = format!(
        "[input]\npaths = [\"in.jsonl\"]\n[output]\ndir = \"out-{tag}\"\n[run]\nbatch_size = {batch_size}\n\
         [[stage]]\ntype = \"export\"\npath = \"{tag}/docs.jsonl\"\n\
         [[stage]]\ntype = \"export\"\npath = \"{tag}/part-{{shard}}.jsonl.zst\"\nmax_bytes = 4000\n\
         [[stage]]\ntype = \"export\"\npath = \"{tag}/ents.csv\"\nrows = \"entities\"\n\
         {parquet}\
         [[stage]]\ntype = \"export\"\npath = \"{tag}/report.html\"\ntimings = false\n\
         [[stage]]\ntype = \"export\"\npath = \"{tag}/report.md\"\ntimings = false\n",
        parquet = if cfg!(feature = "parquet") {
            format!(
                "[[stage]]\ntype = \"export\"\npath = \"{tag}/docs.parquet\"\ncolumns = [\"attributes.summary.text\"]\n"
            )
        } else {
            String::new()
        }
    );
    let p = load_str(&cfg, "test.toml", dir, &Overrides::default()).map_err(|e| e.to_string()).unwrap();
    let out = run(p, &RunOptions { threads, ..RunOptions::default() }, &Silent).unwrap();
    out.stats.check_accounting().unwrap();
    // Export paths are relative to the run's output directory.
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join(format!("out-{tag}")).join(tag))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn pipeline_output_does_not_depend_on_threads_or_batches() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = Vec::new();
    for d in docs(60) {
        docpipe_core::output::write_document(&mut input, &d).unwrap();
    }
    std::fs::write(dir.path().join("in.jsonl"), &input).unwrap();
    let a = run_pipeline(dir.path(), 1, 1024, "a");
    let b = run_pipeline(dir.path(), 2, 3, "b");
    let names: Vec<&str> = a.iter().map(|f| f.0.as_str()).collect();
    assert!(names.contains(&"part-00002.jsonl.zst"), "{names:?}");
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.0, y.0);
        assert!(x.1 == y.1, "{} differs between runs", x.0);
    }
    // Documents read back from docpipe's own JSONL are exported byte for byte as they came.
    let docs_jsonl = &a.iter().find(|f| f.0 == "docs.jsonl").unwrap().1;
    let round: Vec<Document> =
        String::from_utf8(docs_jsonl.clone()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(round.len(), 60);
    assert_eq!(round[5].annotations, rich_doc(5).annotations);
    assert_eq!(round[5].attributes, rich_doc(5).attributes);
}

fn arb_doc() -> impl Strategy<Value = Document> {
    ("\\PC{0,80}", proptest::collection::vec((0usize..100, 0usize..100, "[A-Z]{1,6}", "\\PC{0,8}"), 0..8)).prop_map(
        |(text, spans)| {
            let mut d = Document::from_source("p", text.clone(), "f\"<x>.txt", 0);
            let ents = spans
                .into_iter()
                .map(|(a, b, l, c)| {
                    let s = docpipe_core::document::floor_char_boundary(&text, a.min(b));
                    let e = docpipe_core::document::floor_char_boundary(&text, a.max(b));
                    common::entity(s, e, &l, &c, &c)
                })
                .collect();
            d.set_layer("entities", ents);
            d.attributes
                .insert("summary".into(), serde_json::json!({"text": text.chars().take(20).collect::<String>()}));
            d.metadata.insert("k".into(), Value::String(text.chars().rev().collect()));
            d
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_document_exports_in_every_format(ds in proptest::collection::vec(arb_doc(), 0..6)) {
        let dir = tempfile::tempdir().unwrap();
        let mut formats = vec!["a.jsonl", "a.csv", "a.html", "a.md"];
        if cfg!(feature = "parquet") {
            formats.push("a.parquet");
        }
        for f in formats {
            export(&format!("path = \"{f}\"\n"), dir.path(), &ds);
        }
        export("path = \"e.csv\"\nrows = \"entities\"\n", dir.path(), &ds);
        let jsonl = std::fs::read_to_string(dir.path().join("a.jsonl")).unwrap();
        let back: Vec<Document> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        prop_assert_eq!(&back, &ds);
        let csv = docpipe_testkit::csv::parse(&std::fs::read_to_string(dir.path().join("a.csv")).unwrap(), b',').unwrap();
        prop_assert_eq!(csv.len(), ds.len() + 1);
        for (row, d) in csv[1..].iter().zip(&ds) {
            prop_assert_eq!(&row[5], &d.text.replace('\r', ""));
        }
        let html = std::fs::read_to_string(dir.path().join("a.html")).unwrap();
        let start = html.find("id=\"docpipe-data\">").unwrap() + "id=\"docpipe-data\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        let data: Value = serde_json::from_str(&html[start..end]).unwrap();
        prop_assert_eq!(data["docs"].as_array().unwrap().len(), ds.len());
    }
}

/// Writes `docs` through a fresh sink, returning each write's result.
fn export_each(toml: &str, base: &Path, docs: &[Document]) -> Vec<Result<(), String>> {
    let mut s = sink(toml, base);
    s.begin().unwrap();
    let results = docs.iter().map(|d| s.write(d).map_err(|e| e.full_message())).collect();
    s.finish(&RunStats::default()).unwrap();
    results
}

/// Issue 14, item 6: a record with `source.end` = 2^63 (it passes core's invariant check
/// when `source.line` is set) made the Parquet sink fail at the next batch flush, for the
/// whole batch, and stop the run. Now that document alone is refused, before anything of it
/// is buffered, and the documents after it are written.
#[cfg(feature = "parquet")]
#[test]
fn parquet_refuses_a_document_that_does_not_fit_and_writes_the_next() {
    use arrow_array::{Array, Int64Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let dir = tempfile::tempdir().unwrap();
    let mut ds = docs(5);
    ds[2].source.end = 1 << 63;
    ds[2].source.line = Some(1);
    let results = export_each("path = \"p.parquet\"\n", dir.path(), &ds);
    let err = results[2].as_ref().unwrap_err();
    assert!(err.contains("`source.end` = 9223372036854775808 does not fit the Parquet column `source_end`"), "{err}");
    assert!(err.contains(&ds[2].id), "{err}");
    assert!(results.iter().enumerate().all(|(i, r)| (i == 2) == r.is_err()), "{results:?}");
    let f = std::fs::File::open(dir.path().join("p.parquet")).unwrap();
    let mut ids = Vec::new();
    for batch in ParquetRecordBatchReaderBuilder::try_new(f).unwrap().build().unwrap() {
        let b = batch.unwrap();
        let id = b.column(0).as_any().downcast_ref::<StringArray>().unwrap().clone();
        let end = b.column(5).as_any().downcast_ref::<Int64Array>().unwrap().clone();
        for i in 0..b.num_rows() {
            assert!(!end.is_null(i));
            ids.push(id.value(i).to_owned());
        }
    }
    let expected: Vec<String> = ds.iter().enumerate().filter(|(i, _)| *i != 2).map(|(_, d)| d.id.clone()).collect();
    assert_eq!(ids, expected, "every other document, whole, in order");
}

/// The same document in the formats that can hold it is written, not refused: JSONL and CSV
/// have no value they cannot write (a CSV field can always be quoted), so only an output
/// error can fail them.
#[test]
fn jsonl_and_csv_write_the_document_parquet_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let mut ds = docs(2);
    ds[1].source.end = 1 << 63;
    ds[1].source.line = Some(1);
    for name in ["d.jsonl", "d.csv", "e.csv"] {
        let rows = if name == "e.csv" { "rows = \"entities\"\n" } else { "" };
        let results = export_each(&format!("path = \"{name}\"\n{rows}"), dir.path(), &ds);
        assert!(results.iter().all(Result::is_ok), "{name}: {results:?}");
    }
    let jsonl = std::fs::read_to_string(dir.path().join("d.jsonl")).unwrap();
    assert!(jsonl.contains("\"end\":9223372036854775808"));
    let csv = docpipe_testkit::csv::parse(&std::fs::read_to_string(dir.path().join("d.csv")).unwrap(), b',').unwrap();
    assert_eq!(csv[2][4], "9223372036854775808");
}

/// Issue 14, item 9: the reports kept every document in memory (a 200 MB corpus peaked at
/// 6.45 GB). They now keep aggregates and spill the listed documents to an anonymous file;
/// the page must still hold every document, in order, and a capped listing must say so in the page while the figures cover everything.
#[test]
fn reports_list_every_document_or_say_how_many_they_show() {
    let dir = tempfile::tempdir().unwrap();
    let ds = docs(300);
    export("path = \"all.html\"\ntimings = false\n", dir.path(), &ds);
    let html = std::fs::read_to_string(dir.path().join("all.html")).unwrap();
    let start = html.find("id=\"docpipe-data\">").unwrap() + "id=\"docpipe-data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&html[start..end]).unwrap();
    let listed: Vec<&str> = data["docs"].as_array().unwrap().iter().map(|d| d["i"].as_str().unwrap()).collect();
    let ids: Vec<&str> = ds.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(listed, ids);
    assert!(!html.contains("id=\"capped\""));

    export("path = \"some.html\"\nmax_documents = 7\ntimings = false\n", dir.path(), &ds);
    let html = std::fs::read_to_string(dir.path().join("some.html")).unwrap();
    assert!(html.contains("Showing the first 7 of 300 documents"), "the page does not say it is capped");
    assert!(html.contains("<b>300</b><span>documents</span>"));
    assert!(html.contains("<b>2400</b><span>entity mentions</span>"), "figures cover every document");

    export("path = \"some.md\"\nmax_documents = 7\n", dir.path(), &ds);
    let md = std::fs::read_to_string(dir.path().join("some.md")).unwrap();
    assert!(md.contains("The first 7 of 300 documents (max_documents)."), "{md}");
    assert!(md.contains("300 documents · 2400 entity mentions"), "{md}");
    assert_eq!(md.lines().filter(|l| l.starts_with("| `corpus/")).count(), 7);
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 3, "only the reports are left: {names:?}");
}
