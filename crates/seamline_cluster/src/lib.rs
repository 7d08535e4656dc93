//! Clustering: finds bounded contexts in the dependency graph.
//!
//! [`algo`], [`ensemble`], [`eval`] and [`planted`] are pure algorithms on
//! [`seamline_graph::WeightedGraph`]; `contexts` turns a [`seamline_graph`] dependency graph
//! into named bounded contexts using them.
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod algo;
pub mod contexts;
pub mod ensemble;
pub mod eval;
pub mod planted;

pub use algo::{
    Algorithm, ClusterOptions, disconnected_communities, label_propagation, leiden, louvain,
    modularity,
};
pub use ensemble::{EnsembleConfig, EnsembleResult, LEIDEN_ONLY_FROM, RunSummary, run_ensemble};
pub use eval::{adjusted_rand_index, mojo_distance, mojofm, normalized_mutual_information};
pub use planted::{PlantedConfig, PlantedGraph, planted_partition};
