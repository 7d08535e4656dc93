//! The `seamline` tool as a library of its two binaries: parses the command line, runs a
//! command, and turns the outcome into an exit code.
//!
//! The only place of seamline that prints, writes files or chooses exit codes (see
//! STYLE.md). Exit codes: 0 success, 1 `check` found errors, 2 usage or input error or a
//! failure of seamline itself; a broken pipe on stdout exits 0, as ripgrep does.
//! `seamline` (`main.rs`) and `cargo-seamline` (`cargo_seamline.rs`) both call [`run`].

mod analyze;
mod args;
mod check;
mod config;
mod eval;
mod history;
mod init;
mod terminal;

use clap::Parser;
use std::process::ExitCode;
use terminal::Verbosity;

/// mimalloc: parsing and lowering allocate millions of small nodes on every thread, and
/// glibc's allocator made the whole run about a fifth slower (README, Performance). Built
/// without transparent huge pages (the `no_thp` feature): with them, `analyze` on cargo
/// peaked at 115-157 MB instead of 85-97 MB, for no measurable gain in speed.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What a run ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExitStatus {
    /// Everything went fine.
    Success,
    /// `check` found at least one error-level violation.
    Failure,
    /// Usage error, bad input, or seamline failed.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

/// Runs seamline on these arguments (the first is the program name): shared by the
/// `seamline` and `cargo-seamline` binaries.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    // clap prints help and version on stdout (exit 0) and usage errors on stderr (exit 2).
    let cli = args::Cli::parse_from(args);
    let verbosity = if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let res = match &cli.command {
        args::Command::Analyze(a) => analyze::run(a, verbosity),
        args::Command::Debug(args::DebugCommand::Facts(a)) => analyze::debug_facts(a, verbosity),
        args::Command::Debug(args::DebugCommand::Parse(a)) => analyze::debug_parse(a),
        args::Command::Debug(args::DebugCommand::Graph(a)) => analyze::debug_graph(a, verbosity),
        args::Command::Debug(args::DebugCommand::Contexts(a)) => {
            analyze::debug_contexts(a, verbosity)
        }
        args::Command::Debug(args::DebugCommand::Plan(a)) => analyze::debug_plan(a, verbosity),
        args::Command::Check(a) => check::run(a, verbosity),
        args::Command::Init(a) => init::run(a, verbosity),
        args::Command::Eval(a) => eval::run(a, verbosity),
    };
    let status = match res {
        Ok(()) => ExitStatus::Success,
        Err(err) if is_broken_pipe(&err) => ExitStatus::Success,
        Err(err) if err.is::<check::ViolationsFound>() => ExitStatus::Failure,
        Err(err) => {
            terminal::fatal(&format!("{err:#}"));
            ExitStatus::Error
        }
    };
    status.into()
}

/// Whether the error comes from writing into a closed pipe (`seamline ... | head`).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
