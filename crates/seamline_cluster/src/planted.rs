//! A seeded planted-partition generator with LFR-like knobs (unequal community sizes,
//! varying degrees, a mixing parameter μ, random weights), for accuracy tests and benchmarks.
//!
//! A. Lancichinetti, S. Fortunato and F. Radicchi, "Benchmark graphs for testing community
//! detection algorithms", Phys. Rev. E 78, 046110 (2008) define μ as the fraction of a node's
//! edges that leave its community. This generator is simpler than LFR (degrees are uniform
//! in `[d/2, 3d/2]` and community sizes grow linearly from the smallest to the largest,
//! instead of power laws) but keeps what the tests need: a known ground truth whose
//! difficulty is controlled by μ, and the same graph for the same seed.

use seamline_graph::{Partition, WeightedGraph};

use crate::algo::rng::SplitMix64;

/// Parameters of [`planted_partition`]. No `Default`: start from [`PlantedConfig::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlantedConfig {
    /// Number of nodes.
    pub nodes: usize,
    /// Number of planted communities (clamped to `1..=nodes / 2`).
    pub communities: usize,
    /// Size of the largest community over the smallest (1 means equal sizes).
    pub size_ratio: f64,
    /// Mean number of edges per node (unweighted degree).
    pub average_degree: f64,
    /// Mixing μ in `[0, 1]`: the probability that an edge leaves its node's community.
    pub mixing: f64,
    /// Edge weights are uniform in `[1, max_weight]` (1 for an unweighted graph).
    pub max_weight: f64,
    /// Seed.
    pub seed: u64,
}

impl PlantedConfig {
    /// `nodes` nodes in `communities` communities of sizes varying 1:3, average degree 16,
    /// unweighted, mixing `mixing`.
    pub fn new(nodes: usize, communities: usize, mixing: f64, seed: u64) -> Self {
        PlantedConfig {
            nodes,
            communities,
            size_ratio: 3.0,
            average_degree: 16.0,
            mixing,
            max_weight: 1.0,
            seed,
        }
    }
}

/// A generated graph and its planted communities.
#[derive(Debug, Clone, PartialEq)]
pub struct PlantedGraph {
    /// The graph.
    pub graph: WeightedGraph,
    /// The planted communities (the ground truth).
    pub truth: Partition,
}

/// Generates a planted-partition graph: nodes are dealt into communities (shuffled, so
/// community members are not contiguous ids), then each node `u` draws a degree `d_u` and
/// creates `d_u / 2` edges, each going to a uniformly random other member of its community
/// with probability `1 − μ`, or to a uniformly random node of another community otherwise
/// (so on average a fraction μ of every node's edges leaves its community).
pub fn planted_partition(config: &PlantedConfig) -> PlantedGraph {
    let n = config.nodes;
    let mut rng = SplitMix64::new(config.seed, 0x0070_6c61_6e74_6564);
    if n < 2 {
        return PlantedGraph {
            graph: WeightedGraph::from_edges(n, []),
            truth: Partition { labels: vec![0; n] },
        };
    }
    let k = config.communities.clamp(1, n / 2);
    let sizes = community_sizes(n, k, config.size_ratio);
    // Deal shuffled node ids into the communities.
    let mut ids: Vec<u32> = (0..n as u32).collect();
    rng.shuffle(&mut ids);
    let mut truth = vec![0u32; n];
    let mut members: Vec<Vec<u32>> = Vec::with_capacity(k);
    let mut cursor = 0;
    for (c, &size) in sizes.iter().enumerate() {
        let mut group = ids[cursor..cursor + size].to_vec();
        group.sort_unstable();
        for &u in &group {
            truth[u as usize] = c as u32;
        }
        members.push(group);
        cursor += size;
    }
    let mixing = if config.mixing.is_finite() {
        config.mixing.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let degree = if config.average_degree.is_finite() {
        config.average_degree.max(1.0)
    } else {
        1.0
    };
    let max_weight = if config.max_weight.is_finite() {
        config.max_weight.max(1.0)
    } else {
        1.0
    };
    let mut edges: Vec<(u32, u32, f64)> = Vec::with_capacity((n as f64 * degree / 2.0) as usize);
    for u in 0..n as u32 {
        let c = truth[u as usize] as usize;
        // d_u uniform in [d/2, 3d/2]; each node creates half of its edges (the other half
        // comes from the nodes that pick it).
        let d_u = degree * (0.5 + rng.next_f64());
        let mut count = (d_u / 2.0).floor() as usize;
        if rng.next_f64() < d_u / 2.0 - count as f64 {
            count += 1;
        }
        for _ in 0..count {
            let external = k > 1 && rng.next_f64() < mixing;
            let v = if external {
                loop {
                    let v = rng.below(n) as u32;
                    if truth[v as usize] as usize != c {
                        break v;
                    }
                }
            } else {
                let group = &members[c];
                loop {
                    let v = group[rng.below(group.len())];
                    if v != u {
                        break v;
                    }
                }
            };
            let w = if max_weight > 1.0 {
                1.0 + rng.next_f64() * (max_weight - 1.0)
            } else {
                1.0
            };
            edges.push((u, v, w));
        }
    }
    let mut truth_partition = Partition { labels: truth };
    crate::algo::renumber(&mut truth_partition.labels, k);
    PlantedGraph {
        graph: WeightedGraph::from_edges(n, edges),
        truth: truth_partition,
    }
}

/// Sizes growing linearly from the smallest to `ratio` times it, summing to `n`, each ≥ 2.
fn community_sizes(n: usize, k: usize, ratio: f64) -> Vec<usize> {
    let ratio = if ratio.is_finite() {
        ratio.max(1.0)
    } else {
        1.0
    };
    let raw: Vec<f64> = (0..k)
        .map(|i| {
            let t = if k > 1 {
                i as f64 / (k - 1) as f64
            } else {
                0.0
            };
            1.0 + (ratio - 1.0) * t
        })
        .collect();
    let total: f64 = raw.iter().sum();
    let mut sizes: Vec<usize> = raw
        .iter()
        .map(|r| ((r / total) * n as f64).floor().max(2.0) as usize)
        .collect();
    // Fix rounding: add to the largest-first / remove from the largest-first.
    let mut sum: usize = sizes.iter().sum();
    let mut i = k;
    while sum < n {
        i = if i == 0 { k - 1 } else { i - 1 };
        sizes[i] += 1;
        sum += 1;
    }
    while sum > n {
        let largest = (0..k).max_by_key(|&j| (sizes[j], j)).expect("k >= 1");
        sizes[largest] -= 1;
        sum -= 1;
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_graph() {
        let a = planted_partition(&PlantedConfig::new(500, 10, 0.3, 4));
        let b = planted_partition(&PlantedConfig::new(500, 10, 0.3, 4));
        let c = planted_partition(&PlantedConfig::new(500, 10, 0.3, 5));
        assert_eq!(a, b);
        assert_ne!(a.graph, c.graph);
    }

    #[test]
    fn sizes_sum_to_n_and_mixing_is_close_to_mu() {
        let config = PlantedConfig::new(2000, 20, 0.3, 1);
        let planted = planted_partition(&config);
        assert_eq!(planted.truth.labels.len(), 2000);
        assert_eq!(planted.truth.community_count(), 20);
        let g = &planted.graph;
        let (mut inside, mut outside) = (0.0, 0.0);
        for u in 0..2000u32 {
            for (v, w) in g.neighbors(u) {
                if planted.truth.labels[u as usize] == planted.truth.labels[v as usize] {
                    inside += w;
                } else {
                    outside += w;
                }
            }
        }
        let mu = outside / (inside + outside);
        assert!((mu - 0.3).abs() < 0.03, "measured mixing {mu}");
        let mean_degree = (inside + outside) / 2000.0;
        assert!(
            (mean_degree - 16.0).abs() < 1.0,
            "mean degree {mean_degree}"
        );
    }

    #[test]
    fn community_sizes_follow_the_ratio() {
        let sizes = community_sizes(1000, 5, 3.0);
        assert_eq!(sizes.iter().sum::<usize>(), 1000);
        assert!(sizes[4] as f64 / sizes[0] as f64 > 2.8);
        assert_eq!(community_sizes(10, 5, 1.0), vec![2, 2, 2, 2, 2]);
    }
}
