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
            "mod#{i} {:?} parent={:?} lines={}-{} vis={:?}{}{}",
            m.name,
            m.parent,
            m.span.start,
            m.span.end,
            m.visibility,
            m.path_attr
                .as_ref()
                .map(|p| format!(" path={p}"))
                .unwrap_or_default(),
            if m.test { " test" } else { "" }
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
    check_with(src, true, expect);
}

/// [`check`], with or without test code.
#[track_caller]
fn check_with(src: &str, include_tests: bool, expect: &str) {
    let file = syn::parse_file(src).expect("test source parses");
    let macros = crate::hash::HashMap::default();
    let options = super::LowerOptions {
        include_tests,
        macros: &macros,
    };
    let actual = dump(&lower_file(&file, &options));
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

#[test]
fn items_signatures_fields_and_mappings() {
    check(
        r#"
/// Docs are not part of the span.
#[derive(Debug, serde::Serialize)]
#[cfg_attr(feature = "db", derive(sqlx::FromRow), sea_orm(table_name = "accounts"))]
pub struct Account<T: Clone> {
    pub id: AccountId,
    owner: Option<Vec<crate::users::User>>,
    extra: T,
}
pub(crate) enum Event { Opened { at: Time }, Closed(Reason), Unknown }
pub trait Store: Send {
    fn load(&self, id: AccountId) -> Result<Account<u8>, Error>;
}
impl<T: Clone> Store for Account<T> {
    async fn load<'a>(&'a self, id: AccountId) -> Result<Account<u8>, Error> where T: 'a { todo!() }
}
pub fn transfer(from: &mut Account<u8>, to: &dyn Store, amount: [u8; 4]) -> impl Iterator<Item = u8> + '_ {
    std::iter::empty()
}
"#,
        r#"
mod#0 "" parent=None lines=1-19 vis=Some(Private)
  item#0 Struct Account Public @5:12 lines=5-9 derives=[Debug,FromRow,Serialize] table=accounts@4
    field id: AccountId [type:AccountId@6]
    field owner: Option<Vec<crate::users::User>> [type:Option@7 type:Vec@7 type:crate::users::User@7]
    field extra: T []
    refs type:Clone@5 type:AccountId@6 type:Option@7 type:Vec@7 type:crate::users::User@7
  item#1 Enum Event Crate @10:17 lines=10-10
    field Opened.at: Time [type:Time@10]
    field Closed.0: Reason [type:Reason@10]
    refs type:Time@10 type:Reason@10
  item#2 Trait Store Public @11:11 lines=11-13
    refs type:Send@11
  item#3 Method load Public @12:8 lines=12-12 parent=#2
    sig fn load(&self, id: AccountId) -> Result<Account<u8>, Error>
    refs type:AccountId@12 type:Result@12 type:Account@12 type:u8@12 type:Error@12
  item#4 Impl impl Store for Account<T> Private @14:1 lines=14-16 self=Account trait=Store
    refs type:Clone@14
  item#5 Method load Private @15:14 lines=15-15 parent=#4
    sig async fn load<'a>(&'a self, id: AccountId) -> Result<Account<u8>, Error> where T: 'a
    refs type:AccountId@15 type:Result@15 type:Account@15 type:u8@15 type:Error@15 call:todo@15
  item#6 Function transfer Public @17:8 lines=17-19
    sig fn transfer(from: &mut Account<u8>, to: &dyn Store, amount: [u8; 4]) -> impl Iterator<Item = u8> + '_
    refs type:Account@17 type:u8@17 type:Store@17 type:u8@17 type:Iterator@17 type:u8@17 call:std::iter::empty@18
"#,
    );
}

#[test]
fn uses_are_flattened_and_body_uses_belong_to_their_item() {
    check(
        r#"
pub use ::ext::{self, a::{B as C, *}, d::e::{self as f}};
use crate::x::_Unused as _;
extern crate alloc as my_alloc;
fn body() {
    use super::y::Z;
    let _ = Z;
}
"#,
        r#"
mod#0 "" parent=None lines=1-8 vis=Some(Private)
  use ::ext Public in_item=None @2
  use ::ext::a::B as C Public in_item=None @2
  use ::ext::a::* Public in_item=None @2
  use ::ext::d::e as f Public in_item=None @2
  use crate::x::_Unused as _ Private in_item=None @3
  use ::alloc as my_alloc Private in_item=None @4
  use super::y::Z Private in_item=Some(0) @6
  item#0 Function body Private @5:4 lines=5-8
    sig fn body()
    refs call:Z@7
"#,
    );
}

#[test]
fn sql_literals_are_flagged_by_context() {
    check(
        r#"
fn f() {
    sqlx::query_as!(Row, "insert into t values (1)");
    client.query_one("LISTEN channel", &[]);
    let a = "  select 1";
    let b = "selection";
    let c = sqlx::query(r"SHOW TABLES");
    let d = "update: done";
    let e = QueryBuilder::<Sqlite>::new("INSERT INTO files (path) ");
}
"#,
        r#"
mod#0 "" parent=None lines=1-10 vis=Some(Private)
  item#0 Function f Private @2:4 lines=2-10
    sig fn f()
    refs call:sqlx::query_as@3 call:Row@3 call:client@4 call:sqlx::query@7 call:QueryBuilder::new@9 type:Sqlite@9
    sql "insert into t values (1)" @3 call=true
    sql "LISTEN channel" @4 call=true
    sql "  select 1" @5 call=false
    sql "SHOW TABLES" @7 call=true
    sql "INSERT INTO files (path) " @9 call=true
"#,
    );
}

#[test]
fn diesel_table_macros_and_module_level_macros() {
    check(
        r#"
table! {
    #[sql_name = "People"]
    public.persons (id) { id -> Int4, r#type -> Text, }
    pets { id -> Int4, }
}
lazy_static! { static ref POOL: crate::db::Pool = crate::db::connect("SELECT 1"); }
thread_local! { static CACHE: crate::cache::Cache = crate::cache::Cache::new(); }
"#,
        r#"
mod#0 "" parent=None lines=1-8 vis=Some(Private)
  table People (rust persons) [id,type] @4
  table pets (rust pets) [id] @5
  refs call:lazy_static@7 call:crate::db::Pool@7 call:crate::db::connect@7 call:thread_local@8
  sql "SELECT 1" @7 call=false
  item#0 Static CACHE Private @8:24 lines=8-8
    refs type:crate::cache::Cache@8 call:crate::cache::Cache::new@8
note macro-body-skipped @7 the body of `lazy_static!` was scanned as text
"#,
    );
}

#[test]
fn cfg_select_arms_expansions_and_test_code() {
    check_with(
        r#"
cfg_select! {
    unix => { pub mod sys; pub fn f() {} }
    _ => { pub mod sys; pub fn f() {} fn g() {} }
}
macro_rules! pair {
    ($a:ident, $b:ident) => { one!($a); one!($b); };
}
macro_rules! one {
    ($n:ident) => { pub struct $n; };
}

pair!(A, B);
one!(not an ident);
#[cfg(test)]
fn helper() {}
#[cfg(test)]
mod tests { mod deeper; fn t() {} }
"#,
        false,
        r#"
mod#0 "" parent=None lines=1-18 vis=Some(Private)
  decl sys Public @3:23
  refs call:cfg_select@2 call:pair@13 call:one@13 call:one@13 call:one@14
  item#0 Function f Public @3:35 lines=3-3
    sig fn f()
  item#1 Function g Private @4:42 lines=4-4
    sig fn g()
  item#2 Macro pair Private @6:14 lines=6-8
  item#3 Macro one Private @9:14 lines=9-11
  item#4 Struct A Public @13:1 lines=13-13
  item#5 Struct B Public @13:1 lines=13-13
mod#1 "tests" parent=Some(0) lines=18-18 vis=Some(Private) test
  decl deeper Private @18:17
note macro-not-expanded @14 `one!` was not expanded: no rule matches this call
note macro-body-skipped @14 the body of `one!` was scanned as text
"#,
    );
}

#[test]
fn impl_position_calls_of_own_macros_are_expanded_into_methods() {
    check(
        r#"
macro_rules! insert {
    ($table:ident, $from:ty) => {
        last!($table);
        const LIMIT: Limit = Limit(10);
        pub fn insert(conn: &Conn, new: $from) -> Self {
            diesel::insert_into($table::table).values(new).execute(conn);
            Self::last(conn)
        }
    };
}
macro_rules! last {
    ($table:ident) => {
        fn last(conn: &Conn) -> Self { $table::table.first(conn) }
    };
}
impl Post {
    pub fn title(&self) {}
    insert!(posts, NewPost);
    insert!(not a table);
}
"#,
        r#"
mod#0 "" parent=None lines=1-21 vis=Some(Private)
  item#0 Macro insert Private @2:14 lines=2-11
  item#1 Macro last Private @12:14 lines=12-16
  item#2 Impl impl Post Private @17:1 lines=17-21 self=Post
    refs call:insert@20 call:insert@19 type:Limit@19 call:Limit@19
  item#3 Method title Public @18:12 lines=18-18 parent=#2
    sig fn title(&self)
  item#4 Method last Private @19:5 lines=19-19 parent=#2
    sig fn last(conn: &Conn) -> Self
    refs type:Conn@19 type:Self@19 call:posts::table@19
  item#5 Method insert Public @19:5 lines=19-19 parent=#2
    sig fn insert(conn: &Conn, new: NewPost) -> Self
    refs type:Conn@19 type:NewPost@19 type:Self@19 call:diesel::insert_into@19 table:posts::table@19 call:Self::last@19
note macro-not-expanded @20 `insert!` was not expanded: no rule matches this call
note macro-body-skipped @20 the body of `insert!` was scanned as text
"#,
    );
}

#[test]
fn the_macros_a_definition_calls_are_found_in_its_text() {
    let body: proc_macro2::TokenStream =
        "($t:ident) => { last!($t); $crate::get!{$t} if a != b {} macro_rules! inner {} }"
            .parse()
            .unwrap();
    let text = body.to_string();
    assert_eq!(super::called_macros(&text), vec!["last", "get"]);
}
