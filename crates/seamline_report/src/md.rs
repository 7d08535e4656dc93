//! The Markdown report: a split-plan summary for a pull request or an issue, with a Mermaid
//! context map (GitHub renders both).
//!
//! Everything from the analysed code goes through [`escape`] (Markdown punctuation escaped
//! with backslashes, `& < > "` as entities, line breaks folded) or, inside the Mermaid block,
//! [`mermaid_escape`] (Mermaid entity codes), so that a name can neither inject HTML nor
//! break the layout of a table or leave the code block.

use crate::svg::colour;
use seamline_plan::{CutTechnique, Plan};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Escapes text from the analysed code for Markdown (inline text and table cells).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '!' | '|' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            c if c.is_control() => {}
            // Bidi overrides and isolates would reorder what the reader sees.
            '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}' => {}
            c if ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c) => {}
            c => out.push(c),
        }
    }
    // A renderer that autolinks must not find a script URL in text from the analysed code.
    if out.to_ascii_lowercase().contains("javascript:") {
        let lower = out.to_ascii_lowercase();
        let mut safe = String::with_capacity(out.len() + 8);
        let mut last = 0;
        for (i, _) in lower.match_indices("javascript:") {
            safe.push_str(&out[last..i + 10]);
            safe.push_str("&#58;");
            last = i + 11;
        }
        safe.push_str(&out[last..]);
        out = safe;
    }
    out
}

/// Text from the analysed code as inline code (`<code>` with escaped content: a backtick in
/// the text cannot close it).
fn code(s: &str) -> String {
    format!("<code>{}</code>", escape(s))
}

/// A sentence of the plan: its backtick spans become inline code, the rest escaped text.
fn rich(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escape(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 { code(p) } else { escape(p) })
        .collect()
}

/// Escapes text for a quoted Mermaid label: every character that Mermaid or Markdown could
/// read as syntax becomes a Mermaid entity code (`#quot;`, `#60;`, ...).
pub fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '<' | '>' | '&' | '#' | '`' | '{' | '}' | '[' | ']' | '(' | ')' | '|' | ';' | '\\'
            | '*' | '_' | '~' | '=' | ':' => {
                let _ = write!(out, "#{};", ch as u32);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            // Bidi overrides and isolates would reorder what the reader sees.
            '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}' => {}
            c if ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c) => {}
            c => out.push(c),
        }
    }
    // A renderer that autolinks must not find a script URL in text from the analysed code.
    if out.to_ascii_lowercase().contains("javascript:") {
        let lower = out.to_ascii_lowercase();
        let mut safe = String::with_capacity(out.len() + 8);
        let mut last = 0;
        for (i, _) in lower.match_indices("javascript:") {
            safe.push_str(&out[last..i + 10]);
            safe.push_str("&#58;");
            last = i + 11;
        }
        safe.push_str(&out[last..]);
        out = safe;
    }
    out
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Renders the plan as a Markdown summary. `root` is the analysed root as the user gave it.
pub fn render(root: &str, plan: &Plan) -> String {
    let mut out = String::new();
    let w = &mut out;
    let name = |c| escape(plan.context_name(c));
    let n = &plan.numbers;
    let _ = writeln!(w, "# Split plan for {}\n", escape(root));
    let _ = writeln!(
        w,
        "**Verdict: {}.** {}\n",
        plan.verdict.title(),
        plan.verdict.advice()
    );
    for r in &plan.reasons {
        if r.decisive {
            let _ = writeln!(w, "- **{}**", rich(&r.text));
        } else {
            let _ = writeln!(w, "- {}", rich(&r.text));
        }
    }
    let _ = writeln!(
        w,
        "\n| Lines of code | Contexts | Modularity Q | Cross-context references | Contexts in cycles | Shared models | Shared tables |"
    );
    let _ = writeln!(w, "|---:|---:|---:|---:|---:|---:|---:|");
    let _ = writeln!(
        w,
        "| {} | {} | {:.2} | {} | {} | {} | {} |\n",
        thousands(n.code_lines),
        n.contexts,
        n.modularity,
        thousands(n.cross_references),
        n.contexts_in_cycles,
        n.shared_models,
        n.shared_tables
    );

    // Context map.
    let _ = writeln!(w, "## Context map\n");
    let _ = writeln!(w, "```mermaid\nflowchart LR");
    for s in &plan.services {
        let _ = writeln!(
            w,
            "  c{}[\"{} #183; {} LOC\"]",
            s.context.index(),
            mermaid_escape(&s.name),
            thousands(s.code_lines)
        );
    }
    let mut weights: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    for r in &plan.cross_references {
        *weights
            .entry((r.from_context.index(), r.to_context.index()))
            .or_default() += r.count;
    }
    let mut cycle_edges = Vec::new();
    let mut cut = Vec::new();
    for c in &plan.cycles {
        for e in &c.edges {
            cycle_edges.push((e.from.index(), e.to.index()));
        }
        for x in &c.cuts {
            if let Some(e) = c.edges.get(x.edge) {
                cut.push((e.from.index(), e.to.index()));
            }
        }
    }
    let mut link_styles = Vec::new();
    for (i, (&(a, b), &refs)) in weights.iter().enumerate() {
        let arrow = if cut.contains(&(a, b)) { "-.->" } else { "-->" };
        let _ = writeln!(w, "  c{a} {arrow}|{refs}| c{b}");
        if cycle_edges.contains(&(a, b)) {
            link_styles.push(i);
        }
    }
    for s in &plan.services {
        let _ = writeln!(
            w,
            "  style c{} fill:{},color:#fff,stroke:#fff",
            s.context.index(),
            colour(s.context)
        );
    }
    if !link_styles.is_empty() {
        let ids: Vec<String> = link_styles.iter().map(|i| i.to_string()).collect();
        let _ = writeln!(
            w,
            "  linkStyle {} stroke:#d64545,stroke-width:3px",
            ids.join(",")
        );
    }
    let _ = writeln!(w, "```\n");
    let _ = writeln!(
        w,
        "Arrows point to the context depended on, labelled with the number of references; red edges form cycles, dashed ones are cut by the plan.\n"
    );

    // Services.
    let _ = writeln!(w, "## Services\n");
    let _ = writeln!(
        w,
        "| Service | Lines | Owns tables | Endpoints | Called by | Calls | Stack | State |"
    );
    let _ = writeln!(w, "|---|---:|---|---:|---|---|---|---|");
    for s in &plan.services {
        let tables: Vec<String> = s.owns.tables.iter().map(|t| code(&t.name)).collect();
        let links = |v: &[seamline_plan::ServiceLink]| {
            let v: Vec<String> = v
                .iter()
                .map(|l| format!("{} ({})", name(l.context), l.references))
                .collect();
            if v.is_empty() {
                "—".to_owned()
            } else {
                v.join(", ")
            }
        };
        let stack: Vec<String> = s
            .stack
            .iter()
            .map(|x| format!("{} ({})", x.infra.label(), escape(&x.crates.join(", "))))
            .collect();
        let _ = writeln!(
            w,
            "| **{}** | {} | {} | {} | {} | {} | {} | {} |",
            escape(&s.name),
            thousands(s.code_lines),
            if tables.is_empty() {
                "—".to_owned()
            } else {
                tables.join(", ")
            },
            s.api.iter().filter(|a| a.is_endpoint()).count(),
            links(&s.called_by),
            links(&s.calls),
            if stack.is_empty() {
                "—".to_owned()
            } else {
                stack.join(", ")
            },
            if s.state.is_stateful() {
                "stateful"
            } else {
                "stateless"
            }
        );
    }
    let _ = writeln!(w);
    for s in &plan.services {
        let _ = writeln!(w, "- **{}**: {}", escape(&s.name), rich(&s.purpose));
        let endpoints: Vec<String> = s
            .api
            .iter()
            .filter(|a| a.is_endpoint())
            .take(5)
            .map(|a| code(a.signature.as_deref().unwrap_or(&a.item.name)))
            .collect();
        if !endpoints.is_empty() {
            let _ = writeln!(w, "  Endpoints: {}", endpoints.join(", "));
        }
        if !s.owns.to_move.is_empty() {
            let v: Vec<String> = s
                .owns
                .to_move
                .iter()
                .map(|m| {
                    format!(
                        "{} ({})",
                        code(&m.item.path),
                        escape(&m.item.at.to_string())
                    )
                })
                .collect();
            let _ = writeln!(w, "  Move out of mixed files: {}", v.join(", "));
        }
    }
    let _ = writeln!(w);

    // Shared data.
    if !plan.shared_models.is_empty() {
        let _ = writeln!(w, "## Shared models\n");
        for m in &plan.shared_models {
            let users: Vec<String> = m.used_by.iter().map(|&c| name(c)).collect();
            let _ = writeln!(
                w,
                "- {} (owner {}; used by {}): {}",
                code(&m.model.name),
                m.owner
                    .map(name)
                    .unwrap_or_else(|| "shared kernel".to_owned()),
                users.join(", "),
                rich(&m.change)
            );
            for f in &m.embedded_in {
                let _ = writeln!(
                    w,
                    "  - embeds it: {} at {}",
                    code(&format!("{}.{}: {}", f.holder.name, f.field, f.ty)),
                    escape(&f.at.to_string())
                );
            }
        }
        let _ = writeln!(w);
    }
    if !plan.shared_tables.is_empty() {
        let _ = writeln!(w, "## Shared tables\n");
        for t in &plan.shared_tables {
            let _ = writeln!(
                w,
                "- {} (owner {}, {}): {}",
                code(&t.table.name),
                t.owner.map(name).unwrap_or_else(|| "none".to_owned()),
                t.technique.title().to_lowercase(),
                rich(&t.change)
            );
        }
        let _ = writeln!(w);
    }

    // Cycles.
    if !plan.cycles.is_empty() {
        let _ = writeln!(w, "## Cycles\n");
        for c in &plan.cycles {
            let names: Vec<String> = c.contexts.iter().map(|&x| name(x)).collect();
            let _ = writeln!(w, "- {}", names.join(" ⇄ "));
            for x in &c.cuts {
                let Some(e) = c.edges.get(x.edge) else {
                    continue;
                };
                let _ = writeln!(
                    w,
                    "  - cut {} → {} by **{}**: {}",
                    name(e.from),
                    name(e.to),
                    technique(x.technique),
                    rich(&x.rationale)
                );
                for r in e.evidence.iter().take(8) {
                    let _ = writeln!(
                        w,
                        "    - {} → {} ({}) at {}",
                        code(&r.from),
                        code(&r.to),
                        r.kind,
                        escape(&r.at.to_string())
                    );
                }
            }
        }
        let _ = writeln!(w);
    }

    // Extraction order.
    let _ = writeln!(w, "## Extraction order\n");
    for s in &plan.extraction {
        let _ = writeln!(
            w,
            "{}. **{}**: {} references to rewrite at {} sites, {} new network calls, {} new events, {} tables to migrate.  ",
            s.step,
            name(s.context),
            s.effort(),
            s.rewrites.len(),
            s.new_network_calls,
            s.new_events,
            s.tables_to_migrate.len()
        );
        let _ = writeln!(w, "   {}", rich(&s.why));
    }
    if !plan.possibly_dead.is_empty() {
        let _ = writeln!(w, "\n## Possibly dead code\n");
        for d in plan.possibly_dead.iter().take(DEAD_ROWS) {
            let first: Vec<String> = d.items.iter().take(3).map(|i| code(&i.path)).collect();
            let _ = writeln!(
                w,
                "- {}{} ({} lines): {}",
                first.join(", "),
                if d.items.len() > 3 { ", ..." } else { "" },
                d.code_lines,
                escape(&d.reason)
            );
        }
        if plan.possibly_dead.len() > DEAD_ROWS {
            let _ = writeln!(
                w,
                "- and {} more (see the JSON)",
                plan.possibly_dead.len() - DEAD_ROWS
            );
        }
    }
    if let Some(h) = &plan.history {
        history(w, plan, h);
    }
    let _ = writeln!(
        w,
        "\n<sub>Generated by seamline from a static reading of the source{}.</sub>",
        if plan.history.is_some() {
            " and its git history"
        } else {
            ""
        }
    );
    out
}

/// Rows of the possibly dead code list; the JSON has them all.
const DEAD_ROWS: usize = 10;

/// Rows of the history lists; the JSON has them all.
const HISTORY_ROWS: usize = 5;

/// The short history block (only with `--history`).
fn history(w: &mut String, plan: &Plan, h: &seamline_plan::PlanHistory) {
    let name = |c| escape(plan.context_name(c));
    let _ = writeln!(w, "\n## History\n");
    let _ = writeln!(
        w,
        "{} commits read; {} merge commits and {} huge commits skipped.\n",
        thousands(h.commits_read as u64),
        thousands(h.merges_skipped as u64),
        thousands(h.huge_skipped as u64)
    );
    for p in &h.not_independent {
        let _ = writeln!(w, "- **{}**", rich(&p.text));
    }
    if !h.not_independent.is_empty() {
        let _ = writeln!(w);
    }
    if !h.contexts.is_empty() {
        let _ = writeln!(w, "| Context | Commits | Lines +/− | Main author | Share |");
        let _ = writeln!(w, "|---|---:|---:|---|---:|");
        for c in &h.contexts {
            let _ = writeln!(
                w,
                "| {} | {} | +{} / −{} | {} | {:.0}% |",
                name(c.context),
                c.commits,
                thousands(c.lines_added),
                thousands(c.lines_removed),
                escape(&c.main_author),
                c.main_share * 100.0
            );
        }
        let _ = writeln!(w);
    }
    if !h.hotspots.is_empty() {
        let _ = writeln!(w, "Hotspots (churn × size):\n");
        for r in h.hotspots.iter().take(HISTORY_ROWS) {
            let _ = writeln!(
                w,
                "- {} ({}): {} commits, {} lines, score {:.2}",
                code(&r.module.path),
                r.context
                    .map(name)
                    .unwrap_or_else(|| "shared kernel".to_owned()),
                r.commits,
                thousands(r.code_lines),
                r.score
            );
        }
        let _ = writeln!(w);
    }
    if !h.coupling.is_empty() {
        let _ = writeln!(
            w,
            "Change coupling across contexts (hidden from static analysis):\n"
        );
        for r in h.coupling.iter().take(HISTORY_ROWS) {
            let _ = writeln!(
                w,
                "- {} ({}) ↔ {} ({}): {} shared commits, degree {:.2}",
                code(&r.a.path),
                name(r.a_context),
                code(&r.b.path),
                name(r.b_context),
                r.shared,
                r.degree
            );
        }
    }
}

fn technique(t: CutTechnique) -> &'static str {
    t.title()
}
