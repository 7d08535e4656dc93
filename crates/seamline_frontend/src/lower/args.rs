//! Macro arguments read without syn: the comma-separated expressions most macro bodies are
//! (`assert_eq!(p.root().join("x").is_file(), true)`, `format!("{}", a.b)`,
//! `vec![Foo::new(1), bar(&x)]`), built from the tokens directly.
//!
//! Only a subset of expressions is read: literals, paths (no generic arguments), calls,
//! method calls, field and tuple-index access, indexing, `?`, `.await`, references,
//! `!`/`-`/`*`, binary operators and `=` (`format!("{x}", x = a.b)`; with at most one
//! comparison per operand list, since syn rejects chained comparisons), parenthesised expressions, tuples, arrays, and nested
//! macro calls. Anything else (closures, blocks, struct literals, ranges, casts, keywords,
//! turbofish, attributes, `[x; n]`) makes [`parse_args`] give up, and the caller parses the
//! body with syn. Every body read here is one syn parses as
//! `Punctuated<Expr, Token![,]>`, and visiting the result records exactly what visiting
//! syn's expressions does (the collector's `visit_expr`, see `body.rs`).

use super::body::is_keyword;
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, TokenStream, TokenTree};

/// An expression of the subset, reduced to what the collector looks at.
pub(super) enum Arg {
    /// A literal token (`true` and `false` are [`Arg::Nothing`]).
    Lit(Literal),
    /// `true`, `false`, `_`: nothing to record.
    Nothing,
    /// A path expression: `x`, `a::b`, `::c::d`, `Self::new`.
    Path(syn::Path),
    /// `f(args)`.
    Call(Box<Arg>, Vec<Arg>),
    /// `recv.method(args)`.
    Method(Box<Arg>, Ident, Vec<Arg>),
    /// Indexing: the indexed expression and the index.
    Pair(Box<Arg>, Box<Arg>),
    /// Tuples, arrays, and operands joined by binary operators.
    List(Vec<Arg>),
    /// A nested macro call.
    Macro(syn::Macro),
}

/// How deep nested groups are followed before giving up.
const MAX_DEPTH: u32 = 64;

/// The body's comma-separated expressions (an empty body is an empty list), or `None` when
/// the body is not made only of the subset.
pub(super) fn parse_args(tokens: &TokenStream) -> Option<Vec<Arg>> {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut p = Parser {
        trees: &trees,
        pos: 0,
        depth: 0,
        scratch: String::new(),
    };
    let args = p.list()?;
    p.at_end().then_some(args)
}

struct Parser<'t> {
    trees: &'t [TokenTree],
    pos: usize,
    depth: u32,
    /// Scratch space for identifiers' text.
    scratch: String,
}

/// The binary operators read, as their characters.
const BINARY: &[&str] = &[
    "+", "-", "*", "/", "%", "&&", "||", "&", "|", "^", "<<", ">>", "==", "!=", "<", ">", "<=",
    ">=", "=",
];

/// The comparisons: syn accepts one between two operators of lower precedence, never a
/// chain (`a < b < c`); more than one in a list of operands is left to syn.
const COMPARISONS: &[&str] = &["==", "!=", "<", ">", "<=", ">="];

impl<'t> Parser<'t> {
    fn at_end(&self) -> bool {
        self.pos == self.trees.len()
    }

    fn peek(&self) -> Option<&'t TokenTree> {
        self.trees.get(self.pos)
    }

    fn peek_at(&self, ahead: usize) -> Option<&'t TokenTree> {
        self.trees.get(self.pos + ahead)
    }

    fn peek_punct(&self, ch: char) -> Option<&'t Punct> {
        match self.peek() {
            Some(TokenTree::Punct(p)) if p.as_char() == ch => Some(p),
            _ => None,
        }
    }

    /// `::` at the cursor.
    fn at_path_sep(&self) -> bool {
        matches!(
            (self.peek(), self.peek_at(1)),
            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
        )
    }

    /// Expressions separated by commas, an optional trailing comma, up to the end of the
    /// token list.
    fn list(&mut self) -> Option<Vec<Arg>> {
        let mut out = Vec::new();
        while !self.at_end() {
            out.push(self.expr()?);
            match self.peek() {
                None => break,
                Some(TokenTree::Punct(p)) if p.as_char() == ',' => self.pos += 1,
                Some(_) => return None,
            }
        }
        Some(out)
    }

    /// Operands joined by binary operators (a flat list: each is visited in turn).
    fn expr(&mut self) -> Option<Arg> {
        let first = self.unary()?;
        let mut operands: Vec<Arg> = Vec::new();
        let mut comparisons = 0;
        while let Some(TokenTree::Punct(_)) = self.peek() {
            if self.peek_punct(',').is_some() {
                break;
            }
            let (op, len) = self.operator();
            if !BINARY.contains(&op.as_str()) {
                return None;
            }
            if COMPARISONS.contains(&op.as_str()) {
                comparisons += 1;
                if comparisons > 1 {
                    return None;
                }
            }
            self.pos += len;
            operands.push(self.unary()?);
        }
        if operands.is_empty() {
            return Some(first);
        }
        operands.insert(0, first);
        Some(Arg::List(operands))
    }

    /// The operator at the cursor: its joined punctuation characters, and how many tokens
    /// they are.
    fn operator(&self) -> (String, usize) {
        let mut op = String::new();
        let mut len = 0;
        while let Some(TokenTree::Punct(p)) = self.peek_at(len) {
            op.push(p.as_char());
            len += 1;
            if p.spacing() == Spacing::Alone {
                break;
            }
        }
        (op, len)
    }

    /// Prefix operators, then a postfix expression. Operators around one operand record
    /// nothing themselves, so the operand stands for the whole (and long runs of them
    /// need neither recursion nor nesting).
    fn unary(&mut self) -> Option<Arg> {
        while let Some(TokenTree::Punct(p)) = self.peek()
            && matches!(p.as_char(), '&' | '*' | '!' | '-')
        {
            self.pos += 1;
            if p.as_char() == '&'
                && let Some(TokenTree::Ident(id)) = self.peek()
                && id == "mut"
            {
                self.pos += 1;
            }
        }
        let primary = self.primary()?;
        self.postfix(primary)
    }

    fn postfix(&mut self, mut e: Arg) -> Option<Arg> {
        loop {
            match self.peek() {
                Some(TokenTree::Punct(p)) if p.as_char() == '?' => self.pos += 1,
                Some(TokenTree::Punct(p))
                    if p.as_char() == '.' && p.spacing() == Spacing::Alone =>
                {
                    self.pos += 1;
                    match self.peek()? {
                        TokenTree::Ident(id) if id == "await" => self.pos += 1,
                        TokenTree::Ident(id) if !is_keyword(&mut self.scratch, id) => {
                            self.pos += 1;
                            if self.at_path_sep() {
                                // `.collect::<T>()`: a turbofish.
                                return None;
                            }
                            match self.peek() {
                                Some(TokenTree::Group(g))
                                    if g.delimiter() == Delimiter::Parenthesis =>
                                {
                                    self.pos += 1;
                                    let args = self.group_list(g)?;
                                    e = Arg::Method(Box::new(e), id.clone(), args);
                                }
                                // A field: its base stands for it.
                                _ => {}
                            }
                        }
                        TokenTree::Literal(lit) if is_tuple_index(lit) => self.pos += 1,
                        _ => return None,
                    }
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    self.pos += 1;
                    let args = self.group_list(g)?;
                    e = Arg::Call(Box::new(e), args);
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => {
                    self.pos += 1;
                    let index = self.group_expr(g)?;
                    e = Arg::Pair(Box::new(e), Box::new(index));
                }
                _ => return Some(e),
            }
        }
    }

    fn primary(&mut self) -> Option<Arg> {
        match self.peek()? {
            TokenTree::Literal(lit) => {
                self.pos += 1;
                Some(Arg::Lit(lit.clone()))
            }
            TokenTree::Ident(id) if id == "true" || id == "false" => {
                self.pos += 1;
                Some(Arg::Nothing)
            }
            TokenTree::Ident(id) if id == "_" => {
                // `_` alone (syn's `Expr::Infer`), as in `Some(_)`.
                self.pos += 1;
                match self.peek() {
                    None => Some(Arg::Nothing),
                    Some(TokenTree::Punct(p)) if p.as_char() == ',' => Some(Arg::Nothing),
                    Some(_) => None,
                }
            }
            TokenTree::Ident(_) => self.path_expr(),
            TokenTree::Punct(_) if self.at_path_sep() => self.path_expr(),
            TokenTree::Group(g) => match g.delimiter() {
                Delimiter::Parenthesis => {
                    self.pos += 1;
                    Some(Arg::List(self.group_list(g)?))
                }
                Delimiter::Bracket => {
                    self.pos += 1;
                    Some(Arg::List(self.group_list(g)?))
                }
                Delimiter::Brace | Delimiter::None => None,
            },
            TokenTree::Punct(_) => None,
        }
    }

    /// A path, then possibly a macro call (`name!(...)`).
    fn path_expr(&mut self) -> Option<Arg> {
        let mut path = syn::Path {
            leading_colon: None,
            segments: syn::punctuated::Punctuated::new(),
        };
        if self.at_path_sep() {
            let spans = [self.trees[self.pos].span(), self.trees[self.pos + 1].span()];
            path.leading_colon = Some(syn::Token![::](spans));
            self.pos += 2;
        }
        loop {
            let Some(TokenTree::Ident(id)) = self.peek() else {
                return None;
            };
            if is_keyword(&mut self.scratch, id)
                && !matches!(self.scratch.as_str(), "self" | "Self" | "super" | "crate")
            {
                return None;
            }
            self.pos += 1;
            path.segments.push(syn::PathSegment::from(id.clone()));
            if !self.at_path_sep() {
                break;
            }
            let spans = [self.trees[self.pos].span(), self.trees[self.pos + 1].span()];
            path.segments.push_punct(syn::Token![::](spans));
            self.pos += 2;
            if !matches!(self.peek(), Some(TokenTree::Ident(_))) {
                // `a::<T>` (turbofish) or `a::{...}`.
                return None;
            }
        }
        match (self.peek(), self.peek_at(1)) {
            (Some(TokenTree::Punct(bang)), Some(TokenTree::Group(g)))
                if bang.as_char() == '!' && bang.spacing() == Spacing::Alone =>
            {
                let delimiter = match g.delimiter() {
                    Delimiter::Parenthesis => {
                        syn::MacroDelimiter::Paren(syn::token::Paren(g.delim_span()))
                    }
                    Delimiter::Bracket => {
                        syn::MacroDelimiter::Bracket(syn::token::Bracket(g.delim_span()))
                    }
                    Delimiter::Brace | Delimiter::None => return None,
                };
                let mac = syn::Macro {
                    path,
                    bang_token: syn::Token![!](bang.span()),
                    delimiter,
                    tokens: g.stream(),
                };
                self.pos += 2;
                Some(Arg::Macro(mac))
            }
            // `Name { .. }`: a struct literal.
            (Some(TokenTree::Group(g)), _) if g.delimiter() == Delimiter::Brace => None,
            _ => Some(Arg::Path(path)),
        }
    }

    /// A group's content as comma-separated expressions.
    fn group_list(&mut self, g: &Group) -> Option<Vec<Arg>> {
        self.nested(g, |p| p.list())
    }

    /// A group's content as one expression.
    fn group_expr(&mut self, g: &Group) -> Option<Arg> {
        self.nested(g, |p| {
            let e = p.expr()?;
            p.at_end().then_some(e)
        })
    }

    fn nested<T>(&mut self, g: &Group, f: impl FnOnce(&mut Parser<'_>) -> Option<T>) -> Option<T> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        let trees: Vec<TokenTree> = g.stream().into_iter().collect();
        let mut inner = Parser {
            trees: &trees,
            pos: 0,
            depth: self.depth + 1,
            scratch: std::mem::take(&mut self.scratch),
        };
        let out = f(&mut inner);
        self.scratch = inner.scratch;
        let out = out?;
        (inner.pos == trees.len()).then_some(out)
    }
}

/// `0`, `12`: a tuple index after a dot (`x.0.1` lexes as the float `0.1`: left to syn).
fn is_tuple_index(lit: &Literal) -> bool {
    use std::fmt::Write as _;
    let mut text = String::new();
    let _ = write!(text, "{lit}");
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}
