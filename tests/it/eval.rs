//! End-to-end tests of `seamline eval`: accuracy on `fixtures/shop` against its
//! `expected.json` (NMI at least 0.8 and clearly above both baselines), module granularity,
//! thread-count independence, the text table and the input errors (exit 2).

use crate::util::{Run, Sandbox};
use serde_json::Value;

#[track_caller]
fn assert_code(run: &Run, code: i32) {
    assert_eq!(
        run.code, code,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
}

/// `seamline eval --format json` on the shop copy (PATH defaulting to the truth's folder).
#[track_caller]
fn eval_json(sandbox: &Sandbox, extra: &[&str]) -> (Value, String) {
    let mut args = vec!["eval", "--truth", "shop/expected.json", "--format", "json"];
    args.extend_from_slice(extra);
    let run = sandbox.run(&args);
    assert_code(&run, 0);
    let value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout));
    (value, run.stdout)
}

/// The result named `name` (`proposal`, `folder baseline`, `components baseline`).
#[track_caller]
fn result<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no result {name} in {v:#}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

#[test]
fn shop_items_are_recovered_well_above_both_baselines() {
    let sandbox = Sandbox::fixture("shop");
    let (v, _) = eval_json(&sandbox, &["--granularity", "item"]);
    assert_eq!(v["granularity"], "item");
    assert_eq!(v["truth_contexts"], 7);
    assert_eq!(v["missing_files"], 0);
    let proposal = f(&result(&v, "proposal")["items"]["nmi"]);
    let folder = f(&result(&v, "folder baseline")["items"]["nmi"]);
    let components = f(&result(&v, "components baseline")["items"]["nmi"]);
    assert!(proposal >= 0.8, "item NMI {proposal} < 0.8");
    assert!(
        proposal >= folder + 0.3 && proposal >= components + 0.3,
        "item NMI {proposal} not clearly above the baselines ({folder}, {components})"
    );
    // ARI and MoJoFM agree with NMI.
    assert!(f(&result(&v, "proposal")["items"]["ari"]) >= 0.7);
    assert!(f(&result(&v, "proposal")["items"]["mojofm"]) >= 80.0);
    // The kernel is scored separately: most of it is found, baselines find none of it.
    let kernel = &result(&v, "proposal")["kernel_items"];
    assert!(
        f(&kernel["recall"]) >= 0.7 && f(&kernel["precision"]) >= 0.7,
        "{kernel}"
    );
    assert_eq!(
        result(&v, "folder baseline")["kernel_items"]["predicted"],
        0
    );
    // Module-level agreement is reported for the same proposal.
    assert!(f(&result(&v, "proposal")["modules"]["nmi"]) >= 0.8);
    assert!(result(&v, "proposal")["modules"]["n"].as_u64().unwrap() > 0);
}

#[test]
fn module_granularity_is_reported_and_beats_the_baselines() {
    let sandbox = Sandbox::fixture("shop");
    let (v, _) = eval_json(&sandbox, &["--granularity", "module"]);
    assert_eq!(v["granularity"], "module");
    let proposal = f(&result(&v, "proposal")["modules"]["nmi"]);
    let folder = f(&result(&v, "folder baseline")["modules"]["nmi"]);
    assert!(
        proposal >= folder + 0.3,
        "module NMI {proposal} vs folder {folder}"
    );
    assert!(f(&result(&v, "proposal")["items"]["nmi"]) > 0.5);
}

#[test]
fn one_and_two_threads_print_the_same_scores() {
    let sandbox = Sandbox::fixture("shop");
    let (_, one) = eval_json(&sandbox, &["--threads", "1"]);
    let (_, two) = eval_json(&sandbox, &["--threads", "2"]);
    assert_eq!(one, two);
}

#[test]
fn contexts_flag_changes_the_number_of_contexts() {
    let sandbox = Sandbox::fixture("shop");
    let (v, _) = eval_json(&sandbox, &["--contexts", "4"]);
    let k = result(&v, "proposal")["contexts"].as_u64().unwrap();
    assert_eq!(k, 4, "asked for 4 contexts");
}

#[test]
fn the_text_table_lists_the_proposal_and_both_baselines() {
    let sandbox = Sandbox::fixture("shop");
    let run = sandbox.run(&["eval", "--truth", "expected.json", "shop"]);
    // PATH given explicitly; the truth file is looked up from the working directory.
    assert_code(&run, 2);
    let run = sandbox.run(&["eval", "--truth", "shop/expected.json", "shop"]);
    assert_code(&run, 0);
    for needle in [
        "Ground truth: 7 contexts",
        "proposal",
        "folder baseline",
        "components baseline",
        "NMI",
        "MoJoFM",
    ] {
        assert!(
            run.stdout.contains(needle),
            "{needle} missing:\n{}",
            run.stdout
        );
    }
}

#[test]
fn bad_truth_files_exit_2_with_one_clear_line() {
    let sandbox = Sandbox::fixture("shop");
    let cases = [
        ("missing.json", None, "cannot read the truth file"),
        ("broken.json", Some("{\"labels\": "), "bad truth file"),
        (
            "wrong.json",
            Some("{\"labels\": {\"src/a.rs\": 1}}"),
            "bad truth file",
        ),
        ("empty.json", Some("{\"labels\": {}}"), "labels no file"),
        ("extra.json", Some("{\"label\": {}}"), "unknown field"),
    ];
    for (name, text, expected) in cases {
        let path = sandbox.project.join(name);
        if let Some(text) = text {
            std::fs::write(&path, text).unwrap();
        }
        let run = sandbox.run(&["eval", "--truth", &format!("shop/{name}")]);
        assert_code(&run, 2);
        assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{name}: {}", run.stderr);
        assert!(lines[0].contains(expected), "{name}: {}", run.stderr);
    }
    assert_code(&sandbox.run(&["eval"]), 2);
    assert_code(
        &sandbox.run(&["eval", "--truth", "shop/expected.json", "--threads", "0"]),
        2,
    );
}

#[test]
fn truth_files_naming_unknown_files_are_noted_not_fatal() {
    let sandbox = Sandbox::fixture("shop");
    let path = sandbox.project.join("expected.json");
    let mut truth: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    truth["labels"]["src/gone.rs"] = Value::from("billing");
    std::fs::write(&path, truth.to_string()).unwrap();
    let (v, _) = eval_json(&sandbox, &[]);
    assert_eq!(v["missing_files"], 1);
}

/// `fixtures/shop` with the history `scripts/gen-history.sh` generates from
/// `fixtures/shop-history/domains.txt` (commits follow the domains), at `<tmp>/shop-git`.
fn shop_with_history(mapping: &std::path::Path) -> (tempfile::TempDir, std::path::PathBuf) {
    let root = crate::util::repo_root();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shop-git");
    let status = std::process::Command::new("bash")
        .arg(root.join("scripts/gen-history.sh"))
        .arg(root.join("fixtures/shop"))
        .arg(mapping)
        .arg(&out)
        .args(["300", "1"])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "gen-history.sh failed");
    (dir, out)
}

fn eval_at(dir: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["eval", "--truth", "expected.json", "--format", "json"];
    args.extend_from_slice(extra);
    let run = crate::util::run_in(dir, &args);
    assert_code(&run, 0);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn a_history_that_follows_the_domains_raises_accuracy() {
    let mapping = crate::util::repo_root().join("fixtures/shop-history/domains.txt");
    let (_dir, shop) = shop_with_history(&mapping);
    let without = eval_at(&shop, &[]);
    assert_eq!(without["history"], Value::Null);
    let with = eval_at(&shop, &["--history", "--history-weight", "10"]);
    assert_eq!(with["history"]["commits"], 300);
    assert!(with["history"]["co_change_pairs"].as_u64().unwrap() > 10);
    let before = f(&result(&without, "proposal")["items"]["nmi"]);
    let after = f(&result(&with, "proposal")["items"]["nmi"]);
    assert!(after >= before + 0.02, "history: {before} -> {after}");
    // The baselines do not use history.
    assert_eq!(
        result(&without, "folder baseline"),
        result(&with, "folder baseline")
    );
}

#[test]
fn history_outside_a_git_repository_is_a_note_not_an_error() {
    let sandbox = Sandbox::fixture("shop");
    let run = sandbox.run(&[
        "eval",
        "--truth",
        "shop/expected.json",
        "--format",
        "json",
        "--history",
    ]);
    assert_code(&run, 0);
    assert!(run.stderr.contains("history"), "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["history"]["co_change_pairs"], 0);
    // --history-weight without --history is a usage error.
    let run = sandbox.run(&[
        "eval",
        "--truth",
        "shop/expected.json",
        "--history-weight",
        "2",
    ]);
    assert_code(&run, 2);
}

#[test]
fn eval_takes_the_file_size_limit_of_analyze_and_versions_its_json() {
    let sandbox = Sandbox::fixture("shop");
    let (v, _) = eval_json(&sandbox, &[]);
    assert_eq!(v["schema_version"], "1");
    let run = sandbox.run(&["eval", "--truth", "shop/expected.json", "--format", "json"]);
    assert!(
        !run.stderr.contains("could not be analysed"),
        "{}",
        run.stderr
    );
    // Below the size of most of shop's files, they are skipped and said so, as by analyze.
    let run = sandbox.run(&[
        "eval",
        "--truth",
        "shop/expected.json",
        "--format",
        "json",
        "--max-file-size",
        "2KB",
    ]);
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("could not be analysed"),
        "{}",
        run.stderr
    );
    let skipped: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_ne!(
        result(&skipped, "proposal")["items"]["n"],
        result(&v, "proposal")["items"]["n"]
    );
    // The same parser as analyze's: a size it rejects is a usage error.
    assert_code(
        &sandbox.run(&[
            "eval",
            "--truth",
            "shop/expected.json",
            "--max-file-size",
            "lots",
        ]),
        2,
    );
}
