//! Tests of resolution, as data: each lowers and resolves an inline fixture and compares
//! the lines of [`ir::Facts::dump`] whose kinds (`ref`, `external`, `item`, `field`,
//! `table`, `access`, `diag`) appear in the expectation.
//!
//! A fixture is one crate root file (`krate`, a lib, at `src/lib.rs`) with inline modules,
//! or several crates, each introduced by a line
//! `//- name [bin] [pkg=package] [deps=local=crate,...]`.

use super::{ResolveInput, resolve};
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
    let specs = parse_fixture(src);
    let mut specs_sorted: Vec<&CrateSpec> = specs.iter().collect();
    specs_sorted.sort_by(|a, b| a.name.cmp(&b.name));
    // Modules: (path, crate index, file index, parent path, syntax).
    let mut raw: Vec<RawModule> = Vec::new();
    let mut files = Vec::new();
    for (ci, spec) in specs_sorted.iter().enumerate() {
        let file = syn::parse_file(&spec.src).expect("fixture parses");
        let fs: FileSyntax = crate::lower::lower_file(&file);
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
    let resolved = resolve(ResolveInput {
        files: &files,
        crates: &crates,
        modules: &modules,
        bodies,
    });
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
