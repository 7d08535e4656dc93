//! A plain, undirected, weighted graph in compressed sparse row form, and a partition of its
//! nodes: the input and output of every clustering algorithm.

/// An undirected weighted graph in CSR form. Node ids are `0..n`.
///
/// Invariants: each undirected edge `{u, v}` with `u != v` appears twice (in `u`'s and `v`'s
/// rows) with the same weight; a self-loop appears once in its node's row; each row is
/// sorted by neighbour; weights are finite and positive.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedGraph {
    /// `offsets[u]..offsets[u + 1]` indexes `u`'s neighbours; `offsets.len() == n + 1`.
    pub offsets: Vec<usize>,
    /// Neighbour ids.
    pub targets: Vec<u32>,
    /// Edge weights, parallel to `targets`.
    pub weights: Vec<f64>,
}

impl WeightedGraph {
    /// Builds a graph from undirected edges; parallel edges are summed, edges with a
    /// non-positive or non-finite weight are dropped.
    pub fn from_edges(n: usize, edges: impl IntoIterator<Item = (u32, u32, f64)>) -> Self {
        let mut rows: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
        for (u, v, w) in edges {
            if !(w.is_finite() && w > 0.0) {
                continue;
            }
            rows[u as usize].push((v, w));
            if u != v {
                rows[v as usize].push((u, w));
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::new();
        let mut weights = Vec::new();
        offsets.push(0);
        for mut row in rows {
            row.sort_by_key(|&(t, _)| t);
            let mut last: Option<u32> = None;
            for (t, w) in row {
                if last == Some(t) {
                    *weights.last_mut().expect("a previous edge") += w;
                } else {
                    targets.push(t);
                    weights.push(w);
                    last = Some(t);
                }
            }
            offsets.push(targets.len());
        }
        WeightedGraph {
            offsets,
            targets,
            weights,
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Neighbours of `u` with weights.
    pub fn neighbors(&self, u: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        let range = self.offsets[u as usize]..self.offsets[u as usize + 1];
        self.targets[range.clone()]
            .iter()
            .copied()
            .zip(self.weights[range].iter().copied())
    }

    /// Weighted degree of `u` (a self-loop counts twice, as in modularity).
    pub fn degree(&self, u: u32) -> f64 {
        self.neighbors(u)
            .map(|(v, w)| if v == u { 2.0 * w } else { w })
            .sum()
    }

    /// Total edge weight `m` (each undirected edge once).
    pub fn total_weight(&self) -> f64 {
        (0..self.node_count() as u32)
            .map(|u| self.degree(u))
            .sum::<f64>()
            / 2.0
    }
}

/// A partition of a graph's nodes: `labels[node]` is the community, numbered `0..k` in order
/// of first appearance (so equal partitions compare equal).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Partition {
    /// Community of each node.
    pub labels: Vec<u32>,
}

impl Partition {
    /// Builds a partition from arbitrary labels, renumbering them in order of first
    /// appearance.
    pub fn from_labels(raw: &[u32]) -> Self {
        // Labels are usually below the node count (every algorithm numbers communities by
        // node ids or densely): a table indexed by label then replaces a hash map, which
        // this function, called on every candidate of the ensemble, spent most of its time in.
        let bound = raw.iter().copied().max().map_or(0, |l| l as usize + 1);
        if bound <= 2 * raw.len() + 64 {
            let mut map = vec![u32::MAX; bound];
            let mut next = 0u32;
            let labels = raw
                .iter()
                .map(|&l| {
                    let slot = &mut map[l as usize];
                    if *slot == u32::MAX {
                        *slot = next;
                        next += 1;
                    }
                    *slot
                })
                .collect();
            return Partition { labels };
        }
        let mut map = std::collections::HashMap::new();
        let labels = raw
            .iter()
            .map(|&l| {
                let next = map.len() as u32;
                *map.entry(l).or_insert(next)
            })
            .collect();
        Partition { labels }
    }

    /// Number of communities.
    pub fn community_count(&self) -> usize {
        self.labels
            .iter()
            .map(|&l| l as usize + 1)
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_edges_are_summed_and_rows_sorted() {
        let g = WeightedGraph::from_edges(3, [(0, 2, 1.0), (0, 1, 2.0), (2, 0, 0.5), (1, 1, 1.0)]);
        assert_eq!(g.neighbors(0).collect::<Vec<_>>(), vec![(1, 2.0), (2, 1.5)]);
        assert_eq!(g.degree(1), 4.0);
        assert_eq!(g.total_weight(), 4.5);
    }

    #[test]
    fn partitions_are_renumbered_by_first_appearance() {
        assert_eq!(
            Partition::from_labels(&[7, 7, 3, 9, 3]).labels,
            vec![0, 0, 1, 2, 1]
        );
        // Labels far above the node count take the other path, with the same answer.
        assert_eq!(
            Partition::from_labels(&[u32::MAX, 7, u32::MAX, 1 << 20]).labels,
            vec![0, 1, 0, 2]
        );
    }
}
