//! Tests of the plan's use of the git history on the hand-built shop
//! (`seamline_test_utils::sample::shop`) with hand-built [`HistorySignals`].

use seamline_cluster::contexts::{ContextId, Proposal};
use seamline_ir as ir;
use seamline_plan::{
    ContextHistory, CrossCoupling, HistorySignals, ModuleHotspot, Plan, PlanOptions, Thresholds,
    plan, plan_with_history,
};
use seamline_test_utils::sample::shop;

fn options() -> PlanOptions {
    PlanOptions {
        thresholds: Thresholds::recommended(),
    }
}

#[track_caller]
fn ctx(proposal: &Proposal, name: &str) -> ContextId {
    proposal
        .contexts
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no context {name}"))
        .id
}

#[track_caller]
fn module(facts: &ir::Facts, path: &str) -> ir::ModuleId {
    facts
        .modules
        .iter()
        .find(|m| m.path == path)
        .unwrap_or_else(|| panic!("no module {path}"))
        .id
}

fn owned(context: ContextId, commits: u32, authors: &[(&str, u32)]) -> ContextHistory {
    let total: u32 = authors.iter().map(|a| a.1).sum();
    ContextHistory {
        context,
        commits,
        lines_added: u64::from(commits) * 10,
        lines_removed: u64::from(commits) * 3,
        main_author: authors[0].0.to_owned(),
        main_share: f64::from(authors[0].1) / f64::from(total),
        authors: authors.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect(),
    }
}

/// Ordering changes the most; nobody owns a context alone (bob is the main author of
/// catalog and shipping, carol of billing and ordering).
fn signals(facts: &ir::Facts, proposal: &Proposal) -> HistorySignals {
    HistorySignals {
        commits_read: 50,
        merges_skipped: 3,
        huge_skipped: 1,
        per_context: vec![
            owned(ctx(proposal, "catalog"), 6, &[("bob", 6)]),
            owned(ctx(proposal, "shipping"), 4, &[("bob", 2), ("carol", 2)]),
            owned(ctx(proposal, "billing"), 2, &[("carol", 1), ("dan", 1)]),
            owned(
                ctx(proposal, "ordering"),
                10,
                &[("carol", 4), ("bob", 3), ("dan", 3)],
            ),
        ],
        hotspots: vec![
            ModuleHotspot {
                module: module(facts, "shop::catalog"),
                commits: 6,
                code_lines: 5400,
                score: 0.32,
            },
            ModuleHotspot {
                module: module(facts, "shop::orders"),
                commits: 10,
                code_lines: 6300,
                score: 1.0,
            },
        ],
        cross_context_coupling: vec![],
        contributor_coupling: vec![(ctx(proposal, "shipping"), ctx(proposal, "catalog"), 0.5)],
    }
}

fn step_names(p: &Plan) -> Vec<&str> {
    p.extraction
        .iter()
        .map(|s| p.context_name(s.context))
        .collect()
}

#[test]
fn without_history_the_plan_is_the_structural_one() {
    let (facts, proposal) = shop(1);
    let structural = plan(&facts, &proposal, &options());
    let none = plan_with_history(&facts, &proposal, &options(), None);
    assert_eq!(structural, none);
    assert_eq!(structural.history, None);
    assert!(!structural.dump().contains("history"));
}

#[test]
fn a_context_that_changes_more_is_extracted_earlier_and_the_reason_says_why() {
    let (facts, proposal) = shop(1);
    let structural = plan(&facts, &proposal, &options());
    assert_eq!(
        step_names(&structural),
        ["shipping", "catalog", "billing", "ordering"]
    );

    let h = signals(&facts, &proposal);
    let p = plan_with_history(&facts, &proposal, &options(), Some(&h));
    assert_eq!(
        step_names(&p),
        ["shipping", "catalog", "ordering", "billing"]
    );
    let why = &p.extraction[2].why;
    assert!(why.contains("best-ranked seam"), "{why}");
    assert!(
        why.contains("changed in 10 of the 50 commits read (100% of the busiest context left)"),
        "{why}"
    );
    assert!(
        why.contains(
            "no distinct owner (carol, 40% of them, is also the main author of another context)"
        ),
        "{why}"
    );
    assert!(why.contains("ranked cost 10.5 = 14 × (1 − 0.25)"), "{why}");
    // A tangled codebase is modularised first whoever works on it: the team is one more
    // fact, not a decisive one.
    assert_eq!(p.verdict, structural.verdict);
    let (team, rest) = p.reasons.split_last().unwrap();
    assert_eq!(rest, structural.reasons.as_slice());
    assert_eq!(team.kind.as_str(), "team");
    assert!(!team.decisive);
    assert!(
        team.text
            .contains("3 active authors and 0 distinct owners of contexts"),
        "{}",
        team.text
    );
}

#[test]
fn a_distinct_owner_outweighs_a_higher_change_rate() {
    let (facts, proposal) = shop(1);
    let mut h = signals(&facts, &proposal);
    // Billing now changes the most, shared by bob and carol; dan alone owns ordering.
    h.per_context[2] = owned(ctx(&proposal, "billing"), 10, &[("bob", 5), ("carol", 5)]);
    h.per_context[3] = owned(ctx(&proposal, "ordering"), 2, &[("dan", 2)]);
    let p = plan_with_history(&facts, &proposal, &options(), Some(&h));
    assert_eq!(
        step_names(&p),
        ["shipping", "catalog", "ordering", "billing"]
    );
    let why = &p.extraction[2].why;
    assert!(
        why.contains("100% of them by dan, who is the main author of no other context (a distinct owner): ranked cost 9.8 = 14 × (1 − 0.30)"),
        "{why}"
    );

    // The same history where bob also leads ordering: billing's churn wins again.
    h.per_context[3] = owned(ctx(&proposal, "ordering"), 2, &[("bob", 2)]);
    let p = plan_with_history(&facts, &proposal, &options(), Some(&h));
    assert_eq!(
        step_names(&p),
        ["shipping", "catalog", "billing", "ordering"]
    );
    assert!(
        p.extraction[2]
            .why
            .contains("ranked cost 10.5 = 14 × (1 − 0.25)")
    );
}

#[test]
fn a_uniform_history_keeps_the_structural_order() {
    let (facts, proposal) = shop(1);
    let mut h = signals(&facts, &proposal);
    for c in &mut h.per_context {
        *c = owned(c.context, 5, &[("bob", 3), ("carol", 2)]);
    }
    let p = plan_with_history(&facts, &proposal, &options(), Some(&h));
    assert_eq!(
        step_names(&p),
        ["shipping", "catalog", "billing", "ordering"]
    );
    assert!(
        p.extraction[0]
            .why
            .contains("ranked cost 6.8 = 9 × (1 − 0.25)")
    );
}

#[test]
fn contexts_whose_modules_change_together_are_not_independently_deployable() {
    let (facts, proposal) = shop(1);
    let mut h = signals(&facts, &proposal);
    let billing = module(&facts, "shop::billing");
    let shipping = module(&facts, "shop::shipping");
    let catalog = module(&facts, "shop::catalog");
    h.cross_context_coupling = vec![
        // Strong: 8 shared commits, degree 0.8.
        CrossCoupling {
            a: shipping,
            b: billing,
            shared: 8,
            degree: 0.8,
        },
        // High degree but too few commits: shown, not decisive.
        CrossCoupling {
            a: catalog,
            b: billing,
            shared: 4,
            degree: 0.9,
        },
    ];
    let p = plan_with_history(&facts, &proposal, &options(), Some(&h));
    let hist = p.history.as_ref().unwrap();
    assert_eq!(hist.coupling.len(), 2);
    assert!(!hist.coupling[0].strong, "{:?}", hist.coupling[0]);
    assert!(hist.coupling[1].strong);
    assert_eq!(hist.not_independent.len(), 1);
    let flag = &hist.not_independent[0];
    let names = [p.context_name(flag.a), p.context_name(flag.b)];
    assert_eq!(names, ["billing", "shipping"]);
    assert_eq!(flag.pairs, [1]);
    assert!(
        flag.text
            .contains("billing and shipping are not independently deployable")
            && flag.text.contains(
                "`shop::billing` ↔ `shop::shipping` (8 shared commits, degree of coupling 0.80)"
            ),
        "{}",
        flag.text
    );
    assert!(!hist.is_independently_deployable(ctx(&proposal, "billing")));
    assert!(hist.is_independently_deployable(ctx(&proposal, "catalog")));
    let billing_step = p
        .extraction
        .iter()
        .find(|s| p.context_name(s.context) == "billing")
        .unwrap();
    assert!(
        billing_step.advice.iter().any(|a| a.starts_with(
            "Not independently deployable: its code changes together with shipping's"
        )),
        "{:?}",
        billing_step.advice
    );
    let catalog_step = p
        .extraction
        .iter()
        .find(|s| p.context_name(s.context) == "catalog")
        .unwrap();
    assert!(
        !catalog_step
            .advice
            .iter()
            .any(|a| a.contains("Not independently"))
    );
}

#[test]
fn the_thresholds_decide_the_deployability_flag() {
    let (facts, proposal) = shop(1);
    let mut h = signals(&facts, &proposal);
    h.cross_context_coupling = vec![CrossCoupling {
        a: module(&facts, "shop::shipping"),
        b: module(&facts, "shop::billing"),
        shared: 8,
        degree: 0.8,
    }];
    let mut t = Thresholds::recommended();
    t.coupled_min_degree = 0.85;
    let p = plan_with_history(&facts, &proposal, &PlanOptions { thresholds: t }, Some(&h));
    assert!(p.history.unwrap().not_independent.is_empty());
}

#[test]
fn pairs_inside_one_context_and_bad_ids_are_left_out() {
    let (facts, proposal) = shop(1);
    let mut h = signals(&facts, &proposal);
    let orders = module(&facts, "shop::orders");
    let cart = module(&facts, "shop::orders::cart");
    h.cross_context_coupling = vec![
        CrossCoupling {
            a: orders,
            b: cart,
            shared: 9,
            degree: 1.0,
        },
        CrossCoupling {
            a: ir::ModuleId(9_999),
            b: cart,
            shared: 9,
            degree: 1.0,
        },
    ];
    h.per_context.push(owned(ContextId(99), 3, &[("x", 3)]));
    h.hotspots.push(ModuleHotspot {
        module: ir::ModuleId(9_999),
        commits: 1,
        code_lines: 1,
        score: 1.0,
    });
    let p = plan_with_history(&facts, &proposal, &options(), Some(&h));
    let hist = p.history.unwrap();
    assert!(hist.coupling.is_empty());
    assert_eq!(hist.contexts.len(), 4);
    let hot: Vec<&str> = hist
        .hotspots
        .iter()
        .map(|r| r.module.path.as_str())
        .collect();
    assert_eq!(hot, ["shop::orders", "shop::catalog"]);
}

#[test]
fn the_order_of_the_signals_does_not_matter() {
    let (facts, proposal) = shop(1);
    let mut h = signals(&facts, &proposal);
    h.cross_context_coupling = vec![
        CrossCoupling {
            a: module(&facts, "shop::shipping"),
            b: module(&facts, "shop::billing"),
            shared: 8,
            degree: 0.8,
        },
        CrossCoupling {
            a: module(&facts, "shop::catalog"),
            b: module(&facts, "shop::billing"),
            shared: 6,
            degree: 0.8,
        },
    ];
    let a = plan_with_history(&facts, &proposal, &options(), Some(&h));
    h.per_context.reverse();
    h.hotspots.reverse();
    h.cross_context_coupling.reverse();
    let b = plan_with_history(&facts, &proposal, &options(), Some(&h));
    assert_eq!(a.dump(), b.dump());
    insta::assert_snapshot!(a.dump().split("history commits_read").nth(1).unwrap());
}

#[test]
fn a_context_no_commit_changed_gets_no_preference() {
    let (facts, proposal) = shop(1);
    let mut h = signals(&facts, &proposal);
    h.per_context
        .retain(|c| c.context != ctx(&proposal, "shipping"));
    let p = plan_with_history(&facts, &proposal, &options(), Some(&h));
    let shipping = p
        .extraction
        .iter()
        .find(|s| p.context_name(s.context) == "shipping")
        .unwrap();
    assert!(
        shipping
            .why
            .ends_with("History: none of the 50 commits read changed it, so no preference."),
        "{}",
        shipping.why
    );
}

fn clean() -> PlanOptions {
    let mut t = Thresholds::recommended();
    t.max_cycle_share = 0.5;
    t.max_shared_table_share = 0.5;
    t.max_shared_model_share = 0.5;
    PlanOptions { thresholds: t }
}

/// With `--history`, two people owning everything keep a clean, large monolith.
#[test]
fn few_active_authors_owning_everything_keep_the_monolith() {
    let (facts, proposal) = shop(1);
    assert_eq!(
        plan(&facts, &proposal, &clean()).verdict.as_str(),
        "split-now"
    );
    let mut h = signals(&facts, &proposal);
    h.per_context = ["catalog", "shipping", "billing", "ordering"]
        .iter()
        .map(|n| owned(ctx(&proposal, n), 10, &[("bob", 8), ("carol", 2)]))
        .collect();
    let p = plan_with_history(&facts, &proposal, &clean(), Some(&h));
    assert_eq!(p.verdict.as_str(), "keep-monolith");
    assert_eq!(p.reasons[0].kind.as_str(), "team");
    assert!(p.reasons[0].decisive);
    assert!(
        p.reasons[0]
            .text
            .starts_with("The history shows 2 active authors (bob, carol), at most 2"),
        "{}",
        p.reasons[0].text
    );
    let team = p.codebase.team.as_ref().unwrap();
    assert_eq!(
        team.active_authors,
        [("bob".to_owned(), 32), ("carol".to_owned(), 8)]
    );
}

/// Distinct owners make a clean codebase under 10,000 lines worth splitting, which
/// its size alone would keep whole.
#[test]
fn distinct_owners_split_a_clean_codebase_that_size_alone_would_keep() {
    let (mut facts, proposal) = shop(1);
    // 8,113 lines: over the 5,000 kept whatever, under the 10,000 kept when clean.
    for f in &mut facts.files {
        f.code_lines /= 3;
    }
    assert_eq!(
        plan(&facts, &proposal, &clean()).verdict.as_str(),
        "keep-monolith"
    );
    let mut h = signals(&facts, &proposal);
    h.per_context = [
        ("catalog", "ann"),
        ("shipping", "bob"),
        ("billing", "carol"),
        ("ordering", "dan"),
    ]
    .iter()
    .map(|(n, a)| owned(ctx(&proposal, n), 10, &[(a, 9), ("eve", 1)]))
    .collect();
    let p = plan_with_history(&facts, &proposal, &clean(), Some(&h));
    assert_eq!(p.verdict.as_str(), "split-now", "{}", p.dump());
    assert_eq!(p.reasons[0].kind.as_str(), "team");
    assert!(
        p.reasons[0].text.contains("4 distinct owners of contexts"),
        "{}",
        p.reasons[0].text
    );
    assert_eq!(
        p.codebase.team.as_ref().unwrap().distinct_owners,
        ["ann", "bob", "carol", "dan"]
    );
}
