//! Git history as an optional input of the plan: churn, ownership, hotspots and
//! change coupling, already aggregated per module and per context by the caller.
//!
//! The plan crate does not read git and does not depend on `seamline_history`: the binary
//! builds a [`HistorySignals`] of plain data (module and context ids, counts, shares) and
//! passes it to [`crate::plan_with_history`]. This file turns it into the [`PlanHistory`]
//! that renderers show, with display names resolved and every list in a stable order, and
//! finds the pairs of contexts that are not independently deployable.
//!
//! Two uses in the plan:
//! - **Extraction order.** "Start with a piece that will change a lot, or that has very
//!   distinct ownership" (DOMAIN.md): a context's seam cost is discounted by up to
//!   [`Thresholds::history_discount`], half for its change rate (its commits over those of
//!   the busiest context still in the monolith), half when it has a distinct owner (a main
//!   author with at least [`Thresholds::distinct_owner_share`] of its commits who is the main
//!   author of no other context). The step's reason gives the numbers.
//! - **Deployability.** Two contexts whose modules change together across the boundary (a
//!   module pair with a degree of coupling of at least [`Thresholds::coupled_min_degree`]
//!   over at least [`Thresholds::coupled_min_shared_commits`] shared commits) are flagged as
//!   not independently deployable, with the pairs as evidence: static analysis cannot see
//!   this coupling (a shared file format, a protocol, copy-pasted rules).
//!
//! The verdict uses only the team it shows (see the verdict module): few active
//! authors owning everything argue for keeping the monolith, distinct owners for splitting.
//! Churn and coupling stay out of it, so that a plan does not flip because of what changed
//! last month.

use crate::build::Input;
use crate::{ModuleRef, Thresholds};
use seamline_cluster::contexts::ContextId;
use seamline_ir as ir;
use seamline_ir::format::thousands;
use std::collections::{BTreeMap, BTreeSet};

/// What the git history says, aggregated by the caller onto the analysed modules and the
/// proposed contexts. Plain data: the plan does not know git.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HistorySignals {
    /// Non-merge commits examined.
    pub commits_read: usize,
    /// Merge commits skipped.
    pub merges_skipped: usize,
    /// Commits skipped because they changed too many files (bulk reformatting, vendoring).
    pub huge_skipped: usize,
    /// Churn and ownership per context (contexts no commit changed may be absent).
    pub per_context: Vec<ContextHistory>,
    /// Modules by churn × size.
    pub hotspots: Vec<ModuleHotspot>,
    /// Pairs of modules in different contexts that change in the same commits.
    pub cross_context_coupling: Vec<CrossCoupling>,
    /// Contexts changed by the same people: `(a, b, jaccard)`, the Jaccard index of their
    /// sets of authors.
    pub contributor_coupling: Vec<(ContextId, ContextId, f64)>,
}

/// Churn and ownership of one context.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextHistory {
    /// The context.
    pub context: ContextId,
    /// Commits that changed at least one of its files.
    pub commits: u32,
    /// Lines added to its files.
    pub lines_added: u64,
    /// Lines removed from its files.
    pub lines_removed: u64,
    /// The author with the most commits in it (untrusted text: renderers escape it).
    pub main_author: String,
    /// The main author's share of its commits, in `(0, 1]`.
    pub main_share: f64,
    /// Every author with their commits in it, most first.
    pub authors: Vec<(String, u32)>,
}

/// A module that both changes often and is large.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleHotspot {
    /// The module.
    pub module: ir::ModuleId,
    /// Commits that changed it.
    pub commits: u32,
    /// Its lines of code.
    pub code_lines: u64,
    /// Change frequency × size, normalised to `[0, 1]`.
    pub score: f64,
}

/// Two modules of different contexts that change together.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossCoupling {
    /// One module.
    pub a: ir::ModuleId,
    /// The other module.
    pub b: ir::ModuleId,
    /// Commits that changed both.
    pub shared: u32,
    /// Degree of coupling: `shared / mean(commits of a, commits of b)`, in `[0, 1]`.
    pub degree: f64,
}

/// The history section of the plan, ready for display.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanHistory {
    /// Non-merge commits examined.
    pub commits_read: usize,
    /// Merge commits skipped.
    pub merges_skipped: usize,
    /// Huge commits skipped.
    pub huge_skipped: usize,
    /// Churn and ownership per context, by context id (contexts out of range left out).
    pub contexts: Vec<ContextHistory>,
    /// Hotspots: score (descending), then commits (descending), then module path.
    pub hotspots: Vec<HotspotRow>,
    /// Module pairs across contexts that change together: degree (descending), then shared
    /// commits (descending), then paths.
    pub coupling: Vec<CouplingRow>,
    /// Contributor coupling between contexts, `a < b`, sorted by Jaccard (descending), then
    /// `(a, b)`.
    pub contributor_coupling: Vec<(ContextId, ContextId, f64)>,
    /// Pairs of contexts that are not independently deployable, by `(a, b)`.
    pub not_independent: Vec<CoupledContexts>,
}

/// A hotspot, ready for display.
#[derive(Debug, Clone, PartialEq)]
pub struct HotspotRow {
    /// The module.
    pub module: ModuleRef,
    /// Its context (`None`: the shared kernel).
    pub context: Option<ContextId>,
    /// Commits that changed it.
    pub commits: u32,
    /// Its lines of code.
    pub code_lines: u64,
    /// Change frequency × size, in `[0, 1]`.
    pub score: f64,
}

/// A pair of modules of different contexts that change together, ready for display.
#[derive(Debug, Clone, PartialEq)]
pub struct CouplingRow {
    /// One module (the smaller context id, then the smaller path).
    pub a: ModuleRef,
    /// Its context.
    pub a_context: ContextId,
    /// The other module.
    pub b: ModuleRef,
    /// Its context.
    pub b_context: ContextId,
    /// Commits that changed both.
    pub shared: u32,
    /// Degree of coupling, in `[0, 1]`.
    pub degree: f64,
    /// Whether it crosses the thresholds that make the two contexts not independently
    /// deployable.
    pub strong: bool,
}

/// Two contexts whose code changes together.
#[derive(Debug, Clone, PartialEq)]
pub struct CoupledContexts {
    /// The smaller context id.
    pub a: ContextId,
    /// The larger one.
    pub b: ContextId,
    /// Indices into [`PlanHistory::coupling`] of the strong pairs between them, strongest
    /// first.
    pub pairs: Vec<usize>,
    /// One sentence with the numbers.
    pub text: String,
}

impl PlanHistory {
    /// Churn and ownership of a context, if any commit changed it.
    pub fn context(&self, c: ContextId) -> Option<&ContextHistory> {
        self.contexts.iter().find(|h| h.context == c)
    }

    /// Whether a context changes together with another one (see [`CoupledContexts`]).
    pub fn is_independently_deployable(&self, c: ContextId) -> bool {
        !self.not_independent.iter().any(|p| p.a == c || p.b == c)
    }
}

/// Resolves the signals against the facts and the proposal: ids out of range and pairs
/// that turn out to sit in one context (or in the kernel) are left out.
pub(crate) fn resolve(input: &Input<'_>, s: &HistorySignals, t: &Thresholds) -> PlanHistory {
    let n_contexts = input.n_contexts();
    let valid = |c: ContextId| c.index() < n_contexts;

    let mut contexts: BTreeMap<ContextId, ContextHistory> = BTreeMap::new();
    for h in &s.per_context {
        if valid(h.context) {
            // A duplicate entry keeps the first one, whatever the caller's order.
            contexts.entry(h.context).or_insert_with(|| {
                let mut h = h.clone();
                h.authors
                    .sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
                h
            });
        }
    }

    let mut hotspots: Vec<HotspotRow> = s
        .hotspots
        .iter()
        .filter_map(|h| {
            Some(HotspotRow {
                module: input.module_ref(h.module)?,
                context: input.module_context(h.module),
                commits: h.commits,
                code_lines: h.code_lines,
                score: h.score,
            })
        })
        .collect();
    hotspots.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(y.commits.cmp(&x.commits))
            .then_with(|| x.module.cmp(&y.module))
    });

    let mut coupling: Vec<CouplingRow> = s
        .cross_context_coupling
        .iter()
        .filter_map(|p| {
            let (ma, mb) = (input.module_ref(p.a)?, input.module_ref(p.b)?);
            let (ca, cb) = (input.module_context(p.a)?, input.module_context(p.b)?);
            if ca == cb {
                return None;
            }
            let ((a, a_context), (b, b_context)) = if (ca, &ma.path) <= (cb, &mb.path) {
                ((ma, ca), (mb, cb))
            } else {
                ((mb, cb), (ma, ca))
            };
            Some(CouplingRow {
                a,
                a_context,
                b,
                b_context,
                shared: p.shared,
                degree: p.degree,
                strong: p.degree >= t.coupled_min_degree
                    && p.shared >= t.coupled_min_shared_commits,
            })
        })
        .collect();
    coupling.sort_by(|x, y| {
        y.degree
            .total_cmp(&x.degree)
            .then(y.shared.cmp(&x.shared))
            .then_with(|| (&x.a.path, &x.b.path).cmp(&(&y.a.path, &y.b.path)))
    });
    let mut seen = BTreeSet::new();
    coupling.retain(|r| seen.insert((r.a.id, r.b.id)));

    let mut contributor: Vec<(ContextId, ContextId, f64)> = s
        .contributor_coupling
        .iter()
        .filter(|(a, b, _)| valid(*a) && valid(*b) && a != b)
        .map(|&(a, b, j)| (a.min(b), a.max(b), j))
        .collect();
    contributor.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    let mut seen = BTreeSet::new();
    contributor.retain(|r| seen.insert((r.0, r.1)));

    let mut by_pair: BTreeMap<(ContextId, ContextId), Vec<usize>> = BTreeMap::new();
    for (idx, row) in coupling.iter().enumerate().filter(|(_, r)| r.strong) {
        by_pair
            .entry((row.a_context, row.b_context))
            .or_default()
            .push(idx);
    }
    let not_independent = by_pair
        .into_iter()
        .map(|((a, b), pairs)| {
            let first = &coupling[pairs[0]];
            let text = format!(
                "{} and {} are not independently deployable: {} across their boundary, the strongest `{}` ↔ `{}` ({} shared commits, degree of coupling {:.2}); a change to one ships with a change to the other. Move the code that changes together into one context, or extract the two together.",
                input.ctx_name(a),
                input.ctx_name(b),
                if pairs.len() == 1 {
                    "1 pair of modules changes together".to_owned()
                } else {
                    format!("{} pairs of modules change together", pairs.len())
                },
                first.a.path,
                first.b.path,
                first.shared,
                first.degree
            );
            CoupledContexts { a, b, pairs, text }
        })
        .collect();

    PlanHistory {
        commits_read: s.commits_read,
        merges_skipped: s.merges_skipped,
        huge_skipped: s.huge_skipped,
        contexts: contexts.into_values().collect(),
        hotspots,
        coupling,
        contributor_coupling: contributor,
        not_independent,
    }
}

/// How the history ranks a context among those still in the monolith.
pub(crate) struct Preference {
    /// The share of the seam cost taken off, in `[0, history_discount]`.
    pub discount: f64,
    /// One sentence with the numbers (empty without history).
    pub text: String,
}

/// The history's preference for extracting `c` now, among the contexts in `remaining`
/// (which includes `c`).
pub(crate) fn preference(
    h: &PlanHistory,
    t: &Thresholds,
    c: ContextId,
    remaining: &BTreeSet<ContextId>,
    cost: usize,
) -> Preference {
    let Some(ch) = h.context(c) else {
        return Preference {
            discount: 0.0,
            text: format!(
                " History: none of the {} commits read changed it, so no preference.",
                thousands(h.commits_read as u64)
            ),
        };
    };
    let busiest = remaining
        .iter()
        .filter_map(|&r| h.context(r))
        .map(|r| r.commits)
        .max()
        .unwrap_or(0)
        .max(ch.commits)
        .max(1);
    let rate = f64::from(ch.commits) / f64::from(busiest);
    let owns_another = h
        .contexts
        .iter()
        .any(|o| o.context != c && o.main_author == ch.main_author);
    let distinct = ch.main_share >= t.distinct_owner_share && !owns_another;
    // Backticks mark code spans in plan sentences; an author's name must not open one.
    let author = ch.main_author.replace('`', "'");
    let half = t.history_discount / 2.0;
    let discount = half * rate + if distinct { half } else { 0.0 };
    let owner = if distinct {
        format!(
            "{:.0}% of them by {}, who is the main author of no other context (a distinct owner)",
            ch.main_share * 100.0,
            author
        )
    } else if owns_another {
        format!(
            "no distinct owner ({}, {:.0}% of them, is also the main author of another context)",
            author,
            ch.main_share * 100.0
        )
    } else {
        format!(
            "no distinct owner (main author {} with {:.0}% of them, below {:.0}%)",
            author,
            ch.main_share * 100.0,
            t.distinct_owner_share * 100.0
        )
    };
    let text = format!(
        " History: changed in {} of the {} commits read ({:.0}% of the busiest context left), {owner}: ranked cost {:.1} = {cost} × (1 − {:.2}).",
        ch.commits,
        thousands(h.commits_read as u64),
        rate * 100.0,
        cost as f64 * (1.0 - discount),
        discount
    );
    Preference { discount, text }
}
