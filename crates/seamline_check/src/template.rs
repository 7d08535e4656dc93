//! The commented `seamline.toml` that `seamline init` writes from today's proposal.
//!
//! It declares the proposed contexts (module subtrees compressed into `path` +
//! `path::**` globs), the proposal's kernel, and allows exactly today's dependencies
//! between the declared contexts, each with a generated reason naming where it is. So right
//! after `init`, `check` passes, and a new dependency between two contexts that had none
//! fails at the line that made it. Today's metric values are written as comments next to
//! commented-out thresholds, and the verdict's thresholds (`[plan]`) with their defaults.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use seamline_cluster::contexts::Proposal;
use seamline_ir as ir;

use crate::assign::{self, Assignment, Slot};
use crate::rules;
use seamline_config::Settings;

/// A TOML basic string.
pub fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Module globs for each context: a module whose whole subtree is in one context (and
/// whose parent's is not) becomes `path` plus `path::**` (when it has children); other
/// modules are listed by exact path. Index: context id.
fn context_globs(facts: &ir::Facts, slots: &[Slot], n_contexts: usize) -> Vec<Vec<String>> {
    let by_path: BTreeMap<&str, Slot> = facts
        .modules
        .iter()
        .map(|m| {
            (
                m.path.as_str(),
                slots.get(m.id.index()).copied().unwrap_or(Slot::Kernel),
            )
        })
        .collect();
    // Descendants of `p` are the paths in ["p::", "p:;") (';' follows ':').
    let descendants = |p: &str| {
        let lo = format!("{p}::");
        let hi = format!("{p}:;");
        by_path
            .range::<str, _>((
                std::ops::Bound::Included(lo.as_str()),
                std::ops::Bound::Excluded(hi.as_str()),
            ))
            .map(|(_, s)| *s)
            .collect::<Vec<Slot>>()
    };
    let owned =
        |p: &str, s: Slot| by_path.get(p) == Some(&s) && descendants(p).iter().all(|d| *d == s);
    let mut out = vec![Vec::new(); n_contexts];
    for m in &facts.modules {
        let slot = by_path[m.path.as_str()];
        let Slot::Context(c) = slot else { continue };
        let parent = m
            .parent
            .and_then(|p| facts.modules.get(p.index()))
            .map(|p| p.path.as_str());
        if owned(&m.path, slot) {
            if parent.is_some_and(|p| owned(p, slot)) {
                continue;
            }
            out[c as usize].push(m.path.clone());
            if !descendants(&m.path).is_empty() {
                out[c as usize].push(format!("{}::**", m.path));
            }
        } else {
            out[c as usize].push(m.path.clone());
        }
    }
    out
}

/// The `seamline.toml` text for today's proposal. `root` is the analysed path as the user
/// gave it (for the header comment).
pub fn init_config(facts: &ir::Facts, proposal: &Proposal, root: &str) -> String {
    let proposed = Assignment::from_proposal(proposal);
    let globs = context_globs(facts, &proposed.module_context, proposed.names.len());
    let kernel: Vec<(String, String)> = proposal
        .kernel_modules
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let module = facts.modules.get(m.index())?;
            Some((
                module.path.clone(),
                proposal.kernel_reasons.get(i).cloned().unwrap_or_default(),
            ))
        })
        .collect();

    let mut head = String::new();
    let _ = writeln!(
        head,
        "# seamline.toml: the bounded contexts of this codebase and the rules `seamline check` enforces."
    );
    let _ = writeln!(
        head,
        "# Written by `seamline init` from the contexts seamline proposed for `{root}`. Edit it freely:"
    );
    let _ = writeln!(
        head,
        "# rename contexts, move modules between them, replace generated reasons, tighten thresholds."
    );
    let _ = writeln!(head, "# Reference: docs/check.md.");
    head.push('\n');
    let _ = writeln!(
        head,
        "# Each context lists its modules as globs over module paths (`shop::billing::**`) or file"
    );
    let _ = writeln!(
        head,
        "# paths (`src/billing/**`); `*` stays within one segment, `**` matches anything. A module"
    );
    let _ = writeln!(
        head,
        "# belongs to the first context with a matching pattern."
    );
    for (i, name) in proposed.names.iter().enumerate() {
        if globs[i].is_empty() {
            // An item-level context living inside other contexts' modules: contexts are
            // declared per module, so its items stay with their modules.
            let _ = writeln!(
                head,
                "# `{name}` was proposed for items inside other contexts' modules; split those"
            );
            let _ = writeln!(
                head,
                "# modules (or pin them in [clustering]) to declare it here."
            );
            head.push('\n');
            continue;
        }
        let _ = writeln!(head, "[[contexts]]");
        let _ = writeln!(head, "name = {}", toml_string(name));
        let _ = writeln!(head, "modules = [");
        for g in &globs[i] {
            let _ = writeln!(head, "    {},", toml_string(g));
        }
        let _ = writeln!(head, "]");
        head.push('\n');
    }
    let _ = writeln!(
        head,
        "# The shared kernel: generic infrastructure that every context may use; dependencies to and"
    );
    let _ = writeln!(head, "# from it are not checked.");
    if kernel.is_empty() {
        let _ = writeln!(head, "# [kernel]");
        let _ = writeln!(head, "# modules = [\"crate::util::**\"]");
    } else {
        let _ = writeln!(head, "[kernel]");
        let _ = writeln!(head, "modules = [");
        for (path, reason) in &kernel {
            if reason.is_empty() {
                let _ = writeln!(head, "    {},", toml_string(path));
            } else {
                let _ = writeln!(
                    head,
                    "    {},  # {}",
                    toml_string(path),
                    reason.replace('\n', " ")
                );
            }
        }
        let _ = writeln!(head, "]");
    }
    head.push('\n');

    // Today's dependencies, measured on the contexts as declared above (so that module
    // granularity and glob matching are exactly what `check` will see).
    let declared = Settings::parse(&head, "seamline.toml")
        .unwrap_or_else(|_| Settings::defaults("seamline.toml"));
    let assignment = Assignment::declared(facts, &declared.check);
    let crossings = assignment.crossings();
    let mut first: BTreeMap<(String, String), ir::Location> = BTreeMap::new();
    for c in &crossings {
        let key = (
            assignment.name(c.from).to_owned(),
            assignment.name(c.to).to_owned(),
        );
        let e = first.entry(key).or_insert(c.location);
        if c.location < *e {
            *e = c.location;
        }
    }
    let m = rules::measures(facts, &assignment);
    let q = assign::modularity(facts, &assignment);

    let mut text = head;
    let _ = writeln!(text, "[rules]");
    let _ = writeln!(
        text,
        "# A dependency between two contexts is forbidden unless an `allow` entry permits it."
    );
    let _ = writeln!(text, "unlisted = \"forbid\"");
    let _ = writeln!(
        text,
        "# Today's dependencies between contexts. Each needs a reason: replace the generated ones with"
    );
    let _ = writeln!(
        text,
        "# the real one, and delete an entry once its dependency is gone (`check` warns about it)."
    );
    let _ = writeln!(text, "allow = [");
    for ((from, to), loc) in &first {
        let file = facts
            .files
            .get(loc.file.index())
            .map_or("?", |f| f.path.as_str());
        let reason = format!("existing dependency at {file}:{} (seamline init)", loc.line);
        let _ = writeln!(
            text,
            "    {{ from = {}, to = {}, reason = {} }},",
            toml_string(from),
            toml_string(to),
            toml_string(&reason)
        );
    }
    let _ = writeln!(text, "]");
    if m.cycles.is_empty() {
        let _ = writeln!(
            text,
            "# Contexts that depend on each other in a cycle cannot be extracted alone."
        );
        let _ = writeln!(text, "no_cycles = \"error\"");
    } else {
        let cycles: Vec<String> = m.cycles.iter().map(|c| c.join(" <-> ")).collect();
        let _ = writeln!(
            text,
            "# Today's contexts have {} ({}): a warning until",
            if cycles.len() == 1 {
                "a cycle"
            } else {
                "cycles"
            },
            cycles.join("; ")
        );
        let _ = writeln!(text, "# it is broken, then make it \"error\".");
        let _ = writeln!(text, "no_cycles = \"warning\"");
    }
    let _ = writeln!(
        text,
        "# Thresholds, with today's values; uncomment to enforce (severity \"error\" or \"warning\")."
    );
    let _ = writeln!(
        text,
        "# max_shared_models = {{ value = {}, severity = \"error\" }}  # today: {}",
        m.shared_models, m.shared_models
    );
    let _ = writeln!(
        text,
        "# max_shared_tables = {{ value = {}, severity = \"error\" }}  # today: {}",
        m.shared_tables, m.shared_tables
    );
    let _ = writeln!(
        text,
        "# max_cross_context_dependencies = {{ value = {}, severity = \"warning\" }}  # today: {}",
        m.cross_context_dependencies, m.cross_context_dependencies
    );
    let inst = m
        .max_instability
        .as_ref()
        .map_or("none".to_owned(), |(n, x)| format!("{x:.2} (`{n}`)"));
    let _ = writeln!(
        text,
        "# max_instability = {{ value = 0.8, severity = \"warning\" }}  # today's highest: {inst}"
    );
    let _ = writeln!(
        text,
        "# min_modularity = {{ value = {:.2}, severity = \"warning\" }}  # today: {q:.3}",
        (q * 100.0).floor() / 100.0
    );
    text.push('\n');
    let _ = writeln!(
        text,
        "# Constraints for `seamline analyze`'s clustering (see docs/check.md):"
    );
    let _ = writeln!(text, "# [clustering]");
    let _ = writeln!(text, "# contexts = {}", proposed.names.len().max(1));
    let _ = writeln!(text, "# min_context_size = 3");
    let _ = writeln!(
        text,
        "# pins = [{{ glob = \"crate::billing::**\", context = \"billing\" }}]"
    );
    let _ = writeln!(
        text,
        "# together = [[\"crate::invoices::**\", \"crate::payments::**\"]]"
    );
    let _ = writeln!(
        text,
        "# apart = [[\"crate::catalog::**\", \"crate::orders::**\"]]"
    );
    text.push('\n');
    text.push_str(&seamline_config::commented_plan_section());
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use seamline_test_utils::facts::FactsBuilder;

    #[test]
    fn whole_subtrees_become_a_path_and_a_double_star() {
        let mut b = FactsBuilder::new("shop");
        for (path, file) in [
            ("shop", "src/lib.rs"),
            ("shop::billing", "src/billing/mod.rs"),
            ("shop::billing::tax", "src/billing/tax.rs"),
            ("shop::billing::tax::vat", "src/billing/tax/vat.rs"),
            ("shop::models", "src/models/mod.rs"),
            ("shop::models::invoice", "src/models/invoice.rs"),
            ("shop::models::order", "src/models/order.rs"),
            ("shop::orders", "src/orders.rs"),
            ("shop::billing2", "src/billing2.rs"),
        ] {
            b.module(path, file, 3);
        }
        let facts = b.finish();
        let slot = |path: &str| match path {
            "shop" => Slot::Kernel,
            p if p.starts_with("shop::billing::") || p == "shop::billing" => Slot::Context(0),
            "shop::models::invoice" => Slot::Context(0),
            "shop::models" => Slot::Kernel,
            _ => Slot::Context(1),
        };
        let slots: Vec<Slot> = facts.modules.iter().map(|m| slot(&m.path)).collect();
        let globs = context_globs(&facts, &slots, 2);
        assert_eq!(
            globs[0],
            [
                "shop::billing",
                "shop::billing::**",
                "shop::models::invoice"
            ]
        );
        // `shop::billing2` is not below `shop::billing`, and `shop::models` is split.
        assert_eq!(
            globs[1],
            ["shop::billing2", "shop::models::order", "shop::orders"]
        );
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        let text = format!("x = {}", toml_string("tab\there \u{1} end"));
        let parsed: toml::Table = text.parse().unwrap();
        assert_eq!(parsed["x"].as_str(), Some("tab\there \u{1} end"));
    }
}
