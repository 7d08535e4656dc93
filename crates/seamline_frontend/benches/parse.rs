//! Speed of the frontend on a large real crate: the floor (`parse_only`: read and syn-parse
//! every file, same thread pool) against `analyze` end to end, with 1 and 2 threads.
//!
//! The crate analysed is `$SEAMLINE_BENCH_ROOT`, else the newest `cargo-*` source in the
//! local registry (`cargo fetch` in a scratch project depending on `cargo` puts it there),
//! else this crate's own source. Run:
//! `cargo bench -p seamline_frontend --bench parse`.

#![allow(clippy::print_stderr)]

use seamline_frontend::{Options, analyze, parse_only};
use std::path::PathBuf;

fn main() {
    let root = bench_root();
    eprintln!("benchmarking on {}", root.display());
    divan::main();
}

/// The folder to analyse (see the file docs).
fn bench_root() -> PathBuf {
    if let Some(root) = std::env::var_os("SEAMLINE_BENCH_ROOT") {
        return PathBuf::from(root);
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let mut found: Vec<PathBuf> = Vec::new();
    if let Some(src) = home.map(|h| h.join("registry/src")) {
        for index in std::fs::read_dir(src).into_iter().flatten().flatten() {
            for pkg in std::fs::read_dir(index.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = pkg.file_name().to_string_lossy().into_owned();
                let is_cargo = name
                    .strip_prefix("cargo-")
                    .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()));
                if is_cargo {
                    found.push(pkg.path());
                }
            }
        }
    }
    found.sort();
    found
        .pop()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

fn options(threads: usize) -> Options {
    Options {
        root: bench_root(),
        include_tests: false,
        max_file_size: 10 << 20,
        threads,
        progress: None,
    }
}

#[divan::bench(args = [1, 2], sample_count = 5, sample_size = 1)]
fn floor_parse_only(threads: usize) -> usize {
    parse_only(&options(threads)).map(|s| s.files).unwrap_or(0)
}

#[divan::bench(args = [1, 2], sample_count = 5, sample_size = 1)]
fn end_to_end_analyze(threads: usize) -> usize {
    analyze(&options(threads))
        .map(|f| f.items.len())
        .unwrap_or(0)
}
