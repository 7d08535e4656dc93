//! Writes a large synthetic git history with `git fast-import`, for the benchmark and the
//! `history_stats` example: 20 modules of 25 files, commits by 12 authors that change 1 to
//! 4 files of a module and often a file of the next module, one huge commit (60 files)
//! every 500 and a rename every 250; every change rewrites a line and appends three, so
//! line counts do real work. Deterministic: the same count gives the same repository.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// A small deterministic generator (64-bit LCG), so the repository is the same every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Writes a repository with `n_commits` linear commits at `path` via `git fast-import`.
pub fn generate(path: &Path, n_commits: usize) {
    std::fs::create_dir_all(path).unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(path)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdout(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);

    const MODULES: usize = 20;
    const FILES: usize = 25;
    let mut rng = Lcg(42);
    let mut paths: Vec<Vec<String>> = (0..MODULES)
        .map(|m| {
            (0..FILES)
                .map(|f| format!("src/m{m:02}/f{f:02}.rs"))
                .collect()
        })
        .collect();
    let mut contents: Vec<Vec<Vec<String>>> = vec![vec![Vec::new(); FILES]; MODULES];
    let mut stream: Vec<u8> = Vec::new();
    let mut time: i64 = 1_600_000_000;
    for idx in 0..n_commits {
        time += 600;
        let author = rng.below(12);
        let mut ops: Vec<String> = Vec::new();
        let mut touched: Vec<(usize, usize)> = Vec::new();
        if idx % 500 == 499 {
            touched.extend((0..60).map(|k| (k % MODULES, k / MODULES)));
        } else {
            let module = rng.below(MODULES);
            for _ in 0..1 + rng.below(4) {
                touched.push((module, rng.below(FILES)));
            }
            if rng.below(10) < 3 {
                touched.push(((module + 1) % MODULES, rng.below(FILES)));
            }
        }
        touched.sort_unstable();
        touched.dedup();
        if idx % 250 == 125 {
            let (m, f) = touched[0];
            let new_path = format!("src/m{m:02}/renamed{idx}.rs");
            ops.push(format!("R {} {}", paths[m][f], new_path));
            paths[m][f] = new_path;
        }
        for (m, f) in touched {
            let lines = &mut contents[m][f];
            if !lines.is_empty() {
                let at = rng.below(lines.len());
                lines[at] = format!("    let changed_{idx} = {at};");
            }
            lines.push(format!("fn f{idx}() -> u32 {{"));
            lines.push(format!("    {}", rng.below(1000)));
            lines.push("}".to_string());
            let body = lines.join("\n") + "\n";
            ops.push(format!(
                "M 100644 inline {}\ndata {}\n{}",
                paths[m][f],
                body.len(),
                body
            ));
        }
        let msg = format!("change {idx}");
        write!(
            stream,
            "commit refs/heads/main\nmark :{}\nauthor Dev{author} <dev{author}@example.com> {time} +0000\ncommitter Dev{author} <dev{author}@example.com> {time} +0000\ndata {}\n{msg}\n",
            idx + 1,
            msg.len()
        )
        .unwrap();
        if idx > 0 {
            writeln!(stream, "from :{idx}").unwrap();
        }
        for op in ops {
            writeln!(stream, "{op}").unwrap();
        }
        stream.push(b'\n');
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(path)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success());
    git(&["reset", "-q", "--hard", "main"]);
}
