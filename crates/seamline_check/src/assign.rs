//! Which context every module and item belongs to ([`Assignment`]), from the contexts
//! declared in `seamline.toml` or from the clustering stage's proposal, with the clustering
//! stage's [`ContextMap`] of it: the references that cross a context boundary
//! ([`Crossing`]), each with the place that made it.

use seamline_cluster::contexts::{ContextMap, Crossing, Proposal, glob_match};
use seamline_graph::{DepGraph, Granularity, GraphOptions};
use seamline_ir as ir;

use seamline_config::CheckSettings;

/// Where the contexts of an [`Assignment`] come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `[[contexts]]` of `seamline.toml`.
    Declared,
    /// The clustering stage's proposal (nothing declared).
    Proposed,
}

/// What a module or item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    /// A context (index into [`Assignment::names`]).
    Context(u32),
    /// The shared kernel: every context may use it; its dependencies are not checked.
    Kernel,
    /// No declared context matches (its dependencies are not checked).
    Unassigned,
}

/// Modules and items mapped to contexts.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Where the contexts come from.
    pub source: Source,
    /// Context names; a context's index is its id in [`Slot::Context`].
    pub names: Vec<String>,
    /// `module_context[module.index()]`.
    pub module_context: Vec<Slot>,
    /// `item_context[item.index()]`.
    pub item_context: Vec<Slot>,
    /// The contexts as the clustering stage measures them: the same crossings, table owners
    /// and derived metrics that `analyze` reports for the same assignment.
    pub map: ContextMap,
    /// Modularity Q as the proposal measured it (`None` for declared contexts: computed on
    /// demand by [`modularity`]).
    pub modularity: Option<f64>,
}

/// The path of what holds a crossing reference: the item, or the module for a `use`.
pub fn from_path<'f>(c: &Crossing, facts: &'f ir::Facts) -> &'f str {
    match c.from_item {
        Some(i) => &facts.items[i.index()].path,
        None => &facts.modules[c.from_module.index()].path,
    }
}

/// The path of what a crossing references: the item, or `table NAME`.
pub fn to_path(c: &Crossing, facts: &ir::Facts) -> String {
    match (c.to_item, c.table) {
        (Some(i), _) => facts.items[i.index()].path.clone(),
        (None, Some(t)) => format!("table {}", facts.tables[t.index()].name),
        (None, None) => unreachable!("a crossing reaches an item or a table"),
    }
}

/// A sentence saying what a crossing reference does: "`a::f` calls `b::g`".
pub fn describe(c: &Crossing, facts: &ir::Facts) -> String {
    let from = from_path(c, facts);
    let to = to_path(c, facts);
    match c.kind {
        ir::DepKind::Import => format!("`{from}` imports `{to}`"),
        ir::DepKind::Type => format!("`{from}` uses the type `{to}`"),
        ir::DepKind::Call => format!("`{from}` calls or constructs `{to}`"),
        ir::DepKind::Impl => format!("`{from}` implements `{to}`"),
        ir::DepKind::Table => format!("`{from}` touches {to}"),
    }
}

/// Whether a module matches a glob, by its module path or its file path.
pub fn module_matches(facts: &ir::Facts, module: &ir::Module, glob: &str) -> bool {
    matches_fast(glob, &module.path)
        || facts
            .files
            .get(module.file.index())
            .is_some_and(|f| matches_fast(glob, &f.path))
}

/// [`glob_match`], with a quick rejection on the literal prefix of the glob (most module
/// globs are `crate::a::b::**` or exact paths), so that assigning thousands of modules
/// against hundreds of patterns stays cheap.
fn matches_fast(glob: &str, text: &str) -> bool {
    match glob.find(['*', '?']) {
        None => glob == text,
        Some(i) => text.starts_with(&glob[..i]) && glob_match(glob, text),
    }
}

impl Assignment {
    /// Assigns modules to the declared contexts: kernel patterns first, then the first
    /// context (in file order) with a matching pattern; items follow their module.
    pub fn declared(facts: &ir::Facts, settings: &CheckSettings) -> Assignment {
        let module_context: Vec<Slot> = facts
            .modules
            .iter()
            .map(|m| {
                if settings
                    .kernel
                    .iter()
                    .any(|p| module_matches(facts, m, &p.glob))
                {
                    return Slot::Kernel;
                }
                settings
                    .contexts
                    .iter()
                    .position(|c| c.modules.iter().any(|p| module_matches(facts, m, &p.glob)))
                    .map_or(Slot::Unassigned, |i| Slot::Context(i as u32))
            })
            .collect();
        let item_context = facts
            .items
            .iter()
            .map(|i| {
                module_context
                    .get(i.module.index())
                    .copied()
                    .unwrap_or(Slot::Unassigned)
            })
            .collect();
        // The module graph labelled with the declared contexts: `check` measures them with
        // the clustering stage's own map.
        let graph = DepGraph::build(facts, &GraphOptions::standard(Granularity::Module));
        let node_context: Vec<Option<u32>> = graph
            .node_ids()
            .map(|n| match module_context[graph.node(n).module.index()] {
                Slot::Context(c) => Some(c),
                Slot::Kernel | Slot::Unassigned => None,
            })
            .collect();
        Assignment {
            source: Source::Declared,
            names: settings.contexts.iter().map(|c| c.name.clone()).collect(),
            module_context,
            item_context,
            map: ContextMap::new(facts, &graph, &node_context),
            modularity: None,
        }
    }

    /// The proposal's contexts (its kernel is the kernel).
    pub fn from_proposal(proposal: &Proposal) -> Assignment {
        let slot = |c: &Option<ir::ContextId>| match c {
            Some(c) => Slot::Context(c.0),
            None => Slot::Kernel,
        };
        Assignment {
            source: Source::Proposed,
            names: proposal.contexts.iter().map(|c| c.name.clone()).collect(),
            module_context: proposal.map.module_context.iter().map(slot).collect(),
            item_context: proposal.map.item_context.iter().map(slot).collect(),
            map: proposal.map.clone(),
            modularity: Some(proposal.metrics.modularity),
        }
    }

    /// The slot of a module.
    pub fn module(&self, m: ir::ModuleId) -> Slot {
        self.module_context[m.index()]
    }

    /// The slot of an item.
    pub fn item(&self, i: ir::ItemId) -> Slot {
        self.item_context[i.index()]
    }

    /// The name of a context.
    pub fn name(&self, c: ir::ContextId) -> &str {
        &self.names[c.index()]
    }

    /// Every reference and table access from one context into another, sorted by (from,
    /// to, location). References to or from the kernel or unassigned modules never cross.
    pub fn crossings(&self) -> Vec<Crossing> {
        let mut out = self.map.crossings.clone();
        out.sort();
        out
    }
}

/// Newman–Girvan modularity Q (γ = 1) of the assignment on seamline's module-granularity
/// clustering graph (standard weights), kernel and unassigned modules left out: the same
/// measure the proposal reports.
pub fn modularity(facts: &ir::Facts, assignment: &Assignment) -> f64 {
    if let Some(q) = assignment.modularity {
        return q;
    }
    use seamline_graph::{DepGraph, Granularity, GraphOptions, Partition, WeightedGraph};
    let graph = DepGraph::build(facts, &GraphOptions::standard(Granularity::Module));
    let mut index: Vec<Option<u32>> = vec![None; graph.node_count()];
    let mut labels: Vec<u32> = Vec::new();
    for id in graph.node_ids() {
        if let Slot::Context(c) = assignment.module(graph.node(id).module) {
            index[id.index()] = Some(labels.len() as u32);
            labels.push(c);
        }
    }
    if labels.is_empty() {
        return 0.0;
    }
    let edges: Vec<(u32, u32, f64)> = graph
        .undirected_edges()
        .into_iter()
        .filter_map(|(a, b, w)| Some((index[a.index()]?, index[b.index()]?, w)))
        .collect();
    let weighted = WeightedGraph::from_edges(labels.len(), edges);
    seamline_cluster::modularity(&weighted, &Partition::from_labels(&labels), 1.0)
}
