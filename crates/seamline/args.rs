//! Command-line arguments (clap derive): the whole CLI surface in one place.
//!
//! Commands share [`InputArgs`] (what to analyse and how), so that `analyze`, the hidden
//! `debug` commands and the later `check` read a codebase the same way.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;

/// Exit codes, shown after `--help` and documented in the README.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  Success. Problems found in the analysed code are reported, not fatal.
  1  `check` found at least one error-level violation.
  2  Usage error, unreadable or empty input, unwritable output, or seamline failed.";

/// The default of `--max-file-size`, as every command that reads a codebase spells it.
pub const MAX_FILE_SIZE_DEFAULT: &str = "10MB";

/// [`MAX_FILE_SIZE_DEFAULT`] in bytes.
#[cfg(test)]
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10_000_000;

/// Finds the seams along which a Rust monolith should be split into services.
#[derive(Debug, Parser)]
// `term_width = 0`: help is laid out as written, whatever the terminal and whether another
// crate of the workspace enables clap's `wrap_help` (divan does, for `cargo test --workspace`).
#[command(
    name = "seamline",
    version,
    after_help = EXIT_CODES,
    propagate_version = true,
    term_width = 0
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Print nothing but fatal errors: no summary, no progress, no diagnostics.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print every diagnostic (no cap) and the time each stage took.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse a crate or workspace and write the report files.
    #[command(after_help = EXIT_CODES)]
    Analyze(AnalyzeArgs),
    /// Check declared boundaries, cycles and coupling thresholds (for CI); see docs/check.md.
    #[command(after_help = EXIT_CODES)]
    Check(crate::check::CheckArgs),
    /// Write a commented seamline.toml that declares today's proposed contexts.
    #[command(after_help = EXIT_CODES)]
    Init(crate::init::InitArgs),
    /// Score the proposed contexts against a ground-truth labelling (ARI, NMI, MoJoFM),
    /// next to the folder and connected-components baselines.
    #[command(after_help = EXIT_CODES)]
    Eval(crate::eval::EvalArgs),
    /// Print a stage's internal data as text (for debugging and snapshot tests).
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

/// Hidden debugging commands.
#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Print the frontend's facts (`Facts::dump`) on stdout.
    Facts(InputArgs),
    /// Only read and parse every file, on the same thread pool, and print what it took:
    /// the floor that `analyze` is measured against.
    Parse(InputArgs),
    /// Print the dependency graph (`DepGraph::dump`) on stdout.
    Graph(StageArgs),
    /// Print the proposed contexts (`Proposal::dump`) on stdout.
    Contexts(StageArgs),
    /// Print the split plan (`Plan::dump`) on stdout.
    Plan(StageArgs),
}

/// What to analyse and how to cluster it: `debug graph|contexts|plan`.
#[derive(Debug, Args)]
pub struct StageArgs {
    /// Input options.
    #[command(flatten)]
    pub input: InputArgs,
    /// Clustering options.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// How to find the bounded contexts (`analyze` and the debug commands).
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Cluster modules, or owner items (models, functions; methods follow their type), so
    /// that a file holding several domains can be split between contexts.
    #[arg(long, value_enum, value_name = "LEVEL", default_value = "item")]
    pub granularity: GranularityArg,
    /// Ask for about N contexts [default: the objective chooses; or `contexts` in
    /// seamline.toml's `[clustering]`].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub contexts: Option<u64>,
    /// Merge contexts smaller than N owner items into their strongest neighbour [default:
    /// 5; or `min_context_size` in `[clustering]`].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub min_context_size: Option<u64>,
    /// The configuration file whose `[clustering]` section (pins, together, apart) applies
    /// [default: PATH/seamline.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `--granularity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GranularityArg {
    /// One node per module.
    Module,
    /// One node per owner item.
    Item,
}

/// What to analyse and how.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The crate, workspace or folder to analyse.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Also analyse test, bench and example targets, and `#[cfg(test)]` code (by default
    /// read, but left out of the model).
    #[arg(long)]
    pub include_tests: bool,
    /// Skip (and report) files larger than this: bytes, or with a unit (KB, MB, GB, KiB,
    /// MiB, GiB).
    #[arg(long, value_name = "SIZE", default_value = MAX_FILE_SIZE_DEFAULT, value_parser = parse_size)]
    pub max_file_size: u64,
}

impl InputArgs {
    /// The frontend's options for these arguments: the one place where a command's input
    /// flags become `seamline_frontend::Options`.
    pub fn frontend_options(
        &self,
        progress: Option<Arc<dyn Fn(seamline_frontend::Progress) + Send + Sync>>,
    ) -> seamline_frontend::Options {
        seamline_frontend::Options {
            root: self.path.clone(),
            include_tests: self.include_tests,
            max_file_size: self.max_file_size,
            threads: self.threads.unwrap_or(0),
            progress,
        }
    }
}

/// `seamline analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Input options.
    #[command(flatten)]
    pub input: InputArgs,
    /// Report formats to write, comma-separated [default: html,json].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub format: Option<Vec<Format>>,
    /// The folder to write reports into (created if missing).
    #[arg(long, value_name = "DIR", default_value = "seamline-report")]
    pub out: PathBuf,
    /// How seamline.json is laid out [default: pretty when its compact form is at most
    /// 1 MB, compact above].
    #[arg(long, value_enum, value_name = "STYLE")]
    pub json_style: Option<JsonStyleArg>,
    /// Clustering options.
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Change coupling, churn and ownership from git history.
    #[command(flatten)]
    pub history: crate::history::HistoryArgs,
}

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Format {
    /// `index.html`, the report an architect reads.
    Html,
    /// `seamline.json`, the machine-readable model (see docs/json-schema.md).
    Json,
    /// `plan.md`, a summary for a pull request (with a Mermaid context map).
    Md,
    /// `plan.dot`, the context graph for Graphviz.
    Dot,
}

/// `--json-style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JsonStyleArg {
    /// One line: smallest and fastest, for machines.
    Compact,
    /// Indented, one value per line: for people and diffs.
    Pretty,
}

impl Format {
    /// The formats written when `--format` is not given.
    pub const DEFAULT: [Format; 2] = [Format::Html, Format::Json];
}

fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

/// Parses a byte size: `1000`, `10MB`, `512KiB`, `1.5 GB` (units are case-insensitive;
/// KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let factor: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` (use B, KB, MB, GB, KiB, MiB or GiB)"
            ));
        }
    };
    let bad = || format!("`{s}` is not a size (examples: 1000, 10MB, 512KiB)");
    if number.is_empty() {
        return Err(bad());
    }
    if let Ok(n) = number.parse::<u64>() {
        return n
            .checked_mul(factor)
            .ok_or_else(|| format!("`{s}` is too large"));
    }
    let x: f64 = number.parse().map_err(|_| bad())?;
    let bytes = (x * factor as f64).round();
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(format!("`{s}` is too large"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_accept_decimal_and_binary_units() {
        assert_eq!(parse_size("1234"), Ok(1234));
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("10 mb"), Ok(10_000_000));
        assert_eq!(parse_size("512KiB"), Ok(512 * 1024));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1.5KB"), Ok(1500));
        assert_eq!(parse_size("0"), Ok(0));
        let cli = Cli::try_parse_from(["seamline", "analyze"]).unwrap();
        let Command::Analyze(a) = cli.command else {
            panic!("not analyze")
        };
        assert_eq!(a.input.max_file_size, DEFAULT_MAX_FILE_SIZE);
    }

    #[test]
    fn bad_sizes_are_rejected_with_a_reason() {
        assert!(parse_size("").is_err());
        assert!(parse_size("MB").is_err());
        assert!(parse_size("10XB").unwrap_err().contains("unknown unit"));
        assert!(parse_size("99999999999999999999GB").is_err());
        assert!(parse_size("-1").is_err());
    }

    #[test]
    fn format_lists_are_comma_separated() {
        let cli = Cli::try_parse_from(["seamline", "analyze", "x", "--format", "json,md"]).unwrap();
        let Command::Analyze(a) = cli.command else {
            panic!("not analyze")
        };
        assert_eq!(a.format, Some(vec![Format::Json, Format::Md]));
        assert!(Cli::try_parse_from(["seamline", "analyze", "--format", "pdf"]).is_err());
    }
}
