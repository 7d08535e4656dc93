//! `seamline init [PATH]`: writes a commented `seamline.toml` from today's proposed
//! contexts (see `seamline_check::template`), so that `check` passes right after and a new
//! dependency between two contexts fails. Refuses to overwrite an existing file without
//! `--force` (exit 2).

use crate::args::InputArgs;
use crate::check;
use crate::config::{CONFIG_FILE, display_in};
use crate::terminal::{self, Verbosity};
use anyhow::{Context, bail};
use clap::Args;
use seamline_config::Settings;
use std::path::{Path, PathBuf};

/// `seamline init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Input options.
    #[command(flatten)]
    pub input: InputArgs,
    /// Where to write [default: PATH/seamline.toml].
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Write even if some files could not be analysed.
    #[arg(long)]
    pub allow_incomplete: bool,
}

/// Runs `init`.
pub fn run(args: &InitArgs, verbosity: Verbosity) -> anyhow::Result<()> {
    let (path, display) = match &args.output {
        Some(p) => (p.clone(), p.to_string_lossy().into_owned()),
        None => {
            let dir = if args.input.path.is_dir() {
                args.input.path.clone()
            } else {
                args.input
                    .path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default()
            };
            (dir.join(CONFIG_FILE), display_in(&dir, CONFIG_FILE))
        }
    };
    if path.exists() && !args.force {
        bail!("{display} already exists; pass --force to overwrite it");
    }
    let facts = check::analyse(&args.input)?;
    check::require_complete(&facts, args.allow_incomplete, verbosity)?;
    if facts.modules.is_empty() {
        bail!("no Rust module found in {}", args.input.path.display());
    }
    // Clustering constraints of an existing file (with --force) still apply.
    let settings = match std::fs::read_to_string(&path) {
        Ok(text) => {
            Settings::parse(&text, &display).unwrap_or_else(|_| Settings::defaults(&display))
        }
        Err(_) => Settings::defaults(&display),
    };
    let proposal = check::propose(&facts, &settings);
    if verbosity != Verbosity::Quiet {
        check::constraint_notes(&proposal, &settings);
    }
    let root = args.input.path.to_string_lossy();
    let text = seamline_check::template::init_config(&facts, &proposal, &root);
    // Never write a file that `check` would reject.
    let declared = match Settings::parse(&text, &display) {
        Ok(s) => s.check.contexts.len(),
        Err(e) => bail!("seamline init produced an invalid configuration (a bug): {e}"),
    };
    std::fs::write(&path, text).with_context(|| format!("cannot write {display}"))?;
    if verbosity != Verbosity::Quiet {
        terminal::line(&format!(
            "Wrote {display}: {} contexts, today's dependencies between them allowed; run `seamline check {root}`",
            declared
        ));
    }
    Ok(())
}
