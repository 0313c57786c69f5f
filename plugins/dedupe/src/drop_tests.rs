//! Tests of the detail a dropped duplicate carries to the sinks after the stage: the fields
//! the stage's report records for it.

use super::*;
use serde_json::json;

fn stage(snippet: &str) -> Dedupe {
    let opts = StageOptions::parse_snippet(snippet, std::path::Path::new(".")).unwrap();
    let o: Options = opts.deserialize().unwrap();
    Dedupe::new(Config::from_options(&o).unwrap()).unwrap()
}

/// Runs documents through the stage; the detail of each drop, `None` for a kept document.
fn details(st: &mut Dedupe, texts: &[(&str, &str)]) -> Vec<Option<(String, Value)>> {
    texts
        .iter()
        .map(|(id, text)| {
            let mut d = Document::from_source(*id, (*text).to_owned(), "f.txt", 0);
            let sigs = st.prepare(&mut d).unwrap();
            match st.process(d, sigs).unwrap() {
                Outcome::Keep(_) | Outcome::Split(_) => None,
                Outcome::Drop(r) => Some((r.into_owned(), Value::Null)),
                Outcome::DropWith { reason, detail } => Some((reason.into_owned(), detail)),
            }
        })
        .collect()
}

const STORY: &str = "The council approved the new budget on Tuesday after a long debate about the \
                     costs of the bridge repairs and the schools that were promised last year.";

#[test]
fn a_dropped_duplicate_document_says_what_it_repeats() {
    let mut st = stage("method = \"exact\"\n");
    let out = details(&mut st, &[("a", STORY), ("b", STORY)]);
    assert_eq!(out[0], None);
    let (reason, detail) = out[1].clone().unwrap();
    assert_eq!(reason, "duplicate");
    assert_eq!(detail, json!({"level": "document", "duplicate_of": "a", "similarity": 1.0, "cluster": "a"}));
}

#[test]
fn a_document_left_empty_by_its_cuts_says_what_each_passage_repeats() {
    let p = "A repeated paragraph with enough words to count here.";
    let mut st = stage("level = \"paragraph\"\n");
    let text = format!("{p}\nAnother paragraph that stays in the text for sure.\n");
    let out = details(&mut st, &[("x", &text), ("y", p)]);
    assert_eq!(out[0], None);
    let (reason, detail) = out[1].clone().unwrap();
    assert_eq!(reason, "duplicate");
    let of = format!("x#0-{}", p.len());
    assert_eq!(
        detail,
        json!({
            "level": "paragraph", "duplicate_of": of, "similarity": 1.0, "cluster": of,
            "units": [{"start": 0, "end": p.len(), "duplicate_of": of, "similarity": 1.0, "cluster": of}],
        })
    );
}
