//! Tests of the dependency graph on hand-built facts: node folding at both granularities,
//! weights and dampening, table links, the shared kernel, cycles and the dump.

use seamline_graph::{DepGraph, Granularity, GraphOptions, KernelOptions, NodeKey};
use seamline_ir as ir;
use seamline_test_utils::facts::{FactsBuilder, layered_shop};

#[track_caller]
fn check(facts: &ir::Facts, granularity: Granularity) -> DepGraph {
    facts.validate().expect("hand-built facts are valid");
    DepGraph::build(facts, &GraphOptions::standard(granularity))
}

fn node_by_label(graph: &DepGraph, label: &str) -> seamline_graph::NodeId {
    graph
        .node_ids()
        .find(|&n| graph.node(n).label == label)
        .unwrap_or_else(|| panic!("no node {label}"))
}

#[test]
fn layered_shop_at_module_granularity() {
    let graph = check(&layered_shop(), Granularity::Module);
    insta::assert_snapshot!(graph.dump());
}

#[test]
fn layered_shop_at_item_granularity() {
    let graph = check(&layered_shop(), Granularity::Item);
    insta::assert_snapshot!(graph.dump());
}

#[test]
fn methods_and_impls_fold_into_their_type() {
    let facts = layered_shop();
    let graph = check(&facts, Granularity::Item);
    let order = node_by_label(&graph, "shop::models::order::Order");
    let folded: Vec<&str> = graph
        .node(order)
        .items
        .iter()
        .map(|&i| facts.items[i.index()].name.as_str())
        .collect();
    assert_eq!(folded, vec!["Order", "impl Order", "total"]);
    assert!(graph.node_ids().all(|n| match graph.node(n).key {
        NodeKey::Item(i) => !matches!(
            facts.items[i.index()].kind,
            ir::ItemKind::Method | ir::ItemKind::Impl
        ),
        NodeKey::Module(_) => false,
    }));
    // The call to `Order::total` lands on `Order`.
    let cancel = node_by_label(&graph, "shop::services::orders::cancel_order");
    assert!(graph.out_edges(cancel).iter().any(|e| e.to == order));
}

#[test]
fn module_level_imports_are_dropped_at_item_granularity() {
    let graph = check(&layered_shop(), Granularity::Item);
    assert_eq!(graph.dropped_references(), 6);
    let module_graph = check(&layered_shop(), Granularity::Module);
    assert_eq!(module_graph.dropped_references(), 0);
}

#[test]
fn counts_are_dampened_logarithmically_and_kinds_weighted() {
    let mut b = FactsBuilder::new("k");
    let a = b.module("k::a", "src/a.rs", 10);
    let z = b.module("k::z", "src/z.rs", 10);
    let f = b.item(a, "f", ir::ItemKind::Function, 5, None);
    let g = b.item(z, "g", ir::ItemKind::Function, 5, None);
    b.reference(a, Some(f), g, ir::DepKind::Call, 10);
    b.reference(a, Some(f), g, ir::DepKind::Type, 1);
    let facts = b.finish();
    let graph = check(&facts, Granularity::Module);
    let edges: Vec<_> = graph.edges().collect();
    assert_eq!(edges.len(), 1);
    let expected = 3.0 * (1.0 + 10f64.ln()) + 2.0;
    assert!(
        (edges[0].weight - expected).abs() < 1e-9,
        "{}",
        edges[0].weight
    );
    assert_eq!(edges[0].counts, [0, 1, 10, 0, 0]);
}

#[test]
fn nodes_touching_the_same_table_are_linked() {
    let facts = layered_shop();
    let graph = check(&facts, Granularity::Item);
    let refund = node_by_label(&graph, "shop::services::billing::refund");
    let save_order = node_by_label(&graph, "shop::repositories::orders::save_order");
    let order = node_by_label(&graph, "shop::models::order::Order");
    let link = graph
        .table_links()
        .iter()
        .find(|l| (l.a, l.b) == (refund.min(save_order), refund.max(save_order)))
        .expect("refund and save_order share the orders table");
    // Four nodes touch `orders` (Order maps it; save_order, find_order, refund access it).
    assert!((link.weight - 4.0 / 3.0).abs() < 1e-9);
    // Accessors depend on the mapping model with a table edge.
    assert!(
        graph
            .out_edges(refund)
            .iter()
            .any(|e| e.to == order && e.counts[4] == 1)
    );
}

#[test]
fn a_module_used_everywhere_is_the_kernel() {
    let facts = layered_shop();
    for granularity in [Granularity::Module, Granularity::Item] {
        let graph = check(&facts, granularity);
        let kernel: Vec<&str> = graph
            .kernel_nodes()
            .iter()
            .filter(|&&n| graph.node(n).kernel.as_deref() != Some(seamline_graph::PLUMBING_REASON))
            .map(|&n| graph.node(n).label.as_str())
            .collect();
        let expected = match granularity {
            Granularity::Module => "shop::error",
            Granularity::Item => "shop::error::AppError",
        };
        assert_eq!(kernel, vec![expected]);
        let cluster = graph.cluster_graph();
        assert_eq!(
            cluster.nodes.len(),
            graph.node_count() - graph.kernel_nodes().len()
        );
        assert!(cluster.nodes.iter().all(|&n| !graph.is_kernel(n)));
    }
    let no_kernel = DepGraph::build(
        &facts,
        &GraphOptions {
            kernel: KernelOptions::disabled(),
            ..GraphOptions::standard(Granularity::Module)
        },
    );
    assert!(no_kernel.kernel_nodes().is_empty());
}

#[test]
fn modules_without_items_are_plumbing() {
    let facts = layered_shop();
    let module_graph = check(&facts, Granularity::Module);
    let plumbing: Vec<&str> = module_graph
        .plumbing_modules()
        .iter()
        .map(|&m| facts.modules[m.index()].path.as_str())
        .collect();
    assert_eq!(
        plumbing,
        vec![
            "shop",
            "shop::models",
            "shop::repositories",
            "shop::routes",
            "shop::services"
        ]
    );
    for &m in module_graph.plumbing_modules() {
        let node = module_graph.nodes_of_module(m)[0];
        assert_eq!(
            module_graph.node(node).kernel.as_deref(),
            Some(seamline_graph::PLUMBING_REASON)
        );
    }
    let item_graph = check(&facts, Granularity::Item);
    assert_eq!(
        item_graph.plumbing_modules(),
        module_graph.plumbing_modules()
    );
    assert!(
        item_graph
            .plumbing_modules()
            .iter()
            .all(|&m| item_graph.nodes_of_module(m).is_empty())
    );
}

#[test]
fn a_generically_named_module_is_kernel_as_a_whole() {
    let mut b = FactsBuilder::new("k");
    let util = b.module("k::util", "src/util.rs", 10);
    let helper = b.item(util, "slugify", ir::ItemKind::Function, 5, None);
    let unused = b.item(util, "unused", ir::ItemKind::Function, 5, None);
    for name in ["a", "b", "c"] {
        let m = b.module(&format!("k::{name}"), &format!("src/{name}.rs"), 10);
        let f = b.item(m, "f", ir::ItemKind::Function, 5, None);
        b.call(f, helper);
    }
    let _ = unused;
    let facts = b.finish();
    let graph = check(&facts, Granularity::Item);
    let kernel: Vec<&str> = graph
        .kernel_nodes()
        .iter()
        .map(|&n| graph.node(n).label.as_str())
        .collect();
    // `unused` is used by nobody, yet it goes with its module.
    assert_eq!(kernel, vec!["k::util::slugify", "k::util::unused"]);
    assert!(
        graph
            .node(graph.kernel_nodes()[1])
            .kernel
            .as_deref()
            .is_some_and(|r| r.contains("generic name `util`"))
    );
}

#[test]
fn a_domain_model_used_by_its_layers_is_not_kernel() {
    let graph = check(&layered_shop(), Granularity::Module);
    let order = node_by_label(&graph, "shop::models::order");
    assert!(!graph.is_kernel(order));
}

#[test]
fn cycles_are_found_with_their_nodes() {
    let mut b = FactsBuilder::new("c");
    let a = b.module("c::a", "src/a.rs", 10);
    let z = b.module("c::z", "src/z.rs", 10);
    let f = b.item(a, "f", ir::ItemKind::Function, 5, None);
    let g = b.item(z, "g", ir::ItemKind::Function, 5, None);
    b.call(f, g);
    b.call(g, f);
    let graph = check(&b.finish(), Granularity::Module);
    let cycles: Vec<Vec<&str>> = graph
        .cycles()
        .iter()
        .map(|c| c.iter().map(|&n| graph.node(n).label.as_str()).collect())
        .collect();
    assert_eq!(cycles, vec![vec!["c::a", "c::z"]]);
}

#[test]
fn the_dump_is_deterministic() {
    let facts = layered_shop();
    let a = check(&facts, Granularity::Item).dump();
    let b = check(&facts.clone(), Granularity::Item).dump();
    assert_eq!(a, b);
}

#[test]
fn history_links_join_the_clustering_graph_only() {
    let facts = layered_shop();
    let module = |path: &str| {
        facts
            .modules
            .iter()
            .find(|m| m.path == path)
            .unwrap_or_else(|| panic!("no module {path}"))
            .id
    };
    let orders = module("shop::services::orders");
    let catalog = module("shop::routes::billing");
    for granularity in [Granularity::Module, Granularity::Item] {
        let plain = check(&facts, granularity);
        let options = GraphOptions {
            co_change: vec![
                (orders, catalog, 0.5),
                // Ignored: the same module twice, an unknown module, a weight that is not
                // finite and positive.
                (orders, orders, 1.0),
                (orders, ir::ModuleId(9_999), 1.0),
                (catalog, orders, f64::NAN),
                (catalog, orders, -1.0),
            ],
            history_weight: 4.0,
            ..GraphOptions::standard(granularity)
        };
        let graph = DepGraph::build(&facts, &options);
        // The code's graph is untouched: edges, table links, kernel, cycles, dump header.
        assert_eq!(graph.undirected_edges(), plain.undirected_edges());
        assert_eq!(graph.kernel_nodes(), plain.kernel_nodes());
        assert_eq!(graph.cycles(), plain.cycles());
        assert_eq!(graph.cluster_graph(), plain.cluster_graph());
        // 0.5 x 4 between the two modules, spread over their node pairs.
        let total: f64 = graph.history_links().iter().map(|l| l.2).sum();
        assert!((total - 2.0).abs() < 1e-9, "{granularity:?}: {total}");
        let expected_pairs =
            graph.nodes_of_module(orders).len() * graph.nodes_of_module(catalog).len();
        assert_eq!(graph.history_links().len(), expected_pairs);
        assert!(graph.history_links().iter().all(|&(a, b, _)| a < b));
        // The clustering view with history carries the extra weight.
        let with = graph.cluster_graph_with_history_of(|n| !graph.is_kernel(n));
        let without = graph.cluster_graph();
        assert_eq!(with.nodes, without.nodes);
        let gain = with.graph.total_weight() - without.graph.total_weight();
        assert!((gain - 2.0).abs() < 1e-9, "{granularity:?}: {gain}");
        assert!(graph.dump().contains("history"));
        assert!(!plain.dump().contains("history"));
    }
}
