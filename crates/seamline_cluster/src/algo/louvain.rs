//! Louvain: V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, "Fast unfolding of
//! communities in large networks", J. Stat. Mech. (2008) P10008.
//!
//! Each level repeats sweeps of local moving (every node, in a seeded random order, joins the
//! neighbouring community with the best modularity gain, ties to the lowest community id)
//! until a sweep improves modularity by less than [`MIN_SWEEP_GAIN`]; then every community
//! becomes one node of the next level. It stops when a level merges nothing. Louvain may
//! leave a community internally disconnected (Traag et al. 2019, section 2), which is why
//! the ensemble also runs Leiden.

use seamline_graph::{Partition, WeightedGraph};

use super::rng::SplitMix64;
use super::{ClusterOptions, Communities, Level, MIN_IMPROVEMENT, renumber, starting_point};

/// A level stops sweeping when a whole sweep raised modularity by less than this (the
/// `min_modularity` of the authors' reference implementation).
const MIN_SWEEP_GAIN: f64 = 1e-6;
/// Safety bounds; real graphs need a handful of levels and sweeps.
const MAX_LEVELS: usize = 64;
const MAX_SWEEPS: usize = 256;

/// Louvain community detection at resolution `options.resolution`, deterministic under
/// `options.seed`, starting from `options.initial` (pinned nodes never move).
pub fn louvain(graph: &WeightedGraph, options: &ClusterOptions<'_>) -> Partition {
    let n = graph.node_count();
    let (start, fixed) = starting_point(n, options);
    let mut level = Level::from_graph(graph, fixed.as_deref());
    if level.two_m <= 0.0 {
        return Partition { labels: start };
    }
    // Level node of every original node.
    let mut flat: Vec<u32> = (0..n as u32).collect();
    let gamma = options.resolution;
    let mut membership = start;
    for depth in 0..MAX_LEVELS {
        let mut rng = SplitMix64::new(options.seed, depth as u64);
        let mut comms = Communities::new(&level, membership);
        local_moving(&level, &mut comms, gamma, &mut rng);
        let mut labels = comms.membership;
        let n_level = level.node_count();
        let k = renumber(&mut labels, n_level);
        for x in flat.iter_mut() {
            *x = labels[*x as usize];
        }
        if k == n_level {
            break;
        }
        level = level.aggregate(&labels, k);
        membership = (0..k as u32).collect();
    }
    renumber(&mut flat, n);
    Partition { labels: flat }
}

/// Sweeps of greedy moves in a seeded order (drawn once per level) until one sweep gains
/// less than [`MIN_SWEEP_GAIN`] of modularity. Returns whether any node moved.
///
/// A sweep skips the nodes none of whose neighbours moved since they were last visited:
/// their best move cannot have changed except through the (tiny) change of the communities'
/// total degrees. This is the pruning of N. Ozaki, H. Tezuka and M. Inaba, "A simple
/// acceleration method for the Louvain algorithm", IJCEE 8(3), 2016, which they report
/// to keep modularity while cutting most of the first level's work.
pub(crate) fn local_moving(
    level: &Level,
    comms: &mut Communities,
    gamma: f64,
    rng: &mut SplitMix64,
) -> bool {
    let n = level.node_count();
    let mut order: Vec<u32> = (0..n as u32)
        .filter(|&u| !level.fixed[u as usize])
        .collect();
    rng.shuffle(&mut order);
    let mut active = vec![true; n];
    let m = level.two_m / 2.0;
    let mut moved_any = false;
    for _ in 0..MAX_SWEEPS {
        let mut sweep_gain = 0.0;
        let mut moved = false;
        for &u in &order {
            let u = u as usize;
            if !active[u] {
                continue;
            }
            active[u] = false;
            let mv = comms.best_move(level, u, gamma);
            if mv.to != mv.from && mv.improvement > MIN_IMPROVEMENT * level.degree[u] {
                comms.apply(level, u, mv.to);
                sweep_gain += mv.improvement;
                moved = true;
                for &v in level.row(u).0 {
                    active[v as usize] = true;
                }
            }
        }
        moved_any |= moved;
        if !moved || sweep_gain / m < MIN_SWEEP_GAIN {
            break;
        }
    }
    moved_any
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::modularity;

    fn ring_of_cliques(cliques: u32, size: u32) -> WeightedGraph {
        let mut edges = Vec::new();
        for c in 0..cliques {
            let base = c * size;
            for i in 0..size {
                for j in i + 1..size {
                    edges.push((base + i, base + j, 1.0));
                }
            }
            let next = ((c + 1) % cliques) * size;
            edges.push((base, next + 1, 1.0));
        }
        WeightedGraph::from_edges((cliques * size) as usize, edges)
    }

    #[test]
    fn louvain_finds_the_cliques_of_a_ring() {
        let g = ring_of_cliques(6, 5);
        let p = louvain(&g, &ClusterOptions::new(1.0, 1));
        assert_eq!(p.community_count(), 6);
        for c in 0..6 {
            let first = p.labels[c * 5];
            assert!(p.labels[c * 5..c * 5 + 5].iter().all(|&l| l == first));
        }
        assert!(modularity(&g, &p, 1.0) > 0.7);
    }

    #[test]
    fn the_same_seed_gives_the_same_partition() {
        let g = ring_of_cliques(12, 4);
        let a = louvain(&g, &ClusterOptions::new(1.0, 9));
        let b = louvain(&g, &ClusterOptions::new(1.0, 9));
        assert_eq!(a, b);
    }

    #[test]
    fn pinned_nodes_keep_their_initial_communities() {
        let g = ring_of_cliques(4, 5);
        // Pin node 0 (clique 0) and node 5 (clique 1) to the same label: they must share a
        // community although modularity would separate the cliques.
        let mut raw = (0..20u32).collect::<Vec<_>>();
        raw[5] = 0;
        let initial = Partition::from_labels(&raw);
        let mut fixed = vec![false; 20];
        fixed[0] = true;
        fixed[5] = true;
        fixed[10] = true;
        let p = louvain(
            &g,
            &ClusterOptions::new(1.0, 3).with_initial(&initial, Some(&fixed)),
        );
        assert_eq!(p.labels[0], p.labels[5], "{:?}", p.labels);
        assert_ne!(p.labels[0], p.labels[10], "{:?}", p.labels);
    }

    #[test]
    fn a_graph_without_edges_keeps_singletons() {
        let g = WeightedGraph::from_edges(3, []);
        let p = louvain(&g, &ClusterOptions::new(1.0, 1));
        assert_eq!(p.labels, vec![0, 1, 2]);
    }
}
