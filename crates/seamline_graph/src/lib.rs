//! The weighted dependency graph built from [`seamline_ir::Facts`], and the decomposition
//! metrics computed on it.
//!
//! The only crate that names petgraph. Its public API exposes [`DepGraph`] and [`NodeId`]
//! newtypes, and a plain adjacency view ([`WeightedGraph`]) that the clustering stage runs on.
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod weighted;

pub use weighted::{Partition, WeightedGraph};
