//! Git history signals: what changes together, how often, and by whom.
//!
//! Static structure shows what the code says; history shows how it actually changes.
//! This crate has two halves:
//!
//! - [`read_history`] is the only IO: it opens the git repository that contains the analysed
//!   folder (pure Rust, gix; no `git` binary, no hooks, no filters, nothing written) and turns
//!   its commits into a [`History`] of plain data. Problems (not a repository, shallow clone,
//!   empty history, corrupt objects, limits hit) become [`ir::Diagnostic`]s inside it.
//! - [`change_coupling`], [`churn`], [`hotspots`], [`ownership`] and [`contributor_coupling`]
//!   are pure functions over a [`History`] and an arbitrary grouping of files, so the
//!   caller decides the granularity.
//! - [`onto`] groups them by the analysed code's modules and proposed contexts: the
//!   clustering's co-change edges and the plan's [`seamline_plan::HistorySignals`].
//!
//! # What is read
//!
//! All commits reachable from `HEAD` through every parent (as `git log` does, not only the
//! first-parent chain), newest first by committer time, bounded by
//! [`HistoryOptions::since`] and [`HistoryOptions::max_commits`]. Walking every parent
//! keeps the individual commits of merged branches, which carry the fine-grained co-change
//! information; merge commits themselves are skipped and counted (their diff repeats the
//! branch's changes as one lump), like `git log --no-merges`, which is what code-maat and
//! CodeScene analyse. Commits that change more than
//! [`HistoryOptions::max_files_per_commit`] files (bulk reformatting, vendoring, the initial
//! import) are skipped and counted, because they would couple everything to everything.
//!
//! Per commit: the changed blobs (tree diff against the first parent; a root commit adds
//! every file), lines added and removed (Myers line diff, as `git log --numstat`; binary
//! files count 0 lines), the author's name after `.mailmap` is applied, and the committer
//! time. Renames are detected (50% similarity, as `git diff -M`) and followed: every older
//! path of a file is reported under its newest path, and [`History::renames`] lists the
//! mapping.
//!
//! # Paths
//!
//! The analysed folder may be a subfolder of the repository (the repository is discovered
//! upwards). Every path in a [`History`] is relative to the analysed folder and
//! `/`-separated, like the paths in `ir::Facts`; changes outside it are dropped, although
//! they still count toward a commit's size when deciding whether it is huge.
//! [`History::prefix`] says where the analysed folder sits in the work tree.

//!
//! # Speed
//!
//! A generated history of 10,000 commits (1 to 5 files each, line counts on) takes 1.7 s
//! of CPU on one thread; wall time was 6.3 s (median of 3) on a 2-core machine with a load
//! average of 14 (`cargo bench -p seamline_history --bench read_history`). Most of the
//! time goes to inflating blobs for line counts; a per-thread pack delta cache cut it by
//! two thirds. Measure any repository with
//! `cargo run --release -p seamline_history --example history_stats -- PATH [THREADS]`.

#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;

use seamline_ir as ir;

pub mod onto;
mod read;
mod signals;

pub use read::read_history;
pub use signals::{
    Churn, ContributorCoupling, Coupling, Hotspot, Ownership, change_coupling, churn,
    contributor_coupling, hotspots, ownership,
};

/// The default for [`HistoryOptions::max_commits`].
pub const DEFAULT_MAX_COMMITS: usize = 5000;
/// The default for [`HistoryOptions::max_files_per_commit`].
pub const DEFAULT_MAX_FILES_PER_COMMIT: usize = 50;
/// Pairs that changed together fewer times than this are left out: one shared commit is an
/// accident, two are a pattern. It applies to the file pairs of [`History::co_changes`] (the
/// per-commit data in [`History::commits`] keeps everything) and to the module pairs of
/// [`onto`].
pub const MIN_CO_CHANGES: u32 = 2;

/// What part of the history to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryOptions {
    /// Only commits whose committer time is at or after this instant (Unix seconds), as
    /// `git log --since`. `None` reads back to the root commits.
    pub since: Option<i64>,
    /// At most this many non-merge commits, the newest ones ([`DEFAULT_MAX_COMMITS`]).
    /// Reaching the limit adds a `git-history-truncated` note.
    pub max_commits: usize,
    /// Commits changing more files than this are skipped and counted in
    /// [`History::huge_skipped`] ([`DEFAULT_MAX_FILES_PER_COMMIT`]).
    pub max_files_per_commit: usize,
    /// Threads that diff commits; 0 means one per core. The result does not depend on it.
    pub threads: usize,
}

/// Everything read from the history, as plain data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// The analysed folder relative to the repository's work tree, `/`-separated, without a
    /// trailing slash; empty when the analysed folder is the work tree's root.
    pub prefix: String,
    /// Non-merge commits examined (used, huge or unreadable), at most `max_commits`.
    pub commits_read: usize,
    /// Merge commits met and skipped.
    pub merges_skipped: usize,
    /// Commits skipped because they changed more than `max_files_per_commit` files.
    pub huge_skipped: usize,
    /// The repository is a shallow clone: history before the shallow boundary is missing
    /// (and the boundary commits themselves, whose parent is absent, were skipped).
    pub shallow: bool,
    /// The commits used, newest first, each with the files it changed inside the analysed
    /// folder (under their newest names). Commits that changed nothing there are left out.
    pub commits: Vec<CommitChanges>,
    /// Per file (newest path, relative to the analysed folder).
    pub files: BTreeMap<String, FileHistory>,
    /// File pairs that changed in the same commit at least [`MIN_CO_CHANGES`] times, sorted
    /// by `(a, b)`, with `a < b`.
    pub co_changes: Vec<CoChange>,
    /// Old path -> newest path, for every file that was renamed (relative to the analysed
    /// folder when both ends are inside it, otherwise to the work tree's root).
    pub renames: BTreeMap<String, String>,
    /// Problems met while reading, sorted.
    pub diagnostics: Vec<ir::Diagnostic>,
}

/// One commit that was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitChanges {
    /// The full hexadecimal commit id.
    pub id: String,
    /// The author's name after `.mailmap` (the email when the name is empty).
    pub author: String,
    /// Committer time, Unix seconds.
    pub time: i64,
    /// The files changed, sorted by path, each path once.
    pub files: Vec<FileChange>,
}

/// One file changed by one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Newest path, relative to the analysed folder.
    pub path: String,
    /// Lines added (0 for binary files).
    pub added: u64,
    /// Lines removed (0 for binary files).
    pub removed: u64,
}

/// The history of one file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileHistory {
    /// Commits that changed it.
    pub commits: u32,
    /// Lines added over those commits.
    pub lines_added: u64,
    /// Lines removed over those commits.
    pub lines_removed: u64,
    /// Commits per author (mailmap applied).
    pub authors: BTreeMap<String, u32>,
    /// Committer time of the newest commit that changed it, Unix seconds.
    pub last_change: i64,
}

/// Two files that changed in the same commits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CoChange {
    /// The smaller path.
    pub a: String,
    /// The larger path.
    pub b: String,
    /// Commits that changed both.
    pub together: u32,
}

impl History {
    /// A deterministic text dump for snapshot tests and `seamline debug history`.
    pub fn dump(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "prefix={:?} commits_read={} used={} merges_skipped={} huge_skipped={} shallow={}",
            self.prefix,
            self.commits_read,
            self.commits.len(),
            self.merges_skipped,
            self.huge_skipped,
            self.shallow
        );
        for (path, file) in &self.files {
            let authors: Vec<String> = file
                .authors
                .iter()
                .map(|(name, n)| format!("{name}:{n}"))
                .collect();
            let _ = writeln!(
                out,
                "file {path} commits={} +{} -{} last={} authors=[{}]",
                file.commits,
                file.lines_added,
                file.lines_removed,
                file.last_change,
                authors.join(", ")
            );
        }
        for pair in &self.co_changes {
            let _ = writeln!(
                out,
                "co-change {} {} together={}",
                pair.a, pair.b, pair.together
            );
        }
        for (old, new) in &self.renames {
            let _ = writeln!(out, "rename {old} -> {new}");
        }
        for diag in &self.diagnostics {
            let _ = writeln!(
                out,
                "{} {}: {}",
                diag.severity.as_str(),
                diag.code,
                diag.message
            );
        }
        out
    }
}
