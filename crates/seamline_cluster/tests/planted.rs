//! Planted-partition recovery: graphs with known communities at several mixing levels μ are
//! recovered with NMI ≥ 0.95 where the structure is clear (μ ≤ 0.3).
//!
//! The 100k-node case would take long unoptimised, so the root Cargo.toml builds this crate
//! with `opt-level = 3` even in the dev profile (it is also benchmarked in
//! `benches/ensemble.rs`).

use seamline_cluster::{
    Algorithm, ClusterOptions, PlantedConfig, adjusted_rand_index, mojofm,
    normalized_mutual_information, planted_partition,
};

#[track_caller]
fn check_recovery(
    nodes: usize,
    communities: usize,
    mixing: f64,
    algorithm: Algorithm,
    min_nmi: f64,
) {
    let planted = planted_partition(&PlantedConfig::new(nodes, communities, mixing, 42));
    let found =
        seamline_cluster::algo::run(&planted.graph, algorithm, &ClusterOptions::new(1.0, 7));
    let nmi = normalized_mutual_information(&found.labels, &planted.truth.labels);
    assert!(
        nmi >= min_nmi,
        "{} on n={nodes} mu={mixing}: NMI {nmi:.4} < {min_nmi} ({} communities found, {communities} planted)",
        algorithm.name(),
        found.community_count()
    );
}

#[test]
fn leiden_recovers_1k_node_planted_partitions() {
    for mixing in [0.1, 0.2, 0.3] {
        check_recovery(1_000, 20, mixing, Algorithm::Leiden, 0.95);
    }
}

#[test]
fn louvain_recovers_1k_node_planted_partitions() {
    for mixing in [0.1, 0.2, 0.3] {
        check_recovery(1_000, 20, mixing, Algorithm::Louvain, 0.95);
    }
}

#[test]
fn leiden_recovers_10k_node_planted_partitions() {
    for mixing in [0.1, 0.2, 0.3] {
        check_recovery(10_000, 100, mixing, Algorithm::Leiden, 0.95);
    }
}

#[test]
fn leiden_recovers_100k_node_planted_partitions() {
    // The root Cargo.toml optimises seamline_cluster even in debug builds, so this runs in
    // the ordinary test suite.
    // Communities of ~500 nodes: with ~100-node communities in a 100k-node graph, two
    // communities joined by a couple of random edges already raise modularity when merged
    // (the resolution limit, Fortunato & Barthélemy 2007), so γ = 1 cannot recover them.
    for mixing in [0.1, 0.3] {
        check_recovery(100_000, 200, mixing, Algorithm::Leiden, 0.95);
    }
}

#[test]
fn label_propagation_recovers_clear_structure() {
    check_recovery(1_000, 20, 0.1, Algorithm::LabelPropagation, 0.95);
}

#[test]
fn recovery_degrades_when_the_structure_fades() {
    // At μ = 0.8 most edges leave their community: nothing should look like the truth.
    let planted = planted_partition(&PlantedConfig::new(1_000, 20, 0.8, 42));
    let found = seamline_cluster::leiden(&planted.graph, &ClusterOptions::new(1.0, 7));
    let nmi = normalized_mutual_information(&found.labels, &planted.truth.labels);
    assert!(nmi < 0.6, "NMI {nmi}");
}

#[test]
fn all_three_scores_agree_on_a_clear_recovery() {
    let planted = planted_partition(&PlantedConfig::new(2_000, 25, 0.2, 3));
    let found = seamline_cluster::leiden(&planted.graph, &ClusterOptions::new(1.0, 1));
    let truth = &planted.truth.labels;
    assert!(adjusted_rand_index(&found.labels, truth) > 0.95);
    assert!(normalized_mutual_information(&found.labels, truth) > 0.95);
    assert!(mojofm(&found.labels, truth) > 95.0);
}
