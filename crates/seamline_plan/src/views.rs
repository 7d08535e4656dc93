//! What the renderers show that derives from the rest of the plan: the context map's edges,
//! the extraction step of each context, the shared kernel with its reasons, the module
//! explorer's dependencies with fan-in and fan-out, and the clustering's provenance and
//! quality metrics.
//!
//! Computed once here, so that the HTML, the Markdown, the DOT and the JSON show the same
//! numbers and no renderer derives its own.

use crate::build::Input;
use crate::{
    ClusteringSummary, CrossRef, CyclePlan, ExtractionStep, KernelModule, MapEdge, ModuleLinks,
};
use seamline_cluster::contexts::ContextId;
use seamline_ir as ir;
use std::collections::{BTreeMap, BTreeSet};

/// One edge per ordered pair of contexts with references between them, sorted by
/// (from, to), marked where it lies inside a cycle and where the plan cuts it.
pub(crate) fn context_edges(cross: &[CrossRef], cycles: &[CyclePlan]) -> Vec<MapEdge> {
    let mut weights: BTreeMap<(ContextId, ContextId), u32> = BTreeMap::new();
    for r in cross {
        *weights.entry((r.from_context, r.to_context)).or_default() += r.count;
    }
    let mut in_cycle: BTreeSet<(ContextId, ContextId)> = BTreeSet::new();
    let mut cut: BTreeSet<(ContextId, ContextId)> = BTreeSet::new();
    for c in cycles {
        in_cycle.extend(c.edges.iter().map(|e| (e.from, e.to)));
        cut.extend(
            c.cuts
                .iter()
                .map(|x| (c.edges[x.edge].from, c.edges[x.edge].to)),
        );
    }
    weights
        .into_iter()
        .map(|((from, to), references)| MapEdge {
            from,
            to,
            references,
            in_cycle: in_cycle.contains(&(from, to)),
            cut: cut.contains(&(from, to)),
        })
        .collect()
}

/// The extraction step of every context, by context id.
pub(crate) fn step_of(n_contexts: usize, extraction: &[ExtractionStep]) -> Vec<Option<usize>> {
    let mut out = vec![None; n_contexts];
    for s in extraction {
        out[s.context.index()] = Some(s.step);
    }
    out
}

/// The shared kernel's modules, in the proposal's order, with why each was set aside.
pub(crate) fn kernel(input: &Input<'_>) -> Vec<KernelModule> {
    let p = input.proposal;
    p.kernel_modules
        .iter()
        .zip(&p.kernel_reasons)
        .map(|(&m, reason)| KernelModule {
            module: crate::ModuleRef {
                id: m,
                path: input.facts.modules[m.index()].path.clone(),
            },
            reason: reason.clone(),
        })
        .collect()
}

/// Every module's context, and how many distinct modules it depends on and are depending
/// on it, by module id.
pub(crate) fn module_links(input: &Input<'_>, deps: &[ir::ModuleDep]) -> Vec<ModuleLinks> {
    let n = input.facts.modules.len();
    let mut fan_in: Vec<BTreeSet<ir::ModuleId>> = vec![BTreeSet::new(); n];
    let mut fan_out: Vec<BTreeSet<ir::ModuleId>> = vec![BTreeSet::new(); n];
    for d in deps {
        fan_in[d.to.index()].insert(d.from);
        fan_out[d.from.index()].insert(d.to);
    }
    (0..n)
        .map(|i| ModuleLinks {
            context: input.proposal.map.module_context[i],
            fan_in: fan_in[i].len(),
            fan_out: fan_out[i].len(),
        })
        .collect()
}

/// How the contexts were found, and the quality metrics of the partition.
pub(crate) fn clustering(input: &Input<'_>) -> ClusteringSummary {
    let m = &input.proposal.metrics;
    ClusteringSummary {
        provenance: input.proposal.provenance.clone(),
        structural_modularity: m.structural_modularity,
        inter_call_percentage: m.inter_call_percentage,
        interface_number: m.interface_number,
        non_extreme_distribution: m.non_extreme_distribution,
    }
}
