//! The Rust frontend: finds a codebase's crates and files, parses each file with syn (in
//! parallel, on big stacks), and lowers everything into [`seamline_ir::Facts`].
//!
//! The only crate of seamline that knows syn, proc-macro2, cargo_metadata and walkdir.
//! Static only: it never builds or runs anything from the analysed tree, runs
//! `cargo metadata` only with `--no-deps --offline` (and a toolchain override, so that a
//! pinned toolchain is never downloaded), and never reads outside the root.
//!
//! Pipeline: [`discover`] finds crates and candidate files, [`driver`] walks the module
//! tree in parallel waves (read, parse, lower, follow `mod` declarations), then hands the
//! module bodies to the resolver and assembles the facts.
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod discover;
mod driver;
mod hash;
mod lower;
mod modtree;
mod read;
mod resolve;
mod sql;
pub mod syntax;

use seamline_ir as ir;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// How to analyse. Built by the binary from flags and config; no `Default`, on purpose.
#[derive(Clone)]
pub struct Options {
    /// The folder (or single `.rs` file) to analyse.
    pub root: PathBuf,
    /// Include test, bench and example targets.
    pub include_tests: bool,
    /// Files larger than this many bytes are reported and skipped (the binary uses 10 MB).
    pub max_file_size: u64,
    /// Worker threads for reading and parsing; 0 means one per core.
    pub threads: usize,
    /// Called from worker threads after each file is read and parsed.
    pub progress: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("root", &self.root)
            .field("include_tests", &self.include_tests)
            .field("max_file_size", &self.max_file_size)
            .field("threads", &self.threads)
            .field("progress", &self.progress.as_ref().map(|_| "Fn(Progress)"))
            .finish()
    }
}

/// Progress of a run. `files_total` grows while the module tree is discovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Files read and parsed so far.
    pub files_done: usize,
    /// Files known so far.
    pub files_total: usize,
}

/// What [`parse_only`] did: the floor of the analysis cost (read and parse, no lowering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParseStats {
    /// Files read.
    pub files: usize,
    /// Files that syn parsed.
    pub parsed: usize,
    /// Total lines of the files read.
    pub lines: u64,
    /// Total bytes of the files read.
    pub bytes: u64,
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::RootUnreadable { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            Error::NoRust { path } => {
                write!(f, "no Rust source file (.rs) found in {}", path.display())
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::RootUnreadable { source, .. } => Some(source),
            Error::NoRust { .. } => None,
        }
    }
}

/// Analyses the crate, workspace, folder or file at `options.root`.
///
/// Everything wrong inside the input (unparsable files, missing module files, broken
/// manifests...) becomes a diagnostic in the returned facts; only an unreadable root or a
/// root without Rust is an error. Same input, same output, whatever `threads` is.
pub fn analyze(options: &Options) -> Result<ir::Facts, Error> {
    driver::analyze(options)
}

/// Reads and parses every `.rs` file that [`analyze`] would consider, on the same thread
/// pool, without lowering or resolving anything: the floor for benchmarks.
pub fn parse_only(options: &Options) -> Result<ParseStats, Error> {
    driver::parse_only(options)
}
