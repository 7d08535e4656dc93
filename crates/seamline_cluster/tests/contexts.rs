//! Tests of `contexts::propose` and friends on hand-built facts: naming, kernel, cycles,
//! shared models and tables, constraints, fragment merging, determinism, baselines and
//! evaluation. The toy is `seamline_test_utils::facts::layered_shop`: routes, services,
//! repositories and models folders, each with an `orders` and a `billing` module.

use std::collections::BTreeMap;

use seamline_cluster::contexts::{self, ContextOptions, Proposal, Truth};
use seamline_graph::Granularity;
use seamline_ir as ir;
use seamline_test_utils::facts::layered_shop;

#[track_caller]
fn check(facts: &ir::Facts, options: &ContextOptions) -> Proposal {
    facts.validate().expect("hand-built facts are valid");
    contexts::propose(facts, options)
}

fn item(facts: &ir::Facts, path: &str) -> ir::ItemId {
    facts
        .items
        .iter()
        .find(|i| i.path == path)
        .unwrap_or_else(|| panic!("no item {path}"))
        .id
}

fn module(facts: &ir::Facts, path: &str) -> ir::ModuleId {
    facts
        .modules
        .iter()
        .find(|m| m.path == path)
        .unwrap_or_else(|| panic!("no module {path}"))
        .id
}

/// The name of the context holding an item (`<kernel>` for none).
fn context_of(p: &Proposal, facts: &ir::Facts, path: &str) -> String {
    p.map.item_context[item(facts, path).index()]
        .map(|c| p.contexts[c.index()].name.clone())
        .unwrap_or_else(|| "<kernel>".to_owned())
}

/// The names `name_contexts` gives contexts made of these items (on the item graph).
fn names_of(
    facts: &ir::Facts,
    items_of: &[&[ir::ItemId]],
    declared: &[Option<String>],
) -> Vec<String> {
    let graph = seamline_graph::DepGraph::build(
        facts,
        &seamline_graph::GraphOptions::standard(Granularity::Item),
    );
    let members: Vec<Vec<seamline_graph::NodeId>> = items_of
        .iter()
        .map(|items| {
            items
                .iter()
                .map(|&i| graph.node_of_item(i).unwrap())
                .collect()
        })
        .collect();
    contexts::name_contexts(facts, &graph, &members, declared)
}

fn names(p: &Proposal) -> Vec<&str> {
    p.contexts.iter().map(|c| c.name.as_str()).collect()
}

fn add_call(facts: &mut ir::Facts, from: &str, to: &str) {
    let from = item(facts, from);
    let to = item(facts, to);
    let it = &facts.items[from.index()];
    facts.references.push(ir::Reference {
        from_module: it.module,
        from_item: Some(from),
        to,
        kind: ir::DepKind::Call,
        count: 1,
        first: it.location,
    });
    facts
        .references
        .sort_by_key(|r| (r.from_module, r.from_item, r.to, r.kind));
}

#[test]
fn a_layered_two_domain_shop_splits_into_its_domains() {
    let facts = layered_shop();
    for granularity in [Granularity::Item, Granularity::Module] {
        let p = check(&facts, &ContextOptions::standard(granularity));
        assert_eq!(names(&p), vec!["billing", "order"], "{granularity:?}");
        for path in [
            "shop::routes::billing::pay_invoice",
            "shop::services::billing::refund",
            "shop::repositories::billing::find_invoice",
            "shop::models::invoice::Invoice",
        ] {
            assert_eq!(
                context_of(&p, &facts, path),
                "billing",
                "{path} at {granularity:?}"
            );
        }
        for path in [
            "shop::routes::orders::create_order",
            "shop::services::orders::cancel_order",
            "shop::repositories::orders::save_order",
            "shop::models::order::Order",
            // Methods follow their type.
            "shop::models::order::Order::total",
        ] {
            assert_eq!(
                context_of(&p, &facts, path),
                "order",
                "{path} at {granularity:?}"
            );
        }
        // Module contexts agree with their items.
        let billing = p.map.module_context[module(&facts, "shop::services::billing").index()];
        assert_eq!(
            billing.map(|c| p.contexts[c.index()].name.as_str()),
            Some("billing")
        );
        assert_eq!(p.provenance.granularity, granularity);
        assert!(p.provenance.runs > 0);
    }
}

#[test]
fn the_module_everyone_uses_is_the_shared_kernel() {
    let facts = layered_shop();
    let p = check(&facts, &ContextOptions::standard(Granularity::Item));
    let error = module(&facts, "shop::error");
    let at = p
        .kernel_modules
        .iter()
        .position(|&m| m == error)
        .expect("error is kernel");
    assert!(
        p.kernel_reasons[at].contains("used from 6 of 6 modules"),
        "{}",
        p.kernel_reasons[at]
    );
    assert_eq!(context_of(&p, &facts, "shop::error::AppError"), "<kernel>");
    assert_eq!(p.map.module_context[error.index()], None);
    // `mod.rs` files without items are plumbing, also set aside.
    assert!(p.kernel_modules.contains(&module(&facts, "shop::routes")));
    // Only the kernel's model is shared by both contexts, with no owner.
    let app_error = item(&facts, "shop::error::AppError");
    let shared = p
        .metrics
        .shared_models
        .iter()
        .find(|s| s.model == app_error)
        .expect("AppError is shared");
    assert_eq!(shared.owner, None);
    assert_eq!(shared.used_by.len(), 2);
}

#[test]
fn shared_models_and_tables_are_reported_with_owner_and_accesses() {
    let facts = layered_shop();
    let p = check(&facts, &ContextOptions::standard(Granularity::Item));
    let order = item(&facts, "shop::models::order::Order");
    let shared = p
        .metrics
        .shared_models
        .iter()
        .find(|s| s.model == order)
        .expect("Order is shared");
    let ctx = |name: &str| {
        p.contexts
            .iter()
            .find(|c| c.name == name)
            .expect("context")
            .id
    };
    assert_eq!(shared.owner, Some(ctx("order")));
    assert_eq!(shared.used_by, vec![ctx("billing")]);
    let orders_table = facts
        .tables
        .iter()
        .find(|t| t.name == "orders")
        .expect("table")
        .id;
    let table = p
        .metrics
        .shared_tables
        .iter()
        .find(|t| t.table == orders_table)
        .expect("orders is shared");
    assert_eq!(table.owner, Some(ctx("order")));
    // Billing's refund reads once; orders reads once (find_order) and writes twice (save_order).
    assert_eq!(
        table.accesses,
        vec![(ctx("billing"), 1, 0), (ctx("order"), 1, 2)]
    );
    assert_eq!(
        p.metrics.shared_tables.len(),
        1,
        "invoices is billing's alone"
    );
    assert!(
        p.contexts[ctx("order").index()]
            .metrics
            .owned_tables
            .contains(&orders_table)
    );
    // The interface of orders is what billing uses.
    let interface = &p.contexts[ctx("order").index()].metrics.interface;
    let mut expected = vec![
        item(&facts, "shop::repositories::orders::find_order"),
        order,
    ];
    expected.sort();
    assert_eq!(interface, &expected);
}

#[test]
fn a_cycle_between_contexts_is_reported_with_its_edges() {
    let mut facts = layered_shop();
    let acyclic = check(&facts, &ContextOptions::standard(Granularity::Item));
    assert!(acyclic.metrics.cycles.is_empty());
    assert_eq!(acyclic.metrics.context_edges.len(), 1);
    // Orders now calls back into billing.
    add_call(
        &mut facts,
        "shop::services::orders::place_order",
        "shop::services::billing::charge",
    );
    let p = check(&facts, &ContextOptions::standard(Granularity::Item));
    assert_eq!(names(&p), vec!["billing", "order"]);
    assert_eq!(p.metrics.cycles.len(), 1);
    let cycle = &p.metrics.cycles[0];
    assert_eq!(cycle.contexts.len(), 2);
    assert_eq!(cycle.edges.len(), 2);
    let back = &p.metrics.context_edges[cycle
        .edges
        .iter()
        .copied()
        .find(|&e| p.contexts[p.metrics.context_edges[e].from.index()].name == "order")
        .expect("order -> billing")];
    assert_eq!(back.counts[2], 1, "one call");
    let ev = &back.evidence[0];
    assert_eq!(
        ev.to_item,
        Some(item(&facts, "shop::services::billing::charge"))
    );
    assert_eq!(
        ev.from_item,
        Some(item(&facts, "shop::services::orders::place_order"))
    );
    assert_eq!(
        facts.files[ev.location.file.index()].path,
        "src/services/orders.rs"
    );
}

#[test]
fn pins_name_and_seed_contexts() {
    let facts = layered_shop();
    let mut options = ContextOptions::standard(Granularity::Item);
    options.constraints.pins = vec![
        ("shop::models::**".to_owned(), "data".to_owned()),
        ("src/routes/billing.rs".to_owned(), "payments".to_owned()),
    ];
    let p = check(&facts, &options);
    let data = p
        .contexts
        .iter()
        .find(|c| c.name == "data")
        .expect("declared context");
    assert!(data.declared);
    assert_eq!(context_of(&p, &facts, "shop::models::order::Order"), "data");
    assert_eq!(
        context_of(&p, &facts, "shop::models::invoice::Invoice"),
        "data"
    );
    assert_eq!(
        context_of(&p, &facts, "shop::routes::billing::pay_invoice"),
        "payments"
    );
    assert_eq!(
        context_of(&p, &facts, "shop::routes::billing::get_invoice"),
        "payments"
    );
    assert!(p.constraint_notes.is_empty(), "{:?}", p.constraint_notes);
}

#[test]
fn together_and_apart_are_honoured() {
    let facts = layered_shop();
    let mut options = ContextOptions::standard(Granularity::Item);
    options.constraints.together = vec![(
        "shop::services::billing::refund".to_owned(),
        "shop::services::orders::*".to_owned(),
    )];
    options.constraints.apart = vec![(
        "shop::services::billing::charge".to_owned(),
        "shop::repositories::billing::save_invoice".to_owned(),
    )];
    let p = check(&facts, &options);
    assert_eq!(
        context_of(&p, &facts, "shop::services::billing::refund"),
        context_of(&p, &facts, "shop::services::orders::place_order")
    );
    assert_ne!(
        context_of(&p, &facts, "shop::services::billing::charge"),
        context_of(&p, &facts, "shop::repositories::billing::save_invoice")
    );
    // A rule that matches nothing is reported, not silently ignored.
    options.constraints.apart = vec![("shop::nothing".to_owned(), "shop::error".to_owned())];
    let p = check(&facts, &options);
    assert_eq!(p.constraint_notes.len(), 1, "{:?}", p.constraint_notes);
}

#[test]
fn fragments_below_the_minimum_size_join_their_strongest_neighbour() {
    let mut b = seamline_test_utils::facts::FactsBuilder::new("toy");
    // Two dense domains of six functions each and a two-function fragment hanging off `a`.
    let mut domains = Vec::new();
    for name in ["alpha", "beta"] {
        let m = b.module(&format!("toy::{name}"), &format!("src/{name}.rs"), 60);
        let funcs: Vec<ir::ItemId> = (0..6)
            .map(|i| b.item(m, &format!("{name}_{i}"), ir::ItemKind::Function, 10, None))
            .collect();
        for i in 0..6 {
            for j in 0..6 {
                if i != j {
                    b.call(funcs[i], funcs[j]);
                }
            }
        }
        domains.push(funcs);
    }
    b.call(domains[0][0], domains[1][0]);
    let frag = b.module("toy::gamma", "src/gamma.rs", 20);
    let g0 = b.item(frag, "gamma_0", ir::ItemKind::Function, 10, None);
    let g1 = b.item(frag, "gamma_1", ir::ItemKind::Function, 10, None);
    b.call(g0, g1);
    b.call(g1, g0);
    b.call(g0, domains[0][1]);
    let facts = b.finish();
    let mut options = ContextOptions::standard(Granularity::Item);
    options.min_context_size = 1;
    let loose = check(&facts, &options);
    assert_eq!(loose.contexts.len(), 3, "{}", loose.dump(&facts));
    options.min_context_size = 3;
    let p = check(&facts, &options);
    assert_eq!(p.contexts.len(), 2, "{}", p.dump(&facts));
    assert!(p.contexts.iter().all(|c| c.metrics.size >= 3));
    assert_eq!(
        context_of(&p, &facts, "toy::gamma::gamma_0"),
        context_of(&p, &facts, "toy::alpha::alpha_1")
    );
    assert_ne!(
        context_of(&p, &facts, "toy::gamma::gamma_0"),
        context_of(&p, &facts, "toy::beta::beta_1")
    );
}

#[test]
fn a_target_count_merges_contexts() {
    let facts = layered_shop();
    let mut options = ContextOptions::standard(Granularity::Item);
    options.target_contexts = Some(1);
    let p = check(&facts, &options);
    assert_eq!(p.contexts.len(), 1, "{}", p.dump(&facts));
    assert!(p.metrics.context_edges.is_empty());
}

#[test]
fn the_proposal_is_the_same_on_one_and_two_threads() {
    let facts = layered_shop();
    for granularity in [Granularity::Item, Granularity::Module] {
        let options = ContextOptions::standard(granularity);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            pool.install(|| check(&facts, &options))
        };
        let (one, two) = (run(1), run(2));
        assert_eq!(one, two);
        assert_eq!(one.dump(&facts), two.dump(&facts));
    }
}

#[test]
fn baselines_follow_folders_and_components() {
    let facts = layered_shop();
    let folders = contexts::folder_baseline(&facts);
    assert_eq!(
        names(&folders),
        vec![
            "error",
            "models",
            "repositories",
            "routes",
            "services",
            "shop"
        ]
    );
    assert_eq!(
        folders.provenance.algorithm,
        contexts::Method::FolderBaseline
    );
    let components = contexts::components_baseline(&facts);
    // The domains and the kernel hang together; the five modules without items (root and
    // `mod.rs` files, which reference nothing here) are components of their own.
    assert_eq!(components.contexts.len(), 6, "{}", components.dump(&facts));
    let big = &components.contexts[components.map.item_context
        [item(&facts, "shop::models::order::Order").index()]
    .expect("assigned")
    .index()];
    assert_eq!(big.metrics.size, 15);
}

#[test]
fn evaluation_scores_items_modules_and_the_kernel() {
    let facts = layered_shop();
    let mut labels = BTreeMap::new();
    for f in &facts.files {
        let label = if f.path.contains("billing") || f.path.contains("invoice") {
            "billing"
        } else if f.path.contains("order") {
            "orders"
        } else {
            "shared-kernel"
        };
        labels.insert(f.path.clone(), label.to_owned());
    }
    let truth = Truth {
        labels,
        items: BTreeMap::new(),
    };
    let p = check(&facts, &ContextOptions::standard(Granularity::Item));
    let r = contexts::evaluate(&facts, &p, &truth);
    assert_eq!(r.items.n, 14);
    assert!(
        (r.items.nmi - 1.0).abs() < 1e-9 && (r.items.ari - 1.0).abs() < 1e-9,
        "{r:?}"
    );
    assert!((r.items.mojofm - 100.0).abs() < 1e-9);
    assert_eq!(r.modules.n, 8);
    assert!((r.modules.nmi - 1.0).abs() < 1e-9, "{r:?}");
    // The kernel: error.rs, lib.rs and the four mod.rs, all found.
    assert_eq!((r.kernel_modules.truth, r.kernel_modules.correct), (6, 6));
    assert_eq!(r.kernel_modules.precision, 1.0);
    assert_eq!(
        r.dump().lines().next(),
        Some("items n=14 ARI 1.000 NMI 1.000 MoJoFM 100.0 purity 1.000 inverse 1.000")
    );
    let folders = contexts::evaluate(&facts, &contexts::folder_baseline(&facts), &truth);
    assert!(folders.items.nmi < 0.2, "{folders:?}");
    // Every layer folder mixes orders and billing, and each domain spans every layer.
    assert!(folders.items.purity < 0.8, "{folders:?}");
    assert!(folders.items.inverse_purity < 0.8, "{folders:?}");
    assert_eq!(folders.kernel_modules.recall, 0.0);
}

#[test]
fn a_router_that_mounts_every_context_is_wiring_not_a_context() {
    let mut b = seamline_test_utils::facts::FactsBuilder::new("app");
    let routes = b.module("app::routes", "src/routes/mod.rs", 10);
    let router = b.item(routes, "router", ir::ItemKind::Function, 10, None);
    let main = b.module("app::main", "src/main.rs", 5);
    let main_fn = b.item(main, "main", ir::ItemKind::Function, 5, None);
    b.call(main_fn, router);
    for domain in ["alpha", "beta", "gamma"] {
        let h = b.module(
            &format!("app::routes::{domain}"),
            &format!("src/routes/{domain}.rs"),
            20,
        );
        let s = b.module(
            &format!("app::services::{domain}"),
            &format!("src/services/{domain}.rs"),
            20,
        );
        let handlers: Vec<ir::ItemId> = (0..3)
            .map(|i| {
                b.item(
                    h,
                    &format!("{domain}_handler_{i}"),
                    ir::ItemKind::Function,
                    5,
                    None,
                )
            })
            .collect();
        let services: Vec<ir::ItemId> = (0..3)
            .map(|i| {
                b.item(
                    s,
                    &format!("{domain}_service_{i}"),
                    ir::ItemKind::Function,
                    5,
                    None,
                )
            })
            .collect();
        for i in 0..3 {
            b.call(router, handlers[i]);
            b.call(handlers[i], services[i]);
            b.call(services[i], services[(i + 1) % 3]);
            b.call(handlers[i], services[(i + 1) % 3]);
        }
    }
    let facts = b.finish();
    let p = check(&facts, &ContextOptions::standard(Granularity::Item));
    assert_eq!(
        names(&p),
        vec!["alpha", "beta", "gamma"],
        "{}",
        p.dump(&facts)
    );
    assert_eq!(context_of(&p, &facts, "app::routes::router"), "<kernel>");
    // `main` only builds the router: an entry point, also set aside.
    assert_eq!(context_of(&p, &facts, "app::main::main"), "<kernel>");
    let routes = module(&facts, "app::routes");
    let at = p
        .kernel_modules
        .iter()
        .position(|&m| m == routes)
        .expect("the router's module is set aside");
    assert!(
        p.kernel_reasons[at].contains("wires 3 contexts"),
        "{}",
        p.kernel_reasons[at]
    );
    // Two passes ran: the ensemble's runs are summed.
    let mut without = ContextOptions::standard(Granularity::Item);
    without.wiring = false;
    let single = check(&facts, &without);
    assert_eq!(p.provenance.runs, 2 * single.provenance.runs);
    assert_ne!(
        context_of(&single, &facts, "app::routes::router"),
        "<kernel>"
    );
}

#[test]
fn empty_and_edgeless_codebases_do_not_panic() {
    let empty = ir::Facts::default();
    for granularity in [Granularity::Item, Granularity::Module] {
        let p = check(&empty, &ContextOptions::standard(granularity));
        assert!(p.contexts.is_empty());
        assert_eq!(p.metrics.modularity, 0.0);
        let r = contexts::evaluate(
            &empty,
            &p,
            &Truth {
                labels: BTreeMap::new(),
                items: BTreeMap::new(),
            },
        );
        assert_eq!(r.items.n, 0);
    }
    // Items but no references at all: nothing to cluster on, yet no fragment is left alone.
    let mut b = seamline_test_utils::facts::FactsBuilder::new("flat");
    for name in ["a", "b", "c", "d"] {
        let m = b.module(&format!("flat::{name}"), &format!("src/{name}.rs"), 10);
        b.item(m, &format!("{name}_fn"), ir::ItemKind::Function, 5, None);
    }
    let facts = b.finish();
    let p = check(&facts, &ContextOptions::standard(Granularity::Item));
    assert_eq!(p.contexts.len(), 1, "{}", p.dump(&facts));
    assert!(p.map.item_context.iter().all(Option::is_some));
}

#[test]
fn a_declared_assignment_is_measured_like_a_proposal() {
    let facts = layered_shop();
    let options = ContextOptions::standard(Granularity::Item);
    let proposed = check(&facts, &options);
    // Declare exactly what was proposed, under other names: the metrics must agree.
    let module_context: Vec<Option<String>> = proposed
        .map
        .module_context
        .iter()
        .map(|c| c.map(|c| format!("declared-{}", proposed.contexts[c.index()].name)))
        .collect();
    let declared =
        contexts::measure_assignment(&facts, &options.graph, &module_context, &BTreeMap::new());
    assert_eq!(names(&declared), vec!["declared-billing", "declared-order"]);
    assert!(declared.contexts.iter().all(|c| c.declared));
    assert_eq!(declared.map.item_context, proposed.map.item_context);
    assert_eq!(
        declared.metrics.context_edges,
        proposed.metrics.context_edges
    );
    assert_eq!(declared.metrics.modularity, proposed.metrics.modularity);
    assert_eq!(
        declared.metrics.shared_tables,
        proposed.metrics.shared_tables
    );
    // Moving one item by an override changes its context and the metrics.
    let charge = item(&facts, "shop::services::billing::charge");
    let moved = contexts::measure_assignment(
        &facts,
        &options.graph,
        &module_context,
        &BTreeMap::from([(charge, "declared-order".to_owned())]),
    );
    assert_eq!(
        context_of(&moved, &facts, "shop::services::billing::charge"),
        "declared-order"
    );
    assert!(moved.metrics.modularity < declared.metrics.modularity);
}

#[test]
fn contexts_are_named_after_their_service_folders_before_their_entities() {
    let mut b = seamline_test_utils::facts::FactsBuilder::new("shop");
    let models = b.module("shop::models::stock", "src/models/stock.rs", 60);
    let (stock, _, _) = b.model(models, "StockLevel", &["reserve", "release"]);
    let warehouse = b.item(models, "Warehouse", ir::ItemKind::Struct, 10, None);
    let services = b.module("shop::services::inventory", "src/services/inventory.rs", 30);
    let funcs: Vec<ir::ItemId> = (0..4)
        .map(|i| {
            b.item(
                services,
                &format!("step_{i}"),
                ir::ItemKind::Function,
                6,
                None,
            )
        })
        .collect();
    for &f in &funcs {
        b.call(f, stock);
        b.call(f, warehouse);
    }
    let facts = b.finish();
    let p = check(&facts, &ContextOptions::standard(Granularity::Item));
    // `stock` has more lines, but `services/inventory.rs` names the domain.
    assert_eq!(names(&p), vec!["inventory"], "{}", p.dump(&facts));
}

#[test]
fn a_pin_overrides_the_kernel_rule() {
    let facts = layered_shop();
    let mut options = ContextOptions::standard(Granularity::Item);
    options.constraints.pins = vec![("src/error.rs".to_owned(), "platform".to_owned())];
    let p = check(&facts, &options);
    assert_eq!(context_of(&p, &facts, "shop::error::AppError"), "platform");
    let error = module(&facts, "shop::error");
    assert!(!p.kernel_modules.contains(&error));
    assert_eq!(
        p.map.module_context[error.index()].map(|c| p.contexts[c.index()].name.as_str()),
        Some("platform")
    );
    assert!(p.constraint_notes.is_empty(), "{:?}", p.constraint_notes);
    // The pin is a seed: the domain AppError glues best grows around it (here, orders),
    // and billing now depends on the platform.
    assert_eq!(names(&p), vec!["billing", "platform"], "{}", p.dump(&facts));
    let (billing, platform) = (p.contexts[0].id, p.contexts[1].id);
    assert!(
        p.metrics
            .context_edges
            .iter()
            .any(|e| (e.from, e.to) == (billing, platform))
    );
}

/// `domains` modules of 6 functions calling each other in a ring, neighbouring domains
/// joined by one call, and `loose` functions that nothing calls and that call nothing (raw
/// runs count each as a community; refinement merges them away).
fn ring_of_domains(domains: usize, loose: usize) -> ir::Facts {
    let mut b = seamline_test_utils::facts::FactsBuilder::new("toy");
    b.module("toy", "src/lib.rs", 1);
    let mut firsts = Vec::new();
    for d in 0..domains {
        let m = b.module(&format!("toy::d{d}"), &format!("src/d{d}.rs"), 60);
        let items: Vec<ir::ItemId> = (0..6)
            .map(|i| b.item(m, &format!("f{i}"), ir::ItemKind::Function, 10, None))
            .collect();
        for i in 0..6 {
            b.call(items[i], items[(i + 1) % 6]);
            b.call(items[i], items[(i + 2) % 6]);
        }
        firsts.push(items[0]);
    }
    for d in 1..domains {
        b.call(firsts[d - 1], firsts[d]);
    }
    let m = b.module("toy::loose", "src/loose.rs", 10);
    for i in 0..loose {
        b.item(m, &format!("alone{i}"), ir::ItemKind::Function, 1, None);
    }
    b.finish()
}

#[test]
fn a_target_count_is_met_after_fragments_are_merged() {
    let facts = ring_of_domains(12, 40);
    for target in [3, 6, 12] {
        let mut options = ContextOptions::standard(Granularity::Item);
        options.target_contexts = Some(target);
        let p = check(&facts, &options);
        assert_eq!(p.contexts.len(), target, "{}", p.dump(&facts));
    }
}

/// A domain of six functions (600 lines) that write its own table.
fn domain(b: &mut seamline_test_utils::facts::FactsBuilder, name: &str) -> Vec<ir::ItemId> {
    let m = b.module(&format!("shop::{name}"), &format!("src/{name}.rs"), 600);
    let schema = b.item(m, name, ir::ItemKind::TableSchema, 8, None);
    let table = b.table(name, Some(schema));
    let fns: Vec<ir::ItemId> = (0..6)
        .map(|i| {
            b.item(
                m,
                &format!("{name}_step_{i}"),
                ir::ItemKind::Function,
                100,
                None,
            )
        })
        .collect();
    for w in fns.windows(2) {
        b.call(w[0], w[1]);
        b.call(w[1], w[0]);
    }
    for &f in &fns {
        b.access(f, table, ir::AccessMode::Write, 1);
    }
    fns
}

/// Two domains that own tables and a five-function text helper (under 1% of the code, no
/// table, no endpoint) that only billing calls.
fn domains_and_a_helper() -> ir::Facts {
    let mut b = seamline_test_utils::facts::FactsBuilder::new("shop");
    let orders = domain(&mut b, "orders");
    let billing = domain(&mut b, "billing");
    b.call(orders[0], billing[0]);
    let text = b.module("shop::text", "src/text.rs", 10);
    let helpers: Vec<ir::ItemId> = ["truncate", "title_case", "plural", "ellipsis", "initials"]
        .iter()
        .map(|n| b.item(text, n, ir::ItemKind::Function, 2, None))
        .collect();
    for &x in &helpers {
        for &y in &helpers {
            if x != y {
                b.call(x, y);
            }
        }
    }
    b.call(billing[3], helpers[0]);
    b.finish()
}

#[test]
fn a_fragment_without_table_or_endpoint_joins_the_context_it_is_tied_to() {
    let facts = domains_and_a_helper();
    let mut raw = ContextOptions::standard(Granularity::Item);
    raw.shape = false;
    let unshaped = check(&facts, &raw);
    // Clustering alone keeps the dense helper apart: a context that is not a service.
    assert_ne!(
        context_of(&unshaped, &facts, "shop::text::truncate"),
        context_of(&unshaped, &facts, "shop::billing::billing_step_3"),
        "{}",
        unshaped.dump(&facts)
    );
    let p = check(&facts, &ContextOptions::standard(Granularity::Item));
    assert_eq!(names(&p).len(), 2, "{}", p.dump(&facts));
    assert_eq!(
        context_of(&p, &facts, "shop::text::truncate"),
        context_of(&p, &facts, "shop::billing::billing_step_3")
    );
    // Each table is owned by the context that writes it.
    for t in ["orders", "billing"] {
        let id = facts.tables.iter().find(|x| x.name == t).unwrap().id;
        let (owner, reason) = p.map.table_owners[id.index()].unwrap();
        assert_eq!(reason, contexts::OwnerReason::Writes);
        assert_eq!(
            p.contexts[owner.index()].name,
            context_of(&p, &facts, &format!("shop::{t}::{t}_step_0"))
        );
    }
}

/// crates.io's middleware folder (logging, blocking traffic, the CDN's real IP, 2% of the
/// code) clustered into a context of its own: larger than a fragment, but it answers no
/// request and owns no table. A layer every request passes through is generic
/// infrastructure, so it joins the kernel whatever its size.
#[test]
fn a_middleware_layer_joins_the_kernel_whatever_its_size() {
    let mut b = seamline_test_utils::facts::FactsBuilder::new("shop");
    let orders = domain(&mut b, "orders");
    let billing = domain(&mut b, "billing");
    b.call(orders[0], billing[0]);
    let layer: Vec<ir::ItemId> = ["log_request", "block_traffic", "real_ip"]
        .iter()
        .flat_map(|name| {
            let m = b.module(
                &format!("shop::middleware::{name}"),
                &format!("src/middleware/{name}.rs"),
                60,
            );
            (0..3)
                .map(|i| b.item(m, &format!("{name}_{i}"), ir::ItemKind::Function, 20, None))
                .collect::<Vec<_>>()
        })
        .collect();
    for &x in &layer {
        for &y in &layer {
            if x != y {
                b.call(x, y);
            }
        }
    }
    b.call(layer[8], orders[0]);
    let mut facts = b.finish();
    facts.items[layer[0].index()].signature =
        Some("pub async fn log_request_0(request: Request, next: Next) -> Response".to_owned());
    let mut raw = ContextOptions::standard(Granularity::Item);
    raw.shape = false;
    let unshaped = check(&facts, &raw);
    let layer = context_of(
        &unshaped,
        &facts,
        "shop::middleware::log_request::log_request_0",
    );
    assert_ne!(layer, "<kernel>", "{}", unshaped.dump(&facts));
    assert_ne!(
        layer,
        context_of(&unshaped, &facts, "shop::orders::orders_step_0"),
        "{}",
        unshaped.dump(&facts)
    );
    let p = check(&facts, &ContextOptions::standard(Granularity::Item));
    for name in [
        "log_request::log_request_0",
        "block_traffic::block_traffic_2",
        "real_ip::real_ip_1",
    ] {
        assert_eq!(
            context_of(&p, &facts, &format!("shop::middleware::{name}")),
            "<kernel>",
            "{}",
            p.dump(&facts)
        );
    }
    assert_eq!(names(&p).len(), 2, "{}", p.dump(&facts));
    assert!(
        p.kernel_reasons
            .iter()
            .any(|r| r.contains("request middleware")),
        "{:?}",
        p.kernel_reasons
    );
}

#[test]
fn colliding_names_take_their_next_concept_never_a_number() {
    // Two contexts whose every token is `invoice`: the second cannot take it and must not
    // become `invoice-2`.
    let mut b = seamline_test_utils::facts::FactsBuilder::new("shop");
    let a = b.module("shop::invoice", "src/invoice.rs", 40);
    let c = b.module(
        "shop::legacy_invoice::draft",
        "src/legacy_invoice/draft.rs",
        20,
    );
    let ia = b.item(a, "Invoice", ir::ItemKind::Struct, 40, None);
    let ic = b.item(c, "InvoiceDraft", ir::ItemKind::Struct, 20, None);
    let facts = b.finish();
    let names = names_of(&facts, &[&[ia], &[ic]], &[None, None]);
    assert_eq!(names[0], "invoice");
    assert_ne!(names[1], "invoice");
    assert!(
        !names[1].ends_with(|c: char| c.is_ascii_digit()),
        "{names:?}"
    );
    // Even with nothing but the taken word: a pair or a path, never a number.
    let d = names_of(&facts, &[&[ia], &[ia]], &[None, None]);
    assert_ne!(d[0], d[1]);
    assert!(!d[1].ends_with(|c: char| c.is_ascii_digit()), "{d:?}");
}

/// A name is singular where the code spells the singular (`order` beside `Order` and
/// `orders`), and as the code writes it where it does not: rust-analyzer's name resolution
/// lives in `nameres`, and was named `namere`.
#[test]
fn a_name_is_spelled_as_the_code_spells_it() {
    let mut b = seamline_test_utils::facts::FactsBuilder::new("ide");
    let a = b.module("ide::nameres", "src/nameres.rs", 40);
    let c = b.module("ide::orders", "src/orders.rs", 40);
    let ia = b.item(a, "collect", ir::ItemKind::Function, 40, None);
    let ic = b.item(c, "Order", ir::ItemKind::Struct, 40, None);
    let facts = b.finish();
    let names = names_of(&facts, &[&[ia], &[ic]], &[None, None]);
    assert_eq!(names, ["nameres", "order"]);
    // A declared name is kept as declared.
    let pinned = names_of(&facts, &[&[ia], &[ic]], &[Some("namere".to_owned()), None]);
    assert_eq!(pinned, ["namere", "order"]);
}

#[test]
fn a_modifier_word_takes_its_compound_and_the_product_name_is_no_concept() {
    // lemmy's shape: `community` and `multi_community` are two domains, and the crate's own
    // name (the product) shows up in a model name (`ForumPlugin`). The second context is
    // about multi-communities, not about "multi"; the third is about plugins, not the forum.
    let mut b = seamline_test_utils::facts::FactsBuilder::new("forum");
    let community = b.module("forum::community", "src/community.rs", 60);
    let multi = b.module("forum::multi_community", "src/multi_community.rs", 60);
    let plugins = b.module("forum::plugins", "src/plugins.rs", 30);
    let c = b.item(community, "Community", ir::ItemKind::Struct, 60, None);
    let m = b.item(multi, "MultiCommunity", ir::ItemKind::Struct, 40, None);
    let e = b.item(multi, "MultiCommunityEntry", ir::ItemKind::Struct, 20, None);
    let p = b.item(plugins, "ForumPlugin", ir::ItemKind::Struct, 30, None);
    let facts = b.finish();
    let names = names_of(&facts, &[&[c], &[m, e], &[p]], &[None, None, None]);
    assert_eq!(names, ["community", "multi-community", "plugin"]);
}

#[test]
fn test_support_code_is_kernel_never_a_context() {
    // crates.io's shape: a `testing` module outside `#[cfg(test)]` builds requests for the
    // tests of both domains. Its helpers take and return web types, as handlers do, but
    // they serve nothing.
    let mut facts = domains_and_a_helper();
    let mut b = seamline_test_utils::facts::FactsBuilder::new("shop");
    let testing = b.module("shop::util::testing", "src/util/testing.rs", 400);
    let helpers = [
        "post_json",
        "get_json",
        "login_as",
        "seed_orders",
        "seed_invoices",
    ];
    for n in helpers {
        b.item(testing, n, ir::ItemKind::Function, 80, None);
    }
    let extra = b.finish();
    // Append the module and its items to the shop.
    let module_id = ir::ModuleId(facts.modules.len() as u32);
    let file_id = ir::FileId(facts.files.len() as u32);
    let mut file = extra.files[0].clone();
    file.id = file_id;
    file.module = Some(module_id);
    facts.files.push(file);
    let mut m = extra.modules[0].clone();
    m.id = module_id;
    m.file = file_id;
    m.items.clear();
    facts.modules.push(m);
    for it in &extra.items {
        let mut it = it.clone();
        it.id = ir::ItemId(facts.items.len() as u32);
        it.module = module_id;
        it.location.file = file_id;
        it.signature = Some(format!(
            "async fn {}(body: Json<Value>) -> Response",
            it.name
        ));
        facts.modules[module_id.index()].items.push(it.id);
        facts.items.push(it);
    }
    for (i, x) in helpers.iter().enumerate() {
        for y in &helpers[i + 1..] {
            add_call(
                &mut facts,
                &format!("shop::util::testing::{x}"),
                &format!("shop::util::testing::{y}"),
            );
            add_call(
                &mut facts,
                &format!("shop::util::testing::{y}"),
                &format!("shop::util::testing::{x}"),
            );
        }
    }
    add_call(
        &mut facts,
        "shop::util::testing::seed_orders",
        "shop::orders::orders_step_1",
    );
    add_call(
        &mut facts,
        "shop::util::testing::seed_invoices",
        "shop::billing::billing_step_1",
    );
    let p = check(&facts, &ContextOptions::standard(Granularity::Item));
    for n in helpers {
        assert_eq!(
            context_of(&p, &facts, &format!("shop::util::testing::{n}")),
            "<kernel>",
            "{}",
            p.dump(&facts)
        );
    }
    assert_eq!(names(&p).len(), 2, "{}", p.dump(&facts));
}

#[test]
fn a_module_of_only_mod_and_use_follows_its_children() {
    // `controllers/user/mod.rs` declares the user handlers and re-exports them: it is part of
    // the domain its children are in, not shared kernel.
    let mut b = seamline_test_utils::facts::FactsBuilder::new("shop");
    let parent = b.module("shop::controllers", "src/controllers/mod.rs", 4);
    let user = b.module("shop::controllers::user", "src/controllers/user/mod.rs", 6);
    let me = b.module(
        "shop::controllers::user::me",
        "src/controllers/user/me.rs",
        300,
    );
    let other = b.module("shop::controllers::order", "src/controllers/order.rs", 300);
    let _ = (parent, user);
    let a: Vec<ir::ItemId> = (0..3)
        .map(|i| b.item(me, &format!("me_{i}"), ir::ItemKind::Function, 100, None))
        .collect();
    let o: Vec<ir::ItemId> = (0..3)
        .map(|i| {
            b.item(
                other,
                &format!("order_{i}"),
                ir::ItemKind::Function,
                100,
                None,
            )
        })
        .collect();
    for w in a.windows(2).chain(o.windows(2)) {
        b.call(w[0], w[1]);
        b.call(w[1], w[0]);
    }
    b.call(o[0], a[0]);
    let facts = b.finish();
    let p = check(&facts, &ContextOptions::standard(Granularity::Item));
    let ctx = |path: &str| {
        p.map.module_context[module(&facts, path).index()]
            .map(|c| p.contexts[c.index()].name.clone())
    };
    assert!(
        ctx("shop::controllers::user::me").is_some(),
        "{}",
        p.dump(&facts)
    );
    assert_eq!(
        ctx("shop::controllers::user"),
        ctx("shop::controllers::user::me"),
        "{}",
        p.dump(&facts)
    );
    assert!(
        !p.kernel_modules
            .contains(&module(&facts, "shop::controllers::user")),
        "{}",
        p.dump(&facts)
    );
}

/// A handler's web types are whole names in its signature, and a function that takes the
/// handler it wraps (`Next`) is middleware, not an endpoint: on crates.io a pagination helper
/// (`PaginatedQuery<T>`) and the middleware folder were read as endpoints, so both stayed
/// contexts of their own.
#[test]
fn middleware_and_names_that_merely_contain_a_web_type_are_no_endpoints() {
    let mut b = seamline_test_utils::facts::FactsBuilder::new("app");
    let m = b.module("app::helpers", "src/helpers.rs", 30);
    let kinds = [
        ("paginate", "pub fn paginate(self) -> PaginatedQuery<Self>"),
        ("to_value", "pub fn to_value(v: &JsonValue) -> String"),
        (
            "add_headers",
            "pub async fn add_headers(request: Request, next: Next) -> impl IntoResponse",
        ),
        (
            "list",
            "pub async fn list(query: Query<ListParams>) -> Json<Vec<Crate>>",
        ),
        (
            "show",
            "pub async fn show(web::Path(id): web::Path<i32>) -> HttpResponse",
        ),
    ];
    let ids: Vec<ir::ItemId> = kinds
        .iter()
        .map(|(name, _)| b.item(m, name, ir::ItemKind::Function, 5, None))
        .collect();
    // crates.io's `middleware::block_traffic` helpers return `impl IntoResponse` for the
    // layer to send; a middleware folder answers no request of its own.
    let mw = b.module(
        "app::middleware::block_traffic",
        "src/middleware/block_traffic.rs",
        30,
    );
    let reject = b.item(
        mw,
        "rejection_response_from",
        ir::ItemKind::Function,
        5,
        None,
    );
    let mut facts = b.finish();
    for (&id, (_, sig)) in ids.iter().zip(kinds) {
        facts.items[id.index()].signature = Some(sig.to_owned());
    }
    facts.items[reject.index()].signature = Some(
        "fn rejection_response_from(state: &AppState, headers: &HeaderMap) -> impl IntoResponse"
            .to_owned(),
    );
    let endpoint: Vec<bool> = ids
        .iter()
        .chain([&reject])
        .map(|&id| contexts::is_endpoint(&facts, id))
        .collect();
    assert_eq!(endpoint, [false, false, false, true, true, false]);
}

/// `HttpRequest` and `HttpResponse` are actix-web's handler types, and also what HTTP client
/// connectors take and return (openidconnect's `AsyncHttpClient`, the AWS SDK's
/// `HttpConnector`): on vaultwarden, a Rocket server, its S3 connector was read as an
/// endpoint and stayed a 132-line context of its own. They mark an endpoint only in a crate
/// that refers to actix-web.
#[test]
fn actix_types_mark_an_endpoint_only_in_a_crate_that_serves_actix() {
    let build = |serves_actix: bool| {
        let mut b = seamline_test_utils::facts::FactsBuilder::new("app");
        let m = b.module("app::s3", "src/s3.rs", 30);
        let call = b.item(m, "call", ir::ItemKind::Method, 5, None);
        let mut facts = b.finish();
        facts.items[call.index()].signature =
            Some("fn call(&self, request: HttpRequest) -> HttpResponse".to_owned());
        if serves_actix {
            facts.external.push(ir::ExternalRef {
                module: m,
                root: "actix_web".to_owned(),
                count: 1,
                first: facts.items[call.index()].location,
            });
        }
        contexts::is_endpoint(&facts, call)
    };
    assert!(!build(false), "a client connector answers no request");
    assert!(build(true), "an actix handler does");
}

/// A gRPC server's endpoints are its tonic service methods; the generated client's methods
/// (an `IntoRequest` in) answer nothing.
#[test]
fn tonic_service_methods_are_endpoints_and_their_clients_are_not() {
    let mut b = seamline_test_utils::facts::FactsBuilder::new("app");
    let m = b.module("app::grpc", "src/grpc.rs", 30);
    let serve = b.item(m, "get_history", ir::ItemKind::Method, 5, None);
    let call = b.item(m, "fetch_history", ir::ItemKind::Method, 20, None);
    let mut facts = b.finish();
    facts.items[serve.index()].signature = Some(
        "async fn get_history(&self, request: Request<HistoryRequest>) -> Result<Response<HistoryReply>, Status>"
            .to_owned(),
    );
    facts.items[call.index()].signature = Some(
        "async fn fetch_history(&mut self, request: impl tonic::IntoRequest<HistoryRequest>) -> Result<tonic::Response<HistoryReply>, tonic::Status>"
            .to_owned(),
    );
    assert!(contexts::is_endpoint(&facts, serve));
    assert!(!contexts::is_endpoint(&facts, call));
}
