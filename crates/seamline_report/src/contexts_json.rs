//! The clustering and plan sections of `seamline.json`: `clustering`, `contexts`, `kernel`,
//! `metrics` and `plan` at the top level, and `context` on every module and item.
//!
//! `attach` adds them to a document built by [`crate::json::build`], so that the core keys
//! (schema version 1) never move and a reader of the facts alone is not affected: every new
//! key is optional in the wire types and serialised only when a proposal was computed.
//! Contexts are referred to by name, modules and items by the same string ids as the rest of
//! the document. Metrics are rounded to 6 decimals, so that the last bits of a logarithm
//! (which may differ between math libraries) never reach the file.

use crate::json::Report;
use crate::plan_json::PlanJson;
use seamline_cluster::contexts::{ContextId, EdgeEvidence, Proposal};
use seamline_ir as ir;
use serde::Serialize;
use std::borrow::Cow;

/// How the proposal was found (`clustering`).
#[derive(Debug, Clone, Serialize)]
pub struct ClusteringJson<'a> {
    /// `module` or `item`.
    pub granularity: &'a str,
    /// The winning algorithm: `leiden`, `louvain` or `label-propagation`.
    pub algorithm: &'a str,
    /// Its resolution parameter.
    pub resolution: f64,
    /// Its seed.
    pub seed: u64,
    /// The objective's value (higher is better).
    pub objective: f64,
    /// How many runs the ensemble made.
    pub runs: usize,
    /// Sentences about `[clustering]` constraints that matched nothing or could not hold.
    pub constraint_notes: &'a [String],
}

/// One bounded context (`contexts[]`).
#[derive(Debug, Clone, Serialize)]
pub struct ContextJson<'a> {
    /// Its unique, readable name.
    pub name: &'a str,
    /// Whether the name comes from a pin in `seamline.toml`.
    pub declared: bool,
    /// Module ids whose context this is, sorted.
    pub modules: Vec<&'a str>,
    /// Item ids in this context (including items of mixed modules), in item order.
    pub items: Vec<Cow<'a, str>>,
    /// Its metrics.
    pub metrics: ContextMetricsJson<'a>,
}

/// Metrics of one context (`contexts[].metrics`).
#[derive(Debug, Clone, Serialize)]
pub struct ContextMetricsJson<'a> {
    /// Owner items (the unit of NED and `min_context_size`).
    pub size: usize,
    /// Modules.
    pub modules: usize,
    /// Items.
    pub items: usize,
    /// Lines of code.
    pub code_lines: u64,
    /// Density of the internal dependency graph, 0..1.
    pub cohesion: f64,
    /// Share of its dependency weight that leaves it, 0..1.
    pub coupling: f64,
    /// Afferent coupling Ca: contexts depending on it.
    pub afferent: usize,
    /// Efferent coupling Ce: contexts it depends on.
    pub efferent: usize,
    /// Instability I = Ce / (Ca + Ce).
    pub instability: f64,
    /// Item ids used from other contexts (its de-facto API).
    pub interface: Vec<Cow<'a, str>>,
    /// Item ids of the models it defines.
    pub owned_models: Vec<Cow<'a, str>>,
    /// Names of the tables it owns (it writes them most; see `tables[].owner_reason`).
    pub owned_tables: Vec<&'a str>,
    /// Item ids of the functions and methods that answer requests.
    pub endpoints: Vec<Cow<'a, str>>,
}

/// The shared kernel (`kernel`).
#[derive(Debug, Clone, Serialize)]
pub struct KernelJson<'a> {
    /// Modules set aside as generic infrastructure, sorted by id, with the reason.
    pub modules: Vec<KernelModuleJson<'a>>,
}

/// A kernel module (`kernel.modules[]`).
#[derive(Debug, Clone, Serialize)]
pub struct KernelModuleJson<'a> {
    /// The module id.
    pub id: &'a str,
    /// Why it was set aside.
    pub reason: &'a str,
}

/// Metrics of the whole proposal (`metrics`).
#[derive(Debug, Clone, Serialize)]
pub struct MetricsJson<'a> {
    /// Newman–Girvan modularity Q.
    pub modularity: f64,
    /// Structural modularity SM (Jin et al. 2019).
    pub structural_modularity: f64,
    /// Inter-call percentage ICP, 0..1.
    pub inter_call_percentage: f64,
    /// Interface number IFN (Jin et al.: published interfaces per context).
    pub interface_number: f64,
    /// Non-extreme distribution NED: share of owner items in contexts of extreme size.
    pub non_extreme_distribution: f64,
    /// Models used by more than one context.
    pub shared_models: Vec<SharedModelJson<'a>>,
    /// Tables touched by more than one context.
    pub shared_tables: Vec<SharedTableJson<'a>>,
    /// Directed context -> context dependencies, with evidence.
    pub context_dependencies: Vec<ContextDependencyJson<'a>>,
    /// Cycles between contexts (strongly connected components of more than one context).
    pub cycles: Vec<CycleJson<'a>>,
}

/// `metrics.shared_models[]`.
#[derive(Debug, Clone, Serialize)]
pub struct SharedModelJson<'a> {
    /// The model's item id.
    pub model: Cow<'a, str>,
    /// The defining context, or null for the kernel.
    pub owner: Option<&'a str>,
    /// The other contexts using it, by name.
    pub used_by: Vec<&'a str>,
}

/// `metrics.shared_tables[]`.
#[derive(Debug, Clone, Serialize)]
pub struct SharedTableJson<'a> {
    /// The table name.
    pub table: &'a str,
    /// The context that owns it, or null.
    pub owner: Option<&'a str>,
    /// Why (`writes`, `main-reader`, `schema`, `mapping`), or null.
    pub owner_reason: Option<&'static str>,
    /// Every context touching it.
    pub accesses: Vec<TableAccessJson<'a>>,
}

/// `metrics.shared_tables[].accesses[]`.
#[derive(Debug, Clone, Serialize)]
pub struct TableAccessJson<'a> {
    /// The context's name.
    pub context: &'a str,
    /// Reads.
    pub reads: u32,
    /// Writes.
    pub writes: u32,
}

/// `metrics.context_dependencies[]`.
#[derive(Debug, Clone, Serialize)]
pub struct ContextDependencyJson<'a> {
    /// The depending context.
    pub from: &'a str,
    /// The depended-on context.
    pub to: &'a str,
    /// References per kind (`import`, `type`, `call`, `impl`, `table`).
    pub counts: std::collections::BTreeMap<&'static str, u32>,
    /// The references forming it, sorted by location; capped for huge edges.
    pub evidence: Vec<EvidenceJson<'a>>,
}

/// `metrics.context_dependencies[].evidence[]`.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceJson<'a> {
    /// The module holding the reference.
    pub from_module: &'a str,
    /// The item holding it, or null.
    pub from_item: Option<Cow<'a, str>>,
    /// The referenced item, or null for a table.
    pub to_item: Option<Cow<'a, str>>,
    /// The table, for table references.
    pub table: Option<&'a str>,
    /// The dependency kind.
    pub kind: &'static str,
    /// How many times.
    pub count: u32,
    /// `file:line`.
    pub location: String,
}

/// `metrics.cycles[]`.
#[derive(Debug, Clone, Serialize)]
pub struct CycleJson<'a> {
    /// The contexts of the cycle, by name, sorted by id.
    pub contexts: Vec<&'a str>,
    /// The dependencies inside it.
    pub edges: Vec<CycleEdgeJson<'a>>,
}

/// `metrics.cycles[].edges[]`.
#[derive(Debug, Clone, Serialize)]
pub struct CycleEdgeJson<'a> {
    /// The depending context.
    pub from: &'a str,
    /// The depended-on context.
    pub to: &'a str,
    /// Number of references.
    pub references: u32,
}

/// Adds the proposal and the plan to a document built from the same facts: `clustering`,
/// `contexts`, `kernel`, `metrics`, `plan`, and `context` on every module and item (null for
/// the shared kernel). [`crate::json::document`] is its one caller.
pub(crate) fn attach<'a>(
    report: &mut Report<'a>,
    facts: &'a ir::Facts,
    proposal: &'a Proposal,
    plan: Option<PlanJson>,
) {
    let name = |c: ContextId| -> &'a str { &proposal.contexts[c.index()].name };
    // The document's string ids, by index (modules and items follow the IR's order).
    let item_ids: Vec<Cow<'a, str>> = report.items.iter().map(|i| i.id.clone()).collect();
    let item = |id: ir::ItemId| -> Cow<'a, str> { item_ids[id.index()].clone() };
    let module = |id: ir::ModuleId| -> &'a str { &facts.modules[id.index()].path };
    let table = |id: ir::TableId| -> &'a str { &facts.tables[id.index()].name };
    let loc =
        |l: ir::Location| -> String { format!("{}:{}", facts.files[l.file.index()].path, l.line) };

    for (m, &c) in report.modules.iter_mut().zip(&proposal.map.module_context) {
        m.context = Some(c.map(name));
    }
    for (it, &c) in report.items.iter_mut().zip(&proposal.map.item_context) {
        it.context = Some(c.map(name));
    }
    for t in report.tables.iter_mut() {
        let owner = facts
            .tables
            .iter()
            .find(|x| x.name == t.name)
            .and_then(|x| proposal.map.table_owners[x.id.index()]);
        t.owner = Some(owner.map(|(c, _)| name(c)));
        t.owner_reason = Some(owner.map(|(_, r)| r.as_str()));
    }

    let p = &proposal.provenance;
    report.clustering = Some(ClusteringJson {
        granularity: p.granularity.as_str(),
        algorithm: p.algorithm.as_str(),
        resolution: round(p.resolution),
        seed: p.seed,
        objective: round(p.objective),
        runs: p.runs,
        constraint_notes: &proposal.constraint_notes,
    });

    report.contexts = Some(
        proposal
            .contexts
            .iter()
            .map(|c| {
                let m = &c.metrics;
                ContextJson {
                    name: &c.name,
                    declared: c.declared,
                    modules: c.modules.iter().map(|&id| module(id)).collect(),
                    items: c.items.iter().map(|&id| item(id)).collect(),
                    metrics: ContextMetricsJson {
                        size: m.size,
                        modules: m.modules,
                        items: m.items,
                        code_lines: m.code_lines,
                        cohesion: round(m.cohesion),
                        coupling: round(m.coupling),
                        afferent: m.afferent,
                        efferent: m.efferent,
                        instability: round(m.instability),
                        interface: m.interface.iter().map(|&id| item(id)).collect(),
                        owned_models: m.owned_models.iter().map(|&id| item(id)).collect(),
                        owned_tables: m.owned_tables.iter().map(|&id| table(id)).collect(),
                        endpoints: m.endpoints.iter().map(|&id| item(id)).collect(),
                    },
                }
            })
            .collect(),
    );

    report.kernel = Some(KernelJson {
        modules: proposal
            .kernel_modules
            .iter()
            .zip(&proposal.kernel_reasons)
            .map(|(&id, reason)| KernelModuleJson {
                id: module(id),
                reason,
            })
            .collect(),
    });

    let pm = &proposal.metrics;
    let evidence = |e: &EdgeEvidence| EvidenceJson {
        from_module: module(e.from_module),
        from_item: e.from_item.map(item),
        to_item: e.to_item.map(item),
        table: e.table.map(table),
        kind: e.kind.as_str(),
        count: e.count,
        location: loc(e.location),
    };
    report.metrics = Some(MetricsJson {
        modularity: round(pm.modularity),
        structural_modularity: round(pm.structural_modularity),
        inter_call_percentage: round(pm.inter_call_percentage),
        interface_number: round(pm.interface_number),
        non_extreme_distribution: round(pm.non_extreme_distribution),
        shared_models: pm
            .shared_models
            .iter()
            .map(|s| SharedModelJson {
                model: item(s.model),
                owner: s.owner.map(name),
                used_by: s.used_by.iter().map(|&c| name(c)).collect(),
            })
            .collect(),
        shared_tables: pm
            .shared_tables
            .iter()
            .map(|s| SharedTableJson {
                table: table(s.table),
                owner: s.owner.map(name),
                owner_reason: s.owner_reason.map(|r| r.as_str()),
                accesses: s
                    .accesses
                    .iter()
                    .map(|&(c, reads, writes)| TableAccessJson {
                        context: name(c),
                        reads,
                        writes,
                    })
                    .collect(),
            })
            .collect(),
        context_dependencies: pm
            .context_edges
            .iter()
            .map(|e| ContextDependencyJson {
                from: name(e.from),
                to: name(e.to),
                counts: ir::DepKind::ALL
                    .iter()
                    .zip(e.counts)
                    .map(|(k, n)| (k.as_str(), n))
                    .collect(),
                evidence: e.evidence.iter().map(evidence).collect(),
            })
            .collect(),
        cycles: pm
            .cycles
            .iter()
            .map(|c| CycleJson {
                contexts: c.contexts.iter().map(|&id| name(id)).collect(),
                edges: c
                    .edges
                    .iter()
                    .map(|&i| &pm.context_edges[i])
                    .map(|e| CycleEdgeJson {
                        from: name(e.from),
                        to: name(e.to),
                        references: e.counts.iter().sum(),
                    })
                    .collect(),
            })
            .collect(),
    });

    report.plan = plan;
}

/// Rounds to 6 decimals (NaN and infinities become 0, which JSON cannot hold anyway).
fn round(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e6).round() / 1e6
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::round;

    #[test]
    fn metrics_are_rounded_to_six_decimals() {
        assert_eq!(round(0.123_456_789), 0.123_457);
        assert_eq!(round(-0.5), -0.5);
        assert_eq!(round(f64::NAN), 0.0);
        assert_eq!(round(f64::INFINITY), 0.0);
    }
}
