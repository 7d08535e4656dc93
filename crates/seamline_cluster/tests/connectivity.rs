//! Leiden's guarantee (Traag et al. 2019): every community of its result induces a connected
//! subgraph; Louvain has no such guarantee, and we show a graph where it breaks.

use seamline_cluster::{
    ClusterOptions, PlantedConfig, disconnected_communities, leiden, louvain, planted_partition,
};
use seamline_graph::{Partition, WeightedGraph};

/// Cliques `A` (0..5) and `B` (5..10) joined only through the bridge node 10, which also
/// links to every node of the clique `D` (11..16). Starting from the partition
/// {A ∪ B ∪ {10}}, {D} (as a seeded run does), local moving pulls the bridge into `D`
/// (5 edges against 2) and leaves `A ∪ B` as one community in two pieces; Louvain then
/// aggregates it into a single node and can never split it again.
fn bridge_pulled_away() -> (WeightedGraph, Partition) {
    let mut edges = Vec::new();
    for base in [0u32, 5, 11] {
        for i in 0..5 {
            for j in i + 1..5 {
                edges.push((base + i, base + j, 1.0));
            }
        }
    }
    edges.push((10, 0, 1.0));
    edges.push((10, 5, 1.0));
    for d in 11..16 {
        edges.push((10, d, 1.0));
    }
    let graph = WeightedGraph::from_edges(16, edges);
    let mut raw = vec![0u32; 16];
    for label in raw.iter_mut().skip(11) {
        *label = 1;
    }
    (graph, Partition::from_labels(&raw))
}

#[test]
fn louvain_leaves_a_disconnected_community_where_leiden_does_not() {
    let (graph, initial) = bridge_pulled_away();
    for seed in 0..5 {
        let options = ClusterOptions::new(1.0, seed).with_initial(&initial, None);
        let by_louvain = louvain(&graph, &options);
        assert_eq!(
            disconnected_communities(&graph, &by_louvain).len(),
            1,
            "seed {seed}: {:?}",
            by_louvain.labels
        );
        let by_leiden = leiden(&graph, &options);
        assert!(
            disconnected_communities(&graph, &by_leiden).is_empty(),
            "seed {seed}: {:?}",
            by_leiden.labels
        );
        // Leiden separates A and B, and the bridge goes with D.
        assert_ne!(by_leiden.labels[0], by_leiden.labels[5]);
        assert_eq!(by_leiden.labels[10], by_leiden.labels[11]);
    }
}

#[test]
fn leiden_communities_are_connected_on_noisy_planted_graphs() {
    for (nodes, communities, mixing, degree) in [
        (300, 6, 0.5, 6.0),
        (1000, 20, 0.6, 4.0),
        (2000, 40, 0.7, 3.0),
    ] {
        for seed in 0..4 {
            let mut config = PlantedConfig::new(nodes, communities, mixing, seed);
            config.average_degree = degree;
            config.max_weight = 5.0;
            let planted = planted_partition(&config);
            for resolution in [0.5, 1.0, 2.0] {
                let p = leiden(&planted.graph, &ClusterOptions::new(resolution, seed));
                assert!(
                    disconnected_communities(&planted.graph, &p).is_empty(),
                    "n={nodes} mu={mixing} seed={seed} gamma={resolution}"
                );
            }
        }
    }
}

#[test]
fn leiden_repairs_a_disconnected_initial_partition() {
    // Random initial labels make almost every initial community disconnected.
    let mut config = PlantedConfig::new(1000, 20, 0.4, 11);
    config.average_degree = 5.0;
    let planted = planted_partition(&config);
    let raw: Vec<u32> = (0..1000u32).map(|u| (u * 7919) % 37).collect();
    let initial = Partition::from_labels(&raw);
    assert!(!disconnected_communities(&planted.graph, &initial).is_empty());
    for seed in 0..3 {
        let options = ClusterOptions::new(1.0, seed).with_initial(&initial, None);
        let p = leiden(&planted.graph, &options);
        assert!(disconnected_communities(&planted.graph, &p).is_empty());
    }
}
