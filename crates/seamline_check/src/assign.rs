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
    /// Modularity Q as the proposal measured it; for declared contexts, as measured when the
    /// `min_modularity` rule asks for it (`None` otherwise: [`modularity`] measures it).
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
    module_texts(facts, module)
        .iter()
        .any(|t| Glob::new(glob).matches(t))
}

/// What a module pattern is matched against: the module's path and its file's path.
fn module_texts<'f>(facts: &'f ir::Facts, module: &'f ir::Module) -> [&'f str; 2] {
    let file = facts
        .files
        .get(module.file.index())
        .map_or("", |f| f.path.as_str());
    [module.path.as_str(), file]
}

/// The texts of every module, for asking whether a glob matches any module at all.
pub(crate) struct ModuleTexts<'f> {
    texts: std::collections::HashSet<&'f str>,
}

impl<'f> ModuleTexts<'f> {
    pub(crate) fn new(facts: &'f ir::Facts) -> ModuleTexts<'f> {
        ModuleTexts {
            texts: facts
                .modules
                .iter()
                .flat_map(|m| module_texts(facts, m))
                .collect(),
        }
    }

    /// Whether `glob` matches some module's path or file path.
    pub(crate) fn any(&self, glob: &str) -> bool {
        let glob = Glob::new(glob);
        match glob.wild_at {
            None => self.texts.contains(glob.glob),
            Some(_) => self.texts.iter().any(|t| glob.matches(t)),
        }
    }
}

/// A glob with its literal prefix (the part before the first `*` or `?`) found once: most
/// module globs are exact paths or `crate::a::b::**`, rejected or accepted by the prefix.
#[derive(Debug, Clone, Copy)]
struct Glob<'a> {
    glob: &'a str,
    /// `None`: no wildcard, the glob is the literal text.
    wild_at: Option<usize>,
}

impl<'a> Glob<'a> {
    fn new(glob: &'a str) -> Glob<'a> {
        Glob {
            glob,
            wild_at: glob.find(['*', '?']),
        }
    }

    fn matches(&self, text: &str) -> bool {
        match self.wild_at {
            None => self.glob == text,
            Some(i) => text.starts_with(&self.glob[..i]) && glob_match(self.glob, text),
        }
    }
}

/// Numbered globs (a context's index, say) looked up by text: exact globs in a hash map,
/// the others tried in order; [`Patterns::first`] gives the lowest number that matches.
/// Assigning thousands of modules against hundreds of patterns then costs a lookup per
/// module, not a comparison per pattern.
#[derive(Debug, Default)]
pub(crate) struct Patterns<'a> {
    exact: std::collections::HashMap<&'a str, u32>,
    wild: Vec<(u32, Glob<'a>)>,
}

impl<'a> Patterns<'a> {
    pub(crate) fn new(globs: impl IntoIterator<Item = (u32, &'a str)>) -> Patterns<'a> {
        let mut out = Patterns::default();
        for (n, glob) in globs {
            let glob = Glob::new(glob);
            match glob.wild_at {
                None => {
                    let e = out.exact.entry(glob.glob).or_insert(n);
                    *e = (*e).min(n);
                }
                Some(_) => out.wild.push((n, glob)),
            }
        }
        out.wild.sort_by_key(|&(n, _)| n);
        out
    }

    /// The lowest number of a glob matching one of `texts`.
    pub(crate) fn first(&self, texts: &[&str]) -> Option<u32> {
        let exact = texts
            .iter()
            .filter_map(|t| self.exact.get(t).copied())
            .min();
        let wild = self
            .wild
            .iter()
            .take_while(|(n, _)| exact.is_none_or(|e| *n < e))
            .find(|(_, g)| texts.iter().any(|t| g.matches(t)))
            .map(|&(n, _)| n);
        wild.or(exact)
    }
}

impl Assignment {
    /// Assigns modules to the declared contexts: kernel patterns first, then the first
    /// context (in file order) with a matching pattern; items follow their module.
    pub fn declared(facts: &ir::Facts, settings: &CheckSettings) -> Assignment {
        let kernel = Patterns::new(settings.kernel.iter().map(|p| (0, p.glob.as_str())));
        let contexts = Patterns::new(
            settings
                .contexts
                .iter()
                .enumerate()
                .flat_map(|(i, c)| c.modules.iter().map(move |p| (i as u32, p.glob.as_str()))),
        );
        let module_context: Vec<Slot> = facts
            .modules
            .iter()
            .map(|m| {
                let texts = module_texts(facts, m);
                if kernel.first(&texts).is_some() {
                    return Slot::Kernel;
                }
                contexts
                    .first(&texts)
                    .map_or(Slot::Unassigned, Slot::Context)
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
        // the clustering stage's own map, and modularity on the same graph.
        let graph = DepGraph::build(facts, &declared_graph_options());
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
            item_context,
            map: ContextMap::new(facts, &graph, &node_context),
            modularity: settings
                .rules
                .min_modularity
                .is_some()
                .then(|| modularity_on(&graph, &module_context)),
            module_context,
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

/// The module graph declared contexts are measured on: the clustering stage's standard
/// weights, without its kernel detection (the kernel is what `seamline.toml` declares).
fn declared_graph_options() -> GraphOptions {
    let mut options = GraphOptions::standard(Granularity::Module);
    options.kernel.enabled = false;
    options
}

/// Newman–Girvan modularity Q (γ = 1) of the assignment on seamline's module-granularity
/// clustering graph (standard weights), kernel and unassigned modules left out: the same
/// measure the proposal reports. Declared contexts have it when the `min_modularity` rule
/// asks for it (measured on the graph the map was built from); otherwise it is measured here.
pub fn modularity(facts: &ir::Facts, assignment: &Assignment) -> f64 {
    match assignment.modularity {
        Some(q) => q,
        None => modularity_on(
            &DepGraph::build(facts, &declared_graph_options()),
            &assignment.module_context,
        ),
    }
}

fn modularity_on(graph: &DepGraph, module_context: &[Slot]) -> f64 {
    use seamline_graph::{Partition, WeightedGraph};
    let mut index: Vec<Option<u32>> = vec![None; graph.node_count()];
    let mut labels: Vec<u32> = Vec::new();
    for id in graph.node_ids() {
        if let Slot::Context(c) = module_context[graph.node(id).module.index()] {
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

#[cfg(test)]
mod tests {
    use super::Patterns;

    #[test]
    fn the_first_matching_pattern_wins_whether_exact_or_wild() {
        let p = Patterns::new([
            (0, "shop::billing::**"),
            (1, "shop::billing::tax"),
            (2, "src/*.rs"),
            (2, "shop::orders"),
            (3, "shop::**"),
        ]);
        assert_eq!(
            p.first(&["shop::billing::tax", "src/billing/tax.rs"]),
            Some(0)
        );
        assert_eq!(p.first(&["shop::orders", "src/orders.rs"]), Some(2));
        assert_eq!(p.first(&["shop::users", "src/users/mod.rs"]), Some(3));
        assert_eq!(p.first(&["other::x", "src/x.rs"]), Some(2));
        assert_eq!(p.first(&["other::x", "lib/x.rs"]), None);
        let exact_first = Patterns::new([(1, "shop::**"), (0, "shop::orders")]);
        assert_eq!(exact_first.first(&["shop::orders", ""]), Some(0));
    }
}
