//! The ensemble: identical results for any thread count, pins respected, a requested number
//! of communities honoured.

use seamline_cluster::{
    Algorithm, EnsembleConfig, EnsembleResult, LEIDEN_ONLY_FROM, PlantedConfig, modularity,
    normalized_mutual_information, planted_partition, run_ensemble,
};
use seamline_graph::{Partition, WeightedGraph};

fn in_pool(threads: usize, graph: &WeightedGraph, config: &EnsembleConfig<'_>) -> EnsembleResult {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    let objective = |p: &Partition| modularity(graph, p, 1.0);
    pool.install(|| run_ensemble(graph, config, &objective))
}

#[test]
fn one_and_two_threads_give_identical_results() {
    let planted = planted_partition(&PlantedConfig::new(1_200, 20, 0.4, 5));
    let config = EnsembleConfig::standard();
    let one = in_pool(1, &planted.graph, &config);
    let two = in_pool(2, &planted.graph, &config);
    assert_eq!(one, two);
    // 1,200 nodes: Leiden alone, 5 resolutions x 3 seeds.
    assert_eq!(one.runs.len(), 5 * 3);
    // The winner is the run with the best score.
    let best = one
        .runs
        .iter()
        .map(|r| r.score)
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(one.runs[one.winner].score, best);
    assert_eq!(
        one.runs[one.winner].communities,
        one.partition.community_count()
    );
    assert!(normalized_mutual_information(&one.partition.labels, &planted.truth.labels) > 0.9);
}

#[test]
fn large_graphs_run_leiden_alone_for_the_same_winner() {
    // Just above the threshold, and mixed enough for the algorithms to disagree.
    let planted = planted_partition(&PlantedConfig::new(LEIDEN_ONLY_FROM, 20, 0.4, 3));
    let adaptive = in_pool(2, &planted.graph, &EnsembleConfig::standard());
    let every = EnsembleConfig {
        adaptive: false,
        ..EnsembleConfig::standard()
    };
    let full = in_pool(2, &planted.graph, &every);
    assert_eq!(full.runs.len(), 2 * 5 * 3 + 3);
    assert_eq!(adaptive.runs.len(), 5 * 3);
    assert!(
        adaptive
            .runs
            .iter()
            .all(|r| r.algorithm == Algorithm::Leiden)
    );
    // The full ensemble's winner is one of Leiden's runs, so both give the same partition.
    assert_eq!(full.runs[full.winner].algorithm, Algorithm::Leiden);
    assert_eq!(adaptive.partition, full.partition);
    // One node fewer and every algorithm runs again.
    let small = planted_partition(&PlantedConfig::new(LEIDEN_ONLY_FROM - 1, 20, 0.4, 3));
    let result = in_pool(2, &small.graph, &EnsembleConfig::standard());
    assert_eq!(result.runs.len(), 2 * 5 * 3 + 3);
}

#[test]
fn runs_are_listed_by_algorithm_resolution_and_seed() {
    let planted = planted_partition(&PlantedConfig::new(300, 6, 0.2, 1));
    let result = in_pool(2, &planted.graph, &EnsembleConfig::standard());
    let keys: Vec<(Algorithm, Option<f64>, u64)> = result
        .runs
        .iter()
        .map(|r| (r.algorithm, r.resolution, r.seed))
        .collect();
    assert_eq!(keys[0], (Algorithm::Leiden, Some(0.5), 1));
    assert_eq!(keys[1], (Algorithm::Leiden, Some(0.5), 2));
    assert_eq!(keys[3], (Algorithm::Leiden, Some(0.75), 1));
    assert_eq!(keys[15], (Algorithm::Louvain, Some(0.5), 1));
    assert_eq!(keys[30], (Algorithm::LabelPropagation, None, 1));
}

#[test]
fn exact_ties_go_to_the_first_run_in_order() {
    // A constant objective ties every run: the first one (Leiden, lowest γ, first seed) wins.
    let planted = planted_partition(&PlantedConfig::new(300, 6, 0.2, 1));
    let result = run_ensemble(&planted.graph, &EnsembleConfig::standard(), &|_| 1.0);
    assert_eq!(result.winner, 0);
}

#[test]
fn a_target_number_of_communities_is_approached() {
    let planted = planted_partition(&PlantedConfig::new(1_000, 20, 0.2, 9));
    for target in [5, 40] {
        let config = EnsembleConfig::standard().with_target(target);
        let result = in_pool(2, &planted.graph, &config);
        let k = result.partition.community_count();
        assert!(
            k.abs_diff(target) * 5 <= target,
            "asked for {target}, got {k}"
        );
    }
}

#[test]
fn pinned_nodes_stay_where_they_were_put() {
    let planted = planted_partition(&PlantedConfig::new(500, 10, 0.2, 2));
    let truth = &planted.truth.labels;
    // Pin one node of community 0 with one node of community 1, and a node of community 2
    // apart from both.
    let a = truth.iter().position(|&l| l == 0).expect("community 0");
    let b = truth.iter().position(|&l| l == 1).expect("community 1");
    let c = truth.iter().position(|&l| l == 2).expect("community 2");
    let mut raw: Vec<u32> = (0..500).collect();
    raw[b] = raw[a];
    let initial = Partition::from_labels(&raw);
    let mut fixed = vec![false; 500];
    for u in [a, b, c] {
        fixed[u] = true;
    }
    let config = EnsembleConfig::standard().with_initial(&initial, Some(&fixed));
    let result = in_pool(2, &planted.graph, &config);
    let labels = &result.partition.labels;
    assert_eq!(labels[a], labels[b]);
    assert_ne!(labels[a], labels[c]);
}

#[test]
fn empty_and_edgeless_graphs_give_trivial_partitions() {
    let empty = WeightedGraph::from_edges(0, []);
    let result = in_pool(2, &empty, &EnsembleConfig::standard());
    assert!(result.partition.labels.is_empty());
    let edgeless = WeightedGraph::from_edges(4, []);
    let result = in_pool(2, &edgeless, &EnsembleConfig::standard().with_target(2));
    assert_eq!(result.partition.labels, vec![0, 1, 2, 3]);
    assert!(result.runs.iter().all(|r| r.modularity == 0.0));
}
