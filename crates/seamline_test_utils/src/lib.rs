//! Test support for every seamline crate, kept out of their public APIs: hand-built
//! [`seamline_ir::Facts`] for graph, clustering and `check` tests ([`facts`]), and
//! hand-built proposals measured by the clustering stage's own context map for plan and
//! report tests ([`sample`]).
//!
//! A dev-dependency only: no crate depends on it for its build.
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod facts;
pub mod sample;
