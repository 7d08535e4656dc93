//! The module explorer (`<section id="modules">` of `templates/index.html`): every module
//! with its context, fan-in, fan-out and dependencies, as compact JSON that the page's
//! script draws rows from on demand.

use super::{ScriptJson, script_json};
use crate::svg::colour;
use seamline_cluster::contexts::ContextId;
use seamline_ir as ir;
use seamline_plan::Plan;

/// The explorer's data and its module count.
pub(super) struct ExplorerV {
    pub(super) data: ScriptJson,
    pub(super) n_modules: usize,
}

/// One dependency of a module in the explorer's data: target module index, kind index,
/// count, file index of the first occurrence and its line.
type DepRow = (u32, u8, u32, i64, u32);

/// One module of the explorer's data: path, file index, context index (-1: the
/// shared kernel), lines of code, items, fan-out, fan-in, dependencies.
type ModuleRow<'a> = (&'a str, i64, i64, u32, usize, usize, usize, Vec<DepRow>);

/// The module explorer's data, in arrays rather than objects (a large workspace has tens of
/// thousands of dependencies): names are written once and referred to by index.
#[derive(serde::Serialize)]
struct ModuleData<'a> {
    /// Context names and colours, by index.
    contexts: Vec<(&'a str, &'static str)>,
    /// Dependency kind names, by index.
    kinds: Vec<&'static str>,
    /// File paths, by index.
    files: Vec<&'a str>,
    /// The modules, in the order of the facts (sorted by path).
    modules: Vec<ModuleRow<'a>>,
}

pub(super) fn section(facts: &ir::Facts, plan: &Plan) -> ExplorerV {
    let n = facts.modules.len();
    let mut kinds: Vec<&'static str> = Vec::new();
    let mut by_from: Vec<Vec<DepRow>> = vec![Vec::new(); n];
    for d in &plan.module_deps {
        let kind = d.kind.as_str();
        let k = kinds.iter().position(|x| *x == kind).unwrap_or_else(|| {
            kinds.push(kind);
            kinds.len() - 1
        });
        by_from[d.from.index()].push((
            d.to.0,
            k as u8,
            d.count,
            d.first.file.index() as i64,
            d.first.line,
        ));
    }
    let modules = facts
        .modules
        .iter()
        .zip(&plan.modules)
        .zip(by_from)
        .map(|((m, links), deps)| {
            (
                m.path.as_str(),
                m.file.index() as i64,
                links.context.map_or(-1, |c| c.index() as i64),
                m.code_lines,
                m.items.len(),
                links.fan_out,
                links.fan_in,
                deps,
            )
        })
        .collect();
    ExplorerV {
        data: script_json(&ModuleData {
            contexts: plan
                .context_names
                .iter()
                .enumerate()
                .map(|(i, name)| (name.as_str(), colour(ContextId(i as u32))))
                .collect(),
            kinds,
            files: facts.files.iter().map(|f| f.path.as_str()).collect(),
            modules,
        }),
        n_modules: n,
    }
}
