//! The extraction order (strangler fig): one context at a time, behind the existing
//! interface, so that the monolith shrinks step by step.
//!
//! Greedy: at each step, among the contexts still in the monolith, take the cheapest to
//! cut out. The key, in order:
//! 0. real domains first: a context that owns a table or an endpoint (see the
//!    codebase module) and has at least one reference in or out goes before leftovers,
//!    utilities and disconnected code, which are cheap to cut only because they are not
//!    services (a 38-line `account` context must never be step 1); among real domains, those
//!    holding at least [`Thresholds::min_first_step_share`] of the code go first, so that
//!    step 1 is a piece worth a team's first extraction rather than a rate limiter;
//!    the host (the context holding a binary's `main`, which starts and wires the rest,
//!    and writing none of its tables) goes with the leftovers: the strangler fig grows
//!    around it;
//! 1. contexts whose seam includes an edge the plan cuts (see the cycles) wait: the cut comes
//!    first;
//! 2. the cost of the new seam: 4 per *synchronous* call site that would cross it (a caller
//!    in the monolith that needs an answer from the context, a call or table access from the
//!    context back into the monolith), plus 1 per other reference site (notifications, which
//!    become events; types and impls, which become IDs or DTOs; imports are free, as their
//!    uses are counted). This is "fewest inbound
//!    references, most self-contained" with notifications discounted: a pure sink that
//!    everyone notifies and that calls no one back is the classic safe first step;
//! 3. the least shared data (shared models and tables it touches);
//! 4. the name.
//!
//! With the git history, the cost in 2 is the *ranked* cost: the seam cost times
//! `1 − discount`, where the discount prefers contexts that change often and have a
//! distinct owner (see the history module); among equal ranked costs and shared data, the
//! larger discount goes first. Without history the discount is 0 and the order is the
//! structural one.
//!
//! The first extraction is the slowest (DOMAIN.md), so the first step should be the smallest
//! and safest.
//!
//! Effort of a step: every reference between the context and the contexts still in the
//! monolith (both directions) must be rewritten; references to services extracted earlier
//! were rewritten at their own step, and references to the shared kernel stay library calls.

use crate::build::Input;
use crate::history::{self, Preference};
use crate::services::list;
use crate::{
    CrossRef, CyclePlan, ExtractionStep, Infra, PlanHistory, Service, SharedModelPlan,
    SharedTablePlan, TableTechnique, Thresholds,
};
use seamline_cluster::contexts::{ContextId, OwnerReason};
use seamline_ir as ir;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

/// A caller (module, item) and its callee (item or table).
type CallSite = (
    ir::ModuleId,
    Option<ir::ItemId>,
    Option<ir::ItemId>,
    Option<ir::TableId>,
);

/// The reference sites between a context and the rest, split by what they become.
#[derive(Default)]
struct Seam {
    inbound: u32,
    outbound: u32,
    /// Call sites that need an answer, and table accesses: new synchronous network calls.
    sync: BTreeSet<CallSite>,
    /// Calls that only notify: new events.
    events: BTreeSet<CallSite>,
    /// Types and impls: new IDs or DTOs.
    other: BTreeSet<CallSite>,
    /// Imports: rewritten with the uses they name, free in the cost.
    imports: BTreeSet<CallSite>,
}

impl Seam {
    fn cost(&self) -> usize {
        4 * self.sync.len() + self.events.len() + self.other.len()
    }
}

/// The seam between `c` and the other contexts still in `remaining`; `touching` holds the
/// cross references of which `c` is one end.
///
/// `remaining` may contain `c` itself: a self-reference is never a seam. (Building a set of
/// "the others" per candidate made ordering cubic in the number of contexts.)
fn seam(
    input: &Input<'_>,
    touching: &[&CrossRef],
    c: ContextId,
    remaining: &BTreeSet<ContextId>,
) -> Seam {
    let mut s = Seam::default();
    let other = |x: ContextId| x != c && remaining.contains(&x);
    // Sites are gathered in lists and made sets at once: this runs for every context at
    // every step, and inserting site by site into trees was most of the plan's time.
    let mut sites: [Vec<CallSite>; 4] = Default::default();
    for r in touching {
        let inbound = r.to_context == c && other(r.from_context);
        let outbound = r.from_context == c && other(r.to_context);
        if !inbound && !outbound {
            continue;
        }
        if inbound {
            s.inbound += r.count;
        } else {
            s.outbound += r.count;
        }
        let site = (r.from_module, r.from_item, r.to_item, r.table);
        let [sync, events, types, imports] = &mut sites;
        match r.kind {
            ir::DepKind::Table => sync.push(site),
            ir::DepKind::Call if r.to_item.is_some_and(|t| input.notifies(t)) => events.push(site),
            ir::DepKind::Call => sync.push(site),
            // A `use` only names what the code then uses: the uses are counted, not the name.
            ir::DepKind::Import => imports.push(site),
            _ => types.push(site),
        };
    }
    let [sync, events, types, imports] = sites.map(|mut v| {
        v.sort_unstable();
        v.dedup();
        v.into_iter().collect::<BTreeSet<CallSite>>()
    });
    s.sync = sync;
    s.events = events;
    s.other = types;
    s.imports = imports;
    s
}

/// The host the strangler fig grows around: a context that holds a binary's `main` (the
/// composition root that starts the server or the command line and wires every other part)
/// and writes none of the tables it owns. Start-up code, settings and middleware cluster
/// together there and are cheap to cut only because everything else is wired through them;
/// a real domain that `main` was merely placed in (an outbox it starts the worker of)
/// writes its tables and stays a candidate.
fn hosts(input: &Input<'_>) -> BTreeSet<ContextId> {
    let facts = input.facts;
    let writer: BTreeSet<ContextId> = input
        .proposal
        .map
        .table_owners
        .iter()
        .flatten()
        .filter(|(_, reason)| *reason == OwnerReason::Writes)
        .map(|&(c, _)| c)
        .collect();
    facts
        .crates
        .iter()
        .filter(|k| k.kind == ir::CrateKind::Bin)
        .filter_map(|k| k.root_module)
        .filter_map(|m| facts.modules.get(m.index()))
        .flat_map(|m| m.items.iter().copied())
        .filter(|&i| {
            input
                .item(i)
                .is_some_and(|it| it.name == "main" && it.kind == ir::ItemKind::Function)
        })
        .filter_map(|i| input.item_context(i))
        .filter(|c| !writer.contains(c))
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn extraction(
    input: &Input<'_>,
    thresholds: &Thresholds,
    real: &[ContextId],
    cross: &[CrossRef],
    services: &[Service],
    shared_models: &[SharedModelPlan],
    shared_tables: &[SharedTablePlan],
    cycles: &[CyclePlan],
    history: Option<(&PlanHistory, &Thresholds)>,
) -> Vec<ExtractionStep> {
    let mut shared_data: BTreeMap<ContextId, usize> = BTreeMap::new();
    for m in shared_models {
        let touched: BTreeSet<ContextId> = m
            .owner
            .into_iter()
            .chain(m.used_by.iter().copied())
            .collect();
        for c in touched {
            *shared_data.entry(c).or_default() += 1;
        }
    }
    for t in shared_tables {
        for u in &t.uses {
            *shared_data.entry(u.context).or_default() += 1;
        }
    }

    let cut_pairs: BTreeSet<(ContextId, ContextId)> = cycles
        .iter()
        .flat_map(|c| c.cuts.iter().filter_map(|x| c.edges.get(x.edge)))
        .map(|e| (e.from, e.to))
        .collect();
    let mut touching: BTreeMap<ContextId, Vec<&CrossRef>> = BTreeMap::new();
    for r in cross {
        touching.entry(r.from_context).or_default().push(r);
        touching.entry(r.to_context).or_default().push(r);
    }
    // Real domains with at least one reference to or from another context.
    let eligible: BTreeSet<ContextId> = real
        .iter()
        .copied()
        .filter(|c| touching.get(c).is_some_and(|v| !v.is_empty()))
        .collect();
    let total_lines = input.facts.code_lines().max(1);
    let min_share = thresholds.min_first_step_share;
    let large: BTreeSet<ContextId> = services
        .iter()
        .filter(|s| eligible.contains(&s.context))
        .filter(|s| s.code_lines as f64 >= min_share * total_lines as f64)
        .map(|s| s.context)
        .collect();
    let hosts = hosts(input);
    // 0: a real domain of a meaningful size, 1: a smaller real domain, 2: anything else,
    // and the host the others are strangled from.
    let tier = |c: ContextId| {
        if hosts.contains(&c) {
            2
        } else if large.contains(&c) {
            0u8
        } else if eligible.contains(&c) {
            1
        } else {
            2
        }
    };
    let mut remaining: BTreeSet<ContextId> = services.iter().map(|s| s.context).collect();
    let mut steps = Vec::new();
    while !remaining.is_empty() {
        let n_left = remaining.len();
        // Edges the plan cuts between the context and the rest: they must be cut first.
        let cuts_on_seam = |c: ContextId| {
            cut_pairs
                .iter()
                .filter(|&&(a, b)| {
                    (a == c && b != c && remaining.contains(&b))
                        || (b == c && a != c && remaining.contains(&a))
                })
                .count()
        };
        let touching_of = |c: ContextId| touching.get(&c).map(Vec::as_slice).unwrap_or(&[]);
        let preference = |c: ContextId, cost: usize| match history {
            Some((h, t)) => history::preference(h, t, c, &remaining, cost),
            None => Preference {
                discount: 0.0,
                text: String::new(),
            },
        };
        let Some(((_, _, _, shared, _), _, next, cost)) = remaining
            .iter()
            .map(|&c| {
                let s = seam(input, touching_of(c), c, &remaining);
                let cost = s.cost();
                let discount = preference(c, cost).discount;
                // Integers, so that the key is totally ordered: hundredths of the ranked
                // cost, millionths of the discount.
                let ranked = (cost as f64 * (1.0 - discount) * 100.0).round() as u64;
                let key = (
                    tier(c),
                    cuts_on_seam(c) > 0,
                    ranked,
                    shared_data.get(&c).copied().unwrap_or(0),
                    Reverse((discount * 1e6).round() as u64),
                );
                (key, input.ctx_name(c), c, cost)
            })
            .min()
        else {
            break;
        };
        let history_text = preference(next, cost).text;
        let n_cuts = cuts_on_seam(next);
        let s = seam(input, touching_of(next), next, &remaining);
        remaining.remove(&next);

        let rewrites: Vec<CrossRef> = touching_of(next)
            .iter()
            .copied()
            .filter(|r| {
                (r.from_context == next && remaining.contains(&r.to_context))
                    || (r.to_context == next && remaining.contains(&r.from_context))
            })
            .cloned()
            .collect();
        let Some(service) = services.iter().find(|s| s.context == next) else {
            continue;
        };
        let name = input.ctx_name(next);
        let step_no = steps.len() + 1;
        let domain = if hosts.contains(&next) && n_left > 1 {
            " the host: it holds a binary's `main`, which starts and wires the others, and writes none of its tables, so it stays until the real domains around it have left".to_owned()
        } else if eligible.contains(&next) {
            let share = service.code_lines as f64 / total_lines as f64;
            let tables: Vec<&str> = service
                .owns
                .tables
                .iter()
                .map(|t| t.name.as_str())
                .collect();
            let serves = service
                .stack
                .iter()
                .find(|n| matches!(n.infra, Infra::HttpServer | Infra::GrpcServer));
            format!(
                " a real domain with {:.0}% of the code{}{}",
                share * 100.0,
                if tables.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", owning {} ({})",
                        if tables.len() == 1 {
                            "a table"
                        } else {
                            "tables"
                        },
                        list(&tables[..tables.len().min(3)])
                    )
                },
                match serves {
                    Some(n) => format!(", serving {} ({})", n.infra.label(), n.crates.join(", ")),
                    None => String::new(),
                },
            )
        } else {
            " not a real domain (no table or endpoint, a small share of the code, or no reference in or out), so it goes only once no real domain is left".to_owned()
        };
        let why = if remaining.is_empty() && step_no > 1 {
            format!("Last: what remains of the monolith is the {name} service.")
        } else {
            format!(
                "{name} {},{domain}: the {} seam of the {n_left} contexts left (cost {cost} = 4 × {} + {} + {}), touching {}.{}{history_text}",
                if step_no == 1 {
                    "goes first"
                } else {
                    "goes next"
                },
                if history.is_some() {
                    "best-ranked"
                } else {
                    "cheapest"
                },
                count(
                    s.sync.len() as u32,
                    "synchronous call site",
                    "synchronous call sites"
                ),
                count(s.events.len() as u32, "notification", "notifications"),
                count(s.other.len() as u32, "type reference", "type references"),
                count(
                    shared as u32,
                    "shared model or table",
                    "shared models and tables"
                ),
                match n_cuts {
                    0 => String::new(),
                    1 =>
                        " One edge of its seam is in a cycle: cut it first (see Cycles).".to_owned(),
                    n => format!(
                        " {n} edges of its seam are in cycles: cut them first (see Cycles)."
                    ),
                }
            )
        };
        let advice = advice(
            input,
            next,
            step_no,
            service,
            &rewrites,
            (s.sync.len(), s.events.len()),
            &remaining,
            shared_tables,
        );
        steps.push(ExtractionStep {
            step: step_no,
            context: next,
            why,
            inbound_references: s.inbound,
            outbound_references: s.outbound,
            shared_data: shared,
            cost,
            rewrites,
            new_network_calls: s.sync.len(),
            new_events: s.events.len(),
            tables_to_migrate: service.owns.tables.clone(),
            advice,
        });
    }
    steps
}

fn count(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[allow(clippy::too_many_arguments)]
fn advice(
    input: &Input<'_>,
    c: ContextId,
    step_no: usize,
    service: &Service,
    rewrites: &[CrossRef],
    (new_calls, new_events): (usize, usize),
    remaining: &BTreeSet<ContextId>,
    shared_tables: &[SharedTablePlan],
) -> Vec<String> {
    let name = input.ctx_name(c);
    let mut out = Vec::new();
    if step_no == 1 && !remaining.is_empty() {
        out.push(
            "Keep this first step small and safe: the first extraction is the slowest, and it sets up the deployment pipeline, the service template and the monitoring every later step reuses.".to_owned(),
        );
    }
    if new_calls > 0 {
        out.push(format!(
            "{} become{} synchronous network calls: give each a timeout, a retry budget and a circuit breaker, and trace them (one span per call): a slow dependency is worse than a failed one.",
            count(new_calls as u32, "call site", "call sites"),
            if new_calls == 1 { "s" } else { "" }
        ));
    }
    if new_events > 0 {
        out.push(format!(
            "{} become{} events: publish them through an outbox in the same transaction as the change, and make every consumer idempotent.",
            count(new_events as u32, "notification", "notifications"),
            if new_events == 1 { "s" } else { "" }
        ));
    }
    // Endpoints the rest of the monolith calls.
    let endpoints: BTreeSet<&str> = rewrites
        .iter()
        .filter(|r| r.to_context == c && r.kind == ir::DepKind::Call)
        .map(|r| r.to.as_str())
        .collect();
    if !endpoints.is_empty() {
        let names: Vec<&str> = endpoints
            .iter()
            .take(3)
            .map(|p| p.rsplit("::").next().unwrap_or(p))
            .collect();
        out.push(format!(
            "Expose {} ({}{}) with service-to-service authentication and authorisation.",
            count(endpoints.len() as u32, "endpoint", "endpoints"),
            list(&names),
            if endpoints.len() > 3 { ", ..." } else { "" }
        ));
    }
    // Models of the monolith this service keeps using.
    let foreign_models: BTreeSet<&str> = rewrites
        .iter()
        .filter(|r| r.from_context == c && r.kind == ir::DepKind::Type)
        .filter(|r| {
            r.to_item
                .and_then(|t| input.item(t))
                .is_some_and(|it| it.kind.is_model())
        })
        .map(|r| r.to.rsplit("::").next().unwrap_or(&r.to))
        .collect();
    if !foreign_models.is_empty() {
        let v: Vec<&str> = foreign_models.iter().take(4).copied().collect();
        out.push(format!(
            "Put an anti-corruption layer between {name} and the monolith's models it still uses ({}): translate them at the boundary instead of sharing them.",
            list(&v)
        ));
    }
    if service.owns.tables.is_empty() {
        if service.state.statics.is_empty() {
            out.push("Stateless: no data to migrate; it can scale out freely.".to_owned());
        }
    } else {
        let v: Vec<&str> = service
            .owns
            .tables
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        out.push(format!(
            "Migrate {} ({}) into {name}'s own database, with its backups and migrations.",
            if v.len() == 1 {
                "its table"
            } else {
                "its tables"
            },
            list(&v)
        ));
    }
    let sagas: Vec<&str> = shared_tables
        .iter()
        .filter(|t| t.technique == TableTechnique::Saga && t.uses.iter().any(|u| u.context == c))
        .map(|t| t.table.name.as_str())
        .collect();
    if !sagas.is_empty() {
        out.push(format!(
            "Operations that write {} from several contexts become sagas: idempotent steps (\"add 100 credits because of order 456\") with compensations.",
            list(&sagas)
        ));
    }
    if !service.stack.is_empty() {
        let v: Vec<String> = service
            .stack
            .iter()
            .map(|s| format!("{} ({})", s.infra.label(), s.crates.join(", ")))
            .collect();
        let v: Vec<&str> = v.iter().map(String::as_str).collect();
        out.push(format!("Provision its own stack: {}.", list(&v)));
    }
    out
}
