//! The Graphviz report: the context map as a DOT digraph (`dot -Tsvg plan.dot`).
//!
//! Names from the analysed code are quoted with [`escape`], so a quote, a backslash or a
//! line break cannot end a string or inject attributes.

use crate::svg::colour;
use seamline_plan::Plan;
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
    for s in &plan.services {
        let _ = writeln!(
            w,
            "  c{} [label=\"{}\\n{} LOC{}\", fillcolor=\"{}\"];",
            s.context.index(),
            escape(&s.name),
            s.code_lines,
            plan.step_of(s.context)
                .map(|x| format!(" · step {x}"))
                .unwrap_or_default(),
            colour(s.context)
        );
    }
    let max = plan
        .context_edges
        .iter()
        .map(|e| e.references)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    for e in &plan.context_edges {
        let refs = e.references;
        let mut attrs = vec![
            format!("label=\"{refs}\""),
            format!("penwidth={:.1}", 1.0 + 5.0 * (f64::from(refs) / max).sqrt()),
        ];
        if e.in_cycle {
            attrs.push("color=\"#d64545\"".to_owned());
            attrs.push("fontcolor=\"#d64545\"".to_owned());
        }
        if e.cut {
            attrs.push("style=dashed".to_owned());
        }
        let _ = writeln!(
            w,
            "  c{} -> c{} [{}];",
            e.from.index(),
            e.to.index(),
            attrs.join(", ")
        );
    }
    let _ = writeln!(w, "}}");
    out
}
