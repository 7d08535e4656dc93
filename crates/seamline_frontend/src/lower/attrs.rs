//! Attributes: `#[path]`, derives and ORM mapping attributes, read through any number of
//! `#[cfg_attr(predicate, ..)]` layers (every cfg branch is taken).

use crate::syntax::{ItemSyntax, TableAttr};
use proc_macro2::{TokenStream, TokenTree};
use syn::punctuated::Punctuated;

/// Calls `f` on the metas of the attributes, with `cfg_attr(pred, a, b)` replaced by `a`
/// and `b` (recursively); each meta comes with the line of its attribute.
pub(super) fn each_meta(attrs: &[syn::Attribute], f: &mut dyn FnMut(&syn::Meta, u32)) {
    for attr in attrs {
        let line = attr.pound_token.span.start().line as u32;
        visit_meta(&attr.meta, line, f, 0);
    }
}

fn visit_meta(meta: &syn::Meta, line: u32, f: &mut dyn FnMut(&syn::Meta, u32), depth: u32) {
    if depth > 16 {
        return;
    }
    match meta {
        syn::Meta::List(list) if list.path.is_ident("cfg_attr") => {
            for chunk in split_commas(&list.tokens).into_iter().skip(1) {
                if let Ok(inner) = syn::parse2::<syn::Meta>(chunk) {
                    visit_meta(&inner, line, f, depth + 1);
                }
            }
        }
        _ => f(meta, line),
    }
}

/// Splits a token stream at its top-level commas, dropping empty chunks.
pub(super) fn split_commas(tokens: &TokenStream) -> Vec<TokenStream> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for tt in tokens.clone() {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ',' => {
                if !cur.is_empty() {
                    out.push(cur.drain(..).collect());
                }
            }
            _ => cur.push(tt),
        }
    }
    if !cur.is_empty() {
        out.push(cur.into_iter().collect());
    }
    out
}

/// Every `#[path = ".."]` value, also inside `cfg_attr`, in order.
pub(super) fn path_attrs(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    each_meta(attrs, &mut |meta, _| {
        if let syn::Meta::NameValue(nv) = meta
            && nv.path.is_ident("path")
            && let Some(v) = lit_str(&nv.value)
        {
            out.push(v);
        }
    });
    out
}

fn lit_str(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// Fills derives and the ORM mapping of a model from its attributes.
///
/// Mapping rules: diesel `#[diesel(table_name = x)]` (the last segment of the path, or a
/// string), diesel 1 `#[table_name = "x"]`, sea-orm `#[sea_orm(table_name = "x")]`. The
/// first one found wins. sqlx's `FromRow` names no table: it shows in `derives` only.
pub(super) fn model_attrs(attrs: &[syn::Attribute], item: &mut ItemSyntax) {
    each_meta(attrs, &mut |meta, line| match meta {
        syn::Meta::List(list) if list.path.is_ident("derive") => {
            let parser = Punctuated::<syn::Path, syn::Token![,]>::parse_terminated;
            if let Ok(paths) = syn::parse::Parser::parse2(parser, list.tokens.clone()) {
                for p in paths {
                    if let Some(seg) = p.segments.last() {
                        item.derives.push(super::ident_str(&seg.ident));
                    }
                    let (line, col) = super::path_line_col(&p);
                    item.derive_paths.push(crate::syntax::PathRef {
                        path: super::path_segments(&p),
                        kind: seamline_ir::DepKind::Call,
                        line,
                        col,
                        in_macro: false,
                    });
                }
            }
        }
        syn::Meta::List(list) if list.path.is_ident("diesel") || list.path.is_ident("sea_orm") => {
            if item.table_attr.is_none()
                && let Some(table) = key_value(&list.tokens, "table_name")
            {
                item.table_attr = Some(TableAttr { table, line });
            }
        }
        syn::Meta::NameValue(nv) if nv.path.is_ident("table_name") => {
            if item.table_attr.is_none()
                && let Some(table) = lit_str(&nv.value)
            {
                item.table_attr = Some(TableAttr { table, line });
            }
        }
        _ => {}
    });
    item.derives.sort();
    item.derives.dedup();
}

/// In `a = 1, key = some::path, c(..)`, the value of `key`: a string literal's value or the
/// last identifier of a path.
fn key_value(tokens: &TokenStream, key: &str) -> Option<String> {
    for chunk in split_commas(tokens) {
        let tts: Vec<TokenTree> = chunk.into_iter().collect();
        let is_key = matches!(tts.first(), Some(TokenTree::Ident(i)) if i == key)
            && matches!(tts.get(1), Some(TokenTree::Punct(p)) if p.as_char() == '=');
        if !is_key {
            continue;
        }
        let rest: TokenStream = tts[2..].iter().cloned().collect();
        if let Ok(s) = syn::parse2::<syn::LitStr>(rest.clone()) {
            let v = s.value();
            // A schema-qualified name keeps the table part.
            let v = v.rsplit('.').next().unwrap_or("").to_owned();
            return (!v.is_empty()).then_some(v);
        }
        if let Ok(p) = syn::parse2::<syn::Path>(rest) {
            return p.segments.last().map(|s| super::ident_str(&s.ident));
        }
    }
    None
}

/// Whether the attributes make the item test code: `#[cfg(test)]`, or a `cfg(all(..))`
/// that requires `test`. `cfg(any(test, ..))` and `cfg_attr` do not.
pub(super) fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    fn requires_test(meta: &syn::Meta, depth: u32) -> bool {
        match meta {
            syn::Meta::Path(p) => p.is_ident("test"),
            syn::Meta::List(list) if list.path.is_ident("all") && depth < 8 => {
                split_commas(&list.tokens).into_iter().any(|chunk| {
                    syn::parse2::<syn::Meta>(chunk).is_ok_and(|m| requires_test(&m, depth + 1))
                })
            }
            _ => false,
        }
    }
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| requires_test(&m, 0))
    })
}

/// The macro names a `#[proc_macro_derive(Name, attributes(..))]` function defines.
pub(super) fn proc_macro_derive_name(attrs: &[syn::Attribute]) -> Option<syn::Ident> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::List(list) if list.path.is_ident("proc_macro_derive") => {
            let first = split_commas(&list.tokens).into_iter().next()?;
            syn::parse2::<syn::Ident>(first).ok()
        }
        _ => None,
    })
}
