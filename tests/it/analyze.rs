//! End-to-end tests of `seamline analyze` (and the hidden `debug` commands): exit codes,
//! the report files, the JSON document with its contexts and plan, determinism across thread
//! counts, terminal output.

use crate::util::{Sandbox, read_json, run_in};
use serde_json::Value;

/// Keys that schema version 1 promises at the top level, in document order.
const TOP_LEVEL_KEYS: [&str; 10] = [
    "schema_version",
    "tool",
    "input",
    "modules",
    "items",
    "models",
    "tables",
    "dependencies",
    "references",
    "external",
];

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|x| x[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn find<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x[key] == value)
        .unwrap_or_else(|| panic!("no entry with {key} = {value}"))
}

/// A crate with one good module, one unparsable one and one `mod` without a file.
const BROKEN_CRATE: &str = r#"
//- /Cargo.toml
[package]
name = "tiny_broken"
version = "0.1.0"
edition = "2021"
//- /src/lib.rs
//! Root.
pub mod good;
pub mod bad;
mod missing;
//- /src/good.rs
pub struct Order { pub id: u64 }
pub fn total(o: &Order) -> u64 { o.id }
//- /src/bad.rs
pub fn oops( {
"#;

#[test]
fn analyze_shop_writes_json_with_the_documented_keys() {
    let sb = Sandbox::fixture("shop");
    let run = sb.run(&["analyze", "shop", "--format", "json", "--out", "out"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "", "analyze writes its summary on stderr");
    let json = read_json(&sb.tmp().join("out/seamline.json"));
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in TOP_LEVEL_KEYS {
        assert!(keys.contains(&key), "missing top-level key {key}");
    }
    assert_eq!(json["schema_version"], "1");
    assert_eq!(json["tool"]["name"], "seamline");
    assert_eq!(json["input"]["root"], "shop");
    for key in ["crates", "files", "lines", "code_lines", "diagnostics"] {
        assert!(!json["input"][key].is_null(), "missing input.{key}");
    }
    assert!(json["input"]["files"].as_u64().unwrap() >= 40);
}

#[test]
fn analyze_shop_finds_its_modules_models_tables_and_dependencies() {
    let sb = Sandbox::fixture("shop");
    let run = sb.run(&["analyze", "shop", "--format", "json", "--out", "out"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = read_json(&sb.tmp().join("out/seamline.json"));

    let modules = ids(&json["modules"], "id");
    for m in [
        "shop",
        "shop::services::billing",
        "shop::models::order",
        "shop::repositories::order_repo",
    ] {
        assert!(modules.contains(&m.to_owned()), "module {m} missing");
    }
    let billing = find(&json["modules"], "id", "shop::services::billing");
    assert_eq!(billing["file"], "src/services/billing.rs");
    assert_eq!(billing["parent"], "shop::services");

    let order = find(&json["models"], "id", "shop::models::order::Order");
    assert_eq!(order["kind"], "struct");
    assert_eq!(order["module"], "shop::models::order");
    let order_row = find(&json["models"], "id", "shop::models::order::OrderRow");
    assert_eq!(order_row["table"], "orders");

    let orders = find(&json["tables"], "name", "orders");
    assert!(
        orders["defined_in"]
            .as_str()
            .unwrap()
            .starts_with("src/schema.rs:")
    );
    let mapped_by = orders["mapped_by"].as_array().unwrap();
    assert!(
        mapped_by.contains(&Value::from("shop::models::order::OrderRow")),
        "{mapped_by:?}"
    );
    let repo_access = find(
        &orders["accessed_by"],
        "module",
        "shop::repositories::order_repo",
    );
    let touched = repo_access["reads"].as_u64().unwrap() + repo_access["writes"].as_u64().unwrap();
    assert!(touched > 0, "order_repo touches orders: {repo_access}");

    // `use crate::models::order::Order;` on line 9 of src/services/billing.rs.
    let dep = json["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["from"] == "shop::services::billing"
                && d["to"] == "shop::models::order"
                && d["kind"] == "import"
        })
        .expect("billing imports the order model");
    assert_eq!(dep["evidence"], "src/services/billing.rs:9");

    let uuid = find(&json["external"], "root", "uuid");
    assert!(ids(&uuid["modules"], "module").contains(&"shop::services::billing".to_owned()));
}

#[test]
fn every_report_is_byte_identical_with_one_two_or_four_threads() {
    for name in ["shop", "broken", "workspace", "tiny"] {
        let sb = Sandbox::fixture(name);
        if name == "broken" {
            sb.add_fixture("workspace");
        }
        let mut outputs = Vec::new();
        for threads in ["1", "2", "4", "2"] {
            let out = format!("out-{}", outputs.len());
            let run = sb.run(&[
                "analyze",
                name,
                "--format",
                "html,json,md,dot",
                "--threads",
                threads,
                "--out",
                &out,
            ]);
            assert_eq!(run.code, 0, "{name} with {threads} threads: {run:?}");
            let files: Vec<Vec<u8>> = ["index.html", "seamline.json", "plan.md", "plan.dot"]
                .iter()
                .map(|f| std::fs::read(sb.tmp().join(&out).join(f)).unwrap())
                .collect();
            outputs.push(files);
        }
        for (i, other) in outputs.iter().enumerate().skip(1) {
            assert!(
                *other == outputs[0],
                "{name}: run {i} differs from the single-threaded run"
            );
        }
        assert!(outputs[0][1].ends_with(b"}\n"));
    }
}

/// `--json-style compact` writes one line that parses to the same document as
/// `pretty`, byte-identical across thread counts; without the flag a small document is
/// pretty.
#[test]
fn json_style_compact_is_one_line_with_the_same_content_for_any_thread_count() {
    let sb = Sandbox::fixture("shop");
    let mut texts = Vec::new();
    for (style, threads) in [
        (Some("compact"), "1"),
        (Some("compact"), "2"),
        (Some("pretty"), "2"),
        (None, "2"),
    ] {
        let out = format!("out-{}", texts.len());
        let mut args = vec!["analyze", "shop", "--format", "json", "--threads", threads];
        args.extend(["--out", &out, "-q"]);
        if let Some(style) = style {
            args.extend(["--json-style", style]);
        }
        let run = sb.run(&args);
        assert_eq!(run.code, 0, "{run:?}");
        texts.push(std::fs::read_to_string(sb.tmp().join(&out).join("seamline.json")).unwrap());
    }
    let [compact, compact_2, pretty, default] = &texts[..] else {
        unreachable!()
    };
    assert_eq!(
        compact, compact_2,
        "compact differs between 1 and 2 threads"
    );
    assert_eq!(compact.lines().count(), 1);
    assert!(
        compact.len() * 4 < pretty.len() * 3,
        "{} vs {}",
        compact.len(),
        pretty.len()
    );
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
    assert_eq!(parse(compact), parse(pretty));
    assert_eq!(default, pretty, "a small document is pretty by default");
    let run = sb.run(&["analyze", "shop", "--json-style", "tiny", "--out", "x"]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn analyze_workspace_lists_crates_with_local_dependency_names() {
    let sb = Sandbox::fixture("workspace");
    let run = sb.run(&["analyze", "workspace", "--format", "json", "--out", "out"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = read_json(&sb.tmp().join("out/seamline.json"));
    let billing = find(&json["input"]["crates"], "name", "billing");
    assert_eq!(billing["package"], "billing");
    assert_eq!(billing["manifest"], "crates/billing/Cargo.toml");
    // `types = { package = "core-types" }`: the code says `types::`.
    let dep = &billing["deps"][0];
    assert_eq!(dep["local_name"], "types");
    assert_eq!(dep["crate"], "core_types");
}

#[test]
fn diagnostics_in_the_input_are_reported_and_still_exit_zero() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    let run = sb.run(&["analyze", "tiny_broken", "--format", "json", "--out", "out"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("error[parse-error]: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("  --> tiny_broken/src/bad.rs:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("error[missing-module-file]: "),
        "{}",
        run.stderr
    );
    let json = read_json(&sb.tmp().join("out/seamline.json"));
    let diags = &json["input"]["diagnostics"];
    let codes = ids(diags, "code");
    assert!(codes.contains(&"parse-error".to_owned()), "{codes:?}");
    let parse = find(diags, "code", "parse-error");
    assert_eq!(parse["file"], "src/bad.rs");
    assert_eq!(parse["severity"], "error");
    assert!(parse["line"].as_u64().unwrap() >= 1);
    // The rest of the crate is still analysed.
    assert!(ids(&json["models"], "id").contains(&"tiny_broken::good::Order".to_owned()));
}

#[test]
fn analyze_terminal_output_snapshot() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    let run = sb.run(&["analyze", "tiny_broken", "--out", "out"]);
    insta::assert_snapshot!(run.normalised(sb.tmp()));
}

#[test]
fn quiet_prints_nothing_on_success() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    let run = sb.run(&[
        "analyze",
        "tiny_broken",
        "--format",
        "json",
        "--out",
        "out",
        "--quiet",
    ]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
    assert!(sb.tmp().join("out/seamline.json").is_file());
}

#[test]
fn verbose_prints_stage_timings() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    let run = sb.run(&[
        "analyze",
        "tiny_broken",
        "--format",
        "json",
        "--out",
        "out",
        "-v",
    ]);
    assert_eq!(run.code, 0);
    for stage in ["frontend", "contexts", "plan", "json", "write"] {
        assert!(
            run.stderr.contains(&format!("timing: {stage}")),
            "no timing for {stage}: {}",
            run.stderr
        );
    }
}

#[test]
fn default_output_folder_is_seamline_report() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    let run = sb.run(&["analyze", "tiny_broken"]);
    assert_eq!(run.code, 0, "{run:?}");
    // The default formats: html and json, nothing else.
    let mut files: Vec<String> = std::fs::read_dir(sb.tmp().join("seamline-report"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["index.html", "seamline.json"]);
}

#[test]
fn max_file_size_skips_bigger_files_with_a_diagnostic() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    let run = sb.run(&[
        "analyze",
        "tiny_broken",
        "--format",
        "json",
        "--out",
        "out",
        "--max-file-size",
        "40B",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = read_json(&sb.tmp().join("out/seamline.json"));
    let too_large = find(&json["input"]["diagnostics"], "code", "file-too-large");
    assert_eq!(too_large["file"], "src/good.rs");
}

#[test]
fn missing_path_exits_2_with_a_one_line_error() {
    let sb = Sandbox::inline("empty", "");
    let run = sb.run(&["analyze", "does-not-exist", "--out", "out"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains("does-not-exist"), "{}", run.stderr);
    assert!(
        !sb.tmp().join("out").exists(),
        "no output folder for a failed run"
    );
}

#[test]
fn folder_without_rust_exits_2() {
    let sb = Sandbox::inline("docs_only", "//- /README.md\nno code here\n");
    let run = sb.run(&["analyze", "docs_only", "--out", "out"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
}

#[test]
fn unwritable_output_folder_exits_2() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    // A file where the output folder should be: no permission trick that root would bypass.
    std::fs::write(sb.tmp().join("taken"), "a file").unwrap();
    let run = sb.run(&[
        "analyze",
        "tiny_broken",
        "--format",
        "json",
        "--out",
        "taken",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: cannot create output folder taken"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    for args in [
        &["analyze", "tiny_broken", "--no-such-flag"][..],
        &["analyze", "tiny_broken", "--format", "pdf"],
        &["analyze", "tiny_broken", "--threads", "0"],
        &["analyze", "tiny_broken", "--threads", "many"],
        &["analyze", "tiny_broken", "--max-file-size", "10XB"],
        &["analyze", "tiny_broken", "--quiet", "--verbose"],
        &["no-such-command"],
    ] {
        let run = sb.run(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
    }
    // No command at all: clap shows the help on stderr, still a usage error.
    let run = sb.run(&[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("Usage: seamline"), "{}", run.stderr);
}

#[test]
fn every_format_writes_its_file_and_duplicates_are_written_once() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    let run = sb.run(&[
        "analyze",
        "tiny_broken",
        "--format",
        "dot,md,json,html,md",
        "--out",
        "out",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let wrote: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("Wrote "))
        .collect();
    assert_eq!(
        wrote,
        [
            "Wrote out/index.html",
            "Wrote out/seamline.json",
            "Wrote out/plan.md",
            "Wrote out/plan.dot"
        ]
    );
    let html = std::fs::read_to_string(sb.tmp().join("out/index.html")).unwrap();
    assert!(html.starts_with("<!doctype html>") || html.starts_with("<!DOCTYPE html>"));
    let md = std::fs::read_to_string(sb.tmp().join("out/plan.md")).unwrap();
    assert!(md.starts_with("# Split plan for tiny\\_broken"), "{md}");
    let dot = std::fs::read_to_string(sb.tmp().join("out/plan.dot")).unwrap();
    assert!(dot.starts_with("digraph"), "{dot}");
}

#[test]
fn help_documents_the_exit_codes() {
    let sb = Sandbox::inline("empty", "");
    for args in [&["--help"][..], &["analyze", "--help"]] {
        let run = sb.run(args);
        assert_eq!(run.code, 0);
        assert!(
            run.stdout.contains("Exit codes:"),
            "{args:?}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("  2  Usage error"), "{}", run.stdout);
    }
    insta::assert_snapshot!(sb.run(&["analyze", "--help"]).stdout);
}

#[test]
fn debug_facts_prints_the_facts_dump() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    let run = sb.run(&["debug", "facts", "tiny_broken"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with("crate tiny_broken Lib"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("module tiny_broken::good file=src/good.rs"),
        "{}",
        run.stdout
    );
    // Hidden from the help.
    let help = sb.run(&["--help"]);
    assert!(!help.stdout.contains("debug"), "{}", help.stdout);
}

#[test]
fn debug_graph_contexts_and_plan_print_their_stage_dumps() {
    let sb = Sandbox::fixture("tiny");
    let graph = sb.run(&["debug", "graph", "tiny", "--granularity", "module"]);
    assert_eq!(graph.code, 0, "{graph:?}");
    assert!(graph.stdout.contains("tiny::"), "{}", graph.stdout);
    let contexts = sb.run(&["debug", "contexts", "tiny"]);
    assert_eq!(contexts.code, 0, "{contexts:?}");
    let plan = sb.run(&["debug", "plan", "tiny"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    // The plan dump and the JSON say the same thing.
    let run = sb.run(&["analyze", "tiny", "--format", "json", "--out", "out", "-q"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = read_json(&sb.tmp().join("out/seamline.json"));
    let verdict = json["plan"]["verdict"].as_str().unwrap();
    assert!(plan.stdout.contains(verdict), "{verdict}: {}", plan.stdout);
    for c in ids(&json["contexts"], "name") {
        assert!(contexts.stdout.contains(&c), "{c}: {}", contexts.stdout);
    }
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_seamline"))
        .args(["debug", "facts", "tiny_broken"])
        .current_dir(sb.tmp())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before the dump is written: the write fails with EPIPE.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn path_defaults_to_the_current_folder() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    let run = run_in(
        &sb.project,
        &["analyze", "--format", "json", "--out", "out", "-q"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let json = read_json(&sb.project.join("out/seamline.json"));
    assert_eq!(json["input"]["crates"][0]["name"], "tiny_broken");
    // The page names the folder, not `.`.
    let run = run_in(&sb.project, &["analyze", "--out", "out", "-q"]);
    assert_eq!(run.code, 0, "{run:?}");
    let html = std::fs::read_to_string(sb.project.join("out/index.html")).unwrap();
    assert!(
        html.contains("Split plan for <b>tiny_broken</b>"),
        "the page does not name the folder"
    );
}

#[test]
fn broken_input_is_reported_file_by_file_and_never_executed() {
    let sb = Sandbox::fixture("broken");
    // The fixture's escapes lead into `../workspace`: make them lead somewhere real.
    sb.add_fixture("workspace");
    let run = sb.run(&[
        "analyze",
        "broken",
        "--format",
        "json",
        "--out",
        "out",
        "--max-file-size",
        "1KB",
    ]);
    assert_eq!(
        run.code, 0,
        "bad input is not a failure of the run: {run:?}"
    );
    assert!(
        !sb.project.join("BUILD_RS_WAS_EXECUTED").exists(),
        "seamline executed build.rs"
    );
    let text = std::fs::read_to_string(sb.tmp().join("out/seamline.json")).unwrap();
    assert!(
        !text.contains(&sb.tmp().display().to_string()),
        "the JSON must not depend on where the input lives"
    );
    let json: Value = serde_json::from_str(&text).unwrap();
    let diags = &json["input"]["diagnostics"];
    let at = |code: &str| -> Vec<String> {
        diags
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == code)
            .map(|d| format!("{}:{}", d["file"].as_str().unwrap_or("-"), d["line"]))
            .collect()
    };
    assert_eq!(at("parse-error").len(), 1, "{diags}");
    assert!(at("parse-error")[0].starts_with("src/unparsable.rs:"));
    assert_eq!(at("not-utf8").len(), 1);
    assert_eq!(at("file-too-large"), ["src/big.rs:0"]);
    assert!(at("missing-module-file").contains(&"src/lib.rs:11".to_owned()));
    assert!(at("path-outside-root").contains(&"src/lib.rs:14".to_owned()));
    assert!(
        at("broken-manifest")
            .iter()
            .all(|d| d.starts_with("Cargo.toml:"))
    );
    assert!(!at("symlink-loop").is_empty());
    assert_eq!(at("duplicate-module"), ["src/lib.rs:21"]);
    assert!(at("orphan-file").contains(&"src/orphan.rs:0".to_owned()));
    // The good parts are analysed all the same.
    assert!(ids(&json["modules"], "id").contains(&"broken::fine".to_owned()));
    // The terminal shows the same diagnostics, rustc-style.
    let lines: Vec<&str> = run.stderr.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("error[not-utf8]: "))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(
        lines[i + 1].starts_with("  --> broken/src/not_utf8.rs:1:"),
        "{}",
        run.stderr
    );
}

#[test]
fn broken_terminal_output_snapshot() {
    let sb = Sandbox::fixture("broken");
    sb.add_fixture("workspace");
    let run = sb.run(&[
        "analyze",
        "broken",
        "--format",
        "json",
        "--out",
        "out",
        "--max-file-size",
        "1KB",
    ]);
    insta::assert_snapshot!(run.normalised(sb.tmp()));
}

#[test]
fn debug_parse_reports_the_parse_floor() {
    let sb = Sandbox::inline("tiny_broken", BROKEN_CRATE);
    let run = sb.run(&["debug", "parse", "tiny_broken", "--threads", "1"]);
    assert_eq!(run.code, 0, "{run:?}");
    // good.rs and lib.rs parse, bad.rs does not; `missing` has no file.
    assert!(
        run.stdout.starts_with("parsed 2 of 3 files, 7 lines, "),
        "{}",
        run.stdout
    );
}

#[test]
fn include_tests_adds_test_targets() {
    let sb = Sandbox::inline(
        "with_tests",
        r#"
//- /Cargo.toml
[package]
name = "with_tests"
version = "0.1.0"
edition = "2021"
//- /src/lib.rs
pub fn f() {}
//- /tests/smoke.rs
fn it_works() { with_tests::f(); }
"#,
    );
    let kinds = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["analyze", "with_tests", "--format", "json", "--out", "out"];
        args.extend_from_slice(extra);
        let run = sb.run(&args);
        assert_eq!(run.code, 0, "{run:?}");
        let json = read_json(&sb.tmp().join("out/seamline.json"));
        ids(&json["input"]["crates"], "kind")
    };
    assert_eq!(kinds(&[]), ["lib"]);
    assert!(kinds(&["--include-tests"]).contains(&"test".to_owned()));
}

#[test]
fn tiny_terminal_output_snapshot() {
    let sb = Sandbox::fixture("tiny");
    let run = sb.run(&["analyze", "tiny", "--format", "json", "--out", "out"]);
    insta::assert_snapshot!(run.normalised(sb.tmp()));
}

#[test]
fn a_single_file_can_be_analysed_and_its_diagnostics_point_at_it() {
    let sb = Sandbox::inline("loose", "//- /src/script.rs\npub fn f() {\n");
    let run = sb.run(&[
        "analyze",
        "loose/src/script.rs",
        "--format",
        "json",
        "--out",
        "out",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("  --> loose/src/script.rs:"),
        "{}",
        run.stderr
    );
    let json = read_json(&sb.tmp().join("out/seamline.json"));
    assert_eq!(json["input"]["files"], 1);
}

/// The names of the contexts in the document, checked against every `context` field: every
/// module and item names one of them or null (the shared kernel), and each context's member
/// lists are exactly the modules and items that name it.
#[track_caller]
fn assert_contexts_are_consistent(json: &Value) -> Vec<String> {
    let names = ids(&json["contexts"], "name");
    assert!(!names.is_empty(), "no contexts");
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, names, "contexts are sorted by unique name");
    for (section, key) in [("modules", "modules"), ("items", "items")] {
        for entry in json[section].as_array().unwrap() {
            let ctx = entry
                .get("context")
                .unwrap_or_else(|| panic!("{section} entry without `context`: {entry}"));
            assert!(
                ctx.is_null() || names.contains(&ctx.as_str().unwrap().to_owned()),
                "{entry}"
            );
        }
        for c in json["contexts"].as_array().unwrap() {
            let mut members: Vec<&str> = c[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap())
                .collect();
            members.sort();
            let mut naming: Vec<&str> = json[section]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["context"] == c["name"])
                .map(|e| e["id"].as_str().unwrap())
                .collect();
            naming.sort();
            assert_eq!(members, naming, "{section} of context {}", c["name"]);
        }
    }
    names
}

#[test]
fn analyze_shop_writes_contexts_kernel_metrics_and_plan() {
    let sb = Sandbox::fixture("shop");
    let run = sb.run(&["analyze", "shop", "--format", "json", "--out", "out"]);
    assert_eq!(run.code, 0, "{run:?}");
    let text = std::fs::read_to_string(sb.tmp().join("out/seamline.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    // Top-level keys in document order: the lines indented by exactly two spaces.
    let keys: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("  \""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert_eq!(keys[..TOP_LEVEL_KEYS.len()], TOP_LEVEL_KEYS);
    assert_eq!(
        keys[TOP_LEVEL_KEYS.len()..],
        ["clustering", "contexts", "kernel", "metrics", "plan"],
        "new sections come after the core keys, which never move"
    );
    assert_eq!(json["clustering"]["granularity"], "item");
    let names = assert_contexts_are_consistent(&json);

    // Generic infrastructure is the kernel, not a context.
    let kernel = ids(&json["kernel"]["modules"], "id");
    for m in ["shop::config", "shop::db"] {
        assert!(
            kernel.contains(&m.to_owned()),
            "{m} not in kernel: {kernel:?}"
        );
        assert!(find(&json["modules"], "id", m)["context"].is_null());
    }

    // The planted cycle: orders -> billing (checkout charges) and billing -> orders
    // (mark_paid). The two sides are in different contexts, and those are in one cycle.
    let ctx_of = |item: &str| {
        find(&json["items"], "id", item)["context"]
            .as_str()
            .unwrap_or_else(|| panic!("{item} has no context"))
            .to_owned()
    };
    let orders = ctx_of("shop::services::orders::checkout");
    let billing = ctx_of("shop::services::billing::charge_order");
    assert_ne!(orders, billing);
    let in_one_cycle = json["metrics"]["cycles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| {
            let cs: Vec<&str> = c["contexts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            cs.contains(&orders.as_str()) && cs.contains(&billing.as_str())
        });
    assert!(in_one_cycle, "{}", json["metrics"]["cycles"]);

    // `User` is embedded in orders', billing's and shipping's models: shared.
    let user = find(
        &json["metrics"]["shared_models"],
        "model",
        "shop::models::user::User",
    );
    assert!(user["used_by"].as_array().unwrap().len() >= 2, "{user}");

    // Plan metrics are numbers in range; the plan names only known contexts.
    let q = json["metrics"]["modularity"].as_f64().unwrap();
    assert!(q > 0.0 && q < 1.0, "{q}");
    let icp = json["metrics"]["inter_call_percentage"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&icp), "{icp}");
    let verdict = json["plan"]["verdict"].as_str().unwrap();
    assert!(
        ["split-now", "modularise-first", "keep-monolith"].contains(&verdict),
        "{verdict}"
    );
    for service in ids(&json["plan"]["services"], "name") {
        assert!(names.contains(&service), "{service}");
    }
    // The terminal says how many contexts and what the verdict is.
    let line = run
        .stderr
        .lines()
        .find(|l| l.trim_start().starts_with("contexts "))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(line.contains(&names.len().to_string()), "{line}");
    assert!(run.stderr.contains("Verdict: "), "{}", run.stderr);
}

#[test]
fn granularity_and_target_flags_reach_the_clustering() {
    let sb = Sandbox::fixture("shop");
    let json_for = |extra: &[&str]| {
        let mut args = vec!["analyze", "shop", "--format", "json", "--out", "out", "-q"];
        args.extend_from_slice(extra);
        let run = sb.run(&args);
        assert_eq!(run.code, 0, "{extra:?}: {run:?}");
        read_json(&sb.tmp().join("out/seamline.json"))
    };
    let module = json_for(&["--granularity", "module"]);
    assert_eq!(module["clustering"]["granularity"], "module");
    assert_contexts_are_consistent(&module);
    // At module granularity an item is where its module is.
    for item in module["items"].as_array().unwrap() {
        let m = find(&module["modules"], "id", item["module"].as_str().unwrap());
        assert_eq!(item["context"], m["context"], "{}", item["id"]);
    }
    let three = json_for(&["--contexts", "3"]);
    let n = three["contexts"].as_array().unwrap().len();
    assert!((2..=4).contains(&n), "asked for about 3, got {n}");
    let big = json_for(&["--min-context-size", "40"]);
    for c in big["contexts"].as_array().unwrap() {
        assert!(
            c["metrics"]["size"].as_u64().unwrap() >= 40,
            "{}",
            c["name"]
        );
    }
}

#[test]
fn clustering_constraints_of_seamline_toml_apply() {
    let sb = Sandbox::fixture("shop");
    std::fs::write(
        sb.project.join("seamline.toml"),
        r#"[clustering]
pins = [{ glob = "shop::services::pricing", context = "pricing" }]
apart = [["shop::services::orders", "shop::services::billing"]]
"#,
    )
    .unwrap();
    let run = sb.run(&["analyze", "shop", "--format", "json", "--out", "out", "-q"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = read_json(&sb.tmp().join("out/seamline.json"));
    assert_contexts_are_consistent(&json);
    let pricing = find(&json["contexts"], "name", "pricing");
    assert_eq!(pricing["declared"], true);
    assert_eq!(
        find(&json["modules"], "id", "shop::services::pricing")["context"],
        "pricing"
    );
    let orders = &find(&json["modules"], "id", "shop::services::orders")["context"];
    let billing = &find(&json["modules"], "id", "shop::services::billing")["context"];
    assert_ne!(orders, billing);

    // A broken config is a usage error naming the file, before any analysis.
    std::fs::write(sb.project.join("seamline.toml"), "[clustering]\nnope = 1\n").unwrap();
    let run = sb.run(&["analyze", "shop", "--out", "out2"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("seamline.toml"), "{}", run.stderr);
    assert!(!sb.tmp().join("out2").exists());
}

#[test]
fn reports_never_carry_the_absolute_path_of_the_input() {
    let sb = Sandbox::fixture("tiny");
    let abs = sb.project.display().to_string();
    let run = sb.run(&[
        "analyze",
        &abs,
        "--format",
        "html,json,md,dot",
        "--out",
        "out",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    for file in ["index.html", "plan.md", "plan.dot"] {
        let text = std::fs::read_to_string(sb.tmp().join("out").join(file)).unwrap();
        assert!(
            !text.contains(&sb.tmp().display().to_string()),
            "{file} holds the absolute path"
        );
    }
    // The JSON keeps the root as given (documented), and nothing else of the path.
    let json = std::fs::read_to_string(sb.tmp().join("out/seamline.json")).unwrap();
    assert_eq!(json.matches(&sb.tmp().display().to_string()).count(), 1);
    let md = std::fs::read_to_string(sb.tmp().join("out/plan.md")).unwrap();
    assert!(md.starts_with("# Split plan for tiny\n"), "{md}");
}

#[test]
fn history_adds_its_section_to_the_plan_and_the_page_deterministically() {
    let root = crate::util::repo_root();
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("bash")
        .arg(root.join("scripts/gen-history.sh"))
        .arg(root.join("fixtures/shop"))
        .arg(root.join("fixtures/shop-history/domains.txt"))
        .arg(dir.path().join("shop"))
        .args(["120", "1"])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "gen-history.sh failed");
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = format!("out-{threads}");
        let run = run_in(
            dir.path(),
            &[
                "analyze",
                "shop",
                "--history",
                "--threads",
                threads,
                "--out",
                &out,
                "-v",
            ],
        );
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stderr.contains("timing: history"), "{}", run.stderr);
        let html = std::fs::read(dir.path().join(&out).join("index.html")).unwrap();
        let json = std::fs::read(dir.path().join(&out).join("seamline.json")).unwrap();
        outputs.push((html, json));
    }
    assert!(
        outputs[0] == outputs[1],
        "--history output depends on --threads"
    );
    let json: Value = serde_json::from_slice(&outputs[0].1).unwrap();
    let history = &json["plan"]["history"];
    assert!(
        history["commits_read"].as_u64().unwrap() >= 120,
        "{history}"
    );
    assert!(!history["hotspots"].as_array().unwrap().is_empty());
    let html = String::from_utf8_lossy(&outputs[0].0);
    assert!(html.contains("id=\"history\""), "no history section");

    // Without the flag, no history anywhere; outside a git repository, a note.
    let run = run_in(
        dir.path(),
        &[
            "analyze", "shop", "--format", "json", "--out", "plain", "-q",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let plain = read_json(&dir.path().join("plain/seamline.json"));
    assert!(plain["plan"].get("history").is_none());
    let sb = Sandbox::fixture("tiny");
    let run = sb.run(&[
        "analyze",
        "tiny",
        "--history",
        "--format",
        "json",
        "--out",
        "out",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("history: "), "{}", run.stderr);
}

#[test]
fn plan_thresholds_in_seamline_toml_change_the_verdict() {
    let sb = Sandbox::fixture("tiny");
    let run = sb.run(&["analyze", "tiny", "--format", "json", "--out", "std", "-q"]);
    assert_eq!(run.code, 0, "{run:?}");
    let standard = read_json(&sb.tmp().join("std/seamline.json"));
    assert_eq!(standard["plan"]["verdict"], "keep-monolith");
    assert_eq!(
        standard["plan"]["thresholds"]["keep_below_code_lines"],
        10000
    );

    // 276 lines in 3 contexts: a size-only verdict goes once the size thresholds are 0,
    // and the structure (cycles, shared tables and models) decides.
    std::fs::write(
        sb.tmp().join("tiny/seamline.toml"),
        "[plan]\nsingle_service_code_lines = 0\nkeep_below_code_lines = 0\nmin_contexts = 1\nmin_mean_context_lines = 0\nmax_cycle_share = 0.9\n",
    )
    .unwrap();
    let run = sb.run(&["analyze", "tiny", "--format", "json", "--out", "cfg", "-q"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = read_json(&sb.tmp().join("cfg/seamline.json"));
    assert_eq!(
        json["plan"]["verdict"], "modularise-first",
        "{}",
        json["plan"]
    );
    let t = &json["plan"]["thresholds"];
    assert_eq!(t["keep_below_code_lines"], 0);
    assert_eq!(t["min_contexts"], 1);
    assert_eq!(t["min_mean_context_lines"], 0);
    assert_eq!(t["max_cycle_share"], 0.9);
    assert_eq!(t["min_modularity"], 0.3, "unset keys keep their defaults");
    let plan = sb.run(&["debug", "plan", "tiny"]);
    assert!(plan.stdout.contains("modularise-first"), "{}", plan.stdout);
    let real = json["plan"]["codebase"]["real_contexts"]
        .as_array()
        .unwrap();
    assert!(!real.is_empty(), "{}", json["plan"]["codebase"]);

    // The same file with a higher bar for a real domain: no context holds 90% of the code,
    // so there is nothing to split.
    std::fs::write(
        sb.tmp().join("tiny/seamline.toml"),
        "[plan]\nsingle_service_code_lines = 0\nkeep_below_code_lines = 0\nmin_contexts = 1\nmin_mean_context_lines = 0\nmax_cycle_share = 0.9\nmin_real_context_share = 0.9\n",
    )
    .unwrap();
    let run = sb.run(&["analyze", "tiny", "--format", "json", "--out", "real", "-q"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = read_json(&sb.tmp().join("real/seamline.json"));
    assert_eq!(json["plan"]["verdict"], "keep-monolith", "{}", json["plan"]);
    assert_eq!(json["plan"]["thresholds"]["min_real_context_share"], 0.9);
    assert_eq!(
        json["plan"]["codebase"]["real_contexts"],
        serde_json::json!([])
    );

    // A bad value is a config error at its position (exit 2).
    std::fs::write(
        sb.tmp().join("tiny/seamline.toml"),
        "[plan]\nmax_shared_table_share = 2\n",
    )
    .unwrap();
    let run = sb.run(&["analyze", "tiny", "--out", "bad", "-q"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "error: `max_shared_table_share` must be between 0 and 1\n  --> tiny/seamline.toml:2:26"
        ),
        "{}",
        run.stderr
    );
    std::fs::write(
        sb.tmp().join("tiny/seamline.toml"),
        "[plan]\nmax_team_authors = 2.5\nmin_first_step_share = -0.1\n",
    )
    .unwrap();
    let run = sb.run(&["analyze", "tiny", "--out", "bad", "-q"]);
    assert_eq!(run.code, 2, "{run:?}");
    for expected in [
        "error: `max_team_authors` must be an integer, found a float\n  --> tiny/seamline.toml:2:20",
        "error: `min_first_step_share` must be between 0 and 1\n  --> tiny/seamline.toml:3:24",
    ] {
        assert!(run.stderr.contains(expected), "{}", run.stderr);
    }
}

#[test]
fn clustering_weights_in_seamline_toml_reach_the_graph() {
    let sb = Sandbox::fixture("tiny");
    let standard = sb.run(&["debug", "graph", "tiny"]);
    assert_eq!(standard.code, 0, "{standard:?}");
    // `main` calls `AppState` once: a call weighs 3.
    assert!(
        standard.stdout.contains("n1 -> n0 w=3.000 call=1\n"),
        "{}",
        standard.stdout
    );
    std::fs::write(
        sb.tmp().join("tiny/seamline.toml"),
        "[clustering.weights]\ncall = 10\ntype = 0.5\n",
    )
    .unwrap();
    let weighted = sb.run(&["debug", "graph", "tiny"]);
    assert_eq!(weighted.code, 0, "{weighted:?}");
    assert!(
        weighted.stdout.contains("n1 -> n0 w=10.000 call=1\n"),
        "{}",
        weighted.stdout
    );
    assert!(
        weighted.stdout.contains("n0 -> n7 w=0.500 type=1\n"),
        "{}",
        weighted.stdout
    );
    std::fs::write(
        sb.tmp().join("tiny/seamline.toml"),
        "[clustering.weights]\ncals = 10\n",
    )
    .unwrap();
    let bad = sb.run(&["debug", "graph", "tiny"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr.contains(
            "unknown key `cals` in `[clustering.weights]`\n  --> tiny/seamline.toml:2:1\n   = help: did you mean `call`?"
        ),
        "{}",
        bad.stderr
    );
}
