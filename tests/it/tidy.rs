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
