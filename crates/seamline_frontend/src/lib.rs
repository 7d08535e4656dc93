//! The Rust frontend: finds a codebase's crates and files, parses each file with syn (in
//! parallel, on big stacks), and lowers everything into [`seamline_ir::Facts`].
//!
//! The only crate of seamline that knows syn, proc-macro2, cargo_metadata and walkdir.
//! Static only: it never builds or runs anything from the analysed tree, runs
//! `cargo metadata` only with `--no-deps --offline`, and never reads outside the root.
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod syntax;

use seamline_ir as ir;
use std::path::PathBuf;

/// How to analyse. Built by the binary from flags and config; no `Default`, on purpose.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder (or single `.rs` file) to analyse.
    pub root: PathBuf,
    /// Include test, bench and example targets.
    pub include_tests: bool,
    /// Files larger than this many bytes are reported and skipped.
    pub max_file_size: u64,
}

/// Why analysis could not start. Problems inside the input are diagnostics in the facts.
#[derive(Debug)]
pub enum Error {
    /// The root does not exist or cannot be read.
    RootUnreadable {
        /// The root.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The root holds no `.rs` file.
    NoRust {
        /// The root.
        path: PathBuf,
    },
}
