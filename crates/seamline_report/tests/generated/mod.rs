//! A large generated input for the renderers: 60 contexts of 25 modules each plus
//! a kernel, about 22,000 items, tens of thousands of references between contexts, cycles,
//! shared models and shared tables, built in memory with the plan's sample builder (nothing
//! is committed but this generator). Shared by the tests in `tests/large.rs` and by the
//! `large_report` example, which writes the report for the browser check.

use seamline_ir as ir;
use seamline_plan::{Plan, PlanOptions, Thresholds, plan};
use seamline_test_utils::sample::{Assignment, FactsBuilder, measure};

/// How many contexts the input has.
pub const CONTEXTS: usize = 60;
/// Modules per context.
const MODULES: usize = 25;
/// Items per module (a model struct, its methods and functions).
const ITEMS: usize = 14;

/// Sixty context names, a few of them long (the map shortens those).
pub fn context_names() -> Vec<String> {
    let words = [
        "accounts",
        "billing",
        "catalog",
        "checkout",
        "coupons",
        "delivery",
        "disputes",
        "fulfilment",
        "identity",
        "inventory",
        "invoicing",
        "ledger",
        "loyalty",
        "media",
        "messaging",
        "notifications",
        "ordering",
        "payments",
        "pricing",
        "procurement",
    ];
    let suffixes = ["", "_reporting", "_customer_preferences_sync"];
    let mut names = Vec::new();
    for suffix in suffixes {
        for w in words {
            names.push(format!("{w}{suffix}"));
        }
    }
    names.truncate(CONTEXTS);
    names
}

/// The facts, the proposal (a known assignment, as the clustering would give it) and the
/// plan of the large input.
pub fn large() -> (ir::Facts, seamline_cluster::contexts::Proposal, Plan) {
    use ir::DepKind::{Call, Type};
    use ir::ItemKind::{Function, Method, Struct};
    let names = context_names();
    let mut b = FactsBuilder::new("big");
    b.module("big", "src/lib.rs", 50);
    let mut kernel = Vec::new();
    let mut helpers = Vec::new();
    for k in 0..5 {
        let m = format!("big::kernel{k}");
        b.module(&m, &format!("src/kernel{k}.rs"), 400);
        helpers.push(b.item(&m, "Helper", Struct, 1, None));
        kernel.push(m);
    }
    let mut contexts: Vec<(String, Vec<String>)> = Vec::new();
    // items[c][m] = (model path, function paths) of module m of context c.
    let mut items: Vec<Vec<(String, Vec<String>)>> = Vec::new();
    for (c, name) in names.iter().enumerate() {
        let mut modules = Vec::new();
        let mut per_module = Vec::new();
        for m in 0..MODULES {
            let path = format!("big::{name}::part{m:02}");
            b.module(
                &path,
                &format!("src/{name}/part{m:02}.rs"),
                200 + (c * 37 + m * 11) as u32 % 600,
            );
            let model = b.item(&path, &format!("Record{m:02}"), Struct, 1, None);
            let mut funcs = Vec::new();
            for f in 0..ITEMS - 1 {
                let line = 10 + 10 * f as u32;
                if f < 3 {
                    b.item(&path, &format!("op{f}"), Method, line, Some(&model));
                } else {
                    funcs.push(b.item(&path, &format!("handle_{f:02}"), Function, line, None));
                }
            }
            modules.push(path);
            per_module.push((model, funcs));
        }
        contexts.push((name.clone(), modules));
        items.push(per_module);
    }
    // Tables: each written by one context and read by two others.
    for t in 0..80 {
        b.table(&format!("table_{t:02}"), None);
    }
    let mut id_fields = 0;
    for c in 0..CONTEXTS {
        for m in 0..MODULES {
            let module = contexts[c].1[m].clone();
            let (model, funcs) = items[c][m].clone();
            // Inside the context: calls to the next modules.
            for (k, f) in funcs.iter().enumerate() {
                let (_, next) = &items[c][(m + 1 + k) % MODULES];
                b.reference(
                    &module,
                    Some(f),
                    &next[k % next.len()],
                    Call,
                    3,
                    20 + k as u32,
                );
            }
            b.reference(
                &module,
                Some(&funcs[0]),
                &helpers[m % helpers.len()],
                Type,
                1,
                5,
            );
            // Across contexts: a layered dependency structure (c depends on c+1..c+3 and
            // on one 17 further), with weights falling off, and a few back edges
            // that make cycles.
            for (j, step) in [1usize, 2, 3, 17].iter().enumerate() {
                let to = c + step;
                if (m + j) % 3 != 0 || to >= CONTEXTS {
                    continue;
                }
                let (to_model, to_funcs) = &items[to][(m * 7 + j) % MODULES];
                let count = 1 + ((c + m + j) % 5) as u32;
                b.reference(
                    &module,
                    Some(&funcs[1 + j]),
                    &to_funcs[j],
                    Call,
                    count,
                    40 + j as u32,
                )
                .reference(&module, Some(&model), to_model, Type, 1, 2 + j as u32);
            }
            if c % 10 == 5 && m < 4 {
                let back = (c + CONTEXTS - 1) % CONTEXTS;
                let (_, to_funcs) = &items[back][m];
                b.reference(&module, Some(&funcs[5]), &to_funcs[1], Call, 1, 90);
            }
            // Models embedding another context's model (shared models), the first modules only.
            if m < 2 {
                let to = (c + 1) % CONTEXTS;
                let (to_model, _) = &items[to][m];
                b.field(
                    &model,
                    "other",
                    &format!("Record{m:02}"),
                    &[to_model],
                    false,
                    3,
                );
                id_fields += 1;
            }
            if m == 0 {
                let t = c % 80;
                let table = format!("table_{t:02}");
                b.access(
                    &module,
                    Some(&funcs[2]),
                    &table,
                    ir::AccessMode::Write,
                    2,
                    60,
                );
                for r in [7usize, 13] {
                    let reader = &contexts[(c + r) % CONTEXTS].1[1];
                    let (_, rf) = &items[(c + r) % CONTEXTS][1];
                    b.access(reader, Some(&rf[3]), &table, ir::AccessMode::Read, 1, 70);
                }
            }
        }
    }
    assert!(id_fields > 0);
    b.diagnostics(450);
    let facts = b.build();
    let proposal = measure(
        &facts,
        &Assignment {
            contexts,
            kernel,
            item_overrides: vec![],
            modularity: 0.45,
        },
    );
    let p = plan(
        &facts,
        &proposal,
        &PlanOptions {
            thresholds: Thresholds::recommended(),
        },
    );
    (facts, proposal, p)
}
