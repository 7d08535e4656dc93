//! Reads a generated history of 10,000 commits (override with `SEAMLINE_BENCH_COMMITS`).
//!
//! Run: `cargo bench -p seamline_history --bench read_history`. The repository is built
//! once with `git fast-import` (the git CLI is needed here, never at run time) and kept in
//! cargo's target tmp folder; see `generate.rs` for its shape.
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

/// The generated repository, kept under cargo's target tmp folder and reused by later
/// runs (delete it to regenerate).
fn repo() -> &'static Path {
    static REPO: OnceLock<PathBuf> = OnceLock::new();
    REPO.get_or_init(|| {
        let n = n_commits();
        let path =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("seamline-history-bench-{n}"));
        if !path.join(".git").is_dir() {
            let _ = std::fs::remove_dir_all(&path);
            generate::generate(&path, n);
        }
        path
    })
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
