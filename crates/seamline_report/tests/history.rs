//! The history section of every report format, on the hand-built shop with
//! hand-built history signals, including an author name that tries to inject a script.

use seamline_cluster::contexts::{ContextId, Proposal};
use seamline_ir as ir;
use seamline_plan::{
    ContextHistory, CrossCoupling, HistorySignals, ModuleHotspot, Plan, PlanOptions, Thresholds,
    plan, plan_with_history,
};
use seamline_report::{html, md, plan_json};
use seamline_test_utils::sample::shop;

const EVIL: &str = "<script>alert('x')</script> `|*";

fn options() -> PlanOptions {
    PlanOptions {
        thresholds: Thresholds::recommended(),
    }
}

fn ctx(proposal: &Proposal, name: &str) -> ContextId {
    proposal
        .contexts
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .id
}

fn module(facts: &ir::Facts, path: &str) -> ir::ModuleId {
    facts.modules.iter().find(|m| m.path == path).unwrap().id
}

fn owned(context: ContextId, commits: u32, author: &str, share: u32) -> ContextHistory {
    ContextHistory {
        context,
        commits,
        lines_added: u64::from(commits) * 120,
        lines_removed: u64::from(commits) * 40,
        main_author: author.to_owned(),
        main_share: f64::from(share) / f64::from(commits),
        authors: vec![
            (author.to_owned(), share),
            ("zoe".to_owned(), commits - share),
        ],
    }
}

fn with_history() -> (ir::Facts, Proposal, Plan) {
    let (facts, proposal) = shop(1);
    let signals = HistorySignals {
        commits_read: 1234,
        merges_skipped: 56,
        huge_skipped: 7,
        per_context: vec![
            owned(ctx(&proposal, "billing"), 40, EVIL, 30),
            owned(ctx(&proposal, "ordering"), 60, "carol", 20),
            owned(ctx(&proposal, "shipping"), 10, "dan", 9),
        ],
        hotspots: vec![
            ModuleHotspot {
                module: module(&facts, "shop::orders"),
                commits: 60,
                code_lines: 6300,
                score: 1.0,
            },
            ModuleHotspot {
                module: module(&facts, "shop::billing"),
                commits: 40,
                code_lines: 3200,
                score: 0.34,
            },
        ],
        cross_context_coupling: vec![
            CrossCoupling {
                a: module(&facts, "shop::billing"),
                b: module(&facts, "shop::orders"),
                shared: 30,
                degree: 0.6,
            },
            CrossCoupling {
                a: module(&facts, "shop::shipping"),
                b: module(&facts, "shop::catalog"),
                shared: 3,
                degree: 0.3,
            },
        ],
        contributor_coupling: vec![(ctx(&proposal, "billing"), ctx(&proposal, "ordering"), 0.25)],
    };
    let p = plan_with_history(&facts, &proposal, &options(), Some(&signals));
    (facts, proposal, p)
}

#[test]
fn the_html_report_has_a_history_section_with_escaped_author_names() {
    let (facts, _, p) = with_history();
    let page = html::render(&facts, &p);
    assert!(page.contains("<a href=\"#history\">History</a>"));
    assert!(page.contains("<section id=\"history\">"));
    assert!(page.contains(
        "Read 1,234 commits (merges excluded); skipped 56 merge commits and 7 huge commits"
    ));
    assert!(page.contains("Hotspots: churn × size"));
    assert!(page.contains("<td><code>shop::orders</code></td>"));
    assert!(page.contains("Ownership per context"));
    assert!(page.contains("<td>carol</td>"));
    assert!(page.contains("Change coupling across contexts"));
    assert!(page.contains("<b>0.60</b>"), "the strong pair is marked");
    assert!(page.contains("Not independently deployable"));
    assert!(page.contains("billing and ordering are not independently deployable"));
    assert!(page.contains("Distinct owner from"));
    assert!(page.contains("Degree of change coupling"));
    assert!(page.contains("source and its git history"));
    // The hostile author name never reaches the page as markup.
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("&#60;script&#62;alert") || page.contains("&lt;script&gt;alert"));
    let scripts = page.matches("<script").count();
    let (facts0, proposal0) = shop(1);
    let plain = html::render(&facts0, &plan(&facts0, &proposal0, &options()));
    assert_eq!(scripts, plain.matches("<script").count());
}

#[test]
fn without_history_no_format_mentions_it() {
    let (facts, proposal) = shop(1);
    let p = plan(&facts, &proposal, &options());
    let page = html::render(&facts, &p);
    assert!(!page.contains("id=\"history\""));
    assert!(!page.contains("git history"));
    assert!(!md::render(&facts.root, &p).contains("History"));
    let v = serde_json::to_value(plan_json::plan_json(&p)).unwrap();
    assert!(v.get("history").is_none());
}

#[test]
fn the_json_plan_carries_the_history() {
    let (_, _, p) = with_history();
    let v = serde_json::to_value(plan_json::plan_json(&p)).unwrap();
    let h = &v["history"];
    assert_eq!(h["commits_read"], 1234);
    assert_eq!(h["merges_skipped"], 56);
    assert_eq!(h["huge_skipped"], 7);
    assert_eq!(h["thresholds"]["coupled_min_degree"], 0.5);
    assert_eq!(h["thresholds"]["coupled_min_shared_commits"], 5);
    assert_eq!(h["contexts"][0]["context"], "billing");
    assert_eq!(h["contexts"][0]["main_author"], EVIL);
    assert_eq!(h["contexts"][0]["main_share"], 0.75);
    assert_eq!(h["contexts"][0]["authors"][1]["name"], "zoe");
    assert_eq!(h["hotspots"][0]["module"], "shop::orders");
    assert_eq!(h["hotspots"][0]["context"], "ordering");
    let pair = &h["change_coupling"][0];
    assert_eq!(
        (
            &pair["a"],
            &pair["b"],
            &pair["shared_commits"],
            &pair["strong"]
        ),
        (
            &"shop::billing".into(),
            &"shop::orders".into(),
            &30.into(),
            &true.into()
        )
    );
    assert_eq!(h["change_coupling"][1]["strong"], false);
    assert_eq!(h["contributor_coupling"][0]["jaccard"], 0.25);
    let flag = &h["not_independently_deployable"][0];
    assert_eq!(
        (&flag["a"], &flag["b"]),
        (&"billing".into(), &"ordering".into())
    );
    assert_eq!(flag["pairs"], serde_json::json!([0]));
}

#[test]
fn the_markdown_summary_has_a_short_history_block() {
    let (facts, _, p) = with_history();
    let text = md::render(&facts.root, &p);
    assert!(!text.contains("<script>"));
    let block = &text[text.find("## History").expect("a history block")..];
    insta::assert_snapshot!(block);
}
