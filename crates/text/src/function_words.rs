//! Function words (stop words), one list per use.
//!
//! Four stages each tuned their own list for their own question, so the lists overlap (59
//! words are in all four) but are not interchangeable; merging them changes summaries,
//! story boundaries, glued-word repairs and entity spans. Each list states what it is for:
//!
//! - [`STOP_WORDS`]: the Snowball English stop words plus `will` (175 words, with
//!   contractions): words that carry no weight in the summariser's term vectors.
//! - [`TOPIC_STOP_WORDS`]: 85 words of three letters or more that carry no topic in the
//!   splitter's story-change signal; beyond Snowball it holds modal verbs (`can`, `may`,
//!   `must`, `shall`), reporting verbs (`said`, `says`, `told`) and `year(s)`, `one`, `now`,
//!   `just`, `also`, `whose`, because every news story uses them.
//! - [`OTHER_TOPIC_STOP_WORDS`]: the same for German, French, Spanish, Italian, Portuguese,
//!   Dutch and Polish text (356 words).
//! - [`GLUE_FUNCTION_WORDS`]: 152 closed-class words and reporting verbs (`added`,
//!   `warned`, `tells`) that typically form the right-hand side of a glued word in
//!   normalise (`Doe|has`, `report|says`); it adds prepositions and conjunctions Snowball
//!   lacks (`across`, `although`, `whether`, `within`).
//! - [`CAPITALISED_NON_NAMES`]: 135 capitalised words that are no evidence of a name for
//!   the entity tagger; besides function words it holds sentence openers of news (`New`,
//!   `Top`, `Key`, `Dear`, `Please`, `Thanks`).
//!
//! Stop-word lookups ([`is_stop_word`], [`is_stop_hash`]) go through [`STOP_WORDS`].

use crate::hash::{FastHashSet, word_hash};

/// English stop words: the Snowball English stop word list (Martin Porter, BSD-3-Clause),
/// as listed in `SOURCES.md`, plus `will`. Sorted, for binary
/// search.
#[rustfmt::skip]
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "aren't", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can't", "cannot", "could",
    "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't", "down", "during", "each", "few", "for",
    "from", "further", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "he'd", "he'll", "he's",
    "her", "here", "here's", "hers", "herself", "him", "himself", "his", "how", "how's", "i", "i'd", "i'll", "i'm",
    "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its", "itself", "let's", "me", "more", "most",
    "mustn't", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other", "ought", "our",
    "ours", "ourselves", "out", "over", "own", "same", "shan't", "she", "she'd", "she'll", "she's", "should",
    "shouldn't", "so", "some", "such", "than", "that", "that's", "the", "their", "theirs", "them", "themselves",
    "then", "there", "there's", "these", "they", "they'd", "they'll", "they're", "they've", "this", "those",
    "through", "to", "too", "under", "until", "up", "very", "was", "wasn't", "we", "we'd", "we'll", "we're", "we've",
    "were", "weren't", "what", "what's", "when", "when's", "where", "where's", "which", "while", "who", "who's",
    "whom", "why", "why's", "will", "with", "won't", "would", "wouldn't", "you", "you'd", "you'll", "you're",
    "you've", "your", "yours", "yourself", "yourselves",
];

/// Function words, reporting verbs and other words that carry no topic: left out of the
/// splitter's story-change signal. Sorted, for binary search; only words of three letters or
/// more, since shorter words never count there.
#[rustfmt::skip]
pub const TOPIC_STOP_WORDS: &[&str] = &[
    "about", "after", "again", "all", "also", "and", "any", "are", "been", "before", "being", "but", "can", "could",
    "did", "does", "down", "for", "from", "had", "has", "have", "her", "here", "him", "his", "how", "into", "its",
    "just", "may", "might", "more", "most", "must", "not", "now", "off", "one", "only", "other", "our", "out", "over",
    "said", "say", "says", "shall", "she", "should", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "told", "too", "under", "very", "was", "were", "what", "when", "where",
    "which", "while", "who", "whom", "whose", "why", "will", "with", "would", "year", "years", "you", "your",
];

/// Function words of German, French, Spanish, Italian, Portuguese, Dutch and Polish
/// (articles, pronouns, prepositions, conjunctions, common auxiliaries and adverbs), left out
/// of the splitter's story-change signal beside [`TOPIC_STOP_WORDS`]: without them every
/// paragraph of a text in those languages shares `und`, `die`, `que`, `les` with every
/// other, and no story ever changes. Written for this project from the grammar of each
/// language, not copied from a list; words of three letters or more. Words whose English
/// reading is a frequent topical word (`war`, `man`, `son`, `sea`, `era`, `ale`, `sin`,
/// `pour`) are left out; a few whose English reading is rare or weak as a topic stay
/// (`die`, `met`, `hat`, `plus`, `par`, `con`, and `los`/`las` of `Los Angeles`, whose
/// second word still counts), a small cost on English text (one Lee dev start of 146).
/// Sorted.
#[rustfmt::skip]
pub const OTHER_TOPIC_STOP_WORDS: &[&str] = &[
    "aan", "aber", "aby", "ainda", "ainsi", "algo", "alla", "alle", "allem", "allen", "aller", "alles", "alors",
    "als", "anche", "andere", "anderen", "aos", "après", "auch", "auf", "aus", "aussi", "aux", "avant", "avec",
    "avoir", "bardzo", "bei", "beim", "bereits", "bez", "bij", "bin", "bis", "bist", "być", "był", "była", "było",
    "cela", "ces", "cet", "cette", "che", "chi", "com", "comme", "como", "con", "cuando", "dalla", "damit", "dann",
    "dans", "darauf", "das", "dass", "dat", "daß", "degli", "dei", "del", "della", "delle", "dello", "dem", "den",
    "denn", "der", "des", "desde", "detto", "deze", "dich", "die", "diese", "diesem", "diesen", "dieser", "dieses",
    "dijo", "dir", "disse", "dit", "dla", "doch", "donc", "donde", "door", "dopo", "dort", "dos", "durch", "een",
    "ein", "eine", "einem", "einen", "einer", "eines", "einige", "einmal", "ela", "ele", "eles", "ella", "elle",
    "elles", "ellos", "encore", "entre", "essa", "esse", "essere", "est", "esta", "este", "esto", "estos", "está",
    "están", "etwa", "etwas", "euch", "euer", "fait", "foi", "fue", "für", "ganz", "gdy", "geen", "gegen", "geht",
    "gibt", "gli", "habe", "haben", "hanno", "hat", "hatte", "hatten", "hay", "heeft", "het", "hier", "hij",
    "hätte", "ich", "ihm", "ihn", "ihnen", "ihr", "ihre", "ihrem", "ihren", "ihrer", "ils", "immer", "isso", "ist",
    "jak", "jako", "jede", "jeden", "jeder", "jednak", "jedoch", "jego", "jej", "jest", "jeszcze", "jetzt", "już",
    "kann", "kein", "keine", "która", "które", "który", "können", "las", "les", "leur", "leurs", "loro", "los",
    "lub", "lui", "maar", "mais", "mas", "meer", "mehr", "meine", "mes", "met", "mich", "mir", "mit", "moi",
    "molto", "może", "można", "muito", "muss", "muy", "más", "même", "naar", "nach", "nas", "nel", "nella", "nicht",
    "nichts", "nie", "niet", "noch", "nog", "non", "nos", "notre", "nous", "num", "numa", "nun", "nur", "não",
    "oder", "ohne", "ont", "ook", "oraz", "par", "para", "pas", "pela", "pelo", "per", "pero", "peut", "più",
    "plus", "por", "porque", "powiedział", "przez", "przy", "quand", "quando", "que", "questa", "questo", "qui",
    "qué", "sagt", "sagte", "sagten", "sans", "schon", "sehr", "sein", "seine", "seinem", "seinen", "seiner",
    "selbst", "ser", "sera", "ses", "seu", "sich", "sie", "sind", "się", "sobre", "soll", "sollen", "sondern",
    "sono", "sont", "sous", "sowie", "stato", "sua", "suo", "sur", "sus", "são", "tak", "także", "también", "tego",
    "tej", "tem", "też", "tiene", "todo", "todos", "tous", "toute", "tra", "très", "tylko", "tym", "uma", "und",
    "une", "uno", "unos", "uns", "unser", "unsere", "unter", "viel", "viele", "vielen", "vom", "von", "vor",
    "votre", "vous", "waren", "warum", "weil", "welche", "wenn", "wer", "werd", "werden", "wie", "wieder", "wir",
    "wird", "worden", "wordt", "wurde", "wurden", "wäre", "zal", "zei", "zich", "zij", "zijn", "został", "została",
    "zum", "zur", "zwischen", "était", "été", "être", "über", "żeby",
];

/// Closed-class words and common reporting verbs: the typical right-hand side
/// of a glue error (`Doe|has`, `June|that`, `report|says`).
#[rustfmt::skip]
pub const GLUE_FUNCTION_WORDS: &[&str] = &[
    "a", "about", "above", "across", "after", "against", "all", "along", "also", "although", "am", "among", "an", "and",
    "another", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "did", "do", "does", "during", "each", "either", "every", "for", "from", "had", "has", "have",
    "having", "he", "her", "here", "hers", "him", "his", "how", "however", "i", "if", "in", "including", "into", "is",
    "it", "its", "may", "me", "might", "more", "most", "must", "my", "near", "neither", "no", "nor", "not", "of", "off",
    "on", "once", "one", "only", "onto", "or", "other", "our", "out", "over", "said", "says", "shall", "she", "should",
    "since", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "those", "though", "through", "to", "told", "under", "unless", "until", "up", "upon", "us", "was", "we", "were",
    "what", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within",
    "without", "would", "yet", "you", "your", "added", "announced", "asked", "claimed", "confirmed", "declared",
    "explained", "insisted", "noted", "replied", "reported", "revealed", "said", "stated", "warned", "wrote", "says",
    "adds", "tells",
];

/// Capitalised function words and other frequent words that are no evidence of a name on
/// their own (`The`, `After`, `New`, `Dear`): the entity tagger drops a candidate name of
/// one such word. Compared case-sensitively; curly and straight apostrophes both listed.
#[rustfmt::skip]
pub const CAPITALISED_NON_NAMES: &[&str] = &[
    "The", "A", "An", "In", "On", "At", "But", "And", "Or", "It", "This", "That", "These", "Those", "He", "She",
    "They", "We", "I", "His", "Her", "Their", "Our", "Its", "After", "Before", "When", "While", "If", "As", "For",
    "With", "From", "By", "Some", "Many", "Most", "All", "Both", "Each", "Every", "Other", "Such", "There", "Here",
    "What", "Who", "Why", "How", "Where", "So", "Then", "Also", "Now", "Last", "Next", "To", "Of", "Not", "No", "Yes",
    "Even", "Only", "Just", "Than", "Into", "Through", "Across", "About", "Against", "You", "Your", "My", "Me", "Us",
    "Them", "Him", "Do", "Does", "Did", "Is", "Are", "Was", "Were", "Be", "Been", "Has", "Have", "Had", "Will",
    "Would", "Can", "Could", "Should", "Might", "Must", "Shall", "More", "Less", "Few", "Several", "Any", "Much",
    "Very", "Already", "Another", "Which", "Whose", "Unless", "Dear", "Please", "Thank", "Thanks", "Let", "Mid", "New",
    "Top", "Big", "Key", "Why", "Inside", "Behind", "Beyond", "Near", "Upon", "Toward", "Towards", "I'm", "I've",
    "I'd", "I'll", "I’m", "I’ve", "I’d", "I’ll",
];

/// Whether a lower-case word is an English stop word (see `STOP_WORDS` and SOURCES.md).
/// Curly apostrophes count as straight ones.
pub fn is_stop_word(word: &str) -> bool {
    static SET: std::sync::OnceLock<FastHashSet<&'static str>> = std::sync::OnceLock::new();
    let set = SET.get_or_init(|| STOP_WORDS.iter().copied().collect());
    // No stop word is longer than 10 bytes ("ourselves", "yourselves").
    if word.len() > 12 {
        return false;
    }
    if word.contains('’') {
        let straight = word.replace('’', "'");
        return set.contains(straight.as_str());
    }
    set.contains(word)
}

/// Whether `hash` is the [`word_hash`] of a stop word (with straight or curly apostrophes):
/// [`is_stop_word`] for a word already hashed, without comparing strings (a content word
/// would have to collide with a stop word in 64 bits to be taken for one).
pub fn is_stop_hash(hash: u64) -> bool {
    static SET: std::sync::OnceLock<FastHashSet<u64>> = std::sync::OnceLock::new();
    let set =
        SET.get_or_init(|| STOP_WORDS.iter().flat_map(|w| [word_hash(w), word_hash(&w.replace('\'', "’"))]).collect());
    set.contains(&hash)
}

/// Whether a lower-cased word carries no topic for the splitter's story-change signal: it is
/// in [`TOPIC_STOP_WORDS`] or [`OTHER_TOPIC_STOP_WORDS`].
pub fn is_topic_stop_word(lower: &str) -> bool {
    TOPIC_STOP_WORDS.binary_search(&lower).is_ok() || OTHER_TOPIC_STOP_WORDS.binary_search(&lower).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_hashes_match_stop_words() {
        for w in STOP_WORDS {
            assert!(is_stop_hash(word_hash(w)) && is_stop_word(w), "{w}");
            let curly = w.replace('\'', "’");
            assert!(is_stop_hash(word_hash(&curly)) && is_stop_word(&curly), "{curly}");
            let upper = w.to_uppercase();
            assert!(is_stop_hash(word_hash(&upper)), "{upper}");
        }
        for w in ["port", "levy", "thee", "willow", "ours's", "whom'", "Kenya"] {
            assert!(!is_stop_hash(word_hash(w)) && !is_stop_word(&w.to_lowercase()), "{w}");
        }
        assert!(is_stop_word("the") && is_stop_word("don’t") && !is_stop_word("port"));
    }

    #[test]
    fn sorted_where_searched() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "stop words must be sorted");
        assert!(TOPIC_STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "topic stop words must be sorted");
        assert!(OTHER_TOPIC_STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "other topic stop words must be sorted");
        assert!(
            OTHER_TOPIC_STOP_WORDS.iter().all(|w| w.chars().count() >= 3 && TOPIC_STOP_WORDS.binary_search(w).is_err())
        );
        for topical in ["war", "man", "son", "sea", "era", "ale", "sin", "pour"] {
            assert!(OTHER_TOPIC_STOP_WORDS.binary_search(&topical).is_err(), "{topical}");
        }
    }
}
