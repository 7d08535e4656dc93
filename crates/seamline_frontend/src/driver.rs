//! The driver: walks every crate's module tree in parallel waves and assembles the facts.
//!
//! First, every `.rs` file in the crates' folders is read, parsed and lowered in one
//! parallel pass (on a rayon pool with big stacks; each syntax tree is dropped right after
//! lowering): all of them are analysed in the end, reached or orphan. Then the tree is built
//! in waves: wave 0 holds the crate roots; each wave parses the few files not loaded yet
//! (brought in by `#[path]` from elsewhere) in parallel, then, sequentially and in a fixed
//! order, creates the modules and follows their `mod x;` declarations into the next wave. The order of waves and of jobs inside a wave
//! depends only on the input, so the result is the same whatever the thread count.
//!
//! When no crate reaches anything new, unreached `.rs` files in the crates' folders become
//! orphans: the shallowest ones are analysed as roots named `crate::<orphan>::a::b` (after
//! their path relative to the crate's folder, `mod.rs` naming its folder), their children
//! follow, and the next shallowest unreached files after that, until none is left. A guessed
//! crate without a root file has no orphans: its files are its top-level modules
//! (`crate::a::b`).
//!
//! Test code, unless tests are included: `#[cfg(test)] mod tests;` files, their
//! children, and the root files of left-out test targets that sit in a crate's folder are
//! walked as test jobs, which read the file and follow its declarations but create no
//! module, so their lines count and they are not orphans. The up-front pass lowers each file
//! that calls a `macro_rules!` macro of another file with that definition at hand
//! ([`Run::load_preload`]).
//!
//! A file reached by several crates (a `src/lib.rs` and a `src/main.rs` that both declare
//! `mod util;`) is parsed once and backs one module in each crate, as rustc compiles it
//! twice. Module paths are unique: a clash (two `cfg` branches declaring the same name)
//! gets `#2`, `#3`, ... appended, in discovery order.

use crate::discover::{self, CargoOptions, CrateSpec, Discovery, Root};
use crate::hash::{HashMap, HashSet};
use crate::lower::{OtherMacro, called_macros};
use crate::modtree::ModDir;
use crate::read::{self, LineStats, ReadProblem};
use crate::syntax::{FileSyntax, ModSyntax};
use crate::{Error, Options, ParseStats, Progress, ir};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Stack size of parsing threads: deep nesting recurses in syn (see [`read::MAX_NESTING`]).
const STACK_SIZE: usize = 256 << 20;

pub(crate) fn analyze(options: &Options) -> Result<ir::Facts, Error> {
    analyze_with(options, &CargoOptions { cargo_path: None })
}

/// [`analyze`] with a chosen cargo executable (tests use a missing one).
pub(crate) fn analyze_with(options: &Options, cargo: &CargoOptions) -> Result<ir::Facts, Error> {
    let root = discover::open_root(&options.root)?;
    let disc = discover::discover(&root, options.include_tests, cargo);
    if disc.rs_files.is_empty()
        && !disc
            .crates
            .iter()
            .any(|c| c.root_file.as_ref().is_some_and(|f| f.is_file()))
    {
        return Err(Error::NoRust {
            path: options.root.clone(),
        });
    }
    let pool = build_pool(options.threads);
    let mut run = Run::new(options, &root, &disc);
    pool.install(|| run.walk_all());
    // Name resolution runs in parallel too, on the same pool.
    Ok(pool.install(|| run.assemble()))
}

pub(crate) fn parse_only(options: &Options) -> Result<ParseStats, Error> {
    let root = discover::open_root(&options.root)?;
    let disc = discover::discover(
        &root,
        options.include_tests,
        &CargoOptions { cargo_path: None },
    );
    let mut files: Vec<PathBuf> = disc
        .rs_files
        .iter()
        .zip(owners(&disc))
        .filter(|(_, owner)| owner.is_some())
        .map(|(f, _)| f.clone())
        .collect();
    files.extend(
        disc.crates
            .iter()
            .filter_map(|c| c.root_file.as_ref())
            .filter_map(|f| std::fs::canonicalize(f).ok())
            .filter(|f| root.contains(f)),
    );
    files.sort();
    files.dedup();
    if files.is_empty() {
        return Err(Error::NoRust {
            path: options.root.clone(),
        });
    }
    let pool = build_pool(options.threads);
    let max = options.max_file_size;
    let per_file: Vec<(u64, u64, bool)> = pool.install(|| {
        files
            .par_iter()
            .map(|path| match read::read_text(path, max) {
                (bytes, Ok(text)) => {
                    let lines = text.lines().count() as u64;
                    let ok = read::parse(&text).is_ok();
                    (bytes, lines, ok)
                }
                (bytes, Err(problem)) => (bytes, u64::from(problem.lines), false),
            })
            .collect()
    });
    let mut stats = ParseStats {
        files: per_file.len(),
        ..ParseStats::default()
    };
    for (bytes, lines, ok) in per_file {
        stats.bytes += bytes;
        stats.lines += lines;
        stats.parsed += usize::from(ok);
    }
    Ok(stats)
}

fn build_pool(threads: usize) -> rayon::ThreadPool {
    let build = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("seamline-parse-{i}"))
            .build()
    };
    match build(threads) {
        Ok(pool) => pool,
        // Fewer threads is the only thing we can try; one thread is always possible unless
        // the process cannot create threads at all, which we cannot work around.
        Err(_) => build(1).unwrap_or_else(|err| panic!("cannot start a parsing thread: {err}")),
    }
}

/// The crate (index) whose folder holds an unreached file: the deepest crate folder inside
/// the file's innermost package (libraries first on ties).
fn owner_crate(disc: &Discovery, file: &Path) -> Option<usize> {
    let package = file
        .ancestors()
        .skip(1)
        .find(|a| disc.package_dirs.contains(*a));
    let mut best: Option<(usize, u8, usize)> = None;
    for (i, c) in disc.crates.iter().enumerate() {
        let same_package = match package {
            Some(p) => c.package_dir == p,
            None => false,
        };
        if !same_package || !file.starts_with(&c.dir) {
            continue;
        }
        let depth = c.dir.components().count();
        let rank = match c.kind {
            ir::CrateKind::Lib => 0,
            ir::CrateKind::Bin => 1,
            ir::CrateKind::Test => 2,
            ir::CrateKind::Guessed => 3,
        };
        let better = match best {
            None => true,
            Some((bd, br, _)) => depth > bd || (depth == bd && rank < br),
        };
        if better {
            best = Some((depth, rank, i));
        }
    }
    best.map(|(_, _, i)| i)
}

/// [`owner_crate`] of every file of the walk (in `rs_files` order), asked once per folder:
/// files of one folder have one owner.
fn owners(disc: &Discovery) -> Vec<Option<usize>> {
    let mut by_dir: HashMap<&Path, Option<usize>> = HashMap::default();
    disc.rs_files
        .iter()
        .map(|f| match f.parent() {
            Some(dir) => *by_dir.entry(dir).or_insert_with(|| owner_crate(disc, f)),
            None => owner_crate(disc, f),
        })
        .collect()
}

/// One file: read once, parsed once, whatever the number of modules it backs.
struct FileRec {
    rel: String,
    bytes: u64,
    stats: LineStats,
    syntax: Option<FileSyntax>,
    problem: Option<ReadProblem>,
    krate: Option<usize>,
    module: Option<usize>,
    orphan: bool,
    /// Reached only as test code (`#[cfg(test)] mod tests;`, without `--include-tests`):
    /// read and counted, backing no module, not an orphan.
    test: bool,
}

/// One module, before ids.
struct ModRec {
    path: String,
    krate: usize,
    file: usize,
    parent: Option<usize>,
    inline: bool,
    span: ir::LineSpan,
    /// Index of the body in the file's `FileSyntax::modules`.
    body_index: usize,
    /// Inline children, for code-line accounting.
    inline_children: Vec<usize>,
}

/// Something to put into the tree: a file backing a module.
struct Job {
    krate: usize,
    file: PathBuf,
    dir: ModDir,
    path: String,
    parent: Option<usize>,
    orphan: bool,
    /// Test code: the file is read but backs no module (see [`FileRec::test`]).
    test: bool,
}

/// A module index standing for a test module, which has no module record.
const TEST_MODULE: usize = usize::MAX;

struct Run<'a> {
    options: &'a Options,
    root: &'a Root,
    disc: &'a Discovery,
    /// [`owners`] of the walk's files.
    owners: Vec<Option<usize>>,
    /// The record of each of the walk's files (index into `files`), once read: the
    /// orphan rounds look at every file, without hashing its path each time.
    rs_records: Vec<Option<usize>>,
    files: Vec<FileRec>,
    file_index: HashMap<PathBuf, usize>,
    modules: Vec<ModRec>,
    /// Files already in each crate's tree, with the (parent module, name) that declared
    /// them (`None` for roots and orphans).
    claimed: HashMap<(usize, PathBuf), Option<(usize, String)>>,
    taken_paths: HashSet<String>,
    crate_root_module: Vec<Option<usize>>,
    diagnostics: Vec<ir::Diagnostic>,
    done: AtomicUsize,
    total: usize,
    /// `#[macro_export]` definitions of the files read up front, by name (the first file
    /// in path order wins), for the files read later.
    macros: HashMap<String, OtherMacro>,
}

enum Probe {
    Found(PathBuf),
    Missing,
    Outside(PathBuf),
    Loop,
    Failed(String),
}

impl<'a> Run<'a> {
    fn new(options: &'a Options, root: &'a Root, disc: &'a Discovery) -> Self {
        Run {
            options,
            root,
            disc,
            owners: owners(disc),
            rs_records: Vec::new(),
            files: Vec::new(),
            file_index: HashMap::default(),
            modules: Vec::new(),
            claimed: HashMap::default(),
            taken_paths: HashSet::default(),
            crate_root_module: vec![None; disc.crates.len()],
            diagnostics: disc.diagnostics.clone(),
            done: AtomicUsize::new(0),
            total: 0,
            macros: HashMap::default(),
        }
    }

    fn probe(&self, path: &Path) -> Probe {
        // A path that leaves the root lexically is not even looked at.
        let lexical = discover::normalize(path);
        if !self.root.contains(&lexical) {
            return Probe::Outside(lexical);
        }
        let plain = discover::plain_bytes(path).is_some()
            || path.components().all(|c| {
                !matches!(
                    c,
                    std::path::Component::ParentDir | std::path::Component::CurDir
                )
            });
        if plain && self.disc.real_files.contains(path) {
            // Met by the walk through real folders only, and written without `..` (which
            // would step back out of a symbolic link differently): already canonical.
            return Probe::Found(lexical);
        }
        if plain && self.disc.listing.surely_missing(path) {
            return Probe::Missing;
        }
        match std::fs::canonicalize(path) {
            Ok(canon) => {
                if !self.root.contains(&canon) {
                    Probe::Outside(canon)
                } else if canon.is_file() {
                    Probe::Found(canon)
                } else {
                    Probe::Missing
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Probe::Missing,
            Err(err) if discover::is_loop_error(&err) => Probe::Loop,
            Err(err) => Probe::Failed(err.to_string()),
        }
    }

    fn unique_path(&mut self, base: String) -> String {
        if self.taken_paths.insert(base.clone()) {
            return base;
        }
        let mut n = 2;
        loop {
            let candidate = format!("{base}#{n}");
            if self.taken_paths.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }

    fn diag(&mut self, code: ir::DiagCode, file: Option<String>, line: u32, col: u32, msg: String) {
        self.diagnostics
            .push(ir::Diagnostic::new(code, file, line, col, msg));
    }

    /// Reports a probe that found no file. `at` is (file, line, col) of the declaration.
    fn report_probe(
        &mut self,
        probe: &Probe,
        tried: &[PathBuf],
        what: &str,
        at: (Option<String>, u32, u32),
    ) {
        let (file, line, col) = at;
        let shown: Vec<String> = tried
            .iter()
            .map(|p| format!("`{}`", self.root.rel(p)))
            .collect();
        match probe {
            Probe::Found(_) => {}
            Probe::Missing => self.diag(
                ir::DiagCode::MissingModuleFile,
                file,
                line,
                col,
                format!("file not found for {what}: tried {}", shown.join(" and ")),
            ),
            Probe::Outside(target) => {
                let msg = format!(
                    "{what} leads to `{}`, outside the root; not read",
                    self.root.rel(target)
                );
                self.diag(ir::DiagCode::PathOutsideRoot, file, line, col, msg)
            }
            Probe::Loop => self.diag(
                ir::DiagCode::SymlinkLoop,
                file,
                line,
                col,
                format!(
                    "symlink loop at {} for {what}; not read",
                    shown.join(" and ")
                ),
            ),
            Probe::Failed(err) => self.diag(
                ir::DiagCode::IoError,
                file,
                line,
                col,
                format!("cannot read {} for {what}: {err}", shown.join(" and ")),
            ),
        }
    }

    /// Walks all crates' trees, then the orphans.
    fn walk_all(&mut self) {
        // Every file in a crate's folder is analysed, reached or orphan, so all of them are
        // read and parsed up front in one parallel pass; the waves below then only parse
        // the few files that `#[path]` brings in from elsewhere.
        let mut preload: Vec<PathBuf> = self
            .disc
            .rs_files
            .iter()
            .zip(&self.owners)
            .filter(|(_, owner)| owner.is_some())
            .map(|(f, _)| f.clone())
            .collect();
        preload.extend(
            self.disc
                .crates
                .iter()
                .filter_map(|c| c.root_file.as_ref())
                .filter_map(|f| match self.probe(f) {
                    Probe::Found(canon) => Some(canon),
                    _ => None,
                }),
        );
        preload.sort();
        preload.dedup();
        self.load_preload(&preload);
        self.export_macros(&preload);
        self.rs_records = (self.disc.rs_files.iter())
            .map(|f| self.file_index.get(f).copied())
            .collect();
        let mut jobs = Vec::new();
        for (idx, spec) in self.disc.crates.iter().enumerate() {
            let Some(root_file) = &spec.root_file else {
                continue;
            };
            let probe = self.probe(root_file);
            match probe {
                Probe::Found(canon) => {
                    self.claimed.insert((idx, canon.clone()), None);
                    let path = self.unique_path(spec.name.clone());
                    jobs.push(Job {
                        krate: idx,
                        file: canon,
                        dir: ModDir::mod_rs(root_file),
                        path,
                        parent: None,
                        orphan: false,
                        test: false,
                    });
                }
                other => {
                    let what = format!("the root of crate `{}`", spec.name);
                    self.report_probe(
                        &other,
                        std::slice::from_ref(root_file),
                        &what,
                        (spec.manifest.clone(), 0, 0),
                    );
                }
            }
        }
        // Left-out test targets whose files sit in a crate's folder: test code of that
        // crate (read, not modelled), rather than orphans.
        for file in &self.disc.test_roots {
            let Ok(at) = self.disc.rs_files.binary_search(file) else {
                continue;
            };
            if let Some(krate) = self.owners[at]
                && !self.claimed.contains_key(&(krate, file.clone()))
            {
                self.claimed.insert((krate, file.clone()), None);
                jobs.push(Job {
                    krate,
                    file: file.clone(),
                    dir: ModDir::mod_rs(file),
                    path: String::new(),
                    parent: None,
                    orphan: false,
                    test: true,
                });
            }
        }
        loop {
            while !jobs.is_empty() {
                jobs = self.run_wave(jobs);
            }
            jobs = self.orphan_jobs();
            if jobs.is_empty() {
                break;
            }
        }
    }

    /// The `#[macro_export]` definitions, for the files brought in later by `#[path]`: the
    /// first one of each name in path order.
    fn export_macros(&mut self, preload: &[PathBuf]) {
        let owner_of = |path: &PathBuf| owner_of(self.disc, &self.owners, path);
        let mut defs: Defs<'_> = HashMap::default();
        for path in preload {
            let Some(&f) = self.file_index.get(path) else {
                continue;
            };
            if let Some(syntax) = &self.files[f].syntax {
                add_macro_defs(&mut defs, owner_of(path), syntax);
            }
        }
        let mut exported: HashMap<String, OtherMacro> = HashMap::default();
        for (name, found) in &defs {
            if let Some(&(owner, _, rules)) = found.iter().find(|d| d.1) {
                let krate = owner.map(|o| self.disc.crates[o].name.clone());
                let rules = rules.to_owned();
                exported.insert((*name).to_owned(), OtherMacro { krate, rules });
            }
        }
        self.macros = exported;
    }

    /// The shallowest unreached files, as orphan roots.
    fn orphan_jobs(&mut self) -> Vec<Job> {
        let mut candidates: Vec<(usize, &PathBuf, usize)> = Vec::new();
        let walked = self.disc.rs_files.iter().zip(&self.owners);
        for ((file, &owner), &record) in walked.zip(&self.rs_records) {
            let Some(krate) = owner else {
                continue;
            };
            // Every file with an owner was read up front (`walk_all`).
            if record.is_some_and(|f| self.files[f].module.is_some() || self.files[f].test) {
                continue;
            }
            // `x/mod.rs` is as deep as `x.rs`: it goes before its own children.
            let is_mod_rs = file.file_name().is_some_and(|n| n == "mod.rs");
            let depth = file.components().count() - usize::from(is_mod_rs);
            candidates.push((depth, file, krate));
        }
        let Some(min_depth) = candidates.iter().map(|c| c.0).min() else {
            return Vec::new();
        };
        let chosen: Vec<(PathBuf, usize)> = candidates
            .into_iter()
            .filter(|c| c.0 == min_depth)
            .map(|(_, f, k)| (f.clone(), k))
            .collect();
        let mut jobs = Vec::new();
        for (file, krate) in chosen {
            let spec: &CrateSpec = &self.disc.crates[krate];
            let rootless = spec.root_file.is_none();
            let rel = file.strip_prefix(&spec.dir).unwrap_or(&file);
            let mut segments: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if let Some(last) = segments.pop() {
                let stem = last.strip_suffix(".rs").unwrap_or(&last).to_owned();
                if stem != "mod" || segments.is_empty() {
                    segments.push(stem);
                }
            }
            let base = if rootless {
                format!("{}::{}", spec.name, segments.join("::"))
            } else {
                format!("{}::<orphan>::{}", spec.name, segments.join("::"))
            };
            let path = self.unique_path(base);
            if !rootless {
                let rel = self.root.rel(&file);
                self.diag(
                    ir::DiagCode::OrphanFile,
                    Some(rel),
                    0,
                    0,
                    format!(
                        "no `mod` declaration of crate `{}` reaches this file; analysed as `{path}`",
                        spec.name
                    ),
                );
            }
            self.claimed.insert((krate, file.clone()), None);
            jobs.push(Job {
                krate,
                dir: ModDir::for_file(&file),
                file,
                path,
                parent: None,
                orphan: !rootless,
                test: false,
            });
        }
        jobs
    }

    /// Reads and parses the wave's new files in parallel, then places every job.
    fn run_wave(&mut self, jobs: Vec<Job>) -> Vec<Job> {
        let mut new_files: Vec<PathBuf> = Vec::new();
        let mut seen: HashSet<&PathBuf> = HashSet::default();
        for job in &jobs {
            if !self.file_index.contains_key(&job.file) && seen.insert(&job.file) {
                new_files.push(job.file.clone());
            }
        }
        self.load_files(new_files);
        let mut next = Vec::new();
        for job in jobs {
            self.place(job, &mut next);
        }
        next
    }

    /// Reads, parses and lowers the files read up front, like [`Run::load_files`], each with
    /// the `macro_rules!` definitions of the other files it calls at hand.
    ///
    /// Those calls can only be resolved once every definition is known, and lowering a file
    /// again meant parsing it again, which on a large workspace (whose generated files call
    /// the macros of a `macros.rs`) cost a tenth of the whole parse. A definition is a
    /// `macro_rules!` item, so a file whose text never says `macro_rules` defines none: such
    /// files wait, with their text, until the others have been lowered and every definition
    /// is known, and are then parsed once and lowered once or twice. The few files that
    /// both define and call one are read and lowered again in that same second pass.
    fn load_preload(&mut self, preload: &[PathBuf]) {
        if preload.is_empty() {
            return;
        }
        self.total += preload.len();
        let max = self.options.max_file_size;
        let progress = self.options.progress.clone();
        let total = self.total;
        let done = &self.done;
        let include_tests = self.options.include_tests;
        let macros = &self.macros;
        let tick = || {
            let files_done = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(cb) = &progress {
                cb(Progress {
                    files_done,
                    files_total: total,
                });
            }
        };
        let first: Vec<Read> = preload
            .par_iter()
            .map(|path| {
                let (bytes, text) = read::read_text(path, max);
                match text {
                    Ok(text) if !text.contains("macro_rules") => Read::Deferred(bytes, text),
                    text => {
                        let loaded = lower_text(bytes, text, include_tests, macros);
                        tick();
                        Read::Loaded(loaded)
                    }
                }
            })
            .collect();
        let mut defs: Defs<'_> = HashMap::default();
        for (path, read) in preload.iter().zip(&first) {
            if let Read::Loaded(Loaded {
                result: Ok(syntax), ..
            }) = read
            {
                add_macro_defs(&mut defs, owner_of(self.disc, &self.owners, path), syntax);
            }
        }
        let disc = self.disc;
        let owners = &self.owners;
        let second: Vec<Later> = preload
            .par_iter()
            .zip(&first)
            .map(|(path, read)| match read {
                Read::Deferred(bytes, text) => {
                    let stats = read::line_stats(text);
                    let result = read::parse(text).map(|file| {
                        let options = crate::lower::LowerOptions {
                            include_tests,
                            macros,
                        };
                        let syntax = crate::lower::lower_file(&file, &options);
                        if defs.is_empty() {
                            return syntax;
                        }
                        let visible =
                            visible_macros(disc, &defs, owner_of(disc, owners, path), &syntax);
                        if visible.is_empty() {
                            return syntax;
                        }
                        let options = crate::lower::LowerOptions {
                            include_tests,
                            macros: &visible,
                        };
                        crate::lower::lower_file(&file, &options)
                    });
                    tick();
                    Later::Loaded(Loaded {
                        bytes: *bytes,
                        stats,
                        result,
                    })
                }
                // A file that defines a macro and calls one of another file: read again,
                // lowered with the definitions it calls.
                Read::Loaded(Loaded {
                    result: Ok(syntax), ..
                }) if !defs.is_empty() => {
                    let visible = visible_macros(disc, &defs, owner_of(disc, owners, path), syntax);
                    if visible.is_empty() {
                        return Later::Keep;
                    }
                    match load(path, max, include_tests, &visible).result {
                        Ok(syntax) => Later::Relowered(syntax),
                        Err(_) => Later::Keep,
                    }
                }
                Read::Loaded(_) => Later::Keep,
            })
            .collect();
        drop(defs);
        for ((path, read), later) in preload.iter().zip(first).zip(second) {
            let loaded = match (read, later) {
                (_, Later::Loaded(loaded)) => loaded,
                (Read::Loaded(mut loaded), Later::Relowered(syntax)) => {
                    loaded.result = Ok(syntax);
                    loaded
                }
                (Read::Loaded(loaded), _) => loaded,
                (Read::Deferred(..), _) => continue,
            };
            self.push_loaded(path.clone(), loaded);
        }
    }

    /// Reads, parses and lowers files in parallel and records them (in the given order).
    fn load_files(&mut self, new_files: Vec<PathBuf>) {
        if new_files.is_empty() {
            return;
        }
        self.total += new_files.len();
        let max = self.options.max_file_size;
        let progress = self.options.progress.clone();
        let total = self.total;
        let done = &self.done;
        let include_tests = self.options.include_tests;
        let macros = &self.macros;
        let loaded: Vec<Loaded> = new_files
            .par_iter()
            .map(|path| {
                let loaded = load(path, max, include_tests, macros);
                let files_done = done.fetch_add(1, Ordering::Relaxed) + 1;
                if let Some(cb) = &progress {
                    cb(Progress {
                        files_done,
                        files_total: total,
                    });
                }
                loaded
            })
            .collect();
        for (path, loaded) in new_files.into_iter().zip(loaded) {
            self.push_loaded(path, loaded);
        }
    }

    fn push_loaded(&mut self, path: PathBuf, loaded: Loaded) {
        let idx = self.files.len();
        let (syntax, problem) = match loaded.result {
            Ok(s) => (Some(s), None),
            Err(p) => (None, Some(p)),
        };
        self.files.push(FileRec {
            rel: self.root.rel(&path),
            bytes: loaded.bytes,
            stats: loaded.stats,
            syntax,
            problem,
            krate: None,
            module: None,
            orphan: false,
            test: false,
        });
        self.file_index.insert(path, idx);
    }

    /// Creates the modules of one job's file and queues its `mod x;` children.
    fn place(&mut self, job: Job, next: &mut Vec<Job>) {
        let f = self.file_index[&job.file];
        let lines = self.files[f].stats.lines;
        if job.test {
            let rec = &mut self.files[f];
            if rec.module.is_none() && rec.krate.is_none() {
                rec.krate = Some(job.krate);
                rec.test = true;
            }
        }
        let file_mod = if job.test {
            TEST_MODULE
        } else {
            self.modules.len()
        };
        if !job.test {
            self.modules.push(ModRec {
                path: job.path.clone(),
                krate: job.krate,
                file: f,
                parent: job.parent,
                inline: false,
                span: ir::LineSpan {
                    start: 1,
                    end: lines.max(1),
                },
                body_index: 0,
                inline_children: Vec::new(),
            });
        }
        let is_crate_root = !job.test
            && job.parent.is_none()
            && !job.orphan
            && self.disc.crates[job.krate].root_file.is_some();
        if is_crate_root && self.crate_root_module[job.krate].is_none() {
            self.crate_root_module[job.krate] = Some(file_mod);
        }
        if !job.test {
            let rec = &mut self.files[f];
            if rec.module.is_none() {
                rec.test = false;
                rec.module = Some(file_mod);
                rec.krate = Some(job.krate);
                rec.orphan = job.orphan;
            }
        }
        // Copy what we need out of the syntax, so that `self` stays free to mutate.
        struct Shape {
            name: String,
            parent: Option<usize>,
            path_attr: Option<String>,
            span: ir::LineSpan,
            decls: Vec<crate::syntax::ModDecl>,
            test: bool,
        }
        let shapes: Vec<Shape> = match &self.files[f].syntax {
            Some(s) => s
                .modules
                .iter()
                .map(|m| Shape {
                    name: m.name.clone(),
                    parent: m.parent,
                    path_attr: m.path_attr.clone(),
                    span: m.span,
                    decls: m.mod_decls.clone(),
                    test: m.test,
                })
                .collect(),
            None => Vec::new(),
        };
        let rel = self.files[f].rel.clone();
        let mut mod_ids: Vec<usize> = Vec::with_capacity(shapes.len());
        let mut dirs: Vec<ModDir> = Vec::with_capacity(shapes.len());
        for (i, shape) in shapes.iter().enumerate() {
            if i == 0 {
                mod_ids.push(file_mod);
                dirs.push(job.dir.clone());
                continue;
            }
            // Lowering emits parents before children; anything else is treated as a child
            // of the file module.
            let p = shape.parent.filter(|&p| p < i).unwrap_or(0);
            let dir = dirs[p].inline_child(&shape.name, shape.path_attr.as_deref());
            if job.test || shape.test || mod_ids[p] == TEST_MODULE {
                mod_ids.push(TEST_MODULE);
                dirs.push(dir);
                continue;
            }
            let base = format!("{}::{}", self.modules[mod_ids[p]].path, shape.name);
            let path = self.unique_path(base);
            let id = self.modules.len();
            self.modules.push(ModRec {
                path,
                krate: job.krate,
                file: f,
                parent: Some(mod_ids[p]),
                inline: true,
                span: shape.span,
                body_index: i,
                inline_children: Vec::new(),
            });
            self.modules[mod_ids[p]].inline_children.push(id);
            mod_ids.push(id);
            dirs.push(dir);
        }
        for (i, shape) in shapes.iter().enumerate() {
            for decl in &shape.decls {
                let test = mod_ids[i] == TEST_MODULE || decl.test;
                let candidates = dirs[i].file_candidates(&decl.name, decl.path_attr.as_deref());
                let mut outcome = Probe::Missing;
                let mut chosen: Option<(PathBuf, ModDir)> = None;
                for (file, dir) in &candidates {
                    let probe = self.probe(file);
                    if matches!(probe, Probe::Missing) {
                        continue;
                    }
                    chosen = Some((file.clone(), dir.clone()));
                    outcome = probe;
                    break;
                }
                let at = (Some(rel.clone()), decl.line, decl.col);
                let what = format!("module `{}`", decl.name);
                match outcome {
                    Probe::Found(canon) => {
                        let key = (job.krate, canon.clone());
                        let declared_by = Some((mod_ids[i], decl.name.clone()));
                        if let Some(first) = self.claimed.get(&key) {
                            // The same module declared again in the same parent (in two
                            // `cfg` branches, or two cfg-gating macro calls) is one module.
                            if *first == declared_by {
                                continue;
                            }
                            let shown = self.root.rel(&canon);
                            self.diag(
                                ir::DiagCode::DuplicateModule,
                                at.0,
                                at.1,
                                at.2,
                                format!(
                                    "`{shown}` is already a module of crate `{}`; this declaration of `{}` is skipped",
                                    self.disc.crates[job.krate].name, decl.name
                                ),
                            );
                            continue;
                        }
                        self.claimed.insert(key, declared_by);
                        let dir = chosen.map_or_else(|| dirs[i].clone(), |(_, dir)| dir);
                        if test {
                            next.push(Job {
                                krate: job.krate,
                                file: canon,
                                dir,
                                path: String::new(),
                                parent: None,
                                orphan: false,
                                test: true,
                            });
                            continue;
                        }
                        let base = format!("{}::{}", self.modules[mod_ids[i]].path, decl.name);
                        let path = self.unique_path(base);
                        next.push(Job {
                            krate: job.krate,
                            file: canon,
                            dir,
                            path,
                            parent: Some(mod_ids[i]),
                            orphan: job.orphan,
                            test: false,
                        });
                    }
                    other => {
                        // Name the candidate that failed, or all of them when none exists.
                        let tried: Vec<PathBuf> = match chosen {
                            Some((file, _)) => vec![file],
                            None => candidates.into_iter().map(|(f, _)| f).collect(),
                        };
                        self.report_probe(&other, &tried, &what, at);
                    }
                }
            }
        }
    }

    /// Sorts, assigns ids, resolves and counts code lines.
    fn assemble(mut self) -> ir::Facts {
        // Files sorted by path.
        let mut file_order: Vec<usize> = (0..self.files.len()).collect();
        file_order.sort_by(|&a, &b| self.files[a].rel.cmp(&self.files[b].rel));
        let mut file_id = vec![ir::FileId(0); self.files.len()];
        for (new, &old) in file_order.iter().enumerate() {
            file_id[old] = ir::FileId(new as u32);
        }
        let mut mod_order: Vec<usize> = (0..self.modules.len()).collect();
        mod_order.sort_by(|&a, &b| self.modules[a].path.cmp(&self.modules[b].path));
        let mut mod_id = vec![ir::ModuleId(0); self.modules.len()];
        for (new, &old) in mod_order.iter().enumerate() {
            mod_id[old] = ir::ModuleId(new as u32);
        }

        let crates: Vec<ir::Crate> = self
            .disc
            .crates
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let root_module = self.crate_root_module[i];
                ir::Crate {
                    id: ir::CrateId(i as u32),
                    name: spec.name.clone(),
                    package: spec.package.clone(),
                    manifest: spec.manifest.clone(),
                    kind: spec.kind,
                    root_file: root_module.map(|m| file_id[self.modules[m].file]),
                    root_module: root_module.map(|m| mod_id[m]),
                    deps: spec
                        .deps
                        .iter()
                        .map(|(local, j)| ir::CrateDep {
                            local_name: local.clone(),
                            krate: ir::CrateId(*j as u32),
                        })
                        .collect(),
                }
            })
            .collect();

        let mut files = Vec::with_capacity(self.files.len());
        for &old in &file_order {
            let rec = &self.files[old];
            if let Some(p) = &rec.problem {
                self.diagnostics.push(ir::Diagnostic::new(
                    p.code,
                    Some(rec.rel.clone()),
                    p.line,
                    p.col,
                    p.message.clone(),
                ));
            }
            if let Some(s) = &rec.syntax {
                for (code, line, msg) in &s.notes {
                    self.diagnostics.push(ir::Diagnostic::new(
                        *code,
                        Some(rec.rel.clone()),
                        *line,
                        0,
                        msg.clone(),
                    ));
                }
            }
            files.push(ir::SourceFile {
                id: file_id[old],
                path: rec.rel.clone(),
                krate: rec.krate.map(|k| ir::CrateId(k as u32)),
                module: rec.module.map(|m| mod_id[m]),
                lines: rec.stats.lines,
                code_lines: rec.stats.code_lines(),
                bytes: rec.bytes,
                analysed: rec.syntax.is_some(),
                orphan: rec.orphan,
            });
        }

        // Module bodies, moved out of the file summaries (cloned when a file backs modules
        // in several crates).
        let mut uses: HashMap<(usize, usize), usize> = HashMap::default();
        for m in &self.modules {
            *uses.entry((m.file, m.body_index)).or_default() += 1;
        }
        let mut modules = Vec::with_capacity(self.modules.len());
        let mut bodies: Vec<ModSyntax> = Vec::with_capacity(self.modules.len());
        for &old in &mod_order {
            let m = &self.modules[old];
            let stats = &self.files[m.file].stats;
            let own = stats.code_in(m.span);
            let children: u32 = m
                .inline_children
                .iter()
                .map(|&c| stats.code_in(self.modules[c].span))
                .sum();
            modules.push(ir::Module {
                id: mod_id[old],
                path: m.path.clone(),
                krate: ir::CrateId(m.krate as u32),
                file: file_id[m.file],
                parent: m.parent.map(|p| mod_id[p]),
                inline: m.inline,
                span: m.span,
                code_lines: own.saturating_sub(children),
                items: Vec::new(),
            });
            let key = (m.file, m.body_index);
            let left = uses.get_mut(&key).map(|n| {
                *n -= 1;
                *n
            });
            let body = match &mut self.files[m.file].syntax {
                Some(s) if m.body_index < s.modules.len() => {
                    if left == Some(0) {
                        std::mem::take(&mut s.modules[m.body_index])
                    } else {
                        s.modules[m.body_index].clone()
                    }
                }
                _ => ModSyntax::default(),
            };
            bodies.push(body);
        }

        let resolved = crate::resolve::resolve(crate::resolve::ResolveInput {
            files: &files,
            crates: &crates,
            modules: &modules,
            bodies,
        });
        let mut facts = ir::Facts {
            root: self.options.root.display().to_string(),
            crates,
            files,
            modules,
            items: resolved.items,
            tables: resolved.tables,
            table_accesses: resolved.table_accesses,
            references: resolved.references,
            external: resolved.external,
            diagnostics: Vec::new(),
        };
        for (m, items) in resolved.module_items.into_iter().enumerate() {
            facts.modules[m].items = items;
        }
        // Code lines of items, within their spans.
        let mut stats_by_file: Vec<&LineStats> = vec![&self.files[0].stats; 0];
        stats_by_file.reserve(file_order.len());
        for &old in &file_order {
            stats_by_file.push(&self.files[old].stats);
        }
        for item in &mut facts.items {
            let file = facts.modules[item.module.index()].file;
            item.code_lines = stats_by_file[file.index()].code_in(item.span);
        }
        share_expanded_lines(&mut facts.items);
        let mut diagnostics = std::mem::take(&mut self.diagnostics);
        diagnostics.extend(resolved.diagnostics);
        diagnostics.sort();
        diagnostics.dedup();
        facts.diagnostics = diagnostics;
        debug_assert_eq!(facts.validate(), Ok(()));
        // What is left of the files and modules is freed in the background too.
        let leftovers = (
            std::mem::take(&mut self.files),
            std::mem::take(&mut self.modules),
        );
        rayon::spawn(move || drop(leftovers));
        facts
    }
}

/// The items one macro call expanded to all cover the call's lines (they are placed at the
/// call): each would count the whole call, and a call declaring 300 constants over 1,000
/// lines would weigh 300,000. Items of one module with the same span of several lines can
/// only come from one call (two items written out never cover the same lines); they share
/// the call's code lines instead, the first ones one line more when the lines do not divide
/// evenly, so that together they weigh what the call does. Methods share among themselves:
/// sizes count them inside their impl already.
fn share_expanded_lines(items: &mut [ir::Item]) {
    let mut groups: HashMap<(ir::ModuleId, u32, u32, bool), Vec<usize>> = HashMap::default();
    for (i, item) in items.iter().enumerate() {
        if item.span.end > item.span.start {
            let method = item.kind == ir::ItemKind::Method;
            let key = (item.module, item.span.start, item.span.end, method);
            groups.entry(key).or_default().push(i);
        }
    }
    for members in groups.values().filter(|m| m.len() > 1) {
        let total = items[members[0]].code_lines;
        let n = members.len() as u32;
        for (k, &i) in members.iter().enumerate() {
            items[i].code_lines = total / n + u32::from((k as u32) < total % n);
        }
    }
}

/// A file after reading, parsing and lowering.
struct Loaded {
    bytes: u64,
    stats: LineStats,
    result: Result<FileSyntax, ReadProblem>,
}

/// Reads, parses and lowers one file; the syntax tree is dropped before returning.
fn load(
    path: &Path,
    max_size: u64,
    include_tests: bool,
    macros: &HashMap<String, OtherMacro>,
) -> Loaded {
    let (bytes, text) = read::read_text(path, max_size);
    lower_text(bytes, text, include_tests, macros)
}

/// Parses and lowers a file's text, or records why it could not be read.
fn lower_text(
    bytes: u64,
    text: Result<String, ReadProblem>,
    include_tests: bool,
    macros: &HashMap<String, OtherMacro>,
) -> Loaded {
    match text {
        Err(problem) => Loaded {
            bytes,
            // Lines without code lines: the text was not (or could not be) lexed.
            stats: LineStats {
                lines: problem.lines,
                code_prefix: Vec::new(),
            },
            result: Err(problem),
        },
        Ok(text) => {
            let stats = read::line_stats(&text);
            let result = read::parse(&text).map(|file| {
                let options = crate::lower::LowerOptions {
                    include_tests,
                    macros,
                };
                let syntax = crate::lower::lower_file(&file, &options);
                drop(file);
                syntax
            });
            Loaded {
                bytes,
                stats,
                result,
            }
        }
    }
}

/// A file read up front: lowered, or waiting with its text for every definition to be
/// known.
enum Read {
    Loaded(Loaded),
    Deferred(u64, String),
}

/// A file after the second pass of [`Run::load_preload`]: lowered now, lowered again with
/// the definitions it calls, or as the first pass left it.
enum Later {
    Loaded(Loaded),
    Relowered(FileSyntax),
    Keep,
}

/// `macro_rules!` definitions by name: (owner crate, exported, rules), in path order.
type Defs<'d> = HashMap<&'d str, Vec<(Option<usize>, bool, &'d str)>>;

fn add_macro_defs<'d>(defs: &mut Defs<'d>, krate: Option<usize>, syntax: &'d FileSyntax) {
    for def in &syntax.macro_defs {
        defs.entry(def.name.as_str())
            .or_default()
            .push((krate, def.exported, def.rules.as_str()));
    }
}

/// The crate owning a file of the walk.
fn owner_of(disc: &Discovery, owners: &[Option<usize>], path: &PathBuf) -> Option<usize> {
    let at = disc.rs_files.binary_search(path).ok()?;
    owners[at]
}

/// The definitions of other files that the item-position macro calls of `syntax` (a file of
/// crate `krate`) use: its own crate's, unless the macro is imported from a dependency, else
/// an exported one of a crate it depends on.
fn visible_macros(
    disc: &Discovery,
    defs: &Defs<'_>,
    krate: Option<usize>,
    syntax: &FileSyntax,
) -> HashMap<String, OtherMacro> {
    let deps: &[(String, usize)] = match krate {
        Some(k) => &disc.crates[k].deps,
        None => &[],
    };
    let mut visible: HashMap<String, OtherMacro> = HashMap::default();
    // The pending names, then the macros their definitions call (Plume's `insert!` calls
    // `last!`): an expansion needs those too.
    let mut wanted: Vec<String> = syntax.pending_macros.clone();
    let mut asked: HashSet<String> = wanted.iter().cloned().collect();
    while let Some(name) = wanted.pop() {
        let name = &name;
        let Some(found) = defs.get(name.as_str()) else {
            continue;
        };
        // `use stdx::impl_from;` names the dependency's macro, whatever a file of
        // this crate defines under the same name.
        let imported_from: Option<usize> = syntax.modules.iter().find_map(|m| {
            m.uses.iter().find_map(|u| {
                let bound = u.rename.as_ref().or(u.path.last())?;
                let first = u.path.iter().find(|seg| !seg.is_empty())?;
                (bound == name && u.path.len() > 1)
                    .then(|| {
                        deps.iter().find(|(local, k)| {
                            let known = if local.is_empty() {
                                &disc.crates[*k].name
                            } else {
                                local
                            };
                            known == first
                        })
                    })
                    .flatten()
                    .map(|(_, k)| *k)
            })
        });
        let own = found
            .iter()
            .find(|d| krate.is_some() && d.0 == krate && imported_from.is_none());
        if let Some(&(_, _, rules)) = own {
            for called in called_macros(rules) {
                if asked.insert(called.to_owned()) {
                    wanted.push(called.to_owned());
                }
            }
            let rules = rules.to_owned();
            visible.insert(name.clone(), OtherMacro { krate: None, rules });
            continue;
        }
        // `$crate` in a dependency's macro names the dependency as this crate does.
        let dep = found.iter().find_map(|d| {
            let owner = d.0?;
            if imported_from.is_some_and(|k| k != owner) {
                return None;
            }
            let (local, _) = deps.iter().find(|(_, k)| *k == owner).filter(|_| d.1)?;
            let known_as = if local.is_empty() {
                disc.crates[owner].name.clone()
            } else {
                local.clone()
            };
            Some((known_as, d.2))
        });
        if let Some((known_as, rules)) = dep {
            for called in called_macros(rules) {
                if asked.insert(called.to_owned()) {
                    wanted.push(called.to_owned());
                }
            }
            let rules = rules.to_owned();
            let krate = Some(known_as);
            visible.insert(name.clone(), OtherMacro { krate, rules });
        }
    }
    visible
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> Options {
        Options {
            root: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/workspace"),
            include_tests: false,
            max_file_size: 10 << 20,
            threads: 1,
            progress: None,
        }
    }

    fn crate_names(facts: &ir::Facts) -> Vec<(&str, ir::CrateKind)> {
        facts
            .crates
            .iter()
            .map(|c| (c.name.as_str(), c.kind))
            .collect()
    }

    #[test]
    fn without_cargo_crates_are_guessed_from_the_tree() {
        let cargo = CargoOptions {
            cargo_path: Some(PathBuf::from("/nonexistent/bin/cargo")),
        };
        let facts = analyze_with(&workspace(), &cargo).expect("analyze");
        let codes: Vec<ir::DiagCode> = facts.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![ir::DiagCode::CargoUnavailable]);
        assert_eq!(
            crate_names(&facts),
            vec![
                ("app", ir::CrateKind::Lib),
                ("app_bin", ir::CrateKind::Bin),
                ("billing", ir::CrateKind::Lib),
                ("core_types", ir::CrateKind::Lib),
            ]
        );
        // Dependencies are read from the manifests' text, renames included.
        let deps = |i: usize| -> Vec<(&str, &str)> {
            facts.crates[i]
                .deps
                .iter()
                .map(|d| {
                    (
                        d.local_name.as_str(),
                        facts.crates[d.krate.index()].name.as_str(),
                    )
                })
                .collect()
        };
        assert_eq!(deps(2), vec![("types", "core_types")]);
        assert_eq!(
            deps(0),
            vec![("billing", "billing"), ("core_types", "core_types")]
        );
        assert!(deps(1).contains(&("app", "app")));
        // Same module tree as with cargo.
        let with_cargo = analyze(&workspace()).expect("analyze");
        let paths = |f: &ir::Facts| f.modules.iter().map(|m| m.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&facts), paths(&with_cargo));
    }

    #[test]
    fn without_cargo_bin_targets_with_a_path_are_read_from_the_manifest() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path().join("pkg");
        for (path, text) in [
            (
                "Cargo.toml",
                "[package]\nname = \"pkg\"\n[[bin]]\nname = \"tool\"\npath = \"tools/run.rs\"\n[[bin]]\nname = \"pkg\"\n",
            ),
            ("src/lib.rs", "pub fn f() {}\n"),
            ("tools/run.rs", "mod helper;\nfn main() { pkg::f(); }\n"),
            ("tools/helper.rs", "pub fn h() {}\n"),
        ] {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            std::fs::write(file, text).expect("write");
        }
        let cargo = CargoOptions {
            cargo_path: Some(PathBuf::from("/nonexistent/bin/cargo")),
        };
        let mut options = workspace();
        options.root = root;
        let facts = analyze_with(&options, &cargo).expect("analyze");
        assert_eq!(
            crate_names(&facts),
            vec![("pkg", ir::CrateKind::Lib), ("tool", ir::CrateKind::Bin)]
        );
        let paths: Vec<&str> = facts.modules.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(paths, vec!["pkg", "tool", "tool::helper"]);
        let codes: Vec<ir::DiagCode> = facts.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![ir::DiagCode::CargoUnavailable]);
    }

    #[test]
    fn a_pinned_uninstalled_toolchain_does_not_stop_cargo() {
        // `cargo` from PATH is rustup's proxy on a rustup install: it reads the fixture's
        // rust-toolchain.toml (channel 1.61.0, not installed) unless told otherwise. Under
        // `cargo test`, `$CARGO` points past the proxy, so name the proxy explicitly.
        let cargo = CargoOptions {
            cargo_path: Some(PathBuf::from("cargo")),
        };
        let facts = analyze_with(&workspace(), &cargo).expect("analyze");
        assert_eq!(facts.diagnostics, vec![]);
        assert_eq!(facts.crates[3].package.as_deref(), Some("core-types"));
        assert_eq!(facts.crates[2].deps[0].local_name, "types");
    }
}
