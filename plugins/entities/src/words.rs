//! Closed word classes the context rules consult: titles, organisation and place heads,
//! speech verbs, name particles. Written by hand; general English news usage, not fitted
//! to any corpus.
//!
//! The words live in `data/words/*.txt`, one per line under a header comment that says what
//! the class is for and where it comes from. They are embedded with `include_str!` and
//! parsed into hash sets once per process, the first time any class is consulted (about
//! 1 200 words: a few tens of microseconds), so building or checking a pipeline costs
//! nothing. A look-up hashes the word once instead of scanning a list.

use std::collections::HashSet;
use std::sync::LazyLock;

use foldhash::fast::FixedState;

/// A word set with a fast hasher; membership only, so the seed does not matter.
type WordSet = HashSet<&'static str, FixedState>;

/// Declares the word classes: one variant and one constant per data file.
macro_rules! word_classes {
    ($($(#[$doc:meta])* $konst:ident = $variant:ident, $file:literal;)*) => {
        /// A closed word class read from `data/words/`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum WordClass {
            $($(#[$doc])* $variant,)*
        }

        impl WordClass {
            /// Every class, in declaration order (the order of [`CLASSES`]).
            const ALL: &[WordClass] = &[$(WordClass::$variant,)*];

            /// The embedded data file.
            fn data(self) -> &'static str {
                match self {
                    $(WordClass::$variant => include_str!(concat!("../data/words/", $file)),)*
                }
            }

            /// The data file's name under `data/words/`.
            #[cfg(test)]
            fn file(self) -> &'static str {
                match self {
                    $(WordClass::$variant => $file,)*
                }
            }
        }

        $($(#[$doc])* pub const $konst: WordClass = WordClass::$variant;)*
    };
}

word_classes! {
    /// Titles and honorifics written before a person's name (`Minister X`, `Dr. X`).
    TITLES = Titles, "titles.txt";
    /// Titles that open a two-word title (`Chief Executive`, `Prime Minister`, `Deputy Leader`):
    /// the word after one belongs to the title unless it is a given name.
    TITLE_OPENERS = TitleOpeners, "title-openers.txt";
    /// Lower-case role words before a name (`analyst Jane Doe`, `lawyer Piotr Nowak`).
    ROLE_NOUNS = RoleNouns, "role-nouns.txt";
    /// Last words that make a name an organisation.
    ORG_HEADS = OrgHeads, "org-heads.txt";
    /// Head words that close an institution's name: a name ending in one is complete, so it is
    /// not joined to the next across `and` (`Securities and Investments Commission` is one name,
    /// `Qantas Group and Ansett Airlines` two).
    INSTITUTION_HEADS = InstitutionHeads, "institution-heads.txt";
    /// First words that make a name an organisation when followed by `of` / `for`.
    ORG_FIRST = OrgFirst, "org-first.txt";
    /// Last words of facility names.
    FAC_HEADS = FacHeads, "fac-heads.txt";
    /// Last words of non-GPE locations.
    LOC_HEADS = LocHeads, "loc-heads.txt";
    /// First words of non-GPE locations (`Lake Victoria`, `Mount Kenya`).
    LOC_FIRST = LocFirst, "loc-first.txt";
    /// Last words of geopolitical names (`Mexico City`, `Rift Valley Province`).
    GPE_HEADS = GpeHeads, "gpe-heads.txt";
    /// Last words of named events.
    EVENT_HEADS = EventHeads, "event-heads.txt";
    /// Last words of named laws, treaties and documents.
    LAW_HEADS = LawHeads, "law-heads.txt";
    /// Verbs that attribute speech or writing (`X said`, `said X`, `told X`).
    SPEECH_VERBS = SpeechVerbs, "speech-verbs.txt";
    /// Words joining parts of one name (`Bank of Ghana`, `Dar es Salaam`, `Ludwig van Beethoven`).
    CONNECTORS = Connectors, "connectors.txt";
    /// Lower-case particles that open a surname written without the given name (`bin Laden`,
    /// `van Gogh`, `de Klerk`) or a name (`al Qaeda`).
    NAME_PARTICLES = NameParticles, "name-particles.txt";
    /// Institutions named by one capitalised word inside a sentence (`the Army said`).
    INSTITUTIONS = Institutions, "institutions.txt";
    /// Prepositions before a place that the shape of an unknown name may not override.
    PLACE_PREPOSITIONS = PlacePrepositions, "place-prepositions.txt";
    /// Lower-case nouns after a place name (`the Tora Bora region`, `Helmand province`).
    PLACE_NOUNS = PlaceNouns, "place-nouns.txt";
    /// Name particles glued with a hyphen (`al-Harthi`, `el-Sayed`): prefixes, see
    /// [`WordClass::words`].
    PARTICLES = HyphenParticles, "hyphen-particles.txt";
    /// Acronyms that are not organisations.
    NOT_ORG_ACRONYMS = NotOrgAcronyms, "not-org-acronyms.txt";
    /// Sentence-initial words that are never names even when not in the common-word list.
    NEVER_NAMES = NeverNames, "never-names.txt";
    /// Role nouns that open a run written with a capital at a sentence start (`Scientist X`);
    /// the lower-case role nouns of [`ROLE_NOUNS`] count too (see [`is_role_noun`]).
    MORE_ROLE_NOUNS = MoreRoleNouns, "role-nouns-capitalised.txt";
    /// Letters written after a person's name (honours, ranks at the bar, seats).
    POST_NOMINALS = PostNominals, "post-nominals.txt";
    /// Weekday and month abbreviations (`Mon`, `Feb`) in date lines.
    DATE_ABBREVIATIONS = DateAbbreviations, "date-abbreviations.txt";
    /// Given names that are also English words: alone, they are no evidence of a person.
    WORD_NAMES = WordNames, "word-names.txt";
    /// Lower-case nouns for a kind of organisation written before its name (`firm X`,
    /// `the airline X`).
    ORG_NOUNS = OrgNouns, "org-nouns.txt";
    /// Departments named inside a job title that are organisations (`Secretary of State`,
    /// `Defence Minister`).
    PORTFOLIO_ORGS = PortfolioOrgs, "portfolio-orgs.txt";
}

/// One parsed class: its words in file order and the set that is searched.
struct Class {
    words: Vec<&'static str>,
    set: WordSet,
}

/// The entry lines of a data file: trimmed, without blank and `#` comment lines.
fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Every class, parsed on first use, indexed by `WordClass as usize`.
static CLASSES: LazyLock<Vec<Class>> = LazyLock::new(|| {
    WordClass::ALL
        .iter()
        .map(|c| {
            let words: Vec<&'static str> = data_lines(c.data()).collect();
            let set = words.iter().copied().collect();
            Class { words, set }
        })
        .collect()
});

/// [`ROLE_NOUNS`] and [`MORE_ROLE_NOUNS`] in ASCII lower case, for [`is_role_noun`].
static ROLE_NOUNS_LOWER: LazyLock<HashSet<String, FixedState>> = LazyLock::new(|| {
    ROLE_NOUNS.words().iter().chain(MORE_ROLE_NOUNS.words()).map(|w| w.to_ascii_lowercase()).collect()
});

impl WordClass {
    fn class(self) -> Option<&'static Class> {
        CLASSES.get(self as usize)
    }

    /// Whether `w` is in the class (exact, case-sensitive).
    pub fn contains(self, w: &str) -> bool {
        self.class().is_some_and(|c| c.set.contains(w))
    }

    /// The words in file order.
    pub fn words(self) -> &'static [&'static str] {
        self.class().map_or(&[], |c| &c.words)
    }
}

/// Something a word is looked up in: a [`WordClass`] or a plain list.
pub trait Lookup {
    /// Whether `w` is in it (exact, case-sensitive).
    fn has(&self, w: &str) -> bool;
}

impl Lookup for WordClass {
    fn has(&self, w: &str) -> bool {
        self.contains(w)
    }
}

impl Lookup for &[&str] {
    fn has(&self, w: &str) -> bool {
        self.contains(&w)
    }
}

/// Membership test.
pub fn is_in(list: impl Lookup, w: &str) -> bool {
    list.has(w)
}

/// A title, or a compound of titles (`Lieutenant-General`, `Vice-Admiral`).
pub fn is_title(w: &str) -> bool {
    // Every title starts with an ASCII capital.
    if !w.as_bytes().first().is_some_and(u8::is_ascii_uppercase) {
        return false;
    }
    is_in(TITLES, w) || (w.contains('-') && w.split('-').all(|p| is_in(TITLES, p) || matches!(p, "Vice" | "Brigadier")))
}

/// A role noun of [`ROLE_NOUNS`] or [`MORE_ROLE_NOUNS`], ignoring ASCII case (`Scientist`,
/// `LAWYER`).
pub fn is_role_noun(w: &str) -> bool {
    // Role nouns are short: lower-case on the stack, allocate only for a long word.
    let mut buf = [0u8; 32];
    match buf.get_mut(..w.len()) {
        Some(out) => {
            out.copy_from_slice(w.as_bytes());
            out.make_ascii_lowercase();
            std::str::from_utf8(out).is_ok_and(|l| ROLE_NOUNS_LOWER.contains(l))
        }
        None => ROLE_NOUNS_LOWER.contains(&w.to_ascii_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_a_documented_data_file() {
        for &c in WordClass::ALL {
            let text = c.data();
            assert!(text.starts_with("# "), "data/words/{}: starts with a header comment", c.file());
            assert!(text.contains("Source: "), "data/words/{}: the header names the source", c.file());
            assert!(!c.words().is_empty(), "data/words/{}: has words", c.file());
        }
    }

    #[test]
    fn entries_are_single_trimmed_words_without_duplicates() {
        for &c in WordClass::ALL {
            let mut seen = std::collections::HashSet::new();
            for w in c.words() {
                assert!(seen.insert(*w), "data/words/{}: `{w}` twice", c.file());
                // `Grand Prix` (event heads) is the one entry with a space.
                assert!(!w.contains(char::is_whitespace) || *w == "Grand Prix", "data/words/{}: `{w}`", c.file());
            }
        }
    }

    #[test]
    fn look_ups() {
        assert!(is_in(ORG_HEADS, "Ministry") || is_in(ORG_FIRST, "Ministry"));
        assert!(is_in(NOT_ORG_ACRONYMS, "AEDT"));
        assert!(!is_in(NOT_ORG_ACRONYMS, "aedt"));
        assert!(is_in(&["a", "b"][..], "b"));
        assert!(is_title("Lieutenant-General") && is_title("Vice-Admiral") && !is_title("minister"));
        // A title opener is a title itself (`Chief Bob Iger`, with a given name after it).
        assert!(TITLE_OPENERS.words().iter().all(|w| is_title(w)));
        assert!(is_role_noun("Scientist") && is_role_noun("LAWYER") && is_role_noun("analyst"));
        assert!(!is_role_noun("Keller") && !is_role_noun(&"x".repeat(40)));
        assert_eq!(PARTICLES.words().first(), Some(&"al-"));
    }
}
