//! The verdict: split now, modularise first, or keep the monolith, from measured facts.
//!
//! The rule, in order (DOMAIN.md "When to split at all"):
//! 1. **Keep the monolith** when the whole codebase is the size of one service (fewer lines
//!    than [`Thresholds::single_service_code_lines`]) or has fewer than
//!    [`Thresholds::min_contexts`] contexts: there is nothing to split.
//! 2. **Modularise first** when the boundaries are not clean, whatever the size (fixing them
//!    inside the monolith pays off either way): modularity Q below
//!    [`Thresholds::min_modularity`] (Newman and Girvan read Q > 0.3 as a significant
//!    community structure), cycles catching more than [`Thresholds::max_cycle_share`] of the
//!    contexts, more than [`Thresholds::max_shared_table_share`] of the tables or
//!    [`Thresholds::max_shared_model_share`] of the models shared, or contexts smaller on
//!    average than [`Thresholds::min_mean_context_lines`] (over-fragmentation: "30 services
//!    for a 20k-line app is wrong").
//! 3. **Keep the monolith** when it is clean but small (fewer lines than
//!    [`Thresholds::keep_below_code_lines`]): services pay off for large code bases and many
//!    teams; for a small one they add operating cost and slow releases ("if unsure, don't
//!    start with microservices").
//! 4. Otherwise **split now**.
//!
//! Every verdict lists all the measured facts; the ones that crossed a threshold are marked
//! decisive and come first.

use crate::{KeyNumbers, Reason, ReasonKind, Verdict};

/// The thresholds of the verdict and of a few techniques. Configurable in `seamline.toml`;
/// [`Thresholds::recommended`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// Below this many lines of code the whole codebase is the size of one service: keep the
    /// monolith whatever its structure (default 1,000).
    pub single_service_code_lines: u64,
    /// Below this many lines of code, keep the monolith unless it is tangled (default 10,000).
    pub keep_below_code_lines: u64,
    /// With fewer contexts than this, keep the monolith (default 3: two contexts are one
    /// team's work).
    pub min_contexts: usize,
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
}

impl Thresholds {
    /// The documented defaults.
    pub fn recommended() -> Thresholds {
        Thresholds {
            single_service_code_lines: 1_000,
            keep_below_code_lines: 10_000,
            min_contexts: 3,
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

/// Formats a count with thousands separators (`12,345`).
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

pub(crate) fn decide(n: &KeyNumbers, shares: &Shares, t: &Thresholds) -> (Verdict, Vec<Reason>) {
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
                "The codebase has {} lines of code, less than one service ({}): one person can rewrite it in days, and any split would only add network hops and operating cost.",
                thousands(n.code_lines),
                thousands(t.single_service_code_lines)
            ),
        ));
    }

    // Number of contexts.
    let few = n.contexts < t.min_contexts;
    let contexts = Reason {
        kind: ReasonKind::Contexts,
        decisive: few,
        crossed: few,
        value: n.contexts as f64,
        threshold: t.min_contexts as f64,
        text: if few {
            format!(
                "Only {} context{} found (fewer than {}): not enough distinct parts to justify separate deployables.",
                n.contexts,
                if n.contexts == 1 { " was" } else { "s were" },
                t.min_contexts
            )
        } else {
            format!("{} bounded contexts were found.", n.contexts)
        },
    };
    if few {
        keep.push(contexts)
    } else {
        fine.push(contexts)
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

    let verdict = if !keep.is_empty() {
        // Nothing to split: the tangles are facts, not the reason.
        for r in &mut tangled {
            r.decisive = false;
        }
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
        Verdict::ModulariseFirst
    } else if small {
        keep.push(size(
            true,
            format!(
                "The codebase has {} lines of code, under the {} below which one team can own it end to end: services would add operating cost and slow releases.",
                thousands(n.code_lines),
                thousands(t.keep_below_code_lines)
            ),
        ));
        Verdict::KeepMonolith
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
        Verdict::SplitNow
    };
    let mut reasons = keep;
    reasons.append(&mut tangled);
    reasons.append(&mut fine);
    // Decisive first, then in the fixed order of the checks above (stable sort).
    reasons.sort_by_key(|r| !r.decisive);
    (verdict, reasons)
}
