//! Reads a generated history of 10,000 commits (override with `SEAMLINE_BENCH_COMMITS`).
//!
//! Run: `cargo bench -p seamline_history --bench read_history`. The repository is built
//! once per run with `git fast-import` (the git CLI is needed here, never at run time):
//! 20 modules of 25 files, commits by 12 authors that change 1 to 4 files of a module and
//! often a file of the next module, one huge commit every 500 and a rename every 250, and
//! every change appends and rewrites lines so that line counts do real work.
//! Commits per second = commits / the reported median time.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use seamline_history::{HistoryOptions, read_history};

mod generate;

fn main() {
    divan::main();
}

fn n_commits() -> usize {
    std::env::var("SEAMLINE_BENCH_COMMITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

/// The generated repository, built on first use and kept for the whole run.
fn repo() -> &'static Path {
    static REPO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &REPO
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("big");
            generate::generate(&path, n_commits());
            (dir, path)
        })
        .1
}

fn opts(threads: usize) -> HistoryOptions {
    HistoryOptions {
        since: None,
        max_commits: usize::MAX,
        max_files_per_commit: 50,
        threads,
    }
}

#[divan::bench(sample_count = 3, sample_size = 1, args = [1, 2])]
fn read_all_commits(bencher: divan::Bencher, threads: usize) {
    let path = repo();
    bencher.bench(|| {
        let history = read_history(path, &opts(threads));
        assert!(history.diagnostics.is_empty(), "{:?}", history.diagnostics);
        history.commits_read
    });
}
