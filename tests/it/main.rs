//! The end-to-end test binary: runs the real `seamline` executable on temporary copies of
//! the fixtures and checks exit codes, output files and terminal output.
//!
//! One test binary for the whole suite (as ripgrep and rust-analyzer do), so that it links
//! once. `util` holds the shared harness; each command has its own module.

mod util;

mod analyze;
mod check;
mod eval;
mod hostile;
mod layered;
mod plan;
mod reports;
mod tidy;
