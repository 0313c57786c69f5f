//! Integration tests of the `entities` stage: span invariants on arbitrary text (proptest),
//! the output record, corpus-wide ids and the entity index, option handling.

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use docpipe_core::{Document, DynOrderedStage, Outcome, Stage, StageOptions};
use docpipe_entities::{Tagger, TaggerConfig};
use proptest::prelude::*;

fn build(snippet: &str, dir: &std::path::Path) -> Box<dyn DynOrderedStage> {
    let opts = StageOptions::parse_snippet(snippet, dir).unwrap();
    let factory = docpipe_core::registry::find("entities").unwrap();
    match (factory.build)(&opts).unwrap() {
        Stage::Ordered(s) => s,
        other => panic!("unexpected stage kind {other:?}"),
    }
}

fn run(stage: &mut dyn DynOrderedStage, text: &str, id: &str) -> Document {
    let mut doc = Document::from_source(id, text.to_owned(), "f.txt", 0);
    let prepared = stage.prepare(&mut doc).unwrap();
    match stage.process(doc, prepared).unwrap() {
        Outcome::Keep(d) => d,
        other => panic!("unexpected outcome {other:?}"),
    }
}

#[test]
fn writes_spans_with_canonical_id_and_source() {
    let dir = tempfile::tempdir().unwrap();
    let mut stage = build("", dir.path());
    let doc =
        run(stage.as_mut(), "NAIROBI (Coastline Wire) - Anna Keller told reporters on Monday. Keller said no.", "d1");
    doc.check_invariants().unwrap();
    let spans = &doc.annotations["entities"];
    let keller: Vec<_> = spans.iter().filter(|s| s.fields["canonical"] == "Anna Keller").collect();
    assert_eq!(keller.len(), 2);
    assert_eq!(keller[0].fields["entity_id"], keller[1].fields["entity_id"]);
    assert_eq!(keller[1].fields["source"], "alias");
    let nairobi = spans.iter().find(|s| s.text.as_deref() == Some("NAIROBI")).unwrap();
    assert_eq!((nairobi.label.as_deref(), &nairobi.fields["canonical"]), (Some("GPE"), &"Nairobi".into()));
    assert!(spans.iter().any(|s| s.label.as_deref() == Some("DATE") && s.text.as_deref() == Some("Monday")));
}

#[test]
fn merges_variants_across_documents_and_writes_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut stage = build("index = \"out/index.jsonl\"\nsimilarity = 0.85\n", dir.path());
    let a = run(stage.as_mut(), "Mohammad Rezaei said the deal was done.", "a");
    let b = run(stage.as_mut(), "Mohammed Rezaie said it was not.", "b");
    let id = |d: &Document| d.annotations["entities"][0].fields["entity_id"].clone();
    assert_eq!(id(&a), id(&b));
    assert_eq!(b.annotations["entities"][0].fields["canonical"], "Mohammad Rezaei");
    assert!(stage.finish().unwrap().is_empty());
    let index = std::fs::read_to_string(dir.path().join("out/index.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(index.lines().next().unwrap()).unwrap();
    assert_eq!(first["canonical"], "Mohammad Rezaei");
    assert_eq!(first["documents"], 2);
    assert_eq!(first["variants"][0], "Mohammed Rezaie");
}

#[test]
fn ids_do_not_depend_on_the_stage_instance() {
    let dir = tempfile::tempdir().unwrap();
    let text = "The Bank of Ghana raised rates, Governor Abena Owusu-Sarpong said in Accra.";
    let a = run(build("", dir.path()).as_mut(), text, "x");
    let b = run(build("merge_variants = false\n", dir.path()).as_mut(), text, "x");
    assert_eq!(a.annotations, b.annotations);
}

#[test]
fn user_gazetteers_and_label_subsets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mine.tsv"), "Zorblax\tORG\tZorblax Holdings\n").unwrap();
    let mut stage = build("gazetteers = [\"mine.tsv\"]\nlabels = [\"ORG\"]\n", dir.path());
    let doc = run(stage.as_mut(), "zorblax and Zorblax met in Kenya on Monday.", "d");
    let spans = &doc.annotations["entities"];
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(spans[0].fields["canonical"], "Zorblax Holdings");
    assert_eq!(spans[0].fields["source"], "gazetteer");
    let opts = StageOptions::parse_snippet("gazetteers = [\"missing.tsv\"]\n", dir.path()).unwrap();
    let err = (docpipe_core::registry::find("entities").unwrap().build)(&opts).unwrap_err();
    assert!(err.message().contains("cannot read"), "{}", err.message());
}

#[test]
fn example_config_builds() {
    let factory = docpipe_core::registry::find("entities").unwrap();
    let body: String = factory
        .example
        .lines()
        .filter(|l| !l.starts_with("[[stage]]") && !l.starts_with("type"))
        .map(|l| format!("{l}\n"))
        .collect();
    let opts = StageOptions::parse_snippet(&body, std::path::Path::new(".")).unwrap();
    assert!((factory.build)(&opts).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_and_spans_are_valid(text in "\\PC{0,300}") {
        let tagger = Tagger::builtin(TaggerConfig::default());
        let ms = tagger.tag(&text);
        let mut prev = 0;
        for m in &ms {
            prop_assert!(m.start < m.end && m.end <= text.len());
            prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
            prop_assert!(m.start >= prev, "overlap or unsorted");
            prev = m.end;
        }
    }

    #[test]
    fn news_like_text_keeps_invariants(words in prop::collection::vec(prop::sample::select(vec![
        "Kenya", "Anna", "Keller", "said", "the", "Bank", "of", "Ghana", "in", "on", "Monday", "$", "200", "million",
        "per", "cent", "1.5", "MOMBASA", "(", ")", "-", ".", ",", "'s", "’", "Dr.", "J.", "Minister", "\n", "ECHR",
        "al-Harthi", "first", "one", "March", "3", "2024", "é", "Kraków", "told", "Council", "“", "”", "R1.4", "GH¢2",
    ]), 0..80)) {
        let text = words.join(" ");
        let mut doc = Document::from_source("p", text.clone(), "f.txt", 0);
        let dir = std::env::temp_dir();
        let mut stage = build("", &dir);
        let prepared = stage.prepare(&mut doc).unwrap();
        let Outcome::Keep(doc) = stage.process(doc, prepared).unwrap() else { panic!("dropped") };
        prop_assert!(doc.check_invariants().is_ok());
        // Deterministic: tagging twice gives the same spans.
        let mut fresh = build("", &dir);
        let mut again = Document::from_source("p", text, "f.txt", 0);
        let prepared = fresh.prepare(&mut again).unwrap();
        let Outcome::Keep(again) = fresh.process(again, prepared).unwrap() else { panic!("dropped") };
        prop_assert_eq!(&doc.annotations["entities"], &again.annotations["entities"]);
    }
}

#[test]
fn huge_and_empty_inputs() {
    let tagger = Tagger::builtin(TaggerConfig::default());
    assert!(tagger.tag("").is_empty());
    let big = "Anna Keller said Kenya will pay $3 million on Monday. ".repeat(20_000);
    let ms = tagger.tag(&big);
    assert!(ms.len() >= 80_000, "{}", ms.len());
}
