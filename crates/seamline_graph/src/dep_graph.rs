//! [`DepGraph`]: the directed, weighted dependency graph of a codebase at module or item
//! granularity, built from [`ir::Facts`], with petgraph inside.
//!
//! Direction is kept (for metrics and cycles); [`DepGraph::cluster_graph`] exports the
//! undirected [`WeightedGraph`] the clustering algorithms run on, without the kernel.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use seamline_ir as ir;

use crate::kernel;
use crate::options::{Granularity, GraphOptions};
use crate::weighted::WeightedGraph;

/// A node of a [`DepGraph`]; ids are dense, `0..node_count`, in a deterministic order
/// (modules by path at module granularity; items by id at item granularity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The index of this node.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKey {
    /// A module (module granularity).
    Module(ir::ModuleId),
    /// An owner item (item granularity).
    Item(ir::ItemId),
}

/// A node with what the metrics need to know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The module or item.
    pub key: NodeKey,
    /// Its path (`shop::billing` or `shop::billing::Invoice`).
    pub label: String,
    /// The module it is (or is declared in).
    pub module: ir::ModuleId,
    /// Items folded into the node, sorted: at module granularity every item of the module;
    /// at item granularity the owner item, its impl blocks and their methods.
    pub items: Vec<ir::ItemId>,
    /// Lines of code: the module's own lines, or the owner item's lines plus its impls'.
    pub code_lines: u64,
    /// Why the node is in the shared kernel, if it is.
    pub kernel: Option<String>,
}

/// A directed dependency between two nodes, aggregated over references.
#[derive(Debug, Clone, PartialEq)]
pub struct DepEdge {
    /// Depending node.
    pub from: NodeId,
    /// Depended-on node.
    pub to: NodeId,
    /// Number of references per kind, in [`ir::DepKind::ALL`] order. Table counts are
    /// accesses by `from` to a table that `to` declares or maps.
    pub counts: [u32; 5],
    /// `sum over kinds other than table of weight(kind) * dampening(count)`. Table coupling
    /// is carried by [`TableLink`]s instead, so that it is not counted twice.
    pub weight: f64,
}

/// An undirected link between two nodes that touch (read, write, declare or map) the same
/// tables.
#[derive(Debug, Clone, PartialEq)]
pub struct TableLink {
    /// Smaller node.
    pub a: NodeId,
    /// Larger node.
    pub b: NodeId,
    /// `sum over shared tables of weight(table) / (k - 1)`, where `k` is the number of nodes
    /// touching that table: the clique expansion of a hyperedge, so that a node's total
    /// table weight does not grow with the number of other nodes touching the table.
    pub weight: f64,
    /// The shared tables, sorted.
    pub tables: Vec<ir::TableId>,
}

/// The undirected clustering view of a [`DepGraph`]: kernel nodes left out, ids renumbered.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterGraph {
    /// The graph, node `i` standing for `nodes[i]`.
    pub graph: WeightedGraph,
    /// Cluster index -> dependency-graph node.
    pub nodes: Vec<NodeId>,
    /// Dependency-graph node -> cluster index (`None` for kernel nodes).
    pub index: Vec<Option<u32>>,
}

#[derive(Debug, Clone)]
struct EdgeData {
    counts: [u32; 5],
    weight: f64,
}

/// The dependency graph.
#[derive(Debug, Clone)]
pub struct DepGraph {
    granularity: Granularity,
    graph: DiGraph<Node, EdgeData, u32>,
    item_node: Vec<Option<NodeId>>,
    module_nodes: Vec<Vec<NodeId>>,
    table_links: Vec<TableLink>,
    dropped_references: usize,
    plumbing: Vec<ir::ModuleId>,
    history_links: Vec<(NodeId, NodeId, f64)>,
}

/// The reason given for plumbing modules.
pub const PLUMBING_REASON: &str =
    "has no items of its own (only `mod` and `use` declarations), so it belongs to no context";

impl DepGraph {
    /// Builds the graph from facts, then marks the shared kernel.
    ///
    /// At item granularity, references that no item holds (module-level `use`) are dropped:
    /// an import is weak evidence, and each item that really uses the imported name has its
    /// own type or call reference. Their number is in [`DepGraph::dropped_references`].
    pub fn build(facts: &ir::Facts, options: &GraphOptions) -> DepGraph {
        let mut graph: DiGraph<Node, EdgeData, u32> = DiGraph::default();
        let mut item_node: Vec<Option<NodeId>> = vec![None; facts.items.len()];
        let mut module_nodes: Vec<Vec<NodeId>> = vec![Vec::new(); facts.modules.len()];
        match options.granularity {
            Granularity::Module => {
                for module in &facts.modules {
                    let id = NodeId(graph.node_count() as u32);
                    let mut items = module.items.clone();
                    items.sort();
                    for &item in &items {
                        item_node[item.index()] = Some(id);
                    }
                    graph.add_node(Node {
                        key: NodeKey::Module(module.id),
                        label: module.path.clone(),
                        module: module.id,
                        items,
                        code_lines: u64::from(module.code_lines),
                        kernel: None,
                    });
                    module_nodes[module.id.index()].push(id);
                }
                // Items not listed in their module's `items` (nested ones) still belong to it.
                for item in &facts.items {
                    if item_node[item.id.index()].is_none()
                        && item.module.index() < module_nodes.len()
                    {
                        let id = module_nodes[item.module.index()][0];
                        item_node[item.id.index()] = Some(id);
                        graph[NodeIndex::new(id.index())].items.push(item.id);
                    }
                }
                for node in graph.node_weights_mut() {
                    node.items.sort();
                }
            }
            Granularity::Item => {
                let owners: Vec<ir::ItemId> = facts
                    .items
                    .iter()
                    .map(|it| facts.owner_item(it.id))
                    .collect();
                for item in &facts.items {
                    if owners[item.id.index()] != item.id {
                        continue;
                    }
                    let id = NodeId(graph.node_count() as u32);
                    graph.add_node(Node {
                        key: NodeKey::Item(item.id),
                        label: item.path.clone(),
                        module: item.module,
                        items: Vec::new(),
                        code_lines: 0,
                        kernel: None,
                    });
                    module_nodes[item.module.index()].push(id);
                    item_node[item.id.index()] = Some(id);
                }
                for item in &facts.items {
                    let owner = owners[item.id.index()];
                    let Some(id) = item_node[owner.index()] else {
                        continue;
                    };
                    item_node[item.id.index()] = Some(id);
                    let node = &mut graph[NodeIndex::new(id.index())];
                    node.items.push(item.id);
                    // Methods are inside their impl or trait, whose lines already count them.
                    if item.kind != ir::ItemKind::Method {
                        node.code_lines += u64::from(item.code_lines);
                    }
                }
            }
        }

        let weights = options.weights;
        let kind_index = |kind: ir::DepKind| {
            ir::DepKind::ALL
                .iter()
                .position(|&k| k == kind)
                .unwrap_or(0)
        };
        let mut acc: BTreeMap<(NodeId, NodeId), [u32; 5]> = BTreeMap::new();
        let mut dropped_references = 0;
        for reference in &facts.references {
            let from = match options.granularity {
                Granularity::Module => module_nodes
                    .get(reference.from_module.index())
                    .and_then(|v| v.first().copied()),
                Granularity::Item => reference
                    .from_item
                    .and_then(|i| item_node.get(i.index()).copied().flatten()),
            };
            let to = item_node.get(reference.to.index()).copied().flatten();
            let (Some(from), Some(to)) = (from, to) else {
                dropped_references += 1;
                continue;
            };
            if from != to {
                acc.entry((from, to)).or_default()[kind_index(reference.kind)] += reference.count;
            }
        }

        // Tables: accessor -> owner edges (directed, for metrics) and co-access links.
        let mut touching: BTreeMap<ir::TableId, BTreeSet<NodeId>> = BTreeMap::new();
        let table_owner_nodes = |table: &ir::Table| -> Vec<NodeId> {
            let mut out = Vec::new();
            if let Some(def) = &table.defined_in {
                let node = match (options.granularity, def.item) {
                    (Granularity::Item, Some(item)) => {
                        item_node.get(item.index()).copied().flatten()
                    }
                    (Granularity::Item, None) => None,
                    (Granularity::Module, _) => module_nodes
                        .get(def.module.index())
                        .and_then(|v| v.first().copied()),
                };
                out.extend(node);
            }
            for &item in &table.mapped_by {
                out.extend(item_node.get(item.index()).copied().flatten());
            }
            out.sort();
            out.dedup();
            out
        };
        let owner_nodes: Vec<Vec<NodeId>> = facts.tables.iter().map(table_owner_nodes).collect();
        // A node that declares several tables (a diesel `schema.rs` at module granularity) is
        // a hub, not evidence that the tables' users belong together: it takes part in no
        // table link. Mapping models and single `table!` items do.
        let mut declared: BTreeMap<NodeId, usize> = BTreeMap::new();
        for owners in &owner_nodes {
            for &n in owners {
                *declared.entry(n).or_default() += 1;
            }
        }
        for (table, owners) in facts.tables.iter().zip(&owner_nodes) {
            let entry = touching.entry(table.id).or_default();
            entry.extend(owners.iter().copied().filter(|n| declared[n] == 1));
        }
        for access in &facts.table_accesses {
            let accessor = match options.granularity {
                Granularity::Module => module_nodes
                    .get(access.module.index())
                    .and_then(|v| v.first().copied()),
                Granularity::Item => access
                    .item
                    .and_then(|i| item_node.get(i.index()).copied().flatten()),
            };
            let Some(accessor) = accessor else {
                continue;
            };
            let Some(owners) = owner_nodes.get(access.table.index()) else {
                continue;
            };
            touching.entry(access.table).or_default().insert(accessor);
            for &owner in owners {
                if owner != accessor {
                    acc.entry((accessor, owner)).or_default()[kind_index(ir::DepKind::Table)] +=
                        access.count;
                }
            }
        }
        let mut links: BTreeMap<(NodeId, NodeId), (f64, Vec<ir::TableId>)> = BTreeMap::new();
        for (&table, nodes) in &touching {
            if nodes.len() < 2 {
                continue;
            }
            let nodes: Vec<NodeId> = nodes.iter().copied().collect();
            let w = weights.table / (nodes.len() - 1) as f64;
            for (i, &a) in nodes.iter().enumerate() {
                for &b in &nodes[i + 1..] {
                    let e = links.entry((a, b)).or_insert((0.0, Vec::new()));
                    e.0 += w;
                    e.1.push(table);
                }
            }
        }
        let table_links = links
            .into_iter()
            .map(|((a, b), (weight, tables))| TableLink {
                a,
                b,
                weight,
                tables,
            })
            .collect();

        for ((from, to), counts) in acc {
            let weight = ir::DepKind::ALL
                .iter()
                .zip(counts)
                .filter(|(kind, _)| **kind != ir::DepKind::Table)
                .map(|(&kind, count)| options.dampening.apply(weights.get(kind), count))
                .sum();
            graph.add_edge(
                NodeIndex::new(from.index()),
                NodeIndex::new(to.index()),
                EdgeData { counts, weight },
            );
        }

        let history_links = history_links(&module_nodes, options);
        let mut dep = DepGraph {
            granularity: options.granularity,
            graph,
            item_node,
            module_nodes,
            table_links,
            dropped_references,
            plumbing: Vec::new(),
            history_links,
        };
        if options.kernel.plumbing {
            dep.plumbing = facts
                .modules
                .iter()
                .filter(|m| m.items.is_empty())
                .map(|m| m.id)
                .collect();
            if options.granularity == Granularity::Module {
                for &m in &dep.plumbing {
                    if let Some(&node) = dep.module_nodes[m.index()].first()
                        && dep.graph[NodeIndex::new(node.index())].items.is_empty()
                    {
                        dep.graph[NodeIndex::new(node.index())].kernel =
                            Some(PLUMBING_REASON.to_owned());
                    }
                }
            }
        }
        if options.kernel.enabled {
            for (node, reason) in kernel::detect(facts, &dep, &options.kernel) {
                let kernel = &mut dep.graph[NodeIndex::new(node.index())].kernel;
                if kernel.is_none() {
                    *kernel = Some(reason);
                }
            }
        }
        dep
    }

    /// The granularity it was built at.
    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// A node.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.graph[NodeIndex::new(id.index())]
    }

    /// All node ids, in order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.graph.node_count() as u32).map(NodeId)
    }

    /// The node an item is folded into.
    pub fn node_of_item(&self, item: ir::ItemId) -> Option<NodeId> {
        self.item_node.get(item.index()).copied().flatten()
    }

    /// The nodes of a module: one at module granularity; its owner items at item granularity.
    pub fn nodes_of_module(&self, module: ir::ModuleId) -> &[NodeId] {
        self.module_nodes
            .get(module.index())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether a node is in the shared kernel.
    pub fn is_kernel(&self, id: NodeId) -> bool {
        self.node(id).kernel.is_some()
    }

    /// Kernel nodes, in order.
    pub fn kernel_nodes(&self) -> Vec<NodeId> {
        self.node_ids().filter(|&n| self.is_kernel(n)).collect()
    }

    /// Every directed edge, sorted by (from, to).
    pub fn edges(&self) -> impl Iterator<Item = DepEdge> + '_ {
        self.graph.edge_references().map(|e| DepEdge {
            from: NodeId(e.source().index() as u32),
            to: NodeId(e.target().index() as u32),
            counts: e.weight().counts,
            weight: e.weight().weight,
        })
    }

    /// Edges leaving a node (its efferent dependencies).
    pub fn out_edges(&self, id: NodeId) -> Vec<DepEdge> {
        self.incident(id, petgraph::Direction::Outgoing)
    }

    /// Edges entering a node (its afferent dependencies).
    pub fn in_edges(&self, id: NodeId) -> Vec<DepEdge> {
        self.incident(id, petgraph::Direction::Incoming)
    }

    fn incident(&self, id: NodeId, dir: petgraph::Direction) -> Vec<DepEdge> {
        let mut out: Vec<DepEdge> = self
            .graph
            .edges_directed(NodeIndex::new(id.index()), dir)
            .map(|e| DepEdge {
                from: NodeId(e.source().index() as u32),
                to: NodeId(e.target().index() as u32),
                counts: e.weight().counts,
                weight: e.weight().weight,
            })
            .collect();
        out.sort_by_key(|e| (e.from, e.to));
        out
    }

    /// Links between nodes touching the same tables, sorted by (a, b).
    pub fn table_links(&self) -> &[TableLink] {
        &self.table_links
    }

    /// Modules without items of their own (when [`crate::KernelOptions::plumbing`] is on),
    /// sorted: kernel nodes at module granularity, node-less at item granularity.
    pub fn plumbing_modules(&self) -> &[ir::ModuleId] {
        &self.plumbing
    }

    /// References left out because no node holds them (see [`DepGraph::build`]).
    pub fn dropped_references(&self) -> usize {
        self.dropped_references
    }

    /// The undirected weight between every pair of connected nodes (both directions of
    /// dependency edges plus table links), including kernel nodes, as `(a, b, w)` with
    /// `a < b`, sorted.
    pub fn undirected_edges(&self) -> Vec<(NodeId, NodeId, f64)> {
        let mut acc: BTreeMap<(NodeId, NodeId), f64> = BTreeMap::new();
        for e in self.edges() {
            let key = if e.from < e.to {
                (e.from, e.to)
            } else {
                (e.to, e.from)
            };
            if e.weight > 0.0 {
                *acc.entry(key).or_default() += e.weight;
            }
        }
        for link in &self.table_links {
            *acc.entry((link.a, link.b)).or_default() += link.weight;
        }
        acc.into_iter().map(|((a, b), w)| (a, b, w)).collect()
    }

    /// The clustering view: undirected, kernel nodes left out.
    pub fn cluster_graph(&self) -> ClusterGraph {
        self.cluster_graph_without(&[])
    }

    /// The clustering view without the kernel and without `excluded` (sorted).
    pub fn cluster_graph_without(&self, excluded: &[NodeId]) -> ClusterGraph {
        self.cluster_graph_of(|id| !self.is_kernel(id) && excluded.binary_search(&id).is_err())
    }

    /// The clustering view of the nodes `keep` accepts (kernel or not), renumbered in order.
    pub fn cluster_graph_of(&self, keep: impl Fn(NodeId) -> bool) -> ClusterGraph {
        self.cluster_view(keep, false)
    }

    fn cluster_view(&self, keep: impl Fn(NodeId) -> bool, history: bool) -> ClusterGraph {
        let mut index = vec![None; self.node_count()];
        let mut nodes = Vec::new();
        for id in self.node_ids() {
            if keep(id) {
                index[id.index()] = Some(nodes.len() as u32);
                nodes.push(id);
            }
        }
        let edges: Vec<(u32, u32, f64)> = self
            .undirected_edges()
            .into_iter()
            .chain(if history {
                self.history_links.clone()
            } else {
                Vec::new()
            })
            .filter_map(|(a, b, w)| Some((index[a.index()]?, index[b.index()]?, w)))
            .collect();
        ClusterGraph {
            graph: WeightedGraph::from_edges(nodes.len(), edges),
            nodes,
            index,
        }
    }

    /// [`DepGraph::cluster_graph_of`] plus the change-coupling links of
    /// [`GraphOptions::co_change`]: the graph the clustering runs on when history is used.
    /// Without history it is the same graph.
    pub fn cluster_graph_with_history_of(&self, keep: impl Fn(NodeId) -> bool) -> ClusterGraph {
        self.cluster_view(keep, true)
    }

    /// The change-coupling links between nodes, `(a, b, w)` with `a < b`, sorted, `w`
    /// already multiplied by [`GraphOptions::history_weight`] and spread over item pairs
    /// (see [`GraphOptions::co_change`]). Empty without history.
    pub fn history_links(&self) -> &[(NodeId, NodeId, f64)] {
        &self.history_links
    }

    /// Strongly connected components with more than one node, each sorted, sorted by their
    /// first node.
    pub fn cycles(&self) -> Vec<Vec<NodeId>> {
        let edges: Vec<(u32, u32)> = self.edges().map(|e| (e.from.0, e.to.0)).collect();
        crate::scc::nontrivial_sccs(self.node_count(), &edges)
            .into_iter()
            .map(|c| c.into_iter().map(NodeId).collect())
            .collect()
    }

    /// A deterministic text dump, for snapshots and `seamline debug graph`.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        let n_kernel = self.kernel_nodes().len();
        let _ = writeln!(
            out,
            "granularity {}: {} nodes ({} kernel), {} edges, {} table links, {} references dropped",
            self.granularity.as_str(),
            self.node_count(),
            n_kernel,
            self.graph.edge_count(),
            self.table_links.len(),
            self.dropped_references
        );
        for id in self.node_ids() {
            let node = self.node(id);
            let _ = write!(
                out,
                "n{} {} ({} items, {} lines)",
                id.0,
                node.label,
                node.items.len(),
                node.code_lines
            );
            if let Some(reason) = &node.kernel {
                let _ = write!(out, " KERNEL: {reason}");
            }
            out.push('\n');
        }
        for e in self.edges() {
            let _ = write!(out, "n{} -> n{} w={:.3}", e.from.0, e.to.0, e.weight);
            for (kind, count) in ir::DepKind::ALL.iter().zip(e.counts) {
                if count > 0 {
                    let _ = write!(out, " {kind}={count}");
                }
            }
            out.push('\n');
        }
        for link in &self.table_links {
            let tables: Vec<String> = link.tables.iter().map(|t| format!("t{}", t.0)).collect();
            let _ = writeln!(
                out,
                "n{} -- n{} w={:.3} tables={}",
                link.a.0,
                link.b.0,
                link.weight,
                tables.join(",")
            );
        }
        for &(a, b, w) in &self.history_links {
            let _ = writeln!(out, "n{} ~~ n{} w={w:.3} history", a.0, b.0);
        }
        for cycle in self.cycles() {
            let names: Vec<String> = cycle.iter().map(|n| format!("n{}", n.0)).collect();
            let _ = writeln!(out, "cycle {}", names.join(" "));
        }
        out
    }
}

/// Node-level links from [`GraphOptions::co_change`]: each module pair's weight times
/// `history_weight`, spread evenly over the pairs of their nodes; summed per node pair.
fn history_links(
    module_nodes: &[Vec<NodeId>],
    options: &GraphOptions,
) -> Vec<(NodeId, NodeId, f64)> {
    let mut acc: BTreeMap<(NodeId, NodeId), f64> = BTreeMap::new();
    let scale = options.history_weight;
    if !(scale.is_finite() && scale > 0.0) {
        return Vec::new();
    }
    for &(a, b, w) in &options.co_change {
        if a == b || !(w.is_finite() && w > 0.0) {
            continue;
        }
        let (Some(na), Some(nb)) = (module_nodes.get(a.index()), module_nodes.get(b.index()))
        else {
            continue;
        };
        if na.is_empty() || nb.is_empty() {
            continue;
        }
        let per_pair = scale * w / (na.len() * nb.len()) as f64;
        for &x in na {
            for &y in nb {
                if x != y {
                    *acc.entry((x.min(y), x.max(y))).or_default() += per_pair;
                }
            }
        }
    }
    acc.into_iter().map(|((a, b), w)| (a, b, w)).collect()
}
