//! Reads repositories built on the fly and checks what `read_history` makes of them: files,
//! lines, authors, co-changes, renames, skipped commits, and every kind of bad input.

mod support;

use seamline_history::{HistoryOptions, read_history};
use seamline_ir::DiagCode;
use support::{T0, TestRepo, git_in, opts};

const ALICE: &str = "Alice <alice@example.com>";
const BOB: &str = "Bob <bob@example.com>";

fn codes(history: &seamline_history::History) -> Vec<DiagCode> {
    history.diagnostics.iter().map(|d| d.code).collect()
}

/// a.rs and b.rs change together three times, c.rs alone twice, a.rs with c.rs once.
fn co_change_repo() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.commit(
        ALICE,
        &[("src/a.rs", Some("a1\n")), ("src/b.rs", Some("b1\n"))],
    );
    repo.commit(
        ALICE,
        &[("src/a.rs", Some("a1\na2\n")), ("src/b.rs", Some("b2\n"))],
    );
    repo.commit(BOB, &[("src/c.rs", Some("c1\n"))]);
    repo.commit(
        ALICE,
        &[
            ("src/a.rs", Some("a1\na2\na3\n")),
            ("src/b.rs", Some("b3\n")),
        ],
    );
    repo.commit(BOB, &[("src/c.rs", Some("c2\n"))]);
    repo.commit(
        BOB,
        &[("src/a.rs", Some("a1\n")), ("src/c.rs", Some("c3\nc4\n"))],
    );
    repo
}

#[test]
fn files_lines_authors_and_co_changes_are_read() {
    let repo = co_change_repo();
    let history = read_history(repo.path(), &opts());
    assert!(history.diagnostics.is_empty(), "{:?}", history.diagnostics);
    assert_eq!(history.commits_read, 6);
    assert_eq!(history.commits.len(), 6);
    // Newest first.
    assert_eq!(history.commits[0].author, "Bob");
    assert_eq!(history.commits[0].time, T0 + 6 * 86_400);
    assert_eq!(history.commits[5].time, T0 + 86_400);
    insta::assert_snapshot!(history.dump(), @r#"
    prefix="" commits_read=6 used=6 merges_skipped=0 huge_skipped=0 shallow=false
    file src/a.rs commits=4 +3 -2 last=1704585600 authors=[Alice:3, Bob:1]
    file src/b.rs commits=3 +3 -2 last=1704412800 authors=[Alice:3]
    file src/c.rs commits=3 +4 -2 last=1704585600 authors=[Bob:3]
    co-change src/a.rs src/b.rs together=3
    "#);
}

#[test]
fn thread_count_does_not_change_the_result() {
    let repo = co_change_repo();
    let one = read_history(
        repo.path(),
        &HistoryOptions {
            threads: 1,
            ..opts()
        },
    );
    let four = read_history(
        repo.path(),
        &HistoryOptions {
            threads: 4,
            ..opts()
        },
    );
    assert_eq!(one, four);
}

#[test]
fn mailmap_merges_an_author_s_identities() {
    let mut repo = TestRepo::new();
    repo.commit("Al <al@old.example>", &[("x.rs", Some("1\n"))]);
    repo.commit(ALICE, &[("x.rs", Some("2\n"))]);
    let without = read_history(repo.path(), &opts());
    assert_eq!(without.files["x.rs"].authors.len(), 2);

    repo.commit(
        ALICE,
        &[(
            ".mailmap",
            Some("Alice <alice@example.com> <al@old.example>\n"),
        )],
    );
    let history = read_history(repo.path(), &opts());
    let authors: Vec<(&str, u32)> = history.files["x.rs"]
        .authors
        .iter()
        .map(|(a, n)| (a.as_str(), *n))
        .collect();
    assert_eq!(authors, [("Alice", 2)]);
}

#[test]
fn renames_are_followed_to_the_newest_path() {
    let mut repo = TestRepo::new();
    let body: String = (0..20).map(|i| format!("line {i}\n")).collect();
    repo.commit(
        ALICE,
        &[("old/a.rs", Some(&body)), ("other.rs", Some("o\n"))],
    );
    repo.commit(
        ALICE,
        &[
            ("old/a.rs", Some(&format!("{body}more\n"))),
            ("other.rs", Some("o2\n")),
        ],
    );
    std::fs::create_dir(repo.path().join("mid")).unwrap();
    repo.git(&["mv", "old/a.rs", "mid/a.rs"]);
    repo.commit_staged(BOB);
    repo.commit(
        BOB,
        &[
            ("mid/a.rs", Some(&format!("{body}more\nmore2\n"))),
            ("other.rs", Some("o3\n")),
        ],
    );
    std::fs::create_dir(repo.path().join("new")).unwrap();
    repo.git(&["mv", "mid/a.rs", "new/a.rs"]);
    repo.commit_staged(BOB);

    let history = read_history(repo.path(), &opts());
    assert!(history.diagnostics.is_empty(), "{:?}", history.diagnostics);
    let paths: Vec<&str> = history.files.keys().map(String::as_str).collect();
    assert_eq!(paths, ["new/a.rs", "other.rs"]);
    // Added, changed, moved, changed, moved: five commits under one name.
    assert_eq!(history.files["new/a.rs"].commits, 5);
    assert_eq!(history.files["new/a.rs"].lines_added, 22);
    assert_eq!(
        history.renames.get("old/a.rs").map(String::as_str),
        Some("new/a.rs")
    );
    assert_eq!(
        history.renames.get("mid/a.rs").map(String::as_str),
        Some("new/a.rs")
    );
    // The co-change of the older commits is credited to the newest path.
    assert_eq!(history.co_changes.len(), 1);
    assert_eq!(
        (
            history.co_changes[0].a.as_str(),
            history.co_changes[0].b.as_str()
        ),
        ("new/a.rs", "other.rs")
    );
    assert_eq!(history.co_changes[0].together, 3);
}

#[test]
fn merges_are_skipped_but_branch_commits_are_read() {
    let mut repo = TestRepo::new();
    repo.commit(ALICE, &[("a.rs", Some("1\n"))]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit(BOB, &[("feature.rs", Some("f\n")), ("a.rs", Some("2\n"))]);
    repo.git(&["checkout", "-q", "main"]);
    repo.commit(ALICE, &[("main.rs", Some("m\n"))]);
    repo.merge(ALICE, "feature");

    let history = read_history(repo.path(), &opts());
    assert_eq!(history.merges_skipped, 1);
    assert_eq!(history.commits_read, 3);
    assert_eq!(
        history.files["feature.rs"]
            .authors
            .keys()
            .collect::<Vec<_>>(),
        ["Bob"]
    );
    // The merge did not count as a second change of a.rs and feature.rs.
    assert_eq!(history.files["a.rs"].commits, 2);
    assert_eq!(history.files["feature.rs"].commits, 1);
}

#[test]
fn huge_commits_are_skipped_and_counted() {
    let mut repo = TestRepo::new();
    let many: Vec<(String, String)> = (0..6)
        .map(|i| (format!("gen/f{i}.rs"), format!("{i}\n")))
        .collect();
    let files: Vec<(&str, Option<&str>)> = many
        .iter()
        .map(|(p, c)| (p.as_str(), Some(c.as_str())))
        .collect();
    repo.commit(ALICE, &files);
    repo.commit(
        ALICE,
        &[
            ("gen/f0.rs", Some("changed\n")),
            ("gen/f1.rs", Some("changed\n")),
        ],
    );
    // Six modifications (found during the tree walk, unlike additions).
    let changed: Vec<(&str, Option<&str>)> = many
        .iter()
        .map(|(p, _)| (p.as_str(), Some("again\n")))
        .collect();
    repo.commit(ALICE, &changed);

    let history = read_history(
        repo.path(),
        &HistoryOptions {
            max_files_per_commit: 5,
            ..opts()
        },
    );
    assert!(history.diagnostics.is_empty(), "{:?}", history.diagnostics);
    assert_eq!(history.commits_read, 3);
    assert_eq!(history.huge_skipped, 2);
    assert_eq!(history.commits.len(), 1);
    assert_eq!(
        history.files.keys().collect::<Vec<_>>(),
        ["gen/f0.rs", "gen/f1.rs"]
    );
}

#[test]
fn max_commits_keeps_the_newest_and_says_so() {
    let mut repo = TestRepo::new();
    for i in 0..5 {
        repo.commit(ALICE, &[(&format!("f{i}.rs"), Some("x\n"))]);
    }
    let history = read_history(
        repo.path(),
        &HistoryOptions {
            max_commits: 3,
            ..opts()
        },
    );
    assert_eq!(history.commits_read, 3);
    assert_eq!(
        history.files.keys().collect::<Vec<_>>(),
        ["f2.rs", "f3.rs", "f4.rs"]
    );
    assert_eq!(codes(&history), [DiagCode::GitHistoryTruncated]);
}

#[test]
fn since_drops_older_commits() {
    let mut repo = TestRepo::new();
    for i in 0..5 {
        repo.commit(ALICE, &[(&format!("f{i}.rs"), Some("x\n"))]);
    }
    // Commits are at T0 + 1..=5 days: keep the last two.
    let history = read_history(
        repo.path(),
        &HistoryOptions {
            since: Some(T0 + 4 * 86_400),
            ..opts()
        },
    );
    assert_eq!(history.files.keys().collect::<Vec<_>>(), ["f3.rs", "f4.rs"]);
    assert!(history.diagnostics.is_empty(), "{:?}", history.diagnostics);
}

#[test]
fn a_subfolder_sees_paths_relative_to_itself() {
    let mut repo = TestRepo::new();
    repo.commit(
        ALICE,
        &[
            ("app/src/a.rs", Some("1\n")),
            ("docs/readme.md", Some("r\n")),
        ],
    );
    repo.commit(
        ALICE,
        &[("app/src/a.rs", Some("2\n")), ("app/src/b.rs", Some("b\n"))],
    );
    let history = read_history(&repo.path().join("app"), &opts());
    assert_eq!(history.prefix, "app");
    assert_eq!(
        history.files.keys().collect::<Vec<_>>(),
        ["src/a.rs", "src/b.rs"]
    );
    assert_eq!(history.files["src/a.rs"].commits, 2);
}

#[test]
fn a_folder_outside_git_is_a_diagnostic() {
    let (_guard, dir) = support::not_a_repo();
    let history = read_history(&dir, &opts());
    assert_eq!(codes(&history), [DiagCode::NotAGitRepository]);
    assert!(history.files.is_empty());
    assert_eq!(history.commits_read, 0);
}

#[test]
fn a_missing_folder_is_a_diagnostic() {
    let (_guard, dir) = support::not_a_repo();
    let history = read_history(&dir.join("does-not-exist"), &opts());
    assert_eq!(codes(&history), [DiagCode::NotAGitRepository]);
}

#[test]
fn an_empty_repository_is_a_diagnostic() {
    let repo = TestRepo::new();
    let history = read_history(repo.path(), &opts());
    assert_eq!(codes(&history), [DiagCode::EmptyGitHistory]);
    assert!(history.files.is_empty());
}

#[test]
fn a_shallow_clone_reads_what_is_there_and_says_so() {
    let mut repo = TestRepo::new();
    for i in 0..4 {
        repo.commit(
            ALICE,
            &[
                ("a.rs", Some(&format!("{i}\n"))),
                (&format!("f{i}.rs"), Some("x\n")),
            ],
        );
    }
    let target = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    git_in(
        target.path(),
        &["clone", "-q", "--depth", "2", &url, "clone"],
        &[],
    );
    let history = read_history(&target.path().join("clone"), &opts());
    assert!(history.shallow);
    assert_eq!(codes(&history), [DiagCode::ShallowGitHistory]);
    // Two commits are present; the boundary one has no parent to diff against.
    assert_eq!(history.commits_read, 1);
    assert_eq!(history.files.keys().collect::<Vec<_>>(), ["a.rs", "f3.rs"]);
}

#[test]
fn a_missing_tree_skips_its_commits_with_a_diagnostic() {
    let mut repo = TestRepo::new();
    repo.commit(ALICE, &[("a.rs", Some("1\n"))]);
    repo.commit(ALICE, &[("dir/b.rs", Some("1\n"))]);
    repo.commit(ALICE, &[("dir/b.rs", Some("2\n")), ("c.rs", Some("c\n"))]);
    repo.commit(ALICE, &[("d.rs", Some("d\n"))]);
    // Remove the `dir` subtree object of the third commit: diffing it fails, the rest is read.
    let tree = repo.git(&["rev-parse", "HEAD~1:dir"]).trim().to_string();
    std::fs::remove_file(
        repo.path()
            .join(".git/objects")
            .join(&tree[..2])
            .join(&tree[2..]),
    )
    .unwrap();

    let history = read_history(
        repo.path(),
        &HistoryOptions {
            threads: 1,
            ..opts()
        },
    );
    assert!(
        codes(&history).contains(&DiagCode::GitObjectUnreadable),
        "{:?}",
        history.diagnostics
    );
    assert!(history.files.contains_key("a.rs"));
    assert!(history.files.contains_key("d.rs"));
    assert_eq!(history.commits_read, 4);
}

#[test]
fn a_corrupt_commit_stops_the_walk_with_a_diagnostic() {
    let mut repo = TestRepo::new();
    repo.commit(ALICE, &[("a.rs", Some("1\n"))]);
    repo.commit(ALICE, &[("b.rs", Some("1\n"))]);
    repo.commit(ALICE, &[("c.rs", Some("1\n"))]);
    let parent = repo.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let object = repo
        .path()
        .join(".git/objects")
        .join(&parent[..2])
        .join(&parent[2..]);
    let mut perms = std::fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).unwrap();
    std::fs::write(&object, b"this is not zlib").unwrap();

    let history = read_history(repo.path(), &opts());
    assert!(
        codes(&history).contains(&DiagCode::GitObjectUnreadable),
        "{:?}",
        history.diagnostics
    );
    assert!(!history.files.contains_key("a.rs"));
}
