//! The `char-count` stage, a plugin that lives outside docpipe's workspace: it writes the
//! number of characters of each document to `attributes.char_count`, or, with `bytes = true`,
//! the number of bytes.

use docpipe_core::{BuildError, Document, MapStage, Outcome, Stage, StageError, StageOptions};
use serde::{Deserialize, Serialize};

/// Options of the `char-count` stage.
#[derive(Debug, Clone, Default, Deserialize, Serialize, docpipe_core::Options)]
#[serde(deny_unknown_fields, default)]
pub struct CharCountOptions {
    /// Count bytes (UTF-8) instead of characters.
    pub bytes: bool,
}

/// The stage.
#[derive(Debug)]
pub struct CharCount(CharCountOptions);

impl MapStage for CharCount {
    fn process(&self, mut doc: Document) -> Result<Outcome, StageError> {
        let n = if self.0.bytes { doc.text.len() } else { doc.text.chars().count() };
        doc.attributes.insert("char_count".into(), serde_json::json!(n));
        Ok(Outcome::Keep(doc))
    }
}

fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
    Ok(Stage::Map(Box::new(CharCount(options.deserialize()?))))
}

docpipe_core::register_stage! {
    name: "char-count",
    summary: "Counts the characters of each document into attributes.char_count",
    description: "",
    kind: Map,
    options: CharCountOptions,
    example: "[[stage]]\ntype = \"char-count\"\nbytes = false\n",
    build: build,
}
