//! Unit and property tests of the stage: options, decisions at every level, marks, cuts,
//! reports, index persistence, determinism and idempotence.

use super::*;
use docpipe_core::Span;
use proptest::prelude::*;

fn stage(snippet: &str) -> Dedupe {
    let opts = StageOptions::parse_snippet(snippet, std::path::Path::new(".")).unwrap();
    match build(&opts).unwrap() {
        Stage::Ordered(_) => {}
        _ => panic!("not an ordered stage"),
    }
    let o: Options = opts.deserialize().unwrap();
    Dedupe::new(Config::from_options(&o).unwrap()).unwrap()
}

fn doc(id: &str, text: &str) -> Document {
    Document::from_source(id, text.to_owned(), "f.txt", 0)
}

/// Runs documents through the stage: `prepare` over all of them first (as the runner does
/// with a batch), or, when `batched` is false, each one just before its `process`.
fn run(st: &mut Dedupe, docs: Vec<Document>, batched: bool) -> Vec<Result<Document, String>> {
    let mut out = Vec::new();
    let mut docs = docs;
    let mut prepared = Vec::new();
    if batched {
        for d in &mut docs {
            prepared.push(st.prepare(d).unwrap());
        }
    }
    let mut prepared = prepared.into_iter();
    for mut d in docs {
        let id = d.id.clone();
        let before = d.attributes.clone();
        let sigs = match prepared.next() {
            Some(p) => p,
            None => st.prepare(&mut d).unwrap(),
        };
        match st.process(d, sigs).unwrap() {
            Outcome::Keep(d) => {
                d.check_invariants().unwrap();
                // What it writes matches its registered declaration.
                docpipe_core::registry::check_written_attributes("dedupe", &before, &d.attributes).unwrap();
                out.push(Ok(d));
            }
            Outcome::Drop(r) => out.push(Err(format!("{id}: {r}"))),
            Outcome::DropWith { reason, .. } => out.push(Err(format!("{id}: {reason}"))),
            Outcome::Split(_) => panic!("split"),
        }
    }
    st.finish().unwrap();
    out
}

fn kept(out: &[Result<Document, String>]) -> Vec<String> {
    out.iter().filter_map(|r| r.as_ref().ok().map(|d| d.id.clone())).collect()
}

const STORY: &str = "The port authority said on Tuesday that the new levy on container traffic would take \
effect next month, after talks with shipping lines ended without agreement in the coastal city.";

fn edited(words_to_change: usize) -> String {
    let mut w: Vec<String> = STORY.split(' ').map(str::to_owned).collect();
    let n = w.len();
    for k in 0..words_to_change {
        w[(k * 7 + 3) % n] = format!("changed{k}");
    }
    w.join(" ")
}

#[test]
fn rejects_bad_options_at_the_key() {
    for (snippet, needle) in [
        ("min_wrods = 3\n", "did you mean `min_words`"),
        ("threshold = 1.5\n", "option `threshold`"),
        ("method = \"exact\"\nsimilarity = \"containment\"\n", "option `similarity`"),
        ("scope = \"document\"\n", "option `scope`"),
        ("bands = 4\n", "option `bands`"),
        ("bands = 40\nrows = 40\n", "exceeds num_perm"),
        ("level = \"paragraph\"\nscope = \"document\"\nindex = \"x.idx\"\n", "option `index`"),
        ("normalise = [\"case\", \"accents\"]\n", "accents"),
    ] {
        let opts = StageOptions::parse_snippet(snippet, std::path::Path::new(".")).unwrap();
        let err = build(&opts).unwrap_err();
        assert!(err.message().contains(needle), "{snippet}: {}", err.message());
    }
}

#[test]
fn registered_example_builds() {
    let f = docpipe_core::registry::find("dedupe").unwrap();
    let body: String = f.example.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let opts = StageOptions::parse_snippet(&body, std::path::Path::new(".")).unwrap();
    assert!(build(&opts).is_ok());
    assert!(!f.summary.ends_with('.') && !f.summary.contains('\n'));
}

#[test]
fn exact_documents_first_kept_normalisation_applies() {
    let mut st = stage("method = \"exact\"\n");
    let docs = vec![
        doc("a", STORY),
        doc("b", &STORY.to_uppercase().replace(' ', "  ").replace(',', "")),
        doc("c", "A different story about a court ruling on the mine and its tailings dam."),
        doc("d", STORY),
        doc("e", "too short"),
        doc("f", "too short"),
    ];
    let out = run(&mut st, docs, true);
    assert_eq!(kept(&out), ["a", "c", "e", "f"]);
    assert_eq!(out[1].as_ref().unwrap_err(), "b: duplicate");
    assert_eq!(st.totals().duplicates, 2);
    assert_eq!(st.totals().documents_dropped, 2);
}

#[test]
fn digits_normalisation_is_optional() {
    let a = "The result was decided by 412 votes in the final count on Sunday.";
    let b = a.replace("412", "413");
    let mut plain = stage("");
    assert_eq!(kept(&run(&mut plain, vec![doc("a", a), doc("b", &b)], true)), ["a", "b"]);
    let mut digits = stage("normalise = [\"case\", \"whitespace\", \"punctuation\", \"digits\"]\n");
    assert_eq!(kept(&run(&mut digits, vec![doc("a", a), doc("b", &b)], true)), ["a"]);
}

#[test]
fn near_documents_verified_against_threshold() {
    let mut st = stage("method = \"near\"\nngram = 2\nthreshold = 0.7\nnum_perm = 256\naction = \"mark\"\n");
    let docs = vec![doc("orig", STORY), doc("light", &edited(1)), doc("heavy", &edited(12)), doc("same", STORY)];
    let out = run(&mut st, docs, true);
    let attr = |i: usize| out[i].as_ref().unwrap().attributes.get("dedupe").cloned();
    assert_eq!(attr(0), None);
    let light = attr(1).unwrap();
    assert_eq!(light["duplicate_of"], "orig");
    assert_eq!(light["cluster"], "orig");
    assert!(light["similarity"].as_f64().unwrap() >= 0.7);
    assert_eq!(attr(2), None, "a heavily edited copy is not a duplicate at 0.7");
    assert_eq!(attr(3).unwrap()["similarity"], 1.0);
}

#[test]
fn clusters_join_through_the_earliest_member() {
    // c matches both a and b (which do not match each other): one cluster, represented by a.
    let a = "alpha beta gamma delta epsilon zeta eta theta iota kappa";
    let b = "lambda mu nu xi omicron pi rho sigma tau upsilon";
    let c = format!("{a} {b}");
    let mut st = stage(
        "method = \"near\"\nsimilarity = \"containment\"\nlevel = \"paragraph\"\nngram = 1\nthreshold = 0.5\naction = \"mark\"\n",
    );
    let text = format!("{a}\n{b}\n{c}\n");
    let out = run(&mut st, vec![doc("d", &text)], true);
    let d = out[0].as_ref().unwrap();
    let spans = &d.annotations["duplicates"];
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].fields["cluster"], format!("d#0-{}", a.len()));
    assert_eq!(spans[0].fields["similarity"], 0.5);
}

#[test]
fn paragraph_drop_cuts_with_exact_offsets() {
    let boiler = "Subscribe to our newsletter for the latest news every morning.";
    let file = format!(
        "Intro line of story one here.\n{boiler}\nBody of the first story continues.\n{boiler}\nEnd of it all here now."
    );
    let mut d = doc("x", &file);
    d.set_layer(
        "entities",
        vec![Span::new(0, 5), Span::new(file.rfind("Subscribe").unwrap(), file.rfind("Subscribe").unwrap() + 9)],
    );
    let mut st = stage("level = \"paragraph\"\n");
    let out = run(&mut st, vec![d], true);
    let d = out[0].as_ref().unwrap();
    assert_eq!(
        d.text,
        format!("Intro line of story one here.\n{boiler}\nBody of the first story continues.\nEnd of it all here now.")
    );
    assert_eq!(d.attributes["dedupe"]["removed"], 1);
    assert_eq!(d.annotations["entities"].len(), 1, "the entity inside the cut paragraph went with it");
    let rebuilt = docpipe_core::align::reconstruct_source(d.text.as_bytes(), &d.source.edits, file.as_bytes()).unwrap();
    assert_eq!(rebuilt, file.as_bytes());
    // The run statistics account for the cut: one paragraph, its bytes, five compared.
    let counters: std::collections::BTreeMap<String, u64> = st.counters().into_iter().collect();
    assert_eq!(counters["paragraph duplicates removed"], 1);
    assert_eq!(counters["paragraph duplicate bytes removed"], boiler.len() as u64);
    assert_eq!(counters["paragraphs compared"], 5);
    assert_eq!(counters["index entries"], 4);
}

#[test]
fn paragraph_ids_point_into_the_output_text() {
    let p = "A repeated paragraph with enough words to count here.";
    let text = format!("{p}\n{p}\nAnother paragraph that stays in the text for sure.\n{p}\n");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.jsonl");
    let mut st = stage(&format!("level = \"paragraph\"\nreport = {:?}\n", report.display().to_string()));
    st.config.report = Some(report.clone());
    let out = run(&mut st, vec![doc("x", &text), doc("y", p)], true);
    assert_eq!(out[1].as_ref().unwrap_err(), "y: duplicate", "a document left empty is dropped");
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&report).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    let kept_id = format!("x#0-{}", p.len());
    assert!(lines.iter().all(|l| l["duplicate_of"] == kept_id.as_str() && l["level"] == "paragraph"));
    let x = out[0].as_ref().unwrap();
    assert_eq!(&x.text[..p.len()], p);
}

#[test]
fn pull_quote_found_by_containment() {
    let body = "Speaking after the vote, the minister said: A fair levy is not a tax on our partners, and we will keep talking.";
    let quote = "\u{201c}A fair levy is not a tax on our partners\u{201d}";
    let text = format!("{body}\n{quote}\n- The Minister\n");
    let mut st = stage(
        "level = \"paragraph\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 3\nthreshold = 0.8\nscope = \"document\"\naction = \"mark\"\n",
    );
    let out = run(&mut st, vec![doc("a", &text)], true);
    let spans = &out[0].as_ref().unwrap().annotations["duplicates"];
    assert_eq!(spans.len(), 1);
    assert_eq!(&text[spans[0].start..spans[0].end], quote);
    assert_eq!(spans[0].label.as_deref(), Some("paragraph"));
    // Jaccard at the same threshold misses it: the quote is a small part of the paragraph.
    let mut j = stage(
        "level = \"paragraph\"\nmethod = \"near\"\nngram = 3\nthreshold = 0.8\nscope = \"document\"\naction = \"mark\"\n",
    );
    let out = run(&mut j, vec![doc("a", &text)], true);
    assert!(!out[0].as_ref().unwrap().annotations.contains_key("duplicates"));
}

#[test]
fn pull_quote_before_its_paragraph_is_found_and_marked_as_the_repeat() {
    // Issue 13: containment was measured only of the later unit in the earlier one, so a
    // pull quote printed above the paragraph it repeats was missed.
    let quote = "\u{201c}Nobody on this coast has seen the river this high in forty years\u{201d}";
    let body = "The harbour master, who has kept the tide tables since 1990, was blunt: nobody on this coast has seen the river this high in forty years, and the dykes were not built for it.";
    let other = "Crews worked through the night to raise sandbags along the old quay.";
    let text = format!("{quote}\n{other}\n{body}\n");
    let conf = "level = \"paragraph\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 3\nmin_words = 3\nthreshold = 0.8\nscope = \"document\"\naction = \"mark\"\n";
    let mut st = stage(conf);
    let out = run(&mut st, vec![doc("a", &text)], true);
    let spans = &out[0].as_ref().unwrap().annotations["duplicates"];
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(&text[spans[0].start..spans[0].end], quote, "the shorter unit is the repeat");
    let of = spans[0].fields["duplicate_of"].as_str().unwrap();
    let body_start = text.find(body).unwrap();
    assert_eq!(of, format!("a#{body_start}-{}", body_start + body.len()), "its original is the paragraph");

    // The same order with action = drop cuts the quote, not the paragraph.
    let mut st = stage(&conf.replace("\"mark\"", "\"drop\""));
    let out = run(&mut st, vec![doc("a", &text)], true);
    let kept = &out[0].as_ref().unwrap().text;
    assert!(!kept.contains('\u{201c}') && kept.contains(body) && kept.contains(other), "{kept}");

    // Printed after the paragraph, the quote is found as before.
    let text = format!("{body}\n{other}\n{quote}\n");
    let out = run(&mut stage(conf), vec![doc("a", &text)], true);
    let spans = &out[0].as_ref().unwrap().annotations["duplicates"];
    assert_eq!(&text[spans[0].start..spans[0].end], quote);
}

#[test]
fn reverse_containment_makes_no_false_pair() {
    // A short paragraph that shares a few words with a later long one is no repeat, and a
    // repeat in another document does not reach back (scope = document).
    let text = "The river rose again overnight.\nOfficials said the river rose again overnight in the north, but the town centre stayed dry and the schools will open on Monday as planned.\n";
    let conf = "level = \"paragraph\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 3\nmin_words = 3\nthreshold = 0.8\nscope = \"document\"\naction = \"mark\"\n";
    let short = "Schools reopen on Monday after the storm damage.\nThe storm also closed two roads.\n";
    let long = "Officials said the schools reopen on Monday, while the storm damage to the roads is repaired over the coming weeks by county crews.\n";
    let out = run(&mut stage(conf), vec![doc("a", short), doc("b", long)], true);
    assert!(out.iter().all(|d| !d.as_ref().unwrap().annotations.contains_key("duplicates")), "{out:?}");
    // Within one document a five-word line wholly inside a later paragraph is still too
    // short to be taken as its repeat (a heading echoing the text); six words are enough.
    let out = run(&mut stage(conf), vec![doc("c", text)], true);
    assert!(!out[0].as_ref().unwrap().annotations.contains_key("duplicates"), "{out:?}");
    let text = text.replace("The river rose again overnight.", "The river rose again overnight in the north.");
    let out = run(&mut stage(conf), vec![doc("c", &text)], true);
    assert_eq!(out[0].as_ref().unwrap().annotations["duplicates"].len(), 1);
}

#[test]
fn sentence_scope_document_resets_per_document() {
    let s = "The committee will meet again next week to decide.";
    let t1 = format!("First sentence of the report is here today. {s} {s}");
    let mut st = stage("level = \"sentence\"\nscope = \"document\"\n");
    let out = run(&mut st, vec![doc("a", &t1), doc("b", s)], true);
    assert_eq!(out[0].as_ref().unwrap().text, format!("First sentence of the report is here today. {s}"));
    assert_eq!(out[1].as_ref().unwrap().text, s, "other documents do not count");
}

#[test]
fn uses_the_splitter_layer_when_present() {
    let text = "One two three four five. Six seven eight nine ten. One two three four five.";
    let mut d = doc("a", text);
    // A splitter that put everything in one paragraph: no duplicate at paragraph level.
    d.set_layer("paragraphs", vec![Span::new(0, text.len())]);
    let mut st = stage("level = \"paragraph\"\naction = \"mark\"\n");
    let out = run(&mut st, vec![d.clone()], true);
    assert!(!out[0].as_ref().unwrap().annotations.contains_key("duplicates"));
    d.set_layer("sentences", vec![Span::new(0, 24), Span::new(25, 50), Span::new(51, text.len())]);
    let mut st = stage("level = \"sentence\"\naction = \"mark\"\n");
    let out = run(&mut st, vec![d], true);
    assert_eq!(out[0].as_ref().unwrap().annotations["duplicates"][0].start, 51);
}

#[test]
fn paragraphs_come_from_the_article_blocks_of_wrapped_text() {
    // Hard-wrapped text: the article splitter's `blocks` hold whole paragraphs (several
    // lines each) and a nested inline dateline. The pull quote repeats a sentence that is
    // broken over two lines of its paragraph, so line units could not find it.
    let para = "HALDEN - The ferry company said on Tuesday that the night crossing\n\
                would stop for the winter because too few passengers used it.\n";
    let other = "   Its owners gave no date for a return of the service next spring.\n";
    let quote = "   The night crossing would stop for the winter.\n";
    let text = format!("{para}{other}{quote}");
    let p_end = para.trim_end().len();
    let o_start = para.len();
    let q_start = o_start + other.len();
    let mut d = doc("w", &text);
    let mut inline = Span::new(0, 8).with_label("dateline");
    inline.fields.insert("inline".into(), Value::Bool(true));
    d.set_layer(
        "blocks",
        vec![
            inline,
            Span::new(0, p_end).with_label("body"),
            Span::new(o_start, q_start - 1).with_label("body"),
            Span::new(q_start, text.len() - 1).with_label("pull_quote"),
        ],
    );
    let conf = "level = \"paragraph\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 3\nmin_words = 3\nthreshold = 0.8\nscope = \"document\"\naction = \"mark\"\n";
    let out = run(&mut stage(conf), vec![d.clone()], true);
    let spans = &out[0].as_ref().unwrap().annotations["duplicates"];
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(&text[spans[0].start..spans[0].end], quote.trim());
    assert_eq!(spans[0].fields["duplicate_of"], format!("w#0-{p_end}").as_str());
    // Without the blocks, the lines are the units and the broken sentence is not found.
    d.annotations.remove("blocks");
    let out = run(&mut stage(conf), vec![d], true);
    assert!(!out[0].as_ref().unwrap().annotations.contains_key("duplicates"), "{out:?}");
}

#[test]
fn index_carries_state_between_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/state.idx");
    for method in ["exact", "near"] {
        for sim in ["jaccard", "containment"] {
            if method == "exact" && sim == "containment" {
                continue;
            }
            let _ = std::fs::remove_file(&path);
            let snippet = format!(
                "method = \"{method}\"\nsimilarity = \"{sim}\"\nngram = 2\nindex = {:?}\n",
                path.display().to_string()
            );
            let mk = || {
                let mut s = stage(&snippet);
                s.config.index = Some(path.clone());
                s
            };
            let mut first = mk();
            assert_eq!(kept(&run(&mut first, vec![doc("a", STORY), doc("b", &edited(40))], true)), ["a", "b"]);
            assert!(path.exists());
            let mut second = Dedupe::new(first.config.clone()).unwrap();
            assert_eq!(second.index().len(), 2);
            let out = run(
                &mut second,
                vec![doc("c", STORY), doc("d", "A brand new story about the election count today.")],
                true,
            );
            assert_eq!(kept(&out), ["d"], "{method}/{sim}");
            // One run over everything gives the same decisions.
            let _ = std::fs::remove_file(&path);
            let mut one = mk();
            let all = vec![
                doc("a", STORY),
                doc("b", &edited(40)),
                doc("c", STORY),
                doc("d", "A brand new story about the election count today."),
            ];
            assert_eq!(kept(&run(&mut one, all, true)), ["a", "b", "d"]);
        }
    }
    // A damaged file is a build error at `index`.
    std::fs::write(&path, b"DPDEDUPE garbage").unwrap();
    let snippet = format!("index = {:?}\n", path.display().to_string());
    let opts = StageOptions::parse_snippet(&snippet, std::path::Path::new(".")).unwrap();
    assert!(build(&opts).unwrap_err().message().contains("option `index`"));
}

/// Documents built from a small vocabulary with planted copies.
fn corpus_strategy() -> impl Strategy<Value = Vec<Document>> {
    let para = prop::collection::vec(
        prop::sample::select(
            &["levy", "port", "vote", "court", "dam", "the", "said", "on", "Tuesday", "é", "“quoted”"][..],
        ),
        0..14,
    )
    .prop_map(|w| w.join(" "));
    let docs = prop::collection::vec(prop::collection::vec(para, 0..5).prop_map(|p| p.join("\n")), 1..12);
    (docs, prop::collection::vec((0usize..12, 0usize..12), 0..6)).prop_map(|(mut texts, copies)| {
        for (from, to) in copies {
            if from < texts.len() && to < texts.len() {
                texts[to] = texts[from].clone();
            }
        }
        texts.iter().enumerate().map(|(i, t)| doc(&format!("d{i}"), t)).collect()
    })
}

const CONFIGS: &[&str] = &[
    "min_words = 1\n",
    "method = \"near\"\nngram = 2\nthreshold = 0.6\nmin_words = 1\n",
    "level = \"paragraph\"\nmin_words = 1\n",
    "level = \"paragraph\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 2\nmin_words = 2\n",
    "level = \"sentence\"\nmethod = \"near\"\nngram = 1\nthreshold = 0.5\nmin_words = 1\n",
    "level = \"paragraph\"\nscope = \"document\"\nmin_words = 1\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn deterministic_subset_in_order_and_idempotent(docs in corpus_strategy(), which in 0..CONFIGS.len()) {
        let cfg = CONFIGS[which];
        let a = run(&mut stage(cfg), docs.clone(), true);
        let b = run(&mut stage(cfg), docs.clone(), false);
        prop_assert_eq!(&a, &b, "prepare batched ahead or not, same output");
        // Output ids are a subsequence of the input ids.
        let ids = kept(&a);
        let mut it = docs.iter().map(|d| d.id.clone());
        prop_assert!(ids.iter().all(|id| it.any(|x| &x == id)));
        // Exact duplicates at document level are always dropped.
        if which == 0 {
            let mut seen = std::collections::HashSet::new();
            for (d, r) in docs.iter().zip(&a) {
                let n = {
                    let mut s = String::new();
                    text::normalise_into(&d.text, Normalisation { case: true, whitespace: true, punctuation: true, digits: false }, &mut s);
                    s
                };
                let first = seen.insert(n.clone());
                prop_assert_eq!(r.is_ok(), first || n.is_empty());
            }
        }
        // Deduping the output again changes nothing.
        let again_in: Vec<Document> = a.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
        let again = run(&mut stage(cfg), again_in.clone(), true);
        let again_docs: Vec<Document> = again.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
        prop_assert_eq!(again_docs.len(), again_in.len());
        for (x, y) in again_docs.iter().zip(&again_in) {
            prop_assert_eq!(&x.text, &y.text);
        }
    }

    #[test]
    fn never_panics_and_keeps_invariants(texts in prop::collection::vec("\\PC{0,300}|[a-c .\n\r]{0,300}", 1..6), which in 0..CONFIGS.len(), mark in any::<bool>()) {
        let mut cfg = CONFIGS[which].to_owned();
        if mark {
            cfg.push_str("action = \"mark\"\n");
        }
        let mut docs: Vec<Document> = texts.iter().enumerate().map(|(i, t)| doc(&format!("d{i}"), t)).collect();
        docs.extend(docs.clone().into_iter().map(|mut d| { d.id.push('c'); d }));
        for d in run(&mut stage(&cfg), docs, true).into_iter().flatten() {
            prop_assert!(d.check_invariants().is_ok());
            // Dedupe only deletes: every edit it adds has an empty text side.
            prop_assert!(d.source.edits.iter().all(|e| e.text_start == e.text_end));
        }
    }
}
