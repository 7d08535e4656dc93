//! The history section (`<section id="history">` of `templates/index.html`, only with
//! `--history`): hotspots, ownership per context and change coupling across contexts.

use super::{Chip, Rich, chip, rich};
use seamline_ir::format::thousands;
use seamline_plan::Plan;

/// The git history section (only with `--history`).
pub(super) struct HistoryV {
    /// "Read N commits; ... skipped."
    pub(super) summary: String,
    pub(super) contexts: Vec<ContextHistoryV>,
    pub(super) hotspots: Vec<HotspotV>,
    /// Hotspots left out of the table.
    pub(super) hotspots_more: usize,
    pub(super) coupling: Vec<CouplingV>,
    /// Pairs left out of the table.
    pub(super) coupling_more: usize,
    pub(super) contributors: Vec<(Chip, Chip, String)>,
    pub(super) not_independent: Vec<Rich>,
}

pub(super) struct ContextHistoryV {
    pub(super) context: Chip,
    pub(super) commits: String,
    pub(super) added: String,
    pub(super) removed: String,
    pub(super) main_author: String,
    pub(super) share: String,
    /// The main author's share as the width of a bar (60 px at 100%).
    pub(super) share_px: u32,
    pub(super) authors: String,
    pub(super) deployable: bool,
}

pub(super) struct HotspotV {
    pub(super) path: String,
    pub(super) context: Option<Chip>,
    pub(super) commits: String,
    pub(super) code_lines: String,
    pub(super) score: String,
    /// The score as the width of a bar (60 px at 1).
    pub(super) score_px: u32,
}

pub(super) struct CouplingV {
    pub(super) a: String,
    pub(super) a_context: Chip,
    pub(super) b: String,
    pub(super) b_context: Chip,
    pub(super) shared: String,
    pub(super) degree: String,
    pub(super) strong: bool,
}

/// Rows of the history tables; the JSON has them all.
const HISTORY_ROWS: usize = 20;

pub(super) fn section(plan: &Plan, h: &seamline_plan::PlanHistory) -> HistoryV {
    let plural = |n: usize, one: &str, many: &str| {
        format!(
            "{} {}",
            thousands(n as u64),
            if n == 1 { one } else { many }
        )
    };
    let summary = format!(
        "Read {} (merges excluded); skipped {} and {} (more files than the limit: bulk reformatting, vendoring).",
        plural(h.commits_read, "commit", "commits"),
        plural(h.merges_skipped, "merge commit", "merge commits"),
        plural(h.huge_skipped, "huge commit", "huge commits"),
    );
    let pct = |x: f64| (x.clamp(0.0, 1.0) * 100.0).round() as u32;
    let contexts = h
        .contexts
        .iter()
        .map(|c| {
            let others: Vec<String> = c
                .authors
                .iter()
                .take(4)
                .map(|(name, n)| format!("{name} ({n})"))
                .collect();
            ContextHistoryV {
                context: chip(plan, c.context),
                commits: thousands(u64::from(c.commits)),
                added: thousands(c.lines_added),
                removed: thousands(c.lines_removed),
                main_author: c.main_author.clone(),
                share: format!("{}%", pct(c.main_share)),
                share_px: pct(c.main_share) * 60 / 100,
                authors: if c.authors.len() > 4 {
                    format!("{}, … {} authors", others.join(", "), c.authors.len())
                } else {
                    others.join(", ")
                },
                deployable: h.is_independently_deployable(c.context),
            }
        })
        .collect();
    let hotspots = h
        .hotspots
        .iter()
        .take(HISTORY_ROWS)
        .map(|r| HotspotV {
            path: r.module.path.clone(),
            context: r.context.map(|c| chip(plan, c)),
            commits: thousands(u64::from(r.commits)),
            code_lines: thousands(r.code_lines),
            score: format!("{:.2}", r.score),
            score_px: pct(r.score) * 60 / 100,
        })
        .collect();
    let coupling = h
        .coupling
        .iter()
        .take(HISTORY_ROWS)
        .map(|r| CouplingV {
            a: r.a.path.clone(),
            a_context: chip(plan, r.a_context),
            b: r.b.path.clone(),
            b_context: chip(plan, r.b_context),
            shared: thousands(u64::from(r.shared)),
            degree: format!("{:.2}", r.degree),
            strong: r.strong,
        })
        .collect();
    HistoryV {
        summary,
        contexts,
        hotspots,
        hotspots_more: h.hotspots.len().saturating_sub(HISTORY_ROWS),
        coupling,
        coupling_more: h.coupling.len().saturating_sub(HISTORY_ROWS),
        contributors: h
            .contributor_coupling
            .iter()
            .take(HISTORY_ROWS)
            .map(|&(a, b, j)| (chip(plan, a), chip(plan, b), format!("{j:.2}")))
            .collect(),
        not_independent: h.not_independent.iter().map(|p| rich(&p.text)).collect(),
    }
}
