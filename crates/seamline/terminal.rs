//! Everything the binary shows on the terminal: the run summary, diagnostics rendered
//! rustc-style, stage timings and the progress bar.
//!
//! Convention (as cargo does): stdout carries a command's result when it has one on the
//! terminal (`debug` dumps, later `check` violations); stderr carries progress, diagnostics
//! about the input and summaries. Colour only when stderr is a terminal (and `NO_COLOR` is
//! unset); the progress bar only when stderr is a terminal and the run takes a while.
//! Write errors on stderr are ignored: a closed stderr must not turn a good run into a crash.

use seamline_ir as ir;
use seamline_ir::format::{plural, thousands};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How much to print, from the global flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Only fatal errors.
    Quiet,
    /// Summary and capped diagnostics.
    Normal,
    /// Every diagnostic, plus stage timings.
    Verbose,
}

/// How many diagnostics are shown before "and N more", unless `--verbose`.
pub const DIAGNOSTIC_CAP: usize = 20;

/// Writes one line on stderr, ignoring failures.
pub fn line(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// Renders `error: message` for a fatal error, one line.
pub fn fatal(message: &str) {
    let label = console::style("error").red().bold().for_stderr();
    // Keep it to one line even if a message from the OS carries a newline.
    let message = message.replace('\n', " ");
    line(&format!("{label}: {message}"));
}

/// Prints a note (`note: ...`) unless quiet.
pub fn note(verbosity: Verbosity, message: &str) {
    if verbosity != Verbosity::Quiet {
        let label = console::style("note").cyan().bold().for_stderr();
        line(&format!("{label}: {message}"));
    }
}

/// Renders diagnostics rustc-style, errors first, capped at [`DIAGNOSTIC_CAP`] unless
/// verbose. `root` is prefixed to file paths so that they can be clicked from where the
/// user ran the command.
pub fn render_diagnostics(diags: &[ir::Diagnostic], root: &str, verbosity: Verbosity) -> String {
    let mut sorted: Vec<&ir::Diagnostic> = diags.iter().collect();
    sorted.sort_by(|a, b| {
        (a.severity, &a.file, a.line, a.col, a.code, &a.message)
            .cmp(&(b.severity, &b.file, b.line, b.col, b.code, &b.message))
    });
    let cap = match verbosity {
        Verbosity::Verbose => usize::MAX,
        _ => DIAGNOSTIC_CAP,
    };
    let mut out = String::new();
    for d in sorted.iter().take(cap) {
        let label = match d.severity {
            ir::Severity::Error => console::style("error").red().bold(),
            ir::Severity::Warning => console::style("warning").yellow().bold(),
            ir::Severity::Note => console::style("note").cyan().bold(),
        }
        .for_stderr();
        let message = d.message.replace('\n', " ");
        out.push_str(&format!("{label}[{}]: {message}\n", d.code));
        if let Some(file) = &d.file {
            let arrow = console::style("-->").blue().bold().for_stderr();
            let mut at = join_root(root, file);
            if d.line > 0 {
                at.push_str(&format!(":{}", d.line));
                if d.col > 0 {
                    at.push_str(&format!(":{}", d.col));
                }
            }
            out.push_str(&format!("  {arrow} {at}\n"));
        }
        out.push('\n');
    }
    if sorted.len() > cap {
        out.push_str(&format!(
            "... and {} more diagnostics (all of them are in seamline.json; --verbose shows them here)\n\n",
            sorted.len() - cap
        ));
    }
    out
}

/// `root/file`, or `file` when root is `.`.
pub fn join_root(root: &str, file: &str) -> String {
    let root = root.trim_end_matches(['/', '\\']);
    if root.is_empty() || root == "." {
        file.to_owned()
    } else {
        format!("{root}/{file}")
    }
}

/// The short summary of an analysis.
pub fn render_summary(facts: &ir::Facts, n_dependencies: usize, elapsed: Duration) -> String {
    let lines: u64 = facts.files.iter().map(|f| u64::from(f.lines)).sum();
    let analysed = facts.files.iter().filter(|f| f.analysed).count();
    let orphans = facts.files.iter().filter(|f| f.orphan).count();
    let models = facts.items.iter().filter(|i| i.kind.is_model()).count();
    let count = |sev: ir::Severity| {
        facts
            .diagnostics
            .iter()
            .filter(|d| d.severity == sev)
            .count()
    };
    let (errors, warnings, notes) = (
        count(ir::Severity::Error),
        count(ir::Severity::Warning),
        count(ir::Severity::Note),
    );
    let rows: [(&str, u64, String); 9] = [
        ("crates", facts.crates.len() as u64, String::new()),
        (
            "files",
            facts.files.len() as u64,
            format!(
                "{} analysed, {} orphan",
                thousands(analysed as u64),
                thousands(orphans as u64)
            ),
        ),
        (
            "lines",
            lines,
            format!("{} code", thousands(facts.code_lines())),
        ),
        ("modules", facts.modules.len() as u64, String::new()),
        ("items", facts.items.len() as u64, String::new()),
        ("models", models as u64, String::new()),
        ("tables", facts.tables.len() as u64, String::new()),
        (
            "dependencies",
            n_dependencies as u64,
            "module to module".to_owned(),
        ),
        (
            "diagnostics",
            facts.diagnostics.len() as u64,
            format!(
                "{}, {}, {}",
                plural(errors, "error", "errors"),
                plural(warnings, "warning", "warnings"),
                plural(notes, "note", "notes")
            ),
        ),
    ];
    let root = if facts.root.is_empty() {
        "."
    } else {
        facts.root.as_str()
    };
    let head = console::style("Analysed").green().bold().for_stderr();
    let mut out = format!("{head} {root} in {}\n", seconds(elapsed));
    for (name, n, detail) in rows {
        let n = thousands(n);
        if detail.is_empty() {
            out.push_str(&format!("  {name:<13}{n:>9}\n"));
        } else {
            out.push_str(&format!("  {name:<13}{n:>9}  ({detail})\n"));
        }
    }
    out
}

/// `1.23s` with two decimals (or milliseconds below a tenth of a second).
pub fn seconds(d: Duration) -> String {
    if d < Duration::from_millis(100) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.2}s", d.as_secs_f64())
    }
}

/// Stage timings, printed on stderr with `--verbose`.
#[derive(Debug, Default)]
pub struct Timings {
    stages: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// Runs `f`, recording how long it took under `stage`.
    pub fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let res = f();
        self.stages.push((stage, start.elapsed()));
        res
    }

    /// Renders one line per stage.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (stage, d) in &self.stages {
            out.push_str(&format!("timing: {stage:<10} {}\n", seconds(*d)));
        }
        out
    }
}

/// A progress bar on stderr that appears only on a terminal and only once a run has
/// lasted [`Progress::DELAY`], so that short runs print nothing but their summary.
pub struct Progress {
    bar: indicatif::ProgressBar,
    start: Instant,
    shown: AtomicBool,
}

impl Progress {
    /// How long a run must last before the bar appears.
    pub const DELAY: Duration = Duration::from_millis(300);

    /// A bar if stderr is a terminal and output is not quiet.
    pub fn new(verbosity: Verbosity) -> Option<Arc<Progress>> {
        use std::io::IsTerminal;
        if verbosity == Verbosity::Quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} parsing [{bar:30}] {pos}/{len} files ({elapsed})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Some(Arc::new(Progress {
            bar,
            start: Instant::now(),
            shown: AtomicBool::new(false),
        }))
    }

    /// Records progress (called from worker threads).
    pub fn update(&self, files_done: usize, files_total: usize) {
        if !self.shown.load(Ordering::Relaxed) {
            if self.start.elapsed() < Self::DELAY {
                return;
            }
            if !self.shown.swap(true, Ordering::Relaxed) {
                self.bar
                    .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
        }
        self.bar.set_length(files_total as u64);
        self.bar.set_position(files_done as u64);
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(
        sev: ir::Severity,
        file: Option<&str>,
        line: u32,
        col: u32,
        msg: &str,
    ) -> ir::Diagnostic {
        ir::Diagnostic {
            file: file.map(str::to_owned),
            line,
            col,
            code: ir::DiagCode::ParseError,
            severity: sev,
            message: msg.to_owned(),
        }
    }

    #[test]
    fn diagnostics_render_like_rustc_with_errors_first() {
        console::set_colors_enabled_stderr(false);
        let diags = [
            diag(ir::Severity::Warning, Some("src/a.rs"), 0, 0, "w"),
            diag(ir::Severity::Error, Some("src/b.rs"), 3, 5, "expected `;`"),
            diag(ir::Severity::Note, None, 0, 0, "n"),
        ];
        let text = render_diagnostics(&diags, "fixtures/broken", Verbosity::Normal);
        assert_eq!(
            text,
            "error[parse-error]: expected `;`\n  --> fixtures/broken/src/b.rs:3:5\n\n\
             warning[parse-error]: w\n  --> fixtures/broken/src/a.rs\n\n\
             note[parse-error]: n\n\n"
        );
    }

    #[test]
    fn diagnostics_are_capped_unless_verbose() {
        console::set_colors_enabled_stderr(false);
        let diags: Vec<ir::Diagnostic> = (1..=DIAGNOSTIC_CAP as u32 + 5)
            .map(|i| diag(ir::Severity::Error, Some("src/x.rs"), i, 1, "bad"))
            .collect();
        let capped = render_diagnostics(&diags, ".", Verbosity::Normal);
        assert_eq!(capped.matches("error[").count(), DIAGNOSTIC_CAP);
        assert!(capped.contains("... and 5 more diagnostics"));
        assert!(
            capped.contains("--> src/x.rs:1:1"),
            "root `.` is not prefixed"
        );
        let all = render_diagnostics(&diags, ".", Verbosity::Verbose);
        assert_eq!(all.matches("error[").count(), DIAGNOSTIC_CAP + 5);
        assert!(!all.contains("more diagnostics"));
    }
}
