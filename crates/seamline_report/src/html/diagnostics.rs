//! The diagnostics section (`<section id="diagnostics">` of `templates/index.html`): the
//! problems met reading the input, the first ones.

use super::shown;
use seamline_ir as ir;

/// The diagnostics shown, and how many there are.
pub(super) struct DiagnosticsV {
    pub(super) shown: Vec<DiagV>,
    pub(super) total: usize,
    pub(super) left: usize,
}

pub(super) struct DiagV {
    pub(super) severity: &'static str,
    pub(super) code: &'static str,
    pub(super) at: String,
    pub(super) message: String,
}

pub(super) fn section(facts: &ir::Facts) -> DiagnosticsV {
    DiagnosticsV {
        shown: facts
            .diagnostics
            .iter()
            .take(shown::DIAGNOSTICS)
            .map(|d| DiagV {
                severity: d.severity.as_str(),
                code: d.code.as_str(),
                at: match &d.file {
                    Some(f) if d.line > 0 => format!("{f}:{}", d.line),
                    Some(f) => f.clone(),
                    None => String::new(),
                },
                message: d.message.clone(),
            })
            .collect(),
        total: facts.diagnostics.len(),
        left: facts.diagnostics.len().saturating_sub(shown::DIAGNOSTICS),
    }
}
