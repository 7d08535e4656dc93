//! The Graphviz report: the context map as a DOT digraph (`dot -Tsvg plan.dot`).
//!
//! Names from the analysed code are quoted with [`escape`], so a quote, a backslash or a
//! line break cannot end a string or inject attributes.

use crate::svg::colour;
use seamline_plan::Plan;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Escapes text for a double-quoted DOT string.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Renders the context map of a plan as a DOT digraph: one node per context (sized by its
/// lines of code, labelled with its extraction step), one edge per dependency (pen width by
/// references, red inside cycles, dashed where the plan cuts).
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "digraph seamline {{");
    let _ = writeln!(w, "  rankdir=LR;");
    let _ = writeln!(
        w,
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontcolor=\"white\", color=\"white\"];"
    );
    let _ = writeln!(
        w,
        "  edge [fontname=\"Helvetica\", fontsize=10, color=\"#8a94a6\"];"
    );
    let step: BTreeMap<usize, usize> = plan
        .extraction
        .iter()
        .map(|s| (s.context.index(), s.step))
        .collect();
    for s in &plan.services {
        let i = s.context.index();
        let _ = writeln!(
            w,
            "  c{i} [label=\"{}\\n{} LOC{}\", fillcolor=\"{}\"];",
            escape(&s.name),
            s.code_lines,
            step.get(&i)
                .map(|x| format!(" · step {x}"))
                .unwrap_or_default(),
            colour(s.context)
        );
    }
    let mut weights: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    for r in &plan.cross_references {
        *weights
            .entry((r.from_context.index(), r.to_context.index()))
            .or_default() += r.count;
    }
    let max = weights.values().copied().max().unwrap_or(1).max(1) as f64;
    let mut in_cycle = Vec::new();
    let mut cut = Vec::new();
    for c in &plan.cycles {
        for e in &c.edges {
            in_cycle.push((e.from.index(), e.to.index()));
        }
        for x in &c.cuts {
            if let Some(e) = c.edges.get(x.edge) {
                cut.push((e.from.index(), e.to.index()));
            }
        }
    }
    for (&(a, b), &refs) in &weights {
        let mut attrs = vec![
            format!("label=\"{refs}\""),
            format!("penwidth={:.1}", 1.0 + 5.0 * (f64::from(refs) / max).sqrt()),
        ];
        if in_cycle.contains(&(a, b)) {
            attrs.push("color=\"#d64545\"".to_owned());
            attrs.push("fontcolor=\"#d64545\"".to_owned());
        }
        if cut.contains(&(a, b)) {
            attrs.push("style=dashed".to_owned());
        }
        let _ = writeln!(w, "  c{a} -> c{b} [{}];", attrs.join(", "));
    }
    let _ = writeln!(w, "}}");
    out
}
