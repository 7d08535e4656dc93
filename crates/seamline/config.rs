//! `seamline.toml` for every command: finds it (`--config FILE`, else `PATH/seamline.toml`),
//! reads it and prints its errors rustc-style. `seamline_config` parses and validates it
//! into the settings of each stage.

use crate::args::InputArgs;
use crate::terminal;
use anyhow::Context;
use seamline_config::Settings;
use seamline_ir::format::plural;
use std::path::Path;

/// The config file looked for in PATH when `--config` is not given.
pub const CONFIG_FILE: &str = "seamline.toml";

/// The display path of a file inside the analysed folder.
pub fn display_in(root: &Path, name: &str) -> String {
    terminal::join_root(&root.to_string_lossy(), name)
}

/// Reads the settings: `--config FILE` (must exist), else `PATH/seamline.toml` if it
/// exists, else the defaults. Config errors carry `file:line:col` and a hint.
pub fn load(input: &InputArgs, config: Option<&Path>) -> anyhow::Result<Settings> {
    let (path, display, required) = match config {
        Some(p) => (p.to_path_buf(), p.to_string_lossy().into_owned(), true),
        None => {
            let dir = if input.path.is_dir() {
                input.path.clone()
            } else {
                input
                    .path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default()
            };
            (dir.join(CONFIG_FILE), display_in(&dir, CONFIG_FILE), false)
        }
    };
    if !required && !path.exists() {
        return Ok(Settings::defaults(&display));
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {display}"))?;
    Settings::parse(&text, &display).map_err(|e| {
        // One rustc-style error per problem, then main's one-line summary.
        for err in &e.errors {
            let label = console::style("error").red().bold().for_stderr();
            let mut text = format!(
                "{label}: {}\n  --> {}:{}:{}",
                err.message, e.path, err.pos.line, err.pos.col
            );
            if let Some(hint) = &err.hint {
                text.push_str(&format!("\n   = help: {hint}"));
            }
            terminal::line(&text);
        }
        anyhow::anyhow!(
            "invalid configuration {display} ({})",
            plural(e.errors.len(), "error", "errors")
        )
    })
}
