//! Gazetteers: lists of known names compiled into one Aho-Corasick automaton.
//!
//! The built-in lists (see `data/SOURCES.md`) hold countries and their short forms, capitals
//! and large cities, US states, the first-level regions of every country, physical places,
//! nationalities and demonyms, religious and political groups, international organisations,
//! and companies, news media, agencies, intelligence services, rights groups, militant and
//! political movements, parties and airlines. Users add their
//! own TSV files (`surface<TAB>label<TAB>canonical`); a later entry for the same surface
//! replaces an earlier one, so user lists override the built-in ones.
//!
//! Matching is case-sensitive (a capitalised `Nice` is a city, `nice` is not) and only at
//! word boundaries; all-caps text (datelines such as `KRAKÓW -`) is looked up separately
//! through [`Gazetteer::lookup_upper`]. The same module holds the given-name and
//! common-word lists that the capitalisation rules consult.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use foldhash::fast::FixedState;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// An entity label (the OntoNotes 5 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// People, including surnames alone.
    Person,
    /// Nationalities, religious and political groups.
    Norp,
    /// Buildings, airports, roads, bridges.
    Fac,
    /// Companies, agencies, institutions.
    Org,
    /// Countries, cities, states.
    Gpe,
    /// Non-GPE locations: regions, seas, rivers, mountains.
    Loc,
    /// Named events.
    Event,
    /// Named laws, treaties, conventions.
    Law,
    /// Dates and periods of a day or more.
    Date,
    /// Times of day and periods under a day.
    Time,
    /// Percentages.
    Percent,
    /// Monetary amounts.
    Money,
    /// Measured amounts with units.
    Quantity,
    /// `first`, `second`, `3rd`.
    Ordinal,
    /// Other numerals.
    Cardinal,
}

/// Every label, in documentation order.
pub const ALL_LABELS: &[Label] = &[
    Label::Person,
    Label::Norp,
    Label::Fac,
    Label::Org,
    Label::Gpe,
    Label::Loc,
    Label::Event,
    Label::Law,
    Label::Date,
    Label::Time,
    Label::Percent,
    Label::Money,
    Label::Quantity,
    Label::Ordinal,
    Label::Cardinal,
];

impl Label {
    /// The OntoNotes name.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Person => "PERSON",
            Label::Norp => "NORP",
            Label::Fac => "FAC",
            Label::Org => "ORG",
            Label::Gpe => "GPE",
            Label::Loc => "LOC",
            Label::Event => "EVENT",
            Label::Law => "LAW",
            Label::Date => "DATE",
            Label::Time => "TIME",
            Label::Percent => "PERCENT",
            Label::Money => "MONEY",
            Label::Quantity => "QUANTITY",
            Label::Ordinal => "ORDINAL",
            Label::Cardinal => "CARDINAL",
        }
    }

    /// Parses an OntoNotes name (case-insensitive).
    pub fn parse(s: &str) -> Option<Label> {
        // The spans' own spelling first: the stage reads every span's label this way, twice
        // (sharding key, then decision), so the common case skips trimming and case folding.
        if let Some(&label) = ALL_LABELS.iter().find(|l| l.as_str() == s) {
            return Some(label);
        }
        let s = s.trim();
        ALL_LABELS.iter().copied().find(|l| l.as_str().eq_ignore_ascii_case(s))
    }

    /// Names, groups and places (as opposed to numeric and temporal labels).
    pub fn is_name(self) -> bool {
        matches!(
            self,
            Label::Person | Label::Norp | Label::Fac | Label::Org | Label::Gpe | Label::Loc | Label::Event | Label::Law
        )
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As its OntoNotes name (`"PERSON"`), as in the spans.
impl serde::Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// From its OntoNotes name, as [`Label::parse`] reads it.
impl<'de> serde::Deserialize<'de> for Label {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Label::parse(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown entity label `{name}`")))
    }
}

/// One gazetteer entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The label it gives.
    pub label: Label,
    /// The canonical name.
    pub canonical: String,
}

/// A gazetteer match in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Index into [`Gazetteer::entry`].
    pub entry: usize,
}

/// An error in a user gazetteer file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GazetteerError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for GazetteerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

const GEO: &str = include_str!("../data/geo.tsv");
const REGIONS: &str = include_str!("../data/regions.tsv");
const ORGS: &str = include_str!("../data/orgs.tsv");
const COMPANIES: &str = include_str!("../data/companies.tsv");
const ORGS_MANUAL: &str = include_str!("../data/orgs-manual.tsv");
const MANUAL: &str = include_str!("../data/manual.tsv");
const NORP: &str = include_str!("../data/norp.txt");
const GIVEN: &str = include_str!("../data/given-names.txt");
const GIVEN_INTL: &str = include_str!("../data/given-names-intl.txt");
const COMMON: &str = include_str!("../data/common-words.txt");

/// Builder collecting entries before the automaton is compiled.
#[derive(Debug, Default, Clone)]
pub struct GazetteerBuilder {
    entries: BTreeMap<String, Entry>,
    builtin: bool,
}

impl GazetteerBuilder {
    /// An empty builder (no built-in lists).
    pub fn new() -> Self {
        GazetteerBuilder::default()
    }

    /// A builder holding the built-in lists.
    pub fn with_builtin() -> Self {
        let mut b = GazetteerBuilder { entries: BTreeMap::new(), builtin: true };
        // Built-in files are checked by tests; a malformed line is skipped, never a panic.
        // Later lists override earlier ones: the generated region and organisation lists
        // first, then GeoNames, then the hand-written lists.
        let _ = b.add_tsv(REGIONS);
        let _ = b.add_tsv(COMPANIES);
        let _ = b.add_tsv(ORGS);
        let _ = b.add_tsv(GEO);
        let _ = b.add_tsv(MANUAL);
        let _ = b.add_tsv(ORGS_MANUAL);
        for line in data_lines(NORP) {
            let mut forms = line.split('=').map(str::trim).filter(|s| !s.is_empty());
            let Some(canonical) = forms.next() else { continue };
            let all: Vec<&str> = std::iter::once(canonical).chain(forms).collect();
            for form in all {
                b.add(form, Label::Norp, canonical);
                if let Some(plural) = norp_plural(form)
                    && !b.entries.contains_key(&plural)
                {
                    b.add(&plural, Label::Norp, &plural);
                }
            }
        }
        b
    }

    /// Adds one entry (replacing an earlier one with the same surface).
    pub fn add(&mut self, surface: &str, label: Label, canonical: &str) {
        let surface = surface.trim();
        if surface.is_empty() {
            return;
        }
        let canonical = if canonical.trim().is_empty() { surface } else { canonical.trim() };
        self.entries.insert(surface.to_owned(), Entry { label, canonical: canonical.to_owned() });
    }

    /// Adds the entries of a TSV text: `surface<TAB>label[<TAB>canonical]`; `#` comments and
    /// blank lines are skipped.
    pub fn add_tsv(&mut self, text: &str) -> Result<usize, GazetteerError> {
        let mut n = 0;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let mut cols = line.split('\t');
            let surface = cols.next().unwrap_or("").trim();
            let label = cols.next().unwrap_or("").trim();
            let canonical = cols.next().unwrap_or("").trim();
            if surface.is_empty() {
                return Err(GazetteerError { line: i + 1, message: "empty surface form".into() });
            }
            let Some(label) = Label::parse(label) else {
                return Err(GazetteerError {
                    line: i + 1,
                    message: format!(
                        "unknown label `{label}` (expected one of {}; columns are separated by tabs)",
                        ALL_LABELS.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                });
            };
            self.add(surface, label, canonical);
            n += 1;
        }
        Ok(n)
    }

    /// Compiles the automaton.
    pub fn build(self) -> Gazetteer {
        let mut surfaces = Vec::with_capacity(self.entries.len());
        let mut entries = Vec::with_capacity(self.entries.len());
        let mut upper = Map::with_capacity_and_hasher(self.entries.len(), FixedState::default());
        let mut exact = Map::with_capacity_and_hasher(self.entries.len(), FixedState::default());
        for (surface, entry) in self.entries {
            upper.entry(surface.to_uppercase()).or_insert(entries.len());
            exact.insert(surface.clone(), entries.len());
            surfaces.push(surface);
            entries.push(entry);
        }
        let automaton = AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).build(&surfaces).ok();
        let mut given = Set::default();
        if self.builtin {
            for line in data_lines(GIVEN).chain(data_lines(GIVEN_INTL)) {
                for name in line.split_whitespace() {
                    given.insert(name.to_owned());
                }
            }
        }
        let mut common = Set::default();
        let mut words = Set::default();
        for w in data_lines(COMMON) {
            words.insert(w.to_owned());
            let cap = capitalise(w);
            // A word that is also a name or a place is not evidence against a name.
            if !given.contains(&cap) && !upper.contains_key(&w.to_uppercase()) {
                common.insert(w.to_owned());
            }
        }
        Gazetteer { automaton, entries, upper, exact, given, common, words }
    }
}

/// Look-up tables of the compiled gazetteer, hashed with `foldhash` (they are never iterated,
/// so the hasher cannot change an output; std's SipHash was a visible share of tagging time).
type Map<V> = HashMap<String, V, FixedState>;
/// See [`Map`].
type Set = HashSet<String, FixedState>;

/// The compiled gazetteer.
#[derive(Debug)]
pub struct Gazetteer {
    automaton: Option<AhoCorasick>,
    entries: Vec<Entry>,
    upper: Map<usize>,
    exact: Map<usize>,
    given: Set,
    common: Set,
    /// Every frequent word, names and places included (`may`, `labor`, `victoria`).
    words: Set,
}

impl Gazetteer {
    /// The built-in gazetteer, compiled once per process.
    pub fn builtin() -> &'static Gazetteer {
        static G: std::sync::OnceLock<Gazetteer> = std::sync::OnceLock::new();
        G.get_or_init(|| GazetteerBuilder::with_builtin().build())
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry behind a match.
    pub fn entry(&self, i: usize) -> Option<&Entry> {
        self.entries.get(i)
    }

    /// Every match in `text` that starts and ends on a word boundary, left to right, longest
    /// first, not overlapping.
    pub fn find(&self, text: &str) -> Vec<Match> {
        let Some(ac) = &self.automaton else { return Vec::new() };
        let mut out = Vec::new();
        for m in ac.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            let before = text[..s].chars().next_back();
            let after = text[e..].chars().next();
            let ends_dot = text[..e].ends_with('.');
            if before.is_some_and(char::is_alphanumeric)
                || after.is_some_and(|c| {
                    c.is_alphanumeric() || (!ends_dot && c == '.' && text[e + 1..].starts_with(char::is_alphanumeric))
                })
                || after.is_some_and(|c| c == '-')
                    && text[e + 1..].starts_with(char::is_alphanumeric)
                    && !crate::tokens::splits_at_hyphen(text, s, e)
                || before == Some('-') && s >= 2 && text[..s - 1].ends_with(char::is_alphanumeric)
            {
                continue;
            }
            out.push(Match { start: s, end: e, entry: m.pattern().as_usize() });
        }
        out
    }

    /// Looks up an upper-case surface (`NAIROBI`, `KRAKÓW`) ignoring case.
    pub fn lookup_upper(&self, surface: &str) -> Option<&Entry> {
        self.upper.get(&surface.to_uppercase()).and_then(|&i| self.entries.get(i))
    }

    /// Looks up an exact surface.
    pub fn lookup(&self, surface: &str) -> Option<&Entry> {
        self.exact.get(surface).and_then(|&i| self.entries.get(i))
    }

    /// True when `word` (as written, capitalised) is a known given name.
    pub fn is_given_name(&self, word: &str) -> bool {
        self.given.contains(word) || (word.chars().count() > 1 && recased_contains(&self.given, word, true))
    }

    /// True when the lower-case form of `word` is a frequent English word, even one that is
    /// also a name or a place (`May`, `Labor`).
    pub fn is_word(&self, word: &str) -> bool {
        recased_contains(&self.words, word, false)
    }

    /// True when the lower-case form of `word` is a frequent English word that is not also a
    /// name or a place.
    pub fn is_common(&self, word: &str) -> bool {
        if word.bytes().all(|b| b.is_ascii_lowercase()) {
            return self.common.contains(word);
        }
        recased_contains(&self.common, word, false)
    }
}

/// Looks `word` up in lower case (`capital`: with its first letter upper case), without
/// allocating for the short ASCII words that make up nearly every look-up.
fn recased_contains(set: &Set, word: &str, capital: bool) -> bool {
    let mut buf = [0u8; 32];
    if word.is_ascii()
        && let Some(b) = buf.get_mut(..word.len())
    {
        b.copy_from_slice(word.as_bytes());
        b.make_ascii_lowercase();
        if capital && let Some(first) = b.first_mut() {
            first.make_ascii_uppercase();
        }
        return std::str::from_utf8(b).is_ok_and(|w| set.contains(w));
    }
    let low = word.to_lowercase();
    if capital { set.contains(&capitalise(&low)) } else { set.contains(&low) }
}

/// Lines of a data file without comments and blank lines.
fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// `kenya` → `Kenya`.
pub fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Plural of a demonym or group noun used as a noun (`Kenyans`, `Omanis`, `Muslims`).
fn norp_plural(form: &str) -> Option<String> {
    let last = form.rsplit(' ').next().unwrap_or(form);
    let no_plural = ["s", "sh", "ch", "ese", "x", "z", "ic"].iter().any(|suf| last.ends_with(suf))
        && !matches!(last, "Catholic" | "Arabic");
    (!no_plural).then(|| format!("{form}s"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_in_any_case_and_cross_json_by_name() {
        for &label in ALL_LABELS {
            assert_eq!(Label::parse(label.as_str()), Some(label));
            assert_eq!(Label::parse(&format!(" {} ", label.as_str().to_lowercase())), Some(label));
            let json = serde_json::to_string(&label).unwrap();
            assert_eq!(json, format!("\"{}\"", label.as_str()));
            assert_eq!(serde_json::from_str::<Label>(&json).unwrap(), label);
        }
        assert_eq!(Label::parse("PERSONS"), None);
        let err = serde_json::from_str::<Label>("\"NOPE\"").unwrap_err();
        assert!(err.to_string().contains("unknown entity label `NOPE`"), "{err}");
    }

    #[test]
    fn builtin_lists_parse_and_cover_the_basics() {
        let g = Gazetteer::builtin();
        assert!(g.len() > 5000, "{}", g.len());
        for (surface, label) in [
            ("Kenya", Label::Gpe),
            ("Nairobi", Label::Gpe),
            ("U.S.", Label::Gpe),
            ("Kenyan", Label::Norp),
            ("Kenyans", Label::Norp),
            ("Muslims", Label::Norp),
            ("East Africa", Label::Loc),
            ("World Bank", Label::Org),
        ] {
            assert_eq!(g.lookup(surface).map(|e| e.label), Some(label), "{surface}");
        }
        assert_eq!(g.lookup_upper("NAIROBI").map(|e| e.canonical.as_str()), Some("Nairobi"));
        assert!(g.is_given_name("Anna") && g.is_given_name("Kwame") && !g.is_given_name("Levy"));
        assert!(g.is_common("Officials") && g.is_common("the") && !g.is_common("Kenya"));
        // Every built-in TSV line is well formed.
        for text in [GEO, MANUAL, REGIONS, COMPANIES, ORGS, ORGS_MANUAL] {
            assert!(GazetteerBuilder::new().add_tsv(text).is_ok());
        }
    }

    #[test]
    fn matches_only_whole_words_case_sensitively() {
        let g = Gazetteer::builtin();
        let text = "Kenyan traders in Kenya, not kenya or Kenyaland; in the U.S. too";
        let found: Vec<&str> = g.find(text).iter().map(|m| &text[m.start..m.end]).collect();
        assert_eq!(found, ["Kenyan", "Kenya", "U.S."]);
    }

    #[test]
    fn user_entries_override_and_errors_name_the_line() {
        let mut b = GazetteerBuilder::with_builtin();
        b.add_tsv("# mine\nAcme Widgets\tORG\tAcme Widgets Ltd\nKenya\tLOC\t\n").unwrap();
        let g = b.build();
        assert_eq!(g.lookup("Acme Widgets").map(|e| e.canonical.as_str()), Some("Acme Widgets Ltd"));
        assert_eq!(g.lookup("Kenya").map(|e| e.label), Some(Label::Loc));
        let err = GazetteerBuilder::new().add_tsv("ok\tORG\nbad line\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("unknown label"));
    }
}
