//! The `normalise` stage: cleans text the way every later stage wants it, without losing
//! the way back to the input bytes.
//!
//! In one pass over the characters it folds quotes and dashes to a chosen style, removes
//! control and invisible format characters, turns Unicode spaces into ASCII spaces,
//! collapses whitespace runs, normalises line ends and limits blank lines, keeping the lines of
//! code blocks as they are (`code`). Then it applies Unicode NFC (only where the text is not
//! already NFC) and repairs words glued together by HTML extraction ([`glue`]), leaving code and
//! identifiers alone. Each pass records its edits with
//! [`docpipe_core::align::Rewriter`]; they are composed and folded into the document's
//! `source.edits`, so any span of the normalised text maps back to the exact input bytes.
//!
//! Memory: the stage takes the text out of the document, a pass that changes nothing copies
//! nothing, and each pass's input is dropped once its output exists, so the peak is about
//! twice the document (a 1 GB file of one letter: 1.0 GB; of one curly quote: 1.7 GB).
//! Long chains of adjacent edits merge ([`MAX_CHAIN`]) so edits stay few.

mod code;
pub mod glue;
mod passes;

use docpipe_core::registry::{AttrField, AttrType, AttributeDecl};
use docpipe_core::{BuildError, Document, MapStage, Outcome, Stage, StageError, StageOptions};
use serde::{Deserialize, Serialize};

pub use passes::{DashStyle, EllipsisStyle, MAX_CHAIN, QuoteStyle, normalise_owned, normalise_text};

/// Options of the `normalise` stage.
#[derive(Debug, Clone, Deserialize, Serialize, docpipe_core::Options)]
#[serde(deny_unknown_fields, default)]
pub struct NormaliseOptions {
    /// Apply Unicode canonical composition (NFC), only where the text is not NFC already.
    pub nfc: bool,
    /// Fold quotation marks: `straight` turns curly, low-9, prime and angle quotes into ' and "; `curly` turns
    /// straight quotes into typographic ones by context; `keep` leaves them.
    pub quotes: QuoteStyle,
    /// Fold dashes: `standard` maps hyphen look-alikes (U+2010/2011, minus sign, full-width hyphen) to '-' and
    /// the horizontal bar to an em dash, keeping en and em dashes; `ascii` also maps en dashes to '-' and em
    /// dashes to '--'; `keep` leaves them.
    pub dashes: DashStyle,
    /// `dots` turns the ellipsis character into three full stops.
    pub ellipsis: EllipsisStyle,
    /// Turn Unicode spaces and tabs into spaces, collapse runs of spaces, trim spaces at line starts and ends,
    /// turn CR LF, CR, U+2028/2029, VT and FF into line feeds, and trim blank lines at the start and end. Lines
    /// of code blocks (fenced by a line of three backticks or tildes, or indented four columns deeper than the
    /// prose around them) keep their indentation and inner spaces. Paragraph indents of hard-wrapped text stay,
    /// as spaces: in a text whose paragraphs open with an indent of 2 to 8 columns (at least three filled first
    /// lines continued by flush lines), every line with that indent; elsewhere a line indented 2 to 8 columns
    /// right under a less indented line of at least 40 columns and above a less indented line.
    pub whitespace: bool,
    /// With `whitespace`, keep at most this many consecutive blank lines (paragraph breaks survive).
    pub max_blank_lines: usize,
    /// Remove C0/C1 control characters (other than line breaks and tabs) and invisible format characters:
    /// zero-width space, BOM, soft hyphen, word joiner. Zero-width joiners stay (emoji and Indic scripts need
    /// them).
    pub controls: bool,
    /// Split words glued together by HTML extraction (`SecretaryJane Doehas` becomes `Secretary Jane Doe has`)
    /// using a word-frequency list and name lists shipped with the crate; known words and names (`iPhone`,
    /// `McDonald`, `Johnson`, `Newcastle`) stay whole. Code and identifiers are left alone (code blocks and
    /// spans, prompt lines, `snake_case`, `a.b`, `f(x)`, paths, URLs, e-mail, words with digits,
    /// `getElementById`; camel case such as `TypeError` in a document that shows code), and so is a word the
    /// document uses again (twice in a technical document, three times elsewhere).
    pub glued_words: bool,
}

impl Default for NormaliseOptions {
    fn default() -> Self {
        NormaliseOptions {
            nfc: true,
            quotes: QuoteStyle::Straight,
            dashes: DashStyle::Standard,
            ellipsis: EllipsisStyle::Keep,
            whitespace: true,
            max_blank_lines: 1,
            controls: true,
            glued_words: true,
        }
    }
}

/// The stage.
#[derive(Debug)]
pub struct Normalise {
    options: NormaliseOptions,
}

impl Normalise {
    /// Builds the stage. The glued-word lexicon is loaded by the first document that needs
    /// it (once per process), so building or checking a pipeline does not pay for it.
    pub fn new(options: NormaliseOptions) -> Self {
        Normalise { options }
    }
}

impl MapStage for Normalise {
    fn process(&self, mut doc: Document) -> Result<Outcome, StageError> {
        // The stage owns the text while it works: no pass keeps a copy it no longer needs.
        let lexicon = self.options.glued_words.then(glue::Lexicon::builtin);
        let result = normalise_owned(std::mem::take(&mut doc.text), &self.options, lexicon);
        if result.edits.is_empty() {
            doc.text = result.text;
        } else {
            doc.apply_rewrite(result.text, result.edits);
        }
        let mut attr = serde_json::Map::new();
        attr.insert("changes".into(), result.changes.into());
        attr.insert("glued_words_split".into(), result.glue_splits.into());
        doc.attributes.insert("normalise".into(), attr.into());
        Ok(Outcome::Keep(doc))
    }
}

fn build(options: &StageOptions<'_>) -> Result<Stage, BuildError> {
    let opts: NormaliseOptions = options.deserialize()?;
    if opts.max_blank_lines > 1000 {
        return Err(options.error("max_blank_lines", "must be at most 1000"));
    }
    Ok(Stage::Map(Box::new(Normalise::new(opts))))
}

docpipe_core::register_stage! {
    name: "normalise",
    summary: "Clean text: NFC, quotes and dashes, whitespace, control characters, glued words; offsets stay exact",
    description: "Runs first in most pipelines. Every change is recorded as an edit, so spans found by later stages map back to the exact input bytes (`source.edits`). Adds `attributes.normalise = {changes, glued_words_split}`.",
    kind: Map,
    options: NormaliseOptions,
    example: r#"[[stage]]
type = "normalise"
quotes = "straight"
dashes = "standard"
max_blank_lines = 1
glued_words = true
"#,
    build: build,
    attributes: &[AttributeDecl {
        key: "normalise",
        doc: "What normalisation changed.",
        fields: &[
            AttrField { name: "changes", ty: AttrType::Int, doc: "Edits made to the text." },
            AttrField { name: "glued_words_split", ty: AttrType::Int, doc: "Glued words split apart (`glued_words`)." },
        ],
    }],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the stage writes to `attributes` matches its registered declaration.
    #[test]
    fn written_attributes_match_the_declaration() {
        for (options, text) in [
            ("", "  Plain   text.\n\n\n\nMore\u{00a0}text  "),
            ("glued_words = true", "Theport authoritysaid on Tuesday.\r\n"),
            ("", ""),
        ] {
            let snippet = format!("type = \"normalise\"\n{options}");
            let opts = StageOptions::parse_snippet(&snippet, std::path::Path::new(".")).unwrap();
            let Stage::Map(stage) = build(&opts).unwrap() else { panic!("not a map stage") };
            let doc = Document::from_source("d", text.to_owned(), "f.txt", 0);
            let Outcome::Keep(out) = stage.process(doc).unwrap() else { panic!("not kept") };
            assert!(out.attributes.contains_key("normalise"));
            docpipe_core::registry::check_written_attributes("normalise", &serde_json::Map::new(), &out.attributes)
                .unwrap();
        }
    }
}
