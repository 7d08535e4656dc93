//! The weighted dependency graph built from [`seamline_ir::Facts`], and the decomposition
//! metrics computed on it.
//!
//! The only crate that names petgraph. Its public API exposes [`DepGraph`] and [`NodeId`]
//! newtypes, and a plain adjacency view ([`WeightedGraph`]) that the clustering stage runs on.
//!
//! Pipeline: [`DepGraph::build`] (nodes at [`Granularity::Module`] or [`Granularity::Item`],
//! weighted directed edges, table links, the shared kernel) -> [`DepGraph::cluster_graph`]
//! (undirected, kernel left out) -> clustering -> [`metrics::partition_metrics`].
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod dep_graph;
mod kernel;
pub mod metrics;
mod options;
mod scc;
mod weighted;

pub use dep_graph::{
    ClusterGraph, DepEdge, DepGraph, Node, NodeId, NodeKey, PLUMBING_REASON, TableLink,
};
pub use kernel::{DataLayer, module_area};
pub use options::{Dampening, Granularity, GraphOptions, KernelOptions, KindWeights};
pub use scc::nontrivial_sccs;
pub use weighted::{Partition, WeightedGraph};
