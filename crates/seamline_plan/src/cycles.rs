//! Cycles between contexts: the references that form each, which edges to cut, and how.
//!
//! Services in a cycle cannot be deployed independently, so every cycle must be broken
//! before (or while) extracting. The plan cuts the lightest edge first (fewest references:
//! least code to change), repeating until the component is acyclic, and names a technique
//! for each cut (DOMAIN.md "Break cycles"):
//! - **move the item** when the edge rests on one or two items that the depending context
//!   uses more than their own context does;
//! - **events** when the edge only notifies (calls returning nothing, `notify_*`, `send_*`,
//!   ...) or reads data: the notification flows backwards as an event instead;
//! - **dependency inversion** otherwise: the caller declares a trait for what it needs and the
//!   other context implements it.

use crate::build::Input;
use crate::services::list;
use crate::{CrossRef, CutTechnique, CycleCut, CycleEdge, CyclePlan};
use seamline_cluster::contexts::ContextId;
use seamline_ir as ir;
use std::collections::{BTreeMap, BTreeSet};

/// Name prefixes of functions that notify rather than ask.
const NOTIFY_PREFIXES: &[&str] = &[
    "notify",
    "send",
    "publish",
    "emit",
    "on_",
    "record",
    "log",
    "track",
    "audit",
    "enqueue",
    "schedule",
    "dispatch",
    "broadcast",
    "alert",
];

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

fn cuts(input: &Input<'_>, edges: &[CycleEdge]) -> Vec<CycleCut> {
    let mut alive = vec![true; edges.len()];
    let mut out = Vec::new();
    // Each round removes one edge: at most `edges.len()` rounds.
    for _ in 0..edges.len() {
        let lightest = edges
            .iter()
            .enumerate()
            .filter(|(i, e)| alive[*i] && reaches(edges, &alive, e.to, e.from))
            .min_by(|(_, a), (_, b)| {
                (a.references, a.from, a.to).cmp(&(b.references, b.from, b.to))
            })
            .map(|(i, _)| i);
        let Some(i) = lightest else {
            break;
        };
        alive[i] = false;
        out.push(cut(input, edges, i));
    }
    out
}

fn cut(input: &Input<'_>, edges: &[CycleEdge], i: usize) -> CycleCut {
    let e = &edges[i];
    let (a, b) = (input.ctx_name(e.from), input.ctx_name(e.to));
    let heaviest = edges.iter().map(|e| e.references).max().unwrap_or(0);
    let back = edges
        .iter()
        .find(|x| x.from == e.to && x.to == e.from)
        .map(|x| x.references);
    let mut rationale = match back {
        Some(back) => format!(
            "Cut {a} → {b}: the lightest edge of the cycle ({} against {back} the other way).",
            refs(e.references)
        ),
        None => format!(
            "Cut {a} → {b}: the lightest edge of the cycle ({} against {heaviest} on the heaviest edge).",
            refs(e.references)
        ),
    };

    let targets: BTreeSet<ir::ItemId> = e.evidence.iter().filter_map(|r| r.to_item).collect();
    let target_names: Vec<String> = targets
        .iter()
        .filter_map(|&t| input.item(t).map(|it| it.name.clone()))
        .collect();
    let shown: Vec<&str> = target_names.iter().take(3).map(String::as_str).collect();
    let shown = if target_names.len() > 3 {
        format!("{} and {} more", shown.join(", "), target_names.len() - 3)
    } else {
        list(&shown)
    };

    // Move the item: one or two items that `from` uses more than their own context does.
    if (1..=2).contains(&targets.len()) {
        let mut usage: Vec<(String, u32, u32)> = Vec::new();
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
            if let Some(it) = input.item(t) {
                usage.push((it.name.clone(), by_from, by_own));
            }
        }
        if !usage.is_empty() && usage.iter().all(|(_, f, o)| f > o) {
            let detail: Vec<String> = usage
                .iter()
                .map(|(n, f, o)| format!("`{n}` ({f} uses from {a}, {o} from {b})"))
                .collect();
            rationale.push_str(&format!(
                " {} used more by {a} than by {b}: move {} into {a}.",
                if usage.len() == 1 {
                    format!("{} is", detail[0])
                } else {
                    format!("{} are", detail.join(" and "))
                },
                if usage.len() == 1 { "it" } else { "them" }
            ));
            return CycleCut {
                edge: i,
                technique: CutTechnique::MoveItem,
                rationale,
            };
        }
    }

    // Events: every target only notifies (or the edge only touches tables).
    let notifies = |t: ir::ItemId| {
        input.item(t).is_some_and(|it| {
            matches!(it.kind, ir::ItemKind::Function | ir::ItemKind::Method)
                && (it.signature.as_deref().is_some_and(|s| !s.contains("->"))
                    || NOTIFY_PREFIXES.iter().any(|p| it.name.starts_with(p)))
        })
    };
    let only_tables = targets.is_empty() && !e.evidence.is_empty();
    if only_tables || (!targets.is_empty() && targets.iter().all(|&t| notifies(t))) {
        if only_tables {
            rationale.push_str(&format!(
                " {a} only touches {b}'s tables: {b} publishes change events and {a} keeps its own copy, so the dependency flows one way."
            ));
        } else {
            rationale.push_str(&format!(
                " {a} only notifies {b} ({shown}) and expects no answer: {a} publishes an event and {b} subscribes to it, so the dependency flows one way."
            ));
        }
        return CycleCut {
            edge: i,
            technique: CutTechnique::Events,
            rationale,
        };
    }

    rationale.push_str(&format!(
        " {a} needs answers from {b} ({shown}): {a} declares a trait for what it needs and {b} implements it, injected at startup, so {b} depends on {a} and not the reverse."
    ));
    CycleCut {
        edge: i,
        technique: CutTechnique::DependencyInversion,
        rationale,
    }
}

fn refs(n: u32) -> String {
    format!("{n} reference{}", if n == 1 { "" } else { "s" })
}
