//! Corpus-wide entity identity: stable ids, variant merging and the entity index.
//!
//! Every mention gets `entity_id = "E" + 16 hex digits` of a 64-bit FNV-1a hash
//! ([`docpipe_text::hash::fnv1a`], whose values are pinned by a test there) of its
//! label and folded canonical name (lower case, diacritics and punctuation removed), so the
//! same name gets the same id in every run with the same config, whatever the thread count.
//!
//! With merging on, the [`AliasTable`] (held by the ordered stage, in input order) also
//! merges spelling and transliteration variants of one name (`Mohammad Rezaei` /
//! `Mohammed Rezaie`, `Said Al Harthy` / `Saeed al-Harthi`): candidates share a label, a word
//! count and, word by word, a consonant skeleton; they merge when the Jaro-Winkler
//! similarity of the folded names reaches the configured threshold. Short names (one word of
//! at most four letters, or any name written all in capitals: `UID`, `BOTH`, `GCC`) are
//! acronyms or words, not spellings, so they merge only with an entity already mentioned in
//! the same document (`UID` / `UUID` in two unrelated READMEs stay apart). The first name
//! seen keeps its id and canonical name; the variants are listed in the index. Memory grows
//! with the number of distinct names only.

use std::collections::{BTreeSet, HashMap};

use docpipe_text::hash::fnv1a;

use crate::gazetteer::Label;

/// Folds a name for comparison: lower case, common Latin diacritics removed, `-`, `'` and
/// `.` dropped or turned into spaces, whitespace collapsed.
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut space = false;
    for c in name.chars() {
        let mapped: &str = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ą' | 'ā' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' | 'Ą' | 'Ā' => {
                "a"
            }
            'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
            'é' | 'è' | 'ê' | 'ë' | 'ę' | 'ē' | 'ě' | 'É' | 'È' | 'Ê' | 'Ë' | 'Ę' | 'Ē' | 'Ě' => "e",
            'í' | 'ì' | 'î' | 'ï' | 'ī' | 'Í' | 'Ì' | 'Î' | 'Ï' | 'Ī' | 'ı' | 'İ' => "i",
            'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'Ø' | 'Ō' => "o",
            'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ů' | 'Ú' | 'Ù' | 'Û' | 'Ü' | 'Ū' | 'Ů' => "u",
            'ý' | 'ÿ' | 'Ý' => "y",
            'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => "s",
            'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
            'ł' | 'Ł' => "l",
            'ř' | 'Ř' => "r",
            'ğ' | 'Ğ' => "g",
            'ß' => "ss",
            '\'' | '’' | '.' | 'ʿ' | 'ʾ' => "",
            _ => {
                if c.is_alphanumeric() {
                    for l in c.to_lowercase() {
                        if space && !out.is_empty() {
                            out.push(' ');
                        }
                        space = false;
                        out.push(l);
                    }
                } else {
                    space = true;
                }
                continue;
            }
        };
        if !mapped.is_empty() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push_str(mapped);
        }
    }
    out
}

/// The stable id of a (label, canonical) pair.
pub fn entity_id(label: Label, canonical: &str) -> String {
    let mut key = String::with_capacity(canonical.len() + 10);
    key.push_str(label.as_str());
    key.push('\t');
    key.push_str(&fold(canonical));
    format!("E{:016x}", fnv1a(key.as_bytes()))
}

/// Consonant skeleton of a folded word: `mohammed` → `mhmd`, `rezaie` → `rz`.
fn skeleton(word: &str) -> String {
    let w = word.replace("ph", "f").replace("kh", "k").replace("ck", "k").replace("dh", "d").replace("th", "t");
    let mut out = String::new();
    for (i, c) in w.chars().enumerate() {
        let c = match c {
            'q' | 'c' => 'k',
            'z' => 's',
            'w' => 'v',
            other => other,
        };
        if i > 0 && matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'h') {
            continue;
        }
        if out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Name particles ignored when comparing word by word.
const PARTICLES: &[&str] = &["al", "el", "bin", "ibn", "van", "von", "de", "da", "der", "la", "le", "abu"];

fn key_words(folded: &str) -> Vec<&str> {
    folded.split(' ').filter(|w| !PARTICLES.contains(w)).collect()
}

/// A name that is an acronym or a short word rather than a spelling of a name: written all
/// in capitals, or a single key word of at most four letters.
fn acronym_like(canonical: &str, words: &[&str]) -> bool {
    let letters: Vec<char> = canonical.chars().filter(|c| c.is_alphabetic()).collect();
    (letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()))
        || (words.len() == 1 && words[0].chars().count() <= 4)
}

/// Jaro-Winkler similarity of two strings (1.0 = equal).
///
/// Not `strsim::jaro_winkler`: that one halves the transpositions with integer division and
/// adds the prefix bonus only above 0.7, so it gives other values (`karima`/`karmai`: 0.961
/// there, 0.942 here) and would move `similarity` thresholds and merges.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_m = vec![false; a.len()];
    let mut b_m = vec![false; b.len()];
    let mut matches = 0usize;
    for i in 0..a.len() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_m[j] && a[i] == b[j] {
                a_m[i] = true;
                b_m[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let (mut t, mut k) = (0usize, 0usize);
    for i in 0..a.len() {
        if a_m[i] {
            while !b_m[k] {
                k += 1;
            }
            if a[i] != b[k] {
                t += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - t as f64 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(&b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// One corpus entity.
#[derive(Debug, Clone)]
pub struct Entity {
    /// Stable id.
    pub id: String,
    /// Label.
    pub label: Label,
    /// Canonical name (the first form seen).
    pub canonical: String,
    /// Surface forms seen.
    pub aliases: BTreeSet<String>,
    /// Other canonical names merged into this one.
    pub variants: BTreeSet<String>,
    /// Documents mentioning it.
    pub documents: u64,
    /// Mentions.
    pub mentions: u64,
    last_doc: u64,
}

/// The corpus alias table (see the module docs).
#[derive(Debug)]
pub struct AliasTable {
    merge: bool,
    similarity: f64,
    exact: HashMap<(Label, String), usize>,
    blocks: HashMap<(Label, String), Vec<usize>>,
    entities: Vec<Entity>,
}

impl AliasTable {
    /// A table; `merge` turns variant merging on, at the given Jaro-Winkler threshold.
    pub fn new(merge: bool, similarity: f64) -> Self {
        AliasTable { merge, similarity, exact: HashMap::new(), blocks: HashMap::new(), entities: Vec::new() }
    }

    /// Records a mention in document number `doc` (increasing); returns the entity's id and
    /// canonical name.
    pub fn resolve(&mut self, label: Label, canonical: &str, surface: &str, doc: u64) -> (&str, &str) {
        let folded = fold(canonical);
        let idx = match self.exact.get(&(label, folded.clone())) {
            Some(&i) => i,
            None => {
                let words = key_words(&folded);
                let block = (label, words.iter().map(|w| skeleton(w)).collect::<Vec<_>>().join(" "));
                let mut found = None;
                if self.merge
                    && !words.is_empty()
                    && let Some(cands) = self.blocks.get(&block)
                {
                    let mut best = 0.0;
                    let short = acronym_like(canonical, &words);
                    for &c in cands {
                        let other = fold(&self.entities[c].canonical);
                        let ow = key_words(&other);
                        if ow.len() != words.len() {
                            continue;
                        }
                        if (short || acronym_like(&self.entities[c].canonical, &ow)) && self.entities[c].last_doc != doc
                        {
                            continue;
                        }
                        let sim = jaro_winkler(&words.join(" "), &ow.join(" "));
                        if sim >= self.similarity && sim > best {
                            best = sim;
                            found = Some(c);
                        }
                    }
                }
                let i = match found {
                    Some(c) => {
                        self.entities[c].variants.insert(canonical.to_owned());
                        tracing::debug!(variant = canonical, canonical = %self.entities[c].canonical, "merged entity variant");
                        c
                    }
                    None => {
                        let i = self.entities.len();
                        self.entities.push(Entity {
                            id: entity_id(label, canonical),
                            label,
                            canonical: canonical.to_owned(),
                            aliases: BTreeSet::new(),
                            variants: BTreeSet::new(),
                            documents: 0,
                            mentions: 0,
                            last_doc: u64::MAX,
                        });
                        self.blocks.entry(block).or_default().push(i);
                        i
                    }
                };
                self.exact.insert((label, folded), i);
                i
            }
        };
        let e = &mut self.entities[idx];
        if !e.aliases.contains(surface) {
            e.aliases.insert(surface.to_owned());
        }
        e.mentions += 1;
        if e.last_doc != doc {
            e.last_doc = doc;
            e.documents += 1;
        }
        (&e.id, &e.canonical)
    }

    /// Every entity, in order of first mention.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_fold_diacritics() {
        assert_eq!(entity_id(Label::Gpe, "Kraków"), entity_id(Label::Gpe, "Krakow"));
        assert_ne!(entity_id(Label::Gpe, "Kraków"), entity_id(Label::Org, "Kraków"));
        assert_eq!(
            entity_id(Label::Person, "Anna Keller"),
            "E".to_owned() + &format!("{:016x}", fnv1a(b"PERSON\tanna keller"))
        );
        assert_eq!(fold("Saeed al-Harthi"), "saeed al harthi");
    }

    #[test]
    fn merges_transliteration_variants_only() {
        let mut t = AliasTable::new(true, 0.85);
        let a = t.resolve(Label::Person, "Mohammad Rezaei", "Mohammad Rezaei", 0).0.to_owned();
        let b = t.resolve(Label::Person, "Mohammed Rezaie", "Rezaie", 1).0.to_owned();
        let c = t.resolve(Label::Person, "Saeed al-Harthi", "Saeed al-Harthi", 1).0.to_owned();
        let d = t.resolve(Label::Person, "Said Al Harthy", "Said Al Harthy", 2).0.to_owned();
        let e = t.resolve(Label::Person, "Maria Keller", "Maria Keller", 2).0.to_owned();
        let f = t.resolve(Label::Person, "Anna Keller", "Anna Keller", 2).0.to_owned();
        assert_eq!(a, b);
        assert_eq!(c, d);
        assert_ne!(e, f);
        let first = &t.entities()[0];
        assert_eq!((first.documents, first.mentions), (2, 2));
        assert!(first.variants.contains("Mohammed Rezaie"));
        let mut off = AliasTable::new(false, 0.85);
        let a = off.resolve(Label::Person, "Mohammad Rezaei", "x", 0).0.to_owned();
        assert_ne!(a, off.resolve(Label::Person, "Mohammed Rezaie", "y", 0).0);
    }

    #[test]
    fn acronyms_merge_only_within_a_document() {
        let mut t = AliasTable::new(true, 0.85);
        let uid = t.resolve(Label::Org, "UID", "UID", 0).0.to_owned();
        let uuid = t.resolve(Label::Org, "UUID", "UUID", 1).0.to_owned();
        assert_ne!(uid, uuid);
        let both = t.resolve(Label::Org, "BOTH", "BOTH", 2).0.to_owned();
        let boot = t.resolve(Label::Org, "BOOT", "BOOT", 3).0.to_owned();
        assert_ne!(both, boot);
        // Seen in the same document, a spelling variant of an all-capital name still merges.
        let a = t.resolve(Label::Person, "MOHAMMAD REZAEI", "MOHAMMAD REZAEI", 4).0.to_owned();
        let b = t.resolve(Label::Person, "MOHAMMED REZAIE", "MOHAMMED REZAIE", 4).0.to_owned();
        assert_eq!(a, b);
        // Longer names still merge across documents.
        let c = t.resolve(Label::Person, "Saeed al-Harthi", "Saeed al-Harthi", 5).0.to_owned();
        let d = t.resolve(Label::Person, "Said Al Harthy", "Said Al Harthy", 6).0.to_owned();
        assert_eq!(c, d);
    }

    #[test]
    fn jaro_winkler_bounds() {
        assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.01);
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("abc", ""), 0.0);
        // Three half-transpositions count 1.5 (see the function's note on `strsim`).
        assert!((jaro_winkler("karima", "karmai") - 0.9417).abs() < 1e-4);
    }
}
