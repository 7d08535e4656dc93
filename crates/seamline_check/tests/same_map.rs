//! `analyze` and `check` measure one assignment with one context map: a fixture's proposal,
//! declared in `seamline.toml` exactly as `seamline init` writes it, gives `check` the same
//! crossings, table owners, context edges, cycles, shared models and tables, and Ca/Ce as
//! `analyze` reports.

use std::path::PathBuf;

use seamline_check::{Assignment, Proposal};
use seamline_cluster::contexts::{ContextMap, ContextOptions, Measures, propose};
use seamline_config::Settings;
use seamline_graph::Granularity;
use seamline_ir as ir;

fn facts_of(fixture: &str) -> ir::Facts {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(fixture);
    let options = seamline_frontend::Options {
        root,
        include_tests: false,
        max_file_size: 10_000_000,
        threads: 1,
        progress: None,
    };
    let facts = seamline_frontend::analyze(&options).expect("the frontend failed");
    facts.validate().expect("valid facts");
    facts
}

/// Everything the map says, with contexts written by name so that two maps with different
/// context ids compare equal when they agree.
fn by_name(facts: &ir::Facts, names: &[String], map: &ContextMap) -> String {
    use std::fmt::Write as _;
    let name = |c: ir::ContextId| names[c.index()].as_str();
    let opt = |c: Option<ir::ContextId>| c.map_or("-", name);
    let mut out = String::new();
    for (m, c) in map.module_context.iter().enumerate() {
        let _ = writeln!(out, "module {} {}", facts.modules[m].path, opt(*c));
    }
    for (t, owner) in map.table_owners.iter().enumerate() {
        let _ = writeln!(
            out,
            "table {} {:?}",
            facts.tables[t].name,
            owner.map(|(c, r)| (name(c), r))
        );
    }
    for c in &map.crossings {
        let _ = writeln!(
            out,
            "crossing {} -> {} {}",
            name(c.from),
            name(c.to),
            seamline_check::assign::describe(c, facts)
        );
    }
    let Measures {
        context_edges,
        cycles,
        shared_models,
        shared_tables,
        interface,
        afferent,
        efferent,
    } = map.measure(facts, names.len());
    for e in &context_edges {
        let _ = writeln!(
            out,
            "edge {} -> {} {:?}",
            name(e.from),
            name(e.to),
            e.counts
        );
    }
    for cycle in &cycles {
        let mut members: Vec<&str> = cycle.contexts.iter().map(|&c| name(c)).collect();
        members.sort_unstable();
        let _ = writeln!(out, "cycle {members:?}");
    }
    for s in &shared_models {
        let users: Vec<&str> = s.used_by.iter().map(|&c| name(c)).collect();
        let _ = writeln!(
            out,
            "shared model {} owner {} users {users:?}",
            facts.items[s.model.index()].path,
            opt(s.owner)
        );
    }
    for s in &shared_tables {
        let by: Vec<(&str, u32, u32)> = s
            .accesses
            .iter()
            .map(|&(c, r, w)| (name(c), r, w))
            .collect();
        let _ = writeln!(
            out,
            "shared table {} by {by:?}",
            facts.tables[s.table.index()].name
        );
    }
    let mut per_context: Vec<String> = (0..names.len())
        .map(|c| {
            format!(
                "context {} interface {} Ca {} Ce {}",
                names[c],
                interface[c].len(),
                afferent[c].len(),
                efferent[c].len()
            )
        })
        .collect();
    per_context.sort();
    for line in per_context {
        let _ = writeln!(out, "{line}");
    }
    out
}

#[track_caller]
fn check(fixture: &str) {
    let facts = facts_of(fixture);
    let proposal: Proposal = propose(&facts, &ContextOptions::standard(Granularity::Module));
    assert!(proposal.contexts.len() >= 2, "{}", proposal.dump(&facts));
    let names: Vec<String> = proposal.contexts.iter().map(|c| c.name.clone()).collect();
    let analyzed = by_name(&facts, &names, &proposal.map);

    let text = seamline_check::template::init_config(&facts, &proposal, ".");
    let settings = Settings::parse(&text, "seamline.toml").unwrap_or_else(|e| panic!("{e}"));
    let declared = Assignment::declared(&facts, &settings.check);
    let checked = by_name(&facts, &declared.names, &declared.map);
    assert_eq!(checked, analyzed, "seamline.toml:\n{text}");
    assert!(analyzed.contains("crossing "), "{analyzed}");
}

#[test]
fn analyze_and_check_agree_on_the_shop() {
    check("shop");
}

#[test]
fn analyze_and_check_agree_on_the_layered_shop() {
    check("layered");
}
