//! Cycles between contexts: the references that form each, which edges to cut, and how.
//!
//! Services in a cycle cannot be deployed independently, so every cycle must be broken
//! before (or while) extracting. Each edge of a cycle gets a technique (DOMAIN.md "Break
//! cycles"), judged from the calls that form it:
//! - **events** when every call on the edge only notifies (returns nothing, `notify_*`,
//!   `on_*`, ...): a notification flowing "backwards" becomes an event the other side
//!   subscribes to;
//! - **move the item** when the edge rests on one or two items that the depending context
//!   uses more than their own context does, and that do not lean on their own context more
//!   than on the depending one;
//! - **reference by ID** when the edge has no calls, only models and tables: hold an ID or an
//!   own DTO and replicate data by events (see the shared models and tables);
//! - **dependency inversion** otherwise: the caller declares a trait for what it needs and the
//!   other context implements it.
//!
//! Which edges to cut: the cheapest set of edges whose removal leaves the component acyclic
//! (a minimum feedback arc set, exact by dynamic programming up to 16 contexts, greedy above).
//! An edge costs what cutting it changes (see `cut_weight`): calls that need an answer cost
//! most, notifications little (they are the backward flow, and turning fire-and-forget calls
//! into events changes no caller's logic), and types nothing, since the shared-model changes
//! replace them by IDs anyway. In a two-context cycle this is the cheaper edge, usually the
//! notification one.

use crate::build::Input;
use crate::services::list;
use crate::{CrossRef, CutTechnique, CycleCut, CycleEdge, CyclePlan};
use seamline_cluster::contexts::ContextId;
use seamline_ir as ir;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) fn cycles(input: &Input<'_>, cross: &[CrossRef]) -> Vec<CyclePlan> {
    let proposal = input.proposal;
    let mut out = Vec::new();
    for cycle in &proposal.metrics.cycles {
        let contexts: BTreeSet<ContextId> = cycle
            .contexts
            .iter()
            .copied()
            .filter(|c| c.index() < input.n_contexts())
            .collect();
        if contexts.len() < 2 {
            continue;
        }
        // The edges inside the component: the proposal's, with the facts' evidence.
        let mut pairs: BTreeMap<(ContextId, ContextId), u32> = BTreeMap::new();
        for &e in &cycle.edges {
            if let Some(edge) = proposal.metrics.context_edges.get(e)
                && contexts.contains(&edge.from)
                && contexts.contains(&edge.to)
            {
                pairs.insert((edge.from, edge.to), edge.counts.iter().sum());
            }
        }
        let edges: Vec<CycleEdge> = pairs
            .into_iter()
            .map(|((from, to), counted)| {
                let evidence: Vec<CrossRef> = cross
                    .iter()
                    .filter(|r| r.from_context == from && r.to_context == to)
                    .cloned()
                    .collect();
                let from_facts: u32 = evidence.iter().map(|r| r.count).sum();
                CycleEdge {
                    from,
                    to,
                    references: if from_facts > 0 { from_facts } else { counted },
                    evidence,
                }
            })
            .collect();
        let cuts = cuts(input, &edges);
        out.push(CyclePlan {
            contexts: contexts.into_iter().collect(),
            edges,
            cuts,
        });
    }
    out.sort_by(|a, b| a.contexts.cmp(&b.contexts));
    out
}

/// Whether `to` reaches `from` over the alive edges.
fn reaches(edges: &[CycleEdge], alive: &[bool], start: ContextId, goal: ContextId) -> bool {
    let mut seen = BTreeSet::from([start]);
    let mut stack = vec![start];
    while let Some(c) = stack.pop() {
        if c == goal {
            return true;
        }
        for (i, e) in edges.iter().enumerate() {
            if alive[i] && e.from == c && seen.insert(e.to) {
                stack.push(e.to);
            }
        }
    }
    false
}

/// How much cutting an edge costs in the search for the smallest cut, per occurrence of each
/// reference: a call that needs an answer 3 (a trait, an injection, a synchronous API later),
/// a write to the other side's table 3, a notification 1 (it becomes an event), a read of its
/// table 1 (a replicated read model), an `impl` of its trait 1; types, imports, constructors
/// and patterns 0, because the shared-model changes (IDs, own DTOs) remove them anyway.
fn cut_weight(input: &Input<'_>, e: &CycleEdge) -> u64 {
    e.evidence
        .iter()
        .map(|r| {
            let per = match r.kind {
                ir::DepKind::Call => match r.to_item {
                    Some(t) if is_fn(input, t) => {
                        if input.notifies(t) {
                            1
                        } else {
                            3
                        }
                    }
                    _ => 0,
                },
                ir::DepKind::Table => {
                    if r.writes {
                        3
                    } else {
                        1
                    }
                }
                ir::DepKind::Impl => 1,
                ir::DepKind::Type | ir::DepKind::Import => 0,
            };
            per * u64::from(r.count)
        })
        .sum()
}

fn is_fn(input: &Input<'_>, item: ir::ItemId) -> bool {
    input
        .item(item)
        .is_some_and(|it| matches!(it.kind, ir::ItemKind::Function | ir::ItemKind::Method))
}

/// The exact minimum-weight set of edges whose removal leaves the component acyclic (a minimum
/// feedback arc set), by dynamic programming over orderings of the contexts: `dp[S]` is the
/// cheapest order of the set `S` placed first, adding `v` after `S` costs the weight of the
/// edges from `v` back into `S`. O(2^n n^2), used up to [`EXACT_MAX`] contexts.
fn exact_cut(edges: &[CycleEdge], weights: &[u64]) -> Option<Vec<usize>> {
    let nodes: Vec<ContextId> = edges
        .iter()
        .flat_map(|e| [e.from, e.to])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let n = nodes.len();
    if n > EXACT_MAX {
        return None;
    }
    let idx = |c: ContextId| nodes.iter().position(|&x| x == c).unwrap_or(0);
    let mut w = vec![vec![0u64; n]; n];
    for (e, &wt) in edges.iter().zip(weights) {
        w[idx(e.from)][idx(e.to)] += wt;
    }
    let full = (1usize << n) - 1;
    let mut dp = vec![u64::MAX; full + 1];
    let mut last = vec![usize::MAX; full + 1];
    dp[0] = 0;
    for mask in 0..=full {
        if dp[mask] == u64::MAX {
            continue;
        }
        for (v, from_v) in w.iter().enumerate() {
            if mask & (1 << v) != 0 {
                continue;
            }
            let back: u64 = (0..n)
                .filter(|&u| mask & (1 << u) != 0)
                .map(|u| from_v[u])
                .sum();
            let next = mask | (1 << v);
            let cost = dp[mask] + back;
            if cost < dp[next] {
                dp[next] = cost;
                last[next] = v;
            }
        }
    }
    // Rebuild the order, then cut every edge that points backwards in it.
    let mut pos = vec![0usize; n];
    let mut mask = full;
    for p in (0..n).rev() {
        let v = last[mask];
        pos[v] = p;
        mask &= !(1 << v);
    }
    Some(
        edges
            .iter()
            .enumerate()
            .filter(|(_, e)| pos[idx(e.from)] > pos[idx(e.to)])
            .map(|(i, _)| i)
            .collect(),
    )
}

/// Components up to this many contexts get the exact minimum cut; bigger ones a greedy one.
const EXACT_MAX: usize = 16;

/// Greedy cut for big components: repeatedly the cheapest edge that still lies on a cycle.
fn greedy_cut(edges: &[CycleEdge], weights: &[u64]) -> Vec<usize> {
    let mut alive = vec![true; edges.len()];
    let mut out = Vec::new();
    // Each round removes one edge: at most `edges.len()` rounds.
    for _ in 0..edges.len() {
        let next = edges
            .iter()
            .enumerate()
            .filter(|(i, e)| alive[*i] && reaches(edges, &alive, e.to, e.from))
            .min_by_key(|(i, e)| (weights[*i], e.from, e.to))
            .map(|(i, _)| i);
        let Some(i) = next else {
            break;
        };
        alive[i] = false;
        out.push(i);
    }
    out
}

fn cuts(input: &Input<'_>, edges: &[CycleEdge]) -> Vec<CycleCut> {
    let judged: Vec<(CutTechnique, String)> = edges.iter().map(|e| technique(input, e)).collect();
    let weights: Vec<u64> = edges.iter().map(|e| cut_weight(input, e)).collect();
    let mut chosen = exact_cut(edges, &weights).unwrap_or_else(|| greedy_cut(edges, &weights));
    // Notifications first, then the lightest.
    chosen.sort_by_key(|&i| {
        (
            judged[i].0 != CutTechnique::Events,
            edges[i].references,
            edges[i].from,
            edges[i].to,
        )
    });
    let n_cuts = chosen.len();
    chosen
        .into_iter()
        .map(|i| {
            let e = &edges[i];
            let (a, b) = (input.ctx_name(e.from), input.ctx_name(e.to));
            let back = edges
                .iter()
                .find(|x| x.from == e.to && x.to == e.from)
                .map(|x| x.references);
            let against = match back {
                Some(back) => format!("{}, against {back} the other way", refs(e.references)),
                None => refs(e.references),
            };
            let why = match (judged[i].0, n_cuts) {
                (CutTechnique::Events, _) => format!(
                    "Cut {a} → {b} ({against}): its calls are notifications flowing backwards."
                ),
                (_, 1) => format!("Cut {a} → {b} ({against}): the cheapest edge that breaks the cycle."),
                _ => format!(
                    "Cut {a} → {b} ({against}): one of the {n_cuts} edges of the cheapest set that breaks every cycle here."
                ),
            };
            CycleCut {
                edge: i,
                technique: judged[i].0,
                rationale: format!("{why} {}", judged[i].1),
            }
        })
        .collect()
}

/// The technique that would cut an edge, and one or two sentences saying how.
fn technique(input: &Input<'_>, e: &CycleEdge) -> (CutTechnique, String) {
    let (a, b) = (input.ctx_name(e.from), input.ctx_name(e.to));
    let targets: BTreeSet<ir::ItemId> = e.evidence.iter().filter_map(|r| r.to_item).collect();
    // Calls of functions and methods; "calls" of a type (constructors, patterns) are data.
    let calls: BTreeSet<ir::ItemId> = e
        .evidence
        .iter()
        .filter(|r| r.kind == ir::DepKind::Call)
        .filter_map(|r| r.to_item)
        .filter(|&t| is_fn(input, t))
        .collect();
    let shown = |ids: &BTreeSet<ir::ItemId>| {
        let names: Vec<String> = ids
            .iter()
            .filter_map(|&t| input.item(t).map(|it| format!("`{}`", it.name)))
            .collect();
        let first: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
        if names.len() > 3 {
            format!("{} and {} more", first.join(", "), names.len() - 3)
        } else {
            list(&first)
        }
    };

    // Events: every call only notifies.
    if !calls.is_empty() && calls.iter().all(|&t| input.notifies(t)) {
        let rest = if targets.len() > calls.len() || e.evidence.iter().any(|r| r.table.is_some()) {
            " Its other references (models, tables) go by ID and events, as the shared models and tables below say."
        } else {
            ""
        };
        return (
            CutTechnique::Events,
            format!(
                "{a} only notifies {b} ({}) and needs no answer: {a} publishes an event and {b} subscribes to it, so the dependency flows one way.{rest}",
                shown(&calls)
            ),
        );
    }

    // Move the item: one or two items that `from` uses more than their own context does.
    if (1..=2).contains(&targets.len()) {
        let mut usage: Vec<(String, u32, u32, bool)> = Vec::new();
        for &t in &targets {
            let owner = input.owner_item(t);
            let (mut by_from, mut by_own) = (0u32, 0u32);
            for r in input.facts.references.iter().filter(|r| r.to == t) {
                if r.from_item.is_some_and(|h| input.owner_item(h) == owner) {
                    continue;
                }
                match input.code_context(r.from_module, r.from_item) {
                    Some(c) if c == e.from => by_from += r.count,
                    Some(c) if c == e.to => by_own += r.count,
                    _ => {}
                }
            }
            // What the item itself depends on: it moves only if it does not lean on its own
            // context more than on the depending one.
            let (mut needs_from, mut needs_own) = (0u32, 0u32);
            for r in input.facts.references.iter().filter(|r| {
                r.from_item.is_some_and(|h| input.owner_item(h) == owner)
                    && input.owner_item(r.to) != owner
            }) {
                match input.item_context(r.to) {
                    Some(c) if c == e.from => needs_from += r.count,
                    Some(c) if c == e.to => needs_own += r.count,
                    _ => {}
                }
            }
            if let Some(it) = input.item(t) {
                usage.push((it.name.clone(), by_from, by_own, needs_own <= needs_from));
            }
        }
        if !usage.is_empty() && usage.iter().all(|(_, f, o, free)| f > o && *free) {
            let detail: Vec<String> = usage
                .iter()
                .map(|(n, f, o, _)| format!("`{n}` ({f} uses from {a}, {o} from {b})"))
                .collect();
            return (
                CutTechnique::MoveItem,
                format!(
                    "{} used more by {a} than by {b}: move {} into {a}.",
                    if usage.len() == 1 {
                        format!("{} is", detail[0])
                    } else {
                        format!("{} are", detail.join(" and "))
                    },
                    if usage.len() == 1 { "it" } else { "them" }
                ),
            );
        }
    }

    if calls.is_empty() {
        return (
            CutTechnique::ReferenceById,
            format!(
                "{a} calls nothing in {b}; it only uses its models or tables ({}): hold IDs or {a}'s own DTOs, and replicate the data {a} reads by events from {b}.",
                if targets.is_empty() {
                    let tables: BTreeSet<String> = e
                        .evidence
                        .iter()
                        .filter_map(|r| r.table.and_then(|t| input.table_ref(t)))
                        .map(|t| format!("`{}`", t.name))
                        .collect();
                    let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
                    list(&tables)
                } else {
                    shown(&targets)
                }
            ),
        );
    }

    (
        CutTechnique::DependencyInversion,
        format!(
            "{a} needs answers from {b} ({}): {a} declares a trait for what it needs and {b} implements it, injected at startup, so {b} depends on {a} and not the reverse.",
            shown(&calls)
        ),
    )
}

fn refs(n: u32) -> String {
    format!("{n} reference{}", if n == 1 { "" } else { "s" })
}
