//! Lowering: one parsed `syn::File` becomes a [`FileSyntax`], plain owned data with line
//! numbers copied out, so the syntax tree can be dropped right after.
//!
//! What is extracted, per module body (the file itself and each inline `mod x { .. }`, in
//! pre-order): `mod x;` declarations (with `#[path]`, also inside `cfg_attr`), items with
//! their visibility, lines, signatures, derives, fields and ORM mapping attributes, flattened
//! `use` trees, diesel `table!` invocations, and, inside each item, every path it mentions
//! ([`body`]) and the SQL string literals it holds.
//!
//! Every `cfg` branch is taken: attributes are never evaluated, except `cfg(test)`, whose
//! items are left out unless tests are included. Item-position macros are read as the
//! items they declare where that is known statically: `cfg_if!`, `cfg_select!` and any
//! body of `pattern => { items }` arms (every arm), bodies that parse as items, and calls
//! of the analysed code's own `macro_rules!` macros, expanded by [`expand`] within bounds
//! (items they declare are placed at the call); inside an `impl`, the same macros' calls
//! are read as the methods they declare, and `cfg_if!`/`cfg_select!` arms as theirs.
//! Nothing here resolves names; that is [`crate::resolve`]'s job.

mod args;
mod attrs;
mod body;
mod expand;
mod tokens;

use crate::hash::{HashMap, HashSet};
use crate::syntax::{
    FieldSyntax, FileSyntax, ItemSyntax, ModDecl, ModSyntax, PathRef, TableSyntax, UseSyntax,
};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use seamline_ir as ir;
use std::rc::Rc;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// How deep module-level macro bodies that parse as items are followed (`m! { m2! { .. } }`).
const MAX_MACRO_ITEM_DEPTH: u32 = 8;

/// What lowering needs besides the file.
pub(crate) struct LowerOptions<'a> {
    /// Whether `#[cfg(test)]` items are lowered (`--include-tests`).
    pub include_tests: bool,
    /// `macro_rules!` definitions found in other files, by name; a definition in the file
    /// itself wins.
    pub macros: &'a HashMap<String, OtherMacro>,
}

/// A `macro_rules!` definition of another file.
#[derive(Debug, Clone)]
pub(crate) struct OtherMacro {
    /// For a macro of another crate, the name the calling crate knows it by.
    pub krate: Option<String>,
    /// The rules, as token text.
    pub rules: String,
}

/// The names of the macros that a `macro_rules!` definition's rules (as token text) call,
/// `name!` anywhere in them: a generous reading (a call in a doc string counts), for
/// finding the definitions that expanding this macro may need.
pub(crate) fn called_macros(rules: &str) -> Vec<&str> {
    let bytes = rules.as_bytes();
    let ident_char = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !(bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && ident_char(bytes[i]) {
            i += 1;
        }
        let mut j = i;
        while bytes.get(j) == Some(&b' ') {
            j += 1;
        }
        let name = &rules[start..i];
        let bang = bytes.get(j) == Some(&b'!') && bytes.get(j + 1) != Some(&b'=');
        if bang && name != "macro_rules" && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Lowers one parsed file. Never panics, whatever the input.
pub(crate) fn lower_file(file: &syn::File, options: &LowerOptions<'_>) -> FileSyntax {
    let mut lw = Lowerer {
        modules: Vec::new(),
        notes: Vec::new(),
        scanned_macros: None,
        include_tests: options.include_tests,
        other_macros: options.macros,
        local_macros: HashMap::default(),
        parsed_macros: HashMap::default(),
        budget: expand::Budget::new(),
        reported: HashSet::default(),
        macro_defs: Vec::new(),
        pending_macros: Vec::new(),
        call_line: None,
    };
    lw.collect_macro_defs(&file.items, 0);
    let end = file
        .items
        .last()
        .map(|it| item_end(it).end().line as u32)
        .unwrap_or(1)
        .max(1);
    lw.modules.push(ModSyntax {
        span: ir::LineSpan { start: 1, end },
        visibility: Some(ir::Visibility::Private),
        ..ModSyntax::default()
    });
    lw.lower_items(0, &file.items, &[], 0);
    lw.finish()
}

struct Lowerer<'a> {
    modules: Vec<ModSyntax>,
    notes: Vec<(ir::DiagCode, u32, String)>,
    /// Macro bodies scanned as text: (count, first line, first macro name).
    scanned_macros: Option<(u32, u32, String)>,
    include_tests: bool,
    other_macros: &'a HashMap<String, OtherMacro>,
    /// This file's `macro_rules!` bodies by name (the first definition wins).
    local_macros: HashMap<String, TokenStream>,
    /// Definitions read so far (from either source), by name.
    parsed_macros: HashMap<String, Rc<expand::MacroDef>>,
    budget: expand::Budget,
    /// (macro, reason) already reported in this file: one note each.
    reported: HashSet<(String, String)>,
    macro_defs: Vec<crate::syntax::MacroDefSyntax>,
    pending_macros: Vec<String>,
    /// The line of the outermost macro call being expanded: calls inside an expansion
    /// have the definition's lines, so notes about them point at the call in the source.
    call_line: Option<u32>,
}

/// The impl items of an impl-position macro call, expanded, with the call's place.
struct ExpandedImplCall {
    /// The macro's path, a reference of the impl.
    path: Vec<String>,
    items: Vec<syn::ImplItem>,
    line: u32,
    col: u32,
    /// The call's last line.
    end: u32,
}

/// How far the syntax of a module had grown before an expansion (see [`Lowerer::relocate`]).
struct Marks {
    modules: usize,
    items: usize,
    uses: usize,
    refs: usize,
    decls: usize,
    tables: usize,
    sql: usize,
}

impl Lowerer<'_> {
    fn finish(mut self) -> FileSyntax {
        if let Some((count, line, name)) = self.scanned_macros.take() {
            let msg = if count == 1 {
                format!("the body of `{name}!` was scanned as text")
            } else {
                format!(
                    "{count} macro bodies were scanned as text, the first one of `{name}!` here"
                )
            };
            self.notes.push((ir::DiagCode::MacroBodySkipped, line, msg));
        }
        self.pending_macros.sort();
        self.pending_macros.dedup();
        for module in &mut self.modules {
            mark_sea_orm_entities(&mut module.items);
        }
        FileSyntax {
            modules: self.modules,
            notes: self.notes,
            macro_defs: self.macro_defs,
            pending_macros: self.pending_macros,
        }
    }

    /// Records the file's `macro_rules!` definitions (at module level, inline modules
    /// included), before anything is lowered: a call may come before the definition.
    fn collect_macro_defs(&mut self, items: &[syn::Item], depth: u32) {
        for item in items {
            match item {
                syn::Item::Macro(mac) if mac.mac.path.is_ident("macro_rules") => {
                    if let Some(ident) = &mac.ident {
                        let name = ident_str(ident);
                        if !self.local_macros.contains_key(&name) {
                            self.macro_defs.push(crate::syntax::MacroDefSyntax {
                                name: name.clone(),
                                exported: mac
                                    .attrs
                                    .iter()
                                    .any(|a| a.path().is_ident("macro_export")),
                                rules: mac.mac.tokens.to_string(),
                            });
                            self.local_macros.insert(name, mac.mac.tokens.clone());
                        }
                    }
                }
                syn::Item::Mod(module) if depth < MAX_MACRO_ITEM_DEPTH => {
                    if let Some((_, items)) = &module.content {
                        self.collect_macro_defs(items, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    /// The definition of a `macro_rules!` macro of the analysed code named `name`.
    fn macro_def(&mut self, name: &str) -> Option<Rc<expand::MacroDef>> {
        if let Some(def) = self.parsed_macros.get(name) {
            return Some(def.clone());
        }
        let (tokens, krate) = match self.local_macros.get(name) {
            Some(tokens) => (tokens.clone(), None),
            None => {
                let other = self.other_macros.get(name)?;
                (
                    other.rules.parse::<TokenStream>().ok()?,
                    other.krate.clone(),
                )
            }
        };
        let def = Rc::new(expand::MacroDef::parse(&tokens, krate));
        self.parsed_macros.insert(name.to_owned(), def.clone());
        Some(def)
    }

    fn marks(&self, m: usize) -> Marks {
        let module = &self.modules[m];
        Marks {
            modules: self.modules.len(),
            items: module.items.len(),
            uses: module.uses.len(),
            refs: module.refs.len(),
            decls: module.mod_decls.len(),
            tables: module.tables.len(),
            sql: module.sql.len(),
        }
    }

    /// Places everything lowered since `marks` in module `m` (and the inline modules made
    /// since) at the macro call `line:col`..`end`: an expansion has no lines of its own.
    fn relocate(&mut self, m: usize, marks: &Marks, line: u32, col: u32, end: u32) {
        let span = ir::LineSpan {
            start: line,
            end: end.max(line),
        };
        let at_ref = |r: &mut PathRef| {
            r.line = line;
            r.col = col;
        };
        let fix_item = |it: &mut ItemSyntax| {
            it.line = line;
            it.col = col;
            it.span = span;
            it.refs.iter_mut().for_each(at_ref);
            it.derive_paths.iter_mut().for_each(at_ref);
            it.impl_self.iter_mut().for_each(at_ref);
            it.impl_trait.iter_mut().for_each(at_ref);
            for f in &mut it.fields {
                f.line = line;
                f.ty_paths.iter_mut().for_each(at_ref);
            }
            for q in &mut it.sql {
                q.line = line;
                q.col = col;
            }
            if let Some(t) = &mut it.table_attr {
                t.line = line;
            }
        };
        for (k, module) in self.modules.iter_mut().enumerate() {
            let whole = k >= marks.modules;
            if k != m && !whole {
                continue;
            }
            let from = |mark: usize| if whole { 0 } else { mark };
            if whole {
                module.span = span;
            }
            module.items[from(marks.items)..]
                .iter_mut()
                .for_each(fix_item);
            for u in &mut module.uses[from(marks.uses)..] {
                u.line = line;
                u.col = col;
            }
            module.refs[from(marks.refs)..].iter_mut().for_each(at_ref);
            for d in &mut module.mod_decls[from(marks.decls)..] {
                d.line = line;
                d.col = col;
            }
            for t in &mut module.tables[from(marks.tables)..] {
                t.line = line;
                t.col = col;
            }
            for q in &mut module.sql[from(marks.sql)..] {
                q.line = line;
                q.col = col;
            }
        }
    }

    /// A `macro-not-expanded` note, once per macro and reason in a file.
    fn not_expanded(&mut self, name: &str, line: u32, why: String) {
        let line = self.call_line.unwrap_or(line);
        if self.reported.insert((name.to_owned(), why.clone())) {
            self.notes.push((
                ir::DiagCode::MacroNotExpanded,
                line,
                format!("`{name}!` was not expanded: {why}"),
            ));
        }
    }

    fn note_scanned(&mut self, scanned: Vec<(u32, String)>) {
        for (line, name) in scanned {
            match &mut self.scanned_macros {
                Some((count, _, _)) => *count += 1,
                None => self.scanned_macros = Some((1, line, name)),
            }
        }
    }

    /// Lowers `items` into module `m`. `outer_generics` are generic names in scope (none at
    /// module level); `depth` counts module-level macro bodies re-parsed as items.
    fn lower_items(&mut self, m: usize, items: &[syn::Item], outer: &[String], depth: u32) {
        for item in items {
            // Test code: only its module declarations are kept (see `ModSyntax::test`).
            if self.modules[m].test || (!self.include_tests && attrs::is_cfg_test(item_attrs(item)))
            {
                if let syn::Item::Mod(module) = item {
                    self.lower_mod(m, module, depth, true);
                }
                continue;
            }
            self.lower_item(m, item, outer, depth);
        }
    }

    /// Lowers the items of several `cfg` arms into module `m`: every arm is taken, and an
    /// item an earlier arm already declared (same kind and name) is the same item.
    fn lower_arms(&mut self, m: usize, arms: &[syn::File], outer: &[String], depth: u32) {
        let mut seen: HashSet<(u8, String)> = HashSet::default();
        for arm in arms {
            let mut declared = Vec::new();
            for item in &arm.items {
                if let Some(key) = decl_key(item) {
                    if seen.contains(&key) {
                        continue;
                    }
                    declared.push(key);
                }
                self.lower_items(m, std::slice::from_ref(item), outer, depth);
            }
            seen.extend(declared);
        }
    }

    fn push_item(&mut self, m: usize, item: ItemSyntax) -> usize {
        let items = &mut self.modules[m].items;
        items.push(item);
        items.len() - 1
    }

    fn lower_item(&mut self, m: usize, item: &syn::Item, outer: &[String], depth: u32) {
        match item {
            syn::Item::Mod(module) => self.lower_mod(m, module, depth, false),
            syn::Item::Use(u) => {
                let vis = visibility(&u.vis);
                let mut prefix = Vec::new();
                if u.leading_colon.is_some() {
                    prefix.push(String::new());
                }
                flatten_use(&u.tree, &mut prefix, vis, None, &mut self.modules[m].uses);
            }
            syn::Item::ExternCrate(ec) => {
                // `extern crate foo as bar;` makes `bar` name the crate `foo`.
                let name = ident_str(&ec.ident);
                let (line, col) = line_col(ec.ident.span());
                let rename = ec.rename.as_ref().map(|(_, r)| ident_str(r));
                if name != "self" {
                    self.modules[m].uses.push(UseSyntax {
                        path: vec![String::new(), name],
                        rename,
                        glob: false,
                        visibility: visibility(&ec.vis),
                        in_item: None,
                        line,
                        col,
                    });
                }
            }
            syn::Item::Struct(s) => {
                let mut it = new_item(
                    &s.ident,
                    ir::ItemKind::Struct,
                    &s.vis,
                    s.struct_token.span,
                    item_end(item),
                );
                attrs::model_attrs(&s.attrs, &mut it);
                let generics = with_generics(outer, &s.generics);
                let mut col = body::Collector::new(&generics);
                col.visit_generics(&s.generics);
                it.fields = lower_fields(s.fields.iter(), None, &generics);
                col.visit_fields(&s.fields);
                let entity = sea_orm_generated_entity(&it);
                self.finish_item(m, it, col);
                if let Some(entity) = entity {
                    self.push_item(m, entity);
                }
            }
            syn::Item::Union(u) => {
                let mut it = new_item(
                    &u.ident,
                    ir::ItemKind::Union,
                    &u.vis,
                    u.union_token.span,
                    item_end(item),
                );
                attrs::model_attrs(&u.attrs, &mut it);
                let generics = with_generics(outer, &u.generics);
                let mut col = body::Collector::new(&generics);
                col.visit_generics(&u.generics);
                it.fields = lower_fields(u.fields.named.iter(), None, &generics);
                col.visit_fields_named(&u.fields);
                self.finish_item(m, it, col);
            }
            syn::Item::Enum(e) => {
                let mut it = new_item(
                    &e.ident,
                    ir::ItemKind::Enum,
                    &e.vis,
                    e.enum_token.span,
                    item_end(item),
                );
                attrs::model_attrs(&e.attrs, &mut it);
                let generics = with_generics(outer, &e.generics);
                let mut col = body::Collector::new(&generics);
                col.visit_generics(&e.generics);
                for v in &e.variants {
                    let variant = ident_str(&v.ident);
                    it.variants.push(variant.clone());
                    it.fields
                        .extend(lower_fields(v.fields.iter(), Some(&variant), &generics));
                    col.visit_fields(&v.fields);
                    if let Some((_, disc)) = &v.discriminant {
                        col.visit_expr(disc);
                    }
                }
                self.finish_item(m, it, col);
            }
            syn::Item::Trait(t) => {
                let mut it = new_item(
                    &t.ident,
                    ir::ItemKind::Trait,
                    &t.vis,
                    t.trait_token.span,
                    item_end(item),
                );
                attrs::model_attrs(&t.attrs, &mut it);
                let generics = with_generics(outer, &t.generics);
                let mut col = body::Collector::new(&generics);
                col.visit_generics(&t.generics);
                for b in &t.supertraits {
                    col.visit_type_param_bound(b);
                }
                let mut methods = Vec::new();
                for ti in &t.items {
                    match ti {
                        syn::TraitItem::Fn(f) => methods.push(f),
                        syn::TraitItem::Const(c) => {
                            col.visit_type(&c.ty);
                            if let Some((_, e)) = &c.default {
                                col.visit_expr(e);
                            }
                        }
                        syn::TraitItem::Type(ty) => {
                            for b in &ty.bounds {
                                col.visit_type_param_bound(b);
                            }
                            if let Some((_, d)) = &ty.default {
                                col.visit_type(d);
                            }
                        }
                        syn::TraitItem::Macro(mac) => col.visit_macro(&mac.mac),
                        _ => {}
                    }
                }
                let parent = self.finish_item(m, it, col);
                for f in methods {
                    let mut mi = new_item(
                        &f.sig.ident,
                        ir::ItemKind::Method,
                        &syn::Visibility::Inherited,
                        f.sig.fn_token.span,
                        match (&f.default, &f.semi_token) {
                            (Some(block), _) => block.brace_token.span.close(),
                            (None, Some(semi)) => semi.span,
                            (None, None) => f.sig.fn_token.span,
                        },
                    );
                    mi.span.start = sig_start(&f.sig);
                    mi.visibility = ir::Visibility::Public;
                    mi.parent = Some(parent);
                    mi.signature = Some(tokens::print(f.sig.to_token_stream()));
                    let generics = with_generics(&generics, &f.sig.generics);
                    let mut col = body::Collector::new(&generics);
                    col.visit_signature(&f.sig);
                    if let Some(block) = &f.default {
                        col.visit_block(block);
                    }
                    self.finish_item(m, mi, col);
                }
            }
            syn::Item::TraitAlias(t) => {
                let mut it = new_item(
                    &t.ident,
                    ir::ItemKind::Trait,
                    &t.vis,
                    t.trait_token.span,
                    item_end(item),
                );
                attrs::model_attrs(&t.attrs, &mut it);
                let generics = with_generics(outer, &t.generics);
                let mut col = body::Collector::new(&generics);
                col.visit_generics(&t.generics);
                for b in &t.bounds {
                    col.visit_type_param_bound(b);
                }
                self.finish_item(m, it, col);
            }
            syn::Item::Type(t) => {
                let mut it = new_item(
                    &t.ident,
                    ir::ItemKind::TypeAlias,
                    &t.vis,
                    t.type_token.span,
                    item_end(item),
                );
                attrs::model_attrs(&t.attrs, &mut it);
                let generics = with_generics(outer, &t.generics);
                let mut col = body::Collector::new(&generics);
                col.visit_generics(&t.generics);
                col.visit_type(&t.ty);
                self.finish_item(m, it, col);
            }
            syn::Item::Fn(f) => {
                let mut it = new_item(
                    &f.sig.ident,
                    ir::ItemKind::Function,
                    &f.vis,
                    f.sig.fn_token.span,
                    item_end(item),
                );
                if matches!(f.vis, syn::Visibility::Inherited) {
                    it.span.start = sig_start(&f.sig);
                }
                it.signature = Some(tokens::print(f.sig.to_token_stream()));
                let generics = with_generics(outer, &f.sig.generics);
                let mut col = body::Collector::new(&generics);
                col.visit_signature(&f.sig);
                col.visit_block(&f.block);
                let line = it.line;
                let span = it.span;
                self.finish_item(m, it, col);
                // A derive macro of a proc-macro crate is named by its attribute, not by
                // its function: `use macros::Name` and `#[derive(Name)]` find this item.
                if let Some(name) = attrs::proc_macro_derive_name(&f.attrs) {
                    let (_, col) = line_col(name.span());
                    let mut mac = new_item(
                        &name,
                        ir::ItemKind::Macro,
                        &syn::Visibility::Inherited,
                        f.sig.fn_token.span,
                        f.sig.fn_token.span,
                    );
                    mac.visibility = ir::Visibility::Public;
                    mac.line = line;
                    mac.col = col;
                    mac.span = span;
                    self.push_item(m, mac);
                }
            }
            syn::Item::Const(c) => {
                let mut it = new_item(
                    &c.ident,
                    ir::ItemKind::Const,
                    &c.vis,
                    c.const_token.span,
                    item_end(item),
                );
                if c.ident == "_" {
                    it.name = "_".to_owned();
                }
                let generics = with_generics(outer, &c.generics);
                let mut col = body::Collector::new(&generics);
                col.visit_type(&c.ty);
                col.visit_expr(&c.expr);
                self.finish_item(m, it, col);
            }
            syn::Item::Static(s) => {
                let it = new_item(
                    &s.ident,
                    ir::ItemKind::Static,
                    &s.vis,
                    s.static_token.span,
                    item_end(item),
                );
                let mut col = body::Collector::new(outer);
                col.visit_type(&s.ty);
                col.visit_expr(&s.expr);
                self.finish_item(m, it, col);
            }
            syn::Item::Impl(imp) => self.lower_impl(m, imp, outer),
            syn::Item::Macro(mac) => self.lower_item_macro(m, mac, outer, depth),
            syn::Item::ForeignMod(fm) => {
                for fi in &fm.items {
                    match fi {
                        syn::ForeignItem::Fn(f) => {
                            let mut it = new_item(
                                &f.sig.ident,
                                ir::ItemKind::Function,
                                &f.vis,
                                f.sig.fn_token.span,
                                f.semi_token.span,
                            );
                            it.signature = Some(tokens::print(f.sig.to_token_stream()));
                            let generics = with_generics(outer, &f.sig.generics);
                            let mut col = body::Collector::new(&generics);
                            col.visit_signature(&f.sig);
                            self.finish_item(m, it, col);
                        }
                        syn::ForeignItem::Static(s) => {
                            let it = new_item(
                                &s.ident,
                                ir::ItemKind::Static,
                                &s.vis,
                                s.static_token.span,
                                s.semi_token.span,
                            );
                            let mut col = body::Collector::new(outer);
                            col.visit_type(&s.ty);
                            self.finish_item(m, it, col);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn lower_mod(&mut self, m: usize, module: &syn::ItemMod, depth: u32, test: bool) {
        let name = ident_str(&module.ident);
        let path_attr = attrs::path_attrs(&module.attrs);
        if path_attr.len() > 1 {
            let (line, _) = line_col(module.ident.span());
            self.notes.push((
                ir::DiagCode::DuplicateModule,
                line,
                format!(
                    "module `{name}` has several `#[path]` values ({}); the first one is used",
                    path_attr.join(", ")
                ),
            ));
        }
        let path_attr = path_attr.into_iter().next();
        let vis = visibility(&module.vis);
        match &module.content {
            None => {
                let (line, col) = line_col(module.ident.span());
                self.modules[m].mod_decls.push(ModDecl {
                    name,
                    path_attr,
                    visibility: vis,
                    test,
                    line,
                    col,
                });
            }
            Some((_, items)) => {
                let start = match &module.vis {
                    syn::Visibility::Inherited => module.mod_token.span.start().line as u32,
                    v => v.span().start().line as u32,
                };
                let end = match &module.content {
                    Some((brace, _)) => brace.span.close().end().line as u32,
                    None => start,
                };
                let idx = self.modules.len();
                self.modules.push(ModSyntax {
                    name,
                    parent: Some(m),
                    path_attr,
                    span: ir::LineSpan {
                        start,
                        end: end.max(start),
                    },
                    visibility: Some(vis),
                    test,
                    ..ModSyntax::default()
                });
                self.lower_items(idx, items, &[], depth);
            }
        }
    }

    fn lower_impl(&mut self, m: usize, imp: &syn::ItemImpl, outer: &[String]) {
        let self_ty = tokens::print(imp.self_ty.to_token_stream());
        let name = match &imp.trait_ {
            Some((path, _)) => format!(
                "impl {}{} for {}",
                if imp.modifiers.polarity.is_some() {
                    "!"
                } else {
                    ""
                },
                tokens::print(path.to_token_stream()),
                self_ty
            ),
            None => format!("impl {self_ty}"),
        };
        let (line, col) = line_col(imp.impl_token.span);
        let full = imp.brace_token.span.close();
        let generics = with_generics(outer, &imp.generics);
        let mut it = ItemSyntax {
            name,
            kind: ir::ItemKind::Impl,
            visibility: ir::Visibility::Private,
            line,
            col,
            span: ir::LineSpan {
                start: line,
                end: (full.end().line as u32).max(line),
            },
            parent: None,
            impl_self: type_path(&imp.self_ty, &generics),
            impl_trait: imp.trait_.as_ref().map(|(path, _)| {
                let (line, col) = path_line_col(path);
                PathRef {
                    path: path_segments(path),
                    kind: ir::DepKind::Impl,
                    line,
                    col,
                    in_macro: false,
                }
            }),
            signature: None,
            derives: Vec::new(),
            derive_paths: Vec::new(),
            fields: Vec::new(),
            variants: Vec::new(),
            table_attr: None,
            entity_table: None,
            refs: Vec::new(),
            sql: Vec::new(),
        };
        if let Some(s) = &mut it.impl_self {
            s.kind = ir::DepKind::Impl;
        }
        let mut col = body::Collector::new(&generics);
        col.visit_generics(&imp.generics);
        // The trait's and the self type's own paths are the impl's `impl_trait` and
        // `impl_self`; only their generic arguments are collected here.
        if let Some((path, _)) = &imp.trait_ {
            for seg in &path.segments {
                col.visit_path_arguments(&seg.arguments);
            }
        }
        match (&*imp.self_ty, &it.impl_self) {
            (syn::Type::Path(tp), Some(_)) => {
                if let Some(q) = &tp.qself {
                    col.visit_type(&q.ty);
                }
                for seg in &tp.path.segments {
                    col.visit_path_arguments(&seg.arguments);
                }
            }
            (ty, _) => col.visit_type(ty),
        }
        let mut methods = Vec::new();
        let mut arm_methods = Vec::new();
        let mut expanded = Vec::new();
        for ii in &imp.items {
            match ii {
                syn::ImplItem::Fn(f) if self.include_tests || !attrs::is_cfg_test(&f.attrs) => {
                    methods.push(f)
                }
                syn::ImplItem::Const(c) => {
                    col.visit_type(&c.ty);
                    col.visit_expr(&c.expr);
                }
                syn::ImplItem::Type(t) => col.visit_type(&t.ty),
                syn::ImplItem::Macro(mac) => {
                    if let Some(call) = self.expand_impl_macro(&mac.mac, true) {
                        expanded.push(call);
                    } else if !impl_arm_methods(&mac.mac, &mut arm_methods, 0) {
                        if let Some(call) = self.expand_impl_macro(&mac.mac, false) {
                            expanded.push(call);
                        } else {
                            col.visit_macro(&mac.mac);
                        }
                    }
                }
                _ => {}
            }
        }
        // A method declared in several `cfg` arms is one method.
        let mut seen: HashSet<String> = methods.iter().map(|f| ident_str(&f.sig.ident)).collect();
        arm_methods.retain(|f: &syn::ImplItemFn| {
            (self.include_tests || !attrs::is_cfg_test(&f.attrs))
                && seen.insert(ident_str(&f.sig.ident))
        });
        methods.extend(arm_methods.iter());
        let parent = self.finish_item(m, it, col);
        for f in methods {
            self.lower_method(m, parent, f, &generics);
        }
        for call in expanded {
            self.lower_expanded_impl_items(m, parent, call, &generics);
        }
    }

    fn lower_method(&mut self, m: usize, parent: usize, f: &syn::ImplItemFn, generics: &[String]) {
        let mut mi = new_item(
            &f.sig.ident,
            ir::ItemKind::Method,
            &f.vis,
            f.sig.fn_token.span,
            f.block.brace_token.span.close(),
        );
        if matches!(f.vis, syn::Visibility::Inherited) {
            mi.span.start = sig_start(&f.sig);
        }
        mi.parent = Some(parent);
        mi.signature = Some(tokens::print(f.sig.to_token_stream()));
        let generics = with_generics(generics, &f.sig.generics);
        let mut col = body::Collector::new(&generics);
        col.visit_signature(&f.sig);
        col.visit_block(&f.block);
        self.finish_item(m, mi, col);
    }

    /// Reads an impl-position call of a `macro_rules!` macro of the analysed code
    /// (`impl Post { insert!(posts, NewPost); }`) as the impl items of its expansion,
    /// nested calls expanded too. `local` asks for a macro of this file (tried before the
    /// well-known `cfg_if!`/`cfg_select!` readings), otherwise one of another file (after
    /// them); a name found in neither is left for the driver's second lowering. `None`
    /// when the call is not expanded (a failure is a `macro-not-expanded` note).
    fn expand_impl_macro(&mut self, mac: &syn::Macro, local: bool) -> Option<ExpandedImplCall> {
        let name = simple_macro_name(&mac.path)?;
        let known = if local {
            self.local_macros.contains_key(&name)
        } else {
            self.other_macros.contains_key(&name)
        };
        if !known {
            if !local && !self.local_macros.contains_key(&name) {
                self.pending_macros.push(name);
            }
            return None;
        }
        let def = self.macro_def(&name)?;
        let (line, col) = path_line_col(&mac.path);
        let end = (macro_delimiter_end(&mac.delimiter).end().line as u32).max(line);
        let outermost = self.call_line.is_none();
        if outermost {
            self.call_line = Some(line);
        }
        let mut items = Vec::new();
        let done = self.expand_impl_tokens(&name, &def, &mac.tokens, line, 0, &mut items);
        if outermost {
            self.call_line = None;
        }
        done.then(|| ExpandedImplCall {
            path: path_segments(&mac.path),
            items,
            line,
            col,
            end,
        })
    }

    /// Expands one call of `def` in impl position into `out`; calls in its expansion of
    /// the analysed code's macros are expanded in turn (up to [`expand::MAX_DEPTH`]), other
    /// macro calls are kept as they are. False (after a note) when this call fails.
    fn expand_impl_tokens(
        &mut self,
        name: &str,
        def: &expand::MacroDef,
        input: &TokenStream,
        line: u32,
        depth: u32,
        out: &mut Vec<syn::ImplItem>,
    ) -> bool {
        if depth >= expand::MAX_DEPTH {
            let why = format!(
                "expansions nest deeper than {} levels (is it recursive?)",
                expand::MAX_DEPTH
            );
            self.not_expanded(name, line, why);
            return false;
        }
        let tokens = match def.expand(input, &mut self.budget) {
            Ok(tokens) => tokens,
            Err(failure) => {
                self.not_expanded(name, line, failure.describe());
                return false;
            }
        };
        let items = match parse_impl_items(tokens) {
            Ok(items) => items,
            Err(err) => {
                let why = format!("its expansion is not impl items ({err})");
                self.not_expanded(name, line, why);
                return false;
            }
        };
        for item in items {
            if let syn::ImplItem::Macro(inner) = &item
                && let Some(inner_name) = simple_macro_name(&inner.mac.path)
            {
                match self.macro_def(&inner_name) {
                    Some(inner_def) => {
                        let tokens = &inner.mac.tokens;
                        if self.expand_impl_tokens(
                            &inner_name,
                            &inner_def,
                            tokens,
                            line,
                            depth + 1,
                            out,
                        ) {
                            continue;
                        }
                    }
                    None => self.pending_macros.push(inner_name),
                }
            }
            out.push(item);
        }
        true
    }

    /// Lowers the impl items of an expanded impl-position call: functions become methods
    /// of the impl `parent`, and the paths of consts, types and unexpanded macro calls go
    /// to the impl itself; everything is placed at the call, as item-position expansions.
    fn lower_expanded_impl_items(
        &mut self,
        m: usize,
        parent: usize,
        call: ExpandedImplCall,
        generics: &[String],
    ) {
        let (line, col) = (call.line, call.col);
        let marks = self.marks(m);
        let mut collector = body::Collector::new(generics);
        for item in &call.items {
            match item {
                syn::ImplItem::Fn(f) if self.include_tests || !attrs::is_cfg_test(&f.attrs) => {
                    self.lower_method(m, parent, f, generics)
                }
                syn::ImplItem::Const(c) => {
                    collector.visit_type(&c.ty);
                    collector.visit_expr(&c.expr);
                }
                syn::ImplItem::Type(t) => collector.visit_type(&t.ty),
                syn::ImplItem::Macro(mac) => collector.visit_macro(&mac.mac),
                _ => {}
            }
        }
        self.relocate(m, &marks, line, col, call.end);
        let found = collector.finish();
        self.note_scanned(found.scanned);
        let module = &mut self.modules[m];
        let impl_item = &mut module.items[parent];
        impl_item.refs.push(PathRef {
            path: call.path,
            kind: ir::DepKind::Call,
            line,
            col,
            in_macro: false,
        });
        impl_item.refs.extend(found.refs.into_iter().map(|mut r| {
            (r.line, r.col) = (line, col);
            r
        }));
        impl_item.sql.extend(found.sql.into_iter().map(|mut q| {
            (q.line, q.col) = (line, col);
            q
        }));
        module.uses.extend(found.uses.into_iter().map(|mut u| {
            (u.line, u.col, u.in_item) = (line, col, Some(parent));
            u
        }));
    }

    fn lower_item_macro(&mut self, m: usize, mac: &syn::ItemMacro, outer: &[String], depth: u32) {
        let last = mac
            .mac
            .path
            .segments
            .last()
            .map(|s| ident_str(&s.ident))
            .unwrap_or_default();
        if let Some(ident) = &mac.ident {
            // `macro_rules! name { .. }`: only `$crate::..` paths of its body are real
            // dependencies; other paths are resolved where the macro is expanded.
            let mut it = new_item(
                ident,
                ir::ItemKind::Macro,
                &syn::Visibility::Inherited,
                mac.mac.path.span(),
                macro_end(mac),
            );
            if mac.attrs.iter().any(|a| a.path().is_ident("macro_export")) {
                it.visibility = ir::Visibility::Public;
            }
            it.line = line_col(ident.span()).0;
            it.col = line_col(ident.span()).1;
            for p in tokens::scan_paths(&mac.mac.tokens) {
                if p.path.first().is_some_and(|s| s == "$crate") {
                    it.refs.push(p);
                }
            }
            self.push_item(m, it);
            return;
        }
        // A call of a `macro_rules!` macro of this file: its expansion's items.
        if let Some(name) = simple_macro_name(&mac.mac.path)
            && self.local_macros.contains_key(&name)
            && let Some(def) = self.macro_def(&name)
            && self.expand_call(m, mac, &name, &def, outer, depth)
        {
            return;
        }
        if last == "table" {
            let (line, col) = path_line_col(&mac.mac.path);
            let tables = tables_in_macro(&mac.mac.tokens, line, col);
            self.modules[m].tables.extend(tables);
            return;
        }
        if matches!(
            last.as_str(),
            "joinable"
                | "allow_tables_to_appear_in_same_query"
                | "allow_columns_to_appear_in_same_group_by_clause"
        ) {
            return;
        }
        // `cfg_if! { if #[cfg(a)] { items } else { items } }`, `cfg_select! { pred => {
        // items } _ => { items } }` and any body of such arms: every arm's items belong to
        // the module (cfg branches are a union), so that the `mod x;` declarations inside
        // are followed (libc and lemmy declare their modules this way).
        if depth < MAX_MACRO_ITEM_DEPTH
            && let Some(arms) = cfg_arm_bodies(&last, &mac.mac.tokens)
        {
            let parsed: Vec<syn::File> = arms
                .into_iter()
                .filter_map(|b| syn::parse2::<syn::File>(b).ok())
                .collect();
            if !parsed.is_empty() {
                self.push_macro_ref(m, &mac.mac.path);
                self.lower_arms(m, &parsed, outer, depth + 1);
                return;
            }
        }
        // Other module-level macros: bodies that parse as items (`thread_local!`,
        // wrappers around item definitions) are lowered as items of the module; anything
        // else is walked for paths and SQL, attributed to the module.
        if depth < MAX_MACRO_ITEM_DEPTH
            && let Ok(file) = syn::parse2::<syn::File>(mac.mac.tokens.clone())
            && !file.items.is_empty()
        {
            self.push_macro_ref(m, &mac.mac.path);
            self.lower_items(m, &file.items, outer, depth + 1);
            return;
        }
        // A macro of another file of the analysed code, only now: the usual readings of
        // well-known macros (`table!`, `cfg_if!`) win over a same-named definition
        // elsewhere in a big tree.
        if let Some(name) = simple_macro_name(&mac.mac.path) {
            if self.other_macros.contains_key(&name)
                && let Some(def) = self.macro_def(&name)
                && self.expand_call(m, mac, &name, &def, outer, depth)
            {
                return;
            }
            self.pending_macros.push(name);
        }
        let mut col = body::Collector::new(outer);
        col.visit_macro(&mac.mac);
        let out = col.finish();
        self.note_scanned(out.scanned);
        let module = &mut self.modules[m];
        module.refs.extend(out.refs);
        module.sql.extend(out.sql);
        module.uses.extend(out.uses);
    }

    /// A module-level reference to the macro an item-position call names.
    fn push_macro_ref(&mut self, m: usize, path: &syn::Path) {
        let (line, col) = path_line_col(path);
        self.modules[m].refs.push(PathRef {
            path: path_segments(path),
            kind: ir::DepKind::Call,
            line,
            col,
            in_macro: false,
        });
    }

    /// Expands an item-position call of a `macro_rules!` macro of the analysed code and
    /// lowers the items of the expansion at the call's place. A failure is a note, and
    /// the call is then read as any other macro call (false).
    fn expand_call(
        &mut self,
        m: usize,
        mac: &syn::ItemMacro,
        name: &str,
        def: &expand::MacroDef,
        outer: &[String],
        depth: u32,
    ) -> bool {
        let (line, col) = path_line_col(&mac.mac.path);
        let end = (macro_end(mac).end().line as u32).max(line);
        if depth >= expand::MAX_DEPTH {
            let why = format!(
                "expansions nest deeper than {} levels (is it recursive?)",
                expand::MAX_DEPTH
            );
            self.not_expanded(name, line, why);
            return false;
        }
        let tokens = match def.expand(&mac.mac.tokens, &mut self.budget) {
            Ok(tokens) => tokens,
            Err(failure) => {
                self.not_expanded(name, line, failure.describe());
                return false;
            }
        };
        let file = match syn::parse2::<syn::File>(tokens) {
            Ok(file) => file,
            Err(err) => {
                self.not_expanded(name, line, format!("its expansion is not items ({err})"));
                return false;
            }
        };
        self.push_macro_ref(m, &mac.mac.path);
        let marks = self.marks(m);
        let outermost = self.call_line.is_none();
        if outermost {
            self.call_line = Some(line);
        }
        self.lower_items(m, &file.items, outer, depth + 1);
        if outermost {
            self.call_line = None;
        }
        self.relocate(m, &marks, line, col, end);
        true
    }

    /// Pushes the item with what the collector found; returns its index.
    fn finish_item(&mut self, m: usize, mut it: ItemSyntax, col: body::Collector) -> usize {
        let out = col.finish();
        it.refs.extend(out.refs);
        it.sql.extend(out.sql);
        self.note_scanned(out.scanned);
        let idx = self.push_item(m, it);
        for mut u in out.uses {
            u.in_item = Some(idx);
            self.modules[m].uses.push(u);
        }
        idx
    }
}

/// The name of an item-position macro call that may name a `macro_rules!` macro of the
/// analysed code: `name!`, `crate::name!`, `$crate::name!`, `self::name!`, `super::name!`.
fn simple_macro_name(path: &syn::Path) -> Option<String> {
    let segs = &path.segments;
    let prefix_ok = match segs.len() {
        1 => path.leading_colon.is_none(),
        2 => {
            let first = ident_str(&segs[0].ident);
            path.leading_colon.is_none() && matches!(first.as_str(), "crate" | "self" | "super")
        }
        _ => false,
    };
    let last = segs.last()?;
    (prefix_ok && last.arguments.is_none()).then(|| ident_str(&last.ident))
}

/// The bodies of a macro call whose arms are items: `cfg_if!`'s braces, and the
/// `pattern => { .. }` arms of `cfg_select!` or of any body made only of such arms.
pub(super) fn cfg_arm_bodies(name: &str, tokens: &TokenStream) -> Option<Vec<TokenStream>> {
    if name == "cfg_if" {
        let bodies: Vec<TokenStream> = tokens
            .clone()
            .into_iter()
            .filter_map(|t| match t {
                TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace => {
                    Some(g.stream())
                }
                _ => None,
            })
            .collect();
        return (!bodies.is_empty()).then_some(bodies);
    }
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let is =
        |t: Option<&TokenTree>, c: char| matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c);
    let mut bodies = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        let start = i;
        while !(is(trees.get(i), '=') && is(trees.get(i + 1), '>')) {
            if i >= trees.len() {
                return None;
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        match trees.get(i + 2) {
            Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Brace => {
                bodies.push(g.stream());
            }
            _ => return None,
        }
        i += 3;
        if is(trees.get(i), ',') {
            i += 1;
        }
    }
    (!bodies.is_empty()).then_some(bodies)
}

/// The methods of a `cfg_select!`/`cfg_if!` call inside an impl, every arm taken (nested
/// calls included); false when the call is no such macro.
fn impl_arm_methods(mac: &syn::Macro, out: &mut Vec<syn::ImplItemFn>, depth: u32) -> bool {
    let name = mac
        .path
        .segments
        .last()
        .map(|s| ident_str(&s.ident))
        .unwrap_or_default();
    if depth >= MAX_MACRO_ITEM_DEPTH || !matches!(name.as_str(), "cfg_select" | "cfg_if") {
        return false;
    }
    let Some(arms) = cfg_arm_bodies(&name, &mac.tokens) else {
        return false;
    };
    let mut any = false;
    for arm in arms {
        let Ok(items) = parse_impl_items(arm) else {
            continue;
        };
        any = true;
        for item in items {
            match item {
                syn::ImplItem::Fn(f) => out.push(f),
                syn::ImplItem::Macro(inner) => {
                    impl_arm_methods(&inner.mac, out, depth + 1);
                }
                _ => {}
            }
        }
    }
    any
}

/// The `Entity` that sea-orm's `#[derive(DeriveEntityModel)]` generates beside a model
/// with `#[sea_orm(table_name = "..")]`: an item that stands for the table, declared by the
/// derive (its line is the derive's, outside the model's span, so no line counts twice).
fn sea_orm_generated_entity(model: &ItemSyntax) -> Option<ItemSyntax> {
    let table = model.table_attr.as_ref()?;
    let derive = model
        .derive_paths
        .iter()
        .find(|p| p.path.last().is_some_and(|s| s == "DeriveEntityModel"))?;
    Some(ItemSyntax {
        name: "Entity".to_owned(),
        kind: ir::ItemKind::Struct,
        visibility: ir::Visibility::Public,
        line: derive.line,
        col: derive.col,
        span: ir::LineSpan {
            start: derive.line,
            end: derive.line,
        },
        parent: None,
        impl_self: None,
        impl_trait: None,
        signature: None,
        derives: Vec::new(),
        derive_paths: Vec::new(),
        fields: Vec::new(),
        variants: Vec::new(),
        table_attr: None,
        entity_table: Some(table.table.clone()),
        refs: Vec::new(),
        sql: Vec::new(),
    })
}

/// Sea-orm's expanded form declares `#[derive(DeriveEntity)] pub struct Entity;` and puts
/// the table name on the model (`#[derive(DeriveModel)] #[sea_orm(table_name = "..")]`)
/// or on the entity itself: such an `Entity` stands for that table.
fn mark_sea_orm_entities(items: &mut [ItemSyntax]) {
    let is_entity =
        |it: &ItemSyntax| it.name == "Entity" && it.derives.iter().any(|d| d == "DeriveEntity");
    if !items.iter().any(is_entity) {
        return;
    }
    let model_table = items
        .iter()
        .filter(|it| {
            it.derives
                .iter()
                .any(|d| d == "DeriveModel" || d == "DeriveActiveModel")
        })
        .find_map(|it| it.table_attr.as_ref().map(|t| t.table.clone()));
    for it in items.iter_mut().filter(|it| is_entity(it)) {
        let own = it.table_attr.as_ref().map(|t| t.table.clone());
        it.entity_table = own.or_else(|| model_table.clone());
    }
}

/// What makes two items of `cfg` arms the same item: their kind and name.
fn decl_key(item: &syn::Item) -> Option<(u8, String)> {
    let (kind, ident) = match item {
        syn::Item::Struct(s) => (0, &s.ident),
        syn::Item::Enum(e) => (1, &e.ident),
        syn::Item::Union(u) => (2, &u.ident),
        syn::Item::Trait(t) => (3, &t.ident),
        syn::Item::Type(t) => (4, &t.ident),
        syn::Item::Fn(f) => (5, &f.sig.ident),
        syn::Item::Const(c) => (6, &c.ident),
        syn::Item::Static(s) => (7, &s.ident),
        syn::Item::Mod(m) => (8, &m.ident),
        syn::Item::Macro(m) => (9, m.ident.as_ref()?),
        _ => return None,
    };
    Some((kind, ident_str(ident)))
}

/// An item's attributes.
fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The last token of an item (its closing brace or semicolon), found without printing
/// the item back to tokens (which `Spanned::span` would do, at a high cost).
fn item_end(item: &syn::Item) -> Span {
    match item {
        syn::Item::Const(c) => c.semi_token.span,
        syn::Item::Enum(e) => e.brace_token.span.close(),
        syn::Item::ExternCrate(e) => e.semi_token.span,
        syn::Item::Fn(f) => f.block.brace_token.span.close(),
        syn::Item::ForeignMod(f) => f.brace_token.span.close(),
        syn::Item::Impl(i) => i.brace_token.span.close(),
        syn::Item::Macro(m) => macro_end(m),
        syn::Item::Mod(m) => match (&m.content, &m.semi) {
            (Some((brace, _)), _) => brace.span.close(),
            (None, Some(semi)) => semi.span,
            (None, None) => m.ident.span(),
        },
        syn::Item::Static(s) => s.semi_token.span,
        syn::Item::Struct(s) => match (&s.semi_token, &s.fields) {
            (Some(semi), _) => semi.span,
            (None, syn::Fields::Named(n)) => n.brace_token.span.close(),
            (None, syn::Fields::Unnamed(u)) => u.paren_token.span.close(),
            (None, syn::Fields::Unit) => s.ident.span(),
        },
        syn::Item::Trait(t) => t.brace_token.span.close(),
        syn::Item::TraitAlias(t) => t.semi_token.span,
        syn::Item::Type(t) => t.semi_token.span,
        syn::Item::Union(u) => u.fields.brace_token.span.close(),
        syn::Item::Use(u) => u.semi_token.span,
        other => other.span(),
    }
}

/// The last token of an item macro.
fn macro_end(m: &syn::ItemMacro) -> Span {
    match &m.semi_token {
        Some(semi) => semi.span,
        None => macro_delimiter_end(&m.mac.delimiter),
    }
}

/// The closing delimiter of a macro call.
fn macro_delimiter_end(delimiter: &syn::MacroDelimiter) -> Span {
    match delimiter {
        syn::MacroDelimiter::Paren(p) => p.span.close(),
        syn::MacroDelimiter::Brace(b) => b.span.close(),
        syn::MacroDelimiter::Bracket(b) => b.span.close(),
    }
}

/// A new item with name, kind, visibility and lines; the span starts at the visibility or
/// the keyword (attributes and doc comments excluded).
fn new_item(
    ident: &syn::Ident,
    kind: ir::ItemKind,
    vis: &syn::Visibility,
    keyword: Span,
    whole: Span,
) -> ItemSyntax {
    let (line, col) = line_col(ident.span());
    let start = match vis {
        syn::Visibility::Inherited => keyword.start().line as u32,
        v => v.span().start().line as u32,
    };
    let start = if start == 0 { line } else { start };
    ItemSyntax {
        name: ident_str(ident),
        kind,
        visibility: visibility(vis),
        line,
        col,
        span: ir::LineSpan {
            start,
            end: (whole.end().line as u32).max(start),
        },
        parent: None,
        impl_self: None,
        impl_trait: None,
        signature: None,
        derives: Vec::new(),
        derive_paths: Vec::new(),
        fields: Vec::new(),
        variants: Vec::new(),
        table_attr: None,
        entity_table: None,
        refs: Vec::new(),
        sql: Vec::new(),
    }
}

/// The first line of a signature (`const`, `async`, `unsafe`, `extern` or `fn`).
fn sig_start(sig: &syn::Signature) -> u32 {
    let span = sig
        .constness
        .as_ref()
        .map(|t| t.span)
        .or(sig.asyncness.as_ref().map(|t| t.span))
        .unwrap_or(sig.fn_token.span);
    span.start().line as u32
}

/// `outer` plus the type and const parameter names of `generics`.
fn with_generics(outer: &[String], generics: &syn::Generics) -> Vec<String> {
    let mut out = outer.to_vec();
    out.extend(generic_names(generics));
    out
}

fn generic_names(generics: &syn::Generics) -> impl Iterator<Item = String> + '_ {
    generics.params.iter().filter_map(|p| match p {
        syn::GenericParam::Type(t) => Some(ident_str(&t.ident)),
        syn::GenericParam::Const(c) => Some(ident_str(&c.ident)),
        _ => None,
    })
}

fn lower_fields<'a>(
    fields: impl Iterator<Item = &'a syn::Field>,
    variant: Option<&str>,
    generics: &[String],
) -> Vec<FieldSyntax> {
    let mut out = Vec::new();
    for (i, f) in fields.enumerate() {
        let name = f.ident.as_ref().map(ident_str).unwrap_or(i.to_string());
        let name = match variant {
            Some(v) => format!("{v}.{name}"),
            None => name,
        };
        let line = f
            .ident
            .as_ref()
            .map(|id| line_col(id.span()).0)
            .unwrap_or_else(|| f.ty.span().start().line as u32);
        let mut col = body::Collector::new(generics);
        col.visit_type(&f.ty);
        out.push(FieldSyntax {
            name,
            ty: tokens::print(f.ty.to_token_stream()),
            ty_paths: col.finish().refs,
            line,
        });
    }
    out
}

/// The path of a type that is a plain path (`Order`, `crate::m::Order<T>`), unless it is a
/// generic parameter.
fn type_path(ty: &syn::Type, generics: &[String]) -> Option<PathRef> {
    match ty {
        syn::Type::Path(tp) if tp.qself.is_none() => {
            let path = path_segments(&tp.path);
            if path.len() == 1 && generics.contains(&path[0]) {
                return None;
            }
            let (line, col) = path_line_col(&tp.path);
            Some(PathRef {
                path,
                kind: ir::DepKind::Type,
                line,
                col,
                in_macro: false,
            })
        }
        syn::Type::Paren(p) => type_path(&p.elem, generics),
        syn::Type::Group(g) => type_path(&g.elem, generics),
        _ => None,
    }
}

/// Parses the tables of a diesel `table!` body. Tolerant: anything it does not understand
/// is skipped.
fn tables_in_macro(tokens: &proc_macro2::TokenStream, line: u32, col: u32) -> Vec<TableSyntax> {
    tokens::diesel_tables(tokens)
        .into_iter()
        .map(|t| TableSyntax {
            name: t.sql_name.unwrap_or_else(|| t.rust_name.clone()),
            rust_name: t.rust_name,
            columns: t.columns,
            line: if t.line == 0 { line } else { t.line },
            col: if t.line == 0 { col } else { t.col },
        })
        .collect()
}

/// Flattens a use tree into leaves.
fn flatten_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    vis: ir::Visibility,
    in_item: Option<usize>,
    out: &mut Vec<UseSyntax>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(ident_str(&p.ident));
            flatten_use(&p.tree, prefix, vis, in_item, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let (line, col) = line_col(n.ident.span());
            let name = ident_str(&n.ident);
            let mut path = prefix.clone();
            // `use a::b::{self}` imports `a::b`.
            if name != "self" || path.is_empty() {
                path.push(name);
            }
            out.push(UseSyntax {
                path,
                rename: None,
                glob: false,
                visibility: vis,
                in_item,
                line,
                col,
            });
        }
        syn::UseTree::Rename(r) => {
            let (line, col) = line_col(r.ident.span());
            let name = ident_str(&r.ident);
            let mut path = prefix.clone();
            if name != "self" || path.is_empty() {
                path.push(name);
            }
            out.push(UseSyntax {
                path,
                rename: Some(ident_str(&r.rename)),
                glob: false,
                visibility: vis,
                in_item,
                line,
                col,
            });
        }
        syn::UseTree::Glob(g) => {
            let (line, col) = line_col(g.star_token.span);
            out.push(UseSyntax {
                path: prefix.clone(),
                rename: None,
                glob: true,
                visibility: vis,
                in_item,
                line,
                col,
            });
        }
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten_use(t, prefix, vis, in_item, out);
            }
        }
    }
}

/// Maps syn's visibility onto the model's.
fn visibility(vis: &syn::Visibility) -> ir::Visibility {
    match vis {
        syn::Visibility::Public(_) => ir::Visibility::Public,
        syn::Visibility::Restricted(r) => {
            if r.in_token.is_none() && r.path.is_ident("crate") {
                ir::Visibility::Crate
            } else if r.in_token.is_none() && r.path.is_ident("self") {
                ir::Visibility::Private
            } else {
                ir::Visibility::Restricted
            }
        }
        _ => ir::Visibility::Private,
    }
}

/// An identifier as a string, `r#` stripped.
fn ident_str(ident: &syn::Ident) -> String {
    let s = ident.to_string();
    match s.strip_prefix("r#") {
        Some(rest) => rest.to_owned(),
        None => s,
    }
}

/// 1-based line and column of a span's start.
fn line_col(span: Span) -> (u32, u32) {
    let lc = span.start();
    (lc.line as u32, lc.column as u32 + 1)
}

fn path_line_col(path: &syn::Path) -> (u32, u32) {
    match (&path.leading_colon, path.segments.first()) {
        (Some(c), _) => line_col(c.spans[0]),
        (None, Some(seg)) => line_col(seg.ident.span()),
        (None, None) => (0, 0),
    }
}

/// Segments as written, generic arguments dropped, leading `::` as an empty segment.
fn path_segments(path: &syn::Path) -> Vec<String> {
    let mut out = Vec::with_capacity(path.segments.len() + 1);
    if path.leading_colon.is_some() {
        out.push(String::new());
    }
    out.extend(path.segments.iter().map(|s| ident_str(&s.ident)));
    out
}

#[cfg(test)]
mod tests;

/// The items of an impl block's body, as an expansion or a `cfg_select!` arm yields them.
fn parse_impl_items(tokens: proc_macro2::TokenStream) -> syn::Result<Vec<syn::ImplItem>> {
    let parser = |ps: syn::parse::ParseStream<'_>| {
        let mut items = Vec::new();
        while !ps.is_empty() {
            items.push(ps.parse::<syn::ImplItem>()?);
        }
        Ok(items)
    };
    syn::parse::Parser::parse2(parser, tokens)
}
