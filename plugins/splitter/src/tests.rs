//! Stage-level tests: options, emission modes, ids, provenance and the invariants
//! (proptest) of every unit.

use super::*;
use proptest::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

fn stage(toml: &str) -> Splitter {
    let opts = StageOptions::parse_snippet(toml, std::path::Path::new(".")).unwrap();
    let o: SplitterOptions = opts.deserialize().unwrap();
    Splitter::new(o).unwrap()
}

fn doc(text: &str) -> Document {
    Document::from_source("f.txt@0", text.to_owned(), "f.txt", 0)
}

const DUMP: &str = "MOMBASA (Wire) - Ministers from six countries met on Monday to discuss a levy on cargo.\n\
“A levy is not a tax,” the minister, Dr. A. B. Odhiambo, told reporters at the port.\n\
“A levy is not a tax.”\n\
Related: Central bank expected to raise rates again\n\
Jane Roe is Wire's trade correspondent, based in Nairobi.\n\
Candidate edges ahead by 412 votes as run-off goes to the wire\n\
KRAKÓW — The independent candidate leads the race by just 412 votes. Turnout was 48.7 per cent.\n\
Reporting by Ewa Nowak; editing by Sam Lee\n";

/// Runs the stage on one document; every output's attributes are checked against the
/// stage's registered declaration.
fn split(stage: &Splitter, d: Document) -> Vec<Document> {
    let before = d.attributes.clone();
    let out = match stage.process(d).unwrap() {
        Outcome::Split(v) => v,
        Outcome::Keep(d) => vec![d],
        Outcome::Drop(r) | Outcome::DropWith { reason: r, .. } => panic!("dropped: {r}"),
    };
    for d in &out {
        docpipe_core::registry::check_written_attributes("splitter", &before, &d.attributes).unwrap();
    }
    out
}

#[test]
fn articles_as_documents_keep_provenance_and_blocks() {
    let file = format!("HEADER\n{DUMP}");
    let d = Document::from_source("f.txt@7", DUMP.to_owned(), "f.txt", 7);
    let kids = split(&stage("unit = \"articles\"\n"), d);
    assert_eq!(kids.len(), 2);
    assert_eq!(kids[0].id, "f.txt@7/a0");
    assert_eq!(kids[1].id, "f.txt@7/a1");
    assert_eq!(kids[1].parent.as_deref(), Some("f.txt@7"));
    for k in &kids {
        k.check_invariants().unwrap();
        assert_eq!(&file[k.source.start..k.source.end], k.text);
    }
    assert!(kids[1].text.starts_with("Candidate edges ahead"));
    let roles: Vec<&str> = kids[1].annotations["blocks"].iter().filter_map(|s| s.label.as_deref()).collect();
    assert_eq!(roles, ["standfirst", "dateline", "body", "byline"]);
    assert_eq!(kids[1].attributes["splitter"]["dateline"], "KRAKÓW —");
    assert_eq!(kids[0].attributes["splitter"]["boundary"], "start");
}

#[test]
fn drop_boilerplate_keeps_offsets_exact() {
    let d = Document::from_source("d", DUMP.to_owned(), "f.txt", 0);
    let kids = split(&stage("unit = \"articles\"\ndrop_boilerplate = true\n"), d);
    assert_eq!(kids.len(), 2);
    let a = &kids[0];
    assert!(
        !a.text.contains("Related:")
            && !a.text.contains("correspondent")
            && !a.text.contains("“A levy is not a tax.”\n")
    );
    assert_eq!(a.text.lines().count(), 2, "{}", a.text);
    a.check_invariants().unwrap();
    let src = &DUMP.as_bytes()[a.source.start..a.source.end];
    let rebuilt = docpipe_core::align::reconstruct_source(a.text.as_bytes(), &a.source.edits, src).unwrap();
    assert_eq!(rebuilt, src);
    // Every remaining block is body text and maps back to the same bytes.
    for b in &a.annotations["blocks"] {
        assert!(b.label.as_deref() == Some("body") || b.fields.contains_key("inline"));
        let (s, e) = a.source_range(b.start, b.end);
        assert_eq!(&DUMP[s..e], &a.text[b.start..b.end]);
    }
    assert_eq!(a.attributes["splitter"]["boilerplate_lines_removed"], 3);
}

#[test]
fn chained_stages_articles_then_sentences() {
    let d = Document::from_source("d", DUMP.to_owned(), "f.txt", 0);
    let kids = split(&stage("unit = \"articles\"\n"), d);
    let s = stage("unit = \"sentences\"\n");
    let out = split(&s, kids[1].clone());
    let d = &out[0];
    let sents: Vec<&str> = d.annotations["sentences"].iter().map(|x| &d.text[x.start..x.end]).collect();
    assert_eq!(
        sents,
        [
            "Candidate edges ahead by 412 votes as run-off goes to the wire",
            "The independent candidate leads the race by just 412 votes.",
            "Turnout was 48.7 per cent.",
            "Reporting by Ewa Nowak; editing by Sam Lee"
        ]
    );
    assert_eq!(d.attributes["splitter"]["sentences"], 4);
    // As documents: ids derive from the parent's.
    let docs = split(&stage("unit = \"sentences\"\nemit = \"documents\"\n"), kids[1].clone());
    assert_eq!(docs[2].id, "d/a1/s2");
    assert_eq!(docs[2].text, "Turnout was 48.7 per cent.");
    assert_eq!(&DUMP[docs[2].source.start..docs[2].source.end], docs[2].text);
}

#[test]
fn sentences_without_blocks_skip_datelines() {
    let out = split(&stage("unit = \"sentences\"\n"), doc("PARIS (AFP) - Talks began. Mr. Roe spoke."));
    let d = &out[0];
    let sents: Vec<&str> = d.annotations["sentences"].iter().map(|x| &d.text[x.start..x.end]).collect();
    assert_eq!(sents, ["Talks began.", "Mr. Roe spoke."]);
    let out = split(&stage("unit = \"sentences\"\nskip_datelines = false\n"), doc("PARIS (AFP) - Talks began."));
    assert_eq!(out[0].annotations["sentences"][0].start, 0);
}

#[test]
fn paragraphs_carry_block_roles() {
    let d = Document::from_source("d", DUMP.to_owned(), "f.txt", 0);
    let d = split(&stage("unit = \"articles\"\nemit = \"spans\"\n"), d).remove(0);
    assert_eq!(d.annotations["articles"].len(), 2);
    let d = split(&stage("unit = \"paragraphs\"\n"), d).remove(0);
    let labels: Vec<&str> = d.annotations["paragraphs"].iter().filter_map(|s| s.label.as_deref()).collect();
    assert_eq!(labels, ["body", "body", "pull_quote", "related_link", "byline", "standfirst", "body", "byline"]);
}

#[test]
fn chunk_documents() {
    let text = "One two three. Four five six. Seven eight nine. Ten.";
    let kids = split(&stage("unit = \"chunks\"\nemit = \"documents\"\nmax_words = 6\noverlap = 3\n"), doc(text));
    let t: Vec<&str> = kids.iter().map(|k| k.text.as_str()).collect();
    assert_eq!(t, ["One two three. Four five six.", "Four five six. Seven eight nine.", "Seven eight nine. Ten."]);
    assert_eq!(kids[1].id, "f.txt@0/c1");
}

#[test]
fn empty_documents() {
    assert!(matches!(stage("").process(doc("  \n ")).unwrap(), Outcome::Drop(_)));
    let out = split(&stage("unit = \"sentences\"\n"), doc(""));
    assert!(out[0].annotations["sentences"].is_empty());
}

#[test]
fn option_errors() {
    let bad = |toml: &str| {
        let opts = StageOptions::parse_snippet(toml, std::path::Path::new(".")).unwrap();
        build(&opts).unwrap_err().message().to_owned()
    };
    assert!(bad("unit = \"sentence\"\n").contains("unknown variant"));
    assert!(bad("max_chars = 10\nunit = \"chunks\"\noverlap = 10\n").contains("overlap"));
    assert!(bad("dateline_patterns = [\"(\"]\n").contains("dateline_patterns"));
    assert!(bad("abbreviation = []\n").contains("abbreviations"));
}

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[A-Za-z]{1,8}",
            Just(" ".to_owned()),
            Just(". ".to_owned()),
            Just("\n".to_owned()),
            Just("\r\n".to_owned()),
            Just("MOSCOW — ".to_owned()),
            Just("Mr. ".to_owned()),
            Just("U.S. ".to_owned()),
            Just("... ".to_owned()),
            Just("“Q?” ".to_owned()),
            Just("1.) ".to_owned()),
            Just("• ".to_owned()),
            Just("Related: ".to_owned()),
            Just("e\u{301}".to_owned()),
            "\\PC{1,4}",
            any::<char>().prop_map(String::from),
        ],
        0..60,
    )
    .prop_map(|v| v.concat())
}

fn check_spans(text: &str, spans: &[(usize, usize)]) -> Result<(), TestCaseError> {
    let mut prev = 0;
    for &(s, e) in spans {
        prop_assert!(s < e && e <= text.len() && s >= prev, "{spans:?}");
        prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        prev = e;
    }
    Ok(())
}

/// Every non-whitespace byte lies in some span.
fn check_cover(text: &str, spans: &[(usize, usize)]) -> Result<(), TestCaseError> {
    let mut covered = vec![false; text.len()];
    for &(s, e) in spans {
        covered[s..e].iter_mut().for_each(|c| *c = true);
    }
    for (i, ch) in text.char_indices() {
        prop_assert!(ch.is_whitespace() || covered[i], "uncovered {ch:?} at {i} in {text:?}");
    }
    Ok(())
}

proptest! {
    #[test]
    fn sentences_are_sorted_and_cover(text in text_strategy()) {
        let s = SentenceSplitter::default().split(&text);
        check_spans(&text, &s)?;
        check_cover(&text, &s)?;
        let sp = Splitter::new(SplitterOptions { unit: Unit::Sentences, ..SplitterOptions::default() }).unwrap();
        let (sents, datelines) = sp.split_sentences(&doc(&text), true);
        check_spans(&text, &sents)?;
        let mut all: Vec<(usize, usize)> = sents.iter().chain(&datelines).copied().collect();
        all.sort_unstable();
        check_cover(&text, &all)?;
    }

    #[test]
    fn every_unit_keeps_the_invariants(text in text_strategy(), unit in 0usize..4, docs in any::<bool>(), drop in any::<bool>()) {
        let unit = ["articles", "paragraphs", "sentences", "chunks"][unit];
        let emit = if docs { "documents" } else { "spans" };
        let st = stage(&format!("unit = \"{unit}\"\nemit = \"{emit}\"\ndrop_boilerplate = {drop}\nmax_chars = 40\noverlap = 10\n"));
        let file = format!("xx{text}");
        let d = Document::from_source("d", text.clone(), "f", 2);
        match st.process(d).unwrap() {
            Outcome::Keep(d) => {
                d.check_invariants().unwrap();
                // A text with nothing to split (empty, blank) may carry no layer at all.
                let layer = d.annotations.get(unit).map(Vec::as_slice).unwrap_or(&[]);
                let spans: Vec<(usize, usize)> = layer.iter().map(|s| (s.start, s.end)).collect();
                if unit == "chunks" {
                    for &(s, e) in &spans {
                        let t = &text[s..e];
                        prop_assert!(t.chars().count() <= 40 || t.graphemes(true).count() == 1);
                    }
                } else {
                    check_spans(&text, &spans)?;
                }
                if unit != "sentences" {
                    check_cover(&text, &spans)?;
                }
            }
            Outcome::Split(kids) => {
                for k in &kids {
                    k.check_invariants().unwrap();
                    let src = &file.as_bytes()[k.source.start..k.source.end];
                    let rebuilt = docpipe_core::align::reconstruct_source(k.text.as_bytes(), &k.source.edits, src).unwrap();
                    prop_assert_eq!(rebuilt, src.to_vec());
                    if !(unit == "articles" && drop) {
                        prop_assert_eq!(src, k.text.as_bytes());
                    }
                }
            }
            Outcome::Drop(reason) | Outcome::DropWith { reason, .. } => {
                if reason == "no text" {
                    prop_assert!(text.trim().is_empty());
                } else {
                    // Only a dateline: it is kept out of the (missing) first sentence.
                    prop_assert_eq!(reason.as_ref(), "only a dateline, no sentence");
                    prop_assert!(unit == "sentences" || unit == "chunks");
                    let (sents, datelines) = Splitter::new(SplitterOptions::default()).unwrap().split_sentences(&doc(&text), true);
                    prop_assert!(sents.is_empty() && !datelines.is_empty(), "{:?} {:?}", sents, datelines);
                }
            }
        }
    }

    #[test]
    fn chunks_join_back(text in text_strategy(), max in 5usize..60, overlap in 0usize..5, words in any::<bool>()) {
        let sents = SentenceSplitter::default().split(&text);
        let m = if words { Measure::Words } else { Measure::Chars };
        let max = if words { max / 5 + 1 } else { max };
        let overlap = overlap.min(max - 1);
        let ch = chunks::chunk(&text, &sents, m, max, overlap);
        let mut reach = 0;
        for (i, &(s, e)) in ch.iter().enumerate() {
            prop_assert!(s < e && text.is_char_boundary(s) && text.is_char_boundary(e));
            prop_assert!(i == 0 || s > ch[i - 1].0, "no progress");
            prop_assert!(s <= reach || text[reach..s].trim().is_empty(), "gap before chunk {i}");
            reach = reach.max(e);
        }
        check_cover(&text, &ch)?;
    }
}

#[test]
fn huge_single_line_is_linear() {
    let line = "Word word, Mr. Smith said on Jan. 5 at 6 p.m. in the U.S. ".repeat(100_000);
    let t = std::time::Instant::now();
    let d = split(&stage("unit = \"articles\"\n"), doc(&line));
    let d = split(&stage("unit = \"sentences\"\n"), d[0].clone());
    let d = split(&stage("unit = \"chunks\"\nmax_words = 50\noverlap = 10\n"), d[0].clone());
    assert!(!d[0].annotations["chunks"].is_empty());
    assert!(t.elapsed().as_secs() < 60);
}
