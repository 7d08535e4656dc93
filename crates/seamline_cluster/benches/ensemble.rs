//! Clustering speed: the whole ensemble and Leiden alone on planted-partition graphs of 10k
//! and 100k nodes, and the ensemble on 1 vs 2 threads.
//!
//! Run with `cargo bench -p seamline_cluster` (release). The graphs have average degree 16
//! and mixing μ = 0.3 (10k: 100 communities of ~100 nodes, 100k: 200 of ~500, which stays
//! above modularity's resolution limit).

use std::sync::LazyLock;

use seamline_cluster::{
    ClusterOptions, EnsembleConfig, PlantedConfig, PlantedGraph, leiden, louvain, modularity,
    planted_partition, run_ensemble,
};
use seamline_graph::Partition;

fn main() {
    divan::main();
}

static GRAPH_10K: LazyLock<PlantedGraph> =
    LazyLock::new(|| planted_partition(&PlantedConfig::new(10_000, 100, 0.3, 1)));
static GRAPH_100K: LazyLock<PlantedGraph> =
    LazyLock::new(|| planted_partition(&PlantedConfig::new(100_000, 200, 0.3, 1)));

fn graph(nodes: usize) -> &'static PlantedGraph {
    if nodes == 10_000 {
        &GRAPH_10K
    } else {
        &GRAPH_100K
    }
}

fn ensemble(planted: &PlantedGraph) -> Partition {
    let g = &planted.graph;
    let objective = |p: &Partition| modularity(g, p, 1.0);
    run_ensemble(g, &EnsembleConfig::standard(), &objective).partition
}

/// The standard ensemble on the global rayon pool (2 threads here): adaptive, so Leiden alone
/// (15 runs) on these graphs.
#[divan::bench(args = [10_000, 100_000], sample_count = 3, sample_size = 1)]
fn ensemble_standard(bencher: divan::Bencher, nodes: usize) {
    let planted = graph(nodes);
    bencher.bench(|| ensemble(planted));
}

/// Every algorithm (33 runs), as the ensemble runs on graphs under `LEIDEN_ONLY_FROM` nodes.
#[divan::bench(args = [10_000], sample_count = 3, sample_size = 1)]
fn ensemble_every_algorithm(bencher: divan::Bencher, nodes: usize) {
    let g = &graph(nodes).graph;
    let objective = |p: &Partition| modularity(g, p, 1.0);
    let config = EnsembleConfig {
        adaptive: false,
        ..EnsembleConfig::standard()
    };
    bencher.bench(|| run_ensemble(g, &config, &objective).partition);
}

/// The standard ensemble on the 10k graph in a pool of 1 or 2 threads.
#[divan::bench(args = [1, 2], sample_count = 5, sample_size = 1)]
fn ensemble_10k_threads(bencher: divan::Bencher, threads: usize) {
    let planted = graph(10_000);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    bencher.bench(|| pool.install(|| ensemble(planted)));
}

/// One Leiden run.
#[divan::bench(args = [10_000, 100_000], sample_count = 10, sample_size = 1)]
fn leiden_alone(bencher: divan::Bencher, nodes: usize) {
    let planted = graph(nodes);
    bencher.bench(|| leiden(&planted.graph, &ClusterOptions::new(1.0, 1)));
}

/// One Louvain run, for comparison.
#[divan::bench(args = [10_000, 100_000], sample_count = 10, sample_size = 1)]
fn louvain_alone(bencher: divan::Bencher, nodes: usize) {
    let planted = graph(nodes);
    bencher.bench(|| louvain(&planted.graph, &ClusterOptions::new(1.0, 1)));
}
