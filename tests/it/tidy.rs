//! Tidy checks over the repository's own sources (as rust-analyzer's xtask tidy does).

use crate::util::repo_root;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, acc: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(ty) = entry.file_type() else { continue };
        if ty.is_dir() {
            rust_files(&path, acc);
        } else if ty.is_file() && path.extension().is_some_and(|e| e == "rs") {
            acc.push(path);
        }
    }
}

/// The project's own Rust sources, sorted: `fixtures/` is input data, not our code, and is
/// outside both folders.
fn source_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    files.sort();
    files
}

#[test]
fn every_source_file_opens_with_a_module_comment() {
    let root = repo_root();
    let files = source_files(&root);
    assert!(files.len() > 10, "found only {} files", files.len());
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            !text.starts_with("//!")
        })
        .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "these files do not open with a `//!` comment saying what they are:\n{}",
        offenders.join("\n")
    );
}

/// Comments say why, not which work item asked: an issue number means nothing to a reader of
/// the code (the tracker is not public), so none is named in the sources.
#[test]
fn no_source_comment_names_an_issue_by_number() {
    let root = repo_root();
    let mut offenders = Vec::new();
    for f in &source_files(&root) {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let lower = line.to_lowercase();
            let named = lower.match_indices("issue ").any(|(at, w)| {
                lower[at + w.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
            });
            if named {
                let shown = f.strip_prefix(&root).unwrap_or(f).display().to_string();
                offenders.push(format!("{shown}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "these lines name an issue by number; say why instead:\n{}",
        offenders.join("\n")
    );
}

/// Every key that `analyze` writes is documented in docs/json-schema.md, and so is every
/// diagnostic code: the schema document cannot silently fall behind the code.
#[test]
fn the_json_schema_document_covers_every_key_and_code() {
    fn keys(value: &serde_json::Value, acc: &mut std::collections::BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    acc.insert(k.clone());
                    keys(v, acc);
                }
            }
            serde_json::Value::Array(list) => list.iter().for_each(|v| keys(v, acc)),
            _ => {}
        }
    }
    let doc = std::fs::read_to_string(repo_root().join("docs/json-schema.md")).unwrap();
    let mut found = std::collections::BTreeSet::new();
    // Fixtures that between them exercise every section (tables, externals, crate deps).
    for (name, extra) in [
        ("tiny", None),
        ("workspace", None),
        ("broken", Some("workspace")),
    ] {
        let sb = crate::util::Sandbox::fixture(name);
        if let Some(extra) = extra {
            sb.add_fixture(extra);
        }
        let run = sb.run(&["analyze", name, "--format", "json", "--out", "out", "-q"]);
        assert_eq!(run.code, 0, "{run:?}");
        keys(
            &crate::util::read_json(&sb.tmp().join("out/seamline.json")),
            &mut found,
        );
    }
    let undocumented: Vec<&String> = found
        .iter()
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "keys missing from docs/json-schema.md: {undocumented:?}"
    );
    let missing_codes: Vec<&str> = seamline_ir::DiagCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !doc.contains(&format!("`{c}`")))
        .collect();
    assert!(
        missing_codes.is_empty(),
        "codes missing from docs/json-schema.md: {missing_codes:?}"
    );
}

/// The crates of the workspace in pipeline order, each with the libraries only it may name.
/// A crate may depend on crates before it, never after: data flows one way
/// (ARCHITECTURE.md). A new crate must be placed here, which is the point: its place in the
/// pipeline is a design decision.
const CRATES: &[(&str, &[&str])] = &[
    ("seamline_ir", &[]),
    (
        "seamline_frontend",
        &[
            "syn",
            "proc-macro2",
            "quote",
            "cargo_metadata",
            "walkdir",
            "sqlparser",
        ],
    ),
    ("seamline_graph", &["petgraph"]),
    ("seamline_cluster", &[]),
    ("seamline_plan", &[]),
    ("seamline_history", &["gix"]),
    ("seamline_config", &[]),
    ("seamline_check", &[]),
    ("seamline_report", &["askama"]),
    ("seamline_test_utils", &[]),
];

fn dependency_names(table: Option<&toml::Value>) -> Vec<String> {
    table
        .and_then(|t| t.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

/// What ARCHITECTURE.md calls invariants, where a test can check them: the libraries that
/// only one crate may name (syn in the frontend, petgraph in the graph, askama in the
/// report, gix in the history reader), `seamline_ir` on std alone, and stages that depend
/// only on earlier stages. Checked on the manifests, where a dependency has to be declared
/// before any source can name it.
#[test]
fn the_architecture_invariants_hold() {
    let root = repo_root();
    let exclusive: std::collections::BTreeMap<&str, &str> = CRATES
        .iter()
        .flat_map(|(krate, libs)| libs.iter().map(move |lib| (*lib, *krate)))
        .collect();
    let rank = |name: &str| CRATES.iter().position(|(k, _)| *k == name);
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let text = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let manifest: toml::Value = toml::from_str(&text).unwrap();
        let name = manifest["package"]["name"].as_str().unwrap().to_string();
        let Some(own_rank) = rank(&name) else {
            problems.push(format!(
                "{name}: not placed in the pipeline order of this test"
            ));
            continue;
        };
        seen.push(name.clone());
        let deps = dependency_names(manifest.get("dependencies"));
        if name == "seamline_ir" && !deps.is_empty() {
            problems.push(format!("seamline_ir depends on std only, not on {deps:?}"));
        }
        for dep in &deps {
            if let Some(owner) = exclusive.get(dep.as_str())
                && *owner != name
            {
                problems.push(format!(
                    "{name} depends on {dep}, which only {owner} may name"
                ));
            }
            if let Some(dep_rank) = rank(dep)
                && dep_rank >= own_rank
            {
                problems.push(format!("{name} depends on {dep}, a later stage"));
            }
            if dep == "seamline_test_utils" {
                problems.push(format!(
                    "{name}: seamline_test_utils is a dev-dependency only"
                ));
            }
        }
    }
    // The binary: it wires every stage, and names none of the exclusive libraries itself.
    let text = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let manifest: toml::Value = toml::from_str(&text).unwrap();
    for dep in dependency_names(manifest.get("dependencies")) {
        if let Some(owner) = exclusive.get(dep.as_str()) {
            problems.push(format!(
                "the binary depends on {dep}, which only {owner} may name"
            ));
        }
    }
    assert!(seen.len() >= 8, "found only {seen:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
