//! `seamline analyze` (and `seamline debug facts`): runs the frontend on PATH and writes the
//! reports into `--out`.
//!
//! Wiring only: every stage is a pure function in its own crate; this file turns flags into
//! options, times the stages, writes the files and prints the summary.

use crate::args::{AnalyzeArgs, Format, InputArgs};
use crate::terminal::{self, Progress, Timings, Verbosity};
use anyhow::{Context, bail};
use seamline_ir as ir;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// The file name of the JSON report inside `--out`.
pub const JSON_FILE: &str = "seamline.json";

/// Formats that this build can write. The others are accepted by the parser (they are
/// part of the planned CLI) and rejected here with a usage error.
const SUPPORTED: [Format; 1] = [Format::Json];

/// Runs `analyze`.
pub fn run(args: &AnalyzeArgs, verbosity: Verbosity) -> anyhow::Result<()> {
    let (formats, skipped) = resolve_formats(args.format.as_deref())?;
    let started = Instant::now();
    let mut timings = Timings::default();
    let facts = analyse(&args.input, verbosity, &mut timings)?;

    let tool = seamline_report::ToolInfo {
        name: env!("CARGO_PKG_NAME").to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let mut written = Vec::new();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create output folder {}", args.out.display()))?;
    for format in formats {
        match format {
            Format::Json => {
                let json = timings.time("json", || seamline_report::to_json(&facts, &tool));
                let path = args.out.join(JSON_FILE);
                timings.time("write", || write_atomically(&path, json.as_bytes()))?;
                written.push(path);
            }
            // Rejected by `resolve_formats`.
            Format::Html | Format::Md | Format::Dot => {}
        }
    }
    let elapsed = started.elapsed();

    for f in skipped {
        terminal::note(
            verbosity,
            &format!(
                "the {} report is not implemented yet; skipping it",
                f.name()
            ),
        );
    }
    if verbosity != Verbosity::Quiet {
        let base = display_base(&args.input.path, &facts.root);
        let mut text = terminal::render_diagnostics(&facts.diagnostics, &base, verbosity);
        let n_deps = facts.module_deps().len();
        text.push_str(&terminal::render_summary(&facts, n_deps, elapsed));
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
    Ok(())
}

/// Runs `debug facts`: the facts dump on stdout.
pub fn debug_facts(args: &InputArgs, verbosity: Verbosity) -> anyhow::Result<()> {
    let mut timings = Timings::default();
    let facts = analyse(args, verbosity, &mut timings)?;
    let mut out = std::io::stdout().lock();
    out.write_all(facts.dump().as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    if verbosity == Verbosity::Verbose {
        terminal::line(timings.render().trim_end());
    }
    Ok(())
}

/// Runs `debug parse`: read and parse only, then one line of figures on stdout.
pub fn debug_parse(args: &InputArgs) -> anyhow::Result<()> {
    let options = frontend_options(args, None);
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

/// Checks `--format` against what this build can write: returns the formats to write and
/// the default ones skipped because they are not implemented yet (the caller notes them).
/// Naming an unimplemented format explicitly is a usage error.
fn resolve_formats(requested: Option<&[Format]>) -> anyhow::Result<(Vec<Format>, Vec<Format>)> {
    let mut skipped = Vec::new();
    let mut formats: Vec<Format> = match requested {
        Some(list) => {
            if let Some(bad) = list.iter().find(|f| !SUPPORTED.contains(f)) {
                bail!(
                    "--format {} is not supported yet (supported: {})",
                    bad.name(),
                    supported_names()
                );
            }
            list.to_vec()
        }
        None => {
            let (ok, not_yet): (Vec<Format>, Vec<Format>) =
                Format::DEFAULT.iter().partition(|f| SUPPORTED.contains(f));
            skipped = not_yet;
            ok
        }
    };
    formats.sort();
    formats.dedup();
    Ok((formats, skipped))
}

fn supported_names() -> String {
    SUPPORTED
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
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
    let options = frontend_options(args, callback);
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

fn frontend_options(
    args: &InputArgs,
    progress: Option<Arc<dyn Fn(seamline_frontend::Progress) + Send + Sync>>,
) -> seamline_frontend::Options {
    seamline_frontend::Options {
        root: args.path.clone(),
        include_tests: args.include_tests,
        max_file_size: args.max_file_size,
        threads: args.threads.unwrap_or(0),
        progress,
    }
}

/// Writes through a temporary file and a rename, so that a reader never sees half a report.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
