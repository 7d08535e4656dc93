//! Label propagation: U. N. Raghavan, R. Albert and S. Kumara, "Near linear time algorithm to
//! detect community structures in large-scale networks", Phys. Rev. E 76, 036106 (2007).
//!
//! Asynchronous and weighted: in each iteration the unpinned nodes, in a seeded random order,
//! adopt the label carrying the largest total edge weight among their neighbours. Ties keep
//! the current label when it is among the best (the paper's stopping rule then holds), and
//! otherwise go to the lowest label, so no tie is broken by chance. It stops when an
//! iteration changes nothing, or after [`MAX_ITERATIONS`].

use seamline_graph::{Partition, WeightedGraph};

use super::rng::SplitMix64;
use super::{ClusterOptions, renumber, starting_point};

/// Iterations at most; the paper reports convergence in a few iterations, ~95% of nodes
/// settled after 5.
const MAX_ITERATIONS: usize = 100;
/// Relative tolerance under which two label weights count as tied.
const TIE: f64 = 1e-12;

/// Weighted label propagation, deterministic under `options.seed`, starting from
/// `options.initial` (pinned nodes keep their labels and spread them). The resolution is
/// ignored.
pub fn label_propagation(graph: &WeightedGraph, options: &ClusterOptions<'_>) -> Partition {
    let n = graph.node_count();
    let (mut labels, fixed) = starting_point(n, options);
    let mut order: Vec<u32> = (0..n as u32)
        .filter(|&u| fixed.as_ref().is_none_or(|f| !f[u as usize]))
        .collect();
    let mut acc = vec![0.0f64; n];
    let mut touched: Vec<u32> = Vec::new();
    for iteration in 0..MAX_ITERATIONS {
        let mut rng = SplitMix64::new(options.seed, iteration as u64);
        rng.shuffle(&mut order);
        let mut changed = false;
        for &u in &order {
            for (v, w) in graph.neighbors(u) {
                if v == u {
                    continue;
                }
                let l = labels[v as usize];
                if acc[l as usize] == 0.0 {
                    touched.push(l);
                }
                acc[l as usize] += w;
            }
            if touched.is_empty() {
                continue;
            }
            let best_weight = touched
                .iter()
                .map(|&l| acc[l as usize])
                .fold(f64::NEG_INFINITY, f64::max);
            let threshold = best_weight * (1.0 - TIE);
            let current = labels[u as usize];
            if acc[current as usize] < threshold {
                let best = touched
                    .iter()
                    .copied()
                    .filter(|&l| acc[l as usize] >= threshold)
                    .min()
                    .expect("the maximum is reached");
                labels[u as usize] = best;
                changed = true;
            }
            for &l in &touched {
                acc[l as usize] = 0.0;
            }
            touched.clear();
        }
        if !changed {
            break;
        }
    }
    renumber(&mut labels, n);
    Partition { labels }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_cliques_joined_by_one_edge_get_two_labels() {
        let mut edges = Vec::new();
        for base in [0u32, 5] {
            for i in 0..5 {
                for j in i + 1..5 {
                    edges.push((base + i, base + j, 1.0));
                }
            }
        }
        edges.push((0, 5, 1.0));
        let g = WeightedGraph::from_edges(10, edges);
        let p = label_propagation(&g, &ClusterOptions::new(1.0, 4));
        assert_eq!(p.labels, vec![0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn pinned_labels_spread_to_their_neighbours() {
        // A path 0-1-2-3-4 with 0 pinned to "a" and 4 pinned to "b"; heavier edges near 0.
        let g = WeightedGraph::from_edges(5, [(0, 1, 5.0), (1, 2, 3.0), (2, 3, 1.0), (3, 4, 3.0)]);
        let initial = Partition::from_labels(&[0, 1, 2, 3, 4]);
        let fixed = [true, false, false, false, true];
        let p = label_propagation(
            &g,
            &ClusterOptions::new(1.0, 2).with_initial(&initial, Some(&fixed)),
        );
        assert_eq!(p.labels, vec![0, 0, 0, 1, 1]);
    }
}
