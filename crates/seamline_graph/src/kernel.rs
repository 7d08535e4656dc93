//! Shared-kernel detection: nodes used from many modules spread over many areas are generic
//! infrastructure (errors, config, utils), set aside rather than glued to one context.
//! The rule is documented on [`crate::KernelOptions`].
//!
//! The data layer is never kernel: a model mapped to a table, a `table!`, code that reads or
//! writes a table, or a module holding any of them belongs to a context, however many
//! contexts use it and whatever its folder is called (`db`, `models`, `schema`). Sharing it
//! is coupling to report ("share IDs, not models"), not infrastructure to hide.

use std::collections::{BTreeMap, BTreeSet};

use seamline_ir as ir;

use crate::dep_graph::{DepGraph, NodeId};
use crate::options::KernelOptions;

/// The area of a module: its path cut after the first segment below the crate root
/// (`shop::routes::orders` -> `shop::routes`; `shop` -> `shop`).
pub fn module_area(path: &str) -> &str {
    let mut ends = path.match_indices("::").map(|(i, _)| i);
    let _crate_end = ends.next();
    match ends.next() {
        Some(end) => &path[..end],
        None => path,
    }
}

/// Derives that map a type onto a table (diesel, sqlx, sea-orm).
const DB_DERIVES: &[&str] = &[
    "Queryable",
    "QueryableByName",
    "Insertable",
    "Identifiable",
    "AsChangeset",
    "Selectable",
    "Associations",
    "FromRow",
    "DeriveEntityModel",
];

/// Which items and modules belong to the data layer: `table!` schemas, models mapped to a
/// table (a mapping, a database derive) or with an identity of their own (an `id` field),
/// and code that reads or writes a table. Methods and impls count for their type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLayer {
    /// By item index, for owner items.
    items: Vec<bool>,
    /// By module index: the module declares a table or holds a data item or a table access.
    modules: Vec<bool>,
}

impl DataLayer {
    /// Reads the data layer from the facts.
    pub fn of(facts: &ir::Facts) -> DataLayer {
        let mut items = vec![false; facts.items.len()];
        let mut modules = vec![false; facts.modules.len()];
        for it in &facts.items {
            let domain_model = it.kind.is_model()
                && (it.table.is_some()
                    || it.fields.iter().any(|f| f.name == "id")
                    || it.derives.iter().any(|d| {
                        let d = d.rsplit("::").next().unwrap_or(d);
                        DB_DERIVES.contains(&d)
                    }));
            if domain_model || it.kind == ir::ItemKind::TableSchema || it.table.is_some() {
                items[facts.owner_item(it.id).index()] = true;
            }
        }
        for a in &facts.table_accesses {
            if let Some(i) = a.item
                && i.index() < items.len()
            {
                items[facts.owner_item(i).index()] = true;
            }
            if let Some(m) = modules.get_mut(a.module.index()) {
                *m = true;
            }
        }
        for t in &facts.tables {
            if let Some(def) = &t.defined_in
                && let Some(m) = modules.get_mut(def.module.index())
            {
                *m = true;
            }
        }
        for it in &facts.items {
            if items[facts.owner_item(it.id).index()]
                && let Some(m) = modules.get_mut(it.module.index())
            {
                *m = true;
            }
        }
        DataLayer { items, modules }
    }

    /// Whether the item (or the type it belongs to) is in the data layer.
    pub fn item(&self, facts: &ir::Facts, item: ir::ItemId) -> bool {
        item.index() < self.items.len() && self.items[facts.owner_item(item).index()]
    }

    /// Whether the module declares a table or holds data-layer code.
    pub fn module(&self, module: ir::ModuleId) -> bool {
        self.modules.get(module.index()).copied().unwrap_or(false)
    }

    /// Whether a node of the graph is in the data layer: any of its items at item
    /// granularity, its module at module granularity.
    pub fn node(&self, facts: &ir::Facts, graph: &DepGraph, node: NodeId) -> bool {
        let n = graph.node(node);
        match n.key {
            crate::NodeKey::Module(m) => self.module(m),
            crate::NodeKey::Item(_) => n.items.iter().any(|&i| self.item(facts, i)),
        }
    }
}

/// Kernel nodes with a one-sentence reason each, in node order.
pub(crate) fn detect(
    facts: &ir::Facts,
    graph: &DepGraph,
    options: &KernelOptions,
) -> Vec<(NodeId, String)> {
    // Which modules reference each node and each module (module-level `use` included), and
    // which modules reference anything outside themselves.
    let mut node_fan_in: BTreeMap<NodeId, BTreeSet<ir::ModuleId>> = BTreeMap::new();
    let mut module_fan_in: BTreeMap<ir::ModuleId, BTreeSet<ir::ModuleId>> = BTreeMap::new();
    let mut users: BTreeSet<ir::ModuleId> = BTreeSet::new();
    for reference in &facts.references {
        let Some(target) = facts.items.get(reference.to.index()) else {
            continue;
        };
        // Plumbing (a module without items: `pub use` re-exports) is nobody's user.
        let plumbing = facts
            .modules
            .get(reference.from_module.index())
            .is_none_or(|m| m.items.is_empty());
        if target.module == reference.from_module || plumbing {
            continue;
        }
        users.insert(reference.from_module);
        module_fan_in
            .entry(target.module)
            .or_default()
            .insert(reference.from_module);
        if let Some(node) = graph.node_of_item(reference.to) {
            node_fan_in
                .entry(node)
                .or_default()
                .insert(reference.from_module);
        }
    }
    let area_of = |m: ir::ModuleId| -> &str {
        facts
            .modules
            .get(m.index())
            .map(|m| module_area(&m.path))
            .unwrap_or("")
    };
    let n_areas = users
        .iter()
        .map(|&m| area_of(m))
        .collect::<BTreeSet<_>>()
        .len();
    // (fan-in, users other than the own module, share, areas)
    let spread = |own: ir::ModuleId, modules: &BTreeSet<ir::ModuleId>| {
        let n_users = users.iter().filter(|&&m| m != own).count();
        let share = if n_users == 0 {
            0.0
        } else {
            modules.len() as f64 / n_users as f64
        };
        let areas = modules
            .iter()
            .map(|&m| area_of(m))
            .collect::<BTreeSet<_>>()
            .len();
        (modules.len(), n_users, share, areas)
    };
    let data = DataLayer::of(facts);
    let mut out: BTreeMap<NodeId, String> = BTreeMap::new();
    // Any node, by measured structure alone.
    for (node_id, modules) in node_fan_in {
        if data.node(facts, graph, node_id) {
            continue;
        }
        let (n_fan_in, n_users, share, areas) = spread(graph.node(node_id).module, &modules);
        if n_fan_in >= options.min_fan_in
            && share >= options.min_share
            && areas >= options.min_areas.min(n_areas)
        {
            out.insert(
                node_id,
                format!(
                    "used from {n_fan_in} of {n_users} modules ({:.0}%) across {areas} areas",
                    share * 100.0
                ),
            );
        }
    }
    // Generically named modules, judged as a whole.
    for (&module, modules) in &module_fan_in {
        if data.module(module) {
            continue;
        }
        let module_path = facts
            .modules
            .get(module.index())
            .map(|m| m.path.as_str())
            .unwrap_or("");
        let Some(generic) = module_path
            .split("::")
            .skip(1)
            .map(str::to_lowercase)
            .find(|seg| options.generic_names.iter().any(|g| g == seg))
        else {
            continue;
        };
        let (n_fan_in, n_users, share, areas) = spread(module, modules);
        if n_fan_in >= options.named_min_fan_in
            && share >= options.named_min_share
            && areas >= options.named_min_areas.min(n_areas)
        {
            for &node in graph.nodes_of_module(module) {
                if data.node(facts, graph, node) {
                    continue;
                }
                out.entry(node).or_insert_with(|| {
                    format!(
                        "generic name `{generic}`, and its module is used from {n_fan_in} of {n_users} modules ({:.0}%) across {areas} areas",
                        share * 100.0
                    )
                });
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_cut_after_the_first_segment_below_the_crate() {
        assert_eq!(module_area("shop::routes::orders"), "shop::routes");
        assert_eq!(module_area("shop::error"), "shop::error");
        assert_eq!(module_area("shop"), "shop");
    }
}
