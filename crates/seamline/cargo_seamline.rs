//! `cargo-seamline`: lets `cargo seamline check` work as a cargo subcommand.
//!
//! Cargo runs `cargo-seamline seamline check ...`; this drops the `seamline` argument and
//! runs exactly the code of the `seamline` binary (the library both binaries call).

use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "seamline") {
        args.remove(1);
    }
    seamline::run(args)
}
