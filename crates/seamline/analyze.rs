//! `seamline analyze` (and the hidden `seamline debug facts|parse|graph|contexts|plan`): runs
//! the pipeline on PATH (frontend -> contexts -> plan) and writes the reports into `--out`.
//!
//! Wiring only: every stage is a pure function in its own crate; this file turns flags and
//! `seamline.toml`'s `[clustering]` and `[plan]` into options, times the stages, writes the
//! files and prints the summary.

use crate::args::{AnalyzeArgs, ClusterArgs, Format, GranularityArg, InputArgs, StageArgs};
use crate::terminal::{self, Progress, Timings, Verbosity};
use anyhow::Context;
use seamline_cluster::contexts::{self, ContextOptions, Proposal};
use seamline_graph::Granularity;
use seamline_ir as ir;
use seamline_plan::{Plan, PlanOptions, Thresholds};
use std::io::Write;
use std::path::{Component, Path};
use std::sync::Arc;
use std::time::Instant;

/// The file name of the JSON report inside `--out`.
pub const JSON_FILE: &str = "seamline.json";
/// The file name of the HTML report inside `--out`.
pub const HTML_FILE: &str = "index.html";
/// The file name of the Markdown summary inside `--out`.
pub const MD_FILE: &str = "plan.md";
/// The file name of the Graphviz context graph inside `--out`.
pub const DOT_FILE: &str = "plan.dot";

/// Runs `analyze`.
pub fn run(args: &AnalyzeArgs, verbosity: Verbosity) -> anyhow::Result<()> {
    let formats = resolve_formats(args.format.as_deref());
    let started = Instant::now();
    let mut timings = Timings::default();
    let (mut options, thresholds) = context_options(&args.input, &args.cluster, verbosity)?;
    let mut facts = analyse(&args.input, verbosity, &mut timings)?;
    let history = if args.history.history {
        let history = timings.time("history", || {
            crate::history::read(
                &history_root(&args.input.path),
                &args.history,
                args.input.threads.unwrap_or(0),
            )
        });
        for d in &history.diagnostics {
            terminal::note(verbosity, &format!("history: {}", d.message));
        }
        options.graph.co_change =
            seamline_history::onto::module_co_change(&facts, &history, args.history.min_revisions);
        // `--history-weight` wins over `[clustering.weights] history`.
        if let Some(w) = args.history.history_weight {
            options.graph.history_weight = w;
        }
        Some(history)
    } else {
        None
    };
    let pool = thread_pool(&args.input)?;
    let json_path = formats
        .contains(&Format::Json)
        .then(|| args.out.join(JSON_FILE));
    // The JSON's sections of the facts alone are built while the contexts are found: the
    // clustering leaves a thread idle now and then.
    let (proposal, json_facts) = std::thread::scope(|scope| {
        let built = json_path
            .is_some()
            .then(|| scope.spawn(|| seamline_report::json::build(&facts, &tool())));
        let proposal = timings.time("contexts", || {
            pool.install(|| contexts::propose(&facts, &options))
        });
        let built = built.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        (proposal, built)
    });
    if verbosity != Verbosity::Quiet {
        for note in &proposal.constraint_notes {
            terminal::note(verbosity, &format!("[clustering]: {note}"));
        }
    }
    let signals = history.as_ref().map(|h| {
        seamline_history::onto::plan_signals(&facts, &proposal, h, args.history.min_revisions)
    });
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create output folder {}", args.out.display()))?;
    let style = json_style(args.json_style);
    // The plan runs on one thread: meanwhile another writes the JSON's head, everything the
    // proposal decides (most of a large workspace's document).
    let (plan, mut json) = std::thread::scope(|scope| {
        let head = json_path
            .as_deref()
            .zip(json_facts)
            .map(|(path, built)| scope.spawn(|| begin_json(path, built, &facts, &proposal, style)));
        let plan = timings.time("plan", || {
            seamline_plan::plan_with_history(
                &facts,
                &proposal,
                &PlanOptions { thresholds },
                signals.as_ref(),
            )
        });
        // What the head took beyond the plan.
        let json = timings.time("json-head", || {
            head.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        });
        (plan, json)
    });
    // `None`: written already. The JSON is written as it is serialised, so its stage
    // includes its file and its text is never held in memory whole.
    let mut outputs: Vec<(&str, Option<String>)> = Vec::new();
    for format in formats {
        outputs.push(match format {
            Format::Json => {
                if let (Some(path), Some(json)) = (&json_path, json.take()) {
                    timings.time("json", || {
                        finish_json(json?, path, &facts, &proposal, &plan, style)
                    })?;
                }
                (JSON_FILE, None)
            }
            Format::Html => (
                HTML_FILE,
                Some(timings.time("html", || {
                    with_display_root(&mut facts, |facts| {
                        seamline_report::html::render(facts, &plan)
                    })
                })),
            ),
            Format::Md => (
                MD_FILE,
                Some(timings.time("md", || {
                    seamline_report::md::render(&display_root(&facts.root), &plan)
                })),
            ),
            Format::Dot => (
                DOT_FILE,
                Some(timings.time("dot", || seamline_report::dot::render(&plan))),
            ),
        });
    }
    let written = timings.time("write", || -> anyhow::Result<Vec<std::path::PathBuf>> {
        let mut written = Vec::new();
        for (file, text) in &outputs {
            let path = args.out.join(file);
            if let Some(text) = text {
                write_atomically(&path, text.as_bytes())?;
            }
            written.push(path);
        }
        Ok(written)
    })?;
    let elapsed = started.elapsed();

    if verbosity != Verbosity::Quiet {
        let base = display_base(&args.input.path, &facts.root);
        let mut text = terminal::render_diagnostics(&facts.diagnostics, &base, verbosity);
        let n_deps = facts.module_deps().len();
        text.push_str(&terminal::render_summary(&facts, n_deps, elapsed));
        text.push_str(&summary(&proposal, &plan));
        for path in &written {
            let label = console::style("Wrote").green().bold().for_stderr();
            text.push_str(&format!("{label} {}\n", path.display()));
        }
        if verbosity == Verbosity::Verbose {
            text.push_str(&timings.render());
        }
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
    }
    // The command ends here and the process with it: freeing the model, the proposal and
    // the plan piece by piece would only delay the exit.
    std::mem::forget((facts, proposal, plan));
    Ok(())
}

/// `seamline.json` being written, through a temporary file renamed at the end like every
/// report: the file, and whether its head is written already.
struct JsonFile {
    tmp: std::path::PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    head: bool,
}

fn json_style(
    style: Option<crate::args::JsonStyleArg>,
) -> Option<seamline_report::json::JsonStyle> {
    style.map(|s| match s {
        crate::args::JsonStyleArg::Compact => seamline_report::json::JsonStyle::Compact,
        crate::args::JsonStyleArg::Pretty => seamline_report::json::JsonStyle::Pretty,
    })
}

fn tool() -> seamline_report::ToolInfo {
    seamline_report::ToolInfo {
        name: env!("CARGO_PKG_NAME").to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

/// Creates the temporary file of `path` and writes the document's head into it, from the
/// facts' sections `built` beforehand, when the document is compact
/// ([`seamline_report::json::write_head_from`]).
fn begin_json<'a>(
    path: &Path,
    built: seamline_report::json::Report<'a>,
    facts: &'a ir::Facts,
    proposal: &'a Proposal,
    style: Option<seamline_report::json::JsonStyle>,
) -> anyhow::Result<JsonFile> {
    let tmp = path.with_extension("tmp");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    let head = seamline_report::json::write_head_from(built, facts, proposal, style, &mut out)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    Ok(JsonFile { tmp, out, head })
}

/// Writes the rest of the document (or all of it, if its head is not written) and renames
/// the file into place.
fn finish_json(
    json: JsonFile,
    path: &Path,
    facts: &ir::Facts,
    proposal: &Proposal,
    plan: &Plan,
    style: Option<seamline_report::json::JsonStyle>,
) -> anyhow::Result<()> {
    let JsonFile { tmp, mut out, head } = json;
    let written = if head {
        seamline_report::json::write_tail(plan, &mut out)
    } else {
        seamline_report::json::write_document(facts, proposal, plan, &tool(), style, &mut out)
    };
    written
        .and_then(|()| {
            out.into_inner()
                .map_err(std::io::IntoInnerError::into_error)
                .map(drop)
        })
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The plan without history (the debug commands).
fn plan(facts: &ir::Facts, proposal: &Proposal, thresholds: Thresholds) -> Plan {
    seamline_plan::plan(facts, proposal, &PlanOptions { thresholds })
}

/// Where to read the history from: PATH, or the folder of a single-file PATH.
fn history_root(path: &Path) -> std::path::PathBuf {
    if path.is_file() {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| ".".into())
    } else {
        path.to_path_buf()
    }
}

/// The summary lines after the facts' table: the contexts and the verdict.
fn summary(proposal: &Proposal, plan: &Plan) -> String {
    let n = proposal.contexts.len();
    let kernel = proposal.kernel_modules.len();
    let mut out = format!(
        "  {:<13}{:>9}  ({} kernel {}, {} {} between contexts)\n",
        "contexts",
        ir::format::thousands(n as u64),
        kernel,
        if kernel == 1 { "module" } else { "modules" },
        plan.cycles.len(),
        if plan.cycles.len() == 1 {
            "cycle"
        } else {
            "cycles"
        },
    );
    let head = console::style("Verdict:").bold().for_stderr();
    let mut verdict = format!("{head} {}.", plan.verdict.title());
    if let Some(reason) = plan.reasons.iter().find(|r| r.decisive) {
        verdict.push_str(&format!(" {}", reason.text));
    }
    if plan.verdict != seamline_plan::Verdict::KeepMonolith
        && let Some(first) = plan.extraction.first()
    {
        verdict.push_str(&format!(
            " First to extract: `{}`.",
            plan.context_name(first.context)
        ));
    }
    out.push_str(&verdict);
    out.push('\n');
    out
}

/// The clustering options: `--granularity`, then `[clustering]` of seamline.toml (target,
/// minimum size, pins, together, apart, weights), then `--contexts` and
/// `--min-context-size`, which win over the file; and the verdict's thresholds (`[plan]`).
fn context_options(
    input: &InputArgs,
    cluster: &ClusterArgs,
    verbosity: Verbosity,
) -> anyhow::Result<(ContextOptions, Thresholds)> {
    let granularity = match cluster.granularity {
        GranularityArg::Module => Granularity::Module,
        GranularityArg::Item => Granularity::Item,
    };
    let mut options = ContextOptions::standard(granularity);
    let settings = crate::config::load(input, cluster.config.as_deref())?;
    settings.cluster.apply(&mut options);
    if verbosity == Verbosity::Verbose && settings.from_file {
        terminal::note(
            verbosity,
            &format!("clustering constraints from {}", settings.path),
        );
    }
    if let Some(n) = cluster.contexts {
        options.target_contexts = Some(usize::try_from(n).unwrap_or(usize::MAX));
    }
    if let Some(n) = cluster.min_context_size {
        options.min_context_size = usize::try_from(n).unwrap_or(usize::MAX);
    }
    Ok((options, settings.plan))
}

/// The worker pool of the clustering ensemble: `--threads`, or one per core.
fn thread_pool(input: &InputArgs) -> anyhow::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(input.threads.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")
}

/// The root as reports for people show it: as the user gave it when relative (the reports
/// in `reports/` are generated from `fixtures/NAME`), only the folder's name when absolute,
/// so that a shared report never carries the path of someone's home folder, and the current
/// folder's name for `.` or `..`, which would say nothing.
fn display_root(root: &str) -> String {
    let path = Path::new(root);
    let only_dots = path
        .components()
        .all(|c| matches!(c, Component::CurDir | Component::ParentDir));
    if !path.is_absolute() && !only_dots {
        return root.to_owned();
    }
    let full = if only_dots {
        std::fs::canonicalize(if root.is_empty() { "." } else { root }).ok()
    } else {
        Some(path.to_path_buf())
    };
    full.as_deref()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| root.to_owned())
}

/// Runs `f` with `facts.root` set to [`display_root`], then puts the root back.
fn with_display_root<T>(facts: &mut ir::Facts, f: impl FnOnce(&ir::Facts) -> T) -> T {
    let shown = display_root(&facts.root);
    let root = std::mem::replace(&mut facts.root, shown);
    let res = f(facts);
    facts.root = root;
    res
}

/// Runs `debug facts`: the facts dump on stdout.
pub fn debug_facts(args: &InputArgs, verbosity: Verbosity) -> anyhow::Result<()> {
    let mut timings = Timings::default();
    let facts = analyse(args, verbosity, &mut timings)?;
    /// `fmt::Write` over an `io::Write`, keeping the io error.
    struct Adapter<W: Write> {
        inner: W,
        error: Option<std::io::Error>,
    }
    impl<W: Write> std::fmt::Write for Adapter<W> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.inner.write_all(s.as_bytes()).map_err(|err| {
                self.error = Some(err);
                std::fmt::Error
            })
        }
    }
    let mut out = Adapter {
        inner: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
        error: None,
    };
    // Written as it is rendered: no copy of the whole text in memory.
    let written = facts.write_dump(&mut out);
    let result = match (written, out.error.take()) {
        (_, Some(err)) => Err(err),
        (Err(_), None) => Err(std::io::Error::other("formatting failed")),
        (Ok(()), None) => out.inner.flush(),
    };
    result.context("cannot write to stdout")?;
    if verbosity == Verbosity::Verbose {
        terminal::line(timings.render().trim_end());
    }
    // The process ends with the command: no point freeing the model piece by piece.
    std::mem::forget(facts);
    Ok(())
}

/// Runs `debug parse`: read and parse only, then one line of figures on stdout.
pub fn debug_parse(args: &InputArgs) -> anyhow::Result<()> {
    let options = args.frontend_options(None);
    let start = Instant::now();
    let stats = seamline_frontend::parse_only(&options).map_err(|e| anyhow::anyhow!("{e}"))?;
    let elapsed = start.elapsed();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "parsed {} of {} files, {} lines, {} bytes in {}",
        stats.parsed,
        stats.files,
        stats.lines,
        stats.bytes,
        terminal::seconds(elapsed)
    )
    .and_then(|()| out.flush())
    .context("cannot write to stdout")?;
    Ok(())
}

/// Runs `debug graph`: the dependency graph's dump on stdout.
pub fn debug_graph(args: &StageArgs, verbosity: Verbosity) -> anyhow::Result<()> {
    let (options, _) = context_options(&args.input, &args.cluster, verbosity)?;
    let mut timings = Timings::default();
    let facts = analyse(&args.input, verbosity, &mut timings)?;
    let graph = timings.time("graph", || {
        seamline_graph::DepGraph::build(&facts, &options.graph)
    });
    print_dump(&graph.dump(), &timings, verbosity)
}

/// Runs `debug contexts`: the proposal's dump on stdout.
pub fn debug_contexts(args: &StageArgs, verbosity: Verbosity) -> anyhow::Result<()> {
    let (facts, proposal, timings, _) = propose_for_debug(args, verbosity)?;
    print_dump(&proposal.dump(&facts), &timings, verbosity)
}

/// Runs `debug plan`: the plan's dump on stdout.
pub fn debug_plan(args: &StageArgs, verbosity: Verbosity) -> anyhow::Result<()> {
    let (facts, proposal, mut timings, thresholds) = propose_for_debug(args, verbosity)?;
    let plan = timings.time("plan", || plan(&facts, &proposal, thresholds));
    print_dump(&plan.dump(), &timings, verbosity)
}

fn propose_for_debug(
    args: &StageArgs,
    verbosity: Verbosity,
) -> anyhow::Result<(ir::Facts, Proposal, Timings, Thresholds)> {
    let (options, thresholds) = context_options(&args.input, &args.cluster, verbosity)?;
    let mut timings = Timings::default();
    let facts = analyse(&args.input, verbosity, &mut timings)?;
    let pool = thread_pool(&args.input)?;
    let proposal = timings.time("contexts", || {
        pool.install(|| contexts::propose(&facts, &options))
    });
    Ok((facts, proposal, timings, thresholds))
}

fn print_dump(text: &str, timings: &Timings, verbosity: Verbosity) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    if verbosity == Verbosity::Verbose {
        terminal::line(timings.render().trim_end());
    }
    Ok(())
}

/// The formats to write, sorted and without duplicates: `--format`, or html and json.
fn resolve_formats(requested: Option<&[Format]>) -> Vec<Format> {
    let mut formats: Vec<Format> = match requested {
        Some(list) => list.to_vec(),
        None => Format::DEFAULT.to_vec(),
    };
    formats.sort();
    formats.dedup();
    formats
}

/// Runs the frontend with a progress bar, timed as the `frontend` stage.
fn analyse(
    args: &InputArgs,
    verbosity: Verbosity,
    timings: &mut Timings,
) -> anyhow::Result<ir::Facts> {
    let progress = Progress::new(verbosity);
    let callback: Option<Arc<dyn Fn(seamline_frontend::Progress) + Send + Sync>> =
        progress.clone().map(|bar| {
            Arc::new(move |p: seamline_frontend::Progress| bar.update(p.files_done, p.files_total))
                as Arc<dyn Fn(seamline_frontend::Progress) + Send + Sync>
        });
    let options = args.frontend_options(callback);
    let res = timings.time("frontend", || seamline_frontend::analyze(&options));
    if let Some(bar) = &progress {
        bar.finish();
    }
    // The frontend's error already names the path and the OS reason: keep it one line.
    res.map_err(|e| anyhow::anyhow!("{e}"))
}

/// What file paths of diagnostics are relative to, as the user spelled it: the root, or
/// the folder of a single-file root (whose files are named relative to that folder).
fn display_base(path: &Path, root: &str) -> String {
    if path.is_file() {
        match Path::new(root).parent() {
            Some(parent) => parent.display().to_string(),
            None => ".".to_owned(),
        }
    } else {
        root.to_owned()
    }
}

/// Writes through a temporary file and a rename, so that a reader never sees half a report.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
