//! The extraction plan section (`<section id="extraction">` of `templates/index.html`):
//! one step per context, with its effort and the reference sites to rewrite.

use super::{Chip, RefV, Rich, chip, ref_v, rich, shown, top, visible};
use seamline_plan::Plan;

pub(super) struct StepV {
    pub(super) step: usize,
    pub(super) context: Chip,
    pub(super) why: Rich,
    pub(super) effort: u32,
    pub(super) n_rewrites: usize,
    pub(super) new_calls: usize,
    pub(super) new_events: usize,
    pub(super) tables: Vec<String>,
    pub(super) advice: Vec<Rich>,
    pub(super) rewrites: Vec<RefV>,
    pub(super) last: bool,
}

pub(super) fn section(plan: &Plan) -> Vec<StepV> {
    let n_steps = plan.extraction.len();
    plan.extraction
        .iter()
        .map(|s| StepV {
            step: s.step,
            context: chip(plan, s.context),
            why: rich(&s.why),
            effort: s.effort(),
            n_rewrites: s.rewrites.len(),
            new_calls: s.new_network_calls,
            new_events: s.new_events,
            tables: s
                .tables_to_migrate
                .iter()
                .map(|t| visible(&t.name))
                .collect(),
            advice: s.advice.iter().map(|a| rich(a)).collect(),
            rewrites: top(s.rewrites.iter().collect(), shown::REWRITES, |r| {
                u64::from(r.count)
            })
            .0
            .into_iter()
            .map(|r| ref_v(plan, r))
            .collect(),
            last: s.step == n_steps,
        })
        .collect()
}
