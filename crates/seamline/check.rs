//! `seamline check`: reads `seamline.toml`, analyses PATH, evaluates the rules of
//! `seamline_check` on the declared contexts (or on the proposed ones when none are
//! declared) and prints the violations in the chosen format.
//!
//! Wiring only: reading the config, the baseline and source lines for snippets, writing
//! the baseline, choosing colours and the exit code. Exit codes: 0 no error-level
//! violation, 1 at least one, 2 usage, config or input error (and whenever the analysis
//! is incomplete, unless `--allow-incomplete`).

use crate::args::InputArgs;
use crate::terminal::{self, Timings, Verbosity};
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use seamline_check::render::{self, Report};
use seamline_check::{Assignment, Rule, baseline};
use seamline_config::{Level, Settings};
use seamline_ir as ir;
use seamline_ir::format::plural;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// `seamline check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Input options.
    #[command(flatten)]
    pub input: InputArgs,
    /// The configuration file [default: PATH/seamline.toml; without one, the proposed
    /// contexts are checked for cycles].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Fail only on violations that are not in this baseline, and list its entries that
    /// are fixed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record today's violations in FILE (JSON) and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Turn a rule off (repeatable; `-A`, `-W` and `-D` apply in that order).
    #[arg(short = 'A', long = "allow", value_name = "RULE")]
    pub allow: Vec<String>,
    /// Make a rule's violations warnings.
    #[arg(short = 'W', long = "warn", value_name = "RULE")]
    pub warn: Vec<String>,
    /// Make a rule's violations errors.
    #[arg(short = 'D', long = "deny", value_name = "RULE")]
    pub deny: Vec<String>,
    /// When to colour the human output.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
    /// Check even if some files could not be analysed (parse or read errors), instead of
    /// exiting with 2.
    #[arg(long)]
    pub allow_incomplete: bool,
}

/// `--format` of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Compiler-style diagnostics with source snippets.
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// JUnit XML, for CI test reports.
    Junit,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Returned (as an error) when `check` found error-level violations; `main` turns it into
/// exit code 1 without printing anything more.
#[derive(Debug)]
pub struct ViolationsFound;

impl std::fmt::Display for ViolationsFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("check found error-level violations")
    }
}

impl std::error::Error for ViolationsFound {}

/// Parses `-A/-W/-D` into per-rule levels; an unknown rule is a usage error with a hint.
pub fn overrides(args: &CheckArgs) -> anyhow::Result<BTreeMap<Rule, Level>> {
    let mut out = BTreeMap::new();
    for (list, level, flag) in [
        (&args.allow, Level::Off, "-A"),
        (&args.warn, Level::Warning, "-W"),
        (&args.deny, Level::Error, "-D"),
    ] {
        for id in list {
            let Some(rule) = Rule::from_id(id) else {
                let ids = Rule::ALL.iter().map(|r| r.as_str());
                let hint = match seamline_config::did_you_mean(id, ids) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "rules: {}",
                        Rule::ALL
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                bail!("{flag} {id}: no rule has this name ({hint})");
            };
            out.insert(rule, level);
        }
    }
    Ok(out)
}

/// Runs the frontend (no progress bar: `check` is meant for CI logs).
pub fn analyse(input: &InputArgs) -> anyhow::Result<ir::Facts> {
    seamline_frontend::analyze(&input.frontend_options(None)).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Fails (exit 2) when the analysis is incomplete: a file that could not be read or
/// parsed may hide a dependency, so a pass would not mean anything.
pub fn require_complete(
    facts: &ir::Facts,
    allow_incomplete: bool,
    verbosity: Verbosity,
) -> anyhow::Result<()> {
    let errors: Vec<ir::Diagnostic> = facts
        .diagnostics
        .iter()
        .filter(|d| d.severity == ir::Severity::Error)
        .cloned()
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    if verbosity != Verbosity::Quiet {
        let text = terminal::render_diagnostics(&errors, &facts.root, verbosity);
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
    if allow_incomplete {
        return Ok(());
    }
    bail!(
        "the analysis is incomplete: {} (see above); fix them or pass --allow-incomplete",
        if errors.len() == 1 {
            "1 file could not be analysed".to_owned()
        } else {
            format!("{} problems prevent a complete analysis", errors.len())
        }
    )
}

/// Prints the clustering stage's sentences about `[clustering]` constraints that matched
/// nothing or could not hold, as warnings about the config file.
pub fn constraint_notes(proposal: &seamline_check::Proposal, settings: &Settings) {
    for note in &proposal.constraint_notes {
        let label = console::style("warning").yellow().bold().for_stderr();
        terminal::line(&format!("{label}: {} ({note})", settings.path));
    }
}

/// The proposal, with the clustering options of `[clustering]`.
pub fn propose(facts: &ir::Facts, settings: &Settings) -> seamline_check::Proposal {
    seamline_check::propose(facts, &settings.cluster)
}

/// Runs `check`.
pub fn run(args: &CheckArgs, verbosity: Verbosity) -> anyhow::Result<()> {
    let overrides = overrides(args)?;
    let settings = crate::config::load(&args.input, args.config.as_deref())?;
    let base =
        match &args.baseline {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the baseline {}", path.display()))?;
                Some(baseline::parse(&text).map_err(|e| {
                    anyhow::anyhow!("{} is not a valid baseline: {e}", path.display())
                })?)
            }
            None => None,
        };
    let mut timings = Timings::default();
    let facts = timings.time("frontend", || analyse(&args.input))?;
    require_complete(&facts, args.allow_incomplete, verbosity)?;
    if facts.modules.is_empty() {
        bail!("no Rust module found in {}", args.input.path.display());
    }

    let (assignment, contexts) =
        timings.time("contexts", || contexts(&facts, &settings, verbosity));
    let root = args.input.path.to_string_lossy().into_owned();
    let options = seamline_check::CheckOptions {
        overrides: &overrides,
        root: &root,
    };
    let violations = timings.time("rules", || {
        seamline_check::check(&facts, &assignment, &settings.check, &options)
    });
    let res = report(args, verbosity, violations, base.as_ref(), &contexts);
    if verbosity == Verbosity::Verbose {
        terminal::line(timings.render().trim_end());
    }
    res
}

/// The assignment to check and the sentence saying where its contexts come from.
fn contexts(facts: &ir::Facts, settings: &Settings, verbosity: Verbosity) -> (Assignment, String) {
    if settings.check.declares_contexts() {
        let a = Assignment::declared(facts, &settings.check);
        let text = format!(
            "{} declared in {}",
            plural(a.names.len(), "context", "contexts"),
            settings.path
        );
        (a, text)
    } else {
        let proposal = propose(facts, settings);
        if verbosity != Verbosity::Quiet {
            constraint_notes(&proposal, settings);
        }
        let a = Assignment::from_proposal(&proposal);
        let text = format!(
            "no contexts declared in {}: checked the {} seamline proposes; run `seamline init` to declare them",
            settings.path,
            plural(a.names.len(), "context", "contexts")
        );
        (a, text)
    }
}

/// Writes the baseline, or applies it and prints the report; the error is
/// [`ViolationsFound`] when the run fails.
fn report(
    args: &CheckArgs,
    verbosity: Verbosity,
    violations: Vec<seamline_check::Violation>,
    base: Option<&baseline::Baseline>,
    contexts: &str,
) -> anyhow::Result<()> {
    if let Some(path) = &args.write_baseline {
        let text = baseline::write(&violations);
        std::fs::write(path, text)
            .with_context(|| format!("cannot write the baseline {}", path.display()))?;
        if verbosity != Verbosity::Quiet {
            let n = violations
                .iter()
                .filter(|v| v.severity != ir::Severity::Note)
                .count();
            terminal::line(&format!(
                "Wrote {} to {} ({contexts})",
                plural(n, "violation", "violations"),
                path.display()
            ));
        }
        return Ok(());
    }

    let (shown, baselined, fixed) = match base {
        Some(b) => {
            let r = baseline::apply(violations, b);
            (r.new, r.baselined, r.fixed)
        }
        None => (violations, 0, Vec::new()),
    };
    let report = Report {
        violations: &shown,
        fixed: &fixed,
        baselined,
        contexts,
        version: env!("CARGO_PKG_VERSION"),
    };
    let text = match args.format {
        CheckFormat::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            let reader = SnippetReader::default();
            render::human(&report, &|file, line| reader.line(file, line), color)
        }
        CheckFormat::Json => render::json(&report),
        CheckFormat::Sarif => render::sarif(&report),
        CheckFormat::Github => render::github(&report),
        CheckFormat::Junit => render::junit(&report),
    };
    if !(verbosity == Verbosity::Quiet && args.format == CheckFormat::Human) {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .context("cannot write to stdout")?;
    }
    if report.failed() {
        return Err(ViolationsFound.into());
    }
    Ok(())
}

/// Reads source lines for snippets, each file once.
#[derive(Default)]
struct SnippetReader {
    files: RefCell<BTreeMap<String, Option<Vec<String>>>>,
}

impl SnippetReader {
    fn line(&self, file: &str, line: u32) -> Option<String> {
        let mut files = self.files.borrow_mut();
        let lines = files.entry(file.to_owned()).or_insert_with(|| {
            std::fs::read_to_string(file)
                .ok()
                .map(|t| t.lines().map(str::to_owned).collect())
        });
        lines
            .as_ref()?
            .get((line as usize).checked_sub(1)?)
            .cloned()
    }
}
