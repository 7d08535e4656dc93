//! Bounded contexts: turns the dependency graph into named contexts (a [`Proposal`]) by
//! running the clustering ensemble, applying `seamline.toml` constraints, merging fragments
//! and naming the result; and measures the proposal.
//!
//! The [`Proposal`] is an API boundary: the plan, the report and `check` read it.

use seamline_ir as ir;

/// Index into [`Proposal::contexts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContextId(pub u32);

impl ContextId {
    /// Index into [`Proposal::contexts`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The clustering stage's result: a partition of the codebase into bounded contexts plus a
/// shared kernel, with the metrics that justify it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Contexts, sorted by name (ids equal indices).
    pub contexts: Vec<Context>,
    /// The context of every module (`module_context[module.index()]`); `None` for the shared
    /// kernel. At item granularity a module's context is the one holding most of its lines.
    pub module_context: Vec<Option<ContextId>>,
    /// The context of every item (`item_context[item.index()]`); methods and impls follow
    /// their type; `None` for the shared kernel.
    pub item_context: Vec<Option<ContextId>>,
    /// Modules set aside as the shared kernel (generic infrastructure), sorted.
    pub kernel_modules: Vec<ir::ModuleId>,
    /// Why each kernel module was set aside (one sentence each, parallel to `kernel_modules`).
    pub kernel_reasons: Vec<String>,
    /// How the winner was found.
    pub provenance: Provenance,
    /// Per-plan metrics.
    pub metrics: PlanMetrics,
}

/// One bounded context.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// Its id.
    pub id: ContextId,
    /// A readable name derived from its dominant modules and models (`billing`), unique.
    pub name: String,
    /// Name from a `seamline.toml` pin, if it was declared rather than found.
    pub declared: bool,
    /// Modules whose context this is, sorted.
    pub modules: Vec<ir::ModuleId>,
    /// Items in this context (including items in mixed modules), sorted.
    pub items: Vec<ir::ItemId>,
    /// Metrics of this context.
    pub metrics: ContextMetrics,
}

/// How the winning partition was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// `module` or `item`.
    pub granularity: String,
    /// The winning algorithm (`leiden`, `louvain`, `label-propagation`).
    pub algorithm: String,
    /// Its resolution parameter.
    pub resolution: f64,
    /// Its seed.
    pub seed: u64,
    /// The objective's value.
    pub objective: f64,
    /// How many runs the ensemble made.
    pub runs: usize,
}

/// Metrics of one context. Formulas and sources are documented where they are computed.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextMetrics {
    /// Number of modules.
    pub modules: usize,
    /// Number of items.
    pub items: usize,
    /// Lines of code.
    pub code_lines: u64,
    /// Internal edge weight / possible internal edges (density), 0..1.
    pub cohesion: f64,
    /// Weight of edges leaving the context / all its edges' weight, 0..1.
    pub coupling: f64,
    /// Afferent coupling Ca: other contexts depending on this one.
    pub afferent: usize,
    /// Efferent coupling Ce: other contexts this one depends on.
    pub efferent: usize,
    /// Martin's instability I = Ce / (Ca + Ce); 0 when both are 0.
    pub instability: f64,
    /// Items of this context used from other contexts (its de-facto API), sorted.
    pub interface: Vec<ir::ItemId>,
    /// Models defined in this context, sorted.
    pub owned_models: Vec<ir::ItemId>,
    /// Tables defined or mapped in this context, sorted.
    pub owned_tables: Vec<ir::TableId>,
}

/// Metrics of the whole proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanMetrics {
    /// Newman–Girvan modularity Q of the partition on the clustering graph.
    pub modularity: f64,
    /// Structural modularity SM (Jin et al.).
    pub structural_modularity: f64,
    /// Inter-call percentage ICP (Mono2Micro): cross-context call weight / all call weight.
    pub inter_call_percentage: f64,
    /// Interface number IFN (Jin et al.): mean number of published interfaces per context.
    pub interface_number: f64,
    /// Non-extreme distribution NED: share of items in contexts of non-extreme size.
    pub non_extreme_distribution: f64,
    /// Models used by more than one context.
    pub shared_models: Vec<SharedModel>,
    /// Tables touched by more than one context.
    pub shared_tables: Vec<SharedTable>,
    /// Directed context -> context dependencies with evidence.
    pub context_edges: Vec<ContextEdge>,
    /// Cycles: strongly connected components of the context graph with more than one
    /// context, each with the edges that form it.
    pub cycles: Vec<ContextCycle>,
}

/// A model used by several contexts.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedModel {
    /// The model.
    pub model: ir::ItemId,
    /// The context that defines it (None: kernel).
    pub owner: Option<ContextId>,
    /// Other contexts that use it, sorted.
    pub used_by: Vec<ContextId>,
}

/// A table touched by several contexts.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedTable {
    /// The table.
    pub table: ir::TableId,
    /// The context that defines or maps it, if one.
    pub owner: Option<ContextId>,
    /// Every context that touches it, with reads and writes, sorted by context.
    pub accesses: Vec<(ContextId, u32, u32)>,
}

/// A directed dependency between two contexts, aggregated from module/item references.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextEdge {
    /// Depending context.
    pub from: ContextId,
    /// Depended-on context.
    pub to: ContextId,
    /// Number of references per kind (import, type, call, impl, table), `DepKind::ALL` order.
    pub counts: [u32; 5],
    /// The references forming the edge: (from item or module, to item, kind, first location),
    /// sorted by location; capped for huge edges (the count is in `counts`).
    pub evidence: Vec<EdgeEvidence>,
}

/// One reference that crosses a context boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeEvidence {
    /// The module holding the reference.
    pub from_module: ir::ModuleId,
    /// The item holding it, if any.
    pub from_item: Option<ir::ItemId>,
    /// The referenced item (None for table edges).
    pub to_item: Option<ir::ItemId>,
    /// The table, for table edges.
    pub table: Option<ir::TableId>,
    /// Kind.
    pub kind: ir::DepKind,
    /// Count.
    pub count: u32,
    /// Where.
    pub location: ir::Location,
}

/// A cycle between contexts.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextCycle {
    /// The contexts of the strongly connected component, sorted.
    pub contexts: Vec<ContextId>,
    /// Indices into [`PlanMetrics::context_edges`] of the edges inside the component.
    pub edges: Vec<usize>,
}
