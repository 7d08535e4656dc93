//! The per-file syntax summary: what `lower` extracts from one parsed file, before names
//! are resolved across files.
//!
//! This is the contract between the two halves of the frontend: the driver (discovery,
//! module tree, reading and parsing files in parallel) calls [`crate::lower::lower_file`] on
//! each parsed file, drops the syntax tree, keeps the [`FileSyntax`], follows its `mod`
//! declarations, and finally hands every file's summary, placed in the module tree, to
//! [`crate::resolve`], which produces items, references, tables and accesses.
//!
//! Everything here is plain owned data: no syn types, no spans (lines and columns are
//! copied out, because proc-macro2 spans are invalidated after each file).

use seamline_ir as ir;

/// The summary of one parsed file.
#[derive(Debug, Clone, Default)]
pub struct FileSyntax {
    /// Modules in the file: `[0]` is the file's own module, then every inline
    /// `mod x { ... }` in pre-order, each pointing to its parent by index.
    pub modules: Vec<ModSyntax>,
    /// Problems met while lowering (unparsable macro bodies, ...), with line numbers in this
    /// file; the driver adds the file path.
    pub notes: Vec<(ir::DiagCode, u32, String)>,
    /// The `macro_rules!` definitions of the file, for calls of them from other files.
    pub macro_defs: Vec<MacroDefSyntax>,
    /// Names of item-position macro calls that were neither expanded nor lowered as items
    /// (their macro may be defined in another file).
    pub pending_macros: Vec<String>,
}

/// A `macro_rules!` definition, kept as text (token streams cannot cross threads).
#[derive(Debug, Clone)]
pub struct MacroDefSyntax {
    /// The macro's name.
    pub name: String,
    /// Whether it is `#[macro_export]`: callable from other crates.
    pub exported: bool,
    /// The rules, as token text.
    pub rules: String,
}

/// One module body in a file (the file itself, or an inline module).
#[derive(Debug, Clone, Default)]
pub struct ModSyntax {
    /// The inline module's name; empty for the file's own module.
    pub name: String,
    /// The enclosing module's index in [`FileSyntax::modules`]; `None` for `[0]`.
    pub parent: Option<usize>,
    /// A `#[path = "..."]` on an inline module (changes where its children's files live).
    pub path_attr: Option<String>,
    /// Lines of the body.
    pub span: ir::LineSpan,
    /// Visibility of the inline module declaration (Private for `[0]`).
    pub visibility: Option<ir::Visibility>,
    /// Whether the module is test code (`#[cfg(test)] mod tests { .. }`, or inside one),
    /// left out of the model unless tests are included: only its `mod x;` declarations
    /// are kept, so that their files are read and are not orphans.
    pub test: bool,
    /// `mod x;` declarations whose bodies live in other files.
    pub mod_decls: Vec<ModDecl>,
    /// Items declared directly in this module (not in inline child modules).
    pub items: Vec<ItemSyntax>,
    /// `use` declarations, flattened: one entry per leaf of each use tree.
    pub uses: Vec<UseSyntax>,
    /// Diesel `table!` invocations at module level.
    pub tables: Vec<TableSyntax>,
    /// Paths mentioned outside any item: in module-level macro invocations whose body is
    /// not items (`lazy_static! { .. }`), and the paths of item-generating macros.
    pub refs: Vec<PathRef>,
    /// SQL found in module-level macro invocations.
    pub sql: Vec<SqlSyntax>,
}

/// `mod x;` with its attributes.
#[derive(Debug, Clone)]
pub struct ModDecl {
    /// Module name (`r#` stripped).
    pub name: String,
    /// A `#[path = "..."]` value, also inside `#[cfg_attr(.., path = "..")]` (every cfg
    /// branch is taken, so several values are possible: the first is used, the rest noted).
    pub path_attr: Option<String>,
    /// Visibility of the declaration.
    pub visibility: ir::Visibility,
    /// Whether the declared module is test code (`#[cfg(test)] mod tests;`).
    pub test: bool,
    /// Line and column of the declaration.
    pub line: u32,
    /// Column.
    pub col: u32,
}

/// A flattened `use` leaf: `use a::{b::C as D, e::*};` gives two entries.
#[derive(Debug, Clone)]
pub struct UseSyntax {
    /// The path segments as written, including leading `crate`, `self`, `super`, `$crate`
    /// and `::` (as an empty first segment). For `use a::b::{self}` the path is `a::b`.
    pub path: Vec<String>,
    /// `as name`; `Some("_")` for `as _`.
    pub rename: Option<String>,
    /// Whether the leaf is a glob (`a::b::*`; `path` is then `a::b`).
    pub glob: bool,
    /// Visibility of the `use` (re-exports are `pub use`).
    pub visibility: ir::Visibility,
    /// Index of the item in the same module's `items` whose body holds this `use` (a `use`
    /// inside a function body); `None` for module-level uses.
    pub in_item: Option<usize>,
    /// Line.
    pub line: u32,
    /// Column.
    pub col: u32,
}

/// A path mentioned in code, with what kind of mention it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRef {
    /// Segments as written (generic arguments dropped; leading `::` as an empty segment).
    pub path: Vec<String>,
    /// Type, call (expression, pattern, struct literal, macro path), or impl; `Table` for
    /// a path inside the arguments of a diesel write call (`insert_into(users::table)`,
    /// `update(..)`, `delete(..)`), which marks a DSL write.
    pub kind: ir::DepKind,
    /// Line.
    pub line: u32,
    /// Column.
    pub col: u32,
    /// Whether the path was found inside a macro invocation's body, where a lone
    /// identifier may be macro syntax rather than a name (`define_keywords!(ABORT, ALL)`).
    pub in_macro: bool,
}

/// One item (or method) in a module body.
#[derive(Debug, Clone)]
pub struct ItemSyntax {
    /// The item's name (for impls: `impl Trait for Type` / `impl Type`, types as written).
    pub name: String,
    /// What it is.
    pub kind: ir::ItemKind,
    /// Visibility.
    pub visibility: ir::Visibility,
    /// Line and column of the name (or of `impl`).
    pub line: u32,
    /// Column.
    pub col: u32,
    /// Lines covered, attributes and doc comments excluded.
    pub span: ir::LineSpan,
    /// For methods: index of the impl or trait item in the same module's `items`.
    pub parent: Option<usize>,
    /// For impls: the self type's path (`Order`, `crate::models::Order`).
    pub impl_self: Option<PathRef>,
    /// For impls: the trait's path.
    pub impl_trait: Option<PathRef>,
    /// One-line signature of functions and methods.
    pub signature: Option<String>,
    /// Derive names, last segment only, sorted and deduplicated.
    pub derives: Vec<String>,
    /// Derive paths as written, to find derive macros of the codebase's proc-macro crates.
    pub derive_paths: Vec<PathRef>,
    /// Fields (structs, unions, enum variants as `Variant.field`).
    pub fields: Vec<FieldSyntax>,
    /// For enums: the variant names, in order (unit variants have no fields, so they are
    /// listed here to resolve `use Enum::*` and `Enum::Variant`).
    pub variants: Vec<String>,
    /// ORM mapping found on the item's attributes.
    pub table_attr: Option<TableAttr>,
    /// For a sea-orm `Entity` (a `#[derive(DeriveEntity)]` struct, or the one
    /// `#[derive(DeriveEntityModel)]` generates beside its model): the table it stands
    /// for. Paths through it are accesses of that table (`Entity::find()` reads,
    /// `Entity::delete_many()` writes).
    pub entity_table: Option<String>,
    /// Paths mentioned anywhere in the item (signature, bounds, body, attributes' derives
    /// excluded), in source order. Methods' bodies go to the method, not its impl.
    pub refs: Vec<PathRef>,
    /// SQL found in string literals inside the item.
    pub sql: Vec<SqlSyntax>,
}

/// A field of a model.
#[derive(Debug, Clone)]
pub struct FieldSyntax {
    /// Field name.
    pub name: String,
    /// Type as written, normalised by token printing (`Option<Vec<Order>>`).
    pub ty: String,
    /// Paths inside the type.
    pub ty_paths: Vec<PathRef>,
    /// Line.
    pub line: u32,
}

/// An ORM mapping attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableAttr {
    /// Table name (for diesel `table_name = x` the last path segment).
    pub table: String,
    /// Line of the attribute.
    pub line: u32,
}

/// An SQL string literal passed to a query macro or function.
#[derive(Debug, Clone)]
pub struct SqlSyntax {
    /// The string's value.
    pub text: String,
    /// Line of the literal.
    pub line: u32,
    /// Column.
    pub col: u32,
    /// Whether the literal is an argument of a query macro, function or method
    /// (`sqlx::query!`, `sql_query`, `.execute(..)`), rather than a literal that merely
    /// starts with an SQL keyword. Only the former fall back to a text scan when the SQL
    /// parser rejects them; the latter are dropped then (they are probably prose).
    pub in_query_call: bool,
}

/// A diesel `table!` invocation.
#[derive(Debug, Clone)]
pub struct TableSyntax {
    /// Table name (`#[sql_name = ".."]` wins over the macro's name).
    pub name: String,
    /// The name the Rust code uses (the macro's identifier).
    pub rust_name: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Line.
    pub line: u32,
    /// Column.
    pub col: u32,
}
