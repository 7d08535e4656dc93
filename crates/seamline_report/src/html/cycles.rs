//! The cycles section (`<section id="cycles">` of `templates/index.html`): each cycle's
//! contexts, the edges to cut with their technique, and the references forming it.

use super::{Chip, RefV, Rich, chip, ref_v, rich, shown, top};
use seamline_plan::Plan;

pub(super) struct EdgeV {
    pub(super) from: Chip,
    pub(super) to: Chip,
    pub(super) references: u32,
    pub(super) cut: bool,
    pub(super) evidence: Vec<RefV>,
    /// References left off the page.
    pub(super) evidence_left: usize,
}

pub(super) struct CutV {
    pub(super) from: Chip,
    pub(super) to: Chip,
    pub(super) technique: &'static str,
    pub(super) rationale: Rich,
}

pub(super) struct CycleV {
    pub(super) contexts: Vec<Chip>,
    pub(super) edges: Vec<EdgeV>,
    /// Edges left off the page.
    pub(super) edges_left: usize,
    pub(super) cuts: Vec<CutV>,
    /// Cuts left off the page.
    pub(super) cuts_left: usize,
}

pub(super) fn section(plan: &Plan) -> Vec<CycleV> {
    plan.cycles
        .iter()
        .map(|c| CycleV {
            contexts: c.contexts.iter().map(|&x| chip(plan, x)).collect(),
            edges_left: c.edges.len().saturating_sub(shown::CYCLE_EDGES),
            edges: top(
                c.edges
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        let (evidence, evidence_left) =
                            top(e.evidence.iter().collect(), shown::EVIDENCE, |r| {
                                u64::from(r.count)
                            });
                        EdgeV {
                            from: chip(plan, e.from),
                            to: chip(plan, e.to),
                            references: e.references,
                            cut: c.cuts.iter().any(|cut| cut.edge == i),
                            evidence: evidence.into_iter().map(|r| ref_v(plan, r)).collect(),
                            evidence_left,
                        }
                    })
                    .collect(),
                shown::CYCLE_EDGES,
                // The edges to cut first, then the heaviest.
                |e| u64::from(e.cut) << 32 | u64::from(e.references),
            )
            .0,
            cuts_left: c.cuts.len().saturating_sub(shown::CUTS),
            cuts: c
                .cuts
                .iter()
                .take(shown::CUTS)
                .map(|cut| {
                    let e = &c.edges[cut.edge];
                    CutV {
                        from: chip(plan, e.from),
                        to: chip(plan, e.to),
                        technique: cut.technique.title(),
                        rationale: rich(&cut.rationale),
                    }
                })
                .collect(),
        })
        .collect()
}
