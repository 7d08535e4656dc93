//! `cargo-seamline`: lets `cargo seamline check` work as a cargo subcommand.
//!
//! Cargo runs `cargo-seamline seamline check ...`; this drops the `seamline` argument and
//! runs exactly the code of the `seamline` binary (its `main.rs` is included as a module,
//! and its modules are re-exported here so that their `crate::` paths resolve).

#[allow(dead_code)]
#[path = "main.rs"]
mod seamline_main;

// Every module of the `seamline` binary, at this crate's root, so that their `crate::`
// paths resolve here too (a glob, so that new modules need no change here).
#[allow(unused_imports)]
use seamline_main::*;

use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "seamline") {
        args.remove(1);
    }
    seamline_main::run(args)
}
