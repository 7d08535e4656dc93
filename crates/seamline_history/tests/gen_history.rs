//! `scripts/gen-history.sh` on a tiny three-domain fixture: the history it writes is
//! reproducible, and the signals read back from it show the planted pattern (each domain
//! changes as a unit and has its own owner; Ada's old identity is merged by `.mailmap`).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use seamline_history::{change_coupling, ownership, read_history};

const DOMAINS: [&str; 3] = ["accounts", "orders", "billing"];

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/gen-history.sh")
}

/// A fixture with three files per domain and one shared file, and its mapping.
fn tiny_fixture(dir: &Path) -> (PathBuf, PathBuf) {
    let src = dir.join("src-fixture");
    for domain in DOMAINS {
        for layer in ["models", "repositories", "services"] {
            let path = src.join("src").join(layer).join(format!("{domain}.rs"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, format!("//! {domain} {layer}\n")).unwrap();
        }
    }
    std::fs::write(src.join("src/lib.rs"), "//! shared\n").unwrap();
    let mapping = dir.join("mapping.txt");
    let lines: String = DOMAINS
        .iter()
        .flat_map(|d| {
            ["models", "repositories", "services"].map(|layer| format!("src/{layer}/{d}.rs {d}\n"))
        })
        .collect();
    std::fs::write(&mapping, format!("# test mapping\n{lines}")).unwrap();
    (src, mapping)
}

fn generate(src: &Path, mapping: &Path, out: &Path) -> String {
    let res = Command::new("bash")
        .arg(script())
        .args([src.as_os_str(), mapping.as_os_str(), out.as_os_str()])
        .args(["80", "7"])
        .output()
        .expect("bash runs");
    assert!(
        res.status.success(),
        "gen-history failed: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    support::git_in(out, &["rev-parse", "HEAD"], &[])
        .trim()
        .to_string()
}

fn domain_of(path: &str) -> Option<String> {
    let stem = path.rsplit('/').next()?.strip_suffix(".rs")?;
    DOMAINS.contains(&stem).then(|| stem.to_string())
}

#[test]
fn generated_history_is_reproducible_and_shows_the_planted_domains() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, mapping) = tiny_fixture(tmp.path());
    let first = generate(&src, &mapping, &tmp.path().join("one"));
    let second = generate(&src, &mapping, &tmp.path().join("two"));
    assert_eq!(first, second, "same arguments must give the same commits");

    // The import (ten files) is skipped as huge, as it would couple everything.
    let opts = seamline_history::HistoryOptions {
        max_files_per_commit: 5,
        ..support::opts()
    };
    let history = read_history(&tmp.path().join("one"), &opts);
    assert!(history.diagnostics.is_empty(), "{:?}", history.diagnostics);
    assert_eq!(history.commits_read, 81);
    assert_eq!(history.huge_skipped, 1);

    // Each domain's owner (Ada, Brendan, Chen in mapping order) writes most of its commits,
    // and the old identity "ada.l" is folded into Ada.
    let owners = ownership(&history, &domain_of);
    for (domain, owner) in DOMAINS.iter().zip(["Ada", "Brendan", "Chen"]) {
        assert_eq!(
            owners[*domain].main_author, owner,
            "{domain}: {:?}",
            owners[*domain]
        );
        assert!(
            owners[*domain].main_share > 0.5,
            "{domain}: {:?}",
            owners[*domain]
        );
    }
    assert!(
        history
            .files
            .values()
            .all(|f| !f.authors.contains_key("ada.l"))
    );

    // Files of one domain change together far more than files of different domains.
    let by_file = change_coupling(&history, &|p: &str| domain_of(p).map(|_| p.to_string()), 1);
    let (mut within, mut across) = (0, 0);
    for pair in &by_file {
        if domain_of(&pair.a) == domain_of(&pair.b) {
            within += pair.shared;
        } else {
            across += pair.shared;
        }
    }
    assert!(within > 2 * across, "within {within}, across {across}");
}
