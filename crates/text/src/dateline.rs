//! Wire datelines (`MOMBASA (Wire) -`, `KRAKOW, Poland, March 3 (MPA) -`, `KRAKÓW —`): the
//! place, date and agency that open a news story, not part of its first sentence.
//!
//! Two detectors, for two situations, kept apart on purpose:
//!
//! - [`PATTERN`]: the splitter's regular expression (compiled there, where `regex` is a
//!   dependency anyway, and replaceable by the `dateline_patterns` option), checked with
//!   what follows (a capital, digit or quote). Up to four upper-case place words, then
//!   `, Region` parts, a `, March 3` date, an `(Agency)` and a dash; colon forms
//!   (`LONDON:`) are left out because `READ MORE:` would look like a place.
//! - [`dateline_len`]: a regex-free scan for stages that run without the splitter's blocks
//!   (the summariser). It accepts colon forms (`LONDON:`), since it only trims the opening of
//!   lines already taken as body prose, and any words between the capitalised first word
//!   and the dash, up to 80 bytes, unless a lower-case word or sentence punctuation comes
//!   first.
//!
//! The entity tagger has a third, token-based rule (all-capital words at a line start before
//! `(`, `-`, `,` or `:` are a place): it labels the place inside the dateline rather than
//! finding where the dateline ends, so it stays with the tagger.

/// The built-in dateline pattern: an upper-case place (up to four words), optional
/// `, Region`/`, Country` parts, an optional `, March 3` date, an optional `(Agency)`, then a
/// dash (`-`, `--`, `–`, `—`). Matched at the start of a line. Colon forms (`NEW DELHI:`)
/// are left to configured patterns: the default would take `READ MORE:` for a place.
pub const PATTERN: &str = r"^\p{Lu}[\p{Lu}'’.\-]+(?:[ ]\p{Lu}[\p{Lu}'’.\-]+){0,3}(?:,[ ]\p{Lu}[\p{L}.'’\-]*(?:[ ]\p{Lu}[\p{L}.'’\-]*){0,2}){0,2}(?:,[ ](?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?[ ]\d{1,2})?(?:[ ]?\([^()\n]{1,60}\))?[ ]?(?:--|—|–|-)(?:[ ]|$)";

/// Length in bytes of a wire dateline at the start of `line` (`MOMBASA (Wire) -`,
/// `KRAKOW, Poland, March 3 (MPA) -`, `KRAKÓW —`), including the closing dash or colon, or
/// `None`. The first word must be in capitals (two letters or more) and the dateline at
/// most 80 bytes long.
pub fn dateline_len(line: &str) -> Option<usize> {
    let first: String = line.chars().take_while(|c| c.is_alphabetic()).collect();
    if first.chars().count() < 2 || first.chars().any(|c| !c.is_uppercase()) {
        return None;
    }
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        if i > 80 {
            return None;
        }
        // Sentence punctuation or a lower-case word before the dash: not a dateline.
        if matches!(c, '!' | '?' | '"' | '“' | '”') || (c.is_lowercase() && matches!(prev, ' ' | ',' | '(')) {
            return None;
        }
        let dash = matches!(c, '-' | '–' | '—');
        if (dash && (prev == ' ' || prev == ')')) || (c == ':' && i > 0) {
            // Take the whole run of dashes.
            let mut end = i + c.len_utf8();
            for d in line[end..].chars() {
                if matches!(d, '-' | '–' | '—') {
                    end += d.len_utf8();
                } else {
                    break;
                }
            }
            let after = line[end..].chars().next();
            if after.is_none_or(char::is_whitespace) {
                return Some(end);
            }
            return None;
        }
        prev = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_datelines() {
        for (line, dl) in [
            ("MOMBASA (Coastline Wire) - The talks", "MOMBASA (Coastline Wire) -"),
            ("KRAKOW, Poland, March 3 (MPA) - Votes", "KRAKOW, Poland, March 3 (MPA) -"),
            ("ACCRA (Coastline Wire)-- The cedi", "ACCRA (Coastline Wire)--"),
            ("KRAKÓW — The count", "KRAKÓW —"),
            ("KRAKÓW, March 5 –", "KRAKÓW, March 5 –"),
            ("LONDON: Shares fell", "LONDON:"),
        ] {
            assert_eq!(dateline_len(line).map(|n| &line[..n]), Some(dl), "{line}");
        }
        for line in [
            "The talks - which ran late - ended.",
            "A (B) - c",
            "UN-backed forces advanced.",
            "I - me",
            "",
            "US officials said - fine",
        ] {
            assert_eq!(dateline_len(line), None, "{line}");
        }
    }
}
