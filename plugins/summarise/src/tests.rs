//! Unit and property tests of the stage: budgets, ordering, layers, groups, invariants.

use super::*;
use proptest::prelude::*;

const ARTICLE: &str = "Port levy talks collapse as India walks out\n\
By Jane Roe\n\
MOMBASA (Coastline Wire) - Trade ministers from six countries failed on Monday to agree a levy on transshipped cargo at the port of Mombasa.\n\
India objected to the levy, saying it would raise the cost of goods shipped through the port by several per cent.\n\
The talks were held in a hotel overlooking the old harbour, where dhows still unload dried fish.\n\
Kenya's trade minister said the levy on transshipped cargo would fund new berths at the port.\n\
\"We will try again,\" he said.\n\
Related: Shipping lines warn of higher freight rates.\n\
Jane Roe is the Coastline Wire's trade correspondent.";

fn stage(toml: &str) -> SummariseStage {
    let opts = StageOptions::parse_snippet(toml, std::path::Path::new(".")).unwrap();
    let o: Options = opts.deserialize().unwrap();
    SummariseStage::new(Summariser::new(o).unwrap())
}

fn run(stage: &mut SummariseStage, docs: Vec<Document>) -> (Vec<Document>, Vec<Document>) {
    let mut out = Vec::new();
    for mut d in docs {
        let before = d.attributes.clone();
        let group = stage.prepare(&mut d).unwrap();
        match stage.process(d, group).unwrap() {
            Outcome::Keep(d) => {
                // What it writes matches its registered declaration.
                docpipe_core::registry::check_written_attributes("summarise", &before, &d.attributes).unwrap();
                out.push(d)
            }
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    let extra = stage.finish().unwrap();
    for d in &extra {
        docpipe_core::registry::check_written_attributes("summarise", &Map::new(), &d.attributes).unwrap();
    }
    (out, extra)
}

fn doc(id: &str, text: &str) -> Document {
    Document::from_source(id, text.to_owned(), "f.txt", 0)
}

fn chosen(d: &Document) -> Vec<&str> {
    d.annotations["summary"].iter().map(|s| &d.text[s.start..s.end]).collect()
}

#[test]
fn summarises_body_sentences_in_document_order() {
    let (out, extra) = run(&mut stage(""), vec![doc("a", ARTICLE)]);
    assert!(extra.is_empty());
    let d = &out[0];
    d.check_invariants().unwrap();
    let got = chosen(d);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got[0].starts_with("Trade ministers"), "dateline not cut or lead missed: {got:?}");
    for s in &got {
        assert!(!s.starts_with("Port levy") && !s.starts_with("By ") && !s.starts_with("Related"), "{s}");
        assert!(!s.contains("correspondent"));
    }
    let attr = &d.attributes["summary"];
    assert_eq!(attr["method"], "news");
    assert_eq!(attr["text"], got.join(" "));
    let offs: Vec<(u64, u64)> = attr["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap()))
        .collect();
    assert!(offs.windows(2).all(|w| w[0].1 <= w[1].0), "not in document order: {offs:?}");
    // The off-topic scene-setting sentence and the short quote lose to central ones.
    assert!(!got.iter().any(|s| s.contains("dhows") || s.contains("try again")), "{got:?}");
}

#[test]
fn lead_takes_the_first_body_sentences() {
    let (out, _) = run(&mut stage("method = \"lead\"\nsentences = 2\nmin_words = 0"), vec![doc("a", ARTICLE)]);
    let got = chosen(&out[0]);
    assert_eq!(got.len(), 2);
    assert!(got[0].starts_with("Trade ministers") && got[1].starts_with("India objected"), "{got:?}");
    assert_eq!(out[0].attributes["summary"]["method"], "lead");
}

#[test]
fn every_method_respects_budgets() {
    for method in ["news", "lead", "textrank", "lexrank", "centroid"] {
        for (budget, max_sents, max_words) in [
            ("sentences = 1", 1, usize::MAX),
            ("sentences = 0\nwords = 40", usize::MAX, 40),
            ("sentences = 2\nwords = 25", 2, 25),
            ("sentences = 0\nratio = 0.1", 1, usize::MAX),
            ("sentences = 0\nratio = 0.3", 2, usize::MAX),
        ] {
            let (out, _) = run(&mut stage(&format!("method = \"{method}\"\n{budget}")), vec![doc("a", ARTICLE)]);
            let got = chosen(&out[0]);
            let words: usize = got.iter().map(|s| s.split_whitespace().count()).sum();
            assert!(!got.is_empty(), "{method} {budget}");
            assert!(got.len() <= max_sents && words <= max_words, "{method} {budget}: {got:?}");
        }
    }
}

#[test]
fn word_budget_smaller_than_any_sentence_gives_empty_summary() {
    let (out, _) = run(&mut stage("words = 2"), vec![doc("a", ARTICLE)]);
    assert!(chosen(&out[0]).is_empty());
    assert_eq!(out[0].attributes["summary"]["text"], "");
}

#[test]
fn empty_and_one_sentence_documents() {
    let (out, _) = run(&mut stage(""), vec![doc("e", ""), doc("w", "  \n \n"), doc("o", "Just one sentence here.")]);
    for d in &out[..2] {
        assert!(chosen(d).is_empty());
        assert_eq!(d.attributes["summary"]["sentences"], json!([]));
        d.check_invariants().unwrap();
    }
    assert_eq!(chosen(&out[2]), vec!["Just one sentence here."]);
}

#[test]
fn uses_splitter_layers_when_present() {
    let text =
        "Headline without stop\nFirst body sentence is long enough here. Second body sentence is also long enough.";
    let mut d = doc("a", text);
    d.set_layer(
        "blocks",
        vec![Span::new(0, 21).with_label("standfirst"), Span::new(22, text.len()).with_label("body")],
    );
    // A sentence layer that deliberately keeps the body line whole.
    d.set_layer("sentences", vec![Span::new(0, 21), Span::new(22, text.len())]);
    let (out, _) = run(&mut stage(""), vec![d]);
    assert_eq!(chosen(&out[0]), vec![&text[22..]]);
}

#[test]
fn output_is_deterministic() {
    let docs: Vec<Document> =
        (0..5).map(|i| doc(&format!("d{i}"), &ARTICLE.replace("Monday", &format!("day {i}")))).collect();
    let a = run(&mut stage("group_by = \"metadata.story\""), docs.clone());
    let b = run(&mut stage("group_by = \"metadata.story\""), docs);
    assert_eq!(serde_json::to_string(&a.0).unwrap(), serde_json::to_string(&b.0).unwrap());
    assert_eq!(a.1, b.1);
}

fn story(id: &str, story: &str, text: &str) -> Document {
    let mut d = doc(id, text);
    d.metadata.insert("story".into(), story.into());
    d
}

#[test]
fn group_summaries_skip_near_identical_sentences() {
    let copy = ARTICLE.replace("Coastline Wire", "Harbour Ledger");
    let other = "Banks raise interest rates again as inflation climbs in Ghana.\nThe central bank of Ghana raised its main interest rate on Monday for the third time this year.";
    let docs = vec![
        story("a", "ports", ARTICLE),
        story("x", "rates", other),
        story("b", "ports", &copy),
        story("c", "solo", other),
        doc("n", ARTICLE),
    ];
    let (out, extra) = run(&mut stage("group_by = \"metadata.story\"\nsentences = 3"), docs);
    assert_eq!(out.len(), 5);
    assert!(out.iter().all(|d| d.attributes.keys().eq(["summary"])), "only the summary attribute is added");
    // Only "ports" has two members.
    assert_eq!(extra.len(), 1, "{extra:?}");
    let g = &extra[0];
    g.check_invariants().unwrap();
    assert_eq!(g.id, "summarise:metadata.story=ports");
    assert_eq!(g.metadata["story"], "ports");
    assert_eq!(g.attributes["summary"]["members"], json!(["a", "b"]));
    let got = chosen(g);
    assert!(!got.is_empty() && got.len() <= 3);
    let mut seen = std::collections::HashSet::new();
    for s in &got {
        assert!(seen.insert(s.to_string()), "repeated sentence {s}");
    }
    // Every span points back at the member's text.
    for s in &g.annotations["summary"] {
        let member = if s.fields["doc"] == "a" { &out[0] } else { &out[2] };
        let (a, b) = (s.fields["doc_start"].as_u64().unwrap() as usize, s.fields["doc_end"].as_u64().unwrap() as usize);
        assert_eq!(&member.text[a..b], &g.text[s.start..s.end]);
    }
}

#[test]
fn groups_by_attribute_and_entities() {
    let mut a = doc("a", ARTICLE);
    a.attributes.insert("dedupe".into(), json!({"cluster": 7}));
    let mut b = doc("b", ARTICLE);
    b.attributes.insert("dedupe".into(), json!({"cluster": 7}));
    let (_, extra) = run(&mut stage("group_by = \"attributes.dedupe.cluster\""), vec![a, b]);
    assert_eq!(extra.len(), 1);
    assert_eq!(extra[0].attributes["summary"]["group"], "7");

    let ents = |d: &mut Document, names: &[(&str, &str)]| {
        let spans = names
            .iter()
            .map(|(n, l)| {
                let mut s = Span::new(0, 1).with_label(*l);
                s.fields.insert("canonical".into(), (*n).into());
                s
            })
            .collect();
        d.set_layer("entities", spans);
    };
    let mut a = doc("a", ARTICLE);
    ents(&mut a, &[("Mombasa", "GPE"), ("India", "GPE"), ("Mombasa", "GPE"), ("Monday", "DATE"), ("India", "GPE")]);
    let mut b = doc("b", ARTICLE);
    ents(&mut b, &[("India", "GPE"), ("Mombasa", "GPE"), ("Kenya", "GPE")]);
    let mut c = doc("c", ARTICLE);
    ents(&mut c, &[("Ghana", "GPE")]);
    let (_, extra) = run(&mut stage("group_by = \"entities\""), vec![a, b, c]);
    assert_eq!(extra.len(), 1);
    assert_eq!(extra[0].attributes["summary"]["group"], "India | Mombasa");
}

#[test]
fn rejects_bad_options() {
    for (toml, key) in [
        ("ratio = 1.5", "ratio"),
        ("diversity = -0.1", "diversity"),
        ("group_by = \"story\"", "group_by"),
        ("max_graph_sentences = 1", "max_graph_sentences"),
    ] {
        let opts = StageOptions::parse_snippet(toml, std::path::Path::new(".")).unwrap();
        let err = build(&opts).unwrap_err();
        assert!(err.message().contains(key), "{toml}: {}", err.message());
    }
    let opts = StageOptions::parse_snippet("sentense = 3", std::path::Path::new(".")).unwrap();
    assert!(build(&opts).unwrap_err().message().contains("did you mean `sentences`"));
    let opts = StageOptions::parse_snippet("method = \"lexrnak\"", std::path::Path::new(".")).unwrap();
    assert!(build(&opts).is_err());
}

#[test]
fn options_docs_match_the_struct() {
    let names: Vec<&str> = <Options as docpipe_core::options::Options>::docs().iter().map(|o| o.name).collect();
    let v = serde_json::to_value(format!("{:?}", Options::default())).unwrap();
    let debug = v.as_str().unwrap();
    for n in &names {
        assert!(debug.contains(&format!("{n}:")), "documented option {n} is not a field");
    }
    assert_eq!(debug.matches(": ").count(), names.len(), "{debug}");
    let ex = "method = \"news\"\nsentences = 3\nwords = 80\ndiversity = 0.3\ngroup_by = \"metadata.story\"\n";
    let opts = StageOptions::parse_snippet(ex, std::path::Path::new(".")).unwrap();
    build(&opts).unwrap();
}

#[test]
fn long_documents_finish() {
    // 10,000 sentences (one line each, and all on one line): the graph is bounded, so every
    // method is fast even in debug builds; group summaries of such documents too.
    let lines: String =
        (0..10_000).map(|i| format!("Sentence number {i} talks about topic {} and more words.\n", i % 37)).collect();
    let one_line = lines.replace('\n', " ");
    for method in ["news", "lead", "textrank", "lexrank", "centroid"] {
        let toml = format!("method = \"{method}\"\ngroup_by = \"metadata.story\"");
        let docs = vec![story("a", "s", &lines), story("b", "s", &one_line)];
        let started = std::time::Instant::now();
        let (out, extra) = run(&mut stage(&toml), docs);
        for d in out.iter().chain(&extra) {
            assert_eq!(chosen(d).len(), 3, "{method}");
            d.check_invariants().unwrap();
        }
        assert_eq!(extra.len(), 1);
        // Generous: about a second in debug builds; an unbounded graph would take minutes.
        assert!(started.elapsed().as_secs() < 60, "{method} took {:?}", started.elapsed());
    }
}

#[test]
fn news_prefers_the_lead_window_and_stays_in_order() {
    // Twelve on-topic sentences: the summary comes from the lead window, in document order,
    // and a very long run-on sentence is not chosen over normal ones.
    let mut text = String::new();
    for i in 0..12 {
        text.push_str(&format!("The port levy talks in round {i} ended without a deal on the cargo levy.\n"));
    }
    let run_on = (0..90).map(|i| format!("levy{i}")).collect::<Vec<_>>().join(" ");
    text = format!("{run_on} port levy talks cargo.\n{text}");
    let (out, _) = run(&mut stage(""), vec![doc("a", &text)]);
    let d = &out[0];
    let spans = &d.annotations["summary"];
    assert_eq!(spans.len(), 3);
    assert!(spans.windows(2).all(|w| w[0].end <= w[1].start));
    assert!(!chosen(d).iter().any(|s| s.starts_with("levy0")), "{:?}", chosen(d));
    let first_window_end = text.match_indices('\n').nth(8).map_or(text.len(), |(i, _)| i);
    assert!(spans.iter().all(|s| s.end <= first_window_end), "{:?}", chosen(d));
}

#[test]
fn budgets_and_determinism_hold_for_every_method_and_input_order() {
    for method in ["news", "lead", "textrank", "lexrank", "centroid"] {
        for budget in ["sentences = 2", "sentences = 0\nwords = 30", "sentences = 0\nratio = 0.5"] {
            let toml = format!("method = \"{method}\"\n{budget}\ngroup_by = \"metadata.story\"");
            let docs = || vec![story("a", "s", ARTICLE), story("b", "s", &ARTICLE.replace("Monday", "Tuesday"))];
            let first = run(&mut stage(&toml), docs());
            let again = run(&mut stage(&toml), docs());
            assert_eq!(serde_json::to_string(&first).unwrap(), serde_json::to_string(&again).unwrap());
            for d in first.0.iter().chain(&first.1) {
                let got = chosen(d);
                let words: usize = got.iter().map(|s| s.split_whitespace().count()).sum();
                assert!(!got.is_empty(), "{method} {budget}");
                assert!(words <= 30 || !budget.contains("words"), "{method} {budget}: {got:?}");
                assert!(got.len() <= 2 || !budget.contains("sentences = 2"), "{method} {budget}: {got:?}");
                let spans = &d.annotations["summary"];
                assert!(spans.windows(2).all(|w| w[0].end <= w[1].start), "{method}: not in order");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_and_keeps_invariants(
        text in "(?s).{0,400}",
        words_text in proptest::collection::vec("[A-Za-zé]{1,8}[.!?\"”]? ?\n?", 0..80),
        method in 0usize..5,
        sentences in 0usize..5,
        words in 0usize..40,
    ) {
        let method = ["news", "lead", "textrank", "lexrank", "centroid"][method];
        let toml = format!("method = \"{method}\"\nsentences = {sentences}\nwords = {words}\ngroup_by = \"metadata.story\"");
        for t in [text, words_text.concat()] {
            let mut s = stage(&toml);
            let docs = vec![story("a", "s", &t), story("b", "s", &t)];
            let (out, extra) = run(&mut s, docs);
            for d in out.iter().chain(&extra) {
                prop_assert!(d.check_invariants().is_ok());
                let got = chosen(d);
                if sentences > 0 {
                    prop_assert!(got.len() <= sentences);
                }
                if words > 0 {
                    prop_assert!(got.iter().map(|s| s.split_whitespace().count()).sum::<usize>() <= words);
                }
                let spans = &d.annotations["summary"];
                prop_assert!(spans.windows(2).all(|w| w[0].end <= w[1].start));
            }
        }
    }

    #[test]
    fn own_sentences_are_inside_paragraphs_and_sorted(text in "(?s)[a-zA-Z .!?\"”’\n—-]{0,300}") {
        let c = text::candidates(&text, None, None);
        for w in c.windows(2) {
            prop_assert!(w[0].end <= w[1].start);
        }
        for s in &c {
            prop_assert!(s.start < s.end && s.end <= text.len());
            // Lines are joined only where a sentence was cut at a single line break.
            prop_assert!(!text[s.start..s.end].contains("\n\n"));
            prop_assert!(!text::continues_sentence(&text, s.start));
            prop_assert_eq!(text[s.start..s.end].trim(), &text[s.start..s.end]);
        }
    }
}

/// Stories whose members are spread over the sequence, a story with one member, documents in
/// no group, an empty document.
fn spread() -> Vec<Document> {
    let other = "Banks raise interest rates again as inflation climbs in Ghana.\nThe central bank of Ghana raised its main interest rate on Monday for the third time this year.\nTraders in Accra said the move had been expected for weeks after the cedi fell.";
    vec![
        story("p0", "ports", ARTICLE),
        story("r0", "rates", other),
        story("p1", "ports", &ARTICLE.replace("Coastline Wire", "Harbour Ledger").replace("Monday", "Tuesday")),
        doc("n0", ARTICLE),
        story("s0", "solo", other),
        story("r1", "rates", &other.replace("third", "fourth")),
        story("e0", "ports", ""),
        story("p2", "ports", &ARTICLE.replace("India", "Brazil")),
        doc("n1", other),
        story("r2", "rates", &other.replace("Accra", "Kumasi")),
    ]
}

/// Documents and group documents as JSON, and the counters.
type Run = (Vec<String>, Vec<String>, Vec<(String, u64)>);

fn to_json(docs: &[Document]) -> Vec<String> {
    docs.iter().map(|d| serde_json::to_string(d).unwrap()).collect()
}

/// The sequence through `process` on one instance.
fn single(toml: &str) -> Run {
    let mut s = stage(toml);
    let (out, extra) = run(&mut s, spread());
    (to_json(&out), to_json(&extra), OrderedStage::counters(&s))
}

/// The sequence cut into shards at `cuts`: each shard prepares and keys on its own instance,
/// the keys cross as JSON text to one resolver that decides in input order, the decisions
/// cross back as JSON text to another instance per shard that applies them. Only the
/// resolver is finished.
fn sharded(toml: &str, cuts: &[usize]) -> Run {
    let docs = spread();
    let n = docs.len();
    let mut bounds = vec![0];
    bounds.extend(cuts.iter().map(|&c| c.min(n)));
    bounds.push(n);
    bounds.sort_unstable();
    let mut docs = docs.into_iter();
    let mut keyed = Vec::new();
    for w in bounds.windows(2) {
        let keyer = stage(toml);
        for mut d in docs.by_ref().take(w[1] - w[0]) {
            let p = docpipe_core::DynOrderedStage::prepare(&keyer, &mut d).unwrap();
            let key = keyer.sharded().unwrap().key_json(&d, p).unwrap();
            keyed.push((d, serde_json::to_string(&key).unwrap()));
        }
    }
    let mut resolver = stage(toml);
    let decided: Vec<(Document, String)> = keyed
        .into_iter()
        .map(|(d, key)| {
            let decision = resolver.sharded_mut().unwrap().decide_json(serde_json::from_str(&key).unwrap()).unwrap();
            (d, serde_json::to_string(&decision).unwrap())
        })
        .collect();
    let extra = OrderedStage::finish(&mut resolver).unwrap();
    let mut decided = decided.into_iter();
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let applier = stage(toml);
        for (d, decision) in decided.by_ref().take(w[1] - w[0]) {
            match applier.sharded().unwrap().apply_json(d, serde_json::from_str(&decision).unwrap()).unwrap() {
                Outcome::Keep(d) => out.push(d),
                other => panic!("unexpected outcome {other:?}"),
            }
        }
    }
    (to_json(&out), to_json(&extra), OrderedStage::counters(&resolver))
}

#[test]
fn the_spread_sequence_has_groups() {
    let (_, extra, _) = single("group_by = \"metadata.story\"");
    let groups: Vec<Value> = extra
        .iter()
        .map(|d| serde_json::from_str::<Value>(d).unwrap()["attributes"]["summary"]["members"].clone())
        .collect();
    assert_eq!(groups, [json!(["p0", "p1", "e0", "p2"]), json!(["r0", "r1", "r2"])]);
}

#[test]
fn keys_hold_the_id_and_the_group_only() {
    let mut s = stage("group_by = \"metadata.story\"\ngroup_candidates = 2");
    let mut d = story("p0", "ports", ARTICLE);
    let p = docpipe_core::DynOrderedStage::prepare(&s, &mut d).unwrap();
    let key = s.sharded().unwrap().key_json(&d, p).unwrap();
    assert_eq!(key["id"], "p0");
    assert_eq!(key["group"]["key"], "ports");
    assert_eq!(key["group"]["sentences"].as_array().unwrap().len(), 2);
    let mut d = doc("n0", ARTICLE);
    let p = docpipe_core::DynOrderedStage::prepare(&s, &mut d).unwrap();
    assert_eq!(s.sharded().unwrap().key_json(&d, p).unwrap(), Value::Null);
    let err = s.sharded_mut().unwrap().decide_json(json!({"id": "x"})).unwrap_err();
    assert!(err.full_message().contains("malformed sharding key"), "{}", err.full_message());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any cut of the sequence into shards gives the documents, group documents and counters
    /// of `process`, grouped by a field, by entities (none here: no group), or not at all.
    #[test]
    fn hooks_across_shards_give_what_process_gives(
        cuts in proptest::collection::vec(0usize..=10, 0..4),
        config in 0usize..3,
    ) {
        let toml = ["group_by = \"metadata.story\"\ngroup_candidates = 3", "group_by = \"entities\"", ""][config];
        prop_assert_eq!(single(toml), sharded(toml, &cuts));
    }
}
