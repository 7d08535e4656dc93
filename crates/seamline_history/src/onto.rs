//! The history mapped onto the analysed code: the figures of [`crate::signals`] grouped by
//! module and by proposed context, with the ids themselves as group keys.
//!
//! - [`module_co_change`]: change coupling between modules, the extra clustering edges of
//!   `--history` (`GraphOptions::co_change`).
//! - [`plan_signals`]: churn, ownership, hotspots, change and contributor coupling per
//!   module and context, as the [`HistorySignals`] that `seamline_plan::plan_with_history`
//!   takes.
//!
//! A file belongs to the module whose file it is (`Facts::files[..].module`), and a module
//! to its context (`Proposal::module_context`); files outside any analysed module (docs,
//! manifests, skipped files) are left out. The plan does not know commits, and the signals
//! do not know modules: this is the one place that maps one onto the other.

use std::collections::BTreeMap;

use seamline_cluster::contexts::{ContextId, Proposal};
use seamline_ir as ir;
use seamline_plan::{ContextHistory, CrossCoupling, HistorySignals, ModuleHotspot};

use crate::{History, MIN_CO_CHANGES};

/// At most this many hotspots are kept (the hottest); the report shows fewer.
pub const MAX_HOTSPOTS: usize = 100;

/// Change coupling between file-backed modules, as `(a, b, degree)` with `a < b`, sorted:
/// the degree of coupling (`shared / mean(revisions)`, in `[0, 1]`) of every pair of
/// modules changed by at least `min_revisions` commits each and together by at least
/// [`MIN_CO_CHANGES`]. Files that are not a module's file (docs, manifests, files the
/// analysis skipped) are left out; a file holding several modules counts for the first
/// one that is not inline.
pub fn module_co_change(
    facts: &ir::Facts,
    history: &History,
    min_revisions: u32,
) -> Vec<(ir::ModuleId, ir::ModuleId, f64)> {
    let mut by_file: BTreeMap<&str, ir::ModuleId> = BTreeMap::new();
    for module in facts.modules.iter().filter(|m| !m.inline) {
        if let Some(file) = facts.files.get(module.file.index()) {
            by_file.entry(file.path.as_str()).or_insert(module.id);
        }
    }
    let group_of = |file: &str| by_file.get(file).copied();
    let mut edges: Vec<(ir::ModuleId, ir::ModuleId, f64)> =
        crate::change_coupling(history, &group_of, min_revisions)
            .into_iter()
            .filter(|c| c.shared >= MIN_CO_CHANGES)
            .map(|c| (c.a.min(c.b), c.a.max(c.b), c.degree))
            .collect();
    edges.sort_by_key(|e| (e.0, e.1));
    edges
}

/// Builds the plan's history input from what was read.
///
/// Files of kernel modules count for hotspots but belong to no context. Change coupling is
/// computed between modules changed by at least `min_revisions` commits each (code-maat's
/// `min-revs`, the `--min-revisions` flag), and only pairs whose modules sit in different
/// contexts and changed together at least [`MIN_CO_CHANGES`] times are kept. Every list
/// comes out in id order where the figures tie.
pub fn plan_signals(
    facts: &ir::Facts,
    proposal: &Proposal,
    history: &History,
    min_revisions: u32,
) -> HistorySignals {
    let module_of_file: BTreeMap<&str, ir::ModuleId> = facts
        .files
        .iter()
        .filter_map(|f| {
            let m = f.module?;
            (m.index() < facts.modules.len()).then_some((f.path.as_str(), m))
        })
        .collect();
    let context_of_module = |m: ir::ModuleId| -> Option<ContextId> {
        proposal
            .map
            .module_context
            .get(m.index())
            .copied()
            .flatten()
            .filter(|c| c.index() < proposal.contexts.len())
    };
    let by_module = |path: &str| module_of_file.get(path).copied();
    let by_context = |path: &str| by_module(path).and_then(context_of_module);

    // Churn and ownership per context.
    let churn = crate::churn(history, &by_context);
    let owners = crate::ownership(history, &by_context);
    let per_context = churn
        .iter()
        .filter_map(|(&context, churn)| {
            let own = owners.get(&context)?;
            Some(ContextHistory {
                context,
                commits: churn.commits,
                lines_added: churn.added,
                lines_removed: churn.removed,
                main_author: own.main_author.clone(),
                main_share: own.main_share,
                authors: own.authors.clone(),
            })
        })
        .collect();

    // Hotspots: module churn times the module's file size.
    let module_churn = crate::churn(history, &by_module);
    let size_of = |m: &ir::ModuleId| {
        let file = facts
            .files
            .get(facts.modules.get(m.index())?.file.index())?;
        Some(u64::from(file.code_lines))
    };
    let hotspots = crate::hotspots(&module_churn, &size_of)
        .into_iter()
        .take(MAX_HOTSPOTS)
        .map(|h| ModuleHotspot {
            module: h.group,
            commits: h.commits,
            code_lines: h.size,
            score: h.score,
        })
        .collect();

    // Change coupling between modules of different contexts.
    let cross_context_coupling = crate::change_coupling(history, &by_module, min_revisions)
        .into_iter()
        .filter(|c| c.shared >= MIN_CO_CHANGES)
        .filter_map(|c| {
            let (ca, cb) = (context_of_module(c.a)?, context_of_module(c.b)?);
            (ca != cb).then_some(CrossCoupling {
                a: c.a,
                b: c.b,
                shared: c.shared,
                degree: c.degree,
            })
        })
        .collect();

    let contributor_coupling = crate::contributor_coupling(history, &by_context)
        .into_iter()
        .map(|c| (c.a, c.b, c.jaccard))
        .collect();

    HistorySignals {
        commits_read: history.commits_read,
        merges_skipped: history.merges_skipped,
        huge_skipped: history.huge_skipped,
        per_context,
        hotspots,
        cross_context_coupling,
        contributor_coupling,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CommitChanges, FileChange};
    use seamline_test_utils::sample::{Assignment, FactsBuilder, measure};
    use std::path::Path;
    use std::process::Command;

    /// Runs git in `dir` with an isolated configuration, as `author` at day `day`.
    fn git(dir: &Path, args: &[&str], author: &str, day: i64) {
        let date = format!("{} +0000", 1_704_067_200 + day * 86_400);
        let email = format!("{}@example.com", author.to_lowercase());
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", author)
            .env("GIT_AUTHOR_EMAIL", &email)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_NAME", author)
            .env("GIT_COMMITTER_EMAIL", &email)
            .env("GIT_COMMITTER_DATE", &date)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Commits one more line in each of `files`, as `author`.
    fn commit(dir: &Path, day: &mut i64, author: &str, files: &[&str]) {
        for f in files {
            let path = dir.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut text = std::fs::read_to_string(&path).unwrap_or_default();
            text.push_str(&format!("// change {day}\n"));
            std::fs::write(&path, text).unwrap();
        }
        *day += 1;
        git(dir, &["add", "-A"], author, *day);
        git(
            dir,
            &["commit", "-q", "--no-verify", "-m", "change"],
            author,
            *day,
        );
    }

    /// Billing and shipping always change together (a hidden protocol); catalog is Bob's
    /// alone; the README is no module.
    #[test]
    fn history_is_aggregated_onto_modules_and_contexts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"], "Ada", 0);
        let mut day = 0;
        for _ in 0..6 {
            commit(
                root,
                &mut day,
                "Ada",
                &["src/billing.rs", "src/shipping.rs"],
            );
        }
        for _ in 0..4 {
            commit(root, &mut day, "Bob", &["src/catalog.rs"]);
        }
        commit(root, &mut day, "Ada", &["src/billing.rs", "README.md"]);
        commit(root, &mut day, "Cy", &["src/util.rs", "src/catalog.rs"]);

        let history = crate::read_history(
            root,
            &crate::HistoryOptions {
                since: None,
                max_commits: 100,
                max_files_per_commit: 50,
                threads: 1,
            },
        );
        assert!(history.diagnostics.is_empty(), "{:?}", history.diagnostics);
        assert_eq!(history.commits_read, 12);

        let mut b = FactsBuilder::new("shop");
        b.module("shop", "src/lib.rs", 10)
            .module("shop::billing", "src/billing.rs", 300)
            .module("shop::shipping", "src/shipping.rs", 100)
            .module("shop::catalog", "src/catalog.rs", 200)
            .module("shop::util", "src/util.rs", 50);
        let facts = b.build();
        let proposal = measure(
            &facts,
            &Assignment {
                contexts: vec![
                    ("billing".to_owned(), vec!["shop::billing".to_owned()]),
                    ("catalog".to_owned(), vec!["shop::catalog".to_owned()]),
                    ("shipping".to_owned(), vec!["shop::shipping".to_owned()]),
                ],
                kernel: vec!["shop".to_owned(), "shop::util".to_owned()],
                item_overrides: vec![],
                modularity: 0.5,
            },
        );
        let ctx = |name: &str| {
            proposal
                .contexts
                .iter()
                .find(|c| c.name == name)
                .unwrap()
                .id
        };
        let module = |path: &str| facts.modules.iter().find(|m| m.path == path).unwrap().id;

        let s = plan_signals(&facts, &proposal, &history, 5);
        assert_eq!(
            (s.commits_read, s.merges_skipped, s.huge_skipped),
            (12, 0, 0)
        );

        let per: Vec<(ContextId, u32, &str, u32)> = s
            .per_context
            .iter()
            .map(|c| {
                (
                    c.context,
                    c.commits,
                    c.main_author.as_str(),
                    (c.main_share * 100.0).round() as u32,
                )
            })
            .collect();
        assert_eq!(
            per,
            [
                (ctx("billing"), 7, "Ada", 100),
                (ctx("catalog"), 5, "Bob", 80),
                (ctx("shipping"), 6, "Ada", 100),
            ]
        );
        let billing = &s.per_context[0];
        assert_eq!((billing.lines_added, billing.lines_removed), (7, 0));

        // Billing: 7 commits × 300 lines is the hottest; util (kernel) is still listed.
        assert_eq!(s.hotspots[0].module, module("shop::billing"));
        assert_eq!((s.hotspots[0].commits, s.hotspots[0].code_lines), (7, 300));
        assert!((s.hotspots[0].score - 1.0).abs() < 1e-9);
        assert!(s.hotspots.iter().any(|h| h.module == module("shop::util")));

        // Billing and shipping: 6 shared commits, degree 6 / ((7 + 6) / 2).
        assert_eq!(
            s.cross_context_coupling.len(),
            1,
            "{:?}",
            s.cross_context_coupling
        );
        let pair = &s.cross_context_coupling[0];
        let ends = [pair.a.min(pair.b), pair.a.max(pair.b)];
        assert_eq!(ends, [module("shop::billing"), module("shop::shipping")]);
        assert_eq!(pair.shared, 6);
        assert!((pair.degree - 6.0 / 6.5).abs() < 1e-9);

        // Ada works on billing and shipping; Bob and Cy on catalog only.
        assert_eq!(
            s.contributor_coupling,
            [(ctx("billing"), ctx("shipping"), 1.0)]
        );

        // The plan flags the pair, and its history section carries the figures.
        let p = seamline_plan::plan_with_history(
            &facts,
            &proposal,
            &seamline_plan::PlanOptions {
                thresholds: seamline_plan::Thresholds::recommended(),
            },
            Some(&s),
        );
        let h = p.history.unwrap();
        assert_eq!(h.not_independent.len(), 1);
        assert!(
            h.not_independent[0]
                .text
                .starts_with("billing and shipping are not independently deployable"),
            "{}",
            h.not_independent[0].text
        );
    }

    #[test]
    fn an_empty_history_gives_empty_signals() {
        let facts = FactsBuilder::new("shop").build();
        let proposal = measure(
            &facts,
            &Assignment {
                contexts: vec![],
                kernel: vec![],
                item_overrides: vec![],
                modularity: 0.0,
            },
        );
        let s = plan_signals(&facts, &proposal, &History::default(), 1);
        assert_eq!(s, HistorySignals::default());
    }

    /// A hand-written history of plain commits (no repository).
    fn change(n: usize, files: &[&str]) -> CommitChanges {
        CommitChanges {
            id: format!("{n:040}"),
            author: "Ada".to_owned(),
            time: n as i64,
            files: files
                .iter()
                .map(|f| FileChange {
                    path: (*f).to_owned(),
                    added: 1,
                    removed: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn files_map_to_their_modules_and_rare_pairs_are_dropped() {
        let mut b = seamline_test_utils::facts::FactsBuilder::new("shop");
        let a = b.module("shop::a", "src/a.rs", 10);
        let bm = b.module("shop::b", "src/b.rs", 10);
        let c = b.module("shop::c", "src/c.rs", 10);
        let facts = b.finish();
        // a and b change together 3 times out of 4 each; c with a once; README is no module.
        let commits = vec![
            change(1, &["src/a.rs", "src/b.rs", "README.md"]),
            change(2, &["src/a.rs", "src/b.rs"]),
            change(3, &["src/a.rs", "src/b.rs"]),
            change(4, &["src/a.rs", "src/c.rs"]),
            change(5, &["src/b.rs"]),
            change(6, &["src/c.rs"]),
        ];
        let history = History {
            commits,
            ..History::default()
        };
        let edges = module_co_change(&facts, &history, 1);
        assert_eq!(edges.len(), 1, "{edges:?}");
        assert_eq!((edges[0].0, edges[0].1), (a.min(bm), a.max(bm)));
        assert!((edges[0].2 - 0.75).abs() < 1e-9);
        // Raising the minimum number of revisions above a's 4 drops everything.
        assert!(module_co_change(&facts, &history, 5).is_empty());
        let _ = c;
    }
}
