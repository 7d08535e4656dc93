//! Clustering: finds bounded contexts in the dependency graph.
//!
//! `algo`, `ensemble`, `eval` and `planted` are pure algorithms on
//! [`seamline_graph::WeightedGraph`]; `contexts` turns a [`seamline_graph`] dependency graph
//! into named bounded contexts using them.
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod contexts;
