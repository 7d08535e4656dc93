//! The services section (`<section id="services">` of `templates/index.html`): one card
//! per context with what it owns, its API, its links and its stack.

use super::{Chip, chip, chip_n, shown, top, visible};
use crate::svg::colour;
use seamline_ir::format::thousands;
use seamline_plan::Plan;

pub(super) struct ApiV {
    pub(super) kind: &'static str,
    pub(super) name: String,
    pub(super) path: String,
    pub(super) signature: String,
    pub(super) used_by: Vec<Chip>,
    pub(super) references: u32,
}

pub(super) struct MoveV {
    pub(super) kind: &'static str,
    pub(super) path: String,
    pub(super) at: String,
    pub(super) module: String,
    pub(super) module_context: String,
}

pub(super) struct ServiceV {
    pub(super) index: usize,
    pub(super) name: String,
    pub(super) colour: &'static str,
    pub(super) purpose: String,
    pub(super) code_lines: String,
    pub(super) n_modules: usize,
    pub(super) stateful: bool,
    pub(super) step: String,
    pub(super) models: Vec<String>,
    pub(super) tables: Vec<String>,
    pub(super) files: Vec<String>,
    pub(super) modules: Vec<String>,
    pub(super) to_move: Vec<MoveV>,
    pub(super) to_move_more: Vec<MoveV>,
    /// Items to move left off the page.
    pub(super) to_move_left: usize,
    pub(super) files_left: usize,
    pub(super) modules_left: usize,
    pub(super) externals_left: usize,
    pub(super) api: Vec<ApiV>,
    pub(super) api_more: Vec<ApiV>,
    /// API items left off the page.
    pub(super) api_left: usize,
    pub(super) n_endpoints: usize,
    pub(super) calls: Vec<Chip>,
    pub(super) called_by: Vec<Chip>,
    pub(super) stack: Vec<String>,
    pub(super) externals: Vec<String>,
    pub(super) statics: Vec<String>,
}

pub(super) fn section(plan: &Plan) -> Vec<ServiceV> {
    plan.services
        .iter()
        .map(|s| {
            let api: Vec<ApiV> = s
                .api
                .iter()
                .map(|a| ApiV {
                    kind: a.item.kind_str(),
                    name: a.item.name.clone(),
                    path: a.item.path.clone(),
                    signature: a.signature.clone().unwrap_or_default(),
                    used_by: a.used_by.iter().map(|&c| chip(plan, c)).collect(),
                    references: a.references,
                })
                .collect();
            let (mut api, api_left) = top(api, shown::API + shown::API_FOLDED, |a| {
                u64::from(a.references)
            });
            let api_more = api.split_off(api.len().min(shown::API));
            let mut to_move: Vec<MoveV> = s
                .owns
                .to_move
                .iter()
                .map(|m| MoveV {
                    kind: m.item.kind_str(),
                    path: m.item.path.clone(),
                    at: m.item.at.to_string(),
                    module: m.module.path.clone(),
                    module_context: m
                        .module_context
                        .map(|c| plan.context_name(c).to_owned())
                        .unwrap_or_else(|| "shared kernel".to_owned()),
                })
                .collect();
            let to_move_left = to_move
                .len()
                .saturating_sub(shown::TO_MOVE + shown::TO_MOVE_FOLDED);
            to_move.truncate(shown::TO_MOVE + shown::TO_MOVE_FOLDED);
            let to_move_more = to_move.split_off(to_move.len().min(shown::TO_MOVE));
            let chips = |v: Vec<String>| {
                let left = v.len().saturating_sub(shown::CHIPS);
                (v.into_iter().take(shown::CHIPS).collect::<Vec<_>>(), left)
            };
            let (files, files_left) = chips(s.owns.files.clone());
            let (modules, modules_left) = chips(s.modules.iter().map(|m| m.path.clone()).collect());
            let (externals, externals_left) =
                chips(s.external_crates.iter().map(|e| e.name.clone()).collect());
            ServiceV {
                index: s.context.index(),
                name: s.name.clone(),
                colour: colour(s.context),
                purpose: s.purpose.clone(),
                code_lines: thousands(s.code_lines),
                n_modules: s.modules.len(),
                stateful: s.state.is_stateful(),
                step: plan
                    .step_of(s.context)
                    .map(|x| x.to_string())
                    .unwrap_or_default(),
                models: s.owns.models.iter().map(|m| m.name.clone()).collect(),
                tables: s.owns.tables.iter().map(|t| visible(&t.name)).collect(),
                files,
                files_left,
                modules,
                modules_left,
                to_move,
                to_move_more,
                to_move_left,
                n_endpoints: s.endpoints().count(),
                api_more,
                api_left,
                api,
                calls: s
                    .calls
                    .iter()
                    .map(|l| chip_n(plan, l.context, l.references))
                    .collect(),
                called_by: s
                    .called_by
                    .iter()
                    .map(|l| chip_n(plan, l.context, l.references))
                    .collect(),
                stack: s
                    .stack
                    .iter()
                    .map(|x| format!("{} · {}", x.infra.label(), x.crates.join(", ")))
                    .collect(),
                externals,
                externals_left,
                statics: s.state.statics.iter().map(|i| i.name.clone()).collect(),
            }
        })
        .collect()
}
