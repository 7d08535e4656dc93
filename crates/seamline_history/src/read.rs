//! The reader: the only code in this crate that does IO. It opens the repository with gix,
//! walks the commits on one thread, diffs them in parallel (one thread-local repository
//! handle per worker), then folds the results newest first, on one thread, into a
//! [`History`]. Ordering comes from the walk, so the thread count never changes the result.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Mutex;

use gix::diff::blob::platform::prepare_diff::Operation;
use gix::diff::tree_with_rewrites::Change as DiffChange;
use gix::revision::walk::Sorting;
use gix::traverse::commit::simple::CommitTimeOrder;
use rayon::prelude::*;
use seamline_ir as ir;

use crate::{
    CoChange, CommitChanges, FileChange, FileHistory, History, HistoryOptions, MIN_CO_CHANGES,
};

/// Per-thread object cache for tree and commit lookups.
const OBJECT_CACHE_BYTES: usize = 4 * 1024 * 1024;
/// Cache of decoded pack entries, so that delta chains are not re-inflated for every
/// version of a file; shared out among the diffing threads, with a floor per thread.
const PACK_CACHE_BYTES: usize = 128 * 1024 * 1024;
const MIN_PACK_CACHE_BYTES: usize = 16 * 1024 * 1024;
/// Blobs larger than this are not line-diffed (they count 0 lines), so one generated
/// file cannot stall the read.
const LINE_DIFF_MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Reads the git history of the repository that contains `analysed_root` (discovered
/// upwards), as described in the crate documentation.
///
/// Never panics and never fails: a folder that is not in a git repository, an empty or
/// shallow history, an unreadable object or a limit reached becomes a diagnostic in the
/// returned [`History`], which then holds what could be read (possibly nothing). Reads
/// the object database only: no `git` binary, hooks or filters run, nothing is written.
pub fn read_history(analysed_root: &Path, opts: &HistoryOptions) -> History {
    let mut history = History::default();
    let res = std::panic::catch_unwind(AssertUnwindSafe(|| {
        read_into(analysed_root, opts, &mut history)
    }));
    if res.is_err() {
        // A panic inside gix on a malformed repository: report it rather than abort the
        // analysis, and drop whatever was half-built.
        history = History::default();
        history.diagnostics.push(diag(
            ir::DiagCode::GitObjectUnreadable,
            "reading the git history failed unexpectedly (a malformed object?); analysis ran without history",
        ));
    }
    history.diagnostics.sort();
    history
}

/// What the sequential walk learns about one non-merge commit.
struct CommitMeta {
    id: gix::ObjectId,
    tree: gix::ObjectId,
    first_parent: Option<gix::ObjectId>,
    author: String,
    time: i64,
}

/// One changed blob, with repository-relative paths.
struct RawChange {
    path: String,
    /// The old path when the change is a rename.
    renamed_from: Option<String>,
    added: u64,
    removed: u64,
}

/// The diff of one commit.
enum DiffOutcome {
    Used(Vec<RawChange>),
    Huge,
    Failed(String),
}

fn read_into(analysed_root: &Path, opts: &HistoryOptions, history: &mut History) {
    let ts_repo = match gix::ThreadSafeRepository::discover(analysed_root) {
        Ok(repo) => repo,
        Err(err) => {
            history.diagnostics.push(diag(
                ir::DiagCode::NotAGitRepository,
                format!(
                    "no git repository found at or above `{}`: {err}",
                    analysed_root.display()
                ),
            ));
            return;
        }
    };
    let mut repo = ts_repo.to_thread_local();
    repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
    history.prefix = prefix_of(analysed_root, repo.workdir());

    let shallow_commits = match repo.shallow_commits() {
        Ok(list) => list,
        Err(err) => {
            history.diagnostics.push(diag(
                ir::DiagCode::ShallowGitHistory,
                format!("the list of shallow commits could not be read: {err}"),
            ));
            None
        }
    };
    history.shallow = shallow_commits.is_some();
    let shallow_commits: Option<Vec<gix::ObjectId>> = shallow_commits.map(|list| {
        let mut ids: Vec<gix::ObjectId> = list.iter().copied().collect();
        ids.sort();
        ids
    });

    let head_id = match repo.head_id() {
        Ok(id) => id.detach(),
        Err(err) => {
            history.diagnostics.push(diag(
                ir::DiagCode::EmptyGitHistory,
                format!("HEAD does not point to a commit (an empty repository?): {err}"),
            ));
            return;
        }
    };

    let (metas, n_boundary, truncated) =
        walk(&repo, head_id, opts, shallow_commits.as_deref(), history);
    if history.shallow {
        history.diagnostics.push(diag(
            ir::DiagCode::ShallowGitHistory,
            format!(
                "the repository is a shallow clone: {n_boundary} boundary commit(s) whose parents are missing were skipped, and older history is absent"
            ),
        ));
    }
    if truncated {
        history.diagnostics.push(diag(
            ir::DiagCode::GitHistoryTruncated,
            format!(
                "only the newest {} non-merge commits were read",
                opts.max_commits
            ),
        ));
    }

    let outcomes = diff_all(&ts_repo, &metas, opts);
    fold(history, &metas, outcomes);
}

/// The analysed folder relative to the work tree, `/`-separated; empty when it is the
/// root, when there is no work tree, or when the paths cannot be related.
fn prefix_of(analysed_root: &Path, workdir: Option<&Path>) -> String {
    let (Some(workdir), Ok(root)) = (workdir, analysed_root.canonicalize()) else {
        return String::new();
    };
    let workdir = workdir
        .canonicalize()
        .unwrap_or_else(|_| workdir.to_path_buf());
    match root.strip_prefix(&workdir) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => String::new(),
    }
}

/// Walks the commits from `head` newest first and returns the non-merge commits to diff,
/// the number of shallow-boundary commits skipped, and whether `max_commits` cut the walk.
fn walk(
    repo: &gix::Repository,
    head: gix::ObjectId,
    opts: &HistoryOptions,
    shallow_commits: Option<&[gix::ObjectId]>,
    history: &mut History,
) -> (Vec<CommitMeta>, usize, bool) {
    let mailmap = repo.open_mailmap();
    let sorting = match opts.since {
        Some(seconds) => Sorting::ByCommitTimeCutoff {
            order: CommitTimeOrder::NewestFirst,
            seconds,
        },
        None => Sorting::ByCommitTime(CommitTimeOrder::NewestFirst),
    };
    let mut metas = Vec::new();
    let mut n_boundary = 0;
    let iter = match repo.rev_walk([head]).sorting(sorting).all() {
        Ok(iter) => iter,
        Err(err) => {
            history.diagnostics.push(diag(
                ir::DiagCode::GitObjectUnreadable,
                format!("the commit walk from HEAD could not start: {err}"),
            ));
            return (metas, 0, false);
        }
    };
    for info in iter {
        let info = match info {
            Ok(info) => info,
            Err(err) => {
                history.diagnostics.push(diag(
                    ir::DiagCode::GitObjectUnreadable,
                    format!("the commit walk stopped early: {err}"),
                ));
                break;
            }
        };
        if info.parent_ids.len() > 1 {
            history.merges_skipped += 1;
            continue;
        }
        if metas.len() + n_boundary >= opts.max_commits {
            return (metas, n_boundary, true);
        }
        let id = info.id;
        if shallow_commits.is_some_and(|sorted| sorted.binary_search(&id).is_ok()) {
            n_boundary += 1;
            continue;
        }
        let commit = match info.object() {
            Ok(commit) => commit,
            Err(err) => {
                history.commits_read += 1;
                history.diagnostics.push(diag(
                    ir::DiagCode::GitObjectUnreadable,
                    format!("commit {id} could not be read and was skipped: {err}"),
                ));
                continue;
            }
        };
        let decoded = (|| -> Result<(gix::ObjectId, String, i64), String> {
            let tree = commit.tree_id().map_err(|e| e.to_string())?.detach();
            let author = commit.author().map_err(|e| e.to_string())?;
            let author = mailmap.resolve_cow(author);
            let author = if author.name.is_empty() {
                author.email.to_string()
            } else {
                author.name.to_string()
            };
            let time = commit.time().map_err(|e| e.to_string())?.seconds;
            Ok((tree, author, time))
        })();
        match decoded {
            Ok((tree, author, time)) => {
                if opts.since.is_some_and(|since| time < since) {
                    continue;
                }
                metas.push(CommitMeta {
                    id,
                    tree,
                    first_parent: info.parent_ids.first().copied(),
                    author,
                    time,
                });
            }
            Err(err) => {
                history.commits_read += 1;
                history.diagnostics.push(diag(
                    ir::DiagCode::GitObjectUnreadable,
                    format!("commit {id} could not be decoded and was skipped: {err}"),
                ));
            }
        }
    }
    (metas, n_boundary, false)
}

/// Diffs every commit against its first parent, in parallel, in commit order.
fn diff_all(
    ts_repo: &gix::ThreadSafeRepository,
    metas: &[CommitMeta],
    opts: &HistoryOptions,
) -> Vec<DiffOutcome> {
    // One worker per pool thread, kept for the whole read so that its caches stay warm
    // (rayon's `map_init` would start a cold one for every split of the work).
    let run = || -> Vec<DiffOutcome> {
        let n_threads = rayon::current_num_threads();
        let workers: Vec<Mutex<Option<Worker>>> =
            (0..n_threads).map(|_| Mutex::new(None)).collect();
        metas
            .par_iter()
            .map(|meta| {
                let slot = rayon::current_thread_index().unwrap_or(0) % n_threads;
                // Only this thread uses this slot, so the lock is never contended; a
                // poisoned slot (a panic in gix) is simply reused.
                let mut guard = workers[slot]
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                guard
                    .get_or_insert_with(|| Worker::new(ts_repo, n_threads))
                    .diff(meta, opts.max_files_per_commit)
            })
            .collect()
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
    {
        Ok(pool) => pool.install(run),
        // No threads to be had: diff on the current thread instead.
        Err(_) => {
            let mut worker = Worker::new(ts_repo, 1);
            metas
                .iter()
                .map(|meta| worker.diff(meta, opts.max_files_per_commit))
                .collect()
        }
    }
}

/// One diffing thread's state: its own repository handle and blob caches.
struct Worker {
    repo: gix::Repository,
    /// For rename detection (similarity of added and deleted blobs), and for line counts;
    /// `Err` if they could not be set up, which fails every diff of this worker.
    caches: Result<(gix::diff::blob::Platform, gix::diff::blob::Platform), String>,
}

impl Worker {
    fn new(ts_repo: &gix::ThreadSafeRepository, n_workers: usize) -> Worker {
        let mut repo = ts_repo.to_thread_local();
        repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
        let pack_cache_bytes = (PACK_CACHE_BYTES / n_workers.max(1)).max(MIN_PACK_CACHE_BYTES);
        repo.objects.set_pack_cache(move || {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                pack_cache_bytes,
            ))
        });
        let caches = (|| -> Result<_, String> {
            let rewrites = repo
                .diff_resource_cache_for_tree_diff()
                .map_err(|e| e.to_string())?;
            let mut lines = rewrites.clone();
            // Deterministic line counts whatever `diff.algorithm` says, and never an
            // external diff command.
            lines.options.algorithm = Some(gix::diff::blob::Algorithm::Myers);
            lines.options.skip_internal_diff_if_external_is_configured = false;
            // Larger blobs are treated as binary (0 lines) so one generated file cannot
            // stall the read.
            lines.filter.options.large_file_threshold_bytes = LINE_DIFF_MAX_BYTES;
            Ok((rewrites, lines))
        })();
        Worker { repo, caches }
    }

    fn diff(&mut self, meta: &CommitMeta, max_files: usize) -> DiffOutcome {
        match self.try_diff(meta, max_files) {
            Ok(outcome) => outcome,
            Err(err) => DiffOutcome::Failed(format!(
                "commit {} could not be diffed and was skipped: {err}",
                meta.id
            )),
        }
    }

    fn try_diff(&mut self, meta: &CommitMeta, max_files: usize) -> Result<DiffOutcome, String> {
        let repo = &self.repo;
        let (rewrite_cache, line_cache) = self.caches.as_mut().map_err(|e| e.clone())?;
        let tree = repo.find_tree(meta.tree).map_err(|e| e.to_string())?;
        let parent_tree = match meta.first_parent {
            Some(parent) => repo
                .find_commit(parent)
                .map_err(|e| e.to_string())?
                .tree()
                .map_err(|e| e.to_string())?,
            None => repo.empty_tree(),
        };
        let mut changes: Vec<DiffChange> = Vec::new();
        let mut platform = parent_tree.changes().map_err(|e| e.to_string())?;
        platform.options(|o| {
            o.track_path().track_rewrites(Some(gix::diff::Rewrites {
                copies: None,
                percentage: Some(0.5),
                limit: 1000,
                track_empty: false,
            }));
        });
        let walked = platform.for_each_to_obtain_tree_with_cache(&tree, rewrite_cache, |change| {
            if change.entry_mode().is_blob() {
                changes.push(change.detach());
            }
            // Past the limit the commit is skipped anyway: stop diffing it.
            if changes.len() > max_files {
                Ok(std::ops::ControlFlow::Break(()))
            } else {
                Ok(std::ops::ControlFlow::Continue(()))
            }
        });
        rewrite_cache.clear_resource_cache_keep_allocation();
        // Stopping at the limit makes the walk report "cancelled": the commit is huge.
        if changes.len() > max_files {
            return Ok(DiffOutcome::Huge);
        }
        walked.map_err(|e| e.to_string())?;
        let mut res = Vec::with_capacity(changes.len());
        for change in &changes {
            let (added, removed) = line_counts(line_cache, change, &repo.objects);
            line_cache.clear_resource_cache_keep_allocation();
            let renamed_from = match change {
                DiffChange::Rewrite {
                    source_location,
                    copy: false,
                    ..
                } => Some(source_location.to_string()),
                _ => None,
            };
            res.push(RawChange {
                path: change.location().to_string(),
                renamed_from,
                added,
                removed,
            });
        }
        Ok(DiffOutcome::Used(res))
    }
}

/// Lines added and removed by `change`, as `git diff --numstat` counts them; (0, 0) for
/// binary or very large blobs, and for blobs that cannot be read.
fn line_counts(
    cache: &mut gix::diff::blob::Platform,
    change: &DiffChange,
    objects: &impl gix::objs::FindObjectOrHeader,
) -> (u64, u64) {
    if cache
        .set_resource_by_change(change.to_ref(), objects)
        .is_err()
    {
        return (0, 0);
    }
    let Ok(prep) = cache.prepare_diff() else {
        return (0, 0);
    };
    match prep.operation {
        Operation::InternalDiff { algorithm } => {
            let input = prep.interned_input();
            let diff = gix::diff::blob::Diff::compute(algorithm, &input);
            (
                u64::from(diff.count_additions()),
                u64::from(diff.count_removals()),
            )
        }
        Operation::ExternalCommand { .. } | Operation::SourceOrDestinationIsBinary => (0, 0),
    }
}

/// Folds the diffs, newest first, into `history`: follows renames, keeps the files inside
/// the analysed folder, and derives per-file figures and co-changes.
fn fold(history: &mut History, metas: &[CommitMeta], outcomes: Vec<DiffOutcome>) {
    // Old path -> newest path (repository-relative). Walking newest first, a rename seen
    // now applies to every older commit; chains are compressed on insertion.
    let mut newest: BTreeMap<String, String> = BTreeMap::new();
    let prefix = history.prefix.clone();
    for (meta, outcome) in metas.iter().zip(outcomes) {
        history.commits_read += 1;
        let raw = match outcome {
            DiffOutcome::Used(raw) => raw,
            DiffOutcome::Huge => {
                history.huge_skipped += 1;
                continue;
            }
            DiffOutcome::Failed(message) => {
                history
                    .diagnostics
                    .push(diag(ir::DiagCode::GitObjectUnreadable, message));
                continue;
            }
        };
        let mut files: BTreeMap<String, FileChange> = BTreeMap::new();
        let mut renames_here = Vec::new();
        for change in raw {
            let path = newest.get(&change.path).cloned().unwrap_or(change.path);
            if let Some(old) = change.renamed_from
                && old != path
            {
                renames_here.push((old, path.clone()));
            }
            let Some(rel) = relative(&prefix, &path) else {
                continue;
            };
            let acc = files.entry(rel.to_string()).or_insert_with(|| FileChange {
                path: rel.to_string(),
                added: 0,
                removed: 0,
            });
            acc.added += change.added;
            acc.removed += change.removed;
        }
        for (old, new) in renames_here {
            newest.insert(old, new);
        }
        if !files.is_empty() {
            history.commits.push(CommitChanges {
                id: meta.id.to_string(),
                author: meta.author.clone(),
                time: meta.time,
                files: files.into_values().collect(),
            });
        }
    }
    history.renames = newest
        .into_iter()
        .map(
            |(old, new)| match (relative(&prefix, &old), relative(&prefix, &new)) {
                (Some(old), Some(new)) => (old.to_string(), new.to_string()),
                _ => (old, new),
            },
        )
        .collect();

    let mut together: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for commit in &history.commits {
        for (idx, file) in commit.files.iter().enumerate() {
            let acc: &mut FileHistory = history.files.entry(file.path.clone()).or_default();
            acc.last_change = if acc.commits == 0 {
                commit.time
            } else {
                acc.last_change.max(commit.time)
            };
            acc.commits += 1;
            acc.lines_added += file.added;
            acc.lines_removed += file.removed;
            *acc.authors.entry(commit.author.clone()).or_default() += 1;
            for other in &commit.files[idx + 1..] {
                *together.entry((&file.path, &other.path)).or_default() += 1;
            }
        }
    }
    history.co_changes = together
        .into_iter()
        .filter(|(_, n)| *n >= MIN_CO_CHANGES)
        .map(|((a, b), n)| CoChange {
            a: a.to_string(),
            b: b.to_string(),
            together: n,
        })
        .collect();
}

/// `path` relative to `prefix`, or `None` if it lies outside.
fn relative<'a>(prefix: &str, path: &'a str) -> Option<&'a str> {
    if prefix.is_empty() {
        return Some(path);
    }
    path.strip_prefix(prefix)?.strip_prefix('/')
}

fn diag(code: ir::DiagCode, message: impl Into<String>) -> ir::Diagnostic {
    ir::Diagnostic::new(code, None, 0, 0, message)
}
