//! Tests of resolution, as data: each lowers and resolves an inline fixture and compares
//! the lines of [`ir::Facts::dump`] whose kinds (`ref`, `external`, `item`, `field`,
//! `table`, `access`, `diag`) appear in the expectation.
//!
//! A fixture is one crate root file (`krate`, a lib, at `src/lib.rs`) with inline modules,
//! or several crates, each introduced by a line
//! `//- name [bin] [pkg=package] [deps=local=crate,...]`.

use super::{CHUNK_ITEMS, ResolveInput, resolve_in_chunks};
use crate::syntax::{FileSyntax, ModSyntax};
use seamline_ir as ir;

struct CrateSpec {
    name: String,
    kind: ir::CrateKind,
    package: String,
    deps: Vec<(String, String)>,
    src: String,
}

fn parse_fixture(src: &str) -> Vec<CrateSpec> {
    if !src.trim_start().starts_with("//-") {
        return vec![CrateSpec {
            name: "krate".to_owned(),
            kind: ir::CrateKind::Lib,
            package: "krate".to_owned(),
            deps: Vec::new(),
            src: src.to_owned(),
        }];
    }
    let mut out: Vec<CrateSpec> = Vec::new();
    for line in src.lines() {
        if let Some(header) = line.strip_prefix("//-") {
            let mut words = header.split_whitespace();
            let name = words.next().expect("crate name").to_owned();
            let mut spec = CrateSpec {
                package: name.clone(),
                name,
                kind: ir::CrateKind::Lib,
                deps: Vec::new(),
                src: String::new(),
            };
            for w in words {
                if w == "bin" {
                    spec.kind = ir::CrateKind::Bin;
                } else if let Some(p) = w.strip_prefix("pkg=") {
                    spec.package = p.to_owned();
                } else if let Some(d) = w.strip_prefix("deps=") {
                    for dep in d.split(',') {
                        let (local, krate) = dep.split_once('=').unwrap_or((dep, dep));
                        spec.deps.push((local.to_owned(), krate.to_owned()));
                    }
                }
            }
            out.push(spec);
        } else if let Some(last) = out.last_mut() {
            last.src.push_str(line);
            last.src.push('\n');
        }
    }
    out
}

/// A module before ids: (path, crate index, file index, parent path, inline, syntax).
type RawModule = (String, usize, usize, Option<String>, bool, ModSyntax);

/// Lowers and resolves a fixture into facts (without lines of code).
pub(crate) fn facts_of(src: &str) -> ir::Facts {
    facts_in_chunks(src, CHUNK_ITEMS)
}

/// [`facts_of`], resolved in chunks of about `chunk_items` items.
fn facts_in_chunks(src: &str, chunk_items: usize) -> ir::Facts {
    let specs = parse_fixture(src);
    let mut specs_sorted: Vec<&CrateSpec> = specs.iter().collect();
    specs_sorted.sort_by(|a, b| a.name.cmp(&b.name));
    // Modules: (path, crate index, file index, parent path, syntax).
    let mut raw: Vec<RawModule> = Vec::new();
    let mut files = Vec::new();
    for (ci, spec) in specs_sorted.iter().enumerate() {
        let file = syn::parse_file(&spec.src).expect("fixture parses");
        let macros = crate::hash::HashMap::default();
        let options = crate::lower::LowerOptions {
            include_tests: true,
            macros: &macros,
        };
        let fs: FileSyntax = crate::lower::lower_file(&file, &options);
        let fi = files.len();
        files.push(ir::SourceFile {
            id: ir::FileId(fi as u32),
            path: format!("{}/src/lib.rs", spec.name),
            krate: Some(ir::CrateId(ci as u32)),
            module: None,
            lines: spec.src.lines().count() as u32,
            code_lines: 0,
            bytes: spec.src.len() as u64,
            analysed: true,
            orphan: false,
        });
        let mut paths: Vec<String> = Vec::new();
        for m in &fs.modules {
            let path = match m.parent {
                None => spec.name.clone(),
                Some(p) => format!("{}::{}", paths[p], m.name),
            };
            paths.push(path);
        }
        for (i, m) in fs.modules.into_iter().enumerate() {
            let parent = m.parent.map(|p| paths[p].clone());
            raw.push((paths[i].clone(), ci, fi, parent, i > 0, m));
        }
    }
    raw.sort_by(|a, b| a.0.cmp(&b.0));
    let index_of = |p: &str, raw: &[RawModule]| {
        raw.iter()
            .position(|r| r.0 == p)
            .map(|i| ir::ModuleId(i as u32))
    };
    let modules: Vec<ir::Module> = raw
        .iter()
        .enumerate()
        .map(|(i, r)| ir::Module {
            id: ir::ModuleId(i as u32),
            path: r.0.clone(),
            krate: ir::CrateId(r.1 as u32),
            file: ir::FileId(r.2 as u32),
            parent: r.3.as_deref().and_then(|p| index_of(p, &raw)),
            inline: r.4,
            span: r.5.span,
            code_lines: 0,
            items: Vec::new(),
        })
        .collect();
    let crates: Vec<ir::Crate> = specs_sorted
        .iter()
        .enumerate()
        .map(|(ci, spec)| ir::Crate {
            id: ir::CrateId(ci as u32),
            name: spec.name.clone(),
            package: Some(spec.package.clone()),
            manifest: Some(format!("{}/Cargo.toml", spec.package)),
            kind: spec.kind,
            root_file: Some(ir::FileId(ci as u32)),
            root_module: index_of(&spec.name, &raw),
            deps: spec
                .deps
                .iter()
                .map(|(local, krate)| ir::CrateDep {
                    local_name: local.clone(),
                    krate: ir::CrateId(
                        specs_sorted
                            .iter()
                            .position(|s| &s.name == krate)
                            .expect("dependency is a fixture crate") as u32,
                    ),
                })
                .collect(),
        })
        .collect();
    let bodies = raw.into_iter().map(|r| r.5).collect();
    let resolved = resolve_in_chunks(
        ResolveInput {
            files: &files,
            crates: &crates,
            modules: &modules,
            bodies,
        },
        chunk_items,
    );
    let mut modules = modules;
    for (m, items) in modules.iter_mut().zip(resolved.module_items) {
        m.items = items;
    }
    let facts = ir::Facts {
        root: ".".to_owned(),
        crates,
        files,
        modules,
        items: resolved.items,
        tables: resolved.tables,
        table_accesses: resolved.table_accesses,
        references: resolved.references,
        external: resolved.external,
        diagnostics: resolved.diagnostics,
    };
    facts.validate().expect("facts are valid");
    facts
}

/// Compares the dump lines of the kinds present in `expect`.
#[track_caller]
fn check(src: &str, expect: &str) {
    let facts = facts_of(src);
    let expect = expect.trim();
    let kinds: Vec<&str> = expect
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let actual: Vec<&str> = Vec::new();
    let dump = facts.dump();
    let mut actual = actual;
    for line in dump.lines() {
        let first = line.split_whitespace().next().unwrap_or("");
        if kinds.contains(&first) {
            actual.push(line.trim_end());
        }
    }
    let actual = actual.join("\n");
    let expect_norm: Vec<&str> = expect.lines().map(str::trim_end).collect();
    let expect_norm = expect_norm.join("\n");
    if actual != expect_norm {
        panic!(
            "resolution mismatch\n--- expected\n{expect_norm}\n--- actual\n{actual}\n--- full dump\n{dump}"
        );
    }
}

#[test]
fn use_of_a_sibling_module_item_via_super() {
    check(
        r#"
mod a { pub struct X; }
mod b {
    use super::a::X;
    fn f(x: X) -> X { x }
}
"#,
        r#"
ref krate::b -> krate::a::X import x1 krate/src/lib.rs:4
ref krate::b::f -> krate::a::X type x2 krate/src/lib.rs:5
"#,
    );
}

#[test]
fn use_groups_renames_and_self_are_flattened() {
    check(
        r#"
pub mod a {
    pub struct X;
    pub mod sub { pub struct Z; }
}
mod b {
    use crate::a::{self, X as Y, sub::{Z}};
    fn f(_: a::X, _: Y, _: Z) {}
}
"#,
        r#"
ref krate::b -> krate::a::X import x1 krate/src/lib.rs:7
ref krate::b -> krate::a::sub::Z import x1 krate/src/lib.rs:7
ref krate::b::f -> krate::a::X type x2 krate/src/lib.rs:8
ref krate::b::f -> krate::a::sub::Z type x1 krate/src/lib.rs:8
"#,
    );
}

#[test]
fn glob_imports_of_modules_and_enums() {
    check(
        r#"
pub mod model {
    pub struct Order;
    pub enum Status { Open, Closed(u8) }
}
mod logic {
    use crate::model::*;
    use Status::*;
    fn f(o: Order) -> bool {
        match status() { Open => true, Closed(_) => false }
    }
    fn status() -> Status { Open }
}
"#,
        r#"
ref krate::logic -> krate::model::Status import x1 krate/src/lib.rs:8
ref krate::logic::f -> krate::logic::status call x1 krate/src/lib.rs:10
ref krate::logic::f -> krate::model::Order type x1 krate/src/lib.rs:9
ref krate::logic::f -> krate::model::Status call x2 krate/src/lib.rs:10
ref krate::logic::status -> krate::model::Status type x1 krate/src/lib.rs:12
ref krate::logic::status -> krate::model::Status call x1 krate/src/lib.rs:12
"#,
    );
}

#[test]
fn crate_self_and_super_paths() {
    check(
        r#"
pub struct Root;
mod a {
    pub struct A;
    mod b {
        fn f() {
            let _ = crate::Root;
            let _ = super::A;
            let _ = super::super::Root;
            let _ = self::g();
        }
        fn g() {}
    }
}
"#,
        r#"
ref krate::a::b::f -> krate::Root call x2 krate/src/lib.rs:7
ref krate::a::b::f -> krate::a::A call x1 krate/src/lib.rs:8
ref krate::a::b::f -> krate::a::b::g call x1 krate/src/lib.rs:10
"#,
    );
}

#[test]
fn re_exports_are_followed_to_the_defining_item_and_cycles_end() {
    check(
        r#"
mod deep { pub mod inner { pub struct Thing; } }
pub mod facade { pub use crate::deep::inner::Thing; }
pub mod facade2 { pub use crate::facade::Thing as Renamed; }
mod loop_a { pub use crate::loop_b::Ghost; }
mod loop_b { pub use crate::loop_a::Ghost; }
mod user {
    use crate::facade2::Renamed;
    use crate::loop_a::Ghost;
    fn f(_: Renamed, _: Ghost) {}
}
"#,
        r#"
ref krate::facade -> krate::deep::inner::Thing import x1 krate/src/lib.rs:3
ref krate::facade2 -> krate::deep::inner::Thing import x1 krate/src/lib.rs:4
ref krate::user -> krate::deep::inner::Thing import x1 krate/src/lib.rs:8
ref krate::user::f -> krate::deep::inner::Thing type x1 krate/src/lib.rs:10
external krate::loop_a -> <unresolved>::crate::loop_b::Ghost x1
external krate::loop_b -> <unresolved>::crate::loop_a::Ghost x1
external krate::user -> <unresolved>::Ghost x1
external krate::user -> <unresolved>::crate::loop_a::Ghost x1
diag note unresolved-import krate/src/lib.rs:5 unresolved import `crate::loop_b::Ghost`
diag note unresolved-import krate/src/lib.rs:6 unresolved import `crate::loop_a::Ghost`
diag note unresolved-import krate/src/lib.rs:9 unresolved import `crate::loop_a::Ghost`
"#,
    );
}

#[test]
fn workspace_crates_by_local_name_and_bins_use_their_lib() {
    check(
        r#"
//- shop_core
pub mod model { pub struct Order; }
//- billing deps=core=shop_core
use core::model::Order;
pub fn bill(_: &Order) {}
pub fn direct(_: ::core::model::Order) {}
//- app bin pkg=billing
fn main() { billing::bill(todo!()); }
"#,
        r#"
ref app::main -> billing::bill call x1 app/src/lib.rs:1
ref billing -> shop_core::model::Order import x1 billing/src/lib.rs:1
ref billing::bill -> shop_core::model::Order type x1 billing/src/lib.rs:2
ref billing::direct -> shop_core::model::Order type x1 billing/src/lib.rs:3
"#,
    );
}

#[test]
fn relative_paths_through_child_and_imported_modules() {
    check(
        r#"
pub mod models {
    pub mod order { pub struct Order; pub fn new() -> Order { Order } }
}
mod handlers {
    use crate::models;
    fn a() -> models::order::Order { models::order::new() }
}
fn b() -> models::order::Order { todo!() }
"#,
        r#"
ref krate::b -> krate::models::order::Order type x1 krate/src/lib.rs:9
ref krate::handlers::a -> krate::models::order::Order type x1 krate/src/lib.rs:7
ref krate::handlers::a -> krate::models::order::new call x1 krate/src/lib.rs:7
ref krate::models::order::new -> krate::models::order::Order type x1 krate/src/lib.rs:3
ref krate::models::order::new -> krate::models::order::Order call x1 krate/src/lib.rs:3
"#,
    );
}

#[test]
fn uses_inside_function_bodies_are_scoped_to_the_function() {
    check(
        r#"
mod a { pub struct X; }
mod b {
    fn f() {
        use crate::a::X;
        let _x: X = X;
    }
    fn g(_: X) {}
}
"#,
        r#"
ref krate::b::f -> krate::a::X import x1 krate/src/lib.rs:5
ref krate::b::f -> krate::a::X type x1 krate/src/lib.rs:6
ref krate::b::f -> krate::a::X call x1 krate/src/lib.rs:6
external krate::b -> <unresolved>::X x1
"#,
    );
}

#[test]
fn self_type_methods_and_enum_variants() {
    check(
        r#"
pub struct Order { id: u32 }
impl Order {
    pub fn new() -> Self { Self { id: 0 } }
    pub fn copy(&self) -> Order { Self::new() }
}
pub enum Status { Open }
pub trait Repo { fn find(&self); }
fn f(r: &dyn Repo) {
    let _ = Order::new();
    let _ = Order::missing();
    let _ = Status::Open;
    Repo::find(r);
}
"#,
        r#"
item krate::Order Struct Public krate/src/lib.rs:2
item krate::<impl Order> Impl Private krate/src/lib.rs:3 parent=krate::Order
item krate::Order::new Method Public krate/src/lib.rs:4 parent=krate::<impl Order>
item krate::Order::copy Method Public krate/src/lib.rs:5 parent=krate::<impl Order>
item krate::Status Enum Public krate/src/lib.rs:7
item krate::Repo Trait Public krate/src/lib.rs:8
item krate::Repo::find Method Public krate/src/lib.rs:8 parent=krate::Repo
item krate::f Function Private krate/src/lib.rs:9
ref krate::<impl Order> -> krate::Order impl x1 krate/src/lib.rs:3
ref krate::Order::new -> krate::Order type x1 krate/src/lib.rs:4
ref krate::Order::new -> krate::Order call x1 krate/src/lib.rs:4
ref krate::Order::copy -> krate::Order type x1 krate/src/lib.rs:5
ref krate::Order::copy -> krate::Order::new call x1 krate/src/lib.rs:5
ref krate::f -> krate::Order call x1 krate/src/lib.rs:11
ref krate::f -> krate::Order::new call x1 krate/src/lib.rs:10
ref krate::f -> krate::Status call x1 krate/src/lib.rs:12
ref krate::f -> krate::Repo type x1 krate/src/lib.rs:9
ref krate::f -> krate::Repo::find call x1 krate/src/lib.rs:13
"#,
    );
}

#[test]
fn impl_trait_for_type_links_both_and_names_the_block() {
    check(
        r#"
mod model { pub struct Invoice; }
mod api {
    pub trait Render { fn render(&self) -> String; }
}
mod glue {
    use crate::api::Render;
    use crate::model::Invoice;
    impl Render for Invoice { fn render(&self) -> String { String::new() } }
    impl std::fmt::Display for Invoice {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) }
    }
}
"#,
        r#"
item krate::api::Render Trait Public krate/src/lib.rs:4
item krate::api::Render::render Method Public krate/src/lib.rs:4 parent=krate::api::Render
item krate::glue::<impl Render for Invoice> Impl Private krate/src/lib.rs:9 parent=krate::model::Invoice
item krate::glue::Invoice::render Method Private krate/src/lib.rs:9 parent=krate::glue::<impl Render for Invoice>
item krate::glue::<impl std::fmt::Display for Invoice> Impl Private krate/src/lib.rs:10 parent=krate::model::Invoice
item krate::glue::Invoice::fmt Method Private krate/src/lib.rs:11 parent=krate::glue::<impl std::fmt::Display for Invoice>
item krate::model::Invoice Struct Public krate/src/lib.rs:2
ref krate::glue -> krate::api::Render import x1 krate/src/lib.rs:7
ref krate::glue -> krate::model::Invoice import x1 krate/src/lib.rs:8
ref krate::glue::<impl Render for Invoice> -> krate::api::Render impl x1 krate/src/lib.rs:9
ref krate::glue::<impl Render for Invoice> -> krate::model::Invoice impl x1 krate/src/lib.rs:9
ref krate::glue::<impl std::fmt::Display for Invoice> -> krate::model::Invoice impl x1 krate/src/lib.rs:10
external krate::api -> std x1
external krate::glue -> std x6
"#,
    );
}

#[test]
fn fields_refer_to_models_and_ids_are_marked() {
    check(
        r#"
pub struct OrderId(u64);
pub type CustomerId = u64;
pub struct Customer;
pub struct Line { pub sku: String }
pub struct Order {
    pub id: OrderId,
    pub customer_id: CustomerId,
    pub customer: Option<Box<Customer>>,
    pub lines: Vec<Line>,
    pub tag_ids: Vec<u32>,
    pub parent: Option<OrderId>,
}
pub enum Event { Placed { order: Order }, Cancelled(OrderId) }
"#,
        r#"
item krate::OrderId Struct Public krate/src/lib.rs:2
  field 0: u64 -> []
item krate::CustomerId TypeAlias Public krate/src/lib.rs:3
item krate::Customer Struct Public krate/src/lib.rs:4
item krate::Line Struct Public krate/src/lib.rs:5
  field sku: String -> []
item krate::Order Struct Public krate/src/lib.rs:6
  field id: OrderId (id) -> [krate::OrderId]
  field customer_id: CustomerId (id) -> [krate::CustomerId]
  field customer: Option<Box<Customer>> -> [krate::Customer]
  field lines: Vec<Line> -> [krate::Line]
  field tag_ids: Vec<u32> (id) -> []
  field parent: Option<OrderId> (id) -> [krate::OrderId]
item krate::Event Enum Public krate/src/lib.rs:14
  field Placed.order: Order -> [krate::Order]
  field Cancelled.0: OrderId (id) -> [krate::OrderId]
"#,
    );
}

#[test]
fn generic_parameters_and_locals_are_not_references() {
    check(
        r#"
pub struct T;
pub struct Wrapper<T> { inner: T }
impl<T: Clone> Wrapper<T> {
    fn get<U>(&self, u: U) -> T where U: Into<T> {
        let x = self.inner.clone();
        let y = u;
        let _ = T::default;
        drop(y);
        x
    }
}
fn uses_struct_t(t: T) -> T { t }
"#,
        r#"
ref krate::<impl Wrapper<T>> -> krate::Wrapper impl x1 krate/src/lib.rs:4
ref krate::uses_struct_t -> krate::T type x2 krate/src/lib.rs:13
external krate -> std x3
"#,
    );
}

#[test]
fn unknown_names_are_external_or_unresolved() {
    check(
        r#"
use serde::Serialize;
fn f() -> Vec<String> {
    let _ = tokio::spawn(async {});
    let _ = Mystery::new();
    let _ = helper();
    let v: Option<u8> = None;
    println!("{:?}", v);
    ::anyhow::bail!("x");
    vec![]
}
#[derive(Serialize)]
struct S;
"#,
        r#"
external krate -> <unresolved>::Mystery x1
external krate -> <unresolved>::helper x1
external krate -> anyhow x1
external krate -> serde x1
external krate -> std x6
external krate -> tokio x1
"#,
    );
}

#[test]
fn diesel_schema_mapping_and_dsl_accesses() {
    check(
        r#"
pub mod schema {
    diesel::table! {
        use diesel::sql_types::*;
        users (id) {
            id -> Int4,
            #[sql_name = "full_name"]
            name -> Text,
        }
        #[sql_name = "order_rows"]
        orders (id) { id -> Int4, user_id -> Int4, }
    }
    diesel::joinable!(orders -> users (user_id));
    diesel::allow_tables_to_appear_in_same_query!(users, orders);
}
pub mod models {
    #[derive(Queryable, Insertable)]
    #[diesel(table_name = crate::schema::users)]
    pub struct User { pub id: i32 }
    #[derive(Queryable)]
    #[table_name = "orders"]
    pub struct Order { pub id: i32 }
}
mod repo {
    use crate::schema::users;
    use crate::schema::orders::dsl::*;
    fn list() { let _ = users::table.filter(users::name.eq("x")); }
    fn add() { diesel::insert_into(users::table).values(()); }
    fn count() { let _ = orders.filter(user_id.eq(1)); }
    fn wipe() { diesel::delete(orders.filter(id.eq(2))); }
}
"#,
        r#"
item krate::models::User Struct Public krate/src/lib.rs:19 table=users derives=[Insertable,Queryable]
item krate::models::Order Struct Public krate/src/lib.rs:22 table=order_rows derives=[Queryable]
item krate::repo::list Function Private krate/src/lib.rs:27
item krate::repo::add Function Private krate/src/lib.rs:28
item krate::repo::count Function Private krate/src/lib.rs:29
item krate::repo::wipe Function Private krate/src/lib.rs:30
item krate::schema::users TableSchema Public krate/src/lib.rs:5
item krate::schema::orders TableSchema Public krate/src/lib.rs:11
table order_rows defined=krate/src/lib.rs:11 columns=[id,user_id]
table users defined=krate/src/lib.rs:5 columns=[id,full_name]
access krate::models::User users Read Mapping x1 krate/src/lib.rs:18
access krate::models::Order order_rows Read Mapping x1 krate/src/lib.rs:21
access krate::repo order_rows Read Dsl x1 krate/src/lib.rs:26
access krate::repo::list users Read Dsl x2 krate/src/lib.rs:27
access krate::repo::add users Write Dsl x1 krate/src/lib.rs:28
access krate::repo::count order_rows Read Dsl x2 krate/src/lib.rs:29
access krate::repo::wipe order_rows Write Dsl x2 krate/src/lib.rs:30
ref krate::repo -> krate::schema::users import x1 krate/src/lib.rs:25
ref krate::repo -> krate::schema::orders import x1 krate/src/lib.rs:26
"#,
    );
}

#[test]
fn sql_in_query_macros_functions_methods_and_keyword_literals() {
    check(
        r##"
mod repo {
    async fn a(pool: &Pool) {
        sqlx::query!("SELECT id FROM users WHERE id = $1", 1);
        sqlx::query_as!(User, "update users set name = $1", "x");
        let _ = sqlx::query_scalar("select count(*) from orders");
        conn.execute("INSERT INTO audit (msg) VALUES (?1)", params![]);
        let q = r#"
            DELETE FROM sessions WHERE expired
        "#;
        let _ = diesel::sql_query(format!("SELECT * FROM {}", "x"));
        let prose = "Select the thing you want from the list";
        conn.prepare("SELEKT broken FROM carts ((");
    }
}
"##,
        r#"
table audit defined=- columns=[]
table carts defined=- columns=[]
table orders defined=- columns=[]
table sessions defined=- columns=[]
table users defined=- columns=[]
access krate::repo::a audit Write Sql x1 krate/src/lib.rs:7
access krate::repo::a carts Read Sql x1 krate/src/lib.rs:13
access krate::repo::a orders Read Sql x1 krate/src/lib.rs:6
access krate::repo::a sessions Write Sql x1 krate/src/lib.rs:8
access krate::repo::a users Read Sql x1 krate/src/lib.rs:4
access krate::repo::a users Write Sql x1 krate/src/lib.rs:5
diag note sql-unparsed krate/src/lib.rs:13 SQL not understood by the parser; tables found by a scan: carts
"#,
    );
}

#[test]
fn macro_bodies_are_searched_for_paths() {
    check(
        r#"
pub mod model { pub struct Order; pub fn total() -> u32 { 0 } }
#[macro_export]
macro_rules! order { () => { $crate::model::Order } }
mod ui {
    fn f() {
        let v = vec![crate::model::Order, crate::model::Order];
        println!("{}", crate::model::total());
        my_json!({ "order": crate::model::total() });
        let _ = order!();
    }
}
"#,
        r#"
ref krate::order -> krate::model::Order call x1 krate/src/lib.rs:4
ref krate::ui::f -> krate::order call x1 krate/src/lib.rs:10
ref krate::ui::f -> krate::model::Order call x2 krate/src/lib.rs:7
ref krate::ui::f -> krate::model::total call x2 krate/src/lib.rs:8
external krate::ui -> <unresolved>::my_json x1
external krate::ui -> std x2
"#,
    );
}

#[test]
fn items_get_stable_paths_even_when_names_repeat() {
    check(
        r#"
pub struct A;
impl A { fn f(&self) {} }
impl Clone for A { fn clone(&self) -> Self { A } }
#[cfg(unix)]
fn g() {}
#[cfg(not(unix))]
fn g() {}
impl A { fn f(&self) {} }
"#,
        r#"
item krate::A Struct Public krate/src/lib.rs:2
item krate::<impl A> Impl Private krate/src/lib.rs:3 parent=krate::A
item krate::A::f Method Private krate/src/lib.rs:3 parent=krate::<impl A>
item krate::<impl Clone for A> Impl Private krate/src/lib.rs:4 parent=krate::A
item krate::A::clone Method Private krate/src/lib.rs:4 parent=krate::<impl Clone for A>
item krate::g Function Private krate/src/lib.rs:6
item krate::g#2 Function Private krate/src/lib.rs:8
item krate::<impl A>#2 Impl Private krate/src/lib.rs:9 parent=krate::A
item krate::A::f#2 Method Private krate/src/lib.rs:9 parent=krate::<impl A>#2
"#,
    );
}

#[test]
fn odd_syntax_never_panics() {
    // Every construct here is legal for syn; the point is that lowering and resolution
    // survive them and still find the plain reference at the end.
    let src = r#"
#![allow(unused)]
use ::{self as root_alias};
use self::{*};
use super::*;
use crate::*;
use r#type::r#struct as _;
mod r#type { pub struct r#struct; pub use super::*; pub use self::*; }
extern crate self as me;
extern crate alloc as a;
type Weird<'a, const N: usize, T: ?Sized + 'a> = &'a [Box<dyn Fn(&T) -> [u8; N] + 'a>; N];
fn q<T: Iterator<Item = <T as IntoIterator>::Item>>(t: T) -> impl Fn() -> <T as Iterator>::Item { || todo!() }
impl<T> r#type::r#struct where T: Copy {}
impl !Send for Nothing {}
unsafe impl Sync for Nothing {}
const _: () = { struct Hidden; impl Hidden { fn x() {} } };
static S: &str = "UPDATE";
macro_rules! m { ($($t:tt)*) => { $crate::missing::path!($($t)*) } }
m! { fn generated() {} }
lazy_static::lazy_static! { static ref X: Vec<crate::r#type::r#struct> = vec![]; }
union U { a: u32, b: f32 }
extern "C" { fn ext(x: *const u8) -> i32; static E: u8; }
trait Tr where Self: Sized { type A: Tr<A = Self::A>; const C: u8 = 1; fn d() -> Self::A; }
enum En { A = 1 << 2, B { x: [u8; 3] }, C(fn(u8) -> u8) }
fn pats(x: En) { match x { En::A | En::B { .. } if true => {}, En::C(f) => { let En::C(_) = x else { return }; } } }
fn closure() { let f = |a: u8, (b, c): (u8, u8)| a + b + c; let _ = f(1, (2, 3)); }
fn nested() { fn inner() { struct Local; let _ = Local; } mod m2 { } }
async fn asy() { async move { }.await; let _ = async || 1; }
fn strings() { let _ = b"SELECT x FROM y"; let _ = c"SELECT"; let _ = "WITH"; let _ = 'a'; }
fn bad_macro() { unknown!(@#$%^&* "DELETE FROM ghosts" ::a::b!c); }
fn last(_: r#type::r#struct) {}
"#;
    let facts = facts_of(src);
    let dump = facts.dump();
    assert!(
        dump.contains("ref krate::last -> krate::type::struct type x1"),
        "{dump}"
    );
    assert!(dump.contains("item krate::generated Function"), "{dump}");
    assert!(dump.contains("item krate::U Union"), "{dump}");
    assert!(dump.contains("item krate::ext Function"), "{dump}");
}

#[test]
fn deeply_nested_expressions_do_not_overflow_in_a_big_stack_thread() {
    let depth = 3000;
    let src = format!(
        "fn f() -> u32 {{ {}1{} }}\nstruct S;\nfn g(_: S) {{}}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let facts = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || facts_of(&src))
        .expect("thread starts")
        .join()
        .expect("no panic");
    assert!(facts.dump().contains("ref krate::g -> krate::S type x1"));
}

#[test]
fn exported_macros_live_at_the_crate_root_and_unknown_imports_are_external() {
    check(
        r#"
mod macros {
    #[macro_export]
    macro_rules! shout { () => {} }
    pub use helper_crate::whisper as quiet;
}
mod user {
    use crate::shout;
    use crate::macros::quiet;
    fn f() { shout!(); quiet!(); crate::shout!(); }
}
"#,
        r#"
ref krate::user -> krate::macros::shout import x1 krate/src/lib.rs:8
ref krate::user::f -> krate::macros::shout call x2 krate/src/lib.rs:10
external krate::macros -> helper_crate x1
external krate::user -> helper_crate x2
"#,
    );
}

#[test]
fn names_from_external_globs_and_local_external_uses_are_external() {
    check(
        r#"
mod repo {
    use diesel::prelude::*;
    pub fn f(conn: &mut PgConnection) -> Option<u8> {
        use sha2::{Digest, Sha256};
        let _ = Sha256::new();
        None
    }
}
mod other {
    fn g() -> Option<crate::repo::Missing> { None }
}
"#,
        r#"
external krate::other -> <unresolved>::crate::repo::Missing x1
external krate::other -> std x2
external krate::repo -> diesel x2
external krate::repo -> sha2 x3
external krate::repo -> std x2
"#,
    );
}

#[test]
fn prelude_names_are_std_unless_shadowed_and_self_in_traits_is_the_trait() {
    check(
        r#"
mod errors { pub enum Result { Good } pub struct Vec; }
mod a {
    use crate::errors::Result;
    fn f() -> Result { let _: Option<Vec<u8>> = None; Result::Good }
}
pub trait Shape {
    fn area(&self) -> f64;
    fn double(&self) -> f64 { Self::area(self) * 2.0 }
}
fn pats(p: Point) { let Point { x, .. } = p; if let Some(Point(_)) = None::<Point> {} let _ = x; }
pub struct Point(u8);
"#,
        r#"
ref krate::Shape::double -> krate::Shape::area call x1 krate/src/lib.rs:9
ref krate::pats -> krate::Point type x2 krate/src/lib.rs:11
ref krate::pats -> krate::Point call x2 krate/src/lib.rs:11
ref krate::a -> krate::errors::Result import x1 krate/src/lib.rs:4
ref krate::a::f -> krate::errors::Result type x1 krate/src/lib.rs:5
ref krate::a::f -> krate::errors::Result call x1 krate/src/lib.rs:5
external krate -> std x2
external krate::a -> std x3
"#,
    );
}

#[test]
fn glob_cycles_between_the_root_and_its_children_resolve_siblings() {
    // The objc2 layout: the root re-exports every child with a glob and every child
    // imports the root with a glob, plus external globs. Searches must end, and a child
    // sees its siblings' items through the root.
    let mut src =
        String::from("pub use self::m0::*;\npub use self::m1::*;\npub use self::m2::*;\n");
    for i in 0..3 {
        src.push_str(&format!(
            "mod m{i} {{\n    use ext_a::*;\n    use crate::*;\n    use ext_b::*;\n    pub struct T{i};\n    pub fn f{i}(_: T{}, _: Unknown{i}) {{}}\n}}\n",
            (i + 1) % 3
        ));
    }
    check(
        &src,
        r#"
ref krate::m0::f0 -> krate::m1::T1 type x1 krate/src/lib.rs:9
ref krate::m1::f1 -> krate::m2::T2 type x1 krate/src/lib.rs:16
ref krate::m2::f2 -> krate::m0::T0 type x1 krate/src/lib.rs:23
external krate::m0 -> ext_a x2
external krate::m0 -> ext_b x1
external krate::m1 -> ext_a x2
external krate::m1 -> ext_b x1
external krate::m2 -> ext_a x2
external krate::m2 -> ext_b x1
"#,
    );
}

#[test]
fn the_answer_does_not_depend_on_how_the_work_is_split() {
    // Chunks resolve with their own caches, so what is memoized must not depend on the
    // order of the questions: glob cycles (every child imports the root, the root
    // re-exports every child), external globs, names found nowhere, re-exports and methods,
    // split many ways. (Thread counts cannot change the answer in any case: chunks depend
    // on the input only.)
    let mut src = String::from("pub mod prelude { pub use crate::m3::T3 as Renamed; }\n");
    for i in 0..8 {
        src.push_str(&format!("pub use self::m{i}::*;\n"));
    }
    for i in 0..8 {
        src.push_str(&format!(
            "mod m{i} {{\n    use ext_a::*;\n    use crate::*;\n    use crate::prelude::*;\n    pub struct T{i};\n    impl T{i} {{ pub fn new() -> Self {{ T{i} }} }}\n    pub fn f{i}(_: T{}, _: Unknown{i}, _: Renamed) {{ T{}::new(); missing(); g{}(); }}\n    fn g{i}() {{}}\n}}\n",
            (i + 1) % 8,
            (i + 3) % 8,
            (i + 5) % 8,
        ));
    }
    let whole = facts_in_chunks(&src, usize::MAX).dump();
    assert!(
        whole.contains("ref krate::m0::f0 -> krate::m1::T1 type"),
        "{whole}"
    );
    for chunk_items in [1, 2, 3, 5, 8] {
        assert_eq!(
            facts_in_chunks(&src, chunk_items).dump(),
            whole,
            "chunks of {chunk_items}"
        );
    }
}

#[test]
fn types_and_values_have_separate_namespaces() {
    // fixtures/shop's stock_repo: `pub fn warehouses` next to the imported schema module
    // `warehouses`; `warehouses::table` walks into the table, `warehouses(c)` calls the fn.
    check(
        r#"
pub mod schema {
    diesel::table! { warehouses (id) { id -> Int4, is_active -> Bool, } }
}
mod repo {
    use crate::schema::warehouses;
    pub fn warehouses() { let _ = warehouses::table.filter(warehouses::is_active.eq(true)); }
    fn again() { warehouses(); }
}
mod both {
    pub mod thing { pub struct T; }
    pub fn thing() {}
    fn f(_: thing::T) { thing(); }
}
"#,
        r#"
access krate::repo::warehouses warehouses Read Dsl x2 krate/src/lib.rs:7
ref krate::both::f -> krate::both::thing call x1 krate/src/lib.rs:13
ref krate::both::f -> krate::both::thing::T type x1 krate/src/lib.rs:13
ref krate::repo -> krate::schema::warehouses import x1 krate/src/lib.rs:6
ref krate::repo::again -> krate::repo::warehouses call x1 krate/src/lib.rs:8
"#,
    );
}

#[test]
fn tracing_field_keys_are_not_paths() {
    check(
        r#"
pub mod model { pub fn total() -> u32 { 0 } pub struct Order; }
mod svc {
    use crate::model::{total, Order};
    fn f(x: u32, n: u32) {
        tracing::info!(kind = %x, released = n, order.total = ?total(), "msg {}", n);
        tracing::warn!(target: "shop", ?x, %n, "ok");
        log::error!("{} {:?}", x, Order);
        tracing::event!(tracing::Level::INFO, "weird" = crate::model::total());
    }
}
"#,
        r#"
ref krate::svc -> krate::model::total import x1 krate/src/lib.rs:4
ref krate::svc -> krate::model::Order import x1 krate/src/lib.rs:4
ref krate::svc::f -> krate::model::total call x2 krate/src/lib.rs:6
ref krate::svc::f -> krate::model::Order call x1 krate/src/lib.rs:8
external krate::svc -> log x1
external krate::svc -> tracing x4
"#,
    );
}

#[test]
fn merged_counts_add_up_and_keep_the_earliest_location_in_order_or_not() {
    use std::collections::BTreeMap;
    let loc = |line| ir::Location {
        file: ir::FileId(0),
        line,
        col: 1,
    };
    let map = |entries: &[(u32, u32, u32)]| -> BTreeMap<u32, (u32, ir::Location)> {
        entries.iter().map(|&(k, n, l)| (k, (n, loc(l)))).collect()
    };
    // Keys after those already there: joined.
    let joined = super::merge_counts(vec![map(&[(1, 2, 10), (2, 1, 5)]), map(&[(3, 4, 7)])]);
    assert_eq!(joined, map(&[(1, 2, 10), (2, 1, 5), (3, 4, 7)]));
    // Overlapping keys: counts summed, the earliest location kept, whichever chunk has it.
    let overlapping = super::merge_counts(vec![
        map(&[(1, 2, 10), (2, 1, 5), (3, 4, 7)]),
        map(&[(0, 1, 1), (2, 3, 2), (3, 1, 9)]),
        map(&[(2, 1, 3)]),
    ]);
    assert_eq!(
        overlapping,
        map(&[(0, 1, 1), (1, 2, 10), (2, 5, 2), (3, 5, 7)])
    );
    // Nothing, or one chunk alone.
    assert_eq!(super::merge_counts::<u32>(Vec::new()), BTreeMap::new());
    assert_eq!(
        super::merge_counts(vec![BTreeMap::new(), map(&[(5, 1, 1)])]),
        map(&[(5, 1, 1)])
    );
}
