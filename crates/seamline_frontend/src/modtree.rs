//! Where a module's children live on disk, exactly as rustc decides (rustc_expand's
//! `module.rs`), as pure functions on paths.
//!
//! Every module body has a [`ModDir`]: the folder its `mod x;` children are looked up in,
//! plus, for a "non-mod-rs" file `a.rs`, the pending component `a` (its children live in
//! `a/`). Crate roots, `mod.rs` files and files loaded through `#[path]` are "mod-rs" and
//! have no pending component.
//!
//! - `mod x;` in (dir, pending p): `dir/p/x.rs` (child: (dir/p, pending x)) or
//!   `dir/p/x/mod.rs` (child: (dir/p/x, none)).
//! - `#[path = "f"] mod x;`: `dir/f`, relative to the folder of the file (the pending
//!   component is ignored); the child is mod-rs-like: (parent of dir/f, none).
//! - inline `mod x { }`: children in (dir/p/x, none).
//! - inline `#[path = "d"] mod x { }`: the attribute names a folder: (dir/d, none). Inside an
//!   inline module of a non-mod-rs file `a.rs`, the pending `a` was already pushed, which
//!   gives the reference's `a/inline/other.rs` rule.

use std::path::{Path, PathBuf};

/// Where a module's `mod x;` children are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModDir {
    /// The folder.
    pub dir: PathBuf,
    /// For a non-mod-rs file `a.rs`: `a`.
    pub pending: Option<String>,
}

impl ModDir {
    /// The module folder of a crate root, `mod.rs` file or `#[path]` file.
    pub fn mod_rs(file: &Path) -> ModDir {
        ModDir {
            dir: file.parent().map(Path::to_path_buf).unwrap_or_default(),
            pending: None,
        }
    }

    /// The module folder of a file module: mod-rs-like for `mod.rs` (and for `lib.rs` and
    /// `main.rs`, which are crate roots of something), otherwise pending its stem (used for
    /// orphans, whose declaring module is unknown).
    pub fn for_file(file: &Path) -> ModDir {
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
        match stem.as_deref() {
            Some("mod" | "lib" | "main") | None => ModDir::mod_rs(file),
            Some(stem) => ModDir {
                dir: file.parent().map(Path::to_path_buf).unwrap_or_default(),
                pending: Some(stem.to_owned()),
            },
        }
    }

    /// The folder including the pending component.
    fn full(&self) -> PathBuf {
        match &self.pending {
            Some(p) => self.dir.join(p),
            None => self.dir.clone(),
        }
    }

    /// The module folder of an inline child `mod name { }` (with an optional `#[path]`).
    pub fn inline_child(&self, name: &str, path_attr: Option<&str>) -> ModDir {
        match path_attr {
            Some(attr) => ModDir {
                dir: self.dir_for_attr().join(attr),
                pending: None,
            },
            None => ModDir {
                dir: self.full().join(name),
                pending: None,
            },
        }
    }

    /// The folder a `#[path]` on an inline module is relative to: rustc joins it to the
    /// module folder *without* the pending component of a non-mod-rs file (it only takes
    /// the pending component when no attribute is present).
    fn dir_for_attr(&self) -> PathBuf {
        self.dir.clone()
    }

    /// Candidate files for `mod name;`, in rustc's order, each with the child's module
    /// folder. With `#[path]` there is exactly one candidate.
    pub fn file_candidates(&self, name: &str, path_attr: Option<&str>) -> Vec<(PathBuf, ModDir)> {
        if let Some(attr) = path_attr {
            let file = self.dir.join(attr);
            let child = ModDir::mod_rs(&file);
            return vec![(file, child)];
        }
        let base = self.full();
        let flat = base.join(format!("{name}.rs"));
        let nested = base.join(name).join("mod.rs");
        vec![
            (
                flat,
                ModDir {
                    dir: base.clone(),
                    pending: Some(name.to_owned()),
                },
            ),
            (
                nested,
                ModDir {
                    dir: base.join(name),
                    pending: None,
                },
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    fn files(c: Vec<(PathBuf, ModDir)>) -> Vec<PathBuf> {
        c.into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn crate_root_children_are_beside_it() {
        let root = ModDir::mod_rs(&p("/r/src/lib.rs"));
        assert_eq!(
            files(root.file_candidates("a", None)),
            vec![p("/r/src/a.rs"), p("/r/src/a/mod.rs")]
        );
    }

    #[test]
    fn non_mod_rs_children_live_in_a_folder_named_after_the_file() {
        let root = ModDir::mod_rs(&p("/r/src/lib.rs"));
        let (_, a) = root.file_candidates("a", None).remove(0);
        assert_eq!(
            files(a.file_candidates("b", None)),
            vec![p("/r/src/a/b.rs"), p("/r/src/a/b/mod.rs")]
        );
        // mod.rs children are beside it.
        let (_, a_mod) = root.file_candidates("a", None).remove(1);
        assert_eq!(
            files(a_mod.file_candidates("b", None)),
            vec![p("/r/src/a/b.rs"), p("/r/src/a/b/mod.rs")]
        );
    }

    #[test]
    fn path_attribute_is_relative_to_the_files_folder() {
        // In src/a/b.rs (non-mod-rs) and in src/a/mod.rs alike: src/a/foo.rs.
        let b = ModDir::for_file(&p("/r/src/a/b.rs"));
        assert_eq!(
            files(b.file_candidates("c", Some("foo.rs"))),
            vec![p("/r/src/a/foo.rs")]
        );
        let m = ModDir::for_file(&p("/r/src/a/mod.rs"));
        assert_eq!(
            files(m.file_candidates("c", Some("foo.rs"))),
            vec![p("/r/src/a/foo.rs")]
        );
        // A #[path] file is mod-rs-like: its children are beside it.
        let (_, child) = b.file_candidates("c", Some("x/foo.rs")).remove(0);
        assert_eq!(
            files(child.file_candidates("d", None))[0],
            p("/r/src/a/x/d.rs")
        );
    }

    #[test]
    fn path_inside_inline_module_follows_the_reference() {
        // Reference examples: `mod inline { #[path = "other.rs"] mod inner; }`
        // in src/a/b.rs -> src/a/b/inline/other.rs; in src/a/mod.rs -> src/a/inline/other.rs.
        let b = ModDir::for_file(&p("/src/a/b.rs"));
        let inline = b.inline_child("inline", None);
        assert_eq!(
            files(inline.file_candidates("inner", Some("other.rs"))),
            vec![p("/src/a/b/inline/other.rs")]
        );
        let m = ModDir::for_file(&p("/src/a/mod.rs"));
        let inline = m.inline_child("inline", None);
        assert_eq!(
            files(inline.file_candidates("inner", Some("other.rs"))),
            vec![p("/src/a/inline/other.rs")]
        );
        // `#[path = "thread_files"] mod thread { #[path = "tls.rs"] mod state; }` in
        // src/lib.rs -> src/thread_files/tls.rs.
        let root = ModDir::mod_rs(&p("/src/lib.rs"));
        let thread = root.inline_child("thread", Some("thread_files"));
        assert_eq!(
            files(thread.file_candidates("state", Some("tls.rs"))),
            vec![p("/src/thread_files/tls.rs")]
        );
    }

    #[test]
    fn inline_modules_nest_as_folders() {
        let b = ModDir::for_file(&p("/src/a/b.rs"));
        let x = b.inline_child("x", None).inline_child("y", None);
        assert_eq!(
            files(x.file_candidates("z", None)),
            vec![p("/src/a/b/x/y/z.rs"), p("/src/a/b/x/y/z/mod.rs")]
        );
    }
}
