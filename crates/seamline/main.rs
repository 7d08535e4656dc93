//! The `seamline` binary: everything is in the library (`lib.rs`), shared with
//! `cargo-seamline`.

use std::process::ExitCode;

fn main() -> ExitCode {
    seamline::run(std::env::args_os())
}
