//! docpipe-text: the text knowledge that plugins share.
//!
//! Plugins may not depend on each other, so rules that several stages need live here rather
//! than in one plugin (or copied into several). Core stays what the runner needs; this crate
//! depends on no docpipe crate, and plugins may depend on it (tidy checks both).
//!
//! - [`sentences`]: the fallback sentence rule, for stages that run without the splitter;
//! - [`abbreviations`]: abbreviations whose stop does not end a sentence, one list per use;
//! - [`function_words`]: stop words and function words, one list per use, and stop-word
//!   lookups;
//! - [`dateline`]: wire datelines (the splitter's pattern and a regex-free scan);
//! - [`lines`]: bylines, credits, related links, author bios and pull quotes by line shape;
//! - [`words`]: word scanning with offsets and hashes, word counting;
//! - [`hash`]: the stable FNV-1a hash (its values reach the output) and the hasher for
//!   in-memory tables.
//!
//! Where two stages tuned a rule differently, both variants are kept side by side under
//! names that say what each is for, with the difference written down: unifying them is a
//! behaviour change to be evaluated, not a refactoring.

pub mod abbreviations;
pub mod dateline;
pub mod function_words;
pub mod hash;
pub mod lines;
pub mod sentences;
pub mod words;
