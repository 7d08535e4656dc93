//! The verdict section (`<section id="verdict">` of `templates/index.html`): the verdict,
//! its reasons, the worklist and the headline numbers.

use super::{Rich, pct, rich};
use seamline_ir::format::thousands;
use seamline_plan::{Plan, Verdict};

/// The verdict card and the headline numbers.
pub(super) struct VerdictV {
    pub(super) class: &'static str,
    pub(super) title: &'static str,
    pub(super) advice: String,
    pub(super) reasons: Vec<ReasonV>,
    pub(super) worklist: Vec<Rich>,
    /// What the worklist is for ([`seamline_plan::Plan::worklist_purpose`]).
    pub(super) worklist_purpose: &'static str,
    pub(super) stats: Vec<Stat>,
}

pub(super) struct ReasonV {
    pub(super) class: &'static str,
    pub(super) text: Rich,
}

pub(super) struct Stat {
    pub(super) value: String,
    pub(super) label: &'static str,
    pub(super) hint: String,
    pub(super) tone: &'static str,
}

pub(super) fn section(plan: &Plan) -> VerdictV {
    VerdictV {
        class: match plan.verdict {
            Verdict::SplitNow => "split",
            Verdict::ModulariseFirst => "modularise",
            Verdict::KeepMonolith => "keep",
        },
        title: plan.verdict.title(),
        advice: plan.advice.clone(),
        reasons: plan
            .reasons
            .iter()
            .map(|r| ReasonV {
                class: if r.decisive {
                    "decisive"
                } else if r.crossed {
                    "crossed"
                } else {
                    "fine"
                },
                text: rich(&r.text),
            })
            .collect(),
        worklist_purpose: plan.worklist_purpose(),
        worklist: plan
            .worklist
            .iter()
            .map(|w| {
                rich(&format!(
                    "{} `{}` ({} {} → {}, threshold {}).",
                    w.change,
                    w.at,
                    w.metric.as_str(),
                    pct(w.before),
                    pct(w.after),
                    pct(w.threshold)
                ))
            })
            .collect(),
        stats: stats(plan),
    }
}

fn stats(plan: &Plan) -> Vec<Stat> {
    let n = &plan.numbers;
    vec![
        Stat {
            value: thousands(n.code_lines),
            label: "lines of code",
            hint: format!(
                "{} files, {} modules, {} items",
                n.files, n.modules, n.items
            ),
            tone: "",
        },
        Stat {
            value: n.contexts.to_string(),
            label: "contexts",
            hint: format!("+ a shared kernel of {} modules", n.kernel_modules),
            tone: "",
        },
        Stat {
            value: format!("{:.2}", n.modularity),
            label: "modularity Q",
            hint: format!("threshold {:.2}", plan.thresholds.min_modularity),
            tone: if n.modularity < plan.thresholds.min_modularity {
                "bad"
            } else {
                "good"
            },
        },
        Stat {
            value: thousands(n.cross_references),
            label: "cross-context references",
            hint: format!("{} reference sites to rewrite", plan.cross_references.len()),
            tone: "",
        },
        Stat {
            value: n.contexts_in_cycles.to_string(),
            label: "contexts in cycles",
            hint: format!(
                "{} cycle{}",
                plan.cycles.len(),
                if plan.cycles.len() == 1 { "" } else { "s" }
            ),
            tone: if n.contexts_in_cycles > 0 {
                "bad"
            } else {
                "good"
            },
        },
        Stat {
            value: n.shared_models.to_string(),
            label: "shared models",
            hint: "identifier types left out".to_owned(),
            tone: if n.shared_models > 0 { "warn" } else { "good" },
        },
        Stat {
            value: n.shared_tables.to_string(),
            label: "shared tables",
            hint: format!("of {} tables", n.tables),
            tone: if n.shared_tables > 0 { "warn" } else { "good" },
        },
        Stat {
            value: n.diagnostics.to_string(),
            label: "diagnostics",
            hint: "problems reading the input".to_owned(),
            tone: if n.diagnostics > 0 { "warn" } else { "" },
        },
    ]
}
