//! The e2e harness: copy a fixture into a temporary folder, run the binary there, and
//! normalise its output (temporary paths, timings) for snapshots.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (where `fixtures/` lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture copied into a fresh temporary folder, as `<tmp>/<name>`.
pub struct Sandbox {
    /// Keeps the folder alive; deleted on drop.
    pub dir: tempfile::TempDir,
    /// `<tmp>/<name>`: the copy of the fixture (or an empty project folder).
    pub project: PathBuf,
}

impl Sandbox {
    /// Copies `fixtures/<name>` into a temporary folder.
    #[track_caller]
    pub fn fixture(name: &str) -> Sandbox {
        let src = repo_root().join("fixtures").join(name);
        assert!(src.is_dir(), "fixture {} is missing", src.display());
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join(name);
        copy_tree(&src, &project);
        Sandbox { dir, project }
    }

    /// Copies another fixture next to this one (`<tmp>/<name>`), for fixtures that point
    /// at each other (the broken fixture's escapes lead into `../workspace`).
    #[track_caller]
    pub fn add_fixture(&self, name: &str) {
        let src = repo_root().join("fixtures").join(name);
        assert!(src.is_dir(), "fixture {} is missing", src.display());
        copy_tree(&src, &self.tmp().join(name));
    }

    /// Writes an inline fixture: `//- /path` lines start files, relative to the project.
    #[track_caller]
    pub fn inline(name: &str, text: &str) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join(name);
        std::fs::create_dir_all(&project).unwrap();
        let mut current: Option<(PathBuf, String)> = None;
        let flush = |cur: &mut Option<(PathBuf, String)>| {
            if let Some((path, body)) = cur.take() {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, body).unwrap();
            }
        };
        for line in text.lines() {
            if let Some(path) = line.strip_prefix("//- /") {
                flush(&mut current);
                current = Some((project.join(path.trim()), String::new()));
            } else if let Some((_, body)) = current.as_mut() {
                body.push_str(line);
                body.push('\n');
            }
        }
        flush(&mut current);
        Sandbox { dir, project }
    }

    /// The temporary folder holding the project (the working directory of runs).
    pub fn tmp(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `seamline ARGS` with the temporary folder as working directory.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.tmp(), args)
    }
}

/// The outcome of one run.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Stdout as text.
    pub stdout: String,
    /// Stderr as text.
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr in one text, with `tmp` replaced by `[TMP]` and
    /// timings by `[TIME]`: the thing e2e snapshots compare.
    pub fn normalised(&self, tmp: &Path) -> String {
        format!(
            "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.code,
            normalise(&self.stdout, tmp),
            normalise(&self.stderr, tmp)
        )
    }
}

/// Runs the binary in `cwd`, without colour.
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_seamline"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Replaces the temporary folder by `[TMP]` and durations (`0.54s`, `12ms`) by `[TIME]`.
pub fn normalise(text: &str, tmp: &Path) -> String {
    let mut text = text.replace(&tmp.display().to_string(), "[TMP]");
    // macOS and some CI runners reach the temp folder through a symlink.
    if let Ok(canon) = tmp.canonicalize() {
        text = text.replace(&canon.display().to_string(), "[TMP]");
    }
    text.split('\n')
        .map(|line| {
            line.split(' ')
                .map(|word| if is_duration(word) { "[TIME]" } else { word })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_duration(word: &str) -> bool {
    let number = word
        .strip_suffix("ms")
        .or_else(|| word.strip_suffix('s'))
        .unwrap_or("");
    !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Parses a JSON file.
#[track_caller]
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let ty = entry.file_type().unwrap();
        if ty.is_symlink() {
            // Keep symlinks as symlinks: the broken fixture relies on loops and escapes.
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(&from).unwrap(), &to).unwrap();
        } else if ty.is_dir() {
            copy_tree(&from, &to);
        } else {
            std::fs::copy(&from, &to).unwrap();
        }
    }
}

#[test]
fn normalise_hides_temp_paths_and_timings() {
    let tmp = Path::new("/tmp/abc");
    assert_eq!(
        normalise(
            "Analysed /tmp/abc/shop in 0.54s\ntiming: json 12ms\nfiles 5s.\n",
            tmp
        ),
        "Analysed [TMP]/shop in [TIME]\ntiming: json [TIME]\nfiles 5s.\n"
    );
}
