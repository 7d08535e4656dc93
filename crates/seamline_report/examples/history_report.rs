//! Writes the HTML and Markdown reports of the hand-made shop sample with hand-made git
//! history signals, to look at the History section without a repository:
//! `cargo run -p seamline_report --example history_report -- /tmp/history-sample`.
#![allow(clippy::print_stderr)]

use seamline_plan::{
    ContextHistory, CrossCoupling, HistorySignals, ModuleHotspot, PlanOptions, Thresholds,
    plan_with_history,
};
use seamline_report::{html, md};
use seamline_test_utils::sample;

fn main() -> std::io::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "history-sample".to_owned());
    let (facts, proposal) = sample::shop(1);
    let ctx = |name: &str| {
        proposal
            .contexts
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.id)
            .expect("shop context")
    };
    let module = |path: &str| {
        facts
            .modules
            .iter()
            .find(|m| m.path == path)
            .map(|m| m.id)
            .expect("shop module")
    };
    let owned = |name: &str, commits: u32, authors: &[(&str, u32)]| ContextHistory {
        context: ctx(name),
        commits,
        lines_added: u64::from(commits) * 37,
        lines_removed: u64::from(commits) * 11,
        main_author: authors[0].0.to_owned(),
        main_share: f64::from(authors[0].1) / f64::from(authors.iter().map(|a| a.1).sum::<u32>()),
        authors: authors.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect(),
    };
    let hot = |path: &str, commits: u32, code_lines: u64, score: f64| ModuleHotspot {
        module: module(path),
        commits,
        code_lines,
        score,
    };
    let pair = |a: &str, b: &str, shared: u32, degree: f64| CrossCoupling {
        a: module(a),
        b: module(b),
        shared,
        degree,
    };
    let signals = HistorySignals {
        commits_read: 2_418,
        merges_skipped: 311,
        huge_skipped: 9,
        per_context: vec![
            owned(
                "billing",
                612,
                &[("Ada Lovelace", 498), ("Grace Hopper", 80), ("Linus", 34)],
            ),
            owned(
                "catalog",
                240,
                &[("Grace Hopper", 130), ("Ada Lovelace", 110)],
            ),
            owned(
                "ordering",
                1_104,
                &[("Linus", 402), ("Grace Hopper", 380), ("Ada Lovelace", 322)],
            ),
            owned("shipping", 198, &[("Margaret Hamilton", 190), ("Linus", 8)]),
        ],
        hotspots: vec![
            hot("shop::orders", 1_010, 6_300, 1.0),
            hot("shop::billing", 612, 3_200, 0.31),
            hot("shop::orders::cart", 420, 2_900, 0.19),
            hot("shop::catalog", 240, 5_400, 0.2),
            hot("shop::shipping", 198, 3_800, 0.12),
            hot("shop::util", 80, 600, 0.01),
        ],
        cross_context_coupling: vec![
            pair("shop::billing", "shop::orders", 301, 0.55),
            pair("shop::shipping", "shop::orders::cart", 12, 0.04),
            pair("shop::catalog", "shop::orders", 96, 0.15),
        ],
        contributor_coupling: vec![
            (ctx("billing"), ctx("ordering"), 0.75),
            (ctx("catalog"), ctx("ordering"), 0.67),
            (ctx("shipping"), ctx("ordering"), 0.25),
        ],
    };
    let p = plan_with_history(
        &facts,
        &proposal,
        &PlanOptions {
            thresholds: Thresholds::recommended(),
        },
        Some(&signals),
    );
    std::fs::create_dir_all(&out)?;
    let dir = std::path::Path::new(&out);
    std::fs::write(dir.join("index.html"), html::render(&facts, &p))?;
    std::fs::write(dir.join("plan.md"), md::render(&facts.root, &p))?;
    eprintln!("wrote {}", dir.display());
    Ok(())
}
