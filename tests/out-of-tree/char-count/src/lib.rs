//! The `char-count` stage, a plugin that lives outside docpipe's workspace: it writes the
//! number of characters of each document to `attributes.char_count` and has no options.

use docpipe_core::inventory;
use docpipe_core::{BuildError, Document, MapStage, Outcome, Stage, StageError, StageFactory, StageKind, StageOptions};

/// The stage.
#[derive(Debug)]
pub struct CharCount;

impl MapStage for CharCount {
    fn process(&self, mut doc: Document) -> Result<Outcome, StageError> {
        let chars = doc.text.chars().count();
        doc.attributes.insert("char_count".into(), serde_json::json!(chars));
        Ok(Outcome::Keep(doc))
    }
}

fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
    // No options: `deny_unknown_fields` on an empty struct rejects any key with its position.
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NoOptions {}
    let NoOptions {} = options.deserialize()?;
    Ok(Stage::Map(Box::new(CharCount)))
}

inventory::submit! {
    StageFactory {
        name: "char-count",
        package: env!("CARGO_PKG_NAME"),
        summary: "Counts the characters of each document into attributes.char_count",
        description: "",
        kind: StageKind::Map,
        options: &[],
        example: "[[stage]]\ntype = \"char-count\"\n",
        build,
    }
}
