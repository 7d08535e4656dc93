//! The JSON document `seamline.json`: dedicated wire types and their construction from
//! [`ir::Facts`].
//!
//! The wire types are the schema documented in `docs/json-schema.md`; they are separate from
//! the IR so that a refactoring of the IR never changes the JSON by accident. Everything is
//! referred to by a readable, stable string id (a module path, an item path, a table name,
//! a file path) rather than by the IR's dense indices. Output is deterministic: lists follow
//! the IR's sorted order or are sorted here by a stable key, maps are `BTreeMap`s, and
//! nothing depends on time or thread count.
//!
//! Later stages add their sections (`contexts`, `metrics`, `plan`) as optional top-level keys
//! of [`Report`], serialised only when present, so the core keys never move. [`document`]
//! assembles the whole `seamline.json` (facts, proposal and plan), and [`write_document`]
//! writes it as it is serialised.

mod compact;

use seamline_ir as ir;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The schema version written into every document. Bumped on any change that can break a
/// reader (a key removed, renamed or retyped); adding a key does not bump it.
pub const SCHEMA_VERSION: &str = "1";

/// Who wrote the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolInfo {
    /// The tool's name, `seamline`.
    pub name: String,
    /// The tool's version (`CARGO_PKG_VERSION` of the binary).
    pub version: String,
}

/// The whole document.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: &'static str,
    /// The tool that wrote it.
    pub tool: ToolInfo,
    /// What was analysed and what went wrong reading it.
    pub input: Input<'a>,
    /// Every module, sorted by id.
    pub modules: Vec<Module<'a>>,
    /// Every item, in IR order (by module, then source line).
    pub items: Vec<Item<'a>>,
    /// The model items (structs, enums, unions, traits, type aliases), in item order.
    pub models: Vec<Model<'a>>,
    /// Database tables, sorted by name.
    pub tables: Vec<Table<'a>>,
    /// Module -> module dependencies, sorted by (from, to, kind).
    pub dependencies: Vec<Dependency<'a>>,
    /// Item-level references, sorted by (from_module, from_item, to, kind).
    pub references: Vec<Reference<'a>>,
    /// References to things outside the codebase, per root name, sorted by root.
    pub external: Vec<External<'a>>,
    /// How the contexts were found (absent without a proposal; see [`crate::contexts_json`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clustering: Option<crate::contexts_json::ClusteringJson<'a>>,
    /// The bounded contexts, sorted by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contexts: Option<Vec<crate::contexts_json::ContextJson<'a>>>,
    /// The shared kernel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel: Option<crate::contexts_json::KernelJson<'a>>,
    /// Metrics of the whole proposal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<crate::contexts_json::MetricsJson<'a>>,
    /// The split plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<crate::plan_json::PlanJson>,
}

/// The `input` section.
#[derive(Debug, Clone, Serialize)]
pub struct Input<'a> {
    /// The analysed root, as the user gave it.
    pub root: &'a str,
    /// Crates, sorted by name.
    pub crates: Vec<Crate<'a>>,
    /// Number of source files seen.
    pub files: usize,
    /// Number of files parsed and analysed.
    pub analysed_files: usize,
    /// Number of files no crate root reaches.
    pub orphan_files: usize,
    /// Total lines over all files.
    pub lines: u64,
    /// Lines of code (not blank, not only a comment) over all files.
    pub code_lines: u64,
    /// Total bytes over all files.
    pub bytes: u64,
    /// Problems in the input, sorted by (file, line, col, code).
    pub diagnostics: Vec<Diagnostic<'a>>,
}

/// A crate.
#[derive(Debug, Clone, Serialize)]
pub struct Crate<'a> {
    /// The name code uses (`my_crate`).
    pub name: &'a str,
    /// The Cargo package name, or null.
    pub package: Option<&'a str>,
    /// `lib`, `bin`, `test` or `guessed`.
    pub kind: &'static str,
    /// The manifest path relative to the root, or null.
    pub manifest: Option<&'a str>,
    /// The root file path relative to the root, or null.
    pub root_file: Option<&'a str>,
    /// The root module id, or null.
    pub root_module: Option<&'a str>,
    /// Crates of this codebase it depends on.
    pub deps: Vec<CrateDep<'a>>,
}

/// A dependency between two crates of the codebase.
#[derive(Debug, Clone, Serialize)]
pub struct CrateDep<'a> {
    /// The name under which the depending crate's code refers to it.
    pub local_name: &'a str,
    /// The depended-on crate's name.
    #[serde(rename = "crate")]
    pub krate: &'a str,
}

/// A diagnostic.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic<'a> {
    /// File relative to the root, or null.
    pub file: Option<&'a str>,
    /// 1-based line, 0 for the whole file.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub col: u32,
    /// `error`, `warning` or `note`.
    pub severity: &'static str,
    /// The kebab-case code (`parse-error`).
    pub code: &'static str,
    /// The message.
    pub message: &'a str,
}

/// A line range, both ends inclusive.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Span {
    /// First line.
    pub start: u32,
    /// Last line.
    pub end: u32,
}

/// A module.
#[derive(Debug, Clone, Serialize)]
pub struct Module<'a> {
    /// The module path, `crate_name::a::b`.
    pub id: &'a str,
    /// The owning crate's name.
    #[serde(rename = "crate")]
    pub krate: &'a str,
    /// The file holding the module's body.
    pub file: &'a str,
    /// Whether the body is inline (`mod x { ... }`).
    pub inline: bool,
    /// Lines covered by the body.
    pub span: Span,
    /// Number of lines covered by the body.
    pub lines: u32,
    /// Lines of code in the module's own body.
    pub code_lines: u32,
    /// The enclosing module's id, or null for a crate root.
    pub parent: Option<&'a str>,
    /// Ids of the items declared directly in the module, in source order.
    pub items: Vec<Cow<'a, str>>,
    /// Its context's name, null for the shared kernel; absent without a proposal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Option<&'a str>>,
}

/// An item.
#[derive(Debug, Clone, Serialize)]
pub struct Item<'a> {
    /// The item's unique id: its path, with `#N` appended when another item has the same
    /// path (the N-th one, from 2, in item order).
    pub id: Cow<'a, str>,
    /// The item's own name.
    pub name: &'a str,
    /// The item path as the IR records it (may be shared by `cfg` alternatives).
    pub path: &'a str,
    /// The kebab-case kind (`struct`, `type-alias`, `method`, ...).
    pub kind: &'static str,
    /// `pub`, `pub(crate)`, `pub(restricted)` or `private`.
    pub visibility: &'static str,
    /// The declaring module's id.
    pub module: &'a str,
    /// `file:line` where the item starts.
    pub location: String,
    /// Lines covered.
    pub span: Span,
    /// Lines of code inside the span.
    pub code_lines: u32,
    /// One-line signature for functions and methods, or null.
    pub signature: Option<&'a str>,
    /// Parent item id (a method's impl or trait, an impl's self type), or null.
    pub parent: Option<Cow<'a, str>>,
    /// For impl blocks, the implemented trait's item id when it is in the codebase, or null.
    pub implements: Option<Cow<'a, str>>,
    /// Derives, sorted.
    pub derives: Vec<&'a str>,
    /// The mapped table's name, or null.
    pub table: Option<&'a str>,
    /// Its context's name, null for the shared kernel; absent without a proposal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Option<&'a str>>,
}

/// A model: a struct, enum, union, trait or type alias.
#[derive(Debug, Clone, Serialize)]
pub struct Model<'a> {
    /// The item id.
    pub id: Cow<'a, str>,
    /// The declaring module's id.
    pub module: &'a str,
    /// The kebab-case kind.
    pub kind: &'static str,
    /// `file:line` where it starts.
    pub location: String,
    /// Fields (enum variant fields as `Variant.field`).
    pub fields: Vec<Field<'a>>,
    /// Derives, sorted.
    pub derives: Vec<&'a str>,
    /// The mapped table's name, or null.
    pub table: Option<&'a str>,
}

/// A field of a model.
#[derive(Debug, Clone, Serialize)]
pub struct Field<'a> {
    /// The field name.
    pub name: &'a str,
    /// The type as written, normalised.
    #[serde(rename = "type")]
    pub ty: &'a str,
    /// Whether the field holds an id of another model rather than the model itself.
    pub is_id: bool,
    /// Item ids of the codebase that the type refers to, sorted.
    pub refs: Vec<Cow<'a, str>>,
    /// Line of the field.
    pub line: u32,
}

/// A database table.
#[derive(Debug, Clone, Serialize)]
pub struct Table<'a> {
    /// Table name.
    pub name: &'a str,
    /// Declared columns.
    pub columns: Vec<&'a str>,
    /// `file:line` of the declaration (diesel `table!`), or null.
    pub defined_in: Option<String>,
    /// The declaring module's id, or null.
    pub defined_in_module: Option<&'a str>,
    /// Item ids mapped onto the table, sorted.
    pub mapped_by: Vec<Cow<'a, str>>,
    /// Modules that read or write the table, sorted by module id.
    pub accessed_by: Vec<TableAccess<'a>>,
    /// The owning context's name, null when no context touches, declares or maps it;
    /// absent without a proposal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Option<&'a str>>,
    /// Why that context owns it (`writes`, `main-reader`, `schema`, `mapping`); absent
    /// without a proposal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_reason: Option<Option<&'static str>>,
}

/// One module's accesses to a table.
#[derive(Debug, Clone, Serialize)]
pub struct TableAccess<'a> {
    /// The module id.
    pub module: &'a str,
    /// Number of reads.
    pub reads: u32,
    /// Number of writes.
    pub writes: u32,
    /// How the accesses were found: a sorted subset of `sql`, `dsl`, `mapping`.
    pub via: Vec<&'static str>,
    /// Item ids whose bodies touch the table, sorted.
    pub items: Vec<Cow<'a, str>>,
    /// `file:line` of the first access.
    pub evidence: String,
}

/// A module -> module dependency.
#[derive(Debug, Clone, Serialize)]
pub struct Dependency<'a> {
    /// The depending module's id.
    pub from: &'a str,
    /// The depended-on module's id.
    pub to: &'a str,
    /// `import`, `type`, `call`, `impl` or `table`.
    pub kind: &'static str,
    /// Number of references of that kind.
    pub count: u32,
    /// `file:line` of the first one.
    pub evidence: String,
}

/// An item-level reference.
#[derive(Debug, Clone, Serialize)]
pub struct Reference<'a> {
    /// The module whose code holds it.
    pub from_module: &'a str,
    /// The innermost item holding it, or null for a module-level `use`.
    pub from_item: Option<Cow<'a, str>>,
    /// The referenced item's id.
    pub to: Cow<'a, str>,
    /// The dependency kind.
    pub kind: &'static str,
    /// How many times.
    pub count: u32,
    /// `file:line` of the first occurrence.
    pub evidence: String,
}

/// References to one outside root (`std`, `serde`, ...).
#[derive(Debug, Clone, Serialize)]
pub struct External<'a> {
    /// The root name.
    pub root: &'a str,
    /// Total references over all modules.
    pub count: u64,
    /// The modules using it, sorted by module id.
    pub modules: Vec<ExternalUse<'a>>,
}

/// One module's use of an outside root.
#[derive(Debug, Clone, Serialize)]
pub struct ExternalUse<'a> {
    /// The module id.
    pub module: &'a str,
    /// How many references.
    pub count: u32,
    /// `file:line` of the first one.
    pub evidence: String,
}

/// Builds the document and renders it: pretty-printed, two-space indent, trailing newline.
pub fn to_json(facts: &ir::Facts, tool: &ToolInfo) -> String {
    render(&build(facts, tool))
}

/// Renders a built document: pretty-printed, two-space indent, trailing newline.
pub fn render(report: &Report<'_>) -> String {
    render_with(report, Some(JsonStyle::Pretty))
}

/// How the document is laid out (`--json-style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonStyle {
    /// One line, no spaces: a quarter to a third smaller than pretty, and faster to write
    /// and to parse.
    Compact,
    /// Two-space indent, one value per line: for people and diffs.
    Pretty,
}

/// Without a chosen style, a document whose compact form is at most this many bytes is
/// pretty-printed, a larger one stays compact: nobody reads a 60 MB document by eye, while
/// small ones (the fixtures, `reports/`) stay readable and diffable.
pub const PRETTY_UP_TO: usize = 1_000_000;

/// Renders a built document in `style`, or, with `None`, pretty up to [`PRETTY_UP_TO`]
/// bytes and compact above; always with a trailing newline. The choice depends on the
/// document alone, so the output is the same for every run and thread count.
pub fn render_with(report: &Report<'_>, style: Option<JsonStyle>) -> String {
    let mut out = Vec::new();
    // Serialising plain structs, strings and integers into memory cannot fail.
    let _ = write_with(report, style, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes a built document exactly as [`render_with`] renders it, as it is serialised: the
/// text of a large workspace's document is tens of megabytes that need not be held in memory.
pub fn write_with<W: std::io::Write>(
    report: &Report<'_>,
    style: Option<JsonStyle>,
    mut out: W,
) -> std::io::Result<()> {
    // Generic rather than `dyn`: the serialiser writes token by token.
    match style.unwrap_or_else(|| default_style(report)) {
        JsonStyle::Pretty => serde_json::to_writer_pretty(&mut out, report)?,
        JsonStyle::Compact => compact::to_writer(&mut out, report)?,
    }
    out.write_all(b"\n")
}

/// The style [`write_with`] picks without a choice: the compact form is serialised into a
/// sink that gives up past [`PRETTY_UP_TO`] bytes, so a large document costs at most that
/// much extra work and is never held in memory.
fn default_style(report: &Report<'_>) -> JsonStyle {
    struct Limit(usize);
    impl std::io::Write for Limit {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 = self
                .0
                .checked_sub(buf.len())
                .ok_or_else(|| std::io::Error::other("over the pretty limit"))?;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    match compact::to_writer(Limit(PRETTY_UP_TO), report) {
        Ok(()) => JsonStyle::Pretty,
        Err(_) => JsonStyle::Compact,
    }
}

/// The whole `seamline.json`: the facts with their contexts, the proposal and the plan.
/// `proposal` and `plan` must have been computed on `facts` (the plan checked that on its
/// way in); the module dependencies are the plan's, computed once.
pub fn document<'a>(
    facts: &'a ir::Facts,
    proposal: &'a seamline_cluster::contexts::Proposal,
    plan: &seamline_plan::Plan,
    tool: &ToolInfo,
) -> Report<'a> {
    let mut report = build_with(facts, tool, &plan.module_deps);
    crate::contexts_json::attach(
        &mut report,
        facts,
        proposal,
        Some(crate::plan_json::plan_json(plan)),
    );
    report
}

/// Writes the head of [`write_document`]'s compact text, all of it but the plan, which only
/// the proposal decides, so that the caller can write it while the plan is computed (that
/// stage runs on one thread). `head` is the document's sections of the facts alone, built
/// beforehand with [`build`] (`analyze` builds them while the contexts are found).
/// Returns `false`, having written nothing, when the document is not to be compact: asked
/// pretty, or no more than [`PRETTY_UP_TO`] bytes without its plan, when the plan decides
/// the style; the caller then writes the whole document once the plan is known.
pub fn write_head_from<'a, W: std::io::Write>(
    mut head: Report<'a>,
    facts: &'a ir::Facts,
    proposal: &'a seamline_cluster::contexts::Proposal,
    style: Option<JsonStyle>,
    out: W,
) -> std::io::Result<bool> {
    crate::contexts_json::attach(&mut head, facts, proposal, None);
    let compact = match style {
        Some(JsonStyle::Compact) => true,
        Some(JsonStyle::Pretty) => false,
        // The whole document is longer than its head.
        None => default_style(&head) == JsonStyle::Compact,
    };
    if !compact {
        return Ok(false);
    }
    // The head is the document without its last field, the plan: its closing brace is
    // left for [`write_tail`].
    struct AllButLast<W> {
        out: W,
        last: Option<u8>,
    }
    impl<W: std::io::Write> std::io::Write for AllButLast<W> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let Some((&end, body)) = buf.split_last() else {
                return Ok(0);
            };
            if let Some(held) = self.last.take() {
                self.out.write_all(&[held])?;
            }
            self.out.write_all(body)?;
            self.last = Some(end);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.out.flush()
        }
    }
    // Buffered before the byte is held back, so that holding it costs once per buffer,
    // not once per token.
    let mut sink = std::io::BufWriter::with_capacity(1 << 16, AllButLast { out, last: None });
    compact::to_writer(&mut sink, &head)?;
    let sink = sink
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    debug_assert_eq!(sink.last, Some(b'}'));
    Ok(true)
}

/// Writes the rest of the compact document that [`write_head_from`] began: the plan, the closing
/// brace and the trailing newline.
pub fn write_tail<W: std::io::Write>(
    plan: &seamline_plan::Plan,
    mut out: W,
) -> std::io::Result<()> {
    out.write_all(b",\"plan\":")?;
    compact::to_writer(&mut out, &crate::plan_json::plan_json(plan))?;
    out.write_all(b"}\n")
}

/// Writes [`document`] to `out` as [`write_with`] does: as it is serialised, never held in
/// memory whole.
pub fn write_document<W: std::io::Write>(
    facts: &ir::Facts,
    proposal: &seamline_cluster::contexts::Proposal,
    plan: &seamline_plan::Plan,
    tool: &ToolInfo,
    style: Option<JsonStyle>,
    out: W,
) -> std::io::Result<()> {
    write_with(&document(facts, proposal, plan, tool), style, out)
}

/// Builds the wire document from the facts alone.
pub fn build<'a>(facts: &'a ir::Facts, tool: &ToolInfo) -> Report<'a> {
    build_with(facts, tool, &facts.module_deps())
}

/// [`build`] with the facts' module dependencies computed already.
fn build_with<'a>(facts: &'a ir::Facts, tool: &ToolInfo, deps: &[ir::ModuleDep]) -> Report<'a> {
    let ids = Ids::new(facts);
    Report {
        schema_version: SCHEMA_VERSION,
        tool: tool.clone(),
        input: input(facts, &ids),
        modules: modules(facts, &ids),
        items: items(facts, &ids),
        models: models(facts, &ids),
        tables: tables(facts, &ids),
        dependencies: dependencies(deps, &ids),
        references: references(facts, &ids),
        external: external(facts, &ids),
        clustering: None,
        contexts: None,
        kernel: None,
        metrics: None,
        plan: None,
    }
}

/// Wire names of the IR enums.
pub fn crate_kind_str(kind: ir::CrateKind) -> &'static str {
    match kind {
        ir::CrateKind::Lib => "lib",
        ir::CrateKind::Bin => "bin",
        ir::CrateKind::Test => "test",
        ir::CrateKind::Guessed => "guessed",
    }
}

/// The kebab-case wire name of an item kind.
pub fn item_kind_str(kind: ir::ItemKind) -> &'static str {
    match kind {
        ir::ItemKind::Struct => "struct",
        ir::ItemKind::Enum => "enum",
        ir::ItemKind::Union => "union",
        ir::ItemKind::Trait => "trait",
        ir::ItemKind::TypeAlias => "type-alias",
        ir::ItemKind::Function => "function",
        ir::ItemKind::Impl => "impl",
        ir::ItemKind::Method => "method",
        ir::ItemKind::Const => "const",
        ir::ItemKind::Static => "static",
        ir::ItemKind::Macro => "macro",
        ir::ItemKind::TableSchema => "table-schema",
    }
}

/// The wire name of a visibility.
pub fn visibility_str(vis: ir::Visibility) -> &'static str {
    match vis {
        ir::Visibility::Public => "pub",
        ir::Visibility::Crate => "pub(crate)",
        ir::Visibility::Restricted => "pub(restricted)",
        ir::Visibility::Private => "private",
    }
}

fn access_via_str(via: ir::AccessVia) -> &'static str {
    match via {
        ir::AccessVia::Sql => "sql",
        ir::AccessVia::Dsl => "dsl",
        ir::AccessVia::Mapping => "mapping",
    }
}

/// The string ids of a fact base, computed once. Ids borrow from the facts; only the
/// `#N`-suffixed item ids of `cfg` duplicates are allocated.
struct Ids<'a> {
    facts: &'a ir::Facts,
    /// Unique item ids, by item index.
    items: Vec<Cow<'a, str>>,
}

impl<'a> Ids<'a> {
    fn new(facts: &'a ir::Facts) -> Self {
        // Item paths are unique except for `cfg` alternatives of the same item (both are
        // kept, since every cfg branch is analysed): suffix the later ones with `#N`.
        let mut taken: HashMap<&str, u32> = HashMap::with_capacity(facts.items.len());
        let mut items: Vec<Cow<'a, str>> = Vec::with_capacity(facts.items.len());
        let mut suffixed: BTreeSet<String> = BTreeSet::new();
        for it in &facts.items {
            let n = taken.entry(it.path.as_str()).or_insert(0);
            *n += 1;
            if *n == 1 {
                items.push(Cow::Borrowed(it.path.as_str()));
                continue;
            }
            // A frontend-made `#N` suffix (impl blocks) could collide with ours: keep
            // counting until the id is free.
            let mut k = *n;
            loop {
                let id = format!("{}#{}", it.path, k);
                if !taken.contains_key(id.as_str()) && !suffixed.contains(&id) {
                    suffixed.insert(id.clone());
                    items.push(Cow::Owned(id));
                    break;
                }
                k += 1;
            }
        }
        // A later item whose own path equals an earlier suffixed id: suffix it in turn.
        // Rare enough (it needs a frontend `#N` path and a cfg duplicate) to fix up here.
        let mut seen: BTreeSet<Cow<'a, str>> = BTreeSet::new();
        for (idx, id) in items.iter_mut().enumerate() {
            if !seen.insert(id.clone()) {
                let path = &facts.items[idx].path;
                let mut k = 2;
                while seen.contains(format!("{path}#{k}").as_str()) {
                    k += 1;
                }
                *id = Cow::Owned(format!("{path}#{k}"));
                seen.insert(id.clone());
            }
        }
        Ids { facts, items }
    }

    fn item(&self, id: ir::ItemId) -> Cow<'a, str> {
        self.items[id.index()].clone()
    }

    fn module(&self, id: ir::ModuleId) -> &'a str {
        &self.facts.modules[id.index()].path
    }

    fn krate(&self, id: ir::CrateId) -> &'a str {
        &self.facts.crates[id.index()].name
    }

    fn file(&self, id: ir::FileId) -> &'a str {
        &self.facts.files[id.index()].path
    }

    fn table(&self, id: ir::TableId) -> &'a str {
        &self.facts.tables[id.index()].name
    }

    fn loc(&self, loc: ir::Location) -> String {
        format!("{}:{}", self.facts.files[loc.file.index()].path, loc.line)
    }
}

fn span(s: ir::LineSpan) -> Span {
    Span {
        start: s.start,
        end: s.end,
    }
}

fn span_lines(s: ir::LineSpan) -> u32 {
    if s.end >= s.start && s.start > 0 {
        s.end - s.start + 1
    } else {
        0
    }
}

fn input<'a>(facts: &'a ir::Facts, ids: &Ids<'a>) -> Input<'a> {
    let crates = facts
        .crates
        .iter()
        .map(|c| Crate {
            name: &c.name,
            package: c.package.as_deref(),
            kind: crate_kind_str(c.kind),
            manifest: c.manifest.as_deref(),
            root_file: c.root_file.map(|f| ids.file(f)),
            root_module: c.root_module.map(|m| ids.module(m)),
            deps: {
                let mut deps: Vec<CrateDep<'a>> = c
                    .deps
                    .iter()
                    .map(|d| CrateDep {
                        local_name: &d.local_name,
                        krate: ids.krate(d.krate),
                    })
                    .collect();
                deps.sort_by_key(|d| (d.local_name, d.krate));
                deps
            },
        })
        .collect();
    let mut diags: Vec<&ir::Diagnostic> = facts.diagnostics.iter().collect();
    diags.sort();
    let diagnostics = diags
        .into_iter()
        .map(|d| Diagnostic {
            file: d.file.as_deref(),
            line: d.line,
            col: d.col,
            severity: d.severity.as_str(),
            code: d.code.as_str(),
            message: &d.message,
        })
        .collect();
    Input {
        root: &facts.root,
        crates,
        files: facts.files.len(),
        analysed_files: facts.files.iter().filter(|f| f.analysed).count(),
        orphan_files: facts.files.iter().filter(|f| f.orphan).count(),
        lines: facts.files.iter().map(|f| u64::from(f.lines)).sum(),
        code_lines: facts.code_lines(),
        bytes: facts.files.iter().map(|f| f.bytes).sum(),
        diagnostics,
    }
}

fn modules<'a>(facts: &'a ir::Facts, ids: &Ids<'a>) -> Vec<Module<'a>> {
    facts
        .modules
        .iter()
        .map(|m| Module {
            id: &m.path,
            krate: ids.krate(m.krate),
            file: ids.file(m.file),
            inline: m.inline,
            span: span(m.span),
            lines: span_lines(m.span),
            code_lines: m.code_lines,
            parent: m.parent.map(|p| ids.module(p)),
            items: m.items.iter().map(|&i| ids.item(i)).collect(),
            context: None,
        })
        .collect()
}

fn items<'a>(facts: &'a ir::Facts, ids: &Ids<'a>) -> Vec<Item<'a>> {
    facts
        .items
        .iter()
        .map(|it| Item {
            id: ids.item(it.id),
            name: &it.name,
            path: &it.path,
            kind: item_kind_str(it.kind),
            visibility: visibility_str(it.visibility),
            module: ids.module(it.module),
            location: ids.loc(it.location),
            span: span(it.span),
            code_lines: it.code_lines,
            signature: it.signature.as_deref(),
            parent: it.parent.map(|p| ids.item(p)),
            implements: it.implements.map(|p| ids.item(p)),
            derives: sorted(it.derives.iter().map(String::as_str).collect()),
            table: it.table.map(|t| ids.table(t)),
            context: None,
        })
        .collect()
}

fn models<'a>(facts: &'a ir::Facts, ids: &Ids<'a>) -> Vec<Model<'a>> {
    facts
        .items
        .iter()
        .filter(|it| it.kind.is_model())
        .map(|it| Model {
            id: ids.item(it.id),
            module: ids.module(it.module),
            kind: item_kind_str(it.kind),
            location: ids.loc(it.location),
            fields: it
                .fields
                .iter()
                .map(|f| Field {
                    name: &f.name,
                    ty: &f.ty,
                    is_id: f.is_id,
                    refs: sorted(f.refs.iter().map(|&r| ids.item(r)).collect()),
                    line: f.line,
                })
                .collect(),
            derives: sorted(it.derives.iter().map(String::as_str).collect()),
            table: it.table.map(|t| ids.table(t)),
        })
        .collect()
}

fn tables<'a>(facts: &'a ir::Facts, ids: &Ids<'a>) -> Vec<Table<'a>> {
    #[derive(Default)]
    struct Acc<'a> {
        reads: u32,
        writes: u32,
        via: BTreeSet<&'static str>,
        items: BTreeSet<Cow<'a, str>>,
        first: Option<ir::Location>,
    }
    // (table, module) -> aggregate; keyed by module path so the output is sorted.
    let mut per_table: BTreeMap<ir::TableId, BTreeMap<&'a str, Acc<'a>>> = BTreeMap::new();
    for a in &facts.table_accesses {
        let acc = per_table
            .entry(a.table)
            .or_default()
            .entry(ids.module(a.module))
            .or_default();
        match a.mode {
            ir::AccessMode::Read => acc.reads = acc.reads.saturating_add(a.count),
            ir::AccessMode::Write => acc.writes = acc.writes.saturating_add(a.count),
        }
        acc.via.insert(access_via_str(a.via));
        if let Some(item) = a.item {
            acc.items.insert(ids.item(item));
        }
        // Locations order by (file id, line, col) and file ids by path: the minimum is the
        // first occurrence in reading order.
        acc.first = Some(match acc.first {
            Some(f) if f <= a.first => f,
            _ => a.first,
        });
    }
    let mut out: Vec<Table<'a>> = facts
        .tables
        .iter()
        .map(|t| Table {
            name: &t.name,
            columns: t.columns.iter().map(String::as_str).collect(),
            defined_in: t.defined_in.as_ref().map(|d| ids.loc(d.location)),
            defined_in_module: t.defined_in.as_ref().map(|d| ids.module(d.module)),
            mapped_by: sorted(t.mapped_by.iter().map(|&i| ids.item(i)).collect()),
            accessed_by: per_table
                .remove(&t.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(module, acc)| TableAccess {
                    module,
                    reads: acc.reads,
                    writes: acc.writes,
                    via: acc.via.into_iter().collect(),
                    items: acc.items.into_iter().collect(),
                    evidence: acc.first.map(|l| ids.loc(l)).unwrap_or_default(),
                })
                .collect(),
            owner: None,
            owner_reason: None,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(b.name));
    out
}

fn dependencies<'a>(deps: &[ir::ModuleDep], ids: &Ids<'a>) -> Vec<Dependency<'a>> {
    let mut out: Vec<Dependency<'a>> = deps
        .iter()
        .map(|d| Dependency {
            from: ids.module(d.from),
            to: ids.module(d.to),
            kind: d.kind.as_str(),
            count: d.count,
            evidence: ids.loc(d.first),
        })
        .collect();
    // module_deps sorts by ids; module ids follow path order, but sort by the strings anyway
    // so the documented order holds whatever the IR does.
    out.sort_by_key(|d| (d.from, d.to, dep_rank(d.kind)));
    out
}

fn dep_rank(kind: &str) -> usize {
    ir::DepKind::ALL
        .iter()
        .position(|k| k.as_str() == kind)
        .unwrap_or(usize::MAX)
}

fn references<'a>(facts: &'a ir::Facts, ids: &Ids<'a>) -> Vec<Reference<'a>> {
    let mut refs: Vec<&ir::Reference> = facts.references.iter().collect();
    refs.sort_by_key(|r| (r.from_module, r.from_item, r.to, r.kind, r.first));
    refs.into_iter()
        .map(|r| Reference {
            from_module: ids.module(r.from_module),
            from_item: r.from_item.map(|i| ids.item(i)),
            to: ids.item(r.to),
            kind: r.kind.as_str(),
            count: r.count,
            evidence: ids.loc(r.first),
        })
        .collect()
}

fn external<'a>(facts: &'a ir::Facts, ids: &Ids<'a>) -> Vec<External<'a>> {
    // root -> module path -> (count, first)
    let mut acc: BTreeMap<&'a str, BTreeMap<&'a str, (u32, ir::Location)>> = BTreeMap::new();
    for e in &facts.external {
        let slot = acc
            .entry(e.root.as_str())
            .or_default()
            .entry(ids.module(e.module))
            .or_insert((0, e.first));
        slot.0 = slot.0.saturating_add(e.count);
        if e.first < slot.1 {
            slot.1 = e.first;
        }
    }
    acc.into_iter()
        .map(|(root, modules)| External {
            root,
            count: modules.values().map(|(c, _)| u64::from(*c)).sum(),
            modules: modules
                .into_iter()
                .map(|(module, (count, first))| ExternalUse {
                    module,
                    count,
                    evidence: ids.loc(first),
                })
                .collect(),
        })
        .collect()
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir::{
        AccessMode, AccessVia, CrateId, DepKind, FileId, ItemId, ItemKind, LineSpan, Location,
        ModuleId, TableId, Visibility,
    };

    fn tool() -> ToolInfo {
        ToolInfo {
            name: "seamline".to_owned(),
            version: "0.0.0-test".to_owned(),
        }
    }

    fn at(file: u32, line: u32) -> Location {
        Location {
            file: FileId(file),
            line,
            col: 1,
        }
    }

    fn file(id: u32, path: &str, module: Option<u32>, lines: u32) -> ir::SourceFile {
        ir::SourceFile {
            id: FileId(id),
            path: path.to_owned(),
            krate: Some(CrateId(0)),
            module: module.map(ModuleId),
            lines,
            code_lines: lines - 1,
            bytes: u64::from(lines) * 20,
            analysed: true,
            orphan: false,
        }
    }

    fn module(id: u32, path: &str, file: u32, parent: Option<u32>, items: &[u32]) -> ir::Module {
        ir::Module {
            id: ModuleId(id),
            path: path.to_owned(),
            krate: CrateId(0),
            file: FileId(file),
            parent: parent.map(ModuleId),
            inline: false,
            span: LineSpan { start: 1, end: 10 },
            code_lines: 9,
            items: items.iter().map(|&i| ItemId(i)).collect(),
        }
    }

    fn item(id: u32, path: &str, module: u32, kind: ItemKind, loc: Location) -> ir::Item {
        ir::Item {
            id: ItemId(id),
            name: path.rsplit("::").next().unwrap_or(path).to_owned(),
            path: path.to_owned(),
            module: ModuleId(module),
            kind,
            visibility: Visibility::Public,
            location: loc,
            span: LineSpan {
                start: loc.line,
                end: loc.line + 3,
            },
            code_lines: 4,
            parent: None,
            implements: None,
            signature: None,
            derives: Vec::new(),
            fields: Vec::new(),
            table: None,
        }
    }

    /// A small shop: models, a billing module that reads and writes `orders`, a schema
    /// module that declares it, one std use, two diagnostics and a `cfg` duplicate.
    fn shop() -> ir::Facts {
        let mut order = item(1, "shop::models::Order", 2, ItemKind::Struct, at(2, 3));
        order.derives = vec!["Queryable".to_owned(), "Debug".to_owned()];
        order.table = Some(TableId(0));
        order.fields = vec![
            ir::Field {
                name: "customer_id".to_owned(),
                ty: "i64".to_owned(),
                refs: Vec::new(),
                is_id: true,
                line: 4,
            },
            ir::Field {
                name: "lines".to_owned(),
                ty: "Vec<Line>".to_owned(),
                refs: vec![ItemId(0)],
                is_id: false,
                line: 5,
            },
        ];
        let line = item(0, "shop::models::Line", 2, ItemKind::Struct, at(2, 1));
        let mut pay = item(2, "shop::billing::pay", 1, ItemKind::Function, at(0, 2));
        pay.signature = Some("fn pay(order: &Order) -> bool".to_owned());
        let pay_unix = item(3, "shop::billing::pay", 1, ItemKind::Function, at(0, 8));
        let schema = item(
            4,
            "shop::schema::orders",
            3,
            ItemKind::TableSchema,
            at(3, 1),
        );
        ir::Facts {
            root: "fixtures/shop".to_owned(),
            crates: vec![ir::Crate {
                id: CrateId(0),
                name: "shop".to_owned(),
                package: Some("shop".to_owned()),
                manifest: Some("Cargo.toml".to_owned()),
                kind: ir::CrateKind::Lib,
                root_file: Some(FileId(1)),
                root_module: Some(ModuleId(0)),
                deps: Vec::new(),
            }],
            files: vec![
                file(0, "src/billing.rs", Some(1), 12),
                file(1, "src/lib.rs", Some(0), 4),
                file(2, "src/models.rs", Some(2), 10),
                file(3, "src/schema.rs", Some(3), 6),
            ],
            modules: vec![
                module(0, "shop", 1, None, &[]),
                module(1, "shop::billing", 0, Some(0), &[2, 3]),
                module(2, "shop::models", 2, Some(0), &[0, 1]),
                module(3, "shop::schema", 3, Some(0), &[4]),
            ],
            items: vec![line, order, pay, pay_unix, schema],
            tables: vec![ir::Table {
                id: TableId(0),
                name: "orders".to_owned(),
                columns: vec!["id".to_owned(), "customer_id".to_owned()],
                defined_in: Some(ir::TableDefinition {
                    module: ModuleId(3),
                    item: Some(ItemId(4)),
                    location: at(3, 1),
                }),
                mapped_by: vec![ItemId(1)],
            }],
            table_accesses: vec![
                ir::TableAccess {
                    module: ModuleId(1),
                    item: Some(ItemId(2)),
                    table: TableId(0),
                    mode: AccessMode::Read,
                    via: AccessVia::Sql,
                    count: 2,
                    first: at(0, 4),
                },
                ir::TableAccess {
                    module: ModuleId(1),
                    item: Some(ItemId(3)),
                    table: TableId(0),
                    mode: AccessMode::Write,
                    via: AccessVia::Dsl,
                    count: 1,
                    first: at(0, 9),
                },
            ],
            references: vec![
                ir::Reference {
                    from_module: ModuleId(1),
                    from_item: Some(ItemId(2)),
                    to: ItemId(1),
                    kind: DepKind::Type,
                    count: 1,
                    first: at(0, 2),
                },
                ir::Reference {
                    from_module: ModuleId(1),
                    from_item: None,
                    to: ItemId(1),
                    kind: DepKind::Import,
                    count: 1,
                    first: at(0, 1),
                },
            ],
            external: vec![
                ir::ExternalRef {
                    module: ModuleId(2),
                    root: "std".to_owned(),
                    count: 2,
                    first: at(2, 2),
                },
                ir::ExternalRef {
                    module: ModuleId(1),
                    root: "std".to_owned(),
                    count: 3,
                    first: at(0, 5),
                },
            ],
            diagnostics: vec![
                ir::Diagnostic::new(
                    ir::DiagCode::ParseError,
                    Some("src/z.rs".to_owned()),
                    3,
                    5,
                    "expected `;`",
                ),
                ir::Diagnostic::new(
                    ir::DiagCode::CargoUnavailable,
                    None,
                    0,
                    0,
                    "cargo not found",
                ),
            ],
        }
    }

    fn value(facts: &ir::Facts) -> serde_json::Value {
        serde_json::from_str(&to_json(facts, &tool())).unwrap()
    }

    #[test]
    fn compact_and_pretty_hold_the_same_document_and_small_ones_default_to_pretty() {
        let facts = shop();
        let report = build(&facts, &tool());
        let compact = render_with(&report, Some(JsonStyle::Compact));
        let pretty = render_with(&report, Some(JsonStyle::Pretty));
        assert_eq!(compact.lines().count(), 1);
        assert!(compact.ends_with("}\n") && compact.len() < pretty.len());
        // The compact writer is ours: byte for byte what serde_json writes.
        let by_serde_json = serde_json::to_string(&report).unwrap() + "\n";
        assert_eq!(compact, by_serde_json);
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
        assert_eq!(parse(&compact), parse(&pretty));
        assert!(compact.len() <= PRETTY_UP_TO);
        assert_eq!(render_with(&report, None), pretty);
        assert_eq!(render(&report), pretty);
    }

    #[test]
    fn the_document_has_every_documented_top_level_key_in_order() {
        let json = value(&shop());
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = vec![
            "schema_version",
            "tool",
            "input",
            "modules",
            "items",
            "models",
            "tables",
            "dependencies",
            "references",
            "external",
        ];
        // serde_json's Map sorts keys unless `preserve_order` is on: compare as sets, and
        // check the textual order separately below.
        expected.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, expected);
        let text = to_json(&shop(), &tool());
        let pos = |k: &str| text.find(&format!("\n  \"{k}\":")).unwrap();
        assert!(pos("schema_version") < pos("tool"));
        assert!(pos("input") < pos("modules"));
        assert!(pos("references") < pos("external"));
        assert_eq!(json["schema_version"], SCHEMA_VERSION);
        assert_eq!(json["tool"]["name"], "seamline");
    }

    #[test]
    fn output_is_pretty_and_ends_with_a_newline() {
        let text = to_json(&shop(), &tool());
        assert!(text.starts_with("{\n  \"schema_version\": \"1\",\n"));
        assert!(text.ends_with("}\n"));
        assert!(!text.ends_with("\n\n"));
    }

    #[test]
    fn cfg_duplicates_get_distinct_ids_and_references_use_them() {
        let json = value(&shop());
        let ids: Vec<&str> = json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "shop::models::Line",
                "shop::models::Order",
                "shop::billing::pay",
                "shop::billing::pay#2",
                "shop::schema::orders",
            ]
        );
        assert_eq!(json["items"][3]["path"], "shop::billing::pay");
        assert_eq!(
            json["modules"][1]["items"],
            serde_json::json!(["shop::billing::pay", "shop::billing::pay#2"])
        );
        assert_eq!(
            json["tables"][0]["accessed_by"][0]["items"],
            serde_json::json!(["shop::billing::pay", "shop::billing::pay#2"])
        );
    }

    #[test]
    fn a_frontend_suffix_does_not_collide_with_ours() {
        let mut facts = shop();
        // Items 2 and 3 share a path; item 4 already carries the `#2` a naive suffix would give.
        facts.items[4].path = "shop::billing::pay#2".to_owned();
        let json = value(&facts);
        let mut ids: Vec<&str> = json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "item ids must be unique: {ids:?}");
    }

    #[test]
    fn table_accesses_are_aggregated_per_module_with_reads_writes_and_first_evidence() {
        let json = value(&shop());
        let t = &json["tables"][0];
        assert_eq!(t["name"], "orders");
        assert_eq!(t["defined_in"], "src/schema.rs:1");
        assert_eq!(t["defined_in_module"], "shop::schema");
        assert_eq!(t["mapped_by"], serde_json::json!(["shop::models::Order"]));
        let a = &t["accessed_by"][0];
        assert_eq!(a["module"], "shop::billing");
        assert_eq!(a["reads"], 2);
        assert_eq!(a["writes"], 1);
        assert_eq!(a["via"], serde_json::json!(["dsl", "sql"]));
        assert_eq!(a["evidence"], "src/billing.rs:4");
    }

    #[test]
    fn dependencies_come_from_module_deps_with_evidence() {
        let json = value(&shop());
        let deps: Vec<String> = json["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{} -> {} {} x{} {}",
                    d["from"].as_str().unwrap(),
                    d["to"].as_str().unwrap(),
                    d["kind"].as_str().unwrap(),
                    d["count"],
                    d["evidence"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(
            deps,
            [
                "shop::billing -> shop::models import x1 src/billing.rs:1",
                "shop::billing -> shop::models type x1 src/billing.rs:2",
                "shop::billing -> shop::schema table x3 src/billing.rs:4",
            ]
        );
    }

    #[test]
    fn external_roots_sum_counts_and_list_modules() {
        let json = value(&shop());
        let std = &json["external"][0];
        assert_eq!(std["root"], "std");
        assert_eq!(std["count"], 5);
        assert_eq!(std["modules"][0]["module"], "shop::billing");
        assert_eq!(std["modules"][0]["count"], 3);
        assert_eq!(std["modules"][1]["module"], "shop::models");
    }

    #[test]
    fn models_carry_fields_with_id_flags_and_referenced_ids() {
        let json = value(&shop());
        let models = json["models"].as_array().unwrap();
        assert_eq!(
            models.len(),
            2,
            "functions and table schemas are not models"
        );
        let order = &models[1];
        assert_eq!(order["id"], "shop::models::Order");
        assert_eq!(order["table"], "orders");
        assert_eq!(order["derives"], serde_json::json!(["Debug", "Queryable"]));
        assert_eq!(order["fields"][0]["is_id"], true);
        assert_eq!(order["fields"][1]["type"], "Vec<Line>");
        assert_eq!(
            order["fields"][1]["refs"],
            serde_json::json!(["shop::models::Line"])
        );
    }

    #[test]
    fn diagnostics_are_sorted_whatever_the_input_order() {
        let mut facts = shop();
        let a = value(&facts);
        facts.diagnostics.reverse();
        let b = value(&facts);
        assert_eq!(a["input"]["diagnostics"], b["input"]["diagnostics"]);
        // `None` files sort first.
        assert_eq!(a["input"]["diagnostics"][0]["code"], "cargo-unavailable");
        assert_eq!(a["input"]["diagnostics"][1]["file"], "src/z.rs");
    }

    #[test]
    fn reference_order_does_not_depend_on_input_order() {
        let mut facts = shop();
        let a = to_json(&facts, &tool());
        facts.references.reverse();
        facts.external.reverse();
        facts.table_accesses.reverse();
        assert_eq!(a, to_json(&facts, &tool()));
    }

    #[test]
    fn empty_facts_give_a_valid_document() {
        let json = value(&ir::Facts::default());
        assert_eq!(json["input"]["files"], 0);
        assert_eq!(json["modules"], serde_json::json!([]));
    }

    #[test]
    fn shop_document_snapshot() {
        insta::assert_snapshot!(to_json(&shop(), &tool()));
    }
}
