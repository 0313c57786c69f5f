//! The sharding hooks against a single run (issue 16). A document sequence goes through
//! `process` on one instance, and through key (shard instances) → JSON → decide (one
//! resolver) → JSON → apply (other shard instances), split over shards at random points:
//! the outcomes (documents as JSON, drop reasons and details), the report, the index file
//! and the counters must be the same bytes.

use super::*;
use docpipe_core::sharding::ShardedStage;
use docpipe_core::{DynOrderedStage, Span};
use proptest::prelude::*;
use std::path::Path;

/// A stage from a TOML snippet, its report (and, for scope = corpus, its index) in `dir`.
fn stage_in(snippet: &str, dir: &Path) -> Dedupe {
    let opts = StageOptions::parse_snippet(snippet, Path::new(".")).unwrap();
    let o: Options = opts.deserialize().unwrap();
    let mut config = Config::from_options(&o).unwrap();
    config.report = Some(dir.join("report.jsonl"));
    if config.scope == Scope::Corpus {
        config.index = Some(dir.join("index.bin"));
    }
    Dedupe::new(config).unwrap()
}

/// An outcome as comparable text: the document as JSON, or the drop reason and detail.
fn show(out: Outcome) -> String {
    match out {
        Outcome::Keep(d) => {
            d.check_invariants().unwrap();
            serde_json::to_string(&d).unwrap()
        }
        Outcome::Drop(r) => format!("drop {r}"),
        Outcome::DropWith { reason, detail } => format!("drop {reason} {detail}"),
        Outcome::Split(_) => panic!("dedupe never splits"),
    }
}

/// What a run leaves behind.
#[derive(Debug, PartialEq)]
struct Run {
    outcomes: Vec<String>,
    report: String,
    index: Option<Vec<u8>>,
    counters: Vec<(String, u64)>,
    totals: Totals,
}

fn finish(mut st: Dedupe, outcomes: Vec<String>, dir: &Path) -> Run {
    OrderedStage::finish(&mut st).unwrap();
    Run {
        outcomes,
        report: std::fs::read_to_string(dir.join("report.jsonl")).unwrap(),
        index: std::fs::read(dir.join("index.bin")).ok(),
        counters: OrderedStage::counters(&st),
        totals: st.totals().clone(),
    }
}

/// One instance, `prepare` then `process` per document (process = key, decide, apply).
fn single(snippet: &str, docs: &[Document]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut st = stage_in(snippet, dir.path());
    let outcomes = docs
        .iter()
        .map(|d| {
            let mut d = d.clone();
            let sigs = OrderedStage::prepare(&st, &mut d).unwrap();
            show(OrderedStage::process(&mut st, d, sigs).unwrap())
        })
        .collect();
    finish(st, outcomes, dir.path())
}

/// JSON through a string, as it crosses processes in files.
fn through_text(v: serde_json::Value) -> serde_json::Value {
    serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap()
}

/// The documents split into shards at `splits` (sorted positions): on each shard, prepare
/// and key on one instance; all keys decided in input order by a resolver; each decision
/// applied on another instance of its shard. Only the resolver is finished.
fn sharded(snippet: &str, docs: &[Document], splits: &[usize]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let shard_dir = tempfile::tempdir().unwrap();
    let mut shards: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    for end in splits.iter().map(|&s| s.min(docs.len())).chain([docs.len()]) {
        let end = end.max(start);
        shards.push(start..end);
        start = end;
    }

    let mut keyed: Vec<(Document, serde_json::Value)> = Vec::new();
    for range in &shards {
        let keyer = stage_in(snippet, shard_dir.path());
        for d in &docs[range.clone()] {
            let mut d = d.clone();
            let prepared = <Dedupe as DynOrderedStage>::prepare(&keyer, &mut d).unwrap();
            let key = OrderedStage::sharded(&keyer).unwrap().key_json(&d, prepared).unwrap();
            keyed.push((d, through_text(key)));
        }
    }
    let mut resolver = stage_in(snippet, dir.path());
    let decided: Vec<(Document, serde_json::Value)> = keyed
        .into_iter()
        .map(|(d, key)| {
            let decision = OrderedStage::sharded_mut(&mut resolver).unwrap().decide_json(key).unwrap();
            (d, through_text(decision))
        })
        .collect();
    let mut decided = decided.into_iter();
    let mut outcomes = Vec::new();
    for range in &shards {
        let applier = stage_in(snippet, shard_dir.path());
        for (d, decision) in decided.by_ref().take(range.len()) {
            outcomes.push(show(OrderedStage::sharded(&applier).unwrap().apply_json(d, decision).unwrap()));
        }
    }
    let left: Vec<_> = std::fs::read_dir(shard_dir.path()).unwrap().collect();
    assert!(left.is_empty(), "key and apply created files: {left:?}");
    finish(resolver, outcomes, dir.path())
}

fn doc(id: &str, text: &str) -> Document {
    Document::from_source(id, text.to_owned(), "f.txt", 0)
}

const P1: &str =
    "The port authority said on Tuesday that the new levy on container traffic would take effect next month.";
const P2: &str = "Talks with the shipping lines ended without an agreement after three days in the coastal city.";
const P3: &str = "Union leaders warned that dock workers could strike if the levy cut into their wages this year.";

/// Words `from..to` of a made-up vocabulary, as one sentence.
fn words(from: usize, to: usize) -> String {
    let w: Vec<String> =
        (from..to).map(|i| format!("tok{}", (b'a' + (i % 26) as u8) as char).repeat(1 + i / 26)).collect();
    format!("{}.", w.join(" "))
}

/// The sequence every configuration runs: exact and near copies, an A~B, B~C, A≁C chain,
/// a pull quote before its paragraph, documents their cuts leave blank (also with CRLF
/// and Unicode whitespace) or not (a short line, a heading outside the article blocks),
/// stale marks of an earlier run, a span inside a cut paragraph, repeated sentences.
fn sequence() -> Vec<Document> {
    let quote = "\u{201c}Nobody on this coast has seen the river this high in forty years\u{201d}";
    let body = "The harbour master, who has kept the tide tables since 1990, was blunt: nobody on this coast has seen the river this high in forty years, and the dykes were not built for it.";
    let other = "Crews worked through the night to raise sandbags along the old quay.";
    let fresh = "A brand new paragraph about the harbour pilots and their long night shifts.";
    let mut heading = doc("heading", &format!("HARBOUR NEWS TODAY AND TOMORROW AND AFTER\n{P1}\n{P2}\n"));
    let h = heading.text.clone();
    heading.set_layer(
        "blocks",
        vec![
            Span::new(h.find(P1).unwrap(), h.find(P1).unwrap() + P1.len()),
            Span::new(h.find(P2).unwrap(), h.len() - 1),
        ],
    );
    let mut stale = doc("stale", &format!("{P1}\n{fresh}\n"));
    stale
        .attributes
        .insert("dedupe".into(), serde_json::json!({"duplicate_of": "old", "similarity": 1.0, "cluster": "old"}));
    stale.set_layer("duplicates", vec![Span::new(0, 5)]);
    stale.set_layer("entities", vec![Span::new(4, 8).with_label("ORG"), Span::new(P1.len() + 3, P1.len() + 8)]);
    vec![
        doc("a", &format!("{P1}\n{P2}\n{P3}\n")),
        doc("b", &format!("{P1}\n{P2}\n{P3}\n")),
        doc("c", &format!("{}\n{P2}\n{}\n", P1.replace("Tuesday", "Monday"), P3.replace("this year", "next year"))),
        doc("chain-a", &words(0, 20)),
        doc("chain-b", &words(5, 25)),
        doc("chain-c", &words(10, 30)),
        doc("quote", &format!("{quote}\n{other}\n{body}\n")),
        doc("blank", &format!("{P2}\n{P3}")),
        doc("short", &format!("{P2}\nshort line\n{P3}\n")),
        heading,
        stale,
        doc("sentences", &format!("{other} {fresh} {other}")),
        doc("crlf", &format!("  \r\n\u{2003}{P3}\r\n\r\n  {P1}  \r\n\u{a0}")),
        doc("b2", &format!("{P1}\n{P2}\n{P3}\n")),
        doc("empty", ""),
        doc("quote2", &format!("{body}\n{quote}\n")),
    ]
}

const CONFIGS: &[&str] = &[
    "method = \"exact\"\n",
    "method = \"exact\"\naction = \"mark\"\n",
    "method = \"near\"\nngram = 1\nthreshold = 0.5\nnum_perm = 256\n",
    "method = \"near\"\nngram = 1\nthreshold = 0.5\nnum_perm = 256\naction = \"mark\"\n",
    "level = \"paragraph\"\n",
    "level = \"paragraph\"\naction = \"mark\"\n",
    "level = \"paragraph\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 3\nmin_words = 3\n",
    "level = \"paragraph\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 3\nmin_words = 3\naction = \"mark\"\n",
    "level = \"paragraph\"\nmethod = \"near\"\nngram = 2\nthreshold = 0.6\n",
    "level = \"paragraph\"\nscope = \"document\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 3\nmin_words = 3\n",
    "level = \"sentence\"\n",
    "level = \"sentence\"\nmin_words = 1\n",
    "level = \"sentence\"\nmethod = \"near\"\nngram = 1\nthreshold = 0.5\naction = \"mark\"\n",
    "level = \"sentence\"\nscope = \"document\"\naction = \"mark\"\n",
];

fn outcome<'a>(run: &'a Run, docs: &[Document], id: &str) -> &'a str {
    &run.outcomes[docs.iter().position(|d| d.id == id).unwrap()]
}

#[test]
fn sharded_runs_give_the_single_run_bytes_at_every_level_and_action() {
    let docs = sequence();
    for cfg in CONFIGS {
        let one = single(cfg, &docs);
        for splits in [vec![], (1..docs.len()).collect(), vec![3, 4, 11]] {
            assert_eq!(sharded(cfg, &docs, &splits), one, "{cfg} split at {splits:?}");
        }
    }
    // The sequence exercises what it claims to.
    let jaccard = single(CONFIGS[2], &docs);
    assert!(outcome(&jaccard, &docs, "chain-b").starts_with("drop duplicate"));
    for id in ["chain-a", "chain-c"] {
        assert!(!outcome(&jaccard, &docs, id).starts_with("drop"), "{id} is no duplicate of what was kept");
    }
    let cut = single(CONFIGS[6], &docs);
    for id in ["b", "blank", "crlf", "b2"] {
        assert!(outcome(&cut, &docs, id).starts_with("drop duplicate"), "{id}: {}", outcome(&cut, &docs, id));
    }
    for (id, kept) in [("short", "short line"), ("heading", "HARBOUR NEWS"), ("quote", "Crews worked")] {
        assert!(outcome(&cut, &docs, id).contains(kept), "{id}: {}", outcome(&cut, &docs, id));
    }
    assert!(!outcome(&cut, &docs, "quote").contains('\u{201c}'), "the quote printed before its paragraph is cut");
    let mark = single(CONFIGS[5], &docs);
    assert!(!outcome(&mark, &docs, "c").contains("\"duplicates\":[{\"start\":0,"), "the edited first paragraph is new");
    assert!(outcome(&mark, &docs, "b").contains("\"duplicates\""));
}

#[test]
fn the_resolver_writes_the_single_run_report() {
    let docs = sequence();
    for cfg in CONFIGS {
        let one = single(cfg, &docs);
        assert!(!one.report.is_empty(), "{cfg}: the sequence has duplicates at every level");
        let split = sharded(cfg, &docs, &[2, 7, 8]);
        assert_eq!(split.report, one.report, "{cfg}");
        assert_eq!((split.counters, split.index), (one.counters, one.index), "{cfg}");
    }
}

#[test]
fn keys_are_compact_and_decisions_checked() {
    let docs = sequence();
    let dir = tempfile::tempdir().unwrap();
    let mut st = stage_in(CONFIGS[6], dir.path());
    let mut d = docs[0].clone();
    let sigs = OrderedStage::prepare(&st, &mut d).unwrap();
    let key = ShardedStage::key(&st, &d, sigs).unwrap();
    let json = serde_json::to_value(&key).unwrap();
    let text = json.to_string();
    assert!(!text.contains("port authority"), "no text in a key: {text}");
    assert_eq!(json["units"][0]["fp"].as_str().unwrap().len(), 22);
    assert!(json["units"][0]["sh"].as_str().is_some(), "shingles packed in one string");
    assert!(json["units"][0].get("sig").is_none(), "containment keeps no signature");
    assert_eq!(serde_json::from_value::<hooks::Key>(json.clone()).unwrap(), key);
    // A fingerprint above u64::MAX survives a trip through serde_json::Value.
    let big = UnitSig { fingerprint: u128::MAX - 7, ..UnitSig::default() };
    assert_eq!(serde_json::from_value::<UnitSig>(serde_json::to_value(&big).unwrap()).unwrap(), big);
    assert!(serde_json::from_value::<UnitSig>(serde_json::json!({"s": 0, "e": 1, "w": 1, "fp": "AAAA"})).is_err());

    // A decision that does not fit the document is an error, not a panic.
    let bad = hooks::Decision::Cut { cuts: vec![(0, d.text.len() + 4)], removed: 1 };
    let err = ShardedStage::apply(&st, d.clone(), bad).unwrap_err();
    assert!(err.full_message().contains("does not fit"), "{}", err.full_message());
    let blank = hooks::Decision::Cut { cuts: vec![(0, d.text.len())], removed: 3 };
    assert!(ShardedStage::apply(&st, d.clone(), blank).is_err(), "a cut leaving nothing is decide's drop");
    // A key made with `mark` has no cut ranges: a `drop` resolver refuses it.
    let marker = stage_in(CONFIGS[7], dir.path());
    let sigs = OrderedStage::prepare(&marker, &mut d).unwrap();
    let key = ShardedStage::key(&marker, &d, sigs).unwrap();
    ShardedStage::decide(&mut st, key.clone()).unwrap();
    let err = ShardedStage::decide(&mut st, key).unwrap_err();
    assert!(err.full_message().contains("no cut range"), "{}", err.full_message());
}

/// Documents from a small vocabulary with odd separators (CRLF, tabs, Unicode spaces),
/// planted copies, and for some an article `blocks` layer that leaves every other line out.
fn docs_strategy() -> impl Strategy<Value = Vec<Document>> {
    let token = prop::sample::select(
        &[
            "levy",
            "port",
            "vote",
            "court",
            "dam",
            "the",
            "said",
            "on",
            "Tuesday",
            "é",
            "“quoted”",
            " ",
            " ",
            " ",
            "  ",
            "\n",
            "\n",
            "\n\n",
            "\r\n",
            " \n ",
            "\t",
            ". ",
            ".\n",
            "\u{2003}",
            "\u{a0}",
            ", ",
            "!",
        ][..],
    );
    let text = prop::collection::vec(token, 0..40).prop_map(|t| t.concat());
    let docs = prop::collection::vec((text, any::<bool>()), 1..10);
    (docs, prop::collection::vec((0usize..10, 0usize..10), 0..6)).prop_map(|(mut texts, copies)| {
        for (from, to) in copies {
            if from < texts.len() && to < texts.len() {
                texts[to].0 = texts[from].0.clone();
            }
        }
        texts
            .iter()
            .enumerate()
            .map(|(i, (t, blocks))| {
                let mut d = doc(&format!("d{i}"), t);
                if *blocks {
                    let mut start = 0;
                    let mut spans = Vec::new();
                    for (n, line) in t.split('\n').enumerate() {
                        if n % 2 == 0 && !line.is_empty() {
                            spans.push(Span::new(start, start + line.len()));
                        }
                        start += line.len() + 1;
                    }
                    d.set_layer("blocks", spans);
                }
                d
            })
            .collect()
    })
}

const RANDOM_CONFIGS: &[&str] = &[
    "min_words = 1\n",
    "method = \"near\"\nngram = 2\nthreshold = 0.6\nmin_words = 1\n",
    "level = \"paragraph\"\nmin_words = 1\n",
    "level = \"paragraph\"\nmin_words = 2\n",
    "level = \"paragraph\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 2\nmin_words = 2\n",
    "level = \"paragraph\"\nmethod = \"near\"\nsimilarity = \"containment\"\nngram = 1\nmin_words = 1\nthreshold = 0.6\n",
    "level = \"sentence\"\nmethod = \"near\"\nngram = 1\nthreshold = 0.5\nmin_words = 1\n",
    "level = \"sentence\"\nmin_words = 1\n",
    "level = \"paragraph\"\nscope = \"document\"\nmin_words = 1\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn hooks_match_the_old_process_and_any_sharding(
        docs in docs_strategy(),
        which in 0..RANDOM_CONFIGS.len(),
        mark in any::<bool>(),
        splits in prop::collection::vec(0usize..10, 0..4),
    ) {
        let mut cfg = RANDOM_CONFIGS[which].to_owned();
        if mark {
            cfg.push_str("action = \"mark\"\n");
        }
        let one = single(&cfg, &docs);
        let mut splits = splits;
        splits.sort_unstable();
        prop_assert_eq!(&sharded(&cfg, &docs, &splits), &one);
    }
}
