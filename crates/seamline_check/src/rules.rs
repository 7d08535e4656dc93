//! The rules of `seamline check`, evaluated on an [`Assignment`]: forbidden dependencies,
//! cycles between contexts, metric thresholds, unmatched allowances, unassigned modules.

use seamline_ir::format::plural;
use std::collections::{BTreeMap, BTreeSet};

use seamline_cluster::contexts::glob_match;
use seamline_ir as ir;

use seamline_cluster::contexts::{self as cluster, Crossing};
use seamline_ir::ContextId;

use crate::assign::{self, Assignment, Slot, Source};
use crate::{Place, Rule, Violation, sort_violations};
use seamline_config::{Allowance, CheckSettings, Level, Pos, Threshold, Unlisted};

/// At most this many items are listed in a metric violation's notes.
const MAX_LISTED: usize = 10;

/// How [`check`] reports.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions<'a> {
    /// `-A/-W/-D` from the command line (`Level::Off` drops a rule's violations).
    pub overrides: &'a BTreeMap<Rule, Level>,
    /// The analysed root as the user wrote it: prefixed to source paths (nothing for `.`),
    /// so that places are relative to the current directory.
    pub root: &'a str,
}

/// Evaluates every rule. The result is sorted ([`sort_violations`]).
pub fn check(
    facts: &ir::Facts,
    assignment: &Assignment,
    settings: &CheckSettings,
    options: &CheckOptions<'_>,
) -> Vec<Violation> {
    let overrides = options.overrides;
    let measures = assignment.map.measure(facts, assignment.names.len());
    let crossings = assignment.crossings();
    let cx = Cx {
        facts,
        assignment,
        settings,
        crossings: &crossings,
        measures: &measures,
        root: options.root,
    };
    let mut out = Vec::new();
    cx.forbidden(&mut out);
    cx.cycles(&mut out);
    cx.shared_models(&mut out);
    cx.shared_tables(&mut out);
    cx.cross_context_dependencies(&mut out);
    cx.instability(&mut out);
    cx.modularity(&mut out);
    cx.unassigned(&mut out);
    cx.unmatched_patterns(&mut out);
    let mut out: Vec<Violation> = out
        .into_iter()
        .filter_map(|mut v| match overrides.get(&v.rule).copied() {
            Some(level) => {
                v.severity = level.severity()?;
                Some(v)
            }
            None => Some(v),
        })
        .collect();
    sort_violations(&mut out);
    out
}

/// Today's values of the thresholded metrics (for `seamline init` comments).
#[derive(Debug, Clone, PartialEq)]
pub struct Measures {
    /// Dependencies crossing a context boundary.
    pub cross_context_dependencies: usize,
    /// Models used outside their context.
    pub shared_models: usize,
    /// Tables touched by more than one context.
    pub shared_tables: usize,
    /// The highest instability of a context, with its name.
    pub max_instability: Option<(String, f64)>,
    /// Cycles between contexts, each as sorted context names.
    pub cycles: Vec<Vec<String>>,
}

/// Measures an assignment (modularity is left out: see [`assign::modularity`]).
pub fn measures(facts: &ir::Facts, assignment: &Assignment) -> Measures {
    let measures = assignment.map.measure(facts, assignment.names.len());
    let crossings = assignment.crossings();
    let settings = seamline_config::Settings::defaults("seamline.toml").check;
    let cx = Cx {
        facts,
        assignment,
        settings: &settings,
        crossings: &crossings,
        measures: &measures,
        root: ".",
    };
    let (ca, ce) = cx.afferent_efferent();
    let max_instability = assignment
        .names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), instability(ca[i].len(), ce[i].len())))
        .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
    Measures {
        cross_context_dependencies: cx.crossings.len(),
        shared_models: cx.shared_model_users().len(),
        shared_tables: cx.shared_table_users().len(),
        max_instability,
        cycles: cx.sccs().into_iter().map(|(names, _)| names).collect(),
    }
}

fn instability(ca: usize, ce: usize) -> f64 {
    if ca + ce == 0 {
        0.0
    } else {
        ce as f64 / (ca + ce) as f64
    }
}

struct Cx<'a> {
    facts: &'a ir::Facts,
    assignment: &'a Assignment,
    settings: &'a CheckSettings,
    crossings: &'a [Crossing],
    measures: &'a cluster::Measures,
    root: &'a str,
}

/// `root/file`, or `file` when the root is `.` or empty.
pub fn join_root(root: &str, file: &str) -> String {
    let root = root.trim_end_matches(['/', '\\']);
    if root.is_empty() || root == "." {
        file.to_owned()
    } else {
        format!("{root}/{file}")
    }
}

fn matches(a: &Allowance, from: &str, to: &str) -> bool {
    glob_match(&a.from, from) && glob_match(&a.to, to)
}

fn fmt_value(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

impl Cx<'_> {
    fn source_place(&self, loc: ir::Location) -> Place {
        Place {
            file: self
                .facts
                .files
                .get(loc.file.index())
                .map_or_else(|| "?".to_owned(), |f| join_root(self.root, &f.path)),
            line: loc.line,
            col: loc.col,
            in_config: false,
        }
    }

    fn config_place(&self, pos: Pos) -> Place {
        Place {
            file: self.settings.path.clone(),
            line: pos.line,
            col: pos.col,
            in_config: true,
        }
    }

    fn name(&self, c: ContextId) -> &str {
        self.assignment.name(c)
    }

    /// How to remove a dependency of this kind (DOMAIN.md's techniques).
    fn remedy(&self, c: &Crossing) -> &'static str {
        let to_model = c
            .to_item
            .and_then(|i| self.facts.items.get(self.facts.owner_item(i).index()))
            .is_some_and(|i| i.kind.is_model());
        match c.kind {
            ir::DepKind::Type if to_model => {
                "hold the other context's id instead of its model (reference by ID)"
            }
            ir::DepKind::Table => {
                "ask the owning context through its API instead of touching its table"
            }
            ir::DepKind::Call => {
                "call the other context through its public API, or react to its events"
            }
            _ => "remove the dependency or move the code to the context it belongs to",
        }
    }

    fn forbidden(&self, out: &mut Vec<Violation>) {
        let rules = &self.settings.rules;
        let mut used = vec![false; rules.allow.len()];
        // Allow and deny entries match context names: resolve them once per context pair
        // rather than once per reference (a large codebase has thousands of crossings).
        let mut verdicts: BTreeMap<(ContextId, ContextId), (bool, Option<&Allowance>)> =
            BTreeMap::new();
        for c in self.crossings {
            let (from, to) = (self.name(c.from), self.name(c.to));
            let &mut (allowed, denied) = verdicts.entry((c.from, c.to)).or_insert_with(|| {
                let mut allowed = false;
                for (i, a) in rules.allow.iter().enumerate() {
                    if matches(a, from, to) {
                        used[i] = true;
                        allowed = true;
                    }
                }
                (allowed, rules.deny.iter().find(|d| matches(d, from, to)))
            });
            let forbidden = denied.is_some() || (!allowed && rules.unlisted == Unlisted::Forbid);
            let Some(severity) = rules.forbidden.severity() else {
                continue;
            };
            if !forbidden {
                continue;
            }
            let mut notes = vec![assign::describe(c, self.facts)];
            let help = match denied {
                Some(d) => {
                    let mut why = format!(
                        "`{}` -> `{}` is denied at {}:{}:{}",
                        d.from, d.to, self.settings.path, d.pos.line, d.pos.col
                    );
                    if !d.reason.is_empty() {
                        why.push_str(&format!(": {}", d.reason));
                    }
                    notes.push(why);
                    self.remedy(c).to_owned()
                }
                None => format!(
                    "{}; or, if it is intended, add `{{ from = \"{from}\", to = \"{to}\", reason = \"...\" }}` to `allow` in [rules] of {}",
                    self.remedy(c),
                    self.settings.path
                ),
            };
            let message = if denied.is_some() {
                format!("`{from}` depends on `{to}`, which seamline.toml denies")
            } else {
                format!("`{from}` depends on `{to}`, which no `allow` entry permits")
            };
            out.push(Violation {
                rule: Rule::ForbiddenDependency,
                severity,
                contexts: vec![from.to_owned(), to.to_owned()],
                message,
                place: Some(self.source_place(c.location)),
                notes,
                help: Some(help),
                identity: vec![
                    from.to_owned(),
                    to.to_owned(),
                    assign::from_path(c, self.facts).to_owned(),
                    assign::to_path(c, self.facts),
                    c.kind.as_str().to_owned(),
                ],
            });
        }
        for (a, used) in rules.allow.iter().zip(used) {
            if used {
                continue;
            }
            out.push(Violation {
                rule: Rule::UnmatchedAllowance,
                severity: Rule::UnmatchedAllowance.default_severity(),
                contexts: vec![a.from.clone(), a.to.clone()],
                message: format!(
                    "the allowance `{}` -> `{}` matches no dependency between contexts",
                    a.from, a.to
                ),
                place: Some(self.config_place(a.pos)),
                notes: vec![format!("its reason: {}", a.reason)],
                help: Some(
                    "remove it, so that the dependency cannot come back unnoticed".to_owned(),
                ),
                identity: vec![a.from.clone(), a.to.clone()],
            });
        }
    }

    /// Context-level edges: (from, to) -> crossings, in order.
    fn edges(&self) -> BTreeMap<(ContextId, ContextId), Vec<&Crossing>> {
        let mut edges: BTreeMap<(ContextId, ContextId), Vec<&Crossing>> = BTreeMap::new();
        for c in self.crossings {
            edges.entry((c.from, c.to)).or_default().push(c);
        }
        edges
    }

    /// Strongly connected components of the context graph with more than one context:
    /// (sorted names, members).
    fn sccs(&self) -> Vec<(Vec<String>, BTreeSet<ContextId>)> {
        self.measures
            .cycles
            .iter()
            .map(|cycle| {
                let members: BTreeSet<ContextId> = cycle.contexts.iter().copied().collect();
                let mut names: Vec<String> =
                    members.iter().map(|&c| self.name(c).to_owned()).collect();
                names.sort();
                (names, members)
            })
            .collect()
    }

    fn cycles(&self, out: &mut Vec<Violation>) {
        let declared = self.assignment.source == Source::Declared;
        let Some(severity) = self.settings.rules.no_cycles_level(declared).severity() else {
            return;
        };
        let edges = self.edges();
        for (names, members) in self.sccs() {
            let inside: Vec<(&(ContextId, ContextId), &Vec<&Crossing>)> = edges
                .iter()
                .filter(|((a, b), _)| members.contains(a) && members.contains(b))
                .collect();
            let refs = |v: &Vec<&Crossing>| v.iter().map(|c| u64::from(c.count)).sum::<u64>();
            // The weakest edge is the cheapest one to cut: the violation points at it.
            let Some((&(wa, wb), weakest)) = inside
                .iter()
                .min_by_key(|((a, b), v)| (refs(v), self.name(*a), self.name(*b)))
                .copied()
            else {
                continue;
            };
            // Weakest edges first: they are the ones worth cutting. Long cycles are capped.
            let mut ranked = inside.clone();
            ranked.sort_by_key(|((a, b), v)| (refs(v), self.name(*a), self.name(*b)));
            let mut notes: Vec<String> = ranked
                .iter()
                .take(MAX_LISTED)
                .map(|((a, b), v)| {
                    let first = v.iter().map(|c| c.location).min();
                    let at = first.map_or(String::new(), |l| {
                        let p = self.source_place(l);
                        format!(", first at {}:{}:{}", p.file, p.line, p.col)
                    });
                    format!(
                        "`{}` -> `{}`: {}{at}",
                        self.name(*a),
                        self.name(*b),
                        plural(refs(v) as usize, "reference", "references")
                    )
                })
                .collect();
            if ranked.len() > MAX_LISTED {
                notes.push(format!(
                    "and {} more edges inside the cycle",
                    ranked.len() - MAX_LISTED
                ));
            }
            let first = weakest.iter().map(|c| c.location).min();
            let weakest_first = weakest.iter().min_by_key(|c| c.location);
            if let Some(c) = weakest_first {
                notes.push(format!("here {}", assign::describe(c, self.facts)));
            }
            out.push(Violation {
                rule: Rule::CrossContextCycle,
                severity,
                contexts: names.clone(),
                message: format!(
                    "contexts {} depend on each other in a cycle",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
                place: first.map(|l| self.source_place(l)),
                notes,
                help: Some(format!(
                    "the weakest edge of the cycle is `{}` -> `{}` ({}): remove or invert it (an event, a port owned by `{}`)",
                    self.name(wa),
                    self.name(wb),
                    plural(refs(weakest) as usize, "reference", "references"),
                    self.name(wa)
                )),
                identity: names,
            });
        }
    }

    fn threshold_violation(
        &self,
        rule: Rule,
        t: &Threshold,
        actual: f64,
        message: String,
        notes: Vec<String>,
        context: Option<&str>,
    ) -> Option<Violation> {
        let contexts: Vec<String> = context.map(str::to_owned).into_iter().collect();
        let severity = t.level.severity()?;
        Some(Violation {
            rule,
            severity,
            message,
            place: Some(self.config_place(t.pos)),
            notes,
            help: Some(format!(
                "today's value is {}; reduce it, or raise the threshold in {}",
                fmt_value(actual),
                self.settings.path
            )),
            identity: contexts.clone(),
            contexts,
        })
    }

    /// Models used from another context than their own: model -> using contexts. (Kernel
    /// models belong to no context, so they are not "used outside" one.)
    fn shared_model_users(&self) -> BTreeMap<ir::ItemId, BTreeSet<ContextId>> {
        self.measures
            .shared_models
            .iter()
            .filter(|m| m.owner.is_some())
            .map(|m| (m.model, m.used_by.iter().copied().collect()))
            .collect()
    }

    /// Tables touched by more than one context: table -> contexts (owners included).
    fn shared_table_users(&self) -> BTreeMap<ir::TableId, BTreeSet<ContextId>> {
        self.measures
            .shared_tables
            .iter()
            .map(|t| (t.table, t.accesses.iter().map(|&(c, _, _)| c).collect()))
            .collect()
    }

    /// Per context: the contexts depending on it (Ca) and those it depends on (Ce).
    fn afferent_efferent(&self) -> (&[BTreeSet<ContextId>], &[BTreeSet<ContextId>]) {
        (&self.measures.afferent, &self.measures.efferent)
    }

    fn shared_models(&self, out: &mut Vec<Violation>) {
        let Some(t) = &self.settings.rules.max_shared_models else {
            return;
        };
        let users = self.shared_model_users();
        let n = users.len();
        if (n as f64) <= t.value {
            return;
        }
        let notes = users
            .iter()
            .take(MAX_LISTED)
            .map(|(&m, by)| {
                let owner = match self.assignment.item(m) {
                    Slot::Context(c) => self.name(ContextId(c)).to_owned(),
                    _ => "?".to_owned(),
                };
                let by: Vec<&str> = by.iter().map(|&c| self.name(c)).collect();
                format!(
                    "`{}` ({owner}) is used by {}",
                    self.facts.items[m.index()].path,
                    by.join(", ")
                )
            })
            .collect();
        out.extend(self.threshold_violation(
            Rule::TooManySharedModels,
            t,
            n as f64,
            format!(
                "{} used outside the context that defines {}, more than the {} allowed",
                plural(n, "model is", "models are"),
                if n == 1 { "it" } else { "them" },
                fmt_value(t.value)
            ),
            notes,
            None,
        ));
    }

    fn shared_tables(&self, out: &mut Vec<Violation>) {
        let Some(t) = &self.settings.rules.max_shared_tables else {
            return;
        };
        let touched = self.shared_table_users();
        let n = touched.len();
        if (n as f64) <= t.value {
            return;
        }
        let notes = touched
            .iter()
            .take(MAX_LISTED)
            .map(|(&table, set)| {
                let by: Vec<&str> = set.iter().map(|&c| self.name(c)).collect();
                format!(
                    "table `{}` is touched by {}",
                    self.facts.tables[table.index()].name,
                    by.join(", ")
                )
            })
            .collect();
        out.extend(self.threshold_violation(
            Rule::TooManySharedTables,
            t,
            n as f64,
            format!(
                "{} touched by more than one context, more than the {} allowed",
                plural(n, "table is", "tables are"),
                fmt_value(t.value)
            ),
            notes,
            None,
        ));
    }

    fn cross_context_dependencies(&self, out: &mut Vec<Violation>) {
        let Some(t) = &self.settings.rules.max_cross_context_dependencies else {
            return;
        };
        let n = self.crossings.len();
        if (n as f64) <= t.value {
            return;
        }
        let notes = self
            .edges()
            .iter()
            .map(|((a, b), v)| {
                format!(
                    "`{}` -> `{}`: {}",
                    self.name(*a),
                    self.name(*b),
                    plural(v.len(), "dependency", "dependencies")
                )
            })
            .collect();
        out.extend(self.threshold_violation(
            Rule::TooManyCrossContextDependencies,
            t,
            n as f64,
            format!(
                "{} cross a context boundary, more than the {} allowed",
                plural(n, "dependency", "dependencies"),
                fmt_value(t.value)
            ),
            notes,
            None,
        ));
    }

    fn instability(&self, out: &mut Vec<Violation>) {
        let global = self.settings.rules.max_instability;
        let (ca, ce) = self.afferent_efferent();
        for (i, name) in self.assignment.names.iter().enumerate() {
            let decl = self.settings.contexts.iter().find(|d| &d.name == name);
            let own = decl.and_then(|d| d.max_instability.map(|x| (x, d.pos)));
            let (limit, pos, level) = match (own, global) {
                (Some((x, pos)), Some(g)) => (x, pos, g.level),
                (Some((x, pos)), None) => (x, pos, Level::Error),
                (None, Some(g)) => (g.value, g.pos, g.level),
                (None, None) => continue,
            };
            let (a, e) = (ca[i].len(), ce[i].len());
            let value = instability(a, e);
            if value <= limit {
                continue;
            }
            let t = Threshold {
                value: limit,
                level,
                pos,
            };
            let list = |s: &BTreeSet<ContextId>| {
                let v: Vec<&str> = s.iter().map(|&c| self.name(c)).collect();
                if v.is_empty() {
                    "none".to_owned()
                } else {
                    v.join(", ")
                }
            };
            out.extend(self.threshold_violation(
                Rule::UnstableContext,
                &t,
                value,
                format!(
                    "context `{name}` has instability {value:.2} (Ce {e} / (Ca {a} + Ce {e})), above the {} allowed",
                    fmt_value(limit)
                ),
                vec![
                    format!("`{name}` depends on: {}", list(&ce[i])),
                    format!("used by: {}", list(&ca[i])),
                ],
                Some(name),
            ));
        }
    }

    fn modularity(&self, out: &mut Vec<Violation>) {
        let Some(t) = &self.settings.rules.min_modularity else {
            return;
        };
        let q = assign::modularity(self.facts, self.assignment);
        if q >= t.value {
            return;
        }
        let mut v = self.threshold_violation(
            Rule::LowModularity,
            t,
            q,
            format!(
                "the modularity Q of the contexts is {q:.3}, below the {} required",
                fmt_value(t.value)
            ),
            vec![format!(
                "Q is Newman-Girvan modularity on the module dependency graph, kernel left out ({} contexts)",
                self.assignment.names.len()
            )],
            None,
        );
        if let Some(v) = &mut v {
            v.help = Some(format!(
                "today's value is {q:.3}; move modules to the context they talk to most, or lower the threshold in {}",
                self.settings.path
            ));
        }
        out.extend(v);
    }

    fn unmatched_patterns(&self, out: &mut Vec<Violation>) {
        if self.assignment.source != Source::Declared {
            return;
        }
        let owners = self
            .settings
            .contexts
            .iter()
            .flat_map(|c| {
                c.modules
                    .iter()
                    .map(move |p| (format!("context `{}`", c.name), p))
            })
            .chain(
                self.settings
                    .kernel
                    .iter()
                    .map(|p| ("the kernel".to_owned(), p)),
            );
        let modules = assign::ModuleTexts::new(self.facts);
        for (owner, pattern) in owners {
            let matches = |glob: &str| modules.any(glob);
            // `x::**` next to an existing `x` is the idiom for "x and what may grow under
            // it": not a mistake even while `x` has no children.
            let matched =
                matches(&pattern.glob) || pattern.glob.strip_suffix("::**").is_some_and(matches);
            if matched {
                continue;
            }
            out.push(Violation {
                rule: Rule::UnmatchedModulePattern,
                severity: Rule::UnmatchedModulePattern.default_severity(),
                contexts: Vec::new(),
                message: format!(
                    "the pattern \"{}\" of {owner} matches no module",
                    pattern.glob
                ),
                place: Some(self.config_place(pattern.pos)),
                notes: vec![
                    "patterns match module paths (`crate::billing::**`) or file paths relative to the analysed root (`src/billing/**`)".to_owned(),
                ],
                help: Some("fix or remove the pattern".to_owned()),
                identity: vec![owner, pattern.glob.clone()],
            });
        }
    }

    fn unassigned(&self, out: &mut Vec<Violation>) {
        if self.assignment.source != Source::Declared {
            return;
        }
        for m in &self.facts.modules {
            if self.assignment.module(m.id) != Slot::Unassigned || m.items.is_empty() {
                continue;
            }
            let file = self.facts.files.get(m.file.index());
            out.push(Violation {
                rule: Rule::UnassignedModule,
                severity: Rule::UnassignedModule.default_severity(),
                contexts: Vec::new(),
                message: format!("module `{}` belongs to no declared context", m.path),
                place: file.map(|f| Place {
                    file: join_root(self.root, &f.path),
                    line: m.span.start.max(1),
                    col: 1,
                    in_config: false,
                }),
                notes: Vec::new(),
                help: Some(format!(
                    "add a pattern matching it to a context's `modules` (or to `[kernel] modules`) in {}",
                    self.settings.path
                )),
                identity: vec![m.path.clone()],
            });
        }
    }
}
