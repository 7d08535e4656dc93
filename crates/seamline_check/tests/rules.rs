//! Rule evaluation on hand-built facts (no frontend): each test is a codebase, a
//! `seamline.toml` and the expected violations, one line each.

use std::collections::BTreeMap;

use seamline_check::{Assignment, Rule, Violation};
use seamline_config::{Level, Settings};
use seamline_ir as ir;
use seamline_test_utils::facts::FactsBuilder;

/// One line per violation: `severity[rule] file:line:col [contexts] message`.
fn lines(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| {
            let place = v.place.as_ref().map_or("-".to_owned(), |p| {
                format!("{}:{}:{}", p.file, p.line, p.col)
            });
            format!(
                "{}[{}] {place} [{}] {}\n",
                v.severity.as_str(),
                v.rule,
                v.contexts.join(","),
                v.message
            )
        })
        .collect()
}

#[track_caller]
fn check_with(
    facts: &ir::Facts,
    config: &str,
    overrides: &[(Rule, Level)],
    expect: &str,
) -> Vec<Violation> {
    let settings = Settings::parse(config, "seamline.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .check;
    let assignment = Assignment::declared(facts, &settings);
    let overrides: BTreeMap<Rule, Level> = overrides.iter().copied().collect();
    let options = seamline_check::CheckOptions {
        overrides: &overrides,
        root: ".",
    };
    let got = seamline_check::check(facts, &assignment, &settings, &options);
    assert_eq!(lines(&got), expect);
    got
}

#[track_caller]
fn check(facts: &ir::Facts, config: &str, expect: &str) -> Vec<Violation> {
    check_with(facts, config, &[], expect)
}

/// orders -> billing (call), catalog -> orders (type), orders -> catalog (call, and a read
/// of catalog's `products` table: catalog writes it, so catalog owns it), a kernel `util`
/// used by everyone, and `misc` outside every context.
fn shop() -> ir::Facts {
    let mut b = FactsBuilder::new("shop");
    let billing = b.module("shop::billing", "src/billing.rs", 20);
    let orders = b.module("shop::orders", "src/orders.rs", 20);
    let catalog = b.module("shop::catalog", "src/catalog.rs", 20);
    let util = b.module("shop::util", "src/util.rs", 5);
    let misc = b.module("shop::misc", "src/misc.rs", 5);
    let charge = b.item(billing, "charge", ir::ItemKind::Function, 4, None);
    let (invoice, _, _) = b.model(billing, "Invoice", &[]);
    let (order, _, _) = b.model(orders, "Order", &[]);
    let place = b.item(orders, "place", ir::ItemKind::Function, 4, None);
    let (product, _, _) = b.model(catalog, "Product", &[]);
    let list = b.item(catalog, "list", ir::ItemKind::Function, 4, None);
    let log = b.item(util, "log", ir::ItemKind::Function, 2, None);
    let stray = b.item(misc, "stray", ir::ItemKind::Function, 2, None);
    b.call(place, charge);
    b.reference(orders, Some(place), invoice, ir::DepKind::Type, 1);
    b.call(place, product);
    b.reference(catalog, Some(list), order, ir::DepKind::Type, 2);
    b.call(list, log);
    b.call(charge, log);
    b.call(stray, charge);
    let t = b.table("products", Some(product));
    b.access(place, t, ir::AccessMode::Read, 1);
    b.access(list, t, ir::AccessMode::Write, 1);
    b.finish()
}

const CONTEXTS: &str = r#"
[[contexts]]
name = "billing"
modules = ["shop::billing"]

[[contexts]]
name = "orders"
modules = ["src/orders.rs"]

[[contexts]]
name = "catalog"
modules = ["shop::catalog::**", "shop::catalog"]

[kernel]
modules = ["shop::util"]
"#;

#[test]
fn an_allow_list_forbids_every_unlisted_dependency_at_its_place() {
    let facts = shop();
    let config = format!(
        "{CONTEXTS}
[rules]
no_cycles = \"off\"
allow = [
    {{ from = \"orders\", to = \"billing\", reason = \"orders are paid\" }},
    {{ from = \"orders\", to = \"catalog\", reason = \"orders show products\" }},
]
"
    );
    let got = check(
        &facts,
        &config,
        "error[forbidden-dependency] src/catalog.rs:8:5 [catalog,orders] `catalog` depends on `orders`, which no `allow` entry permits
note[unassigned-module] src/misc.rs:1:1 [] module `shop::misc` belongs to no declared context
",
    );
    assert_eq!(
        got[0].notes,
        vec!["`shop::catalog::list` uses the type `shop::orders::Order`"]
    );
    assert!(
        got[0]
            .help
            .as_deref()
            .unwrap()
            .contains("{ from = \"catalog\", to = \"orders\", reason = \"...\" }")
    );
}

#[test]
fn a_deny_list_forbids_only_what_it_names_and_explains_why() {
    let facts = shop();
    let config = format!(
        "{CONTEXTS}
[rules]
no_cycles = \"off\"
deny = [{{ from = \"*\", to = \"orders\", reason = \"orders is downstream of everything\" }}]
"
    );
    let got = check_with(
        &facts,
        &config,
        &[(Rule::UnassignedModule, Level::Off)],
        "error[forbidden-dependency] src/catalog.rs:8:5 [catalog,orders] `catalog` depends on `orders`, which seamline.toml denies
",
    );
    assert_eq!(
        got[0].notes[1],
        "`*` -> `orders` is denied at seamline.toml:19:9: orders is downstream of everything"
    );
}

#[test]
fn an_allowance_that_matches_nothing_warns_at_its_line() {
    let facts = shop();
    let config = format!(
        "{CONTEXTS}
[rules]
no_cycles = \"off\"
unlisted = \"allow\"
allow = [{{ from = \"billing\", to = \"catalog\", reason = \"prices\" }}]
"
    );
    check_with(
        &facts,
        &config,
        &[(Rule::UnassignedModule, Level::Off)],
        "warning[unmatched-allowance] seamline.toml:20:10 [billing,catalog] the allowance `billing` -> `catalog` matches no dependency between contexts
",
    );
}

#[test]
fn cycles_point_at_the_weakest_edge() {
    let facts = shop();
    // orders -> catalog weighs 2 references (a call and a table access), catalog -> orders
    // 2 as well (one type reference used twice): the tie breaks by name.
    let got = check_with(
        &facts,
        CONTEXTS,
        &[(Rule::UnassignedModule, Level::Off)],
        "error[cross-context-cycle] src/catalog.rs:8:5 [catalog,orders] contexts `catalog`, `orders` depend on each other in a cycle
",
    );
    assert!(
        got[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("the weakest edge of the cycle is `catalog` -> `orders` (2 references)")
    );
    assert_eq!(
        got[0].notes[0],
        "`catalog` -> `orders`: 2 references, first at src/catalog.rs:8:5"
    );
}

#[test]
fn thresholds_fail_with_todays_value_at_the_config_line() {
    let facts = shop();
    let config = format!(
        "{CONTEXTS}
[rules]
no_cycles = \"off\"
max_shared_models = 1
max_shared_tables = {{ value = 0, severity = \"warning\" }}
max_cross_context_dependencies = 3
max_instability = {{ value = 0.6, severity = \"warning\" }}
min_modularity = 0.9
"
    );
    let got = check_with(
        &facts,
        &config,
        &[(Rule::UnassignedModule, Level::Off)],
        "error[too-many-shared-models] seamline.toml:19:21 [] 3 models are used outside the context that defines them, more than the 1 allowed
error[too-many-cross-context-dependencies] seamline.toml:21:34 [] 5 dependencies cross a context boundary, more than the 3 allowed
error[low-modularity] seamline.toml:23:18 [] the modularity Q of the contexts is -0.390, below the 0.9 required
warning[too-many-shared-tables] seamline.toml:20:21 [] 1 table is touched by more than one context, more than the 0 allowed
warning[unstable-context] seamline.toml:22:19 [orders] context `orders` has instability 0.67 (Ce 2 / (Ca 1 + Ce 2)), above the 0.6 allowed
",
    );
    assert!(
        got[0]
            .notes
            .contains(&"`shop::billing::Invoice` (billing) is used by orders".to_owned()),
        "{:?}",
        got[0].notes
    );
}

#[test]
fn a_module_pattern_that_matches_nothing_warns_at_its_place() {
    let facts = shop();
    let config = CONTEXTS.replace("\"shop::catalog::**\", ", "\"shop::catalogue::**\", ");
    check_with(
        &facts,
        &format!("{config}\n[rules]\nno_cycles = \"off\"\n"),
        &[(Rule::UnassignedModule, Level::Off)],
        "warning[unmatched-module-pattern] seamline.toml:12:12 [] the pattern \"shop::catalogue::**\" of context `catalog` matches no module
",
    );
}

#[test]
fn command_line_levels_override_the_config() {
    let facts = shop();
    check_with(
        &facts,
        CONTEXTS,
        &[(Rule::CrossContextCycle, Level::Warning), (Rule::UnassignedModule, Level::Off)],
        "warning[cross-context-cycle] src/catalog.rs:8:5 [catalog,orders] contexts `catalog`, `orders` depend on each other in a cycle
",
    );
}

#[test]
fn kernel_and_unassigned_modules_never_cross() {
    let facts = shop();
    let settings = Settings::parse(CONTEXTS, "seamline.toml").unwrap().check;
    let a = Assignment::declared(&facts, &settings);
    let described: Vec<String> = a
        .crossings()
        .iter()
        .map(|c| {
            format!(
                "{} -> {}: {}",
                a.name(c.from),
                a.name(c.to),
                seamline_check::assign::describe(c, &facts)
            )
        })
        .collect();
    assert_eq!(
        described,
        vec![
            "orders -> billing: `shop::orders::place` calls or constructs `shop::billing::charge`",
            "orders -> billing: `shop::orders::place` uses the type `shop::billing::Invoice`",
            "orders -> catalog: `shop::orders::place` touches table products",
            "orders -> catalog: `shop::orders::place` calls or constructs `shop::catalog::Product`",
            "catalog -> orders: `shop::catalog::list` uses the type `shop::orders::Order`",
        ]
    );
}

#[test]
fn init_allows_exactly_todays_dependencies_and_then_a_new_one_fails() {
    use seamline_cluster::contexts::{ContextOptions, propose};
    use seamline_graph::Granularity;
    let facts = seamline_test_utils::facts::layered_shop();
    let proposal = propose(&facts, &ContextOptions::standard(Granularity::Module));
    assert!(proposal.contexts.len() >= 2, "{}", proposal.dump(&facts));
    let text = seamline_check::template::init_config(&facts, &proposal, ".");
    let settings = Settings::parse(&text, "seamline.toml")
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .check;
    assert_eq!(settings.contexts.len(), proposal.contexts.len());
    let assignment = Assignment::declared(&facts, &settings);
    let none = BTreeMap::new();
    let options = seamline_check::CheckOptions {
        overrides: &none,
        root: ".",
    };
    let got = seamline_check::check(&facts, &assignment, &settings, &options);
    let errors: Vec<&Violation> = got
        .iter()
        .filter(|v| v.severity == ir::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{}\n{text}", lines(&got));
    assert!(
        !got.iter().any(|v| v.rule == Rule::UnassignedModule),
        "{}",
        lines(&got)
    );

    // A new dependency between two contexts that had none fails at its place.
    let edges: std::collections::BTreeSet<(u32, u32)> = assignment
        .crossings()
        .iter()
        .map(|c| (c.from.0, c.to.0))
        .collect();
    let n = assignment.names.len() as u32;
    let (from, to) = (0..n)
        .flat_map(|a| (0..n).map(move |b| (a, b)))
        .find(|&(a, b)| a != b && !edges.contains(&(a, b)))
        .expect("two contexts without a dependency");
    let item_in = |c: u32| {
        facts
            .items
            .iter()
            .find(|i| assignment.item(i.id) == seamline_check::assign::Slot::Context(c))
            .unwrap()
            .id
    };
    let (src, dst) = (item_in(from), item_in(to));
    let mut changed = facts.clone();
    let loc = ir::Location {
        file: changed.modules[changed.items[src.index()].module.index()].file,
        line: 77,
        col: 9,
    };
    changed.references.push(ir::Reference {
        from_module: changed.items[src.index()].module,
        from_item: Some(src),
        to: dst,
        kind: ir::DepKind::Call,
        count: 1,
        first: loc,
    });
    let got = seamline_check::check(
        &changed,
        &Assignment::declared(&changed, &settings),
        &settings,
        &options,
    );
    let forbidden: Vec<&Violation> = got
        .iter()
        .filter(|v| v.rule == Rule::ForbiddenDependency)
        .collect();
    assert_eq!(forbidden.len(), 1, "{}", lines(&got));
    let p = forbidden[0].place.as_ref().unwrap();
    assert_eq!((p.line, p.col), (77, 9));
    assert_eq!(forbidden[0].severity, ir::Severity::Error);
}
