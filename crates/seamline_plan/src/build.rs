//! Wires the plan together, and the lookups every part of it shares: display references,
//! the context of a module, item or table, and the cross-boundary references.

use crate::verdict::{self, Shares};
use crate::views;
use crate::{
    CrossRef, HistorySignals, ItemRef, KeyNumbers, Loc, ModuleRef, Plan, PlanOptions, TableRef,
    codebase, cycles, data, history, order, services, worklist,
};
use seamline_cluster::contexts::{ContextId, Proposal};
use seamline_ir as ir;
use std::collections::BTreeSet;

/// Name prefixes of functions that notify or record rather than ask.
const NOTIFY_PREFIXES: &[&str] = &[
    "notify",
    "send_",
    "publish",
    "emit",
    "on_",
    "record_",
    "log_",
    "track",
    "audit",
    "enqueue",
    "dispatch",
    "broadcast",
    "alert",
    "mark_",
];

/// What a one-line signature returns.
enum Returns {
    /// Nothing (`()` or no return type): fire and forget.
    Nothing,
    /// Only success or failure (`Result<()>`, `Result<(), E>`): a command or a check.
    Status,
    /// A value.
    Value,
}

fn returns(signature: &str) -> Returns {
    match signature.rsplit_once("->") {
        None => Returns::Nothing,
        Some((_, ret)) => {
            let ret = ret.trim();
            if ret == "()" {
                Returns::Nothing
            } else if ret.contains("<()") {
                Returns::Status
            } else {
                Returns::Value
            }
        }
    }
}

/// Read-only access to the inputs, checked by [`crate::validate`] before any is read;
/// context lookups index the proposal's map directly.
pub(crate) struct Input<'a> {
    pub facts: &'a ir::Facts,
    pub proposal: &'a Proposal,
}

impl Input<'_> {
    pub fn loc(&self, loc: ir::Location) -> Loc {
        Loc {
            file: self.facts.files[loc.file.index()].path.clone(),
            line: loc.line,
        }
    }

    pub fn item(&self, id: ir::ItemId) -> Option<&ir::Item> {
        self.facts.items.get(id.index())
    }

    pub fn item_ref(&self, id: ir::ItemId) -> Option<ItemRef> {
        let it = self.item(id)?;
        Some(ItemRef {
            id,
            name: it.name.clone(),
            path: it.path.clone(),
            kind: it.kind,
            at: self.loc(it.location),
        })
    }

    pub fn module_ref(&self, id: ir::ModuleId) -> Option<ModuleRef> {
        let m = self.facts.modules.get(id.index())?;
        Some(ModuleRef {
            id,
            path: m.path.clone(),
        })
    }

    pub fn table_ref(&self, id: ir::TableId) -> Option<TableRef> {
        let t = self.facts.tables.get(id.index())?;
        Some(TableRef {
            id,
            name: t.name.clone(),
        })
    }

    pub fn ctx_name(&self, c: ContextId) -> &str {
        &self.proposal.contexts[c.index()].name
    }

    /// The item a method or impl belongs to (its type), bounded and tolerant of bad ids.
    pub fn owner_item(&self, item: ir::ItemId) -> ir::ItemId {
        let mut cur = item;
        for _ in 0..4 {
            match self.item(cur) {
                Some(it) if matches!(it.kind, ir::ItemKind::Method | ir::ItemKind::Impl) => {
                    match it.parent {
                        Some(p) if self.item(p).is_some() => cur = p,
                        _ => break,
                    }
                }
                _ => break,
            }
        }
        cur
    }

    /// Whether a function or method only notifies, so that calls to it need no answer and
    /// can become events: it returns nothing, or only a status (`Result<()>`) and its name
    /// says it notifies or records (`notify_*`, `send_*`, `on_*`, `mark_*`, `*_shipped`...).
    /// A `Result<()>` with another name (`validate`, `max_len`) is a check: the caller needs
    /// its answer.
    pub fn notifies(&self, item: ir::ItemId) -> bool {
        self.item(item).is_some_and(|it| {
            if !matches!(it.kind, ir::ItemKind::Function | ir::ItemKind::Method) {
                return false;
            }
            let named = NOTIFY_PREFIXES.iter().any(|p| it.name.starts_with(p))
                || (it.name.ends_with("ed") && it.name.contains('_'));
            match it.signature.as_deref().map(returns) {
                Some(Returns::Nothing) => true,
                Some(Returns::Status) => named,
                Some(Returns::Value) => false,
                None => named,
            }
        })
    }

    pub fn n_contexts(&self) -> usize {
        self.proposal.contexts.len()
    }

    pub fn module_context(&self, m: ir::ModuleId) -> Option<ContextId> {
        self.proposal.map.module_context[m.index()]
    }

    pub fn item_context(&self, i: ir::ItemId) -> Option<ContextId> {
        self.proposal.map.item_context[i.index()]
    }

    /// The context of the code at (module, item): the item's, else the module's.
    pub fn code_context(&self, m: ir::ModuleId, i: Option<ir::ItemId>) -> Option<ContextId> {
        self.proposal.map.code_context(m, i)
    }

    fn holder_name(&self, m: ir::ModuleId, i: Option<ir::ItemId>) -> String {
        i.and_then(|i| self.item(i).map(|it| it.path.clone()))
            .or_else(|| self.module_ref(m).map(|m| m.path))
            .unwrap_or_else(|| "?".to_owned())
    }

    /// The proposal's crossings ready for display, sorted by (from context, to context,
    /// location, from, to).
    pub fn cross_refs(&self) -> Vec<CrossRef> {
        let mut out: Vec<CrossRef> = self
            .proposal
            .map
            .crossings
            .iter()
            .map(|c| {
                let (to, to_signature) = match (c.to_item, c.table) {
                    (Some(i), _) => {
                        let target = &self.facts.items[i.index()];
                        (target.path.clone(), target.signature.clone())
                    }
                    (None, Some(t)) => {
                        (format!("table {}", self.facts.tables[t.index()].name), None)
                    }
                    (None, None) => unreachable!("a crossing reaches an item or a table"),
                };
                CrossRef {
                    from_context: c.from,
                    to_context: c.to,
                    from_module: c.from_module,
                    from_item: c.from_item,
                    from: self.holder_name(c.from_module, c.from_item),
                    to_item: c.to_item,
                    table: c.table,
                    to,
                    to_signature,
                    kind: c.kind,
                    writes: c.writes,
                    count: c.count,
                    at: self.loc(c.location),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (a.from_context, a.to_context, &a.at, &a.from, &a.to, a.kind).cmp(&(
                b.from_context,
                b.to_context,
                &b.at,
                &b.from,
                &b.to,
                b.kind,
            ))
        });
        out
    }
}

pub(crate) fn plan(
    facts: &ir::Facts,
    proposal: &Proposal,
    options: &PlanOptions,
    history: Option<&HistorySignals>,
) -> Plan {
    if let Err(e) = crate::validate(facts, proposal) {
        panic!("the plan's inputs do not fit together: {e}");
    }
    let input = Input { facts, proposal };
    let cross = input.cross_refs();
    let services = services::services(&input, &cross);
    let shared_models = data::shared_models(&input, &cross);
    let shared_tables = data::shared_tables(&input, &options.thresholds);
    let cycles = cycles::cycles(&input, &cross);
    let history = history.map(|h| history::resolve(&input, h, &options.thresholds));
    let codebase = codebase::codebase(&input, &services, history.as_ref(), &options.thresholds);
    let mut extraction = order::extraction(
        &input,
        &options.thresholds,
        &codebase.real_contexts,
        &cross,
        &services,
        &shared_models,
        &shared_tables,
        &cycles,
        history.as_ref().map(|h| (h, &options.thresholds)),
    );
    if codebase.kind != crate::CodebaseKind::NetworkService {
        // No network seam to cut: the order is the one to carve crates out in.
        for step in &mut extraction {
            step.why = format!(
                "As a crate, not a service (this is a {}): {}",
                codebase.kind.label(),
                step.why
            );
        }
    }
    if let Some(h) = &history {
        for step in &mut extraction {
            for pair in h
                .not_independent
                .iter()
                .filter(|p| p.a == step.context || p.b == step.context)
            {
                let other = if pair.a == step.context {
                    pair.b
                } else {
                    pair.a
                };
                let Some(first) = pair.pairs.first().and_then(|&i| h.coupling.get(i)) else {
                    continue;
                };
                step.advice.push(format!(
                    "Not independently deployable: its code changes together with {}'s (`{}` ↔ `{}`: {} shared commits, degree of coupling {:.2}); until that code moves into one context, release the two together.",
                    input.ctx_name(other),
                    first.a.path,
                    first.b.path,
                    first.shared,
                    first.degree
                ));
            }
        }
    }

    let contexts_in_cycles: BTreeSet<ContextId> = cycles
        .iter()
        .flat_map(|c| c.contexts.iter().copied())
        .collect();
    let numbers = KeyNumbers {
        code_lines: facts.code_lines(),
        files: facts.files.len(),
        modules: facts.modules.len(),
        items: facts.items.len(),
        tables: facts.tables.len(),
        contexts: proposal.contexts.len(),
        kernel_modules: proposal.kernel_modules.len(),
        modularity: proposal.metrics.modularity,
        cross_references: cross.iter().map(|r| u64::from(r.count)).sum(),
        contexts_in_cycles: contexts_in_cycles.len(),
        shared_models: shared_models.iter().filter(|m| !m.id_type).count(),
        shared_tables: shared_tables.len(),
        diagnostics: facts.diagnostics.len(),
    };
    let tables_in_use: BTreeSet<ir::TableId> = facts
        .table_accesses
        .iter()
        .filter(|a| input.code_context(a.module, a.item).is_some())
        .map(|a| a.table)
        .chain(
            proposal
                .contexts
                .iter()
                .flat_map(|c| c.metrics.owned_tables.iter().copied()),
        )
        .collect();
    let owned_models: BTreeSet<ir::ItemId> = proposal
        .contexts
        .iter()
        .flat_map(|c| c.metrics.owned_models.iter().copied())
        .filter(|&m| input.item(m).is_some_and(|it| !data::is_id_type(&it.name)))
        .collect();
    let shares = Shares {
        tables_in_use: tables_in_use.len(),
        owned_models: owned_models.len(),
    };
    let (verdict, reasons) = verdict::decide(&numbers, &shares, &codebase, &options.thresholds);
    // The worklist of the crossed structural thresholds, also for a monolith to keep: there
    // it is the tidying its modules need.
    let worklist = worklist::worklist(
        &input,
        &cycles,
        &shared_models,
        &shared_tables,
        &worklist::Denominators {
            contexts: numbers.contexts,
            tables_in_use: shares.tables_in_use,
            owned_models: shares.owned_models,
        },
        &options.thresholds,
    );
    let advice = verdict::advice(verdict, &codebase, worklist.len());
    let context_edges = views::context_edges(&cross, &cycles);
    let steps_by_context = views::step_of(proposal.contexts.len(), &extraction);
    let module_deps = facts.module_deps();
    Plan {
        modules: views::module_links(&input, &module_deps),
        module_deps,
        kernel: views::kernel(&input),
        clustering: views::clustering(&input),
        context_edges,
        steps_by_context,
        verdict,
        advice,
        codebase,
        reasons,
        numbers,
        context_names: proposal.contexts.iter().map(|c| c.name.clone()).collect(),
        services,
        shared_models,
        shared_tables,
        cycles,
        extraction,
        worklist,
        cross_references: cross,
        thresholds: options.thresholds.clone(),
        history,
        possibly_dead: possibly_dead(&input),
    }
}

/// The proposal's possibly dead code, ready for display, largest first.
fn possibly_dead(input: &Input<'_>) -> Vec<crate::DeadCodePlan> {
    let mut out: Vec<crate::DeadCodePlan> = input
        .proposal
        .possibly_dead
        .iter()
        .map(|d| {
            let mut items: Vec<ItemRef> = d
                .items
                .iter()
                .filter(|&&i| input.owner_item(i) == i)
                .filter_map(|&i| input.item_ref(i))
                .collect();
            items.sort_by(|a, b| a.path.cmp(&b.path));
            crate::DeadCodePlan {
                items,
                modules: d
                    .modules
                    .iter()
                    .filter_map(|&m| input.module_ref(m))
                    .collect(),
                code_lines: d.code_lines,
                reason: d.reason.clone(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.code_lines.cmp(&a.code_lines).then_with(|| {
            a.items
                .first()
                .map(|i| &i.path)
                .cmp(&b.items.first().map(|i| &i.path))
        })
    });
    out
}
