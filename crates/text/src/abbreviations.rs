//! Abbreviations whose full stop does not end a sentence, one list per use.
//!
//! Three rules look at a word before a full stop, and each was tuned and evaluated with its
//! own list, so the lists stay separate (merging them changes sentence boundaries, entity
//! spans and summaries). All are written without the final stop.
//!
//! - [`SENTENCE_FALLBACK`]: the fallback sentence rule ([`crate::sentences`]), one flat list
//!   compared case-insensitively. Unlike the segmenter's lists it holds weekdays (`Mon`,
//!   `Tues`), `det`, `rd` and the dotted country forms (`U.S.`, `U.K.`, `U.N.`, `E.U.`),
//!   because the fallback rule has no general rule for dotted words; it lacks the rarer
//!   forms of the segmenter (`Messrs`, `Mme`, `pp`, `viz`, `plc`, …).
//! - [`SEGMENTER_PREPOSITIVE`], [`SEGMENTER_BEFORE_NUMBER`], [`SEGMENTER_AMBIGUOUS`]: the
//!   splitter's sentence segmenter, which decides by class (never a boundary; a boundary
//!   unless a number follows; a boundary only before a common sentence opener). Dotted forms
//!   (`U.S.`, `a.m.`) are found by shape there, not by list.
//! - [`TOKENISER`]: the entity tagger's tokeniser, compared case-sensitively (`Dr.` but not
//!   `DR.`) because a capitalised title there is evidence of a following name; it holds
//!   `ul` (Polish `ulica`, in addresses), which the sentence lists do not.
//! - [`US_STATES`]: US state abbreviations of news style, read only after a city and a comma
//!   (`Austin, Tex.`): the entity tagger takes them and the city for places, the segmenter
//!   does not end a sentence there before a lower-case word. Written with the final stop.

/// Abbreviations that do not end a sentence when followed by a full stop (lower case,
/// without the stop). Titles, months, and common Latin and business abbreviations.
#[rustfmt::skip]
pub const SENTENCE_FALLBACK: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "gov", "sen", "rep", "lt", "col", "capt", "cpt", "sgt",
    "maj", "adm", "cmdr", "rev", "hon", "pres", "supt", "insp", "det", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat",
    "sun", "no", "nos", "vs", "etc", "e.g", "i.e", "cf", "al", "approx", "inc", "ltd", "co", "corp", "bros", "dept",
    "est", "fig", "vol", "ave", "blvd", "rd", "mt", "ft", "u.s", "u.k", "u.n", "e.u",
];

/// The segmenter's titles and other abbreviations that are always followed by a name or a
/// word of the same sentence. Lower case, without the period.
#[rustfmt::skip]
pub const SEGMENTER_PREPOSITIVE: &[&str] = &[
    "adm", "amb", "atty", "brig", "capt", "cdr", "cmdr", "col", "comdr", "cpl", "cpt", "dr", "drs", "e.g", "ft", "gen",
    "gov", "hon", "i.e", "insp", "lieut", "lt", "maj", "messrs", "mlle", "mme", "mr", "mrs", "ms", "msgr", "mt", "n°",
    "nº", "pres", "prof", "pvt", "rep", "reps", "ret", "rev", "sen", "sens", "sgt", "sr", "st", "supt", "ste", "cf",
    "viz", "approx", "ul", "vs", "v",
];

/// The segmenter's abbreviations that usually precede a number.
#[rustfmt::skip]
pub const SEGMENTER_BEFORE_NUMBER: &[&str] = &[
    "no", "nos", "p", "pp", "art", "arts", "fig", "figs", "vol", "vols", "ch", "chap", "sec", "para", "op", "nr",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "tel", "ext", "rm",
];

/// The segmenter's abbreviations that may end a sentence.
#[rustfmt::skip]
pub const SEGMENTER_AMBIGUOUS: &[&str] = &[
    "inc", "ltd", "co", "corp", "llc", "plc", "bros", "jr", "etc", "esq", "dept", "govt", "assn", "univ", "mfg", "al",
    "est", "ave", "av", "blvd",
];

/// The entity tokeniser's abbreviations (case-sensitive): the dot after one stays in its
/// token and does not start a sentence.
#[rustfmt::skip]
pub const TOKENISER: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Sen", "Rep", "Gen", "Col", "Capt", "Lt", "Sgt", "Gov", "Rev", "Jr", "Sr",
    "No", "Nos", "Co", "Corp", "Inc", "Ltd", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
    "Nov", "Dec", "vs", "ul", "al", "Mt", "Ft", "approx", "est", "Maj", "Adm", "Cmdr", "Cpl", "Pvt", "Supt", "Insp",
    "Det", "Msgr", "Atty",
];

/// US state abbreviations of news style, with their final stop (`Ore.`, `N.Y.`): Associated
/// Press usage, with the older `Tex.`, `Penn.`, `Kans.` and `Nebr.` still seen in archives.
/// Public facts, written out by hand. Only meaningful after a city and a comma: alone,
/// `Miss.`, `Ind.`, `Mass.` or `Wash.` are other words.
#[rustfmt::skip]
pub const US_STATES: &[&str] = &[
    "Ala.", "Ariz.", "Ark.", "Calif.", "Colo.", "Conn.", "D.C.", "Del.", "Fla.", "Ga.", "Ill.", "Ind.", "Kan.",
    "Kans.", "Ky.", "La.", "Md.", "Mass.", "Mich.", "Minn.", "Miss.", "Mo.", "Mont.", "N.C.", "N.D.", "N.H.",
    "N.J.", "N.M.", "N.Y.", "Neb.", "Nebr.", "Nev.", "Okla.", "Ore.", "Pa.", "Penn.", "R.I.", "S.C.", "S.D.",
    "Tenn.", "Tex.", "Va.", "Vt.", "W.Va.", "Wash.", "Wis.", "Wyo."
];
