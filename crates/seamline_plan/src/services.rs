//! Services: one per context, with what it owns, exposes, calls and needs to run.
//!
//! The infrastructure stack of a service is read from the external crates its modules use
//! (DOMAIN.md "micro stacks"): each service gets its own database, cache, queue and runtime,
//! changeable and scalable on its own.

use crate::build::Input;
use crate::{
    ApiItem, CrossRef, ExternalCrate, Infra, ItemMove, ItemRef, ModuleRef, Ownership, Service,
    ServiceLink, StackNeed, State,
};
use seamline_cluster::contexts::ContextId;
use seamline_ir as ir;
use std::collections::{BTreeMap, BTreeSet};

/// External crate roots that imply a piece of infrastructure (names as code writes them).
const STACK: &[(&str, Infra)] = &[
    ("diesel", Infra::Database),
    ("diesel_async", Infra::Database),
    ("sqlx", Infra::Database),
    ("sea_orm", Infra::Database),
    ("rusqlite", Infra::Database),
    ("postgres", Infra::Database),
    ("tokio_postgres", Infra::Database),
    ("deadpool_postgres", Infra::Database),
    ("mysql", Infra::Database),
    ("mysql_async", Infra::Database),
    ("mongodb", Infra::Database),
    ("scylla", Infra::Database),
    ("redis", Infra::Cache),
    ("deadpool_redis", Infra::Cache),
    ("bb8_redis", Infra::Cache),
    ("fred", Infra::Cache),
    ("memcache", Infra::Cache),
    ("lapin", Infra::Queue),
    ("rdkafka", Infra::Queue),
    ("async_nats", Infra::Queue),
    ("nats", Infra::Queue),
    ("pulsar", Infra::Queue),
    ("rumqttc", Infra::Queue),
    ("aws_sdk_sqs", Infra::Queue),
    ("axum", Infra::HttpServer),
    ("actix_web", Infra::HttpServer),
    ("rocket", Infra::HttpServer),
    ("warp", Infra::HttpServer),
    ("poem", Infra::HttpServer),
    ("tide", Infra::HttpServer),
    ("salvo", Infra::HttpServer),
    ("tonic", Infra::GrpcServer),
    ("reqwest", Infra::HttpClient),
    ("ureq", Infra::HttpClient),
    ("surf", Infra::HttpClient),
    ("lettre", Infra::Messaging),
    ("twilio", Infra::Messaging),
    ("aws_sdk_ses", Infra::Messaging),
    ("aws_sdk_sns", Infra::Messaging),
    ("tokio_cron_scheduler", Infra::Scheduler),
    ("cron", Infra::Scheduler),
    ("job_scheduler", Infra::Scheduler),
    ("apalis", Infra::Scheduler),
    ("aws_sdk_s3", Infra::ObjectStorage),
    ("object_store", Infra::ObjectStorage),
    ("rust_s3", Infra::ObjectStorage),
];

/// Roots that are part of the language or the code itself, not dependencies.
fn is_builtin(root: &str) -> bool {
    matches!(
        root,
        "std" | "core" | "alloc" | "crate" | "self" | "super" | "Self" | "proc_macro" | "test"
    ) || root.starts_with('<')
}

pub(crate) fn services(input: &Input<'_>, cross: &[CrossRef]) -> Vec<Service> {
    let facts = input.facts;
    // Inbound references per item from anywhere (for ranking the main models).
    let mut inbound: BTreeMap<ir::ItemId, u32> = BTreeMap::new();
    for r in &facts.references {
        *inbound.entry(r.to).or_default() += r.count;
    }
    // Modules per file, to find the files wholly in one context.
    let mut modules_of_file: BTreeMap<ir::FileId, Vec<ir::ModuleId>> = BTreeMap::new();
    for m in &facts.modules {
        modules_of_file.entry(m.file).or_default().push(m.id);
    }

    let mut out = Vec::new();
    for ctx in &input.proposal.contexts {
        let id = ctx.id;
        let modules: Vec<ModuleRef> = ctx
            .modules
            .iter()
            .filter_map(|&m| input.module_ref(m))
            .collect();
        let code_lines = ctx.metrics.code_lines;

        // Main models: most referenced first.
        let mut models: Vec<ItemRef> = ctx
            .metrics
            .owned_models
            .iter()
            .filter_map(|&m| input.item_ref(m))
            .collect();
        models.sort_by(|a, b| a.path.cmp(&b.path));
        let mut ranked: Vec<ItemRef> = models
            .iter()
            .filter(|m| !crate::data::is_id_type(&m.name))
            .cloned()
            .collect();
        ranked.sort_by(|a, b| {
            let (ra, rb) = (
                inbound.get(&a.id).copied().unwrap_or(0),
                inbound.get(&b.id).copied().unwrap_or(0),
            );
            rb.cmp(&ra).then_with(|| a.path.cmp(&b.path))
        });
        let main_models: Vec<ItemRef> = ranked.into_iter().take(3).collect();

        // Main modules: largest first.
        let mut by_size: Vec<(u32, ModuleRef)> = ctx
            .modules
            .iter()
            .filter_map(|&m| {
                let lines = facts.modules.get(m.index())?.code_lines;
                Some((lines, input.module_ref(m)?))
            })
            .collect();
        by_size.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.path.cmp(&b.1.path)));
        let main_modules: Vec<ModuleRef> = by_size.into_iter().take(3).map(|(_, m)| m).collect();

        let purpose = purpose(&ctx.name, &main_models, &main_modules);

        // Files wholly in the context.
        let mut files = BTreeSet::new();
        for &m in &ctx.modules {
            let Some(module) = facts.modules.get(m.index()) else {
                continue;
            };
            let all_here = modules_of_file
                .get(&module.file)
                .into_iter()
                .flatten()
                .all(|&other| {
                    input.module_context(other) == Some(id)
                        && facts.modules[other.index()]
                            .items
                            .iter()
                            .all(|&i| input.item_context(i) == Some(id))
                });
            if all_here && let Some(f) = facts.files.get(module.file.index()) {
                files.insert(f.path.clone());
            }
        }

        // Items of this context in modules of another context.
        let mut to_move: Vec<ItemMove> = ctx
            .items
            .iter()
            .filter_map(|&i| {
                let it = input.item(i)?;
                // Methods and impls follow their type: report the type only.
                if matches!(it.kind, ir::ItemKind::Method | ir::ItemKind::Impl) {
                    return None;
                }
                let module_context = input.module_context(it.module);
                if module_context == Some(id) {
                    return None;
                }
                Some(ItemMove {
                    item: input.item_ref(i)?,
                    module: input.module_ref(it.module)?,
                    module_context,
                })
            })
            .collect();
        to_move.sort_by(|a, b| {
            a.item
                .at
                .cmp(&b.item.at)
                .then(a.item.path.cmp(&b.item.path))
        });

        let tables: Vec<_> = ctx
            .metrics
            .owned_tables
            .iter()
            .filter_map(|&t| input.table_ref(t))
            .collect();

        // API surface: items of this context referenced from others.
        let mut api: BTreeMap<ir::ItemId, (BTreeSet<ContextId>, u32)> = BTreeMap::new();
        for r in cross.iter().filter(|r| r.to_context == id) {
            if let Some(to) = r.to_item {
                let e = api.entry(to).or_default();
                e.0.insert(r.from_context);
                e.1 += r.count;
            }
        }
        let mut api: Vec<ApiItem> = api
            .into_iter()
            .filter_map(|(item, (used_by, references))| {
                Some(ApiItem {
                    signature: input.item(item)?.signature.clone(),
                    item: input.item_ref(item)?,
                    used_by: used_by.into_iter().collect(),
                    references,
                })
            })
            .collect();
        api.sort_by(|a, b| {
            b.references
                .cmp(&a.references)
                .then_with(|| a.item.path.cmp(&b.item.path))
        });

        // Calls and called-by.
        let mut calls: BTreeMap<ContextId, u32> = BTreeMap::new();
        let mut called_by: BTreeMap<ContextId, u32> = BTreeMap::new();
        for r in cross {
            if r.from_context == id {
                *calls.entry(r.to_context).or_default() += r.count;
            }
            if r.to_context == id {
                *called_by.entry(r.from_context).or_default() += r.count;
            }
        }

        // External crates and the stack they imply.
        let module_set: BTreeSet<ir::ModuleId> = ctx.modules.iter().copied().collect();
        let mut externals: BTreeMap<String, u32> = BTreeMap::new();
        for e in &facts.external {
            if module_set.contains(&e.module) && !is_builtin(&e.root) {
                *externals.entry(e.root.clone()).or_default() += e.count;
            }
        }
        let mut stack: BTreeMap<Infra, Vec<String>> = BTreeMap::new();
        for name in externals.keys() {
            if let Some((_, infra)) = STACK.iter().find(|(k, _)| k == name) {
                stack.entry(*infra).or_default().push(name.clone());
            }
        }

        let statics: Vec<ItemRef> = ctx
            .items
            .iter()
            .filter(|&&i| {
                input
                    .item(i)
                    .is_some_and(|it| it.kind == ir::ItemKind::Static)
            })
            .filter_map(|&i| input.item_ref(i))
            .collect();

        out.push(Service {
            context: id,
            name: ctx.name.clone(),
            purpose,
            main_models,
            main_modules,
            modules,
            code_lines,
            owns: Ownership {
                models,
                tables: tables.clone(),
                files: files.into_iter().collect(),
                to_move,
            },
            api,
            calls: links(calls),
            called_by: links(called_by),
            external_crates: externals
                .into_iter()
                .map(|(name, references)| ExternalCrate { name, references })
                .collect(),
            stack: stack
                .into_iter()
                .map(|(infra, crates)| StackNeed { infra, crates })
                .collect(),
            state: State { tables, statics },
        });
    }
    out
}

fn links(m: BTreeMap<ContextId, u32>) -> Vec<ServiceLink> {
    let mut v: Vec<ServiceLink> = m
        .into_iter()
        .map(|(context, references)| ServiceLink {
            context,
            references,
        })
        .collect();
    v.sort_by(|a, b| {
        b.references
            .cmp(&a.references)
            .then(a.context.cmp(&b.context))
    });
    v
}

fn purpose(name: &str, models: &[ItemRef], modules: &[ModuleRef]) -> String {
    let models: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    let modules: Vec<&str> = modules.iter().map(|m| m.path.as_str()).collect();
    match (models.is_empty(), modules.is_empty()) {
        (false, false) => format!(
            "The {name} service: the source of truth for {}; built from {}.",
            list(&models),
            list(&modules)
        ),
        (true, false) => format!(
            "The {name} service: behaviour without models of its own, built from {}.",
            list(&modules)
        ),
        (false, true) => format!(
            "The {name} service: the source of truth for {}.",
            list(&models)
        ),
        (true, true) => format!("The {name} service."),
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn list(xs: &[&str]) -> String {
    match xs {
        [] => String::new(),
        [a] => (*a).to_owned(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}
