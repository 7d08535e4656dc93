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

#[test]
fn every_source_file_opens_with_a_module_comment() {
    let root = repo_root();
    let mut files = Vec::new();
    // `fixtures/` is input data, not our code; it is outside both folders.
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    files.sort();
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
