//! `seamline eval --truth FILE [PATH]`: scores the proposed contexts of PATH against a
//! ground-truth labelling, next to the two naive baselines (top-level folder = context;
//! connected components), with ARI, NMI and MoJoFM over owner items and over file-backed
//! modules, and the shared kernel scored separately (precision and recall).
//!
//! Wiring only: the truth file is parsed here (serde_json); the scores are
//! `seamline_cluster::contexts::{evaluate, folder_baseline, components_baseline}`, and the
//! JSON output is `seamline_report::eval_json`.
//! The truth file has the shape of `fixtures/shop/expected.json`:
//! `{"labels": {"src/x.rs": "billing", ...}, "items": {"src/models/mixed.rs": {"Invoice":
//! "billing"}}}`, paths relative to PATH; labels `kernel`, `shared` or `shared-kernel` mark
//! the shared kernel. Exit codes: 0, or 2 on usage and input errors.

use crate::terminal::{self, Verbosity};
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use seamline_cluster::contexts::{self, ContextOptions, EvalReport, Proposal, Truth};
use seamline_graph::Granularity;
use seamline_ir as ir;
use seamline_report::eval_json;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// `seamline eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The ground-truth labelling (JSON: `{"labels": {FILE: LABEL}, "items": {FILE: {ITEM:
    /// LABEL}}}`, paths relative to PATH).
    #[arg(long, value_name = "FILE")]
    pub truth: PathBuf,
    /// The crate, workspace or folder to analyse [default: the truth file's folder].
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Cluster modules or owner items.
    #[arg(long, value_enum, default_value = "item")]
    pub granularity: GranularityArg,
    /// Ask for about N contexts (default: the objective chooses).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub contexts: Option<u64>,
    /// Worker threads [default: one per core]. The result does not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub threads: Option<u64>,
    /// Also analyse test, bench and example targets, and `#[cfg(test)]` code (by default
    /// read, but left out of the model).
    #[arg(long)]
    pub include_tests: bool,
    /// Skip (and report) files larger than this: bytes, or with a unit (KB, MB, GB, KiB,
    /// MiB, GiB).
    #[arg(long, value_name = "SIZE", default_value = crate::args::MAX_FILE_SIZE_DEFAULT, value_parser = crate::args::parse_size)]
    pub max_file_size: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: EvalFormat,
    /// Change coupling from git history.
    #[command(flatten)]
    pub history: crate::history::HistoryArgs,
}

/// `--granularity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GranularityArg {
    /// One node per module.
    Module,
    /// One node per owner item (models, functions, ...; methods follow their type).
    Item,
}

impl GranularityArg {
    fn graph(self) -> Granularity {
        match self {
            GranularityArg::Module => Granularity::Module,
            GranularityArg::Item => Granularity::Item,
        }
    }
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// A table for people.
    Text,
    /// One JSON object (keys sorted), for scripts.
    Json,
}

/// The truth file as written on disk.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TruthFile {
    labels: BTreeMap<String, String>,
    #[serde(default)]
    items: BTreeMap<String, BTreeMap<String, String>>,
}

/// Reads and checks a truth file; every problem is one line naming the file.
pub fn read_truth(path: &Path) -> anyhow::Result<Truth> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the truth file {}", path.display()))?;
    parse_truth(&text).with_context(|| format!("bad truth file {}", path.display()))
}

/// Parses the text of a truth file.
fn parse_truth(text: &str) -> anyhow::Result<Truth> {
    let file: TruthFile = serde_json::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
    if file.labels.is_empty() && file.items.is_empty() {
        bail!("it labels no file (expected {{\"labels\": {{\"src/x.rs\": \"billing\"}}}})");
    }
    let normalise = |p: String| p.trim_start_matches("./").replace('\\', "/");
    Ok(Truth {
        labels: file
            .labels
            .into_iter()
            .map(|(k, v)| (normalise(k), v))
            .collect(),
        items: file
            .items
            .into_iter()
            .map(|(k, v)| (normalise(k), v))
            .collect(),
    })
}

/// One scored partition: the proposal or a baseline.
struct Scored {
    name: &'static str,
    contexts: usize,
    report: EvalReport,
}

/// Runs `eval`.
pub fn run(args: &EvalArgs, verbosity: Verbosity) -> anyhow::Result<()> {
    let truth = read_truth(&args.truth)?;
    let root = match &args.path {
        Some(p) => p.clone(),
        None => match args.truth.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    let threads = args.threads.unwrap_or(0) as usize;
    let input = crate::args::InputArgs {
        path: root.clone(),
        threads: Some(threads),
        include_tests: args.include_tests,
        max_file_size: args.max_file_size,
    };
    let facts = seamline_frontend::analyze(&input.frontend_options(None))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if facts.modules.is_empty() {
        bail!("no Rust module found in {}", root.display());
    }
    let errors = facts
        .diagnostics
        .iter()
        .filter(|d| d.severity == ir::Severity::Error)
        .count();
    if errors > 0 {
        terminal::note(
            verbosity,
            &format!("{errors} file(s) could not be analysed; the scores leave them out"),
        );
    }
    let analysed: BTreeSet<&str> = facts.files.iter().map(|f| f.path.as_str()).collect();
    let missing: Vec<&String> = truth
        .labels
        .keys()
        .chain(truth.items.keys())
        .filter(|p| !analysed.contains(p.as_str()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !missing.is_empty() {
        terminal::note(
            verbosity,
            &format!(
                "the truth names {} file(s) that were not analysed, e.g. {}",
                missing.len(),
                missing[0]
            ),
        );
    }

    let mut options = ContextOptions::standard(args.granularity.graph());
    options.target_contexts = args.contexts.map(|n| n as usize);
    let mut history_pairs = None;
    if args.history.history {
        let history = crate::history::read(&root, &args.history, threads);
        for d in &history.diagnostics {
            terminal::note(verbosity, &format!("history: {}", d.message));
        }
        options.graph.co_change =
            seamline_history::onto::module_co_change(&facts, &history, args.history.min_revisions);
        if let Some(w) = args.history.history_weight {
            options.graph.history_weight = w;
        }
        history_pairs = Some((history.commits.len(), options.graph.co_change.len()));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the worker threads")?;
    let (proposal, folder, components) = pool.install(|| {
        (
            contexts::propose(&facts, &options),
            contexts::folder_baseline(&facts),
            contexts::components_baseline(&facts),
        )
    });
    let score = |name: &'static str, p: &Proposal| Scored {
        name,
        contexts: p.contexts.len(),
        report: contexts::evaluate(&facts, p, &truth),
    };
    let scored = [
        score("proposal", &proposal),
        score("folder baseline", &folder),
        score("components baseline", &components),
    ];
    let true_contexts: BTreeSet<&str> = truth
        .labels
        .values()
        .chain(truth.items.values().flat_map(|m| m.values()))
        .map(String::as_str)
        .filter(|l| !Truth::is_kernel(l))
        .collect();
    let text = match args.format {
        EvalFormat::Text => render_text(
            &scored,
            args.granularity.graph(),
            true_contexts.len(),
            missing.len(),
            history_pairs,
        ),
        EvalFormat::Json => {
            let scored: Vec<eval_json::Scored<'_>> = scored
                .iter()
                .map(|s| eval_json::Scored {
                    name: s.name,
                    contexts: s.contexts,
                    report: &s.report,
                })
                .collect();
            let run = eval_json::EvalRun {
                granularity: args.granularity.graph().as_str(),
                truth_contexts: true_contexts.len(),
                missing_files: missing.len(),
                history: history_pairs,
            };
            eval_json::render(&scored, &run)
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn render_text(
    scored: &[Scored],
    granularity: Granularity,
    true_contexts: usize,
    missing: usize,
    history: Option<(usize, usize)>,
) -> String {
    let first = &scored[0].report;
    let mut out = format!(
        "Ground truth: {true_contexts} contexts; {} owner items and {} modules scored, \
         {} kernel items; {} unlabelled items; {missing} labelled files not analysed\n\
         Proposal at {} granularity.\n\n",
        first.items.n,
        first.modules.n,
        first.kernel_items.truth,
        first.unlabelled_items,
        granularity.as_str(),
    );
    if let Some((commits, pairs)) = history {
        out.insert_str(
            out.len() - 1,
            &format!("History: {commits} commits, {pairs} co-changing module pairs.\n"),
        );
    }
    out += format!(
        "{:<30}  {:<34}  {:<20}  {:<9} {}",
        "", "  items", "  modules", "   kernel", "   kernel"
    )
    .trim_end();
    out.push('\n');
    out += &format!(
        "{:<20} {:>8}  {:>6} {:>6} {:>6} {:>6} {:>6}  {:>6} {:>6} {:>6}  {:>9} {:>9}\n",
        "",
        "contexts",
        "NMI",
        "ARI",
        "MoJoFM",
        "purity",
        "inv.p",
        "NMI",
        "ARI",
        "MoJoFM",
        "items P/R",
        "mods P/R"
    );
    for s in scored {
        let r = &s.report;
        out += &format!(
            "{:<20} {:>8}  {:>6.3} {:>6.3} {:>6.1} {:>6.3} {:>6.3}  {:>6.3} {:>6.3} {:>6.1}  {:>4.2}/{:<4.2} {:>4.2}/{:<4.2}\n",
            s.name,
            s.contexts,
            r.items.nmi,
            r.items.ari,
            r.items.mojofm,
            r.items.purity,
            r.items.inverse_purity,
            r.modules.nmi,
            r.modules.ari,
            r.modules.mojofm,
            r.kernel_items.precision,
            r.kernel_items.recall,
            r.kernel_modules.precision,
            r.kernel_modules.recall,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_files_parse_with_items_optional() {
        let t =
            parse_truth(r#"{"labels": {"./src/a.rs": "billing", "src/b.rs": "kernel"}}"#).unwrap();
        assert_eq!(
            t.labels.get("src/a.rs").map(String::as_str),
            Some("billing")
        );
        assert!(t.items.is_empty());
        let t = parse_truth(
            r#"{"labels": {"src/a.rs": "x"}, "items": {"src/m.rs": {"Invoice": "billing"}}}"#,
        )
        .unwrap();
        assert_eq!(t.item_label("src/m.rs", "Invoice"), Some("billing"));
    }

    #[test]
    fn bad_truth_files_are_rejected_with_a_reason() {
        assert!(parse_truth("not json").is_err());
        assert!(
            parse_truth(r#"{"labels": {}}"#)
                .unwrap_err()
                .to_string()
                .contains("labels no file")
        );
        assert!(parse_truth(r#"{"labels": {"a.rs": 3}}"#).is_err());
        assert!(parse_truth(r#"{"label": {"a.rs": "x"}}"#).is_err());
    }
}
