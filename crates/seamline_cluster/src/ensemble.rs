//! The clustering ensemble: algorithms × resolutions × seeds run in parallel (rayon), the
//! winner chosen by a caller-supplied objective.
//!
//! Every run is a pure function of (graph, algorithm, resolution, seed, initial partition),
//! and the winner is chosen after all runs finished by a total order on
//! (distance to the requested number of communities, score, algorithm order, resolution,
//! seed order), so the result is identical for any thread count.
//!
//! The ensemble scales with the graph ([`EnsembleConfig::adaptive`]): from
//! [`LEIDEN_ONLY_FROM`] nodes on it runs Leiden alone, whose refinement makes its partitions
//! at least as good as Louvain's at that size, and label propagation's far worse; so a large
//! graph costs fifteen runs, not thirty-three, for the same winner.

use rayon::prelude::*;
use seamline_graph::{Partition, WeightedGraph};

use crate::algo::{Algorithm, ClusterOptions, modularity, run};

/// What the ensemble runs. No `Default`: start from [`EnsembleConfig::standard`].
#[derive(Debug, Clone)]
pub struct EnsembleConfig<'a> {
    /// Algorithms to run; their order breaks ties.
    pub algorithms: Vec<Algorithm>,
    /// Resolutions γ for the algorithms that use one (label propagation runs once per seed).
    pub resolutions: Vec<f64>,
    /// Seeds; their order breaks ties.
    pub seeds: Vec<u64>,
    /// Ask for about this many communities: runs whose community count is closest win
    /// first (the objective breaks ties), and resolutions are bisected (up to
    /// [`TARGET_ROUNDS`] more rounds) until some run hits the target.
    pub target_communities: Option<usize>,
    /// Partition every run starts from (seeds / pins), see [`ClusterOptions::initial`].
    pub initial: Option<&'a Partition>,
    /// Pinned nodes, see [`ClusterOptions::fixed`].
    pub fixed: Option<&'a [bool]>,
    /// Whether the algorithms adapt to the graph: on graphs of [`LEIDEN_ONLY_FROM`] nodes or
    /// more, only Leiden runs (when it is among `algorithms`). `false` runs every algorithm
    /// whatever the size.
    pub adaptive: bool,
}

/// From this many nodes on, an adaptive ensemble runs Leiden alone.
///
/// Below it Louvain sometimes wins: on a small graph another local optimum is another
/// answer. Above it Leiden's refinement wins every time on real workspaces, Louvain and label
/// propagation only cost more than half of the ensemble's time (docs/performance.md has the
/// scores).
pub const LEIDEN_ONLY_FROM: usize = 1_000;

/// Extra rounds of resolution bisection when a target number of communities is asked for.
pub const TARGET_ROUNDS: usize = 6;

impl EnsembleConfig<'static> {
    /// Leiden, Louvain and label propagation at γ ∈ {0.5, 0.75, 1, 1.5, 2}, seeds 1..=3:
    /// 33 runs; adaptive, so Leiden alone (15 runs) from [`LEIDEN_ONLY_FROM`] nodes on.
    pub fn standard() -> Self {
        EnsembleConfig {
            algorithms: Algorithm::ALL.to_vec(),
            resolutions: vec![0.5, 0.75, 1.0, 1.5, 2.0],
            seeds: vec![1, 2, 3],
            target_communities: None,
            initial: None,
            fixed: None,
            adaptive: true,
        }
    }
}

impl<'a> EnsembleConfig<'a> {
    /// The same configuration starting every run from `initial`, with `fixed` nodes pinned.
    pub fn with_initial<'b>(
        self,
        initial: &'b Partition,
        fixed: Option<&'b [bool]>,
    ) -> EnsembleConfig<'b>
    where
        'a: 'b,
    {
        EnsembleConfig {
            initial: Some(initial),
            fixed,
            ..self
        }
    }

    /// The same configuration asking for about `n` communities.
    pub fn with_target(self, n: usize) -> Self {
        EnsembleConfig {
            target_communities: Some(n),
            ..self
        }
    }
}

/// One run of the ensemble.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Its resolution; `None` for label propagation, which has none.
    pub resolution: Option<f64>,
    /// Its seed.
    pub seed: u64,
    /// Number of communities found.
    pub communities: usize,
    /// Newman–Girvan modularity at γ = 1 (comparable across runs whatever their γ).
    pub modularity: f64,
    /// The objective's value (NaN is ranked as −∞).
    pub score: f64,
}

/// The ensemble's result.
#[derive(Debug, Clone, PartialEq)]
pub struct EnsembleResult {
    /// The winning partition.
    pub partition: Partition,
    /// Index of the winner in `runs`.
    pub winner: usize,
    /// Every run, sorted by (algorithm order, resolution, seed order).
    pub runs: Vec<RunSummary>,
}

/// Runs the ensemble on `graph` and returns the run maximising `objective` (higher is
/// better); with [`EnsembleConfig::target_communities`], the runs closest to the target
/// first. An empty configuration (no algorithm or no seed) runs Leiden at γ = 1 with seed 0.
pub fn run_ensemble(
    graph: &WeightedGraph,
    config: &EnsembleConfig<'_>,
    objective: &(dyn Fn(&Partition) -> f64 + Sync),
) -> EnsembleResult {
    let mut algorithms = config.algorithms.clone();
    dedup_in_order(&mut algorithms);
    if config.adaptive
        && graph.node_count() >= LEIDEN_ONLY_FROM
        && algorithms.contains(&Algorithm::Leiden)
    {
        algorithms = vec![Algorithm::Leiden];
    }
    let mut seeds = config.seeds.clone();
    dedup_in_order(&mut seeds);
    if algorithms.is_empty() || seeds.is_empty() {
        algorithms = vec![Algorithm::Leiden];
        seeds = vec![0];
    }
    let mut resolutions: Vec<f64> = config
        .resolutions
        .iter()
        .copied()
        .filter(|r| r.is_finite() && *r > 0.0)
        .collect();
    resolutions.sort_by(f64::total_cmp);
    resolutions.dedup();
    if resolutions.is_empty() {
        resolutions.push(1.0);
    }

    let job = |algorithm: Algorithm, resolution: Option<f64>, seed: u64| Job {
        algorithm,
        resolution,
        seed,
    };
    let mut jobs = Vec::new();
    for &algorithm in &algorithms {
        for &seed in &seeds {
            if algorithm.uses_resolution() {
                jobs.extend(resolutions.iter().map(|&r| job(algorithm, Some(r), seed)));
            } else {
                jobs.push(job(algorithm, None, seed));
            }
        }
    }
    let mut results = execute(graph, config, &jobs, objective);

    if let Some(target) = config.target_communities {
        let mut tried = resolutions.clone();
        for _ in 0..TARGET_ROUNDS {
            let Some(next) = next_resolution(&results, &tried, target) else {
                break;
            };
            tried.push(next);
            let round: Vec<Job> = algorithms
                .iter()
                .filter(|a| a.uses_resolution())
                .flat_map(|&a| seeds.iter().map(move |&s| job(a, Some(next), s)))
                .collect();
            if round.is_empty() {
                break;
            }
            results.extend(execute(graph, config, &round, objective));
        }
    }

    let algorithm_rank = |a: Algorithm| algorithms.iter().position(|&x| x == a).unwrap_or(0);
    let seed_rank = |s: u64| seeds.iter().position(|&x| x == s).unwrap_or(0);
    results.sort_by(|(a, _), (b, _)| {
        algorithm_rank(a.algorithm)
            .cmp(&algorithm_rank(b.algorithm))
            .then(cmp_resolution(a.resolution, b.resolution))
            .then(seed_rank(a.seed).cmp(&seed_rank(b.seed)))
    });
    let distance = |s: &RunSummary| {
        config
            .target_communities
            .map_or(0, |t| s.communities.abs_diff(t))
    };
    let score = |s: &RunSummary| {
        if s.score.is_nan() {
            f64::NEG_INFINITY
        } else {
            s.score
        }
    };
    // The first run in the sorted order wins exact ties.
    let mut winner = 0;
    for (i, (s, _)) in results.iter().enumerate().skip(1) {
        let best = &results[winner].0;
        let better = match distance(s).cmp(&distance(best)) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => score(s) > score(best),
        };
        if better {
            winner = i;
        }
    }
    let partition = std::mem::replace(&mut results[winner].1, Partition { labels: Vec::new() });
    EnsembleResult {
        partition,
        winner,
        runs: results.into_iter().map(|(s, _)| s).collect(),
    }
}

#[derive(Debug, Clone, Copy)]
struct Job {
    algorithm: Algorithm,
    resolution: Option<f64>,
    seed: u64,
}

/// Runs `jobs` in parallel; results come back in job order (rayon's `collect` keeps it).
fn execute(
    graph: &WeightedGraph,
    config: &EnsembleConfig<'_>,
    jobs: &[Job],
    objective: &(dyn Fn(&Partition) -> f64 + Sync),
) -> Vec<(RunSummary, Partition)> {
    jobs.par_iter()
        .map(|job| {
            let mut options = ClusterOptions::new(job.resolution.unwrap_or(1.0), job.seed);
            options.initial = config.initial;
            options.fixed = config.fixed;
            let partition = run(graph, job.algorithm, &options);
            let summary = RunSummary {
                algorithm: job.algorithm,
                resolution: job.resolution,
                seed: job.seed,
                communities: partition.community_count(),
                modularity: modularity(graph, &partition, 1.0),
                score: objective(&partition),
            };
            (summary, partition)
        })
        .collect()
}

/// The next resolution to try when aiming at `target` communities: the geometric midpoint
/// of the tried resolutions bracketing the target (by the median community count of their
/// runs), or twice the largest / half the smallest when the target lies outside; `None`
/// once some resolution hits the target or the bracket is too narrow.
fn next_resolution(
    results: &[(RunSummary, Partition)],
    tried: &[f64],
    target: usize,
) -> Option<f64> {
    let mut below: Option<f64> = None;
    let mut above: Option<f64> = None;
    for &r in tried {
        let mut counts: Vec<usize> = results
            .iter()
            .filter(|(s, _)| s.resolution == Some(r))
            .map(|(s, _)| s.communities)
            .collect();
        if counts.is_empty() {
            continue;
        }
        counts.sort_unstable();
        let median = counts[counts.len() / 2];
        if median == target {
            return None;
        }
        if median < target {
            below = Some(below.map_or(r, |b: f64| b.max(r)));
        } else {
            above = Some(above.map_or(r, |a: f64| a.min(r)));
        }
    }
    let next = match (below, above) {
        (Some(lo), Some(hi)) if lo < hi => (lo * hi).sqrt(),
        (Some(lo), Some(_)) => lo,
        (Some(lo), None) => lo * 2.0,
        (None, Some(hi)) => hi / 2.0,
        (None, None) => return None,
    };
    let fresh = tried.iter().all(|&t| (t - next).abs() > 1e-3 * next);
    (fresh && (1e-3..=1e3).contains(&next)).then_some(next)
}

fn cmp_resolution(a: Option<f64>, b: Option<f64>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => a.is_some().cmp(&b.is_some()),
    }
}

fn dedup_in_order<T: PartialEq + Copy>(items: &mut Vec<T>) {
    let mut seen: Vec<T> = Vec::new();
    items.retain(|x| {
        if seen.contains(x) {
            false
        } else {
            seen.push(*x);
            true
        }
    });
}
