//! The per-document cascade: patterns, gazetteers, context rules, capitalised sequences and
//! in-document alias resolution.
//!
//! 1. **Patterns** ([`crate::patterns`]) claim numeric and temporal expressions first.
//! 2. **Capitalised runs**: maximal sequences of capitalised words, joined by connectors
//!    (`of`, `de`, `al`…), `of the` after an organisation word (`Department of the Interior`),
//!    `and`, `&` and comma lists when the words after them close with an organisation head
//!    word (`Securities and Investments Commission`, `Construction, Forestry, Mining and Energy
//!    Union`), `on` after an organisation word (`Committee on …`), and plural possessives
//!    (`Shippers' Council`); a lower-case name particle may open a run (`bin Laden`). A
//!    frequent English word at a sentence start or in a title-case heading does not start a
//!    run, unless a known name of several words starts there (`New York`) or it opens an
//!    organisation name (`Police Federation`); a capitalised role noun before a name is
//!    dropped (`Scientist Helen Brandt`).
//! 3. Each run is classified by the strongest evidence: an all-caps dateline, a gazetteer
//!    entry for the whole run (`West Bank` before its head word), a title before the name
//!    (`Foreign Minister X`, `Dr. X`, `President Bush` even where `Bush` is also a place,
//!    `Secretary of State Colin Powell`), an organisation/facility/place/event/law head word
//!    (`… Bank`, `Ministry of …`, `Bureau of …` inside, `… Airport`, `Lake …`, `… Act`), an
//!    institution word alone (`the Army`), an acronym, a known given name (alone only when it
//!    is not also a word, `Sarah` but not `May`), a speech verb (`X said`, `told X`), a role
//!    noun (`analyst X`) or a place context (`in X`, `the X region`, `the town of X`);
//!    otherwise a weaker shape rule. Weekday and month abbreviations of date lines are no
//!    names. Gazetteer entries inside a run that is not tagged as a whole (`Commerce Minister
//!    of India`) are kept. A run holding two names is cut: an organisation's name before
//!    its official's title or a person's name (`Rural Fire Service Commissioner X`, `the
//!    Weather Bureau Ian Robertson`), a nationality or place before a person's name (`fellow
//!    Australian Michael Klim`); a department word in a job title is an organisation
//!    (`Secretary of State`, `Defence Minister`); a title word inside a name ending in a head
//!    word is no title (`Goshen General Hospital`); a singular possessive may sit inside an
//!    organisation's name (`Sheriff's Department`); a kind noun before a name makes it an
//!    organisation (`accountancy firm Ernst and Young`); `anti-`/`pro-` before a group is a
//!    NORP (`anti-Taliban`).
//! 4. **Aliases**: surnames and short forms resolve to the full name met in the same
//!    document (`Keller` → `Anna Keller`, `Karoo Platinum` → `Karoo Platinum Resources`), and
//!    acronyms to their definitions (`European Court of Human Rights (ECHR)`) or to the
//!    initials of an organisation named in the document.
//! 5. **Re-labelling** ([`crate::relabel`], `TaggerConfig::model`): a learned classifier gives
//!    the spans decided on weak evidence (shape, given name, alias) and the runs left
//!    unlabelled their final label (source `model` where it changed one).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use docpipe_text::abbreviations::US_STATES;
use docpipe_text::function_words::CAPITALISED_NON_NAMES;

use crate::gazetteer::{Gazetteer, Label, capitalise};
use crate::patterns;
use crate::relabel;
use crate::tokens::{Kind, Token, tokenize};
use crate::words::*;

/// Which rule family decided a mention (the `source` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Numeric and temporal patterns.
    Pattern,
    /// A gazetteer entry (built-in or user list).
    Gazetteer,
    /// A given-name list hit on the first word.
    NameList,
    /// A context rule: title, speech verb, head word, role noun, dateline.
    Context,
    /// An acronym: defined in the text, or the initials of a name in the document.
    Acronym,
    /// A short form resolved to a full name met in the same document.
    Alias,
    /// The shape of a capitalised sequence alone.
    Shape,
    /// The learned re-labeller ([`crate::relabel`]) changed the rules' label.
    Model,
}

impl Source {
    /// Evidence weak enough for the learned re-labeller to override: the shape of a run, a
    /// given name, an in-document alias.
    pub fn overridable(self) -> bool {
        matches!(self, Source::Shape | Source::NameList | Source::Alias)
    }

    /// The name written to the output.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Pattern => "pattern",
            Source::Gazetteer => "gazetteer",
            Source::NameList => "name-list",
            Source::Context => "context",
            Source::Acronym => "acronym",
            Source::Alias => "alias",
            Source::Shape => "shape",
            Source::Model => "model",
        }
    }
}

/// One entity mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// The label.
    pub label: Label,
    /// The entity's full name in this document.
    pub canonical: String,
    /// The deciding rule family.
    pub source: Source,
}

/// Which layers of the cascade run, and which labels are kept.
#[derive(Debug, Clone)]
pub struct TaggerConfig {
    /// Labels to output.
    pub labels: Vec<Label>,
    /// Numeric and temporal patterns.
    pub patterns: bool,
    /// Gazetteer look-ups (including the given-name list).
    pub gazetteers: bool,
    /// Context rules (titles, heads, speech verbs, role nouns, acronym definitions).
    pub context: bool,
    /// Shape-only classification of capitalised sequences and stand-alone acronyms.
    pub capitalised: bool,
    /// In-document alias resolution.
    pub aliases: bool,
    /// The learned re-labeller ([`crate::relabel`]): gives each name span the rules found on
    /// weak evidence its final label (never drops one), and labels runs the rules left.
    pub model: bool,
}

impl Default for TaggerConfig {
    fn default() -> Self {
        TaggerConfig {
            labels: crate::gazetteer::ALL_LABELS.to_vec(),
            patterns: true,
            gazetteers: true,
            context: true,
            capitalised: true,
            aliases: true,
            model: true,
        }
    }
}

/// A reference to a gazetteer: the shared built-in one or a stage's own.
#[derive(Debug, Clone)]
pub enum GazRef {
    /// The process-wide built-in gazetteer ([`Gazetteer::builtin`]), compiled on first use:
    /// building or checking a pipeline does not pay for it.
    Builtin,
    /// A gazetteer built with user lists.
    Owned(Arc<Gazetteer>),
}

impl std::ops::Deref for GazRef {
    type Target = Gazetteer;
    fn deref(&self) -> &Gazetteer {
        match self {
            GazRef::Builtin => Gazetteer::builtin(),
            GazRef::Owned(g) => g,
        }
    }
}

/// The tagger: gazetteer plus configuration. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Tagger {
    gaz: GazRef,
    cfg: TaggerConfig,
    keep: [bool; 15],
}

/// Prepositions before a place name.
const LOCATIVE: &[&str] = &[
    "in",
    "at",
    "near",
    "outside",
    "from",
    "across",
    "around",
    "towards",
    "toward",
    "into",
    "via",
    "throughout",
    "In",
    "At",
    "Near",
    "Outside",
    "From",
    "Across",
];

/// What a span of tokens was classified as.
struct Decision {
    start: usize,
    end: usize,
    label: Label,
    canonical: Option<String>,
    source: Source,
    /// Decided by evidence an in-document alias overrides (speech verbs, shape).
    weak: bool,
}

impl Tagger {
    /// A tagger over the built-in gazetteer.
    pub fn builtin(cfg: TaggerConfig) -> Tagger {
        Tagger::new(GazRef::Builtin, cfg)
    }

    /// A tagger over the given gazetteer.
    pub fn new(gaz: GazRef, cfg: TaggerConfig) -> Tagger {
        let mut keep = [false; 15];
        for l in &cfg.labels {
            keep[*l as usize] = true;
        }
        Tagger { gaz, cfg, keep }
    }

    /// The gazetteer in use.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gaz
    }

    /// Runs the cascade over the tokens of `text`: every decision, before the filtering of
    /// labels and overlaps.
    fn decide<'t>(&'t self, text: &'t str, toks: &'t [Token]) -> DocState<'t> {
        let mut doc = DocState::new(self, text, toks);
        if self.cfg.patterns {
            for m in patterns::find(text, toks) {
                if doc.inside_known_name(m.start, m.end) {
                    continue;
                }
                for t in doc.taken.iter_mut().take(m.end).skip(m.start) {
                    *t = true;
                }
                doc.push(Decision {
                    start: m.start,
                    end: m.end,
                    label: m.label,
                    canonical: None,
                    source: Source::Pattern,
                    weak: false,
                });
            }
        }
        doc.runs();
        if self.cfg.aliases {
            doc.resolve_aliases();
        }
        doc
    }

    /// The training candidates of the re-labeller in `text`: every name decision of the
    /// cascade (also those decided on evidence the model may not override at run time: they
    /// teach it what the other features say about each label) and every capitalised run it
    /// left unlabelled, as token spans with their rule label and source.
    fn candidates(doc: &DocState<'_>) -> Vec<(usize, usize, Option<Label>, &'static str)> {
        let mut out: Vec<(usize, usize, Option<Label>, &'static str)> = doc
            .decisions
            .iter()
            .filter(|d| d.source != Source::Pattern && relabel::class_of(Some(d.label)).is_some() && d.start < d.end)
            .map(|d| (d.start, d.end, Some(d.label), d.source.as_str()))
            .collect();
        out.extend(doc.leftover.iter().filter(|(s, e)| s < e).map(|&(s, e)| (s, e, None, "")));
        out
    }

    /// Training examples for the re-labeller: for each candidate in `text`, its byte span,
    /// rule label and feature hashes (see `examples/train_relabel.rs`).
    pub fn relabel_candidates(&self, text: &str) -> Vec<(usize, usize, Option<Label>, Vec<u64>)> {
        let toks = tokenize(text);
        let doc = self.decide(text, &toks);
        Self::candidates(&doc)
            .into_iter()
            .map(|(s, e, rule, source)| {
                let mut feats = Vec::new();
                let c = relabel::Candidate { text, toks: &toks, start: s, end: e, rule, source };
                relabel::features(&self.gaz, &c, &mut feats);
                (toks[s].start, toks[e - 1].end, rule, feats)
            })
            .collect()
    }

    /// Applies the re-labeller to the decisions of `doc`: changes the labels of spans decided on
    /// weak evidence (never drops one), and adds unlabelled runs it labels.
    fn relabel(&self, doc: &mut DocState<'_>) {
        let model = relabel::Model::builtin();
        let mut feats = Vec::with_capacity(48);
        for d in &mut doc.decisions {
            // `overridable` leaves out patterns and every strong source.
            if !d.source.overridable() || relabel::class_of(Some(d.label)).is_none() || d.start >= d.end {
                continue;
            }
            let c = relabel::Candidate {
                text: doc.text,
                toks: doc.toks,
                start: d.start,
                end: d.end,
                rule: Some(d.label),
                source: d.source.as_str(),
            };
            relabel::features(&self.gaz, &c, &mut feats);
            // A labelled span always gets a label back (never dropped): keep it or change it.
            if let Some(l) = model.predict(&feats, Some(d.label))
                && l != d.label
            {
                d.label = l;
                d.source = Source::Model;
            }
        }
        for i in 0..doc.leftover.len() {
            let (s, e) = doc.leftover[i];
            if s >= e {
                continue;
            }
            let c = relabel::Candidate { text: doc.text, toks: doc.toks, start: s, end: e, rule: None, source: "" };
            relabel::features(&self.gaz, &c, &mut feats);
            if let Some(label) = model.predict(&feats, None) {
                doc.decisions.push(Decision {
                    start: s,
                    end: e,
                    label,
                    canonical: None,
                    source: Source::Model,
                    weak: true,
                });
            }
        }
    }

    /// Tags one text. Mentions are sorted by `(start, end)`, do not overlap, lie on char
    /// boundaries and inside the text.
    pub fn tag(&self, text: &str) -> Vec<Mention> {
        let toks = tokenize(text);
        let mut doc = self.decide(text, &toks);
        if self.cfg.model {
            self.relabel(&mut doc);
        }
        let mut out: Vec<Mention> = doc
            .decisions
            .into_iter()
            .filter(|d| self.keep[d.label as usize] && d.start < d.end && d.end <= toks.len())
            .map(|d| {
                let start = toks[d.start].start;
                let end = toks[d.end - 1].end;
                let surface = &text[start..end];
                let canonical = d.canonical.unwrap_or_else(|| default_canonical(surface, d.label));
                Mention { start, end, label: d.label, canonical, source: d.source }
            })
            .collect();
        out.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
        let mut kept: Vec<Mention> = Vec::with_capacity(out.len());
        for m in out {
            if kept.last().is_some_and(|k| m.start < k.end) {
                continue;
            }
            kept.push(m);
        }
        kept
    }
}

/// How many tokens before a pattern match a gazetteer name that holds it may start.
const MAX_NAME_LEAD: usize = 6;

/// The most tokens of a name looked up in capitals (`UNITED ARAB EMIRATES`).
const MAX_UPPER_NAME: usize = 5;

/// `We’ve`, `I'm`, `It's`, `They'll`, `Let's`: a pronoun and a contracted verb, one token.
fn is_pronoun_contraction(w: &str) -> bool {
    const PRONOUNS: &[&str] = &["I", "We", "You", "They", "He", "She", "It", "That", "There", "Who", "What", "Let"];
    const VERBS: &[&str] = &["ve", "re", "ll", "d", "m", "s"];
    let Some(i) = w.find(['\'', '’']) else { return false };
    let (head, tail) = (&w[..i], w[i..].trim_start_matches(['\'', '’']));
    PRONOUNS.iter().any(|p| p.eq_ignore_ascii_case(head)) && VERBS.iter().any(|v| v.eq_ignore_ascii_case(tail))
}

/// Canonical form of a surface: all-caps names in title case, possessives stripped.
fn default_canonical(surface: &str, label: Label) -> String {
    if !label.is_name() {
        return surface.to_owned();
    }
    let mut letters = surface.chars().filter(|c| c.is_alphabetic());
    let all_caps = letters.clone().nth(4).is_some() && letters.all(char::is_uppercase);
    if all_caps && (surface.contains(char::is_whitespace) || label == Label::Gpe) {
        return surface.split(' ').map(|w| capitalise(&w.to_lowercase())).collect::<Vec<_>>().join(" ");
    }
    surface.to_owned()
}

struct DocState<'a> {
    tg: &'a Tagger,
    text: &'a str,
    toks: &'a [Token],
    taken: Vec<bool>,
    heading: Vec<bool>,
    /// The token is on a heading line written in capitals (a wire headline): its words in
    /// capitals are no acronyms unless bracketed (`<ABC>`, `(ABC)`).
    capitals_line: Vec<bool>,
    /// For each token, the longest gazetteer match starting there: (end token, entry).
    gaz_at: Vec<Option<(usize, usize)>>,
    decisions: Vec<Decision>,
    /// Capitalised runs left unlabelled (candidates for alias resolution).
    pending: Vec<(usize, usize)>,
    /// One-word organisations that are also frequent words, alone at a sentence start.
    start_orgs: Vec<usize>,
    /// Runs still unlabelled after every rule (candidates for the re-labeller).
    leftover: Vec<(usize, usize)>,
    /// Acronyms defined in the text: acronym → (label, canonical).
    defined: HashMap<String, (Label, String)>,
    /// Place look-ups made by the shape fallback (the tests check they grow linearly).
    place_probes: usize,
}

impl<'a> DocState<'a> {
    fn new(tg: &'a Tagger, text: &'a str, toks: &'a [Token]) -> Self {
        let n = toks.len();
        let mut gaz_at = vec![None; n];
        if tg.cfg.gazetteers && n > 0 {
            for m in tg.gaz.find(text) {
                let s = toks.partition_point(|t| t.start < m.start);
                let e = toks.partition_point(|t| t.end <= m.end);
                if s < n && toks[s].start == m.start && e > s && toks[e - 1].end == m.end {
                    gaz_at[s] = Some((e, m.entry));
                }
            }
        }
        // Title-case headings: most words capitalised.
        let mut heading = vec![false; n];
        let mut capitals_line = vec![false; n];
        let mut i = 0;
        while i < n {
            let mut j = i + 1;
            while j < n && !toks[j].line_start {
                j += 1;
            }
            let (mut words, mut caps, mut upper) = (0, 0, 0);
            for t in &toks[i..j] {
                if t.kind == Kind::Word {
                    let w = t.text(text);
                    if is_in(CONNECTORS, w) || w.len() <= 2 && !t.cap {
                        continue;
                    }
                    words += 1;
                    if t.cap {
                        caps += 1;
                    }
                    if t.all_caps {
                        upper += 1;
                    }
                }
            }
            let last = toks[j - 1].text(text);
            let is_heading = words >= 3 && caps * 10 > words * 8 && !matches!(last, "." | "\"" | "”");
            for h in &mut heading[i..j] {
                *h = is_heading;
            }
            let in_capitals = is_heading && upper * 10 > words * 8;
            for h in &mut capitals_line[i..j] {
                *h = in_capitals;
            }
            i = j;
        }
        DocState {
            tg,
            text,
            toks,
            taken: vec![false; n],
            heading,
            capitals_line,
            gaz_at,
            decisions: Vec::new(),
            pending: Vec::new(),
            start_orgs: Vec::new(),
            leftover: Vec::new(),
            defined: HashMap::new(),
            place_probes: 0,
        }
    }

    /// True when the tokens `s..e` lie inside a longer gazetteer name (`Today` in `USA
    /// Today`): the name, not a date or number pattern, claims them.
    fn inside_known_name(&self, s: usize, e: usize) -> bool {
        (s.saturating_sub(MAX_NAME_LEAD)..=s).any(|g| {
            self.gaz_at.get(g).copied().flatten().is_some_and(|(end, entry)| {
                end >= e && end - g > e - s && self.tg.gaz.entry(entry).is_some_and(|en| en.label.is_name())
            })
        })
    }

    fn w(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| t.text(self.text))
    }

    fn push(&mut self, d: Decision) {
        self.decisions.push(d);
    }

    fn span_text(&self, s: usize, e: usize) -> &'a str {
        if s >= e || e > self.toks.len() {
            return "";
        }
        &self.text[self.toks[s].start..self.toks[e - 1].end]
    }

    fn is_particle_word(&self, i: usize) -> bool {
        let w = self.w(i);
        // Every particle ends at its only hyphen (a test checks the list), so only a word
        // with a hyphen can start with one: most words are rejected without a comparison.
        let Some(hyphen) = w.find('-') else { return false };
        PARTICLES.words().iter().any(|p| {
            p.len() == hyphen + 1
                && w.len() > p.len()
                && w.starts_with(p)
                && w[p.len()..].starts_with(char::is_uppercase)
        })
    }

    /// A frequent English word that is no evidence of a name on its own.
    fn weak(&self, i: usize) -> bool {
        let w = self.w(i);
        is_in(CAPITALISED_NON_NAMES, w)
            || is_in(NEVER_NAMES, w)
            || (self.tg.gaz.is_common(w) && !self.tg.gaz.is_given_name(w))
    }

    fn nameish(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else { return false };
        if self.taken[i] || t.kind != Kind::Word {
            return false;
        }
        if !(t.cap || self.is_particle_word(i)) {
            return false;
        }
        let w = t.text(self.text);
        // Tokens made of digits and letters (`LN742`) are identifiers, not names.
        if w.chars().any(|c| c.is_ascii_digit()) {
            return false;
        }
        // A pronoun's contraction (`We’ve`, `It's`, `They'll`) opens a sentence, never a name.
        !is_pronoun_contraction(w) && !self.party_and_state(w)
    }

    /// `R-Texas`, `D-Ohio`: a US legislator's party and state after the name, not a name.
    fn party_and_state(&self, w: &str) -> bool {
        let Some(state) = w.strip_prefix("R-").or_else(|| w.strip_prefix("D-")).or_else(|| w.strip_prefix("I-")) else {
            return false;
        };
        self.tg.gaz.lookup(state.trim_end_matches('.')).is_some_and(|e| e.label == Label::Gpe)
    }

    /// Builds and classifies every capitalised run.
    fn runs(&mut self) {
        let n = self.toks.len();
        let mut i = 0;
        while i < n {
            if !self.nameish(i) && !self.particle_lead(i) {
                self.group_prefixed(i);
                i += 1;
                continue;
            }
            let mut j = i + 1;
            loop {
                if j >= n || self.toks[j].after_newline {
                    break;
                }
                // The pronoun `I` before a verb ends a name (`… Red Cross I think`).
                if self.w(j) == "I" && self.toks.get(j + 1).is_some_and(|t| t.kind == Kind::Word && !t.cap) {
                    break;
                }
                if self.nameish(j) && !(self.heading[j] && self.weak(j) && !self.head_word(j)) {
                    j += 1;
                    continue;
                }
                let w = self.w(j);
                // `Department of the Interior`: `of the`, `for the`, `on the` after an
                // organisation word.
                let prev = self.w(j - 1);
                if matches!(w, "of" | "for" | "on")
                    && (is_in(ORG_FIRST, prev) || is_in(ORG_HEADS, prev))
                    && self.w(j + 1) == "the"
                    && self.nameish(j + 2)
                    && !self.toks[j + 2].after_newline
                    && !self.toks[j + 1].after_newline
                {
                    j += 3;
                    continue;
                }
                // `Fernando de la Rua`, `Ludwig van der Rohe`.
                if is_in(NAME_PARTICLES, w)
                    && matches!(self.w(j + 1), "la" | "le" | "los" | "las" | "der" | "den")
                    && self.nameish(j + 2)
                    && !self.toks[j + 2].after_newline
                {
                    j += 3;
                    continue;
                }
                // A bare `the` joins nothing (`Channel Seven the Government`); `on` only
                // after an organisation or event word (`Committee on …`, not `Mt Archer on …`).
                let conn = is_in(CONNECTORS, w)
                    && !self.toks[j].cap
                    && w != "the"
                    && (!matches!(w, "on" | "upon") || {
                        let prev = self.w(j - 1);
                        is_in(ORG_HEADS, prev) || is_in(ORG_FIRST, prev) || is_in(EVENT_HEADS, prev)
                    });
                let plural_possessive = self.toks[j].kind == Kind::Possessive && !w.ends_with('s') && !w.ends_with('S')
                    || self.possessive_in_org_name(j);
                // `Ibrahim Diallo of Sahel Capital`: a person's name does not go on across `of`.
                if w == "of" && self.person_left(i, j) {
                    break;
                }
                if (conn || plural_possessive || w == "&") && self.nameish(j + 1) && !self.toks[j + 1].after_newline {
                    if w == "and"
                        && !self.has_org_start(i, j)
                        && self.org_tail(i, j).is_none()
                        && !self.kind_named_pair(i, j)
                    {
                        break;
                    }
                    j += 2;
                    continue;
                }
                if w == ","
                    && let Some(end) = self.comma_listed_org(i, j)
                {
                    j = end;
                    continue;
                }
                break;
            }
            self.run(i, j);
            i = j;
        }
    }

    /// `Sheriff's Department`, `People's Alliance Party`: a singular possessive at `j` (the
    /// `'s` token) inside an organisation's name, the one to three capitalised words after it
    /// ending in an organisation or facility head word. The owner is no given name, known
    /// name nor a name after a title (`Mr Lund's Freight Company` is two names).
    fn possessive_in_org_name(&self, j: usize) -> bool {
        if self.toks[j].kind != Kind::Possessive
            || j == 0
            || !self.toks[j - 1].cap
            || (j.saturating_sub(4)..j).any(|k| self.gaz_at[k].is_some_and(|(end, _)| end >= j))
        {
            return false;
        }
        let owner = self.w(j - 1);
        if self.tg.gaz.is_given_name(owner) || j >= 2 && is_title(self.w(j - 2)) {
            return false;
        }
        let mut k = j + 1;
        while k < self.toks.len() && k - j <= 3 && self.nameish(k) && !self.toks[k].after_newline {
            k += 1;
        }
        k > j + 1 && (is_in(ORG_HEADS, self.w(k - 1)) || is_in(FAC_HEADS, self.w(k - 1)))
    }

    /// `accountancy firm Ernst and Young`: after a singular noun for a kind of organisation,
    /// one capitalised word on each side of `and` at `j` is one name (neither a known name).
    fn kind_named_pair(&self, i: usize, j: usize) -> bool {
        i > 0
            && j == i + 1
            && is_in(ORG_NOUNS, self.w(i - 1))
            && !self.w(i - 1).ends_with('s')
            && self.gaz_at[i].is_none()
            && self.gaz_at[j + 1].is_none()
            && !self.nameish(j + 2)
    }

    /// `anti-Taliban`, `pro-Kenyan`: a group's name or a nationality after `anti-` or `pro-`
    /// (one word token) names a political stance, a NORP.
    fn group_prefixed(&mut self, i: usize) {
        let t = self.toks[i];
        if t.kind != Kind::Word || t.cap || self.taken[i] || !self.tg.cfg.gazetteers || !self.tg.cfg.context {
            return;
        }
        let w = t.text(self.text);
        let Some(rest) = w.strip_prefix("anti-").or_else(|| w.strip_prefix("pro-")) else { return };
        if self.tg.gaz.lookup(rest).is_some_and(|en| matches!(en.label, Label::Norp | Label::Org))
            && rest.starts_with(char::is_uppercase)
        {
            self.push(Decision {
                start: i,
                end: i + 1,
                label: Label::Norp,
                canonical: None,
                source: Source::Context,
                weak: false,
            });
        }
    }

    /// A lower-case name particle opening a surname (`bin Laden`, `van Gogh`, `al Qaeda`).
    fn particle_lead(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else { return false };
        t.kind == Kind::Word
            && !t.cap
            && t.end - t.start <= 5
            && !self.taken[i]
            && is_in(NAME_PARTICLES, t.text(self.text))
            && self.nameish(i + 1)
            && !self.toks[i + 1].after_newline
    }

    /// True when the left part `s..e` of a run may go on across `and`/`&` at `e` into one
    /// organisation name: the words after the conjunction end in an organisation head word
    /// (`Australian Securities and Investments Commission`, `Energy and Natural Resources
    /// Union`) and the left part is not a whole name itself (a title, a known entry, a name
    /// ending in its own head word, a given name: `Qantas and Virgin Airlines`). Returns the
    /// end of the organisation name.
    fn org_tail(&self, s: usize, e: usize) -> Option<usize> {
        if e <= s || e - s > 4 {
            return None;
        }
        if self.loose_left(s, e) {
            return self.head_after(e);
        }
        // `Securities and Investments Commission`: the left part ends in a weak head word and
        // the right part in an institution's.
        let left_head = self.w(e - 1);
        if is_in(ORG_HEADS, left_head) && !is_in(INSTITUTION_HEADS, left_head) && self.plain_left(s, e) {
            let end = self.head_after(e)?;
            return is_in(INSTITUTION_HEADS, self.w(end - 1)).then_some(end);
        }
        None
    }

    /// After the conjunction at `e`: up to five capitalised words ending in an organisation
    /// head word; returns their end.
    fn head_after(&self, e: usize) -> Option<usize> {
        let mut k = e + 1;
        while k < self.toks.len() && self.nameish(k) && !self.toks[k].after_newline && k - e <= 5 {
            k += 1;
        }
        (k > e + 1 && is_in(ORG_HEADS, self.w(k - 1))).then_some(k)
    }

    /// The left part of an organisation name joined across `and` or commas may not be a
    /// name of its own.
    fn loose_left(&self, s: usize, e: usize) -> bool {
        self.plain_left(s, e) && !is_in(ORG_HEADS, self.w(e - 1))
    }

    /// Capitalised words, no title, not a known name as a whole, not opening with a given name.
    fn plain_left(&self, s: usize, e: usize) -> bool {
        (s..e).all(|k| self.nameish(k) && !is_title(self.w(k)))
            && self.gaz_at[s].is_none_or(|(end, entry)| {
                end != e || self.tg.gaz.entry(entry).is_none_or(|en| en.label == Label::Norp)
            })
            && (!self.tg.gaz.is_given_name(self.w(s)) || is_in(WORD_NAMES, self.w(s)))
    }

    /// `Construction, Forestry, Mining and Energy Union`: capitalised words listed with commas
    /// and a final `and` (or `, and`) before an organisation head word. `e` is the first comma;
    /// returns the end of the whole name.
    fn comma_listed_org(&self, s: usize, e: usize) -> Option<usize> {
        if e - s > 2 || !self.loose_left(s, e) {
            return None;
        }
        let n = self.toks.len();
        let mut k = e;
        for _ in 0..6 {
            if self.w(k) != "," {
                return None;
            }
            let start = k + 1;
            if self.w(start) == "and" {
                return self.head_after(start);
            }
            let mut m = start;
            while m < n && m - start < 2 && self.nameish(m) && !self.toks[m].after_newline {
                m += 1;
            }
            if m == start || self.gaz_at[start].is_some() || (start..m).any(|x| is_title(self.w(x))) {
                return None;
            }
            k = m;
            if matches!(self.w(k), "and" | "&") {
                return self.head_after(k);
            }
        }
        None
    }

    /// `i..j` is a person's name: two or three capitalised words opening with a known given
    /// name (after any title), none of them an organisation word.
    fn person_left(&self, i: usize, j: usize) -> bool {
        let mut s = i;
        while s < j && is_title(self.w(s)) {
            s += 1;
        }
        (2..=3).contains(&(j - s))
            && self.tg.gaz.is_given_name(self.w(s))
            && (s..j).all(|k| self.nameish(k) && !self.head_word(k) && !is_in(ORG_FIRST, self.w(k)))
    }

    /// A capitalised role noun (`Scientist`, `Lawyer`) that is not itself a title.
    fn role_word(&self, i: usize) -> bool {
        let w = self.w(i);
        self.toks[i].cap && !self.toks[i].all_caps && is_role_noun(w) && !is_title(w)
    }

    /// `Department of Water and …`: an organisation's first word before `of`/`for`/`on`, or
    /// an `of` inside the run (`West Bank and …` is no such start).
    fn has_org_start(&self, s: usize, e: usize) -> bool {
        (s..e).any(|k| is_in(ORG_FIRST, self.w(k)) && matches!(self.w(k + 1), "of" | "for" | "on") || self.w(k) == "of")
            && self.gaz_at[s].is_none_or(|(end, _)| end != e)
    }

    /// The title word at `k` is part of an organisation's or facility's name (`Goshen General
    /// Hospital`, `General Motors`): the run ends in a head word, no given name follows the
    /// title, and a word comes before the title or the head is an organisation's.
    fn title_inside_org_name(&self, s: usize, k: usize, e: usize) -> bool {
        let last = self.w(e - 1);
        k + 1 < e
            && !is_title(last)
            && (is_in(ORG_HEADS, last) || k > s && is_in(FAC_HEADS, last))
            && !self.tg.gaz.is_given_name(self.w(k + 1))
            && (s..k).all(|x| !is_title(self.w(x)))
    }

    /// The words `s..t` before the title words `t..end`: an organisation whose official it is
    /// (`Rural Fire Service Commissioner`, `Third Division Deputy Chief`) or a department
    /// word just before the title (`Deputy Defence Secretary`) is an organisation; otherwise
    /// only the gazetteer names inside count.
    fn before_title(&mut self, s: usize, t: usize, end: usize) {
        let org =
            |d: &Self, a: usize| d.head_label(a, t) == Some(Label::Org) || t == a + 1 && is_in(PORTFOLIO_ORGS, d.w(a));
        let from = if t > s && org(self, s) {
            Some(s)
        } else if t > s && org(self, t - 1) {
            Some(t - 1)
        } else {
            None
        };
        match from {
            Some(a) => {
                self.gaz_inside(s, a);
                self.push(Decision {
                    start: a,
                    end: t,
                    label: Label::Org,
                    canonical: None,
                    source: Source::Context,
                    weak: false,
                });
                self.gaz_inside(t, end);
            }
            None => self.gaz_inside(s, end),
        }
    }

    /// `Secretary of State`: the department word closing a job phrase at title `k` (the
    /// phrase ends before `end`) is an organisation.
    fn job_phrase_org(&mut self, k: usize, end: usize) {
        if self.w(k + 1) == "of" && k + 3 == end && is_in(PORTFOLIO_ORGS, self.w(k + 2)) && !self.taken[k + 2] {
            self.push(Decision {
                start: k + 2,
                end: k + 3,
                label: Label::Org,
                canonical: None,
                source: Source::Context,
                weak: false,
            });
        }
    }

    fn head_word(&self, i: usize) -> bool {
        let w = self.w(i);
        is_in(ORG_HEADS, w) || is_in(FAC_HEADS, w) || is_in(LAW_HEADS, w) || is_in(EVENT_HEADS, w) || is_title(w)
    }

    /// Classifies the run of tokens `s..e`.
    fn run(&mut self, mut s: usize, mut e: usize) {
        if self.tg.cfg.context && self.us_state(s, e) {
            return;
        }
        // Post-nominal letters are not part of a name (`Nomsa Khumalo SC`, `Jo Bloggs MP`).
        if e - s >= 3 && is_in(POST_NOMINALS, self.w(e - 1)) {
            e -= 1;
        }
        // Sentence starts and headings: drop leading frequent words (`The`, `Officials`).
        while s < e {
            let t = self.toks[s];
            let w = self.w(s);
            let at_start = t.sent_start || self.heading[s];
            // `New York`, `New South Wales`: a gazetteer name of several words starting here.
            let known = self.gaz_at[s].is_some_and(|(end, _)| end > s + 1 && end <= e)
                || t.all_caps && self.upper_gaz_at(s, e).is_some_and(|(end, _, _)| end > s + 1);
            // `Labour costs`: a one-word organisation that is also a frequent word.
            let word_org = at_start
                && self.gaz_at[s].is_some_and(|(end, entry)| {
                    end == s + 1 && self.tg.gaz.entry(entry).is_some_and(|en| en.label == Label::Org)
                })
                && self.tg.gaz.is_word(w);
            // `Defence Secretary X`, `Federal Employment Services Minister X`: a department
            // or an organisation's name before a title.
            let before_title = e - s >= 2
                && !is_in(CAPITALISED_NON_NAMES, w)
                && (is_in(PORTFOLIO_ORGS, w) && is_title(self.w(s + 1))
                    || (s + 2..e)
                        .find(|&k| is_title(self.w(k)))
                        .is_some_and(|t| self.head_label(s, t) == Some(Label::Org)));
            if word_org && e - s == 1 {
                // A one-word organisation that is also a frequent word, alone at a sentence
                // start: `Labor won` or `Labor costs rose`, but also `Google said` (brand names
                // are frequent words too). Decided by the rest of the document
                // ([`Self::resolve_start_orgs`]).
                self.start_orgs.push(s);
                return;
            }
            let drop = if before_title {
                false
            } else if word_org {
                !(e - s >= 2 && self.org_like(s, e))
            } else if known {
                false
            } else if is_in(CAPITALISED_NON_NAMES, w) {
                true
            } else if e - s >= 2 && self.role_word(s) && !self.org_like(s, e) {
                // `Scientist David Vaughan`, `Firefighter Jo Bloggs`.
                true
            } else if is_in(NEVER_NAMES, w) {
                // `Police Federation`, but not `Police` alone.
                !(e - s >= 2 && self.org_like(s, e))
            } else if at_start && self.weak(s) && !is_title(w) && self.gaz_at[s].is_none() {
                // Keep a frequent word that opens an organisation name (`Gold Coast Herald`).
                !(e - s >= 2 && self.org_like(s, e))
            } else {
                false
            };
            if !drop {
                break;
            }
            s += 1;
            while s < e && !self.nameish(s) && !self.particle_lead(s) {
                s += 1;
            }
        }
        if s >= e {
            return;
        }
        // `Mon Feb 12`, `Tue, 3 Mar`: weekday and month abbreviations of a date line are no names.
        let date_word = |k: usize| {
            let w = self.w(k).trim_end_matches('.');
            is_in(DATE_ABBREVIATIONS, w)
                || self.toks[k].all_caps
                    && self.toks.get(k + 1).is_some_and(|t| t.kind == Kind::Num)
                    && DATE_ABBREVIATIONS.words().iter().any(|d| d.eq_ignore_ascii_case(w))
        };
        if (s..e).all(date_word)
            && (e - s > 1
                || self.toks.get(e).is_some_and(|t| t.kind == Kind::Num)
                || s > 0 && self.toks[s - 1].kind == Kind::Num
                || matches!(self.w(e), ",") && self.toks.get(e + 1).is_some_and(|t| t.kind == Kind::Num))
        {
            return;
        }
        // Dateline: all-caps words at a line start, before `(`, `-`, `,` or `:`.
        if self.toks[s].line_start && (s..e).all(|k| self.toks[k].all_caps || self.connector(k)) {
            let next = self.w(e);
            if matches!(next, "(" | "-" | "—" | "–" | "," | ":") {
                let surface = self.span_text(s, e);
                let entry = if self.tg.cfg.gazetteers { self.tg.gaz.lookup_upper(surface) } else { None };
                match entry {
                    Some(en) if en.label != Label::Org => {
                        let (label, canonical) = (en.label, en.canonical.clone());
                        self.push(Decision {
                            start: s,
                            end: e,
                            label,
                            canonical: Some(canonical),
                            source: Source::Gazetteer,
                            weak: false,
                        });
                    }
                    _ if self.tg.cfg.context && e - s <= 4 => {
                        self.push(Decision {
                            start: s,
                            end: e,
                            label: Label::Gpe,
                            canonical: None,
                            source: Source::Context,
                            weak: false,
                        });
                    }
                    _ => {}
                }
                return;
            }
        }
        if let Some((label, canonical)) = self.gaz_whole(s, e)
            && !(e - s == 1 && self.toks[s].sent_start && label == Label::Org && self.tg.gaz.is_word(self.w(s)))
        {
            // (A one-word organisation that is also a frequent word, `Labor`, is not taken at
            // a sentence start.)
            self.push(Decision {
                start: s,
                end: e,
                label,
                canonical: Some(canonical),
                source: Source::Gazetteer,
                weak: false,
            });
            self.acronym_definition(s, e, label);
            return;
        }
        // `fellow Australian Michael Klim`, `ambassador to Pakistan Abdul Salam Zaeef`: a
        // nationality or a place before a person's name (a known given name first) is two names.
        if self.tg.cfg.gazetteers
            && let Some((end, entry)) = self.gaz_at[s]
            && end < e
            && (2..=3).contains(&(e - end))
            && self.tg.gaz.entry(entry).is_some_and(|en| matches!(en.label, Label::Norp | Label::Gpe))
            && self.tg.gaz.is_given_name(self.w(end))
            && !is_in(WORD_NAMES, self.w(end))
            && (end..e).all(|k| self.nameish(k) && !self.head_word(k) && self.gaz_at[k].is_none())
        {
            self.gaz_inside(s, end);
            self.run(end, e);
            return;
        }
        // `the Sydney Weather Bureau Ian Robertson`: an organisation's name ending in its head
        // word, directly followed by a person's name, is two names.
        if self.tg.cfg.context
            && e - s >= 4
            && let Some(k) = (s + 2..e - 1).find(|&k| is_in(ORG_HEADS, self.w(k - 1)) && self.person_left(k, e))
            && self.head_label(s, k) == Some(Label::Org)
            && !is_title(self.w(k))
        {
            self.run(s, k);
            self.run(k, e);
            return;
        }
        if self.tg.cfg.context
            && let Some(k) = (s..e).rev().find(|&k| is_title(self.w(k)))
            && !self.title_inside_org_name(s, k, e)
        {
            // `Chief Executive Bob Iger`, `Prime Day`: a title that only opens a two-word title
            // takes the word after it into the title, unless that word is a given name
            // (`Deputy John Hale`).
            let k = if is_in(TITLE_OPENERS, self.w(k))
                && k + 1 < e
                && self.toks[k + 1].kind == Kind::Word
                && !self.tg.gaz.is_given_name(self.w(k + 1))
            {
                k + 1
            } else {
                k
            };
            // `Trade Minister Thabo Mokoena`: the name follows the last title word.
            let mut k0 = k;
            while k0 > s && is_title(self.w(k0 - 1)) {
                k0 -= 1;
            }
            let mut p = k + 1;
            let job_phrase = p < e && self.connector(p);
            // (`Captain Chris Hall`: a given name after the title makes a person's name even
            // when the surname is also a facility's head word.)
            let person_name =
                (2..=3).contains(&(e - p)) && self.tg.gaz.is_given_name(self.w(p)) && !is_in(ORG_HEADS, self.w(e - 1));
            if !job_phrase && p < e && (!self.org_like(p, e) || person_name) {
                while p < e && self.connector(p) {
                    p += 1;
                }
                let place_word = |l: Label| e - p == 1 && matches!(l, Label::Gpe | Label::Loc);
                if p < e && self.gaz_whole(p, e).is_none_or(|(l, _)| l == Label::Person || place_word(l)) {
                    self.before_title(s, k0, k + 1);
                    self.push(Decision {
                        start: p,
                        end: e,
                        label: Label::Person,
                        canonical: None,
                        source: Source::Context,
                        weak: false,
                    });
                    return;
                }
            }
            if job_phrase && let Some(q) = (p..e.saturating_sub(1)).find(|&q| self.name_after_job(q, e)) {
                // `Secretary of State Colin Powell`: the name closing a job phrase.
                self.before_title(s, k0, k + 1);
                self.job_phrase_org(k, q);
                self.push(Decision {
                    start: q,
                    end: e,
                    label: Label::Person,
                    canonical: None,
                    source: Source::Context,
                    weak: false,
                });
                return;
            }
            if k == e - 1 || job_phrase {
                // A job title alone (`Cabinet Secretary for Trade`): only the names inside it
                // and an organisation before it (`Rural Fire Service Commissioner`).
                if !self.org_like(s, e) {
                    self.before_title(s, k0, k + 1);
                    if job_phrase {
                        self.job_phrase_org(k, e);
                    }
                    self.gaz_inside(k + 1, e);
                    return;
                }
            }
        }
        if self.tg.cfg.context
            && let Some(label) = self.head_label(s, e)
        {
            self.push(Decision { start: s, end: e, label, canonical: None, source: Source::Context, weak: false });
            self.acronym_definition(s, e, label);
            return;
        }
        if self.tg.cfg.context
            && s > 0
            && is_in(ORG_NOUNS, self.w(s - 1))
            && !self.toks[s].sent_start
            && !(e - s >= 2 && self.given_first(s, e))
        {
            // `forecasting firm Vantor Shrapnel`, `the airline Kestrel`: named after its kind.
            self.push(Decision {
                start: s,
                end: e,
                label: Label::Org,
                canonical: None,
                source: Source::Context,
                weak: false,
            });
            return;
        }
        if self.tg.cfg.context && e - s == 1 && !self.toks[s].sent_start && is_in(INSTITUTIONS, self.w(s)) {
            // `the Government`, `the Army` written with a capital inside a sentence.
            self.push(Decision {
                start: s,
                end: e,
                label: Label::Org,
                canonical: None,
                source: Source::Context,
                weak: false,
            });
            return;
        }
        if self.tg.cfg.gazetteers
            && e - s == 1
            && self.tg.gaz.is_given_name(self.w(s))
            && !is_in(WORD_NAMES, self.w(s))
            && !(s > 0 && (is_in(LOCATIVE, self.w(s - 1)) || self.w(s - 1) == "to" || self.taken[s - 1]))
            && !(self.toks[s].sent_start && self.tg.gaz.is_word(self.w(s)))
            && !self.toks[s].all_caps
            && !self.heading[s]
        {
            // A known given name alone (`Sarah`), not also a word (`May`, `Will`).
            self.push(Decision {
                start: s,
                end: e,
                label: Label::Person,
                canonical: None,
                source: Source::NameList,
                weak: true,
            });
            return;
        }
        // Stand-alone acronym (in a headline in capitals only a bracketed one, a ticker, or a
        // short one that is no frequent word: `CUTS CRUDE` are words, `<ACM>`, `IRS` are not).
        let bracketed = s > 0 && matches!(self.w(s - 1), "(" | "<") && matches!(self.w(e), ")" | ">");
        let short_non_word =
            || self.w(s).chars().filter(|c| c.is_alphabetic()).count() <= 4 && !self.tg.gaz.is_word(self.w(s));
        if e - s == 1 && self.acronym(s) && (bracketed || !self.capitals_line[s] || short_non_word()) {
            let w = self.w(s);
            if let Some((label, canonical)) = self.defined.get(w).cloned() {
                self.push(Decision {
                    start: s,
                    end: e,
                    label,
                    canonical: Some(canonical),
                    source: Source::Acronym,
                    weak: false,
                });
            } else {
                self.pending.push((s, e));
            }
            return;
        }
        if self.toks[s..e].iter().all(|t| t.all_caps) && (self.heading[s] || self.toks[s].line_start) {
            // An all-caps heading: only gazetteer names inside.
            self.gaz_inside(s, e);
            return;
        }
        // Name particles (`Osama bin Laden`) are part of a person's name; other connectors
        // (`of`, `and`) are not.
        let particles_only = (s..e).all(|k| !self.connector(k) || is_in(NAME_PARTICLES, self.w(k)));
        let len = if particles_only { (s..e).filter(|&k| !self.connector(k)).count() } else { e - s };
        let strong: usize = (s..e).filter(|&k| !self.weak(k) && !self.connector(k)).count();
        if self.tg.cfg.gazetteers
            && let Some(people) = self.person_list(s, e)
        {
            // `Pam Butler Renee Ratcliff Larry Lewis`: a list of people with nothing between
            // them (attendees, credits, a signature block read as one line).
            for (a, b) in people {
                self.push(Decision {
                    start: a,
                    end: b,
                    label: Label::Person,
                    canonical: None,
                    source: Source::NameList,
                    weak: false,
                });
            }
            return;
        }
        if self.tg.cfg.gazetteers && (2..=4).contains(&len) && self.given_first(s, e) {
            self.push(Decision {
                start: s,
                end: e,
                label: Label::Person,
                canonical: None,
                source: Source::NameList,
                weak: false,
            });
            return;
        }
        if self.tg.cfg.context && self.person_context(s, e) && strong == len && len <= 4 {
            self.push(Decision {
                start: s,
                end: e,
                label: Label::Person,
                canonical: None,
                source: Source::Context,
                weak: true,
            });
            return;
        }
        // Initials: `J. R. Okafor`.
        if self.tg.cfg.capitalised && len >= 2 && self.is_initial(s) && !self.is_initial(e - 1) {
            self.push(Decision {
                start: s,
                end: e,
                label: Label::Person,
                canonical: None,
                source: Source::Shape,
                weak: false,
            });
            return;
        }
        // Partly known: keep the gazetteer names inside, leave the rest for aliases.
        if self.has_gaz_inside(s, e) {
            self.gaz_inside(s, e);
            return;
        }
        if self.tg.cfg.context && strong == len && (1..=3).contains(&len) && self.place_context(s, e) {
            // `in Tora Bora`, `the Tora Bora region`.
            self.push(Decision {
                start: s,
                end: e,
                label: Label::Gpe,
                canonical: None,
                source: Source::Context,
                weak: true,
            });
            return;
        }
        let particle_surname = self.particle_lead(s) && !matches!(self.w(s), "al" | "el") && len <= 2;
        if self.tg.cfg.capitalised && ((2..=3).contains(&len) || particle_surname) && strong == len && !self.heading[s]
        {
            self.push(Decision {
                start: s,
                end: e,
                label: Label::Person,
                canonical: None,
                source: Source::Shape,
                weak: false,
            });
            return;
        }
        self.pending.push((s, e));
    }

    fn connector(&self, k: usize) -> bool {
        let t = self.toks[k];
        (is_in(CONNECTORS, t.text(self.text)) && !t.cap) || t.kind == Kind::Possessive
    }

    fn is_initial(&self, k: usize) -> bool {
        let w = self.w(k);
        w.len() >= 2
            && w.ends_with('.')
            && w.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase)
            && w.chars().filter(|c| c.is_alphabetic()).count() <= 2
    }

    fn acronym(&self, k: usize) -> bool {
        let t = self.toks[k];
        let w = t.text(self.text);
        let letters = w.chars().filter(|c| c.is_alphabetic()).count();
        t.all_caps
            && (2..=7).contains(&letters)
            && w.chars().all(|c| c.is_alphabetic() || c == '.' || c == '&')
            && !is_in(NOT_ORG_ACRONYMS, w)
    }

    /// The label given by a head word (`… Bank`, `Ministry of …`, `Lake …`).
    fn head_label(&self, s: usize, e: usize) -> Option<Label> {
        if e - s < 2 {
            return None;
        }
        let first = self.w(s);
        let last = self.w(e - 1);
        let of_follows = e - s >= 3 && matches!(self.w(s + 1), "of" | "for" | "on");
        if is_in(LAW_HEADS, last) {
            return Some(Label::Law);
        }
        if is_in(ORG_FIRST, first) && of_follows {
            return Some(Label::Org);
        }
        // `Australian Bureau of Statistics`: an organisation word before `of`/`for`/`on` inside.
        // `Communist Party of China`, `Islamic Movement of Uzbekistan`: a head word before `of`.
        if e - s >= 4
            && (s + 1..e - 2).any(|k| {
                is_in(ORG_FIRST, self.w(k)) && matches!(self.w(k + 1), "of" | "for" | "on")
                    || is_in(ORG_HEADS, self.w(k)) && self.w(k + 1) == "of"
            })
        {
            return Some(Label::Org);
        }
        if is_in(FAC_HEADS, last) {
            return Some(Label::Fac);
        }
        // `Post-Gazette`, `Journal-Constitution`: a compound of capitalised words ending in a
        // head word heads the same way.
        let compound_head = last.contains('-')
            && last.split('-').all(|p| p.starts_with(|c: char| c.is_uppercase()))
            && last.rsplit('-').next().is_some_and(|p| is_in(ORG_HEADS, p));
        if is_in(ORG_HEADS, last) || compound_head {
            return Some(Label::Org);
        }
        if is_in(EVENT_HEADS, last) {
            return Some(Label::Event);
        }
        if is_in(LOC_FIRST, first) || is_in(LOC_HEADS, last) {
            return Some(Label::Loc);
        }
        if first == "Channel" && e - s == 2 || first == "Team" && !is_in(EVENT_HEADS, last) {
            // `Channel Seven`: a broadcaster; `Team Halvorsen`: a sports team.
            return Some(Label::Org);
        }
        if matches!(first, "Port" | "Fort") && !is_in(ORG_HEADS, last) {
            return Some(Label::Gpe);
        }
        if is_in(GPE_HEADS, last) {
            return Some(Label::Gpe);
        }
        if matches!(self.w(s.wrapping_sub(1)), "ul." | "al." | "plac" | "ulica" | "aleja") {
            return Some(Label::Fac);
        }
        None
    }

    fn org_like(&self, s: usize, e: usize) -> bool {
        matches!(self.head_label(s, e), Some(Label::Org | Label::Fac | Label::Event | Label::Law))
    }

    /// A gazetteer entry covering exactly `s..e` (all-caps text looked up ignoring case).
    fn gaz_whole(&self, s: usize, e: usize) -> Option<(Label, String)> {
        if !self.tg.cfg.gazetteers {
            return None;
        }
        if let Some((end, entry)) = self.gaz_at[s]
            && end == e
        {
            let en = self.tg.gaz.entry(entry)?;
            return Some((en.label, en.canonical.clone()));
        }
        if self.toks[s..e].iter().all(|t| t.all_caps || t.kind != Kind::Word) {
            let en = self.tg.gaz.lookup_upper(self.span_text(s, e))?;
            return Some((en.label, en.canonical.clone()));
        }
        None
    }

    fn has_gaz_inside(&self, s: usize, e: usize) -> bool {
        (s..e).any(|k| self.gaz_at[k].is_some_and(|(end, _)| end <= e))
    }

    /// Emits the gazetteer matches inside `s..e`.
    fn gaz_inside(&mut self, s: usize, e: usize) {
        let mut k = s;
        while k < e {
            // A name as written, else (on a word in capitals) one written in capitals.
            let found = match self.gaz_at[k] {
                Some((end, entry)) if end <= e => {
                    self.tg.gaz.entry(entry).map(|en| (end, en.label, en.canonical.clone()))
                }
                _ => None,
            }
            .or_else(|| if self.toks[k].all_caps { self.upper_gaz_at(k, e) } else { None });
            let Some((end, label, canonical)) = found else {
                k += 1;
                continue;
            };
            self.push(Decision {
                start: k,
                end,
                label,
                canonical: Some(canonical),
                source: Source::Gazetteer,
                weak: false,
            });
            k = end;
        }
    }

    /// Whether the capitalised words right before the comma at `comma` name a city: a place
    /// the gazetteer knows, a name after a place preposition (`in`, `from`, `near` …), or a
    /// dateline in capitals at a line's start. A person's name before post-nominal letters
    /// (`John Smith, D.C.`) or a list of names is none of these.
    fn city_before(&self, comma: usize) -> bool {
        let mut start = comma;
        while start > 0 && comma - start < 4 && self.toks[start - 1].kind == Kind::Word && self.toks[start - 1].cap {
            start -= 1;
        }
        if start == comma {
            return false;
        }
        self.gaz_whole(start, comma).is_some_and(|(label, _)| label == Label::Gpe)
            || start > 0 && (is_in(LOCATIVE, self.w(start - 1)) || is_in(PLACE_PREPOSITIONS, self.w(start - 1)))
            || self.toks[start].line_start && (start..comma).all(|k| self.toks[k].all_caps)
    }

    /// `Portland, Ore.`, `Corning, N.Y.`: a US state's abbreviation after a name and a comma
    /// is a place, and so is the name before it (a city), unless the gazetteer knows that name
    /// as an organisation. Decides the run `s..e` when it is either; true when it did.
    fn us_state(&mut self, s: usize, e: usize) -> bool {
        let state_at = |k: usize| {
            k >= 2
                && k < self.toks.len()
                && US_STATES.contains(&self.w(k))
                && self.w(k - 1) == ","
                && self.city_before(k - 1)
        };
        if e - s == 1 && state_at(s) {
            self.push(Decision {
                start: s,
                end: e,
                label: Label::Gpe,
                canonical: None,
                source: Source::Context,
                weak: false,
            });
            return true;
        }
        if e - s > 4 || self.w(e) != "," || !state_at(e + 1) || !(s..e).all(|k| self.toks[k].cap || self.connector(k)) {
            return false;
        }
        let known = self.gaz_whole(s, e);
        if known.as_ref().is_some_and(|(label, _)| *label == Label::Org) || self.head_label(s, e) == Some(Label::Org) {
            return false;
        }
        let canonical = known.filter(|(label, _)| *label == Label::Gpe).map(|(_, c)| c);
        self.push(Decision { start: s, end: e, label: Label::Gpe, canonical, source: Source::Context, weak: false });
        true
    }

    /// The longest gazetteer name written in capitals at `s` (at most [`MAX_UPPER_NAME`]
    /// tokens, ending by `e`): `NEW YORK`, `SAUDI ARABIA`. One word alone counts unless it is a
    /// frequent English word that is neither a name nor a place (a place that is also a word,
    /// `TURKEY`, is taken).
    fn upper_gaz_at(&self, s: usize, e: usize) -> Option<(usize, Label, String)> {
        if !self.tg.cfg.gazetteers {
            return None;
        }
        let mut end = s;
        while end < e && end - s < MAX_UPPER_NAME && (self.toks[end].all_caps || self.connector(end)) {
            end += 1;
        }
        while end > s {
            let one = end == s + 1;
            if (self.toks[end - 1].all_caps)
                && !(one && self.tg.gaz.is_common(self.w(s)))
                && let Some(en) = self.tg.gaz.lookup_upper(self.span_text(s, end))
            {
                return Some((end, en.label, en.canonical.clone()));
            }
            end -= 1;
        }
        None
    }

    /// A run of four or more words that is nothing but people, each a known given name, an
    /// optional initial (`T.`) and one more capitalised word: their spans, else `None`.
    fn person_list(&self, s: usize, e: usize) -> Option<Vec<(usize, usize)>> {
        if e - s < 4 || !(s..e).all(|k| self.toks[k].kind == Kind::Word && self.toks[k].cap && !self.toks[k].all_caps) {
            return None;
        }
        let mut out = Vec::new();
        let mut k = s;
        while k < e {
            if !self.tg.gaz.is_given_name(self.w(k)) || is_title(self.w(k)) {
                return None;
            }
            let mut j = k + 1;
            if j < e && self.is_initial(j) {
                j += 1;
            }
            // The last word is no known name of its own, nor the pair a known name (`Victoria Falls`).
            if j >= e || self.tg.gaz.lookup(self.w(j)).is_some() || self.gaz_whole(k, j + 1).is_some() {
                return None;
            }
            out.push((k, j + 1));
            k = j + 1;
        }
        (out.len() >= 2).then_some(out)
    }

    fn given_first(&self, s: usize, e: usize) -> bool {
        let first = self.w(s);
        self.tg.gaz.is_given_name(first)
            && !self.toks[s].all_caps
            && self.toks[s + 1..e].iter().all(|t| t.kind == Kind::Word || t.kind == Kind::Possessive)
            && self.gaz_whole(s, e).is_none()
            && !(e - s == 2 && self.gaz_at[s + 1].is_some_and(|(end, _)| end == e) && self.toks[s].sent_start)
            && !(self.gaz_at[s].is_some_and(|(end, _)| end == s + 1) && (s + 1..e).all(|k| self.weak(k)))
    }

    /// `Colin Powell` closing `Secretary of State Colin Powell`: two or three capitalised
    /// words from `q` to `e`, the first a known given name, no connector.
    fn name_after_job(&self, q: usize, e: usize) -> bool {
        (2..=3).contains(&(e - q))
            && self.tg.gaz.is_given_name(self.w(q))
            && (q..e).all(|k| self.nameish(k) && !self.connector(k) && !is_title(self.w(k)))
            && !self.connector(q - 1)
    }

    /// A run that is a place by its context: after a place preposition (`in`, `near`), or
    /// before a lower-case place noun (`the Tora Bora region`, `Helmand province`).
    fn place_context(&self, s: usize, e: usize) -> bool {
        let prev = if s > 0 { self.w(s - 1) } else { "" };
        let next = self.w(e);
        // `the town of Jenin`
        let of_place = prev == "of" && s >= 2 && is_in(PLACE_NOUNS, self.w(s - 2));
        (is_in(PLACE_PREPOSITIONS, prev) || is_in(PLACE_NOUNS, next) || of_place)
            && !self.given_first(s, e)
            && !self.toks[s].all_caps
            && !self.span_text(s, e).contains('.')
    }

    /// Speech verbs and role nouns around `s..e`.
    fn person_context(&self, s: usize, e: usize) -> bool {
        let after = if self.w(e) == "," { e + 1 } else { e };
        if is_in(SPEECH_VERBS, self.w(after)) {
            return true;
        }
        // `X, 58,` (an age) or `X, who`; not `X, 50 km west of …` (a number with a unit after
        // it is a distance or an amount, not an age).
        let age_after = |k: usize| {
            self.toks.get(k).is_none_or(|t| t.kind != Kind::Word) && self.w(k) != "%"
                || matches!(self.w(k), "and" | "or" | "years" | "year" | "yrs")
        };
        if self.w(e) == ","
            && (self.toks.get(e + 1).is_some_and(|t| t.kind == Kind::Num && t.text(self.text).len() <= 2)
                && age_after(e + 2)
                || self.w(e + 1) == "who")
        {
            return true;
        }
        if s == 0 {
            return false;
        }
        let mut b = s - 1;
        if self.w(b) == "," && b > 0 {
            b -= 1;
        }
        let before = self.w(b);
        is_in(SPEECH_VERBS, before)
            || is_in(ROLE_NOUNS, before)
            || (before == "By" || before == "by") && (self.toks[b].line_start || self.w(b.wrapping_sub(1)) == "(")
            || before == "to" && b > 0 && self.w(b - 1) == "according"
            || before == "Mr"
            || before == "Ms"
    }

    /// `European Court of Human Rights (ECHR)`: records `ECHR` for this document.
    fn acronym_definition(&mut self, s: usize, e: usize, label: Label) {
        if self.w(e) == "(" && self.w(e + 2) == ")" && e + 1 < self.toks.len() && self.acronym(e + 1) {
            let canonical = self.span_text(s, e).to_owned();
            self.defined.insert(self.w(e + 1).to_owned(), (label, canonical.clone()));
            self.taken[e + 1] = true;
            self.push(Decision {
                start: e + 1,
                end: e + 2,
                label,
                canonical: Some(canonical),
                source: Source::Acronym,
                weak: false,
            });
        }
    }

    /// A one-word organisation that is also a frequent word, alone at a sentence start
    /// (`Google said`, `Labor costs`), is that organisation when the document names it in the
    /// middle of a sentence too, where the capital says it is a name, and never writes the
    /// word in lower case.
    fn resolve_start_orgs(&mut self) {
        if self.start_orgs.is_empty() {
            return;
        }
        let starts = std::mem::take(&mut self.start_orgs);
        // One pass over the decisions and one over the tokens for all of them: the canonical
        // name of each word's first mid-sentence mention, and the words seen in lower case.
        let mut named: HashMap<&str, Option<Option<String>>> = starts.iter().map(|&k| (self.w(k), None)).collect();
        for d in &self.decisions {
            if d.label == Label::Org
                && d.source == Source::Gazetteer
                && d.end - d.start == 1
                && !self.toks[d.start].sent_start
                && let Some(slot @ None) = named.get_mut(self.w(d.start))
            {
                *slot = Some(d.canonical.clone());
            }
        }
        let lower: HashMap<String, &str> = named.keys().map(|w| (w.to_lowercase(), *w)).collect();
        for t in self.toks {
            if t.kind == Kind::Word
                && let Some(w) = lower.get(t.text(self.text))
            {
                named.remove(w);
            }
        }
        for k in starts {
            let Some(Some(canonical)) = named.get(self.w(k)).cloned() else { continue };
            self.decisions.push(Decision {
                start: k,
                end: k + 1,
                label: Label::Org,
                canonical,
                source: Source::Alias,
                weak: false,
            });
        }
    }

    /// Resolves short forms and acronyms against the full names of this document.
    fn resolve_aliases(&mut self) {
        self.resolve_start_orgs();
        let mut alias: HashMap<String, (Label, String)> = HashMap::new();
        let mut ambiguous: Vec<String> = Vec::new();
        let mut add =
            |alias: &mut HashMap<String, (Label, String)>, key: String, label: Label, canonical: &str| match alias
                .get(&key)
            {
                Some((l, c)) if *l != label || c != canonical => ambiguous.push(key),
                Some(_) => {}
                None => {
                    alias.insert(key, (label, canonical.to_owned()));
                }
            };
        for d in &self.decisions {
            if !matches!(d.label, Label::Person | Label::Org) || d.end - d.start < 2 || d.source == Source::Pattern {
                continue;
            }
            let canonical =
                d.canonical.clone().unwrap_or_else(|| default_canonical(self.span_text(d.start, d.end), d.label));
            let words: Vec<usize> = (d.start..d.end).filter(|&k| self.toks[k].kind == Kind::Word).collect();
            match d.label {
                Label::Person => {
                    if let Some(&last) = words.last() {
                        add(&mut alias, self.w(last).to_owned(), Label::Person, &canonical);
                    }
                    if words.len() >= 3 {
                        let (a, b) = (words[0], words[words.len() - 1]);
                        add(&mut alias, format!("{} {}", self.w(a), self.w(b)), Label::Person, &canonical);
                        add(&mut alias, self.span_text(words[1], b + 1).to_owned(), Label::Person, &canonical);
                    }
                }
                _ => {
                    // Initials of the capitalised words: `World Canoe Sprint Federation` → `WCSF`.
                    let initials: String =
                        words.iter().filter(|&&k| self.toks[k].cap).filter_map(|&k| self.w(k).chars().next()).collect();
                    if initials.chars().count() >= 2 {
                        add(&mut alias, initials, Label::Org, &canonical);
                    }
                    // Leading words that are not frequent words: `Karoo Platinum`, `Valdor`.
                    for n in 1..words.len() {
                        let head = &words[..n];
                        if !self.weak(head[0])
                            && head.iter().all(|&k| self.toks[k].cap)
                            && self.gaz_whole(words[0], head[n - 1] + 1).is_none()
                        {
                            add(
                                &mut alias,
                                self.span_text(words[0], head[n - 1] + 1).to_owned(),
                                Label::Org,
                                &canonical,
                            );
                        } else {
                            break;
                        }
                    }
                }
            }
        }
        for key in ambiguous {
            alias.remove(&key);
        }
        for (k, v) in std::mem::take(&mut self.defined) {
            alias.insert(k, v);
        }
        if alias.is_empty() {
            if self.tg.cfg.capitalised {
                self.shape_fallback();
            }
            return;
        }
        // Re-label weak single-word decisions and label pending runs.
        for d in &mut self.decisions {
            if d.source == Source::Pattern || d.end - d.start > 2 {
                continue;
            }
            let key = self.text[self.toks[d.start].start..self.toks[d.end - 1].end].to_owned();
            if let Some((label, canonical)) = alias.get(&key)
                && canonical != &key
                && (d.label == *label
                    || d.source == Source::Shape
                    || d.weak
                    || *label == Label::Person && d.label != Label::Person && d.end - d.start == 1)
            {
                d.label = *label;
                d.canonical = Some(canonical.clone());
                d.source = Source::Alias;
            }
        }
        let pending = std::mem::take(&mut self.pending);
        let mut left = Vec::new();
        for (s, e) in pending {
            let key = self.span_text(s, e).to_owned();
            if let Some((label, canonical)) = alias.get(&key) {
                let source = if self.toks[s].all_caps && e - s == 1 { Source::Acronym } else { Source::Alias };
                self.decisions.push(Decision {
                    start: s,
                    end: e,
                    label: *label,
                    canonical: Some(canonical.clone()),
                    source,
                    weak: false,
                });
            } else {
                left.push((s, e));
            }
        }
        self.pending = left;
        if self.tg.cfg.capitalised {
            self.shape_fallback();
        }
    }

    /// Runs nothing else claimed: a rare name listed with a place (`Sydney, Launceston and
    /// Canberra`) or after a place preposition (`in Lesedi`) is a place, and so are its other
    /// mentions; one listed with a known organisation is an organisation; stand-alone
    /// acronyms become organisations.
    fn shape_fallback(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        // A set, not a list: a long document has many places and many leftover runs, and
        // comparing each run with every place was quadratic (issue 14: 80 MB took 333 s).
        let mut places: HashSet<&'a str> = self
            .decisions
            .iter()
            .filter(|d| d.label == Label::Gpe && d.source != Source::Pattern)
            .map(|d| self.span_text(d.start, d.end))
            .collect();
        // `Sydney, Adelaide, Launceston and Canberra`, `between Penrith and Springwood`: a rare
        // name listed with a place (joined by a comma, `and` or `or`) is a place too, and one
        // listed with an organisation known on strong evidence (`Disney, Pixar and Marvel`,
        // `Uber or Lyft`) an organisation. Each pass labels the names next to the ones found
        // so far; three passes reach along a list.
        let mut place_at: HashMap<(usize, bool), Label> = self
            .decisions
            .iter()
            .filter(|d| {
                d.label == Label::Gpe && d.source != Source::Pattern
                    || d.label == Label::Org
                        && matches!(d.source, Source::Gazetteer | Source::Context | Source::Acronym)
            })
            .flat_map(|d| [((d.start, true), d.label), ((d.end, false), d.label)])
            .collect();
        let mut pending = pending;
        if self.tg.cfg.context {
            for _ in 0..3 {
                let mut left = Vec::with_capacity(pending.len());
                let mut found = false;
                for (s, e) in pending {
                    // A comma joins only inside a list: the name has a list word on its other
                    // side too (`In Paris, Zorbix waited` is no list).
                    let list_word = |k: usize| matches!(self.w(k), "," | "and" | "or");
                    let conj = |k: usize| matches!(self.w(k), "and" | "or");
                    let before = (s >= 2 && list_word(s - 1) && (conj(s - 1) || list_word(e)))
                        .then(|| place_at.get(&(s - 1, false)).copied())
                        .flatten();
                    let after = (list_word(e) && (conj(e) || s > 0 && list_word(s - 1)))
                        .then(|| place_at.get(&(e + 1, true)).copied())
                        .flatten();
                    // Listed between a place and an organisation: neither.
                    let listed = match (before, after) {
                        (Some(a), Some(b)) if a != b => None,
                        (a, b) => a.or(b),
                    };
                    let rare = e - s <= 2
                        && (s..e).all(|k| !self.weak(k) && self.toks[k].kind == Kind::Word && !self.toks[k].all_caps)
                        && !self.tg.gaz.is_given_name(self.w(s));
                    if let Some(label) = listed
                        && rare
                    {
                        place_at.insert((s, true), label);
                        place_at.insert((e, false), label);
                        if label == Label::Gpe {
                            places.insert(self.span_text(s, e));
                        }
                        self.decisions.push(Decision {
                            start: s,
                            end: e,
                            label,
                            canonical: None,
                            source: Source::Context,
                            weak: true,
                        });
                        found = true;
                    } else {
                        left.push((s, e));
                    }
                }
                pending = left;
                if !found {
                    break;
                }
            }
        }
        let mut rest = Vec::new();
        for (s, e) in pending {
            let prev = if s > 0 { self.w(s - 1) } else { "" };
            let rare = (s..e).all(|k| !self.weak(k) || self.connector(k))
                && !self.toks[s].all_caps
                && !self.span_text(s, e).contains('.');
            if self.tg.cfg.context && rare && e - s <= 2 && is_in(LOCATIVE, prev) {
                places.insert(self.span_text(s, e));
                self.decisions.push(Decision {
                    start: s,
                    end: e,
                    label: Label::Gpe,
                    canonical: None,
                    source: Source::Context,
                    weak: true,
                });
            } else {
                rest.push((s, e));
            }
        }
        for (s, e) in rest {
            self.place_probes += 1;
            if places.contains(self.span_text(s, e)) {
                self.decisions.push(Decision {
                    start: s,
                    end: e,
                    label: Label::Gpe,
                    canonical: None,
                    source: Source::Alias,
                    weak: true,
                });
            } else if e - s == 1 && self.acronym(s) {
                self.decisions.push(Decision {
                    start: s,
                    end: e,
                    label: Label::Org,
                    canonical: None,
                    source: Source::Shape,
                    weak: false,
                });
            } else if !(e - s == 1 && is_in(NOT_ORG_ACRONYMS, self.w(s))) {
                // (An acronym known not to name anything, `BC`, `CEO`, `GMT`, is not a
                // candidate for the re-labeller either.)
                self.leftover.push((s, e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(text: &str) -> Vec<(String, String, String, &'static str)> {
        Tagger::builtin(TaggerConfig::default())
            .tag(text)
            .into_iter()
            .map(|m| (text[m.start..m.end].to_owned(), m.label.as_str().to_owned(), m.canonical, m.source.as_str()))
            .collect()
    }

    fn has(text: &str, span: &str, label: &str) {
        let got = tag(text);
        assert!(got.iter().any(|(s, l, _, _)| s == span && l == label), "{text:?}: want {span:?} {label}, got {got:?}");
    }

    fn lacks(text: &str, span: &str) {
        let got = tag(text);
        assert!(!got.iter().any(|(s, _, _, _)| s == span), "{text:?}: did not want {span:?}, got {got:?}");
    }

    #[test]
    fn every_hyphen_particle_ends_at_its_only_hyphen() {
        // `is_particle_word` relies on it.
        for p in PARTICLES.words() {
            assert!(p.ends_with('-') && p.find('-') == Some(p.len() - 1), "{p}");
        }
    }

    #[test]
    fn titles_mark_people_and_are_excluded() {
        has("Trade Minister Thabo Mokoena is due on Tuesday.", "Thabo Mokoena", "PERSON");
        has("It was Foreign Minister Lerato Dube who spoke.", "Lerato Dube", "PERSON");
        has("They met Dr. K. T. Mensah there.", "K. T. Mensah", "PERSON");
        has("A letter from Mr Wróblewski arrived.", "Wróblewski", "PERSON");
        lacks("The Cabinet Secretary for Trade spoke.", "Cabinet Secretary for Trade");
        has("The Commerce Minister of India spoke.", "India", "GPE");
    }

    #[test]
    fn speech_verbs_and_given_names() {
        has("\"We will not pay,\" said Halvard Brekke.", "Halvard Brekke", "PERSON");
        has("Anna Keller arrived late.", "Anna Keller", "PERSON");
        has("Quorvo Tesh said the port was full.", "Quorvo Tesh", "PERSON");
        // Present tense, as features and reviews write it.
        has("The glaze is fired twice, Tarvelo explains.", "Tarvelo", "PERSON");
        // Kin, rulers and clergy in lower case before a single name.
        has("The old emperor Varkhaan made a new division of the land.", "Varkhaan", "PERSON");
        has("He was replaced by his nephew Oskuro in the spring.", "Oskuro", "PERSON");
    }

    #[test]
    fn organisation_heads() {
        has("a report by the Eastern Seaboard Shippers' Council, a lobby", "Eastern Seaboard Shippers' Council", "ORG");
        has("rates set by the Bank of Ghana on", "Bank of Ghana", "ORG");
        has("the Department of Water and Sanitation said", "Department of Water and Sanitation", "ORG");
        has("delegates at the Tudor Creek Conference Centre on", "Tudor Creek Conference Centre", "FAC");
        has("under the National Water Act the", "National Water Act", "LAW");
        has("a swim in Lake Geneva is", "Lake Geneva", "LOC");
        has("shares in Karoo Platinum Resources fell", "Karoo Platinum Resources", "ORG");
    }

    #[test]
    fn gazetteer_places_groups_and_datelines() {
        has("MOMBASA (Coastline Wire) - Talks opened.", "MOMBASA", "GPE");
        let got = tag("KRAKÓW - The vote.");
        assert_eq!(got[0].2, "Kraków");
        has("It brings together Kenya, India and Oman.", "Oman", "GPE");
        has("paid for by Kenyan and Tanzanian taxpayers", "Tanzanian", "NORP");
        has("Kenya's ports", "Kenya", "GPE");
        has("hubs in East Africa grew", "East Africa", "LOC");
    }

    #[test]
    fn sentence_starts_are_not_names() {
        lacks("Officials said the talks failed.", "Officials");
        lacks("Shipping lines are watching.", "Shipping");
        has("The Indian Ocean Trade Forum opens.", "Indian Ocean Trade Forum", "ORG");
    }

    #[test]
    fn place_lookups_grow_linearly_with_the_document() {
        // Issue 14: each run left to the shape fallback was compared with every place of the
        // document, so a long document took quadratic time (80 MB: 333 s).
        let tagger = Tagger::builtin(TaggerConfig::default());
        let probes = |n: usize| {
            let text = "In Paris, Zorbix waited. ".repeat(n);
            let toks = tokenize(&text);
            tagger.decide(&text, &toks).place_probes
        };
        let (small, large) = (probes(50), probes(400));
        assert!(small >= 50, "{small} place look-ups for 50 sentences");
        assert!(large <= small * 8 + 8, "{small} place look-ups for 50 sentences but {large} for 400");
    }

    #[test]
    fn aliases_resolve_within_a_document() {
        let got = tag(
            "Anna Keller spoke first. Later Keller said no. Shares in Karoo Platinum Resources fell, and Karoo Platinum said nothing.",
        );
        let keller = got.iter().find(|m| m.0 == "Keller").cloned();
        assert_eq!(keller.map(|m| (m.1, m.2, m.3)), Some(("PERSON".into(), "Anna Keller".into(), "alias")));
        let karoo = got.iter().find(|m| m.0 == "Karoo Platinum").cloned();
        assert_eq!(karoo.map(|m| (m.1, m.2)), Some(("ORG".into(), "Karoo Platinum Resources".into())));
    }

    #[test]
    fn acronyms() {
        let got = tag("The European Court of Human Rights (ECHR) ruled. Later the ECHR said more.");
        let echr: Vec<_> = got.iter().filter(|m| m.0 == "ECHR").collect();
        assert_eq!(echr.len(), 2, "{got:?}");
        assert!(echr.iter().all(|m| m.2 == "European Court of Human Rights"));
        has("The World Canoe Sprint Federation met. The WCSF said no.", "WCSF", "ORG");
        has("Officials at the TSIB said", "TSIB", "ORG");
        lacks("The CEO said", "CEO");
        // Acronyms known not to name anything stay unlabelled, re-labeller included.
        for text in [
            "Sulla took the city in 82 BC and held it.",
            "The works were begun in BC times, he said.",
            "The feed goes live at 10:00 GMT on the island.",
            "Both the CFO and the CEO resigned.",
        ] {
            for w in ["BC", "GMT", "CFO", "CEO"] {
                let got = tag(text);
                assert!(!got.iter().any(|(s, l, _, _)| s == w && l != "DATE"), "{text:?}: {w} labelled: {got:?}");
            }
        }
        has("Sulla took the city in 82 BC and held it.", "82 BC", "DATE");
    }

    #[test]
    fn a_frequent_word_organisation_at_a_sentence_start_needs_the_rest_of_the_document() {
        // `Samsung` is in the frequent-word list (brand names are), so a sentence start alone
        // says nothing; a mention in mid-sentence does, unless the text writes it in lower case.
        let text = "Samsung announced a new phone. Rivals of Samsung were slow to answer.";
        let got = tag(text);
        assert_eq!(got.iter().filter(|m| m.0 == "Samsung" && m.1 == "ORG").count(), 2, "{got:?}");
        let got = tag("Samsung announced a new phone on Monday.");
        assert!(!got.iter().any(|m| m.0 == "Samsung" && m.1 == "ORG" && m.3 == "alias"), "{got:?}");
        let got = tag("Samsung announced a new phone. Rivals of Samsung said samsung was a typo.");
        assert!(!got.iter().any(|m| m.0 == "Samsung" && m.3 == "alias"), "{got:?}");
    }

    #[test]
    fn a_run_of_given_name_and_surname_pairs_is_a_list_of_people() {
        let text = "Present: Helen Brekke Thomas Vinter Jane K. Novakova Ruth Okafor";
        for name in ["Helen Brekke", "Thomas Vinter", "Jane K. Novakova", "Ruth Okafor"] {
            has(text, name, "PERSON");
        }
        // Not a list: a name with a middle name.
        has("Mary Ann Hollis arrived.", "Mary Ann Hollis", "PERSON");
    }

    #[test]
    fn date_line_abbreviations_are_not_names() {
        let text = "Date: Mon Feb 12 10:00:00 2024\n -- Jan Novak  Tue, 13 Feb 2024\n* Wed Jan 03 2018 Piet Smit";
        let got = tag(text);
        assert!(
            !got.iter().any(|m| m.1 == "PERSON" && ["Mon", "Tue", "Wed", "Mon Feb", "Wed Jan"].contains(&m.0.as_str())),
            "{got:?}"
        );
        has(text, "Jan Novak", "PERSON");
    }

    #[test]
    fn organisation_names_with_inner_function_words() {
        has(
            "a hearing of the Senate Committee on Fisheries and Coastal Waters today",
            "Senate Committee on Fisheries and Coastal Waters",
            "ORG",
        );
        has("guidance from the Department of Roads & Public Works on", "Department of Roads & Public Works", "ORG");
        has(
            "a ruling by the Eastland Securities and Markets Commission on",
            "Eastland Securities and Markets Commission",
            "ORG",
        );
        has(
            "members of the Timber, Paper, Printing and Allied Workers Union voted",
            "Timber, Paper, Printing and Allied Workers Union",
            "ORG",
        );
        has("a study by the University of the Western Plains found", "University of the Western Plains", "ORG");
        has("figures from the Borland Bureau of Statistics show", "Borland Bureau of Statistics", "ORG");
        has("the Mitchell Institute for Coastal Research said", "Mitchell Institute for Coastal Research", "ORG");
        // Two names joined by `and` stay two names.
        has("Qantas and Karoo Airways both cut fares", "Qantas", "ORG");
        has("Qantas and Karoo Airways both cut fares", "Karoo Airways", "ORG");
        has("The West Bank and Gaza Strip were closed.", "West Bank", "GPE");
        // `on` and a bare `the` join no names that are not organisation names.
        has("a hike up Mt Dorrel on Tuesday", "Mt Dorrel", "LOC");
        lacks("Reporters from Channel Seven the Government said", "Channel Seven the Government");
        // A person's name does not go on across `of` into an organisation.
        has("said Maria Lindqvist of Nordvik Freight Services on Monday", "Maria Lindqvist", "PERSON");
        has("said Maria Lindqvist of Nordvik Freight Services on Monday", "Nordvik Freight Services", "ORG");
    }

    #[test]
    fn known_names_keep_their_first_word() {
        has("New York and New South Wales were named.", "New York", "GPE");
        has("New York and New South Wales were named.", "New South Wales", "GPE");
        has("Los Angeles Times reporters wrote", "Los Angeles Times", "ORG");
        has("members of the Police Federation of Eastland met", "Police Federation of Eastland", "ORG");
        has("a Pakistan-based group", "Pakistan", "GPE");
    }

    #[test]
    fn labels_from_context() {
        // After a title, a one-word name is a person even when it is also a place name.
        has("Later President Bush spoke.", "Bush", "PERSON");
        has("The letter from Lord Nairobi was read.", "Nairobi", "PERSON");
        has("They met Princess Talia and Senator Okonjo.", "Talia", "PERSON");
        has("They met Princess Talia and Senator Okonjo.", "Okonjo", "PERSON");
        has("Secretary of State Colin Marsh arrived.", "Colin Marsh", "PERSON");
        has("Scientist Helen Brandt said the ice was thinning.", "Helen Brandt", "PERSON");
        has("Lieutenant-General Peter Osgood said", "Peter Osgood", "PERSON");
        has("Counsel for the board, Advocate Thandi Mokoena SC, asked", "Thandi Mokoena", "PERSON");
        // Place context, regions and particles.
        has("fighting in the Kalawar Dossa region went on", "Kalawar Dossa", "GPE");
        has("the town of Zerhat was shelled", "Zerhat", "GPE");
        has("bushfires in Queensland and Punjab", "Queensland", "GPE");
        has("Sources said Osama bin Kareem had left. Later bin Kareem was seen.", "bin Kareem", "PERSON");
        lacks("Talks began at 10:00 AEDT today.", "AEDT");
        has("He joined the Army in 1990.", "Army", "ORG");
        lacks("Will said no.", "Will");
        // An age after a name is a person; a distance after a place is not an age.
        has("The driver, Vasque, 41, was unhurt.", "Vasque", "PERSON");
        has("The clerics in Qaryat Zerhan, 50 km west of the border, met.", "Qaryat Zerhan", "GPE");
    }

    #[test]
    fn titles_of_two_words_and_abbreviated_titles() {
        // A title opener takes the next word into the title, unless it is a given name.
        has("Harlow Chief Executive Dana Pruitt spoke first.", "Dana Pruitt", "PERSON");
        lacks("Harlow Chief Executive Dana Pruitt spoke first.", "Executive Dana Pruitt");
        has("Deputy Leader Ruth Ambler and Deputy Omar Reyes arrived.", "Ruth Ambler", "PERSON");
        has("Deputy Leader Ruth Ambler and Deputy Omar Reyes arrived.", "Omar Reyes", "PERSON");
        lacks("Orders rose on Prime Day and through Prime Now.", "Day");
        lacks("Orders rose on Prime Day and through Prime Now.", "Now");
        // Abbreviated titles in the news agencies' style are not part of the name.
        has("The bill was signed by Gov. Lena Marchetti on Monday.", "Lena Marchetti", "PERSON");
        lacks("The bill was signed by Gov. Lena Marchetti on Monday.", "Gov. Lena Marchetti");
        // A party and state after a legislator's name is neither a person nor a place.
        has("Sen. Ted Cruz, R-Texas, said it was bad.", "Ted Cruz", "PERSON");
        lacks("Sen. Ted Cruz, R-Texas, said it was bad.", "R-Texas");
        // (The tokeniser keeps their stop: `Det` alone was a person.)
        has("Police said Det. Okafor led the search.", "Okafor", "PERSON");
        lacks("Police said Det. Okafor led the search.", "Det");
    }

    #[test]
    fn a_capitalised_compound_ending_in_a_head_word_heads_an_organisation() {
        has("He told the Harlow Post-Gazette on Monday.", "Harlow Post-Gazette", "ORG");
        has("She wrote for the Pittsburgh Democrat-Gazette.", "Pittsburgh Democrat-Gazette", "ORG");
    }

    #[test]
    fn a_known_name_claims_a_date_word_inside_it() {
        has("The coach said so, via USA Today, on Monday.", "USA Today", "ORG");
        lacks("The coach said so, via USA Today, on Monday.", "Today");
        has("Today the market fell.", "Today", "DATE");
    }

    #[test]
    fn a_rare_name_listed_with_a_known_organisation_is_one() {
        has("Drivers for Uber or Zumalo earned less last year.", "Zumalo", "ORG");
        has(
            "The cup is run by the International Tennis Federation and Kestrova, a group of investors.",
            "Kestrova",
            "ORG",
        );
        // Listed with places it is a place; between a place and an organisation, neither rule.
        has("Rain fell in Sydney, Launceston and Canberra.", "Launceston", "GPE");
        lacks("Talks linked Uber, Zumalo and Canberra last week.", "Zumalo");
    }

    #[test]
    fn pronoun_contractions_are_never_names() {
        // (`CEO.` reads as a title before the next sentence's first word.)
        lacks("Meet our new President and CEO. We’ve asked him about plans.", "We’ve");
        assert!(is_pronoun_contraction("They'll") && is_pronoun_contraction("I’m"));
        assert!(!is_pronoun_contraction("O'Neill") && !is_pronoun_contraction("D'Arcy"));
    }

    #[test]
    fn organisation_before_a_title_or_a_name() {
        // An organisation's name before its official's title or a person's name is its own name.
        let text = "The Coastal Fire Service Commissioner Rhys Tandy says crews are ready.";
        has(text, "Coastal Fire Service", "ORG");
        has(text, "Rhys Tandy", "PERSON");
        let text = "a forecaster with the Dunmore Weather Bureau Helen Ashby, said rain was due";
        has(text, "Dunmore Weather Bureau", "ORG");
        has(text, "Helen Ashby", "PERSON");
        // A department named in a job title.
        let text = "Deputy Defence Secretary Paul Orrin met Secretary of State Mary Vale.";
        has(text, "Defence", "ORG");
        has(text, "State", "ORG");
        has(text, "Paul Orrin", "PERSON");
        has(text, "Mary Vale", "PERSON");
        lacks("Foreign Minister Lerato Dube spoke.", "Foreign");
    }

    #[test]
    fn titles_inside_organisation_names() {
        // `General` is a title, but here it is part of a hospital's name.
        has("Two were taken to Brackwater General Hospital shortly after.", "Brackwater General Hospital", "ORG");
        // A given name after the title makes a person's name even before a head word.
        has("Later Captain Chris Hall spoke.", "Chris Hall", "PERSON");
    }

    #[test]
    fn more_organisation_heads_and_kinds() {
        has("a study by the Norland Polar Survey found", "Norland Polar Survey", "ORG");
        has("Palestinian Authorities said they had detained suspects.", "Palestinian Authorities", "ORG");
        has("after the Eastland Cabinet approved the plan", "Eastland Cabinet", "ORG");
        // A kind of organisation written before its name.
        has("Meanwhile, forecasting firm Vantor Shrapnel says rates will stay low.", "Vantor Shrapnel", "ORG");
        has("shares in the insurer Kalder Mutual fell", "Kalder Mutual", "ORG");
        // A person's name is not taken for an organisation after such a noun.
        has("the company Anna Keller founded", "Anna Keller", "PERSON");
    }

    #[test]
    fn possessives_and_pairs_inside_organisation_names() {
        has("Marlow County Sheriff's Department said in a statement", "Marlow County Sheriff's Department", "ORG");
        has("the leader of the People's Unity Party was elected", "People's Unity Party", "ORG");
        // A person's or a place's possessive starts no organisation name.
        has("He said Mr Lund's Freight Company would win.", "Freight Company", "ORG");
        has("Kenya's Council of Ministers met.", "Kenya", "GPE");
        has("Kenya's Council of Ministers met.", "Council of Ministers", "ORG");
        // After a singular kind noun, `X and Y` is one firm; after a plural, two.
        has("a report by accountancy firm Brandt and Okafor on the merger", "Brandt and Okafor", "ORG");
        lacks("the companies Brandt and Okafor merged", "Brandt and Okafor");
    }

    #[test]
    fn organisation_words_before_a_title_open_the_name_at_a_sentence_start() {
        has("Defence Secretary Paul Orrin spoke.", "Defence", "ORG");
        has("Federal Employment Services Minister Mal Brough says so.", "Federal Employment Services", "ORG");
    }

    #[test]
    fn head_words_before_of_and_prefixed_words_inside_names() {
        has("members of the Islamic Movement of Eastland were held", "Islamic Movement of Eastland", "ORG");
        has("a loan from the Royal Bank of Norland fell due", "Royal Bank of Norland", "ORG");
        has(
            "a report by the Organisation for Regional Co-operation and Development said",
            "Organisation for Regional Co-operation and Development",
            "ORG",
        );
    }

    #[test]
    fn nationality_or_place_before_a_person() {
        let text = "Okafor beat fellow Kenyan Peter Mwangi in the final.";
        has(text, "Kenyan", "NORP");
        has(text, "Peter Mwangi", "PERSON");
        let text = "the former ambassador to Ghana Kwame Boateng told reporters";
        has(text, "Ghana", "GPE");
        has(text, "Kwame Boateng", "PERSON");
    }

    #[test]
    fn rare_names_listed_with_places_are_places() {
        let text = "Flights go to Nairobi, Mombasa, Kerrowby and Kisumu.";
        has(text, "Kerrowby", "GPE");
        has("the coastal suburbs of Tarnell and Wexmoor were hit", "Wexmoor", "GPE");
        // Acronyms and given names in such a list are left to their own rules.
        has("Kenya and NATO agreed.", "NATO", "ORG");
        has("Kenya and Sarah agreed.", "Sarah", "PERSON");
        lacks("In Nairobi, Zorbix waited.", "Zorbix");
    }

    #[test]
    fn stances_and_political_groups() {
        has("Hundreds of anti-Taliban troops searched the hills.", "anti-Taliban", "NORP");
        has("a crowd of pro-Kenyan marchers", "pro-Kenyan", "NORP");
        lacks("an anti-inflation plan", "anti-inflation");
        has("a senator from the Greens won the seat", "Greens", "NORP");
    }

    #[test]
    fn the_model_labels_weak_decisions_and_leaves_strong_ones() {
        // Two rare capitalised words before `board`: the rules have only the run's shape, the
        // model reads the context as a company's.
        let text = "The Qarvell Dynamics board met on Monday.";
        let got = tag(text);
        assert!(got.iter().any(|m| m.0 == "Qarvell Dynamics" && m.1 == "ORG" && m.3 == "model"), "{got:?}");
        let rules_only = Tagger::builtin(TaggerConfig { model: false, ..TaggerConfig::default() }).tag(text);
        assert!(rules_only.iter().all(|m| m.source != Source::Model), "{rules_only:?}");
        // Head words, place contexts and gazetteer entries keep the rules' label.
        has("fire crews at the Kestrel Hotel were praised", "Kestrel Hotel", "FAC");
        has("residents of Orlick Bay fled", "Orlick Bay", "LOC");
        has("He flew to Perth and later joined Corvel Mining.", "Corvel Mining", "ORG");
        assert!(Source::Shape.overridable() && !Source::Context.overridable() && !Source::Gazetteer.overridable());
    }

    #[test]
    fn wire_copy_in_capitals() {
        // A wire headline and dateline in capitals: places of several words are looked up
        // ignoring case, words of the headline are no acronyms (a bracketed ticker is), and a
        // month abbreviation in capitals is part of the date.
        let text = "HARBOUR FERRIES <HFL> CUTS WINTER FARES TO SAUDI ARABIA\n\
                    NEW YORK, FEB 26 - Harbour Ferries Ltd said it cut its fares.";
        has(text, "NEW YORK", "GPE");
        has(text, "SAUDI ARABIA", "GPE");
        has(text, "HFL", "ORG");
        for w in ["YORK", "FEB", "WINTER", "FARES", "CUTS", "ARABIA"] {
            lacks(text, w);
        }
        // A short acronym that is no frequent word stays one; a month in capitals only
        // before a number is a date's.
        has("PLEASE CONTACT THE IRS FOR THE FORMS", "IRS", "ORG");
        has("In 1987 DEC sold 40,000 computers.", "DEC", "ORG");
        let text = "ZAMBIA COPPER MINERS WIN PAY RISE\nLUSAKA, March 3 - The miners said they won.";
        has(text, "ZAMBIA", "GPE");
        has(text, "LUSAKA", "GPE");
        lacks(text, "COPPER");
        // Names inside a run of capitals.
        let text = "BRITISH AIRWAYS SEES KENYA ROUTE GROWTH\nLONDON, March 3 - The airline said so.";
        has(text, "BRITISH AIRWAYS", "ORG");
        has(text, "KENYA", "GPE");
        // Outside a headline in capitals, a stand-alone acronym is still one.
        has("The rules were set by the FSRB last year.", "FSRB", "ORG");
    }

    #[test]
    fn a_us_state_after_a_city_and_a_comma() {
        // The abbreviation and the city before it are places; the abbreviation keeps its stop.
        let text = "He grew up in Lowbridge, Tex., and worked in Kestrel Falls, N.M., in 1990.";
        has(text, "Lowbridge", "GPE");
        has(text, "Tex.", "GPE");
        has(text, "Kestrel Falls", "GPE");
        has(text, "N.M.", "GPE");
        // A known given name as the city's name too (`Jackson, Miss.`).
        has("The plant is in Jackson, Miss., near the river.", "Jackson", "GPE");
        // An organisation's name before the state stays one; alone, the abbreviation is
        // another word (`Miss.` a title).
        has("Kestrel Mining Co, Nev., said it would sell.", "Kestrel Mining Co", "ORG");
        lacks("Miss. Okafor said the plan was sound.", "Miss.");
        // Without evidence of a city, no place: a person's name before post-nominal letters,
        // a list, a form of address; and a stop that ends the sentence stays a stop.
        has("The clinic is run by Jane Okafor, D.C., who opened it.", "Jane Okafor", "PERSON");
        lacks("Results: Jane Okafor, Ind., 1,204 votes", "Ind.");
        lacks("\"Yes, Miss.\"", "Miss.");
        has("He was born in Lowbridge, Tex. Meredith moved there later.", "Meredith", "PERSON");
    }

    #[test]
    fn labels_subset_and_layers_off() {
        let cfg = TaggerConfig { labels: vec![Label::Gpe], ..TaggerConfig::default() };
        let got = Tagger::builtin(cfg).tag("Anna Keller flew to Kenya on Monday.");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].label, Label::Gpe);
        let cfg = TaggerConfig { gazetteers: false, ..TaggerConfig::default() };
        let got = Tagger::builtin(cfg).tag("She flew to Kenya on Monday.");
        assert!(got.iter().all(|m| m.label != Label::Gpe), "{got:?}");
    }
}
