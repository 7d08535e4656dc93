//! `--history`: the command-line options, and reading the git history of the analysed
//! folder. `seamline_history::onto` maps it onto modules and contexts.

use clap::Args;
use seamline_history::{History, HistoryOptions};
use std::path::Path;

/// The history options shared by the commands that cluster.
#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// Read the git history of PATH and cluster files that change together closer
    /// together (change coupling as an extra edge kind).
    #[arg(long)]
    pub history: bool,
    /// The weight of a pair of modules that always change together, on the scale of the
    /// dependency kinds (a call weighs 3)
    ///
    /// [default: `history` in `[clustering.weights]` of seamline.toml, else 3]
    #[arg(long, value_name = "W", requires = "history")]
    pub history_weight: Option<f64>,
    /// Ignore modules changed by fewer commits than this (code-maat's `min-revs`).
    #[arg(long, value_name = "N", default_value_t = 5, requires = "history")]
    pub min_revisions: u32,
    /// Read at most this many of the newest commits.
    #[arg(long, value_name = "N", default_value_t = seamline_history::DEFAULT_MAX_COMMITS, requires = "history")]
    pub max_commits: usize,
}

/// Reads the history of the repository holding `root` (never fails: problems are
/// diagnostics in the result).
pub fn read(root: &Path, args: &HistoryArgs, threads: usize) -> History {
    seamline_history::read_history(
        root,
        &HistoryOptions {
            since: None,
            max_commits: args.max_commits,
            max_files_per_commit: seamline_history::DEFAULT_MAX_FILES_PER_COMMIT,
            threads,
        },
    )
}
