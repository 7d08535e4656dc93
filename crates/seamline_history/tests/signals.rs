//! The pure signals over hand-written histories: every figure is worked out by hand in the
//! comments, so a change in a formula fails here.

use std::collections::BTreeMap;

use seamline_history::{
    Churn, CommitChanges, FileChange, History, change_coupling, churn, contributor_coupling,
    hotspots, ownership,
};

/// A commit by `author` changing `files` as `(path, added, removed)`.
fn commit(author: &str, files: &[(&str, u64, u64)]) -> CommitChanges {
    CommitChanges {
        id: String::new(),
        author: author.to_string(),
        time: 0,
        files: files
            .iter()
            .map(|(path, added, removed)| FileChange {
                path: path.to_string(),
                added: *added,
                removed: *removed,
            })
            .collect(),
    }
}

/// The group of a file is its first folder; files at the root have none.
fn by_folder(path: &str) -> Option<String> {
    path.split_once('/').map(|(dir, _)| dir.to_string())
}

/// orders and billing change together 3 times out of orders' 4 and billing's 3 commits;
/// catalog changes alone twice and once with orders; a root file is ungrouped.
fn sample() -> History {
    History {
        commits: vec![
            commit(
                "ann",
                &[
                    ("orders/a.rs", 10, 2),
                    ("orders/b.rs", 5, 0),
                    ("billing/x.rs", 3, 3),
                ],
            ),
            commit("ann", &[("orders/a.rs", 1, 1), ("billing/x.rs", 1, 0)]),
            commit("bob", &[("orders/b.rs", 2, 2), ("billing/y.rs", 4, 0)]),
            commit("cid", &[("catalog/c.rs", 7, 0)]),
            commit("cid", &[("catalog/c.rs", 1, 1), ("README.md", 1, 0)]),
            commit("ann", &[("orders/a.rs", 1, 0), ("catalog/d.rs", 2, 0)]),
            commit("dan", &[("README.md", 5, 0)]),
        ],
        ..History::default()
    }
}

#[test]
fn change_coupling_gives_support_confidence_and_degree() {
    let res = change_coupling(&sample(), &by_folder, 1);
    let pairs: Vec<(&str, &str, u32)> = res
        .iter()
        .map(|c| (c.a.as_str(), c.b.as_str(), c.shared))
        .collect();
    // billing-orders: degree 3 / ((3 + 4) / 2) = 0.857; catalog-orders: 1 / ((3 + 4) / 2) = 0.286.
    assert_eq!(pairs, [("billing", "orders", 3), ("catalog", "orders", 1)]);
    let top = &res[0];
    assert_eq!((top.revs_a, top.revs_b), (3, 4));
    // Six commits touch a grouped file (the last one only touches README.md).
    assert!((top.support - 3.0 / 6.0).abs() < 1e-12);
    assert!((top.confidence_ab - 1.0).abs() < 1e-12);
    assert!((top.confidence_ba - 0.75).abs() < 1e-12);
    assert!((top.degree - 3.0 / 3.5).abs() < 1e-12);
    assert!((res[1].degree - 1.0 / 3.5).abs() < 1e-12);
}

#[test]
fn change_coupling_drops_rarely_changed_groups() {
    // catalog and billing have 3 revisions each, orders 4: a minimum of 4 leaves no pair.
    assert!(change_coupling(&sample(), &by_folder, 4).is_empty());
    assert_eq!(change_coupling(&sample(), &by_folder, 3).len(), 2);
}

#[test]
fn churn_counts_each_commit_once_per_group() {
    let res = churn(&sample(), &by_folder);
    let expected: BTreeMap<String, Churn> = [
        (
            "billing",
            Churn {
                commits: 3,
                added: 8,
                removed: 3,
            },
        ),
        (
            "catalog",
            Churn {
                commits: 3,
                added: 10,
                removed: 1,
            },
        ),
        (
            "orders",
            Churn {
                commits: 4,
                added: 19,
                removed: 5,
            },
        ),
    ]
    .into_iter()
    .map(|(group, churn)| (group.to_string(), churn))
    .collect();
    assert_eq!(res, expected);
}

#[test]
fn hotspots_rank_frequency_times_size() {
    let res = churn(&sample(), &by_folder);
    let sizes = |group: &String| match group.as_str() {
        "orders" => Some(100),
        "billing" => Some(400),
        "catalog" => Some(0),
        _ => None,
    };
    let spots = hotspots(&res, &sizes);
    let ranked: Vec<(&str, f64)> = spots.iter().map(|h| (h.group.as_str(), h.score)).collect();
    // billing: (3/4) * (400/400) = 0.75; orders: (4/4) * (100/400) = 0.25; catalog has size 0.
    assert_eq!(ranked, [("billing", 0.75), ("orders", 0.25)]);
}

#[test]
fn ownership_names_the_main_author_and_share() {
    let res = ownership(&sample(), &by_folder);
    let orders = &res["orders"];
    assert_eq!(orders.main_author, "ann");
    assert!((orders.main_share - 0.75).abs() < 1e-12);
    assert_eq!(
        orders.authors,
        [("ann".to_string(), 3), ("bob".to_string(), 1)]
    );
    // catalog: cid 2, ann 1.
    assert_eq!(res["catalog"].main_author, "cid");
    // billing: ann 2, bob 1.
    assert_eq!(
        res["billing"].authors,
        [("ann".to_string(), 2), ("bob".to_string(), 1)]
    );
    assert_eq!(res.len(), 3);
}

#[test]
fn ownership_ties_go_to_the_smaller_name() {
    let history = History {
        commits: vec![
            commit("zed", &[("x/a.rs", 1, 0)]),
            commit("amy", &[("x/a.rs", 1, 0)]),
        ],
        ..History::default()
    };
    let res = ownership(&history, &by_folder);
    assert_eq!(res["x"].main_author, "amy");
    assert!((res["x"].main_share - 0.5).abs() < 1e-12);
}

#[test]
fn contributor_coupling_counts_shared_authors() {
    let res = contributor_coupling(&sample(), &by_folder);
    let pairs: Vec<(&str, &str, u32, f64)> = res
        .iter()
        .map(|c| (c.a.as_str(), c.b.as_str(), c.shared_authors, c.jaccard))
        .collect();
    // D(orders) = {ann, bob}, D(billing) = {ann, bob}, D(catalog) = {ann, cid}.
    assert_eq!(
        pairs,
        [
            ("billing", "orders", 2, 1.0),
            ("billing", "catalog", 1, 1.0 / 3.0),
            ("catalog", "orders", 1, 1.0 / 3.0),
        ]
    );
}

#[test]
fn an_empty_history_gives_empty_signals() {
    let history = History::default();
    assert!(change_coupling(&history, &by_folder, 1).is_empty());
    assert!(churn(&history, &by_folder).is_empty());
    assert!(hotspots(&BTreeMap::<String, Churn>::new(), &|_| Some(1)).is_empty());
    assert!(ownership(&history, &by_folder).is_empty());
    assert!(contributor_coupling(&history, &by_folder).is_empty());
}
