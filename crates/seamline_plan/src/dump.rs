//! A deterministic, human-readable text dump of a [`Plan`], for snapshot tests and
//! `seamline debug plan`.

use crate::{CrossRef, Plan};
use std::fmt::Write;

impl Plan {
    /// A stable text rendering of the plan, one fact per line.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let n = &self.numbers;
        let _ = writeln!(w, "verdict {}", self.verdict);
        for r in &self.reasons {
            let _ = writeln!(
                w,
                "  reason {}{} {}",
                r.kind.as_str(),
                if r.decisive {
                    " decisive"
                } else if r.crossed {
                    " crossed"
                } else {
                    ""
                },
                r.text
            );
        }
        let _ = writeln!(w, "  advice {}", self.advice);
        let cb = &self.codebase;
        let entries: Vec<String> = cb
            .entry_points
            .iter()
            .map(|e| format!("{}@{}", e.krate, e.at))
            .collect();
        let real: Vec<&str> = cb
            .real_contexts
            .iter()
            .map(|&c| self.context_name(c))
            .collect();
        let clients: Vec<&str> = cb
            .client_contexts
            .iter()
            .map(|&c| self.context_name(c))
            .collect();
        let _ = writeln!(
            w,
            "codebase {} entry_points=[{}] real_contexts=[{}]{}",
            cb.kind.as_str(),
            entries.join(", "),
            real.join(", "),
            if clients.is_empty() {
                String::new()
            } else {
                format!(" client_contexts=[{}]", clients.join(", "))
            }
        );
        if let Some(t) = &cb.team {
            let authors: Vec<String> = t
                .active_authors
                .iter()
                .map(|(a, n)| format!("{a}:{n}"))
                .collect();
            let _ = writeln!(
                w,
                "  team active=[{}] distinct_owners=[{}]",
                authors.join(", "),
                t.distinct_owners.join(", ")
            );
        }
        for it in &self.worklist {
            let _ = writeln!(
                w,
                "work {} {} {} {} {:.3}->{:.3} (threshold {:.2}) {}",
                it.rank,
                it.kind.as_str(),
                it.at,
                it.metric.as_str(),
                it.before,
                it.after,
                it.threshold,
                it.change
            );
        }
        let _ = writeln!(
            w,
            "numbers code_lines={} files={} modules={} items={} tables={} contexts={} kernel_modules={} modularity={:.3} cross_references={} contexts_in_cycles={} shared_models={} shared_tables={} diagnostics={}",
            n.code_lines,
            n.files,
            n.modules,
            n.items,
            n.tables,
            n.contexts,
            n.kernel_modules,
            n.modularity,
            n.cross_references,
            n.contexts_in_cycles,
            n.shared_models,
            n.shared_tables,
            n.diagnostics
        );
        for s in &self.services {
            let _ = writeln!(w, "service {} lines={}", s.name, s.code_lines);
            let _ = writeln!(w, "  purpose {}", s.purpose);
            let models: Vec<&str> = s.owns.models.iter().map(|m| m.name.as_str()).collect();
            let tables: Vec<&str> = s.owns.tables.iter().map(|t| t.name.as_str()).collect();
            let _ = writeln!(
                w,
                "  owns models=[{}] tables=[{}]",
                models.join(", "),
                tables.join(", ")
            );
            let _ = writeln!(w, "  files [{}]", s.owns.files.join(", "));
            for m in &s.owns.to_move {
                let _ = writeln!(
                    w,
                    "  move {} {} from {} ({})",
                    m.item.kind_str(),
                    m.item.path,
                    m.module.path,
                    m.module_context
                        .map(|c| self.context_name(c))
                        .unwrap_or("kernel")
                );
            }
            for a in &s.api {
                let users: Vec<&str> = a.used_by.iter().map(|&c| self.context_name(c)).collect();
                let _ = writeln!(
                    w,
                    "  api {} {} refs={} by=[{}]{}",
                    a.item.kind_str(),
                    a.item.path,
                    a.references,
                    users.join(", "),
                    a.signature
                        .as_deref()
                        .map(|s| format!(" sig=`{s}`"))
                        .unwrap_or_default()
                );
            }
            let links = |v: &[crate::ServiceLink]| {
                v.iter()
                    .map(|l| format!("{}({})", self.context_name(l.context), l.references))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(w, "  calls [{}]", links(&s.calls));
            let _ = writeln!(w, "  called_by [{}]", links(&s.called_by));
            let ext: Vec<String> = s
                .external_crates
                .iter()
                .map(|e| format!("{}({})", e.name, e.references))
                .collect();
            let _ = writeln!(w, "  external [{}]", ext.join(", "));
            let stack: Vec<String> = s
                .stack
                .iter()
                .map(|x| format!("{}<-{}", x.infra.label(), x.crates.join("+")))
                .collect();
            let _ = writeln!(w, "  stack [{}]", stack.join(", "));
            let statics: Vec<&str> = s.state.statics.iter().map(|i| i.name.as_str()).collect();
            let _ = writeln!(
                w,
                "  state {} statics=[{}]",
                if s.state.is_stateful() {
                    "stateful"
                } else {
                    "stateless"
                },
                statics.join(", ")
            );
        }
        for m in &self.shared_models {
            let users: Vec<&str> = m.used_by.iter().map(|&c| self.context_name(c)).collect();
            let _ = writeln!(
                w,
                "shared-model {}{} owner={} used_by=[{}] refs={}",
                m.model.path,
                if m.id_type { " (id)" } else { "" },
                m.owner.map(|c| self.context_name(c)).unwrap_or("kernel"),
                users.join(", "),
                m.references
            );
            for f in &m.embedded_in {
                let _ = writeln!(
                    w,
                    "  embedded {}.{}: {} at {}",
                    f.holder.name, f.field, f.ty, f.at
                );
            }
            for f in &m.held_by_id {
                let _ = writeln!(
                    w,
                    "  by-id {}.{}: {} at {}",
                    f.holder.name, f.field, f.ty, f.at
                );
            }
            let _ = writeln!(w, "  change {}", m.change);
        }
        for t in &self.shared_tables {
            let _ = writeln!(
                w,
                "shared-table {} owner={}{} technique={}",
                t.table.name,
                t.owner.map(|c| self.context_name(c)).unwrap_or("none"),
                if t.owner_proposed { " (proposed)" } else { "" },
                t.technique.as_str()
            );
            for u in &t.uses {
                let _ = writeln!(
                    w,
                    "  use {} reads={} writes={}{}",
                    self.context_name(u.context),
                    u.reads,
                    u.writes,
                    u.at.as_ref()
                        .map(|l| format!(" at {l}"))
                        .unwrap_or_default()
                );
            }
            let _ = writeln!(w, "  change {}", t.change);
        }
        for c in &self.cycles {
            let names: Vec<&str> = c.contexts.iter().map(|&x| self.context_name(x)).collect();
            let _ = writeln!(w, "cycle [{}]", names.join(", "));
            for e in &c.edges {
                let _ = writeln!(
                    w,
                    "  edge {} -> {} refs={}",
                    self.context_name(e.from),
                    self.context_name(e.to),
                    e.references
                );
                for r in &e.evidence {
                    let _ = writeln!(w, "    {}", self.dump_ref(r));
                }
            }
            for cut in &c.cuts {
                let e = &c.edges[cut.edge];
                let _ = writeln!(
                    w,
                    "  cut {} -> {} technique={}",
                    self.context_name(e.from),
                    self.context_name(e.to),
                    cut.technique.as_str()
                );
                let _ = writeln!(w, "    {}", cut.rationale);
            }
        }
        for s in &self.extraction {
            let _ = writeln!(
                w,
                "step {} {} cost={} inbound={} outbound={} shared_data={} effort={} rewrites={} new_calls={} new_events={}",
                s.step,
                self.context_name(s.context),
                s.cost,
                s.inbound_references,
                s.outbound_references,
                s.shared_data,
                s.effort(),
                s.rewrites.len(),
                s.new_network_calls,
                s.new_events
            );
            let _ = writeln!(w, "  why {}", s.why);
            let tables: Vec<&str> = s
                .tables_to_migrate
                .iter()
                .map(|t| t.name.as_str())
                .collect();
            let _ = writeln!(w, "  migrate [{}]", tables.join(", "));
            for r in &s.rewrites {
                let _ = writeln!(w, "  rewrite {}", self.dump_ref(r));
            }
            for a in &s.advice {
                let _ = writeln!(w, "  advice {a}");
            }
        }
        if let Some(h) = &self.history {
            let _ = writeln!(
                w,
                "history commits_read={} merges_skipped={} huge_skipped={}",
                h.commits_read, h.merges_skipped, h.huge_skipped
            );
            for c in &h.contexts {
                let _ = writeln!(
                    w,
                    "  context {} commits={} +{} -{} main={:?} share={:.2} authors={}",
                    self.context_name(c.context),
                    c.commits,
                    c.lines_added,
                    c.lines_removed,
                    c.main_author,
                    c.main_share,
                    c.authors.len()
                );
            }
            for s in &h.hotspots {
                let _ = writeln!(
                    w,
                    "  hotspot {} commits={} lines={} score={:.3}",
                    s.module.path, s.commits, s.code_lines, s.score
                );
            }
            for r in &h.coupling {
                let _ = writeln!(
                    w,
                    "  co-change {} ({}) <-> {} ({}) shared={} degree={:.2}{}",
                    r.a.path,
                    self.context_name(r.a_context),
                    r.b.path,
                    self.context_name(r.b_context),
                    r.shared,
                    r.degree,
                    if r.strong { " strong" } else { "" }
                );
            }
            for (a, b, j) in &h.contributor_coupling {
                let _ = writeln!(
                    w,
                    "  contributors {} {} jaccard={j:.2}",
                    self.context_name(*a),
                    self.context_name(*b)
                );
            }
            for p in &h.not_independent {
                let _ = writeln!(w, "  not-independent {}", p.text);
            }
        }
        out
    }

    fn dump_ref(&self, r: &CrossRef) -> String {
        format!(
            "{} {} -> {} {}{} x{} at {}",
            self.context_name(r.from_context),
            r.from,
            self.context_name(r.to_context),
            r.to,
            if r.kind == seamline_ir::DepKind::Table {
                if r.writes { " (write)" } else { " (read)" }
            } else {
                match r.kind {
                    seamline_ir::DepKind::Import => " (import)",
                    seamline_ir::DepKind::Type => " (type)",
                    seamline_ir::DepKind::Call => " (call)",
                    seamline_ir::DepKind::Impl => " (impl)",
                    seamline_ir::DepKind::Table => "",
                }
            },
            r.count,
            r.at
        )
    }
}
