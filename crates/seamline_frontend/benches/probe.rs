//! Analyses each path given on the command line once and prints one summary line per path
//! (crates, files, lines, modules, items, diagnostics, seconds); `--parse-only` runs the
//! floor instead, `--threads N` picks the pool size, `--dump` prints `Facts::dump()`.
//! A panic is caught and reported as `PANIC`, so a batch run goes on.
//!
//! `cargo bench -p seamline_frontend --bench probe -- [--parse-only] [--threads N] PATH...`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use seamline_frontend::{Options, analyze, parse_only};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut threads = 0usize;
    let mut parse_floor = false;
    let mut dump = false;
    let mut include_tests = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--parse-only" => parse_floor = true,
            "--dump" => dump = true,
            "--include-tests" => include_tests = true,
            "--threads" => threads = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            "--bench" => {}
            other => paths.push(PathBuf::from(other)),
        }
    }
    let mut failures = 0;
    for root in paths {
        let options = Options {
            root: root.clone(),
            include_tests,
            max_file_size: 10 << 20,
            threads,
            progress: None,
        };
        let start = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if parse_floor {
                parse_only(&options).map(|s| {
                    format!(
                        "files={} parsed={} lines={} bytes={}",
                        s.files, s.parsed, s.lines, s.bytes
                    )
                })
            } else {
                analyze(&options).map(|f| {
                    if dump {
                        print!("{}", f.dump());
                    }
                    let invalid = f.validate().err().map(|e| format!(" INVALID: {e}")).unwrap_or_default();
                    format!(
                        "crates={} files={} lines={} code={} modules={} items={} refs={} tables={} diags={}{}",
                        f.crates.len(),
                        f.files.len(),
                        f.files.iter().map(|x| u64::from(x.lines)).sum::<u64>(),
                        f.code_lines(),
                        f.modules.len(),
                        f.items.len(),
                        f.references.len(),
                        f.tables.len(),
                        f.diagnostics.len(),
                        invalid
                    )
                })
            }
        }));
        let secs = start.elapsed().as_secs_f64();
        match outcome {
            Ok(Ok(line)) => println!("{} ok {line} secs={secs:.3}", root.display()),
            Ok(Err(err)) => println!("{} error {err} secs={secs:.3}", root.display()),
            Err(_) => {
                failures += 1;
                println!("{} PANIC secs={secs:.3}", root.display());
            }
        }
    }
    if failures > 0 {
        std::process::exit(1);
    }
}
