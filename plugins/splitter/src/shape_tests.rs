//! Tests of dump shapes and story starts without datelines: hard-wrapped paragraphs keep
//! exact offsets (proptest), a wrapped dump gives the same articles as the same dump one
//! paragraph per line, headline-shaped starts, the story-change signal, and pull quotes and
//! subheadings that must not start a story. Every text here was written for these tests.

use super::*;
use proptest::prelude::*;

fn stage(toml: &str) -> Splitter {
    let opts = StageOptions::parse_snippet(toml, std::path::Path::new(".")).unwrap();
    let o: SplitterOptions = opts.deserialize().unwrap();
    Splitter::new(o).unwrap()
}

fn analyse(text: &str) -> articles::Analysis {
    Splitter::new(SplitterOptions::default()).unwrap().analyse_articles(text)
}

/// Greedy hard wrap of paragraphs at `width` columns: a first-line indent of `indent` spaces,
/// or (indent 0) a blank line between paragraphs. Returns the text and each paragraph's
/// byte range.
fn wrap(paras: &[Vec<String>], width: usize, indent: usize) -> (String, Vec<(usize, usize)>) {
    let mut out = String::new();
    let mut spans = Vec::new();
    for (k, words) in paras.iter().enumerate() {
        if k > 0 && indent == 0 {
            out.push('\n');
        }
        out.push_str(&" ".repeat(indent));
        let start = out.len();
        let mut col = indent;
        for (i, w) in words.iter().enumerate() {
            let n = w.chars().count();
            if i > 0 && col + 1 + n > width {
                out.push('\n');
                col = 0;
            } else if i > 0 {
                out.push(' ');
                col += 1;
            }
            out.push_str(w);
            col += n;
        }
        spans.push((start, out.len()));
        out.push('\n');
    }
    (out, spans)
}

fn words_of(p: &str) -> Vec<String> {
    p.split_whitespace().map(str::to_owned).collect()
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,9}",
        "[A-Z][a-z]{0,8}[.,]?",
        Just("café".to_owned()),
        Just("—".to_owned()),
        Just("naïve,".to_owned()),
        Just("“quoted”".to_owned()),
        Just("end.".to_owned()),
        Just("Zürich".to_owned()),
    ]
}

proptest! {
    #[test]
    fn unwrapped_paragraphs_are_exact(
        paras in prop::collection::vec(prop::collection::vec(word(), 1..40), 1..8),
        width in 30usize..90,
        indent in 0usize..5,
    ) {
        let (text, gold) = wrap(&paras, width, indent);
        // With indented first lines, some line must be a continuation (not indented): text
        // whose every line is indented alike has no first-line indent to go by.
        prop_assume!(indent == 0 || text.lines().any(|l| !l.starts_with(' ')));
        // One paragraph without indent is a flat text, which is also cut at sentence ends.
        prop_assume!(indent > 0 || paras.len() > 1);
        let (shape, got) = shape::paragraphs(&text, Shape::Wrapped);
        prop_assert_eq!(shape, Shape::Wrapped);
        let mut prev = 0;
        for &(s, e) in &got {
            prop_assert!(s < e && e <= text.len() && s >= prev);
            prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            prop_assert!(!text[s..e].starts_with(char::is_whitespace) && !text[s..e].ends_with(char::is_whitespace));
            prev = e;
        }
        prop_assert_eq!(&got, &gold, "{}", text);
        // `auto` may read a short text as lines, but its spans keep the same invariants and
        // never cross a paragraph of the source.
        let (_, auto) = shape::paragraphs(&text, Shape::Auto);
        for &(s, e) in &auto {
            prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e) && s < e);
            prop_assert!(gold.iter().any(|&(a, b)| a <= s && e <= b));
        }
        // Through the stage: paragraph spans and article blocks point at the same bytes.
        let st = stage("unit = \"paragraphs\"\nshape = \"wrapped\"\n");
        let Outcome::Keep(d) = st.process(doc(&text)).unwrap() else { panic!("spans keep the document") };
        let spans: Vec<(usize, usize)> = d.annotations["paragraphs"].iter().map(|s| (s.start, s.end)).collect();
        prop_assert_eq!(&spans, &gold);
    }
}

fn doc(text: &str) -> Document {
    Document::from_source("w.txt@0", text.to_owned(), "w.txt", 0)
}

/// Three stories, one paragraph per line: a wire headline in capitals with a ticker, a
/// dateline story with a standfirst, and a title-cased headline.
const STORIES: &[&str] = &[
    "HARBOUR BOARD PUTS OFF PIER VOTE <HBR>",
    "The harbour board met on Tuesday evening to decide whether the old ferry pier at Kestrel Point should be rebuilt or taken down before the winter storms arrive.",
    "Engineers told the board that two of the pier's timber piles had rotted through and that a third was cracked along its length, so the pier could not carry a loaded ferry ramp.",
    "A vote on the pier is now expected next month, after the board has seen the cost of both options and heard from the ferry operator at Kestrel Point.",
    "Glassworks reopens after two-year closure (ELY.L)",
    "Forty jobs return to the valley as the furnace is lit again",
    "BRANTFORD — The Ellery glassworks lit its furnace on Monday for the first time in two years, taking back forty of the workers it laid off when gas prices rose.",
    "The owners said new orders for laboratory glass had made the furnace worth running again, and that a second shift could follow in the spring.",
    "Former workers queued at the glassworks gate before dawn to sign their new contracts.",
    "Orchard Growers Count Cost Of Late Frost",
    "Apple growers in the upper valley lost up to half of their blossom to a late frost last week, the growers' cooperative said on Friday.",
    "The cooperative's chair said the orchards that had run their frost fans through the night had saved most of their blossom, while older orchards without fans were worst hit.",
    "Growers will know the full cost of the frost in June, when the surviving blossom has set fruit.",
];

/// The same paragraphs hard-wrapped at 64 columns with a three-space first-line indent.
fn wrapped_stories() -> (String, Vec<(usize, usize)>) {
    let paras: Vec<Vec<String>> = STORIES.iter().map(|p| words_of(p)).collect();
    wrap(&paras, 64, 3)
}

fn starts(a: &articles::Analysis) -> Vec<usize> {
    a.articles.iter().map(|x| x.first_line).collect()
}

#[test]
fn headline_shaped_starts_in_lines() {
    let text = STORIES.join("\n") + "\n";
    let a = analyse(&text);
    assert_eq!(a.shape, Some(Shape::Lines));
    assert_eq!(starts(&a), [0, 4, 9], "{:?}", a.articles);
    let roles: Vec<&str> = a.blocks.iter().map(|b| b.role.as_str()).collect();
    assert_eq!(&roles[..2], ["standfirst", "body"]);
    assert_eq!(&roles[4..7], ["standfirst", "standfirst", "body"]);
    assert_eq!(roles[9], "standfirst");
}

#[test]
fn wrapped_dump_gives_the_same_articles_as_lines() {
    let lines = STORIES.join("\n") + "\n";
    let (wrapped, gold) = wrapped_stories();
    let a = analyse(&lines);
    let w = analyse(&wrapped);
    assert_eq!(w.shape, Some(Shape::Wrapped));
    assert_eq!(starts(&a), starts(&w));
    let spans: Vec<(usize, usize)> = w.blocks.iter().map(|b| (b.start, b.end)).collect();
    assert_eq!(spans, gold, "one block per wrapped paragraph, exact offsets");
    let roles = |x: &articles::Analysis| x.blocks.iter().map(|b| b.role).collect::<Vec<_>>();
    assert_eq!(roles(&a), roles(&w));
    // Articles map to the same words.
    for (x, y) in a.articles.iter().zip(&w.articles) {
        let words = |t: &str, s: usize, e: usize| t[s..e].split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(words(&lines, x.start, x.end), words(&wrapped, y.start, y.end));
    }
    // With the indents trimmed (as `normalise` does), the articles are still the same.
    let flat: String = wrapped.lines().map(|l| format!("{}\n", l.trim_start())).collect();
    let f = analyse(&flat);
    assert_eq!(f.shape, Some(Shape::Wrapped));
    assert_eq!(starts(&f), starts(&a));
    assert_eq!(roles(&f), roles(&a));
    // The dateline of the wrapped second story is found at its exact bytes.
    let d = w.articles[1].dateline.unwrap();
    assert_eq!(&wrapped[d.0..d.1], "BRANTFORD —");
}

#[test]
fn wrapped_dump_through_the_stage_keeps_provenance() {
    let (wrapped, _) = wrapped_stories();
    let file = format!("HEAD\n{wrapped}");
    let d = Document::from_source("w.txt@5", wrapped.clone(), "w.txt", 5);
    let Outcome::Split(kids) = stage("unit = \"articles\"\n").process(d).unwrap() else { panic!("articles split") };
    assert_eq!(kids.len(), 3);
    for k in &kids {
        k.check_invariants().unwrap();
        assert_eq!(&file[k.source.start..k.source.end], k.text);
        assert_eq!(k.attributes["splitter"]["shape"], "wrapped");
    }
    assert!(kids[0].text.starts_with("HARBOUR BOARD"));
    // Sentences of a wrapped article run across its line breaks.
    let sents = stage("unit = \"sentences\"\n");
    let Outcome::Keep(s) = sents.process(kids[0].clone()).unwrap() else { panic!("sentence spans") };
    let first_body = &s.annotations["sentences"][1];
    let t = &kids[0].text[first_body.start..first_body.end];
    assert!(t.starts_with("The harbour board") && t.ends_with("storms arrive.") && t.contains('\n'), "{t:?}");
}

#[test]
fn blank_line_blocks_of_wrapped_lines() {
    let paras: Vec<Vec<String>> = STORIES.iter().map(|p| words_of(p)).collect();
    let (text, gold) = wrap(&paras, 70, 0);
    let w = analyse(&text);
    assert_eq!(w.shape, Some(Shape::Wrapped));
    assert_eq!(w.blocks.iter().map(|b| (b.start, b.end)).collect::<Vec<_>>(), gold);
    assert_eq!(starts(&w), [0, 4, 9]);
}

/// A story whose middle has a title-cased subheading and a pull quote, then a second story.
const SUBHEAD_AND_QUOTE: &[&str] = &[
    "The county council voted on Wednesday to close the Marsh Lane recycling centre at the end of the month, after its operator gave up the contract.",
    "Residents who use the Marsh Lane centre will have to drive to the Hatherby depot, eleven miles away, until the council finds a new operator.",
    "What The Council Decided",
    "Councillors agreed that the Marsh Lane site would stay council property and that the recycling contract would be offered again in the spring.",
    "\"We cannot leave a whole town without a tip,\" said the councillor who chairs the waste committee, adding that the Hatherby depot would open longer hours.",
    "\"We cannot leave a whole town without a tip.\"",
    "The Hatherby depot will open until eight in the evening on weekdays while Marsh Lane is closed, the council said.",
    "CITY MARATHON ROUTE CHANGED FOR BRIDGE REPAIRS",
    "Runners in next month's city marathon will cross the river twice instead of three times because of repairs to the Old Mill bridge, organisers said.",
    "The new route adds a loop through the university park so that the distance stays the same.",
];

#[test]
fn subheads_and_pull_quotes_do_not_start_stories() {
    let text = SUBHEAD_AND_QUOTE.join("\n") + "\n";
    let a = analyse(&text);
    assert_eq!(starts(&a), [0, 7], "{:?}", a.articles);
    let roles: Vec<&str> = a.blocks.iter().map(|b| b.role.as_str()).collect();
    assert_eq!(roles[2], "subheading");
    assert_eq!(roles[5], "pull_quote");
    assert_eq!(roles[7], "standfirst");
}

/// Three stories of four paragraphs each, with no headline, dateline or credit.
const BARE: &[&str] = &[
    "Flood water closed the coast road between Tarn and Hollin on Friday, and the council opened a shelter in the Tarn school hall for families who could not get home.",
    "The council said the coast road would stay closed until engineers had checked the Hollin bridge for flood damage, which could take several days.",
    "Families from Hollin spent the night in the school hall while the flood water stayed on the coast road and the river kept rising.",
    "Engineers reached the Hollin bridge on Saturday and found the flood had scoured its piers, so the coast road will stay shut for a week.",
    "A chess prodigy from Varnby won the national junior championship in Leeds, beating three grandmasters over nine rounds.",
    "The Varnby prodigy, aged eleven, said chess had taken over her life since a grandmaster visited her primary school two years ago.",
    "Her coach said the championship title would let the prodigy enter senior chess tournaments abroad next season.",
    "Junior chess in Leeds has grown quickly, and the championship drew a record entry of young players this winter.",
    "Bakers in the market town of Selsby are selling bread at cost this week to protest against a rise in the rent of their market stalls.",
    "The market stall rents in Selsby rose by a third in January, and the bakers say the town's bread prices will have to follow.",
    "Selsby's market manager said the stall rents had not risen for nine years and still paid only for cleaning and lighting.",
    "The bakers plan to hand a petition about the market rents to the town council on Monday.",
];

#[test]
fn story_change_signal_finds_bare_starts_under_auto() {
    let text = BARE.join("\n") + "\n";
    let a = analyse(&text);
    assert_eq!(starts(&a), [0, 4, 8], "{:?}", a.articles);
    assert!(a.articles[1..].iter().all(|x| x.boundary == articles::Boundary::Topic));
    // Off: one article.
    let off = stage("topic_shift = \"off\"\n").analyse_articles(&text);
    assert_eq!(starts(&off), [0]);
    // One story alone is not cut.
    let one = BARE[..4].join("\n") + "\n" + &BARE[..4].join("\n") + "\n" + &BARE[..2].join("\n");
    assert_eq!(starts(&analyse(&one)), [0]);
}

#[test]
fn shape_and_topic_options() {
    let bad = |toml: &str| {
        let opts = StageOptions::parse_snippet(toml, std::path::Path::new(".")).unwrap();
        build(&opts).unwrap_err().message().to_owned()
    };
    let m = bad("shape = \"wraped\"\n");
    assert!(m.contains("unknown variant") && m.contains("wrapped"), "{m}");
    let m = bad("topic_shift = \"atuo\"\n");
    assert!(m.contains("auto"), "{m}");
    assert!(bad("topic_shift = 1.5\n").contains("topic_shift"));
    for ok in ["shape = \"blocks\"\n", "topic_shift = 0.2\n", "topic_shift = 0\n", "topic_shift = \"auto\"\n"] {
        stage(ok);
    }
    let doc = <SplitterOptions as docpipe_core::options::Options>::docs()
        .iter()
        .find(|o| o.name == "shape")
        .map(|o| o.doc)
        .unwrap_or("");
    assert!(doc.contains("wrapped"));
}

#[test]
fn flat_wrapped_text_is_cut_at_line_final_sentence_ends() {
    // Indents trimmed and no blank lines: a line ending a sentence before a capital ends a
    // paragraph even when it is full, and short lines end one as usual.
    let text = [
        "The ferry crossed twice on Sunday although the wind was strong.",
        "The harbour master said the crossings were safe and that the",
        "ferry would run as normal on Monday morning.",
        "Passengers said the crossing had been rough but short.",
    ]
    .map(|l| format!("{l}\n"))
    .concat();
    let (_, ps) = shape::paragraphs(&text, Shape::Wrapped);
    let got: Vec<&str> = ps.iter().map(|&(a, b)| &text[a..b]).collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got[1].starts_with("The harbour master") && got[1].ends_with("Monday morning."));
}

#[test]
fn wrapped_articles_carry_a_paragraphs_layer() {
    let (wrapped, gold) = wrapped_stories();
    let st = stage("unit = \"articles\"\nemit = \"spans\"\n");
    let Outcome::Keep(d) = st.process(doc(&wrapped)).unwrap() else { panic!("spans keep the document") };
    let paras: Vec<(usize, usize)> = d.annotations["paragraphs"].iter().map(|s| (s.start, s.end)).collect();
    assert_eq!(paras, gold);
    assert_eq!(d.attributes["splitter"]["shape"], "wrapped");
    // One paragraph per line: no extra layer.
    let lines = STORIES.join("\n");
    let Outcome::Keep(d) = st.process(doc(&lines)).unwrap() else { panic!("spans keep the document") };
    assert!(!d.annotations.contains_key("paragraphs"));
}

/// The sample corpus dumps (one paragraph per line) hard-wrapped at 65 columns, with
/// three-space first-line indents and with the indents trimmed: the same article starts,
/// paragraph for paragraph.
#[test]
fn sample_dumps_hard_wrapped_keep_their_articles() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("dump-")))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let base = starts(&analyse(&text));
        let paras: Vec<Vec<String>> = lines.iter().map(|p| words_of(p)).collect();
        let (wrapped, spans) = wrap(&paras, 65, 3);
        let w = analyse(&wrapped);
        assert_eq!(w.shape, Some(Shape::Wrapped), "{f:?}");
        let indented: Vec<Option<usize>> =
            w.articles.iter().map(|a| spans.iter().position(|&(s, _)| s == a.start)).collect();
        let want: Vec<Option<usize>> = base.iter().map(|&k| Some(k)).collect();
        assert_eq!(indented, want, "{f:?} indented");
        // Trimmed indents (and inner dateline, credit or `Related:` lines): paragraphs may be
        // cut further, but articles start at the same source paragraphs.
        let flat: String = wrapped.lines().map(|l| format!("{}\n", l.trim_start())).collect();
        let fl = analyse(&flat);
        let mut offsets = Vec::new();
        let mut pos = 0;
        for l in wrapped.lines() {
            offsets.push((pos, pos + l.len() - l.trim_start().len()));
            pos += l.len() + 1;
        }
        // Byte offset in `flat` of each source paragraph's first character.
        let para_at = |off: usize| {
            let mut shift = 0;
            for &(ls, content) in &offsets {
                if ls > off + shift {
                    break;
                }
                shift += content - ls;
            }
            spans.iter().position(|&(s, _)| s == off + shift)
        };
        let got: Vec<Option<usize>> = fl.articles.iter().map(|a| para_at(a.start)).collect();
        assert_eq!(got, want, "{f:?} flat");
    }
}

/// Greedy hard wrap of one paragraph at `width` columns, each line prefixed by `prefix`
/// (e-mail quote marks), as lines.
fn wrap_lines(p: &str, width: usize, prefix: &str) -> Vec<String> {
    let mut out = vec![String::from(prefix)];
    for w in p.split_whitespace() {
        let last = out.last_mut().unwrap();
        if last.len() > prefix.len() && last.chars().count() + 1 + w.chars().count() > width {
            out.push(format!("{prefix}{w}"));
        } else {
            if last.len() > prefix.len() {
                last.push(' ');
            }
            last.push_str(w);
        }
    }
    out
}

/// Three posts in a digest: each a subject line, a blank line and a body as posted (wrapped
/// at different widths, blank-line paragraphs, an attribution line and quoted lines, a
/// signature or a sign-off); posts apart by a blank line. Returns the text and the line
/// index of each subject.
fn digest() -> (String, Vec<usize>) {
    let mut lines: Vec<String> = Vec::new();
    let mut subjects = Vec::new();
    let para = |lines: &mut Vec<String>, p: &str, width: usize, prefix: &str| {
        lines.extend(wrap_lines(p, width, prefix));
    };
    subjects.push(lines.len());
    lines.push("Ferry timetable for the winter months".into());
    lines.push(String::new());
    lines.push("In article <k7@harbour.example> ana@harbour.example (Ana Vale) writes:".into());
    para(
        &mut lines,
        "Does anyone know whether the island ferry keeps its evening sailing after the clocks go back, or does the last boat leave at four as it did two winters ago?",
        64,
        "> ",
    );
    lines.push(String::new());
    para(
        &mut lines,
        "The evening sailing stays this winter. The harbour office printed the new timetable last week and it shows the last boat leaving the island at half past seven on weekdays, with an extra sailing on Friday nights until the end of March.",
        70,
        "",
    );
    lines.push(String::new());
    para(
        &mut lines,
        "Saturday sailings are cut to three, though, because the second ferry goes to the yard for its hull survey in January.",
        70,
        "",
    );
    lines.push(String::new());
    lines.push("-- ".into());
    lines.push("Tom Reddy            tom@quay.example".into());
    lines.push(String::new());
    subjects.push(lines.len());
    lines.push("Choir concert moved to the school hall".into());
    lines.push(String::new());
    para(
        &mut lines,
        "The spring concert of the valley choir will not be in the chapel this year: the roof repairs have started early, and the scaffolding fills the aisle until May.",
        58,
        "",
    );
    lines.push(String::new());
    para(
        &mut lines,
        "We sing in the school hall on the same evening instead, and tickets bought for the chapel are good for the hall. Doors open at seven and the choir starts at half past.",
        58,
        "",
    );
    lines.push(String::new());
    lines.push("+----------------------------------------+".into());
    lines.push("| Mina Osei, choir secretary             |".into());
    lines.push("+----------------------------------------+".into());
    lines.push(String::new());
    subjects.push(lines.len());
    lines.push("Lost dog near the old quarry".into());
    lines.push(String::new());
    para(
        &mut lines,
        "A small brown terrier with a red collar has been running loose near the old quarry since Sunday morning; she answers to Pip and is friendly but nervous of cars.",
        72,
        "",
    );
    lines.push(String::new());
    para(
        &mut lines,
        "If you see her, please ring the number on her tag rather than chasing her, as she bolts.",
        72,
        "",
    );
    lines.push(String::new());
    lines.push("Hal".into());
    (lines.iter().map(|l| format!("{l}\n")).collect(), subjects)
}

/// The line index of each article's first line.
fn start_lines(text: &str, a: &articles::Analysis) -> Vec<usize> {
    a.articles.iter().map(|x| text[..x.start].matches('\n').count()).collect()
}

#[test]
fn digest_posts_start_at_their_subject_lines() {
    let (text, subjects) = digest();
    let a = analyse(&text);
    assert_eq!(a.shape, Some(Shape::Wrapped));
    assert_eq!(start_lines(&text, &a), subjects, "{:?}", a.articles);
    // The attribution, the quoted lines, the signature and the sign-off stay in their post.
    let body = |k: usize| &text[a.articles[k].start..a.articles[k].end];
    assert!(body(0).contains("writes:") && body(0).contains("> Does anyone") && body(0).ends_with("tom@quay.example"));
    assert!(body(1).ends_with("+----------------------------------------+"));
    assert!(body(2).ends_with("Hal"));
    // Wrapped lines are joined into their paragraphs; quoted lines are a paragraph apart.
    let paras: Vec<&str> = a.blocks.iter().map(|b| &text[b.start..b.end]).collect();
    assert!(paras.iter().any(|p| p.starts_with("The evening sailing") && p.ends_with("end of March.")));
    assert!(paras.iter().any(|p| p.starts_with("> Does anyone") && p.ends_with("two winters ago?")));
    // Through normalise-like trimming of line ends the starts are the same.
    let trimmed: String = text.lines().map(|l| format!("{}\n", l.trim_end())).collect();
    assert_eq!(start_lines(&trimmed, &analyse(&trimmed)), subjects);
}

/// Posts whose subjects read as sentences: one under a signature and its motto, one over an
/// attribution line and an indented quotation (no `>` marks); a remark with a period over
/// bare quoted lines stays in its post.
#[test]
fn sentence_subjects_after_a_motto_or_over_an_attribution() {
    let mut lines: Vec<String> = Vec::new();
    let mut subjects = Vec::new();
    subjects.push(lines.len());
    lines.push("Harbour lamps out again".into());
    lines.push(String::new());
    lines.extend(wrap_lines(
        "Three of the lamps along the east pier went dark on Tuesday night, the second time this month, and the fishing boats coming in after dusk had to find the steps by torchlight.",
        66,
        "",
    ));
    lines.push(String::new());
    lines.push("-- ".into());
    lines.push("Tom Reddy            tom@quay.example".into());
    lines.push(String::new());
    lines.push("\"The tide waits for no committee.\"".into());
    lines.push(String::new());
    subjects.push(lines.len());
    lines.push("Who repairs the pier lamps?".into());
    lines.push(String::new());
    lines.extend(wrap_lines(
        "Does the harbour board look after the lamps on the east pier, or is it the town council? Nobody I asked at the quay could tell me who to call when they fail.",
        70,
        "",
    ));
    lines.push(String::new());
    lines.push("Thanks for any pointers.".into());
    lines.push(String::new());
    lines.extend(wrap_lines("I asked at the office and they sent me to the council.", 70, "> "));
    lines.push(String::new());
    lines.extend(wrap_lines(
        "They told me the same, so the question stands for anyone who knows the history of the pier.",
        70,
        "",
    ));
    lines.push(String::new());
    subjects.push(lines.len());
    lines.push("Pier lamps are the council's job.".into());
    lines.push(String::new());
    lines.push("In article <p2@quay.example> ana@harbour.example (Ana Vale) writes:".into());
    lines.push(String::new());
    lines.extend(wrap_lines("Does the harbour board look after the lamps on the east pier?", 60, "   "));
    lines.push(String::new());
    lines.extend(wrap_lines(
        "The board handed the pier lighting to the council when the new marina opened, so the council's street lighting team does the repairs and keeps a fault line open at night.",
        68,
        "",
    ));
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let a = analyse(&text);
    assert_eq!(start_lines(&text, &a), subjects, "{:?}", a.articles);
}

/// A section heading indented inside a long post (a newsletter, a FAQ) is not a new post's
/// subject, even where the words change after it; flush left, the same line would be one.
#[test]
fn indented_heading_inside_a_post_is_not_a_start() {
    let build = |heading: &str| {
        let mut lines: Vec<String> = vec!["Valley Newsletter for March".into(), String::new()];
        for p in [
            "The ferry committee met on Monday and agreed the winter timetable with the operator, keeping the evening sailing on weekdays and adding a late boat on Fridays.",
            "Ferry fares stay the same until the summer, when the operator will ask the committee for a rise to pay for the new engines fitted in the autumn.",
        ] {
            lines.extend(wrap_lines(p, 70, ""));
            lines.push(String::new());
        }
        lines.push(heading.into());
        lines.push(String::new());
        for p in [
            "Rehearsals for the spring concert start in the school hall on the first Thursday, and new singers are welcome to come along and listen first.",
            "Tenors are short again this year, so the choir asks anyone who sang with them before to come back for the Easter programme of anthems.",
        ] {
            lines.extend(wrap_lines(p, 70, ""));
            lines.push(String::new());
        }
        let subject = lines.len();
        lines.push("Lost Terrier Near the Old Quarry".into());
        lines.push(String::new());
        lines.extend(wrap_lines(
            "A small brown terrier with a red collar has been loose near the old quarry since Sunday; she answers to Pip and bolts if chased.",
            70,
            "",
        ));
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        (text, subject)
    };
    let (text, subject) = build("    CHOIR REHEARSALS RESUME");
    assert_eq!(start_lines(&text, &analyse(&text)), [0, subject]);
    let (flush, _) = build("Choir Rehearsals Start Next Week");
    assert_eq!(start_lines(&flush, &analyse(&flush)).len(), 3, "flush left it reads as a subject");
}

/// Under a first subject in mixed case, a line in capitals inside a post is a section
/// heading (`CONTENTS`, `ABOUT THE AUTHOR`), not a new post's subject, even where the words
/// change after it; in a dump whose first headline is in capitals, the same line starts a
/// story, and so does a title-cased line under a mixed-case subject.
#[test]
fn heading_in_another_style_than_the_dump_s_headlines_is_not_a_start() {
    let build = |first: &str, heading: &str| {
        let mut lines: Vec<String> = vec![first.into(), String::new()];
        lines.extend(wrap_lines(
            "The ferry committee met on Monday and agreed the winter timetable with the operator, keeping the evening sailing on weekdays and adding a late boat on Fridays.",
            70,
            "",
        ));
        lines.push(String::new());
        let heading_line = lines.len();
        lines.push(heading.into());
        lines.push(String::new());
        for p in [
            "Rehearsals for the spring concert start in the school hall on the first Thursday, and new singers are welcome to come along and listen first.",
            "Tenors are short again this year, so the choir asks anyone who sang with them before to come back for the Easter programme of anthems.",
        ] {
            lines.extend(wrap_lines(p, 70, ""));
            lines.push(String::new());
        }
        let text: String = lines
            .iter()
            .map(|l| {
                format!(
                    "{l}
"
                )
            })
            .collect();
        (text, heading_line)
    };
    let (text, _) = build("Valley Newsletter for March", "CHOIR REHEARSALS RESUME");
    assert_eq!(start_lines(&text, &analyse(&text)), [0], "capitals under a mixed-case subject");
    let (text, heading) = build("VALLEY NEWSLETTER FOR MARCH", "CHOIR REHEARSALS RESUME");
    assert_eq!(start_lines(&text, &analyse(&text)), [0, heading], "capitals like the first headline");
    let (text, heading) = build("Valley Newsletter for March", "Choir Rehearsals Start Next Week");
    assert_eq!(start_lines(&text, &analyse(&text)), [0, heading], "title case like the first subject");
}

/// In a plain-text release-notes file, items under rule-underlined headings are one text:
/// a one-line item under a heading is no motto under a signature.
#[test]
fn items_under_underlined_headings_stay_in_one_text() {
    let text = "Release notes for the tide table reader\n\n\
Version 2.1\n-----------\n\n\
o New option `-q' to run quietly when the harbour office runs it at night.\n\n\
o New option `-w' to wait for the next tide table.\n\n\
o Tide heights are now printed to the nearest centimetre.\n\n\
Version 2.0\n-----------\n\n\
o First release with the ferry timetable reader and the lock gate schedule.\n\n\
o Reads the old table format of the harbour board as well.\n";
    let a = analyse(text);
    assert_eq!(start_lines(text, &a), [0], "{:?}", a.articles);
}

#[test]
fn subheading_in_a_wrapped_story_is_not_a_start() {
    let (digest, subjects) = digest();
    let mut lines: Vec<String> = Vec::new();
    lines.push("Quarry lorries to use the new bypass".into());
    lines.push(String::new());
    for (k, p) in [
        "Lorries from the old quarry will use the new bypass from Monday, the county said, ending ten years of quarry traffic through the village square.",
        "The quarry company agreed to the bypass route after villagers counted more than two hundred lorries a day through the square last summer.",
        "Why The Quarry Route Changed",
        "The county built the bypass with a grant that required the quarry lorries to leave the village roads once it opened, and the quarry company paid for the new junction.",
        "Villagers said the square would be quieter, but asked the county to keep the weight limit on the old quarry road.",
    ]
    .iter()
    .enumerate()
    {
        if k > 0 {
            lines.push(String::new());
        }
        lines.extend(wrap_lines(p, 66, ""));
    }
    lines.push(String::new());
    lines.push("-- ".into());
    lines.push("Valley News desk, news@valley.example".into());
    lines.push(String::new());
    let head: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let text = format!("{head}{digest}");
    let a = analyse(&text);
    let offset = lines.len();
    let want: Vec<usize> = std::iter::once(0).chain(subjects.iter().map(|s| s + offset)).collect();
    assert_eq!(start_lines(&text, &a), want, "{:?}", a.articles);
    let sub = a.blocks.iter().find(|b| text[b.start..b.end].starts_with("Why The Quarry")).map(|b| b.role);
    assert_eq!(sub, Some(articles::Role::Subheading));
}

#[test]
fn runs_of_lines_unwrap_at_their_own_width() {
    // Two blocks wrapped at 40 and 72 columns, and a quoted run: each line joins its own
    // paragraph only.
    let narrow = "The bridge will close for two nights next week while the council replaces the expansion joints on the river side.";
    let wide = "Drivers are asked to use the ring road, which adds about ten minutes to a trip across town, and buses will divert the same way on both nights.";
    let quoted = "Will the footpath stay open while the joints are replaced, or do walkers have to go round as well?";
    let mut lines = wrap_lines(narrow, 40, "");
    lines.push(String::new());
    lines.extend(wrap_lines(quoted, 60, "> "));
    lines.extend(wrap_lines(wide, 72, ""));
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let (shape, ps) = shape::paragraphs(&text, Shape::Wrapped);
    assert_eq!(shape, Shape::Wrapped);
    let got: Vec<String> =
        ps.iter().map(|&(a, b)| text[a..b].split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(ps.len(), 3, "{got:?}");
    assert_eq!(got[0], narrow);
    assert_eq!(got[2], wide);
    assert!(got[1].starts_with("> Will the footpath") && got[1].ends_with("as well?"));
}

/// The sample corpus dumps with a blank line between paragraphs (blank-line headline rules):
/// the same article starts as one paragraph per line.
#[test]
fn sample_dumps_in_blank_line_blocks_keep_their_articles() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("dump-")))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let base = starts(&analyse(&(lines.join("\n") + "\n")));
        let blocks = analyse(&(lines.join("\n\n") + "\n"));
        assert_eq!(blocks.shape, Some(Shape::Blocks), "{f:?}");
        assert_eq!(starts(&blocks), base, "{f:?}");
    }
}

/// Body paragraphs of two stories written for these tests: a harbour story and a library
/// story, with different words.
const HARBOUR_BODY: [&str; 3] = [
    "The harbour board approved the new breakwater on Tuesday after two years of arguments about its cost and its height.",
    "Fishermen had asked for a wider channel, and the board said the engineers would look again at the entrance before the works start.",
    "The works will close the east quay for most of next summer, and the ferry will use the old pier while they go on.",
];
const LIBRARY_BODY: [&str; 3] = [
    "Readers at the county library can now borrow laptops for a fortnight, the librarian said, as long as they bring proof of address.",
    "Twelve machines are in the scheme so far, paid for by a charity grant, and more may follow if the waiting list grows.",
    "Volunteers will run short courses on Saturday mornings for anyone who has never used a computer before.",
];

/// The harbour story: its headline and body, the first story of most tests below.
fn harbour_story() -> Vec<&'static str> {
    let mut lines = vec!["Harbour board approves the breakwater"];
    lines.extend(HARBOUR_BODY);
    lines
}

fn lines_text(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// A scraped dump carries a page's title over the page's own headline (or a kicker, or a
/// standfirst without final punctuation; in lower case too): the story starts
/// at the first of them when it shares words with the headline or the text under it; a line that closed the story before
/// (an agency line) shares none and stays there.
#[test]
fn page_title_over_its_headline_starts_the_story() {
    // The harbour story, one line, then the library story's headline and body.
    let starts_with_line_above = |above: &str| {
        let mut lines = harbour_story();
        lines.push(above);
        lines.push("Library scheme puts twelve laptops in the hands of county readers for a fortnight");
        lines.extend(LIBRARY_BODY);
        let text = lines_text(&lines);
        start_lines(&text, &analyse(&text))
    };
    let (above, headline) = (HARBOUR_BODY.len() + 1, HARBOUR_BODY.len() + 2);
    assert_eq!(starts_with_line_above("County library lends laptops to readers"), [0, above]);
    // The last sentence of the story before, a question, is body text: it stays there even
    // where it shares a word with the next headline.
    assert_eq!(starts_with_line_above("But who will pay for the library laptops now?"), [0, headline]);
    // A title in lower case is a title all the same.
    for first in ["iPads for readers at the county library", "iPad loans: the county library's new scheme"] {
        assert_eq!(starts_with_line_above(first), [0, above], "{first}");
    }
    // An agency line under the first story shares no word with the next headline.
    assert_eq!(starts_with_line_above("Coastline Wire Service"), [0, headline]);
}

/// A line in capitals inside a story is a section heading or a related link of the page
/// (`FERRY MOVES TO OLD PIER`) unless the dump writes its headlines so: under a title-cased
/// first headline it never starts a story, under one in sentence case only where the words
/// change after it; where the dump's first headline is in capitals it starts one.
#[test]
fn capitals_under_a_mixed_case_headline_are_section_headings() {
    let build = |first: &str, heading: &str, after: &[&'static str]| {
        let mut lines = vec![first.to_string()];
        lines.extend(HARBOUR_BODY[..2].iter().map(|s| s.to_string()));
        let at = lines.len();
        lines.push(heading.to_string());
        lines.extend(after.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        (lines_text(&refs), at)
    };
    let (text, _) = build("Harbour Board Approves the Breakwater", "COUNTY LIBRARY NEWS", &LIBRARY_BODY);
    assert_eq!(start_lines(&text, &analyse(&text)), [0], "title case first");
    let (text, _) = build("Harbour board approves the breakwater", "QUAY CLOSED NEXT SUMMER", &HARBOUR_BODY[1..]);
    assert_eq!(start_lines(&text, &analyse(&text)), [0], "sentence case first, same words");
    let (text, at) = build("HARBOUR BOARD APPROVES BREAKWATER", "COUNTY LIBRARY LENDS LAPTOPS", &LIBRARY_BODY);
    assert_eq!(start_lines(&text, &analyse(&text)), [0, at], "capitals first");
}

/// Numbered list items (`2. Keep the receipts`, where another number is near) and the turns
/// of an interview (`Q: …`, `A: …`) are parts of a text, never its headline, even where
/// their words change.
#[test]
fn list_items_and_interview_turns_are_not_headlines() {
    let mut lines = harbour_story();
    lines.push("1. Check the pier lamps before the winter storms");
    lines.push(HARBOUR_BODY[2]);
    lines.push("2. Borrowing laptops from the county library");
    lines.extend(&LIBRARY_BODY[..2]);
    lines.push("Q: What do readers need to bring to the county library");
    lines.push("A: Proof of address and a library card, nothing else");
    lines.push(LIBRARY_BODY[2]);
    let text = lines_text(&lines);
    assert_eq!(start_lines(&text, &analyse(&text)), [0]);
    // A lone numbered line is no list: `1. FC …`, `2. Bundesliga` open German headlines.
    let mut lines = harbour_story();
    lines.push("2. Liga: county library team wins the readers' quiz final");
    lines.extend(LIBRARY_BODY);
    let text = lines_text(&lines);
    assert_eq!(start_lines(&text, &analyse(&text)), [0, 4]);
    for (line, number) in [
        ("2. Keep the receipts", Some(2)),
        ("10) Ask the librarian", Some(10)),
        ("2019 was a good year", None),
        ("2.5 per cent", None),
    ] {
        assert_eq!(articles::list_number(line), number, "{line}");
    }
    for (line, turn) in [
        ("Q: Why now?", true),
        ("A: Because the grant came through.", true),
        ("Q1 results beat forecasts", false),
        ("UK: prices rise again", false),
    ] {
        assert_eq!(articles::interview_turn(line), turn, "{line}");
    }
}

/// After a copyright or `Contributing:` line a story has ended: a headline-shaped line of two
/// words or more there starts the next one (a two-word title of a page in another language).
/// Before the rule only a headline of six words or more or a long body paragraph did.
#[test]
fn short_headline_after_a_copyright_line_starts_a_story() {
    for credit in ["Copyright 2026 Harbour Gazette. All rights reserved.", "Contributing: Ana Vale"] {
        let mut lines = harbour_story();
        lines.push(credit);
        let at = lines.len();
        lines.push("Biblioteca Municipal");
        lines.extend(LIBRARY_BODY);
        let text = lines_text(&lines);
        assert_eq!(start_lines(&text, &analyse(&text)), [0, at], "{credit}");
    }
}

/// Scraped pages in blank-line blocks, with no mail quotes or signatures, read headlines as
/// one paragraph per line does: a headline in sentence case over its standfirst starts the
/// story (the lone-headline rules of mail would want a signature or a reply first).
#[test]
fn scraped_pages_in_blank_line_blocks_read_headlines_in_sentence_case() {
    let mut lines = harbour_story();
    lines.push("Readers can borrow laptops from the county library for a fortnight");
    lines.extend(LIBRARY_BODY);
    let text: String = lines.iter().map(|l| format!("{l}\n\n")).collect();
    let a = analyse(&text);
    assert_eq!(a.shape, Some(Shape::Blocks));
    assert_eq!(start_lines(&text, &a), [0, 8]);
    // A page's lone `>> Read more` arrow is no quoted passage of a reply: still no mail.
    lines.insert(3, ">> Read more: the breakwater plans in full");
    let text: String = lines.iter().map(|l| format!("{l}\n\n")).collect();
    assert_eq!(start_lines(&text, &analyse(&text)), [0, 10]);
}

/// In German (and six other European languages) the function words every paragraph shares
/// (`und`, `die`, `nicht`, `sich`) are no evidence that a story goes on: a headline in
/// sentence case over a story with other words starts it. Before the list of those words
/// the two stories below read as one.
#[test]
fn story_change_in_german_text_ignores_function_words() {
    let lines = [
        "Der Hafen bekommt eine neue Mole",
        "Der Hafenrat hat am Dienstag die neue Mole beschlossen, nachdem die Kosten und die Höhe zwei Jahre lang umstritten waren.",
        "Die Fischer hatten sich eine breitere Einfahrt gewünscht, und der Rat sagte, dass die Ingenieure sich die Einfahrt noch einmal ansehen werden.",
        "Die Arbeiten werden den Ostkai fast den ganzen nächsten Sommer sperren, und die Fähre wird in dieser Zeit den alten Anleger nutzen.",
        "Die Bibliothek des Kreises verleiht jetzt Laptops an ihre Leser",
        "Wer einen Ausweis und eine Meldebescheinigung mitbringt, kann sich in der Kreisbibliothek nun für zwei Wochen einen Laptop ausleihen.",
        "Bisher sind zwölf Geräte im Angebot, die eine Stiftung bezahlt hat, und es sollen mehr werden, wenn die Warteliste wächst.",
        "Ehrenamtliche bieten außerdem am Samstagvormittag kurze Kurse für alle an, die noch nie mit einem Computer gearbeitet haben.",
    ];
    let text = lines_text(&lines);
    assert_eq!(start_lines(&text, &analyse(&text)), [0, 4]);
}

/// The story-change test at a headline counts the headline's own words with the paragraphs
/// under it: a story whose first paragraphs happen to reuse words of the story before
/// (`harbour`, `ferry`, `summer`) still starts at a headline whose words are all new.
#[test]
fn headline_words_count_in_the_story_change() {
    let mut lines = harbour_story();
    lines.push("County library lends laptops to readers without computers");
    lines.push("Readers by the harbour who take the ferry can now borrow laptops from the library for a fortnight next summer.");
    lines.push("Twelve machines are in the scheme so far, paid for by a charity grant.");
    let text = lines_text(&lines);
    assert_eq!(start_lines(&text, &analyse(&text)), [0, 4]);
}

/// Three or more pieces in a row that each start at a title-cased line and hold one body
/// paragraph at most are the items of a list inside one article (deals, tips, sections of
/// a guide), not stories; pieces of two body paragraphs each stay stories.
#[test]
fn runs_of_one_paragraph_items_stay_in_their_article() {
    let mut lines = harbour_story();
    for (title, body) in [
        (
            "Wireless Headphones at Half Price",
            "Noise cancelling headphones with a thirty hour battery, now half price until Sunday midnight.",
        ),
        (
            "Electric kettle with a dial for the temperature",
            "Green tea drinkers can choose seventy degrees, and the kettle switches itself off when empty.",
        ),
        (
            "Heavy bicycle lock rated gold by the insurers",
            "Insurers accept this gold-rated lock, whose hardened shackle resists bolt cutters for minutes.",
        ),
    ] {
        lines.push(title);
        lines.push(body);
    }
    let text = lines_text(&lines);
    assert_eq!(start_lines(&text, &analyse(&text)), [0]);
    // Stories of two body paragraphs each are stories.
    let mut lines = harbour_story();
    lines.push("County Library Lends Laptops to Readers");
    lines.extend(&LIBRARY_BODY[..2]);
    lines.push("Choir Rehearsals Start Next Week in the Hall");
    lines.push("Rehearsals for the spring concert start in the school hall on the first Thursday, and new singers are welcome.");
    lines.push(
        "Tenors are short again this year, so the choir asks anyone who sang with them before to come back for Easter.",
    );
    lines.push("Lost Terrier Seen Near the Old Quarry Road");
    lines.push(
        "A small brown terrier with a red collar has been loose near the old quarry since Sunday; she answers to Pip.",
    );
    lines.push("Her owners have put up posters in the village shop and ask walkers not to chase her if they see her.");
    let text = lines_text(&lines);
    assert_eq!(start_lines(&text, &analyse(&text)), [0, 4, 7, 10]);
}

/// The library story's first paragraph naming its town, for a dateline place on a line of
/// its own above it.
const LIBRARY_IN_THORNBURY: &str = "Readers at the county library in Thornbury can now borrow laptops for a fortnight, the librarian said, as long as they bring proof of address.";

/// A headline may carry furniture between it and the text: a date alone, a byline in another
/// language (a line of names), a caption or credit line. Before the rule such a headline
/// started nothing and its story was read as part of the one before.
#[test]
fn headline_over_a_date_or_byline_line_starts_a_story() {
    // The harbour story, then the library story under `head`, `furniture` and its body.
    let dump = |head: &[&'static str], furniture: &'static str| {
        let mut lines = harbour_story();
        lines.extend(head);
        lines.push(furniture);
        lines.push(LIBRARY_IN_THORNBURY);
        lines.extend(&LIBRARY_BODY[1..]);
        lines_text(&lines)
    };
    for furniture in ["22.10.2026", "Nov. 19, 2026", "Ana Vale", "Photo: Ana Vale", "Thornbury"] {
        let text = dump(&["Readers can borrow laptops from the county library for a fortnight"], furniture);
        assert_eq!(start_lines(&text, &analyse(&text)), [0, 4], "{furniture}");
    }
    // A short headline over that standfirst belongs to the story when it shares a word with
    // the body under the furniture (`Library lends laptops` / `… borrow laptops …`).
    for furniture in ["Thornbury", "Ana Vale"] {
        let text = dump(
            &["Library lends laptops", "Readers can borrow machines from the county branch for a fortnight"],
            furniture,
        );
        assert_eq!(start_lines(&text, &analyse(&text)), [0, 4], "{furniture}");
    }
    // A one-word subheading the text under it does not name is no place: the story (here a
    // recipe whose serving line has no final period) stays whole.
    for heading in ["Method", "Background"] {
        let mut lines = harbour_story();
        lines.push("Slow-roasted tomatoes with garlic and thyme");
        lines.push("Summer is the season for tomatoes, and roasting them slowly brings out a sweetness that no sauce from a jar can match.");
        lines.push("This recipe takes little effort, though it needs time, so start it in the morning and the tomatoes will be ready for lunch.");
        lines.push("Serves four as a side dish with crusty bread");
        lines.push(heading);
        lines.push("Heat the oven to 140C. Halve the tomatoes and lay them cut side up in a roasting tin with the peeled cloves.");
        lines.push("Scatter over the thyme leaves, season with salt and pepper, and drizzle with two tablespoons of olive oil.");
        lines
            .push("Roast for three hours, until the edges are wrinkled, then leave to cool in the tin before serving.");
        let text = lines_text(&lines);
        assert_eq!(start_lines(&text, &analyse(&text)), [0, 4], "{heading}");
    }
    for (line, date) in [
        ("16.10.2019", true),
        ("Tue., Nov. 19, 2019", true),
        ("sexta-feira, 22 de outubro de 2010", true),
        ("The 12 rules", true),
        ("Twelve machines are in the scheme so far.", false),
    ] {
        assert_eq!(articles::date_only(line), date, "{line}");
    }
}

/// A wire headline may open with a bracketed company name or ticker (`<ABC CORP> BUYS …`):
/// the story starts at it, one paragraph per line and hard-wrapped alike, not at the
/// dateline under it.
#[test]
fn a_wire_headline_opening_with_a_ticker_starts_its_story() {
    let lines = [
        "HARBOUR FERRIES <HFL> RAISES FARES",
        "   PORTVALE, March 3 - Harbour Ferries Ltd said it would raise",
        "its fares by eight pct from April because fuel and repairs had",
        "cost more than it planned for in the last year.",
        "   The company said the rise was its first in three years.",
        "<KESTREL MILLS INC> BUYS TEXTILE PLANT",
        "   LOWBRIDGE, March 3 - Kestrel Mills Inc said it bought a",
        "textile plant in Lowbridge from a private owner for 4.5 mln",
        "dlrs and would keep the plant's 120 workers on its payroll.",
        "   Kestrel said the plant would make cloth for its own mills.",
    ];
    let wrapped = lines_text(&lines);
    let a = analyse(&wrapped);
    assert_eq!(a.shape, Some(Shape::Wrapped));
    assert_eq!(start_lines(&wrapped, &a), [0, 5], "{:?}", a.articles);
    // One paragraph per line: the same two stories, from their headlines.
    let mut paras: Vec<String> = Vec::new();
    for l in lines {
        if l.starts_with(' ') || paras.is_empty() || l.starts_with(|c: char| c.is_uppercase() || c == '<') {
            paras.push(l.trim().to_string());
        } else if let Some(p) = paras.last_mut() {
            p.push(' ');
            p.push_str(l.trim());
        }
    }
    let flat = paras.join("\n") + "\n";
    let b = analyse(&flat);
    assert_eq!(start_lines(&flat, &b), [0, 3], "{flat}{:?}", b.articles);
}

/// A table inside a story (rows of figures, each opening with a name) is no headline: the
/// story goes on under it.
#[test]
fn table_rows_in_a_story_are_no_headlines() {
    let lines = [
        "KESTREL MILLS <KML> BUYS TEXTILE PLANT",
        "   LOWBRIDGE, March 3 - Kestrel Mills Inc said it bought a",
        "textile plant in Lowbridge from a private owner for 4.5 mln",
        "dlrs and would keep the plant's 120 workers on its payroll.",
        "   Kestrel said the plant would make cloth for its own mills",
        "and for two customers in the north that it did not name, and",
        "that it expected the purchase to add to earnings this year.",
        "GRAIN BOARD SETS NEW LOAN RATES",
        "   MILLBROOK, March 4 - The grain board said it set new loan",
        "rates for the coming season, in dlrs per bushel, as follows -",
        "          Loan   Rate   Level   Price   Call",
        " Wheat    2.40   2.10     III    4.10   4.10",
        "                           IV    4.30     --",
        " X - Last year's rates.",
        "",
        "          Loan   Rate   Level   Price   Call",
        " Rye      1.95   1.70      II    3.90     --",
        " Spelt    2.05   1.80-X    IV    5.10   5.10",
        "                            V    5.35     --",
        "   The board said the rates would apply from June 1 and would",
        "be reviewed again at the end of the year after the harvest.",
        "   It said farmers had asked for the rates to be set early.",
        "HARBOUR FERRIES <HFL> RAISES FARES",
        "   PORTVALE, March 3 - Harbour Ferries Ltd said it would raise",
        "its fares by eight pct from April because fuel and repairs had",
        "cost more than it planned for in the last year.",
    ];
    let text = lines_text(&lines);
    let a = analyse(&text);
    assert_eq!(a.shape, Some(Shape::Wrapped));
    assert_eq!(start_lines(&text, &a), [0, 7, 22], "{:?}", a.articles);
}
