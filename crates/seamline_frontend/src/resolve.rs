//! Name resolution, best effort: turns every module's syntax summary into items,
//! references, tables and table accesses.
//!
//! It is not rustc's algorithm. These are the rules, in order:
//!
//! - **Items.** Every item of every module gets an id, ordered by module id, then line,
//!   column and name. Paths are `module::Name`; methods `module::Type::method` (the impl's
//!   self type, or the trait); impl blocks `module::<impl Trait for Type>`. A path already
//!   taken in the module gets a `#2`, `#3`... suffix. Each diesel `table!` table becomes a
//!   `TableSchema` item named after its Rust identifier.
//! - **Scopes.** A module's scope holds, by name, its items (types, functions, consts,
//!   statics, macros, `table!` modules), its child modules, its `use` bindings (renames
//!   included, `as _` binds nothing) and its glob imports (of modules, of enums: their
//!   variants, of diesel `table!` modules and their `dsl`: the table and its columns).
//!   Visibility is not checked. Types (with modules) and values are two namespaces only
//!   where a module declares both under one name (`mod x` or `use schema::x` beside
//!   `fn x`): a path's leading segments and a type's last segment look for a type or
//!   module, an expression's last segment for a value; otherwise the first binding wins.
//! - **Lookup of a name** in a module: its items and child modules, then explicit `use`
//!   bindings (whose paths are resolved from that module, so `pub use` re-exports are
//!   followed to the defining item, through any chain; a cycle ends as not found), then
//!   glob imports. Inside an item, its own body-level `use`s come first.
//! - **First segment of a path**: `crate` and `$crate` (the crate root), `self`, `super`
//!   (repeatable), leading `::` (an extern crate: a workspace crate or external), `Self`
//!   (the impl's self type, the trait, or the type itself); else a scoped lookup, then the
//!   workspace crates this crate depends on (their local names, and a package's own lib for
//!   its bins), then `macro_rules!` macros of the enclosing modules and of the crate
//!   (`#[macro_export]` ones are also bound at the crate root), then the std prelude (`Option`, `Vec`, `String`, `Box`, `Result`, `Ok`, std macros...:
//!   external `std`), then primitives (ignored).
//! - **Further segments**: a module is entered; a type followed by a name resolves to that
//!   type's method (from its inherent and trait impls, or the trait's own methods) when one
//!   has that name, an enum followed by a variant to the enum, otherwise to the type itself;
//!   a `table!` table followed by anything (`users::table`, `users::dsl::*`, `users::name`)
//!   is a table access. A name missing in a module of the codebase is unresolved.
//! - **Not found**: a path whose first segment names nothing is external, aggregated per
//!   module under its first segment (`serde`, `tokio`; a `use` binding whose path starts
//!   with such a name is external too, so its uses count under that crate). A single name,
//!   or a path starting with an uppercase name or with a name that did resolve, is kept as
//!   `<unresolved>::First`; a `crate::`/`self::`/`super::` path that fails as
//!   `<unresolved>::whole::path` (and, for a `use`, an `unresolved-import` note). A lone
//!   identifier inside a macro body that names nothing is dropped (macro syntax). Generic
//!   parameters and local variables were already dropped by lowering. Before giving up on
//!   a name in code, a module (or item) with a glob import of an external path
//!   (`use diesel::prelude::*`) attributes it to that crate; a path walking into a module
//!   from outside does the same with its `pub use` globs.
//! - **Derives** naming a derive macro of the codebase (`#[proc_macro_derive(Name)]` in a
//!   proc-macro crate of the workspace, an item named `Name`) are `Call` references from
//!   the deriving item; other derives are not references.
//! - **References** are aggregated per (module, item, target, kind) with the first
//!   location; a reference from an item to itself is dropped. Module-level `use`s give
//!   `Import` references without an item. `impl Trait for Type` gives the impl item `Impl`
//!   references to both, its `parent` (the type) and `implements` (the trait).
//! - **Fields** refer to the items their types mention; a field is an id when it is named
//!   `id`, `*_id` or `*_ids`, or its type mentions a name ending in `Id` that resolves to a
//!   one-field tuple struct or a type alias.
//! - **Tables** come from `table!` (name, columns, definition), mapping attributes (diesel
//!   `table_name` naming a `table!` by its Rust name uses that table's SQL name) and SQL.
//!   Accesses: SQL (statement targets are writes), diesel DSL paths (a write inside
//!   `insert_into`/`update`/`delete` arguments, else a read; a `use` of a path inside a
//!   `table!` such as `users::dsl::*` is a read by the module), mapping attributes (a read by
//!   the model's module and item). SQL that does not parse is kept, from a scan, only when
//!   it is an argument of a query call, with an `sql-unparsed` note. A sea-orm `Entity`
//!   (declared, or generated by `DeriveEntityModel`) stands for its table: a path through
//!   it is a read, or a write when lowering marked it as one (`Entity::delete_many()`,
//!   `active_model.insert(db)`), besides a reference.

use crate::sql::tables_in_sql;
use crate::syntax::{self, ItemSyntax, ModSyntax, PathRef, UseSyntax};
use rayon::prelude::*;
use seamline_ir as ir;
use std::collections::BTreeMap;

use crate::hash::{HashMap, HashSet};

/// What the resolver needs: the module tree built by the driver and each module's syntax.
pub(crate) struct ResolveInput<'a> {
    /// Every source file (for locations in diagnostics).
    pub(crate) files: &'a [ir::SourceFile],
    /// Every crate, with its local dependency names.
    pub(crate) crates: &'a [ir::Crate],
    /// Modules with ids assigned, sorted by path, `items` empty.
    pub(crate) modules: &'a [ir::Module],
    /// `bodies[i]` is the syntax of `modules[i]`.
    pub(crate) bodies: Vec<syntax::ModSyntax>,
}

/// What the resolver produces; the driver moves it into [`ir::Facts`].
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    /// Items, ids in order (by module id, then line, column, name); `code_lines` left 0.
    pub(crate) items: Vec<ir::Item>,
    /// `module_items[i]`: the items declared directly in `modules[i]`, in source order.
    pub(crate) module_items: Vec<Vec<ir::ItemId>>,
    /// Tables, sorted by name.
    pub(crate) tables: Vec<ir::Table>,
    /// Table accesses, sorted by (module, item, table, mode, via).
    pub(crate) table_accesses: Vec<ir::TableAccess>,
    /// References, sorted by (from_module, from_item, to, kind).
    pub(crate) references: Vec<ir::Reference>,
    /// External references, sorted by (module, root).
    pub(crate) external: Vec<ir::ExternalRef>,
    /// Notes (unresolved imports, unparsable SQL), in discovery order.
    pub(crate) diagnostics: Vec<ir::Diagnostic>,
}

/// Resolves names across the whole codebase. Never panics on odd input.
pub(crate) fn resolve(input: ResolveInput<'_>) -> Resolved {
    resolve_in_chunks(input, CHUNK_ITEMS)
}

/// [`resolve`], in chunks of about `chunk_items` items (tests vary it: the answer must not
/// change).
pub(crate) fn resolve_in_chunks(input: ResolveInput<'_>, chunk_items: usize) -> Resolved {
    let mut shared = Shared::new(&input);
    // Impl blocks first: methods' owners and the `assoc` table depend on them.
    let updates = Resolver::new(&shared).resolve_impls();
    for (idx, parent, implements) in updates {
        if parent.is_some() {
            shared.items[idx].parent = parent;
        }
        if implements.is_some() {
            shared.items[idx].implements = implements;
        }
    }
    shared.build_assoc();
    let mut tables = shared.declared_tables();
    // Everything else in parallel, in chunks of modules fixed by the input alone (never by
    // the thread count): each chunk starts with empty caches and the merge below is
    // order-independent, so the result is the same on any number of threads.
    let outputs: Vec<Output> = shared
        .chunks(chunk_items)
        .into_par_iter()
        .map(|(modules, items)| {
            let mut r = Resolver::new(&shared);
            r.resolve_chunk(modules, items);
            r.out
        })
        .collect();
    let mut merged = Output::default();
    let (mut refs, mut external, mut accesses) = (Vec::new(), Vec::new(), Vec::new());
    for out in outputs {
        refs.push(out.refs);
        external.push(out.external);
        accesses.push(out.accesses);
        for (name, draft) in out.tables {
            tables
                .entry(name)
                .or_default()
                .mapped_by
                .extend(draft.mapped_by);
        }
        merged.diagnostics.extend(out.diagnostics);
        for (idx, fields) in out.fields {
            shared.items[idx].fields = fields;
        }
    }
    merged.refs = merge_counts(refs);
    merged.external = merge_counts(external);
    merged.accesses = merge_counts(accesses);
    merged.tables = tables;
    let resolved = finish(shared, merged);
    // The syntax summaries are many small allocations: freed in the background, on the
    // pool's threads, while the caller goes on with the serial rest.
    let bodies = input.bodies;
    rayon::spawn(move || bodies.into_par_iter().for_each(drop));
    resolved
}

/// The union of the chunks' aggregated counts: counts of a key summed, its earliest
/// location kept.
fn merge_counts<K: Ord>(
    maps: Vec<BTreeMap<K, (u32, ir::Location)>>,
) -> BTreeMap<K, (u32, ir::Location)> {
    // One sorted list built into one tree: chunks hold whole modules and keys start with the
    // module, so the list is mostly sorted runs already, and joining the maps one by one
    // (`append` rebuilds the whole tree every time) was quadratic in the number of chunks.
    let mut entries: Vec<(K, (u32, ir::Location))> = maps.into_iter().flatten().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut joined: Vec<(K, (u32, ir::Location))> = Vec::with_capacity(entries.len());
    for (key, (count, loc)) in entries {
        match joined.last_mut() {
            Some((last, (n, at))) if *last == key => {
                *n += count;
                if loc < *at {
                    *at = loc;
                }
            }
            _ => joined.push((key, (count, loc))),
        }
    }
    // Sorted and without duplicates: the tree is built in bulk.
    joined.into_iter().collect()
}

/// About how many items (plus modules) one parallel resolution chunk holds.
pub(crate) const CHUNK_ITEMS: usize = 1024;

/// Names the std prelude (and common std macros) brings into every module.
const PRELUDE: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "ToString",
    "ToOwned",
    "Clone",
    "Copy",
    "Default",
    "Drop",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Extend",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "AsRef",
    "AsMut",
    "Fn",
    "FnMut",
    "FnOnce",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "drop",
    "Debug",
    "Hash",
    "FromIterator",
    "std",
    "core",
    "alloc",
    // Macros.
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "format_args",
    "vec",
    "write",
    "writeln",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "panic",
    "todo",
    "unimplemented",
    "unreachable",
    "matches",
    "dbg",
    "concat",
    "stringify",
    "include",
    "include_str",
    "include_bytes",
    "env",
    "option_env",
    "cfg",
    "line",
    "column",
    "file",
    "module_path",
    "compile_error",
    "thread_local",
    "cfg_select",
    "const_format_args",
    "assert_matches",
    "addr_of",
    "addr_of_mut",
];

/// Primitive types: not references at all.
const PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "isize", "f32", "f64", "f16", "f128",
];

/// What a path resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Res {
    /// An item of the codebase.
    Item(ir::ItemId),
    /// A module of the codebase.
    Module(ir::ModuleId),
    /// Something inside a `table!` table (`users::table`, a column, the `dsl` module).
    Table(ir::ItemId),
    /// Outside the codebase, with the external root name.
    External(String),
    /// A primitive type: not a reference.
    Ignore,
}

/// The namespace a name is looked up in. Rust keeps types (and modules) apart from values:
/// `mod warehouses` (or an imported diesel table) and `fn warehouses` live side by side, and
/// `warehouses::table` walks into the module while `warehouses(conn)` calls the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Ns {
    /// Whatever is bound first (`use` paths, macro paths, patterns).
    Any,
    /// Modules, structs, enums, unions, traits, aliases, tables: a path prefix, a type.
    Type,
    /// Functions, consts, statics, structs: the last segment of an expression path.
    Value,
}

impl Ns {
    /// Whether `res` may be the answer in this namespace.
    fn fits(self, res: &Res, items: &[ir::Item]) -> bool {
        let kind = match res {
            Res::Item(id) => items.get(id.index()).map(|it| it.kind),
            _ => None,
        };
        match self {
            Ns::Any => true,
            Ns::Type => !matches!(
                kind,
                Some(
                    ir::ItemKind::Function
                        | ir::ItemKind::Const
                        | ir::ItemKind::Static
                        | ir::ItemKind::Macro
                )
            ),
            Ns::Value => !matches!(res, Res::Module(_)),
        }
    }
}

/// An import: the path of a `use` binding or glob.
#[derive(Debug, Clone)]
struct Import {
    path: Vec<String>,
    /// Whether the `use` has a visibility (a re-export).
    public: bool,
}

/// A module's scope.
#[derive(Debug, Default)]
struct Scope {
    /// Items and child modules declared in the module, first declaration wins.
    defs: HashMap<String, Res>,
    /// Where `defs` holds a binding of the other namespace: the first declaration that fits
    /// the type (`.0`) or value (`.1`) namespace.
    other_ns: HashMap<String, (Option<Res>, Option<Res>)>,
    /// `use` bindings by name.
    imports: HashMap<String, Vec<Import>>,
    /// Glob imports.
    globs: Vec<Import>,
}

/// The context of a path: where it is written.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    module: ir::ModuleId,
    /// The item holding the path, with its body-level `use`s.
    item: Option<ir::ItemId>,
    local_uses: &'a [UseSyntax],
    /// What `Self` means here.
    self_item: Option<ir::ItemId>,
}

/// Per-item data kept beside the [`ir::Item`] during resolution.
struct ItemInfo {
    /// Index of the module body and the item in it (`None` for `table!` items).
    src: Option<(usize, usize)>,
    /// For `table!` items: the index of the table in the module body.
    table_src: Option<usize>,
    /// Enum variants.
    variants: Vec<String>,
}

/// A reference's aggregation key: (from module, from item, to, kind).
type RefKey = (ir::ModuleId, Option<ir::ItemId>, ir::ItemId, ir::DepKind);

/// A table access's aggregation key: (module, item, table name, mode, via).
type AccessKey = (
    ir::ModuleId,
    Option<ir::ItemId>,
    String,
    ir::AccessMode,
    ir::AccessVia,
);

/// What every chunk of the resolution reads: items, scopes, methods, macros. Built
/// serially, then shared.
struct Shared<'a> {
    input: &'a ResolveInput<'a>,
    items: Vec<ir::Item>,
    info: Vec<ItemInfo>,
    module_items: Vec<Vec<ir::ItemId>>,
    /// Local `use`s per item.
    local_uses: HashMap<ir::ItemId, Vec<UseSyntax>>,
    scopes: Vec<Scope>,
    children: Vec<HashMap<String, ir::ModuleId>>,
    /// Methods of each type and trait, by name, first one wins.
    assoc: HashMap<ir::ItemId, HashMap<String, ir::ItemId>>,
    /// Macro items by name per crate, first one wins.
    macros_by_crate: HashMap<ir::CrateId, HashMap<String, ir::ItemId>>,
    /// SQL name of each `table!` item.
    table_item_name: HashMap<ir::ItemId, String>,
}

/// What one chunk found, aggregated.
#[derive(Default)]
struct Output {
    refs: BTreeMap<RefKey, (u32, ir::Location)>,
    external: BTreeMap<(ir::ModuleId, String), (u32, ir::Location)>,
    accesses: BTreeMap<AccessKey, (u32, ir::Location)>,
    /// Table names seen, with columns and definition when a `table!` declares them.
    tables: BTreeMap<String, TableDraft>,
    diagnostics: Vec<ir::Diagnostic>,
    /// Fields of the chunk's items, by item index.
    fields: Vec<(usize, Vec<ir::Field>)>,
}

/// Resolves paths over a [`Shared`] view, with its own caches and [`Output`].
struct Resolver<'s, 'a> {
    s: &'s Shared<'a>,
    /// Memoized scope lookups (only those that hit no cycle guard).
    cache: HashMap<ir::ModuleId, HashMap<String, Option<Res>>>,
    /// Lookups in progress (cycle guard).
    in_progress: HashSet<(ir::ModuleId, String)>,
    /// How many times the cycle guard fired (to know what can be cached).
    cycle_hits: u64,
    /// Memoized glob import targets, by (module, index in its scope's globs): only those
    /// whose resolution met no guard.
    glob_targets: HashMap<(ir::ModuleId, usize), Option<Res>>,
    /// Glob import targets being resolved (a guard, as `in_progress`).
    globs_in_progress: HashSet<(ir::ModuleId, usize)>,
    /// Above zero while glob paths are resolved: lookups skip glob imports then.
    no_globs: u32,
    /// Per module, the external crate of its first external glob import.
    /// (Only `pub use` globs, for paths that walk into the module from outside.)
    external_globs: HashMap<(ir::ModuleId, bool), Option<String>>,
    /// Memoized [`Self::resolve_first`] answers for paths written outside any body-level
    /// `use`, by (module, namespace) then name: most names of a module (`Vec`, `Ok`, a
    /// crate's own `Result`) are looked up again and again by its items.
    first_cache: HashMap<(ir::ModuleId, Ns), HashMap<String, Option<Res>>>,
    out: Output,
}

#[derive(Default)]
struct TableDraft {
    columns: Vec<String>,
    defined_in: Option<ir::TableDefinition>,
    mapped_by: Vec<ir::ItemId>,
}

impl<'a> Shared<'a> {
    /// The body-level `use`s of an item.
    fn local_uses_of(&self, id: ir::ItemId) -> &[UseSyntax] {
        self.local_uses.get(&id).map_or(&[], Vec::as_slice)
    }

    /// Tables declared by `table!`, with their columns and definitions.
    fn declared_tables(&self) -> BTreeMap<String, TableDraft> {
        let mut tables: BTreeMap<String, TableDraft> = BTreeMap::new();
        for idx in 0..self.items.len() {
            if let Some(t) = self.info[idx].table_src {
                let module = self.items[idx].module;
                let ts = &self.body(module.index()).tables[t];
                let loc = self.loc(module, ts.line, ts.col);
                let draft = tables.entry(ts.name.clone()).or_default();
                if draft.defined_in.is_none() {
                    draft.columns = ts.columns.clone();
                    draft.defined_in = Some(ir::TableDefinition {
                        module,
                        item: Some(ir::ItemId(idx as u32)),
                        location: loc,
                    });
                }
            }
        }
        tables
    }

    /// Consecutive modules with their items, in pieces of about `chunk_items` items (plus
    /// modules): the units resolved in parallel. They depend on the input only.
    fn chunks(&self, chunk_items: usize) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
        let mut chunks = Vec::new();
        let (mut first_module, mut first_item, mut items) = (0, 0, 0);
        for m in 0..self.input.modules.len() {
            items += self.module_items[m].len() + 1;
            if items >= chunk_items || m + 1 == self.input.modules.len() {
                let end_item = self.module_items[..=m]
                    .iter()
                    .rev()
                    .find_map(|ids| ids.last())
                    .map_or(first_item, |last| last.index() + 1);
                chunks.push((first_module..m + 1, first_item..end_item));
                first_module = m + 1;
                first_item = end_item;
                items = 0;
            }
        }
        // Items outside any module's list (none are expected) still get resolved.
        if first_item < self.items.len() {
            chunks.push((first_module..first_module, first_item..self.items.len()));
        }
        chunks
    }

    fn new(input: &'a ResolveInput<'a>) -> Self {
        let n_modules = input.modules.len();
        let mut r = Shared {
            input,
            items: Vec::new(),
            info: Vec::new(),
            module_items: vec![Vec::new(); n_modules],
            local_uses: HashMap::default(),
            scopes: Vec::with_capacity(n_modules),
            children: vec![HashMap::default(); n_modules],
            assoc: HashMap::default(),
            macros_by_crate: HashMap::default(),
            table_item_name: HashMap::default(),
        };
        r.create_items();
        r.build_scopes();
        r
    }

    fn body(&self, m: usize) -> &'a ModSyntax {
        body_of(self.input, m)
    }

    fn loc(&self, m: ir::ModuleId, line: u32, col: u32) -> ir::Location {
        ir::Location {
            file: self.input.modules[m.index()].file,
            line,
            col,
        }
    }

    fn file_path(&self, m: ir::ModuleId) -> Option<String> {
        let file = self.input.modules[m.index()].file;
        self.input.files.get(file.index()).map(|f| f.path.clone())
    }

    /// Creates every item with its id, path and plain attributes.
    /// Creates every item with its id, path and plain attributes: each module's items in
    /// parallel (ids are known in advance: items are numbered module by module), then
    /// gathered in module order.
    fn create_items(&mut self) {
        let input = self.input;
        let mut firsts = Vec::with_capacity(input.modules.len());
        let mut next = 0usize;
        for m in 0..input.modules.len() {
            firsts.push(next);
            let body = body_of(input, m);
            next += body.items.len() + body.tables.len();
        }
        let per_module: Vec<ModuleItems> = firsts
            .par_iter()
            .enumerate()
            .map(|(m, &first)| module_items(input, m, first))
            .collect();
        self.items.reserve(next);
        self.info.reserve(next);
        for (m, built) in per_module.into_iter().enumerate() {
            self.module_items[m] = built.items.iter().map(|it| it.id).collect();
            self.items.extend(built.items);
            self.info.extend(built.info);
            self.table_item_name.extend(built.table_names);
            for (id, u) in built.local_uses {
                self.local_uses.entry(id).or_default().push(u);
            }
        }
    }

    /// Module `m`'s scope (its child modules, items, imports and globs) and its
    /// `macro_rules!` macros in declaration order.
    fn module_scope(&self, m: usize) -> (Scope, Vec<ir::ItemId>) {
        let mut scope = Scope::default();
        let mut macros = Vec::new();
        let mut all_defs: Vec<(String, Res)> = Vec::new();
        for (name, &child) in &self.children[m] {
            scope.defs.insert(name.clone(), Res::Module(child));
            all_defs.push((name.clone(), Res::Module(child)));
        }
        for &id in &self.module_items[m] {
            let it = &self.items[id.index()];
            let in_scope = !matches!(it.kind, ir::ItemKind::Impl | ir::ItemKind::Method);
            if in_scope && it.name != "_" {
                // Items win over child modules of the same name only if declared
                // first; keep the first binding, modules included.
                scope.defs.entry(it.name.clone()).or_insert(Res::Item(id));
                all_defs.push((it.name.clone(), Res::Item(id)));
            }
            if it.kind == ir::ItemKind::Macro {
                macros.push(id);
            }
        }
        // Modules come first in `all_defs`, then items in declaration order: the first
        // fitting binding of each namespace, for names whose first binding does not fit.
        for (name, res) in all_defs {
            let Some(first) = scope.defs.get(&name) else {
                continue;
            };
            if *first == res {
                continue;
            }
            let entry = scope.other_ns.entry(name).or_default();
            if entry.0.is_none()
                && !Ns::Type.fits(first, &self.items)
                && Ns::Type.fits(&res, &self.items)
            {
                entry.0 = Some(res.clone());
            }
            if entry.1.is_none()
                && !Ns::Value.fits(first, &self.items)
                && Ns::Value.fits(&res, &self.items)
            {
                entry.1 = Some(res);
            }
        }
        for u in &self.body(m).uses {
            if u.in_item.is_some() {
                continue;
            }
            let import = Import {
                path: u.path.clone(),
                public: u.visibility != ir::Visibility::Private,
            };
            if u.glob {
                scope.globs.push(import);
            } else if let Some(name) = binding_name(u) {
                scope.imports.entry(name).or_default().push(import);
            }
        }
        (scope, macros)
    }

    fn build_scopes(&mut self) {
        for (m, module) in self.input.modules.iter().enumerate() {
            if let Some(p) = module.parent
                && p.index() < self.children.len()
            {
                let name = module.path.rsplit("::").next().unwrap_or("").to_owned();
                self.children[p.index()].entry(name).or_insert(module.id);
            }
            let _ = m;
        }
        // Each module's scope in parallel; macros are then registered in module order
        // (first one wins).
        let this = &*self;
        let built: Vec<(Scope, Vec<ir::ItemId>)> = (0..self.input.modules.len())
            .into_par_iter()
            .map(|m| this.module_scope(m))
            .collect();
        let mut exported_macros = Vec::new();
        for (m, (scope, macros)) in built.into_iter().enumerate() {
            for id in macros {
                let it = &self.items[id.index()];
                let krate = self.input.modules[m].krate;
                self.macros_by_crate
                    .entry(krate)
                    .or_default()
                    .entry(it.name.clone())
                    .or_insert(id);
                if it.visibility == ir::Visibility::Public {
                    exported_macros.push((ir::ModuleId(m as u32), it.name.clone(), id));
                }
            }
            self.scopes.push(scope);
        }
        // `#[macro_export]` macros live at their crate's root.
        for (m, name, id) in exported_macros {
            if let Some(root) = self.crate_root(m) {
                self.scopes[root.index()]
                    .defs
                    .entry(name)
                    .or_insert(Res::Item(id));
            }
        }
    }

    /// What `Item::name` denotes when the item is used as a namespace: an enum's variant
    /// (the enum), a type's or trait's method, a `table!` table's column or `dsl` names.
    fn name_inside_item(&self, id: ir::ItemId, name: &str) -> Option<Res> {
        let it = &self.items[id.index()];
        match it.kind {
            ir::ItemKind::TableSchema => {
                let info = &self.info[id.index()];
                let cols = info
                    .table_src
                    .and_then(|t| self.body(it.module.index()).tables.get(t))
                    .map(|t| t.columns.as_slice())
                    .unwrap_or(&[]);
                let known = name == it.name
                    || name == "table"
                    || name == "dsl"
                    || name == "columns"
                    || name == "star"
                    || name == "all_columns"
                    || name == "SqlType"
                    || cols.iter().any(|c| c == name);
                known.then_some(Res::Table(id))
            }
            ir::ItemKind::Enum if self.info[id.index()].variants.iter().any(|v| v == name) => {
                Some(Res::Item(id))
            }
            _ => self
                .assoc
                .get(&id)
                .and_then(|a| a.get(name))
                .map(|&m| Res::Item(m)),
        }
    }

    /// The crate root of module `m`.
    fn crate_root(&self, m: ir::ModuleId) -> Option<ir::ModuleId> {
        let krate = self.input.modules.get(m.index())?.krate;
        if let Some(root) = self
            .input
            .crates
            .get(krate.index())
            .and_then(|c| c.root_module)
        {
            return Some(root);
        }
        // Walk up.
        let mut cur = m;
        for _ in 0..256 {
            match self.input.modules.get(cur.index())?.parent {
                Some(p) => cur = p,
                None => return Some(cur),
            }
        }
        None
    }

    /// A workspace crate visible from module `m` under `name`.
    fn extern_crate(&self, m: ir::ModuleId, name: &str) -> Option<ir::ModuleId> {
        let krate = self
            .input
            .crates
            .get(self.input.modules[m.index()].krate.index())?;
        if let Some(dep) = krate.deps.iter().find(|d| d.local_name == name) {
            return self.input.crates.get(dep.krate.index())?.root_module;
        }
        // A bin (or test) target uses its own package's lib under the lib's name.
        if krate.kind != ir::CrateKind::Lib {
            return self
                .input
                .crates
                .iter()
                .find(|c| {
                    c.kind == ir::CrateKind::Lib
                        && c.name == name
                        && c.manifest.is_some()
                        && c.manifest == krate.manifest
                })
                .and_then(|c| c.root_module);
        }
        None
    }

    /// A `macro_rules!` macro named `name`, visible from `m`: in `m` or its ancestors, else
    /// anywhere in the crate (`#[macro_use]`, `#[macro_export]`).
    fn find_macro(&self, m: ir::ModuleId, name: &str) -> Option<ir::ItemId> {
        let mut cur = Some(m);
        for _ in 0..256 {
            let Some(c) = cur else { break };
            if let Some(Res::Item(id)) = self.scopes.get(c.index())?.defs.get(name)
                && self.items[id.index()].kind == ir::ItemKind::Macro
            {
                return Some(*id);
            }
            cur = self.input.modules.get(c.index())?.parent;
        }
        let krate = self.input.modules.get(m.index())?.krate;
        self.macros_by_crate
            .get(&krate)
            .and_then(|names| names.get(name))
            .copied()
    }

    fn self_ctx_for(&self, id: ir::ItemId) -> Option<ir::ItemId> {
        let it = &self.items[id.index()];
        match it.kind {
            ir::ItemKind::Method => it.parent.and_then(|p| {
                let parent = &self.items[p.index()];
                match parent.kind {
                    ir::ItemKind::Impl => parent.parent,
                    _ => Some(p),
                }
            }),
            ir::ItemKind::Impl => it.parent,
            k if k.is_model() => Some(id),
            _ => None,
        }
    }

    fn ctx_for(&self, id: ir::ItemId) -> (ir::ModuleId, Option<ir::ItemId>) {
        (self.items[id.index()].module, self.self_ctx_for(id))
    }

    /// Methods by owner: a type's inherent and trait impls' methods, a trait's methods.
    fn build_assoc(&mut self) {
        for idx in 0..self.items.len() {
            let it = &self.items[idx];
            if it.kind != ir::ItemKind::Method {
                continue;
            }
            let Some(p) = it.parent else { continue };
            let parent = &self.items[p.index()];
            let owner = match parent.kind {
                ir::ItemKind::Impl => parent.parent,
                _ => Some(p),
            };
            if let Some(owner) = owner {
                self.assoc
                    .entry(owner)
                    .or_default()
                    .entry(it.name.clone())
                    .or_insert(ir::ItemId(idx as u32));
            }
        }
    }

    /// Whether a struct is a one-field tuple struct (its fields may not be filled yet).
    fn is_tuple_newtype(&self, id: ir::ItemId) -> bool {
        match self.info[id.index()].src {
            Some((m, i)) => {
                let f = &self.body(m).items[i].fields;
                f.len() == 1 && f[0].name == "0"
            }
            None => false,
        }
    }

    /// The SQL name of a mapped table: a `table!` whose Rust name matches gives its SQL
    /// name (`#[sql_name]`), else the attribute's value.
    fn mapped_table_name(&self, name: &str) -> String {
        // The first `table!` (lowest item id) with that Rust name, for determinism.
        self.table_item_name
            .iter()
            .filter(|(id, _)| self.items[id.index()].name == name)
            .min_by_key(|(id, _)| **id)
            .map(|(_, sql_name)| sql_name.clone())
            .unwrap_or_else(|| name.to_owned())
    }
}

impl<'s, 'a> Resolver<'s, 'a> {
    fn new(s: &'s Shared<'a>) -> Self {
        Resolver {
            s,
            cache: HashMap::default(),
            in_progress: HashSet::default(),
            cycle_hits: 0,
            glob_targets: HashMap::default(),
            globs_in_progress: HashSet::default(),
            no_globs: 0,
            external_globs: HashMap::default(),
            first_cache: HashMap::default(),
            out: Output::default(),
        }
    }

    // ---- Lookup ----

    /// Looks `name` up in module `m`'s scope (items, imports, globs).
    fn lookup(&mut self, m: ir::ModuleId, name: &str, depth: u32) -> Option<Res> {
        if m.index() >= self.s.scopes.len() {
            return None;
        }
        if depth > 64 {
            // Truncated: nothing above this can be trusted as complete.
            self.cycle_hits += 1;
            return None;
        }
        if let Some(res) = self.cache.get(&m).and_then(|names| names.get(name)) {
            return res.clone();
        }
        let key = (m, name.to_owned());
        if !self.in_progress.insert(key.clone()) {
            self.cycle_hits += 1;
            return None;
        }
        let hits_before = self.cycle_hits;
        let res = self.lookup_uncached(m, name, depth);
        self.in_progress.remove(&key);
        // Only an answer that met no cycle guard (nor the depth limit) is memoized: one cut
        // by a guard depends on which lookups were in progress, and memoizing it would make
        // later answers depend on the order of the questions (and so on how the work was
        // split into chunks).
        if self.cycle_hits == hits_before && self.no_globs == 0 {
            self.cache.entry(m).or_default().insert(key.1, res.clone());
        }
        res
    }

    /// [`Self::lookup`] in namespace `ns`: when the module's own first binding of `name` is
    /// of the other namespace, its other declaration of that namespace, else its imports
    /// and globs (uncached: rare), else that first binding after all (best effort).
    fn lookup_ns(&mut self, m: ir::ModuleId, name: &str, depth: u32, ns: Ns) -> Option<Res> {
        let scope = self.s.scopes.get(m.index())?;
        let def = match scope.defs.get(name) {
            Some(def) if !ns.fits(def, &self.s.items) => def.clone(),
            _ => return self.lookup(m, name, depth),
        };
        if depth > 64 {
            return Some(def);
        }
        if let Some((ty, val)) = scope.other_ns.get(name) {
            let other = if ns == Ns::Type { ty } else { val };
            if let Some(res) = other {
                return Some(res.clone());
            }
        }
        let imports = scope.imports.get(name).cloned().unwrap_or_default();
        for import in imports {
            if let Some(res) = self.resolve_import_path(m, &import.path, depth + 1)
                && ns.fits(&res, &self.s.items)
            {
                return Some(res);
            }
        }
        if self.no_globs == 0 {
            for idx in 0..self.s.scopes[m.index()].globs.len() {
                let found = match self.glob_target(m, idx) {
                    Some(Res::Module(target)) if target != m => {
                        self.lookup_ns(target, name, depth + 1, ns)
                    }
                    _ => None,
                };
                if let Some(res) = found
                    && ns.fits(&res, &self.s.items)
                {
                    return Some(res);
                }
            }
        }
        Some(def)
    }

    fn lookup_uncached(&mut self, m: ir::ModuleId, name: &str, depth: u32) -> Option<Res> {
        let scope = &self.s.scopes[m.index()];
        if let Some(res) = scope.defs.get(name) {
            return Some(res.clone());
        }
        let imports = scope.imports.get(name).cloned().unwrap_or_default();
        for import in imports {
            if let Some(res) = self.resolve_import_path(m, &import.path, depth + 1) {
                return Some(res);
            }
        }
        if self.no_globs > 0 {
            return None;
        }
        for idx in 0..self.s.scopes[m.index()].globs.len() {
            let found = match self.glob_target(m, idx) {
                Some(Res::Module(target)) if target != m => self.lookup(target, name, depth + 1),
                Some(Res::Item(id) | Res::Table(id)) => self.s.name_inside_item(id, name),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// Resolves a `use` path written in module `m`. A first segment that names nothing
    /// there is an external crate (`use serde::Serialize;`).
    fn resolve_import_path(&mut self, m: ir::ModuleId, path: &[String], depth: u32) -> Option<Res> {
        if let Some(res) = self.resolve_segments(m, None, path, depth, Ns::Any) {
            return Some(res);
        }
        let first = path.first()?;
        if !matches!(first.as_str(), "" | "crate" | "$crate" | "self" | "super")
            && self
                .resolve_first(m, None, first, depth + 1, Ns::Any)
                .is_none()
        {
            return Some(Res::External(first.clone()));
        }
        None
    }

    /// The external crate of the first glob import of module `m` that leads outside the
    /// codebase (`use diesel::prelude::*;`), if any: names found nowhere else are
    /// attributed to it.
    fn external_glob(&mut self, m: ir::ModuleId, public_only: bool, depth: u32) -> Option<String> {
        if let Some(cached) = self.external_globs.get(&(m, public_only)) {
            return cached.clone();
        }
        let n_globs = self.s.scopes.get(m.index())?.globs.len();
        let _ = depth;
        let hits_before = self.cycle_hits;
        let mut found = None;
        for idx in 0..n_globs {
            if public_only && !self.s.scopes[m.index()].globs[idx].public {
                continue;
            }
            if let Some(Res::External(root)) = self.glob_target(m, idx) {
                found = Some(root);
                break;
            }
        }
        if self.cycle_hits == hits_before {
            self.external_globs.insert((m, public_only), found.clone());
        }
        found
    }

    /// What the `idx`-th glob import of module `m` imports from, memoized. Its path is
    /// resolved without looking through glob imports (of any module), which keeps glob
    /// cycles (`pub use child::*` + `use crate::*`) from feeding on themselves.
    fn glob_target(&mut self, m: ir::ModuleId, idx: usize) -> Option<Res> {
        if let Some(res) = self.glob_targets.get(&(m, idx)) {
            return res.clone();
        }
        // In progress: a nested question about this glob answers "nothing", like the cycle
        // guard of `lookup` (so that nothing computed from that answer is memoized).
        if !self.globs_in_progress.insert((m, idx)) {
            self.cycle_hits += 1;
            return None;
        }
        let hits_before = self.cycle_hits;
        let path = self.s.scopes[m.index()].globs[idx].path.clone();
        self.no_globs += 1;
        let res = self.resolve_import_path(m, &path, 0);
        self.no_globs -= 1;
        self.globs_in_progress.remove(&(m, idx));
        if self.cycle_hits == hits_before {
            self.glob_targets.insert((m, idx), res.clone());
        }
        res
    }

    /// Looks `name` up through a glob import written in module `m`.
    fn lookup_in_glob(
        &mut self,
        m: ir::ModuleId,
        glob: &Import,
        name: &str,
        depth: u32,
    ) -> Option<Res> {
        match self.resolve_import_path(m, &glob.path, depth + 1)? {
            Res::Module(target) if target != m => self.lookup(target, name, depth + 1),
            Res::Item(id) => self.s.name_inside_item(id, name),
            Res::Table(id) => self.s.name_inside_item(id, name),
            _ => None,
        }
    }

    /// [`Self::resolve_first_uncached`], memoized when nothing but the module matters: the
    /// context has no body-level `use`s (`Self` is handled before this is called), and the
    /// answer was found at the root of a search that met no cycle guard or depth limit
    /// (the same condition under which [`Self::lookup`] caches).
    fn resolve_first(
        &mut self,
        ctx_module: ir::ModuleId,
        ctx: Option<&Ctx<'_>>,
        name: &str,
        depth: u32,
        ns: Ns,
    ) -> Option<Res> {
        let memo = depth == 0
            && self.in_progress.is_empty()
            && self.no_globs == 0
            && ctx.is_some_and(|c| c.local_uses.is_empty());
        if !memo {
            return self.resolve_first_uncached(ctx_module, ctx, name, depth, ns);
        }
        if let Some(res) = self
            .first_cache
            .get(&(ctx_module, ns))
            .and_then(|names| names.get(name))
        {
            return res.clone();
        }
        // The depth limit counts as a cycle hit too.
        let cycles = self.cycle_hits;
        let res = self.resolve_first_uncached(ctx_module, ctx, name, depth, ns);
        if self.cycle_hits == cycles {
            self.first_cache
                .entry((ctx_module, ns))
                .or_default()
                .insert(name.to_owned(), res.clone());
        }
        res
    }

    /// Resolves the first segment `name` in context.
    fn resolve_first_uncached(
        &mut self,
        ctx_module: ir::ModuleId,
        ctx: Option<&Ctx<'_>>,
        name: &str,
        depth: u32,
        ns: Ns,
    ) -> Option<Res> {
        // Body-level `use`s of the item.
        if let Some(ctx) = ctx {
            for u in ctx.local_uses.iter().filter(|u| !u.glob) {
                if binding_name(u).as_deref() == Some(name)
                    && let Some(res) = self.resolve_import_path(ctx.module, &u.path, depth + 1)
                {
                    return Some(res);
                }
            }
        }
        if let Some(res) = self.lookup_ns(ctx_module, name, depth, ns) {
            return Some(res);
        }
        if let Some(ctx) = ctx {
            for u in ctx.local_uses.iter().filter(|u| u.glob) {
                let import = Import {
                    path: u.path.clone(),
                    public: false,
                };
                if let Some(res) = self.lookup_in_glob(ctx.module, &import, name, depth) {
                    return Some(res);
                }
            }
        }
        if let Some(root) = self.s.extern_crate(ctx_module, name) {
            return Some(Res::Module(root));
        }
        if let Some(mac) = self.s.find_macro(ctx_module, name) {
            return Some(Res::Item(mac));
        }
        if PRELUDE.contains(&name) {
            return Some(Res::External(match name {
                "core" | "alloc" => name.to_owned(),
                _ => "std".to_owned(),
            }));
        }
        if PRIMITIVES.contains(&name) {
            return Some(Res::Ignore);
        }
        if let Some(ctx) = ctx {
            for u in ctx.local_uses.iter().filter(|u| u.glob) {
                if let Some(Res::External(root)) =
                    self.resolve_import_path(ctx.module, &u.path, depth + 1)
                {
                    return Some(Res::External(root));
                }
            }
        }
        // Only for names in code: the first segment of a `use` path is rather a crate.
        match ctx {
            Some(_) => self
                .external_glob(ctx_module, false, depth)
                .map(Res::External),
            None => None,
        }
    }

    /// Resolves a path written in module `m` (with the item context, if any). `None` when
    /// it names nothing known (the caller decides between external and unresolved).
    /// `last_ns` is the namespace of the last segment; the ones before it are looked up as
    /// types (modules, types, enums, traits).
    fn resolve_segments(
        &mut self,
        m: ir::ModuleId,
        ctx: Option<&Ctx<'_>>,
        segs: &[String],
        depth: u32,
        last_ns: Ns,
    ) -> Option<Res> {
        if depth > 64 || m.index() >= self.s.scopes.len() {
            return None;
        }
        let (first, rest) = segs.split_first()?;
        let mut rest = rest;
        let mut cur = match first.as_str() {
            "" => {
                let (name, r) = rest.split_first()?;
                rest = r;
                match self.s.extern_crate(m, name) {
                    Some(root) => Res::Module(root),
                    None => Res::External(name.clone()),
                }
            }
            "crate" | "$crate" => Res::Module(self.s.crate_root(m)?),
            "self" => Res::Module(m),
            "super" => Res::Module(self.s.input.modules[m.index()].parent?),
            "Self" => match ctx.and_then(|c| c.self_item) {
                Some(id) => Res::Item(id),
                // `Self` of something outside the codebase: nothing to record.
                None => return Some(Res::Ignore),
            },
            name => {
                let ns = if rest.is_empty() { last_ns } else { Ns::Type };
                self.resolve_first(m, ctx, name, depth, ns)?
            }
        };
        for (seg_idx, seg) in rest.iter().enumerate() {
            let ns = if seg_idx + 1 == rest.len() {
                last_ns
            } else {
                Ns::Type
            };
            cur = match cur {
                Res::Module(module) => match seg.as_str() {
                    "super" => Res::Module(self.s.input.modules.get(module.index())?.parent?),
                    "self" => Res::Module(module),
                    _ => match self.lookup_ns(module, seg, depth + 1, ns) {
                        Some(res) => res,
                        None => Res::External(self.external_glob(module, true, depth + 1)?),
                    },
                },
                Res::Item(id) => {
                    // A type used as a namespace: stop here.
                    return Some(self.s.name_inside_item(id, seg).unwrap_or(Res::Item(id)));
                }
                done @ (Res::Table(_) | Res::External(_) | Res::Ignore) => return Some(done),
            };
        }
        Some(cur)
    }

    // ---- Passes ----

    /// Resolves impl blocks' self types and traits.
    /// Impl blocks' self types and traits: (item index, parent, implements) to apply.
    fn resolve_impls(mut self) -> Vec<(usize, Option<ir::ItemId>, Option<ir::ItemId>)> {
        let s = self.s;
        let mut updates = Vec::new();
        for idx in 0..s.items.len() {
            if s.items[idx].kind != ir::ItemKind::Impl {
                continue;
            }
            let Some((m, i)) = s.info[idx].src else {
                continue;
            };
            let it = &s.body(m).items[i];
            let module = ir::ModuleId(m as u32);
            let ctx = Ctx {
                module,
                item: Some(ir::ItemId(idx as u32)),
                local_uses: s.local_uses_of(ir::ItemId(idx as u32)),
                self_item: None,
            };
            let parent = match &it.impl_self {
                Some(p) => match self.resolve_segments(module, Some(&ctx), &p.path, 0, Ns::Type) {
                    Some(Res::Item(target)) => Some(target),
                    _ => None,
                },
                None => None,
            };
            let implements = match &it.impl_trait {
                Some(p) => match self.resolve_segments(module, Some(&ctx), &p.path, 0, Ns::Type) {
                    Some(Res::Item(target))
                        if s.items[target.index()].kind == ir::ItemKind::Trait =>
                    {
                        Some(target)
                    }
                    _ => None,
                },
                None => None,
            };
            updates.push((idx, parent, implements));
        }
        updates
    }

    /// Resolves the uses, paths, SQL and fields of modules `modules` and items `items`.
    fn resolve_chunk(&mut self, modules: std::ops::Range<usize>, items: std::ops::Range<usize>) {
        let s = self.s;
        for m in modules {
            let module = ir::ModuleId(m as u32);
            let body = self.s.body(m);
            // Module-level uses.
            for u in body.uses.iter().filter(|u| u.in_item.is_none()) {
                self.resolve_use(module, None, u);
            }
            // Module-level refs and SQL (macro bodies).
            let ctx = Ctx {
                module,
                item: None,
                local_uses: &[],
                self_item: None,
            };
            for p in &body.refs {
                self.resolve_ref(&ctx, p);
            }
            for q in &body.sql {
                self.resolve_sql(module, None, q);
            }
        }
        for idx in items {
            let Some((m, i)) = s.info[idx].src else {
                continue;
            };
            let id = ir::ItemId(idx as u32);
            let body = self.s.body(m);
            let it: &ItemSyntax = &body.items[i];
            let (module, self_item) = self.s.ctx_for(id);
            let local = s.local_uses_of(id);
            for u in local {
                self.resolve_use(module, Some(id), u);
            }
            let ctx = Ctx {
                module,
                item: Some(id),
                local_uses: local,
                self_item,
            };
            // Impl blocks: `Impl` references to the type and the trait.
            for p in it.impl_self.iter().chain(it.impl_trait.iter()) {
                self.resolve_ref(&ctx, p);
            }
            for p in &it.refs {
                self.resolve_ref(&ctx, p);
            }
            // `#[derive(Name)]` of a derive macro of the codebase (a proc-macro crate of the
            // workspace): a reference to it; other derives (std, serde) are not references.
            for p in &it.derive_paths {
                if let Some(Res::Item(to)) =
                    self.resolve_segments(module, Some(&ctx), &p.path, 0, Ns::Any)
                    && self.s.items[to.index()].kind == ir::ItemKind::Macro
                {
                    let loc = self.s.loc(module, p.line, p.col);
                    self.add_ref(module, Some(id), to, ir::DepKind::Call, loc);
                }
            }
            for s in &it.sql {
                self.resolve_sql(module, Some(id), s);
            }
            // Fields.
            let mut fields = Vec::with_capacity(it.fields.len());
            for f in &it.fields {
                let mut refs = Vec::new();
                let mut id_newtype = false;
                for p in &f.ty_paths {
                    if let Some(Res::Item(target)) =
                        self.resolve_segments(module, Some(&ctx), &p.path, 0, Ns::Type)
                    {
                        refs.push(target);
                        let t = &self.s.items[target.index()];
                        let newtype = t.kind == ir::ItemKind::TypeAlias
                            || t.kind == ir::ItemKind::Struct
                                && t.fields.len() == 1
                                && t.fields[0].name == "0"
                            || t.kind == ir::ItemKind::Struct && self.s.is_tuple_newtype(target);
                        if t.name.len() > 2 && t.name.ends_with("Id") && newtype {
                            id_newtype = true;
                        }
                    }
                }
                refs.sort();
                refs.dedup();
                let bare = f.name.rsplit('.').next().unwrap_or(&f.name);
                let is_id =
                    bare == "id" || bare.ends_with("_id") || bare.ends_with("_ids") || id_newtype;
                fields.push(ir::Field {
                    name: f.name.clone(),
                    ty: f.ty.clone(),
                    refs,
                    is_id,
                    line: f.line,
                });
            }
            self.out.fields.push((idx, fields));
            // Mapping attributes.
            if let Some(attr) = &it.table_attr {
                let name = self.s.mapped_table_name(&attr.table);
                let loc = self.s.loc(module, attr.line, 1);
                let draft = self.out.tables.entry(name.clone()).or_default();
                draft.mapped_by.push(id);
                self.add_access(
                    module,
                    Some(id),
                    name,
                    ir::AccessMode::Read,
                    ir::AccessVia::Mapping,
                    loc,
                );
            }
        }
    }

    fn resolve_use(&mut self, module: ir::ModuleId, item: Option<ir::ItemId>, u: &UseSyntax) {
        if u.glob && u.path.is_empty() {
            return;
        }
        let loc = self.s.loc(module, u.line, u.col);
        let res = self.resolve_import_path(module, &u.path, 0);
        match res {
            Some(Res::Item(to)) => {
                self.add_ref(module, item, to, ir::DepKind::Import, loc);
            }
            Some(Res::Table(to)) => {
                // `use schema::users::dsl::*` or `use schema::users::dsl::{users, name}`:
                // an import of the `table!` item, and a DSL read of its table.
                self.add_ref(module, item, to, ir::DepKind::Import, loc);
                if let Some(name) = self.s.table_item_name.get(&to).cloned() {
                    self.add_access(
                        module,
                        item,
                        name,
                        ir::AccessMode::Read,
                        ir::AccessVia::Dsl,
                        loc,
                    );
                }
            }
            Some(Res::External(root)) => self.add_external(module, root, loc),
            Some(Res::Module(_) | Res::Ignore) => {}
            None => {
                let first = u.path.first().map(String::as_str).unwrap_or("");
                let local = matches!(first, "crate" | "$crate" | "self" | "super")
                    || self.s.extern_crate(module, first).is_some()
                    || self.lookup(module, first, 0).is_some();
                if local {
                    let shown = u.path.join("::");
                    self.out.diagnostics.push(ir::Diagnostic::new(
                        ir::DiagCode::UnresolvedImport,
                        self.s.file_path(module),
                        u.line,
                        u.col,
                        format!(
                            "unresolved import `{shown}{}`",
                            if u.glob { "::*" } else { "" }
                        ),
                    ));
                    self.add_external(module, format!("<unresolved>::{shown}"), loc);
                } else if !first.is_empty() {
                    self.add_external(module, first.to_owned(), loc);
                } else if let Some(second) = u.path.get(1) {
                    self.add_external(module, second.clone(), loc);
                }
            }
        }
    }

    fn resolve_ref(&mut self, ctx: &Ctx<'_>, p: &PathRef) {
        if p.path.is_empty() {
            return;
        }
        let loc = self.s.loc(ctx.module, p.line, p.col);
        // A type path ends in the type namespace; an expression path (a call, a struct
        // literal, a pattern) in the value one, where structs are found too.
        let last_ns = match p.kind {
            ir::DepKind::Type | ir::DepKind::Impl => Ns::Type,
            _ if p.in_macro => Ns::Any,
            _ => Ns::Value,
        };
        let res = self.resolve_segments(ctx.module, Some(ctx), &p.path, 0, last_ns);
        match res {
            Some(Res::Item(to)) if self.s.items[to.index()].kind == ir::ItemKind::TableSchema => {
                self.dsl_access(ctx, to, p, loc);
            }
            // A sea-orm entity is an item and its table's handle: both a reference and an
            // access (a write when the path is a write call's, `Entity::delete_many()`).
            Some(Res::Item(to))
                if self.s.items[to.index()].kind == ir::ItemKind::Struct
                    && self.s.table_item_name.contains_key(&to) =>
            {
                self.dsl_access(ctx, to, p, loc);
                let kind = if p.kind == ir::DepKind::Table {
                    ir::DepKind::Call
                } else {
                    p.kind
                };
                self.add_ref(ctx.module, ctx.item, to, kind, loc);
            }
            Some(Res::Item(to)) => {
                let kind = if p.kind == ir::DepKind::Table {
                    ir::DepKind::Call
                } else {
                    p.kind
                };
                self.add_ref(ctx.module, ctx.item, to, kind, loc);
            }
            Some(Res::Table(to)) => self.dsl_access(ctx, to, p, loc),
            Some(Res::External(root)) => self.add_external(ctx.module, root, loc),
            Some(Res::Module(_) | Res::Ignore) => {}
            None if p.in_macro && p.path.len() == 1 => {
                // A lone identifier in a macro body that names nothing: macro syntax.
            }
            None => {
                let first = &p.path[0];
                let starts_upper = first.chars().next().is_some_and(char::is_uppercase);
                let known_first = p.path.len() > 1
                    && (matches!(first.as_str(), "crate" | "$crate" | "self" | "super" | "")
                        || self.lookup(ctx.module, first, 0).is_some());
                let relative = matches!(first.as_str(), "crate" | "$crate" | "self" | "super");
                let root = if relative {
                    format!("<unresolved>::{}", p.path.join("::"))
                } else if p.path.len() == 1 || starts_upper || known_first {
                    format!("<unresolved>::{first}")
                } else {
                    first.clone()
                };
                self.add_external(ctx.module, root, loc);
            }
        }
    }

    fn dsl_access(
        &mut self,
        ctx: &Ctx<'_>,
        table_item: ir::ItemId,
        p: &PathRef,
        loc: ir::Location,
    ) {
        let Some(name) = self.s.table_item_name.get(&table_item).cloned() else {
            return;
        };
        let mode = if p.kind == ir::DepKind::Table {
            ir::AccessMode::Write
        } else {
            ir::AccessMode::Read
        };
        self.add_access(ctx.module, ctx.item, name, mode, ir::AccessVia::Dsl, loc);
    }

    fn resolve_sql(
        &mut self,
        module: ir::ModuleId,
        item: Option<ir::ItemId>,
        s: &syntax::SqlSyntax,
    ) {
        let tables = tables_in_sql(&s.text);
        if !tables.parsed {
            if !s.in_query_call {
                // Probably prose that starts with an SQL keyword.
                return;
            }
            self.out.diagnostics.push(ir::Diagnostic::new(
                ir::DiagCode::SqlUnparsed,
                self.s.file_path(module),
                s.line,
                s.col,
                format!(
                    "SQL not understood by the parser; tables found by a scan: {}",
                    if tables.reads.is_empty() && tables.writes.is_empty() {
                        "none".to_owned()
                    } else {
                        tables
                            .reads
                            .iter()
                            .chain(tables.writes.iter())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            ));
        }
        let loc = self.s.loc(module, s.line, s.col);
        for t in tables.reads {
            self.out.tables.entry(t.clone()).or_default();
            self.add_access(
                module,
                item,
                t,
                ir::AccessMode::Read,
                ir::AccessVia::Sql,
                loc,
            );
        }
        for t in tables.writes {
            self.out.tables.entry(t.clone()).or_default();
            self.add_access(
                module,
                item,
                t,
                ir::AccessMode::Write,
                ir::AccessVia::Sql,
                loc,
            );
        }
    }

    // ---- Aggregation ----

    fn add_ref(
        &mut self,
        module: ir::ModuleId,
        item: Option<ir::ItemId>,
        to: ir::ItemId,
        kind: ir::DepKind,
        loc: ir::Location,
    ) {
        if item == Some(to) {
            return;
        }
        let e = self
            .out
            .refs
            .entry((module, item, to, kind))
            .or_insert((0, loc));
        e.0 += 1;
        if loc < e.1 {
            e.1 = loc;
        }
    }

    fn add_external(&mut self, module: ir::ModuleId, root: String, loc: ir::Location) {
        let e = self.out.external.entry((module, root)).or_insert((0, loc));
        e.0 += 1;
        if loc < e.1 {
            e.1 = loc;
        }
    }

    fn add_access(
        &mut self,
        module: ir::ModuleId,
        item: Option<ir::ItemId>,
        table: String,
        mode: ir::AccessMode,
        via: ir::AccessVia,
        loc: ir::Location,
    ) {
        self.out.tables.entry(table.clone()).or_default();
        let e = self
            .out
            .accesses
            .entry((module, item, table, mode, via))
            .or_insert((0, loc));
        e.0 += 1;
        if loc < e.1 {
            e.1 = loc;
        }
    }
}

/// Numbers the tables, maps models to them and turns the aggregates into the IR.
fn finish(mut shared: Shared<'_>, out: Output) -> Resolved {
    let mut tables = Vec::with_capacity(out.tables.len());
    let mut table_ids: HashMap<String, ir::TableId> = HashMap::default();
    for (i, (name, draft)) in out.tables.into_iter().enumerate() {
        let id = ir::TableId(i as u32);
        table_ids.insert(name.clone(), id);
        let mut mapped_by = draft.mapped_by;
        mapped_by.sort();
        mapped_by.dedup();
        for &m in &mapped_by {
            if shared.items[m.index()].table.is_none() {
                shared.items[m.index()].table = Some(id);
            }
        }
        tables.push(ir::Table {
            id,
            name,
            columns: draft.columns,
            defined_in: draft.defined_in,
            mapped_by,
        });
    }
    let mut table_accesses: Vec<ir::TableAccess> = out
        .accesses
        .into_iter()
        .filter_map(|((module, item, name, mode, via), (count, first))| {
            Some(ir::TableAccess {
                module,
                item,
                table: *table_ids.get(&name)?,
                mode,
                via,
                count,
                first,
            })
        })
        .collect();
    table_accesses.sort_by_key(|a| (a.module, a.item, a.table, a.mode, a.via));
    let references = out
        .refs
        .into_iter()
        .map(
            |((from_module, from_item, to, kind), (count, first))| ir::Reference {
                from_module,
                from_item,
                to,
                kind,
                count,
                first,
            },
        )
        .collect();
    let external = out
        .external
        .into_iter()
        .map(|((module, root), (count, first))| ir::ExternalRef {
            module,
            root,
            count,
            first,
        })
        .collect();
    Resolved {
        items: shared.items,
        module_items: shared.module_items,
        tables,
        table_accesses,
        references,
        external,
        diagnostics: out.diagnostics,
    }
}

/// The body of module `m` (an empty one for a module without syntax).
fn body_of<'a>(input: &'a ResolveInput<'a>, m: usize) -> &'a ModSyntax {
    static EMPTY: std::sync::OnceLock<ModSyntax> = std::sync::OnceLock::new();
    input
        .bodies
        .get(m)
        .unwrap_or_else(|| EMPTY.get_or_init(ModSyntax::default))
}

/// The items of one module, numbered from `first`.
#[derive(Default)]
struct ModuleItems {
    items: Vec<ir::Item>,
    info: Vec<ItemInfo>,
    /// SQL names of `table!` items.
    table_names: Vec<(ir::ItemId, String)>,
    /// Body-level `use`s, by item.
    local_uses: Vec<(ir::ItemId, UseSyntax)>,
}

/// Builds module `m`'s items in order of line, column and name, with ids from `first`,
/// their parents (methods) and their unique paths.
fn module_items(input: &ResolveInput<'_>, m: usize, first: usize) -> ModuleItems {
    let module = &input.modules[m];
    let body = body_of(input, m);
    let mut out = ModuleItems::default();
    // (line, col, name, src): src is Ok(item index) or Err(table index).
    let mut order: Vec<(u32, u32, &str, Result<usize, usize>)> = body
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.line, it.col, it.name.as_str(), Ok(i)))
        .collect();
    order.extend(
        body.tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.line, t.col, t.rust_name.as_str(), Err(i))),
    );
    order.sort();
    // Local position of each body item.
    let mut local_of = vec![usize::MAX; body.items.len()];
    for (line, col, _, src) in &order {
        let id = ir::ItemId((first + out.items.len()) as u32);
        let (name, kind, visibility, span, signature, derives, variants) = match src {
            Ok(i) => {
                let it = &body.items[*i];
                local_of[*i] = out.items.len();
                if let Some(table) = &it.entity_table {
                    out.table_names.push((id, table.clone()));
                }
                (
                    it.name.clone(),
                    it.kind,
                    it.visibility,
                    it.span,
                    it.signature.clone(),
                    it.derives.clone(),
                    it.variants.clone(),
                )
            }
            Err(t) => {
                let t = &body.tables[*t];
                out.table_names.push((id, t.name.clone()));
                (
                    t.rust_name.clone(),
                    ir::ItemKind::TableSchema,
                    ir::Visibility::Public,
                    ir::LineSpan {
                        start: t.line,
                        end: t.line,
                    },
                    None,
                    Vec::new(),
                    Vec::new(),
                )
            }
        };
        out.items.push(ir::Item {
            id,
            name,
            path: String::new(),
            module: module.id,
            kind,
            visibility,
            location: ir::Location {
                file: module.file,
                line: *line,
                col: *col,
            },
            span,
            code_lines: 0,
            parent: None,
            implements: None,
            signature,
            derives,
            fields: Vec::new(),
            table: None,
        });
        out.info.push(ItemInfo {
            src: src.ok().map(|i| (m, i)),
            table_src: src.err(),
            variants,
        });
    }
    // Parents of methods, then paths (methods need their parent's path).
    for k in 0..out.items.len() {
        if let Some((_, i)) = out.info[k].src
            && let Some(p) = body.items[i].parent
            && let Some(&local) = local_of.get(p)
            && local != usize::MAX
        {
            out.items[k].parent = Some(ir::ItemId((first + local) as u32));
        }
    }
    let mut taken: HashSet<String> = HashSet::default();
    for k in 0..out.items.len() {
        let base = item_path_base(body, &out, first, k, &module.path);
        let mut path = base.clone();
        let mut n = 2;
        while !taken.insert(path.clone()) {
            path = format!("{base}#{n}");
            n += 1;
        }
        out.items[k].path = path;
    }
    for u in &body.uses {
        if let Some(i) = u.in_item
            && let Some(&local) = local_of.get(i)
            && local != usize::MAX
        {
            out.local_uses
                .push((ir::ItemId((first + local) as u32), u.clone()));
        }
    }
    out
}

/// The path of the `k`-th item of a module before deduplication: `module::Name`, methods
/// under their type (`module::Type::method`) or impl, impls as `module::<impl ..>`.
fn item_path_base(
    body: &ModSyntax,
    built: &ModuleItems,
    first: usize,
    k: usize,
    module_path: &str,
) -> String {
    let it = &built.items[k];
    match it.kind {
        ir::ItemKind::Impl => format!("{module_path}::<{}>", it.name),
        ir::ItemKind::Method => {
            let owner = it
                .parent
                .map(|p| {
                    let local = p.index() - first;
                    let parent = &built.items[local];
                    match parent.kind {
                        ir::ItemKind::Impl => {
                            let i = built.info[local].src.map_or(usize::MAX, |(_, i)| i);
                            match body
                                .items
                                .get(i)
                                .and_then(|s| s.impl_self.as_ref())
                                .and_then(|s| s.path.last())
                            {
                                Some(ty) => format!("{module_path}::{ty}"),
                                None => format!("{module_path}::<{}>", parent.name),
                            }
                        }
                        _ => format!("{module_path}::{}", parent.name),
                    }
                })
                .unwrap_or_else(|| module_path.to_owned());
            format!("{owner}::{}", it.name)
        }
        _ => format!("{module_path}::{}", it.name),
    }
}

/// The name a non-glob `use` binds, if any (`as _` binds none).
fn binding_name(u: &UseSyntax) -> Option<String> {
    match &u.rename {
        Some(r) if r == "_" => None,
        Some(r) => Some(r.clone()),
        None => u
            .path
            .last()
            .filter(|s| !s.is_empty() && !matches!(s.as_str(), "crate" | "self" | "super"))
            .cloned(),
    }
}

#[cfg(test)]
mod tests;
