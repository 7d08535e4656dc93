//! Tests of the split plan on hand-built facts and proposals (`seamline_test_utils::sample`).

use seamline_cluster::contexts::{ContextId, Proposal};
use seamline_ir as ir;
use seamline_plan::{CutTechnique, Plan, PlanOptions, TableTechnique, Thresholds, Verdict, plan};
use seamline_test_utils::sample::{Assignment, FactsBuilder, measure, shop};

fn options() -> PlanOptions {
    PlanOptions {
        thresholds: Thresholds::recommended(),
    }
}

#[track_caller]
fn ctx(p: &Plan, name: &str) -> ContextId {
    ContextId(
        p.context_names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no context {name}")) as u32,
    )
}

fn shop_plan() -> Plan {
    let (facts, proposal) = shop(1);
    facts.validate().unwrap();
    plan(&facts, &proposal, &options())
}

#[test]
fn shop_plan_dump() {
    insta::assert_snapshot!(shop_plan().dump());
}

#[test]
fn every_table_has_the_owner_that_maps_it() {
    let p = shop_plan();
    let owned: Vec<(String, Vec<String>)> = p
        .services
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.owns.tables.iter().map(|t| t.name.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        owned,
        [
            ("billing", vec!["invoices"]),
            ("catalog", vec!["products"]),
            ("ordering", vec!["orders"]),
            ("shipping", vec!["shipments"]),
        ]
        .map(|(n, t)| (n.to_owned(), t.into_iter().map(str::to_owned).collect()))
    );
    let billing = &p.services[ctx(&p, "billing").index()];
    // `refund` belongs to billing but sits in ordering's file: it must move.
    assert_eq!(billing.owns.to_move.len(), 1);
    assert_eq!(billing.owns.to_move[0].item.path, "shop::orders::refund");
    assert_eq!(
        billing.owns.to_move[0].module_context,
        Some(ctx(&p, "ordering"))
    );
    // ...so ordering does not own src/orders/mod.rs outright.
    let ordering = &p.services[ctx(&p, "ordering").index()];
    assert_eq!(ordering.owns.files, ["src/orders/cart.rs"]);
    // The API surface: catalog's find_product, used by ordering and shipping, with its signature.
    let catalog = &p.services[ctx(&p, "catalog").index()];
    assert_eq!(catalog.api[0].item.path, "shop::catalog::find_product");
    assert!(catalog.api[0].is_endpoint());
    assert_eq!(
        catalog.api[0].used_by,
        [ctx(&p, "ordering"), ctx(&p, "shipping")]
    );
    assert_eq!(
        catalog.api[0].signature.as_deref(),
        Some("fn find_product(id: ProductId) -> Option<Product>")
    );
    // The stack follows the external crates; statics make a service stateful.
    let shipping = &p.services[ctx(&p, "shipping").index()];
    let stack: Vec<&str> = shipping.stack.iter().map(|s| s.infra.label()).collect();
    assert_eq!(stack, ["database", "cache", "e-mail/SMS"]);
    assert_eq!(catalog.state.statics[0].name, "PRICE_CACHE");
    assert!(!shipping.external_crates.iter().any(|e| e.name == "std"));
}

#[test]
fn shared_models_tell_embedded_fields_from_ids() {
    let p = shop_plan();
    let order = p
        .shared_models
        .iter()
        .find(|m| m.model.path == "shop::orders::Order")
        .unwrap();
    assert_eq!(order.owner, Some(ctx(&p, "ordering")));
    assert_eq!(order.used_by, [ctx(&p, "billing")]);
    assert!(!order.id_type);
    let embedded: Vec<String> = order
        .embedded_in
        .iter()
        .map(|f| format!("{}.{} {}", f.holder.name, f.field, f.at))
        .collect();
    assert_eq!(embedded, ["Invoice.order src/billing/invoice.rs:8"]);
    let by_id: Vec<String> = order
        .held_by_id
        .iter()
        .map(|f| format!("{}.{} {}", f.holder.name, f.field, f.at))
        .collect();
    assert_eq!(
        by_id,
        [
            "Payment.order_id src/billing/mod.rs:13",
            "Shipment.order_id src/shipping.rs:9"
        ]
    );
    assert!(
        order.change.contains("replace it by `order_id`"),
        "{}",
        order.change
    );
    // Identifier types are shared on purpose and do not count against the split.
    let order_id = p
        .shared_models
        .iter()
        .find(|m| m.model.name == "OrderId")
        .unwrap();
    assert!(order_id.id_type);
    // Order, Product and Invoice, and the kernel's Money used by two contexts.
    assert_eq!(p.numbers.shared_models, 4);
}

#[test]
fn shared_tables_get_events_for_hot_reads_and_a_saga_for_foreign_writes() {
    let p = shop_plan();
    let techniques: Vec<(&str, Option<&str>, TableTechnique)> = p
        .shared_tables
        .iter()
        .map(|t| {
            (
                t.table.name.as_str(),
                t.owner.map(|c| p.context_name(c)),
                t.technique,
            )
        })
        .collect();
    assert_eq!(
        techniques,
        [
            (
                "orders",
                Some("ordering"),
                TableTechnique::ReplicateByEvents
            ),
            ("products", Some("catalog"), TableTechnique::Saga),
        ]
    );
    let orders = &p.shared_tables[0];
    let shipping = orders
        .uses
        .iter()
        .find(|u| u.context == ctx(&p, "shipping"))
        .unwrap();
    assert_eq!((shipping.reads, shipping.writes), (12, 0));
    assert_eq!(
        shipping.at.as_ref().unwrap().to_string(),
        "src/shipping.rs:32"
    );
}

#[test]
fn the_billing_ordering_cycle_is_cut_on_the_notification_edge_with_events() {
    let p = shop_plan();
    assert_eq!(p.cycles.len(), 1);
    let cycle = &p.cycles[0];
    assert_eq!(cycle.contexts, [ctx(&p, "billing"), ctx(&p, "ordering")]);
    assert_eq!(cycle.cuts.len(), 1);
    let cut = &cycle.cuts[0];
    let edge = &cycle.edges[cut.edge];
    assert_eq!(
        (edge.from, edge.to),
        (ctx(&p, "billing"), ctx(&p, "ordering"))
    );
    assert_eq!(cut.technique, CutTechnique::Events);
    assert!(cut.rationale.contains("`mark_paid`"), "{}", cut.rationale);
    // The evidence points at the call.
    assert!(
        edge.evidence
            .iter()
            .any(|r| r.to == "shop::orders::mark_paid"
                && r.at.to_string() == "src/billing/mod.rs:74")
    );
}

#[test]
fn extraction_starts_with_the_cheapest_seam_and_defers_the_cycle() {
    let p = shop_plan();
    let order: Vec<&str> = p
        .extraction
        .iter()
        .map(|s| p.context_name(s.context))
        .collect();
    assert_eq!(order, ["shipping", "catalog", "billing", "ordering"]);
    let first = &p.extraction[0];
    // shipping's seam: ship -> find_product and ship -> orders table (sync), Shipment.order_id.
    assert_eq!(first.new_network_calls, 2);
    assert_eq!(first.rewrites.len(), 3);
    assert_eq!(first.effort(), 15);
    assert_eq!(first.tables_to_migrate[0].name, "shipments");
    // Billing, still in a cycle with ordering, says so; the last step has nothing to rewrite.
    assert!(p.extraction[2].why.contains("in a cycle: cut it first"));
    assert!(p.extraction[3].rewrites.is_empty());
    // Every cross-boundary reference is rewritten exactly once over the whole plan.
    let total: usize = p.extraction.iter().map(|s| s.rewrites.len()).sum();
    assert_eq!(total, p.cross_references.len());
}

#[test]
fn verdicts_follow_the_thresholds() {
    let (facts, proposal) = shop(1);
    let mut t = Thresholds::recommended();
    let p = plan(
        &facts,
        &proposal,
        &PlanOptions {
            thresholds: t.clone(),
        },
    );
    assert_eq!(p.verdict, Verdict::ModulariseFirst);
    let decisive: Vec<&str> = p
        .reasons
        .iter()
        .filter(|r| r.decisive)
        .map(|r| r.kind.as_str())
        .collect();
    assert_eq!(decisive, ["cycles", "shared-tables", "shared-models"]);
    assert!(
        p.reasons[0].text.contains("2 of 4 contexts (50%)"),
        "{}",
        p.reasons[0].text
    );

    t.max_cycle_share = 0.5;
    t.max_shared_table_share = 0.5;
    t.max_shared_model_share = 0.5;
    let p = plan(
        &facts,
        &proposal,
        &PlanOptions {
            thresholds: t.clone(),
        },
    );
    assert_eq!(p.verdict, Verdict::SplitNow);
    assert!(p.reasons.iter().all(|r| !r.decisive));

    t.keep_below_code_lines = 50_000;
    let p = plan(
        &facts,
        &proposal,
        &PlanOptions {
            thresholds: t.clone(),
        },
    );
    assert_eq!(p.verdict, Verdict::KeepMonolith);
    assert_eq!(p.reasons[0].kind.as_str(), "size");
    assert!(
        p.reasons[0]
            .text
            .contains("24,340 lines of code, under the 50,000")
    );

    t.keep_below_code_lines = 1_000;
    t.min_contexts = 5;
    let p = plan(
        &facts,
        &proposal,
        &PlanOptions {
            thresholds: t.clone(),
        },
    );
    assert_eq!(p.verdict, Verdict::KeepMonolith);
    assert!(
        p.reasons[0]
            .text
            .starts_with("Only 4 real contexts were found"),
        "{}",
        p.reasons[0].text
    );

    t.min_contexts = 3;
    t.min_mean_context_lines = 7_000;
    let p = plan(&facts, &proposal, &PlanOptions { thresholds: t });
    assert_eq!(p.verdict, Verdict::ModulariseFirst);
    assert_eq!(p.reasons[0].kind.as_str(), "service-size");
}

/// The proposal that makes each name a context of its one module `x::NAME`.
fn one_module_each(facts: &ir::Facts, names: &[&str], modularity: f64) -> Proposal {
    measure(
        facts,
        &Assignment {
            contexts: names
                .iter()
                .map(|n| (n.to_string(), vec![format!("x::{n}")]))
                .collect(),
            kernel: vec![],
            item_overrides: vec![],
            modularity,
        },
    )
}

/// Two contexts `a` and `b` in modules `x::a` and `x::b`, with the given references.
fn two_contexts(build: impl FnOnce(&mut FactsBuilder)) -> (ir::Facts, Proposal) {
    let mut b = FactsBuilder::new("x");
    b.module("x::a", "src/a.rs", 100)
        .module("x::b", "src/b.rs", 100);
    build(&mut b);
    let facts = b.build();
    facts.validate().unwrap();
    let proposal = measure(
        &facts,
        &Assignment {
            contexts: vec![
                ("a".to_owned(), vec!["x::a".to_owned()]),
                ("b".to_owned(), vec!["x::b".to_owned()]),
            ],
            kernel: vec![],
            item_overrides: vec![],
            modularity: 0.5,
        },
    );
    (facts, proposal)
}

fn only_cut(p: &Plan) -> (&str, &str, CutTechnique) {
    assert_eq!(p.cycles.len(), 1, "{}", p.dump());
    let c = &p.cycles[0];
    assert_eq!(c.cuts.len(), 1);
    let e = &c.edges[c.cuts[0].edge];
    (
        p.context_name(e.from),
        p.context_name(e.to),
        c.cuts[0].technique,
    )
}

#[test]
fn a_cycle_of_questions_is_cut_on_its_lightest_edge_by_dependency_inversion() {
    use ir::DepKind::Call;
    use ir::ItemKind::Function;
    let (facts, proposal) = two_contexts(|b| {
        let f = b.item("x::a", "f", Function, 1, None);
        b.signature(&f, "fn f() -> u32");
        let k = b.item("x::a", "k", Function, 9, None);
        b.signature(&k, "fn k() -> u32");
        let g = b.item("x::b", "g", Function, 1, None);
        b.signature(&g, "fn g() -> u32");
        let h = b.item("x::b", "h", Function, 9, None);
        b.signature(&h, "fn h() -> u32");
        let store = b.item("x::b", "store", Function, 20, None);
        b.signature(&store, "fn store() -> u32");
        b.reference("x::a", Some(&f), &g, Call, 1, 2)
            .reference("x::a", Some(&k), &g, Call, 1, 10)
            .reference("x::b", Some(&h), &f, Call, 5, 10)
            .reference("x::b", Some(&g), &f, Call, 1, 3)
            .reference("x::b", Some(&g), &store, Call, 2, 4);
    });
    let p = plan(&facts, &proposal, &options());
    assert_eq!(only_cut(&p), ("a", "b", CutTechnique::DependencyInversion));
    assert!(
        p.cycles[0].cuts[0]
            .rationale
            .contains("2 references, against 6 the other way")
    );
}

#[test]
fn a_helper_used_mostly_by_the_other_side_is_moved() {
    use ir::DepKind::Call;
    use ir::ItemKind::Function;
    let (facts, proposal) = two_contexts(|b| {
        let f = b.item("x::a", "f", Function, 1, None);
        b.signature(&f, "fn f() -> u32");
        let g = b.item("x::b", "g", Function, 1, None);
        b.signature(&g, "fn g() -> u32");
        let helper = b.item("x::b", "helper", Function, 20, None);
        b.signature(&helper, "fn helper(x: u32) -> u32");
        b.reference("x::a", Some(&f), &helper, Call, 3, 2)
            .reference("x::b", Some(&g), &f, Call, 4, 3);
    });
    let p = plan(&facts, &proposal, &options());
    assert_eq!(only_cut(&p), ("a", "b", CutTechnique::MoveItem));
    assert!(
        p.cycles[0].cuts[0]
            .rationale
            .contains("`helper` (3 uses from a, 0 from b)")
    );
}

#[test]
fn a_cycle_through_a_model_only_is_cut_by_reference_by_id() {
    use ir::DepKind::{Call, Type};
    use ir::ItemKind::{Function, Struct};
    let (facts, proposal) = two_contexts(|b| {
        let f = b.item("x::a", "f", Function, 1, None);
        b.signature(&f, "fn f() -> u32");
        let holder = b.item("x::a", "Holder", Struct, 5, None);
        let g = b.item("x::b", "g", Function, 1, None);
        b.signature(&g, "fn g() -> u32");
        let m = b.item("x::b", "Model", Struct, 8, None);
        let m2 = b.item("x::b", "Other", Struct, 12, None);
        let m3 = b.item("x::b", "Third", Struct, 16, None);
        b.field(&holder, "model", "Model", &[&m], false, 6);
        b.reference("x::a", Some(&holder), &m, Type, 1, 6)
            .reference("x::a", Some(&f), &m2, Type, 1, 2)
            .reference("x::a", Some(&f), &m3, Type, 1, 2)
            .reference("x::b", Some(&g), &f, Call, 5, 3);
    });
    let p = plan(&facts, &proposal, &options());
    assert_eq!(only_cut(&p), ("a", "b", CutTechnique::ReferenceById));
    let model = &p
        .shared_models
        .iter()
        .find(|m| m.model.name == "Model")
        .unwrap();
    assert_eq!(model.embedded_in[0].at.to_string(), "src/a.rs:6");
}

#[test]
fn a_proposal_of_other_facts_is_refused_at_the_boundary() {
    use seamline_plan::{InputError, validate};
    let (facts, proposal) = shop(1);
    assert_eq!(validate(&facts, &proposal), Ok(()));
    let refused = |change: &dyn Fn(&mut Proposal)| {
        let mut other = proposal.clone();
        change(&mut other);
        validate(&facts, &other).unwrap_err()
    };
    assert_eq!(
        refused(&|p| p.map.module_context.truncate(2)),
        InputError::Length {
            what: "module_context",
            len: 2,
            expected: facts.modules.len()
        }
    );
    assert_eq!(
        refused(&|p| p.contexts[0].metrics.owned_tables.push(ir::TableId(9_999))),
        InputError::OutOfRange {
            what: "owned tables",
            index: 9_999
        }
    );
    assert_eq!(
        refused(&|p| p.metrics.shared_models[0].model = ir::ItemId(9_999)),
        InputError::OutOfRange {
            what: "shared model",
            index: 9_999
        }
    );
    assert_eq!(
        refused(&|p| p.metrics.cycles[0].contexts.push(ContextId(77))),
        InputError::OutOfRange {
            what: "cycle",
            index: 77
        }
    );
    assert_eq!(
        refused(&|p| p.metrics.cycles[0].edges.push(9_999)),
        InputError::OutOfRange {
            what: "cycle edges",
            index: 9_999
        }
    );
    // Facts that break their own invariants are refused before the proposal is looked at.
    let mut broken = facts.clone();
    broken.items[0].module = ir::ModuleId(9_999);
    assert!(matches!(
        validate(&broken, &proposal),
        Err(InputError::Facts(ir::FactsError::BadModule { .. }))
    ));
    assert!(matches!(
        validate(&ir::Facts::default(), &proposal),
        Err(InputError::Length { .. })
    ));
}

#[test]
fn the_plan_is_deterministic() {
    let (facts, proposal) = shop(3);
    let a = plan(&facts, &proposal, &options()).dump();
    let b = plan(&facts.clone(), &proposal.clone(), &options()).dump();
    assert_eq!(a, b);
}

#[test]
fn a_three_context_tangle_is_cut_with_the_cheapest_set_of_edges() {
    use ir::DepKind::Call;
    use ir::ItemKind::Function;
    let mut b = FactsBuilder::new("x");
    b.module("x::a", "src/a.rs", 100)
        .module("x::b", "src/b.rs", 100)
        .module("x::c", "src/c.rs", 100);
    let mut f = Vec::new();
    for m in ["a", "b", "c"] {
        let item = b.item(&format!("x::{m}"), "f", Function, 1, None);
        b.signature(&item, "fn f() -> u32");
        f.push(item);
    }
    // a -> b 4, b -> c 4, c -> a 1, b -> a 2: cycles a-b-a and a-b-c-a. Cutting a -> b alone
    // costs 4; cutting b -> a and c -> a costs 3.
    for (from, to, n) in [(0, 1, 4), (1, 2, 4), (2, 0, 1), (1, 0, 2)] {
        let m = ["x::a", "x::b", "x::c"][from];
        b.reference(m, Some(&f[from]), &f[to], Call, n, 2);
    }
    let facts = b.build();
    let proposal = one_module_each(&facts, &["a", "b", "c"], 0.5);
    let p = plan(&facts, &proposal, &options());
    assert_eq!(p.cycles.len(), 1);
    let cut: Vec<(&str, &str)> = p.cycles[0]
        .cuts
        .iter()
        .map(|c| {
            let e = &p.cycles[0].edges[c.edge];
            (p.context_name(e.from), p.context_name(e.to))
        })
        .collect();
    assert_eq!(cut, [("c", "a"), ("b", "a")]);
    // Cutting c -> a alone leaves a and b in a cycle: the worklist asks for the cut set as one
    // change, with both edges at their first reference and the combined effect.
    let breaks: Vec<_> = p
        .worklist
        .iter()
        .filter(|w| w.metric.as_str() == "cycles")
        .collect();
    assert_eq!(breaks.len(), 1, "{:?}", p.worklist);
    let w = breaks[0];
    assert_eq!(w.kind.as_str(), "break-cycle");
    assert_eq!((w.before, w.after), (1.0, 0.0));
    let cuts: Vec<(&str, &str, String)> = w
        .cuts
        .iter()
        .map(|x| {
            (
                p.context_name(x.from),
                p.context_name(x.to),
                x.at.to_string(),
            )
        })
        .collect();
    assert_eq!(
        cuts,
        [
            ("c", "a", "src/c.rs:2".to_owned()),
            ("b", "a", "src/b.rs:2".to_owned())
        ]
    );
    assert!(
        w.change.starts_with(
            "Break the cycle of 3 contexts (a, b and c) by cutting 2 edges together: c → a by "
        ),
        "{}",
        w.change
    );
}

/// "Modularise first" comes with the few changes that make the split possible,
/// each at `file:line`, with its metric recomputed as the list goes.
#[test]
fn the_worklist_ranks_the_changes_and_recomputes_each_metric() {
    let p = shop_plan();
    assert_eq!(p.verdict, Verdict::ModulariseFirst);
    let items: Vec<(&str, String, &str, f64, f64)> = p
        .worklist
        .iter()
        .map(|w| {
            (
                w.kind.as_str(),
                w.at.to_string(),
                w.metric.as_str(),
                w.before,
                w.after,
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            // One cut frees both contexts of the only cycle: the largest move.
            (
                "break-cycle",
                "src/billing/invoice.rs:8".to_owned(),
                "cycles",
                0.5,
                0.0
            ),
            // One of two shared tables: 50% to 25%, under the 30% threshold.
            (
                "own-table",
                "src/orders/mod.rs:50".to_owned(),
                "shared-tables",
                0.5,
                0.25
            ),
            // Four of eight models shared (the kernel's Money is used by three contexts):
            // two replaced get to the 25% tolerated.
            (
                "replace-model-by-id",
                "src/orders/mod.rs:18".to_owned(),
                "shared-models",
                0.5,
                0.375
            ),
            (
                "replace-model-by-id",
                "src/orders/mod.rs:25".to_owned(),
                "shared-models",
                0.375,
                0.25
            ),
        ]
    );
    assert!(
        p.worklist[0]
            .change
            .starts_with("Break the cycle of 2 contexts (billing and ordering) by cutting 1 edge: billing → ordering by events")
    );
    assert!(
        p.worklist[1]
            .change
            .starts_with("Give `products` one owner, catalog: ordering"),
        "{}",
        p.worklist[1].change
    );
    assert!(p.worklist[2].change.starts_with("Replace `Invoice`"));
    // Once every metric is within its threshold, nothing more is asked: the last change of
    // each metric reaches it.
    for w in &p.worklist {
        let last = p
            .worklist
            .iter()
            .rev()
            .find(|x| x.metric == w.metric)
            .unwrap();
        assert!(last.after <= last.threshold + 1e-9, "{last:?}");
    }
    assert!(p.advice.contains("Start with the worklist: 4 changes"));
    assert_eq!(
        p.worklist_purpose(),
        "the changes that would make the split possible"
    );

    // Within the thresholds, there is nothing to do.
    let (facts, proposal) = shop(1);
    let mut t = Thresholds::recommended();
    t.max_cycle_share = 0.5;
    t.max_shared_table_share = 0.5;
    t.max_shared_model_share = 0.5;
    let clean = plan(&facts, &proposal, &PlanOptions { thresholds: t });
    assert_eq!(clean.verdict, Verdict::SplitNow);
    assert!(clean.worklist.is_empty());
}

/// A codebase with no network entry point is never told to split.
#[test]
fn a_codebase_without_a_network_entry_point_is_never_told_to_split() {
    let (mut facts, proposal) = shop(1);
    let mut t = Thresholds::recommended();
    // Clean enough to split if it served the network.
    t.max_cycle_share = 0.5;
    t.max_shared_table_share = 0.5;
    t.max_shared_model_share = 0.5;
    let options = PlanOptions { thresholds: t };
    let served = plan(&facts, &proposal, &options);
    assert_eq!(served.verdict, Verdict::SplitNow);
    assert_eq!(served.codebase.kind.as_str(), "network-service");
    let entries: Vec<(&str, String)> = served
        .codebase
        .entry_points
        .iter()
        .map(|e| (e.krate.as_str(), e.at.to_string()))
        .collect();
    assert_eq!(
        entries,
        [
            ("axum", "src/orders/mod.rs:2".to_owned()),
            ("lapin", "src/billing/mod.rs:3".to_owned())
        ]
    );

    facts
        .external
        .retain(|e| e.root != "axum" && e.root != "lapin");
    let p = plan(&facts, &proposal, &options);
    assert_eq!(p.verdict, Verdict::KeepMonolith);
    assert_eq!(p.codebase.kind.as_str(), "library");
    assert_eq!(p.reasons[0].kind.as_str(), "entry-points");
    assert!(p.reasons[0].decisive);
    assert!(
        p.advice
            .starts_with("This is a library, with no network entry point")
    );
    assert!(p.advice.contains("crates"), "{}", p.advice);
    // The order is still useful, to carve crates out, and says so.
    assert!(
        p.extraction[0]
            .why
            .starts_with("As a crate, not a service (this is a library): shipping goes first"),
        "{}",
        p.extraction[0].why
    );
    assert!(!served.extraction[0].why.starts_with("As a crate"));
    // Its tangles are no obstacle to a split it will not make: the worklist cleans the
    // crate boundaries.
    let tangled = plan(&facts, &proposal, &self::options());
    assert!(!tangled.worklist.is_empty());
    assert_eq!(
        tangled.worklist_purpose(),
        "the changes that would make these crate boundaries clean"
    );
}

/// A few thousand lines keep the monolith whatever their structure, and the
/// tangles become the tidying worklist.
#[test]
fn a_small_tangled_codebase_keeps_the_monolith_and_gets_the_worklist() {
    let (mut facts, proposal) = shop(1);
    // The same structure at a sixth of the size: 4,056 lines.
    for f in &mut facts.files {
        f.code_lines /= 6;
    }
    let p = plan(&facts, &proposal, &options());
    assert_eq!(p.verdict, Verdict::KeepMonolith);
    assert_eq!(p.reasons[0].kind.as_str(), "size");
    assert!(
        p.reasons[0].text.contains("under 5,000"),
        "{}",
        p.reasons[0].text
    );
    // The tangles are still there, crossed but not decisive.
    let cycles = p
        .reasons
        .iter()
        .find(|r| r.kind.as_str() == "cycles")
        .unwrap();
    assert!(cycles.crossed && !cycles.decisive);
    assert_eq!(p.worklist.len(), 4);
    assert!(p.advice.contains("Tidy its modules first"), "{}", p.advice);
    assert_eq!(
        p.worklist_purpose(),
        "the changes that would tidy its modules"
    );
}

/// Contexts that own no table and serve nothing, or hold under 1% of the code, do
/// not count as contexts to split into.
#[test]
fn fewer_than_three_real_contexts_keep_the_monolith() {
    let (mut facts, proposal) = shop(1);
    let mut t = Thresholds::recommended();
    t.max_cycle_share = 0.5;
    t.max_shared_table_share = 0.5;
    t.max_shared_model_share = 0.5;
    // No context maps or declares a table any more, and only ordering serves HTTP.
    facts.external.retain(|e| e.root != "lapin");
    for table in &mut facts.tables {
        table.mapped_by.clear();
        table.defined_in = None;
    }
    for item in &mut facts.items {
        item.table = None;
    }
    // Serving is answering requests: ordering's `place_order` becomes an axum handler.
    let place = facts
        .items
        .iter()
        .find(|it| it.path == "shop::orders::place_order")
        .expect("sample: place")
        .id;
    facts.items[place.index()].signature =
        Some("async fn place_order(Json(cart): Json<Cart>) -> Json<Order>".to_owned());
    let proposal = {
        let mut p = proposal;
        for c in &mut p.contexts {
            c.metrics.owned_tables.clear();
            c.metrics.endpoints = c
                .items
                .iter()
                .copied()
                .filter(|&i| seamline_cluster::contexts::is_endpoint(&facts, i))
                .collect();
        }
        p
    };
    let p = plan(&facts, &proposal, &PlanOptions { thresholds: t });
    assert_eq!(p.verdict, Verdict::KeepMonolith, "{}", p.dump());
    let names: Vec<&str> = p
        .codebase
        .real_contexts
        .iter()
        .map(|&c| p.context_name(c))
        .collect();
    assert_eq!(names, ["ordering"]);
    assert!(
        p.reasons[0]
            .text
            .starts_with("Only 1 real context was found"),
        "{}",
        p.reasons[0].text
    );
}

/// Step 1 is a real domain; leftovers and disconnected code never go first, however
/// cheap their seam.
#[test]
fn step_one_is_a_real_domain_never_leftovers_or_disconnected_code() {
    use ir::DepKind::Call;
    use ir::ItemKind as K;
    let mut b = FactsBuilder::new("x");
    b.module("x::accounts", "src/accounts.rs", 1_000)
        .module("x::orders", "src/orders.rs", 1_000)
        .module("x::billing", "src/billing.rs", 1_000)
        .module("x::reviews", "src/reviews.rs", 1_000)
        .module("x::helpers", "src/helpers.rs", 20);
    for (m, table) in [
        ("x::accounts", "accounts"),
        ("x::orders", "orders"),
        ("x::billing", "invoices"),
        ("x::reviews", "reviews"),
    ] {
        b.table(table, Some((m, 1)))
            .access(m, None, table, ir::AccessMode::Write, 3, 5)
            .external(m, "axum", 2, 2);
    }
    let account = b.item("x::accounts", "account", K::Function, 10, None);
    b.signature(&account, "fn account(id: u64) -> Account");
    let order = b.item("x::orders", "order", K::Function, 10, None);
    b.signature(&order, "fn order(id: u64) -> Order");
    let place = b.item("x::orders", "place", K::Function, 20, None);
    let bill = b.item("x::billing", "bill", K::Function, 10, None);
    let remind = b.item("x::billing", "remind", K::Function, 20, None);
    let fmt = b.item("x::helpers", "fmt_money", K::Function, 3, None);
    b.signature(&fmt, "fn fmt_money(cents: u64) -> String");
    // orders asks accounts; billing asks orders twice; the 20-line helper asks accounts once.
    b.reference("x::orders", Some(&place), &account, Call, 1, 21)
        .reference("x::billing", Some(&bill), &order, Call, 1, 11)
        .reference("x::billing", Some(&remind), &order, Call, 1, 21)
        .reference("x::helpers", Some(&fmt), &account, Call, 1, 4);
    let facts = b.build();
    facts.validate().unwrap();
    let proposal = one_module_each(
        &facts,
        &["accounts", "orders", "billing", "reviews", "helpers"],
        0.6,
    );
    let p = plan(&facts, &proposal, &options());
    let order: Vec<&str> = p
        .extraction
        .iter()
        .map(|s| p.context_name(s.context))
        .collect();
    // reviews (a table, no reference at all) has seam cost 0 and helpers cost 4, the real
    // domains 8 and more: both wait until every connected real domain is out.
    assert_eq!(
        order,
        ["accounts", "billing", "orders", "helpers", "reviews"],
        "{}",
        p.dump()
    );
    let first = &p.extraction[0];
    assert!(
        first
            .why
            .starts_with("accounts goes first, a real domain with 25% of the code, owning a table (accounts), serving HTTP server (axum): the cheapest seam"),
        "{}",
        first.why
    );
    assert!(
        p.extraction[3].why.contains("not a real domain"),
        "{}",
        p.extraction[3].why
    );
}

/// The entry points are read per crate. In a workspace whose web UI is a crate of
/// its own (yew, compiled to WebAssembly), the UI's context is a client of the services: no
/// service candidate and never step 1, even when its forms map the tables.
#[test]
fn a_web_ui_crate_is_a_client_never_a_service_or_step_one() {
    use ir::DepKind::Call;
    use ir::ItemKind as K;
    let mut b = FactsBuilder::new("x");
    b.module("x::accounts", "src/accounts.rs", 1_000)
        .module("x::orders", "src/orders.rs", 1_000)
        .module("x::billing", "src/billing.rs", 1_000)
        .module("x::ui", "app/src/lib.rs", 1_000);
    for (m, table) in [
        ("x::accounts", "accounts"),
        ("x::orders", "orders"),
        ("x::billing", "invoices"),
    ] {
        b.table(table, Some((m, 1)))
            .access(m, None, table, ir::AccessMode::Write, 3, 5)
            .external(m, "axum", 2, 2);
    }
    // The UI asks accounts for the current user and declares and reads the
    // `groups` table (the server writes it through an ORM call a static reading misses), so
    // it owns that table as its main reader: a real domain by the table rule alone.
    b.table("groups", Some(("x::ui", 3)))
        .access("x::ui", None, "groups", ir::AccessMode::Read, 4, 9)
        .external("x::ui", "yew", 12, 1)
        .external("x::ui", "wasm_bindgen", 1, 2);
    let view = b.item("x::ui", "view", K::Function, 10, None);
    let account = b.item("x::accounts", "account", K::Function, 10, None);
    let order = b.item("x::orders", "order", K::Function, 10, None);
    let place = b.item("x::orders", "place", K::Function, 20, None);
    let bill = b.item("x::billing", "bill", K::Function, 10, None);
    let remind = b.item("x::billing", "remind", K::Function, 20, None);
    b.reference("x::ui", Some(&view), &account, Call, 1, 11)
        .reference("x::orders", Some(&place), &account, Call, 3, 21)
        .reference("x::billing", Some(&bill), &order, Call, 3, 11)
        .reference("x::billing", Some(&remind), &order, Call, 1, 21);
    let mut facts = b.build();
    // The UI is its own crate.
    facts.crates.push(ir::Crate {
        id: ir::CrateId(1),
        name: "x_app".to_owned(),
        package: Some("x_app".to_owned()),
        manifest: Some("app/Cargo.toml".to_owned()),
        kind: ir::CrateKind::Lib,
        root_file: None,
        root_module: None,
        deps: Vec::new(),
    });
    for m in &mut facts.modules {
        if m.path == "x::ui" {
            m.krate = ir::CrateId(1);
        }
    }
    for f in &mut facts.files {
        if f.path.starts_with("app/") {
            f.krate = Some(ir::CrateId(1));
        }
    }
    facts.validate().unwrap();
    let proposal = one_module_each(&facts, &["accounts", "orders", "billing", "ui"], 0.6);
    let p = plan(&facts, &proposal, &options());
    let names = |cs: &[ContextId]| -> Vec<String> {
        cs.iter().map(|&c| p.context_name(c).to_owned()).collect()
    };
    assert_eq!(names(&p.codebase.client_contexts), ["ui"], "{}", p.dump());
    assert!(!names(&p.codebase.real_contexts).contains(&"ui".to_owned()));
    assert_ne!(
        p.context_name(p.extraction[0].context),
        "ui",
        "{}",
        p.dump()
    );
    assert_eq!(
        p.context_name(p.extraction.last().unwrap().context),
        "ui",
        "{}",
        p.dump()
    );
}

/// Three contexts: `orders` and `billing` write their tables and serve requests; `server`
/// holds the binary's `main`, a small endpoint and reads a table that only migrations write
/// (lemmy's start-up, settings and middleware context, cheap to cut only because everything
/// is wired through it). `server_writes` makes it write that table.
fn host_plan(server_writes: bool) -> Plan {
    use ir::AccessMode::{Read, Write};
    use ir::DepKind::Call;
    use ir::ItemKind::Function;
    let mut b = FactsBuilder::new("x");
    b.module("x::orders", "src/orders.rs", 100)
        .module("x::billing", "src/billing.rs", 100)
        .module("x::server", "src/server.rs", 100);
    let create = b.item("x::orders", "create_order", Function, 1, None);
    b.signature(
        &create,
        "async fn create_order(Json(o): Json<NewOrder>) -> Json<Order>",
    );
    let charge = b.item("x::billing", "charge", Function, 1, None);
    b.signature(
        &charge,
        "async fn charge(Json(p): Json<Pay>) -> Json<Payment>",
    );
    let main = b.item("x::server", "main", Function, 1, None);
    b.signature(&main, "async fn main()");
    let info = b.item("x::server", "nodeinfo", Function, 10, None);
    b.signature(&info, "async fn nodeinfo() -> Json<Info>");
    b.table("orders", None)
        .table("payments", None)
        .table("secret", None)
        .access("x::orders", Some(&create), "orders", Write, 1, 2)
        .access("x::billing", Some(&charge), "payments", Write, 1, 2)
        .access(
            "x::server",
            Some(&info),
            "secret",
            if server_writes { Write } else { Read },
            1,
            11,
        );
    for line in 3..8 {
        b.reference("x::orders", Some(&create), &charge, Call, 1, line);
    }
    // A type reference: the cheapest seam of the three (1 against a synchronous call's 4).
    b.reference("x::server", Some(&main), &create, ir::DepKind::Type, 1, 2);
    let mut facts = b.build();
    let server = facts
        .modules
        .iter()
        .find(|m| m.path == "x::server")
        .unwrap()
        .id;
    facts.crates[0].kind = ir::CrateKind::Bin;
    facts.crates[0].root_module = Some(server);
    facts.validate().unwrap();
    let proposal = one_module_each(&facts, &["orders", "billing", "server"], 0.5);
    plan(&facts, &proposal, &options())
}

/// The context holding a binary's `main` that writes none of its tables is the host
/// the strangler fig grows around: it goes last however cheap its seam, and the reason says
/// so. A real domain `main` was merely placed in (it writes its table) keeps its turn.
#[test]
fn the_host_holding_main_goes_last_unless_it_writes_its_tables() {
    let order = |p: &Plan| -> Vec<String> {
        p.extraction
            .iter()
            .map(|s| p.context_name(s.context).to_owned())
            .collect()
    };
    let host = host_plan(false);
    let steps = order(&host);
    assert_eq!(
        steps.last().map(String::as_str),
        Some("server"),
        "{}",
        host.dump()
    );
    assert_ne!(steps[0], "server", "{}", host.dump());
    let writer = host_plan(true);
    assert_eq!(order(&writer)[0], "server", "{}", writer.dump());
}

/// In a network service, serving is answering requests. A context whose code
/// names the server framework only to wrap the handlers (middleware taking `Next`, a router
/// builder) owns no table and answers nothing: no real domain, however much axum it names
/// (crates.io's middleware folder, Plume's configuration and search index).
#[test]
fn a_middleware_layer_naming_the_framework_is_no_real_domain() {
    use ir::ItemKind::Function;
    let mut b = FactsBuilder::new("x");
    b.module("x::orders", "src/orders.rs", 100)
        .module("x::middleware", "src/middleware.rs", 100);
    let show = b.item("x::orders", "show", Function, 1, None);
    b.signature(&show, "async fn show(Path(id): Path<i64>) -> Json<Order>");
    let wrap = b.item("x::middleware", "log_request", Function, 1, None);
    b.signature(
        &wrap,
        "async fn log_request(req: Request, next: Next) -> impl IntoResponse",
    );
    b.external("x::orders", "axum", 3, 1)
        .external("x::middleware", "axum", 5, 1)
        .reference("x::middleware", Some(&wrap), &show, ir::DepKind::Call, 1, 3);
    let facts = b.build();
    facts.validate().unwrap();
    let proposal = one_module_each(&facts, &["orders", "middleware"], 0.6);
    let p = plan(&facts, &proposal, &options());
    let real: Vec<&str> = p
        .codebase
        .real_contexts
        .iter()
        .map(|&c| p.context_name(c))
        .collect();
    assert_eq!(p.codebase.kind.as_str(), "network-service", "{}", p.dump());
    assert_eq!(real, ["orders"], "{}", p.dump());
}
