//! Turns a labelling of the dependency graph's nodes into a measured [`Proposal`]: the
//! context of every module and item, context edges with evidence, cycles, shared models and
//! tables, and every metric. Formulas are in `docs/metrics.md` and on
//! [`seamline_graph::metrics`].

use std::collections::{BTreeMap, BTreeSet};

use seamline_graph::{ClusterGraph, DepGraph, NodeId, Partition};
use seamline_ir as ir;

use super::{
    Context, ContextCycle, ContextEdge, ContextId, ContextMetrics, DeadCode, EdgeEvidence,
    PlanMetrics, Proposal, Provenance, SharedModel, SharedTable,
};

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

    let item_context: Vec<Option<ContextId>> = facts
        .items
        .iter()
        .map(|it| {
            graph
                .node_of_item(it.id)
                .and_then(ctx_of_node)
                .map(ContextId)
        })
        .collect();

    // Modules: kernel if all their nodes are kernel; otherwise the context holding most of
    // their lines; modules without nodes follow their children, by lines.
    let mut module_context: Vec<Option<ContextId>> = vec![None; facts.modules.len()];
    let mut kernel_modules = Vec::new();
    let mut kernel_reasons = Vec::new();
    for module in &facts.modules {
        let nodes = graph.nodes_of_module(module.id);
        if nodes.is_empty() {
            // Plumbing (`mod` and `use` only) follows its children below when they are all
            // in one context: `controllers/user/mod.rs` is part of the user domain's
            // handlers. Over several contexts, or none, it is kernel.
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
            continue;
        }
        let mut lines: BTreeMap<u32, u64> = BTreeMap::new();
        for &n in nodes {
            if let Some(c) = ctx_of_node(n) {
                *lines.entry(c).or_default() += graph.node(n).code_lines.max(1);
            }
        }
        module_context[module.id.index()] = majority(&lines).map(ContextId);
    }
    let kernel_set: BTreeSet<ir::ModuleId> = kernel_modules.iter().copied().collect();
    for module in facts.modules.iter().rev() {
        if !graph.nodes_of_module(module.id).is_empty() || kernel_set.contains(&module.id) {
            continue;
        }
        let mut lines: BTreeMap<u32, u64> = BTreeMap::new();
        for child in facts.modules.iter().filter(|m| m.parent == Some(module.id)) {
            if let Some(c) = module_context[child.id.index()] {
                *lines.entry(c.0).or_default() += u64::from(child.code_lines).max(1);
            }
        }
        let children_in_kernel = facts
            .modules
            .iter()
            .any(|m| m.parent == Some(module.id) && kernel_set.contains(&m.id));
        if plumbing.contains(&module.id)
            && (lines.len() != 1 || children_in_kernel || module.parent.is_none())
        {
            // A crate root, or a layer's `mod.rs` over several domains or over the kernel
            // (`routes/mod.rs`), belongs to none.
            kernel_modules.push(module.id);
            kernel_reasons.push(format!("{}.", seamline_graph::PLUMBING_REASON));
            continue;
        }
        module_context[module.id.index()] = majority(&lines).map(ContextId);
    }
    // In module order, as the other kernel modules.
    let mut kernel_pairs: Vec<(ir::ModuleId, String)> =
        kernel_modules.into_iter().zip(kernel_reasons).collect();
    kernel_pairs.sort_by_key(|(m, _)| *m);
    let (kernel_modules, kernel_reasons): (Vec<ir::ModuleId>, Vec<String>) =
        kernel_pairs.into_iter().unzip();

    // Context edges with evidence.
    let ref_source = |module: ir::ModuleId, item: Option<ir::ItemId>| -> Option<ContextId> {
        match item {
            Some(i) => item_context.get(i.index()).copied().flatten(),
            None => module_context.get(module.index()).copied().flatten(),
        }
    };
    let owners = super::shape::table_owners(facts, graph, &node_ctx);
    let table_owner: Vec<Option<ContextId>> = owners
        .iter()
        .map(|o| o.map(|o| ContextId(o.label)))
        .collect();
    let mut edges: BTreeMap<(ContextId, ContextId), ([u32; 5], Vec<EdgeEvidence>)> =
        BTreeMap::new();
    let mut interface: Vec<BTreeSet<ir::ItemId>> = vec![BTreeSet::new(); k];
    let kind_index = |kind: ir::DepKind| {
        ir::DepKind::ALL
            .iter()
            .position(|&x| x == kind)
            .unwrap_or(0)
    };
    for r in &facts.references {
        let (Some(from), Some(to)) = (
            ref_source(r.from_module, r.from_item),
            item_context.get(r.to.index()).copied().flatten(),
        ) else {
            continue;
        };
        if from == to {
            continue;
        }
        interface[to.index()].insert(r.to);
        let e = edges.entry((from, to)).or_default();
        e.0[kind_index(r.kind)] += r.count;
        e.1.push(EdgeEvidence {
            from_module: r.from_module,
            from_item: r.from_item,
            to_item: Some(r.to),
            table: None,
            kind: r.kind,
            count: r.count,
            location: r.first,
        });
    }
    for a in &facts.table_accesses {
        let (Some(from), Some(to)) = (
            ref_source(a.module, a.item),
            table_owner.get(a.table.index()).copied().flatten(),
        ) else {
            continue;
        };
        if from == to {
            continue;
        }
        let e = edges.entry((from, to)).or_default();
        e.0[kind_index(ir::DepKind::Table)] += a.count;
        e.1.push(EdgeEvidence {
            from_module: a.module,
            from_item: a.item,
            to_item: None,
            table: Some(a.table),
            kind: ir::DepKind::Table,
            count: a.count,
            location: a.first,
        });
    }
    let context_edges: Vec<ContextEdge> = edges
        .into_iter()
        .map(|((from, to), (counts, mut evidence))| {
            evidence.sort_by(|a, b| {
                (
                    a.location,
                    a.from_module,
                    a.from_item,
                    a.to_item,
                    a.table,
                    a.kind,
                )
                    .cmp(&(
                        b.location,
                        b.from_module,
                        b.from_item,
                        b.to_item,
                        b.table,
                        b.kind,
                    ))
            });
            evidence.truncate(MAX_EVIDENCE);
            ContextEdge {
                from,
                to,
                counts,
                evidence,
            }
        })
        .collect();
    let pairs: Vec<(u32, u32)> = context_edges.iter().map(|e| (e.from.0, e.to.0)).collect();
    let cycles: Vec<ContextCycle> = seamline_graph::nontrivial_sccs(k, &pairs)
        .into_iter()
        .map(|members| {
            let set: BTreeSet<u32> = members.iter().copied().collect();
            ContextCycle {
                contexts: members.iter().map(|&c| ContextId(c)).collect(),
                edges: context_edges
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| set.contains(&e.from.0) && set.contains(&e.to.0))
                    .map(|(i, _)| i)
                    .collect(),
            }
        })
        .collect();

    // Shared models: a model (or one of its methods) referenced from a context other than
    // its own; kernel models when referenced from two contexts or more.
    let mut users: BTreeMap<ir::ItemId, BTreeSet<ContextId>> = BTreeMap::new();
    for r in &facts.references {
        let model = facts.owner_item(r.to);
        if !facts.items[model.index()].kind.is_model() {
            continue;
        }
        if let Some(from) = ref_source(r.from_module, r.from_item) {
            users.entry(model).or_default().insert(from);
        }
    }
    let shared_models: Vec<SharedModel> = users
        .into_iter()
        .filter_map(|(model, users)| {
            let owner = item_context[model.index()];
            let used_by: Vec<ContextId> = users
                .iter()
                .copied()
                .filter(|&c| Some(c) != owner)
                .collect();
            let shared = match owner {
                Some(_) => !used_by.is_empty(),
                None => used_by.len() >= 2,
            };
            shared.then_some(SharedModel {
                model,
                owner,
                used_by,
            })
        })
        .collect();

    // Shared tables.
    let mut table_use: BTreeMap<ir::TableId, BTreeMap<ContextId, (u32, u32)>> = BTreeMap::new();
    for a in &facts.table_accesses {
        if let Some(c) = ref_source(a.module, a.item) {
            let e = table_use.entry(a.table).or_default().entry(c).or_default();
            match a.mode {
                ir::AccessMode::Read => e.0 += a.count,
                ir::AccessMode::Write => e.1 += a.count,
            }
        }
    }
    for (t, owner) in table_owner.iter().enumerate() {
        if let Some(owner) = owner {
            table_use
                .entry(ir::TableId(t as u32))
                .or_default()
                .entry(*owner)
                .or_default();
        }
    }
    let shared_tables: Vec<SharedTable> = table_use
        .into_iter()
        .filter(|(_, by)| by.len() > 1)
        .map(|(table, by)| SharedTable {
            table,
            owner: table_owner[table.index()],
            owner_reason: owners[table.index()].map(|o| o.reason),
            accesses: by.into_iter().map(|(c, (r, w))| (c, r, w)).collect(),
        })
        .collect();

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
    let mut afferent: Vec<BTreeSet<ContextId>> = vec![BTreeSet::new(); k];
    let mut efferent: Vec<BTreeSet<ContextId>> = vec![BTreeSet::new(); k];
    for e in &context_edges {
        efferent[e.from.index()].insert(e.to);
        afferent[e.to.index()].insert(e.from);
    }
    let mut sizes = vec![0usize; k];
    let mut code_lines = vec![0u64; k];
    for id in graph.node_ids() {
        if let Some(c) = ctx_of_node(id) {
            sizes[c as usize] += super::constraints::node_size(facts, graph, id) as usize;
            code_lines[c as usize] += graph.node(id).code_lines;
        }
    }
    let mut ctx_modules: Vec<Vec<ir::ModuleId>> = vec![Vec::new(); k];
    for (m, c) in module_context.iter().enumerate() {
        if let Some(c) = c {
            ctx_modules[c.index()].push(ir::ModuleId(m as u32));
        }
    }
    let mut ctx_items: Vec<Vec<ir::ItemId>> = vec![Vec::new(); k];
    let mut owned_models: Vec<Vec<ir::ItemId>> = vec![Vec::new(); k];
    let mut endpoints: Vec<Vec<ir::ItemId>> = vec![Vec::new(); k];
    for (i, c) in item_context.iter().enumerate() {
        if let Some(c) = c {
            ctx_items[c.index()].push(ir::ItemId(i as u32));
            if super::shape::is_endpoint(facts, ir::ItemId(i as u32)) {
                endpoints[c.index()].push(ir::ItemId(i as u32));
            }
            let item = &facts.items[i];
            if item.kind.is_model() {
                owned_models[c.index()].push(item.id);
            }
        }
    }
    let mut owned_tables: Vec<Vec<ir::TableId>> = vec![Vec::new(); k];
    for (t, owner) in table_owner.iter().enumerate() {
        if let Some(c) = owner {
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
                    interface: interface[new].iter().copied().collect(),
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
        module_context,
        item_context,
        kernel_modules,
        kernel_reasons,
        provenance,
        metrics,
        constraint_notes,
        table_owners: owners
            .iter()
            .map(|o| o.map(|o| (ContextId(o.label), o.reason)))
            .collect(),
        possibly_dead,
    }
}

fn majority(lines: &BTreeMap<u32, u64>) -> Option<u32> {
    let mut best: Option<(u32, u64)> = None;
    for (&c, &l) in lines {
        if best.is_none_or(|(_, bl)| l > bl) {
            best = Some((c, l));
        }
    }
    best.map(|(c, _)| c)
}
