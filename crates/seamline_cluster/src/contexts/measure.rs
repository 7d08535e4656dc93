//! Turns a labelling of the dependency graph's nodes into a measured [`Proposal`]: the
//! context of every module and item, context edges with evidence, cycles, shared models and
//! tables, and every metric. Formulas are in `docs/metrics.md` and on
//! [`seamline_graph::metrics`].

use std::collections::{BTreeMap, BTreeSet};

use seamline_graph::{ClusterGraph, DepGraph, NodeId, Partition};
use seamline_ir as ir;

use super::map::{ContextMap, Measures};
use super::{Context, ContextId, ContextMetrics, DeadCode, PlanMetrics, Proposal, Provenance};

/// At most this many evidence entries are kept per context edge (the counts are complete).
pub const MAX_EVIDENCE: usize = 50;

/// NED's bounds for a codebase of `n` items: contexts of `5..=max(20, n / 4)` items are
/// non-extreme. Jin et al. used 5..20 classes on applications of about 100 classes; the
/// upper bound grows with the codebase so that a 2,000-item monolith split in 8 balanced
/// contexts is not called extreme.
pub fn ned_bounds(n_items: usize) -> (usize, usize) {
    (5, 20.max(n_items / 4))
}

/// Everything [`build`] needs besides facts and graph.
pub(crate) struct Labelling<'a> {
    /// Context of each dependency-graph node (`None`: kernel or unassigned), `0..k`.
    pub node_label: &'a [Option<u32>],
    /// Names, indexed by label.
    pub names: &'a [String],
    /// Whether each label's name was declared by a pin.
    pub declared: &'a [bool],
    /// Whether each item answers requests (`endpoints[item.index()]`, see
    /// [`super::shape::is_endpoint`]).
    pub endpoints: &'a [bool],
    /// Nodes set aside after clustering (wiring, generic items), with their reason; they
    /// count as kernel.
    pub extra_kernel: &'a BTreeMap<NodeId, String>,
    /// Groups of nodes nothing refers to (possibly dead code), with their reason.
    pub dead: &'a [(Vec<NodeId>, String)],
}

/// Builds the proposal. Contexts are sorted by name.
pub(crate) fn build(
    facts: &ir::Facts,
    graph: &DepGraph,
    cluster: &ClusterGraph,
    labelling: &Labelling<'_>,
    provenance: Provenance,
    constraint_notes: Vec<String>,
) -> Proposal {
    let k = labelling.names.len();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| labelling.names[a].cmp(&labelling.names[b]).then(a.cmp(&b)));
    let mut new_of_old = vec![0u32; k];
    for (new, &old) in order.iter().enumerate() {
        new_of_old[old] = new as u32;
    }
    let node_ctx: Vec<Option<u32>> = labelling
        .node_label
        .iter()
        .map(|l| {
            l.filter(|&l| (l as usize) < k)
                .map(|l| new_of_old[l as usize])
        })
        .collect();
    let ctx_of_node = |n: NodeId| node_ctx.get(n.index()).copied().flatten();
    // A kernel node with a context was pinned there: it is no longer kernel.
    let is_kernel = |n: NodeId| {
        (graph.is_kernel(n) && ctx_of_node(n).is_none()) || labelling.extra_kernel.contains_key(&n)
    };
    let kernel_reason = |n: NodeId| -> Option<&str> {
        graph
            .node(n)
            .kernel
            .as_deref()
            .or_else(|| labelling.extra_kernel.get(&n).map(String::as_str))
    };
    let plumbing: BTreeSet<ir::ModuleId> = graph.plumbing_modules().iter().copied().collect();
    let map = ContextMap::new(facts, graph, &node_ctx);

    // Kernel modules: the modules all of whose nodes are kernel, and plumbing.
    let mut kernel_modules = Vec::new();
    let mut kernel_reasons = Vec::new();
    for module in &facts.modules {
        let nodes = graph.nodes_of_module(module.id);
        if nodes.is_empty() {
            // Plumbing (`mod` and `use` only) that the map did not place with its children:
            // a crate root, or a layer over several contexts or over the kernel.
            if plumbing.contains(&module.id) && map.module_context[module.id.index()].is_none() {
                kernel_modules.push(module.id);
                kernel_reasons.push(format!("{}.", seamline_graph::PLUMBING_REASON));
            }
            continue;
        }
        if nodes.iter().all(|&n| is_kernel(n)) {
            kernel_modules.push(module.id);
            // One reason when the module as a whole was set aside (or has one node); else
            // the reasons of its first three nodes, each with the node's name.
            let distinct: BTreeSet<&str> = nodes.iter().filter_map(|&n| kernel_reason(n)).collect();
            let reasons: Vec<String> = if distinct.len() == 1 {
                distinct.iter().map(|r| (*r).to_owned()).collect()
            } else {
                nodes
                    .iter()
                    .take(3)
                    .filter_map(|&n| {
                        let node = graph.node(n);
                        let reason = kernel_reason(n)?;
                        let name = node.label.rsplit("::").next().unwrap_or(&node.label);
                        Some(format!("`{name}` {reason}"))
                    })
                    .collect()
            };
            kernel_reasons.push(format!("{}.", reasons.join("; ")));
        }
    }
    let Measures {
        context_edges,
        cycles,
        shared_models,
        shared_tables,
        mut interface,
        afferent,
        efferent,
    } = map.measure(facts, k);

    // Graph metrics.
    let gm = seamline_graph::metrics::partition_metrics(graph, &node_ctx, k);
    let cluster_labels: Vec<u32> = cluster
        .nodes
        .iter()
        .enumerate()
        .map(|(i, &n)| ctx_of_node(n).unwrap_or(k as u32 + i as u32))
        .collect();
    // Q describes the code: measured without the change-coupling links that the clustering
    // may have used (same nodes, same order).
    let structural;
    let q_graph = if graph.history_links().is_empty() {
        &cluster.graph
    } else {
        structural = graph.cluster_graph_of(|id| cluster.index[id.index()].is_some());
        &structural.graph
    };
    let modularity = crate::modularity(q_graph, &Partition::from_labels(&cluster_labels), 1.0);
    let mut sizes = vec![0usize; k];
    let mut code_lines = vec![0u64; k];
    for id in graph.node_ids() {
        if let Some(c) = ctx_of_node(id) {
            sizes[c as usize] += super::constraints::node_size(facts, graph, id) as usize;
            code_lines[c as usize] += graph.node(id).code_lines;
        }
    }
    let mut ctx_modules: Vec<Vec<ir::ModuleId>> = vec![Vec::new(); k];
    for (m, c) in map.module_context.iter().enumerate() {
        if let Some(c) = c {
            ctx_modules[c.index()].push(ir::ModuleId(m as u32));
        }
    }
    let mut ctx_items: Vec<Vec<ir::ItemId>> = vec![Vec::new(); k];
    let mut owned_models: Vec<Vec<ir::ItemId>> = vec![Vec::new(); k];
    let mut endpoints: Vec<Vec<ir::ItemId>> = vec![Vec::new(); k];
    for (i, c) in map.item_context.iter().enumerate() {
        if let Some(c) = c {
            ctx_items[c.index()].push(ir::ItemId(i as u32));
            if labelling.endpoints[i] {
                endpoints[c.index()].push(ir::ItemId(i as u32));
            }
            let item = &facts.items[i];
            if item.kind.is_model() {
                owned_models[c.index()].push(item.id);
            }
        }
    }
    let mut owned_tables: Vec<Vec<ir::TableId>> = vec![Vec::new(); k];
    for (t, owner) in map.table_owners.iter().enumerate() {
        if let Some((c, _)) = owner {
            owned_tables[c.index()].push(ir::TableId(t as u32));
        }
    }
    let contexts: Vec<Context> = order
        .iter()
        .enumerate()
        .map(|(new, &old)| {
            let g = &gm.contexts[new];
            let (ca, ce) = (afferent[new].len(), efferent[new].len());
            Context {
                id: ContextId(new as u32),
                name: labelling.names[old].clone(),
                declared: labelling.declared.get(old).copied().unwrap_or(false),
                modules: std::mem::take(&mut ctx_modules[new]),
                items: std::mem::take(&mut ctx_items[new]),
                metrics: ContextMetrics {
                    modules: 0,
                    items: 0,
                    code_lines: code_lines[new],
                    cohesion: g.cohesion,
                    coupling: g.coupling,
                    afferent: ca,
                    efferent: ce,
                    instability: if ca + ce == 0 {
                        0.0
                    } else {
                        ce as f64 / (ca + ce) as f64
                    },
                    interface: std::mem::take(&mut interface[new]),
                    owned_models: std::mem::take(&mut owned_models[new]),
                    owned_tables: std::mem::take(&mut owned_tables[new]),
                    endpoints: std::mem::take(&mut endpoints[new]),
                    size: sizes[new],
                },
            }
        })
        .map(|mut c| {
            c.metrics.modules = c.modules.len();
            c.metrics.items = c.items.len();
            c
        })
        .collect();
    let interface_number = if k == 0 {
        0.0
    } else {
        contexts
            .iter()
            .map(|c| c.metrics.interface.len())
            .sum::<usize>() as f64
            / k as f64
    };
    let (lo, hi) = ned_bounds(sizes.iter().sum());
    let metrics = PlanMetrics {
        modularity,
        structural_modularity: gm.structural_modularity,
        inter_call_percentage: gm.inter_call_percentage,
        interface_number,
        non_extreme_distribution: seamline_graph::metrics::non_extreme_distribution(&sizes, lo, hi),
        shared_models,
        shared_tables,
        context_edges,
        cycles,
    };
    let possibly_dead = labelling
        .dead
        .iter()
        .map(|(nodes, reason)| {
            let mut items: Vec<ir::ItemId> = nodes
                .iter()
                .flat_map(|&n| graph.node(n).items.iter().copied())
                .collect();
            items.sort_unstable();
            items.dedup();
            let set: BTreeSet<NodeId> = nodes.iter().copied().collect();
            let mut modules: Vec<ir::ModuleId> =
                nodes.iter().map(|&n| graph.node(n).module).collect();
            modules.sort_unstable();
            modules.dedup();
            modules.retain(|&m| graph.nodes_of_module(m).iter().all(|n| set.contains(n)));
            DeadCode {
                code_lines: nodes.iter().map(|&n| graph.node(n).code_lines).sum(),
                items,
                modules,
                reason: reason.clone(),
            }
        })
        .collect();
    Proposal {
        contexts,
        map,
        kernel_modules,
        kernel_reasons,
        provenance,
        metrics,
        constraint_notes,
        possibly_dead,
    }
}
