//! Strongly connected components (Tarjan, via petgraph) on plain directed edge lists, so
//! that other crates can find cycles (between contexts, say) without naming petgraph.

use petgraph::graph::{DiGraph, NodeIndex};

/// The strongly connected components of a directed graph on nodes `0..n` that have more
/// than one node (the cycles), each sorted, sorted by their first node. Edges naming a node
/// `>= n` are ignored; self-loops do not make a component.
pub fn nontrivial_sccs(n: usize, edges: &[(u32, u32)]) -> Vec<Vec<u32>> {
    let mut graph: DiGraph<(), (), u32> = DiGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        graph.add_node(());
    }
    for &(a, b) in edges {
        if (a as usize) < n && (b as usize) < n && a != b {
            graph.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ());
        }
    }
    let mut out: Vec<Vec<u32>> = petgraph::algo::tarjan_scc(&graph)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut c: Vec<u32> = c.into_iter().map(|i| i.index() as u32).collect();
            c.sort_unstable();
            c
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_two_cycles_and_ignores_self_loops() {
        let edges = [
            (0, 1),
            (1, 0),
            (2, 2),
            (3, 4),
            (4, 5),
            (5, 3),
            (1, 3),
            (9, 0),
        ];
        assert_eq!(nontrivial_sccs(6, &edges), vec![vec![0, 1], vec![3, 4, 5]]);
    }
}
