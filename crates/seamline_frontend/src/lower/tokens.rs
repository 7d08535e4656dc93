//! Token-level helpers: printing types and signatures on one line, scanning token streams
//! that did not parse for paths and string literals, and reading diesel `table!` bodies.

use crate::syntax::PathRef;
use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use seamline_ir as ir;

/// How deep nested groups are followed by the scanners (bad input must not overflow).
const MAX_DEPTH: u32 = 128;

/// Prints tokens on one line the way rustfmt would for simple types and signatures:
/// `fn pay(order: &Order) -> Result<(), Error>`, `Option<Vec<Order>>`, `&'a mut T`.
///
/// Every signature and field type goes through here, so the words and operators are
/// written into one shared buffer and the atoms are ranges of it (no allocation per token).
pub(super) fn print(tokens: TokenStream) -> String {
    let mut atoms = Atoms::default();
    atomize(tokens, &mut atoms, 0);
    let Atoms { text, list, .. } = atoms;
    let mut out = String::with_capacity(text.len() + list.len() / 2);
    let mut prev: Option<Atom> = None;
    let mut space_after = false;
    for &atom in &list {
        let punct = |a: Atom| match a {
            Atom::Punct(start, end) => Some(&text[start as usize..end as usize]),
            _ => None,
        };
        let space_before = match atom {
            Atom::Word(..) => {
                space_after
                    || matches!(prev, Some(Atom::Word(..) | Atom::Close(_)))
                    || prev.and_then(punct).is_some_and(|p| p == ">" || p == ">>")
            }
            Atom::Punct(start, end) => match &text[start as usize..end as usize] {
                "," | ";" | ":" | "::" | "." | "?" | ">" | ">>" | "<" => false,
                "->" | "=>" | "=" | "+" | "==" | "!=" | "+=" | "-=" | "|" | "||" | "&&" => true,
                _ => space_after,
            },
            Atom::Open(c) => c == '{' || space_after,
            Atom::Close(c) => c == '}',
        };
        if space_before && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        match atom {
            Atom::Word(start, end) | Atom::Punct(start, end) => {
                out.push_str(&text[start as usize..end as usize]);
            }
            Atom::Open(c) | Atom::Close(c) => out.push(c),
        }
        space_after = match atom {
            Atom::Punct(start, end) => matches!(
                &text[start as usize..end as usize],
                "," | ";"
                    | ":"
                    | "->"
                    | "=>"
                    | "="
                    | "+"
                    | "=="
                    | "!="
                    | "+="
                    | "-="
                    | "|"
                    | "||"
                    | "&&"
            ),
            Atom::Open(c) => c == '{',
            _ => false,
        };
        prev = Some(atom);
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_owned()
    }
}

/// Multi-character operators (and their prefixes) that joint puncts may form.
const OPERATORS: &[&str] = &[
    "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "..", "..=",
    "...", "<<", "<<=", ">>=", "|=", "&=", "^=", "%=",
];

/// A word or an operator (a byte range of [`Atoms::text`]), or a delimiter.
#[derive(Clone, Copy)]
enum Atom {
    Word(u32, u32),
    Punct(u32, u32),
    Open(char),
    Close(char),
}

/// Atoms and the text they point into.
#[derive(Default)]
struct Atoms {
    text: String,
    list: Vec<Atom>,
    /// The operator being joined (at most a few ASCII characters).
    pending: String,
}

impl Atoms {
    fn word(&mut self, write: impl FnOnce(&mut String)) {
        let start = self.text.len() as u32;
        write(&mut self.text);
        self.list.push(Atom::Word(start, self.text.len() as u32));
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let start = self.text.len() as u32;
            self.text.push_str(&self.pending);
            self.pending.clear();
            self.list.push(Atom::Punct(start, self.text.len() as u32));
        }
    }
}

fn atomize(tokens: TokenStream, out: &mut Atoms, depth: u32) {
    use std::fmt::Write as _;
    if depth > MAX_DEPTH {
        out.word(|t| t.push_str(".."));
        return;
    }
    for tt in tokens {
        match tt {
            TokenTree::Punct(p) => {
                let c = p.as_char();
                if c == '\'' {
                    out.flush();
                    out.pending.push('\'');
                    continue;
                }
                out.pending.push(c);
                let joins = OPERATORS.contains(&out.pending.as_str());
                out.pending.pop();
                if !joins {
                    out.flush();
                }
                out.pending.push(c);
                if p.spacing() == Spacing::Alone {
                    out.flush();
                }
            }
            TokenTree::Ident(i) => {
                if out.pending == "'" {
                    out.pending.clear();
                    out.word(|t| {
                        let _ = write!(t, "'{i}");
                    });
                    continue;
                }
                out.flush();
                out.word(|t| {
                    let _ = write!(t, "{i}");
                });
            }
            TokenTree::Literal(l) => {
                out.flush();
                out.word(|t| {
                    let _ = write!(t, "{l}");
                });
            }
            TokenTree::Group(g) => {
                out.flush();
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ('(', ')'),
                    Delimiter::Bracket => ('[', ']'),
                    Delimiter::Brace => ('{', '}'),
                    Delimiter::None => {
                        atomize(g.stream(), out, depth + 1);
                        continue;
                    }
                };
                out.list.push(Atom::Open(open));
                atomize(g.stream(), out, depth + 1);
                out.list.push(Atom::Close(close));
            }
        }
    }
    out.flush();
}

/// Paths (`a::b`, `::a::b`, `$crate::a`) found by walking raw tokens, with the location of
/// their first segment. Single identifiers are not paths here: without syntax, they are as
/// likely to be local variables.
pub(super) fn scan_paths(tokens: &TokenStream) -> Vec<PathRef> {
    let mut out = Vec::new();
    scan_paths_into(tokens, &mut out, 0);
    out
}

fn scan_paths_into(tokens: &TokenStream, out: &mut Vec<PathRef>, depth: u32) {
    if depth > MAX_DEPTH {
        return;
    }
    let tts: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let is_colon2 = |i: usize| {
        matches!(tts.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
            && matches!(tts.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':')
    };
    let mut i = 0;
    while i < tts.len() {
        if let TokenTree::Group(g) = &tts[i] {
            scan_paths_into(&g.stream(), out, depth + 1);
            i += 1;
            continue;
        }
        // A path starts at `::ident`, `$crate`, or an identifier not preceded by `::`.
        let mut segs: Vec<String> = Vec::new();
        let mut j = i;
        let start_span;
        if is_colon2(j) && matches!(tts.get(j + 2), Some(TokenTree::Ident(_))) {
            start_span = tts[j].span();
            segs.push(String::new());
            j += 2;
        } else if matches!(&tts[j], TokenTree::Punct(p) if p.as_char() == '$')
            && matches!(tts.get(j + 1), Some(TokenTree::Ident(id)) if id == "crate")
        {
            start_span = tts[j].span();
            segs.push("$crate".to_owned());
            j += 2;
            if !is_colon2(j) {
                i = j;
                continue;
            }
            j += 2;
        } else if matches!(&tts[j], TokenTree::Ident(_)) {
            start_span = tts[j].span();
        } else {
            i += 1;
            continue;
        }
        while let Some(TokenTree::Ident(id)) = tts.get(j) {
            let s = id.to_string();
            segs.push(s.strip_prefix("r#").map(str::to_owned).unwrap_or(s));
            j += 1;
            if is_colon2(j) && matches!(tts.get(j + 2), Some(TokenTree::Ident(_))) {
                j += 2;
            } else {
                break;
            }
        }
        let n_named = segs.iter().filter(|s| !s.is_empty()).count();
        if n_named >= 2 || segs.first().is_some_and(|s| s.is_empty()) && n_named >= 1 {
            let lc = start_span.start();
            out.push(PathRef {
                path: segs,
                kind: ir::DepKind::Call,
                line: lc.line as u32,
                col: lc.column as u32 + 1,
                in_macro: true,
            });
        }
        i = j.max(i + 1);
    }
}

/// String literals found by walking raw tokens: (value, line, column).
pub(super) fn scan_strings(tokens: &TokenStream) -> Vec<(String, u32, u32)> {
    let mut out = Vec::new();
    scan_strings_into(tokens, &mut out, 0);
    out
}

fn scan_strings_into(tokens: &TokenStream, out: &mut Vec<(String, u32, u32)>, depth: u32) {
    if depth > MAX_DEPTH {
        return;
    }
    for tt in tokens.clone() {
        match tt {
            TokenTree::Group(g) => scan_strings_into(&g.stream(), out, depth + 1),
            TokenTree::Literal(l) => {
                let span = l.span();
                if let Ok(s) = syn::parse2::<syn::LitStr>(TokenTree::Literal(l).into()) {
                    let lc = span.start();
                    out.push((s.value(), lc.line as u32, lc.column as u32 + 1));
                }
            }
            _ => {}
        }
    }
}

/// A table read from a diesel `table!` body.
pub(super) struct DieselTable {
    pub(super) rust_name: String,
    pub(super) sql_name: Option<String>,
    pub(super) columns: Vec<String>,
    pub(super) line: u32,
    pub(super) col: u32,
}

/// Reads the tables of a `table!` body:
/// `use ..; #[sql_name = "x"] schema.name (pk, ..) { #[sql_name = "c"] col -> Type, .. }`,
/// possibly several in a row. Tolerant: unknown tokens are skipped.
pub(super) fn diesel_tables(tokens: &TokenStream) -> Vec<DieselTable> {
    let tts: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut sql_name: Option<String> = None;
    let mut name: Option<(String, u32, u32)> = None;
    while i < tts.len() {
        match &tts[i] {
            TokenTree::Ident(id) if id == "use" => {
                // Skip to the `;`.
                while i < tts.len() && !matches!(&tts[i], TokenTree::Punct(p) if p.as_char() == ';')
                {
                    i += 1;
                }
            }
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = tts.get(i + 1) {
                    if let Some(v) = sql_name_attr(&g.stream()) {
                        sql_name = Some(v);
                    }
                    i += 1;
                }
            }
            TokenTree::Ident(id) => {
                // `schema.name`: the last identifier before the groups is the name.
                let s = id.to_string();
                let lc = id.span().start();
                name = Some((
                    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s),
                    lc.line as u32,
                    lc.column as u32 + 1,
                ));
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                if let Some((rust_name, line, col)) = name.take() {
                    out.push(DieselTable {
                        rust_name,
                        sql_name: sql_name.take(),
                        columns: diesel_columns(&g.stream()),
                        line,
                        col,
                    });
                }
                sql_name = None;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn sql_name_attr(attr: &TokenStream) -> Option<String> {
    let tts: Vec<TokenTree> = attr.clone().into_iter().collect();
    match (tts.first(), tts.get(1), tts.get(2)) {
        (Some(TokenTree::Ident(k)), Some(TokenTree::Punct(eq)), Some(TokenTree::Literal(l)))
            if k == "sql_name" && eq.as_char() == '=' =>
        {
            syn::parse2::<syn::LitStr>(TokenTree::Literal(l.clone()).into())
                .ok()
                .map(|s| s.value())
        }
        _ => None,
    }
}

/// Column names of a `table!` table body: the identifier before each `->` (or its
/// `#[sql_name]`).
fn diesel_columns(body: &TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in super::attrs::split_commas(body) {
        let tts: Vec<TokenTree> = chunk.into_iter().collect();
        let mut sql_name = None;
        let mut last_ident = None;
        let mut i = 0;
        while i < tts.len() {
            match &tts[i] {
                TokenTree::Punct(p) if p.as_char() == '#' => {
                    if let Some(TokenTree::Group(g)) = tts.get(i + 1) {
                        sql_name = sql_name.or(sql_name_attr(&g.stream()));
                        i += 1;
                    }
                }
                TokenTree::Ident(id) => last_ident = Some(id.to_string()),
                TokenTree::Punct(p) if p.as_char() == '-' => {
                    if matches!(tts.get(i + 1), Some(TokenTree::Punct(q)) if q.as_char() == '>') {
                        if let Some(name) = sql_name.take().or(last_ident.take()) {
                            let name = name.strip_prefix("r#").map(str::to_owned).unwrap_or(name);
                            out.push(name);
                        }
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    out
}
