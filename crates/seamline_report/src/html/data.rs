//! The shared data sections (`<section id="shared-models">` and
//! `<section id="shared-tables">` of `templates/index.html`): the models to untangle as
//! cards, those shared on purpose in a table, and the shared tables.

use super::{Chip, Rich, chip, rich, shown, top, visible};
use seamline_plan::Plan;

/// The shared models section.
pub(super) struct ModelsV {
    /// Shared models in the plan.
    pub(super) total: usize,
    /// The models to untangle (the heaviest), as cards.
    pub(super) untangle: Vec<SharedModelV>,
    pub(super) untangle_left: usize,
    /// Identifiers and kernel types, shared on purpose (the heaviest).
    pub(super) on_purpose: Vec<SharedModelV>,
    pub(super) on_purpose_left: usize,
}

/// The shared tables section.
pub(super) struct TablesV {
    /// Shared tables in the plan.
    pub(super) total: usize,
    /// The most used.
    pub(super) shown: Vec<SharedTableV>,
    pub(super) left: usize,
}

pub(super) struct FieldV {
    pub(super) holder: String,
    pub(super) field: String,
    pub(super) ty: String,
    pub(super) at: String,
    pub(super) context: Option<Chip>,
}

pub(super) struct SharedModelV {
    pub(super) name: String,
    pub(super) path: String,
    pub(super) at: String,
    pub(super) owner: Option<Chip>,
    pub(super) used_by: Vec<Chip>,
    pub(super) references: u32,
    pub(super) id_type: bool,
    pub(super) on_purpose: bool,
    pub(super) embedded: Vec<FieldV>,
    pub(super) by_id: Vec<FieldV>,
    /// Fields left off the page.
    pub(super) fields_left: usize,
    pub(super) change: Rich,
}

pub(super) struct TableUseV {
    pub(super) context: Chip,
    pub(super) reads: u32,
    pub(super) writes: u32,
    pub(super) at: String,
    pub(super) owner: bool,
}

pub(super) struct SharedTableV {
    pub(super) name: String,
    pub(super) owner: Option<Chip>,
    pub(super) owner_proposed: bool,
    pub(super) uses: Vec<TableUseV>,
    /// Contexts using it left off the page.
    pub(super) uses_left: usize,
    pub(super) technique: &'static str,
    pub(super) technique_class: &'static str,
    pub(super) change: Rich,
}

pub(super) fn models(plan: &Plan) -> ModelsV {
    let field_v = |f: &seamline_plan::FieldUse| FieldV {
        holder: f.holder.name.clone(),
        field: f.field.clone(),
        ty: f.ty.clone(),
        at: f.at.to_string(),
        context: f.context.map(|c| chip(plan, c)),
    };
    let (to_untangle, on_purpose): (Vec<SharedModelV>, Vec<SharedModelV>) = plan
        .shared_models
        .iter()
        .map(|m| SharedModelV {
            name: m.model.name.clone(),
            path: m.model.path.clone(),
            at: m.model.at.to_string(),
            owner: m.owner.map(|c| chip(plan, c)),
            used_by: m.used_by.iter().map(|&c| chip(plan, c)).collect(),
            references: m.references,
            id_type: m.id_type,
            on_purpose: m.shared_on_purpose(),
            embedded: m
                .embedded_in
                .iter()
                .take(shown::FIELDS)
                .map(field_v)
                .collect(),
            by_id: m
                .held_by_id
                .iter()
                .take(shown::FIELDS)
                .map(field_v)
                .collect(),
            fields_left: m.embedded_in.len().saturating_sub(shown::FIELDS)
                + m.held_by_id.len().saturating_sub(shown::FIELDS),
            change: rich(&m.change),
        })
        .partition(|m| !m.on_purpose);
    let (untangle, untangle_left) = top(to_untangle, shown::MODELS, |m| u64::from(m.references));
    let (on_purpose, on_purpose_left) = top(on_purpose, shown::MODELS_ON_PURPOSE, |m| {
        u64::from(m.references)
    });
    ModelsV {
        total: plan.shared_models.len(),
        untangle,
        untangle_left,
        on_purpose,
        on_purpose_left,
    }
}

pub(super) fn tables(plan: &Plan) -> TablesV {
    let (heaviest, left) = top(plan.shared_tables.iter().collect(), shown::TABLES, |t| {
        t.accesses()
    });
    TablesV {
        total: plan.shared_tables.len(),
        shown: heaviest
            .into_iter()
            .map(|t| SharedTableV {
                name: visible(&t.table.name),
                owner: t.owner.map(|c| chip(plan, c)),
                owner_proposed: t.owner_proposed,
                uses_left: t.uses.len().saturating_sub(shown::TABLE_USES),
                uses: t
                    .uses
                    .iter()
                    .take(shown::TABLE_USES)
                    .map(|u| TableUseV {
                        context: chip(plan, u.context),
                        reads: u.reads,
                        writes: u.writes,
                        at: u.at.as_ref().map(|l| l.to_string()).unwrap_or_default(),
                        owner: Some(u.context) == t.owner,
                    })
                    .collect(),
                technique: t.technique.title(),
                technique_class: t.technique.as_str(),
                change: rich(&t.change),
            })
            .collect(),
        left,
    }
}
