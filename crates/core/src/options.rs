//! Stage options described by their Rust types: the one source of `docpipe stages`,
//! `docs/stages.md`, the JSON Schema of a pipeline and the unknown-key checks of `check`.
//!
//! A plugin writes its options struct once:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//!
//! /// Options of the `word-stats` stage.
//! #[derive(Debug, Deserialize, Serialize, docpipe_core::Options)]
//! #[serde(deny_unknown_fields, default)]
//! pub struct Options {
//!     /// Documents with fewer words are dropped.
//!     pub min_words: usize,
//!     /// Where to write a report (none: no report).
//!     pub report: Option<String>,
//! }
//!
//! impl Default for Options {
//!     fn default() -> Self {
//!         Options { min_words: 5, report: None }
//!     }
//! }
//!
//! use docpipe_core::options::{OptionDefault, Options as _};
//! let docs = Options::docs();
//! assert_eq!((docs[0].name, docs[0].ty.as_str()), ("min_words", "non-negative integer"));
//! assert_eq!(docs[0].default.to_string(), "5");
//! assert_eq!(docs[1].default, OptionDefault::None);
//! ```
//!
//! and [`crate::register_stage!`] registers it. The derive ([`Options`]) takes the names as
//! serde reads them, the meanings from the doc comments, the types through [`OptionType`] and
//! the defaults by serialising the struct's `Default` value, so none of them can drift from
//! what the stage accepts. `Option<T>` fields whose default is `None` are optional (shown as
//! "none"), fields without any default are required.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Serialize, forward_to_deserialize_any};

/// A JSON Schema fragment.
pub type Json = serde_json::Value;

/// An options struct: `#[derive(docpipe_core::Options)]` implements it.
pub trait Options: DeserializeOwned + Serialize {
    /// Every option, in declaration order.
    fn docs() -> Vec<OptionDoc>;

    /// Checks that the documented defaults mean what leaving the options out means: a table
    /// of every documented default deserialises to the same value as an empty table. With
    /// required options there is nothing to compare; each default must still be writable.
    fn check_documented_defaults() -> Result<(), String> {
        let mut table = toml::Table::new();
        let mut required = false;
        for o in Self::docs() {
            match o.default {
                OptionDefault::Value(v) => {
                    table.insert(o.name.to_owned(), v);
                }
                OptionDefault::Text(t) => return Err(format!("option `{}`: {t}", o.name)),
                OptionDefault::Required => required = true,
                OptionDefault::None => {}
            }
        }
        if required {
            return Ok(());
        }
        let from_docs = Self::deserialize(toml::Value::Table(table.clone()))
            .map_err(|e| format!("the documented defaults {table} do not parse: {e}"))?;
        let from_none = Self::deserialize(toml::Value::Table(toml::Table::new())).map_err(|e| e.to_string())?;
        let show = |v: &Self| toml::Value::try_from(v).map(|v| v.to_string()).map_err(|e| e.to_string());
        let (a, b) = (show(&from_docs)?, show(&from_none)?);
        if a != b {
            return Err(format!("the documented defaults give {a}, no options give {b}"));
        }
        Ok(())
    }
}

/// A type an option can have: how `docpipe stages` names it and its JSON Schema.
///
/// Implemented for booleans, numbers, strings, paths, arrays, tables, `Option<T>` and
/// `toml::Spanned<T>`; `#[derive(docpipe_core::OptionType)]` implements it for enums of
/// unit variants (read as `"a" | "b"`). A type with its own `Deserialize` (a name or a
/// number, say) implements it by hand.
pub trait OptionType {
    /// The type as a user reads it: `boolean`, `string`, `"a" | "b"`, `array of strings`.
    fn describe() -> String;
    /// The plural, for arrays (`strings`); an enum keeps `"a" | "b"`.
    fn describe_plural() -> String {
        format!("{}s", Self::describe())
    }
    /// The JSON Schema of a value.
    fn schema() -> Json;
    /// Whether this value means "not set" (`None`): such a default is shown as `none`.
    fn is_none(&self) -> bool {
        false
    }
}

/// The default of one option.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionDefault {
    /// No default: the option must be set.
    Required,
    /// Optional and unset by default (`Option<T>` defaulting to `None`).
    None,
    /// This value, as TOML.
    Value(toml::Value),
    /// Why the default cannot be shown (it does not serialise to TOML).
    Text(Cow<'static, str>),
}

impl OptionDefault {
    /// The default of an option whose default value is `value`.
    pub fn of<T: OptionType + Serialize>(value: &T) -> OptionDefault {
        if value.is_none() {
            return OptionDefault::None;
        }
        match toml::Value::try_from(value) {
            Ok(v) => OptionDefault::Value(v),
            // Every type with an OptionType impl serialises to TOML; a test checks each
            // registered default, so this only names the problem for it.
            Err(e) => OptionDefault::Text(format!("(cannot be written as TOML: {e})").into()),
        }
    }

    /// The default as JSON, for the schema (`None` when there is none to show).
    pub fn json(&self) -> Option<Json> {
        match self {
            OptionDefault::Value(v) => serde_json::to_value(v).ok(),
            _ => None,
        }
    }
}

impl fmt::Display for OptionDefault {
    /// `required`, `none`, or the value as TOML (`"straight"`, `[]`, `0.8`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionDefault::Required => f.write_str("required"),
            OptionDefault::None => f.write_str("none"),
            OptionDefault::Value(v) => write!(f, "{v}"),
            OptionDefault::Text(t) => f.write_str(t),
        }
    }
}

/// Documentation of one option of a stage.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionDoc {
    /// The TOML key.
    pub name: &'static str,
    /// Its type, as a user reads it.
    pub ty: String,
    /// Its default.
    pub default: OptionDefault,
    /// What it means (the field's doc comment).
    pub doc: &'static str,
    /// The JSON Schema of its value (`{}` when unknown).
    pub schema: Json,
}

impl OptionDoc {
    /// The documentation of an option of type `T` (what the derive generates).
    pub fn new<T: OptionType>(name: &'static str, doc: &'static str, default: OptionDefault) -> OptionDoc {
        OptionDoc { name, ty: T::describe(), default, doc, schema: T::schema() }
    }
}

macro_rules! scalar {
    ($desc:literal, $schema:tt: $($t:ty),*) => {$(
        impl OptionType for $t {
            fn describe() -> String {
                $desc.to_owned()
            }
            fn schema() -> Json {
                serde_json::json!($schema)
            }
        }
    )*};
}

scalar!("boolean", {"type": "boolean"}: bool);
scalar!("non-negative integer", {"type": "integer", "minimum": 0}: u8, u16, u32, u64, usize);
scalar!("integer", {"type": "integer"}: i8, i16, i32, i64, isize);
scalar!("number", {"type": "number"}: f32, f64);
scalar!("string", {"type": "string"}: String);
scalar!("path", {"type": "string"}: PathBuf);

impl<T: OptionType> OptionType for Vec<T> {
    fn describe() -> String {
        format!("array of {}", T::describe_plural())
    }
    fn describe_plural() -> String {
        format!("arrays of {}", T::describe_plural())
    }
    fn schema() -> Json {
        serde_json::json!({"type": "array", "items": T::schema()})
    }
}

impl<T: OptionType> OptionType for Option<T> {
    fn describe() -> String {
        T::describe()
    }
    fn describe_plural() -> String {
        T::describe_plural()
    }
    fn schema() -> Json {
        T::schema()
    }
    fn is_none(&self) -> bool {
        self.is_none()
    }
}

impl<T: OptionType> OptionType for toml::Spanned<T> {
    fn describe() -> String {
        T::describe()
    }
    fn describe_plural() -> String {
        T::describe_plural()
    }
    fn schema() -> Json {
        T::schema()
    }
    fn is_none(&self) -> bool {
        self.get_ref().is_none()
    }
}

macro_rules! table {
    ($($t:ident),*) => {$(
        impl<T: OptionType> OptionType for $t<String, T> {
            fn describe() -> String {
                format!("table of {}", T::describe_plural())
            }
            fn schema() -> Json {
                serde_json::json!({"type": "object", "additionalProperties": T::schema()})
            }
        }
    )*};
}

table!(BTreeMap, HashMap);

/// The names serde accepts for the unit enum `T`, read from its `Deserialize` impl (so
/// `rename_all` and `rename` count exactly as serde counts them); empty if `T` does not
/// deserialise as an enum.
pub fn variants<T: DeserializeOwned>() -> Vec<&'static str> {
    let mut found = Vec::new();
    let _ = T::deserialize(VariantNames { found: &mut found });
    found
}

/// `"a" | "b" | "c"`.
pub fn enum_describe(variants: &[&str]) -> String {
    variants.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(" | ")
}

/// `{"enum": ["a", "b", "c"]}`.
pub fn enum_schema(variants: &[&str]) -> Json {
    serde_json::json!({"type": "string", "enum": variants})
}

/// A deserializer that only records the variant names a `Deserialize` impl asks for.
struct VariantNames<'a> {
    found: &'a mut Vec<&'static str>,
}

/// The error [`VariantNames`] stops with.
#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("variant names recorded")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<M: fmt::Display>(_: M) -> Self {
        Stop
    }
}

impl<'de> Deserializer<'de> for VariantNames<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        self.found.extend_from_slice(variants);
        Err(Stop)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The JSON Schema of a table whose keys are `options` (plus `extra` properties), rejecting
/// other keys.
pub fn table_schema(options: &[OptionDoc], extra: &[(&str, Json)]) -> Json {
    let mut properties = serde_json::Map::new();
    for (k, v) in extra {
        properties.insert((*k).to_owned(), v.clone());
    }
    let mut required = Vec::new();
    for o in options {
        let mut s = o.schema.clone();
        if let Json::Object(m) = &mut s {
            m.insert("description".into(), o.doc.into());
            if let Some(d) = o.default.json() {
                m.insert("default".into(), d);
            }
        }
        if o.default == OptionDefault::Required {
            required.push(Json::from(o.name));
        }
        properties.insert(o.name.to_owned(), s);
    }
    let mut out = serde_json::json!({"type": "object", "properties": properties, "additionalProperties": false});
    if !required.is_empty() {
        out["required"] = Json::Array(required);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// A style.
    #[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, crate::OptionType)]
    #[serde(rename_all = "kebab-case")]
    enum Style {
        PlainText,
        #[serde(rename = "md")]
        Markdown,
    }

    #[derive(Debug, Deserialize, Serialize, crate::Options)]
    #[serde(deny_unknown_fields, default, rename_all = "camelCase")]
    struct Probe {
        /// A flag
        /// over two lines.
        some_flag: bool,
        /// A style.
        style: Style,
        /// Styles.
        styles: Vec<Style>,
        /// Optional.
        #[serde(rename = "out")]
        output: Option<String>,
        /// Ratio.
        ratio: f64,
    }

    impl Default for Probe {
        fn default() -> Self {
            Probe { some_flag: true, style: Style::Markdown, styles: vec![Style::PlainText], output: None, ratio: 0.0 }
        }
    }

    #[derive(Debug, Deserialize, Serialize, crate::Options)]
    #[serde(deny_unknown_fields)]
    struct WithRequired {
        /// Needed.
        path: String,
        /// Has one.
        #[serde(default = "three")]
        n: u32,
        /// Type default.
        #[serde(default)]
        names: Vec<String>,
    }

    fn three() -> u32 {
        3
    }

    #[test]
    fn names_types_defaults_and_meanings_come_from_the_struct() {
        let d = Probe::docs();
        let rows: Vec<(&str, &str, String, &str)> =
            d.iter().map(|o| (o.name, o.ty.as_str(), o.default.to_string(), o.doc)).collect();
        assert_eq!(
            rows,
            [
                ("someFlag", "boolean", "true".to_owned(), "A flag over two lines."),
                ("style", "\"plain-text\" | \"md\"", "\"md\"".to_owned(), "A style."),
                ("styles", "array of \"plain-text\" | \"md\"", "[\"plain-text\"]".to_owned(), "Styles."),
                ("out", "string", "none".to_owned(), "Optional."),
                ("ratio", "number", "0.0".to_owned(), "Ratio."),
            ]
        );
        assert_eq!(Probe::check_documented_defaults(), Ok(()));
        assert_eq!(WithRequired::check_documented_defaults(), Ok(()));
        let w = WithRequired::docs();
        assert_eq!(w[0].default, OptionDefault::Required);
        assert_eq!(w[1].default.to_string(), "3");
        assert_eq!(w[2].default.to_string(), "[]");
    }

    #[test]
    fn the_schema_lists_required_keys_and_defaults() {
        let s = table_schema(&WithRequired::docs(), &[]);
        assert_eq!(s["required"], serde_json::json!(["path"]));
        assert_eq!(s["properties"]["n"]["default"], 3);
        assert_eq!(s["additionalProperties"], false);
        let s = table_schema(&Probe::docs(), &[]);
        assert_eq!(s["properties"]["style"]["enum"], serde_json::json!(["plain-text", "md"]));
        assert!(s.get("required").is_none());
    }
}
