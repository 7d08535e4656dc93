//! Community detection on a [`WeightedGraph`]: modularity, Louvain, Leiden and label
//! propagation, each deterministic under a seed and able to start from a partial labelling
//! with pinned nodes.
//!
//! All three algorithms share the same inputs ([`ClusterOptions`]) and output a
//! [`Partition`] numbered by first appearance, so the ensemble can compare them directly.
//! Internally the multi-level algorithms work on a [`Level`]: a CSR graph without self-loops
//! in its rows (they are kept apart) and with precomputed degrees, which is what aggregation
//! produces.

pub(crate) mod rng;

mod label_propagation;
mod leiden;
mod louvain;

pub use label_propagation::label_propagation;
pub use leiden::leiden;
pub use louvain::louvain;

use seamline_graph::{Partition, WeightedGraph};

/// A community detection algorithm of the ensemble, in the order the ensemble breaks ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    /// Leiden (Traag, Waltman & van Eck 2019), see [`leiden`].
    Leiden,
    /// Louvain (Blondel et al. 2008), see [`louvain`].
    Louvain,
    /// Weighted label propagation (Raghavan, Albert & Kumara 2007), see
    /// [`label_propagation`]. It has no resolution parameter.
    LabelPropagation,
}

impl Algorithm {
    /// Every algorithm, in tie-breaking order.
    pub const ALL: [Algorithm; 3] = [
        Algorithm::Leiden,
        Algorithm::Louvain,
        Algorithm::LabelPropagation,
    ];

    /// Kebab-case name, as shown in reports (`leiden`, `louvain`, `label-propagation`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Leiden => "leiden",
            Algorithm::Louvain => "louvain",
            Algorithm::LabelPropagation => "label-propagation",
        }
    }

    /// The algorithm named `name` (as returned by [`Algorithm::name`]).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether the algorithm reads [`ClusterOptions::resolution`].
    pub fn uses_resolution(self) -> bool {
        !matches!(self, Algorithm::LabelPropagation)
    }
}

/// Inputs of one clustering run besides the graph. A run is a pure function of the graph and
/// these options.
#[derive(Debug, Clone, Copy)]
pub struct ClusterOptions<'a> {
    /// Resolution γ of modularity (1.0 is Newman–Girvan); larger values give more, smaller
    /// communities. Ignored by label propagation.
    pub resolution: f64,
    /// Seed of every random choice (node orders, Leiden's randomised refinement).
    pub seed: u64,
    /// Partition to start from instead of singletons. Must have one label per node; an
    /// initial partition of the wrong length is ignored.
    pub initial: Option<&'a Partition>,
    /// Nodes that must keep their initial label (`fixed[node]`): pinned nodes with the same
    /// initial label end in the same community, pinned nodes with different initial labels
    /// in different communities. Ignored without `initial` or when the length is wrong.
    pub fixed: Option<&'a [bool]>,
}

impl<'a> ClusterOptions<'a> {
    /// Options for a run from singletons, without pins.
    pub fn new(resolution: f64, seed: u64) -> Self {
        ClusterOptions {
            resolution,
            seed,
            initial: None,
            fixed: None,
        }
    }

    /// The same options, starting from `initial` with the `fixed` nodes pinned.
    pub fn with_initial(self, initial: &'a Partition, fixed: Option<&'a [bool]>) -> Self {
        ClusterOptions {
            initial: Some(initial),
            fixed,
            ..self
        }
    }
}

/// Runs `algorithm` on `graph`.
pub fn run(graph: &WeightedGraph, algorithm: Algorithm, options: &ClusterOptions<'_>) -> Partition {
    match algorithm {
        Algorithm::Leiden => leiden(graph, options),
        Algorithm::Louvain => louvain(graph, options),
        Algorithm::LabelPropagation => label_propagation(graph, options),
    }
}

/// Newman–Girvan modularity with resolution γ (Newman & Girvan 2004; Reichardt & Bornholdt
/// 2006 for γ):
///
/// `Q = Σ_c [ L_c / m − γ (K_c / 2m)² ]`
///
/// where `m` is the total edge weight, `L_c` the weight of edges inside community `c` (a
/// self-loop counts once) and `K_c` the sum of the weighted degrees of its nodes (a self-loop
/// counts twice, as in [`WeightedGraph::degree`]). This equals the usual
/// `1/2m Σ_ij (A_ij − γ k_i k_j / 2m) δ(c_i, c_j)` with `A_ii` twice the loop weight.
/// A graph without edges has modularity 0. Labels must cover every node.
pub fn modularity(graph: &WeightedGraph, partition: &Partition, resolution: f64) -> f64 {
    let n = graph.node_count();
    let labels = &partition.labels;
    if labels.len() != n {
        return 0.0;
    }
    let k = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
    let mut internal = vec![0.0f64; k];
    let mut total_degree = vec![0.0f64; k];
    let mut two_m = 0.0;
    for u in 0..n {
        let cu = labels[u] as usize;
        for (v, w) in graph.neighbors(u as u32) {
            if v as usize == u {
                internal[cu] += 2.0 * w;
                total_degree[cu] += 2.0 * w;
                two_m += 2.0 * w;
            } else {
                if labels[v as usize] as usize == cu {
                    internal[cu] += w;
                }
                total_degree[cu] += w;
                two_m += w;
            }
        }
    }
    if two_m <= 0.0 {
        return 0.0;
    }
    // `internal` counts each inner edge twice (once per endpoint) and loops as 2w: 2 L_c.
    (0..k)
        .map(|c| internal[c] / two_m - resolution * (total_degree[c] / two_m).powi(2))
        .sum()
}

/// Communities of `partition` whose nodes do not induce a connected subgraph of `graph`,
/// sorted. Leiden guarantees there are none (without pins); Louvain and label propagation
/// give no such guarantee.
pub fn disconnected_communities(graph: &WeightedGraph, partition: &Partition) -> Vec<u32> {
    let n = graph.node_count();
    let labels = &partition.labels;
    if labels.len() != n {
        return Vec::new();
    }
    let k = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
    let mut seen_community = vec![false; k];
    let mut disconnected = vec![false; k];
    let mut visited = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    for start in 0..n {
        if visited[start] {
            continue;
        }
        let c = labels[start] as usize;
        // A second search starting in an already seen community means it has two parts.
        if seen_community[c] {
            disconnected[c] = true;
        }
        seen_community[c] = true;
        visited[start] = true;
        stack.push(start as u32);
        while let Some(u) = stack.pop() {
            for (v, _) in graph.neighbors(u) {
                if !visited[v as usize] && labels[v as usize] as usize == c {
                    visited[v as usize] = true;
                    stack.push(v);
                }
            }
        }
    }
    (0..k as u32)
        .filter(|&c| disconnected[c as usize])
        .collect()
}

/// The graph one level of a multi-level algorithm works on: CSR rows without self-loops,
/// self-loop weights apart, degrees precomputed, and which nodes are pinned.
#[derive(Debug, Clone)]
pub(crate) struct Level {
    pub(crate) offsets: Vec<usize>,
    pub(crate) targets: Vec<u32>,
    pub(crate) weights: Vec<f64>,
    /// Weight of the self-loop of each node (inner weight of an aggregated community).
    pub(crate) self_loops: Vec<f64>,
    /// Weighted degree, a self-loop counting twice.
    pub(crate) degree: Vec<f64>,
    /// Pinned nodes.
    pub(crate) fixed: Vec<bool>,
    /// Twice the total edge weight.
    pub(crate) two_m: f64,
}

impl Level {
    pub(crate) fn from_graph(graph: &WeightedGraph, fixed: Option<&[bool]>) -> Level {
        let n = graph.node_count();
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(graph.targets.len());
        let mut weights = Vec::with_capacity(graph.targets.len());
        let mut self_loops = vec![0.0; n];
        let mut degree = vec![0.0; n];
        offsets.push(0);
        for u in 0..n {
            for (v, w) in graph.neighbors(u as u32) {
                if v as usize == u {
                    self_loops[u] += w;
                    degree[u] += 2.0 * w;
                } else {
                    targets.push(v);
                    weights.push(w);
                    degree[u] += w;
                }
            }
            offsets.push(targets.len());
        }
        let two_m = degree.iter().sum();
        let fixed = match fixed {
            Some(f) if f.len() == n => f.to_vec(),
            _ => vec![false; n],
        };
        Level {
            offsets,
            targets,
            weights,
            self_loops,
            degree,
            fixed,
            two_m,
        }
    }

    pub(crate) fn node_count(&self) -> usize {
        self.degree.len()
    }

    pub(crate) fn row(&self, u: usize) -> (&[u32], &[f64]) {
        let range = self.offsets[u]..self.offsets[u + 1];
        (&self.targets[range.clone()], &self.weights[range])
    }

    /// Collapses each community of `membership` (labels `0..k`) into one node. Inner edges
    /// become the node's self-loop so that degrees and modularity are preserved; a community
    /// holding a pinned node is pinned.
    pub(crate) fn aggregate(&self, membership: &[u32], k: usize) -> Level {
        let n = self.node_count();
        // Nodes grouped by community (counting sort), so that each new row is built at once.
        let members = group_by_label(membership, k);
        let mut offsets = Vec::with_capacity(k + 1);
        let mut targets = Vec::new();
        let mut weights = Vec::new();
        let mut self_loops = vec![0.0; k];
        let mut degree = vec![0.0; k];
        let mut fixed = vec![false; k];
        let mut acc = vec![0.0f64; k];
        let mut touched: Vec<u32> = Vec::new();
        offsets.push(0);
        for c in 0..k {
            let mut inner = 0.0;
            for &u in members.of(c) {
                let u = u as usize;
                self_loops[c] += self.self_loops[u];
                degree[c] += self.degree[u];
                fixed[c] |= self.fixed[u];
                let (ts, ws) = self.row(u);
                for (&v, &w) in ts.iter().zip(ws) {
                    let cv = membership[v as usize];
                    if cv as usize == c {
                        inner += w;
                    } else {
                        if acc[cv as usize] == 0.0 {
                            touched.push(cv);
                        }
                        acc[cv as usize] += w;
                    }
                }
            }
            // Each inner edge was seen from both ends.
            self_loops[c] += inner / 2.0;
            // Rows stay in first-touched order: deterministic, and sorting them showed up in
            // profiles for nothing.
            for &d in &touched {
                targets.push(d);
                weights.push(acc[d as usize]);
                acc[d as usize] = 0.0;
            }
            touched.clear();
            offsets.push(targets.len());
        }
        debug_assert_eq!(n, membership.len());
        Level {
            offsets,
            targets,
            weights,
            self_loops,
            degree,
            fixed,
            two_m: self.two_m,
        }
    }
}

/// Nodes grouped by label: `of(c)` lists the nodes labelled `c`, in increasing order.
pub(crate) struct Groups {
    starts: Vec<usize>,
    nodes: Vec<u32>,
}

impl Groups {
    pub(crate) fn of(&self, c: usize) -> &[u32] {
        &self.nodes[self.starts[c]..self.starts[c + 1]]
    }
}

pub(crate) fn group_by_label(labels: &[u32], k: usize) -> Groups {
    let mut starts = vec![0usize; k + 1];
    for &l in labels {
        starts[l as usize + 1] += 1;
    }
    for c in 0..k {
        starts[c + 1] += starts[c];
    }
    let mut next = starts.clone();
    let mut nodes = vec![0u32; labels.len()];
    for (u, &l) in labels.iter().enumerate() {
        nodes[next[l as usize]] = u as u32;
        next[l as usize] += 1;
    }
    Groups { starts, nodes }
}

/// Renumbers labels `0..k` in order of first appearance, in place; returns `k`. Labels must
/// be below `labels.len()` (or `bound` when given larger).
pub(crate) fn renumber(labels: &mut [u32], bound: usize) -> usize {
    let mut map = vec![u32::MAX; bound.max(labels.len())];
    let mut next = 0u32;
    for l in labels.iter_mut() {
        let slot = &mut map[*l as usize];
        if *slot == u32::MAX {
            *slot = next;
            next += 1;
        }
        *l = *slot;
    }
    next as usize
}

/// The starting membership of a run: the initial partition when it fits the graph (renumbered
/// `0..k`), otherwise singletons; and the pins that apply.
pub(crate) fn starting_point(
    n: usize,
    options: &ClusterOptions<'_>,
) -> (Vec<u32>, Option<Vec<bool>>) {
    match options.initial {
        Some(p) if p.labels.len() == n => {
            let mut labels = p.labels.clone();
            let bound = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
            renumber(&mut labels, bound);
            let fixed = match options.fixed {
                Some(f) if f.len() == n && f.iter().any(|&b| b) => Some(f.to_vec()),
                _ => None,
            };
            (labels, fixed)
        }
        _ => ((0..n as u32).collect(), None),
    }
}

/// Mutable community bookkeeping for local moving on a [`Level`]: membership, total degree
/// and size of each community id (`0..n`), the ids currently empty, and the flat
/// accumulator of a node's weight towards each neighbouring community.
pub(crate) struct Communities {
    pub(crate) membership: Vec<u32>,
    pub(crate) total: Vec<f64>,
    pub(crate) size: Vec<u32>,
    empty: Vec<u32>,
    acc: Vec<f64>,
    touched: Vec<u32>,
}

/// What moving a node would gain, computed by [`Communities::best_move`].
pub(crate) struct Move {
    pub(crate) from: u32,
    pub(crate) to: u32,
    /// Gain of `to` minus gain of staying, in edge-weight units (ΔQ · m).
    pub(crate) improvement: f64,
}

impl Communities {
    pub(crate) fn new(level: &Level, membership: Vec<u32>) -> Communities {
        let n = level.node_count();
        let mut total = vec![0.0; n];
        let mut size = vec![0u32; n];
        for (u, &c) in membership.iter().enumerate() {
            total[c as usize] += level.degree[u];
            size[c as usize] += 1;
        }
        // Popped from the back: lowest ids first.
        let empty = (0..n as u32)
            .rev()
            .filter(|&c| size[c as usize] == 0)
            .collect();
        Communities {
            membership,
            total,
            size,
            empty,
            acc: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    /// The best community for `u` under resolution `gamma`: the neighbouring (or empty)
    /// community maximising `w(u, C) − γ k_u K_C / 2m` (ties: lowest id), compared with
    /// staying. Modularity gain of Blondel et al. (2008), eq. 2, up to the factor 1/m.
    pub(crate) fn best_move(&mut self, level: &Level, u: usize, gamma: f64) -> Move {
        // Local borrows of the fields keep their pointers in registers in the hot loops
        // (this function is most of the ensemble's time).
        let Communities {
            membership,
            total,
            size,
            empty,
            acc,
            touched,
        } = self;
        let from = membership[u];
        let (ts, ws) = level.row(u);
        for (&v, &w) in ts.iter().zip(ws) {
            let c = membership[v as usize];
            let slot = &mut acc[c as usize];
            if *slot == 0.0 {
                touched.push(c);
            }
            *slot += w;
        }
        let k_u = level.degree[u];
        let scale = gamma * k_u / level.two_m;
        let stay = acc[from as usize] - scale * (total[from as usize] - k_u);
        let mut best = from;
        let mut best_gain = f64::NEG_INFINITY;
        for &c in touched.iter() {
            let weight = std::mem::replace(&mut acc[c as usize], 0.0);
            if c == from {
                continue;
            }
            let gain = weight - scale * total[c as usize];
            if gain > best_gain || (gain == best_gain && c < best) {
                best = c;
                best_gain = gain;
            }
        }
        touched.clear();
        // An empty community gains 0; it only matters when `u` is not alone already.
        if size[from as usize] > 1
            && let Some(&e) = empty.last()
            && (0.0 > best_gain || (0.0 == best_gain && e < best))
        {
            best = e;
            best_gain = 0.0;
        }
        if best == from {
            return Move {
                from,
                to: from,
                improvement: 0.0,
            };
        }
        Move {
            from,
            to: best,
            improvement: best_gain - stay,
        }
    }

    pub(crate) fn apply(&mut self, level: &Level, u: usize, to: u32) {
        let from = self.membership[u];
        if from == to {
            return;
        }
        if self.size[to as usize] == 0 {
            // `best_move` proposes the top of the stack; look further only for other callers.
            if self.empty.last() == Some(&to) {
                self.empty.pop();
            } else if let Some(pos) = self.empty.iter().position(|&e| e == to) {
                self.empty.remove(pos);
            }
        }
        let k_u = level.degree[u];
        self.total[from as usize] -= k_u;
        self.size[from as usize] -= 1;
        if self.size[from as usize] == 0 {
            self.empty.push(from);
        }
        self.total[to as usize] += k_u;
        self.size[to as usize] += 1;
        self.membership[u] = to;
    }
}

/// A move is taken only when it improves the objective by more than this fraction of the
/// node's degree, so floating-point noise cannot make two nodes swap forever.
pub(crate) const MIN_IMPROVEMENT: f64 = 1e-10;

#[cfg(test)]
mod tests {
    use super::*;

    fn two_triangles() -> WeightedGraph {
        WeightedGraph::from_edges(
            6,
            [
                (0, 1, 1.0),
                (1, 2, 1.0),
                (0, 2, 1.0),
                (3, 4, 1.0),
                (4, 5, 1.0),
                (3, 5, 1.0),
                (2, 3, 1.0),
            ],
        )
    }

    #[test]
    fn modularity_matches_a_hand_computed_value() {
        // m = 7; each triangle has L = 3 inner edges and K = 7: Q = 2 (3/7 − (7/14)²).
        let g = two_triangles();
        let p = Partition::from_labels(&[0, 0, 0, 1, 1, 1]);
        let q = modularity(&g, &p, 1.0);
        assert!((q - 2.0 * (3.0 / 7.0 - 0.25)).abs() < 1e-12, "{q}");
        // Everything in one community: Q = 1 − γ.
        let one = Partition::from_labels(&[0; 6]);
        assert!(modularity(&g, &one, 1.0).abs() < 1e-12);
        assert!((modularity(&g, &one, 0.5) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn self_loops_count_once_inside_and_twice_in_degrees() {
        // One node with a loop of weight 2 and an edge of weight 1 to another node.
        // m = 3; alone: L = 2, K = 5 -> 2/3 − 25/36; other: L = 0, K = 1 -> −1/36.
        let g = WeightedGraph::from_edges(2, [(0, 0, 2.0), (0, 1, 1.0)]);
        let q = modularity(&g, &Partition::from_labels(&[0, 1]), 1.0);
        assert!(
            (q - (2.0 / 3.0 - 25.0 / 36.0 - 1.0 / 36.0)).abs() < 1e-12,
            "{q}"
        );
    }

    #[test]
    fn aggregation_preserves_modularity() {
        let g = two_triangles();
        let level = Level::from_graph(&g, None);
        let membership = [0u32, 0, 1, 2, 2, 2];
        let agg = level.aggregate(&membership, 3);
        assert_eq!(agg.node_count(), 3);
        assert_eq!(agg.self_loops, vec![1.0, 0.0, 3.0]);
        assert_eq!(agg.degree, vec![4.0, 3.0, 7.0]);
        let agg_graph = level_to_graph(&agg);
        let coarse = Partition::from_labels(&[0, 0, 1]);
        let fine = Partition::from_labels(&[0, 0, 0, 1, 1, 1]);
        let q1 = modularity(&g, &fine, 1.0);
        let q2 = modularity(&agg_graph, &coarse, 1.0);
        assert!((q1 - q2).abs() < 1e-12);
    }

    fn level_to_graph(level: &Level) -> WeightedGraph {
        let mut edges = Vec::new();
        for u in 0..level.node_count() {
            if level.self_loops[u] > 0.0 {
                edges.push((u as u32, u as u32, level.self_loops[u]));
            }
            let (ts, ws) = level.row(u);
            for (&v, &w) in ts.iter().zip(ws) {
                if (u as u32) < v {
                    edges.push((u as u32, v, w));
                }
            }
        }
        WeightedGraph::from_edges(level.node_count(), edges)
    }

    #[test]
    fn a_community_in_two_pieces_is_reported() {
        let g = two_triangles();
        // {0,1} and {4,5} share a label but are only joined through nodes 2 and 3.
        let p = Partition::from_labels(&[0, 0, 1, 1, 0, 0]);
        assert_eq!(disconnected_communities(&g, &p), vec![0]);
        let q = Partition::from_labels(&[0, 0, 0, 1, 1, 1]);
        assert!(disconnected_communities(&g, &q).is_empty());
    }

    #[test]
    fn algorithm_names_round_trip() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(a.name()), Some(a));
        }
        assert_eq!(Algorithm::from_name("kmeans"), None);
    }

    #[test]
    fn renumbering_follows_first_appearance() {
        let mut l = vec![4, 4, 1, 0, 1];
        assert_eq!(renumber(&mut l, 5), 3);
        assert_eq!(l, vec![0, 0, 1, 2, 1]);
    }
}
