//! Reads a repository's history and prints how long it took, for measuring by hand.
//!
//! `cargo run --release -p seamline_history --example history_stats -- PATH [THREADS]`
//! `cargo run --release -p seamline_history --example history_stats -- --generate N PATH`
//! (the second form writes a synthetic history of N commits at PATH first).

#![allow(clippy::print_stdout)]

#[path = "../benches/generate.rs"]
mod generate;

use std::path::PathBuf;
use std::time::Instant;

use seamline_history::{HistoryOptions, read_history};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, threads) = if args.first().map(String::as_str) == Some("--generate") {
        let n: usize = args[1].parse().expect("a commit count");
        let path = PathBuf::from(&args[2]);
        let start = Instant::now();
        generate::generate(&path, n);
        println!(
            "generated {n} commits in {:.2} s",
            start.elapsed().as_secs_f64()
        );
        (path, 0)
    } else {
        let path = PathBuf::from(args.first().expect("a repository path"));
        (path, args.get(1).and_then(|t| t.parse().ok()).unwrap_or(0))
    };
    let opts = HistoryOptions {
        since: None,
        max_commits: usize::MAX,
        max_files_per_commit: 50,
        threads,
    };
    let start = Instant::now();
    let history = read_history(&path, &opts);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "read {} commits ({} merges, {} huge skipped) in {secs:.2} s: {:.0} commits/s, {} files, {} co-change pairs",
        history.commits_read,
        history.merges_skipped,
        history.huge_skipped,
        history.commits_read as f64 / secs,
        history.files.len(),
        history.co_changes.len()
    );
    let added: u64 = history.files.values().map(|f| f.lines_added).sum();
    let removed: u64 = history.files.values().map(|f| f.lines_removed).sum();
    println!(
        "lines: +{added} -{removed}; renames followed: {}",
        history.renames.len()
    );
    for diag in &history.diagnostics {
        println!("{} {}: {}", diag.severity.as_str(), diag.code, diag.message);
    }
}
