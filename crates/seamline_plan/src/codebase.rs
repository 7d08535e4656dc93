//! What the codebase is, for the verdict: its network entry points, the contexts
//! that are real domains, and with `--history` the team that works on it.
//!
//! Services are network seams (DOMAIN.md): a codebase with no network entry point (a CLI, a
//! library, a compiler) is no candidate, whatever its size. An entry point is read from the
//! facts: a module referring to a server framework (axum, actix-web, rocket, warp, poem,
//! tide, salvo, tonic...) or a queue client (lapin, rdkafka, async-nats...). Route attributes
//! (`#[get]`) and `Router::new().route(..)` come from those same crates, so their roots are
//! the signal. A bare `hyper` is left out: it is as often an HTTP client as a server, and
//! every framework above that serves through it is counted already.
//!
//! A context is a real domain when it owns a table or exposes an endpoint and holds at least
//! [`Thresholds::min_real_context_share`] of the code: a utility, an extractor or leftovers
//! are no service, so they do not count towards "enough contexts to split". In a network
//! service an endpoint is a function that answers requests (`seamline_cluster`'s
//! `is_endpoint`: a handler's web types, a tonic service method, an async function in a
//! handler folder) in a context whose code refers to the server framework; middleware and
//! router builders name the framework and answer nothing, and a function other contexts call
//! is any utility's API, a markdown renderer's as much as a domain's. In a command-line tool
//! or a library, where no module serves the network, an endpoint is a function other
//! contexts call (the candidate crate's API).
//!
//! The entry points are read per crate as well: in a workspace whose server is one crate
//! among others, a crate that serves nothing and builds a user interface or a command line
//! (a yew web UI, a terminal UI, an admin CLI) is a client of the services. A context with
//! most of its code there is no service candidate and never goes first, whatever tables
//! its forms map.

use crate::build::Input;
use crate::{Codebase, CodebaseKind, EntryPoint, Infra, PlanHistory, Service, Team, Thresholds};
use seamline_cluster::contexts::ContextId;
use seamline_ir as ir;
use std::collections::BTreeMap;

/// External crate roots that serve requests from the network.
const ENTRY_POINTS: &[(&str, Infra)] = &[
    ("axum", Infra::HttpServer),
    ("actix_web", Infra::HttpServer),
    ("rocket", Infra::HttpServer),
    ("warp", Infra::HttpServer),
    ("poem", Infra::HttpServer),
    ("poem_openapi", Infra::HttpServer),
    ("tide", Infra::HttpServer),
    ("salvo", Infra::HttpServer),
    ("gotham", Infra::HttpServer),
    ("ntex", Infra::HttpServer),
    ("trillium", Infra::HttpServer),
    ("viz", Infra::HttpServer),
    ("lambda_http", Infra::HttpServer),
    ("tonic", Infra::GrpcServer),
    ("tarpc", Infra::GrpcServer),
    ("jsonrpsee", Infra::GrpcServer),
    ("lapin", Infra::Queue),
    ("rdkafka", Infra::Queue),
    ("async_nats", Infra::Queue),
    ("amqprs", Infra::Queue),
    ("pulsar", Infra::Queue),
    ("rumqttc", Infra::Queue),
    ("aws_sdk_sqs", Infra::Queue),
];

/// External crate roots of a user interface or a command line: a crate that refers to one
/// and serves nothing is a client of the services (a web UI compiled to WebAssembly, a
/// terminal UI, an admin CLI), not part of them.
const CLIENT_ROOTS: &[&str] = &[
    "yew",
    "leptos",
    "dioxus",
    "sycamore",
    "seed",
    "wasm_bindgen",
    "web_sys",
    "gloo",
    "gloo_net",
    "gloo_console",
    "ratatui",
    "tui",
    "crossterm",
    "cursive",
    "egui",
    "eframe",
    "iced",
    "slint",
    "gtk",
    "tauri",
    "clap",
    "structopt",
    "argh",
];

/// The first use of an entry-point crate: (module path, module, location).
type FirstUse<'a> = Option<(&'a str, ir::ModuleId, ir::Location)>;

pub(crate) fn codebase(
    input: &Input<'_>,
    services: &[Service],
    history: Option<&PlanHistory>,
    t: &Thresholds,
) -> Codebase {
    let facts = input.facts;
    // crate root -> (modules using it, first use)
    let mut found: BTreeMap<&str, (usize, FirstUse<'_>)> = BTreeMap::new();
    for e in &facts.external {
        let Some((name, _)) = ENTRY_POINTS.iter().find(|(k, _)| *k == e.root) else {
            continue;
        };
        let Some(m) = facts.modules.get(e.module.index()) else {
            continue;
        };
        let slot = found.entry(name).or_default();
        slot.0 += 1;
        if slot
            .1
            .is_none_or(|(p, _, l)| (m.path.as_str(), e.first) < (p, l))
        {
            slot.1 = Some((m.path.as_str(), e.module, e.first));
        }
    }
    let client_crates = client_crates(facts);
    let entry_points: Vec<EntryPoint> = found
        .into_iter()
        .filter_map(|(name, (modules, first))| {
            let (_, module, at) = first?;
            let infra = ENTRY_POINTS.iter().find(|(k, _)| *k == name)?.1;
            Some(EntryPoint {
                krate: name.to_owned(),
                infra,
                module: input.module_ref(module)?,
                at: input.loc(at),
                modules,
            })
        })
        .collect();
    let kind = if !entry_points.is_empty() {
        CodebaseKind::NetworkService
    } else if has_binary(facts) {
        CodebaseKind::CommandLine
    } else {
        CodebaseKind::Library
    };

    let total = facts.code_lines().max(1) as f64;
    // Serving is answering requests: a context whose code refers to the server framework
    // only to wrap the handlers (middleware taking `Next`, a router builder) serves nothing.
    let serves = |s: &Service| {
        s.stack
            .iter()
            .any(|n| matches!(n.infra, Infra::HttpServer | Infra::GrpcServer))
            && input
                .proposal
                .contexts
                .get(s.context.index())
                .is_some_and(|c| !c.metrics.endpoints.is_empty())
    };
    let network = kind == CodebaseKind::NetworkService;
    let client_contexts: Vec<_> = if network {
        client_contexts(input, &client_crates)
    } else {
        Vec::new()
    };
    let mut real_contexts: Vec<_> = services
        .iter()
        .filter(|s| client_contexts.binary_search(&s.context).is_err())
        .filter(|s| s.code_lines as f64 >= t.min_real_context_share * total)
        .filter(|s| {
            !s.owns.tables.is_empty()
                || if network {
                    serves(s)
                } else {
                    s.api.iter().any(|a| a.is_endpoint())
                }
        })
        .map(|s| s.context)
        .collect();
    real_contexts.sort();

    Codebase {
        kind,
        entry_points,
        real_contexts,
        client_contexts,
        team: history.map(|h| team(h, t)),
    }
}

/// Crates that serve nothing and refer to a user interface or command-line crate
/// ([`CLIENT_ROOTS`]): the entry points are read per crate, so that a workspace's web UI or
/// CLI is told apart from its server.
fn client_crates(facts: &ir::Facts) -> Vec<bool> {
    let mut serves = vec![false; facts.crates.len()];
    let mut client = vec![false; facts.crates.len()];
    for e in &facts.external {
        let Some(m) = facts.modules.get(e.module.index()) else {
            continue;
        };
        let k = m.krate.index();
        if k >= serves.len() {
            continue;
        }
        if ENTRY_POINTS.iter().any(|(r, _)| *r == e.root) {
            serves[k] = true;
        }
        if CLIENT_ROOTS.contains(&e.root.as_str()) {
            client[k] = true;
        }
    }
    client.iter().zip(&serves).map(|(&c, &s)| c && !s).collect()
}

/// Contexts with most of their code in client crates. Sorted.
fn client_contexts(input: &Input<'_>, client_crates: &[bool]) -> Vec<ContextId> {
    let facts = input.facts;
    // (lines in client crates, lines) per context, over top-level items.
    let mut lines: BTreeMap<ContextId, (u64, u64)> = BTreeMap::new();
    for it in facts.items.iter().filter(|it| it.parent.is_none()) {
        let Some(c) = input.item_context(it.id) else {
            continue;
        };
        let client = facts
            .modules
            .get(it.module.index())
            .is_some_and(|m| client_crates.get(m.krate.index()).copied().unwrap_or(false));
        let e = lines.entry(c).or_default();
        let n = u64::from(it.code_lines);
        e.1 += n;
        if client {
            e.0 += n;
        }
    }
    lines
        .into_iter()
        .filter(|&(_, (client, all))| all > 0 && 2 * client > all)
        .map(|(c, _)| c)
        .collect()
}

/// Whether the codebase builds a program: a binary target, or (without cargo) a `main.rs`.
fn has_binary(facts: &ir::Facts) -> bool {
    facts.crates.iter().any(|c| match c.kind {
        ir::CrateKind::Bin => true,
        ir::CrateKind::Guessed => c
            .root_file
            .and_then(|f| facts.files.get(f.index()))
            .is_some_and(|f| f.path == "main.rs" || f.path.ends_with("/main.rs")),
        _ => false,
    })
}

fn team(h: &PlanHistory, t: &Thresholds) -> Team {
    let mut commits: BTreeMap<&str, u32> = BTreeMap::new();
    for c in &h.contexts {
        for (author, n) in &c.authors {
            *commits.entry(author.as_str()).or_default() += n;
        }
    }
    let total: u32 = commits.values().sum();
    let mut active: Vec<(String, u32)> = commits
        .iter()
        .filter(|&(_, &n)| total > 0 && f64::from(n) >= t.active_author_share * f64::from(total))
        .map(|(a, &n)| ((*a).to_owned(), n))
        .collect();
    active.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    // A distinct owner: the main author of one context only, with enough of its commits.
    let mut mains: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &h.contexts {
        *mains.entry(c.main_author.as_str()).or_default() += 1;
    }
    let mut distinct: Vec<String> = h
        .contexts
        .iter()
        .filter(|c| c.main_share >= t.distinct_owner_share)
        .filter(|c| mains.get(c.main_author.as_str()) == Some(&1))
        .map(|c| c.main_author.clone())
        .collect();
    distinct.sort();
    distinct.dedup();
    Team {
        active_authors: active,
        distinct_owners: distinct,
    }
}
