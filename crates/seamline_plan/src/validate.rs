//! The plan's input boundary: the facts must hold their invariants ([`ir::Facts::validate`])
//! and the proposal must have been computed on those facts.
//!
//! [`crate::plan`] checks both once, on entry, so that the plan and the renderers that read
//! it index ids directly instead of guessing a `?` for an id out of range. Both inputs come
//! from seamline's own stages (the frontend and `propose`), so a failure here is a bug in
//! a caller, never a property of the analysed code.

use seamline_cluster::contexts::{ContextId, Proposal};
use seamline_ir as ir;
use std::fmt;

/// Why the plan's inputs do not fit together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// The facts break one of their own invariants.
    Facts(ir::FactsError),
    /// A per-module, per-item or per-table vector of the proposal has the wrong length.
    Length {
        /// The proposal's field.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The length of the facts' vector it parallels.
        expected: usize,
    },
    /// The proposal refers to an id the facts or its own contexts do not have.
    OutOfRange {
        /// Where the id was found.
        what: &'static str,
        /// The id's index.
        index: usize,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Facts(e) => write!(f, "invalid facts: {e}"),
            InputError::Length {
                what,
                len,
                expected,
            } => write!(
                f,
                "proposal not computed on these facts: {what} has {len} entries, expected {expected}"
            ),
            InputError::OutOfRange { what, index } => write!(
                f,
                "proposal not computed on these facts: {what} refers to index {index}, out of range"
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// Checks that `facts` are valid and that `proposal` was computed on them: every parallel
/// vector has the facts' length and every id is in range. Returns the first violation.
pub fn validate(facts: &ir::Facts, proposal: &Proposal) -> Result<(), InputError> {
    facts.validate().map_err(InputError::Facts)?;
    let length = |what, len: usize, expected: usize| {
        if len == expected {
            Ok(())
        } else {
            Err(InputError::Length {
                what,
                len,
                expected,
            })
        }
    };
    length(
        "module_context",
        proposal.map.module_context.len(),
        facts.modules.len(),
    )?;
    length(
        "item_context",
        proposal.map.item_context.len(),
        facts.items.len(),
    )?;
    length(
        "table_owners",
        proposal.map.table_owners.len(),
        facts.tables.len(),
    )?;
    length(
        "kernel_reasons",
        proposal.kernel_reasons.len(),
        proposal.kernel_modules.len(),
    )?;
    let in_range = |what, index: usize, n: usize| {
        if index < n {
            Ok(())
        } else {
            Err(InputError::OutOfRange { what, index })
        }
    };
    let n_contexts = proposal.contexts.len();
    let context = |what, c: ContextId| in_range(what, c.index(), n_contexts);
    let module = |what, m: ir::ModuleId| in_range(what, m.index(), facts.modules.len());
    let item = |what, i: ir::ItemId| in_range(what, i.index(), facts.items.len());
    let table = |what, t: ir::TableId| in_range(what, t.index(), facts.tables.len());
    for (i, c) in proposal.contexts.iter().enumerate() {
        if c.id.index() != i {
            return Err(InputError::OutOfRange {
                what: "context id",
                index: c.id.index(),
            });
        }
        c.modules
            .iter()
            .try_for_each(|&m| module("context modules", m))?;
        c.items.iter().try_for_each(|&x| item("context items", x))?;
        let m = &c.metrics;
        for &x in m
            .interface
            .iter()
            .chain(&m.owned_models)
            .chain(&m.endpoints)
        {
            item("context metrics", x)?;
        }
        m.owned_tables
            .iter()
            .try_for_each(|&t| table("owned tables", t))?;
    }
    for c in proposal
        .map
        .module_context
        .iter()
        .chain(&proposal.map.item_context)
    {
        c.iter()
            .try_for_each(|&c| context("context assignment", c))?;
    }
    for (c, _) in proposal.map.table_owners.iter().flatten() {
        context("table owner", *c)?;
    }
    proposal
        .kernel_modules
        .iter()
        .try_for_each(|&m| module("kernel modules", m))?;
    let metrics = &proposal.metrics;
    for s in &metrics.shared_models {
        item("shared model", s.model)?;
        for &c in s.owner.iter().chain(&s.used_by) {
            context("shared model contexts", c)?;
        }
    }
    for s in &metrics.shared_tables {
        table("shared table", s.table)?;
        for &c in s.owner.iter().chain(s.accesses.iter().map(|(c, _, _)| c)) {
            context("shared table contexts", c)?;
        }
    }
    for e in &metrics.context_edges {
        context("context edge", e.from)?;
        context("context edge", e.to)?;
        for x in &e.evidence {
            module("edge evidence", x.from_module)?;
            for &i in x.from_item.iter().chain(&x.to_item) {
                item("edge evidence", i)?;
            }
            x.table
                .iter()
                .try_for_each(|&t| table("edge evidence", t))?;
            in_range(
                "edge evidence file",
                x.location.file.index(),
                facts.files.len(),
            )?;
        }
    }
    for c in &metrics.cycles {
        c.contexts.iter().try_for_each(|&x| context("cycle", x))?;
        for &e in &c.edges {
            in_range("cycle edges", e, metrics.context_edges.len())?;
        }
    }
    for d in &proposal.possibly_dead {
        d.items.iter().try_for_each(|&i| item("possibly dead", i))?;
        d.modules
            .iter()
            .try_for_each(|&m| module("possibly dead", m))?;
    }
    Ok(())
}
