//! The path collector: walks one item's signature, fields and body and records every path
//! it mentions (with its kind), the `use` declarations inside bodies, and SQL literals.
//!
//! Rules:
//! - Types, trait bounds, generic arguments: [`ir::DepKind::Type`].
//! - Expression paths, calls, struct literals, patterns, macro paths: [`ir::DepKind::Call`].
//! - `<T as Trait>::f` records `Trait` (type) and visits `T`.
//! - Generic parameters in scope (`T`, `T::Assoc`), local bindings (function parameters,
//!   `let`, closure, `match`, `for` bindings, flat per item, not scoped) and items declared
//!   inside the body are not references; `self` neither.
//! - An identifier pattern starting with an uppercase letter (`None`, `Active` after
//!   `use Status::*`) is a path (a unit struct or variant), not a binding.
//! - Macro bodies are parsed as comma-separated expressions (or `[x; n]`, or statements);
//!   when that fails they are scanned as tokens for `a::b` paths and string literals. Two
//!   shortcuts give the same paths without syn: most bodies are plain expressions (calls,
//!   method chains, literals, operators), read from the tokens by `args.rs` (about 19 in
//!   20 macro calls of cargo's source and tests), and a body without identifiers holds
//!   only literals (no note is made when it would not have parsed).
//! - SQL: see [`Collector::sql_literal`].

use super::args::Arg;
use crate::hash::HashSet;
use crate::syntax::{PathRef, SqlSyntax, UseSyntax};
use proc_macro2::{Span, TokenStream};
use seamline_ir as ir;
use std::collections::BTreeSet;
use syn::punctuated::Punctuated;
use syn::visit::Visit;

/// Macros (any path ending with these names) whose first string literal argument is SQL.
const SQL_MACROS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_unchecked",
    "query_as_unchecked",
    "query_scalar_unchecked",
];

/// Functions (any path ending with these names) whose first argument, if a string literal,
/// is SQL.
const SQL_FUNCTIONS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "sql_query",
];

/// Diesel functions (any path ending with these names) whose arguments name the table
/// written: paths inside them get [`ir::DepKind::Table`].
const DSL_WRITE_FUNCTIONS: &[&str] = &[
    "insert_into",
    "insert_or_ignore_into",
    "replace_into",
    "update",
    "delete",
];

/// Sea-orm entity functions that write the entity's table (`Entity::insert_many(..)`,
/// `model::User::delete_many()`): the path of such a call, when it has two segments or more,
/// gets [`ir::DepKind::Table`] (the resolver makes it a write when the path goes through a
/// sea-orm entity, and a plain call otherwise).
const ENTITY_WRITE_FUNCTIONS: &[&str] = &[
    "insert",
    "insert_many",
    "update",
    "update_many",
    "delete",
    "delete_many",
    "delete_by_id",
];

/// Sea-orm `ActiveModelTrait` methods that write the table of the active model they are
/// called on (`new_user.insert(&db)` after `let new_user = users::ActiveModel { .. }`).
const ACTIVE_MODEL_WRITE_METHODS: &[&str] = &["insert", "update", "save", "delete"];

/// Methods whose first argument, if a string literal, is SQL (rusqlite, postgres,
/// tokio-postgres, mysql clients).
const SQL_METHODS: &[&str] = &[
    "execute",
    "execute_batch",
    "batch_execute",
    "prepare",
    "prepare_cached",
    "query",
    "query_row",
    "query_map",
    "query_one",
    "query_opt",
    "query_raw",
    "simple_query",
    "exec",
    "exec_drop",
    "exec_first",
    "query_first",
    "query_drop",
];

/// Logging macros whose bodies are routinely not expressions.
const TRACING_MACROS: &[&str] = &[
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "event",
    "span",
    "trace_span",
    "debug_span",
    "info_span",
    "warn_span",
    "error_span",
];

/// What a call does with tables, by its function's name (see [`Collector::call_kind`]).
#[derive(Default)]
struct CallKind {
    sql: bool,
    writes_args: bool,
    writes_path: bool,
}

/// What a collector found.
pub(super) struct Collected {
    pub(super) refs: Vec<PathRef>,
    pub(super) sql: Vec<SqlSyntax>,
    pub(super) uses: Vec<UseSyntax>,
    /// Macro bodies scanned as text: (line, macro name).
    pub(super) scanned: Vec<(u32, String)>,
}

/// Collects paths from one item. Build with the generic names in scope, visit the parts
/// of the item, then [`Collector::finish`].
pub(super) struct Collector {
    refs: Vec<PathRef>,
    sql: Vec<SqlSyntax>,
    uses: Vec<UseSyntax>,
    scanned: Vec<(u32, String)>,
    /// Generic parameter names in scope, as a stack (nested items push theirs).
    generics: Vec<String>,
    /// Local bindings and body-local item names seen so far in this item.
    locals: HashSet<String>,
    /// A reused buffer for names checked before anything is allocated.
    scratch: String,
    /// (line, col) of string literals already recorded as SQL.
    sql_seen: BTreeSet<(u32, u32)>,
    /// Nesting depth of macro bodies being re-parsed.
    macro_depth: u32,
    /// Locals bound to a sea-orm active model, with the path of the entity's module
    /// (`let u = model::users::ActiveModel { .. }` gives `("u", ["model", "users"])`).
    active_models: Vec<(String, Vec<String>)>,
}

impl Collector {
    pub(super) fn new(generics: &[String]) -> Self {
        Collector {
            refs: Vec::new(),
            sql: Vec::new(),
            uses: Vec::new(),
            scanned: Vec::new(),
            generics: generics.to_vec(),
            locals: HashSet::default(),
            scratch: String::new(),
            sql_seen: BTreeSet::new(),
            macro_depth: 0,
            active_models: Vec::new(),
        }
    }

    pub(super) fn finish(self) -> Collected {
        Collected {
            refs: self.refs,
            sql: self.sql,
            uses: self.uses,
            scanned: self.scanned,
        }
    }

    fn is_generic(&self, name: &str) -> bool {
        self.generics.iter().any(|g| g == name)
    }

    /// Records a path unless it names a generic parameter, a local, or `self`.
    fn record(&mut self, path: &syn::Path, kind: ir::DepKind) {
        // Most one-segment paths in bodies are locals (`x`, `self`): check them in a reused
        // buffer before allocating the segments.
        if path.leading_colon.is_none()
            && let Some(first) = path.segments.first()
        {
            use std::fmt::Write as _;
            self.scratch.clear();
            let _ = write!(self.scratch, "{}", first.ident);
            let name = self.scratch.strip_prefix("r#").unwrap_or(&self.scratch);
            let skip = self.is_generic(name)
                || name == "_"
                || path.segments.len() == 1
                    && (name == "self" || kind == ir::DepKind::Call && self.locals.contains(name));
            if skip {
                return;
            }
            // The first segment is in the buffer already.
            let mut segs = Vec::with_capacity(path.segments.len());
            segs.push(name.to_owned());
            segs.extend(
                path.segments
                    .iter()
                    .skip(1)
                    .map(|s| super::ident_str(&s.ident)),
            );
            // Checked above: recorded as is.
            self.push_ref(segs, kind, path_span(path));
            return;
        }
        let segs = super::path_segments(path);
        self.record_segs(segs, kind, path_span(path));
    }

    fn record_segs(&mut self, segs: Vec<String>, kind: ir::DepKind, span: Span) {
        let Some(first) = segs.first() else { return };
        if self.is_generic(first) || first == "self" && segs.len() == 1 || first == "_" {
            return;
        }
        if segs.len() == 1 && kind == ir::DepKind::Call && self.locals.contains(first) {
            return;
        }
        self.push_ref(segs, kind, span);
    }

    /// Records a path that is not a generic parameter, a local or `self`.
    fn push_ref(&mut self, segs: Vec<String>, kind: ir::DepKind, span: Span) {
        let (line, col) = super::line_col(span);
        self.refs.push(PathRef {
            path: segs,
            kind,
            line,
            col,
            in_macro: self.macro_depth > 0,
        });
    }

    fn with_generics(&mut self, generics: &syn::Generics, f: impl FnOnce(&mut Self)) {
        let n = self.generics.len();
        self.generics.extend(super::generic_names(generics));
        f(self);
        self.generics.truncate(n);
    }

    /// Records a string literal as SQL. A literal counts when it is the first string
    /// argument of a query macro ([`SQL_MACROS`]), function ([`SQL_FUNCTIONS`]) or method
    /// ([`SQL_METHODS`]) (`in_query_call`), or when, after leading whitespace, it starts
    /// with `SELECT`, `INSERT`, `UPDATE`, `DELETE` or `WITH` followed by whitespace, in any
    /// case (`in_query_call = false`; the resolver keeps those only if they parse).
    fn sql_literal(&mut self, text: String, span: Span, in_query_call: bool) {
        let (line, col) = super::line_col(span);
        if !in_query_call && !looks_like_sql(&text) {
            return;
        }
        if !self.sql_seen.insert((line, col)) {
            if in_query_call {
                // Already recorded by the keyword rule: upgrade it.
                if let Some(s) = self.sql.iter_mut().find(|s| s.line == line && s.col == col) {
                    s.in_query_call = true;
                }
            }
            return;
        }
        self.sql.push(SqlSyntax {
            text,
            line,
            col,
            in_query_call,
        });
    }

    fn first_str_arg<'a>(&mut self, args: impl IntoIterator<Item = &'a syn::Expr>) {
        if let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        })) = args.into_iter().next()
        {
            self.sql_literal(s.value(), s.span(), true);
        }
    }

    fn local_item(&mut self, ident: &syn::Ident) {
        self.locals.insert(super::ident_str(ident));
    }

    /// Visits a macro invocation's body (see the module docs).
    fn macro_body(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| super::ident_str(&s.ident))
            .unwrap_or_default();
        if self.macro_depth > 32 {
            return;
        }
        self.macro_depth += 1;
        let is_sql = SQL_MACROS.contains(&name.as_str());
        if TRACING_MACROS.contains(&name.as_str()) {
            self.tracing_body(&mac.tokens);
            self.macro_depth -= 1;
            return;
        }
        // `cfg_select!`/`cfg_if!` in a body: every arm's statements (and the items among
        // them) are visited, as the module-level ones are lowered.
        if matches!(name.as_str(), "cfg_select" | "cfg_if")
            && let Some(arms) = super::cfg_arm_bodies(&name, &mac.tokens)
        {
            let parsed: Vec<Vec<syn::Stmt>> = arms
                .into_iter()
                .filter_map(|b| syn::parse::Parser::parse2(syn::Block::parse_within, b).ok())
                .collect();
            if !parsed.is_empty() {
                for stmts in &parsed {
                    for st in stmts {
                        self.visit_stmt(st);
                    }
                }
                self.macro_depth -= 1;
                return;
            }
        }
        // Most bodies are plain expressions, read from the tokens without syn.
        if let Some(args) = super::args::parse_args(&mac.tokens) {
            if is_sql {
                let first_str = args.iter().find(|a| {
                    matches!(a, Arg::Lit(lit) if matches!(syn::Lit::new(lit.clone()), syn::Lit::Str(_)))
                });
                self.first_str_lit(first_str);
            }
            for a in &args {
                self.visit_arg(a);
            }
            self.macro_depth -= 1;
            return;
        }
        if !is_sql && !has_ident(&mac.tokens, 0) {
            // No identifier, so no path (`vec![1, 2]`, `Token![,]`): only string literals
            // to look at, without re-parsing the body.
            self.literals_only(&mac.tokens, 0);
            self.macro_depth -= 1;
            return;
        }
        let parser = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(args) = syn::parse::Parser::parse2(parser, mac.tokens.clone()) {
            if is_sql {
                let first_str = args.iter().find(|e| {
                    matches!(
                        e,
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(_),
                            ..
                        })
                    )
                });
                self.first_str_arg(first_str);
            }
            for e in &args {
                self.visit_expr(e);
            }
        } else if let (syn::MacroDelimiter::Bracket(_), Ok(e)) = (
            &mac.delimiter,
            syn::parse2::<syn::Expr>(bracketed(&mac.tokens)),
        ) {
            self.visit_expr(&e);
        } else if let Ok(stmts) =
            syn::parse::Parser::parse2(syn::Block::parse_within, mac.tokens.clone())
        {
            for s in &stmts {
                self.visit_stmt(s);
            }
        } else {
            // tracing's macros have their own field syntax (`%x`, `?x`, `a.b = c`): scanning
            // them is expected, not worth a note.
            if !TRACING_MACROS.contains(&name.as_str()) {
                let line = super::line_col(path_span(&mac.path)).0;
                self.scanned.push((line, name.clone()));
            }
            self.scan_tokens(&mac.tokens, is_sql);
        }
        self.macro_depth -= 1;
    }

    /// A tracing/log macro's arguments: `target: "t"`, `parent: span`, fields
    /// `name = value`, `a.b = %value`, `?value`, `%value`, then a format string and its
    /// arguments. Keys are names, not paths: only values are visited (an argument that does
    /// not parse is scanned for paths).
    fn tracing_body(&mut self, tokens: &TokenStream) {
        use proc_macro2::{Spacing, TokenTree};
        let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
        for arg in trees.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
            let mut rest = arg;
            // `target:` / `parent:` / `name:` (a single `:`, not `::`).
            if let [TokenTree::Ident(_), TokenTree::Punct(colon), after @ ..] = rest
                && colon.as_char() == ':'
                && colon.spacing() == Spacing::Alone
            {
                rest = after;
            }
            // A field key: `name`, `a.b.c` or `"name"`, then a lone `=`.
            let mut i = 0;
            while i < rest.len() {
                let expect_name = i % 2 == 0;
                match &rest[i] {
                    TokenTree::Ident(_) | TokenTree::Literal(_) if expect_name => i += 1,
                    TokenTree::Punct(p) if !expect_name && p.as_char() == '.' => i += 1,
                    _ => break,
                }
            }
            if i % 2 == 1
                && let Some(TokenTree::Punct(eq)) = rest.get(i)
                && eq.as_char() == '='
                && eq.spacing() == Spacing::Alone
            {
                rest = &rest[i + 1..];
            }
            // `%value` (Display) and `?value` (Debug).
            if let [TokenTree::Punct(sigil), after @ ..] = rest
                && matches!(sigil.as_char(), '%' | '?')
            {
                rest = after;
            }
            if rest.is_empty() {
                continue;
            }
            let value: TokenStream = rest.iter().cloned().collect();
            match syn::parse2::<syn::Expr>(value.clone()) {
                Ok(expr) => self.visit_expr(&expr),
                Err(_) => self.scan_tokens(&value, false),
            }
        }
    }

    /// What a call of `path` is, by its last segment: whether it takes SQL
    /// ([`SQL_FUNCTIONS`], and sqlx's `QueryBuilder::new`), whether it writes the diesel tables in its arguments
    /// ([`DSL_WRITE_FUNCTIONS`]), and whether it may write the table of a sea-orm entity its
    /// path goes through ([`ENTITY_WRITE_FUNCTIONS`]).
    fn call_kind(&mut self, path: &syn::Path) -> CallKind {
        match path.segments.last() {
            Some(last) => {
                let name = ident_text(&mut self.scratch, &last.ident);
                // sqlx's `QueryBuilder::new("INSERT INTO t (a, b) ")` starts a statement
                // that `push_values` completes: its first literal is SQL too.
                let builder = name == "new"
                    && path.segments.len() > 1
                    && path.segments[path.segments.len() - 2].ident == "QueryBuilder";
                CallKind {
                    sql: builder || SQL_FUNCTIONS.contains(&name),
                    writes_args: DSL_WRITE_FUNCTIONS.contains(&name),
                    writes_path: path.segments.len() > 1 && ENTITY_WRITE_FUNCTIONS.contains(&name),
                }
            }
            None => CallKind::default(),
        }
    }

    /// The module path of the sea-orm entity whose active model `expr` is: a struct literal
    /// `path::ActiveModel { .. }`, `path::ActiveModel::from(..)`/`::new()`,
    /// `path::Model { .. }.into_active_model()`, or a local bound to one of these.
    fn active_model_of(&self, expr: &syn::Expr) -> Option<Vec<String>> {
        let prefix = |path: &syn::Path, last: &str, back: usize| -> Option<Vec<String>> {
            let n = path.segments.len();
            let seg = path.segments.iter().nth(n.checked_sub(back + 1)?)?;
            (seg.ident == last).then(|| {
                let mut segs = super::path_segments(path);
                segs.truncate(segs.len() - back - 1);
                segs
            })
        };
        match expr {
            syn::Expr::Struct(es) if es.qself.is_none() => prefix(&es.path, "ActiveModel", 0),
            syn::Expr::MethodCall(mc) if mc.method == "into_active_model" => match &*mc.receiver {
                syn::Expr::Struct(es) if es.qself.is_none() => prefix(&es.path, "Model", 0),
                _ => None,
            },
            syn::Expr::Call(call) => match &*call.func {
                syn::Expr::Path(p) if p.qself.is_none() => {
                    let last = p.path.segments.last()?;
                    (last.ident == "from" || last.ident == "new")
                        .then(|| prefix(&p.path, "ActiveModel", 1))
                        .flatten()
                }
                _ => None,
            },
            syn::Expr::Path(p) if p.qself.is_none() => self.active_model_local(&p.path),
            syn::Expr::Paren(p) => self.active_model_of(&p.expr),
            _ => None,
        }
    }

    /// [`Self::active_model_of`] for a path that may name a local.
    fn active_model_local(&self, path: &syn::Path) -> Option<Vec<String>> {
        if self.active_models.is_empty() || path.segments.len() != 1 {
            return None;
        }
        let ident = &path.segments[0].ident;
        self.active_models
            .iter()
            .rev()
            .find(|(name, _)| ident == name)
            .map(|(_, entity)| entity.clone())
    }

    /// A write of an active model's table: `entity` is the entity's module path.
    fn active_model_write(&mut self, mut entity: Vec<String>, method: &syn::Ident) {
        entity.push("Entity".to_owned());
        self.push_ref(entity, ir::DepKind::Table, method.span());
    }

    /// Visits an argument read by [`super::args::parse_args`] as [`Visit::visit_expr`]
    /// visits the expression syn would have made of it (see the overrides below).
    fn visit_arg(&mut self, arg: &Arg) {
        match arg {
            Arg::Lit(lit) => self.literal_token(lit),
            Arg::Nothing => {}
            Arg::Path(path) => self.qualified(None, path, ir::DepKind::Call),
            Arg::Call(func, args) => {
                if let Arg::Path(p) = &**func {
                    let kind = self.call_kind(p);
                    if kind.sql {
                        self.first_str_lit(args.first());
                    }
                    if kind.writes_args || kind.writes_path {
                        if kind.writes_path {
                            self.qualified(None, p, ir::DepKind::Table);
                        } else {
                            self.visit_arg(func);
                        }
                        let from = self.refs.len();
                        for a in args {
                            self.visit_arg(a);
                        }
                        if kind.writes_args {
                            for r in &mut self.refs[from..] {
                                r.kind = ir::DepKind::Table;
                            }
                        }
                        return;
                    }
                }
                self.visit_arg(func);
                for a in args {
                    self.visit_arg(a);
                }
            }
            Arg::Method(receiver, method, args) => {
                if is_one_of(&mut self.scratch, method, SQL_METHODS) {
                    self.first_str_lit(args.first());
                }
                if let Arg::Path(p) = &**receiver
                    && is_one_of(&mut self.scratch, method, ACTIVE_MODEL_WRITE_METHODS)
                    && let Some(entity) = self.active_model_local(p)
                {
                    self.active_model_write(entity, method);
                }
                self.visit_arg(receiver);
                for a in args {
                    self.visit_arg(a);
                }
            }
            Arg::Pair(a, b) => {
                self.visit_arg(a);
                self.visit_arg(b);
            }
            Arg::List(items) => {
                for a in items {
                    self.visit_arg(a);
                }
            }
            Arg::Macro(mac) => self.visit_macro(mac),
        }
    }

    /// [`Self::first_str_arg`] for an argument read from tokens.
    fn first_str_lit(&mut self, arg: Option<&Arg>) {
        if let Some(Arg::Lit(lit)) = arg
            && let syn::Lit::Str(s) = syn::Lit::new(lit.clone())
        {
            self.sql_literal(s.value(), s.span(), true);
        }
    }

    /// A literal token of a macro body, as [`Self::visit_lit_str`] would see it once
    /// parsed; the cheap prefix check comes first (`syn::Lit::new` unescapes the whole
    /// text).
    fn literal_token(&mut self, lit: &proc_macro2::Literal) {
        if may_start_with_sql(lit)
            && let syn::Lit::Str(s) = syn::Lit::new(lit.clone())
        {
            self.visit_lit_str(&s);
        }
    }

    /// The string literals of a macro body without identifiers, as [`Self::visit_lit_str`]
    /// sees them.
    fn literals_only(&mut self, tokens: &TokenStream, depth: u32) {
        use proc_macro2::TokenTree;
        if depth > MAX_MACRO_NESTING {
            return;
        }
        for tree in tokens.clone() {
            match tree {
                TokenTree::Group(g) => self.literals_only(&g.stream(), depth + 1),
                TokenTree::Literal(lit) => self.literal_token(&lit),
                TokenTree::Ident(_) | TokenTree::Punct(_) => {}
            }
        }
    }

    fn scan_tokens(&mut self, tokens: &TokenStream, is_sql: bool) {
        for p in super::tokens::scan_paths(tokens) {
            if !self.is_generic(&p.path[0]) {
                self.refs.push(p);
            }
        }
        let mut first = is_sql;
        for (text, line, col) in super::tokens::scan_strings(tokens) {
            let in_query_call = first;
            first = false;
            if !in_query_call && !looks_like_sql(&text) {
                continue;
            }
            if self.sql_seen.insert((line, col)) {
                self.sql.push(SqlSyntax {
                    text,
                    line,
                    col,
                    in_query_call,
                });
            }
        }
    }
}

/// Whether an identifier is one of `names` (this runs on every call and method call: the
/// text is written once into the scratch buffer `buf`, then compared).
fn is_one_of(buf: &mut String, ident: &syn::Ident, names: &[&str]) -> bool {
    names.contains(&ident_text(buf, ident))
}

/// An identifier's text, written into `buf` (reused, so nothing is allocated once it has
/// grown): one formatting, then plain string comparisons.
pub(super) fn ident_text<'b>(buf: &'b mut String, ident: &syn::Ident) -> &'b str {
    use std::fmt::Write as _;
    buf.clear();
    let _ = write!(buf, "{ident}");
    buf
}

/// Rust's keywords (strict and reserved, 2018 and later), which a lone identifier token in
/// a macro body may be: such a body is left to the parser. `buf` is scratch space.
pub(super) fn is_keyword(buf: &mut String, ident: &syn::Ident) -> bool {
    matches!(
        ident_text(buf, ident),
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "gen"
            | "macro"
            | "override"
            | "priv"
            | "try"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
    )
}

/// How deep [`has_ident`] and [`Collector::literals_only`] follow nested groups.
const MAX_MACRO_NESTING: u32 = 128;

/// Whether a token stream holds an identifier (keywords included), in any group. Too deep
/// a nesting counts as yes (the caller then takes the general path).
fn has_ident(tokens: &TokenStream, depth: u32) -> bool {
    use proc_macro2::TokenTree;
    if depth > MAX_MACRO_NESTING {
        return true;
    }
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(_) => true,
        TokenTree::Group(g) => has_ident(&g.stream(), depth + 1),
        TokenTree::Literal(_) | TokenTree::Punct(_) => false,
    })
}

/// A cheap pre-check on a string literal's source (`"..."`, `r#"..."#`): false when its
/// first word is certainly not an SQL keyword. Only the first bytes are formatted.
fn may_start_with_sql(lit: &proc_macro2::Literal) -> bool {
    use std::fmt::Write as _;
    struct Prefix {
        buf: [u8; 48],
        len: usize,
    }
    impl std::fmt::Write for Prefix {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let room = self.buf.len() - self.len;
            let n = room.min(s.len());
            self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
            self.len += n;
            if n < s.len() {
                Err(std::fmt::Error)
            } else {
                Ok(())
            }
        }
    }
    let mut p = Prefix {
        buf: [0; 48],
        len: 0,
    };
    let _ = write!(p, "{lit}");
    let bytes = &p.buf[..p.len];
    // Skip the opening quote (and `r#..#"`), then whitespace and its escapes.
    let Some(quote) = bytes.iter().position(|&b| b == b'"') else {
        return false;
    };
    let mut rest = &bytes[quote + 1..];
    loop {
        match rest {
            [b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c, tail @ ..] => rest = tail,
            [b'\\', b'n' | b't' | b'r', tail @ ..] => rest = tail,
            // A line continuation: the newline and the whitespace after it are not in the
            // value.
            [b'\\', b'\n', tail @ ..] | [b'\\', b'\r', b'\n', tail @ ..] => rest = tail,
            // An escape we do not expect.
            [b'\\', ..] => return true,
            _ => break,
        }
    }
    // The first word (see `looks_like_sql`): an SQL keyword or not, as far as the bytes
    // settle it. A `"` inside a word never belongs to a keyword; an escape may add letters
    // (`SEL\x45CT`) and the prefix may end inside the word, so there only a word that can
    // no longer become a keyword is settled; a non-ASCII character may be whitespace.
    const KEYWORDS: [&str; 5] = ["select", "insert", "update", "delete", "with"];
    let is_keyword = |w: &[u8]| {
        KEYWORDS
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k.as_bytes()))
    };
    let may_become_keyword = |w: &[u8]| {
        KEYWORDS
            .iter()
            .any(|k| k.len() >= w.len() && w.eq_ignore_ascii_case(&k.as_bytes()[..w.len()]))
    };
    let end = rest.iter().position(|&b| {
        matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | b'\\' | b'"') || b >= 0x80
    });
    let Some(end) = end else {
        return may_become_keyword(rest);
    };
    let word = &rest[..end];
    match rest[end] {
        // Leading whitespace beyond ASCII (`\u{a0}SELECT`): the word is after it.
        b if b >= 0x80 && end == 0 => true,
        b'"' => false,
        b'\\' if !matches!(rest.get(end + 1), Some(b'n' | b't' | b'r')) => may_become_keyword(word),
        _ => is_keyword(word),
    }
}

/// Whether a literal starts with an SQL statement keyword (see [`Collector::sql_literal`]).
pub(crate) fn looks_like_sql(text: &str) -> bool {
    let t = text.trim_start();
    let mut words = t.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let kw = ["select", "insert", "update", "delete", "with"];
    kw.iter().any(|k| first.eq_ignore_ascii_case(k)) && words.next().is_some()
}

fn path_span(path: &syn::Path) -> Span {
    match (&path.leading_colon, path.segments.first()) {
        (Some(c), _) => c.spans[0],
        (None, Some(seg)) => seg.ident.span(),
        (None, None) => Span::call_site(),
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_type_path(&mut self, tp: &'ast syn::TypePath) {
        self.qualified(tp.qself.as_ref(), &tp.path, ir::DepKind::Type);
    }

    fn visit_expr_path(&mut self, ep: &'ast syn::ExprPath) {
        self.qualified(ep.qself.as_ref(), &ep.path, ir::DepKind::Call);
    }

    fn visit_expr_struct(&mut self, es: &'ast syn::ExprStruct) {
        self.qualified(es.qself.as_ref(), &es.path, ir::DepKind::Call);
        for fv in &es.fields {
            self.visit_expr(&fv.expr);
        }
        if let Some(rest) = &es.rest {
            self.visit_expr(rest);
        }
    }

    fn visit_pat_struct(&mut self, ps: &'ast syn::PatStruct) {
        self.qualified(ps.qself.as_ref(), &ps.path, ir::DepKind::Call);
        for fp in &ps.fields {
            self.visit_pat(&fp.pat);
        }
    }

    fn visit_pat_tuple_struct(&mut self, ps: &'ast syn::PatTupleStruct) {
        self.qualified(ps.qself.as_ref(), &ps.path, ir::DepKind::Call);
        for p in &ps.elems {
            self.visit_pat(p);
        }
    }

    fn visit_pat_ident(&mut self, pi: &'ast syn::PatIdent) {
        let name = super::ident_str(&pi.ident);
        let looks_like_path = pi.by_ref.is_none()
            && pi.mutability.is_none()
            && pi.subpat.is_none()
            && name.chars().next().is_some_and(char::is_uppercase);
        if looks_like_path {
            self.record_segs(vec![name], ir::DepKind::Call, pi.ident.span());
        } else {
            self.locals.insert(name);
        }
        if let Some((_, sub)) = &pi.subpat {
            self.visit_pat(sub);
        }
    }

    fn visit_trait_bound(&mut self, tb: &'ast syn::TraitBound) {
        self.record(&tb.path, ir::DepKind::Type);
        for seg in &tb.path.segments {
            self.visit_path_arguments(&seg.arguments);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.record(&mac.path, ir::DepKind::Call);
        self.macro_body(mac);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        let kind = match &*call.func {
            syn::Expr::Path(p) => self.call_kind(&p.path),
            _ => CallKind::default(),
        };
        if kind.sql {
            self.first_str_arg(&call.args);
        }
        if kind.writes_args || kind.writes_path {
            match &*call.func {
                syn::Expr::Path(p) if kind.writes_path => {
                    self.qualified(p.qself.as_ref(), &p.path, ir::DepKind::Table)
                }
                func => self.visit_expr(func),
            }
            let from = self.refs.len();
            for arg in &call.args {
                self.visit_expr(arg);
            }
            if kind.writes_args {
                for r in &mut self.refs[from..] {
                    r.kind = ir::DepKind::Table;
                }
            }
            return;
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if is_one_of(&mut self.scratch, &call.method, SQL_METHODS) {
            self.first_str_arg(&call.args);
        }
        if is_one_of(&mut self.scratch, &call.method, ACTIVE_MODEL_WRITE_METHODS)
            && let Some(entity) = self.active_model_of(&call.receiver)
        {
            self.active_model_write(entity, &call.method);
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        syn::visit::visit_local(self, local);
        let pat = match &local.pat {
            syn::Pat::Type(pt) => &*pt.pat,
            pat => pat,
        };
        if let (syn::Pat::Ident(pi), Some(init)) = (pat, &local.init)
            && let Some(entity) = self.active_model_of(&init.expr)
        {
            self.active_models
                .push((super::ident_str(&pi.ident), entity));
        }
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        // Unescaping every literal is costly: look at the start of its source first.
        if may_start_with_sql(&s.token()) {
            self.sql_literal(s.value(), s.span(), false);
        }
    }

    fn visit_attribute(&mut self, _attr: &'ast syn::Attribute) {
        // Attributes (derives, cfgs, docs) are not references.
    }

    fn visit_receiver(&mut self, r: &'ast syn::Receiver) {
        // `self: Box<Self>` names types; plain `self` is nothing.
        if let syn::ReceiverKind::Typed(_, ty) = &r.kind {
            self.visit_type(ty);
        }
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        // Items inside a body: their names are local, their contents count for the
        // enclosing item. A `use` inside a body is recorded as a local use.
        match item {
            syn::Item::Use(u) => {
                let mut prefix = Vec::new();
                if u.leading_colon.is_some() {
                    prefix.push(String::new());
                }
                super::flatten_use(
                    &u.tree,
                    &mut prefix,
                    super::visibility(&u.vis),
                    None,
                    &mut self.uses,
                );
            }
            syn::Item::Fn(f) => {
                self.local_item(&f.sig.ident);
                self.with_generics(&f.sig.generics, |c| {
                    c.visit_signature(&f.sig);
                    c.visit_block(&f.block);
                });
            }
            syn::Item::Struct(s) => {
                self.local_item(&s.ident);
                self.with_generics(&s.generics, |c| {
                    c.visit_generics(&s.generics);
                    c.visit_fields(&s.fields);
                });
            }
            syn::Item::Enum(e) => {
                self.local_item(&e.ident);
                self.with_generics(&e.generics, |c| {
                    c.visit_generics(&e.generics);
                    for v in &e.variants {
                        c.visit_fields(&v.fields);
                    }
                });
            }
            syn::Item::Union(u) => {
                self.local_item(&u.ident);
                self.with_generics(&u.generics, |c| c.visit_fields_named(&u.fields));
            }
            syn::Item::Trait(t) => {
                self.local_item(&t.ident);
                self.with_generics(&t.generics, |c| syn::visit::visit_item_trait(c, t));
            }
            syn::Item::Type(t) => {
                self.local_item(&t.ident);
                self.with_generics(&t.generics, |c| c.visit_type(&t.ty));
            }
            syn::Item::Const(c) => {
                self.local_item(&c.ident);
                self.visit_type(&c.ty);
                self.visit_expr(&c.expr);
            }
            syn::Item::Static(s) => {
                self.local_item(&s.ident);
                self.visit_type(&s.ty);
                self.visit_expr(&s.expr);
            }
            syn::Item::Mod(m) => {
                self.local_item(&m.ident);
                syn::visit::visit_item_mod(self, m);
            }
            syn::Item::Impl(imp) => {
                self.with_generics(&imp.generics, |c| syn::visit::visit_item_impl(c, imp));
            }
            syn::Item::Macro(m) => {
                if let Some(ident) = &m.ident {
                    self.local_item(ident);
                } else {
                    self.visit_macro(&m.mac);
                }
            }
            other => syn::visit::visit_item(self, other),
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.with_generics(&f.sig.generics, |c| syn::visit::visit_impl_item_fn(c, f));
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        self.with_generics(&f.sig.generics, |c| syn::visit::visit_trait_item_fn(c, f));
    }
}

impl Collector {
    /// Records a possibly qualified path (`<T as Trait>::f`): the trait part as a type, the
    /// qualified self type visited, generic arguments visited.
    fn qualified(&mut self, qself: Option<&syn::QSelf>, path: &syn::Path, kind: ir::DepKind) {
        match qself {
            Some(q) => {
                self.visit_type(&q.ty);
                if q.position > 0 {
                    let segs: Vec<String> = super::path_segments(path)
                        .into_iter()
                        .take(q.position + usize::from(path.leading_colon.is_some()))
                        .collect();
                    self.record_segs(segs, ir::DepKind::Type, path_span(path));
                }
            }
            None => self.record(path, kind),
        }
        for seg in &path.segments {
            self.visit_path_arguments(&seg.arguments);
        }
    }
}

/// `[tokens]`, to parse `vec![x; n]` bodies as an array expression.
fn bracketed(tokens: &TokenStream) -> TokenStream {
    quote::quote!([#tokens])
}

#[cfg(test)]
mod arg_tests {
    //! The token reader of macro arguments (`args.rs`) against syn: every body it reads,
    //! syn parses too, and the collector records the same from both.
    use super::Collector;
    use syn::punctuated::Punctuated;
    use syn::visit::Visit;

    /// What a collector recorded, as text: every path with kind, line, column and whether
    /// it came from a macro; every SQL literal with its position and context.
    fn recorded(c: Collector) -> String {
        let got = c.finish();
        let mut out: Vec<String> = got
            .refs
            .iter()
            .map(|r| {
                format!(
                    "{}:{}@{}:{}{}",
                    r.kind,
                    r.path.join("::"),
                    r.line,
                    r.col,
                    if r.in_macro { " (macro)" } else { "" }
                )
            })
            .collect();
        out.extend(
            got.sql
                .iter()
                .map(|s| format!("sql {:?}@{}:{} {}", s.text, s.line, s.col, s.in_query_call)),
        );
        out.join("\n")
    }

    fn tokens(body: &str) -> proc_macro2::TokenStream {
        body.parse().expect("lexes")
    }

    /// Visits `body` read from tokens, and parsed by syn, with the same locals and
    /// generics in scope; both must agree and record something.
    fn same_as_syn(body: &str) {
        let setup = |c: &mut Collector| {
            c.locals.insert("local".to_owned());
            c.macro_depth = 1;
        };
        let args = super::super::args::parse_args(&tokens(body))
            .unwrap_or_else(|| panic!("not read from tokens: {body}"));
        let mut fast = Collector::new(&["T".to_owned()]);
        setup(&mut fast);
        for a in &args {
            fast.visit_arg(a);
        }
        let parser = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        let exprs = syn::parse::Parser::parse2(parser, tokens(body))
            .unwrap_or_else(|e| panic!("syn rejects {body}: {e}"));
        let mut slow = Collector::new(&["T".to_owned()]);
        setup(&mut slow);
        for e in &exprs {
            slow.visit_expr(e);
        }
        let (fast, slow) = (recorded(fast), recorded(slow));
        assert_eq!(fast, slow, "{body}");
        assert!(!fast.is_empty(), "{body} records nothing");
    }

    #[test]
    fn arguments_read_from_tokens_record_what_syn_expressions_record() {
        for body in [
            r#""{} {}", a, &b.c, &mut d.e.f, self.g"#,
            r#"p.root().join("x").is_file(), true"#,
            "Foo::new(1).bar()?.baz.0, x.await, -y, !z, *w, &&v",
            "::std::mem::take(&mut v[i][j]), f()(g), 1.max(h)",
            "a == b && c, d + e * f - g / h % i, j | k ^ l & m, n << o >> p, q || r",
            "(a, b), [c, d], (e), (), (f,)",
            r#"format!("{}", x.y()), vec![Y::Z, w], matches!(k, Some(_)), _"#,
            r#""{x} {y}", x = value.field, y = other(1)"#,
            "Self::X, self.y, super::z, crate::w, self, T::new(), local, local(), r#type.r#fn()",
            r#"sqlx::query("SELECT id FROM users WHERE x = $1"), conn.execute("DELETE FROM t", ())"#,
            "diesel::insert_into(users::table).values(&new_user), diesel::delete(posts::table)",
            r#""select name from accounts", "no sql here""#,
            "a,",
            "crate::x, super::y, self::z, crate, super, Self",
            "m![a, b], n!(c), ::m!(d)",
        ] {
            same_as_syn(body);
        }
    }

    #[test]
    fn long_operator_runs_are_read_without_nesting() {
        // On the test thread's small stack: no recursion per operator.
        let prefixes = format!("{}x", "!".repeat(20_000));
        let sum = vec!["a"; 20_000].join(" + ");
        for (body, refs) in [(prefixes, 1), (sum, 20_000)] {
            let args = super::super::args::parse_args(&tokens(&body)).expect("read");
            let mut c = Collector::new(&[]);
            for a in &args {
                c.visit_arg(a);
            }
            assert_eq!(c.finish().refs.len(), refs);
        }
    }

    #[test]
    fn bodies_outside_the_subset_are_left_to_syn() {
        for body in [
            // syn rejects these.
            "a < b < c",
            "a == b == c",
            "a,,b",
            ", a",
            // syn reads these, the token reader does not.
            "x as u8",
            "|x| x + 1",
            "{ a }",
            "Foo { a }",
            "a..b",
            "[x; 3]",
            "v.iter().collect::<Vec<_>>()",
            "Vec::<u8>::new()",
            "'a: loop {}",
            "#[cfg(x)] a",
            "x.0.1",
            "if a { b } else { c }",
            "a += 1",
            "Some(x) if x > 1",
            "m!{ a }",
        ] {
            assert!(
                super::super::args::parse_args(&tokens(body)).is_none(),
                "read from tokens: {body}"
            );
        }
    }
}

#[cfg(test)]
mod sql_prefix_tests {
    use super::{looks_like_sql, may_start_with_sql};

    /// The prefix check never says no to a literal whose value looks like SQL, and says no
    /// to the ordinary strings it can settle.
    #[test]
    fn the_literal_prefix_check_never_hides_sql() {
        let cases: &[(&str, bool)] = &[
            (r#""SELECT id FROM users""#, true),
            (r#""  \n\t select * from t""#, true),
            (r##"r#"WITH x AS (SELECT 1) SELECT * FROM x"#"##, true),
            (r#""Update t set a = 1""#, true),
            ("\"\u{a0}select a from b\"", true),
            ("\"\u{0c}select a from b\"", true),
            (r#""SEL\x45CT a FROM b""#, true),
            ("\"SEL\\\n   ECT a FROM b\"", true),
            ("\"\\\n    SELECT a FROM b\"", true),
            ("\"\\\r\n    select a from b\"", true),
            (r#""delete\nfrom t""#, true),
            (r#""some text that is not sql""#, false),
            (r#""internal error: {}""#, false),
            (r#""selection of things""#, false),
            (r#""updated""#, false),
            (r#""with""#, false),
            (
                r#""description of a very long first word that does not end in the prefix""#,
                false,
            ),
            (
                r#""selectselectselectselectselectselectselectselectselect a""#,
                false,
            ),
            (r#""sel\u{20}ect""#, false),
            (r#""select\u{a0}a""#, true),
            (r#""x""#, false),
            (r##"r#"select"x y"#"##, false),
            (r#""""#, false),
        ];
        for (source, sql) in cases {
            let lit: proc_macro2::Literal = match source.parse::<proc_macro2::TokenStream>() {
                Ok(ts) => match ts.into_iter().next() {
                    Some(proc_macro2::TokenTree::Literal(l)) => l,
                    other => panic!("{source}: {other:?}"),
                },
                Err(e) => panic!("{source}: {e}"),
            };
            let syn::Lit::Str(s) = syn::Lit::new(lit.clone()) else {
                panic!("{source} is not a string literal");
            };
            assert_eq!(looks_like_sql(&s.value()), *sql, "{source}");
            if *sql {
                assert!(may_start_with_sql(&lit), "{source} hidden");
            }
        }
        // What the bytes settle.
        for source in [
            r#""some text that is not sql""#,
            r#""internal error: {}""#,
            r#""selection of things""#,
            r#""updated record""#,
            r#""Dependency resolution failed""#,
            "\"\\\n    [COMPILING] foo v0.0.1\"",
            r#""{}""#,
            r#""x""#,
            r#""selected items""#,
            r#""ab\x45CD""#,
            r#""description of a very long first word that does not end in the prefix""#,
        ] {
            let lit: proc_macro2::Literal = source.parse::<proc_macro2::Literal>().expect("lexes");
            assert!(!may_start_with_sql(&lit), "{source} not settled");
        }
    }
}
