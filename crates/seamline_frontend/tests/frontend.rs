//! Integration tests of the frontend's public API: discovery, the module tree, reading, and
//! every kind of bad input, on the committed fixtures and on small trees written to temp
//! folders (`//- path` markers separate files).
//!
//! Snapshots hold the driver's part of `Facts::dump()` (crates, files, modules,
//! diagnostics); items and references are the resolver's and are tested next to it.

use seamline_frontend::{Error, Options, analyze, parse_only};
use seamline_ir as ir;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

fn options(root: &Path) -> Options {
    Options {
        root: root.to_owned(),
        include_tests: false,
        max_file_size: 10 * 1024 * 1024,
        threads: 2,
        progress: None,
    }
}

#[track_caller]
fn check(options: &Options) -> ir::Facts {
    let facts = analyze(options).unwrap_or_else(|err| panic!("analyze failed: {err}"));
    assert_eq!(facts.validate(), Ok(()));
    facts
}

/// The driver's lines of the dump: crates, files, modules and diagnostics.
fn tree(facts: &ir::Facts) -> String {
    facts
        .dump()
        .lines()
        .filter(|l| {
            l.starts_with("crate ")
                || l.starts_with("file ")
                || l.starts_with("module ")
                || l.starts_with("diag ")
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Writes `//- path` separated files under a new temp folder named `name`.
fn write_tree(name: &str, spec: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join(name);
    std::fs::create_dir_all(&root).expect("create root");
    let mut current: Option<(PathBuf, String)> = None;
    let flush = |cur: Option<(PathBuf, String)>| {
        if let Some((path, text)) = cur {
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
    };
    for line in spec.lines() {
        if let Some(path) = line.strip_prefix("//- /") {
            flush(current.take());
            current = Some((root.join(path.trim()), String::new()));
        } else if let Some((_, text)) = &mut current {
            text.push_str(line);
            text.push('\n');
        }
    }
    flush(current);
    (tmp, root)
}

fn module_paths(facts: &ir::Facts) -> Vec<(&str, &str)> {
    facts
        .modules
        .iter()
        .map(|m| (m.path.as_str(), facts.files[m.file.index()].path.as_str()))
        .collect()
}

fn diags(facts: &ir::Facts, code: ir::DiagCode) -> Vec<(String, u32)> {
    facts
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| (d.file.clone().unwrap_or_default(), d.line))
        .collect()
}

#[test]
fn workspace_members_targets_and_renamed_dependencies() {
    let facts = check(&options(&fixture("workspace")));
    insta::assert_snapshot!("workspace_tree", tree(&facts));
    let crates: Vec<(&str, ir::CrateKind, Option<&str>)> = facts
        .crates
        .iter()
        .map(|c| (c.name.as_str(), c.kind, c.package.as_deref()))
        .collect();
    assert_eq!(
        crates,
        vec![
            ("app", ir::CrateKind::Lib, Some("app")),
            ("app_bin", ir::CrateKind::Bin, Some("app")),
            ("billing", ir::CrateKind::Lib, Some("billing")),
            ("core_types", ir::CrateKind::Lib, Some("core-types")),
        ]
    );
    let deps = |name: &str| -> Vec<(String, String)> {
        let c = facts.crates.iter().find(|c| c.name == name).expect("crate");
        c.deps
            .iter()
            .map(|d| {
                (
                    d.local_name.clone(),
                    facts.crates[d.krate.index()].name.clone(),
                )
            })
            .collect()
    };
    // The renamed dependency keeps the name the code uses.
    assert_eq!(deps("billing"), vec![("types".into(), "core_types".into())]);
    assert_eq!(
        deps("app"),
        vec![
            ("billing".into(), "billing".into()),
            ("core_types".into(), "core_types".into())
        ]
    );
    // The binary sees its own package's library.
    assert!(deps("app_bin").contains(&("app".into(), "app".into())));
    // No fallback: cargo was used despite the uninstalled pinned toolchain.
    assert_eq!(facts.diagnostics, vec![]);
    assert!(
        module_paths(&facts)
            .contains(&("core_types::ids::raw", "crates/core_types/src/ids/raw.rs"))
    );
    // Tests are left out unless asked for.
    assert!(!facts.files.iter().any(|f| f.path.starts_with("app/tests")));
    // Items get their lines of code: `pub struct Money {`, the field, `}` (attributes and
    // doc comments are outside the span).
    let money = facts
        .items
        .iter()
        .find(|i| i.path == "core_types::money::Money")
        .expect("Money");
    assert_eq!(
        (money.span.start, money.span.end, money.code_lines),
        (3, 5, 3)
    );
    // The renamed dependency reaches the resolver: `use types::money::Money` in billing.
    let billing_invoice = facts
        .modules
        .iter()
        .find(|m| m.path == "billing::invoice")
        .expect("module");
    assert!(
        facts
            .references
            .iter()
            .any(|r| r.from_module == billing_invoice.id
                && facts.items[r.to.index()].path == "core_types::money::Money")
    );
}

#[test]
fn include_tests_adds_test_targets_with_dev_dependencies() {
    let mut opts = options(&fixture("workspace"));
    opts.include_tests = true;
    let facts = check(&opts);
    let smoke = facts
        .crates
        .iter()
        .find(|c| c.name == "smoke")
        .expect("the test target is a crate");
    assert_eq!(smoke.kind, ir::CrateKind::Test);
    assert!(
        smoke
            .deps
            .iter()
            .any(|d| d.local_name == "app" && facts.crates[d.krate.index()].name == "app")
    );
    assert!(module_paths(&facts).contains(&("smoke", "app/tests/smoke.rs")));
}

#[test]
fn build_scripts_are_never_executed() {
    for name in ["workspace", "broken"] {
        let root = fixture(name);
        let marker = root.join("BUILD_RS_WAS_EXECUTED");
        let _ = check(&options(&root));
        let mut opts = options(&root);
        opts.include_tests = true;
        let _ = check(&opts);
        let _ = parse_only(&opts).expect("parse_only");
        assert!(!marker.exists(), "{name}/build.rs was executed");
        // And build.rs is not analysed either.
        let facts = check(&options(&root));
        assert!(!facts.files.iter().any(|f| f.path.ends_with("build.rs")));
    }
}

#[test]
fn every_bad_input_becomes_a_diagnostic() {
    let mut opts = options(&fixture("broken"));
    opts.max_file_size = 1_000;
    let facts = check(&opts);
    insta::assert_snapshot!("broken_tree", tree(&facts));
    use ir::DiagCode as C;
    assert_eq!(
        diags(&facts, C::BrokenManifest),
        vec![("Cargo.toml".into(), 8)]
    );
    assert_eq!(
        diags(&facts, C::ParseError),
        vec![("src/unparsable.rs".into(), 3)]
    );
    assert_eq!(
        diags(&facts, C::NotUtf8),
        vec![("src/not_utf8.rs".into(), 1)]
    );
    assert_eq!(
        diags(&facts, C::FileTooLarge),
        vec![("src/big.rs".into(), 0)]
    );
    assert_eq!(
        diags(&facts, C::MissingModuleFile),
        vec![("src/lib.rs".into(), 11)]
    );
    assert_eq!(
        diags(&facts, C::PathOutsideRoot),
        vec![
            ("src/escape_link.rs".into(), 0),
            ("src/lib.rs".into(), 14),
            ("src/lib.rs".into(), 16)
        ]
    );
    let loops = diags(&facts, C::SymlinkLoop);
    assert!(loops.contains(&("src/lib.rs".into(), 18)), "{loops:?}");
    assert!(loops.contains(&("src/dirloop".into(), 0)), "{loops:?}");
    assert_eq!(
        diags(&facts, C::DuplicateModule),
        vec![("src/lib.rs".into(), 21)]
    );
    assert_eq!(
        diags(&facts, C::OrphanFile),
        vec![("src/old/mod.rs".into(), 0), ("src/orphan.rs".into(), 0)]
    );
    // The rest is analysed: the good module, the orphans and the orphan's child.
    let modules = module_paths(&facts);
    for expected in [
        ("broken::fine", "src/fine.rs"),
        ("broken::<orphan>::orphan", "src/orphan.rs"),
        ("broken::<orphan>::old", "src/old/mod.rs"),
        ("broken::<orphan>::old::child", "src/old/child.rs"),
    ] {
        assert!(modules.contains(&expected), "{expected:?} in {modules:?}");
    }
    // A file that is not UTF-8 still counts its lines (code lines unknown); one over the
    // size limit is not read, so it has none.
    let lines_of = |path: &str| {
        let f = facts.files.iter().find(|f| f.path == path).expect(path);
        (f.lines, f.code_lines)
    };
    assert_eq!(lines_of("src/not_utf8.rs"), (2, 0));
    assert_eq!(lines_of("src/big.rs"), (0, 0));
    // Failed files are listed, not analysed.
    for path in ["src/unparsable.rs", "src/not_utf8.rs", "src/big.rs"] {
        let f = facts.files.iter().find(|f| f.path == path).expect(path);
        assert!(!f.analysed, "{path}");
    }
    // Nothing outside the root was read.
    assert!(!facts.files.iter().any(|f| f.path.starts_with("..")));
}

#[test]
fn a_missing_cargo_is_not_needed_for_a_folder_without_manifest() {
    let (_tmp, root) = write_tree(
        "loose-code",
        "
//- /a.rs
pub fn a() {}
//- /b/mod.rs
mod c;
//- /b/c.rs
pub fn c() {}
",
    );
    let facts = check(&options(&root));
    assert_eq!(facts.crates.len(), 1);
    assert_eq!(facts.crates[0].name, "loose_code");
    assert_eq!(facts.crates[0].kind, ir::CrateKind::Guessed);
    assert_eq!(
        module_paths(&facts),
        vec![
            ("loose_code::a", "a.rs"),
            ("loose_code::b", "b/mod.rs"),
            ("loose_code::b::c", "b/c.rs"),
        ]
    );
    // A rootless folder has no orphans to report.
    assert_eq!(facts.diagnostics, vec![]);
}

#[test]
fn a_single_file_root_is_a_crate() {
    let (_tmp, root) = write_tree(
        "single",
        "
//- /tool.rs
mod inner { pub fn f() {} }
fn main() {}
",
    );
    let facts = check(&options(&root.join("tool.rs")));
    assert_eq!(facts.crates[0].name, "tool");
    assert_eq!(
        module_paths(&facts),
        vec![("tool", "tool.rs"), ("tool::inner", "tool.rs")]
    );
}

#[test]
fn module_files_are_found_as_rustc_finds_them() {
    let (_tmp, root) = write_tree(
        "rules",
        r#"
//- /Cargo.toml
[package]
name = "rules"
version = "0.1.0"
edition = "2021"
//- /src/lib.rs
mod flat;
mod nested;
#[path = "elsewhere/renamed.rs"]
mod attr;
#[path = "thread_files"]
mod thread {
    #[path = "tls.rs"]
    mod state;
}
mod inline {
    mod deeper;
}
mod r#type;
//- /src/flat.rs
mod child;
//- /src/flat/child.rs
pub fn f() {}
//- /src/nested/mod.rs
mod child;
//- /src/nested/child.rs
mod inline_in_non_mod_rs {
    #[path = "other.rs"]
    mod inner;
}
//- /src/nested/child/inline_in_non_mod_rs/other.rs
pub fn o() {}
//- /src/elsewhere/renamed.rs
mod beside;
//- /src/elsewhere/beside.rs
pub fn b() {}
//- /src/thread_files/tls.rs
pub fn t() {}
//- /src/inline/deeper.rs
pub fn d() {}
//- /src/type.rs
pub fn ty() {}
"#,
    );
    let facts = check(&options(&root));
    assert_eq!(
        module_paths(&facts),
        vec![
            ("rules", "src/lib.rs"),
            ("rules::attr", "src/elsewhere/renamed.rs"),
            ("rules::attr::beside", "src/elsewhere/beside.rs"),
            ("rules::flat", "src/flat.rs"),
            ("rules::flat::child", "src/flat/child.rs"),
            ("rules::inline", "src/lib.rs"),
            ("rules::inline::deeper", "src/inline/deeper.rs"),
            ("rules::nested", "src/nested/mod.rs"),
            ("rules::nested::child", "src/nested/child.rs"),
            (
                "rules::nested::child::inline_in_non_mod_rs",
                "src/nested/child.rs"
            ),
            (
                "rules::nested::child::inline_in_non_mod_rs::inner",
                "src/nested/child/inline_in_non_mod_rs/other.rs"
            ),
            ("rules::thread", "src/lib.rs"),
            ("rules::thread::state", "src/thread_files/tls.rs"),
            ("rules::type", "src/type.rs"),
        ]
    );
    assert_eq!(facts.diagnostics, vec![]);
    let inline = facts
        .modules
        .iter()
        .find(|m| m.path == "rules::thread")
        .expect("inline module");
    assert!(inline.inline);
    // The span leaves attributes out: it starts at `mod thread {`.
    assert_eq!(inline.span.start, 6);
}

#[test]
fn cfg_branches_are_all_followed_and_clashing_names_stay_unique() {
    let (_tmp, root) = write_tree(
        "cfgs",
        r#"
//- /src/main.rs
#[cfg(unix)]
#[path = "unix.rs"]
mod imp;
#[cfg(windows)]
#[path = "windows.rs"]
mod imp;
#[cfg(feature = "a")]
pub mod shared;
#[cfg(not(feature = "a"))]
mod shared;
//- /src/shared.rs
pub fn s() {}
//- /src/unix.rs
pub fn u() {}
//- /src/windows.rs
pub fn w() {}
"#,
    );
    let facts = check(&options(&root));
    assert_eq!(
        module_paths(&facts),
        vec![
            ("cfgs", "src/main.rs"),
            ("cfgs::imp", "src/unix.rs"),
            ("cfgs::imp#2", "src/windows.rs"),
            ("cfgs::shared", "src/shared.rs"),
        ]
    );
    // The same module in two branches is one module, not a duplicate.
    assert_eq!(facts.diagnostics, vec![]);
}

#[test]
fn modules_declared_inside_cfg_if_are_followed_in_every_branch() {
    let (_tmp, root) = write_tree(
        "cfgif",
        r#"
//- /src/lib.rs
cfg_if::cfg_if! {
    if #[cfg(unix)] {
        mod unix;
        pub use unix::*;
    } else if #[cfg(windows)] {
        mod windows;
    } else {
        mod other;
        pub fn fallback() {}
    }
}
//- /src/unix.rs
pub fn u() {}
//- /src/windows.rs
cfg_if! { if #[cfg(target_arch = "x86")] { mod x86; } }
//- /src/windows/x86.rs
pub fn w() {}
//- /src/other.rs
pub fn o() {}
"#,
    );
    let facts = check(&options(&root));
    assert_eq!(
        module_paths(&facts),
        vec![
            ("cfgif", "src/lib.rs"),
            ("cfgif::other", "src/other.rs"),
            ("cfgif::unix", "src/unix.rs"),
            ("cfgif::windows", "src/windows.rs"),
            ("cfgif::windows::x86", "src/windows/x86.rs"),
        ]
    );
    // No orphans, and the branch's items are items of the module.
    assert_eq!(facts.diagnostics, vec![]);
    assert!(facts.items.iter().any(|i| i.path == "cfgif::fallback"));
}

#[test]
fn a_file_declared_by_lib_and_bin_backs_a_module_in_each() {
    let (_tmp, root) = write_tree(
        "twice",
        r#"
//- /Cargo.toml
[package]
name = "twice"
version = "0.1.0"
edition = "2021"
//- /src/lib.rs
pub mod util;
//- /src/main.rs
mod util;
fn main() {}
//- /src/util.rs
pub fn u() {}
"#,
    );
    let facts = check(&options(&root));
    assert_eq!(
        module_paths(&facts),
        vec![
            ("twice", "src/lib.rs"),
            ("twice::util", "src/util.rs"),
            ("twice_bin", "src/main.rs"),
            ("twice_bin::util", "src/util.rs"),
        ]
    );
    assert_eq!(facts.files.len(), 3);
    assert_eq!(facts.diagnostics, vec![]);
}

#[test]
fn source_modules_named_target_are_kept_and_build_folders_skipped() {
    let (_tmp, root) = write_tree(
        "targets",
        r#"
//- /Cargo.toml
[package]
name = "targets"
version = "0.1.0"
edition = "2021"
//- /src/lib.rs
mod target;
//- /src/target.rs
mod x86;
//- /src/target/x86.rs
pub fn x() {}
//- /src/target/unused.rs
pub fn orphan() {}
//- /target/debug/build/generated.rs
pub fn generated() {}
//- /nested/target/CACHEDIR.TAG
Signature: 8a477f597d28d172789f06886806bc55
//- /src/.hidden/x.rs
pub fn hidden() {}
"#,
    );
    let facts = check(&options(&root));
    let paths: Vec<&str> = facts.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "src/lib.rs",
            "src/target.rs",
            "src/target/unused.rs",
            "src/target/x86.rs"
        ]
    );
    assert_eq!(
        diags(&facts, ir::DiagCode::OrphanFile),
        vec![("src/target/unused.rs".into(), 0)]
    );
}

/// `fn f() -> i32 { ((((1)))) }` nested `depth` deep.
fn deep_source(depth: usize) -> String {
    format!(
        "pub fn f() -> i32 {{ {}1{} }}\npub fn g() {{}}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    )
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let (_tmp, root) = write_tree(
        "deep",
        "
//- /src/lib.rs
mod deep;
mod blocks;
mod deeper;
mod unary;
",
    );
    let write = |name: &str, text: String| {
        std::fs::write(root.join("src").join(name), text).expect("write");
    };
    write("deep.rs", deep_source(5_000));
    write(
        "blocks.rs",
        format!(
            "pub fn f() {{ {}{} }}\n",
            "{".repeat(5_000),
            "}".repeat(5_000)
        ),
    );
    write("deeper.rs", deep_source(100_000));
    write(
        "unary.rs",
        format!("pub fn f() -> i32 {{ {}1 }}\n", "-".repeat(100_000)),
    );
    for threads in [1, 2] {
        let mut opts = options(&root);
        opts.threads = threads;
        let facts = check(&opts);
        let analysed = |p: &str| facts.files.iter().find(|f| f.path == p).expect(p).analysed;
        assert!(analysed("src/deep.rs"));
        assert!(analysed("src/blocks.rs"));
        // Absurdly deep input is refused with a diagnostic instead of crashing.
        assert!(!analysed("src/deeper.rs"));
        assert!(!analysed("src/unary.rs"));
        assert_eq!(
            diags(&facts, ir::DiagCode::ParseError),
            vec![("src/deeper.rs".into(), 0), ("src/unary.rs".into(), 0)]
        );
    }
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    for root in [
        fixture("workspace"),
        fixture("broken"),
        Path::new(env!("CARGO_MANIFEST_DIR")).to_owned(),
    ] {
        let dumps: Vec<String> = [1, 2, 4]
            .iter()
            .map(|&threads| {
                let mut opts = options(&root);
                opts.threads = threads;
                opts.include_tests = true;
                check(&opts).dump()
            })
            .collect();
        assert_eq!(dumps[0], dumps[1], "{}", root.display());
        assert_eq!(dumps[0], dumps[2], "{}", root.display());
    }
}

#[test]
fn analysing_the_frontend_itself_finds_its_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let facts = check(&options(root));
    // The package inherits from the outer workspace, whose other members lie outside the
    // root and are left out.
    let names: Vec<&str> = facts.crates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["seamline_frontend"]);
    let modules = module_paths(&facts);
    assert!(modules.contains(&("seamline_frontend::driver", "src/driver.rs")));
    assert!(facts.code_lines() > 1_000);
    // Test modules: inline or in their own file, left out of the model but read,
    // and their files are no orphans.
    assert!(!modules.iter().any(|(m, _)| m.ends_with("::tests")));
    let tests_file = facts
        .files
        .iter()
        .find(|f| f.path == "src/lower/tests.rs")
        .expect("the test file is listed");
    assert!(tests_file.analysed && !tests_file.orphan && tests_file.module.is_none());
    assert!(tests_file.code_lines > 100);
    assert!(!facts.items.iter().any(|i| i.path.contains("::tests::")));
    let mut opts = options(root);
    opts.include_tests = true;
    let with_tests = check(&opts);
    let modules = module_paths(&with_tests);
    assert!(modules.contains(&("seamline_frontend::modtree::tests", "src/modtree.rs")));
    assert!(modules.contains(&("seamline_frontend::lower::tests", "src/lower/tests.rs")));
}

#[test]
fn progress_reports_every_file() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let calls = Arc::new(AtomicUsize::new(0));
    let mut opts = options(&fixture("workspace"));
    let (seen2, calls2) = (seen.clone(), calls.clone());
    opts.progress = Some(Arc::new(move |p| {
        calls2.fetch_add(1, Ordering::Relaxed);
        seen2.lock().expect("lock").push(p);
    }));
    let facts = check(&opts);
    assert_eq!(calls.load(Ordering::Relaxed), facts.files.len());
    let seen = seen.lock().expect("lock");
    let last_done = seen.iter().map(|p| p.files_done).max();
    assert_eq!(last_done, Some(facts.files.len()));
    assert!(seen.iter().all(|p| p.files_done <= p.files_total));
    assert!(format!("{opts:?}").contains("progress"));
}

#[test]
fn a_root_without_rust_or_that_does_not_exist_is_an_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("README.md"), "no rust here").expect("write");
    let err = analyze(&options(tmp.path())).expect_err("no rust");
    assert!(matches!(err, Error::NoRust { .. }));
    assert!(
        err.to_string()
            .starts_with("no Rust source file (.rs) found in ")
    );
    // A single file that is not Rust is no Rust either, for both entry points.
    let readme = tmp.path().join("README.md");
    assert!(matches!(
        analyze(&options(&readme)),
        Err(Error::NoRust { .. })
    ));
    assert!(matches!(
        parse_only(&options(&readme)),
        Err(Error::NoRust { .. })
    ));
    let missing = tmp.path().join("does-not-exist");
    let err = analyze(&options(&missing)).expect_err("missing root");
    assert!(matches!(err, Error::RootUnreadable { .. }));
    assert!(!err.to_string().contains('\n'));
    assert!(matches!(
        parse_only(&options(&missing)),
        Err(Error::RootUnreadable { .. })
    ));
}

#[test]
fn parse_only_reads_and_parses_every_file() {
    let stats = parse_only(&options(&fixture("workspace"))).expect("parse_only");
    // lib.rs, money.rs, ids/mod.rs, ids/raw.rs, billing lib + invoice, app lib, routes, main.
    assert_eq!(stats.files, 9);
    assert_eq!(stats.parsed, 9);
    assert!(stats.lines > 40);
}

#[cfg(unix)]
#[test]
fn a_path_stepping_back_out_of_a_symlinked_folder_follows_the_link() {
    // `src/link` points to `other/sub`: `src/link/../b.rs` is `other/b.rs` for rustc (and
    // the file system), not the `src/b.rs` a lexical reading would give. Files met through
    // real folders skip the file system; this one must not.
    let (_tmp, root) = write_tree(
        "linkpkg",
        r#"
//- /src/lib.rs
#[path = "link/../b.rs"]
mod m;
//- /src/b.rs
pub fn lexical_but_wrong() {}
//- /other/b.rs
pub fn through_the_link() {}
//- /other/sub/keep.rs
pub fn keep() {}
"#,
    );
    std::os::unix::fs::symlink(root.join("other/sub"), root.join("src/link")).expect("symlink");
    let facts = check(&options(&root));
    let m = module_paths(&facts)
        .into_iter()
        .find(|(path, _)| *path == "linkpkg::m")
        .map(|(_, file)| file.to_owned());
    assert_eq!(m.as_deref(), Some("other/b.rs"), "{}", tree(&facts));
}

/// Modules in `cfg_select!` arms, items of the crate's own `macro_rules!` (also
/// from another file), derive macros of a workspace proc-macro crate, and test code.
#[test]
fn items_declared_inside_macros_are_in_the_model() {
    use ir::DiagCode as C;
    let facts = check(&options(&fixture("macro_items")));
    insta::assert_snapshot!("macro_items_facts", facts.dump());
    let noisy: Vec<&ir::Diagnostic> = facts
        .diagnostics
        .iter()
        .filter(|d| {
            matches!(
                d.code,
                C::OrphanFile | C::UnresolvedImport | C::MacroNotExpanded
            )
        })
        .collect();
    assert!(noisy.is_empty(), "{noisy:?}");
    assert!(facts.files.iter().all(|f| f.analysed && !f.orphan));
    let modules = module_paths(&facts);
    assert!(modules.contains(&("util::rate_limit", "crates/util/src/rate_limit/mod.rs")));
    assert!(modules.contains(&("util::settings", "crates/util/src/settings/mod.rs")));
    // A `#[macro_export]` macro of a dependency, called after `use util::handler;`: its
    // item is placed at the call, and `$crate` names the dependency.
    let generated = facts
        .items
        .iter()
        .find(|i| i.path == "app::default_settings")
        .expect("the exported macro's function");
    assert_eq!(generated.location.line, 26);
    let settings = facts
        .items
        .iter()
        .position(|i| i.path == "util::settings::Settings");
    assert!(
        facts
            .references
            .iter()
            .any(|r| r.from_item == Some(generated.id)
                && Some(r.to.index()) == settings
                && r.kind == ir::DepKind::Type)
    );
    // Test code is read (its lines count) but is in no module, item or reference.
    assert!(!modules.iter().any(|(m, _)| m.contains("tests")));
    assert!(!facts.items.iter().any(|i| i.name == "test_helper"));
    let test_files: Vec<&ir::SourceFile> = facts
        .files
        .iter()
        .filter(|f| f.path.contains("/tests/"))
        .collect();
    assert_eq!(test_files.len(), 2);
    let integration: Vec<&ir::SourceFile> = facts
        .files
        .iter()
        .filter(|f| f.path.contains("/integration/"))
        .collect();
    assert_eq!(integration.len(), 2);
    for f in test_files.iter().chain(&integration) {
        assert!(f.module.is_none() && f.code_lines > 0, "{f:?}");
    }

    // With tests included, they are modules like any other (and their broken imports show).
    let mut opts = options(&fixture("macro_items"));
    opts.include_tests = true;
    let with_tests = check(&opts);
    let modules = module_paths(&with_tests);
    for expected in [
        ("app::tests", "crates/app/src/tests/mod.rs"),
        ("app::tests::helpers", "crates/app/src/tests/helpers.rs"),
        ("app::inline_tests", "crates/app/src/lib.rs"),
        (
            "integration::support",
            "crates/app/src/integration/support.rs",
        ),
    ] {
        assert!(modules.contains(&expected), "{expected:?} in {modules:?}");
    }
    assert!(
        with_tests
            .items
            .iter()
            .any(|i| i.path == "app::test_helper")
    );
    let unresolved: Vec<&str> = with_tests
        .diagnostics
        .iter()
        .filter(|d| d.code == C::UnresolvedImport)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        unresolved,
        vec![
            "unresolved import `util::clock::Missing`",
            "unresolved import `util::nothing::Here`"
        ]
    );
}

/// A self-recursive macro, an exponentially growing one and one with 10,000 rules
/// each end in a diagnostic naming it, within its bound, and the rest is analysed.
#[test]
fn runaway_macros_end_in_a_diagnostic_and_the_rest_is_analysed() {
    let facts = check(&options(&fixture("hostile")));
    let notes: Vec<(u32, &str)> = facts
        .diagnostics
        .iter()
        .filter(|d| d.code == ir::DiagCode::MacroNotExpanded)
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    assert_eq!(
        notes,
        vec![
            (
                10,
                "`again!` was not expanded: expansions nest deeper than 128 levels (is it recursive?)"
            ),
            (
                18,
                "`grow!` was not expanded: the file's bound of 5000 expansions was exceeded"
            ),
            (
                124,
                "`wide!` was not expanded: it has 10000 rules, more than the 1000 that are tried"
            ),
        ]
    );
    let items: Vec<&str> = facts.items.iter().map(|i| i.path.as_str()).collect();
    assert!(items.contains(&"hostile::macros::AfterMacros"));
    assert!(items.iter().any(|p| p.starts_with("hostile::models::")));
    assert!(!items.iter().any(|p| p.contains("Arm")));
}

/// The `access` lines of the dump that are writes.
fn writes(facts: &ir::Facts) -> Vec<String> {
    facts
        .dump()
        .lines()
        .filter(|l| l.starts_with("access ") && l.contains(" Write "))
        .map(str::to_owned)
        .collect()
}

/// Plume's models write through the crate's own `insert!` macro, defined in `lib.rs` and
/// called inside each model's `impl` block, which itself calls `last!`: the expansion's
/// methods are the model's, and their diesel writes are found at the call.
#[test]
fn impl_position_calls_of_macros_of_another_file_write_their_tables() {
    let (_tmp, root) = write_tree(
        "plume",
        r#"
//- /Cargo.toml
[package]
name = "plume"
version = "0.1.0"
edition = "2021"
//- /src/lib.rs
macro_rules! insert {
    ($table:ident, $from:ty) => {
        last!($table);
        pub fn insert(conn: &crate::Connection, new: $from) -> Self {
            diesel::insert_into($table::table).values(new).execute(conn);
            Self::last(conn)
        }
    };
}
macro_rules! last {
    ($table:ident) => {
        pub fn last(conn: &crate::Connection) -> Self {
            $table::table.order_by($table::id.desc()).first(conn)
        }
    };
}
pub struct Connection;
pub mod schema;
pub mod posts;
//- /src/schema.rs
diesel::table! {
    posts (id) {
        id -> Integer,
        title -> Text,
    }
}
//- /src/posts.rs
use crate::schema::posts;

pub struct Post;
pub struct NewPost;

impl Post {
    insert!(posts, NewPost);
    undefined_here!(posts);
}
"#,
    );
    let facts = check(&options(&root));
    assert_eq!(
        writes(&facts),
        vec!["access plume::posts::Post::insert posts Write Dsl x1 src/posts.rs:7"]
    );
    let methods: Vec<(&str, u32)> = facts
        .items
        .iter()
        .filter(|i| i.kind == ir::ItemKind::Method)
        .map(|i| (i.path.as_str(), i.location.line))
        .collect();
    assert_eq!(
        methods,
        vec![
            ("plume::posts::Post::insert", 7),
            ("plume::posts::Post::last", 7)
        ]
    );
    // `Self::last` inside the expansion is the other expanded method.
    let dump = facts.dump();
    assert!(
        dump.contains("ref plume::posts::Post::insert -> plume::posts::Post::last call"),
        "{dump}"
    );
}

/// lldap's shapes of sea-orm: an entity generated by `DeriveEntityModel` and one written
/// out (`DeriveEntity` beside a `DeriveModel`), re-exported under other names; writes
/// through the entity's functions and through active models, reads through `find`.
#[test]
fn sea_orm_entities_and_active_models_read_and_write_their_tables() {
    let (_tmp, root) = write_tree(
        "ldap",
        r#"
//- /Cargo.toml
[package]
name = "ldap"
version = "0.1.0"
edition = "2021"
//- /src/lib.rs
pub mod model;
pub mod handler;
//- /src/model/mod.rs
pub mod groups;
pub mod users;
pub use groups::Entity as Group;
pub use users::Entity as User;
//- /src/model/groups.rs
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, DeriveEntityModel)]
#[sea_orm(table_name = "groups")]
pub struct Model {
    pub group_id: i32,
    pub name: String,
}
//- /src/model/users.rs
use sea_orm::entity::prelude::*;

#[derive(Copy, Clone, Default, Debug, DeriveEntity)]
pub struct Entity;

#[derive(Clone, Debug, DeriveModel, DeriveActiveModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    pub user_id: String,
}
//- /src/handler.rs
use crate::model;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

pub async fn create_user(db: &Db, name: String) {
    let new_user = model::users::ActiveModel {
        user_id: Set(name),
    };
    new_user.insert(db).await;
    let mut names = std::collections::HashSet::new();
    names.insert(1);
}

pub async fn rename_group(db: &Db) {
    model::groups::ActiveModel { name: Set("x".into()) }.update(db).await;
}

pub async fn copy_user(db: &Db) {
    let copy = model::users::Model { user_id: "y".into() }.into_active_model();
    copy.save(db).await;
}

pub async fn purge(db: &Db) {
    model::Group::delete_many().exec(db).await;
    let all = model::User::find().all(db).await;
}
"#,
    );
    let facts = check(&options(&root));
    assert_eq!(
        writes(&facts),
        vec![
            "access ldap::handler::create_user users Write Dsl x1 src/handler.rs:8",
            "access ldap::handler::rename_group groups Write Dsl x1 src/handler.rs:14",
            "access ldap::handler::copy_user users Write Dsl x1 src/handler.rs:19",
            "access ldap::handler::purge groups Write Dsl x1 src/handler.rs:23",
        ]
    );
    let dump = facts.dump();
    assert!(
        dump.contains("access ldap::handler::purge users Read Dsl x1 src/handler.rs:24"),
        "{dump}"
    );
    // The generated entity is an item at its model, and the re-export names it.
    assert!(
        dump.contains("item ldap::model::groups::Entity Struct Public src/model/groups.rs:3"),
        "{dump}"
    );
    assert!(
        dump.contains("ref ldap::model -> ldap::model::groups::Entity import"),
        "{dump}"
    );
}

/// rust-analyzer's `intern` crate declares some 550 symbols in one `define_symbols!` call
/// of 565 code lines: each expanded constant is placed at the call, and when each counted
/// the call's lines, that module weighed 300,000 lines and made one context of 61% of the
/// workspace. The items of one call share its lines instead; a written-out item keeps its own.
#[test]
fn the_items_of_one_macro_call_share_its_lines() {
    let (_tmp, root) = write_tree(
        "symbols",
        r#"
//- /Cargo.toml
[package]
name = "symbols"
version = "0.1.0"
edition = "2021"
//- /src/lib.rs
macro_rules! define_symbols {
    ($($name:ident),* $(,)?) => {
        $(pub const $name: &str = stringify!($name);)*
    };
}
define_symbols! {
    alpha,
    beta,
    gamma,
    delta,
    epsilon,
    zeta,
    eta,
}
pub struct Written {
    pub field: u32,
}
"#,
    );
    let facts = check(&options(&root));
    let lines: Vec<(&str, u32)> = facts
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.code_lines))
        .collect();
    // The call covers 9 lines: its 7 constants share them, the first two (in item order)
    // one line more.
    assert_eq!(
        lines,
        vec![
            ("define_symbols", 5),
            ("alpha", 2),
            ("beta", 2),
            ("delta", 1),
            ("epsilon", 1),
            ("eta", 1),
            ("gamma", 1),
            ("zeta", 1),
            ("Written", 3),
        ]
    );
}
