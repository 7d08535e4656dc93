//! Discovery: which crates the root holds, where their root files are, how they depend on
//! each other, and which `.rs` files exist (candidates for orphans).
//!
//! With a `Cargo.toml` at the root, `cargo metadata --no-deps --offline` tells the workspace
//! members and targets. When cargo cannot be run or rejects the manifest, or when there is
//! no manifest at all, crates are guessed by walking the tree: every `Cargo.toml` with a
//! `[package]` (parsed as TOML, never executed) gives its `src/lib.rs` (or `[lib] path`),
//! `src/main.rs` and `src/bin/*.rs` targets and its dependencies on other packages of the
//! tree (renames included), and a root that is not a package becomes a crate named after
//! the folder, which may name every library of the tree. A single `.rs` file is a crate named after the file.
//!
//! Crate names: the target name with `-` replaced by `_`. Names must be unique (they prefix
//! module ids), so when several targets share a name, the library keeps it, a binary gets
//! `_bin` appended (`foo` + `foo_bin` for the usual `src/lib.rs` + `src/main.rs` package),
//! a test, bench or example `_test`, and any remaining clash gets `_2`, `_3`, ... in
//! (kind, manifest, root file) order.

use crate::hash::HashSet;
use crate::ir;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

/// One crate to analyse, before ids are assigned.
#[derive(Debug, Clone)]
pub(crate) struct CrateSpec {
    /// Unique crate name (see the module docs).
    pub name: String,
    /// The package name, with dashes, if from a manifest.
    pub package: Option<String>,
    /// The manifest, relative to the root.
    pub manifest: Option<String>,
    /// Target kind.
    pub kind: ir::CrateKind,
    /// Root file (absolute, under the canonical root), if any.
    pub root_file: Option<PathBuf>,
    /// The folder whose unreached `.rs` files are this crate's orphans (absolute).
    pub dir: PathBuf,
    /// The package folder (absolute); the root for guessed crates without a manifest.
    pub package_dir: PathBuf,
    /// Other crates this one may name: (local name, index into the discovery's crates).
    pub deps: Vec<(String, usize)>,
}

/// What discovery found.
#[derive(Debug, Default)]
pub(crate) struct Discovery {
    /// Crates, sorted by name.
    pub crates: Vec<CrateSpec>,
    /// Every `.rs` file met by the walk (canonical, under the root), sorted.
    pub rs_files: Vec<PathBuf>,
    /// The `.rs` files whose path has no symbolic link in it below the root: their path
    /// is their canonical path, so the module tree need not ask the file system again.
    pub real_files: HashSet<PathBuf>,
    /// What the walk saw of the real folders, to tell a missing module file without asking
    /// the file system.
    pub listing: Listing,
    /// Package folders (absolute), for attributing orphans.
    pub package_dirs: BTreeSet<PathBuf>,
    /// Root files (canonical) of the test, bench and example targets that were left out
    /// (no `--include-tests`): their module trees are test code, read but not modelled,
    /// and not orphans when they sit in a crate's folder (`src/tests/mod.rs`).
    pub test_roots: Vec<PathBuf>,
    /// Problems met.
    pub diagnostics: Vec<ir::Diagnostic>,
}

/// The analysed root, canonicalized.
#[derive(Debug, Clone)]
pub(crate) struct Root {
    /// Canonical absolute path of the root folder (the file's folder for a file root).
    pub dir: PathBuf,
    /// For a single-file root, the canonical file.
    pub file: Option<PathBuf>,
}

impl Root {
    /// `path` relative to the root, `/`-separated, lexically normalised (for display).
    pub fn rel(&self, path: &Path) -> String {
        // The common case, a plain path under the root, without building components.
        if let Some(rest) = plain_bytes(path).and_then(|p| {
            let dir = plain_bytes(&self.dir)?;
            p.strip_prefix(dir)?.strip_prefix(b"/")
        }) {
            return String::from_utf8_lossy(rest).into_owned();
        }
        let normal = normalize(path);
        match normal.strip_prefix(&self.dir) {
            Ok(rel) => slash_path(rel),
            Err(_) => {
                // Outside the root: `../..`-style, so that messages do not depend on where
                // the root lives.
                let base: Vec<_> = self.dir.components().collect();
                let target: Vec<_> = normal.components().collect();
                let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
                let mut parts: Vec<String> = vec!["..".to_owned(); base.len() - common];
                parts.extend(
                    target[common..]
                        .iter()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned()),
                );
                parts.join("/")
            }
        }
    }

    /// Whether a canonical path lies under the root.
    pub fn contains(&self, canonical: &Path) -> bool {
        if let (Some(path), Some(dir)) = (plain_bytes(canonical), plain_bytes(&self.dir)) {
            return path
                .strip_prefix(dir)
                .is_some_and(|rest| rest.is_empty() || rest[0] == b'/' || dir == b"/");
        }
        canonical.starts_with(&self.dir)
    }
}

/// Joins path components with `/`.
pub(crate) fn slash_path(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The bytes of an absolute path already in normal form (on Unix: `/`-separated, no empty,
/// `.` or `..` component, no trailing `/`), so that comparing and slicing its bytes means
/// what comparing and slicing its components means; `None` otherwise.
pub(crate) fn plain_bytes(path: &Path) -> Option<&[u8]> {
    if !cfg!(unix) {
        return None;
    }
    let bytes = path.as_os_str().as_encoded_bytes();
    let rest = bytes.strip_prefix(b"/")?;
    if rest.is_empty() {
        return Some(bytes);
    }
    rest.split(|&b| b == b'/')
        .all(|c| !c.is_empty() && c != b"." && c != b"..")
        .then_some(bytes)
}

/// Removes `.` and folds `..` lexically (no disk access).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    if plain_bytes(path).is_some() {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether an IO error is "too many levels of symbolic links".
pub(crate) fn is_loop_error(err: &io::Error) -> bool {
    // ELOOP is 40 on Linux and 62 on macOS and the BSDs.
    matches!(err.raw_os_error(), Some(40) | Some(62)) || err.to_string().contains("symbolic links")
}

/// Opens the root: canonicalizes it and decides whether it is a file or a folder.
pub(crate) fn open_root(path: &Path) -> Result<Root, crate::Error> {
    let canonical = std::fs::canonicalize(path).map_err(|source| crate::Error::RootUnreadable {
        path: path.to_owned(),
        source,
    })?;
    let meta = std::fs::metadata(&canonical).map_err(|source| crate::Error::RootUnreadable {
        path: path.to_owned(),
        source,
    })?;
    if meta.is_file() {
        // A single file is analysed only when it is Rust: `seamline analyze README.md`
        // must not parse Markdown as Rust and report an empty crate.
        if canonical.extension().is_none_or(|ext| ext != "rs") {
            return Err(crate::Error::NoRust {
                path: path.to_owned(),
            });
        }
        let dir = canonical
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| canonical.clone());
        Ok(Root {
            dir,
            file: Some(canonical),
        })
    } else {
        // Fail early on an unreadable folder.
        std::fs::read_dir(&canonical).map_err(|source| crate::Error::RootUnreadable {
            path: path.to_owned(),
            source,
        })?;
        Ok(Root {
            dir: canonical,
            file: None,
        })
    }
}

/// How discovery runs `cargo metadata`.
#[derive(Debug, Clone)]
pub(crate) struct CargoOptions {
    /// The cargo executable; `None` uses `$CARGO` or `cargo` on PATH.
    pub cargo_path: Option<PathBuf>,
}

/// Finds crates and `.rs` files under the root.
pub(crate) fn discover(root: &Root, include_tests: bool, cargo: &CargoOptions) -> Discovery {
    let mut disc = Discovery::default();
    let walk = walk_tree(root);
    disc.diagnostics.extend(walk.diagnostics);
    disc.rs_files = walk.rs_files;
    disc.real_files = walk.real_files;
    disc.listing = walk.listing;

    if let Some(file) = &root.file {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "main".to_owned());
        disc.rs_files = vec![file.clone()];
        disc.crates = vec![CrateSpec {
            name: ident_name(&stem),
            package: None,
            manifest: None,
            kind: ir::CrateKind::Guessed,
            root_file: Some(file.clone()),
            dir: root.dir.clone(),
            package_dir: root.dir.clone(),
            deps: Vec::new(),
        }];
        return disc;
    }

    let manifest = root.dir.join("Cargo.toml");
    let mut raw: Option<Vec<RawCrate>> = None;
    if manifest.is_file() {
        match cargo_crates(root, include_tests, cargo, &mut disc.test_roots) {
            Ok(crates) => raw = Some(crates),
            Err(CargoFailure::Unavailable(msg)) => disc.diagnostics.push(ir::Diagnostic::new(
                ir::DiagCode::CargoUnavailable,
                Some("Cargo.toml".to_owned()),
                0,
                0,
                format!("cannot run `cargo metadata` ({msg}); crates are guessed from the tree"),
            )),
            Err(CargoFailure::Rejected(msg, at)) => disc.diagnostics.push(ir::Diagnostic::new(
                ir::DiagCode::BrokenManifest,
                Some(
                    at.as_ref()
                        .map_or_else(|| "Cargo.toml".to_owned(), |a| a.0.clone()),
                ),
                at.as_ref().map_or(0, |a| a.1),
                at.as_ref().map_or(0, |a| a.2),
                format!("cargo rejected the manifest: {msg}; crates are guessed from the tree"),
            )),
        }
    }
    let raw = match raw {
        Some(raw) => raw,
        None => {
            let (raw, package_dirs) =
                guess_crates(root, &walk.manifests, &disc.rs_files, include_tests);
            disc.package_dirs.extend(package_dirs);
            raw
        }
    };
    for c in &raw {
        disc.package_dirs.insert(c.package_dir.clone());
    }
    disc.crates = name_crates(raw);
    disc.test_roots.sort();
    disc.test_roots.dedup();
    disc
}

/// A crate before naming.
#[derive(Debug, Clone)]
struct RawCrate {
    base_name: String,
    package: Option<String>,
    manifest: Option<String>,
    kind: ir::CrateKind,
    root_file: Option<PathBuf>,
    dir: PathBuf,
    package_dir: PathBuf,
    /// (local name, package name or `None` for "the lib of my own package"). In fallback
    /// mode the special local name `*` means "every library crate found".
    deps: Vec<(String, DepTarget)>,
}

#[derive(Debug, Clone)]
enum DepTarget {
    /// The library of the package with this name (and manifest folder, when known).
    Package(String, Option<PathBuf>),
    /// Every guessed library (fallback mode, where dependencies are not read).
    AllLibs,
}

enum CargoFailure {
    Unavailable(String),
    /// The message and, when cargo said where, (manifest relative to the root, line, col).
    Rejected(String, Option<(String, u32, u32)>),
}

/// The toolchain given to rustup for `cargo metadata`: the one we run under, or `stable`.
fn toolchain() -> String {
    std::env::var("RUSTUP_TOOLCHAIN")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "stable".to_owned())
}

fn cargo_crates(
    root: &Root,
    include_tests: bool,
    opts: &CargoOptions,
    test_roots: &mut Vec<PathBuf>,
) -> Result<Vec<RawCrate>, CargoFailure> {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.current_dir(&root.dir)
        .no_deps()
        .other_options(vec!["--offline".to_owned()])
        // A rust-toolchain.toml naming an uninstalled toolchain must not make rustup
        // download it (or fail): use ours. See DEPS.md.
        .env("RUSTUP_TOOLCHAIN", toolchain())
        .env("RUSTUP_AUTO_INSTALL", "0")
        .env("CARGO_NET_OFFLINE", "true");
    if let Some(path) = &opts.cargo_path {
        cmd.cargo_path(path);
    }
    let meta = match cmd.exec() {
        Ok(meta) => meta,
        Err(cargo_metadata::Error::Io(err)) => {
            return Err(CargoFailure::Unavailable(err.to_string()));
        }
        Err(cargo_metadata::Error::CargoMetadata { stderr }) => {
            let at = error_location(&stderr, root);
            return Err(CargoFailure::Rejected(first_error_line(&stderr), at));
        }
        Err(other) => return Err(CargoFailure::Rejected(one_line(&other.to_string()), None)),
    };
    let members: BTreeSet<&cargo_metadata::PackageId> = meta.workspace_members.iter().collect();
    let mut out = Vec::new();
    let mut packages: Vec<&cargo_metadata::Package> = meta
        .packages
        .iter()
        .filter(|p| members.contains(&p.id))
        .collect();
    packages.sort_by(|a, b| a.manifest_path.cmp(&b.manifest_path));
    for pkg in packages {
        let manifest_path = PathBuf::from(pkg.manifest_path.as_std_path());
        let Ok(manifest_canon) = std::fs::canonicalize(&manifest_path) else {
            continue;
        };
        // A member whose manifest lies outside the root (the root is inside a bigger
        // workspace) is not analysed.
        if !root.contains(&manifest_canon) {
            continue;
        }
        let package_dir = manifest_canon
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| root.dir.clone());
        let package_name = pkg.name.to_string();
        let mut pkg_deps: Vec<(String, DepTarget)> = Vec::new();
        let mut dev_deps: Vec<(String, DepTarget)> = Vec::new();
        for dep in &pkg.dependencies {
            let local = ident_name(dep.rename.as_deref().unwrap_or(&dep.name));
            // Without a rename, the local name is the dependency's lib name; we fix that up
            // when naming (a package whose lib is renamed with `[lib] name`).
            let target = DepTarget::Package(
                dep.name.clone(),
                dep.path.as_ref().map(|p| PathBuf::from(p.as_std_path())),
            );
            let entry = (
                if dep.rename.is_some() {
                    local
                } else {
                    String::new()
                },
                target,
            );
            match dep.kind {
                cargo_metadata::DependencyKind::Normal => pkg_deps.push(entry),
                cargo_metadata::DependencyKind::Development => dev_deps.push(entry),
                _ => {}
            }
        }
        let has_lib = pkg.targets.iter().any(is_lib_target);
        for target in &pkg.targets {
            let kind = if is_lib_target(target) {
                ir::CrateKind::Lib
            } else if target.is_bin() {
                ir::CrateKind::Bin
            } else if target.is_test() || target.is_bench() || target.is_example() {
                if !include_tests {
                    if let Ok(canon) = std::fs::canonicalize(target.src_path.as_std_path()) {
                        test_roots.push(canon);
                    }
                    continue;
                }
                ir::CrateKind::Test
            } else {
                continue; // build scripts: never analysed, never run
            };
            let src = PathBuf::from(target.src_path.as_std_path());
            // Canonical, to compare with the walk's canonical file paths.
            let dir = src
                .parent()
                .map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf()))
                .unwrap_or_else(|| package_dir.clone());
            let mut deps = pkg_deps.clone();
            if kind == ir::CrateKind::Test {
                deps.extend(dev_deps.iter().cloned());
            }
            if kind != ir::CrateKind::Lib && has_lib {
                deps.push((
                    String::new(),
                    DepTarget::Package(package_name.clone(), None),
                ));
            }
            out.push(RawCrate {
                base_name: ident_name(&target.name),
                package: Some(package_name.clone()),
                manifest: Some(root.rel(&manifest_canon)),
                kind,
                root_file: Some(src),
                dir,
                package_dir: package_dir.clone(),
                deps,
            });
        }
    }
    Ok(out)
}

fn is_lib_target(target: &cargo_metadata::Target) -> bool {
    target.is_lib()
        || target.is_proc_macro()
        || target.is_rlib()
        || target.is_dylib()
        || target.is_cdylib()
        || target.is_staticlib()
}

/// The first `error:` line of cargo's stderr (or its first line), without the prefix.
fn first_error_line(stderr: &str) -> String {
    let line = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("error"))
        .or_else(|| stderr.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("cargo metadata failed");
    let line = line.trim();
    let line = line.strip_prefix("error:").unwrap_or(line).trim();
    one_line(line)
}

/// The ` --> path:line:col` cargo prints under a TOML error, relative to the root.
fn error_location(stderr: &str, root: &Root) -> Option<(String, u32, u32)> {
    let line = stderr
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))?;
    let mut parts = line.trim().rsplitn(3, ':');
    let col: u32 = parts.next()?.parse().ok()?;
    let line_no: u32 = parts.next()?.parse().ok()?;
    let path = Path::new(parts.next()?);
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.dir.join(path)
    };
    let canon = std::fs::canonicalize(&abs).unwrap_or(abs);
    root.contains(&canon)
        .then(|| (root.rel(&canon), line_no, col))
}

fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_owned()
}

/// `my-crate` -> `my_crate`; anything not an identifier character becomes `_`.
pub(crate) fn ident_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// The few manifest keys the fallback needs.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ManifestText {
    pub package_name: Option<String>,
    pub lib_name: Option<String>,
    pub lib_path: Option<String>,
    /// `[[bin]]` targets: (name, path), as written.
    pub bins: Vec<(Option<String>, Option<String>)>,
    /// Dependencies: (name in code before `-` -> `_`, package, dev-only), in no meaningful
    /// order (`name_crates` sorts the resolved ones).
    pub deps: Vec<(String, String, bool)>,
}

/// How many lines the fallback drops from a manifest that is not TOML before giving up:
/// each retry parses the whole text again, so this bounds the work on a garbage file.
const MAX_DROPPED_LINES: usize = 64;

/// Parses a manifest that cargo may have rejected: where the TOML parser stops, the line it
/// stopped on is dropped and the rest parsed again, so that one bad line does not hide the
/// package name (the parser has no error recovery of its own).
fn parse_tolerant(text: &str) -> toml::Table {
    let mut text = text.to_owned();
    for _ in 0..=MAX_DROPPED_LINES {
        let err = match text.parse::<toml::Table>() {
            Ok(table) => return table,
            Err(err) => err,
        };
        let Some(at) = err.span().map(|span| span.start) else {
            break;
        };
        let Some((before, after)) = text.get(..at).zip(text.get(at..)) else {
            break;
        };
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let end = after.find('\n').map_or(text.len(), |i| at + i);
        if start == end {
            break; // an error at an empty line or the end: nothing left to drop
        }
        text.replace_range(start..end, "");
    }
    toml::Table::new()
}

/// Reads `[package] name`, `[lib] name` and `path`, `[[bin]]` names and paths, and the
/// dependency names from a manifest's text, tolerating anything else (this runs when cargo
/// rejected the manifest).
pub(crate) fn read_manifest_text(text: &str) -> ManifestText {
    let table = parse_tolerant(text);
    let string = |value: Option<&toml::Value>, key: &str| -> Option<String> {
        value?.get(key)?.as_str().map(str::to_owned)
    };
    let mut out = ManifestText {
        package_name: string(table.get("package"), "name"),
        lib_name: string(table.get("lib"), "name"),
        lib_path: string(table.get("lib"), "path"),
        ..ManifestText::default()
    };
    if let Some(bins) = table.get("bin").and_then(toml::Value::as_array) {
        out.bins = bins
            .iter()
            .map(|bin| (string(Some(bin), "name"), string(Some(bin), "path")))
            .collect();
    }
    // `[dependencies]`, `[dev-dependencies]` and their `[target.'cfg(..)'.*]` forms; build
    // dependencies and `[workspace.dependencies]` are not used by the code.
    let targets = table.get("target").and_then(toml::Value::as_table);
    let scopes = std::iter::once(&table).chain(
        targets
            .into_iter()
            .flat_map(|targets| targets.values().filter_map(toml::Value::as_table)),
    );
    for scope in scopes {
        for (key, dev) in [("dependencies", false), ("dev-dependencies", true)] {
            let Some(deps) = scope.get(key).and_then(toml::Value::as_table) else {
                continue;
            };
            for (name, spec) in deps {
                // `foo = "1"`, `foo = { package = "bar", .. }`, `foo.workspace = true`.
                let package = string(Some(spec), "package").unwrap_or_else(|| name.clone());
                out.deps.push((name.clone(), package, dev));
            }
        }
    }
    out
}

fn guess_crates(
    root: &Root,
    manifests: &[PathBuf],
    rs_files: &[PathBuf],
    include_tests: bool,
) -> (Vec<RawCrate>, BTreeSet<PathBuf>) {
    let mut out = Vec::new();
    let mut root_is_package = false;
    let mut package_dirs: BTreeSet<&Path> = BTreeSet::new();
    for manifest in manifests {
        let Some(pkg_dir) = manifest.parent() else {
            continue;
        };
        let Ok(text) = std::fs::read(manifest) else {
            continue;
        };
        let info = read_manifest_text(&String::from_utf8_lossy(&text));
        let Some(package) = info.package_name.clone() else {
            continue; // a virtual manifest
        };
        if pkg_dir == root.dir {
            root_is_package = true;
        }
        package_dirs.insert(pkg_dir);
        let manifest_rel = Some(root.rel(manifest));
        let has_lib_guess = info.lib_path.is_some() || pkg_dir.join("src/lib.rs").is_file();
        let mut push = |base: String, kind: ir::CrateKind, file: PathBuf| {
            // Dependencies as the manifest text names them (renames kept); the resolution
            // to crates of the tree happens in `name_crates`, external ones drop out.
            let mut deps: Vec<(String, DepTarget)> = info
                .deps
                .iter()
                .filter(|(_, _, dev)| !dev || kind == ir::CrateKind::Test)
                .map(|(local, package, _)| {
                    let local = if local == package {
                        String::new()
                    } else {
                        ident_name(local)
                    };
                    (local, DepTarget::Package(package.clone(), None))
                })
                .collect();
            if kind != ir::CrateKind::Lib && has_lib_guess {
                deps.push((String::new(), DepTarget::Package(package.clone(), None)));
            }
            let dir = file
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| pkg_dir.to_path_buf());
            out.push(RawCrate {
                base_name: ident_name(&base),
                package: Some(package.clone()),
                manifest: manifest_rel.clone(),
                kind,
                root_file: Some(file),
                dir,
                package_dir: pkg_dir.to_path_buf(),
                deps,
            });
        };
        let lib = match &info.lib_path {
            Some(p) => pkg_dir.join(p),
            None => pkg_dir.join("src/lib.rs"),
        };
        if lib.is_file() {
            let name = info.lib_name.clone().unwrap_or_else(|| package.clone());
            push(name, ir::CrateKind::Lib, lib.clone());
        }
        let main = pkg_dir.join("src/main.rs");
        if main.is_file() {
            push(package.clone(), ir::CrateKind::Bin, main.clone());
        }
        let mut bin_files: Vec<PathBuf> = vec![main];
        for (stem, file) in target_files(&pkg_dir.join("src/bin")) {
            bin_files.push(file.clone());
            push(stem, ir::CrateKind::Bin, file);
        }
        // `[[bin]]` targets with a `path` elsewhere (a target without one is one of the
        // conventional files above).
        for (name, path) in &info.bins {
            let Some(path) = path else { continue };
            let file = pkg_dir.join(path);
            if !file.is_file() || bin_files.contains(&file) || file == lib {
                continue;
            }
            bin_files.push(file.clone());
            let name = name.clone().unwrap_or_else(|| {
                file.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| package.clone())
            });
            push(name, ir::CrateKind::Bin, file);
        }
        if include_tests {
            for sub in ["tests", "benches", "examples"] {
                for (stem, file) in target_files(&pkg_dir.join(sub)) {
                    push(stem, ir::CrateKind::Test, file);
                }
            }
        }
    }
    // Files that no package holds belong to the root folder's crate.
    let loose_files = rs_files
        .iter()
        .any(|f| !f.ancestors().skip(1).any(|a| package_dirs.contains(a)));
    if !root_is_package && loose_files {
        // The root folder itself is a crate named after the folder, rooted at the first of
        // the usual root files if any (otherwise every file is a top-level module).
        let name = root
            .dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "root".to_owned());
        let root_file = ["src/lib.rs", "src/main.rs", "lib.rs", "main.rs"]
            .iter()
            .map(|p| root.dir.join(p))
            .find(|p| p.is_file());
        let dir = match &root_file {
            Some(f) if f.parent() == Some(root.dir.join("src").as_path()) => root.dir.join("src"),
            _ => root.dir.clone(),
        };
        out.push(RawCrate {
            base_name: ident_name(&name),
            package: None,
            manifest: None,
            kind: ir::CrateKind::Guessed,
            root_file,
            dir,
            package_dir: root.dir.clone(),
            deps: vec![(String::new(), DepTarget::AllLibs)],
        });
    }
    let package_dirs = package_dirs.into_iter().map(Path::to_path_buf).collect();
    (out, package_dirs)
}

/// `dir/*.rs` and `dir/*/main.rs`, as (target name, file), sorted.
fn target_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_file() {
            if let Some(stem) = name.strip_suffix(".rs") {
                out.push((stem.to_owned(), path));
            }
        } else if path.join("main.rs").is_file() {
            out.push((name, path.join("main.rs")));
        }
    }
    out.sort();
    out
}

fn kind_rank(kind: ir::CrateKind) -> u8 {
    match kind {
        ir::CrateKind::Lib => 0,
        ir::CrateKind::Bin => 1,
        ir::CrateKind::Test => 2,
        ir::CrateKind::Guessed => 3,
    }
}

/// Gives unique names, sorts by name, and resolves dependencies to indices.
fn name_crates(mut raw: Vec<RawCrate>) -> Vec<CrateSpec> {
    raw.sort_by(|a, b| {
        (&a.base_name, kind_rank(a.kind), &a.manifest, &a.root_file).cmp(&(
            &b.base_name,
            kind_rank(b.kind),
            &b.manifest,
            &b.root_file,
        ))
    });
    let mut names: Vec<Option<String>> = vec![None; raw.len()];
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (i, c) in raw.iter().enumerate() {
        if taken.insert(c.base_name.clone()) {
            names[i] = Some(c.base_name.clone());
        }
    }
    for (i, c) in raw.iter().enumerate() {
        if names[i].is_some() {
            continue;
        }
        let mut candidate = match c.kind {
            ir::CrateKind::Bin => format!("{}_bin", c.base_name),
            ir::CrateKind::Test => format!("{}_test", c.base_name),
            _ => c.base_name.clone(),
        };
        if taken.contains(&candidate) {
            let stem = candidate.clone();
            let mut n = 2;
            while taken.contains(&candidate) {
                candidate = format!("{stem}_{n}");
                n += 1;
            }
        }
        taken.insert(candidate.clone());
        names[i] = Some(candidate);
    }
    let mut specs: Vec<(String, RawCrate)> = names
        .into_iter()
        .map(|n| n.unwrap_or_default())
        .zip(raw)
        .collect();
    specs.sort_by(|a, b| a.0.cmp(&b.0));

    // Libraries by package name (and manifest folder) for dependency lookup.
    let mut libs: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (_, c)) in specs.iter().enumerate() {
        if let (ir::CrateKind::Lib, Some(p)) = (c.kind, &c.package) {
            libs.entry(p.clone()).or_default().push(i);
        }
    }
    let all_libs: Vec<usize> = libs.values().flatten().copied().collect();
    let mut out = Vec::with_capacity(specs.len());
    for (i, (name, c)) in specs.iter().enumerate() {
        let mut deps: Vec<(String, usize)> = Vec::new();
        for (local, target) in &c.deps {
            match target {
                DepTarget::Package(pkg, path) => {
                    let Some(cands) = libs.get(pkg) else {
                        continue; // an external dependency
                    };
                    let found = cands.iter().copied().find(|&j| match path {
                        Some(p) => std::fs::canonicalize(p)
                            .map(|p| p == specs[j].1.package_dir)
                            .unwrap_or(false),
                        None => true,
                    });
                    let Some(j) = found else { continue };
                    if j == i {
                        continue;
                    }
                    let local = if local.is_empty() {
                        specs[j].1.base_name.clone()
                    } else {
                        local.clone()
                    };
                    deps.push((local, j));
                }
                DepTarget::AllLibs => {
                    for &j in &all_libs {
                        if j != i {
                            deps.push((specs[j].1.base_name.clone(), j));
                        }
                    }
                }
            }
        }
        deps.sort();
        deps.dedup();
        out.push(CrateSpec {
            name: name.clone(),
            package: c.package.clone(),
            manifest: c.manifest.clone(),
            kind: c.kind,
            root_file: c.root_file.clone(),
            dir: c.dir.clone(),
            package_dir: c.package_dir.clone(),
            deps,
        });
    }
    out
}

/// The folders a walk listed completely without passing a symbolic link, and those of
/// their entries a module path can meet: every folder, symbolic link and `.rs` entry,
/// every entry without a `.` in its name, and every entry the walk skipped or failed on.
/// The module tree probes `x.rs` before `x/mod.rs` for every `mod x;`: this answers
/// "certainly missing" for most of the misses without a `canonicalize` (one system call
/// per path component).
#[derive(Debug, Default)]
pub(crate) struct Listing {
    dirs: HashSet<PathBuf>,
    entries: HashSet<PathBuf>,
}

impl Listing {
    /// Whether nothing is at `path` (absolute, without `.` or `..`): below the nearest
    /// listed folder, the next component names no entry. `false` means "ask the file
    /// system". Only for paths ending in `.rs` whose folders below that point have no `.`
    /// in their names (the entries not recorded), and never on file systems that may
    /// ignore case.
    pub(crate) fn surely_missing(&self, path: &Path) -> bool {
        if cfg!(any(target_os = "macos", target_os = "windows")) || self.dirs.is_empty() {
            return false;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            return false;
        }
        let mut below = path;
        for dir in path.ancestors().skip(1) {
            if self.dirs.contains(dir) {
                return !self.entries.contains(below);
            }
            if dir
                .file_name()
                .is_none_or(|n| n.as_encoded_bytes().contains(&b'.'))
            {
                return false;
            }
            below = dir;
        }
        false
    }
}

/// What a walk of the root found.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    /// `.rs` files, canonical, sorted, deduplicated.
    pub rs_files: Vec<PathBuf>,
    /// See [`Discovery::real_files`].
    pub real_files: HashSet<PathBuf>,
    /// See [`Discovery::listing`].
    pub listing: Listing,
    /// `Cargo.toml` files, canonical, sorted.
    pub manifests: Vec<PathBuf>,
    /// Loops, links leading outside, unreadable folders.
    pub diagnostics: Vec<ir::Diagnostic>,
}

/// Whether a folder is a build output folder: `target` next to a `Cargo.toml`, or any
/// folder holding a `CACHEDIR.TAG`. Source modules named `target` are kept.
pub(crate) fn is_build_dir(dir: &Path) -> bool {
    if dir.join("CACHEDIR.TAG").is_file() {
        return true;
    }
    dir.file_name().is_some_and(|n| n == "target")
        && dir.parent().is_some_and(|p| p.join("Cargo.toml").is_file())
}

/// Walks the root (following links that stay inside it), skipping hidden folders and build
/// folders.
pub(crate) fn walk_tree(root: &Root) -> Walk {
    let mut out = Walk::default();
    if root.file.is_some() {
        return out;
    }
    let mut outside: Vec<ir::Diagnostic> = Vec::new();
    // Entries the walk does not yield (hidden, build folders, links leading out): they
    // exist all the same, see [`Listing`].
    let mut skipped: Vec<PathBuf> = Vec::new();
    let walker = walkdir::WalkDir::new(&root.dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            if name.starts_with('.') {
                skipped.push(entry.path().to_path_buf());
                return false;
            }
            if entry.path_is_symlink() {
                match std::fs::canonicalize(entry.path()) {
                    Ok(target) if !root.contains(&target) => {
                        outside.push(ir::Diagnostic::new(
                            ir::DiagCode::PathOutsideRoot,
                            Some(root.rel(entry.path())),
                            0,
                            0,
                            format!(
                                "symlink `{}` leads outside the root; not followed",
                                root.rel(entry.path())
                            ),
                        ));
                        skipped.push(entry.path().to_path_buf());
                        return false;
                    }
                    _ => {}
                }
            }
            if entry.file_type().is_dir() && is_build_dir(entry.path()) {
                skipped.push(entry.path().to_path_buf());
                return false;
            }
            true
        });
    let mut rs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut manifests: BTreeSet<PathBuf> = BTreeSet::new();
    // Folders reached without a symbolic link (the walk visits a folder before its content).
    let mut real_dirs: HashSet<PathBuf> = HashSet::default();
    let mut unlisted: Vec<PathBuf> = Vec::new();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let real = !entry.path_is_symlink()
                    && (entry.depth() == 0
                        || entry.path().parent().is_some_and(|p| real_dirs.contains(p)));
                if entry.file_type().is_dir() && real {
                    real_dirs.insert(entry.path().to_path_buf());
                }
                let name = entry.file_name().as_encoded_bytes();
                if entry.file_type().is_dir()
                    || entry.path_is_symlink()
                    || name.ends_with(b".rs")
                    || !name.contains(&b'.')
                {
                    out.listing.entries.insert(entry.path().to_path_buf());
                }
                if !entry.file_type().is_file() {
                    continue;
                }
                let name = entry.file_name();
                let is_rs = Path::new(name).extension().is_some_and(|e| e == "rs");
                let is_manifest = name == "Cargo.toml";
                if !is_rs && !is_manifest {
                    continue;
                }
                let path = if entry.path_is_symlink() {
                    match std::fs::canonicalize(entry.path()) {
                        Ok(p) => p,
                        Err(_) => continue,
                    }
                } else {
                    entry.path().to_path_buf()
                };
                if is_rs {
                    if real {
                        out.real_files.insert(path.clone());
                    }
                    rs.insert(path);
                } else {
                    manifests.insert(path);
                }
            }
            Err(err) => {
                if let Some(p) = err.path() {
                    // Something is there; a folder that failed is not completely listed.
                    out.listing.entries.insert(p.to_path_buf());
                    unlisted.push(p.to_path_buf());
                }
                let path = err.path().map(|p| root.rel(p)).unwrap_or_default();
                let looped =
                    err.loop_ancestor().is_some() || err.io_error().is_some_and(is_loop_error);
                if looped {
                    out.diagnostics.push(ir::Diagnostic::new(
                        ir::DiagCode::SymlinkLoop,
                        Some(path.clone()),
                        0,
                        0,
                        format!("symlink loop at `{path}`; not followed"),
                    ));
                } else if err
                    .io_error()
                    .is_some_and(|e| e.kind() == io::ErrorKind::NotFound)
                {
                    // A dangling symlink: nothing to analyse.
                } else {
                    out.diagnostics.push(ir::Diagnostic::new(
                        ir::DiagCode::IoError,
                        Some(path.clone()),
                        0,
                        0,
                        format!("cannot read `{path}`: {}", one_line(&err.to_string())),
                    ));
                }
            }
        }
    }
    out.diagnostics.extend(outside);
    out.listing.entries.extend(skipped);
    for dir in &unlisted {
        real_dirs.remove(dir);
    }
    out.listing.dirs = real_dirs;
    out.rs_files = rs.into_iter().collect();
    out.manifests = manifests.into_iter().collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_text_reads_package_and_lib_names() {
        let text = "[package]\nname = \"my-pkg\" # c\nversion = \"1\"\n[lib]\nname = \"mine\"\npath = \"lib.rs\"\n[dependencies]\nname = \"x\"\n";
        assert_eq!(
            read_manifest_text(text),
            ManifestText {
                package_name: Some("my-pkg".to_owned()),
                lib_name: Some("mine".to_owned()),
                lib_path: Some("lib.rs".to_owned()),
                bins: Vec::new(),
                deps: vec![("name".to_owned(), "name".to_owned(), false)],
            }
        );
    }

    #[test]
    fn manifest_text_reads_dependencies_and_renames() {
        let text = r#"
[package]
name = "app"
[dependencies]
serde = "1"
types = { package = "core-types", path = "../core_types" }
billing.workspace = true
[target.'cfg(unix)'.dependencies]
nix = "0.1"
[dev-dependencies]
helper = { path = "../helper" }
[build-dependencies]
cc = "1"
[dependencies.renamed]
package = "real-name"
path = "../real"
[workspace.dependencies]
ignored = "1"
"#;
        let mut deps = read_manifest_text(text).deps;
        deps.sort();
        let mut want: Vec<(String, String, bool)> = [
            ("serde", "serde", false),
            ("types", "core-types", false),
            ("billing", "billing", false),
            ("nix", "nix", false),
            ("helper", "helper", true),
            ("renamed", "real-name", false),
        ]
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
        .collect();
        want.sort();
        assert_eq!(deps, want);
    }

    #[test]
    fn manifest_lines_that_are_not_toml_are_dropped_and_the_rest_read() {
        let text = "[package]\nname = \"kept\"\nthis line is not toml\n[[bin]]\nname = \"tool\"\npath = \"cli/tool.rs\"\n[[bin]]\npath = = broken\nname = \"other\"\n[dependencies]\nx = { path = \"../x\" }\n";
        let got = read_manifest_text(text);
        assert_eq!(got.package_name.as_deref(), Some("kept"));
        assert_eq!(
            got.bins,
            [
                (Some("tool".to_owned()), Some("cli/tool.rs".to_owned())),
                (Some("other".to_owned()), None),
            ]
        );
        assert_eq!(got.deps, [("x".to_owned(), "x".to_owned(), false)]);
        // Garbage with no TOML in it at all gives nothing, and terminates.
        let garbage = "= = =\n".repeat(10_000);
        assert_eq!(read_manifest_text(&garbage), ManifestText::default());
    }

    #[test]
    fn crate_names_become_identifiers() {
        assert_eq!(ident_name("my-crate"), "my_crate");
        assert_eq!(ident_name("a.b"), "a_b");
    }

    fn raw(name: &str, kind: ir::CrateKind, manifest: &str) -> RawCrate {
        RawCrate {
            base_name: name.to_owned(),
            package: Some(name.to_owned()),
            manifest: Some(manifest.to_owned()),
            kind,
            root_file: None,
            dir: PathBuf::from("/r"),
            package_dir: PathBuf::from("/r"),
            deps: Vec::new(),
        }
    }

    #[test]
    fn clashing_crate_names_are_disambiguated_by_kind_then_number() {
        let crates = name_crates(vec![
            raw("app", ir::CrateKind::Bin, "a/Cargo.toml"),
            raw("app", ir::CrateKind::Lib, "a/Cargo.toml"),
            raw("app", ir::CrateKind::Bin, "b/Cargo.toml"),
            raw("app_bin", ir::CrateKind::Lib, "c/Cargo.toml"),
        ]);
        let names: Vec<(&str, ir::CrateKind, &str)> = crates
            .iter()
            .map(|c| (c.name.as_str(), c.kind, c.manifest.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            names,
            vec![
                ("app", ir::CrateKind::Lib, "a/Cargo.toml"),
                ("app_bin", ir::CrateKind::Lib, "c/Cargo.toml"),
                ("app_bin_2", ir::CrateKind::Bin, "a/Cargo.toml"),
                ("app_bin_3", ir::CrateKind::Bin, "b/Cargo.toml"),
            ]
        );
    }
    #[test]
    fn the_listing_says_missing_only_where_the_walk_saw_every_entry() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let write = |rel: &str| {
            let path = tmp.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, "").expect("write");
        };
        write("Cargo.toml");
        write("src/a.rs");
        write("src/dir/b.rs");
        write("src/.hidden.rs");
        write("src/blocker");
        write("src/notes.txt");
        write("src/a.b/c.rs");
        write("target/debug/x.rs");
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path().join("src/a.rs"), tmp.path().join("src/link.rs"))
            .expect("symlink");
        let root = open_root(tmp.path()).expect("root");
        let walk = walk_tree(&root);
        let missing = |rel: &str| walk.listing.surely_missing(&root.dir.join(rel));
        if cfg!(any(target_os = "macos", target_os = "windows")) {
            assert!(
                !missing("src/none.rs"),
                "case-insensitive file systems are asked"
            );
            return;
        }
        // Nothing there: no system call needed.
        assert!(missing("src/none.rs"));
        assert!(missing("src/dir/none.rs"));
        assert!(missing("src/nodir/none.rs"));
        assert!(missing("src/nodir/deeper/mod.rs"));
        // Something there, or not sure: the file system decides.
        assert!(!missing("src/a.rs"));
        assert!(!missing("src/dir/b.rs"));
        assert!(
            !missing("src/.hidden.rs"),
            "hidden entries are skipped, not absent"
        );
        assert!(
            !missing("src/blocker/x.rs"),
            "a file where a folder is expected"
        );
        assert!(!missing("src/notes.txt"), "only .rs paths are answered");
        assert!(missing("src/a.b/none.rs"));
        assert!(
            !missing("src/notes.txt/c.rs"),
            "names with a dot are not all recorded"
        );
        assert!(
            !missing("target/debug/x.rs"),
            "the build folder is skipped, not absent"
        );
        #[cfg(unix)]
        assert!(!missing("src/link.rs"));
    }
    #[test]
    fn plain_paths_are_compared_as_bytes_with_the_same_answers_as_components() {
        let root = Root {
            dir: PathBuf::from("/r/pkg"),
            file: None,
        };
        for (path, plain, contained, rel) in [
            ("/r/pkg/src/a.rs", true, true, "src/a.rs"),
            ("/r/pkg", true, true, ""),
            ("/r/pkg2/a.rs", true, false, "../pkg2/a.rs"),
            ("/r/pk", true, false, "../pk"),
            ("/r/pkg/./src/a.rs", false, true, "src/a.rs"),
            ("/r/pkg//src/a.rs", false, true, "src/a.rs"),
            ("/r/pkg/src/../b.rs", false, true, "b.rs"),
            ("/r/pkg/src/", false, true, "src"),
            ("relative/a.rs", false, false, "../../../relative/a.rs"),
        ] {
            let p = Path::new(path);
            assert_eq!(plain_bytes(p).is_some(), plain && cfg!(unix), "{path}");
            assert_eq!(root.contains(&normalize(p)), contained, "{path}");
            assert_eq!(root.rel(p), rel, "{path}");
        }
        let slash = Root {
            dir: PathBuf::from("/"),
            file: None,
        };
        assert!(slash.contains(Path::new("/a/b.rs")));
        assert_eq!(slash.rel(Path::new("/a/b.rs")), "a/b.rs");
    }
}
