//! Pure signals derived from a [`History`]: change coupling, churn, hotspots, ownership
//! and contributor coupling, each aggregated by a caller-chosen grouping of files.
//!
//! A grouping is a function from a file path (relative to the analysed folder) to its group,
//! or `None` to leave the file out. A group is any ordered key: a module or context id
//! (`onto` groups by those), or a name. Every list ordered "by group" follows the key's order.
//! Every function counts a commit once per group, however many of the group's files it
//! changed, so a group's figures do not grow with the number of files it is split into.

use std::collections::{BTreeMap, BTreeSet};

use crate::History;

/// How strongly two groups change together (logical coupling).
#[derive(Debug, Clone, PartialEq)]
pub struct Coupling<K = String> {
    /// The smaller group.
    pub a: K,
    /// The larger group.
    pub b: K,
    /// Commits that changed both groups.
    pub shared: u32,
    /// Commits that changed `a`.
    pub revs_a: u32,
    /// Commits that changed `b`.
    pub revs_b: u32,
    /// `shared / n`, where `n` is the number of commits that changed any grouped file:
    /// the support of the itemset `{a, b}` in association-rule mining (Agrawal, Imieliński
    /// and Swami 1993, "Mining association rules between sets of items in large databases").
    pub support: f64,
    /// `shared / revs_a`: the confidence of the rule `a => b`, the probability that a
    /// commit changing `a` also changes `b` (same source). Zimmermann et al. 2005, "Mining
    /// version histories to guide software changes", apply these rules to commits.
    pub confidence_ab: f64,
    /// `shared / revs_b`: the confidence of the rule `b => a`.
    pub confidence_ba: f64,
    /// `shared / ((revs_a + revs_b) / 2)`, in `[0, 1]`: the "degree of coupling" of
    /// CodeScene and code-maat's `coupling` analysis (Tornhill, "Your Code as a Crime
    /// Scene", 2015, which prints it as a percentage).
    pub degree: f64,
}

/// How much a group changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Churn {
    /// Commits that changed at least one of its files.
    pub commits: u32,
    /// Lines added to its files.
    pub added: u64,
    /// Lines removed from its files.
    pub removed: u64,
}

/// A group that both changes often and is large.
#[derive(Debug, Clone, PartialEq)]
pub struct Hotspot<K = String> {
    /// The group.
    pub group: K,
    /// Commits that changed it ([`Churn::commits`]).
    pub commits: u32,
    /// Its size as given by the caller (lines of code, items).
    pub size: u64,
    /// `(commits / max commits) * (size / max size)` over the groups given, in `[0, 1]`:
    /// change frequency times size, the hotspot measure of Tornhill ("Your Code as a Crime
    /// Scene", 2015; CodeScene), with size as the complexity proxy. Normalising by the
    /// maxima keeps the ranking of the plain product and makes scores comparable.
    pub score: f64,
}

/// Who works on a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Ownership {
    /// The author with the most commits in the group (ties: the smaller name).
    pub main_author: String,
    /// The main author's commits divided by all the group's commits, in `(0, 1]`.
    pub main_share: f64,
    /// Every author with their commit count in the group, most commits first, then by
    /// name.
    pub authors: Vec<(String, u32)>,
}

/// Two groups worked on by the same people.
#[derive(Debug, Clone, PartialEq)]
pub struct ContributorCoupling<K = String> {
    /// The smaller group.
    pub a: K,
    /// The larger group.
    pub b: K,
    /// Authors who changed both groups: `|D(a) ∩ D(b)|`, the contributor coupling weight
    /// of Mazlami, Cito and Leitner 2017, "Extraction of Microservices from Monolithic
    /// Software Architectures" (ICWS), where `D(x)` is the set of developers of `x`.
    pub shared_authors: u32,
    /// `|D(a) ∩ D(b)| / |D(a) ∪ D(b)|` (Jaccard), which does not grow with team size.
    pub jaccard: f64,
}

/// Logical coupling between groups: how often they change in the same commit.
///
/// For every pair of groups changed together at least once, where each group was changed
/// by at least `min_revisions` commits (code-maat's `min-revs`, which filters noise from
/// rarely changed files), returns the shared commit count (the logical coupling weight of
/// Mazlami et al. 2017), the association-rule support and confidences, and CodeScene's
/// degree of coupling; see [`Coupling`] for each formula and its source.
///
/// Sorted by degree (descending), then shared commits (descending), then `(a, b)`.
pub fn change_coupling<K: Ord + Clone>(
    history: &History,
    group_of: &dyn Fn(&str) -> Option<K>,
    min_revisions: u32,
) -> Vec<Coupling<K>> {
    let mut revs: BTreeMap<K, u32> = BTreeMap::new();
    let mut shared: BTreeMap<(K, K), u32> = BTreeMap::new();
    let mut n_transactions: u32 = 0;
    for commit in &history.commits {
        let groups = groups_of_commit(commit, group_of);
        if groups.is_empty() {
            continue;
        }
        n_transactions += 1;
        let groups: Vec<K> = groups.into_iter().collect();
        for (idx, a) in groups.iter().enumerate() {
            *revs.entry(a.clone()).or_default() += 1;
            for b in &groups[idx + 1..] {
                *shared.entry((a.clone(), b.clone())).or_default() += 1;
            }
        }
    }
    let mut res: Vec<Coupling<K>> = shared
        .into_iter()
        .filter_map(|((a, b), n_shared)| {
            let revs_a = revs[&a];
            let revs_b = revs[&b];
            if revs_a < min_revisions || revs_b < min_revisions {
                return None;
            }
            let shared_f = f64::from(n_shared);
            Some(Coupling {
                support: shared_f / f64::from(n_transactions),
                confidence_ab: shared_f / f64::from(revs_a),
                confidence_ba: shared_f / f64::from(revs_b),
                degree: shared_f / ((f64::from(revs_a) + f64::from(revs_b)) / 2.0),
                a,
                b,
                shared: n_shared,
                revs_a,
                revs_b,
            })
        })
        .collect();
    res.sort_by(|x, y| {
        y.degree
            .total_cmp(&x.degree)
            .then(y.shared.cmp(&x.shared))
            .then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b)))
    });
    res
}

/// Churn per group: commits that changed it (each commit once) and lines added and
/// removed (code-maat's `entity-churn`, aggregated).
pub fn churn<K: Ord + Clone>(
    history: &History,
    group_of: &dyn Fn(&str) -> Option<K>,
) -> BTreeMap<K, Churn> {
    let mut res: BTreeMap<K, Churn> = BTreeMap::new();
    for commit in &history.commits {
        let mut seen: BTreeSet<K> = BTreeSet::new();
        for file in &commit.files {
            let Some(group) = group_of(&file.path) else {
                continue;
            };
            let acc = res.entry(group.clone()).or_default();
            acc.added += file.added;
            acc.removed += file.removed;
            if seen.insert(group) {
                acc.commits += 1;
            }
        }
    }
    res
}

/// Hotspots: groups ranked by change frequency times size (see [`Hotspot::score`]).
///
/// `size_of` gives a group's size (lines of code, items); groups it returns `None` or 0
/// for, and groups that never changed, are left out. Sorted by score (descending), then
/// commits (descending), then group.
pub fn hotspots<K: Ord + Clone>(
    churn: &BTreeMap<K, Churn>,
    size_of: &dyn Fn(&K) -> Option<u64>,
) -> Vec<Hotspot<K>> {
    let sized: Vec<(&K, u32, u64)> = churn
        .iter()
        .filter_map(|(group, churn)| {
            let size = size_of(group)?;
            (size > 0 && churn.commits > 0).then_some((group, churn.commits, size))
        })
        .collect();
    let max_commits = sized.iter().map(|s| s.1).max().unwrap_or(1);
    let max_size = sized.iter().map(|s| s.2).max().unwrap_or(1);
    let mut res: Vec<Hotspot<K>> = sized
        .into_iter()
        .map(|(group, commits, size)| Hotspot {
            group: group.clone(),
            commits,
            size,
            score: (f64::from(commits) / f64::from(max_commits)) * (size as f64 / max_size as f64),
        })
        .collect();
    res.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(y.commits.cmp(&x.commits))
            .then_with(|| x.group.cmp(&y.group))
    });
    res
}

/// Ownership per group: each author's commits in the group (a commit counts once per
/// group), the main author and their share. A high share means one person or team owns
/// the code, which makes it a good candidate to extract (Conway's law; Tornhill's
/// "knowledge map"). Counting commits rather than lines keeps one bulk commit from
/// dominating.
pub fn ownership<K: Ord + Clone>(
    history: &History,
    group_of: &dyn Fn(&str) -> Option<K>,
) -> BTreeMap<K, Ownership> {
    let mut counts: BTreeMap<K, BTreeMap<String, u32>> = BTreeMap::new();
    for commit in &history.commits {
        for group in groups_of_commit(commit, group_of) {
            *counts
                .entry(group)
                .or_default()
                .entry(commit.author.clone())
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(group, by_author)| {
            let total: u32 = by_author.values().sum();
            let mut authors: Vec<(String, u32)> = by_author.into_iter().collect();
            authors.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
            let (main_author, main_count) = authors[0].clone();
            let own = Ownership {
                main_author,
                main_share: f64::from(main_count) / f64::from(total),
                authors,
            };
            (group, own)
        })
        .collect()
}

/// Contributor coupling between groups: how many authors changed both (Mazlami et al.
/// 2017; see [`ContributorCoupling`]). Only pairs with at least one shared author.
/// Sorted by shared authors (descending), then Jaccard (descending), then `(a, b)`.
pub fn contributor_coupling<K: Ord + Clone>(
    history: &History,
    group_of: &dyn Fn(&str) -> Option<K>,
) -> Vec<ContributorCoupling<K>> {
    let mut developers: BTreeMap<K, BTreeSet<&str>> = BTreeMap::new();
    for commit in &history.commits {
        for group in groups_of_commit(commit, group_of) {
            developers.entry(group).or_default().insert(&commit.author);
        }
    }
    let groups: Vec<(&K, &BTreeSet<&str>)> = developers.iter().collect();
    let mut res = Vec::new();
    for (idx, (a, devs_a)) in groups.iter().enumerate() {
        for (b, devs_b) in &groups[idx + 1..] {
            let n_shared = devs_a.intersection(devs_b).count();
            if n_shared == 0 {
                continue;
            }
            let n_union = devs_a.union(devs_b).count();
            res.push(ContributorCoupling {
                a: (*a).clone(),
                b: (*b).clone(),
                shared_authors: n_shared as u32,
                jaccard: n_shared as f64 / n_union as f64,
            });
        }
    }
    res.sort_by(|x, y| {
        y.shared_authors
            .cmp(&x.shared_authors)
            .then(y.jaccard.total_cmp(&x.jaccard))
            .then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b)))
    });
    res
}

/// The distinct groups a commit changed, sorted.
fn groups_of_commit<K: Ord>(
    commit: &crate::CommitChanges,
    group_of: &dyn Fn(&str) -> Option<K>,
) -> BTreeSet<K> {
    commit
        .files
        .iter()
        .filter_map(|file| group_of(&file.path))
        .collect()
}
