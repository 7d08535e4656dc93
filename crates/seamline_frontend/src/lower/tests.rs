//! Tests of lowering: each lowers an inline source and compares a text dump of the
//! [`FileSyntax`] with the expected one.

use super::lower_file;
use crate::syntax::{FileSyntax, PathRef};
use std::fmt::Write;

fn refs(refs: &[PathRef]) -> String {
    refs.iter()
        .map(|r| format!("{}:{}@{}", r.kind, r.path.join("::"), r.line))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A stable text rendering of a file summary, one fact per line.
pub(crate) fn dump(fs: &FileSyntax) -> String {
    let mut out = String::new();
    let w = &mut out;
    for (i, m) in fs.modules.iter().enumerate() {
        let _ = writeln!(
            w,
            "mod#{i} {:?} parent={:?} lines={}-{} vis={:?}{}",
            m.name,
            m.parent,
            m.span.start,
            m.span.end,
            m.visibility,
            m.path_attr
                .as_ref()
                .map(|p| format!(" path={p}"))
                .unwrap_or_default()
        );
        for d in &m.mod_decls {
            let _ = writeln!(
                w,
                "  decl {} {:?} @{}:{}{}",
                d.name,
                d.visibility,
                d.line,
                d.col,
                d.path_attr
                    .as_ref()
                    .map(|p| format!(" path={p}"))
                    .unwrap_or_default()
            );
        }
        for u in &m.uses {
            let _ = writeln!(
                w,
                "  use {}{}{} {:?} in_item={:?} @{}",
                u.path.join("::"),
                if u.glob { "::*" } else { "" },
                u.rename
                    .as_ref()
                    .map(|r| format!(" as {r}"))
                    .unwrap_or_default(),
                u.visibility,
                u.in_item,
                u.line
            );
        }
        for t in &m.tables {
            let _ = writeln!(
                w,
                "  table {} (rust {}) [{}] @{}",
                t.name,
                t.rust_name,
                t.columns.join(","),
                t.line
            );
        }
        if !m.refs.is_empty() {
            let _ = writeln!(w, "  refs {}", refs(&m.refs));
        }
        for s in &m.sql {
            let _ = writeln!(w, "  sql {:?} @{} call={}", s.text, s.line, s.in_query_call);
        }
        for (j, it) in m.items.iter().enumerate() {
            let _ = write!(
                w,
                "  item#{j} {:?} {} {:?} @{}:{} lines={}-{}",
                it.kind, it.name, it.visibility, it.line, it.col, it.span.start, it.span.end
            );
            if let Some(p) = it.parent {
                let _ = write!(w, " parent=#{p}");
            }
            if let Some(s) = &it.impl_self {
                let _ = write!(w, " self={}", s.path.join("::"));
            }
            if let Some(t) = &it.impl_trait {
                let _ = write!(w, " trait={}", t.path.join("::"));
            }
            if !it.derives.is_empty() {
                let _ = write!(w, " derives=[{}]", it.derives.join(","));
            }
            if let Some(t) = &it.table_attr {
                let _ = write!(w, " table={}@{}", t.table, t.line);
            }
            let _ = writeln!(w);
            if let Some(s) = &it.signature {
                let _ = writeln!(w, "    sig {s}");
            }
            for f in &it.fields {
                let _ = writeln!(w, "    field {}: {} [{}]", f.name, f.ty, refs(&f.ty_paths));
            }
            if !it.refs.is_empty() {
                let _ = writeln!(w, "    refs {}", refs(&it.refs));
            }
            for s in &it.sql {
                let _ = writeln!(
                    w,
                    "    sql {:?} @{} call={}",
                    s.text, s.line, s.in_query_call
                );
            }
        }
    }
    for (code, line, msg) in &fs.notes {
        let _ = writeln!(w, "note {code} @{line} {msg}");
    }
    out
}

#[track_caller]
fn check(src: &str, expect: &str) {
    let file = syn::parse_file(src).expect("test source parses");
    let actual = dump(&lower_file(&file));
    if actual.trim() != expect.trim() {
        panic!(
            "lowering mismatch\n--- expected\n{}\n--- actual\n{}",
            expect.trim(),
            actual.trim()
        );
    }
}

#[test]
fn modules_are_listed_in_pre_order_with_parents_and_decls() {
    check(
        r#"
mod a;
pub mod b {
    pub(crate) mod c {
        #[path = "x/y.rs"]
        mod d;
    }
    #[cfg_attr(unix, path = "unix.rs")]
    #[cfg_attr(windows, path = "win.rs")]
    pub(super) mod sys;
}
#[path = "inl"]
mod e {}
"#,
        r#"
mod#0 "" parent=None lines=1-13 vis=Some(Private)
  decl a Private @2:5
mod#1 "b" parent=Some(0) lines=3-11 vis=Some(Public)
  decl sys Restricted @10:20 path=unix.rs
mod#2 "c" parent=Some(1) lines=4-7 vis=Some(Crate)
  decl d Private @6:13 path=x/y.rs
mod#3 "e" parent=Some(0) lines=13-13 vis=Some(Private) path=inl
note duplicate-module @10 module `sys` has several `#[path]` values (unix.rs, win.rs); the first one is used
"#,
    );
}
