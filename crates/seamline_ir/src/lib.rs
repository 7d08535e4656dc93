//! The language-neutral codebase model: the shared vocabulary of every seamline stage.
//!
//! The frontend lowers source code into [`Facts`]; every later stage (graph, clustering,
//! plan, report) reads it. Nothing here knows about syn, petgraph, serde or the disk:
//! this crate depends on std only, so that any stage can be tested with hand-built facts.
//!
//! Ids are dense indices into the vectors of [`Facts`] (`facts.modules[id.0]`), assigned in a
//! deterministic order (sorted by path), so that two runs over the same input give the same
//! ids whatever the thread count.
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod diagnostic;
mod dump;
pub mod format;

pub use diagnostic::{DiagCode, Diagnostic, Severity};

use std::fmt;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The index of this id in its vector of [`Facts`].
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// Index into [`Facts::crates`].
    CrateId
);
id_type!(
    /// Index into [`Facts::files`].
    FileId
);
id_type!(
    /// Index into [`Facts::modules`].
    ModuleId
);
id_type!(
    /// Index into [`Facts::items`].
    ItemId
);
id_type!(
    /// Index into [`Facts::tables`].
    TableId
);

/// A bounded context: an index into the contexts of the clustering stage's proposal (or of
/// the contexts declared in `seamline.toml`). Not a [`Facts`] index: it lives here because
/// every stage after clustering (plan, report, `check`) names contexts by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContextId(pub u32);

impl ContextId {
    /// The index of this context in its list of contexts.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A place in a source file: 1-based line, 1-based column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file.
    pub file: FileId,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// A line range in a file, both ends inclusive and 1-based.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineSpan {
    /// First line.
    pub start: u32,
    /// Last line.
    pub end: u32,
}

/// Everything the frontend learnt about one codebase.
///
/// Invariants (checked by [`Facts::validate`]): every id points into its vector, ids equal
/// their index, vectors are sorted by their stable key (crates by name, files by path,
/// modules by path, items by (module, line, name), tables by name), and every
/// `Vec` of references is sorted and deduplicated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The analysed root, as the user gave it (for display only).
    pub root: String,
    /// Crates found (workspace members, or guessed by walking the tree).
    pub crates: Vec<Crate>,
    /// Every source file seen, analysed or not (a file that failed to read is still listed).
    pub files: Vec<SourceFile>,
    /// Modules, file-backed and inline.
    pub modules: Vec<Module>,
    /// Items (structs, functions, impl blocks, methods, ...).
    pub items: Vec<Item>,
    /// Database tables, from schema macros, ORM mappings and SQL.
    pub tables: Vec<Table>,
    /// Who reads or writes which table, and where.
    pub table_accesses: Vec<TableAccess>,
    /// Item-level (or module-level, for `use`) references to other items of the codebase.
    pub references: Vec<Reference>,
    /// References that resolved to nothing in the codebase (std, third-party crates),
    /// aggregated per module and external root name.
    pub external: Vec<ExternalRef>,
    /// Problems in the input. Never fatal to the analysis.
    pub diagnostics: Vec<Diagnostic>,
}

/// A crate: a Cargo package target, or a crate guessed from the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crate {
    /// This crate's id.
    pub id: CrateId,
    /// The crate name as code refers to it (`my_crate`, dashes replaced by underscores).
    pub name: String,
    /// The package name from Cargo.toml (may contain dashes), if any.
    pub package: Option<String>,
    /// The manifest, relative to the root (`crates/a/Cargo.toml`), if any.
    pub manifest: Option<String>,
    /// Target kind: lib, bin, test, bench, example, or `guessed` without a manifest.
    pub kind: CrateKind,
    /// The root file (`src/lib.rs`), if it could be read.
    pub root_file: Option<FileId>,
    /// The root module (`name`).
    pub root_module: Option<ModuleId>,
    /// Other crates of this codebase that this one depends on, under the name the code uses
    /// (renamed dependencies keep their local name).
    pub deps: Vec<CrateDep>,
}

/// The kind of a crate target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CrateKind {
    /// A library target.
    Lib,
    /// A binary target.
    Bin,
    /// A test, bench or example target (only with `--include-tests`).
    Test,
    /// Found by walking the tree, without cargo.
    Guessed,
}

/// A dependency of a crate on another crate of the same codebase.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CrateDep {
    /// The name under which the dependent crate's code refers to it.
    pub local_name: String,
    /// The depended-on crate.
    pub krate: CrateId,
}

/// A source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// This file's id.
    pub id: FileId,
    /// Path relative to the analysed root, `/`-separated.
    pub path: String,
    /// The crate whose module tree reaches it (or which owns the folder, for orphans).
    pub krate: Option<CrateId>,
    /// The module this file backs, if any.
    pub module: Option<ModuleId>,
    /// Total lines.
    pub lines: u32,
    /// Lines of code: not blank, not only a comment.
    pub code_lines: u32,
    /// Size in bytes.
    pub bytes: u64,
    /// Whether the file was parsed and its items extracted.
    pub analysed: bool,
    /// Whether no crate root's module tree reaches the file.
    pub orphan: bool,
}

/// A module, file-backed or inline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// This module's id.
    pub id: ModuleId,
    /// `crate_name::a::b`. Orphan files get `crate_name::<orphan>::path_like_name`.
    pub path: String,
    /// Owning crate.
    pub krate: CrateId,
    /// The file holding the module's body (for inline modules, the file they are written in).
    pub file: FileId,
    /// The enclosing module.
    pub parent: Option<ModuleId>,
    /// Whether the body is inline (`mod x { ... }`) rather than in its own file.
    pub inline: bool,
    /// Lines covered by the module's body.
    pub span: LineSpan,
    /// Lines of code in the module's own body (excluding child modules in other files).
    pub code_lines: u32,
    /// Items declared directly in the module, in source order.
    pub items: Vec<ItemId>,
}

/// Visibility of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Visibility {
    /// `pub`.
    Public,
    /// `pub(crate)`.
    Crate,
    /// `pub(super)`, `pub(in path)`.
    Restricted,
    /// No visibility keyword.
    Private,
}

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// `struct`.
    Struct,
    /// `enum`.
    Enum,
    /// `union`.
    Union,
    /// `trait`.
    Trait,
    /// `type X = ...`.
    TypeAlias,
    /// A free function.
    Function,
    /// An `impl` block; its `parent` is the implemented type when that resolved.
    Impl,
    /// A function inside an `impl` or `trait`; its `parent` is the impl or trait item.
    Method,
    /// `const`.
    Const,
    /// `static`.
    Static,
    /// `macro_rules!`.
    Macro,
    /// A diesel `table!` (the table itself is in [`Facts::tables`]).
    TableSchema,
}

impl ItemKind {
    /// Whether the item is a model: a type that carries domain data or behaviour.
    pub fn is_model(self) -> bool {
        matches!(
            self,
            ItemKind::Struct
                | ItemKind::Enum
                | ItemKind::Union
                | ItemKind::Trait
                | ItemKind::TypeAlias
        )
    }
}

/// An item of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// This item's id.
    pub id: ItemId,
    /// The item's own name; for impl blocks `impl Trait for Type` or `impl Type`.
    pub name: String,
    /// `crate::module::Name`; methods are `crate::module::Type::method`; impl blocks
    /// `crate::module::<impl Trait for Type>` with a `#N` suffix when a module has several.
    pub path: String,
    /// The module that declares it.
    pub module: ModuleId,
    /// What it is.
    pub kind: ItemKind,
    /// Declared visibility.
    pub visibility: Visibility,
    /// Where the item starts (its name, or the `impl` keyword).
    pub location: Location,
    /// Lines it covers.
    pub span: LineSpan,
    /// Lines of code inside the span; the items of one macro call (which all have the
    /// call's span) share the call's lines.
    pub code_lines: u32,
    /// For methods: the impl or trait. For impl blocks: the self type, if it resolved.
    pub parent: Option<ItemId>,
    /// For impl blocks: the trait implemented, if it resolved to an item of the codebase.
    pub implements: Option<ItemId>,
    /// A one-line signature for functions and methods (`fn pay(order: &Order) -> Result<..>`).
    pub signature: Option<String>,
    /// Derives listed on the item (`Debug`, `Queryable`, ...), sorted.
    pub derives: Vec<String>,
    /// Fields of structs, unions and enum variants (variant fields as `Variant.field`).
    pub fields: Vec<Field>,
    /// The table the item is mapped to (diesel `table_name`, sea-orm, sqlx `FromRow`).
    pub table: Option<TableId>,
}

/// A field of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name (`0`, `1`, ... for tuple fields; `Variant.field` for enum variants).
    pub name: String,
    /// The field's type as written, normalised (`Option<Vec<Order>>`).
    pub ty: String,
    /// Items of the codebase that the type refers to, sorted.
    pub refs: Vec<ItemId>,
    /// Whether the field holds an id of another model rather than the model itself:
    /// named `*_id`/`*_ids`/`id`, or typed as an id newtype (`OrderId`).
    pub is_id: bool,
    /// Line of the field.
    pub line: u32,
}

/// A database table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// This table's id.
    pub id: TableId,
    /// Table name as the database knows it (lowercase unless quoted).
    pub name: String,
    /// Columns, when a schema declares them.
    pub columns: Vec<String>,
    /// Where it is declared (diesel `table!`), if anywhere.
    pub defined_in: Option<TableDefinition>,
    /// Items mapped onto the table, sorted.
    pub mapped_by: Vec<ItemId>,
}

/// Where a table is declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDefinition {
    /// The declaring module.
    pub module: ModuleId,
    /// The `table!` item, if one.
    pub item: Option<ItemId>,
    /// Where.
    pub location: Location,
}

/// How a table is touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessMode {
    /// SELECT, or a DSL use that only reads.
    Read,
    /// INSERT, UPDATE, DELETE, or a DSL write.
    Write,
}

/// The syntax that showed a table access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessVia {
    /// An SQL string literal.
    Sql,
    /// A diesel DSL path (`users::table`, `users::dsl::*`).
    Dsl,
    /// An ORM mapping attribute on a model.
    Mapping,
}

/// One module or item touching one table, aggregated per (module, item, table, mode, via).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableAccess {
    /// The module whose code touches the table.
    pub module: ModuleId,
    /// The innermost item whose body touches it (a function, method or impl), if any.
    pub item: Option<ItemId>,
    /// The table.
    pub table: TableId,
    /// Read or write.
    pub mode: AccessMode,
    /// How it was found.
    pub via: AccessVia,
    /// How many times.
    pub count: u32,
    /// The first occurrence.
    pub first: Location,
}

/// The kind of a dependency, ordered from weakest to strongest evidence of coupling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DepKind {
    /// A `use` that names the item.
    Import,
    /// The item appears in a type (field, signature, let annotation, generic bound).
    Type,
    /// The item is called, constructed, or matched on in an expression or pattern.
    Call,
    /// `impl Trait for Type`: the impl's module depends on the trait and on the type.
    Impl,
    /// Touching a table that another module declares or maps.
    Table,
}

impl DepKind {
    /// All kinds, in order.
    pub const ALL: [DepKind; 5] = [
        DepKind::Import,
        DepKind::Type,
        DepKind::Call,
        DepKind::Impl,
        DepKind::Table,
    ];

    /// The lowercase name used in JSON and config.
    pub fn as_str(self) -> &'static str {
        match self {
            DepKind::Import => "import",
            DepKind::Type => "type",
            DepKind::Call => "call",
            DepKind::Impl => "impl",
            DepKind::Table => "table",
        }
    }
}

impl fmt::Display for DepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resolved reference from code in one place to an item of the codebase, aggregated per
/// (from_module, from_item, to, kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The module whose code holds the reference.
    pub from_module: ModuleId,
    /// The innermost item holding it (a method, function, impl, struct...); `None` for
    /// module-level `use` declarations.
    pub from_item: Option<ItemId>,
    /// The referenced item.
    pub to: ItemId,
    /// What kind of reference.
    pub kind: DepKind,
    /// How many times.
    pub count: u32,
    /// The first occurrence (lowest file, line, column).
    pub first: Location,
}

/// References from one module to something outside the codebase, aggregated per root name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalRef {
    /// The referring module.
    pub module: ModuleId,
    /// The first path segment (`std`, `serde`, `tokio`), or the whole path for unresolved
    /// single-segment names that are not in scope (`<unresolved>::Name`).
    pub root: String,
    /// How many references.
    pub count: u32,
    /// The first occurrence.
    pub first: Location,
}

/// A module -> module dependency, derived from [`Facts::references`] and table accesses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleDep {
    /// The depending module.
    pub from: ModuleId,
    /// The depended-on module.
    pub to: ModuleId,
    /// The kind.
    pub kind: DepKind,
    /// How many references of that kind.
    pub count: u32,
    /// The first occurrence.
    pub first: Location,
}

impl Facts {
    /// The module that declares an item.
    pub fn module_of(&self, item: ItemId) -> ModuleId {
        self.items[item.index()].module
    }

    /// The item a method or impl belongs to for grouping purposes: a method's impl's self
    /// type (or its trait), an impl's self type; otherwise the item itself.
    pub fn owner_item(&self, item: ItemId) -> ItemId {
        let mut cur = item;
        // Bounded: parent chains are at most method -> impl -> type.
        for _ in 0..4 {
            let it = &self.items[cur.index()];
            match (it.kind, it.parent) {
                (ItemKind::Method | ItemKind::Impl, Some(p)) => cur = p,
                _ => break,
            }
        }
        cur
    }

    /// Module -> module dependencies: every [`Reference`] and every table access to a table
    /// declared (or mapped) in another module, aggregated per (from, to, kind), sorted.
    /// Self-dependencies are left out.
    pub fn module_deps(&self) -> Vec<ModuleDep> {
        use std::collections::BTreeMap;
        let mut acc: BTreeMap<(ModuleId, ModuleId, DepKind), (u32, Location)> = BTreeMap::new();
        let mut add = |from: ModuleId, to: ModuleId, kind: DepKind, count: u32, loc: Location| {
            if from == to {
                return;
            }
            let e = acc.entry((from, to, kind)).or_insert((0, loc));
            e.0 += count;
            if loc < e.1 {
                e.1 = loc;
            }
        };
        for r in &self.references {
            add(
                r.from_module,
                self.module_of(r.to),
                r.kind,
                r.count,
                r.first,
            );
        }
        for a in &self.table_accesses {
            for owner in self.table_owner_modules(a.table) {
                add(a.module, owner, DepKind::Table, a.count, a.first);
            }
        }
        acc.into_iter()
            .map(|((from, to, kind), (count, first))| ModuleDep {
                from,
                to,
                kind,
                count,
                first,
            })
            .collect()
    }

    /// The modules that own a table's definition: the `table!` module, else the modules of
    /// the items mapped onto it. Sorted, deduplicated.
    pub fn table_owner_modules(&self, table: TableId) -> Vec<ModuleId> {
        let t = &self.tables[table.index()];
        let mut out: Vec<ModuleId> = match &t.defined_in {
            Some(def) => vec![def.module],
            None => t.mapped_by.iter().map(|&i| self.module_of(i)).collect(),
        };
        out.sort();
        out.dedup();
        out
    }

    /// Total lines of code over analysed files.
    pub fn code_lines(&self) -> u64 {
        self.files.iter().map(|f| u64::from(f.code_lines)).sum()
    }

    /// Checks the structural invariants listed on [`Facts`]; returns the first violation.
    pub fn validate(&self) -> Result<(), FactsError> {
        fn check_ids<T>(
            v: &[T],
            id: impl Fn(&T) -> usize,
            what: &'static str,
        ) -> Result<(), FactsError> {
            for (index, x) in v.iter().enumerate() {
                if id(x) != index {
                    return Err(FactsError::IdNotIndex {
                        what,
                        index,
                        id: id(x),
                    });
                }
            }
            Ok(())
        }
        check_ids(&self.crates, |c| c.id.index(), "crates")?;
        check_ids(&self.files, |f| f.id.index(), "files")?;
        check_ids(&self.modules, |m| m.id.index(), "modules")?;
        check_ids(&self.items, |i| i.id.index(), "items")?;
        check_ids(&self.tables, |t| t.id.index(), "tables")?;
        let n_items = self.items.len();
        let n_modules = self.modules.len();
        let n_files = self.files.len();
        let file = |what: &'static str, f: FileId| {
            if f.index() < n_files {
                Ok(())
            } else {
                Err(FactsError::BadFile { what })
            }
        };
        for m in &self.modules {
            file("module", m.file)?;
        }
        for it in &self.items {
            if it.module.index() >= n_modules {
                return Err(FactsError::BadModule {
                    item: it.path.clone(),
                });
            }
            for p in it.parent.iter().chain(it.implements.iter()) {
                if p.index() >= n_items {
                    return Err(FactsError::BadParent {
                        item: it.path.clone(),
                    });
                }
            }
            file("item", it.location.file)?;
        }
        for r in &self.references {
            if r.to.index() >= n_items || r.from_module.index() >= n_modules {
                return Err(FactsError::ReferenceOutOfRange);
            }
            file("reference", r.first.file)?;
        }
        for a in &self.table_accesses {
            if a.module.index() >= n_modules || a.table.index() >= self.tables.len() {
                return Err(FactsError::TableAccessOutOfRange);
            }
            file("table access", a.first.file)?;
        }
        if !self.files.windows(2).all(|w| w[0].path < w[1].path) {
            return Err(FactsError::Unsorted { what: "files" });
        }
        if !self.modules.windows(2).all(|w| w[0].path < w[1].path) {
            return Err(FactsError::Unsorted { what: "modules" });
        }
        Ok(())
    }
}

/// A broken invariant of [`Facts`], as [`Facts::validate`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactsError {
    /// An element's id is not its index.
    IdNotIndex {
        /// The vector (`crates`, `files`, `modules`, `items`, `tables`).
        what: &'static str,
        /// Its index.
        index: usize,
        /// The id it carries.
        id: usize,
    },
    /// An item's module is out of range.
    BadModule {
        /// The item's path.
        item: String,
    },
    /// An item's parent or implemented trait is out of range.
    BadParent {
        /// The item's path.
        item: String,
    },
    /// A reference's target item or source module is out of range.
    ReferenceOutOfRange,
    /// A table access's module or table is out of range.
    TableAccessOutOfRange,
    /// A location or a module's file is out of range.
    BadFile {
        /// What holds the file id.
        what: &'static str,
    },
    /// A vector is not sorted by its key.
    Unsorted {
        /// The vector.
        what: &'static str,
    },
}

impl std::fmt::Display for FactsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FactsError::IdNotIndex { what, index, id } => write!(f, "{what}[{index}] has id {id}"),
            FactsError::BadModule { item } => write!(f, "item {item} has a bad module"),
            FactsError::BadParent { item } => write!(f, "item {item} has a bad parent"),
            FactsError::ReferenceOutOfRange => f.write_str("reference out of range"),
            FactsError::TableAccessOutOfRange => f.write_str("table access out of range"),
            FactsError::BadFile { what } => write!(f, "{what} has a file out of range"),
            FactsError::Unsorted { what } => write!(f, "{what} are not sorted by path"),
        }
    }
}

impl std::error::Error for FactsError {}
