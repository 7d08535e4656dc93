//! Leiden: V. A. Traag, L. Waltman and N. J. van Eck, "From Louvain to Leiden: guaranteeing
//! well-connected communities", Scientific Reports 9, 5233 (2019).
//!
//! One pass follows the paper's pseudo-code (supplementary information, Algorithm A.2) with
//! modularity at resolution γ as the quality function:
//! 1. `MoveNodesFast`: a queue seeded with all (unpinned) nodes in random order; a node
//!    moves to the best neighbouring or empty community if that improves quality, and its
//!    neighbours outside the new community are queued again.
//! 2. `RefinePartition`: inside each community `S`, start from singletons and visit the
//!    well-connected nodes (`E(v, S − v) ≥ γ k_v (K_S − k_v) / 2m`) in random order; a node
//!    still alone joins a well-connected sub-community `C` of `S` with a non-negative gain
//!    `ΔH`, chosen at random with probability ∝ `exp(ΔH / θ)` (staying alone has `ΔH = 0`).
//!    Sub-communities only grow along edges, so each is connected.
//! 3. Aggregate the graph by the refined partition, with the unrefined partition as the
//!    aggregate's starting partition; stop when every community is a single node.
//!
//! `ΔH` is in edge-weight units (modularity times `m`) and θ = 0.01, as in the reference
//! implementation `leidenalg`: merges are nearly greedy, and random among near-ties. Passes
//! are repeated from the previous result while they raise modularity by at least
//! [`MIN_PASS_GAIN`], at most [`MAX_PASSES`] times (`leidenalg`'s `n_iterations`).

use std::collections::VecDeque;

use seamline_graph::{Partition, WeightedGraph};

use super::rng::SplitMix64;
use super::{
    ClusterOptions, Communities, Level, MIN_IMPROVEMENT, group_by_label, renumber, starting_point,
};

/// Randomness of the refinement (θ in the paper).
const THETA: f64 = 0.01;
/// Passes of the whole algorithm at most (each starts from the previous result); 2 is
/// leidenalg's default `n_iterations`, and a third pass gained nothing measurable on the
/// planted graphs of the tests.
const MAX_PASSES: usize = 2;
/// A pass that raises modularity by less than this ends the loop.
const MIN_PASS_GAIN: f64 = 1e-6;
/// Levels per pass at most (a safety bound; real graphs need a handful).
const MAX_LEVELS: usize = 64;

/// Leiden community detection at resolution `options.resolution`, deterministic under
/// `options.seed`, starting from `options.initial` (pinned nodes never leave their initial
/// community). Every community of the result induces a connected subgraph, unless pins
/// force disconnected nodes together.
pub fn leiden(graph: &WeightedGraph, options: &ClusterOptions<'_>) -> Partition {
    let n = graph.node_count();
    let (start, fixed) = starting_point(n, options);
    let base = Level::from_graph(graph, fixed.as_deref());
    let mut flat = start;
    if base.two_m <= 0.0 {
        renumber(&mut flat, n);
        return Partition { labels: flat };
    }
    // Passes continue while they improve modularity noticeably; the refinement is random,
    // so a pass can reshuffle an optimum without improving it, and equality of partitions
    // alone would rarely stop the loop.
    let mut quality = quality_at(&base, &flat, options.resolution);
    for pass in 0..MAX_PASSES {
        let mut next = leiden_pass(&base, flat.clone(), options.resolution, options.seed, pass);
        renumber(&mut next, n);
        let next_quality = quality_at(&base, &next, options.resolution);
        let improved = next_quality > quality + MIN_PASS_GAIN;
        // The first pass is always taken: it makes every community connected, which an
        // initial partition need not be (and a pass never lowers quality anyway).
        if pass == 0 || next_quality >= quality {
            flat = next;
            quality = next_quality;
        }
        if !improved {
            break;
        }
    }
    renumber(&mut flat, n);
    Partition { labels: flat }
}

/// Modularity at resolution `gamma` of `membership` on a level graph.
fn quality_at(level: &Level, membership: &[u32], gamma: f64) -> f64 {
    let n = level.node_count();
    let mut inner = vec![0.0f64; n];
    let mut total = vec![0.0f64; n];
    for u in 0..n {
        let c = membership[u] as usize;
        total[c] += level.degree[u];
        inner[c] += 2.0 * level.self_loops[u];
        let (ts, ws) = level.row(u);
        for (&v, &w) in ts.iter().zip(ws) {
            if membership[v as usize] as usize == c {
                inner[c] += w;
            }
        }
    }
    let two_m = level.two_m;
    (0..n)
        .map(|c| inner[c] / two_m - gamma * (total[c] / two_m).powi(2))
        .sum()
}

/// One run of Algorithm A.2 from `start` on the base graph; returns the flat membership.
fn leiden_pass(base: &Level, start: Vec<u32>, gamma: f64, seed: u64, pass: usize) -> Vec<u32> {
    let n = base.node_count();
    let mut node_to_level: Vec<u32> = (0..n as u32).collect();
    let mut owned: Option<Level> = None;
    let mut membership = start;
    for depth in 0..MAX_LEVELS {
        let level = owned.as_ref().unwrap_or(base);
        let n_level = level.node_count();
        let mut rng = SplitMix64::new(seed, ((pass as u64) << 32) | depth as u64);
        let mut comms = Communities::new(level, membership);
        move_nodes_fast(level, &mut comms, gamma, &mut rng);
        let mut partition = comms.membership;
        let k = renumber(&mut partition, n_level);
        if k == n_level || depth + 1 == MAX_LEVELS {
            return node_to_level
                .iter()
                .map(|&x| partition[x as usize])
                .collect();
        }
        let mut refined = refine_partition(level, &partition, k, gamma, &mut rng);
        let mut k_refined = renumber(&mut refined, n_level);
        if k_refined == n_level {
            // The refinement merged nothing (every merge had a negative gain although the
            // sums were positive): aggregating by it would loop forever. leidenalg then
            // aggregates by the unrefined partition, which may hold disconnected
            // communities; we aggregate by its connected pieces instead, which keeps the
            // guarantee, and by the partition itself only when pins hold non-adjacent nodes
            // together (the only way every piece can be a single node).
            refined = connected_pieces(level, &partition);
            k_refined = renumber(&mut refined, n_level);
            if k_refined == n_level {
                refined = partition.clone();
                k_refined = k;
            }
        }
        let aggregate = level.aggregate(&refined, k_refined);
        // The aggregate starts from the unrefined partition.
        let mut next_membership = vec![0u32; k_refined];
        for u in 0..n_level {
            next_membership[refined[u] as usize] = partition[u];
        }
        for x in node_to_level.iter_mut() {
            *x = refined[*x as usize];
        }
        membership = next_membership;
        owned = Some(aggregate);
    }
    unreachable!("the last level returns")
}

/// The connected components of each community of `partition` (labels are node ids of a
/// member; renumber before use).
fn connected_pieces(level: &Level, partition: &[u32]) -> Vec<u32> {
    let n = level.node_count();
    let mut pieces = vec![u32::MAX; n];
    let mut stack: Vec<u32> = Vec::new();
    for start in 0..n {
        if pieces[start] != u32::MAX {
            continue;
        }
        pieces[start] = start as u32;
        stack.push(start as u32);
        while let Some(u) = stack.pop() {
            let (ts, _) = level.row(u as usize);
            for &v in ts {
                if pieces[v as usize] == u32::MAX && partition[v as usize] == partition[start] {
                    pieces[v as usize] = start as u32;
                    stack.push(v);
                }
            }
        }
    }
    pieces
}

/// `MoveNodesFast`: queue-driven local moving (Algorithm A.2, lines 9–21).
fn move_nodes_fast(level: &Level, comms: &mut Communities, gamma: f64, rng: &mut SplitMix64) {
    let n = level.node_count();
    let mut order: Vec<u32> = (0..n as u32)
        .filter(|&u| !level.fixed[u as usize])
        .collect();
    rng.shuffle(&mut order);
    let mut in_queue = vec![false; n];
    for &u in &order {
        in_queue[u as usize] = true;
    }
    let mut queue: VecDeque<u32> = order.into();
    // Every move strictly improves a bounded quality, so this terminates; the budget only
    // guards against floating-point pathologies.
    let mut budget = 64 * n + 1024;
    while let Some(u) = queue.pop_front() {
        let u = u as usize;
        in_queue[u] = false;
        budget -= 1;
        if budget == 0 {
            break;
        }
        let mv = comms.best_move(level, u, gamma);
        if mv.to == mv.from || mv.improvement <= MIN_IMPROVEMENT * level.degree[u] {
            continue;
        }
        comms.apply(level, u, mv.to);
        let (ts, _) = level.row(u);
        for &v in ts {
            let v = v as usize;
            if !in_queue[v] && !level.fixed[v] && comms.membership[v] != mv.to {
                in_queue[v] = true;
                queue.push_back(v as u32);
            }
        }
    }
}

/// `RefinePartition` + `MergeNodesSubset` (Algorithm A.2, lines 33–49): the refined
/// membership, labelled by node ids of the sub-communities' first members.
fn refine_partition(
    level: &Level,
    partition: &[u32],
    k: usize,
    gamma: f64,
    rng: &mut SplitMix64,
) -> Vec<u32> {
    let n = level.node_count();
    let two_m = level.two_m;
    let groups = group_by_label(partition, k);
    let mut refined: Vec<u32> = (0..n as u32).collect();
    // Per refined community (id = a node id): total degree, weight of edges to the rest of
    // its community `S`, and whether it is still a singleton.
    let mut r_total = level.degree.clone();
    let mut node_inner = vec![0.0f64; n];
    for u in 0..n {
        let (ts, ws) = level.row(u);
        for (&v, &w) in ts.iter().zip(ws) {
            if partition[v as usize] == partition[u] {
                node_inner[u] += w;
            }
        }
    }
    let mut r_external = node_inner.clone();
    let mut singleton = vec![true; n];
    let mut acc = vec![0.0f64; n];
    let mut touched: Vec<u32> = Vec::new();
    // (sub-community, gain, then its weight exp((gain - max) / θ) once the max is known).
    let mut candidates: Vec<(u32, f64, f64)> = Vec::new();
    let mut order: Vec<u32> = Vec::new();
    for c in 0..k {
        let members = groups.of(c);
        if members.len() < 2 {
            continue;
        }
        let total_s: f64 = members.iter().map(|&u| level.degree[u as usize]).sum();
        order.clear();
        order.extend_from_slice(members);
        rng.shuffle(&mut order);
        for &v in &order {
            let v = v as usize;
            if !singleton[v] {
                continue;
            }
            let k_v = level.degree[v];
            // Only well-connected nodes are merged.
            if node_inner[v] < gamma * k_v * (total_s - k_v) / two_m {
                continue;
            }
            let (ts, ws) = level.row(v);
            for (&u, &w) in ts.iter().zip(ws) {
                if partition[u as usize] as usize != c {
                    continue;
                }
                let r = refined[u as usize];
                if acc[r as usize] == 0.0 {
                    touched.push(r);
                }
                acc[r as usize] += w;
            }
            candidates.clear();
            let mut max_gain = 0.0f64;
            for &r in &touched {
                let ri = r as usize;
                if r as usize == v {
                    continue;
                }
                let well_connected =
                    r_external[ri] >= gamma * r_total[ri] * (total_s - r_total[ri]) / two_m;
                let gain = acc[ri] - gamma * k_v * r_total[ri] / two_m;
                if well_connected && gain >= 0.0 {
                    candidates.push((r, gain, 0.0));
                    max_gain = max_gain.max(gain);
                }
            }
            if !candidates.is_empty() {
                // Staying alone (gain 0) is the first outcome, then the candidates in the
                // deterministic order in which they were touched.
                // Each weight is computed once, for the sum and for the draw.
                let stay_weight = (-max_gain / THETA).exp();
                for candidate in candidates.iter_mut() {
                    candidate.2 = ((candidate.1 - max_gain) / THETA).exp();
                }
                let total_weight: f64 =
                    stay_weight + candidates.iter().map(|&(_, _, x)| x).sum::<f64>();
                let mut draw = rng.next_f64() * total_weight - stay_weight;
                let mut chosen = None;
                if draw >= 0.0 {
                    for &(r, _, x) in &candidates {
                        chosen = Some(r);
                        draw -= x;
                        if draw < 0.0 {
                            break;
                        }
                    }
                }
                if let Some(r) = chosen {
                    let ri = r as usize;
                    refined[v] = r;
                    r_total[ri] += k_v;
                    r_external[ri] += node_inner[v] - 2.0 * acc[ri];
                    singleton[ri] = false;
                    singleton[v] = false;
                }
            }
            for &r in &touched {
                acc[r as usize] = 0.0;
            }
            touched.clear();
        }
    }
    refined
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::modularity;

    #[test]
    fn leiden_finds_the_cliques_of_a_ring() {
        let mut edges = Vec::new();
        for c in 0..8u32 {
            let base = c * 6;
            for i in 0..6 {
                for j in i + 1..6 {
                    edges.push((base + i, base + j, 1.0));
                }
            }
            edges.push((base, ((c + 1) % 8) * 6 + 3, 1.0));
        }
        let g = WeightedGraph::from_edges(48, edges);
        let p = leiden(&g, &ClusterOptions::new(1.0, 5));
        assert_eq!(p.community_count(), 8);
        for c in 0..8 {
            let first = p.labels[c * 6];
            assert!(p.labels[c * 6..c * 6 + 6].iter().all(|&l| l == first));
        }
        assert!(modularity(&g, &p, 1.0) > 0.7);
    }

    #[test]
    fn a_graph_without_edges_keeps_singletons() {
        let g = WeightedGraph::from_edges(3, []);
        assert_eq!(
            leiden(&g, &ClusterOptions::new(1.0, 1)).labels,
            vec![0, 1, 2]
        );
    }
}
