//! `--history`: reads the git history of the analysed folder (`seamline_history`) and turns
//! its change coupling, keyed by file path, into weighted module pairs for
//! `GraphOptions::co_change`, which the clustering uses next to the code's dependencies.
//!
//! Wiring only; `seamline_graph` does not know about git, and `seamline_history` does not
//! know about modules: this file maps one onto the other.

use clap::Args;
use seamline_history::{History, HistoryOptions};
use seamline_ir as ir;
use std::collections::BTreeMap;
use std::path::Path;

/// Module pairs that changed together in fewer commits than this are left out: one shared
/// commit is an accident, two are a pattern (as `seamline_history::MIN_CO_CHANGES`).
pub const MIN_SHARED_COMMITS: u32 = 2;

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

/// Change coupling between file-backed modules, as `(a, b, degree)` with `a < b`, sorted:
/// the degree of coupling (`shared / mean(revisions)`, in `[0, 1]`) of every pair of
/// modules changed by at least `min_revisions` commits each and together by at least
/// [`MIN_SHARED_COMMITS`]. Files that are not a module's file (docs, manifests, files the
/// analysis skipped) are left out.
pub fn co_change_edges(
    facts: &ir::Facts,
    history: &History,
    min_revisions: u32,
) -> Vec<(ir::ModuleId, ir::ModuleId, f64)> {
    let mut by_file: BTreeMap<&str, ir::ModuleId> = BTreeMap::new();
    let mut by_path: BTreeMap<&str, ir::ModuleId> = BTreeMap::new();
    for module in facts.modules.iter().filter(|m| !m.inline) {
        if let Some(file) = facts.files.get(module.file.index()) {
            by_file.entry(file.path.as_str()).or_insert(module.id);
            by_path.insert(module.path.as_str(), module.id);
        }
    }
    let group_of = |file: &str| {
        by_file
            .get(file)
            .and_then(|m| facts.modules.get(m.index()))
            .map(|m| m.path.clone())
    };
    let mut edges: Vec<(ir::ModuleId, ir::ModuleId, f64)> =
        seamline_history::change_coupling(history, &group_of, min_revisions)
            .into_iter()
            .filter(|c| c.shared >= MIN_SHARED_COMMITS)
            .filter_map(|c| {
                let a = *by_path.get(c.a.as_str())?;
                let b = *by_path.get(c.b.as_str())?;
                Some((a.min(b), a.max(b), c.degree))
            })
            .collect();
    edges.sort_by_key(|e| (e.0, e.1));
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use seamline_history::{CommitChanges, FileChange};

    fn commit(n: usize, files: &[&str]) -> CommitChanges {
        CommitChanges {
            id: format!("{n:040}"),
            author: "Ada".to_owned(),
            time: n as i64,
            files: files
                .iter()
                .map(|f| FileChange {
                    path: (*f).to_owned(),
                    added: 1,
                    removed: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn files_map_to_their_modules_and_rare_pairs_are_dropped() {
        let mut b = seamline_test_utils::facts::FactsBuilder::new("shop");
        let a = b.module("shop::a", "src/a.rs", 10);
        let bm = b.module("shop::b", "src/b.rs", 10);
        let c = b.module("shop::c", "src/c.rs", 10);
        let facts = b.finish();
        // a and b change together 3 times out of 4 each; c with a once; README is no module.
        let commits = vec![
            commit(1, &["src/a.rs", "src/b.rs", "README.md"]),
            commit(2, &["src/a.rs", "src/b.rs"]),
            commit(3, &["src/a.rs", "src/b.rs"]),
            commit(4, &["src/a.rs", "src/c.rs"]),
            commit(5, &["src/b.rs"]),
            commit(6, &["src/c.rs"]),
        ];
        let history = History {
            commits,
            ..History::default()
        };
        let edges = co_change_edges(&facts, &history, 1);
        assert_eq!(edges.len(), 1, "{edges:?}");
        assert_eq!((edges[0].0, edges[0].1), (a.min(bm), a.max(bm)));
        assert!((edges[0].2 - 0.75).abs() < 1e-9);
        // Raising the minimum number of revisions above a's 4 drops everything.
        assert!(co_change_edges(&facts, &history, 5).is_empty());
        let _ = c;
    }
}
