//! The HTML report: one self-contained `index.html` (inline CSS, inline SVG, a small inline
//! script, no network, no external fonts) that an architect can read in a browser or print.
//!
//! [`render`] builds a view model of plain strings and numbers from the plan (and the facts
//! it refers to), one small function per section of `templates/index.html` in the modules
//! below, then renders the template with askama. The view models only format and cap:
//! every number and list comes computed from [`Plan`]. Everything taken from the
//! analysed code (names, paths, signatures, table names, file paths, messages) is untrusted:
//! it reaches the page through askama's HTML escaping, or, for the module explorer, as JSON
//! in a `<script type="application/json">` element escaped for that context (`ScriptJson`,
//! the one value written with `|safe`). The inline script is a constant: it parses that data
//! and puts every text into the page with `textContent`, never as markup.
//!
//! At the scale of a large workspace the page stays small and opens fast: each
//! long list shows its heaviest entries and says how many more are in `seamline.json`
//! (`shown` has the caps), and the module explorer's rows are drawn by the script on
//! demand instead of being pre-rendered.

mod cycles;
mod data;
mod diagnostics;
mod explorer;
mod history;
mod kernel;
mod method;
mod services;
mod steps;
mod verdict;

use crate::svg::{self, ContextMap, colour};
use askama::Template;
use seamline_cluster::contexts::ContextId;
use seamline_ir as ir;
use seamline_plan::{CrossRef, Plan};
use std::fmt::Write as _;

/// Renders the report as one self-contained HTML document. `facts` are those the plan was
/// computed on.
pub fn render(facts: &ir::Facts, plan: &Plan) -> String {
    let page = page(facts, plan);
    page.render().unwrap_or_else(|e| {
        format!(
            "<!doctype html><title>seamline</title><p>render error: {}</p>",
            escape(&e.to_string())
        )
    })
}

/// Minimal HTML escaping, for the (unexpected) error path only.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The page: one field per section of the template.
#[derive(Template)]
#[template(path = "index.html")]
struct Page {
    root: String,
    verdict: verdict::VerdictV,
    map: ContextMap,
    /// Every context, for the map's legend and the explorer's filter.
    contexts: Vec<Chip>,
    kernel: kernel::KernelV,
    services: Vec<services::ServiceV>,
    models: data::ModelsV,
    tables: data::TablesV,
    cycles: Vec<cycles::CycleV>,
    steps: Vec<steps::StepV>,
    history: Option<history::HistoryV>,
    explorer: explorer::ExplorerV,
    diagnostics: diagnostics::DiagnosticsV,
    method: method::MethodV,
}

fn page(facts: &ir::Facts, plan: &Plan) -> Page {
    Page {
        root: if facts.root.is_empty() {
            "codebase".to_owned()
        } else {
            facts.root.clone()
        },
        verdict: verdict::section(plan),
        map: svg::layout(plan),
        contexts: (0..plan.context_names.len())
            .map(|i| chip(plan, ContextId(i as u32)))
            .collect(),
        kernel: kernel::section(plan),
        services: services::section(plan),
        models: data::models(plan),
        tables: data::tables(plan),
        cycles: cycles::section(plan),
        steps: steps::section(plan),
        history: plan.history.as_ref().map(|h| history::section(plan, h)),
        explorer: explorer::section(facts, plan),
        diagnostics: diagnostics::section(facts),
        method: method::section(plan),
    }
}

/// A sentence of the plan with its `code` spans marked, so that the template can set them in
/// `<code>`; every segment is still escaped by askama.
type Rich = Vec<Seg>;

struct Seg {
    code: bool,
    text: String,
}

/// Splits a sentence on backticks: odd segments are code. An unmatched backtick stays text.
fn rich(s: &str) -> Rich {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return vec![Seg {
            code: false,
            text: visible(s),
        }];
    }
    parts
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(i, p)| Seg {
            code: i % 2 == 1,
            text: visible(p),
        })
        .collect()
}

/// Text from the analysed code with its invisible characters (bidi overrides, line
/// separators, controls) shown as `U+XXXX`, so that a table or item name cannot reorder or
/// hide what the page says; askama still escapes the rest.
fn visible(s: &str) -> String {
    let hidden = |c: char| c.is_control() || crate::reorders(c);
    let shown: String = if s.chars().any(hidden) {
        s.chars()
            .map(|c| {
                if hidden(c) {
                    format!("U+{:04X}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        s.to_owned()
    };
    defuse(&shown)
}

/// Script URLs (`javascript:`) and event handlers (`onerror=`) in text from the analysed
/// code get a look-alike colon or equals sign, so that no filter, copy-paste or later
/// template change can ever turn them into live markup. The JSON keeps the exact text.
fn defuse(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut cut: Vec<usize> = Vec::new();
    for scheme in ["javascript:", "vbscript:", "data:"] {
        cut.extend(lower.match_indices(scheme).map(|(i, m)| i + m.len() - 1));
    }
    for (i, _) in lower.match_indices("on") {
        let mut j = i + 2;
        while j < b.len() && b[j].is_ascii_alphabetic() {
            j += 1;
        }
        let word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if word_start && j > i + 2 && j < b.len() && b[j] == b'=' {
            cut.push(j);
        }
    }
    if cut.is_empty() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 4 * cut.len());
    for (i, c) in s.char_indices() {
        match c {
            ':' if cut.contains(&i) => out.push('\u{A789}'),
            '=' if cut.contains(&i) => out.push('\u{FF1D}'),
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone)]
struct Chip {
    index: usize,
    name: String,
    colour: &'static str,
    detail: String,
}

struct RefV {
    from_context: Chip,
    from: String,
    to_context: Chip,
    to: String,
    kind: &'static str,
    count: u32,
    at: String,
}

/// JSON embedded in an inline `<script type="application/json">`, escaped for that context:
/// `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026` (so no `</script>` or `<!--` can appear
/// whatever the analysed names hold), and line separators, bidi controls and invisible marks
/// as `\uXXXX` too (serde_json already escapes the control characters).
/// The only value the template writes unescaped (`|safe`): it is constructed here alone.
struct ScriptJson(String);

impl std::fmt::Display for ScriptJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Serialises `value` and escapes it for an inline script element.
fn script_json<T: serde::Serialize>(value: &T) -> ScriptJson {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            // Line separators end JavaScript string literals; bidi controls and invisible
            // marks reorder or hide what a reader of the source sees.
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}' => {
                let _ = write!(out, "\\u{:04x}", ch as u32);
            }
            c => out.push(c),
        }
    }
    ScriptJson(out)
}

fn chip(plan: &Plan, c: ContextId) -> Chip {
    Chip {
        index: c.index(),
        name: plan.context_name(c).to_owned(),
        colour: colour(c),
        detail: String::new(),
    }
}

fn chip_n(plan: &Plan, c: ContextId, n: u32) -> Chip {
    Chip {
        detail: n.to_string(),
        ..chip(plan, c)
    }
}

fn ref_v(plan: &Plan, r: &CrossRef) -> RefV {
    RefV {
        from_context: chip(plan, r.from_context),
        from: r.from.clone(),
        to_context: chip(plan, r.to_context),
        to: r.to.clone(),
        kind: match (r.kind, r.writes) {
            (ir::DepKind::Table, true) => "write",
            (ir::DepKind::Table, false) => "read",
            (k, _) => k.as_str(),
        },
        count: r.count,
        at: r.at.to_string(),
    }
}

/// How much of each long list the page shows; the JSON has every entry. A large workspace
/// has thousands of reference sites and shared models: listed in full they made a page of
/// tens of megabytes that took seconds to open.
mod shown {
    /// API items of a service in its table, then folded.
    pub const API: usize = 8;
    pub const API_FOLDED: usize = 20;
    /// Items to move out of mixed files, then folded.
    pub const TO_MOVE: usize = 6;
    pub const TO_MOVE_FOLDED: usize = 30;
    /// Modules, files and external crates of a service.
    pub const CHIPS: usize = 60;
    /// Shared models as cards, and in the table of those shared on purpose.
    pub const MODELS: usize = 30;
    pub const MODELS_ON_PURPOSE: usize = 50;
    /// Fields holding a shared model, of each kind.
    pub const FIELDS: usize = 10;
    /// Shared tables, and the contexts using each.
    pub const TABLES: usize = 30;
    pub const TABLE_USES: usize = 12;
    /// Edges of a cycle (the cut ones always), and the references shown for each.
    pub const CYCLE_EDGES: usize = 20;
    pub const EVIDENCE: usize = 8;
    /// Cuts proposed for a cycle.
    pub const CUTS: usize = 10;
    /// Reference sites to rewrite per extraction step.
    pub const REWRITES: usize = 10;
    /// Diagnostics, and kernel modules in the map's legend.
    pub const DIAGNOSTICS: usize = 200;
    pub const KERNEL: usize = 100;
}

/// Keeps the `n` heaviest entries and returns how many were left out. A list that fits is
/// left in the plan's order; a longer one is ordered by weight, heaviest first (stable, so
/// ties keep the plan's order).
fn top<T>(mut v: Vec<T>, n: usize, weight: impl Fn(&T) -> u64) -> (Vec<T>, usize) {
    if v.len() <= n {
        return (v, 0);
    }
    v.sort_by_key(|x| std::cmp::Reverse(weight(x)));
    let left = v.len() - n;
    v.truncate(n);
    (v, left)
}

/// A share as a whole percentage.
fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}
