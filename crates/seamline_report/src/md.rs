//! The Markdown report: a split-plan summary for a pull request or an issue, with a Mermaid
//! context map (GitHub renders both).
//!
//! It fits a pull-request comment whatever the input (GitHub refuses one over 65,536
//! characters): every list shows its heaviest entries up to a cap, names are shortened, and
//! each entry is written only while the text stays under [`MAX_CHARS`]; a closing line says
//! what was left out and that the JSON and the HTML report have the full lists.
//!
//! Everything from the analysed code goes through [`escape`] (Markdown punctuation escaped
//! with backslashes, `& < > "` as entities, line breaks folded) or, inside the Mermaid block,
//! [`mermaid_escape`] (Mermaid entity codes), so that a name can neither inject HTML nor
//! break the layout of a table or leave the code block.

use crate::svg::colour;
use seamline_ir::format::thousands;
use seamline_plan::{CutTechnique, Plan};
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
            c if crate::reorders(c) => {}
            c => out.push(c),
        }
    }
    // A renderer that autolinks must not find a script URL in text from the analysed code.
    defuse_script_urls(out)
}

/// Writes the colon of every `javascript:` (any case) as an entity, so that no renderer
/// autolinks it. ASCII lowercasing keeps byte offsets, so the indices apply to `text`.
fn defuse_script_urls(text: String) -> String {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("javascript:") {
        return text;
    }
    let mut safe = String::with_capacity(text.len() + 8);
    let mut last = 0;
    for (i, _) in lower.match_indices("javascript:") {
        safe.push_str(&text[last..i + 10]);
        safe.push_str("&#58;");
        last = i + 11;
    }
    safe.push_str(&text[last..]);
    safe
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
            c if crate::reorders(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// The most characters (counted as bytes, which are never fewer) the summary may have.
pub const MAX_CHARS: usize = 60_000;

/// Room kept for what closes the summary (the left-out line, the footer): no entry is
/// written closer than this to [`MAX_CHARS`].
const RESERVE: usize = 4_000;

/// The bytes each section may take: a section stops listing when it has used its share, so
/// that a long list (thousands of cuts, say) cannot crowd out the sections after it, the
/// first steps above all. Their sum with the header and the map (about 8,000 bytes at most:
/// 40 nodes, 60 edges) and [`RESERVE`] stays under [`MAX_CHARS`]; one entry may overshoot a
/// share by its own length, which names cut to [`NAME_CHARS`] keep small.
mod budget {
    pub const SERVICES: usize = 13_000;
    pub const MODELS: usize = 6_000;
    pub const TABLES: usize = 4_500;
    pub const CYCLES: usize = 7_000;
    pub const STEPS: usize = 8_000;
    pub const HISTORY: usize = 3_500;
}

/// How many entries of each list the summary shows at most.
mod cap {
    pub const NODES: usize = 40;
    pub const EDGES: usize = 60;
    pub const SERVICES: usize = 40;
    pub const SERVICE_NOTES: usize = 15;
    pub const IN_CELL: usize = 6;
    pub const MODELS: usize = 15;
    pub const FIELDS: usize = 5;
    pub const TABLES: usize = 15;
    pub const CYCLES: usize = 10;
    pub const EVIDENCE: usize = 8;
    pub const CUTS: usize = 5;
    pub const STEPS: usize = 20;
}

/// The longest name (in characters) and sentence the summary copies whole.
const NAME_CHARS: usize = 80;
const SENTENCE_CHARS: usize = 600;

/// `s` cut to `n` characters, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(n) {
        None => s.into(),
        Some((i, _)) => format!("{}…", &s[..i]).into(),
    }
}

/// Whether another entry of the section that started at `start` may be written.
fn room(w: &str, start: usize, budget: usize) -> bool {
    w.len() - start < budget && w.len() + RESERVE <= MAX_CHARS
}

/// The `n` heaviest of `v` by `weight` (stable: ties keep the plan's order), in the plan's
/// order when all fit.
fn heaviest<T>(v: &[T], n: usize, weight: impl Fn(&T) -> u64) -> Vec<&T> {
    let mut v: Vec<&T> = v.iter().collect();
    if v.len() > n {
        v.sort_by_key(|x| std::cmp::Reverse(weight(x)));
        v.truncate(n);
    }
    v
}

/// A list of names for a table cell: the first few, then how many more.
fn cell_list(v: Vec<String>) -> String {
    let total = v.len();
    cell_list_of(v, total)
}

/// [`cell_list`] of the first entries of a list of `total`.
fn cell_list_of(v: Vec<String>, total: usize) -> String {
    if total == 0 {
        return "—".to_owned();
    }
    let shown = v.len().min(cap::IN_CELL);
    let more = total - shown;
    let mut s = v.into_iter().take(shown).collect::<Vec<_>>().join(", ");
    if more > 0 {
        let _ = write!(s, " +{more} more");
    }
    s
}

/// Renders the plan as a Markdown summary. `root` is the analysed root as the user gave it.
pub fn render(root: &str, plan: &Plan) -> String {
    let mut out = String::new();
    let w = &mut out;
    let name = |c| escape(&clip(plan.context_name(c), NAME_CHARS));
    let n = &plan.numbers;
    // What the summary leaves out: (shown, total, what).
    let mut left_out: Vec<(usize, usize, &str)> = Vec::new();
    let _ = writeln!(w, "# Split plan for {}\n", escape(&clip(root, 200)));
    let _ = writeln!(
        w,
        "**Verdict: {}.** {}\n",
        plan.verdict.title(),
        plan.advice
    );
    for r in &plan.reasons {
        let text = rich(&clip(&r.text, SENTENCE_CHARS));
        if r.decisive {
            let _ = writeln!(w, "- **{text}**");
        } else {
            let _ = writeln!(w, "- {text}");
        }
    }
    if !plan.worklist.is_empty() {
        let _ = writeln!(
            w,
            "\n**Worklist**: {}, most effective first.\n",
            plan.worklist_purpose()
        );
        for it in &plan.worklist {
            let _ = writeln!(
                w,
                "{}. {} {} ({} {:.0}% → {:.0}%, threshold {:.0}%)",
                it.rank,
                rich(&it.change),
                code(&it.at.to_string()),
                it.metric.as_str(),
                it.before * 100.0,
                it.after * 100.0,
                it.threshold * 100.0
            );
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
    let map_services = heaviest(&plan.services, cap::NODES, |s| s.code_lines);
    let on_map: std::collections::BTreeSet<usize> =
        map_services.iter().map(|s| s.context.index()).collect();
    for s in &map_services {
        let _ = writeln!(
            w,
            "  c{}[\"{} #183; {} LOC\"]",
            s.context.index(),
            mermaid_escape(&clip(&s.name, NAME_CHARS)),
            thousands(s.code_lines)
        );
    }
    if map_services.len() < plan.services.len() {
        left_out.push((
            map_services.len(),
            plan.services.len(),
            "contexts on the map (the largest)",
        ));
    }
    let n_edges = plan.context_edges.len();
    // The heaviest edges between contexts on the map, in the order of the pairs.
    let mut edges: Vec<&seamline_plan::MapEdge> = plan
        .context_edges
        .iter()
        .filter(|e| on_map.contains(&e.from.index()) && on_map.contains(&e.to.index()))
        .collect();
    edges.sort_by(|x, y| {
        y.references
            .cmp(&x.references)
            .then((x.from, x.to).cmp(&(y.from, y.to)))
    });
    edges.truncate(cap::EDGES);
    edges.sort_by_key(|e| (e.from, e.to));
    if edges.len() < n_edges {
        left_out.push((edges.len(), n_edges, "edges on the map (the heaviest)"));
    }
    let mut link_styles = Vec::new();
    for (i, e) in edges.iter().enumerate() {
        let arrow = if e.cut { "-.->" } else { "-->" };
        let (a, b, refs) = (e.from.index(), e.to.index(), e.references);
        let _ = writeln!(w, "  c{a} {arrow}|{refs}| c{b}");
        if e.in_cycle {
            link_styles.push(i);
        }
    }
    for s in &map_services {
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
    let start = w.len();
    let _ = writeln!(
        w,
        "| Service | Lines | Owns tables | Endpoints | Called by | Calls | Stack | State |"
    );
    let _ = writeln!(w, "|---|---:|---|---:|---|---|---|---|");
    let table_services = heaviest(&plan.services, cap::SERVICES, |s| s.code_lines);
    let mut rows = 0;
    for s in &table_services {
        if !room(w, start, budget::SERVICES) {
            break;
        }
        rows += 1;
        let tables: Vec<String> = s
            .owns
            .tables
            .iter()
            .map(|t| code(&clip(&t.name, NAME_CHARS)))
            .collect();
        let links = |v: &[seamline_plan::ServiceLink]| {
            cell_list_of(
                heaviest(v, cap::IN_CELL, |l| u64::from(l.references))
                    .iter()
                    .map(|l| format!("{} ({})", name(l.context), l.references))
                    .collect(),
                v.len(),
            )
        };
        let stack: Vec<String> = s
            .stack
            .iter()
            .map(|x| {
                format!(
                    "{} ({})",
                    x.infra.label(),
                    escape(&clip(&x.crates.join(", "), NAME_CHARS))
                )
            })
            .collect();
        let _ = writeln!(
            w,
            "| **{}** | {} | {} | {} | {} | {} | {} | {} |",
            escape(&clip(&s.name, NAME_CHARS)),
            thousands(s.code_lines),
            cell_list(tables),
            s.endpoints().count(),
            links(&s.called_by),
            links(&s.calls),
            cell_list(stack),
            if s.state.is_stateful() {
                "stateful"
            } else {
                "stateless"
            }
        );
    }
    if rows < plan.services.len() {
        left_out.push((
            rows,
            plan.services.len(),
            "services in the table (the largest)",
        ));
    }
    let _ = writeln!(w);
    let mut notes = 0;
    for s in table_services.iter().take(cap::SERVICE_NOTES) {
        if !room(w, start, budget::SERVICES) {
            break;
        }
        notes += 1;
        let _ = writeln!(
            w,
            "- **{}**: {}",
            escape(&clip(&s.name, NAME_CHARS)),
            rich(&clip(&s.purpose, SENTENCE_CHARS))
        );
        let endpoints: Vec<String> = s
            .endpoints()
            .take(5)
            .map(|a| {
                code(&clip(
                    a.signature.as_deref().unwrap_or(&a.item.name),
                    SENTENCE_CHARS / 3,
                ))
            })
            .collect();
        if !endpoints.is_empty() {
            let _ = writeln!(w, "  Endpoints: {}", endpoints.join(", "));
        }
        if !s.owns.to_move.is_empty() {
            let v: Vec<String> = s
                .owns
                .to_move
                .iter()
                .take(5)
                .map(|m| {
                    format!(
                        "{} ({})",
                        code(&clip(&m.item.path, NAME_CHARS)),
                        escape(&clip(&m.item.at.to_string(), NAME_CHARS))
                    )
                })
                .collect();
            let more = s.owns.to_move.len().saturating_sub(5);
            let _ = writeln!(
                w,
                "  Move out of mixed files: {}{}",
                v.join(", "),
                if more > 0 {
                    format!(" +{more} more")
                } else {
                    String::new()
                }
            );
        }
    }
    if notes < plan.services.len() && !plan.services.is_empty() {
        left_out.push((notes, plan.services.len(), "service notes"));
    }
    let _ = writeln!(w);

    // Shared data.
    if !plan.shared_models.is_empty() {
        let _ = writeln!(w, "## Shared models\n");
        let start = w.len();
        // The models to untangle first (identifiers and kernel types are shared on purpose),
        // then the most referenced.
        let models = heaviest(&plan.shared_models, cap::MODELS, |m| {
            u64::from(!m.shared_on_purpose()) << 32 | u64::from(m.references)
        });
        let mut shown = 0;
        for m in &models {
            if !room(w, start, budget::MODELS) {
                break;
            }
            shown += 1;
            let users: Vec<String> = m.used_by.iter().map(|&c| name(c)).collect();
            let _ = writeln!(
                w,
                "- {} (owner {}; used by {}): {}",
                code(&clip(&m.model.name, NAME_CHARS)),
                m.owner
                    .map(name)
                    .unwrap_or_else(|| "shared kernel".to_owned()),
                cell_list(users),
                rich(&clip(&m.change, SENTENCE_CHARS))
            );
            for f in m.embedded_in.iter().take(cap::FIELDS) {
                let _ = writeln!(
                    w,
                    "  - embeds it: {} at {}",
                    code(&clip(
                        &format!("{}.{}: {}", f.holder.name, f.field, f.ty),
                        2 * NAME_CHARS
                    )),
                    escape(&clip(&f.at.to_string(), NAME_CHARS))
                );
            }
        }
        if shown < plan.shared_models.len() {
            left_out.push((
                shown,
                plan.shared_models.len(),
                "shared models (those to untangle, the most referenced first)",
            ));
        }
        let _ = writeln!(w);
    }
    if !plan.shared_tables.is_empty() {
        let _ = writeln!(w, "## Shared tables\n");
        let start = w.len();
        let tables = heaviest(&plan.shared_tables, cap::TABLES, |t| t.accesses());
        let mut shown = 0;
        for t in &tables {
            if !room(w, start, budget::TABLES) {
                break;
            }
            shown += 1;
            let _ = writeln!(
                w,
                "- {} (owner {}, {}): {}",
                code(&clip(&t.table.name, NAME_CHARS)),
                t.owner.map(name).unwrap_or_else(|| "none".to_owned()),
                t.technique.title().to_lowercase(),
                rich(&clip(&t.change, SENTENCE_CHARS))
            );
        }
        if shown < plan.shared_tables.len() {
            left_out.push((
                shown,
                plan.shared_tables.len(),
                "shared tables (the most used)",
            ));
        }
        let _ = writeln!(w);
    }

    // Cycles.
    if !plan.cycles.is_empty() {
        let _ = writeln!(w, "## Cycles\n");
        let start = w.len();
        let cycles = heaviest(&plan.cycles, cap::CYCLES, |c| c.contexts.len() as u64);
        let mut shown = 0;
        for c in &cycles {
            if !room(w, start, budget::CYCLES) {
                break;
            }
            shown += 1;
            let names: Vec<String> = c.contexts.iter().take(12).map(|&x| name(x)).collect();
            let more = c.contexts.len().saturating_sub(12);
            let _ = writeln!(
                w,
                "- {}{}",
                names.join(" ⇄ "),
                if more > 0 {
                    format!(" ⇄ … ({more} more contexts)")
                } else {
                    String::new()
                }
            );
            for x in c.cuts.iter().take(cap::CUTS) {
                if !room(w, start, budget::CYCLES) {
                    break;
                }
                let e = &c.edges[x.edge];
                let _ = writeln!(
                    w,
                    "  - cut {} → {} by **{}**: {}",
                    name(e.from),
                    name(e.to),
                    technique(x.technique),
                    rich(&clip(&x.rationale, SENTENCE_CHARS))
                );
                let evidence = heaviest(&e.evidence, cap::EVIDENCE, |r| u64::from(r.count));
                for r in &evidence {
                    let _ = writeln!(
                        w,
                        "    - {} → {} ({}) at {}",
                        code(&clip(&r.from, NAME_CHARS)),
                        code(&clip(&r.to, NAME_CHARS)),
                        r.kind,
                        escape(&clip(&r.at.to_string(), NAME_CHARS))
                    );
                }
                if e.evidence.len() > evidence.len() {
                    let _ = writeln!(
                        w,
                        "    - … {} more references",
                        e.evidence.len() - evidence.len()
                    );
                }
            }
            if c.cuts.len() > cap::CUTS {
                let _ = writeln!(
                    w,
                    "  - … {} more cuts in the JSON and the HTML report",
                    c.cuts.len() - cap::CUTS
                );
            }
        }
        if shown < plan.cycles.len() {
            left_out.push((shown, plan.cycles.len(), "cycles (the largest)"));
        }
        let _ = writeln!(w);
    }

    // Extraction order.
    let _ = writeln!(w, "## Extraction order\n");
    let start = w.len();
    let mut shown = 0;
    for s in plan.extraction.iter().take(cap::STEPS) {
        if !room(w, start, budget::STEPS) {
            break;
        }
        shown += 1;
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
        let _ = writeln!(w, "   {}", rich(&clip(&s.why, SENTENCE_CHARS)));
    }
    if shown < plan.extraction.len() {
        left_out.push((shown, plan.extraction.len(), "extraction steps (the first)"));
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
    if !left_out.is_empty() {
        let parts: Vec<String> = left_out
            .iter()
            .map(|(shown, total, what)| format!("{shown} of {total} {what}"))
            .collect();
        let _ = writeln!(
            w,
            "\n**Left out of this summary** to fit a pull request: it shows {}. \
             The full lists (every service, shared model, table, cycle, step and reference site) \
             are in `seamline.json` and in the HTML report (`index.html`).",
            parts.join("; ")
        );
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
    let name = |c| escape(&clip(plan.context_name(c), NAME_CHARS));
    let _ = writeln!(w, "\n## History\n");
    let start = w.len();
    let _ = writeln!(
        w,
        "{} commits read; {} merge commits and {} huge commits skipped.\n",
        thousands(h.commits_read as u64),
        thousands(h.merges_skipped as u64),
        thousands(h.huge_skipped as u64)
    );
    for p in h.not_independent.iter().take(HISTORY_ROWS) {
        if !room(w, start, budget::HISTORY) {
            break;
        }
        let _ = writeln!(w, "- **{}**", rich(&clip(&p.text, SENTENCE_CHARS)));
    }
    if !h.not_independent.is_empty() {
        let _ = writeln!(w);
    }
    if !h.contexts.is_empty() {
        let _ = writeln!(w, "| Context | Commits | Lines +/− | Main author | Share |");
        let _ = writeln!(w, "|---|---:|---:|---|---:|");
        for c in &h.contexts {
            if !room(w, start, budget::HISTORY) {
                break;
            }
            let _ = writeln!(
                w,
                "| {} | {} | +{} / −{} | {} | {:.0}% |",
                name(c.context),
                c.commits,
                thousands(c.lines_added),
                thousands(c.lines_removed),
                escape(&clip(&c.main_author, NAME_CHARS)),
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
                code(&clip(&r.module.path, NAME_CHARS)),
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
                code(&clip(&r.a.path, NAME_CHARS)),
                name(r.a_context),
                code(&clip(&r.b.path, NAME_CHARS)),
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
