//! The split plan: turns the bounded contexts of a [`Proposal`] into the advice an architect
//! takes into a design review.
//!
//! [`plan`] is a pure function of the facts, the proposal and the [`PlanOptions`]. It says
//! whether to split at all (the [`Verdict`], with reasons computed from measured facts and
//! documented [`Thresholds`]), what each service owns and exposes, what has to change first
//! (shared models, shared tables, cycles between contexts) and in which order to extract the
//! services (the strangler fig), with evidence down to file and line.
//!
//! The wording and the techniques come from the literature on monolith decomposition
//! (see `DOMAIN.md`): reference by ID, the owner's API or events, dependency inversion,
//! sagas, anti-corruption layers, timeouts and circuit breakers on new network calls.
//!
//! Every list in a [`Plan`] has a deterministic order, and the plan carries the display
//! names it needs (paths, `file:line`), so that renderers never look anything up.
//!
//! **API boundary:** [`Plan`] is read by the report (HTML, JSON, Markdown, DOT).
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod build;
mod codebase;
mod cycles;
mod data;
mod dump;
mod history;
mod order;
mod services;
mod validate;
mod verdict;
mod views;
mod worklist;

use seamline_cluster::contexts::{ContextId, Proposal};
use seamline_ir as ir;
use std::fmt;

pub use history::{
    ContextHistory, CoupledContexts, CouplingRow, CrossCoupling, HistorySignals, HotspotRow,
    ModuleHotspot, PlanHistory,
};
pub use validate::{InputError, validate};
pub use verdict::Thresholds;

/// Options of the plan stage. Built from `seamline.toml` by the binary.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    /// The thresholds that decide the verdict and a few techniques.
    pub thresholds: Thresholds,
}

/// Computes the split plan. Pure: the same inputs give the same plan, byte for byte.
///
/// # Panics
///
/// When [`validate`] refuses the inputs (invalid facts, or a proposal computed on other
/// facts): both come from seamline's own stages, so that is a bug in the caller. Checked
/// once here, so that the plan and its renderers index ids directly.
pub fn plan(facts: &ir::Facts, proposal: &Proposal, options: &PlanOptions) -> Plan {
    build::plan(facts, proposal, options, None)
}

/// [`plan`] with the git history's signals: the extraction order prefers
/// contexts that change often and have a distinct owner, contexts whose code changes
/// together are flagged as not independently deployable, and [`Plan::history`] holds what
/// the report shows. With `None` the plan is exactly [`plan`]'s. Panics as [`plan`] does.
pub fn plan_with_history(
    facts: &ir::Facts,
    proposal: &Proposal,
    options: &PlanOptions,
    history: Option<&HistorySignals>,
) -> Plan {
    build::plan(facts, proposal, options, history)
}

/// The split plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Split now, modularise first, or keep the monolith.
    pub verdict: Verdict,
    /// The advice that goes with the verdict, fitted to the codebase (a command-line tool is
    /// told what its contexts are still good for, not to split).
    pub advice: String,
    /// What the codebase is: its network entry points, its real contexts, its team.
    pub codebase: Codebase,
    /// Why: one sentence per measured fact, the decisive ones first.
    pub reasons: Vec<Reason>,
    /// The headline numbers of the codebase and the proposal.
    pub numbers: KeyNumbers,
    /// Context names, indexed by [`ContextId`] (a copy of the proposal's, for renderers).
    pub context_names: Vec<String>,
    /// One service per context, in context order.
    pub services: Vec<Service>,
    /// Models used by several contexts, and how to stop sharing them.
    pub shared_models: Vec<SharedModelPlan>,
    /// Tables touched by several contexts, and how to give each one owner.
    pub shared_tables: Vec<SharedTablePlan>,
    /// Cycles between contexts, and which references to cut.
    pub cycles: Vec<CyclePlan>,
    /// The extraction order (strangler fig), first step first.
    pub extraction: Vec<ExtractionStep>,
    /// The few changes inside the monolith that would make the split possible (or, where
    /// no split is advised, tidy its modules or crate boundaries: [`Plan::worklist_purpose`]),
    /// most effective first (empty when no structural threshold is crossed).
    pub worklist: Vec<WorkItem>,
    /// Every reference that crosses a context boundary (kernel excluded), sorted by
    /// (from context, to context, location).
    pub cross_references: Vec<CrossRef>,
    /// The thresholds the verdict was computed with.
    pub thresholds: Thresholds,
    /// What the git history says (`None` without `--history`).
    pub history: Option<PlanHistory>,
    /// Code nothing refers to, set aside rather than proposed as a service, largest first.
    pub possibly_dead: Vec<DeadCodePlan>,
    /// The context map: one edge per ordered pair of contexts with references between them,
    /// sorted by (from, to).
    pub context_edges: Vec<MapEdge>,
    /// The extraction step of every context (`None`: not extracted), indexed by
    /// [`ContextId`]; read it with [`Plan::step_of`].
    pub steps_by_context: Vec<Option<usize>>,
    /// The shared kernel's modules with why each was set aside, in the proposal's order.
    pub kernel: Vec<KernelModule>,
    /// Every module's context, fan-in and fan-out, indexed by [`ir::ModuleId`].
    pub modules: Vec<ModuleLinks>,
    /// The module dependencies ([`ir::Facts::module_deps`]), sorted by (from, to, kind).
    pub module_deps: Vec<ir::ModuleDep>,
    /// How the contexts were found and the quality metrics of the partition.
    pub clustering: ClusteringSummary,
}

/// An edge of the context map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapEdge {
    /// The depending context.
    pub from: ContextId,
    /// The depended-on context.
    pub to: ContextId,
    /// References from one to the other (sum of counts).
    pub references: u32,
    /// Whether the edge lies inside a cycle between contexts.
    pub in_cycle: bool,
    /// Whether the plan cuts it.
    pub cut: bool,
}

/// A module of the shared kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelModule {
    /// The module.
    pub module: ModuleRef,
    /// Why it was set aside, in one sentence.
    pub reason: String,
}

/// A module as the module explorer shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleLinks {
    /// Its context (`None`: the shared kernel).
    pub context: Option<ContextId>,
    /// Distinct modules depending on it.
    pub fan_in: usize,
    /// Distinct modules it depends on.
    pub fan_out: usize,
}

/// How the contexts were found, and the partition's quality metrics besides modularity
/// (which is in [`KeyNumbers`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusteringSummary {
    /// Granularity, winning algorithm, resolution, seed and runs.
    pub provenance: seamline_cluster::contexts::Provenance,
    /// Structural modularity SM.
    pub structural_modularity: f64,
    /// Inter-call percentage ICP (a share).
    pub inter_call_percentage: f64,
    /// Interface number IFN.
    pub interface_number: f64,
    /// Non-extreme distribution NED (a share).
    pub non_extreme_distribution: f64,
}

/// Code nothing outside refers to and that refers to no context: possibly dead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadCodePlan {
    /// Its items (owner items: methods and impls go with their type), by path.
    pub items: Vec<ItemRef>,
    /// The modules wholly in it.
    pub modules: Vec<ModuleRef>,
    /// Lines of code.
    pub code_lines: u64,
    /// Why, in one sentence.
    pub reason: String,
}

impl Plan {
    /// The name of a context.
    pub fn context_name(&self, id: ContextId) -> &str {
        &self.context_names[id.index()]
    }

    /// What the worklist is for, as its heading says it: a command-line tool or a library is
    /// never split, so its changes clean crate boundaries; a monolith kept whole tidies its
    /// modules; one to modularise first makes the split possible.
    pub fn worklist_purpose(&self) -> &'static str {
        if self.codebase.kind != CodebaseKind::NetworkService {
            return "the changes that would make these crate boundaries clean";
        }
        match self.verdict {
            Verdict::ModulariseFirst => "the changes that would make the split possible",
            Verdict::KeepMonolith => "the changes that would tidy its modules",
            Verdict::SplitNow => "the changes that would make the split cleaner",
        }
    }

    /// The extraction step of a context (`None`: not extracted).
    pub fn step_of(&self, id: ContextId) -> Option<usize> {
        self.steps_by_context[id.index()]
    }
}

/// The three outcomes of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Clear contexts, limited shared data: extract services one at a time.
    SplitNow,
    /// Too tangled: fix the boundaries inside the monolith before cutting network seams.
    ModulariseFirst,
    /// Small or cohesive: services would cost more than they bring.
    KeepMonolith,
}

impl Verdict {
    /// The kebab-case id used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::SplitNow => "split-now",
            Verdict::ModulariseFirst => "modularise-first",
            Verdict::KeepMonolith => "keep-monolith",
        }
    }

    /// A short title for people.
    pub fn title(self) -> &'static str {
        match self {
            Verdict::SplitNow => "Split now",
            Verdict::ModulariseFirst => "Modularise first",
            Verdict::KeepMonolith => "Keep the monolith",
        }
    }

    /// One sentence of advice that goes with the verdict.
    pub fn advice(self) -> &'static str {
        match self {
            Verdict::SplitNow => {
                "The contexts are clear and share little data: extract them one at a time behind the existing interface (strangler fig), in the order below."
            }
            Verdict::ModulariseFirst => {
                "The boundaries are not clean yet: break the cycles and give every table and model one owner inside the monolith first, then extract services in the order below."
            }
            Verdict::KeepMonolith => {
                "Services would cost more than they bring here: keep one deployable, with the contexts below as modules with clear boundaries, so that a later split stays cheap if teams or scaling needs ever demand it."
            }
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a reason measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReasonKind {
    /// Lines of code.
    Size,
    /// Number of contexts.
    Contexts,
    /// Mean lines of code per context (over-fragmentation).
    ServiceSize,
    /// Modularity Q.
    Modularity,
    /// Share of contexts caught in cycles.
    Cycles,
    /// Share of tables touched by several contexts.
    SharedTables,
    /// Share of models used by several contexts.
    SharedModels,
    /// Network entry points (HTTP or gRPC servers, queue consumers).
    EntryPoints,
    /// With `--history`: the active authors and distinct owners.
    Team,
}

impl ReasonKind {
    /// The kebab-case id used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonKind::Size => "size",
            ReasonKind::Contexts => "contexts",
            ReasonKind::ServiceSize => "service-size",
            ReasonKind::Modularity => "modularity",
            ReasonKind::Cycles => "cycles",
            ReasonKind::SharedTables => "shared-tables",
            ReasonKind::SharedModels => "shared-models",
            ReasonKind::EntryPoints => "entry-points",
            ReasonKind::Team => "team",
        }
    }
}

/// One measured fact behind the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// What it measures.
    pub kind: ReasonKind,
    /// Whether this fact decided the verdict, or only supports it.
    pub decisive: bool,
    /// Whether the measured value crossed its threshold (a decisive reason always did; a
    /// crossed one may not decide, e.g. cycles in a codebase too small to split).
    pub crossed: bool,
    /// The measured value.
    pub value: f64,
    /// The threshold it was compared with.
    pub threshold: f64,
    /// One sentence with the number.
    pub text: String,
}

/// What kind of codebase it is, read from its network entry points and targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CodebaseKind {
    /// It serves requests over the network (an HTTP or gRPC server, a queue consumer): a
    /// candidate for services.
    NetworkService,
    /// A command-line tool (a binary target and no network entry point).
    CommandLine,
    /// A library (no binary target, no network entry point).
    Library,
}

impl CodebaseKind {
    /// The kebab-case id used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CodebaseKind::NetworkService => "network-service",
            CodebaseKind::CommandLine => "command-line",
            CodebaseKind::Library => "library",
        }
    }

    /// How people say it.
    pub fn label(self) -> &'static str {
        match self {
            CodebaseKind::NetworkService => "network service",
            CodebaseKind::CommandLine => "command-line tool",
            CodebaseKind::Library => "library",
        }
    }
}

/// A network entry point: a module using a server framework or a queue client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    /// The crate root as the code writes it (`axum`, `tonic`, `lapin`).
    pub krate: String,
    /// What it serves.
    pub infra: Infra,
    /// The first module using it (lowest module path).
    pub module: ModuleRef,
    /// Its first use there.
    pub at: Loc,
    /// Modules using it.
    pub modules: usize,
}

/// What the codebase is, as far as the verdict is concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct Codebase {
    /// Network service, command-line tool or library.
    pub kind: CodebaseKind,
    /// Its network entry points, by crate name.
    pub entry_points: Vec<EntryPoint>,
    /// Contexts that are domains: they own a table or expose an endpoint, and hold at least
    /// [`Thresholds::min_real_context_share`] of the code. Sorted.
    pub real_contexts: Vec<ContextId>,
    /// In a network service, contexts with most of their code in client crates (crates that
    /// serve nothing and build a user interface or a command line): clients of the
    /// services, never a service candidate nor a first step. Sorted.
    pub client_contexts: Vec<ContextId>,
    /// With `--history`: who works on it.
    pub team: Option<Team>,
}

/// Who works on the codebase, from the git history.
#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    /// Authors with at least [`Thresholds::active_author_share`] of the commits (summed over
    /// contexts), most commits first, then by name.
    pub active_authors: Vec<(String, u32)>,
    /// Authors who are the distinct owner of a context (its main author with at least
    /// [`Thresholds::distinct_owner_share`] of its commits, main author of no other
    /// context), sorted.
    pub distinct_owners: Vec<String>,
}

/// What a change inside the monolith is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WorkKind {
    /// Break a cycle between contexts: cut every edge of its cut set, one change with their
    /// combined effect (cutting one edge of a cycle often frees nobody).
    BreakCycle,
    /// Replace a shared model by its ID (or a DTO) in the other contexts.
    ReplaceModelById,
    /// Give a shared table one owner: the others go through its API or a read model.
    OwnTable,
}

impl WorkKind {
    /// The kebab-case id used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkKind::BreakCycle => "break-cycle",
            WorkKind::ReplaceModelById => "replace-model-by-id",
            WorkKind::OwnTable => "own-table",
        }
    }
}

/// One change of the "modularise first" worklist, with what it buys.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkItem {
    /// 1-based rank.
    pub rank: usize,
    /// What to change.
    pub kind: WorkKind,
    /// Where to start: the first reference or field to change.
    pub at: Loc,
    /// One sentence: what to change, where, and how.
    pub change: String,
    /// The reason whose metric it moves.
    pub metric: ReasonKind,
    /// The metric before the change, with every earlier change of the list applied.
    pub before: f64,
    /// The metric recomputed with this change applied too.
    pub after: f64,
    /// The metric's threshold.
    pub threshold: f64,
    /// The edges to cut, strongest first ([`WorkKind::BreakCycle`] only; empty otherwise).
    pub cuts: Vec<WorkCut>,
}

/// One edge of a cycle's cut set, as the worklist states it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkCut {
    /// The depending context.
    pub from: ContextId,
    /// The depended-on context.
    pub to: ContextId,
    /// How to cut it.
    pub technique: CutTechnique,
    /// References to rewrite.
    pub references: u32,
    /// The first reference.
    pub at: Loc,
}

/// The headline numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyNumbers {
    /// Lines of code over analysed files.
    pub code_lines: u64,
    /// Source files.
    pub files: usize,
    /// Modules.
    pub modules: usize,
    /// Items.
    pub items: usize,
    /// Tables.
    pub tables: usize,
    /// Contexts proposed.
    pub contexts: usize,
    /// Modules in the shared kernel.
    pub kernel_modules: usize,
    /// Modularity Q of the proposal.
    pub modularity: f64,
    /// References crossing a context boundary (sum of counts).
    pub cross_references: u64,
    /// Contexts caught in a cycle.
    pub contexts_in_cycles: usize,
    /// Models used by several contexts, identifier types (`OrderId`) left out.
    pub shared_models: usize,
    /// Tables touched by several contexts.
    pub shared_tables: usize,
    /// Diagnostics raised on the input.
    pub diagnostics: usize,
}

/// A place in the analysed code, ready for display.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    /// Path relative to the analysed root.
    pub file: String,
    /// 1-based line.
    pub line: u32,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// An item of the codebase, ready for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRef {
    /// Its id.
    pub id: ir::ItemId,
    /// Its own name.
    pub name: String,
    /// Its full path.
    pub path: String,
    /// What it is.
    pub kind: ir::ItemKind,
    /// Where it is declared.
    pub at: Loc,
}

impl ItemRef {
    /// Lowercase kind name (`struct`, `fn`, `method`, ...).
    pub fn kind_str(&self) -> &'static str {
        kind_str(self.kind)
    }
}

/// Lowercase name of an item kind, as people say it.
pub fn kind_str(kind: ir::ItemKind) -> &'static str {
    use ir::ItemKind as K;
    match kind {
        K::Struct => "struct",
        K::Enum => "enum",
        K::Union => "union",
        K::Trait => "trait",
        K::TypeAlias => "type",
        K::Function => "fn",
        K::Impl => "impl",
        K::Method => "method",
        K::Const => "const",
        K::Static => "static",
        K::Macro => "macro",
        K::TableSchema => "table!",
    }
}

/// A table, ready for display.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TableRef {
    /// Its id.
    pub id: ir::TableId,
    /// Its name.
    pub name: String,
}

/// A module, ready for display.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ModuleRef {
    /// Its id.
    pub id: ir::ModuleId,
    /// Its path (`shop::orders`).
    pub path: String,
}

/// One reference (or table access) from one context to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossRef {
    /// The context holding the reference.
    pub from_context: ContextId,
    /// The context of the referenced item or table.
    pub to_context: ContextId,
    /// The module holding the reference.
    pub from_module: ir::ModuleId,
    /// The item holding it (`None` for a module-level `use`).
    pub from_item: Option<ir::ItemId>,
    /// Display name of the holder: the item's path, else the module's path.
    pub from: String,
    /// The referenced item, unless this is a table access.
    pub to_item: Option<ir::ItemId>,
    /// The table, for table accesses.
    pub table: Option<ir::TableId>,
    /// Display name of the target: the item's path or `table <name>`.
    pub to: String,
    /// The signature of the referenced function or method, if any.
    pub to_signature: Option<String>,
    /// The reference kind (`Table` for table accesses).
    pub kind: ir::DepKind,
    /// For table accesses: whether it writes.
    pub writes: bool,
    /// How many times.
    pub count: u32,
    /// The first occurrence.
    pub at: Loc,
}

/// A link from a service to another, with the number of references behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLink {
    /// The other context.
    pub context: ContextId,
    /// References (sum of counts).
    pub references: u32,
}

/// What a service owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    /// Models defined in the context.
    pub models: Vec<ItemRef>,
    /// Tables defined or mapped in the context.
    pub tables: Vec<TableRef>,
    /// Files wholly in the context.
    pub files: Vec<String>,
    /// Items of this context that sit in a module of another context (or of the kernel):
    /// they must move out of the mixed file before the split.
    pub to_move: Vec<ItemMove>,
}

/// An item in a mixed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMove {
    /// The item.
    pub item: ItemRef,
    /// Its module today.
    pub module: ModuleRef,
    /// The context of that module (`None`: the shared kernel).
    pub module_context: Option<ContextId>,
}

/// An item other contexts use today: a candidate endpoint (functions, methods) or a data
/// contract (models).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiItem {
    /// The item.
    pub item: ItemRef,
    /// Its signature, for functions and methods.
    pub signature: Option<String>,
    /// The contexts using it, sorted.
    pub used_by: Vec<ContextId>,
    /// References to it from other contexts (sum of counts).
    pub references: u32,
}

impl ApiItem {
    /// Whether the item is called (a function or method): a candidate endpoint.
    pub fn is_endpoint(&self) -> bool {
        matches!(
            self.item.kind,
            ir::ItemKind::Function | ir::ItemKind::Method
        )
    }
}

/// A piece of infrastructure a service needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Infra {
    /// A database engine.
    Database,
    /// A cache.
    Cache,
    /// A message queue or stream.
    Queue,
    /// An HTTP server.
    HttpServer,
    /// A gRPC server.
    GrpcServer,
    /// An outbound HTTP client (third-party APIs).
    HttpClient,
    /// Outbound e-mail or SMS.
    Messaging,
    /// A scheduler (cron jobs).
    Scheduler,
    /// Object storage.
    ObjectStorage,
}

impl Infra {
    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            Infra::Database => "database",
            Infra::Cache => "cache",
            Infra::Queue => "queue",
            Infra::HttpServer => "HTTP server",
            Infra::GrpcServer => "gRPC server",
            Infra::HttpClient => "HTTP client",
            Infra::Messaging => "e-mail/SMS",
            Infra::Scheduler => "scheduler",
            Infra::ObjectStorage => "object storage",
        }
    }
}

/// A piece of a service's stack and the crates that imply it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackNeed {
    /// The infrastructure.
    pub infra: Infra,
    /// The crates that imply it, sorted.
    pub crates: Vec<String>,
}

/// An external crate used by a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalCrate {
    /// The crate's root name as the code writes it.
    pub name: String,
    /// References (sum of counts).
    pub references: u32,
}

/// Whether a service holds state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// Tables it owns.
    pub tables: Vec<TableRef>,
    /// `static` items it declares.
    pub statics: Vec<ItemRef>,
}

impl State {
    /// Stateful: owns tables or statics (needs backups, migrations, data ownership).
    pub fn is_stateful(&self) -> bool {
        !self.tables.is_empty() || !self.statics.is_empty()
    }
}

/// One service: a context seen as a deployable unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Its context.
    pub context: ContextId,
    /// Its name.
    pub name: String,
    /// One sentence: its main models and modules.
    pub purpose: String,
    /// Its main models (most referenced first, at most 3).
    pub main_models: Vec<ItemRef>,
    /// Its main modules (largest first, at most 3).
    pub main_modules: Vec<ModuleRef>,
    /// Modules of the context.
    pub modules: Vec<ModuleRef>,
    /// Lines of code.
    pub code_lines: u64,
    /// What it owns.
    pub owns: Ownership,
    /// Its API surface: items used from other contexts, most used first.
    pub api: Vec<ApiItem>,
    /// Contexts it depends on, most references first.
    pub calls: Vec<ServiceLink>,
    /// Contexts depending on it, most references first.
    pub called_by: Vec<ServiceLink>,
    /// External crates its modules use (std and friends left out), by name.
    pub external_crates: Vec<ExternalCrate>,
    /// The infrastructure those crates imply.
    pub stack: Vec<StackNeed>,
    /// Tables and statics it holds.
    pub state: State,
}

impl Service {
    /// Its API items that are network endpoints.
    pub fn endpoints(&self) -> impl Iterator<Item = &ApiItem> {
        self.api.iter().filter(|a| a.is_endpoint())
    }
}

/// A field that holds another context's model, by id or embedded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldUse {
    /// The model declaring the field.
    pub holder: ItemRef,
    /// The holder's context (`None`: the kernel).
    pub context: Option<ContextId>,
    /// The field's name.
    pub field: String,
    /// Its type as written.
    pub ty: String,
    /// Where.
    pub at: Loc,
}

/// A model used by several contexts, and the change that stops the sharing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedModelPlan {
    /// The model.
    pub model: ItemRef,
    /// The owner (`None`: the shared kernel).
    pub owner: Option<ContextId>,
    /// Other contexts using it, sorted.
    pub used_by: Vec<ContextId>,
    /// References to it from other contexts (sum of counts).
    pub references: u32,
    /// Whether the model is itself an identifier (`OrderId`): sharing it is the intended
    /// contract, so it does not count against the split.
    pub id_type: bool,
    /// Whether the model has no identity of its own (no `id` field): a value, which others
    /// copy rather than reference by ID.
    pub value_type: bool,
    /// Fields of other contexts' models that embed the whole model.
    pub embedded_in: Vec<FieldUse>,
    /// Fields of other contexts' models that already hold only its id.
    pub held_by_id: Vec<FieldUse>,
    /// The change, in one or two sentences.
    pub change: String,
}

impl SharedModelPlan {
    /// Whether sharing it is intended (an identifier, or a type of the shared kernel) rather
    /// than a model to untangle.
    pub fn shared_on_purpose(&self) -> bool {
        self.id_type || self.owner.is_none()
    }
}

/// How other contexts should reach a shared table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TableTechnique {
    /// Through the owner's API (a synchronous call).
    OwnerApi,
    /// A read model replicated by events from the owner (hot reads).
    ReplicateByEvents,
    /// Writes from several contexts: commands to the owner, a saga across services.
    Saga,
}

impl TableTechnique {
    /// The kebab-case id used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TableTechnique::OwnerApi => "owner-api",
            TableTechnique::ReplicateByEvents => "replicate-by-events",
            TableTechnique::Saga => "saga",
        }
    }

    /// A short title.
    pub fn title(self) -> &'static str {
        match self {
            TableTechnique::OwnerApi => "API of the owner",
            TableTechnique::ReplicateByEvents => "Replicate by events",
            TableTechnique::Saga => "Commands + saga",
        }
    }
}

/// One context's accesses to a shared table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableUse {
    /// The context.
    pub context: ContextId,
    /// Reads (sum of counts).
    pub reads: u32,
    /// Writes (sum of counts).
    pub writes: u32,
    /// The first access.
    pub at: Option<Loc>,
}

/// A table touched by several contexts, and how to give it one owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedTablePlan {
    /// The table.
    pub table: TableRef,
    /// The owner: the defining context, else the proposed one.
    pub owner: Option<ContextId>,
    /// Whether the owner was proposed by the plan (no context defines or maps the table).
    pub owner_proposed: bool,
    /// Why the owner owns it (`writes`, `main-reader`, `schema`, `mapping`: see
    /// `seamline_cluster::contexts::table_owners`), `None` when the plan proposed it.
    pub owner_reason: Option<&'static str>,
    /// Every context's accesses, by context.
    pub uses: Vec<TableUse>,
    /// The technique for the other contexts.
    pub technique: TableTechnique,
    /// The change, in one or two sentences.
    pub change: String,
}

impl SharedTablePlan {
    /// Reads and writes over every context: how the renderers rank shared tables.
    pub fn accesses(&self) -> u64 {
        self.uses
            .iter()
            .map(|u| u64::from(u.reads) + u64::from(u.writes))
            .sum()
    }
}

/// How to cut a dependency between contexts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CutTechnique {
    /// Publish an event; the other side subscribes (notifications flowing backwards).
    Events,
    /// The caller owns a trait; the callee implements it and is injected.
    DependencyInversion,
    /// Move the referenced item to the context that uses it most.
    MoveItem,
    /// No calls, only models and tables: hold IDs or own DTOs, replicate data by events.
    ReferenceById,
}

impl CutTechnique {
    /// The kebab-case id used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CutTechnique::Events => "events",
            CutTechnique::DependencyInversion => "dependency-inversion",
            CutTechnique::MoveItem => "move-item",
            CutTechnique::ReferenceById => "reference-by-id",
        }
    }

    /// A short title.
    pub fn title(self) -> &'static str {
        match self {
            CutTechnique::Events => "Events",
            CutTechnique::DependencyInversion => "Dependency inversion",
            CutTechnique::MoveItem => "Move the item",
            CutTechnique::ReferenceById => "Reference by ID",
        }
    }
}

/// A directed edge between two contexts inside a cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleEdge {
    /// Depending context.
    pub from: ContextId,
    /// Depended-on context.
    pub to: ContextId,
    /// References (sum of counts).
    pub references: u32,
    /// The references, sorted by location.
    pub evidence: Vec<CrossRef>,
}

/// An edge to cut and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleCut {
    /// Index into [`CyclePlan::edges`].
    pub edge: usize,
    /// The technique.
    pub technique: CutTechnique,
    /// Why this edge and this technique, with the numbers.
    pub rationale: String,
}

/// A cycle between contexts (a strongly connected component).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CyclePlan {
    /// The contexts, sorted.
    pub contexts: Vec<ContextId>,
    /// The edges inside the component, sorted by (from, to).
    pub edges: Vec<CycleEdge>,
    /// The edges to cut, in order, enough to make the component acyclic.
    pub cuts: Vec<CycleCut>,
}

/// One step of the extraction (strangler fig).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractionStep {
    /// 1-based.
    pub step: usize,
    /// The context extracted.
    pub context: ContextId,
    /// Why now, with the numbers.
    pub why: String,
    /// References into this context from contexts still in the monolith.
    pub inbound_references: u32,
    /// References from this context to contexts still in the monolith.
    pub outbound_references: u32,
    /// Shared models and shared tables this context touches.
    pub shared_data: usize,
    /// The cost of the seam that ranked it: 4 per synchronous call site, 1 per other
    /// reference site (see the module docs of the extraction order).
    pub cost: usize,
    /// The effort: every cross-boundary reference to rewrite, sorted by location.
    pub rewrites: Vec<CrossRef>,
    /// New synchronous network calls: distinct (caller, callee or table) sites crossing the
    /// new seam that need an answer (table accesses included).
    pub new_network_calls: usize,
    /// New events: distinct call sites crossing the seam that only notify.
    pub new_events: usize,
    /// Tables to migrate into the service's own database.
    pub tables_to_migrate: Vec<TableRef>,
    /// Concrete advice for the step.
    pub advice: Vec<String>,
}

impl ExtractionStep {
    /// The number of references to rewrite (sum of counts).
    pub fn effort(&self) -> u32 {
        self.rewrites.iter().map(|r| r.count).sum()
    }
}
