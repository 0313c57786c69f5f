//! Issue 15: Parquet `attributes` as typed struct columns, one per attribute key a
//! registered stage declares (here a test stage, `attr-test`), with what does not fit its
//! declaration kept as JSON in `attributes_other`, and `attributes:json` for the old form.

// Tests unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(feature = "parquet")]

use std::path::Path;

use arrow_array::{Array, BooleanArray, Float64Array, Int64Array, ListArray, RecordBatch, StringArray, StructArray};
use arrow_schema::DataType;
use docpipe_core::registry::{AttrField, AttrType, AttributeDecl};
use docpipe_core::stats::RunStats;
use docpipe_core::{BuildError, Document, Stage, StageOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Value, json};

/// Options of the test stage (none).
#[derive(Debug, Default, serde::Deserialize, serde::Serialize, docpipe_core::Options)]
#[serde(deny_unknown_fields, default)]
pub struct NoOptions {}

fn no_build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
    Err(options.error("type", "a test registration: it declares attributes and builds nothing"))
}

const SPAN: AttrType = AttrType::Struct(&[
    AttrField { name: "start", ty: AttrType::Int, doc: "" },
    AttrField { name: "end", ty: AttrType::Int, doc: "" },
]);

docpipe_core::register_stage! {
    name: "attr-test",
    summary: "Declares attributes for the Parquet tests",
    description: "",
    kind: Map,
    options: NoOptions,
    example: "[[stage]]\ntype = \"attr-test\"\n",
    build: no_build,
    attributes: &[
        // Declared out of key order: the columns are sorted by key.
        AttributeDecl { key: "beta", doc: "", fields: &[AttrField { name: "count", ty: AttrType::Int, doc: "" }] },
        AttributeDecl {
            key: "alpha",
            doc: "",
            fields: &[
                AttrField { name: "n", ty: AttrType::Int, doc: "" },
                AttrField { name: "x", ty: AttrType::Float, doc: "" },
                AttrField { name: "s", ty: AttrType::String, doc: "" },
                AttrField { name: "b", ty: AttrType::Bool, doc: "" },
                AttrField { name: "j", ty: AttrType::Json, doc: "" },
                AttrField { name: "tags", ty: AttrType::List(&AttrType::String), doc: "" },
                AttrField { name: "spans", ty: AttrType::List(&SPAN), doc: "" },
            ],
        },
    ],
}

fn export(toml: &str, base: &Path, docs: &[Document]) -> RecordBatch {
    // Naming the crate links it, and so its registration.
    assert!(docpipe_export::PARQUET_COLUMNS.contains(&"attributes"));
    let opts = StageOptions::parse_snippet(toml, base).unwrap();
    let f = docpipe_core::registry::find("export").expect("export is registered");
    let Ok(Stage::Sink(mut s)) = (f.build)(&opts) else { panic!("not a sink") };
    s.begin().unwrap();
    for d in docs {
        s.write(d).unwrap();
    }
    s.finish(&RunStats::default()).unwrap();
    let file = std::fs::File::open(base.join("a.parquet")).unwrap();
    let mut reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    reader.next().unwrap().unwrap()
}

fn docs() -> Vec<Document> {
    let mut ds: Vec<Document> =
        (0..3).map(|i| Document::from_source(format!("d{i}"), "Some text.".into(), "f.txt", 0)).collect();
    let a = &mut ds[0].attributes;
    a.insert(
        "alpha".into(),
        json!({"n": 3, "x": 2, "s": "yes", "b": true, "j": {"k": [1, 2]}, "tags": ["p", "q"],
               "spans": [{"start": 0, "end": 4}, {"start": 5, "end": 9}]}),
    );
    a.insert("beta".into(), json!({"count": 2}));
    a.insert("zeta".into(), json!({"undeclared": 1}));
    // ds[1] has no attributes; ds[2] has values that do not fit.
    let a = &mut ds[2].attributes;
    a.insert("alpha".into(), json!({"n": "three", "s": "ok", "extra": 1, "spans": [{"start": "0"}]}));
    a.insert("beta".into(), json!(5));
    ds
}

fn child<'a, T: 'static>(s: &'a StructArray, name: &str) -> &'a T {
    s.column_by_name(name).unwrap_or_else(|| panic!("no {name}")).as_any().downcast_ref::<T>().unwrap()
}

#[test]
fn declared_attributes_are_typed_struct_columns() {
    let dir = tempfile::tempdir().unwrap();
    let b = export("path = \"a.parquet\"\nformat = \"parquet\"\n", dir.path(), &docs());
    let schema = b.schema();
    let DataType::Struct(keys) = schema.field_with_name("attributes").unwrap().data_type() else {
        panic!("not a struct: {schema:?}")
    };
    let names: Vec<&str> = keys.iter().map(|f| f.name().as_str()).collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted by key: {names:?}");
    assert!(names.contains(&"alpha") && names.contains(&"beta"), "{names:?}");
    assert_eq!(schema.field_with_name("attributes_other").unwrap().data_type(), &DataType::Utf8);
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let at = names.iter().position(|n| *n == "attributes").unwrap();
    assert_eq!(names[at + 1], "attributes_other", "{names:?}");

    let attrs = b.column_by_name("attributes").unwrap().as_any().downcast_ref::<StructArray>().unwrap();
    let alpha = child::<StructArray>(attrs, "alpha");
    let beta = child::<StructArray>(attrs, "beta");
    // Row 0: every type.
    assert_eq!(child::<Int64Array>(alpha, "n").value(0), 3);
    assert_eq!(child::<Float64Array>(alpha, "x").value(0), 2.0);
    assert_eq!(child::<StringArray>(alpha, "s").value(0), "yes");
    assert!(child::<BooleanArray>(alpha, "b").value(0));
    let j: Value = serde_json::from_str(child::<StringArray>(alpha, "j").value(0)).unwrap();
    assert_eq!(j, json!({"k": [1, 2]}));
    let tags = child::<ListArray>(alpha, "tags").value(0);
    let tags = tags.as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(tags.iter().collect::<Vec<_>>(), [Some("p"), Some("q")]);
    let spans = child::<ListArray>(alpha, "spans").value(0);
    let spans = spans.as_any().downcast_ref::<StructArray>().unwrap();
    assert_eq!(child::<Int64Array>(spans, "end").values().to_vec(), [4, 9]);
    assert_eq!(child::<Int64Array>(beta, "count").value(0), 2);
    let other = b.column_by_name("attributes_other").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(serde_json::from_str::<Value>(other.value(0)).unwrap(), json!({"zeta": {"undeclared": 1}}));
    // Row 1: absent keys are null, and nothing is other.
    assert!(attrs.is_valid(1) && alpha.is_null(1) && beta.is_null(1));
    assert!(other.is_null(1));
    // Row 2: what does not fit is null in the struct and kept in `attributes_other`.
    assert!(alpha.is_valid(2) && child::<Int64Array>(alpha, "n").is_null(2));
    assert_eq!(child::<StringArray>(alpha, "s").value(2), "ok");
    assert!(child::<ListArray>(alpha, "spans").is_null(2));
    assert!(beta.is_null(2));
    assert_eq!(
        serde_json::from_str::<Value>(other.value(2)).unwrap(),
        json!({"alpha": {"n": "three", "extra": 1, "spans": [{"start": "0"}]}, "beta": 5})
    );
}

#[test]
fn attributes_json_keeps_the_text_form() {
    let dir = tempfile::tempdir().unwrap();
    let ds = docs();
    let b = export("path = \"a.parquet\"\ncolumns = [\"attributes:json\"]\n", dir.path(), &ds);
    let schema = b.schema();
    assert_eq!(schema.field_with_name("attributes").unwrap().data_type(), &DataType::Utf8);
    assert!(schema.field_with_name("attributes_other").is_err());
    let text = b.column_by_name("attributes").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(serde_json::from_str::<Value>(text.value(0)).unwrap(), Value::Object(ds[0].attributes.clone()));
}

#[test]
fn a_column_named_like_attributes_other_is_refused() {
    let opts = StageOptions::parse_snippet(
        "path = \"a.parquet\"\ncolumns = [\"metadata.x\"]\nrename = { \"metadata.x\" = \"attributes_other\" }\n",
        Path::new("/tmp"),
    )
    .unwrap();
    let f = docpipe_core::registry::find("export").unwrap();
    let Err(e) = (f.build)(&opts) else { panic!("built") };
    assert!(e.message().contains("two output columns are named `attributes_other`"), "{}", e.message());
}
