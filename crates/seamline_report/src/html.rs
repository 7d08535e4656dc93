//! The HTML report: one self-contained `index.html` (inline CSS, inline SVG, a small inline
//! script, no network, no external fonts) that an architect can read in a browser or print.
//!
//! [`render`] builds a view model of plain strings and numbers from the facts, the proposal
//! and the plan, then renders `templates/index.html` with askama. Everything taken from the
//! analysed code (names, paths, signatures, table names, file paths, messages) is untrusted:
//! it reaches the page through askama's HTML escaping, or, for the module explorer, as JSON
//! in a `<script type="application/json">` element escaped for that context (`ScriptJson`,
//! the one value written with `|safe`). The inline script is a constant: it parses that data
//! and puts every text into the page with `textContent`, never as markup.
//!
//! At the scale of a large workspace (issue 13) the page stays small and opens fast: each
//! long list shows its heaviest entries and says how many more are in `seamline.json`
//! (`shown` has the caps), and the module explorer's rows are drawn by the script on
//! demand instead of being pre-rendered.

use crate::svg::{self, ContextMap, colour};
use askama::Template;
use seamline_cluster::contexts::{ContextId, Proposal};
use seamline_ir as ir;
use seamline_ir::format::thousands;
use seamline_plan::{CrossRef, Plan, Verdict};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Renders the report as one self-contained HTML document.
pub fn render(facts: &ir::Facts, proposal: &Proposal, plan: &Plan) -> String {
    let page = page(facts, proposal, plan);
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

#[derive(Template)]
#[template(path = "index.html")]
struct Page {
    root: String,
    verdict_class: &'static str,
    verdict_title: &'static str,
    verdict_advice: String,
    reasons: Vec<ReasonV>,
    worklist: Vec<Rich>,
    stats: Vec<Stat>,
    map: ContextMap,
    has_map: bool,
    /// Whether the map is the grid layout (rather than the circle).
    map_layered: bool,
    contexts: Vec<Chip>,
    kernel: Vec<KernelV>,
    n_kernel: usize,
    services: Vec<ServiceV>,
    n_shared_models: usize,
    /// The shared models to untangle (the heaviest), as cards.
    shared_models: Vec<SharedModelV>,
    models_left: usize,
    /// Identifiers and kernel types, shared on purpose (the heaviest).
    on_purpose: Vec<SharedModelV>,
    on_purpose_left: usize,
    n_shared_tables: usize,
    shared_tables: Vec<SharedTableV>,
    tables_left: usize,
    cycles: Vec<CycleV>,
    steps: Vec<StepV>,
    history: Option<HistoryV>,
    modules: ScriptJson,
    n_modules: usize,
    n_diagnostics: usize,
    diagnostics: Vec<DiagV>,
    diagnostics_left: usize,
    quality: Vec<Stat>,
    provenance: String,
    thresholds: Vec<(String, String)>,
    glossary: Vec<Term>,
}

struct ReasonV {
    class: &'static str,
    text: Rich,
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

struct Stat {
    value: String,
    label: &'static str,
    hint: String,
    tone: &'static str,
}

#[derive(Clone)]
struct Chip {
    index: usize,
    name: String,
    colour: &'static str,
    detail: String,
}

struct KernelV {
    path: String,
    reason: String,
}

struct ApiV {
    kind: &'static str,
    name: String,
    path: String,
    signature: String,
    used_by: Vec<Chip>,
    references: u32,
    endpoint: bool,
}

struct MoveV {
    kind: &'static str,
    path: String,
    at: String,
    module: String,
    module_context: String,
}

struct ServiceV {
    index: usize,
    name: String,
    colour: &'static str,
    purpose: String,
    code_lines: String,
    n_modules: usize,
    stateful: bool,
    step: String,
    models: Vec<String>,
    tables: Vec<String>,
    files: Vec<String>,
    modules: Vec<String>,
    to_move: Vec<MoveV>,
    to_move_more: Vec<MoveV>,
    /// Items to move left off the page.
    to_move_left: usize,
    files_left: usize,
    modules_left: usize,
    externals_left: usize,
    api: Vec<ApiV>,
    api_more: Vec<ApiV>,
    /// API items left off the page.
    api_left: usize,
    n_endpoints: usize,
    calls: Vec<Chip>,
    called_by: Vec<Chip>,
    stack: Vec<String>,
    externals: Vec<String>,
    statics: Vec<String>,
}

struct FieldV {
    holder: String,
    field: String,
    ty: String,
    at: String,
    context: Option<Chip>,
}

struct SharedModelV {
    name: String,
    path: String,
    at: String,
    owner: Option<Chip>,
    used_by: Vec<Chip>,
    references: u32,
    id_type: bool,
    on_purpose: bool,
    embedded: Vec<FieldV>,
    by_id: Vec<FieldV>,
    /// Fields left off the page.
    fields_left: usize,
    change: Rich,
}

struct TableUseV {
    context: Chip,
    reads: u32,
    writes: u32,
    at: String,
    owner: bool,
}

struct SharedTableV {
    name: String,
    owner: Option<Chip>,
    owner_proposed: bool,
    uses: Vec<TableUseV>,
    /// Contexts using it left off the page.
    uses_left: usize,
    /// Reads and writes, to rank the tables.
    weight: u64,
    technique: &'static str,
    technique_class: &'static str,
    change: Rich,
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

struct EdgeV {
    from: Chip,
    to: Chip,
    references: u32,
    cut: bool,
    evidence: Vec<RefV>,
    /// References left off the page.
    evidence_left: usize,
}

struct CutV {
    from: Chip,
    to: Chip,
    technique: &'static str,
    rationale: Rich,
}

struct CycleV {
    contexts: Vec<Chip>,
    edges: Vec<EdgeV>,
    /// Edges left off the page.
    edges_left: usize,
    cuts: Vec<CutV>,
    /// Cuts left off the page.
    cuts_left: usize,
}

struct StepV {
    step: usize,
    context: Chip,
    why: Rich,
    effort: u32,
    n_rewrites: usize,
    new_calls: usize,
    new_events: usize,
    tables: Vec<String>,
    advice: Vec<Rich>,
    rewrites: Vec<RefV>,
    last: bool,
}

/// The git history section (only with `--history`).
struct HistoryV {
    /// "Read N commits; ... skipped."
    summary: String,
    contexts: Vec<ContextHistoryV>,
    hotspots: Vec<HotspotV>,
    /// Hotspots left out of the table.
    hotspots_more: usize,
    coupling: Vec<CouplingV>,
    /// Pairs left out of the table.
    coupling_more: usize,
    contributors: Vec<(Chip, Chip, String)>,
    not_independent: Vec<Rich>,
}

struct ContextHistoryV {
    context: Chip,
    commits: String,
    added: String,
    removed: String,
    main_author: String,
    share: String,
    /// The main author's share as the width of a bar (60 px at 100%).
    share_px: u32,
    authors: String,
    deployable: bool,
}

struct HotspotV {
    path: String,
    context: Option<Chip>,
    commits: String,
    code_lines: String,
    score: String,
    /// The score as the width of a bar (60 px at 1).
    score_px: u32,
}

struct CouplingV {
    a: String,
    a_context: Chip,
    b: String,
    b_context: Chip,
    shared: String,
    degree: String,
    strong: bool,
}

/// Rows of the history tables; the JSON has them all.
const HISTORY_ROWS: usize = 20;

fn history_v(plan: &Plan, h: &seamline_plan::PlanHistory) -> HistoryV {
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

/// One dependency of a module in the explorer's data: target module index, kind index,
/// count, file index of the first occurrence (-1: unknown) and its line.
type DepRow = (u32, u8, u32, i64, u32);

/// One module of the explorer's data: path, file index (-1: none), context index (-1: the
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

fn module_data(facts: &ir::Facts, proposal: &Proposal, plan: &Plan) -> ScriptJson {
    let n = facts.modules.len();
    let context_of = |m: ir::ModuleId| -> i64 {
        proposal
            .map
            .module_context
            .get(m.index())
            .copied()
            .flatten()
            .filter(|c| c.index() < plan.context_names.len())
            .map_or(-1, |c| c.index() as i64)
    };
    let deps = if facts.validate().is_ok() {
        facts.module_deps()
    } else {
        Vec::new()
    };
    let mut kinds: Vec<&'static str> = Vec::new();
    let mut fan_in: Vec<BTreeSet<ir::ModuleId>> = vec![BTreeSet::new(); n];
    let mut by_from: Vec<Vec<DepRow>> = vec![Vec::new(); n];
    let mut fan_out: Vec<BTreeSet<ir::ModuleId>> = vec![BTreeSet::new(); n];
    for d in &deps {
        if d.to.index() >= n || d.from.index() >= n {
            continue;
        }
        let kind = d.kind.as_str();
        let k = kinds.iter().position(|x| *x == kind).unwrap_or_else(|| {
            kinds.push(kind);
            kinds.len() - 1
        });
        fan_in[d.to.index()].insert(d.from);
        fan_out[d.from.index()].insert(d.to);
        let file = if d.first.file.index() < facts.files.len() {
            d.first.file.index() as i64
        } else {
            -1
        };
        by_from[d.from.index()].push((d.to.0, k as u8, d.count, file, d.first.line));
    }
    let modules = facts
        .modules
        .iter()
        .zip(by_from)
        .enumerate()
        .map(|(i, (m, deps))| {
            (
                m.path.as_str(),
                if m.file.index() < facts.files.len() {
                    m.file.index() as i64
                } else {
                    -1
                },
                context_of(m.id),
                m.code_lines,
                m.items.len(),
                fan_out[i].len(),
                fan_in[i].len(),
                deps,
            )
        })
        .collect();
    script_json(&ModuleData {
        contexts: plan
            .context_names
            .iter()
            .enumerate()
            .map(|(i, name)| (name.as_str(), colour(ContextId(i as u32))))
            .collect(),
        kinds,
        files: facts.files.iter().map(|f| f.path.as_str()).collect(),
        modules,
    })
}

struct DiagV {
    severity: &'static str,
    code: &'static str,
    at: String,
    message: String,
}

struct Term {
    name: &'static str,
    formula: &'static str,
    meaning: &'static str,
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
/// tens of megabytes that took seconds to open (issue 13).
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

fn page(facts: &ir::Facts, proposal: &Proposal, plan: &Plan) -> Page {
    let n = &plan.numbers;
    let (verdict_class, verdict_title) = match plan.verdict {
        Verdict::SplitNow => ("split", plan.verdict.title()),
        Verdict::ModulariseFirst => ("modularise", plan.verdict.title()),
        Verdict::KeepMonolith => ("keep", plan.verdict.title()),
    };
    let stats = vec![
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
    ];

    let step_of: BTreeMap<ContextId, usize> = plan
        .extraction
        .iter()
        .map(|s| (s.context, s.step))
        .collect();
    let services = plan
        .services
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
                    endpoint: a.is_endpoint(),
                })
                .collect();
            let n_endpoints = api.iter().filter(|a| a.endpoint).count();
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
                step: step_of
                    .get(&s.context)
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
                n_endpoints,
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
        .collect();

    let field_v = |f: &seamline_plan::FieldUse| FieldV {
        holder: f.holder.name.clone(),
        field: f.field.clone(),
        ty: f.ty.clone(),
        at: f.at.to_string(),
        context: f.context.map(|c| chip(plan, c)),
    };
    let shared_models = plan
        .shared_models
        .iter()
        .map(|m| SharedModelV {
            name: m.model.name.clone(),
            path: m.model.path.clone(),
            at: m.model.at.to_string(),
            owner: m.owner.map(|c| chip(plan, c)),
            used_by: m.used_by.iter().map(|&c| chip(plan, c)).collect(),
            references: m.references,
            id_type: m.id_type,
            on_purpose: m.id_type || m.owner.is_none(),
            embedded: m
                .embedded_in
                .iter()
                .take(shown::FIELDS)
                .map(field_v)
                .collect(),
            by_id: m
                .held_by_id
                .iter()
                .take(shown::FIELDS)
                .map(field_v)
                .collect(),
            fields_left: m.embedded_in.len().saturating_sub(shown::FIELDS)
                + m.held_by_id.len().saturating_sub(shown::FIELDS),
            change: rich(&m.change),
        })
        .collect::<Vec<SharedModelV>>();
    let (to_untangle, on_purpose): (Vec<SharedModelV>, Vec<SharedModelV>) =
        shared_models.into_iter().partition(|m| !m.on_purpose);
    let (shared_models, models_left) = top(to_untangle, shown::MODELS, |m| u64::from(m.references));
    let (on_purpose, on_purpose_left) = top(on_purpose, shown::MODELS_ON_PURPOSE, |m| {
        u64::from(m.references)
    });
    let shared_tables = plan
        .shared_tables
        .iter()
        .map(|t| SharedTableV {
            name: visible(&t.table.name),
            owner: t.owner.map(|c| chip(plan, c)),
            owner_proposed: t.owner_proposed,
            uses_left: t.uses.len().saturating_sub(shown::TABLE_USES),
            uses: t
                .uses
                .iter()
                .take(shown::TABLE_USES)
                .map(|u| TableUseV {
                    context: chip(plan, u.context),
                    reads: u.reads,
                    writes: u.writes,
                    at: u.at.as_ref().map(|l| l.to_string()).unwrap_or_default(),
                    owner: Some(u.context) == t.owner,
                })
                .collect(),
            weight: t
                .uses
                .iter()
                .map(|u| u64::from(u.reads) + u64::from(u.writes))
                .sum(),
            technique: t.technique.title(),
            technique_class: t.technique.as_str(),
            change: rich(&t.change),
        })
        .collect();
    let (shared_tables, tables_left) = top(shared_tables, shown::TABLES, |t| t.weight);
    let cycles = plan
        .cycles
        .iter()
        .map(|c| CycleV {
            contexts: c.contexts.iter().map(|&x| chip(plan, x)).collect(),
            edges_left: c.edges.len().saturating_sub(shown::CYCLE_EDGES),
            edges: top(
                c.edges
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        let (evidence, evidence_left) =
                            top(e.evidence.iter().collect(), shown::EVIDENCE, |r| {
                                u64::from(r.count)
                            });
                        EdgeV {
                            from: chip(plan, e.from),
                            to: chip(plan, e.to),
                            references: e.references,
                            cut: c.cuts.iter().any(|cut| cut.edge == i),
                            evidence: evidence.into_iter().map(|r| ref_v(plan, r)).collect(),
                            evidence_left,
                        }
                    })
                    .collect(),
                shown::CYCLE_EDGES,
                // The edges to cut first, then the heaviest.
                |e| u64::from(e.cut) << 32 | u64::from(e.references),
            )
            .0,
            cuts_left: c.cuts.len().saturating_sub(shown::CUTS),
            cuts: c
                .cuts
                .iter()
                .take(shown::CUTS)
                .filter_map(|cut| {
                    let e = c.edges.get(cut.edge)?;
                    Some(CutV {
                        from: chip(plan, e.from),
                        to: chip(plan, e.to),
                        technique: cut.technique.title(),
                        rationale: rich(&cut.rationale),
                    })
                })
                .collect(),
        })
        .collect();
    let n_steps = plan.extraction.len();
    let steps = plan
        .extraction
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
        .collect();

    // Module explorer: compact data, rows made by the page's script on demand.
    let modules = module_data(facts, proposal, plan);
    let n_modules = facts.modules.len();

    let diagnostics_left = facts.diagnostics.len().saturating_sub(shown::DIAGNOSTICS);
    let diagnostics = facts
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
        .collect();

    let m = &proposal.metrics;
    let q = |value: String, label: &'static str, better: &str| Stat {
        value,
        label,
        hint: better.to_owned(),
        tone: "",
    };
    let quality = vec![
        q(
            format!("{:.2}", m.modularity),
            "Modularity Q",
            "higher is better",
        ),
        q(
            format!("{:.2}", m.structural_modularity),
            "Structural modularity SM",
            "higher is better",
        ),
        q(
            format!("{:.0}%", m.inter_call_percentage * 100.0),
            "Inter-call percentage ICP",
            "lower is better",
        ),
        q(
            format!("{:.1}", m.interface_number),
            "Interface number IFN",
            "lower is better",
        ),
        q(
            format!("{:.0}%", m.non_extreme_distribution * 100.0),
            "Non-extreme distribution NED",
            "lower is better",
        ),
    ];
    let p = &proposal.provenance;
    let provenance = format!(
        "{} granularity; {} (resolution {:.2}, seed {}), best of {} runs.",
        p.granularity, p.algorithm, p.resolution, p.seed, p.runs
    );
    let t = &plan.thresholds;
    let thresholds = vec![
        (
            "Keep the monolith below".to_owned(),
            format!("{} lines of code", thousands(t.keep_below_code_lines)),
        ),
        (
            "Keep the monolith with fewer than".to_owned(),
            format!("{} contexts", t.min_contexts),
        ),
        (
            "Over-fragmented below".to_owned(),
            format!(
                "{} lines per context on average",
                thousands(t.min_mean_context_lines)
            ),
        ),
        (
            "Modularise first below modularity".to_owned(),
            format!("{:.2}", t.min_modularity),
        ),
        (
            "… or with contexts in cycles above".to_owned(),
            format!("{:.0}%", t.max_cycle_share * 100.0),
        ),
        (
            "… or with shared tables above".to_owned(),
            format!("{:.0}%", t.max_shared_table_share * 100.0),
        ),
        (
            "… or with shared models above".to_owned(),
            format!("{:.0}%", t.max_shared_model_share * 100.0),
        ),
        (
            "Replicate a table by events from".to_owned(),
            format!("{} reads", t.hot_read_count),
        ),
    ];
    let mut thresholds = thresholds;
    let mut glossary = glossary();
    if plan.history.is_some() {
        thresholds.extend([
            (
                "Not independently deployable from".to_owned(),
                format!(
                    "degree {:.2} over {} shared commits",
                    t.coupled_min_degree, t.coupled_min_shared_commits
                ),
            ),
            (
                "Distinct owner from".to_owned(),
                format!("{:.0}% of the commits", t.distinct_owner_share * 100.0),
            ),
            (
                "History discount on the seam cost, at most".to_owned(),
                format!("{:.0}%", t.history_discount * 100.0),
            ),
        ]);
        glossary.extend(history_glossary());
    }

    let map = svg::layout(plan);
    Page {
        root: if facts.root.is_empty() {
            "codebase".to_owned()
        } else {
            facts.root.clone()
        },
        verdict_class,
        verdict_title,
        verdict_advice: plan.advice.clone(),
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
        stats,
        has_map: !map.nodes.is_empty(),
        map_layered: map.layered,
        map,
        contexts: (0..plan.context_names.len())
            .map(|i| chip(plan, ContextId(i as u32)))
            .collect(),
        n_kernel: proposal.kernel_modules.len(),
        kernel: proposal
            .kernel_modules
            .iter()
            .take(shown::KERNEL)
            .enumerate()
            .filter_map(|(i, m)| {
                Some(KernelV {
                    path: facts.modules.get(m.index())?.path.clone(),
                    reason: proposal.kernel_reasons.get(i).cloned().unwrap_or_default(),
                })
            })
            .collect(),
        services,
        n_shared_models: plan.shared_models.len(),
        shared_models,
        models_left,
        on_purpose,
        on_purpose_left,
        n_shared_tables: plan.shared_tables.len(),
        shared_tables,
        tables_left,
        cycles,
        steps,
        modules,
        n_modules,
        n_diagnostics: facts.diagnostics.len(),
        diagnostics,
        diagnostics_left,
        quality,
        provenance,
        thresholds,
        glossary,
        history: plan.history.as_ref().map(|h| history_v(plan, h)),
    }
}

fn history_glossary() -> [Term; 3] {
    [
        Term {
            name: "Hotspot",
            formula: "score = (commits / max commits) × (lines of code / max lines of code)",
            meaning: "Tornhill (Your Code as a Crime Scene; CodeScene): code that is both large and changed often is where the cost of change concentrates. A hotspot split across services gets slower to change, not faster.",
        },
        Term {
            name: "Degree of change coupling",
            formula: "degree = shared commits / ((commits of a + commits of b) / 2)",
            meaning: "How often two modules change in the same commit (code-maat, CodeScene). Across contexts it is the hidden coupling static analysis cannot see: a shared format, a protocol, duplicated rules.",
        },
        Term {
            name: "Ranked seam cost (with history)",
            formula: "ranked = cost × (1 − d/2 × change rate − d/2 × [distinct owner])",
            meaning: "The extraction order prefers contexts that change often and have their own main author (d is the largest discount): extracting them first pays off soonest and needs the fewest people to coordinate.",
        },
    ]
}

fn glossary() -> Vec<Term> {
    vec![
        Term {
            name: "Modularity Q",
            formula: "Q = Σ_c [ L_c / m − (d_c / 2m)² ]",
            meaning: "Newman–Girvan modularity (γ = 1) of the partition on the weighted dependency graph, shared kernel left out: L_c is the weight inside context c, d_c the total degree of its nodes, m the total weight. Above 0.3 the graph has a significant community structure.",
        },
        Term {
            name: "Structural modularity SM",
            formula: "SM = (1/K) Σ_i μ_i / N_i² − (1 / (K(K−1)/2)) Σ_{i<j} σ_ij / (2 N_i N_j)",
            meaning: "Jin et al. 2019, as in the Mono2Micro replication: mean cohesion of the K contexts (μ_i internal edges over N_i nodes) minus their mean pairwise coupling (σ_ij edges between i and j). Higher is better.",
        },
        Term {
            name: "Inter-call percentage ICP",
            formula: "ICP = call sites between contexts / all call sites between contexts' items",
            meaning: "Jin et al.; Mono2Micro: the share of calls that would cross the network after the split. Lower is better.",
        },
        Term {
            name: "Interface number IFN",
            formula: "IFN = (1/K) Σ_c |interface_c|",
            meaning: "Jin et al.'s definition: the mean number of published interfaces per context, an interface being an item used from another context (the candidate endpoints). Lower is better.",
        },
        Term {
            name: "Non-extreme distribution NED",
            formula: "NED = items in contexts of extreme size / all items, extreme = outside 5..max(20, n/4)",
            meaning: "Jin et al. 2019: the share of the code in contexts that are too small or too large, size counted in owner items (types, free functions; methods count with their type). Lower is better.",
        },
        Term {
            name: "Instability I",
            formula: "I = Ce / (Ca + Ce)",
            meaning: "Martin: Ce counts the contexts this one depends on, Ca those depending on it. 0 is maximally stable (everyone depends on it), 1 maximally unstable.",
        },
        Term {
            name: "Cross-context reference",
            formula: "a reference or table access whose two ends are in different contexts",
            meaning: "Each one must be rewritten when the seam becomes a network boundary: a call, an event, an ID or a DTO. References to the shared kernel stay library calls.",
        },
        Term {
            name: "Seam cost",
            formula: "cost = 4 × synchronous call sites + notification sites + type sites (imports are free)",
            meaning: "How the extraction order ranks contexts: a synchronous call needs the other side to be up (timeouts, circuit breakers); a notification becomes an event; a type becomes an ID or a DTO.",
        },
        Term {
            name: "Shared model / shared table",
            formula: "used (or touched) by more than one context",
            meaning: "Each must end with one owner: others hold an ID and ask the owner, or keep a read model replicated by events.",
        },
    ]
}

/// A share as a whole percentage.
fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}
