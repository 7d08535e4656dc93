//! Shared data: models used by several contexts and tables touched by several contexts, and
//! the change that gives each one owner.
//!
//! Models: "the order service owns orders; others hold the order ID and ask it" (reference
//! by ID instead of embedding another context's model). Tables: each service has its own
//! database, so the other contexts go through the owner's API, keep a read model replicated
//! by events when their reads are hot, or send commands coordinated by a saga when they
//! write (DOMAIN.md "Techniques").

use crate::build::Input;
use crate::services::list;
use crate::{
    CrossRef, FieldUse, SharedModelPlan, SharedTablePlan, TableTechnique, TableUse, Thresholds,
};
use seamline_cluster::contexts::ContextId;
use seamline_ir as ir;
use seamline_ir::format::plural;
use std::collections::{BTreeMap, BTreeSet};

/// `OrderLine` -> `order_line`.
pub(crate) fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

fn names(input: &Input<'_>, ids: impl IntoIterator<Item = ContextId>) -> String {
    let v: Vec<&str> = ids.into_iter().map(|c| input.ctx_name(c)).collect();
    list(&v)
}

/// `OrderId`, `UserID`, `SessionKey`: a type that only identifies another.
pub(crate) fn is_id_type(name: &str) -> bool {
    name.len() > 2 && (name.ends_with("Id") || name.ends_with("ID") || name.ends_with("Key"))
}

/// Fields indexed once for every shared model: by the items their type names, and the id
/// fields (candidates for "holds only its ID").
struct FieldIndex {
    by_ref: BTreeMap<ir::ItemId, Vec<(ir::ItemId, usize)>>,
    ids: Vec<(ir::ItemId, usize)>,
}

fn index_fields(facts: &ir::Facts) -> FieldIndex {
    let mut by_ref: BTreeMap<ir::ItemId, Vec<(ir::ItemId, usize)>> = BTreeMap::new();
    let mut ids = Vec::new();
    for it in &facts.items {
        for (i, f) in it.fields.iter().enumerate() {
            for &r in &f.refs {
                by_ref.entry(r).or_default().push((it.id, i));
            }
            if f.is_id {
                ids.push((it.id, i));
            }
        }
    }
    FieldIndex { by_ref, ids }
}

pub(crate) fn shared_models(input: &Input<'_>, cross: &[CrossRef]) -> Vec<SharedModelPlan> {
    let facts = input.facts;
    let fields = index_fields(facts);
    // References from any context per item (methods count with their type).
    let mut context_refs_to: BTreeMap<ir::ItemId, u32> = BTreeMap::new();
    for r in &facts.references {
        if input.code_context(r.from_module, r.from_item).is_some() {
            *context_refs_to.entry(input.owner_item(r.to)).or_default() += r.count;
        }
    }
    // References from other contexts per model (methods count with their type).
    let mut cross_refs_to: BTreeMap<ir::ItemId, u32> = BTreeMap::new();
    for r in cross {
        if let Some(t) = r.to_item {
            *cross_refs_to.entry(input.owner_item(t)).or_default() += r.count;
        }
    }
    let mut out = Vec::new();
    for sm in &input.proposal.metrics.shared_models {
        let Some(model) = input.item_ref(sm.model) else {
            continue;
        };
        let owner = sm.owner.filter(|c| c.index() < input.n_contexts());
        let used_by: Vec<ContextId> = sm
            .used_by
            .iter()
            .copied()
            .filter(|c| c.index() < input.n_contexts() && Some(*c) != owner)
            .collect();
        let references: u32 = if owner.is_some() {
            cross_refs_to.get(&sm.model).copied().unwrap_or(0)
        } else {
            // A kernel model: every use from a context counts.
            context_refs_to.get(&sm.model).copied().unwrap_or(0)
        };

        let snake_name = snake(&model.name);
        let id_names = [format!("{snake_name}_id"), format!("{snake_name}_ids")];
        let id_type = format!("{}Id", model.name);
        let mut embedded_in = Vec::new();
        let mut held_by_id = Vec::new();
        // The fields that may hold the model: those whose type names it, and every id field.
        // Kernel models are shared on purpose: their fields are not listed.
        let candidates: BTreeSet<(ir::ItemId, usize)> = if owner.is_some() {
            fields
                .by_ref
                .get(&sm.model)
                .into_iter()
                .flatten()
                .chain(fields.ids.iter())
                .copied()
                .collect()
        } else {
            BTreeSet::new()
        };
        for (holder_id, field_idx) in candidates {
            let Some(holder) = input.item(holder_id) else {
                continue;
            };
            if holder.id == sm.model {
                continue;
            }
            let context = input.item_context(holder.id);
            if context.is_some() && context == owner {
                continue;
            }
            if let Some(f) = holder.fields.get(field_idx) {
                let refs_model = f.refs.contains(&sm.model);
                // `f.name` is `n` or ends with `_n` (without formatting `_n` per field).
                let named = |n: &String| {
                    f.name == *n
                        || f.name
                            .strip_suffix(n.as_str())
                            .is_some_and(|h| h.ends_with('_'))
                };
                let by_id = f.is_id
                    && (refs_model
                        || id_names.iter().any(named)
                        || f.ty.contains(id_type.as_str()));
                let embedded = refs_model && !f.is_id;
                if !by_id && !embedded {
                    continue;
                }
                let Some(holder_ref) = input.item_ref(holder.id) else {
                    continue;
                };
                let use_ = FieldUse {
                    holder: holder_ref,
                    context,
                    field: f.name.clone(),
                    ty: f.ty.clone(),
                    at: crate::Loc {
                        file: input.loc(holder.location).file,
                        line: f.line,
                    },
                };
                if embedded {
                    embedded_in.push(use_);
                } else {
                    held_by_id.push(use_);
                }
            }
        }
        let by_loc = |a: &FieldUse, b: &FieldUse| {
            a.at.cmp(&b.at)
                .then_with(|| a.holder.path.cmp(&b.holder.path))
                .then_with(|| a.field.cmp(&b.field))
        };
        embedded_in.sort_by(by_loc);
        held_by_id.sort_by(by_loc);

        let id_type = is_id_type(&model.name);
        // An entity has an identity (an `id` field); anything else is a value.
        let value_type = !id_type
            && input.item(sm.model).is_some_and(|it| {
                !it.fields
                    .iter()
                    .any(|f| f.name == "id" || f.name == id_names[0])
            });
        let change = if id_type {
            format!(
                "{} is an identifier: sharing it is the intended contract (others hold the ID and ask {}). Publish it in a small contract crate, or let each service declare its own.",
                model.name,
                owner.map(|c| input.ctx_name(c)).unwrap_or("the owner")
            )
        } else if value_type && owner.is_some() {
            value_change(input, &model.name, owner, &embedded_in)
        } else {
            model_change(
                input,
                &model.name,
                &snake_name,
                owner,
                &used_by,
                references,
                &embedded_in,
                &held_by_id,
            )
        };
        out.push(SharedModelPlan {
            model,
            id_type,
            value_type,
            owner,
            used_by,
            references,
            embedded_in,
            held_by_id,
            change,
        });
    }
    // Models with an owning context first (they need a change), identifiers and kernel
    // models last; most used first, then by path.
    out.sort_by(|a, b| {
        (a.owner.is_none(), a.id_type)
            .cmp(&(b.owner.is_none(), b.id_type))
            .then(b.references.cmp(&a.references))
            .then_with(|| a.model.path.cmp(&b.model.path))
    });
    out
}

/// The change for a shared value (no identity): copies, not IDs.
fn value_change(
    input: &Input<'_>,
    model: &str,
    owner: Option<ContextId>,
    embedded_in: &[FieldUse],
) -> String {
    let owner_name = owner.map(|c| input.ctx_name(c)).unwrap_or("its owner");
    let holders: BTreeSet<ContextId> = embedded_in.iter().filter_map(|f| f.context).collect();
    let embedded = if embedded_in.is_empty() {
        String::new()
    } else {
        format!(
            " {} in {} {} it.",
            plural(embedded_in.len(), "field", "fields"),
            names(input, holders),
            if embedded_in.len() == 1 {
                "embeds"
            } else {
                "embed"
            }
        )
    };
    format!(
        "{model} has no identity of its own (no `id` field): it is a value, so an ID makes no sense.{embedded} Let each service declare its own copy of what it needs (a snapshot of the values), or publish it from {owner_name} in a small contract crate, so that the monolith's type stops crossing the boundary."
    )
}

#[allow(clippy::too_many_arguments)]
fn model_change(
    input: &Input<'_>,
    model: &str,
    snake_name: &str,
    owner: Option<ContextId>,
    used_by: &[ContextId],
    references: u32,
    embedded_in: &[FieldUse],
    held_by_id: &[FieldUse],
) -> String {
    let Some(owner) = owner else {
        return format!(
            "{model} lives in the shared kernel: keep it a small, stable value type that every service links as a library, or give it an owning context."
        );
    };
    let owner_name = input.ctx_name(owner);
    let mut s = String::new();
    if !embedded_in.is_empty() {
        let holders: BTreeSet<ContextId> = embedded_in.iter().filter_map(|f| f.context).collect();
        s.push_str(&format!(
            "{} in {} {} the whole {model}: replace {} by `{snake_name}_id` and ask {owner_name} for the rest (pass the {} ID, not the {}).",
            plural(embedded_in.len(), "field", "fields"),
            if holders.is_empty() { "the kernel".to_owned() } else { names(input, holders) },
            if embedded_in.len() == 1 { "embeds" } else { "embed" },
            if embedded_in.len() == 1 { "it" } else { "them" },
            snake_name.replace('_', " "),
            snake_name.replace('_', " "),
        ));
        if !held_by_id.is_empty() {
            s.push_str(&format!(
                " {} already {} only its ID.",
                plural(held_by_id.len(), "field", "fields"),
                if held_by_id.len() == 1 {
                    "holds"
                } else {
                    "hold"
                }
            ));
        }
    } else if !held_by_id.is_empty() {
        s.push_str(&format!(
            "Other contexts already hold only its ID ({}): keep it that way, and route the {} through {owner_name}'s API or a small DTO.",
            plural(held_by_id.len(), "field", "fields"),
            plural(references as usize, "remaining reference", "remaining references"),
        ));
    } else {
        s.push_str(&format!(
            "{} use{} {model} directly ({}): hold a `{snake_name}_id` or a small DTO instead of the internal type, and ask {owner_name} for the rest.",
            names(input, used_by.iter().copied()),
            if used_by.len() == 1 { "s" } else { "" },
            plural(references as usize, "reference", "references"),
        ));
    }
    s
}

pub(crate) fn shared_tables(input: &Input<'_>, t: &Thresholds) -> Vec<SharedTablePlan> {
    let facts = input.facts;
    let mut out = Vec::new();
    for st in &input.proposal.metrics.shared_tables {
        let Some(table) = input.table_ref(st.table) else {
            continue;
        };
        // Reads, writes and first access per context, from the facts.
        let mut uses: BTreeMap<ContextId, (u32, u32, Option<ir::Location>)> = BTreeMap::new();
        for a in facts.table_accesses.iter().filter(|a| a.table == st.table) {
            let Some(c) = input.code_context(a.module, a.item) else {
                continue;
            };
            let e = uses.entry(c).or_default();
            match a.mode {
                ir::AccessMode::Read => e.0 += a.count,
                ir::AccessMode::Write => e.1 += a.count,
            }
            if e.2.is_none_or(|l| a.first < l) {
                e.2 = Some(a.first);
            }
        }
        // Contexts the proposal knows about but the facts do not show (mapping only).
        for &(c, reads, writes) in &st.accesses {
            if c.index() < input.n_contexts() {
                uses.entry(c).or_insert((reads, writes, None));
            }
        }
        let mut owner = st.owner.filter(|c| c.index() < input.n_contexts());
        let owner_proposed = owner.is_none();
        if owner.is_none() {
            // The context that writes it most, then reads it most, then the lowest id.
            owner = uses
                .iter()
                .max_by(|a, b| {
                    (a.1.1, a.1.0)
                        .cmp(&(b.1.1, b.1.0))
                        .then_with(|| b.0.cmp(a.0))
                })
                .map(|(c, _)| *c);
        }
        let uses: Vec<TableUse> = uses
            .into_iter()
            .map(|(context, (reads, writes, first))| TableUse {
                context,
                reads,
                writes,
                at: first.map(|l| input.loc(l)),
            })
            .collect();
        let others: Vec<&TableUse> = uses.iter().filter(|u| Some(u.context) != owner).collect();
        let writers: Vec<ContextId> = others
            .iter()
            .filter(|u| u.writes > 0)
            .map(|u| u.context)
            .collect();
        let readers: Vec<ContextId> = others
            .iter()
            .filter(|u| u.writes == 0)
            .map(|u| u.context)
            .collect();
        let reads: u32 = others.iter().map(|u| u.reads).sum();
        let hot = others.iter().any(|u| u.reads >= t.hot_read_count);
        let technique = if !writers.is_empty() {
            TableTechnique::Saga
        } else if hot {
            TableTechnique::ReplicateByEvents
        } else {
            TableTechnique::OwnerApi
        };
        let owner_name = owner.map(|c| input.ctx_name(c)).unwrap_or("its owner");
        let mut change = String::new();
        if owner_proposed && let Some(o) = owner {
            change.push_str(&format!(
                "No context declares `{}`; {} uses it most and should own it. ",
                table.name,
                input.ctx_name(o)
            ));
        }
        change.push_str(&match technique {
            TableTechnique::Saga => format!(
                "{} write{} `{}` too: turn those writes into commands on {owner_name}'s API; where one business operation writes tables of two services, run it as a saga with compensating steps and idempotent commands.",
                names(input, writers.iter().copied()),
                if writers.len() == 1 { "s" } else { "" },
                table.name
            ),
            TableTechnique::ReplicateByEvents => format!(
                "{} read `{}` often ({}): {owner_name} publishes change events and each reader keeps its own read model.",
                names(input, readers.iter().copied()),
                table.name,
                plural(reads as usize, "read", "reads")
            ),
            TableTechnique::OwnerApi => format!(
                "{} read{} `{}` ({}): ask {owner_name} through its API instead of reading the table.",
                names(input, readers.iter().copied()),
                if readers.len() == 1 { "s" } else { "" },
                table.name,
                plural(reads as usize, "read", "reads")
            ),
        });
        out.push(SharedTablePlan {
            table,
            owner,
            owner_proposed,
            owner_reason: if owner_proposed {
                None
            } else {
                st.owner_reason.map(|r| r.as_str())
            },
            uses,
            technique,
            change,
        });
    }
    out.sort_by(|a, b| {
        a.table
            .name
            .cmp(&b.table.name)
            .then(a.table.id.cmp(&b.table.id))
    });
    out
}
