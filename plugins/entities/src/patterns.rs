//! Numeric and temporal patterns: DATE, TIME, MONEY, PERCENT, QUANTITY, ORDINAL, CARDINAL.
//!
//! A left-to-right scanner over tokens. At each position it tries, longest first: an
//! optional approximator (`about`, `more than`, `at least`), then a number (digits, number
//! words, scale words such as `million`) with a currency before it and a unit after it
//! (`per cent`, `kilometres`, `days`, `a.m.`); calendar expressions (`March 3, 2024`,
//! `5th May`, `April 2019`, `mid-March`, weekdays, `last week`, `later this month`); then
//! ordinals and bare numerals. Numbers that identify rather than count (`No. 17`,
//! `runway 29`) are left alone.

use crate::gazetteer::Label;
use crate::tokens::{Kind, Token};

/// A pattern match over tokens `start..end` (token indices, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatternMatch {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// The label.
    pub label: Label,
}

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "Jun.",
    "Jul.",
    "Aug.",
    "Sep.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
];
const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const DAY_PARTS: &[&str] = &["morning", "afternoon", "evening", "night", "overnight", "midday", "noon", "lunchtime"];
const DATE_UNITS: &[&str] = &[
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "decade",
    "decades",
    "century",
    "centuries",
    "weekend",
    "weekends",
    "fortnight",
    "quarter",
    "quarters",
    "season",
    "seasons",
    "term",
    "summer",
    "winter",
    "spring",
    "autumn",
];
const TIME_UNITS: &[&str] = &["second", "seconds", "minute", "minutes", "hour", "hours", "hrs", "mins"];
const CLOCK: &[&str] =
    &["a.m.", "p.m.", "am", "pm", "GMT", "UTC", "EAT", "CET", "CEST", "BST", "EST", "hrs", "hours", "local"];
const RELATIVE: &[&str] =
    &["last", "next", "this", "past", "coming", "previous", "every", "each", "all", "same", "that"];
const REL_FRONT: &[&str] = &["later", "earlier", "early", "late"];
const PERCENT_WORDS: &[&str] = &["percent", "pct"];
const CURRENCY_SYMBOLS: &[&str] = &["$", "€", "£", "¥", "₹", "¢", "₦", "₵", "₩", "₺", "₽", "₱"];
const CURRENCY_WORDS: &[&str] = &[
    "dollar",
    "dollars",
    "euro",
    "euros",
    "pound",
    "pounds",
    "sterling",
    "shilling",
    "shillings",
    "cedi",
    "cedis",
    "rand",
    "naira",
    "rupee",
    "rupees",
    "rupiah",
    "yen",
    "yuan",
    "renminbi",
    "franc",
    "francs",
    "krone",
    "kroner",
    "kronor",
    "krona",
    "zloty",
    "zlotys",
    "zlotych",
    "forint",
    "ringgit",
    "dirham",
    "dirhams",
    "riyal",
    "riyals",
    "rial",
    "rials",
    "dinar",
    "dinars",
    "peso",
    "pesos",
    "real",
    "reais",
    "lira",
    "roubles",
    "rubles",
    "won",
    "baht",
    "birr",
    "kwacha",
    "pula",
    "cents",
];
/// Currency codes and prefixes written before an amount (`KSh 500`, `R480`, `USD 3m`).
const CURRENCY_PREFIXES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "CNY", "INR", "KES", "KSh", "Ksh", "Sh", "TZS", "UGX", "GHS", "GH", "NGN", "ZAR", "R",
    "Rs", "Rp", "IDR", "CHF", "Fr", "SEK", "NOK", "DKK", "PLN", "zł", "OMR", "AED", "SAR", "US", "A", "C", "NZ", "HK",
    "S", "N",
];
const MEASURE_UNITS: &[&str] = &[
    "km",
    "kilometres",
    "kilometers",
    "kilometre",
    "kilometer",
    "miles",
    "mile",
    "metres",
    "meters",
    "metre",
    "meter",
    "m",
    "cm",
    "mm",
    "feet",
    "foot",
    "ft",
    "inches",
    "inch",
    "kg",
    "kilograms",
    "kilogram",
    "kilos",
    "grams",
    "gram",
    "g",
    "tonnes",
    "tonne",
    "tons",
    "ton",
    "pounds-weight",
    "lb",
    "lbs",
    "litres",
    "liters",
    "litre",
    "liter",
    "gallons",
    "barrels",
    "barrel",
    "bpd",
    "hectares",
    "hectare",
    "ha",
    "acres",
    "acre",
    "degrees",
    "°C",
    "°F",
    "megawatts",
    "megawatt",
    "MW",
    "GW",
    "kW",
    "kWh",
    "MWh",
    "GWh",
    "gigawatts",
    "volts",
    "knots",
    "nautical",
    "square",
    "cubic",
    "TEU",
    "TEUs",
    "bps",
    "points",
    "point",
    "storeys",
    "floors",
    "carats",
    "ounces",
    "ounce",
    "oz",
];
const SCALES: &[&str] = &["hundred", "thousand", "million", "billion", "trillion", "bn", "m", "mn", "k", "tn"];
const APPROX: &[&[&str]] = &[
    &["more", "than"],
    &["less", "than"],
    &["fewer", "than"],
    &["at", "least"],
    &["at", "most"],
    &["up", "to"],
    &["as", "many", "as"],
    &["as", "much", "as"],
    &["as", "few", "as"],
    &["just", "over"],
    &["just", "under"],
    &["well", "over"],
    &["nearly"],
    &["almost"],
    &["about"],
    &["around"],
    &["roughly"],
    &["approximately"],
    &["some"],
    &["over"],
    &["under"],
    &["only"],
    &["just"],
    &["barely"],
];
const UNITS_WORDS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS_WORDS: &[&str] = &["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const ORDINALS: &[&str] = &[
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "hundredth",
    "thousandth",
];
/// Words before a number that make it an identifier, not a count.
const ID_WORDS: &[&str] = &[
    "no.",
    "no",
    "nos.",
    "number",
    "runway",
    "row",
    "gate",
    "flight",
    "route",
    "platform",
    "room",
    "page",
    "seat",
    "bus",
    "line",
    "section",
    "courtroom",
    "station",
    "article",
    "chapter",
    "clause",
    "paragraph",
    "tier",
    "grade",
    "level",
    "category",
    "phase",
    "version",
    "terminal",
    "pier",
    "berth",
    "lane",
    "road",
    "highway",
    "district",
    "ward",
    "zone",
    "unit",
    "block",
    "floor",
    "case",
    "file",
    "channel",
    "model",
    "class",
    "#",
];
/// Determiners and possessives that make `first` / `second` adjectival.
const ORD_DET: &[&str] =
    &["the", "its", "his", "her", "their", "our", "my", "your", "a", "an", "this", "whose", "every"];

fn is_in(list: &[&str], w: &str) -> bool {
    list.contains(&w)
}

fn lower_in(list: &[&str], w: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(w))
}

struct Scanner<'a> {
    text: &'a str,
    toks: &'a [Token],
}

impl<'a> Scanner<'a> {
    fn t(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| t.text(self.text))
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    /// Tokens `i` and `i + 1` touch (no space between).
    fn glued(&self, i: usize) -> bool {
        match (self.toks.get(i), self.toks.get(i + 1)) {
            (Some(a), Some(b)) => a.end == b.start,
            _ => false,
        }
    }

    /// Length of an approximator at `i` (0 if none).
    fn approx(&self, i: usize) -> usize {
        for a in APPROX {
            if a.iter().enumerate().all(|(k, w)| self.t(i + k).eq_ignore_ascii_case(w)) {
                return a.len();
            }
        }
        0
    }

    /// A number word or compound (`twenty-five`) at `i`.
    fn number_word(&self, i: usize) -> bool {
        let w = self.t(i).to_ascii_lowercase();
        if lower_in(UNITS_WORDS, &w) || lower_in(TENS_WORDS, &w) {
            return true;
        }
        if let Some((a, b)) = w.split_once('-') {
            return lower_in(TENS_WORDS, a) && lower_in(UNITS_WORDS, b);
        }
        false
    }

    /// Parses a number at `i`: digits (with glued scale), number words, scale words. Returns
    /// the end token and whether it was written in digits.
    fn number(&self, i: usize) -> Option<(usize, bool)> {
        let mut j = i;
        let digits;
        match self.kind(i)? {
            Kind::Num => {
                digits = true;
                j += 1;
                // `14:30`
                if self.t(j) == ":" && self.glued(j - 1) && self.kind(j + 1) == Some(Kind::Num) && self.glued(j) {
                    j += 2;
                }
            }
            Kind::Word if self.number_word(i) => {
                digits = false;
                j += 1;
                while self.number_word(j) || (self.t(j) == "and" && self.number_word(j + 1)) {
                    j += 1;
                }
            }
            _ => return None,
        }
        while lower_in(SCALES, self.t(j)) && (self.t(j) != "m" || self.glued(j - 1)) {
            if self.t(j) == "k" && !self.glued(j - 1) {
                break;
            }
            j += 1;
        }
        Some((j, digits))
    }

    fn num_text_is_year(&self, i: usize) -> bool {
        let w = self.t(i);
        w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) && (1800..=2100).contains(&w.parse::<u32>().unwrap_or(0))
    }

    fn is_month(&self, i: usize) -> bool {
        is_in(MONTHS, self.t(i))
    }

    /// A day number (`3`, `3rd`, `23`).
    fn is_day(&self, i: usize) -> bool {
        let w = self.t(i);
        let d: String = w.chars().take_while(char::is_ascii_digit).collect();
        let rest = &w[d.len()..];
        !d.is_empty()
            && d.len() <= 2
            && matches!(rest, "" | "st" | "nd" | "rd" | "th")
            && d.parse::<u32>().is_ok_and(|n| (1..=31).contains(&n))
    }

    /// An era marker (`BC`, `B.C.`, `BCE`, `AD`, `A.D.`, `CE`), written in capitals.
    fn is_era(&self, i: usize) -> bool {
        let w = self.t(i);
        if w.len() > 6 {
            return false;
        }
        // The letters without the dots, compared in place (this runs on most tokens).
        let (mut letters, mut n) = ([0u8; 3], 0);
        for b in w.bytes().filter(|&b| b != b'.') {
            if n == letters.len() {
                return false;
            }
            letters[n] = b;
            n += 1;
        }
        matches!(&letters[..n], b"BC" | b"BCE" | b"AD" | b"CE")
    }

    /// A year of at most four digits (`79`, `1066`), as eras count them.
    fn short_year(&self, i: usize) -> bool {
        let w = self.t(i);
        self.kind(i) == Some(Kind::Num) && (1..=4).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit())
    }

    /// A calendar expression at `i`.
    fn date(&self, i: usize) -> Option<(usize, Label)> {
        let w = self.t(i);
        let mut j = i;
        // Years of an era: `78 BC`, `AD 79`, `the 5th century BC` (`century` after an ordinal).
        if self.short_year(i) && self.is_era(i + 1) {
            return Some((i + 2, Label::Date));
        }
        if self.is_era(i) && matches!(self.t(i).trim_end_matches('.'), "AD" | "A.D") && self.short_year(i + 1) {
            return Some((i + 2, Label::Date));
        }
        if self.ordinal(i).is_some() && lower_in(&["century", "centuries", "millennium"], self.t(i + 1)) {
            let end = if self.is_era(i + 2) { i + 3 } else { i + 2 };
            return Some((end, Label::Date));
        }
        // mid-March, early/late March
        if let Some(rest) = w.strip_prefix("mid-").or_else(|| w.strip_prefix("Mid-"))
            && (is_in(MONTHS, rest) || is_in(WEEKDAYS, rest))
        {
            j = i + 1;
            if self.num_text_is_year(j) {
                j += 1;
            }
            return Some((j, Label::Date));
        }
        if lower_in(&["early", "late", "mid"], w) && self.is_month(i + 1) {
            j = i + 1;
        }
        if self.is_month(j) && (self.t(j) != "May" || self.month_context(j)) {
            let mut k = j + 1;
            if self.is_day(k) {
                k += 1;
                if self.t(k) == "," && self.num_text_is_year(k + 1) {
                    k += 2;
                } else if self.num_text_is_year(k) {
                    k += 1;
                }
            } else if self.t(k) == "," && self.num_text_is_year(k + 1) {
                k += 2;
            } else if self.num_text_is_year(k) {
                k += 1;
            }
            return Some((k, Label::Date));
        }
        // 5 May 2024, 5th of May
        if self.is_day(i) {
            let mut k = i + 1;
            if self.t(k) == "of" && self.is_month(k + 1) {
                k += 1;
            }
            if self.is_month(k) {
                k += 1;
                if self.num_text_is_year(k) {
                    k += 1;
                }
                return Some((k, Label::Date));
            }
        }
        // Weekdays, with an optional day part (TIME) or date after them.
        if is_in(WEEKDAYS, w) || w.strip_suffix('s').is_some_and(|s| is_in(WEEKDAYS, s)) {
            if lower_in(DAY_PARTS, self.t(i + 1)) {
                return Some((i + 2, Label::Time));
            }
            if self.t(i + 1) == ","
                && self.toks.get(i + 2).is_some()
                && let Some((k, Label::Date)) = self.date(i + 2).filter(|_| self.is_month(i + 2) || self.is_day(i + 2))
            {
                return Some((k, Label::Date));
            }
            return Some((i + 1, Label::Date));
        }
        let lw = w.to_ascii_lowercase();
        if matches!(lw.as_str(), "today" | "yesterday" | "tomorrow") {
            if lower_in(DAY_PARTS, self.t(i + 1)) {
                return Some((i + 2, Label::Time));
            }
            return Some((i + 1, Label::Date));
        }
        if matches!(lw.as_str(), "tonight" | "overnight" | "midnight" | "midday" | "noon") {
            return Some((i + 1, Label::Time));
        }
        // Decades: 1990s
        if w.len() == 5 && w.ends_with('s') && w[..4].bytes().all(|b| b.is_ascii_digit()) {
            return Some((i + 1, Label::Date));
        }
        // later this month, earlier this year
        let mut k = i;
        if lower_in(REL_FRONT, w) && lower_in(RELATIVE, self.t(i + 1)) {
            k = i + 1;
        }
        if lower_in(RELATIVE, self.t(k)) {
            let mut m = k + 1;
            if let Some((e, _)) = self.number(m) {
                m = e;
            }
            let u = self.t(m);
            if lower_in(DATE_UNITS, u) {
                return Some((m + 1, Label::Date));
            }
            if is_in(WEEKDAYS, u) || self.is_month(m) {
                return Some((m + 1, Label::Date));
            }
            if lower_in(DAY_PARTS, u) && m == k + 1 && !lower_in(&["all", "every", "each"], self.t(k)) {
                return Some((m + 1, Label::Time));
            }
        }
        None
    }

    /// True when `May` at `i` is the month (a day or year beside it, or a preposition before).
    fn month_context(&self, i: usize) -> bool {
        self.is_day(i + 1)
            || self.num_text_is_year(i + 1)
            || i > 0
                && (self.is_day(i - 1)
                    || lower_in(
                        &[
                            "in", "since", "until", "by", "of", "early", "late", "mid", "last", "next", "this", "from",
                            "to", "through",
                        ],
                        self.t(i - 1),
                    ))
    }

    /// A number with its currency, unit or scale, at `i` (after any approximator).
    fn quantity(&self, i: usize) -> Option<(usize, Label)> {
        // Currency before the amount: `$`, `US$`, `GH¢`, `KSh`, `R480`.
        let mut j = i;
        let mut currency = false;
        if CURRENCY_PREFIXES.contains(&self.t(j)) && self.glued(j) && CURRENCY_SYMBOLS.contains(&self.t(j + 1)) {
            j += 2;
            currency = true;
        } else if CURRENCY_SYMBOLS.contains(&self.t(j))
            || CURRENCY_PREFIXES.contains(&self.t(j)) && self.t(j).len() >= 2 && self.kind(j + 1) == Some(Kind::Num)
        {
            j += 1;
            currency = true;
        } else if self.kind(j) == Some(Kind::Word) && glued_currency(self.t(j)) {
            // `R480`, `KSh500`: the number is inside the token.
            let mut k = j + 1;
            while lower_in(SCALES, self.t(k)) {
                k += 1;
            }
            return Some((k, Label::Money));
        }
        if currency {
            let (e, _) = self.number(j)?;
            return Some((e, Label::Money));
        }
        let (e, digits) = self.number(j)?;
        let w = self.t(j);
        // Glued units and ages: `42-year-old`, `3pm`, `5km`, `12%`.
        if digits && e == j + 1 {
            let lw = w.to_ascii_lowercase();
            if lw.contains("-year") || lw.contains("-day") || lw.contains("-week") || lw.contains("-month") {
                return Some((e, Label::Date));
            }
            if lw.contains("-hour") || lw.contains("-minute") {
                return Some((e, Label::Time));
            }
            let suffix = lw.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',');
            if matches!(suffix, "am" | "pm" | "a.m." | "p.m.") {
                return Some((e, Label::Time));
            }
            if matches!(suffix, "km" | "kg" | "mw" | "gw" | "m" | "cm" | "mm" | "ha" | "t") && suffix.len() < lw.len() {
                return Some((e, Label::Quantity));
            }
            if matches!(suffix, "bn" | "m" | "k" | "tn") {
                // a glued scale without currency: a plain count
                return Some((e, Label::Cardinal));
            }
        }
        let u = self.t(e);
        let u2 = self.t(e + 1);
        if u == "%" {
            return Some((e + 1, Label::Percent));
        }
        if u.eq_ignore_ascii_case("per") && u2.eq_ignore_ascii_case("cent") {
            return Some((e + 2, Label::Percent));
        }
        if lower_in(PERCENT_WORDS, u) {
            return Some((e + 1, Label::Percent));
        }
        if u.eq_ignore_ascii_case("percentage") && (u2 == "points" || u2 == "point") {
            return Some((e + 2, Label::Percent));
        }
        if lower_in(CURRENCY_WORDS, u) {
            return Some((e + 1, Label::Money));
        }
        // The country before the currency: `176 Hong Kong dollars`, `5 million Swiss francs`
        // (not after a year: `in 2019 Hong Kong dollars fell`).
        if !(e == j + 1 && self.num_text_is_year(j))
            && let Some(k) = (e + 1..=e + 2).find(|&k| {
                (e..k).all(|x| self.kind(x) == Some(Kind::Word) && self.t(x).starts_with(|c: char| c.is_uppercase()))
                    && lower_in(CURRENCY_WORDS, self.t(k))
            })
        {
            return Some((k + 1, Label::Money));
        }
        if lower_in(DATE_UNITS, u) && (u != "term") {
            // `two years`, `five days`; `18 months`
            return Some((e + 1, Label::Date));
        }
        if lower_in(TIME_UNITS, u) {
            return Some((e + 1, Label::Time));
        }
        if digits && (lower_in(CLOCK, u) && !(u == "hours" || u == "local") || (u == "hours" && w.len() == 4)) {
            let mut k = e + 1;
            if lower_in(&["GMT", "UTC", "EAT", "CET", "local", "time"], self.t(k)) {
                k += 1;
            }
            return Some((k, Label::Time));
        }
        if digits && w.contains(':') || (e > j + 1 && self.t(j + 1) == ":") {
            let mut k = e;
            if lower_in(CLOCK, self.t(k)) {
                k += 1;
            }
            return Some((k, Label::Time));
        }
        if is_in(MEASURE_UNITS, u) && (u != "m" || digits) {
            let mut k = e + 1;
            if matches!(u, "square" | "cubic" | "nautical") {
                k += 1;
            }
            if u == "gross" {
                k += 1;
            }
            return Some((k, Label::Quantity));
        }
        if u == "gross" && lower_in(&["tonnes", "tons"], u2) || u == "basis" && lower_in(&["points", "point"], u2) {
            return Some((e + 2, Label::Quantity));
        }
        if e == j + 1 && digits && self.num_text_is_year(j) {
            return Some((e, Label::Date));
        }
        Some((e, Label::Cardinal))
    }
}

fn glued_currency(w: &str) -> bool {
    for p in ["R", "KSh", "Ksh", "Sh", "Rs", "Rp", "N", "GH₵", "₵", "USD", "EUR"] {
        if let Some(rest) = w.strip_prefix(p) {
            let digits = rest.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            return !digits.is_empty()
                && digits.starts_with(|c: char| c.is_ascii_digit())
                && digits.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',');
        }
    }
    false
}

/// Every lower-case word that can start a pattern in [`find`] (months, weekdays, relative
/// and approximating words, number and ordinal words, currency prefixes, `a`/`an`/`one`, the
/// day words `today` … `noon`). A token of ASCII letters only that is not in this set
/// cannot start any pattern: each pattern starts at a listed word, a digit, a hyphenated
/// word (`mid-March`, `twenty-five`) or a symbol.
/// Hashed with `foldhash`: every plain word of a text is looked up here.
fn triggers() -> &'static std::collections::HashSet<String, foldhash::fast::FixedState> {
    static SET: std::sync::OnceLock<std::collections::HashSet<String, foldhash::fast::FixedState>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let mut set = std::collections::HashSet::default();
        let lists: &[&[&str]] = &[
            MONTHS,
            WEEKDAYS,
            RELATIVE,
            REL_FRONT,
            CURRENCY_PREFIXES,
            UNITS_WORDS,
            TENS_WORDS,
            ORDINALS,
            &["early", "late", "mid", "a", "an", "one", "ad"],
            &["today", "yesterday", "tomorrow", "tonight", "overnight", "midnight", "midday", "noon"],
        ];
        for w in lists.iter().flat_map(|l| l.iter()) {
            set.insert(w.to_ascii_lowercase());
        }
        for w in WEEKDAYS {
            set.insert(format!("{}s", w.to_ascii_lowercase()));
        }
        for phrase in APPROX {
            if let Some(first) = phrase.first() {
                set.insert(first.to_ascii_lowercase());
            }
        }
        set
    })
}

/// Whether token `i` is a plain word (ASCII letters only) that no pattern can start at
/// (see [`triggers`]); such tokens are skipped without trying every pattern.
fn cannot_start(text: &str, tok: &Token) -> bool {
    let w = tok.text(text).as_bytes();
    if tok.kind != Kind::Word || w.len() > 24 || !w.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let mut buf = [0u8; 24];
    let lower = &mut buf[..w.len()];
    lower.copy_from_slice(w);
    lower.make_ascii_lowercase();
    // ASCII letters only, so always valid UTF-8.
    std::str::from_utf8(lower).is_ok_and(|l| !triggers().contains(l))
}

/// Finds every numeric and temporal expression, left to right, not overlapping.
pub fn find(text: &str, toks: &[Token]) -> Vec<PatternMatch> {
    find_with(text, toks, true)
}

/// [`find`], with or without skipping the tokens that [`cannot_start`] a pattern (the
/// tests check that skipping changes nothing).
fn find_with(text: &str, toks: &[Token], skip_plain_words: bool) -> Vec<PatternMatch> {
    let s = Scanner { text, toks };
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i].kind == Kind::Punct && !CURRENCY_SYMBOLS.contains(&s.t(i))
            || skip_plain_words && cannot_start(text, &toks[i])
        {
            i += 1;
            continue;
        }
        // 1. Calendar expressions.
        if let Some((e, label)) = s.date(i) {
            out.push(PatternMatch { start: i, end: e, label });
            i = e;
            continue;
        }
        // 2. Ordinals written in digits (`3rd`).
        if toks[i].kind == Kind::Num && s.ordinal(i).is_some() {
            out.push(PatternMatch { start: i, end: i + 1, label: Label::Ordinal });
            i += 1;
            continue;
        }
        // 3. Approximator + amount.
        let a = s.approx(i);
        if let Some((e, label)) = s.quantity(i + a).filter(|_| a == 0 || s.number_start(i + a)) {
            let prev = if i > 0 { s.t(i - 1).to_ascii_lowercase() } else { String::new() };
            let identifier = label == Label::Cardinal
                && (lower_in(ID_WORDS, &prev)
                    || toks[i].kind == Kind::Num
                        && i > 0
                        && toks[i - 1].end == toks[i].start
                        && toks[i - 1].kind == Kind::Word);
            if identifier {
                i = e.max(i + 1);
                continue;
            }
            if label == Label::Cardinal && a == 0 && !s.count_word_ok(i, e) {
                i += 1;
                continue;
            }
            out.push(PatternMatch { start: i, end: e, label });
            i = e.max(i + 1);
            continue;
        }
        // 3. `a week`, `an hour`, `a day after`.
        if lower_in(&["a", "an", "one"], s.t(i)) {
            let u = s.t(i + 1);
            if lower_in(DATE_UNITS, u)
                && !lower_in(&["spring", "summer", "winter", "autumn", "season", "term", "quarter"], u)
            {
                out.push(PatternMatch { start: i, end: i + 2, label: Label::Date });
                i += 2;
                continue;
            }
            if lower_in(TIME_UNITS, u) {
                out.push(PatternMatch { start: i, end: i + 2, label: Label::Time });
                i += 2;
                continue;
            }
        }
        // 4. Ordinals.
        if let Some(label) = s.ordinal(i) {
            out.push(PatternMatch { start: i, end: i + 1, label });
        }
        i += 1;
    }
    out
}

impl Scanner<'_> {
    fn number_start(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Num))
            || self.number_word(i)
            || CURRENCY_SYMBOLS.contains(&self.t(i))
            || CURRENCY_PREFIXES.contains(&self.t(i))
            || glued_currency(self.t(i))
    }

    /// Whether a bare number word counts (`one` standing in for a noun does not).
    fn count_word_ok(&self, i: usize, e: usize) -> bool {
        if self.kind(i) == Some(Kind::Num) {
            return true;
        }
        let w = self.t(i).to_ascii_lowercase();
        if w != "one" && w != "zero" {
            return true;
        }
        let next = self.t(e);
        if next == "of" {
            return true;
        }
        let Some(t) = self.toks.get(e) else { return false };
        t.kind == Kind::Word
            && !t.cap
            && !lower_in(
                &[
                    "from", "who", "that", "which", "is", "was", "has", "had", "by", "in", "at", "on", "to", "and",
                    "or", "but", "another", "day", "time", "way", "thing", "side", "hand", "point", "more", "less",
                    "such", "else", "the", "a", "an", "would", "will", "could", "can", "may", "might", "should",
                    "must", "did", "does", "do", "said", "says", "told", "for", "with", "as", "after", "before", "if",
                    "than",
                ],
                next,
            )
    }

    fn ordinal(&self, i: usize) -> Option<Label> {
        let t = self.toks.get(i)?;
        let w = t.text(self.text);
        let lw = w.to_ascii_lowercase();
        if t.kind == Kind::Num {
            let d: String = lw.chars().take_while(char::is_ascii_digit).collect();
            let rest = &lw[d.len()..];
            return (!d.is_empty() && matches!(rest, "st" | "nd" | "rd" | "th")).then_some(Label::Ordinal);
        }
        if !lower_in(ORDINALS, &lw) || t.cap && !t.sent_start {
            return None;
        }
        if matches!(lw.as_str(), "first" | "second") {
            let prev = if i > 0 { self.t(i - 1).to_ascii_lowercase() } else { String::new() };
            let possessive = i > 0 && self.kind(i - 1) == Some(Kind::Possessive);
            if !(lower_in(ORD_DET, &prev) || possessive) {
                return None;
            }
        }
        Some(Label::Ordinal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::tokenize;

    fn tag(text: &str) -> Vec<(String, &'static str)> {
        let toks = tokenize(text);
        find(text, &toks)
            .into_iter()
            .map(|m| (text[toks[m.start].start..toks[m.end - 1].end].to_owned(), m.label.as_str()))
            .collect()
    }

    fn has(text: &str, span: &str, label: &str) {
        let got = tag(text);
        assert!(got.iter().any(|(s, l)| s == span && *l == label), "{text:?}: want {span:?} {label}, got {got:?}");
    }

    #[test]
    fn dates() {
        has("It opened on March 3, 2024 in town", "March 3, 2024", "DATE");
        has("back in April 2019 it", "April 2019", "DATE");
        has("due on 5th May to", "5th May", "DATE");
        has("talks open on Monday with", "Monday", "DATE");
        has("as recently as mid-March the", "mid-March", "DATE");
        has("It has met since 2014 but", "2014", "DATE");
        has("a deal later this month is", "later this month", "DATE");
        has("she spent five days there", "five days", "DATE");
        has("a 42-year-old trader", "42-year-old", "DATE");
        has("rates rose last week on", "last week", "DATE");
        has("in the 1990s it", "1990s", "DATE");
        has("Sulla died in 78 BC after", "78 BC", "DATE");
        has("a villa buried in AD 79 by", "AD 79", "DATE");
        has("built in the 2nd century BC by", "2nd century BC", "DATE");
        has("since the fifth century the", "fifth century", "DATE");
        has("it took a week to", "a week", "DATE");
    }

    #[test]
    fn times() {
        has("at 11 a.m. on", "11 a.m.", "TIME");
        has("at 0600 GMT the", "0600 GMT", "TIME");
        has("for two hours the", "two hours", "TIME");
        has("on Tuesday evening the", "Tuesday evening", "TIME");
        has("late at 14:30 there", "14:30", "TIME");
    }

    #[test]
    fn money_percent_quantity() {
        has("worth $200,000 would", "$200,000", "MONEY");
        has("a R480 million plan", "R480 million", "MONEY");
        has("a GH¢2.1 billion bond", "GH¢2.1 billion", "MONEY");
        has("cost €1.2 million in", "€1.2 million", "MONEY");
        has("about 400 euros each", "about 400 euros", "MONEY");
        has("a levy of 1.5 per cent on", "1.5 per cent", "PERCENT");
        has("up 12% in", "12%", "PERCENT");
        has("ships of 5,000 gross tonnes", "5,000 gross tonnes", "QUANTITY");
        has("a 40 kilometres road", "40 kilometres", "QUANTITY");
        has("by 150 basis points", "150 basis points", "QUANTITY");
        // The country before the currency word belongs to the amount; a year is not an amount.
        has("told 176 Hong Kong dollars is likely", "176 Hong Kong dollars", "MONEY");
        has("raised 5 million Swiss francs in", "5 million Swiss francs", "MONEY");
        has("in 2019 Hong Kong dollars fell", "2019", "DATE");
    }

    proptest::proptest! {
        /// Skipping plain words that no pattern starts at finds exactly what trying every
        /// token finds.
        #[test]
        fn skipping_plain_words_changes_nothing(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "the", "The", "a", "An", "one", "two", "twenty-five", "first", "Second", "May", "march", "March",
                "Monday", "Mondays", "mid-June", "early", "late", "later", "last", "this", "next", "week", "weeks",
                "today", "noon", "about", "more", "than", "at", "least", "up", "to", "some", "over", "per", "cent",
                "percent", "million", "bn", "m", "km", "dollars", "euros", "$", "€", "R480", "KSh500", "US", "GH",
                "3", "3rd", "21st", "2024", "1990s", "14:30", "11", "a.m.", "p.m.", "GMT", "hours", "year", "years",
                "42-year-old", "5km", "12%", "%", ",", ".", "No.", "17", "people", "minister", "Nairobi", "said",
                "cargo", "levy", "of", "in", "on", "Tuesday", "evening", "second", "time", "basis", "points",
            ]), 0..40),
        ) {
            let text = words.join(" ");
            let toks = crate::tokens::tokenize(&text);
            proptest::prop_assert_eq!(find_with(&text, &toks, true), find_with(&text, &toks, false));
        }
    }

    #[test]
    fn cardinals_and_ordinals() {
        has("ministers from six governments", "six", "CARDINAL");
        has("more than 200 people", "more than 200", "CARDINAL");
        has("one of the 18 districts", "one", "CARDINAL");
        has("for the second time", "second", "ORDINAL");
        has("the 3rd round", "3rd", "ORDINAL");
        assert!(tag("including one from Oman").is_empty());
        assert!(tag("when residents first noticed").is_empty());
        assert!(tag("at polling station No. 17 and runway 29").is_empty());
    }
}
