//! The extraction order (strangler fig): one context at a time, behind the existing
//! interface, so that the monolith shrinks step by step.
//!
//! Greedy: at each step, among the contexts still in the monolith, take the one with the
//! fewest inbound references from the others (fewest callers to rewrite), then the least
//! shared data (shared models and tables it touches), then the fewest outbound references
//! (most self-contained), then by name. The first extraction is the slowest (DOMAIN.md), so
//! the first step should be the smallest and safest.
//!
//! Effort of a step: every reference between the context and the contexts still in the
//! monolith (both directions) must be rewritten; references to services extracted earlier
//! were rewritten at their own step, and references to the shared kernel stay library calls.

use crate::build::Input;
use crate::services::list;
use crate::{CrossRef, ExtractionStep, Service, SharedModelPlan, SharedTablePlan, TableTechnique};
use seamline_cluster::contexts::ContextId;
use seamline_ir as ir;
use std::collections::{BTreeMap, BTreeSet};

/// A caller (module, item) and its callee (item or table).
type CallSite = (
    ir::ModuleId,
    Option<ir::ItemId>,
    Option<ir::ItemId>,
    Option<ir::TableId>,
);

pub(crate) fn extraction(
    input: &Input<'_>,
    cross: &[CrossRef],
    services: &[Service],
    shared_models: &[SharedModelPlan],
    shared_tables: &[SharedTablePlan],
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

    let mut remaining: BTreeSet<ContextId> = services.iter().map(|s| s.context).collect();
    let mut steps = Vec::new();
    while !remaining.is_empty() {
        let n_left = remaining.len();
        let score = |c: ContextId| {
            let inbound: u32 = cross
                .iter()
                .filter(|r| r.to_context == c && remaining.contains(&r.from_context))
                .map(|r| r.count)
                .sum();
            let outbound: u32 = cross
                .iter()
                .filter(|r| r.from_context == c && remaining.contains(&r.to_context))
                .map(|r| r.count)
                .sum();
            (inbound, shared_data.get(&c).copied().unwrap_or(0), outbound)
        };
        let Some(&next) = remaining.iter().min_by(|&&a, &&b| {
            score(a)
                .cmp(&score(b))
                .then_with(|| input.ctx_name(a).cmp(input.ctx_name(b)))
                .then(a.cmp(&b))
        }) else {
            break;
        };
        let (inbound, shared, outbound) = score(next);
        remaining.remove(&next);

        let rewrites: Vec<CrossRef> = cross
            .iter()
            .filter(|r| {
                (r.from_context == next && remaining.contains(&r.to_context))
                    || (r.to_context == next && remaining.contains(&r.from_context))
            })
            .cloned()
            .collect();
        let calls: BTreeSet<CallSite> = rewrites
            .iter()
            .filter(|r| matches!(r.kind, ir::DepKind::Call | ir::DepKind::Table))
            .map(|r| (r.from_module, r.from_item, r.to_item, r.table))
            .collect();
        let Some(service) = services.iter().find(|s| s.context == next) else {
            continue;
        };
        let name = input.ctx_name(next);
        let step_no = steps.len() + 1;
        let why = if remaining.is_empty() && step_no > 1 {
            format!("Last: what remains of the monolith is the {name} service.")
        } else {
            format!(
                "{name} {}: {} from the rest of the monolith (the fewest of the {n_left} contexts left), {} it touches, {} to the rest.",
                if step_no == 1 {
                    "goes first"
                } else {
                    "goes next"
                },
                count(inbound, "inbound reference", "inbound references"),
                count(
                    shared as u32,
                    "shared model or table",
                    "shared models and tables"
                ),
                count(outbound, "outbound reference", "outbound references"),
            )
        };
        let advice = advice(
            input,
            next,
            step_no,
            service,
            &rewrites,
            calls.len(),
            &remaining,
            shared_tables,
        );
        steps.push(ExtractionStep {
            step: step_no,
            context: next,
            why,
            inbound_references: inbound,
            outbound_references: outbound,
            shared_data: shared,
            rewrites,
            new_network_calls: calls.len(),
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
    new_calls: usize,
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
            "{} become{} network calls: give each a timeout, a retry budget and a circuit breaker, and trace them (one span per call): a slow dependency is worse than a failed one.",
            count(new_calls as u32, "call", "calls"),
            if new_calls == 1 { "s" } else { "" }
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
