//! The verdict: split now, modularise first, or keep the monolith, from measured facts.
//!
//! The rule, in order (DOMAIN.md "When to split at all", calibrated on real
//! monoliths, see docs/accuracy.md "Plan quality on real monoliths"):
//! 1. **Keep the monolith** when any of these holds, whatever the structure (size comes
//!    before structure: a tangled 3k-line app needs its modules tidied, not a split plan):
//!    - the codebase has fewer lines than [`Thresholds::single_service_code_lines`]
//!      (a few thousand);
//!    - it has fewer than [`Thresholds::min_contexts`] *real* contexts (contexts that own a
//!      table or an endpoint and hold at least [`Thresholds::min_real_context_share`] of the
//!      code, see the codebase module): there is nothing to split;
//!    - it has no network entry point (no HTTP or gRPC server, no queue consumer): a
//!      command-line tool or a library is no candidate for services, and its contexts are
//!      advice for crate boundaries instead.
//! 2. **Modularise first** when the boundaries are not clean: modularity Q below
//!    [`Thresholds::min_modularity`] (Newman and Girvan read Q > 0.3 as a significant
//!    community structure), cycles catching more than [`Thresholds::max_cycle_share`] of the
//!    contexts, more than [`Thresholds::max_shared_table_share`] of the tables or
//!    [`Thresholds::max_shared_model_share`] of the models shared, or contexts smaller on
//!    average than [`Thresholds::min_mean_context_lines`] (over-fragmentation: "30 services
//!    for a 20k-line app is wrong"). The plan's worklist says what to change first.
//! 3. With `--history`, the team: at most [`Thresholds::max_team_authors`] active authors
//!    owning everything **keep the monolith** (one owner is what services take away); at
//!    least [`Thresholds::min_distinct_owners`] distinct owners make a clean codebase under
//!    [`Thresholds::keep_below_code_lines`] worth splitting ("split when the code is too
//!    large for one owner", "distinct ownership").
//! 4. **Keep the monolith** when it is clean but small (fewer lines than
//!    [`Thresholds::keep_below_code_lines`]): services pay off for large code bases and many
//!    teams; for a small one they add operating cost and slow releases ("if unsure, don't
//!    start with microservices").
//! 5. Otherwise **split now**.
//!
//! Every verdict lists all the measured facts; the ones that crossed a threshold are marked
//! decisive and come first.

use crate::{Codebase, CodebaseKind, KeyNumbers, Reason, ReasonKind, Verdict};
use seamline_ir::format::thousands;

/// The thresholds of the verdict and of a few techniques. Configurable in `seamline.toml`;
/// [`Thresholds::recommended`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// Below this many lines of code the codebase keeps its monolith whatever its structure
    /// (default 5,000: "a few thousand lines", the size one person rewrites in weeks).
    pub single_service_code_lines: u64,
    /// Below this many lines of code, keep the monolith unless it is tangled (default 10,000).
    pub keep_below_code_lines: u64,
    /// With fewer real contexts than this, keep the monolith (default 3: two contexts are one
    /// team's work).
    pub min_contexts: usize,
    /// A context holding less than this share of the code is no real domain, even with a
    /// table or an endpoint (default 0.01, "under ~1% of the code").
    pub min_real_context_share: f64,
    /// The extraction starts with a real domain holding at least this share of the code
    /// when there is one (default 0.03: a piece worth a first extraction).
    pub min_first_step_share: f64,
    /// Contexts smaller than this on average (lines of code) mean the proposal is
    /// over-fragmented: merge before splitting (default 500).
    pub min_mean_context_lines: u64,
    /// Below this modularity Q, modularise first (default 0.3).
    pub min_modularity: f64,
    /// Above this share of contexts caught in cycles, modularise first (default 0.34).
    pub max_cycle_share: f64,
    /// Above this share of tables touched by several contexts, modularise first
    /// (default 0.3).
    pub max_shared_table_share: f64,
    /// Above this share of models used by several contexts, modularise first (default 0.25).
    pub max_shared_model_share: f64,
    /// Another context reading a shared table at least this often (sum of counts) gets a
    /// read model replicated by events rather than calls to the owner (default 10).
    pub hot_read_count: u32,
    /// With `--history`: a module pair across two contexts with at least this degree of
    /// coupling (shared commits over the mean of their commits)... (default 0.5)
    pub coupled_min_degree: f64,
    /// ...over at least this many shared commits makes the two contexts not independently
    /// deployable (default 5: fewer is too little evidence).
    pub coupled_min_shared_commits: u32,
    /// With `--history`: a context's main author with at least this share of its commits,
    /// who is the main author of no other context, is a distinct owner (default 0.5).
    pub distinct_owner_share: f64,
    /// With `--history`: the largest share of a seam's cost the history takes off in the
    /// extraction order, half for the change rate and half for a distinct owner
    /// (default 0.5: history reorders close candidates, never a far costlier seam).
    pub history_discount: f64,
    /// With `--history`: an author with at least this share of the commits (summed over the
    /// contexts) is an active author (default 0.05).
    pub active_author_share: f64,
    /// With `--history`: this many active authors or fewer own everything: keep the monolith
    /// (default 2).
    pub max_team_authors: usize,
    /// With `--history`: this many distinct owners or more make a clean codebase under
    /// [`Thresholds::keep_below_code_lines`] worth splitting (default 3: one per service of
    /// the smallest split worth making).
    pub min_distinct_owners: usize,
}

impl Thresholds {
    /// The documented defaults.
    pub fn recommended() -> Thresholds {
        Thresholds {
            single_service_code_lines: 5_000,
            keep_below_code_lines: 10_000,
            min_contexts: 3,
            min_real_context_share: 0.01,
            min_first_step_share: 0.03,
            min_mean_context_lines: 500,
            min_modularity: 0.3,
            max_cycle_share: 0.34,
            max_shared_table_share: 0.3,
            max_shared_model_share: 0.25,
            hot_read_count: 10,
            coupled_min_degree: 0.5,
            coupled_min_shared_commits: 5,
            distinct_owner_share: 0.5,
            history_discount: 0.5,
            active_author_share: 0.05,
            max_team_authors: 2,
            min_distinct_owners: 3,
        }
    }
}

/// The shares the verdict compares, besides the key numbers.
pub(crate) struct Shares {
    /// Tables touched by any context.
    pub tables_in_use: usize,
    /// Models owned by contexts.
    pub owned_models: usize,
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

pub(crate) fn decide(
    n: &KeyNumbers,
    shares: &Shares,
    codebase: &Codebase,
    t: &Thresholds,
) -> (Verdict, Vec<Reason>) {
    let mut keep = Vec::new();
    let mut tangled = Vec::new();
    let mut fine = Vec::new();

    // Size.
    let tiny = n.code_lines < t.single_service_code_lines;
    let small = n.code_lines < t.keep_below_code_lines;
    let size = |decisive: bool, text: String| Reason {
        kind: ReasonKind::Size,
        decisive,
        crossed: decisive,
        value: n.code_lines as f64,
        threshold: if tiny {
            t.single_service_code_lines as f64
        } else {
            t.keep_below_code_lines as f64
        },
        text,
    };
    if tiny {
        keep.push(size(
            true,
            format!(
                "The codebase has {} lines of code, under {}: one person can rewrite it in weeks, so any split would only add network hops and operating cost, whatever its structure; tidy its modules instead.",
                thousands(n.code_lines),
                thousands(t.single_service_code_lines)
            ),
        ));
    }

    // Number of real contexts.
    let real = codebase.real_contexts.len();
    let few = real < t.min_contexts;
    let not_real = n.contexts.saturating_sub(real);
    let also = if not_real == 0 {
        String::new()
    } else {
        format!(
            " ({} other{} own{} no table and no endpoint, or hold{} under {} of the code)",
            not_real,
            if not_real == 1 { "" } else { "s" },
            if not_real == 1 { "s" } else { "" },
            if not_real == 1 { "s" } else { "" },
            pct(t.min_real_context_share)
        )
    };
    let contexts = Reason {
        kind: ReasonKind::Contexts,
        decisive: few,
        crossed: few,
        value: real as f64,
        threshold: t.min_contexts as f64,
        text: if few {
            format!(
                "Only {} real context{} found{also}, fewer than {}: not enough distinct domains to justify separate deployables.",
                real,
                if real == 1 { " was" } else { "s were" },
                t.min_contexts
            )
        } else {
            format!(
                "{} of the {} contexts are real domains, owning a table or an endpoint{also}.",
                real, n.contexts
            )
        },
    };
    if few {
        keep.push(contexts)
    } else {
        fine.push(contexts)
    }

    // Network entry points.
    let no_entry = codebase.kind != CodebaseKind::NetworkService;
    let entry = Reason {
        kind: ReasonKind::EntryPoints,
        decisive: no_entry,
        crossed: no_entry,
        value: codebase.entry_points.len() as f64,
        threshold: 1.0,
        text: if no_entry {
            format!(
                "No network entry point (no HTTP or gRPC server, no queue consumer): this is a {}, and services are network seams; its contexts are candidate crate boundaries, not services.",
                codebase.kind.label()
            )
        } else {
            let v: Vec<String> = codebase
                .entry_points
                .iter()
                .take(3)
                .map(|e| format!("{} ({}, {})", e.krate, e.infra.label(), e.at))
                .collect();
            format!(
                "It serves the network: {}{}.",
                v.join(", "),
                if codebase.entry_points.len() > 3 {
                    ", ..."
                } else {
                    ""
                }
            )
        },
    };
    if no_entry {
        keep.push(entry)
    } else {
        fine.push(entry)
    }

    // Over-fragmentation.
    if n.contexts > 0 {
        let mean = n.code_lines / n.contexts as u64;
        let tiny = mean < t.min_mean_context_lines && n.contexts >= t.min_contexts;
        let r = Reason {
            kind: ReasonKind::ServiceSize,
            decisive: tiny,
            crossed: tiny,
            value: mean as f64,
            threshold: t.min_mean_context_lines as f64,
            text: if tiny {
                format!(
                    "The contexts average {} lines of code, under {}: that many tiny services is over-fragmentation; merge contexts before splitting.",
                    thousands(mean),
                    thousands(t.min_mean_context_lines)
                )
            } else {
                format!("The contexts average {} lines of code.", thousands(mean))
            },
        };
        if tiny { tangled.push(r) } else { fine.push(r) }
    }

    // Modularity.
    let low_q = n.modularity < t.min_modularity;
    let r = Reason {
        kind: ReasonKind::Modularity,
        decisive: low_q,
        crossed: low_q,
        value: n.modularity,
        threshold: t.min_modularity,
        text: if low_q {
            format!(
                "Modularity Q is {:.2}, under {:.2}: the dependency graph has no clear community structure yet.",
                n.modularity, t.min_modularity
            )
        } else {
            format!(
                "Modularity Q is {:.2} (at least {:.2}): the contexts are real communities in the dependency graph.",
                n.modularity, t.min_modularity
            )
        },
    };
    if low_q {
        tangled.push(r)
    } else {
        fine.push(r)
    }

    // Cycles.
    let cycle_share = ratio(n.contexts_in_cycles, n.contexts);
    let cyclic = cycle_share > t.max_cycle_share;
    let r = Reason {
        kind: ReasonKind::Cycles,
        decisive: cyclic,
        crossed: cyclic,
        value: cycle_share,
        threshold: t.max_cycle_share,
        text: if n.contexts_in_cycles == 0 {
            "No cycles between contexts.".to_owned()
        } else if cyclic {
            format!(
                "{} of {} contexts ({}) depend on each other in cycles, over {}: break the cycles inside the monolith first.",
                n.contexts_in_cycles,
                n.contexts,
                pct(cycle_share),
                pct(t.max_cycle_share)
            )
        } else {
            format!(
                "{} of {} contexts ({}) are caught in cycles, within the {} tolerated: cut them as part of the extraction.",
                n.contexts_in_cycles,
                n.contexts,
                pct(cycle_share),
                pct(t.max_cycle_share)
            )
        },
    };
    if cyclic {
        tangled.push(r)
    } else {
        fine.push(r)
    }

    // Shared tables.
    let table_share = ratio(n.shared_tables, shares.tables_in_use);
    let shared_t = table_share > t.max_shared_table_share;
    let r = Reason {
        kind: ReasonKind::SharedTables,
        decisive: shared_t,
        crossed: shared_t,
        value: table_share,
        threshold: t.max_shared_table_share,
        text: if n.shared_tables == 0 {
            "Every table is touched by one context only.".to_owned()
        } else {
            format!(
                "{} of {} tables ({}) are touched by several contexts{}",
                n.shared_tables,
                shares.tables_in_use,
                pct(table_share),
                if shared_t {
                    format!(
                        ", over {}: give each table one owner before splitting the data.",
                        pct(t.max_shared_table_share)
                    )
                } else {
                    format!(", within the {} tolerated.", pct(t.max_shared_table_share))
                }
            )
        },
    };
    if shared_t {
        tangled.push(r)
    } else {
        fine.push(r)
    }

    // Shared models.
    let model_share = ratio(n.shared_models, shares.owned_models);
    let shared_m = model_share > t.max_shared_model_share;
    let r = Reason {
        kind: ReasonKind::SharedModels,
        decisive: shared_m,
        crossed: shared_m,
        value: model_share,
        threshold: t.max_shared_model_share,
        text: if n.shared_models == 0 {
            "No model is used by more than one context.".to_owned()
        } else {
            format!(
                "{} of {} models ({}) are used by several contexts{}",
                n.shared_models,
                shares.owned_models,
                pct(model_share),
                if shared_m {
                    format!(
                        ", over {}: pass IDs instead of models inside the monolith first.",
                        pct(t.max_shared_model_share)
                    )
                } else {
                    format!(", within the {} tolerated.", pct(t.max_shared_model_share))
                }
            )
        },
    };
    if shared_m {
        tangled.push(r)
    } else {
        fine.push(r)
    }

    // The team, with `--history`.
    let team = codebase.team.as_ref().map(|team| {
        let few_authors = team.active_authors.len() <= t.max_team_authors;
        let owners = team.distinct_owners.len() >= t.min_distinct_owners;
        let names: Vec<&str> = team
            .active_authors
            .iter()
            .take(3)
            .map(|(a, _)| a.as_str())
            .collect();
        let text = if few_authors {
            format!(
                "The history shows {} active author{} ({}), at most {}: one small team owns everything, which is what services would take away.",
                team.active_authors.len(),
                if team.active_authors.len() == 1 { "" } else { "s" },
                names.join(", ").replace('`', "'"),
                t.max_team_authors
            )
        } else if owners {
            format!(
                "The history shows {} active authors and {} distinct owners of contexts (at least {}): the code is already too large for one owner.",
                team.active_authors.len(),
                team.distinct_owners.len(),
                t.min_distinct_owners
            )
        } else {
            format!(
                "The history shows {} active authors and {} distinct owner{} of contexts (fewer than {}).",
                team.active_authors.len(),
                team.distinct_owners.len(),
                if team.distinct_owners.len() == 1 { "" } else { "s" },
                t.min_distinct_owners
            )
        };
        (few_authors, owners, text, team.active_authors.len())
    });
    let team_reason = |decisive: bool| {
        team.as_ref()
            .map(|(few_authors, owners, text, n_authors)| Reason {
                kind: ReasonKind::Team,
                decisive,
                crossed: *few_authors || *owners,
                value: *n_authors as f64,
                threshold: t.max_team_authors as f64,
                text: text.clone(),
            })
    };
    let few_authors = team.as_ref().is_some_and(|x| x.0);
    let distinct_owners = team.as_ref().is_some_and(|x| x.1);

    let verdict = if !keep.is_empty() {
        // Nothing to split: the tangles are facts, not the reason.
        for r in &mut tangled {
            r.decisive = false;
        }
        fine.extend(team_reason(false));
        Verdict::KeepMonolith
    } else if !tangled.is_empty() {
        // Tangled whatever the size: fixing boundaries inside the monolith pays off either way.
        if small {
            fine.insert(
                0,
                size(
                    false,
                    format!(
                        "The codebase has {} lines of code, under {}: even once the boundaries are clean, split only if teams or scaling needs demand it; the modularisation pays off either way.",
                        thousands(n.code_lines),
                        thousands(t.keep_below_code_lines)
                    ),
                ),
            );
        }
        fine.extend(team_reason(false));
        Verdict::ModulariseFirst
    } else if few_authors {
        keep.extend(team_reason(true));
        Verdict::KeepMonolith
    } else if small && !distinct_owners {
        keep.push(size(
            true,
            format!(
                "The codebase has {} lines of code, under the {} below which one team can own it end to end: services would add operating cost and slow releases.",
                thousands(n.code_lines),
                thousands(t.keep_below_code_lines)
            ),
        ));
        fine.extend(team_reason(false));
        Verdict::KeepMonolith
    } else {
        if small {
            // Distinct owners: the history says what the size alone does not.
            keep.extend(team_reason(true));
        } else {
            fine.insert(
                0,
                size(
                    false,
                    format!(
                        "The codebase has {} lines of code, over the {} where one team stops owning it end to end.",
                        thousands(n.code_lines),
                        thousands(t.keep_below_code_lines)
                    ),
                ),
            );
            fine.extend(team_reason(false));
        }
        Verdict::SplitNow
    };
    let mut reasons = keep;
    reasons.append(&mut tangled);
    reasons.append(&mut fine);
    // Decisive first, then in the fixed order of the checks above (stable sort).
    reasons.sort_by_key(|r| !r.decisive);
    (verdict, reasons)
}

/// The advice that goes with the verdict, fitted to the codebase.
pub(crate) fn advice(verdict: Verdict, codebase: &Codebase, worklist: usize) -> String {
    let changes = |n: usize| format!("{n} change{}", if n == 1 { "" } else { "s" });
    match verdict {
        Verdict::KeepMonolith if codebase.kind != CodebaseKind::NetworkService => format!(
            "This is a {}, with no network entry point: there is no service to split off. Its real contexts are still good boundaries inside it: make them crates (or modules with narrow public APIs) along the dependencies below, for faster builds, clearer ownership and code that can be reused on its own.",
            codebase.kind.label()
        ),
        Verdict::KeepMonolith if worklist > 0 => format!(
            "{} Tidy its modules first: the worklist's {} {} the boundaries without any network seam.",
            verdict.advice(),
            changes(worklist),
            if worklist == 1 {
                "untangles"
            } else {
                "untangle"
            }
        ),
        Verdict::ModulariseFirst if worklist > 0 => format!(
            "{} Start with the worklist: {}, most effective first, each at its file and line.",
            verdict.advice(),
            changes(worklist)
        ),
        _ => verdict.advice().to_owned(),
    }
}
