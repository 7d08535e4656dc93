//! Builds small git repositories with the git CLI (tests only) and fixed identities and
//! dates, so that every run produces the same commits.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use seamline_history::HistoryOptions;

/// A throwaway repository in a temporary folder.
pub struct TestRepo {
    pub dir: tempfile::TempDir,
    /// The time of the next commit (Unix seconds); each commit advances it by a day.
    pub clock: i64,
}

/// 2024-01-01T00:00:00Z.
pub const T0: i64 = 1_704_067_200;

impl TestRepo {
    pub fn new() -> TestRepo {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = TestRepo { dir, clock: T0 };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository with an isolated configuration, panicking on failure.
    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args, &[])
    }

    /// Writes `files` (a `None` content deletes the file), stages everything and commits as
    /// `author` ("Name <email>"), one day after the previous commit.
    pub fn commit(&mut self, author: &str, files: &[(&str, Option<&str>)]) -> String {
        for (path, content) in files {
            let full = self.path().join(path);
            match content {
                Some(text) => {
                    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                    std::fs::write(&full, text).unwrap();
                }
                None => std::fs::remove_file(&full).unwrap(),
            }
        }
        self.git(&["add", "-A"]);
        self.commit_staged(author)
    }

    /// Commits whatever is staged (allowing an empty commit) as `author`.
    pub fn commit_staged(&mut self, author: &str) -> String {
        self.clock += 86_400;
        let (name, email) = split_author(author);
        let date = format!("{} +0000", self.clock);
        let env = [
            ("GIT_AUTHOR_NAME", name),
            ("GIT_AUTHOR_EMAIL", email),
            ("GIT_AUTHOR_DATE", date.as_str()),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_COMMITTER_DATE", date.as_str()),
        ];
        let msg = format!("commit at {}", self.clock);
        git_in(
            self.path(),
            &["commit", "-q", "--allow-empty", "--no-verify", "-m", &msg],
            &env,
        );
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Merges `branch` into the current branch with a merge commit.
    pub fn merge(&mut self, author: &str, branch: &str) {
        self.clock += 86_400;
        let (name, email) = split_author(author);
        let date = format!("{} +0000", self.clock);
        let env = [
            ("GIT_AUTHOR_NAME", name),
            ("GIT_AUTHOR_EMAIL", email),
            ("GIT_AUTHOR_DATE", date.as_str()),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_COMMITTER_DATE", date.as_str()),
        ];
        git_in(
            self.path(),
            &["merge", "-q", "--no-ff", "--no-edit", branch],
            &env,
        );
    }
}

/// Runs git in `dir` with an isolated configuration and extra environment.
pub fn git_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .envs(env.iter().copied())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn split_author(author: &str) -> (&str, &str) {
    let (name, rest) = author.split_once(" <").expect("Name <email>");
    (name, rest.trim_end_matches('>'))
}

/// The options the tests use unless they test an option.
pub fn opts() -> HistoryOptions {
    HistoryOptions {
        since: None,
        max_commits: 5000,
        max_files_per_commit: 50,
        threads: 2,
    }
}

/// A temporary folder that is surely not inside a git repository.
pub fn not_a_repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plain");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("main.rs"), "fn main() {}\n").unwrap();
    (dir, path)
}
