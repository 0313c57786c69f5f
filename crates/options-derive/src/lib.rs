//! Derives for stage options; plugins use them as `docpipe_core::Options` and
//! `docpipe_core::OptionType` (core re-exports them, so a plugin needs no new dependency).
//!
//! `#[derive(Options)]` reads an options struct the way serde reads it — field names after
//! `rename`/`rename_all`, which fields have a default (`#[serde(default)]` on the struct or
//! the field) and which are required — and takes each field's doc comment as its meaning.
//! It generates `docpipe_core::options::Options::docs`, which asks each field's type for
//! its description and JSON Schema (`docpipe_core::options::OptionType`) and renders each
//! default by serialising the struct's `Default` value at run time, so the documented
//! default is the real one. Nothing here parses Rust types: a type the docs cannot describe
//! fails to compile with "OptionType is not implemented".
//!
//! `#[derive(OptionType)]` on a unit enum describes it by the names serde accepts for it,
//! which core reads from the enum's `Deserialize` impl at run time (so `rename_all` and
//! `rename` are honoured exactly as serde honours them).

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;
use syn::{Attribute, Data, DeriveInput, Expr, ExprLit, Fields, Lit, LitStr, Meta, parse_macro_input};

/// Derives `docpipe_core::options::Options` for a struct of named fields with
/// `#[serde(deny_unknown_fields)]`. Doc comments of the fields are the options' meanings.
#[proc_macro_derive(Options)]
pub fn derive_options(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    options(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Derives `docpipe_core::options::OptionType` for an enum of unit variants that derives
/// `Deserialize` (its type reads as `"a" | "b"`).
#[proc_macro_derive(OptionType)]
pub fn derive_option_type(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    option_type(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// How a field gets its value when the key is absent.
enum FieldDefault {
    /// From the struct's default value (`#[serde(default)]` on the struct).
    Container,
    /// `#[serde(default)]` on the field.
    Type,
    /// `#[serde(default = "path")]` on the field.
    Function(syn::ExprPath),
    /// None: the option is required.
    Required,
}

/// What the `#[serde(...)]` attributes of the struct say.
#[derive(Default)]
struct ContainerAttrs {
    rename_all: Option<String>,
    /// `Some(None)` for `default`, `Some(Some(path))` for `default = "path"`.
    default: Option<Option<syn::ExprPath>>,
    deny_unknown_fields: bool,
}

/// What the `#[serde(...)]` attributes of one field say.
#[derive(Default)]
struct FieldAttrs {
    rename: Option<String>,
    default: Option<Option<syn::ExprPath>>,
    skip: bool,
}

fn options(input: &DeriveInput) -> syn::Result<TokenStream2> {
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(&input.generics, "#[derive(Options)] takes a struct without generics"));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, "#[derive(Options)] takes a struct of named fields"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(&input.ident, "#[derive(Options)] takes a struct of named fields"));
    };
    let container = container_attrs(&input.attrs)?;
    if !container.deny_unknown_fields {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "stage options must reject unknown keys: add `#[serde(deny_unknown_fields)]`",
        ));
    }
    let mut docs = Vec::new();
    for field in &fields.named {
        let attrs = field_attrs(&field.attrs)?;
        if attrs.skip {
            continue;
        }
        let Some(ident) = &field.ident else { continue };
        let rust_name = ident.to_string();
        let rust_name = rust_name.strip_prefix("r#").unwrap_or(&rust_name);
        let key = match (&attrs.rename, &container.rename_all) {
            (Some(r), _) => r.clone(),
            (None, Some(rule)) => rename_field(rust_name, rule)
                .ok_or_else(|| syn::Error::new_spanned(ident, format!("unknown serde rename_all rule `{rule}`")))?,
            (None, None) => rust_name.to_owned(),
        };
        let doc = doc_comment(&field.attrs);
        if doc.is_empty() {
            return Err(syn::Error::new_spanned(
                ident,
                "document the option: its doc comment is its meaning in `docpipe stages`",
            ));
        }
        let default = match (attrs.default, &container.default) {
            (Some(Some(path)), _) => FieldDefault::Function(path),
            (Some(None), _) => FieldDefault::Type,
            (None, Some(_)) => FieldDefault::Container,
            (None, None) => FieldDefault::Required,
        };
        let ty = &field.ty;
        let default = match default {
            FieldDefault::Container => quote! { ::docpipe_core::options::OptionDefault::of(&__defaults.#ident) },
            FieldDefault::Type => {
                quote! { ::docpipe_core::options::OptionDefault::of(&<#ty as ::core::default::Default>::default()) }
            }
            FieldDefault::Function(path) => quote! { ::docpipe_core::options::OptionDefault::of::<#ty>(&#path()) },
            FieldDefault::Required => quote! { ::docpipe_core::options::OptionDefault::Required },
        };
        docs.push(quote! { ::docpipe_core::options::OptionDoc::new::<#ty>(#key, #doc, #default) });
    }
    let name = &input.ident;
    let defaults = match &container.default {
        Some(None) => quote! { let __defaults: Self = <Self as ::core::default::Default>::default(); },
        Some(Some(path)) => quote! { let __defaults: Self = #path(); },
        None => quote! {},
    };
    Ok(quote! {
        impl ::docpipe_core::options::Options for #name {
            fn docs() -> ::std::vec::Vec<::docpipe_core::options::OptionDoc> {
                #defaults
                ::std::vec![#(#docs),*]
            }
        }
    })
}

fn option_type(input: &DeriveInput) -> syn::Result<TokenStream2> {
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(&input.generics, "#[derive(OptionType)] takes an enum without generics"));
    }
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, "#[derive(OptionType)] takes an enum of unit variants"));
    };
    if let Some(v) = data.variants.iter().find(|v| !matches!(v.fields, Fields::Unit)) {
        return Err(syn::Error::new_spanned(
            &v.ident,
            "#[derive(OptionType)] takes unit variants only; implement OptionType by hand for this type",
        ));
    }
    let name = &input.ident;
    Ok(quote! {
        impl ::docpipe_core::options::OptionType for #name {
            fn describe() -> ::std::string::String {
                ::docpipe_core::options::enum_describe(&::docpipe_core::options::variants::<Self>())
            }
            fn describe_plural() -> ::std::string::String {
                Self::describe()
            }
            fn schema() -> ::docpipe_core::options::Json {
                ::docpipe_core::options::enum_schema(&::docpipe_core::options::variants::<Self>())
            }
        }
    })
}

fn container_attrs(attrs: &[Attribute]) -> syn::Result<ContainerAttrs> {
    let mut out = ContainerAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                out.rename_all = Some(deserialize_name(&meta)?);
            } else if meta.path.is_ident("default") {
                out.default = Some(default_path(&meta)?);
            } else if meta.path.is_ident("deny_unknown_fields") {
                out.deny_unknown_fields = true;
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        })?;
    }
    Ok(out)
}

fn field_attrs(attrs: &[Attribute]) -> syn::Result<FieldAttrs> {
    let mut out = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                out.rename = Some(deserialize_name(&meta)?);
            } else if meta.path.is_ident("default") {
                out.default = Some(default_path(&meta)?);
            } else if meta.path.is_ident("skip") || meta.path.is_ident("skip_deserializing") {
                out.skip = true;
            } else if meta.path.is_ident("flatten") {
                return Err(meta.error("#[derive(Options)] does not support `flatten`: list the options in one struct"));
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// `rename = "x"` or `rename(deserialize = "x", serialize = "y")`: the name serde reads.
fn deserialize_name(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<String> {
    if meta.input.peek(syn::Token![=]) {
        return Ok(meta.value()?.parse::<LitStr>()?.value());
    }
    let mut name = None;
    meta.parse_nested_meta(|inner| {
        let value = inner.value()?.parse::<LitStr>()?.value();
        if inner.path.is_ident("deserialize") {
            name = Some(value);
        }
        Ok(())
    })?;
    name.ok_or_else(|| meta.error("expected `deserialize = \"...\"`"))
}

/// `default` or `default = "path"`.
fn default_path(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Option<syn::ExprPath>> {
    if meta.input.peek(syn::Token![=]) {
        let lit = meta.value()?.parse::<LitStr>()?;
        return Ok(Some(lit.parse()?));
    }
    Ok(None)
}

/// Consumes the value of an attribute this derive does not need (`alias = "x"`, `bound(...)`).
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_value(&inner))?;
    }
    Ok(())
}

/// serde's `rename_all` rule applied to a field name (fields are snake_case in Rust).
fn rename_field(field: &str, rule: &str) -> Option<String> {
    let pascal = || {
        let mut out = String::new();
        let mut upper = true;
        for c in field.chars() {
            if c == '_' {
                upper = true;
            } else if upper {
                out.push(c.to_ascii_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        }
        out
    };
    Some(match rule {
        "lowercase" | "snake_case" => field.to_owned(),
        "UPPERCASE" | "SCREAMING_SNAKE_CASE" => field.to_ascii_uppercase(),
        "PascalCase" => pascal(),
        "camelCase" => {
            let p = pascal();
            let mut chars = p.chars();
            chars.next().map(|f| f.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
        }
        "kebab-case" => field.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => field.to_ascii_uppercase().replace('_', "-"),
        _ => return None,
    })
}

/// The doc comment as one paragraph: lines joined by spaces (the meaning is printed wrapped,
/// and as one Markdown table cell).
fn doc_comment(attrs: &[Attribute]) -> String {
    let mut words: Vec<String> = Vec::new();
    for attr in attrs {
        if let Meta::NameValue(nv) = &attr.meta
            && nv.path.is_ident("doc")
            && let Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) = &nv.value
        {
            let line = s.value();
            let line = line.trim();
            if !line.is_empty() {
                words.push(line.to_owned());
            }
        }
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_rules_match_serde() {
        assert_eq!(rename_field("max_words", "camelCase").as_deref(), Some("maxWords"));
        assert_eq!(rename_field("max_words", "PascalCase").as_deref(), Some("MaxWords"));
        assert_eq!(rename_field("max_words", "kebab-case").as_deref(), Some("max-words"));
        assert_eq!(rename_field("max_words", "SCREAMING-KEBAB-CASE").as_deref(), Some("MAX-WORDS"));
        assert_eq!(rename_field("max_words", "lowercase").as_deref(), Some("max_words"));
        assert_eq!(rename_field("max_words", "Title"), None);
    }
}
