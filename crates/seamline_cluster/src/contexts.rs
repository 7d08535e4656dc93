//! Bounded contexts: turns the dependency graph into named contexts (a [`Proposal`]) by
//! running the clustering ensemble, applying `seamline.toml` constraints, merging fragments
//! and naming the result; and measures the proposal.
//!
//! The [`Proposal`] is an API boundary: the plan, the report and `check` read it.
//!
//! [`propose`], step by step:
//! 1. [`DepGraph::build`]: nodes at module or item granularity, weighted edges, table links,
//!    the shared kernel and plumbing set aside (rules on [`seamline_graph::KernelOptions`]).
//! 2. Pins and `together` contract the graph into groups; pinned groups are fixed seeds.
//! 3. The ensemble (algorithms x resolutions x seeds, in parallel) runs on the groups; every
//!    candidate is refined (`apart`, fragments below `min_context_size`, `--contexts N`) and
//!    scored by [`ObjectiveWeights`]; the best wins, ties broken by a stable order.
//! 4. Wiring (a router mounting every context, a `main` that only builds it) found in that
//!    result is set aside and steps 2-3 run again without it.
//! 5. Contexts are named ([`name_contexts`]) and measured (`docs/metrics.md`).
//!
//! Also here: [`measure_assignment`] (the same metrics for declared contexts), the baselines
//! ([`folder_baseline`], [`components_baseline`]) and [`evaluate`] against a ground truth.

mod constraints;
mod map;
mod measure;
mod naming;
mod shape;
mod truth;

pub use constraints::{Constraints, glob_match};
pub use map::{ContextMap, Crossing, Measures};
pub use measure::{MAX_EVIDENCE, ned_bounds};
pub use naming::{BEHAVIOUR_LAYERS, SKIPPED_WORDS, name_contexts, singular, words};
pub use shape::{
    FRAGMENT_SHARE, GENERIC_MIN_CONTEXTS, GENERIC_MIN_SHARE, OwnerReason, TableOwner, is_endpoint,
    is_migration, table_owners,
};
pub use truth::{
    Agreement, EvalReport, KernelScore, Truth, components_baseline, evaluate, folder_baseline,
};

/// The granularity of [`Provenance`] and of [`ContextOptions::standard`].
pub use seamline_graph::Granularity;
use seamline_graph::{ClusterGraph, DepGraph, GraphOptions, NodeId, Partition};
use seamline_ir as ir;

use crate::ensemble::{EnsembleConfig, run_ensemble};

pub use seamline_ir::ContextId;

/// The clustering stage's result: a partition of the codebase into bounded contexts plus a
/// shared kernel, with the metrics that justify it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Contexts, sorted by name (ids equal indices).
    pub contexts: Vec<Context>,
    /// Which context every module, item and table belongs to (`None`: the shared kernel),
    /// and every reference crossing a context boundary. At item granularity a module's
    /// context is the one holding most of its lines; methods and impls follow their type.
    pub map: ContextMap,
    /// Modules set aside as the shared kernel (generic infrastructure), sorted.
    pub kernel_modules: Vec<ir::ModuleId>,
    /// Why each kernel module was set aside (one sentence each, parallel to `kernel_modules`).
    pub kernel_reasons: Vec<String>,
    /// How the winner was found.
    pub provenance: Provenance,
    /// Per-plan metrics.
    pub metrics: PlanMetrics,
    /// Sentences about `seamline.toml` constraints that matched nothing or could not hold
    /// (the binary turns them into diagnostics at the config's location).
    pub constraint_notes: Vec<String>,
    /// Code that nothing refers to, set aside rather than proposed as a service.
    pub possibly_dead: Vec<DeadCode>,
}

/// A piece of code nothing outside refers to and that refers to no context: possibly dead.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadCode {
    /// Its items (methods and impls with their type), sorted.
    pub items: Vec<ir::ItemId>,
    /// The modules wholly in it, sorted.
    pub modules: Vec<ir::ModuleId>,
    /// Lines of code.
    pub code_lines: u64,
    /// Why, in one sentence.
    pub reason: String,
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
    /// Modules or items.
    pub granularity: Granularity,
    /// The winning algorithm, or how the partition was found without one.
    pub algorithm: Method,
    /// Its resolution parameter (0 for label propagation and the baselines, which have none).
    pub resolution: f64,
    /// Its seed.
    pub seed: u64,
    /// The objective's value.
    pub objective: f64,
    /// How many runs the ensemble made.
    pub runs: usize,
}

/// How a partition was found: the closed set of [`Provenance::algorithm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The ensemble's winning algorithm.
    Algorithm(crate::algo::Algorithm),
    /// Every context declared in `seamline.toml`: nothing left to cluster.
    Declared,
    /// Nothing to cluster: the graph has no node.
    Nothing,
    /// The baseline with one context per top-level folder ([`folder_baseline`]).
    FolderBaseline,
    /// The baseline with one context per connected component ([`components_baseline`]).
    ComponentsBaseline,
    /// Assigned by hand (test samples).
    HandMade,
}

impl Method {
    /// Kebab-case name, as shown in reports and written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Algorithm(a) => a.name(),
            Method::Declared => "declared",
            Method::Nothing => "none",
            Method::FolderBaseline => "folder-baseline",
            Method::ComponentsBaseline => "components-baseline",
            Method::HandMade => "hand-made",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Metrics of one context. Formulas and sources are documented where they are computed.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextMetrics {
    /// Number of modules.
    pub modules: usize,
    /// Number of items.
    pub items: usize,
    /// Size in the unit of NED and `min_context_size`: owner items (models, free functions,
    /// consts...; methods and impls count with their type).
    pub size: usize,
    /// Lines of code.
    pub code_lines: u64,
    /// Density of the context's undirected dependency graph: connected node pairs inside /
    /// `N (N - 1) / 2` possible pairs, 0..1 (1 for a single node).
    pub cohesion: f64,
    /// Undirected edge weight leaving the context (to other contexts, kernel excluded) / all
    /// its edge weight (leaving + internal), 0..1.
    pub coupling: f64,
    /// Afferent coupling Ca: other contexts depending on this one (any reference kind,
    /// module-level imports included).
    pub afferent: usize,
    /// Efferent coupling Ce: other contexts this one depends on.
    pub efferent: usize,
    /// Martin's instability I = Ce / (Ca + Ce); 0 when both are 0.
    pub instability: f64,
    /// Items of this context used from other contexts (its de-facto API), sorted.
    pub interface: Vec<ir::ItemId>,
    /// Models defined in this context, sorted.
    pub owned_models: Vec<ir::ItemId>,
    /// Tables this context owns ([`ContextMap::table_owners`]), sorted.
    pub owned_tables: Vec<ir::TableId>,
    /// Functions and methods that answer requests ([`is_endpoint`]), sorted.
    pub endpoints: Vec<ir::ItemId>,
}

/// Metrics of the whole proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanMetrics {
    /// Newman–Girvan modularity Q (γ = 1) of the partition on the clustering graph (kernel
    /// left out).
    pub modularity: f64,
    /// Structural modularity SM (Jin et al. 2019, as in the Mono2Micro replication):
    /// `(1/K) sum scoh_i - (1/(K(K-1)/2)) sum scop_ij`, `scoh_i = mu_i / N_i^2`,
    /// `scop_ij = sigma_ij / (2 N_i N_j)` over connected node pairs.
    pub structural_modularity: f64,
    /// Inter-call percentage ICP (Jin et al.; Mono2Micro): call references between different
    /// contexts / all call references between nodes of contexts, counted in call sites.
    pub inter_call_percentage: f64,
    /// Interface number IFN in Jin et al.'s definition: the mean number of published
    /// interfaces per context, a published interface being an item used from another
    /// context ([`ContextMetrics::interface`]). (The Mono2Micro replication code counts
    /// cross-partition edges per partition instead; we do not.)
    pub interface_number: f64,
    /// Non-extreme distribution NED (Jin et al. 2019), as in the literature: the share of
    /// items (owner items, see [`ContextMetrics::size`]) in contexts of EXTREME size, outside
    /// `5..=max(20, n/4)` ([`ned_bounds`]); lower is better.
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
    /// The context that owns it ([`ContextMap::table_owners`]), if one.
    pub owner: Option<ContextId>,
    /// Why that context owns it.
    pub owner_reason: Option<OwnerReason>,
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

impl Proposal {
    /// A deterministic text dump, for snapshots and `seamline debug contexts`.
    pub fn dump(&self, facts: &ir::Facts) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let p = &self.provenance;
        let _ = writeln!(
            out,
            "granularity {} algorithm {} resolution {:.3} seed {} objective {:.4} runs {}",
            p.granularity.as_str(),
            p.algorithm,
            p.resolution,
            p.seed,
            p.objective,
            p.runs
        );
        let m = &self.metrics;
        let _ = writeln!(
            out,
            "Q {:.4} SM {:.4} ICP {:.4} IFN {:.3} NED {:.4}",
            m.modularity,
            m.structural_modularity,
            m.inter_call_percentage,
            m.interface_number,
            m.non_extreme_distribution
        );
        let module_path = |id: ir::ModuleId| {
            facts
                .modules
                .get(id.index())
                .map_or("?", |m| m.path.as_str())
        };
        let item_path =
            |id: ir::ItemId| facts.items.get(id.index()).map_or("?", |i| i.path.as_str());
        let ctx_name = |id: Option<ContextId>| {
            id.and_then(|c| self.contexts.get(c.index()))
                .map_or("<kernel>", |c| c.name.as_str())
        };
        for (module, reason) in self.kernel_modules.iter().zip(&self.kernel_reasons) {
            let _ = writeln!(out, "kernel {}: {reason}", module_path(*module));
        }
        for c in &self.contexts {
            let cm = &c.metrics;
            let _ = writeln!(
                out,
                "context {}{}: {} modules, {} items, size {}, {} lines, cohesion {:.3}, coupling {:.3}, Ca {} Ce {} I {:.3}",
                c.name,
                if c.declared { " (declared)" } else { "" },
                cm.modules,
                cm.items,
                cm.size,
                cm.code_lines,
                cm.cohesion,
                cm.coupling,
                cm.afferent,
                cm.efferent,
                cm.instability
            );
            for &module in &c.modules {
                let _ = writeln!(out, "  module {}", module_path(module));
            }
            let owners: Vec<&str> = c
                .items
                .iter()
                .filter(|&&i| facts.owner_item(i) == i)
                .map(|&i| item_path(i))
                .collect();
            let _ = writeln!(out, "  items {}", owners.join(" "));
            let names = |v: &[ir::ItemId]| {
                v.iter()
                    .map(|&i| item_path(i))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let _ = writeln!(out, "  interface {}", names(&cm.interface));
            let _ = writeln!(out, "  models {}", names(&cm.owned_models));
            let tables: Vec<&str> = cm
                .owned_tables
                .iter()
                .map(|&t| facts.tables.get(t.index()).map_or("?", |t| t.name.as_str()))
                .collect();
            let _ = writeln!(out, "  tables {}", tables.join(" "));
        }
        for e in &m.context_edges {
            let counts: Vec<String> = ir::DepKind::ALL
                .iter()
                .zip(e.counts)
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| format!("{k}={n}"))
                .collect();
            let _ = writeln!(
                out,
                "edge {} -> {} {}",
                ctx_name(Some(e.from)),
                ctx_name(Some(e.to)),
                counts.join(" ")
            );
            for ev in &e.evidence {
                let file = facts
                    .files
                    .get(ev.location.file.index())
                    .map_or("?", |f| f.path.as_str());
                let target = match (ev.to_item, ev.table) {
                    (Some(i), _) => item_path(i).to_owned(),
                    (None, Some(t)) => format!(
                        "table {}",
                        facts.tables.get(t.index()).map_or("?", |t| t.name.as_str())
                    ),
                    (None, None) => "?".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "  {}:{} {} {} x{}",
                    file, ev.location.line, ev.kind, target, ev.count
                );
            }
        }
        for cycle in &m.cycles {
            let names: Vec<&str> = cycle.contexts.iter().map(|&c| ctx_name(Some(c))).collect();
            let _ = writeln!(out, "cycle {} via edges {:?}", names.join(" "), cycle.edges);
        }
        for s in &m.shared_models {
            let users: Vec<&str> = s.used_by.iter().map(|&c| ctx_name(Some(c))).collect();
            let _ = writeln!(
                out,
                "shared model {} owner {} used by {}",
                item_path(s.model),
                ctx_name(s.owner),
                users.join(" ")
            );
        }
        for s in &m.shared_tables {
            let by: Vec<String> = s
                .accesses
                .iter()
                .map(|&(c, r, w)| format!("{}(r{} w{})", ctx_name(Some(c)), r, w))
                .collect();
            let name = facts
                .tables
                .get(s.table.index())
                .map_or("?", |t| t.name.as_str());
            let _ = writeln!(
                out,
                "shared table {} owner {} by {}",
                name,
                ctx_name(s.owner),
                by.join(" ")
            );
        }
        for d in &self.possibly_dead {
            let items: Vec<&str> = d
                .items
                .iter()
                .filter(|&&i| facts.owner_item(i) == i)
                .map(|&i| item_path(i))
                .collect();
            let _ = writeln!(
                out,
                "possibly dead ({} lines): {}: {}",
                d.code_lines,
                items.join(" "),
                d.reason
            );
        }
        for note in &self.constraint_notes {
            let _ = writeln!(out, "note {note}");
        }
        out
    }
}

/// How [`propose`] works. No `Default`: start from [`ContextOptions::standard`].
#[derive(Debug, Clone)]
pub struct ContextOptions {
    /// How the dependency graph is built (granularity, weights, kernel rule).
    pub graph: GraphOptions,
    /// Algorithms × resolutions × seeds. Its `initial` and `fixed` are set by [`propose`]
    /// from the pins; its `target_communities` is ignored: `target_contexts` is met on the
    /// refined candidates (see [`TARGET_EXTRA_RESOLUTIONS`]).
    pub ensemble: EnsembleConfig<'static>,
    /// `--contexts N`: ask for about N contexts; `None` lets the objective choose.
    pub target_contexts: Option<usize>,
    /// Contexts smaller than this many items (owner items) are merged into their strongest
    /// neighbour (pinned contexts are kept whatever their size).
    pub min_context_size: usize,
    /// Pins, `together`, `apart` from `seamline.toml`.
    pub constraints: Constraints,
    /// Penalty weights of the objective.
    pub objective: ObjectiveWeights,
    /// Whether wiring nodes are set aside with the kernel after clustering: nodes that
    /// depend on at least [`WIRING_MIN_CONTEXTS`] contexts, none of which receives more than
    /// half of their dependency weight, and that at most one other module uses (a router
    /// that mounts every context's handlers, a `spawn_all` for every job), and entry points
    /// that only call wiring and kernel code (`main`). They belong to no context: each service
    /// gets its own.
    pub wiring: bool,
    /// Whether the result is reshaped into services after clustering (`shape` module): generic
    /// items used from most contexts join the kernel, each `table!` goes with its table's
    /// owner, and contexts that are not services (under [`FRAGMENT_SHARE`] of the code with
    /// no table and no endpoint, or tied to nothing) are merged into the context they are
    /// most tied to, into the kernel, or reported as possibly dead.
    pub shape: bool,
}

/// See [`ContextOptions::wiring`].
pub const WIRING_MIN_CONTEXTS: usize = 3;

/// With `--contexts N`, the ensemble also runs at these multiples of its largest
/// resolution, so that some candidate still has N contexts after its fragments are merged.
pub const TARGET_EXTRA_RESOLUTIONS: [f64; 3] = [2.0, 4.0, 8.0];

impl ContextOptions {
    /// The standard graph at `granularity`, the standard ensemble, no target, contexts of
    /// at least 5 items (the lower bound of NED), no constraints, the standard objective.
    pub fn standard(granularity: Granularity) -> Self {
        ContextOptions {
            graph: GraphOptions::standard(granularity),
            ensemble: EnsembleConfig::standard(),
            target_contexts: None,
            min_context_size: 5,
            constraints: Constraints::none(),
            objective: ObjectiveWeights::standard(),
            wiring: true,
            shape: true,
        }
    }
}

/// The objective that picks the ensemble's winner (higher is better):
///
/// `J = Q - shared_models * S - cycles * C - sizes * E`
///
/// - `Q`: modularity (γ = 1) on the clustering graph, comparable whatever the run's γ;
/// - `S`: share of models (of non-kernel contexts) referenced from another context;
/// - `C`: share of the dependency weight that runs between different contexts of one cycle
///   (a strongly connected component of the context graph): graded, so that one stray call
///   closing a cycle costs little and a tangle costs a lot;
/// - `E`: share of items in contexts smaller than `min_context_size`, plus how far the
///   largest context exceeds half of all items (`max(0, largest / total - 0.5)`).
///
/// Every candidate is refined (apart, minimum size, target) before it is scored, so the
/// objective judges what would be reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectiveWeights {
    /// Weight of `S`.
    pub shared_models: f64,
    /// Weight of `C`.
    pub cycles: f64,
    /// Weight of `E`.
    pub sizes: f64,
}

impl ObjectiveWeights {
    /// shared models 0.25, cycles 0.25, sizes 0.25.
    pub fn standard() -> Self {
        ObjectiveWeights {
            shared_models: 0.25,
            cycles: 0.25,
            sizes: 0.25,
        }
    }
}

/// Proposes bounded contexts for a codebase: builds the dependency graph, sets the shared
/// kernel aside, contracts pins and `together` groups, runs the ensemble (pins as fixed
/// seeds), refines every candidate (apart, fragments, target count), picks the winner by
/// [`ObjectiveWeights`], names the contexts and measures the result.
///
/// Deterministic: the same facts and options give the same proposal for any thread count.
pub fn propose(facts: &ir::Facts, options: &ContextOptions) -> Proposal {
    // Both read the facts alone, and building the graph runs on one thread.
    let (graph, endpoints) = rayon::join(
        || DepGraph::build(facts, &options.graph),
        || shape::endpoints(facts),
    );
    propose_with(facts, &graph, options, endpoints)
}

/// [`propose`] on an already built graph (for `seamline debug` and benchmarks).
pub fn propose_on(facts: &ir::Facts, graph: &DepGraph, options: &ContextOptions) -> Proposal {
    propose_with(facts, graph, options, shape::endpoints(facts))
}

/// [`propose_on`] with the items that answer requests known already.
fn propose_with(
    facts: &ir::Facts,
    graph: &DepGraph,
    options: &ContextOptions,
    endpoints: Vec<bool>,
) -> Proposal {
    // Pass 1 clusters everything but the kernel; wiring found in its result is set aside and
    // pass 2 clusters the rest, so that a router mounting every context's handlers does not
    // glue them into a context of their own.
    let readmitted = constraints::pinned_kernel_nodes(facts, graph, &options.constraints);
    // Migrations and schema setup touch every table: clustered, they would glue the tables
    // together or make a context of their own.
    let set_aside = if options.shape {
        shape::migration_nodes(facts, graph, &readmitted)
    } else {
        std::collections::BTreeMap::new()
    };
    let pre: Vec<NodeId> = set_aside.keys().copied().collect();
    let first = cluster_pass(facts, graph, options, &pre, &readmitted);
    let mut wiring = std::collections::BTreeMap::new();
    let raw = expand(&first.groups, &first.group_labels);
    if options.wiring {
        wiring = find_wiring(
            facts,
            graph,
            &endpoints,
            &first.cluster,
            &raw,
            &first.groups,
        );
    }
    if options.shape {
        for (node, reason) in shape::generic_hubs(
            facts,
            graph,
            &endpoints,
            &first.cluster,
            &raw,
            &first.groups,
        ) {
            wiring.entry(node).or_insert(reason);
        }
    }
    let pass = if wiring.is_empty() {
        first
    } else {
        let excluded: Vec<NodeId> = wiring
            .keys()
            .chain(&pre)
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let narrowed = second_pass_options(options, &first);
        let options = narrowed.as_ref().unwrap_or(options);
        let mut second = cluster_pass(facts, graph, options, &excluded, &readmitted);
        second.provenance.runs += first.provenance.runs;
        second
    };
    for (node, reason) in set_aside {
        wiring.entry(node).or_insert(reason);
    }
    if options.wiring && options.shape {
        // Wiring hidden in the first pass by a hub (every handler in one context) shows
        // once the hub is set aside; it is a leaf, so setting it aside needs no new pass.
        let raw = expand(&pass.groups, &pass.group_labels);
        for (node, reason) in
            find_wiring(facts, graph, &endpoints, &pass.cluster, &raw, &pass.groups)
        {
            wiring.entry(node).or_insert(reason);
        }
    }
    let ClusterPass {
        cluster,
        groups,
        group_labels,
        provenance,
    } = pass;
    let raw_labels = expand(&groups, &group_labels);
    // Renumber what is left, in order of first appearance.
    let mut renumber: std::collections::BTreeMap<u32, u32> = std::collections::BTreeMap::new();
    let mut node_label: Vec<Option<u32>> = vec![None; graph.node_count()];
    let mut members: Vec<Vec<NodeId>> = Vec::new();
    for (i, &raw) in raw_labels.iter().enumerate() {
        let node = cluster.nodes[i];
        if wiring.contains_key(&node) {
            continue;
        }
        let next = renumber.len() as u32;
        let l = *renumber.entry(raw).or_insert(next);
        if l as usize == members.len() {
            members.push(Vec::new());
        }
        node_label[node.index()] = Some(l);
        members[l as usize].push(node);
    }
    let k = members.len();
    let mut declared: Vec<Option<String>> = vec![None; k];
    for (g, pin) in groups.pin.iter().enumerate() {
        if let (Some(p), Some(&l)) = (pin, renumber.get(&group_labels[g])) {
            declared[l as usize] = Some(groups.pin_names[*p as usize].clone());
        }
    }
    let mut extra_kernel = wiring;
    let mut dead = Vec::new();
    if options.shape {
        let pinned: Vec<bool> = declared.iter().map(Option::is_some).collect();
        let shaped = shape::shape(facts, graph, &endpoints, &mut node_label, &pinned);
        extra_kernel.extend(shaped.kernel);
        dead = shaped.dead;
        // Renumber the labels left, in order of first appearance.
        let mut again: std::collections::BTreeMap<u32, u32> = std::collections::BTreeMap::new();
        let mut kept: Vec<Option<String>> = Vec::new();
        members.clear();
        for id in graph.node_ids() {
            let Some(old) = node_label[id.index()] else {
                continue;
            };
            let next = again.len() as u32;
            let l = *again.entry(old).or_insert(next);
            if l as usize == members.len() {
                members.push(Vec::new());
                kept.push(declared[old as usize].clone());
            }
            node_label[id.index()] = Some(l);
            members[l as usize].push(id);
        }
        declared = kept;
    }
    let names = name_contexts(facts, graph, &members, &declared);
    let is_declared: Vec<bool> = declared.iter().map(Option::is_some).collect();
    measure::build(
        facts,
        graph,
        &cluster,
        &measure::Labelling {
            node_label: &node_label,
            names: &names,
            declared: &is_declared,
            endpoints: &endpoints,
            extra_kernel: &extra_kernel,
            dead: &dead,
        },
        provenance,
        groups.notes.clone(),
    )
}

/// Measures a given assignment (contexts declared in `seamline.toml`, another tool's
/// partition, a ground truth) with exactly the metrics of a proposal, so that two plans can
/// be compared by numbers.
///
/// Every node of the graph built with `options` gets the context named by
/// `item_override[owner item]` (item granularity) or else `module_context[its module]`;
/// nodes with no name and kernel nodes are left out. Contexts are named as given and marked
/// declared.
pub fn measure_assignment(
    facts: &ir::Facts,
    options: &GraphOptions,
    module_context: &[Option<String>],
    item_override: &std::collections::BTreeMap<ir::ItemId, String>,
) -> Proposal {
    let graph = DepGraph::build(facts, options);
    let mut names: Vec<String> = Vec::new();
    let mut label_of: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
    let mut node_label: Vec<Option<u32>> = vec![None; graph.node_count()];
    for id in graph.node_ids() {
        if graph.is_kernel(id) {
            continue;
        }
        let node = graph.node(id);
        let by_item = match node.key {
            seamline_graph::NodeKey::Item(item) => item_override.get(&item),
            seamline_graph::NodeKey::Module(_) => None,
        };
        let name = by_item.or_else(|| {
            module_context
                .get(node.module.index())
                .and_then(Option::as_ref)
        });
        if let Some(name) = name {
            let next = label_of.len() as u32;
            let label = *label_of.entry(name.clone()).or_insert_with(|| {
                names.push(name.clone());
                next
            });
            node_label[id.index()] = Some(label);
        }
    }
    let declared = vec![true; names.len()];
    measure::build(
        facts,
        &graph,
        &graph.cluster_graph(),
        &measure::Labelling {
            node_label: &node_label,
            names: &names,
            declared: &declared,
            endpoints: &shape::endpoints(facts),
            extra_kernel: &std::collections::BTreeMap::new(),
            dead: &[],
        },
        Provenance {
            granularity: options.granularity,
            algorithm: Method::Declared,
            resolution: 0.0,
            seed: 0,
            objective: 0.0,
            runs: 0,
        },
        Vec::new(),
    )
}

/// The options of the second pass on a large graph: the resolutions of the first pass's
/// winner and its two neighbours only. Setting a few wiring nodes aside moves the best
/// resolution by a step at most, so the runs further away cannot win and, on a graph this
/// large, each costs as much as the rest of the stage. `None` keeps the options as they are:
/// small graphs, a target number of contexts (met by resolutions of its own), or a winner
/// without a resolution.
fn second_pass_options(options: &ContextOptions, first: &ClusterPass) -> Option<ContextOptions> {
    let winner = first.provenance.resolution;
    if first.groups.graph.node_count() < crate::ensemble::LEIDEN_ONLY_FROM
        || !options.ensemble.adaptive
        || options.target_contexts.is_some()
        || winner <= 0.0
    {
        return None;
    }
    let mut resolutions = options.ensemble.resolutions.clone();
    resolutions.sort_by(f64::total_cmp);
    resolutions.dedup();
    let at = resolutions.iter().position(|&r| r == winner)?;
    let mut options = options.clone();
    options.ensemble.resolutions =
        resolutions[at.saturating_sub(1)..(at + 2).min(resolutions.len())].to_vec();
    Some(options)
}

/// One clustering of the graph without the kernel and without `excluded`.
struct ClusterPass {
    cluster: ClusterGraph,
    groups: constraints::Groups,
    group_labels: Vec<u32>,
    provenance: Provenance,
}

fn cluster_pass(
    facts: &ir::Facts,
    graph: &DepGraph,
    options: &ContextOptions,
    excluded: &[NodeId],
    readmitted: &[NodeId],
) -> ClusterPass {
    let cluster = graph.cluster_graph_with_history_of(|id| {
        (!graph.is_kernel(id) || readmitted.binary_search(&id).is_ok())
            && excluded.binary_search(&id).is_err()
    });
    let groups = constraints::contract(facts, graph, &cluster, &options.constraints);
    let params = constraints::Refine {
        min_size: options.min_context_size as u64,
        target: options.target_contexts,
    };
    let scorer = Scorer::new(facts, graph, &cluster, options);
    if groups.members.is_empty() {
        return ClusterPass {
            cluster,
            groups,
            group_labels: Vec::new(),
            provenance: provenance(options, Method::Nothing, 0.0, 0, 0.0, 0),
        };
    }
    // Pinned groups start in their pin's community and stay there.
    let pinned = groups.pin.iter().any(Option::is_some);
    let initial_raw: Vec<u32> = groups
        .pin
        .iter()
        .enumerate()
        .map(|(g, p)| match p {
            Some(p) => *p,
            None => groups.pin_names.len() as u32 + g as u32,
        })
        .collect();
    let initial = Partition::from_labels(&initial_raw);
    let fixed: Vec<bool> = groups.pin.iter().map(Option::is_some).collect();
    // A target is met on the refined candidates, not on the raw runs: a run with N
    // communities may hold many fragments that refinement merges away (on real code,
    // `--contexts 16` once gave 3 contexts). So every run is refined (fragments merged,
    // then merged down to the target), runs that end below the target pay for each missing
    // context in the objective, and higher resolutions are added so that some run can reach
    // the target.
    let mut config = options.ensemble.clone();
    config.target_communities = None;
    if options.target_contexts.is_some() {
        let max = config.resolutions.iter().copied().fold(1.0, f64::max);
        config
            .resolutions
            .extend(TARGET_EXTRA_RESOLUTIONS.iter().map(|f| f * max));
    }
    let config = if pinned {
        config.with_initial(&initial, Some(&fixed))
    } else {
        EnsembleConfig {
            initial: None,
            fixed: None,
            ..config
        }
    };
    let objective = |p: &Partition| -> f64 {
        let labels = constraints::refine(&groups, &p.labels, params);
        let shortfall = options.target_contexts.map_or(0, |t| {
            let k = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
            t.min(groups.members.len()).saturating_sub(k)
        });
        scorer.score(&expand(&groups, &labels)) - shortfall as f64
    };
    let result = run_ensemble(&groups.graph, &config, &objective);
    let group_labels = constraints::refine(&groups, &result.partition.labels, params);
    let winner = &result.runs[result.winner];
    let provenance = provenance(
        options,
        Method::Algorithm(winner.algorithm),
        winner.resolution.unwrap_or(0.0),
        winner.seed,
        winner.score,
        result.runs.len(),
    );
    ClusterPass {
        cluster,
        groups,
        group_labels,
        provenance,
    }
}

/// Wiring nodes (see [`ContextOptions::wiring`]) with their reason, and the entry points
/// that only call them and the kernel; pinned nodes never are.
fn find_wiring(
    facts: &ir::Facts,
    graph: &DepGraph,
    endpoints: &[bool],
    cluster: &ClusterGraph,
    labels: &[u32],
    groups: &constraints::Groups,
) -> std::collections::BTreeMap<NodeId, String> {
    let mut out = std::collections::BTreeMap::new();
    let data = seamline_graph::DataLayer::of(facts);
    for (i, &node) in cluster.nodes.iter().enumerate() {
        if groups.pin[groups.node_group[i] as usize].is_some() {
            continue;
        }
        // A request handler or data code is a domain operation, however many contexts it
        // calls: the router that mounts it is the wiring.
        if data.node(facts, graph, node)
            || graph.node(node).items.iter().any(|&i| endpoints[i.index()])
        {
            continue;
        }
        let own_module = graph.node(node).module;
        let users: std::collections::BTreeSet<ir::ModuleId> = graph
            .in_edges(node)
            .iter()
            .map(|e| graph.node(e.from).module)
            .filter(|&m| m != own_module)
            .collect();
        if users.len() > 1 {
            continue;
        }
        let mut by_context: std::collections::BTreeMap<u32, f64> =
            std::collections::BTreeMap::new();
        for e in graph.out_edges(node) {
            if let Some(j) = cluster.index[e.to.index()]
                && e.weight > 0.0
            {
                *by_context.entry(labels[j as usize]).or_default() += e.weight;
            }
        }
        let total: f64 = by_context.values().sum();
        let max = by_context.values().copied().fold(0.0, f64::max);
        if by_context.len() >= WIRING_MIN_CONTEXTS && total > 0.0 && max <= 0.5 * total {
            out.insert(
                node,
                format!(
                    "wires {} contexts together (none holds more than half of its dependencies) and is used by {} other module(s)",
                    by_context.len(),
                    users.len()
                ),
            );
        }
    }
    // Entry points: used by no other module, depending only on kernel and wiring nodes, at
    // least one of them wiring (a `main` that builds the router).
    for (i, &node) in cluster.nodes.iter().enumerate() {
        if out.contains_key(&node) || groups.pin[groups.node_group[i] as usize].is_some() {
            continue;
        }
        let own_module = graph.node(node).module;
        if graph
            .in_edges(node)
            .iter()
            .any(|e| graph.node(e.from).module != own_module)
        {
            continue;
        }
        let deps = graph.out_edges(node);
        let wires = deps.iter().filter(|e| out.contains_key(&e.to)).count();
        if wires > 0
            && deps
                .iter()
                .all(|e| out.contains_key(&e.to) || cluster.index[e.to.index()].is_none())
        {
            out.insert(
                node,
                "is an entry point: used by no other module, it only calls kernel and wiring code"
                    .to_owned(),
            );
        }
    }
    out
}

fn provenance(
    options: &ContextOptions,
    algorithm: Method,
    resolution: f64,
    seed: u64,
    objective: f64,
    runs: usize,
) -> Provenance {
    Provenance {
        granularity: options.graph.granularity,
        algorithm,
        resolution,
        seed,
        objective,
        runs,
    }
}

/// Group labels -> cluster-node labels.
fn expand(groups: &constraints::Groups, group_labels: &[u32]) -> Vec<u32> {
    groups
        .node_group
        .iter()
        .map(|&g| group_labels.get(g as usize).copied().unwrap_or(0))
        .collect()
}

/// Computes the objective on cluster-node labels.
struct Scorer<'a> {
    cluster: &'a ClusterGraph,
    /// (from cluster node, model index, model's cluster node) for references to models.
    model_refs: Vec<(u32, u32, u32)>,
    n_models: usize,
    /// Directed dependencies between cluster nodes, with their weight.
    dir_edges: Vec<(u32, u32, f64)>,
    /// Total weight of `dir_edges`.
    dir_weight: f64,
    size: Vec<u64>,
    min_size: u64,
    weights: ObjectiveWeights,
}

impl<'a> Scorer<'a> {
    fn new(
        facts: &ir::Facts,
        graph: &DepGraph,
        cluster: &'a ClusterGraph,
        options: &ContextOptions,
    ) -> Self {
        let ci =
            |n: Option<NodeId>| n.and_then(|n| cluster.index.get(n.index()).copied().flatten());
        let mut model_index: std::collections::BTreeMap<ir::ItemId, u32> =
            std::collections::BTreeMap::new();
        for item in &facts.items {
            if item.kind.is_model()
                && facts.owner_item(item.id) == item.id
                && ci(graph.node_of_item(item.id)).is_some()
            {
                let next = model_index.len() as u32;
                model_index.insert(item.id, next);
            }
        }
        let mut model_refs = Vec::new();
        for r in &facts.references {
            let model = facts.owner_item(r.to);
            let Some(&m) = model_index.get(&model) else {
                continue;
            };
            let from = match graph.granularity() {
                Granularity::Module => ci(graph.nodes_of_module(r.from_module).first().copied()),
                Granularity::Item => ci(r.from_item.and_then(|i| graph.node_of_item(i))),
            };
            if let (Some(from), Some(to)) = (from, ci(graph.node_of_item(model))) {
                model_refs.push((from, m, to));
            }
        }
        let dir_edges: Vec<(u32, u32, f64)> = graph
            .edges()
            .filter_map(|e| Some((ci(Some(e.from))?, ci(Some(e.to))?, e.weight)))
            .collect();
        let dir_weight = dir_edges.iter().map(|e| e.2).sum();
        let size = cluster
            .nodes
            .iter()
            .map(|&n| constraints::node_size(facts, graph, n))
            .collect();
        Scorer {
            cluster,
            model_refs,
            n_models: model_index.len(),
            dir_edges,
            dir_weight,
            size,
            min_size: options.min_context_size as u64,
            weights: options.objective,
        }
    }

    fn score(&self, labels: &[u32]) -> f64 {
        let k = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
        if k == 0 {
            return 0.0;
        }
        let q = crate::modularity(&self.cluster.graph, &Partition::from_labels(labels), 1.0);
        let mut shared = vec![false; self.n_models];
        for &(from, m, to) in &self.model_refs {
            if labels[from as usize] != labels[to as usize] {
                shared[m as usize] = true;
            }
        }
        let s = if self.n_models == 0 {
            0.0
        } else {
            shared.iter().filter(|&&x| x).count() as f64 / self.n_models as f64
        };
        let mut pairs: Vec<(u32, u32)> = self
            .dir_edges
            .iter()
            .map(|&(a, b, _)| (labels[a as usize], labels[b as usize]))
            .filter(|(a, b)| a != b)
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut scc_of = vec![u32::MAX; k];
        for (i, scc) in seamline_graph::nontrivial_sccs(k, &pairs)
            .iter()
            .enumerate()
        {
            for &c in scc {
                scc_of[c as usize] = i as u32;
            }
        }
        let in_cycles: f64 = self
            .dir_edges
            .iter()
            .filter(|&&(a, b, _)| {
                let (la, lb) = (labels[a as usize], labels[b as usize]);
                la != lb
                    && scc_of[la as usize] != u32::MAX
                    && scc_of[la as usize] == scc_of[lb as usize]
            })
            .map(|e| e.2)
            .sum();
        let c = if self.dir_weight > 0.0 {
            in_cycles / self.dir_weight
        } else {
            0.0
        };
        let mut sizes = vec![0u64; k];
        for (i, &l) in labels.iter().enumerate() {
            sizes[l as usize] += self.size[i];
        }
        let total: u64 = sizes.iter().sum();
        let e = if total == 0 {
            0.0
        } else {
            let small: u64 = sizes.iter().filter(|&&s| s < self.min_size).sum();
            let largest = sizes.iter().copied().max().unwrap_or(0);
            small as f64 / total as f64 + (largest as f64 / total as f64 - 0.5).max(0.0)
        };
        q - self.weights.shared_models * s - self.weights.cycles * c - self.weights.sizes * e
    }
}
