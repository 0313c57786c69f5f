//! A small, allocation-light tokenizer made for entity rules.
//!
//! Tokens are words (letters and digits, with inner hyphens, apostrophes and dots, so
//! `al-Harthi`, `O'Neil`, `U.S.` and `1,500.25` stay whole), possessive endings (`'s`) split
//! off as their own token, and single punctuation characters. Each token knows whether it
//! starts a line or a sentence, which the capitalisation rules need.

use docpipe_text::abbreviations::TOKENISER;

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters (possibly with digits, inner hyphens, apostrophes, dots).
    Word,
    /// Starts with a digit: `2024`, `1,500.25`, `42-year-old`, `3pm`.
    Num,
    /// A possessive ending: `'s`, `’s`, or a bare `'` after a plural.
    Possessive,
    /// Any other single non-space character.
    Punct,
}

/// One token of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// What it is.
    pub kind: Kind,
    /// First character is upper case.
    pub cap: bool,
    /// Every letter is upper case and there are at least two letters.
    pub all_caps: bool,
    /// First token of its line.
    pub line_start: bool,
    /// First token of a sentence (line start, or after `.`, `!`, `?`, `:` and opening quotes).
    pub sent_start: bool,
    /// A line break lies between the previous token and this one.
    pub after_newline: bool,
}

impl Token {
    /// The token's text.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end).unwrap_or("")
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out: Vec<Token> = Vec::with_capacity(text.len() / 5 + 1);
    let mut iter = text.char_indices().peekable();
    let mut line_start = true;
    let mut sent_start = true;
    let mut newline = false;
    while let Some((i, c)) = iter.next() {
        if c == '\n' || c == '\r' {
            line_start = true;
            sent_start = true;
            newline = true;
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        let kind;
        let mut end;
        if is_word_char(c) {
            kind = if c.is_ascii_digit() { Kind::Num } else { Kind::Word };
            end = i + c.len_utf8();
            // Extend over word chars and inner joiners.
            while let Some(&(j, d)) = iter.peek() {
                if is_word_char(d) {
                    end = j + d.len_utf8();
                    iter.next();
                    continue;
                }
                let joiner = d == '-' || d == '.' || d == ',' || d == '&' || is_apostrophe(d);
                if !joiner {
                    break;
                }
                let after = j + d.len_utf8();
                let next = text.get(after..).and_then(|s| s.chars().next());
                let Some(n) = next else { break };
                let ok = match d {
                    ',' => kind == Kind::Num && n.is_ascii_digit(),
                    '.' => {
                        n.is_alphanumeric()
                            && (n.is_ascii_digit() && text[..j].ends_with(|p: char| p.is_ascii_digit())
                                || kind == Kind::Word && single_letters(text, i, j))
                    }
                    '&' => false,
                    c2 if is_apostrophe(c2) => {
                        // `'s` possessive is split off below; keep `O'Neil`, `don't`.
                        n.is_alphabetic() && (!matches!(n, 's' | 'S') || next_is_word(text, after + 1))
                    }
                    '-' if kind == Kind::Word && splits_at_hyphen(text, i, j) => false,
                    _ => n.is_alphanumeric(),
                };
                if !ok {
                    break;
                }
                end = after;
                iter.next();
            }
            // Initials and acronyms with dots: `U.S.`, `J.`; abbreviations: `Dr.`, `ul.`.
            if bytes.get(end) == Some(&b'.') {
                let word = &text[i..end];
                let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
                // A US state's abbreviation after a city and a comma (`Austin, Tex., in`), not
                // where its stop ends a sentence (`Austin, Tex. Police said`).
                let state = || {
                    !text[end + 1..].trim_start().starts_with(char::is_uppercase)
                        && text[..i].trim_end().ends_with(',')
                        && docpipe_text::abbreviations::US_STATES.contains(&&text[i..=end])
                };
                if initial || word.contains('.') && kind == Kind::Word || TOKENISER.contains(&word) || state() {
                    end += 1;
                    iter.next();
                }
            }
        } else if is_apostrophe(c) && !out.is_empty() && out.last().is_some_and(|t| t.end == i) {
            // Possessive: `'s` directly after a word, or a bare `'` after a plural in s.
            let after = i + c.len_utf8();
            let n = text.get(after..).and_then(|s| s.chars().next());
            if matches!(n, Some('s')) && !next_is_word(text, after + 1) {
                kind = Kind::Possessive;
                end = after + 1;
                iter.next();
            } else if n.is_none_or(|n| !n.is_alphanumeric())
                && text[..i].ends_with(['s', 'S'])
                && out.last().is_some_and(|t| t.kind == Kind::Word)
            {
                kind = Kind::Possessive;
                end = after;
            } else {
                kind = Kind::Punct;
                end = after;
            }
        } else {
            kind = Kind::Punct;
            end = i + c.len_utf8();
        }
        let s = &text[i..end];
        let first = s.chars().next().unwrap_or(' ');
        let cap = first.is_uppercase();
        let mut letters = 0usize;
        let mut all_caps = true;
        for ch in s.chars() {
            if ch.is_alphabetic() {
                letters += 1;
                if ch.is_lowercase() {
                    all_caps = false;
                }
            }
        }
        let all_caps = all_caps && letters >= 2;
        out.push(Token { start: i, end, kind, cap, all_caps, line_start, sent_start, after_newline: newline });
        line_start = false;
        newline = false;
        // What follows may start a sentence.
        sent_start = match kind {
            Kind::Punct => {
                matches!(s, "." | "!" | "?" | ":" | "…")
                    || (sent_start && matches!(s, "\"" | "“" | "‘" | "'" | "(" | "[" | "-" | "—" | "–" | "•" | "*"))
            }
            _ => false,
        };
    }
    out
}

/// True when the hyphen at `hyphen` ends a name glued to a lower-case word (`Pakistan-based`,
/// `Saudi-born`, `US-led`): `text[start..hyphen]` is one capitalised word without a hyphen,
/// and a lower-case word of at least three letters follows, not joined on by another hyphen
/// (`Lashkar-e-Taiba` and `al-Harthi` stay whole), and the word is not the prefix `Co`
/// (`Co-operation`).
pub fn splits_at_hyphen(text: &str, start: usize, hyphen: usize) -> bool {
    let Some(word) = text.get(start..hyphen) else { return false };
    // `Co-operation`, `Co-ordination`: a prefix, not a name (`Economic Co-operation and Development`).
    if !word.starts_with(char::is_uppercase) || word.contains('-') || word.chars().count() < 2 || word == "Co" {
        return false;
    }
    let rest = text.get(hyphen + 1..).unwrap_or("");
    let tail: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
    let after = rest[tail.len()..].chars().next();
    tail.chars().count() >= 3 && tail.chars().all(char::is_lowercase) && after != Some('-')
}

/// True when `text[start..dot]` is a run of single letters separated by dots (`U.S`).
fn single_letters(text: &str, start: usize, dot: usize) -> bool {
    text.get(start..dot).is_some_and(|w| w.split('.').all(|p| p.chars().count() == 1))
}

fn next_is_word(text: &str, at: usize) -> bool {
    text.get(at..).and_then(|s| s.chars().next()).is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| t.text(text)).collect()
    }

    #[test]
    fn splits_words_and_punctuation() {
        assert_eq!(words("Kenya's levy, 1.5 per cent."), ["Kenya", "'s", "levy", ",", "1.5", "per", "cent", "."]);
        assert_eq!(words("al-Harthi O'Neil U.S. officials"), ["al-Harthi", "O'Neil", "U.S.", "officials"]);
        assert_eq!(words("$200,000 and 42-year-old"), ["$", "200,000", "and", "42-year-old"]);
        assert_eq!(words("Shippers' Council"), ["Shippers", "'", "Council"]);
        assert_eq!(words("Dr. K. T. Mensah"), ["Dr.", "K.", "T.", "Mensah"]);
        assert_eq!(words("Oslo-based Lashkar-e-Taiba"), ["Oslo", "-", "based", "Lashkar-e-Taiba"]);
        assert_eq!(words("UN-led anti-Kenya well-known"), ["UN", "-", "led", "anti-Kenya", "well-known"]);
        assert_eq!(words("Economic Co-operation"), ["Economic", "Co-operation"]);
    }

    #[test]
    fn marks_sentence_starts() {
        let text = "He left. The talks\nOman said: \"We";
        let toks = tokenize(text);
        let starts: Vec<&str> = toks.iter().filter(|t| t.sent_start).map(|t| t.text(text)).collect();
        assert_eq!(starts, ["He", "The", "Oman", "\"", "We"]);
        assert!(toks.iter().find(|t| t.text(text) == "Oman").is_some_and(|t| t.line_start));
    }

    #[test]
    fn flags_case() {
        let text = "MOMBASA Kenya eBay";
        let toks = tokenize(text);
        assert!(toks[0].all_caps && toks[0].cap);
        assert!(!toks[1].all_caps && toks[1].cap);
        assert!(!toks[2].cap);
    }
}
