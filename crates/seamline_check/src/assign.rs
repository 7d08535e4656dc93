//! Which context every module and item belongs to ([`Assignment`]), from the contexts
//! declared in `seamline.toml` or from the clustering stage's proposal; and the references
//! that cross a context boundary ([`Crossing`]), each with the place that made it.

use seamline_cluster::contexts::{Proposal, glob_match};
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
    /// Modularity Q as the proposal measured it (`None` for declared contexts: computed on
    /// demand by [`modularity`]).
    pub modularity: Option<f64>,
}

/// One reference (or table access) from one context into another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Crossing {
    /// Depending context.
    pub from: u32,
    /// Depended-on context.
    pub to: u32,
    /// Where: the `use`, call, field type or SQL string.
    pub location: ir::Location,
    /// The module holding the reference.
    pub from_module: ir::ModuleId,
    /// The item holding it (`None`: a module-level `use`).
    pub from_item: Option<ir::ItemId>,
    /// The referenced item (`None` for table accesses).
    pub to_item: Option<ir::ItemId>,
    /// The table, for table accesses.
    pub table: Option<ir::TableId>,
    /// The kind of reference.
    pub kind: ir::DepKind,
    /// How many times.
    pub count: u32,
}

impl Crossing {
    /// The path of what holds the reference: the item, or the module for a `use`.
    pub fn from_path<'f>(&self, facts: &'f ir::Facts) -> &'f str {
        match self.from_item {
            Some(i) => facts.items.get(i.index()).map_or("?", |i| i.path.as_str()),
            None => facts
                .modules
                .get(self.from_module.index())
                .map_or("?", |m| m.path.as_str()),
        }
    }

    /// The path of what is referenced: the item, or `table NAME`.
    pub fn to_path(&self, facts: &ir::Facts) -> String {
        match (self.to_item, self.table) {
            (Some(i), _) => facts
                .items
                .get(i.index())
                .map_or("?".to_owned(), |i| i.path.clone()),
            (None, Some(t)) => format!(
                "table {}",
                facts.tables.get(t.index()).map_or("?", |t| t.name.as_str())
            ),
            (None, None) => "?".to_owned(),
        }
    }

    /// A sentence saying what the reference does: "`a::f` calls `b::g`".
    pub fn describe(&self, facts: &ir::Facts) -> String {
        let from = self.from_path(facts);
        let to = self.to_path(facts);
        match self.kind {
            ir::DepKind::Import => format!("`{from}` imports `{to}`"),
            ir::DepKind::Type => format!("`{from}` uses the type `{to}`"),
            ir::DepKind::Call => format!("`{from}` calls or constructs `{to}`"),
            ir::DepKind::Impl => format!("`{from}` implements `{to}`"),
            ir::DepKind::Table => format!("`{from}` touches {to}"),
        }
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
        Assignment {
            source: Source::Declared,
            names: settings.contexts.iter().map(|c| c.name.clone()).collect(),
            module_context,
            item_context,
            modularity: None,
        }
    }

    /// The proposal's contexts (its kernel is the kernel).
    pub fn from_proposal(facts: &ir::Facts, proposal: &Proposal) -> Assignment {
        let slot = |c: Option<&Option<seamline_cluster::contexts::ContextId>>| match c {
            Some(Some(c)) => Slot::Context(c.0),
            _ => Slot::Kernel,
        };
        Assignment {
            source: Source::Proposed,
            names: proposal.contexts.iter().map(|c| c.name.clone()).collect(),
            module_context: (0..facts.modules.len())
                .map(|i| slot(proposal.module_context.get(i)))
                .collect(),
            item_context: (0..facts.items.len())
                .map(|i| slot(proposal.item_context.get(i)))
                .collect(),
            modularity: Some(proposal.metrics.modularity),
        }
    }

    /// The slot of a module.
    pub fn module(&self, m: ir::ModuleId) -> Slot {
        self.module_context
            .get(m.index())
            .copied()
            .unwrap_or(Slot::Unassigned)
    }

    /// The slot of an item.
    pub fn item(&self, i: ir::ItemId) -> Slot {
        self.item_context
            .get(i.index())
            .copied()
            .unwrap_or(Slot::Unassigned)
    }

    /// The name of a context.
    pub fn name(&self, c: u32) -> &str {
        self.names.get(c as usize).map_or("?", String::as_str)
    }

    /// Every reference and table access from one context into another, sorted by (from,
    /// to, location). References to or from the kernel or unassigned modules never cross.
    pub fn crossings(&self, facts: &ir::Facts) -> Vec<Crossing> {
        let mut out = Vec::new();
        let holder = |module: ir::ModuleId, item: Option<ir::ItemId>| match item {
            Some(i) => self.item(i),
            None => self.module(module),
        };
        for r in &facts.references {
            if r.to.index() >= facts.items.len() {
                continue;
            }
            if let (Slot::Context(a), Slot::Context(b)) =
                (holder(r.from_module, r.from_item), self.item(r.to))
                && a != b
            {
                out.push(Crossing {
                    from: a,
                    to: b,
                    location: r.first,
                    from_module: r.from_module,
                    from_item: r.from_item,
                    to_item: Some(r.to),
                    table: None,
                    kind: r.kind,
                    count: r.count,
                });
            }
        }
        for a in &facts.table_accesses {
            let Slot::Context(from) = holder(a.module, a.item) else {
                continue;
            };
            for owner in self.table_owners(facts, a.table) {
                if owner != from {
                    out.push(Crossing {
                        from,
                        to: owner,
                        location: a.first,
                        from_module: a.module,
                        from_item: a.item,
                        to_item: None,
                        table: Some(a.table),
                        kind: ir::DepKind::Table,
                        count: a.count,
                    });
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The contexts that own a table: the context of its `table!` (or of its module), else
    /// of the items mapped onto it. Sorted, deduplicated.
    pub fn table_owners(&self, facts: &ir::Facts, table: ir::TableId) -> Vec<u32> {
        let Some(t) = facts.tables.get(table.index()) else {
            return Vec::new();
        };
        let slots: Vec<Slot> = match &t.defined_in {
            Some(def) => vec![def.item.map_or(self.module(def.module), |i| self.item(i))],
            None => t.mapped_by.iter().map(|&i| self.item(i)).collect(),
        };
        let mut out: Vec<u32> = slots
            .into_iter()
            .filter_map(|s| match s {
                Slot::Context(c) => Some(c),
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
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
