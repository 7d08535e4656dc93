//! The "modularise first" worklist: the few changes inside the monolith that would
//! make the split possible, ranked by how far each moves the numbers behind the verdict.
//!
//! A verdict of "modularise first" is only useful with its worklist (DOMAIN.md): the cycle
//! edges to cut, the models to replace by IDs, the tables to give one owner, each at
//! `file:line`. The candidates come from the plan's own sections (the cuts of every cycle,
//! the shared models that are not identifiers, the shared tables), so the list never
//! proposes a change the rest of the plan does not explain.
//!
//! Only the metrics whose threshold is crossed are worked on, and a metric stops drawing
//! changes once it is back within its threshold: the list is what it takes, not every
//! possible tidy-up. The ranking is greedy on units of change:
//! - a cycle's unit is its whole set of cuts (cutting one edge of a three-context cycle
//!   frees nobody; cutting all of them frees the three), worth the contexts it takes out of
//!   cycles, recomputed on the context graph with every earlier change applied. It is one
//!   item that lists every edge at `file:line`: on one large cycle, edge-by-edge items
//!   would each leave the cycle share where it was until the last;
//! - a shared model or a shared table is one unit worth one shared model or table.
//!
//! A unit's effect is the drop of its metric as a fraction of the metric's threshold, so a
//! far-crossed metric's largest move comes first. Equal effects go to the unit with fewer
//! edges to cut, then fewer references to rewrite (the cheaper change), then to the stable
//! order of the plan's sections.
//!
//! Every item states its metric before and after, recomputed with it and every earlier item
//! applied, so the list reads as a trajectory: "cycles 8 of 10 contexts → 5 of 10".

use crate::build::Input;
use crate::{
    CyclePlan, Loc, ReasonKind, SharedModelPlan, SharedTablePlan, Thresholds, WorkCut, WorkItem,
    WorkKind,
};
use seamline_cluster::contexts::ContextId;
use std::collections::BTreeSet;

/// At most this many changes: the worklist is the first sprint, not the whole migration.
/// A cycle's cut set is one change, however many edges it cuts.
pub(crate) const MAX_ITEMS: usize = 10;

/// The edges of a cut set the sentence names; the rest are in the item's cuts and in the
/// cycles section.
const MAX_CUTS_SHOWN: usize = 5;

/// The denominators of the shares the verdict compares.
pub(crate) struct Denominators {
    /// Contexts (the cycle share's).
    pub contexts: usize,
    /// Tables touched by any context (the shared-table share's).
    pub tables_in_use: usize,
    /// Models owned by contexts, identifiers left out (the shared-model share's).
    pub owned_models: usize,
}

/// One unit of change and the items it becomes.
enum Unit<'a> {
    Cycle(&'a CyclePlan),
    Model(&'a SharedModelPlan),
    Table(&'a SharedTablePlan),
}

impl Unit<'_> {
    fn metric(&self) -> ReasonKind {
        match self {
            Unit::Cycle(_) => ReasonKind::Cycles,
            Unit::Model(_) => ReasonKind::SharedModels,
            Unit::Table(_) => ReasonKind::SharedTables,
        }
    }

    /// References to rewrite: the tie-breaker among equal effects.
    fn references(&self) -> u32 {
        match self {
            Unit::Cycle(c) => c
                .cuts
                .iter()
                .filter_map(|x| c.edges.get(x.edge))
                .map(|e| e.references)
                .sum(),
            Unit::Model(m) => m.references,
            Unit::Table(t) => t
                .uses
                .iter()
                .filter(|u| Some(u.context) != t.owner)
                .map(|u| u.reads + u.writes)
                .sum(),
        }
    }

    fn changes(&self) -> usize {
        match self {
            Unit::Cycle(c) => c.cuts.len().max(1),
            _ => 1,
        }
    }
}

/// The state the metrics are recomputed on.
struct State {
    cut: BTreeSet<(ContextId, ContextId)>,
    models: usize,
    tables: usize,
}

pub(crate) fn worklist(
    input: &Input<'_>,
    cycles: &[CyclePlan],
    shared_models: &[SharedModelPlan],
    shared_tables: &[SharedTablePlan],
    d: &Denominators,
    t: &Thresholds,
) -> Vec<WorkItem> {
    let edges: Vec<(ContextId, ContextId)> = input
        .proposal
        .metrics
        .context_edges
        .iter()
        .filter(|e| e.from != e.to)
        .filter(|e| e.from.index() < d.contexts && e.to.index() < d.contexts)
        .map(|e| (e.from, e.to))
        .collect();
    let models: Vec<&SharedModelPlan> = shared_models.iter().filter(|m| !m.id_type).collect();
    let mut state = State {
        cut: BTreeSet::new(),
        models: models.len(),
        tables: shared_tables.len(),
    };
    let value = |kind: ReasonKind, s: &State| -> f64 {
        match kind {
            ReasonKind::Cycles => ratio(in_cycles(d.contexts, &edges, &s.cut), d.contexts),
            ReasonKind::SharedModels => ratio(s.models, d.owned_models),
            ReasonKind::SharedTables => ratio(s.tables, d.tables_in_use),
            _ => 0.0,
        }
    };
    let threshold = |kind: ReasonKind| match kind {
        ReasonKind::Cycles => t.max_cycle_share,
        ReasonKind::SharedModels => t.max_shared_model_share,
        _ => t.max_shared_table_share,
    };
    let crossed = |kind: ReasonKind, s: &State| value(kind, s) > threshold(kind);

    let mut units: Vec<Unit<'_>> = Vec::new();
    units.extend(
        cycles
            .iter()
            .filter(|c| !c.cuts.is_empty())
            .map(Unit::Cycle),
    );
    // Only models with an identity can be replaced by their ID: a value (no `id` field) is
    // copied, and a trait is a contract; the shared-models section says what to do with them.
    units.extend(
        models
            .iter()
            .filter(|m| !m.value_type && m.model.kind != seamline_ir::ItemKind::Trait)
            .map(|m| Unit::Model(m)),
    );
    units.extend(shared_tables.iter().map(Unit::Table));
    let mut used = vec![false; units.len()];

    let mut out: Vec<WorkItem> = Vec::new();
    while out.len() < MAX_ITEMS {
        // The best unit whose metric is still over its threshold.
        let mut best: Option<(usize, f64)> = None;
        for (i, u) in units.iter().enumerate() {
            if used[i] || !crossed(u.metric(), &state) {
                continue;
            }
            let kind = u.metric();
            let before = value(kind, &state);
            let after = value(kind, &apply(u, &state));
            let effect = (before - after) / threshold(kind).max(1e-9);
            if effect <= 0.0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((j, e)) => {
                    effect > e + 1e-12
                        || ((effect - e).abs() <= 1e-12
                            && (u.changes(), u.references())
                                < (units[j].changes(), units[j].references()))
                }
            };
            if better {
                best = Some((i, effect));
            }
        }
        let Some((i, _)) = best else {
            break;
        };
        used[i] = true;
        let u = &units[i];
        let kind = u.metric();
        match u {
            Unit::Cycle(c) => {
                let before = value(kind, &state);
                state = apply(u, &state);
                let after = value(kind, &state);
                let cuts: Vec<WorkCut> = c
                    .cuts
                    .iter()
                    .filter_map(|x| {
                        let e = c.edges.get(x.edge)?;
                        Some(WorkCut {
                            from: e.from,
                            to: e.to,
                            technique: x.technique,
                            references: e.references,
                            at: e
                                .evidence
                                .first()
                                .map(|r| r.at.clone())
                                .unwrap_or_else(unknown),
                        })
                    })
                    .collect();
                let at = cuts.first().map(|x| x.at.clone()).unwrap_or_else(unknown);
                let names: Vec<&str> = c.contexts.iter().map(|&x| input.ctx_name(x)).collect();
                let shown: Vec<String> = cuts
                    .iter()
                    .take(MAX_CUTS_SHOWN)
                    .map(|x| {
                        format!(
                            "{} → {} by {} ({} reference{}, first at {})",
                            input.ctx_name(x.from),
                            input.ctx_name(x.to),
                            x.technique.title().to_lowercase(),
                            x.references,
                            if x.references == 1 { "" } else { "s" },
                            x.at
                        )
                    })
                    .collect();
                let more = cuts.len().saturating_sub(MAX_CUTS_SHOWN);
                out.push(WorkItem {
                    rank: out.len() + 1,
                    kind: WorkKind::BreakCycle,
                    at,
                    change: format!(
                        "Break the cycle of {} context{} ({}) by cutting {}: {}{}.",
                        names.len(),
                        if names.len() == 1 { "" } else { "s" },
                        crate::services::list(&names),
                        if cuts.len() == 1 {
                            "1 edge".to_owned()
                        } else {
                            format!("{} edges together", cuts.len())
                        },
                        shown.join("; "),
                        if more > 0 {
                            format!("; and {more} more (the cycles section lists them)")
                        } else {
                            String::new()
                        }
                    ),
                    metric: kind,
                    before,
                    after,
                    threshold: threshold(kind),
                    cuts,
                });
            }
            Unit::Model(m) => {
                let before = value(kind, &state);
                state.models = state.models.saturating_sub(1);
                let after = value(kind, &state);
                let at = m
                    .embedded_in
                    .first()
                    .map(|f| f.at.clone())
                    .unwrap_or_else(|| m.model.at.clone());
                let users: Vec<&str> = m.used_by.iter().map(|&c| input.ctx_name(c)).collect();
                out.push(WorkItem {
                    rank: out.len() + 1,
                    kind: WorkKind::ReplaceModelById,
                    at,
                    change: format!(
                        "Replace `{}` (defined at {}) by its ID or a small DTO in {}: {} reference{}.",
                        m.model.name,
                        m.model.at,
                        crate::services::list(&users),
                        m.references,
                        if m.references == 1 { "" } else { "s" },
                    ),
                    metric: kind,
                    before,
                    after,
                    threshold: threshold(kind),
                    cuts: Vec::new(),
                });
            }
            Unit::Table(tp) => {
                let before = value(kind, &state);
                state.tables = state.tables.saturating_sub(1);
                let after = value(kind, &state);
                let first_other = tp
                    .uses
                    .iter()
                    .filter(|u| Some(u.context) != tp.owner)
                    .filter_map(|u| u.at.clone())
                    .min();
                let at = first_other
                    .or_else(|| tp.uses.iter().filter_map(|u| u.at.clone()).min())
                    .unwrap_or_else(unknown);
                let others: Vec<&str> = tp
                    .uses
                    .iter()
                    .filter(|u| Some(u.context) != tp.owner)
                    .map(|u| input.ctx_name(u.context))
                    .collect();
                out.push(WorkItem {
                    rank: out.len() + 1,
                    kind: WorkKind::OwnTable,
                    at,
                    change: format!(
                        "Give `{}` one owner, {}: {} go{} through its {} instead of the table.",
                        tp.table.name,
                        tp.owner.map(|c| input.ctx_name(c)).unwrap_or("?"),
                        crate::services::list(&others),
                        if others.len() == 1 { "es" } else { "" },
                        match tp.technique {
                            crate::TableTechnique::OwnerApi => "API",
                            crate::TableTechnique::ReplicateByEvents => "events (a read model)",
                            crate::TableTechnique::Saga =>
                                "commands (a saga where one operation writes both)",
                        }
                    ),
                    metric: kind,
                    before,
                    after,
                    threshold: threshold(kind),
                    cuts: Vec::new(),
                });
            }
        }
    }
    out
}

fn unknown() -> Loc {
    Loc {
        file: "?".to_owned(),
        line: 0,
    }
}

fn apply(u: &Unit<'_>, s: &State) -> State {
    let mut next = State {
        cut: s.cut.clone(),
        models: s.models,
        tables: s.tables,
    };
    match u {
        Unit::Cycle(c) => {
            for x in &c.cuts {
                if let Some(e) = c.edges.get(x.edge) {
                    next.cut.insert((e.from, e.to));
                }
            }
        }
        Unit::Model(_) => next.models = next.models.saturating_sub(1),
        Unit::Table(_) => next.tables = next.tables.saturating_sub(1),
    }
    next
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

/// Contexts in a strongly connected component of two or more, over the edges not cut
/// (Tarjan's algorithm, iterative so that a long chain of contexts needs no deep stack).
pub(crate) fn in_cycles(
    n: usize,
    edges: &[(ContextId, ContextId)],
    cut: &BTreeSet<(ContextId, ContextId)>,
) -> usize {
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        if !cut.contains(&(a, b)) && a.index() < n && b.index() < n {
            adj[a.index()].push(b.index());
        }
    }
    for v in &mut adj {
        v.sort_unstable();
        v.dedup();
    }
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut total = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, next neighbour position)
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(top) = call.last_mut() {
            let (v, pos) = *top;
            if let Some(&w) = adj[v].get(pos) {
                top.1 += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut size = 0;
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        size += 1;
                        if w == v {
                            break;
                        }
                    }
                    if size > 1 {
                        total += size;
                    }
                }
            }
        }
    }
    total
}
