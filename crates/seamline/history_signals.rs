//! `--history` for the plan and the report: aggregates a [`History`] (per file) onto the
//! analysed modules and the proposed contexts, as the plain [`HistorySignals`] that
//! `seamline_plan::plan_with_history` takes.
//!
//! Wiring only: `seamline_history` computes every figure (churn, ownership, hotspots, change
//! and contributor coupling) over a grouping of files; this file chooses the groupings (a
//! file's module from `Facts::files[..].module`, a module's context from
//! `Proposal::module_context`) and maps the group names back to ids. The plan crate does
//! not know git, and `seamline_history` does not know modules.

use crate::history::MIN_SHARED_COMMITS;
use seamline_cluster::contexts::{ContextId, Proposal};
use seamline_history::History;
use seamline_ir as ir;
use seamline_plan::{ContextHistory, CrossCoupling, HistorySignals, ModuleHotspot};
use std::collections::BTreeMap;

/// At most this many hotspots are kept (the hottest); the report shows fewer.
pub const MAX_HOTSPOTS: usize = 100;

/// Builds the plan's history input from what was read.
///
/// Files outside any analysed module (docs, manifests, skipped files) are left out; files of
/// kernel modules count for hotspots but belong to no context. Change coupling is computed
/// between modules changed by at least `min_revisions` commits each (code-maat's
/// `min-revs`, the `--min-revisions` flag), and only pairs whose modules sit in different
/// contexts and changed together at least [`MIN_SHARED_COMMITS`] times are kept. Group
/// names are ids printed with a fixed width, so every list comes out in id order.
pub fn build_history_signals(
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
    let by_module = |path: &str| module_of_file.get(path).map(|m| key(m.index()));
    let by_context = |path: &str| {
        module_of_file
            .get(path)
            .and_then(|&m| context_of_module(m))
            .map(|c| key(c.index()))
    };
    let module_id = |group: &str| group.parse::<u32>().ok().map(ir::ModuleId);
    let context_id = |group: &str| group.parse::<u32>().ok().map(ContextId);

    // Churn and ownership per context.
    let churn = seamline_history::churn(history, &by_context);
    let owners = seamline_history::ownership(history, &by_context);
    let per_context = churn
        .iter()
        .filter_map(|(group, churn)| {
            let own = owners.get(group)?;
            Some(ContextHistory {
                context: context_id(group)?,
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
    let module_churn = seamline_history::churn(history, &by_module);
    let size_of = |group: &str| {
        let m = module_id(group)?;
        let file = facts
            .files
            .get(facts.modules.get(m.index())?.file.index())?;
        Some(u64::from(file.code_lines))
    };
    let hotspots = seamline_history::hotspots(&module_churn, &size_of)
        .into_iter()
        .take(MAX_HOTSPOTS)
        .filter_map(|h| {
            Some(ModuleHotspot {
                module: module_id(&h.group)?,
                commits: h.commits,
                code_lines: h.size,
                score: h.score,
            })
        })
        .collect();

    // Change coupling between modules of different contexts.
    let cross_context_coupling =
        seamline_history::change_coupling(history, &by_module, min_revisions)
            .into_iter()
            .filter(|c| c.shared >= MIN_SHARED_COMMITS)
            .filter_map(|c| {
                let (a, b) = (module_id(&c.a)?, module_id(&c.b)?);
                let (ca, cb) = (context_of_module(a)?, context_of_module(b)?);
                (ca != cb).then_some(CrossCoupling {
                    a,
                    b,
                    shared: c.shared,
                    degree: c.degree,
                })
            })
            .collect();

    let contributor_coupling = seamline_history::contributor_coupling(history, &by_context)
        .into_iter()
        .filter_map(|c| Some((context_id(&c.a)?, context_id(&c.b)?, c.jaccard)))
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

/// A group name for an id: fixed width, so that name order is id order.
fn key(index: usize) -> String {
    format!("{index:010}")
}

#[cfg(test)]
mod tests {
    use super::*;
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

        let history = seamline_history::read_history(
            root,
            &seamline_history::HistoryOptions {
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

        let s = build_history_signals(&facts, &proposal, &history, 5);
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
        let s = build_history_signals(&facts, &proposal, &History::default(), 1);
        assert_eq!(s, HistorySignals::default());
    }
}
