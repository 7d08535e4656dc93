//! `reports/`: the committed example reports, one folder per fixture, regenerated here and
//! compared byte for byte, so that they never fall behind the code (STYLE.md: "the e2e suite
//! regenerates reports/ and fails on a diff unless updating is requested").
//!
//! To update them after a change that alters a report:
//!
//! ```sh
//! SEAMLINE_UPDATE_REPORTS=1 cargo test --test it reports   # or scripts/gen-reports.sh
//! ```
//!
//! Each report is what `seamline analyze fixtures/NAME --format html,json,md,dot` writes when
//! run from the repository root; the run happens on a copy laid out the same way
//! (`<tmp>/fixtures/NAME`), so that the root reads `fixtures/NAME` and no machine-specific
//! path can reach a report.

use crate::util::{repo_root, run_in};
use std::path::{Path, PathBuf};

/// The fixtures with a report in `reports/`.
pub const FIXTURES: [&str; 6] = ["shop", "tiny", "tangled", "workspace", "hostile", "broken"];

/// The files of one report.
pub const FILES: [&str; 4] = ["index.html", "seamline.json", "plan.md", "plan.dot"];

/// The environment variable that turns the comparison into an update.
const UPDATE: &str = "SEAMLINE_UPDATE_REPORTS";

/// A report generated into a temporary folder.
pub struct Generated {
    /// Keeps the folder alive.
    pub dir: tempfile::TempDir,
    /// The output folder, holding [`FILES`].
    pub out: PathBuf,
}

impl Generated {
    /// The text of one of [`FILES`].
    #[track_caller]
    pub fn text(&self, file: &str) -> String {
        std::fs::read_to_string(self.out.join(file))
            .unwrap_or_else(|e| panic!("cannot read {file}: {e}"))
    }
}

/// Runs `seamline analyze fixtures/NAME --format html,json,md,dot --out out` from a
/// temporary folder holding a copy of the fixture at `fixtures/NAME`.
#[track_caller]
pub fn generate(name: &str) -> Generated {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = dir.path().join("fixtures");
    copy_tree(
        &repo_root().join("fixtures").join(name),
        &fixtures.join(name),
    );
    if name == "broken" {
        // Its escapes lead into `../workspace`: make them lead where they do in the repo.
        copy_tree(
            &repo_root().join("fixtures/workspace"),
            &fixtures.join("workspace"),
        );
    }
    let path = format!("fixtures/{name}");
    let run = run_in(
        dir.path(),
        &[
            "analyze",
            &path,
            "--format",
            "html,json,md,dot",
            "--out",
            "out",
            "-q",
        ],
    );
    assert_eq!(run.code, 0, "{name}: {run:?}");
    let out = dir.path().join("out");
    Generated { dir, out }
}

#[test]
fn reports_are_up_to_date() {
    let update = std::env::var_os(UPDATE).is_some_and(|v| v == "1");
    let reports = repo_root().join("reports");
    // Fixtures run in parallel: each is a separate process.
    let generated: Vec<(&str, Generated)> = std::thread::scope(|s| {
        let handles: Vec<_> = FIXTURES
            .iter()
            .map(|&name| s.spawn(move || (name, generate(name))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut stale = Vec::new();
    for (name, report) in &generated {
        for file in FILES {
            let fresh = std::fs::read(report.out.join(file)).unwrap();
            // No path of the machine that generated it: not the temporary folder, not the
            // repository.
            let text = String::from_utf8_lossy(&fresh);
            for place in [report.dir.path(), repo_root().as_path()] {
                assert!(
                    !text.contains(&place.display().to_string()),
                    "reports/{name}/{file} holds the path {}",
                    place.display()
                );
            }
            let path = reports.join(name).join(file);
            if std::fs::read(&path).ok().as_deref() == Some(&fresh[..]) {
                continue;
            }
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &fresh).unwrap();
            } else {
                stale.push(format!("reports/{name}/{file}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these example reports differ from what seamline writes today:\n  {}\n\
         If the change is intended, regenerate them and commit the result:\n  \
         {UPDATE}=1 cargo test --test it reports   (or scripts/gen-reports.sh)",
        stale.join("\n  ")
    );
    // Nothing else in reports/ but the fixtures' folders, the README and the screenshot of
    // the large generated input's map (reports/README.md says how it is made).
    let mut entries: Vec<String> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    let mut expected: Vec<String> = FIXTURES.iter().map(|s| (*s).to_owned()).collect();
    expected.push("README.md".to_owned());
    expected.push("large-map.png".to_owned());
    expected.sort();
    assert_eq!(entries, expected, "reports/ holds a stale or unknown entry");
}

#[test]
fn the_reports_readme_lists_every_fixture_and_the_update_command() {
    let readme = std::fs::read_to_string(repo_root().join("reports/README.md")).unwrap();
    for name in FIXTURES {
        assert!(
            readme.contains(&format!("[{name}]({name}/index.html)")),
            "reports/README.md does not link {name}"
        );
    }
    assert!(readme.contains(&format!("{UPDATE}=1 cargo test --test it reports")));
}

/// Copies a folder, keeping symlinks as symlinks (the broken fixture has loops and escapes).
fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let ty = entry.file_type().unwrap();
        if ty.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(&from).unwrap(), &to).unwrap();
        } else if ty.is_dir() {
            copy_tree(&from, &to);
        } else {
            std::fs::copy(&from, &to).unwrap();
        }
    }
}
