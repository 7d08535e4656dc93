//! The context map: which context every module, item and table belongs to, and every
//! reference that crosses a context boundary ([`Crossing`]) with the place that makes it.
//!
//! This is the one home of "who depends on whom across a boundary": the proposal's context
//! edges, cycles, shared models and tables are measured from it ([`ContextMap::measure`]),
//! the plan reads its crossings, and `check` builds one for the contexts declared in
//! `seamline.toml`, so that `analyze` and `check` cannot disagree on the same assignment.
//!
//! The facts must be valid ([`ir::Facts::validate`]): ids are indexed directly.

use std::collections::{BTreeMap, BTreeSet};

use seamline_graph::{DepGraph, NodeId};
use seamline_ir::{self as ir, ContextId};

use super::{
    ContextCycle, ContextEdge, EdgeEvidence, MAX_EVIDENCE, OwnerReason, SharedModel, SharedTable,
};

/// Modules, items and tables assigned to contexts, and the crossings that follow.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextMap {
    /// The context of every module (`module_context[module.index()]`); `None` for the kernel
    /// and for modules no context holds. A module whose nodes are in several contexts belongs
    /// to the one holding most of its lines; a module without nodes follows its children.
    pub module_context: Vec<Option<ContextId>>,
    /// The context of every item (`item_context[item.index()]`): its node's; `None` for the
    /// kernel and for items no context holds.
    pub item_context: Vec<Option<ContextId>>,
    /// The owner of every table (`table_owners[table.index()]`) and why: the context that
    /// writes it most ([`super::table_owners`]); `None` when no context touches, declares or
    /// maps it.
    pub table_owners: Vec<Option<(ContextId, OwnerReason)>>,
    /// Every reference and table access from code of one context to another context (kernel
    /// and unassigned code never cross), in the order of the facts: references, then table
    /// accesses.
    pub crossings: Vec<Crossing>,
}

/// One reference (or table access) from code of one context to another context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Crossing {
    /// Depending context.
    pub from: ContextId,
    /// Depended-on context (a table's owner for table accesses).
    pub to: ContextId,
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
    /// Whether a table access writes.
    pub writes: bool,
    /// How many times.
    pub count: u32,
}

/// What [`ContextMap::measure`] derives from the crossings.
#[derive(Debug, Clone, PartialEq)]
pub struct Measures {
    /// Directed context -> context dependencies with evidence (capped at [`MAX_EVIDENCE`]).
    pub context_edges: Vec<ContextEdge>,
    /// Strongly connected components of the context graph with more than one context.
    pub cycles: Vec<ContextCycle>,
    /// Models used from a context other than their own; kernel models used by two contexts
    /// or more.
    pub shared_models: Vec<SharedModel>,
    /// Tables touched by more than one context (the owner counts as touching).
    pub shared_tables: Vec<SharedTable>,
    /// Per context: its items used from other contexts (its de-facto API), sorted.
    pub interface: Vec<Vec<ir::ItemId>>,
    /// Per context: the contexts depending on it (Ca).
    pub afferent: Vec<BTreeSet<ContextId>>,
    /// Per context: the contexts it depends on (Ce).
    pub efferent: Vec<BTreeSet<ContextId>>,
}

impl ContextMap {
    /// The map of a labelling of `graph`'s nodes with contexts `0..n` (`None`: kernel or
    /// unassigned): items take their node's context, modules the context holding most of
    /// their lines (modules without nodes follow their children; plumbing only when they are all
    /// in one context), tables
    /// their main writer, and every reference or table access between two contexts is a
    /// crossing.
    pub fn new(facts: &ir::Facts, graph: &DepGraph, node_context: &[Option<u32>]) -> ContextMap {
        let ctx_of_node = |n: NodeId| node_context[n.index()].map(ContextId);
        let item_context: Vec<Option<ContextId>> = facts
            .items
            .iter()
            .map(|it| graph.node_of_item(it.id).and_then(ctx_of_node))
            .collect();
        let plumbing: BTreeSet<ir::ModuleId> = graph.plumbing_modules().iter().copied().collect();
        let mut module_context: Vec<Option<ContextId>> = vec![None; facts.modules.len()];
        for module in &facts.modules {
            let mut lines: BTreeMap<ContextId, u64> = BTreeMap::new();
            for &n in graph.nodes_of_module(module.id) {
                if let Some(c) = ctx_of_node(n) {
                    *lines.entry(c).or_default() += graph.node(n).code_lines.max(1);
                }
            }
            module_context[module.id.index()] = majority(&lines);
        }
        // Modules without nodes follow their children. Plumbing (`mod` and `use` only) follows
        // them too when they are all in one context (`controllers/user/mod.rs` is part of the
        // user domain's handlers); a crate root, or a layer's `mod.rs` over several contexts
        // or over the kernel (`routes/mod.rs`), belongs to none.
        let mut children: Vec<Vec<&ir::Module>> = vec![Vec::new(); facts.modules.len()];
        for m in &facts.modules {
            if let Some(p) = m.parent {
                children[p.index()].push(m);
            }
        }
        for module in facts.modules.iter().rev() {
            if !graph.nodes_of_module(module.id).is_empty() {
                continue;
            }
            let mut lines: BTreeMap<ContextId, u64> = BTreeMap::new();
            let mut children_in_kernel = false;
            for child in &children[module.id.index()] {
                match module_context[child.id.index()] {
                    Some(c) => *lines.entry(c).or_default() += u64::from(child.code_lines).max(1),
                    None => children_in_kernel |= !graph.nodes_of_module(child.id).is_empty(),
                }
            }
            if plumbing.contains(&module.id)
                && (lines.len() != 1 || children_in_kernel || module.parent.is_none())
            {
                continue;
            }
            module_context[module.id.index()] = majority(&lines);
        }
        let table_owners: Vec<Option<(ContextId, OwnerReason)>> =
            super::shape::table_owners(facts, graph, node_context)
                .into_iter()
                .map(|o| o.map(|o| (ContextId(o.label), o.reason)))
                .collect();
        let mut map = ContextMap {
            module_context,
            item_context,
            table_owners,
            crossings: Vec::new(),
        };
        map.crossings = map.find_crossings(facts);
        map
    }

    /// The context of the code at (module, item): the item's, or the module's for code no
    /// item holds (a module-level `use`).
    pub fn code_context(
        &self,
        module: ir::ModuleId,
        item: Option<ir::ItemId>,
    ) -> Option<ContextId> {
        match item {
            Some(i) => self.item_context[i.index()],
            None => self.module_context[module.index()],
        }
    }

    /// The owner of a table, if any.
    pub fn table_owner(&self, table: ir::TableId) -> Option<ContextId> {
        self.table_owners[table.index()].map(|(c, _)| c)
    }

    fn find_crossings(&self, facts: &ir::Facts) -> Vec<Crossing> {
        let mut out = Vec::new();
        for r in &facts.references {
            if let (Some(from), Some(to)) = (
                self.code_context(r.from_module, r.from_item),
                self.item_context[r.to.index()],
            ) && from != to
            {
                out.push(Crossing {
                    from,
                    to,
                    location: r.first,
                    from_module: r.from_module,
                    from_item: r.from_item,
                    to_item: Some(r.to),
                    table: None,
                    kind: r.kind,
                    writes: false,
                    count: r.count,
                });
            }
        }
        for a in &facts.table_accesses {
            if let (Some(from), Some(to)) = (
                self.code_context(a.module, a.item),
                self.table_owner(a.table),
            ) && from != to
            {
                out.push(Crossing {
                    from,
                    to,
                    location: a.first,
                    from_module: a.module,
                    from_item: a.item,
                    to_item: None,
                    table: Some(a.table),
                    kind: ir::DepKind::Table,
                    writes: a.mode == ir::AccessMode::Write,
                    count: a.count,
                });
            }
        }
        out
    }

    /// The context graph of the crossings and what follows from it, for `n_contexts`
    /// contexts: edges with evidence, cycles, shared models and tables, interfaces, Ca and
    /// Ce.
    pub fn measure(&self, facts: &ir::Facts, n_contexts: usize) -> Measures {
        let k = n_contexts;
        let mut interface: Vec<BTreeSet<ir::ItemId>> = vec![BTreeSet::new(); k];
        let mut edges: BTreeMap<(ContextId, ContextId), ([u32; 5], Vec<EdgeEvidence>)> =
            BTreeMap::new();
        for c in &self.crossings {
            if let Some(to_item) = c.to_item {
                interface[c.to.index()].insert(to_item);
            }
            let e = edges.entry((c.from, c.to)).or_default();
            e.0[kind_index(c.kind)] += c.count;
            e.1.push(EdgeEvidence {
                from_module: c.from_module,
                from_item: c.from_item,
                to_item: c.to_item,
                table: c.table,
                kind: c.kind,
                count: c.count,
                location: c.location,
            });
        }
        let context_edges: Vec<ContextEdge> = edges
            .into_iter()
            .map(|((from, to), (counts, mut evidence))| {
                evidence.sort_by_key(|e| {
                    (
                        e.location,
                        e.from_module,
                        e.from_item,
                        e.to_item,
                        e.table,
                        e.kind,
                    )
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
        let mut afferent: Vec<BTreeSet<ContextId>> = vec![BTreeSet::new(); k];
        let mut efferent: Vec<BTreeSet<ContextId>> = vec![BTreeSet::new(); k];
        for e in &context_edges {
            efferent[e.from.index()].insert(e.to);
            afferent[e.to.index()].insert(e.from);
        }
        Measures {
            shared_models: self.shared_models(facts),
            shared_tables: self.shared_tables(facts),
            context_edges,
            cycles,
            interface: interface
                .into_iter()
                .map(|s| s.into_iter().collect())
                .collect(),
            afferent,
            efferent,
        }
    }

    /// A model (or one of its methods) referenced from a context other than its own; a
    /// kernel model when referenced from two contexts or more.
    fn shared_models(&self, facts: &ir::Facts) -> Vec<SharedModel> {
        let mut users: BTreeMap<ir::ItemId, BTreeSet<ContextId>> = BTreeMap::new();
        for r in &facts.references {
            let model = facts.owner_item(r.to);
            if !facts.items[model.index()].kind.is_model() {
                continue;
            }
            if let Some(from) = self.code_context(r.from_module, r.from_item) {
                users.entry(model).or_default().insert(from);
            }
        }
        users
            .into_iter()
            .filter_map(|(model, users)| {
                let owner = self.item_context[model.index()];
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
            .collect()
    }

    fn shared_tables(&self, facts: &ir::Facts) -> Vec<SharedTable> {
        let mut table_use: BTreeMap<ir::TableId, BTreeMap<ContextId, (u32, u32)>> = BTreeMap::new();
        for a in &facts.table_accesses {
            if let Some(c) = self.code_context(a.module, a.item) {
                let e = table_use.entry(a.table).or_default().entry(c).or_default();
                match a.mode {
                    ir::AccessMode::Read => e.0 += a.count,
                    ir::AccessMode::Write => e.1 += a.count,
                }
            }
        }
        for (t, owner) in self.table_owners.iter().enumerate() {
            if let Some((owner, _)) = owner {
                table_use
                    .entry(ir::TableId(t as u32))
                    .or_default()
                    .entry(*owner)
                    .or_default();
            }
        }
        table_use
            .into_iter()
            .filter(|(_, by)| by.len() > 1)
            .map(|(table, by)| SharedTable {
                table,
                owner: self.table_owner(table),
                owner_reason: self.table_owners[table.index()].map(|(_, r)| r),
                accesses: by.into_iter().map(|(c, (r, w))| (c, r, w)).collect(),
            })
            .collect()
    }
}

fn kind_index(kind: ir::DepKind) -> usize {
    ir::DepKind::ALL
        .iter()
        .position(|&x| x == kind)
        .expect("DepKind::ALL lists every kind")
}

fn majority(lines: &BTreeMap<ContextId, u64>) -> Option<ContextId> {
    let mut best: Option<(ContextId, u64)> = None;
    for (&c, &l) in lines {
        if best.is_none_or(|(_, bl)| l > bl) {
            best = Some((c, l));
        }
    }
    best.map(|(c, _)| c)
}
