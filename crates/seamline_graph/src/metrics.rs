//! Decomposition metrics of a partition of a [`DepGraph`]'s nodes into contexts.
//!
//! Formulas and sources (also in `docs/metrics.md`):
//!
//! - cohesion of context `i` = `mu_i / (N_i (N_i - 1) / 2)`: the density of its undirected
//!   dependency graph, where `mu_i` counts connected node pairs inside `i` and `N_i` its
//!   nodes; 1 for a single node.
//! - coupling of `i` = `cut_i / (cut_i + internal_i)` on undirected weights: the share of
//!   the context's edge weight that leaves it for other contexts (kernel excluded).
//! - afferent coupling `Ca_i` = number of other contexts with a dependency on `i`;
//!   efferent `Ce_i` = number of other contexts `i` depends on; instability
//!   `I_i = Ce / (Ca + Ce)` (Martin, "OO Design Quality Metrics", 1994), 0 when both are 0.
//! - structural modularity `SM = (1/K) sum_i scoh_i - (1 / (K (K-1) / 2)) sum_{i<j} scop_ij`
//!   with `scoh_i = mu_i / N_i^2` and `scop_ij = sigma_ij / (2 N_i N_j)`, `sigma_ij` the
//!   connected node pairs between `i` and `j` (Jin et al., "Service candidate
//!   identification from monolithic systems based on execution traces", TSE 2019, as
//!   implemented in the Mono2Micro replication package). The second term is 0 when K = 1.
//! - inter-call percentage `ICP` = calls between different contexts / all calls between
//!   nodes of contexts, counting references of kind call (Jin et al. 2019; Mono2Micro
//!   counts runtime calls, we count call sites).
//! - non-extreme distribution `NED = 1 - (sum of sizes of contexts with lo <= size <= hi) /
//!   (sum of all sizes)`: the share of the codebase in extreme contexts; lower is better
//!   (Jin et al. 2019 with lo = 5, hi = 20 classes).

use std::collections::{BTreeMap, BTreeSet};

use seamline_ir as ir;

use crate::dep_graph::DepGraph;

/// Graph metrics of one context.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphContextMetrics {
    /// Nodes in the context.
    pub nodes: usize,
    /// Connected (undirected) node pairs inside the context: `mu_i`.
    pub internal_pairs: usize,
    /// Internal undirected weight.
    pub internal_weight: f64,
    /// Undirected weight to other contexts.
    pub cut_weight: f64,
    /// Density of the internal graph, 0..1.
    pub cohesion: f64,
    /// `cut / (cut + internal)`, 0..1.
    pub coupling: f64,
    /// Contexts depending on this one, sorted.
    pub afferent: Vec<u32>,
    /// Contexts this one depends on, sorted.
    pub efferent: Vec<u32>,
    /// `Ce / (Ca + Ce)`.
    pub instability: f64,
}

/// Graph metrics of a whole partition.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionMetrics {
    /// Per context, indexed by label.
    pub contexts: Vec<GraphContextMetrics>,
    /// Structural modularity SM.
    pub structural_modularity: f64,
    /// Inter-call percentage ICP, 0..1.
    pub inter_call_percentage: f64,
}

/// Measures a partition: `labels[node]` is the node's context in `0..k`, or `None` for
/// kernel or unassigned nodes, which every metric leaves out.
pub fn partition_metrics(graph: &DepGraph, labels: &[Option<u32>], k: usize) -> PartitionMetrics {
    let label = |n: crate::NodeId| {
        labels
            .get(n.index())
            .copied()
            .flatten()
            .filter(|&l| (l as usize) < k)
    };
    let mut sizes = vec![0usize; k];
    for id in graph.node_ids() {
        if let Some(l) = label(id) {
            sizes[l as usize] += 1;
        }
    }
    let mut internal_pairs = vec![0usize; k];
    let mut internal_weight = vec![0.0f64; k];
    let mut cut_weight = vec![0.0f64; k];
    let mut between: BTreeMap<(u32, u32), usize> = BTreeMap::new();
    for (a, b, w) in graph.undirected_edges() {
        let (Some(la), Some(lb)) = (label(a), label(b)) else {
            continue;
        };
        if la == lb {
            internal_pairs[la as usize] += 1;
            internal_weight[la as usize] += w;
        } else {
            cut_weight[la as usize] += w;
            cut_weight[lb as usize] += w;
            *between.entry((la.min(lb), la.max(lb))).or_default() += 1;
        }
    }
    let mut afferent: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); k];
    let mut efferent: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); k];
    let call = ir::DepKind::ALL
        .iter()
        .position(|&kind| kind == ir::DepKind::Call)
        .unwrap_or(2);
    let (mut calls, mut cross_calls) = (0u64, 0u64);
    for e in graph.edges() {
        let (Some(la), Some(lb)) = (label(e.from), label(e.to)) else {
            continue;
        };
        calls += u64::from(e.counts[call]);
        if la != lb {
            cross_calls += u64::from(e.counts[call]);
            efferent[la as usize].insert(lb);
            afferent[lb as usize].insert(la);
        }
    }
    let contexts: Vec<GraphContextMetrics> = (0..k)
        .map(|i| {
            let n = sizes[i];
            let cohesion = if n <= 1 {
                1.0
            } else {
                internal_pairs[i] as f64 / (n * (n - 1) / 2) as f64
            };
            let total = cut_weight[i] + internal_weight[i];
            let coupling = if total > 0.0 {
                cut_weight[i] / total
            } else {
                0.0
            };
            let (ca, ce) = (afferent[i].len(), efferent[i].len());
            GraphContextMetrics {
                nodes: n,
                internal_pairs: internal_pairs[i],
                internal_weight: internal_weight[i],
                cut_weight: cut_weight[i],
                cohesion,
                coupling,
                afferent: afferent[i].iter().copied().collect(),
                efferent: efferent[i].iter().copied().collect(),
                instability: if ca + ce == 0 {
                    0.0
                } else {
                    ce as f64 / (ca + ce) as f64
                },
            }
        })
        .collect();
    let inter_call_percentage = if calls == 0 {
        0.0
    } else {
        cross_calls as f64 / calls as f64
    };
    PartitionMetrics {
        structural_modularity: structural_modularity(&sizes, &internal_pairs, &between),
        contexts,
        inter_call_percentage,
    }
}

/// Jin et al.'s SM from context sizes, internal connected pairs and connected pairs between
/// contexts (keyed `(i, j)` with `i < j`). Empty contexts are skipped.
pub fn structural_modularity(
    sizes: &[usize],
    internal_pairs: &[usize],
    between: &BTreeMap<(u32, u32), usize>,
) -> f64 {
    let live: Vec<usize> = (0..sizes.len()).filter(|&i| sizes[i] > 0).collect();
    let k = live.len();
    if k == 0 {
        return 0.0;
    }
    let scoh: f64 = live
        .iter()
        .map(|&i| internal_pairs[i] as f64 / (sizes[i] * sizes[i]) as f64)
        .sum::<f64>()
        / k as f64;
    if k == 1 {
        return scoh;
    }
    let scop: f64 = between
        .iter()
        .filter(|&(&(i, j), _)| sizes[i as usize] > 0 && sizes[j as usize] > 0)
        .map(|(&(i, j), &sigma)| sigma as f64 / (2 * sizes[i as usize] * sizes[j as usize]) as f64)
        .sum();
    scoh - scop / (k * (k - 1) / 2) as f64
}

/// NED: the share of the total size held by contexts whose size is outside `lo..=hi`;
/// 0 when there is nothing. Lower is better.
pub fn non_extreme_distribution(sizes: &[usize], lo: usize, hi: usize) -> f64 {
    let total: usize = sizes.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let fine: usize = sizes.iter().filter(|&&s| (lo..=hi).contains(&s)).sum();
    1.0 - fine as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm_of_two_cliques_joined_by_one_pair() {
        // Two triangles (3 pairs each), one pair between them.
        let between = BTreeMap::from([((0, 1), 1)]);
        let sm = structural_modularity(&[3, 3], &[3, 3], &between);
        // scoh = 3/9 each; scop = 1 / (2 * 9); K(K-1)/2 = 1.
        assert!((sm - (3.0 / 9.0 - 1.0 / 18.0)).abs() < 1e-12);
    }

    #[test]
    fn ned_counts_the_extreme_share() {
        assert!((non_extreme_distribution(&[2, 10, 30], 5, 20) - 32.0 / 42.0).abs() < 1e-12);
        assert_eq!(non_extreme_distribution(&[], 5, 20), 0.0);
    }
}
