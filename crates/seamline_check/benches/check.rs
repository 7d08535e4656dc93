//! Speed of `check` next to the frontend it follows, on a large real crate: the frontend
//! (what `analyze` also pays), the declared assignment, and the rules; the config is the
//! one `seamline init` writes for that crate (today's proposal, every dependency allowed).
//!
//! The crate is `$SEAMLINE_BENCH_ROOT`, else the newest `cargo-*` source in the local
//! registry (`cargo fetch` in a scratch project depending on `cargo` puts it there), else
//! the seamline_check crate itself. Run: `cargo bench -p seamline_check --bench check`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::LazyLock;

use seamline_check::{Assignment, CheckOptions};
use seamline_config::{CheckSettings, Settings};
use seamline_ir as ir;

#[allow(clippy::print_stderr)] // A bench says what it measures.
fn main() {
    eprintln!("benchmarking on {}", ROOT.display());
    divan::main();
}

static ROOT: LazyLock<PathBuf> = LazyLock::new(bench_root);

static FACTS: LazyLock<ir::Facts> = LazyLock::new(|| frontend().expect("the frontend failed"));

static SETTINGS: LazyLock<CheckSettings> = LazyLock::new(|| {
    let proposal = seamline_check::propose(&FACTS, &Settings::defaults("x").cluster);
    let text = seamline_check::template::init_config(&FACTS, &proposal, ".");
    Settings::parse(&text, "seamline.toml")
        .expect("init writes a valid config")
        .check
});

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
                if name.starts_with("cargo-0.") {
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

fn frontend() -> Result<ir::Facts, String> {
    let options = seamline_frontend::Options {
        root: ROOT.clone(),
        include_tests: false,
        max_file_size: 10_000_000,
        threads: 0,
        progress: None,
    };
    seamline_frontend::analyze(&options).map_err(|e| e.to_string())
}

/// Reading and lowering the whole crate: the part `analyze` and `check` share.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn frontend_end_to_end() -> ir::Facts {
    frontend().unwrap()
}

/// Assigning every module to a declared context by glob.
#[divan::bench(sample_count = 10)]
fn assign_declared() -> Assignment {
    Assignment::declared(&FACTS, &SETTINGS)
}

/// Every rule on the declared assignment.
#[divan::bench(sample_count = 10)]
fn rules(bencher: divan::Bencher) {
    let assignment = Assignment::declared(&FACTS, &SETTINGS);
    let overrides = BTreeMap::new();
    let options = CheckOptions {
        overrides: &overrides,
        root: ".",
    };
    bencher.bench(|| seamline_check::check(&FACTS, &assignment, &SETTINGS, &options));
}
